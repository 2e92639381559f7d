/* PSCI through SMC from EL2 (QEMU's emulated firmware; avsim emulates the same
 * subset): PSCI_VERSION = 0x10001 (PSCI 1.1), PSCI_FEATURES for implemented
 * functions = 0 and NOT_SUPPORTED (-1) otherwise, AFFINITY_INFO(cpu 0) = 0
 * (ON), MIGRATE_INFO_TYPE = 2 (no Trusted OS), an unknown function = -1.
 * Ends with SYSTEM_OFF: the run ends with status 0 and nothing after it runs. */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

static void feature(const char *name, uint32_t id, int64_t want)
{
    int64_t r = psci_smc(PSCI_FEATURES, id, 0, 0);
    rt_printf("PSCI_FEATURES(%s 0x%x) = %ld\n", name, id, r);
    check(r == want, "PSCI_FEATURES result");
}

int main(void)
{
    rt_puts("psci\n");
    int64_t v = psci_smc(PSCI_VERSION, 0, 0, 0);
    rt_printf("PSCI_VERSION = 0x%lx (major %ld minor %ld)\n", v, v >> 16, v & 0xffff);
    check(v == 0x10001, "PSCI 1.1");

    feature("PSCI_VERSION", PSCI_VERSION, 0);
    feature("PSCI_FEATURES", PSCI_FEATURES, 0);
    feature("CPU_ON_64", PSCI_CPU_ON_64, 0);
    feature("AFFINITY_INFO_64", PSCI_AFFINITY_INFO_64, 0);
    feature("SYSTEM_OFF", PSCI_SYSTEM_OFF, 0);
    feature("SYSTEM_RESET", PSCI_SYSTEM_RESET, 0);
    feature("SYSTEM_RESET2", PSCI_SYSTEM_RESET2, -1);
    feature("unknown", 0x8400ffffu, -1);

    v = psci_smc(PSCI_AFFINITY_INFO_64, 0, 0, 0);
    rt_printf("AFFINITY_INFO(0) = %ld\n", v);
    check(v == 0, "CPU 0 is ON");
    v = psci_smc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    rt_printf("MIGRATE_INFO_TYPE = %ld\n", v);
    check(v == 2, "no Trusted OS");
    v = psci_smc(0x8400ffffu, 0, 0, 0);
    rt_printf("unknown function 0x8400ffff = %ld\n", v);
    check(v == -1, "NOT_SUPPORTED");

    if (failures) {
        test_result();
        rt_exit(1);
    }
    rt_puts("SYSTEM_OFF\n");
    psci_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
    rt_puts("SYSTEM_OFF returned\n");
    rt_exit(3);
}
