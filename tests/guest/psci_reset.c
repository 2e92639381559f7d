/* PSCI SYSTEM_RESET through SMC from EL2: the machine resets and the image
 * starts again at its entry point at EL2, with the ELF's segments reloaded
 * (.data back to its initial value, .bss zeroed by the runtime) while RAM
 * outside the image keeps its contents. A word at 0x40001000 (RAM below the
 * image at 0x40080000) counts boots. */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

#define BOOT_WORD ((volatile uint64_t *)0x40001000UL)
#define BOOT_MAGIC 0x5e5e7b0000000000UL

static volatile uint64_t data_word = 0x1234;   /* in .data */
static volatile uint64_t bss_word;             /* in .bss */

int main(void)
{
    uint64_t w = *BOOT_WORD;
    uint64_t boots = (w & 0xffffff0000000000UL) == BOOT_MAGIC ? (w & 0xff) : 0;
    rt_printf("CurrentEL=%lu data_word=0x%lx bss_word=0x%lx\n", READ_SYSREG(CurrentEL) >> 2,
              data_word, bss_word);
    check(data_word == 0x1234, ".data has its initial value");
    check(bss_word == 0, ".bss is zero");
    if (boots == 0) {
        rt_puts("first boot\n");
        *BOOT_WORD = BOOT_MAGIC | 1;
        data_word = 0xdead;
        bss_word = 0xbeef;
        if (failures)
            rt_exit(test_result());
        psci_smc(PSCI_SYSTEM_RESET, 0, 0, 0);
        rt_puts("SYSTEM_RESET returned\n");
        rt_exit(3);
    }
    rt_printf("after reset (boot %lu)\n", boots + 1);
    check(boots == 1, "one reset");
    *BOOT_WORD = 0;
    return test_result();
}
