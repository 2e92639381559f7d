/* Unit tests for the self-hosted debug match functions (cpu/pe_debug.c):
 * AArch64.GenerateDebugExceptionsFrom, BreakpointValueMatch, StateMatch,
 * BreakpointMatch, WatchpointMatch and the pages a watchpoint may watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/pe_debug.h"
#include "cpu/routing.h"

#define BCR(e, pmc, hmc, ssc, lbn, bt) \
    ((uint64_t)(e) | (uint64_t)(pmc) << 1 | 0xfULL << 5 | (uint64_t)(hmc) << 13 | (uint64_t)(ssc) << 14 | \
     (uint64_t)(lbn) << 16 | (uint64_t)(bt) << 20)
#define WCR(pac, lsc, bas, mask) \
    (1ULL | (uint64_t)(pac) << 1 | (uint64_t)(lsc) << 3 | (uint64_t)(bas) << 5 | (uint64_t)(mask) << 24)

static struct dbg_view view(unsigned el)
{
    struct dbg_view v = { 0 };
    v.el = el;
    v.el2_implemented = true;
    v.mdscr = MDSCR_MDE | MDSCR_KDE;
    return v;
}

static void test_generate(void **state)
{
    (void)state;
    struct dbg_view v = view(1);
    assert_true(dbg_generate_from(&v, 0, true));       /* EL0 -> EL1: mask does not matter */
    assert_true(dbg_generate_from(&v, 1, false));      /* same EL: KDE and D = 0 */
    assert_false(dbg_generate_from(&v, 1, true));
    assert_false(dbg_generate_from(&v, 2, false));     /* above the debug target */
    v.mdscr = MDSCR_MDE;
    assert_false(dbg_generate_from(&v, 1, false));     /* no KDE */
    v.mdscr = MDSCR_KDE;
    v.oslsr = 2;                                       /* the OS Lock */
    assert_false(dbg_generate_from(&v, 0, false));
    v.oslsr = 0;
    v.osdlr = 1;                                       /* the OS Double Lock ... */
    assert_false(dbg_generate_from(&v, 0, false));
    v.dbgprcr = 1;                                     /* ... unless CORENPDRQ */
    assert_true(dbg_generate_from(&v, 0, false));
    v.osdlr = v.dbgprcr = 0;
    v.mdcr_el2 = MDCR_EL2_TDE_BIT;                     /* debug target EL2 */
    assert_true(dbg_generate_from(&v, 1, true));
    assert_true(dbg_generate_from(&v, 2, false));
    assert_false(dbg_generate_from(&v, 2, true));
    v.mdcr_el2 = 0;
    v.hcr_el2 = HCR_TGE;
    assert_true(dbg_generate_from(&v, 0, true));
    assert_true(dbg_generate_from(&v, 2, false));
    v.el2_implemented = false;                         /* no EL2: TGE/TDE mean nothing */
    assert_false(dbg_generate_from(&v, 1, true));
    v = view(2);
    assert_int_equal(dbg_target_el(&v), 2);
    v.el = 0;
    assert_int_equal(dbg_target_el(&v), 1);
    v.hcr_el2 = HCR_TGE;
    assert_int_equal(dbg_target_el(&v), 2);
}

