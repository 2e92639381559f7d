/* Unit tests for sim/virtio_mmio (the virtio-mmio transport, virtio 1.1
 * 4.2.2, and split virtqueues, 2.6) and its devices virtio-blk (5.2),
 * virtio-rng (5.4) and virtio-console (5.3). The test plays the driver: it
 * programs the registers and builds rings in a fake memory behind a dma_port,
 * which can be told to fault on one address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/virtio_blk.h"
#include "sim/virtio_console.h"
#include "sim/timeq.h"
#include "sim/virtio_mmio.h"
#include "sim/virtio_rng.h"

#define MEM_BASE  0x40000000ULL
#define MEM_SIZE  (1u << 20)
#define BUF_BASE  (MEM_BASE + 0x80000)   /* buffers; rings below */
#define TEST_SID  7u
#define SECTORS   64u

/* ---- A fake memory behind a DMA port, and an interrupt recorder ---- */

struct fake_mem {
    uint8_t *bytes;
    bool fault_on;
    uint64_t fault_addr;      /* an access touching this byte is terminated */
    unsigned bad_sid;         /* accesses that came with another StreamID */
};

static int mem_access(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write)
{
    struct fake_mem *m = opaque;
    (void)ssid;
    if (sid != TEST_SID)
        m->bad_sid++;
    if (m->fault_on && addr <= m->fault_addr && m->fault_addr - addr < len)
        return -1;
    if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (addr - MEM_BASE))
        return -1;
    uint8_t *p = m->bytes + (addr - MEM_BASE);
    if (is_write)
        memcpy(p, buf, len);
    else
        memcpy(buf, p, len);
    return 0;
}

struct irq_rec {
    bool level;
    unsigned raises;
};

static void irq_set(void *opaque, bool level)
{
    struct irq_rec *r = opaque;
    if (level && !r->level)
        r->raises++;
    r->level = level;
}

/* ---- The fixture: a transport, its memory, the driver's ring state ---- */

struct dq {                   /* the driver's view of one queue */
    uint64_t desc, avail, used;
    uint16_t num, avail_idx, next_desc;
};

struct fx {
    struct fake_mem mem;
    struct irq_rec irq;
    struct virtio_mmio *t;
    struct dq q[2];
    uint64_t next_buf;
    char path[64];            /* the virtio-blk image */
    FILE *out;                /* the console's output */
    int in[2];                /* the console's input: a pipe (in[1] the host's end) */
    struct virtio_dev *console;   /* the console reading in[0] */
    struct timeq tq;          /* simulated time for the console's sampling */
    uint64_t clock;
};

static struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof *f);
    f->mem.bytes = calloc(1, MEM_SIZE);
    f->next_buf = BUF_BASE;
    return f;
}

static void fx_attach(struct fx *f, struct virtio_dev *dev)
{
    struct dma_port port = { .access = mem_access, .opaque = &f->mem, .sid = TEST_SID };
    struct irq_line line = { .set = irq_set, .opaque = &f->irq };
    f->t = virtio_mmio_create(dev, port, line);
    assert_non_null(f->t);
}

static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 + i / 512); }

