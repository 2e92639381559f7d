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
