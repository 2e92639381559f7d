/* The trace-driven TLB simulator behind `avsim tlbsim`: replays the BLOCK and
 * DATA records of a trace (traces/trace.h) through the live simulator's own
 * TLB model (mmu/tlb.h: struct tlb, tlb_lookup, tlb_insert, tlbi, the walk
 * cache), so that a replay with the live configuration reproduces the live
 * run's fills and walks, and other configurations can be compared on the
 * same execution.
 *
 *  - BLOCK records are instruction fetches, DATA records data accesses; each
 *    4 KiB page a record spans is one TLB access. An access recorded with IPA
 *    and PA all ones is an attempt Unicorn aborted for want of a translation:
 *    the walk and the access itself follow it; it is skipped.
 *  - TLBI records apply tlbi() with the recorded request (exact scopes).
 *  - CONTEXT records (and EL1&0 accesses with other tags) switch the EL1&0
 *    context; an untagged TLB flushes on a switch: all EL1&0 entries when the
 *    VMID changes (as TLBI ALLE1), the non-global ones when only the ASID does
 *    (as TLBI ASIDE1 of the old ASID).
 *  - WALK records teach the simulator the guest's page tables (struct
 *    tlbsim_tables); a replayed miss walks them as mmu/walk.c does
 *    (AArch64.S1Translate with each stage-1 descriptor fetch translated by
 *    AArch64.S2Translate), consulting and filling the replayed walk cache the
 *    way the live fill() does, and counts its descriptor reads. A recorded
 *    walk that ended in an abort (the next record is an EXCEPTION with EC
 *    0x20, 0x21, 0x24 or 0x25) happens in every configuration: it counts as
 *    a walk with its recorded reads (fault_walks).
 *
 * Stage 2: TLBSIM_S2_COMBINED keeps combined stage 1+2 (VA -> PA) entries in
 * L1/L2, as the live model; TLBSIM_S2_SEPARATE keeps stage-1 (VA -> IPA)
 * entries there and stage-2 (IPA -> PA) translations in a separate,
 * fully associative LRU stage-2 TLB of s2_entries entries (the walk-cache API
 * of a second struct tlb, so TLBI IPAS2E1 / VMALLS12E1 / ALLE1 apply to it
 * with their exact scope): every access with stage 2 on, hit or miss, then
 * needs a stage-2 lookup, and a stage-2 miss costs a stage-2 walk.
 *
 * Assumptions (the trace does not say): the guest uses the 4 KiB granule
 * (level L covers 2^(12 + 9 * (3 - L)) bytes; other granules are replayed
 * conservatively, with smaller entries); a translation's leaf level gives its
 * size; an entry is global when the live run used it from another ASID than
 * the one that walked it (nothing else reveals nG).
 */
#ifndef AVSIM_TRACES_TLBSIM_H
#define AVSIM_TRACES_TLBSIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mmu/tlb.h"
#include "traces/trace.h"

enum tlbsim_s2_mode { TLBSIM_S2_COMBINED, TLBSIM_S2_SEPARATE };

struct tlbsim_options {
    struct tlb_config tlb;        /* L1I, L1D, L2, walk cache, l2_hit_cycles, walk_access_cycles */
    bool tagged;                  /* VMID/ASID tags; false: flush on context switch */
    enum tlbsim_s2_mode s2_mode;
    unsigned s2_entries;          /* TLBSIM_S2_SEPARATE: the stage-2 TLB's size */
    /* An access with stage 2 off, VA == PA and no walk ever recorded for its
     * page was made with translation off (the live model does not look it
     * up): count it as untranslated. Needs a trace with walk records. */
    bool infer_untranslated;
};

#define TLBSIM_S2_ENTRIES_DEFAULT 64u
#define TLBSIM_S2_ENTRIES_MAX 65536u

/* Cortex-A57 TLB (tlb_config_cortex_a57), tagged, combined, 64-entry stage-2
 * TLB (used only when separate), untranslated accesses inferred. */
void tlbsim_options_init(struct tlbsim_options *o);

