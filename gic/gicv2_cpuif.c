/* GICv2 memory-mapped CPU interfaces (IHI 0048B chapters 4.4 and 5):
 *  - GICC, the physical CPU interface of each PE (no Security Extensions: the
 *    Secure copy's layout; Group 0 on IRQ unless GICC_CTLR.FIQEn, Group 1 on IRQ;
 *    GICC_IAR acknowledges Group 1 only with AckCtl, GICC_AIAR/AEOIR/AHPPIR/ABPR
 *    are the Group 1 aliases; cfg.pri_bits of priority, 5 by default, 8 as QEMU's GICv2,
 *    with GICC_APR0..3/NSAPR0..3 holding the Group 0/Group 1 active priorities);
 *  - GICH, the virtual interface control (each PE's own view): GICH_HCR, VTR,
 *    VMCR, MISR, EISR, ELRSR, APR and the 32-bit list registers;
 *  - GICV, the virtual CPU interface, laid out as GICC, fed by the list registers.
 *
 * The state is the GICv3 model's (see gicv3_internal.h): priorities, preemption,
 * the highest priority pending (virtual) interrupt, the maintenance conditions
 * and the deactivation of HW = 1 list registers are the same code. The 32-bit
 * GICH_LR<n> are held in the ICH_LR<n>_EL2 format: vINTID [9:0], pINTID [19:10]
 * (HW = 0: EOI at bit 19, the SGI source CPUID at [12:10]) to pINTID [41:32]
 * (EOI is pINTID[9], bit 41, in both), Priority [27:23] to Priority [55:51],
 * State, Grp1 and HW to bits 63:62, 60 and 61. The virtual active priorities
 * (GICH_APR, 32 levels for 5 bits) are ich_apr[0][0] for both groups. */
#include "gic/gicv3_internal.h"
#include "sim/events.h"

/* GICC_* / GICV_* */
#define GICC_CTLR 0x0000
#define GICC_PMR 0x0004
#define GICC_BPR 0x0008
#define GICC_IAR 0x000c
#define GICC_EOIR 0x0010
#define GICC_RPR 0x0014
#define GICC_HPPIR 0x0018
#define GICC_ABPR 0x001c
#define GICC_AIAR 0x0020
#define GICC_AEOIR 0x0024
#define GICC_AHPPIR 0x0028
#define GICC_APR0 0x00d0
#define GICC_NSAPR0 0x00e0
#define GICC_IIDR 0x00fc
#define GICC_DIR 0x1000
#define GICC_FRAME_SIZE 0x2000

/* GICH_* */
#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_MISR 0x010
#define GICH_EISR0 0x020
#define GICH_EISR1 0x024
#define GICH_ELRSR0 0x030
#define GICH_ELRSR1 0x034
#define GICH_APR 0x0f0
#define GICH_LR0 0x100
#define GICH_FRAME_SIZE 0x200

#define GICH_HCR_WRITABLE (ICH_HCR_EN | ICH_HCR_UIE | ICH_HCR_LRENPIE | ICH_HCR_NPIE | ICH_HCR_VGRP0EIE | \
                           ICH_HCR_VGRP0DIE | ICH_HCR_VGRP1EIE | ICH_HCR_VGRP1DIE | ICH_HCR_EOICOUNT_MASK)
/* GICV_CTLR's bits, at the same positions in GICH_VMCR: VMGrp0En, VMGrp1En, VMAckCtl,
 * VMFIQEn, VMCBPR, VEM. */
#define GICV_CTLR_BITS (ICH_VMCR_VENG0 | ICH_VMCR_VENG1 | ICH_VMCR_VACKCTL | ICH_VMCR_VFIQEN | ICH_VMCR_VCBPR | \
                        ICH_VMCR_VEOIM)

