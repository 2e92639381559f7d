/* Unit tests for smmu/ (Arm IHI 0070, SMMUv3): a fake RAM behind the
 * phys_mem, recorded interrupt lines and events; the tests program the model
 * through its register file as a driver does (queues, stream table, CDs,
 * page tables in RAM) and check translations, event records, commands and
 * the stale behaviour of missing CFGI/TLBI commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "smmu/smmu.h"
#include "smmu/smmu_names.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (16u << 20)
#define STRTAB (RAM_BASE + 0x10000)
#define CMDQ (RAM_BASE + 0x20000)
#define EVTQ (RAM_BASE + 0x30000)
#define CDTAB (RAM_BASE + 0x40000)
#define PT_POOL (RAM_BASE + 0x100000)
#define DATA (RAM_BASE + 0x800000)
#define UNBACKED 0x10000000ULL        /* no RAM there */

/* Registers (IHI 0070). */
enum { IDR0 = 0x0, IDR1 = 0x4, IDR3 = 0xc, IDR5 = 0x14, CR0 = 0x20, CR0ACK = 0x24, CR2 = 0x2c, GBPA = 0x44,
       IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54, GERROR = 0x60, GERRORN = 0x64, STRTAB_BASE = 0x80,
       STRTAB_BASE_CFG = 0x88, CMDQ_BASE = 0x90, CMDQ_PROD = 0x98, CMDQ_CONS = 0x9c, EVTQ_BASE = 0xa0,
       EVTQ_PROD = 0x100a8, EVTQ_CONS = 0x100ac };
enum { SMMUEN = 1, EVTQEN = 4, CMDQEN = 8 };

struct fixture {
    uint8_t *ram;
    struct smmu *s;
    struct event_bus bus;
    unsigned pulses[SMMU_IRQ_COUNT];
    bool level[SMMU_IRQ_COUNT];
    struct irq_ctx { struct fixture *f; unsigned n; } irqctx[SMMU_IRQ_COUNT];
    uint64_t pt_next;
    unsigned cmd_log2, evt_log2;
    uint32_t evt_cons;
    unsigned n_events[EV_TYPE_COUNT];
    struct event last[EV_TYPE_COUNT];
};

/* ---- the machine around the SMMU ------------------------------------------------------ */

static int ram_read(void *o, uint64_t pa, void *buf, size_t len)
{
    struct fixture *f = o;
    if (pa < RAM_BASE || pa + len > RAM_BASE + RAM_SIZE || pa + len < pa)
        return -1;
    memcpy(buf, f->ram + (pa - RAM_BASE), len);
    return 0;
}

static int ram_write(void *o, uint64_t pa, const void *buf, size_t len)
{
    struct fixture *f = o;
    if (pa < RAM_BASE || pa + len > RAM_BASE + RAM_SIZE || pa + len < pa)
        return -1;
    memcpy(f->ram + (pa - RAM_BASE), buf, len);
    return 0;
}

static void irq_set(void *o, bool level)
{
    struct irq_ctx *c = o;
    if (level && !c->f->level[c->n])
        c->f->pulses[c->n]++;
    c->f->level[c->n] = level;
}

static void on_event(void *o, const struct event *ev)
{
    struct fixture *f = o;
    f->n_events[ev->type]++;
    f->last[ev->type] = *ev;
}

static void when(void *o, unsigned *pe, uint64_t *cycles)
{
    *pe = 1;
    *cycles = 1234;
}

static void w64(struct fixture *f, uint64_t pa, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        f->ram[pa - RAM_BASE + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t r64(struct fixture *f, uint64_t pa)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | f->ram[pa - RAM_BASE + i];
    return v;
}

static uint32_t rd(struct fixture *f, uint64_t off) { return (uint32_t)smmu_mmio_read(f->s, off, 4); }
static void wr(struct fixture *f, uint64_t off, uint32_t v) { smmu_mmio_write(f->s, off, v, 4); }

static struct fixture *make(const struct smmu_config *cfg)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->ram = calloc(1, RAM_SIZE);
    f->pt_next = PT_POOL;
    struct smmu_bus b = { .mem = { ram_read, ram_write, f }, .events = &f->bus, .when = when };
    for (int i = 0; i < SMMU_IRQ_COUNT; i++) {
        f->irqctx[i] = (struct irq_ctx){ f, (unsigned)i };
        b.irq[i] = (struct irq_line){ irq_set, &f->irqctx[i] };
    }
    event_subscribe(&f->bus, (1u << EV_SMMU_XLATE) | (1u << EV_SMMU_WALK) | (1u << EV_SMMU_EVENT) |
                                 (1u << EV_SMMU_CMD), on_event, f);
    char err[200];
    f->s = smmu_create(cfg, &b, err, sizeof err);
    assert_non_null(f->s);
    return f;
}

/* The driver's reset sequence (as Linux's arm_smmu_device_reset). */
static void driver_init(struct fixture *f, unsigned cmd_log2, unsigned evt_log2, uint32_t strtab_cfg)
{
    f->cmd_log2 = cmd_log2;
    f->evt_log2 = evt_log2;
    wr(f, CR0, 0);
    wr(f, CR2, 2 /* RECINVSID */);
    smmu_mmio_write(f->s, STRTAB_BASE, STRTAB, 8);
    wr(f, STRTAB_BASE_CFG, strtab_cfg);
    smmu_mmio_write(f->s, CMDQ_BASE, CMDQ | cmd_log2, 8);
    wr(f, CMDQ_PROD, 0);
    wr(f, CMDQ_CONS, 0);
    wr(f, CR0, CMDQEN);
    smmu_mmio_write(f->s, 0xa0, EVTQ | evt_log2, 8);
    wr(f, EVTQ_PROD, 0);
    wr(f, EVTQ_CONS, 0);
    wr(f, CR0, CMDQEN | EVTQEN);
    wr(f, IRQ_CTRL, 5);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    assert_int_equal(rd(f, CR0ACK), CMDQEN | EVTQEN | SMMUEN);
}

static int setup(void **state)
{
    struct smmu_config c;
    smmu_config_defaults(&c);
    c.ssid_bits = 10;
    struct fixture *f = make(&c);
    driver_init(f, 3, 3, 8 /* linear, 256 StreamIDs */);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    smmu_destroy(f->s);
    free(f->ram);
    free(f);
    return 0;
}

/* Appends a command and rings CMDQ_PROD. */
static void cmd(struct fixture *f, uint64_t w0, uint64_t w1)
{
    uint32_t prod = rd(f, CMDQ_PROD);
    uint32_t idx = prod & ((1u << f->cmd_log2) - 1);
    w64(f, CMDQ + idx * 16, w0);
    w64(f, CMDQ + idx * 16 + 8, w1);
    wr(f, CMDQ_PROD, (prod + 1) & ((2u << f->cmd_log2) - 1));
}

static void sync(struct fixture *f) { cmd(f, SMMU_CMD_SYNC, 0); }

/* The next event record (or false), consumed as a driver does. */
static bool next_event(struct fixture *f, uint64_t rec[4])
{
    uint32_t prod = rd(f, EVTQ_PROD), cons = rd(f, EVTQ_CONS);
    uint32_t m = (2u << f->evt_log2) - 1;
    if (((prod ^ cons) & m) == 0)
        return false;
    uint32_t idx = cons & ((1u << f->evt_log2) - 1);
    for (int i = 0; i < 4; i++)
        rec[i] = r64(f, EVTQ + idx * 32 + 8 * i);
    wr(f, EVTQ_CONS, (cons & 0x80000000u) | ((cons + 1) & m));
    return true;
}

static unsigned ev_id(const uint64_t r[4]) { return r[0] & 0xff; }
static uint32_t ev_sid(const uint64_t r[4]) { return (uint32_t)(r[0] >> 32); }
static unsigned ev_s2(const uint64_t r[4]) { return (r[1] >> 39) & 1; }
static unsigned ev_class(const uint64_t r[4]) { return (r[1] >> 40) & 3; }
static unsigned ev_rnw(const uint64_t r[4]) { return (r[1] >> 35) & 1; }

/* ---- tables ---------------------------------------------------------------------------- */

static uint64_t alloc_page(struct fixture *f)
{
    uint64_t p = f->pt_next;
    f->pt_next += 0x1000;
    memset(f->ram + (p - RAM_BASE), 0, 0x1000);
    return p;
}

/* A 4K-granule, 39-bit (levels 1-3) table: maps va -> out with the leaf's
 * attribute bits. Table addresses are as the walker sees them: `xlate`
 * converts an address written in a descriptor to where it lives in RAM (an
 * IPA -> PA for stage-1 tables under nesting; identity otherwise). */
