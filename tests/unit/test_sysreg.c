/* Unit tests for cpu/sysreg: the register table and sysreg_decide(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/routing.h"
#include "cpu/sysreg.h"

#define SCTLR_DZE (1ULL << 14)
#define SCTLR_UCT (1ULL << 15)
#define SCTLR_UMA (1ULL << 9)
#define SCTLR_UCI (1ULL << 26)
#define CPTR_TFP (1ULL << 10)
#define CPTR_TCPAC (1ULL << 31)
#define FPEN(v) ((uint64_t)(v) << 20)

/* A context where nothing traps: FP enabled, EL0 controls enabled, counters enabled. */
static struct sysreg_ctx ctx(unsigned el, uint64_t hcr)
{
    return (struct sysreg_ctx){
        .el = el, .hcr_el2 = hcr,
        .sctlr_el1 = SCTLR_DZE | SCTLR_UCT | SCTLR_UMA | SCTLR_UCI,
        .cpacr_el1 = FPEN(3), .cptr_el2 = 0, .cnthctl_el2 = 3, .cntkctl_el1 = 3,
    };
}

static const struct sysreg_def *named(const char *name)
{
    const struct sysreg_def *d = sysreg_by_name(name);
    if (!d)
        fail_msg("no register named %s", name);
    return d;
}

static struct sysreg_decision decide(const struct sysreg_ctx *c, const char *name, bool is_read)
{
    const struct sysreg_def *d = named(name);
    return sysreg_decide(c, d->op0, d->op1, d->crn, d->crm, d->op2, is_read);
}

#define expect(dec, v, el) do { \
        struct sysreg_decision d_ = (dec); \
        if (d_.verdict != (v) || d_.target_el != (unsigned)(el)) \
            fail_msg("%s:%d: expected verdict %d EL%u, got verdict %d EL%u (%s)", __FILE__, \
                     __LINE__, (int)(v), (unsigned)(el), (int)d_.verdict, d_.target_el, \
                     d_.trap_name ? d_.trap_name : "-"); \
    } while (0)

static void test_table_sorted_unique(void **state)
{
    (void)state;
    int n = sysreg_count();
    assert_true(n > 100);
    assert_null(sysreg_at(-1));
    assert_null(sysreg_at(n));
    uint32_t prev = 0;
    for (int i = 0; i < n; i++) {
        const struct sysreg_def *d = sysreg_at(i);
        assert_non_null(d);
        assert_non_null(d->name);
        assert_int_equal(d->index, i);
        uint32_t k = SYSREG_KEY(d->op0, d->op1, d->crn, d->crm, d->op2);
        if (i > 0 && k <= prev)
            fail_msg("table not strictly sorted at %d (%s)", i, d->name);
        prev = k;
        if (sysreg_lookup(d->op0, d->op1, d->crn, d->crm, d->op2) != d)
            fail_msg("lookup of %s by its encoding does not return it", d->name);
        if (sysreg_by_name(d->name) != d)
            fail_msg("name %s is not unique", d->name);
        /* An entry with no access at all is a table mistake. */
        if (d->access == 0)
            fail_msg("%s has no access rights", d->name);
        if (d->storage == SR_NOT_MODELLED && !d->why_not)
            fail_msg("%s is not modelled but says nothing about why", d->name);
    }
}

