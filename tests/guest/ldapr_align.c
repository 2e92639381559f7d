// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 does not check LDAPR's alignment (the misaligned loads below complete); without FEAT_LSE2 (ID_AA64MMFR2_EL1.AT = 0 on avsim's max) AArch64.CheckAlignment faults every misaligned AccType_ORDERED access, LDAPR's (FEAT_LRCPC) included. The aligned load matches QEMU 7.2.
/* LDAPR (FEAT_LRCPC, --cpu=max) must be aligned to its size whatever
 * SCTLR_ELx.A says: X at 4 mod 8, W at 2 mod 4 and H at 1 mod 2 take an
 * Alignment fault (EC 0x25, DFSC 0x21, ISV = 0, WnR = 0, FAR = the address,
 * ELR = the instruction). Unicorn 2.1.4 does not check it; avsim does before
 * the block runs (SP_ALIGNED, as for LDAR). LDAPRB cannot be misaligned.
 * Runs at EL1 (ESR_EL1). */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
static volatile uint64_t buf[4] __attribute__((aligned(16)));

#define FAULT(what, insn, addr, iss)                                                             \
    do {                                                                                         \
        trap_reset();                                                                            \
        __asm__ volatile(".arch armv8.3-a\n\tmov x6, %0\n\t" T_MARK "1: " insn "\n2:\n"          \
                         ".arch armv8-a\n" :: "r"((uint64_t)(addr)) : "x4", "x6", T_CLOBBER);      \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                               \
        rt_printf("  FAR=buf+%lu\n", trap.far - (uint64_t)buf);                                   \
        check(trap.far == (uint64_t)(addr), "FAR");                                              \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t b = (uint64_t)buf, v;
    unsigned lrcpc = (unsigned)(READ_SYSREG(id_aa64isar1_el1) >> 20) & 0xf;
    unsigned lse2 = (unsigned)(READ_SYSREG(id_aa64mmfr2_el1) >> 32) & 0xf;
    rt_printf("ID_AA64ISAR1_EL1.LRCPC=%s, ID_AA64MMFR2_EL1.AT=%u\n", lrcpc ? "1 or more" : "0", lse2);
    check(lrcpc != 0 && lse2 == 0, "FEAT_LRCPC without FEAT_LSE2");
    buf[0] = 0x5555;
    __asm__ volatile(".arch armv8.3-a\n\tldapr %0, [%1]\n.arch armv8-a" : "=&r"(v) : "r"(b) : "memory");
    rt_printf("ldapr x at buf: 0x%lx\n", v);
    check(v == 0x5555, "ldapr");
    __asm__ volatile(".arch armv8.3-a\n\tldaprb %w0, [%1]\n.arch armv8-a" : "=&r"(v) : "r"(b + 1) : "memory");
    rt_printf("ldaprb at buf+1: 0x%lx\n", v);
    check(v == 0x55, "ldaprb");
    FAULT("ldapr x4 at buf+4", "ldapr x4, [x6]", b + 4, 0x21);
    FAULT("ldapr w4 at buf+2", "ldapr w4, [x6]", b + 2, 0x21);
    FAULT("ldaprh w4 at buf+1", "ldaprh w4, [x6]", b + 1, 0x21);
    FAULT("ldapr x4 at buf+3, base written first", "mov x4, x6\n\t" T_MARK "1: ldapr x4, [x4]", b + 3, 0x21);
    return 0;
}

int main(void)
{
    rt_puts("ldapr_align\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
