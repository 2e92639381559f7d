// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 traps EL0 CNTPCT_EL0 reads on CNTHCTL_EL2.EL1PCEN (bit 1) instead of EL1PCTEN (bit 0) when HCR_EL2.E2H=0 (fixed upstream in QEMU 8.1.3/8.2, commit d01448c79d89)
/* EL0 reads of CNTPCT_EL0 against CNTHCTL_EL2 with HCR_EL2.E2H = 0, TGE = 0
 * (Arm ARM, CNTPCT_EL0 accessibility pseudocode, and CNTHCTL_EL2 bits [1:0]
 * when E2H is 0: EL1PCTEN, bit 0, traps EL0/EL1 accesses to the physical
 * counter; EL1PCEN, bit 1, traps EL0/EL1 accesses to the physical timer
 * registers CNTP_CTL/CVAL/TVAL_EL0):
 *     if PSTATE.EL == EL0 then
 *         if CNTKCTL_EL1.EL0PCTEN == '0' then trap to EL1 (EC 0x18)
 *         elsif EL2Enabled() && HCR_EL2.E2H == '0' && CNTHCTL_EL2.EL1PCTEN == '0'
 *             then trap to EL2 (EC 0x18)
 * With CNTKCTL_EL1.EL0PCTEN = 1:
 *   CNTHCTL_EL2 = EL1PCEN (EL1PCTEN=0): the EL0 read traps to EL2, EC 0x18,
 *     ISS = Op0 3 Op2 1 Op1 3 CRn 14 CRm 0 Rt 5 read (0x032f8a1), ELR = the
 *     MRS, SPSR = EL0t with DAIF masked.
 *     QEMU 7.2 does not trap (it looks at EL1PCEN, which is 1).
 *   CNTHCTL_EL2 = EL1PCTEN (EL1PCEN=0): no trap.
 *     QEMU 7.2 traps to EL2 (EL1PCEN is 0).
 *   The same controls for an EL1 read are right in QEMU 7.2 (timer_counters),
 *   and so is EL1PCEN for EL0 accesses to CNTP_CTL/CVAL_EL0. The expectation
 *   below is written from the Arm ARM. */
#include "trap.h"
#include "timer.h"

EL0_INSN(e_pct, "mrs x5, cntpct_el0")

static uint64_t run_el0_from_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    rt_run_el0(e_pct, 0);
    return 0;
}

TRAP_HANDLERS

int main(void)
{
    rt_puts("timer_traps_spec\n");
    WRITE_SYSREG(cntkctl_el1, CNTKCTL_EL0PCTEN);

    rt_puts("== CNTKCTL_EL1.EL0PCTEN=1, CNTHCTL_EL2.EL1PCTEN=0 EL1PCEN=1\n");
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCEN);
    ISB();
    rt_run_el1(run_el0_from_el1, 0, 0);
    expect_trap("EL0 mrs cntpct_el0", 2, RT_VEC_LOWER64, 0x18, 1, SYSREG_ISS(3, 3, 14, 0, 1, 5, 1), 0x1ffffff, 0);
    if (trap.count == 1)
        print_sysreg_iss((uint32_t)ESR_ISS(trap.esr));

    rt_puts("== CNTKCTL_EL1.EL0PCTEN=1, CNTHCTL_EL2.EL1PCTEN=1 EL1PCEN=0\n");
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN);
    ISB();
    rt_run_el1(run_el0_from_el1, 0, 0);
    expect_no_trap("EL0 mrs cntpct_el0");

    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntkctl_el1, 0);
    ISB();
    return test_result();
}
