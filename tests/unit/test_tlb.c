/* Unit tests for mmu/tlb: hits and misses, VMID/ASID/global/regime tagging,
 * block entries, replacement (LRU, FIFO, RANDOM), set conflicts in the L2,
 * the exact scope of every TLBI operation, statistics and bad configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/tlb.h"

#define MAX_DROPS 4096

struct fix {
    struct tlb t;
    unsigned ndrops;
    struct tlb_entry drops[MAX_DROPS];
};

static void on_drop(void *opaque, const struct tlb_entry *e)
{
    struct fix *f = opaque;
    assert_true(e->valid);   /* handed over before it is cleared */
    if (f->ndrops < MAX_DROPS)
        f->drops[f->ndrops] = *e;
    f->ndrops++;
}

static struct fix *fix_new(const struct tlb_config *cfg)
{
    struct fix *f = calloc(1, sizeof(*f));
    char err[128];
    assert_non_null(f);
    if (tlb_init(&f->t, cfg, on_drop, f, err, sizeof(err)) != 0)
        fail_msg("tlb_init: %s", err);
    return f;
}

static void fix_free(struct fix *f)
{
    tlb_destroy(&f->t);
    free(f);
}

static int setup(void **state)
{
    *state = fix_new(&tlb_config_cortex_a57);
    return 0;
}

static int teardown(void **state)
{
    fix_free(*state);
    return 0;
}

static struct tlb_entry el10(uint16_t vmid, uint16_t asid, bool global, uint64_t va, unsigned shift,
                             uint64_t pa)
{
    struct tlb_entry e = { 0 };
    e.regime = TLB_REGIME_EL10;
    e.vmid = vmid;
    e.asid = asid;
    e.global = global;
    e.va = va;
    e.pa = pa;
    e.ipa = va;
    e.page_shift = (uint8_t)shift;
    e.perm_el1 = 3;
    return e;
}

static struct tlb_entry el2(uint64_t va, unsigned shift, uint64_t pa)
{
    struct tlb_entry e = el10(0, 0, false, va, shift, pa);
    e.regime = TLB_REGIME_EL2;
    return e;
}

static struct tlb_entry s2only(uint16_t vmid, uint64_t ipa, unsigned shift, uint64_t pa)
{
    struct tlb_entry e = { 0 };
    e.vmid = vmid;
    e.ipa = ipa;
    e.pa = pa;
    e.page_shift = (uint8_t)shift;
    e.s2 = true;
    return e;
}

/* Level at which a data lookup hits (0: miss). */
static unsigned dlevel(struct tlb *t, enum tlb_regime rg, uint16_t vmid, uint16_t asid, uint64_t va)
{
    unsigned level = 99;
    const struct tlb_entry *e = tlb_lookup(t, false, rg, vmid, asid, va, &level);
    assert_true(e ? level == 1 || level == 2 : level == 0);
    return level;
}

static unsigned ilevel(struct tlb *t, enum tlb_regime rg, uint16_t vmid, uint16_t asid, uint64_t va)
{
    unsigned level = 99;
    const struct tlb_entry *e = tlb_lookup(t, true, rg, vmid, asid, va, &level);
    assert_true(e ? level == 1 || level == 2 : level == 0);
    return level;
}

/* ---- basics ------------------------------------------------------------ */

static void test_hit_miss(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    unsigned level = 99;
    struct tlb_entry e = el10(1, 5, false, 0x12345000, 12, 0x80077000);
    assert_null(tlb_lookup(t, false, TLB_REGIME_EL10, 1, 5, 0x12345000, &level));
    assert_int_equal(level, 0);
    tlb_insert(t, false, &e);

    const struct tlb_entry *h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 5, 0x12345abc, &level);
    assert_non_null(h);
    assert_int_equal(level, 1);
    assert_int_equal(h->pa, 0x80077000);
    assert_int_equal(h->va, 0x12345000);
    assert_int_equal(h->perm_el1, 3);
    /* Last byte of the page hits, the next page does not, nor the previous one. */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 5, 0x12345fff), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 5, 0x12346000), 0);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 5, 0x12344fff), 0);

    /* Inserted on the data side: a fetch misses L1I, hits L2, and refills L1I. */
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 5, 0x12345000), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 5, 0x12345000), 1);
    assert_int_equal(f->ndrops, 0);
}

static void test_tagging(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    const uint64_t va = 0x400000;
    struct tlb_entry a = el10(1, 1, false, va, 12, 0x1000000);
    tlb_insert(t, false, &a);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, va), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 2, va), 0);   /* other ASID */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 2, 1, va), 0);   /* other VMID */
    assert_int_equal(dlevel(t, TLB_REGIME_EL2, 1, 1, va), 0);    /* other regime */

    /* Same VA, another ASID: both coexist, each with its own PA. */
    struct tlb_entry b = el10(1, 2, false, va, 12, 0x2000000);
    tlb_insert(t, false, &b);
    const struct tlb_entry *h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, va, NULL);
    assert_non_null(h);
    assert_int_equal(h->pa, 0x1000000);
    h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 2, va, NULL);
    assert_non_null(h);
    assert_int_equal(h->pa, 0x2000000);

    /* A global entry matches every ASID, but only its VMID. */
    struct tlb_entry g = el10(1, 9, true, 0x802000, 12, 0x3000000);
    tlb_insert(t, false, &g);
    for (uint16_t asid = 0; asid < 300; asid += 37)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, asid, 0x802000), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 2, 9, 0x802000), 0);
    assert_int_equal(dlevel(t, TLB_REGIME_EL2, 1, 9, 0x802000), 0);

    /* EL2 entries: the regime only (no VMID, no ASID in non-VHE EL2); EL1&0
     * lookups of the same VA miss and vice versa. */
    struct tlb_entry x = el2(0xc03000, 12, 0x4000000);
    tlb_insert(t, false, &x);
    assert_int_equal(dlevel(t, TLB_REGIME_EL2, 0, 0, 0xc03000), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL2, 7, 123, 0xc03000), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 0, 0, 0xc03000), 0);
    struct tlb_entry y = el2(va, 12, 0x5000000);   /* same VA as a and b */
    tlb_insert(t, false, &y);
    h = tlb_lookup(t, false, TLB_REGIME_EL2, 1, 1, va, NULL);
    assert_non_null(h);
    assert_int_equal(h->pa, 0x5000000);
    h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, va, NULL);
    assert_non_null(h);
    assert_int_equal(h->pa, 0x1000000);
    assert_int_equal(f->ndrops, 0);
}