static void test_lookup_by_name(void **state)
{
    (void)state;
    const struct sysreg_def *d = named("HCR_EL2");
    assert_int_equal(d->op0, 3); assert_int_equal(d->op1, 4); assert_int_equal(d->crn, 1);
    assert_int_equal(d->crm, 1); assert_int_equal(d->op2, 0);
    assert_int_equal(d->storage, SR_AVSIM);
    /* E2H is writable in the table; the write handler drops it on a PE without FEAT_VHE. */
    assert_int_equal(d->writable, HCR_EL2_V80_MASK | HCR_E2H);
    assert_ptr_equal(sysreg_lookup(3, 4, 1, 1, 0), d);

    d = named("SCTLR_EL1");
    assert_int_equal(d->op0, 3); assert_int_equal(d->op1, 0); assert_int_equal(d->crn, 1);
    assert_int_equal(d->crm, 0); assert_int_equal(d->op2, 0);
    assert_ptr_equal(sysreg_lookup(3, 0, 1, 0, 0), d);

    d = named("ID_AA64PFR0_EL1");
    assert_int_equal(d->op0, 3); assert_int_equal(d->op1, 0); assert_int_equal(d->crn, 0);
    assert_int_equal(d->crm, 4); assert_int_equal(d->op2, 0);
    assert_true(d->traps & TRAP_TID3);

    d = named("TLBI VMALLE1");
    assert_ptr_equal(sysreg_lookup(1, 0, 8, 7, 0), d);
    d = named("CNTPCT_EL0");
    assert_ptr_equal(sysreg_lookup(3, 3, 14, 0, 1), d);
    /* reserved ID space is present (RAZ), with a generated name */
    d = sysreg_lookup(3, 0, 0, 3, 7);
    assert_non_null(d);
    assert_string_equal(d->name, "S3_0_C0_C3_7");

    assert_null(sysreg_by_name("NO_SUCH_REG_EL1"));
    assert_null(sysreg_lookup(3, 0, 1, 0, 7));
}

/* FEAT_VHE registers exist only on a PE with it; the *_EL12 / *_EL02 aliases are accessible
 * only at EL2 with HCR_EL2.E2H = 1 (UNDEFINED otherwise, at any EL); EL1 encodings name the EL2
 * register they reach then (redirection, performed by the PE). */
static void test_vhe_registers(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(2, 0);
    expect(sysreg_decide(&c, 3, 4, 2, 0, 1, true), SRV_UNDEFINED, 2);        /* TTBR1_EL2, no VHE */
    expect(sysreg_decide(&c, 3, 5, 1, 0, 0, true), SRV_UNDEFINED, 2);        /* SCTLR_EL12 */
    c.features = 1u | (1u << SR_FEAT_VHE);
    expect(sysreg_decide(&c, 3, 4, 2, 0, 1, false), SRV_ACCESS, 2);
    expect(sysreg_decide(&c, 3, 4, 13, 0, 1, true), SRV_ACCESS, 2);          /* CONTEXTIDR_EL2 */
    expect(sysreg_decide(&c, 3, 5, 1, 0, 0, true), SRV_UNDEFINED, 2);        /* E2H = 0 */
    c.hcr_el2 = HCR_E2H | HCR_RW;
    expect(sysreg_decide(&c, 3, 5, 1, 0, 0, true), SRV_ACCESS, 2);
    expect(sysreg_decide(&c, 3, 5, 14, 3, 1, false), SRV_ACCESS, 2);        /* CNTV_CTL_EL02 */
    c.el = 1;
    expect(sysreg_decide(&c, 3, 5, 1, 0, 0, true), SRV_UNDEFINED, 1);        /* never at EL1 */
    const struct sysreg_def *d = named("SCTLR_EL12");
    assert_string_equal(sysreg_at(d->e2h_index)->name, "SCTLR_EL1");
    d = named("CNTV_CVAL_EL02");
    assert_string_equal(sysreg_at(d->e2h_index)->name, "CNTV_CVAL_EL0");
    d = named("VBAR_EL1");
    assert_string_equal(sysreg_at(d->e2h_index)->name, "VBAR_EL2");
    d = named("CNTKCTL_EL1");
    assert_string_equal(sysreg_at(d->e2h_index)->name, "CNTHCTL_EL2");
    d = named("CPACR_EL1");
    assert_string_equal(sysreg_at(d->e2h_index)->name, "CPTR_EL2");
    assert_int_equal(named("TPIDR_EL1")->e2h_index, -1);                     /* not redirected */
    assert_int_equal(named("VBAR_EL2")->e2h_index, -1);
}

