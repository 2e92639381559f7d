/* SMMUv3 model internals, shared by smmu.c (the register file, reset,
 * statistics), smmu_queue.c (the command queue and its commands, the event
 * queue and its records) and smmu_xlate.c (stream table, context descriptors,
 * the configuration cache, translation and DMA). Register offsets and field
 * names follow Arm IHI 0070 ("Arm System Memory Management Unit Architecture
 * Specification, SMMU architecture version 3"), chapter "Memory map and
 * registers", and the structure layouts its chapter "Data structure formats".
 * What is offered and which CONSTRAINED UNPREDICTABLE choices are made is
 * listed in smmu/README.md. */
#ifndef AVSIM_SMMU_SMMU_INTERNAL_H
#define AVSIM_SMMU_SMMU_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>

#include "mmu/walk.h"
#include "smmu/smmu.h"

/* ---- registers (page 0; EVTQ_PROD/CONS also in page 1 at + 0x10000) ---- */
enum {
    SMMU_IDR0 = 0x00, SMMU_IDR1 = 0x04, SMMU_IDR2 = 0x08, SMMU_IDR3 = 0x0c, SMMU_IDR4 = 0x10,
    SMMU_IDR5 = 0x14, SMMU_IIDR = 0x18, SMMU_AIDR = 0x1c,
    SMMU_CR0 = 0x20, SMMU_CR0ACK = 0x24, SMMU_CR1 = 0x28, SMMU_CR2 = 0x2c,
    SMMU_STATUSR = 0x40, SMMU_GBPA = 0x44, SMMU_AGBPA = 0x48,
    SMMU_IRQ_CTRL = 0x50, SMMU_IRQ_CTRLACK = 0x54,
    SMMU_GERROR = 0x60, SMMU_GERRORN = 0x64,
    SMMU_GERROR_IRQ_CFG0 = 0x68, SMMU_GERROR_IRQ_CFG1 = 0x70, SMMU_GERROR_IRQ_CFG2 = 0x74,
    SMMU_STRTAB_BASE = 0x80, SMMU_STRTAB_BASE_CFG = 0x88,
    SMMU_CMDQ_BASE = 0x90, SMMU_CMDQ_PROD = 0x98, SMMU_CMDQ_CONS = 0x9c,
    SMMU_EVTQ_BASE = 0xa0, SMMU_EVTQ_PROD = 0xa8, SMMU_EVTQ_CONS = 0xac,
    SMMU_EVTQ_IRQ_CFG0 = 0xb0, SMMU_EVTQ_IRQ_CFG1 = 0xb8, SMMU_EVTQ_IRQ_CFG2 = 0xbc,
    SMMU_PAGE1 = 0x10000,
};

/* IDR0 fields */
#define IDR0_S2P (1u << 0)
#define IDR0_S1P (1u << 1)
#define IDR0_TTF_AARCH64 (2u << 2)
#define IDR0_COHACC (1u << 4)
#define IDR0_HYP (1u << 9)
#define IDR0_ASID16 (1u << 12)
#define IDR0_VMID16 (1u << 18)
#define IDR0_CD2L (1u << 19)
#define IDR0_TTENDIAN_LE (2u << 21)
#define IDR0_STALL_MODEL_NONE (1u << 24)    /* 0b01: stall not supported */
#define IDR0_ST_LVL_2 (1u << 27)
/* IDR1 fields */
#define IDR1_SIDSIZE_SHIFT 0
#define IDR1_SSIDSIZE_SHIFT 6
#define IDR1_EVENTQS_SHIFT 16
#define IDR1_CMDQS_SHIFT 21
#define IDR1_ATTR_PERMS_OVR (1u << 26)
/* IDR5 fields */
#define IDR5_GRAN4K (1u << 4)
#define IDR5_GRAN16K (1u << 5)
#define IDR5_GRAN64K (1u << 6)

/* Queue sizes offered (IDR1.CMDQS, IDR1.EVENTQS, log2 of entries): Linux needs > 64 commands. */
#define SMMU_CMDQS 10
#define SMMU_EVENTQS 10

