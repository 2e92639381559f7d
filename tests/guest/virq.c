/* Virtual interrupts injected through HCR_EL2 (no GIC involved):
 *   vIRQ: HCR_EL2.IMO=1, VI=1 -> ISR_EL1.I=1; not taken while PSTATE.I=1; after
 *     `msr daifclr, #2` taken at EL1 to VBAR_EL1+0x280 (current EL SPx IRQ)
 *     with ELR = the instruction after the MSR; stays pending (ISR_EL1.I=1)
 *     until EL2 clears VI; then unmasking takes nothing.
 *     With IMO=0, VI=1 has no effect (ISR_EL1.I=0, nothing taken).
 *     Not taken at EL2. From EL0 with PSTATE.I=0: taken to VBAR_EL1+0x480
 *     (lower EL AArch64 IRQ) before the first EL0 instruction.
 *   vFIQ: HCR_EL2.FMO=1, VF=1 -> ISR_EL1.F; `msr daifclr, #1` -> VBAR_EL1+0x300.
 *   vSError: HCR_EL2.AMO=1, VSE=1 -> ISR_EL1.A; `msr daifclr, #4` ->
 *     VBAR_EL1+0x380 with ESR_EL1 = EC 0x2F (SError), IL=1, ISS=0 (QEMU takes
 *     the ISS from VSESR_EL2, 0 here; without FEAT_RAS the Arm ARM leaves it
 *     IMPLEMENTATION DEFINED), and taking it clears HCR_EL2.VSE.
 * The EL1 handlers return with the interrupt masked in SPSR (see trap.h).
 * EL1 asks EL2 to change HCR_EL2 with HVC #1 (clear x0 bits), #2 (set x0
 * bits), #3 (read into x0). */
#include "trap.h"

TRAP_HANDLERS

#define ISR_A (1UL << 8)
#define ISR_I (1UL << 7)
#define ISR_F (1UL << 6)

static int hcr_hook(struct rt_frame *f, int el, int vector)
{
    if (el != 2 || vector != RT_VEC_LOWER64 + RT_SYNC)
        return 0;
    uint64_t esr = READ_SYSREG(esr_el2);
    if (ESR_EC(esr) != 0x16)
        return 0;
    uint64_t hcr = READ_SYSREG(hcr_el2);
    switch (esr & 0xffff) {
    case 1: hcr &= ~f->x[0]; break;
    case 2: hcr |= f->x[0]; break;
    case 3: f->x[0] = hcr; return 1;
    default: return 0;
    }
    WRITE_SYSREG(hcr_el2, hcr);
    ISB();
    return 1;
}

static uint64_t hcr_op(int op, uint64_t bits)
{
    register uint64_t x0 __asm__("x0") = bits;
    if (op == 1)
        __asm__ volatile("hvc #1" : "+r"(x0) :: "memory");
    else if (op == 2)
        __asm__ volatile("hvc #2" : "+r"(x0) :: "memory");
    else
        __asm__ volatile("hvc #3" : "+r"(x0) :: "memory");
    return x0;
}

/* Unmask one of D/A/I/F (daifclr immediate) and record what is taken there;
 * label 1/2 are on the instruction after the MSR. Masks again afterwards. */
