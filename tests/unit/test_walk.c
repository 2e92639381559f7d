/* Unit tests for mmu/walk: VMSAv8-64 stage 1 and stage 2 translation table
 * walks, faults and their FSC encodings, S1PTW, combining of the two stages'
 * attributes and permissions, PAR_EL1 and the TCR/VTCR decoders.
 *
 * Tables are hand-built in a fake physical memory (64 MiB at MEM_BASE); reads
 * outside it fail, which is how external aborts on walks are provoked. Every
 * descriptor access the walker makes is logged so tests can check which
 * descriptors were read, at which stage and level, and how many.
 *
 * Expected values follow the Arm ARM (DDI 0487) pseudocode
 * AArch64.S1Translate / S2Translate / S2InvalidSL / S2InconsistentSL /
 * S1DirectBasePermissions / CombineS1S2Desc, for a PE with a 40-bit PA
 * (MMU_PA_BITS) and no 52-bit, TTST, DS, HAFDBS or PAN features.
 *
 * The last group of tests ("deviations") checks behaviour where the walker
 * currently differs from the Arm ARM; see the comment above that group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/walk.h"

/* ---- fake physical memory ------------------------------------------------------------ */

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (64ULL << 20)
/* Stage-1 tables walked under stage 2 are placed at IPA = PA - S2_DELTA, so a
 * walker that forgot to translate a descriptor address would read unbacked
 * memory instead of the right descriptor. */
#define S2_DELTA 0x40000000ULL

struct access {
    uint64_t pa;
    unsigned stage;
    int level;
};

static struct {
    uint8_t *buf;
    uint64_t next;            /* bump allocator for tables */
    struct access log[64];
    unsigned nlog;            /* accesses seen (log holds the first 64) */
} M;

static int fake_read64(void *opaque, uint64_t pa, uint64_t *val)
{
    (void)opaque;
    if (pa < MEM_BASE || pa > MEM_BASE + MEM_SIZE - 8)
        return -1;
    memcpy(val, M.buf + (pa - MEM_BASE), 8);
    return 0;
}

static void fake_on_walk_access(void *opaque, uint64_t pa, uint64_t addr, unsigned stage, int level)
{
    (void)opaque;
    if (M.nlog < 64)
        M.log[M.nlog] = (struct access){ pa, stage, level };
    M.nlog++;
}

static const struct mmu_mem_ops MEM = { .read64 = fake_read64, .on_walk_access = fake_on_walk_access };

static void mem_reset(void)
{
    free(M.buf);
    M.buf = calloc(1, MEM_SIZE);
    assert_non_null(M.buf);
    M.next = MEM_BASE;
    M.nlog = 0;
}

static int setup(void **state)
{
    (void)state;
    mem_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(M.buf);
    M.buf = NULL;
    return 0;
}

static void wr64(uint64_t pa, uint64_t v)
{
    assert_true(pa >= MEM_BASE && pa <= MEM_BASE + MEM_SIZE - 8);
    memcpy(M.buf + (pa - MEM_BASE), &v, 8);
}

static uint64_t rd64(uint64_t pa)
{
    uint64_t v = 0;
    assert_int_equal(fake_read64(NULL, pa, &v), 0);
    return v;
}

static uint64_t alloc_pa(uint64_t size, uint64_t align)
{
    uint64_t pa = (M.next + align - 1) & ~(align - 1);
    assert_true(pa + size <= MEM_BASE + MEM_SIZE);
    M.next = pa + size;
    return pa;
}

/* ---- descriptor fields, named as in the Arm ARM ---------------------------------------- */

#define ADDR_MASK 0x0000fffffffff000ULL

/* stage 1 lower/upper attributes */
#define AttrIndx(x) ((uint64_t)(x) << 2)
#define AP(x) ((uint64_t)(x) << 6)          /* AP[2:1]: 0 EL1 RW, 1 RW both, 2 EL1 RO, 3 RO both */
#define SH(x) ((uint64_t)(x) << 8)          /* 0 NSH, 2 OSH, 3 ISH (both stages) */
#define AF (1ULL << 10)
#define nG (1ULL << 11)
#define PXN (1ULL << 53)
#define UXN (1ULL << 54)                    /* XN in the EL2 regime and at stage 2 */
#define XN UXN
/* stage 1 table descriptor attributes */
#define PXNTable (1ULL << 59)
#define XNTable (1ULL << 60)                /* UXNTable in the EL1&0 regime */
#define APTable(x) ((uint64_t)(x) << 61)    /* APTable[0]: no EL0 access; APTable[1]: no write */
/* stage 2 */
#define MemAttr(x) ((uint64_t)(x) << 2)
#define S2AP(x) ((uint64_t)(x) << 6)        /* S2AP[0] read, S2AP[1] write */

static uint64_t table_desc(uint64_t next, uint64_t upper) { return (next & ADDR_MASK) | upper | 3; }
static uint64_t block_desc(uint64_t oa, uint64_t attrs) { return oa | attrs | 1; }
static uint64_t page_desc(uint64_t oa, uint64_t attrs) { return oa | attrs | 3; }

/* MAIR: index 0..3 Device nGnRnE/nGnRE/nGRE/GRE, 4 Normal NC, 5 Normal WT RA,
 * 6 Normal WB RWA, 7 Normal outer NC / inner WB. */
#define MAIR_TEST                                                                          \
    (0x00ULL | 0x04ULL << 8 | 0x08ULL << 16 | 0x0cULL << 24 | 0x44ULL << 32 | 0xaaULL << 40 | \
     0xffULL << 48 | 0x4fULL << 56)
#define IDX_DEV_nGnRnE 0
#define IDX_DEV_nGnRE 1
#define IDX_NC 4
#define IDX_WT 5
#define IDX_WB 6

#define S1_NORMAL (AttrIndx(IDX_WB) | SH(3) | AF)
#define S2_NORMAL (MemAttr(0xf) | SH(3) | AF)   /* MemAttr 0b1111: Normal outer WB, inner WB */
#define S2_RW (S2_NORMAL | S2AP(3))

#define OA_BASE 0x9abcdef000ULL                 /* an output address below 2^40 */
#define VA_PATTERN 0x0000db6d7e9f1234ULL        /* non-zero index at every level */

static uint64_t mask(unsigned bits) { return bits >= 64 ? ~0ULL : (1ULL << bits) - 1; }

/* ---- a translation table builder -------------------------------------------------------- */

struct pt {
    unsigned gb;              /* granule bits: 12, 14, 16 */
    unsigned inputsize;       /* 64 - TxSZ */
    int start;                /* start level (given by the test, from the Arm ARM tables) */
    uint64_t root;            /* PA of the (possibly concatenated) start-level table */
    uint64_t delta;           /* table addresses in descriptors/TTBR are PA - delta */
    uint64_t tbl_upper[4];    /* upper attributes of table descriptors created at each level */
};

static unsigned lvl_shift(unsigned gb, int level) { return gb + (unsigned)(3 - level) * (gb - 3); }

static unsigned start_bits(const struct pt *t) { return t->inputsize - lvl_shift(t->gb, t->start); }

static void pt_init_at(struct pt *t, unsigned gb, unsigned inputsize, int start, uint64_t delta,
                       uint64_t root)
{
    memset(t, 0, sizeof *t);
    t->gb = gb;
    t->inputsize = inputsize;
    t->start = start;
    t->delta = delta;
    t->root = root;
}

static void pt_init(struct pt *t, unsigned gb, unsigned inputsize, int start, uint64_t delta)
{
    pt_init_at(t, gb, inputsize, start, delta, 0);
    uint64_t size = 8ULL << start_bits(t);   /* concatenated tables are aligned to their size */
    if (size < (1ULL << gb))
        size = 1ULL << gb;
    t->root = alloc_pa(size, size);
}

/* Value for TTBR/VTTBR. */
static uint64_t pt_base(const struct pt *t) { return t->root - t->delta; }

/* PA of the descriptor for `in` at `level`, creating the tables above it. */
static uint64_t pt_slot(struct pt *t, uint64_t in, int level)
{
    uint64_t granule = 1ULL << t->gb, table = t->root;
    for (int l = t->start;; l++) {
        unsigned sh = lvl_shift(t->gb, l);
        unsigned bits = l == t->start ? start_bits(t) : t->gb - 3;
        uint64_t slot = table + ((in >> sh) & mask(bits)) * 8;
        if (l == level)
            return slot;
        uint64_t d = rd64(slot);
        if (!(d & 1)) {
            uint64_t next = alloc_pa(granule, granule);
            d = table_desc(next - t->delta, t->tbl_upper[l]);
            wr64(slot, d);
        }
        assert_true((d & 3) == 3);
        table = (d & ADDR_MASK & ~(granule - 1)) + t->delta;
    }
}

static void pt_map(struct pt *t, uint64_t in, uint64_t out, int level, uint64_t attrs)
{
    uint64_t size = 1ULL << lvl_shift(t->gb, level);
    uint64_t oa = out & ~(size - 1);
    wr64(pt_slot(t, in, level), level == 3 ? page_desc(oa, attrs) : block_desc(oa, attrs));
}

/* PA of the table holding the level-`level` descriptor for `in`. */
static uint64_t pt_table_pa(struct pt *t, uint64_t in, int level)
{
    return pt_slot(t, in, level) & ~((1ULL << t->gb) - 1);
}

/* ---- configurations --------------------------------------------------------------------- */

/* EL1&0 regime, TTBR0 = t, TTBR1 disabled (EPD1). */
static struct mmu_s1_config s1_cfg(const struct pt *t)
{
    struct mmu_s1_config c;
    memset(&c, 0, sizeof c);
    c.enabled = true;
    c.two_ranges = true;
    c.ttbr[0] = pt_base(t);
    c.tsz[0] = 64 - t->inputsize;
    c.granule_bits[0] = t->gb;
    c.tsz[1] = 16;
    c.granule_bits[1] = 12;
    c.epd[1] = true;
    c.ips_bits = 40;
    c.mair = MAIR_TEST;
    return c;
}

/* EL2 regime (single range). */
static struct mmu_s1_config s1_el2_cfg(const struct pt *t)
{
    struct mmu_s1_config c = s1_cfg(t);
    c.two_ranges = false;
    c.el2_regime = true;
    c.epd[1] = false;
    c.tsz[1] = 0;
    return c;
}

static struct mmu_s2_config s2_cfg(const struct pt *t, unsigned sl0)
{
    struct mmu_s2_config c;
    memset(&c, 0, sizeof c);
    c.enabled = true;
    c.vttbr = t->root;
    c.t0sz = 64 - t->inputsize;
    c.sl0 = sl0;
    c.granule_bits = t->gb;
    c.ps_bits = 40;
    return c;
}

/* ---- checking helpers ------------------------------------------------------------------ */

#define CHECK_EQ(got, want, fmt, ...)                                                        \
    do {                                                                                     \
        unsigned long long got_ = (unsigned long long)(got), want_ = (unsigned long long)(want); \
        if (got_ != want_)                                                                   \
            fail_msg("%s = 0x%llx, expected 0x%llx [" fmt "] (line %d)", #got, got_, want_,   \
                     __VA_ARGS__, __LINE__);                                                 \
    } while (0)

static void expect_fault(const struct mmu_result *r, enum mmu_fault_type type, int level, bool stage2,
                         bool s1ptw, unsigned fsc)
{
    assert_int_equal(r->fault.type, type);
    assert_int_equal(r->fault.level, level);
    assert_int_equal(r->fault.stage2, stage2);
    assert_int_equal(r->fault.s1ptw, s1ptw);
    assert_int_equal(mmu_fault_fsc(&r->fault), fsc);
}

static bool tr(const struct mmu_s1_config *s1, const struct mmu_s2_config *s2, uint64_t va,
               enum mmu_access acc, unsigned el, struct mmu_result *r)
{
    M.nlog = 0;
    return mmu_full_translate(&MEM, s1, s2, va, acc, el, r);
}

static bool tr2(const struct mmu_s2_config *s2, uint64_t ipa, enum mmu_access acc, struct mmu_result *r)
{
    M.nlog = 0;
    return mmu_translate_s2(&MEM, s2, ipa, acc, false, r);
}

/* Maps every page of the stage-1 tables allocated so far (PA [MEM_BASE, end))
 * at stage 2, IPA = PA - S2_DELTA, with 4K pages and the given attributes. */
static void s2_map_tables(struct pt *s2, uint64_t end, uint64_t attrs)
{
    for (uint64_t pa = MEM_BASE; pa < end; pa += 0x1000)
        pt_map(s2, pa - S2_DELTA, pa, 3, attrs);
}

/* ========================================================================================= */
/* Fault status codes                                                                         */
/* ========================================================================================= */

static void test_fault_fsc_encodings(void **state)
{
    (void)state;
    /* Arm ARM ESR_ELx.{I,D}FSC: 0b0000ll address size, 0b0001ll translation,
     * 0b0010ll access flag, 0b0011ll permission, 0b0101ll synchronous external
     * abort on translation table walk, at level ll. */
    static const struct { enum mmu_fault_type t; unsigned base; } enc[] = {
        { MMU_FAULT_ADDRESS_SIZE, 0x00 }, { MMU_FAULT_TRANSLATION, 0x04 },
        { MMU_FAULT_ACCESS_FLAG, 0x08 },  { MMU_FAULT_PERMISSION, 0x0c },
        { MMU_FAULT_EXTERNAL_WALK, 0x14 },
    };
    for (unsigned i = 0; i < sizeof enc / sizeof enc[0]; i++)
        for (int l = 0; l <= 3; l++) {
            struct mmu_fault f = { .type = enc[i].t, .level = l };
            CHECK_EQ(mmu_fault_fsc(&f), enc[i].base + (unsigned)l, "type %d level %d", enc[i].t, l);
        }
    struct mmu_fault none = { .type = MMU_FAULT_NONE, .level = 2 };
    assert_int_equal(mmu_fault_fsc(&none), 0);
    /* A few literal values, as they appear in ESR dumps. */
    struct mmu_fault f = { .type = MMU_FAULT_TRANSLATION, .level = 3 };
    assert_int_equal(mmu_fault_fsc(&f), 0x07);
    f = (struct mmu_fault){ .type = MMU_FAULT_PERMISSION, .level = 2 };
    assert_int_equal(mmu_fault_fsc(&f), 0x0e);
    f = (struct mmu_fault){ .type = MMU_FAULT_ACCESS_FLAG, .level = 1 };
    assert_int_equal(mmu_fault_fsc(&f), 0x09);
    f = (struct mmu_fault){ .type = MMU_FAULT_EXTERNAL_WALK, .level = 0 };
    assert_int_equal(mmu_fault_fsc(&f), 0x14);
}

