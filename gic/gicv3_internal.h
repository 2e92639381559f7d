/* GIC model internals: the state of the distributor, the redistributors and
 * the CPU interfaces, shared by gicv3.c (lines, priorities, outputs),
 * gicv3_dist.c (GICD_* and the interrupt-bank registers that GICR_* SGI_base
 * shares), gicv3_redist.c (GICR_*) and gicv3_cpuif.c (ICC_*, ICV_*, ICH_*),
 * and by the GICv2 variant: gicv2_dist.c (the banked GICv2 GICD_*) and
 * gicv2_cpuif.c (the memory-mapped GICC_*, GICH_* and GICV_* frames).
 *
 * The GICv2 keeps its state in the same structures: the physical CPU interface
 * in icc_* (GICC_CTLR's enables, CBPR and EOImode mirrored into icc_igrpen[] and
 * icc_ctlr, so that gic_hppi() and icc_can_signal() serve both), the virtual
 * interface in ich_* (GICH_HCR, GICH_MISR and GICH_VMCR have the ICH_*_EL2 bit
 * layout; the 32-bit GICH_LR<n> are held in the ICH_LR<n>_EL2 format, converted
 * on access; GICH_APR is ich_apr[0][0]).
 *
 * What is modelled (see also gic.h):
 *  - a single Security state, GICD_CTLR.DS = 1 (the Non-secure view, Group 0
 *    accessible), affinity routing always on (ARE = 1);
 *  - physical LPIs (INTIDs 8192..65535: GICD_TYPER.IDbits = 15) in each redistributor
 *    (gicv3_lpi.c) and one ITS (gicv3_its.c) when cfg.its is set; no DirectLPI
 *    (GICR_SETLPIR/INVLPIR...);
 *  - virtual LPIs only as a hypervisor puts them in the list registers (24-bit vINTIDs,
 *    ICH_VTR_EL2.IDbits = 1), no GICv4 direct injection (ICH_VTR_EL2.nV4 = 1, no VPT);
 *  - 5 bits of physical priority (ICC_CTLR_EL1.PRIbits = 4: priorities are
 *    multiples of 8), so ICC_AP0R0/AP1R0 hold all 32 preemption levels;
 *  - 1..16 list registers and 5..7 bits of virtual priority per the config.
 * Names follow the GIC architecture specification (IHI 0069). */
#ifndef AVSIM_GIC_GICV3_INTERNAL_H
#define AVSIM_GIC_GICV3_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gic/gic.h"
#include "sim/dma.h"

#define GIC_WORDS (GIC_NUM_IRQS / 32)
#define GIC_NUM_PRIVATE 32                /* SGIs 0..15 and PPIs 16..31, banked per PE */
#define GIC_NUM_SGIS 16

/* Physical priority: 5 implemented bits (ICC_CTLR_EL1.PRIbits + 1). */
#define GIC_PRI_BITS 5
#define GIC_PRI_MASK ((uint8_t)(0xff << (8 - GIC_PRI_BITS)))
#define GIC_MIN_BPR0 (7 - GIC_PRI_BITS)   /* BPR0 below this reads as this */
#define GIC_IDLE_PRIORITY 0xff            /* the running priority with nothing active */

/* GICD_IIDR and GICR_IIDR: the value QEMU's GICv3 reports (Implementer 0x43B = Arm,
 * Revision 1, Variant 0, ProductID 0x01), so guests see what they see under QEMU. */
#define GIC_IIDR_VALUE 0x0100143bu

/* ---- the interrupt state bank -------------------------------------------------------- */
/* Interrupt N's state is bit N (bit N % 32 of word N / 32) of each bitmap, and byte N of
 * priority[]. The distributor's bank holds the SPIs (INTIDs 32..287); each
 * redistributor's bank holds its PE's SGIs and PPIs (INTIDs 0..31). The register
 * layout is the same (GICD_ISENABLER<n> at 0x100 + 4n, GICR_ISENABLER0 at SGI_base +
 * 0x100), so one set of accessors serves both frames. */
struct gic_bank {
    uint32_t group[GIC_WORDS];            /* IGROUPR: 1 = Group 1 */
    uint32_t enabled[GIC_WORDS];          /* ISENABLER / ICENABLER */
    uint32_t pending[GIC_WORDS];          /* the pending latch: edge seen, or ISPENDR */
    uint32_t active[GIC_WORDS];           /* ISACTIVER / ICACTIVER */
    uint32_t level[GIC_WORDS];            /* the input line as the device drives it */
    uint32_t edge[GIC_WORDS];             /* ICFGR Int_config[1]: 1 = edge-triggered */
    uint8_t priority[GIC_NUM_IRQS];       /* IPRIORITYR, implemented bits only */
};

