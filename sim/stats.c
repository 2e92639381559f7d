#include "sim/stats.h"
#include "cpu/syndrome.h"
#include "sim/machine.h"
#include "smmu/smmu.h"
#include "smmu/smmu_names.h"
#include <stdlib.h>
#include <string.h>

static struct vm_count *vm_of(struct stats *s, int vmid)
{
    for (int i = 0; i < s->n_vm; i++)
        if (s->vm[i].vmid == vmid)
            return &s->vm[i];
    if (s->n_vm == (int)(sizeof s->vm / sizeof s->vm[0]))
        return NULL;
    struct vm_count *v = &s->vm[s->n_vm++];
    *v = (struct vm_count){ .vmid = vmid };
    return v;
}

/* The PE's counters now (the sources of its cycles). */
static void mark_of(const struct stats *s, unsigned pe, struct exit_mark *k)
{
    const struct pe *p = &s->m->pes[pe];
    memcpy(k->insns_by_class, p->insns_by_class, sizeof k->insns_by_class);
    k->exceptions = p->exceptions_taken;
    k->erets = p->erets;
    k->walk_accesses = p->mmu.walk_accesses;
    k->l2_hits = p->mmu.tlb.stats.l2_hits;
    k->idle = p->idle_cycles;
}

static int find_open(const struct stats *s, unsigned pe, int vmid)
{
    for (int i = 0; i < s->n_open[pe]; i++)
        if (s->open_exit[pe][i].vmid == vmid)
            return i + 1;
    return 0;
}

static void count_vm(struct stats *s, const struct event *ev)
{
    if (ev->u.exc.vmid < 0)
        return;
    struct vm_count *v = vm_of(s, ev->u.exc.vmid);
    if (!v)
        return;
    if (ev->u.exc.to_el == 2) {
        v->exits_to_el2++;
        /* An exit of this VM starts on this PE, unless one is under way (an
         * exception taken on the way back, say). */
        unsigned p = ev->pe;
        if (p < STATS_MAX_PES && p < s->m->n_pes && !find_open(s, p, ev->u.exc.vmid) && s->n_open[p] < 8) {
            if (s->counting) {
                /* The first exit: counting by class starts now, before its mark
                 * (a block costs a few more loads per run from here on). */
                for (unsigned i = 0; i < s->counting->n_pes; i++)
                    s->counting->pes[i].count_classes = true;
                s->counting = NULL;
            }
            struct exit_mark *k = &s->open_exit[p][s->n_open[p]++];
            *k = (struct exit_mark){ .vmid = ev->u.exc.vmid, .ec = ev->u.exc.ec, .since = ev->cycles };
            mark_of(s, p, k);
            /* The entry of this exception is the exit's: counted before the event. */
            k->exceptions--;
            k->since -= s->m->pes[p].model->exception_entry;
        }
    }
    if (ev->u.exc.ec == EC_PSEUDO_VIRQ || ev->u.exc.ec == EC_PSEUDO_VFIQ)
        v->virtual_interrupts++;
}

/* An ERET entering a VM ends the exit of that VM open on the PE. */
static void end_exit(struct stats *s, const struct event *ev)
{
    unsigned p = ev->pe;
    int k = p < STATS_MAX_PES && ev->u.eret.vmid >= 0 ? find_open(s, p, ev->u.eret.vmid) : 0;
    if (!k)
        return;
    struct exit_mark start = s->open_exit[p][k - 1], now = { 0 };
    s->open_exit[p][k - 1] = s->open_exit[p][--s->n_open[p]];
    mark_of(s, p, &now);
    unsigned ec = start.ec;
    uint64_t cycles = ev->cycles - start.since;
    struct vm_count *v = vm_of(s, ev->u.eret.vmid);
    if (!v)
        return;
    v->exit_cycles += cycles;
    int i = 0;
    while (i < v->n_classes && v->by_class[i].ec != ec)
        i++;
    if (i == v->n_classes) {
        if (i == STATS_MAX_EXIT_CLASSES)
            return;
        v->n_classes++;
        v->by_class[i].ec = ec;
    }
    v->by_class[i].count++;
    v->by_class[i].cycles += cycles;
    /* Where the cycles went, by the model's costs. */
    const struct pe *pe = &s->m->pes[p];
    const struct cpu_model *cm = pe->model;
    uint64_t *src = v->by_class[i].by_source;
    for (int c = 0; c < IC_COUNT; c++)
        src[c] += (now.insns_by_class[c] - start.insns_by_class[c]) * cm->cost[c];
    src[SRC_ENTRY] += (now.exceptions - start.exceptions) * cm->exception_entry;
    src[SRC_ERET] += (now.erets - start.erets) * cm->eret;
    src[SRC_WALK] += (now.walk_accesses - start.walk_accesses) * pe->mmu.tlb.cfg.walk_access_cycles;
    src[SRC_TLB_L2] += (now.l2_hits - start.l2_hits) * pe->mmu.tlb.cfg.l2_hit_cycles;
    src[SRC_IDLE] += now.idle - start.idle;
}

