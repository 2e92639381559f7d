// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* PSCI CPU_SUSPEND to a standby state on a second PE: PE 1 suspends with IRQs
 * masked and is woken, first by SGI 5 that PE 0 sends it, then by its own EL2
 * physical timer (PPI 26, 1 ms ahead). Each time the call returns SUCCESS,
 * never before the wake-up's cause (the SGI's send, read on the one system
 * counter; the timer's CVAL), and PE 1 takes the IRQ afterwards. While PE 1 is
 * suspended, AFFINITY_INFO says it is ON (0); after its CPU_OFF, OFF (1). */
#include "trap.h"
#include "timer.h"
#include "psci.h"

#define KICK 5
#define TICKS 62500UL

static volatile uint64_t t_send, t_back, cval;
static volatile int64_t r_sgi, r_timer;
static volatile uint32_t stage, timer_reached;

static void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

static volatile unsigned taken[64];   /* per INTID: the EL that took it (PE 1: 2) */
TIMER_IRQ_HANDLERS(taken)

PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 8192);

void sec_main(uint64_t context_id)
{
    (void)context_id;
    WRITE_SYSREG(vbar_el2, (uint64_t)rt_vectors_el2);
    gic_redist_setup_pe(1, (1u << KICK) | (1u << PPI_HYP_TIMER), 0x80);
    gic_cpuif_enable(0xf0);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);
    ISB();

    /* 1: woken by PE 0's SGI. */
    dsb();
    stage = 1;
    dsb();
    r_sgi = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_STANDBY, 0, 0), 0, 0);
    t_back = cnt_pct();
    irq_window();

    /* 2: woken by its own timer. */
    cval = cnt_pct() + TICKS;
    WRITE_SYSREG(cnthp_cval_el2, cval);
    WRITE_SYSREG(cnthp_ctl_el2, CTL_ENABLE);
    ISB();
    r_timer = psci_smc(PSCI_CPU_SUSPEND, PSCI_POWER_STATE(PSCI_STANDBY, 0, 7), 0, 0);
    timer_reached = cnt_diff(cnt_pct(), cval) >= 0;
    irq_window();
    dsb();
    stage = 2;
    dsb();
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

int main(void)
{
    rt_puts("psci_suspend_smp\n");
    gic_dist_enable();
    int64_t r = psci_start_and_wait(1, sec_entry, &stage);
    rt_printf("CPU_ON(1): %ld\n", r);
    check(r == 0, "CPU_ON");
    int64_t aff = psci_smc(PSCI_AFFINITY_INFO_64, 1, 0, 0);
    rt_printf("AFFINITY_INFO(1) while it is suspended: %ld (ON)\n", aff);
    check(aff == 0, "suspended PE is ON");
    t_send = cnt_pct();
    dsb();
    GIC_WR(ICC_SGI1R_EL1, SGI1R(KICK, 1u << 1));
    ISB();
    while (stage < 2) {
    }
    rt_printf("PE 1, SGI %u: CPU_SUSPEND returned %ld, after the send: %s, SGI taken after the call: %s\n", KICK,
              r_sgi, yes_no(cnt_diff(t_back, t_send) >= 0, "after the send"),
              yes_no(taken[KICK] == 2, "SGI taken"));
    check(r_sgi == 0, "SUCCESS (SGI)");
    rt_printf("PE 1, its timer: CPU_SUSPEND returned %ld, CVAL reached: %s, PPI %u taken after the call: %s\n",
              r_timer, yes_no(timer_reached != 0, "CVAL reached"), PPI_HYP_TIMER,
              yes_no(taken[PPI_HYP_TIMER] == 2, "timer taken"));
    check(r_timer == 0, "SUCCESS (timer)");
    aff = psci_wait_off(1);
    rt_printf("AFFINITY_INFO(1) after its CPU_OFF: %ld (OFF)\n", aff);
    check(aff == 1, "PE 1 off");
    test_result();
    return failures ? 1 : 0;
}
