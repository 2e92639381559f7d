/* The exception viewer's model: a bounded ring of exceptions and ERETs, and counters. */
#include "frontend/view_model.h"
#include "cpu/syndrome.h"
#include <stdlib.h>
#include <string.h>

const struct view_class_info view_classes[VIEW_CLASS_COUNT] = {
    [VIEW_HVC]           = { "HVC",             0x3c8cffff },
    [VIEW_SMC]           = { "SMC",             0xb45affff },
    [VIEW_SVC]           = { "SVC",             0x50c8c8ff },
    [VIEW_SYSREG_TRAP]   = { "sysreg trap",     0xffa028ff },
    [VIEW_DABORT_STAGE2] = { "dabort stage 2",  0xff3c3cff },
    [VIEW_DABORT]        = { "data abort",      0xc83c78ff },
    [VIEW_IABORT]        = { "insn abort",      0xc878c8ff },
    [VIEW_IRQ]           = { "IRQ",             0x3cdc3cff },
    [VIEW_VIRQ]          = { "virtual IRQ",     0xb4f03cff },
    [VIEW_WFX]           = { "WFI/WFE",         0x8c8cffff },
    [VIEW_OTHER]         = { "other",           0xb4b4b4ff },
    [VIEW_ERET]          = { "ERET",            0xd2d2d2ff },
};

/* Exception class -> viewer class; data aborts depend on where they go. */
static const struct { unsigned ec; enum view_class cls; } ec_classes[] = {
    { EC_HVC64, VIEW_HVC },
    { EC_SMC64, VIEW_SMC },
    { EC_SVC64, VIEW_SVC },
    { EC_SYSREG, VIEW_SYSREG_TRAP },
    { EC_DABORT_SAME, VIEW_DABORT },
    { EC_IABORT_LOWER, VIEW_IABORT },
    { EC_IABORT_SAME, VIEW_IABORT },
    { EC_WFX, VIEW_WFX },
    { EC_PSEUDO_IRQ, VIEW_IRQ },
    { EC_PSEUDO_FIQ, VIEW_IRQ },
    { EC_PSEUDO_VIRQ, VIEW_VIRQ },
    { EC_PSEUDO_VFIQ, VIEW_VIRQ },
};

const struct view_class_info view_smmu_kinds[VIEW_SMMU_KIND_COUNT] = {
    [VIEW_SMMU_FAULT] = { "SMMU event record", 0xff6e1eff },
    [VIEW_SMMU_CMD]   = { "SMMU command",      0x6e96c8ff },
};

enum view_class view_classify(unsigned ec, unsigned to_el)
{
    if (ec == EC_DABORT_LOWER)
        return to_el == 2 ? VIEW_DABORT_STAGE2 : VIEW_DABORT;
    for (size_t i = 0; i < sizeof ec_classes / sizeof ec_classes[0]; i++)
        if (ec_classes[i].ec == ec)
            return ec_classes[i].cls;
    return VIEW_OTHER;
}

int view_model_init(struct view_model *vm, unsigned capacity, unsigned n_pes)
{
    memset(vm, 0, sizeof *vm);
    vm->n_pes = n_pes == 0 ? 1 : n_pes > VIEW_MAX_PES ? VIEW_MAX_PES : n_pes;
    if (capacity == 0)
        capacity = 1;
    vm->ring = calloc(capacity, sizeof *vm->ring);
    vm->smmu_ring = calloc(capacity, sizeof *vm->smmu_ring);
    if (!vm->ring || !vm->smmu_ring) {
        free(vm->ring);
        free(vm->smmu_ring);
        vm->ring = NULL;
        vm->smmu_ring = NULL;
        return -1;
    }
    vm->capacity = capacity;
    return 0;
}

void view_model_destroy(struct view_model *vm)
{
    free(vm->ring);
    free(vm->smmu_ring);
    memset(vm, 0, sizeof *vm);
}

static void push_smmu(struct view_model *vm, const struct view_smmu_mark *m)
{
    vm->smmu_ring[vm->smmu_head] = *m;
    vm->smmu_head = (vm->smmu_head + 1) % vm->capacity;
    if (vm->smmu_count < vm->capacity)
        vm->smmu_count++;
    else
        vm->smmu_dropped++;
}

static void push(struct view_model *vm, const struct view_entry *e)
{
    unsigned top = e->from_el > e->to_el ? e->from_el : e->to_el;
    if (top > vm->highest_el)
        vm->highest_el = top;
    vm->ring[vm->head] = *e;
    vm->head = (vm->head + 1) % vm->capacity;
    if (vm->count < vm->capacity)
        vm->count++;
    else
        vm->dropped++;
}

