/* The PMU of a Cortex-A57 (PMUv3, Arm ARM "The Performance Monitors
 * Extension"), as a hypervisor and its guest see it:
 *   - ID_AA64DFR0_EL1.PMUVer = 1; PMCR_EL0 = 0x41013000 at reset (IMP Arm,
 *     IDCODE 1, N = 6); MDCR_EL2.HPMN resets to N.
 *   - PMSWINC_EL0 increments an enabled counter counting SW_INCR (event 0);
 *     a disabled one (PMCR_EL0.E = 0 or PMCNTENSET clear) does not move.
 *   - Overflow: an event counter at 0xffffffff wraps to 0 and sets its
 *     PMOVSSET_EL0 bit; with PMINTENSET_EL1 set, PMUIRQ (PPI 7, INTID 23)
 *     becomes pending and is taken at EL2 (HCR_EL2.IMO); clearing the flag
 *     (PMOVSCLR_EL0) removes it.
 *   - The cycle counter counts at EL2 only with PMCCFILTR_EL0.NSH = 1;
 *     PMCR_EL0.C resets it.
 *   - MDCR_EL2.HPMN = 2: EL1 reads PMCR_EL0.N = 2; counters at or above HPMN
 *     count with MDCR_EL2.HPME, not PMCR_EL0.E (what else HPMN hides from
 *     EL0/EL1 is in pmu_hpmn.c, where QEMU 7.2 differs from the Arm ARM).
 *   - EL0 with PMUSERENR_EL0 = 0: PMCCNTR_EL0 traps to EL1 (EC 0x18); with
 *     PMUSERENR_EL0.CR it is readable, a write still traps; PMSWINC_EL0 with
 *     PMUSERENR_EL0.SW is allowed.
 * Counter values that depend on the CPU's speed are not printed, only
 * whether they moved. */
#include "trap.h"
#include "gic.h"

TRAP_HANDLERS

#define PMU_INTID 23
#define PMCR_E 1UL
#define PMCR_C 4UL

static volatile unsigned irq_intid = 1023, irqs;

/* The PMU interrupt at EL2: acknowledge, record, clear the overflow flag, EOI. */
static int pmu_irq_hook(struct rt_frame *f, int el, int vector)
{
    (void)f;
    if (el != 2 || vector != RT_VEC_CUR_SPX + RT_IRQ)
        return 0;
    irq_intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    irqs++;
    WRITE_SYSREG(pmovsclr_el0, ~0UL);
    ISB();
    GIC_WR(ICC_EOIR1_EL1, irq_intid);
    ISB();
    return 1;
}

static uint64_t el1_pmcr_n(uint64_t arg)
{
    (void)arg;
    rt_printf("EL1: PMCR_EL0.N = %lu\n", (READ_SYSREG(pmcr_el0) >> 11) & 0x1f);
    return 0;
}

EL0_INSN(el0_read_ccntr, "mrs x5, pmccntr_el0")
EL0_INSN(el0_write_ccntr, "msr pmccntr_el0, xzr")
EL0_INSN_SETUP(el0_swinc, "mov x5, #1", "msr pmswinc_el0, x5")

static uint64_t el1_el0_access(uint64_t arg)
{
    (void)arg;
    WRITE_SYSREG(pmuserenr_el0, 0);
    ISB();
    trap_reset();
    rt_run_el0(el0_read_ccntr, 0);
    expect_trap("EL0 mrs pmccntr_el0, PMUSERENR_EL0=0", 1, RT_VEC_LOWER64, 0x18, 1,
                SYSREG_ISS(3, 3, 9, 13, 0, 5, 1), 0x1ffffff, 0);
    WRITE_SYSREG(pmuserenr_el0, 4);          /* CR */
    ISB();
    trap_reset();
    rt_run_el0(el0_read_ccntr, 0);
    expect_no_trap("EL0 mrs pmccntr_el0, PMUSERENR_EL0.CR=1");
    trap_reset();
    rt_run_el0(el0_write_ccntr, 0);
    expect_trap("EL0 msr pmccntr_el0, PMUSERENR_EL0.CR=1", 1, RT_VEC_LOWER64, 0x18, 1,
                SYSREG_ISS(3, 3, 9, 13, 0, 31, 0), 0x1ffffff, 0);
    trap_reset();
    rt_run_el0(el0_swinc, 0);
    expect_trap("EL0 msr pmswinc_el0, PMUSERENR_EL0.CR=1", 1, RT_VEC_LOWER64, 0x18, 1,
                SYSREG_ISS(3, 3, 9, 12, 4, 5, 0), 0x1ffffff, 0);
    WRITE_SYSREG(pmuserenr_el0, 2);          /* SW */
    ISB();
    trap_reset();
    rt_run_el0(el0_swinc, 0);
    expect_no_trap("EL0 msr pmswinc_el0, PMUSERENR_EL0.SW=1");
    WRITE_SYSREG(pmuserenr_el0, 0);
    return 0;
}

