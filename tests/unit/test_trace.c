/* Unit tests for traces/trace: round trips of every record type with extreme
 * fields, class-mask filtering at write time, a large trace's size and
 * speed, truncation at every length, corruption at every byte, foreign and
 * newer-version files, writer errors, class names and the record filter;
 * version 2: records of several PEs interleaved (each PE's clock its own, so
 * time goes backwards between PEs), the exact bytes of a PE switch, one-PE
 * streams unchanged from version 1, version-1 files still read. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "sim/dma.h"
#include "sim/events.h"
#include "smmu/smmu.h"
#include "traces/recorder.h"
#include "traces/tools.h"
#include "traces/trace.h"

#define DESC "{\"machine\": \"virt\", \"cpu\": \"cortex-a57\"}"

struct fix {
    char path[64];       /* the trace under test */
    char path2[80];      /* a scratch copy (cut or corrupted) */
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->path, sizeof f->path, "/tmp/avsim_trace_XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(f->path2, sizeof f->path2, "%s.b", f->path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    unlink(f->path);
    unlink(f->path2);
    free(f);
    return 0;
}

/* ---- Helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A 64-bit value drawn from a spread of shapes: small, page-like, extremes. */
static uint64_t rnd_u64(uint64_t *s)
{
    static const uint64_t extremes[] = { 0, 1, UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000ull,
                                         0xffff000000000000ull, 0x0000ffffffffffffull, 0x7fffffffffffffffull };
    uint64_t x = rng_next(s);
    switch (x & 3) {
    case 0: return extremes[(x >> 2) % 8];
    case 1: return (x >> 8) & 0xffff;
    case 2: return 0x40000000ull + ((x >> 8) & 0xfffff000ull);
    default: return rng_next(s);
    }
}

/* Only the fields the type keeps (trace.h, FORMAT.md); flags bits 0-2 only. */
static struct trace_record canonical(const struct trace_record *in)
{
    struct trace_record r;
    memset(&r, 0, sizeof r);
    r.type = in->type;
    r.pe = in->pe;
    r.time = in->time;
    r.flags = in->flags & 0x07;
    switch (in->type) {
    case TR_BLOCK:
    case TR_DATA:
        r.el = in->el, r.regime = in->regime, r.vmid = in->vmid, r.asid = in->asid, r.size = in->size;
        r.va = in->va, r.ipa = in->ipa, r.pa = in->pa;
        break;
    case TR_WALK:
        r.el = in->el, r.regime = in->regime, r.vmid = in->vmid, r.asid = in->asid, r.level = in->level;
        r.va = in->va, r.ipa = in->ipa, r.pa = in->pa;
        break;
    case TR_EXCEPTION:
        r.from_el = in->from_el, r.to_el = in->to_el, r.ec = in->ec, r.iss = in->iss, r.vmid = in->vmid;
        r.va = in->va;
        if (r.flags & TRF_FAR_VALID)
            r.arg = in->arg;
        break;
    case TR_ERET:
        r.from_el = in->from_el, r.to_el = in->to_el, r.va = in->va;
        break;
    case TR_TLBI:
        r.el = in->el, r.op = in->op, r.vmid = in->vmid, r.asid = in->asid;
        r.va = in->va, r.ipa = in->ipa, r.arg = in->arg;
        break;
    case TR_CONTEXT:
        r.el = in->el, r.regime = in->regime, r.vmid = in->vmid, r.asid = in->asid;
        break;
    case TR_IRQ:
        r.op = in->op, r.intid = in->intid, r.target_pe = in->target_pe, r.arg = in->arg;
        break;
    case TR_SMMU_XLATE:
        r.config = in->config, r.vmid = in->vmid, r.asid = in->asid, r.size = in->size;
        r.page_shift = in->page_shift, r.walk_refs = in->walk_refs;
        r.va = in->va, r.ipa = in->ipa, r.pa = in->pa;
        break;
    case TR_SMMU_WALK:
        r.level = in->level, r.vmid = in->vmid, r.asid = in->asid;
        r.va = in->va, r.ipa = in->ipa, r.pa = in->pa;
        break;
    case TR_SMMU_EVENT:
        r.op = in->op, r.config = in->config, r.vmid = in->vmid, r.asid = in->asid, r.va = in->va, r.ipa = in->ipa;
        break;
    case TR_SMMU_CMD:
        r.flags = 0;
        r.op = in->op, r.arg = in->arg, r.arg2 = in->arg2;
        break;
    }
    if (trace_record_has_sid(in->type)) {
        r.sid = in->sid;
        if (r.flags & TRF_SSID)
            r.ssid = in->ssid;
    }
    return r;
}

/* A record of type t with every field random (meaningless ones too: the
 * writer must ignore them), in the ranges the types allow. */
static struct trace_record random_record(uint64_t *s, unsigned t, uint64_t *time)
{
    struct trace_record r;
    uint64_t x = rng_next(s);
    memset(&r, 0, sizeof r);
    r.type = (uint8_t)t;
    *time += (x & 7) == 0 ? rnd_u64(s) : (x >> 3) % 50;     /* mostly forward, sometimes wild */
    r.time = *time;
    r.el = (uint8_t)((x >> 10) & 3);
    r.regime = (uint8_t)((x >> 12) & 1);
    r.flags = (uint8_t)(x >> 13);                           /* bits 3-7 are dropped */
    r.vmid = (x >> 21) & 1 ? 0xffff : (uint16_t)(x >> 22);
    r.asid = (x >> 38) & 1 ? 0xffff : (uint16_t)(x >> 39);
    r.size = (x >> 55) & 1 ? UINT32_MAX : (uint32_t)(1u << ((x >> 56) & 7));
    r.va = rnd_u64(s);
    r.ipa = rnd_u64(s);
    r.pa = rnd_u64(s);
    r.arg = rnd_u64(s);
    x = rng_next(s);
    r.ec = (x & 1) ? UINT32_MAX : (uint32_t)((x >> 1) & 0x3f);
    r.iss = (x & 2) ? 0x1ffffff : (uint32_t)(x >> 8);
    r.from_el = (uint8_t)((x >> 40) & 3);
    r.to_el = (uint8_t)((x >> 42) & 3);
    r.level = (int8_t)((int)((x >> 44) % 5) - 1);           /* -1..3 */
    r.op = (uint8_t)(x >> 48);
    r.intid = (x & 4) ? UINT32_MAX : (uint32_t)((x >> 16) & 0x3ff);
    r.target_pe = (x & 8) ? UINT32_MAX : (uint32_t)((x >> 30) & 7);
    if (t == TR_IRQ && (x & 16))
        r.arg = UINT64_MAX;
    x = rng_next(s);
    r.sid = (x & 1) ? UINT32_MAX : (uint32_t)((x >> 1) & 0xff);
    r.ssid = (x & 2) ? 0xfffff : (uint32_t)((x >> 9) & 0xf);
    r.config = (uint8_t)((x >> 20) & 7);
    r.page_shift = (x & 4) ? 63 : (uint8_t)(12 + ((x >> 24) % 31));
    r.walk_refs = (x & 8) ? UINT16_MAX : (uint16_t)((x >> 32) % 25);
    r.arg2 = rnd_u64(s);
    if (t == TR_SMMU_CMD)
        r.flags = 0;             /* a command has no flags */
    return r;
}

static void assert_same(const struct trace_record *want, const struct trace_record *got, uint64_t i)
{
#define SAME(field)                                                                                               \
    do {                                                                                                          \
        if ((uint64_t)want->field != (uint64_t)got->field)                                                        \
            fail_msg("record %llu (type %u): " #field " 0x%llx read back as 0x%llx", (unsigned long long)i,     \
                     want->type, (unsigned long long)want->field, (unsigned long long)got->field);               \
    } while (0)
    SAME(type); SAME(time); SAME(el); SAME(regime); SAME(flags); SAME(vmid); SAME(asid); SAME(size);
    SAME(va); SAME(ipa); SAME(pa); SAME(ec); SAME(iss); SAME(from_el); SAME(to_el); SAME(level); SAME(op);
    SAME(arg); SAME(intid); SAME(target_pe); SAME(pe); SAME(sid); SAME(ssid); SAME(config); SAME(page_shift);
    SAME(walk_refs); SAME(arg2);
#undef SAME
}

