/* The generic timer's counters and the traps on them (Arm ARM D11.1-D11.2,
 * CNTFRQ_EL0, CNTPCT_EL0, CNTVCT_EL0, CNTVOFF_EL2, CNTHCTL_EL2 with
 * HCR_EL2.E2H = 0, CNTKCTL_EL1). No count is printed: only derived facts.
 *   CNTFRQ_EL0 = 62500000 (QEMU virt). CNTPCT_EL0 is monotonic over 1000
 *     reads at EL2 and advances.
 *   CNTVOFF_EL2 = 0x100000000 (reads back): CNTVCT_EL0 = CNTPCT_EL0 -
 *     CNTVOFF_EL2, read at EL2 (E2H=0: the offset applies at EL2 too) and at
 *     EL1, checked as pct0 - off <= vct <= pct1 - off with pct0/pct1 read just
 *     before/after (a wrapped 64-bit difference: the virtual count is
 *     "negative" here). With CNTVOFF_EL2 = 0: pct0 <= vct <= pct1.
 *   EL1 accesses to CNTVOFF_EL2 / CNTHCTL_EL2 / CNTHP_CTL_EL2 are UNDEFINED
 *     (EC 0x00 to EL1).
 *   CNTHCTL_EL2.EL1PCTEN=0 (EL1PCEN=1): an EL1 CNTPCT_EL0 read traps to EL2,
 *     EC 0x18, ISS = Op0 3 Op2 1 Op1 3 CRn 14 CRm 0 Rt 5 read; CNTVCT_EL0,
 *     CNTFRQ_EL0 and CNTP_CTL_EL0 do not trap (with ECV absent no control
 *     traps EL1 CNTVCT reads).
 *   CNTHCTL_EL2.EL1PCEN=0 (EL1PCTEN=1): EL1 reads and writes of CNTP_CTL_EL0,
 *     CNTP_CVAL_EL0, CNTP_TVAL_EL0 trap to EL2 (EC 0x18, full ISS); CNTPCT_EL0
 *     and the CNTV_* registers do not. QEMU 7.2 implements bit 1 as EL1PCEN
 *     for EL1 exactly as the Arm ARM describes for E2H=0.
 *   EL0 (run from EL1, HCR_EL2.TGE=0), traps to EL1 (CNTKCTL_EL1) are checked
 *     before traps to EL2 (CNTHCTL_EL2):
 *     CNTKCTL_EL1 = 0: CNTFRQ_EL0 (needs EL0PCTEN or EL0VCTEN), CNTPCT_EL0,
 *       CNTVCT_EL0, CNTV_CTL_EL0, CNTP_CTL_EL0 trap to EL1 (EC 0x18), even
 *       with CNTHCTL_EL2 = 0.
 *     EL0VCTEN only: CNTVCT_EL0 and CNTFRQ_EL0 are readable; CNTPCT_EL0 and
 *       CNTV_CTL_EL0 (EL0VTEN=0) trap to EL1.
 *     EL0VTEN only: CNTV_CTL/CVAL/TVAL_EL0 reads and writes are allowed;
 *       CNTP_CTL_EL0 (EL0PTEN=0) traps to EL1.
 *     EL0PTEN|EL0PCTEN with CNTHCTL_EL2.EL1PCEN=0: CNTP_CTL_EL0 and
 *       CNTP_CVAL_EL0 trap to EL2 (EL1PCEN covers EL0 accesses that
 *       CNTKCTL_EL1 lets through).
 *   EL0 CNTPCT_EL0 reads against CNTHCTL_EL2 (EL0PCTEN=1) are in
 *   timer_traps_spec: QEMU 7.2 checks EL1PCEN (bit 1) instead of EL1PCTEN
 *   (bit 0) for them. */
#include "trap.h"
#include "sysreg_trap.h"
#include "timer.h"

#define OFFSET 0x100000000UL

/* ---- EL1 accesses (Rt = x5) ---- */
#define RD(reg) "mrs x5, " #reg
#define WR(reg) "msr " #reg ", x5"
ACCESS(a_pct, "", RD(cntpct_el0))
ACCESS(a_vct, "", RD(cntvct_el0))
ACCESS(a_frq, "", RD(cntfrq_el0))
ACCESS(a_p_ctl_r, "", RD(cntp_ctl_el0))
ACCESS(a_p_ctl_w, "mov x5, #0", WR(cntp_ctl_el0))
ACCESS(a_p_cval_r, "", RD(cntp_cval_el0))
ACCESS(a_p_cval_w, "mov x5, #0", WR(cntp_cval_el0))
ACCESS(a_p_tval_r, "", RD(cntp_tval_el0))
ACCESS(a_p_tval_w, "mov x5, #0", WR(cntp_tval_el0))
ACCESS(a_v_ctl_r, "", RD(cntv_ctl_el0))
ACCESS(a_v_ctl_w, "mov x5, #0", WR(cntv_ctl_el0))
ACCESS(a_v_cval_r, "", RD(cntv_cval_el0))
ACCESS(a_v_tval_w, "mov x5, #0", WR(cntv_tval_el0))

