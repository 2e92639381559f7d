/* A DMA transaction through the SMMUv3, page by page (IHI 0070, "Translation
 * procedure"): SMMUEN = 0 -> GBPA; the StreamID -> its STE (stream table,
 * linear or 2-level; the configuration cache); Config -> abort, bypass or
 * translation; the SubstreamID -> the CD (linear or 2-level CD table, read
 * through stage 2 when it is on); then the TLB, else a walk by mmu/walk.c
 * (stage 1, stage 2 or both) and an insertion; faults become event records.
 * STE and CD layouts: IHI 0070 "Data structure formats". */
#include "smmu/smmu_internal.h"
#include <string.h>

/* ---- the configuration cache ---------------------------------------------------------- */

static struct smmu_cfg_entry *cfg_lookup(struct smmu *s, bool is_cd, uint32_t sid, uint32_t ssid)
{
    for (unsigned i = 0; i < s->cfg.cfg_cache_entries; i++) {
        struct smmu_cfg_entry *e = &s->cfg_cache[i];
        if (e->valid && e->is_cd == is_cd && e->sid == sid && (!is_cd || e->ssid == ssid)) {
            e->stamp = ++s->cfg_clock;
            return e;
        }
    }
    return NULL;
}

static void cfg_insert(struct smmu *s, bool is_cd, uint32_t sid, uint32_t ssid, const uint64_t w[8])
{
    struct smmu_cfg_entry *victim = &s->cfg_cache[0];
    for (unsigned i = 0; i < s->cfg.cfg_cache_entries; i++) {
        struct smmu_cfg_entry *e = &s->cfg_cache[i];
        if (!e->valid) {
            victim = e;
            break;
        }
        if (e->stamp < victim->stamp)
            victim = e;
    }
    victim->valid = true;
    victim->is_cd = is_cd;
    victim->sid = sid;
    victim->ssid = ssid;
    memcpy(victim->w, w, sizeof victim->w);
    victim->stamp = ++s->cfg_clock;
}

/* CMD_CFGI_STE(_RANGE)/ALL remove the STEs of the StreamIDs and the CDs fetched
 * through them (a CD's address comes from its STE); CMD_CFGI_CD(_ALL) only CDs. */
void smmu_cfg_invalidate(struct smmu *s, bool cd_only, uint32_t sid_lo, uint32_t sid_hi, bool all_ssid,
                         uint32_t ssid)
{
    for (unsigned i = 0; i < s->cfg.cfg_cache_entries; i++) {
        struct smmu_cfg_entry *e = &s->cfg_cache[i];
        if (!e->valid || e->sid < sid_lo || e->sid > sid_hi)
            continue;
        if (!cd_only || (e->is_cd && (all_ssid || e->ssid == ssid)))
            e->valid = false;
    }
}

/* ---- a transaction -------------------------------------------------------------------- */

/* The stream's configuration, decoded from its STE and CD. */
struct stream_cfg {
    unsigned config;          /* STE.Config */
    bool s1, s2;              /* the stages that translate (S1DSS may bypass stage 1) */
    enum tlb_regime regime;   /* from STE.STRW and CR2.E2H */
    uint16_t vmid, asid;      /* the TLB tags */
    bool priv, instr;         /* the transaction after STE.PRIVCFG / INSTCFG */
    bool s2r;                 /* STE.S2R: record stage-2 faults */
    bool cd_r, cd_a;          /* CD.R: record stage-1 faults; CD.A: abort (else RAZ/WI) */
    bool affd[2];             /* CD.AFFD, STE.S2AFFD: no Access flag faults at stage 1, 2 */
    uint32_t ste_s1dss, ste_s1fmt, ste_cdmax;
    uint64_t ste_ctxptr;
    struct mmu_s1_config s1c;
    struct mmu_s2_config s2c;
};

struct xact {
    struct smmu *s;
    uint32_t sid, ssid;       /* ssid DMA_NO_SSID: none */
    uint64_t iova;
    bool is_write;
    bool quiet;               /* CMD_PREFETCH_CONFIG: no events */
    bool in_cd_fetch;         /* stage-2 walks for a CD (CLASS = CD) */
    uint64_t failed_fetch;    /* the descriptor address of an external abort on a walk */
    unsigned walk_stage;      /* the stage of the descriptor being read (1 or 2) */
    struct stream_cfg c;
};

enum xl_result { XL_OK, XL_ABORT, XL_RAZWI };

/* Builds and emits an event record of the transaction. */
static void emit(struct xact *x, unsigned id, bool record, bool s2, unsigned cls, uint64_t ipa,
                 bool has_fetch, uint64_t fetch_addr)
{
    if (x->quiet)
        return;
    struct smmu_evt e = { .id = id, .sid = x->sid, .ssid = x->ssid, .rnw = !x->is_write, .pnu = x->c.priv,
                          .ind = x->c.instr, .s2 = s2, .cls = cls, .input_addr = x->iova, .ipa = ipa,
                          .fetch_addr = fetch_addr, .has_fetch = has_fetch, .config = x->c.config,
                          .vmid = x->c.vmid, .asid = x->c.asid };
    smmu_event(x->s, &e, record);
}

