// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 does not implement SP alignment checking (SCTLR_ELx.SA/SA0 are ignored, EC 0x26 is never raised); the Arm ARM faults a load/store using a misaligned SP as base.
/* EC 0x26 (SP alignment fault): with SCTLR_ELx.SA (SA0 for EL0) set, a load
 * or store whose base register is SP faults if SP is not 16-byte aligned. The
 * SP used here is misaligned by 8, so the 8-byte access itself is naturally
 * aligned (no alignment fault for Device memory, MMU off): only the SP check
 * can fault. IL=1, ISS=0 (RES0), ELR = the load/store; FAR is UNKNOWN and not
 * printed. The faulting code runs with SP_EL0 (EL0t, EL1t, EL2t) so the
 * handler runs on the (aligned) SP_ELx.
 *   EL0, SCTLR_EL1.SA0=1 -> EL1 lower EL AArch64 vector
 *   EL1t, SCTLR_EL1.SA=1 -> EL1 current EL SP0 vector
 *   EL2t, SCTLR_EL2.SA=1 -> EL2 current EL SP0 vector
 *   SA0=0 / SA=0: no fault.
 * On QEMU 7.2 no case faults; expected/ec_sp_align.out is written by hand
 * from the Arm ARM (CheckSPAlignment(), ESR_ELx EC 0x26). */
#include "trap.h"

TRAP_HANDLERS

#define SCTLR_SA (1UL << 3)
#define SCTLR_SA0 (1UL << 4)

/* SP -= 8 (misaligned), load through SP, restore SP. x7 keeps the old SP. */
#define SP_LOAD "mov x7, sp\n\tsub x6, x7, #8\n\tmov sp, x6\n\t" T_MARK "1: ldr x5, [sp]\n2:\n\tmov sp, x7\n"
/* The same on SP_EL0 at the current EL (SPSel=0 around it). */
#define SPT_LOAD                                                              \
    "mov x7, sp\n\tsub x6, x7, #8\n\tmsr sp_el0, x6\n\tmsr spsel, #0\n\t" T_MARK \
    "1: ldr x5, [sp]\n2:\n\tmsr spsel, #1\n"

static uint64_t el0_sp_load(uint64_t arg)
{
    (void)arg;
    __asm__ volatile(SP_LOAD ::: "x5", "x6", "x7", T_CLOBBER);
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t sctlr = READ_SYSREG(sctlr_el1);

    WRITE_SYSREG(sctlr_el1, sctlr | SCTLR_SA0);
    ISB();
    trap_reset();
    rt_run_el0(el0_sp_load, 0);
    expect_trap("EL0 ldr x5, [sp] (SA0=1)", 1, RT_VEC_LOWER64, 0x26, 1, 0, 0x1ffffff, 0);

    WRITE_SYSREG(sctlr_el1, sctlr & ~SCTLR_SA0);
    ISB();
    trap_reset();
    rt_run_el0(el0_sp_load, 0);
    expect_no_trap("EL0 ldr x5, [sp] (SA0=0)");

    WRITE_SYSREG(sctlr_el1, sctlr | SCTLR_SA);
    ISB();
    trap_reset();
    __asm__ volatile(SPT_LOAD ::: "x5", "x6", "x7", T_CLOBBER);
    expect_trap("EL1t ldr x5, [sp] (SA=1)", 1, RT_VEC_CUR_SP0, 0x26, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x3c4, "SPSR = EL1t");

    WRITE_SYSREG(sctlr_el1, sctlr & ~SCTLR_SA);
    ISB();
    trap_reset();
    __asm__ volatile(SPT_LOAD ::: "x5", "x6", "x7", T_CLOBBER);
    expect_no_trap("EL1t ldr x5, [sp] (SA=0)");

    WRITE_SYSREG(sctlr_el1, sctlr);
    ISB();
    return 0;
}

int main(void)
{
    rt_puts("ec_sp_align\n");
    rt_run_el1(at_el1, 0, 0);

    uint64_t sctlr = READ_SYSREG(sctlr_el2);
    WRITE_SYSREG(sctlr_el2, sctlr | SCTLR_SA);
    ISB();
    trap_reset();
    __asm__ volatile(SPT_LOAD ::: "x5", "x6", "x7", T_CLOBBER);
    expect_trap("EL2t ldr x5, [sp] (SA=1)", 2, RT_VEC_CUR_SP0, 0x26, 1, 0, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x3c8, "SPSR = EL2t");

    WRITE_SYSREG(sctlr_el2, sctlr & ~SCTLR_SA);
    ISB();
    trap_reset();
    __asm__ volatile(SPT_LOAD ::: "x5", "x6", "x7", T_CLOBBER);
    expect_no_trap("EL2t ldr x5, [sp] (SA=0)");
    WRITE_SYSREG(sctlr_el2, sctlr);
    ISB();
    return test_result();
}
