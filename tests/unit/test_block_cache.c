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
                                              sizeof code, 1, code);
    assert_non_null(b);
    block_cache_set_pages(&f->bc, b, first, last);
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
    assert_false(block_cache_find(&f->bc, 0x1000, sizeof code, 1)->stale);
    assert_false(block_cache_find(&f->bc, 0x2000, sizeof code, 1)->stale);
    assert_true(block_cache_find(&f->bc, 0x2ff8, sizeof code, 1)->stale);
    block_cache_invalidate_page(&f->bc, 0x40001);
    assert_true(block_cache_find(&f->bc, 0x1000, sizeof code, 1)->stale);
    assert_false(block_cache_find(&f->bc, 0x2000, sizeof code, 1)->stale);
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
    assert_false(block_cache_find(&f->bc, 0x1000, sizeof code, 1)->stale);
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
    assert_true(block_cache_find(&f->bc, 0x1000, sizeof code, 1)->stale);
}

static void test_filter_survives_growth(void **state)
{
    struct fixture *f = *state;
    block_cache_flush(&f->bc);
    for (uint64_t i = 0; i < 64; i++)          /* 16 slots at first: the table grows */
        add(f, 0x10000 + i * 0x10, 0x60000 + i, 0x60000 + i);
    block_cache_invalidate_page(&f->bc, 0x60000 + 37);
    for (uint64_t i = 0; i < 64; i++)
        assert_int_equal(block_cache_find(&f->bc, 0x10000 + i * 0x10, sizeof code, 1)->stale, i == 37);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalidate_by_page),
        cmocka_unit_test(test_page_without_blocks_skips_the_scan),
        cmocka_unit_test(test_unknown_page_always_scans),
        cmocka_unit_test(test_filter_survives_growth),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
