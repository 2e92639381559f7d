// QEMU-MACHINE: virt,virtualization=on,gic-version=2
// AVSIM-ARGS: --gic=v2
/* Forwarding a physical SPI to an EL1 guest through a hardware list
 * register (GICH_LR.HW = 1, IHI 0048B 5.4), as a hypervisor does for a
 * passed-through device, on GICv2. The source is the PL011's interrupt (SPI
 * 1, INTID 33, level-sensitive, Group 0, priority 0xa0). QEMU's PL011 sets
 * the TX bit of its raw interrupt status (UARTRIS bit 5) when a character is
 * written to UARTDR and keeps it until UARTICR.TXIC clears it; the line is
 * RIS & IMSC. So: write a line to the UART with UARTIMSC = 0 (RIS.TX = 1,
 * SPI 33 not pending), then set UARTIMSC.TXIM: SPI 33 becomes pending.
 *   EL2 (HCR_EL2.IMO = 1: physical IRQs are taken to EL2; GICC_CTLR
 *   EOImode = 1, bit 9) takes the physical IRQ at VBAR_EL2 + 0x280:
 *   GICC_IAR = 33 (active in GICD_ISACTIVER1 bit 1), masks the source
 *   (UARTIMSC = 0: the level drops, SPI 33 no longer pending), GICC_EOIR(33)
 *   drops the running priority to idle but 33 stays active; EL2 queues
 *   GICH_LR0 = HW=1, PhysicalID=33, VirtualID=48, Group 0, prio 0xa0,
 *   pending.
 *   Guest (GICH_VMCR.VEM = 0): takes the virtual IRQ, GICV_IAR = 48,
 *   GICV_EOIR(48) drops and deactivates the virtual interrupt and, because
 *   HW = 1, deactivates the physical INTID 33 in the distributor
 *   (GICD_ISACTIVER1 bit 1: 1 before, 0 after). LR0 ends invalid; an HW=1
 *   LR never requests an EOI maintenance interrupt (GICH_EISR0 = 0,
 *   GICH_ELRSR0 = 0xf).
 *   Second round with GICH_VMCR.VEM = 1 (GICV_CTLR.EOImode): the guest's
 *   GICV_EOIR only drops the virtual priority (physical 33 still active,
 *   LR0 active); GICV_DIR(48) deactivates both.
 *   Finally, with 33 inactive and RIS.TX still set, re-enabling TXIM makes
 *   SPI 33 pending and taken at EL2 again (it would not be signalled while
 *   33 were still active); EL2 clears the source (UARTICR.TXIC), GICC_EOIR
 *   + GICC_DIR.
 * Waiting for an interrupt (EL2 for SPI 33, the guest for the virtual IRQ)
 * is free of lost wake-ups: with IRQs masked, check the flag the handler
 * sets, WFI (a pending interrupt wakes it even while masked), unmask so
 * that it is taken, mask, check again. */
#include "trap.h"
#include "gicv2.h"

#define VINTID 48

