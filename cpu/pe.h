/* A processing element: one AArch64 core with EL0, EL1 and EL2, executed by
 * Unicorn, with avsim supplying what Unicorn lacks (see the design notes at
 * the top of pe.c): architectural exception entry, traps, syndromes,
 * ERET tracking, interrupt delivery, and the cycle clock. */
#ifndef AVSIM_CPU_PE_H
#define AVSIM_CPU_PE_H
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>
#include "cpu/block_cache.h"
#include "cpu/cpu_model.h"
#include "cpu/pe_debug.h"
#include "cpu/pmu.h"
#include "cpu/sysreg.h"
#include "mmu/tlb.h"
#include "mmu/walk.h"
#include "sim/events.h"
#include "sim/timeq.h"

/* What the PE asks of the machine it sits in. */
struct pe_platform_ops {
    /* HLT #0xF000 (Arm semihosting). x0/x1 are the call; the handler sets x0. */
    void (*semihosting)(void *opaque, struct pe *pe);
    /* An SMC that is not trapped to EL2 reaches the firmware (PSCI); without
     * EL2 (el2_implemented false) an HVC from EL1 does instead. */
    void (*firmware_call)(void *opaque, struct pe *pe);
    /* What is at physical address pa: 0 nothing, 1 RAM, 2 a device. */
    int (*phys_kind)(void *opaque, uint64_t pa);
    /* Broadcast maintenance (SMP): the other PEs of the Inner Shareable
     * domain apply a TLBI ...IS, drop translated code after IC IALLUIS/IVAU,
     * or have their event register set by SEV. NULL: a single PE. */
    void (*broadcast_tlbi)(void *opaque, struct pe *from, const struct tlbi_request *rq);
    void (*broadcast_ic)(void *opaque, struct pe *from, uint64_t pa, bool all);
    void (*send_event)(void *opaque, struct pe *from);
};

/* Per translation context statistics (the stats JSON's mmu section). */
struct mmu_ctx_stats {
    uint8_t regime;
    uint16_t vmid, asid;
    uint64_t fills, tlb_hits, walks, walk_accesses, faults;
};
#define PE_MMU_MAX_CTX_STATS 64

/* A translation pe_mmu_describe_access() looked up (valid while gen is current). */
struct pe_observed_translation {
    uint64_t gen, page, ipa, pa;        /* page = va >> 12; ipa/pa of the page */
    uint16_t vmid, asid;
    uint8_t regime;
    bool valid;
};

/* A translation context (regime, VMID, ASID): its slot numbers the decoded blocks' tags. */
#define PE_MMU_MAX_CTX 16
struct pe_mmu_ctx {
    bool used;
    uint8_t regime;
    uint16_t vmid, asid;
    uint64_t last_use;
};

/* What Unicorn's own TLB may hold: every model entry that served one of its
 * fills since it was last flushed (see pe_mmu.c, "Unicorn's TLB"). */
#define PE_MMU_HELD_SLOTS 8192
struct pe_mmu_held {
    uint64_t tag;                       /* pe_mmu_held_tag: the entry's VA, size, regime, side */
    uint32_t gen;                       /* valid when equal to pe_mmu.held_gen */
    uint16_t vmid, asid;                /* asid 0xffff: a global entry */
};
_Static_assert(sizeof(struct pe_mmu_held) == 16, "the held set is looked up on every fill");
/* The model entry's input address (aligned to its size, 4 KiB at least) with its page_shift
 * (bits 5:0), regime (7:6) and whether it served fetches (bit 8) in the bits below 4 KiB. */
static inline uint64_t pe_mmu_held_tag(uint64_t va, unsigned shift, unsigned regime, bool fetch)
{
    return va | shift | (uint64_t)regime << 6 | (uint64_t)fetch << 8;
}

/* Physical page -> the translation that last filled it (the memory hooks of
 * Unicorn 2.1 report physical addresses; observers want the VA too). */
#define PE_MMU_RMAP_SLOTS 4096
struct pe_mmu_rmap {
    uint64_t pa_page, va_page, ipa_page;
    uint32_t gen;
    uint16_t vmid, asid;
    uint8_t regime;
};

/* The physical page of each code page Unicorn fetched from since its TLB was
 * last flushed (the fetch fills, by VA page, and the model's answer for a
 * page Unicorn still ran from without a fill): decoded blocks are keyed by
 * it, so the same kernel code run under another ASID is not decoded again. */
#define PE_MMU_CODE_MAP_SLOTS 4096
struct pe_mmu_code_page {
    uint64_t va_page;         /* VA >> 12, bit 63: the EL2 regime */
    uint64_t pa_page;
    uint32_t gen;             /* held_gen when filled */
};

/* A translation the TLB-fill hook refused: the abort avsim takes when
 * uc_emu_start returns (see pe_mmu_take_pending_fault). */
