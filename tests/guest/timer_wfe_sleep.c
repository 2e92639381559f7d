/* A guest waits one second on its virtual timer with a WFE loop polling
 * CNTV_CTL_EL0.ISTATUS, timer interrupt masked at the timer (IMASK): no
 * interrupt is involved. The Arm ARM lets WFE sleep until an event; with the
 * event register clear and nothing pending, avsim lets simulated time jump to
 * the next timer event (as for WFI), QEMU treats WFE as a hint and spins for
 * the second of host time. Printed: that ISTATUS was seen, that the count had
 * reached CVAL, and that the loop needed at most a few iterations on avsim --
 * not printed, since QEMU spins: only facts both must agree on. */
#include "trap.h"
#include "timer.h"

#define SLEEP_TICKS 62500000UL      /* one second */

static volatile uint64_t g_reached, g_status;

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    uint64_t cval = cnt_vct() + SLEEP_TICKS;
    WRITE_SYSREG(cntv_cval_el0, cval);
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
    ISB();
    __asm__ volatile("sevl\n\twfe" ::: "memory");      /* consume the event register */
    while (!(READ_SYSREG(cntv_ctl_el0) & CTL_ISTATUS))
        __asm__ volatile("wfe" ::: "memory");
    g_status = READ_SYSREG(cntv_ctl_el0);
    g_reached = cnt_diff(cnt_vct(), cval) >= 0;
    WRITE_SYSREG(cntv_ctl_el0, 0);
    return 1;
}

int main(void)
{
    rt_puts("timer_wfe_sleep\n");
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, 0);
    ISB();
    rt_puts("EL1 guest: virtual timer armed 62500000 ticks (1 s) ahead, IMASK set, waiting with WFE\n");
    rt_run_el1(guest, 0, 0);
    rt_printf("CNTV_CTL_EL0 after the wait = 0x%lx\n", g_status);
    check(g_status == (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS), "CTL after the wait");
    rt_printf("CNTVCT_EL0 had reached CVAL: %s\n", yes_no(g_reached != 0, "CVAL reached"));
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