/* ========================================================================================= */
/* Stage 1: granules, start levels, pages and blocks                                          */
/* ========================================================================================= */

static bool block_allowed_v80(unsigned gb, int level)
{
    /* Arm ARM (no 52-bit/LPA2): 4KB blocks at levels 1 (1GB) and 2 (2MB); 16KB
     * at level 2 (32MB); 64KB at level 2 (512MB). */
    return gb == 12 ? (level == 1 || level == 2) : level == 2;
}

static void test_s1_granules_and_start_levels(void **state)
{
    (void)state;
    /* start level = 4 - ceil((inputsize - granule) / (granule - 3)) */
    static const struct { unsigned gb, tsz; int start; } cases[] = {
        { 12, 16, 0 }, { 12, 20, 0 }, { 12, 24, 0 }, { 12, 25, 1 }, { 12, 33, 1 },
        { 12, 34, 2 }, { 12, 39, 2 },
        { 14, 16, 0 }, { 14, 17, 1 }, { 14, 27, 1 }, { 14, 28, 2 }, { 14, 38, 2 },
        { 14, 39, 3 },
        { 16, 16, 1 }, { 16, 21, 1 }, { 16, 22, 2 }, { 16, 25, 2 }, { 16, 34, 2 },
        { 16, 35, 3 }, { 16, 39, 3 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned gb = cases[i].gb, tsz = cases[i].tsz, inputsize = 64 - tsz;
        int start = cases[i].start;
        uint64_t va = VA_PATTERN & mask(inputsize);
        for (int leaf = start; leaf <= 3; leaf++) {
            mem_reset();
            struct pt t;
            pt_init(&t, gb, inputsize, start, 0);
            pt_map(&t, va, OA_BASE, leaf, S1_NORMAL | AP(0));
            struct mmu_s1_config c = s1_cfg(&t);
            struct mmu_result r;
            bool ok = tr(&c, NULL, va, MMU_READ, 1, &r);
            unsigned shift = lvl_shift(gb, leaf);
            if (leaf == 3 || block_allowed_v80(gb, leaf)) {
                if (!ok)
                    fail_msg("gb %u T0SZ %u leaf L%d: fault type %d level %d", gb, tsz, leaf,
                             r.fault.type, r.fault.level);
                CHECK_EQ(r.pa, (OA_BASE & ~mask(shift)) | (va & mask(shift)), "gb %u T0SZ %u L%d", gb,
                         tsz, leaf);
                CHECK_EQ(r.ipa, r.pa, "gb %u T0SZ %u L%d", gb, tsz, leaf);
                CHECK_EQ(r.page_shift, shift, "gb %u T0SZ %u L%d", gb, tsz, leaf);
                CHECK_EQ(r.walk_accesses, leaf - start + 1, "gb %u T0SZ %u L%d", gb, tsz, leaf);
                CHECK_EQ(M.nlog, leaf - start + 1, "gb %u T0SZ %u L%d", gb, tsz, leaf);
                /* The first read is in the TTBR0 table at the start level's index. */
                uint64_t idx0 = (va >> lvl_shift(gb, start)) & mask(start_bits(&t));
                CHECK_EQ(M.log[0].pa, t.root + idx0 * 8, "gb %u T0SZ %u L%d", gb, tsz, leaf);
                for (unsigned k = 0; k < M.nlog; k++) {
                    CHECK_EQ(M.log[k].stage, 1, "gb %u T0SZ %u access %u", gb, tsz, k);
                    CHECK_EQ(M.log[k].level, start + (int)k, "gb %u T0SZ %u access %u", gb, tsz, k);
                }
                CHECK_EQ(r.attr, 0xff, "gb %u T0SZ %u", gb, tsz);
                CHECK_EQ(r.sh, 3, "gb %u T0SZ %u", gb, tsz);
                CHECK_EQ(r.ttbr_index, 0, "gb %u T0SZ %u", gb, tsz);
                CHECK_EQ(r.fault.type, MMU_FAULT_NONE, "gb %u T0SZ %u", gb, tsz);
            } else {
                /* A block where the granule allows none: translation fault at that level. */
                if (ok)
                    fail_msg("gb %u T0SZ %u: block at L%d accepted", gb, tsz, leaf);
                CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "gb %u T0SZ %u block L%d", gb, tsz, leaf);
                CHECK_EQ(r.fault.level, leaf, "gb %u T0SZ %u block L%d", gb, tsz, leaf);
                CHECK_EQ(mmu_fault_fsc(&r.fault), 0x04u + (unsigned)leaf, "gb %u T0SZ %u", gb, tsz);
                CHECK_EQ(r.fault.stage2, 0, "gb %u T0SZ %u", gb, tsz);
            }
        }
    }
}

