/* Function IDs and return codes from Arm DEN 0022 (PSCI) and DEN 0028 (SMCCC). */
#include "sim/psci.h"
#include "sim/machine.h"

enum {
    PSCI_VERSION = 0x84000000, PSCI_CPU_SUSPEND_32 = 0x84000001, PSCI_CPU_OFF = 0x84000002,
    PSCI_CPU_ON_32 = 0x84000003, PSCI_AFFINITY_INFO_32 = 0x84000004, PSCI_MIGRATE_INFO_TYPE = 0x84000006,
    PSCI_SYSTEM_OFF = 0x84000008, PSCI_SYSTEM_RESET = 0x84000009, PSCI_FEATURES = 0x8400000a,
    PSCI_CPU_SUSPEND_64 = 0xc4000001, PSCI_CPU_ON_64 = 0xc4000003, PSCI_AFFINITY_INFO_64 = 0xc4000004,
    SMCCC_VERSION = 0x80000000,
};
enum { PSCI_SUCCESS = 0, PSCI_NOT_SUPPORTED = -1, PSCI_INVALID_PARAMETERS = -2, PSCI_ALREADY_ON = -4 };

static bool psci_implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64: case PSCI_CPU_OFF: case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

void psci_call(struct machine *m, struct pe *pe)
{
    uint32_t fn = (uint32_t)pe_get_x(pe, 0);
    uint64_t a1 = pe_get_x(pe, 1);
    int64_t ret = PSCI_NOT_SUPPORTED;
    switch (fn) {
    case PSCI_VERSION: ret = 0x10001; break;                 /* PSCI 1.1 */
    case PSCI_FEATURES: ret = psci_implemented((uint32_t)a1) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED; break;
    case PSCI_MIGRATE_INFO_TYPE: ret = 2; break;             /* no Trusted OS */
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64: {
        /* Level 0 only (one PE per affinity instance): ON 0, OFF 1. */
        struct pe *t = machine_pe_by_mpidr(m, fn == PSCI_AFFINITY_INFO_32 ? (uint32_t)a1 : a1);
        if (!t || pe_get_x(pe, 2) != 0)
            ret = PSCI_INVALID_PARAMETERS;
        else
            ret = m->power[t->index] == PE_POWER_ON ? 0 : 1;
        break;
    }
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64: {
        /* The target starts at the entry point in the highest Exception level
         * the guest has (EL2, or EL1 with --el=1), whatever the caller's EL, as
         * PSCI asks of firmware and QEMU does; AArch64, MMU off, x0 =
         * context_id. Bits of the MPIDR outside the affinity fields are
         * ignored, as firmware does. */
        bool is32 = fn == PSCI_CPU_ON_32;
        struct pe *t = machine_pe_by_mpidr(m, is32 ? (uint32_t)a1 : a1);
        uint64_t entry = pe_get_x(pe, 2), context = pe_get_x(pe, 3);
        if (is32) {
            entry = (uint32_t)entry;
            context = (uint32_t)context;
        }
        if (!t)
            ret = PSCI_INVALID_PARAMETERS;
        else if (m->power[t->index] == PE_POWER_ON)
            ret = PSCI_ALREADY_ON;
        else {
            machine_pe_on(m, t, entry, t->el2_implemented ? 2 : 1, context, pe->cycles);
            ret = PSCI_SUCCESS;
        }
        break;
    }
    case PSCI_CPU_OFF:
        machine_pe_off(m, pe);          /* does not return to the caller */
        return;
    case PSCI_SYSTEM_OFF:
        machine_request_exit(m, 0);
        return;
    case PSCI_SYSTEM_RESET:
        machine_request_reset(m);
        return;
    default:
        ret = PSCI_NOT_SUPPORTED;
        break;
    }
    pe_set_x(pe, 0, (uint64_t)ret);
}
