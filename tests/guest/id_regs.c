/* The Cortex-A57's identification registers as the guest reads them (--cpu=cortex-a57, the
 * default), checked against QEMU 7.2's -cpu cortex-a57: MIDR and the feature registers an OS
 * and a hypervisor test before using an Armv8.1+ feature. None of VHE, PAN, LSE atomics, LOR,
 * VMID16 or HPDS is present (ID_AA64MMFR1_EL1 = 0, ID_AA64ISAR0_EL1.Atomic = 0), and
 * HCR_EL2.E2H, which only FEAT_VHE defines, is RES0: written as 1 it reads back 0.
 * Two fields differ from QEMU by design and are masked here: ID_AA64PFR0_EL1.EL0-EL2 say
 * AArch64 only (avsim does not model AArch32; QEMU says AArch64 and AArch32) and
 * ID_AA64MMFR0_EL1.PARange says 40 bits (avsim's physical address space; QEMU says 44). */
#include "rt/rt.h"

#define RD(r) READ_SYSREG(r)

int main(void)
{
    int fails = 0;
    uint64_t pfr0 = RD(id_aa64pfr0_el1), mmfr0 = RD(id_aa64mmfr0_el1), mmfr1 = RD(id_aa64mmfr1_el1);
    uint64_t isar0 = RD(id_aa64isar0_el1);
    rt_printf("MIDR_EL1         0x%lx\n", RD(midr_el1));
    rt_printf("VPIDR_EL2        0x%lx\n", RD(vpidr_el2));
    rt_printf("ID_AA64PFR0_EL1  0x%lx (EL0-EL2 masked)\n", pfr0 & ~0xfffUL);
    rt_printf("ID_AA64PFR1_EL1  0x%lx\n", RD(id_aa64pfr1_el1));
    rt_printf("ID_AA64DFR0_EL1  0x%lx\n", RD(id_aa64dfr0_el1));
    rt_printf("ID_AA64ISAR0_EL1 0x%lx\n", isar0);
    rt_printf("ID_AA64ISAR1_EL1 0x%lx\n", RD(id_aa64isar1_el1));
    rt_printf("ID_AA64MMFR0_EL1 0x%lx (PARange masked)\n", mmfr0 & ~0xfUL);
    rt_printf("ID_AA64MMFR1_EL1 0x%lx\n", mmfr1);
    rt_printf("ID_AA64MMFR2_EL1 0x%lx\n", RD(id_aa64mmfr2_el1));
    rt_printf("CTR_EL0          0x%lx\n", RD(ctr_el0));
    rt_printf("CLIDR_EL1        0x%lx\n", RD(clidr_el1));
    rt_printf("DCZID_EL0        0x%lx\n", RD(dczid_el0));
    rt_printf("VH %lu PAN %lu VMIDBits %lu LO %lu Atomic %lu\n", (mmfr1 >> 8) & 15, (mmfr1 >> 20) & 15,
              (mmfr1 >> 4) & 15, (mmfr1 >> 16) & 15, (isar0 >> 20) & 15);
    fails += mmfr1 != 0 || ((isar0 >> 20) & 15) != 0;
    WRITE_SYSREG(hcr_el2, (1UL << 34) | (1UL << 31));
    ISB();
    uint64_t hcr = RD(hcr_el2);
    rt_printf("HCR_EL2 after writing E2H|RW: 0x%lx\n", hcr);
    fails += hcr != (1UL << 31);
    rt_printf("%s\n", fails ? "FAIL" : "PASS");
    return fails;
}