/* Parses tlb_config_parse's SPEC over o->tlb, plus "s2=N" (the separate
 * stage-2 TLB's entries). Returns 0, or -1 with tlb_config_parse's message
 * (or one about s2) in err. */
int tlbsim_options_parse(struct tlbsim_options *o, const char *spec, char *err, size_t errlen);

/* The configuration as a SPEC string: tlb_config_format's, followed by
 * ",s2=N" in separate mode. */
void tlbsim_options_format(const struct tlbsim_options *o, char *buf, size_t len);

/* What a simulator counts, per VMID (the EL2 regime is a row of its own) and in total. */
struct tlbsim_counters {
    uint64_t fetches, data;       /* TLB accesses (one per page of a BLOCK / DATA record) */
    uint64_t untranslated;        /* ... of those, made with translation off: not looked up */
    uint64_t l1_hits, l2_hits, misses;
    uint64_t walks;               /* one per miss, per faulting walk, per stage-2 walk after a stage-2 TLB miss */
    uint64_t fault_walks;         /* ... recorded walks that ended in an abort (replayed in every configuration) */
    uint64_t estimated_walks;     /* walks of a page no WALK record ever described: model walk */
    uint64_t approx_walks;        /* walks with a gap in the recorded tables filled by a default */
    uint64_t walk_refs;           /* descriptor reads of those walks */
    uint64_t walk_cycles;         /* walk_refs * walk_access_cycles + l2_hits * l2_hit_cycles */
    uint64_t s2_lookups, s2_hits, s2_walks;   /* separate stage-2 TLB */
    uint64_t ctx_flushes;         /* untagged: context switches into this VMID that flushed */
    uint64_t flushed_entries;     /* ... entry copies they removed */
    uint64_t tlbi_ops, tlbi_removed;          /* TLBI records for this VMID, entry copies removed */
    /* The walks and descriptor reads the trace recorded (the live run's, AT instructions' included). */
    uint64_t recorded_walks, recorded_refs;
};

/* One result row: regime TLB_REGIME_EL2 (vmid 0) or TLB_REGIME_EL10 and a VMID. */
struct tlbsim_row {
    enum tlb_regime regime;
    uint16_t vmid;
    struct tlbsim_counters c;
};

static inline uint64_t tlbsim_lookups(const struct tlbsim_counters *c)
{
    return c->l1_hits + c->l2_hits + c->misses;
}

/* misses / lookups (0 without lookups) and walk_refs / walks (0 without walks). */
double tlbsim_miss_rate(const struct tlbsim_counters *c);
double tlbsim_refs_per_walk(const struct tlbsim_counters *c);

/* The guest's page tables as WALK records describe them. One instance can
 * serve any number of simulators fed the same trace: call
 * tlbsim_tables_learn(t, r) once for each record, then tlbsim_feed() for
 * each simulator with the same record. */
struct tlbsim_tables;
struct tlbsim_tables *tlbsim_tables_new(void);
void tlbsim_tables_free(struct tlbsim_tables *t);
void tlbsim_tables_learn(struct tlbsim_tables *t, const struct trace_record *r);
/* Ends a walk still being collected (call at the end of the trace). */
void tlbsim_tables_finish(struct tlbsim_tables *t);

struct tlbsim;

/* A simulator. tables: shared tables (not owned; must outlive the simulator),
 * or NULL for private ones that tlbsim_feed() teaches itself. Returns NULL
 * with a message for a bad configuration or when out of memory. */
struct tlbsim *tlbsim_new(const struct tlbsim_options *o, struct tlbsim_tables *tables, char *err,
                          size_t errlen);
void tlbsim_free(struct tlbsim *s);

/* Replays one record (records of other types are ignored). */
void tlbsim_feed(struct tlbsim *s, const struct trace_record *r);
/* Ends the replay (a walk still being collected by private tables). */
void tlbsim_finish(struct tlbsim *s);

const struct tlbsim_options *tlbsim_options(const struct tlbsim *s);
/* The TLB model being replayed (its own statistics, for checks). */
const struct tlb *tlbsim_tlb(const struct tlbsim *s);

/* Rows seen so far, in order: EL1&0 rows by VMID, then the EL2 row.
 * tlbsim_get_rows copies at most max rows and returns how many exist. */
