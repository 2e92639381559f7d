/* `avsim trace dump|stats`: a trace file (traces/trace.h) as text, one record
 * a line, or summarised. Both read the whole file through the validating
 * reader; a truncated or corrupt file is reported (exit 2) after whatever
 * could be read before the damage. */
#include "traces/tools.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/tlb.h"
#include "sim/events.h"
#include "smmu/smmu_names.h"
#include "traces/trace.h"

#define TOOL "avsim trace"
#define EXIT_USAGE 2

/* ---- Names ---- */

static const char *const tlbi_op_names[] = {
    [TLBI_VMALLE1] = "VMALLE1",     [TLBI_VAE1] = "VAE1",         [TLBI_VALE1] = "VALE1",
    [TLBI_VAAE1] = "VAAE1",         [TLBI_VAALE1] = "VAALE1",     [TLBI_ASIDE1] = "ASIDE1",
    [TLBI_IPAS2E1] = "IPAS2E1",     [TLBI_IPAS2LE1] = "IPAS2LE1", [TLBI_VMALLS12E1] = "VMALLS12E1",
    [TLBI_ALLE1] = "ALLE1",         [TLBI_ALLE2] = "ALLE2",       [TLBI_VAE2] = "VAE2",
    [TLBI_VALE2] = "VALE2",
};

