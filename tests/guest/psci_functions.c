/* PSCI function by function, as QEMU 7.2's emulated firmware answers through
 * SMC from EL2 on one PE (target/arm/psci.c; avsim's sim/psci.c gives the same
 * answers, the README's PSCI table lists them): every PSCI 0.2/1.x function
 * ID in its 32- and 64-bit form, QEMU's PSCI 0.1 IDs, the SMCCC
 * architecture calls, and PSCI_FEATURES of each. Calls that would not
 * return (CPU_OFF, SYSTEM_OFF, SYSTEM_RESET, a CPU_SUSPEND that waits) are
 * not made here: psci, psci_reset, psci_suspend and smp cover them.
 * Return codes (Arm DEN 0022): 0 SUCCESS, -1 NOT_SUPPORTED, -2
 * INVALID_PARAMETERS, -4 ALREADY_ON. */
#include "trap.h"
#include "psci.h"

TRAP_HANDLERS

struct call {
    const char *name;
    uint32_t id;
    uint64_t a1, a2, a3;
    int64_t want;
};

/* The PE's own MPIDR affinity (Aff0 = 0) and one that names no PE. */
#define SELF 0
#define NOBODY 7

static const struct call calls[] = {
    { "PSCI_VERSION", PSCI_VERSION, 0, 0, 0, 0x10001 },
    { "MIGRATE_INFO_TYPE", PSCI_MIGRATE_INFO_TYPE, 0, 0, 0, 2 },      /* no Trusted OS */
    { "AFFINITY_INFO(self, level 0)", PSCI_AFFINITY_INFO, SELF, 0, 0, 0 },
    { "AFFINITY_INFO_64(self, level 0)", PSCI_AFFINITY_INFO_64, SELF, 0, 0, 0 },
    { "AFFINITY_INFO_64(self, level 1)", PSCI_AFFINITY_INFO_64, SELF, 1, 0, 0 },
    { "AFFINITY_INFO_64(self, level 3)", PSCI_AFFINITY_INFO_64, SELF, 3, 0, 0 },
    { "AFFINITY_INFO(no such PE, level 0)", PSCI_AFFINITY_INFO, NOBODY, 0, 0, PSCI_INVALID_PARAMETERS },
    { "AFFINITY_INFO_64(no such PE, level 0)", PSCI_AFFINITY_INFO_64, NOBODY, 0, 0, PSCI_INVALID_PARAMETERS },
    { "CPU_ON(self)", PSCI_CPU_ON, SELF, 0x40080000, 0, PSCI_ALREADY_ON },
    { "CPU_ON_64(self)", PSCI_CPU_ON_64, SELF, 0x40080000, 0, PSCI_ALREADY_ON },
    { "CPU_ON 0.1(self)", PSCI_0_1_CPU_ON, SELF, 0x40080000, 0, PSCI_ALREADY_ON },
    { "CPU_ON(no such PE)", PSCI_CPU_ON, NOBODY, 0x40080000, 0, PSCI_INVALID_PARAMETERS },
    { "CPU_ON_64(no such PE)", PSCI_CPU_ON_64, NOBODY, 0x40080000, 0, PSCI_INVALID_PARAMETERS },
    /* power_state bits outside StateID, StateType and PowerLevel are reserved;
     * the only power level is the core's (0). */
    { "CPU_SUSPEND(reserved bit 17)", PSCI_CPU_SUSPEND, 1u << 17, 0, 0, PSCI_INVALID_PARAMETERS },
    { "CPU_SUSPEND_64(reserved bit 30)", PSCI_CPU_SUSPEND_64, 1u << 30, 0, 0, PSCI_INVALID_PARAMETERS },
    { "CPU_SUSPEND_64(power level 1)", PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE(PSCI_STANDBY, 1, 0), 0, 0,
      PSCI_INVALID_PARAMETERS },
    { "CPU_SUSPEND 0.1(power level 2)", PSCI_0_1_CPU_SUSPEND, PSCI_POWER_STATE(PSCI_POWERDOWN, 2, 0), 0, 0,
      PSCI_INVALID_PARAMETERS },
    { "MIGRATE", PSCI_MIGRATE, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_64", PSCI_MIGRATE_64, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE 0.1", PSCI_0_1_MIGRATE, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_INFO_UP_CPU", PSCI_MIGRATE_INFO_UP_CPU, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_INFO_UP_CPU_64", PSCI_MIGRATE_INFO_UP_CPU_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "CPU_FREEZE", PSCI_CPU_FREEZE, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "CPU_DEFAULT_SUSPEND_64", PSCI_CPU_DEFAULT_SUSPEND_64, 0x40080000, 0, 0, PSCI_NOT_SUPPORTED },
    { "NODE_HW_STATE_64", PSCI_NODE_HW_STATE_64, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "SYSTEM_SUSPEND_64", PSCI_SYSTEM_SUSPEND_64, 0x40080000, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_SET_SUSPEND_MODE", PSCI_SET_SUSPEND_MODE, 1, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_STAT_RESIDENCY_64", PSCI_STAT_RESIDENCY_64, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_STAT_COUNT_64", PSCI_STAT_COUNT_64, SELF, 0, 0, PSCI_NOT_SUPPORTED },
    { "SYSTEM_RESET2", PSCI_SYSTEM_RESET2, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MEM_PROTECT", PSCI_MEM_PROTECT, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MEM_PROTECT_CHECK_RANGE_64", PSCI_MEM_PROTECT_CHECK_RANGE_64, 0x40000000, 0x1000, 0, PSCI_NOT_SUPPORTED },
    /* SMCCC 1.0: no SMCCC_VERSION (so no SMCCC_ARCH_FEATURES either). */
    { "SMCCC_VERSION", SMCCC_VERSION, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SMCCC_ARCH_FEATURES", SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0, PSCI_NOT_SUPPORTED },
    { "unknown PSCI 0x8400ffff", 0x8400ffffu, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SiP service 0xc2000000", 0xc2000000u, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "yielding call 0x04000000", 0x04000000u, 0, 0, 0, PSCI_NOT_SUPPORTED },
};

/* PSCI_FEATURES: 0 for a function that is implemented (for CPU_SUSPEND the
 * value is its flags: bit 1 = 0, the original power_state format; bit 0 = 0,
 * platform-coordinated mode only), NOT_SUPPORTED otherwise. */
static const struct call features[] = {
    { "PSCI_VERSION", PSCI_VERSION, 0, 0, 0, 0 },
    { "CPU_SUSPEND", PSCI_CPU_SUSPEND, 0, 0, 0, 0 },
    { "CPU_SUSPEND_64", PSCI_CPU_SUSPEND_64, 0, 0, 0, 0 },
    { "CPU_SUSPEND 0.1", PSCI_0_1_CPU_SUSPEND, 0, 0, 0, 0 },
    { "CPU_OFF", PSCI_CPU_OFF, 0, 0, 0, 0 },
    { "CPU_OFF 0.1", PSCI_0_1_CPU_OFF, 0, 0, 0, 0 },
    { "CPU_ON", PSCI_CPU_ON, 0, 0, 0, 0 },
    { "CPU_ON_64", PSCI_CPU_ON_64, 0, 0, 0, 0 },
    { "CPU_ON 0.1", PSCI_0_1_CPU_ON, 0, 0, 0, 0 },
    { "AFFINITY_INFO", PSCI_AFFINITY_INFO, 0, 0, 0, 0 },
    { "AFFINITY_INFO_64", PSCI_AFFINITY_INFO_64, 0, 0, 0, 0 },
    { "MIGRATE", PSCI_MIGRATE, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_64", PSCI_MIGRATE_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE 0.1", PSCI_0_1_MIGRATE, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_INFO_TYPE", PSCI_MIGRATE_INFO_TYPE, 0, 0, 0, 0 },
    { "MIGRATE_INFO_UP_CPU", PSCI_MIGRATE_INFO_UP_CPU, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MIGRATE_INFO_UP_CPU_64", PSCI_MIGRATE_INFO_UP_CPU_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SYSTEM_OFF", PSCI_SYSTEM_OFF, 0, 0, 0, 0 },
    { "SYSTEM_RESET", PSCI_SYSTEM_RESET, 0, 0, 0, 0 },
    { "PSCI_FEATURES", PSCI_FEATURES, 0, 0, 0, 0 },
    { "CPU_FREEZE", PSCI_CPU_FREEZE, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "CPU_DEFAULT_SUSPEND_64", PSCI_CPU_DEFAULT_SUSPEND_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "NODE_HW_STATE_64", PSCI_NODE_HW_STATE_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SYSTEM_SUSPEND_64", PSCI_SYSTEM_SUSPEND_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_SET_SUSPEND_MODE", PSCI_SET_SUSPEND_MODE, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_STAT_RESIDENCY_64", PSCI_STAT_RESIDENCY_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "PSCI_STAT_COUNT_64", PSCI_STAT_COUNT_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SYSTEM_RESET2", PSCI_SYSTEM_RESET2, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MEM_PROTECT", PSCI_MEM_PROTECT, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "MEM_PROTECT_CHECK_RANGE_64", PSCI_MEM_PROTECT_CHECK_RANGE_64, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SMCCC_VERSION", SMCCC_VERSION, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "SMCCC_ARCH_FEATURES", SMCCC_ARCH_FEATURES, 0, 0, 0, PSCI_NOT_SUPPORTED },
    { "unknown 0x8400ffff", 0x8400ffffu, 0, 0, 0, PSCI_NOT_SUPPORTED },
};

int main(void)
{
    rt_puts("psci_functions\n");
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const struct call *c = &calls[i];
        int64_t r = psci_smc(c->id, c->a1, c->a2, c->a3);
        rt_printf("%s [0x%x] = %ld\n", c->name, c->id, r);
        check(r == c->want, c->name);
    }
    for (unsigned i = 0; i < sizeof features / sizeof features[0]; i++) {
        const struct call *c = &features[i];
        int64_t r = psci_smc(PSCI_FEATURES, c->id, 0, 0);
        rt_printf("PSCI_FEATURES(%s [0x%x]) = %ld\n", c->name, c->id, r);
        check(r == c->want, c->name);
    }
    test_result();
    return failures ? 1 : 0;
}
