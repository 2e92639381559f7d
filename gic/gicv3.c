/* GICv3: the instance, the interrupt lines, pending/active bookkeeping, the
 * highest priority pending interrupt of each PE and the outputs towards the PEs
 * (physical IRQ/FIQ, virtual IRQ/FIQ, and the maintenance interrupt fed back
 * into PPI 25). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gic/gicv3_internal.h"
#include "sim/events.h"

/* ---- events and statistics ------------------------------------------------------------------ */

void gic_event(struct gic *g, int kind, unsigned pe, unsigned intid, int lr, bool is_virtual)
{
    if (!event_wanted(g->events, EV_GIC))
        return;
    const uint64_t *clock = pe < GIC_MAX_PES ? g->cfg.clock[pe] : NULL;
    struct event ev = { .type = EV_GIC, .pe = pe, .cycles = clock ? *clock : 0 };
    ev.u.gic.kind = kind;
    ev.u.gic.pe = pe;
    ev.u.gic.intid = intid;
    ev.u.gic.lr = (unsigned)lr;           /* UINT_MAX: no list register */
    ev.u.gic.is_virtual = is_virtual;
    event_publish(g->events, &ev);
}

const struct gic_stats *gic_get_stats(const struct gic *g)
{
    return &g->stats;
}

/* The PE an SPI event is reported against: its target (PE 0 for 1-of-N; GICv2: the lowest
 * targeted PE). */
static unsigned spi_event_pe(const struct gic *g, unsigned n)
{
    if (g->cfg.version == GIC_V2)
        return g->gicd_itargets[n] ? (unsigned)__builtin_ctz(g->gicd_itargets[n]) : 0;
    for (unsigned pe = 0; pe < g->cfg.num_pes; pe++)
        if (!(g->gicd_irouter[n] & GICD_IROUTER_IRM) && gic_spi_routed_to(g, n, pe))
            return pe;
    return 0;
}

static void note_raised(struct gic *g, int pe, unsigned n)
{
    g->stats.raised[n]++;
    gic_event(g, GIC_EV_RAISED, pe >= 0 ? (unsigned)pe : spi_event_pe(g, n), n, -1, false);
}

/* ---- creation ------------------------------------------------------------------------------- */

static void reset_cpu(struct gic *g, struct gic_cpu *c)
{
    memset(c, 0, sizeof(*c));
    /* IGROUPR resets to 0 (Group 0), as QEMU's virt board reads after an ELF
     * -kernel boot (the reset value is IMPLEMENTATION DEFINED). */
    c->bank.group[0] = 0;
    c->bank.edge[0] = 0x0000ffffu;        /* SGIs are always edge-triggered */
    c->gicr_waker = GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
    c->pri_bits = (uint8_t)g->cfg.pri_bits;
    c->icc_bpr[0] = (uint8_t)icc_min_bpr0(c);
    c->icc_bpr[1] = (uint8_t)icc_min_bpr0(c) + 1;
    unsigned vmin = 7 - g->cfg.vpri_bits;
    c->ich_vmcr_el2 = ICH_VMCR_VFIQEN | ((uint64_t)vmin << ICH_VMCR_VBPR0_SHIFT) |
                      ((uint64_t)(vmin + 1) << ICH_VMCR_VBPR1_SHIFT);
}

struct gic *gic_create(const struct gic_config *cfg, const struct gic_outputs *out, struct event_bus *events,
                       char *err, unsigned errlen)
{
    struct gic_config c = *cfg;
    if (c.num_lrs == 0)
        c.num_lrs = 4;
    if (c.vpri_bits == 0)
        c.vpri_bits = 5;
    if (c.pri_bits == 0)
        c.pri_bits = GIC_PRI_BITS;
    const char *why = NULL;
    if (c.version != GIC_V2 && c.version != GIC_V3)
        why = "unknown GIC version";
    else if (c.num_pes < 1 || c.num_pes > GIC_MAX_PES)
        why = "number of PEs out of range (1..8)";
    else if (c.num_lrs > 16)
        why = "number of list registers out of range (1..16)";
    else if (c.vpri_bits < 5 || c.vpri_bits > 7)
        why = "virtual priority bits out of range (5..7)";
    else if (c.version == GIC_V2 && c.vpri_bits != 5)
        why = "GICv2 list registers hold 5 bits of virtual priority";
    else if (c.version == GIC_V3 && c.pri_bits != GIC_PRI_BITS)
        why = "the GICv3 model has 5 bits of physical priority";
    else if (c.pri_bits < 5 || c.pri_bits > 8)
        why = "physical priority bits out of range (5..8)";
    if (why) {
        if (err && errlen)
            snprintf(err, errlen, "gic: %s", why);
        return NULL;
    }
    struct gic *g = calloc(1, sizeof(*g));
    if (!g) {
        if (err && errlen)
            snprintf(err, errlen, "gic: out of memory");
        return NULL;
    }
    g->cfg = c;
    if (out)
        g->out = *out;
    g->events = events;
    if (c.version == GIC_V3 && c.its) {
        g->lpi = calloc(c.num_pes, sizeof(*g->lpi));
        if (!g->lpi) {
            free(g);
            if (err && errlen)
                snprintf(err, errlen, "gic: out of memory");
            return NULL;
        }
        gic_lpi_reset(g);
        gic_its_reset(g);
    }
    for (unsigned pe = 0; pe < c.num_pes; pe++)
        reset_cpu(g, &g->cpu[pe]);
    if (c.version == GIC_V2)
        gicv2_reset(g);
    return g;
}

