/* The exception viewer's SDL2 window. Keys: space pauses or continues the run
 * (it stops at the next exception), n lets one exception through while paused,
 * + and - zoom the time axis, left and right scroll it, f follows the newest
 * again, 0 shows everything kept, q or Escape quits. Hovering over an arrow
 * shows its details in the panel.
 *
 * Threads: the machine runs on a thread of its own and publishes events into
 * on_event below, which feeds the model under the window's lock (and waits
 * there while paused); the main thread owns SDL. */
#include "frontend/view_window.h"
#include "frontend/view_axis.h"
#include "frontend/view_render.h"
#include "frontend/view_totals.h"
#include <SDL.h>
#include <pthread.h>
#include <stdio.h>

#define FRAME_MS 33

struct view_window {
    struct machine *m;
    struct view_model *vm;
    pthread_mutex_t lock;
    pthread_cond_t resume;
    bool paused;
    unsigned steps;            /* exceptions allowed through while paused */
    bool quit;                 /* the user closed the window */
    bool run_ended;
    int status;                /* machine_run's */
};

static void on_event(void *opaque, const struct event *ev)
{
    struct view_window *w = opaque;
    pthread_mutex_lock(&w->lock);
    if (ev->type == EV_EXCEPTION) {
        while (w->paused && !w->steps && !w->quit)
            pthread_cond_wait(&w->resume, &w->lock);
        if (w->steps)
            w->steps--;
    }
    view_model_on_event(w->vm, ev);
    view_totals_from_machine(w->vm, w->m);     /* this is the machine's thread */
    pthread_mutex_unlock(&w->lock);
}

static void *run_machine(void *opaque)
{
    struct view_window *w = opaque;
    int status = machine_run(w->m);
    pthread_mutex_lock(&w->lock);
    view_totals_from_machine(w->vm, w->m);
    w->status = status;
    w->run_ended = true;
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Keys of the run itself; the rest move the time axis (view_axis.h). */
enum run_key { RUN_NONE, RUN_PAUSE, RUN_STEP, RUN_QUIT };
static const struct {
    SDL_Keycode key;
    enum run_key run;
    int axis;                  /* enum view_axis_move, or -1 */
} keys[] = {
    { SDLK_SPACE, RUN_PAUSE, -1 },
    { SDLK_n, RUN_STEP, -1 },
    { SDLK_q, RUN_QUIT, -1 },
    { SDLK_ESCAPE, RUN_QUIT, -1 },
    { SDLK_PLUS, RUN_NONE, VIEW_AXIS_ZOOM_IN },
    { SDLK_EQUALS, RUN_NONE, VIEW_AXIS_ZOOM_IN },
    { SDLK_KP_PLUS, RUN_NONE, VIEW_AXIS_ZOOM_IN },
    { SDLK_MINUS, RUN_NONE, VIEW_AXIS_ZOOM_OUT },
    { SDLK_KP_MINUS, RUN_NONE, VIEW_AXIS_ZOOM_OUT },
    { SDLK_LEFT, RUN_NONE, VIEW_AXIS_LEFT },
    { SDLK_RIGHT, RUN_NONE, VIEW_AXIS_RIGHT },
    { SDLK_f, RUN_NONE, VIEW_AXIS_FOLLOW },
    { SDLK_0, RUN_NONE, VIEW_AXIS_FIT },
};

/* Called with the lock held. */
static void run_key(struct view_window *w, enum run_key k)
{
    if (k == RUN_PAUSE)
        w->paused = !w->paused;
    else if (k == RUN_STEP) {
        w->paused = true;
        w->steps++;
    } else if (k == RUN_QUIT)
        w->quit = true;
    pthread_cond_broadcast(&w->resume);
}

static void on_key(struct view_window *w, struct view_axis *ax, const struct view_frame *f, SDL_Keycode key)
{
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (keys[k].key != key)
            continue;
        if (keys[k].axis >= 0)
            view_axis_move(ax, (enum view_axis_move)keys[k].axis, f->t_start, f->t_end);
        else
            run_key(w, keys[k].run);
    }
}

static void set_title(SDL_Window *win, const struct view_window *w)
{
    const char *state = w->run_ended ? "run ended, q quits" : w->paused ? "paused (space continues, n steps)"
                                                                        : "running (space pauses)";
    char title[160];
    snprintf(title, sizeof title, "avsim exceptions: %s; +/- zoom, arrows scroll, f follow, 0 all", state);
    SDL_SetWindowTitle(win, title);
}

