/* Unit tests for traces/tlbsim (the trace-driven TLB simulator) and its
 * command line: tagged versus flush-on-switch TLBs, TLBI scope, L1/L2/miss
 * counting, the separate stage-2 TLB, walks taught by WALK records and
 * shortened by the walk cache, faulting walks, untranslated accesses, and
 * `avsim tlbsim` on real trace files (tables, --sweep CSV and SVG, errors);
 * one TLB per PE with TLBI broadcast (tlbsim_smp); the SMMU's TLB replayed
 * apart from the PEs' (tlbsim_smmu, --smmu-tlb), from records fed directly
 * and from a trace recorded off synthetic SMMU events on an event bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/dma.h"
#include "sim/events.h"
#include "smmu/smmu.h"
#include "traces/recorder.h"
#include "traces/tlbsim.h"
#include "traces/tools.h"

/* ---- synthetic records -------------------------------------------------------------- */

/* The guest of these tests: stage 1 with 4 levels (0..3) whose tables sit at
 * S1_TABLE_IPA + level * 4K (one table per level), stage 2 with 3 levels
 * (1..3) at S2_TABLE_PA + level * 4K; every VA page maps to IPA = VA +
 * S1_OFFSET, every IPA to PA = IPA + S2_OFFSET, all with 4 KiB pages. */
#define S1_TABLE_IPA UINT64_C(0x80000000)
#define S2_TABLE_PA UINT64_C(0x90000000)
#define S1_OFFSET UINT64_C(0x40000000)
#define S2_OFFSET UINT64_C(0x100000000)

static unsigned index_at(uint64_t addr, int level)
{
    return (unsigned)((addr >> (12 + 9 * (3 - level))) & 511);
}

static struct trace_record access_rec(bool fetch, uint16_t vmid, uint16_t asid, uint64_t va)
{
    struct trace_record r = { .type = fetch ? TR_BLOCK : TR_DATA, .el = 1, .regime = TLB_REGIME_EL10,
                              .flags = TRF_S2_ON, .vmid = vmid, .asid = asid, .size = 4, .va = va };
    r.ipa = va + S1_OFFSET;
    r.pa = r.ipa + S2_OFFSET;
    return r;
}

static struct trace_record context_rec(uint16_t vmid, uint16_t asid)
{
    return (struct trace_record){ .type = TR_CONTEXT, .el = 2, .flags = TRF_S2_ON, .vmid = vmid, .asid = asid };
}

static struct trace_record tlbi_rec(enum tlbi_op op, uint16_t vmid)
{
    return (struct trace_record){ .type = TR_TLBI, .el = 2, .op = (uint8_t)op, .vmid = vmid };
}

/* Walk records carry the context: VMID and ASID of the walk. */
struct walk_ctx {
    uint16_t vmid, asid;
};

static struct trace_record walk_rec(struct walk_ctx c, uint64_t va, bool stage2, int level, uint64_t addr)
{
    struct trace_record r = { .type = TR_WALK, .el = 1, .regime = TLB_REGIME_EL10,
                              .flags = (uint8_t)(TRF_S2_ON | (stage2 ? TRF_STAGE2 : 0)), .vmid = c.vmid,
                              .asid = c.asid, .level = (int8_t)level, .va = va };
    r.ipa = addr;                            /* as the walk computed it */
    r.pa = stage2 ? addr : addr + S2_OFFSET;
    return r;
}

typedef void (*sink_fn)(void *opaque, const struct trace_record *r);

/* Stage-2 walk of ipa: three reads, levels 1..3. */
static unsigned emit_s2_walk(sink_fn sink, void *opaque, struct walk_ctx c, uint64_t va, uint64_t ipa)
{
    for (int level = 1; level <= 3; level++) {
        struct trace_record w = walk_rec(c, va, true, level, S2_TABLE_PA + (uint64_t)level * 0x1000 +
                                                                   index_at(ipa, level) * 8u);
        sink(opaque, &w);
    }
    return 3;
}

/* A walk for va as the live walker makes it: stage-1 reads from first_s1
 * to 3, each preceded by the stage-2 walk of its descriptor's IPA unless
 * that is cached (bit `level` of s2_cached), then the output's stage-2 walk.
 * Returns the number of reads. */
static unsigned emit_walk(sink_fn sink, void *opaque, struct walk_ctx c, uint64_t va, int first_s1,
                          unsigned s2_cached)
{
    unsigned n = 0;
    for (int level = first_s1; level <= 3; level++) {
        uint64_t desc = S1_TABLE_IPA + (uint64_t)level * 0x1000 + index_at(va, level) * 8u;
        if (!(s2_cached & (1u << level)))
            n += emit_s2_walk(sink, opaque, c, va, desc);
        struct trace_record w = walk_rec(c, va, false, level, desc);
        sink(opaque, &w);
        n++;
    }
    return n + emit_s2_walk(sink, opaque, c, va, (va & ~UINT64_C(0xfff)) + S1_OFFSET);
}

static void feed_sink(void *opaque, const struct trace_record *r)
{
    tlbsim_feed(opaque, r);
}

static void feed(struct tlbsim *s, struct trace_record r)
{
    tlbsim_feed(s, &r);
}

static struct tlbsim *sim_new(const char *spec, bool tagged, enum tlbsim_s2_mode mode)
{
    struct tlbsim_options o;
    char err[256];
    tlbsim_options_init(&o);
    o.tagged = tagged;
    o.s2_mode = mode;
    if (spec && tlbsim_options_parse(&o, spec, err, sizeof err) != 0)
        fail_msg("tlbsim_options_parse(%s): %s", spec, err);
    struct tlbsim *s = tlbsim_new(&o, NULL, err, sizeof err);
    if (!s)
        fail_msg("tlbsim_new: %s", err);
    return s;
}

/* ---- tagged versus flush-on-switch ------------------------------------------------------- */

/* Two VMs take turns, each touching the same 4 VAs (its own translations):
 * 8 translations fit the L1 DTLB. Tagged: only the 8 first touches miss.
 * Untagged: every switch to the other VMID flushes, so every turn misses 4. */
static void run_two_vms(struct tlbsim *s, unsigned rounds)
{
    for (unsigned round = 0; round < rounds; round++) {
        for (uint16_t vmid = 1; vmid <= 2; vmid++) {
            feed(s, context_rec(vmid, 0));
            for (uint64_t p = 0; p < 4; p++)
                feed(s, access_rec(false, vmid, 0, 0x10000 + p * 0x1000));
        }
    }
    tlbsim_finish(s);
}

