// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* FEAT_LSE atomics on a CPU that has them (--cpu=max; QEMU 7.2 -cpu max): CAS, CASP, SWP and
 * LD<op> work on aligned locations, and each is aligned to its total size whatever
 * SCTLR_ELx.A says (AArch64.CheckAlignment for AccType_ATOMICRW): CASP X at 8 mod 16, CAS X
 * and LDADD X at 4 mod 8 and SWP W at 2 mod 4 take an Alignment fault (DFSC 0x21, ISV = 0,
 * FAR = the address, ELR = the instruction; WnR = 0, as QEMU 7.2 reports it) and change
 * nothing. Runs at EL1 (ESR_EL1). */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
static volatile uint64_t buf[4] __attribute__((aligned(16)));

#define FAULT(what, insn, addr, iss)                                                             \
    do {                                                                                         \
        trap_reset();                                                                            \
        __asm__ volatile(".arch armv8.1-a\n\tmov x6, %0\n\tmov x4, #1\n\tmov x5, #2\n\t" T_MARK   \
                         "1: " insn "\n2:\n.arch armv8-a\n" :: "r"((uint64_t)(addr))              \
                         : "x4", "x5", "x6", "x7", "memory", T_CLOBBER);                          \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                               \
        rt_printf("  FAR=buf+%lu\n", trap.far - (uint64_t)buf);                                   \
        check(trap.far == (uint64_t)(addr), "FAR");                                              \
    } while (0)

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t b = (uint64_t)buf;
    unsigned atomic = (unsigned)(READ_SYSREG(id_aa64isar0_el1) >> 20) & 0xf;
    rt_printf("ID_AA64ISAR0_EL1.Atomic=%u\n", atomic);
    check(atomic == 2, "FEAT_LSE present");

    buf[0] = 10;
    buf[1] = 20;
    uint64_t old, x4 = 10, x5 = 0;
    __asm__ volatile(".arch armv8.1-a\n\tldadd %2, %0, [%1]\n.arch armv8-a" : "=&r"(old) : "r"(b), "r"(5UL)
                     : "memory");
    rt_printf("ldadd 5 at buf: old %lu, now %lu\n", old, buf[0]);
    check(old == 10 && buf[0] == 15, "ldadd");
    __asm__ volatile(".arch armv8.1-a\n\tswpal %2, %0, [%1]\n.arch armv8-a" : "=&r"(old) : "r"(b + 8), "r"(7UL)
                     : "memory");
    rt_printf("swpal 7 at buf+8: old %lu, now %lu\n", old, buf[1]);
    check(old == 20 && buf[1] == 7, "swp");
    x4 = 15;
    __asm__ volatile(".arch armv8.1-a\n\tcasal %0, %2, [%1]\n.arch armv8-a" : "+r"(x4) : "r"(b), "r"(99UL)
                     : "memory");
    rt_printf("casal 15 -> 99 at buf: read %lu, now %lu\n", x4, buf[0]);
    check(x4 == 15 && buf[0] == 99, "cas succeeds");
    x4 = 1;
    __asm__ volatile(".arch armv8.1-a\n\tcas %0, %2, [%1]\n.arch armv8-a" : "+r"(x4) : "r"(b), "r"(5UL)
                     : "memory");
    rt_printf("cas 1 -> 5 at buf: read %lu, now %lu\n", x4, buf[0]);
    check(x4 == 99 && buf[0] == 99, "cas fails");
    buf[2] = 0xaaaa;
    buf[3] = 0xbbbb;
    register uint64_t c0 __asm__("x0") = 0xaaaa, c1 __asm__("x1") = 0xbbbb;
    register uint64_t n2 __asm__("x2") = 0x1111, n3 __asm__("x3") = 0x2222;
    __asm__ volatile(".arch armv8.1-a\n\tcaspal x0, x1, x2, x3, [%4]\n.arch armv8-a"
                     : "+r"(c0), "+r"(c1) : "r"(n2), "r"(n3), "r"(b + 16) : "memory");
    rt_printf("caspal at buf+16: read 0x%lx 0x%lx, now 0x%lx 0x%lx\n", c0, c1, buf[2], buf[3]);
    check(c0 == 0xaaaa && c1 == 0xbbbb && buf[2] == 0x1111 && buf[3] == 0x2222, "casp");
    (void)x5;

    buf[0] = 0x5555;
    FAULT("casp x4, x5 at buf+8", "casp x4, x5, x4, x5, [x6]", b + 8, 0x21);
    FAULT("cas x4 at buf+4", "cas x4, x5, [x6]", b + 4, 0x21);
    FAULT("ldadd x4 at buf+4", "ldadd x4, x5, [x6]", b + 4, 0x21);
    FAULT("swp w4 at buf+2", "swp w4, w5, [x6]", b + 2, 0x21);
    rt_printf("buf[0]=0x%lx buf[1]=0x%lx (unchanged)\n", buf[0], buf[1]);
    check(buf[0] == 0x5555 && buf[1] == 7, "faulting atomics write nothing");
    return 0;
}

int main(void)
{
    rt_puts("lse_atomics\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
