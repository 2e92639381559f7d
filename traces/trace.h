/* avsim traces: a versioned header describing the machine, then a zlib-
 * compressed stream of fixed-layout little-endian records, one per event
 * (instruction blocks, data accesses, exceptions, ERETs, TLB maintenance,
 * context switches, walk descriptor reads, interrupts, and the SMMU's
 * translations, walk reads, event records and commands). The writer streams
 * to disk; the reader validates everything it reads. The format is described
 * for other tools in traces/FORMAT.md. */
#ifndef AVSIM_TRACES_TRACE_H
#define AVSIM_TRACES_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "AVSIMTRC"          /* 8 bytes */
#define TRACE_VERSION 3             /* 3: SMMU records; 2: records name their PE; 1 and 2 are still read */
#define TRACE_PES_MAX 256            /* PE numbers 0..255 */

/* Record types; also the bits of an event-class mask (1 << type). */
enum trace_type {
    TR_BLOCK = 1,      /* an instruction block executed (fetched) */
    TR_DATA = 2,       /* a data access */
    TR_EXCEPTION = 3,
    TR_ERET = 4,
    TR_TLBI = 5,
    TR_CONTEXT = 6,    /* the translation context (regime, VMID, ASID) changed */
    TR_WALK = 7,       /* one descriptor read of a table walk */
    TR_IRQ = 8,        /* interrupt controller activity */
    /* Version 3: the SMMU (EV_SMMU_* in sim/events.h). Their context is the
     * StreamID (and SubstreamID), not an EL. */
    TR_SMMU_XLATE = 9, /* a DMA transaction (one page of it) translated or bypassed */
    TR_SMMU_WALK = 10, /* one descriptor read of an SMMU table walk */
    TR_SMMU_EVENT = 11,/* an event record (fault, C_BAD_*), written to the event queue or not */
    TR_SMMU_CMD = 12,  /* a command consumed from the command queue */
    TR_TYPE_MAX = 12,
};
#define TRACE_ALL_CLASSES 0x1ffeu
#define TRACE_V2_CLASSES 0x1feu       /* the classes a version-1 or 2 trace can have */
#define TRACE_SMMU_CLASSES 0x1e00u    /* the four SMMU classes ("smmu") */

/* One record, decoded. Which fields are meaningful depends on type:
 *
 *  BLOCK      el, regime, vmid, asid, size (bytes), va, ipa, pa of the block's first byte
 *  DATA       el, regime, vmid, asid, size, flags bit 0 = write, va, ipa, pa
 *  EXCEPTION  from_el, to_el, ec, iss, va = preferred return address (ELR),
 *             arg = FAR (when flags bit 2), vmid = the interrupted VM's tag
 *  ERET       from_el, to_el, va = the target PC
 *  TLBI       el, op (enum tlbi_op in mmu/tlb.h), the decoded request in vmid, asid,
 *             va, ipa; arg = the raw Xt operand
 *  CONTEXT    el, regime, vmid, asid: the EL1&0 translation tags now in force
 *             (a write to VTTBR_EL2, TTBRn_EL1, TCR_EL1 or HCR_EL2 changed them)
 *  WALK       el, regime, vmid, asid, level, flags bit 0 = stage-2 descriptor,
 *             va = the input VA of the translation the walk is for, pa = the
 *             descriptor's physical address, ipa = the descriptor's address as
 *             the stage-1 walk computed it (an IPA under stage 2; else == pa)
 *  IRQ        op = kind (GIC_EV_* in sim/events.h), intid, target_pe (the PE the
 *             GIC event is about), flags bit 0 = virtual, arg = list register index
 *             or UINT64_MAX
 *  SMMU_XLATE sid, ssid (when flags bit 2), config = STE.Config (SMMU_STE_CONFIG_*),
 *             vmid, asid (the SMMU TLB's tags), size (bytes in this page),
 *             page_shift (the mapping's size), walk_refs (descriptor reads of
 *             the walk; 0 on a TLB hit), flags bit 0 = write, bit 1 = TLB hit;
 *             va = the input address (IOVA), ipa, pa
 *  SMMU_WALK  sid, ssid (flags bit 2), vmid, asid, level, flags bit 0 = stage-2
 *             descriptor, va = the IOVA being translated, ipa = the descriptor's
 *             address as the walk computed it (an IPA for a stage-1 read under
 *             stage 2; else == pa), pa = the descriptor's physical address
 *  SMMU_EVENT sid, ssid (flags bit 2), op = the event record type
 *             (SMMU_EVT_*), config = STE.Config, vmid, asid, flags bit 0 = written
 *             to the event queue (0: suppressed or lost), bit 1 = a stage-2
 *             fault; va = the input address, ipa = the fault's IPA (stage 2)
 *  SMMU_CMD   op = the opcode (CMD_*), arg and arg2 = the command's two 64-bit words
 *
 * Every record also names pe, the PE that produced it (0 in a version-1
 * trace). TLBI: flags bit 0 = an Inner Shareable form (...IS), which the
 * machine broadcasts to every PE's TLB.
 *
 * In the PE's records, vmid and asid are the tags the TLB model uses: vmid
 * is 0 when stage 2 is off (flags bit 1 says stage 2 is on), asid is 0 when
 * stage 1 is off; both are 0 in the EL2 regime. In the SMMU's, they are the
 * SMMU TLB's tags as the STE and CD give them. time is simulated CPU cycles. */
