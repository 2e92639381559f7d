// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 never traps WFE with HCR_EL2.TWE or SCTLR_EL1.nTWE=0 (its WFE only yields and never waits, so it skips the trap check); the Arm ARM traps a WFE that would wait.
/* EC 0x01 (WFI/WFE) for WFE trapped by HCR_EL2.TWE.
 *
 * Arm ARM pseudocode for WFE: if the Event Register is set, WFE clears it and
 * completes (no trap check); otherwise the WFx traps are checked
 * (AArch64.CheckForWFxTrap: EL1 for EL0 when SCTLR_EL1.nTWE=0, then EL2 for
 * EL0/EL1 when HCR_EL2.TWE=1) before waiting. The Event Register is set by an
 * exception return (ERET) and by SEVL. So:
 *   - the first WFE after the ERET into EL1 consumes the event and does not trap;
 *   - the next WFE traps to EL2: EC 0x01, IL=1, ISS: CV=1 COND=0xe TI=1
 *     => 0x1e00001, ELR = the WFE itself;
 *   - SEVL; WFE does not trap; the WFE after it does;
 *   - EL0 (SCTLR_EL1.nTWE=1) traps to EL2 the same way; with nTWE=0 it traps
 *     to EL1 first (after the event set by the ERET to EL0 is consumed).
 * QEMU 7.2 reports "no exception" for every case, so expected/wfe_trap.out is
 * written by hand from the Arm ARM. */
#include "trap.h"

TRAP_HANDLERS

#define SCTLR_NTWE (1UL << 18)
#define WFE_ISS 0x1e00001u

/* EL0: the ERET into EL0 set the event register; consume it, then trap. */
static uint64_t el0_wfe(uint64_t arg)
{
    (void)arg;
    __asm__ volatile("wfe\n\t" T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    /* First WFE since the ERET that entered EL1: consumes the event. Nothing
     * is printed between the two WFEs, so no other event can intervene. */
    trap_reset();
    __asm__ volatile(T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    uint64_t first = trap.count;
    __asm__ volatile(T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    rt_printf("EL1 first wfe after ERET (TWE=1): %s\n", first ? "exception" : "no exception");
    check(first == 0, "first WFE does not trap");
    expect_trap("EL1 second wfe (TWE=1)", 2, RT_VEC_LOWER64, 0x01, 1, WFE_ISS, 0x1ffffff, 0);

    /* SEVL sets the event register: the WFE after it consumes it, the next traps. */
    trap_reset();
    __asm__ volatile("sevl\n\t" T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    first = trap.count;
    __asm__ volatile(T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    rt_printf("EL1 sevl; wfe (TWE=1): %s\n", first ? "exception" : "no exception");
    check(first == 0, "WFE after SEVL does not trap");
    expect_trap("EL1 wfe after sevl; wfe (TWE=1)", 2, RT_VEC_LOWER64, 0x01, 1, WFE_ISS,
                0x1ffffff, 0);

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | SCTLR_NTWE);
    ISB();
    trap_reset();
    rt_run_el0(el0_wfe, 0);
    expect_trap("EL0 second wfe (nTWE=1, TWE=1)", 2, RT_VEC_LOWER64, 0x01, 1, WFE_ISS,
                0x1ffffff, 0);
    check(SPSR_STABLE(trap.spsr) == 0x3c0, "SPSR = EL0t");

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~SCTLR_NTWE);
    ISB();
    trap_reset();
    rt_run_el0(el0_wfe, 0);
    expect_trap("EL0 second wfe (nTWE=0, TWE=1)", 1, RT_VEC_LOWER64, 0x01, 1, WFE_ISS,
                0x1ffffff, 0);
    return 0;
}

/* TWE=0: a WFE with the event register set completes without trapping. */
static uint64_t at_el1_notrap(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile("sevl\n\t" T_MARK "1: wfe\n2:\n" ::: T_CLOBBER);
    expect_no_trap("EL1 sevl; wfe (TWE=0)");
    return 0;
}

int main(void)
{
    rt_puts("wfe_trap\n");
    rt_run_el1(at_el1, HCR_TWE, 0);
    rt_run_el1(at_el1_notrap, 0, 0);
    return test_result();
}
