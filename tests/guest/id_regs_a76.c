// AVSIM-ONLY: avsim's Cortex-A76 lists the A76's features avsim models (cpu/cpu_model.c); QEMU's has more
// AVSIM-ARGS: --cpu=cortex-a76
/* The identification registers of --cpu=cortex-a76: MIDR 0x414fd0b1 (r4p1, as QEMU 7.2's) and
 * the A76's features as far as avsim models them (VHE, PAN, LSE, RDM, DotProd, FP16, LRCPC,
 * CRC32, AES, SHA1, SHA256, CSV2/CSV3; README lists what reads as absent). The program is
 * id_regs_max.c's: the same checks hold (VH 1, PAN 1, Atomic 2, E2H writable). */
#include "id_regs_max.c"
