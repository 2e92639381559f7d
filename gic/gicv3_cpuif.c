/* GICv3 CPU interface: the ICC_* system registers (physical), their ICV_*
 * view for EL1 under HCR_EL2.IMO/FMO (the virtual CPU interface, fed by the list
 * registers), and the ICH_* hypervisor control registers.
 *
 * The registers are one table keyed by encoding. Each entry says which ICV view
 * it has (Group 0 under FMO, Group 1 under IMO, common under either) and which
 * ICH_HCR_EL2 bits trap it from EL1; the ICC/ICV choice is made once, in
 * dispatch(), not in the handlers. */
#include "gic/gicv3_internal.h"
#include "sim/events.h"

/* ---- physical: priorities (CanSignalInterrupt) ---------------------------------------------- */

uint8_t icc_gprio_mask(const struct gic_cpu *c, int group)
{
    return gic_gprio_mask(c->icc_bpr[0], c->icc_bpr[1], c->icc_ctlr & ICC_CTLR_CBPR, group);
}

uint8_t icc_running_priority(const struct gic_cpu *c)
{
    return gic_apr_running_priority(c->icc_apr[0], c->icc_apr[1], icc_apr_words(c), icc_prebits(c));
}

void icc_activate_priority(struct gic_cpu *c, int group, uint8_t gprio)
{
    unsigned bit = gprio >> (8 - icc_prebits(c));
    c->icc_apr[group][bit / 32] |= 1u << (bit % 32);
}

bool icc_drop_priority(struct gic_cpu *c, int group)
{
    for (unsigned w = 0; w < icc_apr_words(c); w++) {
        uint32_t *ap = &c->icc_apr[group][w];
        if (*ap) {
            *ap &= *ap - 1;               /* clear the lowest set bit */
            return true;
        }
    }
    return false;
}

/* CanSignalInterrupt: above the priority mask and preempting the running priority. */
bool icc_can_signal(const struct gic_cpu *c, const struct gic_hppi *h)
{
    if (h->priority >= c->icc_pmr)
        return false;
    return (h->priority & icc_gprio_mask(c, h->group)) < icc_running_priority(c);
}

/* The group of the highest priority active priority bit, or -1. */
static int icc_highest_active_group(const struct gic_cpu *c)
{
    for (unsigned w = 0; w < icc_apr_words(c); w++) {
        uint32_t a0 = c->icc_apr[0][w], a1 = c->icc_apr[1][w];
        if (!a0 && !a1)
            continue;
        if (!a1)
            return 0;
        if (!a0)
            return 1;
        return __builtin_ctz(a0) <= __builtin_ctz(a1) ? 0 : 1;
    }
    return -1;
}

/* ---- virtual: priorities (HighestPriorityVirtualInterrupt, CanSignalVirtualInterrupt) ------- */

static unsigned vpri_bits(const struct gic *g) { return g->cfg.vpri_bits; }
static unsigned ich_apr_words(const struct gic *g) { return 1u << (vpri_bits(g) - 5); }  /* 1, 2, 4 */
static uint8_t vpri_mask(const struct gic *g) { return (uint8_t)(0xff << (8 - vpri_bits(g))); }
static unsigned vmcr_field(uint64_t vmcr, unsigned shift, unsigned len)
{
    return (unsigned)(vmcr >> shift) & ((1u << len) - 1);
}

uint8_t icv_gprio_mask(const struct gic_cpu *c, int group)
{
    uint64_t v = c->ich_vmcr_el2;
    return gic_gprio_mask(vmcr_field(v, ICH_VMCR_VBPR0_SHIFT, 3), vmcr_field(v, ICH_VMCR_VBPR1_SHIFT, 3),
                          v & ICH_VMCR_VCBPR, group);
}

uint8_t icv_running_priority(const struct gic *g, const struct gic_cpu *c)
{
    return gic_apr_running_priority(c->ich_apr[0], c->ich_apr[1], ich_apr_words(g), vpri_bits(g));
}

/* HighestPriorityVirtualInterrupt: the pending (not active) list register of an enabled
 * group with the lowest priority value; ties go to the lowest LR. -1 if none. */
int ich_hppvi_index(const struct gic *g, const struct gic_cpu *c)
{
    int best = -1;
    unsigned best_prio = 0x100;
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t lr = c->ich_lr_el2[i];
        if ((lr & ICH_LR_STATE_MASK) != ICH_LR_PENDING)
            continue;
        if (!(c->ich_vmcr_el2 & (lr_group(lr) ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0)))
            continue;
        if (lr_priority(lr) < best_prio) {
            best_prio = lr_priority(lr);
            best = (int)i;
        }
    }
    return best;
}

/* CanSignalVirtualInterrupt: the virtual interface is enabled, the priority is above VPMR
 * and its group priority preempts the virtual running priority. */
bool icv_can_signal(const struct gic *g, const struct gic_cpu *c, uint64_t lr)
{
    if (!(c->ich_hcr_el2 & ICH_HCR_EN))
        return false;
    uint8_t prio = lr_priority(lr);
    if (prio >= vmcr_field(c->ich_vmcr_el2, ICH_VMCR_VPMR_SHIFT, 8))
        return false;
    return (prio & icv_gprio_mask(c, lr_group(lr))) < icv_running_priority(g, c);
}

