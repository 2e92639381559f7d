/* Decoded basic blocks, keyed by (start VA, size, EL, physical page of the
 * first instruction): instruction count, cycle
 * cost, and the instructions whose effect depends on state avsim owns (system
 * register accesses, WFI/WFE and the block's first FP/SIMD instruction, for
 * trap decisions; ERET and DAIF writes, for
 * EL tracking and interrupt delivery). Decoded once with capstone on first
 * execution. Invalidated by IC instructions and on reset (code modified
 * without IC maintenance is UNPREDICTABLE on hardware too). */
#ifndef AVSIM_CPU_BLOCK_CACHE_H
#define AVSIM_CPU_BLOCK_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu_model.h"

enum special_kind {
    SP_SYSREG, SP_WFI, SP_WFE, SP_SEV, SP_FP,
    SP_SPMEM,     /* a load/store with SP as base (SP alignment check) */
    SP_SPWRITE,   /* writes SP: by sp_delta when sp_known, else unknown */
    SP_UNDEF,     /* an instruction Unicorn's CPU decodes but the model lacks: UNDEFINED */
    SP_ALIGNED,   /* an access that must be aligned and that Unicorn does not check
                   * (LDAR/STLR, LDAPR, store-exclusives: a64_align_checked) */
};

struct block_special {
    uint32_t offset;
    uint32_t insn;
    uint8_t kind;
    bool sp_known;
    int8_t base_reg;          /* SP_ALIGNED: its address is this register's value at the block's
                               * start (31: SP) plus sp_delta; -1: not known before it runs */
    int32_t sp_delta;
};

enum {
    BLOCK_ENDS_ERET = 1 << 0,
    BLOCK_WRITES_DAIF = 1 << 1,
    BLOCK_HAS_TRAP_SPECIAL = 1 << 2,   /* specials other than the SP ones (SP_ALIGNED too: such a
                                        * block takes the full path every time) */
    BLOCK_HAS_SP = 1 << 3,             /* SP-based accesses or SP writes */
    BLOCK_HAS_UNPRIV = 1 << 4,         /* an LDTR/STTR (checked with EL0's rights at EL1) */
    /* SP alignment (AArch64.CheckSPAlignment) relative to the SP at entry: */
    BLOCK_SP_MEM = 1 << 5,             /* an access with SP as base */
    BLOCK_SP_COMPLEX = 1 << 6,         /* one not 16-byte aligned whenever the entry SP is */
    BLOCK_SP_EXIT_UNKNOWN = 1 << 7,    /* the exit SP is not 16-byte aligned whenever the entry SP is
                                        * (or an MSR SPSel/SP_ELx may change which SP is current) */
};

/* One slot of the table: 64 bytes, one cache line, the key first. */
struct block_info {
    uint64_t start;
    uint64_t pa_page[2];      /* physical pages of its first and last instruction (UINT64_MAX: unknown);
                               * pa_page[0] is part of the key */
    uint32_t size;
    uint16_t el;
    uint8_t flags;
    bool used;
    bool stale;               /* its code may have changed (IC IVAU): decode again before use */
    bool more_classes;
    uint16_t n_insns;
    uint32_t cycles;
    uint32_t n_special;
    uint32_t special_first;   /* index into the cache's special pool */
    /* Its instructions by class (enum insn_class), for statistics: up to four
     * classes as (class, count) pairs (unused pairs count 0); with more
     * (more_classes), IC_COUNT counts at class_first in the cache's class pool. */
    uint8_t cls[4];
    uint16_t cls_n[4];
    uint32_t class_first;
} __attribute__((aligned(64)));

/* Adds the block's instructions by class to totals[IC_COUNT]. */
static inline void block_count_classes(const uint16_t *class_pool, const struct block_info *b, uint64_t *totals)
{
    if (__builtin_expect(b->more_classes, 0)) {
        for (int c = 0; c < IC_COUNT; c++)
            totals[c] += class_pool[b->class_first + c];
        return;
    }
    totals[b->cls[0]] += b->cls_n[0];
    totals[b->cls[1]] += b->cls_n[1];
    totals[b->cls[2]] += b->cls_n[2];
    totals[b->cls[3]] += b->cls_n[3];
}

