/* The TLB model (see tlb.h).
 *
 * Organisation
 *   L1I, L1D and L2 hold combined (stage 1, or stage 1+2) last-level
 *   translations; the walk cache holds stage-2-only IPA -> PA entries. Each
 *   structure keeps its own copy of an entry (with its own replacement stamp):
 *   an entry inserted by tlb_insert lives in one L1 and in the L2, an L2 hit
 *   copies the L2 entry into the L1 of the access side.
 *
 * Set indexing of set-associative levels
 *   As real designs do, an entry is placed in the set chosen by the VA bits
 *   just above its own page size: set = (va[55:0] >> page_shift) & (sets - 1).
 *   A lookup therefore probes once per page size that may be present in the
 *   level; each level keeps a bitmask of those sizes (a superset: bits are set
 *   on insertion and recomputed whenever a whole-structure scan happens), so
 *   the common single-size case costs one probe. Fully associative levels have
 *   one set and are probed once. Bits 63:56 do not take part in indexing, so
 *   a TLBI, whose operand carries VA[55:12] only, finds the same set.
 *
 * Matching
 *   An entry matches a lookup when it is valid, of the same regime, the VA
 *   falls in [e->va, e->va + 2^page_shift) and, for the EL1&0 regime,
 *   e->vmid == vmid and (e->global || e->asid == asid). EL2-regime entries
 *   (non-VHE: one privilege level, no ASID) match on the regime and VA only.
 *   TLBI by VA compares VA[55:12] only (the operand has no bits 63:56).
 *
 * Insertion
 *   tlb_insert writes the entry to the L1 of its side and to the L2. In each
 *   structure written, existing entries that overlap it (same regime, ranges
 *   intersect, for EL1&0 same VMID and an ASID for which both would match)
 *   are removed first, so that a lookup never has two candidates. The other
 *   L1 is left alone (a stale copy there is what the architecture permits
 *   after a break-before-make violation). Then an invalid way of the set is
 *   used, or a victim chosen by the level's policy:
 *     LRU    smallest stamp; stamps are renewed on insertion and on each hit
 *            in that structure (an L1 hit does not touch the L2 copy);
 *     FIFO   smallest stamp; stamps are set on insertion only;
 *     RANDOM a way drawn from a xorshift64 generator seeded with a constant,
 *            so runs are reproducible.
 *   The walk cache is fully associative with LRU replacement (the config has
 *   no policy for it). Entries with page_shift outside 12..42 are not cached.
 *
 * Leaving the model
 *   on_drop is called for every entry copy that leaves any structure: capacity
 *   victims, entries replaced by an overlapping insertion (both counted in
 *   stats.evictions) and entries removed by tlbi() (stats.invalidated; tlbi()
 *   returns the number of copies it removed, so an entry present in L1D and L2
 *   counts twice). Hence on_drop calls == evictions + invalidated. on_drop must
 *   not call back into the TLB. tlb_destroy does not call on_drop.
 *
 * Statistics
 *   lookups/l1_hits/l2_hits/misses count tlb_lookup calls only (the walk
 *   cache is not a TLB level from the guest's point of view); fills counts
 *   tlb_insert and tlb_s2_insert calls that cached something (an L1 refill
 *   from the L2 is an l2_hit, not a fill).
 */
#include "mmu/tlb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLB_MIN_SHIFT 12
#define TLB_MAX_SHIFT 42
#define VA56_MASK ((UINT64_C(1) << 56) - 1)
#define RNG_SEED UINT64_C(0x9E3779B97F4A7C15)

const struct tlb_config tlb_config_cortex_a57 = {
    .l1i = { .entries = 48, .ways = 48, .repl = TLB_REPL_LRU },
    .l1d = { .entries = 32, .ways = 32, .repl = TLB_REPL_LRU },
    .l2 = { .entries = 1024, .ways = 4, .repl = TLB_REPL_LRU },
    .walk_cache_entries = 64,
    .l2_hit_cycles = 8,
    .walk_access_cycles = 20,
};

struct tlb_level {
    unsigned entries, ways, sets;
    enum tlb_repl repl;
    uint64_t shifts;              /* bit s: an entry with page_shift s may be present */
    /* Beside each entry, what scans read first (8 bytes per way instead of an
     * entry each): its VA | page_shift (0: invalid), and its replacement stamp. */
    uint64_t *key, *stamp;
    /* A summary for the scans of fully associative levels: valid 4 KiB entries
     * per bucket of pages, and the keys of the larger ones (beyond eight of
     * them, TLB_BIG_KEYS, every lookup scans). */
    uint16_t page_cnt[256];
    unsigned n_big;
    uint64_t big_key[8];
    /* A fully associative LRU level also keeps its ways in recency order (a
     * list through lru_prev/lru_next, least recent first, free ways before
     * all): the victim is the head, without a scan of the stamps. */
    uint32_t *lru_prev, *lru_next;
    uint32_t lru_head, lru_tail;
    struct tlb_entry e[];         /* set s occupies e[s * ways .. s * ways + ways - 1] */
};

