/* The Cortex-A57 CPU model used by default: a 1 GHz clock and the cycles
 * avsim charges per retired instruction, per class. It is an in-order view
 * of a 3-wide out-of-order core: each instruction costs its execution latency,
 * nothing overlaps, and neither caches nor the pipeline are modelled. Change
 * the figures here (or add a model) to study sensitivity; every cycle figure
 * avsim reports derives from them.
 *
 * Where each figure comes from. The instruction latencies are those of Arm's
 * "Cortex-A57 Software Optimization Guide" (UAN 0015B, 2016), section 3
 * "Instruction characteristics", as LLVM's Cortex-A57 machine model
 * (llvm/lib/Target/AArch64/AArch64SchedA57.td) transcribes them:
 *   ALU                1   "ALU, basic" (ADD/SUB/AND/ORR/..., MOV, shifts by
 *                          immediate); the shifted- and extended-register forms
 *                          (2) are charged as basic
 *   load               4   "Load register, immed offset" (L1 hit)
 *   store              1   "Store register, immed offset"
 *   branch             1   "Branch, immed" / "Branch, register"
 *   multiply (W)       3   "Multiply accumulate, W-form" (MUL, MADD, MSUB, SMULL...)
 *   multiply (X)       5   "Multiply accumulate, X-form" (SMULH/UMULH are 6: charged 5)
 *   divide (W)        12   "Divide, W-form": 4-20, data dependent: the midpoint
 *   divide (X)        20   "Divide, X-form": 4-36, data dependent: the midpoint
 *   FP/ASIMD basic     3   "FP move / compare / absolute / negate", "ASIMD logical"
 *                          and ASIMD integer basic (3)
 *   FP arithmetic      5   "FP add/sub", "FP multiply", "FP convert", "FP round",
 *                          ASIMD FP arithmetic (5)
 *   FP multiply-acc.   9   "FP multiply accumulate", ASIMD FP MLA (9)
 *   FP divide/sqrt    17   single precision; 32 double ("FP divide, S-/D-form")
 * The Guide gives no figures for system register accesses, barriers, exception
 * entry or exception return (its tables leave out system instructions), so
 * those are estimates, stated as such:
 *   exception entry   14   a taken exception redirects fetch and refills the
 *   ERET              14   pipeline like a mispredicted branch: LLVM's model
 *   barrier           14   puts that refill at 14 cycles ("Fetch + Decode/
 *                          Rename/Dispatch + Branch", from the Guide's pipeline
 *                          description); ISB is such a refill, and DSB/DMB wait
 *                          for outstanding accesses, which avsim does not model,
 *                          so they are charged the same
 *   system register   10   MRS/MSR/SYS (TLBI, DC, IC, AT too): serialising on
 *                          the core, an estimate between a basic instruction and
 *                          a refill; no public Cortex-A57 figure exists
 *   SVC/HVC/SMC/BRK    1   the instruction itself; the entry is charged above
 * README "Exit costs beside hardware" shows what these give for KVM's exits. */
#include "cpu/cpu_model.h"
#include "mmu/tlb.h"
#include <capstone/capstone.h>
#include <unicorn/unicorn.h>
#include <stdbool.h>
#include <string.h>

/* The cycle costs of the Cortex-A57 (above); the other CPUs use them too for now. */
#define A57_TIMING                                                                                         \
    .clock_hz = 1000000000ULL,                                                                             \
    .cost = {                                                                                              \
        [IC_ALU] = 1, [IC_LOAD] = 4, [IC_STORE] = 1, [IC_BRANCH] = 1, [IC_MUL] = 3, [IC_MUL64] = 5,        \
        [IC_DIV] = 12, [IC_DIV64] = 20, [IC_FP] = 3, [IC_FP_ARITH] = 5, [IC_FP_MAC] = 9, [IC_FP_DIV] = 17, \
        [IC_FP_DIV64] = 32, [IC_SYSREG] = 10, [IC_BARRIER] = 14, [IC_EXCGEN] = 1,                          \
    },                                                                                                     \
    .exception_entry = 14, .eret = 14