int view_window_run(struct machine *m, struct view_model *vm, const struct view_window_options *opt)
{
    struct view_window w = { .m = m, .vm = vm, .lock = PTHREAD_MUTEX_INITIALIZER, .resume = PTHREAD_COND_INITIALIZER };
    struct view_viewport vp = opt->viewport;
    struct view_frame frame = { 0 };
    struct view_image img = { 0 };
    SDL_Window *win = NULL;
    SDL_Renderer *ren = NULL;
    SDL_Texture *tex = NULL;
    pthread_t sim;
    int status = 2;

    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "avsim: --view: cannot start SDL: %s\n", SDL_GetError());
        return 2;
    }
    win = SDL_CreateWindow("avsim exceptions", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, vp.width, vp.height, 0);
    ren = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    if (!ren)
        ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    tex = ren ? SDL_CreateTexture(ren, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STREAMING, vp.width, vp.height)
              : NULL;
    if (!tex) {
        fprintf(stderr, "avsim: --view: cannot open a window: %s\n", SDL_GetError());
        goto out_sdl;
    }
    if (view_frame_init(&frame, vm->capacity) != 0 || view_image_init(&img, vp.width, vp.height) != 0) {
        fprintf(stderr, "avsim: --view: out of memory\n");
        goto out_frame;
    }
    if (event_subscribe(&m->events, VIEW_MODEL_EVENTS, on_event, &w) < 0) {
        fprintf(stderr, "avsim: --view: too many event subscribers\n");
        goto out_frame;
    }
    if (pthread_create(&sim, NULL, run_machine, &w) != 0) {
        fprintf(stderr, "avsim: --view: cannot start the simulation thread\n");
        goto out_frame;
    }

    struct view_axis ax = view_axis_fit_all();
    struct { bool on; uint64_t cycles, pc; } pinned = { 0 };    /* the arrow clicked last */
    bool stop_requested = false;
    for (;;) {
        SDL_Event e;
        int mx = -1, my = -1;
        int click_x = -1, click_y = -1;
        pthread_mutex_lock(&w.lock);
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT)
                run_key(&w, RUN_QUIT);
            else if (e.type == SDL_KEYDOWN)
                on_key(&w, &ax, &frame, e.key.keysym.sym);
            else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT) {
                click_x = e.button.x;
                click_y = e.button.y;
            }
        }
        SDL_GetMouseState(&mx, &my);
        if (w.quit && !w.run_ended && !stop_requested) {
            /* Unicorn allows uc_emu_stop from another thread (its own timeouts do so). */
            machine_request_exit(m, 3);
            stop_requested = true;
        }
        bool done = w.run_ended && (w.quit || opt->close_at_end);
        view_axis_apply(&ax, vm, &vp);
        vp.selected = -1;
        view_layout(vm, &vp, &frame);
        if (click_x >= 0) {
            /* Click an arrow to keep its details in the panel; click elsewhere to let go.
             * Hit-tested against the frame just laid out, which matches the model. */
            int hit = view_hit_test(&frame, click_x, click_y);
            pinned.on = hit >= 0;
            if (pinned.on) {
                pinned.cycles = view_model_entry(vm, (unsigned)hit)->cycles;
                pinned.pc = view_model_entry(vm, (unsigned)hit)->pc;
            }
        }
        vp.selected = view_hit_test(&frame, mx, my);
        if (vp.selected < 0 && pinned.on)
            vp.selected = view_model_find(vm, pinned.cycles, pinned.pc);
        if (vp.selected >= 0)
            view_layout(vm, &vp, &frame);
        set_title(win, &w);
        pthread_mutex_unlock(&w.lock);
        view_render(&frame, &img);
        SDL_UpdateTexture(tex, NULL, img.pixels, img.width * 4);
        SDL_RenderClear(ren);
        SDL_RenderCopy(ren, tex, NULL, NULL);
        SDL_RenderPresent(ren);
        if (done)
            break;
        SDL_Delay(FRAME_MS);
    }
    pthread_join(sim, NULL);
    status = w.status;
    if (stop_requested) {
        fprintf(stderr, "avsim: the run was stopped from the viewer window\n");
        status = 3;
    }
out_frame:
    view_image_destroy(&img);
    view_frame_destroy(&frame);
out_sdl:
    if (tex)
        SDL_DestroyTexture(tex);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (win)
        SDL_DestroyWindow(win);
    SDL_Quit();
    return status;
}
