/* Example 10: a paravirtual block device. The hypervisor is the back end of a
 * virtio-blk device; the guest's driver is an ordinary virtio front end.
 *
 * What it shows (course topic: I/O virtualization, paravirtualization):
 *  - the guest sees a virtio-mmio transport (virtio 1.1, 4.2.2, version 2) at
 *    IPA 0x0a003e00, where a virt board's device tree puts the first
 *    virtio-blk disk, with its interrupt on INTID 79. Nothing is there: the
 *    hypervisor leaves the IPA unmapped in stage 2, so every register access
 *    is a stage-2 data abort, emulated as in example 03;
 *  - the requests themselves do not travel through registers. The driver
 *    builds them in its own memory: a virtqueue (2.6, the "split" layout) of a
 *    descriptor table, an available ring and a used ring, and a request made
 *    of three descriptors (header, 4 KiB of data, status byte). Then it writes
 *    the queue's number to QueueNotify: ONE exit, which carries the whole
 *    request, because the back end can read everything else from guest
 *    memory through the stage-2 mapping it owns;
 *  - the back end walks the rings at their IPAs (through its own table of the
 *    guest's memory, like KVM's memslots: a guest address it cannot find there
 *    is refused, never followed), moves the 4 KiB between the guest's buffer
 *    and the disk image in its own memory, writes the used ring, sets
 *    InterruptStatus and injects the completion interrupt through list
 *    register 0 (ICH_LR0_EL2, vINTID 79);
 *  - the guest takes that interrupt at EL1 through its virtual CPU interface
 *    (ICC_IAR1_EL1 is ICV_IAR1_EL1 under HCR_EL2.IMO: no exit), reads and
 *    acknowledges InterruptStatus/InterruptACK (two exits: they are transport
 *    registers too) and EOIs (ICV_EOIR1_EL1: no exit);
 *  - the hypervisor counts its exits by kind: setup (the driver's
 *    initialization), notifications, interrupt acknowledgements. 1 MiB
 *    written and read back in 4 KiB requests costs 3 exits per request, where
 *    example 09's emulated disk moves every word of data through a trapped
 *    data register.
 *
 * The guest's driver is tests/guest/virtio_blk_front.h, the same one that
 * drives avsim's (and QEMU's) real virtio-blk in example 11 and on the bare
 * machine; its workload is tests/guest/blk_workload.h. Run without --drive:
 * the disk is the hypervisor's memory. (With --drive, the real device on
 * transport 31 would be at PA 0x0a003e00, but the guest cannot reach it: its
 * IPA 0x0a003e00 is the hypervisor's.) */
#include "pagetable.h"          /* stage-2 tables: pt_init_s2, pt_map, s2_setup, S2_RAM */
#include "gic.h"                /* ICH_LR0_EL2, ICC_* names, list register fields */
#include "virtio_blk_front.h"   /* the guest's driver (front end) */
#include "blk_workload.h"       /* 1 MiB in 4 KiB requests, FNV-1a */

/* ---- The memory map ---------------------------------------------------------------------
 *
 *   IPA (the guest's view)         stage 2            PA (the hypervisor's view, MMU off)
 *   0x40000000 +2 MiB  "image"     identity ------->  0x40000000  code, data, virtqueue, stacks
 *   0x80000000 +2 MiB  "data"      2 MiB block ---->  0x40600000  the guest's I/O buffer
 *   0x0a003e00 +0x200  virtio-mmio NOT MAPPED: each access is an exit
 *                                                     0x40400000  the disk image (2 MiB),
 *                                                                 the hypervisor's only */
#define GUEST_DATA_IPA 0x80000000UL
#define GUEST_DATA_PA  RAM_FREE1
#define DISK_PA        RAM_FREE0
#define DISK_BYTES     SZ_2M
#define VIO_IPA        VBLK_DISK_BASE      /* 0x0a003e00 */
#define VIO_SIZE       0x200UL
#define VIO_INTID      VBLK_DISK_INTID     /* 79: SPI 47, as the real transport 31's */
#define VIO_PRIORITY   0xa0

/* The guest's RAM, as the hypervisor knows it: stage 2 is built from this
 * table, and the back end translates every guest address the driver hands it
 * with it. (KVM calls these memory slots; kvmtool's guest_flat_to_host does
 * the lookup.) */
struct memslot {
    const char *name;
    uint64_t ipa, pa, size;
};
static const struct memslot memslots[] = {
    { "image", RAM_BASE, RAM_BASE, SZ_2M },
    { "data", GUEST_DATA_IPA, GUEST_DATA_PA, SZ_2M },
};
#define N_MEMSLOTS (sizeof memslots / sizeof memslots[0])

/* ===================================== the hypervisor (EL2) ============================== */

/* The split virtqueue in guest memory (virtio 1.1, 2.6.5, 2.6.6, 2.6.8):
 * little-endian, as the CPU (we do not convert). The back end's own
 * declarations: it shares no code with the front end. */
