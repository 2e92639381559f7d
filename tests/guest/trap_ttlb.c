/* EC 0x18 traps of EL1 TLB maintenance instructions (SYS, Direction=0) with
 * HCR_EL2.TTLB=1: TLBI VMALLE1, VMALLE1IS, VAE1, VAE1IS, ASIDE1, ASIDE1IS,
 * VAAE1, VAAE1IS, VALE1, VALE1IS, VAALE1, VAALE1IS. No-operand forms report
 * Rt=31; the others use x5 = 0. */
#include "sysreg_trap.h"

TRAP_HANDLERS

ACCESS(t_vmalle1, "", "tlbi vmalle1")
ACCESS(t_vmalle1is, "", "tlbi vmalle1is")
ACCESS(t_vae1, "mov x5, #0", "tlbi vae1, x5")
ACCESS(t_vae1is, "mov x5, #0", "tlbi vae1is, x5")
ACCESS(t_aside1, "mov x5, #0", "tlbi aside1, x5")
ACCESS(t_aside1is, "mov x5, #0", "tlbi aside1is, x5")
ACCESS(t_vaae1, "mov x5, #0", "tlbi vaae1, x5")
ACCESS(t_vaae1is, "mov x5, #0", "tlbi vaae1is, x5")
ACCESS(t_vale1, "mov x5, #0", "tlbi vale1, x5")
ACCESS(t_vale1is, "mov x5, #0", "tlbi vale1is, x5")
ACCESS(t_vaale1, "mov x5, #0", "tlbi vaale1, x5")
ACCESS(t_vaale1is, "mov x5, #0", "tlbi vaale1is, x5")

#define SYS(crm, op2, rt) SYSREG_ISS(1, 0, 8, crm, op2, rt, 0)
static const struct sysreg_access ttlb[] = {
    { "tlbi vmalle1", t_vmalle1, SYS(7, 0, 31) },
    { "tlbi vmalle1is", t_vmalle1is, SYS(3, 0, 31) },
    { "tlbi vae1", t_vae1, SYS(7, 1, 5) },
    { "tlbi vae1is", t_vae1is, SYS(3, 1, 5) },
    { "tlbi aside1", t_aside1, SYS(7, 2, 5) },
    { "tlbi aside1is", t_aside1is, SYS(3, 2, 5) },
    { "tlbi vaae1", t_vaae1, SYS(7, 3, 5) },
    { "tlbi vaae1is", t_vaae1is, SYS(3, 3, 5) },
    { "tlbi vale1", t_vale1, SYS(7, 5, 5) },
    { "tlbi vale1is", t_vale1is, SYS(3, 5, 5) },
    { "tlbi vaale1", t_vaale1, SYS(7, 7, 5) },
    { "tlbi vaale1is", t_vaale1is, SYS(3, 7, 5) },
};

int main(void)
{
    rt_puts("trap_ttlb\n");
    sysreg_trap_group("TTLB", HCR_TTLB, 0, ttlb, N_ACCESS(ttlb));
    return test_result();
}