static void test_block_entries(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    /* 2 MiB block given with an unaligned VA/PA: the model aligns them. */
    struct tlb_entry b = el10(1, 1, false, 0x40123000, 21, 0x80123000);
    tlb_insert(t, false, &b);
    const struct tlb_entry *h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, 0x401ff008, NULL);
    assert_non_null(h);
    assert_int_equal(h->va, 0x40000000);
    assert_int_equal(h->pa, 0x80000000);
    assert_int_equal(h->page_shift, 21);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x40000000), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x40200000), 0);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x3ffff000), 0);

    /* In the set-associative L2 too (fetch side misses L1I): 2 MiB and 1 GiB
     * blocks and 4K pages side by side, each found through its own size. */
    struct tlb_entry g = el10(1, 1, false, 0x80000000, 30, 0x100000000);
    struct tlb_entry p = el10(1, 1, false, 0x7ffff000, 12, 0x5000);
    tlb_insert(t, false, &g);
    tlb_insert(t, false, &p);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0x40080000), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0xbffff000), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0x7ffff000), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0xc0000000), 0);
    h = tlb_lookup(t, true, TLB_REGIME_EL10, 1, 1, 0x87654320, NULL);
    assert_non_null(h);
    assert_int_equal(h->pa + (0x87654320 & ((1u << 30) - 1)), 0x107654320);
    assert_int_equal(f->ndrops, 0);

    /* Out-of-range sizes are not cached. */
    struct tlb_entry bad = el10(1, 1, false, 0x10000000, 11, 0);
    tlb_insert(t, false, &bad);
    bad.page_shift = 43;
    tlb_insert(t, false, &bad);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x10000000), 0);
}

static void test_insert_replaces_overlap(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry e = el10(1, 1, false, 0x200000, 12, 0xa000);
    tlb_insert(t, false, &e);
    e.pa = 0xb000;
    tlb_insert(t, false, &e);   /* same page: the old copies (L1D, L2) go */
    assert_int_equal(f->ndrops, 2);
    assert_int_equal(f->drops[0].pa, 0xa000);
    assert_int_equal(f->drops[1].pa, 0xa000);
    assert_int_equal(tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, 0x200000, NULL)->pa, 0xb000);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0x200000), 2);
    assert_int_equal(tlb_lookup(t, true, TLB_REGIME_EL10, 1, 1, 0x200000, NULL)->pa, 0xb000);

    /* Another ASID's page does not overlap; a 2 MiB block of the first ASID
     * replaces its 4K pages; a global block replaces the other ASID's too. */
    struct tlb_entry o = el10(1, 2, false, 0x201000, 12, 0xc000);
    struct tlb_entry p = el10(1, 1, false, 0x3ff000, 12, 0xd000);
    tlb_insert(t, false, &o);
    tlb_insert(t, false, &p);
    f->ndrops = 0;
    struct tlb_entry blk = el10(1, 1, false, 0x200000, 21, 0x600000);
    tlb_insert(t, false, &blk);
    assert_int_equal(f->ndrops, 4);   /* 0x200000 (L1D, L2) and 0x3ff000 (L1D, L2); L1I left alone */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 2, 0x201000), 1);
    assert_int_equal(tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, 0x3ff000, NULL)->pa, 0x600000);
    f->ndrops = 0;
    struct tlb_entry gb = el10(1, 7, true, 0x200000, 21, 0xe00000);
    tlb_insert(t, false, &gb);
    assert_int_equal(f->ndrops, 4);   /* blk and o, from L1D and L2 */
    assert_int_equal(tlb_lookup(t, false, TLB_REGIME_EL10, 1, 2, 0x201000, NULL)->pa, 0xe00000);
    /* Other VMID or regime never overlaps. */
    f->ndrops = 0;
    struct tlb_entry v2 = el10(2, 1, true, 0x200000, 21, 0);
    struct tlb_entry h2 = el2(0x200000, 21, 0);
    tlb_insert(t, false, &v2);
    tlb_insert(t, false, &h2);
    assert_int_equal(f->ndrops, 0);
}

/* ---- replacement ------------------------------------------------------- */

static void test_l1_lru_eviction(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    for (unsigned i = 0; i < 32; i++) {
        struct tlb_entry e = el10(1, 1, false, (uint64_t)(i + 1) << 12, 12, (uint64_t)(i + 100) << 12);
        tlb_insert(t, false, &e);
    }
    assert_int_equal(f->ndrops, 0);
    /* Touch page 1 (the oldest): page 2 becomes the least recently used. */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 1 << 12), 1);
    struct tlb_entry e = el10(1, 1, false, 33 << 12, 12, 0x999000);
    tlb_insert(t, false, &e);
    assert_int_equal(f->ndrops, 1);
    assert_int_equal(f->drops[0].va, 2 << 12);
    assert_int_equal(t->stats.evictions, 1);
    /* Every other page still in L1D; page 2 left L1 but hits in L2. */
    for (unsigned i = 1; i <= 33; i++)
        if (i != 2)
            assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, (uint64_t)i << 12), 1);
    unsigned level = 0;
    const struct tlb_entry *h = tlb_lookup(t, false, TLB_REGIME_EL10, 1, 1, 2 << 12, &level);
    assert_non_null(h);
    assert_int_equal(level, 2);
    assert_int_equal(h->pa, 101 << 12);
    /* The refill evicted the LRU L1D entry: page 1 (touched first above). */
    assert_int_equal(f->ndrops, 2);
    assert_int_equal(f->drops[1].va, 1 << 12);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 2 << 12), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 1 << 12), 2);
}

static struct tlb_config small_cfg(enum tlb_repl l1_repl, unsigned l1_entries)
{
    struct tlb_config c = tlb_config_cortex_a57;
    c.l1d.entries = l1_entries;
    c.l1d.ways = l1_entries;
    c.l1d.repl = l1_repl;
    return c;
}

static void test_fifo(void **state)
{
    (void)state;
    struct tlb_config c = small_cfg(TLB_REPL_FIFO, 4);
    struct fix *f = fix_new(&c);
    struct tlb *t = &f->t;
    for (unsigned i = 0; i < 4; i++) {
        struct tlb_entry e = el10(1, 1, false, (uint64_t)i << 12, 12, 0);
        tlb_insert(t, false, &e);
    }
    /* Using page 0 does not save it under FIFO. */
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0), 1);
    struct tlb_entry e = el10(1, 1, false, 4 << 12, 12, 0);
    tlb_insert(t, false, &e);
    assert_int_equal(f->ndrops, 1);
    assert_int_equal(f->drops[0].va, 0);
    e.va = 5 << 12;
    tlb_insert(t, false, &e);
    assert_int_equal(f->ndrops, 2);
    assert_int_equal(f->drops[1].va, 1 << 12);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 2 << 12), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0), 2);   /* still in L2; refill evicts page 2 */
    assert_int_equal(f->drops[2].va, 2 << 12);
    fix_free(f);
}