struct virtq_desc {
    uint64_t addr;                  /* a guest-physical address: an IPA here */
    uint32_t len;
    uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2        /* the device writes this buffer (else reads it) */
#define VIRTQ_DESC_F_INDIRECT 4
struct virtq_avail {
    uint16_t flags, idx;            /* idx: where the driver puts the next entry */
    uint16_t ring[];                /* heads of descriptor chains */
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
struct virtq_used {
    uint16_t flags, idx;            /* idx: where the device puts the next entry */
    struct { uint32_t id, len; } ring[];   /* id: a chain's head; len: bytes written into it */
};

/* virtio-blk requests (5.2.6): a header the device reads, data, a status byte
 * the device writes. */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define SECTOR 512u

/* Device status bits (2.1) and the transport's registers (4.2.2). */
#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u
#define S_FAILED 128u
#define F_VERSION_1 (1UL << 32)     /* the only feature offered: a modern (non-legacy) device */
#define QUEUE_NUM_MAX 16u
#define INT_USED_BUFFER 1u          /* InterruptStatus bits */
#define INT_CONFIG 2u

enum exit_kind { EXIT_SETUP, EXIT_NOTIFY, EXIT_IRQ_ACK, EXIT_KINDS };
static const char *const exit_kind_name[EXIT_KINDS] = { "setup", "notification", "interrupt acknowledgement" };

/* One virtqueue as the driver described it (4.2.2 QueueNum ... QueueDevice),
 * the host pointers the back end found for its three parts, and the device's
 * own position in the available ring. */
struct vq {
    uint32_t num, ready;
    uint64_t desc, driver, device;  /* IPAs as written (Low/High halves) */
    volatile struct virtq_desc *dt; /* ... translated when QueueReady is set */
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint16_t last_avail;            /* the next available entry the device will take */
};

/* The back end: one virtio-blk device with one request queue (queue 0). */
struct vdev {
    uint32_t status, isr;
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint64_t drv_features;
    struct vq q;
    uint8_t *disk;                  /* DISK_BYTES at DISK_PA */
    uint8_t config[8];              /* virtio_blk_config: capacity (le64); the rest reads as 0 */
    /* what the example counts */
    unsigned exits[EXIT_KINDS], exits_after_setup[EXIT_KINDS];
    unsigned requests, reads, writes, injected, refused;
    int setup_done;
    unsigned trace_exits;           /* exits decoded on the console so far */
};

/* ---- Guest memory -------------------------------------------------------------------- */

/* The host (PA) address of [ipa, ipa + len) if all of it is guest RAM, or
 * NULL. Every address the guest gives the device goes through here: a guest
 * must not make its virtual device read or write the hypervisor's memory
 * (the disk image at 0x40400000 is not in any slot). */
static const struct memslot *slot_of(uint64_t ipa, uint64_t len)
{
    for (unsigned i = 0; i < N_MEMSLOTS; i++) {
        const struct memslot *m = &memslots[i];
        if (ipa >= m->ipa && len <= m->size && ipa - m->ipa <= m->size - len)
            return m;
    }
    return 0;
}
static void *guest_ptr(uint64_t ipa, uint64_t len)
{
    const struct memslot *m = slot_of(ipa, len);
    return m ? (void *)(m->pa + (ipa - m->ipa)) : 0;
}

/* Copies between guest buffers and the disk image. The hypervisor runs with
 * its MMU off (Device memory: no unaligned access), and a guest may hand it
 * any address: 8 bytes at a time when both sides allow, else bytes. */
static void copy(volatile uint8_t *dst, const volatile uint8_t *src, uint32_t len)
{
    if (((uintptr_t)dst | (uintptr_t)src | len) % 8 == 0) {
        for (uint32_t i = 0; i < len; i += 8)
            *(volatile uint64_t *)(dst + i) = *(const volatile uint64_t *)(src + i);
        return;
    }
    for (uint32_t i = 0; i < len; i++)
        dst[i] = src[i];
}

/* ---- The completion interrupt ------------------------------------------------------- */

/* The transport's interrupt line is level-sensitive: high while
 * InterruptStatus != 0 (4.2.2). The hypervisor gives it list register 0:
 * when the line is high and the guest has not yet taken the interrupt, the
 * LR holds vINTID 79 pending (pending + active if the guest is still in its
 * handler: it will be taken again after the EOI); when the line drops before
 * the guest took it, the pending state is withdrawn. HW = 0: there is no
 * physical interrupt behind it, the "device" is this program. */
static void vdev_update_irq(struct vdev *d)
{
    uint64_t lr = ich_lr_read(0);
    unsigned state = LR_GET_VINTID(lr) == VIO_INTID ? LR_STATE(lr) : 0;
    uint64_t active = state & 2 ? LR_STATE_ACTIVE : 0;
    if (d->isr && !(state & 1)) {
        ich_lr_write(0, LR_G1_PENDING(VIO_INTID, VIO_PRIORITY) | active);
        d->injected++;
    } else if (!d->isr && (state & 1)) {
        ich_lr_write(0, active ? (lr & ~LR_STATE_PA) | active : 0);
    }
}

/* 2.1.2: the device enters an error state it cannot leave without a reset;
 * with DRIVER_OK set it tells the driver with a configuration change
 * notification. */
static void vdev_needs_reset(struct vdev *d, const char *why)
{
    rt_printf("hypervisor: the guest's virtqueue is malformed (%s): DEVICE_NEEDS_RESET\n", why);
    d->status |= S_NEEDS_RESET;
    if (d->status & S_DRIVER_OK) {
        d->isr |= INT_CONFIG;
        vdev_update_irq(d);
    }
}

/* ---- Requests (the work one notification starts) ------------------------------------ */

/* Serves one request: the descriptor chain whose head is `head` (2.6.5).
 * This back end expects the layout every driver uses (a 16-byte header in the
 * first descriptor, the data in those between, the status byte alone in the
 * last); a chain framed otherwise is answered with IOERR. (The spec allows
 * any framing, 2.6.4: a general back end such as QEMU's reads the chain as
 * one byte stream.) Returns the bytes written into the chain, or -1 if the
 * chain itself is broken (then the device needs a reset). */
static long vdev_request(struct vdev *d, uint16_t head, int verbose)
{
    struct vq *q = &d->q;
    volatile struct virtq_desc *dsc[QUEUE_NUM_MAX];
    unsigned n = 0;
    /* Gather the chain; more links than the table has entries is a loop. */
    for (uint16_t i = head;; i = dsc[n - 1]->next) {
        if (i >= q->num || n == q->num)
            return -1;
        dsc[n++] = &q->dt[i];
        if (!(dsc[n - 1]->flags & VIRTQ_DESC_F_NEXT))
            break;
    }
    volatile struct virtq_desc *h = dsc[0], *st = dsc[n - 1];
    uint8_t *status = n >= 2 && st->len == 1 && (st->flags & VIRTQ_DESC_F_WRITE)
                          ? guest_ptr(st->addr, 1) : 0;
    if (!status)
        return -1;                            /* nowhere to put the status: a broken chain */
    struct { uint32_t type, reserved; uint64_t sector; } hdr;
    const volatile uint8_t *hp = h->len == sizeof hdr && !(h->flags & VIRTQ_DESC_F_WRITE)
                                     ? guest_ptr(h->addr, sizeof hdr) : 0;
    uint8_t result = VIRTIO_BLK_S_IOERR;
    uint32_t written = 1, bytes = 0;
    if (hp) {
        copy((volatile uint8_t *)&hdr, hp, sizeof hdr);
        int in = hdr.type == VIRTIO_BLK_T_IN;
        /* Check every data buffer before moving any byte: its direction, its
         * length (whole sectors, 5.2.6.1), that it is guest RAM. */
        int ok = hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_OUT;
        for (unsigned k = 1; ok && k + 1 < n; k++) {
            ok = !(dsc[k]->flags & VIRTQ_DESC_F_WRITE) == !in && dsc[k]->len % SECTOR == 0 &&
                 guest_ptr(dsc[k]->addr, dsc[k]->len);
            bytes += dsc[k]->len;
        }
        if (!(hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_OUT))
            result = VIRTIO_BLK_S_UNSUPP;    /* e.g. GET_ID, FLUSH: not offered here */
        else if (ok && hdr.sector <= DISK_BYTES / SECTOR && bytes <= DISK_BYTES - hdr.sector * SECTOR) {
            /* The data: 4 KiB between the guest's buffer and the disk image. */
            uint64_t pos = hdr.sector * SECTOR;
            for (unsigned k = 1; k + 1 < n; k++) {
                uint8_t *g = guest_ptr(dsc[k]->addr, dsc[k]->len);
                if (in)
                    copy(g, d->disk + pos, dsc[k]->len);
                else
                    copy(d->disk + pos, g, dsc[k]->len);
                pos += dsc[k]->len;
            }
            written += in ? bytes : 0;
            result = VIRTIO_BLK_S_OK;
            if (in)
                d->reads++;
            else
                d->writes++;
        }
        if (verbose) {
            rt_printf("  desc %u: %u bytes, device reads: header type %u (%s), sector %lu\n", head,
                      h->len, hdr.type, in ? "IN, a read" : "OUT, a write", hdr.sector);
            for (unsigned k = 1; k + 1 < n; k++) {
                uint64_t a = dsc[k]->addr;
                const struct memslot *m = slot_of(a, dsc[k]->len);
                rt_printf("  desc %u: %u bytes at IPA 0x%lx (\"%s\" slot: PA 0x%lx), device %s\n",
                          (unsigned)(dsc[k - 1]->next), dsc[k]->len, a, m->name, a - m->ipa + m->pa,
                          in ? "writes" : "reads");
            }
            rt_printf("  desc %u: 1 byte, device writes: the status\n", (unsigned)dsc[n - 2]->next);
            rt_printf("  -> %u bytes %s sectors %lu-%lu of the disk; status %u (%s)\n", bytes,
                      in ? "to the guest from" : "from the guest to", hdr.sector,
                      hdr.sector + bytes / SECTOR - 1, result, result == 0 ? "OK" : "error");
        }
    }
    if (result != VIRTIO_BLK_S_OK)
        d->refused++;
    *(volatile uint8_t *)status = result;
    return written;
}

/* A write to QueueNotify: the driver has made chains available (2.6.13).
 * Take every new entry of the available ring, serve it, return it in the
 * used ring (2.6.8), then raise the interrupt once (2.6.7: unless the driver
 * set VIRTQ_AVAIL_F_NO_INTERRUPT). */
static void vdev_notify(struct vdev *d, uint32_t queue, int verbose)
{
    struct vq *q = &d->q;
    const uint32_t live = S_FEATURES_OK | S_DRIVER_OK;
    /* 2.1.2: no buffers are consumed before DRIVER_OK, nor after the device
     * or the driver gave up; a queue other than 0 does not exist. */
    if (queue != 0 || !q->ready || (d->status & live) != live || (d->status & (S_NEEDS_RESET | S_FAILED)))
        return;
    uint16_t avail_idx = q->avail->idx;
    __asm__ volatile("dmb ishld" ::: "memory");      /* the index before the entries (2.6.13.3) */
    if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
        vdev_needs_reset(d, "more available entries than the queue has");
        return;
    }
    if (verbose)
        rt_printf("  avail.idx %u, the device's last_avail %u: %u new chain(s)\n", avail_idx,
                  q->last_avail, (uint16_t)(avail_idx - q->last_avail));
    int served = 0;
    while (q->last_avail != avail_idx) {
        uint16_t head = q->avail->ring[q->last_avail % q->num];
        long written = vdev_request(d, head, verbose);
        if (written < 0) {
            vdev_needs_reset(d, "a broken descriptor chain");
            return;
        }
        uint16_t u = q->used->idx;
        q->used->ring[u % q->num].id = head;
        q->used->ring[u % q->num].len = (uint32_t)written;
        __asm__ volatile("dmb ishst" ::: "memory");  /* the entry before the index (2.6.8.2) */
        q->used->idx = (uint16_t)(u + 1);
        q->last_avail++;
        d->requests++;
        served++;
        if (verbose)
            rt_printf("  used.ring[%u] = {id %u, len %u}, used.idx %u\n", u % q->num, head,
                      (unsigned)written, (unsigned)(uint16_t)(u + 1));
    }
    if (served && !(q->avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
        d->isr |= INT_USED_BUFFER;
        vdev_update_irq(d);
        if (verbose)
            rt_printf("  InterruptStatus = 0x%x; ICH_LR0_EL2 = vINTID %u, Group 1, priority 0x%x, "
                      "pending\n", d->isr, VIO_INTID, VIO_PRIORITY);
    }
}

/* ---- The transport's registers (virtio 1.1, 4.2.2) ---------------------------------- */

static void vdev_reset(struct vdev *d)
{
    d->status = d->isr = 0;
    d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
    d->drv_features = 0;
    d->q.num = d->q.ready = 0;                /* the queue's setup is forgotten */
    d->q.desc = d->q.driver = d->q.device = 0;
    d->q.dt = 0;
    d->q.avail = 0;
    d->q.used = 0;
    d->q.last_avail = 0;
    vdev_update_irq(d);
}

static uint64_t vq_half(uint64_t old, uint32_t v, int high)
{
    return high ? (old & 0xffffffffUL) | (uint64_t)v << 32 : (old & ~0xffffffffUL) | v;
}

/* Register handlers. Reads return the value; writes get it. */
static uint32_t r_magic(struct vdev *d) { (void)d; return 0x74726976; }          /* "virt" */
static uint32_t r_version(struct vdev *d) { (void)d; return 2; }
static uint32_t r_device_id(struct vdev *d) { (void)d; return 2; }               /* block device */
static uint32_t r_vendor_id(struct vdev *d) { (void)d; return 0x30315845; }      /* "EX10" */
static uint32_t r_dev_features(struct vdev *d)
{
    return d->dev_features_sel == 1 ? (uint32_t)(F_VERSION_1 >> 32) : d->dev_features_sel == 0 ? (uint32_t)F_VERSION_1 : 0;
}
static void w_dev_features_sel(struct vdev *d, uint32_t v) { d->dev_features_sel = v; }
static void w_drv_features(struct vdev *d, uint32_t v)
{
    if (d->drv_features_sel < 2)
        d->drv_features = vq_half(d->drv_features, v, d->drv_features_sel == 1);
}
static void w_drv_features_sel(struct vdev *d, uint32_t v) { d->drv_features_sel = v; }
static void w_queue_sel(struct vdev *d, uint32_t v) { d->queue_sel = v; }
/* Queue registers: only queue 0 exists (QueueNumMax reads 0 for the others,
 * 4.2.2); while a queue is ready its setup cannot change (our choice for a
 * driver that breaks 4.2.3.2: the write is ignored). */
static struct vq *sel_q(struct vdev *d, int setup)
{
    return d->queue_sel == 0 && !(setup && d->q.ready) ? &d->q : 0;
}
static uint32_t r_queue_num_max(struct vdev *d) { return sel_q(d, 0) ? QUEUE_NUM_MAX : 0; }
static void w_queue_num(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.num = v; }
static void w_queue_desc_lo(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.desc = vq_half(d->q.desc, v, 0); }
static void w_queue_desc_hi(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.desc = vq_half(d->q.desc, v, 1); }
static void w_queue_driver_lo(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.driver = vq_half(d->q.driver, v, 0); }
static void w_queue_driver_hi(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.driver = vq_half(d->q.driver, v, 1); }
static void w_queue_device_lo(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.device = vq_half(d->q.device, v, 0); }
static void w_queue_device_hi(struct vdev *d, uint32_t v) { if (sel_q(d, 1)) d->q.device = vq_half(d->q.device, v, 1); }
static uint32_t r_queue_ready(struct vdev *d) { return sel_q(d, 0) ? d->q.ready : 0; }
/* QueueReady = 1: the back end translates the three parts of the queue once,
 * here (their sizes from 2.6: 16 * num, 6 + 2 * num, 6 + 8 * num bytes, and
 * their alignments). A queue outside guest RAM, or of a size that is not a
 * power of two up to QueueNumMax, stays not ready (our choice; the driver
 * sees QueueReady read 0). */
static void w_queue_ready(struct vdev *d, uint32_t v)
{
    struct vq *q = sel_q(d, 0);
    if (!q)
        return;
    if (!(v & 1)) {
        q->ready = 0;
        return;
    }
    if (q->num == 0 || q->num > QUEUE_NUM_MAX || (q->num & (q->num - 1)) || q->desc % 16 ||
        q->driver % 2 || q->device % 4)
        return;
    q->dt = guest_ptr(q->desc, 16UL * q->num);
    q->avail = guest_ptr(q->driver, 6 + 2UL * q->num);
    q->used = guest_ptr(q->device, 6 + 8UL * q->num);
    q->ready = q->dt && q->avail && q->used;
    q->last_avail = 0;
}
static uint32_t r_int_status(struct vdev *d) { return d->isr; }
static void w_int_ack(struct vdev *d, uint32_t v)
{
    d->isr &= ~v;
    vdev_update_irq(d);
}
static uint32_t r_status(struct vdev *d) { return d->status; }
/* Status (2.1, 3.1.1): 0 resets the device. FEATURES_OK only sticks if the
 * driver accepted a subset of what was offered, VERSION_1 included (2.2.1);
 * otherwise the driver reads it back clear and gives up. */
static void w_status(struct vdev *d, uint32_t v)
{
    if (v == 0) {
        vdev_reset(d);
        return;
    }
    if ((v & S_FEATURES_OK) && !(d->status & S_FEATURES_OK) &&
        ((d->drv_features & ~F_VERSION_1) || !(d->drv_features & F_VERSION_1)))
        v &= ~S_FEATURES_OK;
    d->status = v | (d->status & S_NEEDS_RESET);
}
static uint32_t r_config_generation(struct vdev *d) { (void)d; return 0; }   /* the config never changes */

/* The register table: offset, name, which kind of exit an access to it is,
 * and its handlers (no read handler: write-only, reads as 0; no write
 * handler: read-only, writes are ignored). The QueueNotify write is the one
 * that does the work. */
struct vreg {
    uint32_t off;
    const char *name;
    enum exit_kind kind;
    int hide_value;                 /* an address in the guest's image: not printed */
    uint32_t (*read)(struct vdev *d);
    void (*write)(struct vdev *d, uint32_t v);
};
static void w_queue_notify(struct vdev *d, uint32_t v);
static const struct vreg vregs[] = {
    { 0x000, "MagicValue", EXIT_SETUP, 0, r_magic, 0 },
    { 0x004, "Version", EXIT_SETUP, 0, r_version, 0 },
    { 0x008, "DeviceID", EXIT_SETUP, 0, r_device_id, 0 },
    { 0x00c, "VendorID", EXIT_SETUP, 0, r_vendor_id, 0 },
    { 0x010, "DeviceFeatures", EXIT_SETUP, 0, r_dev_features, 0 },
    { 0x014, "DeviceFeaturesSel", EXIT_SETUP, 0, 0, w_dev_features_sel },
    { 0x020, "DriverFeatures", EXIT_SETUP, 0, 0, w_drv_features },
    { 0x024, "DriverFeaturesSel", EXIT_SETUP, 0, 0, w_drv_features_sel },
    { 0x030, "QueueSel", EXIT_SETUP, 0, 0, w_queue_sel },
    { 0x034, "QueueNumMax", EXIT_SETUP, 0, r_queue_num_max, 0 },
    { 0x038, "QueueNum", EXIT_SETUP, 0, 0, w_queue_num },
    { 0x044, "QueueReady", EXIT_SETUP, 0, r_queue_ready, w_queue_ready },
    { 0x050, "QueueNotify", EXIT_NOTIFY, 0, 0, w_queue_notify },
    { 0x060, "InterruptStatus", EXIT_IRQ_ACK, 0, r_int_status, 0 },
    { 0x064, "InterruptACK", EXIT_IRQ_ACK, 0, 0, w_int_ack },
    { 0x070, "Status", EXIT_SETUP, 0, r_status, w_status },
    { 0x080, "QueueDescLow", EXIT_SETUP, 1, 0, w_queue_desc_lo },
    { 0x084, "QueueDescHigh", EXIT_SETUP, 0, 0, w_queue_desc_hi },
    { 0x090, "QueueDriverLow", EXIT_SETUP, 1, 0, w_queue_driver_lo },
    { 0x094, "QueueDriverHigh", EXIT_SETUP, 0, 0, w_queue_driver_hi },
    { 0x0a0, "QueueDeviceLow", EXIT_SETUP, 1, 0, w_queue_device_lo },
    { 0x0a4, "QueueDeviceHigh", EXIT_SETUP, 0, 0, w_queue_device_hi },
    { 0x0fc, "ConfigGeneration", EXIT_SETUP, 0, r_config_generation, 0 },
};
#define N_VREGS (sizeof vregs / sizeof vregs[0])

static struct vdev vdev;

/* The console decodes the first write request and the first read request in full. */
static int notify_verbose(const struct vdev *d)
{
    return d->requests == 0 || d->requests == BLK_WL_REQUESTS;
}

static void w_queue_notify(struct vdev *d, uint32_t v)
{
    vdev_notify(d, v, notify_verbose(d));
}

/* The device-specific configuration space (4.2.2 Config, from offset 0x100):
 * struct virtio_blk_config (5.2.4), of which only capacity (in 512-byte
 * sectors) means anything without features. Any access size (the driver
 * uses the field's), little-endian; read-only. */
static uint64_t config_read(const struct vdev *d, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        if (off + i < sizeof d->config)
            v |= (uint64_t)d->config[off + i] << (8 * i);
    return v;
}

/* ---- The exit handler: a stage-2 data abort in the transport's window ---------------- */

/* One access to the transport, from the ISS as in example 03. Returns the
 * value read (for a read). Control registers take 32-bit accesses only
 * (4.2.2.2: "The driver MUST only use 32 bit wide and aligned reads and
 * writes"); another size, or an offset with no register, reads as 0 and
 * ignores writes (our choice: the spec leaves the device's answer open). */
static uint64_t vdev_access(struct vdev *d, uint64_t off, unsigned size, int write, uint64_t val)
{
    const struct vreg *r = 0;
    enum exit_kind kind = EXIT_SETUP;
    uint64_t result = 0;
    for (unsigned i = 0; i < N_VREGS && off < 0x100; i++)
        if (vregs[i].off == off && size == 4)
            r = &vregs[i];
    if (r)
        kind = r->kind;
    d->exits[kind]++;
    if (d->setup_done)
        d->exits_after_setup[kind]++;

    /* The console: every setup exit (the initialization protocol, 3.1.1),
     * then the first request's three exits. A write is shown before its
     * effects, a read after. */
    int trace = !d->setup_done || d->trace_exits < 3 || (kind == EXIT_NOTIFY && notify_verbose(d));
    if (trace) {
        unsigned total = d->exits[EXIT_SETUP] + d->exits[EXIT_NOTIFY] + d->exits[EXIT_IRQ_ACK];
        const char *name = r ? r->name : off >= 0x100 ? "Config" : "(no register)";
        rt_printf("hypervisor: exit %u (%s): %s %s", total, exit_kind_name[kind],
                  write ? "write" : "read", name);
        if (off >= 0x100)
            rt_printf("+0x%lx", off - 0x100);
        d->trace_exits += d->setup_done;
    }
    if (trace && write)
        rt_printf(r && r->hide_value ? " = (an IPA in the guest's image)\n" : " = 0x%lx\n", val);

    if (off >= 0x100) {
        if (!write)
            result = config_read(d, off - 0x100, size);
    } else if (r && write && r->write) {
        r->write(d, (uint32_t)val);
    } else if (r && !write && r->read) {
        result = r->read(d);
    }

    if (trace && !write)
        rt_printf(" -> 0x%lx\n", result);
    if (write && off == 0x070 && (d->status & S_DRIVER_OK) && !d->setup_done) {
        d->setup_done = 1;
        rt_printf("hypervisor: DRIVER_OK: the device is live after %u setup exits\n", d->exits[EXIT_SETUP]);
    }
    return result;
}

/* Every exit from the guest arrives here. */
void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    uint32_t iss = (uint32_t)ESR_ISS(esr);
    uint64_t ipa = HPFAR_IPA(READ_SYSREG(hpfar_el2)) | (READ_SYSREG(far_el2) & 0xfff);
    /* Only a data abort with a valid syndrome (ISV = 1) in the transport's
     * window can be emulated without decoding the instruction (example 03). */
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != 0x24 || !(iss & ISS_ISV) ||
        ipa < VIO_IPA || ipa >= VIO_IPA + VIO_SIZE) {
        rt_printf("hypervisor: cannot emulate this exit (vector %d, EC 0x%x, ISS 0x%x)\n", vector,
                  (unsigned)ESR_EC(esr), iss);
        rt_exit(1);
    }
    unsigned sas = (iss >> 22) & 3, sse = (iss >> 21) & 1, srt = (iss >> 16) & 31;
    unsigned sf = (iss >> 15) & 1, wnr = (iss >> 6) & 1;
    unsigned size = 1u << sas;
    uint64_t mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
    if (wnr) {
        vdev_access(&vdev, ipa - VIO_IPA, size, 1, (srt == 31 ? 0 : f->x[srt]) & mask);
    } else {
        uint64_t v = vdev_access(&vdev, ipa - VIO_IPA, size, 0, 0) & mask;
        if (sse && size < 8 && (v >> (8 * size - 1)) & 1)
            v |= ~mask;                       /* LDRSB/LDRSH/LDRSW: sign-extended */
        if (!sf)
            v &= 0xffffffffUL;                /* into a W register */
        if (srt != 31)
            f->x[srt] = v;
    }
    f->elr += 4;                              /* the access is done: skip the instruction */
}