struct pe_mmu_pending_fault {
    bool valid;
    bool external;                      /* a synchronous external abort (no translation fault) */
    uint64_t page;                      /* the page-aligned VA Unicorn asked for */
    enum mmu_access acc;
    struct mmu_fault f;
    bool watch;                         /* not a fault: a page a watchpoint may watch (pe_debug.c) */
};

/* The PE's view of the MMU: the guest's configuration, the TLB model, what
 * Unicorn's TLB may hold, and statistics. */
struct pe_mmu {
    bool active_el10, active_el2;       /* translation on in the regime (stage 1 or stage 2) */
    bool host_el0;                      /* HCR_EL2.E2H and TGE: EL0 runs in the EL2&0 regime */
    bool tge;                           /* HCR_EL2.TGE: EL1 cannot run (on_tlb_fill) */
    struct mmu_s1_config s1_el10, s1_el2;
    struct mmu_s2_config s2;
    struct tlb tlb;
    struct pe_mmu_ctx ctx[PE_MMU_MAX_CTX];
    int ctx_el10, ctx_el2;              /* slots of the current contexts, -1 with translation off */
    uint64_t ctx_clock;
    uint64_t walks, walk_accesses, faults, fills, tlb_hits, tlbis, unicorn_flushes, walk_cache_hits;
    uint64_t unicorn_fills, unicorn_fills_by_reason[4];   /* hook calls; see pe_mmu.c */
    struct mmu_ctx_stats ctx_stats[PE_MMU_MAX_CTX_STATS];
    int n_ctx_stats;
    struct pe_mmu_held *held;           /* PE_MMU_HELD_SLOTS */
    uint32_t held_gen, n_held;
    uint64_t held_filter[PE_MMU_HELD_SLOTS / 64];   /* a bit per home slot (held_hash) in use: clear, not held */
    struct pe_mmu_rmap *rmap;           /* PE_MMU_RMAP_SLOTS */
    struct pe_mmu_code_page *code_map;  /* PE_MMU_CODE_MAP_SLOTS */
    struct pe_mmu_pending_fault pending;
    uint64_t removal_va, removal_pa, removal_seq;   /* pe_mmu_remove_code_pa */
    bool local_tlbi_page;               /* during a local TLBI by VA: Unicorn drops that 4K page itself */
    bool fills_refused;                 /* delete_hooks_later: every fill refused, nothing recorded */
    uint64_t fills_since_flush, grow_at_fills, unicorn_grow_flushes;   /* grow_unicorn_tlb */
    int el2_pan;                        /* PSTATE.PAN of Unicorn's EL2 entries in the EL2&0 regime (-1: none) */
    bool unpriv_el2;                    /* Unicorn holds an entry an LDTR/STTR at EL2 in the host filled */
    uint64_t local_tlbi_va;
    /* For observers (EV_WALK, EV_BLOCK, EV_MEM_ACCESS, EV_CONTEXT). */
    uint64_t walk_va;                   /* the input address of the walk under way */
    unsigned walk_el;
    uint64_t observe_gen;               /* bumped when a translation leaves the model */
    struct pe_observed_translation observed[2][64];   /* [0] data, [1] fetch; by page */
    struct { bool valid; uint16_t vmid, asid; bool s2_on; } published_ctx;
};

/* Why pe_run() returned. */
enum pe_stop {
    PE_STOP_NONE,
    PE_STOP_REQUESTED,    /* pe_request_stop(): semihosting exit, PSCI, a device */
    PE_STOP_WFI,          /* WFI with nothing pending: the caller advances time */
    PE_STOP_FATAL,        /* the run cannot continue (message in pe->fatal) */
    PE_STOP_DEBUG,        /* a debugger's breakpoint, step or interrupt (struct pe_debug) */
    PE_STOP_QUANTUM,      /* the PE's clock reached quantum_end (SMP round robin) */
    PE_STOP_RESTART,      /* internal: leave uc_emu_start and enter it again (never returned) */
    PE_STOP_MMIO_FAULT,   /* internal: take the abort of pe_mmio_abort (never returned) */
};

/* A debugger's hold on the PE (frontend/gdbstub.c). While it is attached, a
 * code hook over every address checks the breakpoints (addresses checked by
 * avsim: nothing is written into guest memory), single steps and, now and
 * then, polls the debugger for an interrupt. A stop is precise: the PC is the
 * instruction that has not run yet, never an address in the trampoline page. */
#define PE_DEBUG_MAX_BP 64
struct pe_debug {
    bool attached;
    bool step;                /* stop before the next guest instruction after resume_pc's */
    uint64_t resume_pc;       /* the instruction the PE resumed at runs once without stopping */
    bool resume_seen;
    uint64_t bp[PE_DEBUG_MAX_BP];
    unsigned n_bp;
    bool (*poll)(void *opaque);   /* true: the debugger wants the PE stopped */
    void *poll_opaque;
    unsigned poll_count;
    bool interrupted;         /* the last stop came from poll() */
    uc_hook hook;
};

