/* HCR_EL2.DC (Default Cacheability) with HCR_EL2.VM = 0: the EL1&0 regime behaves as if
 * SCTLR_EL1.M were 0 (stage 1 off, Normal Write-Back) and as if HCR_EL2.VM were 1
 * (stage 2 on), HCR_EL2 description in the Arm ARM. EL1 runs with SCTLR_EL1.M = 1 and
 * TTBR0_EL1/TCR_EL1 = 0, which would fault any fetch were stage 1 on; stage 2
 * identity-maps the image and maps IPA 0x50000000 to a page of it, so a load there
 * reads that page, and a load from an IPA stage 2 leaves unmapped (0x60000000) is a
 * stage-2 Translation fault at EL2 (EC 0x24, DFSC level 2: the level-1 entry holds the image, HPFAR_EL2 its IPA). Found by
 * gfuzz (avsim left stage 2 off with DC = 1 and VM = 0). */
#define PT_POOL_PAGES 8
#include "pagetable.h"

TRAP_HANDLERS

#define HCR_DC (1UL << 12)
#define ALIAS 0x50000000UL
#define UNMAPPED 0x60000000UL

static volatile uint64_t page[512] __attribute__((aligned(4096)));
static struct pt s2;

static uint64_t guest_read(uint64_t va)
{
    uint64_t v = 0;
    __asm__ volatile("mov x5, %1\n\t" T_MARK "1: ldr %0, [x5]\n2:\n" : "+r"(v) : "r"(va) : "x5", T_CLOBBER);
    return v;
}

int main(void)
{
    rt_puts("hcr_dc\n");
    page[0] = 0x1122334455667788UL;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    pt_map(&s2, ALIAS, (uint64_t)page, 3, S2_RAM);
    s2_setup(&s2);
    WRITE_SYSREG(tcr_el1, 0);
    WRITE_SYSREG(ttbr0_el1, 0);
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
    ISB();

    trap_reset();
    uint64_t v = rt_run_el1(guest_read, HCR_DC, ALIAS);
    rt_printf("EL1 (SCTLR_EL1.M=1, no tables) ldr from IPA 0x%lx: 0x%lx, %lu exceptions\n", ALIAS, v, trap.count);
    check(trap.count == 0 && v == page[0], "stage 2 maps the alias, stage 1 off");

    trap_reset();
    rt_run_el1(guest_read, HCR_DC, UNMAPPED);
    expect_trap("EL1 ldr from an IPA stage 2 does not map", 2, RT_VEC_LOWER64, 0x24, 1, 0x06, 0x3f, 0);
    uint64_t hpfar = READ_SYSREG(hpfar_el2);
    rt_printf("  DFSC=0x%x HPFAR_EL2.FIPA=0x%lx\n", (unsigned)(trap.esr & 0x3f), (hpfar >> 4) << 12);
    check(((hpfar >> 4) << 12) == UNMAPPED, "HPFAR_EL2");

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1UL);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_DC);
    return test_result();
}
