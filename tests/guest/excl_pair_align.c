// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 reports WnR=0 (ISS 0x21) for the Alignment fault of a store-exclusive (STXR, STLXR, STXP, STLXP), whose check it makes on a load of the old value, and takes none when the monitor is not armed at the address (status 1); the Arm ARM checks the alignment first and faults the store itself (AArch64.ExclusiveMonitorsPass, iswrite = TRUE): WnR=1, ISS 0x61, armed or not. Everything else here matches QEMU 7.2.
/* Alignment of the exclusive pairs: LDXP, LDAXP, STXP and STLXP access both
 * registers as one single-copy atomic access and must be aligned to its total
 * size (16 bytes for X registers, 8 for W), whatever SCTLR_ELx.A says
 * (AArch64.CheckAlignment for AccType_ATOMIC; the LDXP pseudocode accesses
 * dbytes * 2). An address aligned to the register size only is an Alignment
 * fault: DFSC 0x21, ISV=0, FAR = the address, ELR = the instruction. Before
 * issue 14 avsim stopped with "Unicorn reported a data abort ... that is no
 * alignment fault" (it checked the register size).
 *   - LDXP/LDAXP X at 8 mod 16, W at 4 mod 8: fault (WnR=0).
 *   - STXP with the monitor armed at that address (by an LDXR there, 8-byte
 *     aligned): fault (WnR=1), and the store does not happen.
 *   - aligned pairs: the load and the store-exclusive succeed (status 0).
 *   - STXP/STLXP, STXR/STLXR without the monitor armed at the address (after
 *     CLREX): fault too, the alignment check comes before the monitor's
 *     (AArch64.ExclusiveMonitorsPass); QEMU 7.2 and Unicorn return status 1.
 *     avsim checks the store-exclusives itself (SP_ALIGNED), but for one
 *     following a load-exclusive of its size at its unchanged base in the same
 *     block, which Unicorn's check of that load covers.
 * CASP (a pair too) is UNDEFINED on this PE: the Cortex-A57 has no FEAT_LSE
 * (ID_AA64ISAR0_EL1.Atomic = 0), so it takes EC 0x00. Runs at EL1 (ESR_EL1,
 * ISV=0 on QEMU 7.2 as on the Arm ARM). */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
static volatile uint64_t buf[4] __attribute__((aligned(16)));

static void print_far(uint64_t want)
{
    rt_printf("  FAR=buf+%lu\n", trap.far - (uint64_t)buf);
    check(trap.far == want, "FAR");
}

