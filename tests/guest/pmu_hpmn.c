/* The EL2 partition of the PMU's event counters (Arm ARM, "Performance
 * Monitors: counters reserved for EL2"): with MDCR_EL2.HPMN = 2, EL0 and EL1
 * see two event counters.
 *   - EL1 reads PMCR_EL0.N = 2;
 *   - bits 2-5 of PMCNTENSET_EL0 (and the other set/clear registers) are
 *     RAZ/WI at EL1: EL1 writing 0x8000003f sets bits 0, 1 and 31 only, and
 *     EL2 sees those;
 *   - PMEVCNTR3_EL0 is UNDEFINED at EL1 (EC 0x00 to EL1), PMEVCNTR1_EL0 is
 *     not; PMSELR_EL0.SEL = 4 makes PMXEVCNTR_EL0 UNDEFINED at EL1;
 *   - at EL2 every counter is reachable (PMEVCNTR5_EL0 reads).
 * AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 implements only the PMCR_EL0.N part: it
 * lets EL1 set and read bits 2-5 and access PMEVCNTR3_EL0 (pmreg_access does
 * not look at HPMN), where the Arm ARM's accessor pseudocode
 * (AArch64.GetNumEventCountersAccessible) makes counter n >= HPMN UNDEFINED
 * at EL0/EL1 and the PMCNTENSET_EL0 description makes its bit RAZ/WI there. */
#include "trap.h"

TRAP_HANDLERS

static uint64_t el1_hpmn(uint64_t arg)
{
    (void)arg;
    rt_printf("EL1: PMCR_EL0.N = %lu\n", (READ_SYSREG(pmcr_el0) >> 11) & 0x1f);
    WRITE_SYSREG(pmcntenset_el0, 0x8000003fUL);
    ISB();
    rt_printf("EL1: PMCNTENSET_EL0 = 0x%lx\n", READ_SYSREG(pmcntenset_el0));
    trap_reset();
    __asm__ volatile(T_MARK "1: mrs x5, pmevcntr3_el0\n2:\n" ::: "x5", T_CLOBBER);
    expect_trap("EL1 mrs pmevcntr3_el0", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    trap_reset();
    __asm__ volatile(T_MARK "1: mrs x5, pmevcntr1_el0\n2:\n" ::: "x5", T_CLOBBER);
    expect_no_trap("EL1 mrs pmevcntr1_el0");
    WRITE_SYSREG(pmselr_el0, 4);
    ISB();
    trap_reset();
    __asm__ volatile(T_MARK "1: mrs x5, pmxevcntr_el0\n2:\n" ::: "x5", T_CLOBBER);
    expect_trap("EL1 mrs pmxevcntr_el0 (SEL=4)", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    return 0;
}

int main(void)
{
    rt_puts("pmu_hpmn\n");
    WRITE_SYSREG(mdcr_el2, 2);
    ISB();
    rt_run_el1(el1_hpmn, 0, 0);
    rt_printf("EL2: PMCR_EL0.N = %lu\n", (READ_SYSREG(pmcr_el0) >> 11) & 0x1f);
    rt_printf("EL2: PMCNTENSET_EL0 = 0x%lx\n", READ_SYSREG(pmcntenset_el0));
    trap_reset();
    __asm__ volatile(T_MARK "1: mrs x5, pmevcntr5_el0\n2:\n" ::: "x5", T_CLOBBER);
    expect_no_trap("EL2 mrs pmevcntr5_el0");
    return test_result();
}
