/* An SMMUv3 (Arm IHI 0070, "SMMU architecture version 3"): the register
 * file (page 0 and page 1), the stream table (linear and 2-level), context
 * descriptors (linear and 2-level CD tables, SubstreamIDs), the command and
 * event queues, stage 1, stage 2 and nested translation with the same walker
 * (mmu/walk.c) and TLB code (mmu/tlb.c) as the PE, wired interrupts. The SMMU
 * never includes CPU internals: it sees memory through a phys_mem, raises
 * interrupts through irq_lines and publishes events on the bus.
 *
 * Memory map and interrupts as QEMU's virt board (`-M virt,iommu=smmuv3`):
 * 0x09050000, 0x20000 bytes, SPIs 74-77 (eventq, priq, cmdq-sync, gerror).
 * The ID register values, the CONSTRAINED UNPREDICTABLE choices and what is
 * not modelled: smmu/README.md. */
#ifndef AVSIM_SMMU_SMMU_H
#define AVSIM_SMMU_SMMU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mmu/tlb.h"
#include "sim/dma.h"
#include "sim/events.h"
#include "sim/irq_line.h"

#define SMMU_MMIO_SIZE 0x20000ULL

/* STE.Config (bits 3:1 of the STE's first word). */
enum {
    SMMU_STE_CONFIG_ABORT = 0,    /* 0b000: abort (no event) */
    SMMU_STE_CONFIG_BYPASS = 4,   /* 0b100: S1 and S2 bypass */
    SMMU_STE_CONFIG_S1 = 5,       /* 0b101: stage 1 translate, S2 bypass */
    SMMU_STE_CONFIG_S2 = 6,       /* 0b110: S1 bypass, stage 2 translate */
    SMMU_STE_CONFIG_NESTED = 7,   /* 0b111: both */
};

/* Event record types (event_id). */
enum {
    SMMU_EVT_F_UUT = 0x01,
    SMMU_EVT_C_BAD_STREAMID = 0x02,
    SMMU_EVT_F_STE_FETCH = 0x03,
    SMMU_EVT_C_BAD_STE = 0x04,
    SMMU_EVT_F_STREAM_DISABLED = 0x06,
    SMMU_EVT_C_BAD_SUBSTREAMID = 0x08,
    SMMU_EVT_F_CD_FETCH = 0x09,
    SMMU_EVT_C_BAD_CD = 0x0a,
    SMMU_EVT_F_WALK_EABT = 0x0b,
    SMMU_EVT_F_TRANSLATION = 0x10,
    SMMU_EVT_F_ADDR_SIZE = 0x11,
    SMMU_EVT_F_ACCESS = 0x12,
    SMMU_EVT_F_PERMISSION = 0x13,
};

/* Command opcodes (IHI 0070, "Commands"), as EV_SMMU_CMD's u.smmu.opcode. CMD_CFGI_ALL is
 * CMD_CFGI_STE_RANGE with Range = 31. */
enum {
    SMMU_CMD_PREFETCH_CONFIG = 0x01,
    SMMU_CMD_PREFETCH_ADDR = 0x02,
    SMMU_CMD_CFGI_STE = 0x03,
    SMMU_CMD_CFGI_STE_RANGE = 0x04,
    SMMU_CMD_CFGI_ALL = 0x04,
    SMMU_CMD_CFGI_CD = 0x05,
    SMMU_CMD_CFGI_CD_ALL = 0x06,
    SMMU_CMD_TLBI_NH_ALL = 0x10,
    SMMU_CMD_TLBI_NH_ASID = 0x11,
    SMMU_CMD_TLBI_NH_VA = 0x12,
    SMMU_CMD_TLBI_NH_VAA = 0x13,
    SMMU_CMD_TLBI_EL2_ALL = 0x20,
    SMMU_CMD_TLBI_EL2_ASID = 0x21,
    SMMU_CMD_TLBI_EL2_VA = 0x22,
    SMMU_CMD_TLBI_EL2_VAA = 0x23,
    SMMU_CMD_TLBI_S12_VMALL = 0x28,
    SMMU_CMD_TLBI_S2_IPA = 0x2a,
    SMMU_CMD_TLBI_NSNH_ALL = 0x30,
    SMMU_CMD_SYNC = 0x46,
};

/* The wired interrupt outputs (edge-triggered: pulsed). */
enum { SMMU_IRQ_EVENTQ, SMMU_IRQ_PRIQ, SMMU_IRQ_CMDQ_SYNC, SMMU_IRQ_GERROR, SMMU_IRQ_COUNT };

