/* The PE's MMU: the C model decides every translation, Unicorn executes at
 * full speed through shadow tables (mmu/shadow.h).
 *
 *  - The guest's translation registers (SCTLR, TCR, TTBRx, MAIR of EL1 and
 *    EL2, VTCR/VTTBR, HCR_EL2) live in avsim's register file. Unicorn's own
 *    SCTLR/TCR/TTBR/MAIR describe the shadow tables of the current context.
 *  - A shadow entry missing makes Unicorn raise an abort at the instruction:
 *    pe_mmu_abort() looks the TLB model up, walks on a miss (mmu/walk.c),
 *    inserts the translation into the model and the shadow tables and lets
 *    the instruction run again, or takes the architectural fault.
 *  - Entries leaving the model (TLBI, capacity) leave the shadow tables, so
 *    a translation the guest changed without TLBI stays in use, as on hardware.
 *  - Unicorn checks an address against its memory regions before translating
 *    it: while translation is on, guest VAs outside every region get an alias
 *    region (never accessed: shadow entries only point at RAM and devices;
 *    aliases are removed when translation is off in both regimes, so that
 *    unassigned physical addresses abort again).
 */
#include "cpu/pe_internal.h"
#include "cpu/routing.h"
#include "cpu/syndrome.h"
#include "cpu/sysreg_handlers.h"
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define OA_MASK 0x0000fffffffff000ULL
#define GIB (1ULL << 30)

uint64_t pe_guest_sctlr(const struct pe *pe, unsigned el)
{
    return pe->sr[el == 2 ? pe->idx.sctlr_el2 : pe->idx.sctlr_el1];
}

bool pe_mmu_active(const struct pe *pe)
{
    return pe->el == 2 ? pe->mmu.active_el2 : pe->mmu.active_el10;
}

static uint16_t current_vmid(const struct pe *pe);

/* ---- memory for the walker --------------------------------------------------------- */

static int walk_read64(void *opaque, uint64_t pa, uint64_t *val)
{
    struct pe *pe = opaque;
    if (pe->ops->phys_kind(pe->ops_opaque, pa) != 1 || (pa & 7))
        return -1;                    /* only RAM holds translation tables */
    return pe_read_phys(pe, pa, val, 8);
}

static uint16_t current_asid(const struct pe *pe);

static void walk_access(void *opaque, uint64_t pa, uint64_t addr, unsigned stage, int level)
{
    struct pe *pe = opaque;
    if (event_wanted(pe->events, EV_WALK)) {
        struct pe_mmu *m = &pe->mmu;
        struct event ev = { .type = EV_WALK, .pe = pe->index, .cycles = pe->cycles };
        bool el2 = m->walk_el == 2;
        ev.u.walk.addr = pa;
        ev.u.walk.walk_addr = addr;
        ev.u.walk.va = m->walk_va;
        ev.u.walk.stage = stage;
        ev.u.walk.level = level;
        ev.u.walk.el = m->walk_el;
        ev.u.walk.regime = el2 ? TLB_REGIME_EL2 : TLB_REGIME_EL10;
        ev.u.walk.vmid = el2 ? 0 : current_vmid(pe);
        ev.u.walk.asid = el2 ? 0 : current_asid(pe);
        ev.u.walk.s2_on = !el2 && m->s2.enabled;
        event_publish(pe->events, &ev);
    }
}

/* The walk cache: stage-2 translations of stage-1 table addresses, per VMID. */
static bool s2_walk_lookup(void *opaque, uint64_t ipa, uint64_t *pa)
{
    struct pe *pe = opaque;
    const struct tlb_entry *e = tlb_s2_lookup(&pe->mmu.tlb, current_vmid(pe), ipa);
    if (!e)
        return false;
    *pa = e->pa + (ipa - e->ipa);
    pe->mmu.walk_cache_hits++;
    return true;
}

static void s2_walk_insert(void *opaque, const struct mmu_result *r)
{
    struct pe *pe = opaque;
    uint64_t mask = ~((1ULL << r->page_shift) - 1);
    struct tlb_entry e = { .valid = true, .regime = TLB_REGIME_EL10, .s2 = true, .vmid = current_vmid(pe),
                           .page_shift = (uint8_t)r->page_shift, .perm_el0 = r->perm_el0,
                           .perm_el1 = r->perm_el1, .attr = r->attr, .sh = r->sh,
                           .va = r->ipa & mask, .ipa = r->ipa & mask, .pa = r->pa & mask };
    tlb_s2_insert(&pe->mmu.tlb, &e);
}

static bool s1_table_lookup(void *opaque, bool el2_regime, uint64_t va, int *level, uint64_t *table,
                            uint64_t *table_attrs)
{
    struct pe *pe = opaque;
    enum tlb_regime rg = el2_regime ? TLB_REGIME_EL2 : TLB_REGIME_EL10;
    const struct tlb_entry *e = tlb_s1_table_lookup(&pe->mmu.tlb, rg, el2_regime ? 0 : current_vmid(pe),
                                                    el2_regime ? 0 : current_asid(pe), va);
    if (!e)
        return false;
    *level = e->level;
    *table = e->pa;
    *table_attrs = (uint64_t)e->table_attrs << 59;
    pe->mmu.walk_cache_hits++;
    return true;
}

static void s1_table_insert(void *opaque, bool el2_regime, uint64_t va, int level, unsigned shift,
                            uint64_t table, uint64_t table_attrs)
{
    struct pe *pe = opaque;
    struct tlb_entry e = { .valid = true, .kind = TLB_KIND_S1_TABLE, .level = (uint8_t)level,
                           .table_attrs = (uint8_t)((table_attrs >> 59) & 0xf),
                           .regime = el2_regime ? TLB_REGIME_EL2 : TLB_REGIME_EL10,
                           .vmid = el2_regime ? 0 : current_vmid(pe), .asid = el2_regime ? 0 : current_asid(pe),
                           .page_shift = (uint8_t)shift, .va = va, .pa = table };
    tlb_s1_table_insert(&pe->mmu.tlb, &e);
}

static struct mmu_mem_ops mem_ops(struct pe *pe)
{
    return (struct mmu_mem_ops){ .read64 = walk_read64, .on_walk_access = walk_access,
                                 .s2_walk_lookup = s2_walk_lookup, .s2_walk_insert = s2_walk_insert,
                                 .s1_table_lookup = s1_table_lookup, .s1_table_insert = s1_table_insert,
                                 .opaque = pe };
}

/* ---- Unicorn's TLB ------------------------------------------------------------------ */