size_t tlbsim_row_count(const struct tlbsim *s);
size_t tlbsim_get_rows(const struct tlbsim *s, struct tlbsim_row *out, size_t max);
/* One row's counters (all zero when the row does not exist). */
struct tlbsim_counters tlbsim_row_counters(const struct tlbsim *s, enum tlb_regime regime, uint16_t vmid);
/* The sum of all rows. */
struct tlbsim_counters tlbsim_total(const struct tlbsim *s);

/* One simulator per PE, as the machine has one TLB per PE: a record goes to
 * the simulator of the PE that produced it (trace_record.pe), and a TLBI
 * record of an Inner Shareable form (flags TRF_TLBI_IS) to every PE's, as the
 * machine broadcasts it (each PE counts it in tlbi_ops).
 *
 * Each PE's simulator learns the page tables from that PE's WALK records
 * only (struct tlbsim_pe_tables: one tlbsim_tables per PE), so that a PE's
 * replay is what a one-PE trace of it would give: whether a PE translates
 * is its own state (one PE may run with its MMU off while another walks the
 * same pages), and a PE's live misses are its own walks. One
 * tlbsim_pe_tables can serve any number of tlbsim_smp fed the same trace:
 * tlbsim_pe_tables_learn(pt, r) once per record, then tlbsim_smp_feed() for
 * each; NULL: the instance keeps its own and learns in tlbsim_smp_feed.
 *
 * PE 0's simulator always exists; another PE's is made at its first record.
 * A version-1 trace, or a run of one PE, has PE 0 only: the results are
 * those of one struct tlbsim. */
struct tlbsim_pe_tables;
struct tlbsim_pe_tables *tlbsim_pe_tables_new(void);
void tlbsim_pe_tables_free(struct tlbsim_pe_tables *pt);
void tlbsim_pe_tables_learn(struct tlbsim_pe_tables *pt, const struct trace_record *r);
void tlbsim_pe_tables_finish(struct tlbsim_pe_tables *pt);
/* PE pe's tables (made on first use; NULL when out of memory or pe >= TRACE_PES_MAX). */
struct tlbsim_tables *tlbsim_pe_tables_of(struct tlbsim_pe_tables *pt, uint32_t pe);

struct tlbsim_smp;
struct tlbsim_smp *tlbsim_smp_new(const struct tlbsim_options *o, struct tlbsim_pe_tables *tables, char *err,
                                  size_t errlen);
void tlbsim_smp_free(struct tlbsim_smp *m);
void tlbsim_smp_feed(struct tlbsim_smp *m, const struct trace_record *r);
void tlbsim_smp_finish(struct tlbsim_smp *m);
/* The highest PE seen + 1 (at least 1); PE pe's simulator, or NULL if it had no record. */
unsigned tlbsim_smp_pes(const struct tlbsim_smp *m);
const struct tlbsim *tlbsim_smp_pe(const struct tlbsim_smp *m, unsigned pe);
/* true if a PE's simulator could not be allocated (its records were dropped). */
bool tlbsim_smp_failed(const struct tlbsim_smp *m);
/* Rows summed over the PEs, merged by (regime, VMID), in report order; at
 * most tlbsim_smp_row_count rows (an upper bound). Returns how many, or
 * more than max when out is too small. */
size_t tlbsim_smp_row_count(const struct tlbsim_smp *m);
size_t tlbsim_smp_get_rows(const struct tlbsim_smp *m, struct tlbsim_row *out, size_t max);
/* The sum of every PE's total. */
struct tlbsim_counters tlbsim_smp_total(const struct tlbsim_smp *m);

