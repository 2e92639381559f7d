/* Forwarding a physical SPI to an EL1 guest through a hardware list register
 * (ICH_LR<n>_EL2.HW = 1, IHI 0069 6.2/12.5), as a hypervisor does for a
 * passed-through device. The source is the PL011's interrupt (SPI 1, INTID
 * 33, level-sensitive, Group 1, priority 0xa0). QEMU's PL011 sets the TX bit
 * of its raw interrupt status (UARTRIS bit 5) when a character is written to
 * UARTDR and keeps it until UARTICR.TXIC clears it; the line is RIS & IMSC.
 * So: write a line to the UART with UARTIMSC = 0 (RIS.TX = 1, SPI 33 not
 * pending), then set UARTIMSC.TXIM: SPI 33 becomes pending.
 *   EL2 (HCR_EL2.IMO=1, ICC_CTLR_EL1.EOImode=1) takes the physical IRQ:
 *   ICC_IAR1_EL1 = 33 (active in GICD_ISACTIVER1), masks the source
 *   (UARTIMSC = 0: the level drops, SPI 33 no longer pending), EOIR1(33) drops
 *   the running priority to idle but 33 stays active; EL2 queues LR0 =
 *   HW=1, pINTID=33, vINTID=48, Group 1, prio 0xa0, pending.
 *   Guest (VMCR.VEOIM=0): takes the vIRQ, ICV_IAR1 = 48, ICV_EOIR1(48) drops
 *   and deactivates the virtual interrupt and, because HW=1, deactivates the
 *   physical INTID 33 in the distributor (GICD_ISACTIVER1 bit 1: 1 before, 0
 *   after). LR0 ends invalid; an HW=1 LR never requests an EOI maintenance
 *   interrupt (ICH_EISR_EL2 = 0), ICH_ELRSR_EL2 = 0xf.
 *   Second round with VMCR.VEOIM=1: the guest's ICV_EOIR1 only drops the
 *   virtual priority (physical 33 still active, read by the guest in
 *   GICD_ISACTIVER1, LR0 active); ICV_DIR_EL1(48) deactivates both.
 *   Finally, with 33 inactive and RIS.TX still set, re-enabling TXIM makes
 *   SPI 33 pending and taken at EL2 again (it would not be if 33 were still
 *   active); EL2 clears the source (UARTICR.TXIC), EOIR1 + DIR. */
#include "trap.h"
#include "gic.h"

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

static void expect_x(const char *what, uint64_t got, uint64_t want)
{
    rt_printf("  %s = 0x%lx\n", what, got);
    check(got == want, what);
}

static unsigned spi33_pending(void) { return (gicd_r32(GICD_ISPENDR(1)) >> 1) & 1; }
static unsigned spi33_active(void) { return (gicd_r32(GICD_ISACTIVER(1)) >> 1) & 1; }

/* ---- EL2: the physical interrupt ---- */
enum { FORWARD, FINAL };
static volatile int el2_mode;
static volatile unsigned h_active, h_pending_masked, h_rpr_after_eoi, h_active_after_eoi;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        log_ev('P', intid);
        if (intid != UART_INTID) {
            check(0, "unexpected physical INTID");
            f->spsr |= 1UL << 7;
            return;
        }
        h_active = spi33_active();
        if (el2_mode == FORWARD) {
            uart_w32(UART_IMSC, 0);                 /* mask the device's interrupt */
            h_pending_masked = spi33_pending();
            GIC_WR(ICC_EOIR1_EL1, intid);           /* EOImode 1: priority drop only */
            ISB();
            h_rpr_after_eoi = (unsigned)GIC_RD(ICC_RPR_EL1);
            h_active_after_eoi = spi33_active();
            ich_lr_write(0, LR_G1_PENDING(VINTID, 0xa0) | LR_HW | LR_PINTID(UART_INTID));
        } else {
            uart_w32(UART_ICR, UART_INT_TX);        /* clear the source */
            uart_w32(UART_IMSC, 0);
            h_pending_masked = spi33_pending();
            GIC_WR(ICC_EOIR1_EL1, intid);
            GIC_WR(ICC_DIR_EL1, intid);
            ISB();
            h_active_after_eoi = spi33_active();
        }
        return;
    }
    trap_record(f, 2, vector);
}

static void el2_window(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
}

/* ---- guest ---- */
static volatile int guest_dir;   /* VEOIM=1 round: EOIR then DIR */
static volatile unsigned g_act_before, g_act_after_eoi, g_act_after_dir, g_rpr;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        log_ev('V', intid);
        if (intid >= 1020) {
            f->spsr |= 1UL << 7;
            return;
        }
        g_act_before = spi33_active();
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        g_rpr = (unsigned)GIC_RD(ICC_RPR_EL1);
        g_act_after_eoi = spi33_active();
        if (guest_dir) {
            GIC_WR(ICC_DIR_EL1, intid);
            ISB();
            g_act_after_dir = spi33_active();
        }
        return;
    }
    trap_record(f, 1, vector);
}