static uint64_t never_read(uc_engine *uc, uint64_t off, unsigned size, void *opaque) { return 0; }
static void never_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *opaque) {}

/* Unicorn has no call to flush its TLB; mapping a region does it (tlb_flush). */
void pe_flush_unicorn_tlb(struct pe *pe)
{
    if (uc_mmio_map(pe->uc, PE_SCRATCH_PA, 0x1000, never_read, NULL, never_write, NULL) == UC_ERR_OK)
        uc_mem_unmap(pe->uc, PE_SCRATCH_PA, 0x1000);
    pe->mmu.unicorn_flushes++;
    pe->mmu.unicorn_tlb_stale = false;
}

/* ---- statistics per context ---------------------------------------------------------- */

static struct mmu_ctx_stats *ctx_stats(struct pe *pe, unsigned regime, uint16_t vmid, uint16_t asid)
{
    struct pe_mmu *m = &pe->mmu;
    for (int i = 0; i < m->n_ctx_stats; i++) {
        struct mmu_ctx_stats *c = &m->ctx_stats[i];
        if (c->regime == regime && c->vmid == vmid && c->asid == asid)
            return c;
    }
    if (m->n_ctx_stats == PE_MMU_MAX_CTX_STATS)
        return &m->ctx_stats[PE_MMU_MAX_CTX_STATS - 1];     /* the last one collects the rest */
    struct mmu_ctx_stats *c = &m->ctx_stats[m->n_ctx_stats++];
    *c = (struct mmu_ctx_stats){ .regime = (uint8_t)regime, .vmid = vmid, .asid = asid };
    return c;
}

/* ---- shadow contexts ------------------------------------------------------------------ */

static void map_trampoline(struct pe *pe, struct shadow_ctx *c)
{
    /* The EL-switch page must translate at EL1 and EL2 in every context. */
    shadow_map_page(&pe->mmu.shadow, c, PE_TRAMPOLINE_PA, PE_TRAMPOLINE_PA, 0, MMU_PERM_R | MMU_PERM_X,
                    c->regime == 1, 1, 0xff);
}

static void shadow_was_reset(struct pe *pe)
{
    for (int i = 0; i < SHADOW_MAX_CTX; i++)
        if (pe->mmu.shadow.ctx[i].used)
            map_trampoline(pe, &pe->mmu.shadow.ctx[i]);
    block_cache_flush(&pe->blocks);
    pe->last_block = NULL;
    pe_flush_unicorn_tlb(pe);
}

static struct shadow_ctx *context(struct pe *pe, unsigned regime, uint16_t vmid, uint16_t asid)
{
    bool reset;
    struct shadow *s = &pe->mmu.shadow;
    struct shadow_ctx *c = shadow_context(s, regime, vmid, asid, &reset);
    if (reset)
        shadow_was_reset(pe);
    if (!shadow_lookup(s, c, PE_TRAMPOLINE_PA, &(uint64_t){ 0 })) {
        /* A new (or recycled) context: decoded blocks keyed by its slot are stale. */
        map_trampoline(pe, c);
        block_cache_flush(&pe->blocks);
        pe->last_block = NULL;
    }
    return c;
}

static void publish_tlb_event(struct pe *pe, enum event_type type, const struct tlb_entry *e,
                              unsigned walk_accesses)
{
    if (!event_wanted(pe->events, type))
        return;
    struct event ev = { .type = type, .pe = pe->index, .cycles = pe->cycles };
    ev.u.tlb.va = e->va;
    ev.u.tlb.ipa = e->ipa;
    ev.u.tlb.pa = e->pa;
    ev.u.tlb.page_shift = e->page_shift;
    ev.u.tlb.vmid = e->vmid;
    ev.u.tlb.asid = e->asid;
    ev.u.tlb.regime = e->regime;
    ev.u.tlb.walk_accesses = walk_accesses;
    event_publish(pe->events, &ev);
}

static void drop_from_shadow(void *opaque, const struct tlb_entry *e)
{
    struct pe *pe = opaque;
    struct shadow *s = &pe->mmu.shadow;
    /* Walk-cache entries never were in the shadow tables; a copy leaving one
     * level (an L1 victim still in L2) keeps the translation cached. */
    if (e->kind != TLB_KIND_LEAF || tlb_holds(&pe->mmu.tlb, e))
        return;
    pe->mmu.observe_gen++;
    for (int i = 0; i < SHADOW_MAX_CTX; i++) {
        struct shadow_ctx *c = &s->ctx[i];
        if (!c->used || c->regime != e->regime)
            continue;
        if (e->regime == TLB_REGIME_EL10 && (c->vmid != e->vmid || (!e->global && c->asid != e->asid)))
            continue;
        shadow_unmap_range(s, c, e->va, 1ULL << e->page_shift);
    }
    pe->mmu.unicorn_tlb_stale = true;
    publish_tlb_event(pe, EV_TLB_DROP, e, 0);
}

/* ---- configuration -------------------------------------------------------------------- */

static uint16_t current_vmid(const struct pe *pe)
{
    return pe->mmu.s2.enabled ? (uint16_t)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff) : 0;
}

static uint16_t current_asid(const struct pe *pe)
{
    const struct mmu_s1_config *s1 = &pe->mmu.s1_el10;
    if (!s1->enabled)
        return 0;
    uint64_t t = s1->ttbr[s1->a1 ? 1 : 0];
    return (uint16_t)(s1->as16 ? t >> 48 : (t >> 48) & 0xff);
}

static void unmap_aliases(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    for (int i = 0; i < m->n_aliases; i++) {
        uc_mem_unmap(pe->uc, m->aliases[i].base, m->aliases[i].size);
        munmap(m->aliases[i].host, m->aliases[i].size);
    }
    m->n_aliases = 0;
}

/* EV_CONTEXT when the EL1&0 tags the TLB model uses change. */
static void publish_context(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    uint16_t vmid = m->ctx_el10 ? m->ctx_el10->vmid : 0, asid = m->ctx_el10 ? m->ctx_el10->asid : 0;
    bool s2_on = m->ctx_el10 && m->s2.enabled;
    if (m->published_ctx.valid && m->published_ctx.vmid == vmid && m->published_ctx.asid == asid &&
        m->published_ctx.s2_on == s2_on)
        return;
    m->published_ctx.valid = true;
    m->published_ctx.vmid = vmid;
    m->published_ctx.asid = asid;
    m->published_ctx.s2_on = s2_on;
    if (event_wanted(pe->events, EV_CONTEXT)) {
        struct event ev = { .type = EV_CONTEXT, .pe = pe->index, .cycles = pe->cycles, .pc = pe->cur_start };
        ev.u.context.el = pe->el;
        ev.u.context.vmid = vmid;
        ev.u.context.asid = asid;
        ev.u.context.s2_on = s2_on;
        event_publish(pe->events, &ev);
    }
}