static inline bool irq_bit(const uint32_t *bm, unsigned n)
{
    return (bm[n / 32] >> (n % 32)) & 1;
}

static inline void irq_set_bit(uint32_t *bm, unsigned n, bool v)
{
    if (v)
        bm[n / 32] |= 1u << (n % 32);
    else
        bm[n / 32] &= ~(1u << (n % 32));
}

/* Pending as the architecture sees it: the latch, or a level-sensitive input held high. */
static inline uint32_t bank_pending_word(const struct gic_bank *b, unsigned w)
{
    return b->pending[w] | (b->level[w] & ~b->edge[w]);
}

static inline bool irq_pending(const struct gic_bank *b, unsigned n)
{
    return (bank_pending_word(b, n / 32) >> (n % 32)) & 1;
}

/* ---- register fields --------------------------------------------------------------------- */
#define GICD_CTLR_ENABLE_GRP0 (1u << 0)
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)   /* EnableGrp1 (DS = 1 layout) */
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)

#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

#define GICD_IROUTER_IRM (1ull << 31)
#define GICD_IROUTER_MASK (0xff00ffffffull | GICD_IROUTER_IRM)  /* Aff3, IRM, Aff2..Aff0 */

#define ICC_CTLR_CBPR (1ull << 0)
#define ICC_CTLR_EOIMODE (1ull << 1)
#define ICC_CTLR_PRIBITS_SHIFT 8
#define ICC_CTLR_IDBITS_SHIFT 11
#define ICC_CTLR_IDBITS_24 1u             /* the IDbits value of ICC/ICV_CTLR_EL1 and ICH_VTR_EL2 */
#define ICC_CTLR_A3V (1ull << 15)

#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_UIE (1ull << 1)
#define ICH_HCR_LRENPIE (1ull << 2)
#define ICH_HCR_NPIE (1ull << 3)
#define ICH_HCR_VGRP0EIE (1ull << 4)
#define ICH_HCR_VGRP0DIE (1ull << 5)
#define ICH_HCR_VGRP1EIE (1ull << 6)
#define ICH_HCR_VGRP1DIE (1ull << 7)
#define ICH_HCR_TC (1ull << 10)
#define ICH_HCR_TALL0 (1ull << 11)
#define ICH_HCR_TALL1 (1ull << 12)
#define ICH_HCR_TDIR (1ull << 14)
#define ICH_HCR_EOICOUNT_SHIFT 27
#define ICH_HCR_EOICOUNT_MASK (0x1full << ICH_HCR_EOICOUNT_SHIFT)
#define ICH_HCR_WRITABLE (ICH_HCR_EN | ICH_HCR_UIE | ICH_HCR_LRENPIE | ICH_HCR_NPIE | ICH_HCR_VGRP0EIE | \
                          ICH_HCR_VGRP0DIE | ICH_HCR_VGRP1EIE | ICH_HCR_VGRP1DIE | ICH_HCR_TC |          \
                          ICH_HCR_TALL0 | ICH_HCR_TALL1 | ICH_HCR_TDIR | ICH_HCR_EOICOUNT_MASK)

#define ICH_VTR_TDS (1ull << 19)
#define ICH_VTR_NV4 (1ull << 20)
#define ICH_VTR_A3V (1ull << 21)
#define ICH_VTR_IDBITS_SHIFT 23
#define ICH_VTR_PREBITS_SHIFT 26
#define ICH_VTR_PRIBITS_SHIFT 29

#define ICH_VMCR_VENG0 (1ull << 0)
#define ICH_VMCR_VENG1 (1ull << 1)
#define ICH_VMCR_VFIQEN (1ull << 3)       /* RES1 with the system register interface */
#define ICH_VMCR_VCBPR (1ull << 4)
#define ICH_VMCR_VEOIM (1ull << 9)
#define ICH_VMCR_VBPR1_SHIFT 18
#define ICH_VMCR_VBPR0_SHIFT 21
#define ICH_VMCR_VPMR_SHIFT 24