static inline uint64_t key_of(const struct tlb_entry *e) { return e->va | e->page_shift; }
static inline uint64_t key_va(uint64_t k) { return k & ~UINT64_C(0xfff); }
static inline unsigned key_shift(uint64_t k) { return (unsigned)(k & 63); }

static inline unsigned page_bucket(uint64_t va)
{
    /* Multiplicative hashing: neighbouring pages (a sequential sweep, a level
     * full of consecutive pages) land in unrelated buckets. */
    uint64_t p = (va & VA56_MASK) >> TLB_MIN_SHIFT;
    return (unsigned)((p * UINT64_C(0x9E3779B97F4A7C15)) >> 56);
}

#define TLB_BIG_KEYS 8
static inline bool in_range(uint64_t base, unsigned shift, uint64_t addr);

static void summary_add(struct tlb_level *l, uint64_t k)
{
    if (key_shift(k) == TLB_MIN_SHIFT) {
        l->page_cnt[page_bucket(key_va(k))]++;
        return;
    }
    if (l->n_big < TLB_BIG_KEYS)
        l->big_key[l->n_big] = k;
    l->n_big++;
}

static void summary_del(struct tlb_level *l, uint64_t k)
{
    if (key_shift(k) == TLB_MIN_SHIFT) {
        l->page_cnt[page_bucket(key_va(k))]--;
        return;
    }
    if (l->n_big <= TLB_BIG_KEYS) {
        for (unsigned i = 0; i < l->n_big; i++)
            if (l->big_key[i] == k) {
                l->big_key[i] = l->big_key[l->n_big - 1];
                break;
            }
    } else if (l->n_big == TLB_BIG_KEYS + 1) {
        /* Leaving the overflow: the list is rebuilt from the level's keys. */
        unsigned n = 0;
        bool dropped = false;
        for (unsigned i = 0; i < l->entries; i++) {
            uint64_t o = l->key[i];
            if (!o || key_shift(o) == TLB_MIN_SHIFT)
                continue;
            if (o == k && !dropped) {
                dropped = true;            /* the entry leaving (its key is still set) */
                continue;
            }
            if (n < TLB_BIG_KEYS)
                l->big_key[n++] = o;
        }
    }
    l->n_big--;
}

/* Could a fully associative level hold an entry containing va? (Other levels: yes.) */
static inline bool fa_may_hold(const struct tlb_level *l, uint64_t va)
{
    if (l->sets != 1 || l->page_cnt[page_bucket(va)] || l->n_big > TLB_BIG_KEYS)
        return true;
    for (unsigned i = 0; i < l->n_big; i++)
        if (in_range(key_va(l->big_key[i]), key_shift(l->big_key[i]), va))
            return true;
    return false;
}

static inline uint64_t size_mask(unsigned shift)
{
    return (UINT64_C(1) << shift) - 1;
}

static inline bool in_range(uint64_t base, unsigned shift, uint64_t addr)
{
    return ((base ^ addr) & ~size_mask(shift)) == 0;
}

static inline bool ranges_overlap(uint64_t a, unsigned ashift, uint64_t b, unsigned bshift)
{
    /* Aligned power-of-two ranges intersect iff one contains the other's base. */
    unsigned big = ashift > bshift ? ashift : bshift;
    return ((a ^ b) & ~size_mask(big)) == 0;
}

static uint64_t next_rand(struct tlb *t)
{
    uint64_t x = t->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t->rng = x;
    return x;
}

static void drop(struct tlb *t, struct tlb_entry *e)
{
    if (t->on_drop)
        t->on_drop(t->drop_opaque, e);
    e->valid = false;
}

static void lru_move(struct tlb_level *l, uint32_t i, bool to_head);

static void level_drop(struct tlb *t, struct tlb_level *l, struct tlb_entry *e)
{
    drop(t, e);
    uint64_t *k = &l->key[e - l->e];
    if (*k)
        summary_del(l, *k);
    *k = 0;
    lru_move(l, (uint32_t)(e - l->e), true);
}

/* ---- configuration ---------------------------------------------------- */

static bool is_pow2(unsigned x)
{
    return x && !(x & (x - 1));
}

static int check_level(const char *name, const struct tlb_level_config *c, char *err, unsigned errlen)
{
    const char *why = NULL;
    if (c->entries == 0)
        why = "has no entries";
    else if (c->ways == 0)
        why = "has no ways";
    else if (c->ways > c->entries || c->entries % c->ways != 0)
        why = "ways do not divide entries";
    else if (!is_pow2(c->entries / c->ways))
        why = "set count is not a power of two";
    else if (c->repl != TLB_REPL_LRU && c->repl != TLB_REPL_FIFO && c->repl != TLB_REPL_RANDOM)
        why = "unknown replacement policy";
    if (!why)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "tlb: %s (%u entries, %u ways) %s", name, c->entries, c->ways, why);
    return -1;
}

