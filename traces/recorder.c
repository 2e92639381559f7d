/* Event -> trace record translation (see traces/recorder.h). */
#include "traces/recorder.h"
#include "sim/dma.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Which events each record class needs. */
static const struct { enum trace_type type; enum event_type event; } class_events[] = {
    { TR_BLOCK, EV_BLOCK },         { TR_DATA, EV_MEM_ACCESS }, { TR_EXCEPTION, EV_EXCEPTION },
    { TR_ERET, EV_ERET },           { TR_TLBI, EV_TLBI },       { TR_CONTEXT, EV_CONTEXT },
    { TR_WALK, EV_WALK },           { TR_IRQ, EV_GIC },
    { TR_SMMU_XLATE, EV_SMMU_XLATE }, { TR_SMMU_WALK, EV_SMMU_WALK }, { TR_SMMU_EVENT, EV_SMMU_EVENT },
    { TR_SMMU_CMD, EV_SMMU_CMD },
};

/* The SMMU's context (StreamID, SubstreamID), tags and addresses (the input address, and the IPA
 * as the event gives it), shared by its translation, walk and event records. */
static void from_smmu(struct trace_record *t, const struct event *ev)
{
    t->sid = ev->u.smmu.sid;
    if (ev->u.smmu.ssid != DMA_NO_SSID) {
        t->ssid = ev->u.smmu.ssid & 0xfffffu;     /* at most 20 bits (SMMU_IDR1.SSIDSIZE) */
        t->flags |= TRF_SSID;
    }
    t->vmid = ev->u.smmu.vmid;
    t->asid = ev->u.smmu.asid;
    t->config = (uint8_t)(ev->u.smmu.config & 7);
    t->va = ev->u.smmu.iova;
    t->ipa = ev->u.smmu.ipa;
}

static void from_access(struct trace_record *t, const struct event *ev)
{
    t->flags = 0;
    t->el = (uint8_t)ev->u.access.el;
    t->regime = (uint8_t)ev->u.access.regime;
    t->vmid = ev->u.access.vmid;
    t->asid = ev->u.access.asid;
    t->size = ev->u.access.size;
    t->va = ev->u.access.va;
    t->ipa = ev->u.access.ipa;
    t->pa = ev->u.access.pa;
    if (ev->u.access.s2_on)
        t->flags |= TRF_S2_ON;
}

