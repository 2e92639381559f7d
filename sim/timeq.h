/* The simulated-time event queue: callbacks ordered by the time (in CPU
 * cycles) at which they are due. The run loop executes the PE until the next
 * one (the PE checks its deadline at every block boundary), and a PE waiting
 * in WFI makes time jump to it instead of spinning. */
#ifndef AVSIM_SIM_TIMEQ_H
#define AVSIM_SIM_TIMEQ_H
#include <stdbool.h>
#include <stdint.h>

#define TIMEQ_NEVER UINT64_MAX
#define TIMEQ_MAX 64

struct timeq_event {
    uint64_t when;
    void (*fire)(void *opaque, uint64_t now);
    void *opaque;
    int slot;                 /* position in the heap, -1 when not queued */
};

struct timeq {
    uint64_t next;                     /* heap[0]->when, or TIMEQ_NEVER */
    struct timeq_event *heap[TIMEQ_MAX];
    unsigned n;
    void (*next_changed)(void *opaque); /* optional: told after every change of next */
    void *next_changed_opaque;
};

void timeq_init(struct timeq *q);
void timeq_event_init(struct timeq_event *e, void (*fire)(void *, uint64_t), void *opaque);
/* (Re)schedules e at `when`. Returns -1 when the queue is full. */
int timeq_schedule(struct timeq *q, struct timeq_event *e, uint64_t when);
void timeq_cancel(struct timeq *q, struct timeq_event *e);
/* The time of the earliest event, or TIMEQ_NEVER. */
static inline uint64_t timeq_next(const struct timeq *q) { return q->next; }
/* The time of the earliest event other than `except` (NULL: any), or TIMEQ_NEVER. */
uint64_t timeq_next_except(const struct timeq *q, const struct timeq_event *except);
/* Fires, in time order, every event due at or before `now` (a callback may reschedule). */
void timeq_run_due(struct timeq *q, uint64_t now);

#endif