static void test_s1_offsets_preserved(void **state)
{
    (void)state;
    /* 4KB, 4 levels: a 1GB block, a 2MB block and a page, each keeping its offset bits. */
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    uint64_t va_g = 0x0000008040000000ULL, va_m = 0x0000010000200000ULL, va_p = 0x0000018000003000ULL;
    pt_map(&t, va_g, 0x40000000ULL * 5, 1, S1_NORMAL);
    pt_map(&t, va_m, 0x2345600000ULL & ~mask(21), 2, S1_NORMAL);
    pt_map(&t, va_p, 0xfedcba9000ULL, 3, S1_NORMAL);
    struct mmu_s1_config c = s1_cfg(&t);
    struct mmu_result r;
    assert_true(tr(&c, NULL, va_g + 0x3fffffff, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x140000000ULL + 0x3fffffff);
    assert_int_equal(r.page_shift, 30);
    assert_true(tr(&c, NULL, va_g + 0x12345678, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x140000000ULL + 0x12345678);
    assert_true(tr(&c, NULL, va_m + 0x1abcde, MMU_READ, 1, &r));
    assert_int_equal(r.pa, (0x2345600000ULL & ~mask(21)) + 0x1abcde);
    assert_int_equal(r.page_shift, 21);
    assert_true(tr(&c, NULL, va_p + 0xfff, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0xfedcba9fffULL);
    assert_int_equal(r.page_shift, 12);
    assert_int_equal(r.va, va_p + 0xfff);
    /* nG gives a non-global entry. */
    assert_true(r.global);
    pt_map(&t, va_p, 0xfedcba9000ULL, 3, S1_NORMAL | nG);
    assert_true(tr(&c, NULL, va_p, MMU_READ, 1, &r));
    assert_false(r.global);
}

/* ========================================================================================= */
/* Stage 1: TTBR1, VA ranges, EPD, TBI, ASIDs                                                  */
/* ========================================================================================= */

#define TCR_T0SZ(x) ((uint64_t)(x))
#define TCR_EPD0 (1ULL << 7)
#define TCR_TG0(x) ((uint64_t)(x) << 14)    /* 0 4KB, 1 64KB, 2 16KB */
#define TCR_T1SZ(x) ((uint64_t)(x) << 16)
#define TCR_A1 (1ULL << 22)
#define TCR_EPD1 (1ULL << 23)
#define TCR_TG1(x) ((uint64_t)(x) << 30)    /* 1 16KB, 2 4KB, 3 64KB */
#define TCR_IPS(x) ((uint64_t)(x) << 32)
#define TCR_AS (1ULL << 36)
#define TCR_TBI0 (1ULL << 37)
#define TCR_TBI1 (1ULL << 38)

struct two_range {
    struct pt lo, hi;
    uint64_t va_lo, va_hi;
};

/* TTBR0: 4KB, T0SZ=16 (48-bit). TTBR1: 16KB, T1SZ=25 (39-bit, start level 1). */
static void build_two_ranges(struct two_range *w)
{
    mem_reset();
    pt_init(&w->lo, 12, 48, 0, 0);
    pt_init(&w->hi, 14, 39, 1, 0);
    w->va_lo = VA_PATTERN & mask(48);
    w->va_hi = ~mask(39) | (VA_PATTERN & mask(39));
    pt_map(&w->lo, w->va_lo, 0x1111111000ULL, 3, S1_NORMAL);
    pt_map(&w->hi, w->va_hi, 0x2222220000ULL, 3, S1_NORMAL);
}

static const uint64_t TCR_TWO = TCR_T0SZ(16) | TCR_TG0(0) | TCR_T1SZ(25) | TCR_TG1(1) | TCR_IPS(2);

static void test_s1_ttbr1_range(void **state)
{
    (void)state;
    struct two_range w;
    build_two_ranges(&w);
    struct mmu_s1_config c;
    uint64_t ttbr0 = w.lo.root | (0x1217ULL << 48), ttbr1 = w.hi.root | (0x3442ULL << 48);
    mmu_s1_from_regs(&c, false, 1, TCR_TWO, ttbr0, ttbr1, MAIR_TEST);
    assert_int_equal(c.granule_bits[0], 12);
    assert_int_equal(c.granule_bits[1], 14);   /* TG1=0b01 is 16KB (TG0=0b01 would be 64KB) */
    struct mmu_result r;

    assert_true(tr(&c, NULL, w.va_hi, MMU_READ, 1, &r));
    assert_int_equal(r.ttbr_index, 1);
    assert_int_equal(r.pa, 0x2222220000ULL | (w.va_hi & mask(14)));
    assert_int_equal(r.page_shift, 14);
    assert_int_equal(r.walk_accesses, 3);      /* levels 1, 2, 3 */
    assert_int_equal(M.log[0].pa, w.hi.root + ((w.va_hi >> 36) & 7) * 8);
    assert_int_equal(M.log[0].level, 1);
    assert_int_equal(r.asid, 0x17);            /* A1=0: ASID from TTBR0, 8 bits (AS=0) */

    assert_true(tr(&c, NULL, w.va_lo, MMU_READ, 1, &r));
    assert_int_equal(r.ttbr_index, 0);
    assert_int_equal(r.pa, 0x1111111000ULL | (w.va_lo & 0xfff));
    assert_int_equal(r.walk_accesses, 4);
    assert_int_equal(M.log[0].pa, w.lo.root + ((w.va_lo >> 39) & 511) * 8);

    /* A1 selects TTBR1's ASID; AS selects 16 bits. */
    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_A1, ttbr0, ttbr1, MAIR_TEST);
    assert_true(tr(&c, NULL, w.va_lo, MMU_READ, 1, &r));
    assert_int_equal(r.asid, 0x42);
    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_A1 | TCR_AS, ttbr0, ttbr1, MAIR_TEST);
    assert_true(tr(&c, NULL, w.va_lo, MMU_READ, 1, &r));
    assert_int_equal(r.asid, 0x3442);
    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_AS, ttbr0, ttbr1, MAIR_TEST);
    assert_true(tr(&c, NULL, w.va_hi, MMU_READ, 1, &r));
    assert_int_equal(r.asid, 0x1217);

    /* TG1 = 0b11 is 64KB: a 64KB TTBR1 walk with T1SZ=25 starts at level 2. */
    mem_reset();
    struct pt hi64;
    pt_init(&hi64, 16, 39, 2, 0);
    pt_map(&hi64, w.va_hi, 0x3333330000ULL, 3, S1_NORMAL);
    mmu_s1_from_regs(&c, false, 1, TCR_T0SZ(16) | TCR_T1SZ(25) | TCR_TG1(3) | TCR_IPS(2), 0,
                     hi64.root, MAIR_TEST);
    assert_int_equal(c.granule_bits[1], 16);
    assert_true(tr(&c, NULL, w.va_hi, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x3333330000ULL | (w.va_hi & mask(16)));
    assert_int_equal(r.page_shift, 16);
    assert_int_equal(r.walk_accesses, 2);
    assert_int_equal(r.ttbr_index, 1);
}

static void test_s1_va_out_of_range(void **state)
{
    (void)state;
    struct two_range w;
    build_two_ranges(&w);
    struct mmu_s1_config c;
    mmu_s1_from_regs(&c, false, 1, TCR_TWO, w.lo.root, w.hi.root, MAIR_TEST);
    static const uint64_t bad[] = {
        0x0001000000000000ULL,   /* bit 48 set, above T0SZ=16 */
        0x8000000000000000ULL,   /* bit 55 clear: TTBR0 range, top bits not zero */
        0x00ff800000000000ULL,   /* bit 55 set: TTBR1 range, bits [63:56] not ones */
        0xffffff0000000000ULL,   /* TTBR1 range, bit 39 clear: below T1SZ=25 */
        0xff7fffffffffffffULL,   /* bit 55 clear with ones above */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mmu_result r;
        bool ok = tr(&c, NULL, bad[i], MMU_READ, 1, &r);
        if (ok)
            fail_msg("VA 0x%llx translated", (unsigned long long)bad[i]);
        CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "VA 0x%llx", (unsigned long long)bad[i]);
        CHECK_EQ(r.fault.level, 0, "VA 0x%llx", (unsigned long long)bad[i]);
        CHECK_EQ(mmu_fault_fsc(&r.fault), 0x04, "VA 0x%llx", (unsigned long long)bad[i]);
        CHECK_EQ(r.fault.stage2, 0, "VA 0x%llx", (unsigned long long)bad[i]);
        CHECK_EQ(M.nlog, 0, "VA 0x%llx: no walk", (unsigned long long)bad[i]);
    }
    /* Edges of both ranges translate (when mapped). */
    mem_reset();
    struct pt lo, hi;
    pt_init(&lo, 12, 48, 0, 0);
    pt_init(&hi, 14, 39, 1, 0);
    pt_map(&lo, 0x0000fffffffff000ULL, 0x5000, 3, S1_NORMAL);
    pt_map(&hi, 0xffffff8000000000ULL, 0x8000, 3, S1_NORMAL);
    mmu_s1_from_regs(&c, false, 1, TCR_TWO, lo.root, hi.root, MAIR_TEST);
    struct mmu_result r;
    assert_true(tr(&c, NULL, 0x0000ffffffffffffULL, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x5fff);
    assert_true(tr(&c, NULL, 0xffffff8000000000ULL, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x8000);
}

static void test_s1_epd(void **state)
{
    (void)state;
    struct two_range w;
    build_two_ranges(&w);
    struct mmu_s1_config c;
    struct mmu_result r;
    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_EPD0, w.lo.root, w.hi.root, MAIR_TEST);
    assert_true(c.epd[0]);
    assert_false(tr(&c, NULL, w.va_lo, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
    assert_int_equal(M.nlog, 0);
    assert_true(tr(&c, NULL, w.va_hi, MMU_READ, 1, &r));

    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_EPD1, w.lo.root, w.hi.root, MAIR_TEST);
    assert_true(c.epd[1]);
    assert_false(tr(&c, NULL, w.va_hi, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
    assert_int_equal(M.nlog, 0);
    assert_true(tr(&c, NULL, w.va_lo, MMU_READ, 1, &r));
}

static void test_s1_tbi(void **state)
{
    (void)state;
    struct two_range w;
    build_two_ranges(&w);
    struct mmu_s1_config c;
    struct mmu_result r;
    uint64_t lo_tag = (0x5aULL << 56) | w.va_lo;
    uint64_t hi_tag = (w.va_hi & mask(56)) | (0x12ULL << 56);   /* bit 55 still set */

    mmu_s1_from_regs(&c, false, 1, TCR_TWO, w.lo.root, w.hi.root, MAIR_TEST);
    assert_false(tr(&c, NULL, lo_tag, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
    assert_false(tr(&c, NULL, hi_tag, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);

    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_TBI0, w.lo.root, w.hi.root, MAIR_TEST);
    assert_true(tr(&c, NULL, lo_tag, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x1111111000ULL | (w.va_lo & 0xfff));
    assert_int_equal(r.ttbr_index, 0);
    assert_false(tr(&c, NULL, hi_tag, MMU_READ, 1, &r));   /* TBI1 still 0 */

    mmu_s1_from_regs(&c, false, 1, TCR_TWO | TCR_TBI1, w.lo.root, w.hi.root, MAIR_TEST);
    assert_true(tr(&c, NULL, hi_tag, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x2222220000ULL | (w.va_hi & mask(14)));
    assert_int_equal(r.ttbr_index, 1);
    assert_false(tr(&c, NULL, lo_tag, MMU_READ, 1, &r));   /* TBI0 still 0 */
    /* TBI does not relax bit 55 or the bits between it and the range. */
    assert_false(tr(&c, NULL, hi_tag & ~(1ULL << 50), MMU_READ, 1, &r));

    /* EL2 regime: TCR_EL2.TBI (bit 20); bit 55 must still be 0. */
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    pt_map(&t, w.va_lo, 0x1111111000ULL, 3, S1_NORMAL);
    /* TCR_EL2: T0SZ=16, PS[18:16]=0b010, TBI[20]. */
    mmu_s1_from_regs(&c, true, 1, TCR_T0SZ(16) | (2ULL << 16) | (1ULL << 20), t.root, 0, MAIR_TEST);
    assert_true(c.tbi[0]);
    assert_true(tr(&c, NULL, (0xabULL << 56) | w.va_lo, MMU_READ, 2, &r));
    assert_int_equal(r.pa, 0x1111111000ULL | (w.va_lo & 0xfff));
    assert_false(tr(&c, NULL, (1ULL << 55) | w.va_lo, MMU_READ, 2, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
    mmu_s1_from_regs(&c, true, 1, TCR_T0SZ(16) | (2ULL << 16), t.root, 0, MAIR_TEST);
    assert_false(tr(&c, NULL, (0xabULL << 56) | w.va_lo, MMU_READ, 2, &r));
    /* Single range: an upper-half VA faults. */
    assert_false(tr(&c, NULL, 0xffffffffffff0000ULL, MMU_READ, 2, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
}

/* ========================================================================================= */
/* Stage 2: SL0, start levels, concatenation, inconsistent configurations                    */
/* ========================================================================================= */

static void test_s2_start_levels_and_concatenation(void **state)
{
    (void)state;
    /* Valid for a 40-bit PA (S2InvalidSL/S2InconsistentSL): 4KB SL0 0/1 (levels 2/1),
     * 16KB and 64KB SL0 0/1 (levels 3/2). nconcat = tables concatenated at the start level. */
    static const struct { unsigned gb, t0sz, sl0; int start; unsigned nconcat; } cases[] = {
        { 12, 34, 0, 2, 1 },  { 12, 32, 0, 2, 4 },  { 12, 30, 0, 2, 16 }, { 12, 39, 0, 2, 1 },
        { 12, 25, 1, 1, 1 },  { 12, 24, 1, 1, 2 },  { 12, 33, 1, 1, 1 },
        { 14, 39, 0, 3, 1 },  { 14, 36, 0, 3, 8 },  { 14, 28, 1, 2, 1 },  { 14, 24, 1, 2, 16 },
        { 16, 39, 0, 3, 1 },  { 16, 34, 0, 3, 2 },  { 16, 31, 0, 3, 16 }, { 16, 25, 1, 2, 1 },
        { 16, 24, 1, 2, 1 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned gb = cases[i].gb, t0sz = cases[i].t0sz, inputsize = 64 - t0sz;
        int start = cases[i].start;
        /* All IPA bits above one table's reach set: this indexes the last
         * concatenated table (its last entries). */
        unsigned one_table = lvl_shift(gb, start) + gb - 3;
        uint64_t ipa = (VA_PATTERN | ~mask(one_table)) & mask(inputsize);
        for (int leaf = start; leaf <= 3; leaf++) {
            if (leaf != 3 && !block_allowed_v80(gb, leaf))
                continue;
            mem_reset();
            struct pt t;
            pt_init(&t, gb, inputsize, start, 0);
            pt_map(&t, ipa, OA_BASE, leaf, S2_RW);
            struct mmu_s2_config c = s2_cfg(&t, cases[i].sl0);
            struct mmu_result r;
            bool ok = tr2(&c, ipa, MMU_READ, &r);
            if (!ok)
                fail_msg("gb %u T0SZ %u SL0 %u leaf L%d: fault type %d level %d", gb, t0sz,
                         cases[i].sl0, leaf, r.fault.type, r.fault.level);
            unsigned shift = lvl_shift(gb, leaf);
            CHECK_EQ(r.pa, (OA_BASE & ~mask(shift)) | (ipa & mask(shift)), "gb %u T0SZ %u SL0 %u L%d",
                     gb, t0sz, cases[i].sl0, leaf);
            CHECK_EQ(r.page_shift, shift, "gb %u T0SZ %u L%d", gb, t0sz, leaf);
            CHECK_EQ(r.walk_accesses, leaf - start + 1, "gb %u T0SZ %u L%d", gb, t0sz, leaf);
            CHECK_EQ(M.log[0].level, start, "gb %u T0SZ %u", gb, t0sz);
            CHECK_EQ(M.log[0].stage, 2, "gb %u T0SZ %u", gb, t0sz);
            uint64_t idx = ipa >> lvl_shift(gb, start);   /* the whole concatenated index */
            CHECK_EQ(M.log[0].pa, t.root + idx * 8, "gb %u T0SZ %u", gb, t0sz);
            CHECK_EQ((M.log[0].pa - t.root) >> gb, cases[i].nconcat - 1, "gb %u T0SZ %u: table",
                     gb, t0sz);
            CHECK_EQ(r.attr, 0xf, "gb %u T0SZ %u: raw MemAttr", gb, t0sz);
            CHECK_EQ(r.sh, 3, "gb %u T0SZ %u", gb, t0sz);
        }
    }
}

static void test_s2_concatenated_second_table(void **state)
{
    (void)state;
    /* The example: 4KB, T0SZ=24 (40-bit IPA), SL0=1 -> level 1 with
     * 1024 entries in two concatenated 4KB tables; IPA bit 39 picks the second. */
    struct pt t;
    pt_init(&t, 12, 40, 1, 0);
    assert_int_equal(t.root & 0x1fff, 0);
    uint64_t ipa_hi = 0x8040201000ULL, ipa_lo = 0x0040201000ULL;
    pt_map(&t, ipa_hi, 0xaaaa000000ULL, 3, S2_RW);
    pt_map(&t, ipa_lo, 0xbbbb000000ULL, 3, S2_RW);
    struct mmu_s2_config c;
    mmu_s2_from_regs(&c, 1, 24 | (1u << 6) | (0u << 14) | (2u << 16), t.root);
    struct mmu_result r;
    assert_true(tr2(&c, ipa_hi + 0x123, MMU_READ, &r));
    assert_int_equal(r.pa, 0xaaaa000123ULL);
    assert_int_equal(M.log[0].pa, t.root + 0x1000 + 1 * 8);   /* entry 513 = second table, entry 1 */
    assert_int_equal(r.walk_accesses, 3);
    assert_true(tr2(&c, ipa_lo + 0x456, MMU_READ, &r));
    assert_int_equal(r.pa, 0xbbbb000456ULL);
    assert_int_equal(M.log[0].pa, t.root + 1 * 8);
    /* Beyond the 40-bit IPA space: translation fault, level 0. */
    assert_false(tr2(&c, 1ULL << 40, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, true, false, 0x04);
    assert_int_equal(r.fault.ipa, 1ULL << 40);
    assert_int_equal(M.nlog, 0);
    /* A 4KB level-1 block (1GB) through the second table. */
    pt_map(&t, 0xc0000000ULL | (1ULL << 39), 0x40000000ULL, 1, S2_RW);
    assert_true(tr2(&c, (1ULL << 39) | 0xc1234567ULL, MMU_READ, &r));
    assert_int_equal(r.pa, 0x41234567ULL);
    assert_int_equal(r.page_shift, 30);
    assert_int_equal(r.walk_accesses, 1);
}

static void test_s2_inconsistent_sl_faults(void **state)
{
    (void)state;
    /* SL0/T0SZ pairs that S2InconsistentSL or S2InvalidSL reject (translation
     * fault, no walk). The fault level is checked in the deviations group. */
    static const struct { unsigned gb, t0sz, sl0; } bad[] = {
        { 12, 24, 0 },   /* level 2 would need 19 index bits (max 9+4) */
        { 12, 36, 1 },   /* 28-bit IPA too small for a level-1 start */
        { 12, 24, 3 },   /* 4KB SL0=3 is reserved without FEAT_TTST */
        { 14, 39, 1 },   /* 16KB level 2 with 25-bit IPA: 0 index bits */
        { 14, 24, 3 },   /* 16KB SL0=3 (level 0) needs DS */
        { 16, 24, 0 },   /* 64KB level 3 with 24 index bits */
        { 16, 24, 3 },   /* 64KB SL0=3 is reserved */
        { 16, 24, 2 },   /* 64KB level 1 with a 40-bit IPA */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mem_reset();
        unsigned inputsize = 64 - bad[i].t0sz;
        struct pt t;
        pt_init_at(&t, bad[i].gb, inputsize, 0, 0, alloc_pa(1ULL << 20, 1ULL << 20));
        struct mmu_s2_config c = s2_cfg(&t, bad[i].sl0);
        struct mmu_result r;
        bool ok = tr2(&c, 0x1000, MMU_READ, &r);
        if (ok)
            fail_msg("gb %u T0SZ %u SL0 %u accepted", bad[i].gb, bad[i].t0sz, bad[i].sl0);
        CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "gb %u T0SZ %u SL0 %u", bad[i].gb, bad[i].t0sz,
                 bad[i].sl0);
        CHECK_EQ(r.fault.stage2, 1, "gb %u T0SZ %u SL0 %u", bad[i].gb, bad[i].t0sz, bad[i].sl0);
        CHECK_EQ(M.nlog, 0, "gb %u T0SZ %u SL0 %u: no walk", bad[i].gb, bad[i].t0sz, bad[i].sl0);
    }
}

/* ========================================================================================= */
/* Faults at stage 1 and stage 2                                                              */
/* ========================================================================================= */

static void test_s1_translation_faults(void **state)
{
    (void)state;
    uint64_t va = VA_PATTERN;
    for (int lvl = 0; lvl <= 3; lvl++) {
        mem_reset();
        struct pt t;
        pt_init(&t, 12, 48, 0, 0);
        if (lvl > 0)
            pt_slot(&t, va, lvl);   /* tables down to lvl, whose entry stays invalid */
        struct mmu_s1_config c = s1_cfg(&t);
        struct mmu_result r;
        if (tr(&c, NULL, va, MMU_READ, 1, &r))
            fail_msg("invalid descriptor at L%d accepted", lvl);
        CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "L%d", lvl);
        CHECK_EQ(r.fault.level, lvl, "L%d", lvl);
        CHECK_EQ(mmu_fault_fsc(&r.fault), 0x04u + (unsigned)lvl, "L%d", lvl);
        CHECK_EQ(r.fault.stage2, 0, "L%d", lvl);
        CHECK_EQ(r.walk_accesses, lvl + 1, "L%d", lvl);
        /* An invalid descriptor with other bits set (bit 0 clear) is still invalid. */
        wr64(pt_slot(&t, va, lvl), 0xfffffffffffffffeULL);
        assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
        CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "L%d", lvl);
        CHECK_EQ(r.fault.level, lvl, "L%d", lvl);
    }
    /* Level 3: 0b01 is reserved. */
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    wr64(pt_slot(&t, va, 3), block_desc(OA_BASE, S1_NORMAL));
    struct mmu_s1_config c = s1_cfg(&t);
    struct mmu_result r;
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 3, false, false, 0x07);
    assert_int_equal(r.walk_accesses, 4);
    /* Level 0: block descriptors do not exist for 4KB. */
    mem_reset();
    pt_init(&t, 12, 48, 0, 0);
    wr64(pt_slot(&t, va, 0), block_desc(0, S1_NORMAL));
    c = s1_cfg(&t);
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 0, false, false, 0x04);
}

static void test_access_flag_faults(void **state)
{
    (void)state;
    uint64_t va = VA_PATTERN;
    for (int lvl = 1; lvl <= 3; lvl++) {
        mem_reset();
        struct pt t;
        pt_init(&t, 12, 48, 0, 0);
        pt_map(&t, va, OA_BASE, lvl, S1_NORMAL & ~AF);
        struct mmu_s1_config c = s1_cfg(&t);
        struct mmu_result r;
        if (tr(&c, NULL, va, MMU_READ, 1, &r))
            fail_msg("AF=0 at L%d accepted", lvl);
        CHECK_EQ(r.fault.type, MMU_FAULT_ACCESS_FLAG, "L%d", lvl);
        CHECK_EQ(r.fault.level, lvl, "L%d", lvl);
        CHECK_EQ(mmu_fault_fsc(&r.fault), 0x08u + (unsigned)lvl, "L%d", lvl);
        CHECK_EQ(r.fault.stage2, 0, "L%d", lvl);
        /* The Access flag fault comes before the permission check. */
        pt_map(&t, va, OA_BASE, lvl, (S1_NORMAL & ~AF) | AP(3) | UXN | PXN);
        assert_false(tr(&c, NULL, va, MMU_WRITE, 1, &r));
        CHECK_EQ(r.fault.type, MMU_FAULT_ACCESS_FLAG, "L%d", lvl);
    }
    /* Stage 2: AF=0 in the stage-2 page descriptor. */
    mem_reset();
    struct pt s1, s2;
    pt_init(&s1, 12, 48, 0, S2_DELTA);
    pt_map(&s1, va, 0x10000000ULL, 3, S1_NORMAL);
    uint64_t s1_end = M.next;
    pt_init(&s2, 12, 40, 1, 0);
    s2_map_tables(&s2, s1_end, S2_RW);
    pt_map(&s2, 0x10000000ULL, 0x20000000ULL, 3, S2_RW & ~AF);
    struct mmu_s1_config c1 = s1_cfg(&s1);
    struct mmu_s2_config c2 = s2_cfg(&s2, 1);
    struct mmu_result r;
    assert_false(tr(&c1, &c2, va + 0x10, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ACCESS_FLAG, 3, true, false, 0x0b);
    assert_int_equal(r.fault.ipa, 0x10000000ULL | ((va + 0x10) & 0xfff));
    assert_false(tr2(&c2, 0x10000000ULL, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_ACCESS_FLAG, 3, true, false, 0x0b);
    /* Stage-2 2MB block with AF=0. */
    pt_map(&s2, 0x30000000ULL, 0x30000000ULL, 2, S2_RW & ~AF);
    assert_false(tr2(&c2, 0x30001000ULL, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_ACCESS_FLAG, 2, true, false, 0x0a);
}

/* Builds a fresh 4KB 4-level stage 1 with one page at VA_PATTERN. tbl_l1 is put
 * in the level-1 table descriptor (hierarchical attributes). */
static bool s1_perm_try(uint64_t page_attrs, uint64_t tbl_l1, bool wxn, bool el2, enum mmu_access acc,
                        unsigned el, struct mmu_result *r)
{
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    t.tbl_upper[1] = tbl_l1;
    pt_map(&t, VA_PATTERN, OA_BASE, 3, page_attrs);
    struct mmu_s1_config c = el2 ? s1_el2_cfg(&t) : s1_cfg(&t);
    c.wxn = wxn;
    return tr(&c, NULL, VA_PATTERN, acc, el, r);
}

#define PERM_OK(attrs, tbl, wxn, acc, el)                                                   \
    do {                                                                                    \
        struct mmu_result r_;                                                               \
        if (!s1_perm_try((attrs), (tbl), (wxn), false, (acc), (el), &r_))                  \
            fail_msg("line %d: %s at EL%d faulted (type %d)", __LINE__, #acc, (el), r_.fault.type); \
    } while (0)
#define PERM_FAULT(attrs, tbl, wxn, acc, el)                                                \
    do {                                                                                    \
        struct mmu_result r_;                                                               \
        if (s1_perm_try((attrs), (tbl), (wxn), false, (acc), (el), &r_))                   \
            fail_msg("line %d: %s at EL%d allowed", __LINE__, #acc, (el));                 \
        expect_fault(&r_, MMU_FAULT_PERMISSION, 3, false, false, 0x0f);                     \
    } while (0)

static void test_s1_permission_faults(void **state)
{
    (void)state;
    const uint64_t N = S1_NORMAL;
    /* AP[2:1]=0b10: read-only at EL1, no EL0 access. */
    PERM_OK(N | AP(2), 0, false, MMU_READ, 1);
    PERM_FAULT(N | AP(2), 0, false, MMU_WRITE, 1);
    PERM_FAULT(N | AP(2), 0, false, MMU_READ, 0);
    /* AP=0b11: read-only at both. */
    PERM_OK(N | AP(3), 0, false, MMU_READ, 0);
    PERM_FAULT(N | AP(3), 0, false, MMU_WRITE, 0);
    PERM_FAULT(N | AP(3), 0, false, MMU_WRITE, 1);
    /* AP=0b00: EL1 RW, EL0 without AP[1] has no data access. */
    PERM_OK(N | AP(0), 0, false, MMU_WRITE, 1);
    PERM_FAULT(N | AP(0), 0, false, MMU_READ, 0);
    PERM_FAULT(N | AP(0), 0, false, MMU_WRITE, 0);
    /* AP=0b01: RW at both. */
    PERM_OK(N | AP(1), 0, false, MMU_READ, 0);
    PERM_OK(N | AP(1), 0, false, MMU_WRITE, 0);
    /* UXN: EL0 fetch faults, EL1 may fetch. */
    PERM_FAULT(N | AP(3) | UXN, 0, false, MMU_FETCH, 0);
    PERM_OK(N | AP(3) | UXN, 0, false, MMU_FETCH, 1);
    PERM_OK(N | AP(3) | UXN, 0, false, MMU_READ, 0);
    /* PXN: EL1 fetch faults, EL0 may fetch. */
    PERM_FAULT(N | AP(3) | PXN, 0, false, MMU_FETCH, 1);
    PERM_OK(N | AP(3) | PXN, 0, false, MMU_FETCH, 0);
    PERM_OK(N | AP(3), 0, false, MMU_FETCH, 1);
    PERM_OK(N | AP(3), 0, false, MMU_FETCH, 0);
    /* EL1 never executes what EL0 can write (AP=0b01), PXN clear. */
    PERM_FAULT(N | AP(1), 0, false, MMU_FETCH, 1);
    PERM_OK(N | AP(1), 0, false, MMU_FETCH, 0);
    /* WXN: writable means execute-never, at the EL that can write. */
    PERM_OK(N | AP(0), 0, false, MMU_FETCH, 1);
    PERM_FAULT(N | AP(0), 0, true, MMU_FETCH, 1);
    PERM_OK(N | AP(2), 0, true, MMU_FETCH, 1);
    PERM_FAULT(N | AP(1), 0, true, MMU_FETCH, 0);
    PERM_OK(N | AP(3), 0, true, MMU_FETCH, 0);
    PERM_OK(N | AP(3), 0, true, MMU_FETCH, 1);
    /* APTable[1] (bit 62): no write below. */
    PERM_FAULT(N | AP(0), APTable(2), false, MMU_WRITE, 1);
    PERM_OK(N | AP(0), APTable(2), false, MMU_READ, 1);
    PERM_FAULT(N | AP(1), APTable(2), false, MMU_WRITE, 0);
    PERM_OK(N | AP(1), APTable(2), false, MMU_READ, 0);
    /* With APTable[1] the page is no longer EL0-writable: EL1 may execute it. */
    PERM_OK(N | AP(1), APTable(2), false, MMU_FETCH, 1);
    /* APTable[0] (bit 61): no EL0 access below. */
    PERM_FAULT(N | AP(1), APTable(1), false, MMU_READ, 0);
    PERM_FAULT(N | AP(1), APTable(1), false, MMU_WRITE, 0);
    PERM_OK(N | AP(1), APTable(1), false, MMU_WRITE, 1);
    PERM_FAULT(N | AP(1), APTable(3), false, MMU_WRITE, 1);
    /* UXNTable / PXNTable. */
    PERM_FAULT(N | AP(3), XNTable, false, MMU_FETCH, 0);
    PERM_OK(N | AP(3), XNTable, false, MMU_FETCH, 1);
    PERM_FAULT(N | AP(3), PXNTable, false, MMU_FETCH, 1);
    PERM_OK(N | AP(3), PXNTable, false, MMU_FETCH, 0);
    PERM_OK(N | AP(3), PXNTable, false, MMU_READ, 1);

    /* The reported permissions. */
    struct mmu_result r;
    assert_true(s1_perm_try(N | AP(1), 0, false, false, MMU_READ, 1, &r));
    assert_int_equal(r.perm_el1, MMU_PERM_R | MMU_PERM_W);
    assert_int_equal(r.perm_el0, MMU_PERM_R | MMU_PERM_W | MMU_PERM_X);
    assert_true(s1_perm_try(N | AP(3) | PXN, 0, false, false, MMU_READ, 1, &r));
    assert_int_equal(r.perm_el1, MMU_PERM_R);
    assert_int_equal(r.perm_el0, MMU_PERM_R | MMU_PERM_X);
    assert_true(s1_perm_try(N | AP(0) | UXN, XNTable | PXNTable, false, false, MMU_READ, 1, &r));
    assert_int_equal(r.perm_el1, MMU_PERM_R | MMU_PERM_W);
    assert_int_equal(r.perm_el0, 0);
    /* Permission fault level is the leaf's: a 2MB block faults at level 2. */
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    pt_map(&t, VA_PATTERN, OA_BASE, 2, N | AP(2));
    struct mmu_s1_config c = s1_cfg(&t);
    assert_false(tr(&c, NULL, VA_PATTERN, MMU_WRITE, 1, &r));
    expect_fault(&r, MMU_FAULT_PERMISSION, 2, false, false, 0x0e);
}

static void test_el2_regime_permissions(void **state)
{
    (void)state;
    const uint64_t N = S1_NORMAL;
    struct mmu_result r;
    /* AP[1] is ignored: AP=0b00 is RW at EL2. */
    assert_true(s1_perm_try(N | AP(0), 0, false, true, MMU_WRITE, 2, &r));
    assert_int_equal(r.perm_el1, MMU_PERM_R | MMU_PERM_W | MMU_PERM_X);
    assert_int_equal(r.perm_el0, 0);
    assert_true(r.global);
    assert_true(s1_perm_try(N | AP(1), 0, false, true, MMU_FETCH, 2, &r));
    /* AP[2]: read-only. */
    assert_false(s1_perm_try(N | AP(2), 0, false, true, MMU_WRITE, 2, &r));
    expect_fault(&r, MMU_FAULT_PERMISSION, 3, false, false, 0x0f);
    assert_true(s1_perm_try(N | AP(2), 0, false, true, MMU_READ, 2, &r));
    assert_int_equal(r.perm_el1, MMU_PERM_R | MMU_PERM_X);
    /* XN (bit 54). */
    assert_false(s1_perm_try(N | AP(0) | XN, 0, false, true, MMU_FETCH, 2, &r));
    expect_fault(&r, MMU_FAULT_PERMISSION, 3, false, false, 0x0f);
    assert_true(s1_perm_try(N | AP(0) | XN, 0, false, true, MMU_READ, 2, &r));
    /* APTable[1], XNTable. */
    assert_false(s1_perm_try(N | AP(0), APTable(2), false, true, MMU_WRITE, 2, &r));
    assert_false(s1_perm_try(N | AP(0), XNTable, false, true, MMU_FETCH, 2, &r));
    /* WXN. */
    assert_false(s1_perm_try(N | AP(0), 0, true, true, MMU_FETCH, 2, &r));
    assert_true(s1_perm_try(N | AP(2), 0, true, true, MMU_FETCH, 2, &r));
}

static void test_s2_permission_faults(void **state)
{
    (void)state;
    /* S2AP[0] read, S2AP[1] write; stage-2 execution depends on XN only. */
    for (unsigned s2ap = 0; s2ap < 4; s2ap++)
        for (unsigned xn = 0; xn < 2; xn++) {
            mem_reset();
            struct pt t;
            pt_init(&t, 12, 40, 1, 0);
            uint64_t ipa = 0x1234567000ULL;
            pt_map(&t, ipa, 0x7654321000ULL, 3, S2_NORMAL | S2AP(s2ap) | (xn ? XN : 0));
            struct mmu_s2_config c = s2_cfg(&t, 1);
            static const enum mmu_access accs[3] = { MMU_READ, MMU_WRITE, MMU_FETCH };
            bool want[3] = { s2ap & 1, (s2ap & 2) != 0, !xn };
            for (unsigned a = 0; a < 3; a++) {
                struct mmu_result r;
                bool ok = tr2(&c, ipa + 0x88, accs[a], &r);
                if (ok != want[a])
                    fail_msg("S2AP=%u XN=%u access %u: %s", s2ap, xn, a, ok ? "allowed" : "faulted");
                if (!ok) {
                    CHECK_EQ(r.fault.type, MMU_FAULT_PERMISSION, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                    CHECK_EQ(r.fault.level, 3, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                    CHECK_EQ(r.fault.stage2, 1, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                    CHECK_EQ(r.fault.s1ptw, 0, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                    CHECK_EQ(r.fault.ipa, ipa + 0x88, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                    CHECK_EQ(mmu_fault_fsc(&r.fault), 0x0f, "S2AP=%u XN=%u acc %u", s2ap, xn, a);
                } else {
                    CHECK_EQ(r.perm_el1, (s2ap & 1 ? MMU_PERM_R : 0) | (s2ap & 2 ? MMU_PERM_W : 0) |
                                             (xn ? 0 : MMU_PERM_X),
                             "S2AP=%u XN=%u", s2ap, xn);
                }
            }
        }
}

static void test_address_size_faults(void **state)
{
    (void)state;
    uint64_t va = VA_PATTERN;
    struct pt t;
    struct mmu_s1_config c;
    struct mmu_result r;
    /* Leaf output address beyond the 40-bit PA (IPS=40). */
    pt_init(&t, 12, 48, 0, 0);
    wr64(pt_slot(&t, va, 3), page_desc(1ULL << 40, S1_NORMAL));
    c = s1_cfg(&t);
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 3, false, false, 0x03);
    /* ... and beyond a smaller TCR.IPS (36 bits). */
    wr64(pt_slot(&t, va, 3), page_desc(1ULL << 36, S1_NORMAL));
    c.ips_bits = 36;
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 3, false, false, 0x03);
    wr64(pt_slot(&t, va, 3), page_desc((1ULL << 36) - 0x1000, S1_NORMAL));
    assert_true(tr(&c, NULL, va, MMU_READ, 1, &r));
    /* A 2MB block beyond IPS: level 2. */
    mem_reset();
    pt_init(&t, 12, 48, 0, 0);
    wr64(pt_slot(&t, va, 2), block_desc(1ULL << 38, S1_NORMAL));
    c = s1_cfg(&t);
    c.ips_bits = 36;
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 2, false, false, 0x02);
    /* A table descriptor whose next-level address is beyond IPS: the table's level. */
    mem_reset();
    pt_init(&t, 12, 48, 0, 0);
    wr64(pt_slot(&t, va, 1), table_desc(1ULL << 40, 0));
    c = s1_cfg(&t);
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 1, false, false, 0x01);
    assert_int_equal(r.walk_accesses, 2);
    /* TTBR base beyond IPS (TCR.IPS=0b000, 32 bits): level 0, no walk. */
    mmu_s1_from_regs(&c, false, 1, TCR_T0SZ(16) | TCR_EPD1 | TCR_IPS(0), 0x100000000ULL, 0, MAIR_TEST);
    assert_int_equal(c.ips_bits, 32);
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 0, false, false, 0x00);
    assert_int_equal(M.nlog, 0);
    /* Stage 2 leaf beyond VTCR.PS (32 bits). */
    mem_reset();
    struct pt s2;
    pt_init(&s2, 12, 40, 1, 0);
    pt_map(&s2, 0x5000, 1ULL << 32, 3, S2_RW);
    struct mmu_s2_config c2 = s2_cfg(&s2, 1);
    c2.ps_bits = 32;
    assert_false(tr2(&c2, 0x5000, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 3, true, false, 0x03);
    assert_int_equal(r.fault.ipa, 0x5000);
    c2.ps_bits = 40;
    assert_true(tr2(&c2, 0x5000, MMU_READ, &r));
    /* VTTBR beyond PS: an address size fault before any walk (level: see deviations). */
    c2.vttbr = 1ULL << 36;
    c2.ps_bits = 32;
    assert_false(tr2(&c2, 0x5000, MMU_READ, &r));
    assert_int_equal(r.fault.type, MMU_FAULT_ADDRESS_SIZE);
    assert_true(r.fault.stage2);
    assert_int_equal(M.nlog, 0);
    /* Stage 1 off: a VA beyond the PA size is an address size fault, level 0. */
    struct mmu_s1_config off;
    memset(&off, 0, sizeof off);
    assert_false(tr(&off, NULL, 1ULL << 40, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ADDRESS_SIZE, 0, false, false, 0x00);
    assert_true(tr(&off, NULL, (1ULL << 40) - 1, MMU_READ, 1, &r));
    assert_int_equal(r.pa, (1ULL << 40) - 1);
}

static void test_external_abort_on_walk(void **state)
{
    (void)state;
    uint64_t va = VA_PATTERN;
    struct mmu_result r;
    /* TTBR0 points at unbacked memory: the level-0 read aborts. */
    struct pt t;
    pt_init_at(&t, 12, 48, 0, 0, 0x10000);
    struct mmu_s1_config c = s1_cfg(&t);
    assert_false(tr(&c, NULL, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_EXTERNAL_WALK, 0, false, false, 0x14);
    assert_int_equal(M.nlog, 1);
    assert_int_equal(M.log[0].pa, 0x10000 + ((va >> 39) & 511) * 8);
    /* A level-2 table descriptor pointing outside memory: the level-3 read aborts. */
    for (int lvl = 1; lvl <= 3; lvl++) {
        mem_reset();
        pt_init(&t, 12, 48, 0, 0);
        wr64(pt_slot(&t, va, lvl - 1), table_desc(0x100000000ULL, 0));
        c = s1_cfg(&t);
        if (tr(&c, NULL, va, MMU_READ, 1, &r))
            fail_msg("abort at L%d not reported", lvl);
        CHECK_EQ(r.fault.type, MMU_FAULT_EXTERNAL_WALK, "L%d", lvl);
        CHECK_EQ(r.fault.level, lvl, "L%d", lvl);
        CHECK_EQ(mmu_fault_fsc(&r.fault), 0x14u + (unsigned)lvl, "L%d", lvl);
        CHECK_EQ(r.fault.stage2, 0, "L%d", lvl);
        CHECK_EQ(r.walk_accesses, lvl + 1, "L%d", lvl);
    }
    /* Stage 2 walk: VTTBR outside memory, start level 1 -> FSC 0x15. */
    mem_reset();
    struct pt s2;
    pt_init_at(&s2, 12, 40, 1, 0, 0x20000);
    struct mmu_s2_config c2 = s2_cfg(&s2, 1);
    assert_false(tr2(&c2, 0x1000, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_EXTERNAL_WALK, 1, true, false, 0x15);
    assert_int_equal(r.fault.ipa, 0x1000);
    /* Stage-2 level-3 table outside memory. */
    mem_reset();
    pt_init(&s2, 12, 40, 1, 0);
    wr64(pt_slot(&s2, 0x1000, 2), table_desc(0x200000000ULL, 0));
    c2 = s2_cfg(&s2, 1);
    assert_false(tr2(&c2, 0x1000, MMU_READ, &r));
    expect_fault(&r, MMU_FAULT_EXTERNAL_WALK, 3, true, false, 0x17);

    /* Under stage 2: the stage-2 walk for a stage-1 descriptor aborts -> stage-2
     * fault with S1PTW; a stage-1 descriptor whose PA is unbacked -> stage-1 fault. */
    mem_reset();
    struct pt s1;
    pt_init(&s1, 12, 48, 0, S2_DELTA);
    pt_map(&s1, va, 0x10000000ULL, 3, S1_NORMAL);
    uint64_t s1_end = M.next;
    pt_init(&s2, 12, 40, 1, 0);
    s2_map_tables(&s2, s1_end, S2_RW);
    pt_map(&s2, 0x10000000ULL, 0x20000000ULL, 3, S2_RW);
    struct mmu_s1_config c1 = s1_cfg(&s1);
    c2 = s2_cfg(&s2, 1);
    assert_true(tr(&c1, &c2, va, MMU_READ, 1, &r));
    /* Re-point the stage-2 page holding the stage-1 level-2 table at unbacked memory. */
    uint64_t l2_pa = pt_table_pa(&s1, va, 2);
    pt_map(&s2, l2_pa - S2_DELTA, 0x300000000ULL, 3, S2_RW);
    assert_false(tr(&c1, &c2, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_EXTERNAL_WALK, 2, false, false, 0x16);
    /* Make the stage-2 level-3 table holding that entry unbacked. */
    pt_map(&s2, l2_pa - S2_DELTA, l2_pa, 3, S2_RW);
    wr64(pt_slot(&s2, l2_pa - S2_DELTA, 2), table_desc(0x300000000ULL, 0));
    assert_false(tr(&c1, &c2, va, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_EXTERNAL_WALK, 3, true, true, 0x17);
}

/* ========================================================================================= */
/* Two stages: S1PTW, access counting                                                          */
/* ========================================================================================= */

struct two_stage {
    struct pt s1, s2;
    struct mmu_s1_config c1;
    struct mmu_s2_config c2;
    uint64_t s1_end;          /* PA just past the stage-1 tables */
};

#define DATA_IPA 0x10000000ULL
#define DATA_PA 0x7700000000ULL

/* 4KB 4-level stage 1 (T0SZ=16) mapping VA_PATTERN -> DATA_IPA, its tables at
 * IPA = PA - S2_DELTA; 4KB 3-level stage 2 (T0SZ=24, SL0=1). Stage 2 maps each
 * table page with `table_attrs` (0 leaves them unmapped) and DATA_IPA -> DATA_PA. */
static void build_two_stage(struct two_stage *w, uint64_t table_attrs, uint64_t data_s2_attrs)
{
    mem_reset();
    pt_init(&w->s1, 12, 48, 0, S2_DELTA);
    pt_map(&w->s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL | AP(1));
    w->s1_end = M.next;
    pt_init(&w->s2, 12, 40, 1, 0);
    if (table_attrs)
        s2_map_tables(&w->s2, w->s1_end, table_attrs);
    pt_map(&w->s2, DATA_IPA, DATA_PA, 3, data_s2_attrs);
    w->c1 = s1_cfg(&w->s1);
    w->c2 = s2_cfg(&w->s2, 1);
}

static void test_s1ptw_faults(void **state)
{
    (void)state;
    struct two_stage w;
    struct mmu_result r;
    build_two_stage(&w, S2_RW, S2_RW);
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.pa, DATA_PA | (VA_PATTERN & 0xfff));
    assert_int_equal(r.ipa, DATA_IPA | (VA_PATTERN & 0xfff));
    assert_int_equal(r.fault.type, MMU_FAULT_NONE);

    /* Unmap (at stage 2) the page holding the stage-1 level-2 table. */
    uint64_t l2_pa = pt_table_pa(&w.s1, VA_PATTERN, 2), l2_ipa = l2_pa - S2_DELTA;
    wr64(pt_slot(&w.s2, l2_ipa, 3), 0);
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 3, true, true, 0x07);
    assert_int_equal(r.fault.ipa >> 12, l2_ipa >> 12);   /* HPFAR_EL2.FIPA: the descriptor's IPA page */
    assert_int_equal(r.walk_accesses, 4 + 4 + 3);        /* L0 and L1 (3+1 each), then 3 stage-2 reads */
    assert_int_equal(M.log[M.nlog - 1].stage, 2);
    assert_int_equal(M.log[M.nlog - 1].level, 3);
    uint64_t par = mmu_par_from_result(&r, false);
    assert_int_equal(par & 1, 1);
    assert_int_equal((par >> 1) & 0x3f, 0x07);
    assert_int_equal((par >> 8) & 1, 1);                 /* PTW */
    assert_int_equal((par >> 9) & 1, 1);                 /* S */
    /* The same for a write and a fetch: the walk itself is a read. */
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_WRITE, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 3, true, true, 0x07);

    /* No stage-2 mapping for any stage-1 table: the root read misses at stage-2 level 1. */
    build_two_stage(&w, 0, S2_RW);
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 1, true, true, 0x05);
    assert_int_equal(r.fault.ipa >> 12, pt_base(&w.s1) >> 12);
    assert_int_equal(r.walk_accesses, 1);
    assert_int_equal(M.log[0].stage, 2);

    /* Stage-2 permission on a table: S2AP=0b00 -> permission fault, S1PTW. */
    build_two_stage(&w, S2_RW, S2_RW);
    uint64_t l3_ipa = pt_table_pa(&w.s1, VA_PATTERN, 3) - S2_DELTA;
    pt_map(&w.s2, l3_ipa, l3_ipa + S2_DELTA, 3, S2_NORMAL | S2AP(0));
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_PERMISSION, 3, true, true, 0x0f);
    assert_int_equal(r.fault.ipa >> 12, l3_ipa >> 12);
    /* Stage-2 Access flag on a table. */
    pt_map(&w.s2, l3_ipa, l3_ipa + S2_DELTA, 3, S2_RW & ~AF);
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_ACCESS_FLAG, 3, true, true, 0x0b);

    /* Tables read-only and execute-never at stage 2 still allow data writes and
     * fetches: stage-1 walks are checked as reads. */
    build_two_stage(&w, S2_NORMAL | S2AP(1) | XN, S2_RW);
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_WRITE, 1, &r));
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_FETCH, 0, &r));

    /* A fault on the final IPA is a stage-2 fault without S1PTW, with the full IPA. */
    build_two_stage(&w, S2_RW, S2_RW);
    wr64(pt_slot(&w.s2, DATA_IPA, 3), 0);
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 3, true, false, 0x07);
    assert_int_equal(r.fault.ipa, DATA_IPA | (VA_PATTERN & 0xfff));
    assert_int_equal(r.walk_accesses, 4 * 4 + 3);
    par = mmu_par_from_result(&r, false);
    assert_int_equal((par >> 8) & 1, 0);
    assert_int_equal((par >> 9) & 1, 1);
    /* A stage-1 fault under stage 2 is a stage-1 fault. */
    build_two_stage(&w, S2_RW, S2_RW);
    wr64(pt_slot(&w.s1, VA_PATTERN, 3), 0);
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 3, false, false, 0x07);
}

static void test_two_stage_walk_accesses(void **state)
{
    (void)state;
    /* 4-level stage 1 under a 3-level stage 2 (the deepest stage 2 a 40-bit PA
     * allows with 4KB: SL0=2 needs PARange >= 44): each of the 4 stage-1 reads
     * needs a 3-read stage-2 walk, then the output IPA another: 4*(3+1)+3 = 19. */
    struct two_stage w;
    build_two_stage(&w, S2_RW, S2_RW);
    struct mmu_result r;
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.walk_accesses, 19);
    assert_int_equal(M.nlog, 19);
    unsigned k = 0;
    for (int l1 = 0; l1 <= 3; l1++) {
        for (int l2 = 1; l2 <= 3; l2++, k++) {
            CHECK_EQ(M.log[k].stage, 2, "access %u", k);
            CHECK_EQ(M.log[k].level, l2, "access %u", k);
        }
        CHECK_EQ(M.log[k].stage, 1, "access %u", k);
        CHECK_EQ(M.log[k].level, l1, "access %u", k);
        /* The stage-1 descriptor is read at its PA (the translated IPA). */
        CHECK_EQ(M.log[k].pa, pt_slot(&w.s1, VA_PATTERN, l1), "stage-1 L%d read address", l1);
        k++;
    }
    for (int l2 = 1; l2 <= 3; l2++, k++) {
        CHECK_EQ(M.log[k].stage, 2, "access %u", k);
        CHECK_EQ(M.log[k].level, l2, "access %u", k);
    }
    /* Stage-2 2MB blocks for the tables: 4*(2+1)+3 = 15. */
    mem_reset();
    pt_init(&w.s1, 12, 48, 0, S2_DELTA);
    pt_map(&w.s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL);
    pt_init(&w.s2, 12, 40, 1, 0);
    pt_map(&w.s2, MEM_BASE - S2_DELTA, MEM_BASE, 2, S2_RW);
    pt_map(&w.s2, DATA_IPA, DATA_PA, 3, S2_RW);
    w.c1 = s1_cfg(&w.s1);
    w.c2 = s2_cfg(&w.s2, 1);
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.walk_accesses, 15);
    assert_int_equal(r.page_shift, 12);
}

#if MMU_PA_BITS >= 44
static void test_two_stage_walk_accesses_4x4(void **state)
{
    (void)state;
    /* With a PARange of at least 44 bits, 4KB SL0=2 starts stage 2 at level 0:
     * a 4-level by 4-level walk makes 4*(4+1)+4 = 24 descriptor reads. */
    mem_reset();
    struct pt s1, s2;
    pt_init(&s1, 12, 48, 0, S2_DELTA);
    pt_map(&s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL);
    uint64_t end = M.next;
    pt_init(&s2, 12, 44, 0, 0);
    s2_map_tables(&s2, end, S2_RW);
    pt_map(&s2, DATA_IPA, DATA_PA, 3, S2_RW);
    struct mmu_s1_config c1 = s1_cfg(&s1);
    struct mmu_s2_config c2 = s2_cfg(&s2, 2);
    struct mmu_result r;
    assert_true(tr(&c1, &c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.walk_accesses, 24);
}
#endif

/* ========================================================================================= */
/* Combining the two stages                                                                    */
/* ========================================================================================= */

/* Cacheability class from the Arm ARM MAIR encodings: 0b0100 Non-cacheable;
 * 0b00RW/0b10RW Write-Through; 0b01RW/0b11RW Write-Back. 0 NC, 1 WT, 2 WB. */
static unsigned mair_nibble_class(unsigned n) { return n == 0x4 ? 0 : (n & 0x4) ? 2 : 1; }
/* Stage-2 MemAttr[3:2] / [1:0] (Normal): 0b01 NC, 0b10 WT, 0b11 WB. */
static unsigned s2_field_class(unsigned f) { return f - 1; }
static unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }

static const uint8_t S1_ATTRS[] = {
    0x00, 0x04, 0x08, 0x0c,                    /* Device nGnRnE, nGnRE, nGRE, GRE */
    0x44,                                      /* Normal NC */
    0xaa, 0xbb, 0x88, 0x33,                    /* Normal WT (RA, RWA, no-alloc, transient RWA) */
    0xff, 0xee, 0x77,                          /* Normal WB (RWA, RA, transient RWA) */
    0x4f, 0xf4, 0xaf, 0xfa, 0x4a, 0xa4,        /* inner/outer mixes */
};

static void test_combine_attr_matrix(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof S1_ATTRS; i++)
        for (unsigned s2 = 0; s2 < 16; s2++) {
            unsigned s2o = s2 >> 2, s2i = s2 & 3;
            if (s2o != 0 && s2i == 0)
                continue;   /* reserved */
            uint8_t s1 = S1_ATTRS[i];
            uint8_t got = mmu_combine_attr(s1, s2);
            bool s1dev = (s1 & 0xf0) == 0, s2dev = s2o == 0;
            if (s1dev || s2dev) {
                /* Device, of the more restrictive type: nGnRnE > nGnRE > nGRE > GRE. */
                unsigned t1 = (s1 >> 2) & 3, t2 = s2i;
                unsigned want = s1dev && s2dev ? umin(t1, t2) : s1dev ? t1 : t2;
                CHECK_EQ(got, want << 2, "S1 0x%02x S2 MemAttr 0x%x", s1, s2);
                continue;
            }
            unsigned o1 = s1 >> 4, i1 = s1 & 0xf, go = got >> 4, gi = got & 0xf;
            if ((got & 0xf0) == 0)
                fail_msg("S1 0x%02x S2 0x%x: Normal combined to Device 0x%02x", s1, s2, got);
            unsigned want_o = umin(mair_nibble_class(o1), s2_field_class(s2o));
            unsigned want_i = umin(mair_nibble_class(i1), s2_field_class(s2i));
            CHECK_EQ(mair_nibble_class(go), want_o, "outer: S1 0x%02x S2 MemAttr 0x%x -> 0x%02x", s1, s2, got);
            CHECK_EQ(mair_nibble_class(gi), want_i, "inner: S1 0x%02x S2 MemAttr 0x%x -> 0x%02x", s1, s2, got);
            /* Unchanged cacheability keeps stage 1's allocation hints. */
            if (want_o == mair_nibble_class(o1))
                CHECK_EQ(go, o1, "outer hints: S1 0x%02x S2 0x%x", s1, s2);
            if (want_i == mair_nibble_class(i1))
                CHECK_EQ(gi, i1, "inner hints: S1 0x%02x S2 0x%x", s1, s2);
        }
    /* Spot values. */
    assert_int_equal(mmu_combine_attr(0xff, 0xf), 0xff);
    assert_int_equal(mmu_combine_attr(0xff, 0x5), 0x44);   /* S2 Normal NC */
    assert_int_equal(mmu_combine_attr(0x44, 0xf), 0x44);
    assert_int_equal(mmu_combine_attr(0xff, 0x7), 0x4f);   /* S2 outer NC, inner WB */
    assert_int_equal(mmu_combine_attr(0xff, 0xd), 0xf4);   /* S2 outer WB, inner NC */
    assert_int_equal(mmu_combine_attr(0xaa, 0xf), 0xaa);
    assert_int_equal(mmu_combine_attr(0xaf, 0xb), 0xaf);
    assert_int_equal(mmu_combine_attr(0x00, 0xf), 0x00);
    assert_int_equal(mmu_combine_attr(0x0c, 0x0), 0x00);
    assert_int_equal(mmu_combine_attr(0x0c, 0x1), 0x04);
    assert_int_equal(mmu_combine_attr(0x04, 0x3), 0x04);
    assert_int_equal(mmu_combine_attr(0x08, 0x1), 0x04);
    assert_int_equal(mmu_combine_attr(0xff, 0x2), 0x08);
    assert_int_equal(mmu_combine_attr(0x44, 0x3), 0x0c);
}

static void test_combine_sh(void **state)
{
    (void)state;
    /* Device and Normal inner+outer Non-cacheable: Outer Shareable whatever the fields. */
    for (uint8_t a = 0; a < 4; a++)
        for (uint8_t b = 0; b < 4; b++) {
            if (a == 1 || b == 1)
                continue;
            CHECK_EQ(mmu_combine_sh(a, b, 0x00), 2, "%u %u device", a, b);
            CHECK_EQ(mmu_combine_sh(a, b, 0x0c), 2, "%u %u device", a, b);
            CHECK_EQ(mmu_combine_sh(a, b, 0x44), 2, "%u %u NC", a, b);
        }
    /* Otherwise the more shareable: OSH > ISH > NSH. */
    static const struct { uint8_t s1, s2, want; } t[] = {
        { 0, 0, 0 }, { 0, 3, 3 }, { 3, 0, 3 }, { 0, 2, 2 }, { 2, 0, 2 },
        { 3, 3, 3 }, { 3, 2, 2 }, { 2, 3, 2 }, { 2, 2, 2 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        CHECK_EQ(mmu_combine_sh(t[i].s1, t[i].s2, 0xff), t[i].want, "%u %u WB", t[i].s1, t[i].s2);
        CHECK_EQ(mmu_combine_sh(t[i].s1, t[i].s2, 0xaa), t[i].want, "%u %u WT", t[i].s1, t[i].s2);
        /* Only one of inner/outer Non-cacheable: not forced. */
        CHECK_EQ(mmu_combine_sh(t[i].s1, t[i].s2, 0x4f), t[i].want, "%u %u oNC", t[i].s1, t[i].s2);
        CHECK_EQ(mmu_combine_sh(t[i].s1, t[i].s2, 0xf4), t[i].want, "%u %u iNC", t[i].s1, t[i].s2);
    }
}

static void test_combine_through_translate(void **state)
{
    (void)state;
    struct two_stage w;
    struct mmu_result r;
    static const struct { unsigned idx; uint64_t s1sh; uint64_t s2attr; uint8_t attr, sh; } t[] = {
        { IDX_WB, SH(3), MemAttr(0xf) | SH(3), 0xff, 3 },
        { IDX_WB, SH(0), MemAttr(0xf) | SH(3), 0xff, 3 },
        { IDX_WB, SH(3), MemAttr(0xf) | SH(2), 0xff, 2 },
        { IDX_WB, SH(0), MemAttr(0xf) | SH(0), 0xff, 0 },
        { IDX_WB, SH(3), MemAttr(0x5) | SH(3), 0x44, 2 },   /* S2 NC -> NC, Outer Shareable */
        { IDX_WT, SH(3), MemAttr(0xf) | SH(3), 0xaa, 3 },
        { IDX_NC, SH(0), MemAttr(0xf) | SH(0), 0x44, 2 },
        { IDX_DEV_nGnRE, SH(0), MemAttr(0xf) | SH(0), 0x04, 2 },
        { IDX_WB, SH(3), MemAttr(0x1) | SH(3), 0x04, 2 },   /* S2 Device nGnRE */
        { IDX_DEV_nGnRE, SH(0), MemAttr(0x0), 0x00, 2 },
        { 7, SH(3), MemAttr(0xf) | SH(3), 0x4f, 3 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        build_two_stage(&w, S2_RW, S2AP(3) | AF | t[i].s2attr);
        pt_map(&w.s1, VA_PATTERN, DATA_IPA, 3, AttrIndx(t[i].idx) | t[i].s1sh | AF | AP(1));
        bool ok = tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r);
        if (!ok)
            fail_msg("case %u faulted", i);
        CHECK_EQ(r.attr, t[i].attr, "case %u", i);
        CHECK_EQ(r.sh, t[i].sh, "case %u", i);
    }
    /* page_shift is the smaller of the two stages' mapping sizes. */
    build_two_stage(&w, S2_RW, S2_RW);
    pt_map(&w.s1, VA_PATTERN, 0, 1, S1_NORMAL);                     /* S1 1GB block */
    pt_map(&w.s2, VA_PATTERN & mask(30), 0x5500000000ULL, 3, S2_RW); /* S2 4KB page */
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.ipa, VA_PATTERN & mask(30));
    assert_int_equal(r.pa, 0x5500000000ULL | (VA_PATTERN & 0xfff));
    assert_int_equal(r.page_shift, 12);
    build_two_stage(&w, S2_RW, S2_RW);
    pt_map(&w.s2, DATA_IPA, 0x5600000000ULL, 2, S2_RW);              /* S2 2MB block, S1 page */
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x5600000000ULL | (VA_PATTERN & 0xfff));
    assert_int_equal(r.page_shift, 12);
    pt_map(&w.s1, VA_PATTERN, 0, 2, S1_NORMAL);                     /* S1 2MB block */
    pt_map(&w.s2, 0, 0x5700000000ULL, 1, S2_RW);                     /* S2 1GB block */
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x5700000000ULL | (VA_PATTERN & mask(21)));
    assert_int_equal(r.page_shift, 21);
}

static void test_combine_permissions(void **state)
{
    (void)state;
    /* Stage 1 AP (UXN=1 so EL0 never executes; PXN=0) x stage 2 S2AP x XN: the
     * access succeeds iff both stages allow it, and perm_el0/perm_el1 are the
     * intersections. Stage 1 (Arm ARM): AP 00 EL1 RW; 01 EL1 RW, EL0 RW; 10 EL1 R;
     * 11 EL1 R, EL0 R; EL1 executes unless EL0 can write. */
    static const uint8_t s1p1[4] = { MMU_PERM_R | MMU_PERM_W | MMU_PERM_X, MMU_PERM_R | MMU_PERM_W,
                                     MMU_PERM_R | MMU_PERM_X, MMU_PERM_R | MMU_PERM_X };
    static const uint8_t s1p0[4] = { 0, MMU_PERM_R | MMU_PERM_W, 0, MMU_PERM_R };
    static const enum mmu_access accs[3] = { MMU_READ, MMU_WRITE, MMU_FETCH };
    static const uint8_t need[3] = { MMU_PERM_R, MMU_PERM_W, MMU_PERM_X };
    for (unsigned ap = 0; ap < 4; ap++)
        for (unsigned s2ap = 0; s2ap < 4; s2ap++)
            for (unsigned xn = 0; xn < 2; xn++) {
                struct two_stage w;
                build_two_stage(&w, S2_RW, S2_NORMAL | S2AP(s2ap) | (xn ? XN : 0));
                pt_map(&w.s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL | AP(ap) | UXN);
                uint8_t p2 = (uint8_t)((s2ap & 1 ? MMU_PERM_R : 0) | (s2ap & 2 ? MMU_PERM_W : 0) |
                                       (xn ? 0 : MMU_PERM_X));
                for (unsigned el = 0; el < 2; el++)
                    for (unsigned a = 0; a < 3; a++) {
                        struct mmu_result r;
                        uint8_t s1p = el ? s1p1[ap] : s1p0[ap];
                        bool want = (s1p & p2 & need[a]) != 0;
                        bool ok = tr(&w.c1, &w.c2, VA_PATTERN, accs[a], el, &r);
                        if (ok != want)
                            fail_msg("AP=%u S2AP=%u XN=%u EL%u acc %u: %s", ap, s2ap, xn, el, a,
                                     ok ? "allowed" : "faulted");
                        if (ok) {
                            CHECK_EQ(r.perm_el1, s1p1[ap] & p2, "AP=%u S2AP=%u XN=%u", ap, s2ap, xn);
                            CHECK_EQ(r.perm_el0, s1p0[ap] & p2, "AP=%u S2AP=%u XN=%u", ap, s2ap, xn);
                        } else {
                            /* Stage 1's permission check comes first. */
                            bool s1_denies = !(s1p & need[a]);
                            CHECK_EQ(r.fault.type, MMU_FAULT_PERMISSION, "AP=%u S2AP=%u XN=%u EL%u acc %u",
                                     ap, s2ap, xn, el, a);
                            CHECK_EQ(r.fault.stage2, !s1_denies, "AP=%u S2AP=%u XN=%u EL%u acc %u", ap,
                                     s2ap, xn, el, a);
                            CHECK_EQ(r.fault.s1ptw, 0, "AP=%u S2AP=%u", ap, s2ap);
                        }
                    }
            }
    /* EL0 execution (UXN=0, AP[1]=1) intersected with stage-2 XN. */
    struct two_stage w;
    struct mmu_result r;
    build_two_stage(&w, S2_RW, S2_RW | XN);
    pt_map(&w.s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL | AP(3));
    assert_false(tr(&w.c1, &w.c2, VA_PATTERN, MMU_FETCH, 0, &r));
    expect_fault(&r, MMU_FAULT_PERMISSION, 3, true, false, 0x0f);
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_READ, 0, &r));
    assert_int_equal(r.perm_el0, MMU_PERM_R);
    build_two_stage(&w, S2_RW, S2_RW);
    pt_map(&w.s1, VA_PATTERN, DATA_IPA, 3, S1_NORMAL | AP(3));
    assert_true(tr(&w.c1, &w.c2, VA_PATTERN, MMU_FETCH, 0, &r));
    assert_int_equal(r.perm_el0, MMU_PERM_R | MMU_PERM_X);
}

/* ========================================================================================= */
/* Stage 1 off, EL2 regime                                                                     */
/* ========================================================================================= */

static void test_s1_off_s2_on(void **state)
{
    (void)state;
    mem_reset();
    struct pt s2;
    pt_init(&s2, 12, 40, 1, 0);
    pt_map(&s2, 0x12345000ULL, 0x876543000ULL, 3, S2_RW);
    pt_map(&s2, 0x22345000ULL, 0x976543000ULL, 3, MemAttr(0x5) | SH(3) | AF | S2AP(3));
    struct mmu_s2_config c2 = s2_cfg(&s2, 1);
    struct mmu_s1_config c1;
    memset(&c1, 0, sizeof c1);
    struct mmu_result r;
    /* Data: Device-nGnRnE (Outer Shareable), combined with stage 2's Normal WB. */
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_READ, 1, &r));
    assert_int_equal(r.ipa, 0x12345678ULL);
    assert_int_equal(r.pa, 0x876543678ULL);
    assert_int_equal(r.attr, 0x00);
    assert_int_equal(r.sh, 2);
    assert_int_equal(r.page_shift, 12);
    assert_int_equal(r.walk_accesses, 3);
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_WRITE, 0, &r));
    assert_int_equal(r.attr, 0x00);
    /* Fetch: Normal memory. */
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_FETCH, 1, &r));
    assert_true((r.attr & 0xf0) != 0 && (r.attr & 0x0f) != 0);
    assert_int_equal(r.sh, 2);
    /* HCR_EL2.DC: stage 1 off is Normal Write-Back. */
    c2.dc = true;
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_READ, 1, &r));
    assert_int_equal(r.attr, 0xff);
    assert_true(tr(&c1, &c2, 0x22345678ULL, MMU_READ, 1, &r));
    assert_int_equal(r.attr, 0x44);   /* stage 2 NC wins */
    assert_int_equal(r.sh, 2);
    c2.dc = false;
    /* Stage-2 faults with stage 1 off: the IPA is the VA (no level-2 entry here). */
    assert_false(tr(&c1, &c2, 0x32345678ULL, MMU_READ, 1, &r));
    expect_fault(&r, MMU_FAULT_TRANSLATION, 2, true, false, 0x06);
    assert_int_equal(r.fault.ipa, 0x32345678ULL);
    /* Both stages off: flat, Device for data. */
    c2.enabled = false;
    assert_true(tr(&c1, &c2, 0x32345678ULL, MMU_READ, 1, &r));
    assert_int_equal(r.pa, 0x32345678ULL);
    assert_int_equal(r.attr, 0x00);
    assert_int_equal(r.walk_accesses, 0);
}

