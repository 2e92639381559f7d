// QEMU-MACHINE: virt,virtualization=on,gic-version=2
// AVSIM-ARGS: --gic=v2
/* The physical GICv2 CPU interface (GICC, IHI 0048B chapters 3 and 4.4)
 * used at EL2, with SGIs sent to this PE through GICD_SGIR
 * (TargetListFilter = 2, "this CPU only"), all Group 0 (signalled as IRQ,
 * GICC_CTLR.FIQEn = 0), priorities (8 bits implemented, GICC_BPR = 0: group
 * priority [7:1]):
 *   SGI 1 0xa0, SGI 2 0x80, SGI 3 0x60, SGI 4 0x40, SGI 5 0x20, SGI 6 0xc0.
 *   Nothing pending: GICC_IAR and GICC_HPPIR read 1023 (spurious).
 *   Polling (PSTATE.I set): SGIs 1, 3, 2 pending (GICD_ISPENDR0 = 0xe);
 *     HPPIR = 3; IAR returns 3 with CPUID = 0 (the SGI's source: this CPU,
 *     interface 0) and RPR = 0x60, 3 becomes active; with 3 active IAR
 *     returns 1023 (2 and 1 cannot preempt) while HPPIR shows 2; EOIR(3)
 *     drops the running priority to idle (0xff) and deactivates (EOImode 0);
 *     then 2, then 1, then 1023.
 *   Interrupt-driven at EL2 (HCR_EL2.IMO = 1: physical IRQs are taken to
 *     EL2, at VBAR_EL2 + 0x280, current EL with SPx): SGIs 1, 3, 2 are taken
 *     in priority order 3, 2, 1, each EOId in its handler.
 *   Preemption: the handler of SGI 1 (0xa0) sends SGI 5 (0x20) and SGI 6
 *     (0xc0) and unmasks: 5 preempts (nested, RPR 0x20 inside), 6 is taken
 *     only after 1's EOI and return.
 *   Binary point: with GICC_BPR = 7 (no group priority bits) SGI 4 (0x40)
 *     cannot preempt SGI 3 (0x60): same group priority, RPR = 0x00 while 3
 *     runs; 4 is taken after 3's EOI.
 *   EOImode = 1 (GICC_CTLR bit 9; see gicv2.h for the name): EOIR only drops
 *     the priority (RPR idle, 3 still active in GICD_ISACTIVER0); the SGI
 *     sent again while active is pending and active (GICD_ISPENDR0 bit 3)
 *     and not signalled (IAR = 1023); GICC_DIR(3) deactivates, then it is
 *     acknowledged again. The same through an interrupt handler that only
 *     EOIs: the SGI stays active after the handler returns, DIR ends it.
 *   Priority mask: with PMR = 0x80 or 0xa0, SGI 1 (0xa0) stays pending and
 *     is not taken or acknowledged (IAR = 1023): only interrupts with a
 *     priority higher (numerically lower) than the mask are signalled;
 *     PMR = 0xa1 lets it in. */
#include "trap.h"
#include "gicv2.h"

static const uint8_t sgi_prio[7] = { 0, 0xa0, 0x80, 0x60, 0x40, 0x20, 0xc0 };

/* Interrupt log: '+' on entry (after IAR), '-' after EOIR. */
static struct {
    char what;
    unsigned intid;
    unsigned rpr;
} ev[32];
static volatile unsigned nev;

static unsigned rpr(void) { return gicc_r32(GICC_RPR); }

