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
    case PSCI_VERSION: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64: case PSCI_AFFINITY_INFO_32:
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
    case PSCI_AFFINITY_INFO_64:
        /* One PE (MPIDR affinity 0), and it is on. */
        ret = (a1 & 0xff00ffffffULL) == 0 ? 0 : PSCI_INVALID_PARAMETERS;
        break;
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
        /* Secondary PEs come with SMP (issue 8); the only PE is already on. */
        ret = (a1 & 0xff00ffffffULL) == 0 ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
        break;
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