/* Fills ev->u.access for an access to va at the current EL that Unicorn has
 * just translated (through the shadow tables, so the TLB model holds the
 * translation). Side-effect free for the model. */
bool pe_mmu_describe_access(struct pe *pe, uint64_t va, bool fetch, struct event *ev)
{
    struct pe_mmu *m = &pe->mmu;
    unsigned el = pe->el;
    bool el2 = el == 2;
    ev->u.access.va = va;
    ev->u.access.el = el;
    ev->u.access.regime = el2 ? TLB_REGIME_EL2 : TLB_REGIME_EL10;
    struct shadow_ctx *c = el2 ? m->ctx_el2 : m->ctx_el10;
    if (!c) {                        /* translation off in this regime */
        ev->u.access.ipa = ev->u.access.pa = va;
        ev->u.access.vmid = ev->u.access.asid = 0;
        ev->u.access.s2_on = 0;
        return true;
    }
    uint16_t vmid = el2 ? 0 : c->vmid, asid = el2 ? 0 : c->asid;
    ev->u.access.vmid = vmid;
    ev->u.access.asid = asid;
    ev->u.access.s2_on = !el2 && m->s2.enabled;
    uint64_t page = va >> 12, off = va & 0xfff;
    struct pe_observed_translation *o = &m->observed[fetch ? 1 : 0][page & 63];
    if (!(o->valid && o->gen == m->observe_gen && o->page == page && o->vmid == vmid && o->asid == asid &&
          o->regime == ev->u.access.regime)) {
        const struct tlb_entry *e = tlb_peek(&m->tlb, fetch, ev->u.access.regime, vmid, asid, va);
        if (!e) {
            ev->u.access.ipa = ev->u.access.pa = UINT64_MAX;
            return false;
        }
        uint64_t in = (va - e->va) & ~0xfffULL;
        o->valid = true;
        o->gen = m->observe_gen;
        o->page = page;
        o->vmid = vmid;
        o->asid = asid;
        o->regime = (uint8_t)ev->u.access.regime;
        o->pa = e->pa + in;
        o->ipa = e->s2 ? e->ipa + in : o->pa;
    }
    ev->u.access.ipa = o->ipa | off;
    ev->u.access.pa = o->pa | off;
    return true;
}

void pe_mmu_update(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    uint64_t *r = pe->sr;
    uint64_t hcr = pe_hcr_el2(pe);
    mmu_s1_from_regs(&m->s1_el10, false, r[pe->idx.sctlr_el1], r[pe->idx.tcr_el1], r[pe->idx.ttbr0_el1],
                     r[pe->idx.ttbr1_el1], r[pe->idx.mair_el1]);
    mmu_s1_from_regs(&m->s1_el2, true, r[pe->idx.sctlr_el2], r[pe->idx.tcr_el2], r[pe->idx.ttbr0_el2], 0,
                     r[pe->idx.mair_el2]);
    mmu_s2_from_regs(&m->s2, hcr, r[pe->idx.vtcr_el2], r[pe->idx.vttbr_el2]);
    if (hcr & HCR_TGE) {              /* EL1&0 translation is off while TGE routes EL0 to EL2 */
        m->s1_el10.enabled = false;
        m->s2.enabled = false;
    }
    bool was_active = m->active_el10 || m->active_el2;
    struct shadow_ctx *old10 = m->ctx_el10, *old2 = m->ctx_el2;
    m->active_el10 = m->s1_el10.enabled || m->s2.enabled;
    m->active_el2 = m->s1_el2.enabled;
    m->ctx_el10 = m->active_el10 ? context(pe, TLB_REGIME_EL10, current_vmid(pe), current_asid(pe)) : NULL;
    m->ctx_el2 = m->active_el2 ? context(pe, TLB_REGIME_EL2, 0, 0) : NULL;
    publish_context(pe);

    /* Unicorn's registers: the shadow layout (4K granule, 48-bit VA, 44-bit PA). */
    const uint64_t keep = ~(1ULL | (1ULL << 19) | (1ULL << 3) | (1ULL << 4));   /* M, WXN, SA, SA0 */
    uint64_t tcr1 = 16 | (16ULL << 16) | (2ULL << 30) | (4ULL << 32) |
                    (r[pe->idx.tcr_el1] & (3ULL << 37));                         /* TBI0/TBI1 */
    uint64_t tcr2 = 16 | (4ULL << 16) | (1ULL << 31) | (1ULL << 23) | (r[pe->idx.tcr_el2] & (1ULL << 20));
    pe_cp_write(pe, 3, 0, 1, 0, 0, (r[pe->idx.sctlr_el1] & keep) | (m->active_el10 ? 1 : 0));
    pe_cp_write(pe, 3, 4, 1, 0, 0, (r[pe->idx.sctlr_el2] & keep) | (m->active_el2 ? 1 : 0));
    pe_cp_write(pe, 3, 0, 2, 0, 2, tcr1);
    pe_cp_write(pe, 3, 4, 2, 0, 2, tcr2);
    pe_cp_write(pe, 3, 0, 10, 2, 0, SHADOW_MAIR);
    pe_cp_write(pe, 3, 4, 10, 2, 0, SHADOW_MAIR);
    if (m->ctx_el10) {
        pe_cp_write(pe, 3, 0, 2, 0, 0, m->ctx_el10->root[0]);
        pe_cp_write(pe, 3, 0, 2, 0, 1, m->ctx_el10->root[1]);
    }
    if (m->ctx_el2)
        pe_cp_write(pe, 3, 4, 2, 0, 0, m->ctx_el2->root[0]);
    if (old10 != m->ctx_el10 || old2 != m->ctx_el2 || was_active != (m->active_el10 || m->active_el2))
        pe_flush_unicorn_tlb(pe);
    if (!m->active_el10 && !m->active_el2)
        unmap_aliases(pe);
}

void sr_write_mmu(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    if (d->index == pe->idx.sctlr_el1 || d->index == pe->idx.sctlr_el2)
        pe->attn.f.sp_recheck = true;
    pe_mmu_update(pe);
}

/* ---- translation for avsim's own accesses ---------------------------------------------- */

static const struct mmu_s1_config *s1_for(const struct pe *pe, unsigned el)
{
    return el == 2 ? &pe->mmu.s1_el2 : &pe->mmu.s1_el10;
}

