/* The GICv3 virtual CPU interface driven by list registers (IHI 0069
 * chapter 6, ICH_* registers in chapter 12). EL2 owns the physical CPU
 * interface; an EL1 guest runs with HCR_EL2 = RW|IMO, so its ICC_*1 and
 * common ICC_* accesses reach the ICV_* registers.
 *   ICH_VTR_EL2: ListRegs = 3 (4 LRs), PREbits = PRIbits = 4 (5 bits); the
 *     other fields (IDbits, SEIS, A3V, nV4, TDS) are QEMU's choices, masked.
 *   ICH_VMCR_EL2 and the guest's view of it: VPMR = ICV_PMR_EL1, VBPR1 =
 *     ICV_BPR1_EL1 (written 0, reads the minimum 3), VENG1 = ICV_IGRPEN1_EL1,
 *     in both directions. Only implemented priority bits are written.
 *   Main scenario: ICH_HCR_EL2.En = 1, VMCR = VENG1 | VPMR 0xf8; LR0..2 hold
 *     Group 1 pending vINTIDs 40 (prio 0xa0), 41 (0x60, EOI=1), 42 (0x80);
 *     ICH_ELRSR_EL2 = 0x8 (only LR3 empty). The guest sees ISR_EL1.I = 1 and
 *     ICV_HPPIR1 = 41, unmasks IRQs and takes the virtual IRQ at
 *     VBAR_EL1+0x280 three times: ICV_IAR1 returns 41, 42, 40 (priority
 *     order) with ICV_RPR 0x60, 0x80, 0xa0; each is EOId by ICV_EOIR1
 *     (EOImode 0: drop and deactivate). Then ICV_IAR1 = 1023. Back at EL2:
 *     all LRs invalid (State 00, the other fields kept), ICH_EISR_EL2 = 0x2
 *     (LR1: State 00, HW 0, EOI 1), ICH_ELRSR_EL2 = 0xd (an LR with a pending
 *     EOI maintenance request is not empty), ICH_MISR_EL2 = EOI,
 *     EOIcount = 0; the maintenance interrupt (PPI 25, disabled in the
 *     redistributor) is pending in GICR_ISPENDR0; clearing LR1's EOI
 *     condition (writing 0) drops it (level-sensitive).
 *   Maintenance interrupt taken: PPI 25 enabled (Group 1, 0x80); the guest's
 *     EOI of vINTID 50 (LR0, EOI=1) raises it and EL2 takes it as a physical
 *     IRQ from the guest (VBAR_EL2+0x480, lower EL AArch64 IRQ) with
 *     ICC_IAR1_EL1 = 25, MISR = EOI, EISR = 0x1; it clears LR0, EOIs 25 and
 *     returns to the guest.
 *   Other maintenance conditions (ICH_MISR_EL2, read at EL2):
 *     U (UIE=1, at most one valid LR), NP (NPIE=1, no LR in the pending
 *     state), VGrp1E (VGrp1EIE=1 and VENG1=1), VGrp1D (VGrp1DIE=1 and
 *     VENG1=0), VGrp0E (VGrp0EIE=1 and VENG0=1). With En=0 the MISR bits
 *     are still computed but the maintenance interrupt is not asserted.
 *     (VGrp0D and the masking of VPMR are in gic_virtual_spec: QEMU 7.2
 *     deviates there.)
 *   LRENP: the guest acknowledges vINTID 60 (LR0, prio 0x90; EL2 then sees
 *     LR0 active and ICH_AP1R0_EL2 bit 18 = 0x90 >> 3), EL2 evicts LR0 (HVC),
 *     the guest's EOI of 60 matches no LR: the priority drop happens
 *     (ICH_AP1R0_EL2 = 0), ICH_HCR_EL2.EOIcount becomes 1 and, with LRENPIE,
 *     MISR.LRENP = 1; clearing EOIcount clears it. */
#include "trap.h"
#include "gic.h"

static struct {
    char what;
    unsigned intid;
    unsigned rpr;
} ev[32];
static volatile unsigned nev;

static void log_ev(char what, unsigned intid, unsigned rpr)
{
    if (nev < 32) {
        ev[nev].what = what;
        ev[nev].intid = intid;
        ev[nev].rpr = rpr;
    }
    nev++;
}

