/* Unit tests for the exception viewer (issue 7), without a display: the
 * model's ring and counters, the layout (lanes, arrows, colours, time window,
 * hit testing), the rasterizer's pixels and the PNG writer (read back and
 * inflated with zlib); the SMMU's marks (event records and commands published
 * on an event bus) on their row, with their legend, in the PNG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "cpu/syndrome.h"
#include "frontend/png.h"
#include "frontend/view_axis.h"
#include "frontend/view_esr.h"
#include "cpu/sysreg.h"
#include "frontend/view_font.h"
#include "frontend/view_layout.h"
#include "frontend/view_model.h"
#include "frontend/view_render.h"

#define W 800
#define H 400

struct fixture {
    struct view_model vm;
    struct view_frame frame;
    struct view_viewport vp;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_int_equal(view_model_init(&fx->vm, 8, 1), 0);
    assert_int_equal(view_frame_init(&fx->frame, 8), 0);
    fx->vp = (struct view_viewport){ .width = W, .height = H, .selected = -1 };
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    view_frame_destroy(&fx->frame);
    view_model_destroy(&fx->vm);
    free(fx);
    return 0;
}

static void exception_on(struct view_model *vm, unsigned pe, uint64_t cycles, unsigned ec, unsigned from, unsigned to,
                         int vmid)
{
    struct event ev = { .type = EV_EXCEPTION, .pe = pe, .cycles = cycles, .pc = 0x1000 + cycles };
    ev.u.exc.ec = ec;
    ev.u.exc.esr = (uint64_t)ec << 26;
    ev.u.exc.from_el = from;
    ev.u.exc.to_el = to;
    ev.u.exc.vmid = vmid;
    ev.u.exc.far = 0xdead0000;
    ev.u.exc.far_valid = 1;
    view_model_on_event(vm, &ev);
}

static void exception(struct view_model *vm, uint64_t cycles, unsigned ec, unsigned from, unsigned to, int vmid)
{
    exception_on(vm, 0, cycles, ec, from, to, vmid);
}

static void eret_on(struct view_model *vm, unsigned pe, uint64_t cycles, unsigned from, unsigned to)
{
    struct event ev = { .type = EV_ERET, .pe = pe, .cycles = cycles, .pc = 0x2000 };
    ev.u.eret.from_el = from;
    ev.u.eret.to_el = to;
    view_model_on_event(vm, &ev);
}

static void eret(struct view_model *vm, uint64_t cycles, unsigned from, unsigned to)
{
    eret_on(vm, 0, cycles, from, to);
}

/* The text the frame holds that starts with prefix, or NULL. */
static const struct view_text *find_text(const struct view_frame *f, const char *prefix)
{
    for (int i = 0; i < f->n_texts; i++)
        if (strncmp(f->texts[i].s, prefix, strlen(prefix)) == 0)
            return &f->texts[i];
    return NULL;
}

/* Whether the frame has a rectangle exactly there. */
static int has_rect(const struct view_frame *f, int x, int y, int w, int h)
{
    for (int i = 0; i < f->n_rects; i++)
        if (f->rects[i].x == x && f->rects[i].y == y && f->rects[i].w == w && f->rects[i].h == h)
            return 1;
    return 0;
}

static void test_classify(void **state)
{
    assert_int_equal(view_classify(EC_HVC64, 2), VIEW_HVC);
    assert_int_equal(view_classify(EC_SMC64, 2), VIEW_SMC);
    assert_int_equal(view_classify(EC_SYSREG, 2), VIEW_SYSREG_TRAP);
    assert_int_equal(view_classify(EC_DABORT_LOWER, 2), VIEW_DABORT_STAGE2);
    assert_int_equal(view_classify(EC_DABORT_LOWER, 1), VIEW_DABORT);
    assert_int_equal(view_classify(EC_PSEUDO_IRQ, 2), VIEW_IRQ);
    assert_int_equal(view_classify(EC_PSEUDO_VIRQ, 1), VIEW_VIRQ);
    assert_int_equal(view_classify(0x3f, 1), VIEW_OTHER);
    /* Every class has a name and an opaque colour, all colours different. */
    for (int i = 0; i < VIEW_CLASS_COUNT; i++) {
        assert_non_null(view_classes[i].name);
        assert_int_equal(view_classes[i].rgba & 0xff, 0xff);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(view_classes[i].rgba, view_classes[j].rgba);
    }
}

static void test_counters(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 100, EC_HVC64, 1, 2, 3);
    eret(&fx->vm, 150, 2, 1);
    exception(&fx->vm, 200, EC_SYSREG, 1, 2, 3);
    exception(&fx->vm, 300, EC_SVC64, 0, 1, 3);    /* not a trap to EL2 */
    exception(&fx->vm, 400, EC_HVC64, 1, 2, -1);
    struct event fill = { .type = EV_TLB_FILL, .cycles = 450 };
    view_model_on_event(&fx->vm, &fill);
    const struct view_counters *c = &fx->vm.counters;
    assert_int_equal(c->by_class[VIEW_HVC], 2);
    assert_int_equal(c->by_class[VIEW_ERET], 1);
    assert_int_equal(c->by_class[VIEW_SYSREG_TRAP], 1);
    assert_int_equal(c->by_class[VIEW_SVC], 1);
    assert_int_equal(c->traps_by_vmid[3], 2);
    assert_int_equal(c->traps_other_vmid, 1);
    assert_int_equal(c->tlb_fills, 1);
    assert_int_equal(c->last_cycles, 450);
    assert_int_equal(fx->vm.count, 5);    /* the TLB fill is counted, not kept */
}