static const char *const irq_kind_names[] = {
    [GIC_EV_RAISED] = "raised",         [GIC_EV_ACK] = "ack",           [GIC_EV_EOI] = "eoi",
    [GIC_EV_DEACTIVATE] = "deactivate", [GIC_EV_LR_WRITE] = "lr_write", [GIC_EV_MAINTENANCE] = "maintenance",
    [GIC_EV_VIRQ_SIGNALLED] = "virq_signalled", [GIC_EV_ITS_CMD] = "its_cmd",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A name from a table, or the number in a small per-call buffer when unknown. */
static const char *table_name(const char *const *table, size_t n, unsigned v, char *buf, size_t len)
{
    if (v < n && table[v])
        return table[v];
    snprintf(buf, len, "%u", v);
    return buf;
}

/* STE.Config (IHI 0070, 5.2 "Stream Table Entry"): 0b0xx abort, 0b100 bypass, then stage 1, 2, both. */
static const char *const smmu_config_names[8] = { "abort", "abort", "abort", "abort", "bypass", "s1", "s2", "nested" };

/* An SMMU name (event record type, command) or the number in hex. */
static const char *smmu_name(const char *name, unsigned v, char *buf, size_t len)
{
    if (name)
        return name;
    snprintf(buf, len, "0x%02x", v);
    return buf;
}

static const char *regime_name(unsigned regime)
{
    return regime == 2 ? "el20" : regime ? "el2" : "el10";
}

/* ---- dump: one printer per record type ---- */

typedef void (*record_printer)(FILE *out, const struct trace_record *r);

static void print_tags(FILE *out, const struct trace_record *r)
{
    fprintf(out, " el=%u regime=%s vmid=%u asid=%u%s", r->el, regime_name(r->regime), r->vmid, r->asid,
            r->flags & TRF_S2_ON ? " s2" : "");
}

static void print_triple(FILE *out, const struct trace_record *r, const char *pa_name)
{
    fprintf(out, " va=0x%" PRIx64 " ipa=0x%" PRIx64 " %s=0x%" PRIx64, r->va, r->ipa, pa_name, r->pa);
}

static void print_block(FILE *out, const struct trace_record *r)
{
    print_tags(out, r);
    fprintf(out, " size=%" PRIu32, r->size);
    print_triple(out, r, "pa");
}

static void print_data(FILE *out, const struct trace_record *r)
{
    print_tags(out, r);
    fprintf(out, " %s size=%" PRIu32, r->flags & TRF_WRITE ? "w" : "r", r->size);
    print_triple(out, r, "pa");
}

static void print_exception(FILE *out, const struct trace_record *r)
{
    fprintf(out, " el%u->el%u ec=0x%" PRIx32 " iss=0x%" PRIx32 " elr=0x%" PRIx64, r->from_el, r->to_el, r->ec,
            r->iss, r->va);
    if (r->flags & TRF_FAR_VALID)
        fprintf(out, " far=0x%" PRIx64, r->arg);
    if (r->flags & TRF_S2_ON)
        fprintf(out, " vmid=%u", r->vmid);
}

static void print_eret(FILE *out, const struct trace_record *r)
{
    fprintf(out, " el%u->el%u pc=0x%" PRIx64, r->from_el, r->to_el, r->va);
}

static void print_tlbi(FILE *out, const struct trace_record *r)
{
    char num[16];
    fprintf(out, " el=%u op=%s%s vmid=%u asid=%u va=0x%" PRIx64 " ipa=0x%" PRIx64 " xt=0x%" PRIx64, r->el,
            table_name(tlbi_op_names, COUNT_OF(tlbi_op_names), r->op, num, sizeof num),
            r->flags & TRF_TLBI_IS ? "IS" : "", r->vmid, r->asid, r->va, r->ipa, r->arg);
}

static void print_context(FILE *out, const struct trace_record *r)
{
    print_tags(out, r);
}

static void print_walk(FILE *out, const struct trace_record *r)
{
    print_tags(out, r);
    fprintf(out, " stage=%u level=%d", r->flags & TRF_STAGE2 ? 2 : 1, r->level);
    print_triple(out, r, "desc");
}

static void print_irq(FILE *out, const struct trace_record *r)
{
    char num[16];
    if (r->op == GIC_EV_ITS_CMD) {        /* an ITS command: its number, its error encoding */
        fprintf(out, " its_cmd cmd=0x%02" PRIx32 " error=0x%06" PRIx64, r->intid, r->arg);
        return;
    }
    fprintf(out, " %s intid=%" PRIu32 " target_pe=%" PRIu32 "%s",
            table_name(irq_kind_names, COUNT_OF(irq_kind_names), r->op, num, sizeof num), r->intid, r->target_pe,
            r->flags & TRF_VIRTUAL ? " virtual" : "");
    if (r->arg != UINT64_MAX)
        fprintf(out, " lr=%" PRIu64, r->arg);
}

/* The SMMU records' context: the StreamID, the SubstreamID when there is one. */
static void print_stream(FILE *out, const struct trace_record *r)
{
    fprintf(out, " sid=0x%" PRIx32, r->sid);
    if (r->flags & TRF_SSID)
        fprintf(out, " ssid=0x%" PRIx32, r->ssid);
}

static void print_smmu_xlate(FILE *out, const struct trace_record *r)
{
    print_stream(out, r);
    fprintf(out, " %s %s size=%" PRIu32, smmu_config_names[r->config & 7], r->flags & TRF_WRITE ? "w" : "r",
            r->size);
    if ((r->config & 4) && r->config != 4) {      /* translated: tags, mapping size, hit or walk */
        fprintf(out, " vmid=%u asid=%u page=%u", r->vmid, r->asid, r->page_shift);
        if (r->flags & TRF_SMMU_HIT)
            fputs(" hit", out);
        else
            fprintf(out, " walk=%u", r->walk_refs);
    }
    fprintf(out, " iova=0x%" PRIx64 " ipa=0x%" PRIx64 " pa=0x%" PRIx64, r->va, r->ipa, r->pa);
}

static void print_smmu_walk(FILE *out, const struct trace_record *r)
{
    print_stream(out, r);
    fprintf(out, " vmid=%u asid=%u stage=%u level=%d iova=0x%" PRIx64 " ipa=0x%" PRIx64 " desc=0x%" PRIx64, r->vmid,
            r->asid, r->flags & TRF_STAGE2 ? 2 : 1, r->level, r->va, r->ipa, r->pa);
}

static void print_smmu_event(FILE *out, const struct trace_record *r)
{
    char num[8];
    print_stream(out, r);
    fprintf(out, " %s %s vmid=%u asid=%u stage=%u iova=0x%" PRIx64, smmu_name(smmu_event_name(r->op), r->op, num,
            sizeof num), smmu_config_names[r->config & 7], r->vmid, r->asid, r->flags & TRF_EVT_STAGE2 ? 2 : 1,
            r->va);
    if (r->flags & TRF_EVT_STAGE2)
        fprintf(out, " ipa=0x%" PRIx64, r->ipa);
    fputs(r->flags & TRF_EVT_RECORDED ? " recorded" : " not-recorded", out);
}

/* A command: its name, then the fields of the common ones (IHI 0070, 4.x:
 * StreamID in word 0 [63:32]; TLBI: VMID [47:32], ASID [63:48] of word 0,
 * Leaf bit 0 and the address [63:12] of word 1), then both raw words. */
static void print_smmu_cmd(FILE *out, const struct trace_record *r)
{
    char num[8];
    unsigned op = r->op;
    fprintf(out, " %s", smmu_name(smmu_cmd_name(op), op, num, sizeof num));
    if (op >= 0x01 && op <= 0x06)             /* PREFETCH_*, CFGI_STE, _STE_RANGE, _CD, _CD_ALL */
        fprintf(out, " sid=0x%" PRIx64, r->arg >> 32);
    else if (op >= 0x10 && op <= 0x2a)        /* TLBI_NH_*, EL2_*, S12_VMALL, S2_IPA */
        fprintf(out, " vmid=%u asid=%u addr=0x%" PRIx64 "%s", (unsigned)(r->arg >> 32) & 0xffff,
                (unsigned)(r->arg >> 48), r->arg2 & ~UINT64_C(0xfff), r->arg2 & 1 ? " leaf" : "");
    fprintf(out, " cmd=0x%016" PRIx64 ",0x%016" PRIx64, r->arg, r->arg2);
}

static const record_printer printers[TR_TYPE_MAX + 1] = {
    [TR_BLOCK] = print_block, [TR_DATA] = print_data,       [TR_EXCEPTION] = print_exception,
    [TR_ERET] = print_eret,   [TR_TLBI] = print_tlbi,       [TR_CONTEXT] = print_context,
    [TR_WALK] = print_walk,   [TR_IRQ] = print_irq,
    [TR_SMMU_XLATE] = print_smmu_xlate, [TR_SMMU_WALK] = print_smmu_walk, [TR_SMMU_EVENT] = print_smmu_event,
    [TR_SMMU_CMD] = print_smmu_cmd,
};

/* Record type names as printed: singular, one word. */
static const char *const record_names[TR_TYPE_MAX + 1] = {
    [TR_BLOCK] = "block", [TR_DATA] = "data", [TR_EXCEPTION] = "exception", [TR_ERET] = "eret",
    [TR_TLBI] = "tlbi",   [TR_CONTEXT] = "context", [TR_WALK] = "walk", [TR_IRQ] = "irq",
    [TR_SMMU_XLATE] = "smmu_xlate", [TR_SMMU_WALK] = "smmu_walk", [TR_SMMU_EVENT] = "smmu_event",
    [TR_SMMU_CMD] = "smmu_cmd",
};

/* The number of PEs the machine description names ("pes": N; a one-PE
 * machine leaves the field out), 1 without one. */
static unsigned described_pes(const struct trace_reader *rd)
{
    const char *p = strstr(trace_reader_machine(rd), "\"pes\":");
    if (!p)
        return 1;
    unsigned long n = strtoul(p + 6, NULL, 10);
    return n >= 1 && n <= TRACE_PES_MAX ? (unsigned)n : 1;
}

static void print_header(FILE *out, const struct trace_reader *rd)
{
    const char *desc = trace_reader_machine(rd);
    fputs("# machine: ", out);
    if (!*desc)
        fputs("(none)", out);
    for (const char *p = desc; *p; p++)
        fputc(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p, out);
    fputs("\n# events:", out);
    uint32_t mask = trace_reader_class_mask(rd);
    const char *sep = " ";
    for (unsigned t = 1; t <= TR_TYPE_MAX; t++) {
        if (mask & (1u << t)) {
            fprintf(out, "%s%s", sep, trace_type_name(t));
            sep = ",";
        }
    }
    if (!mask)
        fputs(" (none)", out);
    fputc('\n', out);
}

/* ---- Options ---- */

struct tool_opts {
    const char *file;
    struct trace_filter filter;
    uint64_t limit;           /* UINT64_MAX: none */
    bool help;
};

static int parse_uint(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        goto bad;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, TOOL ": %s: '%s' is not a number from 0 to %" PRIu64 "\n", opt, s, max);
    return -1;
}