/* GICH_LR<n> */
#define GICH_LR_VID_MASK 0x3ffu
#define GICH_LR_PID_SHIFT 10
#define GICH_LR_PRIO_SHIFT 23
#define GICH_LR_STATE_SHIFT 28
#define GICH_LR_GRP1 (1u << 30)
#define GICH_LR_HW (1u << 31)

#define VPRI_SHIFT 3                      /* 5 bits of virtual priority: [7:3] */

static bool is_special(unsigned intid)
{
    return intid >= 1020 && intid <= 1023;
}

/* ---- list register format -------------------------------------------------------------------- */

static uint64_t lr_from_v2(uint32_t v)
{
    uint64_t lr = (v & GICH_LR_VID_MASK) | (uint64_t)((v >> GICH_LR_PID_SHIFT) & 0x3ff) << ICH_LR_PINTID_SHIFT |
                  (uint64_t)(((v >> GICH_LR_PRIO_SHIFT) & 0x1f) << VPRI_SHIFT) << ICH_LR_PRIORITY_SHIFT |
                  (uint64_t)((v >> GICH_LR_STATE_SHIFT) & 3) << ICH_LR_STATE_SHIFT;
    if (v & GICH_LR_GRP1)
        lr |= ICH_LR_GROUP;
    if (v & GICH_LR_HW)
        lr |= ICH_LR_HW;
    return lr;
}

static uint32_t lr_to_v2(uint64_t lr)
{
    uint32_t v = lr_vintid(lr) & GICH_LR_VID_MASK;
    v |= (lr_pintid(lr) & 0x3ffu) << GICH_LR_PID_SHIFT;
    v |= (uint32_t)(lr_priority(lr) >> VPRI_SHIFT) << GICH_LR_PRIO_SHIFT;
    v |= (uint32_t)(lr >> ICH_LR_STATE_SHIFT) << GICH_LR_STATE_SHIFT;
    if (lr & ICH_LR_GROUP)
        v |= GICH_LR_GRP1;
    if (lr & ICH_LR_HW)
        v |= GICH_LR_HW;
    return v;
}

/* The CPUID field an SGI of a software (HW = 0) list register reports in GICV_IAR/HPPIR. */
static uint32_t lr_cpuid_bits(uint64_t lr)
{
    if (lr_vintid(lr) >= GIC_NUM_SGIS || (lr & ICH_LR_HW))
        return 0;
    return (lr_pintid(lr) & 7) << GICV2_CPUID_SHIFT;
}

/* ---- GICC: the physical CPU interface -------------------------------------------------------- */

/* GICC_CTLR's enables, CBPR and EOImode, where gic_hppi() and icc_can_signal() look. */
static void gicc_ctlr_write(struct gic_cpu *c, uint32_t v)
{
    c->gicc_ctlr = v & GICC_CTLR_WRITABLE;
    c->icc_igrpen[0] = (v & GICC_CTLR_ENABLE_GRP0) != 0;
    c->icc_igrpen[1] = (v & GICC_CTLR_ENABLE_GRP1) != 0;
    c->icc_ctlr = ((v & GICC_CTLR_CBPR) ? ICC_CTLR_CBPR : 0) | ((v & GICC_CTLR_EOIMODE) ? ICC_CTLR_EOIMODE : 0);
}

/* The lowest source CPU an SGI is pending from (the one GICC_IAR reports). */
static unsigned sgi_source(const struct gic_cpu *c, unsigned intid)
{
    uint8_t s = c->sgi_sources[intid];
    return s ? (unsigned)__builtin_ctz(s) : 0;
}

/* Which interrupt a read of GICC_IAR (alias = false) or GICC_AIAR (alias = true) would see:
 * the INTID, or 1022 (a Group 1 interrupt through GICC_IAR with AckCtl = 0), or 1023. */
static unsigned gicc_visible(const struct gic_cpu *c, const struct gic_hppi *h, bool alias)
{
    if (h->intid == GIC_SPECIAL_NONE)
        return GIC_SPECIAL_NONE;
    if (alias)
        return h->group == 1 ? h->intid : GIC_SPECIAL_NONE;
    if (h->group == 1 && !(c->gicc_ctlr & GICC_CTLR_ACKCTL))
        return GIC_SPECIAL_GRP1;
    return h->intid;
}

