/* Registers, flags and interrupts from the PrimeCell UART (PL011) Technical
 * Reference Manual (Arm DDI 0183), chapter 3, "Programmers Model". */
#include "sim/pl011.h"
#include "sim/machine.h"
#include "sim/memmap.h"
#include <errno.h>
#include <poll.h>
#include <unistd.h>

enum { UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020, UARTIBRD = 0x024,
       UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038,
       UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044, UARTDMACR = 0x048 };
enum { FR_RXFE = 1 << 4, FR_TXFF = 1 << 5, FR_RXFF = 1 << 6, FR_TXFE = 1 << 7 };
enum { INT_RX = 1 << 4, INT_TX = 1 << 5, INT_RT = 1 << 6 };
enum { CR_RXE = 1 << 9 };
enum { LCR_H_PEN = 1 << 1, LCR_H_STP2 = 1 << 3, LCR_H_FEN = 1 << 4 };
#define DEFAULT_BAUD 115200u

static void update_irq(struct pl011 *u)
{
    gic_line_set(&u->irq, (u->ris & u->imsc) != 0);
}

static void rx_sample(void *opaque, uint64_t now);
static void rx_timeout(void *opaque, uint64_t now);

void pl011_init(struct pl011 *u, FILE *out, int in_fd)
{
    *u = (struct pl011){ .out = out, .in_fd = in_fd };
    timeq_event_init(&u->rx_event, rx_sample, u);
    timeq_event_init(&u->timeout_event, rx_timeout, u);
    pl011_reset(u);
}

void pl011_attach_time(struct pl011 *u, struct timeq *q, const uint64_t *clock, uint64_t clock_hz)
{
    u->q = q;
    u->clock = clock;
    u->clock_hz = clock_hz;
}

void pl011_reset(struct pl011 *u)
{
    if (u->q) {
        timeq_cancel(u->q, &u->rx_event);
        timeq_cancel(u->q, &u->timeout_event);
    }
    u->cr = 0x300;                          /* TXE and RXE set, UARTEN clear */
    u->ifls = 0x12;                         /* both FIFOs at 1/2 */
    u->lcr_h = u->ibrd = u->fbrd = u->imsc = u->ris = u->dmacr = 0;
    u->rx_head = u->rx_count = 0;
    u->rsr = 0;
    u->accessed = false;
    update_irq(u);
}

/* The receiver runs while UARTCR.RXE is set, whatever UARTEN says. The TRM
 * wants both; QEMU 7.2 ignores both, and a program booted with -kernel has
 * no firmware to set UARTEN (kvm-unit-tests never does), so UARTEN gates
 * neither side here (the transmit side ignores it too). RXE resets to 1 and
 * is kept: clearing it is a program's explicit request to stop receiving
 * (the TRM's behaviour; QEMU 7.2 would still receive). The host's input is
 * sampled only once the guest has accessed the UART (first_access): until
 * then nothing it does can tell whether a character came, and a program
 * that never uses the UART leaves stdin to semihosting's SYS_READ and
 * costs no sampling. */
static bool receiving(const struct pl011 *u)
{
    return (u->cr & CR_RXE) && u->accessed && (u->in_fd >= 0 || u->in_pos < u->in_len);
}

bool pl011_rx_waiting(const struct pl011 *u)
{
    return receiving(u) && u->in_fd >= 0 && u->in_pos == u->in_len;
}

bool pl011_rx_can_interrupt(const struct pl011 *u)
{
    return (u->imsc & (INT_RX | INT_RT)) != 0;
}

uint64_t pl011_bit_cycles(const struct pl011 *u)
{
    /* Baud rate divisor = UARTCLK / (16 x baud) = IBRD + FBRD / 64 ("Fractional baud rate divider"). */
    uint64_t div64 = (uint64_t)u->ibrd * 64 + u->fbrd;
    if (u->ibrd == 0)
        return u->clock_hz / DEFAULT_BAUD;
    return u->clock_hz * 16 * div64 / (64ULL * VIRT_UART_CLK_HZ);
}