typedef uint64_t (*xlate_fn)(uint64_t);
static uint64_t ident(uint64_t a) { return a; }

static void map(struct fixture *f, uint64_t root, xlate_fn x, uint64_t va, uint64_t out, uint64_t attrs)
{
    uint64_t table = root;
    for (int level = 1; level < 3; level++) {
        unsigned shift = 12 + 9 * (3 - level);
        uint64_t slot = x(table) + ((va >> shift) & 0x1ff) * 8;
        uint64_t d = r64(f, slot);
        if (!(d & 1)) {
            uint64_t n = alloc_page(f);
            d = n | 3;
            w64(f, slot, d);
        }
        table = d & 0x0000fffffffff000ULL;
    }
    w64(f, x(table) + ((va >> 12) & 0x1ff) * 8, (out & ~0xfffULL) | attrs | 3);
}

#define S1_RW_EL0 ((1ULL << 10) | (3ULL << 8) | (1ULL << 6) | (1ULL << 11))   /* AF, ISH, AP=01, nG */
#define S1_RO_EL0 ((1ULL << 10) | (3ULL << 8) | (3ULL << 6) | (1ULL << 11))   /* AP=11 */
#define S2_RW ((1ULL << 10) | (3ULL << 8) | (3ULL << 6) | (0xfULL << 2))     /* AF, ISH, S2AP=11, WB */

/* CD: T0SZ 25, TG0 4K, EPD1, V, IPS 40-bit, AA64, R, A, ASID; TTB0; MAIR. */
static void write_cd(struct fixture *f, uint64_t at, uint16_t asid, uint64_t ttb0, bool r, bool a)
{
    uint64_t w0 = 25 | (1ULL << 30) | (1ULL << 31) | (2ULL << 32) | (1ULL << 41) | ((uint64_t)r << 45) |
                  ((uint64_t)a << 46) | ((uint64_t)asid << 48);
    w64(f, at, w0);
    w64(f, at + 8, ttb0);
    w64(f, at + 16, 0);
    w64(f, at + 24, 0xff);        /* MAIR: Attr0 Normal WB */
}

static uint64_t ste_addr(uint32_t sid) { return STRTAB + (uint64_t)sid * 64; }

static void write_ste(struct fixture *f, uint64_t at, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    w64(f, at, w0);
    w64(f, at + 8, w1);
    w64(f, at + 16, w2);
    w64(f, at + 24, w3);
    for (int i = 4; i < 8; i++)
        w64(f, at + 8 * i, 0);
}

#define STE_V 1ULL
#define CFG(c) ((uint64_t)(c) << 1)
/* VTCR in STE word 2: S2T0SZ 25, S2SL0 1 (level 1), 4K, S2PS 40-bit; S2AA64; S2R. */
#define STE2_S2(vmid) ((uint64_t)(vmid) | ((uint64_t)(25 | (1 << 6) | (2 << 16)) << 32) | (1ULL << 51) | (1ULL << 58))

static void ste_s1(struct fixture *f, uint32_t sid, uint64_t ctxptr, unsigned cdmax, unsigned fmt, unsigned s1dss)
{
    write_ste(f, ste_addr(sid), STE_V | CFG(SMMU_STE_CONFIG_S1) | ((uint64_t)fmt << 4) | ctxptr |
                                    ((uint64_t)cdmax << 59), s1dss, 0, 0);
}

static uint8_t *data(struct fixture *f, uint64_t pa) { return f->ram + (pa - RAM_BASE); }

/* ---- registers ------------------------------------------------------------------------ */

static void test_id_registers(void **state)
{
    struct fixture *f = *state;
    uint32_t idr0 = rd(f, IDR0);
    assert_true(idr0 & 1);                            /* S2P */
    assert_true(idr0 & 2);                            /* S1P */
    assert_int_equal((idr0 >> 2) & 3, 2);             /* TTF AArch64 */
    assert_true(idr0 & (1u << 4));                    /* COHACC */
    assert_true(idr0 & (1u << 9));                    /* HYP */
    assert_true(idr0 & (1u << 12));                   /* ASID16 */
    assert_false(idr0 & ((1u << 13) | (1u << 14) | (1u << 10) | (1u << 16)));   /* MSI SEV ATS PRI */
    assert_true(idr0 & (1u << 18));                   /* VMID16 */
    assert_true(idr0 & (1u << 19));                   /* CD2L */
    assert_int_equal((idr0 >> 21) & 3, 2);            /* TTENDIAN little-endian */
    assert_int_equal((idr0 >> 24) & 3, 1);            /* stall not supported */
    assert_int_equal((idr0 >> 27) & 3, 1);            /* 2-level stream tables */
    uint32_t idr1 = rd(f, IDR1);
    assert_int_equal(idr1 & 0x3f, 16);                /* SIDSIZE */
    assert_int_equal((idr1 >> 6) & 0x1f, 10);         /* SSIDSIZE */
    assert_true(((idr1 >> 21) & 0x1f) > 6);           /* CMDQS: Linux needs > 64 entries */
    assert_true(((idr1 >> 16) & 0x1f) > 0);
    assert_false(idr1 & (7u << 28));                  /* no TABLES/QUEUES_PRESET, no REL */
    assert_int_equal(rd(f, IDR3) & (1u << 10), 0);    /* RIL */
    assert_int_equal(rd(f, IDR5), 2 | (7u << 4));     /* OAS 40, GRAN4K/16K/64K */
}

static void test_register_file(void **state)
{
    struct fixture *f = *state;
    /* CR0ACK follows CR0; reserved bits stay clear. */
    wr(f, CR0, 0xffffffff);
    assert_int_equal(rd(f, CR0ACK), SMMUEN | EVTQEN | CMDQEN);
    /* GBPA: only a write with Update changes it; Update reads as 0. */
    wr(f, GBPA, 1u << 20);
    assert_int_equal(rd(f, GBPA) & (1u << 20), 0);
    wr(f, GBPA, (1u << 31) | (1u << 20));
    assert_int_equal(rd(f, GBPA), 1u << 20);
    /* IRQ_CTRLACK follows IRQ_CTRL; PRIQ_IRQEN is RES0. */
    wr(f, IRQ_CTRL, 7);
    assert_int_equal(rd(f, IRQ_CTRLACK), 5);
    /* Base registers ignore writes while their unit is enabled, take them when off;
     * 64-bit registers take 32-bit halves. */
    smmu_mmio_write(f->s, STRTAB_BASE, 0x1234000, 8);
    assert_int_equal(smmu_mmio_read(f->s, STRTAB_BASE, 8), STRTAB);
    wr(f, CR0, 0);
    wr(f, STRTAB_BASE, 0x55555540);
    wr(f, STRTAB_BASE + 4, 0x12);
    assert_int_equal(smmu_mmio_read(f->s, STRTAB_BASE, 8), 0x1255555540ULL);
    assert_int_equal(rd(f, STRTAB_BASE + 4), 0x12);
    /* EVTQ_PROD/CONS in page 1 and at their page-0 offsets. */
    wr(f, 0xac, 3);
    assert_int_equal(rd(f, EVTQ_CONS), 3);
    /* Other offsets: RAZ/WI; odd sizes too. */
    wr(f, 0x200, 0xffffffff);
    assert_int_equal(rd(f, 0x200), 0);
    assert_int_equal(rd(f, 0x10000), 0);
    assert_int_equal(smmu_mmio_read(f->s, IDR0, 2), 0);
    /* LOG2SIZE above IDR1.CMDQS is capped: PROD keeps CMDQS + 1 bits. */
    smmu_mmio_write(f->s, CMDQ_BASE, CMDQ | 31, 8);
    assert_int_equal(smmu_mmio_read(f->s, CMDQ_BASE, 8), CMDQ | 31);
    unsigned cmdqs = (rd(f, IDR1) >> 21) & 0x1f;
    wr(f, CMDQ_PROD, 0xfffff);
    assert_int_equal(rd(f, CMDQ_PROD), (2u << cmdqs) - 1);
    /* A 64-bit access to two 32-bit registers is RAZ/WI (as QEMU 7.2); 8- and 16-bit
     * accesses are refused (the bus aborts them), RAZ/WI if called directly. */
    assert_int_not_equal(rd(f, IDR0), 0);
    assert_int_equal(smmu_mmio_read(f->s, IDR0, 8), 0);
    smmu_mmio_write(f->s, CMDQ_PROD, 0x0000000100000002ull, 8);
    assert_int_equal(rd(f, CMDQ_PROD), (2u << cmdqs) - 1);
    assert_int_equal(smmu_mmio_access(f->s, IDR0, 1), SMMU_ACCESS_ABORT);
    assert_int_equal(smmu_mmio_access(f->s, CR0, 2), SMMU_ACCESS_ABORT);
    assert_int_equal(smmu_mmio_access(f->s, IDR0, 4), SMMU_ACCESS_OK);
    assert_int_equal(smmu_mmio_access(f->s, IDR0, 8), SMMU_ACCESS_RAZ_WI);
    assert_int_equal(smmu_mmio_access(f->s, STRTAB_BASE, 8), SMMU_ACCESS_OK);
    assert_int_equal(smmu_mmio_access(f->s, STRTAB_BASE_CFG, 8), SMMU_ACCESS_RAZ_WI);
}