/* ---- virtual: maintenance ------------------------------------------------------------------ */

uint32_t ich_eisr(const struct gic *g, const struct gic_cpu *c)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t lr = c->ich_lr_el2[i];
        if (!(lr & ICH_LR_STATE_MASK) && !(lr & ICH_LR_HW) && (lr & ICH_LR_EOI))
            v |= 1u << i;
    }
    return v;
}

/* An LR is empty when its State is invalid and it asks for no EOI maintenance (HW = 1, or
 * EOI = 0). */
uint32_t ich_elrsr(const struct gic *g, const struct gic_cpu *c)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t lr = c->ich_lr_el2[i];
        if (!(lr & ICH_LR_STATE_MASK) && ((lr & ICH_LR_HW) || !(lr & ICH_LR_EOI)))
            v |= 1u << i;
    }
    return v;
}

uint32_t ich_misr(const struct gic *g, const struct gic_cpu *c)
{
    uint64_t hcr = c->ich_hcr_el2, vmcr = c->ich_vmcr_el2;
    unsigned valid = 0;
    bool any_pending = false;
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t st = c->ich_lr_el2[i] & ICH_LR_STATE_MASK;
        valid += st != 0;
        any_pending |= st == ICH_LR_PENDING;
    }
    uint32_t m = 0;
    if (ich_eisr(g, c))
        m |= ICH_MISR_EOI;
    if ((hcr & ICH_HCR_UIE) && valid <= 1)
        m |= ICH_MISR_U;
    if ((hcr & ICH_HCR_LRENPIE) && (hcr & ICH_HCR_EOICOUNT_MASK))
        m |= ICH_MISR_LRENP;
    if ((hcr & ICH_HCR_NPIE) && !any_pending)
        m |= ICH_MISR_NP;
    if ((hcr & ICH_HCR_VGRP0EIE) && (vmcr & ICH_VMCR_VENG0))
        m |= ICH_MISR_VGRP0E;
    if ((hcr & ICH_HCR_VGRP0DIE) && !(vmcr & ICH_VMCR_VENG0))
        m |= ICH_MISR_VGRP0D;
    if ((hcr & ICH_HCR_VGRP1EIE) && (vmcr & ICH_VMCR_VENG1))
        m |= ICH_MISR_VGRP1E;
    if ((hcr & ICH_HCR_VGRP1DIE) && !(vmcr & ICH_VMCR_VENG1))
        m |= ICH_MISR_VGRP1D;
    return m;
}

/* ---- the register table ---------------------------------------------------------------------- */

enum icv_view { VIEW_NONE, VIEW_GRP0, VIEW_GRP1, VIEW_COMMON };
enum reg_limit { LIMIT_NONE, LIMIT_APR, LIMIT_LRS };

struct cpuif_reg;
typedef uint64_t (*reg_read_fn)(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                                unsigned n);
typedef void (*reg_write_fn)(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                             unsigned n, uint64_t val);

struct cpuif_reg {
    const char *name;
    uint8_t op1, crn, crm, op2;           /* op0 is 3 for all */
    uint8_t count;                        /* consecutive op2 values (AP<n>R, LR<n>); 0 = 1 */
    uint8_t first;                        /* n of the first one */
    enum reg_limit limit;                 /* which n exist */
    int grp;                              /* the group a shared handler serves */
    enum icv_view view;
    uint64_t traps;                       /* ICH_HCR_EL2 bits trapping EL1 accesses */
    reg_read_fn read;
    reg_write_fn write;
    reg_read_fn vread;                    /* the ICV_* view, if any */
    reg_write_fn vwrite;
};

/* ---- ICC_* handlers ------------------------------------------------------------------------ */

static uint64_t icc_pmr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return c->icc_pmr;
}

static void icc_pmr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    c->icc_pmr = (uint8_t)v & GIC_PRI_MASK;
}

/* ICC_IAR0/1_EL1: acknowledge the highest priority pending interrupt of the group if it can
 * be signalled; it becomes active (and stays pending if its level input is high), and its
 * group priority is marked in the active priorities. */
static uint64_t icc_iar_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    struct gic_hppi h = gic_hppi(g, pe);
    if (h.intid == GIC_SPECIAL_NONE || h.group != r->grp || !icc_can_signal(c, &h))
        return GIC_SPECIAL_NONE;
    uint8_t gprio = h.priority & icc_gprio_mask(c, h.group);
    icc_activate_priority(c, h.group, gprio);
    if (h.intid >= GIC_LPI_BASE) {
        /* An LPI has no active state: acknowledging it clears its pending state. */
        gic_lpi_set_pending(g, pe, h.intid, false);
        g->stats.lpi_acknowledged++;
        gic_event(g, GIC_EV_ACK, pe, h.intid, -1, false);
        return h.intid;
    }
    struct gic_bank *b = gic_bank_of(g, pe, h.intid);
    irq_set_bit(b->pending, h.intid, false);
    irq_set_bit(b->active, h.intid, true);
    g->stats.acknowledged[h.intid]++;
    gic_event(g, GIC_EV_ACK, pe, h.intid, -1, false);
    return h.intid;
}

