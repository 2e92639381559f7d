/* Unit tests for cpu/block_cache: IC IVAU invalidation by physical page (the
 * decoded blocks of that page become stale, the others stay) and the page
 * filter that lets an invalidation of a page without blocks skip the scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <capstone/capstone.h>

#include "cpu/block_cache.h"
#include "cpu/insn.h"
#include "cpu/pe.h"

struct fixture {
    csh cs;
    struct block_cache bc;
};

static int setup(void **state)
{
    static struct fixture f;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &f.cs) != CS_ERR_OK)
        return -1;
    cs_option(f.cs, CS_OPT_DETAIL, CS_OPT_ON);
    if (block_cache_init(&f.bc, 4) != 0)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    block_cache_destroy(&f->bc);
    cs_close(&f->cs);
    return 0;
}

/* Two NOPs and a RET: a block of 12 bytes. */
static const uint32_t code[] = { 0xd503201f, 0xd503201f, 0xd65f03c0 };

static struct block_info *add(struct fixture *f, uint64_t va, uint64_t first, uint64_t last)
{
    struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, va,
                                              sizeof code, 1, first, last, code);
    assert_non_null(b);
    return b;
}

static void test_invalidate_by_page(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    add(f, 0x1000, 0x40001, 0x40001);
    add(f, 0x2000, 0x40002, 0x40002);
    add(f, 0x2ff8, 0x40002, 0x40003);           /* spans two pages */
    block_cache_invalidate_page(&f->bc, 0x40003);
    assert_false(block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x40001)->stale);
    assert_false(block_cache_find(&f->bc, 0x2000, sizeof code, 1, 0x40002)->stale);
    assert_true(block_cache_find(&f->bc, 0x2ff8, sizeof code, 1, 0x40002)->stale);
    block_cache_invalidate_page(&f->bc, 0x40001);
    assert_true(block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x40001)->stale);
    assert_false(block_cache_find(&f->bc, 0x2000, sizeof code, 1, 0x40002)->stale);
}

static void test_page_without_blocks_skips_the_scan(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    add(f, 0x1000, 0x40001, 0x40001);
    uint64_t scans = f->bc.invalidations, skipped = f->bc.scans_skipped;
    block_cache_invalidate_page(&f->bc, 0x50000);
    assert_int_equal(f->bc.invalidations, scans);
    assert_int_equal(f->bc.scans_skipped, skipped + 1);
    assert_false(block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x40001)->stale);
    /* After a flush the filter is empty: the old page no longer needs a scan. */
    block_cache_flush(&f->bc);
    block_cache_invalidate_page(&f->bc, 0x40001);
    assert_int_equal(f->bc.scans_skipped, skipped + 2);
}

static void test_unknown_page_always_scans(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    add(f, 0x1000, UINT64_MAX, 0x40001);       /* first page unknown: any IVAU may concern it */
    block_cache_invalidate_page(&f->bc, 0x50000);
    assert_true(block_cache_find(&f->bc, 0x1000, sizeof code, 1, UINT64_MAX)->stale);
}

static void test_filter_survives_growth(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    for (uint64_t i = 0; i < 64; i++)          /* 16 slots at first: the table grows */
        add(f, 0x10000 + i * 0x10, 0x60000 + i, 0x60000 + i);
    block_cache_invalidate_page(&f->bc, 0x60000 + 37);
    for (uint64_t i = 0; i < 64; i++)
        assert_int_equal(block_cache_find(&f->bc, 0x10000 + i * 0x10, sizeof code, 1, 0x60000 + i)->stale, i == 37);
}

/* One VA in two address spaces (another ASID, another VM): two blocks, one
 * per physical page; the same code under two ASIDs (a kernel's global
 * mappings) is one block. */
static void test_key_has_the_physical_page(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    struct block_info *a = add(f, 0x1000, 0x40001, 0x40001);
    uint64_t decodes = f->bc.decodes;
    struct block_info *b = add(f, 0x1000, 0x50001, 0x50001);
    assert_int_equal(f->bc.decodes, decodes + 1);
    a = block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x40001);
    assert_non_null(a);
    assert_ptr_equal(block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x50001), b);
    assert_ptr_not_equal(a, b);
    assert_null(block_cache_find(&f->bc, 0x1000, sizeof code, 1, 0x60001));
    block_cache_invalidate_page(&f->bc, 0x50001);
    assert_false(a->stale);
    assert_true(b->stale);
}

