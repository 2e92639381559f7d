/* VMSAv8-64 translation: AArch64.S1Translate, AArch64.S2Translate,
 * AArch64.CombineS1S2Desc, AArch64.CheckPermission / CheckS2Permission.
 * Descriptor layout (both stages): bits[1:0] 0b11 table (levels 0-2) or page
 * (level 3), 0b01 block (levels 1-2 as the granule allows), bit 0 clear
 * invalid; output address bits[47:granule]; lower attributes [11:2], upper
 * attributes [63:52]. */
#include "mmu/walk.h"
#include <string.h>

#define DESC_VALID (1ULL << 0)
#define DESC_TABLE (1ULL << 1)
#define DESC_AF (1ULL << 10)
#define DESC_NG (1ULL << 11)
#define DESC_PXN (1ULL << 53)
#define DESC_XN (1ULL << 54)          /* UXN in the EL1&0 regime */
#define TABLE_PXN (1ULL << 59)
#define TABLE_XN (1ULL << 60)         /* UXNTable in the EL1&0 regime */
#define TABLE_AP0 (1ULL << 61)        /* no EL0 access below */
#define TABLE_AP1 (1ULL << 62)        /* no write access below */
#define OA_MASK 0x0000fffffffff000ULL

unsigned mmu_fault_fsc(const struct mmu_fault *f)
{
    unsigned lvl = f->level < 0 ? 0 : (unsigned)f->level & 3;
    switch (f->type) {
    case MMU_FAULT_ADDRESS_SIZE: return 0x00 | lvl;
    case MMU_FAULT_TRANSLATION: return 0x04 | lvl;
    case MMU_FAULT_ACCESS_FLAG: return 0x08 | lvl;
    case MMU_FAULT_PERMISSION: return 0x0c | lvl;
    case MMU_FAULT_EXTERNAL_WALK: return 0x14 | lvl;
    default: return 0;
    }
}

unsigned mmu_tg0_bits(unsigned tg0) { return tg0 == 1 ? 16 : tg0 == 2 ? 14 : 12; }
unsigned mmu_tg1_bits(unsigned tg1) { return tg1 == 1 ? 14 : tg1 == 3 ? 16 : 12; }

unsigned mmu_pa_bits(unsigned ps)
{
    static const unsigned bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
    unsigned b = bits[ps & 7];
    return b > MMU_PA_BITS ? MMU_PA_BITS : b;
}

void mmu_s1_from_regs(struct mmu_s1_config *c, bool el2_regime, uint64_t sctlr, uint64_t tcr,
                      uint64_t ttbr0, uint64_t ttbr1, uint64_t mair)
{
    memset(c, 0, sizeof *c);
    c->enabled = sctlr & 1;
    c->wxn = (sctlr >> 19) & 1;
    c->icache = (sctlr >> 12) & 1;
    c->el2_regime = el2_regime;
    c->two_ranges = !el2_regime;
    c->ttbr[0] = ttbr0;
    c->ttbr[1] = ttbr1;
    c->mair = mair;
    c->tsz[0] = tcr & 0x3f;
    c->granule_bits[0] = mmu_tg0_bits((tcr >> 14) & 3);
    if (el2_regime) {
        c->ips_bits = mmu_pa_bits((tcr >> 16) & 7);
        c->tbi[0] = (tcr >> 20) & 1;
    } else {
        c->epd[0] = (tcr >> 7) & 1;
        c->tsz[1] = (tcr >> 16) & 0x3f;
        c->a1 = (tcr >> 22) & 1;
        c->epd[1] = (tcr >> 23) & 1;
        c->granule_bits[1] = mmu_tg1_bits((tcr >> 30) & 3);
        c->ips_bits = mmu_pa_bits((tcr >> 32) & 7);
        c->as16 = (tcr >> 36) & 1;
        c->tbi[0] = (tcr >> 37) & 1;
        c->tbi[1] = (tcr >> 38) & 1;
    }
}

void mmu_s2_from_regs(struct mmu_s2_config *c, uint64_t hcr, uint64_t vtcr, uint64_t vttbr)
{
    memset(c, 0, sizeof *c);
    c->dc = (hcr >> 12) & 1;
    c->enabled = (hcr & 1) || c->dc;  /* HCR_EL2.DC: as if HCR_EL2.VM were 1 */
    c->vttbr = vttbr;
    c->t0sz = vtcr & 0x3f;
    c->sl0 = (vtcr >> 6) & 3;
    c->granule_bits = mmu_tg0_bits((vtcr >> 14) & 3);
    c->ps_bits = mmu_pa_bits((vtcr >> 16) & 7);
}

