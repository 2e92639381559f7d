/* The virtio-mmio transport, version 2 (virtio 1.1, 4.2.2 "MMIO Device
 * Register Layout"), and split virtqueues (2.6 "Split Virtqueues"). Every
 * access to a ring, a descriptor table or a buffer goes through the
 * transport's DMA port (sim/dma.h). */
#include "sim/virtio_mmio.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest descriptor chain avsim follows, indirect descriptors included
 * (2.6.4.1: "The device MAY have a reasonable limit of descriptors it will
 * allow in a chain"). Linux's drivers stay under seg_max + 2. */
#define VIRTIO_CHAIN_MAX 4096u

/* One virtqueue's transport state (4.2.2: QueueNum, QueueReady, QueueDesc,
 * QueueDriver, QueueDevice) and the device's two ring positions. */
struct virtq {
    uint32_t num;             /* QueueNum as written: the Queue Size */
    bool ready;               /* QueueReady */
    uint64_t desc, driver, device;   /* descriptor table, available ring, used ring */
    uint16_t last_avail;      /* the next available ring entry the device takes */
    uint16_t used_idx;        /* the used ring's idx as the device last wrote it */
};

struct virtio_mmio {
    struct virtio_dev *dev;   /* NULL: an empty transport */
    struct dma_port dma;
    struct irq_line irq;
    uint32_t status;          /* Status (2.1) */
    uint32_t isr;             /* InterruptStatus */
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features; /* DriverFeatures, both words */
    uint32_t config_generation;
    struct virtq q[VIRTIO_MAX_QUEUES];
    struct virtio_seg seg[VIRTIO_CHAIN_MAX];   /* the chain being taken */
};

/* ---- Interrupts and device status ---- */

/* The interrupt line's level is InterruptStatus != 0 (4.2.2: each event's
 * bit stays set until the driver acknowledges it in InterruptACK). */
static void update_irq(struct virtio_mmio *t)
{
    irq_line_set(&t->irq, t->isr != 0);
}

/* 2.1.2 "Device Requirements: Device Status Field": "The device SHOULD set
 * DEVICE_NEEDS_RESET when it enters an error state that a reset is needed.
 * If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the device MUST send
 * a device configuration change notification to the driver." From here the
 * device takes no more buffers until the driver resets it. */
static void enter_needs_reset(struct virtio_mmio *t)
{
    if (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        return;
    t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    t->dev->stats.needs_reset++;
    if (t->status & VIRTIO_STATUS_DRIVER_OK) {
        t->isr |= VIRTIO_MMIO_INT_CONFIG;
        update_irq(t);
    }
}

/* The device serves its queues: the driver has set FEATURES_OK and DRIVER_OK
 * (3.1.1; 2.1.2: "The device MUST NOT consume buffers or send any used buffer
 * notifications to the driver before DRIVER_OK"), and neither it (FAILED)
 * nor the device (DEVICE_NEEDS_RESET) has given up. */
static bool live(const struct virtio_mmio *t)
{
    const uint32_t on = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
    const uint32_t off = VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED;
    return t->dev && (t->status & on) == on && !(t->status & off);
}

/* The device reset (2.1, 4.2.2.1: "Upon reset, the device MUST clear all
 * bits in InterruptStatus and ready bits in the QueueReady register for all
 * queues in the device"): everything the driver negotiated or set up. */
static void device_reset(struct virtio_mmio *t)
{
    t->status = 0;
    t->isr = 0;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    t->driver_features = 0;
    memset(t->q, 0, sizeof t->q);
    update_irq(t);
}

/* What the device offers: its type's bits and the transport's (6, "Reserved
 * Feature Bits"). VIRTIO_F_ACCESS_PLATFORM: every access goes through the
 * platform's DMA path (the SMMU), so the driver must use IOVAs. */
static uint64_t offered_features(const struct virtio_mmio *t)
{
    return t->dev->features | VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
           VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC);
}

/* 2.2.1 "Device Requirements: Feature Bits": the device "SHOULD accept any
 * valid subset of features the driver accepts, otherwise it MUST fail to set
 * the FEATURES_OK device status bit". Not valid here: a bit that was not
 * offered, or no VIRTIO_F_VERSION_1 (a legacy driver: avsim has no legacy
 * interface, 4.2.4). A driver that does not accept VIRTIO_F_ACCESS_PLATFORM is
 * accepted: the device's accesses go through the DMA port all the same (6.1:
 * the device "MAY fail to operate further" then; avsim does not refuse). */
static bool features_acceptable(const struct virtio_mmio *t)
{
    return (t->driver_features & ~offered_features(t)) == 0 &&
           (t->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

/* ---- Split virtqueues (2.6) ---- */

static int dma_rd16(struct virtio_mmio *t, uint64_t addr, uint16_t *v)
{
    uint8_t b[2];
    if (dma_read(&t->dma, addr, b, sizeof b))
        return -1;
    *v = virtio_le16(b);
    return 0;
}

struct vdesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

/* struct virtq_desc (2.6.5): addr le64, len le32, flags le16, next le16. */
static int read_desc(struct virtio_mmio *t, uint64_t table, uint32_t idx, struct vdesc *d)
{
    uint8_t b[VIRTQ_DESC_SIZE];
    if (dma_read(&t->dma, table + (uint64_t)idx * VIRTQ_DESC_SIZE, b, sizeof b))
        return -1;
    d->addr = virtio_le64(b);
    d->len = virtio_le32(b + 8);
    d->flags = virtio_le16(b + 12);
    d->next = virtio_le16(b + 14);
    return 0;
}

/* Takes the chain whose head is `head` (2.6.5 "The Virtqueue Descriptor
 * Table", 2.6.5.3 "Indirect Descriptors", 2.6.4 "Message Framing") into c.
 * 0, or -1 when a descriptor read faulted or the chain is malformed:
 *   - an index outside its table (the queue's, or the indirect table's);
 *   - a loop: more descriptors than the table holds, or than VIRTIO_CHAIN_MAX;
 *   - more than 2^32 - 1 bytes in all (2.6.5.1: "Drivers MUST NOT add a
 *     descriptor chain longer than 2^32 bytes in total"; the used element's
 *     len has 32 bits, so avsim stops one byte short of the letter);
 *   - a device-readable buffer after a device-writable one (2.6.4.2);
 *   - VIRTQ_DESC_F_INDIRECT without VIRTIO_F_RING_INDIRECT_DESC negotiated,
 *     with VIRTQ_DESC_F_NEXT, inside an indirect table, or with a table length
 *     that is not a non-zero multiple of 16 (2.6.5.3.1).
 * An indirect descriptor may end a chain of direct ones (2.6.5.3.2: "The
 * device MUST handle the case of zero or more normal chained descriptors
 * followed by a single descriptor with flags&VIRTQ_DESC_F_INDIRECT"); its
 * VIRTQ_DESC_F_WRITE is ignored (the same section). */
static int take_chain(struct virtio_mmio *t, const struct virtq *q, uint16_t head, struct virtio_chain *c)
{
    uint64_t table = q->desc;
    uint32_t count = q->num, idx = head, in_table = 0, total = 0;
    bool indirect = false;
    *c = (struct virtio_chain){ .dma = &t->dma, .head = head, .seg = t->seg };
    for (;;) {
        struct vdesc d;
        if (idx >= count || ++in_table > count || ++total > VIRTIO_CHAIN_MAX)
            return -1;
        if (read_desc(t, table, idx, &d))
            return -1;
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (indirect || (d.flags & VIRTQ_DESC_F_NEXT) ||
                !(t->driver_features & VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC)) ||
                d.len == 0 || d.len % VIRTQ_DESC_SIZE)
                return -1;
            table = d.addr;
            count = d.len / VIRTQ_DESC_SIZE;
            if (count > 65536)
                count = 65536;    /* next is 16 bits: the entries beyond cannot be reached */
            idx = 0;
            in_table = 0;
            indirect = true;
            continue;
        }
        bool wr = (d.flags & VIRTQ_DESC_F_WRITE) != 0;
        if (!wr && c->writable)
            return -1;
        if (c->readable + c->writable + d.len > UINT32_MAX)
            return -1;
        if (wr)
            c->writable += d.len;
        else
            c->readable += d.len;
        if (d.len)
            t->seg[c->nseg++] = (struct virtio_seg){ .addr = d.addr, .len = d.len, .write = wr };
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        idx = d.next;
    }
}

/* struct virtq_used (2.6.8): the element {id le32, len le32} at
 * ring[idx % Queue Size], then idx ("The device MUST set len prior to updating
 * the used idx"). */
static int put_used(struct virtio_mmio *t, struct virtq *q, uint16_t head, uint32_t len)
{
    uint8_t e[8], b[2];
    virtio_put_le32(e, head);
    virtio_put_le32(e + 4, len);
    if (dma_write(&t->dma, q->device + 4 + 8ULL * (q->used_idx % q->num), e, sizeof e))
        return -1;
    q->used_idx++;
    virtio_put_le16(b, q->used_idx);
    return dma_write(&t->dma, q->device + 2, b, sizeof b);
}

/* The driver notified queue qi (4.2.3.3 "Available Buffer Notifications"):
 * the device takes every chain the available ring holds (2.6.10 "Receiving
 * Used Buffers From The Device" seen from the device side), hands each to the
 * device model, returns it in the used ring, then sends one used buffer
 * notification unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT (2.6.7.2;
 * VIRTIO_F_RING_EVENT_IDX is not offered). Everything happens now, before
 * the driver's MMIO write completes. */
static void process_queue(struct virtio_mmio *t, unsigned qi)
{
    struct virtq *q = &t->q[qi];
    struct virtio_dev *dev = t->dev;
    uint16_t avail_idx, flags;
    bool used = false;

    if (dev->ops->held_queues & (1u << qi))
        return;                   /* the device keeps these buffers posted */
    /* struct virtq_avail (2.6.6): flags le16, idx le16, ring[Queue Size] le16. */
    if (dma_rd16(t, q->driver + 2, &avail_idx)) {
        enter_needs_reset(t);
        return;
    }
    /* More new entries than the ring holds: the driver moved idx wildly. */
    if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
        enter_needs_reset(t);
        return;
    }
    while (q->last_avail != avail_idx) {
        uint16_t head;
        struct virtio_chain c;
        if (dma_rd16(t, q->driver + 4 + 2ULL * (q->last_avail % q->num), &head) ||
            take_chain(t, q, head, &c)) {
            enter_needs_reset(t);
            return;
        }
        int64_t len = dev->ops->process(dev, qi, &c);
        if (len == VIRTIO_DEV_LATER)
            break;                /* the chain stays available: the device has nothing for it yet */
        q->last_avail++;
        dev->stats.requests++;
        if (len < 0 || put_used(t, q, head, (uint32_t)len)) {
            enter_needs_reset(t);
            return;
        }
        used = true;
    }
    if (!used)
        return;
    if (dma_rd16(t, q->driver, &flags)) {
        enter_needs_reset(t);
        return;
    }
    if (!(flags & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
        t->isr |= VIRTIO_MMIO_INT_VRING;
        update_irq(t);
    }
}

/* Copies between buf and the chain's readable (to_guest false) or writable
 * (to_guest true) buffers, starting off bytes into that part. */
static int chain_copy(const struct virtio_chain *c, uint64_t off, void *buf, size_t len, bool to_guest)
{
    uint8_t *p = buf;
    assert(off + len <= (to_guest ? c->writable : c->readable));
    for (unsigned i = 0; i < c->nseg && len; i++) {
        const struct virtio_seg *s = &c->seg[i];
        if (s->write != to_guest) {
            if (!to_guest)
                break;            /* readable buffers come first (take_chain) */
            continue;
        }
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t n = s->len - off < len ? (size_t)(s->len - off) : len;
        if (to_guest ? dma_write(c->dma, s->addr + off, p, n) : dma_read(c->dma, s->addr + off, p, n))
            return -1;
        p += n;
        len -= n;
        off = 0;
    }
    assert(len == 0);
    return 0;
}

int virtio_chain_read(const struct virtio_chain *c, uint64_t off, void *buf, size_t len)
{
    return chain_copy(c, off, buf, len, false);
}

int virtio_chain_write(const struct virtio_chain *c, uint64_t off, const void *buf, size_t len)
{
    return chain_copy(c, off, (void *)buf, len, true);
}

/* ---- Registers (4.2.2) ---- */

static struct virtq *sel_queue(struct virtio_mmio *t)
{
    return t->queue_sel < t->dev->ops->num_queues ? &t->q[t->queue_sel] : NULL;
}

/* A queue's setup registers are written while QueueReady is 0 (4.2.2.2:
 * "When QueueReady is not zero, the driver MUST NOT access QueueNum,
 * QueueDescLow, ..."): otherwise, and for a QueueSel naming no queue, they
 * are ignored (avsim's choice). */
static struct virtq *sel_queue_setup(struct virtio_mmio *t)
{
    struct virtq *q = sel_queue(t);
    return q && !q->ready ? q : NULL;
}

static void set_half(uint64_t *a, bool high, uint32_t v)
{
    *a = high ? (*a & 0xffffffffULL) | (uint64_t)v << 32 : (*a & ~0xffffffffULL) | v;
}

static uint32_t rd_magic(struct virtio_mmio *t) { (void)t; return VIRTIO_MMIO_MAGIC; }
static uint32_t rd_version(struct virtio_mmio *t) { (void)t; return VIRTIO_MMIO_VERSION; }
static uint32_t rd_device_id(struct virtio_mmio *t) { return t->dev ? t->dev->ops->device_id : 0; }
static uint32_t rd_vendor_id(struct virtio_mmio *t) { (void)t; return VIRTIO_MMIO_VENDOR_ID; }

/* DeviceFeatures: the 32 bits selected by DeviceFeaturesSel (0: bits 0-31,
 * 1: bits 32-63, others: none). */
static uint32_t rd_device_features(struct virtio_mmio *t)
{
    return t->device_features_sel < 2 ? (uint32_t)(offered_features(t) >> (32 * t->device_features_sel)) : 0;
}
static void wr_device_features_sel(struct virtio_mmio *t, uint32_t v) { t->device_features_sel = v; }

/* DriverFeatures: the word selected by DriverFeaturesSel. Ignored once
 * FEATURES_OK is set (3.1.1: the features are settled at step 5; avsim's
 * choice for a late write), and for a selector above 1 (no feature bits
 * there). */
static void wr_driver_features(struct virtio_mmio *t, uint32_t v)
{
    if ((t->status & VIRTIO_STATUS_FEATURES_OK) || t->driver_features_sel > 1)
        return;
    set_half(&t->driver_features, t->driver_features_sel == 1, v);
}
static void wr_driver_features_sel(struct virtio_mmio *t, uint32_t v) { t->driver_features_sel = v; }

static void wr_queue_sel(struct virtio_mmio *t, uint32_t v) { t->queue_sel = v; }
/* QueueNumMax: "zero (0x0) if the queue is not available". */
static uint32_t rd_queue_num_max(struct virtio_mmio *t) { return sel_queue(t) ? VIRTIO_QUEUE_NUM_MAX : 0; }
static void wr_queue_num(struct virtio_mmio *t, uint32_t v)
{
    struct virtq *q = sel_queue_setup(t);
    if (q)
        q->num = v;
}

/* The queue the driver enables must be usable (2.6: "Queue Size value is
 * always a power of 2", at most QueueNumMax (4.2.2.2), each part aligned as
 * the table in 2.6 says: descriptors 16, available ring 2, used ring 4). */
static bool queue_usable(const struct virtq *q)
{
    return q->num && q->num <= VIRTIO_QUEUE_NUM_MAX && (q->num & (q->num - 1)) == 0 && q->desc % 16 == 0 &&
           q->driver % 2 == 0 && q->device % 4 == 0;
}

/* QueueReady: 1 enables the queue, its ring positions starting from 0 (a
 * queue enabled again is a new queue: 1.1 has no queue reset that would keep
 * them); 0 stops it. A queue the driver set up wrongly is not enabled and the
 * device needs a reset (avsim's choice: the spec does not say what a device
 * does with a bad Queue Size or misaligned rings). */
static uint32_t rd_queue_ready(struct virtio_mmio *t)
{
    struct virtq *q = sel_queue(t);
    return q && q->ready;
}
static void wr_queue_ready(struct virtio_mmio *t, uint32_t v)
{
    struct virtq *q = sel_queue(t);
    if (!q)
        return;
    if (!(v & 1)) {
        q->ready = false;
        return;
    }
    if (q->ready)
        return;
    if (!queue_usable(q)) {
        enter_needs_reset(t);
        return;
    }
    q->ready = true;
    q->last_avail = q->used_idx = 0;
}

/* QueueNotify: the value is the queue's index (VIRTIO_F_NOTIFICATION_DATA is
 * not offered). A notification for a queue that is not ready, or before the
 * device is live, is dropped; buffers made available before DRIVER_OK are
 * taken when the driver sets it (wr_status). */
static void wr_queue_notify(struct virtio_mmio *t, uint32_t v)
{
    if (live(t) && v < t->dev->ops->num_queues && t->q[v].ready)
        process_queue(t, v);
}

bool virtio_dev_queue_ready(const struct virtio_dev *d, unsigned qi)
{
    const struct virtio_mmio *t = d->transport;
    return t && live(t) && qi < d->ops->num_queues && t->q[qi].ready;
}

void virtio_dev_kick(struct virtio_dev *d, unsigned qi)
{
    if (virtio_dev_queue_ready(d, qi))
        process_queue(d->transport, qi);
}

static uint32_t rd_interrupt_status(struct virtio_mmio *t) { return t->isr; }
static void wr_interrupt_ack(struct virtio_mmio *t, uint32_t v)
{
    t->isr &= ~v;
    update_irq(t);
}

static uint32_t rd_status(struct virtio_mmio *t) { return t->status; }

/* Status (2.1, 3.1.1 "Driver Requirements: Device Initialization"; 4.2.2:
 * "Writing zero (0x0) to this register triggers a device reset"). A non-zero
 * write sets the field to the value, but:
 *   - FEATURES_OK is kept only if the accepted features are acceptable
 *     (features_acceptable), so the driver reading Status back sees the refusal;
 *   - DEVICE_NEEDS_RESET is the device's: a write neither sets nor clears it.
 * Clearing other bits without a reset is a driver error the spec forbids
 * (2.1.1); avsim takes the value as written. When DRIVER_OK appears, the
 * device takes the buffers made available before it. */
static void wr_status(struct virtio_mmio *t, uint32_t v)
{
    uint32_t old = t->status;
    v &= 0xff;
    if (v == 0) {
        device_reset(t);
        return;
    }
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t))
        v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
    t->status = (v & ~(uint32_t)VIRTIO_STATUS_DEVICE_NEEDS_RESET) | (old & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    if (!(old & VIRTIO_STATUS_DRIVER_OK) && live(t)) {
        for (unsigned i = 0; i < t->dev->ops->num_queues && live(t); i++)
            if (t->q[i].ready)
                process_queue(t, i);
    }
}