#define ISS_R(crm, op2) SYSREG_ISS(3, 3, 14, crm, op2, 5, 1)
#define ISS_W(crm, op2) SYSREG_ISS(3, 3, 14, crm, op2, 5, 0)

static const struct sysreg_access pctEN_trapped[] = {
    { "EL1 mrs cntpct_el0", a_pct, ISS_R(0, 1) },
};
static const struct sysreg_access pctEN_free[] = {
    { "EL1 mrs cntvct_el0", a_vct, 0 },
    { "EL1 mrs cntfrq_el0", a_frq, 0 },
    { "EL1 mrs cntp_ctl_el0", a_p_ctl_r, 0 },
};
static const struct sysreg_access pcEN_trapped[] = {
    { "EL1 mrs cntp_ctl_el0", a_p_ctl_r, ISS_R(2, 1) },
    { "EL1 msr cntp_ctl_el0", a_p_ctl_w, ISS_W(2, 1) },
    { "EL1 mrs cntp_cval_el0", a_p_cval_r, ISS_R(2, 2) },
    { "EL1 msr cntp_cval_el0", a_p_cval_w, ISS_W(2, 2) },
    { "EL1 mrs cntp_tval_el0", a_p_tval_r, ISS_R(2, 0) },
    { "EL1 msr cntp_tval_el0", a_p_tval_w, ISS_W(2, 0) },
};
static const struct sysreg_access pcEN_free[] = {
    { "EL1 mrs cntpct_el0", a_pct, 0 },
    { "EL1 mrs cntv_ctl_el0", a_v_ctl_r, 0 },
    { "EL1 msr cntv_ctl_el0", a_v_ctl_w, 0 },
    { "EL1 mrs cntv_cval_el0", a_v_cval_r, 0 },
    { "EL1 msr cntv_tval_el0", a_v_tval_w, 0 },
};

/* Run `list` at EL1 with CNTHCTL_EL2 = cnthctl; each access must trap to
 * EL2 (trapped) or not at all. */
static void cnthctl_group(const char *title, uint64_t cnthctl, int trapped,
                          const struct sysreg_access *list, unsigned n)
{
    rt_printf("== %s\n", title);
    WRITE_SYSREG(cnthctl_el2, cnthctl);
    ISB();
    sr_list = list;
    sr_count = n;
    rt_run_el1(trapped ? sr_run_trapped : sr_run_untrapped, 0, 0);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    ISB();
}

/* ---- EL0 accesses ---- */
EL0_INSN(e_frq, "mrs x5, cntfrq_el0")
EL0_INSN(e_pct, "mrs x5, cntpct_el0")
EL0_INSN(e_vct, "mrs x5, cntvct_el0")
EL0_INSN(e_v_ctl_r, "mrs x5, cntv_ctl_el0")
EL0_INSN_SETUP(e_v_ctl_w, "mov x5, #0", "msr cntv_ctl_el0, x5")
EL0_INSN(e_v_cval_r, "mrs x5, cntv_cval_el0")
EL0_INSN_SETUP(e_v_cval_w, "mov x5, #0", "msr cntv_cval_el0, x5")
EL0_INSN(e_v_tval_r, "mrs x5, cntv_tval_el0")
EL0_INSN_SETUP(e_v_tval_w, "mov x5, #0", "msr cntv_tval_el0, x5")
EL0_INSN(e_p_ctl_r, "mrs x5, cntp_ctl_el0")
EL0_INSN(e_p_cval_r, "mrs x5, cntp_cval_el0")

struct el0_case {
    const char *name;
    uint64_t (*fn)(uint64_t);
    int el;          /* expected target EL, 0 = no trap */
    uint32_t iss;
};

static uint64_t (*volatile el0_fn)(uint64_t);
static uint64_t run_el0_from_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    rt_run_el0(el0_fn, 0);
    return 0;
}