/* ---- attributes ---------------------------------------------------------------------- */

static bool attr_is_device(uint8_t a) { return (a & 0xf0) == 0; }

/* Cacheability class of a Normal-memory nibble: 0 Non-cacheable, 1 Write-Through, 2 Write-Back. */
static unsigned nibble_class(unsigned n)
{
    if (n == 0x4)
        return 0;
    if ((n & 0xc) == 0x0 || (n & 0xc) == 0x8)
        return 1;
    return 2;
}

/* The nibble for cacheability class cls, keeping stage 1's allocation hints
 * and transience (stage 2 has none): Write-Back 0bx1RW -> Write-Through 0bx0RW. */
static unsigned class_nibble(unsigned cls, unsigned s1nibble)
{
    if (nibble_class(s1nibble) == cls)
        return s1nibble;
    if (cls == 0)
        return 0x4;
    return s1nibble & ~0x4u;        /* cls == 1: from Write-Back to Write-Through */
}

uint8_t mmu_combine_attr(uint8_t s1attr, unsigned s2memattr)
{
    unsigned s2outer = (s2memattr >> 2) & 3, s2inner = s2memattr & 3;
    bool s2dev = s2outer == 0;
    if (attr_is_device(s1attr) || s2dev) {
        /* The more restrictive device type: nGnRnE < nGnRE < nGRE < GRE. */
        unsigned t1 = attr_is_device(s1attr) ? (s1attr >> 2) & 3 : 3;
        unsigned t2 = s2dev ? s2inner : 3;
        return (uint8_t)((t1 < t2 ? t1 : t2) << 2);
    }
    /* Stage 2 cacheability: 01 NC, 10 WT, 11 WB (0 for an inner 00, which is reserved). */
    unsigned s2oc = s2outer - 1, s2ic = s2inner ? s2inner - 1 : 0;
    unsigned o1 = s1attr >> 4, i1 = s1attr & 0xf;
    unsigned oc = nibble_class(o1) < s2oc ? nibble_class(o1) : s2oc;
    unsigned ic = nibble_class(i1) < s2ic ? nibble_class(i1) : s2ic;
    return (uint8_t)((class_nibble(oc, o1) << 4) | class_nibble(ic, i1));
}

static unsigned sh_rank(uint8_t sh) { return sh == 2 ? 2 : sh == 3 ? 1 : 0; }

uint8_t mmu_combine_sh(uint8_t s1sh, uint8_t s2sh, uint8_t attr)
{
    /* Device and Normal Non-cacheable memory is Outer Shareable. */
    if (attr_is_device(attr) || attr == 0x44)
        return 2;
    return sh_rank(s1sh) >= sh_rank(s2sh) ? s1sh : s2sh;
}

/* ---- the walk ------------------------------------------------------------------------ */

struct walk_params {
    unsigned stage;           /* 1 or 2 */
    bool el2_regime;          /* stage 1 of the EL2 regime */
    unsigned regime;          /* for the walk cache: 0 EL1&0, 1 EL2, 2 EL2&0 */
    uint64_t base;            /* table base (IPA at stage 1 under stage 2) */
    unsigned inputsize;
    int start_level;
    unsigned granule_bits;
    unsigned oa_bits;
};

struct walk_out {
    uint64_t desc;
    uint64_t table_attrs;     /* accumulated APTable/XNTable/PXNTable */
    int level;
    unsigned shift;           /* log2 of the block/page size */
};

static void set_fault(struct mmu_result *r, enum mmu_fault_type t, int level, bool stage2, bool s1ptw,
                      uint64_t ipa)
{
    r->fault.type = t;
    r->fault.level = level;
    r->fault.stage2 = stage2;
    r->fault.s1ptw = s1ptw;
    r->fault.ipa = ipa;
}

static bool block_allowed(unsigned granule_bits, int level)
{
    if (granule_bits == 12)
        return level == 1 || level == 2;
    return level == 2;        /* 16K and 64K granules (no 52-bit addresses) */
}

