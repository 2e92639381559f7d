/* EC 0x18 traps of ID registers from EL1:
 *   HCR_EL2.TID1: REVIDR_EL1, AIDR_EL1 (reads).
 *   HCR_EL2.TID2: CTR_EL0, CCSIDR_EL1, CLIDR_EL1 (reads), CSSELR_EL1 (read and write).
 *   HCR_EL2.TID3: ID group 3 (ID_AA64PFR0_EL1, ID_AA64DFR0_EL1, ID_AA64ISAR0_EL1,
 *     ID_AA64MMFR0_EL1, ID_PFR0_EL1, MVFR0_EL1, and a reserved RAZ slot of the
 *     ID space, op0=3 op1=0 CRn=0 CRm=4 op2=2).
 * MIDR_EL1 and MPIDR_EL1 are never trapped by these bits (EL1 reads them
 * through VPIDR_EL2/VMPIDR_EL2). Each control only traps its own group. */
#include "sysreg_trap.h"

TRAP_HANDLERS

#define R(fn, reg, op1, crn, crm, op2) ACCESS(fn, "", "mrs x5, " reg)
#define E(fn, reg, op1, crn, crm, op2) { "mrs " reg, fn, SYSREG_ISS(3, op1, crn, crm, op2, 5, 1) },

#define TID1(X)                                          \
    X(r_revidr, "revidr_el1", 0, 0, 0, 6)                \
    X(r_aidr, "aidr_el1", 1, 0, 0, 7)
#define TID2(X)                                          \
    X(r_ctr, "ctr_el0", 3, 0, 0, 1)                      \
    X(r_ccsidr, "ccsidr_el1", 1, 0, 0, 0)                \
    X(r_clidr, "clidr_el1", 1, 0, 0, 1)                  \
    X(r_csselr, "csselr_el1", 2, 0, 0, 0)
#define TID3(X)                                          \
    X(r_pfr0, "id_aa64pfr0_el1", 0, 0, 4, 0)             \
    X(r_dfr0, "id_aa64dfr0_el1", 0, 0, 5, 0)             \
    X(r_isar0, "id_aa64isar0_el1", 0, 0, 6, 0)           \
    X(r_mmfr0, "id_aa64mmfr0_el1", 0, 0, 7, 0)           \
    X(r_idpfr0, "id_pfr0_el1", 0, 0, 1, 0)               \
    X(r_mvfr0, "mvfr0_el1", 0, 0, 3, 0)                  \
    X(r_c0c4_2, "S3_0_C0_C4_2", 0, 0, 4, 2)

TID1(R)
TID2(R)
TID3(R)
ACCESS(w_csselr, "mov x5, #0", "msr csselr_el1, x5")
ACCESS(r_midr, "", "mrs x5, midr_el1")
ACCESS(r_mpidr, "", "mrs x5, mpidr_el1")

static const struct sysreg_access tid1[] = { TID1(E) };
static const struct sysreg_access tid2[] = {
    TID2(E)
    { "msr csselr_el1", w_csselr, SYSREG_ISS(3, 2, 0, 0, 0, 5, 0) },
};
static const struct sysreg_access tid3[] = { TID3(E) };
static const struct sysreg_access never[] = {
    { "mrs midr_el1", r_midr, 0 },
    { "mrs mpidr_el1", r_mpidr, 0 },
};

int main(void)
{
    rt_puts("trap_tid\n");
    sysreg_trap_group("TID1", HCR_TID1, 0, tid1, N_ACCESS(tid1));
    sysreg_trap_group("TID2", HCR_TID2, 0, tid2, N_ACCESS(tid2));
    sysreg_trap_group("TID3", HCR_TID3, 0, tid3, N_ACCESS(tid3));

    rt_puts("== TID1=1 TID2=1 TID3=1: MIDR_EL1, MPIDR_EL1 not trapped\n");
    sr_list = never;
    sr_count = N_ACCESS(never);
    rt_run_el1(sr_run_untrapped, HCR_TID1 | HCR_TID2 | HCR_TID3, 0);
    rt_puts("== each control traps only its group\n");
    sr_list = tid1;
    sr_count = N_ACCESS(tid1);
    rt_run_el1(sr_run_untrapped, HCR_TID2 | HCR_TID3, 0);
    sr_list = tid2;
    sr_count = N_ACCESS(tid2);
    rt_run_el1(sr_run_untrapped, HCR_TID1 | HCR_TID3, 0);
    sr_list = tid3;
    sr_count = N_ACCESS(tid3);
    rt_run_el1(sr_run_untrapped, HCR_TID1 | HCR_TID2, 0);
    return test_result();
}