static void config_event(struct xact *x, unsigned id)
{
    emit(x, id, true, false, 0, 0, false, 0);
}

/* ---- memory for the walker ------------------------------------------------------------ */

static int walk_read64(void *opaque, uint64_t pa, uint64_t *val)
{
    struct xact *x = opaque;
    uint8_t b[8];
    if (phys_read(&x->s->bus.mem, pa, b, 8) != 0) {
        x->failed_fetch = pa;
        return -1;
    }
    *val = smmu_le64(b);
    /* CD.AFFD / STE.S2AFFD: a descriptor with AF = 0 behaves as AF = 1 (bit 10 is
     * IGNORED in table descriptors, so setting it there changes nothing). */
    if (x->walk_stage >= 1 && x->walk_stage <= 2 && x->c.affd[x->walk_stage - 1] && (*val & 1))
        *val |= 1ULL << 10;
    return 0;
}

static void walk_access(void *opaque, uint64_t pa, uint64_t addr, unsigned stage, int level)
{
    struct xact *x = opaque;
    x->walk_stage = stage;    /* (the walker reads the descriptor right after) */
    if (x->quiet || !event_wanted(x->s->bus.events, EV_SMMU_WALK))
        return;
    struct event ev = { .type = EV_SMMU_WALK };
    smmu_when(x->s, &ev);
    ev.u.smmu.sid = x->sid;
    ev.u.smmu.ssid = x->ssid;
    ev.u.smmu.iova = x->iova;
    ev.u.smmu.ipa = addr;
    ev.u.smmu.addr = pa;
    ev.u.smmu.stage = stage;
    ev.u.smmu.level = level;
    ev.u.smmu.config = x->c.config;
    ev.u.smmu.vmid = x->c.vmid;
    ev.u.smmu.asid = x->c.asid;
    ev.u.smmu.is_write = x->is_write;
    event_publish(x->s->bus.events, &ev);
}

/* Stage-2 translations of stage-1 table (and CD) addresses: the walk cache, by VMID. */
static bool s2_walk_lookup(void *opaque, uint64_t ipa, uint64_t *pa)
{
    struct xact *x = opaque;
    const struct tlb_entry *e = tlb_s2_lookup(&x->s->tlb, x->c.vmid, ipa);
    if (!e || !(e->perm_el1 & MMU_PERM_R) || (x->c.s2c.ptw && ((e->attr >> 2) & 3) == 0))
        return false;         /* no entry, or one a walk read would fault on: walk */
    *pa = e->pa + (ipa - e->ipa);
    return true;
}

static void s2_insert(struct xact *x, const struct mmu_result *r)
{
    uint64_t mask = ~((1ULL << r->page_shift) - 1);
    struct tlb_entry e = { .valid = true, .regime = TLB_REGIME_EL10, .s2 = true, .vmid = x->c.vmid,
                           .page_shift = (uint8_t)r->page_shift, .perm_el0 = r->perm_el0,
                           .perm_el1 = r->perm_el1, .attr = r->attr, .sh = r->sh, .global = true,
                           .va = r->ipa & mask, .ipa = r->ipa & mask, .pa = r->pa & mask };
    tlb_s2_insert(&x->s->tlb, &e);
}

static void s2_walk_insert(void *opaque, const struct mmu_result *r)
{
    s2_insert(opaque, r);
}

static uint16_t tag_vmid(const struct stream_cfg *c)
{
    return c->regime == TLB_REGIME_EL10 ? c->vmid : 0;
}

static uint16_t tag_asid(const struct stream_cfg *c)
{
    return c->regime == TLB_REGIME_EL2 ? 0 : c->asid;
}

static bool s1_table_lookup(void *opaque, unsigned regime, uint64_t va, int *level, uint64_t *table,
                            uint64_t *table_attrs)
{
    struct xact *x = opaque;
    const struct tlb_entry *e =
        tlb_s1_table_lookup(&x->s->tlb, (enum tlb_regime)regime, tag_vmid(&x->c), tag_asid(&x->c), va);
    if (!e)
        return false;
    *level = e->level;
    *table = e->pa;
    *table_attrs = (uint64_t)e->table_attrs << 59;
    return true;
}

static void s1_table_insert(void *opaque, unsigned regime, uint64_t va, int level, unsigned shift, uint64_t table,
                            uint64_t table_attrs)
{
    struct xact *x = opaque;
    struct tlb_entry e = { .valid = true, .kind = TLB_KIND_S1_TABLE, .level = (uint8_t)level,
                           .table_attrs = (uint8_t)((table_attrs >> 59) & 0xf), .regime = (uint8_t)regime,
                           .vmid = tag_vmid(&x->c), .asid = tag_asid(&x->c), .page_shift = (uint8_t)shift,
                           .va = va, .pa = table };
    tlb_s1_table_insert(&x->s->tlb, &e);
}