/* A temporary image of SECTORS sectors holding pattern(). */
static void make_image(struct fx *f)
{
    strcpy(f->path, "/tmp/avsim-virtio-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    uint8_t *b = malloc(SECTORS * 512);
    for (unsigned i = 0; i < SECTORS * 512; i++)
        b[i] = pattern(i);
    assert_int_equal(write(fd, b, SECTORS * 512), SECTORS * 512);
    free(b);
    close(fd);
}

static int setup_blk_common(void **state, bool ro)
{
    struct fx *f = fx_new();
    char err[256];
    make_image(f);
    struct virtio_dev *d = virtio_blk_create(f->path, ro, err, sizeof err);
    if (!d) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    fx_attach(f, d);
    *state = f;
    return 0;
}
static int setup_blk(void **state) { return setup_blk_common(state, false); }
static int setup_blk_ro(void **state) { return setup_blk_common(state, true); }

static int setup_rng(void **state)
{
    struct fx *f = fx_new();
    fx_attach(f, virtio_rng_create(42));
    *state = f;
    return 0;
}

static int setup_console(void **state)
{
    struct fx *f = fx_new();
    f->out = tmpfile();
    assert_non_null(f->out);
    fx_attach(f, virtio_console_create(f->out, -1));
    *state = f;
    return 0;
}

/* A console reading a pipe, its sampling in a time queue of the test's, 1 GHz. */
/* The console writing to /dev/full: the failed write sets the stream's error
 * flag, which avsim's exit check (frontend/main.c check_stdout) reads. */
static int setup_console_full(void **state)
{
    struct fx *f = fx_new();
    f->out = fopen("/dev/full", "w");
    assert_non_null(f->out);
    fx_attach(f, virtio_console_create(f->out, -1));
    *state = f;
    return 0;
}

static int setup_console_input(void **state)
{
    struct fx *f = fx_new();
    f->out = tmpfile();
    assert_non_null(f->out);
    assert_int_equal(pipe(f->in), 0);
    timeq_init(&f->tq);
    struct virtio_dev *d = virtio_console_create(f->out, f->in[0]);
    virtio_console_attach_time(d, &f->tq, &f->clock, 1000000000);
    fx_attach(f, d);
    f->console = d;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_mmio_destroy(f->t);
    if (f->path[0])
        unlink(f->path);
    if (f->out)
        fclose(f->out);
    if (f->in[0] > 0)
        close(f->in[0]);
    if (f->in[1] > 0)
        close(f->in[1]);
    free(f->mem.bytes);
    free(f);
    return 0;
}

/* ---- The driver's side ---- */

static uint32_t rd(struct fx *f, uint64_t off) { return (uint32_t)virtio_mmio_read(f->t, off, 4); }
static void wr(struct fx *f, uint64_t off, uint32_t v) { virtio_mmio_write(f->t, off, v, 4); }

static uint8_t *at(struct fx *f, uint64_t addr) { return f->mem.bytes + (addr - MEM_BASE); }
static uint16_t get16(struct fx *f, uint64_t addr) { return virtio_le16(at(f, addr)); }
static uint32_t get32(struct fx *f, uint64_t addr) { return virtio_le32(at(f, addr)); }

static uint64_t alloc_buf(struct fx *f, uint32_t len)
{
    uint64_t a = f->next_buf;
    f->next_buf += (len + 15) & ~15u;
    assert_true(f->next_buf <= MEM_BASE + MEM_SIZE);
    return a;
}

static uint64_t feature_word(struct fx *f, unsigned sel)
{
    wr(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
    return rd(f, VIRTIO_MMIO_DEVICE_FEATURES);
}
static uint64_t device_features(struct fx *f) { return feature_word(f, 0) | feature_word(f, 1) << 32; }

/* 3.1.1 steps 1-5: reset, ACKNOWLEDGE, DRIVER, the features, FEATURES_OK.
 * Returns the Status read back. */
static uint32_t negotiate(struct fx *f, uint64_t features)
{
    wr(f, VIRTIO_MMIO_STATUS, 0);
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    return rd(f, VIRTIO_MMIO_STATUS);
}

/* Step 7: one queue's rings at MEM_BASE + qi * 0x10000. */
static void setup_queue(struct fx *f, unsigned qi, uint16_t num)
{
    struct dq *q = &f->q[qi];
    uint64_t base = MEM_BASE + qi * 0x10000ULL;
    *q = (struct dq){ .desc = base, .avail = base + 0x1000, .used = base + 0x2000, .num = num };
    memset(at(f, base), 0, 0x10000);
    wr(f, VIRTIO_MMIO_QUEUE_SEL, qi);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_READY), 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_QUEUE_NUM_MAX);
    wr(f, VIRTIO_MMIO_QUEUE_NUM, num);
    wr(f, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc);
    wr(f, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc >> 32));
    wr(f, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail);
    wr(f, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail >> 32));
    wr(f, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used);
    wr(f, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used >> 32));
    wr(f, VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_READY), 1);
}

#define BASE_FEATURES (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) | \
                       VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC))

/* The whole initialisation with `features`, queues 0..nq-1 of 16 entries. */
static void bring_up(struct fx *f, uint64_t features, unsigned nq)
{
    assert_true(negotiate(f, features) & VIRTIO_STATUS_FEATURES_OK);
    for (unsigned i = 0; i < nq; i++)
        setup_queue(f, i, 16);
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                                  VIRTIO_STATUS_DRIVER_OK);
}

struct tb {                   /* one buffer of a chain the test builds */
    uint64_t addr;
    uint32_t len;
    uint16_t flags;           /* VIRTQ_DESC_F_WRITE, VIRTQ_DESC_F_INDIRECT */
};

static void put_desc(struct fx *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *d = at(f, table + 16ULL * i);
    virtio_put_le64(d, addr);
    virtio_put_le32(d + 8, len);
    virtio_put_le16(d + 12, flags);
    virtio_put_le16(d + 14, next);
}

/* Writes the chain into the queue's descriptor table, makes it available;
 * returns its head. Does not notify. */
static uint16_t add_chain(struct fx *f, unsigned qi, const struct tb *b, unsigned n)
{
    struct dq *q = &f->q[qi];
    uint16_t head = q->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((head + i) % q->num);
        uint16_t flags = b[i].flags | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
        put_desc(f, q->desc, idx, b[i].addr, b[i].len, flags, (uint16_t)((idx + 1) % q->num));
    }
    q->next_desc = (uint16_t)((head + n) % q->num);
    virtio_put_le16(at(f, q->avail + 4 + 2ULL * (q->avail_idx % q->num)), head);
    q->avail_idx++;
    virtio_put_le16(at(f, q->avail + 2), q->avail_idx);
    return head;
}

static void notify(struct fx *f, unsigned qi) { wr(f, VIRTIO_MMIO_QUEUE_NOTIFY, qi); }

static uint16_t used_idx(struct fx *f, unsigned qi) { return get16(f, f->q[qi].used + 2); }
static uint32_t used_id(struct fx *f, unsigned qi, unsigned i) { return get32(f, f->q[qi].used + 4 + 8ULL * i); }
static uint32_t used_len(struct fx *f, unsigned qi, unsigned i) { return get32(f, f->q[qi].used + 8 + 8ULL * i); }

