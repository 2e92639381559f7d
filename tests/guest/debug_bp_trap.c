/* A Breakpoint exception has priority over the trap of the instruction it is
 * on (the Arm ARM's synchronous exception priorities; a debugger's breakpoint
 * on a guest's WFI under KVM, which traps WFI). EL1 runs WFI with
 * HCR_EL2.TWI = 1 and breakpoint 0 on it: first with MDSCR_EL1.KDE (the
 * Breakpoint exception at EL1, EC 0x31, whose handler disables the breakpoint
 * and returns to the WFI, which then traps to EL2, EC 0x01), then with
 * MDCR_EL2.TDE (EC 0x30 to EL2 first; EL2 disables it and the WFI traps).
 * The WFI is once the first instruction of a block, once inside one. */
#include "rt/rt.h"

extern char wfi_first[], wfi_inside[], wfi_inside_at[];
__asm__(".text\n.p2align 4\n"
        ".global wfi_first\nwfi_first:\n\twfi\n\tret\n"
        ".global wfi_inside\nwfi_inside:\n\tnop\n\tnop\n"
        ".global wfi_inside_at\nwfi_inside_at:\n\twfi\n\tret\n");

#define BCR_E 1UL
#define BCR_PMC_EL1 (1UL << 1)
#define BCR_BAS (0xfUL << 5)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define MDCR_TDE (1UL << 8)
#define HCR_TWI (1UL << 13)

static volatile uint64_t n_rec, rec_el[8], rec_ec[8], rec_site[8], site;

static void record(struct rt_frame *f, int at)
{
    uint64_t esr = at == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    unsigned ec = (unsigned)(esr >> 26);
    if (f->elr != site || (ec != 0x30 && ec != 0x31 && ec != 0x01)) {
        rt_printf("UNEXPECTED EC 0x%x at EL%d, ELR-site %ld\n", ec, at, (long)(f->elr - site));
        rt_exit(100);
    }
    if (n_rec < 8) {
        rec_el[n_rec] = at;
        rec_ec[n_rec] = ec;
        rec_site[n_rec] = f->elr - site;
        n_rec++;
    }
    if (ec == 0x01)
        f->elr += 4;                                 /* the trapped WFI: done */
    else
        WRITE_SYSREG(dbgbcr0_el1, 0);                /* the breakpoint goes; the WFI runs again */
    ISB();
}

void el1_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 1); }
void el2_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 2); }

static uint64_t at_el1(uint64_t fn)
{
    __asm__ volatile("msr daifclr, #8\n\tisb" ::: "memory");
    ((void (*)(void))fn)();
    __asm__ volatile("msr daifset, #8\n\tisb" ::: "memory");
    return 0;
}

static void run(const char *what, void (*fn)(void), uint64_t at, uint64_t mdscr)
{
    site = at;
    WRITE_SYSREG(mdscr_el1, mdscr);
    WRITE_SYSREG(dbgbvr0_el1, at);
    WRITE_SYSREG(dbgbcr0_el1, BCR_E | BCR_PMC_EL1 | BCR_BAS);
    ISB();
    rt_run_el1(at_el1, HCR_TWI, (uint64_t)fn);
    rt_printf("%s:", what);
    for (unsigned i = 0; i < n_rec; i++)
        rt_printf(" EL%lu EC 0x%lx at site+%lu;", rec_el[i], rec_ec[i], rec_site[i]);
    rt_printf("\n");
    n_rec = 0;
}

int main(void)
{
    rt_puts("debug_bp_trap\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    run("KDE, WFI first in its block", (void (*)(void))(void *)wfi_first, (uint64_t)wfi_first, MDSCR_MDE | MDSCR_KDE);
    run("KDE, WFI inside its block", (void (*)(void))(void *)wfi_inside, (uint64_t)wfi_inside_at,
        MDSCR_MDE | MDSCR_KDE);
    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    run("TDE, WFI first in its block", (void (*)(void))(void *)wfi_first, (uint64_t)wfi_first, MDSCR_MDE);
    run("TDE, WFI inside its block", (void (*)(void))(void *)wfi_inside, (uint64_t)wfi_inside_at, MDSCR_MDE);
    WRITE_SYSREG(mdcr_el2, mdcr);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    rt_puts("PASS\n");
    return 0;
}