/* ===================================== the guest (EL1) =================================== */

static struct vblk blk;                      /* the driver's state and its virtqueue */
static volatile unsigned irqs_taken, irq_status_seen;
static uint64_t write_sum, read_sum;
#define GUEST_BUF ((uint64_t *)GUEST_DATA_IPA)   /* the 4 KiB I/O buffer */

/* The guest's interrupt handler: a virtual IRQ, acknowledged at the virtual
 * CPU interface (ICV_IAR1_EL1: no exit), the device's InterruptStatus read
 * and acknowledged (two exits), then EOI (ICV_EOIR1_EL1: no exit). */
void el1_handler(struct rt_frame *f, int vector)
{
    (void)f;
    uint64_t intid = vector == RT_VEC_CUR_SPX + RT_IRQ ? GIC_RD(ICC_IAR1_EL1) & 0xffffff : 0;
    if (intid != VIO_INTID) {
        rt_printf("guest: unexpected exception (vector %d, INTID %lu)\n", vector, intid);
        rt_exit(1);
    }
    irq_status_seen |= vblk_ack(&blk);
    irqs_taken++;
    GIC_WR(ICC_EOIR1_EL1, intid);
}

/* One request: make it available and notify (one exit), then sleep until
 * the completion interrupt; the status is in the used ring's request. */
