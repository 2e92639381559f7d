// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 wrongly reports ISV=1 (with SAS/SSE/SRT/SF/AR) in ESR_EL2 for EL2's own (stage 1 regime) data aborts; the Arm ARM makes ISV=0 for every fault reported in ESR_EL2 except some stage 2 aborts (QEMU fixed this in 8.0).
/* EC 0x25 (Data Abort from the current EL) at EL2: loads and stores to an
 * unassigned physical address, 0x80000000 (MMU off, VA = PA), get a
 * synchronous External abort: DFSC = 0x10, FAR_EL2 = the faulting address,
 * ELR = the access, WnR = 1 for stores, taken to the current EL SPx vector.
 *
 * ISV: the Arm ARM (ESR_ELx, ISS encoding for a Data Abort) says ISV is 0
 * for all faults reported in ESR_EL2 except listed stage 2 aborts; these are
 * not stage 2 aborts, so ISV=0 and ISS[23:14] (SAS, SSE, SRT, SF, AR) are 0.
 * QEMU 7.2 instead reports ISV=1 with the instruction syndrome, e.g.
 * ESR_EL2.ISS = 0x1c58010 for "ldr x5, [x6]" (ISV=1 SAS=3 SRT=5 SF=1), a bug
 * that QEMU 8.0 fixed ("ISV is only set for stage-2 data aborts routed to
 * EL2"). expected/ec_data_abort_el2.out is the QEMU 7.2 output with those
 * ISS[24:14] bits cleared, checked field by field against the Arm ARM.
 * EA is IMPLEMENTATION DEFINED: the self-check ignores it, but the printed
 * ISS records QEMU's choice, EA=0 for a decode error, which avsim matches. */
#include "dabt.h"

TRAP_HANDLERS

int main(void)
{
    rt_puts("ec_data_abort_el2\n");
    DABT("EL2 ldr x5, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldr x5, [x6]", 0, 0, DFSC_EXT, M);
    DABT("EL2 str x5, [x6, #8]", 2, RT_VEC_CUR_SPX, 0x25,
         "str x5, [x6, #8]", 0, 8, WNR | DFSC_EXT, M);
    DABT("EL2 ldr w7, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldr w7, [x6]", 0x10, 0, DFSC_EXT, M);
    DABT("EL2 strh w5, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "strh w5, [x6]", 0x2, 0, WNR | DFSC_EXT, M);
    DABT("EL2 ldrsb x5, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldrsb x5, [x6]", 0x3, 0, DFSC_EXT, M);
    DABT("EL2 ldrsh w5, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldrsh w5, [x6]", 0x6, 0, DFSC_EXT, M);
    DABT("EL2 ldrsw x5, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldrsw x5, [x6]", 0x4, 0, DFSC_EXT, M);
    DABT("EL2 ldp x5, x7, [x6]", 2, RT_VEC_CUR_SPX, 0x25, "ldp x5, x7, [x6]", 0, 0, DFSC_EXT, M);
    return test_result();
}
