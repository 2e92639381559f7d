/* Unit tests for sim/dmatest (the DMA test device, register map in
 * sim/dmatest.h), against a fake dma_port: 64 KiB of memory at address 0, a
 * range that terminates reads and one that terminates writes, and a log of
 * the accesses (StreamID, SubstreamID, address, length, direction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/dmatest.h"

#define MEM_SIZE 0x10000u
#define LOG_MAX 64

struct access {
    uint32_t sid, ssid;
    uint64_t addr;
    size_t len;
    bool is_write;
};

struct fixture {
    struct dmatest *d;
    uint8_t mem[MEM_SIZE];
    uint64_t rfault_lo, rfault_hi, wfault_lo, wfault_hi;   /* [lo, hi): terminated */
    struct access log[LOG_MAX];
    unsigned nlog;
    bool level;
    unsigned edges;
};

static bool overlaps(uint64_t a, size_t len, uint64_t lo, uint64_t hi)
{
    return a < hi && a + len > lo;
}

static int fake_access(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write)
{
    struct fixture *f = opaque;
    if (f->nlog < LOG_MAX)
        f->log[f->nlog++] = (struct access){ sid, ssid, addr, len, is_write };
    if (addr + len > MEM_SIZE)
        return -1;
    if (is_write ? overlaps(addr, len, f->wfault_lo, f->wfault_hi) : overlaps(addr, len, f->rfault_lo, f->rfault_hi))
        return -1;
    if (is_write)
        memcpy(f->mem + addr, buf, len);
    else
        memcpy(buf, f->mem + addr, len);
    return 0;
}

static void fake_irq(void *opaque, bool level)
{
    struct fixture *f = opaque;
    if (level && !f->level)
        f->edges++;
    f->level = level;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.d = dmatest_create((struct dma_port){ fake_access, &f, 7 }, (struct irq_line){ fake_irq, &f });
    if (!f.d)
        return -1;
    for (unsigned i = 0; i < MEM_SIZE; i++)
        f.mem[i] = (uint8_t)(i * 7 + 3);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    dmatest_destroy(f->d);
    return 0;
}

static uint32_t rd(struct fixture *f, uint64_t off) { return (uint32_t)dmatest_read(f->d, off, 4); }
static void wr(struct fixture *f, uint64_t off, uint32_t v) { dmatest_write(f->d, off, v, 4); }
static uint64_t rd64(struct fixture *f, uint64_t off) { return dmatest_read(f->d, off, 8); }
static void wr64(struct fixture *f, uint64_t off, uint64_t v) { dmatest_write(f->d, off, v, 8); }

static void command(struct fixture *f, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
    wr64(f, DMATEST_SRC, src);
    wr64(f, DMATEST_DST, dst);
    wr(f, DMATEST_LEN, len);
    f->nlog = 0;
    wr(f, DMATEST_CMD, cmd);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void test_reset_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, DMATEST_ID), DMATEST_ID_VALUE);
    assert_int_equal(rd(f, DMATEST_SID), 7);          /* the dma_port's StreamID */
    assert_int_equal(rd(f, DMATEST_SSID), 0);
    assert_int_equal(rd(f, DMATEST_STATUS), 0);
    assert_int_equal(rd(f, DMATEST_IRQ_STATUS), 0);
    assert_false(f->level);
}