static void el0_group(const char *title, uint64_t cntkctl, uint64_t cnthctl, const struct el0_case *c, unsigned n)
{
    rt_printf("== %s\n", title);
    WRITE_SYSREG(cntkctl_el1, cntkctl);
    WRITE_SYSREG(cnthctl_el2, cnthctl);
    ISB();
    for (unsigned i = 0; i < n; i++) {
        el0_fn = c[i].fn;
        rt_run_el1(run_el0_from_el1, 0, 0);
        if (c[i].el) {
            expect_trap(c[i].name, c[i].el, RT_VEC_LOWER64, 0x18, 1, c[i].iss, 0x1ffffff, 0);
            if (trap.count == 1)
                print_sysreg_iss((uint32_t)ESR_ISS(trap.esr));
        } else {
            expect_no_trap(c[i].name);
        }
    }
    WRITE_SYSREG(cntkctl_el1, 0);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    ISB();
}

static const struct el0_case kctl_zero[] = {
    { "EL0 mrs cntfrq_el0", e_frq, 1, ISS_R(0, 0) },
    { "EL0 mrs cntpct_el0", e_pct, 1, ISS_R(0, 1) },
    { "EL0 mrs cntvct_el0", e_vct, 1, ISS_R(0, 2) },
    { "EL0 mrs cntv_ctl_el0", e_v_ctl_r, 1, ISS_R(3, 1) },
    { "EL0 mrs cntp_ctl_el0", e_p_ctl_r, 1, ISS_R(2, 1) },
};
static const struct el0_case kctl_vcten[] = {
    { "EL0 mrs cntvct_el0", e_vct, 0, 0 },
    { "EL0 mrs cntfrq_el0", e_frq, 0, 0 },
    { "EL0 mrs cntpct_el0", e_pct, 1, ISS_R(0, 1) },
    { "EL0 mrs cntv_ctl_el0", e_v_ctl_r, 1, ISS_R(3, 1) },
};
static const struct el0_case kctl_vten[] = {
    { "EL0 mrs cntv_ctl_el0", e_v_ctl_r, 0, 0 },
    { "EL0 msr cntv_ctl_el0", e_v_ctl_w, 0, 0 },
    { "EL0 mrs cntv_cval_el0", e_v_cval_r, 0, 0 },
    { "EL0 msr cntv_cval_el0", e_v_cval_w, 0, 0 },
    { "EL0 mrs cntv_tval_el0", e_v_tval_r, 0, 0 },
    { "EL0 msr cntv_tval_el0", e_v_tval_w, 0, 0 },
    { "EL0 mrs cntp_ctl_el0", e_p_ctl_r, 1, ISS_R(2, 1) },
};
static const struct el0_case kctl_pten_pcen0[] = {
    { "EL0 mrs cntp_ctl_el0", e_p_ctl_r, 2, ISS_R(2, 1) },
    { "EL0 mrs cntp_cval_el0", e_p_cval_r, 2, ISS_R(2, 2) },
    /* EL0 mrs cntpct_el0 must not trap here (EL1PCTEN=1), but QEMU 7.2 traps
     * it to EL2: see timer_traps_spec. */
};

/* ---- EL1: CNTVCT_EL0 against CNTPCT_EL0 ---- */
static uint64_t el1_vct_bracket(uint64_t off)
{
    uint64_t p0 = cnt_pct(), v = cnt_vct(), p1 = cnt_pct();
    return cnt_diff(v, p0 - off) >= 0 && cnt_diff(p1 - off, v) >= 0;
}

