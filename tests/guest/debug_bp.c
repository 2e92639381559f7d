/* Hardware breakpoints (AArch64.CheckBreakpoint, AArch64.BreakpointMatch,
 * AArch64.StateMatch) and their routing (AArch64.GenerateDebugExceptionsFrom,
 * AArch64.BreakpointException): EC 0x31 at the same EL, 0x30 from a lower EL,
 * ISS = IFSC 0x22, ELR = the instruction. Address breakpoints at EL1 and EL0
 * with the PMC filter, MDSCR_EL1.MDE/KDE, PSTATE.D, the OS Double Lock, a breakpoint
 * linked to a context-ID breakpoint (CONTEXTIDR_EL1), MDCR_EL2.TDE and
 * HCR_EL2.TGE routing to EL2, and breakpoints at EL2 itself (HMC, with TDE and
 * KDE). The handlers skip the breakpointed NOP. */
#include "rt/rt.h"

extern char bp_site[];
__asm__(".text\n.p2align 4\n.global bp_site\nbp_site:\n\tnop\n\tnop\n\tnop\n\tnop\n\tret\n");
static void site(void) { ((void (*)(void))bp_site)(); }

#define BCR_E 1UL
#define BCR_PMC(x) ((uint64_t)(x) << 1)
#define BCR_BAS (0xfUL << 5)
#define BCR_HMC (1UL << 13)
#define BCR_SSC(x) ((uint64_t)(x) << 14)
#define BCR_LBN(x) ((uint64_t)(x) << 16)
#define BCR_BT(x) ((uint64_t)(x) << 20)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define MDCR_TDE (1UL << 8)

static volatile uint64_t hits, elr_off[8], esr[8], el[8];

static void record(struct rt_frame *f, int at)
{
    uint64_t e = at == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    unsigned ec = (unsigned)(e >> 26);
    if (ec != 0x30 && ec != 0x31) {
        rt_printf("UNEXPECTED EC 0x%x at EL%d ELR-site %ld\n", ec, at, (long)(f->elr - (uint64_t)bp_site));
        rt_exit(100);
    }
    if (hits < 8) {
        elr_off[hits] = f->elr - (uint64_t)bp_site;
        esr[hits] = e;
        el[hits] = at;
    }
    hits++;
    f->elr += 4;                   /* skip the NOP */
}
void el1_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 1); }
void el2_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 2); }

static void report(const char *what)
{
    rt_printf("%s: hits=%lu", what, hits);
    for (uint64_t i = 0; i < hits && i < 8; i++)
        rt_printf(" [EL%lu EC=0x%lx IL=%lu ISS=0x%lx ELR=site+%lu]", el[i], esr[i] >> 26, (esr[i] >> 25) & 1,
                  esr[i] & 0x1ffffff, elr_off[i]);
    rt_printf("\n");
    hits = 0;
}

static void clear_bps(void)
{
    WRITE_SYSREG(dbgbcr0_el1, 0);
    WRITE_SYSREG(dbgbcr1_el1, 0);
    WRITE_SYSREG(dbgbcr4_el1, 0);
    WRITE_SYSREG(dbgbcr5_el1, 0);
    ISB();
}