static void log_ev(char what, unsigned intid)
{
    if (nev < 32) {
        ev[nev].what = what;
        ev[nev].intid = intid;
        ev[nev].rpr = rpr();
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
static volatile unsigned handler_iar_raw;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        uint32_t iar = gicc_r32(GICC_IAR);
        unsigned intid = IAR_INTID(iar);
        handler_iar_raw = iar;
        log_ev('+', intid);
        if (intid >= 1020) {
            rt_printf("  IRQ taken but IAR = %u\n", intid);
            check(0, "spurious IRQ");
            f->spsr |= 1UL << 7;
            return;
        }
        if (irq_body)
            irq_body(intid);
        gicc_w32(GICC_EOIR, iar);
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

static unsigned iar(void) { return IAR_INTID(gicc_r32(GICC_IAR)); }
static unsigned hppir(void) { return IAR_INTID(gicc_r32(GICC_HPPIR)); }
static void eoir(unsigned intid) { gicc_w32(GICC_EOIR, intid); }
static void dir(unsigned intid) { gicc_w32(GICC_DIR, intid); }
static unsigned ispendr0(void) { return gicd_r32(GICD_ISPENDR(0)) & 0xffff; }   /* SGIs */
static unsigned isactiver0(void) { return gicd_r32(GICD_ISACTIVER(0)) & 0xffff; }

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
    gicv2_send_sgi_self(5);
    gicv2_send_sgi_self(6);
    irq_window();
}

static volatile unsigned hppir_in_3;
static void body_bpr(unsigned intid)
{
    if (intid != 3)
        return;
    gicv2_send_sgi_self(4);
    irq_window();
    hppir_in_3 = hppir();
}

int main(void)
{
    rt_puts("gicv2_physical\n");
    gicv2_dist_enable();
    for (unsigned i = 1; i <= 6; i++)
        gicv2_irq_setup(i, sgi_prio[i], 1, 1);

    rt_puts("CPU interface setup\n");
    gicv2_cpuif_enable(0xff, 0);
    expect_x("GICC_CTLR", gicc_r32(GICC_CTLR), GICC_CTLR_ENGRP0);
    expect_x("GICC_PMR", gicc_r32(GICC_PMR), 0xff);
    expect_x("GICC_RPR (idle)", rpr(), 0xff);

    rt_puts("nothing pending\n");
    expect_u("GICC_HPPIR", hppir(), INTID_SPURIOUS);
    expect_u("GICC_IAR", iar(), INTID_SPURIOUS);

    rt_puts("polling: SGIs 1 (0xa0), 3 (0x60), 2 (0x80) sent with PSTATE.I set\n");
    gicv2_send_sgi_self(1);
    gicv2_send_sgi_self(3);
    gicv2_send_sgi_self(2);
    expect_x("GICD_ISPENDR0[15:0]", ispendr0(), 0xe);
    expect_x("GICD_SPENDSGIR0 (SGIs 0-3: pending-from-CPU bits)", gicd_r32(GICD_SPENDSGIR(0)), 0x01010100);
    expect_u("GICC_HPPIR", hppir(), 3);
    uint32_t raw = gicc_r32(GICC_IAR);
    rt_printf("  GICC_IAR = 0x%x (InterruptID=%u CPUID=%u)\n", raw, IAR_INTID(raw), IAR_CPUID(raw));
    check(raw == 3, "IAR 3 from CPU 0");
    expect_x("GICC_RPR", rpr(), 0x60);
    expect_x("GICD_ISPENDR0[15:0]", ispendr0(), 0x6);
    expect_x("GICD_ISACTIVER0[15:0]", isactiver0(), 0x8);
    expect_u("GICC_IAR with 3 active", iar(), INTID_SPURIOUS);
    expect_u("GICC_HPPIR with 3 active", hppir(), 2);
    eoir(3);
    expect_x("GICC_RPR after EOIR(3)", rpr(), 0xff);
    expect_x("GICD_ISACTIVER0 after EOIR(3)", isactiver0(), 0);
    expect_u("GICC_IAR", iar(), 2);
    expect_x("GICC_RPR", rpr(), 0x80);
    eoir(2);
    expect_u("GICC_IAR", iar(), 1);
    expect_x("GICC_RPR", rpr(), 0xa0);
    eoir(1);
    expect_u("GICC_IAR", iar(), INTID_SPURIOUS);
    expect_x("GICD_ISPENDR0[15:0]", ispendr0(), 0);
    expect_x("GICD_ISACTIVER0[15:0]", isactiver0(), 0);

    rt_puts("interrupt-driven at EL2 (HCR_EL2.IMO=1)\n");
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();
    gicv2_send_sgi_self(1);
    gicv2_send_sgi_self(3);
    gicv2_send_sgi_self(2);
    irq_window();
    print_log("  SGIs 1, 3, 2", "+3-3+2-2+1-1");
    rt_printf("  last GICC_IAR in the handler = 0x%x (CPUID=%u)\n", handler_iar_raw, IAR_CPUID(handler_iar_raw));

    rt_puts("preemption: SGI 1's handler sends SGI 5 (0x20) and SGI 6 (0xc0) and unmasks\n");
    irq_body = body_nested;
    gicv2_send_sgi_self(1);
    irq_window();
    irq_body = 0;
    print_log("  log", "+1+5-5-1+6-6");
    check(ev[0].rpr == 0xa0 && ev[1].rpr == 0x20 && ev[2].rpr == 0xa0 && ev[3].rpr == 0xff,
          "running priorities while nested");

    rt_puts("binary point: GICC_BPR = 7, SGI 3's handler sends SGI 4 (0x40) and unmasks\n");
    gicc_w32(GICC_BPR, 7);
    expect_u("GICC_BPR", gicc_r32(GICC_BPR), 7);
    irq_body = body_bpr;
    gicv2_send_sgi_self(3);
    irq_window();
    irq_body = 0;
    print_log("  log", "+3-3+4-4");
    expect_u("GICC_HPPIR inside SGI 3's handler", hppir_in_3, 4);
    gicc_w32(GICC_BPR, 0);

    rt_puts("EOImode 1 (priority drop and deactivation split, GICC_DIR)\n");
    gicc_w32(GICC_CTLR, GICC_CTLR_ENGRP0 | GICC_CTLR_EOIMODE);
    rt_printf("  GICC_CTLR = 0x%x\n", gicc_r32(GICC_CTLR));
    gicv2_send_sgi_self(3);
    expect_u("GICC_IAR", iar(), 3);
    eoir(3);
    expect_x("GICC_RPR after EOIR(3)", rpr(), 0xff);
    expect_x("GICD_ISACTIVER0 after EOIR(3)", isactiver0(), 0x8);
    gicv2_send_sgi_self(3);
    expect_x("GICD_ISPENDR0 after sending 3 again", ispendr0(), 0x8);
    expect_u("GICC_IAR (3 pending+active)", iar(), INTID_SPURIOUS);
    dir(3);
    expect_x("GICD_ISACTIVER0 after DIR(3)", isactiver0(), 0);
    expect_u("GICC_IAR", iar(), 3);
    expect_x("GICD_ISACTIVER0", isactiver0(), 0x8);
    eoir(3);
    dir(3);
    expect_x("GICD_ISACTIVER0 after EOIR(3), DIR(3)", isactiver0(), 0);
    gicv2_send_sgi_self(2);
    irq_window();
    print_log("  SGI 2 taken, handler EOIs only", "+2-2");
    expect_x("GICD_ISACTIVER0 after the handler", isactiver0(), 0x4);
    dir(2);
    expect_x("GICD_ISACTIVER0 after DIR(2)", isactiver0(), 0);
    gicc_w32(GICC_CTLR, GICC_CTLR_ENGRP0);

    rt_puts("priority mask\n");
    gicc_w32(GICC_PMR, 0x80);
    gicv2_send_sgi_self(1);
    irq_window();
    print_log("  PMR=0x80, SGI 1 (0xa0), unmasked", "");
    expect_u("GICC_IAR", iar(), INTID_SPURIOUS);
    gicc_w32(GICC_PMR, 0xa0);
    irq_window();
    print_log("  PMR=0xa0, unmasked", "");
    expect_u("GICC_IAR", iar(), INTID_SPURIOUS);
    expect_x("GICD_ISPENDR0[15:0]", ispendr0(), 0x2);
    gicc_w32(GICC_PMR, 0xa1);
    irq_window();
    print_log("  PMR=0xa1, unmasked", "+1-1");
    gicc_w32(GICC_PMR, 0xff);
    expect_x("GICD_ISPENDR0[15:0]", ispendr0(), 0);

    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