static void test_bad_config_rejected(void **state)
{
    (void)state;
    struct smmu_config c;
    smmu_config_defaults(&c);
    c.oas_bits = 41;
    char err[200] = "";
    struct fixture dummy = { 0 };
    struct smmu_bus b = { .mem = { ram_read, ram_write, &dummy } };
    assert_null(smmu_create(&c, &b, err, sizeof err));
    assert_non_null(strstr(err, "output address size"));
    c.oas_bits = 44;                                  /* beyond the walker's 40-bit PAMax */
    assert_null(smmu_create(&c, &b, err, sizeof err));
    smmu_config_defaults(&c);
    c.oas_bits = 36;
    struct smmu *s36 = smmu_create(&c, &b, err, sizeof err);
    assert_non_null(s36);
    assert_int_equal(smmu_mmio_read(s36, IDR5, 4) & 7, 1);
    smmu_destroy(s36);
    smmu_config_defaults(&c);
    c.no_stage1 = c.no_stage2 = true;
    assert_null(smmu_create(&c, &b, err, sizeof err));
    smmu_config_defaults(&c);
    c.no_stage1 = true;
    struct smmu *s = smmu_create(&c, &b, err, sizeof err);
    assert_non_null(s);
    uint32_t idr0 = (uint32_t)smmu_mmio_read(s, IDR0, 4);
    assert_int_equal(idr0 & 3, 1);                    /* S2P only, and no HYP without stage 1 */
    assert_false(idr0 & (1u << 9));
    smmu_destroy(s);
}

/* ---- bypass ---------------------------------------------------------------------------- */

static void test_gbpa(void **state)
{
    struct fixture *f = *state;
    wr(f, CR0, CMDQEN | EVTQEN);                      /* SMMUEN = 0: GBPA decides */
    memcpy(data(f, DATA), "hello", 6);
    char buf[6];
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, DATA, buf, 6, false), 0);
    assert_string_equal(buf, "hello");
    wr(f, GBPA, (1u << 31) | (1u << 20));             /* ABORT */
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, DATA, buf, 6, false), -1);
    uint64_t rec[4];
    assert_false(next_event(f, rec));                 /* no event */
}

static void test_ste_bypass_and_abort(void **state)
{
    struct fixture *f = *state;
    write_ste(f, ste_addr(5), STE_V | CFG(SMMU_STE_CONFIG_BYPASS), 0, 0, 0);
    struct dma_port p = smmu_dma_port(f->s, 5);
    assert_int_equal(dma_write(&p, DATA + 0x10, "abc", 4), 0);
    assert_string_equal((char *)data(f, DATA + 0x10), "abc");
    unsigned n;
    const struct smmu_sid_stats *st = smmu_get_sid_stats(f->s, &n);
    assert_int_equal(n, 1);
    assert_int_equal(st[0].sid, 5);
    assert_int_equal(st[0].bypass, 1);
    assert_int_equal(st[0].bytes, 4);
    write_ste(f, ste_addr(6), STE_V | CFG(SMMU_STE_CONFIG_ABORT), 0, 0, 0);
    char b[4];
    assert_int_equal(smmu_dma(f->s, 6, DMA_NO_SSID, DATA, b, 4, false), -1);
    uint64_t rec[4];
    assert_false(next_event(f, rec));                 /* Config abort: no event */
    assert_int_equal(f->n_events[EV_SMMU_XLATE], 1);
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.config, SMMU_STE_CONFIG_BYPASS);
}

/* ---- stage 1 --------------------------------------------------------------------------- */

static void setup_s1(struct fixture *f, uint32_t sid, uint16_t asid, uint64_t *root)
{
    *root = alloc_page(f);
    write_cd(f, CDTAB + sid * 64, asid, *root, true, true);
    ste_s1(f, sid, CDTAB + sid * 64, 0, 0, 0);
}

static void test_stage1(void **state)
{
    struct fixture *f = *state;
    uint64_t root;
    setup_s1(f, 1, 7, &root);
    map(f, root, ident, 0x100000, DATA + 0x3000, S1_RW_EL0);
    map(f, root, ident, 0x101000, DATA + 0x5000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x3ffe), "xy", 2);
    memcpy(data(f, DATA + 0x5000), "zw", 2);
    char buf[4];
    /* A transaction across two IOVA pages lands on two physical pages. */
    assert_int_equal(smmu_dma(f->s, 1, DMA_NO_SSID, 0x100ffe, buf, 4, false), 0);
    assert_memory_equal(buf, "xyzw", 4);
    assert_int_equal(smmu_dma(f->s, 1, DMA_NO_SSID, 0x100ffe, "ABCD", 4, true), 0);
    assert_memory_equal(data(f, DATA + 0x3ffe), "AB", 2);
    assert_memory_equal(data(f, DATA + 0x5000), "CD", 2);
    unsigned n;
    const struct smmu_sid_stats *st = smmu_get_sid_stats(f->s, &n);
    assert_int_equal(st[0].transactions, 4);
    assert_int_equal(st[0].walks, 2);
    assert_int_equal(st[0].tlb_hits, 2);               /* the write hit the TLB */
    /* 3 levels, then 1: the second walk resumes below the cached level-2 table descriptor. */
    assert_int_equal(st[0].walk_accesses, 4);
    assert_int_equal(f->n_events[EV_SMMU_WALK], 4);
    const struct event *x = &f->last[EV_SMMU_XLATE];
    assert_int_equal(x->u.smmu.pa, DATA + 0x5000);
    assert_int_equal(x->u.smmu.asid, 7);
    assert_int_equal(x->u.smmu.tlb_hit, 1);
    assert_int_equal(x->pe, 1);
    assert_int_equal(x->cycles, 1234);
    const struct smmu_stats *gs = smmu_get_stats(f->s);
    assert_true(gs->tlb.lookups >= 4);
    assert_int_equal(gs->cfg_misses, 2);              /* one STE, one CD */
}

