/* The DMA test device (register map in sim/dmatest.h). A command runs to its
 * end inside the write to CMD: each chunk is one dma_port access as the
 * StreamID/SubstreamID in SID/SSID; the first terminated access stops it. */
#include "sim/dmatest.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct dmatest {
    struct dma_port dma;
    struct irq_line irq;
    uint32_t sid, ssid, len, cmd, status, irq_enable, irq_status;
    uint32_t irq_ack;         /* the last value written to IRQ_ACK (write-only) */
    uint64_t src, dst, pattern, checksum, data;
    uint8_t buf[DMATEST_CHUNK];
};

/* ---- the register table --------------------------------------------------- */

/* A register: `words` 32-bit words at `off`, backed by the field at `field`
 * (a uint32_t for one word, a uint64_t for two); writes keep the bits in
 * wmask (0: read-only) and then call `written`. */
struct dmatest_reg {
    uint32_t off;
    const char *name;
    unsigned words;
    size_t field;
    uint64_t wmask;
    bool write_only;          /* reads as zero */
    void (*written)(struct dmatest *d);
};

static void run_command(struct dmatest *d);
static void ack_irq(struct dmatest *d);
static void update_irq(struct dmatest *d);

#define F(f) offsetof(struct dmatest, f)
static const struct dmatest_reg regs[] = {
    { DMATEST_ID, "ID", 1, 0, 0, false, NULL },
    { DMATEST_SID, "SID", 1, F(sid), 0xffffffffu, false, NULL },
    { DMATEST_SSID, "SSID", 1, F(ssid), DMATEST_SSID_SSV | DMATEST_SSID_MASK, false, NULL },
    { DMATEST_SRC, "SRC", 2, F(src), UINT64_MAX, false, NULL },
    { DMATEST_DST, "DST", 2, F(dst), UINT64_MAX, false, NULL },
    { DMATEST_LEN, "LEN", 1, F(len), 0xffffffffu, false, NULL },
    { DMATEST_CMD, "CMD", 1, F(cmd), 0xffffffffu, false, run_command },
    { DMATEST_STATUS, "STATUS", 1, F(status), 0, false, NULL },
    { DMATEST_PATTERN, "PATTERN", 2, F(pattern), UINT64_MAX, false, NULL },
    { DMATEST_CHECKSUM, "CHECKSUM", 2, F(checksum), 0, false, NULL },
    { DMATEST_DATA, "DATA", 2, F(data), 0, false, NULL },
    { DMATEST_IRQ_ENABLE, "IRQ_ENABLE", 1, F(irq_enable), DMATEST_IRQ_DONE | DMATEST_IRQ_ERROR, false, update_irq },
    { DMATEST_IRQ_STATUS, "IRQ_STATUS", 1, F(irq_status), 0, false, NULL },
    { DMATEST_IRQ_ACK, "IRQ_ACK", 1, F(irq_ack), 0xffffffffu, true, ack_irq },
};
#undef F

static const struct dmatest_reg *find_reg(uint64_t off, unsigned *word)
{
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (off >= regs[i].off && off < regs[i].off + 4u * regs[i].words) {
            *word = (unsigned)(off - regs[i].off) / 4;
            return &regs[i];
        }
    return NULL;
}

static uint64_t reg_value(const struct dmatest *d, const struct dmatest_reg *r)
{
    if (r->off == DMATEST_ID)
        return DMATEST_ID_VALUE;
    if (r->write_only)
        return 0;
    const char *p = (const char *)d + r->field;
    return r->words == 2 ? *(const uint64_t *)p : *(const uint32_t *)p;
}

static uint32_t read_word(const struct dmatest *d, uint64_t off)
{
    unsigned w;
    const struct dmatest_reg *r = find_reg(off, &w);
    return r ? (uint32_t)(reg_value(d, r) >> (32 * w)) : 0;
}

static void write_word(struct dmatest *d, uint64_t off, uint32_t value)
{
    unsigned w;
    const struct dmatest_reg *r = find_reg(off, &w);
    if (!r || !r->wmask)
        return;
    uint64_t mask = (r->wmask >> (32 * w)) & 0xffffffffu;
    if (r->words == 2) {
        uint64_t *f = (uint64_t *)((char *)d + r->field);
        *f = (*f & ~(mask << (32 * w))) | (((uint64_t)value & mask) << (32 * w));
    } else {
        uint32_t *f = (uint32_t *)((char *)d + r->field);
        *f = value & (uint32_t)mask;
    }
    if (r->written)
        r->written(d);
}