static int guest_request(bool write, uint64_t sector, void *buf)
{
    unsigned before = irqs_taken;
    vblk_submit(&blk, write, sector, buf, BLK_WL_REQ);
    WFI_UNTIL(irqs_taken != before);
    return vblk_take_used(&blk);
}

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    /* Its own interrupt controller setup: priority mask, Group 1 on. Under
     * HCR_EL2.IMO these are ICV_PMR_EL1 and ICV_IGRPEN1_EL1: no exit. */
    GIC_WR(ICC_PMR_EL1, 0xff);
    GIC_WR(ICC_IGRPEN1_EL1, 1);
    ISB();
    int r = vblk_init(&blk, VBLK_DISK_BASE, 0);
    if (r) {
        rt_printf("guest: no virtio-blk device (vblk_init: %d)\n", (long)r);
        return 1;
    }
    rt_printf("guest: virtio-blk at IPA 0x%08lx: %lu sectors (%lu KiB), a queue of %u\n",
              VBLK_DISK_BASE, blk.capacity, blk.capacity / 2, VBLK_QSIZE);

    write_sum = read_sum = BLK_WL_FNV_INIT;
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        blk_wl_fill(GUEST_BUF, i);
        write_sum = blk_wl_fnv(write_sum, GUEST_BUF, BLK_WL_REQ);
        if ((r = guest_request(true, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), GUEST_BUF)) != 0)
            break;
    }
    for (unsigned i = 0; r == 0 && i < BLK_WL_REQUESTS; i++) {
        for (unsigned w = 0; w < BLK_WL_REQ / 8; w++)
            GUEST_BUF[w] = 0;                /* nothing left over from the write */
        if ((r = guest_request(false, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), GUEST_BUF)) != 0)
            break;
        read_sum = blk_wl_fnv(read_sum, GUEST_BUF, BLK_WL_REQ);
    }
    rt_printf("guest: %u requests, %u interrupts, last status %d, InterruptStatus bits seen 0x%x\n",
              blk.requests, irqs_taken, (long)r, irq_status_seen);
    rt_printf("guest: wrote 1 MiB, checksum 0x%016lx; read it back, checksum 0x%016lx: %s\n", write_sum,
              read_sum, write_sum == read_sum ? "same" : "DIFFERENT");
    return r == 0 && write_sum == read_sum ? 0 : 1;
}