/* Accesses that must be aligned whose address a block computes before them (SP_ALIGNED
 * with base_reg -1) are checked at the instruction: by a cut, and once a site has been
 * cut PE_ALIGN_SITE_PROMOTE times, by a code hook of its own that stays (at most
 * PE_ALIGN_SITES of them: Unicorn walks its list of code hooks for every instruction it
 * translates). A hot site (a kernel's lock or list walk) then costs a call per run
 * instead of two translations. */
#define PE_ALIGN_SITES 32
#define PE_ALIGN_SITE_CANDIDATES 256
#define PE_ALIGN_SITE_PROMOTE 4
struct pe_align_sites {
    unsigned n;
    uint64_t va[PE_ALIGN_SITES];
    uc_hook hook[PE_ALIGN_SITES];
    uint64_t cand_va[PE_ALIGN_SITE_CANDIDATES];       /* cut sites, direct mapped by VA */
    uint16_t cand_cuts[PE_ALIGN_SITE_CANDIDATES];
};

/* A device access as the instruction makes it (pe_mmio_access). */
struct pe_mmio_access {
    uint64_t pa, va;
    unsigned size;
    int insn;                 /* its instruction in pe->mmio_block, or -1 (none found) */
};

/* A device access that faults (pe_mmio_access): an unaligned one (Unicorn splits it into
 * aligned pieces inside its memory core, where no exception can be raised) or one of a
 * size the device does not support. The access is dropped, the rest of the block
 * (instructions whose effects are registers only) runs, and at its end the registers
 * saved here come back and the abort (fsc) is taken at pc. */
struct pe_mmio_abort {
    bool pending;
    unsigned fsc;             /* FSC_ALIGNMENT or FSC_SEA */
    uint64_t pc, far;
    uint32_t insn;
    uint64_t x[31], sp, nzcv;
};
/* The loads and stores of the block an MMIO access last came from. */
#define PE_MMIO_BLOCK_LDST 32
struct pe_mmio_block {
    uint64_t start;
    uint32_t size, epoch;
    unsigned el, n;
    uint16_t off[PE_MMIO_BLOCK_LDST];
    uint32_t insn[PE_MMIO_BLOCK_LDST];
};

struct pe_cut {
    bool active;
    uint8_t kind;             /* enum special_kind of the instruction cut at */
    uint64_t addr, block_start, block_end;
    uint32_t insn;
    uc_hook hook;
};

struct pe_entry_fixup {
    bool active;
    bool from_el0;            /* phase 1 (EL0 -> EL1 through a virtual IRQ) is under way */
    uint32_t new_pstate;
    uint64_t pc;              /* where the switch lands */
    uint64_t saved_vbar_el1, saved_elr_el1, saved_spsr_el1;
    unsigned target_el;
    bool set_banked;          /* write ELR/SPSR of target_el after the switch */
    uint64_t elr;
    uint32_t spsr;
    int restore_elr_el;       /* -1: none */
    uint64_t restore_elr;
};

/* The block hook's front cache: a copy of what it needs of a decoded block,
 * by VA (direct mapped). An entry holds when its key is the block's (VA, size
 * and EL: pe_front_key) and its gen is pe_front_gen: the sum of the block
 * cache's epoch and held_gen, so it is stale after anything that moves or
 * drops decoded blocks, and after a flush of Unicorn's TLB (after which the
 * VA's code may be on another physical page: the slow path checks that page
 * and, with the block cache's epoch unchanged, takes the entry back). 16
 * bytes, four to a cache line: the block hook reads nothing else of a block.
 * What the slow path, a block with trap candidates and --stats read is in
 * pe_front_cold, at the same index. */
#define PE_FRONT_SLOTS 32768
#define PE_FRONT_MANY_CLASSES 0xffff  /* cls_n[0]: more than four classes, see the block */
#define PE_FRONT_NONE UINT32_MAX      /* pe->last_front: no block counted from the front cache */
struct pe_front {
    uint64_t key;             /* pe_front_key(start, size, el) */
    uint32_t gen;             /* pe_front_gen when filled or checked */
    uint16_t cycles;          /* the block's cost (blocks of more stay out) */
    uint8_t flags;            /* BLOCK_* */
    uint8_t unused;
};
_Static_assert(sizeof(struct pe_front) == 16, "four front entries to a cache line");
struct pe_front_cold {
    uint32_t slot;            /* the block: pe->blocks.slots[slot] */
    uint32_t epoch;           /* the block cache's epoch then */
    uint32_t ok_gen;          /* its system instructions trap on nothing while pe->trap_gen is this (0: check) */
    uint32_t pa_page;         /* PA >> 12 of its first instruction (UINT32_MAX: unknown) */
    uint16_t cls;             /* four instruction classes, 4 bits each (block_info.cls) */
    uint16_t cls_n[4];        /* and their counts */
    /* Up to two accesses that must be aligned and that Unicorn does not check
     * (SP_ALIGNED), checked from their base register as the block starts:
     * register | log2(bytes) << 5 (PE_FRONT_NO_ALIGN: none), and the offset. */
    uint8_t align_reg[2];
    int16_t align_delta[2];
};
#define PE_FRONT_NO_ALIGN 0xff
_Static_assert(sizeof(struct pe_front_cold) == 32, "two cold entries to a cache line");

