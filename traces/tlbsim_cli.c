/* `avsim tlbsim`: the command line of the trace-driven TLB simulator
 * (traces/tlbsim.h). The trace is read once; every simulator (one per
 * configuration, times two modes with --sweep; one struct tlbsim per PE)
 * is fed each record in turn and they share one tlbsim_pe_tables. Results: tables on stdout, JSON
 * (--json), or CSV (--sweep) with an SVG plot written by hand (--plot). */
#include "traces/tlbsim.h"
#include "smmu/smmu.h"
#include "traces/tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACCESS_CLASSES ((1u << TR_BLOCK) | (1u << TR_DATA))
#define SMMU_XLATE_CLASS (1u << TR_SMMU_XLATE)
#define MAX_CONFIGS 256
#define CONFIG_TEXT 160

/* The built-in sweep: every L2 size with every L1D size. */
static const unsigned sweep_l2_entries[] = { 64, 128, 256, 512, 1024, 2048, 4096 };
static const unsigned sweep_l1d_entries[] = { 8, 16, 32, 64, 128 };
#define SWEEP_L2_WAYS 4

static void usage(FILE *f)
{
    fprintf(f,
            "usage: avsim tlbsim [options] TRACE\n"
            "\n"
            "Replays the instruction fetches (blocks) and data accesses of TRACE, recorded by\n"
            "`avsim run --trace=FILE`, through avsim's TLB model: per VMID (and the EL2 regime)\n"
            "and in total, accesses, L1 and L2 hits, misses, walks and their descriptor reads\n"
            "(from the trace's walk records; pages never walked get a model walk, counted as\n"
            "estimated), estimated walk cycles, context-switch flushes, TLBI-removed entries.\n"
            "A trace of several PEs (--smp) is replayed with one TLB per PE (a TLBI ...IS\n"
            "reaches every PE's): the VMID rows sum the PEs, then a line per PE follows.\n"
            "\n"
            "options:\n"
            "  --config=SPEC        a TLB configuration over the one the trace was recorded\n"
            "                       with (avsim run --tlb; the default configuration too):\n"
            "                       l1i=N[:WAYS],l1d=N[:WAYS],l2=N[:WAYS],walk=N,\n"
            "                       repl=lru|fifo|random, s2=N (the separate stage-2 TLB,\n"
            "                       default %u entries); repeat for several configurations\n"
            "  --untagged           no VMID/ASID tags: a context switch flushes the TLB\n"
            "                       (all EL1&0 entries on a new VMID, non-global ones on a\n"
            "                       new ASID); default tagged\n"
            "  --s2=combined|separate\n"
            "                       combined stage 1+2 entries in L1/L2 (default, as the live\n"
            "                       model), or stage-1 entries there and a separate stage-2 TLB\n"
            "  --sweep=FILE.csv     run every --config (default: L2 64..4096 entries x L1D\n"
            "                       8..128) both tagged and untagged (--untagged is moot);\n"
            "                       write one CSV row per configuration, mode and VMID (and\n"
            "                       the total) instead of tables\n"
            "  --plot=FILE.svg      with --sweep: miss rate versus L2 size as an SVG drawing\n"
            "                       (SVG only: no PNG output)\n"
            "  --smmu-tlb=SPEC      the SMMU's TLB, replayed apart from the PEs' from the\n"
            "                       SMMU translation records (smmu_xlate) and TLBI commands\n"
            "                       (smmu_cmds), per StreamID: a configuration in --config's\n"
            "                       syntax (no s2=) over the one the trace names, else the\n"
            "                       SMMU model's default (l1i=16,l1d=32,l2=512:4,walk=128)\n"
            "  --json               results as JSON on stdout instead of tables\n"
            "  --help               this text\n"
            "\n"
            "The trace needs blocks or data (--trace-events), or SMMU translations\n"
            "(smmu_xlate) for the SMMU's TLB alone; walks make walk costs exact.\n"
            "exit status: 0, or 2 for bad usage or input.\n",
            TLBSIM_S2_ENTRIES_DEFAULT);
}

/* One configuration (a simulator per PE) and what it stands for. */
struct run {
    struct tlbsim_smp *sim;
    char config[CONFIG_TEXT];
    const char *mode;             /* "tagged" or "untagged" */
};

struct cli {
    const char *trace_path, *sweep_path, *plot_path;
    bool json, untagged;
    enum tlbsim_s2_mode s2_mode;
    struct tlbsim_options configs[MAX_CONFIGS];
    unsigned nconfigs;
    struct tlbsim_pe_tables *tables;
    struct run *runs;
    unsigned nruns;
    uint64_t records, accesses;
    double seconds;
    struct tlb_config smmu_tlb;       /* the SMMU's TLB under study */
    char smmu_config[CONFIG_TEXT];
    struct tlbsim_smmu *smmu;         /* NULL: the trace has no SMMU translations */
    uint64_t smmu_xlates, smmu_records;   /* the SMMU report appears when the trace has SMMU records */
};

static const char *opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int bad_usage(const char *fmt, const char *what)
{
    fprintf(stderr, "avsim tlbsim: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (avsim tlbsim --help)\n");
    return 2;
}

/* The value of "key": "<value>" in the machine description, copied into buf; false when absent or too long. */
static bool desc_string(const char *desc, const char *key, char *buf, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = desc ? strstr(desc, pat) : NULL;
    if (!p)
        return false;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    if (n >= len)
        return false;
    memcpy(buf, p, n);
    buf[n] = 0;
    return true;
}

