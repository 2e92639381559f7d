/* The trace-driven TLB simulator (see tlbsim.h).
 *
 * What the tables remember (struct tlbsim_tables)
 *   WALK records arrive as the live walker made them: one record per
 *   descriptor read, in order, all with the VA of the translation. Reads of
 *   one walk are collected until a record that cannot belong to it (another
 *   context or VA, a stage-1 read at a level not below the previous stage-1
 *   read, a stage-2 walk starting right after another stage-2 walk, or any
 *   other record type), then learned (end_walk):
 *     - each stage-1 read at level L: the descriptor's IPA and PA, keyed by
 *       (regime, VMID, ASID, L, VA >> shift(L)) — the descriptor a walk of
 *       any VA in that region reads at level L; the last stage-1 read of a
 *       completed walk is the leaf (its level gives the translation's size);
 *     - each stage-2 walk (the reads between two stage-1 reads translate the
 *       next stage-1 descriptor's IPA; those after the last stage-1 read, the
 *       output IPA): its start level (per VMID) and its leaf level, keyed by
 *       (VMID, IPA >> shift(leaf));
 *     - the smallest stage-1 level seen per context and VA half (TTBR0/TTBR1)
 *       is that context's start level; a walk without stage-1 reads had stage
 *       1 off.
 *   The live walk caches shorten the recorded walks, but every level of every
 *   region was read by the first live walk in that region, so the per-level
 *   keys fill the gaps of later, shorter walks. A walk whose next record is
 *   an abort (EXCEPTION, EC 0x20/0x21/0x24/0x25) faulted: its last stage-1
 *   read is a leaf only if the output's stage-2 walk failed after it, a table
 *   if the next table's stage-2 translation failed (ISS.S1PTW), else the
 *   descriptor that failed (not learned).
 *
 * How a replayed miss walks (replay_miss, replay_s1_walk), following
 * mmu/walk.c:
 *   AArch64.S1Translate from the start level, or from below the deepest
 *   stage-1 table descriptor the replayed walk cache holds
 *   (tlb_s1_table_lookup), to the recorded leaf level. Each stage-1
 *   descriptor read costs 1 reference and, under stage 2, first the stage-2
 *   translation of its IPA: nothing on a walk-cache hit (tlb_s2_lookup), else
 *   a stage-2 walk of (leaf - start + 1) references whose result is cached
 *   (tlb_s2_insert). Each table descriptor read is cached
 *   (tlb_s1_table_insert). Then, under stage 2, the output IPA's stage-2
 *   walk (combined mode: always, as the live walker does; separate mode:
 *   only on a stage-2 TLB miss). A page no WALK record described gets the
 *   model walk: s1 * (1 + s2) + s2 references with the context's learned
 *   level counts (4 each when unknown), s1 or s2 alone when a stage is off,
 *   and is counted in estimated_walks. Where a level's descriptor or a
 *   stage-2 leaf was never recorded, a default fills the gap (approx_walks).
 *   A faulted walk is replayed the same way down to its last stage-1 read,
 *   plus the recorded reads of the stage-2 walk that failed (replay_fault_walk).
 *
 * Sharing: the tables depend on the trace only, so one instance serves every
 * simulator fed the same trace (tlbsim_new with tables). Nothing a simulator
 * does changes them.
 *
 * Speed: the L1 entry a side's previous lookup ended on is remembered with
 * a generation count of that L1's changes; a lookup of the same page in the
 * same context is then counted as the L1 hit tlb_lookup would report, without
 * the search (its LRU stamp is already the newest). The stage-2 TLB does the
 * same. Statistics and replacement are exactly as with tlb_lookup.
 */
#include "traces/tlbsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12
#define S1_OFF_SHIFT 30           /* stage 1 off: a flat 1 GiB translation (AArch64.TranslateAddressS1Off) */
#define MAX_WALK_READS 64         /* a walk reads at most 4 * (1 + 4) + 4 = 24 descriptors */
#define MAX_PAGES_PER_RECORD 64   /* a record claiming more is corrupt: its first pages count */
#define DEFAULT_LEVELS 4          /* per stage, when a context's start level is unknown */
#define UCACHE_SIZE 256           /* pages known to be accessed with translation off */

/* Bytes a descriptor at `level` maps with the 4 KiB granule (level 0..3). */
static inline unsigned level_shift(int level)
{
    return PAGE_SHIFT + 9u * (unsigned)(3 - level);
}

static inline uint64_t shift_mask(unsigned shift)
{
    return (UINT64_C(1) << shift) - 1;
}

/* ---- a small open-addressing hash map ---------------------------------------------- */

enum know_kind {
    K_S1 = 1,        /* a stage-1 descriptor: (regime, vmid, asid, level, va >> shift) */
    K_S1_ANY,        /* the same, for whichever ASID walked it last: (regime, vmid, -, level, va >> shift) */
    K_S1_OFF,        /* a walk with stage 1 off: (regime, vmid, asid, -, va page) */
    K_S2_LEAF,       /* a stage-2 leaf: (-, vmid, -, level, ipa >> shift) */
    K_S1_START,      /* the stage-1 start level: (regime, vmid, asid, -, VA half) */
    K_S2_START,      /* the stage-2 start level: (-, vmid, -, -, 0) */
};

#define KF_LEAF 0x01

struct know {
    uint64_t k0, k1;              /* the key; k0 == 0: an empty slot */
    uint64_t desc_ipa, desc_pa;   /* K_S1*: the descriptor's address (IPA under stage 2) and PA */
    uint64_t seq;                 /* the walk that wrote it (later walks win) */
    uint16_t asid;                /* K_S1_ANY: the ASID that walked it */
    int8_t level;                 /* K_S2_LEAF: the leaf level; K_*_START: the start level */
    int8_t s2_leaf;               /* K_S1 leaf, K_S1_OFF: the output IPA's stage-2 leaf level, -1 unknown */
    uint8_t flags;                /* KF_LEAF */
};

struct kmap {
    struct know *slot;
    size_t cap, used;             /* cap: a power of two (0 before the first insertion) */
};

static inline uint64_t key0(enum know_kind kind, unsigned regime, uint16_t vmid, uint16_t asid, int level)
{
    return (uint64_t)kind << 56 | (uint64_t)(regime & 3) << 52 | (uint64_t)((unsigned)(level + 1) & 0xf) << 40 |
           (uint64_t)vmid << 16 | asid;
}

static inline size_t khash(uint64_t k0, uint64_t k1)
{
    uint64_t h = k0 * UINT64_C(0x9E3779B97F4A7C15) ^ k1;
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return (size_t)h;
}

static struct know *kmap_find(const struct kmap *m, uint64_t k0, uint64_t k1)
{
    if (!m->cap)
        return NULL;
    for (size_t i = khash(k0, k1) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct know *s = &m->slot[i];
        if (s->k0 == 0)
            return NULL;
        if (s->k0 == k0 && s->k1 == k1)
            return s;
    }
}

static bool kmap_grow(struct kmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct know *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        const struct know *o = &m->slot[i];
        if (o->k0 == 0)
            continue;
        size_t j = khash(o->k0, o->k1) & (cap - 1);
        while (slot[j].k0)
            j = (j + 1) & (cap - 1);
        slot[j] = *o;
    }
    free(m->slot);
    m->slot = slot;
    m->cap = cap;
    return true;
}

/* The entry for the key, created (zeroed, s2_leaf -1) when absent; NULL when out of memory. */
static struct know *kmap_get(struct kmap *m, uint64_t k0, uint64_t k1)
{
    struct know *s = kmap_find(m, k0, k1);
    if (s)
        return s;
    if ((m->used + 1) * 2 > m->cap && !kmap_grow(m))
        return NULL;
    size_t i = khash(k0, k1) & (m->cap - 1);
    while (m->slot[i].k0)
        i = (i + 1) & (m->cap - 1);
    s = &m->slot[i];
    *s = (struct know){ .k0 = k0, .k1 = k1, .s2_leaf = -1, .level = -1 };
    m->used++;
    return s;
}

/* ---- the tables: learning from WALK records ----------------------------------------- */

struct walk_read {
    bool stage2;
    int8_t level;
    uint64_t ipa, pa;             /* the descriptor's address as walked (IPA under stage 2) and its PA */
};

struct tlbsim_tables {
    struct kmap map;
    uint64_t seq;                 /* walks learned */
    uint64_t regime_gen[3];       /* walks learned per regime: invalidates untranslated-page caches */
    bool last_starts_walk;        /* the record just learned began a walk */
    struct {                      /* the record just learned is the abort a walk ended in */
        bool valid;
        uint8_t regime;
        uint16_t vmid, asid;
        bool s2_on;
        uint64_t va;
        struct walk_read last;    /* its last stage-1 read (level -1: none) */
        bool last_is_table;       /* ... a table: the next table's stage-2 translation failed */
        unsigned trailing_s2;     /* the reads of the stage-2 walk that failed */
        bool at_instruction;      /* the abort came from an AT instruction (ISS.CM) */
    } fault;
    struct {                      /* the walk being collected */
        bool open;
        uint32_t pe;              /* the PE walking (a PE's walk is never split by another's records) */
        uint8_t regime;
        uint16_t vmid, asid;
        bool s2_on;
        uint64_t va;
        int last_s1_level;        /* -1: no stage-1 read yet */
        unsigned n;
        struct walk_read r[MAX_WALK_READS];
    } walk;
    struct {                      /* a final stage-2 walk waiting for the access that names its IPA */
        bool valid;
        uint8_t regime;
        uint16_t vmid, asid;
        uint64_t va_page;
        int8_t leaf;
    } pending;
};

