/* The generic timer registers of the PE, forwarded to its timers (timer/gtimer.c).
 * Encodings: CNTP_<reg>_EL0 3,3,14,2,op2; CNTV_<reg>_EL0 3,3,14,3,op2;
 * CNTHP_<reg>_EL2 3,4,14,2,op2; CNTHV_<reg>_EL2 3,4,14,3,op2 (FEAT_VHE); op2 0 TVAL, 1 CTL, 2 CVAL. */
#include "cpu/pe.h"
#include "cpu/sysreg_handlers.h"
#include "timer/gtimer.h"

static enum gtimer_id timer_of(const struct sysreg_def *d)
{
    if (d->op1 == 4)
        return d->crm == 3 ? GT_HYPVIRT : GT_HYP;
    return d->crm == 3 ? GT_VIRT : GT_PHYS;
}

uint64_t sr_timer_read(struct pe *pe, const struct sysreg_def *d)
{
    enum gtimer_id id = timer_of(d);
    switch (d->op2) {
    case 0: return gtimer_read_tval(pe->timer, id);
    case 1: return gtimer_read_ctl(pe->timer, id);
    default: return gtimer_read_cval(pe->timer, id);
    }
}

void sr_timer_write(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    enum gtimer_id id = timer_of(d);
    switch (d->op2) {
    case 0: gtimer_write_tval(pe->timer, id, v); break;
    case 1: gtimer_write_ctl(pe->timer, id, v); break;
    default: gtimer_write_cval(pe->timer, id, v); break;
    }
}

void sr_write_cntvoff(struct pe *pe, const struct sysreg_def *d, uint64_t v)
{
    gtimer_write_cntvoff(pe->timer, v);
}
