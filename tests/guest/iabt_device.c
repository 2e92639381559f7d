// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 executes what a device region returns to an instruction fetch (with the MMU off, or through a stage 1 Device mapping that is not execute-never), e.g. GICD_CTLR read as an instruction gives EC 0x00; the Arm ARM leaves what a fetch from a device answers to the system and permits a synchronous External abort for it, which avsim takes (see below).
/* Instruction fetches from device regions and from Device memory.
 *
 * With the MMU off at EL2 (and at EL1 with stage 2 off), instruction fetches
 * are Normal memory (AArch64.S1DisabledOutput): a fetch from a device address
 * reads whatever the system has there. Which answer a peripheral gives to an
 * instruction fetch is the system's business; the Arm ARM allows a
 * synchronous External abort on any access. avsim's device models answer data
 * accesses only, and their reads have side effects (UARTDR pops the receive
 * FIFO, an interrupt acknowledge activates an interrupt) that a prefetching
 * fetch must not trigger, so every fetch from a device region, modelled
 * (GICD, GICR, PL011, a virtio-mmio transport) or reserved (the RTC), takes an
 * Instruction Abort with IFSC = 0x10 (synchronous External abort), ELR = FAR =
 * the fetched address, like a fetch from unassigned memory (0x0c000000, below
 * RAM, where QEMU 7.2 agrees; see also ec_insn_abort).
 *
 * With EL2's stage 1 on, an instruction fetch from Device memory that is not
 * execute-never is CONSTRAINED UNPREDICTABLE (AArch64.InstructionDevice):
 * either a Permission fault or a fetch treated as Normal Non-cacheable. avsim
 * takes the second: a RAM page mapped Device runs (and returns 42); the UART
 * mapped Device runs into the device and takes the External abort as above.
 * Device mapped execute-never is a Permission fault at the level of the
 * descriptor (a 2 MiB block: IFSC 0x0e, level 2), checked before the memory
 * is accessed. */
#include "pagetable.h"

TRAP_HANDLERS

#define IFSC_EXT 0x10u
#define ALL 0x1ffffffu

/* Branch to `a` and record the abort; it is taken at the target. */
static void fetch(const char *what, int el, int vec, unsigned ec, uint64_t a, uint32_t ifsc)
{
    trap_reset();
    trap_ref = a;
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: blr x6\n2:\n" :: "r"(a) : "x6", "x30", T_CLOBBER);
    expect_trap_ref(what, el, vec, ec, 1, ifsc, ALL, "target", 0, 0);
}

static const struct { const char *name; uint64_t addr; } devices[] = {
    { "GICD_CTLR (0x08000000)", 0x08000000UL },
    { "GICR (0x080a0000)", 0x080a0000UL },
    { "PL011 UARTDR (0x09000000)", 0x09000000UL },
    { "PL031 RTC, reserved (0x09010000)", 0x09010000UL },
    { "virtio-mmio transport 0 (0x0a000000)", 0x0a000000UL },
    { "unassigned (0x0c000000)", 0x0c000000UL },
};
#define N_DEVICES (sizeof devices / sizeof devices[0])

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    fetch("EL1 MMU off: PL011 UARTDR", 1, RT_VEC_CUR_SPX, 0x21, 0x09000000UL, IFSC_EXT);
    fetch("EL1 MMU off: GICD_CTLR", 1, RT_VEC_CUR_SPX, 0x21, 0x08000000UL, IFSC_EXT);
    return 0;
}

#define DEV_CODE_VA 0x20000000UL   /* a RAM page mapped Device-nGnRE, executable */
#define UART_X_VA 0x09000000UL     /* the UART, Device, executable */
#define UART_XN_VA 0x09200000UL    /* the UART again, Device, execute-never */
#define EL2_AP_RW (1UL << 6)
#define EL2_XN (1UL << 54)

int main(void)
{
    rt_puts("iabt_device\n");
    for (unsigned i = 0; i < N_DEVICES; i++) {
        char what[64];
        const char *p = "EL2 MMU off: ";
        unsigned n = 0;
        while (*p) what[n++] = *p++;
        for (p = devices[i].name; *p && n < sizeof what - 1;) what[n++] = *p++;
        what[n] = 0;
        fetch(what, 2, RT_VEC_CUR_SPX, 0x21, devices[i].addr, IFSC_EXT);
    }
    rt_run_el1(at_el1, 0, 0);

    /* mov x0, #42; ret: code in RAM that EL2 then maps as Device memory. */
    volatile uint32_t *code = (volatile uint32_t *)RAM_FREE0;
    code[0] = 0xd2800540u;
    code[1] = 0xd65f03c0u;
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");

    struct pt pt;
    pt_init_s1(&pt, 39);
    pt_map(&pt, RAM_BASE, RAM_BASE, 1, S1_ATTR(0) | EL2_AP_RW | PTE_SH(SH_ISH) | PTE_AF);
    pt_map(&pt, DEV_CODE_VA, RAM_FREE0, 3, S1_ATTR(1) | EL2_AP_RW | PTE_AF);
    pt_map(&pt, UART_X_VA, 0x09000000UL, 2, S1_ATTR(1) | EL2_AP_RW | PTE_AF);
    pt_map(&pt, UART_XN_VA, 0x09000000UL, 2, S1_ATTR(1) | EL2_AP_RW | PTE_AF | EL2_XN);
    s1_el2_enable(&pt);

    uint64_t (*dev_fn)(void) = (uint64_t (*)(void))DEV_CODE_VA;
    uint64_t r = dev_fn();
    rt_printf("EL2 MMU on: RAM mapped Device, executable: runs, returns %lu\n", r);
    check(r == 42, "code in a Device page runs as Normal Non-cacheable");
    fetch("EL2 MMU on: UART mapped Device, executable", 2, RT_VEC_CUR_SPX, 0x21, UART_X_VA, IFSC_EXT);
    fetch("EL2 MMU on: UART mapped Device, execute-never", 2, RT_VEC_CUR_SPX, 0x21, UART_XN_VA, 0x0e);

    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1UL);
    ISB();
    return test_result();
}