/* GICC_IAR/AIAR: the highest priority pending interrupt, if it can be signalled, becomes
 * active (an SGI stays pending while other sources remain) and its group priority is marked
 * in the active priorities. SGIs report their source CPU in bits [12:10]. */
static uint32_t gicc_ack(struct gic *g, unsigned pe, bool alias)
{
    struct gic_cpu *c = &g->cpu[pe];
    struct gic_hppi h = gic_hppi(g, pe);
    if (h.intid == GIC_SPECIAL_NONE || !icc_can_signal(c, &h))
        return GIC_SPECIAL_NONE;
    unsigned seen = gicc_visible(c, &h, alias);
    if (seen != h.intid)
        return seen;
    icc_activate_priority(c, h.group, h.priority & icc_gprio_mask(c, h.group));
    struct gic_bank *b = gic_bank_of(g, pe, h.intid);
    uint32_t ret = h.intid;
    if (h.intid < GIC_NUM_SGIS) {
        unsigned src = sgi_source(c, h.intid);
        c->sgi_sources[h.intid] &= (uint8_t)~(1u << src);
        irq_set_bit(b->pending, h.intid, c->sgi_sources[h.intid] != 0);
        ret |= src << GICV2_CPUID_SHIFT;
    } else {
        irq_set_bit(b->pending, h.intid, false);
    }
    irq_set_bit(b->active, h.intid, true);
    g->stats.acknowledged[h.intid]++;
    gic_event(g, GIC_EV_ACK, pe, h.intid, -1, false);
    return ret;
}

static uint32_t gicc_hppir(struct gic *g, unsigned pe, bool alias)
{
    struct gic_cpu *c = &g->cpu[pe];
    struct gic_hppi h = gic_hppi(g, pe);
    unsigned seen = gicc_visible(c, &h, alias);
    if (seen < GIC_NUM_SGIS)
        return seen | sgi_source(c, seen) << GICV2_CPUID_SHIFT;
    return seen;
}

/* GICC_EOIR/AEOIR: drop the highest active priority of the interrupt's group (GICC_AEOIR:
 * Group 1 only), and with EOImode = 0 deactivate it. An EOI through GICC_EOIR of a Group 1
 * interrupt with AckCtl = 0 is UNPREDICTABLE: treated as with AckCtl = 1 (as QEMU). */
static void gicc_eoi(struct gic *g, unsigned pe, uint32_t v, bool alias)
{
    struct gic_cpu *c = &g->cpu[pe];
    unsigned intid = v & 0x3ff;
    if (intid >= GIC_NUM_IRQS)
        return;                           /* spurious or nonexistent INTIDs: ignored */
    int grp = irq_bit(gic_bank_of(g, pe, intid)->group, intid);
    if (alias && grp != 1)
        return;
    if (!icc_drop_priority(c, grp))
        return;                           /* nothing of this group is active: ignored */
    gic_event(g, GIC_EV_EOI, pe, intid, -1, false);
    if (!(c->gicc_ctlr & GICC_CTLR_EOIMODE))
        gic_deactivate(g, pe, intid, false, -1);
}

static void gicc_dir(struct gic *g, unsigned pe, uint32_t v)
{
    unsigned intid = v & 0x3ff;
    if (intid >= GIC_NUM_IRQS || !(g->cpu[pe].gicc_ctlr & GICC_CTLR_EOIMODE))
        return;                           /* with EOImode = 0: UNPREDICTABLE, ignored */
    gic_deactivate(g, pe, intid, false, -1);
}

static uint32_t apr_word(const struct gic_cpu *c, int grp, uint64_t off)
{
    unsigned w = (unsigned)off / 4;
    return w < icc_apr_words(c) ? c->icc_apr[grp][w] : 0;
}