struct tlbsim_tables *tlbsim_tables_new(void)
{
    return calloc(1, sizeof(struct tlbsim_tables));
}

void tlbsim_tables_free(struct tlbsim_tables *t)
{
    if (!t)
        return;
    free(t->map.slot);
    free(t);
}

static void learn_min_level(struct tlbsim_tables *t, uint64_t k0, uint64_t k1, int level)
{
    struct know *k = kmap_get(&t->map, k0, k1);
    if (k && (k->level < 0 || level < k->level))
        k->level = (int8_t)level;
}

/* A stage-2 walk from `first` to `leaf` translated ipa. */
static void learn_s2_walk(struct tlbsim_tables *t, uint16_t vmid, uint64_t ipa, int first, int leaf)
{
    if (first >= 0)
        learn_min_level(t, key0(K_S2_START, 0, vmid, 0, -1), 0, first);
    struct know *k = kmap_get(&t->map, key0(K_S2_LEAF, 0, vmid, 0, leaf), ipa >> level_shift(leaf));
    if (k) {
        k->level = (int8_t)leaf;
        k->seq = t->seq;
    }
}

static void learn_s1_read(struct tlbsim_tables *t, const struct walk_read *rd, bool leaf, int s2_leaf)
{
    unsigned regime = t->walk.regime;
    uint16_t vmid = t->walk.vmid, asid = t->walk.asid;
    uint64_t region = t->walk.va >> level_shift(rd->level);
    for (int any = 0; any < 2; any++) {
        struct know *k = kmap_get(&t->map, key0(any ? K_S1_ANY : K_S1, regime, vmid, any ? 0 : asid, rd->level),
                                  region);
        if (!k)
            continue;
        k->desc_ipa = rd->ipa;
        k->desc_pa = rd->pa;
        k->seq = t->seq;
        k->asid = asid;
        k->flags = leaf ? KF_LEAF : 0;
        k->s2_leaf = (int8_t)(leaf ? s2_leaf : -1);
    }
    learn_min_level(t, key0(K_S1_START, regime, vmid, asid, -1), (t->walk.va >> 55) & 1, rd->level);
}

/* How a walk ended: completed, or in an abort (the next record), which for
 * a stage-2 fault on a stage-1 table fetch says S1PTW (ISS bit 7). */
enum walk_end { WALK_DONE, WALK_FAULT, WALK_FAULT_S1PTW };

/* Learns the walk collected so far, if any, and describes it in t->fault
 * when it faulted. A faulted walk has no final stage-2 walk, and its last
 * stage-1 read is a leaf only when the output's stage-2 walk failed after it. */
static void end_walk(struct tlbsim_tables *t, enum walk_end how)
{
    if (!t->walk.open)
        return;
    t->walk.open = false;
    t->seq++;
    t->regime_gen[t->walk.regime % 3]++;
    const struct walk_read *r = t->walk.r;
    unsigned n = t->walk.n;
    int last_s1 = -1;
    for (unsigned i = 0; i < n; i++)
        if (!r[i].stage2)
            last_s1 = (int)i;
    unsigned trailing_s2 = n - (unsigned)(last_s1 + 1);
    /* Which stage-1 read is the leaf; is the last one worth learning at all? */
    int leaf = -1;
    bool learn_last = true;
    if (how == WALK_DONE)
        leaf = last_s1;
    else if (how == WALK_FAULT && trailing_s2)
        leaf = last_s1;           /* the output IPA's stage-2 walk failed */
    else if (how == WALK_FAULT || !trailing_s2)
        learn_last = false;       /* that descriptor failed (invalid, access flag, permission) */
    if (how != WALK_DONE) {
        t->fault.valid = true;
        t->fault.regime = t->walk.regime;
        t->fault.vmid = t->walk.vmid;
        t->fault.asid = t->walk.asid;
        t->fault.s2_on = t->walk.s2_on;
        t->fault.va = t->walk.va;
        t->fault.last = last_s1 >= 0 ? r[last_s1] : (struct walk_read){ .level = -1 };
        t->fault.last_is_table = how == WALK_FAULT_S1PTW && trailing_s2;
        t->fault.trailing_s2 = trailing_s2;
    }
    /* The final stage-2 walk: the reads after the last stage-1 read. */
    int final_first = -1, final_leaf = -1;
    if (how == WALK_DONE && trailing_s2) {
        unsigned i = n - 1;
        while (i > 0 && r[i - 1].stage2 && r[i - 1].level < r[i].level)
            i--;
        final_first = r[i].level;
        final_leaf = r[n - 1].level;
    }
    int seg = -1;                 /* first read of the stage-2 walk in progress */
    for (unsigned i = 0; i < n; i++) {
        if (r[i].stage2) {
            if (seg < 0)
                seg = (int)i;
            continue;
        }
        if (seg >= 0) {           /* that stage-2 walk translated this descriptor's IPA */
            learn_s2_walk(t, t->walk.vmid, r[i].ipa, r[seg].level, r[i - 1].level);
            seg = -1;
        }
        if ((int)i != last_s1 || learn_last)
            learn_s1_read(t, &r[i], (int)i == leaf, final_leaf);
    }
    if (final_leaf < 0)
        return;
    learn_min_level(t, key0(K_S2_START, 0, t->walk.vmid, 0, -1), 0, final_first);
    if (last_s1 < 0) {            /* stage 1 off: the IPA is the VA */
        struct know *k = kmap_get(&t->map, key0(K_S1_OFF, t->walk.regime, t->walk.vmid, t->walk.asid, -1),
                                  t->walk.va >> PAGE_SHIFT);
        if (k) {
            k->seq = t->seq;
            k->s2_leaf = (int8_t)final_leaf;
        }
        learn_s2_walk(t, t->walk.vmid, t->walk.va, -1, final_leaf);
        return;
    }
    t->pending.valid = true;
    t->pending.regime = t->walk.regime;
    t->pending.vmid = t->walk.vmid;
    t->pending.asid = t->walk.asid;
    t->pending.va_page = t->walk.va >> PAGE_SHIFT;
    t->pending.leaf = (int8_t)final_leaf;
}

/* Can WALK record w be the next read of the walk being collected? */
static bool continues_walk(const struct tlbsim_tables *t, const struct trace_record *w)
{
    if (!t->walk.open || t->walk.pe != w->pe || t->walk.n == MAX_WALK_READS || t->walk.regime != w->regime ||
        t->walk.vmid != w->vmid ||
        t->walk.asid != w->asid || t->walk.va != w->va)
        return false;
    const struct walk_read *last = &t->walk.r[t->walk.n - 1];
    if (!(w->flags & TRF_STAGE2))
        return t->walk.last_s1_level < 0 || w->level > t->walk.last_s1_level;
    return !(last->stage2 && w->level <= last->level);
}

static void learn_walk_read(struct tlbsim_tables *t, const struct trace_record *w)
{
    if (w->level < 0 || w->level > 3)
        return;                   /* level -1 needs 52-bit addresses (not in v8.0) */
    if (!continues_walk(t, w)) {
        end_walk(t, WALK_DONE);
        t->walk.open = true;
        t->walk.pe = w->pe;
        t->walk.regime = w->regime % 3;
        t->walk.vmid = w->vmid;
        t->walk.asid = w->asid;
        t->walk.s2_on = (w->flags & TRF_S2_ON) != 0;
        t->walk.va = w->va;
        t->walk.last_s1_level = -1;
        t->walk.n = 0;
        t->last_starts_walk = true;
    }
    struct walk_read *rd = &t->walk.r[t->walk.n++];
    rd->stage2 = (w->flags & TRF_STAGE2) != 0;
    rd->level = w->level;
    rd->ipa = w->ipa;
    rd->pa = w->pa;
    if (!rd->stage2)
        t->walk.last_s1_level = w->level;
}

/* The access after a walk with a final stage-2 walk names the IPA it translated. */
static void learn_access(struct tlbsim_tables *t, const struct trace_record *a)
{
    if (!t->pending.valid)
        return;
    t->pending.valid = false;
    uint64_t first = a->va >> PAGE_SHIFT, n = a->size ? ((a->va + a->size - 1) >> PAGE_SHIFT) - first : 0;
    uint64_t k = t->pending.va_page - first;
    if (a->regime != t->pending.regime || a->vmid != t->pending.vmid || a->asid != t->pending.asid ||
        k > n || !(a->flags & TRF_S2_ON))
        return;
    learn_s2_walk(t, a->vmid, ((a->ipa >> PAGE_SHIFT) + k) << PAGE_SHIFT, -1, t->pending.leaf);
}