static void test_ring_overflow(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < 11; i++)
        exception(&fx->vm, 10 * (i + 1), EC_HVC64, 1, 2, -1);
    assert_int_equal(fx->vm.count, 8);
    assert_int_equal(fx->vm.dropped, 3);
    /* Oldest kept is the 4th, newest the 11th, in order. */
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(view_model_entry(&fx->vm, i)->cycles, 10 * (i + 4));
    assert_int_equal(fx->vm.counters.by_class[VIEW_HVC], 11);    /* counters see everything */
}

static void test_find(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < 6; i++)
        exception(&fx->vm, 100 * (i + 1), EC_HVC64, 1, 2, 1);    /* pc = 0x1000 + cycles */
    eret(&fx->vm, 600, 2, 1);                                    /* same time, pc 0x2000 */
    assert_int_equal(view_model_find(&fx->vm, 300, 0x1000 + 300), 2);
    assert_int_equal(view_model_find(&fx->vm, 600, 0x1000 + 600), 5);
    assert_int_equal(view_model_find(&fx->vm, 600, 0x2000), 6);
    assert_int_equal(view_model_find(&fx->vm, 650, 0x2000), -1);
    /* After the ring wraps, the oldest are gone and the indices move. */
    exception(&fx->vm, 700, EC_HVC64, 1, 2, 1);
    exception(&fx->vm, 800, EC_HVC64, 1, 2, 1);
    exception(&fx->vm, 900, EC_HVC64, 1, 2, 1);
    assert_int_equal(view_model_find(&fx->vm, 200, 0x1000 + 200), -1);
    assert_int_equal(view_model_find(&fx->vm, 300, 0x1000 + 300), 0);
    assert_int_equal(view_model_find(&fx->vm, 900, 0x1000 + 900), 7);
}

static void test_lanes(void **state)
{
    struct fixture *fx = *state;
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    /* Four lanes of equal height, EL3 at the top, EL0 at the bottom, below the title. */
    assert_true(f->lane_h >= (H - VIEW_TITLE_H - VIEW_MARGIN) / 4 - 1);
    assert_int_equal(f->lane_y[0][3], VIEW_TITLE_H);
    for (unsigned el = 0; el < 3; el++)
        assert_int_equal(f->lane_y[0][el], f->lane_y[0][el + 1] + f->lane_h);
    assert_true(f->lane_y[0][0] + f->lane_h <= H);
    assert_int_equal(f->lane_x, VIEW_LABEL_W);
    assert_true(f->lane_x + f->lane_w <= W - VIEW_PANEL_W);
    /* A label per lane. */
    for (unsigned el = 0; el < 4; el++) {
        char want[8];
        snprintf(want, sizeof want, "EL%u", el);
        int found = 0;
        for (int i = 0; i < f->n_texts; i++)
            found |= strcmp(f->texts[i].s, want) == 0;
        assert_true(found);
    }
    assert_int_equal(f->n_arrows, 0);
    /* One PE: the picture from before SMP, to the pixel. 372 pixels of lanes
     * (400 - title 20 - margin 8) make four lanes of 93, EL3 at y 20; labels at
     * x 8; no PE labels and no per-PE panel lines. */
    assert_int_equal(f->n_pes, 1);
    assert_int_equal(f->n_els, 4);
    assert_int_equal(f->lane_h, 93);
    assert_int_equal(f->lane_y[0][3], 20);
    assert_int_equal(f->lane_y[0][2], 113);
    assert_int_equal(f->lane_y[0][1], 206);
    assert_int_equal(f->lane_y[0][0], 299);
    assert_int_equal(f->lane_w, W - VIEW_PANEL_W - VIEW_LABEL_W - VIEW_MARGIN);
    assert_int_equal(find_text(f, "EL3")->x, 8);
    assert_int_equal(find_text(f, "EL3")->y, 20 + 93 / 2 - 3);
    assert_null(find_text(f, "PE"));
    assert_true(has_rect(f, VIEW_LABEL_W, 299, f->lane_w, 93));
}