/* Reads one descriptor; at stage 1 under stage 2 its address is an IPA. */
static bool read_desc(const struct mmu_mem_ops *mem, const struct mmu_s2_config *s2, unsigned stage,
                      uint64_t addr, int level, uint64_t *desc, struct mmu_result *r)
{
    uint64_t pa = addr;
    if (stage == 1 && s2 && s2->enabled &&
        !(mem->s2_walk_lookup && mem->s2_walk_lookup(mem->opaque, addr, &pa))) {
        struct mmu_result r2;
        if (!mmu_translate_s2(mem, s2, addr, MMU_READ, true, &r2)) {
            r->fault = r2.fault;
            r->walk_accesses += r2.walk_accesses;
            return false;
        }
        r->walk_accesses += r2.walk_accesses;
        if (s2->ptw && ((r2.attr >> 2) & 3) == 0) {
            /* Protected table walk: stage 2 maps the descriptor as Device (MemAttr[3:2] = 0). */
            unsigned gb = s2->granule_bits;
            set_fault(r, MMU_FAULT_PERMISSION, 3 - (int)((r2.page_shift - gb) / (gb - 3)), true, true, addr);
            return false;
        }
        pa = r2.pa;
        if (mem->s2_walk_insert)
            mem->s2_walk_insert(mem->opaque, &r2);
    }
    r->walk_accesses++;
    if (mem->on_walk_access)
        mem->on_walk_access(mem->opaque, pa, addr, stage, level);
    if (mem->read64(mem->opaque, pa, desc) != 0) {
        set_fault(r, MMU_FAULT_EXTERNAL_WALK, level, stage == 2, false, 0);
        return false;
    }
    return true;
}

static bool walk(const struct mmu_mem_ops *mem, const struct mmu_s2_config *s2_for_tables,
                 const struct walk_params *p, uint64_t in, struct walk_out *o, struct mmu_result *r,
                 uint64_t fault_ipa)
{
    unsigned stride = p->granule_bits - 3;
    uint64_t table = p->base;
    bool st2 = p->stage == 2;
    int first = p->start_level;
    o->table_attrs = 0;
    if (!st2 && mem->s1_table_lookup) {
        int lvl;
        uint64_t t, attrs;
        if (mem->s1_table_lookup(mem->opaque, p->regime, in, &lvl, &t, &attrs) && lvl >= p->start_level &&
            lvl < 3) {
            first = lvl + 1;          /* resume below the cached table descriptor */
            table = t;
            o->table_attrs = attrs;
        }
    }
    for (int level = first; level <= 3; level++) {
        unsigned shift = p->granule_bits + (unsigned)(3 - level) * stride;
        unsigned bits = level == p->start_level ? p->inputsize - shift : stride;
        uint64_t index = (in >> shift) & ((1ULL << bits) - 1);
        uint64_t desc;
        if (!read_desc(mem, s2_for_tables, p->stage, table + index * 8, level, &desc, r)) {
            if (r->fault.type == MMU_FAULT_EXTERNAL_WALK && st2)
                r->fault.ipa = fault_ipa;
            return false;
        }
        if (!(desc & DESC_VALID)) {
            set_fault(r, MMU_FAULT_TRANSLATION, level, st2, false, fault_ipa);
            return false;
        }
        if (level < 3 && (desc & DESC_TABLE)) {
            uint64_t next = desc & OA_MASK & ~((1ULL << p->granule_bits) - 1);
            if (next >> p->oa_bits) {
                set_fault(r, MMU_FAULT_ADDRESS_SIZE, level, st2, false, fault_ipa);
                return false;
            }
            if (!st2) {
                o->table_attrs |= desc & (TABLE_PXN | TABLE_XN | TABLE_AP0 | TABLE_AP1);
                if (mem->s1_table_insert)
                    mem->s1_table_insert(mem->opaque, p->regime, in, level, shift, next, o->table_attrs);
            }
            table = next;
            continue;
        }
        if (level < 3 && !block_allowed(p->granule_bits, level)) {
            set_fault(r, MMU_FAULT_TRANSLATION, level, st2, false, fault_ipa);
            return false;
        }
        if (level == 3 && !(desc & DESC_TABLE)) {      /* reserved encoding at level 3 */
            set_fault(r, MMU_FAULT_TRANSLATION, level, st2, false, fault_ipa);
            return false;
        }
        uint64_t oa = desc & OA_MASK & ~((1ULL << shift) - 1);
        if (oa >> p->oa_bits) {
            set_fault(r, MMU_FAULT_ADDRESS_SIZE, level, st2, false, fault_ipa);
            return false;
        }
        if (!(desc & DESC_AF)) {                     /* no hardware Access flag update */
            set_fault(r, MMU_FAULT_ACCESS_FLAG, level, st2, false, fault_ipa);
            return false;
        }
        o->desc = desc;
        o->level = level;
        o->shift = shift;
        return true;
    }
    return false;
}