static void test_tagged_versus_untagged(void **state)
{
    (void)state;
    const char *spec = "l1i=4,l1d=8,l2=64:4,walk=16";
    struct tlbsim *tagged = sim_new(spec, true, TLBSIM_S2_COMBINED);
    struct tlbsim *untagged = sim_new(spec, false, TLBSIM_S2_COMBINED);
    run_two_vms(tagged, 10);
    run_two_vms(untagged, 10);

    struct tlbsim_counters t = tlbsim_total(tagged), u = tlbsim_total(untagged);
    assert_int_equal(t.data, 80);
    assert_int_equal(t.misses, 8);
    assert_int_equal(t.l1_hits, 72);
    assert_int_equal(t.ctx_flushes, 0);
    assert_int_equal(u.data, 80);
    assert_int_equal(u.misses, 80);
    assert_int_equal(u.l1_hits, 0);
    assert_int_equal(u.ctx_flushes, 19);            /* every switch but the first context */
    assert_int_equal(tlbsim_row_counters(untagged, TLB_REGIME_EL10, 2).ctx_flushes, 10);
    assert_int_equal(tlbsim_row_counters(untagged, TLB_REGIME_EL10, 1).ctx_flushes, 9);
    /* No WALK records: model walks of 4 * (1 + 4) + 4 references. */
    assert_int_equal(t.walks, 8);
    assert_int_equal(t.estimated_walks, 8);
    assert_int_equal(t.walk_refs, 8 * 24);
    assert_int_equal(t.walk_cycles, 8 * 24 * tlb_config_cortex_a57.walk_access_cycles);
    assert_int_equal(u.walk_refs, 80 * 24);
    assert_int_equal(tlbsim_row_counters(tagged, TLB_REGIME_EL10, 1).misses, 4);
    assert_int_equal(tlbsim_row_counters(tagged, TLB_REGIME_EL10, 2).misses, 4);

    /* The simulator really drives the shared TLB model. */
    assert_int_equal(tlbsim_tlb(tagged)->stats.misses, 8);
    assert_int_equal(tlbsim_tlb(untagged)->stats.fills, 80);
    tlbsim_free(tagged);
    tlbsim_free(untagged);
}

/* An ASID change alone flushes only non-global entries in an untagged TLB. */
static void test_untagged_asid_switch(void **state)
{
    (void)state;
    struct tlbsim *s = sim_new("l1d=8,l2=64:4", false, TLBSIM_S2_COMBINED);
    for (unsigned round = 0; round < 3; round++) {
        for (uint16_t asid = 1; asid <= 2; asid++) {
            feed(s, context_rec(1, asid));
            feed(s, access_rec(false, 1, asid, 0x10000));
        }
    }
    struct tlbsim_counters t = tlbsim_total(s);
    assert_int_equal(t.misses, 6);
    assert_int_equal(t.ctx_flushes, 5);
    assert_int_equal(t.flushed_entries, 5 * 2);       /* one entry, in L1D and in L2 */
    tlbsim_free(s);
}

/* ---- TLBI ----------------------------------------------------------------------------------- */

static void test_tlbi_vmalls12e1_scope(void **state)
{
    (void)state;
    struct tlbsim *s = sim_new("l1i=4,l1d=8,l2=64:4,walk=16", true, TLBSIM_S2_COMBINED);
    run_two_vms(s, 1);
    assert_int_equal(tlbsim_total(s).misses, 8);
    feed(s, tlbi_rec(TLBI_VMALLS12E1, 1));
    struct tlbsim_counters vm1 = tlbsim_row_counters(s, TLB_REGIME_EL10, 1);
    assert_int_equal(vm1.tlbi_ops, 1);
    assert_int_equal(vm1.tlbi_removed, 8);           /* 4 entries, each in L1D and in L2 */
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 2).tlbi_removed, 0);
    run_two_vms(s, 1);
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 1).misses, 8);   /* 4 again */
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 2).misses, 4);   /* none again */
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 2).l1_hits, 4);

    /* An operation number outside enum tlbi_op is ignored, not a crash. */
    feed(s, tlbi_rec((enum tlbi_op)200, 1));
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 1).tlbi_ops, 1);
    tlbsim_free(s);
}

/* ---- L1 hit, L2 hit, miss ----------------------------------------------------------------- */

static void test_l1_l2_miss_counting(void **state)
{
    (void)state;
    /* L1D: 2 entries, L2: 8 entries fully associative, LRU. */
    struct tlbsim *s = sim_new("l1i=1,l1d=2,l2=8:8,walk=0", true, TLBSIM_S2_COMBINED);
    const uint64_t A = 0x10000, B = 0x20000, C = 0x30000;
    const uint64_t seq[] = { A, B, A, C, B, A };
    /* A miss, B miss, A L1 hit, C miss (L1D drops B), B L2 hit (drops A), A L2 hit (drops C). */
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
        feed(s, access_rec(false, 1, 0, seq[i]));
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.misses, 3);
    assert_int_equal(c.l1_hits, 1);
    assert_int_equal(c.l2_hits, 2);
    /* A fetch goes to the (empty) L1 ITLB, then hits the L2. */
    feed(s, access_rec(true, 1, 0, A + 0x40));
    c = tlbsim_total(s);
    assert_int_equal(c.fetches, 1);
    assert_int_equal(c.l2_hits, 3);
    /* A block spanning two pages is two accesses: A (L1I hit), and A + 4K (a miss). */
    struct trace_record blk = access_rec(true, 1, 0, A + 0xff8);
    blk.size = 16;
    feed(s, blk);
    c = tlbsim_total(s);
    assert_int_equal(c.fetches, 3);
    assert_int_equal(c.l1_hits, 2);
    assert_int_equal(c.misses, 4);
    assert_int_equal(tlbsim_lookups(&c), 9);
    assert_true(tlbsim_miss_rate(&c) == 4.0 / 9.0);
    assert_int_equal(c.walk_cycles, 4 * 24 * 20 + 3 * 8);   /* walks, and L2 hits at 8 cycles */
    tlbsim_free(s);
}

/* ---- the separate stage-2 TLB ----------------------------------------------------------------- */