static void test_unknown_encoding_undefined(void **state)
{
    (void)state;
    /* S3_0_C1_C0_7: no register there */
    struct sysreg_ctx c = ctx(0, 0);
    struct sysreg_decision d = sysreg_decide(&c, 3, 0, 1, 0, 7, true);
    expect(d, SRV_UNDEFINED, 1);
    assert_null(d.def);
    c = ctx(1, 0);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, true), SRV_UNDEFINED, 1);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, false), SRV_UNDEFINED, 1);
    c = ctx(1, HCR_TGE);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, true), SRV_UNDEFINED, 1);
    c = ctx(2, 0);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, true), SRV_UNDEFINED, 2);
    c = ctx(0, HCR_TGE);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, true), SRV_UNDEFINED, 2);
}

static void test_el_access_rights(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(1, 0);
    /* EL2 register from EL1: UNDEFINED at EL1 (even with every HCR trap set) */
    expect(decide(&c, "HCR_EL2", true), SRV_UNDEFINED, 1);
    expect(decide(&c, "HCR_EL2", false), SRV_UNDEFINED, 1);
    expect(decide(&c, "VBAR_EL2", true), SRV_UNDEFINED, 1);
    expect(decide(&c, "TLBI ALLE2", false), SRV_UNDEFINED, 1);
    c.hcr_el2 = HCR_EL2_V80_MASK & ~HCR_TGE;
    expect(decide(&c, "HCR_EL2", true), SRV_UNDEFINED, 1);
    /* EL1 register from EL0: UNDEFINED at EL1, at EL2 with TGE */
    c = ctx(0, 0);
    expect(decide(&c, "SCTLR_EL1", true), SRV_UNDEFINED, 1);
    c = ctx(0, HCR_TGE);
    expect(decide(&c, "SCTLR_EL1", true), SRV_UNDEFINED, 2);
    /* read-only register written */
    c = ctx(1, 0);
    expect(decide(&c, "MIDR_EL1", false), SRV_UNDEFINED, 1);
    expect(decide(&c, "MIDR_EL1", true), SRV_ACCESS, 1);
    /* TPIDRRO_EL0: EL0 read-only, EL1 read/write */
    c = ctx(0, 0);
    expect(decide(&c, "TPIDRRO_EL0", true), SRV_ACCESS, 0);
    expect(decide(&c, "TPIDRRO_EL0", false), SRV_UNDEFINED, 1);
    c = ctx(1, 0);
    expect(decide(&c, "TPIDRRO_EL0", false), SRV_ACCESS, 1);
    /* EL2 accesses its own and EL1 registers */
    c = ctx(2, 0);
    expect(decide(&c, "HCR_EL2", false), SRV_ACCESS, 2);
    expect(decide(&c, "SCTLR_EL1", false), SRV_ACCESS, 2);
    struct sysreg_decision d = decide(&c, "HCR_EL2", true);
    assert_ptr_equal(d.def, named("HCR_EL2"));
}

/* An HCR_EL2 trap control on one register: trap to EL2 from EL1 when set, access
 * when clear, never from EL2. */
static void check_hcr_trap(const char *name, uint64_t bit, bool is_read)
{
    struct sysreg_ctx c = ctx(1, 0);
    struct sysreg_decision d = decide(&c, name, is_read);
    if (d.verdict != SRV_ACCESS)
        fail_msg("%s %s from EL1 with HCR clear: verdict %d", name, is_read ? "read" : "write", d.verdict);
    c.hcr_el2 = bit;
    d = decide(&c, name, is_read);
    if (d.verdict != SRV_TRAP || d.target_el != 2)
        fail_msg("%s %s from EL1 with HCR bit 0x%llx: verdict %d EL%u", name,
                 is_read ? "read" : "write", (unsigned long long)bit, d.verdict, d.target_el);
    assert_ptr_equal(d.def, named(name));
    assert_non_null(d.trap_name);
    c = ctx(2, bit);
    expect(decide(&c, name, is_read), SRV_ACCESS, 2);
}