/* A virtio-blk request header in guest memory. */
static uint64_t blk_hdr(struct fx *f, uint32_t type, uint64_t sector)
{
    uint64_t a = alloc_buf(f, 16);
    virtio_put_le32(at(f, a), type);
    virtio_put_le32(at(f, a + 4), 0);
    virtio_put_le64(at(f, a + 8), sector);
    return a;
}

/* A request: header, `len` bytes of data at `data` (device-writable for IN
 * and GET_ID), a status byte; notified. Returns the status byte's address. */
static uint64_t blk_request(struct fx *f, uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
    uint64_t st = alloc_buf(f, 1);
    *at(f, st) = 0xee;
    uint16_t dflags = type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE;
    struct tb b[3] = { { blk_hdr(f, type, sector), 16, 0 }, { data, len, dflags }, { st, 1, VIRTQ_DESC_F_WRITE } };
    if (len)
        add_chain(f, 0, b, 3);
    else
        add_chain(f, 0, (struct tb[]){ b[0], b[2] }, 2);
    notify(f, 0);
    return st;
}

static void file_bytes(struct fx *f, uint64_t off, void *buf, size_t len)
{
    int fd = open(f->path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
    close(fd);
}

/* ---- The register protocol ---- */

static void test_identity_registers(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
    assert_int_equal(rd(f, VIRTIO_MMIO_VERSION_REG), 2);
    assert_int_equal(rd(f, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
    assert_int_equal(rd(f, VIRTIO_MMIO_VENDOR_ID_REG), VIRTIO_MMIO_VENDOR_ID);
    /* Control registers take 32-bit accesses only: others are RAZ. */
    assert_int_equal(virtio_mmio_read(f->t, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
    assert_int_equal(virtio_mmio_read(f->t, VIRTIO_MMIO_MAGIC_VALUE + 1, 4), 0);

    uint64_t feat = device_features(f);
    assert_true(feat & VIRTIO_BIT(VIRTIO_F_VERSION_1));
    assert_true(feat & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
    assert_true(feat & VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC));
    assert_false(feat & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE));
    assert_false(feat & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    assert_int_equal(feature_word(f, 2), 0);

    /* The configuration space: capacity (two 32-bit halves, as Linux reads
     * it), seg_max, blk_size; a byte access; past the structure reads 0. */
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG + 0), SECTORS);
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG + 4), 0);
    assert_int_equal(virtio_mmio_read(f->t, VIRTIO_MMIO_CONFIG, 8), SECTORS);
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG + 12), VIRTIO_QUEUE_NUM_MAX - 2);
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG + 20), 512);
    assert_int_equal(virtio_mmio_read(f->t, VIRTIO_MMIO_CONFIG + 21, 1), 2);
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG + 0x80), 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_CONFIG_GENERATION), 0);
    assert_string_equal(virtio_mmio_device_name(f->t), "virtio-blk");
}

static void test_empty_transport(void **state)
{
    (void)state;
    struct dma_port port = { .access = mem_access };
    struct virtio_mmio *t = virtio_mmio_create(NULL, port, (struct irq_line){ 0 });
    assert_int_equal(virtio_mmio_read(t, VIRTIO_MMIO_MAGIC_VALUE, 4), 0x74726976);
    assert_int_equal(virtio_mmio_read(t, VIRTIO_MMIO_VERSION_REG, 4), 2);
    assert_int_equal(virtio_mmio_read(t, VIRTIO_MMIO_DEVICE_ID, 4), 0);
    virtio_mmio_write(t, VIRTIO_MMIO_STATUS, 1, 4);
    assert_int_equal(virtio_mmio_read(t, VIRTIO_MMIO_STATUS, 4), 0);
    assert_int_equal(virtio_mmio_read(t, VIRTIO_MMIO_QUEUE_NUM_MAX, 4), 0);
    assert_null(virtio_mmio_stats(t));
    virtio_mmio_destroy(t);
}

/* FEATURES_OK stays clear when the driver does not accept VIRTIO_F_VERSION_1
 * or accepts a bit that was not offered (2.2.1, 3.1.1). */
