/* A 16-byte SIMD load (LD1 {v.16b}) and an LDR Q of the last 16 bytes of a
 * page whose next page is not mapped must not fault, as glibc's strlen does at
 * the top of the stack; a 32-byte LD1 {v0.16b, v1.16b} starting 16 bytes
 * before the end does fault on the next page (FAR = its first byte). Stage 1
 * at EL2 with 4 KiB pages. */
#include "pagetable.h"

#define EL2_AP_RW (1UL << 6)
#define PAGE_VA 0x20000000UL

TRAP_HANDLERS

static struct pt pt;

int main(void)
{
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | EL2_AP_RW | PTE_AF);
    pt_map(&pt, PAGE_VA, RAM_FREE0, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    for (int i = 0; i < 16; i++)
        *(volatile uint8_t *)(RAM_FREE0 + 0xff0 + i) = (uint8_t)(0xa0 + i);
    s1_el2_enable(&pt);
    uint64_t lo = 0, hi = 0;
    trap_reset();
    __asm__ volatile("ld1 {v1.16b}, [%2]\n\tmov %0, v1.d[0]\n\tmov %1, v1.d[1]"
                     : "=r"(lo), "=r"(hi) : "r"(PAGE_VA + 0xff0) : "v1", "memory");
    rt_printf("ld1 {v1.16b} at the page end: %s, 0x%016lx%016lx\n", trap.count ? "fault" : "ok", hi, lo);
    __asm__ volatile("ldr q2, [%2]\n\tmov %0, v2.d[0]\n\tmov %1, v2.d[1]"
                     : "=r"(lo), "=r"(hi) : "r"(PAGE_VA + 0xff0) : "v2", "memory");
    rt_printf("ldr q2 at the page end: %s, 0x%016lx\n", trap.count ? "fault" : "ok", lo);
    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: ld1 {v0.16b, v1.16b}, [x6]\n2:\n"
                     :: "r"(PAGE_VA + 0xff0) : "x6", "v0", "v1", T_CLOBBER);
    expect_trap("ld1 {v0.16b, v1.16b} across the page end", 2, RT_VEC_CUR_SPX + RT_SYNC, 0x25, 1, 0x07, 0x1ffffff, 0);
    rt_printf("FAR = page end + 0x%lx\n", trap.far - (PAGE_VA + 0x1000));
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
