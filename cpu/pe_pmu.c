/* The PMU registers of the PE, forwarded to its PMU (cpu/pmu.c), and the
 * checks the Arm ARM's accessor pseudocode makes before MDCR_EL2.TPM: a
 * counter at or above PMCR_EL0.N, or at or above MDCR_EL2.HPMN for EL0/EL1,
 * is UNDEFINED; EL0 needs PMUSERENR_EL0 (EN, or SW/CR/ER for the accesses
 * they open), else the access traps to EL1 (EL2 with HCR_EL2.TGE).
 * Encodings: CRn=9 (PMCR_EL0 ... PMOVSSET_EL0, PMINTEN*_EL1), CRn=14
 * (PMEVCNTR<n>_EL0 CRm 8-11, PMEVTYPER<n>_EL0 CRm 12-15, PMCCFILTR_EL0 n=31). */
#include "cpu/pe.h"
#include "cpu/pe_internal.h"
#include "cpu/pmu.h"
#include "cpu/sysreg_handlers.h"

enum pmu_reg {
    R_PMCR, R_CNTENSET, R_CNTENCLR, R_OVSCLR, R_SWINC, R_SELR, R_CEID0, R_CEID1,
    R_CCNTR, R_XEVTYPER, R_XEVCNTR, R_USERENR, R_OVSSET, R_INTENSET, R_INTENCLR,
    R_EVCNTR, R_EVTYPER, R_OTHER,
};

/* Which register an encoding is, and for the counter-indexed ones which counter. */
static enum pmu_reg reg_of(const struct sysreg_def *d, unsigned *n)
{
    *n = 0;
    if (d->crn == 14) {
        *n = (d->crm & 3) * 8 + d->op2;
        return d->crm >= 12 ? R_EVTYPER : R_EVCNTR;
    }
    if (d->op1 == 0)
        return d->op2 == 1 ? R_INTENSET : R_INTENCLR;
    if (d->crm == 12)
        return (enum pmu_reg)(R_PMCR + d->op2);
    if (d->crm == 13)
        return (enum pmu_reg)(R_CCNTR + d->op2);
    if (d->crm == 14)
        return d->op2 == 0 ? R_USERENR : R_OVSSET;
    return R_OTHER;
}

/* The counter an indexed access reaches: PMEVCNTR<n>/PMEVTYPER<n> name it,
 * PMXEVCNTR/PMXEVTYPER take PMSELR_EL0.SEL (31: the cycle counter's filter). */
static unsigned counter_of(const struct pe *pe, enum pmu_reg r, unsigned n)
{
    if (r == R_XEVTYPER || r == R_XEVCNTR)
        return pe->pmu.selr & 31;
    return n;
}

enum pmu_access_check pe_pmu_check(void *opaque, const struct sysreg_def *d, bool is_read)
{
    struct pe *pe = opaque;
    unsigned n;
    enum pmu_reg r = reg_of(d, &n);
    if (r == R_EVCNTR || r == R_EVTYPER || r == R_XEVCNTR || r == R_XEVTYPER) {
        unsigned c = counter_of(pe, r, n);
        bool ccfiltr = c == PMU_CYCLE && (r == R_XEVTYPER || r == R_EVTYPER);   /* PMCCFILTR_EL0 */
        unsigned limit = pe->el < 2 ? pmu_hpmn(&pe->pmu) : PMU_NUM_COUNTERS;
        if (!ccfiltr && c >= limit)
            return PMU_ACCESS_UNDEFINED;
    }
    if (pe->el != 0)
        return PMU_ACCESS_OK;
    uint32_t u = pe->pmu.userenr;
    bool open = (u & PMUSERENR_EN) != 0;
    switch (r) {
    case R_USERENR: open = true; break;
    case R_SWINC: open |= (u & PMUSERENR_SW) != 0; break;
    case R_SELR: open |= (u & PMUSERENR_ER) != 0; break;
    case R_CCNTR: open |= is_read && (u & PMUSERENR_CR); break;
    case R_XEVCNTR:
    case R_EVCNTR: open |= is_read && (u & PMUSERENR_ER); break;
    default: break;
    }
    return open ? PMU_ACCESS_OK : PMU_ACCESS_TRAP_EL1;
}

/* After anything that may change when an overflow can come. */
static void pmu_changed(struct pe *pe)
{
    uint64_t at = pmu_next_check(&pe->pmu);
    pe_set_pmu_check_at(pe, at < pe->uc_flush_at ? at : pe->uc_flush_at);
}

uint64_t sr_pmu_read(struct pe *pe, const struct sysreg_def *d)
{
    unsigned n;
    enum pmu_reg r = reg_of(d, &n);
    bool lower = pe->el < 2;
    struct pmu *p = &pe->pmu;
    switch (r) {
    case R_PMCR: return pmu_read_pmcr(p, lower);
    case R_CNTENSET: case R_CNTENCLR: return pmu_read_set(p, PMU_CNTEN, lower);
    case R_INTENSET: case R_INTENCLR: return pmu_read_set(p, PMU_INTEN, lower);
    case R_OVSSET: case R_OVSCLR: return pmu_read_set(p, PMU_OVS, lower);
    case R_SELR: return p->selr;
    case R_CEID0: return pmu_ceid(0);
    case R_CEID1: return pmu_ceid(1);
    case R_USERENR: return p->userenr;
    case R_CCNTR: return pmu_read_counter(p, PMU_CYCLE);
    case R_EVCNTR: case R_XEVCNTR: return pmu_read_counter(p, counter_of(pe, r, n));
    case R_EVTYPER: case R_XEVTYPER: return pmu_read_type(p, counter_of(pe, r, n));
    default: return 0;
    }
}

void sr_pmu_write(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    unsigned n;
    enum pmu_reg r = reg_of(d, &n);
    bool lower = pe->el < 2;
    struct pmu *p = &pe->pmu;
    uint32_t w = (uint32_t)v;
    switch (r) {
    case R_PMCR: pmu_write_pmcr(p, w, lower); break;
    case R_CNTENSET: pmu_write_set(p, PMU_CNTEN, w, true, lower); break;
    case R_CNTENCLR: pmu_write_set(p, PMU_CNTEN, w, false, lower); break;
    case R_INTENSET: pmu_write_set(p, PMU_INTEN, w, true, lower); break;
    case R_INTENCLR: pmu_write_set(p, PMU_INTEN, w, false, lower); break;
    case R_OVSSET: pmu_write_set(p, PMU_OVS, w, true, lower); break;
    case R_OVSCLR: pmu_write_set(p, PMU_OVS, w, false, lower); break;
    case R_SWINC: pmu_write_swinc(p, w, lower); break;
    case R_SELR: p->selr = w & 31; break;
    case R_USERENR: p->userenr = w & 0xf; break;
    case R_CCNTR: pmu_write_counter(p, PMU_CYCLE, v); break;
    case R_EVCNTR: case R_XEVCNTR: pmu_write_counter(p, counter_of(pe, r, n), v); break;
    case R_EVTYPER: case R_XEVTYPER: pmu_write_type(p, counter_of(pe, r, n), w); break;
    default: break;                       /* PMCEID0/1 are read-only (no write access) */
    }
    pmu_changed(pe);
}

void pe_pmu_mdcr_written(struct pe *pe, uint64_t mdcr)
{
    pmu_write_mdcr(&pe->pmu, (uint32_t)mdcr);
    pmu_changed(pe);
}

/* The block hook found the clock at pmu_check_at: an enabled counter may have overflowed. */
void pe_pmu_check_due(struct pe *pe)
{
    pmu_update(&pe->pmu);
    pmu_changed(pe);
}
