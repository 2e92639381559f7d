// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 swaps Op1 and Op2 in the ISS of a trapped MSR DAIFSet/DAIFClr (ISS 0x793e4 for daifset, #2: Op1 6, Op2 3; the instruction has Op1 3, Op2 6, ESR_ELx ISS encoding for EC 0x18). It agrees otherwise (EC, ELR, MRS/MSR DAIF, UMA = 1).
/* PSTATE.{D,A,I,F} from EL0 (AArch64.CheckDAIFAccess, MRS/MSR DAIF): with SCTLR_EL1.UMA = 0,
 * MSR DAIFSet/DAIFClr (immediate) and MRS/MSR DAIF trap to EL1 with EC 0x18 (ISS: Op0 0 or
 * 3, CRn 4, CRm the immediate for the immediate forms, Rt 31 for them, ELR = the
 * instruction); with UMA = 1 they run. Run from EL1 (QEMU 7.2 loops on the trap when EL0
 * is entered from EL2 directly). Found by gfuzz (avsim took the immediate forms as
 * UNDEFINED, EC 0x00). */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define UMA (1UL << 9)

EL0_INSN(el0_daifset, "msr daifset, #2")
EL0_INSN(el0_daifclr, "msr daifclr, #0xd")
EL0_INSN(el0_mrs_daif, "mrs x0, daif")
EL0_INSN(el0_msr_daif, "msr daif, xzr")

static uint64_t el0_daif_roundtrip(uint64_t arg)
{
    uint64_t before, after;
    __asm__ volatile("mrs %0, daif\n\tmsr daifset, #4\n\tmrs %1, daif\n\tmsr daifclr, #4"
                     : "=r"(before), "=r"(after));
    (void)arg;
    return ((before >> 6) & 0xf) << 4 | ((after >> 6) & 0xf);
}

#define TRAPPED(what, fn, iss)                                                          \
    do {                                                                                \
        trap_reset();                                                                   \
        rt_run_el0(fn, 0);                                                              \
        expect_trap(what, 1, RT_VEC_LOWER64, 0x18, 1, iss, ALL, 0);                     \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t sctlr = READ_SYSREG(sctlr_el1);
    WRITE_SYSREG(sctlr_el1, sctlr & ~UMA);
    __asm__ volatile("isb");
    rt_puts("SCTLR_EL1.UMA = 0:\n");
    TRAPPED("EL0 msr daifset, #2", el0_daifset, SYSREG_ISS(0, 3, 4, 2, 6, 31, 0));
    TRAPPED("EL0 msr daifclr, #0xd", el0_daifclr, SYSREG_ISS(0, 3, 4, 0xd, 7, 31, 0));
    TRAPPED("EL0 mrs x0, daif", el0_mrs_daif, SYSREG_ISS(3, 3, 4, 2, 1, 0, 1));
    TRAPPED("EL0 msr daif, xzr", el0_msr_daif, SYSREG_ISS(3, 3, 4, 2, 1, 31, 0));
    WRITE_SYSREG(sctlr_el1, sctlr | UMA);
    __asm__ volatile("isb");
    trap_reset();
    uint64_t r = rt_run_el0(el0_daif_roundtrip, 0);
    rt_printf("SCTLR_EL1.UMA = 1: EL0 DAIF 0x%lx, after msr daifset, #4: 0x%lx; %lu exceptions\n", r >> 4,
              r & 0xf, trap.count);
    check(trap.count == 0, "no trap with UMA = 1");
    check((r & 0xf) == ((r >> 4) | 2), "PSTATE.I set by EL0");
    WRITE_SYSREG(sctlr_el1, sctlr);
    return 0;
}

int main(void)
{
    rt_puts("el0_daif\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
