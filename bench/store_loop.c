/* Benchmark image: one store per 7 instructions.
 *
 * ~50 M guest instructions. The inner loop (inline assembly, so the count and
 * mix do not depend on the compiler) is 7 instructions with exactly one store:
 *   ldr, add, eor, str, add, sub, cbnz
 * and runs 1024 times per outer pass; 7000 outer passes give
 * 7000 * 1024 * 7 = 50.2 M instructions (+ ~4 per outer pass).
 * Every guest store takes a slow path in Unicorn 2.0.1 (see bench/README.md),
 * so this image shows what a store-heavy guest costs on each engine.
 * Prints a checksum (exits 0). Runs when started at EL2 or EL1. */
#include "rt/rt.h"

#define WORDS  1024
#define PASSES 7000

/* Page-aligned so that no code shares a page with the stored-to data. */
static uint64_t buf[WORDS + 1] __attribute__((aligned(4096)));

int main(void)
{
    for (int i = 0; i <= WORDS; i++)
        buf[i] = (uint64_t)i * 0x9e3779b97f4a7c15UL;

    uint64_t acc = 1, k, t;
    for (unsigned pass = 0; pass < PASSES; pass++) {
        k = WORDS;
        __asm__ volatile(
            "1:\n"
            "   ldr     %[t], [%[buf], %[k], lsl #3]\n"
            "   add     %[t], %[t], %[acc]\n"
            "   eor     %[acc], %[acc], %[t], ror #7\n"
            "   str     %[t], [%[buf], %[k], lsl #3]\n"   /* the one store */
            "   add     %[acc], %[acc], #3\n"
            "   sub     %[k], %[k], #1\n"
            "   cbnz    %[k], 1b\n"
            : [acc] "+r"(acc), [k] "+r"(k), [t] "=&r"(t)
            : [buf] "r"(buf)
            : "memory");
    }

    uint64_t sum = 0;
    for (int i = 0; i <= WORDS; i++)
        sum = (sum ^ buf[i]) * 31;
    rt_printf("store_loop: %u passes, checksum %016lx %016lx\n", PASSES, acc, sum);
    return 0;
}