/* The SMMU TLB's configuration the trace was recorded with ("smmu_tlb": "<spec>"), over the default. */
static void recorded_smmu_config(const char *path, struct tlb_config *c)
{
    char err[256], spec[200];
    struct trace_reader *rd = trace_reader_open(path, err, sizeof err);
    if (!rd)
        return;
    struct tlb_config t = *c;
    if (desc_string(trace_reader_machine(rd), "smmu_tlb", spec, sizeof spec) &&
        tlb_config_parse(&t, spec, err, sizeof err) == 0)
        *c = t;
    trace_reader_close(rd);
}

/* Returns 0, 1 for --help, or 2 after a message. */
/* The TLB configuration the trace was recorded with (the header's machine
 * description: "tlb": "<spec>", "l2_hit_cycles", "walk_access_cycles"), so
 * that a replay without --config matches the live run. False when the trace
 * cannot be opened (replay() reports that) or does not say. */
static bool recorded_config(const char *path, struct tlbsim_options *o)
{
    char err[256];
    struct trace_reader *rd = trace_reader_open(path, err, sizeof err);
    if (!rd)
        return false;
    const char *desc = trace_reader_machine(rd);
    bool found = false;
    const char *p = desc ? strstr(desc, "\"tlb\": \"") : NULL;
    if (p) {
        char spec[200];
        p += strlen("\"tlb\": \"");
        size_t n = strcspn(p, "\"");
        if (n < sizeof spec) {
            memcpy(spec, p, n);
            spec[n] = 0;
            struct tlbsim_options t = *o;
            if (tlbsim_options_parse(&t, spec, err, sizeof err) == 0) {
                unsigned v;
                const char *q;
                if ((q = strstr(desc, "\"l2_hit_cycles\": ")) && sscanf(q + 17, "%u", &v) == 1)
                    t.tlb.l2_hit_cycles = v;
                if ((q = strstr(desc, "\"walk_access_cycles\": ")) && sscanf(q + 22, "%u", &v) == 1)
                    t.tlb.walk_access_cycles = v;
                *o = t;
                found = true;
            }
        }
    }
    trace_reader_close(rd);
    return found;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    const char *specs[MAX_CONFIGS];
    unsigned nspecs = 0;
    const char *smmu_specs[16];
    unsigned n_smmu_specs = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            return 1;
        } else if ((v = opt_value(a, "--config"))) {
            if (nspecs == MAX_CONFIGS)
                return bad_usage("more than %s configurations", "256");
            specs[nspecs++] = v;
        } else if ((v = opt_value(a, "--smmu-tlb"))) {
            if (n_smmu_specs == sizeof smmu_specs / sizeof *smmu_specs)
                return bad_usage("more than %s --smmu-tlb options", "16");
            smmu_specs[n_smmu_specs++] = v;
        } else if (!strcmp(a, "--untagged")) {
            c->untagged = true;
        } else if ((v = opt_value(a, "--s2"))) {
            if (!strcmp(v, "combined"))
                c->s2_mode = TLBSIM_S2_COMBINED;
            else if (!strcmp(v, "separate"))
                c->s2_mode = TLBSIM_S2_SEPARATE;
            else
                return bad_usage("--s2=%s: expected combined or separate", v);
        } else if ((v = opt_value(a, "--sweep"))) {
            if (!*v)
                return bad_usage("%s: needs a file name", "--sweep");
            c->sweep_path = v;
        } else if ((v = opt_value(a, "--plot"))) {
            if (!*v)
                return bad_usage("%s: needs a file name", "--plot");
            c->plot_path = v;
        } else if (!strcmp(a, "--json")) {
            c->json = true;
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown option '%s'", a);
        } else if (c->trace_path) {
            return bad_usage("more than one trace ('%s')", a);
        } else {
            c->trace_path = a;
        }
    }
    if (!c->trace_path)
        return bad_usage("%s", "no trace file given");
    if (c->plot_path && !c->sweep_path)
        return bad_usage("%s", "--plot needs --sweep");
    struct tlbsim_options base;
    tlbsim_options_init(&base);
    recorded_config(c->trace_path, &base);
    c->smmu_tlb = smmu_default_tlb;
    recorded_smmu_config(c->trace_path, &c->smmu_tlb);
    for (unsigned i = 0; i < n_smmu_specs; i++) {
        char err[256];
        if (tlb_config_parse(&c->smmu_tlb, smmu_specs[i], err, sizeof err) != 0) {
            fprintf(stderr, "avsim tlbsim: --smmu-tlb=%s: %s\n", smmu_specs[i], err);
            return 2;
        }
    }
    tlb_config_format(&c->smmu_tlb, c->smmu_config, sizeof c->smmu_config);
    for (unsigned i = 0; i < nspecs; i++) {
        struct tlbsim_options *o = &c->configs[c->nconfigs++];
        char err[256];
        *o = base;
        o->s2_mode = c->s2_mode;
        if (tlbsim_options_parse(o, specs[i], err, sizeof err) != 0) {
            fprintf(stderr, "avsim tlbsim: --config=%s: %s\n", specs[i], err);
            return 2;
        }
    }
    if (c->nconfigs == 0 && !c->sweep_path) {
        c->configs[0] = base;
        c->configs[0].s2_mode = c->s2_mode;
        c->nconfigs = 1;
    }
    if (c->nconfigs == 0) {
        for (size_t l2 = 0; l2 < sizeof sweep_l2_entries / sizeof *sweep_l2_entries; l2++)
            for (size_t l1 = 0; l1 < sizeof sweep_l1d_entries / sizeof *sweep_l1d_entries; l1++) {
                struct tlbsim_options *o = &c->configs[c->nconfigs++];
                *o = base;
                o->s2_mode = c->s2_mode;
                o->tlb.l2.entries = sweep_l2_entries[l2];
                o->tlb.l2.ways = SWEEP_L2_WAYS;
                o->tlb.l1d.entries = o->tlb.l1d.ways = sweep_l1d_entries[l1];
            }
    }
    return 0;
}