static struct trace_writer *open_writer(const char *path, uint32_t mask)
{
    char err[256];
    struct trace_writer *w = trace_writer_open(path, DESC, mask, err, sizeof err);
    if (!w)
        fail_msg("trace_writer_open: %s", err);
    return w;
}

/* Writes n random records of every type (round robin with random runs). */
static void write_mixed(const char *path, uint32_t mask, unsigned n, uint64_t seed)
{
    struct trace_writer *w = open_writer(path, mask);
    uint64_t s = seed, time = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned t = 1 + (unsigned)(rng_next(&s) % TR_TYPE_MAX);
        struct trace_record r = random_record(&s, t, &time);
        assert_int_equal(trace_write(w, &r), 0);
    }
    assert_int_equal(trace_writer_close(w), 0);
}

/* Reads a whole trace; returns the last trace_read result (0 or -1) or -2 if open failed. */
static int read_all(const char *path, uint64_t *count, char *err, size_t errlen)
{
    struct trace_reader *r = trace_reader_open(path, err, errlen);
    *count = 0;
    if (!r)
        return -2;
    struct trace_record rec;
    int rc;
    while ((rc = trace_read(r, &rec, err, errlen)) == 1)
        (*count)++;
    trace_reader_close(r);
    return rc;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint32_t header_len(const uint8_t *buf)
{
    return (uint32_t)buf[12] | (uint32_t)buf[13] << 8 | (uint32_t)buf[14] << 16 | (uint32_t)buf[15] << 24;
}

/* ---- Tests ---- */

static void test_round_trip_every_type(void **state)
{
    struct fix *f = *state;
    enum { N = 60000 };
    write_mixed(f->path, TRACE_ALL_CLASSES, N, 0x1234567890abcdefull);

    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    if (!r)
        fail_msg("open: %s", err);
    assert_string_equal(trace_reader_machine(r), DESC);
    assert_int_equal(trace_reader_class_mask(r), TRACE_ALL_CLASSES);
    uint64_t s = 0x1234567890abcdefull, time = 0;
    unsigned seen[TR_TYPE_MAX + 1] = { 0 };
    for (uint64_t i = 0; i < N; i++) {
        unsigned t = 1 + (unsigned)(rng_next(&s) % TR_TYPE_MAX);
        struct trace_record in = random_record(&s, t, &time);
        struct trace_record want = canonical(&in), got;
        int rc = trace_read(r, &got, err, sizeof err);
        if (rc != 1)
            fail_msg("record %llu: trace_read %d: %s", (unsigned long long)i, rc, rc < 0 ? err : "");
        assert_same(&want, &got, i);
        seen[t]++;
    }
    for (unsigned t = 1; t <= TR_TYPE_MAX; t++)
        assert_true(seen[t] > N / 20);
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);   /* stays at the end */
    trace_reader_close(r);
}

static void test_extremes(void **state)
{
    struct fix *f = *state;
    const struct trace_record recs[] = {
        { .type = TR_DATA, .time = UINT64_MAX, .el = 3, .regime = 1, .flags = TRF_WRITE | TRF_S2_ON,
          .vmid = 0xffff, .asid = 0xffff, .size = UINT32_MAX, .va = UINT64_MAX, .ipa = 0, .pa = UINT64_MAX },
        { .type = TR_DATA, .time = 0, .va = 0, .ipa = UINT64_MAX, .pa = 0 },
        { .type = TR_BLOCK, .time = 0x8000000000000000ull, .va = 0xffff800000001000ull,
          .ipa = 0xffff800000001000ull, .pa = 0x40001000, .size = 4 },
        { .type = TR_WALK, .level = -1, .flags = TRF_STAGE2, .va = 0xfffffffffffff000ull, .pa = 0x7fffffffffff },
        { .type = TR_WALK, .level = 3, .time = 1 },
        { .type = TR_EXCEPTION, .from_el = 0, .to_el = 3, .ec = 0x102, .iss = 0x1ffffff,
          .flags = TRF_FAR_VALID | TRF_S2_ON, .arg = UINT64_MAX, .vmid = 0xffff, .va = UINT64_MAX },
        { .type = TR_EXCEPTION, .ec = UINT32_MAX, .iss = UINT32_MAX, .va = 0 },
        { .type = TR_ERET, .from_el = 2, .to_el = 1, .va = 0x8000000000000000ull },
        { .type = TR_TLBI, .el = 2, .op = 255, .vmid = 0xffff, .asid = 0xffff, .va = UINT64_MAX,
          .ipa = UINT64_MAX, .arg = UINT64_MAX },
        { .type = TR_CONTEXT, .el = 1, .vmid = 0xffff, .asid = 0xffff, .flags = TRF_S2_ON },
        { .type = TR_IRQ, .op = 6, .intid = UINT32_MAX, .target_pe = UINT32_MAX, .flags = TRF_VIRTUAL,
          .arg = UINT64_MAX },
        { .type = TR_IRQ, .op = 0, .arg = UINT64_MAX - 1 },
        { .type = TR_IRQ, .op = 255, .arg = 0 },
    };
    struct trace_writer *w = open_writer(f->path, TRACE_ALL_CLASSES);
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
        assert_int_equal(trace_write(w, &recs[i]), 0);
    assert_int_equal(trace_writer_count(w), sizeof recs / sizeof recs[0]);
    assert_int_equal(trace_writer_close(w), 0);

    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        struct trace_record want = canonical(&recs[i]), got;
        if (trace_read(r, &got, err, sizeof err) != 1)
            fail_msg("record %zu: %s", i, err);
        assert_same(&want, &got, i);
    }
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);
    trace_reader_close(r);
}

static void test_empty_trace(void **state)
{
    struct fix *f = *state;
    char err[256];
    struct trace_writer *w = trace_writer_open(f->path, NULL, 0, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(trace_writer_close(w), 0);
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_string_equal(trace_reader_machine(r), "");
    assert_int_equal(trace_reader_class_mask(r), 0);
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);
    trace_reader_close(r);
}

static void test_class_mask_filters_at_write(void **state)
{
    struct fix *f = *state;
    const uint32_t mask = 1u << TR_DATA | 1u << TR_EXCEPTION | 1u << TR_IRQ;
    struct trace_writer *w = open_writer(f->path, mask);
    uint64_t s = 99, time = 0, kept = 0;
    for (unsigned i = 0; i < 20000; i++) {
        unsigned t = 1 + (unsigned)(rng_next(&s) % TR_TYPE_MAX);
        struct trace_record r = random_record(&s, t, &time);
        assert_int_equal(trace_write(w, &r), 0);
        kept += (mask >> t) & 1;
    }
    struct trace_record bogus = { .type = 0 }, bogus2 = { .type = 200 };
    assert_int_equal(trace_write(w, &bogus), 0);     /* no class: never written */
    assert_int_equal(trace_write(w, &bogus2), 0);
    assert_int_equal(trace_writer_count(w), kept);
    assert_int_equal(trace_writer_close(w), 0);

    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_reader_class_mask(r), mask);
    s = 99, time = 0;
    struct trace_record got;
    uint64_t n = 0;
    for (unsigned i = 0; i < 20000; i++) {
        unsigned t = 1 + (unsigned)(rng_next(&s) % TR_TYPE_MAX);
        struct trace_record in = random_record(&s, t, &time);
        if (!((mask >> t) & 1))
            continue;
        struct trace_record want = canonical(&in);
        if (trace_read(r, &got, err, sizeof err) != 1)
            fail_msg("record %llu: %s", (unsigned long long)n, err);
        assert_same(&want, &got, n++);
    }
    assert_int_equal(n, kept);
    assert_int_equal(trace_read(r, &got, err, sizeof err), 0);
    trace_reader_close(r);
}

/* A plausible data stream: bursts of 8 accesses to one of an array walk,
 * the stack, kernel data (top VA bits set) or a written table, at random
 * offsets; two VMs with different stage-2 offsets; 4 ASIDs. */
