/* PSCI CPU_SUSPEND to a standby state on one PE, through its 32-bit, 64-bit
 * and PSCI 0.1 function IDs: the call waits as WFI does and returns SUCCESS
 * (0) once an interrupt is pending, here the EL2 physical timer (PPI 26)
 * armed 1 ms ahead with IRQs masked: on return the timer condition holds
 * (ISTATUS, CNTPCT_EL0 >= CVAL) and the PPI is pending; the IRQ is then taken
 * in an unmasked window. The same from EL1 with the EL1 physical timer (PPI
 * 30, taken at EL1). With an interrupt already pending (SGI 3), a standby and
 * a power-down state both return SUCCESS at once (DEN 0022 allows an early
 * wake-up to return; a power-down state actually entered is psci_spec's). */
#include "trap.h"
#include "timer.h"
#include "psci.h"

#define SGI_PENDING 3
#define TICKS 62500UL                 /* 1 ms */

static volatile unsigned taken[64];   /* per INTID: the EL (1 or 2) that took it, summed */

TIMER_IRQ_HANDLERS(taken)

/* Arms timer t, suspends to a standby state through fn, and reports what
 * holds when the call returns (IRQs masked throughout). */
static uint64_t suspend_on_timer(int t, uint32_t fn, uint32_t state_id)
{
    uint64_t cval = timer_count(t) + TICKS;
    timer_set_cval(t, cval);
    timer_set_ctl(t, CTL_ENABLE);
    int64_t r = psci_smc(fn, PSCI_POWER_STATE(PSCI_STANDBY, 0, state_id), 0, 0);
    int reached = cnt_diff(timer_count(t), cval) >= 0;
    int istatus = (timer_ctl(t) & CTL_ISTATUS) != 0;
    int pending = gic_is_pending(timer_ppi[t]);
    return (uint64_t)(r == 0) | (uint64_t)reached << 1 | (uint64_t)istatus << 2 | (uint64_t)pending << 3;
}

static void report(const char *what, uint64_t bits, unsigned intid, unsigned el)
{
    rt_printf("%s: returned SUCCESS %s, CVAL reached %s, ISTATUS %s, PPI %u pending %s\n", what,
              yes_no(bits & 1, "SUCCESS"), yes_no(bits & 2, "CVAL reached"), yes_no(bits & 4, "ISTATUS"),
              intid, yes_no(bits & 8, "PPI pending"));
    taken[intid] = 0;
    irq_window();
    rt_printf("  IRQ %u taken at EL%u after the call: %s\n", intid, el, yes_no(taken[intid] == el, "IRQ taken"));
}

static uint64_t el1_window(uint64_t arg)
{
    (void)arg;
    irq_window();
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    return suspend_on_timer(TIMER_PHYS, PSCI_CPU_SUSPEND_64, 0x42);
}

int main(void)
{
    rt_puts("psci_suspend\n");
    timer_gic_init();
    gic_irq_setup(PPI_HYP_TIMER, 0x80, 0, 1);
    gic_irq_setup(PPI_PHYS_TIMER, 0x80, 0, 1);
    gic_irq_setup(SGI_PENDING, 0x80, 1, 1);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);      /* physical IRQs to EL2 */
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    ISB();

    report("CPU_SUSPEND (32-bit), standby, EL2", suspend_on_timer(TIMER_HYP, PSCI_CPU_SUSPEND, 0), PPI_HYP_TIMER, 2);
    report("CPU_SUSPEND_64, standby, EL2", suspend_on_timer(TIMER_HYP, PSCI_CPU_SUSPEND_64, 1), PPI_HYP_TIMER, 2);
    report("CPU_SUSPEND 0.1, standby, EL2", suspend_on_timer(TIMER_HYP, PSCI_0_1_CPU_SUSPEND, 0xffff),
           PPI_HYP_TIMER, 2);

    /* EL1, its IRQs taken at EL1 (HCR_EL2.IMO = 0). */
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_IMO);
    ISB();
    uint64_t bits = rt_run_el1(at_el1, 0, 0);
    rt_printf("CPU_SUSPEND_64, standby, EL1: returned SUCCESS %s, CVAL reached %s, ISTATUS %s, PPI %u pending %s\n",
              yes_no(bits & 1, "SUCCESS"), yes_no(bits & 2, "CVAL reached"), yes_no(bits & 4, "ISTATUS"),
              PPI_PHYS_TIMER, yes_no(bits & 8, "PPI pending"));
    taken[PPI_PHYS_TIMER] = 0;
    rt_run_el1(el1_window, 0, 0);
    rt_printf("  IRQ %u taken at EL1 after the call: %s\n", PPI_PHYS_TIMER,
              yes_no(taken[PPI_PHYS_TIMER] == 1, "IRQ taken at EL1"));
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);
    ISB();

    /* A wake-up already pending: both kinds of state return at once. */
    gic_send_sgi(SGI_PENDING);
    int64_t r = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_STANDBY, 0, 0), 0, 0);
    rt_printf("standby with SGI %u pending: %ld\n", SGI_PENDING, r);
    check(r == 0, "standby returns at once");
    r = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_POWERDOWN, 0, 0), 0x40080000, 0);
    rt_printf("power-down with SGI %u pending: %ld\n", SGI_PENDING, r);
    check(r == 0, "power-down returns at once");
    taken[SGI_PENDING] = 0;
    irq_window();
    rt_printf("  SGI %u taken after the calls: %s\n", SGI_PENDING, yes_no(taken[SGI_PENDING] == 2, "SGI taken"));

    test_result();
    return failures ? 1 : 0;
}