uint64_t dmatest_read(struct dmatest *d, uint64_t off, unsigned size)
{
    if (size == 4 && off % 4 == 0)
        return read_word(d, off);
    if (size == 8 && off % 8 == 0)
        return read_word(d, off) | (uint64_t)read_word(d, off + 4) << 32;
    return 0;
}

void dmatest_write(struct dmatest *d, uint64_t off, uint64_t value, unsigned size)
{
    if (size == 4 && off % 4 == 0) {
        write_word(d, off, (uint32_t)value);
    } else if (size == 8 && off % 8 == 0) {
        write_word(d, off, (uint32_t)value);
        write_word(d, off + 4, (uint32_t)(value >> 32));
    }
}

/* ---- the interrupt ---------------------------------------------------------- */

static void update_irq(struct dmatest *d)
{
    irq_line_set(&d->irq, (d->irq_status & d->irq_enable) != 0);
}

static void ack_irq(struct dmatest *d)
{
    d->irq_status &= ~d->irq_ack;
    update_irq(d);
}

/* ---- the commands ------------------------------------------------------------ */

#define FNV1A_BASIS 0xcbf29ce484222325ULL
#define FNV1A_PRIME 0x100000001b3ULL

static int dma(struct dmatest *d, uint64_t addr, void *buf, size_t len, bool is_write)
{
    uint32_t ssid = (d->ssid & DMATEST_SSID_SSV) ? (d->ssid & DMATEST_SSID_MASK) : DMA_NO_SSID;
    return d->dma.access(d->dma.opaque, d->sid, ssid, addr, buf, len, is_write);
}

/* Moves the bytes of one command; returns the STATUS bits it ends with. */
static uint32_t transfer(struct dmatest *d, unsigned cmd)
{
    bool reads = cmd == DMATEST_CMD_COPY || cmd == DMATEST_CMD_READ;
    bool writes = cmd == DMATEST_CMD_COPY || cmd == DMATEST_CMD_FILL;
    uint64_t sum = FNV1A_BASIS;
    if (reads)
        d->data = 0;
    for (uint32_t done = 0; done < d->len;) {
        size_t n = d->len - done < DMATEST_CHUNK ? d->len - done : DMATEST_CHUNK;
        if (reads) {
            if (dma(d, d->src + done, d->buf, n, false) != 0)
                return DMATEST_ST_FAULT | DMATEST_ST_SRC_FAULT;
            if (done == 0)
                for (unsigned i = 0; i < 8 && i < n; i++)
                    d->data |= (uint64_t)d->buf[i] << (8 * i);
            for (size_t i = 0; i < n; i++)
                sum = (sum ^ d->buf[i]) * FNV1A_PRIME;
        } else {
            for (size_t i = 0; i < n; i++)
                d->buf[i] = (uint8_t)(d->pattern >> (8 * ((done + i) % 8)));
        }
        if (writes && dma(d, d->dst + done, d->buf, n, true) != 0)
            return DMATEST_ST_FAULT | DMATEST_ST_DST_FAULT;
        done += (uint32_t)n;
    }
    if (cmd == DMATEST_CMD_READ)
        d->checksum = sum;
    return DMATEST_ST_DONE;
}

static void run_command(struct dmatest *d)
{
    bool known = d->cmd == DMATEST_CMD_COPY || d->cmd == DMATEST_CMD_FILL || d->cmd == DMATEST_CMD_READ;
    d->status = 0;
    if (!known || d->len > DMATEST_MAX_LEN)
        d->status = DMATEST_ST_BADCMD;
    else
        d->status = transfer(d, d->cmd);
    d->irq_status |= (d->status & DMATEST_ST_DONE) ? DMATEST_IRQ_DONE : DMATEST_IRQ_ERROR;
    update_irq(d);
}

/* ---- life cycle ---------------------------------------------------------------- */

struct dmatest *dmatest_create(struct dma_port dma, struct irq_line irq)
{
    struct dmatest *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->dma = dma;
    d->irq = irq;
    dmatest_reset(d);
    return d;
}

void dmatest_reset(struct dmatest *d)
{
    d->sid = d->dma.sid;
    d->ssid = d->len = d->cmd = d->status = d->irq_enable = d->irq_status = d->irq_ack = 0;
    d->src = d->dst = d->pattern = d->checksum = d->data = 0;
    update_irq(d);
}

void dmatest_destroy(struct dmatest *d)
{
    free(d);
}
