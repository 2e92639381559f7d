/* EC 0x18 traps of ACTLR_EL1 (read and write) from EL1 with HCR_EL2.TACR=1.
 * The write stores the value read by an untrapped pass. */
#include "sysreg_trap.h"

TRAP_HANDLERS

volatile uint64_t sv_actlr;
ACCESS(r_actlr, "", "mrs x5, actlr_el1")
ACCESS(w_actlr, "adrp x5, sv_actlr\n\tldr x5, [x5, :lo12:sv_actlr]", "msr actlr_el1, x5")

static const struct sysreg_access acc[] = {
    { "mrs actlr_el1", r_actlr, SYSREG_ISS(3, 0, 1, 0, 1, 5, 1) },
    { "msr actlr_el1", w_actlr, SYSREG_ISS(3, 0, 1, 0, 1, 5, 0) },
};

static uint64_t save(uint64_t arg)
{
    (void)arg;
    sv_actlr = READ_SYSREG(actlr_el1);
    return 0;
}

int main(void)
{
    rt_puts("trap_tacr\n");
    rt_run_el1(save, 0, 0);
    sysreg_trap_group("TACR", HCR_TACR, 0, acc, N_ACCESS(acc));
    return test_result();
}
