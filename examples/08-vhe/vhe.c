// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* Example 08: what VHE saves. The same small workload runs twice, under a type-2 host built
 * two ways (needs an Armv8.1 CPU: avsim --cpu=max or --cpu=cortex-a76, QEMU -cpu max):
 *
 *  1. VHE: the host kernel runs at EL2 with HCR_EL2.E2H = 1 and TGE = 1. Its application runs
 *     at EL0 in the EL2&0 translation regime (TTBR0_EL2), so a system call or a page fault goes
 *     straight to EL2. To run the guest, the host clears TGE and sets VM (stage 2 on); a guest
 *     hypercall is taken to EL2, where the host kernel itself handles it.
 *  2. Split mode (nVHE): the host kernel runs at EL1 (EL1&0 regime, TTBR0_EL1); a small
 *     "lowvisor" at EL2 only switches worlds. A system call or page fault goes to EL1 as on any
 *     OS. But a guest hypercall is taken to EL2, which must save the guest's EL1 registers, load
 *     the host's and return to the host kernel at EL1; the host handles it and asks EL2 with an
 *     HVC to resume the guest: EL2 saves the host's EL1 registers and loads the guest's again.
 *
 * The workload: the application makes three system calls and touches one page the host maps on
 * demand; the guest (EL1, MMU off, under stage 2) makes three hypercalls and exits. Each run
 * counts, from the host's side, the exceptions taken, the ERETs and the EL1 system registers
 * the world switches moved. Only counts are printed (the same on avsim and QEMU); avsim's
 * cycles for the same runs are in README.md. */
#define PT_POOL_PAGES 24
#include "pagetable.h"

#define HCR_VM (1UL << 0)
#define HCR_TGE (1UL << 27)
#define HCR_E2H (1UL << 34)
#define USER_PAGE 0x20000000UL        /* demand-paged by the host */
#define AP_PRIV_RW (0UL << 6)
#define AP_BOTH_RW (1UL << 6)
#define AP_BOTH_RO (3UL << 6)

enum { SYS_GETPID = 1, SYS_WRITE = 2 };
enum { HC_ADD = 1, HC_EXIT = 2, LV_RUN_GUEST = 0x100 };

extern char __text_end[];

struct counts {
    unsigned syscalls, faults, hypercalls;      /* what the workload asked for */
    unsigned exceptions, erets, el1_regs_moved;  /* what it cost the host */
};
static struct counts cnt;
static int vhe;
static struct pt user_pt;

/* ---- the application (EL0) and the guest (EL1) ------------------------------------------ */

static uint64_t sys(uint64_t nr, uint64_t arg)
{
    register uint64_t x0 __asm__("x0") = arg, x8 __asm__("x8") = nr;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
    return x0;
}

static uint64_t app(uint64_t arg)
{
    (void)arg;
    uint64_t pid = sys(SYS_GETPID, 0);
    sys(SYS_WRITE, 'a');
    *(volatile uint64_t *)USER_PAGE = pid;                 /* not mapped yet: a page fault */
    sys(SYS_WRITE, (uint64_t)*(volatile uint64_t *)USER_PAGE);
    return 0;
}

static uint64_t hvc(uint64_t fn, uint64_t a)
{
    register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

static void guest(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 3; i++)
        v = hvc(HC_ADD, v);
    hvc(HC_EXIT, v);
    for (;;)
        ;
}

/* ---- the host kernel's work, the same at EL2 (VHE) and EL1 (split) ---------------------- */

static uint64_t host_syscall(uint64_t nr, uint64_t arg)
{
    cnt.syscalls++;
    return nr == SYS_GETPID ? 42 : arg;
}

/* A data abort from the application: map the page it wanted and let it retry. */
static void host_page_fault(uint64_t far)
{
    cnt.faults++;
    pt_map(&user_pt, far & ~0xfffUL, RAM_FREE1, 3, S1_ATTR(0) | AP_BOTH_RW | PTE_SH(SH_ISH) | PTE_AF | S1_UXN);
    __asm__ volatile("dsb ishst\n\ttlbi vae1is, %0\n\tdsb ish\n\tisb" :: "r"(far >> 12) : "memory");
}

static void host_user_exception(struct rt_frame *f, uint64_t esr, uint64_t far)
{
    cnt.exceptions++;
    cnt.erets++;
    if (ESR_EC(esr) == 0x15)
        f->x[0] = host_syscall(f->x[8], f->x[0]);
    else if (ESR_EC(esr) == 0x24)
        host_page_fault(far);
    else {
        rt_printf("host: unexpected exception EC=%lx\n", ESR_EC(esr));
        rt_exit(1);
    }
}

