// AVSIM-ARGS: --smp=4
// QEMU-ARGS: -smp 4
/* Four PEs (QEMU's virt with -smp 4), all at EL2:
 *  1. PSCI: the secondaries start powered off (AFFINITY_INFO = 1); CPU_ON of
 *     each (target = its affinity, Aff0 = index; smp_cpu_on_mpidr.c covers
 *     MPIDR values with other bits set), entry = smp_secondary_entry,
 *     context_id = its index.
 *     Each secondary reports its MPIDR_EL1, CurrentEL, x0 and SCTLR_EL2.M;
 *     a second CPU_ON of a running PE returns ALREADY_ON; a bad MPIDR
 *     INVALID_PARAMETERS.
 *  2. SGIs: every PE wakes its own redistributor and enables SGIs 1..4 in
 *     Group 1; PE 0 sends SGI 1 to PE 1, PE 1 SGI 2 to PE 2, PE 2 SGI 3 to
 *     PE 3 and PE 3 SGI 4 back to PE 0 (ICC_SGI1R_EL1 TargetList). Each PE
 *     records the INTID it acknowledged (ICC_IAR1_EL1).
 *  3. TLBI broadcast: PE 1 turns its EL2 stage 1 on (tables built by PE 0:
 *     RAM identity-mapped, VA_X -> page A) and reads VA_X (A), which puts the
 *     translation in PE 1's TLB. PE 0 (MMU off) rewrites the level 3
 *     descriptor to page B without TLB maintenance; PE 1 reads again (A from
 *     its TLB or B: both allowed without break-before-make, not printed).
 *     Then PE 0 executes TLBI VAE2IS + DSB ISH: the broadcast removes PE 1's
 *     entry, so PE 1's next read must return B.
 *  4. PEs 2 and 3 each arm their own EL1 physical timer and wait in WFI for
 *     its PPI 30, which their own redistributor delivers.
 *  5. PSCI CPU_OFF on each secondary; PE 0 waits for AFFINITY_INFO = 1.
 * Only PE 0 prints, after the others reported through memory. */
#include "gic.h"
#include "pagetable.h"
#include "psci.h"

#define NPE 4
#define VA_X 0x20000000UL
#define EL2_AP_RW (1UL << 6)
#define TIMER_PPI 30                    /* EL1 physical timer (CNTP_*), one per PE */

uint8_t smp_stacks[NPE][16384] __attribute__((aligned(16)));

__asm__(".text\n"
        ".global smp_secondary_entry\n"
        "smp_secondary_entry:\n"            /* x0 = context_id = the PE's index */
        "  ldr x1, =smp_stacks\n"
        "  add x2, x0, #1\n"
        "  lsl x2, x2, #14\n"
        "  add sp, x1, x2\n"
        "  adr x1, rt_vectors_el2\n"
        "  msr vbar_el2, x1\n"
        "  isb\n"
        "  bl secondary_main\n"
        "1: b 1b\n");
void smp_secondary_entry(void);
void secondary_main(uint64_t index);

struct report {
    uint64_t mpidr, el, x0, sctlr_m;
    uint32_t sgi, timer;
    uint64_t x_first, x_after_tlbi;
    uint32_t started, done;
};
static volatile struct report rep[NPE];
static volatile uint32_t step;          /* PE 0 drives phase 3 */
static struct pt pt;
#define PAGE_A RAM_FREE0
#define PAGE_B (RAM_FREE0 + 0x1000)

static void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

static uint64_t rd_base(unsigned pe) { return GICR_RD_BASE + 0x20000UL * pe; }

static void gic_pe_setup(unsigned pe)
{
    uint64_t rd = rd_base(pe), sgi = rd + 0x10000;
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    mmio_w32(sgi + GICR_IGROUPR0, 0x1e);            /* SGIs 1..4: Group 1 */
    for (unsigned i = 1; i <= 4; i++)
        mmio_w8(sgi + GICR_IPRIORITYR(i), 0x80);
    mmio_w32(sgi + GICR_ISENABLER0, 0x1e);
    gic_cpuif_enable(0xf0);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);   /* physical IRQs to EL2 */
    ISB();
}

