/* Where an exception goes: the target-EL rules of AArch64.TakeException and
 * its callers (AArch64.UndefinedFault, AArch64.CallSupervisor, AArch64.CallHypervisor,
 * AArch64.SystemAccessTrap, AArch64.Abort ...), for a PE with EL0, EL1 and EL2
 * (no EL3 visible), non-secure, AArch64 at every EL. */
#ifndef AVSIM_CPU_ROUTING_H
#define AVSIM_CPU_ROUTING_H
#include <stdbool.h>
#include <stdint.h>

/* HCR_EL2 bits. */
#define HCR_VM    (1ULL << 0)
#define HCR_SWIO  (1ULL << 1)
#define HCR_PTW   (1ULL << 2)
#define HCR_FMO   (1ULL << 3)
#define HCR_IMO   (1ULL << 4)
#define HCR_AMO   (1ULL << 5)
#define HCR_VF    (1ULL << 6)
#define HCR_VI    (1ULL << 7)
#define HCR_VSE   (1ULL << 8)
#define HCR_FB    (1ULL << 9)
#define HCR_BSU   (3ULL << 10)
#define HCR_DC    (1ULL << 12)
#define HCR_TWI   (1ULL << 13)
#define HCR_TWE   (1ULL << 14)
#define HCR_TID0  (1ULL << 15)
#define HCR_TID1  (1ULL << 16)
#define HCR_TID2  (1ULL << 17)
#define HCR_TID3  (1ULL << 18)
#define HCR_TSC   (1ULL << 19)
#define HCR_TIDCP (1ULL << 20)
#define HCR_TACR  (1ULL << 21)
#define HCR_TSW   (1ULL << 22)
#define HCR_TPCP  (1ULL << 23)   /* TPC in ARMv8.0 */
#define HCR_TPU   (1ULL << 24)
#define HCR_TTLB  (1ULL << 25)
#define HCR_TVM   (1ULL << 26)
#define HCR_TGE   (1ULL << 27)
#define HCR_TDZ   (1ULL << 28)
#define HCR_HCD   (1ULL << 29)
#define HCR_TRVM  (1ULL << 30)
#define HCR_RW    (1ULL << 31)
#define HCR_CD    (1ULL << 32)
#define HCR_ID    (1ULL << 33)
#define HCR_E2H   (1ULL << 34)
/* MDCR_EL2 bits (Armv8.0, no SPE or trace filter: bits 0-11 exist). */
#define MDCR_EL2_HPMN   0x1fULL
#define MDCR_EL2_TPMCR  (1ULL << 5)
#define MDCR_EL2_TPM    (1ULL << 6)
#define MDCR_EL2_HPME   (1ULL << 7)
#define MDCR_EL2_TDE    (1ULL << 8)
#define MDCR_EL2_TDA    (1ULL << 9)
#define MDCR_EL2_TDOSA  (1ULL << 10)
#define MDCR_EL2_TDRA   (1ULL << 11)
/* Bits of HCR_EL2 that exist on an ARMv8.0 PE without RAS (writable): 33:0.
 * E2H (bit 34) comes with FEAT_VHE (Armv8.1); without it the bit is RES0. */
#define HCR_EL2_V80_MASK 0x3ffffffffULL

/* Exception kinds, as far as routing is concerned. */
enum exc_route {
    ROUTE_EL1,        /* to EL1 from EL0/EL1 (EL2 when HCR_EL2.TGE and from EL0); EL2 stays at EL2 */
    ROUTE_EL2,        /* to EL2 from any EL (HVC, traps controlled by EL2) */
};

/* Target EL for a synchronous exception taken from `from_el`
 * (AArch64.TakeException: target = max(from_el, routed EL)). */
static inline unsigned exception_target_el(unsigned from_el, uint64_t hcr, enum exc_route r)
{
    unsigned t;
    if (r == ROUTE_EL2)
        t = 2;
    else
        t = (from_el == 0 && (hcr & HCR_TGE)) ? 2 : 1;
    return t > from_el ? t : from_el;
}