/* A block's key: its VA, size and EL in one word. Block starts are 4-byte
 * aligned and their VAs canonical (bits 63:53 copies of bit 53: at most
 * 52-bit VAs, PAs with translation off), so the VA shifted left by 10 keeps all
 * of it and leaves bits 0-11 for the size (a multiple of 4, below 4096; Unicorn
 * ends a block at 512 instructions) and the EL. pe_front_keyable says which
 * blocks have such a key. */
static inline uint64_t pe_front_key(uint64_t start, uint32_t size, unsigned el) { return start << 10 | size | el; }
static inline bool pe_front_keyable(uint64_t start, uint32_t size, uint32_t cycles)
{
    return !(start & 3) && !(size & 3) && size < 4096 && cycles <= UINT16_MAX &&
           (uint64_t)((int64_t)(start << 10) >> 10) == start;
}

static inline uint32_t pe_front_page(uint64_t pa_page) { return pa_page > UINT32_MAX ? UINT32_MAX : (uint32_t)pa_page; }

struct pe {
    uc_engine *uc;
    /* What the block hook reads for every block, together (on_block).
     * Rare conditions the block hook must look at, tested with one load: */
    union {
        struct {
            bool stop;          /* a stop was requested (re-asserted, see on_block) */
            bool entry;         /* an EL switch awaits its fixup */
            bool drop_code;     /* Unicorn's translations of code_drop's pages go (block hook) */
            bool after_eret;    /* the previous block ended with ERET */
            bool int_recheck;   /* an interrupt may have become deliverable */
            bool illegal;       /* PSTATE.IL after an illegal return */
            bool sp_recheck;    /* EL or SCTLR changed: recompute sp_align_on */
            bool wfe_sleep;     /* a WFE with the event register clear ran: wait for the next event */
        } f;
        uint64_t any;
    } attn;
    unsigned el;              /* current EL, tracked across exceptions and ERETs */
    uint32_t trap_gen;        /* bumped by every write to avsim's system registers and MMU change (pe_trap_state_changed) */
    uint64_t cycles;
    uint64_t insns;
    uint64_t insns_by_el[3];
    uint64_t insn_limit;      /* stop the run after this many instructions (0: none) */
    bool count_classes;       /* keep insns_by_class (statistics: where the cycles go) */
    uint64_t quantum_end;     /* stop (PE_STOP_QUANTUM) at a block boundary once cycles reach it (pe_set_quantum_end) */
    uint64_t pmu_check_at;           /* the block hook brings the PMU up to date at this clock
                                      * (and flushes Unicorn's TLB at uc_flush_at, if sooner) */
    struct timeq *timeq;             /* simulated-time events, checked at every block boundary */
    /* The earliest of timeq's next event, quantum_end and pmu_check_at, or 0
     * while every block takes the block hook's full path (blocks_watched:
     * EV_BLOCK listeners), or earlier as the instruction limit needs
     * (pe_insn_limit_due): the front cache's one test of what is due
     * (pe_due_changed after any of them changes). */
    uint64_t due;
    bool blocks_watched;
    struct block_info *last_block;   /* the block that runs now (NULL: look it up), unless: */
    uint32_t last_front;             /* the front entry it was counted from (PE_FRONT_NONE: last_block
                                      * says; pe_running_block) */
    struct pe_front *front;          /* PE_FRONT_SLOTS, 64-byte aligned */
    struct pe_front_cold *front_cold;   /* PE_FRONT_SLOTS, beside front */
    uint64_t ram_base, ram_size;     /* pe_note_ram */
    const uint8_t *ram_host;
    /* The RAM pages that may hold code Unicorn translated (a bit per 4 KiB
     * page, set when a block on it is decoded, cleared when its code is
     * dropped): a bus master's write elsewhere needs no code drop
     * (pe_may_hold_code_pa). code_pages_unknown: a block whose page was not
     * known was decoded; every page may hold code until everything is dropped. */
    uint64_t *code_pages;
    bool code_pages_unknown;
    bool sp_align_on;                /* SCTLR_ELx.SA (SA0 at EL0) for the current EL */
    bool sp_aligned;                 /* the current SP is known 16-byte aligned (cleared by any
                                      * register write by avsim, exception, ERET, SP write the
                                      * block decoder cannot follow, MSR SPSel or MSR SP_ELx) */
    uint64_t cur_start;       /* the block that runs now (copied: the cache may be flushed) */
    uint32_t cur_size, cur_cycles;
    struct event_bus *events;
    struct block_cache blocks;
    /* AVSIM_DEBUG_FLUSH_UNICORN_TLB=N: Unicorn's TLB is flushed every N cycles, the
     * model and the held set untouched, as if Unicorn had evicted everything (a test
     * that its capacity never shows in any count). 0: off. */
    uint64_t uc_flush_every, uc_flush_at;     /* uc_flush_at: also set to 0 by grow_unicorn_tlb */

