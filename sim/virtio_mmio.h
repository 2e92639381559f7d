/* virtio over MMIO (Virtual I/O Device (VIRTIO) Version 1.1, section 4.2
 * "Virtio Over MMIO"): the version-2 register layout of 4.2.2 ("MMIO Device
 * Register Layout"; no legacy interface), device status and feature
 * negotiation (2.1, 2.2, 3.1), split virtqueues (2.6) with descriptor chains,
 * indirect descriptors (VIRTIO_F_RING_INDIRECT_DESC) and
 * VIRTQ_AVAIL_F_NO_INTERRUPT. A transport is 0x200 bytes, as on QEMU's virt
 * board (32 of them at 0x0a000000 + 0x200 * i).
 *
 * The transport is handed a device model (struct virtio_dev, a table of
 * operations) and a DMA port (sim/dma.h): every ring and buffer access goes
 * through dma_read/dma_write, an IOVA under the SMMU. Requests are processed
 * synchronously when the driver writes QueueNotify. A DMA fault or a malformed
 * descriptor chain puts the device in DEVICE_NEEDS_RESET and, once DRIVER_OK
 * is set, raises the configuration change interrupt (2.1.2); it never stops
 * the simulator. The interrupt line's level is InterruptStatus != 0.
 *
 * Not modelled: VIRTIO_F_RING_EVENT_IDX (not offered; notification
 * suppression is the avail ring's flags), packed virtqueues, shared memory
 * regions (1.2), VIRTIO_F_NOTIFICATION_DATA. */
#ifndef AVSIM_SIM_VIRTIO_MMIO_H
#define AVSIM_SIM_VIRTIO_MMIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/dma.h"
#include "sim/irq_line.h"

#define VIRTIO_MMIO_SIZE       0x200
#define VIRTIO_MMIO_MAGIC      0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION    2u
/* avsim's own VendorID: the bytes "AVSM" read as a little-endian word (QEMU's
 * is "QEMU", 0x554d4551; the spec leaves the value to the implementer). */
#define VIRTIO_MMIO_VENDOR_ID  0x4d535641u
#define VIRTIO_QUEUE_NUM_MAX   256u          /* QueueNumMax of every queue */
#define VIRTIO_MAX_QUEUES      8u

/* Registers (4.2.2, "MMIO Device Register Layout"). */
enum virtio_mmio_reg {
    VIRTIO_MMIO_MAGIC_VALUE = 0x000, VIRTIO_MMIO_VERSION_REG = 0x004, VIRTIO_MMIO_DEVICE_ID = 0x008,
    VIRTIO_MMIO_VENDOR_ID_REG = 0x00c, VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
    VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014, VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
    VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024, VIRTIO_MMIO_QUEUE_SEL = 0x030,
    VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034, VIRTIO_MMIO_QUEUE_NUM = 0x038, VIRTIO_MMIO_QUEUE_READY = 0x044,
    VIRTIO_MMIO_QUEUE_NOTIFY = 0x050, VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
    VIRTIO_MMIO_INTERRUPT_ACK = 0x064, VIRTIO_MMIO_STATUS = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080, VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090, VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0, VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc, VIRTIO_MMIO_CONFIG = 0x100,
};

/* Device status field (2.1). */
enum {
    VIRTIO_STATUS_ACKNOWLEDGE = 1, VIRTIO_STATUS_DRIVER = 2, VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8, VIRTIO_STATUS_DEVICE_NEEDS_RESET = 64, VIRTIO_STATUS_FAILED = 128,
};
/* InterruptStatus / InterruptACK bits (4.2.2). */
enum { VIRTIO_MMIO_INT_VRING = 1, VIRTIO_MMIO_INT_CONFIG = 2 };

/* Reserved feature bits (6, "Reserved Feature Bits"). */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32
#define VIRTIO_F_ACCESS_PLATFORM    33
#define VIRTIO_BIT(n) (1ULL << (n))

/* Split virtqueue layout (2.6). */
enum { VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2, VIRTQ_DESC_F_INDIRECT = 4 };
enum { VIRTQ_AVAIL_F_NO_INTERRUPT = 1 };
#define VIRTQ_DESC_SIZE 16u

/* What a device did, for --stats. "read" and "written" are the guest's view:
 * bytes_read moved from the device to the guest (a disk read, random bytes),
 * bytes_written from the guest to the device (a disk write, console output). */
struct virtio_stats {
    uint64_t requests;        /* descriptor chains the device consumed */
    uint64_t bytes_read, bytes_written;
    uint64_t errors;          /* requests completed with an error status (virtio-blk IOERR, UNSUPP; a host write error) */
    uint64_t needs_reset;     /* times the device entered DEVICE_NEEDS_RESET (a DMA fault, a malformed chain or queue) */
};

struct virtio_dev;
struct virtio_mmio;

/* ---- The machine's interface ---- */

/* dev NULL: an empty transport (DeviceID 0, which a driver ignores). The
 * transport owns dev from here on. */
struct virtio_mmio *virtio_mmio_create(struct virtio_dev *dev, struct dma_port dma, struct irq_line irq);
/* A register access at off (0 <= off < VIRTIO_MMIO_SIZE). */
uint64_t virtio_mmio_read(struct virtio_mmio *t, uint64_t off, unsigned size);
void virtio_mmio_write(struct virtio_mmio *t, uint64_t off, uint64_t value, unsigned size);
/* A system reset: the device reset of 2.1 (status 0, queues not ready, the
 * interrupt low). */
