/* virtio-console (virtio 1.1, 5.3 "Console Device"): port 0 only, output
 * only (sim/virtio_console.h). */
#include "sim/virtio_console.h"
#include <stdlib.h>

enum { RECEIVEQ = 0, TRANSMITQ = 1 };
enum { CFG_LEN = 12 };        /* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports, emerg_wr */

struct virtio_console {
    struct virtio_dev dev;
    FILE *out;
    uint8_t config[CFG_LEN];  /* all 0: no feature makes a field valid */
};

/* The transmitq (5.3.6.1 "Driver Requirements: Device Operation": output
 * goes in the device-readable buffers): the bytes go to out; the device
 * writes nothing back (used length 0). A host write error counts as an
 * error; the guest is not told (a console has no status to give). */
static int64_t console_process(struct virtio_dev *d, unsigned q, const struct virtio_chain *c)
{
    struct virtio_console *con = (struct virtio_console *)d;
    uint8_t buf[512];
    if (q != TRANSMITQ)
        return 0;                 /* not reached: the receiveq is held (ops.held_queues) */
    for (uint64_t off = 0; off < c->readable;) {
        size_t n = c->readable - off < sizeof buf ? (size_t)(c->readable - off) : sizeof buf;
        if (virtio_chain_read(c, off, buf, n))
            return VIRTIO_DEV_BROKEN;
        if (con->out && fwrite(buf, 1, n, con->out) != n)
            d->stats.errors++;
        off += n;
        d->stats.bytes_written += n;
    }
    if (con->out)
        fflush(con->out);
    return 0;
}

static void console_destroy(struct virtio_dev *d)
{
    struct virtio_console *con = (struct virtio_console *)d;
    if (con->out)
        fflush(con->out);
    free(con);
}

static const struct virtio_dev_ops console_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    /* Input is not modelled: the receiveq's buffers stay posted, never used. */
    .held_queues = 1u << RECEIVEQ,
    .process = console_process,
    .destroy = console_destroy,
};

struct virtio_dev *virtio_console_create(FILE *out)
{
    struct virtio_console *con = calloc(1, sizeof *con);
    if (!con)
        return NULL;
    con->out = out;
    con->dev = (struct virtio_dev){ .ops = &console_ops, .config = con->config, .config_len = CFG_LEN };
    return &con->dev;
}
