/* Example 04: the guest's virtual timer, and injecting its interrupt.
 *
 * What it shows (course topic: virtualizing the generic timer):
 *  - Two counts. CNTPCT_EL0 is the physical count (the system counter, the
 *    same for everyone); CNTVCT_EL0 is the virtual count, CNTPCT_EL0 minus
 *    CNTVOFF_EL2. The hypervisor sets the offset when it creates the guest,
 *    so the guest's clock starts near 0.
 *  - The guest owns the EL1 virtual timer: it programs CNTV_TVAL_EL0 /
 *    CNTV_CVAL_EL0 and CNTV_CTL_EL0 directly, without any exit, then sleeps
 *    in WFI. The timer compares CVAL with the *virtual* count.
 *  - The timer's output is PPI 27. HCR_EL2.IMO makes it a physical IRQ taken
 *    at EL2, even though the guest configured the timer.
 *  - The hypervisor acknowledges it, masks the guest's timer (CNTV_CTL_EL0.
 *    IMASK) so that the level-sensitive line drops, drops the priority without
 *    deactivating (EOImode 1), and injects virtual INTID 27 through the list
 *    register ICH_LR0_EL2 with HW = 1, pINTID = 27.
 *  - The guest takes a virtual IRQ: ICC_IAR1_EL1 (really ICV_IAR1_EL1) gives
 *    27, it re-arms its timer for the next tick (writing CTL also clears
 *    IMASK) and EOIs; with HW = 1 that EOI also deactivates physical PPI 27.
 *
 * Counters follow host time on QEMU and simulated time on avsim, so nothing
 * here prints a count: only facts about them (orderings, yes/no).
 */
#include "gic.h"                 /* GICv3 registers and set-up helpers (see example 02) */

#define PPI_VTIMER 27            /* the EL1 virtual timer's interrupt on the virt board */
#define TICKS 4                  /* timer interrupts the guest waits for */
#define PERIOD 31250             /* ticks between them: 0.5 ms at CNTFRQ_EL0 = 62.5 MHz */

/* CNTV_CTL_EL0 (the same layout as CNTP_CTL_EL0 and CNTHP_CTL_EL2). */
#define CTL_ENABLE (1UL << 0)    /* the timer runs */
#define CTL_IMASK (1UL << 1)     /* 1: the timer condition does not drive the interrupt line */
#define CTL_ISTATUS (1UL << 2)   /* read-only: the count has reached CVAL */
/* CNTHCTL_EL2 (with HCR_EL2.E2H = 0). */
#define CNTHCTL_EL1PCTEN (1UL << 0)   /* EL1 may read CNTPCT_EL0 (else it traps to EL2) */

/* Counter reads: an ISB first, or the read may be done early (speculatively). */
static uint64_t physical_count(void) { ISB(); return READ_SYSREG(cntpct_el0); }
static uint64_t virtual_count(void) { ISB(); return READ_SYSREG(cntvct_el0); }

static uint64_t cntvoff;                     /* the offset the hypervisor chose */
static volatile unsigned taken, injected;    /* hypervisor: physical IRQs, injections */
static volatile unsigned handled;            /* guest: virtual timer interrupts handled */
static volatile unsigned acked[TICKS + 1];   /* guest: the INTID it acknowledged per tick */
static volatile int all_ok = 1;              /* every fact printed as "yes" held */
/* Facts the guest's handler checks at every tick (1 = held every time). */
static volatile int deadline_ok = 1, masked_ok = 1, hw_ok = 1;
static volatile int fired_ok = 1;            /* the same, checked by the hypervisor */

static const char *yes_no(int ok)
{
    if (!ok)
        all_ok = 0;
    return ok ? "yes" : "no";
}

/* ---- the hypervisor (EL2) ---- */

