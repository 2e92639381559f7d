/* GICv3 distributor (GICD_*, 64 KiB frame) and the interrupt-bank registers it
 * shares, offset for offset, with the redistributors' SGI_base frame
 * (IGROUPR, I[SC]ENABLER, I[SC]PENDR, I[SC]ACTIVER, IPRIORITYR, ICFGR, IGRPMODR). */
#include "gic/gicv3_internal.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_IDREGS 0xffd0

/* ---- the interrupt-bank registers -------------------------------------------------------- */

/* The bitmap registers: 32 words each, word w = INTIDs 32w..32w+31. */
enum bank_op { BANK_RW, BANK_SET, BANK_CLEAR };
static const struct bank_reg {
    const char *name;
    uint16_t base;
    enum bank_op op;
    size_t field;                         /* offsetof the bitmap in struct gic_bank */
} bank_regs[] = {
    { "IGROUPR", 0x080, BANK_RW, offsetof(struct gic_bank, group) },
    { "ISENABLER", 0x100, BANK_SET, offsetof(struct gic_bank, enabled) },
    { "ICENABLER", 0x180, BANK_CLEAR, offsetof(struct gic_bank, enabled) },
    { "ISPENDR", 0x200, BANK_SET, offsetof(struct gic_bank, pending) },
    { "ICPENDR", 0x280, BANK_CLEAR, offsetof(struct gic_bank, pending) },
    { "ISACTIVER", 0x300, BANK_SET, offsetof(struct gic_bank, active) },
    { "ICACTIVER", 0x380, BANK_CLEAR, offsetof(struct gic_bank, active) },
};
#define BANK_PRIORITY_END 0x0800
#define BANK_ICFGR_END 0x0d00
#define BANK_IGRPMODR_END 0x0d80

bool gic_bank_reg(uint64_t off)
{
    return off >= 0x080 && off < BANK_IGRPMODR_END;
}

bool gic_bank_byte_reg(uint64_t off)
{
    return off >= GICD_IPRIORITYR && off < BANK_PRIORITY_END;
}

static struct gic_bank *frame_bank(struct gic *g, int pe)
{
    return pe < 0 ? &g->dist : &g->cpu[pe].bank;
}

/* The bits of word w whose INTIDs exist in the frame. */
static uint32_t word_mask(unsigned lo, unsigned hi, unsigned w)
{
    return (w * 32 >= lo && w * 32 < hi) ? 0xffffffffu : 0;
}

uint8_t gic_bank_read8(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off)
{
    unsigned n = (unsigned)(off - GICD_IPRIORITYR);
    if (n < lo || n >= hi)
        return 0;
    return frame_bank(g, pe)->priority[n];
}

void gic_bank_write8(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off, uint8_t val)
{
    unsigned n = (unsigned)(off - GICD_IPRIORITYR);
    if (n < lo || n >= hi)
        return;
    /* The distributor and redistributors keep all 8 priority bits (as QEMU does;
     * the number is IMPLEMENTATION DEFINED); the CPU interface compares with its
     * own 5 (GIC_PRI_MASK). */
    frame_bank(g, pe)->priority[n] = (uint8_t)val;
}

