#include "cpu/insn.h"

enum a64_excgen a64_excgen_kind(uint32_t insn)
{
    if ((insn & 0xff000000u) != 0xd4000000u)
        return A64_NOT_EXCGEN;
    unsigned opc = (insn >> 21) & 7u, ll = insn & 3u, op2 = (insn >> 2) & 7u;
    if (op2 != 0)
        return A64_NOT_EXCGEN;
    if (opc == 0 && ll == 1) return A64_SVC;
    if (opc == 0 && ll == 2) return A64_HVC;
    if (opc == 0 && ll == 3) return A64_SMC;
    if (opc == 1 && ll == 0) return A64_BRK;
    if (opc == 2 && ll == 0) return A64_HLT;
    return A64_NOT_EXCGEN;
}

bool a64_is_fp_simd(uint32_t insn)
{
    /* op0 = x111: data processing, scalar FP and Advanced SIMD. */
    if ((insn & 0x0e000000u) == 0x0e000000u)
        return true;
    /* op0 = x1x0 with V (bit 26) set: SIMD&FP loads and stores. */
    if ((insn & 0x0a000000u) == 0x08000000u && (insn & (1u << 26)))
        return true;
    return false;
}

uint32_t a64_may_write_gprs(uint32_t w)
{
    uint32_t rd = w & 31u, rn = (w >> 5) & 31u, rt2 = (w >> 10) & 31u, rs = (w >> 16) & 31u;
    if ((w & 0x0a000000u) == 0x08000000u) {        /* loads and stores */
        struct a64_ldst d;
        if (!a64_decode_ldst(w, &d) || !d.is_mem) /* PRFM, forms not decoded here: every field */
            return 1u << rd | 1u << rn | 1u << rt2 | 1u << rs | 1u << ((rs + 1) & 31u) | 1u << ((rd + 1) & 31u);
        uint32_t m = d.writeback ? 1u << rn : 0;
        if ((w & 0x3f000000u) == 0x08000000u) {    /* exclusives, LDAR/STLR, CAS, CASP */
            if (d.atomic)                          /* CAS, CASP: the old value into Rs (Rs+1) */
                return m | 1u << rs | (d.nregs == 2 ? 1u << ((rs + 1) & 31u) : 0);
            if (d.is_load)
                return m | 1u << rd | (d.nregs == 2 ? 1u << rt2 : 0);
            return m | (d.exclusive ? 1u << rs : 0);   /* a store-exclusive's status */
        }
        if (d.is_load && !d.vector)                /* SWP and LD<op> too: the old value into Rt */
            m |= 1u << rd | (d.nregs == 2 ? 1u << rt2 : 0);
        return m;
    }
    if ((w & 0x1c000000u) == 0x10000000u || (w & 0x0e000000u) == 0x0a000000u ||
        (w & 0x0e000000u) == 0x0e000000u)          /* data processing: immediate, register, SIMD&FP */
        return 1u << rd;
    if ((w & 0x1c000000u) == 0x14000000u)          /* branches, exception generation, system */
        return 1u << rd | 1u << 30;
    return UINT32_MAX;
}

enum a64_align_kind a64_align_checked(uint32_t w, bool lrcpc, unsigned *bytes, unsigned *rn)
{
    unsigned size = w >> 30;
    *rn = (w >> 5) & 31u;
    if ((w & 0x3fa00000u) == 0x08800000u && (w & (1u << 15))) {   /* LDAR, STLR (o0 = 1; not LDLAR/STLLR) */
        *bytes = 1u << size;
        return size ? A64_ALIGN_ORDERED : A64_ALIGN_NONE;
    }
    if (lrcpc && (w & 0x3ffffc00u) == 0x38bfc000u) {             /* LDAPR */
        *bytes = 1u << size;
        return size ? A64_ALIGN_ORDERED : A64_ALIGN_NONE;
    }
    if ((w & 0x3f800000u) == 0x08000000u) {                      /* o2 = 0: exclusives (and CASP) */
        bool pair = (w >> 21) & 1u, load = (w >> 22) & 1u;
        if (pair && !(w >> 31))
            return A64_ALIGN_NONE;                               /* CASP: Unicorn checks it */
        *bytes = pair ? 8u << (size & 1u) : 1u << size;
        if (*bytes == 1)
            return A64_ALIGN_NONE;
        return load ? A64_ALIGN_LOAD_EXCL : A64_ALIGN_STORE_EXCL;
    }
    return A64_ALIGN_NONE;
}

static int64_t sext(uint64_t v, unsigned bits)
{
    uint64_t m = 1ULL << (bits - 1);
    v &= (bits == 64) ? ~0ULL : ((1ULL << bits) - 1);
    return (int64_t)((v ^ m) - m);
}

/* Load/store register (immediate, register offset, unsigned offset, unprivileged),
 * GPR and SIMD&FP (size/opc per the "Load/store register" encoding tables). */
