/* Forwarding the guest's virtual timer interrupt, the common KVM pattern
 * (Arm ARM D11.2.4; GICv3 IHI 0069 6.2 "Virtual interrupt handling", 12.5
 * ICH_LR<n>_EL2). EL2 owns the physical CPU interface (EOImode 1, PMR 0xff),
 * PPI 27 is Group 1, priority 0xa0, enabled; ICH_HCR_EL2.En = 1, ICH_VMCR_EL2
 * = VENG1 | VPMR 0xf8 (VEOIM 0); the guest runs at EL1 with HCR_EL2 =
 * RW|IMO, so physical IRQs go to EL2 and its ICC_* accesses reach ICV_*.
 *   The guest programs CNTV_TVAL_EL0 = 20000, CTL = ENABLE, and waits with WFI
 *   (lost-wake-up-free). The timer fires: physical PPI 27 is taken at EL2
 *   (VBAR_EL2+0x480, lower EL AArch64 IRQ) even though the guest has
 *   PSTATE.I set. EL2: ICC_IAR1_EL1 = 27 (active), CNTV_CTL_EL0 = 0x5 read
 *   from EL2 (E2H=0: EL2 accesses the EL1 virtual timer); EL2 sets IMASK
 *   there, so the level PPI stops being pending; EOIR1 (EOImode 1) drops the
 *   priority only, 27 stays active; EL2 queues vINTID 27 in ICH_LR0_EL2
 *   (Group 1, priority 0xa0, pending):
 *   round 1, HW=1, pINTID=27, as KVM does on GICv3: the physical PPI stays
 *     active while the guest handles the virtual one (no new physical
 *     interrupt from the timer meanwhile), and the guest's deactivation of
 *     the virtual interrupt (ICV_EOIR1_EL1 with VEOIM=0: drop + deactivate)
 *     deactivates pINTID 27 in this PE's redistributor (the GIC spec: with
 *     HW=1, deactivating the virtual interrupt also deactivates the physical
 *     interrupt pINTID; for a PPI that is the PPI of the PE the LR belongs
 *     to). HW=1 LRs never request an EOI maintenance interrupt.
 *   round 2, HW=0: EL2 deactivates 27 itself (ICC_DIR_EL1) before entering
 *     the guest; the guest's EOI only concerns the virtual interrupt.
 *   Guest (VBAR_EL1+0x280): ICV_IAR1 = 27, ICV_RPR = 0xa0, CNTV_CTL = 0x7
 *   (ENABLE|IMASK|ISTATUS: masked by the hypervisor); it disables its timer
 *   (CNTV_CTL = 0) and EOIs. Physical 27 active in the guest's handler: 1
 *   before the EOI, 0 after (round 1); 0 and 0 (round 2).
 *   Back at EL2: ICH_LR0_EL2 invalid (State 00, other fields kept),
 *   ICH_ELRSR_EL2 = 0xf, ICH_EISR_EL2 = 0, ICH_MISR_EL2 = 0, PPI 27 neither
 *   pending nor active, CNTV_CTL_EL0 = 0. Log: P27 (EL2) V27 (guest). */
#include "trap.h"
#include "timer.h"

#define MAX_WAKEUPS 100000UL

static volatile int use_hw;
static volatile unsigned spurious;

/* ---- EL2 ---- */
static volatile unsigned h_active, h_ctl, h_pending_masked, h_active_after_eoi;
static volatile uint64_t h_lr;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        tlog_add('P', intid);
        if (intid != PPI_VIRT_TIMER) {
            spurious++;
            if (intid < 1020) {
                GIC_WR(ICC_EOIR1_EL1, intid);
                GIC_WR(ICC_DIR_EL1, intid);
                ISB();
            }
            return;
        }
        h_active = ppi_active(intid);
        h_ctl = (unsigned)READ_SYSREG(cntv_ctl_el0);
        WRITE_SYSREG(cntv_ctl_el0, h_ctl | CTL_IMASK);   /* mask the guest's timer */
        ISB();
        h_pending_masked = ppi_pending(intid);
        GIC_WR(ICC_EOIR1_EL1, intid);                    /* EOImode 1: priority drop */
        ISB();
        if (!use_hw) {
            GIC_WR(ICC_DIR_EL1, intid);
            ISB();
        }
        h_active_after_eoi = ppi_active(intid);
        h_lr = LR_G1_PENDING(PPI_VIRT_TIMER, 0xa0) | (use_hw ? LR_HW | LR_PINTID(intid) : 0);
        ich_lr_write(0, h_lr);
        return;
    }
    trap_record(f, 2, vector);
}

