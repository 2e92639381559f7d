/* MMU benchmark: a loop that reads one word from each of PAGES distinct 4 KiB
 * pages, PASSES times over, with
 *   MODE 0  translation off (EL2, flat),
 *   MODE 1  EL2's own stage 1 (4 KiB pages),
 *   MODE 2  an EL1 guest with its own stage 1 under stage 2 (4 KiB pages at both stages).
 * Below the TLB's reach (L2: 1024 entries) the translations stay cached after
 * the first pass; above it the walks come back. The loop is the same
 * instructions in every mode, so the modes' guest MIPS compare directly. */
#define PT_POOL_PAGES 48
#include "pagetable.h"

#ifndef MODE
#define MODE 0
#endif
#ifndef PAGES
#define PAGES 16
#endif
#define TOUCHES (4UL * 1000 * 1000)
#define PASSES (TOUCHES / PAGES)
#define BUF RAM_FREE0                 /* up to 16 MiB of pages */

static uint64_t touch_loop(void)
{
    uint64_t sum = 0, base = BUF, passes = PASSES, pages;
    __asm__ volatile(
        "1: mov     %[p], %[np]\n"
        "   mov     x9, %[b]\n"
        "2: ldr     x10, [x9]\n"
        "   add     %[s], %[s], x10\n"
        "   add     x9, x9, #4096\n"
        "   subs    %[p], %[p], #1\n"
        "   b.ne    2b\n"
        "   subs    %[n], %[n], #1\n"
        "   b.ne    1b\n"
        : [s] "+r"(sum), [n] "+r"(passes), [p] "=&r"(pages)
        : [b] "r"(base), [np] "r"((uint64_t)PAGES)
        : "x9", "x10", "cc", "memory");
    return sum;
}

static struct pt s1 __attribute__((unused)), s2 __attribute__((unused));

__attribute__((unused)) static void map_identity_s1(struct pt *pt, int el2)
{
    uint64_t ram = S1_ATTR(0) | (el2 ? (1UL << 6) : S1_AP_RW_EL1) | PTE_SH(SH_ISH) | PTE_AF;
    pt_map_range(pt, RAM_BASE, RAM_BASE, BUF - RAM_BASE, 2, ram);        /* the image: 2 MiB blocks */
    pt_map_range(pt, BUF, BUF, (uint64_t)PAGES * 4096, 3, ram);        /* the pages: 4 KiB */
    pt_map(pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | (el2 ? (1UL << 6) : S1_AP_RW_EL1) | PTE_AF);
}

static void report(uint64_t sum)
{
    rt_printf("mmu_pages mode=%d pages=%d touches=%lu sum=%lx\n", MODE, PAGES, PASSES * PAGES, sum);
}

#if MODE == 2
static void guest(uint64_t arg)
{
    (void)arg;
    s1_enable(&s1, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    report(touch_loop());
    rt_exit(0);
}
#endif

int main(void)
{
    for (uint64_t p = 0; p < PAGES; p++)
        *(volatile uint64_t *)(BUF + p * 4096) = p;
#if MODE == 1
    pt_init_s1(&s1, 39);
    map_identity_s1(&s1, 1);
    WRITE_SYSREG(mair_el2, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    WRITE_SYSREG(tcr_el2, (64 - 39) | (2UL << 16) | (1UL << 31) | (1UL << 23));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)s1.root);
    __asm__ volatile("dsb sy\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1);
    ISB();
#elif MODE == 2
    pt_init_s1(&s1, 39);
    map_identity_s1(&s1, 0);
    pt_init_s2(&s2, 40, 1);
    pt_map_range(&s2, RAM_BASE, RAM_BASE, BUF - RAM_BASE, 2, S2_RAM);
    pt_map_range(&s2, BUF, BUF, (uint64_t)PAGES * 4096, 3, S2_RAM);
    pt_map(&s2, 0x09000000UL, 0x09000000UL, 2, S2_MEMATTR(S2_DEVICE_nGnRE) | S2AP_RW | PTE_AF);
    s2_setup(&s2);
    rt_enter_el1(guest, HCR_VM, 0);
#endif
    report(touch_loop());
    return 0;
}
