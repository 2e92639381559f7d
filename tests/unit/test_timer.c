/* The simulated-time queue (sim/timeq.c) and the generic timers (timer/gtimer.c):
 * counter/offset arithmetic, TVAL/CVAL conversion and wrap, ISTATUS and the
 * output level, scheduling of the moment a timer fires. The GIC is replaced by
 * a real one whose PPI pending state is observed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "gic/gic.h"
#include "sim/timeq.h"
#include "timer/gtimer.h"

/* ---- the queue ---- */

static int fired[8], nfired;
static void fire(void *opaque, uint64_t now)
{
    (void)now;
    fired[nfired++] = (int)(intptr_t)opaque;
}

static void test_timeq_order_cancel_reschedule(void **state)
{
    (void)state;
    struct timeq q;
    struct timeq_event e[5];
    timeq_init(&q);
    nfired = 0;
    for (int i = 0; i < 5; i++)
        timeq_event_init(&e[i], fire, (void *)(intptr_t)i);
    assert_int_equal(timeq_next(&q), TIMEQ_NEVER);
    timeq_schedule(&q, &e[0], 50);
    timeq_schedule(&q, &e[1], 10);
    timeq_schedule(&q, &e[2], 30);
    timeq_schedule(&q, &e[3], 20);
    timeq_schedule(&q, &e[4], 40);
    assert_int_equal(timeq_next(&q), 10);
    timeq_cancel(&q, &e[3]);                 /* 20 gone */
    timeq_schedule(&q, &e[0], 5);            /* 50 -> 5 */
    assert_int_equal(timeq_next(&q), 5);
    timeq_run_due(&q, 30);
    assert_int_equal(nfired, 3);
    assert_int_equal(fired[0], 0);
    assert_int_equal(fired[1], 1);
    assert_int_equal(fired[2], 2);
    assert_int_equal(timeq_next(&q), 40);
    timeq_run_due(&q, 1000);
    assert_int_equal(nfired, 4);
    assert_int_equal(timeq_next(&q), TIMEQ_NEVER);
}

/* ---- the timers: 1 GHz CPU, 62.5 MHz counter (16 cycles per tick) ---- */