static struct tlb_level *level_new(const struct tlb_level_config *c)
{
    struct tlb_level *l = calloc(1, sizeof(*l) + (size_t)c->entries * (sizeof(struct tlb_entry) + 16 + 8));
    if (!l)
        return NULL;
    l->key = (uint64_t *)(void *)&l->e[c->entries];
    l->stamp = l->key + c->entries;
    l->entries = c->entries;
    l->ways = c->ways;
    l->sets = c->entries / c->ways;
    l->repl = c->repl;
    if (l->sets == 1 && l->repl == TLB_REPL_LRU) {
        l->lru_prev = (uint32_t *)(void *)(l->stamp + c->entries);
        l->lru_next = l->lru_prev + c->entries;
        for (uint32_t i = 0; i < c->entries; i++) {
            l->lru_prev[i] = i ? i - 1 : UINT32_MAX;
            l->lru_next[i] = i + 1 < c->entries ? i + 1 : UINT32_MAX;
        }
        l->lru_head = 0;
        l->lru_tail = c->entries - 1;
    }
    return l;
}

static void lru_unlink(struct tlb_level *l, uint32_t i)
{
    uint32_t p = l->lru_prev[i], n = l->lru_next[i];
    if (p != UINT32_MAX)
        l->lru_next[p] = n;
    else
        l->lru_head = n;
    if (n != UINT32_MAX)
        l->lru_prev[n] = p;
    else
        l->lru_tail = p;
}

/* Way i becomes the most recently used (to_head: the first to go, a freed way). */
static void lru_move(struct tlb_level *l, uint32_t i, bool to_head)
{
    if (!l->lru_prev || (to_head ? l->lru_head == i : l->lru_tail == i))
        return;
    lru_unlink(l, i);
    if (to_head) {
        l->lru_prev[i] = UINT32_MAX;
        l->lru_next[i] = l->lru_head;
        l->lru_prev[l->lru_head] = i;
        l->lru_head = i;
    } else {
        l->lru_next[i] = UINT32_MAX;
        l->lru_prev[i] = l->lru_tail;
        l->lru_next[l->lru_tail] = i;
        l->lru_tail = i;
    }
}

int tlb_init(struct tlb *t, const struct tlb_config *cfg, tlb_drop_fn on_drop, void *opaque,
             char *err, unsigned errlen)
{
    memset(t, 0, sizeof(*t));
    if (!cfg) {
        if (err && errlen)
            snprintf(err, errlen, "tlb: no configuration");
        return -1;
    }
    if (check_level("L1I", &cfg->l1i, err, errlen) || check_level("L1D", &cfg->l1d, err, errlen) ||
        check_level("L2", &cfg->l2, err, errlen))
        return -1;
    t->cfg = *cfg;
    t->l1i = level_new(&cfg->l1i);
    t->l1d = level_new(&cfg->l1d);
    t->l2 = level_new(&cfg->l2);
    if (cfg->walk_cache_entries) {
        t->walk_cache = calloc(cfg->walk_cache_entries, sizeof(struct tlb_entry));
        t->s1_tables = calloc(cfg->walk_cache_entries, sizeof(struct tlb_entry));
        t->walk_key = calloc(2 * (size_t)cfg->walk_cache_entries, sizeof(uint64_t));
        t->s1_key = t->walk_key ? t->walk_key + cfg->walk_cache_entries : NULL;
    }
    if (!t->l1i || !t->l1d || !t->l2 ||
        (cfg->walk_cache_entries && (!t->walk_cache || !t->s1_tables || !t->walk_key))) {
        tlb_destroy(t);
        if (err && errlen)
            snprintf(err, errlen, "tlb: out of memory");
        return -1;
    }
    t->rng = RNG_SEED;
    t->on_drop = on_drop;
    t->drop_opaque = opaque;
    return 0;
}

void tlb_destroy(struct tlb *t)
{
    free(t->l1i);
    free(t->l1d);
    free(t->l2);
    free(t->walk_cache);
    free(t->s1_tables);
    free(t->walk_key);
    memset(t, 0, sizeof(*t));
}

/* ---- levels ----------------------------------------------------------- */

static inline struct tlb_entry *set_of(struct tlb_level *l, uint64_t va, unsigned shift)
{
    unsigned set = (unsigned)(((va & VA56_MASK) >> shift) & (l->sets - 1));
    return &l->e[(size_t)set * l->ways];
}

static inline bool tag_match(const struct tlb_entry *e, enum tlb_regime regime, uint16_t vmid,
                             uint16_t asid)
{
    if (!e->valid || e->regime != regime)
        return false;
    if (regime == TLB_REGIME_EL2)
        return true;
    return e->vmid == vmid && (e->global || e->asid == asid);
}