static int make_runs(struct cli *c, bool infer_untranslated)
{
    unsigned modes = c->sweep_path ? 2 : 1;
    c->tables = tlbsim_pe_tables_new();
    c->runs = calloc((size_t)c->nconfigs * modes, sizeof *c->runs);
    if (!c->tables || !c->runs) {
        fprintf(stderr, "avsim tlbsim: out of memory\n");
        return 2;
    }
    for (unsigned i = 0; i < c->nconfigs; i++) {
        for (unsigned m = 0; m < modes; m++) {
            struct tlbsim_options o = c->configs[i];
            o.tagged = modes == 2 ? m == 0 : !c->untagged;
            o.infer_untranslated = infer_untranslated;
            struct run *r = &c->runs[c->nruns];
            char err[256];
            r->sim = tlbsim_smp_new(&o, c->tables, err, sizeof err);
            if (!r->sim) {
                fprintf(stderr, "avsim tlbsim: %s\n", err);
                return 2;
            }
            tlbsim_options_format(&o, r->config, sizeof r->config);
            r->mode = o.tagged ? "tagged" : "untagged";
            c->nruns++;
        }
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads the trace once, feeding every simulator. */
static int replay(struct cli *c)
{
    char err[256];
    struct trace_reader *rd = trace_reader_open(c->trace_path, err, sizeof err);
    if (!rd) {
        fprintf(stderr, "avsim tlbsim: %s: %s\n", c->trace_path, err);
        return 2;
    }
    uint32_t mask = trace_reader_class_mask(rd);
    bool pes = mask & ACCESS_CLASSES;
    if (!pes && !(mask & SMMU_XLATE_CLASS)) {
        fprintf(stderr,
                "avsim tlbsim: %s has no instruction-block, data-access or SMMU translation records: record it "
                "with --trace-events including blocks or data (e.g. --trace-events=blocks,data,walks,tlbi,context), "
                "or smmu\n",
                c->trace_path);
        trace_reader_close(rd);
        return 2;
    }
    if (!pes && c->sweep_path) {
        fprintf(stderr, "avsim tlbsim: --sweep: %s has no instruction-block or data-access records (the sweep "
                        "varies the PEs' TLB)\n", c->trace_path);
        trace_reader_close(rd);
        return 2;
    }
    if (mask & SMMU_XLATE_CLASS) {
        c->smmu = tlbsim_smmu_new(&c->smmu_tlb, err, sizeof err);
        if (!c->smmu) {
            fprintf(stderr, "avsim tlbsim: --smmu-tlb=%s: %s\n", c->smmu_config, err);
            trace_reader_close(rd);
            return 2;
        }
    }
    bool walks = mask & (1u << TR_WALK);
    if (pes && !walks)
        fprintf(stderr, "avsim tlbsim: warning: %s has no walk records: every walk is a model walk, and "
                        "accesses with translation off cannot be told apart\n", c->trace_path);
    int rc = pes ? make_runs(c, walks) : 0;
    if (rc) {
        trace_reader_close(rd);
        return rc;
    }
    struct trace_record rec;
    double t0 = now_seconds();
    int got;
    while ((got = trace_read(rd, &rec, err, sizeof err)) == 1) {
        c->records++;
        if (rec.type == TR_BLOCK || rec.type == TR_DATA)
            c->accesses++;
        if (c->smmu) {
            c->smmu_xlates += rec.type == TR_SMMU_XLATE;
            c->smmu_records += rec.type == TR_SMMU_XLATE || rec.type == TR_SMMU_EVENT || rec.type == TR_SMMU_CMD;
            tlbsim_smmu_feed(c->smmu, &rec);
        }
        if (!pes)
            continue;
        tlbsim_pe_tables_learn(c->tables, &rec);
        for (unsigned i = 0; i < c->nruns; i++)
            tlbsim_smp_feed(c->runs[i].sim, &rec);
    }
    if (pes)
        tlbsim_pe_tables_finish(c->tables);
    for (unsigned i = 0; i < c->nruns; i++)
        tlbsim_smp_finish(c->runs[i].sim);
    c->seconds = now_seconds() - t0;
    trace_reader_close(rd);
    for (unsigned i = 0; i < c->nruns; i++) {
        if (tlbsim_smp_failed(c->runs[i].sim)) {
            fprintf(stderr, "avsim tlbsim: out of memory for a PE's simulator\n");
            return 2;
        }
    }
    if (got < 0) {
        fprintf(stderr, "avsim tlbsim: %s: %s\n", c->trace_path, err);
        return 2;
    }
    if (c->accesses == 0 && c->smmu_xlates == 0) {
        fprintf(stderr,
                "avsim tlbsim: %s has no instruction-block, data-access or SMMU translation records: record it "
                "with --trace-events including blocks or data, or smmu\n", c->trace_path);
        return 2;
    }
    return 0;
}

/* ---- the SMMU's TLB ---------------------------------------------------------------------- */

static void print_smmu_line(FILE *f, const char *name, const struct tlbsim_smmu_counters *c)
{
    fprintf(f, "%-11s %12llu %9llu %10llu %10llu %9llu %9llu %8.3f %9llu %6llu %9llu %9llu %9llu %6llu\n", name,
            (unsigned long long)c->transactions, (unsigned long long)c->bypassed, (unsigned long long)c->lookups,
            (unsigned long long)c->l1_hits, (unsigned long long)c->l2_hits, (unsigned long long)c->misses,
            c->lookups ? 100.0 * (double)c->misses / (double)c->lookups : 0.0, (unsigned long long)c->walk_refs,
            (unsigned long long)c->estimated_walks, (unsigned long long)c->recorded_hits,
            (unsigned long long)c->recorded_walks, (unsigned long long)c->recorded_refs,
            (unsigned long long)c->faults);
}

/* Rows of the SMMU's StreamIDs (caller frees); *n rows. */
static struct tlbsim_smmu_row *smmu_rows(const struct tlbsim_smmu *s, size_t *n)
{
    size_t k = tlbsim_smmu_row_count(s);
    struct tlbsim_smmu_row *rows = calloc(k ? k : 1, sizeof *rows);
    *n = rows ? tlbsim_smmu_get_rows(s, rows, k) : 0;
    return rows;
}

static void print_smmu_table(FILE *f, const struct cli *c)
{
    size_t n;
    struct tlbsim_smmu_row *rows = smmu_rows(c->smmu, &n);
    fprintf(f, "SMMU TLB config %s (its own, apart from the PEs'), per StreamID:\n", c->smmu_config);
    fprintf(f, "%-11s %12s %9s %10s %10s %9s %9s %8s %9s %6s %9s %9s %9s %6s\n", "stream", "transactions",
            "bypassed", "lookups", "L1 hits", "L2 hits", "misses", "miss %", "walk refs", "estim.", "rec. hits",
            "rec.walks", "rec. refs", "faults");
    char name[24];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "sid 0x%x", rows[i].sid);
        print_smmu_line(f, name, &rows[i].c);
    }
    struct tlbsim_smmu_counters t = tlbsim_smmu_total(c->smmu);
    print_smmu_line(f, "total", &t);
    fprintf(f, "SMMU TLBI commands %llu, entries removed %llu\n\n", (unsigned long long)tlbsim_smmu_tlbi_ops(c->smmu),
            (unsigned long long)tlbsim_smmu_tlbi_removed(c->smmu));
    free(rows);
}

