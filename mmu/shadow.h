/* Shadow translation tables: what Unicorn's own MMU walks instead of the
 * guest's tables. Each translation context (regime, VMID, ASID) has stage-1
 * tables (4K granule, 4 levels, 48-bit VA) mapping VA -> final PA with the
 * permissions of both stages already combined. Entries are installed from the
 * TLB model on a miss and removed when the model drops them, so the guest sees
 * exactly what the modelled TLB holds (including stale entries until a TLBI).
 * The tables live in a private pool of Unicorn's physical space, above the
 * guest's 40-bit physical address space. */
#ifndef AVSIM_MMU_SHADOW_H
#define AVSIM_MMU_SHADOW_H
#include <stdbool.h>
#include <stdint.h>

#define SHADOW_POOL_PA   0xe0000000000ULL   /* 44-bit space, outside the guest's 40 bits */
#define SHADOW_POOL_SIZE (64ULL << 20)
#define SHADOW_MAX_CTX   64

/* Unicorn-side attribute palette (MAIR index -> attribute). */
#define SHADOW_MAIR 0x0000bbff440c0400ULL
enum { SHADOW_ATTR_DEV_NGNRNE = 0, SHADOW_ATTR_DEV_NGNRE = 1, SHADOW_ATTR_DEV_GRE = 2,
       SHADOW_ATTR_NC = 3, SHADOW_ATTR_WB = 4, SHADOW_ATTR_WT = 5 };

struct shadow_ctx {
    bool used;
    uint8_t regime;           /* 0 EL1&0, 1 EL2 */
    uint16_t vmid, asid;
    uint64_t root[2];         /* PA of the level-0 tables for TTBR0 and TTBR1 */
    uint64_t stamp;
};

struct shadow {
    uint8_t *pool;            /* host memory behind SHADOW_POOL_PA */
    uint64_t next_free;       /* offset of the next free table page */
    struct shadow_ctx ctx[SHADOW_MAX_CTX];
    uint64_t clock;
    uint64_t pages_installed, resets;
};

int shadow_init(struct shadow *s);
void shadow_destroy(struct shadow *s);

/* Finds or creates the context; returns NULL only if the pool had to be
 * reset and still cannot hold a context (never in practice). *reset is set
 * when the pool was reset (all contexts emptied: Unicorn's TLB must be flushed). */
struct shadow_ctx *shadow_context(struct shadow *s, unsigned regime, uint16_t vmid, uint16_t asid,
                                  bool *reset);

/* Maps the 4K page at va (range = 0 for TTBR0, 1 for TTBR1) to pa with the
 * permissions for the current EL (see shadow.c). Returns false if the pool is
 * full (the caller resets and retries). */
bool shadow_map_page(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t pa, uint8_t perm_el0,
                     uint8_t perm_el1, bool el2_regime, unsigned cur_el, uint8_t attr);

/* Is va mapped in the context with the rights the current EL needs? */
bool shadow_lookup(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t *desc);

/* Removes every mapping of [va, va + size) in the contexts that match. */
void shadow_unmap_range(struct shadow *s, struct shadow_ctx *c, uint64_t va, uint64_t size);

/* Empties every context (a new pool). */
void shadow_reset(struct shadow *s);

#endif