static void test_two_level_stream_table(void **state)
{
    struct fixture *f = *state;
    /* 2-level, SPLIT 8, 16-bit StreamIDs; StreamID 0x1234's L2 table holds 2^(Span-1) = 64 STEs. */
    wr(f, CR0, CMDQEN | EVTQEN);
    wr(f, STRTAB_BASE_CFG, (1u << 16) | (8u << 6) | 16);
    uint64_t l2 = alloc_page(f);                      /* 64 STEs = one 4K page */
    w64(f, STRTAB + 0x12 * 8, l2 | 7);                /* Span 7 */
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    uint64_t root = alloc_page(f);
    write_cd(f, CDTAB, 3, root, true, true);
    write_ste(f, l2 + 0x34 * 64, STE_V | CFG(SMMU_STE_CONFIG_S1) | CDTAB, 0, 0, 0);
    map(f, root, ident, 0x2000, DATA + 0x9000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x9000), "two", 4);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 0x1234, DMA_NO_SSID, 0x2000, buf, 4, false), 0);
    assert_string_equal(buf, "two");
    /* Beyond the L2 table's span (index 0x40) and an invalid L1 entry: C_BAD_STREAMID. */
    uint64_t rec[4];
    assert_int_equal(smmu_dma(f->s, 0x1240, DMA_NO_SSID, 0x2000, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STREAMID);
    assert_int_equal(ev_sid(rec), 0x1240);
    assert_int_equal(smmu_dma(f->s, 0x1300, DMA_NO_SSID, 0x2000, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STREAMID);
}

static void test_two_level_cd_table_ssids(void **state)
{
    struct fixture *f = *state;
    /* S1Fmt 0b01 (64 CDs per leaf), S1CDMax 8, S1DSS = substream 0. */
    uint64_t l1 = alloc_page(f), leaf0 = alloc_page(f), leaf1 = alloc_page(f);
    w64(f, l1, leaf0 | 1);
    w64(f, l1 + 8, leaf1 | 1);                        /* SSIDs 64..127 */
    uint64_t rootA = alloc_page(f), rootB = alloc_page(f);
    write_cd(f, leaf0, 10, rootA, true, true);        /* SSID 0 */
    write_cd(f, leaf1 + 6 * 64, 11, rootB, true, true);   /* SSID 70 */
    map(f, rootA, ident, 0x4000, DATA + 0x1000, S1_RW_EL0);
    map(f, rootB, ident, 0x4000, DATA + 0x2000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x1000), "AAA", 4);
    memcpy(data(f, DATA + 0x2000), "BBB", 4);
    ste_s1(f, 9, l1, 8, 1, 2);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 9, DMA_NO_SSID, 0x4000, buf, 4, false), 0);
    assert_string_equal(buf, "AAA");
    assert_int_equal(smmu_dma(f->s, 9, 70, 0x4000, buf, 4, false), 0);
    assert_string_equal(buf, "BBB");
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.asid, 11);
    uint64_t rec[4];
    /* SSID beyond S1CDMax, an invalid L1CD: C_BAD_SUBSTREAMID; SSID 0 with S1DSS = substream 0:
     * F_STREAM_DISABLED. */
    uint32_t bad[] = { 300, 0, 130 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(smmu_dma(f->s, 9, bad[i], 0x4000, buf, 4, false), -1);
        assert_true(next_event(f, rec));
        assert_int_equal(ev_id(rec), bad[i] == 0 ? SMMU_EVT_F_STREAM_DISABLED : SMMU_EVT_C_BAD_SUBSTREAMID);
        assert_int_equal((rec[0] >> 11) & 1, 1);      /* SSV */
        assert_int_equal((rec[0] >> 12) & 0xfffff, bad[i]);
    }
    /* A CD with V = 0: C_BAD_CD. */
    assert_int_equal(smmu_dma(f->s, 9, 71, 0x4000, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_CD);
    /* S1DSS terminate: a transaction without a SubstreamID gives F_STREAM_DISABLED. */
    ste_s1(f, 10, l1, 8, 1, 0);
    assert_int_equal(smmu_dma(f->s, 10, DMA_NO_SSID, 0x4000, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_STREAM_DISABLED);
}

/* ---- stage 2 and nesting -------------------------------------------------------------- */

static void test_stage2(void **state)
{
    struct fixture *f = *state;
    uint64_t s2root = alloc_page(f);
    map(f, s2root, ident, 0x7000, DATA + 0xa000, S2_RW);
    write_ste(f, ste_addr(12), STE_V | CFG(SMMU_STE_CONFIG_S2), 0, STE2_S2(5), s2root);
    memcpy(data(f, DATA + 0xa010), "s2!", 4);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7010, buf, 4, false), 0);
    assert_string_equal(buf, "s2!");
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7010, buf, 4, false), 0);
    unsigned n;
    const struct smmu_sid_stats *st = smmu_get_sid_stats(f->s, &n);
    assert_int_equal(st[0].tlb_hits, 1);
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.vmid, 5);
    /* An unmapped IPA: F_TRANSLATION, S2 = 1, CLASS = IN, IPA recorded. */
    uint64_t rec[4];
    unsigned before = f->pulses[SMMU_IRQ_EVENTQ];
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x9123, "w", 1, true), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_TRANSLATION);
    assert_int_equal(ev_s2(rec), 1);
    assert_int_equal(ev_class(rec), 2);
    assert_int_equal(ev_rnw(rec), 0);
    assert_int_equal(rec[2], 0x9123);
    assert_int_equal(rec[3], 0x9000);
    assert_int_equal(f->pulses[SMMU_IRQ_EVENTQ], before + 1);
    /* A reserved S2TG, an S2T0SZ out of range: C_BAD_STE. */
    write_ste(f, ste_addr(13), STE_V | CFG(SMMU_STE_CONFIG_S2), 0, STE2_S2(5) | (3ULL << 46), s2root);
    write_ste(f, ste_addr(14), STE_V | CFG(SMMU_STE_CONFIG_S2), 0, (STE2_S2(5) & ~(0x3fULL << 32)) | (50ULL << 32),
              s2root);
    for (uint32_t sid = 13; sid <= 14; sid++) {
        assert_int_equal(smmu_dma(f->s, sid, DMA_NO_SSID, 0x7000, buf, 4, false), -1);
        assert_true(next_event(f, rec));
        assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STE);
        assert_int_equal(ev_sid(rec), sid);
    }
}

/* Nested: the guest's CD and stage-1 tables live at IPAs; IPA x is at PA x + NEST_OFF. */
#define NEST_OFF 0x400000ULL
#define GUEST_IPA_BASE 0x100000ULL        /* guest tables at IPA 0x100000.., PA RAM + 0x500000.. */
static uint64_t nest_pa(uint64_t ipa) { return ipa - GUEST_IPA_BASE + RAM_BASE + 0x500000; }

static void test_nested(void **state)
{
    struct fixture *f = *state;
    uint64_t s2root = alloc_page(f);
    /* Stage 2 maps the guest's table area (16 pages) and its data page. */
    for (uint64_t i = 0; i < 16; i++)
        map(f, s2root, ident, GUEST_IPA_BASE + i * 0x1000, nest_pa(GUEST_IPA_BASE + i * 0x1000), S2_RW);
    map(f, s2root, ident, 0x300000, DATA + 0xb000, S2_RW);
    /* The guest's CD at IPA 0x100000, its stage-1 root at IPA 0x101000, its tables after. */
    uint64_t cd_ipa = GUEST_IPA_BASE, root_ipa = GUEST_IPA_BASE + 0x1000;
    /* The guest's descriptors hold IPAs: its tables are built by hand. */
    uint64_t l2_ipa = GUEST_IPA_BASE + 0x2000, l3_ipa = GUEST_IPA_BASE + 0x3000;
    memset(data(f, nest_pa(GUEST_IPA_BASE)), 0, 0x4000);
    write_cd(f, nest_pa(cd_ipa), 4, root_ipa, true, true);
    uint64_t va = 0x40005000;
    w64(f, nest_pa(root_ipa) + ((va >> 30) & 0x1ff) * 8, l2_ipa | 3);
    w64(f, nest_pa(l2_ipa) + ((va >> 21) & 0x1ff) * 8, l3_ipa | 3);
    w64(f, nest_pa(l3_ipa) + ((va >> 12) & 0x1ff) * 8, 0x300000 | S1_RW_EL0 | 3);
    write_ste(f, ste_addr(20), STE_V | CFG(SMMU_STE_CONFIG_NESTED) | cd_ipa, 0, STE2_S2(9), s2root);
    memcpy(data(f, DATA + 0xb008), "nest", 5);
    char buf[5];
    assert_int_equal(smmu_dma(f->s, 20, DMA_NO_SSID, va + 8, buf, 5, false), 0);
    assert_string_equal(buf, "nest");
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.ipa, 0x300008);
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.pa, DATA + 0xb008);

    /* A stage-1 table at an IPA stage 2 does not map: F_TRANSLATION, S2 = 1, CLASS = TT. */
    uint64_t va2 = 0x80000000;                        /* another L1 slot */
    w64(f, nest_pa(root_ipa) + ((va2 >> 30) & 0x1ff) * 8, 0x200000 | 3);
    uint64_t rec[4];
    assert_int_equal(smmu_dma(f->s, 20, DMA_NO_SSID, va2, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_TRANSLATION);
    assert_int_equal(ev_s2(rec), 1);
    assert_int_equal(ev_class(rec), 1);
    assert_int_equal(rec[3], 0x200000);
    assert_int_equal(rec[2], va2);

    /* A CD at an IPA stage 2 does not map: CLASS = CD. */
    write_ste(f, ste_addr(21), STE_V | CFG(SMMU_STE_CONFIG_NESTED) | 0x280000, 0, STE2_S2(9), s2root);
    assert_int_equal(smmu_dma(f->s, 21, DMA_NO_SSID, va, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_TRANSLATION);
    assert_int_equal(ev_s2(rec), 1);
    assert_int_equal(ev_class(rec), 0);
    assert_int_equal(rec[3], 0x280000);

    /* STE.S2PTW with the guest's level-3 table in stage-2 Device memory: a stage-2
     * F_PERMISSION on the walk (CLASS = TT); without S2PTW the walk goes on. */
    map(f, s2root, ident, l3_ipa, nest_pa(l3_ipa), (S2_RW & ~(0xfULL << 2)) | (1ULL << 2));
    cmd(f, SMMU_CMD_TLBI_S12_VMALL | (9ULL << 32), 0);
    assert_int_equal(smmu_dma(f->s, 20, DMA_NO_SSID, va + 8, buf, 5, false), 0);
    write_ste(f, ste_addr(22), STE_V | CFG(SMMU_STE_CONFIG_NESTED) | cd_ipa, 0, STE2_S2(9) | (1ULL << 54), s2root);
    cmd(f, SMMU_CMD_TLBI_S12_VMALL | (9ULL << 32), 0);
    assert_int_equal(smmu_dma(f->s, 22, DMA_NO_SSID, va + 8, buf, 5, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_PERMISSION);
    assert_int_equal(ev_s2(rec), 1);
    assert_int_equal(ev_class(rec), 1);
    assert_int_equal(rec[3], l3_ipa);
}

/* ---- faults ---------------------------------------------------------------------------- */

static void expect_fault(struct fixture *f, uint32_t sid, uint64_t iova, bool write, unsigned id)
{
    uint64_t rec[4];
    unsigned pulses = f->pulses[SMMU_IRQ_EVENTQ];
    char buf[4] = "abc";
    assert_int_equal(smmu_dma(f->s, sid, DMA_NO_SSID, iova, buf, 4, write), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), id);
    assert_int_equal(ev_sid(rec), sid);
    assert_int_equal(ev_rnw(rec), !write);
    assert_int_equal(ev_s2(rec), 0);
    assert_int_equal(rec[2], iova);
    assert_int_equal((rec[0] >> 11) & 1, 0);          /* SSV */
    assert_int_equal(f->pulses[SMMU_IRQ_EVENTQ], pulses + 1);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.event_id, id);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.recorded, 1);
}