/* The EL2&0 regime (FEAT_VHE, s1.host): stage 1 as EL1&0's (EL0 rights from AP[1], nG, the
 * ASID from TTBR0), but never stage 2, even with HCR_EL2.VM set for the guests. */
/* A stage 2 that is on but whose tables are unbacked: any stage-2 walk would abort. */
static struct mmu_s2_config unbacked_s2(void)
{
    struct mmu_s2_config c2;
    memset(&c2, 0, sizeof c2);
    c2.enabled = true;
    c2.vttbr = 0x1000;
    c2.t0sz = 24;
    c2.sl0 = 1;
    c2.granule_bits = 12;
    c2.ps_bits = 40;
    return c2;
}

static void test_host_regime(void **state)
{
    (void)state;
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    pt_map(&t, VA_PATTERN, OA_BASE, 3, S1_NORMAL | (1ULL << 6) | (1ULL << 11));   /* AP = EL0 RW, nG */
    struct mmu_s1_config c1 = s1_cfg(&t);
    c1.host = true;
    c1.ttbr[0] |= 5ULL << 48;
    struct mmu_s2_config c2 = unbacked_s2();
    struct mmu_result r;
    assert_true(tr(&c1, &c2, VA_PATTERN, MMU_READ, 2, &r));
    assert_int_equal(r.pa, OA_BASE | (VA_PATTERN & 0xfff));
    for (unsigned k = 0; k < M.nlog; k++)
        assert_int_equal(M.log[k].stage, 1);
    assert_true(r.perm_el0 & MMU_PERM_W);
    assert_false(r.global);
    assert_int_equal(r.asid, 5);
    assert_true(tr(&c1, &c2, VA_PATTERN, MMU_WRITE, 0, &r));     /* EL0 of the EL2&0 regime */
}