static void test_features_ok(void **state)
{
    struct fx *f = *state;
    assert_false(negotiate(f, VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM)) & VIRTIO_STATUS_FEATURES_OK);
    assert_false(negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX)) &
                 VIRTIO_STATUS_FEATURES_OK);
    assert_false(negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_RO)) & VIRTIO_STATUS_FEATURES_OK);
    uint32_t st = negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    assert_int_equal(st, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    /* A device refused FEATURES_OK never serves its queues. */
    negotiate(f, VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
    setup_queue(f, 0, 16);
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(used_idx(f, 0), 0);
}

static void test_queue_setup_and_reset(void **state)
{
    struct fx *f = *state;
    negotiate(f, BASE_FEATURES);
    wr(f, VIRTIO_MMIO_QUEUE_SEL, 1);              /* virtio-blk has one queue */
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
    wr(f, VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_READY), 0);
    setup_queue(f, 0, 16);
    wr(f, VIRTIO_MMIO_STATUS, rd(f, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
    /* While QueueReady is 1, the setup registers are ignored (4.2.2.2). */
    wr(f, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(f->q[0].used + 0x800));
    wr(f, VIRTIO_MMIO_QUEUE_NUM, 8);
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(used_idx(f, 0), 1);
    assert_int_equal(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    assert_true(f->irq.level);

    /* Status 0: a device reset (4.2.2.1). */
    wr(f, VIRTIO_MMIO_STATUS, 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_STATUS), 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_false(f->irq.level);
    wr(f, VIRTIO_MMIO_QUEUE_SEL, 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_READY), 0);

    /* Set up again, the ring positions start over; a system reset does the same. */
    bring_up(f, BASE_FEATURES, 1);
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(used_idx(f, 0), 1);
    virtio_mmio_reset(f->t);
    assert_int_equal(rd(f, VIRTIO_MMIO_STATUS), 0);
    assert_false(f->irq.level);
}

/* A Queue Size that is not a power of 2: the queue is not enabled and the
 * device needs a reset (no interrupt: DRIVER_OK is not set yet). */
static void test_bad_queue_size(void **state)
{
    struct fx *f = *state;
    negotiate(f, BASE_FEATURES);
    wr(f, VIRTIO_MMIO_QUEUE_SEL, 0);
    wr(f, VIRTIO_MMIO_QUEUE_NUM, 3);
    wr(f, VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(f, VIRTIO_MMIO_QUEUE_READY), 0);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_false(f->irq.level);
    /* The driver cannot clear DEVICE_NEEDS_RESET but by a reset. */
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    wr(f, VIRTIO_MMIO_STATUS, 0);
    assert_int_equal(rd(f, VIRTIO_MMIO_STATUS), 0);
}

/* ---- virtio-blk ---- */

static void test_blk_write_read_round_trip(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);

    /* OUT: two sectors at sector 3, the data split over two buffers. */
    uint64_t data = alloc_buf(f, 1024);
    for (unsigned i = 0; i < 1024; i++)
        *at(f, data + i) = (uint8_t)(0xa5 ^ i);
    uint64_t st = alloc_buf(f, 1);
    struct tb out[4] = { { blk_hdr(f, VIRTIO_BLK_T_OUT, 3), 16, 0 }, { data, 700, 0 }, { data + 700, 324, 0 },
                         { st, 1, VIRTQ_DESC_F_WRITE } };
    uint16_t head = add_chain(f, 0, out, 4);
    notify(f, 0);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_OK);
    assert_int_equal(used_idx(f, 0), 1);
    assert_int_equal(used_id(f, 0, 0), head);
    assert_int_equal(used_len(f, 0, 0), 1);
    assert_true(f->irq.level);
    assert_int_equal(f->irq.raises, 1);
    wr(f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    assert_false(f->irq.level);

    uint8_t fb[1024 + 2];
    file_bytes(f, 3 * 512 - 1, fb, sizeof fb);
    assert_int_equal(fb[0], pattern(3 * 512 - 1));               /* the sector before: untouched */
    assert_memory_equal(fb + 1, at(f, data), 1024);
    assert_int_equal(fb[1025], pattern(5 * 512));               /* the sector after: untouched */

    /* IN: sectors 2..5 into another buffer, the data split in three. */
    uint64_t rb = alloc_buf(f, 2048);
    uint64_t st2 = alloc_buf(f, 1);
    struct tb in[5] = { { blk_hdr(f, VIRTIO_BLK_T_IN, 2), 16, 0 }, { rb, 100, VIRTQ_DESC_F_WRITE },
                        { rb + 100, 1000, VIRTQ_DESC_F_WRITE }, { rb + 1100, 948, VIRTQ_DESC_F_WRITE },
                        { st2, 1, VIRTQ_DESC_F_WRITE } };
    add_chain(f, 0, in, 5);
    notify(f, 0);
    assert_int_equal(*at(f, st2), VIRTIO_BLK_S_OK);
    assert_int_equal(used_idx(f, 0), 2);
    assert_int_equal(used_len(f, 0, 1), 2048 + 1);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(*at(f, rb + i), pattern(2 * 512 + i));
    assert_memory_equal(at(f, rb + 512), at(f, data), 1024);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(*at(f, rb + 1536 + i), pattern(5 * 512 + i));

    const struct virtio_stats *s = virtio_mmio_stats(f->t);
    assert_int_equal(s->requests, 2);
    assert_int_equal(s->bytes_written, 1024);
    assert_int_equal(s->bytes_read, 2048);
    assert_int_equal(s->errors, 0);
    assert_int_equal(f->mem.bad_sid, 0);
}

static void test_blk_flush_and_get_id(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);
    uint64_t st = blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_OK);
    assert_int_equal(used_len(f, 0, 0), 1);

    uint64_t id = alloc_buf(f, VIRTIO_BLK_ID_BYTES);
    st = blk_request(f, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_OK);
    assert_int_equal(used_len(f, 0, 1), VIRTIO_BLK_ID_BYTES + 1);
    char want[VIRTIO_BLK_ID_BYTES] = { 0 };
    const char *base = strrchr(f->path, '/') + 1;
    memcpy(want, base, strlen(base));
    assert_memory_equal(at(f, id), want, VIRTIO_BLK_ID_BYTES);

    /* A larger ID buffer: the status is its last byte; the used length
     * counts the ID only (an underestimate, 2.6.8.1). */
    uint64_t big = alloc_buf(f, 64);
    st = blk_request(f, VIRTIO_BLK_T_GET_ID, 0, big, 64);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_OK);
    assert_int_equal(used_len(f, 0, 2), VIRTIO_BLK_ID_BYTES);

    /* An unknown request type: UNSUPP, counted as an error. */
    st = blk_request(f, 99, 0, 0, 0);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(virtio_mmio_stats(f->t)->errors, 1);
    assert_int_equal(virtio_mmio_sync(f->t, NULL, 0), 0);
}