/* Exception classes of the aborts a walk can end in (instruction and data
 * aborts from a lower or the same EL). */
static bool is_abort_ec(uint32_t ec)
{
    return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

/* The SMMU's records are no PE's translations (tlbsim_smmu replays them). */
static inline bool smmu_record(const struct trace_record *r)
{
    return r->type == TR_SMMU_XLATE || r->type == TR_SMMU_WALK || r->type == TR_SMMU_EVENT || r->type == TR_SMMU_CMD;
}

void tlbsim_tables_learn(struct tlbsim_tables *t, const struct trace_record *r)
{
    if (smmu_record(r))
        return;                      /* the SMMU works beside the PE: its records end no walk of the PE's */
    t->last_starts_walk = false;
    t->fault.valid = false;
    if (t->walk.open && t->walk.pe != r->pe)
        end_walk(t, WALK_DONE);      /* another PE's record cannot be the abort this walk ended in */
    if (r->type == TR_WALK) {
        learn_walk_read(t, r);
        return;
    }
    enum walk_end how = WALK_DONE;
    if (r->type == TR_EXCEPTION && is_abort_ec(r->ec))
        how = (r->iss >> 7) & 1 ? WALK_FAULT_S1PTW : WALK_FAULT;     /* ISS.S1PTW */
    end_walk(t, how);
    if (t->fault.valid)
        t->fault.at_instruction = (r->ec == 0x24 || r->ec == 0x25) && ((r->iss >> 8) & 1);   /* ISS.CM */
    if ((r->type == TR_BLOCK || r->type == TR_DATA) && !(r->pa == UINT64_MAX && r->ipa == UINT64_MAX))
        learn_access(t, r);
}

void tlbsim_tables_finish(struct tlbsim_tables *t)
{
    end_walk(t, WALK_DONE);
    t->last_starts_walk = false;
    t->fault.valid = false;
}

/* ---- what the tables say about one translation ------------------------------------- */

struct leaf_info {
    bool s1_off;
    int level;                    /* stage-1 leaf level (s1 on) */
    uint16_t asid;                /* the ASID whose walk described it */
    bool global;                  /* used from another ASID than the one that walked it */
    int s2_leaf;                  /* the output IPA's stage-2 leaf level, -1 unknown */
    const struct know *leaf;      /* the leaf descriptor (s1 on) */
};

/* The latest recorded translation of va in the context: a stage-1 leaf
 * (levels 3, 2, 1) or a walk with stage 1 off, whichever is newer. Failing
 * that, in the EL1&0 regime, another ASID's leaf: the live run used that
 * translation from this ASID without walking, so it was global (nG == 0). */
static bool find_leaf(const struct tlbsim_tables *t, unsigned regime, uint16_t vmid, uint16_t asid, uint64_t va,
                      struct leaf_info *li)
{
    const struct know *best = NULL;
    int best_level = 0;
    for (int any = 0; any < 2 && !best; any++) {
        if (any && regime == TLB_REGIME_EL2)
            break;
        for (int level = 3; level >= 1; level--) {
            const struct know *k = kmap_find(&t->map, key0(any ? K_S1_ANY : K_S1, regime, vmid, any ? 0 : asid, level),
                                             va >> level_shift(level));
            if (k && (k->flags & KF_LEAF) && (!best || k->seq > best->seq)) {
                best = k;
                best_level = level;
            }
        }
        if (!any) {
            const struct know *off = kmap_find(&t->map, key0(K_S1_OFF, regime, vmid, asid, -1), va >> PAGE_SHIFT);
            if (off && (!best || off->seq > best->seq)) {
                *li = (struct leaf_info){ .s1_off = true, .asid = asid, .global = true, .s2_leaf = off->s2_leaf };
                return true;
            }
        }
    }
    if (!best)
        return false;
    *li = (struct leaf_info){ .level = best_level, .asid = best->asid, .s2_leaf = best->s2_leaf, .leaf = best,
                              .global = regime == TLB_REGIME_EL2 || best->asid != asid };
    return true;
}

static int start_level(const struct tlbsim_tables *t, uint64_t k0, uint64_t k1)
{
    const struct know *k = kmap_find(&t->map, k0, k1);
    return k ? k->level : -1;
}

static int s2_start_level(const struct tlbsim_tables *t, uint16_t vmid)
{
    return start_level(t, key0(K_S2_START, 0, vmid, 0, -1), 0);
}

/* The stage-2 leaf level for ipa, or -1. */
static int s2_leaf_level(const struct tlbsim_tables *t, uint16_t vmid, uint64_t ipa)
{
    const struct know *best = NULL;
    for (int level = 3; level >= 1; level--) {
        const struct know *k = kmap_find(&t->map, key0(K_S2_LEAF, 0, vmid, 0, level), ipa >> level_shift(level));
        if (k && (!best || k->seq > best->seq))
            best = k;
    }
    return best ? best->level : -1;
}

/* The references of a stage-2 walk ending at `leaf` (-1: unknown, then a default and *approx). */
static unsigned s2_walk_refs(const struct tlbsim_tables *t, uint16_t vmid, int leaf, bool *approx)
{
    int start = s2_start_level(t, vmid);
    if (start < 0) {
        start = 4 - DEFAULT_LEVELS;
        *approx = true;
    }
    if (leaf < 0) {
        leaf = 3;
        *approx = true;
    }
    return leaf >= start ? (unsigned)(leaf - start + 1) : 1;
}

/* ---- the simulator --------------------------------------------------------------------- */

struct ucache_entry {
    uint64_t page, tag, gen;      /* gen 0: empty */
};

struct tlbsim {
    struct tlbsim_options opt;
    struct tlb tlb;               /* L1I, L1D, L2 and walk cache under study */
    struct tlb s2tlb;             /* TLBSIM_S2_SEPARATE: the stage-2 TLB, through the walk-cache API */
    struct tlbsim_tables *tables;
    bool own_tables;
    struct {
        bool valid;
        uint16_t vmid, asid;
    } ctx;                        /* the EL1&0 tags in force */
    struct tlbsim_row *rows;
    size_t nrows, cap, last_row;
    struct tlbsim_counters spill; /* counts of rows that could not be allocated */
    uint64_t ignored;             /* records with impossible contents */
    uint64_t aborted;             /* accesses recorded before an abort (no translation yet) */
    struct ucache_entry ucache[UCACHE_SIZE];
    uint64_t l1_gen[2];           /* changes of the L1 DTLB [0] and ITLB [1] made other than by a hit */
    struct last_hit {             /* per side: the L1 entry of the last lookup, at generation gen */
        uint64_t gen, tag, base, mask;
        const struct tlb_entry *e;
    } last_hit[2], last_s2;       /* last_s2: the stage-2 TLB's, at generation s2_gen (tag: the VMID) */
    uint64_t s2_gen;              /* changes of the stage-2 TLB */
};

void tlbsim_options_init(struct tlbsim_options *o)
{
    *o = (struct tlbsim_options){ .tlb = tlb_config_cortex_a57, .tagged = true, .s2_mode = TLBSIM_S2_COMBINED,
                                  .s2_entries = TLBSIM_S2_ENTRIES_DEFAULT, .infer_untranslated = true };
}

int tlbsim_options_parse(struct tlbsim_options *o, const char *spec, char *err, size_t errlen)
{
    char rest[256];
    size_t used = 0;
    unsigned s2_entries = o->s2_entries;
    if (strlen(spec) >= sizeof rest) {
        snprintf(err, errlen, "TLB configuration too long");
        return -1;
    }
    /* Take s2=N out; tlb_config_parse judges the rest. */
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ",");
        if (len >= 3 && !strncmp(p, "s2=", 3)) {
            char num[16] = "", *end;
            if (len - 3 < sizeof num)
                memcpy(num, p + 3, len - 3);
            unsigned long n = strtoul(num, &end, 10);
            if (len - 3 >= sizeof num || end == num || *end || n == 0 || n > TLBSIM_S2_ENTRIES_MAX) {
                snprintf(err, errlen, "bad value '%.*s' for TLB parameter 's2' (1..%u entries)", (int)(len - 3),
                         p + 3, TLBSIM_S2_ENTRIES_MAX);
                return -1;
            }
            s2_entries = (unsigned)n;
        } else {
            if (used)
                rest[used++] = ',';
            memcpy(rest + used, p, len);
            used += len;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    rest[used] = 0;
    struct tlb_config c = o->tlb;
    if (tlb_config_parse(&c, rest, err, (unsigned)errlen) != 0)
        return -1;
    o->tlb = c;
    o->s2_entries = s2_entries;
    return 0;
}

void tlbsim_options_format(const struct tlbsim_options *o, char *buf, size_t len)
{
    if (!len)
        return;
    tlb_config_format(&o->tlb, buf, len);
    if (o->s2_mode == TLBSIM_S2_SEPARATE) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, ",s2=%u", o->s2_entries);
    }
}

