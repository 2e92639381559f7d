// GUEST-STDIN: @SOURCE_DIR@/uart_rx_echo.in
/* PL011 receive interrupts in character mode (LCR_H.FEN = 0: a one-character
 * holding register, so the RX interrupt comes with every character; PL011
 * TRM, "UARTRXINTR"): the program programs the UART (115200 8N1: IBRD 13,
 * FBRD 1 from UARTCLK = 24 MHz) but leaves UARTCR.UARTEN clear, as programs
 * booted with -kernel do (avsim and QEMU 7.2 both receive while RXE, set
 * from reset, is set), unmasks RXIM and RTIM, routes SPI 33 to EL2
 * and waits in WFI. Its IRQ handler reads UARTDR while FR.RXFE is clear,
 * echoes each character through UARTDR and stops at '.'. It then prints what
 * it received, which is the GUEST-STDIN
 * file up to the '.', and checks the flags: FR.RXFE set, RXRIS clear. */
#include "trap.h"
#include "gic.h"

#define FR_RXFE (1u << 4)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static char buf[128];
static volatile unsigned n, done, irqs;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        trap_record(f, 2, vector);
        return;
    }
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    if (intid == UART_INTID) {
        irqs++;
        while (!(uart_r32(UART_FR) & FR_RXFE)) {
            char c = (char)(uart_r32(UART_DR) & 0xff);
            uart_w32(UART_DR, (uint8_t)c);               /* echo */
            if (n < sizeof buf - 1)
                buf[n++] = c;
            if (c == '.') {
                done = 1;
                break;
            }
        }
    }
    if (intid < 1020)
        GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

int main(void)
{
    rt_puts("uart_rx_echo\n");
    gic_dist_enable();
    gic_redist_wake();
    gic_cpuif_enable(0xff);
    gic_irq_setup(UART_INTID, 0x80, 0, 1);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);
    ISB();
    uart_w32(0x024, 13);                  /* UARTIBRD */
    uart_w32(0x028, 1);                   /* UARTFBRD */
    uart_w32(0x02c, 0x60);                /* UARTLCR_H: 8 bits, FIFOs off */
    /* No UARTICR write: the receiver runs from reset, and the RX interrupt
     * for a character already waiting would be lost. */
    uart_w32(UART_IMSC, INT_RX | INT_RT);
    rt_puts("echo: ");
    uart_w32(0x030, 0x300);               /* UARTCR: TXE, RXE; UARTEN stays clear */
    WFI_UNTIL(done);
    rt_puts("\n");
    buf[n] = 0;
    rt_puts("received: \"");
    for (unsigned i = 0; i < n; i++) {
        if (buf[i] == '\n')
            rt_puts("\\n");
        else
            rt_putc(buf[i]);
    }
    rt_puts("\"\n");
    rt_printf("through the RX interrupt: %s\n", irqs ? "yes" : "no");
    check(irqs != 0, "interrupts");
    rt_printf("FR.RXFE after the reads: %u, RXRIS: %u\n", (uart_r32(UART_FR) >> 4) & 1,
              (uart_r32(UART_RIS) >> 4) & 1);
    check(uart_r32(UART_FR) & FR_RXFE, "RXFE");
    test_result();
    return failures ? 1 : 0;
}
