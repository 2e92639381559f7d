#include "cpu/block_cache.h"
#include "cpu/insn.h"
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

/* Zeroed slots on cache-line boundaries (a lookup touches one line). */
static struct block_info *alloc_slots(uint32_t n)
{
    struct block_info *s = aligned_alloc(64, (size_t)n * sizeof *s);
    if (s)
        memset(s, 0, (size_t)n * sizeof *s);
    return s;
}

int block_cache_init(struct block_cache *bc, unsigned log2_slots)
{
    memset(bc, 0, sizeof *bc);
    bc->slots = alloc_slots(1u << log2_slots);
    if (!bc->slots)
        return -1;
    bc->mask = (1u << log2_slots) - 1;
    bc->memo = calloc(BLOCK_WORD_MEMO_SLOTS, sizeof *bc->memo);   /* optional: NULL decodes every word */
    return 0;
}

void block_cache_destroy(struct block_cache *bc)
{
    free(bc->slots);
    free(bc->specials);
    free(bc->class_pool);
    free(bc->memo);
    memset(bc, 0, sizeof *bc);
}

void block_cache_flush(struct block_cache *bc)
{
    memset(bc->slots, 0, (size_t)(bc->mask + 1) * sizeof *bc->slots);
    bc->used = 0;
    bc->n_specials = 0;
    bc->n_class_pool = 0;
    bc->flushes++;
    bc->epoch++;
    memset(bc->page_filter, 0, sizeof bc->page_filter);
    bc->unknown_pages = 0;
}

static int grow(struct block_cache *bc)
{
    uint32_t old_n = bc->mask + 1;
    struct block_info *old = bc->slots;
    struct block_info *n = alloc_slots(old_n * 2);
    if (!n)
        return -1;
    bc->slots = n;
    bc->mask = old_n * 2 - 1;
    for (uint32_t i = 0; i < old_n; i++) {
        if (!old[i].used)
            continue;
        uint32_t j = block_hash(old[i].start, old[i].size, old[i].el) & bc->mask;
        while (n[j].used)
            j = (j + 1) & bc->mask;
        n[j] = old[i];
    }
    free(old);
    bc->epoch++;
    return 0;
}

static uint32_t word_memo_slot(uint32_t w)
{
    return (uint32_t)(((uint64_t)w * 0x9e3779b97f4a7c15ULL) >> 48) & (BLOCK_WORD_MEMO_SLOTS - 1);
}

static int add_special(struct block_cache *bc, uint32_t off, uint32_t insn, uint8_t kind, bool sp_known,
                       int32_t sp_delta, int8_t base_reg)
{
    if (bc->n_specials == bc->cap_specials) {
        uint32_t cap = bc->cap_specials ? bc->cap_specials * 2 : 1024;
        struct block_special *s = realloc(bc->specials, cap * sizeof *s);
        if (!s)
            return -1;
        bc->specials = s;
        bc->cap_specials = cap;
    }
    bc->specials[bc->n_specials++] = (struct block_special){ .offset = off, .insn = insn, .kind = kind,
                                                             .sp_known = sp_known, .sp_delta = sp_delta,
                                                             .base_reg = base_reg };
    return 0;
}

/* Does the instruction write SP (capstone's register access lists)? */
static bool writes_sp(csh cs, cs_insn *ci)
{
    cs_regs rr, ww;
    uint8_t nr = 0, nw = 0;
    if (cs_regs_access(cs, ci, rr, &nr, ww, &nw) != CS_ERR_OK)
        return false;
    for (int i = 0; i < nw; i++)
        if (ww[i] == ARM64_REG_SP || ww[i] == ARM64_REG_WSP)
            return true;
    return false;
}

/* ADD/SUB (immediate), 64-bit, Rd = Rn = SP: a known change of SP. */
static bool sp_add_imm(uint32_t w, int32_t *delta)
{
    if ((w & 0x3f8003ffu) != 0x110003ffu || !(w >> 31))   /* ADD or SUB (bit 30), no flags */
        return false;
    int32_t imm = (int32_t)((w >> 10) & 0xfffu) << (((w >> 22) & 1u) ? 12 : 0);
    *delta = (w & (1u << 30)) ? -imm : imm;
    return true;
}