/* Four PEs: a group of EL2..EL0 lanes each, PE 0 at the top, gaps between groups. */
static void test_lanes_per_pe(void **state)
{
    struct fixture *fx = *state;
    view_model_destroy(&fx->vm);
    assert_int_equal(view_model_init(&fx->vm, 8, 4), 0);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    assert_int_equal(f->n_pes, 4);
    assert_int_equal(f->n_els, 3);                       /* no EL3 lanes: nothing went there */
    assert_int_equal(f->lane_x, VIEW_LABEL_W_PES);
    /* 372 pixels less 3 gaps of 4 make 12 lanes of 30. */
    assert_int_equal(f->lane_h, (H - VIEW_TITLE_H - VIEW_MARGIN - 3 * VIEW_GROUP_GAP) / 12);
    assert_int_equal(f->group_h, 3 * f->lane_h);
    for (unsigned pe = 0; pe < 4; pe++) {
        assert_int_equal(f->group_y[pe], VIEW_TITLE_H + (int)pe * (f->group_h + VIEW_GROUP_GAP));
        assert_int_equal(f->lane_y[pe][2], f->group_y[pe]);
        for (unsigned el = 0; el < 2; el++)
            assert_int_equal(f->lane_y[pe][el], f->lane_y[pe][el + 1] + f->lane_h);
        for (unsigned el = 0; el < 3; el++) {
            assert_true(has_rect(f, f->lane_x, f->lane_y[pe][el], f->lane_w, f->lane_h));
            assert_int_equal(view_lane_centre(f, pe, el), f->lane_y[pe][el] + f->lane_h / 2);
        }
        /* "PEn" left of its group's top lane. */
        char want[8];
        snprintf(want, sizeof want, "PE%u", pe);
        const struct view_text *label = find_text(f, want);
        assert_non_null(label);
        assert_int_equal(label->x, VIEW_PE_LABEL_X);
        assert_int_equal(label->y, view_lane_centre(f, pe, 2) - 3);
    }
    assert_true(f->group_y[3] + f->group_h <= H);
    assert_null(find_text(f, "EL3"));
    /* An entry at EL3 brings an EL3 lane to every group. */
    exception_on(&fx->vm, 1, 100, EC_SMC64, 2, 3, -1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(f->n_els, 4);
    assert_int_equal(f->lane_y[1][3], f->group_y[1]);
    assert_non_null(find_text(f, "EL3"));
}

/* An HVC on PE 2 goes from PE 2's EL1 lane to its EL2 lane; the hit test finds
 * it with its PE; the details and the panel name the PE. */
static void test_hvc_on_pe2(void **state)
{
    struct fixture *fx = *state;
    view_model_destroy(&fx->vm);
    assert_int_equal(view_model_init(&fx->vm, 8, 4), 0);
    exception_on(&fx->vm, 0, 1000, EC_SVC64, 0, 1, -1);
    exception_on(&fx->vm, 2, 2000, EC_HVC64, 1, 2, 5);
    eret_on(&fx->vm, 2, 3000, 2, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    assert_int_equal(f->n_arrows, 3);
    const struct view_arrow *svc = &f->arrows[0], *hvc = &f->arrows[1], *ret = &f->arrows[2];
    assert_int_equal(svc->y0, view_lane_centre(f, 0, 0));
    assert_int_equal(svc->y1, view_lane_centre(f, 0, 1));
    assert_int_equal(hvc->y0, view_lane_centre(f, 2, 1));
    assert_int_equal(hvc->y1, view_lane_centre(f, 2, 2));
    assert_true(hvc->y0 > f->group_y[2] && hvc->y0 < f->group_y[2] + f->group_h);
    assert_true(hvc->y1 > f->group_y[2] && hvc->y1 < f->group_y[2] + f->group_h);
    assert_int_equal(hvc->rgba, view_classes[VIEW_HVC].rgba);
    assert_int_equal(ret->y0, view_lane_centre(f, 2, 2));
    assert_int_equal(ret->y1, view_lane_centre(f, 2, 1));
    /* The hit test returns the HVC's entry, which knows its PE. */
    int hit = view_hit_test(f, (hvc->x0 + hvc->x1) / 2, (hvc->y0 + hvc->y1) / 2);
    assert_int_equal(hit, 1);
    assert_int_equal(view_model_entry(&fx->vm, (unsigned)hit)->pe, 2);
    assert_int_equal(view_model_entry(&fx->vm, 0)->pe, 0);
    /* Where PE 0's lanes are at that time, nothing. */
    assert_int_equal(view_hit_test(f, (hvc->x0 + hvc->x1) / 2, view_lane_centre(f, 0, 1)), -1);
    char line[VIEW_TEXT_MAX];
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 1), fx->vm.n_pes, 0, line, sizeof line));
    assert_string_equal(line, "PE2 HVC EL1 to EL2 at cycle 2000");
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 1), 1, 0, line, sizeof line));
    assert_string_equal(line, "HVC EL1 to EL2 at cycle 2000");
    /* Selected, the panel shows those details. */
    fx->vp.selected = hit;
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_non_null(find_text(f, "PE2 HVC EL1 to EL2"));
    /* Per-PE counters and their panel lines. */
    const struct view_counters *c = &fx->vm.counters;
    assert_int_equal(c->by_pe[2].exceptions, 1);
    assert_int_equal(c->by_pe[2].traps_to_el2, 1);
    assert_int_equal(c->by_pe[2].erets, 1);
    assert_int_equal(c->by_pe[0].exceptions, 1);
    assert_int_equal(c->by_pe[0].traps_to_el2, 0);
    assert_int_equal(c->by_pe[1].exceptions, 0);
    char want[VIEW_TEXT_MAX];
    snprintf(want, sizeof want, "PE2 %10u %9u %9u", 1u, 1u, 1u);
    assert_non_null(find_text(f, want));
    snprintf(want, sizeof want, "PE1 %10u %9u %9u", 0u, 0u, 0u);
    assert_non_null(find_text(f, want));
    assert_null(find_text(f, "PE4"));
    /* Rendered: HVC pixels in PE 2's group, none in the others'. */
    struct view_image img;
    assert_int_equal(view_image_init(&img, W, H), 0);
    view_render(f, &img);
    for (unsigned pe = 0; pe < 4; pe++) {
        int n = 0;
        for (int y = f->group_y[pe]; y < f->group_y[pe] + f->group_h; y++)
            for (int x = f->lane_x; x < f->lane_x + f->lane_w; x++)
                n += view_image_pixel(&img, x, y) == view_classes[VIEW_HVC].rgba;
        if (pe == 2)
            assert_true(n >= 20);
        else
            assert_int_equal(n, 0);
    }
    view_image_destroy(&img);
}