static void wr_desc_low(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->desc, false, v); }
static void wr_desc_high(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->desc, true, v); }
static void wr_driver_low(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->driver, false, v); }
static void wr_driver_high(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->driver, true, v); }
static void wr_device_low(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->device, false, v); }
static void wr_device_high(struct virtio_mmio *t, uint32_t v) { struct virtq *q = sel_queue_setup(t); if (q) set_half(&q->device, true, v); }

/* ConfigGeneration: no device here changes its configuration space while it
 * runs, so the generation stays 0 (4.2.2.1 asks for a change only when a
 * driver could see an inconsistent configuration). */
static uint32_t rd_config_generation(struct virtio_mmio *t) { return t->config_generation; }

/* The control registers, indexed by offset / 4: a missing read is RAZ (a
 * write-only or reserved register), a missing write WI (read-only or
 * reserved), as the table of 4.2.2 marks each R or W. */
struct reg {
    uint32_t (*read)(struct virtio_mmio *t);
    void (*write)(struct virtio_mmio *t, uint32_t v);
};
static const struct reg regs[VIRTIO_MMIO_CONFIG / 4] = {
    [VIRTIO_MMIO_MAGIC_VALUE / 4] = { rd_magic, NULL },
    [VIRTIO_MMIO_VERSION_REG / 4] = { rd_version, NULL },
    [VIRTIO_MMIO_DEVICE_ID / 4] = { rd_device_id, NULL },
    [VIRTIO_MMIO_VENDOR_ID_REG / 4] = { rd_vendor_id, NULL },
    [VIRTIO_MMIO_DEVICE_FEATURES / 4] = { rd_device_features, NULL },
    [VIRTIO_MMIO_DEVICE_FEATURES_SEL / 4] = { NULL, wr_device_features_sel },
    [VIRTIO_MMIO_DRIVER_FEATURES / 4] = { NULL, wr_driver_features },
    [VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4] = { NULL, wr_driver_features_sel },
    [VIRTIO_MMIO_QUEUE_SEL / 4] = { NULL, wr_queue_sel },
    [VIRTIO_MMIO_QUEUE_NUM_MAX / 4] = { rd_queue_num_max, NULL },
    [VIRTIO_MMIO_QUEUE_NUM / 4] = { NULL, wr_queue_num },
    [VIRTIO_MMIO_QUEUE_READY / 4] = { rd_queue_ready, wr_queue_ready },
    [VIRTIO_MMIO_QUEUE_NOTIFY / 4] = { NULL, wr_queue_notify },
    [VIRTIO_MMIO_INTERRUPT_STATUS / 4] = { rd_interrupt_status, NULL },
    [VIRTIO_MMIO_INTERRUPT_ACK / 4] = { NULL, wr_interrupt_ack },
    [VIRTIO_MMIO_STATUS / 4] = { rd_status, wr_status },
    [VIRTIO_MMIO_QUEUE_DESC_LOW / 4] = { NULL, wr_desc_low },
    [VIRTIO_MMIO_QUEUE_DESC_HIGH / 4] = { NULL, wr_desc_high },
    [VIRTIO_MMIO_QUEUE_DRIVER_LOW / 4] = { NULL, wr_driver_low },
    [VIRTIO_MMIO_QUEUE_DRIVER_HIGH / 4] = { NULL, wr_driver_high },
    [VIRTIO_MMIO_QUEUE_DEVICE_LOW / 4] = { NULL, wr_device_low },
    [VIRTIO_MMIO_QUEUE_DEVICE_HIGH / 4] = { NULL, wr_device_high },
    [VIRTIO_MMIO_CONFIG_GENERATION / 4] = { rd_config_generation, NULL },
};