double tlbsim_miss_rate(const struct tlbsim_counters *c)
{
    uint64_t n = tlbsim_lookups(c);
    return n ? (double)c->misses / (double)n : 0.0;
}

double tlbsim_refs_per_walk(const struct tlbsim_counters *c)
{
    return c->walks ? (double)c->walk_refs / (double)c->walks : 0.0;
}

struct tlbsim *tlbsim_new(const struct tlbsim_options *o, struct tlbsim_tables *tables, char *err, size_t errlen)
{
    struct tlbsim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "tlbsim: out of memory");
        return NULL;
    }
    s->opt = *o;
    if (tlb_init(&s->tlb, &o->tlb, NULL, NULL, err, (unsigned)errlen) != 0) {
        free(s);
        return NULL;
    }
    if (o->s2_mode == TLBSIM_S2_SEPARATE) {
        if (o->s2_entries == 0 || o->s2_entries > TLBSIM_S2_ENTRIES_MAX) {
            snprintf(err, errlen, "tlbsim: the stage-2 TLB needs 1..%u entries", TLBSIM_S2_ENTRIES_MAX);
            tlb_destroy(&s->tlb);
            free(s);
            return NULL;
        }
        /* Only its walk-cache array is used: fully associative, LRU, stage-2 TLBI scopes. */
        struct tlb_config c = { .l1i = { 1, 1, TLB_REPL_LRU }, .l1d = { 1, 1, TLB_REPL_LRU },
                                .l2 = { 1, 1, TLB_REPL_LRU }, .walk_cache_entries = o->s2_entries };
        if (tlb_init(&s->s2tlb, &c, NULL, NULL, err, (unsigned)errlen) != 0) {
            tlb_destroy(&s->tlb);
            free(s);
            return NULL;
        }
    }
    s->tables = tables;
    if (!tables) {
        s->tables = tlbsim_tables_new();
        s->own_tables = true;
        if (!s->tables) {
            snprintf(err, errlen, "tlbsim: out of memory");
            tlbsim_free(s);
            return NULL;
        }
    }
    return s;
}

void tlbsim_free(struct tlbsim *s)
{
    if (!s)
        return;
    tlb_destroy(&s->tlb);
    if (s->opt.s2_mode == TLBSIM_S2_SEPARATE)
        tlb_destroy(&s->s2tlb);
    if (s->own_tables)
        tlbsim_tables_free(s->tables);
    free(s->rows);
    free(s);
}

const struct tlbsim_options *tlbsim_options(const struct tlbsim *s)
{
    return &s->opt;
}

const struct tlb *tlbsim_tlb(const struct tlbsim *s)
{
    return &s->tlb;
}

static struct tlbsim_counters *row(struct tlbsim *s, unsigned regime, uint16_t vmid)
{
    regime %= 3;
    if (regime != TLB_REGIME_EL10)
        vmid = 0;
    if (s->nrows && s->rows[s->last_row].regime == regime && s->rows[s->last_row].vmid == vmid)
        return &s->rows[s->last_row].c;
    for (size_t i = 0; i < s->nrows; i++) {
        if (s->rows[i].regime == regime && s->rows[i].vmid == vmid) {
            s->last_row = i;
            return &s->rows[i].c;
        }
    }
    if (s->nrows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct tlbsim_row *rows = realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return &s->spill;
        s->rows = rows;
        s->cap = cap;
    }
    s->rows[s->nrows] = (struct tlbsim_row){ .regime = (enum tlb_regime)regime, .vmid = vmid };
    s->last_row = s->nrows++;
    return &s->rows[s->last_row].c;
}

/* ---- context switches and maintenance -------------------------------------------------- */

static unsigned apply_tlbi(struct tlbsim *s, const struct tlbi_request *rq, bool stage2_tlb_too)
{
    s->l1_gen[0]++;
    s->l1_gen[1]++;
    unsigned n = tlbi(&s->tlb, rq);
    if (stage2_tlb_too && s->opt.s2_mode == TLBSIM_S2_SEPARATE) {
        s->s2_gen++;
        n += tlbi(&s->s2tlb, rq);
    }
    return n;
}

/* The EL1&0 tags change. An untagged TLB cannot tell contexts apart: a new
 * VMID flushes every EL1&0 entry (as TLBI ALLE1, walk caches and the stage-2
 * TLB included), a new ASID the old ASID's non-global entries (as TLBI
 * ASIDE1; the only non-global entries an untagged TLB can hold). */
static void switch_context(struct tlbsim *s, uint16_t vmid, uint16_t asid)
{
    if (s->ctx.valid && s->ctx.vmid == vmid && s->ctx.asid == asid)
        return;
    if (s->ctx.valid && !s->opt.tagged) {
        bool new_vm = s->ctx.vmid != vmid;
        struct tlbi_request rq = { .op = new_vm ? TLBI_ALLE1 : TLBI_ASIDE1, .vmid = s->ctx.vmid,
                                   .asid = s->ctx.asid };
        unsigned n = apply_tlbi(s, &rq, new_vm);
        struct tlbsim_counters *c = row(s, TLB_REGIME_EL10, vmid);
        c->ctx_flushes++;
        c->flushed_entries += n;
    }
    s->ctx.valid = true;
    s->ctx.vmid = vmid;
    s->ctx.asid = asid;
}

static void replay_tlbi(struct tlbsim *s, const struct trace_record *r)
{
    if (r->op > TLBI_VALE2) {
        s->ignored++;
        return;
    }
    struct tlbi_request rq = { .op = (enum tlbi_op)r->op, .vmid = r->vmid, .asid = r->asid, .va = r->va,
                               .ipa = r->ipa };
    bool el2 = rq.op == TLBI_ALLE2 || rq.op == TLBI_VAE2 || rq.op == TLBI_VALE2;
    unsigned n = apply_tlbi(s, &rq, true);
    struct tlbsim_counters *c = row(s, el2 ? TLB_REGIME_EL2 : TLB_REGIME_EL10, el2 ? 0 : r->vmid);
    c->tlbi_ops++;
    c->tlbi_removed += n;
}

/* ---- pages accessed with translation off ------------------------------------------------- */

static struct ucache_entry *ucache_slot(struct tlbsim *s, uint64_t tag, uint64_t page)
{
    return &s->ucache[(page ^ (page >> 8) ^ tag ^ (tag >> 16)) & (UCACHE_SIZE - 1)];
}

static inline uint64_t ctx_tag(unsigned regime, uint16_t vmid, uint16_t asid)
{
    return (uint64_t)regime << 32 | (uint64_t)vmid << 16 | asid;
}

static bool ucache_hit(struct tlbsim *s, unsigned regime, uint16_t vmid, uint16_t asid, uint64_t page)
{
    uint64_t tag = ctx_tag(regime, vmid, asid);
    const struct ucache_entry *u = ucache_slot(s, tag, page);
    return u->gen == s->tables->regime_gen[regime] + 1 && u->page == page && u->tag == tag;
}

static void ucache_put(struct tlbsim *s, unsigned regime, uint16_t vmid, uint16_t asid, uint64_t page)
{
    uint64_t tag = ctx_tag(regime, vmid, asid);
    *ucache_slot(s, tag, page) = (struct ucache_entry){ .page = page, .tag = tag,
                                                        .gen = s->tables->regime_gen[regime] + 1 };
}

/* ---- replayed walks -------------------------------------------------------------------------- */

struct access {
    bool fetch, s2_on;
    unsigned regime;
    uint16_t vmid, asid;
    uint64_t va, ipa, pa;
};

/* The stage-2 translation of a stage-1 descriptor's IPA for the walk (the
 * walk cache, as the live s2_walk_lookup/s2_walk_insert): its references. */
static unsigned table_s2_refs(struct tlbsim *s, uint16_t vmid, const struct know *d, bool *approx)
{
    const struct tlbsim_tables *t = s->tables;
    if (!d) {
        *approx = true;
        return s2_walk_refs(t, vmid, -1, approx);
    }
    if (tlb_s2_lookup(&s->tlb, vmid, d->desc_ipa))
        return 0;
    int leaf = s2_leaf_level(t, vmid, d->desc_ipa);
    unsigned refs = s2_walk_refs(t, vmid, leaf, approx);
    unsigned shift = level_shift(leaf < 0 ? 3 : leaf);
    struct tlb_entry e = { .valid = true, .regime = TLB_REGIME_EL10, .s2 = true, .vmid = vmid,
                           .page_shift = (uint8_t)shift, .va = d->desc_ipa, .ipa = d->desc_ipa,
                           .pa = d->desc_pa };
    tlb_s2_insert(&s->tlb, &e);
    return refs;
}

/* The stage-1 table descriptor read at `level` goes into the walk cache, as
 * the live s1_table_insert does (the next table's address is not needed to
 * count references: left 0). */
static void insert_s1_table(struct tlbsim *s, const struct access *a, int level)
{
    struct tlb_entry e = { .valid = true, .kind = TLB_KIND_S1_TABLE, .level = (uint8_t)level,
                           .regime = (uint8_t)a->regime, .vmid = a->vmid, .asid = a->asid,
                           .page_shift = (uint8_t)level_shift(level), .va = a->va };
    tlb_s1_table_insert(&s->tlb, &e);
}

