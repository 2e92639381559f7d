/* Code at upper-half virtual addresses (TTBR1_EL1), where every kernel runs:
 * EL1 maps its 2 MiB of RAM a second time at HIGH (a TTBR1 region of 39
 * bits) and calls a function through that alias. Avsim once took every VA
 * at or above its private trampoline page (0xffffffff000) for the
 * trampoline: upper-half blocks went the slow path, were left out of traces
 * (tests/cli/trace_tests.sh checks block records here) and confused the GDB
 * stub. The output is the same on QEMU. */
#include "pagetable.h"

#define HIGH 0xffffffc000000000UL          /* the bottom of a 39-bit TTBR1 region */

static struct pt lo, hi;
static volatile uint64_t counter;

static uint64_t __attribute__((noinline)) work(uint64_t n)
{
    uint64_t pc, sum = 0;
    __asm__ volatile("adr %0, ." : "=r"(pc));
    for (uint64_t i = 1; i <= n; i++) {
        sum += i * i;
        counter++;
    }
    rt_printf("work at %s VA: sum=%lu\n", pc >= HIGH ? "upper-half" : "lower-half", sum);
    return sum;
}

static void kernel(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&lo, 39);
    pt_init_s1(&hi, 39);
    uint64_t page = S1_ATTR(0) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF;
    pt_map_range(&lo, RAM_BASE, RAM_BASE, SZ_2M, 3, page);
    pt_map(&lo, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | S1_AP_RW_EL1 | PTE_AF | S1_UXN | S1_PXN);
    pt_map_range(&hi, HIGH + RAM_BASE, RAM_BASE, SZ_2M, 3, page);
    s1_enable(&lo, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    /* TTBR1 on: T1SZ = 25 (39 bits), 4 KiB granule (TG1 = 0b10), EPD1 = 0. */
    WRITE_SYSREG(ttbr1_el1, (uint64_t)hi.root);
    uint64_t tcr = (s1_tcr(&lo) & ~((0x3fUL << 16) | (1UL << 23) | (3UL << 30))) | (25UL << 16) | (2UL << 30);
    WRITE_SYSREG(tcr_el1, tcr);
    __asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    uint64_t (*high_work)(uint64_t) = (uint64_t (*)(uint64_t))((uint64_t)&work + HIGH);
    uint64_t a = work(1000);
    uint64_t b = high_work(1000);
    rt_printf("same result: %s, counter=%lu\n", a == b ? "yes" : "no", counter);
    rt_exit(a == b && counter == 2000 ? 0 : 1);
}

int main(void)
{
    rt_printf("el1_high_va\n");
    rt_enter_el1(kernel, 0, 0);
}