/* ---- tables ---------------------------------------------------------------------------- */

static const char *row_name(const struct tlbsim_row *r, char *buf, size_t len)
{
    if (r->regime == TLB_REGIME_EL2)
        snprintf(buf, len, "EL2");
    else if (r->regime == TLB_REGIME_EL20)
        snprintf(buf, len, "EL2&0");
    else
        snprintf(buf, len, "vmid %u", r->vmid);
    return buf;
}

/* Rows in report order (sorted rows, then the total named "total"); caller frees. */
static struct tlbsim_row *collect_rows(const struct tlbsim *s, size_t *n)
{
    size_t nrows = tlbsim_row_count(s);
    struct tlbsim_row *rows = calloc(nrows + 1, sizeof *rows);
    if (!rows) {
        *n = 0;
        return NULL;
    }
    tlbsim_get_rows(s, rows, nrows);
    rows[nrows].c = tlbsim_total(s);
    *n = nrows + 1;
    return rows;
}

/* The same, summed over the PEs. */
static struct tlbsim_row *collect_all_pes_rows(const struct tlbsim_smp *m, size_t *n)
{
    size_t max = tlbsim_smp_row_count(m);
    struct tlbsim_row *rows = calloc(max + 1, sizeof *rows);
    if (!rows) {
        *n = 0;
        return NULL;
    }
    size_t nrows = tlbsim_smp_get_rows(m, rows, max);
    rows[nrows].c = tlbsim_smp_total(m);
    *n = nrows + 1;
    return rows;
}

static bool all_zero(const struct tlbsim_counters *c)
{
    static const struct tlbsim_counters zero;
    return !memcmp(c, &zero, sizeof zero);
}

/* Several PEs: each PE's totals, then the sum. */
static void print_pe_table(FILE *f, const struct tlbsim_smp *m)
{
    fprintf(f, "%-9s %12s %12s %12s %10s %10s %8s %9s %11s %9s\n", "PE", "fetches", "data", "L1 hits", "L2 hits",
            "misses", "miss %", "walks", "walk refs", "TLBI rm");
    unsigned npes = tlbsim_smp_pes(m);
    for (unsigned pe = 0; pe <= npes; pe++) {
        const struct tlbsim *s = pe < npes ? tlbsim_smp_pe(m, pe) : NULL;
        if (pe < npes && !s)
            continue;                 /* no record of this PE */
        struct tlbsim_counters c = s ? tlbsim_total(s) : tlbsim_smp_total(m);
        char name[16];
        if (s)
            snprintf(name, sizeof name, "pe %u", pe);
        else
            snprintf(name, sizeof name, "total");
        fprintf(f, "%-9s %12llu %12llu %12llu %10llu %10llu %8.3f %9llu %11llu %9llu\n", name,
                (unsigned long long)c.fetches, (unsigned long long)c.data, (unsigned long long)c.l1_hits,
                (unsigned long long)c.l2_hits, (unsigned long long)c.misses, 100.0 * tlbsim_miss_rate(&c),
                (unsigned long long)c.walks, (unsigned long long)c.walk_refs, (unsigned long long)c.tlbi_removed);
    }
}

