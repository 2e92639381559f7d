/* Arm semihosting (HLT #0xF000 on AArch64): console, clock and exit calls. */
#ifndef AVSIM_SIM_SEMIHOSTING_H
#define AVSIM_SIM_SEMIHOSTING_H
struct machine;
struct pe;
void semihosting_call(struct machine *m, struct pe *pe);
#endif