/* Sectors past the capacity, and data that is not whole sectors: IOERR, the
 * file untouched. */
static void test_blk_out_of_range(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);
    uint64_t data = alloc_buf(f, 1024);
    memset(at(f, data), 0x11, 1024);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_OUT, SECTORS - 1, data, 1024)), VIRTIO_BLK_S_IOERR);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_IN, SECTORS, data, 512)), VIRTIO_BLK_S_IOERR);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_IN, UINT64_MAX, data, 512)), VIRTIO_BLK_S_IOERR);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_OUT, 0, data, 100)), VIRTIO_BLK_S_IOERR);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_IN, SECTORS - 1, data, 512)), VIRTIO_BLK_S_OK);
    assert_int_equal(used_idx(f, 0), 5);
    assert_int_equal(virtio_mmio_stats(f->t)->errors, 4);
    uint8_t fb[512];
    file_bytes(f, (SECTORS - 1) * 512, fb, sizeof fb);
    for (unsigned i = 0; i < sizeof fb; i++)
        assert_int_equal(fb[i], pattern((SECTORS - 1) * 512 + i));
    file_bytes(f, 0, fb, 100);
    assert_int_equal(fb[0], pattern(0));
}

static void test_blk_read_only(void **state)
{
    struct fx *f = *state;
    assert_true(device_features(f) & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    bring_up(f, BASE_FEATURES | VIRTIO_BIT(VIRTIO_BLK_F_RO), 1);
    uint64_t data = alloc_buf(f, 512);
    memset(at(f, data), 0x5a, 512);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_OUT, 0, data, 512)), VIRTIO_BLK_S_IOERR);
    uint8_t fb[512];
    file_bytes(f, 0, fb, sizeof fb);
    for (unsigned i = 0; i < sizeof fb; i++)
        assert_int_equal(fb[i], pattern(i));
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_IN, 0, data, 512)), VIRTIO_BLK_S_OK);
    assert_memory_equal(at(f, data), fb, 512);
    assert_int_equal(*at(f, blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0)), VIRTIO_BLK_S_OK);

    /* A read lock: another read-only user may share the image, a writer not. */
    char err[512];
    struct virtio_dev *d = virtio_blk_create(f->path, true, err, sizeof err);
    assert_non_null(d);
    virtio_dev_destroy(d);
    assert_null(virtio_blk_create(f->path, false, err, sizeof err));
    assert_non_null(strstr(err, "is in use"));
}

/* The image opened for writing is locked against a second user; bad paths
 * give clear messages. */
