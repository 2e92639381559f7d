/* The PSCI firmware of the virt board: Arm DEN 0022 (PSCI) 1.1 through the SMC
 * Calling Convention (Arm DEN 0028, v1.0: no SMCCC_VERSION). It answers what
 * QEMU 7.2's emulated firmware answers (target/arm/psci.c), function by
 * function; where the two differ, avsim follows the specification and the
 * README's PSCI table says so (tests/guest/psci_functions.c, psci_spec.c). */
#include "sim/psci.h"
#include "sim/machine.h"

enum {
    PSCI_VERSION = 0x84000000, PSCI_CPU_SUSPEND_32 = 0x84000001, PSCI_CPU_OFF = 0x84000002,
    PSCI_CPU_ON_32 = 0x84000003, PSCI_AFFINITY_INFO_32 = 0x84000004,
    PSCI_MIGRATE_INFO_TYPE = 0x84000006, PSCI_SYSTEM_OFF = 0x84000008, PSCI_SYSTEM_RESET = 0x84000009,
    PSCI_FEATURES = 0x8400000a, PSCI_CPU_SUSPEND_64 = 0xc4000001, PSCI_CPU_ON_64 = 0xc4000003,
    PSCI_AFFINITY_INFO_64 = 0xc4000004,
    /* PSCI 0.1 had no standard IDs: these are QEMU's, which it still answers. */
    PSCI_0_1_CPU_SUSPEND = 0x95c1ba5e, PSCI_0_1_CPU_OFF = 0x95c1ba5f, PSCI_0_1_CPU_ON = 0x95c1ba60,
};
enum { PSCI_SUCCESS = 0, PSCI_NOT_SUPPORTED = -1, PSCI_INVALID_PARAMETERS = -2, PSCI_ALREADY_ON = -4 };

/* CPU_SUSPEND's power_state is in the original format (PSCI_FEATURES(CPU_SUSPEND)
 * answers 0: bit 1, extended StateID, clear; bit 0, OS-initiated mode, clear), as QEMU's. */
#define PSCI_EXTENDED_STATE_ID false

bool psci_decode_power_state(uint32_t ps, bool extended, struct psci_power_state *out)
{
    if (extended) {
        if (ps & 0xb0000000u)                   /* bits 31 and 29:28 */
            return false;
        *out = (struct psci_power_state){ .powerdown = (ps >> 30) & 1, .level = 0, .state_id = ps & 0x0fffffffu };
        return true;
    }
    if (ps & 0xfcfe0000u)                       /* bits 31:26 and 23:17 */
        return false;
    *out = (struct psci_power_state){ .powerdown = (ps >> 16) & 1, .level = (ps >> 24) & 3, .state_id = ps & 0xffff };
    return true;
}

static bool psci_implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION: case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64: case PSCI_0_1_CPU_SUSPEND:
    case PSCI_CPU_OFF: case PSCI_0_1_CPU_OFF: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64: case PSCI_0_1_CPU_ON:
    case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    default:                                    /* MIGRATE and MIGRATE_INFO_UP_CPU: no Trusted OS */
        return false;
    }
}

/* The affinity fields of an MPIDR value from Aff<level> up (Aff3.Aff2.Aff1.Aff0 >> 8 * level). */
static uint64_t affinity_from(uint64_t mpidr, unsigned level)
{
    return ((mpidr & 0xffffffULL) | ((mpidr >> 32) & 0xff) << 24) >> (8 * level);
}

/* AFFINITY_INFO: ON (0) when a PE of the affinity instance at lowest_level
 * that contains target is on (a PE in CPU_SUSPEND is on), OFF (1) when all
 * of them are off; INVALID_PARAMETERS when no PE is in it or the level is
 * above 3 (QEMU 7.2 answers ON for every level above 0, whatever the target).
 * Bits of target outside the affinity fields are ignored, as firmware does. */
static int64_t affinity_info(struct machine *m, uint64_t target, uint64_t level)
{
    if (level > 3)
        return PSCI_INVALID_PARAMETERS;
    bool found = false, on = false;
    for (unsigned i = 0; i < m->n_pes; i++)
        if (affinity_from(m->pes[i].mpidr, (unsigned)level) == affinity_from(target, (unsigned)level)) {
            found = true;
            on |= m->power[i] == PE_POWER_ON;
        }
    return !found ? PSCI_INVALID_PARAMETERS : on ? 0 : 1;
}