static void print_log(const char *what, const char *expect)
{
    char buf[128];
    unsigned n = 0;
    rt_printf("%s:", what);
    for (unsigned i = 0; i < nev && i < 32; i++) {
        if (ev[i].what == 'M')
            rt_printf(" M%u", ev[i].intid);
        else
            rt_printf(" %c%u(rpr=0x%x)", ev[i].what, ev[i].intid, ev[i].rpr);
        if (n + 4 < sizeof buf) {
            buf[n++] = ev[i].what;
            if (ev[i].intid >= 10)
                buf[n++] = (char)('0' + ev[i].intid / 10 % 10);
            buf[n++] = (char)('0' + ev[i].intid % 10);
        }
    }
    buf[n] = 0;
    rt_puts("\n");
    const char *a = buf, *b = expect;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    check(*a == 0 && *b == 0, what);
    nev = 0;
}

static void expect_x(const char *what, uint64_t got, uint64_t want)
{
    rt_printf("  %s = 0x%lx\n", what, got);
    check(got == want, what);
}

/* ---- guest (EL1, HCR_EL2.IMO=1: ICC_* -> ICV_*) ---- */
static volatile int maint_seen;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        log_ev('+', intid, (unsigned)GIC_RD(ICC_RPR_EL1));
        if (intid >= 1020) {
            f->spsr |= 1UL << 7;
            return;
        }
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        /* A maintenance interrupt raised by this EOI may be taken to EL2 a
         * little later: wait for it when one is expected. */
        for (unsigned n = 0; intid == 50 && !maint_seen && n < 100000; n++)
            __asm__ volatile("" ::: "memory");
        log_ev('-', intid, (unsigned)GIC_RD(ICC_RPR_EL1));
        return;
    }
    trap_record(f, 1, vector);
}

static void guest_window(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
}

static volatile uint64_t g_pmr, g_bpr1, g_igrpen1, g_isr, g_hppir, g_iar_after;

static uint64_t guest_views(uint64_t arg)
{
    (void)arg;
    g_pmr = GIC_RD(ICC_PMR_EL1);
    g_bpr1 = GIC_RD(ICC_BPR1_EL1);
    g_igrpen1 = GIC_RD(ICC_IGRPEN1_EL1);
    GIC_WR(ICC_PMR_EL1, 0xf0);
    GIC_WR(ICC_BPR1_EL1, 5);
    ISB();
    return 0;
}

static uint64_t guest_main(uint64_t arg)
{
    (void)arg;
    g_isr = READ_SYSREG(isr_el1);
    g_hppir = GIC_RD(ICC_HPPIR1_EL1) & 0xffffff;
    guest_window();
    g_iar_after = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    return 0;
}

static uint64_t guest_maint(uint64_t arg)
{
    (void)arg;
    guest_window();
    return 0;
}

static volatile uint64_t lrenp_lr0, lrenp_apr;

static uint64_t guest_lrenp(uint64_t arg)
{
    (void)arg;
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    log_ev('+', intid, (unsigned)GIC_RD(ICC_RPR_EL1));
    __asm__ volatile("hvc #1" ::: "memory");   /* EL2 evicts LR0 */
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
    log_ev('-', intid, (unsigned)GIC_RD(ICC_RPR_EL1));
    return 0;
}

/* ---- EL2 ---- */
static volatile uint64_t m_misr, m_eisr, m_lr0;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (intid == MAINT_INTID) {
            m_misr = GIC_RD(ICH_MISR_EL2);
            m_eisr = GIC_RD(ICH_EISR_EL2);
            m_lr0 = ich_lr_read(0);
            ich_lr_write(0, 0);
            maint_seen = 1;
            log_ev('M', intid, 0);
        }
        if (intid < 1020) {
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
        } else {
            f->spsr |= 1UL << 7;
        }
        return;
    }
    if (vector == RT_VEC_LOWER64 + RT_SYNC) {
        uint64_t esr = READ_SYSREG(esr_el2);
        if (ESR_EC(esr) == 0x16 && (esr & 0xffff) == 1) {
            lrenp_lr0 = ich_lr_read(0);
            lrenp_apr = GIC_RD(ICH_AP1R0_EL2);
            ich_lr_write(0, 0);
            return;
        }
    }
    trap_record(f, 2, vector);
}

