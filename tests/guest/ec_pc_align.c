/* EC 0x22 (PC alignment fault): a BR to an address with bit 1 set. The fault
 * is taken on the fetch at the misaligned PC: ELR = FAR = the misaligned
 * address (printed relative to it as "tgt"), IL=1, ISS=0.
 *   EL2 -> EL2, EL1 -> EL1 (current EL SPx), EL0 -> EL1 (lower EL AArch64). */
#include "trap.h"

TRAP_HANDLERS

/* x6 = address of label 3 + 2, saved in trap_ref; label 3 is never reached. */
#define PCALIGN_ASM                                                     \
    "adr x6, 3f\n\tadd x6, x6, #2\n\tadrp x16, trap_ref\n\t"           \
    "str x6, [x16, :lo12:trap_ref]\n\t" T_MARK "1: br x6\n3: nop\n\tnop\n2:\n"

#define PCALIGN(what, el, vec)                                                  \
    do {                                                                        \
        trap_reset();                                                           \
        __asm__ volatile(PCALIGN_ASM ::: "x6", T_CLOBBER);                      \
        expect_trap_ref(what, el, vec, 0x22, 1, 0, 0x1ffffff, "tgt", 0, 0);     \
    } while (0)

static uint64_t el0_pcalign(uint64_t arg)
{
    (void)arg;
    __asm__ volatile(PCALIGN_ASM ::: "x6", T_CLOBBER);
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    PCALIGN("EL1 br to label+2", 1, RT_VEC_CUR_SPX);
    trap_reset();
    rt_run_el0(el0_pcalign, 0);
    expect_trap_ref("EL0 br to label+2", 1, RT_VEC_LOWER64, 0x22, 1, 0, 0x1ffffff, "tgt", 0, 0);
    return 0;
}

int main(void)
{
    rt_puts("ec_pc_align\n");
    PCALIGN("EL2 br to label+2", 2, RT_VEC_CUR_SPX);
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