static struct trace_record large_record(uint64_t i, uint64_t *s, uint64_t *time)
{
    struct trace_record r = { .type = TR_DATA, .el = 1, .flags = TRF_S2_ON };
    uint64_t x = rng_next(s);
    *time += 1 + (x & 3);
    r.time = *time;
    r.vmid = (uint16_t)(1 + ((i >> 16) & 1));
    r.asid = (uint16_t)((i >> 12) & 3);
    r.size = 8;
    switch (((i >> 3) * 0x9e3779b97f4a7c15ull) >> 62) {
    case 0: r.va = 0x400000 + (i & 0xffff) * 8; break;                   /* array walk */
    case 1: r.va = 0x7ffffff000ull - ((x >> 4) & 0xff) * 8; break;       /* stack */
    case 2: r.va = 0xffff000000100000ull + ((i * 64) & 0xfffff); break;  /* kernel, top bits set */
    default: r.va = 0x500000 + ((x >> 4) & 0xfff) * 8; r.flags |= TRF_WRITE; break;
    }
    r.ipa = (r.va & 0xffffffffffull) + 0x40000000ull;
    r.pa = r.ipa + (uint64_t)r.vmid * 0x10000000ull;
    return r;
}

static void test_large_trace_compresses(void **state)
{
    struct fix *f = *state;
    enum { N = 2000000 };
    struct trace_writer *w = open_writer(f->path, TRACE_ALL_CLASSES);
    uint64_t s = 7, time = 0;
    for (uint64_t i = 0; i < N; i++) {
        struct trace_record r = large_record(i, &s, &time);
        if (trace_write(w, &r) != 0)
            fail_msg("write %llu failed", (unsigned long long)i);
    }
    assert_int_equal(trace_writer_close(w), 0);

    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    free(buf);
    double raw = (double)N * sizeof(struct trace_record);
    print_message("2M data records: %zu bytes, %.2f bytes/record, %.0fx smaller than the records in memory\n",
                  len, (double)len / N, raw / (double)len);
    assert_true((double)len * 12 < raw);

    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    s = 7, time = 0;
    struct trace_record got;
    for (uint64_t i = 0; i < N; i++) {
        struct trace_record want = large_record(i, &s, &time);
        if (trace_read(r, &got, err, sizeof err) != 1)
            fail_msg("record %llu: %s", (unsigned long long)i, err);
        if (got.va != want.va || got.pa != want.pa || got.time != want.time || got.flags != want.flags)
            assert_same(&want, &got, i);
    }
    assert_int_equal(trace_read(r, &got, err, sizeof err), 0);
    trace_reader_close(r);
}

/* Cuts the file at `cut` bytes and checks the reader's verdict. */
static void check_cut(struct fix *f, const uint8_t *buf, size_t len, size_t cut, uint64_t total, uint64_t *last)
{
    char err[256] = "";
    uint64_t count;
    uint32_t hlen = header_len(buf);
    spit(f->path2, buf, cut);
    int rc = read_all(f->path2, &count, err, sizeof err);
    if (rc >= 0)
        fail_msg("file cut at %zu of %zu bytes read as complete (%llu records)", cut, len,
                 (unsigned long long)count);
    assert_true(err[0] != '\0');
    if (cut < hlen) {
        assert_int_equal(rc, -2);          /* the header is incomplete: open fails */
        return;
    }
    assert_int_equal(rc, -1);
    if (strncmp(err, "truncated", 9) != 0)
        fail_msg("cut at %zu: '%s'", cut, err);
    if (count < total && !strstr(err, "no end marker after"))
        fail_msg("cut at %zu after %llu records: '%s'", cut, (unsigned long long)count, err);
    assert_true(count <= total);
    assert_true(count >= *last);           /* a longer prefix never yields fewer records */
    *last = count;
}

static void test_truncated_everywhere(void **state)
{
    struct fix *f = *state;
    size_t len;
    uint64_t last = 0;
    /* A small trace cut at every length, header included. */
    write_mixed(f->path, TRACE_ALL_CLASSES, 150, 5);
    uint8_t *buf = slurp(f->path, &len);
    assert_true(len > header_len(buf) + 1000);
    for (size_t cut = 0; cut < len; cut++)
        check_cut(f, buf, len, cut, 150, &last);
    assert_int_equal(last, 150);   /* cut inside the zlib trailer: all records, then "truncated" */
    free(buf);
    /* A larger one (several buffers) at scattered lengths, and its last bytes. */
    write_mixed(f->path, TRACE_ALL_CLASSES, 6000, 6);
    buf = slurp(f->path, &len);
    last = 0;
    for (size_t cut = 0; cut < len; cut += cut < 200 ? 7 : 1999)
        check_cut(f, buf, len, cut, 6000, &last);
    for (size_t cut = len - 24; cut < len; cut++)
        check_cut(f, buf, len, cut, 6000, &last);
    free(buf);
}

/* Reads a possibly damaged trace; a read that ends cleanly must give exactly
 * the original records. Returns the verdict: -2 open failed, -1 error, 0 clean. */
static int read_vs_original(const char *path, const struct trace_record *orig, uint64_t n, char *err,
                            size_t errlen)
{
    struct trace_reader *r = trace_reader_open(path, err, errlen);
    if (!r)
        return -2;
    struct trace_record rec;
    uint64_t i = 0;
    int rc;
    bool same = true;
    while ((rc = trace_read(r, &rec, err, errlen)) == 1) {
        if (i >= n || memcmp(&rec, &orig[i], sizeof rec) != 0)
            same = false;
        i++;
    }
    trace_reader_close(r);
    if (rc == 0 && (!same || i != n))
        fail_msg("a damaged file read cleanly with different records");
    return rc;
}

static void check_flips(struct fix *f, unsigned nrec, uint64_t seed, size_t step, unsigned *undetected,
                        size_t *tried)
{
    write_mixed(f->path, TRACE_ALL_CLASSES, nrec, seed);
    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    struct trace_record *orig = calloc(nrec, sizeof *orig);
    assert_non_null(orig);
    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    for (unsigned i = 0; i < nrec; i++)
        assert_int_equal(trace_read(r, &orig[i], err, sizeof err), 1);
    trace_reader_close(r);

    static const uint8_t flips[] = { 0xff, 0x01, 0x80, 0x10, 0x04 };
    for (size_t off = 0; off < len; off += step) {
        uint8_t saved = buf[off];
        buf[off] ^= flips[off % 5];
        spit(f->path2, buf, len);
        buf[off] = saved;
        err[0] = '\0';
        int rc = read_vs_original(f->path2, orig, nrec, err, sizeof err);
        if (rc == 0) {
            /* Deflate can encode the same bytes differently (an unused Huffman
             * code length): the records are intact, which the CRC guarantees. */
            (*undetected)++;
            assert_true(off >= header_len(buf));
        } else {
            assert_true(err[0] != '\0');
        }
        (*tried)++;
    }
    free(orig);
    free(buf);
}

static void test_corrupt_everywhere(void **state)
{
    struct fix *f = *state;
    unsigned undetected = 0;
    size_t tried = 0;
    check_flips(f, 150, 11, 1, &undetected, &tried);       /* every byte of a small trace */
    check_flips(f, 4000, 12, 397, &undetected, &tried);    /* scattered over a larger one */
    print_message("%zu flips, %u decoded to the original records\n", tried, undetected);
    assert_true(undetected * 100 < tried);

    /* Trailing garbage after a complete trace. */
    size_t len;
    uint64_t count;
    char err[256];
    uint8_t *buf = slurp(f->path, &len);
    uint8_t *longer = malloc(len + 3);
    assert_non_null(longer);
    memcpy(longer, buf, len);
    memcpy(longer + len, "xyz", 3);
    spit(f->path2, longer, len + 3);
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -1);
    assert_non_null(strstr(err, "trailing"));
    free(longer);
    free(buf);
}

/* Random garbage after a valid header: a compressed stream of random bytes. */
static void test_garbage_stream(void **state)
{
    struct fix *f = *state;
    write_mixed(f->path, TRACE_ALL_CLASSES, 10, 3);
    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    uint32_t hlen = header_len(buf);
    uint8_t *g = malloc(hlen + 4096);
    assert_non_null(g);
    memcpy(g, buf, hlen);
    uint64_t s = 1;
    char err[256];
    uint64_t count;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rng_next(&s) % 4096;
        for (size_t i = 0; i < n; i++)
            g[hlen + i] = (uint8_t)rng_next(&s);
        if (round & 1) {   /* a valid zlib header, then random deflate data */
            g[hlen] = 0x78;
            g[hlen + 1 < hlen + n ? hlen + 1 : hlen] = 0x01;
        }
        spit(f->path2, g, hlen + n);
        assert_int_equal(read_all(f->path2, &count, err, sizeof err), -1);
    }
    free(g);
    free(buf);
}