/* Runs a fixed sequence on a RANDOM L1D and records the victims. */
static unsigned random_run(uint64_t *victims, unsigned max)
{
    struct tlb_config c = small_cfg(TLB_REPL_RANDOM, 8);
    struct fix *f = fix_new(&c);
    for (unsigned i = 0; i < 64; i++) {
        struct tlb_entry e = el10(1, 1, false, (uint64_t)i << 12, 12, 0);
        tlb_insert(&f->t, false, &e);
    }
    unsigned n = f->ndrops;
    assert_int_equal(n, 56);   /* the L2 (1024 entries) drops nothing */
    for (unsigned i = 0; i < n && i < max; i++)
        victims[i] = f->drops[i].va >> 12;
    fix_free(f);
    return n;
}

static void test_random_deterministic(void **state)
{
    (void)state;
    uint64_t a[64], b[64];
    unsigned na = random_run(a, 64), nb = random_run(b, 64);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, sizeof(uint64_t) * na);
    /* Not FIFO/LRU in disguise: the victims are not in insertion order. */
    bool in_order = true;
    for (unsigned i = 0; i < na; i++)
        if (a[i] != i)
            in_order = false;
    assert_false(in_order);
    /* Every victim was a resident page, each dropped once. */
    for (unsigned i = 0; i < na; i++)
        for (unsigned j = i + 1; j < na; j++)
            assert_true(a[i] != a[j]);
}

static void test_l2_set_conflict(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    /* L2: 1024 entries, 4 ways -> 256 sets indexed by VA[19:12] for 4K pages. */
    const uint64_t stride = 256ull << 12;
    for (unsigned k = 0; k < 4; k++) {
        struct tlb_entry e = el10(1, 1, false, k * stride, 12, 0x10000000 + (k << 12));
        tlb_insert(t, false, &e);
    }
    /* A 2 MiB block whose first 4K page number is also 0 mod 256 is indexed
     * with its own size (VA[28:21] = 1), so it does not conflict. */
    const uint64_t bva = 0x40200000;   /* VA[28:21] = 0x201 & 255 = 1 */
    struct tlb_entry blk = el10(1, 1, false, bva, 21, 0x20000000);
    assert_int_equal((blk.va >> 12) % 256, 0);
    tlb_insert(t, false, &blk);
    assert_int_equal(f->ndrops, 0);
    /* Make page 0 the most recent in the L2 (fetch: L1I miss, L2 hit). */
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0), 2);
    /* A fifth page in set 0 evicts the L2's LRU way: page 1*stride. */
    struct tlb_entry e = el10(1, 1, false, 4 * stride, 12, 0x10004000);
    tlb_insert(t, false, &e);
    assert_int_equal(f->ndrops, 1);
    assert_int_equal(f->drops[0].va, stride);
    assert_int_equal(f->drops[0].pa, 0x10001000);
    assert_int_equal(t->stats.evictions, 1);
    /* Still in L1D, gone from L2 (the fetch side misses altogether). */
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, stride), 0);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, stride), 1);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 2 * stride), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 4 * stride), 2);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, bva + 0x1000), 2);

    /* Conflicts among 2 MiB blocks: sets by VA[28:21], so a stride of 256 blocks. */
    f->ndrops = 0;
    for (unsigned k = 1; k <= 4; k++) {
        struct tlb_entry b = el10(1, 1, false, bva + k * (256ull << 21), 21, 0);
        tlb_insert(t, false, &b);
    }
    assert_int_equal(f->ndrops, 1);
    assert_int_equal(f->drops[0].va, bva);
    assert_int_equal(f->drops[0].page_shift, 21);
}

/* ---- walk cache (stage-2-only entries) --------------------------------- */

static void test_s2_walk_cache(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry s = s2only(3, 0x80001000, 12, 0x40001000);
    tlb_s2_insert(t, &s);
    const struct tlb_entry *h = tlb_s2_lookup(t, 3, 0x80001ff8);
    assert_non_null(h);
    assert_int_equal(h->pa, 0x40001000);
    assert_true(h->s2);
    assert_null(tlb_s2_lookup(t, 4, 0x80001000));
    assert_null(tlb_s2_lookup(t, 3, 0x80002000));
    /* Stage-2-only entries are not combined translations. */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 3, 0, 0x80001000), 0);
    /* Combined entries are not stage-2 translations. */
    struct tlb_entry c = el10(3, 0, true, 0x90000000, 12, 0);
    c.ipa = 0x90000000;
    c.s2 = true;
    tlb_insert(t, false, &c);
    assert_null(tlb_s2_lookup(t, 3, 0x90000000));

    /* Capacity 64, LRU. */
    for (unsigned i = 0; i < 63; i++) {
        struct tlb_entry e = s2only(5, (uint64_t)i << 12, 12, 0);
        tlb_s2_insert(t, &e);
    }
    assert_int_equal(f->ndrops, 0);
    assert_non_null(tlb_s2_lookup(t, 3, 0x80001000));   /* touch: page 0 of VMID 5 is now LRU */
    struct tlb_entry e = s2only(5, 63ull << 12, 12, 0);
    tlb_s2_insert(t, &e);
    assert_int_equal(f->ndrops, 1);
    assert_int_equal(f->drops[0].vmid, 5);
    assert_int_equal(f->drops[0].ipa, 0);
    assert_null(tlb_s2_lookup(t, 5, 0));
    assert_non_null(tlb_s2_lookup(t, 3, 0x80001000));
    assert_non_null(tlb_s2_lookup(t, 5, 63ull << 12));

    /* Without a walk cache nothing is kept. */
    struct tlb_config cfg = tlb_config_cortex_a57;
    cfg.walk_cache_entries = 0;
    struct fix *g = fix_new(&cfg);
    tlb_s2_insert(&g->t, &s);
    assert_null(tlb_s2_lookup(&g->t, 3, 0x80001000));
    unsigned n;
    struct tlbi_request r = { .op = TLBI_ALLE1 };
    n = tlbi(&g->t, &r);
    assert_int_equal(n, 0);
    fix_free(g);
}

/* ---- TLBI scope -------------------------------------------------------- */

enum kind { COMB, S2 };
struct mix_entry {
    const char *name;
    enum kind kind;
    bool fetch;
    struct tlb_entry e;
};