/* A block with more than four classes keeps its counts in the class pool. */
static void test_many_classes(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    /* add, ldr, str, mul w, sdiv w, isb: six classes */
    static const uint32_t w[] = { 0x8b020020, 0xf9400020, 0xf9000020, 0x1b027c20, 0x1ac20c20, 0xd5033fdf };
    struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x3000,
                                              sizeof w, 1, 0x40003, 0x40003, w);
    assert_non_null(b);
    assert_true(b->more_classes);
    uint64_t totals[IC_COUNT] = { 0 };
    block_count_classes(f->bc.class_pool, b, totals);
    assert_int_equal(totals[IC_ALU], 1);
    assert_int_equal(totals[IC_LOAD], 1);
    assert_int_equal(totals[IC_STORE], 1);
    assert_int_equal(totals[IC_MUL], 1);
    assert_int_equal(totals[IC_DIV], 1);
    assert_int_equal(totals[IC_BARRIER], 1);
    assert_int_equal(b->cycles, 1 + 4 + 1 + 3 + 12 + 14);
}

/* A word decoded before is classified from the memo, with the same result. */
static void test_word_memo(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    /* stp x29, x30, [sp, #-16]! ; mov x29, sp ; sdiv x0, x1, x2 ; add sp, sp, x3 */
    static const uint32_t w[] = { 0xa9bf7bfd, 0x910003fd, 0x9ac20c20, 0x8b2363ff };
    struct block_info *a = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x5000,
                                              sizeof w, 1, 0x40005, 0x40005, w);
    assert_non_null(a);
    uint32_t cycles = a->cycles, flags = a->flags;
    uint64_t hits = f->bc.memo_hits;
    struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x6000,
                                              sizeof w, 1, 0x40006, 0x40006, w);
    assert_non_null(b);
    assert_int_equal(f->bc.memo_hits, hits + 4);
    assert_int_equal(b->cycles, cycles);
    assert_int_equal(b->cycles, 1 + 1 + 1 + 20);          /* store, ALU, ALU, divide (X) */
    assert_int_equal(b->flags, flags);
    /* The SP write by a register (add sp, sp, x3) leaves the exit SP unknown. */
    assert_true(b->flags & BLOCK_SP_EXIT_UNKNOWN);
    assert_true(b->flags & BLOCK_SP_MEM);
    assert_false(b->flags & BLOCK_SP_COMPLEX);
}

/* MSR SPSel, #1 and MSR SP_EL0, Xt may change the current SP: from there on
 * SP is unknown, so the exit SP is not known aligned and a later SP-based
 * access is checked when it runs. */
static void test_msr_sp_unknown(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    static const uint32_t spsel[] = { 0xd50041bf, 0xf94003e0 };   /* msr spsel, #1 ; ldr x0, [sp] */
    static const uint32_t sp_el0[] = { 0xd5184100, 0xd503201f };  /* msr sp_el0, x0 ; nop */
    static const uint32_t plain[] = { 0xd503201f, 0xf94003e0 };   /* nop ; ldr x0, [sp] */
    struct block_info *a = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x7000,
                                              sizeof spsel, 1, 0x40007, 0x40007, spsel);
    assert_true(a->flags & BLOCK_SP_EXIT_UNKNOWN);
    assert_true(a->flags & BLOCK_SP_COMPLEX);
    struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x8000,
                                              sizeof sp_el0, 1, 0x40008, 0x40008, sp_el0);
    assert_true(b->flags & BLOCK_SP_EXIT_UNKNOWN);
    struct block_info *c = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, 0x9000,
                                              sizeof plain, 1, 0x40009, 0x40009, plain);
    assert_false(c->flags & BLOCK_SP_EXIT_UNKNOWN);
    assert_false(c->flags & BLOCK_SP_COMPLEX);
    assert_true(c->flags & BLOCK_SP_MEM);
}

/* Accesses that must be aligned and that Unicorn does not check (SP_ALIGNED): LDAR/STLR
 * and LDAPR of more than a byte, store-exclusives; the base is known at the block's start
 * unless an earlier instruction may write it; a store-exclusive after a load-exclusive of
 * its size at its unchanged base needs no check (the load's covers it). */
static const struct block_info *insert_words(struct fixture *f, const struct cpu_model *m, uint64_t va,
                                             const uint32_t *w, uint32_t n)
{
    const struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, m, va, 4 * n, 1,
                                                    va >> 12, va >> 12, w);
    assert_non_null(b);
    return b;
}