void gic_destroy(struct gic *g)
{
    if (g)
        free(g->lpi);
    free(g);
}

void gic_attach_memory(struct gic *g, const struct phys_mem *mem)
{
    g->mem = *mem;
}

/* ---- routing -------------------------------------------------------------------------------- */

uint64_t gic_pe_affinity(unsigned pe)
{
    return pe;                            /* Aff3.Aff2.Aff1 = 0, Aff0 = PE index */
}

bool gic_spi_routed_to(const struct gic *g, unsigned n, unsigned pe)
{
    if (g->cfg.version == GIC_V2)
        return (g->gicd_itargets[n] >> pe) & 1;   /* every targeted PE; the first IAR takes it */
    uint64_t r = g->gicd_irouter[n];
    if (r & GICD_IROUTER_IRM)
        return true;                      /* 1 of N: offered to every PE, the first IAR takes it */
    uint64_t aff = (r & 0xffffff) | ((r >> 32 & 0xff) << 24);
    return aff == gic_pe_affinity(pe);
}

/* ---- pending, active ------------------------------------------------------------------------ */

void gic_set_pending(struct gic *g, int pe, unsigned n)
{
    struct gic_bank *b = gic_bank_of(g, pe < 0 ? 0 : (unsigned)pe, n);
    bool was = irq_pending(b, n);
    irq_set_bit(b->pending, n, true);
    if (!was)
        note_raised(g, pe, n);
}

void gic_deactivate(struct gic *g, unsigned pe, unsigned n, bool is_virtual, int lr)
{
    if (n >= GIC_NUM_IRQS)
        return;
    irq_set_bit(gic_bank_of(g, pe, n)->active, n, false);
    gic_event(g, GIC_EV_DEACTIVATE, pe, n, lr, is_virtual);
}

/* A change of an input line: edge-triggered interrupts latch on a rising edge,
 * level-sensitive ones are pending while the line is high. */
static void set_line(struct gic *g, int pe, unsigned n, bool level)
{
    struct gic_bank *b = gic_bank_of(g, pe < 0 ? 0 : (unsigned)pe, n);
    bool was_level = irq_bit(b->level, n);
    if (was_level == level)
        return;
    bool was = irq_pending(b, n);
    irq_set_bit(b->level, n, level);
    if (level && irq_bit(b->edge, n))
        irq_set_bit(b->pending, n, true);
    if (!was && irq_pending(b, n))
        note_raised(g, pe, n);
}

void gic_set_spi(struct gic *g, unsigned intid, bool level)
{
    if (intid < GIC_NUM_PRIVATE || intid >= GIC_NUM_IRQS)
        return;
    set_line(g, -1, intid, level);
    gic_update(g);
}

void gic_set_ppi(struct gic *g, unsigned pe, unsigned intid, bool level)
{
    if (pe >= g->cfg.num_pes || intid < GIC_NUM_SGIS || intid >= GIC_NUM_PRIVATE)
        return;
    set_line(g, (int)pe, intid, level);
    gic_update(g);
}

/* ---- priorities ----------------------------------------------------------------------------- */

uint8_t gic_apr_running_priority(const uint32_t *ap0, const uint32_t *ap1, unsigned nwords,
                                 unsigned prebits)
{
    for (unsigned w = 0; w < nwords; w++) {
        uint32_t v = ap0[w] | ap1[w];
        if (v)
            return (uint8_t)((w * 32 + (unsigned)__builtin_ctz(v)) << (8 - prebits));
    }
    return GIC_IDLE_PRIORITY;
}

