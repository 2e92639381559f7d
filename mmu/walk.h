/* Translation table walks for VMSAv8-64: one walker for stage 1 (EL1&0 and
 * EL2 regimes), stage 2 (EL1&0 under HCR_EL2.VM) and, later, the SMMU. Follows
 * AArch64.S1Translate / AArch64.S2Translate / AArch64.CombineS1S2Desc. Every
 * stage-1 descriptor fetch is itself translated by stage 2 when stage 2 is on.
 * Pure: memory comes through mmu_mem_ops, so tests can hand-build tables. */
#ifndef AVSIM_MMU_WALK_H
#define AVSIM_MMU_WALK_H
#include <stdbool.h>
#include <stdint.h>

#define MMU_PA_BITS 40            /* the PE's physical address size (ID_AA64MMFR0_EL1.PARange) */

enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };

enum mmu_fault_type {
    MMU_FAULT_NONE,
    MMU_FAULT_ADDRESS_SIZE,   /* FSC 0b0000ll */
    MMU_FAULT_TRANSLATION,    /* FSC 0b0001ll */
    MMU_FAULT_ACCESS_FLAG,    /* FSC 0b0010ll */
    MMU_FAULT_PERMISSION,     /* FSC 0b0011ll */
    MMU_FAULT_EXTERNAL_WALK,  /* FSC 0b0101ll: external abort on a table walk */
};

/* The fault record from which ESR (DFSC/IFSC, S1PTW, WnR), FAR, HPFAR and SMMU
 * event records are derived. */
struct mmu_fault {
    enum mmu_fault_type type;
    int level;                /* -1..3 (level -1 unused in v8.0) */
    bool stage2;              /* the fault is a stage-2 fault */
    bool s1ptw;               /* stage-2 fault on a stage-1 table walk access */
    uint64_t ipa;             /* the IPA that faulted at stage 2 (for HPFAR_EL2) */
};

unsigned mmu_fault_fsc(const struct mmu_fault *f);

struct mmu_result;

/* Memory the walker reads descriptors from (physical addresses). */
struct mmu_mem_ops {
    /* Reads a 64-bit little-endian descriptor. Returns 0, or -1 when the
     * address is not backed (an external abort on the walk). */
    int (*read64)(void *opaque, uint64_t pa, uint64_t *val);
    /* Observes each descriptor access: its physical address, its address as
     * the walk computed it (an IPA for stage-1 descriptors under stage 2,
     * else the same), stage 1 or 2, level; may be NULL. */
    void (*on_walk_access)(void *opaque, uint64_t pa, uint64_t addr, unsigned stage, int level);
    /* A cache of stage-2 translations for stage-1 descriptor fetches (the TLB
     * model's walk cache); both may be NULL. lookup returns true with *pa. */
    bool (*s2_walk_lookup)(void *opaque, uint64_t ipa, uint64_t *pa);
    void (*s2_walk_insert)(void *opaque, const struct mmu_result *r);
    /* Cached stage-1 table descriptors (the walk cache); both may be NULL; regime: 0 EL1&0, 1 EL2,
 * 2 EL2&0 (enum tlb_regime).
     * lookup: the deepest cached descriptor on va's walk: its level, the next
     * table's address and the accumulated APTable/XNTable/PXNTable bits (as in
     * descriptor bits 62:59). insert: a table descriptor just read at `level`,
     * covering 2^shift bytes of input addresses. */
    bool (*s1_table_lookup)(void *opaque, unsigned regime, uint64_t va, int *level, uint64_t *table,
                            uint64_t *table_attrs);
    void (*s1_table_insert)(void *opaque, unsigned regime, uint64_t va, int level, unsigned shift,
                            uint64_t table, uint64_t table_attrs);
    void *opaque;
};

/* Stage-1 configuration of one translation regime, from SCTLR/TCR/TTBR/MAIR. */
struct mmu_s1_config {
    bool enabled;             /* SCTLR_ELx.M */
    bool two_ranges;          /* EL1&0: TTBR0 (low) and TTBR1 (high); EL2: TTBR0 only */
    bool el2_regime;          /* single privilege level: AP[1] ignored, XN only */
    bool host;                /* the EL2&0 regime (HCR_EL2.E2H): two ranges, EL0 and EL2 rights as
                               * EL1&0's EL0 and EL1, ASIDs, no stage 2 */
    uint64_t ttbr[2];
    unsigned tsz[2];          /* T0SZ, T1SZ */
    unsigned granule_bits[2]; /* 12, 14 or 16 (TG0/TG1 decoded) */
    bool epd[2];              /* EPD0/EPD1: walks disabled for that range */
    bool tbi[2];              /* TBI0/TBI1: top byte ignored */
    unsigned ips_bits;        /* TCR.IPS / TCR_EL2.PS decoded, capped to MMU_PA_BITS */
    uint64_t mair;
    bool wxn;
    bool icache;              /* SCTLR_ELx.I: fetches with stage 1 off are Write-Through, else NC */
    bool as16;                /* 16-bit ASIDs (TCR.AS) */
    bool a1;                  /* TCR_EL1.A1: ASID from TTBR1 */
};

