// AVSIM-FOLLOWS-ARM-ARM: PSCI (Arm DEN 0022) passes target_cpu as the MPIDR affinity fields; firmware (TF-A) masks the other bits off, so a value copied straight from MPIDR_EL1 (bit 31 set) works; QEMU 7.2 returns INVALID_PARAMETERS (-2) for it.
// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* PSCI CPU_ON and AFFINITY_INFO with target_cpu = MPIDR_EL1 as read (bit 31,
 * RES1, set; bit 30, U, clear) and with bits 63:40 set: avsim ignores the
 * bits outside Aff3..Aff0, as firmware does. The secondary reports its
 * MPIDR_EL1 and context_id, then powers off. */
#include "rt/rt.h"
#include "psci.h"


static volatile uint64_t sec_mpidr, sec_x0;
static volatile uint32_t sec_started;

PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 8192);

void sec_main(uint64_t x0)
{
    sec_x0 = x0;
    sec_mpidr = READ_SYSREG(mpidr_el1);
    __asm__ volatile("dsb sy" ::: "memory");
    sec_started = 1;
    __asm__ volatile("dsb sy" ::: "memory");
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

int main(void)
{
    int fails = 0;
    uint64_t target = (1UL << 31) | 1;
    int64_t r = psci_smc(PSCI_CPU_ON_64, target, (uint64_t)sec_entry, 0x1234);
    rt_printf("CPU_ON(0x%lx): %ld\n", target, r);
    fails += r != 0;
    while (r == 0 && !sec_started) {
    }
    rt_printf("secondary: MPIDR_EL1 0x%lx x0=0x%lx\n", sec_mpidr, sec_x0);
    fails += sec_mpidr != target || sec_x0 != 0x1234;
    unsigned spins = 0;
    int64_t a;
    while ((a = psci_smc(PSCI_AFFINITY_INFO_64, 0xffffff0000000000UL | target, 0, 0)) != 1 && spins < 100000)
        spins++;
    rt_printf("AFFINITY_INFO(0x%lx) after CPU_OFF: %ld\n", 0xffffff0000000000UL | target, a);
    fails += a != 1;
    rt_printf("%s (%d failed checks)\n", fails ? "FAIL" : "PASS", fails);
    return fails ? 1 : 0;
}
