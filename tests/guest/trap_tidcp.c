// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 does not implement HCR_EL2.TIDCP (added in QEMU 8.0); the Arm ARM traps EL1 accesses to the IMPLEMENTATION DEFINED encodings (op0=3, CRn=11/15) to EL2 with EC 0x18.
/* EC 0x18 traps of IMPLEMENTATION DEFINED system registers (op0=3, CRn=11 or
 * 15) from EL1 with HCR_EL2.TIDCP=1. Uses registers the Cortex-A57 implements:
 * CPUECTLR_EL1 (S3_1_C15_C2_1) and L2CTLR_EL1 (S3_1_C11_C0_2), read at EL1
 * (so the untrapped reads are defined too). On QEMU 7.2 neither read traps;
 * expected/trap_tidcp.out is written by hand from the Arm ARM (HCR_EL2.TIDCP,
 * ISS encoding for EC 0x18). */
#include "sysreg_trap.h"

TRAP_HANDLERS

ACCESS(r_cpuectlr, "", "mrs x5, S3_1_C15_C2_1")
ACCESS(r_l2ctlr, "", "mrs x5, S3_1_C11_C0_2")

static const struct sysreg_access acc[] = {
    { "mrs CPUECTLR_EL1 (S3_1_C15_C2_1)", r_cpuectlr, SYSREG_ISS(3, 1, 15, 2, 1, 5, 1) },
    { "mrs L2CTLR_EL1 (S3_1_C11_C0_2)", r_l2ctlr, SYSREG_ISS(3, 1, 11, 0, 2, 5, 1) },
};

int main(void)
{
    rt_puts("trap_tidcp\n");
    sysreg_trap_group("TIDCP", HCR_TIDCP, 0, acc, N_ACCESS(acc));
    return test_result();
}
