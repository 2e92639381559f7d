/* Load-acquire, store-release and the single-register exclusives must be
 * aligned to their access size whatever SCTLR_ELx.A says: without FEAT_LSE2,
 * AArch64.CheckAlignment checks every atomic (AccType_ATOMIC: LDXR, LDAXR,
 * STXR, STLXR; the stores are in excl_pair_align) and ordered (AccType_ORDERED: LDAR, STLR) access. A misaligned
 * one is an Alignment fault: EC 0x25, DFSC 0x21, ISV=0 (the fault is not a
 * stage-2 abort), WnR=1 for the stores, FAR = the address, ELR = the
 * instruction, and nothing is written. A plain LDR/STR at the same addresses
 * does not fault (SCTLR_EL1.A=0, Normal memory), nor do the byte forms.
 * Unicorn 2.1.4 checks the exclusives itself but not LDAR/STLR; avsim checks
 * those before they run (cpu/pe.c, SP_ORDERED): at a block's first
 * instruction, further in with the base known at the block's start, and with
 * a base register the block writes first (a cut at the instruction), all
 * covered below, as is an aligned access after such a write (no fault), and one
 * followed in its block by an UNDEFINED instruction (gfuzz seed 83: avsim ran it).
 * Runs at EL1 with its stage 1 on (RAM Normal Write-Back): with the MMU off
 * data accesses are Device-nGnRnE, where every misaligned access faults. */
#include "pagetable.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define WNR 0x40u
static volatile uint64_t buf[4] __attribute__((aligned(64)));
static struct pt s1;

static void print_far(uint64_t want)
{
    rt_printf("  FAR=buf+%lu\n", trap.far - (uint64_t)buf);
    check(trap.far == want, "FAR");
}

/* insn uses x6 as the base (set to base) and x5 as data; it faults at far. */
#define FAULT_AT(what, insn, base, far, iss)                                                      \
    do {                                                                                          \
        trap_reset();                                                                             \
        __asm__ volatile("mov x6, %0\n\tmov x5, #0x77\n\t" T_MARK "1: " insn "\n2:\n"             \
                         :: "r"((uint64_t)(base)) : "x5", "x6", "x7", T_CLOBBER);                 \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                               \
        print_far((uint64_t)(far));                                                               \
    } while (0)
#define FAULT(what, insn, addr, iss) FAULT_AT(what, insn, addr, addr, iss)

/* insn does not fault; x5 is what it loaded (or stored). */
static uint64_t no_fault(const char *what, uint64_t addr, int which)
{
    uint64_t v = 0x77;
    trap_reset();
    switch (which) {
    case 0: __asm__ volatile("ldr %0, [%1]" : "=&r"(v) : "r"(addr) : "memory"); break;
    case 1: __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(addr) : "memory"); break;
    case 2: __asm__ volatile("ldarb %w0, [%1]" : "=&r"(v) : "r"(addr) : "memory"); break;
    case 3: __asm__ volatile("stlrb %w0, [%1]" :: "r"(v), "r"(addr) : "memory"); break;
    case 4: __asm__ volatile("ldaxrb %w0, [%1]\n\tclrex" : "=&r"(v) : "r"(addr) : "memory"); break;
    }
    rt_printf("%s: no exception (count=%lu)\n", what, trap.count);
    check(trap.count == 0, "no exception");
    return v;
}

static void reset_buf(void)
{
    for (int i = 0; i < 4; i++)
        buf[i] = 0x1111111111111111UL * (uint64_t)(i + 1);
}

static void check_buf(const char *what)
{
    int same = 1;
    for (int i = 0; i < 4; i++)
        same &= buf[i] == 0x1111111111111111UL * (uint64_t)(i + 1);
    rt_printf("  %s: buffer %s\n", what, same ? "unchanged" : "CHANGED");
    check(same, "a faulting store writes nothing");
}

