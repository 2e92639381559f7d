/* Unit tests for sim/pl011's receive side (PL011 TRM, Arm DDI 0183): the FIFO
 * and its trigger level, the receive timeout, FR, RSR/ECR, and input read from
 * a host descriptor (a pipe here) at points in simulated time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/machine.h"
#include "sim/pl011.h"

enum { DR = 0x000, RSR = 0x004, FR = 0x018, IBRD = 0x024, FBRD = 0x028, LCR_H = 0x02c, CR = 0x030,
       IFLS = 0x034, IMSC = 0x038, RIS = 0x03c, MIS = 0x040, ICR = 0x044 };
enum { RXFE = 1 << 4, RXFF = 1 << 6, RXI = 1 << 4, RTI = 1 << 6 };
#define CLOCK_HZ 1000000000ULL

struct fixture {
    struct pl011 u;
    struct timeq q;
    uint64_t clock;
    int pipe[2];
    FILE *out;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    if (pipe(f.pipe) != 0)
        return -1;
    f.out = fopen("/dev/null", "w");
    timeq_init(&f.q);
    pl011_init(&f.u, f.out, f.pipe[0]);
    pl011_attach_time(&f.u, &f.q, &f.clock, CLOCK_HZ);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    close(f->pipe[0]);
    if (f->pipe[1] >= 0)
        close(f->pipe[1]);
    fclose(f->out);
    return 0;
}

static uint32_t rd(struct fixture *f, uint64_t off) { return (uint32_t)pl011_ops.read(&f->u, off, 4); }
static void wr(struct fixture *f, uint64_t off, uint32_t v) { pl011_ops.write(&f->u, off, v, 4); }

/* Simulated time moves on by `cycles`, the events due on the way firing in order. */
static void advance(struct fixture *f, uint64_t cycles)
{
    uint64_t end = f->clock + cycles;
    while (timeq_next(&f->q) <= end) {
        f->clock = timeq_next(&f->q);
        timeq_run_due(&f->q, f->clock);
    }
    f->clock = end;
}

static void feed(struct fixture *f, const char *s) { assert_int_equal(write(f->pipe[1], s, strlen(s)), (ssize_t)strlen(s)); }

/* 115200 baud from UARTCLK = 24 MHz: divisor 13.0208 = IBRD 13, FBRD 1; 8N1 with the FIFOs on.
 * As a driver does: the UART off while it is programmed (the receiver stops), then on. */
static void enable(struct fixture *f, uint32_t lcr_h)
{
    wr(f, CR, 0);
    wr(f, IBRD, 13);
    wr(f, FBRD, 1);
    wr(f, LCR_H, lcr_h);
    wr(f, CR, 0x301);
}

static void test_bit_time(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(pl011_bit_cycles(&f->u), CLOCK_HZ / 115200);     /* IBRD 0: the default */
    wr(f, IBRD, 13);
    wr(f, FBRD, 1);
    /* 16 x 13.015625 / 24 MHz = 8.677 us */
    assert_int_equal(pl011_bit_cycles(&f->u), 8677);
}

/* A program booted with -kernel never sets UARTEN: the receiver is enabled
 * from reset (RXE resets to 1), as on QEMU 7.2, at the default 115200 baud;
 * avsim samples the host's input from the guest's first access to the UART. */
static void test_receives_from_first_access(void **state)
{
    struct fixture *f = *state;
    feed(f, "abc");
    advance(f, 1000000);
    assert_int_equal(timeq_next(&f->q), TIMEQ_NEVER);        /* no access yet: stdin untouched */
    assert_false(pl011_rx_waiting(&f->u));
    uint64_t t0 = f->clock;
    assert_int_equal(rd(f, CR), 0x300);              /* the first access; UARTEN clear */
    uint64_t ch = 7 * pl011_bit_cycles(&f->u);       /* LCR_H resets to 5 data bits: 7-bit frames */
    assert_int_equal(timeq_next(&f->q), t0 + ch);
    advance(f, ch - 1);
    assert_int_equal(rd(f, FR) & RXFE, RXFE);
    advance(f, 1);                                    /* one character time after the access */
    assert_int_equal(rd(f, FR) & (RXFE | RXFF), RXFF); /* no FIFO: the holding register */
    assert_int_equal(rd(f, DR), 'a');
    advance(f, 2 * ch);
    assert_int_equal(rd(f, DR), 'b');
    assert_int_equal(rd(f, DR) & 0xff, 0);            /* 'c' not yet: only one character waited */
    advance(f, ch);
    assert_int_equal(rd(f, DR), 'c');
    wr(f, CR, 0x200);                                 /* RXE alone, UARTEN and TXE clear */
    feed(f, "d");
    advance(f, 2 * ch);
    assert_int_equal(rd(f, DR), 'd');
}

/* RXE clear: nothing is sampled, the input waits in the host. */
static void test_nothing_while_rxe_clear(void **state)
{
    struct fixture *f = *state;
    wr(f, CR, 0x101);                                 /* UARTEN and TXE, RXE clear */
    assert_int_equal(timeq_next(&f->q), TIMEQ_NEVER);        /* the receiver does not sample */
    feed(f, "abc");
    advance(f, 10000000);
    assert_int_equal(rd(f, FR) & RXFE, RXFE);
    assert_int_equal(timeq_next(&f->q), TIMEQ_NEVER);
    assert_false(pl011_rx_waiting(&f->u));
}

