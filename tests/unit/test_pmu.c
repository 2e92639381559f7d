/* Unit tests for cpu/pmu: PMUv3 counting from per-EL sources, the EL filters,
 * the HPMN partition, PMCR_EL0's resets, divider and long cycle counter,
 * overflow flags and the interrupt, CHAIN, PMSWINC_EL0, and the time of the
 * next overflow check. The PE is replaced by plain counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/pmu.h"

#define P_BIT   (1u << 31)
#define U_BIT   (1u << 30)
#define NSH_BIT (1u << 27)

struct fix {
    struct pmu p;
    uint64_t cycles, idle, insns[3];
    int irq_changes;
    bool irq;
};

static void set_irq(void *opaque, bool level)
{
    struct fix *f = opaque;
    f->irq = level;
    f->irq_changes++;
}

static int setup(void **state)
{
    static struct fix f;
    f = (struct fix){ 0 };
    pmu_init(&f.p, &f.cycles, &f.idle, f.insns, true, set_irq, &f);
    pmu_reset(&f.p, 2);
    *state = &f;
    return 0;
}

/* The PE runs n cycles and i instructions at its current EL. */
static void run(struct fix *f, uint64_t n, uint64_t i)
{
    f->cycles += n;
    f->insns[f->p.cur_el] += i;
}

static void test_reset_values(void **state)
{
    struct fix *f = *state;
    assert_int_equal(pmu_read_pmcr(&f->p, false), PMCR_A57_RESET);
    assert_int_equal((pmu_read_pmcr(&f->p, false) >> PMCR_N_SHIFT) & 0x1f, 6);
    assert_int_equal(pmu_hpmn(&f->p), 6);
    assert_int_equal(pmu_read_set(&f->p, PMU_CNTEN, false), 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 0);
    /* PMCEID0_EL0: SW_INCR, L1I/L1D_TLB_REFILL, INST_RETIRED, EXC_TAKEN/RETURN, CPU_CYCLES,
     * BUS_CYCLES, CHAIN, L2D_TLB_REFILL. */
    assert_int_equal(pmu_ceid(0), (1u << 0) | (1u << 2) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 10) |
                                  (1u << 0x11) | (1u << 0x1d) | (1u << 0x1e));
    assert_int_equal(pmu_ceid(1), 1u << (0x2d - 32));
}

static void test_cycle_counter_filters(void **state)
{
    struct fix *f = *state;
    pmu_write_pmcr(&f->p, PMCR_E, false);
    pmu_write_set(&f->p, PMU_CNTEN, 1u << PMU_CYCLE, true, false);
    /* PMCCFILTR_EL0 = 0: EL0 and EL1 count, EL2 (NSH clear) does not. We are at EL2. */
    run(f, 100, 10);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 0);
    pmu_el_changed(&f->p, 1);
    run(f, 50, 5);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 50);
    pmu_el_changed(&f->p, 0);
    run(f, 7, 1);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 57);
    /* Idle time (WFI) is not counted. */
    f->cycles += 1000;
    f->idle += 1000;
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 57);
    /* U excludes EL0, NSH includes EL2. */
    pmu_write_type(&f->p, PMU_CYCLE, U_BIT | NSH_BIT);
    run(f, 10, 1);                             /* EL0: excluded */
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 57);
    pmu_el_changed(&f->p, 2);
    run(f, 3, 1);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 60);
    /* NSK, NSU and M are RES0 here (no EL3): they read as zero. */
    pmu_write_type(&f->p, PMU_CYCLE, 0xfc000000u);
    assert_int_equal(pmu_read_type(&f->p, PMU_CYCLE), P_BIT | U_BIT | NSH_BIT);
    /* Disabled (PMCR_EL0.E = 0): the value holds. */
    pmu_write_pmcr(&f->p, 0, false);
    run(f, 100, 1);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 60);
    /* PMCR_EL0.C resets it. */
    pmu_write_pmcr(&f->p, PMCR_C, false);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 0);
}