static struct {
    char what;
    unsigned intid;
} ev[32];
static volatile unsigned nev;
static void log_ev(char what, unsigned intid)
{
    if (nev < 32) {
        ev[nev].what = what;
        ev[nev].intid = intid;
    }
    nev++;
}
static void print_log(const char *what, const char *expect)
{
    char buf[64];
    unsigned n = 0;
    rt_printf("%s:", what);
    for (unsigned i = 0; i < nev && i < 32; i++) {
        rt_printf(" %c%u", ev[i].what, ev[i].intid);
        if (n + 4 < sizeof buf) {
            buf[n++] = ev[i].what;
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

static void expect_x(const char *what, uint32_t got, uint32_t want)
{
    rt_printf("  %s = 0x%x\n", what, got);
    check(got == want, what);
}

static unsigned spi33_pending(void) { return (gicd_r32(GICD_ISPENDR(1)) >> 1) & 1; }
static unsigned spi33_active(void) { return (gicd_r32(GICD_ISACTIVER(1)) >> 1) & 1; }

/* Wait (at the current EL, IRQs masked on entry and on return) until the
 * IRQ handler has set *flag. */
static void wait_irq(volatile int *flag)
{
    while (!*flag) {
        __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2\n\tisb" ::: "memory");
    }
}

/* ---- EL2: the physical interrupt ---- */
enum { FORWARD, FINAL };
static volatile int el2_mode, el2_taken;
static volatile unsigned h_active, h_pending_masked, h_rpr_after_eoi, h_active_after_eoi;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        uint32_t iar = gicc_r32(GICC_IAR);
        unsigned intid = IAR_INTID(iar);
        log_ev('P', intid);
        if (intid != UART_INTID) {
            check(0, "unexpected physical INTID");
            f->spsr |= 1UL << 7;
            el2_taken = 1;
            return;
        }
        h_active = spi33_active();
        if (el2_mode == FORWARD) {
            uart_w32(UART_IMSC, 0);                 /* mask the device's interrupt */
            h_pending_masked = spi33_pending();
            gicc_w32(GICC_EOIR, iar);               /* EOImode 1: priority drop only */
            h_rpr_after_eoi = gicc_r32(GICC_RPR);
            h_active_after_eoi = spi33_active();
            gich_w32(GICH_LR(0), LR_G0_PENDING(VINTID, 0xa0) | LR_HW | LR_PID(UART_INTID));
        } else {
            uart_w32(UART_ICR, UART_INT_TX);        /* clear the source */
            uart_w32(UART_IMSC, 0);
            h_pending_masked = spi33_pending();
            gicc_w32(GICC_EOIR, iar);
            gicc_w32(GICC_DIR, iar);
            h_active_after_eoi = spi33_active();
        }
        el2_taken = 1;
        return;
    }
    trap_record(f, 2, vector);
}

/* ---- guest ---- */
static volatile int guest_dir;   /* VEM=1 round: EOIR then DIR */
static volatile int guest_taken;
static volatile unsigned g_act_before, g_act_after_eoi, g_act_after_dir, g_rpr, g_lr_state_after_eoi;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        uint32_t iar = gicv_r32(GICC_IAR);
        unsigned intid = IAR_INTID(iar);
        log_ev('V', intid);
        guest_taken = 1;
        if (intid >= 1020) {
            f->spsr |= 1UL << 7;
            return;
        }
        g_act_before = spi33_active();
        gicv_w32(GICC_EOIR, iar);
        g_rpr = gicv_r32(GICC_RPR);
        g_act_after_eoi = spi33_active();
        if (guest_dir) {
            /* An observation only (no stage 2 here, so the guest can see
             * GICH): the LR stays active until the deactivation. */
            g_lr_state_after_eoi = LR_STATE(gich_r32(GICH_LR(0)));
            gicv_w32(GICC_DIR, iar);
            g_act_after_dir = spi33_active();
        }
        return;
    }
    trap_record(f, 1, vector);
}

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    wait_irq(&guest_taken);
    return 0;
}

