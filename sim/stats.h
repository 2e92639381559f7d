/* Statistics (the first event subscriber) and the one-line-per-exception trace. */
#ifndef AVSIM_SIM_STATS_H
#define AVSIM_SIM_STATS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu_model.h"
#include "sim/events.h"

struct exception_count {
    unsigned ec, from_el, to_el;
    uint64_t count;
};

/* Per VM (VMID): exits to EL2 and virtual interrupts taken; the exits by
 * exception class with their cycles: from the exception until the PE enters
 * the same VM again (an ERET to EL0/EL1 with that VMID), whatever ran in
 * between (the hypervisor, a host kernel, a VMM in user space). */
#define STATS_MAX_EXIT_CLASSES 24
/* Where an exit's cycles went, by the CPU model's costs: each instruction
 * class, then exception entries, ERETs, table walks, L2 TLB hits and idle time. */
enum { SRC_ENTRY = IC_COUNT, SRC_ERET, SRC_WALK, SRC_TLB_L2, SRC_IDLE, SRC_COUNT };
struct vm_count {
    int vmid;
    uint64_t exits_to_el2, virtual_interrupts, exit_cycles;
    struct { unsigned ec; uint64_t count, cycles, by_source[SRC_COUNT]; } by_class[STATS_MAX_EXIT_CLASSES];
    int n_classes;
};

/* A PE's counters at the start of an exit. */
struct exit_mark {
    int vmid;
    unsigned ec;
    uint64_t since, insns_by_class[IC_COUNT], exceptions, erets, walk_accesses, l2_hits, idle;
};

/* The SMMU's work, counted from its events (EV_SMMU_*; the SMMU does not
 * know who listens). One of these per StreamID, per VMID and in total. */
struct stats_smmu_count {
    uint32_t id;                  /* the StreamID or the VMID */
    uint64_t transactions;        /* EV_SMMU_XLATE: one per page of a DMA transaction */
    uint64_t bytes;
    uint64_t bypassed;            /* let through untranslated (STE bypass, SMMUEN = 0 with GBPA bypass) */
    uint64_t tlb_lookups, tlb_hits;   /* translated transactions; those the SMMU's TLB answered */
    uint64_t walks, walk_accesses;    /* translations that walked; their descriptor reads (as the XLATE says) */
    uint64_t walk_reads;          /* EV_SMMU_WALK: every descriptor read, those of walks that faulted too */
    uint64_t faults;              /* EV_SMMU_EVENT: event records (written to the queue or not) */
};

#define STATS_SMMU_MAX_IDS 256    /* StreamIDs (and VMIDs) listed; more are counted in the total only */
struct stats_smmu {
    bool seen;                    /* an SMMU event arrived: the JSON has an "smmu" section */
    struct stats_smmu_count total;
    uint64_t events_recorded, events_lost;   /* lost: suppressed, or the event queue was full or off */
    uint64_t events_by_type[256];            /* by event record type (SMMU_EVT_*) */
    uint64_t commands, commands_by_opcode[256];
    struct stats_smmu_count sids[STATS_SMMU_MAX_IDS];   /* in order of arrival */
    unsigned n_sids;
    struct stats_smmu_count vmids[STATS_SMMU_MAX_IDS];  /* translated transactions and faults (S1, S2, nested) */
    unsigned n_vmids;
    uint64_t unlisted;            /* events of StreamIDs or VMIDs beyond the lists */
};

/* Counts one SMMU event (any other type is ignored). */
void stats_smmu_count(struct stats_smmu *s, const struct event *ev);
/* The "smmu" section of the JSON ("  \"smmu\": {...},\n"), or nothing when no SMMU event arrived. */
void stats_smmu_write_json(FILE *f, const struct stats_smmu *s);

#define STATS_MAX_PES 8
struct stats {
    struct exception_count exc[128];
    int n_exc;
    struct vm_count vm[64];
    int n_vm;
    uint64_t erets, wfis, sysreg_traps;
    /* Exits under way, per PE and VM (a hypervisor may run other VMs before it returns). */
    struct exit_mark open_exit[STATS_MAX_PES][8];
    int n_open[STATS_MAX_PES];
    const struct machine *m;   /* whose PEs' counters an exit's cycles are split by */
    struct machine *counting;  /* with split_exits: the machine whose PEs start counting
                                * instructions by class at the first exit (then NULL) */
    struct stats_smmu smmu;
};

struct machine;
/* Subscribes to the machine's events; with split_exits, the PEs count their
 * instructions by class (from the first exit of a VM on: only the time
 * inside exits is split) so that each exit's cycles are split by source. */
void stats_subscribe(struct stats *s, struct event_bus *bus, struct machine *m, bool split_exits);

struct pe;
struct machine;
/* Writes the JSON statistics file; returns -1 on I/O error. */
int stats_write_json(const struct stats *s, const struct machine *m, const char *path);

struct exception_tracer {
    FILE *out;
    uint64_t clock_hz;
    bool show_pe;             /* several PEs: each line names its PE */
};
void exception_tracer_subscribe(struct exception_tracer *t, struct event_bus *bus, FILE *out,
                                uint64_t clock_hz);

#endif
