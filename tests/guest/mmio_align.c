// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 takes no Alignment fault for an unaligned access to a device (its memory core combines aligned accesses: the loads read, the store writes); the Arm ARM makes every unaligned access to Device memory an Alignment fault (AArch64.S1Translate; with stage 1 off all data is Device-nGnRnE, AArch64.S1DisabledOutput). The RAM accesses with the MMU off take none on both (avsim's stated choice, README "Limits").
/* Unaligned accesses to devices (the GICv3 distributor): an Alignment fault,
 * EC 0x25, DFSC 0x21, ISV=0, WnR=1 for the store, FAR = the address, ELR =
 * the instruction, the device untouched. With EL2's MMU off (Device-nGnRnE)
 * and on, through a Device-nGnRE mapping. Unicorn splits such an access into
 * aligned pieces inside its memory core, where avsim sees them (machine.c
 * region_read/region_write, pe_mmio_access): it drops them, lets the rest
 * of the block run and undoes it (registers and NZCV back: the ADD after the
 * faulting load below counts once, from the resume label), then takes the
 * fault. An aligned access to the same register works. An unaligned load of
 * RAM with the MMU off (Device-nGnRnE by the Arm ARM) takes no fault: avsim
 * follows QEMU 7.2 there (README "Limits"); with the MMU on, RAM is Normal. */
#include "pagetable.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define WNR 0x40u
#define GICD 0x08000000UL
#define GICD_TYPER (GICD + 0x4)
static volatile uint64_t buf[4] __attribute__((aligned(64)));
static struct pt s1;

/* insn uses x6 as the address and x5 as data; it faults at x6. */
#define FAULT(what, insn, addr, iss)                                                              \
    do {                                                                                          \
        trap_reset();                                                                             \
        __asm__ volatile("mov x6, %0\n\tmov x5, #0x77\n\t" T_MARK "1: " insn "\n2:\n"             \
                         :: "r"((uint64_t)(addr)) : "x5", "x6", T_CLOBBER);                       \
        expect_trap(what, 2, RT_VEC_CUR_SPX, 0x25, 1, iss, ALL, 0);                               \
        rt_printf("  FAR=%s\n", trap.far == (uint64_t)(addr) ? "the address" : "WRONG");          \
        check(trap.far == (uint64_t)(addr), "FAR");                                               \
    } while (0)

static void device_accesses(const char *mmu)
{
    rt_printf("-- %s\n", mmu);
    FAULT("ldr w5 at GICD_TYPER+1", "ldr w5, [x6]", GICD_TYPER + 1, 0x21);
    FAULT("ldr w5 at GICD_TYPER+2", "ldr w5, [x6]", GICD_TYPER + 2, 0x21);
    FAULT("ldrh w5 at GICD_TYPER+1", "ldrh w5, [x6]", GICD_TYPER + 1, 0x21);
    FAULT("ldr x5 at GICD_TYPER (4 mod 8)", "ldr x5, [x6]", GICD_TYPER, 0x21);
    FAULT("str w5 at GICD_TYPER+1", "str w5, [x6]", GICD_TYPER + 1, 0x21 | WNR);
    FAULT("ldr w5 at GICD_TYPER+3, post-index", "ldr w5, [x6], #4", GICD_TYPER + 3, 0x21);

    /* The rest of the block is undone: x7 counts the ADD once (run again from label 2). */
    uint64_t x7 = 10, x8 = 0;
    trap_reset();
    __asm__ volatile("mov x6, %2\n\t" T_MARK "1: ldr w5, [x6]\n2:\n\tadd %0, %0, #1\n\tldr %1, [sp]\n\t"
                     "adds xzr, %0, #0"
                     : "+r"(x7), "+r"(x8) : "r"(GICD_TYPER + 1) : "x5", "x6", "cc", T_CLOBBER);
    expect_trap("ldr w5 at GICD_TYPER+1, then an ADD and a load in its block", 2, RT_VEC_CUR_SPX, 0x25, 1,
                0x21, ALL, 0);
    rt_printf("  x7=%lu (10 + 1)\n", x7);
    check(x7 == 11, "the rest of the block undone");

    uint32_t typer = 0;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(typer) : "r"(GICD_TYPER) : "memory");
    rt_printf("aligned ldr w at GICD_TYPER: ITLinesNumber %s\n", (typer & 0x1f) ? "nonzero" : "zero");
    check((typer & 0x1f) != 0, "GICD_TYPER read");
}

static void ram_unaligned(const char *mmu)
{
    uint64_t b = (uint64_t)buf, v = 0;
    buf[0] = 0x8877665544332211UL;
    buf[1] = 0;
    trap_reset();
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(b + 1) : "memory");
    rt_printf("%s: ldr w at RAM+1: count=%lu, 0x%lx\n", mmu, trap.count, v);
    check(trap.count == 0 && v == 0x55443322, "unaligned RAM load");
}

int main(void)
{
    rt_puts("mmio_align\n");
    device_accesses("EL2, MMU off");
    ram_unaligned("EL2, MMU off");
    pt_init_s1(&s1, 39);
    pt_map(&s1, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | (1UL << 6) | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&s1, GICD, GICD, 2, S1_ATTR(1) | (1UL << 6) | PTE_AF | (1UL << 54));
    pt_map(&s1, 0x09000000UL, 0x09000000UL, 2, S1_ATTR(1) | (1UL << 6) | PTE_AF | (1UL << 54));
    s1_el2_enable(&s1);
    device_accesses("EL2, MMU on, GICD Device-nGnRE");
    ram_unaligned("EL2, MMU on");
    return test_result();
}