/* ---- The SMMU ---- */

static struct stats_smmu_count *smmu_row(struct stats_smmu_count *rows, unsigned *n, uint32_t id, uint64_t *unlisted)
{
    for (unsigned i = 0; i < *n; i++)
        if (rows[i].id == id)
            return &rows[i];
    if (*n == STATS_SMMU_MAX_IDS) {
        (*unlisted)++;
        return NULL;
    }
    rows[*n] = (struct stats_smmu_count){ .id = id };
    return &rows[(*n)++];
}

/* Does the STE's Config translate (stage 1, stage 2 or both)? Then the VMID is a TLB tag. */
static bool smmu_translates(unsigned config)
{
    return config == SMMU_STE_CONFIG_S1 || config == SMMU_STE_CONFIG_S2 || config == SMMU_STE_CONFIG_NESTED;
}

static void smmu_add(struct stats_smmu_count *c, const struct event *ev)
{
    if (!c)
        return;
    switch (ev->type) {
    case EV_SMMU_XLATE:
        c->transactions++;
        c->bytes += ev->u.smmu.size;
        /* A translating Config that looked nothing up (S1DSS bypass with stage 2 off: no hit and
         * no descriptor read, which every walk makes) is a bypass too, as the SMMU counts it. */
        if (ev->u.smmu.config == SMMU_STE_CONFIG_BYPASS ||
            (smmu_translates(ev->u.smmu.config) && !ev->u.smmu.tlb_hit && !ev->u.smmu.walk_accesses)) {
            c->bypassed++;
        } else if (smmu_translates(ev->u.smmu.config)) {
            c->tlb_lookups++;
            if (ev->u.smmu.tlb_hit) {
                c->tlb_hits++;
            } else {
                c->walks++;
                c->walk_accesses += ev->u.smmu.walk_accesses;
            }
        }
        break;
    case EV_SMMU_WALK:
        c->walk_reads++;
        break;
    case EV_SMMU_EVENT:
        c->faults++;
        break;
    default:
        break;
    }
}

void stats_smmu_count(struct stats_smmu *s, const struct event *ev)
{
    switch (ev->type) {
    case EV_SMMU_CMD:
        s->seen = true;
        s->commands++;
        s->commands_by_opcode[ev->u.smmu.opcode & 0xff]++;
        return;
    case EV_SMMU_EVENT:
        s->events_by_type[ev->u.smmu.event_id & 0xff]++;
        if (ev->u.smmu.recorded)
            s->events_recorded++;
        else
            s->events_lost++;
        break;
    case EV_SMMU_XLATE:
    case EV_SMMU_WALK:
        break;
    default:
        return;
    }
    s->seen = true;
    smmu_add(&s->total, ev);
    smmu_add(smmu_row(s->sids, &s->n_sids, ev->u.smmu.sid, &s->unlisted), ev);
    if (smmu_translates(ev->u.smmu.config))
        smmu_add(smmu_row(s->vmids, &s->n_vmids, ev->u.smmu.vmid, &s->unlisted), ev);
}

