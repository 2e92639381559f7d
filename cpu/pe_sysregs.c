/* Handlers of the system registers whose value avsim owns. */
#include "cpu/pe.h"
#include "cpu/pe_internal.h"
#include "cpu/routing.h"
#include "cpu/sysreg_handlers.h"
#include "timer/gtimer.h"
#include <stdio.h>
#include <string.h>

void sr_write_hcr_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    if (!(pe->model->features & CPU_FEAT_VHE))
        pe->sr[d->index] &= ~HCR_E2H;          /* RES0 without FEAT_VHE (the Cortex-A57) */
    /* A change of VI/VF/VSE or of the routing bits may make an interrupt deliverable;
     * VM, DC and TGE change the EL1&0 translation. */
    pe->attn.f.int_recheck = true;
    pe_mmu_update(pe);
}

/* CPACR_EL1, CPTR_EL2: Unicorn keeps them (its FP/SIMD checks read them); the write
 * only tells the trap decisions made before blocks ran (the first FP/SIMD instruction
 * of a block, FPCR/FPSR, CPTR_EL2.TCPAC's CPACR_EL1 accesses) that they are stale. */
void sr_write_fp_enables(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    (void)d;
    (void)v;
    pe_trap_state_changed(pe);
}

/* CNTHCTL_EL2: bits 11:8 exist only in FEAT_VHE's E2H layout (EL0VTEN, EL0PTEN, EL1PCTEN, EL1PCEN). */
void sr_write_cnthctl_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    if (!(pe_hcr_el2(pe) & HCR_E2H))
        pe->sr[d->index] = v & 0xff;
}

void sr_write_mdcr_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    /* TPMCR, TPM, TDA, TDOSA, TDRA and TDE act on the trap decisions (sysreg.c,
     * make_ctx reads the register); TDE also routes debug exceptions (BRK) to
     * EL2. HPMN and HPME partition the PMU's counters. */
    pe_pmu_mdcr_written(pe, v);
}

uint64_t sr_read_isr_el1(struct pe *pe, const struct sysreg_def *d)
{
    /* ISR_EL1: at EL0/EL1 with IMO/FMO/AMO set, the virtual interrupt state;
     * otherwise the physical lines. */
    uint64_t hcr = pe_hcr_el2(pe), v = 0;
    bool virt = pe->el < 2 && !(hcr & HCR_TGE);
    if (virt && (hcr & HCR_IMO) ? ((hcr & HCR_VI) || pe->virq_line) : pe->irq_line) v |= 1u << 7;
    if (virt && (hcr & HCR_FMO) ? ((hcr & HCR_VF) || pe->vfiq_line) : pe->fiq_line) v |= 1u << 6;
    if (virt && (hcr & HCR_AMO) ? (hcr & HCR_VSE) : pe->serror_line) v |= 1u << 8;
    return v;
}

uint64_t sr_read_cntpct(struct pe *pe, const struct sysreg_def *d) { return gtimer_cntpct(pe->timer); }

/* CNTVCT_EL0: the physical count minus CNTVOFF_EL2, which counts as 0 at EL2 with HCR_EL2.E2H
 * and at EL0 in the host (E2H and TGE). */
uint64_t sr_read_cntvct(struct pe *pe, const struct sysreg_def *d)
{
    bool no_offset = (pe->el == 2 && (pe_hcr_el2(pe) & HCR_E2H)) || (pe->el == 0 && pe->mmu.host_el0);
    return gtimer_count(pe->timer, no_offset ? GT_PHYS : GT_VIRT);
}

void sr_ic_invalidate(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    /* IC IVAU: the code of that physical page is decoded and translated again
     * when it next runs; IC IALLU(IS): all code. Unicorn 2.1 does not drop
     * translated code when a store reaches it through a mapping without execute
     * rights (its fast stores): as on hardware, modified code needs the IC. */
    uint64_t pa = 0;
    bool all = strcmp(d->name, "IC IVAU") != 0 || !pe_va_to_pa(pe, v, false, &pa);
    pe_drop_code_pa(pe, pa, all);
    /* IC IALLUIS and IC IVAU reach every PE of the Inner Shareable domain
     * (each PE has its own Unicorn instance and code cache). */
    if (!strcmp(d->name, "IC IALLU") || !pe->ops->broadcast_ic)
        return;
    pe->ops->broadcast_ic(pe->ops_opaque, pe, pa, all);
}

void pe_remote_ic_invalidate(struct pe *pe, uint64_t pa, bool all)
{
    pe_drop_code_pa(pe, pa, all);
}

/* MIDR_EL1: the model's (or Unicorn's CPU's); at EL0/EL1 with EL2, VPIDR_EL2 (which resets to it). */
uint64_t sr_read_midr(struct pe *pe, const struct sysreg_def *d)
{
    if (pe->el < 2 && pe->el2_implemented)
        return pe_cp_read(pe, 3, 4, 0, 0, 0, NULL);
    return pe->model->midr ? pe->model->midr : pe_cp_read(pe, 3, 0, 0, 0, 0, NULL);
}

uint64_t sr_read_mpidr(struct pe *pe, const struct sysreg_def *d)
{
    /* MPIDR_EL1: a read at EL1 returns VMPIDR_EL2 when EL2 is implemented
     * (AArch64.MPIDR_EL1 read pseudocode, EL2Enabled()). */
    if (pe->el < 2)
        return pe_cp_read(pe, 3, 4, 0, 0, 5, NULL);
    return pe->mpidr;
}

void pe_set_cntfrq(struct pe *pe, uint64_t hz)
{
    pe->sr[pe->idx.cntfrq_el0] = hz & 0xffffffff;
}

/* MDSCR_EL1, the breakpoint and watchpoint registers, OSDLR_EL1 and
 * DBGPRCR_EL1: what is armed is recomputed (pe_debug.c). */
void sr_write_debug(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    pe_sd_update(pe);
}

/* OSLAR_EL1: sets or clears the OS Lock, OSLSR_EL1.OSLK (bit 1). */
void sr_write_oslar(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    uint64_t *oslsr = &pe->sr[sysreg_by_name("OSLSR_EL1")->index];
    *oslsr = (*oslsr & ~2ULL) | ((v & 1) << 1);
    pe_sd_update(pe);                  /* the OS Lock disables debug exceptions */
}