/* The entry of level l that translates va in the context, if any (no side effects). */
static struct tlb_entry *level_find(const struct tlb_level *l, enum tlb_regime regime, uint16_t vmid,
                                    uint16_t asid, uint64_t va)
{
    if (l->sets == 1) {
        if (!fa_may_hold(l, va))
            return NULL;
        for (unsigned w = 0; w < l->ways; w++) {
            uint64_t k = l->key[w];
            if (k && in_range(key_va(k), key_shift(k), va) && tag_match(&l->e[w], regime, vmid, asid))
                return (struct tlb_entry *)&l->e[w];
        }
        return NULL;
    }
    /* Set-associative: an entry of size s containing va sits in va's set for s
     * and has exactly the key (va rounded down to s) | s. */
    uint64_t shifts = l->shifts;
    while (shifts) {
        unsigned s = (unsigned)__builtin_ctzll(shifts);
        shifts &= shifts - 1;
        uint64_t want = (va & ~size_mask(s)) | s;
        struct tlb_entry *set = set_of((struct tlb_level *)l, va, s);
        const uint64_t *keys = &l->key[set - l->e];
        for (unsigned w = 0; w < l->ways; w++)
            if (keys[w] == want && tag_match(&set[w], regime, vmid, asid))
                return &set[w];
    }
    return NULL;
}

/* level_find, and a hit renews the entry's place in an LRU level. */
static struct tlb_entry *level_lookup(struct tlb *t, struct tlb_level *l, enum tlb_regime regime,
                                      uint16_t vmid, uint16_t asid, uint64_t va)
{
    struct tlb_entry *e = level_find(l, regime, vmid, asid, va);
    if (e && l->repl == TLB_REPL_LRU) {
        size_t i = (size_t)(e - l->e);
        l->stamp[i] = ++t->clock;
        lru_move(l, (uint32_t)i, false);
    }
    return e;
}

/* Could some lookup match both a and b? (a and b are of the same regime.) */
static bool contexts_overlap(const struct tlb_entry *a, const struct tlb_entry *b)
{
    if (a->regime != b->regime)
        return false;
    if (a->regime == TLB_REGIME_EL2)
        return true;
    return a->vmid == b->vmid && (a->global || b->global || a->asid == b->asid);
}

static struct tlb_entry *pick_way(struct tlb *t, struct tlb_entry *set, unsigned ways, enum tlb_repl repl)
{
    for (unsigned w = 0; w < ways; w++)
        if (!set[w].valid)
            return &set[w];
    if (repl == TLB_REPL_RANDOM)
        return &set[next_rand(t) % ways];
    struct tlb_entry *victim = &set[0];
    for (unsigned w = 1; w < ways; w++)
        if (set[w].stamp < victim->stamp)
            victim = &set[w];
    return victim;
}

/* The way of a level's set an insertion takes: a free one, else by the policy. */
static size_t level_pick_way(struct tlb *t, struct tlb_level *l, size_t first)
{
    if (l->lru_prev)
        return l->lru_head;           /* a free way if any (freed ways go first), else the LRU one */
    for (unsigned w = 0; w < l->ways; w++)
        if (!l->key[first + w])
            return first + w;
    if (l->repl == TLB_REPL_RANDOM)
        return first + next_rand(t) % l->ways;
    size_t victim = first;
    for (unsigned w = 1; w < l->ways; w++)
        if (l->stamp[first + w] < l->stamp[victim])
            victim = first + w;
    return victim;
}

static struct tlb_entry *level_insert(struct tlb *t, struct tlb_level *l, const struct tlb_entry *ne)
{
    /* Remove overlapping entries: probe each size that may be present (none
     * in a fully associative level without large entries or this page). */
    uint64_t shifts = l->sets == 1 ? (UINT64_C(1) << TLB_MIN_SHIFT) : (l->shifts | (UINT64_C(1) << ne->page_shift));
    if (l->sets == 1 && ne->page_shift == TLB_MIN_SHIFT && !fa_may_hold(l, ne->va))
        shifts = 0;
    while (shifts) {
        unsigned s = (unsigned)__builtin_ctzll(shifts);
        shifts &= shifts - 1;
        /* An overlapping entry of size s contains ne->va (s >= ne's size) or
         * lies inside ne (s < ne's size); in the latter case several sets
         * are possible: scan the sets ne's range spans (all when it wraps). */
        if (l->sets > 1 && s >= ne->page_shift) {
            /* The one entry of size s that can contain ne has an exact key (level_find). */
            uint64_t want = (ne->va & ~size_mask(s)) | s;
            struct tlb_entry *set = set_of(l, ne->va, s);
            size_t base = (size_t)(set - l->e);
            for (unsigned w = 0; w < l->ways; w++)
                if (l->key[base + w] == want && contexts_overlap(&set[w], ne)) {
                    level_drop(t, l, &set[w]);
                    t->stats.evictions++;
                }
            continue;
        }
        uint64_t first = (ne->va & VA56_MASK) >> s;
        uint64_t count = s >= ne->page_shift ? 1 : (UINT64_C(1) << (ne->page_shift - s));
        if (count > l->sets)
            count = l->sets;
        for (uint64_t i = 0; i < count; i++) {
            unsigned set = (unsigned)((first + i) & (l->sets - 1));
            size_t base = (size_t)set * l->ways;
            for (unsigned w = 0; w < l->ways; w++) {
                uint64_t k = l->key[base + w];
                if (!k || !ranges_overlap(key_va(k), key_shift(k), ne->va, ne->page_shift))
                    continue;
                struct tlb_entry *e = &l->e[base + w];
                if (contexts_overlap(e, ne)) {
                    level_drop(t, l, e);
                    t->stats.evictions++;
                }
            }
        }
    }
    struct tlb_entry *set = set_of(l, ne->va, ne->page_shift);
    size_t i = level_pick_way(t, l, (size_t)(set - l->e));
    struct tlb_entry *slot = &l->e[i];
    if (l->key[i]) {
        level_drop(t, l, slot);
        t->stats.evictions++;
    }
    *slot = *ne;
    slot->valid = true;
    l->key[i] = key_of(slot);
    summary_add(l, l->key[i]);
    l->stamp[i] = ++t->clock;
    lru_move(l, (uint32_t)i, false);
    l->shifts |= UINT64_C(1) << ne->page_shift;
    return slot;
}