static bool decode_ldst_reg(uint32_t insn, struct a64_ldst *d)
{
    unsigned size = insn >> 30, opc = (insn >> 22) & 3u;
    bool v = (insn >> 26) & 1u;
    d->rn = (insn >> 5) & 31u;
    d->rt = insn & 31u;
    d->vector = v;
    if ((insn & 0x01200c00u) == 0x00200000u && !v) {
        /* Atomic memory operations (FEAT_LSE): LD<op> (and its ST<op> aliases) and SWP read
         * and write the location; o3:opc = 1100 is LDAPR (FEAT_LRCPC), a load. */
        unsigned o3 = (insn >> 15) & 1u, aop = (insn >> 12) & 7u;
        if (o3 && aop != 0 && aop != 4)
            return false;
        d->size = 1u << size;
        d->nregs = 1;
        d->mode = ADDR_BASE_IMM;
        d->imm = 0;
        d->iss = (struct data_iss){ 0 };      /* ISV = 0: no syndrome for these */
        if (o3 && aop == 4) {
            d->is_load = true;
            d->is_store = false;
            d->acqrel = true;
            return true;
        }
        d->is_load = d->is_store = true;
        d->atomic = true;
        d->acqrel = ((insn >> 22) & 3u) != 0;
        return true;
    }
    if (v) {
        unsigned bytes_log2 = size | ((opc & 2u) << 1);   /* opc<1>:size */
        if (bytes_log2 > 4)
            return false;
        d->size = 1u << bytes_log2;
        d->is_store = !(opc & 1u);
        d->is_load = !d->is_store;
    } else {
        if (opc == 2 && size == 3)
            return false;             /* PRFM: no data access */
        d->size = 1u << size;
        d->is_store = opc == 0;
        d->is_load = !d->is_store;
        d->iss.sas = size;
        d->iss.sse = (opc & 2u) != 0;
        d->iss.srt = d->rt;
        d->iss.sf = d->is_store ? size == 3 : (opc == 2 || (opc == 1 && size == 3));
    }
    d->nregs = 1;
    if ((insn & 0x3b000000u) == 0x39000000u) {       /* unsigned immediate */
        d->mode = ADDR_BASE_IMM;
        d->imm = (int64_t)(((insn >> 10) & 0xfffu) * d->size);
        d->iss.isv = !v;
        return true;
    }
    if (insn & (1u << 21)) {
        if (((insn >> 10) & 3u) != 2)
            return false;            /* PAC forms (LDRAA, LDRAB): not on this PE */
        d->mode = ADDR_BASE_REG;
        d->rm = (insn >> 16) & 31u;
        d->extend = (insn >> 13) & 7u;
        d->shift = ((insn >> 12) & 1u) ? __builtin_ctz(d->size) : 0;
        d->iss.isv = !v;
        return true;
    }
    unsigned idx = (insn >> 10) & 3u;               /* 0 unscaled, 1 post, 2 unpriv, 3 pre */
    d->mode = ADDR_BASE_IMM;
    int64_t imm9 = sext((insn >> 12) & 0x1ffu, 9);
    d->writeback = idx == 1 || idx == 3;
    d->wb_known = d->writeback;
    d->wb_imm = imm9;
    d->imm = idx == 1 ? 0 : imm9;
    d->iss.isv = !v && !d->writeback;
    return true;
}