static void test_fifo_trigger_and_timeout(void **state)
{
    struct fixture *f = *state;
    enable(f, 0x70);                                  /* WLEN 8, FEN */
    wr(f, IFLS, 0x08);                                /* RX at 1/4 full: 4 characters */
    wr(f, IMSC, RXI | RTI);
    feed(f, "012345");
    uint64_t ch = 10 * pl011_bit_cycles(&f->u);
    advance(f, 3 * ch);                               /* three characters in */
    assert_int_equal(rd(f, FR) & RXFE, 0);
    assert_int_equal(rd(f, RIS) & (RXI | RTI), 0);
    advance(f, ch);                                   /* the fourth: the trigger level */
    assert_int_equal(rd(f, RIS) & RXI, RXI);
    assert_int_equal(rd(f, MIS) & RXI, RXI);
    assert_int_equal(rd(f, DR), '0');                 /* below the level: RXRIS clears */
    assert_int_equal(rd(f, RIS) & RXI, 0);
    assert_int_equal(rd(f, DR), '1');
    assert_int_equal(rd(f, DR), '2');
    assert_int_equal(rd(f, DR), '3');
    assert_int_equal(rd(f, FR) & RXFE, RXFE);
    /* Two more, fewer than the trigger level: the timeout, 32 bit periods after the last. */
    advance(f, 2 * ch);
    assert_int_equal(rd(f, RIS) & (RXI | RTI), 0);
    advance(f, 32 * pl011_bit_cycles(&f->u) - 1);
    assert_int_equal(rd(f, RIS) & RTI, 0);
    advance(f, 1);
    assert_int_equal(rd(f, RIS) & RTI, RTI);
    wr(f, ICR, RTI);                                  /* cleared by UARTICR */
    assert_int_equal(rd(f, RIS) & RTI, 0);
    assert_int_equal(rd(f, DR), '4');
    assert_int_equal(rd(f, DR), '5');
    assert_int_equal(rd(f, RSR), 0);
    assert_true(pl011_rx_waiting(&f->u));
}

static void test_full_fifo_holds_input(void **state)
{
    struct fixture *f = *state;
    enable(f, 0x70);
    feed(f, "ABCDEFGHIJKLMNOPQRST");                 /* 20 characters */
    advance(f, 40 * 10 * pl011_bit_cycles(&f->u));
    assert_int_equal(rd(f, FR) & RXFF, RXFF);       /* 16 in the FIFO, 4 wait in the host */
    for (int i = 0; i < 16; i++)
        assert_int_equal(rd(f, DR), 'A' + i);
    assert_int_equal(rd(f, FR) & (RXFE | RXFF), RXFE);
    advance(f, 4 * 10 * pl011_bit_cycles(&f->u));
    for (int i = 16; i < 20; i++)                    /* nothing lost to an overrun */
        assert_int_equal(rd(f, DR), 'A' + i);
}

static void test_holding_register(void **state)
{
    struct fixture *f = *state;
    enable(f, 0x60);                                  /* no FIFO: one character */
    wr(f, IMSC, RXI);
    feed(f, "xy");
    advance(f, 5 * 10 * pl011_bit_cycles(&f->u));
    assert_int_equal(rd(f, FR) & (RXFE | RXFF), RXFF);
    assert_int_equal(rd(f, RIS) & RXI, RXI);          /* one character is the trigger */
    assert_int_equal(rd(f, DR), 'x');
    assert_int_equal(rd(f, RIS) & RXI, 0);
    advance(f, 10 * pl011_bit_cycles(&f->u));
    assert_int_equal(rd(f, DR), 'y');
}

static void test_end_of_input(void **state)
{
    struct fixture *f = *state;
    enable(f, 0x70);
    feed(f, "z");
    close(f->pipe[1]);
    f->pipe[1] = -1;
    advance(f, 10 * 10 * pl011_bit_cycles(&f->u));
    assert_int_equal(rd(f, DR), 'z');
    assert_false(pl011_rx_waiting(&f->u));            /* the input ended: no more sampling */
    assert_int_equal(timeq_next_except(&f->q, &f->u.timeout_event), TIMEQ_NEVER);
    assert_int_equal(f->u.in_fd, -1);
}

static void test_disable_stops_sampling(void **state)
{
    struct fixture *f = *state;
    enable(f, 0x70);
    advance(f, 1000000);
    assert_true(pl011_rx_waiting(&f->u));
    wr(f, CR, 0x101);                                 /* RXE off */
    assert_int_equal(timeq_next(&f->q), TIMEQ_NEVER);        /* at once */
    assert_false(pl011_rx_waiting(&f->u));
    feed(f, "q");
    advance(f, 1000000);
    assert_int_equal(rd(f, FR) & RXFE, RXFE);
    wr(f, CR, 0x200);                                 /* RXE on, UARTEN still off */
    advance(f, 10 * pl011_bit_cycles(&f->u) - 1);
    assert_int_equal(rd(f, FR) & RXFE, RXFE);
    advance(f, 1);                                    /* a character time after RXE */
    assert_int_equal(rd(f, DR), 'q');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bit_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receives_from_first_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_while_rxe_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_trigger_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_fifo_holds_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holding_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_of_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_stops_sampling, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
