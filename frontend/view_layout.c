/* The exception viewer's layout: model + viewport -> primitives. Pure. */
#include "frontend/view_layout.h"
#include "cpu/syndrome.h"
#include "frontend/view_esr.h"
#include <capstone/capstone.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANE_RGBA_EVEN 0x1c2430ff
#define LANE_RGBA_ODD 0x222c3aff
#define LANE_LINE_RGBA 0x3a4658ff
#define PANEL_RGBA 0x181c24ff
#define LINE_H 10                /* text line height (5x7 font, 3 px leading) */

int view_frame_init(struct view_frame *f, unsigned max_arrows)
{
    memset(f, 0, sizeof *f);
    f->arrows = calloc(max_arrows ? max_arrows : 1, sizeof *f->arrows);
    f->marks = calloc(max_arrows ? max_arrows : 1, sizeof *f->marks);
    f->mark_entry = calloc(max_arrows ? max_arrows : 1, sizeof *f->mark_entry);
    if (!f->arrows || !f->marks || !f->mark_entry) {
        view_frame_destroy(f);
        return -1;
    }
    f->max_arrows = max_arrows;
    return 0;
}

void view_frame_destroy(struct view_frame *f)
{
    free(f->arrows);
    free(f->marks);
    free(f->mark_entry);
    memset(f, 0, sizeof *f);
}

/* Is there anything for the SMMU row? */
static bool has_smmu(const struct view_model *vm)
{
    return vm->smmu_count || vm->counters.smmu[VIEW_SMMU_FAULT] || vm->counters.smmu[VIEW_SMMU_CMD];
}

static void add_rect(struct view_frame *f, int x, int y, int w, int h, uint32_t rgba)
{
    if (f->n_rects < VIEW_MAX_RECTS)
        f->rects[f->n_rects++] = (struct view_rect){ x, y, w, h, rgba };
}

static void add_text(struct view_frame *f, int x, int y, uint32_t rgba, const char *fmt, ...)
{
    if (f->n_texts >= VIEW_MAX_TEXTS)
        return;
    struct view_text *t = &f->texts[f->n_texts++];
    t->x = x;
    t->y = y;
    t->rgba = rgba;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->s, sizeof t->s, fmt, ap);
    va_end(ap);
}

int view_lane_centre(const struct view_frame *f, unsigned pe, unsigned el)
{
    if (pe >= f->n_pes)
        pe = f->n_pes ? f->n_pes - 1 : 0;
    if (el >= f->n_els)
        el = f->n_els ? f->n_els - 1 : 0;
    return f->lane_y[pe][el] + f->lane_h / 2;
}

/* One PE: four lanes EL3..EL0 as before SMP. Several: a group of lanes per PE,
 * PE 0 at the top, without EL3 unless an entry went there (avsim has no EL3). */
static void layout_lanes(const struct view_model *vm, struct view_frame *f)
{
    f->n_pes = vm->n_pes ? vm->n_pes : 1;
    if (f->n_pes > VIEW_MAX_PES)
        f->n_pes = VIEW_MAX_PES;
    bool several = f->n_pes > 1;
    f->n_els = !several || vm->highest_el >= 3 ? VIEW_LANES : VIEW_LANES - 1;
    f->lane_x = several ? VIEW_LABEL_W_PES : VIEW_LABEL_W;
    f->lane_w = f->width - VIEW_PANEL_W - f->lane_x - VIEW_MARGIN;
    if (f->lane_w < 1)
        f->lane_w = 1;
    int top = VIEW_TITLE_H, bottom = f->height - VIEW_MARGIN;
    f->smmu_row_h = 0;
    if (has_smmu(vm)) {
        /* The SMMU row under the lanes. */
        f->smmu_row_h = VIEW_SMMU_ROW_H;
        f->smmu_row_y = bottom - VIEW_SMMU_ROW_H;
        bottom = f->smmu_row_y - VIEW_GROUP_GAP;
        add_rect(f, f->lane_x, f->smmu_row_y, f->lane_w, f->smmu_row_h, LANE_RGBA_EVEN);
        add_text(f, VIEW_PE_LABEL_X, f->smmu_row_y + f->smmu_row_h / 2 - 3, VIEW_TEXT_RGBA, "SMMU");
    }
    int gaps = (int)(f->n_pes - 1) * VIEW_GROUP_GAP;
    f->lane_h = (bottom - top - gaps) / (int)(f->n_pes * f->n_els);
    if (f->lane_h < 1)
        f->lane_h = 1;
    f->group_h = (int)f->n_els * f->lane_h;
    for (unsigned pe = 0; pe < f->n_pes; pe++) {
        f->group_y[pe] = top + (int)pe * (f->group_h + VIEW_GROUP_GAP);
        for (unsigned el = 0; el < f->n_els; el++) {
            /* The highest EL at the top of the group, EL0 at the bottom. */
            f->lane_y[pe][el] = f->group_y[pe] + (int)(f->n_els - 1 - el) * f->lane_h;
            int centre = view_lane_centre(f, pe, el);
            add_rect(f, f->lane_x, f->lane_y[pe][el], f->lane_w, f->lane_h, el % 2 ? LANE_RGBA_ODD : LANE_RGBA_EVEN);
            add_rect(f, f->lane_x, centre, f->lane_w, 1, LANE_LINE_RGBA);
            add_text(f, several ? VIEW_EL_LABEL_X_PES : 8, centre - 3, VIEW_TEXT_RGBA, "EL%u", el);
        }
        if (several)
            add_text(f, VIEW_PE_LABEL_X, view_lane_centre(f, pe, f->n_els - 1) - 3, VIEW_TEXT_RGBA, "PE%u", pe);
    }
}

