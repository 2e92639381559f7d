/* An interrupt pending and unmasked at an instruction boundary is taken before the
 * instruction there is fetched: EL1 ERETs (SPSR.I = 0) to an address whose fetch would
 * abort (unassigned memory, MMU off) while a virtual IRQ is pending (HCR_EL2.VI with IMO):
 * the virtual IRQ comes first (EL1's IRQ vector, ELR_EL1 = that address), no Instruction
 * Abort, as on QEMU 7.2. (After a context synchronization event such as the ERET the Arm
 * ARM leaves the order open, "Prioritization of asynchronous exceptions"; avsim follows
 * QEMU.) Found by gfuzz (seed 107: avsim took the abort, Unicorn's fetch of the new block
 * failing before avsim looked at interrupts). */
#include "trap.h"

TRAP_HANDLERS

#define HCR_IMO (1UL << 4)
#define HCR_VI (1UL << 7)
#define TARGET 0x0b000000UL        /* unassigned */

static uint64_t el1_fn(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile("msr elr_el1, %0\n\tmsr spsr_el1, %1\n\t" T_MARK "1: eret\n2:\n"
                     :: "r"(TARGET), "r"(0x305UL) : T_CLOBBER);
    return 0;
}

int main(void)
{
    rt_puts("virq_eret_fault\n");
    rt_run_el1(el1_fn, HCR_IMO | HCR_VI, 0);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_VI);
    ISB();
    int irq = trap.vector == RT_VEC_CUR_SPX + RT_IRQ;
    rt_printf("EL1 eret to unassigned memory with a virtual IRQ pending: %lu exception(s), EL%d %s, ELR %s\n",
              trap.count, trap.el, vec_name(trap.vector), trap.elr == TARGET ? "= the target" : "WRONG");
    check(trap.count == 1 && trap.el == 1 && irq, "the virtual IRQ, at EL1");
    check(trap.elr == TARGET, "ELR_EL1 = the ERET's target");
    return test_result();
}
