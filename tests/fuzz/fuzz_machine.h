/* A whole machine for the harnesses whose parser needs a PE (GDB packets,
 * semihosting): avsim's default machine with 2 PEs and 64 MiB of RAM, a
 * 4-byte ELF-less raw image (`b .`) at the start of RAM, built once per
 * process and never run. */
#ifndef AVSIM_TESTS_FUZZ_MACHINE_H
#define AVSIM_TESTS_FUZZ_MACHINE_H
#include "sim/machine.h"
struct machine *fuzz_machine(void);
#endif
