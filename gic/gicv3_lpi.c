/* GICv3 physical LPIs in the redistributors: GICR_CTLR.EnableLPIs, GICR_PROPBASER and
 * GICR_PENDBASER, the LPI Configuration and Pending tables in guest memory (what is cached
 * of them: gicv3_internal.h, struct gic_lpis), and the highest priority pending LPI of a PE.
 * Names follow the GIC architecture specification (IHI 0069). */
#include <string.h>

#include "gic/gicv3_internal.h"
#include "sim/events.h"

#define GICR_CTLR 0x0000
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078

#define GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICR_CTLR_CES (1u << 1)           /* EnableLPIs can be cleared once set */

/* GICR_PROPBASER: IDbits [4:0], InnerCache [9:7], Shareability [11:10], Physical_Address
 * [51:12], OuterCache [58:56]; GICR_PENDBASER: the same attributes, Physical_Address [51:16],
 * PTZ [62]. Other bits are RES0. */
#define PROPBASER_MASK 0x07fffffffffff79full
#define PROPBASER_PA_MASK 0x000ffffffffff000ull
#define PENDBASER_MASK 0x47ffffffffff0f80ull
#define PENDBASER_PA_MASK 0x000fffffffff0000ull
#define PENDBASER_PTZ (1ull << 62)

static struct gic_lpis *lpis_of(struct gic *g, unsigned pe)
{
    return g->lpi ? &g->lpi[pe] : NULL;
}

/* ---- the pending state -------------------------------------------------------------------- */

bool gic_lpi_is_pending(const struct gic *g, unsigned pe, unsigned n)
{
    if (!g->lpi || pe >= g->cfg.num_pes || n < GIC_LPI_BASE)
        return false;
    const struct gic_lpis *l = &g->lpi[pe];
    unsigned i = n - GIC_LPI_BASE;
    return l->enabled && i < l->num && ((l->pending[i / 64] >> (i % 64)) & 1);
}

/* Write LPI i's pending bit through to the Pending table (a byte read-modify-write; the
 * first 1 KiB of the table, INTIDs 0..8191, is IMPLEMENTATION DEFINED and not used). A table
 * outside RAM keeps the cached state only. */
static void write_through(struct gic *g, struct gic_lpis *l, unsigned i)
{
    if (!g->mem.read)
        return;
    uint64_t pa = l->pend_pa + (GIC_LPI_BASE + i) / 8;
    uint8_t byte;
    if (phys_read(&g->mem, pa, &byte, 1) != 0)
        return;
    uint8_t bit = (uint8_t)(1u << ((GIC_LPI_BASE + i) % 8));
    byte = (l->pending[i / 64] >> (i % 64)) & 1 ? (uint8_t)(byte | bit) : (uint8_t)(byte & ~bit);
    phys_write(&g->mem, pa, &byte, 1);
}

void gic_lpi_set_pending(struct gic *g, unsigned pe, unsigned n, bool pending)
{
    struct gic_lpis *l = pe < g->cfg.num_pes ? lpis_of(g, pe) : NULL;
    if (!l || !l->enabled || n < GIC_LPI_BASE || n - GIC_LPI_BASE >= l->num)
        return;                           /* no LPIs on this redistributor: the LPI is lost */
    unsigned i = n - GIC_LPI_BASE;
    uint64_t bit = 1ull << (i % 64);
    bool was = (l->pending[i / 64] & bit) != 0;
    if (was == pending)
        return;
    if (pending) {
        l->pending[i / 64] |= bit;
        l->npending++;
        g->lpis_pending++;
        g->stats.lpi_raised++;
        gic_event(g, GIC_EV_RAISED, pe, n, -1, false);
    } else {
        l->pending[i / 64] &= ~bit;
        l->npending--;
        g->lpis_pending--;
    }
    l->best_valid = false;
    write_through(g, l, i);
}