bool pe_va_to_pa(struct pe *pe, uint64_t va, bool fetch, uint64_t *pa)
{
    if (!pe_mmu_active(pe)) {
        *pa = va;
        return true;
    }
    struct shadow_ctx *c = pe->el == 2 ? pe->mmu.ctx_el2 : pe->mmu.ctx_el10;
    uint64_t desc;
    if (c && shadow_lookup(&pe->mmu.shadow, c, va, &desc)) {
        *pa = (desc & OA_MASK) | (va & 0xfff);
        return true;
    }
    struct mmu_mem_ops mem = { .read64 = walk_read64, .opaque = pe };
    struct mmu_result r;
    if (!mmu_full_translate(&mem, s1_for(pe, pe->el), &pe->mmu.s2, va, fetch ? MMU_FETCH : MMU_READ, pe->el, &r))
        return false;
    *pa = r.pa;
    return true;
}

static int va_access(struct pe *pe, uint64_t va, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        size_t n = 0x1000 - (va & 0xfff);
        if (n > len)
            n = len;
        uint64_t pa;
        if (!pe_va_to_pa(pe, va, false, &pa))
            return -1;
        if ((write ? pe_write_phys(pe, pa, p, n) : pe_read_phys(pe, pa, p, n)) != 0)
            return -1;
        va += n;
        p += n;
        len -= n;
    }
    return 0;
}

int pe_read_va(struct pe *pe, uint64_t va, void *buf, size_t len) { return va_access(pe, va, buf, len, false); }
int pe_write_va(struct pe *pe, uint64_t va, const void *buf, size_t len)
{
    return va_access(pe, va, (void *)buf, len, true);
}

/* ---- filling and faulting ---------------------------------------------------------------- */

enum fill_result {
    FILL_OK,
    FILL_FAULT,
    FILL_EXTERNAL,     /* translated to unassigned memory */
    FILL_NOMAP,        /* allowed, but a shadow descriptor cannot say it (no read right at this EL) */
};

static uint8_t perm_need(enum mmu_access acc)
{
    return acc == MMU_READ ? MMU_PERM_R : acc == MMU_WRITE ? MMU_PERM_W : MMU_PERM_X;
}

/* Maps the page for Unicorn; false when the current EL may not read it
 * (write-only or execute-only at EL1/EL2): no descriptor can express that. */
static bool install(struct pe *pe, struct shadow_ctx *c, uint64_t va, const struct tlb_entry *e)
{
    uint8_t perm = pe->el == 0 ? e->perm_el0 : e->perm_el1;
    if (!(perm & MMU_PERM_R) && (pe->el != 0 || (perm & MMU_PERM_W)))
        return false;
    uint64_t pa = e->pa + ((va & ~0xfffULL) - e->va);
    if (!shadow_map_page(&pe->mmu.shadow, c, va & ~0xfffULL, pa, e->perm_el0, e->perm_el1,
                         e->regime == TLB_REGIME_EL2, pe->el, e->attr)) {
        shadow_reset(&pe->mmu.shadow);
        shadow_was_reset(pe);
        shadow_map_page(&pe->mmu.shadow, c, va & ~0xfffULL, pa, e->perm_el0, e->perm_el1,
                        e->regime == TLB_REGIME_EL2, pe->el, e->attr);
    }
    return true;
}

/* After the model evicted a translation (a fill, or an L2 hit refilling an
 * L1), it is gone from the shadow tables too, but Unicorn's own TLB may still
 * hold it and would translate the page without asking the model: the TLB
 * statistics and the cycles would then depend on Unicorn's TLB, whose size
 * Unicorn 2.0.1 changes by host time (tlb_mmu_resize_locked), not on the
 * model. Unicorn's TLB is flushed whenever a page left the shadow tables. */
static void sync_unicorn_tlb(struct pe *pe)
{
    if (pe->mmu.unicorn_tlb_stale)
        pe_flush_unicorn_tlb(pe);
}

/* Makes the page holding va usable for acc at the current EL, from the TLB
 * model or a walk (AArch64.FullTranslate), or returns the fault. */
static enum fill_result fill(struct pe *pe, uint64_t va, enum mmu_access acc, struct mmu_fault *fault,
                             uint64_t *ipa)
{
    struct pe_mmu *m = &pe->mmu;
    unsigned el = pe->el, regime = el == 2 ? TLB_REGIME_EL2 : TLB_REGIME_EL10;
    struct shadow_ctx *c = regime == TLB_REGIME_EL2 ? m->ctx_el2 : m->ctx_el10;
    uint16_t vmid = regime == TLB_REGIME_EL2 ? 0 : c->vmid, asid = regime == TLB_REGIME_EL2 ? 0 : c->asid;
    struct mmu_ctx_stats *st = ctx_stats(pe, regime, vmid, asid);
    bool fetch = acc == MMU_FETCH;
    unsigned level;
    const struct tlb_entry *e = tlb_lookup(&m->tlb, fetch, (enum tlb_regime)regime, vmid, asid, va, &level);
    sync_unicorn_tlb(pe);             /* an L2 hit refills the L1, which may evict */
    if (e && ((el == 0 ? e->perm_el0 : e->perm_el1) & perm_need(acc))) {
        if (level == 2) {
            pe->cycles += m->tlb.cfg.l2_hit_cycles;
            pmu_count(&pe->pmu, fetch ? PMU_SRC_L1I_TLB_REFILL : PMU_SRC_L1D_TLB_REFILL, el, 1);
        }
        m->tlb_hits++;
        st->tlb_hits++;
        return install(pe, c, va, e) ? FILL_OK : FILL_NOMAP;
    }
    struct mmu_mem_ops mem = mem_ops(pe);
    struct mmu_result r;
    m->walk_va = va;
    m->walk_el = el;
    bool ok = mmu_full_translate(&mem, s1_for(pe, el), &m->s2, va, acc, el, &r);
    m->walks++;
    st->walks++;
    m->walk_accesses += r.walk_accesses;
    st->walk_accesses += r.walk_accesses;
    pe->cycles += (uint64_t)r.walk_accesses * m->tlb.cfg.walk_access_cycles;
    if (!ok) {
        m->faults++;
        st->faults++;
        *fault = r.fault;
        *ipa = r.fault.ipa;
        return FILL_FAULT;
    }
    if (pe->ops->phys_kind(pe->ops_opaque, r.pa) == 0)
        return FILL_EXTERNAL;                 /* translated to nothing: an external abort */
    unsigned ps = r.page_shift;
    uint64_t mask = ~((1ULL << ps) - 1);
    struct tlb_entry ne = {
        .valid = true, .regime = (uint8_t)regime, .global = r.global,
        .s2 = regime == TLB_REGIME_EL10 && m->s2.enabled, .asid = asid, .vmid = vmid,
        .page_shift = (uint8_t)ps, .perm_el0 = r.perm_el0, .perm_el1 = r.perm_el1, .attr = r.attr,
        .sh = r.sh, .va = va & mask, .ipa = r.ipa & mask, .pa = r.pa & mask,
    };
    tlb_insert(&m->tlb, fetch, &ne);
    pmu_count(&pe->pmu, fetch ? PMU_SRC_L1I_TLB_REFILL : PMU_SRC_L1D_TLB_REFILL, el, 1);
    pmu_count(&pe->pmu, PMU_SRC_L2D_TLB_REFILL, el, 1);
    sync_unicorn_tlb(pe);
    m->fills++;
    st->fills++;
    publish_tlb_event(pe, EV_TLB_FILL, &ne, r.walk_accesses);
    return install(pe, c, va, &ne) ? FILL_OK : FILL_NOMAP;
}