#define TTBR1_VA 0xffffffc000050000ull
static const struct mix_entry *mix_table(unsigned *n)
{
    static struct mix_entry m[13];
    unsigned i = 0;
    m[i++] = (struct mix_entry){ "A  vm1 asid1 nG 0x10000", COMB, false, el10(1, 1, false, 0x10000, 12, 0xa000) };
    m[i++] = (struct mix_entry){ "B  vm1 asid2 nG 0x10000", COMB, true, el10(1, 2, false, 0x10000, 12, 0xb000) };
    m[i++] = (struct mix_entry){ "A2 vm1 asid1 nG 0x30000", COMB, true, el10(1, 1, false, 0x30000, 12, 0xc000) };
    m[i++] = (struct mix_entry){ "G1 vm1 global 0x20000", COMB, false, el10(1, 3, true, 0x20000, 12, 0xd000) };
    m[i++] = (struct mix_entry){ "G2 vm1 global 2M 0x400000", COMB, false, el10(1, 3, true, 0x400000, 21, 0xe00000) };
    m[i++] = (struct mix_entry){ "K  vm1 asid1 nG TTBR1 VA", COMB, false, el10(1, 1, false, TTBR1_VA, 12, 0xf000) };
    m[i++] = (struct mix_entry){ "D  vm2 asid1 nG 0x10000", COMB, false, el10(2, 1, false, 0x10000, 12, 0x1a000) };
    m[i++] = (struct mix_entry){ "E  vm2 global 0x20000", COMB, true, el10(2, 1, true, 0x20000, 12, 0x1b000) };
    m[i++] = (struct mix_entry){ "H  el2 0x10000", COMB, false, el2(0x10000, 12, 0x2a000) };
    m[i++] = (struct mix_entry){ "H2 el2 2M 0x200000", COMB, true, el2(0x200000, 21, 0x2c00000) };
    m[i++] = (struct mix_entry){ "S  s2 vm1 ipa 0x80000000", S2, false, s2only(1, 0x80000000, 12, 0x3a000) };
    m[i++] = (struct mix_entry){ "S2 s2 vm1 2M ipa 0x80200000", S2, false, s2only(1, 0x80200000, 21, 0x3c00000) };
    m[i++] = (struct mix_entry){ "S3 s2 vm2 ipa 0x80000000", S2, false, s2only(2, 0x80000000, 12, 0x3b000) };
    /* Combined entries made with stage 2 on carry an IPA that equals S's: IPAS2 must still leave them. */
    m[0].e.s2 = true;
    m[0].e.ipa = 0x80000000;
    m[6].e.s2 = true;
    m[6].e.ipa = 0x80000000;
    *n = i;
    return m;
}

static void populate(struct tlb *t)
{
    unsigned n;
    const struct mix_entry *m = mix_table(&n);
    for (unsigned i = 0; i < n; i++) {
        if (m[i].kind == S2)
            tlb_s2_insert(t, &m[i].e);
        else
            tlb_insert(t, m[i].fetch, &m[i].e);
    }
}

static bool present(struct tlb *t, const struct mix_entry *m)
{
    const struct tlb_entry *e = &m->e;
    if (m->kind == S2) {
        const struct tlb_entry *h = tlb_s2_lookup(t, e->vmid, e->ipa);
        return h && h->pa == e->pa;
    }
    /* From both sides: neither L1 nor L2 may keep a copy. */
    for (int side = 0; side < 2; side++) {
        const struct tlb_entry *h = tlb_lookup(t, side, e->regime, e->vmid, e->asid, e->va, NULL);
        if (!h || h->pa != e->pa)
            return false;
    }
    return true;
}

/* Applies r to a fresh mix and checks that exactly the entries named in
 * `removed` (by the tag at the start of their name) are gone, and only those. */
static void check_scope(const struct tlbi_request *r, const char *const *removed)
{
    struct fix *f = fix_new(&tlb_config_cortex_a57);
    struct tlb *t = &f->t;
    populate(t);
    assert_int_equal(f->ndrops, 0);
    unsigned n;
    const struct mix_entry *m = mix_table(&n);
    bool gone[16] = { 0 };
    unsigned copies = 0;
    for (const char *const *p = removed; *p; p++) {
        bool found = false;
        for (unsigned i = 0; i < n; i++)
            if (strncmp(m[i].name, *p, strlen(*p)) == 0 && m[i].name[strlen(*p)] == ' ') {
                gone[i] = true;
                found = true;
                copies += m[i].kind == S2 ? 1 : 2;   /* combined: one L1 and the L2 */
            }
        if (!found)
            fail_msg("no mix entry %s", *p);
    }
    uint64_t inv0 = t->stats.invalidated;
    unsigned got = tlbi(t, r);
    if (got != copies)
        fail_msg("op %d: removed %u copies, expected %u", r->op, got, copies);
    assert_int_equal(f->ndrops, copies);
    assert_int_equal(t->stats.invalidated - inv0, copies);
    /* Every dropped copy is one the op covers. */
    for (unsigned d = 0; d < f->ndrops; d++) {
        bool ok = false;
        for (unsigned i = 0; i < n; i++)
            if (gone[i] && f->drops[d].pa == m[i].e.pa)
                ok = true;
        if (!ok)
            fail_msg("op %d dropped an entry with PA %#llx it does not cover", r->op,
                     (unsigned long long)f->drops[d].pa);
    }
    for (unsigned i = 0; i < n; i++) {
        bool p = present(t, &m[i]);
        if (p == gone[i])
            fail_msg("op %d: entry %s should be %s", r->op, m[i].name, gone[i] ? "removed" : "kept");
    }
    /* A second identical TLBI finds nothing. */
    assert_int_equal(tlbi(t, r), 0);
    fix_free(f);
}

#define REMOVED(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static void test_tlbi_vmalle1(void **state)
{
    (void)state;
    check_scope(&(struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = 1 }, REMOVED("A", "B", "A2", "G1", "G2", "K"));
    check_scope(&(struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = 2 }, REMOVED("D", "E"));
    check_scope(&(struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = 7 }, NONE);
}

