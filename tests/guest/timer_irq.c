/* Timer interrupts through the GICv3 (Arm ARM D11.2.4 "Timer interrupts":
 * the interrupt is asserted while ENABLE=1, ISTATUS=1 and IMASK=0, and goes
 * to the GIC as a level-sensitive PPI; IHI 0069 for the CPU interface).
 * GIC: distributor, redistributor and CPU interface on, PMR 0xff, EOImode 0;
 * PPIs Group 1 and enabled: 27 (virtual timer) priority 0x80, 30 (EL1
 * physical timer) 0xa0, 26 (EL2 physical timer) 0x90.
 *   EL1 guest (HCR_EL2.IMO=0: physical IRQs are taken at EL1; ICC_SRE_EL1.SRE
 *   reads 1): CNTV_CVAL = count + 20000 and CNTP_CVAL = count + 40000
 *   (CNTVOFF_EL2 = 0, one count read), CNTP enabled first, then CNTV; the
 *   guest waits with WFI (lost-wake-up-free: IRQs masked while checking,
 *   unmasked only in a window after each WFI). Taken at VBAR_EL1+0x280
 *   (current EL, SPx): ICC_IAR1_EL1 = 27 first, then 30 (later deadline and
 *   lower priority, so the order does not depend on the host's timing).
 *   Handler of 27: GICR_ISACTIVER0.27 = 1, CNTV_CTL = 0x5 (ENABLE|ISTATUS);
 *   it sets IMASK: the PPI is no longer pending (level); EOIR1 deactivates
 *   it. Handler of 30: disables the timer (CNTP_CTL = 0), EOIR1.
 *   Clearing IMASK while the condition still holds asserts 27 again: it is
 *   taken again (the handler sets IMASK again). Log: V27 V30 V27 (V = EL1).
 *   EL2 hyp timer (CNTHP_TVAL = 20000): after the deadline PPI 26 is pending
 *   and ICC_HPPIR1_EL1 = 26, but with HCR_EL2.IMO=0 a physical IRQ targets
 *   EL1, which is below EL2, so it is not taken at EL2 even with PSTATE.I
 *   clear. With IMO=1 it is taken at VBAR_EL2+0x280 (current EL, SPx):
 *   ICC_IAR1_EL1 = 26 at EL2, the handler disables CNTHP, EOIR1. Log: H26.
 * No count is printed; ELR of an interrupt is not printed either (where an
 * unmasked interrupt is taken within the window is not fixed). */
#include "trap.h"
#include "timer.h"

#define MAX_WAKEUPS 100000UL

static volatile unsigned done27, done30, done26;
static volatile unsigned h27_active, h27_ctl, h27_pending_after_mask, h27_active_after_eoi;
static volatile unsigned irq_spurious;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        tlog_add('V', intid);
        if (intid == PPI_VIRT_TIMER) {
            h27_active = ppi_active(27);
            h27_ctl = (unsigned)READ_SYSREG(cntv_ctl_el0);
            WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
            ISB();
            h27_pending_after_mask = ppi_pending(27);
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
            h27_active_after_eoi = ppi_active(27);
            done27++;
        } else if (intid == PPI_PHYS_TIMER) {
            WRITE_SYSREG(cntp_ctl_el0, 0);
            ISB();
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
            done30++;
        } else {
            if (intid < 1020) {
                GIC_WR(ICC_EOIR1_EL1, intid);
                ISB();
            }
            irq_spurious++;
            f->spsr |= 1UL << 7;
        }
        return;
    }
    trap_record(f, 1, vector);
}

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        tlog_add('H', intid);
        if (intid == PPI_HYP_TIMER) {
            WRITE_SYSREG(cnthp_ctl_el2, 0);
            ISB();
            done26++;
        } else {
            irq_spurious++;
            f->spsr |= 1UL << 7;
        }
        if (intid < 1020) {
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
        }
        return;
    }
    trap_record(f, 2, vector);
}

static volatile uint64_t g_sre;
static volatile unsigned g_got27, g_got30, g_again;

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    GIC_WR(ICC_SRE_EL1, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB);
    ISB();
    g_sre = GIC_RD(ICC_SRE_EL1);
    /* Both deadlines from one count (CNTVOFF_EL2 = 0: CNTVCT = CNTPCT), the
     * later one armed first: whenever 30 is pending, 27 is pending too (or
     * already handled), even if this PE is delayed between the writes. */
    uint64_t now = cnt_vct();
    WRITE_SYSREG(cntp_cval_el0, now + 40000);
    WRITE_SYSREG(cntv_cval_el0, now + 20000);
    WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE);
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    ISB();
    g_got27 = wait_for_flag(&done27, MAX_WAKEUPS);
    g_got30 = wait_for_flag(&done30, MAX_WAKEUPS);
    /* The virtual timer is still enabled, expired and masked: unmask it. */
    done27 = 0;
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    ISB();
    g_again = wait_for_flag(&done27, MAX_WAKEUPS);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    ISB();
    return 0;
}