static struct mmu_mem_ops mem_ops(struct xact *x)
{
    return (struct mmu_mem_ops){ .read64 = walk_read64, .on_walk_access = walk_access,
                                 .s2_walk_lookup = s2_walk_lookup, .s2_walk_insert = s2_walk_insert,
                                 .s1_table_lookup = s1_table_lookup, .s1_table_insert = s1_table_insert,
                                 .opaque = x };
}

/* ---- faults --------------------------------------------------------------------------- */

static unsigned fault_event_id(enum mmu_fault_type t)
{
    switch (t) {
    case MMU_FAULT_ADDRESS_SIZE: return SMMU_EVT_F_ADDR_SIZE;
    case MMU_FAULT_ACCESS_FLAG: return SMMU_EVT_F_ACCESS;
    case MMU_FAULT_PERMISSION: return SMMU_EVT_F_PERMISSION;
    case MMU_FAULT_EXTERNAL_WALK: return SMMU_EVT_F_WALK_EABT;
    case MMU_FAULT_TRANSLATION:
    default: return SMMU_EVT_F_TRANSLATION;
    }
}

/* A walk fault (IHI 0070 "Translation-related faults"; "Fault configuration and
 * termination"): a stage-1 fault is recorded when CD.R and terminates as CD.A
 * says (abort, or RAZ/WI: IDR0.TERM_MODEL = 0); a stage-2 fault is recorded
 * when STE.S2R and aborts. F_WALK_EABT is always recorded and aborts. CLASS:
 * CD for the CD fetch, TT for a stage-1 table walk access, IN for the input
 * address. */
static enum xl_result walk_fault(struct xact *x, const struct mmu_fault *f)
{
    unsigned id = fault_event_id(f->type);
    unsigned cls = x->in_cd_fetch ? EVT_CLASS_CD : (f->s1ptw || id == SMMU_EVT_F_WALK_EABT) ? EVT_CLASS_TT
                                                                                            : EVT_CLASS_IN;
    if (id == SMMU_EVT_F_WALK_EABT) {
        emit(x, id, true, f->stage2, cls, f->stage2 ? f->ipa : 0, true, x->failed_fetch);
        return XL_ABORT;
    }
    if (f->stage2) {
        emit(x, id, x->c.s2r, true, cls, f->ipa, false, 0);
        return XL_ABORT;
    }
    emit(x, id, x->c.cd_r, false, cls, 0, false, 0);
    return x->c.cd_a ? XL_ABORT : XL_RAZWI;
}

/* ---- the stream table ----------------------------------------------------------------- */

static bool read_words(struct smmu *s, uint64_t pa, uint64_t *w, unsigned n)
{
    uint8_t b[64];
    if (phys_read(&s->bus.mem, pa, b, 8 * n) != 0)
        return false;
    for (unsigned i = 0; i < n; i++)
        w[i] = smmu_le64(b + 8 * i);
    return true;
}

/* The STE of x->sid (IHI 0070 "Stream table"; SMMU_STRTAB_BASE_CFG). Returns
 * false after the event (C_BAD_STREAMID, F_STE_FETCH). */
static bool fetch_ste(struct xact *x, uint64_t ste[8], bool *cached)
{
    struct smmu *s = x->s;
    struct smmu_cfg_entry *ce = cfg_lookup(s, false, x->sid, 0);
    if (ce) {
        s->stats.cfg_hits++;
        memcpy(ste, ce->w, 64);
        *cached = true;
        return true;
    }
    s->stats.cfg_misses++;
    *cached = false;
    uint32_t cfg = s->strtab_base_cfg;
    /* LOG2SIZE above IDR1.SIDSIZE behaves as SIDSIZE. */
    unsigned log2size = STRTAB_CFG_LOG2SIZE(cfg);
    unsigned sidsize = s->idr[1] & 0x3f;
    if (log2size > sidsize)
        log2size = sidsize;
    bool record_bad_sid = s->cr2 & CR2_RECINVSID;
    if (log2size < 32 && (uint64_t)x->sid >> log2size) {
        emit(x, SMMU_EVT_C_BAD_STREAMID, record_bad_sid, false, 0, 0, false, 0);
        return false;
    }
    uint64_t base = s->strtab_base & STRTAB_ADDR_MASK;
    uint64_t addr;
    if (STRTAB_CFG_FMT(cfg) == 1) {
        /* 2-level: SPLIT is 6, 8 or 10; other values are reserved (CONSTRAINED
         * UNPREDICTABLE): avsim takes the largest valid value below (at least 6). */
        unsigned split = STRTAB_CFG_SPLIT(cfg);
        split = split >= 10 ? 10 : split >= 8 ? 8 : 6;
        uint64_t l1addr = base + ((uint64_t)x->sid >> split) * 8;
        uint64_t l1;
        if (!read_words(s, l1addr, &l1, 1)) {
            emit(x, SMMU_EVT_F_STE_FETCH, true, false, 0, 0, true, l1addr);
            return false;
        }
        /* L1STD: Span [4:0] (0: invalid; 2^(Span-1) STEs; above SPLIT + 1 reserved,
         * taken as invalid), L2Ptr [51:6]. */
        unsigned span = l1 & 0x1f;
        uint32_t idx = x->sid & ((1u << split) - 1);
        if (span == 0 || span > split + 1 || idx >= (1u << (span - 1))) {
            emit(x, SMMU_EVT_C_BAD_STREAMID, record_bad_sid, false, 0, 0, false, 0);
            return false;
        }
        addr = (l1 & 0x000fffffffffffc0ULL) + (uint64_t)idx * 64;
    } else {
        /* Linear (FMT 0b00); the reserved FMT values behave as linear (CONSTRAINED UNPREDICTABLE). */
        addr = base + (uint64_t)x->sid * 64;
    }
    if (!read_words(s, addr, ste, 8)) {
        emit(x, SMMU_EVT_F_STE_FETCH, true, false, 0, 0, true, addr);
        return false;
    }
    return true;
}