static void test_stage1_faults(void **state)
{
    struct fixture *f = *state;
    uint64_t root;
    setup_s1(f, 2, 1, &root);
    map(f, root, ident, 0x10000, DATA, S1_RO_EL0);
    map(f, root, ident, 0x11000, DATA, S1_RW_EL0 & ~(1ULL << 10));      /* AF = 0 */
    map(f, root, ident, 0x12000, 0x100000000000ULL, S1_RW_EL0);         /* beyond the 40-bit IPS */
    expect_fault(f, 2, 0x20000, false, SMMU_EVT_F_TRANSLATION);
    expect_fault(f, 2, 0x10000, true, SMMU_EVT_F_PERMISSION);
    expect_fault(f, 2, 0x11000, false, SMMU_EVT_F_ACCESS);
    /* With CD.AFFD (bit 35), AF = 0 is not a fault (after CMD_CFGI_CD). */
    w64(f, CDTAB + 2 * 64, r64(f, CDTAB + 2 * 64) | (1ULL << 35));
    cmd(f, SMMU_CMD_CFGI_CD | (2ULL << 32), 0);
    char ok[4];
    assert_int_equal(smmu_dma(f->s, 2, DMA_NO_SSID, 0x11000, ok, 4, false), 0);
    w64(f, CDTAB + 2 * 64, r64(f, CDTAB + 2 * 64) & ~(1ULL << 35));
    cmd(f, SMMU_CMD_CFGI_CD | (2ULL << 32), 0);
    cmd(f, SMMU_CMD_TLBI_NH_ALL, 0);
    expect_fault(f, 2, 0x12000, false, SMMU_EVT_F_ADDR_SIZE);
    /* A table pointer outside RAM: F_WALK_EABT with the descriptor's address. */
    w64(f, root + 8 * 1, UNBACKED | 3);               /* L1 slot for VA 0x40000000 */
    expect_fault(f, 2, 0x40000000, false, SMMU_EVT_F_WALK_EABT);
    uint64_t rec[4];
    assert_false(next_event(f, rec));
    unsigned n;
    const struct smmu_sid_stats *st = smmu_get_sid_stats(f->s, &n);
    assert_int_equal(st[0].faults, 5);
    assert_int_equal(st[0].events, 5);
    assert_int_equal(st[0].transactions, 6);
}

static void test_fault_record_and_termination(void **state)
{
    struct fixture *f = *state;
    uint64_t root = alloc_page(f);
    /* CD.R = 0: not recorded (still published); CD.A = 0: RAZ/WI, the transaction completes. */
    write_cd(f, CDTAB + 0x800, 1, root, false, false);
    ste_s1(f, 30, CDTAB + 0x800, 0, 0, 0);
    char buf[4] = "xxx";
    assert_int_equal(smmu_dma(f->s, 30, DMA_NO_SSID, 0x5000, buf, 4, false), 0);
    assert_memory_equal(buf, "\0\0\0\0", 4);
    uint64_t rec[4];
    assert_false(next_event(f, rec));
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.event_id, SMMU_EVT_F_TRANSLATION);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.recorded, 0);
    /* STE.S2R = 0: stage-2 faults are not recorded but abort. */
    uint64_t s2root = alloc_page(f);
    write_ste(f, ste_addr(31), STE_V | CFG(SMMU_STE_CONFIG_S2), 0, STE2_S2(2) & ~(1ULL << 58), s2root);
    assert_int_equal(smmu_dma(f->s, 31, DMA_NO_SSID, 0x5000, buf, 4, false), -1);
    assert_false(next_event(f, rec));
}

static void test_config_faults(void **state)
{
    struct fixture *f = *state;
    uint64_t rec[4];
    char buf[4];
    /* StreamID beyond STRTAB_BASE_CFG.LOG2SIZE (8 bits). */
    assert_int_equal(smmu_dma(f->s, 0x100, DMA_NO_SSID, 0, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STREAMID);
    assert_int_equal(ev_sid(rec), 0x100);
    /* Not recorded without CR2.RECINVSID. */
    wr(f, CR0, CMDQEN | EVTQEN);
    wr(f, CR2, 0);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    assert_int_equal(smmu_dma(f->s, 0x100, DMA_NO_SSID, 0, buf, 4, false), -1);
    assert_false(next_event(f, rec));
    /* STE V = 0, STRW EL3: C_BAD_STE; a reserved Config (0b010) aborts as 0b000, without an event. */
    write_ste(f, ste_addr(40), 0, 0, 0, 0);
    write_ste(f, ste_addr(41), STE_V | CFG(2), 0, 0, 0);
    write_ste(f, ste_addr(42), STE_V | CFG(SMMU_STE_CONFIG_S1) | CDTAB, 3ULL << 30, 0, 0);
    for (uint32_t sid = 40; sid <= 42; sid++) {
        assert_int_equal(smmu_dma(f->s, sid, DMA_NO_SSID, 0, buf, 4, false), -1);
        if (sid == 41) {
            assert_false(next_event(f, rec));
            continue;
        }
        assert_true(next_event(f, rec));
        assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STE);
    }
    /* The CD table outside RAM: F_CD_FETCH with the address. */
    ste_s1(f, 43, UNBACKED + 0x40, 0, 0, 0);
    assert_int_equal(smmu_dma(f->s, 43, DMA_NO_SSID, 0, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_CD_FETCH);
    assert_int_equal(rec[3], UNBACKED + 0x40);
    /* A CD with T0SZ out of range: C_BAD_CD. */
    write_cd(f, CDTAB + 0xc00, 1, alloc_page(f), true, true);
    w64(f, CDTAB + 0xc00, (r64(f, CDTAB + 0xc00) & ~0x3fULL) | 50);
    ste_s1(f, 44, CDTAB + 0xc00, 0, 0, 0);
    assert_int_equal(smmu_dma(f->s, 44, DMA_NO_SSID, 0, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_CD);
    /* The stream table outside RAM: F_STE_FETCH. */
    wr(f, CR0, CMDQEN | EVTQEN);
    smmu_mmio_write(f->s, STRTAB_BASE, UNBACKED, 8);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    assert_int_equal(smmu_dma(f->s, 1, DMA_NO_SSID, 0, buf, 4, false), -1);
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_F_STE_FETCH);
    assert_int_equal(rec[3], UNBACKED + 64);
}

/* ---- caches and invalidation ---------------------------------------------------------- */

static void test_stale_tlb_until_tlbi(void **state)
{
    struct fixture *f = *state;
    uint64_t root;
    setup_s1(f, 3, 0x55, &root);
    map(f, root, ident, 0x8000, DATA + 0x1000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x1000), "old", 4);
    memcpy(data(f, DATA + 0x2000), "new", 4);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    map(f, root, ident, 0x8000, DATA + 0x2000, S1_RW_EL0);   /* remapped, no TLBI yet */
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    /* TLBI for another ASID leaves it. */
    cmd(f, SMMU_CMD_TLBI_NH_VA | (0x56ULL << 48), 0x8000);
    sync(f);
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    cmd(f, SMMU_CMD_TLBI_NH_VA | (0x55ULL << 48), 0x8000 | 1 /* Leaf */);
    sync(f);
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "new");
    /* TLBI_NH_ASID and NSNH_ALL remove it too. */
    map(f, root, ident, 0x8000, DATA + 0x1000, S1_RW_EL0);
    cmd(f, SMMU_CMD_TLBI_NH_ASID | (0x55ULL << 48), 0);
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    map(f, root, ident, 0x8000, DATA + 0x2000, S1_RW_EL0);
    cmd(f, SMMU_CMD_TLBI_NSNH_ALL, 0);
    assert_int_equal(smmu_dma(f->s, 3, DMA_NO_SSID, 0x8000, buf, 4, false), 0);
    assert_string_equal(buf, "new");
    assert_true(smmu_get_stats(f->s)->tlbi >= 4);
}

