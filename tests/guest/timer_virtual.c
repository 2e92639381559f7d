/* The three timers of a non-VHE hypervisor, driven by polling (Arm ARM D11.2
 * "The AArch64 view of the Generic Timer": CNTx_CTL, CNTx_CVAL, CNTx_TVAL):
 * the EL1 virtual timer CNTV_* (with CNTVOFF_EL2 = 0x100000000) and the EL1
 * physical timer CNTP_* (CNTHCTL_EL2.EL1PCEN=1) from an EL1 guest, and the
 * EL2 physical timer CNTHP_* from EL2. The timer's output is observed as the
 * pending bit of its level-sensitive PPI in GICR_ISPENDR0 (27, 30, 26 on QEMU
 * virt; Group 1, not enabled, so nothing is taken). No count or CVAL is
 * printed. CNTVOFF_EL2 = 0x100000000 makes the virtual count "negative"
 * (CNTPCT - CNTVOFF wraps modulo 2^64) while the physical count is below
 * 2^32 (the first ~68 s after reset on QEMU and avsim): CVAL = CNTVCT + 20000
 * is then a huge value that the virtual count reaches 20000 ticks later, and
 * the physical count at which that happens is CVAL + CNTVOFF modulo 2^64.
 * Per timer:
 *   CVAL = count + 20000, CTL = ENABLE: before the deadline CTL = 0x1
 *     (ISTATUS=0), output 0 (if the host delays the reads past the deadline
 *     on QEMU, the timer is re-armed and the check retried).
 *   Polling CTL: ISTATUS becomes 1, and the count (the virtual count for CNTV:
 *     CNTVCT = CNTPCT - CNTVOFF) is >= CVAL when it does; CTL = 0x5, output 1.
 *   After the deadline TVAL = CVAL - count reads negative as a signed 32-bit
 *     value, bits [63:32] read 0.
 *   IMASK=1: CTL = 0x7 (ISTATUS kept), output 0; IMASK=0: output 1 again.
 *   ENABLE=0: output 0 and CTL reads 0x0 (the Arm ARM makes ISTATUS UNKNOWN
 *     while ENABLE is 0; QEMU reads 0 and avsim does the same).
 *   TVAL = 20000 (written while disabled): CVAL = count at the write + 20000
 *     (checked as a bracket). CTL written ENABLE|ISTATUS (ISTATUS is
 *     read-only): CTL = 0x1 before the deadline. TVAL (read only while
 *     ENABLE=1: it is UNKNOWN otherwise) is at most 20000 and counts down;
 *     ISTATUS becomes 1 by polling; afterwards TVAL is negative.
 *   TVAL = -1000 (0xfffffc18: sign-extended from 32 bits): CVAL = count -
 *     1000, ISTATUS=1 and output 1 at once.
 *   CVAL = 0: ISTATUS=1 (the 64-bit comparison count - CVAL >= 0 always
 *     holds); CVAL = 0xffffffffffffffff: ISTATUS=0, output 0; CVAL reads back
 *     all 64 bits. */
#include "trap.h"
#include "timer.h"

#define OFFSET 0x100000000UL
#define DELTA 20000
/* Give up polling 1 s past the deadline. QEMU updates ISTATUS from a host
 * timer callback, which can lag the counter by milliseconds on a loaded
 * host; avsim and the Arm ARM have it follow the count at once. */
#define MARGIN 62500000UL
#define MAX_ITER 200000000UL

static void state(int t, const char *what, uint64_t want_ctl, unsigned want_out)
{
    uint64_t ctl = timer_ctl(t);
    unsigned out = ppi_pending(timer_ppi[t]);
    rt_printf("  %s: CTL=0x%lx output=%u\n", what, ctl, out);
    check(ctl == want_ctl, what);
    check(out == want_out, "output");
}

/* Program the timer DELTA ticks ahead (through CVAL, or TVAL), write CTL =
 * ctl and read CTL and the output before the deadline. Retried when the
 * count has already reached the deadline after the reads. */
static void arm_and_check(int t, int use_tval, uint64_t ctl, const char *what)
{
    uint64_t st = 0, cval = 0;
    unsigned out = 0;
    int bracket = 0, before = 0;
    for (int i = 0; i < 8 && !before; i++) {
        timer_set_ctl(t, 0);
        uint64_t c0 = timer_count(t);
        if (use_tval)
            timer_set_tval(t, DELTA);
        else
            timer_set_cval(t, c0 + DELTA);
        uint64_t c1 = timer_count(t);
        cval = timer_cval(t);
        bracket = cnt_diff(cval, c0 + DELTA) >= 0 && cnt_diff(c1 + DELTA, cval) >= 0;
        timer_set_ctl(t, ctl);
        st = timer_ctl(t);
        out = ppi_pending(timer_ppi[t]);
        before = cnt_diff(timer_count(t), cval) < 0;
    }
    if (use_tval)
        rt_printf("  TVAL = %d: CVAL = count at the write + %d: %s\n", DELTA, DELTA,
                  yes_no(bracket, "CVAL from TVAL"));
    rt_printf("  %s, before the deadline: CTL=0x%lx output=%u\n", what, st, out);
    check(before, "read before the deadline");
    check(st == (ctl & (CTL_ENABLE | CTL_IMASK)) && out == 0, what);
}