#define BLOCK_PAGE_FILTER_BITS (1u << 16)

/* Capstone's answer for one instruction word (its class, whether it writes
 * SP), kept so that a word seen before is not disassembled again. */
#define BLOCK_WORD_MEMO_SLOTS (1u << 16)
struct block_word_memo {
    uint32_t word;
    uint8_t cls;
    bool writes_sp;
    bool valid;
};

struct block_cache {
    struct block_info *slots;
    uint32_t mask;
    uint32_t used;
    struct block_special *specials;
    uint32_t n_specials, cap_specials;
    uint16_t *class_pool;              /* IC_COUNT counts per block with more than four classes */
    uint32_t n_class_pool, cap_class_pool;
    uint64_t decodes, flushes, invalidations;
    /* Bumped whenever a block pointer or a block's contents may have changed
     * (flush, growth, blocks made stale): copies tagged with an older epoch
     * (the PE's front cache) are void. */
    uint32_t epoch;
    uint64_t inserts;                  /* blocks decoded since the cache was created */
    uint64_t last_invalid_page, last_invalid_inserts;   /* repeated IVAUs on one page */
    /* Which physical pages may hold decoded blocks (one bit per page hash; set by
     * block_cache_set_pages, cleared by a flush): an IC IVAU of a page without
     * blocks, the usual case on the PEs that did not write the code, needs no
     * scan of the table. */
    uint64_t page_filter[BLOCK_PAGE_FILTER_BITS / 64];
    uint32_t unknown_pages;            /* blocks whose pages are unknown: every IVAU scans */
    uint64_t scans_skipped;
    struct block_word_memo *memo;      /* BLOCK_WORD_MEMO_SLOTS, direct mapped by word */
    uint64_t memo_hits;
};

int block_cache_init(struct block_cache *bc, unsigned log2_slots);
/* Marks stale the blocks whose code lies on physical page pa_page (or on an
 * unknown one): IC IVAU and another PE's IC ...IS, without discarding the rest. */
void block_cache_invalidate_page(struct block_cache *bc, uint64_t pa_page);
void block_cache_destroy(struct block_cache *bc);
void block_cache_flush(struct block_cache *bc);

static inline uint32_t block_hash(uint64_t start, uint32_t size, unsigned el)
{
    uint64_t h = (start >> 2) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)size << 40) ^ ((uint64_t)el << 60);
    return (uint32_t)(h >> 32);
}

/* The block at VA start whose first instruction is on physical page pa_page
 * (the same VA in another address space is another key). */
static inline struct block_info *block_cache_find(struct block_cache *bc, uint64_t start, uint32_t size,
                                                  unsigned el, uint64_t pa_page)
{
    uint32_t i = block_hash(start, size, el) & bc->mask;
    for (;;) {
        struct block_info *b = &bc->slots[i];
        if (!b->used)
            return NULL;
        if (b->start == start && b->pa_page[0] == pa_page && b->size == size && b->el == el)
            return b;
        i = (i + 1) & bc->mask;
    }
}

/* Decode `size` bytes of code at `start` (the words are given) and insert;
 * first and last: the physical pages of the first and last instruction
 * (UINT64_MAX: unknown; an IC IVAU of any page then makes the block stale). */
struct block_info *block_cache_insert(struct block_cache *bc, void *capstone_handle,
                                      const struct cpu_model *model, uint64_t start, uint32_t size,
                                      unsigned el, uint64_t first, uint64_t last, const uint32_t *words);

static inline const struct block_special *block_specials(const struct block_cache *bc,
                                                         const struct block_info *b)
{
    return &bc->specials[b->special_first];
}

#endif