static void test_stale_s2_until_tlbi_s2_ipa(void **state)
{
    struct fixture *f = *state;
    uint64_t s2root = alloc_page(f);
    map(f, s2root, ident, 0x7000, DATA + 0x1000, S2_RW);
    write_ste(f, ste_addr(12), STE_V | CFG(SMMU_STE_CONFIG_S2), 0, STE2_S2(5), s2root);
    memcpy(data(f, DATA + 0x1000), "old", 4);
    memcpy(data(f, DATA + 0x2000), "new", 4);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7000, buf, 4, false), 0);
    map(f, s2root, ident, 0x7000, DATA + 0x2000, S2_RW);
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    cmd(f, SMMU_CMD_TLBI_S2_IPA | (6ULL << 32), 0x7000);       /* another VMID */
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
    cmd(f, SMMU_CMD_TLBI_S2_IPA | (5ULL << 32), 0x7000);
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7000, buf, 4, false), 0);
    assert_string_equal(buf, "new");
    map(f, s2root, ident, 0x7000, DATA + 0x1000, S2_RW);
    cmd(f, SMMU_CMD_TLBI_S12_VMALL | (5ULL << 32), 0);
    assert_int_equal(smmu_dma(f->s, 12, DMA_NO_SSID, 0x7000, buf, 4, false), 0);
    assert_string_equal(buf, "old");
}

static void test_stale_config_until_cfgi(void **state)
{
    struct fixture *f = *state;
    write_ste(f, ste_addr(7), STE_V | CFG(SMMU_STE_CONFIG_BYPASS), 0, 0, 0);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), 0);
    write_ste(f, ste_addr(7), STE_V | CFG(SMMU_STE_CONFIG_ABORT), 0, 0, 0);
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), 0);   /* stale STE */
    cmd(f, SMMU_CMD_CFGI_STE | (8ULL << 32), 1);      /* another StreamID */
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), 0);
    cmd(f, SMMU_CMD_CFGI_STE | (7ULL << 32), 1);
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), -1);
    /* CFGI_ALL (CFGI_STE_RANGE with Range 31). */
    write_ste(f, ste_addr(7), STE_V | CFG(SMMU_STE_CONFIG_BYPASS), 0, 0, 0);
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), -1);
    cmd(f, SMMU_CMD_CFGI_ALL, 31);
    assert_int_equal(smmu_dma(f->s, 7, DMA_NO_SSID, DATA, buf, 4, false), 0);

    /* A CD's ASID and tables: stale until CMD_CFGI_CD. */
    uint64_t root1, root2 = alloc_page(f);
    setup_s1(f, 4, 1, &root1);
    map(f, root1, ident, 0x3000, DATA + 0x1000, S1_RW_EL0);
    map(f, root2, ident, 0x3000, DATA + 0x2000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x1000), "cd1", 4);
    memcpy(data(f, DATA + 0x2000), "cd2", 4);
    assert_int_equal(smmu_dma(f->s, 4, DMA_NO_SSID, 0x3000, buf, 4, false), 0);
    assert_string_equal(buf, "cd1");
    write_cd(f, CDTAB + 4 * 64, 2, root2, true, true);
    assert_int_equal(smmu_dma(f->s, 4, DMA_NO_SSID, 0x3000, buf, 4, false), 0);
    assert_string_equal(buf, "cd1");
    cmd(f, SMMU_CMD_CFGI_CD | (4ULL << 32), 1);
    assert_int_equal(smmu_dma(f->s, 4, DMA_NO_SSID, 0x3000, buf, 4, false), 0);
    assert_string_equal(buf, "cd2");
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.asid, 2);
    /* PREFETCH_CONFIG caches an STE: a later change is not seen without CFGI. */
    write_ste(f, ste_addr(50), STE_V | CFG(SMMU_STE_CONFIG_BYPASS), 0, 0, 0);
    cmd(f, SMMU_CMD_PREFETCH_CONFIG | (50ULL << 32), 0);
    write_ste(f, ste_addr(50), STE_V | CFG(SMMU_STE_CONFIG_ABORT), 0, 0, 0);
    assert_int_equal(smmu_dma(f->s, 50, DMA_NO_SSID, DATA, buf, 4, false), 0);
}

static void test_el2_streamworld(void **state)
{
    struct fixture *f = *state;
    /* STRW = EL2 with CR2.E2H: the EL2&0 regime, ASID-tagged; NH commands do not touch it. */
    wr(f, CR0, CMDQEN | EVTQEN);
    wr(f, CR2, 2 | 1);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    uint64_t root = alloc_page(f);
    write_cd(f, CDTAB + 0x400, 9, root, true, true);
    write_ste(f, ste_addr(60), STE_V | CFG(SMMU_STE_CONFIG_S1) | (CDTAB + 0x400), 2ULL << 30, 0, 0);
    map(f, root, ident, 0x6000, DATA + 0x1000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x1000), "el2", 4);
    memcpy(data(f, DATA + 0x2000), "EL2", 4);
    char buf[4];
    assert_int_equal(smmu_dma(f->s, 60, DMA_NO_SSID, 0x6000, buf, 4, false), 0);
    assert_string_equal(buf, "el2");
    map(f, root, ident, 0x6000, DATA + 0x2000, S1_RW_EL0);
    cmd(f, SMMU_CMD_TLBI_NH_ASID | (9ULL << 48), 0);
    assert_int_equal(smmu_dma(f->s, 60, DMA_NO_SSID, 0x6000, buf, 4, false), 0);
    assert_string_equal(buf, "el2");
    cmd(f, SMMU_CMD_TLBI_EL2_ASID | (9ULL << 48), 0);
    assert_int_equal(smmu_dma(f->s, 60, DMA_NO_SSID, 0x6000, buf, 4, false), 0);
    assert_string_equal(buf, "EL2");
    /* STRW = EL2 with stage 2: ILLEGAL. */
    write_ste(f, ste_addr(61), STE_V | CFG(SMMU_STE_CONFIG_NESTED) | (CDTAB + 0x400), 2ULL << 30, STE2_S2(1), root);
    assert_int_equal(smmu_dma(f->s, 61, DMA_NO_SSID, 0x6000, buf, 4, false), -1);
    uint64_t rec[4];
    assert_true(next_event(f, rec));
    assert_int_equal(ev_id(rec), SMMU_EVT_C_BAD_STE);
}

/* ---- queues ---------------------------------------------------------------------------- */

static void test_cmdq_wrap(void **state)
{
    struct fixture *f = *state;
    /* 8 entries: 20 commands one at a time wrap it twice. */
    for (int i = 0; i < 20; i++) {
        sync(f);
        assert_int_equal(rd(f, CMDQ_CONS), rd(f, CMDQ_PROD));
    }
    assert_int_equal(rd(f, CMDQ_PROD), 20 & 15);      /* index 4, wrap bit 0 after 2 wraps */
    /* A batch of 7 written before PROD moves, across the wrap. */
    uint32_t prod = rd(f, CMDQ_PROD);
    for (int i = 0; i < 7; i++) {
        uint32_t idx = (prod + i) & 7;
        w64(f, CMDQ + idx * 16, SMMU_CMD_SYNC);
        w64(f, CMDQ + idx * 16 + 8, 0);
    }
    uint64_t before = smmu_get_stats(f->s)->cmd_syncs;
    wr(f, CMDQ_PROD, (prod + 7) & 15);
    assert_int_equal(rd(f, CMDQ_CONS), (prod + 7) & 15);
    assert_int_equal(smmu_get_stats(f->s)->cmd_syncs, before + 7);
    assert_int_equal(f->last[EV_SMMU_CMD].u.smmu.opcode, SMMU_CMD_SYNC);
}