static int opt_events(struct tool_opts *o, const char *v)
{
    char err[256];
    if (trace_parse_classes(v, &o->filter.classes, err, sizeof err) != 0) {
        fprintf(stderr, TOOL ": --events: %s\n", err);
        return -1;
    }
    return 0;
}

static int opt_el(struct tool_opts *o, const char *v)
{
    uint64_t n;
    if (parse_uint("--el", v, 3, &n) != 0)
        return -1;
    o->filter.el = (int)n;
    return 0;
}

static int opt_vmid(struct tool_opts *o, const char *v)
{
    uint64_t n;
    if (parse_uint("--vmid", v, UINT16_MAX, &n) != 0)
        return -1;
    o->filter.vmid = (int)n;
    return 0;
}

static int opt_pe(struct tool_opts *o, const char *v)
{
    uint64_t n;
    if (parse_uint("--pe", v, TRACE_PES_MAX - 1, &n) != 0)
        return -1;
    o->filter.pe = (int)n;
    return 0;
}

static int opt_sid(struct tool_opts *o, const char *v)
{
    uint64_t n;
    if (parse_uint("--sid", v, UINT32_MAX, &n) != 0)
        return -1;
    o->filter.sid = (int64_t)n;
    return 0;
}

static int opt_limit(struct tool_opts *o, const char *v)
{
    return parse_uint("--limit", v, UINT64_MAX - 1, &o->limit);
}