struct smmu_config {
    unsigned sid_bits;        /* IDR1.SIDSIZE: StreamID bits (default 16) */
    unsigned ssid_bits;       /* IDR1.SSIDSIZE: SubstreamID bits (0: none) */
    unsigned oas_bits;        /* IDR5.OAS: output address size: 32, 36 or 40 (default 40, the PE's PA size) */
    bool no_stage1, no_stage2;    /* IDR0.S1P / S2P cleared (default: both stages) */
    struct tlb_config tlb;    /* the SMMU's TLB (default: smmu_default_tlb) */
    unsigned cfg_cache_entries;   /* cached STEs and CDs (default 64) */
};
extern const struct tlb_config smmu_default_tlb;
/* Fills *c with the defaults. smmu_create also takes 0 in sid_bits, oas_bits and
 * cfg_cache_entries, and a tlb with no L1D entries, as "the default". */
void smmu_config_defaults(struct smmu_config *c);

/* What the SMMU is connected to (handed by the machine). */
struct smmu_bus {
    struct phys_mem mem;                  /* the memory system (walks, STE/CD fetches, queues, data) */
    struct irq_line irq[SMMU_IRQ_COUNT];
    struct event_bus *events;             /* NULL: none */
    /* The PE whose access causes the work now, and its clock (for events); NULL: PE 0, time 0. */
    void (*when)(void *opaque, unsigned *pe, uint64_t *cycles);
    void *when_opaque;
};

/* Per-StreamID figures (--stats). */
struct smmu_sid_stats {
    uint32_t sid;
    uint64_t transactions;    /* DMA transactions (one per page touched) */
    uint64_t bytes;
    uint64_t bypass;          /* let through untranslated (bypass STE, SMMUEN=0 with GBPA bypass) */
    uint64_t tlb_lookups, tlb_hits, walks, walk_accesses;
    uint64_t faults;          /* transactions terminated */
    uint64_t events;          /* event records written for this StreamID */
};
struct smmu_stats {
    uint64_t commands, cmd_syncs, cfgi, tlbi;
    uint64_t events_written, events_lost;    /* lost: the event queue was full or disabled */
    uint64_t gerrors;
    uint64_t cfg_hits, cfg_misses;           /* the STE/CD cache */
    struct tlb_stats tlb;                    /* the SMMU's TLB as a whole */
};

struct smmu;

struct smmu *smmu_create(const struct smmu_config *cfg, const struct smmu_bus *bus, char *err, size_t errlen);
void smmu_destroy(struct smmu *s);
/* The registers' reset values (a system reset); the caches are emptied. */
void smmu_reset(struct smmu *s);

/* The register file: offsets in the 128 KiB frame (page 0, then page 1 at
 * 0x10000); 4- and 8-byte accesses. */
uint64_t smmu_mmio_read(struct smmu *s, uint64_t off, unsigned size);
void smmu_mmio_write(struct smmu *s, uint64_t off, uint64_t value, unsigned size);
/* What the register file does with an aligned access of size bytes at off, as the
 * instruction makes it (the machine's bus splits wider ones into 32-bit pieces): taken,
 * RAZ/WI (a 64-bit access to 32-bit registers), or terminated with an abort (8- and
 * 16-bit accesses: the PE's External abort). See smmu.c. */
enum smmu_access { SMMU_ACCESS_OK, SMMU_ACCESS_RAZ_WI, SMMU_ACCESS_ABORT };
enum smmu_access smmu_mmio_access(const struct smmu *s, uint64_t off, unsigned size);

/* A DMA transaction of a device: the dma_port access (sim/dma.h) through the
 * SMMU. Translates [addr, addr + len) page by page and moves the data through
 * bus->mem. Returns 0, or -1 when it was terminated (a stage-1 fault under a
 * CD with A = 0 completes as RAZ/WI: reads give zeros, writes are dropped, 0). */
int smmu_dma(struct smmu *s, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write);
/* A dma_port for a device with StreamID sid. */
struct dma_port smmu_dma_port(struct smmu *s, uint32_t sid);

/* Names for traces and viewers: smmu/smmu_names.h. */

const struct smmu_stats *smmu_get_stats(const struct smmu *s);
/* The per-StreamID figures of the StreamIDs that issued transactions, in order of StreamID. */
const struct smmu_sid_stats *smmu_get_sid_stats(const struct smmu *s, unsigned *count);

#endif
