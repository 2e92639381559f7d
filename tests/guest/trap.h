/* Helpers shared by the guest tests (each test is a single translation unit
 * that includes this header once).
 *
 * An instruction expected to take a synchronous exception is wrapped in asm
 * that starts with T_MARK:
 *     __asm__ volatile(T_MARK "1: udf #1\n2:\n" ::: T_CLOBBER);
 * T_MARK stores the address of label 1 in trap_pc and of label 2 in
 * trap_resume. The handlers (trap_el1_handler / trap_el2_handler, installed by
 * the test as el1_handler / el2_handler or called from them) record the
 * exception in `trap` and return to trap_resume. An exception that arrives
 * while trap_resume is 0 is unexpected: it is reported and the test exits 100.
 *
 * Output never contains absolute addresses: ELR is printed relative to
 * trap_pc, FAR relative to a value the test passes.
 */
#ifndef AVSIM_GUEST_TRAP_H
#define AVSIM_GUEST_TRAP_H
#include "rt/rt.h"

#define T_FN static __attribute__((unused))

volatile uint64_t trap_pc, trap_resume;
/* A reference address for exceptions whose ELR/FAR is not near trap_pc (e.g.
 * a branch target); tests print ELR and FAR relative to it. */
volatile uint64_t trap_ref;

struct trap_rec {
    uint64_t count;
    int el, vector;
    uint64_t esr, elr, far, spsr;
};
static volatile struct trap_rec trap;
static volatile int failures;
/* Optional per-test hook run by the handlers before recording; returns 1 if it
 * consumed the exception (used e.g. for hypercalls that are not under test). */
static int (*trap_hook)(struct rt_frame *f, int el, int vector);

#define T_MARK                                                         \
    "adr x17, 1f\n\tadrp x16, trap_pc\n\tstr x17, [x16, :lo12:trap_pc]\n\t" \
    "adr x17, 2f\n\tadrp x16, trap_resume\n\tstr x17, [x16, :lo12:trap_resume]\n\t"
#define T_CLOBBER "x16", "x17", "memory"

T_FN const char *vec_name(int v)
{
    static const char *const grp[] = { "cur_sp0", "cur_spx", "lower64", "lower32" };
    static const char *const kind[] = { "sync", "irq", "fiq", "serror" };
    static char buf[24];
    const char *g = grp[(v >> 2) & 3], *k = kind[v & 3];
    int n = 0;
    while (*g) buf[n++] = *g++;
    buf[n++] = '.';
    while (*k) buf[n++] = *k++;
    buf[n] = 0;
    return buf;
}

T_FN void trap_record(struct rt_frame *f, int el, int vector)
{
    if (trap_hook && trap_hook(f, el, vector))
        return;
    uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    uint64_t far = el == 2 ? READ_SYSREG(far_el2) : READ_SYSREG(far_el1);
    if (!trap_resume) {
        rt_printf("UNEXPECTED exception at EL%d %s: EC=0x%x ISS=0x%x ELR-pc=%ld\n", el,
                  vec_name(vector), (unsigned)ESR_EC(esr), (unsigned)ESR_ISS(esr),
                  (long)(f->elr - trap_pc));
        rt_exit(100);
    }
    trap.count++;
    trap.el = el;
    trap.vector = vector;
    trap.esr = esr;
    trap.far = far;
    trap.elr = f->elr;
    trap.spsr = f->spsr;
    f->elr = trap_resume;
    trap_resume = 0;
    /* An interrupt stays pending until its source is removed: return with it
     * masked so that the test can continue. */
    if ((vector & 3) == RT_IRQ)
        f->spsr |= 1UL << 7;
    else if ((vector & 3) == RT_FIQ)
        f->spsr |= 1UL << 6;
    else if ((vector & 3) == RT_SERROR)
        f->spsr |= 1UL << 8;
    /* Return with PSTATE.IL clear (after an illegal exception return the
     * SPSR has IL set, and returning with it would fault again at once). */
    f->spsr &= ~(1UL << 20);
}

static inline void trap_el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }
static inline void trap_el2_handler(struct rt_frame *f, int vector) { trap_record(f, 2, vector); }

#define TRAP_HANDLERS                                                        \
    void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); } \
    void el2_handler(struct rt_frame *f, int vector) { trap_record(f, 2, vector); }

T_FN void check(int ok, const char *what)
{
    if (!ok) {
        failures++;
        rt_printf("  CHECK FAILED: %s\n", what);
    }
}

/* Forget the previous observation (call before the instruction under test). */
static inline void trap_reset(void)
{
    trap.count = 0;
    trap.el = -1;
    trap.vector = -1;
    trap.esr = trap.elr = trap.far = trap.spsr = 0;
}

/* SPSR without the NZCV flags (they depend on compiler-generated code). */
#define SPSR_STABLE(s) ((s) & 0x0fffffffUL)

/* Print the last recorded exception and check the fields common to every
 * synchronous exception: target EL, vector, EC, IL, ISS and ELR (as an offset
 * from trap_pc). iss_mask selects the ISS bits that are compared. */