static void test_event_counters(void **state)
{
    struct fix *f = *state;
    pmu_write_type(&f->p, 0, PMU_EV_INST_RETIRED | NSH_BIT);
    pmu_write_type(&f->p, 1, PMU_EV_EXC_TAKEN | P_BIT);     /* EL0 only (and no EL2) */
    pmu_write_type(&f->p, 2, PMU_EV_L1D_TLB_REFILL | NSH_BIT);
    pmu_write_type(&f->p, 3, 0x3ff);                          /* an event not counted */
    pmu_write_set(&f->p, PMU_CNTEN, 0xf, true, false);
    pmu_write_pmcr(&f->p, PMCR_E, false);
    run(f, 40, 12);
    pmu_count(&f->p, PMU_SRC_EXC_TAKEN, 2, 1);
    pmu_count(&f->p, PMU_SRC_L1D_TLB_REFILL, 2, 3);
    pmu_el_changed(&f->p, 0);
    run(f, 20, 8);
    pmu_count(&f->p, PMU_SRC_EXC_TAKEN, 0, 2);
    assert_int_equal(pmu_read_counter(&f->p, 0), 20);
    assert_int_equal(pmu_read_counter(&f->p, 1), 2);
    assert_int_equal(pmu_read_counter(&f->p, 2), 3);
    assert_int_equal(pmu_read_counter(&f->p, 3), 0);
    /* A source that goes back (instructions taken back) does not count backwards. */
    f->insns[0] -= 3;
    assert_int_equal(pmu_read_counter(&f->p, 0), 20);
    run(f, 5, 4);
    assert_int_equal(pmu_read_counter(&f->p, 0), 24);
    /* PMCR_EL0.P resets the event counters, not the cycle counter. */
    pmu_write_set(&f->p, PMU_CNTEN, 1u << PMU_CYCLE, true, false);
    run(f, 5, 1);
    pmu_write_pmcr(&f->p, PMCR_E | PMCR_P, false);
    assert_int_equal(pmu_read_counter(&f->p, 0), 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 5);
    /* Writes are 32 bits for event counters. */
    pmu_write_counter(&f->p, 0, 0x123456789ULL);
    assert_int_equal(pmu_read_counter(&f->p, 0), 0x23456789);
}

static void test_overflow_interrupt(void **state)
{
    struct fix *f = *state;
    pmu_el_changed(&f->p, 1);
    pmu_write_type(&f->p, 0, PMU_EV_CPU_CYCLES);
    pmu_write_counter(&f->p, 0, 0xffffff00u);
    pmu_write_set(&f->p, PMU_CNTEN, 1, true, false);
    pmu_write_set(&f->p, PMU_INTEN, 1, true, false);
    assert_int_equal(pmu_next_check(&f->p), UINT64_MAX);     /* not enabled: PMCR_EL0.E = 0 */
    pmu_write_pmcr(&f->p, PMCR_E, false);
    assert_int_equal(pmu_next_check(&f->p), f->cycles + 0x100);
    run(f, 0xff, 0);
    pmu_update(&f->p);
    assert_false(f->irq);
    run(f, 2, 0);
    pmu_update(&f->p);
    assert_true(f->irq);
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 1);
    assert_int_equal(pmu_read_counter(&f->p, 0), 1);
    assert_int_equal(pmu_next_check(&f->p), UINT64_MAX);     /* the flag is already set */
    /* Clearing the overflow flag drops the interrupt; so does disabling the interrupt. */
    pmu_write_set(&f->p, PMU_OVS, 1, false, false);
    assert_false(f->irq);
    pmu_write_set(&f->p, PMU_OVS, 1, true, false);            /* PMOVSSET_EL0 sets it */
    assert_true(f->irq);
    pmu_write_set(&f->p, PMU_INTEN, 1, false, false);
    assert_false(f->irq);
    /* Without the interrupt enabled the flag is still set on overflow. */
    pmu_write_set(&f->p, PMU_OVS, 1, false, false);
    pmu_write_counter(&f->p, 0, 0xfffffff0u);
    run(f, 0x20, 0);
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 1);
    assert_false(f->irq);
}