static unsigned bpr_write_value(uint32_t v, unsigned min)
{
    unsigned b = v & 7;
    return b < min ? min : b;
}

static uint32_t gicc_read32(struct gic *g, unsigned pe, uint64_t off)
{
    struct gic_cpu *c = &g->cpu[pe];
    switch (off) {
    case GICC_CTLR:
        return c->gicc_ctlr;
    case GICC_PMR:
        return c->icc_pmr;
    case GICC_BPR:
        return c->icc_bpr[0];
    case GICC_IAR:
        return gicc_ack(g, pe, false);
    case GICC_RPR:
        return icc_running_priority(c);
    case GICC_HPPIR:
        return gicc_hppir(g, pe, false);
    case GICC_ABPR:
        return c->icc_bpr[1];
    case GICC_AIAR:
        return gicc_ack(g, pe, true);
    case GICC_AHPPIR:
        return gicc_hppir(g, pe, true);
    case GICC_APR0:
    case GICC_APR0 + 4:
    case GICC_APR0 + 8:
    case GICC_APR0 + 12:
        /* Group 0 active priorities: bit n of APR<w> = group priority (32w + n) << (8 - prebits);
         * the words beyond the implemented preemption levels are RAZ/WI. */
        return apr_word(c, 0, off - GICC_APR0);
    case GICC_NSAPR0:
    case GICC_NSAPR0 + 4:
    case GICC_NSAPR0 + 8:
    case GICC_NSAPR0 + 12:
        return apr_word(c, 1, off - GICC_NSAPR0);   /* Group 1 */
    case GICC_IIDR:
        return GICV2_IIDR_CPU;
    default:
        return 0;                         /* EOIR, AEOIR, DIR (write-only), reserved: RAZ */
    }
}

static void gicc_write32(struct gic *g, unsigned pe, uint64_t off, uint32_t v)
{
    struct gic_cpu *c = &g->cpu[pe];
    switch (off) {
    case GICC_CTLR:
        gicc_ctlr_write(c, v);
        break;
    case GICC_PMR:
        c->icc_pmr = (uint8_t)v & icc_pri_mask(c);
        break;
    case GICC_BPR:
        c->icc_bpr[0] = (uint8_t)bpr_write_value(v, icc_min_bpr0(c));
        break;
    case GICC_EOIR:
        gicc_eoi(g, pe, v, false);
        break;
    case GICC_ABPR:
        c->icc_bpr[1] = (uint8_t)bpr_write_value(v, icc_min_bpr0(c) + 1);
        break;
    case GICC_AEOIR:
        gicc_eoi(g, pe, v, true);
        break;
    case GICC_APR0:
    case GICC_APR0 + 4:
    case GICC_APR0 + 8:
    case GICC_APR0 + 12:
        if ((off - GICC_APR0) / 4 < icc_apr_words(c))
            c->icc_apr[0][(off - GICC_APR0) / 4] = v;
        break;
    case GICC_NSAPR0:
    case GICC_NSAPR0 + 4:
    case GICC_NSAPR0 + 8:
    case GICC_NSAPR0 + 12:
        if ((off - GICC_NSAPR0) / 4 < icc_apr_words(c))
            c->icc_apr[1][(off - GICC_NSAPR0) / 4] = v;
        break;
    case GICC_DIR:
        gicc_dir(g, pe, v);
        break;
    default:
        break;                            /* read-only and reserved: WI */
    }
}

/* ---- GICV: the virtual CPU interface --------------------------------------------------------- */

static uint32_t *vapr(struct gic_cpu *c)
{
    return &c->ich_apr[0][0];
}

/* GICV_IAR/AIAR: the list register HighestPriorityVirtualInterrupt picks, if it can be
 * signalled and GICV_IAR may acknowledge its group (Group 1 with VMAckCtl, else 1022;
 * GICV_AIAR: Group 1 only, else 1023): pending -> active, its group priority marked in
 * GICH_APR. A special vINTID goes pending -> invalid and is returned as is. */
