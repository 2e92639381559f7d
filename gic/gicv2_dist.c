/* GICv2 distributor (GICD_*, IHI 0048B section 4.3), without the Security
 * Extensions: one view, GICD_CTLR.EnableGrp0/EnableGrp1, IGROUPR read/write.
 *
 * The registers of INTIDs 0..31 are banked by the accessing PE: word 0 of
 * IGROUPR/I[SC]ENABLER/I[SC]PENDR/I[SC]ACTIVER, IPRIORITYR0..7, ICFGR0..1 (the
 * PE's own bank, as a GICv3 redistributor's SGI_base holds it, so the shared
 * interrupt-bank accessors of gicv3_dist.c serve them), ITARGETSR0..7 (read-only:
 * the reading PE's bit) and GICD_[CS]PENDSGIR. The SPIs use the distributor's
 * bank and are routed by GICD_ITARGETSR.
 *
 * SGIs: always enabled (ISENABLER0[15:0] RAO/WI, as QEMU), always edge-triggered,
 * pending per source CPU (GICD_SGIR, GICD_SPENDSGIR; the pending bits of ISPENDR0
 * and ICPENDR0 are read-only for SGIs); their pending state is the OR of the
 * sources. A uniprocessor GIC has GICD_ITARGETSR RAZ/WI, every SPI targeting PE 0. */
#include "gic/gicv3_internal.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICD_IDREGS 0xfd0

#define GICD_SGIR_FILTER_SHIFT 24
#define GICD_SGIR_TARGETS_SHIFT 16

static uint8_t cpu_mask(const struct gic *g)
{
    return (uint8_t)((1u << g->cfg.num_pes) - 1);
}

/* Does the interrupt-bank register at off hold INTIDs 0..31 (banked per PE)? */
static bool banked(uint64_t off)
{
    if (off >= 0x080 && off < GICD_IPRIORITYR)
        return (off & 0x7f) < 4;          /* word 0 of each bitmap register */
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR)
        return off - GICD_IPRIORITYR < GIC_NUM_PRIVATE;
    if (off >= GICD_ICFGR && off < 0xd00)
        return off - GICD_ICFGR < 8;      /* ICFGR0 (SGIs) and ICFGR1 (PPIs) */
    return false;
}

static bool bank_reg(uint64_t off)
{
    return (off >= 0x080 && off < GICD_ITARGETSR) || (off >= GICD_ICFGR && off < 0xd00);
}

/* ---- SGIs ------------------------------------------------------------------------------------ */

void gicv2_sgi_set_pending(struct gic *g, unsigned dst, unsigned intid, uint8_t sources)
{
    if (!sources)
        return;
    g->cpu[dst].sgi_sources[intid] |= sources;
    gic_set_pending(g, (int)dst, intid);
}

/* GICD_SGIR: SGIINTID [3:0], CPUTargetList [23:16], TargetListFilter [25:24] (0: the list,
 * 1: every PE but the sender, 2: the sender only, 3: reserved, ignored). NSATT is ignored:
 * without the Security Extensions an SGI of either group is sent. */
static void sgir_write(struct gic *g, unsigned pe, uint32_t val)
{
    unsigned intid = val & 0xf;
    uint8_t targets;
    switch ((val >> GICD_SGIR_FILTER_SHIFT) & 3) {
    case 0:
        targets = (uint8_t)(val >> GICD_SGIR_TARGETS_SHIFT);
        break;
    case 1:
        targets = (uint8_t)~(1u << pe);
        break;
    case 2:
        targets = (uint8_t)(1u << pe);
        break;
    default:
        return;
    }
    targets &= cpu_mask(g);
    for (unsigned t = 0; t < g->cfg.num_pes; t++)
        if ((targets >> t) & 1)
            gicv2_sgi_set_pending(g, t, intid, (uint8_t)(1u << pe));
}

/* ---- byte registers: IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR ----------------------------- */

static bool is_byte_reg(uint64_t off)
{
    return (off >= GICD_IPRIORITYR && off < GICD_ICFGR) || (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16);
}

static uint8_t dist_read8(struct gic *g, unsigned pe, uint64_t off)
{
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        if (banked(off))
            return gic_bank_read8(g, (int)pe, 0, GIC_NUM_PRIVATE, off);
        return gic_bank_read8(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off);
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        unsigned n = (unsigned)(off - GICD_ITARGETSR);
        if (g->cfg.num_pes == 1 || n >= GIC_NUM_IRQS)
            return 0;
        return n < GIC_NUM_PRIVATE ? (uint8_t)(1u << pe) : g->gicd_itargets[n];
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16)
        return g->cpu[pe].sgi_sources[(off - GICD_CPENDSGIR) % 16];
    return 0;
}

