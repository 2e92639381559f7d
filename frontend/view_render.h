/* The exception viewer's rasterizer: draws a laid-out frame (view_layout.h)
 * into an RGBA pixel buffer, with its own lines, rectangles, arrowheads and a
 * 5x7 bitmap font. No SDL: the PNG output needs none, the window streams the
 * same buffer. */
#ifndef AVSIM_FRONTEND_VIEW_RENDER_H
#define AVSIM_FRONTEND_VIEW_RENDER_H
#include <stddef.h>
#include <stdint.h>
#include "frontend/view_layout.h"

/* An RGBA8888 image, rows top to bottom, 4 bytes per pixel (R, G, B, A). */
struct view_image {
    int width, height;
    uint8_t *pixels;
};

int view_image_init(struct view_image *img, int width, int height);
void view_image_destroy(struct view_image *img);
/* 0xRRGGBBAA of a pixel; 0 outside the image. */
uint32_t view_image_pixel(const struct view_image *img, int x, int y);

void view_render(const struct view_frame *f, struct view_image *img);

/* Primitives (clipped to the image). */
void view_fill_rect(struct view_image *img, int x, int y, int w, int h, uint32_t rgba);
void view_draw_line(struct view_image *img, int x0, int y0, int x1, int y1, uint32_t rgba);
void view_draw_arrow(struct view_image *img, int x0, int y0, int x1, int y1, uint32_t rgba);
void view_draw_text(struct view_image *img, int x, int y, const char *s, uint32_t rgba);

/* Lays out, renders and writes the model as a PNG of the viewport's size.
 * Returns 0, or -1 with a message in err. */
int view_render_png(const struct view_model *vm, const struct view_viewport *vp, const char *path, char *err,
                    size_t errlen);

#define VIEW_GLYPH_W 5
#define VIEW_GLYPH_H 7
#define VIEW_GLYPH_ADVANCE 6

#endif