/* ---- guest ---- */
static volatile unsigned g_handled, g_ctl, g_rpr, g_act_before, g_act_after;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        tlog_add('V', intid);
        if (intid != PPI_VIRT_TIMER) {
            spurious++;
            f->spsr |= 1UL << 7;
            return;
        }
        g_rpr = (unsigned)GIC_RD(ICC_RPR_EL1);
        g_ctl = (unsigned)READ_SYSREG(cntv_ctl_el0);
        WRITE_SYSREG(cntv_ctl_el0, 0);                   /* the guest is done with its timer */
        ISB();
        g_act_before = ppi_active(PPI_VIRT_TIMER);
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        g_act_after = ppi_active(PPI_VIRT_TIMER);
        g_handled = 1;
        return;
    }
    trap_record(f, 1, vector);
}

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    WRITE_SYSREG(cntv_tval_el0, 20000);
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    ISB();
    return wait_for_flag(&g_handled, MAX_WAKEUPS);
}

static void expect_x(const char *what, uint64_t got, uint64_t want)
{
    rt_printf("  %s = 0x%lx\n", what, got);
    check(got == want, what);
}

static void round(int hw)
{
    rt_printf("== round %d: ICH_LR0_EL2.HW=%d\n", hw ? 1 : 2, hw);
    use_hw = hw;
    g_handled = 0;
    uint64_t woke = rt_run_el1(guest, HCR_IMO, 0);
    rt_printf("  guest woken and its handler run: %s\n", yes_no(woke != 0, "guest handled its timer"));
    tlog_print("  log", "P27V27");
    rt_printf("  EL2: 27 active=%u, guest's CNTV_CTL_EL0=0x%x, pending after IMASK=%u, active after EOIR1%s=%u\n",
              h_active, h_ctl, h_pending_masked, hw ? "" : "+DIR", h_active_after_eoi);
    check(h_active == 1 && h_ctl == (CTL_ENABLE | CTL_ISTATUS) && h_pending_masked == 0 &&
              h_active_after_eoi == (unsigned)(hw ? 1 : 0), "EL2 handler");
    rt_printf("  EL2 queued ICH_LR0_EL2 = 0x%016lx (pending, HW=%lu pINTID=%lu vINTID=%u)\n", h_lr,
              (h_lr >> 61) & 1, (h_lr >> 32) & 0x1fff, LR_GET_VINTID(h_lr));
    rt_printf("  guest: ICC_RPR_EL1=0x%x CNTV_CTL_EL0=0x%x, physical 27 active before EOIR1=%u after=%u\n", g_rpr,
              g_ctl, g_act_before, g_act_after);
    check(g_rpr == 0xa0 && g_ctl == (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS), "guest handler");
    check(g_act_before == (unsigned)(hw ? 1 : 0) && g_act_after == 0, "physical deactivation");
    uint64_t lr = ich_lr_read(0);
    rt_printf("  afterwards: ICH_LR0_EL2 = 0x%016lx (%s)\n", lr, lr_state_name[LR_STATE(lr)]);
    check(LR_STATE(lr) == 0 && (lr & ~(3UL << 62)) == (h_lr & ~(3UL << 62)), "LR0 invalid, fields kept");
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0xf);
    expect_x("ICH_EISR_EL2", GIC_RD(ICH_EISR_EL2), 0);
    expect_x("ICH_MISR_EL2", GIC_RD(ICH_MISR_EL2), 0);
    rt_printf("  PPI 27 pending=%u active=%u, CNTV_CTL_EL0=0x%lx\n", ppi_pending(27), ppi_active(27),
              READ_SYSREG(cntv_ctl_el0));
    check(!ppi_pending(27) && !ppi_active(27) && READ_SYSREG(cntv_ctl_el0) == 0, "quiet");
    ich_lr_write(0, 0);
}

int main(void)
{
    rt_puts("timer_forward\n");
    timer_gic_init();
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    gic_irq_setup(PPI_VIRT_TIMER, 0xa0, 0, 1);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();

    round(1);
    round(0);

    rt_printf("no other interrupt: %s\n", yes_no(spurious == 0, "no other interrupt"));
    GIC_WR(ICH_HCR_EL2, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