static void test_separate_s2_lookups(void **state)
{
    (void)state;
    const uint64_t pages[] = { 0x10000, 0x20000, 0x30000 };
    /* A stage-2 TLB that holds all three: misses look the output IPA up
     * (and miss), later stage-1 hits look it up again (and hit). */
    struct tlbsim *s = sim_new("s2=4", true, TLBSIM_S2_SEPARATE);
    for (unsigned round = 0; round < 2; round++)
        for (size_t i = 0; i < 3; i++)
            feed(s, access_rec(false, 1, 0, pages[i]));
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.misses, 3);
    assert_int_equal(c.l1_hits, 3);
    assert_int_equal(c.s2_lookups, 6);
    assert_int_equal(c.s2_hits, 3);
    assert_int_equal(c.s2_walks, 3);
    assert_int_equal(c.walks, 3);
    assert_int_equal(c.walk_refs, 3 * 24);
    tlbsim_free(s);

    /* Two entries, LRU, three IPAs in turn: every stage-2 lookup misses, and
     * each stage-1 hit costs a stage-2 walk of 4 references. */
    s = sim_new("s2=2", true, TLBSIM_S2_SEPARATE);
    for (unsigned round = 0; round < 2; round++)
        for (size_t i = 0; i < 3; i++)
            feed(s, access_rec(false, 1, 0, pages[i]));
    c = tlbsim_total(s);
    assert_int_equal(c.s2_lookups, 6);
    assert_int_equal(c.s2_hits, 0);
    assert_int_equal(c.s2_walks, 6);
    assert_int_equal(c.walks, 6);
    assert_int_equal(c.walk_refs, 3 * 24 + 3 * 4);

    /* TLBI IPAS2E1 reaches the stage-2 TLB; VMALLE1 does not. */
    struct trace_record r = tlbi_rec(TLBI_VMALLE1, 1);
    feed(s, r);
    unsigned removed_s1 = (unsigned)tlbsim_row_counters(s, TLB_REGIME_EL10, 1).tlbi_removed;
    assert_int_equal(removed_s1, 6);                 /* 3 stage-1 entries in L1D and L2 */
    r = tlbi_rec(TLBI_IPAS2E1, 1);
    r.ipa = pages[2] + S1_OFFSET;
    feed(s, r);
    assert_int_equal(tlbsim_row_counters(s, TLB_REGIME_EL10, 1).tlbi_removed, removed_s1 + 1);
    tlbsim_free(s);

    /* Combined mode makes no stage-2 lookups. */
    s = sim_new(NULL, true, TLBSIM_S2_COMBINED);
    feed(s, access_rec(false, 1, 0, pages[0]));
    assert_int_equal(tlbsim_total(s).s2_lookups, 0);
    tlbsim_free(s);
}

/* ---- walks taught by WALK records -------------------------------------------------------------- */

/* Page P's first walk reads everything: 4 stage-1 levels, each with the
 * 3-read stage-2 walk of its descriptor, and the output's stage-2 walk (19).
 * Page Q, in the same last-level table, was walked live from the cached
 * level-2 table descriptor, its level-3 descriptor's IPA translated by the
 * walk cache: 1 + 3 reads. Replayed with the same walk cache, the replay
 * makes the same reads; without a walk cache, Q costs 19 too. */
static void teach_two_pages(struct tlbsim *s, unsigned *recorded)
{
    const uint64_t P = 0x12345000, Q = 0x12346000;
    recorded[0] = emit_walk(feed_sink, s, (struct walk_ctx){ 1, 0 }, P, 0, 0);
    feed(s, access_rec(false, 1, 0, P));
    recorded[1] = emit_walk(feed_sink, s, (struct walk_ctx){ 1, 0 }, Q, 3, 1u << 3);
    feed(s, access_rec(false, 1, 0, Q));
    tlbsim_finish(s);
}

static void test_walks_from_records(void **state)
{
    (void)state;
    unsigned rec[2];
    struct tlbsim *s = sim_new(NULL, true, TLBSIM_S2_COMBINED);
    teach_two_pages(s, rec);
    assert_int_equal(rec[0], 19);
    assert_int_equal(rec[1], 4);
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.recorded_walks, 2);
    assert_int_equal(c.recorded_refs, 23);
    assert_int_equal(c.misses, 2);
    assert_int_equal(c.walks, 2);
    assert_int_equal(c.estimated_walks, 0);
    assert_int_equal(c.approx_walks, 0);
    assert_int_equal(c.walk_refs, 23);                /* exactly what the live walker read */
    assert_true(tlbsim_refs_per_walk(&c) == 11.5);
    tlbsim_free(s);

    s = sim_new("walk=0", true, TLBSIM_S2_COMBINED);
    teach_two_pages(s, rec);
    c = tlbsim_total(s);
    assert_int_equal(c.walks, 2);
    assert_int_equal(c.estimated_walks, 0);
    assert_int_equal(c.walk_refs, 19 + 19);           /* no walk cache: no shortcut */
    tlbsim_free(s);
}

/* A re-walk after an eviction finds the walk cache still warm. */
static void test_rewalk_uses_walk_cache(void **state)
{
    (void)state;
    unsigned rec[2];
    struct tlbsim *s = sim_new("l1i=1,l1d=1,l2=1:1,walk=16", true, TLBSIM_S2_COMBINED);
    teach_two_pages(s, rec);                          /* Q evicted P from the single-entry TLB */
    feed(s, access_rec(false, 1, 0, 0x12345000));
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.misses, 3);
    assert_int_equal(c.walk_refs, 19 + 4 + 4);        /* P again: level-3 read and output stage 2 */
    tlbsim_free(s);
}

/* A walk that ends in an abort counts in every configuration, with its reads. */
static void test_fault_walk(void **state)
{
    (void)state;
    struct tlbsim *s = sim_new(NULL, true, TLBSIM_S2_COMBINED);
    const uint64_t P = 0x12345000;
    /* The output's stage-2 walk faults at level 3 (a stage-2 translation fault). */
    unsigned n = emit_walk(feed_sink, s, (struct walk_ctx){ 1, 0 }, P, 0, 0);
    struct trace_record x = { .type = TR_EXCEPTION, .from_el = 1, .to_el = 2, .ec = 0x24, .iss = 0x07, .vmid = 1 };
    feed(s, x);
    /* The hypervisor maps it; the retry walks from the cached level-2 table. */
    unsigned m = emit_walk(feed_sink, s, (struct walk_ctx){ 1, 0 }, P, 3, 1u << 3);
    feed(s, access_rec(false, 1, 0, P));
    tlbsim_finish(s);
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.fault_walks, 1);
    assert_int_equal(c.walks, 2);
    assert_int_equal(c.misses, 1);
    assert_int_equal(c.walk_refs, n + m);
    assert_int_equal(c.recorded_refs, n + m);
    /* An AT instruction's abort (ISS.CM) is not a TLB walk. */
    emit_walk(feed_sink, s, (struct walk_ctx){ 1, 0 }, 0x22222000, 0, 0);
    x.iss = 0x1c7;
    feed(s, x);
    assert_int_equal(tlbsim_total(s).walks, 2);
    tlbsim_free(s);
}