const struct cpu_model cpu_model_cortex_a57 = {
    .name = "cortex-a57",
    .unicorn_model = UC_CPU_ARM64_A57,
    .fdt_compatible = "arm,cortex-a57",
    .tlb = &tlb_config_cortex_a57,
    A57_TIMING,
};

/* The Cortex-A76 (Armv8.2) on Unicorn's max CPU: its MIDR (r4p1, as QEMU 7.2's) and its
 * features as far as avsim models them. Read as absent (not modelled): RAS, SSBS, the Armv8.2
 * debug and PMU versions (the A57's are reported), PAN2 (AT S1E1RP/WP), LOR, 16-bit VMIDs,
 * HPDS, hardware Access/Dirty flags, XNX, UAO, CnP, IESB, DC CVAP (DPB), the 16 KB granule and
 * AArch32. Present: FEAT_VHE, FEAT_PAN, FEAT_LSE, RDM, DotProd, FP16, LRCPC, CRC32, AES, SHA1,
 * SHA256; CSV2 and CSV3 (no speculation here). Unicorn's max decodes more: SVE, pointer
 * authentication, SHA3/SHA512/SM3/SM4 are UNDEFINED here (cpu_model_lacks); FHM, JSCVT, FCMA,
 * FRINTTS, FlagM and SB still execute (README "Not modelled yet"). */
static const struct cpu_id_regs a76_id = {
    .pfr0 = 0x1100000000110111,   /* CSV3, CSV2, AdvSIMD and FP with FP16, EL0-EL2 AArch64; GIC: pe_gic.c */
    .pfr1 = 0,
    .dfr0 = 0x10305106,           /* the Cortex-A57's debug and PMUv3 (avsim's PMU) */
    .isar0 = 0x0000100010211120,  /* DP, RDM, Atomic 2, CRC32, SHA2 1, SHA1, AES 2 */
    .isar1 = 0x0000000000100000,  /* LRCPC 1 */
    .mmfr0 = 0x00001122,          /* 40-bit PA, 16-bit ASID, 4K and 64K granules */
    .mmfr1 = 0x00100100,          /* PAN 1, VH */
    .mmfr2 = 0,
};

static const struct cpu_model cpu_model_cortex_a76 = {
    .name = "cortex-a76",
    .unicorn_model = UC_CPU_ARM64_MAX,
    .fdt_compatible = "arm,cortex-a76",
    .tlb = &tlb_config_cortex_a57,
    .features = CPU_FEAT_LSE | CPU_FEAT_VHE | CPU_FEAT_PAN | CPU_HIDE_SVE | CPU_HIDE_PAUTH | CPU_HIDE_SHA3_SM,
    .midr = 0x414fd0b1,
    .id = &a76_id,
    A57_TIMING,
};

/* avsim's "max": everything avsim models, on Unicorn's "max" CPU (whose decoder
 * knows the Armv8.1+ instructions). Its ID registers list only what works here:
 * the Cortex-A57's system with FEAT_VHE and FEAT_PAN (no PAN2, LOR, VMID16, HPDS,
 * UAO, CnP, BTI), FEAT_LSE, and the user-level instruction sets Unicorn executes with
 * nothing for avsim to model: FP16, RDM, SHA3, SHA512, SM3, SM4, DotProd, FHM,
 * FlagM, CRC32, AES, JSCVT, FCMA, FRINTTS, SB and LRCPC (LDAPR, whose aborts
 * avsim decodes). Unicorn's max also has SVE and pointer authentication, which
 * avsim hides and makes UNDEFINED (cpu_model_lacks), and RNDR, DPB, SPECRES,
 * whose system registers and instructions avsim's tables lack (UNDEFINED). */