/* ===================================== the hypervisor's main program ===================== */
int main(void)
{
    /* Stage 2 from the memory slots; the transport's IPA stays unmapped. */
    struct pt s2;
    pt_init_s2(&s2, 40, 1);
    for (unsigned i = 0; i < N_MEMSLOTS; i++)
        pt_map_range(&s2, memslots[i].ipa, memslots[i].pa, memslots[i].size, 2, S2_RAM);
    s2_setup(&s2);
    rt_printf("hypervisor: stage 2: IPA 0x%lx -> PA 0x%lx (image), IPA 0x%lx -> PA 0x%lx (data), "
              "virtio-mmio IPA 0x%08lx unmapped\n", memslots[0].ipa, memslots[0].pa, memslots[1].ipa,
              memslots[1].pa, VIO_IPA);

    /* The back end: an empty 2 MiB disk in the hypervisor's memory. */
    vdev.disk = (uint8_t *)DISK_PA;
    for (uint64_t o = 0; o < DISK_BYTES; o += 8)
        *(volatile uint64_t *)(vdev.disk + o) = 0;
    uint64_t sectors = DISK_BYTES / SECTOR;
    for (unsigned i = 0; i < 8; i++)
        vdev.config[i] = (uint8_t)(sectors >> (8 * i));
    rt_printf("hypervisor: virtio-blk back end: disk image of %lu KiB at PA 0x%lx, interrupt vINTID %u\n",
              DISK_BYTES / 1024, DISK_PA, VIO_INTID);

    /* The virtual CPU interface: system registers for EL1 (ICC_SRE_EL2.Enable),
     * virtual Group 1 enabled with an open priority mask until the guest sets
     * its own, list registers on (ICH_HCR_EL2.En). No physical interrupt is
     * involved: the distributor is not touched. */
    GIC_WR(ICC_SRE_EL2, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE);
    ISB();
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xff));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ich_lr_write(0, 0);

    /* Run the guest: stage 2 on (VM), its IRQs to the virtual interface (IMO). */
    uint64_t ret = rt_run_el1(guest, HCR_VM | HCR_IMO, 0);

    struct vdev *d = &vdev;
    unsigned total = d->exits[EXIT_SETUP] + d->exits[EXIT_NOTIFY] + d->exits[EXIT_IRQ_ACK];
    unsigned per_req = d->exits_after_setup[EXIT_NOTIFY] + d->exits_after_setup[EXIT_IRQ_ACK];
    rt_printf("hypervisor: guest returned %lu after %u exits: %u setup, %u notifications, %u interrupt "
              "acknowledgements\n", ret, total, d->exits[EXIT_SETUP], d->exits[EXIT_NOTIFY],
              d->exits[EXIT_IRQ_ACK]);
    rt_printf("hypervisor: %u requests served (%u writes, %u reads of %u KiB, %u refused), %u interrupts "
              "injected\n", d->requests, d->writes, d->reads, BLK_WL_REQ / 1024, d->refused, d->injected);
    if (d->requests)
        rt_printf("hypervisor: steady state: %u exits per request (%u notification + %u interrupt "
                  "acknowledgements), %u exits per MiB moved\n", per_req / d->requests,
                  d->exits_after_setup[EXIT_NOTIFY] / d->requests,
                  d->exits_after_setup[EXIT_IRQ_ACK] / d->requests,
                  per_req / (2 * BLK_WL_BYTES / (1024 * 1024)));
    uint64_t disk_sum = blk_wl_fnv(BLK_WL_FNV_INIT, d->disk, BLK_WL_BYTES);
    rt_printf("hypervisor: checksum of the disk image's first MiB 0x%016lx: %s the guest's\n", disk_sum,
              disk_sum == write_sum ? "same as" : "DIFFERENT from");
    return ret == 0 && disk_sum == write_sum && per_req == 3 * d->requests ? 0 : 1;
}