static void dist_write8(struct gic *g, unsigned pe, uint64_t off, uint8_t val)
{
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        /* the CPU interface's priority bits (GICC_PMR's); the others RAZ/WI */
        val &= icc_pri_mask(&g->cpu[pe]);
        if (banked(off))
            gic_bank_write8(g, (int)pe, 0, GIC_NUM_PRIVATE, off, val);
        else
            gic_bank_write8(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off, val);
        return;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        unsigned n = (unsigned)(off - GICD_ITARGETSR);
        /* SGI/PPI targets are read-only; uniprocessor: RAZ/WI. A pending SPI follows
         * its new targets (the pending state is the distributor's). */
        if (g->cfg.num_pes > 1 && n >= GIC_NUM_PRIVATE && n < GIC_NUM_IRQS)
            g->gicd_itargets[n] = val & cpu_mask(g);
        return;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR) {
        unsigned intid = (unsigned)(off - GICD_CPENDSGIR);
        struct gic_cpu *c = &g->cpu[pe];
        c->sgi_sources[intid] &= (uint8_t)~val;
        if (!c->sgi_sources[intid])
            irq_set_bit(c->bank.pending, intid, false);
        return;
    }
    if (off >= GICD_SPENDSGIR && off < GICD_SPENDSGIR + 16)
        gicv2_sgi_set_pending(g, pe, (unsigned)(off - GICD_SPENDSGIR), val & cpu_mask(g));
}

/* ---- word registers -------------------------------------------------------------------------- */

static uint32_t gicd_typer(const struct gic *g)
{
    /* ITLinesNumber: 32(N+1) INTIDs; CPUNumber; SecurityExtn = 0, LSPI = 0. */
    return ((g->cfg.num_pes - 1) << 5) | (GIC_NUM_IRQS / 32 - 1);
}

/* PIDR4..7, PIDR0..3, CIDR0..3: the values QEMU's GICv2 reports (ArchRev 2 in PIDR2). */
static uint32_t id_reg(uint64_t off)
{
    static const uint8_t ids[12] = { 0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00,
                                     0x0d, 0xf0, 0x05, 0xb1 };
    return ids[(off - GICD_IDREGS) / 4];
}

static uint32_t dist_read32(struct gic *g, unsigned pe, uint64_t off)
{
    if (is_byte_reg(off)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            v |= (uint32_t)dist_read8(g, pe, off + i) << (8 * i);
        return v;
    }
    if (bank_reg(off)) {
        if (banked(off))
            return gic_bank_read32(g, (int)pe, 0, GIC_NUM_PRIVATE, off);
        return gic_bank_read32(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off);
    }
    if (off >= GICD_IDREGS)
        return id_reg(off);
    switch (off) {
    case GICD_CTLR:
        return g->gicd_ctlr;
    case GICD_TYPER:
        return gicd_typer(g);
    case GICD_IIDR:
        return GICV2_IIDR_DIST;
    default:
        return 0;                         /* reserved, GICD_SGIR (write-only), PPISR...: RAZ */
    }
}

static void dist_write32(struct gic *g, unsigned pe, uint64_t off, uint32_t val)
{
    if (is_byte_reg(off)) {
        for (unsigned i = 0; i < 4; i++)
            dist_write8(g, pe, off + i, (uint8_t)(val >> (8 * i)));
        return;
    }
    if (bank_reg(off)) {
        if (!banked(off)) {
            gic_bank_write32(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off, val);
            return;
        }
        /* SGIs: the enables are fixed, pending is set and cleared per source only. */
        if (off == GICD_ICENABLER || off == GICD_ISPENDR || off == GICD_ICPENDR)
            val &= ~0xffffu;
        gic_bank_write32(g, (int)pe, 0, GIC_NUM_PRIVATE, off, val);
        return;
    }
    switch (off) {
    case GICD_CTLR:
        g->gicd_ctlr = val & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
        break;
    case GICD_SGIR:
        sgir_write(g, pe, val);
        break;
    default:
        break;                            /* read-only and reserved: WI */
    }
}

static const struct gic_frame_ops dist_ops = {
    .read32 = dist_read32, .write32 = dist_write32,
    .is_byte_reg = is_byte_reg, .read8 = dist_read8, .write8 = dist_write8,
};

uint64_t gicv2_dist_read(struct gic *g, unsigned pe, uint64_t off, unsigned size)
{
    if (off >= 0x1000)
        return 0;                         /* the 4 KiB GICv2 distributor; the rest RAZ */
    return gic_frame_read(g, &dist_ops, pe, off, size);
}

void gicv2_dist_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size)
{
    if (off >= 0x1000)
        return;
    gic_frame_write(g, &dist_ops, pe, off, val, size);
}

/* ---- reset ----------------------------------------------------------------------------------- */

void gicv2_reset(struct gic *g)
{
    for (unsigned pe = 0; pe < g->cfg.num_pes; pe++) {
        struct gic_cpu *c = &g->cpu[pe];
        c->bank.enabled[0] |= 0xffffu;    /* SGIs are always enabled */
        c->gicr_waker = 0;
        /* GICH_VMCR: VMFIQEn = 0 (Group 0 virtual interrupts on vIRQ), VMBP = 2, VMABP = 3
         * (reset_cpu set the binary points). */
        c->ich_vmcr_el2 &= ~ICH_VMCR_VFIQEN;
    }
    if (g->cfg.num_pes == 1)
        for (unsigned n = GIC_NUM_PRIVATE; n < GIC_NUM_IRQS; n++)
            g->gicd_itargets[n] = 1;
}