/* ---- lookups and insertion --------------------------------------------- */

const struct tlb_entry *tlb_lookup(struct tlb *t, bool is_fetch, enum tlb_regime regime, uint16_t vmid,
                                   uint16_t asid, uint64_t va, unsigned *level)
{
    struct tlb_level *l1 = is_fetch ? t->l1i : t->l1d;
    t->stats.lookups++;
    struct tlb_entry *e = level_lookup(t, l1, regime, vmid, asid, va);
    if (e) {
        t->stats.l1_hits++;
        if (level)
            *level = 1;
        return e;
    }
    e = level_lookup(t, t->l2, regime, vmid, asid, va);
    if (e) {
        t->stats.l2_hits++;
        struct tlb_entry copy = *e;
        if (level)
            *level = 2;
        return level_insert(t, l1, &copy);
    }
    t->stats.misses++;
    if (level)
        *level = 0;
    return NULL;
}

const struct tlb_entry *tlb_peek(const struct tlb *t, bool is_fetch, enum tlb_regime regime, uint16_t vmid,
                                 uint16_t asid, uint64_t va)
{
    const struct tlb_entry *e = level_find(is_fetch ? t->l1i : t->l1d, regime, vmid, asid, va);
    if (!e)
        e = level_find(t->l2, regime, vmid, asid, va);
    if (!e)
        e = level_find(is_fetch ? t->l1d : t->l1i, regime, vmid, asid, va);
    return e;
}

void tlb_insert(struct tlb *t, bool is_fetch, const struct tlb_entry *e)
{
    if (e->page_shift < TLB_MIN_SHIFT || e->page_shift > TLB_MAX_SHIFT)
        return;
    struct tlb_entry ne = *e;
    uint64_t m = ~size_mask(ne.page_shift);
    ne.va &= m;
    ne.ipa &= m;
    ne.pa &= m;
    ne.valid = true;
    if (ne.regime != TLB_REGIME_EL2 && ne.regime != TLB_REGIME_EL20)
        ne.regime = TLB_REGIME_EL10;
    t->stats.fills++;
    level_insert(t, is_fetch ? t->l1i : t->l1d, &ne);
    level_insert(t, t->l2, &ne);
}

/* The walk-cache arrays scan their keys (8 bytes an entry) before any entry. */
static inline uint64_t walk_key_of(const struct tlb_entry *e, uint64_t base)
{
    return (base & ~UINT64_C(0xfff)) | e->page_shift;
}

static void walk_drop(struct tlb *t, struct tlb_entry *arr, uint64_t *keys, unsigned i)
{
    drop(t, &arr[i]);
    keys[i] = 0;
}

const struct tlb_entry *tlb_s2_lookup(struct tlb *t, uint16_t vmid, uint64_t ipa)
{
    for (unsigned i = 0; i < t->walk_used; i++) {
        uint64_t k = t->walk_key[i];
        if (!k || !in_range(key_va(k), key_shift(k), ipa))
            continue;
        struct tlb_entry *e = &t->walk_cache[i];
        if (e->vmid == vmid) {
            e->stamp = ++t->clock;
            return e;
        }
    }
    return NULL;
}

/* Puts ne into one of the walk-cache arrays: entries for the same thing are
 * replaced, and a full array gives up its least recently used entry. */
static void walk_cache_put(struct tlb *t, struct tlb_entry *arr, uint64_t *keys, unsigned *used, uint64_t base,
                           const struct tlb_entry *ne,
                           bool (*same)(const struct tlb_entry *o, const struct tlb_entry *ne))
{
    unsigned n = t->cfg.walk_cache_entries;
    for (unsigned i = 0; i < n; i++) {
        if (arr[i].valid && same(&arr[i], ne)) {
            walk_drop(t, arr, keys, i);
            t->stats.evictions++;
        }
    }
    struct tlb_entry *slot = pick_way(t, arr, n, TLB_REPL_LRU);
    unsigned i = (unsigned)(slot - arr);
    if (slot->valid) {
        walk_drop(t, arr, keys, i);
        t->stats.evictions++;
    }
    *slot = *ne;
    slot->stamp = ++t->clock;
    keys[i] = walk_key_of(ne, base);
    if (i >= *used)
        *used = i + 1;            /* (pick_way takes the lowest free entry: the used ones stay packed) */
}