/* AArch64.S1Translate's table walk as mmu/walk.c's walk() makes it, with the
 * replayed walk cache, down to the descriptor `last` at level `last_level`
 * (the leaf, or for a walk that failed below it, a table: last_is_table):
 * the references of the stage-1 part, stage-2 translations of descriptor
 * addresses included. asid: whose recorded tables describe the walk. */
static unsigned replay_s1_walk(struct tlbsim *s, const struct access *a, uint16_t asid, int last_level,
                               const struct know *last, bool last_is_table, bool *approx)
{
    const struct tlbsim_tables *t = s->tables;
    int start = start_level(t, key0(K_S1_START, a->regime, a->vmid, asid, -1), (a->va >> 55) & 1);
    if (start < 0 || start > last_level) {
        /* Unknown: as far up as the recorded tables reach. */
        start = last_level;
        while (start > 0) {
            const struct know *up = kmap_find(&t->map, key0(K_S1, a->regime, a->vmid, asid, start - 1),
                                              a->va >> level_shift(start - 1));
            if (!up || (up->flags & KF_LEAF))
                break;
            start--;
        }
        *approx = true;
    }
    int first = start;
    const struct tlb_entry *te = tlb_s1_table_lookup(&s->tlb, (enum tlb_regime)a->regime, a->vmid, a->asid, a->va);
    if (te && te->level >= start && te->level < 3)
        first = te->level + 1;    /* resume below the cached table descriptor */
    if (first > last_level)
        first = last_level;
    unsigned refs = 0;
    for (int level = first; level <= last_level; level++) {
        const struct know *d = last;
        if (level < last_level) {
            d = kmap_find(&t->map, key0(K_S1, a->regime, a->vmid, asid, level), a->va >> level_shift(level));
            if (d && (d->flags & KF_LEAF))
                d = NULL;         /* remapped since: the table is unknown */
            if (!d)
                *approx = true;
        }
        if (a->s2_on)
            refs += table_s2_refs(s, a->vmid, d, approx);
        refs++;
        if (level < last_level || last_is_table)
            insert_s1_table(s, a, level);
    }
    return refs;
}

/* Separate mode: looks ipa up in the stage-2 TLB. On a miss, fills it with
 * the stage-2 leaf level *leaf (-1: the tables' answer, returned in *leaf)
 * and returns false: the caller counts the stage-2 walk. */
static bool s2_tlb_access(struct tlbsim *s, struct tlbsim_counters *c, uint16_t vmid, uint64_t ipa, uint64_t pa,
                          int *leaf)
{
    c->s2_lookups++;
    /* As for the L1 (replay_access): the entry the previous lookup hit, if
     * the stage-2 TLB has not changed since, is found again without a search. */
    struct last_hit *lh = &s->last_s2;
    if (lh->e && lh->gen == s->s2_gen && lh->tag == vmid && ((ipa ^ lh->base) & ~lh->mask) == 0) {
        c->s2_hits++;
        return true;
    }
    const struct tlb_entry *e = tlb_s2_lookup(&s->s2tlb, vmid, ipa);
    if (e) {
        *lh = (struct last_hit){ .gen = s->s2_gen, .tag = vmid, .base = e->ipa, .mask = shift_mask(e->page_shift),
                                 .e = e };
        c->s2_hits++;
        return true;
    }
    s->s2_gen++;                  /* an insertion follows */
    c->s2_walks++;
    if (*leaf < 0)
        *leaf = s2_leaf_level(s->tables, vmid, ipa);
    struct tlb_entry ne = { .valid = true, .regime = TLB_REGIME_EL10, .s2 = true, .vmid = vmid,
                            .page_shift = (uint8_t)level_shift(*leaf < 0 ? 3 : *leaf), .va = ipa, .ipa = ipa,
                            .pa = pa };
    tlb_s2_insert(&s->s2tlb, &ne);
    return false;
}

static void count_walk(struct tlbsim *s, struct tlbsim_counters *c, unsigned refs, bool estimated, bool approx)
{
    c->walks++;
    c->walk_refs += refs;
    c->walk_cycles += (uint64_t)refs * s->opt.tlb.walk_access_cycles;
    if (estimated)
        c->estimated_walks++;
    else if (approx)
        c->approx_walks++;
}

/* A miss: the walk (from the tables, or the model walk), then the new entry. */
static void replay_miss(struct tlbsim *s, struct tlbsim_counters *c, const struct access *a, const struct leaf_info *li,
                        bool known)
{
    const struct tlbsim_tables *t = s->tables;
    bool separate = s->opt.s2_mode == TLBSIM_S2_SEPARATE, approx = false;
    unsigned refs, shift, model_s2 = 0;
    bool global;
    int final_leaf;               /* the output IPA's stage-2 leaf level, -1 unknown */
    if (known) {
        refs = li->s1_off ? 0 : replay_s1_walk(s, a, li->asid, li->level, li->leaf, false, &approx);
        shift = li->s1_off ? S1_OFF_SHIFT : level_shift(li->level);
        global = li->s1_off || li->global;
        final_leaf = li->s2_leaf;
        if (final_leaf < 0 && a->s2_on)
            final_leaf = s2_leaf_level(t, a->vmid, a->ipa);
    } else {
        /* The model walk: s1 * (1 + s2) + s2 descriptor reads, no walk cache. */
        int s1_start = start_level(t, key0(K_S1_START, a->regime, a->vmid, a->asid, -1), (a->va >> 55) & 1);
        int s2_start = a->s2_on ? s2_start_level(t, a->vmid) : -1;
        unsigned s1 = s1_start >= 0 ? (unsigned)(4 - s1_start) : DEFAULT_LEVELS;
        model_s2 = a->s2_on ? (s2_start >= 0 ? (unsigned)(4 - s2_start) : DEFAULT_LEVELS) : 0;
        refs = s1 * (1 + model_s2);
        shift = PAGE_SHIFT;
        global = a->regime == TLB_REGIME_EL2;
        final_leaf = 3;
    }
    if (a->s2_on) {
        /* AArch64.S2Translate of the output IPA (separate mode: on a stage-2 TLB miss only). */
        int leaf = final_leaf;
        if (!separate || !s2_tlb_access(s, c, a->vmid, a->ipa, a->pa, &leaf))
            refs += known ? s2_walk_refs(t, a->vmid, leaf, &approx) : model_s2;
        if (!separate && level_shift(final_leaf < 0 ? 3 : final_leaf) < shift)
            shift = level_shift(final_leaf < 0 ? 3 : final_leaf);
    }
    count_walk(s, c, refs, !known, approx);

    uint64_t m = ~shift_mask(shift);
    struct tlb_entry e = { .valid = true, .kind = TLB_KIND_LEAF, .regime = (uint8_t)a->regime, .global = global,
                           .s2 = a->s2_on && !separate, .asid = a->asid, .vmid = a->vmid,
                           .page_shift = (uint8_t)shift, .perm_el0 = 7, .perm_el1 = 7, .va = a->va & m,
                           .ipa = a->ipa & m, .pa = (separate ? a->ipa : a->pa) & m };
    tlb_insert(&s->tlb, a->fetch, &e);
}

/* One TLB access: one page of a BLOCK or DATA record. */
static void replay_access(struct tlbsim *s, struct tlbsim_counters *c, const struct access *a)
{
    if (a->fetch)
        c->fetches++;
    else
        c->data++;
    bool maybe_off = s->opt.infer_untranslated && !a->s2_on && a->va == a->pa;
    uint64_t page = a->va >> PAGE_SHIFT;
    if (maybe_off && ucache_hit(s, a->regime, a->vmid, a->asid, page)) {
        c->untranslated++;
        return;
    }
    /* The L1 entry this side's previous lookup ended on, when nothing has
     * changed that L1 since: tlb_lookup would find it first and only renew
     * its LRU stamp, already the newest of the L1, so the hit is counted here
     * (in the model's statistics too) without the search. */
    struct last_hit *lh = &s->last_hit[a->fetch];
    uint64_t tag = ctx_tag(a->regime, a->vmid, a->asid);
    unsigned level = 1;
    const struct tlb_entry *e;
    if (lh->e && lh->gen == s->l1_gen[a->fetch] && lh->tag == tag && ((a->va ^ lh->base) & ~lh->mask) == 0) {
        e = lh->e;
        s->tlb.stats.lookups++;
        s->tlb.stats.l1_hits++;
    } else {
        e = tlb_lookup(&s->tlb, a->fetch, (enum tlb_regime)a->regime, a->vmid, a->asid, a->va, &level);
        if (!e || level != 1)
            s->l1_gen[a->fetch]++;            /* an L2 refill or a miss changes this side's L1 */
        *lh = (struct last_hit){ .gen = s->l1_gen[a->fetch], .tag = tag, .e = e };
        if (e) {
            lh->base = e->va;
            lh->mask = shift_mask(e->page_shift);
        }
    }
    if (e) {
        if (level == 1) {
            c->l1_hits++;
        } else {
            c->l2_hits++;
            c->walk_cycles += s->opt.tlb.l2_hit_cycles;
        }
        if (s->opt.s2_mode == TLBSIM_S2_SEPARATE && a->s2_on) {
            uint64_t ipa = e->ipa | (a->va & shift_mask(e->page_shift));
            int leaf = -1;
            bool approx = false;
            if (!s2_tlb_access(s, c, a->vmid, ipa, a->pa, &leaf))
                count_walk(s, c, s2_walk_refs(s->tables, a->vmid, leaf, &approx), false, approx);
        }
        return;
    }
    struct leaf_info li;
    bool known = find_leaf(s->tables, a->regime, a->vmid, a->asid, a->va, &li);
    if (!known && maybe_off) {
        c->untranslated++;
        ucache_put(s, a->regime, a->vmid, a->asid, page);
        return;
    }
    c->misses++;
    replay_miss(s, c, a, &li, known);
}

