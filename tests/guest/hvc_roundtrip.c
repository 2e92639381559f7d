/* EL2 drops to EL1; EL1 calls HVC #0x42 with arguments in x0/x1; EL2 reads
 * ESR_EL2/ELR_EL2/SPSR_EL2, returns x0 + x1 in x0. */
#include "rt/rt.h"

static volatile uint64_t el1_hvc_pc;

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    rt_printf("EL2: vector=%d EC=%x IL=%d ISS=%x\n", vector, (unsigned)ESR_EC(esr),
              (int)ESR_IL(esr), (unsigned)ESR_ISS(esr));
    rt_printf("EL2: ELR matches=%d SPSR=%lx args=%lu,%lu\n",
              f->elr == el1_hvc_pc + 4, f->spsr, f->x[0], f->x[1]);
    if (ESR_EC(esr) == 0x16 && ESR_ISS(esr) == 0x42) {
        f->x[0] = f->x[0] + f->x[1];
        return;
    }
    if (ESR_EC(esr) == 0x16 && ESR_ISS(esr) == 0x43)
        rt_exit((int)f->x[0]);
    rt_exit(1);
}

static void guest(uint64_t arg)
{
    (void)arg;
    register uint64_t x0 __asm__("x0") = 40;
    register uint64_t x1 __asm__("x1") = 2;
    uint64_t pc;
    __asm__ volatile("adr %0, 1f\n" : "=r"(pc));
    el1_hvc_pc = pc;
    __asm__ volatile("1: hvc #0x42" : "+r"(x0) : "r"(x1) : "memory");
    rt_printf("EL1: CurrentEL=%lx result=%lu\n", READ_SYSREG(CurrentEL) >> 2, x0);
    register uint64_t y0 __asm__("x0") = 7;
    __asm__ volatile("hvc #0x43" : "+r"(y0) :: "memory");
    rt_exit(2);
}

int main(void)
{
    rt_printf("EL2: CurrentEL=%lx\n", READ_SYSREG(CurrentEL) >> 2);
    rt_enter_el1(guest, 0, 0);
}
