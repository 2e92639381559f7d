/* virtio-console (virtio 1.1, 5.3 "Console Device") with one port and no
 * VIRTIO_CONSOLE_F_MULTIPORT: queue 0 is port 0's receiveq, queue 1 its
 * transmitq. Linux binds it to hvc0. What the guest transmits is written to
 * the FILE handed at creation, at once (flushed after each buffer).
 *
 * Input is NOT modelled: the PL011 owns the host's stdin. The receive buffers
 * the driver posts stay posted, never used (the guest sees a console on
 * which nobody types). No feature bit is offered: VIRTIO_CONSOLE_F_SIZE
 * (there is no terminal size to report), VIRTIO_CONSOLE_F_MULTIPORT and
 * VIRTIO_CONSOLE_F_EMERG_WRITE are not modelled. */
#ifndef AVSIM_SIM_VIRTIO_CONSOLE_H
#define AVSIM_SIM_VIRTIO_CONSOLE_H
#include <stdio.h>
#include "sim/virtio_mmio.h"

#define VIRTIO_ID_CONSOLE 3

/* out NULL: the output is counted and dropped. NULL: out of memory. */
struct virtio_dev *virtio_console_create(FILE *out);

#endif
