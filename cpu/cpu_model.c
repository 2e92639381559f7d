/* The Cortex-A57-like CPU model used by default.
 *
 * Costs are issue-to-retire approximations for an in-order view of a
 * 3-wide out-of-order core at 1 GHz, taken from the public Cortex-A57
 * Software Optimization Guide's latencies, rounded:
 *   ALU 1, load 4 (L1 hit), store 1, branch 1, multiply 3, divide 12
 *   (32-bit 4-20, 64-bit 4-36 cycles: mid value), FP/SIMD 3, system register
 *   access 10 (serialising MSR/MRS), barrier 20, exception-generating 1 (the
 *   entry itself is charged separately), exception entry 40, ERET 30.
 * They are what avsim charges per retired instruction; they model neither
 * caches nor the pipeline. Change them here (or add another model) to study
 * sensitivity; every figure in --stats is derived from them. */
#include "cpu/cpu_model.h"
#include <capstone/capstone.h>
#include <string.h>

const struct cpu_model cpu_model_cortex_a57 = {
    .name = "cortex-a57",
    .clock_hz = 1000000000ULL,
    .cost = {
        [IC_ALU] = 1, [IC_LOAD] = 4, [IC_STORE] = 1, [IC_BRANCH] = 1, [IC_MUL] = 3,
        [IC_DIV] = 12, [IC_FP] = 3, [IC_SYSREG] = 10, [IC_BARRIER] = 20, [IC_EXCGEN] = 1,
    },
    .exception_entry = 40,
    .eret = 30,
};

const char *insn_class_name(enum insn_class c)
{
    static const char *const names[IC_COUNT] = {
        "alu", "load", "store", "branch", "mul", "div", "fp", "sysreg", "barrier", "excgen",
    };
    return c < IC_COUNT ? names[c] : "?";
}

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

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
    if (!strcmp(m, "sdiv") || !strcmp(m, "udiv"))
        return IC_DIV;
    if (!strcmp(m, "mul") || !strcmp(m, "madd") || !strcmp(m, "msub") || !strcmp(m, "mneg") ||
        !strcmp(m, "smull") || !strcmp(m, "umull") || !strcmp(m, "smulh") || !strcmp(m, "umulh") ||
        !strcmp(m, "smaddl") || !strcmp(m, "umaddl") || !strcmp(m, "smsubl") || !strcmp(m, "umsubl") ||
        !strcmp(m, "smnegl") || !strcmp(m, "umnegl"))
        return IC_MUL;
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
                return IC_FP;
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