/* Stage-2 configuration (VTCR_EL2, VTTBR_EL2). */
struct mmu_s2_config {
    bool enabled;             /* HCR_EL2.VM */
    uint64_t vttbr;
    unsigned t0sz;
    unsigned sl0;
    unsigned granule_bits;
    unsigned ps_bits;         /* VTCR_EL2.PS decoded, capped */
    bool dc;                  /* HCR_EL2.DC: stage 1 off is Normal WB */
    bool ptw;                 /* protected table walks (HCR_EL2.PTW, SMMU STE.S2PTW): a stage-1
                               * descriptor in stage-2 Device memory is a stage-2 Permission fault.
                               * (mmu_s2_from_regs leaves it clear; s2_walk_lookup callers must not
                               * answer with Device entries when it is set.) */
};

/* Decoders for the register fields above (TCR.TG0 and TG1 encode granules differently). */
unsigned mmu_tg0_bits(unsigned tg0);
unsigned mmu_tg1_bits(unsigned tg1);
unsigned mmu_pa_bits(unsigned ps_field);
void mmu_s1_from_regs(struct mmu_s1_config *c, bool el2_regime, uint64_t sctlr, uint64_t tcr,
                      uint64_t ttbr0, uint64_t ttbr1, uint64_t mair);
void mmu_s2_from_regs(struct mmu_s2_config *c, uint64_t hcr, uint64_t vtcr, uint64_t vttbr);

/* Permissions, as bits. */
enum { MMU_PERM_R = 1, MMU_PERM_W = 2, MMU_PERM_X = 4 };

/* A translation: the final PA of the page and what a TLB entry holds. */
struct mmu_result {
    uint64_t va, ipa, pa;     /* of the access (ipa == va when stage 1 is off) */
    unsigned page_shift;      /* log2 of the mapping's size: min of both stages' block sizes */
    uint8_t perm_el0;         /* combined permissions for EL0 accesses (EL1&0 regime) */
    uint8_t perm_el1;         /* ... for EL1 (or EL2 in the EL2 regime) */
    uint8_t attr;             /* combined memory attributes, MAIR encoding */
    uint8_t sh;               /* combined shareability: 0 NSH, 2 OSH, 3 ISH */
    bool global;              /* nG == 0 */
    uint16_t asid;            /* from the TTBR used (EL1&0) */
    unsigned ttbr_index;      /* 0 or 1 */
    unsigned walk_accesses;   /* descriptor reads, both stages */
    struct mmu_fault fault;   /* type NONE on success */
};

/* Translate va for an access at `el` (0, 1 or 2), as AArch64.FullTranslate does:
 * stage 1, then stage 2 (ignored for the EL2 regime). Returns true on success; on
 * failure r->fault says what. The permission check for `acc` at `el` is included. */
bool mmu_full_translate(const struct mmu_mem_ops *mem, const struct mmu_s1_config *s1,
                        const struct mmu_s2_config *s2, uint64_t va, enum mmu_access acc, unsigned el,
                        struct mmu_result *r);

/* Stage 1 off (AArch64.TranslateAddressS1Off): the output address of va, or
 * false for an address size fault at level 0 (a bit set from PAMax up to
 * AddrTop, which is 55 when TBI applies to va, else 63). */
bool mmu_s1_off_pa(const struct mmu_s1_config *s1, uint64_t va, uint64_t *pa);

/* Stage 1 only (VA -> IPA, as AT S1E0/S1E1 report it); its table walk still
 * goes through stage 2 when s2 is enabled. */
bool mmu_translate_s1(const struct mmu_mem_ops *mem, const struct mmu_s1_config *s1,
                      const struct mmu_s2_config *s2, uint64_t va, enum mmu_access acc, unsigned el,
                      struct mmu_result *r);

/* Stage 2 alone (IPA -> PA), used by the walker for descriptor fetches and by
 * the SMMU. s1ptw marks the access as a stage-1 walk. */
bool mmu_translate_s2(const struct mmu_mem_ops *mem, const struct mmu_s2_config *s2, uint64_t ipa,
                      enum mmu_access acc, bool s1ptw, struct mmu_result *r);

/* Combining memory attributes of the two stages (AArch64.CombineS1S2Desc),
 * s2memattr being the 4-bit stage-2 MemAttr field. Returns the MAIR-style result. */
uint8_t mmu_combine_attr(uint8_t s1attr, unsigned s2memattr);
uint8_t mmu_combine_sh(uint8_t s1sh, uint8_t s2sh, uint8_t combined_attr);

/* PAR_EL1 for an AT instruction's result. */
uint64_t mmu_par_from_result(const struct mmu_result *r, bool ok);

#endif
