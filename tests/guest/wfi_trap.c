/* EC 0x01 (WFI/WFE) for WFI trapped by HCR_EL2.TWI.
 *   EL1 WFI, TWI=1 -> EL2, ISS: CV=1 COND=0xe (reported for AArch64) TI=0
 *     => ISS 0x1e00000, IL=1, ELR = the WFI (a trapped WFI is not executed).
 *   EL0 WFI, SCTLR_EL1.nTWI=1, TWI=1 -> EL2 (SPSR = EL0t).
 *   EL0 WFI, SCTLR_EL1.nTWI=0, TWI=1 -> EL1 (the EL1 trap has priority).
 *   EL1 WFI, TWI=0 -> not trapped; a virtual IRQ is made pending (IMO|VI) but
 *     masked by PSTATE.I, which is a WFI wake-up event, so WFI completes.
 *   EL1 WFI, TWI=1 with that masked virtual IRQ pending -> not trapped either:
 *     the WFI pseudocode checks the WFx traps only if !InterruptPending(). */
#include "trap.h"

TRAP_HANDLERS

#define SCTLR_NTWI (1UL << 16)
#define WFI_ISS 0x1e00000u

EL0_INSN(el0_wfi, "wfi")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile(T_MARK "1: wfi\n2:\n" ::: T_CLOBBER);
    expect_trap("EL1 wfi (TWI=1)", 2, RT_VEC_LOWER64, 0x01, 1, WFI_ISS, 0x1ffffff, 0);

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | SCTLR_NTWI);
    ISB();
    trap_reset();
    rt_run_el0(el0_wfi, 0);
    expect_trap("EL0 wfi (nTWI=1, TWI=1)", 2, RT_VEC_LOWER64, 0x01, 1, WFI_ISS, 0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x3c0, "SPSR = EL0t");

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~SCTLR_NTWI);
    ISB();
    trap_reset();
    rt_run_el0(el0_wfi, 0);
    expect_trap("EL0 wfi (nTWI=0, TWI=1)", 1, RT_VEC_LOWER64, 0x01, 1, WFI_ISS, 0x1ffffff, 0);
    return 0;
}

static uint64_t at_el1_notrap(uint64_t arg)
{
    (void)arg;
    rt_printf("ISR_EL1=0x%lx\n", READ_SYSREG(isr_el1));
    trap_reset();
    __asm__ volatile(T_MARK "1: wfi\n2:\n" ::: T_CLOBBER);
    expect_no_trap("EL1 wfi (TWI=0, masked vIRQ pending)");
    return 0;
}

static uint64_t at_el1_pending_twi(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile(T_MARK "1: wfi\n2:\n" ::: T_CLOBBER);
    expect_no_trap("EL1 wfi (TWI=1, masked vIRQ pending)");
    return 0;
}

int main(void)
{
    rt_puts("wfi_trap\n");
    rt_run_el1(at_el1, HCR_TWI, 0);
    rt_run_el1(at_el1_notrap, HCR_IMO | HCR_VI, 0);
    rt_run_el1(at_el1_pending_twi, HCR_TWI | HCR_IMO | HCR_VI, 0);
    return test_result();
}
