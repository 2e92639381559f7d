/* The trace writer and reader (traces/trace.h); the byte layout is specified
 * in traces/FORMAT.md and the two must change together.
 *
 * Writer: records are encoded into a 64 KiB buffer (one mask test, a few
 * varints); only a full buffer is CRC'd and handed to deflate (level 1), so
 * the trace is streamed and never held in memory.
 *
 * Reader: inflates into a window, decodes one record at a time with a
 * bounds-checked cursor and validates every field; the end marker carries
 * the record count and the CRC-32 of all record bytes, and the zlib stream
 * (with its own Adler-32) must end exactly after it, with nothing following
 * in the file. Every failure is -1 with a message, never a crash. */
#include "traces/trace.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- Format constants (FORMAT.md) ---- */

#define HDR_FIXED 32u               /* bytes before the machine description */
#define HDR_OFF_VERSION 8
#define HDR_OFF_LEN 12
#define HDR_OFF_MASK 16
#define HDR_OFF_DESC_LEN 20
#define HDR_OFF_CRC 24
#define HDR_OFF_RESERVED 28
#define HDR_LEN_MAX (HDR_FIXED + TRACE_DESC_MAX + 4096u)   /* room for later header fields */

#define REC_END 0                   /* end marker: u64 count, u32 CRC-32 */
#define REC_PE 0x80                 /* version 2: PE switch, varint pe; the records that follow are that PE's */
#define REC_MAX_BYTES 80            /* no record encodes longer (worst: SMMU_XLATE, 68; 71 after a PE switch) */
#define STORED_FLAGS 0x07u          /* flags bits a record keeps */

#define IO_CHUNK (64u * 1024u)

/* ---- Little-endian helpers and varints ---- */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A signed difference a - b (modulo 2^64), zigzag-mapped so small either way is short. */
static inline uint64_t zigzag_delta(uint64_t a, uint64_t b)
{
    uint64_t d = a - b;
    return (d << 1) ^ (uint64_t)-(int64_t)(d >> 63);
}

static inline uint64_t unzigzag_add(uint64_t z, uint64_t b)
{
    return b + ((z >> 1) ^ (uint64_t)-(int64_t)(z & 1));
}

/* The packed context byte: bits 0-1 el (or from_el), 2-3 regime (or to_el), 4-6 flags. */
static inline uint8_t ctx_byte(unsigned lo, unsigned mid, unsigned flags)
{
    return (uint8_t)((lo & 3u) | (mid & 3u) << 2 | (flags & STORED_FLAGS) << 4);
}

/* Which record types have an address triple (va, ipa, pa; FORMAT.md "Addresses"). */
static const bool type_has_triple[TR_TYPE_MAX + 1] = {
    [TR_BLOCK] = true, [TR_DATA] = true, [TR_WALK] = true, [TR_SMMU_XLATE] = true, [TR_SMMU_WALK] = true,
};

/* Which record types open with the SMMU's context: varint sid, then varint ssid when flags has TRF_SSID. */
static const bool type_has_stream[TR_TYPE_MAX + 1] = {
    [TR_SMMU_XLATE] = true, [TR_SMMU_WALK] = true, [TR_SMMU_EVENT] = true,
};

#define SSID_MAX 0xfffffu           /* SubstreamIDs have at most 20 bits (SMMU_IDR1.SSIDSIZE) */
#define CONFIG_MAX 7u               /* STE.Config is 3 bits */

/* What the writer and the reader predict from earlier records of the same
 * PE (each PE has its own clock and its own code and data): the time of the
 * PE's previous record, and per type the previous va and the previous
 * translation offsets ipa - va (stage 1) and pa - ipa (stage 2). Values are
 * stored as zigzag varints of the difference to the prediction. */
struct predictor {
    uint64_t time;
    struct { uint64_t va, s1_off, s2_off; } by_type[TR_TYPE_MAX + 1];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- Class names ---- */

static const char *const class_names[TR_TYPE_MAX + 1] = {
    [TR_BLOCK] = "blocks", [TR_DATA] = "data",    [TR_EXCEPTION] = "exceptions", [TR_ERET] = "erets",
    [TR_TLBI] = "tlbi",    [TR_CONTEXT] = "context", [TR_WALK] = "walks",         [TR_IRQ] = "irq",
    [TR_SMMU_XLATE] = "smmu_xlate", [TR_SMMU_WALK] = "smmu_walks", [TR_SMMU_EVENT] = "smmu_events",
    [TR_SMMU_CMD] = "smmu_cmds",
};

const char *trace_type_name(unsigned type)
{
    return type >= 1 && type <= TR_TYPE_MAX ? class_names[type] : NULL;
}

static void list_valid_classes(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned t = 1; t <= TR_TYPE_MAX && n < len; t++)
        n += (size_t)snprintf(buf + n, len - n, "%s, ", class_names[t]);
    if (n < len)
        snprintf(buf + n, len - n, "smmu (the four smmu_* classes), all");
}