#define ICH_MISR_EOI (1u << 0)
#define ICH_MISR_U (1u << 1)
#define ICH_MISR_LRENP (1u << 2)
#define ICH_MISR_NP (1u << 3)
#define ICH_MISR_VGRP0E (1u << 4)
#define ICH_MISR_VGRP0D (1u << 5)
#define ICH_MISR_VGRP1E (1u << 6)
#define ICH_MISR_VGRP1D (1u << 7)

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK 0xffffffffull
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_PINTID_MASK (0x1fffull << ICH_LR_PINTID_SHIFT)
#define ICH_LR_EOI (1ull << 41)           /* pINTID[9] when HW = 0 */
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_GROUP (1ull << 60)
#define ICH_LR_HW (1ull << 61)
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_PENDING (1ull << 62)       /* State = 0b01 */
#define ICH_LR_ACTIVE (1ull << 63)        /* State = 0b10; both = 0b11 */
#define ICH_LR_STATE_MASK (ICH_LR_PENDING | ICH_LR_ACTIVE)
#define ICH_LR_WRITABLE (ICH_LR_VINTID_MASK | ICH_LR_PINTID_MASK | (0xffull << ICH_LR_PRIORITY_SHIFT) | \
                         ICH_LR_GROUP | ICH_LR_HW | ICH_LR_STATE_MASK)

static inline unsigned lr_vintid(uint64_t lr) { return (unsigned)(lr & ICH_LR_VINTID_MASK); }
static inline unsigned lr_pintid(uint64_t lr) { return (unsigned)((lr >> ICH_LR_PINTID_SHIFT) & 0x1fff); }
static inline uint8_t lr_priority(uint64_t lr) { return (uint8_t)(lr >> ICH_LR_PRIORITY_SHIFT); }
static inline int lr_group(uint64_t lr) { return (lr & ICH_LR_GROUP) ? 1 : 0; }

/* ---- LPIs (gicv3_lpi.c) -------------------------------------------------------------------- */
/* A redistributor's LPIs. The LPI Configuration table (one byte per LPI: priority [7:2],
 * enable [0]) and the LPI Pending table (one bit per INTID) live in guest memory. What this
 * model keeps of them, as the GIC specification allows a redistributor to cache:
 *  - cfg[]: the configuration bytes, read when EnableLPIs goes 0 -> 1 and re-read only by
 *    an invalidation: the ITS INV (one LPI) and INVALL (the whole table) commands. A change
 *    written to the table in memory has no effect before that;
 *  - pending[]: the pending bits, read from the table when EnableLPIs goes 0 -> 1 (unless
 *    GICR_PENDBASER.PTZ says it is zero) and written through to it on every change, so that
 *    memory is always up to date (a redistributor whose EnableLPIs is cleared, or software
 *    that reads the table, sees the state).
 * LPI n (n >= 8192) is index n - 8192 of both. LPIs are always Group 1 (DS = 1), have no
 * active state, and go to this PE only. */
#define GIC_LPI_BASE 8192u
#define GIC_LPI_IDBITS 16u                /* GICD_TYPER.IDbits + 1: INTIDs below 65536 */
#define GIC_MAX_LPIS ((1u << GIC_LPI_IDBITS) - GIC_LPI_BASE)
#define GIC_LPI_CFG_ENABLE 0x01u
#define GIC_LPI_CFG_PRIORITY 0xfcu

struct gic_lpis {
    bool enabled;                         /* GICR_CTLR.EnableLPIs */
    uint64_t propbaser, pendbaser;        /* GICR_PROPBASER, GICR_PENDBASER as written */
    unsigned num;                         /* LPIs the tables cover (from PROPBASER.IDbits at enable) */
    uint64_t prop_pa, pend_pa;            /* the tables' addresses at enable */
    unsigned npending;                    /* bits set in pending[] */
    bool best_valid;                      /* best is up to date */
    unsigned best_intid;                  /* the highest priority enabled pending LPI, or GIC_SPECIAL_NONE */
    uint8_t best_priority;
    uint64_t pending[GIC_MAX_LPIS / 64];
    uint8_t cfg[GIC_MAX_LPIS];
};

/* The ITS (gicv3_its.c): registers; its tables live in guest memory. */
struct gic_its {
    uint32_t ctlr;                        /* GITS_CTLR.Enabled */
    uint64_t cbaser, cwriter, creadr;     /* creadr bit 0: Stalled */
    uint64_t baser[8];
};

/* ---- the instance ------------------------------------------------------------------------- */
/* One PE's redistributor and CPU interface (physical and virtual). Groups are indexed
 * 0 (Group 0, FIQ) and 1 (Group 1, IRQ: with DS = 1 there is only one Group 1). */
struct gic_cpu {
    struct gic_bank bank;                 /* INTIDs 0..31 */
    uint32_t gicr_waker;