/* EL1 accesses to EL2-only registers: UNDEFINED at EL1. */
ACCESS(u_cntvoff, "", "mrs x5, cntvoff_el2")
ACCESS(u_cnthctl, "", "mrs x5, cnthctl_el2")
ACCESS(u_cnthp_ctl, "", "mrs x5, cnthp_ctl_el2")
static uint64_t el1_undef(uint64_t arg)
{
    (void)arg;
    trap_reset();
    u_cntvoff();
    expect_trap("EL1 mrs cntvoff_el2", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    trap_reset();
    u_cnthctl();
    expect_trap("EL1 mrs cnthctl_el2", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    trap_reset();
    u_cnthp_ctl();
    expect_trap("EL1 mrs cnthp_ctl_el2", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    return 0;
}

TRAP_HANDLERS

int main(void)
{
    rt_puts("timer_counters\n");
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntkctl_el1, 0);
    WRITE_SYSREG(cntvoff_el2, 0);
    ISB();

    uint64_t frq = READ_SYSREG(cntfrq_el0);
    rt_printf("CNTFRQ_EL0 = %lu\n", frq);
    check(frq == TIMER_FREQ, "CNTFRQ_EL0");

    int mono = 1;
    uint64_t prev = cnt_pct();
    for (int i = 0; i < 1000; i++) {
        uint64_t now = cnt_pct();
        if (now < prev)
            mono = 0;
        prev = now;
    }
    rt_printf("CNTPCT_EL0 monotonic over 1000 reads: %s\n", yes_no(mono, "CNTPCT monotonic"));
    uint64_t start = cnt_pct();
    int adv = 0;
    for (unsigned long i = 0; i < 10000000 && !adv; i++)
        adv = cnt_pct() != start;
    rt_printf("CNTPCT_EL0 advances: %s\n", yes_no(adv, "CNTPCT advances"));

    rt_puts("== CNTVOFF_EL2\n");
    WRITE_SYSREG(cntvoff_el2, OFFSET);
    ISB();
    rt_printf("CNTVOFF_EL2 reads back 0x%lx\n", READ_SYSREG(cntvoff_el2));
    check(READ_SYSREG(cntvoff_el2) == OFFSET, "CNTVOFF_EL2");
    uint64_t p0 = cnt_pct(), v = cnt_vct(), p1 = cnt_pct();
    rt_printf("EL2: CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2 (bracketed by two CNTPCT reads): %s\n",
              yes_no(cnt_diff(v, p0 - OFFSET) >= 0 && cnt_diff(p1 - OFFSET, v) >= 0, "EL2 CNTVCT"));
    rt_printf("EL1: CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2 (bracketed by two CNTPCT reads): %s\n",
              yes_no(rt_run_el1(el1_vct_bracket, 0, OFFSET) != 0, "EL1 CNTVCT"));
    mono = 1;
    prev = cnt_vct();
    for (int i = 0; i < 1000; i++) {
        uint64_t now = cnt_vct();
        if (cnt_diff(now, prev) < 0)
            mono = 0;
        prev = now;
    }
    rt_printf("CNTVCT_EL0 monotonic over 1000 reads: %s\n", yes_no(mono, "CNTVCT monotonic"));
    WRITE_SYSREG(cntvoff_el2, 0);
    ISB();
    rt_printf("CNTVOFF_EL2 = 0, EL1: CNTVCT_EL0 bracketed by two CNTPCT_EL0 reads: %s\n",
              yes_no(rt_run_el1(el1_vct_bracket, 0, 0) != 0, "EL1 CNTVCT, no offset"));

    rt_puts("== EL2 registers from EL1\n");
    rt_run_el1(el1_undef, 0, 0);

    cnthctl_group("CNTHCTL_EL2.EL1PCTEN=0 (EL1PCEN=1)", CNTHCTL_EL1PCEN, 1, pctEN_trapped, N_ACCESS(pctEN_trapped));
    cnthctl_group("CNTHCTL_EL2.EL1PCTEN=0 (EL1PCEN=1), not trapped", CNTHCTL_EL1PCEN, 0, pctEN_free,
                  N_ACCESS(pctEN_free));
    cnthctl_group("CNTHCTL_EL2.EL1PCTEN=1", CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, 0, pctEN_trapped,
                  N_ACCESS(pctEN_trapped));
    cnthctl_group("CNTHCTL_EL2.EL1PCEN=0 (EL1PCTEN=1)", CNTHCTL_EL1PCTEN, 1, pcEN_trapped, N_ACCESS(pcEN_trapped));
    cnthctl_group("CNTHCTL_EL2.EL1PCEN=0 (EL1PCTEN=1), not trapped", CNTHCTL_EL1PCTEN, 0, pcEN_free,
                  N_ACCESS(pcEN_free));
    cnthctl_group("CNTHCTL_EL2.EL1PCEN=1", CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, 0, pcEN_trapped,
                  N_ACCESS(pcEN_trapped));

    el0_group("EL0, CNTKCTL_EL1=0, CNTHCTL_EL2=0 (EL1 traps first)", 0, 0, kctl_zero, N_ACCESS(kctl_zero));
    el0_group("EL0, CNTKCTL_EL1.EL0VCTEN=1", CNTKCTL_EL0VCTEN, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, kctl_vcten,
              N_ACCESS(kctl_vcten));
    el0_group("EL0, CNTKCTL_EL1.EL0VTEN=1", CNTKCTL_EL0VTEN, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, kctl_vten,
              N_ACCESS(kctl_vten));
    el0_group("EL0, CNTKCTL_EL1.EL0PTEN=1 EL0PCTEN=1, CNTHCTL_EL2.EL1PCEN=0 (EL1PCTEN=1)",
              CNTKCTL_EL0PTEN | CNTKCTL_EL0PCTEN, CNTHCTL_EL1PCTEN, kctl_pten_pcen0, N_ACCESS(kctl_pten_pcen0));

    WRITE_SYSREG(cntv_ctl_el0, 0);
    WRITE_SYSREG(cntp_ctl_el0, 0);
    ISB();
    return test_result();
}