    unsigned index;
    const struct cpu_model *model;
    const struct pe_platform_ops *ops;
    void *ops_opaque;
    uintptr_t capstone;

    bool el2_implemented;     /* false: EL1 is the highest EL (ID_AA64PFR0_EL1.EL2 = 0) and HVC
                                 from EL1 is the firmware call (PSCI); set before pe_reset() */
    uint64_t *sr;             /* values of SR_AVSIM registers, indexed by sysreg_def.index */
    struct {                  /* table positions of the registers the PE itself consults */
        int hcr_el2, mdcr_el2, cntkctl_el1, cnthctl_el2, cntvoff_el2, cntfrq_el0;
        int sctlr_el1, sctlr_el2, tcr_el1, tcr_el2, ttbr0_el1, ttbr1_el1, ttbr0_el2, ttbr1_el2, mair_el1, mair_el2;
        int vtcr_el2, vttbr_el2;
    } idx;
    bool *qemu_has;           /* Unicorn implements this encoding */
    uint64_t *mmu_reset;      /* reset value of each register (Unicorn's for the translation ones) */
    uint64_t id_regs[7 * 8];  /* ID register values (CRm 1..7, op2 0..7) */

    /* Clock and counts (cycles, insns and insns_by_el are with the block hook's fields above). */
    uint64_t exceptions_taken;
    uint64_t idle_cycles;     /* time skipped while waiting in WFI/WFE */
    uint64_t erets;
    uint64_t insns_by_class[IC_COUNT];
    uint64_t mpidr;           /* MPIDR_EL1 as EL2 reads it (EL1 reads VMPIDR_EL2) */

    /* Unicorn plumbing. */
    uc_hook h_block, h_intr, h_mrs, h_msr, h_sys, h_sysl, h_unmapped[2];
    uc_hook h_data;            /* data access hook, only while someone wants EV_MEM_ACCESS */
    bool data_hooked;
    uint64_t insns_sysreg_emulated;
    struct pe_entry_fixup entry;
    struct pe_cut cut;
    struct pe_align_sites align_sites;
    struct pe_mmio_abort mmio_abort;
    struct pe_mmio_block mmio_block;
    unsigned hooks_deleted;          /* since uc_emu_start was last entered (see delete_hook) */
    uc_hook *hooks_later;            /* to delete outside uc_emu_start (pe_delete_hook_later) */
    unsigned n_hooks_later, cap_hooks_later;
    struct pe_mmu mmu;
    struct pmu pmu;                  /* the Performance Monitors (pe_pmu.c) */
    struct gic *gic;                 /* the GICv3 this PE's CPU interface belongs to (or NULL) */
    struct gtimer_cpu *timer;        /* this PE's generic timers */
    struct timeq own_timeq;          /* this PE's (its generic timers), in its own clock */
    uint32_t illegal_from_eret;   /* PSTATE of an illegal return Unicorn performed as legal */
    bool illegal_pc_valid;        /* the illegal return's PC, when Unicorn's is not it */
    uint64_t illegal_pc;
    /* An ERET to AArch32 that Unicorn performed (its CPU has AArch32 EL0; avsim's PEs have
     * no AArch32, where that return is illegal): Unicorn runs AArch32 until the switch
     * back through the trampoline (switch_el, landing at VBAR + 0x680) restores these. */
    struct {
        bool active;
        uint64_t x[31], sp_el[3];
    } a32;
    bool event_reg;
    unsigned sync_without_eret;

    /* Interrupt lines (physical ones are driven by the GIC, issue 4). */
    bool irq_line, fiq_line, serror_line;
    bool virq_line, vfiq_line;    /* from the GIC virtual CPU interface */

    /* Faults reported by the unmapped-memory hook, handled after uc_emu_start returns. */
    struct { bool valid; int type; uint64_t addr; int size; } bus_fault;

    /* Physical pages whose translated code Unicorn must drop at the next block
     * boundary (IC IVAU here or on another PE, a cut, a debugger's write). */
    /* Unicorn's translations to drop at the next block boundary: everything,
     * or [lo, hi) of each physical page (a whole page for an IC, a block's
     * range for a cut). */
    struct { bool all; unsigned n; uint64_t pa_page[32]; uint16_t lo[32], hi[32]; } code_drop;


    struct pe_debug debug;
    struct pe_self_debug sd;          /* the guest's own breakpoints, watchpoints, step (pe_debug.c) */

    enum pe_stop stop;
    char fatal[256];
    bool halted_wfi;
};

/* Creates the PE's Unicorn instance (memory is mapped by the machine afterwards),
 * sets up EL3 for a non-secure EL2/EL1 world and the hooks. */