    uint8_t icc_pmr;
    uint8_t icc_bpr[2];
    uint64_t icc_ctlr;                    /* CBPR, EOImode (the rest reads as constants) */
    bool icc_igrpen[2];
    uint8_t pri_bits;                     /* physical priority bits: 5 (GICv3), 5..8 (GICv2) */
    /* Active priorities [group][word]: bit i of the words = group priority i << (8 - prebits)
     * active (icc_prebits: 5 bits -> 32 levels in word 0, the GICv3's ICC_AP0R0/AP1R0;
     * 8 bits -> 128 levels in 4 words, GICC_APR0..3/NSAPR0..3). */
    uint32_t icc_apr[2][4];

    uint64_t ich_hcr_el2;
    uint64_t ich_vmcr_el2;
    uint64_t ich_lr_el2[16];
    uint32_t ich_apr[2][4];               /* ICH_AP0R<n>/AP1R<n>_EL2 */

    /* GICv2 only: GICC_CTLR as written (the no-Security-Extensions layout), and the
     * per-source pending state of each SGI (bit s: pending from CPU s), which
     * bank.pending summarises (pending while any source bit is set). */
    uint32_t gicc_ctlr;
    uint8_t sgi_sources[GIC_NUM_SGIS];

    /* Output levels last driven, so callbacks only see changes. */
    bool irq_out[2];                      /* [0] FIQ (Group 0), [1] IRQ (Group 1) */
    bool virq_out[2];
    bool maint_level;                     /* the maintenance interrupt, into PPI 25 */
};

struct gic {
    struct gic_config cfg;
    struct gic_outputs out;
    struct event_bus *events;

    uint32_t gicd_ctlr;                   /* EnableGrp0, EnableGrp1 */
    struct gic_bank dist;                 /* INTIDs 32..287 */
    uint64_t gicd_irouter[GIC_NUM_IRQS];
    uint8_t gicd_itargets[GIC_NUM_IRQS];  /* GICv2: GICD_ITARGETSR of the SPIs */
    struct gic_cpu cpu[GIC_MAX_PES];

    struct phys_mem mem;                  /* the LPI and ITS tables (gic_attach_memory) */
    struct gic_lpis *lpi;                 /* [num_pes] with cfg.its, else NULL */
    unsigned lpis_pending;                /* LPIs pending on all PEs: gic_hppi looks at them if > 0 */
    struct gic_its its;

    struct gic_stats stats;
};

/* The bank that holds interrupt n as PE pe sees it. */
static inline struct gic_bank *gic_bank_of(struct gic *g, unsigned pe, unsigned n)
{
    return n < GIC_NUM_PRIVATE ? &g->cpu[pe].bank : &g->dist;
}

/* ---- gicv3_lpi.c ------------------------------------------------------------------------------ */
/* LPI n becomes pending (pending = true) or not on the redistributor of PE pe: ignored while
 * its EnableLPIs is 0 or when n is beyond its tables. Writes the pending table, publishes
 * RAISED. The caller calls gic_update. */
void gic_lpi_set_pending(struct gic *g, unsigned pe, unsigned n, bool pending);
bool gic_lpi_is_pending(const struct gic *g, unsigned pe, unsigned n);
/* Re-read LPI n's configuration byte (INV), or the whole table (INVALL). */
void gic_lpi_inv(struct gic *g, unsigned pe, unsigned n);
void gic_lpi_invall(struct gic *g, unsigned pe);
/* Move every pending LPI of PE from to PE to (MOVALL). */
void gic_lpi_move_all(struct gic *g, unsigned from, unsigned to);
/* The highest priority enabled pending LPI of a PE (intid GIC_SPECIAL_NONE if none). */
struct gic_hppi gic_lpi_hppi(struct gic *g, unsigned pe);
/* GICR_CTLR, GICR_PROPBASER, GICR_PENDBASER of the RD_base frame (32-bit halves). */
uint32_t gic_lpi_reg_read(struct gic *g, unsigned pe, uint64_t off);
void gic_lpi_reg_write(struct gic *g, unsigned pe, uint64_t off, uint32_t val);
void gic_lpi_reset(struct gic *g);

/* ---- gicv3_its.c ------------------------------------------------------------------------------ */
void gic_its_reset(struct gic *g);

/* ---- gicv3.c -------------------------------------------------------------------------------- */
/* Recompute every PE's outputs (maintenance interrupt, IRQ/FIQ, virtual IRQ/FIQ); call after
 * any state change. */
