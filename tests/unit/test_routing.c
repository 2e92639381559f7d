/* Unit tests for cpu/routing: target EL, vector offsets, PSTATE on entry,
 * virtual interrupt enables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/routing.h"

static void test_target_el_all(void **state)
{
    (void)state;
    /* expected[from_el][tge][route] */
    static const unsigned expected[3][2][2] = {
        /* from EL0 */ { {1, 2}, {2, 2} },
        /* from EL1 */ { {1, 2}, {1, 2} },
        /* from EL2 */ { {2, 2}, {2, 2} },
    };
    for (unsigned el = 0; el < 3; el++)
        for (unsigned tge = 0; tge < 2; tge++)
            for (unsigned r = 0; r < 2; r++) {
                uint64_t hcr = tge ? HCR_TGE : 0;
                unsigned got = exception_target_el(el, hcr, r ? ROUTE_EL2 : ROUTE_EL1);
                if (got != expected[el][tge][r])
                    fail_msg("from EL%u TGE=%u route=%s: expected EL%u, got EL%u", el, tge,
                             r ? "EL2" : "EL1", expected[el][tge][r], got);
            }
}

static void test_target_el_ignores_other_hcr_bits(void **state)
{
    (void)state;
    uint64_t all_but_tge = HCR_EL2_V80_MASK & ~HCR_TGE;
    assert_int_equal(exception_target_el(0, all_but_tge, ROUTE_EL1), 1);
    assert_int_equal(exception_target_el(1, all_but_tge, ROUTE_EL1), 1);
    assert_int_equal(exception_target_el(0, HCR_EL2_V80_MASK, ROUTE_EL1), 2);
    assert_int_equal(exception_target_el(1, HCR_EL2_V80_MASK, ROUTE_EL1), 1);
}

static void test_vector_offset_current_el(void **state)
{
    (void)state;
    for (unsigned el = 1; el <= 2; el++) {
        /* Current EL with SP_EL0 */
        assert_int_equal(exception_vector_offset(el, el, false, 0), 0x000);
        assert_int_equal(exception_vector_offset(el, el, false, 1), 0x080);
        assert_int_equal(exception_vector_offset(el, el, false, 2), 0x100);
        assert_int_equal(exception_vector_offset(el, el, false, 3), 0x180);
        /* Current EL with SP_ELx */
        assert_int_equal(exception_vector_offset(el, el, true, 0), 0x200);
        assert_int_equal(exception_vector_offset(el, el, true, 1), 0x280);
        assert_int_equal(exception_vector_offset(el, el, true, 2), 0x300);
        assert_int_equal(exception_vector_offset(el, el, true, 3), 0x380);
    }
}

static void test_vector_offset_lower_el(void **state)
{
    (void)state;
    static const struct { unsigned from, to; } pairs[] = { {0, 1}, {0, 2}, {1, 2} };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        for (int sp = 0; sp < 2; sp++) {
            /* Lower EL using AArch64: SPSel does not matter */
            assert_int_equal(exception_vector_offset(pairs[i].from, pairs[i].to, sp, 0), 0x400);
            assert_int_equal(exception_vector_offset(pairs[i].from, pairs[i].to, sp, 1), 0x480);
            assert_int_equal(exception_vector_offset(pairs[i].from, pairs[i].to, sp, 2), 0x500);
            assert_int_equal(exception_vector_offset(pairs[i].from, pairs[i].to, sp, 3), 0x580);
        }
}

static void test_entry_pstate(void **state)
{
    (void)state;
    /* From EL0t with all NZCV set, nothing masked. */
    uint32_t p = exception_entry_pstate(0xf0000000u, 1);
    assert_int_equal(p, 0xf00003c5u);          /* NZCV, DAIF, EL1h */
    p = exception_entry_pstate(0xf0000000u, 2);
    assert_int_equal(p, 0xf00003c9u);          /* EL2h */
    /* NZCV is kept bit for bit */
    assert_int_equal(exception_entry_pstate(0x50000000u, 2) & 0xf0000000u, 0x50000000u);
    assert_int_equal(exception_entry_pstate(0xa0000000u, 1) & 0xf0000000u, 0xa0000000u);
    assert_int_equal(exception_entry_pstate(0, 1) & 0xf0000000u, 0);
    /* From EL1h with SS (bit 21) and IL (bit 20) set: both cleared, EL/SP replaced. */
    uint32_t old = (1u << 21) | (1u << 20) | (1u << 2) | 1u | 0x60000000u;
    p = exception_entry_pstate(old, 2);
    assert_false(p & (1u << 21));
    assert_false(p & (1u << 20));
    assert_int_equal((p >> 2) & 3u, 2);       /* EL */
    assert_int_equal(p & 1u, 1);              /* SPSel = 1 (SP_ELx) */
    assert_int_equal(p & 0x3c0u, 0x3c0u);     /* D A I F */
    assert_int_equal(p, 0x600003c9u);
    /* From EL2t (M=0b1000) to EL2: EL stays 2, SP becomes SP_EL2 */
    assert_int_equal(exception_entry_pstate(0x8u, 2), 0x3c9u);
    /* Old EL bits do not leak: from EL2h (0x9) to EL1 is not an architectural case,
     * but the EL field is replaced, not OR-ed. */
    assert_int_equal((exception_entry_pstate(0x9u, 1) >> 2) & 3u, 1);
}