static void test_tlbi_vae1(void **state)
{
    (void)state;
    for (int op = TLBI_VAE1; op <= TLBI_VALE1; op++) {
        /* Non-global: only the given ASID's entry at that VA, in the VMID. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 1, .va = 0x10000 }, REMOVED("A"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 2, .va = 0x10000 }, REMOVED("B"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 2, .asid = 1, .va = 0x10000 }, REMOVED("D"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 9, .va = 0x10000 }, NONE);
        /* Global entries at the VA go whatever the ASID. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 9, .va = 0x20000 }, REMOVED("G1"));
        /* A VA inside a block removes the block. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 9, .va = 0x5ff000 }, REMOVED("G2"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 1, .va = 0x600000 }, NONE);
        /* The operand has VA[55:12] only: Xt[43:0] << 12 of a TTBR1 address. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 1,
                                            .va = ((TTBR1_VA >> 12) & ((1ull << 44) - 1)) << 12 },
                    REMOVED("K"));
    }
}

static void test_tlbi_vaae1(void **state)
{
    (void)state;
    for (int op = TLBI_VAAE1; op <= TLBI_VAALE1; op++) {
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 77, .va = 0x10000 }, REMOVED("A", "B"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 2, .asid = 77, .va = 0x10000 }, REMOVED("D"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 0, .va = 0x20000 }, REMOVED("G1"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 0, .va = 0x401000 }, REMOVED("G2"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 0, .va = 0x30000 }, REMOVED("A2"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 0, .va = 0x40000 }, NONE);
    }
}

static void test_tlbi_aside1(void **state)
{
    (void)state;
    check_scope(&(struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = 1, .asid = 1 }, REMOVED("A", "A2", "K"));
    check_scope(&(struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = 1, .asid = 2 }, REMOVED("B"));
    /* Global entries tagged with ASID 3 stay. */
    check_scope(&(struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = 1, .asid = 3 }, NONE);
    check_scope(&(struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = 2, .asid = 1 }, REMOVED("D"));
}

static void test_tlbi_ipas2e1(void **state)
{
    (void)state;
    for (int op = TLBI_IPAS2E1; op <= TLBI_IPAS2LE1; op++) {
        /* Stage-2-only entries of the VMID only; A and D (combined, same IPA) stay. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .ipa = 0x80000000 }, REMOVED("S"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 2, .ipa = 0x80000000 }, REMOVED("S3"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .ipa = 0x803ff000 }, REMOVED("S2"));
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .ipa = 0x80001000 }, NONE);
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .ipa = 0x10000 }, NONE);
    }
}

static void test_tlbi_vmalls12e1(void **state)
{
    (void)state;
    check_scope(&(struct tlbi_request){ .op = TLBI_VMALLS12E1, .vmid = 1 },
                REMOVED("A", "B", "A2", "G1", "G2", "K", "S", "S2"));
    check_scope(&(struct tlbi_request){ .op = TLBI_VMALLS12E1, .vmid = 2 }, REMOVED("D", "E", "S3"));
}

static void test_tlbi_alle1(void **state)
{
    (void)state;
    check_scope(&(struct tlbi_request){ .op = TLBI_ALLE1, .vmid = 1 },
                REMOVED("A", "B", "A2", "G1", "G2", "K", "D", "E", "S", "S2", "S3"));
}

static void test_tlbi_el2(void **state)
{
    (void)state;
    check_scope(&(struct tlbi_request){ .op = TLBI_ALLE2, .vmid = 1, .asid = 1 }, REMOVED("H", "H2"));
    for (int op = TLBI_VAE2; op <= TLBI_VALE2; op++) {
        /* A, B, D share H's VA: untouched. The ASID is ignored. */
        check_scope(&(struct tlbi_request){ .op = op, .vmid = 1, .asid = 1, .va = 0x10000 }, REMOVED("H"));
        check_scope(&(struct tlbi_request){ .op = op, .asid = 55, .va = 0x3ff000 }, REMOVED("H2"));
        check_scope(&(struct tlbi_request){ .op = op, .va = 0x20000 }, NONE);
    }
}

/* The EL2&0 regime (FEAT_VHE): entries tagged with an ASID (VMID 0) unless global; apart from
 * EL1&0 and EL2 entries; TLBI VAE2 takes the operand's ASID for them, ALLE2 drops them, the EL1
 * operations leave them. */
static void test_el20_regime(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry a = el10(0, 1, false, 0x20000000, 12, 0x41000000);
    a.regime = TLB_REGIME_EL20;
    struct tlb_entry g = el10(0, 0, true, 0x30000000, 12, 0x42000000);
    g.regime = TLB_REGIME_EL20;
    tlb_insert(t, false, &a);
    tlb_insert(t, false, &g);
    assert_non_null(tlb_lookup(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000, NULL));
    assert_null(tlb_lookup(t, false, TLB_REGIME_EL20, 0, 2, 0x20000000, NULL));   /* another ASID */
    assert_null(tlb_lookup(t, false, TLB_REGIME_EL10, 0, 1, 0x20000000, NULL));   /* another regime */
    assert_null(tlb_lookup(t, false, TLB_REGIME_EL2, 0, 0, 0x20000000, NULL));
    assert_non_null(tlb_lookup(t, false, TLB_REGIME_EL20, 0, 7, 0x30000000, NULL)); /* global */
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = 0 });
    tlbi(t, &(struct tlbi_request){ .op = TLBI_ALLE1 });
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VAE2, .asid = 2, .va = 0x20000000 });
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));       /* other ASID: kept */
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VAE2, .asid = 1, .va = 0x20000000 });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VALE2, .asid = 9, .va = 0x30000000 });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 9, 0x30000000));           /* global: any ASID */
    tlb_insert(t, false, &a);
    tlbi(t, &(struct tlbi_request){ .op = TLBI_ALLE2 });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));

    /* At EL2 in the host (E2H and TGE) the *E1 operations act on the EL2&0 regime, not on
     * VMID 0's EL1&0 entries. */
    struct tlb_entry g10 = el10(0, 1, false, 0x20000000, 12, 0x43000000);
    tlb_insert(t, false, &a);
    tlb_insert(t, false, &g);
    tlb_insert(t, false, &g10);
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VAE1, .asid = 1, .va = 0x20000000, .host = true });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL10, 0, 1, 0x20000000));     /* the guest's */
    tlb_insert(t, false, &a);
    tlbi(t, &(struct tlbi_request){ .op = TLBI_ASIDE1, .asid = 2, .host = true });
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));    /* other ASID */
    tlbi(t, &(struct tlbi_request){ .op = TLBI_ASIDE1, .asid = 1, .host = true });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 1, 0x20000000));
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 5, 0x30000000));    /* global stays */
    tlbi(t, &(struct tlbi_request){ .op = TLBI_VMALLE1, .host = true });
    assert_null(tlb_peek(t, false, TLB_REGIME_EL20, 0, 5, 0x30000000));
    assert_non_null(tlb_peek(t, false, TLB_REGIME_EL10, 0, 1, 0x20000000));
}

/* VA ops reach blocks in every L2 set they may live in, including blocks whose
 * copy left the L1 (only the L2 holds them). */