int trace_parse_classes(const char *list, uint32_t *mask, char *err, size_t errlen)
{
    char valid[256];
    uint32_t m = 0;
    const char *p = list ? list : "";
    list_valid_classes(valid, sizeof valid);
    for (;;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ",");
        size_t k = n;
        while (k > 0 && p[k - 1] == ' ')
            k--;
        if (k == 0) {
            set_err(err, errlen, "empty event class in '%s' (valid: %s)", list ? list : "", valid);
            return -1;
        }
        bool found = false;
        if (k == 3 && strncmp(p, "all", 3) == 0) {
            m |= TRACE_ALL_CLASSES;
            found = true;
        } else if (k == 4 && strncmp(p, "smmu", 4) == 0) {
            m |= TRACE_SMMU_CLASSES;
            found = true;
        }
        for (unsigned t = 1; t <= TR_TYPE_MAX && !found; t++) {
            if (strlen(class_names[t]) == k && strncmp(p, class_names[t], k) == 0) {
                m |= 1u << t;
                found = true;
            }
        }
        if (!found) {
            set_err(err, errlen, "unknown event class '%.*s' (valid: %s)", (int)(k > 64 ? 64 : k), p, valid);
            return -1;
        }
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    *mask = m;
    return 0;
}

/* ---- Filter ---- */

void trace_filter_init(struct trace_filter *f)
{
    f->classes = TRACE_ALL_CLASSES;
    f->el = -1;
    f->vmid = -1;
    f->pe = -1;
    f->sid = -1;
}

bool trace_record_has_el(unsigned type)
{
    return type == TR_BLOCK || type == TR_DATA || type == TR_WALK || type == TR_CONTEXT || type == TR_TLBI;
}

bool trace_record_has_vmid(unsigned type)
{
    return type == TR_BLOCK || type == TR_DATA || type == TR_WALK || type == TR_CONTEXT || type == TR_TLBI ||
           type == TR_EXCEPTION || type == TR_SMMU_XLATE || type == TR_SMMU_WALK || type == TR_SMMU_EVENT;
}

bool trace_record_has_sid(unsigned type)
{
    return type <= TR_TYPE_MAX && type_has_stream[type];
}

bool trace_filter_match(const struct trace_filter *f, const struct trace_record *r)
{
    if (r->type > TR_TYPE_MAX || !(f->classes & (1u << r->type)))
        return false;
    if (f->el >= 0) {
        if (trace_record_has_el(r->type)) {
            if (r->el != f->el)
                return false;
        } else if (r->type == TR_EXCEPTION || r->type == TR_ERET) {
            if (r->from_el != f->el && r->to_el != f->el)
                return false;
        } else {
            return false;
        }
    }
    if (f->vmid >= 0 && (!trace_record_has_vmid(r->type) || r->vmid != f->vmid))
        return false;
    if (f->pe >= 0 && r->pe != (unsigned)f->pe)
        return false;
    if (f->sid >= 0 && (!trace_record_has_sid(r->type) || r->sid != (uint64_t)f->sid))
        return false;
    return true;
}

/* ---- Writer ---- */

/* Records are encoded into one of two chunks while a compressor thread
 * checksums, deflates and writes the other, so compression overlaps the
 * simulation. The bytes on disk are the same as with a single thread. */
struct trace_writer {
    FILE *f;
    z_stream z;
    bool z_ready;
    bool failed;                  /* the encoding thread's view */
    bool thread_failed;           /* the compressor's (under lock); copied into failed when idle */
    bool wanted[256];             /* by type: the class mask as one table test */
    uint32_t crc;                 /* CRC-32 of the record bytes compressed so far (the compressor's) */
    uint64_t count;
    unsigned pe;                  /* the PE of the previous record (0 at the start) */
    struct predictor pred[TRACE_PES_MAX];   /* by PE */
    uint8_t *buf;                 /* the chunk being filled: chunk[cur] */
    size_t len;                   /* bytes used in buf */
    unsigned cur;
    char error[160];
    /* The compressor thread and its one-slot queue. */
    pthread_t thread;
    bool thread_running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    const uint8_t *job;           /* chunk to compress, NULL: none */
    size_t job_len;
    bool quit;
    uint8_t chunk[2][IO_CHUNK];
    uint8_t out[IO_CHUNK];
};

/* Deflates `len` bytes at `in` and writes what it produces. */
static int writer_deflate_bytes(struct trace_writer *w, const uint8_t *in, size_t len, int flush)
{
    w->z.next_in = (Bytef *)in;
    w->z.avail_in = (uInt)len;
    for (;;) {
        w->z.next_out = w->out;
        w->z.avail_out = sizeof w->out;
        int rc = deflate(&w->z, flush);
        if (rc == Z_STREAM_ERROR) {
            snprintf(w->error, sizeof w->error, "deflate failed");
            return -1;
        }
        size_t have = sizeof w->out - w->z.avail_out;
        if (have && fwrite(w->out, 1, have, w->f) != have) {
            snprintf(w->error, sizeof w->error, "write failed: %s", strerror(errno));
            return -1;
        }
        if (flush == Z_FINISH ? rc == Z_STREAM_END : w->z.avail_in == 0 && w->z.avail_out != 0)
            break;
    }
    return 0;
}