static volatile uint64_t g_lr_mid;
static uint64_t guest(uint64_t arg)
{
    (void)arg;
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
    return 0;
}

static void forward_round(int veoim)
{
    rt_printf("round %d: VMCR.VEOIM=%d\n", veoim + 1, veoim);
    rt_printf("  UARTRIS.TX=%u, SPI 33 pending=%u before enabling TXIM\n",
              (uart_r32(UART_RIS) >> 5) & 1, spi33_pending());
    check(((uart_r32(UART_RIS) >> 5) & 1) == 1 && spi33_pending() == 0, "TX raw status, masked");
    uart_w32(UART_IMSC, UART_INT_TX);
    rt_printf("  UARTMIS.TX=%u, SPI 33 pending=%u after enabling TXIM\n", (uart_r32(UART_MIS) >> 5) & 1,
              spi33_pending());
    check(spi33_pending() == 1, "SPI 33 pending");
    el2_mode = FORWARD;
    el2_window();
    rt_printf("  EL2 handler: active=%u, pending after masking the UART=%u, after EOIR1: RPR=0x%x active=%u\n",
              h_active, h_pending_masked, h_rpr_after_eoi, h_active_after_eoi);
    check(h_active == 1 && h_pending_masked == 0 && h_rpr_after_eoi == 0xff && h_active_after_eoi == 1,
          "EL2 priority drop without deactivation");
    uint64_t lr = ich_lr_read(0);
    rt_printf("  ICH_LR0_EL2 = 0x%016lx (%s, HW=%lu pINTID=%lu vINTID=%u)\n", lr,
              lr_state_name[LR_STATE(lr)], (lr >> 61) & 1, (lr >> 32) & 0x1fff, LR_GET_VINTID(lr));
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8) | (veoim ? ICH_VMCR_VEOIM : 0));
    ISB();
    guest_dir = veoim;
    rt_run_el1(guest, HCR_IMO, 0);
    print_log("  log", veoim ? "P33V48" : "P33V48");
    rt_printf("  guest: GICD_ISACTIVER1.33 before EOIR1=%u after EOIR1=%u", g_act_before, g_act_after_eoi);
    if (veoim)
        rt_printf(" after DIR=%u", g_act_after_dir);
    rt_printf(", ICV_RPR after EOIR1=0x%x\n", g_rpr);
    check(g_act_before == 1 && g_rpr == 0xff, "active before the guest's EOI");
    if (veoim)
        check(g_act_after_eoi == 1 && g_act_after_dir == 0, "VEOIM=1: deactivated by DIR");
    else
        check(g_act_after_eoi == 0, "VEOIM=0: deactivated by EOIR");
    lr = ich_lr_read(0);
    rt_printf("  afterwards: LR0 %s, GICD_ISACTIVER1.33=%u\n", lr_state_name[LR_STATE(lr)], spi33_active());
    check(LR_STATE(lr) == 0 && spi33_active() == 0, "LR0 invalid, 33 inactive");
    expect_x("ICH_EISR_EL2", GIC_RD(ICH_EISR_EL2), 0);
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0xf);
    expect_x("ICH_MISR_EL2", GIC_RD(ICH_MISR_EL2), 0);
    ich_lr_write(0, 0);
}

int main(void)
{
    rt_puts("gic_hw_forward\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    gic_irq_setup(UART_INTID, 0xa0, 0, 1);
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();

    uart_w32(UART_IMSC, 0);
    uart_w32(UART_ICR, 0x7ff);
    rt_printf("UARTRIS.TX after UARTICR=0x7ff: %u\n", (uart_r32(UART_RIS) >> 5) & 1);
    check(((uart_r32(UART_RIS) >> 5) & 1) == 0, "TX cleared");
    rt_uart_puts("gic_hw_forward: a line on the PL011\n");

    forward_round(0);
    rt_uart_puts("gic_hw_forward: another line\n");
    forward_round(1);

    rt_puts("re-enabling TXIM with RIS.TX still set\n");
    rt_printf("  UARTRIS.TX=%u GICD_ISACTIVER1.33=%u\n", (uart_r32(UART_RIS) >> 5) & 1, spi33_active());
    el2_mode = FINAL;
    uart_w32(UART_IMSC, UART_INT_TX);
    el2_window();
    print_log("  log", "P33");
    rt_printf("  EL2 handler: active=%u, pending after UARTICR.TXIC=%u, active after EOIR1+DIR=%u\n", h_active,
              h_pending_masked, h_active_after_eoi);
    check(h_active == 1 && h_pending_masked == 0 && h_active_after_eoi == 0, "final round");
    rt_printf("  UARTRIS.TX=%u\n", (uart_r32(UART_RIS) >> 5) & 1);

    GIC_WR(ICH_HCR_EL2, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