void view_model_on_event(void *opaque, const struct event *ev)
{
    struct view_model *vm = opaque;
    struct view_counters *c = &vm->counters;
    /* The machine has at most VIEW_MAX_PES PEs. An event of a PE the model was
     * not told of (a caller that said 1) gets that PE its lanes rather than
     * being drawn in another PE's. */
    unsigned pe = ev->pe < VIEW_MAX_PES ? ev->pe : VIEW_MAX_PES - 1;
    if ((ev->type == EV_EXCEPTION || ev->type == EV_ERET) && pe >= vm->n_pes)
        vm->n_pes = pe + 1;
    struct view_pe_counters *per_pe = &c->by_pe[pe];
    struct view_entry e = { .cycles = ev->cycles, .pe = pe, .pc = ev->pc, .vmid = -1 };
    if (ev->cycles > c->last_cycles)
        c->last_cycles = ev->cycles;
    switch (ev->type) {
    case EV_EXCEPTION:
        e.ec = ev->u.exc.ec;
        e.esr = ev->u.exc.esr;
        e.far = ev->u.exc.far_valid ? ev->u.exc.far : 0;
        e.from_el = ev->u.exc.from_el;
        e.to_el = ev->u.exc.to_el;
        e.vmid = ev->u.exc.vmid;
        e.insn = ev->u.exc.insn;
        e.insn_valid = ev->u.exc.insn_valid;
        e.hpfar = ev->u.exc.hpfar;
        e.hpfar_valid = ev->u.exc.hpfar_valid;
        e.cls = view_classify(e.ec, e.to_el);
        c->by_class[e.cls]++;
        per_pe->exceptions++;
        if (e.to_el == 2 && e.from_el < 2) {
            per_pe->traps_to_el2++;
            if (e.vmid >= 0 && e.vmid < VIEW_MAX_VMIDS)
                c->traps_by_vmid[e.vmid]++;
            else
                c->traps_other_vmid++;
        }
        push(vm, &e);
        break;
    case EV_ERET:
        e.from_el = ev->u.eret.from_el;
        e.to_el = ev->u.eret.to_el;
        e.cls = VIEW_ERET;
        c->by_class[VIEW_ERET]++;
        per_pe->erets++;
        push(vm, &e);
        break;
    case EV_TLB_FILL:
        c->tlb_fills++;
        break;
    case EV_SMMU_EVENT:
    case EV_SMMU_CMD: {
        struct view_smmu_mark m = { .cycles = ev->cycles, .pe = pe };
        if (ev->type == EV_SMMU_EVENT) {
            m.kind = VIEW_SMMU_FAULT;
            m.code = ev->u.smmu.event_id;
            m.sid = ev->u.smmu.sid;
            m.iova = ev->u.smmu.iova;
            m.recorded = ev->u.smmu.recorded;
            if (!m.recorded)
                c->smmu_not_recorded++;
        } else {
            m.kind = VIEW_SMMU_CMD;
            m.code = ev->u.smmu.opcode;
        }
        c->smmu[m.kind]++;
        push_smmu(vm, &m);
        break;
    }
    default:
        break;
    }
}

int view_model_subscribe(struct view_model *vm, struct event_bus *bus)
{
    return event_subscribe(bus, VIEW_MODEL_EVENTS, view_model_on_event, vm) < 0 ? -1 : 0;
}

const struct view_smmu_mark *view_model_smmu_mark(const struct view_model *vm, unsigned i)
{
    unsigned oldest = (vm->smmu_head + vm->capacity - vm->smmu_count) % vm->capacity;
    return &vm->smmu_ring[(oldest + i) % vm->capacity];
}

const struct view_entry *view_model_entry(const struct view_model *vm, unsigned i)
{
    unsigned oldest = (vm->head + vm->capacity - vm->count) % vm->capacity;
    return &vm->ring[(oldest + i) % vm->capacity];
}

int view_model_find(const struct view_model *vm, uint64_t cycles, uint64_t pc)
{
    unsigned lo = 0, hi = vm->count;    /* the first entry at or after cycles is in [lo, hi] */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (view_model_entry(vm, mid)->cycles < cycles)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (unsigned i = lo; i < vm->count && view_model_entry(vm, i)->cycles == cycles; i++)
        if (view_model_entry(vm, i)->pc == pc)
            return (int)i;
    return -1;
}
