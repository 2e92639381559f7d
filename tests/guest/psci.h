/* PSCI function IDs (SMC calling convention, 32-bit IDs unless noted). */
#ifndef AVSIM_GUEST_PSCI_H
#define AVSIM_GUEST_PSCI_H
#include <stdint.h>

#define PSCI_VERSION          0x84000000u
#define PSCI_CPU_SUSPEND      0x84000001u
#define PSCI_CPU_OFF          0x84000002u
#define PSCI_CPU_ON           0x84000003u
#define PSCI_CPU_ON_64        0xC4000003u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF       0x84000008u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_FEATURES         0x8400000Au
#define PSCI_SYSTEM_RESET2    0x84000012u

static inline int64_t psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return (int64_t)x0;
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
