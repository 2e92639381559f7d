/* A minimal virtio-blk driver (front end) for guest programs: the virtio-mmio
 * transport, version 2 (Virtual I/O Device (VIRTIO) Version 1.1, 4.2.2), one
 * split virtqueue of VBLK_QSIZE entries (2.6), requests of a header, one data
 * buffer and a status byte (5.2.6). It runs with the MMU off: every access is
 * naturally aligned (Device memory), and the addresses it gives the device are
 * its own plus dma_offset (0 when the device sees what the CPU sees; under a
 * hypervisor the guest's IPAs are what the SMMU translates, and a
 * hypervisor's back end reads them through stage 2).
 *
 * Version 2 only: vblk_init refuses a legacy transport (Version 1) with
 * VBLK_EVERSION. QEMU 7.2's virtio-mmio is legacy unless run with
 * -global virtio-mmio.force-legacy=false (run_guest_test.sh passes it with
 * GUEST-DISK); avsim's is always Version 2.
 *
 * Used by the examples of issue 17 (the paravirtual and passthrough
 * hypervisors, the bare-device baseline): one driver, three back ends.
 *
 *   struct vblk b;
 *   vblk_init(&b, VBLK_DISK_BASE, 0)          0, or a VBLK_E* code
 *   vblk_rw(&b, true, sector, buf, len)        a request, polled to completion: its status
 *   vblk_submit(...) / vblk_take_used(&b)      the same in two steps (wait by interrupt)
 *   vblk_ack(&b)                               read and acknowledge InterruptStatus */
#ifndef AVSIM_GUEST_VIRTIO_BLK_FRONT_H
#define AVSIM_GUEST_VIRTIO_BLK_FRONT_H
#include <stdbool.h>
#include <stdint.h>

/* The first virtio device of avsim's command line (--drive) and of QEMU's
 * (-device virtio-blk-device) sits on the highest of the 32 transports. */
#define VBLK_DISK_BASE  0x0a003e00UL
#define VBLK_DISK_INTID (32 + 16 + 31)   /* SPI 47 */

#define VBLK_QSIZE 8
#define VBLK_SECTOR 512u

/* Transport registers (4.2.2). */
enum {
    VB_MAGIC = 0x000, VB_VERSION = 0x004, VB_DEVICE_ID = 0x008, VB_DEV_FEATURES = 0x010,
    VB_DEV_FEATURES_SEL = 0x014, VB_DRV_FEATURES = 0x020, VB_DRV_FEATURES_SEL = 0x024,
    VB_QUEUE_SEL = 0x030, VB_QUEUE_NUM_MAX = 0x034, VB_QUEUE_NUM = 0x038, VB_QUEUE_READY = 0x044,
    VB_QUEUE_NOTIFY = 0x050, VB_INT_STATUS = 0x060, VB_INT_ACK = 0x064, VB_STATUS = 0x070,
    VB_QUEUE_DESC = 0x080, VB_QUEUE_DRIVER = 0x090, VB_QUEUE_DEVICE = 0x0a0, VB_CONFIG = 0x100,
};
enum { VB_S_ACK = 1, VB_S_DRIVER = 2, VB_S_DRIVER_OK = 4, VB_S_FEATURES_OK = 8, VB_S_NEEDS_RESET = 64 };
/* Feature bits: VIRTIO_F_VERSION_1 (32) and VIRTIO_F_ACCESS_PLATFORM (33), in the high word. */
#define VB_F_HI_VERSION_1       (1u << 0)
#define VB_F_HI_ACCESS_PLATFORM (1u << 1)
enum { VB_DESC_NEXT = 1, VB_DESC_WRITE = 2 };
enum { VB_T_IN = 0, VB_T_OUT = 1 };       /* request types (5.2.6) */
enum { VB_STATUS_OK = 0, VB_STATUS_IOERR = 1, VB_STATUS_UNSUPP = 2 };

/* Errors of vblk_init. */
enum { VBLK_ENODEV = -1, VBLK_EVERSION = -2, VBLK_EFEATURES = -3, VBLK_EQUEUE = -4 };

struct vblk_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct vblk {
    uintptr_t base;
    uint64_t dma_offset;
    uint64_t capacity;           /* in 512-byte sectors (config offset 0) */
    uint16_t last_used;          /* used ring entries taken so far */
    uint16_t avail_idx;
    uint32_t requests, notifies;
    /* The virtqueue (2.6: descriptor table 16-byte aligned, available ring
     * 2-byte, used ring 4-byte) and one request's header and status. */
    struct vblk_desc desc[VBLK_QSIZE] __attribute__((aligned(16)));
    struct { uint16_t flags, idx, ring[VBLK_QSIZE]; } avail __attribute__((aligned(4)));
    struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[VBLK_QSIZE]; } used __attribute__((aligned(4)));
    struct { uint32_t type, reserved; uint64_t sector; } hdr __attribute__((aligned(16)));
    volatile uint8_t status __attribute__((aligned(16)));
};

static inline uint32_t vb_rd(const struct vblk *b, unsigned off) { return *(volatile uint32_t *)(b->base + off); }
static inline void vb_wr(const struct vblk *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b->base + off) = v; }
static inline uint64_t vb_dev_addr(const struct vblk *b, const volatile void *p) { return (uint64_t)(uintptr_t)p + b->dma_offset; }
static inline void vb_wr64(const struct vblk *b, unsigned off, uint64_t v)
{
    vb_wr(b, off, (uint32_t)v);
    vb_wr(b, off + 4, (uint32_t)(v >> 32));
}

