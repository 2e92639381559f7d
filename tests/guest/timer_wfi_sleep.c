/* A guest sleeps one second on its virtual timer (also the basis of a
 * benchmark: on QEMU, whose counter follows host time, this takes about 1 s
 * of real time; avsim's counter follows simulated time, which a WFI with a
 * timer armed skips ahead, so it should take much less).
 * GIC on (PMR 0xff, EOImode 0), PPI 27 Group 1, priority 0x80, enabled. An
 * EL1 guest (HCR_EL2.IMO=0: the physical IRQ is taken at EL1) sets
 * CNTV_CVAL_EL0 = CNTVCT_EL0 + 62500000 (1 s at CNTFRQ_EL0 = 62.5 MHz),
 * enables the timer and waits: with IRQs masked it checks a flag, executes
 * WFI (a pending interrupt wakes it even while masked, so one that fires
 * between the check and the WFI is not lost), and unmasks for a short window
 * in which the IRQ is taken. The handler reads ICC_IAR1_EL1 = 27, disables
 * the timer and EOIs. Printed: that the guest was woken by the virtual
 * timer, that CNTVCT_EL0 had reached CVAL by then and that no other
 * interrupt arrived; never a count, a duration or the number of WFIs. */
#include "trap.h"
#include "timer.h"

#define SLEEP_TICKS 62500000UL      /* one second */
#define MAX_WAKEUPS 10000000UL

static volatile unsigned woke27, other;
static volatile uint64_t h_ctl;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (intid == PPI_VIRT_TIMER) {
            h_ctl = READ_SYSREG(cntv_ctl_el0);
            WRITE_SYSREG(cntv_ctl_el0, 0);
            ISB();
            woke27 = 1;
        } else {
            other++;
            f->spsr |= 1UL << 7;
        }
        if (intid < 1020) {
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
        }
        return;
    }
    trap_record(f, 1, vector);
}

static volatile uint64_t g_reached;

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    uint64_t cval = cnt_vct() + SLEEP_TICKS;
    WRITE_SYSREG(cntv_cval_el0, cval);
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    ISB();
    unsigned ok = wait_for_flag(&woke27, MAX_WAKEUPS);
    g_reached = cnt_diff(cnt_vct(), cval) >= 0;
    return ok;
}

int main(void)
{
    rt_puts("timer_wfi_sleep\n");
    timer_gic_init();
    gic_irq_setup(PPI_VIRT_TIMER, 0x80, 0, 1);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    ISB();

    rt_puts("EL1 guest: virtual timer armed 62500000 ticks (1 s) ahead, waiting with WFI\n");
    uint64_t ok = rt_run_el1(guest, 0, 0);
    if (ok)
        rt_puts("woke up by the virtual timer\n");
    else
        rt_puts("not woken by the virtual timer\n");
    check(ok != 0, "woken by the virtual timer");
    rt_printf("CNTV_CTL_EL0 in the handler = 0x%lx\n", h_ctl);
    check(h_ctl == (CTL_ENABLE | CTL_ISTATUS), "CTL in the handler");
    rt_printf("CNTVCT_EL0 had reached CVAL: %s\n", yes_no(g_reached != 0, "CVAL reached"));
    rt_printf("no other interrupt: %s\n", yes_no(other == 0, "no other interrupt"));
    rt_printf("PPI 27 pending=%u active=%u\n", ppi_pending(27), ppi_active(27));
    check(!ppi_pending(27) && !ppi_active(27), "27 quiet");
    return test_result();
}