static void *compressor_main(void *arg)
{
    struct trace_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->job && !w->quit)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->job)
            break;
        const uint8_t *in = w->job;
        size_t len = w->job_len;
        pthread_mutex_unlock(&w->lock);
        w->crc = (uint32_t)crc32_z(w->crc, in, len);      /* chunks arrive in order */
        int rc = writer_deflate_bytes(w, in, len, Z_NO_FLUSH);
        pthread_mutex_lock(&w->lock);
        if (rc != 0)
            w->thread_failed = true;
        w->job = NULL;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Waits until the compressor holds no chunk. */
static void writer_wait_idle(struct trace_writer *w)
{
    if (!w->thread_running)
        return;
    pthread_mutex_lock(&w->lock);
    while (w->job)
        pthread_cond_wait(&w->cond, &w->lock);
    if (w->thread_failed)
        w->failed = true;
    pthread_mutex_unlock(&w->lock);
}

/* Hands the filled chunk to the compressor and continues in the other one. */
static int writer_flush(struct trace_writer *w)
{
    writer_wait_idle(w);
    if (w->failed)
        return -1;
    if (!w->thread_running) {
        w->crc = (uint32_t)crc32_z(w->crc, w->buf, (size_t)w->len);
        if (writer_deflate_bytes(w, w->buf, w->len, Z_NO_FLUSH) != 0) {
            w->failed = true;
            return -1;
        }
    } else {
        pthread_mutex_lock(&w->lock);
        w->job = w->buf;
        w->job_len = w->len;
        pthread_cond_broadcast(&w->cond);
        pthread_mutex_unlock(&w->lock);
        w->cur ^= 1;
        w->buf = w->chunk[w->cur];
    }
    w->len = 0;
    return 0;
}