static void test_blk_create_errors(void **state)
{
    struct fx *f = *state;
    char err[512];
    assert_null(virtio_blk_create(f->path, false, err, sizeof err));
    assert_non_null(strstr(err, "is in use"));
    assert_null(virtio_blk_create(f->path, true, err, sizeof err));
    assert_non_null(strstr(err, "is in use"));

    assert_null(virtio_blk_create("/nonexistent/avsim.img", false, err, sizeof err));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_null(virtio_blk_create("/tmp", true, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    assert_null(virtio_blk_create("/tmp", false, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    assert_null(virtio_blk_create("/dev/null", false, err, sizeof err));
    assert_non_null(strstr(err, "neither a regular file nor a block device"));
    assert_null(virtio_blk_create("", false, err, sizeof err));

    char small[] = "/tmp/avsim-virtio-small-XXXXXX";
    int fd = mkstemp(small);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    assert_null(virtio_blk_create(small, false, err, sizeof err));
    assert_non_null(strstr(err, "smaller than one 512-byte sector"));
    /* Unwritable (root ignores file modes: then only the read-only open is checked). */
    chmod(small, 0444);
    fd = open(small, O_WRONLY | O_TRUNC);
    if (fd >= 0) {
        close(fd);
    } else {
        assert_null(virtio_blk_create(small, false, err, sizeof err));
        assert_non_null(strstr(err, "cannot be opened for writing"));
    }
    unlink(small);
}

/* A chain through an indirect table (2.6.5.3), and direct descriptors
 * followed by an indirect one (2.6.5.3.2). */
static void test_blk_indirect(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);
    uint64_t data = alloc_buf(f, 512), st = alloc_buf(f, 1), table = alloc_buf(f, 3 * 16);
    memset(at(f, data), 0x3c, 512);
    put_desc(f, table, 0, blk_hdr(f, VIRTIO_BLK_T_OUT, 7), 16, VIRTQ_DESC_F_NEXT, 2);
    put_desc(f, table, 2, data, 512, VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, table, 1, st, 1, VIRTQ_DESC_F_WRITE, 0);
    struct tb ind = { table, 3 * 16, VIRTQ_DESC_F_INDIRECT };
    add_chain(f, 0, &ind, 1);
    notify(f, 0);
    assert_int_equal(*at(f, st), VIRTIO_BLK_S_OK);
    uint8_t fb[512];
    file_bytes(f, 7 * 512, fb, sizeof fb);
    assert_memory_equal(fb, at(f, data), 512);

    /* The header direct, the data and status in a table. */
    uint64_t rb = alloc_buf(f, 512), st2 = alloc_buf(f, 1), t2 = alloc_buf(f, 2 * 16);
    put_desc(f, t2, 0, rb, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, t2, 1, st2, 1, VIRTQ_DESC_F_WRITE, 0);
    struct tb mixed[2] = { { blk_hdr(f, VIRTIO_BLK_T_IN, 8), 16, 0 }, { t2, 2 * 16, VIRTQ_DESC_F_INDIRECT } };
    add_chain(f, 0, mixed, 2);
    notify(f, 0);
    assert_int_equal(*at(f, st2), VIRTIO_BLK_S_OK);
    assert_int_equal(used_len(f, 0, 1), 513);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(*at(f, rb + i), pattern(8 * 512 + i));
    assert_false(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* An indirect descriptor the driver did not negotiate: malformed. */
static void test_indirect_not_negotiated(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES & ~VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC), 1);
    uint64_t st = alloc_buf(f, 1), table = alloc_buf(f, 2 * 16);
    put_desc(f, table, 0, blk_hdr(f, VIRTIO_BLK_T_FLUSH, 0), 16, VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, table, 1, st, 1, VIRTQ_DESC_F_WRITE, 0);
    add_chain(f, 0, &(struct tb){ table, 32, VIRTQ_DESC_F_INDIRECT }, 1);
    notify(f, 0);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_int_equal(used_idx(f, 0), 0);
}

/* A DMA fault on a data buffer: DEVICE_NEEDS_RESET and the configuration
 * change interrupt (2.1.2); the request is not completed; the device takes
 * nothing more until a reset. A faulting OUT leaves the file untouched. */
static void test_dma_fault(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);
    uint64_t data = alloc_buf(f, 1024);
    memset(at(f, data), 0x77, 1024);
    f->mem.fault_on = true;
    f->mem.fault_addr = data + 600;
    blk_request(f, VIRTIO_BLK_T_OUT, 0, data, 1024);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_int_equal(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    assert_true(f->irq.level);
    assert_int_equal(used_idx(f, 0), 0);
    assert_int_equal(virtio_mmio_stats(f->t)->needs_reset, 1);
    uint8_t fb[1024];
    file_bytes(f, 0, fb, sizeof fb);
    for (unsigned i = 0; i < sizeof fb; i++)
        assert_int_equal(fb[i], pattern(i));

    f->mem.fault_on = false;
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(used_idx(f, 0), 0);          /* ignored until a reset */
    wr(f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    assert_false(f->irq.level);

    /* After a reset the device works again; a fault on the used ring, then
     * on the descriptor table, also lands in DEVICE_NEEDS_RESET. */
    bring_up(f, BASE_FEATURES, 1);
    f->mem.fault_on = true;
    f->mem.fault_addr = f->q[0].used + 2;
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    bring_up(f, BASE_FEATURES, 1);
    f->mem.fault_addr = f->q[0].desc + 16 + 8;
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_int_equal(virtio_mmio_stats(f->t)->needs_reset, 3);
}

/* Malformed chains (2.6.5): a loop, an index past the table, a readable
 * buffer after a writable one, more than 2^32 - 1 bytes. */
static void expect_broken(struct fx *f)
{
    notify(f, 0);
    assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_true(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
    assert_int_equal(used_idx(f, 0), 0);
}

static void test_malformed_chains(void **state)
{
    struct fx *f = *state;
    uint64_t hdr = blk_hdr(f, VIRTIO_BLK_T_FLUSH, 0), st = alloc_buf(f, 1);

    bring_up(f, BASE_FEATURES, 1);                /* a loop: 0 -> 1 -> 0 */
    add_chain(f, 0, (struct tb[]){ { hdr, 16, 0 }, { st, 1, VIRTQ_DESC_F_WRITE } }, 2);
    put_desc(f, f->q[0].desc, 1, hdr, 16, VIRTQ_DESC_F_NEXT, 0);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* next past the Queue Size (entry 16 would be valid) */
    add_chain(f, 0, (struct tb[]){ { hdr, 16, 0 }, { st, 1, VIRTQ_DESC_F_WRITE } }, 2);
    put_desc(f, f->q[0].desc, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 16);
    put_desc(f, f->q[0].desc, 16, st, 1, VIRTQ_DESC_F_WRITE, 0);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* readable after writable */
    add_chain(f, 0, (struct tb[]){ { st, 1, VIRTQ_DESC_F_WRITE }, { hdr, 16, 0 } }, 2);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* 2^32 bytes in all */
    add_chain(f, 0, (struct tb[]){ { hdr, 0x80000000u, 0 }, { hdr, 0x80000000u, 0 }, { st, 1, VIRTQ_DESC_F_WRITE } }, 3);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* a loop inside an indirect table */
    uint64_t table = alloc_buf(f, 32);
    put_desc(f, table, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, table, 1, hdr, 16, VIRTQ_DESC_F_NEXT, 0);
    add_chain(f, 0, &(struct tb){ table, 32, VIRTQ_DESC_F_INDIRECT }, 1);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* an indirect table of 17 bytes */
    add_chain(f, 0, &(struct tb){ table, 17, VIRTQ_DESC_F_INDIRECT }, 1);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* the available idx moved past the ring */
    virtio_put_le16(at(f, f->q[0].avail + 2), 17);
    expect_broken(f);

    bring_up(f, BASE_FEATURES, 1);                /* a blk request without a status byte */
    add_chain(f, 0, &(struct tb){ hdr, 16, 0 }, 1);
    expect_broken(f);
    assert_int_equal(virtio_mmio_stats(f->t)->needs_reset, 8);
}

/* VIRTQ_AVAIL_F_NO_INTERRUPT: the buffer is used, no interrupt (2.6.7.2). */
static void test_no_interrupt_flag(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 1);
    virtio_put_le16(at(f, f->q[0].avail), VIRTQ_AVAIL_F_NO_INTERRUPT);
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_int_equal(used_idx(f, 0), 1);
    assert_int_equal(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_false(f->irq.level);
    virtio_put_le16(at(f, f->q[0].avail), 0);
    blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    assert_true(f->irq.level);
}

/* ---- virtio-rng ---- */

/* Fills `len` bytes through the queue in requests of `chunk` bytes. */
static void rng_collect(struct fx *f, uint8_t *out, unsigned len, unsigned chunk)
{
    for (unsigned off = 0; off < len; off += chunk) {
        unsigned n = len - off < chunk ? len - off : chunk;
        uint64_t b = alloc_buf(f, n);
        uint16_t before = used_idx(f, 0);
        add_chain(f, 0, &(struct tb){ b, n, VIRTQ_DESC_F_WRITE }, 1);
        notify(f, 0);
        assert_int_equal(used_idx(f, 0), (uint16_t)(before + 1));
        assert_int_equal(used_len(f, 0, before % 16), n);
        memcpy(out + off, at(f, b), n);
    }
}

static void test_rng_determinism(void **state)
{
    struct fx *f = *state;                         /* seed 42 */
    assert_int_equal(rd(f, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_ENTROPY);
    bring_up(f, BASE_FEATURES, 1);
    uint8_t a[100], b[100], c[100];
    rng_collect(f, a, sizeof a, 100);
    /* xoshiro256** seeded by SplitMix64(42): its first two outputs, little-endian. */
    static const uint8_t first[16] = { 0x16, 0xc7, 0x2e, 0x0c, 0x2e, 0x0b, 0x78, 0x15,
                                       0x7e, 0x3a, 0x11, 0x6d, 0x86, 0xd9, 0x04, 0x61 };
    assert_memory_equal(a, first, sizeof first);

    struct fx *g = fx_new();                       /* the same seed, other request sizes */
    fx_attach(g, virtio_rng_create(42));
    bring_up(g, BASE_FEATURES, 1);
    rng_collect(g, b, sizeof b, 37);
    assert_memory_equal(a, b, sizeof a);
    void *gs = g;
    teardown(&gs);

    struct fx *h = fx_new();                       /* another seed, other bytes */
    fx_attach(h, virtio_rng_create(43));
    bring_up(h, BASE_FEATURES, 1);
    rng_collect(h, c, sizeof c, 100);
    assert_memory_not_equal(a, c, sizeof a);
    void *hs = h;
    teardown(&hs);
    assert_int_equal(virtio_mmio_stats(f->t)->bytes_read, 100);
}

/* Buffers made available before DRIVER_OK are taken when it is set. */
static void test_rng_before_driver_ok(void **state)
{
    struct fx *f = *state;
    negotiate(f, BASE_FEATURES);
    setup_queue(f, 0, 16);
    uint64_t b = alloc_buf(f, 32);
    add_chain(f, 0, &(struct tb){ b, 32, VIRTQ_DESC_F_WRITE }, 1);
    notify(f, 0);
    assert_int_equal(used_idx(f, 0), 0);
    wr(f, VIRTIO_MMIO_STATUS, rd(f, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(used_idx(f, 0), 1);
    assert_int_equal(used_len(f, 0, 0), 32);
    assert_true(f->irq.level);
}

/* ---- virtio-console ---- */

static void test_console_output(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
    assert_int_equal(device_features(f), BASE_FEATURES);   /* no console feature bits */
    bring_up(f, BASE_FEATURES, 2);

    /* Without input, the receiveq's buffers stay posted. */
    uint64_t rx = alloc_buf(f, 64);
    add_chain(f, 0, &(struct tb){ rx, 64, VIRTQ_DESC_F_WRITE }, 1);
    notify(f, 0);
    assert_int_equal(used_idx(f, 0), 0);

    uint64_t b1 = alloc_buf(f, 6), b2 = alloc_buf(f, 6);
    memcpy(at(f, b1), "hello ", 6);
    memcpy(at(f, b2), "world\n", 6);
    add_chain(f, 1, (struct tb[]){ { b1, 6, 0 }, { b2, 6, 0 } }, 2);
    notify(f, 1);
    assert_int_equal(used_idx(f, 1), 1);
    assert_int_equal(used_len(f, 1, 0), 0);
    assert_true(f->irq.level);

    char got[32] = { 0 };
    rewind(f->out);
    assert_int_equal(fread(got, 1, sizeof got, f->out), 12);
    assert_string_equal(got, "hello world\n");
    assert_int_equal(virtio_mmio_stats(f->t)->bytes_written, 12);
    assert_int_equal(virtio_mmio_stats(f->t)->requests, 1);
}

static void test_console_output_write_error(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 2);
    uint64_t b = alloc_buf(f, 6);
    memcpy(at(f, b), "hello\n", 6);
    add_chain(f, 1, &(struct tb){ b, 6, 0 }, 1);
    notify(f, 1);
    assert_int_equal(used_idx(f, 1), 1);        /* the guest is not told: a console has no status */
    assert_true(ferror(f->out));
    assert_true(virtio_mmio_stats(f->t)->errors > 0);
}

/* Runs the test's time queue until `until` (ns at 1 GHz). */
static void run_time(struct fx *f, uint64_t until)
{
    while (timeq_next(&f->tq) <= until) {
        f->clock = timeq_next(&f->tq);
        timeq_run_due(&f->tq, f->clock);
    }
    f->clock = until;
}

static void test_console_input(void **state)
{
    struct fx *f = *state;
    bring_up(f, BASE_FEATURES, 2);
    /* Two receive buffers posted while the host has typed nothing: both stay
     * available, and the device samples the host every HVC_SAMPLE_US. */
    uint64_t rx1 = alloc_buf(f, 4), rx2 = alloc_buf(f, 64);
    add_chain(f, 0, &(struct tb){ rx1, 4, VIRTQ_DESC_F_WRITE }, 1);
    add_chain(f, 0, &(struct tb){ rx2, 64, VIRTQ_DESC_F_WRITE }, 1);
    notify(f, 0);
    assert_int_equal(used_idx(f, 0), 0);
    assert_false(f->irq.level);
    assert_true(virtio_console_rx_waiting(f->console));
    assert_int_equal(timeq_next(&f->tq), HVC_SAMPLE_US * 1000);
    run_time(f, 10 * HVC_SAMPLE_US * 1000);
    assert_int_equal(used_idx(f, 0), 0);      /* still nothing typed */

    /* Typed input fills the first buffer (4 bytes), then the next, in order,
     * at the next sampling point, with the used-buffer interrupt. */
    assert_int_equal(write(f->in[1], "ls -l\n", 6), 6);
    uint64_t t = f->clock;
    run_time(f, t + HVC_SAMPLE_US * 1000 - 1);
    assert_int_equal(used_idx(f, 0), 0);      /* not before the sampling point */
    run_time(f, t + HVC_SAMPLE_US * 1000);
    assert_int_equal(used_idx(f, 0), 2);
    assert_int_equal(used_len(f, 0, 0), 4);
    assert_int_equal(used_len(f, 0, 1), 2);
    assert_memory_equal(at(f, rx1), "ls -", 4);
    assert_memory_equal(at(f, rx2), "l\n", 2);
    assert_true(f->irq.level);
    assert_int_equal(virtio_mmio_stats(f->t)->bytes_read, 6);
    /* No buffer is posted now: sampling stops until the driver posts one. */
    assert_int_equal(timeq_next(&f->tq), TIMEQ_NEVER);

    /* Input already waiting when a buffer is posted: taken at the next
     * sampling point, not within the notification. */
    assert_int_equal(write(f->in[1], "x", 1), 1);
    uint64_t rx3 = alloc_buf(f, 16);
    add_chain(f, 0, &(struct tb){ rx3, 16, VIRTQ_DESC_F_WRITE }, 1);
    notify(f, 0);
    assert_int_equal(used_idx(f, 0), 2);
    run_time(f, f->clock + HVC_SAMPLE_US * 1000);
    assert_int_equal(used_idx(f, 0), 3);
    assert_int_equal(used_len(f, 0, 2), 1);

    /* A device reset stops the sampling; the end of the input too. */
    uint64_t rx4 = alloc_buf(f, 16);
    add_chain(f, 0, &(struct tb){ rx4, 16, VIRTQ_DESC_F_WRITE }, 1);
    notify(f, 0);
    assert_int_not_equal(timeq_next(&f->tq), TIMEQ_NEVER);
    wr(f, VIRTIO_MMIO_STATUS, 0);
    run_time(f, f->clock + 2 * HVC_SAMPLE_US * 1000);
    assert_int_equal(timeq_next(&f->tq), TIMEQ_NEVER);
    close(f->in[1]);
    f->in[1] = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identity_registers, setup_blk, teardown),
        cmocka_unit_test(test_empty_transport),
        cmocka_unit_test_setup_teardown(test_features_ok, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_queue_setup_and_reset, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_bad_queue_size, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_blk_write_read_round_trip, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_blk_flush_and_get_id, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_blk_out_of_range, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_blk_read_only, setup_blk_ro, teardown),
        cmocka_unit_test_setup_teardown(test_blk_create_errors, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_blk_indirect, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_not_negotiated, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_dma_fault, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_chains, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup_blk, teardown),
        cmocka_unit_test_setup_teardown(test_rng_determinism, setup_rng, teardown),
        cmocka_unit_test_setup_teardown(test_rng_before_driver_ok, setup_rng, teardown),
        cmocka_unit_test_setup_teardown(test_console_output, setup_console, teardown),
        cmocka_unit_test_setup_teardown(test_console_output_write_error, setup_console_full, teardown),
        cmocka_unit_test_setup_teardown(test_console_input, setup_console_input, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