static unsigned pa_bits_of(unsigned field, unsigned oas)
{
    /* IPS/S2PS values above the OAS behave as the OAS (and the reserved ones as the largest). */
    static const unsigned bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
    unsigned b = bits[field & 7];
    b = b > oas ? oas : b;
    return b > MMU_PA_BITS ? MMU_PA_BITS : b;   /* the walker's PAMax */
}

/* Stage-2 configuration checks the walker would otherwise fault on at level 0
 * (AArch64.S2InvalidSL, AArch64.S2InconsistentSL): in an STE they make it ILLEGAL. */
static bool s2_geometry_ok(unsigned t0sz, unsigned sl0, unsigned gb)
{
    if (t0sz < 16 || t0sz > 39)
        return false;
    unsigned stride = gb - 3, inputsize = 64 - t0sz;
    int start = gb == 12 ? 2 - (int)sl0 : 3 - (int)sl0;
    if (start < 0 || start > 3 || (gb == 12 && start == 0 && MMU_PA_BITS < 44) ||
        (gb == 14 && start == 1 && MMU_PA_BITS < 42) || (gb == 16 && start == 1 && MMU_PA_BITS < 44))
        return false;
    int top_shift = (int)gb + (3 - start) * (int)stride;
    return (int)inputsize > top_shift && (int)inputsize - top_shift <= (int)stride + 4;
}

/* Decodes an STE (IHI 0070 "STE"); false when it is ILLEGAL (C_BAD_STE). */
static bool decode_ste(struct smmu *s, const uint64_t w[8], struct stream_cfg *c)
{
    memset(c, 0, sizeof *c);
    if (!(w[0] & 1))
        return false;                                   /* V = 0 */
    c->config = (unsigned)(w[0] >> 1) & 7;
    /* Config 0b0xx: abort (0b001..0b011 are Reserved and behave as 0b000: not ILLEGAL). */
    if (c->config < SMMU_STE_CONFIG_BYPASS)
        c->config = SMMU_STE_CONFIG_ABORT;
    if (c->config == SMMU_STE_CONFIG_ABORT || c->config == SMMU_STE_CONFIG_BYPASS)
        return true;                                    /* the other fields are IGNORED */
    bool s1p = s->idr[0] & IDR0_S1P, s2p = s->idr[0] & IDR0_S2P;
    c->s1 = c->config & 1;
    c->s2 = c->config & 2;
    if ((c->s1 && !s1p) || (c->s2 && !s2p))
        return false;
    /* STRW: 0b00 NS-EL1, 0b10 EL2 (EL2-E2H with CR2.E2H); EL2 needs IDR0.HYP and has
     * no stage 2; 0b01 and 0b11 (Secure, EL3) are ILLEGAL for a Non-secure stream. */
    unsigned strw = (unsigned)(w[1] >> 30) & 3;
    if (strw == 0)
        c->regime = TLB_REGIME_EL10;
    else if (strw == 2 && (s->idr[0] & IDR0_HYP) && !c->s2)
        c->regime = (s->cr2 & CR2_E2H) ? TLB_REGIME_EL20 : TLB_REGIME_EL2;
    else
        return false;
    /* PRIVCFG [49:48], INSTCFG [51:50]: 0b10/0b11 override; 0b00 use the incoming
     * attribute (a device's DMA is unprivileged data); 0b01 reserved, taken as 0b00. */
    unsigned privcfg = (unsigned)(w[1] >> 48) & 3, instcfg = (unsigned)(w[1] >> 50) & 3;
    c->priv = privcfg == 3;
    c->instr = instcfg == 3;
    /* S2VMID tags the TLB entries of stage 1 too when stage 2 is implemented. */
    c->vmid = s2p ? (uint16_t)w[2] : 0;
    if (c->s1) {
        c->ste_s1fmt = (unsigned)(w[0] >> 4) & 3;
        c->ste_cdmax = (unsigned)(w[0] >> 59) & 0x1f;
        c->ste_ctxptr = w[0] & 0x000fffffffffffc0ULL;
        c->ste_s1dss = (unsigned)w[1] & 3;
        unsigned ssidsize = (s->idr[1] >> IDR1_SSIDSIZE_SHIFT) & 0x1f;
        if (c->ste_cdmax > ssidsize)
            return false;
        if (c->ste_cdmax && (c->ste_s1fmt == 3 || (c->ste_s1fmt && !(s->idr[0] & IDR0_CD2L)) ||
                             c->ste_s1dss == 3))
            return false;
    }
    if (c->s2) {
        uint64_t vtcr = (w[2] >> 32) & 0x7ffff;
        unsigned t0sz = vtcr & 0x3f, sl0 = (vtcr >> 6) & 3, tg = (vtcr >> 14) & 3, ps = (vtcr >> 16) & 7;
        bool aa64 = (w[2] >> 51) & 1, endi = (w[2] >> 52) & 1;
        if (!aa64 || endi || tg == 3)
            return false;       /* AArch32 tables (TTF = AArch64 only), big-endian, reserved S2TG */
        unsigned gb = mmu_tg0_bits(tg);
        if (!s2_geometry_ok(t0sz, sl0, gb))
            return false;       /* S2T0SZ out of range, S2SL0 inconsistent with it */
        c->s2c.enabled = true;
        c->s2c.vttbr = w[3] & 0x000ffffffffffff0ULL;
        c->s2c.t0sz = t0sz;
        c->s2c.sl0 = sl0;
        c->s2c.granule_bits = gb;
        c->s2c.ps_bits = pa_bits_of(ps, s->cfg.oas_bits);
        c->s2r = (w[2] >> 58) & 1;
        c->affd[1] = (w[2] >> 53) & 1;
        c->s2c.ptw = (w[2] >> 54) & 1;
        /* Not modelled: S2HA/S2HD (no HTTU), S2S (no stalls), S2FWB (not offered). */
    }
    return true;
}