/* AArch64.Abort for a translation-related fault: ESR, FAR, HPFAR, routing. */
static void take_mmu_fault(struct pe *pe, uint64_t pc, uint64_t va, enum mmu_access acc,
                           const struct mmu_fault *f, const struct a64_ldst *d, bool external)
{
    bool fetch = acc == MMU_FETCH;
    unsigned target = (!external && f->stage2) ? 2 : pe_route_el1(pe);
    unsigned fsc = external ? FSC_SEA : mmu_fault_fsc(f);
    bool s1ptw = !external && f->s1ptw;
    struct pe_exception x = { .kind = 0, .has_esr = true, .target_el = target, .return_pc = pc,
                              .far_valid = true, .far = va, .in_block = true };
    if (fetch) {
        x.ec = target == pe->el ? EC_IABORT_SAME : EC_IABORT_LOWER;
        x.iss = iss_instruction_abort(false, s1ptw, fsc);
    } else {
        struct data_iss is = d ? d->iss : (struct data_iss){ 0 };
        /* ISV only for a stage-2 fault that is not on a stage-1 walk. */
        is.isv = is.isv && !external && f->stage2 && !s1ptw;
        x.ec = target == pe->el ? EC_DABORT_SAME : EC_DABORT_LOWER;
        x.iss = iss_data_abort(&is, false, false, s1ptw, acc == MMU_WRITE, fsc);
    }
    if (!external && f->stage2)
        pe_cp_write(pe, 3, 4, 6, 0, 4, (f->ipa >> 12) << 4);     /* HPFAR_EL2.FIPA */
    if (event_wanted(pe->events, EV_MMU_FAULT)) {
        struct event ev = { .type = EV_MMU_FAULT, .pe = pe->index, .cycles = pe->cycles, .pc = pc };
        ev.u.mmu_fault.va = va;
        ev.u.mmu_fault.ipa = external ? 0 : f->ipa;
        ev.u.mmu_fault.fsc = fsc;
        ev.u.mmu_fault.stage2 = !external && f->stage2;
        ev.u.mmu_fault.s1ptw = s1ptw;
        event_publish(pe->events, &ev);
    }
    pe_take_exception(pe, &x);
}

static uint64_t reg_value(void *opaque, unsigned reg, bool is_sp)
{
    struct pe *pe = opaque;
    if (reg == 31)
        return is_sp ? pe_rd(pe, UC_ARM64_REG_SP) : 0;
    return pe_get_x(pe, reg);
}

/* A store to a page the current EL may write but not read: Unicorn cannot be
 * given such a mapping, so avsim performs the store (general-purpose
 * registers, single or pair, with writeback) and steps over it. */
static bool emulate_store(struct pe *pe, uint64_t pc, uint32_t insn, const struct a64_ldst *d, uint64_t va)
{
    if (!d->is_store || d->vector || d->exclusive)
        return false;
    struct mmu_mem_ops mem = { .read64 = walk_read64, .opaque = pe };
    unsigned regs[2] = { d->rt, (insn >> 10) & 31 };
    for (unsigned i = 0; i < d->nregs; i++) {
        uint64_t v = regs[i] == 31 ? 0 : pe_get_x(pe, regs[i]);
        for (unsigned b = 0; b < d->size; b++) {
            uint64_t a = va + (uint64_t)i * d->size + b;
            struct mmu_result r;
            if (!mmu_full_translate(&mem, s1_for(pe, pe->el), &pe->mmu.s2, a, MMU_WRITE, pe->el, &r))
                return false;
            uint8_t byte = (uint8_t)(v >> (8 * b));
            pe_write_phys(pe, r.pa, &byte, 1);
        }
    }
    if (d->writeback && d->wb_known) {
        uint64_t base = d->rn == 31 ? pe_rd(pe, UC_ARM64_REG_SP) : pe_get_x(pe, d->rn);
        base += (uint64_t)d->wb_imm;
        if (d->rn == 31)
            pe_wr(pe, UC_ARM64_REG_SP, base);
        else
            pe_set_x(pe, d->rn, base);
    }
    pe_uncount_from(pe, pc + 4);
    pe_wr(pe, UC_ARM64_REG_PC, pc + 4);
    return true;
}

/* Does the shadow table lack what the load/store (or DC ZVA) w at `at` needs,
 * computed with the current registers? */
static bool access_is_missing(struct pe *pe, struct shadow_ctx *c, uint32_t w, uint64_t at, struct a64_ldst *d,
                              uint64_t *va_out)
{
    uint64_t va, len;
    bool store;
    if (a64_decode_ldst(w, d) && d->is_mem) {
        va = a64_ldst_address(d, at, reg_value, pe);
        len = (uint64_t)d->size * d->nregs;
        store = d->is_store;
    } else if ((w & 0xffffffe0u) == 0xd50b7420u) {          /* DC ZVA */
        va = pe_get_x(pe, w & 31) & ~63ULL;
        len = 64;
        store = true;
    } else {
        return false;
    }
    *va_out = va;
    for (uint64_t page = va & ~0xfffULL; page < va + len; page += 0x1000) {
        uint64_t desc;
        if (!shadow_lookup(&pe->mmu.shadow, c, page, &desc) || (store && (desc & (1ULL << 7))))
            return true;
    }
    return false;
}