struct fix {
    struct gic *gic;
    struct timeq q;
    uint64_t cycles;
    struct gtimer_cpu t;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    struct gic_config cfg = { .version = GIC_V3, .num_pes = 1, .num_lrs = 4, .vpri_bits = 5 };
    char err[100];
    f->gic = gic_create(&cfg, NULL, NULL, err, sizeof err);
    assert_non_null(f->gic);
    timeq_init(&f->q);
    gtimer_init(&f->t, &f->q, &f->cycles, 1000000000ULL, 62500000ULL, f->gic, 0);
    gtimer_reset(&f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    gic_destroy(f->gic);
    free(f);
    return 0;
}

/* The PPI's pending bit at the redistributor (GICR_ISPENDR0). */
static bool ppi_pending(struct fix *f, unsigned ppi)
{
    return (gic_redist_read(f->gic, 0x10000 + 0x200, 4) >> ppi) & 1;
}

static void advance(struct fix *f, uint64_t cycles)
{
    f->cycles = cycles;
    timeq_run_due(&f->q, cycles);
}

static void test_counters(void **state)
{
    struct fix *f = *state;
    f->cycles = 16000;
    assert_int_equal(gtimer_cntpct(&f->t), 1000);
    gtimer_write_cntvoff(&f->t, 300);
    assert_int_equal(gtimer_count(&f->t, GT_VIRT), 700);
    assert_int_equal(gtimer_count(&f->t, GT_PHYS), 1000);
    gtimer_write_cntvoff(&f->t, 2000);                  /* CNTVCT wraps below zero */
    assert_int_equal(gtimer_count(&f->t, GT_VIRT), (uint64_t)-1000);
    assert_int_equal(gtimer_ticks_to_cycles(&f->t, 3), 48);
    assert_int_equal(gtimer_cycles_to_ticks(&f->t, 47), 2);
}

static void test_cval_fires_and_level(void **state)
{
    struct fix *f = *state;
    f->cycles = 0;
    gtimer_write_cval(&f->t, GT_VIRT, 100);
    assert_int_equal(timeq_next(&f->q), TIMEQ_NEVER);   /* not enabled: nothing scheduled */
    gtimer_write_ctl(&f->t, GT_VIRT, GT_CTL_ENABLE);
    assert_int_equal(timeq_next(&f->q), 1600);          /* tick 100 = cycle 1600 */
    assert_int_equal(gtimer_read_ctl(&f->t, GT_VIRT), GT_CTL_ENABLE);
    advance(f, 1599);
    assert_false(ppi_pending(f, GT_PPI_VIRT));
    advance(f, 1600);
    assert_int_equal(gtimer_read_ctl(&f->t, GT_VIRT), GT_CTL_ENABLE | GT_CTL_ISTATUS);
    assert_true(ppi_pending(f, GT_PPI_VIRT));            /* level high: pending at the GIC */
    /* IMASK keeps ISTATUS but drops the output. */
    gtimer_write_ctl(&f->t, GT_VIRT, GT_CTL_ENABLE | GT_CTL_IMASK);
    assert_int_equal(gtimer_read_ctl(&f->t, GT_VIRT), GT_CTL_ENABLE | GT_CTL_IMASK | GT_CTL_ISTATUS);
    assert_false(ppi_pending(f, GT_PPI_VIRT));
    /* Disabled: ISTATUS reads 0. */
    gtimer_write_ctl(&f->t, GT_VIRT, 0);
    assert_int_equal(gtimer_read_ctl(&f->t, GT_VIRT), 0);
    /* A CVAL in the past fires at once. */
    gtimer_write_cval(&f->t, GT_PHYS, 50);
    gtimer_write_ctl(&f->t, GT_PHYS, GT_CTL_ENABLE);
    assert_true(ppi_pending(f, GT_PPI_PHYS));
    /* CNTVOFF moves the virtual timer's firing time: physical count 100 now,
     * virtual 50; CVAL 200 is reached at physical tick 250. */
    gtimer_write_cntvoff(&f->t, 50);
    gtimer_write_cval(&f->t, GT_VIRT, 200);
    gtimer_write_ctl(&f->t, GT_VIRT, GT_CTL_ENABLE);
    assert_int_equal(timeq_next(&f->q), 250 * 16);
    assert_false(ppi_pending(f, GT_PPI_VIRT));
    /* With CNTVOFF above the physical count the 64-bit virtual count wraps to
     * a huge value: any small CVAL is already reached. */
    gtimer_write_cntvoff(&f->t, 1000);
    assert_int_equal(gtimer_read_ctl(&f->t, GT_VIRT), GT_CTL_ENABLE | GT_CTL_ISTATUS);
    assert_true(ppi_pending(f, GT_PPI_VIRT));
}

static void test_tval(void **state)
{
    struct fix *f = *state;
    f->cycles = 16 * 1000;
    gtimer_write_tval(&f->t, GT_HYP, 500);
    assert_int_equal(gtimer_read_cval(&f->t, GT_HYP), 1500);
    assert_int_equal(gtimer_read_tval(&f->t, GT_HYP), 500);
    f->cycles = 16 * 1600;
    assert_int_equal((int32_t)gtimer_read_tval(&f->t, GT_HYP), -100);   /* counts down past zero */
    /* A negative TVAL write: CVAL = count + SignExtend(TVAL). */
    gtimer_write_tval(&f->t, GT_HYP, 0xffffff9cu);        /* -100 */
    assert_int_equal(gtimer_read_cval(&f->t, GT_HYP), 1500);
    /* The view is 32 bits: CVAL far away reads truncated. */
    gtimer_write_cval(&f->t, GT_HYP, 1600 + 0x100000005ULL);
    assert_int_equal(gtimer_read_tval(&f->t, GT_HYP), 5);
    /* Timer 26 fires through its own PPI. */
    gtimer_write_cval(&f->t, GT_HYP, 1700);
    gtimer_write_ctl(&f->t, GT_HYP, GT_CTL_ENABLE);
    advance(f, 16 * 1700);
    assert_true(ppi_pending(f, GT_PPI_HYP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeq_order_cancel_reschedule),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cval_fires_and_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tval, setup, teardown),
    };
    return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
