/* Shared by the data-abort guest tests: an access to unassigned memory and the
 * printing and checking of its syndrome. */
#ifndef AVSIM_GUEST_DABT_H
#define AVSIM_GUEST_DABT_H
#include "trap.h"

#define BAD 0x80000000UL

static void print_dabt(const char *what, uint64_t addr)
{
    uint32_t iss = (uint32_t)ESR_ISS(trap.esr);
    rt_printf("  ISV=%u", (iss >> 24) & 1);
    if (iss & (1u << 24))
        rt_printf(" SAS=%u SSE=%u SRT=%u SF=%u AR=%u", (iss >> 22) & 3, (iss >> 21) & 1,
                  (iss >> 16) & 31, (iss >> 15) & 1, (iss >> 14) & 1);
    rt_printf(" EA=%u CM=%u S1PTW=%u WnR=%u DFSC=0x%02x FAR=BAD+0x%lx\n", (iss >> 9) & 1,
              (iss >> 8) & 1, (iss >> 7) & 1, (iss >> 6) & 1, iss & 0x3f, trap.far - BAD);
    (void)what;
    check((iss & 0x3f) == 0x10, "DFSC = synchronous External abort");
    check(trap.far == addr, "FAR");
}

/* One access: insn uses x6 as the base (set to BAD + off) and x5 as data;
 * imm is the instruction's own offset, so FAR = BAD + off + imm. */
#define DABT(what, el, vec, ec, insn, off, imm, iss, mask)                           \
    do {                                                                             \
        trap_reset();                                                                \
        __asm__ volatile("mov x6, %0\n\tmov x5, #0x55\n\t" T_MARK "1: " insn "\n2:\n" \
                         :: "r"(BAD + (off)) : "x5", "x6", "x7", T_CLOBBER);         \
        expect_trap(what, el, vec, ec, 1, iss, mask, 0);                             \
        print_dabt(what, BAD + (off) + (imm));                                       \
    } while (0)

#define WNR (1u << 6)
#define DFSC_EXT 0x10u
/* Compare everything except EA (IMPLEMENTATION DEFINED classification). */
#define M (0x1ffffffu & ~(1u << 9))

#endif
