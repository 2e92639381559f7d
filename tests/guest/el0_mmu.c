/* EL0 and EL1 with the EL1&0 stage 1 on (no stage 2): the kernel at EL1
 * identity-maps the image as EL1-only pages, maps a user code page at VA
 * 0x20000000 (read-only at both ELs, executable at EL0 only) and a user data
 * page at 0x20001000 (EL0 read/write, never executable), and erets to EL0.
 * The user program makes two SVCs (exception entry from EL0 with translation
 * on, and the return), reads and writes its data page, then reads a kernel
 * page: a permission fault from EL0 (EC 0x24, DFSC 0x0f), which ends the test. */
#include "pagetable.h"

#define USER_CODE 0x20000000UL
#define USER_DATA 0x20001000UL

static uint32_t user_code[1024] __attribute__((aligned(4096)));
static uint64_t user_data[512] __attribute__((aligned(4096)));
static uint64_t kernel_secret __attribute__((aligned(4096))) = 0x5ec7e7;
static struct pt s1;
static unsigned svcs;

void el1_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el1);
    if (vector != RT_VEC_LOWER64 + RT_SYNC) {
        rt_printf("unexpected vector %d ESR=%lx\n", vector, esr);
        rt_exit(1);
    }
    switch (ESR_EC(esr)) {
    case 0x15:
        svcs++;
        rt_printf("svc #0x%x from EL0: x0=%lu ELR=USER_CODE+0x%lx SPSR=0x%lx\n", (unsigned)ESR_ISS(esr),
                  f->x[0], f->elr - USER_CODE, f->spsr & 0x0fffffffUL);
        f->x[0] += 100;
        return;
    case 0x24:
        rt_printf("data abort from EL0: DFSC=0x%02x WnR=%u FAR=kernel_secret+0x%lx ELR=USER_CODE+0x%lx\n",
                  (unsigned)(esr & 0x3f), (unsigned)((esr >> 6) & 1),
                  READ_SYSREG(far_el1) - (uint64_t)&kernel_secret, f->elr - USER_CODE);
        rt_printf("user data[0]=%lu, svcs=%u\n", user_data[0], svcs);
        rt_exit(svcs == 2 && user_data[0] == 205 ? 0 : 1);
    default:
        rt_printf("unexpected EC 0x%x ISS 0x%x\n", (unsigned)ESR_EC(esr), (unsigned)ESR_ISS(esr));
        rt_exit(1);
    }
}

static void kernel(uint64_t arg)
{
    (void)arg;
    static const uint32_t prog[] = {
        0xd28000a0,   /* mov  x0, #5                        */
        0xd4000421,   /* svc  #0x21                         */
        0xd2a40001,   /* mov  x1, #0x20000000               */
        0x91400421,   /* add  x1, x1, #1, lsl #12  (USER_DATA) */
        0xf9000020,   /* str  x0, [x1]                      */
        0xd4000441,   /* svc  #0x22  (x0 = 105 + 100 = 205) */
        0xf9000020,   /* str  x0, [x1]                      */
        0xf9400062,   /* ldr  x2, [x3]   (x3 = kernel page) */
        0x14000000,   /* b    .                             */
    };
    for (unsigned i = 0; i < sizeof prog / sizeof prog[0]; i++)
        user_code[i] = prog[i];
    pt_init_s1(&s1, 39);
    uint64_t kpage = S1_ATTR(0) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF | S1_UXN;
    pt_map_range(&s1, RAM_BASE, RAM_BASE, SZ_2M, 3, kpage);
    pt_map(&s1, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | S1_AP_RW_EL1 | PTE_AF | S1_UXN | S1_PXN);
    pt_map(&s1, USER_CODE, (uint64_t)user_code, 3, S1_ATTR(0) | S1_AP_RO | PTE_SH(SH_ISH) | PTE_AF | S1_PXN);
    pt_map(&s1, USER_DATA, (uint64_t)user_data, 3, S1_ATTR(0) | S1_AP_RW | PTE_SH(SH_ISH) | PTE_AF | S1_PXN | S1_UXN);
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
    s1_enable(&s1, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    rt_printf("EL1: stage 1 on, entering EL0 at USER_CODE\n");
    register uint64_t x3 __asm__("x3") = (uint64_t)&kernel_secret;
    __asm__ volatile("msr elr_el1, %0\n\tmsr spsr_el1, %1\n\teret"
                     :: "r"(USER_CODE), "r"(RT_SPSR_EL0T), "r"(x3) : "memory");
    __builtin_unreachable();
}

int main(void)
{
    rt_printf("el0_mmu\n");
    rt_enter_el1(kernel, 0, 0);
}