static void writer_stop_thread(struct trace_writer *w)
{
    if (!w->thread_running)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->thread_running = false;
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

struct trace_writer *trace_writer_open(const char *path, const char *machine_desc, uint32_t class_mask,
                                       char *err, size_t errlen)
{
    const char *desc = machine_desc ? machine_desc : "";
    size_t desc_len = strlen(desc);
    if (desc_len > TRACE_DESC_MAX) {
        set_err(err, errlen, "machine description is %zu bytes (at most %d)", desc_len, TRACE_DESC_MAX);
        return NULL;
    }
    if (class_mask & ~TRACE_ALL_CLASSES) {
        set_err(err, errlen, "class mask 0x%x has bits that are no event class", class_mask);
        return NULL;
    }
    struct trace_writer *w = calloc(1, sizeof *w);
    if (!w) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    for (unsigned t = 1; t <= TR_TYPE_MAX; t++)
        w->wanted[t] = (class_mask >> t) & 1;
    w->buf = w->chunk[0];
    if (deflateInit(&w->z, Z_BEST_SPEED) != Z_OK) {
        set_err(err, errlen, "deflateInit failed");
        free(w);
        return NULL;
    }
    w->z_ready = true;
    w->f = fopen(path, "wb");
    if (!w->f) {
        set_err(err, errlen, "cannot create %s: %s", path, strerror(errno));
        deflateEnd(&w->z);
        free(w);
        return NULL;
    }
    uint8_t hdr[HDR_FIXED + TRACE_DESC_MAX];
    uint32_t hdr_len = HDR_FIXED + (uint32_t)desc_len;
    memset(hdr, 0, HDR_FIXED);
    memcpy(hdr, TRACE_MAGIC, 8);
    /* The lowest version that holds these classes: without SMMU classes, version 2 (byte for byte what
     * avsim wrote before SMMU records existed, so an older avsim reads it). */
    put_le(hdr + HDR_OFF_VERSION, class_mask & ~TRACE_V2_CLASSES ? TRACE_VERSION : 2, 4);
    put_le(hdr + HDR_OFF_LEN, hdr_len, 4);
    put_le(hdr + HDR_OFF_MASK, class_mask, 4);
    put_le(hdr + HDR_OFF_DESC_LEN, desc_len, 4);
    memcpy(hdr + HDR_FIXED, desc, desc_len);
    put_le(hdr + HDR_OFF_CRC, crc32_z(0, hdr, hdr_len), 4);   /* computed with the field zero */
    if (fwrite(hdr, 1, hdr_len, w->f) != hdr_len) {
        set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
        fclose(w->f);
        deflateEnd(&w->z);
        free(w);
        return NULL;
    }
    /* Without a thread (cannot start one), the writer compresses inline. */
    if (pthread_mutex_init(&w->lock, NULL) == 0) {
        if (pthread_cond_init(&w->cond, NULL) == 0) {
            if (pthread_create(&w->thread, NULL, compressor_main, w) == 0)
                w->thread_running = true;
            else
                pthread_cond_destroy(&w->cond);
        }
        if (!w->thread_running)
            pthread_mutex_destroy(&w->lock);
    }
    return w;
}

int trace_write(struct trace_writer *w, const struct trace_record *r)
{
    if (!w->wanted[r->type])
        return 0;
    if (w->failed)
        return -1;
    if (w->len > IO_CHUNK - REC_MAX_BYTES && writer_flush(w) != 0)
        return -1;
    if (r->pe >= TRACE_PES_MAX) {
        snprintf(w->error, sizeof w->error, "PE %u is out of range (at most %d)", r->pe, TRACE_PES_MAX - 1);
        w->failed = true;
        return -1;
    }
    uint8_t *p = w->buf + w->len;
    if (r->pe != w->pe) {
        *p++ = REC_PE;
        p = put_varint(p, r->pe);
        w->pe = r->pe;
    }
    struct predictor *pred = &w->pred[r->pe];
    unsigned t = r->type;
    *p++ = (uint8_t)t;
    p = put_varint(p, zigzag_delta(r->time, pred->time));
    pred->time = r->time;
    switch (t) {
    case TR_BLOCK:
    case TR_DATA:
        *p++ = ctx_byte(r->el, r->regime, r->flags);
        p = put_varint(p, r->vmid);
        p = put_varint(p, r->asid);
        p = put_varint(p, r->size);
        break;
    case TR_WALK:
        *p++ = ctx_byte(r->el, r->regime, r->flags);
        *p++ = (uint8_t)r->level;
        p = put_varint(p, r->vmid);
        p = put_varint(p, r->asid);
        break;
    case TR_EXCEPTION:
        *p++ = ctx_byte(r->from_el, r->to_el, r->flags);
        p = put_varint(p, r->ec);
        p = put_varint(p, r->iss);
        p = put_varint(p, r->vmid);
        p = put_varint(p, zigzag_delta(r->va, pred->by_type[t].va));
        pred->by_type[t].va = r->va;
        if (r->flags & TRF_FAR_VALID)
            p = put_varint(p, r->arg);
        break;
    case TR_ERET:
        *p++ = ctx_byte(r->from_el, r->to_el, r->flags);
        p = put_varint(p, zigzag_delta(r->va, pred->by_type[t].va));
        pred->by_type[t].va = r->va;
        break;
    case TR_TLBI:
        *p++ = ctx_byte(r->el, 0, r->flags);
        *p++ = r->op;
        p = put_varint(p, r->vmid);
        p = put_varint(p, r->asid);
        p = put_varint(p, r->va);
        p = put_varint(p, r->ipa);
        p = put_varint(p, r->arg);
        break;
    case TR_CONTEXT:
        *p++ = ctx_byte(r->el, r->regime, r->flags);
        p = put_varint(p, r->vmid);
        p = put_varint(p, r->asid);
        break;
    case TR_IRQ:
        *p++ = ctx_byte(0, 0, r->flags);
        *p++ = r->op;
        p = put_varint(p, r->intid);
        p = put_varint(p, r->target_pe);
        p = put_varint(p, r->arg + 1);     /* UINT64_MAX (no list register) is one byte */
        break;
    case TR_SMMU_XLATE:
    case TR_SMMU_WALK:
    case TR_SMMU_EVENT:
        *p++ = ctx_byte(0, 0, r->flags);
        p = put_varint(p, r->sid);
        if (r->flags & TRF_SSID)
            p = put_varint(p, r->ssid);
        if (t == TR_SMMU_XLATE) {
            *p++ = r->config;
            p = put_varint(p, r->vmid);
            p = put_varint(p, r->asid);
            p = put_varint(p, r->size);
            *p++ = r->page_shift;
            p = put_varint(p, r->walk_refs);
        } else if (t == TR_SMMU_WALK) {
            *p++ = (uint8_t)r->level;
            p = put_varint(p, r->vmid);
            p = put_varint(p, r->asid);
        } else {
            *p++ = r->op;
            *p++ = r->config;
            p = put_varint(p, r->vmid);
            p = put_varint(p, r->asid);
            p = put_varint(p, zigzag_delta(r->va, pred->by_type[t].va));
            pred->by_type[t].va = r->va;
            p = put_varint(p, r->ipa);
        }
        break;
    case TR_SMMU_CMD:
        *p++ = ctx_byte(0, 0, 0);
        *p++ = r->op;
        p = put_varint(p, r->arg);
        p = put_varint(p, r->arg2);
        break;
    }
    if (type_has_triple[t]) {
        uint64_t s1_off = r->ipa - r->va, s2_off = r->pa - r->ipa;
        p = put_varint(p, zigzag_delta(r->va, pred->by_type[t].va));
        p = put_varint(p, zigzag_delta(s1_off, pred->by_type[t].s1_off));
        p = put_varint(p, zigzag_delta(s2_off, pred->by_type[t].s2_off));
        pred->by_type[t].va = r->va;
        pred->by_type[t].s1_off = s1_off;
        pred->by_type[t].s2_off = s2_off;
    }
    w->len = (size_t)(p - w->buf);
    w->count++;
    return 0;
}

uint64_t trace_writer_count(const struct trace_writer *w)
{
    return w->count;
}

const char *trace_writer_error(const struct trace_writer *w)
{
    writer_wait_idle((struct trace_writer *)w);      /* the compressor may be writing it */
    return w->error[0] ? w->error : NULL;
}

int trace_writer_close(struct trace_writer *w)
{
    if (!w)
        return 0;
    if (w->len > IO_CHUNK - 16)
        writer_flush(w);
    writer_wait_idle(w);
    writer_stop_thread(w);            /* from here on, one thread */
    int rc = w->failed ? -1 : 0;
    if (rc == 0) {
        w->crc = (uint32_t)crc32_z(w->crc, w->buf, (size_t)w->len);
        uint8_t *p = w->buf + w->len;
        *p++ = REC_END;
        put_le(p, w->count, 8);
        put_le(p + 8, w->crc, 4);
        w->len += 13;
        if (writer_deflate_bytes(w, w->buf, w->len, Z_FINISH) != 0)
            rc = -1;
    }
    deflateEnd(&w->z);
    if (fflush(w->f) != 0 || ferror(w->f))
        rc = -1;
    if (fclose(w->f) != 0)
        rc = -1;
    free(w);
    return rc;
}

/* ---- Reader ---- */

enum reader_state { RS_OK, RS_DONE, RS_FAILED };

struct trace_reader {
    FILE *f;
    z_stream z;
    enum reader_state state;
    bool in_eof;                  /* the file has no more bytes */
    bool z_end;                   /* inflate reached Z_STREAM_END (Adler-32 checked) */
    uint32_t mask;
    uint32_t crc;                 /* CRC-32 of win[0, crc_pos) and everything before */
    size_t pos, len, crc_pos;     /* win: decoded bytes [pos, len) not yet consumed */
    uint64_t count;
    unsigned version;
    unsigned pe;                  /* the PE of the records being read */
    struct predictor pred[TRACE_PES_MAX];   /* by PE */
    char desc[TRACE_DESC_MAX + 1];
    char error[256];
    uint8_t in[IO_CHUNK];
    uint8_t win[2 * IO_CHUNK];
};

/* Sets the error (sticky: later reads repeat it) and returns -1. */
static int fail(struct trace_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct trace_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->state = RS_FAILED;
    return -1;
}

static int fail_truncated(struct trace_reader *r)
{
    return fail(r, "truncated: no end marker after %llu records", (unsigned long long)r->count);
}

/* Reads up to n bytes; returns how many (short only at end of file or error). */
static size_t read_full(FILE *f, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t k = fread(buf + got, 1, n - got, f);
        if (k == 0)
            break;
        got += k;
    }
    return got;
}