/* Vector offset from VBAR_ELx (AArch64.TakeException). kind: 0 sync, 1 IRQ,
 * 2 FIQ, 3 SError. spsel: PSTATE.SP at the time of the exception. */
static inline uint64_t exception_vector_offset(unsigned from_el, unsigned target_el, bool spsel,
                                               unsigned kind)
{
    uint64_t base;
    if (target_el > from_el)
        base = 0x400;           /* lower EL, AArch64 */
    else
        base = spsel ? 0x200 : 0x000;
    return base + 0x80 * (uint64_t)kind;
}

/* AArch64.CheckFPEnabled: the EL an FP/SIMD access at el traps to (EC 0x07), or -1. CPACR_EL1.FPEN
 * for EL0/EL1 outside the host; CPTR_EL2.TFP, or with HCR_EL2.E2H CPTR_EL2.FPEN (bits 21:20, the
 * CPACR layout: x0 traps EL0-EL2, 01 traps EL0 in the host only). */
static inline int fp_access_trap_el(unsigned el, uint64_t hcr, uint64_t cpacr, uint64_t cptr)
{
    bool host = (hcr & HCR_E2H) && (hcr & HCR_TGE);
    unsigned fpen = (cpacr >> 20) & 3;
    if (el < 2 && !(hcr & HCR_TGE) && (fpen == 0 || fpen == 2 || (fpen == 1 && el == 0)))
        return 1;
    if (hcr & HCR_E2H) {
        unsigned fpen2 = (cptr >> 20) & 3;
        if (!(fpen2 & 1) || (fpen2 == 1 && el == 0 && host))
            return 2;
        return -1;
    }
    return (cptr & (1ULL << 10)) ? 2 : -1;
}

/* The SPSR_ELx bits of an Armv8.0 AArch64 PE: N Z C V, SS, IL, D A I F, M[4:0]. */
#define SPSR_V80_MASK 0xf03003dfu
#define PSTATE_PAN (1u << 22)         /* FEAT_PAN */
#define SCTLR_SPAN (1ULL << 23)       /* 0: an exception to EL1 (or EL2 in the host) sets PSTATE.PAN */

/* PSTATE after exception entry to target_el from `old` (AArch64.TakeException):
 * NZCV kept, D A I F masked, SP = ELx, EL = target, IL and SS cleared. */
static inline uint32_t exception_entry_pstate(uint32_t old, unsigned target_el)
{
    return (old & 0xf0000000u) | 0x3c0u | (target_el << 2) | 1u;
}

/* Virtual interrupt routing: a virtual IRQ/FIQ/SError is signalled to EL1
 * only when the PE is at EL0 or EL1, HCR_EL2.TGE is 0 and the matching
 * IMO/FMO/AMO bit is set (AArch64 interrupt masking and routing rules). */
bool virtual_interrupt_enabled(unsigned el, uint64_t hcr, unsigned kind /* 1 IRQ, 2 FIQ, 3 SError */);

/* A pending physical interrupt (kind 1 IRQ, 2 FIQ, 3 SError) at `el` with
 * PSTATE `pstate`: the EL it is taken to, or -1 when it is not taken now.
 * HCR_EL2.IMO/FMO/AMO (or TGE) route it to EL2, where PSTATE.I/F/A mask it
 * only while executing at EL2; otherwise it goes to EL1, masked by PSTATE
 * at EL0/EL1 and never taken at EL2 (AArch64 interrupt routing and masking,
 * no EL3). */
int physical_interrupt_target(unsigned el, uint64_t hcr, unsigned kind, uint32_t pstate);

/* A pending virtual interrupt: 1 when taken now, -1 otherwise (EL0/EL1 only,
 * with the matching IMO/FMO/AMO, TGE clear, and unmasked by PSTATE). */
int virtual_interrupt_target(unsigned el, uint64_t hcr, unsigned kind, uint32_t pstate);

#endif