/* The device configuration space at 0x100, little-endian (4.2.2.2 asks for
 * accesses as wide as each field; avsim serves any access of 1, 2, 4 or 8
 * bytes inside the window). Bytes past the device's structure read as 0.
 * Writes are ignored: no device here offers a feature with a writable field
 * (virtio-blk's writeback needs VIRTIO_BLK_F_CONFIG_WCE, virtio-console's
 * emerg_wr VIRTIO_CONSOLE_F_EMERG_WRITE). */
static uint64_t config_read(const struct virtio_mmio *t, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t o = off + i;
        if (t->dev && o < t->dev->config_len)
            v |= (uint64_t)t->dev->config[o] << (8 * i);
    }
    return v;
}

static bool size_ok(uint64_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && off + size <= VIRTIO_MMIO_SIZE;
}

/* An empty transport (no device) shows MagicValue, Version, DeviceID 0 and
 * VendorID (4.2.2: "the driver MUST ignore a device with DeviceID 0x0");
 * the rest is RAZ/WI. Control registers take only aligned 32-bit accesses
 * (4.2.2.2, "The driver MUST only use 32 bit wide and aligned reads and
 * writes to access the control registers"); others are RAZ/WI (avsim's
 * choice, the spec does not say). */
uint64_t virtio_mmio_read(struct virtio_mmio *t, uint64_t off, unsigned size)
{
    if (!size_ok(off, size))
        return 0;
    if (off >= VIRTIO_MMIO_CONFIG)
        return config_read(t, off - VIRTIO_MMIO_CONFIG, size);
    if (size != 4 || off % 4 || (!t->dev && off > VIRTIO_MMIO_VENDOR_ID_REG))
        return 0;
    const struct reg *r = &regs[off / 4];
    return r->read ? r->read(t) : 0;
}