/* IRQ at EL2: acknowledge, record, pass the ring on, EOI. */
void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    unsigned me = READ_SYSREG(mpidr_el1) & 0xff;
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("PE %u: unexpected exception vector %d ESR 0x%lx\n", me, vector, READ_SYSREG(esr_el2));
        rt_exit(1);
    }
    uint32_t intid = (uint32_t)GIC_RD(ICC_IAR1_EL1);
    if (intid == TIMER_PPI) {
        WRITE_SYSREG(cntp_ctl_el0, 0);            /* the timer's level goes down */
        rep[me].timer = intid;
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        return;
    }
    rep[me].sgi = intid;
    if (me != 0 && intid == me)
        GIC_WR(ICC_SGI1R_EL1, SGI1R(me + 1, 1u << ((me + 1) % NPE)));
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

static void wait_sgi(unsigned me)
{
    WFI_UNTIL(rep[me].sgi);
}

void secondary_main(uint64_t index)
{
    volatile struct report *r = &rep[index];
    r->x0 = index;
    r->mpidr = READ_SYSREG(mpidr_el1);
    r->el = READ_SYSREG(CurrentEL) >> 2;
    r->sctlr_m = READ_SYSREG(sctlr_el2) & 1;
    gic_pe_setup((unsigned)index);
    dsb();
    r->started = 1;
    dsb();
    wait_sgi((unsigned)index);
    if (index >= 2) {
        /* Each PE's own timer raises its own PPI 30 at its own redistributor. */
        uint64_t sgi_frame = rd_base((unsigned)index) + 0x10000;
        mmio_w32(sgi_frame + GICR_IGROUPR0, mmio_r32(sgi_frame + GICR_IGROUPR0) | (1u << TIMER_PPI));
        mmio_w8(sgi_frame + GICR_IPRIORITYR(TIMER_PPI), 0x80);
        mmio_w32(sgi_frame + GICR_ISENABLER0, 1u << TIMER_PPI);
        WRITE_SYSREG(cntp_tval_el0, 2000 * index);
        WRITE_SYSREG(cntp_ctl_el0, 1);
        ISB();
        /* Race-free wait: the check runs with IRQs masked, WFI wakes on the pending
         * PPI even so, and the IRQ is taken where the MSR unmasks (writes to DAIF by
         * MSR are self-synchronizing). cli.gdb steps over this WFI (to the MSR) and
         * then over the MSR (to the IRQ vector). */
        __asm__ volatile("msr daifset, #2" ::: "memory");
        while (!r->timer)
            __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tmsr daifset, #2" ::: "memory");
    }
    if (index == 1) {
        /* Phase 3: PE 1 uses the translation of VA_X. */
        while (step != 1) {
        }
        s1_el2_enable(&pt);
        r->x_first = *(volatile uint64_t *)VA_X;
        dsb();
        step = 2;
        while (step != 3) {
        }
        (void)*(volatile uint64_t *)VA_X;   /* stale or new: either is allowed */
        dsb();
        step = 4;
        while (step != 5) {
        }
        r->x_after_tlbi = *(volatile uint64_t *)VA_X;
        dsb();
        step = 6;
    }
    r->done = 1;
    dsb();
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_printf("PE %lu: CPU_OFF returned\n", index);
    rt_exit(1);
}

static int64_t affinity(unsigned pe) { return psci_smc(PSCI_AFFINITY_INFO, pe, 0, 0); }