static unsigned n_aligned(struct fixture *f, const struct block_info *b, int *base_reg)
{
    unsigned k = 0;
    const struct block_special *s = block_specials(&f->bc, b);
    for (uint32_t i = 0; i < b->n_special; i++)
        if (s[i].kind == SP_ALIGNED) {
            *base_reg = s[i].base_reg;
            k++;
        }
    return k;
}

static void test_aligned_specials(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    const struct cpu_model *a57 = &cpu_model_cortex_a57, *max = cpu_model_find("max");
    assert_non_null(max);
    int base = -2;
    static const uint32_t ldar[] = { 0xc8dffc20 };                         /* ldar x0, [x1] */
    const struct block_info *b = insert_words(f, a57, 0xa000, ldar, 1);
    assert_int_equal(n_aligned(f, b, &base), 1);
    assert_int_equal(base, 1);
    assert_int_equal(block_specials(&f->bc, b)[0].sp_delta, 0);
    assert_true(b->flags & BLOCK_HAS_TRAP_SPECIAL);
    static const uint32_t add_ldar[] = { 0x91002021, 0xc8dffc20 };         /* add x1, x1, #8 ; ldar x0, [x1] */
    b = insert_words(f, a57, 0xa100, add_ldar, 2);
    assert_int_equal(n_aligned(f, b, &base), 1);
    assert_int_equal(base, 1);                                              /* x1 at the start + 8 */
    assert_int_equal(block_specials(&f->bc, b)[0].sp_delta, 8);
    static const uint32_t mov_sub[] = { 0xaa0103e3, 0xd1001063, 0xc8dffc60 }; /* mov x3, x1 ; sub x3, x3, #4 ; ldar x0, [x3] */
    b = insert_words(f, a57, 0xa180, mov_sub, 3);
    assert_int_equal(n_aligned(f, b, &base), 1);
    assert_int_equal(base, 1);
    assert_int_equal(block_specials(&f->bc, b)[0].sp_delta, -4);
    static const uint32_t ld_ldar[] = { 0xf9400020, 0xc8dffc02 };          /* ldr x0, [x1] ; ldar x2, [x0] */
    b = insert_words(f, a57, 0xa1c0, ld_ldar, 2);
    assert_int_equal(n_aligned(f, b, &base), 1);
    assert_int_equal(base, -1);                                             /* known only when it runs */
    static const uint32_t ldar_ldar[] = { 0xc8dffc20, 0xc8dffc20 };        /* ldar x0, [x1] twice: x1 kept */
    b = insert_words(f, a57, 0xa200, ldar_ldar, 2);
    assert_int_equal(n_aligned(f, b, &base), 2);
    assert_int_equal(base, 1);
    /* ldxr w0, [x2] ; add w0, w0, #1 ; stxr w3, w0, [x2] ; cbnz w3, . : the LL/SC loop */
    static const uint32_t llsc[] = { 0x885f7c40, 0x11000400, 0x88037c40, 0x35000003 };
    b = insert_words(f, a57, 0xa300, llsc, 4);
    assert_int_equal(n_aligned(f, b, &base), 0);
    assert_false(b->flags & BLOCK_HAS_TRAP_SPECIAL);
    static const uint32_t llsc_x[] = { 0x885f7c40, 0xc8037c40 };           /* ldxr w0 ; stxr w3, x0: 8 bytes */
    b = insert_words(f, a57, 0xa400, llsc_x, 2);
    assert_int_equal(n_aligned(f, b, &base), 1);
    static const uint32_t pair[] = { 0xc87f1444, 0xc8231444 };             /* ldxp x4, x5 ; stxp w3, x4, x5 */
    b = insert_words(f, a57, 0xa500, pair, 2);
    assert_int_equal(n_aligned(f, b, &base), 0);
    static const uint32_t stxr[] = { 0x88037c40 };                         /* stxr w3, w0, [x2] alone */
    b = insert_words(f, a57, 0xa600, stxr, 1);
    assert_int_equal(n_aligned(f, b, &base), 1);
    static const uint32_t bytes[] = { 0x08dffc20 };                        /* ldarb w0, [x1] */
    b = insert_words(f, a57, 0xa700, bytes, 1);
    assert_int_equal(n_aligned(f, b, &base), 0);
    static const uint32_t ldapr[] = { 0xf8bfc020 };                        /* ldapr x0, [x1] */
    b = insert_words(f, a57, 0xa800, ldapr, 1);
    assert_int_equal(n_aligned(f, b, &base), 0);                       /* UNDEFINED there */
    b = insert_words(f, max, 0xa900, ldapr, 1);
    assert_int_equal(n_aligned(f, b, &base), 1);
    /* stlr w0, [sp] after add sp, sp, #16: SP + 16; the SP check comes first. */
    static const uint32_t stlr_sp[] = { 0x910043ff, 0x889fffe0 };
    b = insert_words(f, a57, 0xaa00, stlr_sp, 2);
    assert_int_equal(n_aligned(f, b, &base), 1);
    assert_int_equal(base, 31);
    const struct block_special *s = block_specials(&f->bc, b);
    unsigned spmem = b->n_special, aligned = b->n_special;
    for (uint32_t i = 0; i < b->n_special; i++) {
        if (s[i].kind == SP_SPMEM && spmem == b->n_special)
            spmem = i;
        if (s[i].kind == SP_ALIGNED)
            aligned = i;
    }
    assert_true(spmem < aligned);
}

