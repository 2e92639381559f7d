/* Example 01: a hypervisor that services hypercalls.
 *
 * What it shows (course topic: exception levels and HVC):
 *  - the hypervisor runs at EL2 and installs its vector table in VBAR_EL2;
 *  - it sets HCR_EL2.RW (EL1 is AArch64) and HCR_EL2.TSC (a guest SMC traps to EL2);
 *  - it drops the guest to EL1 with ERET (SPSR_EL2 = EL1h, ELR_EL2 = guest entry);
 *  - the guest asks for services with HVC #0: x0 = function, x1.. = arguments;
 *  - every exit arrives at the "lower EL, AArch64, synchronous" vector (VBAR_EL2 + 0x400);
 *    the hypervisor reads ESR_EL2 to learn why (EC 0x16 = HVC, EC 0x17 = trapped SMC),
 *    emulates the request, writes the result into the guest's x0 and returns with ERET.
 *    For a trapped SMC, ELR_EL2 points at the SMC itself: the hypervisor skips it (+4).
 */
#include "rt/rt.h"

enum { HC_PUTCHAR = 1, HC_GET_COUNTER = 2, HC_EXIT = 3 };
#define PSCI_VERSION 0x84000000UL

static unsigned exits_hvc, exits_smc;
static uint64_t counter;

static void summary_and_exit(int code)
{
    rt_printf("hypervisor: guest exited with %d\n", code);
    rt_printf("hypervisor: exits: HVC %u, SMC-trap %u\n", exits_hvc, exits_smc);
    rt_exit(code);
}

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector != RT_VEC_LOWER64 + RT_SYNC) {
        rt_printf("hypervisor: unexpected vector %d (ESR %lx)\n", vector, esr);
        rt_exit(1);
    }
    switch (ESR_EC(esr)) {
    case 0x16:                                   /* HVC: a hypercall */
        exits_hvc++;
        switch (f->x[0]) {
        case HC_PUTCHAR: rt_putc((char)f->x[1]); f->x[0] = 0; break;
        case HC_GET_COUNTER: f->x[0] = ++counter; break;
        case HC_EXIT: summary_and_exit((int)f->x[1]); break;
        default: f->x[0] = (uint64_t)-1; break;
        }
        return;                                  /* ELR_EL2 already points after the HVC */
    case 0x17:                                   /* SMC trapped by HCR_EL2.TSC */
        exits_smc++;
        f->x[0] = f->x[0] == PSCI_VERSION ? 0x10001 : (uint64_t)-1;   /* emulate PSCI 1.1 */
        f->elr += 4;                             /* skip the SMC */
        return;
    default:
        rt_printf("hypervisor: unhandled exit EC=%x ISS=%x\n", (unsigned)ESR_EC(esr),
                  (unsigned)ESR_ISS(esr));
        rt_exit(1);
    }
}

/* ---- the guest, at EL1 ---- */

static uint64_t hvc(uint64_t fn, uint64_t arg)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = arg;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

static uint64_t smc(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    __asm__ volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
    return x0;
}

static void guest_puts(const char *s)
{
    while (*s)
        hvc(HC_PUTCHAR, (uint64_t)*s++);
}

static void guest(uint64_t arg)
{
    (void)arg;
    guest_puts("guest: hello from EL1, printing through hypercalls\n");
    uint64_t a = hvc(HC_GET_COUNTER, 0), b = hvc(HC_GET_COUNTER, 0);
    guest_puts(a == 1 && b == 2 ? "guest: counter hypercall works\n" : "guest: counter is wrong\n");
    uint64_t v = smc(PSCI_VERSION);
    guest_puts(v == 0x10001 ? "guest: PSCI_VERSION (trapped SMC) = 1.1\n" : "guest: PSCI wrong\n");
    hvc(HC_EXIT, 0);
}

int main(void)
{
    rt_printf("hypervisor: at EL%lu, starting the guest at EL1\n", READ_SYSREG(CurrentEL) >> 2);
    rt_enter_el1(guest, HCR_TSC, 0);
}