void gic_update(struct gic *g);
/* Affinity of a PE as GICR_TYPER and GICD_IROUTER express it: Aff0 = pe (QEMU virt). */
uint64_t gic_pe_affinity(unsigned pe);
/* Is SPI n routed to PE pe (GICD_IROUTER<n>: affinity match, or IRM = 1: any PE; GICv2:
 * the PE's bit in GICD_ITARGETSR<n>)? */
bool gic_spi_routed_to(const struct gic *g, unsigned n, unsigned pe);
/* Set the pending latch (ISPENDR, SGI generation); publishes RAISED if it became pending. */
void gic_set_pending(struct gic *g, int pe, unsigned n);
/* Clear the active state (deactivation); publishes DEACTIVATE. */
void gic_deactivate(struct gic *g, unsigned pe, unsigned n, bool is_virtual, int lr);
void gic_event(struct gic *g, int kind, unsigned pe, unsigned intid, int lr, bool is_virtual);

/* Highest priority pending interrupt of a PE (HighestPriorityPendingInterrupt): among the
 * enabled, pending, not active interrupts routed to it whose group is enabled in both
 * GICD_CTLR and ICC_IGRPEN<n>_EL1. intid = GIC_SPECIAL_NONE when there is none. */
struct gic_hppi {
    unsigned intid;
    uint8_t priority;
    int group;
};
struct gic_hppi gic_hppi(struct gic *g, unsigned pe);

/* The group priority mask for a binary point (GroupBits): Group 1 uses BPR1 - 1 unless CBPR
 * makes it share BPR0. Shared by the physical and the virtual interface. */
static inline uint8_t gic_gprio_mask(unsigned bpr0, unsigned bpr1, bool cbpr, int group)
{
    unsigned bpr = (group == 1 && !cbpr) ? bpr1 - 1 : bpr0;
    return (uint8_t)(0xffu << (bpr + 1));
}

/* Running priority from active-priority bits (ICC_RPR / ICV_RPR): the lowest set bit of the
 * words of both groups, scaled by the number of preemption bits. */
uint8_t gic_apr_running_priority(const uint32_t *ap0, const uint32_t *ap1, unsigned nwords,
                                 unsigned prebits);

/* Physical CPU interface (gicv3_cpuif.c). The priority width is per instance (GICv3: 5 bits,
 * GIC_PRI_BITS; GICv2: cfg.pri_bits); preemption levels are group priorities [7:8-prebits]. */
static inline unsigned icc_prebits(const struct gic_cpu *c) { return c->pri_bits > 7 ? 7u : c->pri_bits; }
static inline unsigned icc_apr_words(const struct gic_cpu *c) { return (1u << icc_prebits(c)) / 32; }
static inline uint8_t icc_pri_mask(const struct gic_cpu *c) { return (uint8_t)(0xff << (8 - c->pri_bits)); }
static inline unsigned icc_min_bpr0(const struct gic_cpu *c) { return 7 - icc_prebits(c); }
/* Mark group priority gprio of a group active; drop the group's highest active priority (its
 * lowest set bit; false if none was active). */
void icc_activate_priority(struct gic_cpu *c, int group, uint8_t gprio);
bool icc_drop_priority(struct gic_cpu *c, int group);
uint8_t icc_running_priority(const struct gic_cpu *c);
uint8_t icc_gprio_mask(const struct gic_cpu *c, int group);
bool icc_can_signal(const struct gic_cpu *c, const struct gic_hppi *h);  /* CanSignalInterrupt */

/* Virtual CPU interface (gicv3_cpuif.c). */
int ich_hppvi_index(const struct gic *g, const struct gic_cpu *c);      /* HighestPriorityVirtualInterrupt */
bool icv_can_signal(const struct gic *g, const struct gic_cpu *c, uint64_t lr);  /* CanSignalVirtualInterrupt */
uint32_t ich_misr(const struct gic *g, const struct gic_cpu *c);
uint32_t ich_eisr(const struct gic *g, const struct gic_cpu *c);
uint32_t ich_elrsr(const struct gic *g, const struct gic_cpu *c);
uint8_t icv_gprio_mask(const struct gic_cpu *c, int group);
uint8_t icv_running_priority(const struct gic *g, const struct gic_cpu *c);
/* The virtual binary point of a group (VBPR0/VBPR1 of ICH_VMCR), at least its minimum. */
void icv_set_vbpr(struct gic *g, struct gic_cpu *c, int grp, unsigned bpr);
/* Deactivate list register idx (and its physical interrupt when HW = 1). */
void icv_deactivate(struct gic *g, struct gic_cpu *c, unsigned pe, int idx);
void icv_increment_eoicount(struct gic_cpu *c);

