/* EC 0x00 (Unknown reason): UDF, unallocated system register encodings, EL2
 * registers accessed from EL1, EL1 registers from EL0, HVC/SMC at EL0, HVC
 * with HCR_EL2.HCD=1 at EL2 and EL1, VHE registers on a CPU without VHE. All are UNDEFINED: taken to the current
 * EL (EL0 -> EL1), ESR.IL=1, ISS=0, ELR = the instruction itself. */
#include "trap.h"

TRAP_HANDLERS

#define V_CUR (RT_VEC_CUR_SPX + RT_SYNC)
#define V_LOW (RT_VEC_LOWER64 + RT_SYNC)

#define UNDEF(what, el, vec, insn)                                   \
    do {                                                             \
        trap_reset();                                                \
        __asm__ volatile(T_MARK "1: " insn "\n2:\n" ::: "x0", T_CLOBBER); \
        expect_trap(what, el, vec, 0x00, 1, 0, 0x1ffffff, 0);        \
    } while (0)

EL0_INSN(el0_udf, "udf #0")
EL0_INSN(el0_hvc, "hvc #1")
EL0_INSN(el0_smc, "smc #1")
EL0_INSN(el0_mrs_sctlr, "mrs x0, sctlr_el1")
EL0_INSN(el0_msr_vbar, "msr vbar_el1, xzr")
EL0_INSN(el0_mrs_unalloc, "mrs x0, S3_2_C1_C0_0")

#define UNDEF_EL0(what, fn)                                     \
    do {                                                        \
        trap_reset();                                           \
        rt_run_el0(fn, 0);                                      \
        expect_trap(what, 1, V_LOW, 0x00, 1, 0, 0x1ffffff, 0);  \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    UNDEF("EL1 udf #0xbeef", 1, V_CUR, "udf #0xbeef");
    UNDEF("EL1 mrs S3_2_C1_C0_0", 1, V_CUR, "mrs x0, S3_2_C1_C0_0");
    UNDEF("EL1 msr S3_2_C1_C0_0", 1, V_CUR, "msr S3_2_C1_C0_0, x0");
    UNDEF("EL1 mrs hcr_el2", 1, V_CUR, "mrs x0, hcr_el2");
    UNDEF("EL1 msr vbar_el2", 1, V_CUR, "msr vbar_el2, xzr");
    UNDEF("EL1 mrs elr_el2", 1, V_CUR, "mrs x0, elr_el2");
    UNDEF_EL0("EL0 udf #0", el0_udf);
    UNDEF_EL0("EL0 hvc #1", el0_hvc);
    UNDEF_EL0("EL0 smc #1", el0_smc);
    UNDEF_EL0("EL0 mrs sctlr_el1", el0_mrs_sctlr);
    UNDEF_EL0("EL0 msr vbar_el1", el0_msr_vbar);
    UNDEF_EL0("EL0 mrs S3_2_C1_C0_0", el0_mrs_unalloc);
    return 0;
}

/* Last stage, entered with HCR_EL2.HCD=1: HVC is UNDEFINED at EL1. The usual
 * HVC-based return to EL2 is unavailable, so this stage ends the run. */
static uint64_t at_el1_hcd(uint64_t arg)
{
    (void)arg;
    UNDEF("EL1 hvc #2 (HCD=1)", 1, V_CUR, "hvc #2");
    rt_exit(test_result());
}

int main(void)
{
    rt_puts("ec_unknown\n");
    UNDEF("EL2 udf #0x1234", 2, V_CUR, "udf #0x1234");
    UNDEF("EL2 mrs S3_2_C1_C0_0", 2, V_CUR, "mrs x0, S3_2_C1_C0_0");
    UNDEF("EL2 mrs S3_4_C1_C0_7", 2, V_CUR, "mrs x0, S3_4_C1_C0_7");
    /* VHE registers on a CPU without FEAT_VHE, and _EL12 aliases with E2H=0 (found by
     * tests/gfuzz: avsim ran them without the UNDEFINED check). */
    UNDEF("EL2 mrs afsr0_el12 (E2H=0)", 2, V_CUR, "mrs x0, S3_5_C5_C1_0");
    UNDEF("EL2 mrs cnthv_cval_el2 (no VHE)", 2, V_CUR, "mrs x0, S3_4_C14_C3_2");
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_HCD);
    ISB();
    UNDEF("EL2 hvc #3 (HCD=1)", 2, V_CUR, "hvc #3");
    rt_run_el1(at_el1, 0, 0);
    rt_run_el1(at_el1_hcd, HCR_HCD, 0);
    return 1;
}
