/* EC 0x16 (HVC from AArch64): always taken to EL2; ISS = imm16, IL=1,
 * ELR = the next instruction.
 *   EL1h -> EL2 (lower EL AArch64 vector), SPSR_EL2 = EL1h
 *   EL2h -> EL2 (current EL SPx vector), EL2t -> EL2 (current EL SP0 vector)
 * Also: x0-x3 pass through unchanged in both directions. */
#include "trap.h"

TRAP_HANDLERS

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    register uint64_t x0 __asm__("x0") = 0x1111;
    register uint64_t x1 __asm__("x1") = 0x2222;
    trap_reset();
    __asm__ volatile(T_MARK "1: hvc #0x4242\n2:\n" : "+r"(x0), "+r"(x1) :: T_CLOBBER);
    uint64_t r0 = x0, r1 = x1;
    expect_trap("EL1 hvc #0x4242", 2, RT_VEC_LOWER64, 0x16, 1, 0x4242, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c5, "SPSR = EL1h");
    check(r0 == 0x1111 && r1 == 0x2222, "registers preserved");

    trap_reset();
    __asm__ volatile(T_MARK "1: hvc #0\n2:\n" ::: T_CLOBBER);
    expect_trap("EL1 hvc #0", 2, RT_VEC_LOWER64, 0x16, 1, 0, 0x1ffffff, 4);
    return 0;
}

int main(void)
{
    rt_puts("ec_hvc\n");
    rt_run_el1(at_el1, 0, 0);

    trap_reset();
    __asm__ volatile(T_MARK "1: hvc #0xfffe\n2:\n" ::: T_CLOBBER);
    expect_trap("EL2h hvc #0xfffe", 2, RT_VEC_CUR_SPX, 0x16, 1, 0xfffe, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c9, "SPSR = EL2h");

    trap_reset();
    __asm__ volatile("mov x9, sp\n\tmsr sp_el0, x9\n\tmsr spsel, #0\n\t" T_MARK
                     "1: hvc #0x0007\n2:\n\tmsr spsel, #1\n" ::: "x9", T_CLOBBER);
    expect_trap("EL2t hvc #0x0007", 2, RT_VEC_CUR_SP0, 0x16, 1, 0x0007, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c8, "SPSR = EL2t");
    return test_result();
}
