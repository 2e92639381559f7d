/* The exception viewer's rasterizer: rectangles, lines, arrowheads, text. */
#include "frontend/view_render.h"
#include "frontend/view_font.h"
#include "frontend/png.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARROWHEAD_LENGTH 7.0
#define ARROWHEAD_HALF_WIDTH 3.5

int view_image_init(struct view_image *img, int width, int height)
{
    img->width = width;
    img->height = height;
    img->pixels = calloc((size_t)width * (size_t)height, 4);
    return img->pixels ? 0 : -1;
}

void view_image_destroy(struct view_image *img)
{
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

uint32_t view_image_pixel(const struct view_image *img, int x, int y)
{
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return 0;
    const uint8_t *p = img->pixels + ((size_t)y * (size_t)img->width + (size_t)x) * 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_pixel(struct view_image *img, int x, int y, uint32_t rgba)
{
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return;
    uint8_t *p = img->pixels + ((size_t)y * (size_t)img->width + (size_t)x) * 4;
    p[0] = (uint8_t)(rgba >> 24);
    p[1] = (uint8_t)(rgba >> 16);
    p[2] = (uint8_t)(rgba >> 8);
    p[3] = (uint8_t)rgba;
}

void view_fill_rect(struct view_image *img, int x, int y, int w, int h, uint32_t rgba)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            put_pixel(img, i, j, rgba);
}

/* Bresenham. */
void view_draw_line(struct view_image *img, int x0, int y0, int x1, int y1, uint32_t rgba)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        put_pixel(img, x0, y0, rgba);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

static double edge(double ax, double ay, double bx, double by, double px, double py)
{
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

static void fill_triangle(struct view_image *img, const double xs[3], const double ys[3], uint32_t rgba)
{
    int minx = (int)floor(fmin(xs[0], fmin(xs[1], xs[2]))), maxx = (int)ceil(fmax(xs[0], fmax(xs[1], xs[2])));
    int miny = (int)floor(fmin(ys[0], fmin(ys[1], ys[2]))), maxy = (int)ceil(fmax(ys[0], fmax(ys[1], ys[2])));
    double area = edge(xs[0], ys[0], xs[1], ys[1], xs[2], ys[2]);
    if (area == 0)
        return;
    for (int y = miny; y <= maxy; y++)
        for (int x = minx; x <= maxx; x++) {
            double px = x + 0.5, py = y + 0.5;
            double w0 = edge(xs[1], ys[1], xs[2], ys[2], px, py);
            double w1 = edge(xs[2], ys[2], xs[0], ys[0], px, py);
            double w2 = edge(xs[0], ys[0], xs[1], ys[1], px, py);
            if (area < 0) {
                w0 = -w0;
                w1 = -w1;
                w2 = -w2;
            }
            if (w0 >= 0 && w1 >= 0 && w2 >= 0)
                put_pixel(img, x, y, rgba);
        }
}

/* A two-pixel-wide shaft from (x0, y0) to (x1, y1) and a filled head at (x1, y1). */
void view_draw_arrow(struct view_image *img, int x0, int y0, int x1, int y1, uint32_t rgba)
{
    view_draw_line(img, x0, y0, x1, y1, rgba);
    view_draw_line(img, x0 + 1, y0, x1 + 1, y1, rgba);
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1)
        return;
    dx /= len;
    dy /= len;
    double tipx = x1 + 0.5, tipy = y1 + 0.5;
    double bx = tipx - dx * ARROWHEAD_LENGTH, by = tipy - dy * ARROWHEAD_LENGTH;
    double xs[3] = { tipx, bx - dy * ARROWHEAD_HALF_WIDTH, bx + dy * ARROWHEAD_HALF_WIDTH };
    double ys[3] = { tipy, by + dx * ARROWHEAD_HALF_WIDTH, by - dx * ARROWHEAD_HALF_WIDTH };
    fill_triangle(img, xs, ys, rgba);
}

void view_draw_text(struct view_image *img, int x, int y, const char *s, uint32_t rgba)
{
    for (; *s; s++, x += VIEW_GLYPH_ADVANCE) {
        const uint8_t *g = view_font_glyph(*s);
        for (int r = 0; r < VIEW_FONT_ROWS; r++)
            for (int c = 0; c < VIEW_FONT_COLS; c++)
                if (g[r] & (0x10 >> c))
                    put_pixel(img, x + c, y + r, rgba);
    }
}

void view_render(const struct view_frame *f, struct view_image *img)
{
    view_fill_rect(img, 0, 0, img->width, img->height, VIEW_BACKGROUND_RGBA);
    for (int i = 0; i < f->n_rects; i++) {
        const struct view_rect *r = &f->rects[i];
        view_fill_rect(img, r->x, r->y, r->w, r->h, r->rgba);
    }
    for (unsigned i = 0; i < f->n_marks; i++) {
        const struct view_rect *r = &f->marks[i];
        view_fill_rect(img, r->x, r->y, r->w, r->h, r->rgba);
    }
    for (unsigned i = 0; i < f->n_arrows; i++) {
        const struct view_arrow *a = &f->arrows[i];
        view_draw_arrow(img, a->x0, a->y0, a->x1, a->y1, a->rgba);
    }
    for (int i = 0; i < f->n_texts; i++)
        view_draw_text(img, f->texts[i].x, f->texts[i].y, f->texts[i].s, f->texts[i].rgba);
}

int view_render_png(const struct view_model *vm, const struct view_viewport *vp, const char *path, char *err,
                    size_t errlen)
{
    struct view_frame f;
    struct view_image img;
    int rc = -1;
    if (view_frame_init(&f, vm->count > vm->smmu_count ? vm->count : vm->smmu_count) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (view_image_init(&img, vp->width, vp->height) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        view_frame_destroy(&f);
        return -1;
    }
    view_layout(vm, vp, &f);
    view_render(&f, &img);
    rc = png_write_rgba(path, img.width, img.height, img.pixels, err, errlen);
    view_image_destroy(&img);
    view_frame_destroy(&f);
    return rc;
}
