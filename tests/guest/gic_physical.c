/* The physical GICv3 CPU interface at EL2 (IHI 0069 chapters 4 and 12),
 * with SGIs sent to itself through ICC_SGI1R_EL1 (INTID, TargetList bit 0,
 * affinity 0.0.0), all Group 1, priorities (5 bits implemented):
 *   SGI 1 0xa0, SGI 2 0x80, SGI 3 0x60, SGI 4 0x40, SGI 5 0x20, SGI 6 0xc0.
 *   Setup: ICC_SRE_EL2.SRE reads 1; ICC_PMR_EL1 written 0xff reads 0xf8 and
 *     ICC_BPR1_EL1 written 0 reads its minimum 3 (5 priority and preemption
 *     bits, ICC_CTLR_EL1.PRIbits = 4); EOImode 0; ICC_IGRPEN1_EL1 = 1.
 *   Nothing pending: ICC_IAR1_EL1 and ICC_HPPIR1_EL1 read 1023 (spurious).
 *   Polling (PSTATE.I set): SGIs 1, 3, 2 pending; HPPIR1 = 3; IAR1 returns
 *     3 (RPR = 0x60, 3 active); with 3 active IAR1 returns 1023 (2 and 1 cannot
 *     preempt) while HPPIR1 shows 2; EOIR1(3) drops the running priority to
 *     idle (0xff) and deactivates; then 2, then 1.
 *   Interrupt-driven at EL2 (HCR_EL2.IMO=1, taken at VBAR_EL2+0x280, current
 *     EL with SPx): SGIs 1, 3, 2 are taken in priority order 3, 2, 1.
 *   Preemption: the handler of SGI 1 (0xa0) sends SGI 5 (0x20) and SGI 6
 *     (0xc0) and unmasks: 5 preempts (nested, RPR 0x20 inside), 6 is taken
 *     only after 1's EOI and return.
 *   Binary point: with ICC_BPR1_EL1 = 7 (group priority = bit 7) SGI 4
 *     (0x40) cannot preempt SGI 3 (0x60): same group priority 0, RPR = 0x00;
 *     it is taken after 3's EOI.
 *   EOImode 1: EOIR1 only drops the priority (3 stays active in
 *     GICR_ISACTIVER0); an SGI sent again while active is pending+active and
 *     not signalled (IAR1/HPPIR1 = 1023); ICC_DIR_EL1 deactivates, then it is
 *     acknowledged again.
 *   Priority mask: with PMR = 0x80 or 0xa0, SGI 1 (0xa0) stays pending and
 *     is not taken (an interrupt is signalled only if its priority is higher,
 *     numerically lower, than the mask); HPPIR1 still shows 1; PMR = 0xa8
 *     lets it in. */
#include "trap.h"
#include "gic.h"

static const uint8_t sgi_prio[7] = { 0, 0xa0, 0x80, 0x60, 0x40, 0x20, 0xc0 };

/* Interrupt log: '+' on entry (after IAR1), '-' after EOIR1. */
static struct {
    char what;
    unsigned intid;
    unsigned rpr;
} ev[32];
static volatile unsigned nev;

static void log_ev(char what, unsigned intid)
{
    if (nev < 32) {
        ev[nev].what = what;
        ev[nev].intid = intid;
        ev[nev].rpr = (unsigned)GIC_RD(ICC_RPR_EL1);
    }
    nev++;
}

static void print_log(const char *what, const char *expect)
{
    char buf[128];
    unsigned n = 0;
    rt_printf("%s:", what);
    for (unsigned i = 0; i < nev && i < 32; i++) {
        rt_printf(" %c%u(rpr=0x%x)", ev[i].what, ev[i].intid, ev[i].rpr);
        if (n + 4 < sizeof buf) {
            buf[n++] = ev[i].what;
            if (ev[i].intid >= 10)
                buf[n++] = (char)('0' + ev[i].intid / 10 % 10);
            buf[n++] = (char)('0' + ev[i].intid % 10);
        }
    }
    buf[n] = 0;
    rt_puts("\n");
    const char *a = buf, *b = expect;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    check(*a == 0 && *b == 0, what);
    nev = 0;
}

/* Per-test work inside the handler, after the acknowledge. */
static void (*irq_body)(unsigned intid);

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        log_ev('+', intid);
        if (intid >= 1020) {
            rt_printf("  IRQ taken but IAR1 = %u\n", intid);
            check(0, "spurious IRQ");
            f->spsr |= 1UL << 7;
            return;
        }
        if (irq_body)
            irq_body(intid);
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        log_ev('-', intid);
        return;
    }
    trap_record(f, 2, vector);
}
void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

