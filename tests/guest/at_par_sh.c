// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 returns the descriptor's SH (or 0 with the MMU off) in PAR_EL1.SH for a stage 1 only AT result of Device or Normal Non-cacheable memory; the Arm ARM returns 0b10 (Outer Shareable) for those.
/* PAR_EL1.SH for a stage 1 only address translation (AT S1E1R from EL2,
 * HCR_EL2.VM=0) whose memory type is Device or Normal Inner+Outer
 * Non-cacheable (companion of at_s12, which prints SH only where QEMU 7.2
 * agrees with the Arm ARM).
 *
 * Arm ARM, PAR_EL1.SH: "This field returns the value 0b10 for: any type of
 * Device memory; Normal memory with both Inner Non-cacheable and Outer
 * Non-cacheable attributes" (pseudocode PAREncodeShareability); otherwise
 * the descriptor's shareability. QEMU 7.2 applies that rule only when it
 * combines two stages (at_s12's S12E1R results agree) and otherwise returns
 * the descriptor's SH: 3 and 0 for the Device and Normal NC pages below.
 * With SCTLR_EL1.M=0 the result is PA = VA, Device-nGnRnE, so SH=0b10 as
 * well (QEMU 7.2 returns 0).
 * expected/at_par_sh.out is QEMU 7.2's output with those SH values set to 2.
 *
 * Stage 1: 4 KiB granule, T0SZ=32; page k at VA 0x10000000 + k*4K -> PA
 * 0x40400000 + k*4K; MAIR_EL1 index 0 Device-nGnRnE, 1 Device-nGnRE, 2
 * Device-GRE, 3 Normal NC, 4 Normal WB. */
#include "pagetable.h"

#define VA_BASE 0x10000000UL
#define PA_BASE 0x40400000UL

static const struct {
    const char *name;
    unsigned idx, sh, expect_sh;
} cases[] = {
    { "Device-nGnRnE, SH=ISH", 0, SH_ISH, SH_OSH },
    { "Device-nGnRE, SH=ISH", 1, SH_ISH, SH_OSH },
    { "Device-GRE, SH=NSH", 2, SH_NSH, SH_OSH },
    { "Normal-NC, SH=ISH", 3, SH_ISH, SH_OSH },
    { "Normal-NC, SH=NSH", 3, SH_NSH, SH_OSH },
    { "Normal-WB, SH=ISH", 4, SH_ISH, SH_ISH },
    { "Normal-WB, SH=NSH", 4, SH_NSH, SH_NSH },
    { "Normal-WB, SH=OSH", 4, SH_OSH, SH_OSH },
};
#define N_CASES (sizeof cases / sizeof cases[0])
static const uint8_t mair_attr[] = { MAIR_DEVICE_nGnRnE, MAIR_DEVICE_nGnRE, MAIR_DEVICE_GRE,
                                     MAIR_NORMAL_NC, MAIR_NORMAL_WB };

static uint64_t at_s1e1r(uint64_t va)
{
    __asm__ volatile("at s1e1r, %0\n\tisb" :: "r"(va) : "memory");
    return READ_SYSREG(par_el1);
}

static void show(const char *what, uint64_t par, uint64_t attr, unsigned sh, uint64_t pa)
{
    rt_printf("%s: F=%lu ATTR=0x%02lx SH=%lu PA=PA_BASE+0x%lx\n", what, par & PAR_F,
              PAR_ATTR(par), PAR_SH(par), PAR_PA(par) - PA_BASE);
    check(!(par & PAR_F), "F=0");
    check(PAR_ATTR(par) == attr, "ATTR");
    check(PAR_SH(par) == sh, "SH");
    check(PAR_PA(par) == pa, "PA");
}

int main(void)
{
    rt_puts("at_par_sh\n");
    struct pt s1;
    pt_init_s1(&s1, 32);
    uint64_t mair = 0;
    for (unsigned i = 0; i < sizeof mair_attr; i++)
        mair |= MAIR(i, mair_attr[i]);
    for (unsigned k = 0; k < N_CASES; k++)
        pt_map(&s1, VA_BASE + k * PAGE_SIZE, PA_BASE + k * PAGE_SIZE, 3,
               S1_ATTR(cases[k].idx) | S1_AP_RW_EL1 | PTE_SH(cases[k].sh) | PTE_AF);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    s1_enable(&s1, mair);

    for (unsigned k = 0; k < N_CASES; k++)
        show(cases[k].name, at_s1e1r(VA_BASE + k * PAGE_SIZE + 0x10),
             mair_attr[cases[k].idx], cases[k].expect_sh, PA_BASE + k * PAGE_SIZE);

    s1_disable();
    show("SCTLR_EL1.M=0", at_s1e1r(PA_BASE + 0x5010), MAIR_DEVICE_nGnRnE, SH_OSH,
         PA_BASE + 0x5000);
    return test_result();
}