static void test_hcr_traps(void **state)
{
    (void)state;
    struct sysreg_ctx c;
    /* TVM: writes only */
    check_hcr_trap("SCTLR_EL1", HCR_TVM, false);
    check_hcr_trap("TTBR0_EL1", HCR_TVM, false);
    check_hcr_trap("MAIR_EL1", HCR_TVM, false);
    c = ctx(1, HCR_TVM);
    expect(decide(&c, "SCTLR_EL1", true), SRV_ACCESS, 1);
    /* TRVM: reads only */
    check_hcr_trap("SCTLR_EL1", HCR_TRVM, true);
    check_hcr_trap("TCR_EL1", HCR_TRVM, true);
    c = ctx(1, HCR_TRVM);
    expect(decide(&c, "SCTLR_EL1", false), SRV_ACCESS, 1);
    /* registers outside the group do not trap */
    c = ctx(1, HCR_TVM | HCR_TRVM);
    expect(decide(&c, "VBAR_EL1", false), SRV_ACCESS, 1);
    expect(decide(&c, "TPIDR_EL1", true), SRV_ACCESS, 1);
    /* TID1, TID2, TID3 */
    check_hcr_trap("REVIDR_EL1", HCR_TID1, true);
    check_hcr_trap("AIDR_EL1", HCR_TID1, true);
    check_hcr_trap("CCSIDR_EL1", HCR_TID2, true);
    check_hcr_trap("CLIDR_EL1", HCR_TID2, true);
    check_hcr_trap("CSSELR_EL1", HCR_TID2, false);
    check_hcr_trap("CTR_EL0", HCR_TID2, true);
    check_hcr_trap("ID_AA64PFR0_EL1", HCR_TID3, true);
    check_hcr_trap("ID_AA64MMFR0_EL1", HCR_TID3, true);
    check_hcr_trap("MVFR0_EL1", HCR_TID3, true);
    c = ctx(1, HCR_TID1 | HCR_TID2 | HCR_TID3);
    expect(decide(&c, "MIDR_EL1", true), SRV_ACCESS, 1);    /* never trapped by TIDx */
    expect(decide(&c, "MPIDR_EL1", true), SRV_ACCESS, 1);
    /* reserved ID encodings are trapped by TID3 too */
    c = ctx(1, HCR_TID3);
    expect(sysreg_decide(&c, 3, 0, 0, 3, 7, true), SRV_TRAP, 2);
    /* TID2 also traps EL0 reads of CTR_EL0 (when EL0 may read it) */
    c = ctx(0, HCR_TID2);
    expect(decide(&c, "CTR_EL0", true), SRV_TRAP, 2);
    /* TACR */
    check_hcr_trap("ACTLR_EL1", HCR_TACR, true);
    check_hcr_trap("ACTLR_EL1", HCR_TACR, false);
    /* TSW */
    check_hcr_trap("DC ISW", HCR_TSW, false);
    check_hcr_trap("DC CSW", HCR_TSW, false);
    check_hcr_trap("DC CISW", HCR_TSW, false);
    /* TPC (HCR_TPCP) */
    check_hcr_trap("DC IVAC", HCR_TPCP, false);
    check_hcr_trap("DC CVAC", HCR_TPCP, false);
    check_hcr_trap("DC CIVAC", HCR_TPCP, false);
    c = ctx(0, HCR_TPCP);
    expect(decide(&c, "DC CVAC", false), SRV_TRAP, 2);
    /* TPU */
    check_hcr_trap("IC IALLU", HCR_TPU, false);
    check_hcr_trap("IC IALLUIS", HCR_TPU, false);
    check_hcr_trap("IC IVAU", HCR_TPU, false);
    check_hcr_trap("DC CVAU", HCR_TPU, false);
    c = ctx(0, HCR_TPU);
    expect(decide(&c, "IC IVAU", false), SRV_TRAP, 2);
    /* TTLB */
    check_hcr_trap("TLBI VMALLE1", HCR_TTLB, false);
    check_hcr_trap("TLBI VMALLE1IS", HCR_TTLB, false);
    check_hcr_trap("TLBI VAE1", HCR_TTLB, false);
    check_hcr_trap("TLBI ASIDE1IS", HCR_TTLB, false);
    /* TDZ */
    check_hcr_trap("DC ZVA", HCR_TDZ, false);
    c = ctx(0, HCR_TDZ);
    expect(decide(&c, "DC ZVA", false), SRV_TRAP, 2);
    /* TIDCP: implemented IMP DEF registers */
    check_hcr_trap("L2CTLR_EL1", HCR_TIDCP, true);
    check_hcr_trap("CPUACTLR_EL1", HCR_TIDCP, false);
    check_hcr_trap("CBAR_EL1", HCR_TIDCP, true);
}

