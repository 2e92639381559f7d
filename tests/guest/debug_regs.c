/* Self-hosted debug registers as an OS uses them at boot (Linux resets them
 * all): MDSCR_EL1, the OS Lock (OSLAR_EL1 -> OSLSR_EL1.OSLK), OSDLR_EL1, the
 * claim tags and the breakpoint/watchpoint value and control registers keep
 * what is written (masked to their fields); ID_AA64DFR0_EL1 says 6
 * breakpoints and 4 watchpoints (Cortex-A57). Debug exceptions themselves are
 * not modelled (avsim stops the run when one is enabled; see cli tests). */
#include "rt/rt.h"

#define RD(r) READ_SYSREG(r)
#define WR(r, v) WRITE_SYSREG(r, v)

int main(void)
{
    int fails = 0;
    uint64_t dfr0 = RD(id_aa64dfr0_el1);
    rt_printf("ID_AA64DFR0_EL1: BRPs %lu WRPs %lu\n", ((dfr0 >> 12) & 15) + 1, ((dfr0 >> 20) & 15) + 1);
    rt_printf("OSLSR_EL1 at reset: 0x%lx\n", RD(oslsr_el1));
    WR(oslar_el1, 0);
    ISB();
    rt_printf("OSLSR_EL1 after OSLAR_EL1 = 0: 0x%lx\n", RD(oslsr_el1));
    WR(oslar_el1, 1);
    ISB();
    rt_printf("OSLSR_EL1 after OSLAR_EL1 = 1: 0x%lx\n", RD(oslsr_el1));
    WR(oslar_el1, 0);
    WR(osdlr_el1, 0);
    WR(mdscr_el1, 0x1000);           /* TDCC: EL0 DCC access traps; no debug enabled */
    ISB();
    rt_printf("MDSCR_EL1: 0x%lx\n", RD(mdscr_el1));
    WR(dbgbvr0_el1, 0x40080000UL);
    WR(dbgbcr0_el1, 0x1e6);          /* E = 0: stored, inert */
    WR(dbgwvr3_el1, 0x40100008UL);
    WR(dbgwcr3_el1, 0xff7);          /* E = 1 but MDSCR_EL1.MDE = 0: inert */
    WR(dbgbvr5_el1, 0x1234);
    ISB();
    rt_printf("DBGBVR0 0x%lx DBGBCR0 0x%lx DBGWVR3 0x%lx DBGWCR3 0x%lx DBGBVR5 0x%lx\n", RD(dbgbvr0_el1),
              RD(dbgbcr0_el1), RD(dbgwvr3_el1), RD(dbgwcr3_el1), RD(dbgbvr5_el1));
    WR(dbgwcr3_el1, 0);
    WR(mdscr_el1, 0);
    ISB();
    rt_printf("MDSCR_EL1 cleared: 0x%lx\n", RD(mdscr_el1));
    fails += RD(dbgbvr0_el1) != 0x40080000UL;
    rt_printf("%s\n", fails ? "FAIL" : "PASS");
    return fails;
}