/* HighestPriorityPendingInterrupt for one PE: ties go to the lowest INTID. LPIs (Group 1)
 * are looked at only while some PE has one pending. */
struct gic_hppi gic_hppi(struct gic *g, unsigned pe)
{
    const struct gic_cpu *c = &g->cpu[pe];
    struct gic_hppi best = { GIC_SPECIAL_NONE, GIC_IDLE_PRIORITY, -1 };
    bool grp0 = (g->gicd_ctlr & GICD_CTLR_ENABLE_GRP0) && c->icc_igrpen[0];
    bool grp1 = (g->gicd_ctlr & GICD_CTLR_ENABLE_GRP1) && c->icc_igrpen[1];
    if (!grp0 && !grp1)
        return best;
    unsigned best_prio = 0x100;
    for (unsigned w = 0; w < GIC_WORDS; w++) {
        const struct gic_bank *b = w == 0 ? &c->bank : &g->dist;
        uint32_t groups = (grp1 ? b->group[w] : 0) | (grp0 ? ~b->group[w] : 0);
        uint32_t cand = b->enabled[w] & bank_pending_word(b, w) & ~b->active[w] & groups;
        while (cand) {
            unsigned n = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (w > 0 && !gic_spi_routed_to(g, n, pe))
                continue;
            if (b->priority[n] < best_prio) {
                best_prio = b->priority[n];
                best.intid = n;
                best.priority = b->priority[n];
                best.group = irq_bit(b->group, n);
            }
        }
    }
    if (g->lpis_pending && grp1) {
        struct gic_hppi l = gic_lpi_hppi(g, pe);
        if (l.intid != GIC_SPECIAL_NONE && l.priority < best_prio)
            best = l;
    }
    return best;
}

/* ---- outputs -------------------------------------------------------------------------------- */

static void update_pe(struct gic *g, unsigned pe)
{
    struct gic_cpu *c = &g->cpu[pe];

    /* The maintenance interrupt: asserted while ICH_HCR_EL2.En and ICH_MISR_EL2 != 0, a
     * level on this PE's PPI 25. */
    bool maint = (c->ich_hcr_el2 & ICH_HCR_EN) && ich_misr(g, c) != 0;
    if (maint != c->maint_level) {
        c->maint_level = maint;
        if (maint) {
            g->stats.maintenance++;
            gic_event(g, GIC_EV_MAINTENANCE, pe, GIC_MAINTENANCE_PPI, -1, false);
        }
        set_line(g, (int)pe, GIC_MAINTENANCE_PPI, maint);
    }

    /* Physical: the highest priority pending interrupt, if it can preempt, on IRQ (Group 1)
     * or FIQ (Group 0; on a GICv2 only with GICC_CTLR.FIQEn, else IRQ). */
    bool lvl[2] = { false, false };
    struct gic_hppi h = gic_hppi(g, pe);
    if (h.intid != GIC_SPECIAL_NONE && icc_can_signal(c, &h)) {
        bool fiq = h.group == 0 && (g->cfg.version != GIC_V2 || (c->gicc_ctlr & GICC_CTLR_FIQEN));
        lvl[fiq ? 0 : 1] = true;
    }
    for (int grp = 0; grp < 2; grp++)
        if (lvl[grp] != c->irq_out[grp]) {
            c->irq_out[grp] = lvl[grp];
            if (g->out.set_irq)
                g->out.set_irq(g->out.opaque, pe, grp == 0, lvl[grp]);
        }

    /* Virtual: the highest priority pending list register, if CanSignalVirtualInterrupt; Group 0
     * on virtual FIQ when VFIQEn (RES1 on a GICv3, GICH_VMCR.VMFIQEn on a GICv2). */
    bool vlvl[2] = { false, false };
    int idx = ich_hppvi_index(g, c);
    if (idx >= 0 && icv_can_signal(g, c, c->ich_lr_el2[idx])) {
        bool fiq = lr_group(c->ich_lr_el2[idx]) == 0 && (c->ich_vmcr_el2 & ICH_VMCR_VFIQEN);
        vlvl[fiq ? 0 : 1] = true;
    }
    for (int grp = 0; grp < 2; grp++)
        if (vlvl[grp] != c->virq_out[grp]) {
            c->virq_out[grp] = vlvl[grp];
            if (vlvl[grp])
                gic_event(g, GIC_EV_VIRQ_SIGNALLED, pe, lr_vintid(c->ich_lr_el2[idx]), idx, true);
            if (g->out.set_virq)
                g->out.set_virq(g->out.opaque, pe, grp == 0, vlvl[grp]);
        }
}