static void test_tlbi_va_l2_only(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry blk = el10(1, 1, false, 0x40000000, 21, 0x1000000);
    tlb_insert(t, false, &blk);
    for (unsigned i = 0; i < 40; i++) {   /* push blk out of the L1D */
        struct tlb_entry e = el10(1, 1, false, 0x10000000 + ((uint64_t)i << 12), 12, 0);
        tlb_insert(t, false, &e);
    }
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0x40000000), 2);   /* L2 -> L1I */
    f->ndrops = 0;
    struct tlbi_request r = { .op = TLBI_VAE1, .vmid = 1, .asid = 1, .va = 0x401ab000 };
    assert_int_equal(tlbi(t, &r), 2);   /* L1I and L2 copies */
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x40000000), 0);
    assert_int_equal(ilevel(t, TLB_REGIME_EL10, 1, 1, 0x40000000), 0);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 1, 0x10000000 + (39 << 12)), 1);
}

/* ---- statistics and configuration --------------------------------------- */

static void test_stats(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry e = el10(1, 1, false, 0x1000, 12, 0);
    tlb_insert(t, false, &e);                              /* fill 1 */
    dlevel(t, TLB_REGIME_EL10, 1, 1, 0x1000);              /* L1 hit */
    dlevel(t, TLB_REGIME_EL10, 1, 1, 0x1008);              /* L1 hit */
    ilevel(t, TLB_REGIME_EL10, 1, 1, 0x1000);              /* L2 hit */
    dlevel(t, TLB_REGIME_EL10, 1, 2, 0x1000);              /* miss */
    ilevel(t, TLB_REGIME_EL10, 1, 1, 0x2000);              /* miss */
    struct tlb_entry s = s2only(1, 0x5000, 12, 0);
    tlb_s2_insert(t, &s);                                  /* fill 2 */
    assert_non_null(tlb_s2_lookup(t, 1, 0x5000));          /* not a TLB lookup */
    assert_int_equal(t->stats.lookups, 5);
    assert_int_equal(t->stats.l1_hits, 2);
    assert_int_equal(t->stats.l2_hits, 1);
    assert_int_equal(t->stats.misses, 2);
    assert_int_equal(t->stats.fills, 2);
    assert_int_equal(t->stats.evictions, 0);
    assert_int_equal(t->stats.invalidated, 0);
    assert_int_equal(t->stats.lookups, t->stats.l1_hits + t->stats.l2_hits + t->stats.misses);

    for (unsigned i = 0; i < 40; i++) {
        struct tlb_entry x = el10(1, 1, false, 0x100000 + ((uint64_t)i << 12), 12, 0);
        tlb_insert(t, false, &x);
    }
    assert_int_equal(t->stats.fills, 42);
    assert_int_equal(t->stats.evictions, 9);   /* 41 pages in a 32-entry L1D */
    struct tlbi_request r = { .op = TLBI_ALLE1 };
    unsigned n = tlbi(t, &r);
    assert_int_equal(n, 32 + 1 + 41 + 1);      /* L1D, L1I, L2, walk cache */
    assert_int_equal(t->stats.invalidated, n);
    assert_int_equal(f->ndrops, t->stats.evictions + t->stats.invalidated);
}

static void expect_bad(const struct tlb_config *c, const char *what)
{
    struct tlb t;
    char err[160] = "";
    int rc = tlb_init(&t, c, NULL, NULL, err, sizeof(err));
    if (rc != -1)
        fail_msg("config accepted: %s", what);
    assert_true(strlen(err) > 0);
    assert_non_null(strstr(err, "tlb"));
    tlb_destroy(&t);   /* safe after a failed init */
}

static void test_bad_configs(void **state)
{
    (void)state;
    struct tlb_config c;
    c = tlb_config_cortex_a57; c.l1i.entries = 0; expect_bad(&c, "L1I with no entries");
    c = tlb_config_cortex_a57; c.l1d.ways = 0; expect_bad(&c, "L1D with no ways");
    c = tlb_config_cortex_a57; c.l2.ways = 3; expect_bad(&c, "ways not dividing entries");
    c = tlb_config_cortex_a57; c.l2.ways = 2048; expect_bad(&c, "more ways than entries");
    c = tlb_config_cortex_a57; c.l2.entries = 12; c.l2.ways = 4; expect_bad(&c, "3 sets");
    c = tlb_config_cortex_a57; c.l2.entries = 768; c.l2.ways = 4; expect_bad(&c, "192 sets");
    c = tlb_config_cortex_a57; c.l1d.repl = (enum tlb_repl)7; expect_bad(&c, "bad policy");
    {
        struct tlb t;
        char err[64] = "";
        assert_int_equal(tlb_init(&t, NULL, NULL, NULL, err, sizeof(err)), -1);
        /* No buffer: still rejected, nothing written. */
        c = tlb_config_cortex_a57; c.l1d.entries = 0;
        assert_int_equal(tlb_init(&t, &c, NULL, NULL, NULL, 0), -1);
    }

    /* Good ones: the default, fully associative L2 with no walk cache, a
     * direct-mapped L2 and a 48-entry (non power of two) fully associative L1. */
    struct tlb t;
    char err[160];
    assert_int_equal(tlb_config_cortex_a57.l1i.entries, 48);
    assert_int_equal(tlb_config_cortex_a57.l1i.ways, 48);
    assert_int_equal(tlb_config_cortex_a57.l1d.entries, 32);
    assert_int_equal(tlb_config_cortex_a57.l1d.ways, 32);
    assert_int_equal(tlb_config_cortex_a57.l2.entries, 1024);
    assert_int_equal(tlb_config_cortex_a57.l2.ways, 4);
    assert_int_equal(tlb_config_cortex_a57.l2.repl, TLB_REPL_LRU);
    assert_int_equal(tlb_config_cortex_a57.walk_cache_entries, 64);
    assert_int_equal(tlb_config_cortex_a57.l2_hit_cycles, 8);
    assert_int_equal(tlb_config_cortex_a57.walk_access_cycles, 20);
    c = tlb_config_cortex_a57; c.l2.entries = 96; c.l2.ways = 96; c.walk_cache_entries = 0;
    assert_int_equal(tlb_init(&t, &c, NULL, NULL, err, sizeof(err)), 0);
    /* No on_drop callback: evictions still work. */
    for (unsigned i = 0; i < 200; i++) {
        struct tlb_entry e = el10(1, 1, false, (uint64_t)i << 12, 12, 0);
        tlb_insert(&t, false, &e);
    }
    assert_int_equal(t.stats.evictions, (200 - 32) + (200 - 96));
    tlb_destroy(&t);
    c = tlb_config_cortex_a57; c.l2.entries = 256; c.l2.ways = 1;
    assert_int_equal(tlb_init(&t, &c, NULL, NULL, err, sizeof(err)), 0);
    tlb_destroy(&t);
}

