/* A system instruction that traps, not first in its block, run again and
 * again: every run takes the exception. avsim checks such an instruction before
 * its block runs and stops the block there (a cut); the block hook's front
 * cache must not take a block that stopped at a cut for one whose instructions
 * do not trap (it runs blocks without the check while the trap controls stay).
 * Three kinds: an UNDEFINED encoding (decided by the EL alone), a write to
 * SCTLR_EL1 that HCR_EL2.TVM traps to EL2 (EC 0x18), and the first FP/SIMD
 * instruction with CPACR_EL1.FPEN = 0 (EC 0x07), each six times in a loop,
 * with an aligned LDAR before it in the block (checked from its base register
 * as the block starts) and without. */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
static volatile uint64_t buf[2] __attribute__((aligned(16)));

static void undef_run(int with_ldar)
{
    for (int i = 0; i < 6; i++) {
        trap_reset();
        if (with_ldar)
            __asm__ volatile("mov x6, %0\n\t" T_MARK "ldar x5, [x6]\n\tadd x6, x6, #1\n"
                             "1: msr S3_0_C10_C14_0, xzr\n2:\n" :: "r"(&buf[0]) : "x5", "x6", T_CLOBBER);
        else
            __asm__ volatile("mov x6, #1\n\t" T_MARK "add x6, x6, #1\n"
                             "1: msr S3_0_C10_C14_0, xzr\n2:\n" ::: "x5", "x6", T_CLOBBER);
        if (i == 0 || i == 5)
            expect_trap(with_ldar ? (i ? "ldar, then UNDEFINED msr (sixth run)" : "ldar, then UNDEFINED msr")
                                  : (i ? "UNDEFINED msr (sixth run)" : "UNDEFINED msr"),
                        1, RT_VEC_CUR_SPX, 0x00, 1, 0, ALL, 0);
        else
            check(trap.count == 1 && trap.elr == trap_pc, "UNDEFINED msr again");
    }
}

static void fp_run(void)
{
    uint64_t cpacr;
    __asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" :: "r"(cpacr & ~(3ull << 20)));
    for (int i = 0; i < 6; i++) {
        trap_reset();
        __asm__ volatile("mov x6, #1\n\t" T_MARK "add x6, x6, #1\n"
                         "1: fmov d0, x6\n2:\n" ::: "x6", "v0", T_CLOBBER);
        if (i == 0 || i == 5)
            expect_trap(i ? "fmov with FPEN=0 (sixth run)" : "fmov with FPEN=0", 1, RT_VEC_CUR_SPX, 0x07, 1,
                        0x1e00000, ALL, 0);
        else
            check(trap.count == 1 && trap.elr == trap_pc, "fmov with FPEN=0 again");
    }
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" :: "r"(cpacr | (3ull << 20)));
    trap_reset();
    __asm__ volatile("mov x6, #1\n\tadd x6, x6, #1\n\tfmov d0, x6" ::: "x6", "v0");
    rt_printf("fmov with FPEN=3: %lu exceptions\n", trap.count);
    check(trap.count == 0, "fmov with FPEN=3");
}

static void tvm_run(void)
{
    for (int i = 0; i < 6; i++) {
        trap_reset();
        __asm__ volatile("mrs x5, sctlr_el1\n\t" T_MARK "add x6, x5, #1\n"
                         "1: msr sctlr_el1, x5\n2:\n" ::: "x5", "x6", T_CLOBBER);
        if (i == 0 || i == 5)
            expect_trap(i ? "msr sctlr_el1 with TVM (sixth run)" : "msr sctlr_el1 with TVM", 2, RT_VEC_LOWER64,
                        0x18, 1, 0, 0, 0);
        else
            check(trap.count == 1 && trap.elr == trap_pc, "msr sctlr_el1 with TVM again");
    }
}

static uint64_t el1_part1(uint64_t arg)
{
    (void)arg;
    undef_run(0);
    undef_run(1);
    fp_run();
    return 0;
}

static uint64_t el1_part2(uint64_t arg)
{
    (void)arg;
    tvm_run();
    return 0;
}

int main(void)
{
    rt_puts("trap_repeat\n");
    rt_run_el1(el1_part1, 0, 0);
    rt_run_el1(el1_part2, 1ull << 26, 0);      /* HCR_EL2.TVM */
    rt_exit(test_result());
}
