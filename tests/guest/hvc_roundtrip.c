/* EL2 drops to EL1; EL1 calls HVC #0x42 with arguments in x0/x1; EL2 reads
 * ESR_EL2/ELR_EL2/SPSR_EL2, returns x0 + x1 in x0. A second HVC #0x43 asks
 * EL2 to end the run with the value in x0 as a check. */
#include "rt/rt.h"

static volatile uint64_t hvc_next_pc[2];   /* address after each HVC */
static volatile int hvc_count;

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    int n = hvc_count++;
    rt_printf("EL2: vector=%d EC=%x IL=%d ISS=%x\n", vector, (unsigned)ESR_EC(esr),
              (int)ESR_IL(esr), (unsigned)ESR_ISS(esr));
    rt_printf("EL2: ELR matches=%d SPSR=%lx x0=%lu\n",
              n < 2 && f->elr == hvc_next_pc[n], f->spsr & 0x0fffffffUL, f->x[0]);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != 0x16 || ESR_IL(esr) != 1 ||
        n >= 2 || f->elr != hvc_next_pc[n] || (f->spsr & 0xf) != 5)
        rt_exit(1);
    if (ESR_ISS(esr) == 0x42) {
        rt_printf("EL2: x1=%lu\n", f->x[1]);
        f->x[0] = f->x[0] + f->x[1];
        return;
    }
    if (ESR_ISS(esr) == 0x43)
        rt_exit(f->x[0] == 42 ? 0 : 3);
    rt_exit(1);
}

static void guest(uint64_t arg)
{
    (void)arg;
    register uint64_t x0 __asm__("x0") = 40;
    register uint64_t x1 __asm__("x1") = 2;
    __asm__ volatile("adr x9, 1f\n\tstr x9, %1\n\thvc #0x42\n1:"
                     : "+r"(x0), "=m"(hvc_next_pc[0]) : "r"(x1) : "x9", "memory");
    uint64_t result = x0;
    rt_printf("EL1: CurrentEL=%lx result=%lu\n", READ_SYSREG(CurrentEL) >> 2, result);
    register uint64_t y0 __asm__("x0") = result;
    __asm__ volatile("adr x9, 1f\n\tstr x9, %1\n\thvc #0x43\n1:"
                     : "+r"(y0), "=m"(hvc_next_pc[1]) :: "x9", "memory");
    rt_exit(2);
}

int main(void)
{
    rt_printf("EL2: CurrentEL=%lx\n", READ_SYSREG(CurrentEL) >> 2);
    rt_enter_el1(guest, 0, 0);
}