static bool same_s2_walk(const struct tlb_entry *o, const struct tlb_entry *ne)
{
    return o->vmid == ne->vmid && ranges_overlap(o->ipa, o->page_shift, ne->ipa, ne->page_shift);
}

static bool same_s1_table(const struct tlb_entry *o, const struct tlb_entry *ne)
{
    return o->regime == ne->regime && o->vmid == ne->vmid && o->asid == ne->asid && o->level == ne->level &&
           o->va == ne->va;
}

void tlb_s2_insert(struct tlb *t, const struct tlb_entry *e)
{
    unsigned n = t->cfg.walk_cache_entries;
    if (!n || e->page_shift < TLB_MIN_SHIFT || e->page_shift > TLB_MAX_SHIFT)
        return;
    struct tlb_entry ne = *e;
    uint64_t m = ~size_mask(ne.page_shift);
    ne.ipa &= m;
    ne.pa &= m;
    ne.va = ne.ipa;
    ne.valid = true;
    ne.kind = TLB_KIND_S2_WALK;
    ne.s2 = true;
    ne.regime = TLB_REGIME_EL10;
    ne.global = false;
    walk_cache_put(t, t->walk_cache, t->walk_key, &t->walk_used, ne.ipa, &ne, same_s2_walk);
    t->stats.fills++;
}

/* ---- maintenance ------------------------------------------------------- */

static bool va_op(enum tlbi_op op)
{
    switch (op) {
    case TLBI_VAE1: case TLBI_VALE1: case TLBI_VAAE1: case TLBI_VAALE1:
    case TLBI_VAE2: case TLBI_VALE2:
        return true;
    default:
        return false;
    }
}

/* Does the operation cover a combined (L1/L2) entry? */
static bool covers_combined(const struct tlbi_request *r, const struct tlb_entry *e)
{
    bool el10_vm = e->regime == TLB_REGIME_EL10 && e->vmid == r->vmid;
    bool va_hit = in_range(e->va & VA56_MASK, e->page_shift, r->va & VA56_MASK);
    if (r->host && r->op != TLBI_VMALLS12E1 && r->op != TLBI_ALLE1)
        el10_vm = e->regime == TLB_REGIME_EL20;         /* (VMID 0) */
    switch (r->op) {
    case TLBI_VMALLE1:
    case TLBI_VMALLS12E1:
        return el10_vm;
    case TLBI_VAE1:
    case TLBI_VALE1:
        return el10_vm && va_hit && (e->global || e->asid == r->asid);
    case TLBI_VAAE1:
    case TLBI_VAALE1:
        return el10_vm && va_hit;
    case TLBI_ASIDE1:
        return el10_vm && !e->global && e->asid == r->asid;
    case TLBI_ALLE1:
        return e->regime == TLB_REGIME_EL10;
    case TLBI_ALLE2:
        return e->regime == TLB_REGIME_EL2 || e->regime == TLB_REGIME_EL20;
    case TLBI_VAE2:
    case TLBI_VALE2:
        /* With E2H the operand's ASID selects among the EL2&0 regime's non-global entries. */
        return va_hit && (e->regime == TLB_REGIME_EL2 ||
                          (e->regime == TLB_REGIME_EL20 && (e->global || e->asid == r->asid)));
    case TLBI_IPAS2E1:
    case TLBI_IPAS2LE1:
    default:
        return false;
    }
}

/* Does the operation cover a stage-2-only (walk cache) entry? */
static bool covers_s2(const struct tlbi_request *r, const struct tlb_entry *e)
{
    switch (r->op) {
    case TLBI_IPAS2E1:
    case TLBI_IPAS2LE1:
        return e->vmid == r->vmid && in_range(e->ipa, e->page_shift, r->ipa);
    case TLBI_VMALLS12E1:
        return e->vmid == r->vmid;
    case TLBI_ALLE1:
        return true;
    default:
        return false;
    }
}

static unsigned level_tlbi(struct tlb *t, struct tlb_level *l, const struct tlbi_request *r)
{
    unsigned n = 0;
    if (va_op(r->op) && l->sets > 1) {
        /* Only the sets where an entry containing the VA can live. */
        uint64_t shifts = l->shifts;
        while (shifts) {
            unsigned s = (unsigned)__builtin_ctzll(shifts);
            shifts &= shifts - 1;
            struct tlb_entry *set = set_of(l, r->va, s);
            for (unsigned w = 0; w < l->ways; w++)
                if (set[w].valid && covers_combined(r, &set[w])) {
                    level_drop(t, l, &set[w]);
                    n++;
                }
        }
        return n;
    }
    uint64_t shifts = 0;
    for (unsigned i = 0; i < l->entries; i++) {
        struct tlb_entry *e = &l->e[i];
        if (!e->valid)
            continue;
        if (covers_combined(r, e)) {
            level_drop(t, l, e);
            n++;
        } else {
            shifts |= UINT64_C(1) << e->page_shift;
        }
    }
    l->shifts = shifts;
    return n;
}

