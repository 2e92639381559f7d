// AVSIM-FOLLOWS-ARM-ARM: avsim's max CPU hides features of QEMU's and Unicorn's max (SVE, pointer authentication), so their instructions are UNDEFINED here as on any PE without them; QEMU 7.2 -cpu max executes them.
// AVSIM-ARGS: --cpu=max
/* --cpu=max runs on Unicorn's max CPU, whose decoder has more than avsim's max
 * advertises (ID_AA64PFR0_EL1.SVE = 0, ID_AA64ISAR1_EL1.APA/API/GPA/GPI = 0): an SVE
 * instruction and the pointer authentication instructions outside the HINT space take
 * EC 0x00 (UNDEFINED) to EL1, ELR = the instruction, as on a PE without the features.
 * The HINT-space ones (PACIASP, AUTIASP) are NOPs there and here. */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu

#define UNDEF(what, word)                                                                       \
    do {                                                                                        \
        trap_reset();                                                                           \
        __asm__ volatile(T_MARK "1: .inst " #word "\n2:\n" ::: "x0", "x1", "x2", T_CLOBBER);     \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x00, 1, 0, ALL, 0);                               \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1), isar1 = READ_SYSREG(id_aa64isar1_el1);
    rt_printf("ID_AA64PFR0_EL1.SVE=%lu ID_AA64ISAR1_EL1 APA=%lu API=%lu GPA=%lu GPI=%lu\n", (pfr0 >> 32) & 15,
              (isar1 >> 4) & 15, (isar1 >> 8) & 15, (isar1 >> 24) & 15, (isar1 >> 28) & 15);
    check(((pfr0 >> 32) & 15) == 0 && (isar1 & 0xff000ff0UL) == 0, "SVE and PAuth absent");
    UNDEF("ptrue p0.b (SVE)", 0x2518e3e0);
    UNDEF("pacia x0, x1", 0xdac10020);
    UNDEF("autda x0, x1", 0xdac11820);
    UNDEF("xpaci x0", 0xdac143e0);
    UNDEF("pacga x0, x1, x2", 0x9ac23020);
    UNDEF("retaa", 0xd65f0bff);
    UNDEF("braa x0, x1", 0xd71f0801);
    UNDEF("ldraa x0, [x1]", 0xf8200420);
    uint64_t lr_before, lr_after;
    __asm__ volatile("mov %0, x30\n\t.inst 0xd503233f\n\t.inst 0xd50323bf\n\tmov %1, x30"  /* paciasp; autiasp */
                     : "=r"(lr_before), "=r"(lr_after));
    rt_printf("paciasp; autiasp: %s\n", lr_before == lr_after ? "NOPs" : "changed LR");
    check(lr_before == lr_after, "HINT-space PAuth are NOPs");
    return 0;
}

int main(void)
{
    rt_puts("max_hidden\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