#define UNMASK(imm)                                                             \
    __asm__ volatile(T_MARK "msr daifclr, #" #imm "\n1:\n2:\n\tnop\n\t"          \
                     "msr daifset, #" #imm "\n" ::: T_CLOBBER)

static void print_isr(const char *when)
{
    rt_printf("  ISR_EL1=0x%lx%s%s\n", READ_SYSREG(isr_el1), *when ? " " : "", when);
}

static uint64_t el0_spin(uint64_t arg)
{
    (void)arg;
    __asm__ volatile("nop\n\tnop" ::: "memory");
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    rt_puts("vIRQ (IMO=1 VI=1)\n");
    print_isr("(I masked)");
    check(READ_SYSREG(isr_el1) == ISR_I, "ISR_EL1.I");
    trap_reset();
    __asm__ volatile("nop\n\tnop\n\tisb" ::: "memory");
    check(trap.count == 0, "not taken while masked");
    UNMASK(2);
    expect_irq("EL1 msr daifclr, #2", 1, RT_VEC_CUR_SPX + RT_IRQ, 0);
    check(SPSR_STABLE(trap.spsr) == 0x345, "SPSR = EL1h, I clear");
    print_isr("(still pending)");
    check(READ_SYSREG(isr_el1) == ISR_I, "still pending");

    rt_puts("vIRQ from EL0 (PSTATE.I=0)\n");
    trap_reset();
    trap_pc = trap_resume = (uint64_t)el0_spin;
    rt_call_lower(el0_spin, __stack_el0_top, 0x0 /* EL0t, DAIF clear */, 0);
    expect_irq("EL0 entry", 1, RT_VEC_LOWER64 + RT_IRQ, 0);
    check(SPSR_STABLE(trap.spsr) == 0x0, "SPSR = EL0t, DAIF clear");

    hcr_op(1, HCR_VI);
    rt_puts("vIRQ (IMO=1 VI=0)\n");
    print_isr("");
    check(READ_SYSREG(isr_el1) == 0, "ISR_EL1 clear");
    trap_reset();
    UNMASK(2);
    expect_no_trap("EL1 msr daifclr, #2");

    hcr_op(1, HCR_IMO);
    hcr_op(2, HCR_VI);
    rt_puts("vIRQ (IMO=0 VI=1)\n");
    print_isr("");
    check(READ_SYSREG(isr_el1) == 0, "ISR_EL1 clear");
    trap_reset();
    UNMASK(2);
    expect_no_trap("EL1 msr daifclr, #2");
    hcr_op(1, HCR_VI);

    rt_puts("vFIQ (FMO=1 VF=1)\n");
    hcr_op(2, HCR_FMO | HCR_VF);
    print_isr("(F masked)");
    check(READ_SYSREG(isr_el1) == ISR_F, "ISR_EL1.F");
    trap_reset();
    UNMASK(1);
    expect_irq("EL1 msr daifclr, #1", 1, RT_VEC_CUR_SPX + RT_FIQ, 0);
    check(SPSR_STABLE(trap.spsr) == 0x385, "SPSR = EL1h, F clear");
    hcr_op(1, HCR_VF);
    print_isr("(VF cleared)");
    trap_reset();
    UNMASK(1);
    expect_no_trap("EL1 msr daifclr, #1");

    rt_puts("vSError (AMO=1 VSE=1)\n");
    hcr_op(2, HCR_AMO | HCR_VSE);
    print_isr("(A masked)");
    check(READ_SYSREG(isr_el1) == ISR_A, "ISR_EL1.A");
    trap_reset();
    UNMASK(4);
    expect_irq("EL1 msr daifclr, #4", 1, RT_VEC_CUR_SPX + RT_SERROR, 0);
    check(SPSR_STABLE(trap.spsr) == 0x2c5, "SPSR = EL1h, A clear");
    rt_printf("  ESR_EL1: EC=0x%x IL=%u ISS=0x%x\n", (unsigned)ESR_EC(trap.esr),
              (unsigned)ESR_IL(trap.esr), (unsigned)ESR_ISS(trap.esr));
    check(ESR_EC(trap.esr) == 0x2f, "EC = SError");
    uint64_t hcr = hcr_op(3, 0);
    rt_printf("  HCR_EL2.VSE after the vSError is taken: %lu\n", (hcr >> 8) & 1);
    check(!(hcr & HCR_VSE), "VSE cleared when taken");
    print_isr("");
    trap_reset();
    UNMASK(4);
    expect_no_trap("EL1 msr daifclr, #4 (again)");
    return 0;
}

int main(void)
{
    rt_puts("virq\n");
    trap_hook = hcr_hook;
    rt_run_el1(at_el1, HCR_IMO | HCR_VI, 0);

    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO | HCR_VI | HCR_FMO | HCR_VF | HCR_AMO | HCR_VSE);
    ISB();
    trap_reset();
    __asm__ volatile(T_MARK "msr daifclr, #7\n1:\n2:\n\tnop\n\tmsr daifset, #7\n" ::: T_CLOBBER);
    expect_no_trap("EL2 unmask A/I/F with VI/VF/VSE set (virtual interrupts never target EL2)");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
