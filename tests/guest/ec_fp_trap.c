/* EC 0x07 (Access to SIMD/FP): traps of `fmov d0, xzr` by CPACR_EL1.FPEN (to
 * EL1) and CPTR_EL2.TFP (to EL2). IL=1, ISS as reported for an AArch64
 * instruction: CV=1 COND=0xe => 0x1e00000. ELR = the FP instruction.
 *   EL1, FPEN=00 -> EL1; EL1, FPEN=11, TFP=1 -> EL2; EL1, FPEN=00, TFP=1 ->
 *   EL1 (the EL1 trap has priority); EL0, FPEN=01 -> EL1 (01 traps EL0
 *   only); EL0, FPEN=11, TFP=1 -> EL2; EL2, TFP=1 -> EL2; FPEN=11, TFP=0 -> no
 *   trap, and the value written to d0 reads back. */
#include "trap.h"

TRAP_HANDLERS

#define FP_ASM(insn) ".arch_extension fp\n\t" insn
#define CPTR_TFP (1UL << 10)
#define FP_ISS 0x1e00000u

#define CPACR_FPEN(v) ((uint64_t)(v) << 20)

EL0_INSN(el0_fp, FP_ASM("fmov d0, xzr"))

static void fp_insn(void)
{
    __asm__ volatile(T_MARK "1: " FP_ASM("fmov d0, xzr") "\n2:\n" ::: T_CLOBBER);
}

static void set_fpen(unsigned v)
{
    WRITE_SYSREG(cpacr_el1, CPACR_FPEN(v));
    ISB();
}

/* arg: CPTR_EL2.TFP in effect (set by EL2 before entering). */
static uint64_t at_el1(uint64_t tfp)
{
    if (!tfp) {
        set_fpen(0);
        trap_reset();
        fp_insn();
        expect_trap("EL1 fmov (FPEN=00)", 1, RT_VEC_CUR_SPX, 0x07, 1, FP_ISS, 0x1ffffff, 0);

        set_fpen(1);
        trap_reset();
        rt_run_el0(el0_fp, 0);
        expect_trap("EL0 fmov (FPEN=01)", 1, RT_VEC_LOWER64, 0x07, 1, FP_ISS, 0x1ffffff, 0);
        trap_reset();
        fp_insn();
        expect_no_trap("EL1 fmov (FPEN=01)");

        set_fpen(3);
        trap_reset();
        uint64_t v;
        __asm__ volatile(FP_ASM("fmov d0, %1\n\tfmov %0, d0") : "=r"(v) : "r"(0x1234abcdUL));
        rt_printf("EL1 fmov d0 round trip (FPEN=11, TFP=0): 0x%lx\n", v);
        check(v == 0x1234abcdUL, "d0 value");
        expect_no_trap("EL1 fmov (FPEN=11, TFP=0)");
        return 0;
    }
    set_fpen(3);
    trap_reset();
    fp_insn();
    expect_trap("EL1 fmov (FPEN=11, TFP=1)", 2, RT_VEC_LOWER64, 0x07, 1, FP_ISS, 0x1ffffff, 0);
    trap_reset();
    rt_run_el0(el0_fp, 0);
    expect_trap("EL0 fmov (FPEN=11, TFP=1)", 2, RT_VEC_LOWER64, 0x07, 1, FP_ISS, 0x1ffffff, 0);
    set_fpen(0);
    trap_reset();
    fp_insn();
    expect_trap("EL1 fmov (FPEN=00, TFP=1)", 1, RT_VEC_CUR_SPX, 0x07, 1, FP_ISS, 0x1ffffff, 0);
    return 0;
}

int main(void)
{
    rt_puts("ec_fp_trap\n");
    uint64_t cptr = READ_SYSREG(cptr_el2) & ~CPTR_TFP;
    WRITE_SYSREG(cptr_el2, cptr);
    ISB();
    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(cptr_el2, cptr | CPTR_TFP);
    ISB();
    rt_run_el1(at_el1, 0, 1);
    trap_reset();
    fp_insn();
    expect_trap("EL2 fmov (TFP=1)", 2, RT_VEC_CUR_SPX, 0x07, 1, FP_ISS, 0x1ffffff, 0);
    WRITE_SYSREG(cptr_el2, cptr);
    ISB();
    trap_reset();
    fp_insn();
    expect_no_trap("EL2 fmov (TFP=0)");
    return test_result();
}