static void test_virtual_interrupts(void **state)
{
    (void)state;
    const uint64_t all = HCR_IMO | HCR_FMO | HCR_AMO;
    /* EL2: never */
    for (unsigned k = 1; k <= 3; k++) {
        assert_false(virtual_interrupt_enabled(2, all, k));
        assert_false(virtual_interrupt_enabled(2, all | HCR_TGE, k));
    }
    /* TGE: never */
    for (unsigned el = 0; el <= 1; el++)
        for (unsigned k = 1; k <= 3; k++)
            assert_false(virtual_interrupt_enabled(el, all | HCR_TGE, k));
    for (unsigned el = 0; el <= 1; el++) {
        /* nothing routed */
        for (unsigned k = 1; k <= 3; k++)
            assert_false(virtual_interrupt_enabled(el, 0, k));
        /* IMO gates vIRQ only */
        assert_true(virtual_interrupt_enabled(el, HCR_IMO, 1));
        assert_false(virtual_interrupt_enabled(el, HCR_IMO, 2));
        assert_false(virtual_interrupt_enabled(el, HCR_IMO, 3));
        /* FMO gates vFIQ only */
        assert_false(virtual_interrupt_enabled(el, HCR_FMO, 1));
        assert_true(virtual_interrupt_enabled(el, HCR_FMO, 2));
        assert_false(virtual_interrupt_enabled(el, HCR_FMO, 3));
        /* AMO gates vSError only */
        assert_false(virtual_interrupt_enabled(el, HCR_AMO, 1));
        assert_false(virtual_interrupt_enabled(el, HCR_AMO, 2));
        assert_true(virtual_interrupt_enabled(el, HCR_AMO, 3));
        /* the pending bits VI/VF/VSE are not enables */
        assert_false(virtual_interrupt_enabled(el, HCR_VI | HCR_VF | HCR_VSE, 1));
        assert_false(virtual_interrupt_enabled(el, HCR_VI | HCR_VF | HCR_VSE, 2));
        assert_false(virtual_interrupt_enabled(el, HCR_VI | HCR_VF | HCR_VSE, 3));
        /* unknown kinds */
        assert_false(virtual_interrupt_enabled(el, all, 0));
        assert_false(virtual_interrupt_enabled(el, all, 4));
    }
}

static void test_hcr_bit_positions(void **state)
{
    (void)state;
    /* A few HCR_EL2 bit positions from the Arm ARM that the rest relies on. */
    assert_int_equal(HCR_VM, 1ULL << 0);
    assert_int_equal(HCR_FMO, 1ULL << 3);
    assert_int_equal(HCR_IMO, 1ULL << 4);
    assert_int_equal(HCR_AMO, 1ULL << 5);
    assert_int_equal(HCR_TSC, 1ULL << 19);
    assert_int_equal(HCR_TGE, 1ULL << 27);
    assert_int_equal(HCR_TRVM, 1ULL << 30);
    assert_int_equal(HCR_RW, 1ULL << 31);
    assert_int_equal(HCR_E2H, 1ULL << 34);
}

/* Physical interrupts: IMO/FMO/AMO or TGE route to EL2 (unmaskable below EL2,
 * masked by PSTATE at EL2); without routing they go to EL1 and are never
 * taken at EL2. */
static void test_physical_interrupt_target(void **state)
{
    (void)state;
    const uint32_t I = 1u << 7, F = 1u << 6, A = 1u << 8;
    /* Not routed: EL1 takes it unless masked; EL0 too; EL2 never. */
    assert_int_equal(physical_interrupt_target(1, 0, 1, 0), 1);
    assert_int_equal(physical_interrupt_target(1, 0, 1, I), -1);
    assert_int_equal(physical_interrupt_target(0, 0, 1, 0), 1);
    assert_int_equal(physical_interrupt_target(0, 0, 1, I), -1);
    assert_int_equal(physical_interrupt_target(2, 0, 1, 0), -1);
    /* IMO: EL0/EL1 always take it to EL2, whatever PSTATE.I; EL2 only when unmasked. */
    assert_int_equal(physical_interrupt_target(1, HCR_IMO, 1, I), 2);
    assert_int_equal(physical_interrupt_target(0, HCR_IMO, 1, I), 2);
    assert_int_equal(physical_interrupt_target(2, HCR_IMO, 1, 0), 2);
    assert_int_equal(physical_interrupt_target(2, HCR_IMO, 1, I), -1);
    /* TGE routes too; each kind has its own routing bit and mask bit. */
    assert_int_equal(physical_interrupt_target(0, HCR_TGE, 1, I), 2);
    assert_int_equal(physical_interrupt_target(1, HCR_IMO, 2, F), -1);       /* FIQ needs FMO */
    assert_int_equal(physical_interrupt_target(1, HCR_FMO, 2, F), 2);
    assert_int_equal(physical_interrupt_target(1, 0, 2, I), 1);             /* I does not mask FIQ */
    assert_int_equal(physical_interrupt_target(1, HCR_AMO, 3, A), 2);
    assert_int_equal(physical_interrupt_target(1, 0, 3, A), -1);
}