static void test_el2_regime_ignores_stage2(void **state)
{
    (void)state;
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    pt_map(&t, VA_PATTERN, OA_BASE, 3, S1_NORMAL);
    struct mmu_s1_config c1 = s1_el2_cfg(&t);
    struct mmu_s2_config c2 = unbacked_s2();
    c2.dc = true;
    struct mmu_result r;
    assert_true(tr(&c1, &c2, VA_PATTERN, MMU_READ, 2, &r));
    assert_int_equal(r.pa, OA_BASE | (VA_PATTERN & 0xfff));
    assert_int_equal(r.walk_accesses, 4);
    assert_int_equal(r.attr, 0xff);
    for (unsigned k = 0; k < M.nlog; k++)
        assert_int_equal(M.log[k].stage, 1);
    /* EL2 stage 1 off: flat Device data, not affected by HCR_EL2.DC. */
    c1.enabled = false;
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_READ, 2, &r));
    assert_int_equal(r.pa, 0x12345678ULL);
    assert_int_equal(r.attr, 0x00);
    assert_int_equal(r.walk_accesses, 0);
}

/* ========================================================================================= */
/* PAR_EL1                                                                                     */
/* ========================================================================================= */

static void test_par_from_result(void **state)
{
    (void)state;
    struct mmu_result r;
    memset(&r, 0, sizeof r);
    r.pa = 0x0000001234567abcULL;
    r.attr = 0xff;
    r.sh = 3;
    /* F=0: PA[47:12], ATTR[63:56], SH[8:7], NS[9]=1, bit 11 RES1. */
    assert_int_equal(mmu_par_from_result(&r, true), 0xff00001234567b80ULL);
    r.attr = 0x04;
    r.sh = 2;
    assert_int_equal(mmu_par_from_result(&r, true), 0x0400001234567b00ULL);

    /* F=1: FST[6:1], PTW[8], S[9], bit 11 RES1. */
    memset(&r, 0, sizeof r);
    r.fault = (struct mmu_fault){ .type = MMU_FAULT_TRANSLATION, .level = 2, .stage2 = true, .s1ptw = true };
    assert_int_equal(mmu_par_from_result(&r, false), 0xb0dULL);
    r.fault = (struct mmu_fault){ .type = MMU_FAULT_PERMISSION, .level = 3 };
    assert_int_equal(mmu_par_from_result(&r, false), 0x81fULL);
    r.fault = (struct mmu_fault){ .type = MMU_FAULT_EXTERNAL_WALK, .level = 1 };
    assert_int_equal(mmu_par_from_result(&r, false), 0x82bULL);
    r.fault = (struct mmu_fault){ .type = MMU_FAULT_ADDRESS_SIZE, .level = 0 };
    assert_int_equal(mmu_par_from_result(&r, false), 0x801ULL);
    r.fault = (struct mmu_fault){ .type = MMU_FAULT_ACCESS_FLAG, .level = 3, .stage2 = true };
    assert_int_equal(mmu_par_from_result(&r, false), 0xa17ULL);

    /* From real walks. */
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    pt_map(&t, VA_PATTERN, OA_BASE, 3, AttrIndx(IDX_WT) | SH(2) | AF);
    struct mmu_s1_config c = s1_cfg(&t);
    assert_true(tr(&c, NULL, VA_PATTERN, MMU_READ, 1, &r));
    assert_int_equal(mmu_par_from_result(&r, true),
                     (0xaaULL << 56) | OA_BASE | (2u << 7) | (1u << 9) | (1u << 11));
    assert_false(tr(&c, NULL, VA_PATTERN ^ (1ULL << 30), MMU_READ, 1, &r));   /* empty L1 entry */
    assert_int_equal(mmu_par_from_result(&r, false), 1 | (0x05u << 1) | (1u << 11));
}