/* ---- translation off, global entries ------------------------------------------------------------ */

static void test_untranslated_accesses(void **state)
{
    (void)state;
    struct tlbsim *s = sim_new(NULL, true, TLBSIM_S2_COMBINED);
    /* EL2 with its MMU off: VA == PA and no walk ever: not looked up. */
    struct trace_record r = { .type = TR_BLOCK, .el = 2, .regime = TLB_REGIME_EL2, .size = 32,
                              .va = 0x40080000, .ipa = 0x40080000, .pa = 0x40080000 };
    for (int i = 0; i < 5; i++)
        feed(s, r);
    struct tlbsim_counters el2 = tlbsim_row_counters(s, TLB_REGIME_EL2, 0);
    assert_int_equal(el2.fetches, 5);
    assert_int_equal(el2.untranslated, 5);
    assert_int_equal(tlbsim_lookups(&el2), 0);
    /* An access the live run saw abort (IPA and PA all ones) is skipped. */
    struct trace_record ab = access_rec(false, 1, 0, 0x5000);
    ab.ipa = ab.pa = UINT64_MAX;
    feed(s, ab);
    assert_int_equal(tlbsim_total(s).data, 0);
    tlbsim_free(s);
}

/* A page walked under ASID 1 and used under ASID 2 without a walk was global. */
static void test_global_inferred(void **state)
{
    (void)state;
    struct tlbsim *s = sim_new("l1d=1,l2=1:1", true, TLBSIM_S2_COMBINED);
    const uint64_t P = 0x12345000;
    feed(s, context_rec(1, 1));
    emit_walk(feed_sink, s, (struct walk_ctx){ 1, 1 }, P, 0, 0);
    feed(s, access_rec(false, 1, 1, P));
    feed(s, context_rec(1, 2));
    feed(s, access_rec(false, 1, 2, P));              /* a miss in the replay: no ASID-2 walk */
    feed(s, access_rec(false, 1, 2, P));
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.misses, 2);
    assert_int_equal(c.estimated_walks, 0);            /* ASID 1's tables describe it */
    assert_int_equal(c.l1_hits, 1);
    /* The replayed entry is global: ASID 1 hits it too. */
    feed(s, context_rec(1, 1));
    feed(s, access_rec(false, 1, 1, P));
    assert_int_equal(tlbsim_total(s).l1_hits, 2);
    tlbsim_free(s);
}

/* ---- options -------------------------------------------------------------------------------------- */

static void test_options(void **state)
{
    (void)state;
    struct tlbsim_options o;
    char err[256], buf[200];
    tlbsim_options_init(&o);
    assert_int_equal(tlbsim_options_parse(&o, "l2=2048:8,s2=128,l1d=16", err, sizeof err), 0);
    assert_int_equal(o.tlb.l2.entries, 2048);
    assert_int_equal(o.tlb.l1d.entries, 16);
    assert_int_equal(o.s2_entries, 128);
    o.s2_mode = TLBSIM_S2_SEPARATE;
    tlbsim_options_format(&o, buf, sizeof buf);
    assert_string_equal(buf, "l1i=48,l1d=16,l2=2048:8,walk=64,repl=lru,s2=128");
    assert_int_equal(tlbsim_options_parse(&o, "l2=3:2", err, sizeof err), -1);
    assert_non_null(strstr(err, "L2"));
    assert_int_equal(o.tlb.l2.entries, 2048);         /* unchanged after an error */
    assert_int_equal(tlbsim_options_parse(&o, "s2=0", err, sizeof err), -1);
    assert_int_equal(tlbsim_options_parse(&o, "s2=", err, sizeof err), -1);
    assert_int_equal(tlbsim_options_parse(&o, "bogus=1", err, sizeof err), -1);
    assert_non_null(strstr(err, "bogus"));
}

/* ---- the command line, on trace files ------------------------------------------------------------- */

struct file_sink {
    struct trace_writer *w;
};

/* ---- one TLB per PE ---------------------------------------------------------------------- */

struct pe_sink {
    struct tlbsim_smp *m;
    uint32_t pe;
};

static void pe_sink_feed(void *opaque, const struct trace_record *r)
{
    struct pe_sink *k = opaque;
    struct trace_record c = *r;
    c.pe = k->pe;
    tlbsim_smp_feed(k->m, &c);
}

static void pe_feed(struct tlbsim_smp *m, uint32_t pe, struct trace_record r)
{
    struct pe_sink k = { m, pe };
    pe_sink_feed(&k, &r);
}

/* Each PE touches VM 1's 4 pages (walking them the first time). */
static void pes_touch(struct tlbsim_smp *m, bool walk)
{
    for (uint32_t pe = 0; pe < 2; pe++) {
        struct pe_sink k = { m, pe };
        pe_feed(m, pe, context_rec(1, 0));
        for (uint64_t p = 0; p < 4; p++) {
            uint64_t va = 0x30000 + p * 0x1000;
            if (walk)
                emit_walk(pe_sink_feed, &k, (struct walk_ctx){ 1, 0 }, va, 0, 0);
            pe_feed(m, pe, access_rec(false, 1, 0, va));
        }
    }
}

static uint64_t pe_count(const struct tlbsim_smp *m, unsigned pe, size_t field)
{
    const struct tlbsim *s = tlbsim_smp_pe(m, pe);
    assert_non_null(s);
    struct tlbsim_counters c = tlbsim_total(s);
    return *(const uint64_t *)((const char *)&c + field);
}
#define PE_COUNT(m, pe, f) pe_count(m, pe, offsetof(struct tlbsim_counters, f))

/* Two PEs, each its own TLB: a TLBI without IS empties only the issuing PE's,
 * a TLBI ...IS (TRF_TLBI_IS) every PE's, as the machine broadcasts it. */
