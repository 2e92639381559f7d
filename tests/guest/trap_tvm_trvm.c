/* EC 0x18 traps of the EL1 virtual memory control registers:
 * HCR_EL2.TVM traps writes (MSR) at EL1, HCR_EL2.TRVM traps reads (MRS):
 * SCTLR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, ESR_EL1, FAR_EL1, AFSR0_EL1,
 * AFSR1_EL1, MAIR_EL1, AMAIR_EL1, CONTEXTIDR_EL1. ISS = Op0 Op2 Op1 CRn Rt CRm
 * Direction (1 = read), Rt = 5 here. Writes store the register's own value
 * (saved beforehand by an untrapped EL1 pass) so the untrapped runs change
 * nothing. TVM does not trap reads; TRVM does not
 * trap writes. */
#include "sysreg_trap.h"

TRAP_HANDLERS

#define RW_PAIR(reg, op1, crn, crm, op2)                                           \
    volatile uint64_t sv_##reg;                                                    \
    ACCESS(w_##reg, "adrp x5, sv_" #reg "\n\tldr x5, [x5, :lo12:sv_" #reg "]",       \
           "msr " #reg ", x5")                                                     \
    ACCESS(r_##reg, "", "mrs x5, " #reg)
RW_PAIR(sctlr_el1, 0, 1, 0, 0)
RW_PAIR(ttbr0_el1, 0, 2, 0, 0)
RW_PAIR(ttbr1_el1, 0, 2, 0, 1)
RW_PAIR(tcr_el1, 0, 2, 0, 2)
RW_PAIR(esr_el1, 0, 5, 2, 0)
RW_PAIR(far_el1, 0, 6, 0, 0)
RW_PAIR(afsr0_el1, 0, 5, 1, 0)
RW_PAIR(afsr1_el1, 0, 5, 1, 1)
RW_PAIR(mair_el1, 0, 10, 2, 0)
RW_PAIR(amair_el1, 0, 10, 3, 0)
RW_PAIR(contextidr_el1, 0, 13, 0, 1)

#define W(reg, op1, crn, crm, op2) { "msr " #reg, w_##reg, SYSREG_ISS(3, op1, crn, crm, op2, 5, 0) }
#define R(reg, op1, crn, crm, op2) { "mrs " #reg, r_##reg, SYSREG_ISS(3, op1, crn, crm, op2, 5, 1) }
#define REGS(X)                         \
    X(sctlr_el1, 0, 1, 0, 0),           \
    X(ttbr0_el1, 0, 2, 0, 0),           \
    X(ttbr1_el1, 0, 2, 0, 1),           \
    X(tcr_el1, 0, 2, 0, 2),             \
    X(esr_el1, 0, 5, 2, 0),             \
    X(far_el1, 0, 6, 0, 0),             \
    X(afsr0_el1, 0, 5, 1, 0),           \
    X(afsr1_el1, 0, 5, 1, 1),           \
    X(mair_el1, 0, 10, 2, 0),           \
    X(amair_el1, 0, 10, 3, 0),          \
    X(contextidr_el1, 0, 13, 0, 1)

static const struct sysreg_access writes[] = { REGS(W) };
static const struct sysreg_access reads[] = { REGS(R) };

static uint64_t save_values(uint64_t arg)
{
    (void)arg;
#define SAVE(reg, op1, crn, crm, op2) sv_##reg = READ_SYSREG(reg)
    REGS(SAVE);
    return 0;
}

int main(void)
{
    rt_puts("trap_tvm_trvm\n");
    rt_run_el1(save_values, 0, 0);
    sysreg_trap_group("TVM (writes)", HCR_TVM, 0, writes, N_ACCESS(writes));
    rt_puts("== TVM=1: reads are not trapped\n");
    sr_list = reads;
    rt_run_el1(sr_run_untrapped, HCR_TVM, 0);
    sysreg_trap_group("TRVM (reads)", HCR_TRVM, 0, reads, N_ACCESS(reads));
    rt_puts("== TRVM=1: writes are not trapped\n");
    sr_list = writes;
    rt_run_el1(sr_run_untrapped, HCR_TRVM, 0);
    return test_result();
}