/* The ring keeps each entry's PE across a wrap; an event of a PE the model was
 * not told of gets lanes of its own. */
static void test_ring_keeps_pe(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(fx->vm.n_pes, 1);
    for (unsigned i = 0; i < 11; i++)
        exception_on(&fx->vm, i % 3, 10 * (i + 1), EC_HVC64, 1, 2, -1);
    assert_int_equal(fx->vm.n_pes, 3);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(view_model_entry(&fx->vm, i)->pe, (i + 3) % 3);
    assert_int_equal(fx->vm.counters.by_pe[0].exceptions, 4);
    assert_int_equal(fx->vm.counters.by_pe[1].exceptions, 4);
    assert_int_equal(fx->vm.counters.by_pe[2].exceptions, 3);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.n_pes, 3);
    assert_int_equal(fx->frame.arrows[0].y0, view_lane_centre(&fx->frame, 0, 1));
    assert_int_equal(fx->frame.arrows[1].y0, view_lane_centre(&fx->frame, 1, 1));
    assert_int_equal(fx->frame.arrows[2].y0, view_lane_centre(&fx->frame, 2, 1));
}

static void test_hvc_arrow(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    eret(&fx->vm, 2000, 2, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    assert_int_equal(f->n_arrows, 2);
    const struct view_arrow *hvc = &f->arrows[0], *ret = &f->arrows[1];
    assert_int_equal(hvc->y0, view_lane_centre(f, 0, 1));
    assert_int_equal(hvc->y1, view_lane_centre(f, 0, 2));
    assert_int_equal(hvc->rgba, view_classes[VIEW_HVC].rgba);
    assert_int_equal(hvc->entry, 0);
    assert_int_equal(ret->y0, view_lane_centre(f, 0, 2));
    assert_int_equal(ret->y1, view_lane_centre(f, 0, 1));
    assert_int_equal(ret->rgba, view_classes[VIEW_ERET].rgba);
    /* The window fits both: the first at the left of the lanes, the last at the right. */
    assert_true(hvc->x0 >= f->lane_x && hvc->x0 < f->lane_x + 4);
    assert_true(ret->x1 <= f->lane_x + f->lane_w && ret->x1 > f->lane_x + f->lane_w - 4);
}

static void test_time_window(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    exception(&fx->vm, 5000, EC_SMC64, 1, 2, 1);
    exception(&fx->vm, 9000, EC_HVC64, 1, 2, 1);
    fx->vp.t_start = 4000;
    fx->vp.t_end = 6000;    /* zoomed in on the SMC */
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.n_arrows, 1);
    assert_int_equal(fx->frame.arrows[0].entry, 1);
    assert_int_equal(fx->frame.arrows[0].rgba, view_classes[VIEW_SMC].rgba);
    int mid = fx->frame.lane_x + fx->frame.lane_w / 2;
    assert_true(abs(fx->frame.arrows[0].x0 - mid) < 4);
}