int pe_create(struct pe *pe, unsigned index, const struct cpu_model *model, const struct tlb_config *tlb,
              struct event_bus *events, const struct pe_platform_ops *ops, void *opaque, char *err,
              size_t errlen);
void pe_destroy(struct pe *pe);
/* Says where RAM is (and its host memory), once the machine has mapped it:
 * accesses to unassigned physical addresses (everything else not mapped)
 * become external aborts; avsim's own reads of RAM (table walks, code) read
 * the host memory directly. */
int pe_note_ram(struct pe *pe, uint64_t base, uint64_t size, const uint8_t *host);

/* Resets architectural state and starts at `entry` in EL2h (or EL1h), MMU off.
 * Start at EL1 with el2_implemented false to run a guest on a PE without EL2. */
int pe_reset(struct pe *pe, uint64_t entry, unsigned start_el);

/* Runs until something stops the PE (see enum pe_stop). */
enum pe_stop pe_run(struct pe *pe);
/* Called by the machine for each MMIO access (pa, size) a PE makes: true if the device
 * must not see it (a piece of an unaligned access to Device memory: the PE takes an
 * Alignment fault; or a piece of an access already refused). *a is the architectural
 * access the piece belongs to (Unicorn splits accesses wider than 4 bytes): one
 * register's bytes, or one element's, as the device must judge its size. */
bool pe_mmio_access(struct pe *pe, uint64_t pa, unsigned size, bool is_write, struct pe_mmio_access *a);
/* The device refuses the access a (pe_mmio_access): the access is dropped and the PE takes
 * a synchronous External abort at its instruction (RAZ/WI where the rest of its block
 * cannot be undone, see pend_mmio_fault). */
