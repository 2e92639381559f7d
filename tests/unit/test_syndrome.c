/* Unit tests for cpu/syndrome: ESR_ELx packing and the per-class ISS encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/syndrome.h"

static void test_esr_make_fields(void **state)
{
    (void)state;
    uint64_t esr = esr_make(EC_SYSREG, true, 0x1234567);
    /* EC [31:26], IL [25], ISS [24:0] */
    assert_int_equal(esr, (0x18ULL << 26) | (1ULL << 25) | 0x1234567);
    assert_int_equal(esr_ec(esr), EC_SYSREG);
    assert_int_equal(esr_iss(esr), 0x1234567);
    assert_int_equal(esr >> 32, 0);

    esr = esr_make(EC_HVC64, false, 0x42);
    assert_int_equal(esr, 0x58000042ULL);
    assert_int_equal(esr_ec(esr), EC_HVC64);
    assert_int_equal(esr_iss(esr), 0x42);
    assert_false(esr & (1ULL << 25));

    /* ISS wider than 25 bits is truncated and does not leak into IL/EC. */
    esr = esr_make(EC_UNKNOWN, false, 0xffffffffu);
    assert_int_equal(esr, 0x1ffffffULL);
    assert_int_equal(esr_ec(esr), 0);
    /* EC wider than 6 bits is masked. */
    esr = esr_make(0x7f, true, 0);
    assert_int_equal(esr_ec(esr), 0x3f);
    assert_int_equal(esr, 0xfe000000ULL);
}

static void test_iss_sysreg_layout(void **state)
{
    (void)state;
    /* MRS x3, SCTLR_EL1: op0=3 op1=0 CRn=1 CRm=0 op2=0 Rt=3, read.
     * Op0[21:20]=3, CRn[13:10]=1, Rt[9:5]=3, Direction[0]=1. */
    assert_int_equal(iss_sysreg(3, 0, 1, 0, 0, 3, true), 0x300461);
    /* MSR SCTLR_EL1, x3: direction 0 */
    assert_int_equal(iss_sysreg(3, 0, 1, 0, 0, 3, false), 0x300460);
    /* Each field alone at its Arm ARM position. */
    assert_int_equal(iss_sysreg(1, 0, 0, 0, 0, 0, false), 1u << 20);
    assert_int_equal(iss_sysreg(2, 0, 0, 0, 0, 0, false), 2u << 20);
    assert_int_equal(iss_sysreg(0, 0, 0, 0, 7, 0, false), 7u << 17);
    assert_int_equal(iss_sysreg(0, 0, 0, 0, 1, 0, false), 1u << 17);
    assert_int_equal(iss_sysreg(0, 7, 0, 0, 0, 0, false), 7u << 14);
    assert_int_equal(iss_sysreg(0, 1, 0, 0, 0, 0, false), 1u << 14);
    assert_int_equal(iss_sysreg(0, 0, 15, 0, 0, 0, false), 15u << 10);
    assert_int_equal(iss_sysreg(0, 0, 0, 0, 0, 31, false), 31u << 5);
    assert_int_equal(iss_sysreg(0, 0, 0, 15, 0, 0, false), 15u << 1);
    assert_int_equal(iss_sysreg(0, 0, 0, 1, 0, 0, false), 1u << 1);
    assert_int_equal(iss_sysreg(0, 0, 0, 0, 0, 0, true), 1u);
    /* HCR_EL2 read into x30: op0=3 op1=4 CRn=1 CRm=1 op2=0 */
    assert_int_equal(iss_sysreg(3, 4, 1, 1, 0, 30, true),
                     (3u << 20) | (4u << 14) | (1u << 10) | (30u << 5) | (1u << 1) | 1u);
    /* All fields full: exactly ISS bits [21:0], nothing above. */
    assert_int_equal(iss_sysreg(3, 7, 15, 15, 7, 31, true), 0x3fffff);
    /* Oversized arguments are masked to their fields. */
    assert_int_equal(iss_sysreg(7, 15, 31, 31, 15, 63, true), 0x3fffff);
    /* TLBI VMALLE1: op0=1 op1=0 CRn=8 CRm=7 op2=0 Rt=31, write */
    assert_int_equal(iss_sysreg(1, 0, 8, 7, 0, 31, false), 0x1023ee);
}

static void test_iss_wfx(void **state)
{
    (void)state;
    /* CV[24]=1, COND[23:20]=0xE, TI[0]: 0 WFI, 1 WFE */
    assert_int_equal(iss_wfx(false), 0x01e00000);
    assert_int_equal(iss_wfx(true), 0x01e00001);
    assert_int_equal(esr_make(EC_WFX, true, iss_wfx(true)), 0x07e00001ULL);
}

static void test_iss_fp_access(void **state)
{
    (void)state;
    assert_int_equal(iss_fp_access(), 0x01e00000);
}

static void test_iss_data_abort_no_isv(void **state)
{
    (void)state;
    assert_int_equal(iss_data_abort(NULL, false, false, false, false, FSC_ALIGNMENT), 0x21);
    assert_int_equal(iss_data_abort(NULL, true, false, false, false, 0), 1u << 9);
    assert_int_equal(iss_data_abort(NULL, false, true, false, false, 0), 1u << 8);
    assert_int_equal(iss_data_abort(NULL, false, false, true, false, 0), 1u << 7);
    assert_int_equal(iss_data_abort(NULL, false, false, false, true, 0), 1u << 6);
    assert_int_equal(iss_data_abort(NULL, true, true, true, true, 0x3f), 0x3ff);
    assert_int_equal(iss_data_abort(NULL, false, false, false, false, 0xff), 0x3f);

    /* A syndrome with isv=false contributes nothing, whatever its other fields say. */
    struct data_iss is = { .isv = false, .sas = 3, .sse = true, .srt = 31, .sf = true, .ar = true };
    assert_int_equal(iss_data_abort(&is, false, false, false, true, FSC_SEA), (1u << 6) | 0x10);
}