static void smmu_count_json(FILE *f, const struct stats_smmu_count *c)
{
    fprintf(f, "\"transactions\": %llu, \"bytes\": %llu, \"bypassed\": %llu, \"tlb_lookups\": %llu, "
            "\"tlb_hits\": %llu, \"walks\": %llu, \"walk_accesses\": %llu, \"walk_reads\": %llu, \"faults\": %llu",
            (unsigned long long)c->transactions, (unsigned long long)c->bytes, (unsigned long long)c->bypassed,
            (unsigned long long)c->tlb_lookups, (unsigned long long)c->tlb_hits, (unsigned long long)c->walks,
            (unsigned long long)c->walk_accesses, (unsigned long long)c->walk_reads, (unsigned long long)c->faults);
}

/* {"NAME": count, ...} of a by-code table; codes without a name as "0xNN". */
static void smmu_names_json(FILE *f, const uint64_t *by_code, const char *(*name_of)(unsigned))
{
    int n = 0;
    fputc('{', f);
    for (unsigned k = 0; k < 256; k++) {
        if (!by_code[k])
            continue;
        const char *name = name_of(k);
        if (name)
            fprintf(f, "%s\"%s\": %llu", n++ ? ", " : "", name, (unsigned long long)by_code[k]);
        else
            fprintf(f, "%s\"0x%02x\": %llu", n++ ? ", " : "", k, (unsigned long long)by_code[k]);
    }
    fputc('}', f);
}

static int cmp_smmu_id(const void *a, const void *b)
{
    const struct stats_smmu_count *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void smmu_rows_json(FILE *f, const char *name, const char *key, const struct stats_smmu_count *rows,
                           unsigned n)
{
    struct stats_smmu_count sorted[STATS_SMMU_MAX_IDS];
    memcpy(sorted, rows, n * sizeof *rows);
    qsort(sorted, n, sizeof *sorted, cmp_smmu_id);
    fprintf(f, "    \"%s\": [", name);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%s\n      {\"%s\": %u, ", i ? "," : "", key, sorted[i].id);
        smmu_count_json(f, &sorted[i]);
        fputc('}', f);
    }
    fprintf(f, "%s]", n ? "\n    " : "");
}

void stats_smmu_write_json(FILE *f, const struct stats_smmu *s)
{
    if (!s->seen)
        return;
    fprintf(f, "  \"smmu\": {\n    ");
    smmu_count_json(f, &s->total);
    fprintf(f, ",\n    \"events_recorded\": %llu, \"events_lost\": %llu, \"events\": ",
            (unsigned long long)s->events_recorded, (unsigned long long)s->events_lost);
    smmu_names_json(f, s->events_by_type, smmu_event_name);
    fprintf(f, ",\n    \"commands\": %llu, \"commands_by_opcode\": ", (unsigned long long)s->commands);
    smmu_names_json(f, s->commands_by_opcode, smmu_cmd_name);
    fprintf(f, ",\n");
    if (s->unlisted)
        fprintf(f, "    \"unlisted\": %llu,\n", (unsigned long long)s->unlisted);
    smmu_rows_json(f, "streams", "sid", s->sids, s->n_sids);
    fprintf(f, ",\n");
    smmu_rows_json(f, "vms", "vmid", s->vmids, s->n_vmids);
    fprintf(f, "\n  },\n");
}

static void on_event(void *opaque, const struct event *ev)
{
    struct stats *s = opaque;
    switch (ev->type) {
    case EV_EXCEPTION: {
        count_vm(s, ev);
        for (int i = 0; i < s->n_exc; i++) {
            struct exception_count *c = &s->exc[i];
            if (c->ec == ev->u.exc.ec && c->from_el == ev->u.exc.from_el && c->to_el == ev->u.exc.to_el) {
                c->count++;
                return;
            }
        }
        if (s->n_exc < (int)(sizeof s->exc / sizeof s->exc[0]))
            s->exc[s->n_exc++] = (struct exception_count){ ev->u.exc.ec, ev->u.exc.from_el,
                                                           ev->u.exc.to_el, 1 };
        break;
    }
    case EV_ERET:
        s->erets++;
        end_exit(s, ev);
        break;
    case EV_WFI: s->wfis++; break;
    case EV_SYSREG_TRAP: s->sysreg_traps++; break;
    case EV_SMMU_XLATE:
    case EV_SMMU_WALK:
    case EV_SMMU_EVENT:
    case EV_SMMU_CMD:
        stats_smmu_count(&s->smmu, ev);
        break;
    default: break;
    }
}

