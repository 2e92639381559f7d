/* EC 0x24/0x25 (Data Abort from a lower / the current EL): loads and stores
 * to an unassigned physical address, 0x80000000 (past the RAM of the virt
 * board; the MMU is off, so VA = PA). The access gets a synchronous External
 * abort: DFSC = 0x10, FAR = the faulting address, ELR = the access.
 *   EL1 -> EL1 (EC 0x25, stage 2 off), EL0 -> EL1 (EC 0x24), and EL0 with
 *   HCR_EL2.TGE=1 -> EL2 (EC 0x24). EL2's own aborts are in ec_data_abort_el2.
 * ISS printed field by field: ISV, and when ISV=1 SAS/SSE/SRT/SF/AR; EA, CM,
 * S1PTW, WnR, DFSC.
 *
 * ISV=0 in all of these: the Arm ARM gives a valid instruction syndrome
 * (ISV=1, with SAS/SSE/SRT/SF/AR) only for some stage 2 aborts reported in
 * ESR_EL2; none of these is a stage 2 abort (stage 2 is off). QEMU 7.2 agrees.
 * EA (External abort type) is IMPLEMENTATION DEFINED: the self-check ignores
 * it, but the printed ISS records QEMU's choice, EA=0 for an access to nothing
 * (a decode error), which avsim matches. */
#include "dabt.h"

TRAP_HANDLERS

EL0_INSN_SETUP(el0_ldr, "mov x6, #0x80000000", "ldr x5, [x6, #8]")
EL0_INSN_SETUP(el0_str, "mov x6, #0x80000000", "str w5, [x6, #4]")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    DABT("EL1 ldr x5, [x6]", 1, RT_VEC_CUR_SPX, 0x25, "ldr x5, [x6]", 0, 0, DFSC_EXT, M);
    DABT("EL1 str w5, [x6, #12]", 1, RT_VEC_CUR_SPX, 0x25, "str w5, [x6, #12]", 0, 12,
         WNR | DFSC_EXT, M);
    /* Device memory would fault on an unaligned address first: keep accesses aligned. */
    DABT("EL1 ldrb w5, [x6]", 1, RT_VEC_CUR_SPX, 0x25, "ldrb w5, [x6]", 0x21, 0, DFSC_EXT, M);

    trap_reset();
    rt_run_el0(el0_ldr, 0);
    expect_trap("EL0 ldr x5, [x6, #8]", 1, RT_VEC_LOWER64, 0x24, 1, DFSC_EXT, M, 0);
    print_dabt("", BAD + 8);
    trap_reset();
    rt_run_el0(el0_str, 0);
    expect_trap("EL0 str w5, [x6, #4]", 1, RT_VEC_LOWER64, 0x24, 1, WNR | DFSC_EXT, M, 0);
    print_dabt("", BAD + 4);
    return 0;
}

int main(void)
{
    rt_puts("ec_data_abort\n");
    rt_run_el1(at_el1, 0, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    trap_reset();
    rt_run_el0(el0_ldr, 0);
    expect_trap("EL0 ldr x5, [x6, #8] (TGE=1)", 2, RT_VEC_LOWER64, 0x24, 1, DFSC_EXT, M, 0);
    print_dabt("", BAD + 8);
    trap_reset();
    rt_run_el0(el0_str, 0);
    expect_trap("EL0 str w5, [x6, #4] (TGE=1)", 2, RT_VEC_LOWER64, 0x24, 1, WNR | DFSC_EXT,
                M, 0);
    print_dabt("", BAD + 4);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