static unsigned clamp_tsz(unsigned tsz)
{
    /* TxSZ outside 16..39 behaves as the nearest value (a CONSTRAINED UNPREDICTABLE choice). */
    return tsz < 16 ? 16 : tsz > 39 ? 39 : tsz;
}

static int s1_start_level(unsigned inputsize, unsigned granule_bits)
{
    unsigned stride = granule_bits - 3;
    unsigned levels = (inputsize - granule_bits + stride - 1) / stride;
    return 4 - (int)levels;
}

bool mmu_translate_s2(const struct mmu_mem_ops *mem, const struct mmu_s2_config *s2, uint64_t ipa,
                      enum mmu_access acc, bool s1ptw, struct mmu_result *r)
{
    memset(r, 0, sizeof *r);
    r->va = r->ipa = ipa;
    unsigned gb = s2->granule_bits, stride = gb - 3;
    unsigned inputsize = 64 - clamp_tsz(s2->t0sz);
    int start = gb == 12 ? 2 - (int)s2->sl0 : 3 - (int)s2->sl0;
    if (ipa >> inputsize) {
        set_fault(r, MMU_FAULT_TRANSLATION, 0, true, s1ptw, ipa);
        return false;
    }
    /* The start level must resolve 1..stride+4 bits (up to 16 concatenated tables):
     * otherwise the configuration is inconsistent (AArch64.S2InconsistentSL). */
    int top_shift = (int)gb + (3 - start) * (int)stride;
    /* AArch64.S2InvalidSL: level 0 (4K) needs a 44-bit PA, level 1 with 16K a 42-bit one.
     * AArch64.S2InconsistentSL: the start level resolves 1..stride+4 bits. Both fault at level 0. */
    bool invalid = start < 0 || start > 3 || (gb == 12 && start == 0 && MMU_PA_BITS < 44) ||
                   (gb == 14 && start == 1 && MMU_PA_BITS < 42) || (gb == 16 && start == 1 && MMU_PA_BITS < 44);
    if (invalid || (int)inputsize <= top_shift || (int)inputsize - top_shift > (int)stride + 4) {
        set_fault(r, MMU_FAULT_TRANSLATION, 0, true, s1ptw, ipa);
        return false;
    }
    unsigned top_bits = inputsize - (unsigned)top_shift;
    uint64_t base = s2->vttbr & 0x0000fffffffffffeULL & ~((1ULL << (top_bits + 3)) - 1);
    if (base >> s2->ps_bits) {
        set_fault(r, MMU_FAULT_ADDRESS_SIZE, 0, true, s1ptw, ipa);
        return false;
    }
    struct walk_params p = { .stage = 2, .base = base, .inputsize = inputsize, .start_level = start,
                             .granule_bits = gb, .oa_bits = s2->ps_bits };
    struct walk_out o;
    if (!walk(mem, NULL, &p, ipa, &o, r, ipa)) {
        r->fault.s1ptw = s1ptw;
        r->fault.stage2 = true;
        r->fault.ipa = ipa;
        return false;
    }
    uint8_t perm = 0;
    unsigned s2ap = (o.desc >> 6) & 3;
    if (s2ap & 1) perm |= MMU_PERM_R;
    if (s2ap & 2) perm |= MMU_PERM_W;
    if (!(o.desc & DESC_XN)) perm |= MMU_PERM_X;
    uint8_t need = acc == MMU_READ ? MMU_PERM_R : acc == MMU_WRITE ? MMU_PERM_W : MMU_PERM_X;
    r->pa = (o.desc & OA_MASK & ~((1ULL << o.shift) - 1)) | (ipa & ((1ULL << o.shift) - 1));
    r->page_shift = o.shift;
    r->perm_el0 = r->perm_el1 = perm;
    r->attr = (uint8_t)((o.desc >> 2) & 0xf);       /* the raw MemAttr, combined by the caller */
    r->sh = (uint8_t)((o.desc >> 8) & 3);
    r->global = true;
    if (!(perm & need)) {
        set_fault(r, MMU_FAULT_PERMISSION, o.level, true, s1ptw, ipa);
        return false;
    }
    return true;
}

bool mmu_s1_off_pa(const struct mmu_s1_config *s1, uint64_t va, uint64_t *pa)
{
    /* AddrTop: TBI of the range bit 55 selects (EL2: TBI alone); no FEAT_PAuth, so no TBID. */
    bool tbi = s1->tbi[s1->two_ranges ? (va >> 55) & 1 : 0];
    uint64_t top = tbi ? va & ((1ULL << 56) - 1) : va;
    if (top >> MMU_PA_BITS)
        return false;
    *pa = top;
    return true;
}