static uint64_t el0_site(uint64_t arg)
{
    (void)arg;
    site();
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t a = (uint64_t)bp_site;
    __asm__ volatile("msr daifclr, #8");
    WRITE_SYSREG(dbgbvr0_el1, a + 4);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(1) | BCR_BAS);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    ISB();
    site();
    report("EL1 bp0 at site+4, KDE");
    WRITE_SYSREG(dbgbvr1_el1, a + 12);
    WRITE_SYSREG(dbgbcr1_el1, BCR_E | BCR_PMC(3) | BCR_BAS);
    ISB();
    site();
    report("EL1 bp0 site+4 and bp1 site+12");
    WRITE_SYSREG(dbgbcr1_el1, 0);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    ISB();
    site();
    report("EL1 without KDE");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    __asm__ volatile("msr daifset, #8");
    ISB();
    site();
    report("EL1 with PSTATE.D");
    __asm__ volatile("msr daifclr, #8");
    WRITE_SYSREG(osdlr_el1, 1);
    ISB();
    site();
    report("EL1 with the OS Double Lock");
    WRITE_SYSREG(osdlr_el1, 0);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(2) | BCR_BAS);
    ISB();
    site();
    report("EL1, PMC = EL0 only");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);      /* KDE does not matter from EL0 */
    ISB();
    rt_run_el0(el0_site, 0);
    report("EL0, PMC = EL0 only");
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(1) | BCR_BAS);
    ISB();
    rt_run_el0(el0_site, 0);
    report("EL0, PMC = EL1 only");
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    rt_run_el0(el0_site, 0);
    report("EL0 without MDE");
    /* bp0 at site+8 linked (BT 0b0001) to bp4, a linked context-ID breakpoint (BT 0b0011). */
    __asm__ volatile("msr daifclr, #8");       /* (masked again by the return from EL0) */
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    WRITE_SYSREG(dbgbvr4_el1, 0x1234);
    WRITE_SYSREG(dbgbcr4_el1, BCR_E | BCR_PMC(3) | BCR_BT(3));
    WRITE_SYSREG(dbgbvr0_el1, a + 8);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS | BCR_BT(1) | BCR_LBN(4));
    WRITE_SYSREG(contextidr_el1, 0x1234);
    ISB();
    site();
    report("EL1 linked to CONTEXTIDR 0x1234, CONTEXTIDR_EL1 0x1234");
    WRITE_SYSREG(contextidr_el1, 0x99);
    ISB();
    site();
    report("EL1 linked to CONTEXTIDR 0x1234, CONTEXTIDR_EL1 0x99");
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS | BCR_BT(1) | BCR_LBN(1));
    ISB();
    site();
    report("EL1 linked to bp1, not context-aware");
    clear_bps();
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    return 0;
}

static uint64_t at_el1_tde(uint64_t arg)
{
    (void)arg;
    site();                 /* PSTATE.D is set: it does not mask debug exceptions to EL2 */
    return 0;
}

int main(void)
{
    uint64_t a = (uint64_t)bp_site;
    rt_puts("debug_bp\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    rt_run_el1(at_el1, 0, 0);

    /* MDCR_EL2.TDE: breakpoints at EL1 go to EL2 (EC 0x30). */
    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    WRITE_SYSREG(dbgbvr0_el1, a + 4);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    ISB();
    rt_run_el1(at_el1_tde, 0, 0);
    report("EL1 with MDCR_EL2.TDE");
    /* At EL2 itself: with TDE the debug target is EL2; KDE and PSTATE.D = 0 are needed, HMC selects EL2. */
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS | BCR_HMC | BCR_SSC(1));
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    ISB();
    site();
    report("EL2, TDE, KDE, PSTATE.D = 1");
    __asm__ volatile("msr daifclr, #8");
    ISB();
    site();
    report("EL2, TDE, KDE, PSTATE.D = 0, HMC");
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS);
    ISB();
    site();
    report("EL2, TDE, KDE, PSTATE.D = 0, HMC = 0");
    __asm__ volatile("msr daifset, #8");
    WRITE_SYSREG(mdcr_el2, mdcr);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS | BCR_HMC | BCR_SSC(1));
    ISB();
    __asm__ volatile("msr daifclr, #8");
    ISB();
    site();
    report("EL2 without TDE (debug target EL1)");
    __asm__ volatile("msr daifset, #8");
    /* HCR_EL2.TGE: from EL0 to EL2. */
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(2) | BCR_BAS);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TGE);
    ISB();
    rt_run_el0(el0_site, 0);
    report("EL0 with HCR_EL2.TGE");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    WRITE_SYSREG(dbgbcr0_el1, 0);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    rt_puts("PASS\n");
    return 0;
}
