/* LDTR/STTR at EL1 (the "unprivileged" loads and stores) are checked with
 * EL0's permissions (AArch64.CheckPermission with the access's EL0 flag).
 * Unicorn's TLB-fill hook is not told that an access is unprivileged, so
 * avsim decodes the instruction at the PC when a page's EL0 and EL1 rights
 * differ (README "The MMU"); this test fails if a later Unicorn or a change
 * in avsim stops doing that. Pages, with stage 1 on at EL1:
 *   K  EL1 read/write, EL0 none      U  EL1 and EL0 read/write
 *   R  EL1 and EL0 read-only
 * A permission fault is EC 0x25 with DFSC 0x0f (level 3); the handler skips
 * the access. The same output on QEMU. */
#include "pagetable.h"

#define PAGE_K 0x30000000UL
#define PAGE_U 0x30001000UL
#define PAGE_R 0x30002000UL

static uint64_t data_k[512] __attribute__((aligned(4096)));
static uint64_t data_u[512] __attribute__((aligned(4096)));
static uint64_t data_r[512] __attribute__((aligned(4096)));
static struct pt s1;
static volatile unsigned faults;

void el1_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el1), far = READ_SYSREG(far_el1);
    if (vector != RT_VEC_CUR_SPX + RT_SYNC || ESR_EC(esr) != 0x25) {
        rt_printf("unexpected vector %d ESR=%lx\n", vector, esr);
        rt_exit(1);
    }
    const char *page = (far & ~0xfffUL) == PAGE_K ? "K" : (far & ~0xfffUL) == PAGE_U ? "U" :
                       (far & ~0xfffUL) == PAGE_R ? "R" : "?";
    rt_printf("  data abort: EC 0x25 DFSC=0x%02x WnR=%u FAR=%s+0x%lx\n", (unsigned)(esr & 0x3f),
              (unsigned)((esr >> 6) & 1), page, far & 0xfff);
    faults++;
    f->elr += 4;
}

static uint64_t ldtr(uint64_t va)
{
    uint64_t v = 0xdead;
    __asm__ volatile("ldtr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void sttr(uint64_t va, uint64_t v)
{
    __asm__ volatile("sttr %0, [%1]" :: "r"(v), "r"(va) : "memory");
}

static uint64_t ldr(uint64_t va)
{
    uint64_t v = 0xdead;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void kernel(uint64_t arg)
{
    (void)arg;
    data_k[1] = 11;
    data_u[1] = 22;
    data_r[1] = 33;
    pt_init_s1(&s1, 39);
    uint64_t kpage = S1_ATTR(0) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF | S1_UXN;
    pt_map_range(&s1, RAM_BASE, RAM_BASE, SZ_2M, 3, kpage);
    pt_map(&s1, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | S1_AP_RW_EL1 | PTE_AF | S1_UXN | S1_PXN);
    uint64_t common = S1_ATTR(0) | PTE_SH(SH_ISH) | PTE_AF | S1_UXN | S1_PXN;
    pt_map(&s1, PAGE_K, (uint64_t)data_k, 3, common | S1_AP_RW_EL1);
    pt_map(&s1, PAGE_U, (uint64_t)data_u, 3, common | S1_AP_RW);
    pt_map(&s1, PAGE_R, (uint64_t)data_r, 3, common | S1_AP_RO);
    s1_enable(&s1, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));

    rt_printf("ldr  K: %lu\n", ldr(PAGE_K + 8));
    rt_printf("ldtr K:\n");
    uint64_t v = ldtr(PAGE_K + 8);
    rt_printf("  value %s\n", v == 0xdead ? "untouched" : "loaded");
    rt_printf("sttr K:\n");
    sttr(PAGE_K + 16, 5);
    rt_printf("  K[2]=%lu\n", data_k[2]);
    rt_printf("ldtr U: %lu\n", ldtr(PAGE_U + 8));
    sttr(PAGE_U + 16, 7);
    rt_printf("sttr U: U[2]=%lu\n", data_u[2]);
    rt_printf("ldtr R: %lu\n", ldtr(PAGE_R + 8));
    rt_printf("sttr R:\n");
    sttr(PAGE_R + 16, 9);
    rt_printf("  R[2]=%lu\n", data_r[2]);
    /* The same page again after EL0-rights fills: the EL1 view is unchanged. */
    rt_printf("ldr  K again: %lu, faults=%u\n", ldr(PAGE_K + 8), faults);
    rt_exit(faults == 3 && data_u[2] == 7 && data_k[2] == 0 && data_r[2] == 0 ? 0 : 1);
}

int main(void)
{
    rt_printf("el1_unpriv\n");
    rt_enter_el1(kernel, 0, 0);
}