uint32_t gic_bank_read32(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off)
{
    struct gic_bank *b = frame_bank(g, pe);
    if (off >= GICD_IPRIORITYR && off < BANK_PRIORITY_END) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            v |= (uint32_t)gic_bank_read8(g, pe, lo, hi, off + i) << (8 * i);
        return v;
    }
    if (off >= GICD_ICFGR && off < BANK_ICFGR_END) {
        /* ICFGR<w>: Int_config[1] of INTID 16w + i at bit 2i + 1 (1 = edge). */
        unsigned first = (unsigned)(off - GICD_ICFGR) / 4 * 16;
        uint32_t v = 0;
        for (unsigned i = 0; i < 16; i++) {
            unsigned n = first + i;
            if (n >= lo && n < hi && irq_bit(b->edge, n))
                v |= 2u << (2 * i);
        }
        return v;
    }
    if (off >= 0xd00)
        return 0;                         /* IGRPMODR: RAZ/WI with DS = 1 */
    for (size_t r = 0; r < sizeof bank_regs / sizeof bank_regs[0]; r++) {
        const struct bank_reg *br = &bank_regs[r];
        if (off < br->base || off >= br->base + 0x80u)
            continue;
        unsigned w = (unsigned)(off - br->base) / 4;
        if (w >= GIC_WORDS)
            return 0;
        const uint32_t *bm = (const uint32_t *)((const char *)b + br->field);
        /* ISPENDR/ICPENDR read the pending state, the latch or a high level-sensitive line. */
        uint32_t v = br->field == offsetof(struct gic_bank, pending) ? bank_pending_word(b, w) : bm[w];
        return v & word_mask(lo, hi, w);
    }
    return 0;
}

void gic_bank_write32(struct gic *g, int pe, unsigned lo, unsigned hi, uint64_t off, uint32_t val)
{
    struct gic_bank *b = frame_bank(g, pe);
    if (off >= GICD_IPRIORITYR && off < BANK_PRIORITY_END) {
        for (unsigned i = 0; i < 4; i++)
            gic_bank_write8(g, pe, lo, hi, off + i, (uint8_t)(val >> (8 * i)));
        return;
    }
    if (off >= GICD_ICFGR && off < BANK_ICFGR_END) {
        unsigned first = (unsigned)(off - GICD_ICFGR) / 4 * 16;
        for (unsigned i = 0; i < 16; i++) {
            unsigned n = first + i;
            /* SGIs are edge-triggered and their Int_config is read-only. */
            if (n >= lo && n < hi && n >= GIC_NUM_SGIS)
                irq_set_bit(b->edge, n, (val >> (2 * i + 1)) & 1);
        }
        return;
    }
    if (off >= 0xd00)
        return;
    for (size_t r = 0; r < sizeof bank_regs / sizeof bank_regs[0]; r++) {
        const struct bank_reg *br = &bank_regs[r];
        if (off < br->base || off >= br->base + 0x80u)
            continue;
        unsigned w = (unsigned)(off - br->base) / 4;
        if (w >= GIC_WORDS)
            return;
        uint32_t *bm = (uint32_t *)((char *)b + br->field);
        val &= word_mask(lo, hi, w);
        switch (br->op) {
        case BANK_RW:
            bm[w] = val | (bm[w] & ~word_mask(lo, hi, w));
            break;
        case BANK_SET:
            if (bm == b->pending) {
                /* ISPENDR: through gic_set_pending, which counts what became pending. */
                for (uint32_t m = val; m; m &= m - 1)
                    gic_set_pending(g, pe, w * 32 + (unsigned)__builtin_ctz(m));
            } else {
                bm[w] |= val;
            }
            break;
        case BANK_CLEAR:
            bm[w] &= ~val;
            break;
        }
        return;
    }
}

/* ---- the distributor ------------------------------------------------------------------------- */

static uint32_t gicd_typer(const struct gic *g)
{
    unsigned cpus = g->cfg.num_pes - 1;
    bool lpis = g->lpi != NULL;
    return (1u << 24)                     /* A3V: Aff3 is honoured (IROUTER, SGIs) */
           | (lpis ? (GIC_LPI_IDBITS - 1) << 19 | 1u << 17   /* IDbits 15 (16 bits), LPIS, as QEMU 7.2 */
                   : 9u << 19)            /* no LPIs: IDbits 9 (10 bits of INTID) */
           | ((cpus > 7 ? 7 : cpus) << 5) /* CPUNumber */
           | (GIC_NUM_IRQS / 32 - 1);     /* ITLinesNumber: 32(N+1) INTIDs */
    /* No1N = 0 (1 of N supported), MBIS = 0 (no GICD_SETSPI_NSR: SPIs are not
     * message-based), SecurityExtn = 0 (one Security state). */
}