static const struct cpu_id_regs max_id = {
    .pfr0 = 0x00110111,           /* EL0-EL2 AArch64 only, no EL3, FP and AdvSIMD with FP16, GIC: pe_gic.c */
    .pfr1 = 0,
    .dfr0 = 0x10305106,           /* the Cortex-A57's debug and PMUv3 */
    .isar0 = 0x0021111110212120,  /* TS 2, FHM, DP, SM4, SM3, SHA3, RDM, Atomic 2, CRC32, SHA2 2, SHA1, AES 2 */
    .isar1 = 0x0000001100111000,  /* SB, FRINTTS, LRCPC 1, FCMA, JSCVT */
    .mmfr0 = 0x00001122,          /* 40-bit PA, 16-bit ASID, 4K and 64K granules */
    .mmfr1 = 0x00100100,          /* PAN 1 (FEAT_PAN), VH (FEAT_VHE) */
    .mmfr2 = 0,
};

static const struct cpu_model cpu_model_max = {
    .name = "max",
    .unicorn_model = UC_CPU_ARM64_MAX,
    .fdt_compatible = "arm,cortex-a57",   /* what QEMU 7.2's -cpu max puts in the tree */
    .tlb = &tlb_config_cortex_a57,
    .features = CPU_FEAT_LSE | CPU_FEAT_VHE | CPU_FEAT_PAN | CPU_HIDE_SVE | CPU_HIDE_PAUTH,
    .id = &max_id,
    A57_TIMING,
};

const struct cpu_model *const cpu_models[] = { &cpu_model_cortex_a57, &cpu_model_cortex_a76, &cpu_model_max, NULL };

const struct cpu_model *cpu_model_find(const char *name)
{
    for (int i = 0; cpu_models[i]; i++)
        if (!strcmp(cpu_models[i]->name, name))
            return cpu_models[i];
    return NULL;
}

bool cpu_model_lacks(const struct cpu_model *m, uint32_t w)
{
    if (!(m->features & (CPU_HIDE_SVE | CPU_HIDE_PAUTH | CPU_HIDE_SHA3_SM)))
        return false;
    if ((m->features & CPU_HIDE_SHA3_SM) && (w & 0xfe000000u) == 0xce000000u)
        return true;                  /* EOR3, BCAX, XAR, RAX1, SHA512*, SM3*, SM4* */
    if ((m->features & CPU_HIDE_SVE) && (w & 0x1e000000u) == 0x04000000u)
        return true;                  /* op0 = 0010: the SVE encoding space */
    if (m->features & CPU_HIDE_PAUTH) {
        if ((w & 0xffff0000u) == 0xdac10000u && ((w >> 10) & 0x3fu) <= 0x11u)
            return true;              /* PACIA .. AUTDZB (opcode 0x00-0x0f), XPACI, XPACD (0x10, 0x11) */
        if ((w & 0xffe0fc00u) == 0x9ac03000u)
            return true;              /* PACGA */
        if ((w & 0xfe00f800u) == 0xd6000800u)
            return true;              /* BRAA, BRAB, BLRAA, BLRAB, B(L)RAAZ, RETAA, RETAB, ERETAA, ERETAB */
        if ((w & 0xff200400u) == 0xf8200400u)
            return true;              /* LDRAA, LDRAB */
    }
    return false;
}

const char *insn_class_name(enum insn_class c)
{
    static const char *const names[IC_COUNT] = {
        "alu", "load", "store", "branch", "mul", "div", "fp", "sysreg", "barrier", "excgen",
        "mul64", "div64", "fp-arith", "fp-mac", "fp-div", "fp-div64",
    };
    return c < IC_COUNT ? names[c] : "?";
}

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* FP and ASIMD data processing by the Guide's groups: divide and square root,
 * multiply-accumulate, arithmetic (add, multiply, convert, round, min/max),
 * the rest basic. Double precision divides: a D register or a .2d vector. */
