/* The trace recorder: an event-bus subscriber that turns the models' events
 * into trace records (traces/trace.h) and streams them to a file. The models
 * do not know it exists; it asks only for the event types its classes need
 * (data accesses cost a Unicorn memory hook, so they are asked for only when
 * the "data" class is chosen). */
#ifndef AVSIM_TRACES_RECORDER_H
#define AVSIM_TRACES_RECORDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/events.h"
#include "traces/trace.h"

struct trace_recorder {
    struct trace_writer *w;
    uint32_t classes;         /* 1 << TR_* */
    bool failed;              /* a write failed: recording stopped */
    const char *path;
};

/* Opens path and subscribes to bus. Returns 0, or -1 with a message. */
int trace_recorder_start(struct trace_recorder *r, struct event_bus *bus, const char *path, uint32_t classes,
                         const char *machine_desc, char *err, size_t errlen);
/* Flushes and closes the file; returns -1 (message in err) if any write failed.
 * The subscription stays but records nothing more. */
int trace_recorder_finish(struct trace_recorder *r, char *err, size_t errlen);

#endif
