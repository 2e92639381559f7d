// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* FEAT_PAN (--cpu=max; QEMU 7.2 -cpu max), at EL1 with its stage 1 on: with PSTATE.PAN = 1 a
 * privileged load from a page EL0 can access is a permission fault (EC 0x25, DFSC 0x0f: level
 * 3), while LDTR (unprivileged) still reads it; MSR PAN, #imm and MSR PAN, Xt set and clear
 * it, MRS PAN reads it. An exception taken to EL1 sets PAN when SCTLR_EL1.SPAN is 0 and leaves
 * it alone when SPAN is 1 (AArch64.TakeException). */
#define PT_POOL_PAGES 16
#include "pagetable.h"

#define USERVA 0x20000000UL
#define SCTLR_SPAN (1UL << 23)

static volatile uint64_t pan_in_handler;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_SYNC && ESR_EC(READ_SYSREG(esr_el1)) == 0x15) {
        pan_in_handler = READ_SYSREG(S3_0_C4_C2_3) >> 22 & 1;      /* PAN */
        return;                                                      /* SVC: ELR is past it */
    }
    trap_record(f, 1, vector);
}

void el2_handler(struct rt_frame *f, int vector)
{
    trap_record(f, 2, vector);
}

static uint64_t pan_now(void)
{
    return READ_SYSREG(S3_0_C4_C2_3) >> 22 & 1;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    struct pt pt;
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | S1_AP_RW_EL1 | PTE_AF | S1_PXN | S1_UXN);
    pt_map(&pt, USERVA, RAM_FREE0, 3, S1_ATTR(0) | S1_AP_RW | PTE_SH(SH_ISH) | PTE_AF | S1_PXN | S1_UXN);
    *(volatile uint64_t *)RAM_FREE0 = 0x5a;
    s1_enable(&pt, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));

    rt_printf("PAN at EL1 entry: %lu\n", pan_now());
    uint64_t v = *(volatile uint64_t *)USERVA;
    rt_printf("PAN=0: ldr from the EL0 page: 0x%lx\n", v);
    __asm__ volatile(".arch armv8.1-a\n\tmsr pan, #1\n\t.arch armv8-a\n\tisb" ::: "memory");
    rt_printf("after msr pan, #1: PAN=%lu\n", pan_now());
    trap_reset();
    __asm__ volatile(T_MARK "1: ldr x0, [%0]\n2:\n" :: "r"(USERVA) : "x0", T_CLOBBER);
    expect_trap("PAN=1: ldr from the EL0 page", 1, RT_VEC_CUR_SPX, 0x25, 1, 0x0f, 0x3f, 0);
    rt_printf("  FAR=USERVA+0x%lx\n", trap.far - USERVA);
    __asm__ volatile("ldtr %0, [%1]" : "=r"(v) : "r"(USERVA) : "memory");
    rt_printf("PAN=1: ldtr from the EL0 page: 0x%lx\n", v);
    check(v == 0x5a, "ldtr under PAN");
    WRITE_SYSREG(S3_0_C4_C2_3, 0);                                  /* MSR PAN, xzr */
    ISB();
    v = *(volatile uint64_t *)USERVA;
    rt_printf("after msr pan, xzr: PAN=%lu, ldr reads 0x%lx\n", pan_now(), v);

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~SCTLR_SPAN);
    ISB();
    __asm__ volatile("svc #1" ::: "memory");
    rt_printf("SPAN=0: PAN in the SVC handler %lu, after its ERET %lu\n", pan_in_handler, pan_now());
    check(pan_in_handler == 1 && pan_now() == 0, "SPAN=0 sets PAN on entry");
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | SCTLR_SPAN);
    ISB();
    __asm__ volatile("svc #1" ::: "memory");
    rt_printf("SPAN=1: PAN in the SVC handler %lu\n", pan_in_handler);
    check(pan_in_handler == 0, "SPAN=1 keeps PAN");
    s1_disable();
    return 0;
}

int main(void)
{
    rt_puts("pan\n");
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