T_FN void expect_trap(const char *what, int el, int vector, unsigned ec, unsigned il,
                        uint32_t iss, uint32_t iss_mask, long elr_off)
{
    uint64_t esr = trap.esr;
    long off = (long)(trap.elr - trap_pc);
    trap_resume = 0;
    if (trap.count != 1) {
        rt_printf("%s: no exception (count=%lu)\n", what, trap.count);
        check(0, "exception taken");
        return;
    }
    rt_printf("%s: EL%d %s EC=0x%02x IL=%u ISS=0x%07x ELR=pc%c%ld SPSR=0x%lx\n", what, trap.el,
              vec_name(trap.vector), (unsigned)ESR_EC(esr), (unsigned)ESR_IL(esr),
              (unsigned)ESR_ISS(esr), off < 0 ? '-' : '+', off < 0 ? -off : off,
              SPSR_STABLE(trap.spsr));
    check(trap.el == el, "target EL");
    check(trap.vector == vector, "vector");
    check(ESR_EC(esr) == ec, "EC");
    check(ESR_IL(esr) == il, "IL");
    check((ESR_ISS(esr) & iss_mask) == (iss & iss_mask), "ISS");
    check(off == elr_off, "ELR");
}

/* Like expect_trap, but ELR is compared with / printed relative to trap_ref
 * (called `refname`), and FAR too. */
T_FN void expect_trap_ref(const char *what, int el, int vector, unsigned ec, unsigned il,
                          uint32_t iss, uint32_t iss_mask, const char *refname, long elr_off,
                          long far_off)
{
    uint64_t esr = trap.esr;
    long off = (long)(trap.elr - trap_ref), foff = (long)(trap.far - trap_ref);
    trap_resume = 0;
    if (trap.count != 1) {
        rt_printf("%s: no exception (count=%lu)\n", what, trap.count);
        check(0, "exception taken");
        return;
    }
    rt_printf("%s: EL%d %s EC=0x%02x IL=%u ISS=0x%07x ELR=%s%c%ld FAR=%s%c%ld SPSR=0x%lx\n",
              what, trap.el, vec_name(trap.vector), (unsigned)ESR_EC(esr), (unsigned)ESR_IL(esr),
              (unsigned)ESR_ISS(esr), refname, off < 0 ? '-' : '+', off < 0 ? -off : off,
              refname, foff < 0 ? '-' : '+', foff < 0 ? -foff : foff, SPSR_STABLE(trap.spsr));
    check(trap.el == el, "target EL");
    check(trap.vector == vector, "vector");
    check(ESR_EC(esr) == ec, "EC");
    check(ESR_IL(esr) == il, "IL");
    check((ESR_ISS(esr) & iss_mask) == (iss & iss_mask), "ISS");
    check(off == elr_off, "ELR");
    check(foff == far_off, "FAR");
}

/* For asynchronous exceptions (no ESR check): target EL, vector and ELR
 * relative to trap_pc. */
T_FN void expect_irq(const char *what, int el, int vector, long elr_off)
{
    long off = (long)(trap.elr - trap_pc);
    trap_resume = 0;
    if (trap.count != 1) {
        rt_printf("%s: no exception (count=%lu)\n", what, trap.count);
        check(0, "exception taken");
        return;
    }
    rt_printf("%s: EL%d %s ELR=pc%c%ld SPSR=0x%lx\n", what, trap.el, vec_name(trap.vector),
              off < 0 ? '-' : '+', off < 0 ? -off : off, SPSR_STABLE(trap.spsr));
    check(trap.el == el, "target EL");
    check(trap.vector == vector, "vector");
    check(off == elr_off, "ELR");
}

T_FN void expect_no_trap(const char *what)
{
    trap_resume = 0;
    rt_printf("%s: no exception\n", what);
    check(trap.count == 0, "no exception expected");
}

/* Decode the ISS of an EC 0x18 (MSR/MRS/SYS) trap. */
T_FN void print_sysreg_iss(uint32_t iss)
{
    rt_printf("  Op0=%u Op2=%u Op1=%u CRn=%u Rt=%u CRm=%u Dir=%s\n", (iss >> 20) & 3,
              (iss >> 17) & 7, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 5) & 31,
              (iss >> 1) & 15, (iss & 1) ? "read" : "write");
}
#define SYSREG_ISS(op0, op1, crn, crm, op2, rt, read)                                 \
    (((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | ((uint32_t)(op1) << 14) |     \
     ((uint32_t)(crn) << 10) | ((uint32_t)(rt) << 5) | ((uint32_t)(crm) << 1) | (uint32_t)(read))

/* EL0 cannot print (semihosting is not available at EL0), so EL0 code is
 * one small function per instruction under test, run by EL1 or EL2 through
 * rt_run_el0, which then prints the observation:
 *   EL0_INSN(el0_udf, "udf #0")  ...  trap_reset(); rt_run_el0(el0_udf, 0); expect_trap(...);
 */
#define EL0_INSN(name, insn) EL0_INSN_SETUP(name, "", insn)
/* setup runs before the marked instruction (x5-x7 are free to use). */
#define EL0_INSN_SETUP(name, setup, insn)                                      \
    static uint64_t name(uint64_t arg)                                         \
    {                                                                          \
        (void)arg;                                                             \
        __asm__ volatile(setup "\n\t" T_MARK "1: " insn "\n2:\n"             \
                         ::: "x0", "x5", "x6", "x7", "x30", T_CLOBBER);        \
        return 0;                                                              \
    }

T_FN int test_result(void)
{
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}

#endif