/* ---- context descriptors -------------------------------------------------------------- */

/* Reads n doublewords of the CD table at addr: an IPA translated by stage 2
 * when stage 2 is on (faults with CLASS = CD). Returns XL_OK, or XL_ABORT
 * after the event. */
static enum xl_result cd_read(struct xact *x, uint64_t addr, uint64_t *w, unsigned n)
{
    uint64_t pa = addr;
    if (x->c.s2) {
        struct mmu_mem_ops ops = mem_ops(x);
        if (!s2_walk_lookup(x, addr, &pa)) {
            struct mmu_result r;
            x->in_cd_fetch = true;
            bool ok = mmu_translate_s2(&ops, &x->c.s2c, addr, MMU_READ, false, &r);
            if (!ok) {
                walk_fault(x, &r.fault);   /* a stage-2 fault or F_WALK_EABT: both abort */
                x->in_cd_fetch = false;
                return XL_ABORT;
            }
            x->in_cd_fetch = false;
            s2_insert(x, &r);
            pa = r.pa;
        }
    }
    if (!read_words(x->s, pa, w, n)) {
        emit(x, SMMU_EVT_F_CD_FETCH, true, false, 0, 0, true, pa);
        return XL_ABORT;
    }
    return XL_OK;
}

/* Decodes a CD (IHI 0070 "CD") into the stage-1 configuration; false when it is
 * ILLEGAL (C_BAD_CD). */
static bool decode_cd(struct smmu *s, const uint64_t w[8], struct stream_cfg *c)
{
    uint64_t w0 = w[0];
    if (!((w0 >> 31) & 1))
        return false;                                   /* V = 0 */
    if (!((w0 >> 41) & 1) || ((w0 >> 15) & 1))
        return false;                                   /* AA64 = 0 (AArch32), ENDI = 1 (big-endian) */
    unsigned t0sz = w0 & 0x3f, tg0 = (w0 >> 6) & 3, t1sz = (w0 >> 16) & 0x3f, tg1 = (w0 >> 22) & 3;
    bool epd0 = (w0 >> 14) & 1, epd1 = (w0 >> 30) & 1;
    bool two_ranges = c->regime != TLB_REGIME_EL2;
    /* TxSZ outside 16..39 and reserved TGx values make the CD ILLEGAL (avsim's choice
     * for what the PE treats as CONSTRAINED UNPREDICTABLE); a disabled range's fields
     * are not checked (Linux leaves TG1 = 0 with EPD1 = 1). */
    if (!epd0 && (tg0 == 3 || t0sz < 16 || t0sz > 39))
        return false;
    if (two_ranges && !epd1 && (tg1 == 0 || t1sz < 16 || t1sz > 39))
        return false;
    struct mmu_s1_config *s1 = &c->s1c;
    memset(s1, 0, sizeof *s1);
    s1->enabled = true;
    s1->two_ranges = two_ranges;
    s1->el2_regime = c->regime == TLB_REGIME_EL2;
    s1->host = c->regime == TLB_REGIME_EL20;
    s1->ttbr[0] = w[1] & 0x000ffffffffffff0ULL;
    s1->ttbr[1] = w[2] & 0x000ffffffffffff0ULL;
    s1->tsz[0] = t0sz;
    s1->tsz[1] = t1sz;
    s1->granule_bits[0] = mmu_tg0_bits(tg0);
    s1->granule_bits[1] = mmu_tg1_bits(tg1);
    s1->epd[0] = epd0;
    s1->epd[1] = two_ranges && epd1;
    s1->tbi[0] = (w0 >> 38) & 1;
    s1->tbi[1] = (w0 >> 39) & 1;
    s1->ips_bits = pa_bits_of((unsigned)(w0 >> 32) & 7, s->cfg.oas_bits);
    s1->wxn = (w0 >> 36) & 1;
    s1->mair = w[3];
    s1->as16 = true;
    c->asid = (uint16_t)(w0 >> 48);
    c->cd_r = (w0 >> 45) & 1;
    c->cd_a = (w0 >> 46) & 1;
    c->affd[0] = (w0 >> 35) & 1;
    /* Not modelled: UWXN, PAN, HA/HD (no HTTU), S (no stalls), the cacheability and
     * shareability fields (memory is coherent). */
    return true;
}