static void test_bp_address(void **state)
{
    (void)state;
    struct dbg_view v = view(1);
    v.bcr[0] = BCR(1, 1, 0, 0, 0, 0);
    v.bvr[0] = 0xffff000012345678ULL;
    assert_true(dbg_bp_match(&v, 0, 0xffff000012345678ULL));
    assert_false(dbg_bp_match(&v, 0, 0xffff00001234567cULL));
    assert_false(dbg_bp_match(&v, 0, 0x0000000012345678ULL));   /* top bits differ, no TBI */
    v.tbi_lo = true;                                            /* AddrTop 55 for VA[55] = 0 */
    v.bvr[0] = 0x12000000ULL;
    assert_true(dbg_bp_match(&v, 0, 0xab00000012000000ULL));
    v.el = 0;
    assert_false(dbg_bp_match(&v, 0, 0x12000000ULL));           /* PMC = EL1 only */
    v.bcr[0] = BCR(1, 3, 0, 0, 0, 0);
    assert_true(dbg_bp_match(&v, 0, 0x12000000ULL));
    v.bcr[0] = BCR(0, 3, 0, 0, 0, 0);                           /* disabled */
    assert_false(dbg_bp_match(&v, 0, 0x12000000ULL));
    /* EL2: HMC with SSC:PMC != 1000, or SSC = 11. */
    v = view(2);
    v.bvr[1] = 0x1000;
    v.bcr[1] = BCR(1, 3, 0, 0, 0, 0);
    assert_false(dbg_bp_match(&v, 1, 0x1000));
    v.bcr[1] = BCR(1, 0, 1, 1, 0, 0);
    assert_true(dbg_bp_match(&v, 1, 0x1000));
    v.bcr[1] = BCR(1, 0, 1, 2, 0, 0);                           /* SSC = Secure only: never */
    assert_false(dbg_bp_match(&v, 1, 0x1000));
    v.bcr[1] = BCR(1, 0, 0, 3, 0, 0);
    assert_true(dbg_bp_match(&v, 1, 0x1000));
    assert_false(dbg_bp_match(&v, 6, 0x1000));                  /* not implemented */
}

static void test_bp_context(void **state)
{
    (void)state;
    struct dbg_view v = view(1);
    v.contextidr_el1 = 0x42;
    v.vttbr_el2 = 7ULL << 48;
    /* Unlinked context-ID match on a context-aware breakpoint (4, 5): any address. */
    v.bcr[4] = BCR(1, 3, 0, 0, 0, 2);
    v.bvr[4] = 0x42;
    assert_true(dbg_bp_match(&v, 4, 0x1234));
    v.bvr[4] = 0x43;
    assert_false(dbg_bp_match(&v, 4, 0x1234));
    /* The same type on breakpoint 3 (not context-aware): reserved, disabled. */
    v.bcr[3] = BCR(1, 3, 0, 0, 0, 2);
    v.bvr[3] = 0x42;
    assert_false(dbg_bp_match(&v, 3, 0x1234));
    /* VMID match (BT 1000) and VMID + context ID (1010). */
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 8);
    v.bvr[5] = 7ULL << 32;
    assert_true(dbg_bp_match(&v, 5, 0));
    v.bvr[5] = 8ULL << 32;
    assert_false(dbg_bp_match(&v, 5, 0));
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 10);
    v.bvr[5] = 7ULL << 32 | 0x42;
    assert_true(dbg_bp_match(&v, 5, 0));
    v.el = 2;                                                   /* context matches never fire at EL2 */
    v.bcr[5] = BCR(1, 3, 1, 3, 0, 10);
    assert_false(dbg_bp_match(&v, 5, 0));
    v.el = 1;
    v.el2_implemented = false;                                  /* VMID types reserved without EL2 */
    assert_false(dbg_bp_match(&v, 5, 0));
    v.el2_implemented = true;
    /* FEAT_VHE types (011x, 11xx) are reserved on the Cortex-A57. */
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 6);
    assert_false(dbg_bp_match(&v, 5, 0));
    /* With FEAT_VHE: 0110 matches CONTEXTIDR_EL1 outside the host, 1100 CONTEXTIDR_EL2 (BVR[63:32]);
     * 0010 in the host (E2H and TGE, EL0) matches CONTEXTIDR_EL2. */
    v.have_vhe = true;
    v.contextidr_el2 = 0x99;
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 6);
    v.bvr[5] = 0x42;
    assert_true(dbg_bp_match(&v, 5, 0));
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 12);
    v.bvr[5] = 0x99ULL << 32;
    assert_true(dbg_bp_match(&v, 5, 0));
    v.hcr_el2 = HCR_E2H | HCR_TGE;
    v.el = 0;
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 2);
    v.bvr[5] = 0x99;
    assert_true(dbg_bp_match(&v, 5, 0));
    v.bcr[5] = BCR(1, 3, 0, 0, 0, 6);                           /* CONTEXTIDR_EL1 only outside the host */
    v.bvr[5] = 0x42;
    assert_false(dbg_bp_match(&v, 5, 0));
    v.have_vhe = false;
    v.hcr_el2 = 0;
    v.el = 1;
    /* Linked: address breakpoint 0 (BT 0001) linked to 4 (linked context ID, BT 0011). */
    v.bcr[4] = BCR(1, 3, 0, 0, 0, 3);
    v.bvr[4] = 0x42;
    v.bcr[0] = BCR(1, 3, 0, 0, 4, 1);
    v.bvr[0] = 0x8000;
    assert_true(dbg_bp_match(&v, 0, 0x8000));
    assert_false(dbg_bp_match(&v, 4, 0x8000));                  /* a linked context bp alone: no event */
    v.contextidr_el1 = 0x41;
    assert_false(dbg_bp_match(&v, 0, 0x8000));
    v.contextidr_el1 = 0x42;
    v.bcr[0] = BCR(1, 3, 0, 0, 2, 1);                           /* LBN not context-aware: no match */
    assert_false(dbg_bp_match(&v, 0, 0x8000));
    v.bcr[4] = BCR(1, 3, 0, 0, 0, 2);                           /* linked to an unlinked type: no match */
    v.bcr[0] = BCR(1, 3, 0, 0, 4, 1);
    assert_false(dbg_bp_match(&v, 0, 0x8000));
    assert_true(dbg_bp_value_match(&v, 4, 0, false));
    assert_false(dbg_bp_value_match(&v, 4, 0, true));
}