static void kernel(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&s1, 39);
    pt_map(&s1, RAM_BASE, RAM_BASE, 1, S1_RAM(0));
    pt_map(&s1, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | S1_AP_RW_EL1 | PTE_AF | S1_UXN | S1_PXN);
    s1_enable(&s1, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    rt_printf("SCTLR_EL1.M=%lu A=%lu\n", READ_SYSREG(sctlr_el1) & 1, (READ_SYSREG(sctlr_el1) >> 1) & 1);

    uint64_t b = (uint64_t)buf;
    reset_buf();
    no_fault("ldr x at buf+1", b + 1, 0);
    no_fault("str x at buf+9", b + 9, 1);
    no_fault("ldarb at buf+3", b + 3, 2);
    no_fault("stlrb at buf+3", b + 3, 3);
    no_fault("ldaxrb at buf+5", b + 5, 4);
    reset_buf();

    /* Load-acquire: each size at each misalignment class. */
    FAULT("ldar x5 at buf+4", "ldar x5, [x6]", b + 4, 0x21);
    FAULT("ldar x5 at buf+1", "ldar x5, [x6]", b + 1, 0x21);
    FAULT("ldar w5 at buf+2", "ldar w5, [x6]", b + 2, 0x21);
    FAULT("ldar w5 at buf+7", "ldar w5, [x6]", b + 7, 0x21);
    FAULT("ldarh w5 at buf+1", "ldarh w5, [x6]", b + 1, 0x21);
    /* Store-release: nothing is written. */
    FAULT("stlr x5 at buf+4", "stlr x5, [x6]", b + 4, 0x21 | WNR);
    FAULT("stlr w5 at buf+6", "stlr w5, [x6]", b + 6, 0x21 | WNR);
    FAULT("stlrh w5 at buf+3", "stlrh w5, [x6]", b + 3, 0x21 | WNR);
    check_buf("after the faulting stores");

    /* Further into a block: after other instructions, the base known at the block's start. */
    FAULT("ldar x5 at buf+2, third in its block", "mov x7, #1\n\tadd x7, x7, #2\n\t" T_MARK
          "1: ldar x5, [x6]", b + 2, 0x21);
    /* The base computed inside the block. */
    FAULT_AT("ldar w5 at buf+(2+8), base written first", "add x6, x6, #8\n\t" T_MARK "1: ldar w5, [x6]",
             b + 2, b + 10, 0x21);
    FAULT_AT("stlr x5 at buf+(1+8), base loaded first",
             "str x6, [sp, #-16]!\n\tldr x7, [sp], #16\n\tadd x7, x7, #8\n\t" T_MARK "1: stlr x5, [x7]",
             b + 1, b + 9, 0x21 | WNR);
    check_buf("after the faulting stores");
    uint64_t v;
    __asm__ volatile("mov x6, %1\n\tadd x6, x6, #8\n\tldar %0, [x6]" : "=&r"(v) : "r"(b) : "x6", "memory");
    rt_printf("aligned ldar, base written first: 0x%lx\n", v);
    check(v == buf[1], "aligned ldar");
    __asm__ volatile("mov x6, %1\n\tadd x6, x6, #16\n\tstlr %0, [x6]" :: "r"(0x55UL), "r"(b) : "x6", "memory");
    rt_printf("aligned stlr, base written first: buf[2]=0x%lx\n", buf[2]);
    check(buf[2] == 0x55, "aligned stlr");
    reset_buf();

    /* One site run many times with a base loaded from memory (known only when it runs):
     * avsim gives such a site a code hook of its own after a few runs; the sixth run
     * faults there. */
    for (int i = 0; i < 6; i++) {
        static volatile uint64_t ptr;
        ptr = i < 5 ? b + 8 : b + 12;
        trap_reset();
        __asm__ volatile("mov x6, %0\n\t" T_MARK "ldr x7, [x6]\n\t1: ldar x5, [x7]\n2:\n"
                         :: "r"(&ptr) : "x5", "x6", "x7", T_CLOBBER);
        if (i < 5) {
            trap_resume = 0;
            check(trap.count == 0, "aligned ldar at a hot site");
            continue;
        }
        expect_trap("ldar x5 at buf+12, base loaded first, sixth run", 1, RT_VEC_CUR_SPX, 0x25, 1, 0x21, ALL, 0);
        print_far(b + 12);
    }

    /* An aligned ldar whose base the block loads (a cut at it, then its own hook), then
     * an UNDEFINED system instruction in the same block: the exception at the latter. */
    for (int i = 0; i < 6; i++) {
        trap_reset();
        __asm__ volatile("str %0, [sp, #-16]!\n\tldr x6, [sp], #16\n\tldar x5, [x6]\n\t" T_MARK
                         "1: msr S3_0_C10_C14_0, xzr\n2:\n" :: "r"(b + 8) : "x5", "x6", "x7", T_CLOBBER);
        if (i == 0 || i == 5)
            expect_trap(i ? "aligned ldar, base loaded first, then an UNDEFINED msr (sixth run)"
                          : "aligned ldar, base loaded first, then an UNDEFINED msr",
                        1, RT_VEC_CUR_SPX, 0x00, 1, 0, ALL, 0);
        else
            check(trap.count == 1 && trap.elr == trap_pc, "UNDEFINED msr after an aligned ldar");
        trap_resume = 0;
    }

    /* Exclusives (Unicorn checks these loads itself). */
    FAULT("ldxr x5 at buf+4", "ldxr x5, [x6]", b + 4, 0x21);
    FAULT("ldaxr w5 at buf+2", "ldaxr w5, [x6]", b + 2, 0x21);
    FAULT("ldxrh w5 at buf+1", "ldxrh w5, [x6]", b + 1, 0x21);
    /* Store-exclusives: excl_pair_align (QEMU 7.2 reports their Alignment faults with WnR=0). */
    return;
}

static void el1_main(uint64_t arg)
{
    kernel(arg);
    rt_exit(test_result());
}

int main(void)
{
    rt_puts("acqrel_align\n");
    rt_enter_el1(el1_main, 0, 0);
}