static void test_cycle_counter_lc_and_divider(void **state)
{
    struct fix *f = *state;
    pmu_el_changed(&f->p, 1);
    pmu_write_set(&f->p, PMU_CNTEN, 1u << PMU_CYCLE, true, false);
    pmu_write_set(&f->p, PMU_INTEN, 1u << PMU_CYCLE, true, false);
    pmu_write_pmcr(&f->p, PMCR_E, false);
    /* LC = 0: the overflow flag is set when bit 31 carries out; the value is 64 bits. */
    pmu_write_counter(&f->p, PMU_CYCLE, 0x1fffffff0ULL);
    assert_int_equal(pmu_next_check(&f->p), f->cycles + 0x10);
    run(f, 0x20, 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 0x200000010ULL);
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 1u << PMU_CYCLE);
    assert_true(f->irq);
    /* LC = 1: only the 64-bit wrap overflows. */
    pmu_write_set(&f->p, PMU_OVS, 1u << PMU_CYCLE, false, false);
    pmu_write_pmcr(&f->p, PMCR_E | PMCR_LC, false);
    pmu_write_counter(&f->p, PMU_CYCLE, 0xfffffff0ULL);
    run(f, 0x20, 0);
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 0);
    pmu_write_counter(&f->p, PMU_CYCLE, UINT64_MAX - 3);
    assert_int_equal(pmu_next_check(&f->p), f->cycles + 4);
    run(f, 5, 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 1);
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 1u << PMU_CYCLE);
    /* D: one count every 64 cycles. */
    pmu_write_set(&f->p, PMU_OVS, 1u << PMU_CYCLE, false, false);
    pmu_write_pmcr(&f->p, PMCR_E | PMCR_D | PMCR_C, false);
    run(f, 64 * 3 + 10, 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 3);
    run(f, 54, 0);
    assert_int_equal(pmu_read_counter(&f->p, PMU_CYCLE), 4);
}

static void test_hpmn_partition(void **state)
{
    struct fix *f = *state;
    pmu_write_mdcr(&f->p, 2);                        /* HPMN = 2, HPME = 0 */
    assert_int_equal(pmu_hpmn(&f->p), 2);
    assert_int_equal((pmu_read_pmcr(&f->p, true) >> PMCR_N_SHIFT) & 0x1f, 2);
    assert_int_equal((pmu_read_pmcr(&f->p, false) >> PMCR_N_SHIFT) & 0x1f, 6);
    /* From EL0/EL1 the bits of counters 2-5 read as zero and ignore writes. */
    pmu_write_set(&f->p, PMU_CNTEN, 0x3f, true, true);
    assert_int_equal(pmu_read_set(&f->p, PMU_CNTEN, false), 0x3);
    pmu_write_set(&f->p, PMU_CNTEN, 0x3f, true, false);
    assert_int_equal(pmu_read_set(&f->p, PMU_CNTEN, false), 0x3f);
    assert_int_equal(pmu_read_set(&f->p, PMU_CNTEN, true), 0x3);
    /* Counters 0-1 follow PMCR_EL0.E, counters 2-5 MDCR_EL2.HPME. */
    for (unsigned i = 0; i < 6; i++)
        pmu_write_type(&f->p, i, PMU_EV_INST_RETIRED | NSH_BIT);
    pmu_write_pmcr(&f->p, PMCR_E, true);
    run(f, 10, 10);
    assert_int_equal(pmu_read_counter(&f->p, 1), 10);
    assert_int_equal(pmu_read_counter(&f->p, 2), 0);
    pmu_write_mdcr(&f->p, 2 | MDCR_HPME);
    pmu_write_pmcr(&f->p, 0, true);
    run(f, 10, 10);
    assert_int_equal(pmu_read_counter(&f->p, 1), 10);
    assert_int_equal(pmu_read_counter(&f->p, 5), 10);
    /* PMCR_EL0.P from EL1 resets counters 0-1 only; from EL2 all of them. */
    pmu_write_pmcr(&f->p, PMCR_P, true);
    assert_int_equal(pmu_read_counter(&f->p, 0), 0);
    assert_int_equal(pmu_read_counter(&f->p, 5), 10);
    pmu_write_pmcr(&f->p, PMCR_P, false);
    assert_int_equal(pmu_read_counter(&f->p, 5), 0);
    /* HPMN above N acts as N. */
    pmu_write_mdcr(&f->p, 31);
    assert_int_equal(pmu_hpmn(&f->p), 6);
}

