// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 zeroes memory (or writes zeros to a device) for a DC ZVA to Device memory, also with the MMU off where every data access is Device-nGnRnE, where the Arm ARM takes an Alignment fault (QEMU issue 3005); and for an External abort on DC ZVA it reports the start of the block in FAR instead of Xt.
/* DC ZVA to Device memory, and the aborts DC ZVA takes outside RAM.
 *
 * The Arm ARM's DC ZVA: "If the memory region being zeroed is any type of
 * Device memory, then DC ZVA generates an Alignment fault which is
 * prioritized in the same way as other alignment faults that are determined
 * by the memory type". With the MMU off, data accesses are Device-nGnRnE
 * (AArch64.S1DisabledOutput; at EL1&0 unless HCR_EL2.DC=1), so every DC ZVA
 * with the MMU off faults: DFSC 0x21, WnR=1 (ISS 0x61), whatever is at the
 * address (RAM, unassigned memory, a device), and nothing is written. An
 * address out of the PA range is an Address size fault first (level 0, ISS
 * 0x40), as for any access with the MMU off. Traps come before the fault
 * (HCR_EL2.TDZ: EC 0x18 to EL2). FAR is always Xt, the register argument
 * (FAR_ELx for data cache instructions), not the start of the block.
 *
 * With EL2's stage 1 on, a Normal mapping of unassigned memory (0x80000000)
 * gives the External abort of a store there (ISS 0x50) with FAR = Xt.
 * The DC ZVA is checked both at the start of a block and after other
 * instructions of its block. */
#include "pagetable.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define ISS_ALIGN_W 0x61u
#define BAD_VA 0x20000000UL      /* with the MMU on: Normal mapping of PA 0x80000000 */
#define EL2_AP_RW (1UL << 6)

/* DC ZVA x6 after a few instructions of the same block (T_MARK's). */
#define ZVA_MID(what, el, vec, ec, xt, iss)                                                 \
    do {                                                                                    \
        trap_reset();                                                                       \
        __asm__ volatile("mov x6, %0\n\t" T_MARK "1: dc zva, x6\n2:\n" :: "r"((uint64_t)(xt)) \
                         : "x6", T_CLOBBER);                                                \
        report(what, el, vec, ec, xt, iss);                                                 \
    } while (0)
/* DC ZVA x6 as the first instruction of a block. */
#define ZVA_FIRST(what, el, vec, ec, xt, iss)                                               \
    do {                                                                                    \
        trap_reset();                                                                       \
        __asm__ volatile("mov x6, %0\n\t" T_MARK "b 1f\n1: dc zva, x6\n2:\n"                 \
                         :: "r"((uint64_t)(xt)) : "x6", T_CLOBBER);                         \
        report(what, el, vec, ec, xt, iss);                                                 \
    } while (0)

static void report(const char *what, int el, int vec, unsigned ec, uint64_t xt, uint32_t iss)
{
    expect_trap(what, el, vec, ec, 1, iss, ALL, 0);
    if (ec != 0x18) {
        rt_printf("  FAR=Xt%c0x%lx\n", trap.far >= xt ? '+' : '-', trap.far >= xt ? trap.far - xt : xt - trap.far);
        check(trap.far == xt, "FAR = Xt");
    }
}

static volatile uint8_t scratch[256] __attribute__((aligned(64)));

static void fill_scratch(void)
{
    for (unsigned i = 0; i < sizeof scratch; i++)
        scratch[i] = 0xa5;
}

static void check_scratch(const char *what)
{
    unsigned zeroed = 0;
    for (unsigned i = 0; i < sizeof scratch; i++)
        zeroed += scratch[i] != 0xa5;
    rt_printf("  %s: %u bytes changed\n", what, zeroed);
    check(zeroed == 0, "nothing written");
}

EL0_INSN_SETUP(el0_zva, "adrp x6, scratch\n\tadd x6, x6, :lo12:scratch\n\tadd x6, x6, #0x48", "dc zva, x6")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    fill_scratch();
    ZVA_MID("EL1 MMU off: RAM", 1, RT_VEC_CUR_SPX, 0x25, (uint64_t)scratch + 0x48, ISS_ALIGN_W);
    ZVA_FIRST("EL1 MMU off: RAM, first in block", 1, RT_VEC_CUR_SPX, 0x25, (uint64_t)scratch + 0x80,
              ISS_ALIGN_W);
    check_scratch("scratch");
    ZVA_MID("EL1 MMU off: (1<<40)+0x40, above avsim's 40-bit PA range", 1, RT_VEC_CUR_SPX, 0x25,
            (1UL << 40) + 0x40, 0x40);

    /* EL0, with SCTLR_EL1.DZE=1 (else DC ZVA is UNDEFINED there): the fault goes to EL1. */
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | (1UL << 14));
    ISB();
    trap_reset();
    rt_run_el0(el0_zva, 0);
    report("EL0 MMU off: RAM", 1, RT_VEC_LOWER64, 0x24, (uint64_t)scratch + 0x48, ISS_ALIGN_W);
    check_scratch("scratch");
    return 0;
}

static uint64_t at_el1_tdz(uint64_t arg)
{
    (void)arg;
    ZVA_MID("EL1 MMU off, HCR_EL2.TDZ=1: the trap first", 2, RT_VEC_LOWER64, 0x18,
            (uint64_t)scratch, SYSREG_ISS(1, 3, 7, 4, 1, 6, 0));
    return 0;
}

int main(void)
{
    rt_puts("dc_zva_device\n");
    fill_scratch();
    ZVA_MID("EL2 MMU off: RAM", 2, RT_VEC_CUR_SPX, 0x25, (uint64_t)scratch + 0x48, ISS_ALIGN_W);
    ZVA_FIRST("EL2 MMU off: RAM, first in block", 2, RT_VEC_CUR_SPX, 0x25, (uint64_t)scratch + 0x40,
              ISS_ALIGN_W);
    check_scratch("scratch");
    ZVA_MID("EL2 MMU off: unassigned 0x80000010", 2, RT_VEC_CUR_SPX, 0x25, 0x80000010UL, ISS_ALIGN_W);
    ZVA_MID("EL2 MMU off: PL011 0x09000000", 2, RT_VEC_CUR_SPX, 0x25, 0x09000000UL, ISS_ALIGN_W);
    ZVA_MID("EL2 MMU off: 1<<48 (out of the PA range)", 2, RT_VEC_CUR_SPX, 0x25, (1UL << 48) + 0x8, 0x40);
    ZVA_FIRST("EL2 MMU off: 2^64-8", 2, RT_VEC_CUR_SPX, 0x25, 0xfffffffffffffff8UL, 0x40);

    rt_run_el1(at_el1, 0, 0);
    rt_run_el1(at_el1_tdz, 1UL << 28, 0);      /* HCR_EL2.TDZ */

    struct pt pt;
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, BAD_VA, 0x80000000UL, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    s1_el2_enable(&pt);
    ZVA_MID("EL2 MMU on: Normal mapping of unassigned PA", 2, RT_VEC_CUR_SPX, 0x25, BAD_VA + 0x7f, 0x50);
    fill_scratch();
    __asm__ volatile("dc zva, %0" :: "r"((uint64_t)scratch + 0x40) : "memory");
    unsigned zeroed = 0;
    for (unsigned i = 0; i < sizeof scratch; i++)
        zeroed += scratch[i] == 0;
    rt_printf("EL2 MMU on: RAM: %u bytes zeroed\n", zeroed);
    check(zeroed == 64, "64 bytes zeroed");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    return test_result();
}