const struct tlb_entry *tlb_s1_table_lookup(struct tlb *t, enum tlb_regime regime, uint16_t vmid,
                                            uint16_t asid, uint64_t va)
{
    /* The entry that answered last, if it still covers va: a level-2 table
     * descriptor is the deepest there can be (level 3 holds pages), so no scan
     * could find a better one. (Its key is 0 once dropped; a slot reused for
     * another entry fails the checks.) */
    if (t->s1_memo) {
        struct tlb_entry *e = &t->s1_tables[t->s1_memo - 1];
        uint64_t k = t->s1_key[t->s1_memo - 1];
        if (k && in_range(key_va(k), key_shift(k), va) && e->level == 2 && e->regime == regime &&
            (regime == TLB_REGIME_EL2 || (e->vmid == vmid && e->asid == asid))) {
            e->stamp = ++t->clock;
            return e;
        }
    }
    struct tlb_entry *best = NULL;
    for (unsigned i = 0; i < t->s1_used; i++) {
        uint64_t k = t->s1_key[i];
        if (!k || !in_range(key_va(k), key_shift(k), va))
            continue;
        struct tlb_entry *e = &t->s1_tables[i];
        if (e->regime != regime)
            continue;
        if (regime != TLB_REGIME_EL2 && (e->vmid != vmid || e->asid != asid))
            continue;
        if (!best || e->level > best->level)
            best = e;
    }
    if (best) {
        best->stamp = ++t->clock;
        if (best->level == 2)
            t->s1_memo = (unsigned)(best - t->s1_tables) + 1;
    }
    return best;
}

void tlb_s1_table_insert(struct tlb *t, const struct tlb_entry *e)
{
    unsigned n = t->cfg.walk_cache_entries;
    if (!n)
        return;
    struct tlb_entry ne = *e;
    ne.valid = true;
    ne.kind = TLB_KIND_S1_TABLE;
    ne.va &= ~size_mask(ne.page_shift);
    walk_cache_put(t, t->s1_tables, t->s1_key, &t->s1_used, ne.va, &ne, same_s1_table);
}

/* Does TLBI r remove the cached stage-1 table descriptor e? */
static bool covers_s1_table(const struct tlbi_request *r, const struct tlb_entry *e)
{
    bool el10 = e->regime == TLB_REGIME_EL10;
    if (r->host && (r->op == TLBI_VMALLE1 || r->op == TLBI_ASIDE1 || r->op == TLBI_VAE1 || r->op == TLBI_VAAE1)) {
        if (e->regime != TLB_REGIME_EL20)
            return false;
        if (r->op == TLBI_VMALLE1)
            return true;
        if (r->op == TLBI_ASIDE1)
            return e->asid == r->asid;
        return (r->op == TLBI_VAAE1 || e->asid == r->asid) &&
               in_range(e->va & VA56_MASK, e->page_shift, r->va & VA56_MASK);
    }
    switch (r->op) {
    case TLBI_VMALLE1:
    case TLBI_VMALLS12E1:
        return el10 && e->vmid == r->vmid;
    case TLBI_ALLE1:
        return el10;
    case TLBI_ASIDE1:
        return el10 && e->vmid == r->vmid && e->asid == r->asid;
    case TLBI_VAE1:
    case TLBI_VAAE1:
        return el10 && e->vmid == r->vmid && in_range(e->va & VA56_MASK, e->page_shift, r->va & VA56_MASK);
    case TLBI_ALLE2:
        return !el10;
    case TLBI_VAE2:
        return !el10 && (e->regime == TLB_REGIME_EL2 || e->asid == r->asid) &&
               in_range(e->va & VA56_MASK, e->page_shift, r->va & VA56_MASK);
    default:                      /* last-level and stage-2 operations keep table entries */
        return false;
    }
}

unsigned tlbi(struct tlb *t, const struct tlbi_request *r)
{
    unsigned n = level_tlbi(t, t->l1i, r) + level_tlbi(t, t->l1d, r) + level_tlbi(t, t->l2, r);
    for (unsigned i = 0; i < t->cfg.walk_cache_entries; i++) {
        if (t->walk_cache[i].valid && covers_s2(r, &t->walk_cache[i])) {
            walk_drop(t, t->walk_cache, t->walk_key, i);
            n++;
        }
    }
    for (unsigned i = 0; i < t->cfg.walk_cache_entries; i++) {
        if (t->s1_tables[i].valid && covers_s1_table(r, &t->s1_tables[i])) {
            walk_drop(t, t->s1_tables, t->s1_key, i);
            n++;
        }
    }
    t->stats.invalidated += n;
    return n;
}

/* ---- presence without side effects --------------------------------------------------- */

