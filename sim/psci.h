/* PSCI 1.1 firmware reached through SMC (SMC Calling Convention, function ID in x0). */
#ifndef AVSIM_SIM_PSCI_H
#define AVSIM_SIM_PSCI_H
struct machine;
struct pe;
void psci_call(struct machine *m, struct pe *pe);
#endif