/* Unicorn 2.0.1 sometimes reports a data abort with a stale PC (the start of
 * an earlier translation block) while the registers are those of the faulting
 * access: its state restore does not find the block (seen in a Linux boot
 * while blocks were being re-translated thousands of times for cuts). The faulting address is then needed to find the access in the block
 * avsim's hook saw last. Unicorn keeps it in its CPU state
 * (env->exception.vaddress), which only uc_context_save exposes, at an offset
 * the public API does not give: it is learnt from the aborts whose PC is
 * right (the offset that held the faulting address every time). */
#define FAR_PROBE_SAMPLES 8
#define FAR_PROBE_MAX_CAND 32

static void far_probe_learn(struct pe *pe, uint64_t va)
{
    struct pe_far_probe *p = &pe->mmu.far_probe;
    if (p->offset >= 0 || p->failed)
        return;
    if (!p->ctx && uc_context_alloc(pe->uc, &p->ctx) != UC_ERR_OK) {
        p->failed = true;
        return;
    }
    if (uc_context_save(pe->uc, p->ctx) != UC_ERR_OK) {
        p->failed = true;
        return;
    }
    const uint8_t *blob = (const uint8_t *)p->ctx;
    size_t size = uc_context_size(pe->uc);
    if (!p->samples) {
        for (size_t off = 0; off + 8 <= size; off += 8) {
            uint64_t v;
            memcpy(&v, blob + off, 8);
            if (v == va && p->n_cand < FAR_PROBE_MAX_CAND)
                p->cand[p->n_cand++] = (uint32_t)off;
        }
    } else {
        unsigned n = 0;
        for (unsigned i = 0; i < p->n_cand; i++) {
            uint64_t v;
            memcpy(&v, blob + p->cand[i], 8);
            if (v == va)
                p->cand[n++] = p->cand[i];
        }
        p->n_cand = n;
    }
    if (!p->n_cand) {
        p->failed = true;                   /* give up: the stale-PC case then stops the run */
        return;
    }
    if (++p->samples >= FAR_PROBE_SAMPLES && p->n_cand == 1)
        p->offset = (int)p->cand[0];
}

/* The faulting address of the abort Unicorn reports now, if the probe knows where it is. */
static bool far_probe_read(struct pe *pe, uint64_t *far)
{
    struct pe_far_probe *p = &pe->mmu.far_probe;
    if (p->offset < 0 || uc_context_save(pe->uc, p->ctx) != UC_ERR_OK)
        return false;
    memcpy(far, (const uint8_t *)p->ctx + p->offset, 8);
    return true;
}

void pe_mmu_abort(struct pe *pe, uint64_t pc, bool fetch)
{
    struct a64_ldst d = { 0 }, *dp = NULL;
    uint64_t va;
    uint64_t len;
    enum mmu_access acc;
    if (fetch) {
        va = pc;
        len = 4;
        acc = MMU_FETCH;
    } else {
        uint32_t w = pe_read_insn(pe, pc);
        /* Unicorn aborts only on an access its (shadow) tables do not allow: if the
         * instruction at the reported PC is no such access, the PC is stale. Once
         * the faulting address can be read (far_probe), the PC is trusted only
         * when the access there covers it: a stale PC may point at another
         * missing access, and resuming there would run instructions twice. */
        bool in_block = pc >= pe->cur_start && pc - pe->cur_start < pe->cur_size;
        struct shadow_ctx *sc = pe->el == 2 ? pe->mmu.ctx_el2 : pe->mmu.ctx_el10;
        uint64_t probe_va = 0, far;
        bool missing = in_block && sc && access_is_missing(pe, sc, w, pc, &d, &probe_va);
        bool have_far = sc && far_probe_read(pe, &far);
        bool precise;
        if (have_far) {
            uint64_t len = (w & 0xffffffe0u) == 0xd50b7420u ? 64 : (uint64_t)d.size * d.nregs;
            precise = missing && far >= probe_va && far - probe_va < len;
        } else {
            precise = missing;
            if (missing)
                far_probe_learn(pe, probe_va);
        }
        if (!precise && sc) {
            uint64_t at;
            if (!have_far || !pe_find_faulting_access(pe, far, -1, &at, &d)) {
                pe_fatal(pe, "internal error: Unicorn reported a data abort at PC 0x%llx (instruction "
                         "0x%08x), which is not the faulting access, and avsim cannot find the access "
                         "in the block at 0x%llx", (unsigned long long)pc, w,
                         (unsigned long long)pe->cur_start);
                return;
            }
            pe_wr(pe, UC_ARM64_REG_PC, at);
            pc = at;
            w = pe_read_insn(pe, pc);
        }
        if (a64_decode_ldst(w, &d) && d.is_mem) {
            va = a64_ldst_address(&d, pc, reg_value, pe);
            /* Unicorn checks alignment itself where it is required (SCTLR_ELx.A,
             * exclusives, acquire/release); any other unaligned access that
             * aborts here is a shadow table miss, and is translated. */
            bool must_align = d.exclusive || d.acqrel || ((pe_guest_sctlr(pe, pe->el) >> 1) & 1);
            if (must_align && pe_alignment_fault(pe, pc, &d, va))
                return;
            len = (uint64_t)d.size * d.nregs;
            acc = d.is_store ? MMU_WRITE : MMU_READ;
            dp = &d;
        } else if ((w & 0xffffffe0u) == 0xd50b7420u) {          /* DC ZVA, Xt */
            va = pe_get_x(pe, w & 31) & ~63ULL;
            len = 64;
            acc = MMU_WRITE;
        } else {
            pe_fatal(pe, "internal error: a data abort at PC 0x%llx (instruction 0x%08x) that avsim "
                     "cannot attribute to an access", (unsigned long long)pc, w);
            return;
        }
    }
    if (!pe_mmu_active(pe)) {
        pe_fatal(pe, "internal error: Unicorn reported a translation abort at PC 0x%llx with translation off",
                 (unsigned long long)pc);
        return;
    }
    bool nomap = false;
    for (uint64_t page = va & ~0xfffULL; page < va + len; page += 0x1000) {
        uint64_t a = page < va ? va : page, ipa = 0;
        struct mmu_fault f;
        enum fill_result fr = fill(pe, a, acc, &f, &ipa);
        if (fr == FILL_OK)
            continue;
        if (fr == FILL_NOMAP) {
            nomap = true;
            continue;
        }
        take_mmu_fault(pe, pc, a, acc, &f, dp, fr == FILL_EXTERNAL);
        return;
    }
    if (nomap) {
        if (!(dp && emulate_store(pe, pc, pe_read_insn(pe, pc), dp, va)))
            pe_fatal(pe, "an access at PC 0x%llx to 0x%llx, which this EL may %s but not read: "
                     "execute-only or write-only memory at EL1/EL2 is not modelled for this instruction",
                     (unsigned long long)pc, (unsigned long long)va, fetch ? "execute" : "write");
        return;
    }
    if (!fetch)
        pe_uncount_from(pe, pc);      /* the block runs again from the access */
    /* Everything was mapped already with the rights the model grants: Unicorn
     * retries with the entry just re-encoded for this EL. Guard against loops. */
    struct pe_mmu *m = &pe->mmu;
    if (m->last_fix_va == va && m->last_fix_pc == pc) {
        if (++m->fix_repeats > 8)
            pe_fatal(pe, "internal error: Unicorn keeps faulting at PC 0x%llx on 0x%llx although the "
                     "MMU model allows the access", (unsigned long long)pc, (unsigned long long)va);
    } else {
        m->last_fix_va = va;
        m->last_fix_pc = pc;
        m->fix_repeats = 0;
    }
}