/* The CD for the transaction (IHI 0070 "Substreams", "CD table"): with S1CDMax
 * = 0 a single CD at S1ContextPtr and no SubstreamIDs; else linear or 2-level
 * (S1Fmt 0b01: 64 CDs per leaf table, 0b10: 1024), S1DSS deciding what a
 * transaction without a SubstreamID does. Returns XL_OK with c->s1 possibly
 * cleared (S1DSS bypass), else XL_ABORT after the event. */
static enum xl_result fetch_cd(struct xact *x)
{
    struct smmu *s = x->s;
    struct stream_cfg *c = &x->c;
    bool ssv = x->ssid != DMA_NO_SSID;
    uint32_t idx = 0;
    if (c->ste_cdmax == 0) {
        if (ssv) {
            config_event(x, SMMU_EVT_C_BAD_SUBSTREAMID);
            return XL_ABORT;
        }
    } else if (!ssv) {
        if (c->ste_s1dss == 0) {                        /* terminate */
            config_event(x, SMMU_EVT_F_STREAM_DISABLED);
            return XL_ABORT;
        }
        if (c->ste_s1dss == 1) {                        /* bypass stage 1 */
            c->s1 = false;
            return XL_OK;
        }
        idx = 0;                                        /* 0b10: substream 0 */
    } else {
        if (c->ste_s1dss == 2 && x->ssid == 0) {       /* substream 0 is for transactions without one */
            config_event(x, SMMU_EVT_F_STREAM_DISABLED);  /* IHI 0070 F_STREAM_DISABLED */
            return XL_ABORT;
        }
        if (x->ssid >= (1u << c->ste_cdmax)) {
            config_event(x, SMMU_EVT_C_BAD_SUBSTREAMID);
            return XL_ABORT;
        }
        idx = x->ssid;
    }
    uint64_t cd[8];
    struct smmu_cfg_entry *ce = cfg_lookup(s, true, x->sid, idx);
    if (ce) {
        s->stats.cfg_hits++;
        memcpy(cd, ce->w, sizeof cd);
    } else {
        s->stats.cfg_misses++;
        uint64_t addr;
        if (c->ste_cdmax == 0 || c->ste_s1fmt == 0) {
            addr = c->ste_ctxptr + (uint64_t)idx * 64;
        } else {
            unsigned split = c->ste_s1fmt == 1 ? 6 : 10;
            uint64_t l1;
            if (cd_read(x, c->ste_ctxptr + (uint64_t)(idx >> split) * 8, &l1, 1) != XL_OK)
                return XL_ABORT;
            if (!(l1 & 1)) {                            /* L1CD.V = 0 */
                config_event(x, SMMU_EVT_C_BAD_SUBSTREAMID);
                return XL_ABORT;
            }
            addr = (l1 & 0x000ffffffffff000ULL) + (uint64_t)(idx & ((1u << split) - 1)) * 64;
        }
        if (cd_read(x, addr, cd, 8) != XL_OK)
            return XL_ABORT;
        if (!decode_cd(s, cd, c)) {
            config_event(x, SMMU_EVT_C_BAD_CD);
            return XL_ABORT;
        }
        cfg_insert(s, true, x->sid, idx, cd);           /* only valid CDs are cached */
        return XL_OK;
    }
    if (!decode_cd(s, cd, c)) {
        config_event(x, SMMU_EVT_C_BAD_CD);
        return XL_ABORT;
    }
    return XL_OK;
}

/* The STE and CD of the transaction into x->c. XL_OK: translate per x->c;
 * XL_ABORT: terminated (after its event, if any). */
