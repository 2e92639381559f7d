/* Example 05: maintenance interrupts, and a software-deactivated virtual interrupt.
 *
 * What it shows (course topic: interrupt virtualization, the hypervisor's side):
 *  - The GICv3 virtual CPU interface has only a few list registers (LRs): 4
 *    here, ICH_VTR_EL2.ListRegs + 1. The hypervisor has 8 purely virtual
 *    interrupts to deliver (vINTIDs 40..47, HW = 0: no physical interrupt
 *    behind them), so it loads 4 and keeps the rest in a software queue.
 *  - Underflow maintenance interrupt: with ICH_HCR_EL2.UIE = 1, the GIC
 *    signals the maintenance interrupt (PPI 25) when at most one LR is still
 *    valid. The hypervisor then refills the empty LRs (ICH_ELRSR_EL2) from its
 *    queue, and clears UIE once the queue is empty.
 *  - EOI maintenance interrupt: INTID 42's LR has the EOI bit (HW = 0). When
 *    the guest deactivates 42, the LR becomes invalid and the GIC raises the
 *    maintenance interrupt; ICH_EISR_EL2 says which LR, ICH_MISR_EL2 why.
 *  - The guest uses split priority drop / deactivation (ICC_CTLR_EL1.EOImode
 *    = 1): ICC_EOIR1_EL1 drops the running priority, ICC_DIR_EL1 deactivates.
 *    For 42 it deactivates only later, from its main loop ("software-
 *    deactivated"): in between, 42 is active (so cannot be taken again) but
 *    no longer blocks the lower-priority interrupts.
 *  - PPI 25 is a physical IRQ: HCR_EL2.IMO = 1 takes it at EL2, where the
 *    physical CPU interface (ICC_*) is the hypervisor's own.
 * Every interrupt has its own priority, so the order of events is fixed by
 * the architecture and is the same on avsim and QEMU.
 */
#include "gic.h"                 /* GICv3 registers and set-up helpers (see example 02) */

#define NVIRQ 8                  /* virtual interrupts to deliver: vINTIDs 40..47 */
#define FIRST_VINTID 40
#define SOFT_VINTID 42           /* the one with LR.EOI, deactivated later by the guest */
#define PRIO(intid) (0x80 + 8 * ((intid) - FIRST_VINTID))   /* 40: 0x80 ... 47: 0xb8 */

/* ---- shared state (one image: the hypervisor and the guest both see it) ---- */
static unsigned nlrs;                        /* list registers: ICH_VTR_EL2.ListRegs + 1 */
static volatile unsigned queued;             /* hypervisor: interrupts put in an LR so far */
static volatile unsigned underflows, eoi_maints;   /* hypervisor: maintenance interrupts by cause */
static volatile unsigned handled;            /* guest: virtual interrupts acknowledged */
static volatile int in_order = 1;            /* guest: acknowledged 40, 41, ... 47 in turn */
static volatile int soft_active;             /* guest: 42 acknowledged, not yet deactivated */

/* ---- the hypervisor (EL2) ---- */

/* Put the next queued virtual interrupt in list register n: pending, Group 1,
 * its priority, vINTID; HW = 0 (purely virtual). 42 also gets LR.EOI (bit 41,
 * meaningful only with HW = 0): "tell me when the guest deactivates it". */
static void load_lr(unsigned n, const char *why)
{
    unsigned intid = FIRST_VINTID + queued++;
    uint64_t lr = LR_G1_PENDING(intid, PRIO(intid));
    if (intid == SOFT_VINTID)
        lr |= LR_EOI;
    ich_lr_write(n, lr);
    rt_printf("hypervisor: %s LR%u with INTID %u (priority 0x%x%s)\n", why, n, intid, PRIO(intid),
              intid == SOFT_VINTID ? ", EOI = 1" : "");
}