struct option_def {
    const char *name;                 /* "--events" */
    int (*set)(struct tool_opts *o, const char *value);
    bool dump_only;
};

static const struct option_def options[] = {
    { "--events", opt_events, false },
    { "--el", opt_el, false },
    { "--vmid", opt_vmid, false },
    { "--pe", opt_pe, false },
    { "--sid", opt_sid, false },
    { "--limit", opt_limit, true },
};

static void usage(FILE *out)
{
    fputs("usage: avsim trace dump [--events=LIST] [--el=N] [--vmid=N] [--pe=N] [--sid=N] [--limit=N] FILE\n"
          "       avsim trace stats [--events=LIST] [--el=N] [--vmid=N] [--pe=N] [--sid=N] FILE\n"
          "  dump          print one record per line: time (cycles), pe=N (traces of\n"
          "                several PEs), type, fields\n"
          "  stats         summarise: records per class, EL and VMID, reads/writes,\n"
          "                VMID/ASID switches, exceptions by EC, time span; records\n"
          "                per PE and class when several PEs produced records; SMMU\n"
          "                translations, walks, event records and commands per StreamID\n"
          "  --events=LIST only these classes: blocks,data,exceptions,erets,tlbi,\n"
          "                context,walks,irq,smmu_xlate,smmu_walks,smmu_events,\n"
          "                smmu_cmds, smmu (the four smmu_* classes) or all\n"
          "  --el=N        records at ELN (exceptions, ERETs: from or to ELN;\n"
          "                IRQ and SMMU records have no EL and are left out)\n"
          "  --vmid=N      records tagged with VMID N (blocks, data, walks, context,\n"
          "                tlbi, exceptions, SMMU translations, walks, event records)\n"
          "  --pe=N        records produced by PE N\n"
          "  --sid=N       SMMU records of StreamID N (translations, walks, event\n"
          "                records; commands name no stream and are left out)\n"
          "  --limit=N     dump: stop after N records\n"
          "Exit status: 0, or 2 for bad usage or a missing, foreign, truncated or\n"
          "corrupt trace (dump first prints the records before the damage).\n",
          out);
}