/* What a register holds relative to the block's start: reg's value there (31: SP) plus
 * off, or nothing known (reg = -1). */
struct reg_origin {
    int8_t reg;
    int32_t off;
};

/* The origins after instruction w, which may write the registers in wr: ADD and SUB
 * (immediate, 64-bit, not setting flags: Rd and Rn 31 are SP) and MOV (ORR Xd, XZR, Xm)
 * carry their source's origin over; any other write leaves the register unknown. */
static void follow_origins(struct reg_origin *o, uint32_t w, uint32_t wr)
{
    unsigned rd = w & 31u, rn = (w >> 5) & 31u;
    if ((w & 0xbf800000u) == 0x91000000u) {                 /* ADD/SUB Xd|SP, Xn|SP, #imm{, LSL #12} */
        int64_t imm = (int64_t)((w >> 10) & 0xfffu) << (((w >> 22) & 1u) ? 12 : 0);
        int64_t off = (int64_t)o[rn].off + ((w >> 30) & 1u ? -imm : imm);
        o[rd] = o[rn].reg >= 0 && off >= INT32_MIN && off <= INT32_MAX
                    ? (struct reg_origin){ .reg = o[rn].reg, .off = (int32_t)off }
                    : (struct reg_origin){ .reg = -1 };
        return;
    }
    if ((w & 0xffe0ffe0u) == 0xaa0003e0u) {                 /* MOV Xd, Xm (Xd 31 is XZR: nothing) */
        if (rd != 31)
            o[rd] = o[(w >> 16) & 31u].reg >= 0 && ((w >> 16) & 31u) != 31 ? o[(w >> 16) & 31u]
                                                                             : (struct reg_origin){ .reg = -1 };
        return;
    }
    for (unsigned r = 0; r < 32; r++)
        if (wr & (1u << r))
            o[r].reg = -1;
}

static bool writes_daif(uint32_t insn)
{
    /* MSR DAIFSet/DAIFClr (immediate) and MSR DAIF, Xt; and MSR PAN, #imm / MSR PAN, Xt
     * (FEAT_PAN), PSTATE writes the next block boundary must see too (pe_mmu_pan_check). */
    if ((insn & 0xfffff0dfu) == 0xd50340dfu || (insn & 0xfffff0ffu) == 0xd500409fu)
        return true;
    return (insn & 0xffffffe0u) == 0xd51b4220u || (insn & 0xffffffe0u) == 0xd5184260u;
}

static uint32_t page_filter_bit(uint64_t pa_page)
{
    return (uint32_t)((pa_page * 0x9e3779b97f4a7c15ULL) >> 48) & (BLOCK_PAGE_FILTER_BITS - 1);
}

static void set_pages(struct block_cache *bc, struct block_info *b, uint64_t first, uint64_t last)
{
    b->pa_page[0] = first;
    b->pa_page[1] = last;
    for (int i = 0; i < 2; i++) {
        if (b->pa_page[i] == UINT64_MAX) {
            bc->unknown_pages++;
            continue;
        }
        uint32_t bit = page_filter_bit(b->pa_page[i]);
        bc->page_filter[bit / 64] |= 1ULL << (bit % 64);
    }
}

void block_cache_invalidate_page(struct block_cache *bc, uint64_t pa_page)
{
    uint32_t bit = page_filter_bit(pa_page);
    if (!bc->unknown_pages && !(bc->page_filter[bit / 64] & (1ULL << (bit % 64)))) {
        bc->scans_skipped++;
        return;                     /* no decoded block lies on that page */
    }
    /* IVAU runs once per cache line: a page is marked once until a block is decoded again. */
    if (bc->last_invalid_page == pa_page && bc->last_invalid_inserts == bc->inserts)
        return;
    bc->last_invalid_page = pa_page;
    bc->last_invalid_inserts = bc->inserts;
    bc->invalidations++;
    bc->epoch++;
    for (uint32_t i = 0; i <= bc->mask; i++) {
        struct block_info *b = &bc->slots[i];
        if (b->used && (b->pa_page[0] == pa_page || b->pa_page[1] == pa_page || b->pa_page[0] == UINT64_MAX ||
                        b->pa_page[1] == UINT64_MAX))
            b->stale = true;
    }
}

