// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* FEAT_VHE register redirection (Arm ARM D5.11), at EL2 with the MMU off: with HCR_EL2.E2H = 1
 * the EL1 encodings of VBAR, ESR, FAR, ELR, SPSR, CONTEXTIDR and TCR access the EL2 registers,
 * and the *_EL12 encodings the EL1 ones (which EL1 then sees); with E2H = 0 the EL1 encodings
 * are the EL1 registers again. (An *_EL12 encoding with E2H = 0 is UNDEFINED in the Arm ARM,
 * which avsim follows, unit.sysreg test_vhe_registers; QEMU 7.2 accesses the EL1 register.) */
#include "trap.h"

TRAP_HANDLERS

#define HCR_RW (1UL << 31)
#define HCR_E2H (1UL << 34)

static uint64_t el1_contextidr, el1_tcr;

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    el1_contextidr = READ_SYSREG(contextidr_el1);
    el1_tcr = READ_SYSREG(tcr_el1);
    return 0;
}

int main(void)
{
    rt_puts("vhe_regs\n");
    uint64_t vbar2 = READ_SYSREG(vbar_el2);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H);
    ISB();
    rt_printf("HCR_EL2.E2H after writing it: %lu\n", (READ_SYSREG(hcr_el2) >> 34) & 1);
    rt_printf("VBAR_EL1 encoding at EL2 reads VBAR_EL2: %s\n", READ_SYSREG(vbar_el1) == vbar2 ? "yes" : "no");
    check(READ_SYSREG(vbar_el1) == vbar2, "VBAR_EL1 -> VBAR_EL2");
    WRITE_SYSREG(S3_5_C12_C0_0, 0x40a00000UL);            /* VBAR_EL12 */
    WRITE_SYSREG(S3_5_C13_C0_1, 0x77UL);                  /* CONTEXTIDR_EL12 */
    WRITE_SYSREG(S3_5_C2_C0_2, 0x25UL);                   /* TCR_EL12: T0SZ = 37 */
    WRITE_SYSREG(contextidr_el1, 0x55UL);                 /* CONTEXTIDR_EL2 */
    WRITE_SYSREG(esr_el1, 0x5a000000UL);                  /* ESR_EL2 */
    WRITE_SYSREG(far_el1, 0x1234000UL);                   /* FAR_EL2 */
    WRITE_SYSREG(elr_el1, 0x40081000UL);                  /* ELR_EL2 */
    WRITE_SYSREG(spsr_el1, 0x3c9UL);                      /* SPSR_EL2 */
    ISB();
    rt_printf("VBAR_EL12 0x%lx CONTEXTIDR_EL12 0x%lx TCR_EL12 0x%lx\n", READ_SYSREG(S3_5_C12_C0_0),
              READ_SYSREG(S3_5_C13_C0_1), READ_SYSREG(S3_5_C2_C0_2));
    rt_printf("CONTEXTIDR_EL2 0x%lx ESR_EL2 0x%lx FAR_EL2 0x%lx ELR_EL2 0x%lx SPSR_EL2 0x%lx\n",
              READ_SYSREG(S3_4_C13_C0_1), READ_SYSREG(esr_el2), READ_SYSREG(far_el2), READ_SYSREG(elr_el2),
              READ_SYSREG(spsr_el2));
    check(READ_SYSREG(esr_el2) == 0x5a000000UL && READ_SYSREG(S3_4_C13_C0_1) == 0x55UL, "EL2 registers written");
    rt_printf("VBAR_EL2 unchanged by VBAR_EL12: %s\n", READ_SYSREG(vbar_el2) == vbar2 ? "yes" : "no");
    check(READ_SYSREG(vbar_el2) == vbar2, "VBAR_EL2 kept");

    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("E2H = 0: CONTEXTIDR_EL1 encoding reads 0x%lx\n", READ_SYSREG(contextidr_el1));
    rt_run_el1(at_el1, 0, 0);
    rt_printf("at EL1: CONTEXTIDR_EL1 0x%lx TCR_EL1 0x%lx\n", el1_contextidr, el1_tcr);
    check(el1_contextidr == 0x77 && el1_tcr == 0x25, "EL1 sees the *_EL12 writes");
    return test_result();
}
