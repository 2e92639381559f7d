// AVSIM-ONLY: avsim's max CPU lists the features avsim models, QEMU's max those QEMU has
// AVSIM-ARGS: --cpu=max
/* The identification registers of avsim's max CPU (--cpu=max, cpu/cpu_model.c): MIDR as
 * Unicorn's and QEMU's max (0x000f0510), and exactly the features avsim models: FEAT_VHE
 * (ID_AA64MMFR1_EL1.VH = 1; HCR_EL2.E2H is writable), FEAT_PAN (PAN = 1: no PAN2), FEAT_LSE and
 * the Armv8.2 user-level instruction sets; no SVE, pointer authentication, BTI, LOR, VMID16 or HPDS; AArch64
 * only at EL0-EL2 and a 40-bit PA range, as on avsim's Cortex-A57. */
#include "rt/rt.h"

#define RD(r) READ_SYSREG(r)

int main(void)
{
    int fails = 0;
    uint64_t pfr0 = RD(id_aa64pfr0_el1), mmfr1 = RD(id_aa64mmfr1_el1), isar0 = RD(id_aa64isar0_el1);
    uint64_t isar1 = RD(id_aa64isar1_el1);
    rt_printf("MIDR_EL1         0x%lx\n", RD(midr_el1));
    rt_printf("ID_AA64PFR0_EL1  0x%lx\n", pfr0);
    rt_printf("ID_AA64PFR1_EL1  0x%lx\n", RD(id_aa64pfr1_el1));
    rt_printf("ID_AA64DFR0_EL1  0x%lx\n", RD(id_aa64dfr0_el1));
    rt_printf("ID_AA64ISAR0_EL1 0x%lx\n", isar0);
    rt_printf("ID_AA64ISAR1_EL1 0x%lx\n", isar1);
    rt_printf("ID_AA64MMFR0_EL1 0x%lx\n", RD(id_aa64mmfr0_el1));
    rt_printf("ID_AA64MMFR1_EL1 0x%lx\n", mmfr1);
    rt_printf("ID_AA64MMFR2_EL1 0x%lx\n", RD(id_aa64mmfr2_el1));
    rt_printf("VH %lu PAN %lu Atomic %lu SVE %lu APA %lu GPA %lu\n", (mmfr1 >> 8) & 15, (mmfr1 >> 20) & 15,
              (isar0 >> 20) & 15, (pfr0 >> 32) & 15, (isar1 >> 4) & 15, (isar1 >> 24) & 15);
    fails += ((mmfr1 >> 8) & 15) != 1 || ((mmfr1 >> 20) & 15) != 1 || ((isar0 >> 20) & 15) != 2;
    WRITE_SYSREG(hcr_el2, (1UL << 34) | (1UL << 31));
    ISB();
    uint64_t hcr = RD(hcr_el2);
    rt_printf("HCR_EL2 after writing E2H|RW: 0x%lx\n", hcr);
    fails += hcr != ((1UL << 34) | (1UL << 31));
    WRITE_SYSREG(hcr_el2, 1UL << 31);
    ISB();
    rt_printf("%s\n", fails ? "FAIL" : "PASS");
    return fails;
}
