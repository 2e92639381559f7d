/* EC 0x17 (SMC from AArch64) trapped by HCR_EL2.TSC, and SMC that is not trapped.
 * The virt board has no EL3; QEMU emulates PSCI firmware behind SMC (the
 * conduit when virtualization=on), and avsim does the same.
 *   EL1 SMC with TSC=1 -> EL2, EC 0x17, IL=1, ISS = imm16, and ELR = the SMC
 *     itself (a trapped SMC is not executed; Arm ARM: preferred return address
 *     of a trapped SMC is the SMC instruction). x0 is left unchanged.
 *   TSC does not affect SMC at EL2.
 *   EL1 SMC with TSC=0 -> the PSCI call is performed: PSCI_VERSION = 0x10001
 *     (PSCI 1.1), an unknown function ID returns NOT_SUPPORTED (-1). */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

static uint64_t at_el1_tsc(uint64_t arg)
{
    (void)arg;
    register uint64_t x0 __asm__("x0") = PSCI_VERSION;
    trap_reset();
    __asm__ volatile(T_MARK "1: smc #0x1357\n2:\n" : "+r"(x0) :: T_CLOBBER);
    uint64_t r0 = x0;
    expect_trap("EL1 smc #0x1357 (TSC=1)", 2, RT_VEC_LOWER64, 0x17, 1, 0x1357, 0x1ffffff, 0);
    rt_printf("  x0 after trapped SMC = 0x%lx\n", r0);
    check(r0 == PSCI_VERSION, "x0 unchanged by a trapped SMC");

    trap_reset();
    __asm__ volatile(T_MARK "1: smc #0\n2:\n" ::: "x0", T_CLOBBER);
    expect_trap("EL1 smc #0 (TSC=1)", 2, RT_VEC_LOWER64, 0x17, 1, 0, 0x1ffffff, 0);
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    int64_t v = psci_smc(PSCI_VERSION, 0, 0, 0);
    rt_printf("EL1 smc PSCI_VERSION (TSC=0): 0x%lx\n", v);
    check(v == 0x10001, "PSCI 1.1");
    v = psci_smc(0x82000000, 0, 0, 0);
    rt_printf("EL1 smc 0x82000000 (TSC=0): %ld\n", v);
    check(v == -1, "NOT_SUPPORTED");
    expect_no_trap("EL1 smc (TSC=0)");
    return 0;
}

int main(void)
{
    rt_puts("ec_smc\n");
    rt_run_el1(at_el1_tsc, HCR_TSC, 0);
    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TSC);
    ISB();
    trap_reset();
    int64_t v = psci_smc(PSCI_VERSION, 0, 0, 0);
    rt_printf("EL2 smc PSCI_VERSION (TSC=1): 0x%lx\n", v);
    check(v == 0x10001, "PSCI 1.1");
    expect_no_trap("EL2 smc (TSC=1)");
    return test_result();
}