static enum xl_result resolve(struct xact *x)
{
    struct smmu *s = x->s;
    uint64_t ste[8];
    bool cached;
    if (!fetch_ste(x, ste, &cached))
        return XL_ABORT;
    if (!decode_ste(s, ste, &x->c)) {
        x->c.config = (unsigned)(ste[0] >> 1) & 7;
        config_event(x, SMMU_EVT_C_BAD_STE);
        return XL_ABORT;
    }
    if (!cached)
        cfg_insert(s, false, x->sid, 0, ste);           /* only valid STEs are cached */
    if (x->c.config == SMMU_STE_CONFIG_ABORT)
        return XL_ABORT;                                /* abort, no event */
    if (x->c.config == SMMU_STE_CONFIG_BYPASS) {
        if (x->ssid != DMA_NO_SSID) {                   /* substreams need stage 1 */
            config_event(x, SMMU_EVT_C_BAD_SUBSTREAMID);
            return XL_ABORT;
        }
        return XL_OK;
    }
    if (!x->c.s1) {
        if (x->ssid != DMA_NO_SSID) {
            config_event(x, SMMU_EVT_C_BAD_SUBSTREAMID);
            return XL_ABORT;
        }
        return XL_OK;
    }
    return fetch_cd(x);
}

void smmu_cfg_prefetch(struct smmu *s, uint32_t sid)
{
    struct xact x = { .s = s, .sid = sid, .ssid = DMA_NO_SSID, .quiet = true };
    uint64_t ste[8];
    bool cached;
    struct stream_cfg c;
    if (fetch_ste(&x, ste, &cached) && !cached && decode_ste(s, ste, &c))
        cfg_insert(s, false, sid, 0, ste);
}

/* ---- translation ---------------------------------------------------------------------- */

struct page_result {
    uint64_t ipa, pa;
    unsigned page_shift;
    bool tlb_hit;
    unsigned walk_accesses;
};

static bool perm_ok(uint8_t perm, enum mmu_access acc)
{
    uint8_t need = acc == MMU_READ ? MMU_PERM_R : acc == MMU_WRITE ? MMU_PERM_W : MMU_PERM_X;
    return perm & need;
}

/* A transaction's page answered by the SMMU's TLB. */
static enum xl_result tlb_hit(struct page_result *pr, struct smmu_sid_stats *st, uint64_t ipa, uint64_t pa,
                              unsigned page_shift)
{
    pr->ipa = ipa;
    pr->pa = pa;
    pr->page_shift = page_shift;
    pr->tlb_hit = true;
    if (st)
        st->tlb_hits++;
    return XL_OK;
}

/* A walk was made (successful or not): its descriptor reads. */
static void count_walk(struct smmu_sid_stats *st, struct page_result *pr, unsigned walk_accesses)
{
    if (st) {
        st->walks++;
        st->walk_accesses += walk_accesses;
    }
    pr->walk_accesses = walk_accesses;
}

/* Stage 1 (and stage 2 nested): the TLB, else a walk and an insertion. A TLB
 * hit that lacks the permission is walked again, so that the fault reported
 * is the tables' own. */
static enum xl_result translate_s1(struct xact *x, enum mmu_access acc, unsigned el, struct smmu_sid_stats *st,
                                   struct page_result *pr)
{
    struct smmu *s = x->s;
    struct stream_cfg *c = &x->c;
    if (st)
        st->tlb_lookups++;
    const struct tlb_entry *e = tlb_lookup(&s->tlb, c->instr, c->regime, tag_vmid(c), tag_asid(c), x->iova, NULL);
    if (e && perm_ok(el ? e->perm_el1 : e->perm_el0, acc)) {
        uint64_t off = x->iova & ((1ULL << e->page_shift) - 1);
        return tlb_hit(pr, st, e->ipa + off, e->pa + off, e->page_shift);
    }
    struct mmu_mem_ops ops = mem_ops(x);
    struct mmu_result r;
    bool ok = mmu_full_translate(&ops, &c->s1c, c->s2 ? &c->s2c : NULL, x->iova, acc, el, &r);
    count_walk(st, pr, r.walk_accesses);
    if (!ok)
        return walk_fault(x, &r.fault);
    struct tlb_entry te = { .valid = true, .kind = TLB_KIND_LEAF, .regime = (uint8_t)c->regime,
                            .global = c->regime == TLB_REGIME_EL2 ? true : r.global, .s2 = c->s2,
                            .asid = tag_asid(c), .vmid = tag_vmid(c), .page_shift = (uint8_t)r.page_shift,
                            .perm_el0 = r.perm_el0, .perm_el1 = r.perm_el1, .attr = r.attr, .sh = r.sh,
                            .va = x->iova, .ipa = r.ipa, .pa = r.pa };
    tlb_insert(&s->tlb, c->instr, &te);
    pr->ipa = r.ipa;
    pr->pa = r.pa;
    pr->page_shift = r.page_shift;
    return XL_OK;
}

/* Stage 2 alone (Config = S2, or S1DSS bypass under nesting): stage-2-only
 * entries live in the TLB's walk cache, tagged by VMID, where CMD_TLBI_S2_IPA
 * finds them (tlb.c's IPAS2E1 scope). Their lookups count in the TLB's figures. */