/* Returns 0, or -1 after a message on stderr. */
static int parse_args(int argc, char **argv, bool is_dump, struct tool_opts *o)
{
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_files && strcmp(a, "--help") == 0) {
            o->help = true;
            return 0;
        }
        if (!only_files && strcmp(a, "--") == 0) {
            only_files = true;
            continue;
        }
        if (!only_files && a[0] == '-' && a[1] != '\0') {
            const struct option_def *def = NULL;
            size_t n = strcspn(a, "=");
            for (size_t k = 0; k < COUNT_OF(options) && !def; k++)
                if (strlen(options[k].name) == n && strncmp(a, options[k].name, n) == 0)
                    def = &options[k];
            if (!def || (def->dump_only && !is_dump)) {
                fprintf(stderr, TOOL ": unknown option '%s' for %s (see --help)\n", a, argv[0]);
                return -1;
            }
            if (a[n] != '=') {
                fprintf(stderr, TOOL ": %s needs a value (%s=...)\n", def->name, def->name);
                return -1;
            }
            if (def->set(o, a + n + 1) != 0)
                return -1;
            continue;
        }
        if (o->file) {
            fprintf(stderr, TOOL ": one trace file only ('%s' and '%s')\n", o->file, a);
            return -1;
        }
        o->file = a;
    }
    if (!o->file) {
        fprintf(stderr, TOOL ": %s needs a trace FILE (see --help)\n", argv[0]);
        return -1;
    }
    return 0;
}

/* ---- stats ---- */

struct ec_count {
    uint32_t ec;
    uint64_t count;
};

/* One StreamID's SMMU records. */
struct sid_count {
    uint32_t sid;
    uint64_t xlates, bytes, bypassed, hits, walks, walk_refs, walk_reads, events;
};

struct trace_stats {
    uint64_t total;
    uint64_t by_class[TR_TYPE_MAX + 1];
    uint64_t by_el[4];
    uint64_t by_vmid[UINT16_MAX + 1];     /* EL1&0 blocks, data, walks */
    uint64_t reads, writes;
    uint64_t vmid_switches, asid_switches;          /* each PE's context against its previous one */
    struct {
        uint64_t by_class[TR_TYPE_MAX + 1];
        uint64_t total;
        bool have_context;
        uint16_t last_vmid, last_asid;
    } by_pe[TRACE_PES_MAX];
    unsigned pes_seen;                               /* highest PE + 1 */
    uint64_t tlbi_by_op[256];
    uint64_t irq_by_kind[256];
    struct ec_count *ecs;
    size_t n_ecs, cap_ecs;
    uint64_t tmin, tmax;
    uint64_t smmu_events_by_type[256], smmu_cmds_by_op[256];
    struct sid_count *sids;
    size_t n_sids, cap_sids;
};

static struct sid_count *stats_sid(struct trace_stats *s, uint32_t sid)
{
    for (size_t i = 0; i < s->n_sids; i++)
        if (s->sids[i].sid == sid)
            return &s->sids[i];
    if (s->n_sids == s->cap_sids) {
        size_t cap = s->cap_sids ? 2 * s->cap_sids : 16;
        struct sid_count *n = realloc(s->sids, cap * sizeof *n);
        if (!n)
            return NULL;
        s->sids = n;
        s->cap_sids = cap;
    }
    s->sids[s->n_sids] = (struct sid_count){ .sid = sid };
    return &s->sids[s->n_sids++];
}

