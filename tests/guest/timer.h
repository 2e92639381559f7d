/* Generic timer helpers for the timer guest tests (timer_*.c): register bits
 * (Arm ARM D11 "The Generic Timer in AArch64 state" and the CNT* register
 * descriptions), the QEMU virt wiring of the timer outputs to GICv3 PPIs,
 * accessors for the three timers a non-VHE hypervisor uses, bounded polling
 * and a lost-wake-up-free WFI wait, and a small interrupt log.
 *
 * Counters follow host time on QEMU and simulated time on avsim: tests never
 * print a count, a CVAL or an elapsed time, only facts derived from them
 * (orderings, brackets, signs, ISTATUS, which interrupt was taken and in
 * which order). Deadlines are at most ~1 ms (62500 ticks) ahead, except in
 * timer_wfi_sleep.
 *
 * Include after trap.h (for check()). */
#ifndef AVSIM_GUEST_TIMER_H
#define AVSIM_GUEST_TIMER_H
#include "rt/rt.h"
#include "gic.h"

/* ---- machine -------------------------------------------------------------------- */
#define TIMER_FREQ 62500000UL         /* CNTFRQ_EL0 on QEMU virt (1 GHz / 16) */
#define PPI_HYP_TIMER 26              /* EL2 physical timer (CNTHP_*) */
#define PPI_VIRT_TIMER 27             /* EL1 virtual timer (CNTV_*) */
#define PPI_HYP_VIRT_TIMER 28         /* EL2 virtual timer (CNTHV_*, VHE only; unused) */
#define PPI_PHYS_TIMER 30             /* EL1 physical timer (CNTP_*) */

/* ---- CNTx_CTL (CNTP_CTL_EL0, CNTV_CTL_EL0, CNTHP_CTL_EL2) ------------------------ */
#define CTL_ENABLE (1UL << 0)
#define CTL_IMASK (1UL << 1)
#define CTL_ISTATUS (1UL << 2)        /* read-only: the timer condition is met */

/* ---- CNTHCTL_EL2 with HCR_EL2.E2H = 0 ------------------------------------------- */
#define CNTHCTL_EL1PCTEN (1UL << 0)   /* 0: EL0/EL1 CNTPCT_EL0 reads trap to EL2 */
#define CNTHCTL_EL1PCEN (1UL << 1)    /* 0: EL0/EL1 CNTP_{CTL,CVAL,TVAL}_EL0 trap to EL2 */
#define CNTHCTL_EVNTEN (1UL << 2)

/* ---- CNTKCTL_EL1 ------------------------------------------------------------------ */
#define CNTKCTL_EL0PCTEN (1UL << 0)   /* EL0 CNTPCT_EL0 (and CNTFRQ_EL0) */
#define CNTKCTL_EL0VCTEN (1UL << 1)   /* EL0 CNTVCT_EL0 (and CNTFRQ_EL0) */
#define CNTKCTL_EVNTEN (1UL << 2)
#define CNTKCTL_EL0VTEN (1UL << 8)    /* EL0 CNTV_{CTL,CVAL,TVAL}_EL0 */
#define CNTKCTL_EL0PTEN (1UL << 9)    /* EL0 CNTP_{CTL,CVAL,TVAL}_EL0 */

/* ---- counters (ISB first: reads of the counters may be speculated) ---------------- */
static inline uint64_t cnt_pct(void)
{
    ISB();
    return READ_SYSREG(cntpct_el0);
}
static inline uint64_t cnt_vct(void)
{
    ISB();
    return READ_SYSREG(cntvct_el0);
}

/* ---- the timers ------------------------------------------------------------------- */
enum timer_id { TIMER_PHYS, TIMER_VIRT, TIMER_HYP };
static __attribute__((unused)) const char *const timer_name[3] = { "CNTP", "CNTV", "CNTHP" };
static __attribute__((unused)) const unsigned timer_ppi[3] = { PPI_PHYS_TIMER, PPI_VIRT_TIMER, PPI_HYP_TIMER };

/* The count a timer compares with: the virtual count for CNTV, else the physical count. */
static inline uint64_t timer_count(int t) { return t == TIMER_VIRT ? cnt_vct() : cnt_pct(); }

