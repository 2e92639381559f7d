/* Unit tests for sim/stats: the "smmu" section, counted from synthetic SMMU
 * events published on an event bus (translations that hit, walk or bypass,
 * walk reads, event records written and lost, commands), per StreamID and
 * per VMID, and its JSON. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/dma.h"
#include "sim/machine.h"
#include "sim/stats.h"
#include "smmu/smmu.h"

struct fix {
    struct event_bus bus;
    struct machine *m;        /* no PE: the SMMU counters need none */
    struct stats *s;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->m = calloc(1, sizeof *f->m);
    f->s = calloc(1, sizeof *f->s);
    assert_non_null(f->m);
    assert_non_null(f->s);
    stats_subscribe(f->s, &f->bus, f->m, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    free(f->s);
    free(f->m);
    free(f);
    return 0;
}

static void xlate(struct event_bus *bus, uint32_t sid, unsigned config, uint16_t vmid, unsigned size, int hit,
                  unsigned walk_accesses)
{
    struct event ev = { .type = EV_SMMU_XLATE, .cycles = 10 };
    ev.u.smmu.sid = sid;
    ev.u.smmu.ssid = DMA_NO_SSID;
    ev.u.smmu.config = config;
    ev.u.smmu.vmid = vmid;
    ev.u.smmu.size = size;
    ev.u.smmu.tlb_hit = hit;
    ev.u.smmu.walk_accesses = walk_accesses;
    ev.u.smmu.page_shift = 12;
    event_publish(bus, &ev);
}

static void other(struct event_bus *bus, enum event_type type, uint32_t sid, unsigned config, uint16_t vmid,
                  unsigned code, int recorded)
{
    struct event ev = { .type = type, .cycles = 20 };
    ev.u.smmu.sid = sid;
    ev.u.smmu.ssid = DMA_NO_SSID;
    ev.u.smmu.config = config;
    ev.u.smmu.vmid = vmid;
    ev.u.smmu.event_id = code;
    ev.u.smmu.opcode = code;
    ev.u.smmu.recorded = recorded;
    event_publish(bus, &ev);
}

static const struct stats_smmu_count *row(const struct stats_smmu_count *rows, unsigned n, uint32_t id)
{
    for (unsigned i = 0; i < n; i++)
        if (rows[i].id == id)
            return &rows[i];
    fail_msg("no row for %u", id);
    return NULL;
}

/* The scenario: StreamID 8 translates through stage 1+2 of VMID 3 (one walk
 * of 24 reads, two hits), StreamID 16 through stage 2 of VMID 3 (a walk of 4
 * reads, then an F_TRANSLATION that was lost), StreamID 24 is bypassed, and
 * StreamID 32 faults in stage 1 of VMID 5 (C_BAD_CD, written). Commands: two
 * CMD_SYNC, one CMD_TLBI_S12_VMALL and an undefined opcode. */
static void publish_scenario(struct event_bus *bus)
{
    for (int i = 0; i < 24; i++)
        other(bus, EV_SMMU_WALK, 8, SMMU_STE_CONFIG_NESTED, 3, 0, 0);
    xlate(bus, 8, SMMU_STE_CONFIG_NESTED, 3, 4096, 0, 24);
    xlate(bus, 8, SMMU_STE_CONFIG_NESTED, 3, 4096, 1, 0);
    xlate(bus, 8, SMMU_STE_CONFIG_NESTED, 3, 100, 1, 0);
    for (int i = 0; i < 4; i++)
        other(bus, EV_SMMU_WALK, 16, SMMU_STE_CONFIG_S2, 3, 0, 0);
    xlate(bus, 16, SMMU_STE_CONFIG_S2, 3, 512, 0, 4);
    other(bus, EV_SMMU_WALK, 16, SMMU_STE_CONFIG_S2, 3, 0, 0);
    other(bus, EV_SMMU_EVENT, 16, SMMU_STE_CONFIG_S2, 3, SMMU_EVT_F_TRANSLATION, 0);
    xlate(bus, 24, SMMU_STE_CONFIG_BYPASS, 0, 64, 0, 0);
    xlate(bus, 24, SMMU_STE_CONFIG_BYPASS, 0, 64, 0, 0);
    other(bus, EV_SMMU_EVENT, 32, SMMU_STE_CONFIG_S1, 5, SMMU_EVT_C_BAD_CD, 1);
    xlate(bus, 24, SMMU_STE_CONFIG_S1, 0, 0, 0, 0);      /* looked nothing up (S1DSS bypass): a bypass */
    other(bus, EV_SMMU_CMD, 0, 0, 0, 0x46, 0);
    other(bus, EV_SMMU_CMD, 0, 0, 0, 0x28, 0);
    other(bus, EV_SMMU_CMD, 0, 0, 0, 0x46, 0);
    other(bus, EV_SMMU_CMD, 0, 0, 0, 0x7f, 0);
}