/* An SMMU record: counted per StreamID (commands by opcode). Returns -1 without memory. */
static int stats_add_smmu(struct trace_stats *s, const struct trace_record *r)
{
    if (r->type == TR_SMMU_CMD) {
        s->smmu_cmds_by_op[r->op]++;
        return 0;
    }
    struct sid_count *c = stats_sid(s, r->sid);
    if (!c)
        return -1;
    switch (r->type) {
    case TR_SMMU_XLATE:
        c->xlates++;
        c->bytes += r->size;
        if (r->config == 4)
            c->bypassed++;
        else if (r->flags & TRF_SMMU_HIT)
            c->hits++;
        else {
            c->walks++;
            c->walk_refs += r->walk_refs;
        }
        break;
    case TR_SMMU_WALK:
        c->walk_reads++;
        break;
    case TR_SMMU_EVENT:
        c->events++;
        s->smmu_events_by_type[r->op]++;
        break;
    default:
        break;
    }
    return 0;
}

static int stats_count_ec(struct trace_stats *s, uint32_t ec)
{
    for (size_t i = 0; i < s->n_ecs; i++) {
        if (s->ecs[i].ec == ec) {
            s->ecs[i].count++;
            return 0;
        }
    }
    if (s->n_ecs == s->cap_ecs) {
        size_t cap = s->cap_ecs ? 2 * s->cap_ecs : 16;
        struct ec_count *n = realloc(s->ecs, cap * sizeof *n);
        if (!n)
            return -1;
        s->ecs = n;
        s->cap_ecs = cap;
    }
    s->ecs[s->n_ecs++] = (struct ec_count){ ec, 1 };
    return 0;
}

static int stats_add(struct trace_stats *s, const struct trace_record *r)
{
    if (s->total == 0 || r->time < s->tmin)
        s->tmin = r->time;
    if (s->total == 0 || r->time > s->tmax)
        s->tmax = r->time;
    s->total++;
    s->by_class[r->type]++;
    unsigned pe = r->pe < TRACE_PES_MAX ? r->pe : TRACE_PES_MAX - 1;
    s->by_pe[pe].total++;
    s->by_pe[pe].by_class[r->type]++;
    if (pe + 1 > s->pes_seen)
        s->pes_seen = pe + 1;
    if (trace_record_has_el(r->type))
        s->by_el[r->el & 3]++;
    if ((r->type == TR_BLOCK || r->type == TR_DATA || r->type == TR_WALK) && r->regime == 0)
        s->by_vmid[r->vmid]++;
    switch (r->type) {
    case TR_DATA:
        if (r->flags & TRF_WRITE)
            s->writes++;
        else
            s->reads++;
        break;
    case TR_CONTEXT:
        if (s->by_pe[pe].have_context) {
            s->vmid_switches += r->vmid != s->by_pe[pe].last_vmid;
            s->asid_switches += r->asid != s->by_pe[pe].last_asid;
        }
        s->by_pe[pe].have_context = true;
        s->by_pe[pe].last_vmid = r->vmid;
        s->by_pe[pe].last_asid = r->asid;
        break;
    case TR_EXCEPTION:
        return stats_count_ec(s, r->ec);
    case TR_TLBI:
        s->tlbi_by_op[r->op]++;
        break;
    case TR_IRQ:
        s->irq_by_kind[r->op]++;
        break;
    case TR_SMMU_XLATE:
    case TR_SMMU_WALK:
    case TR_SMMU_EVENT:
    case TR_SMMU_CMD:
        return stats_add_smmu(s, r);
    default:
        break;
    }
    return 0;
}

static int cmp_sid(const void *a, const void *b)
{
    const struct sid_count *x = a, *y = b;
    return (x->sid > y->sid) - (x->sid < y->sid);
}

