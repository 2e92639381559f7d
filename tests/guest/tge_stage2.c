/* HCR_EL2.TGE = 1 with E2H = 0 and VM = 1: EL0 runs in the EL1&0 regime with stage 1 off
 * (SCTLR_EL1.M behaves as 0: AArch64.S1Enabled) and stage 2 still on: AArch64.FullTranslate
 * calls AArch64.S2Translate for Regime_EL10 whenever EL2 is enabled, and HCR_EL2.VM's
 * Effective value is 0 only under {E2H,TGE} = {1,1}. Stage 2 identity-maps the image and
 * maps IPA 0x50000000 to a page of it: an EL0 load there reads that page; a load from an
 * IPA stage 2 leaves unmapped (0x60000000) is a stage-2 Translation fault taken to EL2
 * (EC 0x24, HPFAR_EL2 its IPA). SCTLR_EL1.M is 0 here: QEMU 7.2 walks the EL1&0 stage 1
 * for EL0 under TGE when SCTLR_EL1.M is 1 (tests/gfuzz/README.md). Found while analysing
 * gfuzz seeds 237/269 (avsim turned stage 2 off under TGE whatever E2H was). */
#define PT_POOL_PAGES 8
#include "pagetable.h"

TRAP_HANDLERS

#define ALIAS 0x50000000UL
#define UNMAPPED 0x60000000UL

static volatile uint64_t page[512] __attribute__((aligned(4096)));
static struct pt s2;

static uint64_t el0_read(uint64_t va)
{
    uint64_t v = 0;
    __asm__ volatile("mov x5, %1\n\t" T_MARK "1: ldr %0, [x5]\n2:\n" : "+r"(v) : "r"(va) : "x5", T_CLOBBER);
    return v;
}

int main(void)
{
    rt_puts("tge_stage2\n");
    page[0] = 0x8877665544332211UL;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    pt_map(&s2, ALIAS, (uint64_t)page, 3, S2_RAM);
    s2_setup(&s2);
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1UL);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE | HCR_VM);
    ISB();

    trap_reset();
    uint64_t v = rt_run_el0(el0_read, ALIAS);
    rt_printf("EL0 (TGE=1, VM=1) ldr from IPA 0x%lx: 0x%lx, %lu exceptions\n", ALIAS, v, trap.count);
    check(trap.count == 0 && v == page[0], "stage 2 maps the alias under TGE");

    trap_reset();
    rt_run_el0(el0_read, UNMAPPED);
    expect_trap("EL0 ldr from an IPA stage 2 does not map (TGE=1)", 2, RT_VEC_LOWER64, 0x24, 1, 0x04, 0x3c, 0);
    uint64_t hpfar = READ_SYSREG(hpfar_el2);
    rt_printf("  DFSC=0x%x HPFAR_EL2.FIPA=0x%lx\n", (unsigned)(trap.esr & 0x3f), (hpfar >> 4) << 12);
    check(((hpfar >> 4) << 12) == UNMAPPED, "HPFAR_EL2");

    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