static void test_tidcp_unimplemented(void **state)
{
    (void)state;
    /* S3_2_C15_C0_0: IMPLEMENTATION DEFINED space, not implemented here. */
    assert_null(sysreg_lookup(3, 2, 15, 0, 0));
    struct sysreg_ctx c = ctx(1, HCR_TIDCP);
    struct sysreg_decision d = sysreg_decide(&c, 3, 2, 15, 0, 0, true);
    expect(d, SRV_TRAP, 2);
    assert_null(d.def);
    expect(sysreg_decide(&c, 3, 2, 15, 0, 0, false), SRV_TRAP, 2);
    /* CRn=11 too */
    expect(sysreg_decide(&c, 3, 5, 11, 3, 1, true), SRV_TRAP, 2);
    /* without TIDCP: UNDEFINED at EL1 */
    c = ctx(1, 0);
    expect(sysreg_decide(&c, 3, 2, 15, 0, 0, true), SRV_UNDEFINED, 1);
    /* from EL2: UNDEFINED at EL2 */
    c = ctx(2, HCR_TIDCP);
    expect(sysreg_decide(&c, 3, 2, 15, 0, 0, true), SRV_UNDEFINED, 2);
    /* TIDCP does not apply to op0=3 encodings outside CRn 11/15 */
    c = ctx(1, HCR_TIDCP);
    expect(sysreg_decide(&c, 3, 0, 1, 0, 7, true), SRV_UNDEFINED, 1);
}

static void test_el0_controls(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(0, 0);
    /* CTR_EL0: SCTLR_EL1.UCT */
    expect(decide(&c, "CTR_EL0", true), SRV_ACCESS, 0);
    c.sctlr_el1 &= ~SCTLR_UCT;
    expect(decide(&c, "CTR_EL0", true), SRV_TRAP, 1);
    c.hcr_el2 = HCR_TGE;
    expect(decide(&c, "CTR_EL0", true), SRV_TRAP, 2);
    c = ctx(1, 0);
    c.sctlr_el1 = 0;                 /* EL0 controls do not apply to EL1 */
    expect(decide(&c, "CTR_EL0", true), SRV_ACCESS, 1);
    /* DC ZVA: SCTLR_EL1.DZE */
    c = ctx(0, 0);
    expect(decide(&c, "DC ZVA", false), SRV_ACCESS, 0);
    c.sctlr_el1 &= ~SCTLR_DZE;
    expect(decide(&c, "DC ZVA", false), SRV_TRAP, 1);
    /* DAIF: SCTLR_EL1.UMA, reads and writes */
    c = ctx(0, 0);
    expect(decide(&c, "DAIF", true), SRV_ACCESS, 0);
    expect(decide(&c, "DAIF", false), SRV_ACCESS, 0);
    c.sctlr_el1 &= ~SCTLR_UMA;
    expect(decide(&c, "DAIF", true), SRV_TRAP, 1);
    expect(decide(&c, "DAIF", false), SRV_TRAP, 1);
    /* NZCV is not subject to UMA */
    expect(decide(&c, "NZCV", false), SRV_ACCESS, 0);
    /* DC CVAU: SCTLR_EL1.UCI */
    c = ctx(0, 0);
    c.sctlr_el1 &= ~SCTLR_UCI;
    expect(decide(&c, "DC CVAU", false), SRV_TRAP, 1);
    expect(decide(&c, "IC IVAU", false), SRV_TRAP, 1);
    /* EL1 trap of EL0 takes priority over the EL2 trap */
    c.hcr_el2 = HCR_TPU;
    expect(decide(&c, "IC IVAU", false), SRV_TRAP, 1);
}

