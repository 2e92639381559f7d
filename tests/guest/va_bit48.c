/* Loads and branches to VAs with bit 48 set (2^48 + k * 4 KB + 0x62a) with the
 * MMU off: beyond the PA size, so an address size fault, level 0
 * (AArch64.TranslateAddressS1Off): DFSC/IFSC 0x00, FAR = the address. Each one
 * faults, also after code was modified and made visible with IC IVAU (which
 * makes avsim drop Unicorn's translations of the page through a private VA in
 * that window: tests/gfuzz seed 313 read RAM through the entry that left in
 * Unicorn's TLB instead of faulting; QEMU 7.2 faults, as here). Runs at EL1
 * (ESR_EL1: ISV=0 on QEMU 7.2 as on the Arm ARM). */
#include "trap.h"

TRAP_HANDLERS

#define PAGES 48
#define BASE ((1UL << 48) + 0x62a)

static void __attribute__((noinline, aligned(4096))) patched(void)
{
    __asm__ volatile("nop");
}

static void modify_code(int n)
{
    /* Rewrite the NOP (with itself) and make it visible: IC IVAU of that page. */
    for (int i = 0; i < n; i++) {
        volatile uint32_t *p = (volatile uint32_t *)(uint64_t)patched;
        patched();
        *p = *p;
        __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(p) : "memory");
        patched();
    }
}

static unsigned loads(void)
{
    unsigned ok = 0;
    for (uint64_t k = 0; k < PAGES; k++) {
        uint64_t va = BASE + (k << 12);
        trap_reset();
        __asm__ volatile("mov x6, %0\n\t" T_MARK "1: ldrb w5, [x6]\n2:\n" :: "r"(va) : "x5", "x6", T_CLOBBER);
        trap_resume = 0;
        ok += trap.count == 1 && ESR_EC(trap.esr) == 0x25 && (ESR_ISS(trap.esr) & 0x3f) == 0 && trap.far == va;
    }
    return ok;
}

static unsigned branches(void)
{
    unsigned ok = 0;
    for (uint64_t k = 0; k < PAGES; k += 8) {
        uint64_t va = ((1UL << 48) + (k << 12)) | 0x600;
        trap_reset();
        trap_ref = va;
        __asm__ volatile("adr x16, 2f\n\tadrp x17, trap_resume\n\tstr x16, [x17, :lo12:trap_resume]\n\t"
                         "blr %0\n2:\n" :: "r"(va) : "x16", "x17", "x30", "memory");
        trap_resume = 0;
        ok += trap.count == 1 && ESR_EC(trap.esr) == 0x21 && (ESR_ISS(trap.esr) & 0x3f) == 0 &&
              trap.far == va && trap.elr == va;
    }
    return ok;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    unsigned a = loads();
    rt_printf("ldrb at 2^48 + k*4KB + 0x62a, %u pages: %u address size faults\n", PAGES, a);
    check(a == PAGES, "every load faults");
    modify_code(PAGES);
    a = loads();
    rt_printf("after %u code modifications: %u address size faults\n", PAGES, a);
    check(a == PAGES, "every load faults");
    unsigned b = branches();
    rt_printf("branches to 2^48 + k*4KB + 0x600: %u of %u instruction aborts (address size)\n", b, PAGES / 8);
    check(b == PAGES / 8, "every branch faults");
    return 0;
}

int main(void)
{
    rt_puts("va_bit48\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
