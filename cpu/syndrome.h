/* Exception syndromes (ESR_ELx) for AArch64, built the way the Arm pseudocode
 * builds them (AArch64.ExceptionSyndrome and the per-class ISS encodings). */
#ifndef AVSIM_CPU_SYNDROME_H
#define AVSIM_CPU_SYNDROME_H
#include <stdbool.h>
#include <stdint.h>

/* Exception classes (ESR_ELx.EC) that avsim raises. */
enum esr_ec {
    EC_UNKNOWN = 0x00,
    EC_WFX = 0x01,
    EC_FP_ACCESS = 0x07,
    EC_ILLEGAL_STATE = 0x0e,
    EC_SVC64 = 0x15,
    EC_HVC64 = 0x16,
    EC_SMC64 = 0x17,
    EC_SYSREG = 0x18,
    EC_IABORT_LOWER = 0x20,
    EC_IABORT_SAME = 0x21,
    EC_PC_ALIGN = 0x22,
    EC_DABORT_LOWER = 0x24,
    EC_DABORT_SAME = 0x25,
    EC_SP_ALIGN = 0x26,
    EC_SERROR = 0x2f,
    EC_BRK64 = 0x3c,
};

/* Pseudo classes for asynchronous exceptions, which have no ESR of their own;
 * used in events and statistics only (outside the 6-bit EC space). */
enum { EC_PSEUDO_IRQ = 0x100, EC_PSEUDO_FIQ = 0x101, EC_PSEUDO_VIRQ = 0x102, EC_PSEUDO_VFIQ = 0x103 };

/* Fault status codes (DFSC/IFSC). */
enum fault_status {
    FSC_SEA = 0x10,           /* synchronous external abort, not on a walk */
    FSC_ALIGNMENT = 0x21,
};

const char *esr_ec_name(unsigned ec);

static inline uint64_t esr_make(unsigned ec, bool il, uint32_t iss)
{
    return ((uint64_t)(ec & 0x3f) << 26) | ((uint64_t)il << 25) | (iss & 0x1ffffff);
}
static inline unsigned esr_ec(uint64_t esr) { return (esr >> 26) & 0x3f; }
static inline uint32_t esr_iss(uint64_t esr) { return esr & 0x1ffffff; }

/* ISS for an MSR, MRS or System instruction trap (EC 0x18). */
uint32_t iss_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                    unsigned rt, bool is_read);

/* ISS for a trapped WFI (is_wfe=false) or WFE; CV=1 with COND=0xE as for an
 * unconditional AArch64 instruction. */
uint32_t iss_wfx(bool is_wfe);

/* Instruction syndrome of a single-register load/store, valid for ISV=1. */
struct data_iss {
    bool isv;          /* the instruction syndrome below is valid */
    unsigned sas;      /* access size: 0 byte .. 3 doubleword */
    bool sse;          /* sign-extending load */
    unsigned srt;      /* register transferred */
    bool sf;           /* 64-bit register */
    bool ar;           /* acquire/release semantics */
};

/* ISS for a data abort (EC 0x24/0x25): Arm ARM ISS encoding for an exception
 * from a Data Abort. */
uint32_t iss_data_abort(const struct data_iss *is, bool ea, bool cm, bool s1ptw, bool wnr,
                        unsigned dfsc);

/* ISS for an instruction abort (EC 0x20/0x21). */
uint32_t iss_instruction_abort(bool ea, bool s1ptw, unsigned ifsc);

/* ISS for a trapped FP/SIMD access (EC 0x07): CV=1, COND=0xE. */
uint32_t iss_fp_access(void);

#endif
