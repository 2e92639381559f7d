#include "sim/timeq.h"

#include <stddef.h>

void timeq_init(struct timeq *q)
{
    q->n = 0;
    q->next = TIMEQ_NEVER;
    q->next_changed = NULL;
    q->next_changed_opaque = NULL;
}

static void note_next(struct timeq *q)
{
    uint64_t next = q->n ? q->heap[0]->when : TIMEQ_NEVER;
    if (next == q->next)
        return;
    q->next = next;
    if (q->next_changed)
        q->next_changed(q->next_changed_opaque);
}

void timeq_event_init(struct timeq_event *e, void (*fire)(void *, uint64_t), void *opaque)
{
    e->when = TIMEQ_NEVER;
    e->fire = fire;
    e->opaque = opaque;
    e->slot = -1;
}

static void place(struct timeq *q, unsigned i, struct timeq_event *e)
{
    q->heap[i] = e;
    e->slot = (int)i;
}

static void sift_up(struct timeq *q, unsigned i)
{
    struct timeq_event *e = q->heap[i];
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (q->heap[parent]->when <= e->when)
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, e);
}

static void sift_down(struct timeq *q, unsigned i)
{
    struct timeq_event *e = q->heap[i];
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && q->heap[c + 1]->when < q->heap[c]->when)
            c++;
        if (q->heap[c]->when >= e->when)
            break;
        place(q, i, q->heap[c]);
        i = c;
    }
    place(q, i, e);
}

void timeq_cancel(struct timeq *q, struct timeq_event *e)
{
    if (e->slot < 0)
        return;
    unsigned i = (unsigned)e->slot;
    e->slot = -1;
    q->n--;
    if (i != q->n) {
        place(q, i, q->heap[q->n]);
        sift_down(q, i);
        sift_up(q, (unsigned)q->heap[i]->slot);
    }
    note_next(q);
}

int timeq_schedule(struct timeq *q, struct timeq_event *e, uint64_t when)
{
    timeq_cancel(q, e);
    if (q->n == TIMEQ_MAX)
        return -1;
    e->when = when;
    place(q, q->n++, e);
    sift_up(q, (unsigned)e->slot);
    note_next(q);
    return 0;
}

void timeq_run_due(struct timeq *q, uint64_t now)
{
    while (q->n && q->heap[0]->when <= now) {
        struct timeq_event *e = q->heap[0];
        timeq_cancel(q, e);
        e->fire(e->opaque, now);
    }
}

uint64_t timeq_next_except(const struct timeq *q, const struct timeq_event *except)
{
    if (!q->n)
        return TIMEQ_NEVER;
    if (q->heap[0] != except)
        return q->heap[0]->when;
    /* The next earliest is one of the root's children (a heap orders each parent before its children). */
    uint64_t t = TIMEQ_NEVER;
    for (unsigned c = 1; c <= 2 && c < q->n; c++)
        if (q->heap[c]->when < t)
            t = q->heap[c]->when;
    return t;
}
