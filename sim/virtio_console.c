/* virtio-console (virtio 1.1, 5.3 "Console Device"): port 0 only
 * (sim/virtio_console.h). */
#include "sim/virtio_console.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

enum { RECEIVEQ = 0, TRANSMITQ = 1 };
enum { CFG_LEN = 12 };        /* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports, emerg_wr */

struct virtio_console {
    struct virtio_dev dev;
    FILE *out;
    uint8_t config[CFG_LEN];  /* all 0: no feature makes a field valid */
    int in_fd;                /* -1: no input, or it has ended */
    uint8_t in_buf[256];      /* read from the host, not yet given to the guest */
    unsigned in_pos, in_len;
    bool rx_posted;           /* the driver has a receive buffer the device could not fill yet */
    bool sampling;            /* in the sampling event: input may be delivered */
    struct timeq *q;
    const uint64_t *clock;
    uint64_t clock_hz;
    struct timeq_event rx_event;
};

/* What the host has typed, without blocking; the input's end stops sampling. */
static void fill_from_host(struct virtio_console *con)
{
    if (con->in_fd < 0 || con->in_pos < con->in_len)
        return;
    struct pollfd p = { .fd = con->in_fd, .events = POLLIN };
    if (poll(&p, 1, 0) != 1)
        return;
    ssize_t n = read(con->in_fd, con->in_buf, sizeof con->in_buf);
    if (n > 0) {
        con->in_pos = 0;
        con->in_len = (unsigned)n;
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        con->in_fd = -1;
    }
}

static void schedule_rx(struct virtio_console *con)
{
    if (con->q && con->rx_event.slot < 0 && con->in_fd >= 0)
        timeq_schedule(con->q, &con->rx_event, *con->clock + con->clock_hz / 1000000 * HVC_SAMPLE_US);
}

/* The receiveq (5.3.6 "Device Operation": input goes in the device-writable
 * buffers the driver posts): as much of the waiting input as the buffer takes;
 * with none, the buffer stays posted until the sampling event finds some. */
static int64_t console_receive(struct virtio_console *con, const struct virtio_chain *c)
{
    /* Input arrives at the sampling points only, never inside the driver's
     * notification: a driver posts its buffers before it is ready for what
     * fills them (Linux's virtio_console discards data that arrives before
     * the port is set up), as a real line would not deliver within the write. */
    if (!con->sampling) {
        con->rx_posted = true;
        schedule_rx(con);
        return VIRTIO_DEV_LATER;
    }
    fill_from_host(con);
    if (con->in_pos == con->in_len) {
        con->rx_posted = true;
        schedule_rx(con);
        return VIRTIO_DEV_LATER;
    }
    uint64_t n = con->in_len - con->in_pos;
    if (n > c->writable)
        n = c->writable;
    if (n == 0)
        return 0;                 /* a receive buffer with no room: returned empty */
    if (virtio_chain_write(c, 0, con->in_buf + con->in_pos, (size_t)n))
        return VIRTIO_DEV_BROKEN;
    con->in_pos += (unsigned)n;
    con->dev.stats.bytes_read += n;
    return (int64_t)n;
}

/* The transmitq (5.3.6.1 "Driver Requirements: Device Operation": output
 * goes in the device-readable buffers): the bytes go to out; the device
 * writes nothing back (used length 0). A host write error counts as an
 * error; the guest is not told (a console has no status to give). */
static int64_t console_transmit(struct virtio_console *con, const struct virtio_chain *c)
{
    uint8_t buf[512];
    for (uint64_t off = 0; off < c->readable;) {
        size_t n = c->readable - off < sizeof buf ? (size_t)(c->readable - off) : sizeof buf;
        if (virtio_chain_read(c, off, buf, n))
            return VIRTIO_DEV_BROKEN;
        if (con->out && fwrite(buf, 1, n, con->out) != n)
            con->dev.stats.errors++;
        off += n;
        con->dev.stats.bytes_written += n;
    }
    if (con->out && fflush(con->out) != 0)
        con->dev.stats.errors++;        /* the stream's error flag stays set: avsim's exit reports it */
    return 0;
}

static int64_t console_process(struct virtio_dev *d, unsigned q, const struct virtio_chain *c)
{
    struct virtio_console *con = (struct virtio_console *)d;
    return q == RECEIVEQ ? console_receive(con, c) : console_transmit(con, c);
}

/* The sampling event: input that arrived fills the posted buffers (the
 * transport takes them as on a notification); sampling goes on while a
 * buffer waits and the input is open. A device that was reset, or whose
 * receiveq is gone, stops it until the driver posts again. */
static void rx_sample(void *opaque, uint64_t now)
{
    struct virtio_console *con = opaque;
    (void)now;
    if (!virtio_dev_queue_ready(&con->dev, RECEIVEQ)) {
        con->rx_posted = false;
        return;
    }
    fill_from_host(con);
    if (con->in_pos < con->in_len) {
        con->rx_posted = false;   /* set again if a buffer is left waiting */
        con->sampling = true;
        virtio_dev_kick(&con->dev, RECEIVEQ);
        con->sampling = false;
    }
    if (con->rx_posted)
        schedule_rx(con);
}

static void console_destroy(struct virtio_dev *d)
{
    struct virtio_console *con = (struct virtio_console *)d;
    if (con->q)
        timeq_cancel(con->q, &con->rx_event);
    if (con->out)
        fflush(con->out);
    free(con);
}

static const struct virtio_dev_ops console_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    .process = console_process,
    .destroy = console_destroy,
};

/* Without input the receiveq's buffers are held: never looked at. */
static const struct virtio_dev_ops console_ops_no_input = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    .held_queues = 1u << RECEIVEQ,
    .process = console_process,
    .destroy = console_destroy,
};

struct virtio_dev *virtio_console_create(FILE *out, int in_fd)
{
    struct virtio_console *con = calloc(1, sizeof *con);
    if (!con)
        return NULL;
    con->out = out;
    con->in_fd = in_fd;
    timeq_event_init(&con->rx_event, rx_sample, con);
    con->dev = (struct virtio_dev){ .ops = in_fd >= 0 ? &console_ops : &console_ops_no_input,
                                    .config = con->config, .config_len = CFG_LEN };
    return &con->dev;
}

void virtio_console_attach_time(struct virtio_dev *d, struct timeq *q, const uint64_t *clock, uint64_t clock_hz)
{
    struct virtio_console *con = (struct virtio_console *)d;
    con->q = q;
    con->clock = clock;
    con->clock_hz = clock_hz;
}

bool virtio_console_rx_waiting(const struct virtio_dev *d)
{
    const struct virtio_console *con = (const struct virtio_console *)d;
    return con->rx_posted && con->in_fd >= 0 && con->in_pos == con->in_len;
}

void virtio_console_wait_input(const struct virtio_dev *d, int timeout_ms)
{
    const struct virtio_console *con = (const struct virtio_console *)d;
    if (con->in_fd < 0 || con->in_pos < con->in_len)
        return;
    struct pollfd p = { .fd = con->in_fd, .events = POLLIN };
    while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR) {
    }
}

const struct timeq_event *virtio_console_rx_event(const struct virtio_dev *d)
{
    return &((const struct virtio_console *)d)->rx_event;
}