void stats_subscribe(struct stats *s, struct event_bus *bus, struct machine *m, bool split_exits)
{
    s->m = m;
    s->counting = split_exits ? m : NULL;
    for (unsigned i = 0; i < m->n_pes; i++)
        m->pes[i].count_classes = false;
    event_subscribe(bus, (1u << EV_EXCEPTION) | (1u << EV_ERET) | (1u << EV_WFI) | (1u << EV_SYSREG_TRAP) |
                    (1u << EV_SMMU_XLATE) | (1u << EV_SMMU_WALK) | (1u << EV_SMMU_EVENT) | (1u << EV_SMMU_CMD),
                    on_event, s);
}

/* What stats_write_json reports for the whole machine. */
struct machine_totals {
    const struct cpu_model *model;
    uint64_t insns, cycles, idle_cycles, insns_by_el[3], decodes, flushes;
    uint64_t fills, tlb_hits, walks, walk_accesses, walk_cache_hits, faults, tlbis, unicorn_flushes;
    uint64_t unicorn_fills, unicorn_fills_by_reason[4], unicorn_grow_flushes;
    struct tlb_stats tlb;
    struct mmu_ctx_stats ctx_stats[PE_MMU_MAX_CTX_STATS];
    int n_ctx_stats;
};

static void totals_of(const struct machine *m, struct machine_totals *t)
{
    memset(t, 0, sizeof *t);
    t->model = m->pes[0].model;
    for (unsigned i = 0; i < m->n_pes; i++) {
        const struct pe *p = &m->pes[i];
        const struct pe_mmu *mm = &p->mmu;
        t->insns += p->insns;
        if (p->cycles > t->cycles)
            t->cycles = p->cycles;
        t->idle_cycles += p->idle_cycles;
        for (int el = 0; el < 3; el++)
            t->insns_by_el[el] += p->insns_by_el[el];
        t->decodes += p->blocks.decodes;
        t->flushes += p->blocks.flushes;
        t->fills += mm->fills;
        t->tlb_hits += mm->tlb_hits;
        t->walks += mm->walks;
        t->walk_accesses += mm->walk_accesses;
        t->walk_cache_hits += mm->walk_cache_hits;
        t->faults += mm->faults;
        t->tlbis += mm->tlbis;
        t->unicorn_flushes += mm->unicorn_flushes;
        t->unicorn_fills += mm->unicorn_fills;
        t->unicorn_grow_flushes += mm->unicorn_grow_flushes;
        for (int r = 0; r < 4; r++)
            t->unicorn_fills_by_reason[r] += mm->unicorn_fills_by_reason[r];
        const struct tlb_stats *s = &mm->tlb.stats;
        t->tlb.lookups += s->lookups;
        t->tlb.l1_hits += s->l1_hits;
        t->tlb.l2_hits += s->l2_hits;
        t->tlb.misses += s->misses;
        t->tlb.fills += s->fills;
        t->tlb.evictions += s->evictions;
        t->tlb.invalidated += s->invalidated;
        /* Translation contexts: the same regime, VMID and ASID on two PEs is one context. */
        for (int c = 0; c < mm->n_ctx_stats; c++) {
            const struct mmu_ctx_stats *x = &mm->ctx_stats[c];
            int j = 0;
            while (j < t->n_ctx_stats && !(t->ctx_stats[j].regime == x->regime && t->ctx_stats[j].vmid == x->vmid &&
                                           t->ctx_stats[j].asid == x->asid))
                j++;
            if (j == t->n_ctx_stats) {
                if (j == PE_MMU_MAX_CTX_STATS)
                    continue;
                t->ctx_stats[t->n_ctx_stats++] = (struct mmu_ctx_stats){ .regime = x->regime, .vmid = x->vmid,
                                                                         .asid = x->asid };
            }
            struct mmu_ctx_stats *y = &t->ctx_stats[j];
            y->fills += x->fills;
            y->tlb_hits += x->tlb_hits;
            y->walks += x->walks;
            y->walk_accesses += x->walk_accesses;
            y->faults += x->faults;
        }
    }
}