static void test_iss_data_abort_isv(void **state)
{
    (void)state;
    struct data_iss is = { .isv = true };
    /* ISV alone */
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), 1u << 24);
    is.sas = 3;
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (3u << 22));
    is.sas = 1;
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (1u << 22));
    is = (struct data_iss){ .isv = true, .sse = true };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (1u << 21));
    is = (struct data_iss){ .isv = true, .srt = 31 };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (31u << 16));
    is = (struct data_iss){ .isv = true, .srt = 5 };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (5u << 16));
    is = (struct data_iss){ .isv = true, .sf = true };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (1u << 15));
    is = (struct data_iss){ .isv = true, .ar = true };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (1u << 14));

    /* STR x7 to a faulting address, SEA: ISV=1 SAS=3 SRT=7 SF=1 WnR=1 DFSC=0x10 */
    is = (struct data_iss){ .isv = true, .sas = 3, .srt = 7, .sf = true };
    assert_int_equal(iss_data_abort(&is, false, false, false, true, FSC_SEA), 0x01c78050);
    /* Everything set: bits 24:14 and 9:0; bits 13:10 (FnV, SET, VNCR) stay 0. */
    is = (struct data_iss){ .isv = true, .sas = 3, .sse = true, .srt = 31, .sf = true, .ar = true };
    assert_int_equal(iss_data_abort(&is, true, true, true, true, 0x3f), 0x01ffc3ff);
    /* Oversized fields are masked. */
    is = (struct data_iss){ .isv = true, .sas = 7, .srt = 63 };
    assert_int_equal(iss_data_abort(&is, false, false, false, false, 0), (1u << 24) | (3u << 22) | (31u << 16));
}

static void test_iss_instruction_abort(void **state)
{
    (void)state;
    assert_int_equal(iss_instruction_abort(false, false, FSC_SEA), 0x10);
    assert_int_equal(iss_instruction_abort(true, false, 0), 1u << 9);
    assert_int_equal(iss_instruction_abort(false, true, 0), 1u << 7);
    assert_int_equal(iss_instruction_abort(true, true, 0x3f), 0x2bf);
    assert_int_equal(iss_instruction_abort(false, false, 0x1ff), 0x3f);
}

static void test_esr_ec_name(void **state)
{
    (void)state;
    static const struct { unsigned ec; const char *name; } names[] = {
        {EC_UNKNOWN, "UNKNOWN"}, {EC_WFX, "WFx"}, {EC_FP_ACCESS, "FP_ACCESS"},
        {EC_ILLEGAL_STATE, "ILLEGAL_STATE"}, {EC_SVC64, "SVC64"}, {EC_HVC64, "HVC64"},
        {EC_SMC64, "SMC64"}, {EC_SYSREG, "SYSREG"}, {EC_IABORT_LOWER, "IABORT_LOWER"},
        {EC_IABORT_SAME, "IABORT_SAME"}, {EC_PC_ALIGN, "PC_ALIGN"},
        {EC_DABORT_LOWER, "DABORT_LOWER"}, {EC_DABORT_SAME, "DABORT_SAME"},
        {EC_SP_ALIGN, "SP_ALIGN"}, {EC_SERROR, "SERROR"}, {EC_BRK64, "BRK64"},
        {EC_PSEUDO_IRQ, "IRQ"}, {EC_PSEUDO_FIQ, "FIQ"}, {EC_PSEUDO_VIRQ, "VIRQ"},
        {EC_PSEUDO_VFIQ, "VFIQ"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(esr_ec_name(names[i].ec), names[i].name);
    /* Architectural values of the classes */
    assert_int_equal(EC_WFX, 0x01);
    assert_int_equal(EC_FP_ACCESS, 0x07);
    assert_int_equal(EC_SVC64, 0x15);
    assert_int_equal(EC_HVC64, 0x16);
    assert_int_equal(EC_SMC64, 0x17);
    assert_int_equal(EC_SYSREG, 0x18);
    assert_int_equal(EC_IABORT_LOWER, 0x20);
    assert_int_equal(EC_DABORT_LOWER, 0x24);
    assert_int_equal(EC_SERROR, 0x2f);
    assert_int_equal(EC_BRK64, 0x3c);
    /* Classes avsim never raises */
    assert_string_equal(esr_ec_name(0x3f), "EC_OTHER");
    assert_string_equal(esr_ec_name(0x11), "EC_OTHER");
    assert_string_equal(esr_ec_name(0x200), "EC_OTHER");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esr_make_fields),
        cmocka_unit_test(test_iss_sysreg_layout),
        cmocka_unit_test(test_iss_wfx),
        cmocka_unit_test(test_iss_fp_access),
        cmocka_unit_test(test_iss_data_abort_no_isv),
        cmocka_unit_test(test_iss_data_abort_isv),
        cmocka_unit_test(test_iss_instruction_abort),
        cmocka_unit_test(test_esr_ec_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