static void test_register_access(void **state)
{
    struct fixture *f = *state;
    wr64(f, DMATEST_SRC, 0x1122334455667788ULL);
    assert_int_equal(rd64(f, DMATEST_SRC), 0x1122334455667788ULL);
    assert_int_equal(rd(f, DMATEST_SRC), 0x55667788u);
    assert_int_equal(rd(f, DMATEST_SRC + 4), 0x11223344u);
    wr(f, DMATEST_SRC + 4, 0xaabbccddu);                 /* the high half alone */
    assert_int_equal(rd64(f, DMATEST_SRC), 0xaabbccdd55667788ULL);
    wr(f, DMATEST_SSID, 0xffffffffu);                     /* RES0 bits written as zero */
    assert_int_equal(rd(f, DMATEST_SSID), DMATEST_SSID_SSV | DMATEST_SSID_MASK);
    wr(f, DMATEST_ID, 0);                                 /* read-only */
    assert_int_equal(rd(f, DMATEST_ID), DMATEST_ID_VALUE);
    wr(f, DMATEST_IRQ_ENABLE, 0xffffffffu);
    assert_int_equal(rd(f, DMATEST_IRQ_ENABLE), DMATEST_IRQ_DONE | DMATEST_IRQ_ERROR);
    /* RAZ/WI: unassigned, misaligned, other sizes */
    wr(f, 0x800, 1);
    assert_int_equal(rd(f, 0x800), 0);
    assert_int_equal(dmatest_read(f->d, DMATEST_ID, 2), 0);
    assert_int_equal(dmatest_read(f->d, DMATEST_SRC + 4, 8), 0);
    dmatest_write(f->d, DMATEST_LEN, 5, 1);
    assert_int_equal(rd(f, DMATEST_LEN), 0);
    assert_int_equal(rd(f, DMATEST_IRQ_ACK), 0);         /* write-only */
}

static void test_copy(void **state)
{
    struct fixture *f = *state;
    uint8_t want[6000];
    memcpy(want, f->mem + 0x1000, sizeof want);
    wr(f, DMATEST_SID, 42);
    command(f, 0x1000, 0x8000, sizeof want, DMATEST_CMD_COPY);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_DONE);
    assert_memory_equal(f->mem + 0x8000, want, sizeof want);
    /* chunks: read 4096, write 4096, read 1904, write 1904, as StreamID 42, no SubstreamID */
    assert_int_equal(f->nlog, 4);
    assert_false(f->log[0].is_write);
    assert_int_equal(f->log[0].addr, 0x1000);
    assert_int_equal(f->log[0].len, DMATEST_CHUNK);
    assert_true(f->log[1].is_write);
    assert_int_equal(f->log[1].addr, 0x8000);
    assert_int_equal(f->log[3].addr, 0x9000);
    assert_int_equal(f->log[3].len, 6000 - DMATEST_CHUNK);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(f->log[i].sid, 42);
        assert_int_equal(f->log[i].ssid, DMA_NO_SSID);
    }
    uint64_t first = 0;
    for (unsigned i = 0; i < 8; i++)
        first |= (uint64_t)want[i] << (8 * i);
    assert_int_equal(rd64(f, DMATEST_DATA), first);
    assert_int_equal(rd64(f, DMATEST_CHECKSUM), 0);      /* COPY leaves it */
}

static void test_fill(void **state)
{
    struct fixture *f = *state;
    wr(f, DMATEST_SSID, DMATEST_SSID_SSV | 5);
    wr64(f, DMATEST_PATTERN, 0x0807060504030201ULL);
    command(f, 0, 0x2003, 11, DMATEST_CMD_FILL);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_DONE);
    static const uint8_t want[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3 };
    assert_memory_equal(f->mem + 0x2003, want, sizeof want);
    assert_int_equal(f->mem[0x2003 + 11], (uint8_t)((0x2003 + 11) * 7 + 3));   /* no more */
    assert_int_equal(f->nlog, 1);                          /* writes only */
    assert_true(f->log[0].is_write);
    assert_int_equal(f->log[0].ssid, 5);
    assert_int_equal(f->log[0].sid, 7);
}