static enum insn_class fp_class(const char *m, const char *ops)
{
    if (!strcmp(m, "fdiv") || !strcmp(m, "fsqrt"))
        return ops[0] == 'd' || strstr(ops, ".2d") ? IC_FP_DIV64 : IC_FP_DIV;
    if (!strcmp(m, "fmadd") || !strcmp(m, "fmsub") || !strcmp(m, "fnmadd") || !strcmp(m, "fnmsub") ||
        !strcmp(m, "fmla") || !strcmp(m, "fmls"))
        return IC_FP_MAC;
    static const char *const arith[] = { "fadd", "fsub", "fmul", "fnmul", "fabd", "fcvt", "scvtf", "ucvtf",
                                         "frint", "fmax", "fmin", "frecp", "frsqrt" };
    for (size_t i = 0; i < sizeof arith / sizeof arith[0]; i++)
        if (starts(m, arith[i]))
            return IC_FP_ARITH;
    return IC_FP;
}

enum insn_class cpu_model_classify(const struct cs_insn *insn)
{
    const char *m = insn->mnemonic;
    const cs_detail *d = insn->detail;
    if (!strcmp(m, "mrs") || !strcmp(m, "msr") || !strcmp(m, "sys") || !strcmp(m, "sysl") ||
        !strcmp(m, "tlbi") || !strcmp(m, "dc") || !strcmp(m, "ic") || !strcmp(m, "at"))
        return IC_SYSREG;
    if (!strcmp(m, "dsb") || !strcmp(m, "dmb") || !strcmp(m, "isb"))
        return IC_BARRIER;
    if (!strcmp(m, "svc") || !strcmp(m, "hvc") || !strcmp(m, "smc") || !strcmp(m, "brk") ||
        !strcmp(m, "hlt") || !strcmp(m, "eret"))
        return IC_EXCGEN;
    bool xform = insn->op_str[0] == 'x';           /* the destination is an X register */
    if (!strcmp(m, "sdiv") || !strcmp(m, "udiv"))
        return xform ? IC_DIV64 : IC_DIV;
    if (!strcmp(m, "smulh") || !strcmp(m, "umulh"))
        return IC_MUL64;
    if (!strcmp(m, "mul") || !strcmp(m, "madd") || !strcmp(m, "msub") || !strcmp(m, "mneg"))
        return xform ? IC_MUL64 : IC_MUL;
    if (!strcmp(m, "smull") || !strcmp(m, "umull") || !strcmp(m, "smaddl") || !strcmp(m, "umaddl") ||
        !strcmp(m, "smsubl") || !strcmp(m, "umsubl") || !strcmp(m, "smnegl") || !strcmp(m, "umnegl"))
        return IC_MUL;                              /* "multiply accumulate long": W sources, 3 */
    if (starts(m, "ld") || starts(m, "prfm"))
        return IC_LOAD;
    if (starts(m, "st"))
        return IC_STORE;
    if (d) {
        for (int i = 0; i < d->groups_count; i++) {
            if (d->groups[i] == ARM64_GRP_JUMP || d->groups[i] == CS_GRP_JUMP ||
                d->groups[i] == CS_GRP_CALL || d->groups[i] == CS_GRP_RET)
                return IC_BRANCH;
            if (d->groups[i] == ARM64_GRP_FPARMV8 || d->groups[i] == ARM64_GRP_NEON)
                return fp_class(m, insn->op_str);
        }
    }
    if (m[0] == 'b' && (m[1] == 0 || m[1] == '.' || !strcmp(m, "bl") || !strcmp(m, "br") ||
                        !strcmp(m, "blr")))
        return IC_BRANCH;
    if (!strcmp(m, "ret") || !strcmp(m, "cbz") || !strcmp(m, "cbnz") || !strcmp(m, "tbz") ||
        !strcmp(m, "tbnz"))
        return IC_BRANCH;
    return IC_ALU;
}
