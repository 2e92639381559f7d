/* The exception viewer's SDL2 window (built only with SDL2: AVSIM_HAVE_SDL).
 * The machine runs on its own thread at full speed; the window lays out and
 * draws the model at its own rate (about 30 frames a second) through the
 * same layout and rasterizer as --view-png, streamed into a texture. */
#ifndef AVSIM_FRONTEND_VIEW_WINDOW_H
#define AVSIM_FRONTEND_VIEW_WINDOW_H
#include <stdbool.h>
#include "frontend/view_model.h"
#include "frontend/view_layout.h"
#include "sim/machine.h"

struct view_window_options {
    struct view_viewport viewport;   /* the window's size */
    bool close_at_end;               /* close when the run ends (else wait for the user) */
};

/* Subscribes vm to m's events (do not subscribe it yourself), runs the
 * machine and the window until the user quits or, with close_at_end, the run
 * ends. Returns machine_run's status; 3 when the user stopped the run from the
 * window; 2 when the window cannot be opened (message printed). */
int view_window_run(struct machine *m, struct view_model *vm, const struct view_window_options *opt);

#endif
