/* Typed events that models publish and subscribers (statistics, the exception
 * trace, later the trace writer and the viewer) receive. A model never knows
 * who listens. */
#ifndef AVSIM_SIM_EVENTS_H
#define AVSIM_SIM_EVENTS_H
#include <stdint.h>

enum event_type {
    EV_EXCEPTION,      /* exception taken */
    EV_ERET,           /* exception return */
    EV_SYSREG_TRAP,    /* a system register access trapped (also an EV_EXCEPTION) */
    EV_WFI,            /* the PE waits for an interrupt */
    EV_TLB_FILL,       /* a translation entered the TLB model (after a walk) */
    EV_TLB_DROP,       /* an entry left the model (eviction or TLBI) */
    EV_TLBI,           /* a TLB maintenance instruction */
    EV_WALK,           /* one descriptor read of a table walk */
    EV_MMU_FAULT,      /* a translation fault, access flag, permission or address size fault */
    EV_GIC,            /* interrupt controller activity (u.gic.kind says what) */
    EV_BLOCK,          /* an instruction block starts executing (u.access) */
    EV_MEM_ACCESS,     /* a data access by the guest (u.access); costs a Unicorn memory hook */
    EV_CONTEXT,        /* the EL1&0 translation tags (VMID, ASID) changed (u.context) */
    /* The SMMU (smmu/smmu.h), u.smmu. pe and cycles: the PE whose access caused
     * the work (the MMIO write that kicked a device or the SMMU) and its clock. */
    EV_SMMU_XLATE,     /* a transaction translated (a TLB hit, or after a walk) or let through in bypass */
    EV_SMMU_WALK,      /* one descriptor read of an SMMU table walk */
    EV_SMMU_EVENT,     /* an event record (a fault, C_BAD_*): written to the event queue or not */
    EV_SMMU_CMD,       /* a command consumed from the command queue */
    EV_TYPE_COUNT
};

struct event {
    enum event_type type;
    unsigned pe;
    uint64_t cycles;       /* simulated time of the event, in CPU cycles */
    uint64_t pc;           /* where it happened (ELR for exceptions) */
    union {
        struct {
            unsigned ec;       /* ESR EC, or EC_PSEUDO_* for interrupts */
            uint32_t iss;
            uint64_t esr;
            uint64_t far;
            int far_valid;
            unsigned from_el, to_el;
            uint64_t vector;
            int vmid;          /* the VM (VTTBR_EL2.VMID) running at EL0/EL1 with stage 2 on, else -1 */
            uint32_t insn;     /* the instruction that took a synchronous exception (SVC/HVC: the one before ELR) */
            int insn_valid;    /* 0 for interrupts, instruction aborts, PC alignment, unreadable code */
            uint64_t hpfar;    /* HPFAR_EL2 as set for an abort from a lower EL taken to EL2 */
            int hpfar_valid;
        } exc;
        struct {
            unsigned from_el, to_el;
            uint64_t target;
            int vmid;          /* the VM entered (EL0/EL1 with stage 2 on: VTTBR_EL2.VMID), else -1 */
        } eret;
        struct { const char *reg; const char *control; int is_read; } trap;
        struct { unsigned el; int is_wfe; } wfi;
        struct { uint64_t va, ipa, pa; unsigned page_shift, vmid, asid, regime, walk_accesses; } tlb;
        struct {
            const char *op;        /* the instruction, e.g. "TLBI VMALLS12E1IS" */
            uint64_t arg;          /* Xt */
            unsigned removed;
            unsigned kind;         /* enum tlbi_op (mmu/tlb.h) */
            unsigned el;
            int inner_shareable;   /* an ...IS form: the machine broadcasts it to every PE */
            uint16_t vmid, asid;   /* the decoded request */
            uint64_t va, ipa;
        } tlbi;
        struct {
            uint64_t addr;         /* the descriptor's physical address */
            uint64_t walk_addr;    /* its address as the walk computed it (an IPA for stage-1 under stage 2) */
            uint64_t va;           /* the input address of the translation */
            unsigned stage;
            int level;
            unsigned el, regime;
            uint16_t vmid, asid;
            int s2_on;
        } walk;
        /* EV_BLOCK, EV_MEM_ACCESS: where, and through which translation. ipa and
         * pa equal va where translation is off; vmid and asid are the TLB tags. */
        struct {
            uint64_t va, ipa, pa;
            unsigned size;
            int is_write;
            unsigned el, regime;
            uint16_t vmid, asid;
            int s2_on;
        } access;
        struct { unsigned el; uint16_t vmid, asid; int s2_on; } context;
        struct { uint64_t va, ipa; unsigned fsc, stage2, s1ptw; } mmu_fault;
        struct {
            uint32_t sid, ssid;    /* StreamID, SubstreamID (DMA_NO_SSID: none) */
            uint64_t iova;         /* the transaction's input address */
            uint64_t ipa, pa;      /* XLATE: its IPA (== iova without stage 1) and PA; EVENT: the IPA of a
                                    * stage-2 fault */
            unsigned page_shift;   /* XLATE: the mapping's size */
            unsigned config;       /* the STE's Config (SMMU_STE_CONFIG_*): abort, bypass, S1, S2, nested */
            uint16_t vmid, asid;   /* the TLB tags (vmid: STE.S2VMID; asid: CD.ASID) */
            int tlb_hit;           /* XLATE: 1 answered by the SMMU's TLB, 0 walked */
            unsigned walk_accesses;    /* XLATE: descriptor reads of the walk */
            int is_write;
            unsigned size;         /* XLATE: bytes of the transaction in this page */
            uint64_t addr;         /* WALK: the descriptor's PA */
            unsigned stage;        /* WALK: 1 or 2; EVENT: 2 for a stage-2 fault, else 1 */
            int level;             /* WALK: the descriptor's level */
            unsigned event_id;     /* EVENT: the record's type (SMMU_EVT_F_TRANSLATION, ...) */
            int recorded;          /* EVENT: written to the event queue (0: suppressed or the queue was full) */
            unsigned opcode;       /* CMD: the command's opcode (SMMU_CMD_*) */
            uint64_t cmd[2];       /* CMD: the command's two words */
        } smmu;
        struct {
            enum { GIC_EV_RAISED, GIC_EV_ACK, GIC_EV_EOI, GIC_EV_DEACTIVATE, GIC_EV_LR_WRITE,
                   GIC_EV_MAINTENANCE, GIC_EV_VIRQ_SIGNALLED, GIC_EV_ITS_CMD } kind;
            unsigned pe, intid, lr;    /* lr: UINT_MAX when no list register is involved;
                                        * ITS_CMD: intid = the command number, lr = its error
                                        * encoding (0: none) */
            int is_virtual;
        } gic;
    } u;
};

typedef void (*event_fn)(void *opaque, const struct event *ev);

#define EVENT_MAX_SUBSCRIBERS 16

struct event_bus {
    struct { event_fn fn; void *opaque; uint32_t mask; } sub[EVENT_MAX_SUBSCRIBERS];
    int n;
    uint32_t any_mask;    /* union of the masks: a publisher may skip building unwanted events */
};

/* mask: bit (1 << EV_*) per type wanted. Returns -1 when full. */
int event_subscribe(struct event_bus *bus, uint32_t mask, event_fn fn, void *opaque);

static inline int event_wanted(const struct event_bus *bus, enum event_type t)
{
    return bus && (bus->any_mask & (1u << t));
}

void event_publish(const struct event_bus *bus, const struct event *ev);

#endif