#define PAIR(what, insn, addr, iss)                                                            \
    do {                                                                                       \
        trap_reset();                                                                          \
        __asm__ volatile("mov x6, %0\n\t" T_MARK "1: " insn "\n2:\n" :: "r"((uint64_t)(addr))   \
                         : "x4", "x5", "x6", "x7", T_CLOBBER);                                 \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                            \
        print_far((uint64_t)(addr));                                                           \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t b = (uint64_t)buf;
    PAIR("ldxp x4, x5 at buf+8", "ldxp x4, x5, [x6]", b + 8, 0x21);
    PAIR("ldaxp x4, x5 at buf+8", "ldaxp x4, x5, [x6]", b + 8, 0x21);
    PAIR("ldxp w4, w5 at buf+4", "ldxp w4, w5, [x6]", b + 4, 0x21);
    PAIR("ldaxp w4, w5 at buf+12", "ldaxp w4, w5, [x6]", b + 12, 0x21);
    buf[1] = 0x1111;
    buf[2] = 0x2222;
    PAIR("ldxr x4 at buf+8, then stxp w7, x4, x5 there", "ldxr x4, [x6]\n\tmov x5, #0x77\n\t"
         T_MARK "1: stxp w7, x4, x5, [x6]", b + 8, 0x61);
    PAIR("ldaxr x4 at buf+8, then stlxp w7, x4, x5 there", "ldaxr x4, [x6]\n\tmov x5, #0x77\n\t"
         T_MARK "1: stlxp w7, x4, x5, [x6]", b + 8, 0x61);
    __asm__ volatile("clrex" ::: "memory");
    PAIR("clrex, then stxp w7, x4, x5 at buf+8", "clrex\n\tmov x5, #0x77\n\tmov x4, #0x66\n\t"
         T_MARK "1: stxp w7, x4, x5, [x6]", b + 8, 0x61);
    PAIR("clrex, then stlxp w7, w4, w5 at buf+12", "clrex\n\t" T_MARK "1: stlxp w7, w4, w5, [x6]", b + 12, 0x61);
    PAIR("clrex, then stxr w7, x5 at buf+12", "clrex\n\t" T_MARK "1: stxr w7, x5, [x6]", b + 12, 0x61);
    PAIR("clrex, then stlxr w7, w5 at buf+9", "clrex\n\t" T_MARK "1: stlxr w7, w5, [x6]", b + 9, 0x61);
    PAIR("clrex, then stxrh w7, w5 at buf+9", "clrex\n\t" T_MARK "1: stxrh w7, w5, [x6]", b + 9, 0x61);
    /* The base computed in the block (checked at the instruction). */
    PAIR("stxr w7, x5 at buf+12, base written first", "mov x4, x6\n\t" T_MARK "1: stxr w7, x5, [x4]",
         b + 12, 0x61);
    PAIR("ldxr w4 at buf+12, then stxr w7, x5 there", "ldxr w4, [x6]\n\t" T_MARK "1: stxr w7, x5, [x6]",
         b + 12, 0x61);
    rt_printf("  buf[1]=0x%lx buf[2]=0x%lx (unchanged)\n", buf[1], buf[2]);
    check(buf[1] == 0x1111 && buf[2] == 0x2222, "a faulting store-exclusive writes nothing");

    /* Aligned: load the pair, store it back swapped. */
    buf[0] = 0xaaaa;
    buf[1] = 0xbbbb;
    uint64_t lo, hi;
    uint32_t status;
    __asm__ volatile("1: ldaxp %0, %1, [%3]\n\tstlxp %w2, %1, %0, [%3]\n\tcbnz %w2, 1b"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status) : "r"(b) : "memory");
    rt_printf("aligned ldaxp/stlxp x at buf: read 0x%lx 0x%lx, status %u, now 0x%lx 0x%lx\n", lo, hi,
              status, buf[0], buf[1]);
    check(lo == 0xaaaa && hi == 0xbbbb && status == 0 && buf[0] == 0xbbbb && buf[1] == 0xaaaa,
          "aligned exclusive pair");
    uint32_t wlo, whi;
    __asm__ volatile("1: ldxp %w0, %w1, [%3]\n\tstxp %w2, %w1, %w0, [%3]\n\tcbnz %w2, 1b"
                     : "=&r"(wlo), "=&r"(whi), "=&r"(status) : "r"(b + 8) : "memory");
    rt_printf("aligned ldxp/stxp w at buf+8: read 0x%x 0x%x, status %u, now 0x%lx\n", wlo, whi, status,
              buf[1]);
    check(wlo == 0xaaaa && whi == 0 && status == 0 && buf[1] == 0xaaaa00000000UL, "aligned W pair");

    unsigned atomic = (unsigned)(READ_SYSREG(id_aa64isar0_el1) >> 20) & 0xf;
    rt_printf("ID_AA64ISAR0_EL1.Atomic=%u\n", atomic);
    trap_reset();
    __asm__ volatile(".arch armv8.1-a\n\tmov x6, %0\n\t" T_MARK "1: casp x4, x5, x4, x5, [x6]\n2:\n"
                     ".arch armv8-a\n" :: "r"(b + 8) : "x4", "x5", "x6", T_CLOBBER);
    expect_trap("casp x4, x5 at buf+8 (no FEAT_LSE)", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, ALL, 0);
    return 0;
}

int main(void)
{
    rt_puts("excl_pair_align\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
