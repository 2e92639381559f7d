// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 reports the first breakpoint hit only (x0 = 20 all the same): the DBGBVR0_EL1 its EL2 handler writes before ISB and ERET does not stop the code that follows, where the Arm ARM makes the new value take effect after that context synchronization event; the software step part matches QEMU 7.2.
/* Debug exceptions across translation regimes, as KVM's guest debugging uses
 * them: EL1 runs code at a VA (ALIAS) that only its own stage 1 maps; EL2 has
 * its stage 1 on without ALIAS; MDCR_EL2.TDE routes EL1's debug exceptions to
 * EL2, whose handler rewrites the debug registers (AArch64.BreakpointException,
 * AArch64.SoftwareStepException to EL2).
 * 1. A breakpoint moved along 20 instructions: at each hit EL2 points DBGBVR0
 *    at the next one (more addresses than avsim keeps code hooks for, so some
 *    go while EL2 runs), then disables it.
 * 2. Software step of the same code, started by an HVC returning with
 *    SPSR_EL2.SS = 1; after three steps EL2 clears MDSCR_EL1.SS.
 * avsim once took an Instruction Abort at EL2 on ALIAS here: Unicorn looks the
 * blocks of a hook being deleted up in the current regime. */
#include "pagetable.h"

#define ALIAS 0x20000000UL
#define N_ADDS 20

extern char seq[];
__asm__(".text\n.p2align 12\n.global seq\nseq:\n"
        "\thvc #1\n"                                 /* +0 */
        "\t.rept 20\n\tadd x0, x0, #1\n\t.endr\n"    /* +4 .. +80 */
        "\tret\n");                                  /* +84 */

#define BCR_E 1UL
#define BCR_PMC_EL1_EL0 (3UL << 1)
#define BCR_BAS (0xfUL << 5)
#define MDSCR_SS 1UL
#define MDSCR_MDE (1UL << 15)
#define MDCR_TDE (1UL << 8)
#define SPSR_SS (1UL << 21)

static struct pt el2pt, el1pt;
static volatile uint64_t n_rec, rec_ec[32], rec_off[32], steps_left;

void el1_handler(struct rt_frame *f, int vector)
{
    rt_printf("UNEXPECTED exception at EL1, vector %d, ESR 0x%lx, ELR-alias %ld\n", vector, READ_SYSREG(esr_el1),
              (long)(f->elr - ALIAS));
    rt_exit(100);
}

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    unsigned ec = (unsigned)(esr >> 26);
    if (ec == 0x16) {                          /* hvc #1: step from here if stepping */
        if (steps_left) {
            WRITE_SYSREG(mdscr_el1, MDSCR_SS);
            f->spsr |= SPSR_SS;                /* active-not-pending: one instruction runs */
        }
        return;
    }
    if ((ec != 0x30 && ec != 0x32) || (esr & 0x3f) != 0x22) {
        rt_printf("UNEXPECTED exception at EL2, vector %d, ESR 0x%lx, ELR-alias %ld\n", vector, esr,
                  (long)(f->elr - ALIAS));
        rt_exit(100);
    }
    if (n_rec < 32) {
        rec_ec[n_rec] = ec;
        rec_off[n_rec] = f->elr - ALIAS;
        n_rec++;
    }
    if (ec == 0x30) {
        if (f->elr + 4 <= ALIAS + 4 * N_ADDS)
            WRITE_SYSREG(dbgbvr0_el1, f->elr + 4);
        else
            WRITE_SYSREG(dbgbcr0_el1, 0);
    } else if (--steps_left) {
        f->spsr |= SPSR_SS;                    /* the next instruction */
    } else {
        WRITE_SYSREG(mdscr_el1, 0);
    }
    ISB();
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    s1_enable(&el1pt, MAIR(0, MAIR_NORMAL_WB));
    uint64_t x0;
    __asm__ volatile("mov x0, #0\n\tblr %1\n\tmov %0, x0" : "=r"(x0) : "r"(ALIAS) : "x0", "x30", "memory");
    s1_disable();
    return x0;
}

static void report(const char *what, uint64_t x0)
{
    rt_printf("%s: x0 = %lu, %lu debug exceptions\n", what, x0, n_rec);
    for (unsigned i = 0; i < n_rec && i < 32; i++)
        rt_printf("  EC 0x%lx at ALIAS+%lu\n", rec_ec[i], rec_off[i]);
    n_rec = 0;
}

int main(void)
{
    rt_puts("debug_regime\n");
    pt_init_s1(&el2pt, 39);
    pt_map(&el2pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | (1UL << 6) | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&el2pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | (1UL << 6) | PTE_AF | (1UL << 54));
    pt_init_s1(&el1pt, 39);
    pt_map(&el1pt, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_map(&el1pt, ALIAS, (uint64_t)seq, 3, S1_RAM(0));
    s1_el2_enable(&el2pt);

    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    WRITE_SYSREG(dbgbvr0_el1, ALIAS + 4);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC_EL1_EL0 | BCR_BAS);
    ISB();
    report("breakpoint moved along the code", rt_run_el1(at_el1, 0, 0));

    WRITE_SYSREG(mdscr_el1, 0);
    steps_left = 3;
    ISB();
    report("three steps from the HVC's return", rt_run_el1(at_el1, 0, 0));

    WRITE_SYSREG(mdcr_el2, mdcr);
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    rt_puts("PASS\n");
    return 0;
}