static void test_smp_tlbi_broadcast(void **state)
{
    (void)state;
    struct tlbsim_options o;
    char err[256];
    tlbsim_options_init(&o);
    struct tlbsim_smp *m = tlbsim_smp_new(&o, NULL, err, sizeof err);
    if (!m)
        fail_msg("tlbsim_smp_new: %s", err);
    assert_int_equal(tlbsim_smp_pes(m), 1);
    pes_touch(m, true);
    assert_int_equal(tlbsim_smp_pes(m), 2);
    assert_int_equal(PE_COUNT(m, 0, misses), 4);       /* PE 1's fills do not serve PE 0, nor the reverse */
    assert_int_equal(PE_COUNT(m, 1, misses), 4);

    pe_feed(m, 0, tlbi_rec(TLBI_VMALLS12E1, 1));         /* PE 0, not shareable */
    uint64_t removed = PE_COUNT(m, 0, tlbi_removed);   /* 4 entries in L1D and L2, walk-cache entries */
    assert_true(removed >= 8);
    assert_int_equal(PE_COUNT(m, 1, tlbi_removed), 0);
    assert_int_equal(PE_COUNT(m, 1, tlbi_ops), 0);
    pes_touch(m, false);
    assert_int_equal(PE_COUNT(m, 0, misses), 8);
    assert_int_equal(PE_COUNT(m, 1, misses), 4);
    assert_int_equal(PE_COUNT(m, 1, l1_hits), 4);

    struct trace_record is = tlbi_rec(TLBI_VMALLS12E1, 1);
    is.flags = TRF_TLBI_IS;
    pe_feed(m, 1, is);                                  /* PE 1, Inner Shareable: both TLBs */
    assert_int_equal(PE_COUNT(m, 0, tlbi_removed), 2 * removed);
    assert_int_equal(PE_COUNT(m, 1, tlbi_removed), removed);
    assert_int_equal(PE_COUNT(m, 0, tlbi_ops), 2);
    pes_touch(m, false);
    assert_int_equal(PE_COUNT(m, 0, misses), 12);
    assert_int_equal(PE_COUNT(m, 1, misses), 8);
    tlbsim_smp_finish(m);

    /* Totals and the merged VMID row sum the PEs. */
    assert_int_equal(tlbsim_smp_total(m).misses, 20);
    struct tlbsim_row rows[8];
    size_t n = tlbsim_smp_get_rows(m, rows, 8);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].vmid, 1);
    assert_int_equal(rows[0].c.misses, 20);
    assert_int_equal(rows[0].c.fetches + rows[0].c.data, 24);
    tlbsim_smp_free(m);
}

static void write_sink(void *opaque, const struct trace_record *r)
{
    struct file_sink *f = opaque;
    assert_int_equal(trace_write(f->w, r), 0);
}

static void write_rec(struct file_sink *f, struct trace_record r)
{
    write_sink(f, &r);
}

/* Two VMs, each walking and then touching 6 pages, 3 rounds. */
static void make_trace(const char *path, uint32_t classes)
{
    char err[256];
    struct file_sink f = { trace_writer_open(path, "{\"test\": \"tlbsim\"}", classes, err, sizeof err) };
    if (!f.w)
        fail_msg("trace_writer_open: %s", err);
    for (unsigned round = 0; round < 3; round++) {
        for (uint16_t vmid = 1; vmid <= 2; vmid++) {
            write_rec(&f, context_rec(vmid, 0));
            for (uint64_t p = 0; p < 6; p++) {
                uint64_t va = 0x12340000 + p * 0x1000;
                if (round == 0)
                    emit_walk(write_sink, &f, (struct walk_ctx){ vmid, 0 }, va, p ? 3 : 0, p ? 1u << 3 : 0);
                write_rec(&f, access_rec(false, vmid, 0, va));
                write_rec(&f, access_rec(true, vmid, 0, va + 0x800));
            }
        }
    }
    assert_int_equal(trace_writer_close(f.w), 0);
}

static int run_cli(int argc, const char **argv)
{
    return tlbsim_main(argc, (char **)argv);
}

static unsigned count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    unsigned n = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static void test_cli_trace_file(void **state)
{
    (void)state;
    char trc[64], csv[64], svg[64];
    snprintf(trc, sizeof trc, "/tmp/test_tlbsim_%d.trc", (int)getpid());
    snprintf(csv, sizeof csv, "/tmp/test_tlbsim_%d.csv", (int)getpid());
    snprintf(svg, sizeof svg, "/tmp/test_tlbsim_%d.svg", (int)getpid());
    make_trace(trc, TRACE_ALL_CLASSES);

    /* The file replays as the records fed directly do. */
    struct tlbsim *s = sim_new(NULL, true, TLBSIM_S2_COMBINED);
    char err[256];
    struct trace_reader *rd = trace_reader_open(trc, err, sizeof err);
    assert_non_null(rd);
    struct trace_record r;
    while (trace_read(rd, &r, err, sizeof err) == 1)
        tlbsim_feed(s, &r);
    trace_reader_close(rd);
    tlbsim_finish(s);
    struct tlbsim_counters c = tlbsim_total(s);
    assert_int_equal(c.data, 36);
    assert_int_equal(c.fetches, 36);
    assert_int_equal(c.misses, 12);                   /* each page's first data access */
    assert_int_equal(c.l2_hits, 12);                  /* each page's first fetch */
    assert_int_equal(c.recorded_walks, 12);
    assert_int_equal(c.recorded_refs, 2 * (19 + 5 * 4));
    assert_int_equal(c.walk_refs, 2 * (19 + 5 * 4));
    assert_int_equal(c.estimated_walks, 0);
    tlbsim_free(s);

    /* Tables, JSON, two configurations. */
    const char *plain[] = { "--config=l1d=8,l2=64:4", "--config=l2=512:4", trc };
    assert_int_equal(run_cli(3, plain), 0);
    const char *json[] = { "--json", "--s2=separate", "--untagged", trc };
    assert_int_equal(run_cli(4, json), 0);

    /* The built-in sweep: 7 L2 sizes x 5 L1D sizes, tagged and untagged,
     * rows VMID 1, VMID 2 and the total, plus the header. */
    char sweep_opt[80], plot_opt[80];
    snprintf(sweep_opt, sizeof sweep_opt, "--sweep=%s", csv);
    snprintf(plot_opt, sizeof plot_opt, "--plot=%s", svg);
    const char *sweep_plot[] = { sweep_opt, plot_opt, trc };
    assert_int_equal(run_cli(3, sweep_plot), 0);
    assert_int_equal(count_lines(csv), 1 + 35 * 2 * 3);
    FILE *f = fopen(svg, "r");
    assert_non_null(f);
    char head[8] = "";
    assert_int_equal(fread(head, 1, 4, f), 4);
    fclose(f);
    assert_memory_equal(head, "<svg", 4);
    /* Given configurations only. */
    const char *sweep2[] = { sweep_opt, "--config=l2=128:4", "--config=l2=256:4", trc };
    assert_int_equal(run_cli(4, sweep2), 0);
    assert_int_equal(count_lines(csv), 1 + 2 * 2 * 3);
    unlink(csv);
    unlink(svg);
    unlink(trc);
}

