/* The viewer window's time axis: show everything kept, or a span of cycles
 * that follows the newest entry, or a span scrolled to a fixed end. Pure (no
 * SDL), so the keys' effects are testable without a display. */
#ifndef AVSIM_FRONTEND_VIEW_AXIS_H
#define AVSIM_FRONTEND_VIEW_AXIS_H
#include <stdbool.h>
#include <stdint.h>
#include "frontend/view_layout.h"
#include "frontend/view_model.h"

#define VIEW_AXIS_MIN_SPAN 64    /* cycles: zooming in stops here */

struct view_axis {
    bool fit_all;                /* everything kept (the start) */
    bool follow;                 /* else: the span ends at the newest entry, or at end */
    uint64_t span, end;
};

enum view_axis_move { VIEW_AXIS_ZOOM_IN, VIEW_AXIS_ZOOM_OUT, VIEW_AXIS_LEFT, VIEW_AXIS_RIGHT,
                      VIEW_AXIS_FOLLOW, VIEW_AXIS_FIT };

static inline struct view_axis view_axis_fit_all(void) { return (struct view_axis){ .fit_all = true }; }

/* Applies a key's move; shown is the window the last frame showed (view_frame's t_start, t_end). */
void view_axis_move(struct view_axis *ax, enum view_axis_move move, uint64_t shown_start, uint64_t shown_end);

/* Sets vp's time window for the model's current contents. */
void view_axis_apply(const struct view_axis *ax, const struct view_model *vm, struct view_viewport *vp);

#endif
