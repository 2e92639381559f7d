// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 reports ISV=1 with SAS/SRT/SF in ESR_EL2 for EL2's own stage-1 data aborts (ISS 0x1c58006 / 0x1c5804f here); the Arm ARM gives ISV=0 for every fault in ESR_EL2 but some stage-2 aborts (QEMU 8.0 fixed it); and PAR_EL1.SH for the Device mapping is 0b10 (Outer Shareable) by the Arm ARM, where QEMU 7.2 returns the descriptor's SH (fixed in QEMU 8.1). Everything else here matches QEMU 7.2.
/* EL2's own stage-1 translation (the EL2 regime: TTBR0_EL2, TCR_EL2,
 * MAIR_EL2, SCTLR_EL2.M). EL2 maps RAM as a 1 GiB block, the UART as a
 * Device 2 MiB block, and a few 4 KiB pages at VA 0x20000000 with different
 * rights; then with its MMU on it writes through an alias page, reads the
 * data back through the identity map, runs AT S1E2R/W, and takes a
 * translation fault, a permission fault (store to a read-only page) and an
 * instruction abort (execute-never page), all to EL2 itself. */
#include "pagetable.h"

TRAP_HANDLERS

#define ALIAS 0x20000000UL        /* RW page -> RAM_FREE0 */
#define RO_PAGE (ALIAS + 0x1000)  /* read-only page -> RAM_FREE0 + 0x1000 */
#define XN_PAGE (ALIAS + 0x2000)  /* execute-never page -> the image's first page */
#define HOLE 0x30000000UL         /* no mapping */
#define EL2_AP_RW (1UL << 6)      /* AP[2]=0; AP[1] is RES1 in the EL2 regime */
#define EL2_AP_RO (3UL << 6)
#define EL2_XN (1UL << 54)

static void mmu_off(void)
{
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
}

static void print_par(const char *what, uint64_t par, uint64_t base)
{
    if (par & 1)
        rt_printf("%s: PAR F=1 FST=0x%02x PTW=%u S=%u\n", what, (unsigned)((par >> 1) & 0x3f),
                  (unsigned)((par >> 8) & 1), (unsigned)((par >> 9) & 1));
    else
        rt_printf("%s: PAR F=0 PA=base+0x%lx ATTR=0x%02x SH=%u NS=%u\n", what,
                  (par & PTE_OA_MASK) - base, (unsigned)(par >> 56), (unsigned)((par >> 7) & 3),
                  (unsigned)((par >> 9) & 1));
}

static uint64_t at_s1e2(uint64_t va, int write)
{
    if (write)
        __asm__ volatile("at s1e2w, %0" :: "r"(va));
    else
        __asm__ volatile("at s1e2r, %0" :: "r"(va));
    ISB();
    return READ_SYSREG(par_el1);
}

static void xn_target(void) {}

int main(void)
{
    struct pt pt;
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | EL2_AP_RW | PTE_AF | EL2_XN);
    pt_map(&pt, ALIAS, RAM_FREE0, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, RO_PAGE, RAM_FREE0 + 0x1000, 3, S1_ATTR(0) | EL2_AP_RO | PTE_SH(SH_ISH) | PTE_AF);
    uint64_t code_page = (uint64_t)xn_target & ~0xfffUL;
    pt_map(&pt, XN_PAGE, code_page, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF | EL2_XN);
    *(volatile uint64_t *)(RAM_FREE0 + 0x1008) = 0x5a5a;

    rt_printf("el2_mmu\n");
    s1_el2_enable(&pt);
    rt_printf("MMU on: SCTLR_EL2.M=%lu\n", READ_SYSREG(sctlr_el2) & 1);
    rt_uart_puts("uart through a Device block\n");

    *(volatile uint64_t *)(ALIAS + 0x10) = 0x1122334455667788UL;
    rt_printf("alias write, identity read: 0x%lx\n", *(volatile uint64_t *)(RAM_FREE0 + 0x10));
    rt_printf("read-only page reads 0x%lx\n", *(volatile uint64_t *)(RO_PAGE + 8));

    print_par("AT S1E2R alias+0x10", at_s1e2(ALIAS + 0x10, 0), RAM_FREE0);
    print_par("AT S1E2R RAM", at_s1e2(RAM_BASE + 0x123456, 0), RAM_BASE);
    print_par("AT S1E2R uart", at_s1e2(0x09000000UL, 0), 0x09000000UL);
    print_par("AT S1E2W read-only page", at_s1e2(RO_PAGE, 1), 0);
    print_par("AT S1E2R hole", at_s1e2(HOLE, 0), 0);

    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: ldr x5, [x6]\n2:\n" :: "r"(HOLE) : "x5", "x6", T_CLOBBER);
    expect_trap("ldr from unmapped VA", 2, RT_VEC_CUR_SPX + RT_SYNC, 0x25, 1, 0x06, 0x1ffffff, 0);
    check(trap.far == HOLE, "FAR");

    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: str x5, [x6]\n2:\n" :: "r"(RO_PAGE + 8) : "x5", "x6", T_CLOBBER);
    expect_trap("str to read-only page", 2, RT_VEC_CUR_SPX + RT_SYNC, 0x25, 1, 0x4f, 0x1ffffff, 0);
    check(trap.far == RO_PAGE + 8, "FAR");

    trap_reset();
    uint64_t target = XN_PAGE + ((uint64_t)xn_target & 0xfff);
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: blr x6\n2:\n" :: "r"(target) : "x6", "x30", T_CLOBBER);
    trap_pc = target;              /* the fault is taken at the branch target */
    expect_trap("branch to execute-never page", 2, RT_VEC_CUR_SPX + RT_SYNC, 0x21, 1, 0x0f, 0x1ffffff, 0);
    check(trap.far == target, "FAR");

    mmu_off();
    rt_printf("MMU off: SCTLR_EL2.M=%lu\n", READ_SYSREG(sctlr_el2) & 1);
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
