/* The PE's MMU: the C model decides every translation; Unicorn asks it.
 *
 * Unicorn runs in its TLB_VIRTUAL mode: it keeps its own TLB of (VA page ->
 * host page, rights) per mmu_idx (one per EL here), and on every miss of that
 * TLB it calls on_tlb_fill() with the page-aligned VA and the kind of access.
 * The fill asks the TLB model (mmu/tlb.c) and walks on a miss (mmu/walk.c,
 * AArch64.FullTranslate), and gives Unicorn the final PA of the page with both
 * stages' rights combined for the current EL; or refuses, and avsim takes the
 * abort when uc_emu_start returns (pe_mmu_take_pending_fault). The guest's
 * translation registers live in avsim's register file; Unicorn's own are
 * unused.
 *
 * Unicorn's TLB is a level in front of the model that the model cannot see:
 * its hits never reach avsim. Two rules keep the model authoritative and the
 * run deterministic whatever Unicorn's TLB does (it sizes itself by host time,
 * tlb_mmu_resize_locked):
 *  - What the model does not hold, Unicorn does not serve. Every model entry
 *    that served a fill since Unicorn's TLB was last flushed is in the "held"
 *    set; an entry of that set leaving the model (eviction, TLBI) flushes
 *    Unicorn's TLB and empties the set, except a 4K entry that a local TLBI by
 *    VA removes, which Unicorn's own TLBI drops page by page. Entries that
 *    served no fill since the last flush leave without a flush: Unicorn cannot
 *    hold them. Changes of the translation context (VMID, ASID, translation
 *    registers) flush Unicorn's TLB: it is not tagged.
 *  - Only a translation's first use since the last flush changes the model:
 *    the lookup that updates replacement state, statistics, the PMU's refill
 *    counts and the cycles of an L2 hit or a walk. A fill for an entry already
 *    in the held set (Unicorn dropped its own copy: a conflict in its
 *    direct-mapped table, or a resize) only reads the model.
 * Stores are fast in Unicorn 2.1.2+ on pages whose entry has no execute right
 * (no self-modifying-code check), so a data fill never grants EXEC; a fetch
 * from such a page misses again and gets it.
 */
#include "cpu/pe_internal.h"
#include "cpu/routing.h"
#include "cpu/syndrome.h"
#include "cpu/sysreg_handlers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SCTLR that controls EL el: EL0's is SCTLR_EL2 under HCR_EL2.{E2H,TGE} = {1,1}. */
uint64_t pe_guest_sctlr(const struct pe *pe, unsigned el)
{
    bool el2 = el == 2 || (el == 0 && pe->mmu.host_el0);
    return pe->sr[el2 ? pe->idx.sctlr_el2 : pe->idx.sctlr_el1];
}

/* Does EL el translate in the EL2 (or EL2&0) regime? EL2 always; EL0 under E2H and TGE. */
static inline bool in_el2_regime(const struct pe_mmu *m, unsigned el)
{
    return el == 2 || (el == 0 && m->host_el0);
}

bool pe_mmu_active(const struct pe *pe)
{
    return in_el2_regime(&pe->mmu, pe->el) ? pe->mmu.active_el2 : pe->mmu.active_el10;
}

static uint16_t current_vmid(const struct pe *pe);

/* ---- memory for the walker --------------------------------------------------------- */

static int walk_read64(void *opaque, uint64_t pa, uint64_t *val)
{
    struct pe *pe = opaque;
    const uint8_t *p = pe_ram_ptr(pe, pa, 8);
    if (p && !(pa & 7)) {
        memcpy(val, p, 8);            /* the usual case: a table in RAM */
        return 0;
    }
    if (pe->ops->phys_kind(pe->ops_opaque, pa) != 1 || (pa & 7))
        return -1;                    /* only RAM holds translation tables */
    return pe_read_phys(pe, pa, val, 8);
}

static uint16_t current_asid(const struct pe *pe);

/* The translation regime of EL el's accesses: EL2's is the EL2&0 regime while HCR_EL2.E2H = 1. */
static inline unsigned regime_of(const struct pe_mmu *m, unsigned el)
{
    if (el == 0 && m->host_el0)
        return TLB_REGIME_EL20;
    return el != 2 ? TLB_REGIME_EL10 : m->s1_el2.host ? TLB_REGIME_EL20 : TLB_REGIME_EL2;
}

/* The ASID of the EL2&0 regime (0 in the EL2 regime). */
static uint16_t s1_asid(const struct mmu_s1_config *s1);
static inline uint16_t el2_asid(const struct pe_mmu *m) { return m->s1_el2.host ? s1_asid(&m->s1_el2) : 0; }