/* One frame: a start bit, 5 to 8 data bits (LCR_H.WLEN), the parity bit
 * (PEN), one or two stop bits (STP2). */
static uint64_t char_cycles(const struct pl011 *u)
{
    unsigned bits = 1 + 5 + ((u->lcr_h >> 5) & 3) + ((u->lcr_h & LCR_H_PEN) != 0) + 1 + ((u->lcr_h & LCR_H_STP2) != 0);
    uint64_t c = bits * pl011_bit_cycles(u);
    return c ? c : 1;
}

static uint64_t now_of(const struct pl011 *u) { return u->clock ? *u->clock : 0; }

static unsigned fifo_depth(const struct pl011 *u) { return (u->lcr_h & LCR_H_FEN) ? PL011_FIFO_DEPTH : 1; }

/* UARTIFLS.RXIFLSEL: the receive FIFO becomes >= 1/8, 1/4, 1/2, 3/4 or 7/8
 * full; one character without the FIFO. Reserved values act as 1/2. */
static unsigned rx_trigger(const struct pl011 *u)
{
    static const unsigned level[8] = { 2, 4, 8, 12, 14, 8, 8, 8 };
    return (u->lcr_h & LCR_H_FEN) ? level[(u->ifls >> 3) & 7] : 1;
}

static void schedule_rx(struct pl011 *u, uint64_t when)
{
    if (u->q && u->rx_event.slot < 0 && receiving(u))
        timeq_schedule(u->q, &u->rx_event, when);
}

/* The receiver's first sample, one character time from now (reset, or RXE set). */
static void start_sampling(struct pl011 *u)
{
    schedule_rx(u, now_of(u) + char_cycles(u));
}

/* Reads what the host input holds now, never waiting. */
static void fill_from_host(struct pl011 *u)
{
    if (u->in_fd < 0 || u->in_pos < u->in_len)
        return;
    struct pollfd p = { .fd = u->in_fd, .events = POLLIN };
    if (poll(&p, 1, 0) != 1)
        return;
    ssize_t n = read(u->in_fd, u->in_buf, sizeof u->in_buf);
    if (n > 0) {
        u->in_pos = 0;
        u->in_len = (unsigned)n;
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        u->in_fd = -1;                   /* the input has ended: stop sampling */
    }
}

/* A character arrives from the line ("Receive FIFO" / "UARTRXINTR",
 * "UARTRTINTR"): into the FIFO; RXRIS once the FIFO holds the trigger level;
 * the receive timeout restarts. */
static void rx_push(struct pl011 *u, uint8_t c, uint64_t now)
{
    u->rx_fifo[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = c;
    u->rx_count++;
    u->rx_bytes++;
    if (u->rx_count >= rx_trigger(u))
        u->ris |= INT_RX;
    if (u->q)
        timeq_schedule(u->q, &u->timeout_event, now + 32 * pl011_bit_cycles(u));
    update_irq(u);
}

/* The receiver samples the line once per character time. */
static void rx_sample(void *opaque, uint64_t now)
{
    struct pl011 *u = opaque;
    if (!receiving(u))
        return;                          /* CR turned it off, or the input ended: sampling stops */
    fill_from_host(u);
    if (u->in_pos < u->in_len && u->rx_count < fifo_depth(u))
        rx_push(u, u->in_buf[u->in_pos++], now);
    schedule_rx(u, now + char_cycles(u));
}

/* "The receive timeout interrupt is asserted when the receive FIFO is not
 * empty, and no more data is received during a 32-bit period": 32 bit
 * periods at the programmed baud rate after the last character arrived. */
static void rx_timeout(void *opaque, uint64_t now)
{
    struct pl011 *u = opaque;
    (void)now;
    if (u->rx_count) {
        u->ris |= INT_RT;
        update_irq(u);
    }
}

void pl011_wait_input(struct pl011 *u, int timeout_ms)
{
    if (u->in_fd < 0 || u->in_pos < u->in_len)
        return;
    struct pollfd p = { .fd = u->in_fd, .events = POLLIN };
    while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR) {
    }
}