static void replay_record(struct tlbsim *s, const struct trace_record *r, bool fetch)
{
    struct access a = { .fetch = fetch, .regime = r->regime % 3 };
    if (a.regime == TLB_REGIME_EL20)
        a.asid = r->asid;                     /* (VMID 0) */
    if (a.regime == TLB_REGIME_EL10) {
        a.vmid = r->vmid;
        a.asid = r->asid;
        a.s2_on = (r->flags & TRF_S2_ON) != 0;
        switch_context(s, a.vmid, a.asid);
    }
    struct tlbsim_counters *c = row(s, a.regime, a.vmid);
    uint64_t size = r->size ? r->size : 1;
    uint64_t first = r->va >> PAGE_SHIFT;
    uint64_t last = r->va + size - 1 < r->va ? UINT64_MAX >> PAGE_SHIFT : (r->va + size - 1) >> PAGE_SHIFT;
    if (last - first >= MAX_PAGES_PER_RECORD) {
        s->ignored++;
        last = first + MAX_PAGES_PER_RECORD - 1;
    }
    for (uint64_t p = first;; p++) {
        uint64_t delta = p == first ? 0 : (p << PAGE_SHIFT) - r->va;
        a.va = r->va + delta;
        a.ipa = r->ipa + delta;
        a.pa = r->pa + delta;
        replay_access(s, c, &a);
        if (p == last)
            break;
    }
}

/* A recorded walk that ended in an abort: no TLB configuration avoids it
 * (nothing valid can be cached for it). Replayed like a miss's walk down to
 * its last stage-1 read (filling the walk cache as the live walk did), plus
 * the reads of the stage-2 walk that failed, if that is what failed. The
 * walk of an AT instruction (the abort's ISS.CM set) changes the walk cache
 * but is not a TLB walk, and is not counted. */
static void replay_fault_walk(struct tlbsim *s)
{
    const __typeof__(s->tables->fault) *f = &s->tables->fault;
    struct access a = { .regime = f->regime, .vmid = f->regime != TLB_REGIME_EL10 ? 0 : f->vmid,
                        .asid = f->regime == TLB_REGIME_EL2 ? 0 : f->asid, .s2_on = f->s2_on, .va = f->va };
    struct tlbsim_counters *c = row(s, a.regime, a.vmid);
    bool approx = false;
    unsigned refs = f->trailing_s2;
    if (f->last.level >= 0) {
        struct know last = { .desc_ipa = f->last.ipa, .desc_pa = f->last.pa };
        refs += replay_s1_walk(s, &a, a.asid, f->last.level, &last, f->last_is_table, &approx);
    }
    if (f->at_instruction)
        return;                   /* not a TLB walk: the live model does not count it either */
    c->fault_walks++;
    count_walk(s, c, refs, false, approx);
}

/* An access the live run recorded before its translation existed: Unicorn
 * aborted it, the walk follows, and the instruction runs (and is recorded) again. */
static inline bool aborted_attempt(const struct trace_record *r)
{
    return r->pa == UINT64_MAX && r->ipa == UINT64_MAX;
}

void tlbsim_feed(struct tlbsim *s, const struct trace_record *r)
{
    if (s->own_tables)
        tlbsim_tables_learn(s->tables, r);
    switch (r->type) {
    case TR_BLOCK:
    case TR_DATA:
        if (aborted_attempt(r))
            s->aborted++;
        else
            replay_record(s, r, r->type == TR_BLOCK);
        break;
    case TR_TLBI:
        replay_tlbi(s, r);
        break;
    case TR_CONTEXT:
        row(s, TLB_REGIME_EL10, r->vmid);
        switch_context(s, r->vmid, r->asid);
        break;
    case TR_EXCEPTION:
        if (s->tables->fault.valid)
            replay_fault_walk(s);
        break;
    case TR_WALK: {
        struct tlbsim_counters *c = row(s, r->regime, r->regime != TLB_REGIME_EL10 ? 0 : r->vmid);
        c->recorded_refs++;
        if (s->tables->last_starts_walk)
            c->recorded_walks++;
        break;
    }
    default:
        break;
    }
}

void tlbsim_finish(struct tlbsim *s)
{
    if (s->own_tables)
        tlbsim_tables_finish(s->tables);
}

/* ---- results ------------------------------------------------------------------------------- */

static int row_order(const void *a, const void *b)
{
    const struct tlbsim_row *x = a, *y = b;
    if (x->regime != y->regime)
        return x->regime < y->regime ? -1 : 1;
    return x->vmid < y->vmid ? -1 : x->vmid > y->vmid;
}

size_t tlbsim_row_count(const struct tlbsim *s)
{
    return s->nrows;
}

size_t tlbsim_get_rows(const struct tlbsim *s, struct tlbsim_row *out, size_t max)
{
    if (max >= s->nrows) {
        memcpy(out, s->rows, s->nrows * sizeof *out);
        qsort(out, s->nrows, sizeof *out, row_order);
        return s->nrows;
    }
    struct tlbsim_row *all = malloc((s->nrows ? s->nrows : 1) * sizeof *all);
    if (!all)
        return s->nrows;
    memcpy(all, s->rows, s->nrows * sizeof *all);
    qsort(all, s->nrows, sizeof *all, row_order);
    memcpy(out, all, max * sizeof *out);
    free(all);
    return s->nrows;
}

struct tlbsim_counters tlbsim_row_counters(const struct tlbsim *s, enum tlb_regime regime, uint16_t vmid)
{
    if (regime != TLB_REGIME_EL10)
        vmid = 0;
    for (size_t i = 0; i < s->nrows; i++)
        if (s->rows[i].regime == regime && s->rows[i].vmid == vmid)
            return s->rows[i].c;
    return (struct tlbsim_counters){ 0 };
}

static void add_counters(struct tlbsim_counters *t, const struct tlbsim_counters *c)
{
    /* Every field is a uint64_t counter. */
    uint64_t *d = (uint64_t *)t;
    const uint64_t *x = (const uint64_t *)c;
    for (size_t i = 0; i < sizeof *t / sizeof(uint64_t); i++)
        d[i] += x[i];
}

struct tlbsim_counters tlbsim_total(const struct tlbsim *s)
{
    struct tlbsim_counters t = s->spill;
    for (size_t i = 0; i < s->nrows; i++)
        add_counters(&t, &s->rows[i].c);
    return t;
}

/* ---- one simulator per PE ------------------------------------------------------------------ */

struct tlbsim_pe_tables {
    struct tlbsim_tables *pe[TRACE_PES_MAX];   /* NULL: no record of that PE yet */
    bool failed;
};

struct tlbsim_pe_tables *tlbsim_pe_tables_new(void)
{
    return calloc(1, sizeof(struct tlbsim_pe_tables));
}

void tlbsim_pe_tables_free(struct tlbsim_pe_tables *pt)
{
    if (!pt)
        return;
    for (unsigned i = 0; i < TRACE_PES_MAX; i++)
        tlbsim_tables_free(pt->pe[i]);
    free(pt);
}

struct tlbsim_tables *tlbsim_pe_tables_of(struct tlbsim_pe_tables *pt, uint32_t pe)
{
    if (pe >= TRACE_PES_MAX)
        return NULL;
    if (!pt->pe[pe] && !(pt->pe[pe] = tlbsim_tables_new()))
        pt->failed = true;
    return pt->pe[pe];
}

void tlbsim_pe_tables_learn(struct tlbsim_pe_tables *pt, const struct trace_record *r)
{
    if (smmu_record(r))
        return;
    struct tlbsim_tables *t = tlbsim_pe_tables_of(pt, r->pe);
    if (t)
        tlbsim_tables_learn(t, r);
}

void tlbsim_pe_tables_finish(struct tlbsim_pe_tables *pt)
{
    for (unsigned i = 0; i < TRACE_PES_MAX; i++)
        if (pt->pe[i])
            tlbsim_tables_finish(pt->pe[i]);
}

struct tlbsim_smp {
    struct tlbsim_options opt;
    struct tlbsim_pe_tables *tables;
    bool own_tables;
    struct tlbsim *pe[TRACE_PES_MAX];   /* NULL: no record of that PE yet (its TLB is empty) */
    unsigned npes;                      /* highest PE seen + 1 (at least 1) */
    bool failed;                        /* a simulator could not be allocated */
};