void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {         /* a physical IRQ while the guest ran */
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;   /* acknowledge: now active */
        if (intid != PPI_VTIMER) {
            rt_printf("hypervisor: unexpected physical interrupt %u\n", intid);
            rt_exit(1);
        }
        taken++;
        /* With E2H = 0, CNTV_CTL_EL0 at EL2 is the guest's virtual timer. It has
         * fired (ENABLE | ISTATUS). Mask it: the PPI is level-sensitive and
         * would stay asserted until the guest re-arms the timer (which also
         * clears IMASK). KVM masks it the same way when it cannot rely on the
         * GIC's active state alone. */
        uint64_t ctl = READ_SYSREG(cntv_ctl_el0);
        if (ctl != (CTL_ENABLE | CTL_ISTATUS))
            fired_ok = 0;
        WRITE_SYSREG(cntv_ctl_el0, ctl | CTL_IMASK);
        ISB();
        /* EOImode 1: this EOI only drops the running priority; PPI 27 stays
         * active, so it cannot be signalled again until someone deactivates it. */
        GIC_WR(ICC_EOIR1_EL1, intid);
        /* Inject: a pending Group 1 virtual interrupt, vINTID 27, priority 0xa0.
         * HW = 1 links it to physical INTID 27: the guest's EOI of the virtual
         * interrupt deactivates the physical one, with no further exit. (With
         * HW = 0 we would deactivate 27 here with ICC_DIR_EL1, and only the
         * mask would keep it quiet.) LR0 is free: the previous tick was
         * deactivated before this one could fire. */
        ich_lr_write(0, LR_G1_PENDING(PPI_VTIMER, 0xa0) | LR_HW | LR_PINTID(PPI_VTIMER));
        injected++;
        return;                                      /* ERET: the guest now has a virtual IRQ pending */
    }
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x16) {   /* HVC: the guest is done */
        rt_printf("hypervisor: physical timer interrupts taken at EL2: %u, injected as virtual "
                  "INTID 27: %u, handled by the guest: %u\n", taken, injected, handled);
        rt_printf("hypervisor: the guest's timer had fired each time (CNTV_CTL_EL0 = ENABLE|ISTATUS): %s\n",
                  yes_no(fired_ok));
        int quiet = !gic_is_pending(PPI_VTIMER) && !gic_is_active(PPI_VTIMER) &&
                    (GIC_RD(ICH_ELRSR_EL2) & 1);    /* ELRSR bit 0: LR0 is empty again */
        rt_printf("hypervisor: PPI 27 idle and list register 0 free afterwards: %s\n", yes_no(quiet));
        rt_exit(all_ok && taken == TICKS && injected == TICKS && handled == TICKS ? 0 : 1);
    }
    rt_printf("hypervisor: unexpected exception (vector %d, ESR %lx)\n", vector, esr);
    rt_exit(1);
}

/* ---- the guest (EL1) ---- */

void el1_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("guest: unexpected exception (vector %d)\n", vector);
        rt_exit(1);
    }
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;   /* ICV_IAR1_EL1: virtual */
    acked[++handled] = intid;
    /* The deadline is in virtual time: CNTVCT_EL0 has reached CVAL. */
    uint64_t cval = READ_SYSREG(cntv_cval_el0);
    if ((int64_t)(virtual_count() - cval) < 0)
        deadline_ok = 0;
    /* The hypervisor masked our timer before injecting: ENABLE | IMASK | ISTATUS. */
    if (READ_SYSREG(cntv_ctl_el0) != (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS))
        masked_ok = 0;
    /* A peek at the physical GIC, for the demonstration only (a real guest
     * would see an emulated one): physical PPI 27 is active until our EOI. */
    int active_before = gic_is_active(PPI_VTIMER);
    /* ICV_EOIR1_EL1: priority drop and deactivation of virtual 27, and, since
     * HW = 1, of physical PPI 27. The timer is still masked, so it stays quiet. */
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
    if (!active_before || gic_is_active(PPI_VTIMER))
        hw_ok = 0;
    if (handled < TICKS) {
        /* Periodic tick: the next deadline is absolute (CVAL), so the ticks
         * do not drift. Writing CTL = ENABLE clears the hypervisor's IMASK. */
        WRITE_SYSREG(cntv_cval_el0, cval + PERIOD);
        WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    } else {
        WRITE_SYSREG(cntv_ctl_el0, 0);               /* last tick: switch the timer off */
    }
    ISB();
}