void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {         /* a physical IRQ while the guest ran */
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (intid != MAINT_INTID) {
            rt_printf("hypervisor: unexpected physical interrupt %u\n", intid);
            rt_exit(1);
        }
        /* Why? MISR has one bit per maintenance condition; EISR one bit per LR
         * that is invalid with EOI = 1 (a deactivation to report); ELRSR one
         * bit per empty LR (invalid, and no EOI report pending). */
        uint64_t misr = GIC_RD(ICH_MISR_EL2), eisr = GIC_RD(ICH_EISR_EL2);
        uint64_t elrsr = GIC_RD(ICH_ELRSR_EL2);
        rt_printf("hypervisor: maintenance interrupt: ICH_MISR_EL2 = 0x%lx (%s), ICH_EISR_EL2 = 0x%lx, "
                  "ICH_ELRSR_EL2 = 0x%lx\n", misr, misr == ICH_MISR_U ? "U" : misr == ICH_MISR_EOI ? "EOI" : "?",
                  eisr, elrsr);
        if (misr & ICH_MISR_EOI) {
            for (unsigned n = 0; n < nlrs; n++) {
                if (!(eisr & (1UL << n)))
                    continue;
                rt_printf("hypervisor: EOI maintenance: LR%u INTID %u deactivated by the guest\n", n,
                          LR_GET_VINTID(ich_lr_read(n)));
                /* A real hypervisor would now act on it (deactivate the
                 * physical source, inject the next one). Clearing the LR
                 * removes the EOI condition, and so the level-sensitive PPI 25. */
                ich_lr_write(n, 0);
                eoi_maints++;
            }
        }
        if (misr & ICH_MISR_U) {
            /* Underflow: refill every empty LR from the queue. Once the queue is
             * empty, UIE must go, or this interrupt would fire as soon as the
             * guest is down to one LR again, with nothing left to give it. */
            underflows++;
            for (unsigned n = 0; n < nlrs && queued < NVIRQ; n++)
                if (elrsr & (1UL << n))
                    load_lr(n, "underflow: refilled");
            if (queued == NVIRQ) {
                GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
                rt_printf("hypervisor: queue empty, underflow interrupt off (ICH_HCR_EL2.UIE = 0)\n");
            }
        }
        /* The maintenance condition is gone: EOI (EOImode 0 at EL2: priority
         * drop and deactivation) and return to the guest. */
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        return;
    }
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x16) {   /* HVC: the guest is done */
        rt_printf("hypervisor: %u virtual interrupts through %u list registers: %u underflow refills, "
                  "%u EOI maintenance interrupt; guest acknowledged %u, in priority order: %s\n", queued,
                  nlrs, underflows, eoi_maints, handled, in_order ? "yes" : "no");
        int idle = GIC_RD(ICH_ELRSR_EL2) == (1UL << nlrs) - 1 && GIC_RD(ICH_MISR_EL2) == 0 &&
                   !gic_is_pending(MAINT_INTID) && !gic_is_active(MAINT_INTID);
        rt_printf("hypervisor: all list registers empty, no maintenance condition left: %s\n",
                  idle ? "yes" : "no");
        rt_exit(idle && in_order && queued == NVIRQ && handled == NVIRQ && underflows == 2 &&
                eoi_maints == 1 ? 0 : 1);
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
    /* ICV_IAR1_EL1: the highest-priority pending LR goes active. */
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    unsigned rpr = (unsigned)GIC_RD(ICC_RPR_EL1);    /* running priority: the interrupt's */
    if (intid != FIRST_VINTID + handled)
        in_order = 0;
    handled++;
    if (intid == SOFT_VINTID) {
        rt_printf("guest: acknowledged INTID %u (running priority 0x%x): priority drop now, "
                  "deactivation later\n", intid, rpr);
        GIC_WR(ICC_EOIR1_EL1, intid);                /* EOImode 1: priority drop only */
        soft_active = 1;                             /* the main loop will deactivate it */
    } else {
        rt_printf("guest: acknowledged INTID %u (running priority 0x%x)\n", intid, rpr);
        GIC_WR(ICC_EOIR1_EL1, intid);                /* priority drop ... */
        GIC_WR(ICC_DIR_EL1, intid);                  /* ... and deactivation: the LR is free */
    }
    ISB();
}

static void guest(uint64_t arg)
{
    (void)arg;
    /* ICC_CTLR_EL1 is ICV_CTLR_EL1 here: EOImode = 1 sets ICH_VMCR_EL2.VEOIM. */
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    rt_printf("guest: EOImode = 1: EOIR drops the priority, DIR deactivates\n");
    /* Take the interrupts: mask, check, WFI (wakes even when masked), then a
     * short unmasked window for the virtual IRQ. */
    while (handled < NVIRQ)
        __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
    /* The deferred part of 42's handling ("bottom half"), then deactivate it.
     * Its LR goes invalid with EOI = 1: an EOI maintenance interrupt. */
    if (soft_active) {
        rt_printf("guest: deferred work for INTID %u done, deactivating it (ICC_DIR_EL1)\n", SOFT_VINTID);
        GIC_WR(ICC_DIR_EL1, SOFT_VINTID);
        ISB();
        soft_active = 0;
    }
    rt_printf("guest: done\n");
    __asm__ volatile("hvc #0");                      /* tell the hypervisor */
    for (;;)
        ;
}

int main(void)
{
    /* GICv3 as in example 02, EOImode 0 at EL2. PPI 25, the virtual interface's
     * maintenance interrupt, is Group 1 and enabled: it reaches EL2. */
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    gic_irq_setup(MAINT_INTID, 0x80, 0, 1);
    nlrs = (unsigned)ICH_VTR_LISTREGS(GIC_RD(ICH_VTR_EL2)) + 1;
    rt_printf("hypervisor: %u virtual interrupts (INTIDs %u..%u) to deliver, %u list registers\n", NVIRQ,
              FIRST_VINTID, FIRST_VINTID + NVIRQ - 1, nlrs);
    if (nlrs != 4)                                   /* the refill pattern below assumes 4 */
        rt_exit(1);
    for (unsigned n = 0; n < nlrs; n++)
        load_lr(n, "loaded");
    /* Virtual Group 1 on, mask open; the interface on, with underflow interrupts. */
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xff));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN | ICH_HCR_UIE);
    ISB();
    rt_enter_el1(guest, HCR_IMO, 0);
}
