/* PSCI function IDs (SMC calling convention, 32-bit IDs unless noted). */
#ifndef AVSIM_GUEST_PSCI_H
#define AVSIM_GUEST_PSCI_H
#include <stdint.h>

#define PSCI_VERSION          0x84000000u
#define PSCI_CPU_SUSPEND      0x84000001u
#define PSCI_CPU_SUSPEND_64   0xC4000001u
#define PSCI_CPU_OFF          0x84000002u
#define PSCI_CPU_ON           0x84000003u
#define PSCI_CPU_ON_64        0xC4000003u
#define PSCI_AFFINITY_INFO    0x84000004u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE          0x84000005u
#define PSCI_MIGRATE_64       0xC4000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU 0x84000007u
#define PSCI_MIGRATE_INFO_UP_CPU_64 0xC4000007u
#define PSCI_SYSTEM_OFF       0x84000008u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_FEATURES         0x8400000Au
#define PSCI_CPU_FREEZE       0x8400000Bu
#define PSCI_CPU_DEFAULT_SUSPEND_64 0xC400000Cu
#define PSCI_NODE_HW_STATE_64 0xC400000Du
#define PSCI_SYSTEM_SUSPEND_64 0xC400000Eu
#define PSCI_SET_SUSPEND_MODE 0x8400000Fu
#define PSCI_STAT_RESIDENCY_64 0xC4000010u
#define PSCI_STAT_COUNT_64    0xC4000011u
#define PSCI_SYSTEM_RESET2    0x84000012u
#define PSCI_MEM_PROTECT      0x84000013u
#define PSCI_MEM_PROTECT_CHECK_RANGE_64 0xC4000014u
/* PSCI 0.1 IDs, which have no standard values: QEMU's (its device tree's
 * /psci node gives them to a psci-0.1 client). */
#define PSCI_0_1_CPU_SUSPEND  0x95c1ba5eu
#define PSCI_0_1_CPU_OFF      0x95c1ba5fu
#define PSCI_0_1_CPU_ON       0x95c1ba60u
#define PSCI_0_1_MIGRATE      0x95c1ba61u
/* SMC Calling Convention (Arm DEN 0028) Arm Architecture Service calls. */
#define SMCCC_VERSION         0x80000000u
#define SMCCC_ARCH_FEATURES   0x80000001u

/* PSCI return codes. */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)

/* CPU_SUSPEND power_state, original format (PSCI_FEATURES(CPU_SUSPEND) bit 1
 * = 0): StateID [15:0], StateType [16] (1: power down), PowerLevel [25:24]. */
#define PSCI_POWER_STATE(type, level, id) (((uint32_t)(level) << 24) | ((uint32_t)(type) << 16) | (uint32_t)(id))
#define PSCI_STANDBY 0
#define PSCI_POWERDOWN 1

static inline int64_t psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return (int64_t)x0;
}

/* CPU_ON(mpidr) at entry (context_id 0); once the secondary sets *ready,
 * spins a while more so that it reaches the call it announced (a CPU_SUSPEND,
 * say). Returns CPU_ON's result (no wait when it fails). */
static inline int64_t psci_start_and_wait(uint64_t mpidr, void (*entry)(void), volatile uint32_t *ready)
{
    int64_t r = psci_smc(PSCI_CPU_ON_64, mpidr, (uint64_t)entry, 0);
    if (r != 0)
        return r;
    while (!*ready) {
    }
    for (volatile uint32_t spin = 0; spin < 20000; spin++) {
    }
    return r;
}

/* AFFINITY_INFO(mpidr) until it says OFF (1) after a secondary's CPU_OFF, or
 * 100000 tries; returns the last answer. */
static inline int64_t psci_wait_off(uint64_t mpidr)
{
    int64_t aff = 0;
    for (unsigned i = 0; i < 100000 && (aff = psci_smc(PSCI_AFFINITY_INFO_64, mpidr, 0, 0)) != 1; i++) {
    }
    return aff;
}

/* A secondary PE's entry point for CPU_ON: `entry` sets SP to the top of its
 * own `stack_bytes` stack and calls `void c_main(uint64_t context_id)`, which
 * must not return (it ends with CPU_OFF). One secondary per entry point. */
#define PSCI_SECONDARY_ENTRY(entry, c_main, stack_bytes)                  \
    uint8_t entry##_stack[stack_bytes] __attribute__((aligned(16)));      \
    void c_main(uint64_t context_id);                                     \
    __asm__(".text\n"                                                     \
            ".global " #entry "\n" #entry ":\n"                           \
            "  ldr x1, =" #entry "_stack + " #stack_bytes "\n"             \
            "  mov sp, x1\n"                                              \
            "  bl " #c_main "\n"                                          \
            "1: b 1b\n");                                                 \
    void entry(void)
#endif