/* ICC_EOIR0/1_EL1: drop the highest active priority (if it belongs to this group), and with
 * EOImode = 0 deactivate the interrupt. */
static void icc_eoir_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                           uint64_t v)
{
    unsigned intid = (unsigned)v & 0xffffff;
    if (intid >= 1020 && intid <= 1023)
        return;                           /* special INTIDs: ignored */
    if (icc_highest_active_group(c) != r->grp)
        return;                           /* nothing of this group to drop: UNPREDICTABLE, ignored */
    icc_drop_priority(c, r->grp);
    gic_event(g, GIC_EV_EOI, pe, intid, -1, false);
    if (!(c->icc_ctlr & ICC_CTLR_EOIMODE))
        gic_deactivate(g, pe, intid, false, -1);
}

static void icc_dir_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    if (!(c->icc_ctlr & ICC_CTLR_EOIMODE))
        return;                           /* UNPREDICTABLE with EOImode = 0: ignored */
    gic_deactivate(g, pe, (unsigned)v & 0xffffff, false, -1);
}

static uint64_t icc_hppir_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                               unsigned n)
{
    struct gic_hppi h = gic_hppi(g, pe);
    return h.intid != GIC_SPECIAL_NONE && h.group == r->grp ? h.intid : GIC_SPECIAL_NONE;
}

/* ICC_BPR0/1_EL1: at least the minimum binary point (BPR1 one more than BPR0's); with CBPR
 * BPR1 reads BPR0 + 1 (saturated) and ignores writes. */
static uint64_t icc_bpr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    if (r->grp == 1 && (c->icc_ctlr & ICC_CTLR_CBPR))
        return c->icc_bpr[0] + 1u > 7 ? 7 : c->icc_bpr[0] + 1u;
    return c->icc_bpr[r->grp];
}

static void icc_bpr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    if (r->grp == 1 && (c->icc_ctlr & ICC_CTLR_CBPR))
        return;
    unsigned min = GIC_MIN_BPR0 + (unsigned)r->grp;
    unsigned bpr = (unsigned)v & 7;
    c->icc_bpr[r->grp] = (uint8_t)(bpr < min ? min : bpr);
}

static uint64_t icc_apr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return n == 0 ? c->icc_apr[r->grp][0] : 0;
}

static void icc_apr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    if (n == 0)
        c->icc_apr[r->grp][0] = (uint32_t)v;
}

static uint64_t icc_rpr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return icc_running_priority(c);
}

static uint64_t icc_ctlr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    /* PRIbits = 4 (5 bits), IDbits = 1 (24 bits: QEMU 7.2's value, as for the virtual
     * interface; the distributor's INTIDs stop at 65535, GICD_TYPER.IDbits), SEIS = 0,
     * A3V = 1, PMHE = 0. */
    return c->icc_ctlr | ((uint64_t)(GIC_PRI_BITS - 1) << ICC_CTLR_PRIBITS_SHIFT) |
           (uint64_t)ICC_CTLR_IDBITS_24 << ICC_CTLR_IDBITS_SHIFT | ICC_CTLR_A3V;
}

static void icc_ctlr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                           uint64_t v)
{
    c->icc_ctlr = v & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE);
}

static uint64_t icc_sre_el1_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                                 unsigned n)
{
    return 0x7;                           /* SRE, DFB, DIB: fixed */
}

static uint64_t icc_sre_el2_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                                 unsigned n)
{
    return 0xf;                           /* SRE, DFB, DIB, Enable: fixed */
}

static uint64_t icc_igrpen_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                                unsigned n)
{
    return c->icc_igrpen[r->grp];
}

static void icc_igrpen_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                             unsigned n, uint64_t v)
{
    c->icc_igrpen[r->grp] = v & 1;
}

/* ICC_SGI0R/SGI1R/ASGI1R_EL1: generate SGI INTID on the PEs of Aff3.Aff2.Aff1.<TargetList>
 * (Aff0 = RS * 16 + bit), or on every PE but self with IRM = 1. With GICD_CTLR.DS = 1,
 * SGI0R and ASGI1R (there is no other Security state) reach Group 0 SGIs only, SGI1R
 * reaches SGIs of either group. */
static void icc_sgi_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    unsigned intid = (unsigned)(v >> 24) & 0xf;
    bool irm = (v >> 40) & 1;
    uint64_t aff321 = ((v >> 16) & 0xff) << 8 | ((v >> 32) & 0xff) << 16 | ((v >> 48) & 0xff) << 24;
    unsigned rs = (unsigned)(v >> 44) & 0xf;
    for (unsigned t = 0; t < g->cfg.num_pes; t++) {
        uint64_t aff = gic_pe_affinity(t);
        if (irm) {
            if (t == pe)
                continue;
        } else {
            unsigned aff0 = aff & 0xff;
            if ((aff & ~0xffull) != aff321 || aff0 >> 4 != rs || !((v >> (aff0 & 0xf)) & 1))
                continue;
        }
        bool group1 = irq_bit(g->cpu[t].bank.group, intid);
        if (group1 && r->grp != 1)
            continue;
        gic_set_pending(g, (int)t, intid);
    }
}

