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
#endif