/* UARTDR read: the oldest character with its error bits. RXRIS clears once
 * the FIFO holds less than the trigger level, RTRIS once it is empty. */
static uint32_t rx_pop(struct pl011 *u)
{
    if (!u->rx_count)
        return 0;                       /* an empty FIFO: nothing valid to read */
    uint32_t v = u->rx_fifo[u->rx_head];
    u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
    u->rx_count--;
    u->rsr = (uint8_t)((v >> 8) & 0xf);  /* FE PE BE OE: host input has no line errors, and no
                                          * overrun (the host's data waits while the FIFO is full) */
    if (u->rx_count < rx_trigger(u))
        u->ris &= ~(uint32_t)INT_RX;
    if (!u->rx_count) {
        u->ris &= ~(uint32_t)INT_RT;
        if (u->q)
            timeq_cancel(u->q, &u->timeout_event);
    }
    update_irq(u);
    return v;
}

/* The guest's first access since reset: the receiver, enabled from reset,
 * starts sampling the host's input (receiving). */
static void first_access(struct pl011 *u)
{
    if (__builtin_expect(!u->accessed, 0)) {
        u->accessed = true;
        start_sampling(u);
    }
}

static uint64_t pl011_read(void *opaque, uint64_t off, unsigned size)
{
    struct pl011 *u = opaque;
    first_access(u);
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    if (off >= 0xfe0 && off < 0x1000)
        return id[(off - 0xfe0) / 4];
    switch (off) {
    case UARTDR: return rx_pop(u);
    case UARTRSR: return u->rsr;
    case UARTFR:
        return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count >= fifo_depth(u) ? FR_RXFF : 0);
    case UARTIBRD: return u->ibrd;
    case UARTFBRD: return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    case UARTIMSC: return u->imsc;
    case UARTRIS: return u->ris;
    case UARTMIS: return u->ris & u->imsc;
    case UARTDMACR: return u->dmacr;
    default: return 0;                 /* ILPR and reserved offsets read as zero */
    }
}

static void pl011_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct pl011 *u = opaque;
    first_access(u);
    switch (off) {
    case UARTDR:
        fputc((int)(v & 0xff), u->out);
        fflush(u->out);
        u->tx_bytes++;
        u->ris |= INT_TX;             /* the character left at once: room in the transmitter */
        update_irq(u);
        break;
    case UARTRSR: u->rsr = 0; break;   /* UARTECR: a write clears the errors */
    case UARTIBRD: u->ibrd = (uint32_t)v & 0xffff; break;
    case UARTFBRD: u->fbrd = (uint32_t)v & 0x3f; break;
    case UARTLCR_H:
        /* Switching the FIFOs on or off empties the receive FIFO (as QEMU). */
        if ((u->lcr_h ^ (uint32_t)v) & LCR_H_FEN) {
            u->rx_count = 0;
            u->ris &= ~(uint32_t)(INT_RX | INT_RT);
            update_irq(u);
        }
        u->lcr_h = (uint32_t)v & 0xff;
        break;
    case UARTCR:
        u->cr = (uint32_t)v & 0xffff;
        /* RXE clear stops the receiver's sampling at once; RXE set starts it a
         * character time later at the baud rate programmed now (if it was off). */
        if (!(u->cr & CR_RXE) && u->q)
            timeq_cancel(u->q, &u->rx_event);
        start_sampling(u);
        break;
    case UARTIFLS: u->ifls = (uint32_t)v & 0x3f; break;
    case UARTIMSC: u->imsc = (uint32_t)v & 0x7ff; update_irq(u); break;
    case UARTICR: u->ris &= ~(uint32_t)v; update_irq(u); break;
    case UARTDMACR: u->dmacr = (uint32_t)v & 7; break;
    default: break;                    /* read-only and reserved offsets ignore writes */
    }
}

const struct mmio_ops pl011_ops = { .read = pl011_read, .write = pl011_write };
