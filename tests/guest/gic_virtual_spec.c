// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 stores all 8 bits of ICH_VMCR_EL2.VPMR (unimplemented ICV_PMR_EL1 bits read back as written, and an LR priority equal to the implemented mask is signalled) and computes ICH_MISR_EL2.VGrp0D from VENG1 instead of VENG0
/* Two places where QEMU 7.2's virtual CPU interface deviates from IHI 0069;
 * the expectation is written from the spec (5 virtual priority bits,
 * ICH_VTR_EL2.PRIbits = 4):
 *   ICH_VMCR_EL2.VPMR is an alias of ICV_PMR_EL1.Priority, whose
 *     unimplemented low bits are RAZ/WI: writing VPMR = 0xff reads back 0xf8,
 *     from EL2 (VMCR) and from the guest (ICV_PMR_EL1). QEMU keeps 0xff.
 *     Consequence: a Group 1 LR with priority 0xf8 is not signalled (its
 *     priority is not higher than the mask 0xf8): the guest sees ISR_EL1.I =
 *     0 and ICV_IAR1_EL1 = 1023, while ICV_HPPIR1_EL1 still shows it. QEMU
 *     compares with 0xff and signals it.
 *     A guest write of 0xff to ICV_PMR_EL1 reads back 0xf8 (QEMU agrees).
 *   ICH_MISR_EL2.VGrp0D = ICH_HCR_EL2.VGrp0DIE && VENG0 == 0 (virtual Group 0
 *     disabled). QEMU tests VENG1 instead: with VENG0=0, VENG1=1 it reports 0,
 *     with VENG0=1, VENG1=0 it reports VGrp0D. */
#include "trap.h"
#include "gic.h"

TRAP_HANDLERS

static volatile uint64_t g_pmr, g_pmr2, g_isr, g_hppir, g_iar;

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    g_pmr = GIC_RD(ICC_PMR_EL1);
    g_isr = READ_SYSREG(isr_el1);
    g_hppir = GIC_RD(ICC_HPPIR1_EL1) & 0xffffff;
    g_iar = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    if (g_iar < 1020)
        GIC_WR(ICC_EOIR1_EL1, g_iar);
    GIC_WR(ICC_PMR_EL1, 0xff);
    ISB();
    g_pmr2 = GIC_RD(ICC_PMR_EL1);
    return 0;
}

static void misr_case(const char *what, uint32_t hcr, uint64_t vmcr, uint64_t want)
{
    GIC_WR(ICH_VMCR_EL2, vmcr);
    GIC_WR(ICH_HCR_EL2, hcr);
    ISB();
    uint64_t misr = GIC_RD(ICH_MISR_EL2);
    rt_printf("  %s: ICH_MISR_EL2 = 0x%lx\n", what, misr);
    check(misr == want, what);
}

int main(void)
{
    rt_puts("gic_virtual_spec\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);

    rt_puts("VPMR written 0xff (5 priority bits)\n");
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xff));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ich_lr_write(0, LR_G1_PENDING(41, 0xf8));
    uint64_t vmcr = GIC_RD(ICH_VMCR_EL2);
    rt_printf("  ICH_VMCR_EL2.VPMR = 0x%lx\n", (vmcr >> 24) & 0xff);
    check(((vmcr >> 24) & 0xff) == 0xf8, "VPMR implemented bits only");
    rt_run_el1(guest, HCR_IMO, 0);
    rt_printf("  guest: ICC_PMR_EL1 = 0x%lx\n", g_pmr);
    check(g_pmr == 0xf8, "ICV_PMR_EL1");
    rt_printf("  guest with LR0 = vINTID 41 prio 0xf8: ISR_EL1.I=%lu ICC_HPPIR1_EL1=%lu ICC_IAR1_EL1=%lu\n",
              (g_isr >> 7) & 1, g_hppir, g_iar);
    check(((g_isr >> 7) & 1) == 0 && g_hppir == 41 && g_iar == INTID_SPURIOUS, "masked by VPMR 0xf8");
    rt_printf("  guest wrote ICC_PMR_EL1 = 0xff, reads 0x%lx\n", g_pmr2);
    check(g_pmr2 == 0xf8, "ICV_PMR_EL1 write");
    rt_printf("  LR0 state afterwards: %s\n", lr_state_name[LR_STATE(ich_lr_read(0))]);
    check(LR_STATE(ich_lr_read(0)) == 1, "LR0 still pending");
    ich_lr_write(0, 0);

    rt_puts("VGrp0D (VGrp0DIE=1)\n");
    misr_case("VENG0=0 VENG1=1", ICH_HCR_EN | ICH_HCR_VGRP0DIE, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8),
              ICH_MISR_VGRP0D);
    misr_case("VENG0=1 VENG1=0", ICH_HCR_EN | ICH_HCR_VGRP0DIE, ICH_VMCR_VENG0 | ICH_VMCR_VPMR(0xf8), 0);
    misr_case("VENG0=0 VENG1=0", ICH_HCR_EN | ICH_HCR_VGRP0DIE, ICH_VMCR_VPMR(0xf8), ICH_MISR_VGRP0D);
    misr_case("VENG0=1 VENG1=1", ICH_HCR_EN | ICH_HCR_VGRP0DIE,
              ICH_VMCR_VENG0 | ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8), 0);
    GIC_WR(ICH_HCR_EL2, 0);
    ISB();
    return test_result();
}