static int reader_header(struct trace_reader *r, char *err, size_t errlen)
{
    uint8_t hdr[HDR_LEN_MAX];
    size_t n = read_full(r->f, hdr, HDR_FIXED);
    if (ferror(r->f)) {
        set_err(err, errlen, "read error: %s", strerror(errno));
        return -1;
    }
    if (n == 0) {
        set_err(err, errlen, "empty file, not an avsim trace");
        return -1;
    }
    if (memcmp(hdr, TRACE_MAGIC, n < 8 ? n : 8) != 0) {
        set_err(err, errlen, "not an avsim trace (bad magic)");
        return -1;
    }
    if (n < HDR_OFF_LEN) {
        set_err(err, errlen, "truncated: header is %zu bytes, expected at least %u", n, HDR_FIXED);
        return -1;
    }
    uint32_t version = (uint32_t)get_le(hdr + HDR_OFF_VERSION, 4);
    if (version > TRACE_VERSION) {   /* older versions are read: 1 is 2 without PE switches */
        set_err(err, errlen, "trace version %u is newer than this avsim (%d)", version, TRACE_VERSION);
        return -1;
    }
    if (version == 0) {
        set_err(err, errlen, "corrupt header: trace version 0");
        return -1;
    }
    if (n < HDR_FIXED) {
        set_err(err, errlen, "truncated: header is %zu bytes, expected at least %u", n, HDR_FIXED);
        return -1;
    }
    uint32_t hdr_len = (uint32_t)get_le(hdr + HDR_OFF_LEN, 4);
    uint32_t mask = (uint32_t)get_le(hdr + HDR_OFF_MASK, 4);
    uint32_t desc_len = (uint32_t)get_le(hdr + HDR_OFF_DESC_LEN, 4);
    uint32_t crc = (uint32_t)get_le(hdr + HDR_OFF_CRC, 4);
    if (desc_len > TRACE_DESC_MAX) {
        set_err(err, errlen, "corrupt header: machine description length %u (at most %d)", desc_len,
                TRACE_DESC_MAX);
        return -1;
    }
    if (hdr_len < HDR_FIXED + desc_len || hdr_len > HDR_LEN_MAX) {
        set_err(err, errlen, "corrupt header: header length %u (description %u bytes)", hdr_len, desc_len);
        return -1;
    }
    size_t rest = hdr_len - HDR_FIXED;
    if (read_full(r->f, hdr + HDR_FIXED, rest) != rest) {
        if (ferror(r->f))
            set_err(err, errlen, "read error: %s", strerror(errno));
        else
            set_err(err, errlen, "truncated: header is %u bytes, the file ends before", hdr_len);
        return -1;
    }
    put_le(hdr + HDR_OFF_CRC, 0, 4);
    if ((uint32_t)crc32_z(0, hdr, hdr_len) != crc) {
        set_err(err, errlen, "corrupt header: CRC mismatch");
        return -1;
    }
    if (mask & ~(version >= 3 ? TRACE_ALL_CLASSES : TRACE_V2_CLASSES)) {
        set_err(err, errlen, "corrupt header: class mask 0x%x in a version-%u trace", mask, version);
        return -1;
    }
    if (memchr(hdr + HDR_FIXED, '\0', desc_len)) {
        set_err(err, errlen, "corrupt header: NUL byte in the machine description");
        return -1;
    }
    memcpy(r->desc, hdr + HDR_FIXED, desc_len);
    r->desc[desc_len] = '\0';
    r->mask = mask;
    r->version = version;
    return 0;
}

struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen)
{
    struct trace_reader *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    r->f = fopen(path, "rb");
    if (!r->f) {
        set_err(err, errlen, "cannot open: %s", strerror(errno));
        free(r);
        return NULL;
    }
    if (reader_header(r, err, errlen) != 0) {
        fclose(r->f);
        free(r);
        return NULL;
    }
    if (inflateInit(&r->z) != Z_OK) {
        set_err(err, errlen, "inflateInit failed");
        fclose(r->f);
        free(r);
        return NULL;
    }
    return r;
}

const char *trace_reader_machine(const struct trace_reader *r)
{
    return r->desc;
}

uint32_t trace_reader_class_mask(const struct trace_reader *r)
{
    return r->mask;
}

unsigned trace_reader_version(const struct trace_reader *r)
{
    return r->version;
}

/* Makes at least `need` decoded bytes available in win[pos, len), unless the
 * stream or the file ends first (the caller sees fewer). Returns -1 on an
 * I/O or inflate error. Every loop turn reads input, makes inflate progress,
 * or stops: it cannot spin. */
static int reader_fill(struct trace_reader *r, size_t need)
{
    if (r->len - r->pos >= need || r->z_end)
        return 0;
    /* Slide the unconsumed tail to the front, CRC'ing what leaves. */
    r->crc = (uint32_t)crc32_z(r->crc, r->win + r->crc_pos, (size_t)(r->pos - r->crc_pos));
    memmove(r->win, r->win + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = r->crc_pos = 0;
    while (r->len < need && !r->z_end) {
        if (r->z.avail_in == 0) {
            if (r->in_eof)
                return 0;
            size_t k = fread(r->in, 1, sizeof r->in, r->f);
            if (k == 0) {
                if (ferror(r->f))
                    return fail(r, "read error after %llu records: %s", (unsigned long long)r->count,
                                strerror(errno));
                r->in_eof = true;
                return 0;
            }
            r->z.next_in = r->in;
            r->z.avail_in = (uInt)k;
        }
        r->z.next_out = r->win + r->len;
        r->z.avail_out = (uInt)(sizeof r->win - r->len);
        int rc = inflate(&r->z, Z_NO_FLUSH);
        r->len = sizeof r->win - r->z.avail_out;
        if (rc == Z_STREAM_END)
            r->z_end = true;
        else if (rc == Z_BUF_ERROR && r->z.avail_in == 0)
            continue;
        else if (rc != Z_OK)
            return fail(r, "corrupt compressed data after %llu records (zlib: %s)", (unsigned long long)r->count,
                        r->z.msg ? r->z.msg : "error");
    }
    return 0;
}

/* A bounds-checked decoding cursor over win. */
struct cursor {
    const uint8_t *p, *end;
    bool overrun;                 /* ran past end: the record is incomplete */
    bool bad;                     /* a varint longer than 64 bits */
};

static uint8_t cur_byte(struct cursor *c)
{
    if (c->p >= c->end) {
        c->overrun = true;
        return 0;
    }
    return *c->p++;
}

static uint64_t cur_varint(struct cursor *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b = cur_byte(c);
        if (c->overrun)
            return 0;
        if (shift == 63 && b > 1) {
            c->bad = true;
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->bad = true;
    return 0;
}

/* Reads a varint that must fit in `max`; otherwise names the field in *bad_field (the first one wins). */
static uint64_t cur_bounded(struct cursor *c, uint64_t max, const char *what, const char **bad_field)
{
    uint64_t v = cur_varint(c);
    if (v > max && !*bad_field)
        *bad_field = what;
    return v;
}

/* Splits a context byte into its fields; the reserved flag bit must be zero. */
static void cur_ctx(struct cursor *c, uint8_t *lo, uint8_t *mid, uint8_t *flags, unsigned mid_max,
                    const char **bad_field)
{
    uint8_t b = cur_byte(c);
    *lo = b & 3u;
    *mid = (b >> 2) & 3u;
    *flags = (b >> 4) & STORED_FLAGS;
    if (b & 0x80u && !*bad_field)
        *bad_field = "flags";
    if (*mid > mid_max && !*bad_field)
        *bad_field = mid_max == 2 ? "regime" : "context byte";
}

static int reader_end_marker(struct trace_reader *r, struct cursor *c)
{
    uint8_t tail[12];
    for (unsigned i = 0; i < sizeof tail; i++)
        tail[i] = cur_byte(c);
    if (c->overrun)
        return r->z_end ? fail(r, "corrupt: the end marker is cut short after %llu records",
                               (unsigned long long)r->count)
                        : fail_truncated(r);
    uint64_t count = get_le(tail, 8);
    uint32_t crc = (uint32_t)get_le(tail + 8, 4);
    /* The CRC covers the record bytes before the marker. */
    const uint8_t *marker = c->p - 13;
    r->crc = (uint32_t)crc32_z(r->crc, r->win + r->crc_pos, (size_t)(marker - (r->win + r->crc_pos)));
    r->pos = r->crc_pos = (size_t)(c->p - r->win);
    if (count != r->count)
        return fail(r, "corrupt: the end marker counts %llu records, %llu were read", (unsigned long long)count,
                    (unsigned long long)r->count);
    if (crc != r->crc)
        return fail(r, "corrupt: CRC mismatch over %llu records (stored 0x%08x, computed 0x%08x)",
                    (unsigned long long)count, crc, r->crc);
    /* The zlib stream must end right here, and the file with it. */
    if (reader_fill(r, 1) != 0)
        return -1;
    if (r->len > r->pos)
        return fail(r, "corrupt: data after the end marker (%llu records)", (unsigned long long)count);
    if (!r->z_end)
        return fail(r, "truncated: the compressed stream ends early after the end marker (%llu records)",
                    (unsigned long long)count);
    uint8_t extra;
    if (r->z.avail_in > 0 || fread(&extra, 1, 1, r->f) == 1)
        return fail(r, "corrupt: trailing bytes after the compressed stream (%llu records)",
                    (unsigned long long)count);
    r->state = RS_DONE;
    return 0;
}

int trace_read(struct trace_reader *r, struct trace_record *rec, char *err, size_t errlen)
{
    if (r->state == RS_DONE)
        return 0;
    if (r->state == RS_OK && reader_fill(r, REC_MAX_BYTES) == 0 && r->pos == r->len) {
        if (r->z_end)
            fail(r, "corrupt: the compressed stream ends without an end marker after %llu records",
                 (unsigned long long)r->count);
        else
            fail_truncated(r);
    }
    if (r->state == RS_FAILED) {
        set_err(err, errlen, "%s", r->error);
        return -1;
    }

    struct cursor c = { r->win + r->pos, r->win + r->len, false, false };
    const char *bad_field = NULL;
    memset(rec, 0, sizeof *rec);
    uint8_t t = cur_byte(&c);
    unsigned pe = r->pe;
    bool pe_switch = false;
    if (t == REC_PE && r->version >= 2) {
        pe = (unsigned)cur_bounded(&c, TRACE_PES_MAX - 1, "pe", &bad_field);
        pe_switch = true;
        t = cur_byte(&c);
        if (c.overrun || c.bad || bad_field || t == REC_END || t == REC_PE) {
            if (c.overrun)
                r->z_end ? fail(r, "corrupt: the compressed stream ends inside a record after %llu records",
                                (unsigned long long)r->count)
                         : fail_truncated(r);
            else
                fail(r, "corrupt: a bad PE switch after %llu records", (unsigned long long)r->count);
            set_err(err, errlen, "%s", r->error);
            return -1;
        }
    }
    struct predictor *pred = &r->pred[pe];
    if (t == REC_END) {
        if (reader_end_marker(r, &c) == 0)
            return 0;
        set_err(err, errlen, "%s", r->error);
        return -1;
    }
    if (t > TR_TYPE_MAX) {
        fail(r, "corrupt: unknown record type %u after %llu records", t, (unsigned long long)r->count);
        set_err(err, errlen, "%s", r->error);
        return -1;
    }
    if (!(r->mask & (1u << t))) {
        fail(r, "corrupt: a %s record after %llu records, a class the header leaves out", class_names[t],
             (unsigned long long)r->count);
        set_err(err, errlen, "%s", r->error);
        return -1;
    }
    rec->type = t;
    rec->pe = pe;
    rec->time = unzigzag_add(cur_varint(&c), pred->time);
    switch (t) {
    case TR_BLOCK:
    case TR_DATA:
        cur_ctx(&c, &rec->el, &rec->regime, &rec->flags, 2, &bad_field);
        rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
        rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
        rec->size = (uint32_t)cur_bounded(&c, UINT32_MAX, "size", &bad_field);
        break;
    case TR_WALK:
        cur_ctx(&c, &rec->el, &rec->regime, &rec->flags, 2, &bad_field);
        rec->level = (int8_t)cur_byte(&c);
        if ((rec->level < -1 || rec->level > 3) && !bad_field)
            bad_field = "level";
        rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
        rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
        break;
    case TR_EXCEPTION:
        cur_ctx(&c, &rec->from_el, &rec->to_el, &rec->flags, 3, &bad_field);
        rec->ec = (uint32_t)cur_bounded(&c, UINT32_MAX, "ec", &bad_field);
        rec->iss = (uint32_t)cur_bounded(&c, UINT32_MAX, "iss", &bad_field);
        rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
        rec->va = unzigzag_add(cur_varint(&c), pred->by_type[t].va);
        if (rec->flags & TRF_FAR_VALID)
            rec->arg = cur_varint(&c);
        break;
    case TR_ERET:
        cur_ctx(&c, &rec->from_el, &rec->to_el, &rec->flags, 3, &bad_field);
        rec->va = unzigzag_add(cur_varint(&c), pred->by_type[t].va);
        break;
    case TR_TLBI:
        cur_ctx(&c, &rec->el, &rec->regime, &rec->flags, 0, &bad_field);
        rec->op = cur_byte(&c);
        rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
        rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
        rec->va = cur_varint(&c);
        rec->ipa = cur_varint(&c);
        rec->arg = cur_varint(&c);
        break;
    case TR_CONTEXT:
        cur_ctx(&c, &rec->el, &rec->regime, &rec->flags, 2, &bad_field);
        rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
        rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
        break;
    case TR_IRQ: {
        uint8_t el, mid;
        cur_ctx(&c, &el, &mid, &rec->flags, 0, &bad_field);
        if (el != 0 && !bad_field)
            bad_field = "context byte";
        rec->op = cur_byte(&c);
        rec->intid = (uint32_t)cur_bounded(&c, UINT32_MAX, "intid", &bad_field);
        rec->target_pe = (uint32_t)cur_bounded(&c, UINT32_MAX, "pe", &bad_field);
        rec->arg = cur_varint(&c) - 1;
        break;
    }
    case TR_SMMU_XLATE:
    case TR_SMMU_WALK:
    case TR_SMMU_EVENT: {
        uint8_t a, b;
        cur_ctx(&c, &a, &b, &rec->flags, 0, &bad_field);
        if (a != 0 && !bad_field)
            bad_field = "context byte";
        rec->sid = (uint32_t)cur_bounded(&c, UINT32_MAX, "sid", &bad_field);
        if (rec->flags & TRF_SSID)
            rec->ssid = (uint32_t)cur_bounded(&c, SSID_MAX, "ssid", &bad_field);
        if (t == TR_SMMU_XLATE) {
            rec->config = cur_byte(&c);
            if (rec->config > CONFIG_MAX && !bad_field)
                bad_field = "config";
            rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
            rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
            rec->size = (uint32_t)cur_bounded(&c, UINT32_MAX, "size", &bad_field);
            rec->page_shift = cur_byte(&c);
            if (rec->page_shift > 63 && !bad_field)
                bad_field = "page_shift";
            rec->walk_refs = (uint16_t)cur_bounded(&c, UINT16_MAX, "walk_refs", &bad_field);
        } else if (t == TR_SMMU_WALK) {
            rec->level = (int8_t)cur_byte(&c);
            if ((rec->level < -1 || rec->level > 3) && !bad_field)
                bad_field = "level";
            rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
            rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
        } else {
            rec->op = cur_byte(&c);
            rec->config = cur_byte(&c);
            if (rec->config > CONFIG_MAX && !bad_field)
                bad_field = "config";
            rec->vmid = (uint16_t)cur_bounded(&c, UINT16_MAX, "vmid", &bad_field);
            rec->asid = (uint16_t)cur_bounded(&c, UINT16_MAX, "asid", &bad_field);
            rec->va = unzigzag_add(cur_varint(&c), pred->by_type[t].va);
            rec->ipa = cur_varint(&c);
        }
        break;
    }
    case TR_SMMU_CMD: {
        uint8_t a, b;
        cur_ctx(&c, &a, &b, &rec->flags, 0, &bad_field);
        if ((a != 0 || rec->flags != 0) && !bad_field)
            bad_field = "context byte";
        rec->op = cur_byte(&c);
        rec->arg = cur_varint(&c);
        rec->arg2 = cur_varint(&c);
        break;
    }
    }
    uint64_t s1_off = 0, s2_off = 0;
    if (type_has_triple[t]) {
        rec->va = unzigzag_add(cur_varint(&c), pred->by_type[t].va);
        s1_off = unzigzag_add(cur_varint(&c), pred->by_type[t].s1_off);
        s2_off = unzigzag_add(cur_varint(&c), pred->by_type[t].s2_off);
        rec->ipa = rec->va + s1_off;
        rec->pa = rec->ipa + s2_off;
    }
    if (c.overrun) {
        if (r->z_end)
            fail(r, "corrupt: the compressed stream ends inside a record after %llu records",
                 (unsigned long long)r->count);
        else
            fail_truncated(r);
    } else if (c.bad) {
        fail(r, "corrupt: over-long number in record %llu (%s)", (unsigned long long)r->count + 1,
             class_names[t]);
    } else if (bad_field) {
        fail(r, "corrupt: %s out of range in record %llu (%s)", bad_field, (unsigned long long)r->count + 1,
             class_names[t]);
    }
    if (r->state == RS_FAILED) {
        set_err(err, errlen, "%s", r->error);
        return -1;
    }
    if (t == TR_EXCEPTION || t == TR_ERET || t == TR_SMMU_EVENT || type_has_triple[t])
        pred->by_type[t].va = rec->va;
    if (type_has_triple[t]) {
        pred->by_type[t].s1_off = s1_off;
        pred->by_type[t].s2_off = s2_off;
    }
    pred->time = rec->time;
    if (pe_switch)
        r->pe = pe;
    r->pos = (size_t)(c.p - r->win);
    r->count++;
    return 1;
}

void trace_reader_close(struct trace_reader *r)
{
    if (!r)
        return;
    inflateEnd(&r->z);
    fclose(r->f);
    free(r);
}