static uint64_t host_hypercall(uint64_t fn, uint64_t a)
{
    cnt.hypercalls++;
    return fn == HC_ADD ? a + 1 : 0;
}

/* ---- split mode: EL1 host kernel, EL2 lowvisor --------------------------------------------- */

#define N_EL1 12
static uint64_t host_el1[N_EL1], guest_el1[N_EL1];
static struct rt_frame host_frame, guest_frame;
static int in_guest;
static uint64_t guest_stack[512] __attribute__((aligned(16)));

static void save_el1(uint64_t *r)
{
    r[0] = READ_SYSREG(sctlr_el1);   r[1] = READ_SYSREG(ttbr0_el1); r[2] = READ_SYSREG(ttbr1_el1);
    r[3] = READ_SYSREG(tcr_el1);     r[4] = READ_SYSREG(mair_el1);  r[5] = READ_SYSREG(vbar_el1);
    r[6] = READ_SYSREG(sp_el1);      r[7] = READ_SYSREG(elr_el1);   r[8] = READ_SYSREG(spsr_el1);
    r[9] = READ_SYSREG(esr_el1);     r[10] = READ_SYSREG(far_el1);  r[11] = READ_SYSREG(tpidr_el1);
    cnt.el1_regs_moved += N_EL1;
}

static void load_el1(const uint64_t *r)
{
    WRITE_SYSREG(sctlr_el1, r[0]);   WRITE_SYSREG(ttbr0_el1, r[1]); WRITE_SYSREG(ttbr1_el1, r[2]);
    WRITE_SYSREG(tcr_el1, r[3]);     WRITE_SYSREG(mair_el1, r[4]);  WRITE_SYSREG(vbar_el1, r[5]);
    WRITE_SYSREG(sp_el1, r[6]);      WRITE_SYSREG(elr_el1, r[7]);   WRITE_SYSREG(spsr_el1, r[8]);
    WRITE_SYSREG(esr_el1, r[9]);     WRITE_SYSREG(far_el1, r[10]);  WRITE_SYSREG(tpidr_el1, r[11]);
    ISB();
    cnt.el1_regs_moved += N_EL1;
}

/* Frames are copied word by word (no C library here for the compiler's memcpy). */
static void copy_frame(struct rt_frame *to, const struct rt_frame *from)
{
    volatile uint64_t *t = (volatile uint64_t *)to;
    const volatile uint64_t *fr = (const volatile uint64_t *)from;
    for (unsigned i = 0; i < sizeof *to / 8; i++)
        t[i] = fr[i];
}

/* The lowvisor's world switch: host -> guest on LV_RUN_GUEST, guest -> host on every guest HVC. */
static void lowvisor(struct rt_frame *f)
{
    cnt.exceptions++;
    cnt.erets++;
    if (!in_guest) {                       /* the host asks to run the guest */
        copy_frame(&host_frame, f);
        save_el1(host_el1);
        load_el1(guest_el1);
        WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
        ISB();
        copy_frame(f, &guest_frame);
        in_guest = 1;
        return;
    }
    copy_frame(&guest_frame, f);           /* a guest exit: back to the host kernel at EL1 */
    save_el1(guest_el1);
    load_el1(host_el1);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    copy_frame(f, &host_frame);
    f->x[0] = guest_frame.x[0];            /* the exit: the guest's hypercall */
    f->x[1] = guest_frame.x[1];
    in_guest = 0;
}

static uint64_t host_kernel_el1(uint64_t arg)
{
    (void)arg;
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | (1UL << 23));   /* SPAN: exceptions leave PAN alone */
    s1_enable(&user_pt, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    rt_run_el0(app, 0);
    s1_disable();
    /* The guest's initial EL1 state; then run it until it exits. */
    guest_el1[0] = 0x30d00800;             /* SCTLR_EL1: MMU off */
    guest_el1[5] = (uint64_t)rt_vectors_el1;
    guest_el1[6] = (uint64_t)&guest_stack[512];
    for (unsigned i = 0; i < 31; i++)
        ((volatile uint64_t *)guest_frame.x)[i] = 0;
    guest_frame.elr = (uint64_t)guest;
    guest_frame.spsr = RT_SPSR_EL1H;
    for (;;) {
        register uint64_t x0 __asm__("x0") = LV_RUN_GUEST, x1 __asm__("x1") = 0;
        __asm__ volatile("hvc #1" : "+r"(x0), "+r"(x1) :: "memory");
        uint64_t fn = x0, a = x1;          /* the guest's exit */
        uint64_t r = host_hypercall(fn, a);
        if (fn == HC_EXIT)
            break;
        guest_frame.x[0] = r;
    }
    return 0;
}

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_SYNC) {            /* split mode: the application */
        host_user_exception(f, READ_SYSREG(esr_el1), READ_SYSREG(far_el1));
        return;
    }
    rt_printf("host (EL1): unexpected vector %d\n", vector);
    rt_exit(1);
}

