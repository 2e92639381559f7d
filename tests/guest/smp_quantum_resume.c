// AVSIM-ARGS: --smp=2 --quantum=997
// QEMU-ARGS: -smp 2
/* Two PEs run the same loop at once, and each turn of the round robin ends
 * at some block boundary inside it. The loop is built to catch a PE that
 * resumes at the wrong instruction after its turn:
 *   - with SCTLR_EL2.SA=1, `ldr x3, [sp]` after `mov sp, x9` (an SP avsim
 *     cannot know before the block runs) makes avsim stop inside the first
 *     block to check the alignment there, with a Unicorn code hook (deleted
 *     afterwards, but listed until the PE's turn ends);
 *   - in the second block, `mrs x2, tpidr_el2` leaves its own address in
 *     Unicorn's PC, `add` counts, and `b 2f` jumps straight (chained) into
 *     the third block, where a turn may end.
 * Unicorn 2.0.1 does not reset the PC to the next block's start when a run
 * is stopped from its block hook while any code hook is listed: a PE that
 * resumed from that PC ran the MRS and the ADD twice (Linux with --smp=2
 * added its per-CPU offset twice). Each PE reports its count of ADDs and of
 * loop turns, which must be equal. */
#include "rt/rt.h"
#include "psci.h"

#define TURNS 4000
#define SCTLR_SA (1UL << 3)

static volatile uint64_t counts[2][2];
static volatile uint32_t done[2];

static void count_loop(unsigned pe)
{
    uint64_t adds = 0, turns = 0;
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | SCTLR_SA);
    ISB();
    __asm__ volatile("1: mov x9, sp\n"
                     "   mov sp, x9\n"
                     "   ldr x3, [sp]\n"
                     "   nop\n"
                     "   b 3f\n"
                     "3: mrs x2, tpidr_el2\n"
                     "   add %0, %0, #1\n"
                     "   b 2f\n"
                     "2: add %1, %1, #1\n"
                     "   cmp %1, %2\n"
                     "   b.ne 1b\n"
                     : "+r"(adds), "+r"(turns)
                     : "r"((uint64_t)TURNS)
                     : "x2", "x3", "x9", "cc", "memory");
    counts[pe][0] = adds;
    counts[pe][1] = turns;
    __asm__ volatile("dsb sy" ::: "memory");
    done[pe] = 1;
}

PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 8192);

void sec_main(uint64_t context_id)
{
    (void)context_id;
    count_loop(1);
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

int main(void)
{
    int fails = 0;
    int64_t r = psci_smc(PSCI_CPU_ON_64, 1, (uint64_t)sec_entry, 0);
    rt_printf("CPU_ON(1): %ld\n", r);
    fails += r != 0;
    count_loop(0);
    while (r == 0 && !done[1]) {
    }
    for (unsigned pe = 0; pe < 2; pe++) {
        rt_printf("PE%u: %lu adds in %lu turns\n", pe, counts[pe][0], counts[pe][1]);
        fails += counts[pe][0] != TURNS || counts[pe][1] != TURNS;
    }
    rt_printf("%s (%d failed checks)\n", fails ? "FAIL" : "PASS", fails);
    return fails ? 1 : 0;
}