static void test_foreign_file(void **state)
{
    struct fix *f = *state;
    char err[256];
    uint64_t count;
    static const char text[] = "hello, this is not a trace at all\n";
    spit(f->path2, (const uint8_t *)text, sizeof text - 1);
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -2);
    assert_non_null(strstr(err, "not an avsim trace"));

    static const uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    spit(f->path2, elf, sizeof elf);
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -2);
    assert_non_null(strstr(err, "not an avsim trace"));

    spit(f->path2, (const uint8_t *)"", 0);
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -2);
    assert_non_null(strstr(err, "not an avsim trace"));

    unlink(f->path2);
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -2);
    assert_non_null(strstr(err, "cannot open"));
}

static void test_newer_version(void **state)
{
    struct fix *f = *state;
    write_mixed(f->path, TRACE_ALL_CLASSES, 10, 3);
    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    assert_memory_equal(buf, "AVSIMTRC", 8);
    assert_int_equal(buf[8], TRACE_VERSION);
    buf[8] = TRACE_VERSION + 1;
    spit(f->path2, buf, len);
    char err[256], want[80];
    uint64_t count;
    assert_int_equal(read_all(f->path2, &count, err, sizeof err), -2);
    snprintf(want, sizeof want, "trace version %d is newer than this avsim (%d)", TRACE_VERSION + 1, TRACE_VERSION);
    assert_string_equal(err, want);
    free(buf);
}

/* ---- Several PEs (version 2) ---- */

/* Records of 4 PEs in runs, as the SMP scheduler interleaves them: each PE
 * has its own clock (PE k's starts at k * 10^6, so a switch to a lower PE
 * goes back in time) and its own addresses. Every field, pe included, reads
 * back; the end marker counts records, not PE switches. */
static void test_round_trip_interleaved_pes(void **state)
{
    struct fix *f = *state;
    enum { N = 20000, PES = 4 };
    static struct trace_record recs[N];
    uint64_t s = 0xfeedface12345678ull, clock[PES];
    for (unsigned pe = 0; pe < PES; pe++)
        clock[pe] = pe * 1000000ull;
    unsigned pe = 0, run = 0, switches = 0, backwards = 0;
    for (unsigned i = 0; i < N; i++) {
        if (run == 0) {
            unsigned next = (unsigned)(rng_next(&s) % PES);
            switches += next != pe;
            pe = next;
            run = 1 + (unsigned)(rng_next(&s) % 40);
        }
        run--;
        unsigned t = 1 + (unsigned)(rng_next(&s) % TR_TYPE_MAX);
        recs[i] = random_record(&s, t, &clock[pe]);
        recs[i].pe = pe;
        if (i && recs[i].time < recs[i - 1].time)
            backwards++;
    }
    assert_true(switches > 100);
    assert_true(backwards > 50);          /* the test covers time going back between PEs */

    struct trace_writer *w = open_writer(f->path, TRACE_ALL_CLASSES);
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(trace_write(w, &recs[i]), 0);
    assert_int_equal(trace_writer_count(w), N);
    assert_int_equal(trace_writer_close(w), 0);

    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    if (!r)
        fail_msg("open: %s", err);
    assert_int_equal(trace_reader_version(r), TRACE_VERSION);
    unsigned per_pe[PES] = { 0 };
    for (unsigned i = 0; i < N; i++) {
        struct trace_record want = canonical(&recs[i]), got;
        int rc = trace_read(r, &got, err, sizeof err);
        if (rc != 1)
            fail_msg("record %u: trace_read %d: %s", i, rc, rc < 0 ? err : "");
        assert_same(&want, &got, i);
        per_pe[got.pe]++;
    }
    for (unsigned k = 0; k < PES; k++)
        assert_true(per_pe[k] > N / 8);
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);   /* count matches */
    trace_reader_close(r);

    /* The PE filter. */
    struct trace_filter flt;
    trace_filter_init(&flt);
    flt.pe = 2;
    struct trace_record two = { .type = TR_DATA, .pe = 2 }, three = { .type = TR_DATA, .pe = 3 };
    assert_true(trace_filter_match(&flt, &two));
    assert_false(trace_filter_match(&flt, &three));

    /* A PE beyond the format's range is refused by the writer. */
    w = open_writer(f->path2, TRACE_ALL_CLASSES);
    struct trace_record big = { .type = TR_DATA, .pe = TRACE_PES_MAX };
    assert_int_equal(trace_write(w, &big), -1);
    assert_non_null(strstr(trace_writer_error(w), "PE 256"));
    assert_int_equal(trace_writer_close(w), -1);
}

/* The decompressed record stream of a trace file. */
static size_t stream_of(const char *path, uint8_t *out, size_t max)
{
    size_t len;
    uint8_t *buf = slurp(path, &len);
    uLongf n = max;
    assert_int_equal(uncompress(out, &n, buf + header_len(buf), len - header_len(buf)), Z_OK);
    free(buf);
    return n;
}

/* FORMAT.md's worked example: two DATA records. */
static const struct trace_record example_recs[2] = {
    { .type = TR_DATA, .time = 100, .el = 1, .vmid = 1, .size = 8, .flags = TRF_WRITE | TRF_S2_ON, .va = 0x1000,
      .ipa = 0x40001000, .pa = 0x80001000 },
    { .type = TR_DATA, .time = 103, .el = 1, .vmid = 1, .size = 8, .flags = TRF_S2_ON, .va = 0x1008,
      .ipa = 0x40001008, .pa = 0x80001008 },
};
static const uint8_t example_stream[] = {
    0x02, 0xc8, 0x01, 0x31, 0x01, 0x00, 0x08, 0x80, 0x40, 0x80, 0x80, 0x80, 0x80, 0x08, 0x80, 0x80, 0x80, 0x80, 0x08,
    0x02, 0x06, 0x21, 0x01, 0x00, 0x08, 0x10, 0x00, 0x00,
    0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0xb9, 0xce, 0x79, 0x41,
};

/* One PE (PE 0): the version-2 stream is byte for byte the version-1 one
 * (no PE field costs a byte); another PE costs a PE switch, 0x80 varint(pe),
 * and starts from that PE's own predictions (all zero). */