/* ---- The SMMU's TLB -------------------------------------------------------------------
 *
 * The SMMU has a TLB of its own (smmu/smmu.h: a struct tlb with its own
 * configuration), which tlbsim replays as a structure of its own, apart from
 * the PEs': SMMU_XLATE records are its lookups, the TLBI commands among the
 * SMMU_CMD records its maintenance, and its counters are reported per
 * StreamID and in total. Following the SMMU model (smmu/smmu_xlate.c):
 *  - a stream with stage 1 (Config S1 or nested) looks up the L1 D and L2
 *    arrays (tlb_lookup, EL1&0 regime) tagged with the record's VMID and
 *    ASID; a miss inserts the translation with the record's mapping size;
 *  - a stage-2-only stream (Config S2) looks its IOVA (an IPA) up among the
 *    stage-2 entries of the walk cache (tlb_s2_lookup), tagged with its VMID;
 *  - bypassed transactions (Config bypass, or a translating Config whose
 *    transaction was not looked up: no hit and no walk read) are counted, not
 *    looked up;
 *  - CMD_TLBI_NH_ALL/_ASID/_VA/_VAA, CMD_TLBI_EL2_*, CMD_TLBI_S12_VMALL,
 *    CMD_TLBI_S2_IPA and CMD_TLBI_NSNH_ALL apply tlbi() with the scope the
 *    model gives them (IHI 0070, 4.4 "TLB invalidation").
 * A replayed miss costs the descriptor reads the live walk of that
 * translation made (the record's own when it walked, else those of the last
 * recorded walk of the same page and tags); a page the live run never walked
 * gets a model walk (4 reads for one stage, 24 nested) counted as estimated.
 *
 * Assumptions (the records do not say): every stream is of the NS-EL1
 * StreamWorld (STE.STRW = 0b00, as Linux sets it without VHE), entries are
 * not global (nG), DMA is a data access (not InD), and a nested stream with
 * stage 1 bypassed by S1DSS is replayed on the stage-1 path. TLBI range
 * operands (NUM, SCALE) are ignored: a CMD_TLBI_NH_VA removes one page. */
struct tlbsim_smmu_counters {
    uint64_t transactions;        /* SMMU_XLATE records */
    uint64_t bytes;
    uint64_t bypassed;            /* not looked up */
    uint64_t lookups, l1_hits, l2_hits, misses;   /* stage-2-only hits count as L1 hits */
    uint64_t walk_refs;           /* descriptor reads of the replayed misses */
    uint64_t estimated_walks;     /* misses of a page no record showed walked: model walk */
    uint64_t recorded_hits, recorded_walks, recorded_refs;   /* what the live SMMU did */
    uint64_t faults;              /* SMMU_EVENT records */
};

struct tlbsim_smmu_row {
    uint32_t sid;
    struct tlbsim_smmu_counters c;
};

/* The SMMU TLB's default configuration when the trace does not name one (its
 * machine description's "smmu_tlb"): the SMMU model's default, 16 L1I, 32 L1D,
 * 512:4 L2, 128 walk-cache entries. */
extern const struct tlb_config tlbsim_smmu_default_tlb;

struct tlbsim_smmu;
/* NULL with a message for a bad configuration or when out of memory. */
struct tlbsim_smmu *tlbsim_smmu_new(const struct tlb_config *cfg, char *err, size_t errlen);
void tlbsim_smmu_free(struct tlbsim_smmu *s);
/* Replays one record (only SMMU_XLATE, SMMU_CMD and SMMU_EVENT records matter). */
void tlbsim_smmu_feed(struct tlbsim_smmu *s, const struct trace_record *r);
const struct tlb *tlbsim_smmu_tlb(const struct tlbsim_smmu *s);
/* StreamIDs seen, in order of StreamID: copies at most max rows, returns how many exist. */
size_t tlbsim_smmu_row_count(const struct tlbsim_smmu *s);
size_t tlbsim_smmu_get_rows(const struct tlbsim_smmu *s, struct tlbsim_smmu_row *out, size_t max);
struct tlbsim_smmu_counters tlbsim_smmu_total(const struct tlbsim_smmu *s);
/* TLBI commands replayed, and the entry copies they removed. */
uint64_t tlbsim_smmu_tlbi_ops(const struct tlbsim_smmu *s);
uint64_t tlbsim_smmu_tlbi_removed(const struct tlbsim_smmu *s);
/* hits / lookups, 0 without lookups. */
double tlbsim_smmu_hit_rate(const struct tlbsim_smmu_counters *c);

#endif
