/* EC 0x15 (SVC from AArch64): ISS = imm16, IL=1, ELR = the next instruction.
 *   EL0 -> EL1 (lower EL AArch64 vector)
 *   EL1h -> EL1 (current EL SPx vector), EL1t -> EL1 (current EL SP0 vector)
 *   EL0 with HCR_EL2.TGE=1 -> EL2 (lower EL AArch64 vector)
 *   EL2h -> EL2 (current EL SPx vector) */
#include "trap.h"

TRAP_HANDLERS

EL0_INSN(el0_svc, "svc #0x1234")
EL0_INSN(el0_svc_tge, "svc #0xabcd")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    rt_run_el0(el0_svc, 0);
    expect_trap("EL0 svc #0x1234", 1, RT_VEC_LOWER64, 0x15, 1, 0x1234, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c0, "SPSR = EL0t, DAIF masked");

    trap_reset();
    __asm__ volatile(T_MARK "1: svc #0x5a5a\n2:\n" ::: T_CLOBBER);
    expect_trap("EL1h svc #0x5a5a", 1, RT_VEC_CUR_SPX, 0x15, 1, 0x5a5a, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c5, "SPSR = EL1h");

    /* EL1t: SP_EL0 takes the current stack, SPSel=0 around the SVC. */
    trap_reset();
    __asm__ volatile("mov x9, sp\n\tmsr sp_el0, x9\n\tmsr spsel, #0\n\t" T_MARK
                     "1: svc #0x0001\n2:\n\tmsr spsel, #1\n" ::: "x9", T_CLOBBER);
    expect_trap("EL1t svc #0x0001", 1, RT_VEC_CUR_SP0, 0x15, 1, 0x0001, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c4, "SPSR = EL1t");
    return 0;
}

int main(void)
{
    rt_puts("ec_svc\n");
    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    trap_reset();
    rt_run_el0(el0_svc_tge, 0);
    expect_trap("EL0 svc #0xabcd (TGE=1)", 2, RT_VEC_LOWER64, 0x15, 1, 0xabcd, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c0, "SPSR = EL0t");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();

    trap_reset();
    __asm__ volatile(T_MARK "1: svc #0xffee\n2:\n" ::: T_CLOBBER);
    expect_trap("EL2h svc #0xffee", 2, RT_VEC_CUR_SPX, 0x15, 1, 0xffee, 0x1ffffff, 4);
    check(SPSR_STABLE(trap.spsr) == 0x3c9, "SPSR = EL2h");
    return test_result();
}