static void print_lrs(void)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t lr = ich_lr_read(i);
        rt_printf("  ICH_LR%u_EL2 = 0x%016lx (%s)\n", i, lr, lr_state_name[LR_STATE(lr)]);
    }
}

/* The maintenance interrupt is asserted when ICH_HCR_EL2.En = 1 and
 * ICH_MISR_EL2 != 0 (MISR itself does not depend on En). */
static void misr_case(const char *what, uint32_t hcr, uint64_t vmcr, uint64_t want)
{
    int line = (hcr & ICH_HCR_EN) && want != 0;
    GIC_WR(ICH_VMCR_EL2, vmcr);
    GIC_WR(ICH_HCR_EL2, hcr);
    ISB();
    uint64_t misr = GIC_RD(ICH_MISR_EL2);
    rt_printf("  %s: ICH_MISR_EL2 = 0x%lx, GICR_ISPENDR0.25 = %u\n", what, misr,
              (gics_r32(GICR_ISPENDR0) >> MAINT_INTID) & 1);
    check(misr == want, what);
    check(((gics_r32(GICR_ISPENDR0) >> MAINT_INTID) & 1) == (unsigned)line, "maintenance line");
}

int main(void)
{
    rt_puts("gic_virtual_lrs\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    gic_irq_setup(MAINT_INTID, 0x80, 0, 0);   /* Group 1, not enabled yet */

    uint64_t vtr = GIC_RD(ICH_VTR_EL2);
    rt_printf("ICH_VTR_EL2: ListRegs=%lu (%lu LRs) PREbits=%lu PRIbits=%lu (other fields masked)\n",
              ICH_VTR_LISTREGS(vtr), ICH_VTR_LISTREGS(vtr) + 1, ICH_VTR_PREBITS(vtr), ICH_VTR_PRIBITS(vtr));
    check(ICH_VTR_LISTREGS(vtr) == 3 && ICH_VTR_PREBITS(vtr) == 4 && ICH_VTR_PRIBITS(vtr) == 4, "ICH_VTR_EL2");

    rt_puts("ICH_VMCR_EL2 and the guest's ICV view\n");
    /* The LRs and ICH_HCR_EL2 reset to UNKNOWN values: clear them first. */
    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    expect_x("ICH_ELRSR_EL2 with all LRs zero", GIC_RD(ICH_ELRSR_EL2), 0xf);
    expect_x("ICH_EISR_EL2 with all LRs zero", GIC_RD(ICH_EISR_EL2), 0);
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();
    uint64_t vmcr = GIC_RD(ICH_VMCR_EL2);
    rt_printf("  ICH_VMCR_EL2 after writing VENG1 | VPMR=0xf8 | VBPR1=0: VPMR=0x%lx VBPR1=%lu VENG1=%lu VENG0=%lu\n",
              (vmcr >> 24) & 0xff, (vmcr >> 18) & 7, (vmcr >> 1) & 1, vmcr & 1);
    check(((vmcr >> 24) & 0xff) == 0xf8 && ((vmcr >> 18) & 7) == 3 && (vmcr & 3) == 2, "VMCR");
    rt_run_el1(guest_views, HCR_IMO, 0);
    rt_printf("  guest: ICC_PMR_EL1=0x%lx ICC_BPR1_EL1=%lu ICC_IGRPEN1_EL1=%lu\n", g_pmr, g_bpr1, g_igrpen1);
    check(g_pmr == 0xf8 && g_bpr1 == 3 && g_igrpen1 == 1, "guest ICV view");
    vmcr = GIC_RD(ICH_VMCR_EL2);
    rt_printf("  after the guest wrote PMR=0xf0 BPR1=5: VMCR.VPMR=0x%lx VBPR1=%lu\n", (vmcr >> 24) & 0xff,
              (vmcr >> 18) & 7);
    check(((vmcr >> 24) & 0xff) == 0xf0 && ((vmcr >> 18) & 7) == 5, "VMCR from guest writes");
    expect_x("physical ICC_PMR_EL1 (unchanged)", GIC_RD(ICC_PMR_EL1), 0xf8);

    rt_puts("three virtual interrupts in LR0..2\n");
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8));
    ich_lr_write(0, LR_G1_PENDING(40, 0xa0));
    ich_lr_write(1, LR_G1_PENDING(41, 0x60) | LR_EOI);
    ich_lr_write(2, LR_G1_PENDING(42, 0x80));
    print_lrs();
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0x8);
    expect_x("ICH_MISR_EL2", GIC_RD(ICH_MISR_EL2), 0);
    rt_run_el1(guest_main, HCR_IMO, 0);
    rt_printf("  guest: ISR_EL1.I=%lu ICC_HPPIR1_EL1=%lu\n", (g_isr >> 7) & 1, g_hppir);
    check(((g_isr >> 7) & 1) == 1 && g_hppir == 41, "guest sees the pending vIRQ");
    print_log("  guest IRQs", "+41-41+42-42+40-40");
    rt_printf("  guest: ICC_IAR1_EL1 afterwards = %lu\n", g_iar_after);
    check(g_iar_after == INTID_SPURIOUS, "IAR1 1023 when nothing pending");
    print_lrs();
    for (unsigned i = 0; i < 3; i++)
        check(LR_STATE(ich_lr_read(i)) == 0, "LR invalid after EOI");
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0xd);
    expect_x("ICH_EISR_EL2", GIC_RD(ICH_EISR_EL2), 0x2);
    expect_x("ICH_MISR_EL2", GIC_RD(ICH_MISR_EL2), ICH_MISR_EOI);
    rt_printf("  ICH_HCR_EL2.EOIcount = %lu\n", ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)));
    check(ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)) == 0, "EOIcount");
    expect_x("ICH_AP1R0_EL2", GIC_RD(ICH_AP1R0_EL2), 0);
    rt_printf("  maintenance PPI 25 pending (GICR_ISPENDR0.25) = %u\n", (gics_r32(GICR_ISPENDR0) >> 25) & 1);
    check((gics_r32(GICR_ISPENDR0) >> 25) & 1, "maintenance interrupt pending");
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    expect_x("ICH_ELRSR_EL2 after clearing the LRs", GIC_RD(ICH_ELRSR_EL2), 0xf);
    expect_x("ICH_EISR_EL2 after clearing the LRs", GIC_RD(ICH_EISR_EL2), 0);
    expect_x("ICH_MISR_EL2 after clearing the LRs", GIC_RD(ICH_MISR_EL2), 0);
    rt_printf("  maintenance PPI 25 pending = %u\n", (gics_r32(GICR_ISPENDR0) >> 25) & 1);
    check(!((gics_r32(GICR_ISPENDR0) >> 25) & 1), "maintenance interrupt no longer pending");

    rt_puts("maintenance interrupt taken at EL2 from the guest\n");
    gic_set_enable(MAINT_INTID, 1);
    ich_lr_write(0, LR_G1_PENDING(50, 0x90) | LR_EOI);
    rt_run_el1(guest_maint, HCR_IMO, 0);
    print_log("  log", "+50M25-50");
    rt_printf("  in the handler: ICH_MISR_EL2=0x%lx ICH_EISR_EL2=0x%lx LR0 state=%s\n", m_misr, m_eisr,
              lr_state_name[LR_STATE(m_lr0)]);
    check(m_misr == ICH_MISR_EOI && m_eisr == 1 && LR_STATE(m_lr0) == 0, "maintenance state");
    expect_x("GICR_ISPENDR0 afterwards", gics_r32(GICR_ISPENDR0), 0);
    gic_set_enable(MAINT_INTID, 0);

    rt_puts("maintenance conditions (ICH_MISR_EL2)\n");
    uint64_t on = ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8);
    misr_case("UIE, no valid LR", ICH_HCR_EN | ICH_HCR_UIE, on, ICH_MISR_U);
    ich_lr_write(0, LR_G1_PENDING(40, 0xa0));
    misr_case("UIE, one valid LR", ICH_HCR_EN | ICH_HCR_UIE, on, ICH_MISR_U);
    ich_lr_write(1, LR_STATE_ACTIVE | LR_GROUP1 | LR_PRIO(0xa0) | LR_VINTID(41));
    misr_case("UIE, two valid LRs", ICH_HCR_EN | ICH_HCR_UIE, on, 0);
    misr_case("NPIE, LR0 pending", ICH_HCR_EN | ICH_HCR_NPIE, on, 0);
    ich_lr_write(0, 0);
    misr_case("NPIE, only LR1 (active)", ICH_HCR_EN | ICH_HCR_NPIE, on, ICH_MISR_NP);
    ich_lr_write(1, 0);
    misr_case("NPIE, no valid LR", ICH_HCR_EN | ICH_HCR_NPIE, on, ICH_MISR_NP);
    misr_case("UIE|NPIE, En=0 (no maintenance interrupt)", ICH_HCR_UIE | ICH_HCR_NPIE, on,
              ICH_MISR_U | ICH_MISR_NP);
    misr_case("VGrp1EIE, VENG1=1", ICH_HCR_EN | ICH_HCR_VGRP1EIE, on, ICH_MISR_VGRP1E);
    misr_case("VGrp1EIE, VENG1=0", ICH_HCR_EN | ICH_HCR_VGRP1EIE, ICH_VMCR_VPMR(0xf8), 0);
    misr_case("VGrp1DIE, VENG1=0", ICH_HCR_EN | ICH_HCR_VGRP1DIE, ICH_VMCR_VPMR(0xf8), ICH_MISR_VGRP1D);
    misr_case("VGrp1DIE, VENG1=1", ICH_HCR_EN | ICH_HCR_VGRP1DIE, on, 0);
    misr_case("VGrp0EIE, VENG0=1", ICH_HCR_EN | ICH_HCR_VGRP0EIE, ICH_VMCR_VENG0 | ICH_VMCR_VPMR(0xf8),
              ICH_MISR_VGRP0E);
    misr_case("VGrp0EIE, VENG0=0", ICH_HCR_EN | ICH_HCR_VGRP0EIE, on, 0);

    rt_puts("EOI of an interrupt in no LR (LRENPIE)\n");
    ich_lr_write(0, LR_G1_PENDING(60, 0x90));
    misr_case("LRENPIE, EOIcount=0", ICH_HCR_EN | ICH_HCR_LRENPIE, on, 0);
    rt_run_el1(guest_lrenp, HCR_IMO, 0);
    print_log("  guest", "+60-60");
    rt_printf("  at the HVC: LR0 = 0x%016lx (%s), ICH_AP1R0_EL2 = 0x%lx\n", lrenp_lr0,
              lr_state_name[LR_STATE(lrenp_lr0)], lrenp_apr);
    check(LR_STATE(lrenp_lr0) == 2 && lrenp_apr == (1UL << (0x90 >> 3)), "LR0 active, APR");
    expect_x("ICH_AP1R0_EL2 after the guest's EOI", GIC_RD(ICH_AP1R0_EL2), 0);
    uint64_t hcr = GIC_RD(ICH_HCR_EL2);
    rt_printf("  ICH_HCR_EL2.EOIcount = %lu\n", ICH_HCR_EOICOUNT(hcr));
    check(ICH_HCR_EOICOUNT(hcr) == 1, "EOIcount 1");
    uint64_t misr = GIC_RD(ICH_MISR_EL2);
    rt_printf("  ICH_MISR_EL2 = 0x%lx, GICR_ISPENDR0.25 = %u\n", misr, (gics_r32(GICR_ISPENDR0) >> 25) & 1);
    check(misr == ICH_MISR_LRENP, "LRENP");
    misr_case("EOIcount cleared", ICH_HCR_EN | ICH_HCR_LRENPIE, on, 0);
    misr_case("EOIcount=1, LRENPIE=0", ICH_HCR_EN | (1u << 27), on, 0);
    misr_case("EOIcount=1, LRENPIE=1", ICH_HCR_EN | ICH_HCR_LRENPIE | (1u << 27), on, ICH_MISR_LRENP);

    GIC_WR(ICH_HCR_EL2, 0);
    ISB();
    return test_result();
}