static void test_hit_testing(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    exception(&fx->vm, 3000, EC_DABORT_LOWER, 1, 2, 1);
    eret(&fx->vm, 5000, 2, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    for (unsigned i = 0; i < 3; i++) {
        const struct view_arrow *a = &f->arrows[i];
        assert_int_equal(view_hit_test(f, (a->x0 + a->x1) / 2, (a->y0 + a->y1) / 2), (int)i);
        assert_int_equal(view_hit_test(f, (a->x0 + a->x1) / 2 + 2, (a->y0 + a->y1) / 2), (int)i);
    }
    /* Empty lane space and the panel hit nothing. */
    assert_int_equal(view_hit_test(f, f->lane_x + f->lane_w / 4, view_lane_centre(f, 0, 0)), -1);
    assert_int_equal(view_hit_test(f, W - 10, H / 2), -1);
    /* Details of the data abort, as the panel shows them. */
    char line[VIEW_TEXT_MAX];
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 1), 1, 0, line, sizeof line));
    assert_non_null(strstr(line, "dabort stage 2"));
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 1), 1, 3, line, sizeof line));
    assert_string_equal(line, "read, address size fault L0");    /* ISS 0 */
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 1), 1, 4, line, sizeof line));
    assert_non_null(strstr(line, "FAR 0xdead0000"));
    assert_false(view_entry_detail(view_model_entry(&fx->vm, 1), 1, 5, line, sizeof line));
    /* A stage-2 data abort with its HPFAR and instruction: two more lines. */
    struct event ev = { .type = EV_EXCEPTION, .cycles = 6000, .pc = 0x40080000 };
    ev.u.exc.ec = EC_DABORT_LOWER;
    ev.u.exc.esr = (uint64_t)EC_DABORT_LOWER << 26;
    ev.u.exc.from_el = 1;
    ev.u.exc.to_el = 2;
    ev.u.exc.vmid = 1;
    ev.u.exc.hpfar = 0x40405000ULL >> 12 << 4;
    ev.u.exc.hpfar_valid = 1;
    ev.u.exc.insn = 0xf94000c5;        /* ldr x5, [x6] */
    ev.u.exc.insn_valid = 1;
    view_model_on_event(&fx->vm, &ev);
    const struct view_entry *d = view_model_entry(&fx->vm, 3);
    assert_true(view_entry_detail(d, 1, 5, line, sizeof line));
    assert_string_equal(line, "HPFAR 0x404050 (IPA 0x40405000)");
    assert_true(view_entry_detail(d, 1, 6, line, sizeof line));
    assert_string_equal(line, "f94000c5 ldr x5, [x6]");
    assert_false(view_entry_detail(d, 1, 7, line, sizeof line));
    /* An ERET: what, and where from; no ESR. */
    assert_true(view_entry_detail(view_model_entry(&fx->vm, 2), 1, 1, line, sizeof line));
    assert_string_equal(line, "from PC 0x2000");
    assert_false(view_entry_detail(view_model_entry(&fx->vm, 2), 1, 2, line, sizeof line));
}

/* The window's time axis: everything, then zoom following the newest, scroll, follow again. */
static void test_axis(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < 5; i++)
        exception(&fx->vm, 1000 * (i + 1), EC_HVC64, 1, 2, 1);
    struct view_axis ax = view_axis_fit_all();
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.t_start, 1000);
    assert_int_equal(fx->frame.t_end, 5000);
    assert_int_equal(fx->frame.n_arrows, 5);
    /* Zoom in: half the span, ending at the newest. */
    view_axis_move(&ax, VIEW_AXIS_ZOOM_IN, fx->frame.t_start, fx->frame.t_end);
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    assert_int_equal(fx->vp.t_start, 3000);
    assert_int_equal(fx->vp.t_end, 5000);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.n_arrows, 3);
    /* Following: a new entry moves the window. */
    exception(&fx->vm, 6000, EC_HVC64, 1, 2, 1);
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    assert_int_equal(fx->vp.t_end, 6000);
    /* Scrolling left stops following: a quarter span back, and stays there. */
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    view_axis_move(&ax, VIEW_AXIS_LEFT, fx->frame.t_start, fx->frame.t_end);
    exception(&fx->vm, 7000, EC_HVC64, 1, 2, 1);
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    assert_int_equal(fx->vp.t_end, 5500);
    assert_int_equal(fx->vp.t_start, 3500);
    /* Zooming in never goes below the minimum span; f follows again, 0 shows all. */
    for (int i = 0; i < 40; i++)
        view_axis_move(&ax, VIEW_AXIS_ZOOM_IN, 0, 0);
    assert_int_equal(ax.span, VIEW_AXIS_MIN_SPAN);
    view_axis_move(&ax, VIEW_AXIS_FOLLOW, 0, 0);
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    assert_int_equal(fx->vp.t_end, 7000);
    assert_int_equal(fx->vp.t_start, 7000 - VIEW_AXIS_MIN_SPAN);
    view_axis_move(&ax, VIEW_AXIS_FIT, 0, 0);
    view_axis_apply(&ax, &fx->vm, &fx->vp);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.n_arrows, 7);
}

