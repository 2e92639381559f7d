/* The exception viewer's SDL2 window. */
#include "frontend/view_window.h"
#include <stdio.h>

int view_window_run(struct machine *m, struct view_model *vm, const struct view_viewport *vp)
{
    fprintf(stderr, "avsim: --view is not implemented yet\n");
    return 2;
}