static bool translate(const struct mmu_mem_ops *mem, const struct mmu_s1_config *s1,
                      const struct mmu_s2_config *s2, bool s2_output, uint64_t va, enum mmu_access acc,
                      unsigned el, struct mmu_result *r)
{
    memset(r, 0, sizeof *r);
    r->va = va;
    const struct mmu_s2_config *s2on = (!s1->el2_regime && !s1->host && s2 && s2->enabled) ? s2 : NULL;
    uint8_t need = acc == MMU_READ ? MMU_PERM_R : acc == MMU_WRITE ? MMU_PERM_W : MMU_PERM_X;
    uint8_t s1attr, s1sh;
    unsigned s1shift;
    uint64_t ipa;

    if (!s1->enabled) {
        /* Stage 1 off (AArch64.TranslateAddressS1Off): flat, Device-nGnRnE for data
         * and Normal for fetches, or Normal Write-Back with HCR_EL2.DC. */
        if (!mmu_s1_off_pa(s1, va, &ipa)) {
            set_fault(r, MMU_FAULT_ADDRESS_SIZE, 0, false, false, 0);
            return false;
        }
        bool dc = s2on && s2on->dc;
        if (dc) {
            s1attr = 0xff;          /* Normal Write-Back, Non-shareable */
            s1sh = 0;
        } else if (acc == MMU_FETCH) {
            s1attr = s1->icache ? 0xaa : 0x44;   /* Normal Write-Through or Non-cacheable */
            s1sh = 2;
        } else {
            s1attr = 0x00;          /* Device-nGnRnE */
            s1sh = 2;
        }
        s1shift = 30;
        r->perm_el0 = r->perm_el1 = MMU_PERM_R | MMU_PERM_W | MMU_PERM_X;
        r->global = true;
    } else {
        unsigned range = 0;
        bool top1 = (va >> 55) & 1;
        if (s1->two_ranges)
            range = top1;
        unsigned tsz = clamp_tsz(s1->tsz[range]);
        unsigned inputsize = 64 - tsz;
        unsigned topbit = s1->tbi[range] ? 56 : 64;
        uint64_t upper = topbit > inputsize ? (va >> inputsize) & ((1ULL << (topbit - inputsize)) - 1) : 0;
        uint64_t want = range ? (1ULL << (topbit - inputsize)) - 1 : 0;
        if (upper != want || (!s1->two_ranges && top1 && !s1->tbi[0]) || s1->epd[range]) {
            set_fault(r, MMU_FAULT_TRANSLATION, 0, false, false, 0);
            return false;
        }
        unsigned gb = s1->granule_bits[range];
        int start = s1_start_level(inputsize, gb);
        uint64_t ttbr = s1->ttbr[range];
        unsigned top_bits = inputsize - (gb + (unsigned)(3 - start) * (gb - 3));
        uint64_t base = ttbr & 0x0000fffffffffffeULL & ~((1ULL << (top_bits + 3)) - 1);
        if (base >> s1->ips_bits) {
            set_fault(r, MMU_FAULT_ADDRESS_SIZE, 0, false, false, 0);
            return false;
        }
        if (!s1->el2_regime) {
            uint64_t asid_src = s1->ttbr[s1->a1 ? 1 : 0];
            r->asid = (uint16_t)(s1->as16 ? asid_src >> 48 : (asid_src >> 48) & 0xff);
        }
        r->ttbr_index = range;
        struct walk_params p = { .stage = 1, .el2_regime = s1->el2_regime,
                                 .regime = s1->el2_regime ? 1u : s1->host ? 2u : 0u, .base = base,
                                 .inputsize = inputsize, .start_level = start, .granule_bits = gb,
                                 .oa_bits = s1->ips_bits };
        struct walk_out o;
        if (!walk(mem, s2on, &p, va, &o, r, 0))
            return false;
        uint64_t d = o.desc;
        ipa = (d & OA_MASK & ~((1ULL << o.shift) - 1)) | (va & ((1ULL << o.shift) - 1));
        s1shift = o.shift;
        s1attr = (uint8_t)(s1->mair >> (8 * ((d >> 2) & 7)));
        s1sh = (uint8_t)((d >> 8) & 3);
        bool ro = ((d >> 7) & 1) || (o.table_attrs & TABLE_AP1);
        if (s1->el2_regime) {
            uint8_t p2 = MMU_PERM_R | (ro ? 0 : MMU_PERM_W);
            bool xn = (d & DESC_XN) || (o.table_attrs & TABLE_XN) || (s1->wxn && !ro);
            if (!xn) p2 |= MMU_PERM_X;
            r->perm_el0 = 0;
            r->perm_el1 = p2;
            r->global = true;
        } else {
            bool el0 = ((d >> 6) & 1) && !(o.table_attrs & TABLE_AP0);
            uint8_t p1 = MMU_PERM_R | (ro ? 0 : MMU_PERM_W);
            uint8_t p0 = el0 ? (uint8_t)(MMU_PERM_R | (ro ? 0 : MMU_PERM_W)) : 0;
            bool uxn = (d & DESC_XN) || (o.table_attrs & TABLE_XN);
            bool pxn = (d & DESC_PXN) || (o.table_attrs & TABLE_PXN);
            /* EL1 never executes what EL0 can write; WXN makes writable execute-never. */
            if (!pxn && !(p0 & MMU_PERM_W) && !(s1->wxn && (p1 & MMU_PERM_W)))
                p1 |= MMU_PERM_X;
            /* EL0 execution depends on UXN only (AP[1]=0 with UXN=0 is execute-only). */
            if (!uxn && !(s1->wxn && (p0 & MMU_PERM_W)))
                p0 |= MMU_PERM_X;
            r->perm_el0 = p0;
            r->perm_el1 = p1;
            r->global = !(d & DESC_NG);
        }
        uint8_t perm = el == 0 ? r->perm_el0 : r->perm_el1;
        if (!(perm & need)) {
            /* AArch64.CheckPermission: a stage-1 permission fault comes before stage 2
             * translates the output address. */
            set_fault(r, MMU_FAULT_PERMISSION, o.level, false, false, 0);
            return false;
        }
    }
    r->ipa = ipa;
    if (!s2on || !s2_output) {
        if (ipa >> MMU_PA_BITS) {
            set_fault(r, MMU_FAULT_ADDRESS_SIZE, 0, false, false, 0);
            return false;
        }
        r->pa = ipa;
        r->page_shift = s1shift;
        r->attr = s1attr;
        r->sh = s1sh;
        return true;
    }
    struct mmu_result r2;
    unsigned walk_so_far = r->walk_accesses;
    if (!mmu_translate_s2(mem, s2on, ipa, acc, false, &r2)) {
        r->fault = r2.fault;
        r->walk_accesses = walk_so_far + r2.walk_accesses;
        return false;
    }
    r->walk_accesses = walk_so_far + r2.walk_accesses;
    r->pa = r2.pa;
    r->page_shift = s1shift < r2.page_shift ? s1shift : r2.page_shift;
    r->perm_el0 &= r2.perm_el0;
    r->perm_el1 &= r2.perm_el1;
    r->attr = mmu_combine_attr(s1attr, r2.attr);
    r->sh = mmu_combine_sh(s1sh, r2.sh, r->attr);
    return true;
}