static uint32_t gicv_ack(struct gic *g, unsigned pe, bool alias)
{
    struct gic_cpu *c = &g->cpu[pe];
    int idx = ich_hppvi_index(g, c);
    if (idx < 0)
        return GIC_SPECIAL_NONE;
    uint64_t *lr = &c->ich_lr_el2[idx];
    if (!icv_can_signal(g, c, *lr))
        return GIC_SPECIAL_NONE;
    int grp = lr_group(*lr);
    if (alias && grp != 1)
        return GIC_SPECIAL_NONE;
    if (!alias && grp == 1 && !(c->ich_vmcr_el2 & ICH_VMCR_VACKCTL))
        return GIC_SPECIAL_GRP1;
    unsigned vintid = lr_vintid(*lr);
    *lr &= ~ICH_LR_PENDING;
    if (is_special(vintid))
        return vintid;
    *lr |= ICH_LR_ACTIVE;
    unsigned bit = (lr_priority(*lr) & icv_gprio_mask(c, grp)) >> VPRI_SHIFT;
    *vapr(c) |= 1u << bit;
    g->stats.virtual_acknowledged++;
    gic_event(g, GIC_EV_ACK, pe, vintid, idx, true);
    return vintid | lr_cpuid_bits(*lr);
}

static uint32_t gicv_hppir(struct gic *g, unsigned pe, bool alias)
{
    struct gic_cpu *c = &g->cpu[pe];
    int idx = ich_hppvi_index(g, c);
    if (idx < 0)
        return GIC_SPECIAL_NONE;
    uint64_t lr = c->ich_lr_el2[idx];
    int grp = lr_group(lr);
    if (alias && grp != 1)
        return GIC_SPECIAL_NONE;
    if (!alias && grp == 1 && !(c->ich_vmcr_el2 & ICH_VMCR_VACKCTL))
        return GIC_SPECIAL_GRP1;
    return lr_vintid(lr) | lr_cpuid_bits(lr);
}

/* The list register holding vINTID (and, for a software SGI, the source CPUID) active. */
static int gicv_find_active(const struct gic *g, const struct gic_cpu *c, uint32_t v)
{
    unsigned vintid = v & 0x3ff, cpuid = (v >> GICV2_CPUID_SHIFT) & 7;
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t lr = c->ich_lr_el2[i];
        if (!(lr & ICH_LR_ACTIVE) || lr_vintid(lr) != vintid)
            continue;
        if (vintid < GIC_NUM_SGIS && !(lr & ICH_LR_HW) && (lr_pintid(lr) & 7) != cpuid)
            continue;
        return (int)i;
    }
    return -1;
}

/* GICV_EOIR/AEOIR: drop the highest active virtual priority, then with VEM = 0 deactivate the
 * list register holding the interrupt, or count the EOI in GICH_HCR.EOICount when none does.
 * Nothing active: ignored. (Both aliases behave alike, as QEMU's.) */
static void gicv_eoi(struct gic *g, unsigned pe, uint32_t v)
{
    struct gic_cpu *c = &g->cpu[pe];
    unsigned vintid = v & 0x3ff;
    if (is_special(vintid))
        return;
    uint32_t *apr = vapr(c);
    if (!*apr)
        return;
    *apr &= *apr - 1;
    gic_event(g, GIC_EV_EOI, pe, vintid, -1, true);
    if (c->ich_vmcr_el2 & ICH_VMCR_VEOIM)
        return;
    int idx = gicv_find_active(g, c, v);
    if (idx < 0)
        icv_increment_eoicount(c);
    else
        icv_deactivate(g, c, pe, idx);
}