static void test_smmu_counters(void **state)
{
    struct fix *f = *state;
    const struct stats_smmu *s = &f->s->smmu;
    assert_false(s->seen);
    publish_scenario(&f->bus);
    assert_true(s->seen);
    assert_int_equal(s->total.transactions, 7);
    assert_int_equal(s->total.bytes, 4096 + 4096 + 100 + 512 + 64 + 64);
    assert_int_equal(s->total.bypassed, 3);
    assert_int_equal(s->total.tlb_lookups, 4);
    assert_int_equal(s->total.tlb_hits, 2);
    assert_int_equal(s->total.walks, 2);
    assert_int_equal(s->total.walk_accesses, 28);
    assert_int_equal(s->total.walk_reads, 29);         /* the faulting walk's read too */
    assert_int_equal(s->total.faults, 2);
    assert_int_equal(s->events_recorded, 1);
    assert_int_equal(s->events_lost, 1);
    assert_int_equal(s->events_by_type[SMMU_EVT_F_TRANSLATION], 1);
    assert_int_equal(s->events_by_type[SMMU_EVT_C_BAD_CD], 1);
    assert_int_equal(s->commands, 4);
    assert_int_equal(s->commands_by_opcode[0x46], 2);
    assert_int_equal(s->commands_by_opcode[0x28], 1);

    /* Per StreamID. */
    assert_int_equal(s->n_sids, 4);
    const struct stats_smmu_count *c = row(s->sids, s->n_sids, 8);
    assert_int_equal(c->transactions, 3);
    assert_int_equal(c->tlb_hits, 2);
    assert_int_equal(c->walks, 1);
    assert_int_equal(c->walk_accesses, 24);
    assert_int_equal(c->faults, 0);
    c = row(s->sids, s->n_sids, 16);
    assert_int_equal(c->walk_reads, 5);
    assert_int_equal(c->faults, 1);
    c = row(s->sids, s->n_sids, 24);
    assert_int_equal(c->bypassed, 3);
    assert_int_equal(c->tlb_lookups, 0);
    c = row(s->sids, s->n_sids, 32);
    assert_int_equal(c->transactions, 0);
    assert_int_equal(c->faults, 1);

    /* Per VMID: translating streams only (the bypass STE has no VM; the S1 STE's bypassed transaction
     * counts under its VMID 0). */
    assert_int_equal(s->n_vmids, 3);
    assert_int_equal(row(s->vmids, s->n_vmids, 0)->bypassed, 1);
    c = row(s->vmids, s->n_vmids, 3);
    assert_int_equal(c->transactions, 4);
    assert_int_equal(c->tlb_lookups, 4);
    assert_int_equal(c->walks, 2);
    assert_int_equal(c->walk_accesses, 28);
    assert_int_equal(c->faults, 1);
    c = row(s->vmids, s->n_vmids, 5);
    assert_int_equal(c->faults, 1);
    assert_int_equal(c->transactions, 0);
}

static void test_smmu_json(void **state)
{
    struct fix *f = *state;
    static char buf[65536];
    FILE *out = tmpfile();
    assert_non_null(out);
    stats_smmu_write_json(out, &f->s->smmu);          /* nothing yet: no section */
    assert_int_equal(ftell(out), 0);
    publish_scenario(&f->bus);
    stats_smmu_write_json(out, &f->s->smmu);
    rewind(out);
    size_t n = fread(buf, 1, sizeof buf - 1, out);
    buf[n] = '\0';
    fclose(out);
    static const char *const want[] = {
        "  \"smmu\": {\n    \"transactions\": 7, \"bytes\": 8932, \"bypassed\": 3, \"tlb_lookups\": 4, "
        "\"tlb_hits\": 2, \"walks\": 2, \"walk_accesses\": 28, \"walk_reads\": 29, \"faults\": 2,\n",
        "    \"events_recorded\": 1, \"events_lost\": 1, \"events\": {\"C_BAD_CD\": 1, \"F_TRANSLATION\": 1},\n",
        "    \"commands\": 4, \"commands_by_opcode\": {\"CMD_TLBI_S12_VMALL\": 1, \"CMD_SYNC\": 2, \"0x7f\": 1},\n",
        "    \"streams\": [\n      {\"sid\": 8, \"transactions\": 3, \"bytes\": 8292, \"bypassed\": 0, \"tlb_lookups\": 3, "
        "\"tlb_hits\": 2, \"walks\": 1, \"walk_accesses\": 24, \"walk_reads\": 24, \"faults\": 0},\n",
        "      {\"sid\": 32, \"transactions\": 0,",
        "    \"vms\": [\n      {\"vmid\": 0, \"transactions\": 1,",
        "      {\"vmid\": 3, \"transactions\": 4,",
        "      {\"vmid\": 5, \"transactions\": 0, \"bytes\": 0, \"bypassed\": 0, \"tlb_lookups\": 0, \"tlb_hits\": 0, "
        "\"walks\": 0, \"walk_accesses\": 0, \"walk_reads\": 0, \"faults\": 1}\n    ]\n  },\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(buf, want[i]))
            { fputs(buf, stderr); fail_msg("missing: %s", want[i]); }
}

/* Other events leave the SMMU counters alone. */
static void test_no_smmu(void **state)
{
    struct fix *f = *state;
    struct event ev = { .type = EV_WFI };
    event_publish(&f->bus, &ev);
    assert_false(f->s->smmu.seen);
    assert_int_equal(f->s->wfis, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_smmu_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_smmu, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