bool mmu_full_translate(const struct mmu_mem_ops *mem, const struct mmu_s1_config *s1,
                        const struct mmu_s2_config *s2, uint64_t va, enum mmu_access acc, unsigned el,
                        struct mmu_result *r)
{
    return translate(mem, s1, s2, true, va, acc, el, r);
}

bool mmu_translate_s1(const struct mmu_mem_ops *mem, const struct mmu_s1_config *s1,
                      const struct mmu_s2_config *s2, uint64_t va, enum mmu_access acc, unsigned el,
                      struct mmu_result *r)
{
    return translate(mem, s1, s2, false, va, acc, el, r);
}

uint64_t mmu_par_from_result(const struct mmu_result *r, bool ok)
{
    if (!ok)
        return 1ULL | ((uint64_t)mmu_fault_fsc(&r->fault) << 1) | ((uint64_t)r->fault.s1ptw << 8) |
               ((uint64_t)r->fault.stage2 << 9) | (1ULL << 11);
    /* Device and Normal Non-cacheable memory report Outer Shareable (PAR_EL1.SH = 0b10). */
    uint8_t sh = ((r->attr & 0xf0) == 0 || r->attr == 0x44) ? 2 : r->sh;
    return (r->pa & OA_MASK) | ((uint64_t)r->attr << 56) | ((uint64_t)sh << 7) | (1ULL << 9) | (1ULL << 11);
}