/* CR0 */
#define CR0_SMMUEN (1u << 0)
#define CR0_PRIQEN (1u << 1)
#define CR0_EVTQEN (1u << 2)
#define CR0_CMDQEN (1u << 3)
/* CR2 */
#define CR2_E2H (1u << 0)
#define CR2_RECINVSID (1u << 1)
#define CR2_PTM (1u << 2)
/* GBPA */
#define GBPA_ABORT (1u << 20)
#define GBPA_UPDATE (1u << 31)
#define GBPA_FIELDS 0x001f3f1fu           /* INSTCFG, PRIVCFG, SHCFG, ALLOCCFG, MTCFG, MEMATTR, ABORT */
/* IRQ_CTRL */
#define IRQ_CTRL_GERROR_IRQEN (1u << 0)
#define IRQ_CTRL_PRIQ_IRQEN (1u << 1)
#define IRQ_CTRL_EVTQ_IRQEN (1u << 2)
/* GERROR */
#define GERROR_CMDQ_ERR (1u << 0)
#define GERROR_EVTQ_ABT_ERR (1u << 2)
#define GERROR_BITS 0x1fdu
/* STRTAB_BASE_CFG */
#define STRTAB_CFG_LOG2SIZE(v) ((v) & 0x3f)
#define STRTAB_CFG_SPLIT(v) (((v) >> 6) & 0x1f)
#define STRTAB_CFG_FMT(v) (((v) >> 16) & 3)
#define STRTAB_CFG_MASK 0x000307ffu
#define STRTAB_BASE_MASK 0x400ffffffffffc0ULL   /* RA, ADDR[51:6] */
#define STRTAB_ADDR_MASK 0x000fffffffffffc0ULL
/* Queue bases: RA/WA[62], ADDR[51:5], LOG2SIZE[4:0] */
#define Q_BASE_MASK 0x400fffffffffffffULL
#define Q_ADDR_MASK 0x000fffffffffffe0ULL
#define Q_LOG2SIZE(b) ((unsigned)((b) & 0x1f))
#define Q_OVF (1u << 31)                 /* EVTQ_PROD.OVFLG, EVTQ_CONS.OVACKFLG */
#define CMDQ_CONS_ERR_SHIFT 24
enum { CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2 };

/* Event record CLASS */
enum { EVT_CLASS_CD = 0, EVT_CLASS_TT = 1, EVT_CLASS_IN = 2 };

/* A queue: base register, producer and consumer index registers. */
struct smmu_queue {
    uint64_t base;            /* *_BASE as written (RA/WA, ADDR, LOG2SIZE) */
    uint32_t prod, cons;      /* *_PROD, *_CONS as the registers read */
    unsigned max_log2;        /* IDR1.CMDQS / EVENTQS */
    unsigned entry_bytes;     /* 16 or 32 */
};

/* A cached STE or CD (the configuration cache). */
struct smmu_cfg_entry {
    bool valid;
    bool is_cd;
    uint32_t sid, ssid;       /* ssid: the CD's index (0 for a stream without substreams) */
    uint64_t w[8];
    uint64_t stamp;
};

/* An event record being built (IHI 0070 "Event records"). */
struct smmu_evt {
    unsigned id;
    uint32_t sid, ssid;       /* ssid DMA_NO_SSID: SSV = 0 */
    bool rnw, pnu, ind, s2;
    unsigned cls;             /* CLASS: CD, TT, IN */
    uint64_t input_addr;
    uint64_t ipa;             /* F_TRANSLATION...F_PERMISSION: the IPA (S2 = 1) */
    uint64_t fetch_addr;      /* F_STE_FETCH, F_CD_FETCH, F_WALK_EABT: the PA fetched */
    bool has_fetch;
    unsigned config;          /* the STE's Config (for the bus event) */
    uint16_t vmid, asid;
};

struct smmu {
    struct smmu_config cfg;
    struct smmu_bus bus;

    uint32_t idr[6], iidr, aidr;
    uint32_t cr0, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn;
    uint64_t strtab_base;
    uint32_t strtab_base_cfg;
    struct smmu_queue cmdq, evtq;
    bool in_cmdq;             /* commands are being consumed (no re-entry) */

    struct tlb tlb;
    struct smmu_cfg_entry *cfg_cache;
    uint64_t cfg_clock;

    struct smmu_stats stats;
    struct smmu_sid_stats *sid_stats;
    unsigned n_sid_stats, cap_sid_stats;
};

/* smmu.c */
void smmu_gerror_raise(struct smmu *s, uint32_t bit);
struct smmu_sid_stats *smmu_sid_stats_for(struct smmu *s, uint32_t sid);
void smmu_when(const struct smmu *s, struct event *ev);

/* smmu_queue.c */
void smmu_cmdq_process(struct smmu *s);
/* Publishes EV_SMMU_EVENT and writes the record when CR0.EVTQEN and `record`. */
void smmu_event(struct smmu *s, const struct smmu_evt *e, bool record);
bool smmu_queue_empty(const struct smmu_queue *q);
unsigned smmu_queue_log2(const struct smmu_queue *q);

/* smmu_xlate.c */
void smmu_cfg_invalidate(struct smmu *s, bool cd, uint32_t sid_lo, uint32_t sid_hi, bool all_ssid, uint32_t ssid);
void smmu_cfg_prefetch(struct smmu *s, uint32_t sid);

static inline uint64_t smmu_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void smmu_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