void virtio_mmio_write(struct virtio_mmio *t, uint64_t off, uint64_t value, unsigned size)
{
    if (!size_ok(off, size) || off >= VIRTIO_MMIO_CONFIG || !t->dev || size != 4 || off % 4)
        return;
    const struct reg *r = &regs[off / 4];
    if (r->write)
        r->write(t, (uint32_t)value);
}

/* ---- Life cycle ---- */

struct virtio_mmio *virtio_mmio_create(struct virtio_dev *dev, struct dma_port dma, struct irq_line irq)
{
    struct virtio_mmio *t = calloc(1, sizeof *t);
    if (!t) {
        virtio_dev_destroy(dev);
        return NULL;
    }
    assert(!dev || dev->ops->num_queues <= VIRTIO_MAX_QUEUES);
    t->dev = dev;
    if (dev)
        dev->transport = t;
    t->dma = dma;
    t->irq = irq;
    device_reset(t);
    return t;
}

void virtio_mmio_reset(struct virtio_mmio *t)
{
    device_reset(t);
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
    if (!t)
        return;
    virtio_dev_destroy(t->dev);
    free(t);
}

int virtio_mmio_sync(struct virtio_mmio *t, char *err, size_t errlen)
{
    if (!t->dev || !t->dev->ops->sync)
        return 0;
    return t->dev->ops->sync(t->dev, err, errlen);
}

const char *virtio_mmio_device_name(const struct virtio_mmio *t) { return t->dev ? t->dev->ops->name : NULL; }
uint32_t virtio_mmio_device_id(const struct virtio_mmio *t) { return t->dev ? t->dev->ops->device_id : 0; }
const struct virtio_stats *virtio_mmio_stats(const struct virtio_mmio *t) { return t->dev ? &t->dev->stats : NULL; }
uint32_t virtio_mmio_status(const struct virtio_mmio *t) { return t->status; }

const struct virtio_stats *virtio_dev_stats(const struct virtio_dev *d) { return &d->stats; }

void virtio_dev_destroy(struct virtio_dev *d)
{
    if (d)
        d->ops->destroy(d);
}
