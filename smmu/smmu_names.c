/* Names of SMMUv3 event record types and command opcodes (see smmu_names.h). */
#include "smmu/smmu_names.h"
#include <stddef.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* IHI 0070, 7.3 "Event records": the EVENT_TYPE field (bits [7:0] of the first word). */
static const char *const event_names[] = {
    [0x01] = "F_UUT",           [0x02] = "C_BAD_STREAMID",    [0x03] = "F_STE_FETCH",
    [0x04] = "C_BAD_STE",       [0x05] = "F_BAD_ATS_TREQ",    [0x06] = "F_STREAM_DISABLED",
    [0x07] = "F_TRANSL_FORBIDDEN", [0x08] = "C_BAD_SUBSTREAMID", [0x09] = "F_CD_FETCH",
    [0x0a] = "C_BAD_CD",        [0x0b] = "F_WALK_EABT",       [0x10] = "F_TRANSLATION",
    [0x11] = "F_ADDR_SIZE",     [0x12] = "F_ACCESS",          [0x13] = "F_PERMISSION",
    [0x20] = "F_TLB_CONFLICT",  [0x21] = "F_CFG_CONFLICT",    [0x24] = "E_PAGE_REQUEST",
    [0x25] = "F_VMS_FETCH",
};

/* IHI 0070, 4 "Commands": the opcode (bits [7:0] of the first word). CMD_CFGI_ALL
 * is CMD_CFGI_STE_RANGE with Range 31: one opcode, named by its general form. */
static const char *const cmd_names[] = {
    [0x01] = "CMD_PREFETCH_CONFIG", [0x02] = "CMD_PREFETCH_ADDR", [0x03] = "CMD_CFGI_STE",
    [0x04] = "CMD_CFGI_STE_RANGE",  [0x05] = "CMD_CFGI_CD",       [0x06] = "CMD_CFGI_CD_ALL",
    [0x07] = "CMD_CFGI_VMS_PIDM",   [0x10] = "CMD_TLBI_NH_ALL",   [0x11] = "CMD_TLBI_NH_ASID",
    [0x12] = "CMD_TLBI_NH_VA",      [0x13] = "CMD_TLBI_NH_VAA",   [0x18] = "CMD_TLBI_EL3_ALL",
    [0x1a] = "CMD_TLBI_EL3_VA",     [0x20] = "CMD_TLBI_EL2_ALL",  [0x21] = "CMD_TLBI_EL2_ASID",
    [0x22] = "CMD_TLBI_EL2_VA",     [0x23] = "CMD_TLBI_EL2_VAA",  [0x28] = "CMD_TLBI_S12_VMALL",
    [0x2a] = "CMD_TLBI_S2_IPA",     [0x30] = "CMD_TLBI_NSNH_ALL", [0x40] = "CMD_ATC_INV",
    [0x41] = "CMD_PRI_RESP",        [0x44] = "CMD_RESUME",        [0x45] = "CMD_STALL_TERM",
    [0x46] = "CMD_SYNC",
};

const char *smmu_event_name(unsigned event_id)
{
    return event_id < COUNT_OF(event_names) ? event_names[event_id] : NULL;
}

const char *smmu_cmd_name(unsigned opcode)
{
    return opcode < COUNT_OF(cmd_names) ? cmd_names[opcode] : NULL;
}
