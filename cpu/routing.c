#include "cpu/routing.h"

bool virtual_interrupt_enabled(unsigned el, uint64_t hcr, unsigned kind)
{
    if (el > 1 || (hcr & HCR_TGE))
        return false;
    switch (kind) {
    case 1: return (hcr & HCR_IMO) != 0;
    case 2: return (hcr & HCR_FMO) != 0;
    case 3: return (hcr & HCR_AMO) != 0;
    default: return false;
    }
}

static uint32_t pstate_mask(unsigned kind)
{
    return kind == 1 ? 1u << 7 : kind == 2 ? 1u << 6 : 1u << 8;    /* I, F, A */
}

static uint64_t route_bit(unsigned kind)
{
    return kind == 1 ? HCR_IMO : kind == 2 ? HCR_FMO : HCR_AMO;
}

int physical_interrupt_target(unsigned el, uint64_t hcr, unsigned kind, uint32_t pstate)
{
    unsigned target = (hcr & (route_bit(kind) | HCR_TGE)) ? 2 : 1;
    if (el > target)
        return -1;
    /* Routed to EL2 from EL0/EL1: PSTATE does not mask it. Otherwise it does
     * (at EL1 and EL0 for an EL1 target, at EL2 for an EL2 target). */
    bool maskable = !(target == 2 && el < 2);
    if (maskable && (pstate & pstate_mask(kind)))
        return -1;
    return (int)target;
}

int virtual_interrupt_target(unsigned el, uint64_t hcr, unsigned kind, uint32_t pstate)
{
    if (!virtual_interrupt_enabled(el, hcr, kind) || (pstate & pstate_mask(kind)))
        return -1;
    return 1;
}
