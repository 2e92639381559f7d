/* The viewer window's time axis (zoom, scroll, follow). */
#include "frontend/view_axis.h"

static uint64_t clamp_span(uint64_t s)
{
    return s < VIEW_AXIS_MIN_SPAN ? VIEW_AXIS_MIN_SPAN : s;
}

void view_axis_move(struct view_axis *ax, enum view_axis_move move, uint64_t shown_start, uint64_t shown_end)
{
    if (ax->fit_all && move != VIEW_AXIS_FIT) {
        /* Leaving "everything": start from what is on screen, following the newest. */
        ax->fit_all = false;
        ax->follow = true;
        ax->span = clamp_span(shown_end - shown_start);
        ax->end = shown_end;
    }
    switch (move) {
    case VIEW_AXIS_ZOOM_IN:
        ax->span = clamp_span(ax->span / 2);
        break;
    case VIEW_AXIS_ZOOM_OUT:
        ax->span = ax->span > UINT64_MAX / 2 ? UINT64_MAX : ax->span * 2;
        break;
    case VIEW_AXIS_LEFT:
    case VIEW_AXIS_RIGHT:
        if (ax->follow)
            ax->end = shown_end;
        ax->follow = false;
        if (move == VIEW_AXIS_LEFT)
            ax->end = ax->end > ax->span / 4 ? ax->end - ax->span / 4 : 0;
        else
            ax->end += ax->span / 4;
        break;
    case VIEW_AXIS_FOLLOW:
        ax->follow = true;
        break;
    case VIEW_AXIS_FIT:
        ax->fit_all = true;
        break;
    }
}

void view_axis_apply(const struct view_axis *ax, const struct view_model *vm, struct view_viewport *vp)
{
    if (ax->fit_all || !vm->count) {
        vp->t_start = vp->t_end = 0;    /* the layout fits everything */
        return;
    }
    uint64_t end = ax->follow ? view_model_entry(vm, vm->count - 1)->cycles : ax->end;
    vp->t_end = end;
    vp->t_start = end > ax->span ? end - ax->span : 0;
    if (vp->t_end <= vp->t_start)
        vp->t_end = vp->t_start + 1;
}