/* ---- VA aliases for Unicorn's region check ----------------------------------------------- */

bool pe_mmu_va_alias(struct pe *pe, uint64_t va)
{
    struct pe_mmu *m = &pe->mmu;
    if (!pe_mmu_active(pe) || m->n_aliases == (int)(sizeof m->aliases / sizeof m->aliases[0]))
        return false;
    uint64_t lo = va & ~(GIB - 1), hi = lo + GIB;
    uc_mem_region *regs = NULL;
    uint32_t n = 0;
    if (uc_mem_regions(pe->uc, &regs, &n) != UC_ERR_OK)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t b = regs[i].begin, e = regs[i].end + 1;
        if (e <= va && e > lo)
            lo = e;
        if (b > va && b < hi)
            hi = b;
        if (b <= va && va < e) {          /* va is inside a region: nothing to alias */
            uc_free(regs);
            return false;
        }
    }
    uc_free(regs);
    lo = (lo + 0xfff) & ~0xfffULL;
    hi &= ~0xfffULL;
    /* Unicorn also checks the region's permissions against the access (a fetch
     * needs EXEC) and fetches code only from RAM regions, so the alias is RAM
     * with every permission, backed by a reservation that is never touched. */
    void *host = mmap(NULL, hi - lo, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (hi <= lo || host == MAP_FAILED)
        return false;
    if (uc_mem_map_ptr(pe->uc, lo, hi - lo, UC_PROT_ALL, host) != UC_ERR_OK) {
        munmap(host, hi - lo);
        return false;
    }
    m->aliases[m->n_aliases].host = host;
    m->aliases[m->n_aliases].base = lo;
    m->aliases[m->n_aliases].size = hi - lo;
    m->n_aliases++;
    return true;
}

/* ---- TLB maintenance ----------------------------------------------------------------------- */

static const struct { const char *name; enum tlbi_op op; } tlbi_ops[] = {
    { "TLBI VMALLE1", TLBI_VMALLE1 }, { "TLBI VMALLE1IS", TLBI_VMALLE1 },
    { "TLBI VAE1", TLBI_VAE1 }, { "TLBI VAE1IS", TLBI_VAE1 },
    { "TLBI VALE1", TLBI_VALE1 }, { "TLBI VALE1IS", TLBI_VALE1 },
    { "TLBI VAAE1", TLBI_VAAE1 }, { "TLBI VAAE1IS", TLBI_VAAE1 },
    { "TLBI VAALE1", TLBI_VAALE1 }, { "TLBI VAALE1IS", TLBI_VAALE1 },
    { "TLBI ASIDE1", TLBI_ASIDE1 }, { "TLBI ASIDE1IS", TLBI_ASIDE1 },
    { "TLBI IPAS2E1", TLBI_IPAS2E1 }, { "TLBI IPAS2E1IS", TLBI_IPAS2E1 },
    { "TLBI IPAS2LE1", TLBI_IPAS2LE1 }, { "TLBI IPAS2LE1IS", TLBI_IPAS2LE1 },
    { "TLBI VMALLS12E1", TLBI_VMALLS12E1 }, { "TLBI VMALLS12E1IS", TLBI_VMALLS12E1 },
    { "TLBI ALLE1", TLBI_ALLE1 }, { "TLBI ALLE1IS", TLBI_ALLE1 },
    { "TLBI ALLE2", TLBI_ALLE2 }, { "TLBI ALLE2IS", TLBI_ALLE2 },
    { "TLBI VAE2", TLBI_VAE2 }, { "TLBI VAE2IS", TLBI_VAE2 },
    { "TLBI VALE2", TLBI_VALE2 }, { "TLBI VALE2IS", TLBI_VALE2 },
};

void sr_tlbi(struct pe *pe, const struct sysreg_def *d, uint64_t xt)
{
    for (size_t i = 0; i < sizeof tlbi_ops / sizeof tlbi_ops[0]; i++) {
        if (strcmp(tlbi_ops[i].name, d->name) != 0)
            continue;
        struct pe_mmu *m = &pe->mmu;
        /* Operands: ASID in Xt[63:48], VA[55:12] in Xt[43:0] (sign-extended from
         * bit 55), IPA[47:12] in Xt[35:0]. */
        uint64_t va = (xt & ((1ULL << 44) - 1)) << 12;
        if (va & (1ULL << 55))
            va |= 0xff00000000000000ULL;
        struct tlbi_request rq = {
            .op = tlbi_ops[i].op, .vmid = (uint16_t)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff),
            .asid = (uint16_t)(m->s1_el10.as16 ? xt >> 48 : (xt >> 48) & 0xff), .va = va,
            .ipa = (xt & ((1ULL << 36) - 1)) << 12,
        };
        unsigned removed = tlbi(&m->tlb, &rq);
        m->tlbis++;
        /* The IS forms are broadcast to the Inner Shareable domain: every PE. */
        size_t n = strlen(d->name);
        bool inner_shareable = n > 2 && !strcmp(d->name + n - 2, "IS");
        if (event_wanted(pe->events, EV_TLBI)) {
            struct event ev = { .type = EV_TLBI, .pe = pe->index, .cycles = pe->cycles };
            ev.u.tlbi.op = d->name;
            ev.u.tlbi.arg = xt;
            ev.u.tlbi.removed = removed;
            ev.u.tlbi.kind = rq.op;
            ev.u.tlbi.el = pe->el;
            ev.u.tlbi.inner_shareable = inner_shareable;
            ev.u.tlbi.vmid = rq.vmid;
            ev.u.tlbi.asid = rq.asid;
            ev.u.tlbi.va = rq.va;
            ev.u.tlbi.ipa = rq.ipa;
            event_publish(pe->events, &ev);
        }
        if (removed || m->unicorn_tlb_stale)
            pe_flush_unicorn_tlb(pe);
        if (inner_shareable && pe->ops->broadcast_tlbi)
            pe->ops->broadcast_tlbi(pe->ops_opaque, pe, &rq);
        return;
    }
}

