/* The TLB model: what the guest sees as cached translations. Entries are
 * tagged with VMID, ASID, the global bit, the translation regime and the
 * mapping size; combined stage-1+2 entries live in the L1 I/D TLBs and the
 * unified L2, and a walk cache holds table entries of both stages. Switching
 * VMID or ASID flushes nothing: the tags do the work. The same code serves the
 * live MMU and the trace-driven TLB simulator (issue 6). */
#ifndef AVSIM_MMU_TLB_H
#define AVSIM_MMU_TLB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EL2&0 (FEAT_VHE, HCR_EL2.E2H = 1): VMID 0, ASID-tagged like EL1&0. */
enum tlb_regime { TLB_REGIME_EL10 = 0, TLB_REGIME_EL2 = 1, TLB_REGIME_EL20 = 2 };
enum tlb_repl { TLB_REPL_LRU, TLB_REPL_FIFO, TLB_REPL_RANDOM };

/* What an entry caches. */
enum tlb_kind {
    TLB_KIND_LEAF = 0,        /* a (combined) translation: L1 I/D, L2 */
    TLB_KIND_S2_WALK = 1,     /* a stage-2 translation of a stage-1 table address (walk cache) */
    TLB_KIND_S1_TABLE = 2,    /* a stage-1 table descriptor (walk cache) */
};

struct tlb_entry {
    bool valid;
    uint8_t kind;             /* enum tlb_kind */
    uint8_t level;            /* TLB_KIND_S1_TABLE: the level of the descriptor */
    uint8_t table_attrs;      /* TLB_KIND_S1_TABLE: accumulated APTable[1:0], XNTable, PXNTable */
    uint8_t regime;           /* enum tlb_regime */
    bool global;              /* nG == 0: matches every ASID */
    bool s2;                  /* made with stage 2 on (IPAS2 / VMALLS12 may remove it) */
    uint16_t asid;
    uint16_t vmid;            /* EL1&0 regime only */
    uint8_t page_shift;       /* 12 .. 42: the mapping size */
    uint8_t perm_el0, perm_el1, attr, sh;
    uint64_t va;              /* page-aligned (to page_shift) input address */
    uint64_t ipa;             /* page-aligned IPA (valid when s2) */
    uint64_t pa;              /* page-aligned output address */
    uint64_t stamp;           /* replacement bookkeeping */
};

/* One level: `entries` in total, `ways` per set (ways == entries: fully associative). */
struct tlb_level_config {
    unsigned entries;
    unsigned ways;
    enum tlb_repl repl;
};

struct tlb_config {
    struct tlb_level_config l1i, l1d, l2;
    unsigned walk_cache_entries;  /* table-descriptor cache (both stages); 0: none */
    unsigned l2_hit_cycles;       /* extra cycles of an L1 miss that hits L2 */
    unsigned walk_access_cycles;  /* cycles per descriptor read of a walk */
};

/* Cortex-A57-like default: 48-entry fully associative L1 ITLB, 32-entry fully
 * associative L1 DTLB, 1024-entry 4-way L2, 64-entry walk cache, LRU. */
extern const struct tlb_config tlb_config_cortex_a57;

/* Parses "l1i=N[:WAYS],l1d=N[:WAYS],l2=N[:WAYS],walk=N,repl=lru|fifo|random"
 * over *c (keys not given keep their value). l1i/l1d are fully associative
 * unless WAYS is given. Returns 0, or -1 with a message. */
int tlb_config_parse(struct tlb_config *c, const char *spec, char *err, unsigned errlen);
/* The configuration in tlb_config_parse's syntax (round-trips through it). */
void tlb_config_format(const struct tlb_config *c, char *buf, size_t len);

struct tlb_stats {
    uint64_t lookups, l1_hits, l2_hits, misses, fills, evictions, invalidated;
};

struct tlb_level;   /* private */

/* Called for every entry that leaves the model (eviction or invalidation), so
 * that the live MMU can drop what it derived from it (Unicorn's TLB). */
typedef void (*tlb_drop_fn)(void *opaque, const struct tlb_entry *e);

struct tlb {
    struct tlb_config cfg;
    struct tlb_level *l1i, *l1d, *l2;
    struct tlb_entry *walk_cache;     /* TLB_KIND_S2_WALK entries */
    struct tlb_entry *s1_tables;      /* TLB_KIND_S1_TABLE entries (same size) */
    uint64_t *walk_key, *s1_key;      /* beside each: its input address | page_shift (0: invalid) */
    unsigned walk_used, s1_used;      /* no valid entry at or above these indexes */
    unsigned s1_memo;                 /* 1 + the s1_tables index of the last level-2 answer (0: none) */
    uint64_t clock;               /* for LRU/FIFO stamps */
    uint64_t rng;                 /* deterministic state for TLB_REPL_RANDOM */
    tlb_drop_fn on_drop;
    void *drop_opaque;
    struct tlb_stats stats;
};

