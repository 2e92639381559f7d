// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 walks the EL1&0 stage-1 tables for EL0 under HCR_EL2.TGE = 1 (E2H = 0) when SCTLR_EL1.M is 1, and takes the walk's fault (here a level-0 Translation fault, TCR_EL1.EPD0 = 1, EC 0x20 to EL2 on the first fetch); the Arm ARM treats SCTLR_EL1.M as 0.
/* HCR_EL2.TGE = 1 with E2H = 0: "If EL1 is using AArch64, the SCTLR_EL1.M field is treated
 * as being 0 for all purposes other than returning the result of a direct read of
 * SCTLR_EL1" (HCR_EL2.TGE; AArch64.S1Enabled: Regime_EL10 needs HCR_EL2.<DC,TGE> == '00').
 * SCTLR_EL1.M = 1 with TCR_EL1.EPD0 = EPD1 = 1, so any walk of the EL1&0 stage-1 tables
 * faults; HCR_EL2.VM = 0. EL0 fetches its code and loads a word with VA == PA and no
 * exception. gfuzz seeds 52, 237 and 269 (tests/gfuzz/README.md). */
#include "trap.h"

TRAP_HANDLERS

#define TCR_EPD0 (1UL << 7)
#define TCR_EPD1 (1UL << 23)

static volatile uint64_t word = 0x0123456789abcdefUL;

static uint64_t el0_read(uint64_t va)
{
    uint64_t v = 0;
    __asm__ volatile("mov x5, %1\n\t" T_MARK "1: ldr %0, [x5]\n2:\n" : "+r"(v) : "r"(va) : "x5", T_CLOBBER);
    return v;
}

int main(void)
{
    rt_puts("tge_s1_off\n");
    WRITE_SYSREG(tcr_el1, TCR_EPD0 | TCR_EPD1 | 25);
    WRITE_SYSREG(ttbr0_el1, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
    ISB();
    __asm__ volatile("tlbi alle1\n\tdsb sy\n\tisb" ::: "memory");

    trap_reset();
    uint64_t v = rt_run_el0(el0_read, (uint64_t)&word);
    rt_printf("EL0 (TGE=1, SCTLR_EL1.M=1, EPD0=EPD1=1) fetch and ldr: 0x%lx, %lu exceptions\n", v, trap.count);
    check(trap.count == 0 && v == word, "stage 1 off under TGE");
    rt_printf("SCTLR_EL1.M reads %lu\n", READ_SYSREG(sctlr_el1) & 1);
    check((READ_SYSREG(sctlr_el1) & 1) == 1, "a direct read returns SCTLR_EL1.M");

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1UL);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    WRITE_SYSREG(tcr_el1, 0);
    ISB();
    return test_result();
}