static void test_wp(void **state)
{
    (void)state;
    struct dbg_view v = view(1);
    v.wvr[0] = 0x1000;
    v.wcr[0] = WCR(3, 2, 0x04, 0);                 /* byte 2 of the doubleword, stores */
    assert_false(dbg_wp_match(&v, 0, 0x1000, 1, true, true));
    assert_true(dbg_wp_match(&v, 0, 0x1002, 1, true, true));
    assert_false(dbg_wp_match(&v, 0, 0x1002, 1, true, false));     /* a load: LSC = store */
    uint64_t hit = 0;
    assert_true(dbg_wp_match_first(&v, 0, 0x1000, 4, true, true, &hit));
    assert_int_equal(hit, 0x1002);
    assert_false(dbg_wp_match(&v, 0, 0x0ffc, 4, true, true));
    assert_true(dbg_wp_match(&v, 0, 0x0ff8, 16, true, true));      /* a pair across it */
    /* Word-aligned WVR (bit 2 set): BAS bits 0-3 cover that word. */
    v.wvr[0] = 0x1004;
    v.wcr[0] = WCR(3, 3, 0x01, 0);
    assert_true(dbg_wp_match(&v, 0, 0x1004, 1, true, false));
    assert_false(dbg_wp_match(&v, 0, 0x1000, 4, true, false));
    /* MASK: 2^12 bytes. */
    v.wvr[1] = 0x40000;
    v.wcr[1] = WCR(3, 3, 0xff, 12);
    assert_true(dbg_wp_match(&v, 1, 0x40ff8, 8, true, false));
    assert_false(dbg_wp_match(&v, 1, 0x41000, 8, true, false));
    assert_true(dbg_wp_match(&v, 1, 0x3fffc, 8, true, true));      /* its last 4 bytes are inside */
    v.wcr[1] = WCR(3, 3, 0xff, 2);                                 /* reserved MASK: disabled */
    assert_false(dbg_wp_match(&v, 1, 0x40000, 8, true, false));
    /* PAC = EL0: an EL1 access does not match, an unprivileged one (LDTR/STTR) does. */
    v.wvr[2] = 0x2000;
    v.wcr[2] = WCR(2, 3, 0xff, 0);
    assert_false(dbg_wp_match(&v, 2, 0x2000, 8, true, true));
    assert_true(dbg_wp_match(&v, 2, 0x2000, 8, false, true));
    /* Pages. */
    assert_true(dbg_wp_may_watch_page(&v, 1, 0x3f000) == false);
    v.wcr[1] = WCR(3, 3, 0xff, 13);                                /* 8 KiB from 0x40000 */
    assert_true(dbg_wp_may_watch_page(&v, 1, 0x41000));
    assert_false(dbg_wp_may_watch_page(&v, 1, 0x42000));
    assert_true(dbg_wp_may_watch_page(&v, 2, 0xff00000000002000ULL));   /* the top byte is left out */
    v.wcr[3] = 0;
    assert_false(dbg_wp_may_watch_page(&v, 3, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_bp_address),
        cmocka_unit_test(test_bp_context),
        cmocka_unit_test(test_wp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
