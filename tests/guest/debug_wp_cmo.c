// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 generates no Watchpoint exception for DC IVAC (it performs DC IVAC as a no-op without a watchpoint check); the Arm ARM treats DC IVAC as a store to its whole cache line for watchpoints, with ESR_ELx.CM = 1 and WnR = 1. The STR and DC CIVAC cases match QEMU 7.2.
/* Watchpoints and data cache maintenance (AArch64.WatchpointMatch, the
 * Watchpoint exception's ISS.CM): at EL1 with MDSCR_EL1.KDE, watchpoint 0
 * watches stores to 8 bytes in a 64-byte cache line. A DC IVAC anywhere in
 * that line matches (EC 0x35, ISS CM = 1, WnR = 1, FAR = Xt); one in the next
 * line does not; DC CIVAC never does; a store to the watched bytes does
 * (CM = 0). The handler skips the instruction. */
#include "rt/rt.h"

#define WCR_E 1UL
#define WCR_PAC_EL1 (1UL << 1)
#define WCR_LSC_STORE (2UL << 3)
#define WCR_BAS(b) ((uint64_t)(b) << 5)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)

static uint8_t buf[256] __attribute__((aligned(64)));
static volatile uint64_t hits, last_ec, last_iss, last_far;

void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    rt_printf("UNEXPECTED exception at EL2, vector %d, ESR 0x%lx\n", vector, READ_SYSREG(esr_el2));
    rt_exit(100);
}

void el1_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el1);
    if ((esr >> 26) != 0x35) {
        rt_printf("UNEXPECTED exception at EL1, vector %d, ESR 0x%lx\n", vector, esr);
        rt_exit(100);
    }
    hits++;
    last_ec = esr >> 26;
    last_iss = esr & 0x1ffffff;
    last_far = READ_SYSREG(far_el1);
    f->elr += 4;
}

static void report(const char *what, uint64_t before)
{
    if (hits == before)
        rt_printf("%s: no watchpoint\n", what);
    else
        rt_printf("%s: EC 0x%lx ISS 0x%lx (CM %lu WnR %lu) FAR buf+%ld\n", what, last_ec, last_iss,
                  (last_iss >> 8) & 1, (last_iss >> 6) & 1, (long)(last_far - (uint64_t)buf));
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    uint64_t h;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&buf[72]);
    WRITE_SYSREG(dbgwcr0_el1, WCR_E | WCR_PAC_EL1 | WCR_LSC_STORE | WCR_BAS(0xff));
    __asm__ volatile("isb\n\tmsr daifclr, #8\n\tisb" ::: "memory");
    h = hits;
    __asm__ volatile("str xzr, [%0]" :: "r"(&buf[72]) : "memory");
    report("STR to the watched bytes", h);
    h = hits;
    __asm__ volatile("dc ivac, %0" :: "r"(&buf[104]) : "memory");
    report("DC IVAC in the watched line", h);
    h = hits;
    __asm__ volatile("dc ivac, %0" :: "r"(&buf[136]) : "memory");
    report("DC IVAC in the next line", h);
    h = hits;
    __asm__ volatile("dc civac, %0" :: "r"(&buf[72]) : "memory");
    report("DC CIVAC of the watched bytes", h);
    __asm__ volatile("msr daifset, #8\n\tisb" ::: "memory");
    WRITE_SYSREG(dbgwcr0_el1, 0);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    return 0;
}

int main(void)
{
    rt_puts("debug_wp_cmo\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    ISB();
    rt_run_el1(at_el1, 0, 0);
    rt_printf("%lu watchpoint exceptions\nPASS\n", hits);
    return 0;
}