/* ========================================================================================= */
/* Register decoding                                                                           */
/* ========================================================================================= */

static void test_s1_from_regs(void **state)
{
    (void)state;
    struct mmu_s1_config c;
    /* TCR_EL1: T0SZ=25, EPD0, TG0=16KB, T1SZ=30, A1, EPD1, TG1=64KB, IPS=48 bits
     * (capped to 40), AS, TBI0, TBI1; also IRGN/ORGN/SH fields that must not leak. */
    uint64_t tcr = TCR_T0SZ(25) | TCR_EPD0 | (1u << 8) | (1u << 10) | (3u << 12) | TCR_TG0(2) |
                   TCR_T1SZ(30) | TCR_A1 | TCR_EPD1 | (3u << 28) | TCR_TG1(3) | TCR_IPS(5) | TCR_AS |
                   TCR_TBI0 | TCR_TBI1;
    mmu_s1_from_regs(&c, false, (1u << 0) | (1u << 19) | (1u << 2), tcr, 0x0001000080001000ULL,
                     0x0002000080002000ULL, 0x1122334455667788ULL);
    assert_true(c.enabled);
    assert_true(c.wxn);
    assert_true(c.two_ranges);
    assert_false(c.el2_regime);
    assert_int_equal(c.tsz[0], 25);
    assert_int_equal(c.tsz[1], 30);
    assert_int_equal(c.granule_bits[0], 14);
    assert_int_equal(c.granule_bits[1], 16);
    assert_true(c.epd[0]);
    assert_true(c.epd[1]);
    assert_true(c.tbi[0]);
    assert_true(c.tbi[1]);
    assert_true(c.a1);
    assert_true(c.as16);
    assert_int_equal(c.ips_bits, 40);
    assert_int_equal(c.ttbr[0], 0x0001000080001000ULL);
    assert_int_equal(c.ttbr[1], 0x0002000080002000ULL);
    assert_int_equal(c.mair, 0x1122334455667788ULL);

    /* All zero except T0SZ/T1SZ: 4KB (TG0=0) / TG1=0b10 4KB, IPS 32 bits, MMU off. */
    mmu_s1_from_regs(&c, false, 0, TCR_T0SZ(16) | TCR_T1SZ(16) | TCR_TG1(2), 0, 0, 0);
    assert_false(c.enabled);
    assert_false(c.wxn);
    assert_int_equal(c.granule_bits[0], 12);
    assert_int_equal(c.granule_bits[1], 12);
    assert_int_equal(c.ips_bits, 32);
    assert_false(c.epd[0] || c.epd[1] || c.tbi[0] || c.tbi[1] || c.a1 || c.as16);
    /* TG0=0b01 is 64KB; TG1=0b01 is 16KB. */
    mmu_s1_from_regs(&c, false, 1, TCR_TG0(1) | TCR_TG1(1) | TCR_IPS(1), 0, 0, 0);
    assert_int_equal(c.granule_bits[0], 16);
    assert_int_equal(c.granule_bits[1], 14);
    assert_int_equal(c.ips_bits, 36);

    /* TCR_EL2 (E2H=0): T0SZ[5:0], TG0[15:14], PS[18:16], TBI[20]; bits 31 and 23 are RES1
     * and must not be taken for TG1/EPD1. */
    uint64_t tcr2 = (1u << 31) | (1u << 23) | (1u << 20) | (2u << 16) | TCR_TG0(1) | 22;
    mmu_s1_from_regs(&c, true, 1, tcr2, 0x80000000ULL, 0, 0xff);
    assert_true(c.el2_regime);
    assert_false(c.two_ranges);
    assert_int_equal(c.tsz[0], 22);
    assert_int_equal(c.granule_bits[0], 16);
    assert_int_equal(c.ips_bits, 40);
    assert_true(c.tbi[0]);
    assert_false(c.epd[0]);
    assert_false(c.epd[1]);
    assert_false(c.tbi[1]);

    /* PARange/PS decoding, capped at MMU_PA_BITS. */
    static const unsigned bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
    for (unsigned ps = 0; ps < 8; ps++)
        CHECK_EQ(mmu_pa_bits(ps), bits[ps] < MMU_PA_BITS ? bits[ps] : MMU_PA_BITS, "PS %u", ps);
    assert_int_equal(mmu_tg0_bits(0), 12);
    assert_int_equal(mmu_tg0_bits(1), 16);
    assert_int_equal(mmu_tg0_bits(2), 14);
    assert_int_equal(mmu_tg1_bits(1), 14);
    assert_int_equal(mmu_tg1_bits(2), 12);
    assert_int_equal(mmu_tg1_bits(3), 16);
}