static void test_fp_traps(void **state)
{
    (void)state;
    static const char *const regs[] = { "FPCR", "FPSR" };
    for (size_t i = 0; i < 2; i++) {
        const char *r = regs[i];
        struct sysreg_ctx c = ctx(1, 0);
        expect(decide(&c, r, true), SRV_ACCESS, 1);
        c.cpacr_el1 = FPEN(0);
        struct sysreg_decision d = decide(&c, r, true);
        expect(d, SRV_FP_TRAP, 1);
        assert_ptr_equal(d.def, named(r));
        expect(decide(&c, r, false), SRV_FP_TRAP, 1);
        c.cpacr_el1 = FPEN(2);
        expect(decide(&c, r, true), SRV_FP_TRAP, 1);
        /* FPEN=01: EL0 traps, EL1 does not */
        c.cpacr_el1 = FPEN(1);
        expect(decide(&c, r, true), SRV_ACCESS, 1);
        c.el = 0;
        expect(decide(&c, r, true), SRV_FP_TRAP, 1);
        c.el = 0;
        c.cpacr_el1 = FPEN(0);
        expect(decide(&c, r, false), SRV_FP_TRAP, 1);
        /* CPTR_EL2.TFP with FP enabled at EL1: trap to EL2 from EL0/EL1 */
        c = ctx(1, 0);
        c.cptr_el2 = CPTR_TFP;
        expect(decide(&c, r, true), SRV_FP_TRAP, 2);
        c.el = 0;
        expect(decide(&c, r, false), SRV_FP_TRAP, 2);
        /* CPACR_EL1 trap takes priority over CPTR_EL2.TFP */
        c = ctx(1, 0);
        c.cpacr_el1 = FPEN(0);
        c.cptr_el2 = CPTR_TFP;
        expect(decide(&c, r, true), SRV_FP_TRAP, 1);
        /* EL2: CPACR_EL1 ignored, CPTR_EL2.TFP applies */
        c = ctx(2, 0);
        c.cpacr_el1 = FPEN(0);
        expect(decide(&c, r, true), SRV_ACCESS, 2);
        c.cptr_el2 = CPTR_TFP;
        expect(decide(&c, r, true), SRV_FP_TRAP, 2);
    }
    /* non-FP registers are unaffected */
    struct sysreg_ctx c = ctx(1, 0);
    c.cpacr_el1 = FPEN(0);
    c.cptr_el2 = CPTR_TFP;
    expect(decide(&c, "NZCV", true), SRV_ACCESS, 1);
}

