/* A64 instruction decoding that avsim needs beyond what Unicorn executes:
 * system instructions (for trap decisions), exception-generating instructions
 * (for syndromes), and single loads/stores (for data-abort syndromes and the
 * faulting address). Field names follow the Arm ARM encoding tables. */
#ifndef AVSIM_CPU_INSN_H
#define AVSIM_CPU_INSN_H
#include <stdbool.h>
#include <stdint.h>
#include "cpu/syndrome.h"

#define A64_WFI   0xd503207fu
#define A64_WFE   0xd503205fu
#define A64_SEV   0xd503209fu
#define A64_SEVL  0xd50320bfu
#define A64_ERET  0xd69f03e0u
#define A64_HLT_SEMIHOSTING 0xd45e0000u   /* HLT #0xF000 */

/* MRS, MSR (register), SYS, SYSL: op0 != 0 in the system instruction class. */
static inline bool a64_is_sysreg_access(uint32_t insn)
{
    return (insn & 0xffc00000u) == 0xd5000000u && ((insn >> 19) & 3u) != 0;
}

/* The data cache instructions by VA that avsim checks itself (their Xt in bits 4:0). */
static inline bool a64_is_dc_zva(uint32_t insn) { return (insn & 0xffffffe0u) == 0xd50b7420u; }
static inline bool a64_is_dc_ivac(uint32_t insn) { return (insn & 0xffffffe0u) == 0xd5087620u; }

struct a64_sys {
    unsigned op0, op1, crn, crm, op2, rt;
    bool is_read;         /* MRS or SYSL */
};
static inline struct a64_sys a64_decode_sys(uint32_t insn)
{
    struct a64_sys s = {
        .op0 = (insn >> 19) & 3u, .op1 = (insn >> 16) & 7u, .crn = (insn >> 12) & 15u,
        .crm = (insn >> 8) & 15u, .op2 = (insn >> 5) & 7u, .rt = insn & 31u,
        .is_read = (insn >> 21) & 1u,
    };
    return s;
}

/* Exception-generating instructions: SVC, HVC, SMC, BRK, HLT. */
enum a64_excgen { A64_NOT_EXCGEN, A64_SVC, A64_HVC, A64_SMC, A64_BRK, A64_HLT };
enum a64_excgen a64_excgen_kind(uint32_t insn);
static inline unsigned a64_imm16(uint32_t insn) { return (insn >> 5) & 0xffffu; }

/* SIMD/FP data processing or SIMD/FP load/store (subject to CPACR/CPTR FP traps). */
bool a64_is_fp_simd(uint32_t insn);

/* LDTR/STTR and their byte, halfword and signed forms: unprivileged accesses (at EL1
 * they are checked with EL0's rights, AArch64.CheckPermission).
 * size:2 111 V=0 00 opc:2 1 imm9:9 10 Rn Rt */
static inline bool a64_is_unprivileged_ldst(uint32_t w) { return (w & 0x3f200c00u) == 0x38000800u; }

/* The general-purpose registers (bit n: Xn; bit 31: SP or XZR) that instruction w may
 * write, never fewer than it does: for the loads and stores it decodes, the registers
 * loaded, a written-back base, a store-exclusive's status and CAS's Rs (and Rs+1); for
 * other loads and stores every register field; Rd for data processing and for SIMD&FP
 * (UMOV, FMOV to a general register); Rt and X30 for branches and system instructions
 * (BL, MRS, SYSL); every register outside these groups. */
uint32_t a64_may_write_gprs(uint32_t w);

/* Accesses that must be aligned whatever SCTLR_ELx.A says (no FEAT_LSE2 here:
 * AArch64.CheckAlignment checks AccType_ORDERED and the atomic accesses) and that
 * Unicorn 2.1.4 does not check itself: LDAR/STLR (halfword, word, doubleword; the
 * byte forms cannot be misaligned), LDAPR if lrcpc (FEAT_LRCPC), and the
 * store-exclusives STXR/STLXR/STXP/STLXP, which Unicorn checks only when the monitor
 * is armed at their address (AArch64.ExclusiveMonitorsPass checks first).
 * Unicorn checks the load-exclusives and the FEAT_LSE atomics (their aborts arrive
 * as data aborts). */
enum a64_align_kind { A64_ALIGN_NONE, A64_ALIGN_ORDERED, A64_ALIGN_STORE_EXCL, A64_ALIGN_LOAD_EXCL };
/* Which of them w is; LOAD_EXCL (LDXR, LDAXR, LDXP, LDAXP of more than a byte) is
 * returned too, for what it tells of a later store-exclusive. *bytes: the alignment
 * required (the access size; a pair's total), *rn the base register. */
enum a64_align_kind a64_align_checked(uint32_t w, bool lrcpc, unsigned *bytes, unsigned *rn);

/* A load or store, as far as syndromes and addresses go. */
struct a64_ldst {
    bool is_mem;          /* a load/store instruction that accesses memory */
    bool is_load, is_store;
    unsigned size;        /* bytes per register transferred */
    unsigned nregs;       /* 1, or 2 for pairs (vector structures: total bytes in size) */
    unsigned rn, rm, rt;
    enum { ADDR_BASE_IMM, ADDR_BASE_REG, ADDR_LITERAL } mode;
    int64_t imm;          /* offset added to the base (0 for post-index) */
    unsigned extend;      /* register offset: option field */
    unsigned shift;       /* register offset: amount */
    bool writeback;
    bool wb_known;        /* writeback: the base changes by wb_imm */
    int64_t wb_imm;
    bool vector;
    bool exclusive;
    bool atomic;          /* FEAT_LSE: CAS, CASP, SWP, LD<op> (a read and a write, aligned to size * nregs) */
    bool acqrel;
    struct data_iss iss;  /* the ISS template (ISV set only for eligible forms) */
};
bool a64_decode_ldst(uint32_t insn, struct a64_ldst *d);

/* Effective address of a decoded load/store, given a register reader
 * (reg 31 means SP for the base, XZR for the index). */
typedef uint64_t (*a64_reg_reader)(void *opaque, unsigned reg, bool is_sp);
uint64_t a64_ldst_address(const struct a64_ldst *d, uint64_t pc, a64_reg_reader rd, void *opaque);

#endif