/* GICV_DIR: with VEM = 1, deactivate the list register (or count the EOI if none holds it). */
static void gicv_dir(struct gic *g, unsigned pe, uint32_t v)
{
    struct gic_cpu *c = &g->cpu[pe];
    if (is_special(v & 0x3ff) || !(c->ich_vmcr_el2 & ICH_VMCR_VEOIM))
        return;
    int idx = gicv_find_active(g, c, v);
    if (idx < 0)
        icv_increment_eoicount(c);
    else
        icv_deactivate(g, c, pe, idx);
}

static unsigned vmcr_vbpr(const struct gic_cpu *c, int grp)
{
    return (unsigned)(c->ich_vmcr_el2 >> (grp ? ICH_VMCR_VBPR1_SHIFT : ICH_VMCR_VBPR0_SHIFT)) & 7;
}

static void set_vpmr(struct gic_cpu *c, uint32_t v)
{
    c->ich_vmcr_el2 = (c->ich_vmcr_el2 & ~(0xffull << ICH_VMCR_VPMR_SHIFT)) |
                      (uint64_t)(v & 0xf8) << ICH_VMCR_VPMR_SHIFT;
}

static uint32_t gicv_read32(struct gic *g, unsigned pe, uint64_t off)
{
    struct gic_cpu *c = &g->cpu[pe];
    switch (off) {
    case GICC_CTLR:
        return (uint32_t)(c->ich_vmcr_el2 & GICV_CTLR_BITS);
    case GICC_PMR:
        return (uint32_t)(c->ich_vmcr_el2 >> ICH_VMCR_VPMR_SHIFT) & 0xff;
    case GICC_BPR:
        return vmcr_vbpr(c, 0);
    case GICC_IAR:
        return gicv_ack(g, pe, false);
    case GICC_RPR:
        return icv_running_priority(g, c);
    case GICC_HPPIR:
        return gicv_hppir(g, pe, false);
    case GICC_ABPR:
        return vmcr_vbpr(c, 1);
    case GICC_AIAR:
        return gicv_ack(g, pe, true);
    case GICC_AHPPIR:
        return gicv_hppir(g, pe, true);
    case GICC_APR0:
        return *vapr(c);
    case GICC_IIDR:
        return GICV2_IIDR_CPU;
    default:
        return 0;
    }
}

static void gicv_write32(struct gic *g, unsigned pe, uint64_t off, uint32_t v)
{
    struct gic_cpu *c = &g->cpu[pe];
    switch (off) {
    case GICC_CTLR:
        c->ich_vmcr_el2 = (c->ich_vmcr_el2 & ~(uint64_t)GICV_CTLR_BITS) | (v & GICV_CTLR_BITS);
        break;
    case GICC_PMR:
        set_vpmr(c, v);
        break;
    case GICC_BPR:
        icv_set_vbpr(g, c, 0, v);
        break;
    case GICC_EOIR:
    case GICC_AEOIR:
        gicv_eoi(g, pe, v);
        break;
    case GICC_ABPR:
        icv_set_vbpr(g, c, 1, v);
        break;
    case GICC_APR0:
        *vapr(c) = v;
        break;
    case GICC_DIR:
        gicv_dir(g, pe, v);
        break;
    default:
        break;
    }
}

/* ---- GICH: the virtual interface control ----------------------------------------------------- */

static uint32_t gich_read32(struct gic *g, unsigned pe, uint64_t off)
{
    struct gic_cpu *c = &g->cpu[pe];
    if (off >= GICH_LR0) {
        unsigned n = (unsigned)(off - GICH_LR0) / 4;
        return n < g->cfg.num_lrs ? lr_to_v2(c->ich_lr_el2[n]) : 0;
    }
    switch (off) {
    case GICH_HCR:
        return (uint32_t)c->ich_hcr_el2;
    case GICH_VTR:
        /* PRIbits [31:29] and PREbits [28:26]: 5 bits; ListRegs [5:0]. */
        return 4u << 29 | 4u << 26 | (g->cfg.num_lrs - 1);
    case GICH_VMCR:
        return (uint32_t)c->ich_vmcr_el2;
    case GICH_MISR:
        return ich_misr(g, c);
    case GICH_EISR0:
        return ich_eisr(g, c);
    case GICH_ELRSR0:
        return ich_elrsr(g, c);
    case GICH_APR:
        return *vapr(c);
    default:
        return 0;                         /* EISR1, ELRSR1 (at most 16 LRs), reserved: RAZ */
    }
}

