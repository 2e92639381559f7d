/* EC 0x0E (Illegal Execution state). An illegal exception return does not
 * change EL, Execution state or SP selection; it restores NZCV/DAIF from SPSR,
 * sets PSTATE.IL and jumps to ELR. The next instruction (at ELR) then takes
 * EC 0x0E: IL=1, ISS=0, ELR = that instruction, SPSR.IL (bit 20) = 1, taken
 * to the current EL's current-SPx vector.
 *   EL1: ERET with SPSR_EL1.M = EL2h (return to a higher EL).
 *   EL2: ERET with SPSR_EL2.M = AArch32 SVC (0x13) while HCR_EL2.RW=1 (EL1
 *        is AArch64, so an AArch32 EL1 target is illegal).
 *   EL2: ERET to EL1h and EL1t with HCR_EL2.TGE=1 (EL1 is not a legal target then).
 * The SPSR values used have DAIF=0xf, so the resulting PSTATE (and the
 * recorded SPSR) has DAIF masked, the current mode and IL set. */
#include "trap.h"

TRAP_HANDLERS

#define ILLEGAL_ERET(el, spsr)                                                        \
    __asm__ volatile("adr x6, 1f\n\tmsr elr_el" #el ", x6\n\tmov x6, %0\n\t"          \
                     "msr spsr_el" #el ", x6\n\t" T_MARK "eret\n1: nop\n2:\n"         \
                     :: "r"((uint64_t)(spsr)) : "x6", T_CLOBBER)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    ILLEGAL_ERET(1, 0x3c9);
    expect_trap("EL1 eret to EL2h", 1, RT_VEC_CUR_SPX, 0x0e, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x1003c5, "SPSR = EL1h with IL set");
    rt_printf("  CurrentEL after: %lu\n", READ_SYSREG(CurrentEL) >> 2);

    /* PSTATE.IL set by an ERET whose ELR cannot be fetched: the Instruction Abort
     * comes first (it has the higher priority), SPSR_EL1.IL records PSTATE.IL, and
     * taking it clears PSTATE.IL: no Illegal Execution state exception at the
     * vector (tests/gfuzz found avsim taking one there). */
    trap_reset();
    trap_ref = 1ULL << 48;
    __asm__ volatile("mov x6, %0\n\tmsr elr_el1, x6\n\tmov x6, #0x3c5\n\tmovk x6, #0x10, lsl #16\n\t"
                     "msr spsr_el1, x6\n\t" T_MARK "eret\n1: nop\n2:\n"
                     :: "r"(trap_ref) : "x6", T_CLOBBER);
    expect_trap_ref("EL1 eret with SPSR.IL=1 to VA 2^48 (MMU off)", 1, RT_VEC_CUR_SPX, 0x21, 1, 0, 0,
                    "target", 0, 0);
    check(SPSR_STABLE(trap.spsr) == 0x1003c5, "SPSR = EL1h with IL set");

    /* The same with a misaligned ELR: the PC alignment fault has the higher priority. */
    trap_reset();
    __asm__ volatile("adr x6, 1f + 2\n\tmsr elr_el1, x6\n\tmov x6, #0x3c5\n\tmovk x6, #0x10, lsl #16\n\t"
                     "msr spsr_el1, x6\n\t" T_MARK "1: eret\n2:\n" ::: "x6", T_CLOBBER);
    expect_trap("EL1 eret with SPSR.IL=1 to a misaligned ELR", 1, RT_VEC_CUR_SPX, 0x22, 1, 0, 0x1ffffff, 2);
    check(SPSR_STABLE(trap.spsr) == 0x1003c5, "SPSR = EL1h with IL set");
    return 0;
}

int main(void)
{
    rt_puts("ec_illegal_state\n");
    rt_run_el1(at_el1, 0, 0);

    trap_reset();
    ILLEGAL_ERET(2, 0x3d3);
    expect_trap("EL2 eret to AArch32 SVC (RW=1)", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x1003c9, "SPSR = EL2h with IL set");

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    trap_reset();
    ILLEGAL_ERET(2, 0x3c5);
    expect_trap("EL2 eret to EL1h (TGE=1)", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x1003c9, "SPSR = EL2h with IL set");
    /* To EL1t: SP selection stays too (the current-SPx vector; gfuzz seed 38: avsim took
     * the SP0 one, the SPSR's). */
    trap_reset();
    ILLEGAL_ERET(2, 0x3c4);
    expect_trap("EL2 eret to EL1t (TGE=1)", 2, RT_VEC_CUR_SPX, 0x0e, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x1003c9, "SPSR = EL2h with IL set");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("  CurrentEL after: %lu\n", READ_SYSREG(CurrentEL) >> 2);
    return test_result();
}
