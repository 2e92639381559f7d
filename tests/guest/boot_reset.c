// AVSIM-ARGS: --initrd=@IMAGE_DIR@/boot_initrd.bin
// QEMU-ARGS: -m 1G -initrd @IMAGE_DIR@/boot_initrd.bin
/* PSCI SYSTEM_RESET after booting as an arm64 Image: the Image, its initrd and
 * the device tree are all loaded again (QEMU keeps them as ROM blobs that it
 * copies back at every reset), and the boot PE starts again with x0 = the
 * tree. The first boot overwrites the tree's magic and the initrd's first byte,
 * then resets; the second checks that both are back and x0 is the same. A word
 * at RAM + 256 MiB (outside everything loaded, kept across the reset) counts
 * boots. The initrd's place (RAM + 128 MiB) is checked by boot_image. */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

#define RAM_BASE 0x40000000UL
#define BOOT_WORD ((volatile uint64_t *)(RAM_BASE + 0x10000000UL))
#define FIRST_X0 ((volatile uint64_t *)(RAM_BASE + 0x10000008UL))
#define BOOT_MAGIC 0x5e5e7b0000000000UL
#define INITRD ((volatile uint8_t *)(RAM_BASE + 0x8000000UL))

extern uint64_t rt_boot_regs[4];

static uint32_t be32(const volatile void *p)
{
    const volatile uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int main(void)
{
    uint64_t x0 = rt_boot_regs[0];
    volatile uint8_t *fdt = (volatile uint8_t *)x0;
    uint64_t w = *BOOT_WORD;
    uint64_t boots = (w & 0xffffff0000000000UL) == BOOT_MAGIC ? (w & 0xff) : 0;
    rt_printf("boot %lu: CurrentEL=%lu x0=RAM+0x%lx magic=0x%x initrd[0]='%c'\n", boots + 1,
              READ_SYSREG(CurrentEL) >> 2, x0 - RAM_BASE, be32(fdt), INITRD[0]);
    check(be32(fdt) == 0xd00dfeed, "the tree's magic at x0");
    check(INITRD[0] == 'a', "the initrd's first byte");
    if (boots == 0) {
        *BOOT_WORD = BOOT_MAGIC | 1;
        *FIRST_X0 = x0;
        fdt[0] = 0;
        INITRD[0] = 'X';
        rt_printf("overwritten: magic=0x%x initrd[0]='%c'; SYSTEM_RESET\n", be32(fdt), INITRD[0]);
        if (failures)
            rt_exit(test_result());
        psci_smc(PSCI_SYSTEM_RESET, 0, 0, 0);
        rt_puts("SYSTEM_RESET returned\n");
        rt_exit(3);
    }
    check(boots == 1, "one reset");
    check(x0 == *FIRST_X0, "x0 is the same tree after the reset");
    *BOOT_WORD = 0;
    return test_result();
}