struct trace_record {
    uint8_t type;
    uint8_t el;
    uint8_t regime;       /* 0 EL1&0, 1 EL2, 2 EL2&0 (enum tlb_regime) */
    uint8_t flags;
    uint16_t vmid, asid;
    uint32_t size;
    uint64_t time;
    uint64_t va, ipa, pa;
    uint32_t ec, iss;
    uint8_t from_el, to_el;
    int8_t level;
    uint8_t op;
    uint64_t arg;
    uint32_t intid, target_pe;
    uint32_t pe;          /* the PE that produced the record, < TRACE_PES_MAX */
    /* SMMU records. pe and time: the PE whose access caused the SMMU's work
     * (its MMIO write kicked a device or the SMMU) and its clock. */
    uint32_t sid, ssid;   /* StreamID, SubstreamID (flags TRF_SSID) */
    uint8_t config;       /* SMMU_XLATE, SMMU_EVENT: STE.Config, 0 to 7 */
    uint8_t page_shift;   /* SMMU_XLATE */
    uint16_t walk_refs;   /* SMMU_XLATE */
    uint64_t arg2;        /* SMMU_CMD: the second word */
};
#define TRF_WRITE 0x01        /* DATA */
#define TRF_STAGE2 0x01       /* WALK */
#define TRF_VIRTUAL 0x01      /* IRQ */
#define TRF_TLBI_IS 0x01      /* TLBI: Inner Shareable (broadcast to every PE) */
#define TRF_S2_ON 0x02        /* BLOCK, DATA, WALK, CONTEXT: stage 2 translation on */
#define TRF_FAR_VALID 0x04    /* EXCEPTION */
#define TRF_SMMU_HIT 0x02     /* SMMU_XLATE: answered by the SMMU's TLB */
#define TRF_EVT_RECORDED 0x01 /* SMMU_EVENT: written to the event queue */
#define TRF_EVT_STAGE2 0x02   /* SMMU_EVENT: a stage-2 fault */
#define TRF_SSID 0x04         /* SMMU_XLATE, SMMU_WALK, SMMU_EVENT: ssid is valid */

/* What the header says about the machine (free text, JSON by convention). */
#define TRACE_DESC_MAX 4096

struct trace_writer;
struct trace_writer *trace_writer_open(const char *path, const char *machine_desc, uint32_t class_mask,
                                       char *err, size_t errlen);
/* Appends a record if its class is in the mask. Returns 0, or -1 after an I/O error. */
int trace_write(struct trace_writer *w, const struct trace_record *r);
/* Flushes and closes; returns -1 if anything failed. */
int trace_writer_close(struct trace_writer *w);
uint64_t trace_writer_count(const struct trace_writer *w);

struct trace_reader;
/* Opens and checks the header; NULL with a message for a missing, foreign,
 * newer-version or corrupt file. */
struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
const char *trace_reader_machine(const struct trace_reader *r);
uint32_t trace_reader_class_mask(const struct trace_reader *r);
/* The format version of the file (1 to TRACE_VERSION). The writer writes
 * version 2 when the class mask has no SMMU class (so that an avsim that
 * knows only version 2 reads it), else 3. */
unsigned trace_reader_version(const struct trace_reader *r);
/* 1: a record was read; 0: clean end; -1: truncated or corrupt (message in err). */
int trace_read(struct trace_reader *r, struct trace_record *rec, char *err, size_t errlen);
void trace_reader_close(struct trace_reader *r);

/* Names of the classes for --trace-events and the tools ("blocks", "data", "exceptions",
 * "erets", "tlbi", "context", "walks", "irq", "smmu_xlate", "smmu_walks",
 * "smmu_events", "smmu_cmds"). */
const char *trace_type_name(unsigned type);
/* Parses a comma list of class names ("all" and "smmu", the four SMMU classes,
 * allowed). Returns 0 or -1 (message in err). */
int trace_parse_classes(const char *list, uint32_t *mask, char *err, size_t errlen);

/* The writer's last error ("write failed: No space left on device"), or NULL. */
const char *trace_writer_error(const struct trace_writer *w);

/* Which record types carry an `el` (BLOCK, DATA, WALK, CONTEXT, TLBI), a
 * `vmid` (those, EXCEPTION, SMMU_XLATE, SMMU_WALK, SMMU_EVENT) and a `sid`
 * (the three SMMU ones). trace_type_name returns NULL for a type outside
 * 1..TR_TYPE_MAX. */
bool trace_record_has_el(unsigned type);
bool trace_record_has_vmid(unsigned type);
bool trace_record_has_sid(unsigned type);

/* A record filter for the tools: class mask, EL (-1 any; EXCEPTION and ERET
 * match on from_el or to_el; IRQ and SMMU records have no EL and never
 * match), VMID (-1 any; only records that carry a vmid match), PE (-1 any),
 * StreamID (-1 any; only records that carry a sid match). */
struct trace_filter {
    uint32_t classes;
    int el;
    int vmid;
    int pe;               /* -1 any, else the producing PE */
    int64_t sid;          /* -1 any, else the StreamID */
};
void trace_filter_init(struct trace_filter *f);   /* everything */
bool trace_filter_match(const struct trace_filter *f, const struct trace_record *r);

#endif
