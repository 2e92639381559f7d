/* Benchmark image: HVC round trips between EL1 and EL2.
 *
 * EL2 drops to EL1; EL1 executes HVC_COUNT `hvc #0` instructions in a tight
 * loop; EL2's handler for "synchronous exception from a lower EL" checks that
 * it is an HVC, counts it and returns at once with ERET. Each iteration is
 * therefore one full exception entry (EL1 -> EL2) and one exception return
 * (EL2 -> EL1) plus 14 instructions (3 at EL1, 11 at EL2). EL1 then prints
 * the count and exits.
 *
 * The handler is a hand-written vector entry, not the runtime's C dispatcher,
 * so that the figure measures the exception round trip itself rather than
 * saving and restoring 31 registers. All other vectors forward to the
 * runtime's table (which reports anything unexpected and exits with 100).
 * Needs to start at EL2 (avsim, QEMU); at EL1 it prints a notice and exits 2. */
#include "rt/rt.h"

#define HVC_COUNT 1000000UL

volatile uint64_t hvc_count;     /* incremented by the EL2 handler */

/* 16 entries of 128 bytes; entry 8 = lower EL using AArch64, synchronous. */
__asm__(
    "   .text\n"
    "   .balign 2048\n"
    "   .global pingpong_vectors\n"
    "pingpong_vectors:\n"
    "   .irp i, 0,1,2,3,4,5,6,7\n"
    "   .balign 128\n"
    "   b       rt_vectors_el2 + 128 * \\i\n"
    "   .endr\n"
    "   .balign 128\n"                          /* entry 8 */
    "   stp     x9, x10, [sp, #-16]!\n"
    "   mrs     x9, esr_el2\n"
    "   lsr     x9, x9, #26\n"
    "   cmp     x9, #0x16\n"                    /* EC 0x16: HVC from AArch64 */
    "   b.ne    1f\n"
    "   adrp    x9, hvc_count\n"
    "   ldr     x10, [x9, :lo12:hvc_count]\n"
    "   add     x10, x10, #1\n"
    "   str     x10, [x9, :lo12:hvc_count]\n"
    "   ldp     x9, x10, [sp], #16\n"
    "   eret\n"                                 /* back to the instruction after the HVC */
    "1: ldp     x9, x10, [sp], #16\n"
    "   b       rt_vectors_el2 + 128 * 8\n"     /* not an HVC: let the runtime report it */
    "   .irp i, 9,10,11,12,13,14,15\n"
    "   .balign 128\n"
    "   b       rt_vectors_el2 + 128 * \\i\n"
    "   .endr\n");
extern char pingpong_vectors[];

static void guest(uint64_t n)
{
    uint64_t left = n;
    __asm__ volatile(
        "1: hvc     #0\n"
        "   subs    %[left], %[left], #1\n"
        "   b.ne    1b\n"
        : [left] "+r"(left)
        :
        : "cc", "memory");
    rt_printf("hvc_pingpong: %lu round trips, EL2 counted %lu\n", n, hvc_count);
    rt_exit(hvc_count == n ? 0 : 1);
}

int main(void)
{
    if ((READ_SYSREG(CurrentEL) >> 2) != 2) {
        rt_printf("hvc_pingpong: must start at EL2\n");
        return 2;
    }
    WRITE_SYSREG(vbar_el2, (uint64_t)pingpong_vectors);
    ISB();
    rt_enter_el1(guest, 0, HVC_COUNT);
}