static void walk_access(void *opaque, uint64_t pa, uint64_t addr, unsigned stage, int level)
{
    struct pe *pe = opaque;
    if (event_wanted(pe->events, EV_WALK)) {
        struct pe_mmu *m = &pe->mmu;
        struct event ev = { .type = EV_WALK, .pe = pe->index, .cycles = pe->cycles };
        bool el2 = in_el2_regime(m, m->walk_el);
        unsigned rg = regime_of(m, m->walk_el);
        ev.u.walk.addr = pa;
        ev.u.walk.walk_addr = addr;
        ev.u.walk.va = m->walk_va;
        ev.u.walk.stage = stage;
        ev.u.walk.level = level;
        ev.u.walk.el = m->walk_el;
        ev.u.walk.regime = (uint8_t)rg;
        ev.u.walk.vmid = el2 ? 0 : current_vmid(pe);
        ev.u.walk.asid = el2 ? el2_asid(m) : current_asid(pe);
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

static bool s1_table_lookup(void *opaque, unsigned regime, uint64_t va, int *level, uint64_t *table,
                            uint64_t *table_attrs)
{
    struct pe *pe = opaque;
    bool el10 = regime == TLB_REGIME_EL10;
    const struct tlb_entry *e = tlb_s1_table_lookup(&pe->mmu.tlb, (enum tlb_regime)regime, el10 ? current_vmid(pe) : 0,
                                                    el10 ? current_asid(pe) : el2_asid(&pe->mmu), va);
    if (!e)
        return false;
    *level = e->level;
    *table = e->pa;
    *table_attrs = (uint64_t)e->table_attrs << 59;
    pe->mmu.walk_cache_hits++;
    return true;
}

static void s1_table_insert(void *opaque, unsigned regime, uint64_t va, int level, unsigned shift,
                            uint64_t table, uint64_t table_attrs)
{
    struct pe *pe = opaque;
    bool el10 = regime == TLB_REGIME_EL10;
    struct tlb_entry e = { .valid = true, .kind = TLB_KIND_S1_TABLE, .level = (uint8_t)level,
                           .table_attrs = (uint8_t)((table_attrs >> 59) & 0xf), .regime = (uint8_t)regime,
                           .vmid = el10 ? current_vmid(pe) : 0, .asid = el10 ? current_asid(pe) : el2_asid(&pe->mmu),
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

/* ---- Unicorn's TLB ------------------------------------------------------------------ */

/* Unicorn drops every translation it holds; the held set starts empty. */
void pe_flush_unicorn_tlb(struct pe *pe)
{
    uc_ctl_flush_tlb(pe->uc);
    pe->mmu.unicorn_flushes++;
    if (++pe->mmu.held_gen == 0) {              /* wrapped: clear the generations for real */
        memset(pe->mmu.held, 0, PE_MMU_HELD_SLOTS * sizeof *pe->mmu.held);
        memset(pe->mmu.rmap, 0, PE_MMU_RMAP_SLOTS * sizeof *pe->mmu.rmap);
        memset(pe->mmu.code_map, 0, PE_MMU_CODE_MAP_SLOTS * sizeof *pe->mmu.code_map);
        memset(pe->front, 0, PE_FRONT_SLOTS * sizeof *pe->front);   /* (pe_front_gen would repeat) */
        pe->mmu.held_gen = 1;
    }
    pe->mmu.n_held = 0;
    pe->mmu.el2_pan = -1;
    memset(pe->mmu.held_filter, 0, sizeof pe->mmu.held_filter);
    pe->mmu.fills_since_flush = 0;
    pe_forget_running_block(pe);     /* its VA may now be code on another physical page */
}

static uint32_t held_hash(uint8_t regime, uint16_t vmid, uint16_t asid, uint64_t va, uint8_t fetch)
{
    uint64_t h = (va >> 12) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)vmid << 48) ^ ((uint64_t)asid << 32) ^
                 ((uint64_t)regime << 7) ^ fetch;
    return (uint32_t)(h >> 40) & (PE_MMU_HELD_SLOTS - 1);
}

/* The home slot of model entry e used for fetches or data, and what the held
 * set keeps of it (but the generation). */
static inline uint32_t held_home(const struct tlb_entry *e, bool fetch)
{
    return held_hash(e->regime, e->vmid, e->global ? 0xffff : e->asid, e->va, fetch);
}

static inline struct pe_mmu_held held_entry(const struct tlb_entry *e, bool fetch)
{
    return (struct pe_mmu_held){ .tag = pe_mmu_held_tag(e->va, e->page_shift, e->regime, fetch),
                                 .vmid = e->vmid, .asid = e->global ? 0xffff : e->asid };
}

/* The held-set slot of want (home: its home slot): the one that holds it, or
 * the free one where it goes (NULL: the set is full). */
static struct pe_mmu_held *held_slot(struct pe_mmu *m, const struct pe_mmu_held *want, uint32_t home)
{
    uint32_t i = home;
    for (unsigned probe = 0; probe < 64; probe++, i = (i + 1) & (PE_MMU_HELD_SLOTS - 1)) {
        struct pe_mmu_held *h = &m->held[i];
        if (h->gen != m->held_gen)
            return h;
        if (h->tag == want->tag && h->vmid == want->vmid && h->asid == want->asid)
            return h;
    }
    return NULL;
}

static inline bool held_filter_has(const struct pe_mmu *m, uint32_t home)
{
    return (m->held_filter[home >> 6] >> (home & 63)) & 1;
}

/* Does the set hold e? The filter answers most "no"s without touching the set. */
static bool held(struct pe_mmu *m, const struct tlb_entry *e, bool fetch)
{
    uint32_t home = held_home(e, fetch);
    if (!held_filter_has(m, home))
        return false;
    struct pe_mmu_held want = held_entry(e, fetch);
    struct pe_mmu_held *h = held_slot(m, &want, home);
    return h && h->gen == m->held_gen;
}

/* e serves a fill: Unicorn may hold a page of it from now on. */
static void hold(struct pe *pe, const struct tlb_entry *e, bool fetch)
{
    struct pe_mmu *m = &pe->mmu;
    uint32_t home = held_home(e, fetch);
    struct pe_mmu_held want = held_entry(e, fetch);
    struct pe_mmu_held *h = held_slot(m, &want, home);
    if (!h || m->n_held >= PE_MMU_HELD_SLOTS / 2) {
        pe_flush_unicorn_tlb(pe);            /* the set is full: start again from nothing */
        h = held_slot(m, &want, home);
    }
    if (h->gen == m->held_gen)
        return;
    *h = want;
    h->gen = m->held_gen;
    m->held_filter[home >> 6] |= 1ULL << (home & 63);
    m->n_held++;
}

/* A translation left the model (tlb.c's drop callback: eviction or TLBI). */
static void on_model_drop(void *opaque, const struct tlb_entry *e)
{
    struct pe *pe = opaque;
    struct pe_mmu *m = &pe->mmu;
    /* Walk-cache entries never served a fill; a copy leaving one level (an L1
     * victim still in L2) keeps the translation in the model. */
    if (e->kind != TLB_KIND_LEAF || tlb_holds(&m->tlb, e))
        return;
    m->observe_gen++;
    publish_tlb_event(pe, EV_TLB_DROP, e, 0);
    if (!held(m, e, false) && !held(m, e, true))
        return;                               /* Unicorn cannot hold it */
    if (m->local_tlbi_page && e->page_shift == 12 && e->va == (m->local_tlbi_va & ~0xfffULL))
        return;                               /* Unicorn's own TLBI by VA drops this page */
    pe_flush_unicorn_tlb(pe);
}

/* ---- configuration -------------------------------------------------------------------- */

static uint16_t current_vmid(const struct pe *pe)
{
    return pe->mmu.s2.enabled ? (uint16_t)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff) : 0;
}

static uint16_t s1_asid(const struct mmu_s1_config *s1)
{
    if (!s1->enabled || s1->el2_regime)
        return 0;
    uint64_t t = s1->ttbr[s1->a1 ? 1 : 0];
    return (uint16_t)(s1->as16 ? t >> 48 : (t >> 48) & 0xff);
}

static uint16_t current_asid(const struct pe *pe) { return s1_asid(&pe->mmu.s1_el10); }

/* ---- translation contexts --------------------------------------------------------- */

/* The slot of a context (regime, VMID, ASID), made if new; a recycled slot
 * makes the decoded blocks tagged with it stale. */
static int context(struct pe *pe, unsigned regime, uint16_t vmid, uint16_t asid)
{
    struct pe_mmu *m = &pe->mmu;
    int free_slot = -1, oldest = 0;
    for (int i = 0; i < PE_MMU_MAX_CTX; i++) {
        struct pe_mmu_ctx *c = &m->ctx[i];
        if (c->used && c->regime == regime && c->vmid == vmid && c->asid == asid) {
            c->last_use = ++m->ctx_clock;
            return i;
        }
        if (!c->used && free_slot < 0)
            free_slot = i;
        if (c->used && c->last_use < m->ctx[oldest].last_use)
            oldest = i;
    }
    int i = free_slot >= 0 ? free_slot : oldest;
    m->ctx[i] = (struct pe_mmu_ctx){ .used = true, .regime = (uint8_t)regime, .vmid = vmid, .asid = asid,
                                     .last_use = ++m->ctx_clock };
    return i;
}

/* EV_CONTEXT when the EL1&0 tags the TLB model uses change. */
static void publish_context(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    const struct pe_mmu_ctx *c = m->ctx_el10 >= 0 ? &m->ctx[m->ctx_el10] : NULL;
    uint16_t vmid = c ? c->vmid : 0, asid = c ? c->asid : 0;
    bool s2_on = c && m->s2.enabled;
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
 * just translated (so the TLB model holds the translation). Side-effect free
 * for the model. */
bool pe_mmu_describe_access(struct pe *pe, uint64_t va, bool fetch, struct event *ev)
{
    struct pe_mmu *m = &pe->mmu;
    unsigned el = pe->el;
    bool el2 = in_el2_regime(m, el);
    ev->u.access.va = va;
    ev->u.access.el = el;
    ev->u.access.regime = (uint8_t)regime_of(m, el);
    int slot = el2 ? m->ctx_el2 : m->ctx_el10;
    const struct pe_mmu_ctx *c = slot >= 0 ? &m->ctx[slot] : NULL;
    if (!c) {                        /* translation off in this regime */
        ev->u.access.ipa = ev->u.access.pa = va;
        ev->u.access.vmid = ev->u.access.asid = 0;
        ev->u.access.s2_on = 0;
        return true;
    }
    uint16_t vmid = el2 ? 0 : c->vmid, asid = c->asid;   /* (the EL2 regime's context has ASID 0) */
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
    struct mmu_s1_config s1_el10, s1_el2;
    struct mmu_s2_config s2;
    mmu_s1_from_regs(&s1_el10, false, r[pe->idx.sctlr_el1], r[pe->idx.tcr_el1], r[pe->idx.ttbr0_el1],
                     r[pe->idx.ttbr1_el1], r[pe->idx.mair_el1]);
    if (hcr & HCR_E2H) {
        /* The EL2&0 regime (FEAT_VHE): TCR_EL2 in TCR_EL1's layout, TTBR0_EL2 and TTBR1_EL2. */
        mmu_s1_from_regs(&s1_el2, false, r[pe->idx.sctlr_el2], r[pe->idx.tcr_el2], r[pe->idx.ttbr0_el2],
                         r[pe->idx.ttbr1_el2], r[pe->idx.mair_el2]);
        s1_el2.host = true;
    } else {
        mmu_s1_from_regs(&s1_el2, true, r[pe->idx.sctlr_el2], r[pe->idx.tcr_el2], r[pe->idx.ttbr0_el2], 0,
                         r[pe->idx.mair_el2]);
    }
    mmu_s2_from_regs(&s2, hcr, r[pe->idx.vtcr_el2], r[pe->idx.vttbr_el2]);
    bool host_el0 = (hcr & HCR_E2H) && (hcr & HCR_TGE);
    if (hcr & HCR_DC)
        s1_el10.enabled = false;      /* HCR_EL2.DC: as if SCTLR_EL1.M were 0 (and stage 2 on) */
    /* AArch64.S1Enabled: stage 1 of Regime_EL10 needs HCR_EL2.<DC,TGE> == '00'. Stage 2
     * (AArch64.S2Translate: HCR_EL2.VM OR HCR_EL2.DC) stays on under TGE alone, for EL0's
     * accesses; only under {E2H,TGE} = {1,1} are the Effective VM and DC 0 (HCR_EL2). */
    if (hcr & HCR_TGE)
        s1_el10.enabled = false;
    if (host_el0)
        s2.enabled = false;
    /* Unicorn's TLB is not tagged: a change of what any EL's addresses
     * translate to (registers, VMID, ASID) needs it flushed. The model keeps
     * its entries: they are tagged (and stale ones stay usable, as on hardware). */
    bool changed = memcmp(&s1_el10, &m->s1_el10, sizeof s1_el10) || memcmp(&s1_el2, &m->s1_el2, sizeof s1_el2) ||
                   memcmp(&s2, &m->s2, sizeof s2) || host_el0 != m->host_el0;
    m->host_el0 = host_el0;
    m->tge = (hcr & HCR_TGE) != 0;
    m->s1_el10 = s1_el10;
    m->s1_el2 = s1_el2;
    m->s2 = s2;
    m->active_el10 = m->s1_el10.enabled || m->s2.enabled;
    m->active_el2 = m->s1_el2.enabled;
    m->ctx_el10 = m->active_el10 ? context(pe, TLB_REGIME_EL10, current_vmid(pe), current_asid(pe)) : -1;
    m->ctx_el2 = m->active_el2 ? context(pe, regime_of(m, 2), 0, el2_asid(m)) : -1;
    publish_context(pe);
    pe_trap_state_changed(pe);
    if (changed)
        pe_flush_unicorn_tlb(pe);
}

#define SCTLR_UMA (1ULL << 9)

void sr_write_mmu(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    if (d->index == pe->idx.sctlr_el1 || d->index == pe->idx.sctlr_el2) {
        pe->attn.f.sp_recheck = true;
        /* SCTLR_ELx.EE (and SCTLR_EL1.E0E): big-endian data and table walks. */
        uint64_t be = d->index == pe->idx.sctlr_el1 ? (1ULL << 25) | (1ULL << 24) : (1ULL << 25);
        if (v & be)
            pe_fatal(pe, "%s = 0x%llx sets %s: big-endian data accesses and translation table walks are "
                     "not modelled", d->name, (unsigned long long)v,
                     (v & (1ULL << 25)) ? "EE" : "E0E");
        if (d->index == pe->idx.sctlr_el1) {
            /* SCTLR_EL1.UMA to Unicorn's copy: its translator checks EL0's MSR DAIFSet/DAIFClr
             * and MRS/MSR DAIF itself (AArch64.CheckDAIFAccess; in the EL2&0 host, where the
             * Arm ARM always traps them, it reads SCTLR_EL2.UMA, which stays 0). */
            uint64_t u = pe_cp_read(pe, 3, 0, 1, 0, 0, NULL);
            if ((u ^ v) & SCTLR_UMA)
                pe_cp_write(pe, 3, 0, 1, 0, 0, (u & ~SCTLR_UMA) | (v & SCTLR_UMA));
        }
    }
    pe_mmu_update(pe);
}

/* ---- translation for avsim's own accesses ---------------------------------------------- */

static const struct mmu_s1_config *s1_for(const struct pe *pe, unsigned el)
{
    return in_el2_regime(&pe->mmu, el) ? &pe->mmu.s1_el2 : &pe->mmu.s1_el10;
}

uint64_t pe_code_page(struct pe *pe, uint64_t va)
{
    if (!pe_mmu_active(pe))
        return va >> 12;
    struct pe_mmu_code_page *c = &pe->mmu.code_map[(va >> 12) & (PE_MMU_CODE_MAP_SLOTS - 1)];
    uint64_t key = (va >> 12) | ((uint64_t)in_el2_regime(&pe->mmu, pe->el) << 63);
    if (c->gen == pe->mmu.held_gen && c->va_page == key)
        return c->pa_page;
    /* Not filled since the flush: Unicorn ran on from a translation it still
     * had (blocks chained on one page, its jump cache); the model holds the
     * same until the next flush. */
    uint64_t pa;
    if (!pe_va_to_pa(pe, va, true, &pa))
        return UINT64_MAX;
    *c = (struct pe_mmu_code_page){ .va_page = key, .pa_page = pa >> 12, .gen = pe->mmu.held_gen };
    return pa >> 12;
}

/* VA -> PA for avsim's own accesses (reading code, semihosting, a debugger):
 * the model's entry if it holds one, else a walk; no side effects. */
bool pe_va_to_pa(struct pe *pe, uint64_t va, bool fetch, uint64_t *pa)
{
    if ((va & ~0xfffULL) == PE_TRAMPOLINE_PA || !pe_mmu_active(pe)) {
        *pa = va;
        return true;
    }
    struct pe_mmu *m = &pe->mmu;
    bool el2 = in_el2_regime(m, pe->el);
    const struct pe_mmu_ctx *c = &m->ctx[el2 ? m->ctx_el2 : m->ctx_el10];
    const struct tlb_entry *e = tlb_peek(&m->tlb, fetch, (enum tlb_regime)regime_of(m, pe->el),
                                         el2 ? 0 : c->vmid, c->asid, va);
    if (e) {
        *pa = e->pa + (va - e->va);
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

static uint8_t perm_need(enum mmu_access acc)
{
    return acc == MMU_READ ? MMU_PERM_R : acc == MMU_WRITE ? MMU_PERM_W : MMU_PERM_X;
}

/* ---- the TLB-fill hook -------------------------------------------------------------- */

/* Is the access Unicorn fills for, at EL1, an LDTR/STTR? Only a block that has
 * one needs its PC read (reading Unicorn's PC inside a memory access means
 * restoring the state from the translated block: costly). The block hook left
 * the running block (pe_running_block; the trampoline's blocks are not decoded). */
static bool access_is_unprivileged(struct pe *pe)
{
    const struct block_info *b = pe_running_block(pe);
    if (b && b->start == pe->cur_start && !(b->flags & BLOCK_HAS_UNPRIV))
        return false;
    return a64_is_unprivileged_ldst(pe_read_insn(pe, pe_get_pc(pe)));
}

/* Why Unicorn asked (statistics: m->unicorn_fills_by_reason). */
enum { FILL_OFF, FILL_FIRST, FILL_AGAIN, FILL_REFUSED };

/* The access Unicorn wants to make refused: the abort is taken when uc_emu_start returns. */
static bool refuse(struct pe *pe, uint64_t page, enum mmu_access acc, const struct mmu_fault *f, bool external)
{
    struct pe_mmu *m = &pe->mmu;
    m->pending = (struct pe_mmu_pending_fault){ .valid = true, .external = external, .page = page, .acc = acc };
    if (f)
        m->pending.f = *f;
    m->unicorn_fills_by_reason[FILL_REFUSED]++;
    return false;
}

/* A data fill of a page a watchpoint may watch: uc_emu_start returns before the access,
 * and pe_sd_watched_access decides (pe_debug.c says why not a memory hook). */
static bool refuse_watched(struct pe *pe, uint64_t page, enum mmu_access acc)
{
    pe->mmu.pending = (struct pe_mmu_pending_fault){ .valid = true, .watch = true, .page = page, .acc = acc };
    return false;
}

static uc_prot uc_rights(uint8_t perm, bool fetch)
{
    /* A fill grants only what its side asked for: EXEC alone for a fetch, READ
     * and WRITE for data. Unicorn's TLB entry serves every access its rights
     * allow without asking; were a fetch fill to grant READ, whether a later
     * load of that page reaches this hook (a first use: a model lookup, and its
     * cycles) would depend on whether Unicorn still held the entry, which
     * depends on the host's timing (Unicorn resizes its TLB by host time). And
     * a data page without EXEC keeps Unicorn 2.1's fast stores. */
    if (fetch)
        return (perm & MMU_PERM_X) ? UC_PROT_EXEC : UC_PROT_NONE;
    uc_prot p = UC_PROT_NONE;
    if (perm & MMU_PERM_R)
        p |= UC_PROT_READ;
    if (perm & MMU_PERM_W)
        p |= UC_PROT_WRITE;
    return p;
}

/* Physical page -> its translation, for the observers of Unicorn's memory hooks. */
static void note_rmap(struct pe *pe, uint64_t va_page, uint64_t ipa_page, uint64_t pa_page, unsigned regime,
                      uint16_t vmid, uint16_t asid)
{
    struct pe_mmu_rmap *r = &pe->mmu.rmap[(pa_page >> 12) & (PE_MMU_RMAP_SLOTS - 1)];
    *r = (struct pe_mmu_rmap){ .pa_page = pa_page, .va_page = va_page, .ipa_page = ipa_page,
                               .gen = pe->mmu.held_gen, .vmid = vmid, .asid = asid, .regime = (uint8_t)regime };
}

/* An address with translation off in its regime (AArch64.TranslateAddressS1Off):
 * the PA is the VA (without its top byte when TBI applies), which must fit the
 * PA size (else an address size fault, level 0); what is not RAM or a device
 * is an external abort. Instruction
 * fetches from a device region take an external abort too: avsim's devices
 * answer data accesses only (README "How it works"). */
static bool fill_translation_off(struct pe *pe, unsigned el, uint64_t va, enum mmu_access acc, uc_tlb_entry *out)
{
    uint64_t pa;
    if (!mmu_s1_off_pa(s1_for(pe, el), va, &pa)) {
        struct mmu_fault f = { .type = MMU_FAULT_ADDRESS_SIZE, .level = 0 };
        return refuse(pe, va, acc, &f, false);
    }
    int kind = pe->ops->phys_kind(pe->ops_opaque, pa);
    if (kind == 0 || (kind == 2 && acc == MMU_FETCH))
        return refuse(pe, va, acc, NULL, true);
    out->paddr = pa;
    out->perms = acc == MMU_FETCH ? UC_PROT_EXEC : UC_PROT_READ | UC_PROT_WRITE;   /* as uc_rights */
    pe->mmu.unicorn_fills_by_reason[FILL_OFF]++;
    return true;
}

/* Unicorn sizes its TLB (256 entries at first, per mmu_idx) only when it is
 * flushed: it doubles when more than 70% of the entries were in use. A guest
 * whose working set is larger but that never flushes would refill forever
 * (a miss costs a hook call and a restore of the CPU state). After twice
 * as many fills as the size Unicorn has reached by then (counted by
 * doubling from 256), Unicorn's TLB is flushed at the next block boundary
 * (not the held set: Unicorn's capacity never shows in a count, see
 * AVSIM_DEBUG_FLUSH_UNICORN_TLB), so that it can grow. */
#define UNICORN_TLB_MAX_GROW (1u << 20)
static void grow_unicorn_tlb(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    if (!m->grow_at_fills)
        m->grow_at_fills = 2 * 256;
    if (++m->fills_since_flush < m->grow_at_fills || m->grow_at_fills > UNICORN_TLB_MAX_GROW)
        return;
    m->grow_at_fills *= 2;
    m->unicorn_grow_flushes++;
    pe->uc_flush_at = 0;
    pe_set_pmu_check_at(pe, 0);
}

/* FEAT_PAN at EL2 in the EL2&0 regime: Unicorn, which knows nothing of E2H, keeps EL2's
 * accesses under one TLB index whatever PSTATE.PAN says (at EL1 it keeps PAN and no PAN apart),
 * so entries filled under one PAN value must not serve the other. Called at block boundaries
 * after anything that may change PSTATE.PAN (MSR PAN, ERET, exception entry: block_full). */
void pe_mmu_pan_check(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    if (pe->el != 2 || !m->s1_el2.host || m->el2_pan < 0)
        return;
    if ((int)((pe_read_pstate(pe) >> 22) & 1) != m->el2_pan)
        pe_flush_unicorn_tlb(pe);
}

/* AArch64.CheckPermission with FEAT_PAN: a privileged data access (EL1, or EL2 in the EL2&0
 * regime) to a page EL0 can read or write faults while PSTATE.PAN is 1. */
static bool pan_denies(struct pe *pe, unsigned el, const struct tlb_entry *e)
{
    struct pe_mmu *m = &pe->mmu;
    if (!(pe->model->features & CPU_FEAT_PAN) || !(el == 1 || (el == 2 && m->s1_el2.host)))
        return false;
    int pan = (int)((pe_read_pstate(pe) >> 22) & 1);
    if (el == 2) {
        if (m->el2_pan >= 0 && m->el2_pan != pan)
            pe_flush_unicorn_tlb(pe);
        m->el2_pan = pan;
    }
    return pan && (e->perm_el0 & (MMU_PERM_R | MMU_PERM_W));
}

/* The level of a leaf entry of stage 1 config s1 for va (for a fault on it). */
static int leaf_level(const struct mmu_s1_config *s1, uint64_t va, unsigned page_shift)
{
    unsigned gb = s1->granule_bits[s1->two_ranges ? (va >> 55) & 1 : 0];
    if (!gb || page_shift < gb)
        return 3;
    return 3 - (int)((page_shift - gb) / (gb - 3));
}

/* UC_HOOK_TLB_FILL: Unicorn's TLB has no entry for the page at va (aligned)
 * for this kind of access at the current mmu_idx. */
static bool on_tlb_fill(uc_engine *uc, uint64_t va, uc_mem_type type, uc_tlb_entry *out, void *opaque)
{
    struct pe *pe = opaque;
    struct pe_mmu *m = &pe->mmu;
    enum mmu_access acc = type == UC_MEM_FETCH ? MMU_FETCH : type == UC_MEM_WRITE ? MMU_WRITE : MMU_READ;
    bool fetch = acc == MMU_FETCH;
    if (__builtin_expect(m->fills_refused, 0))
        return false;                         /* a hook's deletion looking up its blocks (pe_delete_hook_later) */
    m->unicorn_fills++;
    grow_unicorn_tlb(pe);
    if (va == m->removal_va && va && type == UC_MEM_FETCH) {   /* pe_mmu_remove_code_pa's VA for a page */
        out->paddr = m->removal_pa;
        out->perms = UC_PROT_EXEC;        /* the guest's data accesses there miss (and fault) */
        return true;
    }
    if (va == PE_TRAMPOLINE_PA) {             /* avsim's EL-switch page, at every EL */
        out->paddr = va;
        out->perms = UC_PROT_READ | UC_PROT_EXEC;
        return true;
    }
    /* The EL is Unicorn's (an EL switch may not have reached avsim's block hook yet). */
    unsigned el = (pe_read_pstate(pe) >> 2) & 3;
    /* Under HCR_EL2.TGE an ERET to EL1 is an illegal return that leaves the PE at EL2
     * (IllegalExceptionReturn, note_eret): Unicorn performs it, and the fetch at ELR that
     * it translates before avsim's block hook sees the return is EL2's. */
    if (__builtin_expect(m->tge, 0) && el == 1)
        el = 2;
    bool el2 = in_el2_regime(m, el);
    if (__builtin_expect(pe->sd.wp_armed, 0) && !fetch && !pe_sd_fill_allowed(pe, va))
        return refuse_watched(pe, va, acc);          /* a page a watchpoint may watch (pe_debug.c) */
    if (!(el2 ? m->active_el2 : m->active_el10))
        return fill_translation_off(pe, el, va, acc, out);
    unsigned regime = regime_of(m, el);
    const struct pe_mmu_ctx *c = &m->ctx[el2 ? m->ctx_el2 : m->ctx_el10];
    uint16_t vmid = el2 ? 0 : c->vmid, asid = c->asid;
    struct mmu_ctx_stats *st = ctx_stats(pe, regime, vmid, asid);

    /* The model: a first use since the last flush is a lookup (replacement,
     * statistics, cycles), a later one only reads. An entry without the rights
     * this access needs is as good as none: the walk says what faults. */
    const struct tlb_entry *e = tlb_peek(&m->tlb, fetch, regime, vmid, asid, va);
    if (e && !((el == 0 ? e->perm_el0 : e->perm_el1) & perm_need(acc)))
        e = NULL;
    bool first = !e || !held(m, e, fetch);
    if (e && first) {
        unsigned level;
        e = tlb_lookup(&m->tlb, fetch, regime, vmid, asid, va, &level);
        if (level == 2) {
            pe->cycles += m->tlb.cfg.l2_hit_cycles;
            pmu_count(&pe->pmu, fetch ? PMU_SRC_L1I_TLB_REFILL : PMU_SRC_L1D_TLB_REFILL, el, 1);
        }
        m->tlb_hits++;
        st->tlb_hits++;
    }
    struct tlb_entry ne;
    if (!e) {
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
            return refuse(pe, va, acc, &r.fault, false);
        }
        if (pe->ops->phys_kind(pe->ops_opaque, r.pa) == 0)
            return refuse(pe, va, acc, NULL, true);       /* translated to nothing: an external abort */
        uint64_t mask = ~((1ULL << r.page_shift) - 1);
        ne = (struct tlb_entry){
            .valid = true, .regime = (uint8_t)regime, .global = r.global,
            .s2 = regime == TLB_REGIME_EL10 && m->s2.enabled, .asid = asid, .vmid = vmid,
            .page_shift = (uint8_t)r.page_shift, .perm_el0 = r.perm_el0, .perm_el1 = r.perm_el1,
            .attr = r.attr, .sh = r.sh, .va = va & mask, .ipa = r.ipa & mask, .pa = r.pa & mask,
        };
        tlb_insert(&m->tlb, fetch, &ne);
        pmu_count(&pe->pmu, fetch ? PMU_SRC_L1I_TLB_REFILL : PMU_SRC_L1D_TLB_REFILL, el, 1);
        pmu_count(&pe->pmu, PMU_SRC_L2D_TLB_REFILL, el, 1);
        m->fills++;
        st->fills++;
        publish_tlb_event(pe, EV_TLB_FILL, &ne, r.walk_accesses);
        e = &ne;
    }
    /* The rights of this EL. An LDTR/STTR at EL1 is checked with EL0's
     * (AArch64.CheckPermission); EL0's read and write rights never exceed
     * EL1's, so only a page whose rights differ needs the instruction decoded. */
    uint8_t perm = el == 0 ? e->perm_el0 : e->perm_el1;
    bool unpriv = false;
    bool has_el0 = el == 1 || (el == 2 && m->host_el0);     /* an LDTR here acts as this regime's EL0 */
    if (has_el0 && !fetch && e->perm_el0 != e->perm_el1 && access_is_unprivileged(pe)) {
        unpriv = true;
        perm = e->perm_el0;
        if (!(perm & perm_need(acc))) {
            struct mmu_mem_ops mem = { .read64 = walk_read64, .opaque = pe };
            struct mmu_result r;
            struct mmu_fault f = { .type = MMU_FAULT_PERMISSION, .level = 3 };
            if (!mmu_full_translate(&mem, s1_for(pe, el), &m->s2, va, acc, 0, &r))
                f = r.fault;                   /* EL0's walk says which stage and level */
            m->faults++;
            st->faults++;
            return refuse(pe, va, acc, &f, false);
        }
    }
    if (!fetch && !unpriv && pan_denies(pe, el, e) &&
        !(has_el0 && (unpriv = access_is_unprivileged(pe)))) {
        struct mmu_fault f = { .type = MMU_FAULT_PERMISSION, .level = leaf_level(s1_for(pe, el), va, e->page_shift) };
        m->faults++;
        st->faults++;
        return refuse(pe, va, acc, &f, false);
    }
    if (unpriv && el == 2) {
        /* Unicorn keeps this EL0-rights entry under EL2's one TLB index: the next block
         * boundary flushes it (block_full), before a privileged access can use it. */
        m->unpriv_el2 = true;
        pe->due = 0;
    }
    uint64_t pa = e->pa + ((va & ~0xfffULL) - e->va);
    if (fetch && pe->ops->phys_kind(pe->ops_opaque, pa) == 2)
        return refuse(pe, va, acc, NULL, true);          /* no instruction fetches from devices */
    hold(pe, e, fetch);
    if (fetch)
        m->code_map[(va >> 12) & (PE_MMU_CODE_MAP_SLOTS - 1)] = (struct pe_mmu_code_page){
            .va_page = (va >> 12) | ((uint64_t)el2 << 63), .pa_page = pa >> 12, .gen = m->held_gen };
    if (pe->data_hooked)        /* (only the data hook asks: the hook's installation flushes) */
        note_rmap(pe, va & ~0xfffULL, e->s2 ? e->ipa + ((va & ~0xfffULL) - e->va) : pa, pa, regime, vmid, asid);
    m->unicorn_fills_by_reason[first ? FILL_FIRST : FILL_AGAIN]++;
    out->paddr = pa;
    out->perms = uc_rights(perm, fetch);
    return true;
}

/* The VA, IPA and tags of the access Unicorn's memory hook reports by PA: the
 * translation that last filled that physical page (README "Traces": a page
 * mapped at two VAs at once is reported under the one filled last). */
bool pe_mmu_describe_pa(struct pe *pe, uint64_t pa, struct event *ev)
{
    struct pe_mmu *m = &pe->mmu;
    unsigned el = pe->el;
    ev->u.access.el = el;
    ev->u.access.regime = (uint8_t)regime_of(m, el);
    if (!pe_mmu_active(pe)) {
        ev->u.access.va = ev->u.access.ipa = ev->u.access.pa = pa;
        ev->u.access.vmid = ev->u.access.asid = 0;
        ev->u.access.s2_on = 0;
        return true;
    }
    const struct pe_mmu_rmap *r = &m->rmap[(pa >> 12) & (PE_MMU_RMAP_SLOTS - 1)];
    if (r->gen != m->held_gen || r->pa_page != (pa & ~0xfffULL))
        return false;
    uint64_t off = pa & 0xfff;
    ev->u.access.va = r->va_page | off;
    ev->u.access.ipa = r->ipa_page | off;
    ev->u.access.pa = pa;
    ev->u.access.vmid = r->vmid;
    ev->u.access.asid = r->asid;
    ev->u.access.s2_on = r->regime == TLB_REGIME_EL10 && m->s2.enabled;
    return true;
}

/* ---- taking the abort the fill refused ----------------------------------------------------- */

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

/* The register reader of a64_ldst_address and the like (register 31: SP or XZR). */
uint64_t pe_reg_value(void *opaque, unsigned reg, bool is_sp)
{
    struct pe *pe = opaque;
    if (reg == 31)
        return is_sp ? pe_rd(pe, UC_ARM64_REG_SP) : 0;
    return pe_get_x(pe, reg);
}

/* DC ZVA to any type of Device memory is an Alignment fault (the DC ZVA
 * description in the Arm ARM: "If the memory region being zeroed is any type
 * of Device memory, then DC ZVA generates an Alignment fault"). Data accesses
 * with the regime's stage 1 off are Device-nGnRnE (AArch64.S1DisabledOutput;
 * Normal at EL1&0 with HCR_EL2.DC=1), so there every DC ZVA faults; whether
 * it does depends only on the EL and system registers, which the block's
 * pre-evaluation sees (a stop at the instruction, like a trap). Unicorn's own
 * DC ZVA would zero the block. With stage 1 on, a DC ZVA to a Device mapping
 * is not checked (README "Limits"). */
bool pe_dc_zva_needs_check(const struct pe *pe, uint32_t insn)
{
    if (!a64_is_dc_zva(insn))
        return false;
    if (in_el2_regime(&pe->mmu, pe->el))
        return !pe->mmu.s1_el2.enabled;
    return !pe->mmu.s1_el10.enabled && !(pe_hcr_el2(pe) & HCR_DC);
}

bool pe_mmu_data_is_device(struct pe *pe, uint64_t va)
{
    struct pe_mmu *m = &pe->mmu;
    bool el2 = in_el2_regime(m, pe->el);
    if (!s1_for(pe, pe->el)->enabled && (el2 || !(pe_hcr_el2(pe) & HCR_DC)))
        return true;                  /* AArch64.S1DisabledOutput: Device-nGnRnE, whatever stage 2 says */
    const struct pe_mmu_ctx *c = &m->ctx[el2 ? m->ctx_el2 : m->ctx_el10];
    const struct tlb_entry *e = tlb_peek(&m->tlb, false, (enum tlb_regime)regime_of(m, pe->el),
                                         el2 ? 0 : c->vmid, c->asid, va);
    return !e || !(e->attr & 0xf0);   /* MAIR encoding 0b0000dd00: Device */
}

/* The abort of such a DC ZVA (a write, WnR=1; CM=0 for DC ZVA): an address
 * out of the PA range is an address size fault at level 0 first
 * (AArch64.TranslateAddressS1Off), else the Alignment fault. FAR is Xt, as
 * for every fault of a data cache instruction (FAR_ELx). */
bool pe_dc_zva_device_abort(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block)
{
    if (!pe_dc_zva_needs_check(pe, insn))
        return false;
    unsigned rt = insn & 31;
    uint64_t xt = rt == 31 ? 0 : pe_get_x(pe, rt);
    struct mmu_fault f = { .type = MMU_FAULT_ADDRESS_SIZE, .level = 0 };
    uint64_t pa;
    unsigned fsc = mmu_s1_off_pa(s1_for(pe, pe->el), xt, &pa) ? FSC_ALIGNMENT : mmu_fault_fsc(&f);
    unsigned target = pe_route_el1(pe);
    struct pe_exception x = { .kind = 0, .has_esr = true, .target_el = target, .return_pc = pc,
                              .far_valid = true, .far = xt, .in_block = in_block };
    x.ec = target == pe->el ? EC_DABORT_SAME : EC_DABORT_LOWER;
    x.iss = iss_data_abort(NULL, false, false, false, true, fsc);
    pe_take_exception(pe, &x);
    return true;
}

bool pe_mmu_take_pending_fault(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    if (!m->pending.valid)
        return false;
    struct pe_mmu_pending_fault pf = m->pending;
    m->pending.valid = false;
    if (pf.watch) {
        pe_sd_watched_access(pe);
        return true;
    }
    uint64_t pc = pe_get_pc(pe);
    if (pf.acc == MMU_FETCH) {
        /* The fetch of the instruction at pc, or of the first one on the next page
         * (A64 instructions never cross a page). */
        uint64_t at = (pc & ~0xfffULL) == pf.page ? pc : pf.page;
        if (at != pc)
            pe_wr(pe, UC_ARM64_REG_PC, at);
        take_mmu_fault(pe, at, at, MMU_FETCH, &pf.f, NULL, pf.external);
        return true;
    }
    /* A data access: the instruction at pc (exact when a fill is refused). FAR
     * is its address, or the start of the page that faulted for an access
     * that crosses into it. */
    uint32_t w = pe_read_insn(pe, pc);
    struct a64_ldst d = { 0 }, *dp = NULL;
    uint64_t va;
    if (a64_decode_ldst(w, &d) && d.is_mem) {
        va = a64_ldst_address(&d, pc, pe_reg_value, pe);
        dp = &d;
    } else if (a64_is_dc_zva(w)) {
        /* FAR is Xt itself for a fault of a data cache instruction (FAR_ELx:
         * "the address specified in the register argument"). */
        va = (w & 31) == 31 ? 0 : pe_get_x(pe, w & 31);
    } else {
        va = pf.page;                            /* not decoded: the page itself */
    }
    uint64_t far = (va & ~0xfffULL) == pf.page ? va : pf.page;
    take_mmu_fault(pe, pc, far, pf.acc, &pf.f, dp, pf.external);
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
        /* The operand's ASID is as wide as the regime's: the EL2&0 regime's for the EL2 forms with E2H. */
        bool el2_form = tlbi_ops[i].op == TLBI_VAE2 || tlbi_ops[i].op == TLBI_VALE2;
        bool host = pe->el == 2 && m->host_el0;
        const struct mmu_s1_config *asid_cfg = (el2_form && m->s1_el2.host) || host ? &m->s1_el2 : &m->s1_el10;
        struct tlbi_request rq = {
            .op = tlbi_ops[i].op, .vmid = (uint16_t)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff),
            .asid = (uint16_t)(asid_cfg->as16 ? xt >> 48 : (xt >> 48) & 0xff), .va = va,
            .ipa = (xt & ((1ULL << 36) - 1)) << 12, .host = host,
        };
        /* The instruction also runs in Unicorn (the register is native): by VA
         * it drops that page from Unicorn's TLB for every ASID, so a 4K entry
         * of the model removed here needs no flush (on_model_drop). */
        bool by_va = rq.op == TLBI_VAE1 || rq.op == TLBI_VALE1 || rq.op == TLBI_VAAE1 || rq.op == TLBI_VAALE1 ||
                     rq.op == TLBI_VAE2 || rq.op == TLBI_VALE2;
        /* (Unicorn knows nothing of E2H: its own TLBI by VA misses some of the EL2&0 regime's
         * pages, held under its EL2 and EL1&0 indexes; then the model's drops flush.) */
        m->local_tlbi_page = by_va && !m->s1_el2.host;
        m->local_tlbi_va = va;
        unsigned removed = tlbi(&m->tlb, &rq);
        m->local_tlbi_page = false;
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
        if (inner_shareable && pe->ops->broadcast_tlbi)
            pe->ops->broadcast_tlbi(pe->ops_opaque, pe, &rq);
        return;
    }
}

/* Another PE's TLBI ...IS: this PE's model applies it; what it removes that
 * Unicorn may hold flushes Unicorn's TLB (on_model_drop). */
void pe_mmu_remote_tlbi(struct pe *pe, const struct tlbi_request *rq)
{
    tlbi(&pe->mmu.tlb, rq);
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
    else if (!two_stage && pe->mmu.host_el0)
        /* Under HCR_EL2.{E2H,TGE} = {1,1}, AT S1E0* and S1E1* translate in the EL2&0 regime
         * (S1E1* with EL2's rights). */
        ok = mmu_full_translate(&mem, &pe->mmu.s1_el2, NULL, va, acc, el == 0 ? 0 : 2, &r);
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
    if (tlb_init(&m->tlb, tlb ? tlb : &tlb_config_cortex_a57, on_model_drop, pe, err, (unsigned)errlen) != 0)
        return -1;
    m->held = calloc(PE_MMU_HELD_SLOTS, sizeof *m->held);
    m->rmap = calloc(PE_MMU_RMAP_SLOTS, sizeof *m->rmap);
    m->code_map = calloc(PE_MMU_CODE_MAP_SLOTS, sizeof *m->code_map);
    if (!m->held || !m->rmap || !m->code_map) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->held_gen = 1;
    m->ctx_el10 = m->ctx_el2 = -1;
    uc_hook h;
    if (uc_ctl_tlb_mode(pe->uc, UC_TLB_VIRTUAL) != UC_ERR_OK ||
        uc_hook_add(pe->uc, &h, UC_HOOK_TLB_FILL, (void *)on_tlb_fill, pe, 1, 0) != UC_ERR_OK) {
        snprintf(err, errlen, "Unicorn refused its TLB_VIRTUAL mode or the TLB-fill hook (Unicorn >= 2.1.2 needed)");
        return -1;
    }
    return 0;
}

void pe_mmu_destroy(struct pe *pe)
{
    tlb_destroy(&pe->mmu.tlb);
    free(pe->mmu.held);
    free(pe->mmu.rmap);
    free(pe->mmu.code_map);
}

void pe_mmu_reset(struct pe *pe)
{
    struct pe_mmu *m = &pe->mmu;
    struct tlbi_request all = { .op = TLBI_ALLE1 }, all2 = { .op = TLBI_ALLE2 };
    tlbi(&m->tlb, &all);
    tlbi(&m->tlb, &all2);
    memset(m->ctx, 0, sizeof m->ctx);
    m->ctx_el10 = m->ctx_el2 = -1;
    m->pending.valid = false;
    pe_mmu_update(pe);
    pe_flush_unicorn_tlb(pe);
}

/* Drops Unicorn's translated code overlapping [lo, hi) of one physical page
 * (a whole page after an IC, a block's range for a cut). uc_ctl_remove_cache
 * takes a VA and translates it with the TLB-fill hook; the VA given is one no
 * guest can use (bit 48 set, bits 63:49 clear: outside both TTBR ranges, and
 * non-canonical whatever TBI says), a fresh one each time so that Unicorn's
 * TLB cannot answer it from an earlier removal, and the hook maps it to the
 * page (on_tlb_fill), for instruction fetches only. The entry stays in
 * Unicorn's TLB: a guest load there misses it and takes its fault (an address
 * size or translation fault: tests/gfuzz seed 313 read the page through it
 * before), a guest branch there is stopped by the block hook
 * (pe_in_removal_window). Unicorn's code cache is indexed by physical address:
 * every translation of the range goes, whatever VA and EL it was made for. */
#define REMOVAL_VA_BASE (1ULL << 48)
void pe_mmu_remove_code_pa(struct pe *pe, uint64_t pa_page, unsigned lo, unsigned hi)
{
    struct pe_mmu *m = &pe->mmu;
    if (hi <= lo)
        return;
    uint64_t va = REMOVAL_VA_BASE | ((m->removal_seq++ & 0xfffffffffULL) << 12);
    m->removal_va = va;
    m->removal_pa = pa_page & ~0xfffULL;
    uc_ctl_remove_cache(pe->uc, va + lo, va + hi);   /* translations overlapping [lo, hi) of the page */
    m->removal_va = 0;
}
