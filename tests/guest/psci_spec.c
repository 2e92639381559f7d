// AVSIM-FOLLOWS-ARM-ARM: PSCI (Arm DEN 0022): a CPU_SUSPEND power-down state loses the PE's context and resumes at entry_point_address with context_id in x0 (QEMU 7.2 treats it as standby and returns SUCCESS); a standby from EL1 with HCR_EL2.TWI set returns SUCCESS (QEMU 7.2 applies the WFI trap to its firmware's wait and takes an exception at EL1, EC 0x00); AFFINITY_INFO is INVALID_PARAMETERS for a level above 3 or an affinity instance with no PE (QEMU 7.2 answers ON).
// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* Where avsim's PSCI firmware follows DEN 0022 rather than QEMU 7.2:
 * 1. AFFINITY_INFO at level 4, and at level 1 for a cluster that has no PE:
 *    INVALID_PARAMETERS (-2).
 * 2. CPU_SUSPEND (standby) from EL1 with HCR_EL2.TWI = 1: the wait is the
 *    firmware's, not a WFI of the caller, so nothing traps; the EL1 physical
 *    timer wakes the PE and the call returns SUCCESS.
 * 3. CPU_SUSPEND_64 to a power-down state on PE 0, woken by its EL2 physical
 *    timer (PPI 26): the call does not return; the PE restarts at the entry
 *    point in EL2h (the highest EL), AArch64, MMU off (SCTLR_EL2.M = 0), DAIF
 *    masked, x0 = context_id; its other registers are lost (UNKNOWN: the
 *    test sets VBAR_EL2, HCR_EL2.IMO and the CPU interface again); the
 *    timer's PPI is still pending in the GIC and is taken once the PE
 *    unmasks IRQs.
 * 4. The same through the 32-bit ID: entry_point_address and context_id are
 *    32-bit (the upper halves of x2 and x3 are ignored).
 * 5. PE 1 powers down and PE 0 wakes it with SGI 5; meanwhile AFFINITY_INFO
 *    says PE 1 is ON. PE 1 restarts at its entry point with its context_id.
 * Each resume continues the test from a new entry point (the call chain is
 * gone with the context). */
#include "trap.h"
#include "timer.h"
#include "psci.h"

#define KICK 5
#define TICKS 62500UL
#define CTX0 0x1234567890abcdefUL
#define CTX32 0xabcdef0012345678UL

static volatile unsigned taken[64];   /* per INTID: the EL (1 or 2) that took it, summed */
static volatile uint32_t stage;
static volatile uint64_t sec_x0, sec_el, sec_sctlr, sec_daif;

static void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

TIMER_IRQ_HANDLERS(taken)

/* The state a resumed PE finds itself in, printed. */
static void report_entry(const char *who, uint64_t x0, uint64_t want_x0, uint64_t el, uint64_t sctlr, uint64_t daif)
{
    rt_printf("%s: resumed at the entry point, x0 = context_id: %s, EL%lu: %s, MMU off: %s, DAIF masked: %s\n", who,
              yes_no(x0 == want_x0, "context_id"), (el >> 2) & 3, yes_no(el == 8, "EL2"),
              yes_no((sctlr & 1) == 0, "MMU off"), yes_no(daif == 0x3c0, "DAIF"));
}

/* EL2 context after a power-down: vectors and IRQ routing set again. */
static void restore_el2(void)
{
    WRITE_SYSREG(vbar_el2, (uint64_t)rt_vectors_el2);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_RW | HCR_IMO);
    ISB();
    gic_cpuif_enable(0xff);
}

static void arm_hyp_timer(void)
{
    WRITE_SYSREG(cnthp_cval_el2, cnt_pct() + TICKS);
    WRITE_SYSREG(cnthp_ctl_el2, CTL_ENABLE);
    ISB();
}

/* ---- 5: PE 1 ------------------------------------------------------------------- */
PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 8192);
PSCI_SECONDARY_ENTRY(sec_resume, sec_resumed, 8192);

void sec_main(uint64_t context_id)
{
    (void)context_id;
    WRITE_SYSREG(vbar_el2, (uint64_t)rt_vectors_el2);
    gic_redist_setup_pe(1, 1u << KICK, 0x80);
    gic_cpuif_enable(0xff);
    dsb();
    stage = 1;
    dsb();
    int64_t r = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_POWERDOWN, 0, 2), (uint64_t)sec_resume, 0x5ec);
    rt_printf("PE 1: CPU_SUSPEND returned %ld: not powered down\n", r);
    dsb();
    stage = 3;
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