/* ---- ICV_* handlers: the virtual CPU interface ------------------------------------------- */

static uint64_t icv_pmr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return vmcr_field(c->ich_vmcr_el2, ICH_VMCR_VPMR_SHIFT, 8);
}

static void icv_pmr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    c->ich_vmcr_el2 = (c->ich_vmcr_el2 & ~(0xffull << ICH_VMCR_VPMR_SHIFT)) |
                      (uint64_t)((uint8_t)v & vpri_mask(g)) << ICH_VMCR_VPMR_SHIFT;
}

/* ICV_IAR0/1_EL1: the list register HighestPriorityVirtualInterrupt picks, if it is of this
 * group and CanSignalVirtualInterrupt: pending -> active, its group priority marked in
 * ICH_AP<g>R<n>_EL2. A special vINTID goes pending -> invalid and is returned as is. */
static uint64_t icv_iar_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    int idx = ich_hppvi_index(g, c);
    if (idx < 0)
        return GIC_SPECIAL_NONE;
    uint64_t *lr = &c->ich_lr_el2[idx];
    if (lr_group(*lr) != r->grp || !icv_can_signal(g, c, *lr))
        return GIC_SPECIAL_NONE;
    unsigned vintid = lr_vintid(*lr);
    *lr &= ~ICH_LR_PENDING;
    if (vintid >= 1020 && vintid <= 1023)
        return vintid;
    *lr |= ICH_LR_ACTIVE;
    unsigned bit = (lr_priority(*lr) & icv_gprio_mask(c, r->grp)) >> (8 - vpri_bits(g));
    c->ich_apr[r->grp][bit / 32] |= 1u << (bit % 32);
    g->stats.virtual_acknowledged++;
    gic_event(g, GIC_EV_ACK, pe, vintid, idx, true);
    return vintid;
}

/* The list register holding vINTID in the active state (active, or pending and active). */
static int icv_find_active(const struct gic *g, const struct gic_cpu *c, unsigned vintid)
{
    for (unsigned i = 0; i < g->cfg.num_lrs; i++) {
        uint64_t lr = c->ich_lr_el2[i];
        if ((lr & ICH_LR_ACTIVE) && lr_vintid(lr) == vintid)
            return (int)i;
    }
    return -1;
}

/* Drop the highest active virtual priority (the lowest set bit over both groups); returns
 * the group priority dropped, or GIC_IDLE_PRIORITY when nothing was active. */
static unsigned icv_drop_priority(struct gic *g, struct gic_cpu *c)
{
    /* VPriorityDrop: clear the highest active priority (the lowest bit number)
     * across ICH_AP0R and ICH_AP1R; on a tie Group 0's. */
    unsigned words = ich_apr_words(g);
    for (unsigned w = 0; w < words; w++) {
        uint32_t a0 = c->ich_apr[0][w], a1 = c->ich_apr[1][w];
        if (!(a0 | a1))
            continue;
        unsigned b0 = a0 ? (unsigned)__builtin_ctz(a0) : 32, b1 = a1 ? (unsigned)__builtin_ctz(a1) : 32;
        int grp = b0 <= b1 ? 0 : 1;
        uint32_t *ap = &c->ich_apr[grp][w];
        *ap &= *ap - 1;
        return (w * 32 + (grp ? b1 : b0)) << (8 - vpri_bits(g));
    }
    return GIC_IDLE_PRIORITY;
}

/* Deactivate a list register: active -> invalid, pending and active -> pending; with HW = 1
 * the physical interrupt pINTID is deactivated as well. */
void icv_deactivate(struct gic *g, struct gic_cpu *c, unsigned pe, int idx)
{
    uint64_t *lr = &c->ich_lr_el2[idx];
    if ((*lr & ICH_LR_HW) && lr_pintid(*lr) < 1020)
        gic_deactivate(g, pe, lr_pintid(*lr), false, idx);
    *lr &= ~ICH_LR_ACTIVE;
    gic_event(g, GIC_EV_DEACTIVATE, pe, lr_vintid(*lr), idx, true);
}

void icv_increment_eoicount(struct gic_cpu *c)
{
    uint64_t cnt = ((c->ich_hcr_el2 >> ICH_HCR_EOICOUNT_SHIFT) + 1) & 0x1f;
    c->ich_hcr_el2 = (c->ich_hcr_el2 & ~ICH_HCR_EOICOUNT_MASK) | cnt << ICH_HCR_EOICOUNT_SHIFT;
}