bool a64_decode_ldst(uint32_t insn, struct a64_ldst *d)
{
    *d = (struct a64_ldst){ 0 };
    if ((insn & 0x0a000000u) != 0x08000000u)
        return false;                                 /* not in the loads and stores group */
    if ((insn & 0x3b000000u) == 0x18000000u) {        /* load register (literal) */
        unsigned opc = insn >> 30;
        bool v = (insn >> 26) & 1u;
        if (!v && opc == 3)
            return false;                             /* PRFM (literal) */
        d->is_mem = d->is_load = true;
        d->vector = v;
        d->rt = insn & 31u;
        d->size = v ? 4u << opc : (opc == 0 || opc == 2 ? 4 : 8);
        d->nregs = 1;
        d->mode = ADDR_LITERAL;
        d->imm = sext((insn >> 5) & 0x7ffffu, 19) * 4;
        d->iss = (struct data_iss){ .isv = !v, .sas = opc == 1 ? 3 : 2, .sse = opc == 2,
                                    .srt = d->rt, .sf = opc != 0 };
        return true;
    }
    if ((insn & 0x3f000000u) == 0x08000000u) {        /* load/store exclusive, LDAR/STLR */
        unsigned size = insn >> 30;
        bool o2 = (insn >> 23) & 1u, l = (insn >> 22) & 1u, o1 = (insn >> 21) & 1u;
        bool o0 = (insn >> 15) & 1u;
        d->is_mem = true;
        d->is_load = l;
        d->is_store = !l;
        d->size = 1u << size;
        d->nregs = o1 && !o2 ? 2 : 1;
        d->rn = (insn >> 5) & 31u;
        d->rt = insn & 31u;
        d->mode = ADDR_BASE_IMM;
        d->exclusive = !o2;
        d->acqrel = o0;
        if (o1 && ((insn >> 10) & 31u) == 31 && (o2 || !(insn >> 31))) {
            /* CAS (o2 = 1) and CASP (o2 = 0, bit 31 = 0; sz in bit 30), FEAT_LSE: a read and
             * a write of one register or of a pair, aligned to its total size. */
            d->exclusive = false;
            d->atomic = true;
            d->is_load = d->is_store = true;
            d->acqrel = l || o0;
            if (!o2)
                d->size = 4u << (size & 1u);
            d->nregs = o2 ? 1 : 2;
            return true;
        }
        if (o2 && !o1)                                /* LDAR/STLR (and LDLAR/STLLR) */
            d->iss = (struct data_iss){ .isv = true, .sas = size, .srt = d->rt, .sf = size == 3,
                                        .ar = true };
        return true;
    }
    if ((insn & 0x3a000000u) == 0x28000000u) {        /* load/store pair */
        unsigned opc = insn >> 30, mode = (insn >> 23) & 3u;
        bool v = (insn >> 26) & 1u;
        d->is_mem = true;
        d->vector = v;
        d->is_load = (insn >> 22) & 1u;
        d->is_store = !d->is_load;
        d->size = v ? 4u << opc : (opc == 2 ? 8 : 4);
        d->nregs = 2;
        d->rn = (insn >> 5) & 31u;
        d->rt = insn & 31u;
        d->mode = ADDR_BASE_IMM;
        d->writeback = mode == 1 || mode == 3;
        d->wb_known = d->writeback;
        d->wb_imm = sext((insn >> 15) & 0x7fu, 7) * (int64_t)d->size;
        d->imm = mode == 1 ? 0 : d->wb_imm;
        return true;
    }
    if ((insn & 0x3a000000u) == 0x38000000u) {        /* load/store register, all forms */
        if (!decode_ldst_reg(insn, d))
            return false;
        d->is_mem = true;
        return true;
    }
    if ((insn & 0xbe000000u) == 0x0c000000u) {        /* SIMD load/store structures */
        /* LD1-LD4/ST1-ST4 (multiple structures), LD1-LD4/ST1-ST4 (single
         * structure) and LD1R-LD4R; post-index by the bytes moved or by Xm. */
        bool single = (insn >> 24) & 1u, post = (insn >> 23) & 1u;
        unsigned opcode = (insn >> 12) & 15u, q = (insn >> 30) & 1u, size = (insn >> 10) & 3u;
        unsigned bytes;
        if (!single) {
            static const int8_t regs[16] = { 4, -1, 4, -1, 3, -1, 3, 1, 2, -1, 2, -1, -1, -1, -1, -1 };
            if (regs[opcode] < 0 || ((insn >> 16) & 0x1fu && !post))
                return false;
            bytes = (unsigned)regs[opcode] * (q ? 16u : 8u);
        } else {
            unsigned op3 = (insn >> 13) & 7u;                      /* opcode<2:0>; S is bit 12 */
            unsigned selem = (((op3 & 1u) << 1) | ((insn >> 21) & 1u)) + 1u, esize;
            switch (op3 >> 1) {
            case 0: esize = 1; break;
            case 1: esize = 2; break;
            case 2: esize = (size & 1u) ? 8u : 4u; break;
            default: esize = 1u << size; break;                 /* LDnR: replicate */
            }
            bytes = selem * esize;
        }
        d->is_mem = true;
        d->vector = true;
        d->is_load = (insn >> 22) & 1u;
        d->is_store = !d->is_load;
        d->rn = (insn >> 5) & 31u;
        d->rt = insn & 31u;
        d->size = bytes;
        d->nregs = 1;
        d->mode = ADDR_BASE_IMM;
        d->writeback = post;
        if (post) {
            unsigned rm = (insn >> 16) & 31u;
            d->wb_known = rm == 31;
            d->wb_imm = rm == 31 ? (int64_t)bytes : 0;
        }
        return true;
    }
    return false;
}

uint64_t a64_ldst_address(const struct a64_ldst *d, uint64_t pc, a64_reg_reader rd, void *opaque)
{
    if (d->mode == ADDR_LITERAL)
        return pc + (uint64_t)d->imm;
    uint64_t base = rd(opaque, d->rn, true);
    if (d->mode == ADDR_BASE_IMM)
        return base + (uint64_t)d->imm;
    uint64_t idx = rd(opaque, d->rm, false);
    switch (d->extend) {
    case 2: idx = (uint32_t)idx; break;                       /* UXTW */
    case 6: idx = (uint64_t)(int64_t)(int32_t)idx; break;     /* SXTW */
    default: break;                                           /* LSL/UXTX, SXTX */
    }
    return base + (idx << d->shift);
}