int main(void)
{
    rt_puts("timer_irq\n");
    timer_gic_init();
    gic_irq_setup(PPI_VIRT_TIMER, 0x80, 0, 1);
    gic_irq_setup(PPI_PHYS_TIMER, 0xa0, 0, 1);
    gic_irq_setup(PPI_HYP_TIMER, 0x90, 0, 1);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    WRITE_SYSREG(cntp_ctl_el0, 0);
    WRITE_SYSREG(cnthp_ctl_el2, 0);
    ISB();

    rt_puts("== EL1 guest, HCR_EL2.IMO=0: CNTV at count + 20000, CNTP at count + 40000, WFI\n");
    rt_run_el1(guest, 0, 0);
    rt_printf("  guest: ICC_SRE_EL1.SRE=%lu\n", g_sre & 1);
    check(g_sre & 1, "ICC_SRE_EL1.SRE");
    rt_printf("  woke up by the virtual timer: %s, then by the physical timer: %s\n",
              yes_no(g_got27 != 0, "27 taken"), yes_no(g_got30 != 0, "30 taken"));
    rt_printf("  in the handler of 27: active=%u CNTV_CTL=0x%x; after IMASK pending=%u; after EOIR1 active=%u\n",
              h27_active, h27_ctl, h27_pending_after_mask, h27_active_after_eoi);
    check(h27_active == 1 && h27_ctl == (CTL_ENABLE | CTL_ISTATUS) && h27_pending_after_mask == 0 &&
              h27_active_after_eoi == 0, "handler of 27");
    rt_printf("  IMASK cleared with the condition still met: 27 taken again: %s\n",
              yes_no(g_again != 0, "27 again"));
    tlog_print("  log", "V27V30V27");
    rt_printf("  GICR_ISPENDR0.27/30=%u/%u GICR_ISACTIVER0.27/30=%u/%u\n", ppi_pending(27), ppi_pending(30),
              ppi_active(27), ppi_active(30));
    check(!ppi_pending(27) && !ppi_pending(30) && !ppi_active(27) && !ppi_active(30), "all quiet");

    rt_puts("== EL2 hyp timer (CNTHP), PPI 26\n");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    WRITE_SYSREG(cnthp_tval_el2, 20000);
    WRITE_SYSREG(cnthp_ctl_el2, CTL_ENABLE);
    ISB();
    int fired = timer_poll_istatus(TIMER_HYP, READ_SYSREG(cnthp_cval_el2), 62500000UL, 200000000UL);
    rt_printf("  ISTATUS=1: %s; PPI 26 pending=%u, ICC_HPPIR1_EL1=%lu\n", yes_no(fired, "CNTHP fired"),
              ppi_pending(26), GIC_RD(ICC_HPPIR1_EL1) & 0xffffff);
    check(ppi_pending(26) && (GIC_RD(ICC_HPPIR1_EL1) & 0xffffff) == 26, "26 pending");
    irq_window();
    irq_window();
    rt_printf("  HCR_EL2.IMO=0, PSTATE.I clear at EL2: taken=%u (an IRQ routed to EL1 is not taken at EL2)\n",
              done26);
    check(done26 == 0, "not taken with IMO=0");
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();
    unsigned got26 = wait_for_flag(&done26, MAX_WAKEUPS);
    rt_printf("  HCR_EL2.IMO=1: taken at EL2 (WFI, then the window): %s\n", yes_no(got26 != 0, "26 taken"));
    tlog_print("  log", "H26");
    rt_printf("  CNTHP_CTL=0x%lx, PPI 26 pending=%u active=%u\n", READ_SYSREG(cnthp_ctl_el2), ppi_pending(26),
              ppi_active(26));
    check(READ_SYSREG(cnthp_ctl_el2) == 0 && !ppi_pending(26) && !ppi_active(26), "26 done");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("no other interrupt: %s\n", yes_no(irq_spurious == 0, "no other interrupt"));
    return test_result();
}
