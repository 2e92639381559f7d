/* A minimal PNG writer: 8-bit RGBA, no interlace, filter 0 on every row. */
#ifndef AVSIM_FRONTEND_PNG_H
#define AVSIM_FRONTEND_PNG_H
#include <stddef.h>
#include <stdint.h>

/* pixels: width * height * 4 bytes, rows top to bottom. Returns 0, or -1 with
 * a message in err. */
int png_write_rgba(const char *path, int width, int height, const uint8_t *pixels, char *err, size_t errlen);

#endif
