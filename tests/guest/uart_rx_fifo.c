// AVSIM-FOLLOWS-ARM-ARM: the PL011 TRM (Arm DDI 0183) raises RXRIS when the receive FIFO reaches the UARTIFLS level and RTRIS after 32 bit periods without data, and receives nothing while UARTCR.RXE is clear; QEMU 7.2 raises RXRIS from the first character whatever UARTIFLS says, has no receive timeout, and receives whatever RXE says.
// GUEST-STDIN: @SOURCE_DIR@/uart_rx_fifo.in
/* The PL011 receive FIFO (PL011 TRM, "UARTRXINTR", "UARTRTINTR", UARTIFLS,
 * UARTFR), fed 26 characters A..Z from stdin at 115200 baud (8N1), FIFOs on,
 * RX trigger level 1/4 (4 characters), UARTCR.UARTEN never set (as a program
 * booted with -kernel leaves it: avsim receives while RXE is set, as QEMU):
 * 0. With RXE clear (from the program's start) nothing arrives in 1 ms (11
 *    character times): the input waits in stdin.
 * 1. Polled: RXRIS appears when the FIFO holds 4 characters (A..D read
 *    back at once), and clears when it holds fewer.
 * 2. The FIFO fills: FR.RXFF with 16 characters (E..T), RXRIS set, nothing
 *    lost (the rest waits), UARTRSR reads 0 (no errors), a write to UARTECR
 *    leaves it 0.
 * 3. Interrupts (IMSC = RXIM | RTIM, SPI 33 at EL2): the last six arrive;
 *    the handler reads what the FIFO holds each time: an RX interrupt at 4
 *    (U..X), then the receive timeout for the 2 below the trigger level (Y,
 *    Z), 32 bit periods after the Z. */
#include "trap.h"
#include "timer.h"

#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)
#define UART_RSR 0x004
#define UART_IFLS 0x034
#define POLL_TICKS 625000UL              /* 10 ms: the give-up time of a polled wait */

static char ilog[64];
static volatile unsigned ilog_n, got;
static char text[32];

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        trap_record(f, 2, vector);
        return;
    }
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    if (intid == UART_INTID) {
        uint32_t mis = uart_r32(UART_MIS);
        unsigned n = 0;
        while (!(uart_r32(UART_FR) & FR_RXFE)) {
            char c = (char)uart_r32(UART_DR);
            if (got < sizeof text - 1)
                text[got] = c;
            got++;
            n++;
        }
        if (ilog_n + 6 < sizeof ilog) {
            const char *k = (mis & INT_RX) ? " RX:" : (mis & INT_RT) ? " RT:" : " ??:";
            while (*k)
                ilog[ilog_n++] = *k++;
            ilog[ilog_n++] = (char)('0' + n % 10);
        }
    }
    if (intid < 1020)
        GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

/* Polls until (reg & mask) != 0, or 10 ms of the counter pass. */
static int poll_set(unsigned reg, uint32_t mask)
{
    uint64_t end = cnt_pct() + POLL_TICKS;
    while (!(uart_r32(reg) & mask))
        if (cnt_diff(cnt_pct(), end) > 0)
            return 0;
    return 1;
}

static unsigned drain(char *out)
{
    unsigned n = 0;
    while (!(uart_r32(UART_FR) & FR_RXFE))
        out[n++] = (char)uart_r32(UART_DR);
    out[n] = 0;
    return n;
}

int main(void)
{
    char buf[32];
    uart_w32(0x030, 0x100);               /* UARTCR: TXE; the receiver off while it is programmed */
    rt_puts("uart_rx_fifo\n");
    gic_dist_enable();
    gic_redist_wake();
    gic_cpuif_enable(0xff);
    gic_irq_setup(UART_INTID, 0x80, 0, 1);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);
    ISB();
    uart_w32(0x024, 13);                  /* UARTIBRD: 115200 baud from 24 MHz */
    uart_w32(0x028, 1);                   /* UARTFBRD */
    uart_w32(0x02c, 0x70);                /* UARTLCR_H: 8 bits, FIFOs on */
    uart_w32(UART_IFLS, 1u << 3);         /* RX at 1/4 full */

    /* 0 */
    uint64_t end = cnt_pct() + POLL_TICKS / 10;
    while (cnt_diff(cnt_pct(), end) <= 0) {
    }
    uint32_t fr = uart_r32(UART_FR);
    rt_printf("0. RXE clear for 1 ms: FR.RXFE %u\n", (fr >> 4) & 1);
    check(fr & FR_RXFE, "nothing received with RXE clear");
    uart_w32(0x030, 0x300);               /* UARTCR: TXE, RXE; UARTEN stays clear */

    /* 1 */
    int ok = poll_set(UART_RIS, INT_RX);
    unsigned n = drain(buf);
    rt_printf("1. RXRIS at the trigger level: %s, the FIFO held %u: \"%s\"\n", yes_no(ok, "RXRIS"), n, buf);
    check(n == 4, "4 at the trigger");
    rt_printf("   RXRIS after the reads: %u\n", (uart_r32(UART_RIS) >> 4) & 1);
    check(!(uart_r32(UART_RIS) & INT_RX), "RXRIS clears below the level");

    /* 2 */
    ok = poll_set(UART_FR, FR_RXFF);
    rt_printf("2. FR.RXFF: %s, RXRIS: %u\n", yes_no(ok, "RXFF"), (uart_r32(UART_RIS) >> 4) & 1);
    n = drain(buf);
    rt_printf("   the FIFO held %u: \"%s\", UARTRSR %u", n, buf, uart_r32(UART_RSR));
    check(n == 16 && uart_r32(UART_RSR) == 0, "16, no errors");
    uart_w32(UART_RSR, 0xff);             /* UARTECR */
    rt_printf(", after a UARTECR write %u\n", uart_r32(UART_RSR));

    /* 3 */
    uart_w32(UART_IMSC, INT_RX | INT_RT);
    for (unsigned long i = 0; i < 1000000 && got < 6; i++)
        irq_window();
    text[got < sizeof text ? got : sizeof text - 1] = 0;
    ilog[ilog_n] = 0;
    rt_printf("3. interrupts:%s, received \"%s\"\n", ilog, text);
    check(got == 6, "the last six");
    const char *want = " RX:4 RT:2";
    for (unsigned i = 0; want[i] || ilog[i]; i++)
        if (want[i] != ilog[i]) {
            check(0, "RX then RT");
            break;
        }
    test_result();
    return failures ? 1 : 0;
}