static void print_table(FILE *f, const struct run *run)
{
    const struct tlbsim_options *o = tlbsim_options(tlbsim_smp_pe(run->sim, 0));
    unsigned npes = tlbsim_smp_pes(run->sim);
    size_t n;
    struct tlbsim_row *rows = collect_all_pes_rows(run->sim, &n);
    if (!rows)
        return;
    char name[32];
    fprintf(f, "config %s, %s, stage 2 %s (rows without activity omitted)\n", run->config, run->mode,
            o->s2_mode == TLBSIM_S2_SEPARATE ? "separate" : "combined");
    if (npes > 1)
        fprintf(f, "all %u PEs (one TLB each; a TLBI ...IS reaches every PE's):\n", npes);
    fprintf(f, "%-9s %12s %12s %10s %12s %10s %10s %8s\n", "context", "fetches", "data", "untransl.", "L1 hits",
            "L2 hits", "misses", "miss %");
    for (size_t i = 0; i < n; i++) {
        const struct tlbsim_counters *c = &rows[i].c;
        if (i + 1 < n && all_zero(c))
            continue;
        fprintf(f, "%-9s %12llu %12llu %10llu %12llu %10llu %10llu %8.3f\n",
                i + 1 == n ? "total" : row_name(&rows[i], name, sizeof name), (unsigned long long)c->fetches,
                (unsigned long long)c->data, (unsigned long long)c->untranslated, (unsigned long long)c->l1_hits,
                (unsigned long long)c->l2_hits, (unsigned long long)c->misses, 100.0 * tlbsim_miss_rate(c));
    }
    fprintf(f, "%-9s %9s %7s %7s %11s %9s %12s %10s %11s %8s %9s\n", "context", "walks", "faults", "estim.",
            "walk refs", "refs/walk", "walk cycles", "rec. walks", "rec. refs", "flushes", "TLBI rm");
    for (size_t i = 0; i < n; i++) {
        const struct tlbsim_counters *c = &rows[i].c;
        if (i + 1 < n && all_zero(c))
            continue;
        fprintf(f, "%-9s %9llu %7llu %7llu %11llu %9.2f %12llu %10llu %11llu %8llu %9llu\n",
                i + 1 == n ? "total" : row_name(&rows[i], name, sizeof name), (unsigned long long)c->walks,
                (unsigned long long)c->fault_walks, (unsigned long long)c->estimated_walks, (unsigned long long)c->walk_refs,
                tlbsim_refs_per_walk(c), (unsigned long long)c->walk_cycles,
                (unsigned long long)c->recorded_walks, (unsigned long long)c->recorded_refs,
                (unsigned long long)c->ctx_flushes, (unsigned long long)c->tlbi_removed);
    }
    if (o->s2_mode == TLBSIM_S2_SEPARATE) {
        fprintf(f, "%-9s %12s %12s %12s\n", "context", "s2 lookups", "s2 hits", "s2 walks");
        for (size_t i = 0; i < n; i++) {
            const struct tlbsim_counters *c = &rows[i].c;
            if (i + 1 < n && all_zero(c))
                continue;
            fprintf(f, "%-9s %12llu %12llu %12llu\n", i + 1 == n ? "total" : row_name(&rows[i], name, sizeof name),
                    (unsigned long long)c->s2_lookups, (unsigned long long)c->s2_hits,
                    (unsigned long long)c->s2_walks);
        }
    }
    const struct tlbsim_counters *t = &rows[n - 1].c;
    if (t->approx_walks)
        fprintf(f, "(%llu walks met a table level the trace never showed: a default filled the gap)\n",
                (unsigned long long)t->approx_walks);
    if (npes > 1)
        print_pe_table(f, run->sim);
    fprintf(f, "\n");
    free(rows);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_counters(FILE *f, const struct tlbsim_counters *c)
{
    static const struct { const char *name; size_t off; } fields[] = {
#define F(x) { #x, offsetof(struct tlbsim_counters, x) }
        F(fetches), F(data), F(untranslated), F(l1_hits), F(l2_hits), F(misses), F(walks), F(fault_walks), F(estimated_walks),
        F(approx_walks), F(walk_refs), F(walk_cycles), F(s2_lookups), F(s2_hits), F(s2_walks), F(ctx_flushes),
        F(flushed_entries), F(tlbi_ops), F(tlbi_removed), F(recorded_walks), F(recorded_refs),
#undef F
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        fprintf(f, "\"%s\": %llu, ", fields[i].name,
                (unsigned long long)*(const uint64_t *)((const char *)c + fields[i].off));
    fprintf(f, "\"miss_rate\": %.6f, \"refs_per_walk\": %.4f", tlbsim_miss_rate(c), tlbsim_refs_per_walk(c));
}

/* "[rows...],\n<indent> \"total\": {...}" from collect_rows' array. */
static void json_rows(FILE *f, const struct tlbsim_row *rows, size_t n, const char *indent)
{
    fprintf(f, "[");
    for (size_t r = 0; rows && r + 1 < n; r++) {
        fprintf(f, "%s\n%s{\"regime\": \"%s\", \"vmid\": %u, ", r ? "," : "", indent,
                rows[r].regime == TLB_REGIME_EL2 ? "el2" : rows[r].regime == TLB_REGIME_EL20 ? "el20" : "el10",
                rows[r].vmid);
        json_counters(f, &rows[r].c);
        fprintf(f, "}");
    }
    fprintf(f, "],\n%.*s\"total\": {", (int)strlen(indent) - 1, indent);
    if (rows)
        json_counters(f, &rows[n - 1].c);
    fprintf(f, "}");
}

static void json_smmu_counters(FILE *f, const struct tlbsim_smmu_counters *c)
{
    static const struct { const char *name; size_t off; } fields[] = {
#define F(x) { #x, offsetof(struct tlbsim_smmu_counters, x) }
        F(transactions), F(bytes), F(bypassed), F(lookups), F(l1_hits), F(l2_hits), F(misses), F(walk_refs),
        F(estimated_walks), F(recorded_hits), F(recorded_walks), F(recorded_refs), F(faults),
#undef F
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        fprintf(f, "\"%s\": %llu, ", fields[i].name,
                (unsigned long long)*(const uint64_t *)((const char *)c + fields[i].off));
    fprintf(f, "\"hit_rate\": %.6f", tlbsim_smmu_hit_rate(c));
}

/* ",\n \"smmu\": {...}" of the top-level object. */
static void print_json_smmu(FILE *f, const struct cli *c)
{
    size_t n;
    struct tlbsim_smmu_row *rows = smmu_rows(c->smmu, &n);
    fprintf(f, ",\n \"smmu\": {\"config\": ");
    json_string(f, c->smmu_config);
    fprintf(f, ", \"tlbi_ops\": %llu, \"tlbi_removed\": %llu, \"streams\": [",
            (unsigned long long)tlbsim_smmu_tlbi_ops(c->smmu), (unsigned long long)tlbsim_smmu_tlbi_removed(c->smmu));
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n  {\"sid\": %u, ", i ? "," : "", rows[i].sid);
        json_smmu_counters(f, &rows[i].c);
        fprintf(f, "}");
    }
    struct tlbsim_smmu_counters t = tlbsim_smmu_total(c->smmu);
    fprintf(f, "],\n  \"total\": {");
    json_smmu_counters(f, &t);
    fprintf(f, "}}");
    free(rows);
}

static void print_json(FILE *f, const struct cli *c)
{
    fprintf(f, "{\"trace\": ");
    json_string(f, c->trace_path);
    fprintf(f, ", \"records\": %llu, \"results\": [", (unsigned long long)c->records);
    for (unsigned i = 0; i < c->nruns; i++) {
        const struct run *run = &c->runs[i];
        size_t n;
        struct tlbsim_row *rows = collect_all_pes_rows(run->sim, &n);
        fprintf(f, "%s\n  {\"config\": ", i ? "," : "");
        json_string(f, run->config);
        fprintf(f, ", \"mode\": \"%s\", \"s2\": \"%s\", \"rows\": ", run->mode,
                tlbsim_options(tlbsim_smp_pe(run->sim, 0))->s2_mode == TLBSIM_S2_SEPARATE ? "separate" : "combined");
        json_rows(f, rows, n, "    ");
        free(rows);
        unsigned npes = tlbsim_smp_pes(run->sim);
        if (npes > 1) {                   /* several PEs: each PE's rows and total too */
            fprintf(f, ",\n   \"pes\": [");
            const char *sep = "";
            for (unsigned pe = 0; pe < npes; pe++) {
                const struct tlbsim *s = tlbsim_smp_pe(run->sim, pe);
                if (!s)
                    continue;
                rows = collect_rows(s, &n);
                fprintf(f, "%s\n    {\"pe\": %u, \"rows\": ", sep, pe);
                json_rows(f, rows, n, "      ");
                fprintf(f, "}");
                free(rows);
                sep = ",";
            }
            fprintf(f, "]");
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n]");
    if (c->smmu && c->smmu_records)
        print_json_smmu(f, c);
    fprintf(f, "}\n");
}

/* ---- CSV ------------------------------------------------------------------------------- */

static int write_csv(const struct cli *c)
{
    FILE *f = fopen(c->sweep_path, "w");
    if (!f) {
        fprintf(stderr, "avsim tlbsim: cannot write %s: ", c->sweep_path);
        perror(NULL);
        return 2;
    }
    fprintf(f, "config,mode,vmid,accesses,misses,miss_rate,walks,walk_refs,walk_cycles,"
               "l1_hits,l2_hits,estimated_walks,untranslated\n");
    for (unsigned i = 0; i < c->nruns; i++) {
        const struct run *run = &c->runs[i];
        size_t n;
        struct tlbsim_row *rows = collect_all_pes_rows(run->sim, &n);
        for (size_t r = 0; rows && r < n; r++) {
            const struct tlbsim_counters *k = &rows[r].c;
            char vmid[16];
            if (r + 1 == n)
                snprintf(vmid, sizeof vmid, "total");
            else if (rows[r].regime == TLB_REGIME_EL2)
                snprintf(vmid, sizeof vmid, "el2");
            else if (rows[r].regime == TLB_REGIME_EL20)
                snprintf(vmid, sizeof vmid, "el20");
            else
                snprintf(vmid, sizeof vmid, "%u", rows[r].vmid);
            fprintf(f, "\"%s\",%s,%s,%llu,%llu,%.6f,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", run->config, run->mode,
                    vmid, (unsigned long long)tlbsim_lookups(k), (unsigned long long)k->misses,
                    tlbsim_miss_rate(k), (unsigned long long)k->walks, (unsigned long long)k->walk_refs,
                    (unsigned long long)k->walk_cycles, (unsigned long long)k->l1_hits,
                    (unsigned long long)k->l2_hits, (unsigned long long)k->estimated_walks,
                    (unsigned long long)k->untranslated);
        }
        free(rows);
    }
    int bad = ferror(f);             /* a write that failed before the last one */
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "avsim tlbsim: writing %s failed\n", c->sweep_path);
        return 2;
    }
    return 0;
}

/* ---- SVG plot -------------------------------------------------------------------------- */

#define SVG_W 760
#define SVG_H 460
#define PLOT_X0 80.0              /* plot area */
#define PLOT_X1 520.0
#define PLOT_Y0 60.0
#define PLOT_Y1 380.0

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

/* A curve: the runs of one mode whose configurations differ only in the L2. */
struct curve {
    char key[CONFIG_TEXT + 16];   /* mode and the configuration without its L2 */
    char label[CONFIG_TEXT + 16];
    bool untagged;
    unsigned color;               /* curves of the same configuration share a colour */
    unsigned n;
    double *x;                    /* n pairs: L2 entries, miss rate in percent */
};

/* The configuration text without the "l2=..." item. */
static void without_l2(const char *config, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = config; *p;) {
        size_t n = strcspn(p, ",");
        if (strncmp(p, "l2=", 3) != 0 && o + n + 2 < len) {
            if (o)
                out[o++] = ',';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    out[o] = 0;
}

static void svg_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

static int sort_xy(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The "key=value" items of `rest` that are not the same in every curve. */
static void varying_items(const char *rest, struct curve *curves, unsigned ncurves, char *out, size_t len)
{
    size_t o = 0;
    out[0] = 0;
    for (const char *p = rest; *p;) {
        size_t n = strcspn(p, ",");
        bool everywhere = true;
        for (unsigned i = 0; i < ncurves && everywhere; i++) {
            const char *k = strchr(curves[i].key, ':') + 1;
            bool found = false;
            for (const char *q = k; *q && !found;) {
                size_t m = strcspn(q, ",");
                found = m == n && !strncmp(q, p, n);
                q += m;
                if (*q == ',')
                    q++;
            }
            everywhere = found;
        }
        if (!everywhere && o + n + 3 < len) {
            o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)n, p);
        }
        p += n;
        if (*p == ',')
            p++;
    }
}

static int write_svg(const struct cli *c)
{
    struct curve *curves = calloc(c->nruns, sizeof *curves);
    double *xy = calloc((size_t)c->nruns * 2 * 2, sizeof *xy);
    if (!curves || !xy) {
        free(curves);
        free(xy);
        fprintf(stderr, "avsim tlbsim: out of memory\n");
        return 2;
    }
    unsigned ncurves = 0, ncolors = 0;
    double xmin = 0, xmax = 0, ymax = 0;
    /* Group the runs into curves; each curve's points live in xy. */
    unsigned *owner = calloc(c->nruns, sizeof *owner);
    if (!owner) {
        free(curves);
        free(xy);
        return 2;
    }
    for (unsigned i = 0; i < c->nruns; i++) {
        const struct run *run = &c->runs[i];
        char rest[CONFIG_TEXT], key[CONFIG_TEXT + 16];
        without_l2(run->config, rest, sizeof rest);
        snprintf(key, sizeof key, "%s:%s", run->mode, rest);
        unsigned k = 0;
        while (k < ncurves && strcmp(curves[k].key, key))
            k++;
        if (k == ncurves) {
            snprintf(curves[k].key, sizeof curves[k].key, "%s", key);
            curves[k].untagged = !strcmp(run->mode, "untagged");
            curves[k].color = ncolors;
            for (unsigned j = 0; j < k; j++)
                if (!strcmp(strchr(curves[j].key, ':') + 1, rest)) {
                    curves[k].color = curves[j].color;
                    break;
                }
            if (curves[k].color == ncolors)
                ncolors++;
            ncurves++;
        }
        owner[i] = k;
        curves[k].n++;
        struct tlbsim_counters t = tlbsim_smp_total(run->sim);
        double x = tlbsim_options(tlbsim_smp_pe(run->sim, 0))->tlb.l2.entries, y = 100.0 * tlbsim_miss_rate(&t);
        if (i == 0 || x < xmin)
            xmin = x;
        if (i == 0 || x > xmax)
            xmax = x;
        if (y > ymax)
            ymax = y;
    }
    /* Points of curve k are contiguous in xy, sorted by x. */
    unsigned at = 0;
    for (unsigned k = 0; k < ncurves; k++) {
        curves[k].x = &xy[at * 2];
        unsigned m = 0;
        for (unsigned i = 0; i < c->nruns; i++) {
            if (owner[i] != k)
                continue;
            struct tlbsim_counters t = tlbsim_smp_total(c->runs[i].sim);
            curves[k].x[m * 2] = tlbsim_options(tlbsim_smp_pe(c->runs[i].sim, 0))->tlb.l2.entries;
            curves[k].x[m * 2 + 1] = 100.0 * tlbsim_miss_rate(&t);
            m++;
        }
        qsort(curves[k].x, m, 2 * sizeof(double), sort_xy);
        at += m;
    }
    free(owner);
    for (unsigned k = 0; k < ncurves; k++) {
        char extra[CONFIG_TEXT];
        varying_items(strchr(curves[k].key, ':') + 1, curves, ncurves, extra, sizeof extra);
        snprintf(curves[k].label, sizeof curves[k].label, "%s%s%s", curves[k].untagged ? "untagged" : "tagged",
                 extra[0] ? ", " : "", extra);
    }

    /* Axes: log2 x from the power of two at or below the smallest L2 to the one at or above the largest. */
    double lx0 = floor(log2(xmin > 0 ? xmin : 1)), lx1 = ceil(log2(xmax > 0 ? xmax : 1));
    if (lx1 <= lx0)
        lx1 = lx0 + 1;
    double ystep, ytop;
    {
        double raw = ymax > 0 ? ymax * 1.1 / 5 : 0.2;
        double p = pow(10, floor(log10(raw)));
        double m = raw / p;
        ystep = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
        ytop = ystep * 5;
        while (ytop < ymax)
            ytop += ystep;
    }
#define SX(v) (PLOT_X0 + (log2(v) - lx0) / (lx1 - lx0) * (PLOT_X1 - PLOT_X0))
#define SY(v) (PLOT_Y1 - (v) / ytop * (PLOT_Y1 - PLOT_Y0))

    FILE *f = fopen(c->plot_path, "w");
    if (!f) {
        fprintf(stderr, "avsim tlbsim: cannot write %s: ", c->plot_path);
        perror(NULL);
        free(curves);
        free(xy);
        return 2;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", SVG_W, SVG_H, SVG_W, SVG_H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.0f\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">TLB miss rate versus L2 "
               "size</text>\n", (PLOT_X0 + PLOT_X1) / 2);
    fprintf(f, "<text x=\"%.0f\" y=\"46\" fill=\"#555\" text-anchor=\"middle\">", (PLOT_X0 + PLOT_X1) / 2);
    svg_text(f, c->trace_path);
    fprintf(f, "</text>\n");
    /* Grid and ticks. */
    for (double e = lx0; e <= lx1 + 1e-9; e += 1) {
        double v = pow(2, e), x = SX(v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", x, PLOT_Y0, x,
                PLOT_Y1);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x, PLOT_Y1, x,
                PLOT_Y1 + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", x, PLOT_Y1 + 19, v);
    }
    for (double v = 0; v <= ytop + ystep / 2; v += ystep) {
        double y = SY(v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", PLOT_X0, y,
                PLOT_X1, y);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", PLOT_X0 - 5, y,
                PLOT_X0, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", PLOT_X0 - 8, y + 4, v);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", PLOT_X0, PLOT_Y1,
            PLOT_X1, PLOT_Y1);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", PLOT_X0, PLOT_Y0,
            PLOT_X0, PLOT_Y1);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">L2 TLB entries (log2 scale)</text>\n",
            (PLOT_X0 + PLOT_X1) / 2, PLOT_Y1 + 45);
    fprintf(f, "<text transform=\"translate(24 %.0f) rotate(-90)\" text-anchor=\"middle\">miss rate "
               "(%% of lookups)</text>\n", (PLOT_Y0 + PLOT_Y1) / 2);
    /* Curves and legend. */
    for (unsigned k = 0; k < ncurves; k++) {
        const char *color = palette[curves[k].color % (sizeof palette / sizeof *palette)];
        const char *dash = curves[k].untagged ? " stroke-dasharray=\"6 4\"" : "";
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", color, dash);
        for (unsigned i = 0; i < curves[k].n; i++)
            fprintf(f, "%s%.1f,%.1f", i ? " " : "", SX(curves[k].x[i * 2]), SY(curves[k].x[i * 2 + 1]));
        fprintf(f, "\"/>\n");
        for (unsigned i = 0; i < curves[k].n; i++)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", SX(curves[k].x[i * 2]),
                    SY(curves[k].x[i * 2 + 1]), color);
        double ly = PLOT_Y0 + 10 + 18.0 * k;
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                PLOT_X1 + 20, ly, PLOT_X1 + 50, ly, color, dash);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">", PLOT_X1 + 56, ly + 4);
        svg_text(f, curves[k].label);
        fprintf(f, "</text>\n");
    }