static void test_cpacr_tcpac(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(1, 0);
    expect(decide(&c, "CPACR_EL1", true), SRV_ACCESS, 1);
    c.cptr_el2 = CPTR_TCPAC;
    expect(decide(&c, "CPACR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "CPACR_EL1", false), SRV_TRAP, 2);
    c = ctx(2, 0);
    c.cptr_el2 = CPTR_TCPAC;
    expect(decide(&c, "CPACR_EL1", false), SRV_ACCESS, 2);
    /* EL0 cannot access CPACR_EL1 at all */
    c = ctx(0, 0);
    c.cptr_el2 = CPTR_TCPAC;
    expect(decide(&c, "CPACR_EL1", true), SRV_UNDEFINED, 1);
}

static void test_counters(void **state)
{
    (void)state;
    /* CNTPCT_EL0 from EL1 with CNTHCTL_EL2.EL1PCTEN=0: trap to EL2 */
    struct sysreg_ctx c = ctx(1, 0);
    expect(decide(&c, "CNTPCT_EL0", true), SRV_ACCESS, 1);
    c.cnthctl_el2 = 2;
    expect(decide(&c, "CNTPCT_EL0", true), SRV_TRAP, 2);
    /* CNTVCT_EL0 is not controlled by EL1PCTEN */
    expect(decide(&c, "CNTVCT_EL0", true), SRV_ACCESS, 1);
    c = ctx(2, 0);
    c.cnthctl_el2 = 0;
    expect(decide(&c, "CNTPCT_EL0", true), SRV_ACCESS, 2);
    /* EL0: CNTKCTL_EL1.EL0PCTEN first (to EL1), then CNTHCTL_EL2.EL1PCTEN (to EL2) */
    c = ctx(0, 0);
    expect(decide(&c, "CNTPCT_EL0", true), SRV_ACCESS, 0);
    c.cntkctl_el1 = 2;
    expect(decide(&c, "CNTPCT_EL0", true), SRV_TRAP, 1);
    c.cntkctl_el1 = 3;
    c.cnthctl_el2 = 2;
    expect(decide(&c, "CNTPCT_EL0", true), SRV_TRAP, 2);
    c = ctx(0, 0);
    c.cntkctl_el1 = 1;
    expect(decide(&c, "CNTVCT_EL0", true), SRV_TRAP, 1);
    expect(decide(&c, "CNTFRQ_EL0", true), SRV_ACCESS, 0);
    c.cntkctl_el1 = 0;
    expect(decide(&c, "CNTFRQ_EL0", true), SRV_TRAP, 1);
    /* CNTPCT_EL0 is read-only */
    c = ctx(1, 0);
    expect(decide(&c, "CNTPCT_EL0", false), SRV_UNDEFINED, 1);
    /* CNTFRQ_EL0 is writable at EL2 only */
    expect(decide(&c, "CNTFRQ_EL0", false), SRV_UNDEFINED, 1);
    c = ctx(2, 0);
    expect(decide(&c, "CNTFRQ_EL0", false), SRV_ACCESS, 2);
}

/* MDCR_EL2: TDA, TDOSA, TDRA (and TDE, which acts as all three), TPM and TPMCR trap EL0/EL1
 * accesses to EL2 (EC 0x18); EL2's own accesses never trap. */
static void test_mdcr_traps(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(1, HCR_RW);
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 1);
    c.mdcr_el2 = MDCR_EL2_TDA;
    expect(decide(&c, "MDSCR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "DBGBCR3_EL1", false), SRV_TRAP, 2);
    expect(decide(&c, "DBGWVR0_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "DBGCLAIMSET_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "OSLAR_EL1", false), SRV_ACCESS, 1);       /* TDOSA's */
    expect(decide(&c, "MDRAR_EL1", true), SRV_ACCESS, 1);        /* TDRA's */
    expect(decide(&c, "PMCR_EL0", true), SRV_ACCESS, 1);
    c.mdcr_el2 = MDCR_EL2_TDOSA;
    expect(decide(&c, "OSLAR_EL1", false), SRV_TRAP, 2);
    expect(decide(&c, "OSLSR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "OSDLR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "DBGPRCR_EL1", false), SRV_TRAP, 2);
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 1);
    c.mdcr_el2 = MDCR_EL2_TDRA;
    expect(decide(&c, "MDRAR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 1);
    c.mdcr_el2 = MDCR_EL2_TDE;
    expect(decide(&c, "MDSCR_EL1", true), SRV_TRAP, 2);
    expect(decide(&c, "OSLAR_EL1", false), SRV_TRAP, 2);
    expect(decide(&c, "MDRAR_EL1", true), SRV_TRAP, 2);
    c.mdcr_el2 = MDCR_EL2_TPM;
    expect(decide(&c, "PMCCNTR_EL0", true), SRV_TRAP, 2);
    expect(decide(&c, "PMINTENSET_EL1", false), SRV_TRAP, 2);
    expect(decide(&c, "PMEVTYPER5_EL0", false), SRV_TRAP, 2);
    expect(decide(&c, "PMCR_EL0", false), SRV_TRAP, 2);
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 1);
    c.mdcr_el2 = MDCR_EL2_TPMCR;
    expect(decide(&c, "PMCR_EL0", true), SRV_TRAP, 2);
    expect(decide(&c, "PMCCNTR_EL0", true), SRV_ACCESS, 1);
    /* EL2 itself: nothing traps. */
    c = ctx(2, HCR_RW);
    c.mdcr_el2 = MDCR_EL2_TDE | MDCR_EL2_TDA | MDCR_EL2_TPM | MDCR_EL2_TPMCR | MDCR_EL2_TDOSA | MDCR_EL2_TDRA;
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 2);
    expect(decide(&c, "PMCR_EL0", true), SRV_ACCESS, 2);
    expect(decide(&c, "MDRAR_EL1", true), SRV_ACCESS, 2);
    /* EL0: the PMU registers open to it trap with TPM too; the EL1-only ones are UNDEFINED. */
    c = ctx(0, HCR_RW);
    c.mdcr_el2 = MDCR_EL2_TPM;
    expect(decide(&c, "PMCCNTR_EL0", true), SRV_TRAP, 2);
    expect(decide(&c, "PMINTENSET_EL1", true), SRV_UNDEFINED, 1);
    expect(decide(&c, "MDSCR_EL1", true), SRV_UNDEFINED, 1);
    expect(decide(&c, "PMUSERENR_EL0", false), SRV_UNDEFINED, 1);   /* read-only at EL0 */
}

/* The PMU's own checks (pmu_check) come before MDCR_EL2.TPM: an UNDEFINED verdict for a
 * counter beyond HPMN, a trap to EL1 (EL2 with TGE) for EL0 without PMUSERENR_EL0. */
static enum pmu_access_check pmu_verdict;
static enum pmu_access_check fake_pmu_check(void *opaque, const struct sysreg_def *d, bool is_read)
{
    (void)opaque, (void)d, (void)is_read;
    return pmu_verdict;
}

static void test_pmu_checks_order(void **state)
{
    (void)state;
    struct sysreg_ctx c = ctx(0, HCR_RW);
    c.pmu_check = fake_pmu_check;
    c.mdcr_el2 = MDCR_EL2_TPM;
    pmu_verdict = PMU_ACCESS_TRAP_EL1;
    expect(decide(&c, "PMCCNTR_EL0", true), SRV_TRAP, 1);
    c.hcr_el2 = HCR_RW | HCR_TGE;
    expect(decide(&c, "PMCCNTR_EL0", true), SRV_TRAP, 2);
    c.hcr_el2 = HCR_RW;
    pmu_verdict = PMU_ACCESS_UNDEFINED;
    expect(decide(&c, "PMEVCNTR3_EL0", true), SRV_UNDEFINED, 1);
    pmu_verdict = PMU_ACCESS_OK;
    expect(decide(&c, "PMEVCNTR3_EL0", true), SRV_TRAP, 2);          /* then TPM */
    c = ctx(1, HCR_RW);
    c.pmu_check = fake_pmu_check;
    pmu_verdict = PMU_ACCESS_UNDEFINED;
    expect(decide(&c, "PMXEVCNTR_EL0", true), SRV_UNDEFINED, 1);
    /* Registers without TRAP_PMU never ask the PMU. */
    expect(decide(&c, "MDSCR_EL1", true), SRV_ACCESS, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted_unique),
        cmocka_unit_test(test_lookup_by_name),
        cmocka_unit_test(test_unknown_encoding_undefined),
        cmocka_unit_test(test_el_access_rights),
        cmocka_unit_test(test_hcr_traps),
        cmocka_unit_test(test_tidcp_unimplemented),
        cmocka_unit_test(test_el0_controls),
        cmocka_unit_test(test_fp_traps),
        cmocka_unit_test(test_cpacr_tcpac),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_mdcr_traps),
        cmocka_unit_test(test_pmu_checks_order),
        cmocka_unit_test(test_vhe_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