static void time_window(const struct view_model *vm, const struct view_viewport *vp, struct view_frame *f)
{
    if (vp->t_end > vp->t_start) {
        f->t_start = vp->t_start;
        f->t_end = vp->t_end;
        return;
    }
    /* Everything held: the exceptions and the SMMU marks. */
    f->t_start = f->t_end = 0;
    if (vm->count) {
        f->t_start = view_model_entry(vm, 0)->cycles;
        f->t_end = view_model_entry(vm, vm->count - 1)->cycles;
    }
    if (vm->smmu_count) {
        uint64_t first = view_model_smmu_mark(vm, 0)->cycles, last = view_model_smmu_mark(vm, vm->smmu_count - 1)->cycles;
        if (!vm->count || first < f->t_start)
            f->t_start = first;
        if (!vm->count || last > f->t_end)
            f->t_end = last;
    }
}

static int time_x(const struct view_frame *f, uint64_t t)
{
    int usable = f->lane_w - VIEW_ARROW_SLANT - 2;
    if (usable < 1)
        usable = 1;
    if (f->t_end <= f->t_start)
        return f->lane_x + usable / 2;
    double frac = (double)(t - f->t_start) / (double)(f->t_end - f->t_start);
    return f->lane_x + 1 + (int)(frac * usable);
}

static void layout_arrows(const struct view_model *vm, struct view_frame *f)
{
    f->n_arrows = 0;
    for (unsigned i = 0; i < vm->count && f->n_arrows < f->max_arrows; i++) {
        const struct view_entry *e = view_model_entry(vm, i);
        if (e->cycles < f->t_start || e->cycles > f->t_end)
            continue;
        struct view_arrow *a = &f->arrows[f->n_arrows++];
        a->x0 = time_x(f, e->cycles);
        a->x1 = a->x0 + VIEW_ARROW_SLANT;
        a->y0 = view_lane_centre(f, e->pe, e->from_el);
        a->y1 = view_lane_centre(f, e->pe, e->to_el);
        if (e->from_el == e->to_el) {
            /* Taken to the same EL: a short arrow inside the lane. */
            a->y0 += f->lane_h / 4;
            a->y1 -= f->lane_h / 4;
        }
        a->rgba = view_classes[e->cls].rgba;
        a->entry = i;
    }
}

/* The SMMU's marks in the window, on its row: event records full height, commands half. */
static void layout_smmu_marks(const struct view_model *vm, struct view_frame *f)
{
    f->n_marks = 0;
    if (!f->smmu_row_h)
        return;
    int inner = f->smmu_row_h - 4;
    for (unsigned i = 0; i < vm->smmu_count && f->n_marks < f->max_arrows; i++) {
        const struct view_smmu_mark *m = view_model_smmu_mark(vm, i);
        if (m->cycles < f->t_start || m->cycles > f->t_end)
            continue;
        int h = m->kind == VIEW_SMMU_FAULT ? inner : inner / 2;
        int y = f->smmu_row_y + 2 + (inner - h);
        f->mark_entry[f->n_marks] = i;
        f->marks[f->n_marks++] = (struct view_rect){ time_x(f, m->cycles), y, VIEW_SMMU_MARK_W, h,
                                                     view_smmu_kinds[m->kind].rgba };
    }
}

