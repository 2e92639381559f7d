/* The viewer's 5x7 bitmap font. */
#ifndef AVSIM_FRONTEND_VIEW_FONT_H
#define AVSIM_FRONTEND_VIEW_FONT_H
#include <stdint.h>

#define VIEW_FONT_ROWS 7
#define VIEW_FONT_COLS 5

/* Seven rows, bit 4 the leftmost pixel; lower case maps to upper case,
 * characters without a glyph to '?'. */
const uint8_t *view_font_glyph(char c);

#endif
