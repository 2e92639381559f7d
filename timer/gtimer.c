#include "timer/gtimer.h"

uint64_t gtimer_cycles_to_ticks(const struct gtimer_cpu *c, uint64_t cycles)
{
    return (uint64_t)((unsigned __int128)cycles * c->counter_hz / c->clock_hz);
}

uint64_t gtimer_ticks_to_cycles(const struct gtimer_cpu *c, uint64_t ticks)
{
    unsigned __int128 v = ((unsigned __int128)ticks * c->clock_hz + c->counter_hz - 1) / c->counter_hz;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

uint64_t gtimer_cntpct(const struct gtimer_cpu *c) { return gtimer_cycles_to_ticks(c, *c->cycles); }

uint64_t gtimer_count(const struct gtimer_cpu *c, enum gtimer_id id)
{
    uint64_t pct = gtimer_cntpct(c);
    return id == GT_VIRT ? pct - c->cntvoff : pct;
}

/* ISTATUS: the condition CVAL <= count, meaningful while the timer is enabled. */
static bool istatus(const struct gtimer_cpu *c, const struct gtimer *t)
{
    return (t->ctl & GT_CTL_ENABLE) && gtimer_count(c, t->id) >= t->cval;
}

/* Drives the output (ENABLE && ISTATUS && !IMASK) and schedules the moment
 * the condition will become true, if it is not yet. */
static void update(struct gtimer_cpu *c, struct gtimer *t)
{
    bool st = istatus(c, t);
    bool level = st && !(t->ctl & GT_CTL_IMASK);
    if (level != t->level) {
        t->level = level;
        gic_line_set(&t->line, level);
    }
    if ((t->ctl & GT_CTL_ENABLE) && !st) {
        /* The physical count at which the timer's count reaches CVAL: the
         * virtual count is CNTPCT - CNTVOFF modulo 2^64, so CVAL + CNTVOFF modulo 2^64. */
        uint64_t target = t->id == GT_VIRT ? t->cval + c->cntvoff : t->cval;
        timeq_schedule(c->q, &t->due, gtimer_ticks_to_cycles(c, target));
    } else {
        timeq_cancel(c->q, &t->due);
    }
}

static void on_due(void *opaque, uint64_t now)
{
    struct gtimer *t = opaque;
    update(t->cpu, t);
}

void gtimer_init(struct gtimer_cpu *c, struct timeq *q, const uint64_t *cycles, uint64_t clock_hz,
                 uint64_t counter_hz, struct gic *gic, unsigned pe)
{
    static const unsigned ppi[GT_COUNT] = { GT_PPI_PHYS, GT_PPI_VIRT, GT_PPI_HYP, GT_PPI_HYPVIRT };
    c->q = q;
    c->cycles = cycles;
    c->clock_hz = clock_hz;
    c->counter_hz = counter_hz;
    c->cntvoff = 0;
    for (int i = 0; i < GT_COUNT; i++) {
        struct gtimer *t = &c->t[i];
        *t = (struct gtimer){ .cpu = c, .id = (enum gtimer_id)i,
                              .line = { .gic = gic, .intid = ppi[i], .pe = (int)pe } };
        timeq_event_init(&t->due, on_due, t);
    }
}

void gtimer_reset(struct gtimer_cpu *c)
{
    c->cntvoff = 0;
    for (int i = 0; i < GT_COUNT; i++) {
        c->t[i].ctl = 0;
        c->t[i].cval = 0;
        update(c, &c->t[i]);
    }
}

uint32_t gtimer_read_ctl(const struct gtimer_cpu *c, enum gtimer_id id)
{
    const struct gtimer *t = &c->t[id];
    return t->ctl | (istatus(c, t) ? GT_CTL_ISTATUS : 0);
}

void gtimer_write_ctl(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v)
{
    c->t[id].ctl = (uint32_t)v & (GT_CTL_ENABLE | GT_CTL_IMASK);
    update(c, &c->t[id]);
}

uint64_t gtimer_read_cval(const struct gtimer_cpu *c, enum gtimer_id id) { return c->t[id].cval; }

void gtimer_write_cval(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v)
{
    c->t[id].cval = v;
    update(c, &c->t[id]);
}

uint64_t gtimer_read_tval(const struct gtimer_cpu *c, enum gtimer_id id)
{
    /* TimerValue = (CVAL - count)[31:0], read as a signed 32-bit value. */
    return (uint32_t)(c->t[id].cval - gtimer_count(c, id));
}

void gtimer_write_tval(struct gtimer_cpu *c, enum gtimer_id id, uint64_t v)
{
    int64_t sv = (int32_t)(uint32_t)v;
    c->t[id].cval = gtimer_count(c, id) + (uint64_t)sv;
    update(c, &c->t[id]);
}

void gtimer_write_cntvoff(struct gtimer_cpu *c, uint64_t v)
{
    c->cntvoff = v;
    update(c, &c->t[GT_VIRT]);
}
