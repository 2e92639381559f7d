/* PSCI 1.1 firmware reached through SMC (SMC Calling Convention, function ID in x0). */
#ifndef AVSIM_SIM_PSCI_H
#define AVSIM_SIM_PSCI_H
#include <stdbool.h>
#include <stdint.h>
struct machine;
struct pe;
void psci_call(struct machine *m, struct pe *pe);

/* CPU_SUSPEND's power_state parameter (Arm DEN 0022, CPU_SUSPEND, "power_state
 * parameter"), in the original format (PSCI_FEATURES(CPU_SUSPEND) bit 1 = 0:
 * StateID [15:0], StateType [16], PowerLevel [25:24]) or the extended StateID
 * format (bit 1 = 1: StateID [27:0], StateType [30], the level in the
 * StateID). Other bits are reserved, zero. */
struct psci_power_state {
    bool powerdown;           /* StateType 1: the PE loses its context */
    unsigned level;           /* the highest power level it affects (original format) */
    uint32_t state_id;
};
/* Decodes power_state; false when a reserved bit is set (INVALID_PARAMETERS). */
bool psci_decode_power_state(uint32_t power_state, bool extended, struct psci_power_state *out);
#endif
