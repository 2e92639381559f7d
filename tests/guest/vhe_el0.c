// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* EL0 in the host (FEAT_VHE, HCR_EL2.{E2H,TGE} = {1,1}): EL0 runs in the EL2&0 regime (EL2's
 * tables, EL0 rights from AP[1]), its exceptions go to EL2, and its controls are SCTLR_EL2
 * and CNTHCTL_EL2 in its E2H layout (EL0VCTEN). (SCTLR_EL2.nTWI also traps an EL0 WFI there,
 * AArch64.CheckForWFxTrap with IsInHost(); QEMU 7.2 reads SCTLR_EL1 instead and sleeps, so that
 * is left out of this comparison.) The image's code pages are mapped
 * read-only for EL0 and EL2 (executable by both), its data and stacks read-write for both
 * (so never executable at EL2); PRIV is an EL2-only page. */
#define PT_POOL_PAGES 16
#include "pagetable.h"

TRAP_HANDLERS

#define HCR_RW (1UL << 31)
#define HCR_TGE (1UL << 27)
#define HCR_E2H (1UL << 34)
#define PRIV 0x20000000UL
#define AP_EL2_RW (0UL << 6)
#define AP_BOTH_RW (1UL << 6)
#define AP_BOTH_RO (3UL << 6)

extern char __text_end[];

static volatile uint64_t el0_seen;

static uint64_t el0_read_priv(uint64_t arg)
{
    (void)arg;
    __asm__ volatile(T_MARK "1: ldr x0, [%0]\n2:\n" :: "r"(PRIV) : "x0", T_CLOBBER);
    return 0;
}
EL0_INSN(el0_svc, "svc #0x42")
EL0_INSN(el0_cntvct, "mrs x0, cntvct_el0")

static uint64_t el0_ok(uint64_t arg)
{
    return arg + 1;
}

int main(void)
{
    rt_puts("vhe_el0\n");
    struct pt lo;
    pt_init_s1(&lo, 39);
    uint64_t attr = S1_ATTR(0) | PTE_SH(SH_ISH) | PTE_AF;
    for (uint64_t pa = RAM_BASE; pa < RAM_BASE + SZ_2M; pa += PAGE_SIZE) {
        uint64_t ap = pa < (uint64_t)__text_end ? AP_BOTH_RO : AP_BOTH_RW | S1_UXN;
        pt_map(&lo, pa, pa, 3, attr | ap);
    }
    pt_map(&lo, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | AP_EL2_RW | PTE_AF | S1_PXN | S1_UXN);
    pt_map(&lo, PRIV, RAM_FREE0, 3, attr | AP_EL2_RW | S1_UXN);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_TGE);
    ISB();
    WRITE_SYSREG(tcr_el2, 25UL | (1UL << 23) | (2UL << 32));      /* T0SZ 25, EPD1, IPS 40 bits */
    WRITE_SYSREG(mair_el2, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)lo.root);
    WRITE_SYSREG(cnthctl_el2, 0);                                 /* EL0PCTEN = EL0VCTEN = 0 */
    __asm__ volatile("dsb sy\n\ttlbi alle2\n\tdsb sy\n\tisb" ::: "memory");
    /* SCTLR_EL2 with E2H+TGE also controls EL0: M, nTWI = nTWE = 0 (trap WFI/WFE), SA0 = 0;
     * SPAN = 1: exceptions to EL2 leave PSTATE.PAN alone (EL2's stack is EL0-accessible here). */
    WRITE_SYSREG(sctlr_el2, (READ_SYSREG(sctlr_el2) | 1 | (1UL << 23)) & ~((1UL << 16) | (1UL << 18) | (1UL << 4)));
    ISB();

    uint64_t r = rt_run_el0(el0_ok, 41);
    rt_printf("EL0 function in the EL2&0 regime returned %lu\n", r);
    check(r == 42, "EL0 runs");
    trap_reset();
    rt_run_el0(el0_svc, 0);
    expect_trap("EL0 svc #0x42", 2, RT_VEC_LOWER64, 0x15, 1, 0x42, 0x1ffffff, 4);
    trap_reset();
    rt_run_el0(el0_read_priv, 0);
    expect_trap("EL0 ldr from an EL2-only page", 2, RT_VEC_LOWER64, 0x24, 1, 0x0f, 0x3f, 0);
    rt_printf("  FAR=PRIV+0x%lx\n", trap.far - PRIV);
    trap_reset();
    rt_run_el0(el0_cntvct, 0);
    expect_trap("EL0 mrs cntvct_el0, CNTHCTL_EL2.EL0VCTEN=0", 2, RT_VEC_LOWER64, 0x18, 1, 0, 0, 0);
    WRITE_SYSREG(cnthctl_el2, 2UL);                               /* EL0VCTEN */
    ISB();
    trap_reset();
    rt_run_el0(el0_cntvct, 0);
    expect_no_trap("EL0 mrs cntvct_el0, EL0VCTEN=1");
    (void)el0_seen;

    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("MMU off, E2H and TGE off\n");
    return test_result();
}