static void test_cli_errors(void **state)
{
    (void)state;
    char trc[64];
    snprintf(trc, sizeof trc, "/tmp/test_tlbsim_err_%d.trc", (int)getpid());
    const char *unknown[] = { "--frobnicate", "x.trc" };
    assert_int_equal(run_cli(2, unknown), 2);
    const char *none[] = { "--json" };
    assert_int_equal(run_cli(1, none), 2);
    const char *bad_spec[] = { "--config=l2=3:2", "x.trc" };
    assert_int_equal(run_cli(2, bad_spec), 2);
    const char *bad_s2[] = { "--s2=both", "x.trc" };
    assert_int_equal(run_cli(2, bad_s2), 2);
    const char *plot_alone[] = { "--plot=/tmp/x.svg", "x.trc" };
    assert_int_equal(run_cli(2, plot_alone), 2);
    const char *missing[] = { "/nonexistent/dir/none.trc" };
    assert_int_equal(run_cli(1, missing), 2);
    const char *help[] = { "--help" };
    assert_int_equal(run_cli(1, help), 0);

    /* Not a trace. */
    FILE *f = fopen(trc, "w");
    assert_non_null(f);
    fputs("this is not a trace\n", f);
    fclose(f);
    const char *garbage[] = { trc };
    assert_int_equal(run_cli(1, garbage), 2);
    /* A trace without blocks or data. */
    make_trace(trc, TRACE_ALL_CLASSES & ~((1u << TR_BLOCK) | (1u << TR_DATA)));
    assert_int_equal(run_cli(1, garbage), 2);
    /* Truncated: a valid trace cut short. */
    make_trace(trc, TRACE_ALL_CLASSES);
    assert_int_equal(truncate(trc, 200), 0);
    assert_int_equal(run_cli(1, garbage), 2);
    /* The classes allow accesses, but there are none. */
    char err[256];
    struct trace_writer *w = trace_writer_open(trc, "{}", TRACE_ALL_CLASSES, err, sizeof err);
    assert_non_null(w);
    struct trace_record ctx = context_rec(1, 0);
    trace_write(w, &ctx);
    assert_int_equal(trace_writer_close(w), 0);
    assert_int_equal(run_cli(1, garbage), 2);
    /* An output that cannot be written. */
    make_trace(trc, TRACE_ALL_CLASSES);
    const char *bad_out[] = { "--sweep=/nonexistent/dir/x.csv", trc };
    assert_int_equal(run_cli(2, bad_out), 2);
    unlink(trc);
}

/* ---- the SMMU's TLB ------------------------------------------------------------------- */

static struct trace_record smmu_xlate(uint32_t sid, unsigned config, uint16_t vmid, uint16_t asid, uint64_t iova,
                                      bool hit, unsigned refs)
{
    struct trace_record r = { .type = TR_SMMU_XLATE, .sid = sid, .config = (uint8_t)config, .vmid = vmid,
                              .asid = asid, .size = 4096, .page_shift = 12, .walk_refs = (uint16_t)refs,
                              .va = iova, .ipa = iova + S1_OFFSET, .pa = iova + S1_OFFSET + S2_OFFSET };
    if (hit)
        r.flags |= TRF_SMMU_HIT;
    if (config == SMMU_STE_CONFIG_BYPASS)
        r.ipa = r.pa = iova;
    return r;
}

static struct trace_record smmu_cmd(unsigned opcode, uint64_t w0, uint64_t w1)
{
    return (struct trace_record){ .type = TR_SMMU_CMD, .op = (uint8_t)opcode, .arg = opcode | w0, .arg2 = w1 };
}

static const struct tlbsim_smmu_row *smmu_row_of(const struct tlbsim_smmu_row *rows, size_t n, uint32_t sid)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].sid == sid)
            return &rows[i];
    fail_msg("no row for StreamID %u", sid);
    return NULL;
}

/* A small SMMU TLB (2 L1D, 2 L2 entries, 4 walk-cache entries): hits the live
 * SMMU had become replayed misses (4 pages in turn through 2 LRU entries), costing the reads of the page's last
 * recorded walk; bypass is not looked up; stage-2-only streams use the walk
 * cache; CMD_TLBI_S2_IPA and CMD_TLBI_NH_ASID remove what they cover. */