/* ICV_EOIR0/1_EL1 (VirtualWriteEOIR0/1): priority drop first (the IMPLEMENTATION DEFINED
 * order QEMU also uses), then, with VEOIM = 0, deactivation of the matching LR; an EOI of a
 * vINTID that is in no list register counts in ICH_HCR_EL2.EOIcount. A virtual LPI (vINTID
 * >= 8192) has no active state and gets no separate deactivation: its LR is deactivated by
 * the EOI whatever VEOIM says, and an EOI of a vLPI in no LR is not counted (as QEMU does since commit
 * 82a65e31, which Debian's QEMU 7.2 carries). */
static void icv_eoir_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                           uint64_t v)
{
    unsigned vintid = (unsigned)v & 0xffffff;
    if (vintid >= 1020 && vintid <= 1023)
        return;
    unsigned dropped = icv_drop_priority(g, c);
    if (dropped == GIC_IDLE_PRIORITY)
        return;                           /* nothing active: no LR is looked at */
    gic_event(g, GIC_EV_EOI, pe, vintid, -1, true);
    bool lpi = vintid >= GIC_LPI_BASE;
    int idx = icv_find_active(g, c, vintid);
    if (idx < 0) {
        if (!lpi)
            icv_increment_eoicount(c);
        return;
    }
    uint64_t lr = c->ich_lr_el2[idx];
    if (lr_group(lr) == r->grp && (lr_priority(lr) & icv_gprio_mask(c, r->grp)) == dropped &&
        (lpi || !(c->ich_vmcr_el2 & ICH_VMCR_VEOIM)))
        icv_deactivate(g, c, pe, idx);
}

/* ICV_DIR_EL1 (VirtualWriteDIR): with VEOIM = 1, deactivate the LR (or count the EOI if none
 * holds vINTID). LPIs have no active state: a DIR of a vLPI has no effect (QEMU ignores it
 * too). */
static void icv_dir_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    unsigned vintid = (unsigned)v & 0xffffff;
    if ((vintid >= 1020 && vintid <= 1023) || vintid >= GIC_LPI_BASE || !(c->ich_vmcr_el2 & ICH_VMCR_VEOIM))
        return;
    int idx = icv_find_active(g, c, vintid);
    if (idx < 0)
        icv_increment_eoicount(c);
    else
        icv_deactivate(g, c, pe, idx);
}

static uint64_t icv_hppir_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                               unsigned n)
{
    int idx = ich_hppvi_index(g, c);
    if (idx < 0 || lr_group(c->ich_lr_el2[idx]) != r->grp)
        return GIC_SPECIAL_NONE;
    return lr_vintid(c->ich_lr_el2[idx]);
}

static uint64_t icv_bpr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    unsigned b0 = vmcr_field(c->ich_vmcr_el2, ICH_VMCR_VBPR0_SHIFT, 3);
    if (r->grp == 0)
        return b0;
    if (c->ich_vmcr_el2 & ICH_VMCR_VCBPR)
        return b0 + 1 > 7 ? 7 : b0 + 1;
    return vmcr_field(c->ich_vmcr_el2, ICH_VMCR_VBPR1_SHIFT, 3);
}

void icv_set_vbpr(struct gic *g, struct gic_cpu *c, int grp, unsigned bpr)
{
    unsigned min = 7 - vpri_bits(g) + (unsigned)grp;
    unsigned shift = grp ? ICH_VMCR_VBPR1_SHIFT : ICH_VMCR_VBPR0_SHIFT;
    bpr &= 7;
    if (bpr < min)
        bpr = min;
    c->ich_vmcr_el2 = (c->ich_vmcr_el2 & ~(7ull << shift)) | (uint64_t)bpr << shift;
}

static void icv_bpr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    if (r->grp == 1 && (c->ich_vmcr_el2 & ICH_VMCR_VCBPR))
        return;
    icv_set_vbpr(g, c, r->grp, (unsigned)v);
}

static uint64_t icv_apr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return n < ich_apr_words(g) ? c->ich_apr[r->grp][n] : 0;
}

static void icv_apr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    if (n < ich_apr_words(g))
        c->ich_apr[r->grp][n] = (uint32_t)v;
}

static uint64_t icv_rpr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return icv_running_priority(g, c);
}

/* ICV_CTLR_EL1: IDbits and PRIbits as ICH_VTR_EL2 reports them. */
static uint64_t icv_ctlr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    uint64_t v = ICC_CTLR_A3V | (uint64_t)ICC_CTLR_IDBITS_24 << ICC_CTLR_IDBITS_SHIFT |
                 (uint64_t)(vpri_bits(g) - 1) << ICC_CTLR_PRIBITS_SHIFT;
    if (c->ich_vmcr_el2 & ICH_VMCR_VCBPR)
        v |= ICC_CTLR_CBPR;
    if (c->ich_vmcr_el2 & ICH_VMCR_VEOIM)
        v |= ICC_CTLR_EOIMODE;
    return v;
}

static void icv_ctlr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                           uint64_t v)
{
    c->ich_vmcr_el2 &= ~(ICH_VMCR_VCBPR | ICH_VMCR_VEOIM);
    if (v & ICC_CTLR_CBPR)
        c->ich_vmcr_el2 |= ICH_VMCR_VCBPR;
    if (v & ICC_CTLR_EOIMODE)
        c->ich_vmcr_el2 |= ICH_VMCR_VEOIM;
}