static void test_may_write_gprs(void **state)
{
    (void)state;
    assert_int_equal(a64_may_write_gprs(0x91002021), 1u << 1);             /* add x1, x1, #8 */
    assert_int_equal(a64_may_write_gprs(0x910043ff), 1u << 31);            /* add sp, sp, #16 */
    assert_true(a64_may_write_gprs(0xf8408c20) & (1u << 1));               /* ldr x0, [x1, #8]! */
    assert_true(a64_may_write_gprs(0xd53c1100) & 1u);                      /* mrs x0, hcr_el2 */
    assert_true(a64_may_write_gprs(0x94000000) & (1u << 30));              /* bl . */
    assert_true(a64_may_write_gprs(0x0e043c20) & 1u);                      /* umov w0, v1.s[0] */
    /* casp x0, x1, x2, x3, [x4]: the old value into x0 and x1 (Rs, Rs+1); x2, x3 are read */
    assert_int_equal(a64_may_write_gprs(0x48207c82), 0x3u);
    assert_int_equal(a64_may_write_gprs(0x88037c40), 1u << 3);             /* stxr w3, w0, [x2]: the status */
    assert_int_equal(a64_may_write_gprs(0xc89ffc43), 0);                   /* stlr x3, [x2] */
    assert_int_equal(a64_may_write_gprs(0xa9bf7bfd), 1u << 31);            /* stp x29, x30, [sp, #-16]! */
    assert_int_equal(a64_may_write_gprs(0x00000000), UINT32_MAX);          /* UDF: unknown group */
}

/* The CPU model charges each instruction its class's cost (cpu/cpu_model.c): one word per
 * block, the block's cycles are that instruction's cost. Encodings from the Arm ARM. */
static unsigned cost_of(struct fixture *f, uint32_t insn, uint64_t va)
{
    const uint32_t w[1] = { insn };
    struct block_info *b = block_cache_insert(&f->bc, (void *)(uintptr_t)f->cs, &cpu_model_cortex_a57, va,
                                              4, 1, va >> 12, va >> 12, w);
    assert_non_null(b);
    return b->cycles;
}