void gic_update(struct gic *g)
{
    /* Maintenance first on every PE (it feeds PPIs), then the outputs. update_pe handles a
     * PE's own PPI 25 before its own outputs, and PPIs are private, so one pass suffices. */
    for (unsigned pe = 0; pe < g->cfg.num_pes; pe++)
        update_pe(g, pe);
}

/* ---- MMIO frame helpers --------------------------------------------------------------------- */

/* Access sizes of a GICv3 frame (IHI 0069, "GIC memory-mapped register access"): every
 * register takes aligned 32-bit accesses (a 64-bit one as two halves), the byte-accessible
 * ones (IPRIORITYR) byte accesses, the 64-bit ones (GICD_IROUTER<n>, GICR_TYPER...) aligned
 * 64-bit accesses; the architecture requires no other size. avsim makes the others RAZ/WI,
 * as QEMU 7.2 does (a halfword access, a byte access to a word register, a 64-bit access
 * to two 32-bit ones; no External abort: guest.mmio_sizes). An unaligned access does not
 * get here (the PE takes an Alignment fault, pe_mmio_access). */
static bool v3_size_supported(const struct gic_frame_ops *ops, uint64_t off, unsigned size)
{
    switch (size) {
    case 8:
        return ops->is_dword_reg(off);
    case 4:
        return true;
    case 1:
        return ops->is_byte_reg && ops->is_byte_reg(off);
    default:
        return false;                     /* halfword: no GICv3 register takes it */
    }
}

bool gic_frame_size_ok(const struct gic_frame_ops *ops, uint64_t off, unsigned size)
{
    return !ops->is_dword_reg || v3_size_supported(ops, off, size);
}

uint64_t gic_frame_read(struct gic *g, const struct gic_frame_ops *ops, unsigned pe, uint64_t off,
                        unsigned size)
{
    if (!gic_frame_size_ok(ops, off, size))
        return 0;
    switch (size) {
    case 8:
        if (off & 7)
            return 0;
        return ops->read32(g, pe, off) | (uint64_t)ops->read32(g, pe, off + 4) << 32;
    case 4:
        if (off & 3)
            return 0;
        return ops->read32(g, pe, off);
    case 1:
    case 2:
        if (ops->is_byte_reg && ops->is_byte_reg(off)) {
            uint64_t v = 0;
            for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)ops->read8(g, pe, off + i) << (8 * i);
            return v;
        }
        return (ops->read32(g, pe, off & ~3ull) >> (8 * (off & 3))) & (size == 1 ? 0xff : 0xffff);
    default:
        return 0;
    }
}

void gic_frame_write(struct gic *g, const struct gic_frame_ops *ops, unsigned pe, uint64_t off,
                     uint64_t val, unsigned size)
{
    if (!gic_frame_size_ok(ops, off, size))
        return;
    switch (size) {
    case 8:
        if (off & 7)
            break;
        ops->write32(g, pe, off, (uint32_t)val);
        ops->write32(g, pe, off + 4, (uint32_t)(val >> 32));
        break;
    case 4:
        if (!(off & 3))
            ops->write32(g, pe, off, (uint32_t)val);
        break;
    case 1:
    case 2:
        if (ops->is_byte_reg && ops->is_byte_reg(off))
            for (unsigned i = 0; i < size; i++)
                ops->write8(g, pe, off + i, (uint8_t)(val >> (8 * i)));
        break;                            /* narrow writes elsewhere: ignored */
    default:
        break;
    }
    gic_update(g);
}

/* PIDR4..PIDR7, PIDR0..PIDR3, CIDR0..CIDR3: Arm as designer (JEP106 0x43B), ArchRev = 3 in
 * PIDR2[7:4], the CoreSight component class in the CIDRs. PIDR0 is the part number's low
 * byte, which differs between the distributor (0x92) and the redistributor (0x93). */
uint32_t gic_id_reg(uint64_t off, uint8_t pidr0)
{
    static const uint8_t ids[12] = { 0x44, 0x00, 0x00, 0x00, 0x00, 0xb4, 0x3b, 0x00,
                                     0x0d, 0xf0, 0x05, 0xb1 };
    if (off < 0xffd0 || off > 0xfffc)
        return 0;
    unsigned i = (unsigned)(off - 0xffd0) / 4;
    return i == 4 ? pidr0 : ids[i];
}
