#include "cpu/sysreg.h"
#include "cpu/pmu.h"
#include "cpu/routing.h"
#include "cpu/sysreg_handlers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R(n, o0, o1, cn, cm, o2, acc, tr, st, ...) \
    { .name = n, .op0 = o0, .op1 = o1, .crn = cn, .crm = cm, .op2 = o2, .access = acc, \
      .traps = tr, .storage = st, __VA_ARGS__ }

#define DEBUG_WHY "the debug communication channel is not modelled"
#define DBG_BRPS 6
#define DBG_WRPS 4

/* The registers and instructions this PE has. ID registers (op0=3, op1=0,
 * CRn=0, CRm=1..7) and the GIC system register ranges are generated below. */
static const struct sysreg_def base_table[] = {
    /* Identification (EL1) */
    R("MIDR_EL1", 3, 0, 0, 0, 0, SR_PL1_R, 0, SR_AVSIM, .read = sr_read_midr),
    R("MPIDR_EL1", 3, 0, 0, 0, 5, SR_PL1_R, 0, SR_AVSIM, .read = sr_read_mpidr),
    R("REVIDR_EL1", 3, 0, 0, 0, 6, SR_PL1_R, TRAP_TID1, SR_NATIVE),
    R("CCSIDR_EL1", 3, 1, 0, 0, 0, SR_PL1_R, TRAP_TID2, SR_NATIVE),
    R("CLIDR_EL1", 3, 1, 0, 0, 1, SR_PL1_R, TRAP_TID2, SR_NATIVE),
    R("AIDR_EL1", 3, 1, 0, 0, 7, SR_PL1_R, TRAP_TID1, SR_NATIVE),
    R("CSSELR_EL1", 3, 2, 0, 0, 0, SR_PL1_RW, TRAP_TID2, SR_NATIVE),
    R("CTR_EL0", 3, 3, 0, 0, 1, SR_PL0_R, TRAP_TID2 | TRAP_EL0_UCT, SR_NATIVE),
    R("DCZID_EL0", 3, 3, 0, 0, 7, SR_PL0_R, 0, SR_NATIVE),
    R("VPIDR_EL2", 3, 4, 0, 0, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("VMPIDR_EL2", 3, 4, 0, 0, 5, SR_PL2_RW, 0, SR_NATIVE),
    /* System control */
    R("SCTLR_EL1", 3, 0, 1, 0, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("ACTLR_EL1", 3, 0, 1, 0, 1, SR_PL1_RW, TRAP_TACR, SR_NATIVE),
    R("CPACR_EL1", 3, 0, 1, 0, 2, SR_PL1_RW, TRAP_TCPAC, SR_NATIVE, .write = sr_write_fp_enables),
    R("SCTLR_EL2", 3, 4, 1, 0, 0, SR_PL2_RW, 0 | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("ACTLR_EL2", 3, 4, 1, 0, 1, SR_PL2_RW, 0, SR_NATIVE),
    R("HCR_EL2", 3, 4, 1, 1, 0, SR_PL2_RW, 0, SR_AVSIM, .reset = 0, .writable = HCR_EL2_V80_MASK | HCR_E2H,
      .write = sr_write_hcr_el2),
    /* MDCR_EL2: HPMN resets to PMCR_EL0.N; bits 0-11 exist (no SPE, no trace filter). */
    R("MDCR_EL2", 3, 4, 1, 1, 1, SR_PL2_RW, 0, SR_AVSIM, .reset = PMU_NUM_COUNTERS, .writable = 0xfff,
      .write = sr_write_mdcr_el2),
    R("CPTR_EL2", 3, 4, 1, 1, 2, SR_PL2_RW, 0, SR_NATIVE, .write = sr_write_fp_enables),
    R("HSTR_EL2", 3, 4, 1, 1, 3, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xbfff),
    R("HACR_EL2", 3, 4, 1, 1, 7, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL),
    /* Translation: the guest's view, kept by avsim; Unicorn's own stay 0 (its TLB is filled by pe_mmu.c's hook) */
    R("TTBR0_EL1", 3, 0, 2, 0, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("TTBR1_EL1", 3, 0, 2, 0, 1, SR_PL1_RW, TRAP_TVM | TRAP_TRVM | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("TCR_EL1", 3, 0, 2, 0, 2, SR_PL1_RW, TRAP_TVM | TRAP_TRVM | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("TTBR0_EL2", 3, 4, 2, 0, 0, SR_PL2_RW, 0 | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("TCR_EL2", 3, 4, 2, 0, 2, SR_PL2_RW, 0 | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("VTTBR_EL2", 3, 4, 2, 1, 0, SR_PL2_RW, 0 | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("VTCR_EL2", 3, 4, 2, 1, 2, SR_PL2_RW, SR_MMU_REG, SR_AVSIM, .reset = 1ULL << 31, .writable = 0x7ffff, .write = sr_write_mmu),
    R("DACR32_EL2", 3, 4, 3, 0, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    /* Special-purpose registers */
    R("SPSR_EL1", 3, 0, 4, 0, 0, SR_PL1_RW, 0, SR_NATIVE),
    R("ELR_EL1", 3, 0, 4, 0, 1, SR_PL1_RW, 0, SR_NATIVE),
    R("SP_EL0", 3, 0, 4, 1, 0, SR_PL1_RW, 0, SR_NATIVE),
    R("SPSel", 3, 0, 4, 2, 0, SR_PL1_RW, 0, SR_NATIVE),
    R("CurrentEL", 3, 0, 4, 2, 2, SR_PL1_R, 0, SR_NATIVE),
    R("NZCV", 3, 3, 4, 2, 0, SR_PL0_RW, 0, SR_NATIVE),
    R("DAIF", 3, 3, 4, 2, 1, SR_PL0_RW, TRAP_EL0_UMA, SR_NATIVE),
    R("FPCR", 3, 3, 4, 4, 0, SR_PL0_RW, TRAP_FP, SR_NATIVE),
    R("FPSR", 3, 3, 4, 4, 1, SR_PL0_RW, TRAP_FP, SR_NATIVE),
    R("DSPSR_EL0", 3, 3, 4, 5, 0, SR_PL0_RW, 0, SR_NOT_MODELLED, .why_not = "Debug state is not modelled"),
    R("DLR_EL0", 3, 3, 4, 5, 1, SR_PL0_RW, 0, SR_NOT_MODELLED, .why_not = "Debug state is not modelled"),
    R("SPSR_EL2", 3, 4, 4, 0, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("ELR_EL2", 3, 4, 4, 0, 1, SR_PL2_RW, 0, SR_NATIVE),
    R("SP_EL1", 3, 4, 4, 1, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("SPSR_irq", 3, 4, 4, 3, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    R("SPSR_abt", 3, 4, 4, 3, 1, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    R("SPSR_und", 3, 4, 4, 3, 2, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    R("SPSR_fiq", 3, 4, 4, 3, 3, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    /* Faults */
    R("AFSR0_EL1", 3, 0, 5, 1, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_AVSIM, .writable = 0),
    R("AFSR1_EL1", 3, 0, 5, 1, 1, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_AVSIM, .writable = 0),
    R("ESR_EL1", 3, 0, 5, 2, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_NATIVE),
    R("IFSR32_EL2", 3, 4, 5, 0, 1, SR_PL2_RW, 0, SR_AVSIM, .writable = 0xffffffff),
    R("AFSR0_EL2", 3, 4, 5, 1, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = 0),
    R("AFSR1_EL2", 3, 4, 5, 1, 1, SR_PL2_RW, 0, SR_AVSIM, .writable = 0),
    R("ESR_EL2", 3, 4, 5, 2, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("FPEXC32_EL2", 3, 4, 5, 3, 0, SR_PL2_RW, 0, SR_AVSIM, .reset = 0x700, .writable = 0xffffffff),
    R("FAR_EL1", 3, 0, 6, 0, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_NATIVE),
    R("FAR_EL2", 3, 4, 6, 0, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("HPFAR_EL2", 3, 4, 6, 0, 4, SR_PL2_RW, 0, SR_NATIVE),
    R("PAR_EL1", 3, 0, 7, 4, 0, SR_PL1_RW, 0, SR_NATIVE),
    /* Memory attributes */
    R("MAIR_EL1", 3, 0, 10, 2, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("AMAIR_EL1", 3, 0, 10, 3, 0, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_AVSIM, .writable = ~0ULL),
    R("MAIR_EL2", 3, 4, 10, 2, 0, SR_PL2_RW, 0 | SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu),
    R("AMAIR_EL2", 3, 4, 10, 3, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL),
    /* Vectors, interrupt status, context */
    R("VBAR_EL1", 3, 0, 12, 0, 0, SR_PL1_RW, 0, SR_NATIVE),
    R("ISR_EL1", 3, 0, 12, 1, 0, SR_PL1_R, 0, SR_AVSIM, .read = sr_read_isr_el1),
    R("VBAR_EL2", 3, 4, 12, 0, 0, SR_PL2_RW, 0, SR_NATIVE),
    R("CONTEXTIDR_EL1", 3, 0, 13, 0, 1, SR_PL1_RW, TRAP_TVM | TRAP_TRVM, SR_NATIVE),
    R("TPIDR_EL1", 3, 0, 13, 0, 4, SR_PL1_RW, 0, SR_NATIVE),
    R("TPIDR_EL0", 3, 3, 13, 0, 2, SR_PL0_RW, 0, SR_NATIVE),
    R("TPIDRRO_EL0", 3, 3, 13, 0, 3, SR_PL0_R | SR_PL1_W, 0, SR_NATIVE),
    R("TPIDR_EL2", 3, 4, 13, 0, 2, SR_PL2_RW, 0, SR_NATIVE),
    /* Generic timer (timer/gtimer.c): the counters and timers run on simulated time */
    R("CNTFRQ_EL0", 3, 3, 14, 0, 0, SR_PL0_R | SR_EL2_W, TRAP_EL0_FRQ, SR_AVSIM, .reset = 62500000,
      .writable = 0xffffffff),
    R("CNTPCT_EL0", 3, 3, 14, 0, 1, SR_PL0_R, TRAP_EL0_PCTEN, SR_AVSIM, .read = sr_read_cntpct),
    R("CNTVCT_EL0", 3, 3, 14, 0, 2, SR_PL0_R, TRAP_EL0_VCTEN, SR_AVSIM, .read = sr_read_cntvct),
    R("CNTKCTL_EL1", 3, 0, 14, 1, 0, SR_PL1_RW, 0, SR_AVSIM, .writable = 0x303),
    R("CNTVOFF_EL2", 3, 4, 14, 0, 3, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_write_cntvoff),
    R("CNTHCTL_EL2", 3, 4, 14, 1, 0, SR_PL2_RW, 0, SR_AVSIM, .reset = 3, .writable = 0xfff,
      .write = sr_write_cnthctl_el2),
    R("CNTP_TVAL_EL0", 3, 3, 14, 2, 0, SR_PL0_RW, TRAP_EL0_PTEN | TRAP_EL1PCEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTP_CTL_EL0", 3, 3, 14, 2, 1, SR_PL0_RW, TRAP_EL0_PTEN | TRAP_EL1PCEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTP_CVAL_EL0", 3, 3, 14, 2, 2, SR_PL0_RW, TRAP_EL0_PTEN | TRAP_EL1PCEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTV_TVAL_EL0", 3, 3, 14, 3, 0, SR_PL0_RW, TRAP_EL0_VTEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTV_CTL_EL0", 3, 3, 14, 3, 1, SR_PL0_RW, TRAP_EL0_VTEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTV_CVAL_EL0", 3, 3, 14, 3, 2, SR_PL0_RW, TRAP_EL0_VTEN, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTHP_TVAL_EL2", 3, 4, 14, 2, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTHP_CTL_EL2", 3, 4, 14, 2, 1, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    R("CNTHP_CVAL_EL2", 3, 4, 14, 2, 2, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read, .write = sr_timer_write),
    /* FEAT_VHE: the EL2 registers it adds, and the *_EL12 / *_EL02 encodings through which EL2
     * reaches the EL1 and EL0 registers while HCR_EL2.E2H = 1 (their EL1 encodings then access
     * the EL2 registers: .e2h_name, see vhe_redirects below). */
    R("PAN", 3, 0, 4, 2, 3, SR_PL1_RW, 0, SR_NATIVE, .feature = SR_FEAT_PAN),
    R("TTBR1_EL2", 3, 4, 2, 0, 1, SR_PL2_RW, SR_MMU_REG, SR_AVSIM, .writable = ~0ULL, .write = sr_write_mmu,
      .feature = SR_FEAT_VHE),
    R("CONTEXTIDR_EL2", 3, 4, 13, 0, 1, SR_PL2_RW, 0, SR_NATIVE, .feature = SR_FEAT_VHE),
    R("CNTHV_TVAL_EL2", 3, 4, 14, 3, 0, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read,
      .write = sr_timer_write, .feature = SR_FEAT_VHE),
    R("CNTHV_CTL_EL2", 3, 4, 14, 3, 1, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read,
      .write = sr_timer_write, .feature = SR_FEAT_VHE),
    R("CNTHV_CVAL_EL2", 3, 4, 14, 3, 2, SR_PL2_RW, 0, SR_AVSIM, .writable = ~0ULL, .read = sr_timer_read,
      .write = sr_timer_write, .feature = SR_FEAT_VHE),
#define EL12(n, cn, cm, o2, target) \
    R(n, 3, 5, cn, cm, o2, SR_PL2_RW, 0, SR_CONST, .feature = SR_FEAT_VHE, .e2h_only = true, .e2h_name = target)
    EL12("SCTLR_EL12", 1, 0, 0, "SCTLR_EL1"),
    EL12("CPACR_EL12", 1, 0, 2, "CPACR_EL1"),
    EL12("TTBR0_EL12", 2, 0, 0, "TTBR0_EL1"),
    EL12("TTBR1_EL12", 2, 0, 1, "TTBR1_EL1"),
    EL12("TCR_EL12", 2, 0, 2, "TCR_EL1"),
    EL12("SPSR_EL12", 4, 0, 0, "SPSR_EL1"),
    EL12("ELR_EL12", 4, 0, 1, "ELR_EL1"),
    EL12("AFSR0_EL12", 5, 1, 0, "AFSR0_EL1"),
    EL12("AFSR1_EL12", 5, 1, 1, "AFSR1_EL1"),
    EL12("ESR_EL12", 5, 2, 0, "ESR_EL1"),
    EL12("FAR_EL12", 6, 0, 0, "FAR_EL1"),
    EL12("MAIR_EL12", 10, 2, 0, "MAIR_EL1"),
    EL12("AMAIR_EL12", 10, 3, 0, "AMAIR_EL1"),
    EL12("VBAR_EL12", 12, 0, 0, "VBAR_EL1"),
    EL12("CONTEXTIDR_EL12", 13, 0, 1, "CONTEXTIDR_EL1"),
    EL12("CNTKCTL_EL12", 14, 1, 0, "CNTKCTL_EL1"),
    EL12("CNTP_TVAL_EL02", 14, 2, 0, "CNTP_TVAL_EL0"),
    EL12("CNTP_CTL_EL02", 14, 2, 1, "CNTP_CTL_EL0"),
    EL12("CNTP_CVAL_EL02", 14, 2, 2, "CNTP_CVAL_EL0"),
    EL12("CNTV_TVAL_EL02", 14, 3, 0, "CNTV_TVAL_EL0"),
    EL12("CNTV_CTL_EL02", 14, 3, 1, "CNTV_CTL_EL0"),
    EL12("CNTV_CVAL_EL02", 14, 3, 2, "CNTV_CVAL_EL0"),
#undef EL12
    /* IMPLEMENTATION DEFINED registers of the Cortex-A57 (RAZ/WI here) */
    R("L2CTLR_EL1", 3, 1, 11, 0, 2, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("L2ECTLR_EL1", 3, 1, 11, 0, 3, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("CPUACTLR_EL1", 3, 1, 15, 2, 0, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("CPUECTLR_EL1", 3, 1, 15, 2, 1, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("CPUMERRSR_EL1", 3, 1, 15, 2, 2, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("L2MERRSR_EL1", 3, 1, 15, 2, 3, SR_PL1_RW, TRAP_TIDCP, SR_AVSIM, .writable = 0),
    R("CBAR_EL1", 3, 1, 15, 3, 0, SR_PL1_R, TRAP_TIDCP, SR_AVSIM, .reset = 0x08000000),
    /* Debug (op0=2) */
    R("OSDTRRX_EL1", 2, 0, 0, 0, 2, SR_PL1_RW, TRAP_TDA, SR_NOT_MODELLED, .why_not = DEBUG_WHY),
    /* Self-hosted debug: writes recompute what is armed (sr_write_debug, pe_debug.c). */
    R("MDCCINT_EL1", 2, 0, 0, 2, 0, SR_PL1_RW, TRAP_TDA, SR_AVSIM, .writable = 0x60000000),
    R("MDSCR_EL1", 2, 0, 0, 2, 2, SR_PL1_RW, TRAP_TDA, SR_AVSIM, .writable = 0xe0fff03dULL,   /* (KDE, bit 13, included) */
      .write = sr_write_debug),
    /* MDRAR_EL1: no memory-mapped debug ROM (ValidBits 0b00). */
    R("MDRAR_EL1", 2, 0, 1, 0, 0, SR_PL1_R, TRAP_TDRA, SR_AVSIM, .reset = 0),
    R("OSLAR_EL1", 2, 0, 1, 0, 4, SR_PL1_W, TRAP_TDOSA, SR_AVSIM, .writable = 1, .write = sr_write_oslar),
    /* OSLSR_EL1: OSLM = 0b10 (OS Lock implemented), OSLK set at reset. */
    R("OSLSR_EL1", 2, 0, 1, 1, 4, SR_PL1_R, TRAP_TDOSA, SR_AVSIM, .reset = 0xa),
    R("OSDLR_EL1", 2, 0, 1, 3, 4, SR_PL1_RW, TRAP_TDOSA, SR_AVSIM, .writable = 1, .write = sr_write_debug),
    R("DBGPRCR_EL1", 2, 0, 1, 4, 4, SR_PL1_RW, TRAP_TDOSA, SR_AVSIM, .writable = 1, .write = sr_write_debug),
    R("DBGCLAIMSET_EL1", 2, 0, 7, 8, 6, SR_PL1_RW, TRAP_TDA, SR_AVSIM, .reset = 0xff, .writable = 0),
    R("DBGCLAIMCLR_EL1", 2, 0, 7, 9, 6, SR_PL1_RW, TRAP_TDA, SR_AVSIM, .writable = 0),
    R("DBGAUTHSTATUS_EL1", 2, 0, 7, 14, 6, SR_PL1_R, TRAP_TDA, SR_AVSIM, .reset = 0xaa),
    R("MDCCSR_EL0", 2, 3, 0, 1, 0, SR_PL0_R, TRAP_TDA, SR_NOT_MODELLED, .why_not = DEBUG_WHY),
    R("DBGDTR_EL0", 2, 3, 0, 4, 0, SR_PL0_RW, TRAP_TDA, SR_NOT_MODELLED, .why_not = DEBUG_WHY),
    R("DBGVCR32_EL2", 2, 4, 0, 7, 0, SR_PL2_RW, 0, SR_NOT_MODELLED, .why_not = DEBUG_WHY),
    /* Cache maintenance (op0=1, CRn=7) */
    R("IC IALLUIS", 1, 0, 7, 1, 0, SR_PL1_W, TRAP_TPU, SR_NATIVE, .write = sr_ic_invalidate, .maint = true),
    R("IC IALLU", 1, 0, 7, 5, 0, SR_PL1_W, TRAP_TPU, SR_NATIVE, .write = sr_ic_invalidate, .maint = true),
    R("IC IVAU", 1, 3, 7, 5, 1, SR_PL0_W, TRAP_TPU | TRAP_EL0_UCI, SR_NATIVE, .write = sr_ic_invalidate, .maint = true),
    R("DC IVAC", 1, 0, 7, 6, 1, SR_PL1_W, TRAP_TPC, SR_NATIVE),   /* watchpoints: pe_sd_dc_ivac_watch */
    R("DC ISW", 1, 0, 7, 6, 2, SR_PL1_W, TRAP_TSW, SR_NOP),
    R("DC CSW", 1, 0, 7, 10, 2, SR_PL1_W, TRAP_TSW, SR_NOP),
    R("DC CISW", 1, 0, 7, 14, 2, SR_PL1_W, TRAP_TSW, SR_NOP),
    R("DC ZVA", 1, 3, 7, 4, 1, SR_PL0_W, TRAP_TDZ | TRAP_EL0_DZE, SR_NATIVE),
    R("DC CVAC", 1, 3, 7, 10, 1, SR_PL0_W, TRAP_TPC | TRAP_EL0_UCI, SR_NATIVE),
    R("DC CVAU", 1, 3, 7, 11, 1, SR_PL0_W, TRAP_TPU | TRAP_EL0_UCI, SR_NATIVE),
    R("DC CIVAC", 1, 3, 7, 14, 1, SR_PL0_W, TRAP_TPC | TRAP_EL0_UCI, SR_NATIVE),
    /* Address translation */
    R("AT S1E1R", 1, 0, 7, 8, 0, SR_PL1_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S1E1W", 1, 0, 7, 8, 1, SR_PL1_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S1E0R", 1, 0, 7, 8, 2, SR_PL1_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S1E0W", 1, 0, 7, 8, 3, SR_PL1_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S1E2R", 1, 4, 7, 8, 0, SR_PL2_RW & SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S1E2W", 1, 4, 7, 8, 1, SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S12E1R", 1, 4, 7, 8, 4, SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S12E1W", 1, 4, 7, 8, 5, SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S12E0R", 1, 4, 7, 8, 6, SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    R("AT S12E0W", 1, 4, 7, 8, 7, SR_EL2_W, 0, SR_AVSIM, .writable = ~0ULL, .write = sr_at, .maint = true),
    /* TLB maintenance, EL1 (trapped by HCR_EL2.TTLB) */
    R("TLBI VMALLE1IS", 1, 0, 8, 3, 0, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAE1IS", 1, 0, 8, 3, 1, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ASIDE1IS", 1, 0, 8, 3, 2, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAAE1IS", 1, 0, 8, 3, 3, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VALE1IS", 1, 0, 8, 3, 5, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAALE1IS", 1, 0, 8, 3, 7, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VMALLE1", 1, 0, 8, 7, 0, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAE1", 1, 0, 8, 7, 1, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ASIDE1", 1, 0, 8, 7, 2, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAAE1", 1, 0, 8, 7, 3, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VALE1", 1, 0, 8, 7, 5, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAALE1", 1, 0, 8, 7, 7, SR_PL1_W, TRAP_TTLB, SR_NATIVE, .write = sr_tlbi, .maint = true),
    /* TLB maintenance, EL2 */
    R("TLBI IPAS2E1IS", 1, 4, 8, 0, 1, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI IPAS2LE1IS", 1, 4, 8, 0, 5, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ALLE2IS", 1, 4, 8, 3, 0, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAE2IS", 1, 4, 8, 3, 1, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ALLE1IS", 1, 4, 8, 3, 4, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VALE2IS", 1, 4, 8, 3, 5, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VMALLS12E1IS", 1, 4, 8, 3, 6, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI IPAS2E1", 1, 4, 8, 4, 1, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI IPAS2LE1", 1, 4, 8, 4, 5, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ALLE2", 1, 4, 8, 7, 0, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VAE2", 1, 4, 8, 7, 1, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI ALLE1", 1, 4, 8, 7, 4, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VALE2", 1, 4, 8, 7, 5, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
    R("TLBI VMALLS12E1", 1, 4, 8, 7, 6, SR_EL2_W, 0, SR_NATIVE, .write = sr_tlbi, .maint = true),
};

/* Names of the AArch64 and AArch32 ID registers (op0=3, op1=0, CRn=0, CRm=1..7);
 * the other encodings of that space are reserved and read as zero. */
static const struct { uint8_t crm, op2; const char *name; } id_names[] = {
    {1, 0, "ID_PFR0_EL1"}, {1, 1, "ID_PFR1_EL1"}, {1, 2, "ID_DFR0_EL1"}, {1, 3, "ID_AFR0_EL1"},
    {1, 4, "ID_MMFR0_EL1"}, {1, 5, "ID_MMFR1_EL1"}, {1, 6, "ID_MMFR2_EL1"}, {1, 7, "ID_MMFR3_EL1"},
    {2, 0, "ID_ISAR0_EL1"}, {2, 1, "ID_ISAR1_EL1"}, {2, 2, "ID_ISAR2_EL1"}, {2, 3, "ID_ISAR3_EL1"},
    {2, 4, "ID_ISAR4_EL1"}, {2, 5, "ID_ISAR5_EL1"}, {2, 6, "ID_MMFR4_EL1"},
    {3, 0, "MVFR0_EL1"}, {3, 1, "MVFR1_EL1"}, {3, 2, "MVFR2_EL1"},
    {4, 0, "ID_AA64PFR0_EL1"}, {4, 1, "ID_AA64PFR1_EL1"}, {4, 4, "ID_AA64ZFR0_EL1"},
    {5, 0, "ID_AA64DFR0_EL1"}, {5, 1, "ID_AA64DFR1_EL1"}, {5, 4, "ID_AA64AFR0_EL1"},
    {5, 5, "ID_AA64AFR1_EL1"},
    {6, 0, "ID_AA64ISAR0_EL1"}, {6, 1, "ID_AA64ISAR1_EL1"},
    {7, 0, "ID_AA64MMFR0_EL1"}, {7, 1, "ID_AA64MMFR1_EL1"}, {7, 2, "ID_AA64MMFR2_EL1"},
};

/* The whole table, sorted by encoding, built once. */
static struct sysreg_def *table;
static int table_len;
/* Encoding (SYSREG_KEY, 16 bits) -> index into table + 1 (0: none): one load per lookup. */
static uint16_t *by_key;
static char gen_names[8 * 7 + 16 + 2 * (DBG_BRPS + DBG_WRPS) + 2 * PMU_NUM_COUNTERS][24];

static uint32_t key_of(const struct sysreg_def *d)
{
    return SYSREG_KEY(d->op0, d->op1, d->crn, d->crm, d->op2);
}

static int cmp_def(const void *a, const void *b)
{
    uint32_t ka = key_of(a), kb = key_of(b);
    return ka < kb ? -1 : ka > kb;
}

/* The GICv3 CPU interface and virtualization registers (handled by the GIC model). */
#define GIC_R(n, o1, cn, cm, o2, acc) \
    R(n, 3, o1, cn, cm, o2, acc, TRAP_GIC, SR_AVSIM, .writable = ~0ULL, .read = sr_gic_read, .write = sr_gic_write)
static const struct sysreg_def gic_table[] = {
    GIC_R("ICC_PMR_EL1", 0, 4, 6, 0, SR_PL1_RW),
    GIC_R("ICC_IAR0_EL1", 0, 12, 8, 0, SR_PL1_R),
    GIC_R("ICC_EOIR0_EL1", 0, 12, 8, 1, SR_PL1_W),
    GIC_R("ICC_HPPIR0_EL1", 0, 12, 8, 2, SR_PL1_R),
    GIC_R("ICC_BPR0_EL1", 0, 12, 8, 3, SR_PL1_RW),
    GIC_R("ICC_AP0R0_EL1", 0, 12, 8, 4, SR_PL1_RW),
    GIC_R("ICC_AP0R1_EL1", 0, 12, 8, 5, SR_PL1_RW),
    GIC_R("ICC_AP0R2_EL1", 0, 12, 8, 6, SR_PL1_RW),
    GIC_R("ICC_AP0R3_EL1", 0, 12, 8, 7, SR_PL1_RW),
    GIC_R("ICC_AP1R0_EL1", 0, 12, 9, 0, SR_PL1_RW),
    GIC_R("ICC_AP1R1_EL1", 0, 12, 9, 1, SR_PL1_RW),
    GIC_R("ICC_AP1R2_EL1", 0, 12, 9, 2, SR_PL1_RW),
    GIC_R("ICC_AP1R3_EL1", 0, 12, 9, 3, SR_PL1_RW),
    GIC_R("ICC_DIR_EL1", 0, 12, 11, 1, SR_PL1_W),
    GIC_R("ICC_RPR_EL1", 0, 12, 11, 3, SR_PL1_R),
    GIC_R("ICC_SGI1R_EL1", 0, 12, 11, 5, SR_PL1_W),
    GIC_R("ICC_ASGI1R_EL1", 0, 12, 11, 6, SR_PL1_W),
    GIC_R("ICC_SGI0R_EL1", 0, 12, 11, 7, SR_PL1_W),
    GIC_R("ICC_IAR1_EL1", 0, 12, 12, 0, SR_PL1_R),
    GIC_R("ICC_EOIR1_EL1", 0, 12, 12, 1, SR_PL1_W),
    GIC_R("ICC_HPPIR1_EL1", 0, 12, 12, 2, SR_PL1_R),
    GIC_R("ICC_BPR1_EL1", 0, 12, 12, 3, SR_PL1_RW),
    GIC_R("ICC_CTLR_EL1", 0, 12, 12, 4, SR_PL1_RW),
    GIC_R("ICC_SRE_EL1", 0, 12, 12, 5, SR_PL1_RW),
    GIC_R("ICC_IGRPEN0_EL1", 0, 12, 12, 6, SR_PL1_RW),
    GIC_R("ICC_IGRPEN1_EL1", 0, 12, 12, 7, SR_PL1_RW),
    GIC_R("ICC_SRE_EL2", 4, 12, 9, 5, SR_PL2_RW),
    GIC_R("ICH_AP0R0_EL2", 4, 12, 8, 0, SR_PL2_RW),
    GIC_R("ICH_AP0R1_EL2", 4, 12, 8, 1, SR_PL2_RW),
    GIC_R("ICH_AP0R2_EL2", 4, 12, 8, 2, SR_PL2_RW),
    GIC_R("ICH_AP0R3_EL2", 4, 12, 8, 3, SR_PL2_RW),
    GIC_R("ICH_AP1R0_EL2", 4, 12, 9, 0, SR_PL2_RW),
    GIC_R("ICH_AP1R1_EL2", 4, 12, 9, 1, SR_PL2_RW),
    GIC_R("ICH_AP1R2_EL2", 4, 12, 9, 2, SR_PL2_RW),
    GIC_R("ICH_AP1R3_EL2", 4, 12, 9, 3, SR_PL2_RW),
    GIC_R("ICH_HCR_EL2", 4, 12, 11, 0, SR_PL2_RW),
    GIC_R("ICH_VTR_EL2", 4, 12, 11, 1, SR_PL2_R),
    GIC_R("ICH_MISR_EL2", 4, 12, 11, 2, SR_PL2_R),
    GIC_R("ICH_EISR_EL2", 4, 12, 11, 3, SR_PL2_R),
    GIC_R("ICH_ELRSR_EL2", 4, 12, 11, 5, SR_PL2_R),
    GIC_R("ICH_VMCR_EL2", 4, 12, 11, 7, SR_PL2_RW),
};

/* The Performance Monitors (cpu/pmu.c, handlers in pe_pmu.c). The event counter
 * pairs PMEVCNTR<n>_EL0 / PMEVTYPER<n>_EL0 are generated for n < N. */
#define PMU_R(n, o1, cn, cm, o2, acc, tr) \
    R(n, 3, o1, cn, cm, o2, acc, TRAP_PMU | (tr), SR_AVSIM, .writable = ~0ULL, .read = sr_pmu_read, \
      .write = sr_pmu_write)
static const struct sysreg_def pmu_table[] = {
    PMU_R("PMINTENSET_EL1", 0, 9, 14, 1, SR_PL1_RW, 0),
    PMU_R("PMINTENCLR_EL1", 0, 9, 14, 2, SR_PL1_RW, 0),
    PMU_R("PMCR_EL0", 3, 9, 12, 0, SR_PL0_RW, TRAP_TPMCR),
    PMU_R("PMCNTENSET_EL0", 3, 9, 12, 1, SR_PL0_RW, 0),
    PMU_R("PMCNTENCLR_EL0", 3, 9, 12, 2, SR_PL0_RW, 0),
    PMU_R("PMOVSCLR_EL0", 3, 9, 12, 3, SR_PL0_RW, 0),
    PMU_R("PMSWINC_EL0", 3, 9, 12, 4, SR_PL0_W, 0),
    PMU_R("PMSELR_EL0", 3, 9, 12, 5, SR_PL0_RW, 0),
    PMU_R("PMCEID0_EL0", 3, 9, 12, 6, SR_PL0_R, 0),
    PMU_R("PMCEID1_EL0", 3, 9, 12, 7, SR_PL0_R, 0),
    PMU_R("PMCCNTR_EL0", 3, 9, 13, 0, SR_PL0_RW, 0),
    PMU_R("PMXEVTYPER_EL0", 3, 9, 13, 1, SR_PL0_RW, 0),
    PMU_R("PMXEVCNTR_EL0", 3, 9, 13, 2, SR_PL0_RW, 0),
    PMU_R("PMUSERENR_EL0", 3, 9, 14, 0, SR_EL0_R | SR_PL1_RW, 0),
    PMU_R("PMOVSSET_EL0", 3, 9, 14, 3, SR_PL0_RW, 0),
    PMU_R("PMCCFILTR_EL0", 3, 14, 15, 7, SR_PL0_RW, 0),
};

/* FEAT_VHE register redirection (Arm ARM D5.11, "Virtualization Host Extensions"): at EL2 with
 * HCR_EL2.E2H = 1, these EL1 (and EL0 timer) encodings access the EL2 registers. */
static const struct { const char *from, *to; } vhe_redirects[] = {
    { "SCTLR_EL1", "SCTLR_EL2" }, { "CPACR_EL1", "CPTR_EL2" }, { "TTBR0_EL1", "TTBR0_EL2" },
    { "TTBR1_EL1", "TTBR1_EL2" }, { "TCR_EL1", "TCR_EL2" }, { "SPSR_EL1", "SPSR_EL2" },
    { "ELR_EL1", "ELR_EL2" }, { "AFSR0_EL1", "AFSR0_EL2" }, { "AFSR1_EL1", "AFSR1_EL2" },
    { "ESR_EL1", "ESR_EL2" }, { "FAR_EL1", "FAR_EL2" }, { "MAIR_EL1", "MAIR_EL2" },
    { "AMAIR_EL1", "AMAIR_EL2" }, { "VBAR_EL1", "VBAR_EL2" }, { "CONTEXTIDR_EL1", "CONTEXTIDR_EL2" },
    { "CNTKCTL_EL1", "CNTHCTL_EL2" },
    { "CNTP_TVAL_EL0", "CNTHP_TVAL_EL2" }, { "CNTP_CTL_EL0", "CNTHP_CTL_EL2" },
    { "CNTP_CVAL_EL0", "CNTHP_CVAL_EL2" }, { "CNTV_TVAL_EL0", "CNTHV_TVAL_EL2" },
    { "CNTV_CTL_EL0", "CNTHV_CTL_EL2" }, { "CNTV_CVAL_EL0", "CNTHV_CVAL_EL2" },
};

/* The index of the register called name, or -1. */
static int index_of_name(const char *name)
{
    for (int i = 0; i < table_len; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

static void build_table(void)
{
    int n_base = (int)(sizeof base_table / sizeof base_table[0]);
    int cap = n_base + 7 * 8 + (int)(sizeof gic_table / sizeof gic_table[0]) + 16 + 2 * (DBG_BRPS + DBG_WRPS) +
              (int)(sizeof pmu_table / sizeof pmu_table[0]) + 2 * PMU_NUM_COUNTERS + 8;
    int gi = 0;
    table = calloc((size_t)cap, sizeof *table);
    if (!table) {
        fprintf(stderr, "avsim: out of memory\n");
        exit(1);
    }
    memcpy(table, base_table, sizeof base_table);
    table_len = n_base;
    /* ID register space: trapped by HCR_EL2.TID3, values from the PE model. */
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++) {
            const char *name = NULL;
            for (size_t i = 0; i < sizeof id_names / sizeof id_names[0]; i++)
                if (id_names[i].crm == crm && id_names[i].op2 == op2)
                    name = id_names[i].name;
            if (!name) {
                snprintf(gen_names[gi], sizeof gen_names[gi], "S3_0_C0_C%u_%u", crm, op2);
                name = gen_names[gi++];
            }
            table[table_len++] = (struct sysreg_def)R(name, 3, 0, 0, crm, op2, SR_PL1_R, TRAP_TID3,
                                                      SR_AVSIM, .read = sr_read_id);
        }
    /* The GIC registers, and the 16 list registers ICH_LR<n>_EL2 (the GIC says how many exist). */
    for (size_t i = 0; i < sizeof gic_table / sizeof gic_table[0]; i++)
        table[table_len++] = gic_table[i];
    for (unsigned n = 0; n < 16; n++) {
        snprintf(gen_names[gi], sizeof gen_names[gi], "ICH_LR%u_EL2", n);
        table[table_len++] = (struct sysreg_def)GIC_R(gen_names[gi], 4, 12, 12 + n / 8, n % 8, SR_PL2_RW);
        gi++;
    }
    for (size_t i = 0; i < sizeof pmu_table / sizeof pmu_table[0]; i++)
        table[table_len++] = pmu_table[i];
    for (unsigned n = 0; n < PMU_NUM_COUNTERS; n++) {
        snprintf(gen_names[gi], sizeof gen_names[gi], "PMEVCNTR%u_EL0", n);
        table[table_len++] = (struct sysreg_def)PMU_R(gen_names[gi], 3, 14, 8 + n / 8, n % 8, SR_PL0_RW, 0);
        gi++;
        snprintf(gen_names[gi], sizeof gen_names[gi], "PMEVTYPER%u_EL0", n);
        table[table_len++] = (struct sysreg_def)PMU_R(gen_names[gi], 3, 14, 12 + n / 8, n % 8, SR_PL0_RW, 0);
        gi++;
    }
    /* Breakpoint and watchpoint registers (Cortex-A57: 6 and 4, as ID_AA64DFR0_EL1 says). */
    for (unsigned n = 0; n < DBG_BRPS + DBG_WRPS; n++) {
        bool bp = n < DBG_BRPS;
        unsigned i = bp ? n : n - DBG_BRPS;
        snprintf(gen_names[gi], sizeof gen_names[gi], bp ? "DBGBVR%u_EL1" : "DBGWVR%u_EL1", i);
        table[table_len++] = (struct sysreg_def)R(gen_names[gi], 2, 0, 0, i, bp ? 4 : 6, SR_PL1_RW, TRAP_TDA, SR_AVSIM,
                                                  .writable = ~0ULL);
        gi++;
        snprintf(gen_names[gi], sizeof gen_names[gi], bp ? "DBGBCR%u_EL1" : "DBGWCR%u_EL1", i);
        table[table_len++] = (struct sysreg_def)R(gen_names[gi], 2, 0, 0, i, bp ? 5 : 7, SR_PL1_RW, TRAP_TDA, SR_AVSIM,
                                                  /* BCR: BT LBN SSC HMC BAS PMC E; WCR: MASK WT LBN SSC HMC BAS LSC PAC E */
                                                  .writable = bp ? 0xffe1e7ULL : 0x1f1fffffULL,
                                                  .write = sr_write_debug);
        gi++;
    }
    qsort(table, (size_t)table_len, sizeof *table, cmp_def);
    by_key = calloc(1u << 16, sizeof *by_key);
    for (int i = 0; i < table_len; i++) {
        table[i].index = i;
        if (by_key)
            by_key[key_of(&table[i])] = (uint16_t)(i + 1);
    }
    for (int i = 0; i < table_len; i++) {
        for (size_t r = 0; r < sizeof vhe_redirects / sizeof vhe_redirects[0]; r++)
            if (!strcmp(table[i].name, vhe_redirects[r].from))
                table[i].e2h_name = vhe_redirects[r].to;
        table[i].e2h_index = table[i].e2h_name ? index_of_name(table[i].e2h_name) : -1;
        if (table[i].e2h_name && table[i].e2h_index < 0) {
            fprintf(stderr, "avsim: internal error: %s redirects to unknown %s\n", table[i].name, table[i].e2h_name);
            exit(1);
        }
    }
}

static void ensure_table(void)
{
    if (!table)
        build_table();
}

int sysreg_count(void)
{
    ensure_table();
    return table_len;
}

const struct sysreg_def *sysreg_at(int index)
{
    ensure_table();
    return index >= 0 && index < table_len ? &table[index] : NULL;
}

const struct sysreg_def *sysreg_lookup(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                       unsigned op2)
{
    ensure_table();
    uint32_t k = SYSREG_KEY(op0, op1, crn, crm, op2);
    if (by_key) {
        if (k >= (1u << 16) || !by_key[k])
            return NULL;
        return &table[by_key[k] - 1];
    }
    int lo = 0, hi = table_len - 1;     /* no memory for the index: binary search */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        uint32_t km = key_of(&table[mid]);
        if (km == k)
            return &table[mid];
        if (km < k)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

const struct sysreg_def *sysreg_by_name(const char *name)
{
    ensure_table();
    int i = index_of_name(name);
    return i < 0 ? NULL : &table[i];
}

static bool is_impdef_encoding(unsigned op0, unsigned crn)
{
    return op0 == 3 && (crn == 11 || crn == 15);
}

static struct sysreg_decision trap(const struct sysreg_def *d, unsigned el, const char *why)
{
    return (struct sysreg_decision){ .verdict = SRV_TRAP, .target_el = el, .def = d, .trap_name = why };
}

/* EL1 traps of EL0 accesses, controlled by SCTLR_EL1 and CNTKCTL_EL1. */
static const char *el0_trap(const struct sysreg_ctx *c, uint32_t t)
{
    uint64_t s = c->sctlr_el1;
    if ((t & TRAP_EL0_UCT) && !(s & (1ULL << 15))) return "SCTLR_EL1.UCT";
    if ((t & TRAP_EL0_UCI) && !(s & (1ULL << 26))) return "SCTLR_EL1.UCI";
    if ((t & TRAP_EL0_DZE) && !(s & (1ULL << 14))) return "SCTLR_EL1.DZE";
    if ((t & TRAP_EL0_UMA) && !(s & (1ULL << 9))) return "SCTLR_EL1.UMA";
    if ((t & TRAP_EL0_PCTEN) && !(c->cntkctl_el1 & 1)) return "CNTKCTL_EL1.EL0PCTEN";
    if ((t & TRAP_EL0_VCTEN) && !(c->cntkctl_el1 & 2)) return "CNTKCTL_EL1.EL0VCTEN";
    if ((t & TRAP_EL0_FRQ) && !(c->cntkctl_el1 & 3)) return "CNTKCTL_EL1.EL0PCTEN/EL0VCTEN";
    if ((t & TRAP_EL0_PTEN) && !(c->cntkctl_el1 & (1u << 9))) return "CNTKCTL_EL1.EL0PTEN";
    if ((t & TRAP_EL0_VTEN) && !(c->cntkctl_el1 & (1u << 8))) return "CNTKCTL_EL1.EL0VTEN";
    return NULL;
}

/* EL2 traps of EL0/EL1 accesses, controlled by HCR_EL2, CPTR_EL2 and CNTHCTL_EL2. */
static const char *el2_trap(const struct sysreg_ctx *c, uint32_t t, bool is_read)
{
    uint64_t h = c->hcr_el2;
    bool el1 = c->el == 1;
    if ((t & TRAP_TVM) && el1 && !is_read && (h & HCR_TVM)) return "HCR_EL2.TVM";
    if ((t & TRAP_TRVM) && el1 && is_read && (h & HCR_TRVM)) return "HCR_EL2.TRVM";
    if ((t & TRAP_TID1) && el1 && (h & HCR_TID1)) return "HCR_EL2.TID1";
    if ((t & TRAP_TID2) && (h & HCR_TID2)) return "HCR_EL2.TID2";
    if ((t & TRAP_TID3) && el1 && (h & HCR_TID3)) return "HCR_EL2.TID3";
    if ((t & TRAP_TACR) && el1 && (h & HCR_TACR)) return "HCR_EL2.TACR";
    if ((t & TRAP_TSW) && el1 && (h & HCR_TSW)) return "HCR_EL2.TSW";
    if ((t & TRAP_TPC) && (h & HCR_TPCP)) return "HCR_EL2.TPC";
    if ((t & TRAP_TPU) && (h & HCR_TPU)) return "HCR_EL2.TPU";
    if ((t & TRAP_TTLB) && el1 && (h & HCR_TTLB)) return "HCR_EL2.TTLB";
    if ((t & TRAP_TDZ) && (h & HCR_TDZ)) return "HCR_EL2.TDZ";
    if ((t & TRAP_TCPAC) && el1 && (c->cptr_el2 & (1ULL << 31))) return "CPTR_EL2.TCPAC";
    /* With HCR_EL2.E2H = 1, CNTHCTL_EL2 has EL1PCTEN at bit 10 and EL1PCEN at bit 11. */
    /* EL0 in the host (E2H and TGE) is controlled by CNTHCTL_EL2's EL0 bits alone (el0_trap). */
    unsigned pcten = (h & HCR_E2H) ? 10 : 0, pcen = (h & HCR_E2H) ? 11 : 1;
    bool host_el0 = c->el == 0 && (h & HCR_E2H) && (h & HCR_TGE);
    if ((t & TRAP_EL0_PCTEN) && !host_el0 && !((c->cnthctl_el2 >> pcten) & 1)) return "CNTHCTL_EL2.EL1PCTEN";
    if ((t & TRAP_EL1PCEN) && !host_el0 && !((c->cnthctl_el2 >> pcen) & 1)) return "CNTHCTL_EL2.EL1PCEN";
    /* MDCR_EL2: TDE makes TDA, TDOSA and TDRA act as 1 (AArch64.CheckSystemAccess callers
     * for the debug registers: MDCR_EL2.<TDE,TDA> != '00'). */
    uint64_t m = c->mdcr_el2;
    bool tde = (m & MDCR_EL2_TDE) != 0;
    if ((t & TRAP_TDA) && (tde || (m & MDCR_EL2_TDA))) return tde ? "MDCR_EL2.TDE" : "MDCR_EL2.TDA";
    if ((t & TRAP_TDOSA) && (tde || (m & MDCR_EL2_TDOSA))) return tde ? "MDCR_EL2.TDE" : "MDCR_EL2.TDOSA";
    if ((t & TRAP_TDRA) && (tde || (m & MDCR_EL2_TDRA))) return tde ? "MDCR_EL2.TDE" : "MDCR_EL2.TDRA";
    if ((t & TRAP_TPMCR) && (m & MDCR_EL2_TPMCR)) return "MDCR_EL2.TPMCR";
    if ((t & TRAP_PMU) && (m & MDCR_EL2_TPM)) return "MDCR_EL2.TPM";
    return NULL;
}

bool sysreg_never_traps(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, bool is_read,
                        unsigned el)
{
    const struct sysreg_def *d = sysreg_lookup(op0, op1, crn, crm, op2);
    unsigned need = is_read ? (SR_EL0_R << (2 * el)) : (SR_EL0_W << (2 * el));
    /* sysreg_decide's checks that depend on more than the EL: TIDCP on the
     * IMPLEMENTATION DEFINED space, every trap bit, the PE's features (a
     * register of a feature the CPU lacks is UNDEFINED) and HCR_EL2.E2H (the
     * _EL12/_EL02 aliases and the EL2-only VHE registers are UNDEFINED at EL2
     * when it is 0). Found by tests/gfuzz (MRS AFSR0_EL12 at EL2 on a
     * cortex-a57 reached the register hook: "should have trapped"). */
    return d && !is_impdef_encoding(op0, crn) && (d->access & need) && d->traps == 0 && !d->feature &&
           !d->e2h_only;
}

struct sysreg_decision sysreg_decide(const struct sysreg_ctx *c, unsigned op0, unsigned op1,
                                     unsigned crn, unsigned crm, unsigned op2, bool is_read)
{
    const struct sysreg_def *d = sysreg_lookup(op0, op1, crn, crm, op2);
    unsigned el = c->el;
    unsigned undef_el = exception_target_el(el, c->hcr_el2, ROUTE_EL1);
    struct sysreg_decision undef = { .verdict = SRV_UNDEFINED, .target_el = undef_el, .def = d };

    /* HCR_EL2.TIDCP traps EL1 accesses to the IMPLEMENTATION DEFINED space,
     * whether or not this PE implements the encoding. */
    if (el == 1 && (c->hcr_el2 & HCR_TIDCP) && is_impdef_encoding(op0, crn))
        return trap(d, 2, "HCR_EL2.TIDCP");
    if (!d)
        return undef;
    if (d->feature && !(c->features & (1u << d->feature)))
        return undef;                 /* the PE lacks the feature: no such register */
    if (d->e2h_only && !(el == 2 && (c->hcr_el2 & HCR_E2H)))
        return undef;

    unsigned need = is_read ? (SR_EL0_R << (2 * el)) : (SR_EL0_W << (2 * el));
    if (!(d->access & need)) {
        /* EL0 accesses that an EL1 control can enable trap to EL1 instead of UNDEFINED
         * only when the register is EL0-accessible at all. */
        return undef;
    }
    if ((d->traps & TRAP_GIC) && c->gic_check) {
        enum gic_access_check g = c->gic_check(c->gic_opaque, d, is_read);
        if (g == GIC_ACCESS_UNDEFINED)
            return undef;
        if (g == GIC_ACCESS_TRAP_EL2 && el < 2)
            return trap(d, 2, "ICH_HCR_EL2");
    }
    if ((d->traps & TRAP_PMU) && c->pmu_check) {
        /* The PMU's own checks come first: counters at or above HPMN (or N) do
         * not exist for EL0/EL1, and EL0 needs PMUSERENR_EL0. */
        enum pmu_access_check p = c->pmu_check(c->pmu_opaque, d, is_read);
        if (p == PMU_ACCESS_UNDEFINED)
            return undef;
        if (p == PMU_ACCESS_TRAP_EL1)
            return trap(d, exception_target_el(0, c->hcr_el2, ROUTE_EL1), "PMUSERENR_EL0");
    }
    if (el == 0) {
        const char *why = el0_trap(c, d->traps);
        if (why)
            return trap(d, exception_target_el(0, c->hcr_el2, ROUTE_EL1), why);
    }
    if (d->traps & TRAP_FP) {
        int t = fp_access_trap_el(el, c->hcr_el2, c->cpacr_el1, c->cptr_el2);
        if (t >= 0)
            return (struct sysreg_decision){ .verdict = SRV_FP_TRAP, .target_el = (unsigned)t, .def = d,
                                             .trap_name = t == 1 ? "CPACR_EL1.FPEN"
                                                          : (c->hcr_el2 & HCR_E2H) ? "CPTR_EL2.FPEN" : "CPTR_EL2.TFP" };
    }
    if (el < 2) {
        const char *why = el2_trap(c, d->traps, is_read);
        if (why)
            return trap(d, 2, why);
    }
    return (struct sysreg_decision){ .verdict = SRV_ACCESS, .target_el = el, .def = d };
}