static void on_event(void *opaque, const struct event *ev)
{
    struct trace_recorder *r = opaque;
    if (!r->w || r->failed)
        return;
    struct trace_record t;
    /* The hot path (one record per block and per access): only the fields
     * the record type carries are set (trace_write reads no others). */
    if (ev->type == EV_BLOCK || ev->type == EV_MEM_ACCESS) {
        t.time = ev->cycles;
        t.pe = ev->pe;
        from_access(&t, ev);
        t.type = ev->type == EV_BLOCK ? TR_BLOCK : TR_DATA;
        if (ev->type == EV_MEM_ACCESS && ev->u.access.is_write)
            t.flags |= TRF_WRITE;
        if (trace_write(r->w, &t) != 0)
            r->failed = true;
        return;
    }
    memset(&t, 0, sizeof t);
    t.time = ev->cycles;
    t.pe = ev->pe;
    switch (ev->type) {
    case EV_EXCEPTION:
        t.type = TR_EXCEPTION;
        t.va = ev->pc;
        t.ec = ev->u.exc.ec;
        t.iss = ev->u.exc.iss;
        t.from_el = (uint8_t)ev->u.exc.from_el;
        t.to_el = (uint8_t)ev->u.exc.to_el;
        t.vmid = ev->u.exc.vmid < 0 ? 0 : (uint16_t)ev->u.exc.vmid;
        if (ev->u.exc.vmid >= 0)
            t.flags |= TRF_S2_ON;
        if (ev->u.exc.far_valid) {
            t.flags |= TRF_FAR_VALID;
            t.arg = ev->u.exc.far;
        }
        break;
    case EV_ERET:
        t.type = TR_ERET;
        t.va = ev->u.eret.target;
        t.from_el = (uint8_t)ev->u.eret.from_el;
        t.to_el = (uint8_t)ev->u.eret.to_el;
        break;
    case EV_TLBI:
        t.type = TR_TLBI;
        t.el = (uint8_t)ev->u.tlbi.el;
        t.op = (uint8_t)ev->u.tlbi.kind;
        t.vmid = ev->u.tlbi.vmid;
        t.asid = ev->u.tlbi.asid;
        t.va = ev->u.tlbi.va;
        t.ipa = ev->u.tlbi.ipa;
        t.arg = ev->u.tlbi.arg;
        if (ev->u.tlbi.inner_shareable)
            t.flags |= TRF_TLBI_IS;
        break;
    case EV_CONTEXT:
        t.type = TR_CONTEXT;
        t.el = (uint8_t)ev->u.context.el;
        t.vmid = ev->u.context.vmid;
        t.asid = ev->u.context.asid;
        if (ev->u.context.s2_on)
            t.flags |= TRF_S2_ON;
        break;
    case EV_WALK:
        t.type = TR_WALK;
        t.el = (uint8_t)ev->u.walk.el;
        t.regime = (uint8_t)ev->u.walk.regime;
        t.vmid = ev->u.walk.vmid;
        t.asid = ev->u.walk.asid;
        t.level = (int8_t)ev->u.walk.level;
        t.va = ev->u.walk.va;
        t.ipa = ev->u.walk.walk_addr;
        t.pa = ev->u.walk.addr;
        if (ev->u.walk.stage == 2)
            t.flags |= TRF_STAGE2;
        if (ev->u.walk.s2_on)
            t.flags |= TRF_S2_ON;
        break;
    case EV_SMMU_XLATE:
        t.type = TR_SMMU_XLATE;
        from_smmu(&t, ev);
        t.size = ev->u.smmu.size;
        t.page_shift = (uint8_t)ev->u.smmu.page_shift;
        t.walk_refs = ev->u.smmu.walk_accesses > UINT16_MAX ? UINT16_MAX : (uint16_t)ev->u.smmu.walk_accesses;
        t.pa = ev->u.smmu.pa;
        if (ev->u.smmu.is_write)
            t.flags |= TRF_WRITE;
        if (ev->u.smmu.tlb_hit)
            t.flags |= TRF_SMMU_HIT;
        break;
    case EV_SMMU_WALK:
        t.type = TR_SMMU_WALK;
        from_smmu(&t, ev);
        t.level = (int8_t)ev->u.smmu.level;
        t.pa = ev->u.smmu.addr;
        if (ev->u.smmu.stage == 2)
            t.flags |= TRF_STAGE2;
        break;
    case EV_SMMU_EVENT:
        t.type = TR_SMMU_EVENT;
        from_smmu(&t, ev);
        t.op = (uint8_t)ev->u.smmu.event_id;
        if (ev->u.smmu.recorded)
            t.flags |= TRF_EVT_RECORDED;
        if (ev->u.smmu.stage == 2)
            t.flags |= TRF_EVT_STAGE2;
        break;
    case EV_SMMU_CMD:
        t.type = TR_SMMU_CMD;
        t.op = (uint8_t)ev->u.smmu.opcode;
        t.arg = ev->u.smmu.cmd[0];
        t.arg2 = ev->u.smmu.cmd[1];
        break;
    case EV_GIC:
        t.type = TR_IRQ;
        t.op = (uint8_t)ev->u.gic.kind;
        t.intid = ev->u.gic.intid;
        t.target_pe = ev->u.gic.pe;
        t.arg = ev->u.gic.lr == (unsigned)-1 ? UINT64_MAX : ev->u.gic.lr;
        if (ev->u.gic.is_virtual)
            t.flags |= TRF_VIRTUAL;
        break;
    default:
        return;
    }
    if (trace_write(r->w, &t) != 0)
        r->failed = true;
}

int trace_recorder_start(struct trace_recorder *r, struct event_bus *bus, const char *path, uint32_t classes,
                         const char *machine_desc, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->classes = classes;
    r->path = path;
    uint32_t mask = 0;
    for (size_t i = 0; i < sizeof class_events / sizeof class_events[0]; i++)
        if (classes & (1u << class_events[i].type))
            mask |= 1u << class_events[i].event;
    r->w = trace_writer_open(path, machine_desc, classes, err, errlen);
    if (!r->w)
        return -1;
    if (mask && event_subscribe(bus, mask, on_event, r) != 0) {
        snprintf(err, errlen, "too many event subscribers");
        trace_writer_close(r->w);
        r->w = NULL;
        return -1;
    }
    return 0;
}

int trace_recorder_finish(struct trace_recorder *r, char *err, size_t errlen)
{
    if (!r->w)
        return 0;
    char why[200];
    const char *e = trace_writer_error(r->w);
    snprintf(why, sizeof why, "%s", e ? e : "");
    errno = 0;
    int rc = trace_writer_close(r->w);
    r->w = NULL;
    if (rc != 0 || r->failed) {
        if (!why[0])
            snprintf(why, sizeof why, "%s", errno ? strerror(errno) : "write failed");
        snprintf(err, errlen, "writing the trace %s failed: %s", r->path, why);
        return -1;
    }
    return 0;
}