/* Returns 0, or -1 for an invalid configuration (message in err). */
int tlb_init(struct tlb *t, const struct tlb_config *cfg, tlb_drop_fn on_drop, void *opaque,
             char *err, unsigned errlen);
void tlb_destroy(struct tlb *t);

/* Looks up va for the given context. On a hit returns the entry (L1 first,
 * then L2, which refills L1) and sets *level to 1 or 2. */
const struct tlb_entry *tlb_lookup(struct tlb *t, bool is_fetch, enum tlb_regime regime, uint16_t vmid,
                                   uint16_t asid, uint64_t va, unsigned *level);

/* The entry that translates va in the given context, if any level holds one,
 * without touching statistics or replacement state (for observers such as
 * the trace recorder). */
const struct tlb_entry *tlb_peek(const struct tlb *t, bool is_fetch, enum tlb_regime regime, uint16_t vmid,
                                 uint16_t asid, uint64_t va);

/* Inserts a translation (into L1 I or D by is_fetch, and into L2). */
void tlb_insert(struct tlb *t, bool is_fetch, const struct tlb_entry *e);

/* Stage-2-only entries (IPA -> PA, tagged with VMID), used for the stage-1
 * walk's descriptor fetches: kept in the walk cache. */
const struct tlb_entry *tlb_s2_lookup(struct tlb *t, uint16_t vmid, uint64_t ipa);
void tlb_s2_insert(struct tlb *t, const struct tlb_entry *e);   /* e->ipa, e->pa, e->vmid, e->page_shift */

/* Stage-1 table descriptors (walk cache): the entry for `va` says that the
 * descriptor at e->level for the region [e->va, e->va + 2^e->page_shift)
 * points to the next-level table at e->pa (an IPA under stage 2), with the
 * accumulated hierarchical attributes. Lookup returns the deepest cached one. */
const struct tlb_entry *tlb_s1_table_lookup(struct tlb *t, enum tlb_regime regime, uint16_t vmid,
                                            uint16_t asid, uint64_t va);
void tlb_s1_table_insert(struct tlb *t, const struct tlb_entry *e);

/* TLB maintenance, with the exact scope of each TLBI operation (Arm ARM):
 * IPAS2E1/IPAS2LE1 remove stage-2-only entries for the IPA, not combined
 * stage 1+2 entries (software follows them with VMALLE1); VMALLS12E1 removes
 * both kinds for the VMID; ALLE1 every EL1&0 entry; ALLE2/VAE2/VALE2 only
 * EL2-regime entries. The "last level" variants (VALE1, VAALE1, VALE2,
 * IPAS2LE1) remove only last-level entries: cached stage-1 table descriptors
 * stay; the other VA variants also remove the table descriptors covering the VA
 * (whatever their ASID: more than required is always permitted). */
enum tlbi_op {
    TLBI_VMALLE1,     /* EL1&0, current VMID, all ASIDs */
    TLBI_VAE1,        /* EL1&0, current VMID, VA, ASID (or global) */
    TLBI_VALE1,       /* as VAE1, last level only */
    TLBI_VAAE1,       /* EL1&0, current VMID, VA, any ASID */
    TLBI_VAALE1,
    TLBI_ASIDE1,      /* EL1&0, current VMID, ASID (not global entries) */
    TLBI_IPAS2E1,     /* stage-2 entries for IPA, current VMID */
    TLBI_IPAS2LE1,
    TLBI_VMALLS12E1,  /* EL1&0, current VMID, stage 1 and 2 */
    TLBI_ALLE1,       /* EL1&0, all VMIDs */
    TLBI_ALLE2,       /* EL2 regime */
    TLBI_VAE2,        /* EL2 regime, VA */
    TLBI_VALE2,
};

struct tlbi_request {
    enum tlbi_op op;
    uint16_t vmid;        /* the current VMID (VTTBR_EL2.VMID) */
    uint16_t asid;        /* from Xt[63:48] where the op takes one */
    uint64_t va;          /* from Xt[43:0] << 12 (VA ops) */
    uint64_t ipa;         /* from Xt[35:0] << 12 (IPAS2 ops) */
    bool host;            /* at EL2 with HCR_EL2.{E2H,TGE} = {1,1}: the *E1 ops act on the EL2&0
                           * regime instead of the EL1&0 regime of the current VMID */
};

/* Is the same translation as x (another copy than x itself) still held in
 * L1I, L1D or L2? No side effects: usable from the drop callback. */
bool tlb_holds(const struct tlb *t, const struct tlb_entry *x);

/* Removes the entries the operation covers (and only those); returns how many. */
unsigned tlbi(struct tlb *t, const struct tlbi_request *r);

#endif
