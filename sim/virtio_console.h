/* virtio-console (virtio 1.1, 5.3 "Console Device") with one port and no
 * VIRTIO_CONSOLE_F_MULTIPORT: queue 0 is port 0's receiveq, queue 1 its
 * transmitq. Linux binds it to hvc0. What the guest transmits is written to
 * the FILE handed at creation, at once (flushed after each buffer).
 *
 * Input comes from a host file descriptor (-1: none; the machine gives it
 * stdin with `--virtio-console=stdin`, and the PL011 then has none), read
 * without blocking at points in simulated time, as the PL011 does: while the
 * driver has receive buffers posted and the input is open, an event samples
 * the host every HVC_SAMPLE_US microseconds of simulated time and fills the
 * posted buffers with what is there (so input from a file arrives at the same
 * simulated times run after run). Without input the receive buffers stay
 * posted. No feature bit is offered: VIRTIO_CONSOLE_F_SIZE (there is no
 * terminal size to report), VIRTIO_CONSOLE_F_MULTIPORT and
 * VIRTIO_CONSOLE_F_EMERG_WRITE are not modelled. */
#ifndef AVSIM_SIM_VIRTIO_CONSOLE_H
#define AVSIM_SIM_VIRTIO_CONSOLE_H
#include <stdbool.h>
#include <stdio.h>
#include "sim/timeq.h"
#include "sim/virtio_mmio.h"

#define VIRTIO_ID_CONSOLE 3
#define HVC_SAMPLE_US 100         /* how often posted receive buffers look for host input */

/* out NULL: the output is counted and dropped. in_fd -1: no input. NULL: out of memory. */
struct virtio_dev *virtio_console_create(FILE *out, int in_fd);
/* Simulated time for the input's sampling: the queue its event goes in, the
 * clock it is due in, and that clock's frequency. Without it, input is only
 * looked for when the driver posts receive buffers. */
void virtio_console_attach_time(struct virtio_dev *d, struct timeq *q, const uint64_t *clock, uint64_t clock_hz);
/* The receiver waits for host input: buffers are posted, the input is open
 * and nothing read from it is waiting. */
bool virtio_console_rx_waiting(const struct virtio_dev *d);
/* Blocks until the host input has data or has ended (timeout_ms < 0: no
 * limit). For the run loop when nothing else can happen. */
void virtio_console_wait_input(const struct virtio_dev *d, int timeout_ms);
/* The sampling event (for the run loop's "is anything else due" question). */
const struct timeq_event *virtio_console_rx_event(const struct virtio_dev *d);

#endif
