// AVSIM-ARGS: --el=1
// QEMU-MACHINE: virt,gic-version=3
/* A guest started at EL1h on a PE without EL2, as QEMU's -M virt without
 * virtualization=on (and without EL3) starts it (avsim --el=1):
 *   CurrentEL is 1; ID_AA64PFR0_EL1.EL2 and .EL3 are 0 (not implemented);
 *   HVC is the PSCI conduit (SMC Calling Convention): PSCI_VERSION = 1.1,
 *     PSCI_FEATURES answers, an unknown function returns NOT_SUPPORTED (-1),
 *     and no exception is taken;
 *   SMC is UNDEFINED (no EL3 and the conduit is HVC): EC 0x00 at EL1 with ELR
 *     = the SMC. */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

static int64_t psci_hvc(uint64_t fn, uint64_t a1)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = 0;
    register uint64_t x3 __asm__("x3") = 0;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return (int64_t)x0;
}

int main(void)
{
    rt_puts("el1_boot\n");
    uint64_t el = READ_SYSREG(CurrentEL) >> 2;
    rt_printf("CurrentEL = %lu\n", el);
    check(el == 1, "started at EL1");
    uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1);
    /* EL0/EL1 fields not printed: avsim says AArch64 only (1), QEMU also AArch32 (2). */
    rt_printf("ID_AA64PFR0_EL1: EL2=%lu EL3=%lu\n", (pfr0 >> 8) & 0xf, (pfr0 >> 12) & 0xf);
    check(((pfr0 >> 8) & 0xf) == 0, "no EL2");
    check(((pfr0 >> 12) & 0xf) == 0, "no EL3");

    trap_reset();
    int64_t v = psci_hvc(PSCI_VERSION, 0);
    rt_printf("hvc PSCI_VERSION: 0x%lx\n", v);
    check(v == 0x10001, "PSCI 1.1");
    v = psci_hvc(PSCI_FEATURES, PSCI_CPU_ON_64);
    rt_printf("hvc PSCI_FEATURES(CPU_ON_64): %ld\n", v);
    check(v == 0, "CPU_ON is implemented");
    v = psci_hvc(0x82000000, 0);
    rt_printf("hvc 0x82000000: %ld\n", v);
    check(v == -1, "NOT_SUPPORTED");
    expect_no_trap("hvc (PSCI conduit)");

    trap_reset();
    __asm__ volatile(T_MARK "mov x0, #0\n1: smc #0x42\n2:\n" ::: "x0", "x1", "x2", "x3", T_CLOBBER);
    expect_trap("EL1 smc #0x42", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    return test_result();
}