/* Virtual interrupts: EL0/EL1 only, with the routing bit, TGE clear, unmasked. */
static void test_virtual_interrupt_target(void **state)
{
    (void)state;
    const uint32_t I = 1u << 7;
    assert_int_equal(virtual_interrupt_target(1, HCR_IMO, 1, 0), 1);
    assert_int_equal(virtual_interrupt_target(0, HCR_IMO, 1, 0), 1);
    assert_int_equal(virtual_interrupt_target(1, HCR_IMO, 1, I), -1);
    assert_int_equal(virtual_interrupt_target(1, 0, 1, 0), -1);
    assert_int_equal(virtual_interrupt_target(2, HCR_IMO, 1, 0), -1);
    assert_int_equal(virtual_interrupt_target(1, HCR_IMO | HCR_TGE, 1, 0), -1);
    assert_int_equal(virtual_interrupt_target(1, HCR_FMO, 2, I), 1);        /* I does not mask FIQ */
}

/* AArch64.CheckFPEnabled: CPACR_EL1.FPEN for EL0/EL1 outside the host, then CPTR_EL2.TFP, or
 * with HCR_EL2.E2H CPTR_EL2.FPEN (bits 21:20): x0 traps EL0-EL2, 01 traps EL0 in the host. */
static void test_fp_access_trap_el(void **state)
{
    (void)state;
    const uint64_t fpen_all = 3ULL << 20, fpen_el1 = 1ULL << 20, tfp = 1ULL << 10;
    const uint64_t e2h = HCR_E2H | HCR_RW, host = HCR_E2H | HCR_TGE | HCR_RW;
    assert_int_equal(fp_access_trap_el(1, HCR_RW, 0, 0), 1);             /* CPACR_EL1.FPEN = 0 */
    assert_int_equal(fp_access_trap_el(0, HCR_RW, fpen_el1, 0), 1);      /* 01: EL0 traps */
    assert_int_equal(fp_access_trap_el(1, HCR_RW, fpen_el1, 0), -1);
    assert_int_equal(fp_access_trap_el(1, HCR_RW, fpen_all, tfp), 2);    /* CPTR_EL2.TFP */
    assert_int_equal(fp_access_trap_el(2, HCR_RW, 0, 0), -1);            /* EL2: CPACR_EL1 does not apply */
    /* E2H: CPTR_EL2 in CPACR's layout; TFP (bit 10) means nothing there. */
    assert_int_equal(fp_access_trap_el(2, e2h, 0, fpen_all), -1);
    assert_int_equal(fp_access_trap_el(2, e2h, 0, 0), 2);
    assert_int_equal(fp_access_trap_el(2, e2h, 0, 2ULL << 20), 2);       /* 10 traps as 00 */
    assert_int_equal(fp_access_trap_el(2, host, 0, fpen_el1), -1);       /* 01: EL2 runs */
    assert_int_equal(fp_access_trap_el(0, host, 0, fpen_el1), 2);        /* ... EL0 in the host traps */
    assert_int_equal(fp_access_trap_el(0, host, 0, fpen_all | tfp), -1);
    assert_int_equal(fp_access_trap_el(1, e2h, fpen_all, fpen_el1), -1); /* guest EL1: 01 only traps host EL0 */
    assert_int_equal(fp_access_trap_el(1, e2h, fpen_all, 0), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_physical_interrupt_target),
        cmocka_unit_test(test_virtual_interrupt_target),
        cmocka_unit_test(test_target_el_all),
        cmocka_unit_test(test_target_el_ignores_other_hcr_bits),
        cmocka_unit_test(test_vector_offset_current_el),
        cmocka_unit_test(test_vector_offset_lower_el),
        cmocka_unit_test(test_entry_pstate),
        cmocka_unit_test(test_virtual_interrupts),
        cmocka_unit_test(test_hcr_bit_positions),
        cmocka_unit_test(test_fp_access_trap_el),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
