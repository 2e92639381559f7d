/* Benchmark image: ALU + loads, no stores in the hot loop.
 *
 * ~200 M guest instructions. The hot loop is written in inline assembly so the
 * instruction count and mix do not depend on the compiler version or flags:
 * 10 instructions per iteration (2 loads, 6 ALU, subs + b.ne), 20,000,000
 * iterations over a 4 KiB table (the second load's index depends on the first).
 * Prints a checksum that is the same on every engine (and exits 0).
 * Runs when started at EL2 (avsim, QEMU) or EL1 (bench/plain_unicorn). */
#include "rt/rt.h"

#define TABLE_WORDS 512                 /* 4 KiB, a power of two */
#define ITERATIONS  20000000UL          /* x 10 instructions = 200 M */

static uint64_t table[TABLE_WORDS] __attribute__((aligned(4096)));

int main(void)
{
    /* Fill the table with a simple deterministic sequence (LCG). This
     * prologue is a few thousand instructions, negligible next to the loop. */
    uint64_t s = 0x0123456789abcdefUL;
    for (int i = 0; i < TABLE_WORDS; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        table[i] = s;
    }

    uint64_t acc = 0x9e3779b97f4a7c15UL, idx = 0, n = ITERATIONS;
    uint64_t t0, t1;
    __asm__ volatile(
        "1:\n"
        "   ldr     %[t0], [%[tab], %[idx], lsl #3]\n"   /* load 1          */
        "   add     %[acc], %[acc], %[t0]\n"             /* ALU             */
        "   add     %[idx], %[idx], %[t0], lsr #55\n"    /* data-dependent index */
        "   and     %[idx], %[idx], #511\n"
        "   ldr     %[t1], [%[tab], %[idx], lsl #3]\n"   /* load 2          */
        "   eor     %[acc], %[t1], %[acc], ror #13\n"
        "   add     %[idx], %[idx], #1\n"
        "   and     %[idx], %[idx], #511\n"
        "   subs    %[n], %[n], #1\n"
        "   b.ne    1b\n"
        : [acc] "+r"(acc), [idx] "+r"(idx), [n] "+r"(n), [t0] "=&r"(t0), [t1] "=&r"(t1)
        : [tab] "r"(table)
        : "cc", "memory");

    rt_printf("compute_loop: %lu iterations, checksum %016lx\n", ITERATIONS, acc);
    return 0;
}