/* A window with IRQs unmasked at EL2. */
static void irq_window(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
}

static unsigned iar1(void) { return (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff; }
static unsigned hppir1(void) { return (unsigned)GIC_RD(ICC_HPPIR1_EL1) & 0xffffff; }
static unsigned rpr(void) { return (unsigned)GIC_RD(ICC_RPR_EL1); }
static void eoir1(unsigned intid) { GIC_WR(ICC_EOIR1_EL1, intid); ISB(); }
static void dir(unsigned intid) { GIC_WR(ICC_DIR_EL1, intid); ISB(); }

static void expect_u(const char *what, unsigned got, unsigned want)
{
    rt_printf("  %s = %u\n", what, got);
    check(got == want, what);
}
static void expect_x(const char *what, unsigned got, unsigned want)
{
    rt_printf("  %s = 0x%x\n", what, got);
    check(got == want, what);
}

static void body_nested(unsigned intid)
{
    if (intid != 1)
        return;
    gic_send_sgi(5);
    gic_send_sgi(6);
    irq_window();
}

static volatile unsigned hppir_in_3;
static void body_bpr(unsigned intid)
{
    if (intid != 3)
        return;
    gic_send_sgi(4);
    irq_window();
    hppir_in_3 = hppir1();
}

int main(void)
{
    rt_puts("gic_physical\n");
    gic_redist_wake();
    gic_dist_enable();
    for (unsigned i = 1; i <= 6; i++)
        gic_irq_setup(i, sgi_prio[i], 1, 1);

    rt_puts("CPU interface setup\n");
    gic_cpuif_enable(0xff);
    rt_printf("  ICC_SRE_EL2.SRE=%lu\n", GIC_RD(ICC_SRE_EL2) & 1);
    check(GIC_RD(ICC_SRE_EL2) & 1, "SRE");
    expect_x("ICC_PMR_EL1 after writing 0xff", (unsigned)GIC_RD(ICC_PMR_EL1), 0xf8);
    expect_u("ICC_BPR1_EL1 after writing 0", (unsigned)GIC_RD(ICC_BPR1_EL1), 3);
    uint64_t ctlr = GIC_RD(ICC_CTLR_EL1);
    rt_printf("  ICC_CTLR_EL1: PRIbits=%lu EOImode=%lu CBPR=%lu\n", ICC_CTLR_PRIBITS(ctlr),
              (ctlr >> 1) & 1, ctlr & 1);
    check(ICC_CTLR_PRIBITS(ctlr) == 4, "PRIbits");
    rt_printf("  ICC_IGRPEN1_EL1=%lu\n", GIC_RD(ICC_IGRPEN1_EL1));
    expect_x("ICC_RPR_EL1 (idle)", rpr(), 0xff);

    rt_puts("nothing pending\n");
    expect_u("ICC_HPPIR1_EL1", hppir1(), INTID_SPURIOUS);
    expect_u("ICC_IAR1_EL1", iar1(), INTID_SPURIOUS);

    rt_puts("polling: SGIs 1 (0xa0), 3 (0x60), 2 (0x80) sent with PSTATE.I set\n");
    gic_send_sgi(1);
    gic_send_sgi(3);
    gic_send_sgi(2);
    expect_x("GICR_ISPENDR0", gics_r32(GICR_ISPENDR0), 0xe);
    expect_u("ICC_HPPIR1_EL1", hppir1(), 3);
    expect_u("ICC_IAR1_EL1", iar1(), 3);
    expect_x("ICC_RPR_EL1", rpr(), 0x60);
    expect_x("GICR_ISPENDR0", gics_r32(GICR_ISPENDR0), 0x6);
    expect_x("GICR_ISACTIVER0", gics_r32(GICR_ISACTIVER0), 0x8);
    expect_u("ICC_IAR1_EL1 with 3 active", iar1(), INTID_SPURIOUS);
    expect_u("ICC_HPPIR1_EL1 with 3 active", hppir1(), 2);
    expect_x("ICC_AP1R0_EL1 with 3 active", (unsigned)GIC_RD(ICC_AP1R0_EL1), 1u << (0x60 >> 3));
    eoir1(3);
    expect_x("ICC_RPR_EL1 after EOIR1(3)", rpr(), 0xff);
    expect_x("GICR_ISACTIVER0 after EOIR1(3)", gics_r32(GICR_ISACTIVER0), 0);
    expect_u("ICC_IAR1_EL1", iar1(), 2);
    expect_x("ICC_RPR_EL1", rpr(), 0x80);
    eoir1(2);
    expect_u("ICC_IAR1_EL1", iar1(), 1);
    expect_x("ICC_RPR_EL1", rpr(), 0xa0);
    eoir1(1);
    expect_u("ICC_IAR1_EL1", iar1(), INTID_SPURIOUS);
    expect_x("GICR_ISPENDR0", gics_r32(GICR_ISPENDR0), 0);
    expect_x("GICR_ISACTIVER0", gics_r32(GICR_ISACTIVER0), 0);

    rt_puts("interrupt-driven at EL2 (HCR_EL2.IMO=1)\n");
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();
    gic_send_sgi(1);
    gic_send_sgi(3);
    gic_send_sgi(2);
    irq_window();
    print_log("  SGIs 1, 3, 2", "+3-3+2-2+1-1");

    rt_puts("preemption: SGI 1's handler sends SGI 5 (0x20) and SGI 6 (0xc0) and unmasks\n");
    irq_body = body_nested;
    gic_send_sgi(1);
    irq_window();
    irq_body = 0;
    print_log("  log", "+1+5-5-1+6-6");
    check(ev[0].rpr == 0xa0 && ev[1].rpr == 0x20 && ev[2].rpr == 0xa0 && ev[3].rpr == 0xff,
          "running priorities while nested");

    rt_puts("binary point: ICC_BPR1_EL1 = 7, SGI 3's handler sends SGI 4 (0x40) and unmasks\n");
    GIC_WR(ICC_BPR1_EL1, 7);
    ISB();
    expect_u("ICC_BPR1_EL1", (unsigned)GIC_RD(ICC_BPR1_EL1), 7);
    irq_body = body_bpr;
    gic_send_sgi(3);
    irq_window();
    irq_body = 0;
    print_log("  log", "+3-3+4-4");
    expect_u("ICC_HPPIR1_EL1 inside SGI 3's handler", hppir_in_3, 4);
    GIC_WR(ICC_BPR1_EL1, 0);
    ISB();

    rt_puts("EOImode 1 (priority drop and deactivation split)\n");
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    rt_printf("  ICC_CTLR_EL1.EOImode=%lu\n", (GIC_RD(ICC_CTLR_EL1) >> 1) & 1);
    gic_send_sgi(3);
    expect_u("ICC_IAR1_EL1", iar1(), 3);
    eoir1(3);
    expect_x("ICC_RPR_EL1 after EOIR1(3)", rpr(), 0xff);
    expect_x("GICR_ISACTIVER0 after EOIR1(3)", gics_r32(GICR_ISACTIVER0), 0x8);
    gic_send_sgi(3);
    expect_x("GICR_ISPENDR0 after sending 3 again", gics_r32(GICR_ISPENDR0), 0x8);
    expect_u("ICC_HPPIR1_EL1 (3 pending+active)", hppir1(), INTID_SPURIOUS);
    expect_u("ICC_IAR1_EL1 (3 pending+active)", iar1(), INTID_SPURIOUS);
    dir(3);
    expect_x("GICR_ISACTIVER0 after DIR(3)", gics_r32(GICR_ISACTIVER0), 0);
    expect_u("ICC_IAR1_EL1", iar1(), 3);
    expect_x("GICR_ISACTIVER0", gics_r32(GICR_ISACTIVER0), 0x8);
    eoir1(3);
    dir(3);
    expect_x("GICR_ISACTIVER0 after EOIR1(3), DIR(3)", gics_r32(GICR_ISACTIVER0), 0);
    GIC_WR(ICC_CTLR_EL1, 0);
    ISB();

    rt_puts("priority mask\n");
    GIC_WR(ICC_PMR_EL1, 0x80);
    ISB();
    gic_send_sgi(1);
    irq_window();
    print_log("  PMR=0x80, SGI 1 (0xa0), unmasked", "");
    expect_u("ICC_HPPIR1_EL1", hppir1(), 1);
    expect_u("ICC_IAR1_EL1", iar1(), INTID_SPURIOUS);
    GIC_WR(ICC_PMR_EL1, 0xa0);
    ISB();
    irq_window();
    print_log("  PMR=0xa0, unmasked", "");
    expect_x("GICR_ISPENDR0", gics_r32(GICR_ISPENDR0), 0x2);
    GIC_WR(ICC_PMR_EL1, 0xa8);
    ISB();
    irq_window();
    print_log("  PMR=0xa8, unmasked", "+1-1");
    GIC_WR(ICC_PMR_EL1, 0xff);
    expect_x("GICR_ISPENDR0", gics_r32(GICR_ISPENDR0), 0);

    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