/* ---- EL2 ------------------------------------------------------------------------------- */

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector != RT_VEC_LOWER64 + RT_SYNC) {
        rt_printf("EL2: unexpected vector %d ESR %lx\n", vector, esr);
        rt_exit(1);
    }
    if (!vhe) {
        lowvisor(f);
        return;
    }
    if (ESR_EC(esr) == 0x16) {                           /* VHE: a guest hypercall, handled here */
        cnt.exceptions++;
        uint64_t r = host_hypercall(f->x[0], f->x[1]);
        if (f->x[0] == HC_EXIT)
            rt_lower_return(0);                          /* back to the host's run loop (no ERET) */
        cnt.erets++;
        f->x[0] = r;
        return;
    }
    host_user_exception(f, esr, READ_SYSREG(far_el2));   /* VHE: the application */
}

static void user_tables(void)
{
    pt_init_s1(&user_pt, 39);
    for (uint64_t pa = RAM_BASE; pa < RAM_BASE + SZ_2M; pa += PAGE_SIZE)
        pt_map(&user_pt, pa, pa, 3, S1_ATTR(0) | PTE_SH(SH_ISH) | PTE_AF |
               (pa < (uint64_t)__text_end ? AP_BOTH_RO : AP_BOTH_RW | S1_UXN));
    pt_map(&user_pt, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | AP_PRIV_RW | PTE_AF | S1_PXN | S1_UXN);
}

static void report(const char *mode)
{
    rt_printf("%s: syscalls %u, page faults %u, hypercalls %u; exceptions taken %u, ERETs %u, "
              "EL1 registers switched %u\n", mode, cnt.syscalls, cnt.faults, cnt.hypercalls, cnt.exceptions,
              cnt.erets, cnt.el1_regs_moved);
}

int main(void)
{
    rt_puts("vhe: the same workload under a VHE host and a split-mode host\n");
    struct pt s2;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 2);
    s2_setup(&s2);

    /* 1. VHE: the host kernel at EL2, E2H and TGE; its application in the EL2&0 regime. */
    vhe = 1;
    user_tables();
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_TGE);
    ISB();
    WRITE_SYSREG(tcr_el2, 25UL | (1UL << 23) | (2UL << 32));    /* E2H layout: T0SZ 25, EPD1, 40-bit IPS */
    WRITE_SYSREG(mair_el2, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)user_pt.root);
    __asm__ volatile("dsb sy\n\ttlbi alle2\n\tdsb sy\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | (1UL << 23));   /* M, SPAN */
    ISB();
    rt_run_el0(app, 0);
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    /* The guest: TGE off, stage 2 on; its EL1 vectors through VBAR_EL12. */
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_VM);
    WRITE_SYSREG(S3_5_C12_C0_0, (uint64_t)rt_vectors_el1);
    ISB();
    rt_call_lower((uint64_t (*)(uint64_t))(void *)guest, &guest_stack[512], RT_SPSR_EL1H, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    report("VHE  ");
    struct counts v;
    v.syscalls = cnt.syscalls; v.faults = cnt.faults; v.hypercalls = cnt.hypercalls;
    v.exceptions = cnt.exceptions; v.erets = cnt.erets; v.el1_regs_moved = cnt.el1_regs_moved;

    /* 2. Split mode: the host kernel at EL1, the lowvisor at EL2. */
    vhe = 0;
    cnt.syscalls = cnt.faults = cnt.hypercalls = cnt.exceptions = cnt.erets = cnt.el1_regs_moved = 0;
    pt_pool_next = 0;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 2);
    s2_setup(&s2);
    user_tables();
    rt_run_el1(host_kernel_el1, 0, 0);
    report("split");
    rt_printf("per guest exit: VHE %u exception, no EL1 register switched; split mode %u exceptions "
              "and %u EL1 registers switched\n", (v.exceptions - v.syscalls - v.faults) / v.hypercalls,
              (cnt.exceptions - cnt.syscalls - cnt.faults) / cnt.hypercalls, cnt.el1_regs_moved / cnt.hypercalls);
    return 0;
}