static void test_esr_words(void **state)
{
    char buf[VIEW_TEXT_MAX];
    assert_true(view_esr_words(EC_HVC64, esr_make(EC_HVC64, true, 0x4a), buf, sizeof buf));
    assert_string_equal(buf, "imm16 #0x4a");
    /* A register the table knows, read into X3, then written from X7; an unknown encoding by numbers. */
    const struct sysreg_def *d = sysreg_at(0);
    assert_true(view_esr_words(EC_SYSREG, esr_make(EC_SYSREG, true, iss_sysreg(d->op0, d->op1, d->crn, d->crm,
                                                                                  d->op2, 3, true)),
                               buf, sizeof buf));
    char want[80];
    snprintf(want, sizeof want, "MRS X3, %s", d->name);
    assert_string_equal(buf, want);
    view_esr_words(EC_SYSREG, esr_make(EC_SYSREG, true, iss_sysreg(d->op0, d->op1, d->crn, d->crm, d->op2, 7, false)),
                   buf, sizeof buf);
    snprintf(want, sizeof want, "MSR %s, X7", d->name);
    assert_string_equal(buf, want);
    /* A stage-2 data abort: an 8-byte write from X5 hitting a level-3 translation fault. */
    struct data_iss is = { .isv = true, .sas = 3, .srt = 5, .sf = true };
    view_esr_words(EC_DABORT_LOWER, esr_make(EC_DABORT_LOWER, true, iss_data_abort(&is, false, false, false, true, 0x07)),
                   buf, sizeof buf);
    assert_string_equal(buf, "write 8B X5, translation fault L3");
    view_esr_words(EC_IABORT_LOWER, esr_make(EC_IABORT_LOWER, true, iss_instruction_abort(false, true, 0x0e)), buf,
                   sizeof buf);
    assert_string_equal(buf, "fetch, permission fault L2 on S1 walk");
    view_esr_words(EC_WFX, esr_make(EC_WFX, true, iss_wfx(true)), buf, sizeof buf);
    assert_string_equal(buf, "WFE");
    assert_false(view_esr_words(EC_BRK64, esr_make(EC_BRK64, true, 0), buf, sizeof buf));
    assert_string_equal(buf, "");
}

