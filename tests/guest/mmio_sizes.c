// QEMU-MACHINE: virt,virtualization=on,gic-version=3,iommu=smmuv3
/* Access sizes of the GICv3's and the SMMUv3's registers, at EL1 (MMU and stage 2
 * off, so an abort is taken to EL1 with ISV = 0 on both avsim and QEMU 7.2).
 *   - GICv3 (IHI 0069 "GIC memory-mapped register access"): 32-bit accesses to every
 *     register, byte accesses to IPRIORITYR, 64-bit ones to the 64-bit registers
 *     (GICD_IROUTER<n>, GICR_TYPER), each half of those with 32-bit ones. Other sizes
 *     are not required; avsim makes them RAZ/WI, as QEMU 7.2 does: a halfword access,
 *     a byte access to a word register, a 64-bit access to 32-bit registers. No abort.
 *   - SMMUv3 (IHI 0070 "Register overview"): 32-bit accesses, 64-bit ones to 64-bit
 *     registers; an illegal access is CONSTRAINED UNPREDICTABLE. As QEMU 7.2: an 8- or
 *     16-bit access is a synchronous External abort (EC 0x25, DFSC 0x10, WnR for a
 *     store, FAR = the address, ELR = the instruction, the register untouched, the
 *     rest of its block undone); a 64-bit access to two 32-bit registers is RAZ/WI. */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define GICD 0x08000000UL
#define GICR 0x080a0000UL
#define GICR_SGI (GICR + 0x10000UL)
#define SMMU 0x09050000UL

/* insn uses x6 as the address and x5 as data (in: wval; out: the value read). Nothing
 * after it in its block may store (avsim undoes the rest of the block of an aborted
 * device access: README "Limits"): trap_resume is cleared after the report. */
#define ACCESS(insn, addr, wval)                                                                   \
    ({                                                                                             \
        uint64_t v_ = (wval);                                                                      \
        trap_reset();                                                                              \
        __asm__ volatile("mov x6, %1\n\tmov x5, %0\n\t" T_MARK "1: " insn "\n2:\n\tmov %0, x5"     \
                         : "+r"(v_) : "r"((uint64_t)(addr)) : "x5", "x6", "x7", T_CLOBBER);         \
        v_;                                                                                        \
    })

/* An access that must complete: prints and checks the value (for a read). */
#define OK(what, insn, addr, wval, expect)                                                         \
    do {                                                                                           \
        uint64_t v = ACCESS(insn, addr, wval);                                                     \
        rt_printf("%s (" insn "): %s 0x%lx\n", what, trap.count ? "ABORT" : "ok", v);             \
        trap_resume = 0;                                                                           \
        check(trap.count == 0, "no abort");                                                        \
        check(v == (uint64_t)(expect), "value");                                                   \
    } while (0)

/* The same for a value that differs between implementations (not printed). */
#define OK_SAME(what, insn, addr, expect)                                                          \
    do {                                                                                           \
        uint64_t v = ACCESS(insn, addr, 0);                                                        \
        rt_printf("%s (" insn "): %s, %s\n", what, trap.count ? "ABORT" : "ok",                    \
                  v == (uint64_t)(expect) ? "the same" : "DIFFERENT");                             \
        trap_resume = 0;                                                                           \
        check(trap.count == 0, "no abort");                                                        \
        check(v == (uint64_t)(expect), "value");                                                   \
    } while (0)

