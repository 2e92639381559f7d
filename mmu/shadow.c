#include "mmu/shadow.h"
#include "mmu/walk.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096ULL

int shadow_init(struct shadow *s)
{
    memset(s, 0, sizeof *s);
    s->pool = mmap(NULL, SHADOW_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (s->pool == MAP_FAILED) {
        s->pool = NULL;
        return -1;
    }
    return 0;
}

void shadow_destroy(struct shadow *s)
{
    if (s->pool)
        munmap(s->pool, SHADOW_POOL_SIZE);
    s->pool = NULL;
}

static uint64_t *table_at(struct shadow *s, uint64_t pa)
{
    return (uint64_t *)(s->pool + (pa - SHADOW_POOL_PA));
}

static uint64_t alloc_table(struct shadow *s)
{
    if (s->next_free + PAGE > SHADOW_POOL_SIZE)
        return 0;
    uint64_t pa = SHADOW_POOL_PA + s->next_free;
    s->next_free += PAGE;
    memset(table_at(s, pa), 0, PAGE);
    return pa;
}

void shadow_reset(struct shadow *s)
{
    s->next_free = 0;
    s->resets++;
    for (int i = 0; i < SHADOW_MAX_CTX; i++) {
        struct shadow_ctx *c = &s->ctx[i];
        if (!c->used)
            continue;
        c->root[0] = alloc_table(s);
        c->root[1] = alloc_table(s);
    }
}

struct shadow_ctx *shadow_context(struct shadow *s, unsigned regime, uint16_t vmid, uint16_t asid,
                                  bool *reset)
{
    struct shadow_ctx *victim = NULL;
    *reset = false;
    s->clock++;
    for (int i = 0; i < SHADOW_MAX_CTX; i++) {
        struct shadow_ctx *c = &s->ctx[i];
        if (c->used && c->regime == regime && c->vmid == vmid && c->asid == asid) {
            c->stamp = s->clock;
            return c;
        }
        /* The victim: a free slot, else the least recently used one. */
        if (!victim || (victim->used && (!c->used || c->stamp < victim->stamp)))
            victim = c;
    }
    /* A new context (reusing the least recently used slot: its tables are abandoned). */
    *victim = (struct shadow_ctx){ .used = true, .regime = (uint8_t)regime, .vmid = vmid, .asid = asid,
                                   .stamp = s->clock };
    victim->root[0] = alloc_table(s);
    victim->root[1] = alloc_table(s);
    if (!victim->root[0] || !victim->root[1]) {
        shadow_reset(s);
        *reset = true;
    }
    return victim;
}

static unsigned attr_index(uint8_t attr)
{
    if ((attr & 0xf0) == 0) {
        unsigned t = (attr >> 2) & 3;
        return t == 0 ? SHADOW_ATTR_DEV_NGNRNE : t == 1 ? SHADOW_ATTR_DEV_NGNRE : SHADOW_ATTR_DEV_GRE;
    }
    if (attr == 0x44)
        return SHADOW_ATTR_NC;
    return (attr & 0xc0) == 0xc0 || (attr & 0xc0) == 0x40 ? SHADOW_ATTR_WB : SHADOW_ATTR_WT;
}

/* The AP/XN encoding of a page for Unicorn. Both EL0 and EL1 use the EL1&0
 * tables, and one descriptor cannot express every pair of rights: AP[2:1]
 * gives EL0 write only with EL1 write, and (AArch64 rule, applied by Unicorn)
 * a page writable at EL0 is never executable at EL1 -- yet with stage 1 off
 * both hold. For such a pair the encoding that is exact for the current EL is
 * used, and an access from the other EL that it denies faults into avsim,
 * which re-encodes the page for that EL (shadow_map_page again). */
static uint64_t page_rights(uint8_t p0, uint8_t p1, bool el2_regime, unsigned cur_el)
{
    uint64_t d = 0;
    bool w1 = p1 & MMU_PERM_W, w0 = p0 & MMU_PERM_W, r0 = p0 & MMU_PERM_R;
    if (el2_regime) {
        if (!w1) d |= 1ULL << 7;
        if (!(p1 & MMU_PERM_X)) d |= 1ULL << 54;
        return d;
    }
    bool clash = r0 && (w0 != w1 || (w0 && (p1 & MMU_PERM_X)));
    unsigned ap;                                   /* AP[2:1] */
    if (!r0)
        ap = w1 ? 0 : 2;                           /* EL1 only */
    else if (!clash)
        ap = w1 ? 1 : 3;                           /* the same rights at EL0 and EL1 */
    else if (cur_el == 0)
        ap = w0 ? 1 : 3;                           /* exact for EL0 */
    else
        ap = w1 ? 0 : 2;                           /* exact for EL1 (EL0 loses access for now) */
    d |= (uint64_t)ap << 6;
    if (!(p0 & MMU_PERM_X)) d |= 1ULL << 54;       /* UXN */
    if (!(p1 & MMU_PERM_X)) d |= 1ULL << 53;       /* PXN */
    return d;
}

static uint64_t *leaf_slot(struct shadow *s, struct shadow_ctx *c, uint64_t va, bool create)
{
    unsigned range = (va >> 55) & 1;
    uint64_t table = c->root[range];
    for (int level = 0; level < 3; level++) {
        uint64_t *t = table_at(s, table);
        unsigned idx = (va >> (39 - 9 * level)) & 511;
        if (!(t[idx] & 1)) {
            if (!create)
                return NULL;
            uint64_t n = alloc_table(s);
            if (!n)
                return NULL;
            t[idx] = n | 3;
        }
        table = t[idx] & 0x0000fffffffff000ULL;
    }
    return &table_at(s, table)[(va >> 12) & 511];
}

bool shadow_map_page(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t pa, uint8_t perm_el0,
                     uint8_t perm_el1, bool el2_regime, unsigned cur_el, uint8_t attr)
{
    uint64_t *slot = leaf_slot(s, c, va, true);
    if (!slot)
        return false;
    *slot = (pa & 0x0000fffffffff000ULL) | 3 | (1ULL << 10) | (3ULL << 8) | ((uint64_t)attr_index(attr) << 2) |
            page_rights(perm_el0, perm_el1, el2_regime, cur_el);
    s->pages_installed++;
    return true;
}

bool shadow_lookup(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t *desc)
{
    uint64_t *slot = leaf_slot(s, c, va, false);
    if (!slot || !(*slot & 1))
        return false;
    *desc = *slot;
    return true;
}

void shadow_unmap_range(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t size)
{
    uint64_t end = va + size;
    for (uint64_t a = va; a < end && a >= va;) {
        /* Skip whole missing subtrees quickly. */
        unsigned range = (a >> 55) & 1;
        uint64_t table = c->root[range];
        bool skipped = false;
        for (int level = 0; level < 3; level++) {
            uint64_t *t = table_at(s, table);
            unsigned shift = 39 - 9 * level;
            unsigned idx = (a >> shift) & 511;
            if (!(t[idx] & 1)) {
                a = (a | ((1ULL << shift) - 1)) + 1;
                skipped = true;
                break;
            }
            table = t[idx] & 0x0000fffffffff000ULL;
        }
        if (skipped)
            continue;
        table_at(s, table)[(a >> 12) & 511] = 0;
        a += PAGE;
    }
}
