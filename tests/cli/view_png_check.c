/* Checks a PNG written by avsim run --view-png (tests/cli/view_tests.sh):
 *   view_png_check FILE WIDTH HEIGHT [--pes=N] [CLASS[@PE]...]
 * The size must be WIDTHxHEIGHT; the lanes must be drawn where the layout puts
 * them for that size and N PEs (default 1: four lanes; N > 1: a group of EL2..EL0
 * lanes per PE), most of a row of each lane in the lane's colour; for each CLASS
 * named (a view_classes name, e.g. HVC, ERET), at least MIN_ARROW_PIXELS pixels
 * of its colour inside the lanes, or with @PE inside that PE's group of lanes
 * (the panel's colour swatches do not count). Reads only what frontend/png.c writes: 8-bit RGBA,
 * one or more IDAT chunks, filter type 0 on every row. Prints what it found;
 * exit status 0 when everything holds, 1 otherwise. */
#include "frontend/view_layout.h"
#include "frontend/view_model.h"
#include "frontend/view_render.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MIN_ARROW_PIXELS 10
#define LANE_ROW_MATCH 0.9

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Decodes into img (allocated here). Returns 0, or -1 with a message printed. */
static int decode(const uint8_t *buf, size_t n, struct view_image *img)
{
    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (n < 8 || memcmp(buf, signature, 8)) {
        printf("not a PNG (bad signature)\n");
        return -1;
    }
    uint8_t *z = malloc(n);
    size_t zn = 0, off = 8;
    int w = 0, h = 0, ended = 0;
    while (!ended && off + 12 <= n) {
        uint32_t len = be32(buf + off);
        const uint8_t *type = buf + off + 4, *data = buf + off + 8;
        if (off + 12 + len > n || be32(data + len) != (uint32_t)crc32_z(0, type, len + 4)) {
            printf("chunk at %zu: truncated or bad CRC\n", off);
            free(z);
            return -1;
        }
        if (!memcmp(type, "IHDR", 4)) {
            w = (int)be32(data);
            h = (int)be32(data + 4);
            if (data[8] != 8 || data[9] != 6 || data[12] != 0) {
                printf("IHDR: not 8-bit RGBA without interlace\n");
                free(z);
                return -1;
            }
        } else if (!memcmp(type, "IDAT", 4)) {
            memcpy(z + zn, data, len);
            zn += len;
        } else if (!memcmp(type, "IEND", 4)) {
            ended = 1;
        }
        off += 12 + len;
    }
    if (!ended || w <= 0 || h <= 0) {
        printf("no IHDR or IEND\n");
        free(z);
        return -1;
    }
    size_t row = (size_t)w * 4 + 1;
    uLongf raw_len = row * (size_t)h;
    uint8_t *raw = malloc(raw_len);
    int rc = uncompress(raw, &raw_len, z, zn) == Z_OK && raw_len == row * (size_t)h ? 0 : -1;
    free(z);
    if (rc || view_image_init(img, w, h) != 0) {
        printf("IDAT does not inflate to %dx%d pixels\n", w, h);
        free(raw);
        return -1;
    }
    for (int y = 0; y < h && rc == 0; y++) {
        if (raw[row * (size_t)y] != 0) {
            printf("row %d: filter type %u (only 0 is expected)\n", y, raw[row * (size_t)y]);
            rc = -1;
        }
        memcpy(img->pixels + (size_t)y * (size_t)w * 4, raw + row * (size_t)y + 1, (size_t)w * 4);
    }
    free(raw);
    return rc;
}

/* The fraction of row y between x0 and x1 where got and want agree. */
static double row_match(const struct view_image *got, const struct view_image *want, int y, int x0, int x1)
{
    int same = 0;
    for (int x = x0; x < x1; x++)
        same += view_image_pixel(got, x, y) == view_image_pixel(want, x, y);
    return (double)same / (double)(x1 - x0);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: view_png_check FILE WIDTH HEIGHT [--pes=N] [CLASS[@PE]...]\n");
        return 2;
    }
    int want_w = atoi(argv[2]), want_h = atoi(argv[3]);
    int first_class = 4;
    unsigned n_pes = 1;
    if (argc > 4 && !strncmp(argv[4], "--pes=", 6)) {
        n_pes = (unsigned)atoi(argv[4] + 6);
        if (n_pes < 1 || n_pes > VIEW_MAX_PES) {
            fprintf(stderr, "--pes: give 1 to %d\n", VIEW_MAX_PES);
            return 2;
        }
        first_class = 5;
    }
    size_t n;
    uint8_t *buf = read_file(argv[1], &n);
    if (!buf) {
        printf("%s: cannot read\n", argv[1]);
        return 1;
    }
    struct view_image img;
    int bad = decode(buf, n, &img) != 0;
    free(buf);
    if (bad)
        return 1;
    printf("size %dx%d\n", img.width, img.height);
    if (img.width != want_w || img.height != want_h) {
        printf("FAIL: wanted %dx%d\n", want_w, want_h);
        return 1;
    }
    /* The lanes as the layout draws them for an empty model of this size and PEs. */
    struct view_model empty;
    struct view_frame frame;
    struct view_image blank;
    struct view_viewport vp = { .width = want_w, .height = want_h, .selected = -1 };
    if (view_model_init(&empty, 1, n_pes) || view_frame_init(&frame, 1) || view_image_init(&blank, want_w, want_h))
        return 2;
    view_layout(&empty, &vp, &frame);
    view_render(&frame, &blank);
    int x0 = frame.lane_x, x1 = frame.lane_x + frame.lane_w;
    for (unsigned pe = 0; pe < frame.n_pes; pe++)
        for (unsigned el = 0; el < frame.n_els; el++) {
            /* A row near the top and one near the bottom of the lane: arrows cross one of them at most. */
            double top = row_match(&img, &blank, frame.lane_y[pe][el] + 1, x0, x1);
            double bottom = row_match(&img, &blank, frame.lane_y[pe][el] + frame.lane_h - 2, x0, x1);
            double best = top > bottom ? top : bottom;
            printf("lane PE%u EL%u: %.0f%% of a row as drawn\n", pe, el, best * 100);
            bad |= best < LANE_ROW_MATCH;
        }
    for (int a = first_class; a < argc; a++) {
        char name[64];
        snprintf(name, sizeof name, "%s", argv[a]);
        char *at = strchr(name, '@');
        int y0 = frame.group_y[0], y1 = frame.group_y[frame.n_pes - 1] + frame.group_h;
        if (at) {
            *at = 0;
            unsigned pe = (unsigned)atoi(at + 1);
            if (pe >= frame.n_pes) {
                printf("%s: no PE %u in a picture of %u\n", argv[a], pe, frame.n_pes);
                return 2;
            }
            y0 = frame.group_y[pe];
            y1 = y0 + frame.group_h;
        }
        int k = 0;
        while (k < VIEW_CLASS_COUNT && strcmp(view_classes[k].name, name))
            k++;
        if (k == VIEW_CLASS_COUNT) {
            printf("unknown class '%s'\n", name);
            return 2;
        }
        long count = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                count += view_image_pixel(&img, x, y) == view_classes[k].rgba;
        printf("%s: %ld pixels in the lanes%s\n", argv[a], count, at ? " of that PE" : "");
        bad |= count < MIN_ARROW_PIXELS;
    }
    view_image_destroy(&blank);
    view_image_destroy(&img);
    view_frame_destroy(&frame);
    view_model_destroy(&empty);
    printf("%s\n", bad ? "FAIL" : "ok");
    return bad;
}