static uint64_t icv_igrpen_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                                unsigned n)
{
    return (c->ich_vmcr_el2 & (r->grp ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0)) ? 1 : 0;
}

static void icv_igrpen_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                             unsigned n, uint64_t v)
{
    uint64_t bit = r->grp ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0;
    c->ich_vmcr_el2 = (v & 1) ? c->ich_vmcr_el2 | bit : c->ich_vmcr_el2 & ~bit;
}

/* ---- ICH_* handlers ------------------------------------------------------------------------ */

static uint64_t ich_apr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return c->ich_apr[r->grp][n];
}

static void ich_apr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    c->ich_apr[r->grp][n] = (uint32_t)v;
}

static uint64_t ich_hcr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return c->ich_hcr_el2;
}

static void ich_hcr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                          uint64_t v)
{
    c->ich_hcr_el2 = v & ICH_HCR_WRITABLE;
}

static uint64_t ich_vtr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    /* IDbits = 1 (24-bit vINTIDs, QEMU 7.2's value: virtual LPIs up to 2^24 - 1 can be
     * handed to a guest), SEIS = 0, A3V = 1, nV4 = 1 (no GICv4 direct injection), TDS = 1
     * (ICH_HCR_EL2.TDIR is implemented). */
    return (uint64_t)(vpri_bits(g) - 1) << ICH_VTR_PRIBITS_SHIFT | (uint64_t)(vpri_bits(g) - 1) << ICH_VTR_PREBITS_SHIFT |
           (uint64_t)ICC_CTLR_IDBITS_24 << ICH_VTR_IDBITS_SHIFT | ICH_VTR_A3V | ICH_VTR_NV4 | ICH_VTR_TDS |
           (g->cfg.num_lrs - 1);
}

static uint64_t ich_misr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                              unsigned n)
{
    return ich_misr(g, c);
}

static uint64_t ich_eisr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                              unsigned n)
{
    return ich_eisr(g, c);
}

static uint64_t ich_elrsr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                               unsigned n)
{
    return ich_elrsr(g, c);
}

static uint64_t ich_vmcr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r,
                              unsigned n)
{
    return c->ich_vmcr_el2;
}

static void ich_vmcr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                           uint64_t v)
{
    c->ich_vmcr_el2 = (v & (ICH_VMCR_VENG0 | ICH_VMCR_VENG1 | ICH_VMCR_VCBPR | ICH_VMCR_VEOIM)) | ICH_VMCR_VFIQEN;
    icv_set_vbpr(g, c, 0, (unsigned)(v >> ICH_VMCR_VBPR0_SHIFT));
    icv_set_vbpr(g, c, 1, (unsigned)(v >> ICH_VMCR_VBPR1_SHIFT));
    icv_pmr_write(g, c, pe, r, n, v >> ICH_VMCR_VPMR_SHIFT);
}

static uint64_t ich_lr_read(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n)
{
    return c->ich_lr_el2[n];
}

static void ich_lr_write(struct gic *g, struct gic_cpu *c, unsigned pe, const struct cpuif_reg *r, unsigned n,
                         uint64_t v)
{
    /* Unimplemented priority bits are RAZ/WI. */
    uint64_t unimpl = (uint64_t)(uint8_t)~vpri_mask(g) << ICH_LR_PRIORITY_SHIFT;
    c->ich_lr_el2[n] = v & ICH_LR_WRITABLE & ~unimpl;
    g->stats.lr_writes++;
    gic_event(g, GIC_EV_LR_WRITE, pe, lr_vintid(c->ich_lr_el2[n]), (int)n, true);
}

/* ---- the table ----------------------------------------------------------------------------- */

#define TRAP_G0 ICH_HCR_TALL0
#define TRAP_G1 ICH_HCR_TALL1
#define TRAP_C ICH_HCR_TC