static void test_smmu_tlb_replay(void **state)
{
    (void)state;
    struct tlb_config cfg = tlbsim_smmu_default_tlb;
    char err[256];
    assert_int_equal(tlb_config_parse(&cfg, "l1d=2,l2=2:2,walk=4", err, sizeof err), 0);
    struct tlbsim_smmu *s = tlbsim_smmu_new(&cfg, err, sizeof err);
    assert_non_null(s);
    /* StreamID 8, nested, VMID 3, ASID 7: 4 pages walked live (24 reads each), then hit live. */
    for (uint64_t p = 0; p < 4; p++) {
        struct trace_record r = smmu_xlate(8, SMMU_STE_CONFIG_NESTED, 3, 7, 0x10000 + p * 0x1000, false, 24);
        tlbsim_smmu_feed(s, &r);
    }
    for (uint64_t p = 0; p < 4; p++) {
        struct trace_record r = smmu_xlate(8, SMMU_STE_CONFIG_NESTED, 3, 7, 0x10000 + p * 0x1000, true, 0);
        tlbsim_smmu_feed(s, &r);
    }
    /* Pages 2 and 3 are still held: hits in L1. */
    struct trace_record again = smmu_xlate(8, SMMU_STE_CONFIG_NESTED, 3, 7, 0x13000, true, 0);
    tlbsim_smmu_feed(s, &again);
    /* StreamID 16, stage 2 only (VMID 3): walked once (4 reads), then twice a hit. */
    for (int i = 0; i < 3; i++) {
        struct trace_record r = smmu_xlate(16, SMMU_STE_CONFIG_S2, 3, 0, 0x80000, i > 0, i ? 0 : 4);
        tlbsim_smmu_feed(s, &r);
    }
    /* StreamID 24 bypassed; StreamID 32 a hit of a page no record showed walked (a model walk, 4 reads). */
    struct trace_record by = smmu_xlate(24, SMMU_STE_CONFIG_BYPASS, 0, 0, 0x40000000, false, 0);
    tlbsim_smmu_feed(s, &by);
    struct trace_record unknown = smmu_xlate(32, SMMU_STE_CONFIG_S1, 0, 1, 0x5000, true, 0);
    tlbsim_smmu_feed(s, &unknown);
    struct trace_record fault = { .type = TR_SMMU_EVENT, .sid = 8, .op = SMMU_EVT_F_TRANSLATION };
    tlbsim_smmu_feed(s, &fault);

    size_t n = tlbsim_smmu_row_count(s);
    assert_int_equal(n, 4);
    struct tlbsim_smmu_row rows[4];
    assert_int_equal(tlbsim_smmu_get_rows(s, rows, 4), 4);
    assert_int_equal(rows[0].sid, 8);                 /* in order of StreamID */
    assert_int_equal(rows[3].sid, 32);
    const struct tlbsim_smmu_counters *c = &smmu_row_of(rows, n, 8)->c;
    assert_int_equal(c->transactions, 9);
    assert_int_equal(c->lookups, 9);
    assert_int_equal(c->misses, 8);                   /* 4 cold, 4 again: 0..3 in order thrash 2 LRU entries */
    assert_int_equal(c->l1_hits, 1);                  /* page 3 right after itself */
    assert_int_equal(c->walk_refs, 8 * 24);
    assert_int_equal(c->estimated_walks, 0);
    assert_int_equal(c->recorded_walks, 4);
    assert_int_equal(c->recorded_refs, 4 * 24);
    assert_int_equal(c->recorded_hits, 5);
    assert_int_equal(c->faults, 1);
    c = &smmu_row_of(rows, n, 16)->c;
    assert_int_equal(c->lookups, 3);
    assert_int_equal(c->misses, 1);
    assert_int_equal(c->l1_hits, 2);
    assert_int_equal(c->walk_refs, 4);
    c = &smmu_row_of(rows, n, 24)->c;
    assert_int_equal(c->bypassed, 1);
    assert_int_equal(c->lookups, 0);
    c = &smmu_row_of(rows, n, 32)->c;
    assert_int_equal(c->misses, 1);
    assert_int_equal(c->estimated_walks, 1);
    assert_int_equal(c->walk_refs, 4);
    struct tlbsim_smmu_counters t = tlbsim_smmu_total(s);
    assert_int_equal(t.transactions, 14);
    assert_int_equal(t.lookups, 13);
    assert_int_equal(t.misses, 10);
    assert_int_equal(t.walk_refs, 8 * 24 + 4 + 4);
    assert_int_equal(tlbsim_smmu_tlb(s)->stats.lookups, 13);   /* the replayed TLB's own figures agree */

    /* CMD_TLBI_S2_IPA of StreamID 16's page (VMID 3 in word 0 [47:32], the IPA in word 1): a miss again. */
    struct trace_record inv = smmu_cmd(0x2a, (uint64_t)3 << 32, 0x80000);
    tlbsim_smmu_feed(s, &inv);
    assert_int_equal(tlbsim_smmu_tlbi_removed(s), 1);
    struct trace_record after = smmu_xlate(16, SMMU_STE_CONFIG_S2, 3, 0, 0x80000, true, 0);
    tlbsim_smmu_feed(s, &after);
    tlbsim_smmu_get_rows(s, rows, 4);
    assert_int_equal(smmu_row_of(rows, n, 16)->c.misses, 2);
    /* Another VMID's invalidation leaves StreamID 8's entries; CMD_TLBI_NH_ASID of ASID 7, VMID 3 removes them. */
    struct trace_record other = smmu_cmd(0x11, (uint64_t)4 << 32 | (uint64_t)7 << 48, 0);
    tlbsim_smmu_feed(s, &other);
    assert_int_equal(tlbsim_smmu_tlbi_removed(s), 1);
    struct trace_record asid = smmu_cmd(0x11, (uint64_t)3 << 32 | (uint64_t)7 << 48, 0);
    tlbsim_smmu_feed(s, &asid);
    assert_true(tlbsim_smmu_tlbi_removed(s) > 1);
    assert_int_equal(tlbsim_smmu_tlbi_ops(s), 3);
    tlbsim_smmu_feed(s, &again);
    tlbsim_smmu_get_rows(s, rows, 4);
    assert_int_equal(smmu_row_of(rows, n, 8)->c.misses, 9);
    /* A command that is no TLB invalidation changes nothing. */
    struct trace_record sync = smmu_cmd(0x46, 0, 0);
    tlbsim_smmu_feed(s, &sync);
    assert_int_equal(tlbsim_smmu_tlbi_ops(s), 3);
    tlbsim_smmu_free(s);
}

/* SMMU records are no PE's: they make no PE simulator and leave the PEs' counts alone. */
static void test_smmu_records_skip_pes(void **state)
{
    (void)state;
    struct tlbsim_options o;
    tlbsim_options_init(&o);
    char err[256];
    struct tlbsim_smp *m = tlbsim_smp_new(&o, NULL, err, sizeof err);
    assert_non_null(m);
    struct trace_record x = smmu_xlate(8, SMMU_STE_CONFIG_S1, 0, 1, 0x1000, false, 4);
    x.pe = 3;
    tlbsim_smp_feed(m, &x);
    struct trace_record cmd = smmu_cmd(0x30, 0, 0);
    cmd.pe = 2;
    tlbsim_smp_feed(m, &cmd);
    tlbsim_smp_finish(m);
    assert_int_equal(tlbsim_smp_pes(m), 1);
    struct tlbsim_counters t = tlbsim_smp_total(m);
    assert_int_equal(t.fetches + t.data + t.tlbi_ops, 0);
    tlbsim_smp_free(m);
}

/* Runs the command line with stdout captured into out. */
static int run_cli_out(int argc, const char **argv, char *out, size_t len)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stdout);
    int saved = dup(1);
    dup2(fileno(tmp), 1);
    int rc = tlbsim_main(argc, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, len - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return rc;
}

/* Synthetic SMMU events on a bus, recorded as the machine records them: two
 * StreamIDs of VMID 1 (stage 1 and stage 2) walk 3 pages each, then use them
 * again (live hits), with a CMD_TLBI_NH_ALL between the rounds. */
