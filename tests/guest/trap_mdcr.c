/* EC 0x18 traps of EL1 debug and PMU register accesses to EL2 by MDCR_EL2
 * (Arm ARM, the accessor pseudocode of each register):
 *   TDA:   MDSCR_EL1, DBGBVR0_EL1, DBGBCR0_EL1, DBGWVR0_EL1, DBGWCR0_EL1,
 *          MDCCINT_EL1;
 *   TDOSA: OSLSR_EL1, OSDLR_EL1 (and OSLAR_EL1 writes);
 *   TDRA:  MDRAR_EL1;
 *   TDE:   all of the above (it acts as TDA, TDOSA and TDRA set);
 *   TPM:   PMCR_EL0, PMCCNTR_EL0, PMCNTENSET_EL0, PMINTENSET_EL1, PMUSERENR_EL0,
 *          PMSELR_EL0, PMEVTYPER0_EL0, PMCEID0_EL0;
 *   TPMCR=1 alone does not trap the other PMU registers.
 * Each control traps its group with the full ISS (Op0/Op1/CRn/CRm/Op2, Rt,
 * direction) and ELR = the instruction; with MDCR_EL2 = HPMN only, none traps,
 * and a control does not trap the other groups. The registers QEMU 7.2 lacks
 * (DBGCLAIMSET_EL1, DBGAUTHSTATUS_EL1, DBGPRCR_EL1) and TPMCR's own trap of
 * PMCR_EL0, which it does not implement, are in trap_mdcr_spec.c. */
#include "sysreg_trap.h"

TRAP_HANDLERS

#define MDCR_TPMCR (1UL << 5)
#define MDCR_TPM (1UL << 6)
#define MDCR_TDE (1UL << 8)
#define MDCR_TDA (1UL << 9)
#define MDCR_TDOSA (1UL << 10)
#define MDCR_TDRA (1UL << 11)
#define HPMN 6UL

#define R(fn, reg, op0, op1, crn, crm, op2) ACCESS(fn, "", "mrs x5, " reg)
#define E(fn, reg, op0, op1, crn, crm, op2) { "mrs " reg, fn, SYSREG_ISS(op0, op1, crn, crm, op2, 5, 1) },

#define TDA(X)                                               \
    X(r_mdscr, "mdscr_el1", 2, 0, 0, 2, 2)                   \
    X(r_bvr0, "dbgbvr0_el1", 2, 0, 0, 0, 4)                  \
    X(r_bcr0, "dbgbcr0_el1", 2, 0, 0, 0, 5)                  \
    X(r_wvr0, "dbgwvr0_el1", 2, 0, 0, 0, 6)                  \
    X(r_wcr0, "dbgwcr0_el1", 2, 0, 0, 0, 7)                  \
    X(r_mdccint, "mdccint_el1", 2, 0, 0, 2, 0)
#define TDOSA(X)                                             \
    X(r_oslsr, "oslsr_el1", 2, 0, 1, 1, 4)                   \
    X(r_osdlr, "osdlr_el1", 2, 0, 1, 3, 4)
#define TDRA(X) X(r_mdrar, "mdrar_el1", 2, 0, 1, 0, 0)
#define TPM(X)                                               \
    X(r_pmccntr, "pmccntr_el0", 3, 3, 9, 13, 0)              \
    X(r_pmcntenset, "pmcntenset_el0", 3, 3, 9, 12, 1)        \
    X(r_pmintenset, "pmintenset_el1", 3, 0, 9, 14, 1)        \
    X(r_pmuserenr, "pmuserenr_el0", 3, 3, 9, 14, 0)          \
    X(r_pmselr, "pmselr_el0", 3, 3, 9, 12, 5)                \
    X(r_pmevtyper0, "pmevtyper0_el0", 3, 3, 14, 12, 0)       \
    X(r_pmceid0, "pmceid0_el0", 3, 3, 9, 12, 6)
#define TPMCR(X) X(r_pmcr, "pmcr_el0", 3, 3, 9, 12, 0)

TDA(R)
TDOSA(R)
TDRA(R)
TPM(R)
TPMCR(R)
ACCESS(w_oslar, "mov x5, #0", "msr oslar_el1, x5")

static const struct sysreg_access tda[] = { TDA(E) };
static const struct sysreg_access tdosa[] = {
    TDOSA(E)
    { "msr oslar_el1", w_oslar, SYSREG_ISS(2, 0, 1, 0, 4, 5, 0) },
};
static const struct sysreg_access tdra[] = { TDRA(E) };
static const struct sysreg_access tpm[] = { TPM(E) TPMCR(E) };
static const struct sysreg_access all_debug[] = {
    TDA(E) TDOSA(E) TDRA(E)
    { "msr oslar_el1", w_oslar, SYSREG_ISS(2, 0, 1, 0, 4, 5, 0) },
};
static const struct sysreg_access pm_not_pmcr[] = { TPM(E) };

/* Runs the list at EL1 with MDCR_EL2 = mdcr: each access traps (trapped) or none does. */
#define run_group(what, mdcr, list, n, trapped) sysreg_trap_group_mdcr(what, mdcr, HPMN, list, n, trapped)

int main(void)
{
    rt_puts("trap_mdcr\n");
    run_group("TDA=1", HPMN | MDCR_TDA, tda, N_ACCESS(tda), 1);
    run_group("TDOSA=1", HPMN | MDCR_TDOSA, tdosa, N_ACCESS(tdosa), 1);
    run_group("TDRA=1", HPMN | MDCR_TDRA, tdra, N_ACCESS(tdra), 1);
    run_group("TDE=1 (acts as TDA, TDOSA, TDRA)", HPMN | MDCR_TDE, all_debug, N_ACCESS(all_debug), 1);
    run_group("TPM=1", HPMN | MDCR_TPM, tpm, N_ACCESS(tpm), 1);
    run_group("TPMCR=1: other PMU registers do not trap", HPMN | MDCR_TPMCR, pm_not_pmcr,
              N_ACCESS(pm_not_pmcr), 0);
    run_group("TPM=1 TPMCR=1: debug registers do not trap", HPMN | MDCR_TPM | MDCR_TPMCR, all_debug,
              N_ACCESS(all_debug), 0);
    run_group("TDA=1 TDOSA=1 TDRA=1: PMU registers do not trap", HPMN | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA, tpm,
              N_ACCESS(tpm), 0);
    run_group("= HPMN only: nothing traps", HPMN, all_debug, N_ACCESS(all_debug), 0);
    return test_result();
}
