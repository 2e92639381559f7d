/* GICv3 redistributors: 128 KiB per PE, RD_base (control, identification,
 * power) then SGI_base (the SGI and PPI bank, laid out as the distributor's). */
#include "gic/gicv3_internal.h"

#define GICR_FRAME_SHIFT 17               /* 128 KiB per PE */
#define GICR_SGI_BASE 0x10000

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SETLPIR 0x0040
#define GICR_CLRLPIR 0x0048
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_INVLPIR 0x00a0
#define GICR_INVALLR 0x00b0
#define GICR_IDREGS 0xffd0

#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_COMMON_LPI_AFF1 (1ull << 24)
#define GICR_TYPER_PROCESSOR_NUMBER_SHIFT 8
#define GICR_TYPER_AFFINITY_SHIFT 32

static uint64_t gicr_typer(const struct gic *g, unsigned pe)
{
    uint64_t aff = gic_pe_affinity(pe);   /* Aff3.Aff2.Aff1.Aff0 */
    /* With LPIs: PLPIS = 1 and CommonLPIAff = 1 (the redistributors of one Aff3 share an LPI
     * Configuration table), as QEMU 7.2. VLPIS = DirectLPI = 0 (no GICR_SETLPIR, INVLPIR...). */
    uint64_t lpis = g->lpi ? GICR_TYPER_PLPIS | GICR_TYPER_COMMON_LPI_AFF1 : 0;
    return (aff << GICR_TYPER_AFFINITY_SHIFT) | ((uint64_t)pe << GICR_TYPER_PROCESSOR_NUMBER_SHIFT) |
           (pe == g->cfg.num_pes - 1 ? GICR_TYPER_LAST : 0) | lpis;
}

static uint32_t redist_read32(struct gic *g, unsigned pe, uint64_t off)
{
    struct gic_cpu *c = &g->cpu[pe];
    if (off >= GICR_SGI_BASE) {
        uint64_t o = off - GICR_SGI_BASE;
        if (gic_bank_reg(o))
            return gic_bank_read32(g, (int)pe, 0, GIC_NUM_PRIVATE, o);
        return 0;
    }
    if (off >= GICR_IDREGS)
        return gic_id_reg(off, 0x93);
    switch (off) {
    case GICR_IIDR:
        return GIC_IIDR_VALUE;
    case GICR_TYPER:
        return (uint32_t)gicr_typer(g, pe);
    case GICR_TYPER + 4:
        return (uint32_t)(gicr_typer(g, pe) >> 32);
    case GICR_WAKER:
        return c->gicr_waker;
    case GICR_CTLR:
    case GICR_PROPBASER:
    case GICR_PROPBASER + 4:
    case GICR_PENDBASER:
    case GICR_PENDBASER + 4:
        return gic_lpi_reg_read(g, pe, off);   /* RAZ without LPIs */
    default:
        return 0;
    }
}

static void redist_write32(struct gic *g, unsigned pe, uint64_t off, uint32_t val)
{
    struct gic_cpu *c = &g->cpu[pe];
    if (off >= GICR_SGI_BASE) {
        uint64_t o = off - GICR_SGI_BASE;
        if (gic_bank_reg(o))
            gic_bank_write32(g, (int)pe, 0, GIC_NUM_PRIVATE, o, val);
        return;
    }
    if (off == GICR_CTLR || (off >= GICR_PROPBASER && off < GICR_PENDBASER + 8)) {
        gic_lpi_reg_write(g, pe, off, val);
        return;
    }
    if (off == GICR_WAKER) {
        /* ProcessorSleep is written; ChildrenAsleep follows it at once (there is no
         * power-down sequence to wait for). Like QEMU, a sleeping redistributor still
         * forwards interrupts. */
        c->gicr_waker = (val & GICR_WAKER_PROCESSOR_SLEEP) ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP
                                                           : 0;
    }
}

static bool redist_byte_reg(uint64_t off)
{
    return off >= GICR_SGI_BASE && gic_bank_byte_reg(off - GICR_SGI_BASE);
}

static uint8_t redist_read8(struct gic *g, unsigned pe, uint64_t off)
{
    return gic_bank_read8(g, (int)pe, 0, GIC_NUM_PRIVATE, off - GICR_SGI_BASE);
}

static void redist_write8(struct gic *g, unsigned pe, uint64_t off, uint8_t val)
{
    gic_bank_write8(g, (int)pe, 0, GIC_NUM_PRIVATE, off - GICR_SGI_BASE, val);
}

/* RD_base's 64-bit registers, accessible as 64 or 32 bits: GICR_TYPER and the LPI ones
 * (PROPBASER, PENDBASER; SETLPIR, CLRLPIR, INVLPIR and INVALLR, RAZ/WI without DirectLPI). */
static bool redist_dword_reg(uint64_t off)
{
    switch (off) {
    case GICR_TYPER:
    case GICR_SETLPIR:
    case GICR_CLRLPIR:
    case GICR_PROPBASER:
    case GICR_PENDBASER:
    case GICR_INVLPIR:
    case GICR_INVALLR:
        return true;
    default:
        return false;
    }
}

static const struct gic_frame_ops redist_ops = {
    .read32 = redist_read32, .write32 = redist_write32, .is_dword_reg = redist_dword_reg,
    .is_byte_reg = redist_byte_reg, .read8 = redist_read8, .write8 = redist_write8,
};

bool gic_redist_size_ok(const struct gic *g, uint64_t off, unsigned size)
{
    return gic_frame_size_ok(&redist_ops, off & ((1u << GICR_FRAME_SHIFT) - 1), size);
}

uint64_t gic_redist_read(struct gic *g, uint64_t off, unsigned size)
{
    uint64_t pe = off >> GICR_FRAME_SHIFT;
    if (pe >= g->cfg.num_pes || g->cfg.version != GIC_V3)
        return 0;
    return gic_frame_read(g, &redist_ops, (unsigned)pe, off & ((1u << GICR_FRAME_SHIFT) - 1), size);
}

void gic_redist_write(struct gic *g, uint64_t off, uint64_t val, unsigned size)
{
    uint64_t pe = off >> GICR_FRAME_SHIFT;
    if (pe >= g->cfg.num_pes || g->cfg.version != GIC_V3)
        return;
    gic_frame_write(g, &redist_ops, (unsigned)pe, off & ((1u << GICR_FRAME_SHIFT) - 1), val, size);
}