void pe_mmio_external_abort(struct pe *pe, const struct pe_mmio_access *a, bool is_write);
void pe_request_stop(struct pe *pe);
void pe_fatal(struct pe *pe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Waiting (WFI, WFE): let simulated time jump to the next event, if any.
 * Returns false when nothing is scheduled. */
bool pe_idle_until_next_event(struct pe *pe);
/* The same, but time goes no further than `limit` (SMP: the end of the
 * quantum, when another PE may wake this one). Returns false when nothing is
 * scheduled before the limit (the clock then stands at the limit). */
bool pe_idle_until(struct pe *pe, uint64_t limit);
/* Another PE's SEV (or a broadcast event): sets the event register. */
void pe_send_event(struct pe *pe);
/* Another PE's TLBI ...IS reaches this one (AArch64.TLBI with shareability IS). */
void pe_mmu_remote_tlbi(struct pe *pe, const struct tlbi_request *rq);
/* Another PE's IC IVAU (the physical page pa) or IC IALLUIS / a power-on
 * (all): the PE drops its decoded blocks and re-translates the code of those
 * pages when it next runs it (see on_block). */
void pe_remote_ic_invalidate(struct pe *pe, uint64_t pa, bool all);
/* True when an interrupt is pending for the PE (masked or not): it wakes WFI. */
bool pe_interrupt_pending(const struct pe *pe);
/* Debugging (struct pe_debug). Attach before the first pe_run(). */
int pe_debug_attach(struct pe *pe, bool (*poll)(void *opaque), void *opaque);
void pe_debug_detach(struct pe *pe);
int pe_debug_add_breakpoint(struct pe *pe, uint64_t va);     /* -1: table full */
void pe_debug_remove_breakpoint(struct pe *pe, uint64_t va);
/* The next pe_run() resumes at the PC, stopping after one instruction when step. */
void pe_debug_resume(struct pe *pe, bool step);
/* The next pe_run() stops before the first guest instruction (reset starts in the trampoline). */
void pe_debug_stop_at_next(struct pe *pe);
/* RAM by physical address for a debugger (devices are refused: -1). A write
 * drops all translated and decoded code, the other PEs' too. */
int pe_read_ram(struct pe *pe, uint64_t pa, void *buf, size_t len);
int pe_write_ram(struct pe *pe, uint64_t pa, const void *buf, size_t len);
/* Guest memory (VAs of this PE's regime) was changed from outside: drop translated
 * and decoded code; the other PEs translate those physical pages again. */
void pe_code_changed(struct pe *pe, uint64_t va, size_t len);
/* Registers for a debugger: x0..x30, 31 SP, 32 PC, 33 PSTATE (NZCV only is written).
 * Between a reset and its first instruction the PC reads as the entry point. */
uint64_t pe_debug_get_reg(struct pe *pe, unsigned n);
void pe_debug_set_reg(struct pe *pe, unsigned n, uint64_t v);
/* The EL for a debugger (between a reset and its first instruction: the EL it starts in). */
unsigned pe_debug_el(struct pe *pe);

/* Drive the physical interrupt lines (used by the GIC; issue 4). */
void pe_set_irq_line(struct pe *pe, int kind /* 1 IRQ 2 FIQ 3 SError */, bool level);
/* The virtual IRQ/FIQ outputs of the GIC's virtual CPU interface (ORed with HCR_EL2.VI/VF). */
void pe_set_virq_line(struct pe *pe, bool fiq, bool level);

uint64_t pe_get_x(struct pe *pe, unsigned n);
void pe_set_x(struct pe *pe, unsigned n, uint64_t v);
uint64_t pe_get_pc(struct pe *pe);
uint64_t pe_read_sysreg(struct pe *pe, const char *name);
/* The host memory of [pa, pa + len) when it lies in RAM, else NULL. */
const uint8_t *pe_ram_ptr(const struct pe *pe, uint64_t pa, size_t len);
int pe_read_phys(struct pe *pe, uint64_t pa, void *buf, size_t len);
int pe_write_phys(struct pe *pe, uint64_t pa, const void *buf, size_t len);
/* Guest virtual memory of the current translation regime (as semihosting sees it). */
int pe_read_va(struct pe *pe, uint64_t va, void *buf, size_t len);
int pe_write_va(struct pe *pe, uint64_t va, const void *buf, size_t len);
uint64_t pe_hcr_el2(const struct pe *pe);
/* CNTFRQ_EL0 as firmware would have set it. */
void pe_set_cntfrq(struct pe *pe, uint64_t hz);

/* The PMU's overflow interrupt (PMUIRQ, a PPI of this PE): set_irq drives it. */
void pe_attach_pmu_irq(struct pe *pe, void (*set_irq)(void *opaque, bool level), void *opaque);

/* The GIC (pe_gic.c): ICC/ICH system registers go to it; it also sets ID_AA64PFR0_EL1.GIC. */
struct gic;
void pe_attach_gic(struct pe *pe, struct gic *gic);
enum gic_access_check pe_gic_check(void *opaque, const struct sysreg_def *d, bool is_read);

/* The MMU (pe_mmu.c). */
int pe_mmu_init(struct pe *pe, const struct tlb_config *tlb, char *err, size_t errlen);
void pe_mmu_destroy(struct pe *pe);
void pe_mmu_reset(struct pe *pe);
/* Recomputes the translation configuration after a register change. */
void pe_mmu_update(struct pe *pe);
/* uc_emu_start returned because the TLB-fill hook refused a translation: take the abort. */
bool pe_mmu_take_pending_fault(struct pe *pe);
/* An access Unicorn's memory hook reports by physical address: its VA, IPA
 * and tags from the translation that last filled the page (false: none known). */
bool pe_mmu_describe_pa(struct pe *pe, uint64_t pa, struct event *ev);
/* VA -> PA for avsim's own reads of guest code (no side effects); false if unmapped. */
bool pe_va_to_pa(struct pe *pe, uint64_t va, bool fetch, uint64_t *pa);
bool pe_mmu_active(const struct pe *pe);
/* The physical page the PE fetches the code at va from (UINT64_MAX: none). */
uint64_t pe_code_page(struct pe *pe, uint64_t va);
/* Describes an access at the current EL (EV_BLOCK, EV_MEM_ACCESS): ev->u.access
 * except size and is_write. No side effects on the TLB model. False (ipa and
 * pa UINT64_MAX) when translation is on and the model holds no translation. */
struct event;
bool pe_mmu_describe_access(struct pe *pe, uint64_t va, bool fetch, struct event *ev);
/* AT S1E0x/S1E1x at EL1 under stage 2: checked at the instruction (see pe_mmu.c). */
bool pe_at_needs_check(const struct pe *pe, const struct sysreg_def *d);
bool pe_at_stage2_abort(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block);
/* DC ZVA where data accesses are Device memory (stage 1 off): an Alignment
 * fault, checked at the instruction (see pe_mmu.c). */
bool pe_dc_zva_needs_check(const struct pe *pe, uint32_t insn);
bool pe_dc_zva_device_abort(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block);
void pe_flush_unicorn_tlb(struct pe *pe);
/* FEAT_PAN at EL2 in the EL2&0 regime: flush Unicorn's TLB if PSTATE.PAN changed under it. */
void pe_mmu_pan_check(struct pe *pe);
/* Unicorn's translated code of a physical page (all: of every page) is
 * dropped at the PE's next block boundary; the decoded blocks now. */
void pe_drop_code_pa(struct pe *pe, uint64_t pa, bool all);
/* Whether the RAM page of pa may hold code the PE translated since its code
 * there was last dropped (false: a write there needs no pe_drop_code_pa). */
static inline bool pe_may_hold_code_pa(const struct pe *pe, uint64_t pa)
{
    if (pe->code_pages_unknown)
        return true;
    if (!pe->code_pages || pa < pe->ram_base || pa - pe->ram_base >= pe->ram_size)
        return false;
    uint64_t page = (pa - pe->ram_base) >> 12;
    return (pe->code_pages[page / 64] >> (page % 64)) & 1;
}
/* The same for the pages of [start, end) (VAs of the current regime). */
void pe_drop_code_va(struct pe *pe, uint64_t start, uint64_t end);
/* Drops Unicorn's translations overlapping [lo, hi) of one physical page now
 * (outside a code hook: the block hook, or a PE not running). */
void pe_mmu_remove_code_pa(struct pe *pe, uint64_t pa_page, unsigned lo, unsigned hi);
uint64_t pe_guest_sctlr(const struct pe *pe, unsigned el);

/* The private page that holds the ERET used to switch EL (outside the guest's
 * 40-bit physical address space, inside Unicorn's 44-bit one). */
#define PE_TRAMPOLINE_PA 0xffffffff000ULL
/* Lower-EL IRQ vector inside the trampoline page (VBAR_EL1 = the page while leaving EL0). */
#define PE_TRAMPOLINE_EL0_LANDING (PE_TRAMPOLINE_PA + 0x480)
#define PE_TRAMPOLINE_A32_LANDING (PE_TRAMPOLINE_PA + 0x680)   /* the IRQ from AArch32 EL0 */

/* The front cache's generation (struct pe_front): both counts only grow, so
 * their sum changes whenever either does (held_gen's wrap clears the front). */
static inline uint32_t pe_front_gen(const struct pe *pe) { return pe->blocks.epoch + pe->mmu.held_gen; }

/* The block that runs now is b (NULL: not known). */
static inline void pe_set_running_block(struct pe *pe, struct block_info *b)
{
    pe->last_block = b;
    pe->last_front = PE_FRONT_NONE;
}

/* The block running now, or NULL when not known (the block cache moved or
 * replaced it since): counted from the front cache, it is looked up only here. */
static inline struct block_info *pe_running_block(struct pe *pe)
{
    if (pe->last_front != PE_FRONT_NONE) {
        const struct pe_front_cold *c = &pe->front_cold[pe->last_front];
        struct block_info *b = c->slot <= pe->blocks.mask ? &pe->blocks.slots[c->slot] : NULL;
        pe_set_running_block(pe, b && b->used && b->start == pe->cur_start && b->size == pe->cur_size ? b : NULL);
    }
    return pe->last_block;
}

/* Forgets the running block (the block cache changed or Unicorn's TLB was flushed). */
static inline void pe_forget_running_block(struct pe *pe) { pe_set_running_block(pe, NULL); }

/* The clock from which block_full must look at the instruction limit (--max-insns), so that
 * the front cache need not test it: every instruction costs a cycle or more (cpu_model.c),
 * so the clock advances at least as far as the instruction count. The margin covers the block
 * that reaches the limit (its instructions are counted when it starts: at most a page of
 * them) and the one block whose instructions and cycles pe_uncount_from may take back in part
 * after this moment (at most a page of instructions at 32 cycles each). */
#define PE_INSN_LIMIT_MARGIN (1024u + 1024u * 32u)
static inline uint64_t pe_insn_limit_due(const struct pe *pe)
{
    if (!pe->insn_limit)
        return UINT64_MAX;
    uint64_t left = pe->insns < pe->insn_limit ? pe->insn_limit - pe->insns : 0;
    return left > PE_INSN_LIMIT_MARGIN ? pe->cycles + (left - PE_INSN_LIMIT_MARGIN) : 0;
}

/* quantum_end, pmu_check_at, the timeq's next event, the instruction limit or blocks_watched
 * changed (and block_full after each block while an instruction limit is set). */
static inline void pe_due_changed(struct pe *pe)
{
    uint64_t d = pe->timeq->next;
    if (pe->quantum_end < d)
        d = pe->quantum_end;
    if (pe->pmu_check_at < d)
        d = pe->pmu_check_at;
    uint64_t limit = pe_insn_limit_due(pe);
    if (limit < d)
        d = limit;
    pe->due = pe->blocks_watched || pe->mmu.unpriv_el2 ? 0 : d;   /* (unpriv_el2: block_full flushes) */
}

static inline void pe_set_quantum_end(struct pe *pe, uint64_t end)
{
    pe->quantum_end = end;
    pe_due_changed(pe);
}

static inline void pe_set_pmu_check_at(struct pe *pe, uint64_t at)
{
    pe->pmu_check_at = at;
    pe_due_changed(pe);
}

/* Is the (virtual) PC on the trampoline page? Its VA is its PA at every EL;
 * a guest's own code at that VA is not supported (README "Not modelled yet"). */
static inline bool pe_in_trampoline(uint64_t pc) { return (pc & ~0xfffULL) == PE_TRAMPOLINE_PA; }
/* VAs with bits 55:48 = 0x01 (pe_mmu_remove_code_pa's, REMOVAL_VA_BASE): every guest access
 * there faults (beyond the PA size, or non-canonical), but Unicorn's TLB may hold them. */
static inline bool pe_in_removal_window(uint64_t va) { return ((va >> 48) & 0xff) == 1; }

#endif
