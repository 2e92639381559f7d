/* Register offsets and identification values from the PL011 Technical
 * Reference Manual. */
#include "sim/pl011.h"
#include "sim/machine.h"
#include <poll.h>
#include <unistd.h>

enum { UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020, UARTIBRD = 0x024,
       UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038,
       UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044, UARTDMACR = 0x048 };
enum { FR_RXFE = 1 << 4, FR_TXFE = 1 << 7 };
enum { INT_RX = 1 << 4, INT_TX = 1 << 5 };

static void update_irq(struct pl011 *u)
{
    gic_line_set(&u->irq, (u->ris & u->imsc) != 0);
}

void pl011_init(struct pl011 *u, FILE *out, int in_fd)
{
    *u = (struct pl011){ .out = out, .in_fd = in_fd, .cr = 0x300, .ifls = 0x12 };
}

static int rx_ready(struct pl011 *u)
{
    if (u->in_fd < 0)
        return 0;
    struct pollfd p = { .fd = u->in_fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static uint64_t pl011_read(void *opaque, uint64_t off, unsigned size)
{
    struct pl011 *u = opaque;
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    if (off >= 0xfe0 && off < 0x1000)
        return id[(off - 0xfe0) / 4];
    switch (off) {
    case UARTDR: {
        unsigned char c = 0;
        if (rx_ready(u) && read(u->in_fd, &c, 1) != 1)
            u->in_fd = -1;          /* end of input */
        return c;
    }
    case UARTFR: return FR_TXFE | (rx_ready(u) ? 0 : FR_RXFE);
    case UARTIBRD: return u->ibrd;
    case UARTFBRD: return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    case UARTIMSC: return u->imsc;
    case UARTRIS: return u->ris;
    case UARTMIS: return u->ris & u->imsc;
    case UARTDMACR: return u->dmacr;
    default: return 0;                 /* RSR, ILPR and reserved offsets read as zero */
    }
}

static void pl011_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct pl011 *u = opaque;
    switch (off) {
    case UARTDR:
        fputc((int)(v & 0xff), u->out);
        fflush(u->out);
        u->tx_bytes++;
        u->ris |= INT_TX;             /* the character left at once: room in the transmitter */
        update_irq(u);
        break;
    case UARTIBRD: u->ibrd = (uint32_t)v & 0xffff; break;
    case UARTFBRD: u->fbrd = (uint32_t)v & 0x3f; break;
    case UARTLCR_H: u->lcr_h = (uint32_t)v & 0xff; break;
    case UARTCR: u->cr = (uint32_t)v & 0xffff; break;
    case UARTIFLS: u->ifls = (uint32_t)v & 0x3f; break;
    case UARTIMSC: u->imsc = (uint32_t)v & 0x7ff; update_irq(u); break;
    case UARTICR: u->ris &= ~(uint32_t)v; update_irq(u); break;
    case UARTDMACR: u->dmacr = (uint32_t)v & 7; break;
    default: break;                    /* read-only and reserved offsets ignore writes */
    }
}

const struct mmio_ops pl011_ops = { .read = pl011_read, .write = pl011_write };
