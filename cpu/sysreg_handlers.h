/* Handlers for the registers whose value avsim owns (implemented in pe_sysregs.c). */
#ifndef AVSIM_CPU_SYSREG_HANDLERS_H
#define AVSIM_CPU_SYSREG_HANDLERS_H
#include "cpu/sysreg.h"

void sr_write_hcr_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_write_cnthctl_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_write_mdcr_el2(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_write_fp_enables(struct pe *pe, const struct sysreg_def *d, uint64_t v);
uint64_t sr_read_isr_el1(struct pe *pe, const struct sysreg_def *d);
uint64_t sr_read_mpidr(struct pe *pe, const struct sysreg_def *d);
uint64_t sr_read_midr(struct pe *pe, const struct sysreg_def *d);
void sr_write_debug(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_write_oslar(struct pe *pe, const struct sysreg_def *d, uint64_t v);
uint64_t sr_read_cntpct(struct pe *pe, const struct sysreg_def *d);
uint64_t sr_read_cntvct(struct pe *pe, const struct sysreg_def *d);
uint64_t sr_read_id(struct pe *pe, const struct sysreg_def *d);
void sr_ic_invalidate(struct pe *pe, const struct sysreg_def *d, uint64_t v);
/* The MMU (pe_mmu.c): translation registers, TLB maintenance, address translation. */
void sr_write_mmu(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_tlbi(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_at(struct pe *pe, const struct sysreg_def *d, uint64_t v);
/* The generic timers (pe_timer.c). */
uint64_t sr_timer_read(struct pe *pe, const struct sysreg_def *d);
void sr_timer_write(struct pe *pe, const struct sysreg_def *d, uint64_t v);
void sr_write_cntvoff(struct pe *pe, const struct sysreg_def *d, uint64_t v);
/* The Performance Monitors (pe_pmu.c). */
uint64_t sr_pmu_read(struct pe *pe, const struct sysreg_def *d);
void sr_pmu_write(struct pe *pe, const struct sysreg_def *d, uint64_t v);
/* Self-hosted debug (pe_debug.c): DC IVAC on a watched address. */
/* The GIC CPU interface (pe_gic.c). */
uint64_t sr_gic_read(struct pe *pe, const struct sysreg_def *d);
void sr_gic_write(struct pe *pe, const struct sysreg_def *d, uint64_t v);

#endif