void pe_mmu_remote_tlbi(struct pe *pe, const struct tlbi_request *rq)
{
    if (tlbi(&pe->mmu.tlb, rq) || pe->mmu.unicorn_tlb_stale)
        pe_flush_unicorn_tlb(pe);
}

/* An AT S1E0x/S1E1x at EL1 whose stage-1 walk faults at stage 2 takes a data
 * abort to EL2 (CM=1, S1PTW=1, WnR=1) instead of reporting in PAR_EL1. True when
 * the instruction at pc is such an AT (whatever its outcome). */
bool pe_at_needs_check(const struct pe *pe, const struct sysreg_def *d)
{
    return d && pe->el == 1 && pe->mmu.s2.enabled && d->write == sr_at && d->op1 == 0;
}

bool pe_at_stage2_abort(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block)
{
    struct a64_sys sy = a64_decode_sys(insn);
    const struct sysreg_def *d = sysreg_lookup(sy.op0, sy.op1, sy.crn, sy.crm, sy.op2);
    if (!pe_at_needs_check(pe, d))
        return false;
    uint64_t va = sy.rt == 31 ? 0 : pe_get_x(pe, sy.rt);
    bool write = d->name[strlen(d->name) - 1] == 'W';
    unsigned el = d->name[6] - '0';                     /* "AT S1E0R" / "AT S1E1W" */
    struct mmu_mem_ops mem = mem_ops(pe);
    struct mmu_result r;
    pe->mmu.walk_va = va;
    pe->mmu.walk_el = el;
    if (mmu_translate_s1(&mem, &pe->mmu.s1_el10, &pe->mmu.s2, va, write ? MMU_WRITE : MMU_READ, el, &r) ||
        !r.fault.stage2)
        return false;
    struct pe_exception x = { .kind = 0, .ec = EC_DABORT_LOWER, .has_esr = true, .target_el = 2,
                              .return_pc = pc, .far_valid = true, .far = va, .in_block = in_block };
    /* WnR is 1 for faults on address translation (and cache maintenance) instructions. */
    x.iss = iss_data_abort(NULL, false, true, true, true, mmu_fault_fsc(&r.fault));
    pe_cp_write(pe, 3, 4, 6, 0, 4, (r.fault.ipa >> 12) << 4);
    pe_take_exception(pe, &x);
    return true;
}

/* ---- address translation instructions --------------------------------------------------------- */

void sr_at(struct pe *pe, const struct sysreg_def *d, uint64_t va)
{
    /* AT S1E0R/W, S1E1R/W (stage 1 of EL1&0), S1E2R/W (EL2), S12E0R/W, S12E1R/W (both stages). */
    const char *op = d->name + 3;
    bool write = op[strlen(op) - 1] == 'W';
    bool two_stage = strncmp(op, "S12", 3) == 0;
    unsigned el = op[two_stage ? 4 : 3] - '0';
    struct mmu_mem_ops mem = { .read64 = walk_read64, .opaque = pe };
    struct mmu_result r;
    bool ok;
    enum mmu_access acc = write ? MMU_WRITE : MMU_READ;
    if (el == 2)
        ok = mmu_full_translate(&mem, &pe->mmu.s1_el2, NULL, va, acc, 2, &r);
    else if (two_stage)
        ok = mmu_full_translate(&mem, &pe->mmu.s1_el10, &pe->mmu.s2, va, acc, el, &r);
    else {
        ok = mmu_translate_s1(&mem, &pe->mmu.s1_el10, &pe->mmu.s2, va, acc, el, &r);
        if (ok)
            r.pa = r.ipa;
    }
    pe_cp_write(pe, 3, 0, 7, 4, 0, mmu_par_from_result(&r, ok));     /* PAR_EL1 */
}

/* ---- life cycle ------------------------------------------------------------------------------ */

int pe_mmu_init(struct pe *pe, const struct tlb_config *tlb, char *err, size_t errlen)
{
    struct pe_mmu *m = &pe->mmu;
    if (tlb_init(&m->tlb, tlb ? tlb : &tlb_config_cortex_a57, drop_from_shadow, pe, err, (unsigned)errlen) != 0)
        return -1;
    if (shadow_init(&m->shadow) != 0 ||
        uc_mem_map_ptr(pe->uc, SHADOW_POOL_PA, SHADOW_POOL_SIZE, UC_PROT_READ | UC_PROT_WRITE,
                       m->shadow.pool) != UC_ERR_OK) {
        snprintf(err, errlen, "cannot set up the shadow translation tables");
        return -1;
    }
    m->far_probe.offset = -1;
    return 0;
}

void pe_mmu_destroy(struct pe *pe)
{
    if (pe->mmu.far_probe.ctx)
        uc_context_free(pe->mmu.far_probe.ctx);
    tlb_destroy(&pe->mmu.tlb);
    shadow_destroy(&pe->mmu.shadow);
}

void pe_mmu_reset(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    struct tlbi_request all = { .op = TLBI_ALLE1 }, all2 = { .op = TLBI_ALLE2 };
    tlbi(&m->tlb, &all);
    tlbi(&m->tlb, &all2);
    unmap_aliases(pe);
    shadow_reset(&m->shadow);
    for (int i = 0; i < SHADOW_MAX_CTX; i++)
        m->shadow.ctx[i].used = false;
    m->ctx_el10 = m->ctx_el2 = NULL;
    m->active_el10 = m->active_el2 = false;
    pe_mmu_update(pe);
    pe_flush_unicorn_tlb(pe);
}

/* uc_ctl_remove_cache translates the start address through Unicorn's MMU, and
 * a translation miss there raises a guest exception out of the call (a
 * longjmp out of avsim's hook): the shadow tables must hold the page first. */
bool pe_remove_translated_code(struct pe *pe, uint64_t start, uint64_t end)
{
    if (pe_mmu_active(pe)) {
        struct mmu_fault f;
        uint64_t ipa;
        if (fill(pe, start, MMU_FETCH, &f, &ipa) != FILL_OK)
            return false;
    }
    uc_ctl_remove_cache(pe->uc, start, end);
    return true;
}
