/* System registers and system instructions (MRS, MSR, SYS, SYSL): one table
 * keyed by (op0, op1, CRn, CRm, op2), with names as in the Arm ARM, access
 * rules per EL, the HCR_EL2 / SCTLR_EL1 / CPTR_EL2 trap controls that apply,
 * and where the value lives. sysreg_decide() follows the order of checks in
 * the Arm pseudocode for a system access (AArch64.CheckSystemAccess): an
 * encoding that does not exist or is not accessible at this EL is UNDEFINED,
 * then EL1 traps of EL0 accesses, then EL2 traps of EL0/EL1 accesses. */
#ifndef AVSIM_CPU_SYSREG_H
#define AVSIM_CPU_SYSREG_H
#include <stdbool.h>
#include <stdint.h>

#define SYSREG_KEY(op0, op1, crn, crm, op2) \
    ((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))

/* Access rights per EL. */
enum {
    SR_EL0_R = 1 << 0, SR_EL0_W = 1 << 1, SR_EL1_R = 1 << 2, SR_EL1_W = 1 << 3,
    SR_EL2_R = 1 << 4, SR_EL2_W = 1 << 5,
    SR_EL0_RW = SR_EL0_R | SR_EL0_W, SR_EL1_RW = SR_EL1_R | SR_EL1_W, SR_EL2_RW = SR_EL2_R | SR_EL2_W,
    SR_PL0_RW = SR_EL0_RW | SR_EL1_RW | SR_EL2_RW,
    SR_PL0_R = SR_EL0_R | SR_EL1_R | SR_EL2_R,
    SR_PL1_RW = SR_EL1_RW | SR_EL2_RW, SR_PL1_R = SR_EL1_R | SR_EL2_R, SR_PL1_W = SR_EL1_W | SR_EL2_W,
    SR_PL2_RW = SR_EL2_RW, SR_PL2_R = SR_EL2_R,
    SR_PL0_W = SR_EL0_W | SR_EL1_W | SR_EL2_W,
};

/* Trap controls that apply to a register (bit set = the control applies). */
enum {
    TRAP_TVM = 1 << 0,      /* HCR_EL2.TVM traps EL1 writes */
    TRAP_TRVM = 1 << 1,     /* HCR_EL2.TRVM traps EL1 reads */
    TRAP_TID1 = 1 << 2,
    TRAP_TID2 = 1 << 3,
    TRAP_TID3 = 1 << 4,
    TRAP_TACR = 1 << 5,
    TRAP_TSW = 1 << 6,
    TRAP_TPC = 1 << 7,
    TRAP_TPU = 1 << 8,
    TRAP_TTLB = 1 << 9,
    TRAP_TDZ = 1 << 10,
    TRAP_FP = 1 << 11,      /* CPACR_EL1.FPEN / CPTR_EL2.TFP (EC 0x07) */
    TRAP_TCPAC = 1 << 12,   /* CPTR_EL2.TCPAC traps EL1 CPACR_EL1 accesses */
    TRAP_EL0_UCT = 1 << 13, /* EL0 access needs SCTLR_EL1.UCT */
    TRAP_EL0_UCI = 1 << 14, /* EL0 access needs SCTLR_EL1.UCI */
    TRAP_EL0_DZE = 1 << 15, /* EL0 access needs SCTLR_EL1.DZE */
    TRAP_EL0_UMA = 1 << 16, /* EL0 access needs SCTLR_EL1.UMA */
    TRAP_EL0_PCTEN = 1 << 17, /* EL0 needs CNTKCTL_EL1.EL0PCTEN; EL0/EL1 need CNTHCTL_EL2.EL1PCTEN */
    TRAP_EL0_VCTEN = 1 << 18, /* EL0 needs CNTKCTL_EL1.EL0VCTEN */
    TRAP_EL0_FRQ = 1 << 19,   /* EL0 needs EL0PCTEN or EL0VCTEN */
    TRAP_TIDCP = 1 << 20,     /* IMPLEMENTATION DEFINED register */
    SR_MMU_REG = 1 << 30,     /* not a trap: a translation register (guest view kept by avsim) */
    TRAP_GIC = 1 << 21,
    TRAP_EL0_PTEN = 1 << 22,  /* EL0 access needs CNTKCTL_EL1.EL0PTEN (physical timer) */
    TRAP_EL0_VTEN = 1 << 23,  /* EL0 access needs CNTKCTL_EL1.EL0VTEN (virtual timer) */
    TRAP_EL1PCEN = 1 << 24,   /* EL0/EL1 access needs CNTHCTL_EL2.EL1PCEN (physical timer) */
    TRAP_TDA = 1 << 25,       /* MDCR_EL2.TDA (or TDE) traps EL0/EL1 debug register accesses */
    TRAP_TDOSA = 1 << 26,     /* MDCR_EL2.TDOSA (or TDE): the OS-related debug registers */
    TRAP_TDRA = 1 << 27,      /* MDCR_EL2.TDRA (or TDE): the debug ROM address register */
    TRAP_PMU = 1 << 28,       /* a PMU register: the PMU decides existence (HPMN) and EL0 access
                                 (PMUSERENR_EL0); MDCR_EL2.TPM traps EL0/EL1 accesses */
    TRAP_TPMCR = 1 << 29,     /* PMCR_EL0: MDCR_EL2.TPMCR traps EL0/EL1 accesses too */
    /* TRAP_GIC (bit 21): a GIC CPU interface register: existence and ICH_HCR_EL2 traps from the GIC */
};