static int add_class_counts(struct block_cache *bc, const uint16_t *counts)
{
    if (bc->n_class_pool + IC_COUNT > bc->cap_class_pool) {
        uint32_t cap = bc->cap_class_pool ? bc->cap_class_pool * 2 : 1024 * IC_COUNT;
        uint16_t *p = realloc(bc->class_pool, cap * sizeof *p);
        if (!p)
            return -1;
        bc->class_pool = p;
        bc->cap_class_pool = cap;
    }
    memcpy(bc->class_pool + bc->n_class_pool, counts, IC_COUNT * sizeof *counts);
    bc->n_class_pool += IC_COUNT;
    return 0;
}

struct block_info *block_cache_insert(struct block_cache *bc, void *capstone_handle,
                                      const struct cpu_model *model, uint64_t start, uint32_t size,
                                      unsigned el, uint64_t first, uint64_t last, const uint32_t *words)
{
    if (bc->n_specials > (1u << 22) || bc->n_class_pool > (1u << 22))
        block_cache_flush(bc);        /* re-decoded blocks leave their old specials in the pools */
    struct block_info *slot = block_cache_find(bc, start, size, el, first);
    if (!slot && (bc->used + 1) * 2 > bc->mask + 1 && grow(bc) != 0)
        return NULL;
    struct block_info b = { .start = start, .size = size, .el = (uint16_t)el, .used = true,
                            .special_first = bc->n_specials, .pa_page = { first, last } };
    uint16_t n_by_class[IC_COUNT] = { 0 };
    bool sp_rel_known = true;         /* SP = entry SP + sp_rel so far */
    int64_t sp_rel = 0;
    csh cs = (csh)(uintptr_t)capstone_handle;
    cs_insn *ci = cs_malloc(cs);
    uint32_t n = size / 4;
    bool fp_seen = false;
    /* Accesses that must be aligned (SP_ALIGNED, after the SP alignment check of the same
     * instruction, which comes first): what each register holds, as far as the block's
     * start tells (a register's value there plus an offset: ADD, SUB and MOV between
     * X registers and SP follow it), and the last load-exclusive whose base is unchanged. */
    bool lrcpc = model->id && ((model->id->isar1 >> 20) & 0xfu);
    struct reg_origin origin[32];
    for (int r = 0; r < 32; r++)
        origin[r] = (struct reg_origin){ .reg = (int8_t)r, .off = 0 };
    unsigned excl_rn = 32, excl_bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = words[i];
        const uint8_t *code = (const uint8_t *)&words[i];
        size_t len = 4;
        uint64_t addr = start + 4ULL * i;
        /* What capstone says of a word depends on the word alone: asked once. */
        struct block_word_memo *memo = bc->memo ? &bc->memo[word_memo_slot(w)] : NULL;
        enum insn_class cls = IC_ALU;
        bool sp_written = false;
        if (memo && memo->valid && memo->word == w) {
            cls = (enum insn_class)memo->cls;
            sp_written = memo->writes_sp;
            bc->memo_hits++;
        } else {
            if (ci && cs_disasm_iter(cs, &code, &len, &addr, ci)) {
                cls = cpu_model_classify(ci);
                sp_written = writes_sp(cs, ci);
            }
            if (memo)
                *memo = (struct block_word_memo){ .word = w, .cls = (uint8_t)cls, .writes_sp = sp_written,
                                                  .valid = true };
        }
        b.cycles += model->cost[cls];
        n_by_class[cls]++;
        int kind = -1;
        if (cpu_model_lacks(model, w))
            kind = SP_UNDEF;
        else if (a64_is_sysreg_access(w))
            kind = SP_SYSREG;
        else if (w == A64_WFI)
            kind = SP_WFI;
        else if (w == A64_WFE)
            kind = SP_WFE;
        else if (w == A64_SEV || w == A64_SEVL)
            kind = SP_SEV;
        else if (!fp_seen && a64_is_fp_simd(w)) {
            kind = SP_FP;            /* the enable state cannot change later in the block */
            fp_seen = true;
        }
        if (kind >= 0) {
            if (add_special(bc, 4 * i, w, (uint8_t)kind, false, 0, -1) != 0)
                break;
            b.n_special++;
            b.flags |= BLOCK_HAS_TRAP_SPECIAL;
        }
        /* SP alignment: SP-based accesses, and what happens to SP in between. */
        struct a64_ldst d;
        int32_t delta = 0;
        bool ldst = a64_decode_ldst(w, &d) && d.is_mem && d.mode != ADDR_LITERAL && d.rn == 31;
        if (ldst) {
            if (add_special(bc, 4 * i, w, SP_SPMEM, false, 0, -1) != 0)
                break;
            b.n_special++;
            b.flags |= BLOCK_HAS_SP | BLOCK_SP_MEM;
            if (!sp_rel_known || (sp_rel & 15))
                b.flags |= BLOCK_SP_COMPLEX;
        }
        /* MSR SPSel, #imm and MSR SP_EL0/SP_EL1, Xt may change which SP is
         * current or its value: an unknown SP from there on. */
        if ((w & 0xfffff0ffu) == 0xd50040bfu || (w & 0xfffbffe0u) == 0xd5184100u)
            sp_written = true;
        if ((ldst && d.writeback) || sp_written) {
            bool known = ldst && d.writeback ? d.wb_known : sp_add_imm(w, &delta);
            if (ldst && d.writeback)
                delta = (int32_t)d.wb_imm;
            if (add_special(bc, 4 * i, w, SP_SPWRITE, known, delta, -1) != 0)
                break;
            b.n_special++;
            b.flags |= BLOCK_HAS_SP;
            sp_rel_known = sp_rel_known && known;
            sp_rel += delta;
        }
        unsigned bytes, rn;
        enum a64_align_kind ak = a64_align_checked(w, lrcpc, &bytes, &rn);
        uint32_t wr = a64_may_write_gprs(w);
        if (ak == A64_ALIGN_LOAD_EXCL) {
            excl_rn = rn;             /* Unicorn checks it: a misaligned one faults there */
            excl_bytes = bytes;
        } else if (ak == A64_ALIGN_ORDERED || (ak == A64_ALIGN_STORE_EXCL && (rn != excl_rn || bytes != excl_bytes))) {
            /* (A store-exclusive of the size of the load-exclusive before it, at the same
             * unchanged base, is aligned if that load ran: the loop of every LL/SC atomic.) */
            if (add_special(bc, 4 * i, w, SP_ALIGNED, false, origin[rn].off, origin[rn].reg) != 0)
                break;
            b.n_special++;
            b.flags |= BLOCK_HAS_TRAP_SPECIAL;
        }
        follow_origins(origin, w, wr);
        if (excl_rn < 32 && (wr & (1u << excl_rn)))
            excl_rn = 32;
        if (writes_daif(w))
            b.flags |= BLOCK_WRITES_DAIF;
        if (a64_is_unprivileged_ldst(w))
            b.flags |= BLOCK_HAS_UNPRIV;
        if (i == n - 1 && w == A64_ERET)
            b.flags |= BLOCK_ENDS_ERET;
    }
    if (ci)
        cs_free(ci, 1);
    if (!sp_rel_known || (sp_rel & 15))
        b.flags |= BLOCK_SP_EXIT_UNKNOWN;
    b.n_insns = (uint16_t)n;
    unsigned k = 0;
    for (int c = 0; c < IC_COUNT; c++) {
        if (!n_by_class[c])
            continue;
        if (k == 4) {
            b.more_classes = true;
            b.class_first = bc->n_class_pool;
            if (add_class_counts(bc, n_by_class) != 0)
                return NULL;
            break;
        }
        b.cls[k] = (uint8_t)c;
        b.cls_n[k++] = n_by_class[c];
    }
    bc->decodes++;
    bc->inserts++;
    if (!slot) {
        uint32_t j = block_hash(start, size, el) & bc->mask;
        while (bc->slots[j].used)
            j = (j + 1) & bc->mask;
        slot = &bc->slots[j];
        bc->used++;
    } else
        bc->epoch++;                  /* a stale block decoded again: same key, same slot */
    *slot = b;
    set_pages(bc, slot, first, last);
    return slot;
}