int stats_write_json(const struct stats *s, const struct machine *m, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    /* Machine-wide figures: counts summed over the PEs, cycles = the
     * simulated time (the furthest PE clock); per PE in "pes". */
    struct machine_totals t;
    totals_of(m, &t);
    const struct machine_totals *pe = &t;
    double sim_seconds = (double)pe->cycles / (double)pe->model->clock_hz;
    fprintf(f, "{\n  \"cpu_model\": \"%s\",\n  \"clock_hz\": %llu,\n", pe->model->name,
            (unsigned long long)pe->model->clock_hz);
    fprintf(f, "  \"instructions\": %llu,\n  \"cycles\": %llu,\n  \"idle_cycles\": %llu,\n"
            "  \"simulated_seconds\": %.9f,\n",
            (unsigned long long)pe->insns, (unsigned long long)pe->cycles, (unsigned long long)pe->idle_cycles,
            sim_seconds);
    fprintf(f, "  \"host_seconds\": %.6f,\n  \"guest_mips\": %.2f,\n", m->host_seconds,
            m->host_seconds > 0 ? (double)pe->insns / m->host_seconds / 1e6 : 0.0);
    fprintf(f, "  \"instructions_by_el\": {\"el0\": %llu, \"el1\": %llu, \"el2\": %llu},\n",
            (unsigned long long)pe->insns_by_el[0], (unsigned long long)pe->insns_by_el[1],
            (unsigned long long)pe->insns_by_el[2]);
    fprintf(f, "  \"erets\": %llu,\n  \"wfi\": %llu,\n  \"sysreg_traps\": %llu,\n  \"resets\": %u,\n",
            (unsigned long long)s->erets, (unsigned long long)s->wfis,
            (unsigned long long)s->sysreg_traps, m->resets);
    /* dma_code_drops: pages (per PE) whose translated code a DMA write dropped (sim/machine.c bus_write). */
    fprintf(f, "  \"blocks\": {\"decoded\": %llu, \"cache_flushes\": %llu, \"dma_code_drops\": %llu},\n",
            (unsigned long long)pe->decodes, (unsigned long long)pe->flushes,
            (unsigned long long)m->dma_code_drops);
    const struct machine_totals *mm = &t;
    const struct tlb_stats *ts = &t.tlb;
    fprintf(f, "  \"mmu\": {\n    \"fills\": %llu, \"tlb_hits_on_fill\": %llu, \"walks\": %llu, "
            "\"walk_accesses\": %llu, \"walk_cache_hits\": %llu, \"faults\": %llu, \"tlbi\": %llu, "
            "\"unicorn_tlb_flushes\": %llu,\n",
            (unsigned long long)mm->fills, (unsigned long long)mm->tlb_hits, (unsigned long long)mm->walks,
            (unsigned long long)mm->walk_accesses, (unsigned long long)mm->walk_cache_hits,
            (unsigned long long)mm->faults,
            (unsigned long long)mm->tlbis, (unsigned long long)mm->unicorn_flushes);
    fprintf(f, "    \"tlb\": {\"lookups\": %llu, \"l1_hits\": %llu, \"l2_hits\": %llu, \"misses\": %llu, "
            "\"fills\": %llu, \"evictions\": %llu, \"invalidated\": %llu},\n",
            (unsigned long long)ts->lookups, (unsigned long long)ts->l1_hits, (unsigned long long)ts->l2_hits,
            (unsigned long long)ts->misses, (unsigned long long)ts->fills, (unsigned long long)ts->evictions,
            (unsigned long long)ts->invalidated);
    /* Unicorn's TLB-fill hook (pe_mmu.c): its calls, with translation off, for a
     * translation's first use since Unicorn's TLB was flushed, again, refused. */
    fprintf(f, "    \"unicorn_tlb_fills\": {\"total\": %llu, \"translation_off\": %llu, \"first_use\": %llu, "
            "\"again\": %llu, \"refused\": %llu, \"flushes_to_grow\": %llu},\n",
            (unsigned long long)mm->unicorn_fills, (unsigned long long)mm->unicorn_fills_by_reason[0],
            (unsigned long long)mm->unicorn_fills_by_reason[1], (unsigned long long)mm->unicorn_fills_by_reason[2],
            (unsigned long long)mm->unicorn_fills_by_reason[3], (unsigned long long)mm->unicorn_grow_flushes);
    fprintf(f, "    \"contexts\": [");
    for (int i = 0; i < mm->n_ctx_stats; i++) {
        const struct mmu_ctx_stats *c = &mm->ctx_stats[i];
        fprintf(f, "%s\n      {\"regime\": \"%s\", \"vmid\": %u, \"asid\": %u, \"fills\": %llu, "
                "\"tlb_hits_on_fill\": %llu, \"walks\": %llu, \"walk_accesses\": %llu, \"faults\": %llu}",
                i ? "," : "", c->regime == 2 ? "EL2&0" : c->regime ? "EL2" : "EL1&0", c->vmid, c->asid, (unsigned long long)c->fills,
                (unsigned long long)c->tlb_hits, (unsigned long long)c->walks,
                (unsigned long long)c->walk_accesses, (unsigned long long)c->faults);
    }
    fprintf(f, "%s]\n  },\n", mm->n_ctx_stats ? "\n    " : "");
    fprintf(f, "  \"pes\": [");
    for (unsigned i = 0; i < m->n_pes; i++) {
        const struct pe *p = &m->pes[i];
        fprintf(f, "%s\n    {\"index\": %u, \"mpidr\": %llu, \"instructions\": %llu, \"cycles\": %llu, "
                "\"idle_cycles\": %llu, \"exceptions\": %llu, \"tlb_fills\": %llu, \"walks\": %llu}",
                i ? "," : "", i, (unsigned long long)p->mpidr, (unsigned long long)p->insns,
                (unsigned long long)p->cycles, (unsigned long long)p->idle_cycles,
                (unsigned long long)p->exceptions_taken, (unsigned long long)p->mmu.fills,
                (unsigned long long)p->mmu.walks);
    }
    fprintf(f, "\n  ],\n");
    if (m->gic) {
        const struct gic_stats *gs = gic_get_stats(m->gic);
        fprintf(f, "  \"gic\": {\"virtual_acknowledged\": %llu, \"maintenance\": %llu, \"lr_writes\": %llu, "
                "\"lpis_raised\": %llu, \"lpis_acknowledged\": %llu, \"its_commands\": %llu, \"its_errors\": %llu, "
                "\"interrupts\": [", (unsigned long long)gs->virtual_acknowledged,
                (unsigned long long)gs->maintenance, (unsigned long long)gs->lr_writes,
                (unsigned long long)gs->lpi_raised, (unsigned long long)gs->lpi_acknowledged,
                (unsigned long long)gs->its_commands, (unsigned long long)gs->its_errors);
        int n = 0;
        for (unsigned i = 0; i < GIC_NUM_IRQS; i++)
            if (gs->raised[i] || gs->acknowledged[i])
                fprintf(f, "%s\n    {\"intid\": %u, \"raised\": %llu, \"acknowledged\": %llu}", n++ ? "," : "",
                        i, (unsigned long long)gs->raised[i], (unsigned long long)gs->acknowledged[i]);
        fprintf(f, "%s]},\n", n ? "\n  " : "");
    }
    /* The SMMU, when it did anything: per StreamID and per VMID. */
    stats_smmu_write_json(f, &s->smmu);
    /* Per VM: exits, and the completed ones by class with the cycles until the VM ran again. */
    fprintf(f, "  \"vms\": [");
    for (int i = 0; i < s->n_vm; i++) {
        const struct vm_count *v = &s->vm[i];
        fprintf(f, "%s\n    {\"vmid\": %d, \"exits_to_el2\": %llu, \"virtual_interrupts\": %llu, "
                "\"exit_cycles\": %llu, \"exits\": [", i ? "," : "", v->vmid, (unsigned long long)v->exits_to_el2,
                (unsigned long long)v->virtual_interrupts, (unsigned long long)v->exit_cycles);
        for (int j = 0; j < v->n_classes; j++) {
            fprintf(f, "%s\n      {\"ec\": %u, \"name\": \"%s\", \"count\": %llu, \"cycles\": %llu, \"cycles_by_source\": {",
                    j ? "," : "", v->by_class[j].ec, esr_ec_name(v->by_class[j].ec),
                    (unsigned long long)v->by_class[j].count, (unsigned long long)v->by_class[j].cycles);
            static const char *const other[] = { "exception_entry", "eret", "walks", "tlb_l2_hits", "idle" };
            int n = 0;
            for (int c = 0; c < SRC_COUNT; c++)
                if (v->by_class[j].by_source[c])
                    fprintf(f, "%s\"%s\": %llu", n++ ? ", " : "",
                            c < IC_COUNT ? insn_class_name((enum insn_class)c) : other[c - IC_COUNT],
                            (unsigned long long)v->by_class[j].by_source[c]);
            fprintf(f, "}}");
        }
        fprintf(f, "%s]}", v->n_classes ? "\n    " : "");
    }
    fprintf(f, "%s],\n", s->n_vm ? "\n  " : "");
    fprintf(f, "  \"exceptions\": [");
    for (int i = 0; i < s->n_exc; i++) {
        const struct exception_count *c = &s->exc[i];
        fprintf(f, "%s\n    {\"ec\": %u, \"name\": \"%s\", \"from_el\": %u, \"to_el\": %u, \"count\": %llu}",
                i ? "," : "", c->ec, esr_ec_name(c->ec), c->from_el, c->to_el, (unsigned long long)c->count);
    }
    fprintf(f, "%s]\n}\n", s->n_exc ? "\n  " : "");
    int bad = ferror(f);                 /* a write that failed before the last one */
    return fclose(f) == 0 && !bad ? 0 : -1;
}

