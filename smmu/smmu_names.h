/* Names of the SMMUv3's event record types and command opcodes (Arm IHI 0070,
 * "7.3 Event records" and "4 Commands"), for the tools that print or count
 * them: the trace dump, --stats, the viewer. The model itself needs none. */
#ifndef AVSIM_SMMU_SMMU_NAMES_H
#define AVSIM_SMMU_SMMU_NAMES_H

/* "F_TRANSLATION", "C_BAD_STE", ...; NULL for a type the specification does not define. */
const char *smmu_event_name(unsigned event_id);
/* "CMD_TLBI_NH_VA", "CMD_SYNC", ...; NULL for an opcode the specification does not define. */
const char *smmu_cmd_name(unsigned opcode);

#endif
