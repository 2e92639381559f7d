// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 ignores the OS Lock for debug exceptions (AArch64.GenerateDebugExceptionsFrom returns FALSE with OSLSR_EL1.OSLK = 1), generates no events for unlinked context-ID or VMID breakpoints (AArch64.BreakpointValueMatch matches them at any address) nor for linked VMID ones, and takes a step exception after a stepped MSR DAIFSet that sets PSTATE.D (AArch64.CheckSoftwareStep finds step disabled before the next instruction).
/* Self-hosted debug where avsim follows the Arm pseudocode and QEMU 7.2 does
 * not (the line above); expectations written from the pseudocode. */
#include "rt/rt.h"

extern char bp_site[], seq_daifset[];
__asm__(".text\n.p2align 4\n.global bp_site\nbp_site:\n\tnop\n\tnop\n\tnop\n\tnop\n\tret\n"
        ".global seq_daifset\nseq_daifset:\n"
        "\tmsr daifclr, #8\n"          /* +0 */
        "\tnop\n"                      /* +4: step exception (active-pending, ISV = 0) */
        "\tmsr daifset, #8\n"          /* +8: stepped */
        "\tnop\n"                      /* +12: no step exception: PSTATE.D is set */
        "\tnop\n"
        "\tret\n");
static void site(void) { ((void (*)(void))(void *)bp_site)(); }

#define BCR_E 1UL
#define BCR_PMC(x) ((uint64_t)(x) << 1)
#define BCR_BAS (0xfUL << 5)
#define BCR_LBN(x) ((uint64_t)(x) << 16)
#define BCR_BT(x) ((uint64_t)(x) << 20)
#define MDSCR_SS 1UL
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)

static volatile uint64_t hits, base, first_off, first_iss, first_ec, last_off, disable_on_hit;

static void record(struct rt_frame *f, int at)
{
    uint64_t e = at == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    unsigned ec = (unsigned)(e >> 26);
    if (ec != 0x31 && ec != 0x33) {
        rt_printf("UNEXPECTED EC 0x%x at EL%d\n", ec, at);
        rt_exit(100);
    }
    if (!hits) {
        first_off = f->elr - base;
        first_iss = e & 0x1ffffff;
        first_ec = ec;
    }
    last_off = f->elr - base;
    hits++;
    if (ec == 0x33) {
        f->spsr |= 1UL << 21;         /* step on */
        return;
    }
    if (disable_on_hit) {             /* a context breakpoint matches everywhere: turn it off */
        WRITE_SYSREG(dbgbcr4_el1, 0);
        WRITE_SYSREG(dbgbcr5_el1, 0);
        ISB();
    } else {
        f->elr += 4;
    }
}
void el1_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 1); }
void el2_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 2); }

static void report(const char *what, int print_off)
{
    rt_printf("%s: hits=%lu", what, hits);
    if (hits && print_off)
        rt_printf(" first: EC=0x%lx ISS=0x%lx ELR=+%lu, last ELR=+%lu", first_ec, first_iss, first_off, last_off);
    else if (hits)
        rt_printf(" first: EC=0x%lx ISS=0x%lx", first_ec, first_iss);
    rt_printf("\n");
    hits = 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t a = (uint64_t)bp_site;
    base = a;
    __asm__ volatile("msr daifclr, #8");
    WRITE_SYSREG(dbgbvr0_el1, a + 4);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    WRITE_SYSREG(oslar_el1, 1);
    ISB();
    site();
    report("EL1 address breakpoint with the OS Lock", 1);
    WRITE_SYSREG(oslar_el1, 0);
    ISB();
    site();
    report("EL1 address breakpoint, OS Lock cleared", 1);
    WRITE_SYSREG(dbgbcr0_el1, 0);
    /* An unlinked context-ID breakpoint (BT 0b0010) fires at the first instruction that runs
     * at EL1 with CONTEXTIDR_EL1 = its value; the handler disables it. */
    disable_on_hit = 1;
    WRITE_SYSREG(contextidr_el1, 0x77);
    WRITE_SYSREG(dbgbvr4_el1, 0x77);
    WRITE_SYSREG(dbgbcr4_el1, BCR_E | BCR_PMC(3) | BCR_BT(2));
    ISB();
    site();
    report("EL1 unlinked context-ID breakpoint", 0);
    WRITE_SYSREG(dbgbvr4_el1, 0x78);
    WRITE_SYSREG(dbgbcr4_el1, BCR_E | BCR_PMC(3) | BCR_BT(2));
    ISB();
    site();
    report("EL1 unlinked context-ID breakpoint, other CONTEXTIDR", 0);
    WRITE_SYSREG(dbgbcr4_el1, 0);
    /* An unlinked VMID breakpoint (BT 0b1000): VTTBR_EL2.VMID = 5 (set by EL2). */
    WRITE_SYSREG(dbgbvr5_el1, 5UL << 32);
    WRITE_SYSREG(dbgbcr5_el1, BCR_E | BCR_PMC(3) | BCR_BT(8));
    ISB();
    site();
    report("EL1 unlinked VMID 5 breakpoint, VMID 5", 0);
    disable_on_hit = 0;
    /* Linked: bp0 at site+8 linked to bp5, a linked VMID breakpoint (BT 0b1001). */
    WRITE_SYSREG(dbgbcr5_el1, BCR_E | BCR_PMC(3) | BCR_BT(9));
    WRITE_SYSREG(dbgbvr0_el1, a + 8);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC(3) | BCR_BAS | BCR_BT(1) | BCR_LBN(5));
    ISB();
    site();
    report("EL1 bp0 linked to VMID 5, VMID 5", 1);
    WRITE_SYSREG(dbgbvr5_el1, 6UL << 32);
    ISB();
    site();
    report("EL1 bp0 linked to VMID 6, VMID 5", 1);
    WRITE_SYSREG(dbgbcr0_el1, 0);
    WRITE_SYSREG(dbgbcr5_el1, 0);
    /* Software step across an MSR DAIFSet that sets PSTATE.D. */
    base = (uint64_t)seq_daifset;
    __asm__ volatile("msr daifset, #8");
    WRITE_SYSREG(mdscr_el1, MDSCR_SS | MDSCR_KDE);
    ISB();
    ((void (*)(void))(void *)seq_daifset)();
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    report("EL1 stepping up to MSR DAIFSet #8", 1);
    return 0;
}

int main(void)
{
    rt_puts("debug_arm\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    WRITE_SYSREG(vttbr_el2, 5UL << 48);
    ISB();
    rt_run_el1(at_el1, 0, 0);
    rt_puts("PASS\n");
    return 0;
}
