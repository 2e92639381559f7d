/* The exception viewer's model (issue 7): an event-bus subscriber that keeps
 * the recent timeline (a bounded ring of exceptions and ERETs, and one of the
 * SMMU's event records and commands) and counters. No drawing here:
 * frontend/view_layout.h turns a model into primitives. */
#ifndef AVSIM_FRONTEND_VIEW_MODEL_H
#define AVSIM_FRONTEND_VIEW_MODEL_H
#include <stdbool.h>
#include <stdint.h>
#include "sim/events.h"

/* What an arrow's colour says. */
enum view_class {
    VIEW_HVC,
    VIEW_SMC,
    VIEW_SVC,
    VIEW_SYSREG_TRAP,
    VIEW_DABORT_STAGE2,     /* data abort from a lower EL taken to EL2 */
    VIEW_DABORT,            /* any other data abort */
    VIEW_IABORT,
    VIEW_IRQ,               /* physical IRQ or FIQ */
    VIEW_VIRQ,              /* virtual IRQ or FIQ */
    VIEW_WFX,
    VIEW_OTHER,
    VIEW_ERET,
    VIEW_CLASS_COUNT
};

struct view_class_info {
    const char *name;
    uint32_t rgba;          /* 0xRRGGBBAA */
};

/* The one table of class names and colours. */
extern const struct view_class_info view_classes[VIEW_CLASS_COUNT];

enum view_class view_classify(unsigned ec, unsigned to_el);

/* The SMMU's marks on the "SMMU" row: event records (faults, C_BAD_*) and
 * commands, each with its colour (the legend's). */
enum view_smmu_kind { VIEW_SMMU_FAULT, VIEW_SMMU_CMD, VIEW_SMMU_KIND_COUNT };
extern const struct view_class_info view_smmu_kinds[VIEW_SMMU_KIND_COUNT];

struct view_smmu_mark {
    uint64_t cycles;
    unsigned pe;            /* the PE whose access caused the SMMU's work */
    enum view_smmu_kind kind;
    unsigned code;          /* the event record type (SMMU_EVT_*) or the command's opcode */
    uint32_t sid;           /* faults: the StreamID */
    uint64_t iova;          /* faults: the input address */
    bool recorded;          /* faults: written to the event queue (not suppressed or lost) */
};

struct view_entry {
    uint64_t cycles;
    unsigned pe;            /* the PE that took it (ev.pe) */
    uint64_t pc;
    uint64_t esr, far;
    unsigned ec;
    unsigned from_el, to_el;
    int vmid;               /* -1: not in a VM */
    enum view_class cls;
    uint32_t insn;          /* the instruction that trapped (insn_valid) */
    bool insn_valid;
    bool hpfar_valid;       /* an abort from a lower EL taken to EL2 */
    uint64_t hpfar;
};

#define VIEW_MAX_VMIDS 16   /* traps per VMID are counted for VMIDs below this; the rest as "other" */
#define VIEW_MAX_PES 8      /* as MACHINE_MAX_PES; events of a PE beyond it count as the last PE's */

/* What one PE took and returned from. */
struct view_pe_counters {
    uint64_t exceptions;    /* every class but ERET */
    uint64_t erets;
    uint64_t traps_to_el2;  /* from EL0/EL1 to EL2 */
};

struct view_counters {
    uint64_t by_class[VIEW_CLASS_COUNT];
    uint64_t traps_by_vmid[VIEW_MAX_VMIDS];
    uint64_t traps_other_vmid;
    struct view_pe_counters by_pe[VIEW_MAX_PES];
    uint64_t tlb_fills;
    uint64_t last_cycles;   /* time of the latest event seen */
    uint64_t smmu[VIEW_SMMU_KIND_COUNT];   /* SMMU event records and commands */
    uint64_t smmu_not_recorded;            /* ... event records not written to the event queue */
};

/* Machine-wide totals the frontend copies in (the model sees only events). */
struct view_totals {
    int valid;
    uint64_t cycles, clock_hz;
    uint64_t tlb_lookups, tlb_hits;
};

struct view_model {
    unsigned n_pes;         /* PEs of the machine: a group of lanes each when more than one */
    unsigned highest_el;    /* the highest EL an exception or ERET went from or to */
    struct view_entry *ring;
    unsigned capacity;
    unsigned head;          /* next slot to write */
    unsigned count;         /* entries held (<= capacity) */
    uint64_t dropped;       /* entries overwritten when the ring was full */
    struct view_smmu_mark *smmu_ring;      /* the SMMU's marks, as ring (same capacity) */
    unsigned smmu_head, smmu_count;
    uint64_t smmu_dropped;
    struct view_counters counters;
    struct view_totals totals;
};

/* capacity: entries kept (the oldest are overwritten); n_pes: the machine's PEs
 * (1..VIEW_MAX_PES; 0 counts as 1, more as VIEW_MAX_PES;
 * an event of a higher PE raises it). Returns -1 without memory. */
int view_model_init(struct view_model *vm, unsigned capacity, unsigned n_pes);
void view_model_destroy(struct view_model *vm);
/* The events the model wants: exceptions, ERETs, TLB fills, SMMU event records and commands. */
#define VIEW_MODEL_EVENTS ((1u << EV_EXCEPTION) | (1u << EV_ERET) | (1u << EV_TLB_FILL) | (1u << EV_SMMU_EVENT) | \
                           (1u << EV_SMMU_CMD))
/* Subscribes to VIEW_MODEL_EVENTS. Returns -1 when the bus is full. */
int view_model_subscribe(struct view_model *vm, struct event_bus *bus);
/* The subscriber callback (public so tests can feed synthetic events). */
void view_model_on_event(void *opaque, const struct event *ev);
/* i-th entry from the oldest (0 <= i < count). */
const struct view_entry *view_model_entry(const struct view_model *vm, unsigned i);
/* i-th SMMU mark from the oldest (0 <= i < smmu_count). */
const struct view_smmu_mark *view_model_smmu_mark(const struct view_model *vm, unsigned i);
/* The index of the kept entry at (cycles, pc), or -1 (gone from the ring, or never
 * there). Entries are in time order, so this is a binary search. */
int view_model_find(const struct view_model *vm, uint64_t cycles, uint64_t pc);

#endif