static const struct cpuif_reg cpuif_regs[] = {
    /* name               op1 CRn CRm op2 cnt first limit         grp view         traps */
    { "ICC_PMR_EL1",       0, 4, 6, 0, 0, 0, LIMIT_NONE, 0, VIEW_COMMON, TRAP_C,
      icc_pmr_read, icc_pmr_write, icv_pmr_read, icv_pmr_write },
    { "ICC_IAR0_EL1",      0, 12, 8, 0, 0, 0, LIMIT_NONE, 0, VIEW_GRP0, TRAP_G0,
      icc_iar_read, NULL, icv_iar_read, NULL },
    { "ICC_EOIR0_EL1",     0, 12, 8, 1, 0, 0, LIMIT_NONE, 0, VIEW_GRP0, TRAP_G0,
      NULL, icc_eoir_write, NULL, icv_eoir_write },
    { "ICC_HPPIR0_EL1",    0, 12, 8, 2, 0, 0, LIMIT_NONE, 0, VIEW_GRP0, TRAP_G0,
      icc_hppir_read, NULL, icv_hppir_read, NULL },
    { "ICC_BPR0_EL1",      0, 12, 8, 3, 0, 0, LIMIT_NONE, 0, VIEW_GRP0, TRAP_G0,
      icc_bpr_read, icc_bpr_write, icv_bpr_read, icv_bpr_write },
    { "ICC_AP0R<n>_EL1",   0, 12, 8, 4, 4, 0, LIMIT_APR, 0, VIEW_GRP0, TRAP_G0,
      icc_apr_read, icc_apr_write, icv_apr_read, icv_apr_write },
    { "ICC_AP1R<n>_EL1",   0, 12, 9, 0, 4, 0, LIMIT_APR, 1, VIEW_GRP1, TRAP_G1,
      icc_apr_read, icc_apr_write, icv_apr_read, icv_apr_write },
    { "ICC_DIR_EL1",       0, 12, 11, 1, 0, 0, LIMIT_NONE, 0, VIEW_COMMON, TRAP_C | ICH_HCR_TDIR,
      NULL, icc_dir_write, NULL, icv_dir_write },
    { "ICC_RPR_EL1",       0, 12, 11, 3, 0, 0, LIMIT_NONE, 0, VIEW_COMMON, TRAP_C,
      icc_rpr_read, NULL, icv_rpr_read, NULL },
    /* The SGI registers have no ICV view: under IMO/FMO, EL1 writes trap (see below). */
    { "ICC_SGI1R_EL1",     0, 12, 11, 5, 0, 0, LIMIT_NONE, 1, VIEW_NONE, TRAP_C,
      NULL, icc_sgi_write, NULL, NULL },
    { "ICC_ASGI1R_EL1",    0, 12, 11, 6, 0, 0, LIMIT_NONE, 0, VIEW_NONE, TRAP_C,
      NULL, icc_sgi_write, NULL, NULL },
    { "ICC_SGI0R_EL1",     0, 12, 11, 7, 0, 0, LIMIT_NONE, 0, VIEW_NONE, TRAP_C,
      NULL, icc_sgi_write, NULL, NULL },
    { "ICC_IAR1_EL1",      0, 12, 12, 0, 0, 0, LIMIT_NONE, 1, VIEW_GRP1, TRAP_G1,
      icc_iar_read, NULL, icv_iar_read, NULL },
    { "ICC_EOIR1_EL1",     0, 12, 12, 1, 0, 0, LIMIT_NONE, 1, VIEW_GRP1, TRAP_G1,
      NULL, icc_eoir_write, NULL, icv_eoir_write },
    { "ICC_HPPIR1_EL1",    0, 12, 12, 2, 0, 0, LIMIT_NONE, 1, VIEW_GRP1, TRAP_G1,
      icc_hppir_read, NULL, icv_hppir_read, NULL },
    { "ICC_BPR1_EL1",      0, 12, 12, 3, 0, 0, LIMIT_NONE, 1, VIEW_GRP1, TRAP_G1,
      icc_bpr_read, icc_bpr_write, icv_bpr_read, icv_bpr_write },
    { "ICC_CTLR_EL1",      0, 12, 12, 4, 0, 0, LIMIT_NONE, 0, VIEW_COMMON, TRAP_C,
      icc_ctlr_read, icc_ctlr_write, icv_ctlr_read, icv_ctlr_write },
    { "ICC_SRE_EL1",       0, 12, 12, 5, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      icc_sre_el1_read, NULL, NULL, NULL },
    { "ICC_IGRPEN0_EL1",   0, 12, 12, 6, 0, 0, LIMIT_NONE, 0, VIEW_GRP0, TRAP_G0,
      icc_igrpen_read, icc_igrpen_write, icv_igrpen_read, icv_igrpen_write },
    { "ICC_IGRPEN1_EL1",   0, 12, 12, 7, 0, 0, LIMIT_NONE, 1, VIEW_GRP1, TRAP_G1,
      icc_igrpen_read, icc_igrpen_write, icv_igrpen_read, icv_igrpen_write },
    { "ICC_SRE_EL2",       4, 12, 9, 5, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      icc_sre_el2_read, NULL, NULL, NULL },
    { "ICH_AP0R<n>_EL2",   4, 12, 8, 0, 4, 0, LIMIT_APR, 0, VIEW_NONE, 0,
      ich_apr_read, ich_apr_write, NULL, NULL },
    { "ICH_AP1R<n>_EL2",   4, 12, 9, 0, 4, 0, LIMIT_APR, 1, VIEW_NONE, 0,
      ich_apr_read, ich_apr_write, NULL, NULL },
    { "ICH_HCR_EL2",       4, 12, 11, 0, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_hcr_read, ich_hcr_write, NULL, NULL },
    { "ICH_VTR_EL2",       4, 12, 11, 1, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_vtr_read, NULL, NULL, NULL },
    { "ICH_MISR_EL2",      4, 12, 11, 2, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_misr_read, NULL, NULL, NULL },
    { "ICH_EISR_EL2",      4, 12, 11, 3, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_eisr_read, NULL, NULL, NULL },
    { "ICH_ELRSR_EL2",     4, 12, 11, 5, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_elrsr_read, NULL, NULL, NULL },
    { "ICH_VMCR_EL2",      4, 12, 11, 7, 0, 0, LIMIT_NONE, 0, VIEW_NONE, 0,
      ich_vmcr_read, ich_vmcr_write, NULL, NULL },
    { "ICH_LR<n>_EL2",     4, 12, 12, 0, 8, 0, LIMIT_LRS, 0, VIEW_NONE, 0,
      ich_lr_read, ich_lr_write, NULL, NULL },
    { "ICH_LR<n>_EL2",     4, 12, 13, 0, 8, 8, LIMIT_LRS, 0, VIEW_NONE, 0,
      ich_lr_read, ich_lr_write, NULL, NULL },
};