static void gich_write32(struct gic *g, unsigned pe, uint64_t off, uint32_t v)
{
    struct gic_cpu *c = &g->cpu[pe];
    if (off >= GICH_LR0) {
        unsigned n = (unsigned)(off - GICH_LR0) / 4;
        if (n >= g->cfg.num_lrs)
            return;
        c->ich_lr_el2[n] = lr_from_v2(v);
        g->stats.lr_writes++;
        gic_event(g, GIC_EV_LR_WRITE, pe, lr_vintid(c->ich_lr_el2[n]), (int)n, true);
        return;
    }
    switch (off) {
    case GICH_HCR:
        c->ich_hcr_el2 = v & GICH_HCR_WRITABLE;
        break;
    case GICH_VMCR:
        c->ich_vmcr_el2 = v & GICV_CTLR_BITS;
        icv_set_vbpr(g, c, 0, v >> ICH_VMCR_VBPR0_SHIFT);
        icv_set_vbpr(g, c, 1, v >> ICH_VMCR_VBPR1_SHIFT);
        set_vpmr(c, v >> ICH_VMCR_VPMR_SHIFT);    /* VMPriMask [31:27] */
        break;
    case GICH_APR:
        *vapr(c) = v;
        break;
    default:
        break;                            /* VTR, MISR, EISR, ELRSR (read-only), reserved: WI */
    }
}

/* ---- the frames ------------------------------------------------------------------------------ */

typedef uint32_t (*read32_fn)(struct gic *g, unsigned pe, uint64_t off);
typedef void (*write32_fn)(struct gic *g, unsigned pe, uint64_t off, uint32_t v);

static bool frame_ok(const struct gic *g, unsigned pe, uint64_t off, unsigned size, uint64_t frame_size)
{
    return g->cfg.version == GIC_V2 && pe < g->cfg.num_pes && size == 4 && !(off & 3) && off < frame_size;
}

static uint64_t frame_read(struct gic *g, unsigned pe, uint64_t off, unsigned size, uint64_t frame_size,
                           read32_fn fn)
{
    if (!frame_ok(g, pe, off, size, frame_size))
        return 0;
    uint32_t v = fn(g, pe, off);
    gic_update(g);                        /* acknowledging changes the outputs */
    return v;
}

static void frame_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size,
                        uint64_t frame_size, write32_fn fn)
{
    if (!frame_ok(g, pe, off, size, frame_size))
        return;
    fn(g, pe, off, (uint32_t)val);
    gic_update(g);
}

uint64_t gic_cpu_read(struct gic *g, unsigned pe, uint64_t off, unsigned size)
{
    return frame_read(g, pe, off, size, GICC_FRAME_SIZE, gicc_read32);
}

void gic_cpu_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size)
{
    frame_write(g, pe, off, val, size, GICC_FRAME_SIZE, gicc_write32);
}

uint64_t gic_vcpu_read(struct gic *g, unsigned pe, uint64_t off, unsigned size)
{
    return frame_read(g, pe, off, size, GICC_FRAME_SIZE, gicv_read32);
}

void gic_vcpu_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size)
{
    frame_write(g, pe, off, val, size, GICC_FRAME_SIZE, gicv_write32);
}

uint64_t gic_hyp_read(struct gic *g, unsigned pe, uint64_t off, unsigned size)
{
    return frame_read(g, pe, off, size, GICH_FRAME_SIZE, gich_read32);
}

void gic_hyp_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size)
{
    frame_write(g, pe, off, val, size, GICH_FRAME_SIZE, gich_write32);
}