static inline uint64_t timer_ctl(int t)
{
    ISB();
    switch (t) {
    case TIMER_PHYS: return READ_SYSREG(cntp_ctl_el0);
    case TIMER_VIRT: return READ_SYSREG(cntv_ctl_el0);
    default: return READ_SYSREG(cnthp_ctl_el2);
    }
}
static inline void timer_set_ctl(int t, uint64_t v)
{
    switch (t) {
    case TIMER_PHYS: WRITE_SYSREG(cntp_ctl_el0, v); break;
    case TIMER_VIRT: WRITE_SYSREG(cntv_ctl_el0, v); break;
    default: WRITE_SYSREG(cnthp_ctl_el2, v); break;
    }
    ISB();
}
static inline uint64_t timer_cval(int t)
{
    switch (t) {
    case TIMER_PHYS: return READ_SYSREG(cntp_cval_el0);
    case TIMER_VIRT: return READ_SYSREG(cntv_cval_el0);
    default: return READ_SYSREG(cnthp_cval_el2);
    }
}
static inline void timer_set_cval(int t, uint64_t v)
{
    switch (t) {
    case TIMER_PHYS: WRITE_SYSREG(cntp_cval_el0, v); break;
    case TIMER_VIRT: WRITE_SYSREG(cntv_cval_el0, v); break;
    default: WRITE_SYSREG(cnthp_cval_el2, v); break;
    }
    ISB();
}
static inline uint64_t timer_tval(int t)
{
    ISB();
    switch (t) {
    case TIMER_PHYS: return READ_SYSREG(cntp_tval_el0);
    case TIMER_VIRT: return READ_SYSREG(cntv_tval_el0);
    default: return READ_SYSREG(cnthp_tval_el2);
    }
}
static inline void timer_set_tval(int t, uint64_t v)
{
    switch (t) {
    case TIMER_PHYS: WRITE_SYSREG(cntp_tval_el0, v); break;
    case TIMER_VIRT: WRITE_SYSREG(cntv_tval_el0, v); break;
    default: WRITE_SYSREG(cnthp_tval_el2, v); break;
    }
    ISB();
}

/* Signed distance a - b of two counts (they are always close to each other
 * here, even when CNTVOFF_EL2 makes the virtual count wrap). */
static inline int64_t cnt_diff(uint64_t a, uint64_t b) { return (int64_t)(a - b); }

/* Poll ISTATUS until it reads 1. Gives up (returns 0) when the timer's count
 * is more than `margin` ticks past `cval`, or after `max_iter` reads in case
 * the counter does not advance. */
static inline int timer_poll_istatus(int t, uint64_t cval, uint64_t margin, unsigned long max_iter)
{
    for (unsigned long i = 0; i < max_iter; i++) {
        if (timer_ctl(t) & CTL_ISTATUS)
            return 1;
        if (cnt_diff(timer_count(t), cval) > (int64_t)margin)
            return (timer_ctl(t) & CTL_ISTATUS) != 0;
    }
    return 0;
}

/* Spin until the timer's count is strictly past `target` (bounded). */
static inline int timer_wait_past(int t, uint64_t target, unsigned long max_iter)
{
    for (unsigned long i = 0; i < max_iter; i++)
        if (cnt_diff(timer_count(t), target) > 0)
            return 1;
    return 0;
}

/* The timer's output as the GIC sees it: the PPI's pending bit in
 * GICR_ISPENDR0 (timer PPIs are level-sensitive: pending = line level when
 * nothing latched it). */
static inline unsigned ppi_pending(unsigned intid) { return (gics_r32(GICR_ISPENDR0) >> intid) & 1; }
static inline unsigned ppi_active(unsigned intid) { return (gics_r32(GICR_ISACTIVER0) >> intid) & 1; }

/* Lost-wake-up-free wait for `*flag` to become nonzero, at the current EL,
 * entered with PSTATE.I set: check the flag with IRQs masked, WFI (a pending
 * IRQ wakes the PE even while PSTATE.I masks it), then a short unmasked
 * window in which the handler runs. An interrupt that arrives between the
 * check and the WFI is not lost: it keeps the WFI from sleeping. Gives up
 * after max_iter wake-ups. Returns the flag. */