/* Stage-1 table descriptors in the walk cache: the deepest one is found, the
 * tags separate contexts, and each TLBI removes exactly what it covers. */
static struct tlb_entry table_entry(enum tlb_regime rg, uint16_t vmid, uint16_t asid, int level, uint64_t va,
                                    uint64_t table)
{
    unsigned shift = 12 + 9 * (unsigned)(3 - level);
    return (struct tlb_entry){ .valid = true, .kind = TLB_KIND_S1_TABLE, .regime = (uint8_t)rg, .vmid = vmid,
                               .asid = asid, .level = (uint8_t)level, .page_shift = (uint8_t)shift,
                               .va = va, .pa = table };
}

static void fill_tables(struct tlb *t, uint64_t va)
{
    for (int l = 0; l < 3; l++) {
        struct tlb_entry e = table_entry(TLB_REGIME_EL10, 1, 5, l, va, 0x1000ULL * (l + 1));
        tlb_s1_table_insert(t, &e);
    }
    struct tlb_entry e2 = table_entry(TLB_REGIME_EL2, 0, 0, 1, va, 0x9000);
    tlb_s1_table_insert(t, &e2);
}

static void test_s1_table_cache(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    const uint64_t va = 0x40201000ULL;
    fill_tables(t, va);
    const struct tlb_entry *e = tlb_s1_table_lookup(t, TLB_REGIME_EL10, 1, 5, va + 0x10);
    assert_non_null(e);
    assert_int_equal(e->level, 2);                        /* the deepest */
    assert_int_equal(e->pa, 0x3000);
    assert_null(tlb_s1_table_lookup(t, TLB_REGIME_EL10, 1, 6, va));   /* another ASID */
    assert_null(tlb_s1_table_lookup(t, TLB_REGIME_EL10, 2, 5, va));   /* another VMID */
    e = tlb_s1_table_lookup(t, TLB_REGIME_EL10, 1, 5, va + (4ULL << 20));   /* outside level 2's 2 MiB */
    assert_non_null(e);
    assert_int_equal(e->level, 1);
    assert_int_equal(tlb_s1_table_lookup(t, TLB_REGIME_EL2, 0, 0, va)->pa, 0x9000);

    /* Last-level and stage-2 operations keep table entries. */
    struct tlbi_request rq = { .op = TLBI_VALE1, .vmid = 1, .asid = 5, .va = va };
    assert_int_equal(tlbi(t, &rq), 0);
    rq.op = TLBI_IPAS2E1;
    rq.ipa = 0x2000;
    assert_int_equal(tlbi(t, &rq), 0);
    /* VAE1 removes every table entry covering the VA (any ASID), not the EL2 one. */
    f->ndrops = 0;
    rq = (struct tlbi_request){ .op = TLBI_VAE1, .vmid = 1, .asid = 7, .va = va };
    assert_int_equal(tlbi(t, &rq), 3);
    assert_int_equal(f->drops[0].kind, TLB_KIND_S1_TABLE);
    assert_null(tlb_s1_table_lookup(t, TLB_REGIME_EL10, 1, 5, va));
    assert_non_null(tlb_s1_table_lookup(t, TLB_REGIME_EL2, 0, 0, va));
    /* ASIDE1 only its ASID, VMALLE1 only its VMID, ALLE2 only EL2. */
    fill_tables(t, va);
    rq = (struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = 1, .asid = 6 };
    assert_int_equal(tlbi(t, &rq), 0);
    rq.asid = 5;
    assert_int_equal(tlbi(t, &rq), 3);
    fill_tables(t, va);
    rq = (struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = 2 };
    assert_int_equal(tlbi(t, &rq), 0);
    rq.vmid = 1;
    assert_int_equal(tlbi(t, &rq), 3);
    rq = (struct tlbi_request){ .op = TLBI_ALLE2 };
    assert_int_equal(tlbi(t, &rq), 1);
    assert_null(tlb_s1_table_lookup(t, TLB_REGIME_EL2, 0, 0, va));
}

/* The deepest cached table descriptor, by a plain scan (what tlb_s1_table_lookup must return). */
static const struct tlb_entry *s1_table_reference(const struct tlb *t, uint16_t asid, uint64_t va)
{
    const struct tlb_entry *best = NULL;
    for (unsigned i = 0; i < t->cfg.walk_cache_entries; i++) {
        const struct tlb_entry *e = &t->s1_tables[i];
        if (e->valid && e->regime == TLB_REGIME_EL10 && e->vmid == 1 && e->asid == asid &&
            ((e->va ^ va) >> e->page_shift) == 0 && (!best || e->level > best->level))
            best = e;
    }
    return best;
}

/* tlb_s1_table_lookup answers from the entry that answered last when it still covers the VA:
 * over random insertions (the 64 entries replaced by LRU), TLBIs and lookups in two ASIDs,
 * every answer is the one a scan of all entries gives. */
static void test_s1_table_memo(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    uint64_t x = 12345;
    unsigned memo_answers = 0;
    uint64_t region = 0;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (((x >> 30) & 3) == 0)
            region = (x >> 8) % 96;                                      /* 96 2-MiB regions */
        uint64_t va = region << 21 | ((x >> 20) & 0x1ff) << 12;
        uint16_t asid = (uint16_t)(5 + ((x >> 40) & 1));
        unsigned op = (unsigned)(x >> 50) % 8;
        if (op < 3) {
            struct tlb_entry e = table_entry(TLB_REGIME_EL10, 1, asid, (int)op, va, 0x1000ULL * (i + 1));
            tlb_s1_table_insert(t, &e);
        } else if (op == 3 && (x & 0xf) == 0) {
            struct tlbi_request rq = { .op = TLBI_VAE1, .vmid = 1, .asid = asid, .va = va };
            tlbi(t, &rq);
        } else {
            unsigned memo = t->s1_memo;
            const struct tlb_entry *want = s1_table_reference(t, asid, va);
            const struct tlb_entry *got = tlb_s1_table_lookup(t, TLB_REGIME_EL10, 1, asid, va);
            assert_ptr_equal(got, want);
            memo_answers += memo && got == &t->s1_tables[memo - 1];
        }
    }
    assert_true(memo_answers > 100);     /* the memo did answer, and was checked */
}

/* tlb_config_parse: keys override the defaults, L1 levels stay fully
 * associative unless WAYS is given, bad keys, values and geometries fail. */