static void test_render_pixels(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    exception(&fx->vm, 3000, EC_PSEUDO_VIRQ, 2, 1, 1);
    eret(&fx->vm, 5000, 2, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    struct view_image img;
    assert_int_equal(view_image_init(&img, W, H), 0);
    view_render(&fx->frame, &img);
    const struct view_frame *f = &fx->frame;
    /* Every arrow's colour at the middle of its shaft. */
    for (unsigned i = 0; i < f->n_arrows; i++) {
        const struct view_arrow *a = &f->arrows[i];
        assert_int_equal(view_image_pixel(&img, (a->x0 + a->x1) / 2, (a->y0 + a->y1) / 2), a->rgba);
    }
    /* The arrowhead: pixels of the HVC colour just below its tip, a few either side. */
    const struct view_arrow *hvc = &f->arrows[0];
    assert_int_equal(view_image_pixel(&img, hvc->x1, hvc->y1 + 3), view_classes[VIEW_HVC].rgba);
    /* Lane backgrounds differ from the picture's background, and alternate. */
    int x = f->lane_x + f->lane_w / 3;
    uint32_t lane0 = view_image_pixel(&img, x, f->lane_y[0][0] + 2);
    uint32_t lane1 = view_image_pixel(&img, x, f->lane_y[0][1] + 2);
    assert_int_not_equal(lane0, VIEW_BACKGROUND_RGBA);
    assert_int_not_equal(lane1, VIEW_BACKGROUND_RGBA);
    assert_int_not_equal(lane0, lane1);
    assert_int_equal(view_image_pixel(&img, 2, 2), VIEW_BACKGROUND_RGBA);
    /* Some text drawn in the panel. */
    int text_pixels = 0;
    for (int yy = 0; yy < H; yy++)
        for (int xx = W - VIEW_PANEL_W; xx < W; xx++)
            text_pixels += view_image_pixel(&img, xx, yy) == VIEW_TEXT_RGBA;
    assert_true(text_pixels > 100);
    view_image_destroy(&img);
}

static void test_font(void **state)
{
    assert_memory_equal(view_font_glyph('a'), view_font_glyph('A'), VIEW_FONT_ROWS);
    assert_memory_equal(view_font_glyph('~'), view_font_glyph('?'), VIEW_FONT_ROWS);
    assert_memory_not_equal(view_font_glyph('0'), view_font_glyph('O'), VIEW_FONT_ROWS);
    static const uint8_t blank[VIEW_FONT_ROWS];
    assert_memory_equal(view_font_glyph(' '), blank, VIEW_FONT_ROWS);
    /* Every digit and letter has a glyph of its own. */
    const char *chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (const char *p = chars; *p; p++)
        for (const char *q = chars; q < p; q++)
            assert_memory_not_equal(view_font_glyph(*p), view_font_glyph(*q), VIEW_FONT_ROWS);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes a small picture, reads the file back chunk by chunk, checks the CRCs
 * and inflates the IDAT into the same pixels. */
static void test_png_roundtrip(void **state)
{
    enum { PW = 7, PH = 5 };
    uint8_t pixels[PW * PH * 4];
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)(i * 37 + 11);
    char path[] = "/tmp/avsim_test_view_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[300];
    assert_int_equal(png_write_rgba(path, PW, PH, pixels, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    assert_memory_equal(buf, signature, 8);
    size_t off = 8;
    const char *want[] = { "IHDR", "IDAT", "IEND" };
    uint8_t raw[PH * (PW * 4 + 1)];
    for (int c = 0; c < 3; c++) {
        assert_true(off + 12 <= n);
        uint32_t len = be32(buf + off);
        assert_memory_equal(buf + off + 4, want[c], 4);
        assert_true(off + 12 + len <= n);
        assert_int_equal(be32(buf + off + 8 + len), (uint32_t)crc32_z(0, buf + off + 4, len + 4));
        const uint8_t *data = buf + off + 8;
        if (c == 0) {
            assert_int_equal(len, 13);
            assert_int_equal(be32(data), PW);
            assert_int_equal(be32(data + 4), PH);
            assert_int_equal(data[8], 8);
            assert_int_equal(data[9], 6);
        } else if (c == 1) {
            uLongf raw_len = sizeof raw;
            assert_int_equal(uncompress(raw, &raw_len, data, len), Z_OK);
            assert_int_equal(raw_len, sizeof raw);
        } else {
            assert_int_equal(len, 0);
        }
        off += 12 + len;
    }
    assert_int_equal(off, n);
    for (int y = 0; y < PH; y++) {
        assert_int_equal(raw[y * (PW * 4 + 1)], 0);    /* filter None */
        assert_memory_equal(raw + y * (PW * 4 + 1) + 1, pixels + y * PW * 4, PW * 4);
    }
    /* An unwritable path is an error with a message, not a crash. */
    assert_int_equal(png_write_rgba("/nonexistent-dir/x.png", PW, PH, pixels, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.png"));
}

/* ---- the SMMU row ---- */

static void smmu_event(struct event_bus *bus, uint64_t cycles, unsigned event_id, uint32_t sid, int recorded)
{
    struct event ev = { .type = EV_SMMU_EVENT, .cycles = cycles };
    ev.u.smmu.sid = sid;
    ev.u.smmu.iova = 0x8000 + cycles;
    ev.u.smmu.event_id = event_id;
    ev.u.smmu.recorded = recorded;
    event_publish(bus, &ev);
}

static void smmu_command(struct event_bus *bus, uint64_t cycles, unsigned opcode)
{
    struct event ev = { .type = EV_SMMU_CMD, .cycles = cycles, .pe = 1 };
    ev.u.smmu.opcode = opcode;
    ev.u.smmu.cmd[0] = opcode;
    event_publish(bus, &ev);
}

/* The model keeps the SMMU's event records and commands from the bus (not its translations). */
static void test_smmu_marks_kept(void **state)
{
    struct fixture *fx = *state;
    struct event_bus bus = { 0 };
    assert_int_equal(view_model_subscribe(&fx->vm, &bus), 0);
    assert_true(event_wanted(&bus, EV_SMMU_EVENT));
    assert_true(event_wanted(&bus, EV_SMMU_CMD));
    assert_false(event_wanted(&bus, EV_SMMU_XLATE));
    smmu_event(&bus, 100, 0x10, 8, 1);                 /* F_TRANSLATION */
    smmu_command(&bus, 200, 0x46);                     /* CMD_SYNC */
    smmu_event(&bus, 300, 0x04, 9, 0);                 /* C_BAD_STE, the queue full */
    assert_int_equal(fx->vm.smmu_count, 3);
    assert_int_equal(fx->vm.count, 0);                 /* no exception */
    assert_int_equal(fx->vm.counters.smmu[VIEW_SMMU_FAULT], 2);
    assert_int_equal(fx->vm.counters.smmu[VIEW_SMMU_CMD], 1);
    assert_int_equal(fx->vm.counters.smmu_not_recorded, 1);
    const struct view_smmu_mark *m = view_model_smmu_mark(&fx->vm, 0);
    assert_int_equal(m->kind, VIEW_SMMU_FAULT);
    assert_int_equal(m->code, 0x10);
    assert_int_equal(m->sid, 8);
    assert_int_equal(m->iova, 0x8000 + 100);
    assert_true(m->recorded);
    m = view_model_smmu_mark(&fx->vm, 1);
    assert_int_equal(m->kind, VIEW_SMMU_CMD);
    assert_int_equal(m->code, 0x46);
    assert_int_equal(m->pe, 1);
    assert_false(view_model_smmu_mark(&fx->vm, 2)->recorded);
    /* The ring keeps the newest (capacity 8). */
    for (unsigned i = 0; i < 10; i++)
        smmu_command(&bus, 400 + i, 0x10);
    assert_int_equal(fx->vm.smmu_count, 8);
    assert_int_equal(fx->vm.smmu_dropped, 5);
    assert_int_equal(view_model_smmu_mark(&fx->vm, 0)->cycles, 402);
    assert_int_equal(view_model_smmu_mark(&fx->vm, 7)->cycles, 409);
    assert_int_equal(fx->vm.counters.smmu[VIEW_SMMU_CMD], 11);
}

static bool frame_has_text(const struct view_frame *f, const char *s)
{
    for (int i = 0; i < f->n_texts; i++)
        if (strstr(f->texts[i].s, s))
            return true;
    return false;
}

/* Without SMMU marks, no row; with them, a row below the lanes, marks in
 * their colours (event records full height, commands half), a legend, and a
 * time window that holds a mark after the last exception. */
static void test_smmu_row(void **state)
{
    struct fixture *fx = *state;
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    eret(&fx->vm, 3000, 2, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    const struct view_frame *f = &fx->frame;
    assert_int_equal(f->smmu_row_h, 0);
    assert_int_equal(f->n_marks, 0);
    assert_false(frame_has_text(f, "SMMU"));
    int lane_h_without = f->lane_h;

    struct event_bus bus = { 0 };
    assert_int_equal(view_model_subscribe(&fx->vm, &bus), 0);
    smmu_command(&bus, 2000, 0x46);
    smmu_event(&bus, 5000, 0x10, 8, 1);
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(f->smmu_row_h, VIEW_SMMU_ROW_H);
    assert_true(f->lane_h < lane_h_without);
    assert_true(f->smmu_row_y >= f->lane_y[0][0] + f->lane_h);      /* under EL0 */
    assert_true(f->smmu_row_y + f->smmu_row_h <= H);
    assert_int_equal(f->t_start, 1000);
    assert_int_equal(f->t_end, 5000);                                /* the fault after the last ERET */
    assert_int_equal(f->n_marks, 2);
    const struct view_rect *cmd = &f->marks[0], *fault = &f->marks[1];
    assert_int_equal(f->mark_entry[1], 1);
    assert_int_equal(cmd->rgba, view_smmu_kinds[VIEW_SMMU_CMD].rgba);
    assert_int_equal(fault->rgba, view_smmu_kinds[VIEW_SMMU_FAULT].rgba);
    assert_true(fault->h > cmd->h);
    assert_true(cmd->x < fault->x);
    assert_true(fault->y >= f->smmu_row_y && fault->y + fault->h <= f->smmu_row_y + f->smmu_row_h);
    assert_true(frame_has_text(f, "SMMU event record  1"));
    assert_true(frame_has_text(f, "SMMU command       1"));
    assert_true(frame_has_text(f, "exceptions and SMMU, cycles 1000 to 5000"));
    /* Drawn. */
    struct view_image img;
    assert_int_equal(view_image_init(&img, W, H), 0);
    view_render(f, &img);
    assert_int_equal(view_image_pixel(&img, fault->x, fault->y + fault->h / 2), fault->rgba);
    assert_int_equal(view_image_pixel(&img, cmd->x + 1, cmd->y + cmd->h - 1), cmd->rgba);
    assert_int_not_equal(view_image_pixel(&img, cmd->x, cmd->y - 2), cmd->rgba);        /* half height */
    view_image_destroy(&img);
    /* A window before the fault leaves it out. */
    fx->vp.t_start = 0;
    fx->vp.t_end = 4000;
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(f->n_marks, 1);
}

/* --view-png's path: the PNG holds the SMMU marks. */
static void test_smmu_png(void **state)
{
    struct fixture *fx = *state;
    struct event_bus bus = { 0 };
    assert_int_equal(view_model_subscribe(&fx->vm, &bus), 0);
    exception(&fx->vm, 1000, EC_HVC64, 1, 2, 1);
    smmu_event(&bus, 2000, 0x10, 8, 1);
    smmu_command(&bus, 3000, 0x46);
    char path[] = "/tmp/avsim_test_view_smmu_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[300];
    assert_int_equal(view_render_png(&fx->vm, &fx->vp, path, err, sizeof err), 0);
    /* The marks' places, as laid out for the same viewport. */
    view_layout(&fx->vm, &fx->vp, &fx->frame);
    assert_int_equal(fx->frame.n_marks, 2);
    /* Read the file back: every IDAT chunk, inflated, rows of filter None then RGBA. */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t file[1 << 20], zdata[1 << 20], raw[H * (W * 4 + 1)];
    size_t n = fread(file, 1, sizeof file, f), zlen = 0;
    fclose(f);
    unlink(path);
    for (size_t off = 8; off + 12 <= n;) {
        uint32_t len = be32(file + off);
        if (!memcmp(file + off + 4, "IDAT", 4)) {
            memcpy(zdata + zlen, file + off + 8, len);
            zlen += len;
        }
        off += 12 + len;
    }
    uLongf raw_len = sizeof raw;
    assert_int_equal(uncompress(raw, &raw_len, zdata, zlen), Z_OK);
    assert_int_equal(raw_len, sizeof raw);
    for (unsigned i = 0; i < fx->frame.n_marks; i++) {
        const struct view_rect *r = &fx->frame.marks[i];
        const uint8_t *p = raw + (size_t)(r->y + r->h - 1) * (W * 4 + 1) + 1 + (size_t)r->x * 4;
        assert_int_equal(be32(p), r->rgba);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lanes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lanes_per_pe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hvc_on_pe2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_keeps_pe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hvc_arrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hit_testing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_axis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_pixels, setup, teardown),
        cmocka_unit_test(test_esr_words),
        cmocka_unit_test(test_font),
        cmocka_unit_test(test_png_roundtrip),
        cmocka_unit_test_setup_teardown(test_smmu_marks_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smmu_png, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