static void layout_panel(const struct view_model *vm, const struct view_viewport *vp, struct view_frame *f)
{
    int x = f->width - VIEW_PANEL_W, y = VIEW_TITLE_H;
    const struct view_counters *c = &vm->counters;
    add_rect(f, x, 0, VIEW_PANEL_W, f->height, PANEL_RGBA);
    x += 8;
    const struct view_totals *tot = &vm->totals;
    uint64_t cycles = tot->valid ? tot->cycles : c->last_cycles;
    add_text(f, x, y, VIEW_TEXT_RGBA, "cycles %llu", (unsigned long long)cycles);
    y += LINE_H;
    if (tot->valid && tot->clock_hz) {
        add_text(f, x, y, VIEW_TEXT_RGBA, "simulated time %.3f ms", (double)cycles * 1e3 / (double)tot->clock_hz);
        y += LINE_H;
    }
    if (tot->valid && tot->tlb_lookups) {
        add_text(f, x, y, VIEW_TEXT_RGBA, "TLB hit rate %.2f%%", 100.0 * (double)tot->tlb_hits / (double)tot->tlb_lookups);
        y += LINE_H;
    }
    add_text(f, x, y, VIEW_TEXT_RGBA, "TLB fills (walks) %llu", (unsigned long long)c->tlb_fills);
    y += LINE_H * 2;
    add_text(f, x, y, VIEW_TEXT_RGBA, "exceptions by class");
    y += LINE_H;
    for (int k = 0; k < VIEW_CLASS_COUNT; k++) {
        if (!c->by_class[k])
            continue;
        add_rect(f, x, y, 7, 7, view_classes[k].rgba);
        add_text(f, x + 12, y, VIEW_TEXT_RGBA, "%-16s %llu", view_classes[k].name,
                 (unsigned long long)c->by_class[k]);
        y += LINE_H;
    }
    if (has_smmu(vm)) {
        /* The SMMU row's legend. */
        y += LINE_H;
        for (int k = 0; k < VIEW_SMMU_KIND_COUNT; k++) {
            add_rect(f, x, y, 7, 7, view_smmu_kinds[k].rgba);
            add_text(f, x + 12, y, VIEW_TEXT_RGBA, "%-18s %llu", view_smmu_kinds[k].name,
                     (unsigned long long)c->smmu[k]);
            y += LINE_H;
        }
        if (c->smmu_not_recorded) {
            add_text(f, x + 12, y, VIEW_TEXT_RGBA, "(%llu not in the event queue)",
                     (unsigned long long)c->smmu_not_recorded);
            y += LINE_H;
        }
    }
    y += LINE_H;
    add_text(f, x, y, VIEW_TEXT_RGBA, "traps to EL2 per VMID");
    y += LINE_H;
    for (int v = 0; v < VIEW_MAX_VMIDS; v++)
        if (c->traps_by_vmid[v]) {
            add_text(f, x + 12, y, VIEW_TEXT_RGBA, "VMID %-3d %llu", v, (unsigned long long)c->traps_by_vmid[v]);
            y += LINE_H;
        }
    if (c->traps_other_vmid) {
        add_text(f, x + 12, y, VIEW_TEXT_RGBA, "no VM    %llu", (unsigned long long)c->traps_other_vmid);
        y += LINE_H;
    }
    if (vm->n_pes > 1) {
        y += LINE_H;
        add_text(f, x, y, VIEW_TEXT_RGBA, "%-3s %10s %9s %9s", "PE", "exceptions", "to EL2", "ERETs");
        y += LINE_H;
        for (unsigned pe = 0; pe < vm->n_pes && pe < VIEW_MAX_PES; pe++) {
            const struct view_pe_counters *p = &c->by_pe[pe];
            add_text(f, x, y, VIEW_TEXT_RGBA, "PE%-1u %10llu %9llu %9llu", pe, (unsigned long long)p->exceptions,
                     (unsigned long long)p->traps_to_el2, (unsigned long long)p->erets);
            y += LINE_H;
        }
    }
    if (vm->dropped) {
        y += LINE_H;
        add_text(f, x, y, VIEW_TEXT_RGBA, "oldest %llu not kept", (unsigned long long)vm->dropped);
        y += LINE_H;
    }
    if (vp->selected >= 0 && (unsigned)vp->selected < vm->count) {
        char line[VIEW_TEXT_MAX];
        y += LINE_H;
        const struct view_entry *e = view_model_entry(vm, (unsigned)vp->selected);
        for (int l = 0; view_entry_detail(e, vm->n_pes, l, line, sizeof line); l++) {
            add_text(f, x, y, VIEW_TEXT_RGBA, "%s", line);
            y += LINE_H;
        }
    }
}

void view_layout(const struct view_model *vm, const struct view_viewport *vp, struct view_frame *f)
{
    f->width = vp->width;
    f->height = vp->height;
    f->n_rects = f->n_texts = 0;
    f->n_arrows = 0;
    layout_lanes(vm, f);
    time_window(vm, vp, f);
    layout_arrows(vm, f);
    layout_smmu_marks(vm, f);
    add_text(f, VIEW_LABEL_W, 6, VIEW_TEXT_RGBA, "%s, cycles %llu to %llu",
             f->smmu_row_h ? "exceptions and SMMU" : "exceptions", (unsigned long long)f->t_start,
             (unsigned long long)f->t_end);
    layout_panel(vm, vp, f);
}