static void record_smmu_events(const char *path, uint32_t classes)
{
    struct event_bus bus = { 0 };
    struct trace_recorder rec;
    char err[256];
    if (trace_recorder_start(&rec, &bus, path, classes, "{\"test\": \"smmu\", \"smmu_tlb\": \"l1i=16,l1d=2,"
                             "l2=2:2,walk=128,repl=lru\"}", err, sizeof err) != 0)
        fail_msg("recorder: %s", err);
    for (int round = 0; round < 2; round++) {
        for (uint32_t sid = 1; sid <= 2; sid++) {
            for (uint64_t p = 0; p < 3; p++) {
                struct event ev = { .type = EV_SMMU_XLATE, .cycles = (uint64_t)(100 * round + 10 * sid + p) };
                ev.u.smmu.sid = sid;
                ev.u.smmu.ssid = DMA_NO_SSID;
                ev.u.smmu.config = sid == 1 ? SMMU_STE_CONFIG_S1 : SMMU_STE_CONFIG_S2;
                ev.u.smmu.vmid = 1;
                ev.u.smmu.asid = sid == 1 ? 5 : 0;
                ev.u.smmu.iova = 0x100000 + p * 0x1000;
                ev.u.smmu.ipa = ev.u.smmu.iova;
                ev.u.smmu.pa = 0x40000000 + ev.u.smmu.iova;
                ev.u.smmu.page_shift = 12;
                ev.u.smmu.size = 4096;
                ev.u.smmu.tlb_hit = round == 1;
                ev.u.smmu.walk_accesses = round == 1 ? 0 : 4;
                event_publish(&bus, &ev);
            }
        }
        if (round == 0) {
            struct event ev = { .type = EV_SMMU_CMD, .cycles = 50 };
            ev.u.smmu.opcode = 0x10;                          /* CMD_TLBI_NH_ALL of VMID 2: nothing of VMID 1 */
            ev.u.smmu.cmd[0] = 0x10 | (uint64_t)2 << 32;
            event_publish(&bus, &ev);
        }
    }
    assert_int_equal(trace_recorder_finish(&rec, err, sizeof err), 0);
}

static void test_cli_smmu(void **state)
{
    (void)state;
    char trc[64];
    static char out[16384];
    snprintf(trc, sizeof trc, "/tmp/test_tlbsim_smmu_%d.trc", (int)getpid());
    /* Only SMMU records: the SMMU's TLB alone, with the configuration the trace names (2 L1D, 2 L2
     * entries: the stage-1 stream's 3 pages do not fit, its live hits are replayed misses; the
     * stage-2 stream's live in the walk cache). */
    record_smmu_events(trc, TRACE_SMMU_CLASSES);
    const char *plain[] = { trc };
    assert_int_equal(run_cli_out(1, plain, out, sizeof out), 0);
    static const char *const want[] = {
        "SMMU TLB config l1i=16,l1d=2,l2=2:2,walk=128,repl=lru (its own, apart from the PEs'), per StreamID:\n",
        "sid 0x1                6         0          6          0         0         6  100.000        24      0"
        "         3         3        12      0\n",
        "sid 0x2                6         0          6          3         0         3   50.000        12      0"
        "         3         3        12      0\n",
        "SMMU TLBI commands 1, entries removed 0\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(out, want[i]))
            fail_msg("missing '%s' in:\n%s", want[i], out);
    /* --smmu-tlb over the recorded configuration: everything fits, the live hits are hits. */
    const char *big[] = { "--smmu-tlb=l2=64:4,l1d=8", "--json", trc };
    assert_int_equal(run_cli_out(3, big, out, sizeof out), 0);
    assert_non_null(strstr(out, "\"smmu\": {\"config\": \"l1i=16,l1d=8,l2=64:4,walk=128,repl=lru\""));
    assert_non_null(strstr(out, "\"total\": {\"transactions\": 12, \"bytes\": 49152, \"bypassed\": 0, "
                                "\"lookups\": 12, \"l1_hits\": 6, \"l2_hits\": 0, \"misses\": 6"));
    /* Errors: a bad SMMU TLB, --sweep without PE records. */
    const char *bad[] = { "--smmu-tlb=l2=3:2", trc };
    assert_int_equal(run_cli(2, bad), 2);
    const char *sweep[] = { "--sweep=/tmp/never.csv", trc };
    assert_int_equal(run_cli(2, sweep), 2);
    /* PE records and SMMU records together: both reports, the SMMU's with the default configuration. */
    char err[256];
    struct file_sink f = { trace_writer_open(trc, "{}", TRACE_ALL_CLASSES, err, sizeof err) };
    assert_non_null(f.w);
    emit_walk(write_sink, &f, (struct walk_ctx){ 1, 0 }, 0x1000, 0, 0);
    write_rec(&f, access_rec(false, 1, 0, 0x1000));
    write_rec(&f, smmu_xlate(5, SMMU_STE_CONFIG_S1, 0, 1, 0x2000, false, 4));
    write_rec(&f, access_rec(false, 1, 0, 0x1000));
    assert_int_equal(trace_writer_close(f.w), 0);
    assert_int_equal(run_cli_out(1, plain, out, sizeof out), 0);
    assert_non_null(strstr(out, "config l1i=48"));
    /* The PE's walk, miss and hit as without the SMMU record between them. */
    assert_non_null(strstr(out, "\nvmid 1               0            2          0            1          0          1"));
    assert_non_null(strstr(out, "\nvmid 1            1       0       0          19"));
    assert_non_null(strstr(out, "SMMU TLB config l1i=16,l1d=32,l2=512:4,walk=128,repl=lru"));
    assert_non_null(strstr(out, "\nsid 0x5                1         0          1          0         0         1"));
    /* SMMU classes recorded but no SMMU record (no SMMU on the machine): no SMMU report. */
    make_trace(trc, TRACE_ALL_CLASSES);
    assert_int_equal(run_cli_out(1, plain, out, sizeof out), 0);
    assert_null(strstr(out, "SMMU"));
    unlink(trc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tagged_versus_untagged),
        cmocka_unit_test(test_untagged_asid_switch),
        cmocka_unit_test(test_tlbi_vmalls12e1_scope),
        cmocka_unit_test(test_l1_l2_miss_counting),
        cmocka_unit_test(test_separate_s2_lookups),
        cmocka_unit_test(test_walks_from_records),
        cmocka_unit_test(test_rewalk_uses_walk_cache),
        cmocka_unit_test(test_fault_walk),
        cmocka_unit_test(test_untranslated_accesses),
        cmocka_unit_test(test_global_inferred),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_smp_tlbi_broadcast),
        cmocka_unit_test(test_cli_trace_file),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_smmu_tlb_replay),
        cmocka_unit_test(test_smmu_records_skip_pes),
        cmocka_unit_test(test_cli_smmu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