static void forward_round(int vem)
{
    rt_printf("round %d: GICH_VMCR.VEM=%d\n", vem + 1, vem);
    rt_printf("  UARTRIS.TX=%u, SPI 33 pending=%u before enabling TXIM\n", (uart_r32(UART_RIS) >> 5) & 1,
              spi33_pending());
    check(((uart_r32(UART_RIS) >> 5) & 1) == 1 && spi33_pending() == 0, "TX raw status, masked");
    el2_mode = FORWARD;
    el2_taken = 0;
    uart_w32(UART_IMSC, UART_INT_TX);
    rt_printf("  UARTMIS.TX=%u, SPI 33 pending=%u after enabling TXIM\n", (uart_r32(UART_MIS) >> 5) & 1,
              spi33_pending());
    check(spi33_pending() == 1, "SPI 33 pending");
    wait_irq(&el2_taken);
    rt_printf("  EL2 handler: active=%u, pending after masking the UART=%u, after GICC_EOIR: RPR=0x%x active=%u\n",
              h_active, h_pending_masked, h_rpr_after_eoi, h_active_after_eoi);
    check(h_active == 1 && h_pending_masked == 0 && h_rpr_after_eoi == 0xff && h_active_after_eoi == 1,
          "EL2 priority drop without deactivation");
    uint32_t lr = gich_r32(GICH_LR(0));
    rt_printf("  GICH_LR0 = 0x%08x (%s, HW=%u PhysicalID=%u VirtualID=%u)\n", lr, lr_state_name[LR_STATE(lr)],
              lr >> 31, LR_GET_PID(lr), LR_GET_VID(lr));
    gich_w32(GICH_VMCR, GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK(0xf8) | (vem ? GICH_VMCR_VEM : 0));
    guest_dir = vem;
    guest_taken = 0;
    rt_run_el1(guest, HCR_IMO, 0);
    print_log("  log", "P33V48");
    rt_printf("  guest: GICD_ISACTIVER1.33 before GICV_EOIR=%u after GICV_EOIR=%u", g_act_before, g_act_after_eoi);
    if (vem)
        rt_printf(" after GICV_DIR=%u (GICH_LR0 %s between the two)", g_act_after_dir,
                  lr_state_name[g_lr_state_after_eoi & 3]);
    rt_printf(", GICV_RPR after GICV_EOIR=0x%x\n", g_rpr);
    check(g_act_before == 1 && g_rpr == 0xff, "active before the guest's EOI");
    if (vem)
        check(g_act_after_eoi == 1 && g_act_after_dir == 0 && g_lr_state_after_eoi == 2,
              "VEM=1: deactivated by GICV_DIR");
    else
        check(g_act_after_eoi == 0, "VEM=0: deactivated by GICV_EOIR");
    lr = gich_r32(GICH_LR(0));
    rt_printf("  afterwards: GICH_LR0 = 0x%08x (%s), GICD_ISACTIVER1.33=%u\n", lr, lr_state_name[LR_STATE(lr)],
              spi33_active());
    check(LR_STATE(lr) == 0 && spi33_active() == 0, "LR0 invalid, 33 inactive");
    expect_x("GICH_EISR0", gich_r32(GICH_EISR0), 0);
    expect_x("GICH_ELRSR0", gich_r32(GICH_ELRSR0), 0xf);
    expect_x("GICH_MISR", gich_r32(GICH_MISR), 0);
    gich_w32(GICH_LR(0), 0);
}

int main(void)
{
    rt_puts("gicv2_hw_forward\n");
    gicv2_dist_enable();
    gicv2_cpuif_enable(0xff, GICC_CTLR_EOIMODE);
    gicv2_irq_setup(UART_INTID, 0xa0, 0, 1);
    gich_w32(GICH_HCR, 0);
    for (unsigned i = 0; i < 4; i++)
        gich_w32(GICH_LR(i), 0);
    gich_w32(GICH_HCR, GICH_HCR_EN);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();

    uart_w32(UART_IMSC, 0);
    uart_w32(UART_ICR, 0x7ff);
    rt_printf("UARTRIS.TX after UARTICR=0x7ff: %u\n", (uart_r32(UART_RIS) >> 5) & 1);
    check(((uart_r32(UART_RIS) >> 5) & 1) == 0, "TX cleared");
    rt_uart_puts("gicv2_hw_forward: a line on the PL011\n");

    forward_round(0);
    rt_uart_puts("gicv2_hw_forward: another line\n");
    forward_round(1);

    rt_puts("re-enabling TXIM with RIS.TX still set\n");
    rt_printf("  UARTRIS.TX=%u GICD_ISACTIVER1.33=%u\n", (uart_r32(UART_RIS) >> 5) & 1, spi33_active());
    el2_mode = FINAL;
    el2_taken = 0;
    uart_w32(UART_IMSC, UART_INT_TX);
    wait_irq(&el2_taken);
    print_log("  log", "P33");
    rt_printf("  EL2 handler: active=%u, pending after UARTICR.TXIC=%u, active after GICC_EOIR+GICC_DIR=%u\n",
              h_active, h_pending_masked, h_active_after_eoi);
    check(h_active == 1 && h_pending_masked == 0 && h_active_after_eoi == 0, "final round");
    rt_printf("  UARTRIS.TX=%u\n", (uart_r32(UART_RIS) >> 5) & 1);

    gich_w32(GICH_HCR, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
