/* Unit tests for cpu/insn: A64 decoding of system instructions, exception-generating
 * instructions, FP/SIMD classification, load/store syndromes and addresses.
 * Every encoding below was produced by aarch64-linux-gnu-as (disassembly in comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/insn.h"

static void test_sysreg_access(void **state)
{
    (void)state;
    /* d5381000  mrs x0, sctlr_el1 */
    assert_true(a64_is_sysreg_access(0xd5381000u));
    struct a64_sys s = a64_decode_sys(0xd5381000u);
    assert_int_equal(s.op0, 3); assert_int_equal(s.op1, 0); assert_int_equal(s.crn, 1);
    assert_int_equal(s.crm, 0); assert_int_equal(s.op2, 0); assert_int_equal(s.rt, 0);
    assert_true(s.is_read);
    /* d5181000  msr sctlr_el1, x0 */
    assert_true(a64_is_sysreg_access(0xd5181000u));
    s = a64_decode_sys(0xd5181000u);
    assert_int_equal(s.op0, 3); assert_int_equal(s.op1, 0); assert_int_equal(s.crn, 1);
    assert_int_equal(s.crm, 0); assert_int_equal(s.op2, 0); assert_int_equal(s.rt, 0);
    assert_false(s.is_read);
    /* d508871f  tlbi vmalle1 */
    assert_true(a64_is_sysreg_access(0xd508871fu));
    s = a64_decode_sys(0xd508871fu);
    assert_int_equal(s.op0, 1); assert_int_equal(s.op1, 0); assert_int_equal(s.crn, 8);
    assert_int_equal(s.crm, 7); assert_int_equal(s.op2, 0); assert_int_equal(s.rt, 31);
    assert_false(s.is_read);
    /* d53b0020  mrs x0, ctr_el0 */
    s = a64_decode_sys(0xd53b0020u);
    assert_int_equal(s.op0, 3); assert_int_equal(s.op1, 3); assert_int_equal(s.crn, 0);
    assert_int_equal(s.crm, 0); assert_int_equal(s.op2, 1); assert_int_equal(s.rt, 0);
    assert_true(s.is_read);
    /* d50b7420  dc zva, x0 */
    assert_true(a64_is_sysreg_access(0xd50b7420u));
    s = a64_decode_sys(0xd50b7420u);
    assert_int_equal(s.op0, 1); assert_int_equal(s.op1, 3); assert_int_equal(s.crn, 7);
    assert_int_equal(s.crm, 4); assert_int_equal(s.op2, 1);
    /* d53b4221  mrs x1, daif */
    s = a64_decode_sys(0xd53b4221u);
    assert_int_equal(s.op0, 3); assert_int_equal(s.op1, 3); assert_int_equal(s.crn, 4);
    assert_int_equal(s.crm, 2); assert_int_equal(s.op2, 1); assert_int_equal(s.rt, 1);

    /* op0 = 0: hints, barriers, MSR (immediate) are not register accesses */
    assert_false(a64_is_sysreg_access(A64_WFI));          /* d503207f wfi */
    assert_false(a64_is_sysreg_access(0xd50342dfu));      /* msr daifset, #2 */
    /* other classes */
    assert_false(a64_is_sysreg_access(0xd40000a1u));      /* svc #5 */
    assert_false(a64_is_sysreg_access(0x91000400u));      /* add x0, x0, #1 */
    assert_false(a64_is_sysreg_access(A64_ERET));
}

