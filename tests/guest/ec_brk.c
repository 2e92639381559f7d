/* EC 0x3C (BRK instruction from AArch64): ISS = imm16, IL=1, and ELR = the
 * BRK itself (the preferred return address of a BRK is the instruction).
 *   EL2 -> EL2 (current EL SPx), EL1 -> EL1 (current EL SPx),
 *   EL0 -> EL1 (lower EL AArch64), EL0 with HCR_EL2.TGE=1 -> EL2,
 *   EL1 with MDCR_EL2.TDE=1 -> EL2 (debug exceptions routed to EL2). */
#include "trap.h"

TRAP_HANDLERS

EL0_INSN(el0_brk, "brk #0x3333")

#define MDCR_TDE (1UL << 8)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile(T_MARK "1: brk #0x1111\n2:\n" ::: T_CLOBBER);
    expect_trap("EL1 brk #0x1111", 1, RT_VEC_CUR_SPX, 0x3c, 1, 0x1111, 0x1ffffff, 0);
    trap_reset();
    rt_run_el0(el0_brk, 0);
    expect_trap("EL0 brk #0x3333", 1, RT_VEC_LOWER64, 0x3c, 1, 0x3333, 0x1ffffff, 0);
    return 0;
}

static uint64_t at_el1_tde(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile(T_MARK "1: brk #0x4444\n2:\n" ::: T_CLOBBER);
    expect_trap("EL1 brk #0x4444 (MDCR_EL2.TDE=1)", 2, RT_VEC_LOWER64, 0x3c, 1, 0x4444,
                0x1ffffff, 0);
    return 0;
}

int main(void)
{
    rt_puts("ec_brk\n");
    trap_reset();
    __asm__ volatile(T_MARK "1: brk #0x2222\n2:\n" ::: T_CLOBBER);
    expect_trap("EL2 brk #0x2222", 2, RT_VEC_CUR_SPX, 0x3c, 1, 0x2222, 0x1ffffff, 0);
    trap_reset();
    __asm__ volatile(T_MARK "1: brk #0\n2:\n" ::: T_CLOBBER);
    expect_trap("EL2 brk #0", 2, RT_VEC_CUR_SPX, 0x3c, 1, 0, 0x1ffffff, 0);

    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    trap_reset();
    rt_run_el0(el0_brk, 0);
    expect_trap("EL0 brk #0x3333 (TGE=1)", 2, RT_VEC_LOWER64, 0x3c, 1, 0x3333, 0x1ffffff, 0);

    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    ISB();
    rt_run_el1(at_el1_tde, 0, 0);
    WRITE_SYSREG(mdcr_el2, mdcr);
    ISB();
    return test_result();
}
