/* A CPU model: the clock and the cycle cost of each instruction class, of
 * exception entry and of ERET. The simulated clock advances by these costs for
 * every retired instruction (cycle-approximate, not cycle-accurate). */
#ifndef AVSIM_CPU_CPU_MODEL_H
#define AVSIM_CPU_CPU_MODEL_H
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

struct cpu_model {
    const char *name;             /* as --cpu and QEMU's -cpu spell it */
    const char *not_modelled;     /* non-NULL: --cpu refuses it, saying why (README "Limits") */
    int unicorn_model;            /* Unicorn's CPU model (UC_CPU_ARM64_*): its decoder and native registers */
    const char *fdt_compatible;   /* the device tree's cpu@N compatible */
    const struct tlb_config *tlb; /* the TLB model's default geometry (--tlb changes it) */
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
const char *insn_class_name(enum insn_class c);

/* Classify one instruction (capstone ARM64 instruction id, mnemonic, groups). */
struct cs_insn;
enum insn_class cpu_model_classify(const struct cs_insn *insn);

#endif
