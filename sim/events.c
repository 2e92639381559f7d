#include "sim/events.h"

int event_subscribe(struct event_bus *bus, uint32_t mask, event_fn fn, void *opaque)
{
    if (bus->n >= EVENT_MAX_SUBSCRIBERS)
        return -1;
    bus->sub[bus->n].fn = fn;
    bus->sub[bus->n].opaque = opaque;
    bus->sub[bus->n].mask = mask;
    bus->n++;
    bus->any_mask |= mask;
    return 0;
}

void event_publish(const struct event_bus *bus, const struct event *ev)
{
    if (!bus)
        return;
    for (int i = 0; i < bus->n; i++)
        if (bus->sub[i].mask & (1u << ev->type))
            bus->sub[i].fn(bus->sub[i].opaque, ev);
}
