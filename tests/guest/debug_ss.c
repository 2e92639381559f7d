/* Software step (AArch64.CheckSoftwareStep, AArch64.SoftwareStepException,
 * DebugExceptionReturnSS): MDSCR_EL1.SS with PSTATE.SS. At EL1 with KDE,
 * clearing PSTATE.D enters the active-pending state (a step exception at the
 * next instruction, ISV = 0); an ERET with SPSR.SS = 1 steps one instruction
 * (ISV = 1; EX = 1 after a load-exclusive); a stepped SVC is taken with
 * SPSR.SS = 0 and its return is active-pending; clearing MDSCR_EL1.SS ends it.
 * From EL0 (EC 0x32 to EL1, entered by an SVC handler returning with SPSR.SS
 * = 1) and from EL1 with MDCR_EL2.TDE (EC 0x32 to EL2). */
#include "rt/rt.h"

extern char seq_el1[], seq_el1_end[], seq_el0[], seq_tde[];
__asm__(".text\n.p2align 4\n"
        ".global seq_el1\nseq_el1:\n"
        "\tmsr daifclr, #8\n"          /* +0 */
        "\tmov x0, #1\n"               /* +4: step exception here, ISV = 0 */
        "\tadd x0, x0, #1\n"           /* +8 */
        "\tldxr x1, [x2]\n"            /* +12 */
        "\tnop\n"                      /* +16: after the load-exclusive: EX = 1 */
        "\tsvc #7\n"                   /* +20 */
        "\tnop\n"                      /* +24: after the SVC's return (active-pending, ISV = 0) */
        "\tnop\n"                      /* +28: the handler clears MDSCR_EL1.SS at this step */
        "\tnop\n"                      /* +32: not stepped */
        "\tmsr daifset, #8\n"
        ".global seq_el1_end\nseq_el1_end:\n"
        "\tret\n"
        ".global seq_el0\nseq_el0:\n"
        "\tsvc #1\n"                   /* +0: the handler returns with SPSR.SS = 1 */
        "\tmov x0, #2\n"               /* +4: stepped */
        "\tmov x0, #3\n"               /* +8 */
        "\tnop\n"                      /* +12 */
        "\tsvc #2\n"                   /* +16: the handler clears MDSCR_EL1.SS */
        "\tret\n"
        ".global seq_tde\nseq_tde:\n"
        "\tsvc #1\n"
        "\tmov x0, #2\n"
        "\tmov x0, #3\n"
        "\tnop\n"
        "\tnop\n"
        "\tret\n");

#define MDSCR_SS 1UL
#define MDSCR_KDE (1UL << 13)
#define MDCR_TDE (1UL << 8)
#define SPSR_SS (1UL << 21)

static volatile uint64_t n_rec, base, seq_len, step_limit, n_steps, tde_mode;
static volatile uint64_t rec_el[16], rec_ec[16], rec_iss[16], rec_off[16], rec_ss[16];
static volatile uint64_t excl_word __attribute__((aligned(16)));

static void record(struct rt_frame *f, int at)
{
    uint64_t e = at == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    unsigned ec = (unsigned)(e >> 26);
    if (n_rec < 16) {
        rec_el[n_rec] = at;
        rec_ec[n_rec] = ec;
        rec_iss[n_rec] = e & 0x1ffffff;
        rec_off[n_rec] = f->elr - base;
        rec_ss[n_rec] = (f->spsr >> 21) & 1;
        n_rec++;
    }
    if (ec == 0x32 || ec == 0x33) {
        if (++n_steps < step_limit)
            f->spsr |= SPSR_SS;              /* step the next instruction */
        else
            WRITE_SYSREG(mdscr_el1, 0);
        return;
    }
    if (ec == 0x15) {
        unsigned imm = (unsigned)(e & 0xffff);
        if (imm == 1) {                      /* start stepping the caller */
            if (!tde_mode)                   /* (with TDE, EL2 set MDSCR_EL1: EL1's access would trap) */
                WRITE_SYSREG(mdscr_el1, MDSCR_SS);
            f->spsr |= SPSR_SS;
        } else if (imm == 2) {
            WRITE_SYSREG(mdscr_el1, 0);
        }
        return;                              /* (svc #7: nothing) */
    }
    rt_printf("UNEXPECTED EC 0x%x at EL%d ELR-base %ld\n", ec, at, (long)(f->elr - base));
    rt_exit(100);
}
void el1_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 1); }
void el2_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 2); }

static void report(const char *what)
{
    rt_printf("%s:\n", what);
    for (uint64_t i = 0; i < n_rec && i < 16; i++)
        if (rec_off[i] < seq_len)
            rt_printf("  EL%lu EC=0x%lx ISS=0x%lx ELR=+%lu SPSR.SS=%lu\n", rec_el[i], rec_ec[i], rec_iss[i],
                      rec_off[i], rec_ss[i]);
        else                                  /* compiled code before the sequence */
            rt_printf("  EL%lu EC=0x%lx ISS=0x%lx ELR=outside SPSR.SS=%lu\n", rec_el[i], rec_ec[i], rec_iss[i],
                      rec_ss[i]);
    n_rec = 0;
    n_steps = 0;
}

static uint64_t at_el0(uint64_t arg)
{
    (void)arg;
    ((void (*)(void))(void *)seq_el0)();
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    base = (uint64_t)seq_el1;
    seq_len = 40;
    step_limit = 8;
    WRITE_SYSREG(mdscr_el1, MDSCR_SS | MDSCR_KDE);
    ISB();
    __asm__ volatile("mov x2, %0\n\tblr %1" ::"r"(&excl_word), "r"(seq_el1) : "x0", "x1", "x2", "x30", "memory");
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    report("EL1, KDE, unmasked by MSR DAIFClr");
    base = (uint64_t)seq_el0;
    seq_len = 24;
    step_limit = 100;
    rt_run_el0(at_el0, 0);
    report("EL0, stepped after an SVC returns with SPSR.SS = 1");
    return 0;
}

static uint64_t at_el1_tde(uint64_t arg)
{
    (void)arg;
    ((void (*)(void))(void *)seq_tde)();
    return 0;
}

int main(void)
{
    rt_puts("debug_ss\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    rt_run_el1(at_el1, 0, 0);
    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    WRITE_SYSREG(mdscr_el1, MDSCR_SS);        /* KDE is not needed: EL1 is below the debug target */
    ISB();
    tde_mode = 1;
    base = (uint64_t)seq_tde;
    seq_len = 24;
    step_limit = 3;
    rt_run_el1(at_el1_tde, 0, 0);
    report("EL1 with MDCR_EL2.TDE (three steps)");
    WRITE_SYSREG(mdcr_el2, mdcr);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    rt_puts("PASS\n");
    return 0;
}
