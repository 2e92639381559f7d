/* ARM PL011 UART (PrimeCell UART (PL011) Technical Reference Manual, Arm DDI
 * 0183): the registers a driver needs and the combined interrupt (UARTINTR =
 * RIS & IMSC) on a GIC line. TX goes to the host's stdout at once. RX: the
 * receive FIFO (16 characters with LCR_H.FEN, else a one-character holding
 * register), the RX interrupt at the UARTIFLS trigger level, the receive
 * timeout interrupt, FR.RXFE/RXFF, UARTRSR/ECR. Input comes from a host file
 * descriptor (stdin), read without blocking at points in simulated time: while
 * the receiver is enabled (RXE, set from reset; UARTEN is ignored, as on
 * QEMU 7.2 and as on the transmit side), the guest has accessed the UART
 * and the input is open, an event
 * samples the line once per character time at the programmed baud rate and
 * moves one character into the FIFO when the host has one and the FIFO has
 * room (so input from a file arrives at the same simulated times run after
 * run, and none is lost to an overrun). */
#ifndef AVSIM_SIM_PL011_H
#define AVSIM_SIM_PL011_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "gic/gic.h"
#include "sim/timeq.h"

#define PL011_FIFO_DEPTH 16

struct pl011 {
    FILE *out;
    int in_fd;                /* -1: no input, or it has ended */
    uint8_t in_buf[256];      /* read from the host, not yet on the line */
    unsigned in_pos, in_len;
    uint32_t cr, lcr_h, ibrd, fbrd, imsc, ifls, ris, dmacr;
    uint16_t rx_fifo[PL011_FIFO_DEPTH];   /* data [7:0], FE PE BE OE [11:8] */
    unsigned rx_head, rx_count;
    bool accessed;            /* the guest has read or written a register since reset */
    uint8_t rsr;              /* UARTRSR: FE PE BE OE of the last character read */
    uint64_t tx_bytes, rx_bytes;
    struct gic_line irq;
    /* Simulated time (pl011_attach_time): the queue of the events below, the
     * clock they are due in, and that clock's frequency. */
    struct timeq *q;
    const uint64_t *clock;
    uint64_t clock_hz;
    struct timeq_event rx_event;       /* the receiver samples the line */
    struct timeq_event timeout_event;  /* 32 bit periods after the last character */
};

/* in_fd: the host input (-1: none). */
void pl011_init(struct pl011 *u, FILE *out, int in_fd);
void pl011_attach_time(struct pl011 *u, struct timeq *q, const uint64_t *clock, uint64_t clock_hz);
/* The registers' reset values (a system reset); host input already read stays. */
void pl011_reset(struct pl011 *u);
extern const struct mmio_ops pl011_ops;

/* The receiver waits for host input: it is enabled, the input is open and
 * nothing read from it is waiting. */
bool pl011_rx_waiting(const struct pl011 *u);
/* A received character can raise the UART's interrupt: UARTIMSC unmasks RXIM
 * or RTIM. */
bool pl011_rx_can_interrupt(const struct pl011 *u);
/* Blocks until the host input has data or has ended (timeout_ms < 0: no
 * limit). For the run loop when nothing else can happen. */
void pl011_wait_input(struct pl011 *u, int timeout_ms);
/* Cycles per bit at the programmed baud rate (UARTCLK / (16 x divisor);
 * 115200 baud while IBRD is 0, an invalid divisor). */
uint64_t pl011_bit_cycles(const struct pl011 *u);

#endif
