/* The PE's side of the GICv3 CPU interface: system register accesses to
 * ICC_*, ICV_* and ICH_* go to the GIC model with what it needs to know (the
 * EL, and whether HCR_EL2.IMO/FMO send EL1's accesses to the virtual
 * interface); the GIC decides which encodings exist and what ICH_HCR_EL2 traps. */
#include "cpu/pe_internal.h"
#include "cpu/routing.h"
#include "cpu/sysreg_handlers.h"
#include "gic/gic.h"

static struct gic_sysreg_access access_of(const struct pe *pe, const struct sysreg_def *d)
{
    uint64_t hcr = pe_hcr_el2(pe);
    bool lower = pe->el < 2 && !(hcr & HCR_TGE);
    return (struct gic_sysreg_access){
        .pe = pe->index, .el = pe->el,
        .virtual_irq = lower && (hcr & HCR_IMO), .virtual_fiq = lower && (hcr & HCR_FMO),
        .op0 = d->op0, .op1 = d->op1, .crn = d->crn, .crm = d->crm, .op2 = d->op2,
    };
}

uint64_t sr_gic_read(struct pe *pe, const struct sysreg_def *d)
{
    struct gic_sysreg_access a = access_of(pe, d);
    return gic_sysreg_read(pe->gic, &a);
}

void sr_gic_write(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    struct gic_sysreg_access a = access_of(pe, d);
    gic_sysreg_write(pe->gic, &a, v);
}

enum gic_access_check pe_gic_check(void *opaque, const struct sysreg_def *d, bool is_read)
{
    const struct pe *pe = opaque;
    if (!pe->gic || !gic_sysreg_exists(pe->gic, d->op0, d->op1, d->crn, d->crm, d->op2))
        return GIC_ACCESS_UNDEFINED;
    struct gic_sysreg_access a = access_of(pe, d);
    if (pe->el < 2 && gic_sysreg_trap_to_el2(pe->gic, &a, is_read))
        return GIC_ACCESS_TRAP_EL2;
    return GIC_ACCESS_OK;
}

void pe_attach_gic(struct pe *pe, struct gic *gic)
{
    pe->gic = gic;
    /* ID_AA64PFR0_EL1.GIC: the GICv3 system register interface is implemented. */
    uint64_t *pfr0 = &pe->id_regs[(4 - 1) * 8 + 0];
    *pfr0 = (*pfr0 & ~(0xfULL << 24)) | (gic ? 1ULL << 24 : 0);
}
