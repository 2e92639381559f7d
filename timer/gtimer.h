/* The generic timers of one PE (Arm ARM, "The Generic Timer in AArch64
 * state"): the EL1 physical timer (CNTP_*, PPI 30), the EL1 virtual timer
 * (CNTV_*, PPI 27, counting CNTVCT = CNTPCT - CNTVOFF_EL2), the EL2 physical
 * timer (CNTHP_*, PPI 26) and, with FEAT_VHE, the EL2 virtual timer (CNTHV_*, PPI 28). The system counter runs at a fixed frequency derived
 * from simulated time (CPU cycles), so runs are deterministic; CNTFRQ_EL0 is
 * only the register that tells software the frequency. Each timer's output is
 * a level on a GIC line, and a timer that will fire schedules an event at the
 * cycle its condition becomes true. */
#ifndef AVSIM_TIMER_GTIMER_H
#define AVSIM_TIMER_GTIMER_H
#include <stdbool.h>
#include <stdint.h>
#include "gic/gic.h"
#include "sim/timeq.h"

/* GT_HYPVIRT: the EL2 virtual timer (CNTHV_*, FEAT_VHE), on the physical count (CNTVOFF_EL2
 * does not apply to it); its line stays low on a PE without VHE (nothing can enable it). */
enum gtimer_id { GT_PHYS, GT_VIRT, GT_HYP, GT_HYPVIRT, GT_COUNT };

#define GT_CTL_ENABLE (1u << 0)
#define GT_CTL_IMASK (1u << 1)
#define GT_CTL_ISTATUS (1u << 2)

/* The virt board's PPIs for the timers. */
#define GT_PPI_PHYS 30
#define GT_PPI_VIRT 27
#define GT_PPI_HYP 26
#define GT_PPI_HYPVIRT 28

struct gtimer {
    uint32_t ctl;             /* ENABLE, IMASK (ISTATUS is computed) */
    uint64_t cval;
    bool level;               /* the output as last driven */
    struct gic_line line;
    struct timeq_event due;
    struct gtimer_cpu *cpu;
    enum gtimer_id id;
};

struct gtimer_cpu {
    struct gtimer t[GT_COUNT];
    uint64_t cntvoff;
    uint64_t counter_hz;      /* system counter frequency */
    uint64_t clock_hz;        /* CPU clock: cycles per second */
    const uint64_t *cycles;   /* the PE's clock */
    struct timeq *q;
};

void gtimer_init(struct gtimer_cpu *c, struct timeq *q, const uint64_t *cycles, uint64_t clock_hz,
                 uint64_t counter_hz, struct gic *gic, unsigned pe);
void gtimer_reset(struct gtimer_cpu *c);

/* Counter values now: the physical count, and the count a timer compares with. */
uint64_t gtimer_cntpct(const struct gtimer_cpu *c);
uint64_t gtimer_count(const struct gtimer_cpu *c, enum gtimer_id id);

uint32_t gtimer_read_ctl(const struct gtimer_cpu *c, enum gtimer_id id);
void gtimer_write_ctl(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v);
uint64_t gtimer_read_cval(const struct gtimer_cpu *c, enum gtimer_id id);
void gtimer_write_cval(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v);
/* TVAL: a signed 32-bit view of CVAL - count (reads), CVAL = count + SignExtend(TVAL) (writes). */
uint64_t gtimer_read_tval(const struct gtimer_cpu *c, enum gtimer_id id);
void gtimer_write_tval(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v);
void gtimer_write_cntvoff(struct gtimer_cpu *c, uint64_t v);

/* Cycles <-> counter ticks. */
uint64_t gtimer_cycles_to_ticks(const struct gtimer_cpu *c, uint64_t cycles);
uint64_t gtimer_ticks_to_cycles(const struct gtimer_cpu *c, uint64_t ticks);   /* rounded up */

#endif