struct tlbsim_smp *tlbsim_smp_new(const struct tlbsim_options *o, struct tlbsim_pe_tables *tables, char *err,
                                  size_t errlen)
{
    struct tlbsim_smp *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->opt = *o;
    m->tables = tables;
    if (!tables) {
        m->tables = tlbsim_pe_tables_new();
        m->own_tables = true;
    }
    m->npes = 1;
    struct tlbsim_tables *t0 = m->tables ? tlbsim_pe_tables_of(m->tables, 0) : NULL;
    if (!t0) {
        snprintf(err, errlen, "out of memory");
        tlbsim_smp_free(m);
        return NULL;
    }
    m->pe[0] = tlbsim_new(o, t0, err, errlen);
    if (!m->pe[0]) {
        tlbsim_smp_free(m);
        return NULL;
    }
    return m;
}

void tlbsim_smp_free(struct tlbsim_smp *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < TRACE_PES_MAX; i++)
        tlbsim_free(m->pe[i]);
    if (m->own_tables)
        tlbsim_pe_tables_free(m->tables);
    free(m);
}

/* The simulator of PE pe, made on its first record (same options as PE 0's, which were checked). */
static struct tlbsim *smp_pe(struct tlbsim_smp *m, uint32_t pe)
{
    if (pe >= TRACE_PES_MAX)
        return NULL;
    if (!m->pe[pe]) {
        char err[256];
        struct tlbsim_tables *t = tlbsim_pe_tables_of(m->tables, pe);
        m->pe[pe] = t ? tlbsim_new(&m->opt, t, err, sizeof err) : NULL;
        if (!m->pe[pe]) {
            m->failed = true;
            return NULL;
        }
    }
    if (pe + 1 > m->npes)
        m->npes = pe + 1;
    return m->pe[pe];
}

void tlbsim_smp_feed(struct tlbsim_smp *m, const struct trace_record *r)
{
    if (m->own_tables)
        tlbsim_pe_tables_learn(m->tables, r);
    if (smmu_record(r))
        return;                      /* no PE's TLB (an SMMU record names the PE that kicked the device) */
    struct tlbsim *s = smp_pe(m, r->pe);
    if (!s)
        return;
    tlbsim_feed(s, r);
    /* An Inner Shareable TLBI reaches every PE's TLB (PEs without a record yet have nothing to drop). */
    if (r->type == TR_TLBI && (r->flags & TRF_TLBI_IS))
        for (unsigned i = 0; i < m->npes; i++)
            if (i != r->pe && m->pe[i])
                tlbsim_feed(m->pe[i], r);
}

void tlbsim_smp_finish(struct tlbsim_smp *m)
{
    if (m->own_tables)
        tlbsim_pe_tables_finish(m->tables);
}
unsigned tlbsim_smp_pes(const struct tlbsim_smp *m)
{
    return m->npes;
}

const struct tlbsim *tlbsim_smp_pe(const struct tlbsim_smp *m, unsigned pe)
{
    return pe < TRACE_PES_MAX ? m->pe[pe] : NULL;
}

bool tlbsim_smp_failed(const struct tlbsim_smp *m)
{
    return m->failed || m->tables->failed;
}

size_t tlbsim_smp_get_rows(const struct tlbsim_smp *m, struct tlbsim_row *out, size_t max)
{
    if (m->npes == 1)
        return tlbsim_get_rows(m->pe[0], out, max);
    /* Rows of every PE merged by (regime, VMID), in report order. */
    size_t n = 0;
    for (unsigned i = 0; i < m->npes; i++) {
        const struct tlbsim *s = m->pe[i];
        if (!s)
            continue;
        for (size_t k = 0; k < s->nrows; k++) {
            size_t j = 0;
            while (j < n && (out[j].regime != s->rows[k].regime || out[j].vmid != s->rows[k].vmid))
                j++;
            if (j == n) {
                if (n == max) {
                    n = max + 1;         /* too small: the caller asks tlbsim_smp_row_count */
                    break;
                }
                out[n].regime = s->rows[k].regime;
                out[n].vmid = s->rows[k].vmid;
                memset(&out[n].c, 0, sizeof out[n].c);
                n++;
            }
            add_counters(&out[j].c, &s->rows[k].c);
        }
        if (n > max)
            return tlbsim_smp_row_count(m);
    }
    qsort(out, n, sizeof *out, row_order);
    return n;
}

size_t tlbsim_smp_row_count(const struct tlbsim_smp *m)
{
    /* At most the sum of the PEs' rows. */
    size_t n = 0;
    for (unsigned i = 0; i < m->npes; i++)
        if (m->pe[i])
            n += m->pe[i]->nrows;
    return n;
}

struct tlbsim_counters tlbsim_smp_total(const struct tlbsim_smp *m)
{
    struct tlbsim_counters t = { 0 };
    for (unsigned i = 0; i < m->npes; i++) {
        if (m->pe[i]) {
            struct tlbsim_counters c = tlbsim_total(m->pe[i]);
            add_counters(&t, &c);
        }
    }
    return t;
}

/* ---- the SMMU's TLB (see tlbsim.h) --------------------------------------------------------- */

/* As smmu_default_tlb (smmu/smmu.c), which a tool without the SMMU model cannot take from it. */
const struct tlb_config tlbsim_smmu_default_tlb = {
    .l1i = { .entries = 16, .ways = 16, .repl = TLB_REPL_LRU },
    .l1d = { .entries = 32, .ways = 32, .repl = TLB_REPL_LRU },
    .l2 = { .entries = 512, .ways = 4, .repl = TLB_REPL_LRU },
    .walk_cache_entries = 128,
    .l2_hit_cycles = 8,
    .walk_access_cycles = 20,
};

/* STE.Config values (smmu/smmu.h, SMMU_STE_CONFIG_*), and the commands replayed (IHI 0070, 4.4). */
enum { CONFIG_BYPASS = 4, CONFIG_S1 = 5, CONFIG_S2 = 6, CONFIG_NESTED = 7 };
enum {
    CMD_TLBI_NH_ALL = 0x10, CMD_TLBI_NH_ASID = 0x11, CMD_TLBI_NH_VA = 0x12, CMD_TLBI_NH_VAA = 0x13,
    CMD_TLBI_EL2_ALL = 0x20, CMD_TLBI_EL2_ASID = 0x21, CMD_TLBI_EL2_VA = 0x22, CMD_TLBI_EL2_VAA = 0x23,
    CMD_TLBI_S12_VMALL = 0x28, CMD_TLBI_S2_IPA = 0x2a, CMD_TLBI_NSNH_ALL = 0x30,
};
#define K_SMMU_WALK 0x7f          /* a know_kind of the SMMU's own: refs of the last recorded walk of a page */
#define SMMU_MODEL_REFS_ONE_STAGE 4u
#define SMMU_MODEL_REFS_NESTED 24u    /* 4 stage-1 reads, each and the output translated by 4 stage-2 reads */

struct tlbsim_smmu {
    struct tlb tlb;
    struct kmap walks;            /* (path, page_shift, vmid, asid, page) -> descriptor reads of its last walk */
    struct tlbsim_smmu_row *rows;
    size_t nrows, cap, last_row;
    struct tlbsim_smmu_counters total;
    uint64_t tlbi_ops, tlbi_removed;
};

