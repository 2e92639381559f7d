/* MDCR_EL2 traps that QEMU 7.2 does not implement, as the Arm ARM and the
 * Cortex-A57 have them (EC 0x18 to EL2 from EL1, full ISS):
 *   TDA:   DBGCLAIMSET_EL1, DBGCLAIMCLR_EL1, DBGAUTHSTATUS_EL1;
 *   TDOSA: DBGPRCR_EL1;
 *   TPMCR: PMCR_EL0 (and only PMCR_EL0: PMCCNTR_EL0 does not trap).
 * Without the controls the registers are accessible at EL1: the claim tags
 * read 0xff (CLAIMSET: eight tags implemented), DBGAUTHSTATUS_EL1 0xaa
 * (non-secure invasive and non-invasive debug implemented and enabled).
 * AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 has no DBGCLAIMSET/CLR_EL1,
 * DBGAUTHSTATUS_EL1 or DBGPRCR_EL1 (UNDEFINED at EL1), and its PMCR_EL0
 * access check looks at MDCR_EL2.TPM only, where the register's accessor
 * pseudocode also traps on MDCR_EL2.TPMCR. */
#include "sysreg_trap.h"

TRAP_HANDLERS

#define MDCR_TPMCR (1UL << 5)
#define MDCR_TDA (1UL << 9)
#define MDCR_TDOSA (1UL << 10)
#define HPMN 6UL

ACCESS(r_claimset, "", "mrs x5, dbgclaimset_el1")
ACCESS(r_claimclr, "", "mrs x5, dbgclaimclr_el1")
ACCESS(r_authstatus, "", "mrs x5, dbgauthstatus_el1")
ACCESS(r_dbgprcr, "", "mrs x5, dbgprcr_el1")
ACCESS(r_pmcr, "", "mrs x5, pmcr_el0")
ACCESS(r_pmccntr, "", "mrs x5, pmccntr_el0")

static const struct sysreg_access tda[] = {
    { "mrs dbgclaimset_el1", r_claimset, SYSREG_ISS(2, 0, 7, 8, 6, 5, 1) },
    { "mrs dbgclaimclr_el1", r_claimclr, SYSREG_ISS(2, 0, 7, 9, 6, 5, 1) },
    { "mrs dbgauthstatus_el1", r_authstatus, SYSREG_ISS(2, 0, 7, 14, 6, 5, 1) },
};
static const struct sysreg_access tdosa[] = { { "mrs dbgprcr_el1", r_dbgprcr, SYSREG_ISS(2, 0, 1, 4, 4, 5, 1) } };
static const struct sysreg_access tpmcr[] = { { "mrs pmcr_el0", r_pmcr, SYSREG_ISS(3, 3, 9, 12, 0, 5, 1) } };
static const struct sysreg_access not_tpmcr[] = { { "mrs pmccntr_el0", r_pmccntr, 0 } };

/* Runs the list at EL1 with MDCR_EL2 = mdcr: each access traps (trapped) or none does. */
#define run_group(what, mdcr, list, n, trapped) sysreg_trap_group_mdcr(what, mdcr, HPMN, list, n, trapped)

static uint64_t el1_values(uint64_t arg)
{
    (void)arg;
    rt_printf("EL1: DBGCLAIMSET_EL1 0x%lx DBGCLAIMCLR_EL1 0x%lx DBGAUTHSTATUS_EL1 0x%lx\n",
              READ_SYSREG(dbgclaimset_el1), READ_SYSREG(dbgclaimclr_el1), READ_SYSREG(dbgauthstatus_el1));
    return 0;
}

int main(void)
{
    rt_puts("trap_mdcr_spec\n");
    run_group("TDA=1", HPMN | MDCR_TDA, tda, N_ACCESS(tda), 1);
    run_group("TDOSA=1", HPMN | MDCR_TDOSA, tdosa, N_ACCESS(tdosa), 1);
    run_group("TPMCR=1", HPMN | MDCR_TPMCR, tpmcr, N_ACCESS(tpmcr), 1);
    run_group("TPMCR=1: PMCCNTR_EL0 does not trap", HPMN | MDCR_TPMCR, not_tpmcr, N_ACCESS(not_tpmcr), 0);
    run_group("= HPMN only", HPMN, tda, N_ACCESS(tda), 0);
    rt_run_el1(el1_values, 0, 0);
    return test_result();
}