/* Squared distance from (px, py) to the segment (x0, y0)-(x1, y1). */
static double segment_distance2(int px, int py, int x0, int y0, int x1, int y1)
{
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    double ex = x0 + t * dx - px, ey = y0 + t * dy - py;
    return ex * ex + ey * ey;
}

int view_hit_test(const struct view_frame *f, int x, int y)
{
    int best = -1;
    double best_d2 = (double)VIEW_HIT_DISTANCE * VIEW_HIT_DISTANCE;
    for (unsigned i = 0; i < f->n_arrows; i++) {
        const struct view_arrow *a = &f->arrows[i];
        double d2 = segment_distance2(x, y, a->x0, a->y0, a->x1, a->y1);
        if (d2 <= best_d2) {
            best_d2 = d2;
            best = (int)a->entry;
        }
    }
    return best;
}

/* The first detail line: what, where from and to, when; which PE when there are several. */
static void detail_what(const struct view_entry *e, unsigned n_pes, char *buf, size_t len)
{
    char pe[8] = "";
    if (n_pes > 1)
        snprintf(pe, sizeof pe, "PE%u ", e->pe);
    snprintf(buf, len, "%s%s EL%u to EL%u at cycle %llu", pe, view_classes[e->cls].name, e->from_el, e->to_el,
             (unsigned long long)e->cycles);
}

/* The other detail lines: each writer returns 0 when it has nothing to say. */
static int detail_pc(const struct view_entry *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s 0x%llx", e->cls == VIEW_ERET ? "from PC" : "PC", (unsigned long long)e->pc);
    return 1;
}

static int detail_esr(const struct view_entry *e, char *buf, size_t len)
{
    if (e->cls == VIEW_ERET)
        return 0;
    snprintf(buf, len, "ESR 0x%llx %s", (unsigned long long)e->esr, esr_ec_name(e->ec));
    return 1;
}

static int detail_esr_words(const struct view_entry *e, char *buf, size_t len)
{
    return e->cls != VIEW_ERET && view_esr_words(e->ec, e->esr, buf, len);
}

static int detail_far(const struct view_entry *e, char *buf, size_t len)
{
    if (e->cls == VIEW_ERET)
        return 0;
    snprintf(buf, len, "FAR 0x%llx VMID %d", (unsigned long long)e->far, e->vmid);
    return 1;
}

static int detail_hpfar(const struct view_entry *e, char *buf, size_t len)
{
    if (e->cls == VIEW_ERET || !e->hpfar_valid)
        return 0;
    /* HPFAR_EL2.FIPA holds IPA[47:12] in bits [39:4]. */
    snprintf(buf, len, "HPFAR 0x%llx (IPA 0x%llx)", (unsigned long long)e->hpfar,
             (unsigned long long)(((e->hpfar >> 4) & ((1ULL << 36) - 1)) << 12));
    return 1;
}

/* The trapping instruction, disassembled by capstone. */
static int detail_insn(const struct view_entry *e, char *buf, size_t len)
{
    if (e->cls == VIEW_ERET || !e->insn_valid)
        return 0;
    csh cs;
    cs_insn *insn = NULL;
    uint8_t bytes[4] = { (uint8_t)e->insn, (uint8_t)(e->insn >> 8), (uint8_t)(e->insn >> 16),
                         (uint8_t)(e->insn >> 24) };
    size_t n = 0;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) == CS_ERR_OK) {
        n = cs_disasm(cs, bytes, sizeof bytes, 0, 1, &insn);
        if (n)
            snprintf(buf, len, "%08x %s %s", e->insn, insn[0].mnemonic, insn[0].op_str);
        cs_free(insn, n);
        cs_close(&cs);
    }
    if (!n)
        snprintf(buf, len, "%08x (not disassembled)", e->insn);
    return 1;
}

static int (*const detail_lines[])(const struct view_entry *, char *, size_t) = {
    detail_pc, detail_esr, detail_esr_words, detail_far, detail_hpfar, detail_insn,
};

int view_entry_detail(const struct view_entry *e, unsigned n_pes, int line, char *buf, size_t len)
{
    if (line == 0) {
        detail_what(e, n_pes, buf, len);
        return 1;
    }
    line--;
    for (size_t i = 0; i < sizeof detail_lines / sizeof detail_lines[0]; i++)
        if (detail_lines[i](e, buf, len) && line-- == 0)
            return 1;
    return 0;
}