static void test_s2_from_regs(void **state)
{
    (void)state;
    struct mmu_s2_config c;
    /* HCR_EL2: VM (0), DC (12), RW (31). VTCR_EL2: T0SZ=24, SL0=1, IRGN0/ORGN0/SH0,
     * TG0=4KB, PS=40 bits, RES1 bit 31. */
    uint64_t vtcr = (1u << 31) | (2u << 16) | (0u << 14) | (3u << 12) | (1u << 10) | (1u << 8) |
                    (1u << 6) | 24;
    mmu_s2_from_regs(&c, (1ULL << 31) | (1u << 12) | 1, vtcr, 0x0005000080004000ULL);
    assert_true(c.enabled);
    assert_true(c.dc);
    assert_int_equal(c.t0sz, 24);
    assert_int_equal(c.sl0, 1);
    assert_int_equal(c.granule_bits, 12);
    assert_int_equal(c.ps_bits, 40);
    assert_int_equal(c.vttbr, 0x0005000080004000ULL);
    /* 64KB (TG0=0b01), SL0=2, PS=0b000 (32 bits), stage 2 off. */
    mmu_s2_from_regs(&c, 1ULL << 31, (0u << 16) | (1u << 14) | (2u << 6) | 30, 0);
    assert_false(c.enabled);
    assert_false(c.dc);
    assert_int_equal(c.t0sz, 30);
    assert_int_equal(c.sl0, 2);
    assert_int_equal(c.granule_bits, 16);
    assert_int_equal(c.ps_bits, 32);
    /* HCR_EL2.DC alone: stage 2 behaves as enabled (as if VM were 1). */
    mmu_s2_from_regs(&c, (1ULL << 31) | (1u << 12), vtcr, 0);
    assert_true(c.enabled);
    assert_true(c.dc);
    /* 16KB (TG0=0b10), PS=0b110 (52 bits, capped). */
    mmu_s2_from_regs(&c, 1, (6u << 16) | (2u << 14) | 28, 0);
    assert_int_equal(c.granule_bits, 14);
    assert_int_equal(c.ps_bits, MMU_PA_BITS);
    /* A decoded configuration translates: VTCR for a 40-bit IPA, 4KB, SL0=1. */
    mem_reset();
    struct pt t;
    pt_init(&t, 12, 40, 1, 0);
    pt_map(&t, 0x8012345000ULL, 0x12345000ULL, 3, S2_RW);
    mmu_s2_from_regs(&c, 1, vtcr, t.root);
    struct mmu_result r;
    assert_true(tr2(&c, 0x8012345abcULL, MMU_READ, &r));
    assert_int_equal(r.pa, 0x12345abcULL);
}