void virtio_mmio_reset(struct virtio_mmio *t);
/* Also destroys its device (virtio-blk: fsyncs and closes its image). */
void virtio_mmio_destroy(struct virtio_mmio *t);

/* Makes what the device has written durable (virtio-blk: fsync of the image)
 * so that an orderly exit can report a failure: 0, or -1 with a message in err. */
int virtio_mmio_sync(struct virtio_mmio *t, char *err, size_t errlen);
/* The device behind a transport: its name ("virtio-blk", ...), DeviceID and
 * statistics; NULL, 0 and NULL for an empty transport. */
const char *virtio_mmio_device_name(const struct virtio_mmio *t);
uint32_t virtio_mmio_device_id(const struct virtio_mmio *t);
const struct virtio_stats *virtio_mmio_stats(const struct virtio_mmio *t);
/* The Status register (for tests and diagnostics). */
uint32_t virtio_mmio_status(const struct virtio_mmio *t);

/* ---- The device models' interface ---- */

/* One buffer of a descriptor chain. */
struct virtio_seg {
    uint64_t addr;
    uint32_t len;
    bool write;               /* device-writable */
};

/* A descriptor chain popped from a queue (2.6.5): its device-readable
 * buffers, then its device-writable ones, with indirect tables flattened. */
struct virtio_chain {
    const struct dma_port *dma;
    uint16_t head;            /* the head's index, returned in the used ring */
    const struct virtio_seg *seg;
    unsigned nseg;
    uint64_t readable, writable;   /* total bytes of each part */
};

/* Copy len bytes of the chain's device-readable part from offset off into buf,
 * or from buf into its device-writable part at off. The range must lie in that
 * part (an assertion). 0, or -1 when a DMA access faulted. */
int virtio_chain_read(const struct virtio_chain *c, uint64_t off, void *buf, size_t len);
int virtio_chain_write(const struct virtio_chain *c, uint64_t off, const void *buf, size_t len);

/* A device's answer to a chain: the used length, or this when it cannot
 * complete the request (a DMA fault, a chain it cannot parse): the device
 * then needs a reset. */
#define VIRTIO_DEV_BROKEN (-1)
/* ... or this when it has nothing for the chain yet (virtio-console's
 * receiveq without input): the chain stays available, the queue's later
 * chains wait behind it, and the device calls virtio_dev_kick when it has. */
#define VIRTIO_DEV_LATER (-2)

struct virtio_dev_ops {
    const char *name;
    uint32_t device_id;       /* 5, "Device Types" */
    unsigned num_queues;      /* <= VIRTIO_MAX_QUEUES */
    /* Queues (bit q) whose buffers the device keeps posted and never consumes
     * (virtio-console's receiveq: input is not modelled). */
    uint32_t held_queues;
    /* One chain made available on queue q: returns the number of bytes
     * written to its device-writable part (the used element's len),
     * VIRTIO_DEV_BROKEN or VIRTIO_DEV_LATER. */
    int64_t (*process)(struct virtio_dev *d, unsigned q, const struct virtio_chain *c);
    int (*sync)(struct virtio_dev *d, char *err, size_t errlen);   /* NULL: nothing to do */
    void (*destroy)(struct virtio_dev *d);
};

/* The common part of a device model, first member of each device's struct. */
struct virtio_dev {
    const struct virtio_dev_ops *ops;
    uint64_t features;        /* device-type feature bits offered; the transport adds
                               * VERSION_1, ACCESS_PLATFORM and RING_INDIRECT_DESC */
    const uint8_t *config;    /* the device configuration space (little-endian), at 0x100 */
    uint32_t config_len;
    struct virtio_stats stats;
    struct virtio_mmio *transport;    /* set by virtio_mmio_create */
};

/* Whether the device is live (FEATURES_OK and DRIVER_OK, not broken) with
 * queue q ready. */
bool virtio_dev_queue_ready(const struct virtio_dev *d, unsigned q);
/* The device has something for queue q (input arrived): when the queue is
 * ready, the transport processes the chains available there now, as on a
 * notification. */
void virtio_dev_kick(struct virtio_dev *d, unsigned q);

const struct virtio_stats *virtio_dev_stats(const struct virtio_dev *d);
/* Destroys a device never handed to a transport. */
void virtio_dev_destroy(struct virtio_dev *d);

/* Little-endian fields of rings, requests and configuration spaces. */
static inline uint16_t virtio_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t virtio_le32(const uint8_t *p) { return (uint32_t)virtio_le16(p) | (uint32_t)virtio_le16(p + 2) << 16; }
static inline uint64_t virtio_le64(const uint8_t *p) { return (uint64_t)virtio_le32(p) | (uint64_t)virtio_le32(p + 4) << 32; }
static inline void virtio_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void virtio_put_le32(uint8_t *p, uint32_t v) { virtio_put_le16(p, (uint16_t)v); virtio_put_le16(p + 2, (uint16_t)(v >> 16)); }
static inline void virtio_put_le64(uint8_t *p, uint64_t v) { virtio_put_le32(p, (uint32_t)v); virtio_put_le32(p + 4, (uint32_t)(v >> 32)); }

#endif