static void test_config_parse(void **state)
{
    (void)state;
    char err[200];
    struct tlb_config c = tlb_config_cortex_a57;
    assert_int_equal(tlb_config_parse(&c, "l1d=16,l2=512:8,walk=0,repl=fifo", err, sizeof err), 0);
    assert_int_equal(c.l1d.entries, 16);
    assert_int_equal(c.l1d.ways, 16);
    assert_int_equal(c.l2.entries, 512);
    assert_int_equal(c.l2.ways, 8);
    assert_int_equal(c.walk_cache_entries, 0);
    assert_int_equal(c.l1i.entries, 48);                /* untouched */
    assert_int_equal(c.l1i.repl, TLB_REPL_FIFO);
    assert_int_equal(c.l2.repl, TLB_REPL_FIFO);
    c = tlb_config_cortex_a57;
    assert_int_equal(tlb_config_parse(&c, "l1i=64:4", err, sizeof err), 0);
    assert_int_equal(c.l1i.ways, 4);
    c = tlb_config_cortex_a57;
    assert_int_equal(tlb_config_parse(&c, "l3=5", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown TLB parameter"));
    assert_int_equal(tlb_config_parse(&c, "l1d=x", err, sizeof err), -1);
    assert_int_equal(tlb_config_parse(&c, "l1d", err, sizeof err), -1);
    assert_int_equal(tlb_config_parse(&c, "repl=mru", err, sizeof err), -1);
    c = tlb_config_cortex_a57;
    assert_int_equal(tlb_config_parse(&c, "l2=100:3", err, sizeof err), -1);   /* ways must divide */
}


/* tlb_peek finds what lookup would, in any level, and changes nothing:
 * statistics and the LRU order stay as they were. */
static void test_peek(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    struct tlb_entry a = el10(1, 1, false, 0x1000, 12, 0x80001000);
    struct tlb_entry b = el10(2, 1, false, 0x200000, 21, 0x80200000);
    tlb_insert(t, false, &a);
    tlb_insert(t, true, &b);
    struct tlb_stats before = t->stats;
    uint64_t clock = t->clock;
    const struct tlb_entry *e = tlb_peek(t, false, TLB_REGIME_EL10, 1, 1, 0x1234);
    assert_non_null(e);
    assert_int_equal(e->pa, 0x80001000);
    e = tlb_peek(t, false, TLB_REGIME_EL10, 2, 1, 0x3fffff);   /* a fetch entry, found for data via L2 */
    assert_non_null(e);
    assert_int_equal(e->pa, 0x80200000);
    assert_null(tlb_peek(t, false, TLB_REGIME_EL10, 2, 1, 0x1000));      /* other VMID */
    assert_null(tlb_peek(t, false, TLB_REGIME_EL2, 0, 0, 0x1000));       /* other regime */
    assert_memory_equal(&before, &t->stats, sizeof before);
    assert_int_equal(clock, t->clock);
}

/* tlb_config_format writes what tlb_config_parse reads back. */
static void test_config_format(void **state)
{
    (void)state;
    static const char *const specs[] = { "l1i=48,l1d=32,l2=1024:4,walk=64,repl=lru",
                                          "l1i=16:4,l1d=8,l2=64:64,walk=0,repl=fifo",
                                          "l1i=4,l1d=4,l2=4096:8,walk=16,repl=random" };
    char buf[200], err[200];
    tlb_config_format(&tlb_config_cortex_a57, buf, sizeof buf);
    assert_string_equal(buf, specs[0]);
    for (unsigned i = 0; i < 3; i++) {
        struct tlb_config c = tlb_config_cortex_a57;
        assert_int_equal(tlb_config_parse(&c, specs[i], err, sizeof err), 0);
        tlb_config_format(&c, buf, sizeof buf);
        assert_string_equal(buf, specs[i]);
    }
    tlb_config_format(&tlb_config_cortex_a57, buf, 10);      /* truncates safely */
    assert_int_equal(strlen(buf), 9);
}

/* The fully associative L1's summary (4 KiB pages by bucket, and the larger
 * entries' keys, rebuilt when they fall back to eight or fewer) never hides an
 * entry: every lookup below must hit in L1 (level 1), not fall through to L2. */
static void test_fa_summary(void **state)
{
    struct fix *f = *state;
    struct tlb *t = &f->t;
    for (uint64_t i = 0; i < 12; i++) {
        struct tlb_entry b = el10(1, 0, true, 0x40000000 + (i << 21), 21, 0x80000000 + (i << 21));
        tlb_insert(t, false, &b);
    }
    for (uint64_t j = 0; j < 4; j++) {
        struct tlb_entry p = el10(1, 3, false, 0x10000000 + (j << 12), 12, 0x90000000 + (j << 12));
        tlb_insert(t, false, &p);
    }
    for (uint64_t i = 0; i < 12; i++)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x40000000 + (i << 21) + 0x1234), 1);
    for (uint64_t j = 0; j < 4; j++)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x10000000 + (j << 12) + 8), 1);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x10004000), 0);
    /* Five of the large entries go (12 -> 7: out of the overflow, the list is rebuilt). */
    for (uint64_t i = 0; i < 5; i++) {
        struct tlbi_request r = { .op = TLBI_VAE1, .vmid = 1, .asid = 3, .va = 0x40000000 + (i << 21) + 0x5000 };
        tlbi(t, &r);
    }
    for (uint64_t i = 0; i < 12; i++)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x40000000 + (i << 21) + 0x1234), i < 5 ? 0 : 1);
    /* A 4 KiB page that a large entry covered is looked up in L1 again after a refill. */
    struct tlb_entry again = el10(1, 3, false, 0x40001000, 12, 0xa0001000);
    tlb_insert(t, false, &again);
    assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x40001008), 1);
    for (uint64_t j = 0; j < 4; j++)
        assert_int_equal(dlevel(t, TLB_REGIME_EL10, 1, 3, 0x10000000 + (j << 12)), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_miss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tagging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_replaces_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_l1_lru_eviction, setup, teardown),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_random_deterministic),
        cmocka_unit_test_setup_teardown(test_l2_set_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_s2_walk_cache, setup, teardown),
        cmocka_unit_test(test_tlbi_vmalle1),
        cmocka_unit_test(test_tlbi_vae1),
        cmocka_unit_test(test_tlbi_vaae1),
        cmocka_unit_test(test_tlbi_aside1),
        cmocka_unit_test(test_tlbi_ipas2e1),
        cmocka_unit_test(test_tlbi_vmalls12e1),
        cmocka_unit_test(test_tlbi_alle1),
        cmocka_unit_test(test_tlbi_el2),
        cmocka_unit_test_setup_teardown(test_el20_regime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlbi_va_l2_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_config_parse),
        cmocka_unit_test_setup_teardown(test_peek, setup, teardown),
        cmocka_unit_test(test_config_format),
        cmocka_unit_test_setup_teardown(test_s1_table_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_s1_table_memo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fa_summary, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
