/* The viewer's machine-wide totals (cycles, clock, TLB lookups and hits), read
 * from the machine by the frontend; the model itself sees only events. Call it
 * on the thread that runs the machine (or after the run). */
#ifndef AVSIM_FRONTEND_VIEW_TOTALS_H
#define AVSIM_FRONTEND_VIEW_TOTALS_H
#include "frontend/view_model.h"
#include "sim/machine.h"

static inline void view_totals_from_machine(struct view_model *vm, const struct machine *m)
{
    const struct tlb_stats *ts = &m->pes[0].mmu.tlb.stats;
    vm->totals = (struct view_totals){ .valid = 1, .cycles = m->pes[0].cycles, .clock_hz = m->pes[0].model->clock_hz,
                                       .tlb_lookups = ts->lookups, .tlb_hits = ts->l1_hits + ts->l2_hits };
}

#endif