static void test_excgen(void **state)
{
    (void)state;
    static const struct { uint32_t insn; enum a64_excgen kind; unsigned imm; } cases[] = {
        { 0xd40000a1u, A64_SVC, 5 },          /* svc #5 */
        { 0xd4000842u, A64_HVC, 0x42 },       /* hvc #0x42 */
        { 0xd4000003u, A64_SMC, 0 },          /* smc #0 */
        { 0xd4200020u, A64_BRK, 1 },          /* brk #1 */
        { 0xd45e0000u, A64_HLT, 0xf000 },     /* hlt #0xf000 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(a64_excgen_kind(cases[i].insn), cases[i].kind);
        assert_int_equal(a64_imm16(cases[i].insn), cases[i].imm);
    }
    assert_int_equal(A64_HLT_SEMIHOSTING, 0xd45e0000u);
    assert_int_equal(a64_excgen_kind(A64_WFI), A64_NOT_EXCGEN);
    assert_int_equal(a64_excgen_kind(0xd5381000u), A64_NOT_EXCGEN);
    assert_int_equal(a64_excgen_kind(0x91000400u), A64_NOT_EXCGEN);
    assert_int_equal(a64_excgen_kind(A64_ERET), A64_NOT_EXCGEN);
    /* LL=00 with opc=000 is unallocated */
    assert_int_equal(a64_excgen_kind(0xd4000000u), A64_NOT_EXCGEN);
}

static void test_fp_simd(void **state)
{
    (void)state;
    assert_true(a64_is_fp_simd(0x9e6703e0u));      /* fmov d0, xzr */
    assert_false(a64_is_fp_simd(0x91000400u));     /* add x0, x0, #1 */
    assert_true(a64_is_fp_simd(0x3dc00000u));      /* ldr q0, [x0] */
    assert_false(a64_is_fp_simd(0xf9400841u));     /* ldr x1, [x2, #16] */
    assert_false(a64_is_fp_simd(0xa9410861u));     /* ldp x1, x2, [x3, #16] */
    assert_false(a64_is_fp_simd(0xd5381000u));     /* mrs x0, sctlr_el1 */
}

static struct a64_ldst dec(uint32_t insn)
{
    struct a64_ldst d;
    memset(&d, 0xa5, sizeof d);                   /* the decoder must clear everything */
    if (!a64_decode_ldst(insn, &d))
        fail_msg("0x%08x not decoded as a load/store", insn);
    assert_true(d.is_mem);
    return d;
}

static void check_iss(const struct a64_ldst *d, bool isv, unsigned sas, bool sse, unsigned srt,
                      bool sf, bool ar)
{
    assert_int_equal(d->iss.isv, isv);
    if (!isv)
        return;
    assert_int_equal(d->iss.sas, sas);
    assert_int_equal(d->iss.sse, sse);
    assert_int_equal(d->iss.srt, srt);
    assert_int_equal(d->iss.sf, sf);
    assert_int_equal(d->iss.ar, ar);
}

static void test_ldst_unsigned_imm(void **state)
{
    (void)state;
    /* f9400841  ldr x1, [x2, #16] */
    struct a64_ldst d = dec(0xf9400841u);
    assert_true(d.is_load); assert_false(d.is_store);
    assert_int_equal(d.size, 8); assert_int_equal(d.nregs, 1);
    assert_int_equal(d.rn, 2); assert_int_equal(d.rt, 1);
    assert_int_equal(d.mode, ADDR_BASE_IMM); assert_int_equal(d.imm, 16);
    assert_false(d.writeback); assert_false(d.vector); assert_false(d.exclusive);
    assert_false(d.acqrel);
    check_iss(&d, true, 3, false, 1, true, false);
    /* The whole data-abort ISS for it: ISV, SAS=3, SRT=1, SF, DFSC=SEA */
    assert_int_equal(iss_data_abort(&d.iss, false, false, false, false, FSC_SEA),
                     (1u << 24) | (3u << 22) | (1u << 16) | (1u << 15) | 0x10);

    /* 39401c83  ldrb w3, [x4, #7] */
    d = dec(0x39401c83u);
    assert_true(d.is_load);
    assert_int_equal(d.size, 1); assert_int_equal(d.rn, 4); assert_int_equal(d.imm, 7);
    check_iss(&d, true, 0, false, 3, false, false);

    /* b98008c5  ldrsw x5, [x6, #8] */
    d = dec(0xb98008c5u);
    assert_true(d.is_load);
    assert_int_equal(d.size, 4); assert_int_equal(d.rn, 6); assert_int_equal(d.imm, 8);
    check_iss(&d, true, 2, true, 5, true, false);

    /* b9000fe7  str w7, [sp, #12] */
    d = dec(0xb9000fe7u);
    assert_true(d.is_store); assert_false(d.is_load);
    assert_int_equal(d.size, 4); assert_int_equal(d.rn, 31); assert_int_equal(d.imm, 12);
    check_iss(&d, true, 2, false, 7, false, false);

    /* 39c00041  ldrsb w1, [x2] */
    d = dec(0x39c00041u);
    assert_true(d.is_load);
    assert_int_equal(d.size, 1); assert_int_equal(d.imm, 0);
    check_iss(&d, true, 0, true, 1, false, false);

    /* 79800483  ldrsh x3, [x4, #2] */
    d = dec(0x79800483u);
    assert_int_equal(d.size, 2); assert_int_equal(d.imm, 2);
    check_iss(&d, true, 1, true, 3, true, false);

    /* 3dc00000  ldr q0, [x0]: SIMD&FP, no instruction syndrome */
    d = dec(0x3dc00000u);
    assert_true(d.is_load); assert_true(d.vector);
    assert_int_equal(d.size, 16); assert_int_equal(d.imm, 0);
    check_iss(&d, false, 0, false, 0, false, false);
}

static void test_ldst_unscaled_and_index(void **state)
{
    (void)state;
    /* f85f8128  ldur x8, [x9, #-8] */
    struct a64_ldst d = dec(0xf85f8128u);
    assert_true(d.is_load);
    assert_int_equal(d.size, 8); assert_int_equal(d.rn, 9);
    assert_int_equal(d.mode, ADDR_BASE_IMM); assert_int_equal(d.imm, -8);
    assert_false(d.writeback);
    check_iss(&d, true, 3, false, 8, true, false);

    /* f8408841  ldtr x1, [x2, #8] (unprivileged, no writeback) */
    d = dec(0xf8408841u);
    assert_int_equal(d.imm, 8); assert_false(d.writeback);
    check_iss(&d, true, 3, false, 1, true, false);

    /* f8410d6a  ldr x10, [x11, #16]!  (pre-index: writeback, ISV=0) */
    d = dec(0xf8410d6au);
    assert_true(d.is_load);
    assert_int_equal(d.rn, 11); assert_int_equal(d.rt, 10);
    assert_int_equal(d.imm, 16); assert_true(d.writeback);
    assert_false(d.iss.isv);
    assert_int_equal(iss_data_abort(&d.iss, false, false, false, false, FSC_SEA), 0x10);

    /* f85e05ac  ldr x12, [x13], #-32  (post-index: address is the base) */
    d = dec(0xf85e05acu);
    assert_int_equal(d.rn, 13); assert_int_equal(d.rt, 12);
    assert_int_equal(d.imm, 0); assert_true(d.writeback);
    assert_false(d.iss.isv);
}

static void test_ldst_register_offset(void **state)
{
    (void)state;
    /* b87059ee  ldr w14, [x15, w16, uxtw #2] */
    struct a64_ldst d = dec(0xb87059eeu);
    assert_true(d.is_load);
    assert_int_equal(d.mode, ADDR_BASE_REG);
    assert_int_equal(d.rn, 15); assert_int_equal(d.rm, 16); assert_int_equal(d.rt, 14);
    assert_int_equal(d.extend, 2); assert_int_equal(d.shift, 2);
    assert_int_equal(d.size, 4);
    check_iss(&d, true, 2, false, 14, false, false);

    /* f873da51  ldr x17, [x18, w19, sxtw #3] */
    d = dec(0xf873da51u);
    assert_int_equal(d.mode, ADDR_BASE_REG);
    assert_int_equal(d.rn, 18); assert_int_equal(d.rm, 19);
    assert_int_equal(d.extend, 6); assert_int_equal(d.shift, 3);
    check_iss(&d, true, 3, false, 17, true, false);

    /* 38766ab4  ldrb w20, [x21, x22] */
    d = dec(0x38766ab4u);
    assert_int_equal(d.mode, ADDR_BASE_REG);
    assert_int_equal(d.rn, 21); assert_int_equal(d.rm, 22);
    assert_int_equal(d.extend, 3); assert_int_equal(d.shift, 0);
    check_iss(&d, true, 0, false, 20, false, false);

    /* 782778c5  strh w5, [x6, x7, lsl #1] */
    d = dec(0x782778c5u);
    assert_true(d.is_store);
    assert_int_equal(d.rn, 6); assert_int_equal(d.rm, 7);
    assert_int_equal(d.extend, 3); assert_int_equal(d.shift, 1);
    check_iss(&d, true, 1, false, 5, false, false);
}

static void test_ldst_pair_exclusive_acqrel(void **state)
{
    (void)state;
    /* a9410861  ldp x1, x2, [x3, #16] */
    struct a64_ldst d = dec(0xa9410861u);
    assert_true(d.is_load);
    assert_int_equal(d.nregs, 2); assert_int_equal(d.size, 8);
    assert_int_equal(d.rn, 3); assert_int_equal(d.rt, 1);
    assert_int_equal(d.imm, 16); assert_false(d.writeback);
    assert_false(d.iss.isv);

    /* 29be0be1  stp w1, w2, [sp, #-16]! */
    d = dec(0x29be0be1u);
    assert_true(d.is_store);
    assert_int_equal(d.nregs, 2); assert_int_equal(d.size, 4);
    assert_int_equal(d.rn, 31); assert_int_equal(d.imm, -16); assert_true(d.writeback);
    assert_false(d.iss.isv);

    /* c8dffca4  ldar x4, [x5] */
    d = dec(0xc8dffca4u);
    assert_true(d.is_load); assert_false(d.exclusive); assert_true(d.acqrel);
    assert_int_equal(d.size, 8); assert_int_equal(d.nregs, 1);
    assert_int_equal(d.rn, 5); assert_int_equal(d.imm, 0);
    check_iss(&d, true, 3, false, 4, true, true);

    /* 889ffce6  stlr w6, [x7] */
    d = dec(0x889ffce6u);
    assert_true(d.is_store); assert_false(d.exclusive); assert_true(d.acqrel);
    assert_int_equal(d.size, 4); assert_int_equal(d.rn, 7);
    check_iss(&d, true, 2, false, 6, false, true);
    assert_int_equal(iss_data_abort(&d.iss, false, false, false, true, FSC_SEA),
                     (1u << 24) | (2u << 22) | (6u << 16) | (1u << 14) | (1u << 6) | 0x10);

    /* c85f7d28  ldxr x8, [x9] */
    d = dec(0xc85f7d28u);
    assert_true(d.is_load); assert_true(d.exclusive); assert_false(d.acqrel);
    assert_int_equal(d.size, 8); assert_int_equal(d.nregs, 1); assert_int_equal(d.rn, 9);
    assert_false(d.iss.isv);
}

/* FEAT_LSE atomics (decoded for aborts on CPUs that have them, --cpu=max): each reads and
 * writes its location, aligned to its total size, with no syndrome (ISV = 0). */
static void test_ldst_lse_atomics(void **state)
{
    (void)state;
    /* 48247c46  casp x4, x5, x6, x7, [x2] */
    struct a64_ldst d = dec(0x48247c46u);
    assert_true(d.is_mem); assert_true(d.atomic); assert_false(d.exclusive);
    assert_true(d.is_load); assert_true(d.is_store);
    assert_int_equal(d.size, 8); assert_int_equal(d.nregs, 2);
    assert_int_equal(d.rn, 2); assert_int_equal(d.rt, 6); assert_int_equal(d.imm, 0);
    assert_false(d.acqrel); assert_false(d.iss.isv);

    /* 0864fc66  caspal w4, w5, w6, w7, [x3] */
    d = dec(0x0864fc66u);
    assert_true(d.atomic); assert_int_equal(d.size, 4); assert_int_equal(d.nregs, 2);
    assert_int_equal(d.rn, 3); assert_true(d.acqrel);

    /* c8a17c62  cas x1, x2, [x3]; 08e17fe2  casab w1, w2, [sp] */
    d = dec(0xc8a17c62u);
    assert_true(d.atomic); assert_int_equal(d.size, 8); assert_int_equal(d.nregs, 1); assert_int_equal(d.rn, 3);
    d = dec(0x08e17fe2u);
    assert_true(d.atomic); assert_int_equal(d.size, 1); assert_int_equal(d.rn, 31); assert_true(d.acqrel);

    /* f8210062  ldadd x1, x2, [x3]; b8e10062  ldaddal w1, w2, [x3]; f821007f  stadd x1, [x3] */
    d = dec(0xf8210062u);
    assert_true(d.atomic); assert_true(d.is_load); assert_true(d.is_store);
    assert_int_equal(d.size, 8); assert_int_equal(d.rn, 3); assert_int_equal(d.rt, 2);
    assert_false(d.acqrel); assert_false(d.iss.isv); assert_false(d.writeback);
    d = dec(0xb8e10062u);
    assert_true(d.atomic); assert_int_equal(d.size, 4); assert_true(d.acqrel);
    d = dec(0xf821007fu);
    assert_true(d.atomic); assert_int_equal(d.rt, 31);

    /* f8a18062  swpa x1, x2, [x3]; 78214082  ldsmaxh w1, w2, [x4] */
    d = dec(0xf8a18062u);
    assert_true(d.atomic); assert_int_equal(d.size, 8); assert_true(d.acqrel);
    d = dec(0x78214082u);
    assert_true(d.atomic); assert_int_equal(d.size, 2); assert_int_equal(d.rn, 4);

    /* 38bfc061  ldaprb w1, [x3] (FEAT_LRCPC): a load-acquire, not an atomic */
    d = dec(0x38bfc061u);
    assert_true(d.is_load); assert_false(d.is_store); assert_false(d.atomic); assert_true(d.acqrel);
    assert_int_equal(d.size, 1);

    /* Unallocated o3:opc in the atomic group (f8219062: o3 = 1, opc = 001) is no access. */
    assert_false(a64_decode_ldst(0xf8219062u, &d));
}

static void test_ldst_literal_and_prfm(void **state)
{
    (void)state;
    /* at 0x64: 5800002a  ldr x10, 0x68 */
    struct a64_ldst d = dec(0x5800002au);
    assert_true(d.is_load);
    assert_int_equal(d.mode, ADDR_LITERAL);
    assert_int_equal(d.imm, 4); assert_int_equal(d.size, 8);
    check_iss(&d, true, 3, false, 10, true, false);
    assert_int_equal(a64_ldst_address(&d, 0x64, NULL, NULL), 0x68);

    /* at 0x90: 18fffec2  ldr w2, 0x68 */
    d = dec(0x18fffec2u);
    assert_int_equal(d.imm, -0x28); assert_int_equal(d.size, 4);
    check_iss(&d, true, 2, false, 2, false, false);
    assert_int_equal(a64_ldst_address(&d, 0x90, NULL, NULL), 0x68);

    /* at 0x94: 98fffea3  ldrsw x3, 0x68 */
    d = dec(0x98fffea3u);
    assert_int_equal(d.imm, -0x2c); assert_int_equal(d.size, 4);
    check_iss(&d, true, 2, true, 3, true, false);
    assert_int_equal(a64_ldst_address(&d, 0x94, NULL, NULL), 0x68);

    /* f9800000  prfm pldl1keep, [x0]: no memory access */
    struct a64_ldst p;
    assert_false(a64_decode_ldst(0xf9800000u, &p));
    assert_false(p.is_mem);

    /* not loads/stores at all */
    assert_false(a64_decode_ldst(0x91000400u, &p));       /* add x0, x0, #1 */
    assert_false(a64_decode_ldst(0xd5381000u, &p));       /* mrs x0, sctlr_el1 */
    assert_false(a64_decode_ldst(0x9e6703e0u, &p));       /* fmov d0, xzr */
}

/* Fake register file: x0..x30 and SP; reg 31 reads SP as a base, XZR as an index. */
struct fake_regs { uint64_t x[31]; uint64_t sp; int calls; };

static uint64_t fake_read(void *opaque, unsigned reg, bool is_sp)
{
    struct fake_regs *r = opaque;
    r->calls++;
    if (reg == 31)
        return is_sp ? r->sp : 0;
    return r->x[reg];
}

/* SIMD structure loads/stores: the exact bytes moved (an over-estimate made a
 * 16-byte load at the end of a page look like an access to the next page). */
static void test_ldst_simd_structures(void **state)
{
    (void)state;
    static const struct { uint32_t insn; unsigned bytes; bool load, post; int64_t wb; } cases[] = {
        { 0x4c407041u, 16, true, false, 0 },    /* ld1 {v1.16b}, [x2] */
        { 0x0c407041u, 8, true, false, 0 },     /* ld1 {v1.8b}, [x2] */
        { 0x4cdf7041u, 16, true, true, 16 },    /* ld1 {v1.16b}, [x2], #16 */
        { 0x4c40a041u, 32, true, false, 0 },    /* ld1 {v1.16b, v2.16b}, [x2] */
        { 0x4c406041u, 48, true, false, 0 },    /* ld1 {v1-v3.16b}, [x2] */
        { 0x4c402041u, 64, true, false, 0 },    /* ld1 {v1-v4.16b}, [x2] */
        { 0x4c408041u, 32, true, false, 0 },    /* ld2 {v1.16b, v2.16b}, [x2] */
        { 0x4c000041u, 64, false, false, 0 },   /* st4 {v1-v4.16b}, [x2] */
        { 0x0d40c041u, 1, true, false, 0 },     /* ld1r {v1.8b}, [x2] */
        { 0x4d40cc41u, 8, true, false, 0 },     /* ld1r {v1.2d}, [x2] */
        { 0x4d408441u, 8, true, false, 0 },     /* ld1 {v1.d}[1], [x2] */
        { 0x0d008041u, 4, false, false, 0 },    /* st1 {v1.s}[0], [x2] */
        { 0x4dc38441u, 8, true, true, 0 },      /* ld1 {v1.d}[1], [x2], x3 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct a64_ldst d = dec(cases[i].insn);
        assert_true(d.is_mem);
        assert_int_equal(d.size * d.nregs, cases[i].bytes);
        assert_int_equal(d.is_load, cases[i].load);
        assert_int_equal(d.writeback, cases[i].post);
        if (cases[i].post && cases[i].wb) {
            assert_true(d.wb_known);
            assert_int_equal(d.wb_imm, cases[i].wb);
        }
    }
}

static void test_ldst_address(void **state)
{
    (void)state;
    struct fake_regs r = { .sp = 0x80000 };
    for (unsigned i = 0; i < 31; i++)
        r.x[i] = 0x1000u * (i + 1);

    struct a64_ldst d = dec(0xf9400841u);                   /* ldr x1, [x2, #16] */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[2] + 16);
    d = dec(0xb9000fe7u);                                   /* str w7, [sp, #12] */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), 0x80000 + 12);
    d = dec(0xf85f8128u);                                   /* ldur x8, [x9, #-8] */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[9] - 8);
    d = dec(0xf8410d6au);                                   /* ldr x10, [x11, #16]! */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[11] + 16);
    d = dec(0xf85e05acu);                                   /* ldr x12, [x13], #-32 */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[13]);
    d = dec(0x29be0be1u);                                   /* stp w1, w2, [sp, #-16]! */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), 0x80000 - 16);
    d = dec(0xa9410861u);                                   /* ldp x1, x2, [x3, #16] */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[3] + 16);
    d = dec(0xc8dffca4u);                                   /* ldar x4, [x5] */
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[5]);

    /* ldr w14, [x15, w16, uxtw #2]: the upper 32 bits of x16 are ignored */
    d = dec(0xb87059eeu);
    r.x[16] = 0xffffffff00000010ULL;
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[15] + (0x10 << 2));
    /* ldr x17, [x18, w19, sxtw #3]: w19 = -2 */
    d = dec(0xf873da51u);
    r.x[19] = 0x00000000fffffffeULL;
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[18] - 16);
    /* ldrb w20, [x21, x22]: full 64-bit index */
    d = dec(0x38766ab4u);
    r.x[22] = 0x100000000ULL;
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[21] + 0x100000000ULL);
    /* strh w5, [x6, x7, lsl #1] */
    d = dec(0x782778c5u);
    assert_int_equal(a64_ldst_address(&d, 0, fake_read, &r), r.x[6] + (r.x[7] << 1));

    /* literal: the reader is not consulted */
    r.calls = 0;
    d = dec(0x5800002au);
    assert_int_equal(a64_ldst_address(&d, 0x40001000, fake_read, &r), 0x40001004);
    assert_int_equal(r.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sysreg_access),
        cmocka_unit_test(test_excgen),
        cmocka_unit_test(test_fp_simd),
        cmocka_unit_test(test_ldst_unsigned_imm),
        cmocka_unit_test(test_ldst_unscaled_and_index),
        cmocka_unit_test(test_ldst_register_offset),
        cmocka_unit_test(test_ldst_pair_exclusive_acqrel),
        cmocka_unit_test(test_ldst_lse_atomics),
        cmocka_unit_test(test_ldst_literal_and_prfm),
        cmocka_unit_test(test_ldst_simd_structures),
        cmocka_unit_test(test_ldst_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