/* Where a PE starts at CPU_ON and restarts after a power-down state of
 * CPU_SUSPEND: in the highest Exception level the guest has (EL2, or EL1 with
 * --el=1), AArch64, whatever the caller's EL, as firmware enters the normal
 * world (TF-A's psci_get_ns_ep_info: EL2 when SCR_EL3.HCE, with DAIF masked)
 * and QEMU does for CPU_ON; MMU off, x0 = context_id (machine_pe_on). */
static unsigned entry_el(const struct pe *pe) { return pe->el2_implemented ? 2 : 1; }

/* CPU_SUSPEND (DEN 0022, CPU_SUSPEND). Only the PE's own power level (0)
 * exists; any StateID names a state, whose StateType says what kind it is
 * (QEMU accepts the same values). A standby state behaves as WFI: the PE
 * waits until an interrupt is pending (masked or not), and the call returns
 * SUCCESS. A power-down state loses the PE's context: the call does not
 * return; when the GIC raises the PE's IRQ or FIQ, it restarts at
 * entry_point_address with context_id in x0 (entry_el). QEMU 7.2 handles a
 * power-down state as standby, which DEN 0022 allows (an implementation may
 * enter a shallower state than the one asked for, and then returns SUCCESS)
 * but which never exercises the caller's resume path. A wake-up that is already pending makes either
 * return SUCCESS at once, as DEN 0022 allows for an early wake-up. Returns
 * true when the call returned (x0 set). */
static bool cpu_suspend(struct machine *m, struct pe *pe, uint32_t fn, int64_t *ret)
{
    struct psci_power_state ps;
    uint64_t entry = pe_get_x(pe, 2), context = pe_get_x(pe, 3);
    if (fn == PSCI_CPU_SUSPEND_32) {
        entry = (uint32_t)entry;
        context = (uint32_t)context;
    }
    if (!psci_decode_power_state((uint32_t)pe_get_x(pe, 1), PSCI_EXTENDED_STATE_ID, &ps) || ps.level != 0) {
        *ret = PSCI_INVALID_PARAMETERS;
        return true;
    }
    *ret = PSCI_SUCCESS;
    if (!ps.powerdown) {
        pe_set_x(pe, 0, PSCI_SUCCESS);         /* read by the caller when the PE wakes */
        machine_pe_standby(m, pe);
        return false;
    }
    return !machine_pe_powerdown(m, pe, entry, entry_el(pe), context);
}

void psci_call(struct machine *m, struct pe *pe)
{
    uint64_t x0 = pe_get_x(pe, 0);
    uint32_t fn = (uint32_t)x0;
    uint64_t a1 = pe_get_x(pe, 1);
    int64_t ret = PSCI_NOT_SUPPORTED;
    if (x0 >> 32)
        fn = 0;                     /* no function has such an ID (QEMU compares all of x0) */
    switch (fn) {
    case PSCI_VERSION: ret = 0x10001; break;                 /* PSCI 1.1 */
    case PSCI_FEATURES:
        ret = (a1 >> 32) == 0 && psci_implemented((uint32_t)a1) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
        break;
    case PSCI_MIGRATE_INFO_TYPE: ret = 2; break;             /* no Trusted OS */
    case PSCI_AFFINITY_INFO_32:
        ret = affinity_info(m, (uint32_t)a1, (uint32_t)pe_get_x(pe, 2));
        break;
    case PSCI_AFFINITY_INFO_64:
        ret = affinity_info(m, a1, pe_get_x(pe, 2));
        break;
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
    case PSCI_0_1_CPU_ON: {
        /* The target starts as entry_el() says; bits of the MPIDR outside
         * the affinity fields are ignored, as firmware does. */
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
            machine_pe_on(m, t, entry, entry_el(t), context, pe->cycles);
            ret = PSCI_SUCCESS;
        }
        break;
    }
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:
    case PSCI_0_1_CPU_SUSPEND:
        if (!cpu_suspend(m, pe, fn, &ret))
            return;
        break;
    case PSCI_CPU_OFF:
    case PSCI_0_1_CPU_OFF:
        machine_pe_off(m, pe);          /* does not return to the caller */
        return;
    case PSCI_SYSTEM_OFF:
        machine_request_exit(m, 0);
        return;
    case PSCI_SYSTEM_RESET:
        machine_request_reset(m);
        return;
    default:                            /* MIGRATE, MIGRATE_INFO_UP_CPU, SMCCC_VERSION, the rest */
        ret = PSCI_NOT_SUPPORTED;
        break;
    }
    pe_set_x(pe, 0, (uint64_t)ret);
}