static inline unsigned wait_for_flag(volatile unsigned *flag, unsigned long max_iter)
{
    for (unsigned long i = 0; i < max_iter && !*flag; i++)
        __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2\n\tisb" ::: "memory");
    return *flag;
}

/* An unmasked window at the current EL (an interrupt that is pending and
 * routed here is taken inside it). */
static inline void irq_window(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
}

/* ---- GIC: the distributor, this PE's redistributor and CPU interface on; the
 * timer PPIs Group 1 with the given priorities, enabled or not ---------------------- */
static inline void timer_gic_init(void)
{
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
}

/* ---- interrupt log: events "<tag><intid>", e.g. P27 (physical at EL2), V27 ---------- */
static struct {
    char tag;
    unsigned intid;
} tlog[32];
static volatile unsigned tlog_n;

static inline void tlog_add(char tag, unsigned intid)
{
    if (tlog_n < 32) {
        tlog[tlog_n].tag = tag;
        tlog[tlog_n].intid = intid;
    }
    tlog_n++;
}

/* Print the log as " P27 V27" and compare it with `expect` ("P27V27"). */
static void __attribute__((unused)) tlog_print(const char *what, const char *expect)
{
    char buf[128];
    unsigned n = 0;
    rt_printf("%s:", what);
    for (unsigned i = 0; i < tlog_n && i < 32; i++) {
        rt_printf(" %c%u", tlog[i].tag, tlog[i].intid);
        if (n + 6 < sizeof buf) {
            buf[n++] = tlog[i].tag;
            if (tlog[i].intid >= 1000)
                buf[n++] = (char)('0' + tlog[i].intid / 1000 % 10);
            if (tlog[i].intid >= 100)
                buf[n++] = (char)('0' + tlog[i].intid / 100 % 10);
            if (tlog[i].intid >= 10)
                buf[n++] = (char)('0' + tlog[i].intid / 10 % 10);
            buf[n++] = (char)('0' + tlog[i].intid % 10);
        }
    }
    buf[n] = 0;
    rt_puts(tlog_n ? "\n" : " (empty)\n");
    const char *a = buf, *b = expect;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    check(*a == 0 && *b == 0 && tlog_n <= 32, what);
    tlog_n = 0;
}

/* IRQ handlers at EL2 and EL1 (el2_handler, el1_handler) for tests that take
 * timer interrupts and SGIs: acknowledge (ICC_IAR1_EL1), turn off the timer
 * whose PPI it is (its level would stay up), add the EL to taken[INTID]
 * (INTIDs below 64), EOI. Other exceptions go to trap_record. */
#define TIMER_IRQ_HANDLERS(taken)                                                \
    static void timer_irq_take(unsigned el)                                     \
    {                                                                            \
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;            \
        if (intid == PPI_HYP_TIMER)                                              \
            WRITE_SYSREG(cnthp_ctl_el2, 0);                                      \
        else if (intid == PPI_PHYS_TIMER)                                        \
            WRITE_SYSREG(cntp_ctl_el0, 0);                                       \
        ISB();                                                                   \
        if (intid < 64)                                                          \
            taken[intid] += el;                                                  \
        if (intid < 1020) {                                                      \
            GIC_WR(ICC_EOIR1_EL1, intid);                                        \
            ISB();                                                               \
        }                                                                        \
    }                                                                            \
    void el2_handler(struct rt_frame *f, int vector)                             \
    {                                                                            \
        if (vector == RT_VEC_CUR_SPX + RT_IRQ)                                   \
            timer_irq_take(2);                                                   \
        else                                                                     \
            trap_record(f, 2, vector);                                           \
    }                                                                            \
    void el1_handler(struct rt_frame *f, int vector)                             \
    {                                                                            \
        if (vector == RT_VEC_CUR_SPX + RT_IRQ)                                   \
            timer_irq_take(1);                                                   \
        else                                                                     \
            trap_record(f, 1, vector);                                           \
    }

/* "yes"/"no" for printed facts; `ok` is also checked. */
static __attribute__((unused)) const char *yes_no(int ok, const char *what)
{
    check(ok, what);
    return ok ? "yes" : "no";
}

#endif