#undef SX
#undef SY
    fprintf(f, "</svg>\n");
    free(curves);
    free(xy);
    int bad = ferror(f);             /* a write that failed before the last one */
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "avsim tlbsim: writing %s failed\n", c->plot_path);
        return 2;
    }
    return 0;
}

/* ---- main -------------------------------------------------------------------------------- */

static void cli_free(struct cli *c)
{
    for (unsigned i = 0; i < c->nruns; i++)
        tlbsim_smp_free(c->runs[i].sim);
    free(c->runs);
    tlbsim_pe_tables_free(c->tables);
    tlbsim_smmu_free(c->smmu);
    free(c);
}

int tlbsim_main(int argc, char **argv)
{
    struct cli *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "avsim tlbsim: out of memory\n");
        return 2;
    }
    int rc = parse_args(c, argc, argv);
    if (rc == 1) {
        usage(stdout);
        cli_free(c);
        return 0;
    }
    if (rc == 0)
        rc = replay(c);
    if (rc == 0) {
        uint64_t per_sim = 0;
        if (c->nruns)
            per_sim = tlbsim_smp_total(c->runs[0].sim).fetches + tlbsim_smp_total(c->runs[0].sim).data;
        fprintf(stderr, "avsim tlbsim: %llu records, %llu TLB accesses x %u simulator%s in %.3f s: %.0f accesses/s\n",
                (unsigned long long)c->records, (unsigned long long)per_sim, c->nruns, c->nruns == 1 ? "" : "s",
                c->seconds, c->seconds > 0 ? (double)per_sim * c->nruns / c->seconds : 0.0);
        if (c->sweep_path) {
            rc = write_csv(c);
            if (rc == 0 && c->plot_path)
                rc = write_svg(c);
        } else if (c->json) {
            print_json(stdout, c);
        } else {
            for (unsigned i = 0; i < c->nruns; i++)
                print_table(stdout, &c->runs[i]);
            if (c->smmu && c->smmu_records)
                print_smmu_table(stdout, c);
        }
    }
    cli_free(c);
    return rc;
}
