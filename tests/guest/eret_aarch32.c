// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2's cortex-a57 implements AArch32 at EL0 and EL1 (its ID_AA64PFR0_EL1.EL0 = EL1 = 2) and makes the ERET to AArch32 User a legal return: it runs the A64 code at ELR as A32 instructions. avsim's Cortex-A57 is AArch64 only (ID_AA64PFR0_EL1.EL0 = 1, printed below), where the Arm ARM makes any SPSR.M[4] = 1 an illegal exception return (ELFromSPSR finds no AArch32 Exception level). The returns to AArch32 SVC/HYP modes are illegal on both (EL1 and EL2 are AArch64 with HCR_EL2.RW = 1): ec_illegal_state compares one with QEMU.
/* An exception return to AArch32 (SPSR.M[4] = 1) on a PE without AArch32:
 * AArch64.ExceptionReturn / IllegalExceptionReturn: EL, SP selection and the
 * Execution state stay, PSTATE.IL is set, NZCV and DAIF come from the SPSR
 * (bits 31:28, 9:6), and the PC is ELR with bits 63:32 and 1:0 UNKNOWN (avsim
 * keeps bits 63:32 and clears bits 1:0). The instruction there takes an
 * Illegal Execution state exception (EC 0x0E) to the current EL's current-SPx
 * vector: ELR = ELR & ~3, SPSR = that PSTATE with IL = 1.
 *   - EL2, SPSR_EL2.M = 0x10 (AArch32 User), DAIF = 0xf (bits 9:6), Z set;
 *   - EL2, the same with ELR 2 past an instruction (bits 1:0 cleared);
 *   - EL1, SPSR_EL1.M = 0x10;
 *   - EL2, SPSR_EL2.M = 0x1a (AArch32 Hyp).
 * Unicorn's CPU has AArch32 EL0 and performs the first ones: avsim brings it
 * back to AArch64 before any AArch32 instruction runs (cpu/pe.c, note_eret);
 * the 64-bit general-purpose registers survive that (Unicorn keeps only 32
 * bits of X0-X14 in AArch32 and banks the rest), which is checked too. */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu

static volatile uint64_t regs_after[4];

/* ERET at EL el with SPSR spsr to label 1 (+ off); x20, x21, x28, x29 hold 64-bit values. */
#define ERET_A32(el, spsr, off)                                                                  \
    __asm__ volatile("adr x6, 1f + " #off "\n\tmsr elr_el" #el ", x6\n\tmov x6, %0\n\t"          \
                     "msr spsr_el" #el ", x6\n\t"                                                \
                     "movz x20, #0x1234, lsl #48\n\tmovk x20, #0x5678\n\t"                       \
                     "movz x21, #0x8765, lsl #32\n\tmovk x21, #0x4321\n\t"                       \
                     "movz x28, #0xaaaa, lsl #48\n\tmovk x28, #0x28\n\t"                         \
                     "movz x29, #0xbbbb, lsl #48\n\tmovk x29, #0x29\n\t" T_MARK "eret\n"         \
                     "1: nop\n\tnop\n2:\n\tadrp x6, regs_after\n\tadd x6, x6, :lo12:regs_after\n\t" \
                     "stp x20, x21, [x6]\n\tstp x28, x29, [x6, #16]\n"                           \
                     :: "r"((uint64_t)(spsr)) : "x6", "x20", "x21", "x28", "x29", T_CLOBBER)

static void check_regs(void)
{
    int ok = regs_after[0] == 0x1234000000005678UL && regs_after[1] == 0x0000876500004321UL &&
             regs_after[2] == 0xaaaa000000000028UL && regs_after[3] == 0xbbbb000000000029UL;
    rt_printf("  x20 x21 x28 x29 %s\n", ok ? "kept" : "CHANGED");
    check(ok, "64-bit registers kept");
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    ERET_A32(1, 0x3d0, 0);
    expect_trap("EL1 eret to AArch32 User", 1, RT_VEC_CUR_SPX, 0x0e, 1, 0, ALL, 0);
    rt_printf("  SPSR=0x%lx\n", SPSR_STABLE(trap.spsr));
    check(SPSR_STABLE(trap.spsr) == 0x1003c5, "SPSR = EL1h, DAIF from SPSR, IL set");
    check_regs();
    return 0;
}

int main(void)
{
    rt_puts("eret_aarch32\n");
    uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1);
    rt_printf("ID_AA64PFR0_EL1: EL0=%lu EL1=%lu EL2=%lu\n", pfr0 & 0xf, (pfr0 >> 4) & 0xf, (pfr0 >> 8) & 0xf);

    trap_reset();
    ERET_A32(2, 0x400003d0, 0);
    expect_trap("EL2 eret to AArch32 User", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, ALL, 0);
    rt_printf("  SPSR=0x%lx, NZCV=0x%lx\n", SPSR_STABLE(trap.spsr), trap.spsr >> 28);
    check(SPSR_STABLE(trap.spsr) == 0x1003c9, "SPSR = EL2h, DAIF from SPSR, IL set");
    check((trap.spsr >> 28) == 0x4, "NZCV from SPSR (Z)");
    check_regs();

    trap_reset();
    ERET_A32(2, 0x1d0, 2);
    expect_trap("EL2 eret to AArch32 User, ELR 2 past an instruction", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, ALL, 0);
    rt_printf("  SPSR=0x%lx\n", SPSR_STABLE(trap.spsr));
    check(SPSR_STABLE(trap.spsr) == 0x1001c9, "SPSR = EL2h, DAIF from SPSR, IL set");

    rt_run_el1(at_el1, 0, 0);

    trap_reset();
    ERET_A32(2, 0x3da, 0);
    expect_trap("EL2 eret to AArch32 Hyp", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, ALL, 0);
    rt_printf("  SPSR=0x%lx\n", SPSR_STABLE(trap.spsr));
    check(SPSR_STABLE(trap.spsr) == 0x1003c9, "SPSR = EL2h, DAIF from SPSR, IL set");
    rt_printf("  CurrentEL after: %lu\n", READ_SYSREG(CurrentEL) >> 2);
    return test_result();
}