/* The interrupt-bank registers (gicv3_dist.c), offsets 0x080..0xDFF of GICD and of the
 * redistributor's SGI_base: INTIDs [lo, hi) exist in this frame, the rest is RAZ/WI. pe is
 * the redistributor's PE, or -1 for the distributor. */
bool gic_bank_reg(uint64_t off);
uint32_t gic_bank_read32(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off);
void gic_bank_write32(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off, uint32_t val);
uint8_t gic_bank_read8(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off);   /* IPRIORITYR */
void gic_bank_write8(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off, uint8_t val);
bool gic_bank_byte_reg(uint64_t off);     /* byte-accessible (IPRIORITYR) */

/* Generic frame access: splits 8-byte accesses into two 32-bit ones and serves byte
 * accesses to byte registers. A GICv2 frame serves narrow reads of other registers from
 * the containing word; a GICv3 frame (is_dword_reg set) takes 64-bit accesses at its 64-bit
 * registers only and narrow ones at its byte registers only (gicv3.c v3_size_supported). */
struct gic_frame_ops {
    uint32_t (*read32)(struct gic *g, unsigned pe, uint64_t off);
    void (*write32)(struct gic *g, unsigned pe, uint64_t off, uint32_t val);
    bool (*is_dword_reg)(uint64_t off);   /* GICv3: the 64-bit registers (IROUTER, GICR_TYPER...) */
    bool (*is_byte_reg)(uint64_t off);
    uint8_t (*read8)(struct gic *g, unsigned pe, uint64_t off);
    void (*write8)(struct gic *g, unsigned pe, uint64_t off, uint8_t val);
};
bool gic_frame_size_ok(const struct gic_frame_ops *ops, uint64_t off, unsigned size);
uint64_t gic_frame_read(struct gic *g, const struct gic_frame_ops *ops, unsigned pe, uint64_t off,
                        unsigned size);
void gic_frame_write(struct gic *g, const struct gic_frame_ops *ops, unsigned pe, uint64_t off,
                     uint64_t val, unsigned size);

/* The CoreSight-style ID registers at 0xFFD0..0xFFFC (PIDR4..7, PIDR0..3, CIDR0..3). */
uint32_t gic_id_reg(uint64_t off, uint8_t pidr0);

/* ---- GICv2 (gicv2_dist.c, gicv2_cpuif.c) ---------------------------------------------------- */
/* GICC_CTLR, no Security Extensions (the layout of the Secure copy). The bypass disables
 * (bits 5..8) are RAZ/WI: bypass is not modelled. */
#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_CTLR_ACKCTL (1u << 2)
#define GICC_CTLR_FIQEN (1u << 3)
#define GICC_CTLR_CBPR (1u << 4)
#define GICC_CTLR_EOIMODE (1u << 9)       /* EOImodeS; the one EOImode without Security Extensions */
#define GICC_CTLR_WRITABLE (GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL | \
                            GICC_CTLR_FIQEN | GICC_CTLR_CBPR | GICC_CTLR_EOIMODE)
/* GICH_VMCR / GICV_CTLR: VMAckCtl is bit 2 of ICH_VMCR_EL2's layout (RES0 there). */
#define ICH_VMCR_VACKCTL (1ull << 2)

#define GIC_SPECIAL_GRP1 1022             /* GICv2 IAR/HPPIR: a Group 1 interrupt, AckCtl = 0 */
#define GICV2_CPUID_SHIFT 10              /* IAR/HPPIR/EOIR/DIR: the source CPU of an SGI */
#define GICV2_IIDR_DIST 0x0000043bu       /* GICD_IIDR: Arm (JEP106 0x43B), as QEMU */
#define GICV2_IIDR_CPU 0x0002043bu        /* GICC_IIDR / GICV_IIDR: architecture version 2 */

/* Reset the GICv2 specific state of one PE (after reset_cpu) and of the distributor. */
void gicv2_reset(struct gic *g);
/* Make SGI intid pending on PE dst from the source CPUs in the bitmap sources (GICD_SGIR,
 * GICD_SPENDSGIR). */
void gicv2_sgi_set_pending(struct gic *g, unsigned dst, unsigned intid, uint8_t sources);
uint64_t gicv2_dist_read(struct gic *g, unsigned pe, uint64_t off, unsigned size);
void gicv2_dist_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size);

#endif