static void test_swinc_and_chain(void **state)
{
    struct fix *f = *state;
    pmu_write_type(&f->p, 0, PMU_EV_SW_INCR);
    pmu_write_type(&f->p, 1, PMU_EV_CHAIN);
    pmu_write_type(&f->p, 2, PMU_EV_CHAIN);           /* CHAIN on an even counter counts nothing */
    pmu_write_set(&f->p, PMU_CNTEN, 0x7, true, false);
    pmu_write_set(&f->p, PMU_INTEN, 0x1, true, false);
    pmu_write_swinc(&f->p, 1, false);                 /* disabled: PMCR_EL0.E = 0 */
    assert_int_equal(pmu_read_counter(&f->p, 0), 0);
    pmu_write_pmcr(&f->p, PMCR_E, false);
    for (int i = 0; i < 5; i++)
        pmu_write_swinc(&f->p, 0x5, false);
    assert_int_equal(pmu_read_counter(&f->p, 0), 5);
    assert_int_equal(pmu_read_counter(&f->p, 2), 0);
    pmu_write_counter(&f->p, 0, 0xfffffffeu);
    pmu_write_swinc(&f->p, 1, false);
    assert_false(f->irq);
    pmu_write_swinc(&f->p, 1, false);
    assert_true(f->irq);
    assert_int_equal(pmu_read_counter(&f->p, 0), 0);
    assert_int_equal(pmu_read_counter(&f->p, 1), 1);  /* the chained counter counted the overflow */
    assert_int_equal(pmu_read_set(&f->p, PMU_OVS, false), 1);
    /* A chained pair of instruction counters: the odd one counts the even one's wraps. */
    pmu_write_type(&f->p, 0, PMU_EV_INST_RETIRED | NSH_BIT);
    pmu_write_counter(&f->p, 0, 0xffffffffu);
    pmu_write_counter(&f->p, 1, 7);
    run(f, 2, 2);
    assert_int_equal(pmu_read_counter(&f->p, 0), 1);
    assert_int_equal(pmu_read_counter(&f->p, 1), 8);
}

static void test_without_el2(void **state)
{
    (void)state;
    struct fix f = { 0 };
    pmu_init(&f.p, &f.cycles, &f.idle, f.insns, false, set_irq, &f);
    pmu_reset(&f.p, 1);
    pmu_write_mdcr(&f.p, 1);                          /* no EL2: HPMN does not apply */
    assert_int_equal(pmu_hpmn(&f.p), 6);
    assert_int_equal((pmu_read_pmcr(&f.p, true) >> PMCR_N_SHIFT) & 0x1f, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_cycle_counter_filters, setup),
        cmocka_unit_test_setup(test_event_counters, setup),
        cmocka_unit_test_setup(test_overflow_interrupt, setup),
        cmocka_unit_test_setup(test_cycle_counter_lc_and_divider, setup),
        cmocka_unit_test_setup(test_hpmn_partition, setup),
        cmocka_unit_test_setup(test_swinc_and_chain, setup),
        cmocka_unit_test(test_without_el2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