static void on_trace(void *opaque, const struct event *ev)
{
    struct exception_tracer *t = opaque;
    double us = (double)ev->cycles * 1e6 / (double)t->clock_hz;
    if (t->show_pe && (ev->type == EV_EXCEPTION || ev->type == EV_ERET))
        fprintf(t->out, "PE%u ", ev->pe);
    if (ev->type == EV_EXCEPTION) {
        fprintf(t->out, "[%12.3f us] EL%u->EL%u %-13s pc=0x%016llx esr=0x%08llx iss=0x%07x",
                us, ev->u.exc.from_el, ev->u.exc.to_el, esr_ec_name(ev->u.exc.ec),
                (unsigned long long)ev->pc, (unsigned long long)ev->u.exc.esr, ev->u.exc.iss);
        if (ev->u.exc.far_valid)
            fprintf(t->out, " far=0x%016llx", (unsigned long long)ev->u.exc.far);
        if (ev->u.exc.hpfar_valid)
            fprintf(t->out, " hpfar=0x%llx", (unsigned long long)ev->u.exc.hpfar);
        if (ev->u.exc.insn_valid)
            fprintf(t->out, " insn=0x%08x", ev->u.exc.insn);
        fprintf(t->out, " vector=0x%llx\n", (unsigned long long)ev->u.exc.vector);
    } else if (ev->type == EV_ERET) {
        fprintf(t->out, "[%12.3f us] EL%u->EL%u ERET          pc=0x%016llx\n", us, ev->u.eret.from_el,
                ev->u.eret.to_el, (unsigned long long)ev->u.eret.target);
    }
}

void exception_tracer_subscribe(struct exception_tracer *t, struct event_bus *bus, FILE *out,
                                uint64_t clock_hz)
{
    t->out = out;
    t->clock_hz = clock_hz;
    event_subscribe(bus, (1u << EV_EXCEPTION) | (1u << EV_ERET), on_trace, t);
}