static void test_read_checksum(void **state)
{
    struct fixture *f = *state;
    command(f, 0x3000, 0, 5000, DMATEST_CMD_READ);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_DONE);
    assert_int_equal(rd64(f, DMATEST_CHECKSUM), fnv1a(f->mem + 0x3000, 5000));
    assert_int_equal(f->nlog, 2);                          /* reads only */
    assert_false(f->log[0].is_write);
    assert_false(f->log[1].is_write);
    /* fewer than 8 bytes: DATA holds them, the rest zero */
    command(f, 0x10, 0, 3, DMATEST_CMD_READ);
    assert_int_equal(rd64(f, DMATEST_DATA), f->mem[0x10] | f->mem[0x11] << 8 | (uint64_t)f->mem[0x12] << 16);
    /* LEN 0: done, nothing moved */
    command(f, 0, 0, 0, DMATEST_CMD_READ);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_DONE);
    assert_int_equal(f->nlog, 0);
}

static void test_faults(void **state)
{
    struct fixture *f = *state;
    /* a read fault: the copy stops before any write */
    f->rfault_lo = 0x5000, f->rfault_hi = 0x6000;
    uint8_t before = f->mem[0xa000];
    command(f, 0x5000, 0xa000, 16, DMATEST_CMD_COPY);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_FAULT | DMATEST_ST_SRC_FAULT);
    assert_int_equal(f->nlog, 1);
    assert_int_equal(f->mem[0xa000], before);
    /* a write fault in the second chunk: the first chunk has moved */
    f->rfault_lo = f->rfault_hi = 0;
    f->wfault_lo = 0xb000, f->wfault_hi = 0xc000;
    command(f, 0x1000, 0xa000, 2 * DMATEST_CHUNK, DMATEST_CMD_COPY);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_FAULT | DMATEST_ST_DST_FAULT);
    assert_int_equal(f->nlog, 4);
    assert_memory_equal(f->mem + 0xa000, f->mem + 0x1000, DMATEST_CHUNK);
    /* the next command clears the status */
    command(f, 0x1000, 0, 8, DMATEST_CMD_READ);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_DONE);
    /* refused: an unknown command, a length over the maximum */
    command(f, 0, 0, 8, 9);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_BADCMD);
    assert_int_equal(f->nlog, 0);
    command(f, 0, 0, DMATEST_MAX_LEN + 1, DMATEST_CMD_FILL);
    assert_int_equal(rd(f, DMATEST_STATUS), DMATEST_ST_BADCMD);
    assert_int_equal(f->nlog, 0);
}

static void test_interrupt(void **state)
{
    struct fixture *f = *state;
    command(f, 0, 0x100, 8, DMATEST_CMD_COPY);            /* status set, line low (not enabled) */
    assert_int_equal(rd(f, DMATEST_IRQ_STATUS), DMATEST_IRQ_DONE);
    assert_false(f->level);
    wr(f, DMATEST_IRQ_ENABLE, DMATEST_IRQ_DONE);          /* enabling raises it */
    assert_true(f->level);
    wr(f, DMATEST_IRQ_ACK, DMATEST_IRQ_DONE);
    assert_false(f->level);
    assert_int_equal(rd(f, DMATEST_IRQ_STATUS), 0);
    f->wfault_lo = 0, f->wfault_hi = MEM_SIZE;
    command(f, 0, 0x100, 8, DMATEST_CMD_FILL);             /* ERROR, not enabled */
    assert_int_equal(rd(f, DMATEST_IRQ_STATUS), DMATEST_IRQ_ERROR);
    assert_false(f->level);
    wr(f, DMATEST_IRQ_ENABLE, DMATEST_IRQ_DONE | DMATEST_IRQ_ERROR);
    assert_true(f->level);
    wr(f, DMATEST_IRQ_ACK, DMATEST_IRQ_DONE);             /* the wrong bit: stays high */
    assert_true(f->level);
    wr(f, DMATEST_IRQ_ACK, DMATEST_IRQ_ERROR);
    assert_false(f->level);
    dmatest_reset(f->d);
    assert_int_equal(rd(f, DMATEST_IRQ_ENABLE), 0);
    assert_int_equal(f->edges, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