int main(void)
{
    int fails = 0;
    rt_printf("smp: PE 0 MPIDR_EL1 0x%lx at EL%lu\n", READ_SYSREG(mpidr_el1), READ_SYSREG(CurrentEL) >> 2);
    for (unsigned i = 1; i < NPE; i++)
        rt_printf("AFFINITY_INFO(%u) before CPU_ON: %ld\n", i, affinity(i));

    /* Tables for phase 3, ready before anyone uses them. */
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, VA_X, PAGE_A, 3, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    *(volatile uint64_t *)PAGE_A = 0xaaaa;
    *(volatile uint64_t *)PAGE_B = 0xbbbb;
    gicd_w32(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1 | GICD_CTLR_ENGRP0);
    gicd_wait_rwp();
    gic_pe_setup(0);
    dsb();

    for (unsigned i = 1; i < NPE; i++) {
        int64_t r = psci_smc(PSCI_CPU_ON_64, i, (uint64_t)smp_secondary_entry, i);
        rt_printf("CPU_ON(%u): %ld\n", i, r);
        while (!rep[i].started) {
        }
    }
    rt_printf("CPU_ON(1) again: %ld\n", psci_smc(PSCI_CPU_ON_64, 1, (uint64_t)smp_secondary_entry, 1));
    rt_printf("CPU_ON(0x100): %ld\n", psci_smc(PSCI_CPU_ON_64, 0x100, (uint64_t)smp_secondary_entry, 9));
    for (unsigned i = 1; i < NPE; i++) {
        rt_printf("PE %u: MPIDR_EL1 0x%lx EL%lu x0=%lu SCTLR_EL2.M=%lu AFFINITY_INFO %ld\n", i, rep[i].mpidr,
                  rep[i].el, rep[i].x0, rep[i].sctlr_m, affinity(i));
        if (rep[i].mpidr != ((1UL << 31) | i) || rep[i].el != 2 || rep[i].x0 != i)
            fails++;
    }

    /* Phase 2: the SGI ring. */
    GIC_WR(ICC_SGI1R_EL1, SGI1R(1, 1u << 1));
    ISB();
    wait_sgi(0);
    for (unsigned i = 0; i < NPE; i++) {
        rt_printf("PE %u acknowledged SGI %u\n", i, rep[i].sgi);
        if (rep[i].sgi != (i ? i : NPE))
            fails++;
    }

    /* Phase 3: TLBI VAE2IS from PE 0 reaches PE 1's TLB. */
    step = 1;
    while (step != 2) {
    }
    volatile uint64_t *d = pt_lookup(&pt, VA_X, 3);
    *d = PAGE_B | S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF | PTE_PAGE;
    __asm__ volatile("dsb ishst" ::: "memory");
    step = 3;
    while (step != 4) {
    }
    __asm__ volatile("tlbi vae2is, %0\n\tdsb ish\n\tisb" :: "r"(VA_X >> 12) : "memory");
    step = 5;
    while (step != 6) {
    }
    rt_printf("PE 1 read VA_X: 0x%lx first, 0x%lx after PE 0's TLBI VAE2IS\n", rep[1].x_first,
              rep[1].x_after_tlbi);
    if (rep[1].x_first != 0xaaaa || rep[1].x_after_tlbi != 0xbbbb)
        fails++;

    /* Phase 4: CPU_OFF. */
    for (unsigned i = 1; i < NPE; i++) {
        while (!rep[i].done) {
        }
        if (i >= 2) {
            rt_printf("PE %u took its own timer's PPI %u\n", i, rep[i].timer);
            if (rep[i].timer != TIMER_PPI)
                fails++;
        }
        int64_t a;
        unsigned spins = 0;
        while ((a = affinity(i)) != 1 && spins < 1000000)
            spins++;
        rt_printf("PE %u after CPU_OFF: AFFINITY_INFO %ld\n", i, a);
        if (a != 1)
            fails++;
    }
    rt_printf("%s (%d failed checks)\n", fails ? "FAIL" : "PASS", fails);
    return fails ? 1 : 0;
}