/* ========================================================================================= */
/* Deviations from the Arm ARM                                                                 */
/*                                                                                             */
/* Each test below states the Arm ARM behaviour. They fail against the walker as of writing;  */
/* they are kept so that the fix in mmu/walk.c can be checked.                                 */
/* ========================================================================================= */

/* AArch64.S1DirectBasePermissions (v8.0 "instruction access permissions" table):
 * EL0 execute permission depends on UXN (and UXNTable, WXN) only, not on AP[1]:
 * AP[2:1]=0b00 or 0b10 with UXN=0 is execute-only memory at EL0. */
static void test_dev_s1_el0_execute_only(void **state)
{
    (void)state;
    struct mmu_result r;
    bool ok = s1_perm_try(S1_NORMAL | AP(0), 0, false, false, MMU_FETCH, 0, &r);
    if (!ok)
        fail_msg("AP=0b00 UXN=0: EL0 fetch faulted (type %d level %d), Arm ARM allows it", r.fault.type,
                 r.fault.level);
    assert_true(s1_perm_try(S1_NORMAL | AP(2), 0, false, false, MMU_FETCH, 0, &r));
    assert_int_equal(r.perm_el0, MMU_PERM_X);
    assert_false(s1_perm_try(S1_NORMAL | AP(2), 0, false, false, MMU_READ, 0, &r));
    /* APTable[0] removes EL0 data access, not EL0 execution. */
    assert_true(s1_perm_try(S1_NORMAL | AP(3), APTable(1), false, false, MMU_FETCH, 0, &r));
}

/* AArch64.TTBaseAddress: the TTBR holds the table address down to bit
 * 3 + (number of start-level index bits); with fewer than 512 entries at the
 * start level (4KB, T0SZ=33: two level-1 entries, table aligned to 16 bytes)
 * TTBR bits [11:4] are part of the address. */
static void test_dev_ttbr_small_table_alignment(void **state)
{
    (void)state;
    uint64_t page = alloc_pa(0x1000, 0x1000), root = page + 0x40;
    struct pt t;
    pt_init_at(&t, 12, 31, 1, 0, root);
    uint64_t va = 0x40201000ULL | (1ULL << 30);
    pt_map(&t, va, 0x5555000ULL, 3, S1_NORMAL);
    struct mmu_s1_config c = s1_cfg(&t);
    struct mmu_result r;
    bool ok = tr(&c, NULL, va, MMU_READ, 1, &r);
    if (!ok)
        fail_msg("TTBR0=0x%llx (T0SZ=33): fault type %d level %d, first read at 0x%llx, expected 0x%llx",
                 (unsigned long long)root, r.fault.type, r.fault.level,
                 (unsigned long long)M.log[0].pa, (unsigned long long)(root + 8));
    assert_int_equal(r.pa, 0x5555000ULL);
    /* VTTBR likewise (4KB, T0SZ=33, SL0=1: two level-1 entries). */
    uint64_t page2 = alloc_pa(0x1000, 0x1000);
    struct pt s2;
    pt_init_at(&s2, 12, 31, 1, 0, page2 + 0x80);
    pt_map(&s2, va, 0x6666000ULL, 3, S2_RW);
    struct mmu_s2_config c2 = s2_cfg(&s2, 1);
    ok = tr2(&c2, va, MMU_READ, &r);
    if (!ok)
        fail_msg("VTTBR=0x%llx: fault type %d level %d", (unsigned long long)(page2 + 0x80), r.fault.type,
                 r.fault.level);
    assert_int_equal(r.pa, 0x6666000ULL);
}

/* AArch64.S2InvalidSL: 4KB SL0=0b10 (level 0) needs PAMax >= 44; 16KB SL0=0b10
 * (level 1) needs PAMax >= 42; 64KB SL0=0b10 (level 1) needs PAMax >= 44. With
 * MMU_PA_BITS = 40 these are translation faults at level 0, even when the
 * T0SZ is consistent and the tables are valid. */
static void test_dev_s2_invalid_sl_for_pa_size(void **state)
{
    (void)state;
    static const struct { unsigned gb, t0sz, sl0; int start; unsigned pamin; } cases[] = {
        { 12, 24, 2, 0, 44 },
        { 14, 24, 2, 1, 42 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (MMU_PA_BITS >= cases[i].pamin)
            continue;
        mem_reset();
        struct pt t;
        pt_init(&t, cases[i].gb, 64 - cases[i].t0sz, cases[i].start, 0);
        pt_map(&t, 0x8000001000ULL, 0x1000, 3, S2_RW);
        struct mmu_s2_config c = s2_cfg(&t, cases[i].sl0);
        struct mmu_result r;
        bool ok = tr2(&c, 0x8000001000ULL, MMU_READ, &r);
        if (ok)
            fail_msg("gb %u T0SZ %u SL0=%u with a %u-bit PA: translated (%u descriptor reads)",
                     cases[i].gb, cases[i].t0sz, cases[i].sl0, MMU_PA_BITS, r.walk_accesses);
        CHECK_EQ(r.fault.type, MMU_FAULT_TRANSLATION, "gb %u", cases[i].gb);
        CHECK_EQ(r.fault.level, 0, "gb %u", cases[i].gb);
        CHECK_EQ(M.nlog, 0, "gb %u", cases[i].gb);
    }
}

/* AArch64.S2Translate: S2InvalidSL / S2InconsistentSL faults are reported at level 0. */
static void test_dev_s2_inconsistent_sl_level0(void **state)
{
    (void)state;
    static const struct { unsigned gb, t0sz, sl0; } bad[] = {
        { 12, 24, 0 }, { 12, 36, 1 }, { 14, 39, 1 }, { 16, 24, 0 }, { 16, 24, 2 },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mem_reset();
        struct pt t;
        pt_init_at(&t, bad[i].gb, 64 - bad[i].t0sz, 0, 0, alloc_pa(1ULL << 20, 1ULL << 20));
        struct mmu_s2_config c = s2_cfg(&t, bad[i].sl0);
        struct mmu_result r;
        assert_false(tr2(&c, 0x1000, MMU_READ, &r));
        CHECK_EQ(r.fault.level, 0, "gb %u T0SZ %u SL0 %u", bad[i].gb, bad[i].t0sz, bad[i].sl0);
    }
}

/* AArch64.S2Walk: a VTTBR base address beyond VTCR_EL2.PS is an address size
 * fault at level 0 (as TTBR at stage 1). */
static void test_dev_s2_vttbr_address_size_level0(void **state)
{
    (void)state;
    struct mmu_s2_config c;
    memset(&c, 0, sizeof c);
    c.enabled = true;
    c.vttbr = 1ULL << 36;
    c.t0sz = 24;
    c.sl0 = 1;
    c.granule_bits = 12;
    c.ps_bits = 32;
    struct mmu_result r;
    assert_false(tr2(&c, 0x5000, MMU_READ, &r));
    assert_int_equal(r.fault.type, MMU_FAULT_ADDRESS_SIZE);
    CHECK_EQ(r.fault.level, 0, "VTTBR 0x%llx, PS 32, SL0=1", (unsigned long long)c.vttbr);
}

/* S2CombineS1AttrHints: "Stage 2 does not assign any allocation hints. Instead,
 * they are inherited from stage 1" -- also when stage 2 lowers Write-Back to
 * Write-Through. MAIR 0xff (WB non-transient RWA) with S2 WT -> 0xbb (WT
 * non-transient RWA); 0x77 (WB transient RWA) with S2 WT -> 0x33. */
static void test_dev_combine_keeps_stage1_hints(void **state)
{
    (void)state;
    CHECK_EQ(mmu_combine_attr(0xff, 0xa), 0xbb, "%s", "S1 WB RWA x S2 WT");
    CHECK_EQ(mmu_combine_attr(0x77, 0xa), 0x33, "%s", "S1 WB transient RWA x S2 WT");
    CHECK_EQ(mmu_combine_attr(0xee, 0xb), 0xae, "%s", "S1 WB RA x S2 outer WT inner WB");
}

/* AArch64.S1DisabledOutput: with HCR_EL2.DC the stage-1-off attributes are Normal
 * WB and Non-shareable, so the combined shareability is stage 2's. For
 * instruction fetches with stage 1 off (no DC) the memory is Normal
 * Write-Through (SCTLR_EL1.I=1) or Non-cacheable (I=0), never Write-Back. */
static void s1_off_setup(struct mmu_s1_config *c1, struct mmu_s2_config *c2)
{
    mem_reset();
    struct pt s2;
    pt_init(&s2, 12, 40, 1, 0);
    pt_map(&s2, 0x12345000ULL, 0x876543000ULL, 3, S2_RW);   /* SH=ISH */
    *c2 = s2_cfg(&s2, 1);
    memset(c1, 0, sizeof *c1);
}

static void test_dev_s1_off_dc_non_shareable(void **state)
{
    (void)state;
    struct mmu_s1_config c1;
    struct mmu_s2_config c2;
    struct mmu_result r;
    s1_off_setup(&c1, &c2);
    c2.dc = true;
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_READ, 1, &r));
    assert_int_equal(r.attr, 0xff);
    CHECK_EQ(r.sh, 3, "%s", "DC: NSH (stage 1) + ISH (stage 2)");
}

static void test_dev_s1_off_fetch_not_write_back(void **state)
{
    (void)state;
    struct mmu_s1_config c1;
    struct mmu_s2_config c2;
    struct mmu_result r;
    s1_off_setup(&c1, &c2);
    assert_true(tr(&c1, &c2, 0x12345678ULL, MMU_FETCH, 1, &r));
    if (mair_nibble_class(r.attr & 0xf) == 2 || mair_nibble_class(r.attr >> 4) == 2)
        fail_msg("stage 1 off fetch: attr 0x%02x is Write-Back; Arm ARM gives WT (I=1) or NC (I=0)",
                 r.attr);
}

/* The walk cache hooks: a stage-1 walk resumes below the deepest cached table
 * descriptor, and records the table descriptors it reads. */
static struct {
    int n;
    struct { uint64_t va; unsigned shift; int level; uint64_t table, attrs; } e[8];
} WC;

static bool wc_lookup(void *o, unsigned el2, uint64_t va, int *level, uint64_t *table, uint64_t *attrs)
{
    (void)o; (void)el2;
    int best = -1;
    for (int i = 0; i < WC.n; i++)
        if (((WC.e[i].va ^ va) >> WC.e[i].shift) == 0 && (best < 0 || WC.e[i].level > WC.e[best].level))
            best = i;
    if (best < 0)
        return false;
    *level = WC.e[best].level;
    *table = WC.e[best].table;
    *attrs = WC.e[best].attrs;
    return true;
}

static void wc_insert(void *o, unsigned el2, uint64_t va, int level, unsigned shift, uint64_t table, uint64_t attrs)
{
    (void)o; (void)el2;
    if (WC.n < 8)
        WC.e[WC.n++] = (typeof(WC.e[0])){ va & ~((1ULL << shift) - 1), shift, level, table, attrs };
}

static void test_walk_cache_hooks(void **state)
{
    (void)state;
    struct mmu_mem_ops mem = MEM;
    mem.s1_table_lookup = wc_lookup;
    mem.s1_table_insert = wc_insert;
    WC.n = 0;
    struct pt t;
    pt_init(&t, 12, 48, 0, 0);
    uint64_t va = 0x0000123456789000ULL;
    pt_map(&t, va, 0x80100000ULL, 3, S1_NORMAL);
    pt_map(&t, va + 0x1000, 0x80101000ULL, 3, S1_NORMAL);
    struct mmu_s1_config c = s1_cfg(&t);
    struct mmu_result r;
    M.nlog = 0;
    assert_true(mmu_full_translate(&mem, &c, NULL, va, MMU_READ, 1, &r));
    assert_int_equal(r.walk_accesses, 4);                 /* levels 0-3 */
    assert_int_equal(WC.n, 3);                            /* table descriptors at levels 0, 1, 2 */
    M.nlog = 0;
    assert_true(mmu_full_translate(&mem, &c, NULL, va + 0x1000, MMU_READ, 1, &r));
    assert_int_equal(r.walk_accesses, 1);                 /* only the level-3 descriptor */
    assert_int_equal(r.pa, 0x80101000ULL);
    assert_int_equal(M.log[0].level, 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fault_fsc_encodings),
        T(test_s1_granules_and_start_levels),
        T(test_s1_offsets_preserved),
        T(test_s1_ttbr1_range),
        T(test_s1_va_out_of_range),
        T(test_s1_epd),
        T(test_s1_tbi),
        T(test_s2_start_levels_and_concatenation),
        T(test_s2_concatenated_second_table),
        T(test_s2_inconsistent_sl_faults),
        T(test_s1_translation_faults),
        T(test_access_flag_faults),
        T(test_s1_permission_faults),
        T(test_el2_regime_permissions),
        T(test_s2_permission_faults),
        T(test_address_size_faults),
        T(test_walk_cache_hooks),
        T(test_external_abort_on_walk),
        T(test_s1ptw_faults),
        T(test_two_stage_walk_accesses),
#if MMU_PA_BITS >= 44
        T(test_two_stage_walk_accesses_4x4),
#endif
        T(test_combine_attr_matrix),
        T(test_combine_sh),
        T(test_combine_through_translate),
        T(test_combine_permissions),
        T(test_s1_off_s2_on),
        T(test_el2_regime_ignores_stage2),
        T(test_host_regime),
        T(test_par_from_result),
        T(test_s1_from_regs),
        T(test_s2_from_regs),
    };
    const struct CMUnitTest deviations[] = {
        T(test_dev_s1_el0_execute_only),
        T(test_dev_ttbr_small_table_alignment),
        T(test_dev_s2_invalid_sl_for_pa_size),
        T(test_dev_s2_inconsistent_sl_level0),
        T(test_dev_s2_vttbr_address_size_level0),
        T(test_dev_combine_keeps_stage1_hints),
        T(test_dev_s1_off_dc_non_shareable),
        T(test_dev_s1_off_fetch_not_write_back),
    };
#undef T
    int failed = cmocka_run_group_tests_name("walk", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("walk_arm_arm_deviations", deviations, NULL, NULL);
    return failed;
}
