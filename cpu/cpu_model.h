/* A CPU model: the clock and the cycle cost of each instruction class, of
 * exception entry and of ERET. The simulated clock advances by these costs for
 * every retired instruction (cycle-approximate, not cycle-accurate). */
#ifndef AVSIM_CPU_CPU_MODEL_H
#define AVSIM_CPU_CPU_MODEL_H
#include <stdbool.h>
#include <stdint.h>

enum insn_class {
    IC_ALU, IC_LOAD, IC_STORE, IC_BRANCH, IC_MUL, IC_DIV, IC_FP, IC_SYSREG, IC_BARRIER, IC_EXCGEN,
    IC_MUL64,          /* X-form multiply (MUL/MADD/MSUB on X registers, SMULH/UMULH) */
    IC_DIV64,          /* X-form SDIV/UDIV */
    IC_FP_ARITH,       /* FP add/subtract/multiply/convert/round/min-max, ASIMD FP arithmetic */
    IC_FP_MAC,         /* FP and ASIMD FP multiply-accumulate (FMADD, FMLA, ...) */
    IC_FP_DIV,         /* FDIV/FSQRT, single precision */
    IC_FP_DIV64,       /* FDIV/FSQRT, double precision */
    IC_COUNT
};

struct tlb_config;

/* Architecture features a CPU model has beyond Armv8.0 (what avsim models of them). */
enum cpu_feature {
    CPU_FEAT_LSE = 1u << 0,       /* FEAT_LSE: CAS, CASP, SWP, LD<op>/ST<op> atomics */
    CPU_FEAT_VHE = 1u << 1,       /* FEAT_VHE: HCR_EL2.E2H, the EL2&0 regime, register redirection */
    CPU_FEAT_PAN = 1u << 2,       /* FEAT_PAN: PSTATE.PAN, SCTLR_ELx.SPAN */
    CPU_HIDE_SVE = 1u << 16,      /* Unicorn's CPU has SVE, the model not: its encodings UNDEFINED */
    CPU_HIDE_PAUTH = 1u << 17,    /* the same for the pointer authentication instructions outside
                                   * the HINT space (which are NOPs without FEAT_PAuth) */
    CPU_HIDE_SHA3_SM = 1u << 18,  /* the same for SHA3, SHA512, SM3 and SM4 (the 0xce/0xcf space) */
};

/* ID register values a model sets instead of Unicorn's (the others: Unicorn's, patched,
 * see init_id_regs in cpu/pe.c). */
struct cpu_id_regs {
    uint64_t pfr0, pfr1, dfr0, isar0, isar1, mmfr0, mmfr1, mmfr2;
};

struct cpu_model {
    const char *name;             /* as --cpu and QEMU's -cpu spell it */
    const char *not_modelled;     /* non-NULL: --cpu refuses it, saying why (README "Limits") */
    int unicorn_model;            /* Unicorn's CPU model (UC_CPU_ARM64_*): its decoder and native registers */
    const char *fdt_compatible;   /* the device tree's cpu@N compatible */
    const struct tlb_config *tlb; /* the TLB model's default geometry (--tlb changes it) */
    uint32_t features;            /* enum cpu_feature */
    uint64_t midr;                /* MIDR_EL1 (0: Unicorn's) */
    const struct cpu_id_regs *id; /* NULL: Unicorn's (the Cortex-A57's), patched */
    uint64_t clock_hz;
    unsigned cost[IC_COUNT];
    unsigned exception_entry;   /* taking an exception (pipeline flush, vector fetch) */
    unsigned eret;              /* ERET (pipeline flush) */
};

extern const struct cpu_model cpu_model_cortex_a57;
/* The CPUs --cpu knows (modelled or refused with a reason), NULL-terminated. */
extern const struct cpu_model *const cpu_models[];
/* By name; NULL if unknown. */
const struct cpu_model *cpu_model_find(const char *name);
/* Is instruction word w one that Unicorn's CPU model for this model decodes but the model
 * does not have (so UNDEFINED here)? */
bool cpu_model_lacks(const struct cpu_model *m, uint32_t w);
const char *insn_class_name(enum insn_class c);

/* Classify one instruction (capstone ARM64 instruction id, mnemonic, groups). */
struct cs_insn;
enum insn_class cpu_model_classify(const struct cs_insn *insn);

#endif
