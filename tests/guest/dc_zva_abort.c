/* DC ZVA with EL2's stage 1 on (Normal memory), where QEMU 7.2 and the Arm ARM
 * agree: DC ZVA zeroes one naturally aligned block of DCZID_EL0.BS words (64
 * bytes on the Cortex-A57) and nothing else; its aborts are Data Aborts (EC
 * 0x25) taken as for a store (WnR=1, CM=0) with FAR = Xt, the register
 * argument, not the start of the block (FAR_ELx: "If a memory fault that sets
 * FAR_ELx is generated from a data cache instruction, this field holds the
 * address specified in the register argument of the instruction").
 *   - RAM through a Normal mapping: the 64 bytes around Xt are zeroed, the
 *     bytes on either side are not.
 *   - an unmapped VA: Translation fault, level 3 (DFSC 0x07).
 *   - a read-only page: Permission fault, level 3 (DFSC 0x0f).
 * A Normal mapping of unassigned memory (External abort, where QEMU 7.2 gives
 * the start of the block in FAR) and DC ZVA with the MMU off (Device memory:
 * an Alignment fault, which QEMU 7.2 does not take) are in dc_zva_device. */
#include "pagetable.h"

TRAP_HANDLERS

#define ZVA_VA 0x20000000UL       /* RW page -> RAM_FREE0 */
#define RO_VA (ZVA_VA + 0x1000)   /* read-only page -> RAM_FREE0 + 0x1000 */
#define HOLE_VA (ZVA_VA + 0x2000) /* no mapping */
#define EL2_AP_RW (1UL << 6)
#define EL2_AP_RO (3UL << 6)
#define ALL 0x1ffffffu

static void zva_abort(const char *what, uint64_t xt, uint32_t iss, uint64_t far)
{
    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: dc zva, x6\n2:\n" :: "r"(xt) : "x6", T_CLOBBER);
    expect_trap(what, 2, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);
    rt_printf("  FAR=Xt%c0x%lx\n", trap.far >= far ? '+' : '-', trap.far >= far ? trap.far - far : far - trap.far);
    check(trap.far == far, "FAR = Xt");
}

int main(void)
{
    rt_puts("dc_zva_abort\n");
    uint64_t dczid = READ_SYSREG(dczid_el0);
    rt_printf("DCZID_EL0: DZP=%lu BS=%lu (%lu bytes)\n", (dczid >> 4) & 1, dczid & 15, 4UL << (dczid & 15));

    volatile uint8_t *ram = (volatile uint8_t *)RAM_FREE0;
    for (unsigned i = 0; i < 256; i++)
        ram[i] = 0xa5;

    struct pt pt;
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, ZVA_VA, RAM_FREE0, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, RO_VA, RAM_FREE0 + 0x1000, 3, S1_ATTR(0) | EL2_AP_RO | PTE_SH(SH_ISH) | PTE_AF);
    s1_el2_enable(&pt);

    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: dc zva, x6\n2:\n" :: "r"(ZVA_VA + 0x48) : "x6", T_CLOBBER);
    expect_no_trap("dc zva at ZVA+0x48");
    volatile uint8_t *v = (volatile uint8_t *)ZVA_VA;
    unsigned first = 256, last = 0;
    for (unsigned i = 0; i < 256; i++)
        if (v[i] == 0) {
            if (i < first)
                first = i;
            last = i;
        } else {
            check(v[i] == 0xa5, "bytes outside the block keep their value");
        }
    rt_printf("  zeroed bytes 0x%x..0x%x\n", first, last);
    check(first == 0x40 && last == 0x7f, "the aligned 64-byte block is zeroed");

    zva_abort("dc zva at HOLE+0x10 (unmapped)", HOLE_VA + 0x10, 0x47, HOLE_VA + 0x10);
    zva_abort("dc zva at RO+0x88 (read-only)", RO_VA + 0x88, 0x4f, RO_VA + 0x88);
    zva_abort("dc zva at RO+0xfff (read-only)", RO_VA + 0xfff, 0x4f, RO_VA + 0xfff);

    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    return test_result();
}