/* An access that must abort (External abort, dfsc | WnR): x5 keeps wval. */
#define ABORT(what, insn, addr, wval, iss)                                                         \
    do {                                                                                           \
        uint64_t v = ACCESS(insn, addr, wval);                                                     \
        expect_trap(what " (" insn ")", 1, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                  \
        rt_printf("  FAR=%s x5 %s\n", trap.far == (uint64_t)(addr) ? "the address" : "WRONG",       \
                  v == (uint64_t)(wval) ? "unchanged" : "CHANGED");                                \
        check(trap.far == (uint64_t)(addr), "FAR");                                                \
        check(v == (uint64_t)(wval), "x5 unchanged");                                              \
    } while (0)

static inline uint32_t r32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

static void gic(void)
{
    rt_puts("-- GICD\n");
    w32(GICD + 0x420, 0x44332211);        /* IPRIORITYR8: INTIDs 32..35 */
    w32(GICD + 0x424, 0x88776655);
    OK("IPRIORITYR8+1 byte", "ldrb w5, [x6]", GICD + 0x421, 0, 0x22);
    OK("IPRIORITYR8 halfword: RAZ", "ldrh w5, [x6]", GICD + 0x420, 0, 0);
    OK("IPRIORITYR8 doubleword: RAZ", "ldr x5, [x6]", GICD + 0x420, 0, 0);
    OK("IPRIORITYR8+3 byte write", "strb w5, [x6]", GICD + 0x423, 0x99, 0x99);
    OK("IPRIORITYR8+2 halfword write: WI", "strh w5, [x6]", GICD + 0x422, 0xaabb, 0xaabb);
    OK("IPRIORITYR8 doubleword write: WI", "str x5, [x6]", GICD + 0x420, 0x1020304050607080UL,
       0x1020304050607080UL);
    OK("IPRIORITYR8", "ldr w5, [x6]", GICD + 0x420, 0, 0x99332211);
    OK("IPRIORITYR9", "ldr w5, [x6]", GICD + 0x424, 0, 0x88776655);
    w32(GICD + 0x420, 0);
    w32(GICD + 0x424, 0);

    w32(GICD + 0x104, 0x80000001);        /* ISENABLER1: SPIs 32 and 63 */
    OK("ISENABLER1 byte: RAZ", "ldrb w5, [x6]", GICD + 0x104, 0, 0);
    OK("ISENABLER1+3 byte: RAZ", "ldrb w5, [x6]", GICD + 0x107, 0, 0);
    OK("ISENABLER1 halfword: RAZ", "ldrh w5, [x6]", GICD + 0x104, 0, 0);
    OK("ISENABLER0/1 doubleword: RAZ", "ldr x5, [x6]", GICD + 0x100, 0, 0);
    OK("ICENABLER1 byte write: WI", "strb w5, [x6]", GICD + 0x184, 0xff, 0xff);
    OK("ICENABLER0/1 doubleword write: WI", "str x5, [x6]", GICD + 0x180, 0xffffffff00000000UL,
       0xffffffff00000000UL);
    OK("ISENABLER1", "ldr w5, [x6]", GICD + 0x104, 0, 0x80000001);
    w32(GICD + 0x184, 0xffffffff);
    OK("CTLR/TYPER doubleword: RAZ", "ldr x5, [x6]", GICD, 0, 0);
    OK("TYPER byte: RAZ", "ldrb w5, [x6]", GICD + 4, 0, 0);

    OK("IROUTER32 doubleword write", "str x5, [x6]", GICD + 0x6100, 0x0000000100000203UL,
       0x0000000100000203UL);
    OK("IROUTER32", "ldr x5, [x6]", GICD + 0x6100, 0, 0x0000000100000203UL);
    OK("IROUTER32 low word", "ldr w5, [x6]", GICD + 0x6100, 0, 0x203);
    OK("IROUTER32 high word", "ldr w5, [x6]", GICD + 0x6104, 0, 1);
    OK("IROUTER32 byte: RAZ", "ldrb w5, [x6]", GICD + 0x6100, 0, 0);
    OK("IROUTER32 byte write: WI", "strb w5, [x6]", GICD + 0x6100, 0x7, 0x7);
    OK("IROUTER32 high word write", "str w5, [x6]", GICD + 0x6104, 0, 0);
    OK("IROUTER32", "ldr x5, [x6]", GICD + 0x6100, 0, 0x203);
    OK("IROUTER32 low word write", "str w5, [x6]", GICD + 0x6100, 0, 0);

    /* A 64-bit store to RAM through the same base register earlier in the block: the
     * 32-bit store to ISENABLER2 is still one (avsim finds the access among the block's
     * loads and stores by address). */
    static volatile uint64_t ram_word;
    __asm__ volatile("mov x6, %0\n\tstr x7, [x6]\n\tmov x6, %1\n\tmov w5, #1\n\tstr w5, [x6]"
                     :: "r"(&ram_word), "r"(GICD + 0x108) : "x5", "x6", "x7", "memory");
    OK("ISENABLER2 after a 32-bit store preceded by a 64-bit one to RAM", "ldr w5, [x6]", GICD + 0x108, 0, 1);
    w32(GICD + 0x188, 0xffffffff);

    rt_puts("-- GICR\n");
    uint64_t typer = r32(GICR + 8) | (uint64_t)r32(GICR + 12) << 32;
    OK_SAME("TYPER doubleword, as its two words", "ldr x5, [x6]", GICR + 8, typer);
    OK("TYPER byte: RAZ", "ldrb w5, [x6]", GICR + 8, 0, 0);
    OK("CTLR/IIDR doubleword: RAZ", "ldr x5, [x6]", GICR, 0, 0);
    OK("WAKER byte write: WI", "strb w5, [x6]", GICR + 0x14, 0, 0);
    uint32_t waker = r32(GICR + 0x14);
    rt_printf("WAKER.ProcessorSleep after it: %u\n", (waker >> 1) & 1);
    check(((waker >> 1) & 1) == 1, "WAKER unchanged");
    w32(GICR_SGI + 0x400, 0x44332211);    /* IPRIORITYR0: SGIs 0..3 */
    OK("SGI_base IPRIORITYR0+3 byte", "ldrb w5, [x6]", GICR_SGI + 0x403, 0, 0x44);
    OK("SGI_base IPRIORITYR0 halfword: RAZ", "ldrh w5, [x6]", GICR_SGI + 0x400, 0, 0);
    OK("SGI_base IPRIORITYR0 doubleword: RAZ", "ldr x5, [x6]", GICR_SGI + 0x400, 0, 0);
    w32(GICR_SGI + 0x400, 0);
}

static void smmu(void)
{
    rt_puts("-- SMMU\n");
    uint32_t idr0 = r32(SMMU);
    rt_printf("IDR0 word: %s\n", idr0 ? "nonzero" : "zero");
    check(idr0 != 0, "IDR0");
    ABORT("IDR0 byte", "ldrb w5, [x6]", SMMU, 0x77, 0x10);
    ABORT("IDR0 halfword", "ldrh w5, [x6]", SMMU, 0x77, 0x10);
    ABORT("IDR0 halfword, sign-extended", "ldrsh x5, [x6]", SMMU, 0x77, 0x10);
    ABORT("IDR1 byte", "ldrb w5, [x6]", SMMU + 5, 0x77, 0x10);
    ABORT("reserved 0x1000 byte", "ldrb w5, [x6]", SMMU + 0x1000, 0x77, 0x10);
    ABORT("page 1 EVTQ_PROD byte", "ldrb w5, [x6]", SMMU + 0x100a8, 0x77, 0x10);
    ABORT("CR0 byte write", "strb w5, [x6]", SMMU + 0x20, 0x1, 0x50);
    ABORT("CR0 halfword write", "strh w5, [x6]", SMMU + 0x20, 0x1, 0x50);
    OK("CR0 after them", "ldr w5, [x6]", SMMU + 0x20, 0, 0);

    /* The rest of the block is undone: x7 counts the ADD once (run again from label 2). */
    uint64_t x7 = 10;
    trap_reset();
    __asm__ volatile("mov x6, %1\n\t" T_MARK "1: ldrb w5, [x6]\n2:\n\tadd %0, %0, #1\n\tadds xzr, %0, #0"
                     : "+r"(x7) : "r"(SMMU) : "x5", "x6", "cc", T_CLOBBER);
    expect_trap("IDR0 byte, then an ADD in its block", 1, RT_VEC_CUR_SPX, 0x25, 1, 0x10, ALL, 0);
    rt_printf("  x7=%lu (10 + 1)\n", x7);
    check(x7 == 11, "the rest of the block undone");

    OK("IDR0/IDR1 doubleword: RAZ", "ldr x5, [x6]", SMMU, 0, 0);
    OK_SAME("IDR0/IDR1 as a pair of words, IDR0", "ldp w5, w7, [x6]", SMMU, idr0);
    OK("CMDQ_PROD/CONS doubleword write: WI", "str x5, [x6]", SMMU + 0x98, 0x0000000300000002UL,
       0x0000000300000002UL);
    OK("CMDQ_PROD", "ldr w5, [x6]", SMMU + 0x98, 0, 0);
    OK("STRTAB_BASE_CFG doubleword write: WI", "str x5, [x6]", SMMU + 0x88, 0x6, 0x6);
    OK("STRTAB_BASE_CFG", "ldr w5, [x6]", SMMU + 0x88, 0, 0);
    OK("CMDQ_BASE doubleword write", "str x5, [x6]", SMMU + 0x90, 0x40002005UL, 0x40002005UL);
    OK("CMDQ_BASE high word write", "str w5, [x6]", SMMU + 0x94, 0x1, 1);
    OK("CMDQ_BASE", "ldr x5, [x6]", SMMU + 0x90, 0, 0x140002005UL);
    OK("CMDQ_BASE low word", "ldr w5, [x6]", SMMU + 0x90, 0, 0x40002005UL);
    ABORT("CMDQ_BASE byte write", "strb w5, [x6]", SMMU + 0x90, 0x7, 0x50);
    OK("CMDQ_BASE", "ldr x5, [x6]", SMMU + 0x90, 0, 0x140002005UL);
    OK("CMDQ_BASE reset", "str x5, [x6]", SMMU + 0x90, 0, 0);
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    gic();
    smmu();
    return 0;
}

int main(void)
{
    rt_puts("mmio_sizes\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