void gic_lpi_move_all(struct gic *g, unsigned from, unsigned to)
{
    struct gic_lpis *src = lpis_of(g, from);
    if (!src || from == to || !src->npending)
        return;
    for (unsigned w = 0; w < src->num / 64 + 1 && w < GIC_MAX_LPIS / 64; w++)
        for (uint64_t m = src->pending[w]; m; m &= m - 1) {
            unsigned n = GIC_LPI_BASE + w * 64 + (unsigned)__builtin_ctzll(m);
            gic_lpi_set_pending(g, from, n, false);
            gic_lpi_set_pending(g, to, n, true);
        }
}

/* ---- the configuration cache ---------------------------------------------------------------- */

/* Read configuration bytes [first, first + count) from the LPI Configuration table. A table
 * outside RAM reads as zero: the LPIs are disabled. */
static void read_cfg(struct gic *g, struct gic_lpis *l, unsigned first, unsigned count)
{
    if (!g->mem.read || phys_read(&g->mem, l->prop_pa + first, &l->cfg[first], count) != 0)
        memset(&l->cfg[first], 0, count);
    l->best_valid = false;
}

void gic_lpi_inv(struct gic *g, unsigned pe, unsigned n)
{
    struct gic_lpis *l = pe < g->cfg.num_pes ? lpis_of(g, pe) : NULL;
    if (l && l->enabled && n >= GIC_LPI_BASE && n - GIC_LPI_BASE < l->num)
        read_cfg(g, l, n - GIC_LPI_BASE, 1);
}

void gic_lpi_invall(struct gic *g, unsigned pe)
{
    struct gic_lpis *l = pe < g->cfg.num_pes ? lpis_of(g, pe) : NULL;
    if (l && l->enabled)
        read_cfg(g, l, 0, l->num);
}

/* ---- selection ---------------------------------------------------------------------------- */

/* HighestPriorityPendingInterrupt's LPI part: the enabled pending LPI of highest priority
 * (ties to the lowest INTID), kept until the pending state or the configuration changes. */
struct gic_hppi gic_lpi_hppi(struct gic *g, unsigned pe)
{
    struct gic_hppi best = { GIC_SPECIAL_NONE, GIC_IDLE_PRIORITY, 1 };
    struct gic_lpis *l = lpis_of(g, pe);
    if (!l || !l->npending)
        return best;
    if (!l->best_valid) {
        unsigned prio = 0x100, intid = GIC_SPECIAL_NONE;
        for (unsigned w = 0; w * 64 < l->num; w++)
            for (uint64_t m = l->pending[w]; m; m &= m - 1) {
                unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
                uint8_t c = l->cfg[i];
                if ((c & GIC_LPI_CFG_ENABLE) && (c & GIC_LPI_CFG_PRIORITY) < prio) {
                    prio = c & GIC_LPI_CFG_PRIORITY;
                    intid = GIC_LPI_BASE + i;
                }
            }
        l->best_intid = intid;
        l->best_priority = (uint8_t)(prio & 0xff);
        l->best_valid = true;
    }
    best.intid = l->best_intid;
    best.priority = l->best_priority;
    return best;
}

/* ---- GICR_CTLR, GICR_PROPBASER, GICR_PENDBASER ----------------------------------------------- */

/* EnableLPIs 0 -> 1: the tables' addresses and size are taken from the registers, the
 * configuration is read, and the pending state loaded from the Pending table unless PTZ says
 * it is all zero. PROPBASER.IDbits below 13 (fewer than 14 bits) leaves no LPI in range. */