static void test_model_costs_by_class(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    static const struct { uint32_t insn; unsigned cycles; const char *what; } cases[] = {
        { 0x8b020020, 1, "add x0, x1, x2" },
        { 0xf9400020, 4, "ldr x0, [x1]" },
        { 0xf9000020, 1, "str x0, [x1]" },
        { 0x1b027c20, 3, "mul w0, w1, w2" },
        { 0x9b027c20, 5, "mul x0, x1, x2" },
        { 0x9b427c20, 5, "smulh x0, x1, x2" },
        { 0x9b227c20, 3, "smull x0, w1, w2" },
        { 0x1ac20c20, 12, "sdiv w0, w1, w2" },
        { 0x9ac20c20, 20, "sdiv x0, x1, x2" },
        { 0x1e204020, 3, "fmov s0, s1" },
        { 0x1e622820, 5, "fadd d0, d1, d2" },
        { 0x1f420c20, 9, "fmadd d0, d1, d2, d3" },
        { 0x1e221820, 17, "fdiv s0, s1, s2" },
        { 0x1e621820, 32, "fdiv d0, d1, d2" },
        { 0xd5033fdf, 14, "isb" },
        { 0xd5033f9f, 14, "dsb sy" },
        { 0xd53c1100, 10, "mrs x0, hcr_el2" },
        { 0xd4000002, 1, "hvc #0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned c = cost_of(f, cases[i].insn, 0x10000 + 4 * i);
        if (c != cases[i].cycles)
            fail_msg("%s: %u cycles, expected %u", cases[i].what, c, cases[i].cycles);
    }
    assert_int_equal(cpu_model_cortex_a57.exception_entry, 14);
    assert_int_equal(cpu_model_cortex_a57.eret, 14);
}

/* --max-insns is checked by the clock (pe_insn_limit_due): that needs every instruction of
 * every CPU model to cost at least a cycle, and the margin to cover the most a block can have
 * (a page of instructions at the dearest class). */
static void test_costs_bound_the_limit_check(void **state)
{
    (void)state;
    for (int m = 0; cpu_models[m]; m++)
        for (int c = 0; c < IC_COUNT; c++) {
            if (cpu_models[m]->not_modelled)
                continue;
            if (cpu_models[m]->cost[c] < 1 || cpu_models[m]->cost[c] > 32)
                fail_msg("%s: class %s costs %u cycles (1 to 32 expected by pe_insn_limit_due)",
                         cpu_models[m]->name, insn_class_name((enum insn_class)c), cpu_models[m]->cost[c]);
        }
    assert_true(PE_INSN_LIMIT_MARGIN >= 1024 + 1024 * 31);
}

/* The block hook's front cache keys a block by one word (cpu/pe.h,
 * pe_front_key): VA << 10 | size | EL. For the blocks it takes (4-byte
 * aligned, canonical at 53 bits, under 4 KiB, cycles in 16 bits) the word
 * gives the VA, size and EL back, so no two blocks share a key. */
static void test_front_key(void **state)
{
    (void)state;
    static const uint64_t vas[] = { 0x40080000ULL, 0x40080004ULL, 0xffff800008010000ULL, 0xffff800008010ffcULL,
                                    0x0000aaaaaaaa0000ULL, 0xffffffffffffe000ULL, 0x001ffffffffff000ULL,
                                    0xffe0000000000000ULL };
    static const uint32_t sizes[] = { 4, 8, 20, 2048, 4092 };
    uint64_t keys[8 * 5 * 3];
    unsigned n = 0;
    for (unsigned v = 0; v < 8; v++)
        for (unsigned z = 0; z < 5; z++)
            for (unsigned el = 0; el < 3; el++) {
                assert_true(pe_front_keyable(vas[v], sizes[z], 100));
                uint64_t k = pe_front_key(vas[v], sizes[z], el);
                assert_int_equal((uint64_t)((int64_t)k >> 10) & ~3ULL, vas[v]);     /* the VA back */
                assert_int_equal(k & 0xffc, sizes[z]);
                assert_int_equal(k & 3, el);
                for (unsigned j = 0; j < n; j++)
                    assert_true(keys[j] != k);
                keys[n++] = k;
            }
    /* What the front cache leaves to the full path. */
    assert_false(pe_front_keyable(0x40080002ULL, 8, 10));            /* misaligned: a PC alignment fault */
    assert_false(pe_front_keyable(0x40080000ULL, 4096, 10));         /* no room for the size */
    assert_false(pe_front_keyable(0x40080000ULL, 6, 10));
    assert_false(pe_front_keyable(0x40080000ULL, 8, 70000));         /* cycles beyond 16 bits */
    assert_false(pe_front_keyable(0x0040000000000000ULL, 8, 10));    /* bit 54 is not a copy of bit 53 */
    assert_false(pe_front_keyable(0xff7ffffffffff000ULL, 8, 10));
    /* Two VAs that differ only above bit 53 would share a key: neither of such
     * a pair but the canonical one is keyable. */
    assert_int_equal(pe_front_key(0x0040000000001000ULL, 8, 1), pe_front_key(0x1000ULL, 8, 1));
    assert_true(pe_front_keyable(0x1000ULL, 8, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalidate_by_page),
        cmocka_unit_test(test_page_without_blocks_skips_the_scan),
        cmocka_unit_test(test_unknown_page_always_scans),
        cmocka_unit_test(test_filter_survives_growth),
        cmocka_unit_test(test_model_costs_by_class),
        cmocka_unit_test(test_key_has_the_physical_page),
        cmocka_unit_test(test_many_classes),
        cmocka_unit_test(test_word_memo),
        cmocka_unit_test(test_msr_sp_unknown),
        cmocka_unit_test(test_aligned_specials),
        cmocka_unit_test(test_may_write_gprs),
        cmocka_unit_test(test_front_key),
        cmocka_unit_test(test_costs_bound_the_limit_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