static int cmp_ec(const void *a, const void *b)
{
    const struct ec_count *x = a, *y = b;
    return (x->ec > y->ec) - (x->ec < y->ec);
}

static void stats_print(FILE *out, struct trace_stats *s)
{
    char num[16];
    fprintf(out, "records: %" PRIu64 "\n", s->total);
    if (s->total)
        fprintf(out, "time: %" PRIu64 " .. %" PRIu64 " cycles (span %" PRIu64 ")\n", s->tmin, s->tmax,
                s->tmax - s->tmin);
    fputs("by class:\n", out);
    for (unsigned t = 1; t <= TR_TYPE_MAX; t++)
        fprintf(out, "  %-12s %" PRIu64 "\n", trace_type_name(t), s->by_class[t]);
    if (s->pes_seen > 1) {
        fputs("by PE:        records", out);
        for (unsigned t = 1; t <= TR_TYPE_MAX; t++)
            fprintf(out, " %11s", trace_type_name(t));
        fputc('\n', out);
        for (unsigned pe = 0; pe < s->pes_seen; pe++) {
            fprintf(out, "  pe %-4u %12" PRIu64, pe, s->by_pe[pe].total);
            for (unsigned t = 1; t <= TR_TYPE_MAX; t++)
                fprintf(out, " %11" PRIu64, s->by_pe[pe].by_class[t]);
            fputc('\n', out);
        }
    }
    fputs("by EL (blocks, data, walks, context, tlbi):\n", out);
    for (unsigned el = 0; el < 4; el++)
        fprintf(out, "  el%u          %" PRIu64 "\n", el, s->by_el[el]);
    fputs("by VMID (EL1&0 blocks, data, walks):\n", out);
    for (unsigned v = 0; v <= UINT16_MAX; v++)
        if (s->by_vmid[v])
            fprintf(out, "  vmid %-7u %" PRIu64 "\n", v, s->by_vmid[v]);
    fprintf(out, "data: %" PRIu64 " reads, %" PRIu64 " writes\n", s->reads, s->writes);
    fprintf(out, "context: %" PRIu64 " records, %" PRIu64 " VMID switches, %" PRIu64 " ASID switches\n",
            s->by_class[TR_CONTEXT], s->vmid_switches, s->asid_switches);
    fputs("exceptions by EC:\n", out);
    if (s->n_ecs)                     /* no records: ecs is NULL, which qsort must not get */
        qsort(s->ecs, s->n_ecs, sizeof *s->ecs, cmp_ec);
    for (size_t i = 0; i < s->n_ecs; i++)
        fprintf(out, "  ec 0x%-7" PRIx32 " %" PRIu64 "\n", s->ecs[i].ec, s->ecs[i].count);
    fputs("tlbi by op:\n", out);
    for (unsigned op = 0; op < 256; op++)
        if (s->tlbi_by_op[op])
            fprintf(out, "  %-12s %" PRIu64 "\n",
                    table_name(tlbi_op_names, COUNT_OF(tlbi_op_names), op, num, sizeof num), s->tlbi_by_op[op]);
    fputs("irq by kind:\n", out);
    for (unsigned k = 0; k < 256; k++)
        if (s->irq_by_kind[k])
            fprintf(out, "  %-14s %" PRIu64 "\n",
                    table_name(irq_kind_names, COUNT_OF(irq_kind_names), k, num, sizeof num), s->irq_by_kind[k]);
    /* The SMMU: per StreamID (translated = neither bypassed nor answered by the TLB: walked). */
    fputs("smmu by StreamID: translations, bytes, bypassed, TLB hits, walks, walk reads (from xlate),\n"
          "  walk records, event records\n", out);
    if (s->n_sids)
        qsort(s->sids, s->n_sids, sizeof *s->sids, cmp_sid);
    for (size_t i = 0; i < s->n_sids; i++) {
        const struct sid_count *c = &s->sids[i];
        fprintf(out, "  sid 0x%-6" PRIx32 " %10" PRIu64 " %12" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
                " %8" PRIu64 " %6" PRIu64 "\n", c->sid, c->xlates, c->bytes, c->bypassed, c->hits, c->walks, c->walk_refs,
                c->walk_reads, c->events);
    }
    fputs("smmu event records by type:\n", out);
    for (unsigned k = 0; k < 256; k++)
        if (s->smmu_events_by_type[k])
            fprintf(out, "  %-20s %" PRIu64 "\n", smmu_name(smmu_event_name(k), k, num, sizeof num),
                    s->smmu_events_by_type[k]);
    fputs("smmu commands by opcode:\n", out);
    for (unsigned k = 0; k < 256; k++)
        if (s->smmu_cmds_by_op[k])
            fprintf(out, "  %-20s %" PRIu64 "\n", smmu_name(smmu_cmd_name(k), k, num, sizeof num),
                    s->smmu_cmds_by_op[k]);
}