static void poll_and_check(int t)
{
    uint64_t cval = timer_cval(t);
    int seen = timer_poll_istatus(t, cval, MARGIN, MAX_ITER);
    uint64_t now = timer_count(t);
    rt_printf("  polling CTL: ISTATUS became 1: %s; count >= CVAL then: %s\n", yes_no(seen, "ISTATUS set"),
              yes_no(cnt_diff(now, cval) >= 0, "count >= CVAL"));
}

static void tval_negative(int t)
{
    uint64_t cval = timer_cval(t);
    int past = timer_wait_past(t, cval, MAX_ITER);
    uint64_t tv = timer_tval(t);
    rt_printf("  after the deadline: TVAL negative (signed 32-bit): %s; TVAL[63:32] = 0: %s\n",
              yes_no(past && (int32_t)(uint32_t)tv < 0, "TVAL negative"), yes_no((tv >> 32) == 0, "TVAL high"));
}

static uint64_t scenario(uint64_t t)
{
    /* 1. CVAL */
    arm_and_check(t, 0, CTL_ENABLE, "CVAL = count + 20000, CTL = ENABLE");
    poll_and_check(t);
    state(t, "expired", CTL_ENABLE | CTL_ISTATUS, 1);
    tval_negative(t);
    timer_set_ctl(t, CTL_ENABLE | CTL_IMASK);
    state(t, "IMASK=1", CTL_ENABLE | CTL_IMASK | CTL_ISTATUS, 0);
    timer_set_ctl(t, CTL_ENABLE);
    state(t, "IMASK=0", CTL_ENABLE | CTL_ISTATUS, 1);
    timer_set_ctl(t, 0);
    state(t, "ENABLE=0", 0, 0);

    /* 2. TVAL */
    arm_and_check(t, 1, CTL_ENABLE | CTL_ISTATUS, "CTL written ENABLE|ISTATUS");
    uint64_t t1 = timer_tval(t), t2 = timer_tval(t);
    rt_printf("  TVAL at most %d and counting down: %s\n", DELTA,
              yes_no((int32_t)t1 <= DELTA && (int32_t)t2 <= (int32_t)t1 && (t1 >> 32) == 0, "TVAL counts down"));
    poll_and_check(t);
    state(t, "expired", CTL_ENABLE | CTL_ISTATUS, 1);
    tval_negative(t);
    timer_set_ctl(t, 0);

    /* 3. negative TVAL */
    uint64_t c0 = timer_count(t);
    timer_set_tval(t, 0xfffffc18UL);
    uint64_t c1 = timer_count(t);
    uint64_t cval = timer_cval(t);
    rt_printf("  TVAL = 0xfffffc18: CVAL = count at the write - 1000: %s\n",
              yes_no(cnt_diff(cval, c0 - 1000) >= 0 && cnt_diff(c1 - 1000, cval) >= 0, "sign-extended TVAL"));
    timer_set_ctl(t, CTL_ENABLE);
    state(t, "CTL = ENABLE", CTL_ENABLE | CTL_ISTATUS, 1);
    timer_set_ctl(t, 0);

    /* 4. CVAL extremes */
    timer_set_cval(t, 0);
    timer_set_ctl(t, CTL_ENABLE);
    state(t, "CVAL = 0", CTL_ENABLE | CTL_ISTATUS, 1);
    timer_set_ctl(t, 0);
    timer_set_cval(t, ~0UL);
    timer_set_ctl(t, CTL_ENABLE);
    state(t, "CVAL = 0xffffffffffffffff", CTL_ENABLE, 0);
    timer_set_ctl(t, 0);
    rt_printf("  CVAL reads back 0xffffffffffffffff: %s\n", yes_no(timer_cval(t) == ~0UL, "CVAL 64-bit"));
    state(t, "ENABLE=0", 0, 0);
    return 0;
}

TRAP_HANDLERS

int main(void)
{
    rt_puts("timer_virtual\n");
    timer_gic_init();
    gic_irq_setup(PPI_HYP_TIMER, 0x80, 0, 0);
    gic_irq_setup(PPI_VIRT_TIMER, 0x80, 0, 0);
    gic_irq_setup(PPI_PHYS_TIMER, 0x80, 0, 0);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, OFFSET);
    WRITE_SYSREG(cntv_ctl_el0, 0);
    WRITE_SYSREG(cntp_ctl_el0, 0);
    WRITE_SYSREG(cnthp_ctl_el2, 0);
    ISB();

    rt_puts("== CNTV (EL1 virtual timer, CNTVOFF_EL2 = 0x100000000, PPI 27) at EL1\n");
    rt_run_el1(scenario, 0, TIMER_VIRT);
    rt_puts("== CNTP (EL1 physical timer, PPI 30) at EL1\n");
    rt_run_el1(scenario, 0, TIMER_PHYS);
    rt_puts("== CNTHP (EL2 physical timer, PPI 26) at EL2\n");
    scenario(TIMER_HYP);

    WRITE_SYSREG(cntvoff_el2, 0);
    ISB();
    return test_result();
}