int main(void)
{
    rt_puts("pmu\n");
    uint64_t dfr0 = READ_SYSREG(id_aa64dfr0_el1);
    rt_printf("ID_AA64DFR0_EL1.PMUVer = %lu\n", (dfr0 >> 8) & 0xf);
    rt_printf("PMCR_EL0 = 0x%lx\n", READ_SYSREG(pmcr_el0));
    rt_printf("MDCR_EL2.HPMN = %lu\n", READ_SYSREG(mdcr_el2) & 0x1f);

    /* Software increment. */
    WRITE_SYSREG(pmevtyper0_el0, 0x08000000UL);   /* SW_INCR, NSH: counts at EL2 too */
    WRITE_SYSREG(pmevcntr0_el0, 0);
    WRITE_SYSREG(pmcntenset_el0, 1);
    ISB();
    WRITE_SYSREG(pmswinc_el0, 1);
    rt_printf("SW_INCR with PMCR_EL0.E=0: counter 0 = %lu\n", READ_SYSREG(pmevcntr0_el0));
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    ISB();
    for (int i = 0; i < 3; i++)
        WRITE_SYSREG(pmswinc_el0, 1);
    ISB();
    rt_printf("SW_INCR x3: counter 0 = %lu\n", READ_SYSREG(pmevcntr0_el0));
    WRITE_SYSREG(pmcntenclr_el0, 1);
    WRITE_SYSREG(pmswinc_el0, 1);
    ISB();
    rt_printf("SW_INCR with PMCNTENSET_EL0.P0=0: counter 0 = %lu\n", READ_SYSREG(pmevcntr0_el0));

    /* Overflow and PMUIRQ. */
    gic_dist_enable();
    gic_redist_wake();
    gic_cpuif_enable(0xff);
    gic_irq_setup(PMU_INTID, 0x80, 0, 1);
    trap_hook = pmu_irq_hook;
    WRITE_SYSREG(pmevcntr0_el0, 0xffffffffUL);
    WRITE_SYSREG(pmcntenset_el0, 1);
    WRITE_SYSREG(pmovsclr_el0, ~0UL);
    ISB();
    WRITE_SYSREG(pmswinc_el0, 1);
    ISB();
    rt_printf("overflow: counter 0 = %lu, PMOVSSET_EL0 = 0x%lx, PPI 23 pending %d\n",
              READ_SYSREG(pmevcntr0_el0), READ_SYSREG(pmovsset_el0), gic_is_pending(PMU_INTID));
    WRITE_SYSREG(pmovsclr_el0, 1);
    ISB();
    WRITE_SYSREG(pmintenset_el1, 1);
    WRITE_SYSREG(pmevcntr0_el0, 0xffffffffUL);
    ISB();
    WRITE_SYSREG(pmswinc_el0, 1);
    ISB();
    rt_printf("with PMINTENSET_EL1.P0: PPI 23 pending %d\n", gic_is_pending(PMU_INTID));
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);       /* physical IRQs to EL2 */
    ISB();
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tmsr daifset, #2" ::: "memory");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("IRQ at EL2: %u taken, INTID %u; after PMOVSCLR_EL0: PPI 23 pending %d\n", irqs, irq_intid,
              gic_is_pending(PMU_INTID));
    WRITE_SYSREG(pmintenclr_el1, ~0UL);
    WRITE_SYSREG(pmcntenclr_el0, ~0UL);
    trap_hook = 0;

    /* The cycle counter and its EL2 filter. */
    WRITE_SYSREG(pmccfiltr_el0, 0);
    WRITE_SYSREG(pmcr_el0, PMCR_E | PMCR_C);
    WRITE_SYSREG(pmcntenset_el0, 1UL << 31);
    ISB();
    uint64_t c0 = READ_SYSREG(pmccntr_el0);
    for (volatile int i = 0; i < 1000; i++)
        ;
    uint64_t c1 = READ_SYSREG(pmccntr_el0);
    rt_printf("PMCCFILTR_EL0.NSH=0 at EL2: cycle counter %s\n", c1 == c0 ? "stays" : "moves");
    WRITE_SYSREG(pmccfiltr_el0, 1UL << 27);
    ISB();
    c0 = READ_SYSREG(pmccntr_el0);
    for (volatile int i = 0; i < 1000; i++)
        ;
    c1 = READ_SYSREG(pmccntr_el0);
    rt_printf("PMCCFILTR_EL0.NSH=1 at EL2: cycle counter %s\n", c1 > c0 ? "moves" : "stays");
    WRITE_SYSREG(pmcr_el0, PMCR_C);
    ISB();
    rt_printf("PMCR_EL0.C: cycle counter %s\n", READ_SYSREG(pmccntr_el0) < c1 ? "reset" : "not reset");
    WRITE_SYSREG(pmcntenclr_el0, ~0UL);

    /* The EL2 partition. */
    WRITE_SYSREG(mdcr_el2, 2);
    ISB();
    rt_run_el1(el1_pmcr_n, 0, 0);
    WRITE_SYSREG(pmevtyper4_el0, 0x08000000UL);   /* SW_INCR on counter 4 (above HPMN) */
    WRITE_SYSREG(pmevcntr4_el0, 0);
    WRITE_SYSREG(pmcntenset_el0, 1UL << 4);
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    ISB();
    WRITE_SYSREG(pmswinc_el0, 1UL << 4);
    ISB();
    rt_printf("counter 4 with PMCR_EL0.E=1, HPME=0: %lu\n", READ_SYSREG(pmevcntr4_el0));
    WRITE_SYSREG(mdcr_el2, 2 | (1UL << 7));
    WRITE_SYSREG(pmcr_el0, 0);
    ISB();
    WRITE_SYSREG(pmswinc_el0, 1UL << 4);
    ISB();
    rt_printf("counter 4 with PMCR_EL0.E=0, HPME=1: %lu\n", READ_SYSREG(pmevcntr4_el0));
    WRITE_SYSREG(pmcntenclr_el0, ~0UL);
    WRITE_SYSREG(mdcr_el2, 6);
    ISB();

    /* EL0 access. */
    rt_run_el1(el1_el0_access, 0, 0);
    return test_result();
}
