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
 */
#ifndef AVSIM_FRONTEND_VIEW_LAYOUT_H
#define AVSIM_FRONTEND_VIEW_LAYOUT_H
#include <stddef.h>
#include <stdint.h>
#include "frontend/view_model.h"

#define VIEW_LANES 4             /* EL0..EL3 */
#define VIEW_TITLE_H 20          /* pixels above the lanes */
#define VIEW_LABEL_W 40          /* lane labels left of the lanes */
#define VIEW_PANEL_W 280         /* the counters panel on the right */
#define VIEW_MARGIN 8
#define VIEW_ARROW_SLANT 4       /* an arrow ends this far right of where it starts */
#define VIEW_HIT_DISTANCE 3      /* pixels from an arrow that still hit it */

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

#define VIEW_MAX_RECTS 32
#define VIEW_MAX_TEXTS 48

struct view_frame {
    int width, height;
    uint64_t t_start, t_end;     /* the window actually shown */
    int lane_x, lane_w;          /* horizontal extent of the lanes */
    int lane_y[VIEW_LANES];      /* top of the lane of ELn */
    int lane_h;
    struct view_rect rects[VIEW_MAX_RECTS];
    int n_rects;
    struct view_text texts[VIEW_MAX_TEXTS];
    int n_texts;
    struct view_arrow *arrows;
    unsigned n_arrows, max_arrows;
};

/* max_arrows: usually the model's capacity. Returns -1 without memory. */
int view_frame_init(struct view_frame *f, unsigned max_arrows);
void view_frame_destroy(struct view_frame *f);

/* Lays the model out in the viewport (replaces the frame's contents). */
void view_layout(const struct view_model *vm, const struct view_viewport *vp, struct view_frame *f);

/* The vertical centre of ELn's lane. */
int view_lane_centre(const struct view_frame *f, unsigned el);

/* The model entry of the arrow nearest (x, y) within VIEW_HIT_DISTANCE, or -1. */
int view_hit_test(const struct view_frame *f, int x, int y);

/* One line of details per call for an entry (line 0, 1, ...); returns 0 past the last. */
int view_entry_detail(const struct view_entry *e, int line, char *buf, size_t len);

#endif
