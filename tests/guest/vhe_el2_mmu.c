// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* The EL2&0 translation regime (FEAT_VHE, HCR_EL2.E2H = 1) as EL2 uses it: TCR_EL2 in
 * TCR_EL1's layout with two ranges, TTBR0_EL2 for low VAs and TTBR1_EL2 for high ones,
 * ASIDs from TTBR0_EL2 (TCR_EL2.A1 = 0) tagging non-global entries. EL2 reads a page through
 * TTBR1_EL2 at the top of the VA space, an nG page under two ASIDs that map it to different
 * pages (no TLBI between the switches: the entries are tagged), a page changed in the table
 * and invalidated with TLBI VAE2 under its ASID, and runs AT S1E2R on both ranges. */
#define PT_POOL_PAGES 16
#include "pagetable.h"

TRAP_HANDLERS

#define HCR_RW (1UL << 31)
#define HCR_E2H (1UL << 34)
#define HIGH 0xffffffffc0200000UL     /* in TTBR1_EL2's range (T1SZ = 25) */
#define NGVA 0x20000000UL             /* nG page in TTBR0_EL2's range */
#define AP_EL2_RW (0UL << 6)          /* AP[2:1] = 00: EL2 RW, EL0 none (EL2&0 regime) */

static uint64_t at_s1e2r(uint64_t va)
{
    __asm__ volatile("at s1e2r, %0" :: "r"(va));
    ISB();
    return READ_SYSREG(par_el1);
}

int main(void)
{
    rt_puts("vhe_el2_mmu\n");
    struct pt lo1, lo2, hi;
    pt_init_s1(&lo1, 39);
    pt_init_s1(&lo2, 39);
    pt_init_s1(&hi, 39);
    uint64_t ram = S1_ATTR(0) | AP_EL2_RW | PTE_SH(SH_ISH) | PTE_AF;
    uint64_t uart = S1_ATTR(1) | AP_EL2_RW | PTE_AF | S1_PXN | S1_UXN;
    pt_map(&lo1, RAM_BASE, RAM_BASE, 1, ram);
    pt_map(&lo1, 0x09000000UL, 0x09000000UL, 2, uart);
    pt_map(&lo1, NGVA, RAM_FREE1, 3, ram | S1_NG);
    pt_map(&lo2, RAM_BASE, RAM_BASE, 1, ram);
    pt_map(&lo2, 0x09000000UL, 0x09000000UL, 2, uart);
    pt_map(&lo2, NGVA, RAM_FREE2, 3, ram | S1_NG);
    pt_map(&hi, HIGH & ((1UL << 39) - 1), RAM_FREE0, 3, ram);
    *(volatile uint64_t *)RAM_FREE0 = 0xa0;
    *(volatile uint64_t *)RAM_FREE1 = 0xa1;
    *(volatile uint64_t *)RAM_FREE2 = 0xa2;
    *(volatile uint64_t *)RAM_FREE3 = 0xa3;

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H);
    ISB();
    /* TCR_EL2 (E2H layout): T0SZ = T1SZ = 25, TG0 = 4K, TG1 = 4K, IPS = 40 bits, 8-bit ASID,
     * walks Normal Non-cacheable. */
    WRITE_SYSREG(tcr_el2, 25UL | (25UL << 16) | (2UL << 30) | (2UL << 32));
    WRITE_SYSREG(mair_el2, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)lo1.root | (1UL << 48));
    WRITE_SYSREG(S3_4_C2_C0_1, (uint64_t)hi.root);          /* TTBR1_EL2 */
    __asm__ volatile("dsb sy\n\ttlbi alle2\n\tdsb sy\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1);
    ISB();
    rt_printf("MMU on, E2H: the image runs through TTBR0_EL2\n");

    uint64_t v = *(volatile uint64_t *)HIGH;
    rt_printf("read at HIGH (TTBR1_EL2): 0x%lx\n", v);
    check(v == 0xa0, "TTBR1_EL2 range");
    v = *(volatile uint64_t *)NGVA;
    rt_printf("read at NGVA, ASID 1: 0x%lx\n", v);
    check(v == 0xa1, "ASID 1");
    WRITE_SYSREG(ttbr0_el2, (uint64_t)lo2.root | (2UL << 48));
    ISB();
    v = *(volatile uint64_t *)NGVA;
    rt_printf("read at NGVA, ASID 2 (other tables, no TLBI): 0x%lx\n", v);
    check(v == 0xa2, "ASID 2");
    WRITE_SYSREG(ttbr0_el2, (uint64_t)lo1.root | (1UL << 48));
    ISB();
    v = *(volatile uint64_t *)NGVA;
    rt_printf("read at NGVA, ASID 1 again: 0x%lx\n", v);
    check(v == 0xa1, "ASID 1 again");

    /* Point ASID 1's page elsewhere; TLBI VAE2 with ASID 1 makes the change visible. */
    pt_map(&lo1, NGVA, RAM_FREE3, 3, ram | S1_NG);
    __asm__ volatile("dsb ishst\n\ttlbi vae2, %0\n\tdsb ish\n\tisb" :: "r"((1UL << 48) | (NGVA >> 12)) : "memory");
    v = *(volatile uint64_t *)NGVA;
    rt_printf("after the table change and TLBI VAE2 (ASID 1): 0x%lx\n", v);
    check(v == 0xa3, "TLBI VAE2 by ASID");

    uint64_t par = at_s1e2r(HIGH);
    rt_printf("AT S1E2R HIGH: F=%lu PA=RAM_FREE0+0x%lx\n", par & 1, (par & PTE_OA_MASK) - RAM_FREE0);
    check(!(par & 1) && (par & PTE_OA_MASK) == RAM_FREE0, "AT S1E2R TTBR1_EL2");
    par = at_s1e2r(NGVA);
    rt_printf("AT S1E2R NGVA: F=%lu PA=RAM_FREE3+0x%lx\n", par & 1, (par & PTE_OA_MASK) - RAM_FREE3);
    check(!(par & 1) && (par & PTE_OA_MASK) == RAM_FREE3, "AT S1E2R TTBR0_EL2");

    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("MMU off, E2H off\n");
    return test_result();
}
