/* An interrupt output of a device: a value the machine hands the device, so
 * that no device knows what it drives (the GIC, or a test's recorder). */
#ifndef AVSIM_SIM_IRQ_LINE_H
#define AVSIM_SIM_IRQ_LINE_H
#include <stdbool.h>

struct irq_line {
    void (*set)(void *opaque, bool level);   /* NULL: not connected */
    void *opaque;
};

static inline void irq_line_set(const struct irq_line *l, bool level)
{
    if (l->set)
        l->set(l->opaque, level);
}

/* An edge-triggered output (the SMMUv3's wired interrupts): a rising edge,
 * then low again. */
static inline void irq_line_pulse(const struct irq_line *l)
{
    irq_line_set(l, true);
    irq_line_set(l, false);
}

#endif
