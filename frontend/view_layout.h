/* The exception viewer's layout (issue 7): pure functions from a model and a
 * viewport to drawable primitives (lane rectangles, arrows, text lines) and
 * hit testing. No drawing and no SDL: frontend/view_render.h rasterizes a
 * frame, the tests check the primitives directly.
 *
 *   +--------------------------------------------+-----------------+
 *   | title: time window                         | counters panel  |
 *   | EL3 |------------------------------------- | exceptions by   |
 *   | EL2 |----\----/------\---/-----------------| class (swatch), |
 *   | EL1 |-----\--/--------\-/------------------| traps per VMID, |
 *   | EL0 |------------------------------------- | details of the  |
 *   +--------------------------------------------+ selected arrow  |
 *
 * With several PEs, a group of lanes per PE, PE 0 at the top, each labelled
 * "PEn" and its lanes "EL2".."EL0" (EL3 only when some entry is at EL3):
 *
 *   | PE0 EL2 |----\-----/----  | ...
 *   |     EL1 |-----\---/-----  | exceptions, to EL2
 *   |     EL0 |---------------  | and ERETs per PE
 *   | PE1 EL2 |--------\--/---  |
 *   |     ... |               |
 *
 * When the SMMU wrote event records or consumed commands, a row "SMMU" below
 * the lanes carries a mark for each at its time: a full-height tick for an
 * event record (a fault, C_BAD_*), a half-height one for a command, in the
 * colours of their legend entries in the panel:
 *
 *   |     EL0 |---------------  |
 *   | SMMU    | |  ||   '  '  | | SMMU event record 3
 *                                | SMMU command      5
 */
#ifndef AVSIM_FRONTEND_VIEW_LAYOUT_H
#define AVSIM_FRONTEND_VIEW_LAYOUT_H
#include <stddef.h>
#include <stdint.h>
#include "frontend/view_model.h"

#define VIEW_LANES 4             /* EL0..EL3: the most lanes a PE has */
#define VIEW_TITLE_H 20          /* pixels above the lanes */
#define VIEW_LABEL_W 40          /* lane labels left of the lanes (one PE) */
#define VIEW_LABEL_W_PES 56      /* "PEn" and the lane labels (several PEs) */
#define VIEW_PE_LABEL_X 4        /* where "PEn" starts */
#define VIEW_EL_LABEL_X_PES 30   /* where a lane's "ELn" starts (several PEs) */
#define VIEW_GROUP_GAP 4         /* pixels between two PEs' groups of lanes */
#define VIEW_PANEL_W 280         /* the counters panel on the right */
#define VIEW_MARGIN 8
#define VIEW_ARROW_SLANT 4       /* an arrow ends this far right of where it starts */
#define VIEW_HIT_DISTANCE 3      /* pixels from an arrow that still hit it */
#define VIEW_SMMU_ROW_H 16       /* the SMMU row's height */
#define VIEW_SMMU_MARK_W 2       /* a mark's width */

#define VIEW_BACKGROUND_RGBA 0x101418ff
#define VIEW_TEXT_RGBA 0xe6e6e6ff

struct view_viewport {
    int width, height;
    uint64_t t_start, t_end;     /* the time window in cycles; t_end <= t_start: fit everything held */
    int selected;                /* model entry whose details the panel shows, -1: none */
};

struct view_rect { int x, y, w, h; uint32_t rgba; };
struct view_arrow { int x0, y0, x1, y1; uint32_t rgba; unsigned entry; };
#define VIEW_TEXT_MAX 64
struct view_text { int x, y; uint32_t rgba; char s[VIEW_TEXT_MAX]; };

#define VIEW_MAX_RECTS 96        /* 2 per lane (8 PEs x 4), the panel and its swatches */
#define VIEW_MAX_TEXTS 128

struct view_frame {
    int width, height;
    uint64_t t_start, t_end;     /* the window actually shown */
    unsigned n_pes;              /* groups of lanes, one per PE (the model's n_pes) */
    unsigned n_els;              /* lanes per group: EL0..EL(n_els - 1); 4 for one PE */
    int lane_x, lane_w;          /* horizontal extent of the lanes */
    int lane_y[VIEW_MAX_PES][VIEW_LANES];  /* top of the lane of ELn of PE p */
    int lane_h;
    int group_y[VIEW_MAX_PES];   /* top of PE p's group (its highest lane) */
    int group_h;                 /* n_els * lane_h */
    struct view_rect rects[VIEW_MAX_RECTS];
    int n_rects;
    struct view_text texts[VIEW_MAX_TEXTS];
    int n_texts;
    struct view_arrow *arrows;
    unsigned n_arrows, max_arrows;
    int smmu_row_y, smmu_row_h;  /* the SMMU row (height 0: none, the model has no SMMU mark) */
    struct view_rect *marks;     /* the SMMU marks in the window (at most max_arrows) */
    unsigned *mark_entry;        /* ... each one's model index (view_model_smmu_mark) */
    unsigned n_marks;
};

/* max_arrows: usually the model's capacity (it bounds the SMMU marks too). Returns -1 without memory. */
int view_frame_init(struct view_frame *f, unsigned max_arrows);
void view_frame_destroy(struct view_frame *f);

/* Lays the model out in the viewport (replaces the frame's contents). */
void view_layout(const struct view_model *vm, const struct view_viewport *vp, struct view_frame *f);

/* The vertical centre of the lane of ELn of PE p. */
int view_lane_centre(const struct view_frame *f, unsigned pe, unsigned el);

/* The model entry of the arrow nearest (x, y) within VIEW_HIT_DISTANCE, or -1. */
int view_hit_test(const struct view_frame *f, int x, int y);

/* One line of details per call for an entry (line 0, 1, ...); returns 0 past the last.
 * n_pes: the model's; with more than one, the first line starts with the entry's PE. */
int view_entry_detail(const struct view_entry *e, unsigned n_pes, int line, char *buf, size_t len);

#endif