static void test_cmd_sync_irq(void **state)
{
    struct fixture *f = *state;
    cmd(f, SMMU_CMD_SYNC | (0ULL << 12), 0);
    cmd(f, SMMU_CMD_SYNC | (2ULL << 12), 0);          /* SIG_SEV: as SIG_NONE */
    assert_int_equal(f->pulses[SMMU_IRQ_CMDQ_SYNC], 0);
    cmd(f, SMMU_CMD_SYNC | (1ULL << 12), 0);          /* SIG_IRQ */
    assert_int_equal(f->pulses[SMMU_IRQ_CMDQ_SYNC], 1);
    assert_false(f->level[SMMU_IRQ_CMDQ_SYNC]);       /* a pulse: low again */
}

static void test_illegal_command(void **state)
{
    struct fixture *f = *state;
    cmd(f, SMMU_CMD_SYNC, 0);
    uint32_t bad_at = rd(f, CMDQ_PROD);
    cmd(f, 0x7f, 0);                                  /* unknown opcode */
    cmd(f, SMMU_CMD_SYNC, 0);                         /* behind it: not consumed */
    uint32_t cons = rd(f, CMDQ_CONS);
    assert_int_equal(cons & 0xffffff, bad_at);
    assert_int_equal((cons >> 24) & 0x7f, 1);         /* CERROR_ILL */
    assert_int_equal((rd(f, GERROR) ^ rd(f, GERRORN)) & 1, 1);
    assert_int_equal(f->pulses[SMMU_IRQ_GERROR], 1);
    /* More commands while the error is active: not consumed. */
    cmd(f, SMMU_CMD_SYNC, 0);
    assert_int_equal(rd(f, CMDQ_CONS) & 0xffffff, bad_at);
    /* As Linux does: replace the bad command by a CMD_SYNC and acknowledge. */
    w64(f, CMDQ + (bad_at & 7) * 16, SMMU_CMD_SYNC);
    wr(f, GERRORN, rd(f, GERROR));
    assert_int_equal(rd(f, CMDQ_CONS) & 0xffffff, rd(f, CMDQ_PROD));
    /* A command of a feature not offered (CMD_ATC_INV) and a reserved CMD_SYNC CS are illegal too. */
    cmd(f, 0x40, 0);
    assert_int_equal((rd(f, CMDQ_CONS) >> 24) & 0x7f, 1);
    assert_int_equal(f->pulses[SMMU_IRQ_GERROR], 2);
    /* The queue in memory that aborts: CERROR_ABT. */
    w64(f, CMDQ + (rd(f, CMDQ_CONS) & 7) * 16, SMMU_CMD_SYNC);
    wr(f, GERRORN, rd(f, GERROR));
    wr(f, CR0, EVTQEN | SMMUEN);
    smmu_mmio_write(f->s, CMDQ_BASE, UNBACKED | 3, 8);
    wr(f, CMDQ_PROD, 0);
    wr(f, CMDQ_CONS, 0);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    wr(f, CMDQ_PROD, 1);
    assert_int_equal((rd(f, CMDQ_CONS) >> 24) & 0x7f, 2);
}

static void test_evtq_wrap_and_overflow(void **state)
{
    struct fixture *f = *state;
    uint64_t root;
    setup_s1(f, 2, 1, &root);                         /* nothing mapped: every access faults */
    uint64_t rec[4];
    /* 12 faults consumed one by one: the 8-entry queue wraps. */
    for (uint64_t i = 0; i < 12; i++) {
        char b[1];
        assert_int_equal(smmu_dma(f->s, 2, DMA_NO_SSID, 0x1000 * i, b, 1, false), -1);
        assert_true(next_event(f, rec));
        assert_int_equal(rec[2], 0x1000 * i);
    }
    assert_int_equal(rd(f, EVTQ_PROD), 12 & 15);
    /* Fill it: 8 records fit, the 9th is lost and OVFLG toggles (with an interrupt). */
    for (uint64_t i = 0; i < 8; i++) {
        char b[1];
        smmu_dma(f->s, 2, DMA_NO_SSID, 0x100000 + 0x1000 * i, b, 1, false);
    }
    assert_int_equal(rd(f, EVTQ_PROD) & 0x80000000u, 0);
    unsigned pulses = f->pulses[SMMU_IRQ_EVENTQ];
    char b[1];
    smmu_dma(f->s, 2, DMA_NO_SSID, 0x200000, b, 1, false);
    assert_int_equal(rd(f, EVTQ_PROD) & 0x80000000u, 0x80000000u);
    assert_int_equal(f->pulses[SMMU_IRQ_EVENTQ], pulses + 1);
    smmu_dma(f->s, 2, DMA_NO_SSID, 0x201000, b, 1, false);      /* unacknowledged: no second toggle */
    assert_int_equal(rd(f, EVTQ_PROD) & 0x80000000u, 0x80000000u);
    assert_int_equal(smmu_get_stats(f->s)->events_lost, 2);
    /* The 8 records are those before the overflow. */
    for (uint64_t i = 0; i < 8; i++) {
        assert_true(next_event(f, rec));
        assert_int_equal(rec[2], 0x100000 + 0x1000 * i);
    }
    assert_false(next_event(f, rec));
    /* Acknowledge (OVACKFLG = OVFLG); the next overflow toggles it back. */
    wr(f, EVTQ_CONS, rd(f, EVTQ_CONS) | 0x80000000u);
    for (uint64_t i = 0; i < 9; i++)
        smmu_dma(f->s, 2, DMA_NO_SSID, 0x300000 + 0x1000 * i, b, 1, false);
    assert_int_equal(rd(f, EVTQ_PROD) & 0x80000000u, 0);
    /* The event queue disabled: records are lost. */
    wr(f, CR0, CMDQEN | SMMUEN);
    uint64_t lost = smmu_get_stats(f->s)->events_lost;
    smmu_dma(f->s, 2, DMA_NO_SSID, 0x400000, b, 1, false);
    assert_int_equal(smmu_get_stats(f->s)->events_lost, lost + 1);
}

static void test_evtq_abort(void **state)
{
    struct fixture *f = *state;
    wr(f, CR0, CMDQEN | SMMUEN);
    smmu_mmio_write(f->s, 0xa0, UNBACKED | 3, 8);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    char b[1];
    assert_int_equal(smmu_dma(f->s, 0x100, DMA_NO_SSID, 0, b, 1, false), -1);   /* C_BAD_STREAMID */
    assert_int_equal((rd(f, GERROR) ^ rd(f, GERRORN)) & 4, 4);          /* EVTQ_ABT_ERR */
    assert_int_equal(f->pulses[SMMU_IRQ_GERROR], 1);
}

/* A 4K-granule, 48-bit (levels 0-3) stage-1 table, as Linux's io-pgtable builds for a DMA domain. */
static void map48(struct fixture *f, uint64_t root, uint64_t va, uint64_t out, uint64_t attrs)
{
    uint64_t table = root;
    for (int level = 0; level < 3; level++) {
        uint64_t slot = table + ((va >> (12 + 9 * (3 - level))) & 0x1ff) * 8;
        uint64_t d = r64(f, slot);
        if (!(d & 1)) {
            d = alloc_page(f) | 3;
            w64(f, slot, d);
        }
        table = d & 0x0000fffffffff000ULL;
    }
    w64(f, table + ((va >> 12) & 0x1ff) * 8, attrs ? out | attrs | 3 : 0);   /* attrs 0: unmap */
}

/* What Linux 6.1's arm-smmu-v3 does with this model: a 2-level stream table
 * (SPLIT 8, Span 9), queues of IDR1's sizes, CFGI_ALL/TLBI_EL2_ALL/NSNH_ALL with
 * CMD_SYNC (CS = SEV) at reset, an abort STE replaced by a stage-1 STE (STRW =
 * EL2 with CR2.E2H, S1DSS = SSID0, SHCFG) and a CD (T0SZ 16, EPD1, TG1 = 0), a
 * DMA at a high IOVA, then an unmap with CMD_TLBI_EL2_VA and CMD_SYNC. */