/* Where the architectural value lives. */
enum sysreg_storage {
    SR_NATIVE,        /* in Unicorn's CPU state; the access executes natively */
    SR_AVSIM,         /* in the PE's register file; read/write handlers below */
    SR_CONST,         /* constant (reads return reset value, writes ignored where writable) */
    SR_NOP,           /* an instruction with no effect in this model (accepted, does nothing) */
    SR_NOT_MODELLED,  /* exists architecturally, but avsim does not model it yet: the run stops */
};

struct pe;
struct sysreg_def;
typedef uint64_t (*sysreg_read_fn)(struct pe *pe, const struct sysreg_def *d);
typedef void (*sysreg_write_fn)(struct pe *pe, const struct sysreg_def *d, uint64_t v);

struct sysreg_def {
    const char *name;
    uint8_t op0, op1, crn, crm, op2;
    uint16_t access;
    uint32_t traps;
    enum sysreg_storage storage;
    uint64_t reset;
    uint64_t writable;           /* SR_AVSIM: bits a write may change (others keep reset value) */
    sysreg_read_fn read;         /* SR_AVSIM: computed read (NULL: stored value) */
    sysreg_write_fn write;       /* SR_AVSIM: side effects after the stored value changed;
                                    SR_NATIVE: a check before the native write (may stop the run) */
    const char *why_not;         /* SR_NOT_MODELLED: what is missing */
    uint8_t feature;             /* enum sysreg_feature: exists only on a PE with it */
    bool e2h_only;               /* an *_EL12 / *_EL02 encoding: accessible only at EL2 with HCR_EL2.E2H */
    bool maint;                  /* a maintenance instruction (TLBI, IC, AT): performing it changes
                                  * no control a trap decision reads (pe_trap_state_changed) */
    const char *e2h_name;        /* at EL2 with HCR_EL2.E2H = 1 this encoding accesses that register
                                  * (an EL1 register's EL2 counterpart; an alias's EL1/EL0 register) */
    int e2h_index;               /* e2h_name's index (-1: none; filled in at start-up) */
    int index;                   /* position in the register file (filled in at start-up) */
};

/* Architecture features that decide whether a register exists (sysreg_ctx.features). */
enum sysreg_feature { SR_FEAT_BASE = 0, SR_FEAT_VHE = 1, SR_FEAT_PAN = 2 };

/* Looks up an encoding; NULL when no register or instruction has it (UNDEFINED). */
const struct sysreg_def *sysreg_lookup(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                       unsigned op2);
const struct sysreg_def *sysreg_by_name(const char *name);
int sysreg_count(void);
const struct sysreg_def *sysreg_at(int index);

/* What the PE state says about an access, as far as trap decisions need it. */
/* What the GIC says about an access to one of its registers. */
enum gic_access_check { GIC_ACCESS_OK, GIC_ACCESS_UNDEFINED, GIC_ACCESS_TRAP_EL2 };
/* What the PMU says about an access to one of its registers (before MDCR_EL2.TPM). */
enum pmu_access_check { PMU_ACCESS_OK, PMU_ACCESS_UNDEFINED, PMU_ACCESS_TRAP_EL1 };

struct sysreg_ctx {
    unsigned el;
    enum gic_access_check (*gic_check)(void *opaque, const struct sysreg_def *d, bool is_read);
    void *gic_opaque;
    enum pmu_access_check (*pmu_check)(void *opaque, const struct sysreg_def *d, bool is_read);
    void *pmu_opaque;
    uint64_t hcr_el2;       /* guest view */
    uint64_t mdcr_el2;
    uint64_t sctlr_el1;     /* only read for EL0 accesses */
    uint64_t cpacr_el1;     /* only read for FP registers */
    uint64_t cptr_el2;
    uint64_t cnthctl_el2;
    uint64_t cntkctl_el1;
    uint32_t features;      /* 1 << enum sysreg_feature the PE has (bit 0 always) */
};

enum sysreg_verdict {
    SRV_ACCESS,        /* allowed: perform it (natively or by the handler) */
    SRV_UNDEFINED,     /* EC 0x00 */
    SRV_TRAP,          /* EC 0x18 to target_el */
    SRV_FP_TRAP,       /* EC 0x07 to target_el */
};

struct sysreg_decision {
    enum sysreg_verdict verdict;
    unsigned target_el;
    const struct sysreg_def *def;   /* NULL for an unknown encoding */
    const char *trap_name;          /* which control trapped (for traces) */
};

/* True when sysreg_decide gives SRV_ACCESS at this EL whatever the other
 * controls say: the register exists, the EL may access it, and no trap bit
 * concerns it (a decoded block need not ask again before it runs). */
bool sysreg_never_traps(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, bool is_read,
                        unsigned el);
struct sysreg_decision sysreg_decide(const struct sysreg_ctx *c, unsigned op0, unsigned op1,
                                     unsigned crn, unsigned crm, unsigned op2, bool is_read);

#endif