/* Device initialization (3.1.1): reset, ACKNOWLEDGE, DRIVER, features
 * (VERSION_1, and ACCESS_PLATFORM when offered: the device's addresses may be
 * translated), FEATURES_OK, queue 0, DRIVER_OK. */
static __attribute__((unused)) int vblk_init(struct vblk *b, uintptr_t base, uint64_t dma_offset)
{
    for (unsigned i = 0; i < sizeof *b; i++)
        ((volatile uint8_t *)b)[i] = 0;
    b->base = base;
    b->dma_offset = dma_offset;
    if (vb_rd(b, VB_MAGIC) != 0x74726976u || vb_rd(b, VB_DEVICE_ID) != 2)
        return VBLK_ENODEV;
    if (vb_rd(b, VB_VERSION) != 2)
        return VBLK_EVERSION;
    vb_wr(b, VB_STATUS, 0);
    vb_wr(b, VB_STATUS, VB_S_ACK);
    vb_wr(b, VB_STATUS, VB_S_ACK | VB_S_DRIVER);
    vb_wr(b, VB_DEV_FEATURES_SEL, 1);
    uint32_t hi = vb_rd(b, VB_DEV_FEATURES);
    if (!(hi & VB_F_HI_VERSION_1))
        return VBLK_EFEATURES;
    vb_wr(b, VB_DRV_FEATURES_SEL, 0);
    vb_wr(b, VB_DRV_FEATURES, 0);
    vb_wr(b, VB_DRV_FEATURES_SEL, 1);
    vb_wr(b, VB_DRV_FEATURES, hi & (VB_F_HI_VERSION_1 | VB_F_HI_ACCESS_PLATFORM));
    vb_wr(b, VB_STATUS, VB_S_ACK | VB_S_DRIVER | VB_S_FEATURES_OK);
    if (!(vb_rd(b, VB_STATUS) & VB_S_FEATURES_OK))
        return VBLK_EFEATURES;
    vb_wr(b, VB_QUEUE_SEL, 0);
    if (vb_rd(b, VB_QUEUE_NUM_MAX) < VBLK_QSIZE)
        return VBLK_EQUEUE;
    vb_wr(b, VB_QUEUE_NUM, VBLK_QSIZE);
    vb_wr64(b, VB_QUEUE_DESC, vb_dev_addr(b, b->desc));
    vb_wr64(b, VB_QUEUE_DRIVER, vb_dev_addr(b, &b->avail));
    vb_wr64(b, VB_QUEUE_DEVICE, vb_dev_addr(b, &b->used));
    vb_wr(b, VB_QUEUE_READY, 1);
    b->capacity = vb_rd(b, VB_CONFIG) | (uint64_t)vb_rd(b, VB_CONFIG + 4) << 32;
    vb_wr(b, VB_STATUS, VB_S_ACK | VB_S_DRIVER | VB_S_FEATURES_OK | VB_S_DRIVER_OK);
    return 0;
}

/* Makes one request available (2.6.13): a three-descriptor chain (header,
 * data, status), then the notification (4.2.3.3). One request at a time. */
static __attribute__((unused)) void vblk_submit(struct vblk *b, bool write, uint64_t sector, void *buf, uint32_t len)
{
    b->hdr.type = write ? VB_T_OUT : VB_T_IN;
    b->hdr.reserved = 0;
    b->hdr.sector = sector;
    b->status = 0xff;
    b->desc[0] = (struct vblk_desc){ vb_dev_addr(b, &b->hdr), sizeof b->hdr, VB_DESC_NEXT, 1 };
    b->desc[1] = (struct vblk_desc){ vb_dev_addr(b, buf), len, (uint16_t)(VB_DESC_NEXT | (write ? 0 : VB_DESC_WRITE)), 2 };
    b->desc[2] = (struct vblk_desc){ vb_dev_addr(b, &b->status), 1, VB_DESC_WRITE, 0 };
    b->avail.ring[b->avail_idx % VBLK_QSIZE] = 0;
    __asm__ volatile("dmb ishst" ::: "memory");    /* the chain before the index (2.6.13.3) */
    b->avail.idx = ++b->avail_idx;
    __asm__ volatile("dsb st" ::: "memory");       /* the index before the notification */
    vb_wr(b, VB_QUEUE_NOTIFY, 0);
    b->requests++;
    b->notifies++;
}

/* Takes the used ring's next entry if the device has returned one: the
 * request's status (VB_STATUS_*), or -1 when none is there yet. */
static __attribute__((unused)) int vblk_take_used(struct vblk *b)
{
    if (*(volatile uint16_t *)&b->used.idx == b->last_used)
        return -1;
    __asm__ volatile("dmb ishld" ::: "memory");
    b->last_used++;
    return b->status;
}

/* InterruptStatus, acknowledged (4.2.2). */
static __attribute__((unused)) uint32_t vblk_ack(struct vblk *b)
{
    uint32_t s = vb_rd(b, VB_INT_STATUS);
    if (s)
        vb_wr(b, VB_INT_ACK, s);
    return s;
}

/* A request, polled to completion: its status. */
static __attribute__((unused)) int vblk_rw(struct vblk *b, bool write, uint64_t sector, void *buf, uint32_t len)
{
    vblk_submit(b, write, sector, buf, len);
    int st;
    while ((st = vblk_take_used(b)) < 0) {
    }
    vblk_ack(b);
    return st;
}

#endif
