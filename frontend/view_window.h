/* The exception viewer's SDL2 window (built only with SDL2: AVSIM_HAVE_SDL). */
#ifndef AVSIM_FRONTEND_VIEW_WINDOW_H
#define AVSIM_FRONTEND_VIEW_WINDOW_H
#include "frontend/view_model.h"
#include "frontend/view_layout.h"
#include "sim/machine.h"

/* Runs the machine on its own thread while the window draws the model (which
 * must already be subscribed to m's events: view_model_subscribe). Returns
 * machine_run's status, or 2 when the window cannot be opened. */
int view_window_run(struct machine *m, struct view_model *vm, const struct view_viewport *vp);

#endif