static enum xl_result translate_s2(struct xact *x, enum mmu_access acc, struct smmu_sid_stats *st,
                                   struct page_result *pr)
{
    struct smmu *s = x->s;
    struct stream_cfg *c = &x->c;
    if (st)
        st->tlb_lookups++;
    s->tlb.stats.lookups++;
    const struct tlb_entry *e = tlb_s2_lookup(&s->tlb, c->vmid, x->iova);
    if (e && perm_ok(e->perm_el1, acc)) {
        s->tlb.stats.l1_hits++;
        return tlb_hit(pr, st, x->iova, e->pa + (x->iova - e->ipa), e->page_shift);
    }
    s->tlb.stats.misses++;
    struct mmu_mem_ops ops = mem_ops(x);
    struct mmu_result r;
    bool ok = mmu_translate_s2(&ops, &c->s2c, x->iova, acc, false, &r);
    count_walk(st, pr, r.walk_accesses);
    if (!ok)
        return walk_fault(x, &r.fault);
    s2_insert(x, &r);
    pr->ipa = x->iova;
    pr->pa = r.pa;
    pr->page_shift = r.page_shift;
    return XL_OK;
}

static void publish_xlate(struct xact *x, const struct page_result *pr, unsigned size)
{
    if (!event_wanted(x->s->bus.events, EV_SMMU_XLATE))
        return;
    struct event ev = { .type = EV_SMMU_XLATE };
    smmu_when(x->s, &ev);
    ev.u.smmu.sid = x->sid;
    ev.u.smmu.ssid = x->ssid;
    ev.u.smmu.iova = x->iova;
    ev.u.smmu.ipa = pr->ipa;
    ev.u.smmu.pa = pr->pa;
    ev.u.smmu.page_shift = pr->page_shift;
    ev.u.smmu.config = x->c.config;
    ev.u.smmu.vmid = x->c.vmid;
    ev.u.smmu.asid = x->c.asid;
    ev.u.smmu.tlb_hit = pr->tlb_hit;
    ev.u.smmu.walk_accesses = pr->walk_accesses;
    ev.u.smmu.is_write = x->is_write;
    ev.u.smmu.size = size;
    event_publish(x->s->bus.events, &ev);
}

/* One page of a transaction: its output address, or how it terminates. */
static enum xl_result translate_page(struct smmu *s, uint32_t sid, uint32_t ssid, uint64_t iova, bool is_write,
                                     unsigned size, uint64_t *pa)
{
    struct smmu_sid_stats *st = smmu_sid_stats_for(s, sid);
    if (st) {
        st->transactions++;
        st->bytes += size;
    }
    struct xact x = { .s = s, .sid = sid, .ssid = ssid, .iova = iova, .is_write = is_write };
    struct page_result pr = { .ipa = iova, .pa = iova, .page_shift = 12 };
    enum xl_result res;

    if (!(s->cr0 & CR0_SMMUEN)) {
        /* SMMU_GBPA: abort (no event), or bypass. */
        if (s->gbpa & GBPA_ABORT) {
            res = XL_ABORT;
        } else {
            x.c.config = SMMU_STE_CONFIG_BYPASS;
            if (st)
                st->bypass++;
            publish_xlate(&x, &pr, size);
            *pa = iova;
            return XL_OK;
        }
    } else if ((res = resolve(&x)) == XL_OK) {
        enum mmu_access acc = is_write ? MMU_WRITE : x.c.instr ? MMU_FETCH : MMU_READ;
        if (x.c.config == SMMU_STE_CONFIG_BYPASS || (!x.c.s1 && !x.c.s2)) {
            if (st)
                st->bypass++;
        } else if (x.c.s1) {
            /* EL2 has one privilege level; EL1&0 and EL2&0 check PnU's. */
            unsigned el = (x.c.regime == TLB_REGIME_EL2 || x.c.priv) ? 1 : 0;
            res = translate_s1(&x, acc, el, st, &pr);
        } else {
            res = translate_s2(&x, acc, st, &pr);
        }
    }
    if (res != XL_OK) {
        if (st)
            st->faults++;
        return res;
    }
    publish_xlate(&x, &pr, size);
    *pa = pr.pa;
    return XL_OK;
}

int smmu_dma(struct smmu *s, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t room = 0x1000 - (addr & 0xfff);
        size_t n = len < room ? len : (size_t)room;
        uint64_t pa;
        enum xl_result res = translate_page(s, sid, ssid, addr, is_write, (unsigned)n, &pa);
        if (res == XL_ABORT)
            return -1;
        if (res == XL_RAZWI) {
            if (!is_write)
                memset(p, 0, n);              /* reads as zero, writes ignored */
        } else {
            int rc = is_write ? phys_write(&s->bus.mem, pa, p, n) : phys_read(&s->bus.mem, pa, p, n);
            if (rc != 0)
                return -1;                    /* an external abort from the memory system: no SMMU event */
        }
        addr += n;
        p += n;
        len -= n;
    }
    return 0;
}

static int dma_access(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len,
                      bool is_write)
{
    return smmu_dma(opaque, sid, ssid, addr, buf, len, is_write);
}

struct dma_port smmu_dma_port(struct smmu *s, uint32_t sid)
{
    return (struct dma_port){ .access = dma_access, .opaque = s, .sid = sid };
}
