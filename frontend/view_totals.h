/* The viewer's machine-wide totals (cycles, clock, TLB lookups and hits), read
 * from the machine by the frontend; the model itself sees only events. Call it
 * on the thread that runs the machine (or after the run). */
#ifndef AVSIM_FRONTEND_VIEW_TOTALS_H
#define AVSIM_FRONTEND_VIEW_TOTALS_H
#include "frontend/view_model.h"
#include "sim/machine.h"

_Static_assert(VIEW_MAX_PES >= MACHINE_MAX_PES, "the viewer draws every PE of a machine");

/* With several PEs, as --stats: cycles is the furthest PE clock, the TLB counts are sums. */
static inline void view_totals_from_machine(struct view_model *vm, const struct machine *m)
{
    struct view_totals t = { .valid = 1, .clock_hz = m->pes[0].model->clock_hz };
    for (unsigned i = 0; i < m->n_pes; i++) {
        const struct tlb_stats *ts = &m->pes[i].mmu.tlb.stats;
        if (m->pes[i].cycles > t.cycles)
            t.cycles = m->pes[i].cycles;
        t.tlb_lookups += ts->lookups;
        t.tlb_hits += ts->l1_hits + ts->l2_hits;
    }
    vm->totals = t;
}

#endif