/* The table entry for an encoding, and the register index n within it; NULL if the
 * encoding is not a GIC register this configuration implements. */
static const struct cpuif_reg *lookup(const struct gic *g, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                      unsigned op2, unsigned *n_out)
{
    if (op0 != 3 || g->cfg.version != GIC_V3)
        return NULL;                      /* a GICv2 has no system register interface */
    for (size_t i = 0; i < sizeof cpuif_regs / sizeof cpuif_regs[0]; i++) {
        const struct cpuif_reg *r = &cpuif_regs[i];
        unsigned count = r->count ? r->count : 1;
        if (r->op1 != op1 || r->crn != crn || r->crm != crm || op2 < r->op2 || op2 >= r->op2 + count)
            continue;
        unsigned n = r->first + (op2 - r->op2);
        unsigned limit = 1;
        switch (r->limit) {
        case LIMIT_NONE:
            break;
        case LIMIT_APR:
            /* ICH_AP<g>R<n> and the ICV view of ICC_AP<g>R<n>: one word per 32 virtual
             * preemption levels. The physical interface (5 bits) needs only n = 0; its
             * other ones, when the virtual priority needs them, are RAZ/WI. */
            limit = ich_apr_words(g);
            break;
        case LIMIT_LRS:
            limit = g->cfg.num_lrs;
            break;
        }
        if (n >= limit)
            return NULL;
        *n_out = n;
        return r;
    }
    return NULL;
}

bool gic_sysreg_exists(const struct gic *g, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    unsigned n;
    return lookup(g, op0, op1, crn, crm, op2, &n) != NULL;
}

/* Does this access go to the virtual interface? EL1/EL0 accesses to registers with an ICV
 * view when HCR_EL2.IMO (Group 1) or FMO (Group 0; common registers with either) is set. */
static bool is_virtual(const struct cpuif_reg *r, const struct gic_sysreg_access *a)
{
    if (a->el >= 2)
        return false;
    switch (r->view) {
    case VIEW_GRP0:
        return a->virtual_fiq;
    case VIEW_GRP1:
        return a->virtual_irq;
    case VIEW_COMMON:
        return a->virtual_irq || a->virtual_fiq;
    default:
        return false;
    }
}

/* EL1 accesses trapped to EL2 by ICH_HCR_EL2: TALL0 (Group 0 registers), TALL1 (Group 1),
 * TC (the common ones: PMR, RPR, CTLR, DIR and the SGI registers), TDIR (DIR); these apply
 * to the ICC_* and ICV_* views alike. EL1 writes to the SGI registers also trap when
 * HCR_EL2.IMO or FMO is set (the hypervisor emulates virtual SGIs). */
bool gic_sysreg_trap_to_el2(const struct gic *g, const struct gic_sysreg_access *a, bool is_read)
{
    unsigned n;
    const struct cpuif_reg *r = lookup(g, a->op0, a->op1, a->crn, a->crm, a->op2, &n);
    if (!r || a->el != 1 || a->pe >= g->cfg.num_pes)
        return false;
    if (g->cpu[a->pe].ich_hcr_el2 & r->traps)
        return true;
    return r->write == icc_sgi_write && (a->virtual_irq || a->virtual_fiq);
}

uint64_t gic_sysreg_read(struct gic *g, const struct gic_sysreg_access *a)
{
    unsigned n;
    const struct cpuif_reg *r = lookup(g, a->op0, a->op1, a->crn, a->crm, a->op2, &n);
    if (!r || a->pe >= g->cfg.num_pes)
        return 0;
    struct gic_cpu *c = &g->cpu[a->pe];
    reg_read_fn fn = is_virtual(r, a) ? r->vread : r->read;
    if (!fn)
        return 0;                         /* a write-only register */
    uint64_t v = fn(g, c, a->pe, r, n);
    if (fn == icc_iar_read || fn == icv_iar_read)
        gic_update(g);                    /* acknowledging changes the outputs */
    return v;
}

void gic_sysreg_write(struct gic *g, const struct gic_sysreg_access *a, uint64_t val)
{
    unsigned n;
    const struct cpuif_reg *r = lookup(g, a->op0, a->op1, a->crn, a->crm, a->op2, &n);
    if (!r || a->pe >= g->cfg.num_pes)
        return;
    struct gic_cpu *c = &g->cpu[a->pe];
    reg_write_fn fn = is_virtual(r, a) ? r->vwrite : r->write;
    if (fn)
        fn(g, c, a->pe, r, n, val);
    gic_update(g);
}