/* ---- main ---- */

int trace_tool_main(int argc, char **argv)
{
    if (argc < 1 || !argv[0] || (strcmp(argv[0], "dump") != 0 && strcmp(argv[0], "stats") != 0)) {
        if (argc >= 1 && argv[0] && strcmp(argv[0], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (argc >= 1 && argv[0])
            fprintf(stderr, TOOL ": unknown command '%s' (dump or stats)\n", argv[0]);
        else
            fprintf(stderr, TOOL ": missing command (dump or stats)\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    bool is_dump = strcmp(argv[0], "dump") == 0;
    struct tool_opts o = { .limit = UINT64_MAX };
    trace_filter_init(&o.filter);
    if (parse_args(argc, argv, is_dump, &o) != 0)
        return EXIT_USAGE;
    if (o.help) {
        usage(stdout);
        return 0;
    }

    char err[256];
    struct trace_reader *rd = trace_reader_open(o.file, err, sizeof err);
    if (!rd) {
        fprintf(stderr, TOOL ": %s: %s\n", o.file, err);
        return EXIT_USAGE;
    }
    struct trace_stats *s = NULL;
    if (!is_dump && !(s = calloc(1, sizeof *s))) {
        fprintf(stderr, TOOL ": out of memory\n");
        trace_reader_close(rd);
        return EXIT_USAGE;
    }
    if (is_dump)
        print_header(stdout, rd);

    /* dump names the PE of every record when the machine has several (or a record says so). */
    bool several_pes = described_pes(rd) > 1;
    struct trace_record r;
    uint64_t shown = 0;
    int rc = 0;
    while (shown < o.limit && (rc = trace_read(rd, &r, err, sizeof err)) == 1) {
        if (!trace_filter_match(&o.filter, &r))
            continue;
        shown++;
        if (is_dump) {
            several_pes = several_pes || r.pe != 0;
            if (several_pes)
                printf("%" PRIu64 " pe=%" PRIu32 " %s", r.time, r.pe, record_names[r.type]);
            else
                printf("%" PRIu64 " %s", r.time, record_names[r.type]);
            printers[r.type](stdout, &r);
            putchar('\n');
        } else if (stats_add(s, &r) != 0) {
            snprintf(err, sizeof err, "out of memory");
            rc = -1;
            break;
        }
    }
    int status = 0;
    if (shown < o.limit && rc < 0) {
        fflush(stdout);
        fprintf(stderr, TOOL ": %s: %s\n", o.file, err);
        status = EXIT_USAGE;
    } else if (!is_dump) {
        print_header(stdout, rd);
        stats_print(stdout, s);
    }
    if (s) {
        free(s->ecs);
        free(s->sids);
    }
    free(s);
    trace_reader_close(rd);
    if (fflush(stdout) != 0) {
        fprintf(stderr, TOOL ": writing the output failed\n");
        return EXIT_USAGE;
    }
    return status;
}
