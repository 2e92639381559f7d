/* EC 0x20/0x21 (Instruction Abort from a lower / the current EL): a branch to
 * an unassigned physical address, 0x80000000 (MMU off, VA = PA). The fetch
 * gets a synchronous External abort: IFSC = 0x10, IL=1, ELR = FAR = the
 * branch target (the faulting PC).
 *   EL2 -> EL2 (0x21), EL1 -> EL1 (0x21, stage 2 off), EL0 -> EL1 (0x20),
 *   EL0 with HCR_EL2.TGE=1 -> EL2 (0x20).
 * EA (ISS bit 9) is IMPLEMENTATION DEFINED: the self-check ignores it, but the
 * printed ISS records QEMU's choice, EA=0 for a decode error, which avsim
 * matches. */
#include "trap.h"

TRAP_HANDLERS

#define BAD 0x80000000UL
#define IFSC_EXT 0x10u
#define M (0x1ffffffu & ~(1u << 9))

#define IABT(what, el, vec, ec)                                                   \
    do {                                                                          \
        trap_reset();                                                             \
        __asm__ volatile("mov x6, %0\n\t" T_MARK "1: blr x6\n2:\n" :: "r"(BAD)      \
                         : "x6", "x30", T_CLOBBER);                               \
        expect_trap_ref(what, el, vec, ec, 1, IFSC_EXT, M, "BAD", 0, 0);          \
    } while (0)

EL0_INSN_SETUP(el0_jump, "mov x6, #0x80000000", "blr x6")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    IABT("EL1 blr 0x80000000", 1, RT_VEC_CUR_SPX, 0x21);
    trap_reset();
    rt_run_el0(el0_jump, 0);
    expect_trap_ref("EL0 blr 0x80000000", 1, RT_VEC_LOWER64, 0x20, 1, IFSC_EXT, M, "BAD", 0, 0);
    return 0;
}

int main(void)
{
    rt_puts("ec_insn_abort\n");
    trap_ref = BAD;
    IABT("EL2 blr 0x80000000", 2, RT_VEC_CUR_SPX, 0x21);
    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    trap_reset();
    rt_run_el0(el0_jump, 0);
    expect_trap_ref("EL0 blr 0x80000000 (TGE=1)", 2, RT_VEC_LOWER64, 0x20, 1, IFSC_EXT, M, "BAD",
                    0, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