static bool level_holds(const struct tlb_level *l, const struct tlb_entry *x)
{
    /* An entry for the same page can only be in the set an insertion puts x in. */
    if (x->page_shift == TLB_MIN_SHIFT && !fa_may_hold(l, x->va))
        return false;
    const struct tlb_entry *set = set_of((struct tlb_level *)l, x->va, x->page_shift);
    size_t first = (size_t)(set - l->e);
    uint64_t want = key_of(x);
    for (unsigned i = 0; i < l->ways; i++) {
        if (l->key[first + i] != want)
            continue;
        const struct tlb_entry *e = &set[i];
        if (e->valid && e != x && e->regime == x->regime && e->vmid == x->vmid && e->asid == x->asid &&
            e->global == x->global && e->page_shift == x->page_shift && e->va == x->va && e->pa == x->pa)
            return true;
    }
    return false;
}

static bool level_contains(const struct tlb_level *l, const struct tlb_entry *x)
{
    return x >= l->e && x < l->e + l->entries;
}

bool tlb_holds(const struct tlb *t, const struct tlb_entry *x)
{
    /* Insertion removes overlapping entries, so a level never holds two copies:
     * the level x is in (when it is a level's entry, as in the drop callback)
     * need not be searched. L2 first: an L1 victim is usually still there. */
    const struct tlb_level *levels[3] = { t->l2, t->l1d, t->l1i };
    for (unsigned i = 0; i < 3; i++)
        if (!level_contains(levels[i], x) && level_holds(levels[i], x))
            return true;
    return false;
}

/* ---- configuration strings ------------------------------------------------------------ */

static int parse_level(const char *v, struct tlb_level_config *l, bool fully_associative_default)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (end == v || n == 0 || n > 1u << 20)
        return -1;
    l->entries = (unsigned)n;
    l->ways = fully_associative_default ? (unsigned)n : l->ways;
    if (*end == ':') {
        const char *w = end + 1;
        unsigned long ways = strtoul(w, &end, 10);
        if (end == w || ways == 0)
            return -1;
        l->ways = (unsigned)ways;
    }
    return *end == 0 ? 0 : -1;
}

int tlb_config_parse(struct tlb_config *c, const char *spec, char *err, unsigned errlen)
{
    char buf[256];
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "TLB configuration too long");
        return -1;
    }
    strcpy(buf, spec);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "'%s': expected KEY=VALUE", tok);
            return -1;
        }
        *eq = 0;
        const char *k = tok, *v = eq + 1;
        int rc = 0;
        if (!strcmp(k, "l1i"))
            rc = parse_level(v, &c->l1i, true);
        else if (!strcmp(k, "l1d"))
            rc = parse_level(v, &c->l1d, true);
        else if (!strcmp(k, "l2"))
            rc = parse_level(v, &c->l2, false);
        else if (!strcmp(k, "walk")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            rc = (end == v || *end || n > 1u << 16) ? -1 : 0;
            c->walk_cache_entries = (unsigned)n;
        } else if (!strcmp(k, "repl")) {
            enum tlb_repl r = !strcmp(v, "lru") ? TLB_REPL_LRU : !strcmp(v, "fifo") ? TLB_REPL_FIFO
                              : !strcmp(v, "random") ? TLB_REPL_RANDOM : (enum tlb_repl)-1;
            if ((int)r < 0)
                rc = -1;
            else
                c->l1i.repl = c->l1d.repl = c->l2.repl = r;
        } else {
            snprintf(err, errlen, "unknown TLB parameter '%s' (l1i, l1d, l2, walk, repl)", k);
            return -1;
        }
        if (rc != 0) {
            snprintf(err, errlen, "bad value '%s' for TLB parameter '%s'", v, k);
            return -1;
        }
    }
    /* Let tlb_init's checks judge the geometry. */
    struct tlb probe;
    if (tlb_init(&probe, c, NULL, NULL, err, errlen) != 0)
        return -1;
    tlb_destroy(&probe);
    return 0;
}

static int format_level(char *buf, size_t len, const char *key, const struct tlb_level_config *l, bool fa_default)
{
    if (fa_default && l->ways == l->entries)
        return snprintf(buf, len, "%s=%u", key, l->entries);
    return snprintf(buf, len, "%s=%u:%u", key, l->entries, l->ways);
}

void tlb_config_format(const struct tlb_config *c, char *buf, size_t len)
{
    static const char *const repl_names[] = { [TLB_REPL_LRU] = "lru", [TLB_REPL_FIFO] = "fifo",
                                              [TLB_REPL_RANDOM] = "random" };
    size_t n = 0;
    n += (size_t)format_level(buf + (n < len ? n : len), n < len ? len - n : 0, "l1i", &c->l1i, true);
    n += (size_t)format_level(buf + (n < len ? n : len), n < len ? len - n : 0, ",l1d", &c->l1d, true);
    n += (size_t)format_level(buf + (n < len ? n : len), n < len ? len - n : 0, ",l2", &c->l2, false);
    snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, ",walk=%u,repl=%s", c->walk_cache_entries,
             repl_names[c->l2.repl]);
}