static uint32_t dist_read32(struct gic *g, unsigned unused, uint64_t off)
{
    if (gic_bank_reg(off))
        return gic_bank_read32(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off);
    if (off >= GICD_IROUTER && off < GICD_IROUTER + 8 * GIC_NUM_IRQS) {
        unsigned n = (unsigned)(off - GICD_IROUTER) / 8;
        if (n < GIC_NUM_PRIVATE)
            return 0;
        return (uint32_t)(g->gicd_irouter[n] >> ((off & 4) ? 32 : 0));
    }
    if (off >= GICD_IDREGS)
        return gic_id_reg(off, 0x92);
    switch (off) {
    case GICD_CTLR:
        return g->gicd_ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
    case GICD_TYPER:
        return gicd_typer(g);
    case GICD_IIDR:
        return GIC_IIDR_VALUE;
    default:
        return 0;                         /* reserved, TYPER2, STATUSR, SGIR, ITARGETSR...: RAZ */
    }
}

static void dist_write32(struct gic *g, unsigned unused, uint64_t off, uint32_t val)
{
    if (gic_bank_reg(off)) {
        gic_bank_write32(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off, val);
        return;
    }
    if (off >= GICD_IROUTER && off < GICD_IROUTER + 8 * GIC_NUM_IRQS) {
        unsigned n = (unsigned)(off - GICD_IROUTER) / 8;
        if (n < GIC_NUM_PRIVATE)
            return;
        uint64_t r = g->gicd_irouter[n];
        if (off & 4)
            r = (r & 0xffffffffull) | (uint64_t)val << 32;
        else
            r = (r & ~0xffffffffull) | val;
        g->gicd_irouter[n] = r & GICD_IROUTER_MASK;
        return;
    }
    if (off == GICD_CTLR)
        g->gicd_ctlr = val & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
    /* everything else: WI */
}

static uint8_t dist_read8(struct gic *g, unsigned unused, uint64_t off)
{
    return gic_bank_read8(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off);
}

static void dist_write8(struct gic *g, unsigned unused, uint64_t off, uint8_t val)
{
    gic_bank_write8(g, -1, GIC_NUM_PRIVATE, GIC_NUM_IRQS, off, val);
}

/* GICD's 64-bit registers: GICD_IROUTER<n> (those of SGIs and PPIs are reserved). */
static bool dist_dword_reg(uint64_t off)
{
    return off >= GICD_IROUTER && off < GICD_IROUTER + 8 * GIC_NUM_IRQS;
}

static const struct gic_frame_ops dist_ops = {
    .read32 = dist_read32, .write32 = dist_write32, .is_dword_reg = dist_dword_reg,
    .is_byte_reg = gic_bank_byte_reg, .read8 = dist_read8, .write8 = dist_write8,
};

uint64_t gic_dist_read_pe(struct gic *g, unsigned pe, uint64_t off, unsigned size)
{
    if (off >= 0x10000 || pe >= g->cfg.num_pes)
        return 0;
    if (g->cfg.version == GIC_V2)
        return gicv2_dist_read(g, pe, off, size);
    return gic_frame_read(g, &dist_ops, 0, off, size);   /* a GICv3 GICD is not banked */
}

void gic_dist_write_pe(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size)
{
    if (off >= 0x10000 || pe >= g->cfg.num_pes)
        return;
    if (g->cfg.version == GIC_V2) {
        gicv2_dist_write(g, pe, off, val, size);
        return;
    }
    gic_frame_write(g, &dist_ops, 0, off, val, size);
}

bool gic_dist_size_ok(const struct gic *g, uint64_t off, unsigned size)
{
    return g->cfg.version == GIC_V2 || gic_frame_size_ok(&dist_ops, off, size);
}

uint64_t gic_dist_read(struct gic *g, uint64_t off, unsigned size)
{
    return gic_dist_read_pe(g, 0, off, size);
}

void gic_dist_write(struct gic *g, uint64_t off, uint64_t val, unsigned size)
{
    gic_dist_write_pe(g, 0, off, val, size);
}