static void guest(uint64_t arg)
{
    (void)arg;
    /* First thing: read the counts (physical, virtual, physical again). */
    uint64_t p1 = physical_count(), v = virtual_count(), p2 = physical_count();
    rt_printf("guest: CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2: %s\n",
              yes_no((int64_t)(v - (p1 - cntvoff)) >= 0 && (int64_t)((p2 - cntvoff) - v) >= 0));
    rt_printf("guest: virtual count below 1 ms (62500 ticks), physical count above 10 ms: %s\n",
              yes_no(v < 62500 && p1 > 625000));
    rt_printf("guest: CNTFRQ_EL0 = %lu Hz, timer period %u ticks\n", READ_SYSREG(cntfrq_el0), PERIOD);

    /* Arm the first tick relative to now (TVAL: CVAL = CNTVCT + TVAL) and
     * enable the timer with its interrupt unmasked (IMASK = 0). */
    WRITE_SYSREG(cntv_tval_el0, PERIOD);
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
    ISB();
    for (unsigned tick = 1; tick <= TICKS; tick++) {
        /* Sleep without a lost wake-up: IRQs are masked (PSTATE.I) while we
         * check; WFI wakes on a pending interrupt even when masked; then a
         * short unmasked window lets the virtual IRQ in. */
        while (handled < tick)
            __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
        rt_printf("tick %u: virtual timer interrupt injected, guest acknowledged INTID %u\n",
                  tick, acked[tick]);
        if (acked[tick] != PPI_VTIMER)
            all_ok = 0;
    }
    rt_printf("guest: every tick came after its deadline in virtual time (CNTVCT_EL0 >= CVAL): %s\n",
              yes_no(deadline_ok));
    rt_printf("guest: every tick found the timer masked by the hypervisor (CNTV_CTL_EL0 = "
              "ENABLE|IMASK|ISTATUS): %s\n", yes_no(masked_ok));
    rt_printf("guest: physical PPI 27 active until the guest's EOI, inactive after it (HW = 1): %s\n",
              yes_no(hw_ok));
    __asm__ volatile("hvc #0");                      /* tell the hypervisor we are done */
    for (;;)
        ;
}

int main(void)
{
    rt_printf("hypervisor: giving the guest the EL1 virtual timer (PPI %u)\n", PPI_VTIMER);
    /* GICv3 as in example 02: EOImode 1, PPI 27 Group 1, priority 0xa0, enabled;
     * the virtual CPU interface on (ICH_HCR_EL2.En) with virtual Group 1
     * enabled and the virtual priority mask open (ICH_VMCR_EL2). */
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    gic_irq_setup(PPI_VTIMER, 0xa0, 0, 1);
    ich_lr_write(0, 0);
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xff));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);

    /* The timers: EL1 may read the physical count (only to show the offset
     * here); the virtual timer starts disabled. */
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    /* Let the machine run for a while first (as if the host had booted and
     * run other things): the physical count passes 10 ms = 625000 ticks. */
    while (physical_count() < 625000)
        ;
    rt_printf("hypervisor: CNTVOFF_EL2 = CNTPCT_EL0 now, entering the guest with HCR_EL2.IMO\n");
    /* Create the guest's clock: virtual count = physical count - offset, so
     * setting the offset to "now" starts the guest's count at 0. */
    cntvoff = physical_count();
    WRITE_SYSREG(cntvoff_el2, cntvoff);
    ISB();
    rt_enter_el1(guest, HCR_IMO, 0);
}
