/* ARM PL011 UART: the registers a driver needs and the combined interrupt
 * (UARTINTR = RIS & IMSC) on a GIC line. TX goes to the host's stdout, RX comes
 * from stdin when data waits. */
#ifndef AVSIM_SIM_PL011_H
#define AVSIM_SIM_PL011_H
#include <stdint.h>
#include <stdio.h>
#include "gic/gic.h"

struct pl011 {
    FILE *out;
    int in_fd;            /* -1: no input */
    uint32_t cr, lcr_h, ibrd, fbrd, imsc, ifls, ris, dmacr;
    uint64_t tx_bytes;
    struct gic_line irq;
};

void pl011_init(struct pl011 *u, FILE *out, int in_fd);
extern const struct mmio_ops pl011_ops;

#endif