struct tlbsim_smmu *tlbsim_smmu_new(const struct tlb_config *cfg, char *err, size_t errlen)
{
    struct tlbsim_smmu *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (tlb_init(&s->tlb, cfg, NULL, NULL, err, (unsigned)errlen) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void tlbsim_smmu_free(struct tlbsim_smmu *s)
{
    if (!s)
        return;
    tlb_destroy(&s->tlb);
    free(s->walks.slot);
    free(s->rows);
    free(s);
}

const struct tlb *tlbsim_smmu_tlb(const struct tlbsim_smmu *s)
{
    return &s->tlb;
}

/* The row of a StreamID (made on first use); NULL when out of memory (then only the total counts). */
static struct tlbsim_smmu_counters *smmu_row(struct tlbsim_smmu *s, uint32_t sid)
{
    if (s->last_row < s->nrows && s->rows[s->last_row].sid == sid)
        return &s->rows[s->last_row].c;
    for (size_t i = 0; i < s->nrows; i++)
        if (s->rows[i].sid == sid) {
            s->last_row = i;
            return &s->rows[i].c;
        }
    if (s->nrows == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct tlbsim_smmu_row *n = realloc(s->rows, cap * sizeof *n);
        if (!n)
            return NULL;
        s->rows = n;
        s->cap = cap;
    }
    s->rows[s->nrows] = (struct tlbsim_smmu_row){ .sid = sid };
    s->last_row = s->nrows;
    return &s->rows[s->nrows++].c;
}

/* Adds to a StreamID's row and the total alike. */
#define SMMU_COUNT(s, row, field, n)                                                                            \
    do {                                                                                                        \
        (s)->total.field += (n);                                                                                \
        if (row)                                                                                                \
            (row)->field += (n);                                                                                \
    } while (0)

static inline uint64_t smmu_walk_key(bool s2_only, unsigned page_shift, uint16_t vmid, uint16_t asid)
{
    return (uint64_t)K_SMMU_WALK << 56 | (uint64_t)s2_only << 52 | (uint64_t)(page_shift & 0x3f) << 40 |
           (uint64_t)vmid << 16 | asid;
}

/* One translated transaction: the replayed TLB's lookup, a miss's walk and insertion. */
static void smmu_replay_xlate(struct tlbsim_smmu *s, struct tlbsim_smmu_counters *row, const struct trace_record *r)
{
    bool s2_only = r->config == CONFIG_S2;
    bool walked = !(r->flags & TRF_SMMU_HIT);
    unsigned shift = r->page_shift < 12 ? 12 : r->page_shift > 42 ? 42 : r->page_shift;
    uint64_t k0 = smmu_walk_key(s2_only, shift, r->vmid, r->asid), k1 = r->va >> shift;
    if (walked) {
        SMMU_COUNT(s, row, recorded_walks, 1);
        SMMU_COUNT(s, row, recorded_refs, r->walk_refs);
        struct know *k = kmap_get(&s->walks, k0, k1);
        if (k)
            k->desc_pa = r->walk_refs;
    } else {
        SMMU_COUNT(s, row, recorded_hits, 1);
    }
    SMMU_COUNT(s, row, lookups, 1);
    unsigned level = 1;
    const struct tlb_entry *e;
    if (s2_only) {
        e = tlb_s2_lookup(&s->tlb, r->vmid, r->va);
        s->tlb.stats.lookups++;
        if (e)
            s->tlb.stats.l1_hits++;
        else
            s->tlb.stats.misses++;
    } else {
        e = tlb_lookup(&s->tlb, false, TLB_REGIME_EL10, r->vmid, r->asid, r->va, &level);
    }
    if (e) {
        if (level == 1)
            SMMU_COUNT(s, row, l1_hits, 1);
        else
            SMMU_COUNT(s, row, l2_hits, 1);
        return;
    }
    SMMU_COUNT(s, row, misses, 1);
    const struct know *k = kmap_find(&s->walks, k0, k1);
    if (k) {
        SMMU_COUNT(s, row, walk_refs, k->desc_pa);
    } else {
        SMMU_COUNT(s, row, estimated_walks, 1);
        SMMU_COUNT(s, row, walk_refs, r->config == CONFIG_NESTED ? SMMU_MODEL_REFS_NESTED : SMMU_MODEL_REFS_ONE_STAGE);
    }
    uint64_t m = ~shift_mask(shift);
    struct tlb_entry te = { .valid = true, .kind = TLB_KIND_LEAF, .regime = TLB_REGIME_EL10, .global = s2_only,
                            .s2 = r->config != CONFIG_S1, .vmid = r->vmid, .asid = s2_only ? 0 : r->asid,
                            .page_shift = (uint8_t)shift, .perm_el0 = 7, .perm_el1 = 7,
                            .va = r->va & m, .ipa = (s2_only ? r->va : r->ipa) & m, .pa = r->pa & m };
    if (s2_only)
        tlb_s2_insert(&s->tlb, &te);
    else
        tlb_insert(&s->tlb, false, &te);
}

/* A TLBI command (IHI 0070, 4.4): VMID in word 0 [47:32], ASID [63:48]; Leaf in
 * word 1 bit 0, the VA in [63:12] (NH, EL2) or the IPA in [51:12] (S2_IPA). */
static void smmu_replay_tlbi(struct tlbsim_smmu *s, const struct trace_record *r)
{
    uint16_t vmid = (uint16_t)(r->arg >> 32), asid = (uint16_t)(r->arg >> 48);
    bool leaf = r->arg2 & 1;
    uint64_t va = r->arg2 & ~UINT64_C(0xfff), ipa = r->arg2 & UINT64_C(0x000ffffffffff000);
    struct tlbi_request q[2];
    unsigned n = 1;
    switch (r->op) {
    case CMD_TLBI_NH_ALL: q[0] = (struct tlbi_request){ .op = TLBI_VMALLE1, .vmid = vmid }; break;
    case CMD_TLBI_NH_ASID: q[0] = (struct tlbi_request){ .op = TLBI_ASIDE1, .vmid = vmid, .asid = asid }; break;
    case CMD_TLBI_NH_VA:
        q[0] = (struct tlbi_request){ .op = leaf ? TLBI_VALE1 : TLBI_VAE1, .vmid = vmid, .asid = asid, .va = va };
        break;
    case CMD_TLBI_NH_VAA:
        q[0] = (struct tlbi_request){ .op = leaf ? TLBI_VAALE1 : TLBI_VAAE1, .vmid = vmid, .va = va };
        break;
    case CMD_TLBI_EL2_ALL: q[0] = (struct tlbi_request){ .op = TLBI_ALLE2 }; break;
    case CMD_TLBI_EL2_ASID: q[0] = (struct tlbi_request){ .op = TLBI_ASIDE1, .asid = asid, .host = true }; break;
    case CMD_TLBI_EL2_VA:
        q[0] = (struct tlbi_request){ .op = leaf ? TLBI_VALE2 : TLBI_VAE2, .asid = asid, .va = va };
        break;
    case CMD_TLBI_EL2_VAA:
        q[0] = (struct tlbi_request){ .op = leaf ? TLBI_VAALE1 : TLBI_VAAE1, .va = va, .host = true };
        q[1] = (struct tlbi_request){ .op = leaf ? TLBI_VALE2 : TLBI_VAE2, .va = va };
        n = 2;
        break;
    case CMD_TLBI_S12_VMALL: q[0] = (struct tlbi_request){ .op = TLBI_VMALLS12E1, .vmid = vmid }; break;
    case CMD_TLBI_S2_IPA:
        q[0] = (struct tlbi_request){ .op = leaf ? TLBI_IPAS2LE1 : TLBI_IPAS2E1, .vmid = vmid, .ipa = ipa };
        break;
    case CMD_TLBI_NSNH_ALL: q[0] = (struct tlbi_request){ .op = TLBI_ALLE1 }; break;
    default:
        return;                   /* not a TLB invalidation */
    }
    s->tlbi_ops++;
    for (unsigned i = 0; i < n; i++)
        s->tlbi_removed += tlbi(&s->tlb, &q[i]);
}

void tlbsim_smmu_feed(struct tlbsim_smmu *s, const struct trace_record *r)
{
    switch (r->type) {
    case TR_SMMU_XLATE: {
        struct tlbsim_smmu_counters *row = smmu_row(s, r->sid);
        SMMU_COUNT(s, row, transactions, 1);
        SMMU_COUNT(s, row, bytes, r->size);
        bool translating = r->config == CONFIG_S1 || r->config == CONFIG_S2 || r->config == CONFIG_NESTED;
        /* A translated miss reads at least its leaf descriptor: no hit and no read was not looked up. */
        if (!translating || (!(r->flags & TRF_SMMU_HIT) && r->walk_refs == 0))
            SMMU_COUNT(s, row, bypassed, 1);
        else
            smmu_replay_xlate(s, row, r);
        break;
    }
    case TR_SMMU_EVENT: {
        struct tlbsim_smmu_counters *row = smmu_row(s, r->sid);
        SMMU_COUNT(s, row, faults, 1);
        break;
    }
    case TR_SMMU_CMD:
        smmu_replay_tlbi(s, r);
        break;
    default:
        break;
    }
}

static int smmu_row_order(const void *a, const void *b)
{
    const struct tlbsim_smmu_row *x = a, *y = b;
    return (x->sid > y->sid) - (x->sid < y->sid);
}

size_t tlbsim_smmu_row_count(const struct tlbsim_smmu *s)
{
    return s->nrows;
}

size_t tlbsim_smmu_get_rows(const struct tlbsim_smmu *s, struct tlbsim_smmu_row *out, size_t max)
{
    struct tlbsim_smmu_row *all = malloc((s->nrows ? s->nrows : 1) * sizeof *all);
    if (!all)
        return s->nrows;
    memcpy(all, s->rows, s->nrows * sizeof *all);
    qsort(all, s->nrows, sizeof *all, smmu_row_order);
    memcpy(out, all, (max < s->nrows ? max : s->nrows) * sizeof *out);
    free(all);
    return s->nrows;
}

struct tlbsim_smmu_counters tlbsim_smmu_total(const struct tlbsim_smmu *s)
{
    return s->total;
}

uint64_t tlbsim_smmu_tlbi_ops(const struct tlbsim_smmu *s)
{
    return s->tlbi_ops;
}

uint64_t tlbsim_smmu_tlbi_removed(const struct tlbsim_smmu *s)
{
    return s->tlbi_removed;
}

double tlbsim_smmu_hit_rate(const struct tlbsim_smmu_counters *c)
{
    return c->lookups ? (double)(c->l1_hits + c->l2_hits) / (double)c->lookups : 0.0;
}