static void enable_lpis(struct gic *g, unsigned pe, struct gic_lpis *l)
{
    unsigned idbits = (unsigned)(l->propbaser & 0x1f) + 1;
    if (idbits > GIC_LPI_IDBITS)
        idbits = GIC_LPI_IDBITS;
    l->num = idbits < 14 ? 0 : (1u << idbits) - GIC_LPI_BASE;
    l->prop_pa = l->propbaser & PROPBASER_PA_MASK;
    l->pend_pa = l->pendbaser & PENDBASER_PA_MASK;
    l->enabled = true;
    read_cfg(g, l, 0, l->num);
    g->lpis_pending -= l->npending;
    l->npending = 0;
    memset(l->pending, 0, sizeof l->pending);
    if (!(l->pendbaser & PENDBASER_PTZ) && g->mem.read && l->num) {
        if (phys_read(&g->mem, l->pend_pa + GIC_LPI_BASE / 8, l->pending, l->num / 8) != 0)
            memset(l->pending, 0, sizeof l->pending);
        for (unsigned w = 0; w < l->num / 64; w++)
            for (uint64_t m = l->pending[w]; m; m &= m - 1) {
                unsigned n = GIC_LPI_BASE + w * 64 + (unsigned)__builtin_ctzll(m);
                l->npending++;
                g->stats.lpi_raised++;
                gic_event(g, GIC_EV_RAISED, pe, n, -1, false);
            }
        g->lpis_pending += l->npending;
    }
    l->best_valid = false;
}

/* EnableLPIs 1 -> 0 (GICR_CTLR.CES = 1, as QEMU): the pending state is in memory already
 * (written through); the redistributor forgets it and delivers no LPI. */
static void disable_lpis(struct gic *g, struct gic_lpis *l)
{
    l->enabled = false;
    g->lpis_pending -= l->npending;
    l->npending = 0;
    memset(l->pending, 0, sizeof l->pending);
    l->best_valid = false;
}

uint32_t gic_lpi_reg_read(struct gic *g, unsigned pe, uint64_t off)
{
    struct gic_lpis *l = lpis_of(g, pe);
    if (!l)
        return 0;                         /* no LPIs: GICR_CTLR (RWP = 0), PROPBASER...: RAZ */
    switch (off) {
    case GICR_CTLR:
        return GICR_CTLR_CES | (l->enabled ? GICR_CTLR_ENABLE_LPIS : 0);   /* RWP = 0: no wait */
    case GICR_PROPBASER:
        return (uint32_t)l->propbaser;
    case GICR_PROPBASER + 4:
        return (uint32_t)(l->propbaser >> 32);
    case GICR_PENDBASER:
        return (uint32_t)l->pendbaser;
    case GICR_PENDBASER + 4:
        return (uint32_t)(l->pendbaser >> 32);
    default:
        return 0;
    }
}

static uint64_t set_half(uint64_t r, uint64_t off, uint32_t val)
{
    return (off & 4) ? (r & 0xffffffffull) | (uint64_t)val << 32 : (r & ~0xffffffffull) | val;
}

void gic_lpi_reg_write(struct gic *g, unsigned pe, uint64_t off, uint32_t val)
{
    struct gic_lpis *l = lpis_of(g, pe);
    if (!l)
        return;
    switch (off) {
    case GICR_CTLR:
        if ((val & GICR_CTLR_ENABLE_LPIS) && !l->enabled)
            enable_lpis(g, pe, l);
        else if (!(val & GICR_CTLR_ENABLE_LPIS) && l->enabled)
            disable_lpis(g, l);
        break;
    /* With EnableLPIs = 1 a write to either base register is UNPREDICTABLE: avsim ignores it
     * (the tables in use stay those read at enable). */
    case GICR_PROPBASER:
    case GICR_PROPBASER + 4:
        if (!l->enabled)
            l->propbaser = set_half(l->propbaser, off, val) & PROPBASER_MASK;
        break;
    case GICR_PENDBASER:
    case GICR_PENDBASER + 4:
        if (!l->enabled)
            l->pendbaser = set_half(l->pendbaser, off, val) & PENDBASER_MASK;
        break;
    default:
        break;
    }
}

void gic_lpi_reset(struct gic *g)
{
    if (!g->lpi)
        return;
    memset(g->lpi, 0, sizeof(*g->lpi) * g->cfg.num_pes);
    for (unsigned pe = 0; pe < g->cfg.num_pes; pe++)
        g->lpi[pe].best_intid = GIC_SPECIAL_NONE;
    g->lpis_pending = 0;
}