static void test_pe_switch_bytes(void **state)
{
    struct fix *f = *state;
    struct trace_writer *w = open_writer(f->path, 1u << TR_DATA);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(trace_write(w, &example_recs[i]), 0);
    assert_int_equal(trace_writer_close(w), 0);
    uint8_t got[256];
    size_t n = stream_of(f->path, got, sizeof got);
    assert_int_equal(n, sizeof example_stream);
    assert_memory_equal(got, example_stream, n);

    struct trace_record second = example_recs[1];
    second.pe = 1;
    w = open_writer(f->path, 1u << TR_DATA);
    assert_int_equal(trace_write(w, &example_recs[0]), 0);
    assert_int_equal(trace_write(w, &second), 0);
    assert_int_equal(trace_writer_close(w), 0);
    n = stream_of(f->path, got, sizeof got);
    static const uint8_t want_records[] = {
        0x02, 0xc8, 0x01, 0x31, 0x01, 0x00, 0x08, 0x80, 0x40, 0x80, 0x80, 0x80, 0x80, 0x08, 0x80, 0x80, 0x80, 0x80, 0x08,
        0x80, 0x01,                                     /* PE switch to PE 1 */
        0x02, 0xce, 0x01, 0x21, 0x01, 0x00, 0x08,       /* time zz(103 - 0): PE 1's clock starts at 0 */
        0x90, 0x40, 0x80, 0x80, 0x80, 0x80, 0x08, 0x80, 0x80, 0x80, 0x80, 0x08,   /* PE 1's own VA, offsets */
    };
    assert_int_equal(n, sizeof want_records + 13);
    assert_memory_equal(got, want_records, sizeof want_records);
    assert_int_equal(got[sizeof want_records], 0);                 /* end marker: 2 records */
    assert_int_equal(got[sizeof want_records + 1], 2);
    uint32_t crc = (uint32_t)crc32(0, want_records, sizeof want_records);
    const uint8_t *c = got + sizeof want_records + 9;
    assert_int_equal((uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24, crc);
}

/* A trace file written by hand: header of `version`, the stream compressed. */
static void write_raw_trace(const char *path, uint32_t version, const uint8_t *stream, size_t len)
{
    uint8_t file[4096] = "AVSIMTRC";
    const char *desc = "{}";
    uint32_t hdr_len = 32 + 2;
    uint32_t fields[6] = { version, hdr_len, 1u << TR_DATA, 2, 0, 0 };
    for (unsigned i = 0; i < 6; i++)
        for (unsigned b = 0; b < 4; b++)
            file[8 + 4 * i + b] = (uint8_t)(fields[i] >> (8 * b));
    memcpy(file + 32, desc, 2);
    uint32_t crc = (uint32_t)crc32(0, file, hdr_len);
    for (unsigned b = 0; b < 4; b++)
        file[24 + b] = (uint8_t)(crc >> (8 * b));
    uLongf n = sizeof file - hdr_len;
    assert_int_equal(compress(file + hdr_len, &n, stream, len), Z_OK);
    spit(path, file, hdr_len + n);
}

/* Version 1 is still read: records are PE 0's; a PE switch byte is no record type there. */
static void test_read_version_1(void **state)
{
    struct fix *f = *state;
    write_raw_trace(f->path, 1, example_stream, sizeof example_stream);
    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    if (!r)
        fail_msg("open: %s", err);
    assert_int_equal(trace_reader_version(r), 1);
    for (unsigned i = 0; i < 2; i++) {
        struct trace_record want = canonical(&example_recs[i]), got;
        if (trace_read(r, &got, err, sizeof err) != 1)
            fail_msg("record %u: %s", i, err);
        assert_same(&want, &got, i);
        assert_int_equal(got.pe, 0);
    }
    assert_int_equal(trace_read(r, &(struct trace_record){ 0 }, err, sizeof err), 0);
    trace_reader_close(r);

    /* The same stream with a PE switch: version 2 reads it, version 1 rejects it. */
    uint8_t stream[64] = { 0x80, 0x03 };
    memcpy(stream + 2, example_stream, sizeof example_stream);
    uint32_t crc = (uint32_t)crc32(0, stream, 2 + 28);
    for (unsigned b = 0; b < 4; b++)
        stream[2 + 37 + b] = (uint8_t)(crc >> (8 * b));
    size_t len = 2 + sizeof example_stream;
    write_raw_trace(f->path, 2, stream, len);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    struct trace_record got;
    assert_int_equal(trace_read(r, &got, err, sizeof err), 1);
    assert_int_equal(got.pe, 3);
    assert_int_equal(got.time, 100);
    assert_int_equal(trace_read(r, &got, err, sizeof err), 1);
    assert_int_equal(got.pe, 3);
    assert_int_equal(got.va, 0x1008);
    assert_int_equal(trace_read(r, &got, err, sizeof err), 0);
    trace_reader_close(r);

    write_raw_trace(f->path, 1, stream, len);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_read(r, &got, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown record type 128"));
    trace_reader_close(r);

    /* A PE switch beyond the format's range, or right before the end marker, is corrupt. */
    static const uint8_t bad_pe[] = { 0x80, 0x80, 0x02 };          /* PE 256 */
    memcpy(stream, bad_pe, sizeof bad_pe);
    memcpy(stream + 3, example_stream, sizeof example_stream);
    write_raw_trace(f->path, 2, stream, 3 + sizeof example_stream);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_read(r, &got, err, sizeof err), -1);
    assert_non_null(strstr(err, "corrupt"));
    trace_reader_close(r);
    static const uint8_t switch_then_end[] = { 0x80, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    write_raw_trace(f->path, 2, switch_then_end, sizeof switch_then_end);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_read(r, &got, err, sizeof err), -1);
    assert_non_null(strstr(err, "PE switch"));
    trace_reader_close(r);
}

static void test_writer_errors(void **state)
{
    (void)state;
    char err[256];
    assert_null(trace_writer_open("/nonexistent-dir/x.trace", DESC, TRACE_ALL_CLASSES, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-dir/x.trace"));

    char *big = malloc(TRACE_DESC_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', TRACE_DESC_MAX + 1);
    big[TRACE_DESC_MAX + 1] = '\0';
    assert_null(trace_writer_open("/tmp/never-created.trace", big, TRACE_ALL_CLASSES, err, sizeof err));
    assert_non_null(strstr(err, "machine description"));
    free(big);

    assert_null(trace_writer_open("/tmp/never-created.trace", DESC, 1u, err, sizeof err));
    assert_null(trace_writer_open("/tmp/never-created.trace", DESC, 1u << (TR_TYPE_MAX + 1), err, sizeof err));

    /* A full disk: writes fail at a flush or at close, never silently. */
    if (access("/dev/full", W_OK) == 0) {
        struct trace_writer *w = trace_writer_open("/dev/full", DESC, TRACE_ALL_CLASSES, err, sizeof err);
        if (w) {
            uint64_t s = 1, time = 0;
            int failed = 0;
            for (unsigned i = 0; i < 400000 && !failed; i++) {
                struct trace_record r = random_record(&s, TR_DATA, &time);
                failed = trace_write(w, &r) != 0;
            }
            failed |= trace_writer_close(w) != 0;
            assert_true(failed);
        }
    }
}

static void test_parse_classes(void **state)
{
    (void)state;
    char err[256];
    uint32_t m = 0;
    assert_int_equal(trace_parse_classes("data", &m, err, sizeof err), 0);
    assert_int_equal(m, 1u << TR_DATA);
    assert_int_equal(trace_parse_classes("blocks,data,exceptions,erets,tlbi,context,walks,irq", &m, err,
                                         sizeof err), 0);
    assert_int_equal(m, TRACE_V2_CLASSES);
    assert_int_equal(trace_parse_classes("blocks,data,exceptions,erets,tlbi,context,walks,irq,smmu_xlate,"
                                         "smmu_walks,smmu_events,smmu_cmds", &m, err, sizeof err), 0);
    assert_int_equal(m, TRACE_ALL_CLASSES);
    assert_int_equal(trace_parse_classes("smmu", &m, err, sizeof err), 0);
    assert_int_equal(m, TRACE_SMMU_CLASSES);
    assert_int_equal(m, 1u << TR_SMMU_XLATE | 1u << TR_SMMU_WALK | 1u << TR_SMMU_EVENT | 1u << TR_SMMU_CMD);
    assert_int_equal(trace_parse_classes("smmu_events,irq", &m, err, sizeof err), 0);
    assert_int_equal(m, 1u << TR_SMMU_EVENT | 1u << TR_IRQ);
    assert_int_equal(trace_parse_classes("smmu_event", &m, err, sizeof err), -1);   /* the class is plural */
    assert_non_null(strstr(err, "smmu_events"));
    assert_int_equal(trace_parse_classes("all", &m, err, sizeof err), 0);
    assert_int_equal(m, TRACE_ALL_CLASSES);
    assert_int_equal(trace_parse_classes("irq, walks", &m, err, sizeof err), 0);
    assert_int_equal(m, 1u << TR_IRQ | 1u << TR_WALK);
    assert_int_equal(trace_parse_classes("data,all", &m, err, sizeof err), 0);
    assert_int_equal(m, TRACE_ALL_CLASSES);

    m = 12345;
    assert_int_equal(trace_parse_classes("data,bogus", &m, err, sizeof err), -1);
    assert_int_equal(m, 12345);   /* untouched on error */
    assert_non_null(strstr(err, "bogus"));
    assert_non_null(strstr(err, "blocks, data, exceptions, erets, tlbi, context, walks, irq, smmu_xlate, "
                                "smmu_walks, smmu_events, smmu_cmds, smmu (the four smmu_* classes), all"));
    assert_int_equal(trace_parse_classes("", &m, err, sizeof err), -1);
    assert_int_equal(trace_parse_classes("data,", &m, err, sizeof err), -1);
    assert_int_equal(trace_parse_classes("Data", &m, err, sizeof err), -1);
    assert_int_equal(trace_parse_classes("dat", &m, err, sizeof err), -1);
    assert_int_equal(trace_parse_classes("datax", &m, err, sizeof err), -1);

    assert_string_equal(trace_type_name(TR_BLOCK), "blocks");
    assert_string_equal(trace_type_name(TR_IRQ), "irq");
    assert_null(trace_type_name(0));
    assert_null(trace_type_name(TR_TYPE_MAX + 1));
}

static void test_filter(void **state)
{
    (void)state;
    struct trace_filter f;
    trace_filter_init(&f);
    struct trace_record data = { .type = TR_DATA, .el = 1, .vmid = 3 };
    struct trace_record exc = { .type = TR_EXCEPTION, .from_el = 1, .to_el = 2, .vmid = 3 };
    struct trace_record irq = { .type = TR_IRQ };
    assert_true(trace_filter_match(&f, &data) && trace_filter_match(&f, &exc) && trace_filter_match(&f, &irq));
    f.el = 2;
    assert_false(trace_filter_match(&f, &data));
    assert_true(trace_filter_match(&f, &exc));
    assert_false(trace_filter_match(&f, &irq));
    f.el = -1;
    f.vmid = 3;
    assert_true(trace_filter_match(&f, &data) && trace_filter_match(&f, &exc));
    assert_false(trace_filter_match(&f, &irq));
    f.vmid = -1;
    f.classes = 1u << TR_IRQ;
    assert_false(trace_filter_match(&f, &data));
    assert_true(trace_filter_match(&f, &irq));
}

/* ---- The tool (`avsim trace dump|stats`) ---- */

static const struct trace_record tool_recs[] = {
    { .type = TR_CONTEXT, .time = 100, .el = 2, .vmid = 1, .flags = TRF_S2_ON },
    { .type = TR_BLOCK, .time = 110, .el = 1, .vmid = 1, .size = 32, .va = 0xffff000000081000ull,
      .ipa = 0x40081000, .pa = 0x80081000, .flags = TRF_S2_ON },
    { .type = TR_DATA, .time = 112, .el = 1, .vmid = 1, .size = 8, .va = 0xffff000000090008ull,
      .ipa = 0x40090008, .pa = 0x80090008, .flags = TRF_S2_ON | TRF_WRITE },
    { .type = TR_DATA, .time = 113, .el = 1, .vmid = 1, .asid = 3, .size = 4, .va = 0x1000, .ipa = 0x40001000,
      .pa = 0x80001000, .flags = TRF_S2_ON },
    { .type = TR_WALK, .time = 114, .el = 1, .vmid = 1, .level = 0, .va = 0x1000, .ipa = 0x40000000,
      .pa = 0x80002000, .flags = TRF_S2_ON | TRF_STAGE2 },
    { .type = TR_EXCEPTION, .time = 120, .from_el = 1, .to_el = 2, .ec = 0x16, .iss = 0x42, .va = 0x40083188,
      .vmid = 1, .flags = TRF_S2_ON },
    { .type = TR_EXCEPTION, .time = 121, .from_el = 1, .to_el = 2, .ec = 0x24, .iss = 0x93, .va = 0x40083190,
      .vmid = 1, .flags = TRF_S2_ON | TRF_FAR_VALID, .arg = 0x9000000 },
    { .type = TR_TLBI, .time = 130, .el = 2, .op = 1, .vmid = 1, .asid = 3, .va = 0x1000,
      .arg = 0x0003000000000001ull },
    { .type = TR_ERET, .time = 140, .from_el = 2, .to_el = 1, .va = 0x4008318c },
    { .type = TR_CONTEXT, .time = 150, .el = 2, .vmid = 2, .flags = TRF_S2_ON },
    { .type = TR_CONTEXT, .time = 151, .el = 1, .vmid = 2, .asid = 5, .flags = TRF_S2_ON },
    { .type = TR_IRQ, .time = 160, .op = 4, .intid = 27, .flags = TRF_VIRTUAL, .arg = 2 },
    { .type = TR_IRQ, .time = 161, .op = 1, .intid = 27, .arg = UINT64_MAX },
    { .type = TR_DATA, .time = 170, .el = 2, .regime = 1, .size = 8, .va = 0x40000000, .ipa = 0x40000000,
      .pa = 0x40000000 },
};
#define N_TOOL_RECS (sizeof tool_recs / sizeof tool_recs[0])

static void write_tool_trace(const char *path)
{
    struct trace_writer *w = open_writer(path, TRACE_ALL_CLASSES);
    for (size_t i = 0; i < N_TOOL_RECS; i++)
        assert_int_equal(trace_write(w, &tool_recs[i]), 0);
    assert_int_equal(trace_writer_close(w), 0);
}

struct tool_run {
    int status;
    char out[8192], err[1024];
};

static void slurp_stream(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs trace_tool_main with stdout and stderr captured. */
static void run_tool(struct tool_run *run, int argc, ...)
{
    char *argv[8];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc && i < 8; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    FILE *out = tmpfile(), *err = tmpfile();
    assert_non_null(out);
    assert_non_null(err);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    run->status = trace_tool_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp_stream(out, run->out, sizeof run->out);
    slurp_stream(err, run->err, sizeof run->err);
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_tool_dump(void **state)
{
    struct fix *f = *state;
    struct tool_run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    write_tool_trace(f->path);
    run_tool(run, 2, "dump", f->path);
    assert_int_equal(run->status, 0);
    assert_string_equal(run->err, "");
    assert_int_equal(strncmp(run->out, "# machine: " DESC "\n", strlen("# machine: " DESC "\n")), 0);
    assert_int_equal(count_lines(run->out), 2 + N_TOOL_RECS);
    static const char *const want[] = {
        "\n100 context el=2 regime=el10 vmid=1 asid=0 s2\n",
        "\n112 data el=1 regime=el10 vmid=1 asid=0 s2 w size=8 va=0xffff000000090008 ipa=0x40090008 "
        "pa=0x80090008\n",
        "\n113 data el=1 regime=el10 vmid=1 asid=3 s2 r size=4 va=0x1000 ipa=0x40001000 pa=0x80001000\n",
        "\n114 walk el=1 regime=el10 vmid=1 asid=0 s2 stage=2 level=0 va=0x1000 ipa=0x40000000 "
        "desc=0x80002000\n",
        "\n120 exception el1->el2 ec=0x16 iss=0x42 elr=0x40083188 vmid=1\n",
        "\n121 exception el1->el2 ec=0x24 iss=0x93 elr=0x40083190 far=0x9000000 vmid=1\n",
        "\n130 tlbi el=2 op=VAE1 vmid=1 asid=3 va=0x1000 ipa=0x0 xt=0x3000000000001\n",
        "\n140 eret el2->el1 pc=0x4008318c\n",
        "\n160 irq lr_write intid=27 target_pe=0 virtual lr=2\n",
        "\n161 irq ack intid=27 target_pe=0\n",
        "\n170 data el=2 regime=el2 vmid=0 asid=0 r size=8 va=0x40000000 ipa=0x40000000 pa=0x40000000\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(run->out, want[i]))
            fail_msg("missing line %s in:\n%s", want[i], run->out);

    run_tool(run, 4, "dump", "--events=irq,erets", "--limit=2", f->path);
    assert_int_equal(run->status, 0);
    assert_int_equal(count_lines(run->out), 2 + 2);
    assert_non_null(strstr(run->out, "\n140 eret"));
    assert_non_null(strstr(run->out, "\n160 irq"));

    run_tool(run, 4, "dump", "--el=1", "--vmid=1", f->path);   /* blocks, data, walk at EL1; exceptions from EL1 */
    assert_int_equal(run->status, 0);
    assert_int_equal(count_lines(run->out), 2 + 6);
    free(run);
}

static void test_tool_stats(void **state)
{
    struct fix *f = *state;
    struct tool_run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    write_tool_trace(f->path);
    run_tool(run, 2, "stats", f->path);
    assert_int_equal(run->status, 0);
    static const char *const want[] = {
        "records: 14\n", "time: 100 .. 170 cycles (span 70)\n", "  data         3\n", "  context      3\n",
        "  el1          5\n", "  el2          4\n", "  vmid 1       4\n", "data: 2 reads, 1 writes\n",
        "context: 3 records, 1 VMID switches, 1 ASID switches\n", "  ec 0x16      1\n", "  ec 0x24      1\n",
        "  VAE1         1\n", "  lr_write       1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(run->out, want[i]))
            fail_msg("missing '%s' in:\n%s", want[i], run->out);
    free(run);
}

/* ---- SMMU records (version 3) ---- */

/* Publishes one event of each SMMU kind on a bus the recorder listens to:
 * a nested translation that walked (with one stage-2 and one stage-1 read),
 * a TLB hit of another StreamID with a SubstreamID, a bypassed write, an
 * F_TRANSLATION at stage 2 and a TLBI command. */
static void publish_smmu_events(struct event_bus *bus)
{
    struct event ev = { .type = EV_SMMU_WALK, .pe = 1, .cycles = 1000 };
    memset(&ev.u.smmu, 0, sizeof ev.u.smmu);
    ev.u.smmu.sid = 8, ev.u.smmu.ssid = DMA_NO_SSID, ev.u.smmu.iova = 0x10000, ev.u.smmu.ipa = 0x80000000;
    ev.u.smmu.vmid = 3, ev.u.smmu.asid = 7, ev.u.smmu.config = SMMU_STE_CONFIG_NESTED;
    ev.u.smmu.addr = 0x48001000, ev.u.smmu.stage = 2, ev.u.smmu.level = 1;
    event_publish(bus, &ev);
    ev.u.smmu.addr = 0x48002008, ev.u.smmu.stage = 1, ev.u.smmu.level = 3;
    ev.cycles = 1001;
    event_publish(bus, &ev);
    ev.type = EV_SMMU_XLATE;
    ev.cycles = 1002;
    ev.u.smmu.addr = 0, ev.u.smmu.stage = 0, ev.u.smmu.level = 0;
    ev.u.smmu.ipa = 0x80010000, ev.u.smmu.pa = 0x41230000, ev.u.smmu.page_shift = 12, ev.u.smmu.size = 512;
    ev.u.smmu.walk_accesses = 24, ev.u.smmu.tlb_hit = 0, ev.u.smmu.is_write = 0;
    event_publish(bus, &ev);
    ev.cycles = 1003;
    ev.u.smmu.sid = 9, ev.u.smmu.ssid = 5, ev.u.smmu.config = SMMU_STE_CONFIG_S1, ev.u.smmu.vmid = 0;
    ev.u.smmu.asid = 2, ev.u.smmu.iova = 0x20000, ev.u.smmu.ipa = 0x50000, ev.u.smmu.pa = 0x50000;
    ev.u.smmu.tlb_hit = 1, ev.u.smmu.walk_accesses = 0, ev.u.smmu.size = 4096, ev.u.smmu.page_shift = 21;
    event_publish(bus, &ev);
    ev.cycles = 1004;
    memset(&ev.u.smmu, 0, sizeof ev.u.smmu);
    ev.u.smmu.sid = 10, ev.u.smmu.ssid = DMA_NO_SSID, ev.u.smmu.config = SMMU_STE_CONFIG_BYPASS;
    ev.u.smmu.iova = ev.u.smmu.ipa = ev.u.smmu.pa = 0x40000000, ev.u.smmu.size = 64, ev.u.smmu.is_write = 1;
    event_publish(bus, &ev);
    ev.type = EV_SMMU_EVENT;
    ev.cycles = 1005;
    memset(&ev.u.smmu, 0, sizeof ev.u.smmu);
    ev.u.smmu.sid = 8, ev.u.smmu.ssid = DMA_NO_SSID, ev.u.smmu.config = SMMU_STE_CONFIG_NESTED, ev.u.smmu.vmid = 3;
    ev.u.smmu.asid = 7, ev.u.smmu.iova = 0x30000, ev.u.smmu.ipa = 0x90000000, ev.u.smmu.stage = 2;
    ev.u.smmu.event_id = SMMU_EVT_F_TRANSLATION, ev.u.smmu.recorded = 1;
    event_publish(bus, &ev);
    ev.type = EV_SMMU_CMD;
    ev.cycles = 1006;
    memset(&ev.u.smmu, 0, sizeof ev.u.smmu);
    ev.u.smmu.opcode = 0x12;                                  /* CMD_TLBI_NH_VA: ASID 7, VMID 3, leaf */
    ev.u.smmu.cmd[0] = 0x12 | (uint64_t)3 << 32 | (uint64_t)7 << 48;
    ev.u.smmu.cmd[1] = 0x10000 | 1;
    event_publish(bus, &ev);
}

static void record_smmu_trace(const char *path, uint32_t classes)
{
    struct event_bus bus = { 0 };
    struct trace_recorder rec;
    char err[256];
    if (trace_recorder_start(&rec, &bus, path, classes, DESC, err, sizeof err) != 0)
        fail_msg("recorder: %s", err);
    publish_smmu_events(&bus);
    assert_int_equal(trace_recorder_finish(&rec, err, sizeof err), 0);
}

static void test_smmu_records(void **state)
{
    struct fix *f = *state;
    record_smmu_trace(f->path, TRACE_ALL_CLASSES);
    char err[256];
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    if (!r)
        fail_msg("open: %s", err);
    assert_int_equal(trace_reader_version(r), 3);
    struct trace_record got[8];
    unsigned n = 0;
    while (n < 8 && trace_read(r, &got[n], err, sizeof err) == 1)
        n++;
    trace_reader_close(r);
    assert_int_equal(n, 7);
    /* The stage-2 walk read. */
    assert_int_equal(got[0].type, TR_SMMU_WALK);
    assert_int_equal(got[0].pe, 1);
    assert_int_equal(got[0].time, 1000);
    assert_int_equal(got[0].sid, 8);
    assert_int_equal(got[0].flags, TRF_STAGE2);               /* no SubstreamID */
    assert_int_equal(got[0].level, 1);
    assert_int_equal(got[0].vmid, 3);
    assert_int_equal(got[0].asid, 7);
    assert_int_equal(got[0].va, 0x10000);
    assert_int_equal(got[0].ipa, 0x80000000);
    assert_int_equal(got[0].pa, 0x48001000);
    assert_int_equal(got[1].flags, 0);
    assert_int_equal(got[1].level, 3);
    /* The translation that walked. */
    assert_int_equal(got[2].type, TR_SMMU_XLATE);
    assert_int_equal(got[2].config, SMMU_STE_CONFIG_NESTED);
    assert_int_equal(got[2].walk_refs, 24);
    assert_int_equal(got[2].page_shift, 12);
    assert_int_equal(got[2].size, 512);
    assert_int_equal(got[2].pa, 0x41230000);
    assert_int_equal(got[2].flags, 0);
    /* The hit, with its SubstreamID. */
    assert_int_equal(got[3].sid, 9);
    assert_int_equal(got[3].ssid, 5);
    assert_int_equal(got[3].flags, TRF_SMMU_HIT | TRF_SSID);
    assert_int_equal(got[3].page_shift, 21);
    /* The bypassed write. */
    assert_int_equal(got[4].config, SMMU_STE_CONFIG_BYPASS);
    assert_int_equal(got[4].flags, TRF_WRITE);
    /* The event record. */
    assert_int_equal(got[5].type, TR_SMMU_EVENT);
    assert_int_equal(got[5].op, SMMU_EVT_F_TRANSLATION);
    assert_int_equal(got[5].flags, TRF_EVT_RECORDED | TRF_EVT_STAGE2);
    assert_int_equal(got[5].va, 0x30000);
    assert_int_equal(got[5].ipa, 0x90000000);
    /* The command. */
    assert_int_equal(got[6].type, TR_SMMU_CMD);
    assert_int_equal(got[6].op, 0x12);
    assert_int_equal(got[6].arg, 0x12 | (uint64_t)3 << 32 | (uint64_t)7 << 48);
    assert_int_equal(got[6].arg2, 0x10001);

    /* The dump, one line each. */
    struct tool_run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    run_tool(run, 2, "dump", f->path);
    assert_int_equal(run->status, 0);
    static const char *const want[] = {
        "\n1000 pe=1 smmu_walk sid=0x8 vmid=3 asid=7 stage=2 level=1 iova=0x10000 ipa=0x80000000 desc=0x48001000\n",
        "\n1002 pe=1 smmu_xlate sid=0x8 nested r size=512 vmid=3 asid=7 page=12 walk=24 iova=0x10000 "
        "ipa=0x80010000 pa=0x41230000\n",
        "\n1003 pe=1 smmu_xlate sid=0x9 ssid=0x5 s1 r size=4096 vmid=0 asid=2 page=21 hit iova=0x20000 "
        "ipa=0x50000 pa=0x50000\n",
        "\n1004 pe=1 smmu_xlate sid=0xa bypass w size=64 iova=0x40000000 ipa=0x40000000 pa=0x40000000\n",
        "\n1005 pe=1 smmu_event sid=0x8 F_TRANSLATION nested vmid=3 asid=7 stage=2 iova=0x30000 ipa=0x90000000 "
        "recorded\n",
        "\n1006 pe=1 smmu_cmd CMD_TLBI_NH_VA vmid=3 asid=7 addr=0x10000 leaf cmd=0x0007000300000012,"
        "0x0000000000010001\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(run->out, want[i]))
            fail_msg("missing line %s in:\n%s", want[i], run->out);
    assert_non_null(strstr(run->out, "# events: blocks,data,exceptions,erets,tlbi,context,walks,irq,smmu_xlate,"
                                     "smmu_walks,smmu_events,smmu_cmds\n"));
    /* One StreamID's records (commands name none). */
    run_tool(run, 3, "dump", "--sid=8", f->path);
    assert_int_equal(run->status, 0);
    assert_int_equal(count_lines(run->out), 2 + 4);
    run_tool(run, 3, "dump", "--events=smmu_cmds", f->path);
    assert_int_equal(count_lines(run->out), 2 + 1);
    run_tool(run, 3, "dump", "--sid=x", f->path);
    assert_int_equal(run->status, 2);

    /* The summary: per StreamID, event records by type, commands by opcode. */
    run_tool(run, 2, "stats", f->path);
    assert_int_equal(run->status, 0);
    static const char *const want_stats[] = {
        "  smmu_xlate   3\n", "  smmu_walks   2\n", "  smmu_events  1\n", "  smmu_cmds    1\n",
        "  sid 0x8               1          512        0        0        1       24        2      1\n",
        "  sid 0x9               1         4096        0        1        0        0        0      0\n",
        "  sid 0xa               1           64        1        0        0        0        0      0\n",
        "  F_TRANSLATION        1\n", "  CMD_TLBI_NH_VA       1\n",
    };
    for (size_t i = 0; i < sizeof want_stats / sizeof want_stats[0]; i++)
        if (!strstr(run->out, want_stats[i]))
            fail_msg("missing '%s' in:\n%s", want_stats[i], run->out);
    free(run);
}

/* FORMAT.md's worked SMMU example: the two DATA records, then an SMMU_XLATE. */
static void test_smmu_example_bytes(void **state)
{
    struct fix *f = *state;
    struct trace_writer *w = open_writer(f->path, TRACE_ALL_CLASSES);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(trace_write(w, &example_recs[i]), 0);
    struct trace_record x = { .type = TR_SMMU_XLATE, .time = 200, .sid = 8, .config = SMMU_STE_CONFIG_S1,
                              .asid = 1, .size = 64, .page_shift = 12, .flags = TRF_SMMU_HIT, .va = 0x2000,
                              .ipa = 0x2000, .pa = 0x41230000 };
    assert_int_equal(trace_write(w, &x), 0);
    assert_int_equal(trace_writer_close(w), 0);
    static const uint8_t want[] = {
        0x02, 0xc8, 0x01, 0x31, 0x01, 0x00, 0x08, 0x80, 0x40, 0x80, 0x80, 0x80, 0x80, 0x08, 0x80, 0x80, 0x80, 0x80,
        0x08, 0x02, 0x06, 0x21, 0x01, 0x00, 0x08, 0x10, 0x00, 0x00,
        0x09, 0xc2, 0x01, 0x20, 0x08, 0x05, 0x00, 0x01, 0x40, 0x0c, 0x00, 0x80, 0x80, 0x01, 0x00, 0x80, 0x80, 0x97,
        0x92, 0x08,
        0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x0d, 0x80, 0x89,
    };
    uint8_t got[256];
    size_t n = stream_of(f->path, got, sizeof got);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(got, want, sizeof want);
}

/* Without SMMU classes the writer still writes version 2 (an older avsim reads
 * it); the SMMU events then leave no record. A version-2 header that claims
 * an SMMU class is corrupt. */
static void test_smmu_version(void **state)
{
    struct fix *f = *state;
    record_smmu_trace(f->path, TRACE_V2_CLASSES);
    char err[256];
    uint64_t count;
    struct trace_reader *r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_reader_version(r), 2);
    trace_reader_close(r);
    assert_int_equal(read_all(f->path, &count, err, sizeof err), 0);
    assert_int_equal(count, 0);

    record_smmu_trace(f->path, 1u << TR_SMMU_EVENT);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(trace_reader_version(r), 3);
    trace_reader_close(r);
    assert_int_equal(read_all(f->path, &count, err, sizeof err), 0);
    assert_int_equal(count, 1);

    /* Version 2 with the smmu_events bit: the header is rejected. */
    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    buf[8] = 2;
    buf[24] = buf[25] = buf[26] = buf[27] = 0;
    uint32_t crc = (uint32_t)crc32(0, buf, header_len(buf));
    for (unsigned b = 0; b < 4; b++)
        buf[24 + b] = (uint8_t)(crc >> (8 * b));
    spit(f->path2, buf, len);
    free(buf);
    assert_null(trace_reader_open(f->path2, err, sizeof err));
    assert_non_null(strstr(err, "class mask 0x800 in a version-2 trace"));

    /* A version-2 stream holding an SMMU record (type 11) is corrupt too. */
    static const uint8_t stream[] = { 0x0b, 0x00, 0x00, 0x08, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    write_raw_trace(f->path, 2, stream, sizeof stream);
    r = trace_reader_open(f->path, err, sizeof err);
    assert_non_null(r);
    struct trace_record got;
    assert_int_equal(trace_read(r, &got, err, sizeof err), -1);
    assert_non_null(strstr(err, "smmu_events record"));
    trace_reader_close(r);
}

static void test_tool_errors(void **state)
{
    struct fix *f = *state;
    struct tool_run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    write_tool_trace(f->path);

    run_tool(run, 3, "dump", "--bogus", f->path);
    assert_int_equal(run->status, 2);
    assert_non_null(strstr(run->err, "unknown option '--bogus'"));
    run_tool(run, 3, "stats", "--limit=3", f->path);
    assert_int_equal(run->status, 2);
    run_tool(run, 3, "dump", "--el=4", f->path);
    assert_int_equal(run->status, 2);
    run_tool(run, 3, "dump", "--events=nope", f->path);
    assert_int_equal(run->status, 2);
    assert_non_null(strstr(run->err, "valid: blocks"));
    run_tool(run, 1, "dump");
    assert_int_equal(run->status, 2);
    assert_non_null(strstr(run->err, "FILE"));
    run_tool(run, 2, "frob", f->path);
    assert_int_equal(run->status, 2);
    run_tool(run, 2, "stats", "/nonexistent/trace");
    assert_int_equal(run->status, 2);
    assert_non_null(strstr(run->err, "avsim trace: /nonexistent/trace: cannot open"));
    run_tool(run, 2, "dump", "--help");
    assert_int_equal(run->status, 0);
    assert_non_null(strstr(run->out, "usage: avsim trace dump"));

    /* A truncated trace: dump prints the records before the cut, then fails. */
    size_t len;
    uint8_t *buf = slurp(f->path, &len);
    spit(f->path2, buf, len - 12);
    free(buf);
    run_tool(run, 2, "dump", f->path2);
    assert_int_equal(run->status, 2);
    char want[160];
    snprintf(want, sizeof want, "avsim trace: %s: truncated: no end marker after ", f->path2);
    assert_int_equal(strncmp(run->err, want, strlen(want)), 0);
    assert_true(count_lines(run->out) >= 2);
    run_tool(run, 2, "stats", f->path2);
    assert_int_equal(run->status, 2);
    assert_int_equal(strncmp(run->err, want, strlen(want)), 0);
    free(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extremes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_mask_filters_at_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_trace_compresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_interleaved_pes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pe_switch_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_version_1, setup, teardown),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_parse_classes),
        cmocka_unit_test(test_filter),
        cmocka_unit_test_setup_teardown(test_tool_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tool_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tool_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_example_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
