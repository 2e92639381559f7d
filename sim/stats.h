/* Statistics (the first event subscriber) and the one-line-per-exception trace. */
#ifndef AVSIM_SIM_STATS_H
#define AVSIM_SIM_STATS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu_model.h"
#include "sim/events.h"

struct exception_count {
    unsigned ec, from_el, to_el;
    uint64_t count;
};

/* Per VM (VMID): exits to EL2 and virtual interrupts taken; the exits by
 * exception class with their cycles: from the exception until the PE enters
 * the same VM again (an ERET to EL0/EL1 with that VMID), whatever ran in
 * between (the hypervisor, a host kernel, a VMM in user space). */
#define STATS_MAX_EXIT_CLASSES 24
/* Where an exit's cycles went, by the CPU model's costs: each instruction
 * class, then exception entries, ERETs, table walks, L2 TLB hits and idle time. */
enum { SRC_ENTRY = IC_COUNT, SRC_ERET, SRC_WALK, SRC_TLB_L2, SRC_IDLE, SRC_COUNT };
struct vm_count {
    int vmid;
    uint64_t exits_to_el2, virtual_interrupts, exit_cycles;
    struct { unsigned ec; uint64_t count, cycles, by_source[SRC_COUNT]; } by_class[STATS_MAX_EXIT_CLASSES];
    int n_classes;
};

/* A PE's counters at the start of an exit. */
struct exit_mark {
    int vmid;
    unsigned ec;
    uint64_t since, insns_by_class[IC_COUNT], exceptions, erets, walk_accesses, l2_hits, idle;
};

#define STATS_MAX_PES 8
struct stats {
    struct exception_count exc[128];
    int n_exc;
    struct vm_count vm[64];
    int n_vm;
    uint64_t erets, wfis, sysreg_traps;
    /* Exits under way, per PE and VM (a hypervisor may run other VMs before it returns). */
    struct exit_mark open_exit[STATS_MAX_PES][8];
    int n_open[STATS_MAX_PES];
    const struct machine *m;   /* whose PEs' counters an exit's cycles are split by */
    struct machine *counting;  /* with split_exits: the machine whose PEs start counting
                                * instructions by class at the first exit (then NULL) */
};

struct machine;
/* Subscribes to the machine's events; with split_exits, the PEs count their
 * instructions by class (from the first exit of a VM on: only the time
 * inside exits is split) so that each exit's cycles are split by source. */
void stats_subscribe(struct stats *s, struct event_bus *bus, struct machine *m, bool split_exits);

struct pe;
struct machine;
/* Writes the JSON statistics file; returns -1 on I/O error. */
int stats_write_json(const struct stats *s, const struct machine *m, const char *path);

struct exception_tracer {
    FILE *out;
    uint64_t clock_hz;
    bool show_pe;             /* several PEs: each line names its PE */
};
void exception_tracer_subscribe(struct exception_tracer *t, struct event_bus *bus, FILE *out,
                                uint64_t clock_hz);

#endif