static void test_linux_like_driver(void **state)
{
    struct fixture *f = *state;
    uint32_t idr1 = rd(f, IDR1);
    unsigned cmdqs = (idr1 >> 21) & 0x1f, evtqs = (idr1 >> 16) & 0x1f;
    uint64_t l1 = RAM_BASE + 0x600000, cmdq = RAM_BASE + 0x640000, evtq = RAM_BASE + 0x680000;
    wr(f, CR0, 0);
    assert_int_equal(rd(f, CR0ACK), 0);
    wr(f, 0x28, 0xd75);                                /* CR1: WB, ISH */
    wr(f, CR2, 4 | 2 | 1);                             /* PTM, RECINVSID, E2H */
    smmu_mmio_write(f->s, STRTAB_BASE, (1ULL << 62) | l1, 8);
    wr(f, STRTAB_BASE_CFG, (1u << 16) | (8u << 6) | 16);
    smmu_mmio_write(f->s, CMDQ_BASE, (1ULL << 62) | cmdq | cmdqs, 8);
    wr(f, CMDQ_PROD, 0);
    wr(f, CMDQ_CONS, 0);
    wr(f, CR0, CMDQEN);
    f->cmd_log2 = cmdqs;
    uint64_t cmds[][2] = { { SMMU_CMD_CFGI_ALL, 31 }, { SMMU_CMD_SYNC | (2ULL << 12), 0 },
                           { SMMU_CMD_TLBI_EL2_ALL, 0 }, { SMMU_CMD_SYNC | (2ULL << 12), 0 },
                           { SMMU_CMD_TLBI_NSNH_ALL, 0 }, { SMMU_CMD_SYNC | (2ULL << 12), 0 } };
    for (unsigned i = 0; i < 6; i++) {
        w64(f, cmdq + i * 16, cmds[i][0]);
        w64(f, cmdq + i * 16 + 8, cmds[i][1]);
        wr(f, CMDQ_PROD, i + 1);
        assert_int_equal(rd(f, CMDQ_CONS), i + 1);
    }
    smmu_mmio_write(f->s, 0xa0, (1ULL << 62) | evtq | evtqs, 8);
    wr(f, EVTQ_PROD, 0);
    wr(f, EVTQ_CONS, 0);
    wr(f, CR0, CMDQEN | EVTQEN);
    wr(f, IRQ_CTRL, 0);
    assert_int_equal(rd(f, IRQ_CTRLACK), 0);
    wr(f, IRQ_CTRL, 5);
    wr(f, CR0, CMDQEN | EVTQEN | SMMUEN);
    assert_int_equal(rd(f, CR0ACK), CMDQEN | EVTQEN | SMMUEN);

    /* The device's L2 table: 256 STEs (Span 9), all abort; StreamID 0x0108. */
    uint32_t sid = 0x108;
    uint64_t l2 = RAM_BASE + 0x610000;
    for (int i = 0; i < 256; i++)
        write_ste(f, l2 + i * 64, STE_V | CFG(SMMU_STE_CONFIG_ABORT), 0, 0, 0);
    w64(f, l1 + 1 * 8, l2 | 9);
    char buf[8];
    assert_int_equal(smmu_dma(f->s, sid, DMA_NO_SSID, 0, buf, 8, false), -1);   /* abort STE, cached */
    uint64_t root = alloc_page(f), cd = alloc_page(f);
    uint64_t cd0 = 16 | (2ULL << 8) | (2ULL << 10) | (3ULL << 12) | (1ULL << 30) | (1ULL << 31) | (2ULL << 32) |
                   (1ULL << 41) | (1ULL << 45) | (1ULL << 46) | (1ULL << 47) | (3ULL << 48);
    w64(f, cd, cd0);
    w64(f, cd + 8, root);
    w64(f, cd + 24, 0x0404ff);
    uint64_t ste = l2 + (sid & 0xff) * 64;
    w64(f, ste + 8, (2ULL << 30) | (1ULL << 44) | 2 /* S1DSS SSID0 */ | (1 << 2) | (1 << 4) | (3 << 6));
    w64(f, ste, STE_V | CFG(SMMU_STE_CONFIG_S1) | cd);
    unsigned prod = rd(f, CMDQ_PROD);
    w64(f, cmdq + prod * 16, SMMU_CMD_CFGI_STE | ((uint64_t)sid << 32));
    w64(f, cmdq + prod * 16 + 8, 1);
    w64(f, cmdq + (prod + 1) * 16, SMMU_CMD_SYNC | (2ULL << 12));
    w64(f, cmdq + (prod + 1) * 16 + 8, 0);
    wr(f, CMDQ_PROD, prod + 2);
    assert_int_equal(rd(f, CMDQ_CONS), prod + 2);

    uint64_t iova = 0xfffffff00000ULL;
    map48(f, root, iova, DATA + 0x7000, S1_RW_EL0);
    memcpy(data(f, DATA + 0x7000), "virtio!", 8);
    struct dma_port p = smmu_dma_port(f->s, sid);
    assert_int_equal(dma_read(&p, iova, buf, 8), 0);
    assert_string_equal(buf, "virtio!");
    assert_int_equal(f->last[EV_SMMU_XLATE].u.smmu.walk_accesses, 4);
    /* Unmapped, then invalidated with CMD_TLBI_EL2_VA (Leaf) and CMD_SYNC: the DMA faults. */
    map48(f, root, iova, 0, 0);
    prod = rd(f, CMDQ_PROD);
    assert_int_equal(dma_read(&p, iova, buf, 8), 0);                         /* still in the TLB */
    w64(f, cmdq + prod * 16, SMMU_CMD_TLBI_EL2_VA | (3ULL << 48));
    w64(f, cmdq + prod * 16 + 8, iova | 1);
    w64(f, cmdq + (prod + 1) * 16, SMMU_CMD_SYNC | (2ULL << 12));
    w64(f, cmdq + (prod + 1) * 16 + 8, 0);
    wr(f, CMDQ_PROD, prod + 2);
    assert_int_equal(dma_read(&p, iova, buf, 8), -1);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.event_id, SMMU_EVT_F_TRANSLATION);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.sid, sid);
    assert_int_equal(f->last[EV_SMMU_EVENT].u.smmu.recorded, 1);
    uint64_t rec[4];
    for (int i = 0; i < 4; i++)
        rec[i] = r64(f, evtq + 8 * i);
    assert_int_equal(ev_id(rec), SMMU_EVT_F_TRANSLATION);
    assert_int_equal(ev_sid(rec), sid);
    assert_int_equal(rec[2], iova);
    assert_int_equal(rd(f, EVTQ_PROD), 1);
    assert_int_equal(f->last[EV_SMMU_CMD].u.smmu.opcode, SMMU_CMD_SYNC);
    assert_true(f->n_events[EV_SMMU_CMD] >= 10);
    assert_string_equal(smmu_event_name(SMMU_EVT_C_BAD_STE), "C_BAD_STE");
    assert_string_equal(smmu_cmd_name(SMMU_CMD_TLBI_EL2_VA), "CMD_TLBI_EL2_VA");
    assert_null(smmu_cmd_name(0x7f));
}

/* Random guest values in every register and structure: the model stays up. */
static void test_garbage_never_crashes(void **state)
{
    struct fixture *f = *state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 2000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t sid = (uint32_t)(x >> 40) & 0xff;
        /* Garbage STEs (kept valid-ish half the time), CDs, tables, commands. */
        for (int i = 0; i < 8; i++)
            w64(f, ste_addr(sid) + 8 * i, (x * (i + 1)) ^ (round & 1 ? 0 : (1ULL | (5ULL << 1))));
        w64(f, CDTAB + (x & 0xfc0), x * 3);
        w64(f, CMDQ + (x & 0x70), x * 5);
        if ((round % 50) == 0)
            wr(f, (uint32_t)(x & 0xfc), (uint32_t)(x >> 32));
        if ((round % 7) == 0)
            wr(f, CMDQ_PROD, (uint32_t)x);
        if ((round % 11) == 0)
            wr(f, GERRORN, rd(f, GERROR));
        char b[64];
        smmu_dma(f->s, sid, (round & 3) ? DMA_NO_SSID : (uint32_t)(x & 0xfffff), x >> 20, b, sizeof b, round & 1);
        smmu_mmio_read(f->s, x & 0x1fffc, 4);
    }
    /* Still working: a fresh driver init and a bypass stream. */
    driver_init(f, 3, 3, 8);
    write_ste(f, ste_addr(5), STE_V | CFG(SMMU_STE_CONFIG_BYPASS), 0, 0, 0);
    cmd(f, SMMU_CMD_CFGI_ALL, 31);
    char b[4];
    wr(f, GERRORN, rd(f, GERROR));
    assert_int_equal(smmu_dma(f->s, 5, DMA_NO_SSID, DATA, b, 4, false), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_id_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_file, setup, teardown),
        cmocka_unit_test(test_bad_config_rejected),
        cmocka_unit_test_setup_teardown(test_gbpa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ste_bypass_and_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_level_stream_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_level_cd_table_ssids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage1_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_record_and_termination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_tlb_until_tlbi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_s2_until_tlbi_s2_ipa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_config_until_cfgi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_el2_streamworld, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmdq_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmd_sync_irq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evtq_wrap_and_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evtq_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_like_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_never_crashes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