void sec_resumed(uint64_t x0)
{
    sec_x0 = x0;
    sec_el = READ_SYSREG(CurrentEL);
    sec_sctlr = READ_SYSREG(sctlr_el2);
    sec_daif = READ_SYSREG(daif);
    restore_el2();
    irq_window();                      /* SGI 5 is still pending */
    dsb();
    stage = 2;
    dsb();
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

static void part5(void)
{
    int64_t r = psci_start_and_wait(1, sec_entry, &stage);
    rt_printf("CPU_ON(1): %ld\n", r);
    check(r == 0, "CPU_ON");
    int64_t aff = psci_smc(PSCI_AFFINITY_INFO_64, 1, 0, 0);
    rt_printf("AFFINITY_INFO(1) while it is powered down: %ld (ON)\n", aff);
    check(aff == 0, "powered-down PE is ON");
    GIC_WR(ICC_SGI1R_EL1, SGI1R(KICK, 1u << 1));
    ISB();
    while (stage < 2) {
    }
    report_entry("PE 1, woken by SGI 5", sec_x0, 0x5ec, sec_el, sec_sctlr, sec_daif);
    rt_printf("PE 1 took SGI %u after its resume: %s\n", KICK, yes_no(stage == 2, "SGI taken"));
    aff = psci_wait_off(1);
    rt_printf("AFFINITY_INFO(1) after its CPU_OFF: %ld (OFF)\n", aff);
    check(aff == 1, "PE 1 off");
    test_result();
    rt_exit(failures ? 1 : 0);
}

/* ---- 4: the 32-bit ID ----------------------------------------------------------- */
PSCI_SECONDARY_ENTRY(resume32, resumed32, 8192);

void resumed32(uint64_t x0)
{
    uint64_t el = READ_SYSREG(CurrentEL), sctlr = READ_SYSREG(sctlr_el2), daif = READ_SYSREG(daif);
    restore_el2();
    report_entry("CPU_SUSPEND (32-bit), power-down", x0, (uint32_t)CTX32, el, sctlr, daif);
    taken[PPI_HYP_TIMER] = 0;
    irq_window();
    rt_printf("  PPI %u taken after the resume: %s\n", PPI_HYP_TIMER, yes_no(taken[PPI_HYP_TIMER] == 2, "PPI taken"));
    part5();
}

static void part4(void)
{
    arm_hyp_timer();
    int64_t r = psci_smc(PSCI_CPU_SUSPEND, PSCI_POWER_STATE(PSCI_POWERDOWN, 0, 0x10),
                         0xffffffff00000000UL | (uint64_t)resume32, CTX32);
    rt_printf("CPU_SUSPEND (32-bit), power-down: returned %ld\n", r);
    check(0, "power-down returned");
    part5();
}

/* ---- 3: power-down on PE 0 ------------------------------------------------------ */
PSCI_SECONDARY_ENTRY(resume0, resumed0, 8192);

void resumed0(uint64_t x0)
{
    uint64_t el = READ_SYSREG(CurrentEL), sctlr = READ_SYSREG(sctlr_el2), daif = READ_SYSREG(daif);
    restore_el2();
    report_entry("CPU_SUSPEND_64, power-down", x0, CTX0, el, sctlr, daif);
    rt_printf("  PPI %u pending at the resume: %s\n", PPI_HYP_TIMER,
              yes_no(gic_is_pending(PPI_HYP_TIMER), "timer PPI pending"));
    taken[PPI_HYP_TIMER] = 0;
    irq_window();
    rt_printf("  PPI %u taken after the resume: %s\n", PPI_HYP_TIMER, yes_no(taken[PPI_HYP_TIMER] == 2, "PPI taken"));
    part4();
}

static uint64_t el1_standby(uint64_t arg)
{
    (void)arg;
    uint64_t cval = cnt_pct() + TICKS;
    WRITE_SYSREG(cntp_cval_el0, cval);
    WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE);
    ISB();
    int64_t r = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_STANDBY, 0, 0), 0, 0);
    return (uint64_t)(r == 0) | (uint64_t)(cnt_diff(cnt_pct(), cval) >= 0) << 1;
}

int main(void)
{
    rt_puts("psci_spec\n");
    /* 1 */
    int64_t r = psci_smc(PSCI_AFFINITY_INFO_64, 0, 4, 0);
    rt_printf("AFFINITY_INFO(0, level 4) = %ld\n", r);
    check(r == PSCI_INVALID_PARAMETERS, "level 4");
    r = psci_smc(PSCI_AFFINITY_INFO_64, 0x100, 1, 0);
    rt_printf("AFFINITY_INFO(cluster 1, level 1) = %ld\n", r);
    check(r == PSCI_INVALID_PARAMETERS, "no such cluster");

    timer_gic_init();
    gic_dist_enable();
    gic_irq_setup(PPI_HYP_TIMER, 0x80, 0, 1);
    gic_irq_setup(PPI_PHYS_TIMER, 0x80, 0, 1);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    ISB();

    /* 2: IRQs at EL1 (HCR_EL2.IMO = 0), WFI from EL1 trapped to EL2. */
    __asm__ volatile(T_MARK "1: nop\n2:\n" ::: T_CLOBBER);   /* a trap to EL2 would be recorded */
    uint64_t bits = rt_run_el1(el1_standby, HCR_TWI, 0);
    trap_resume = 0;
    rt_printf("CPU_SUSPEND_64, standby, EL1 with HCR_EL2.TWI: SUCCESS %s, CVAL reached %s, no trap %s\n",
              yes_no(bits & 1, "SUCCESS"), yes_no(bits & 2, "CVAL reached"), yes_no(trap.count == 0, "no trap"));
    WRITE_SYSREG(cntp_ctl_el0, 0);
    gic_set_pending(PPI_PHYS_TIMER, 0);

    /* 3 */
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);
    ISB();
    arm_hyp_timer();
    r = psci_smc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_POWERDOWN, 0, 1), (uint64_t)resume0, CTX0);
    rt_printf("CPU_SUSPEND_64, power-down: returned %ld\n", r);
    check(0, "power-down returned");
    part4();
    return 1;
}
