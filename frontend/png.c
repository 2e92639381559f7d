/* A minimal PNG writer (IHDR, one IDAT, IEND). zlib's crc32 is called as
 * crc32_z: libunicorn exports its own crc32, which would shadow zlib's. */
#include "frontend/png.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* length, type, data, CRC of type and data. */
static int write_chunk(FILE *f, const char type[4], const uint8_t *data, size_t len)
{
    uint8_t head[8], tail[4];
    put_be32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32_z(0L, (const Bytef *)type, 4);
    if (len)
        crc = crc32_z(crc, data, len);
    put_be32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
                   fwrite(tail, 1, 4, f) == 4
               ? 0
               : -1;
}

int png_write_rgba(const char *path, int width, int height, const uint8_t *pixels, char *err, size_t errlen)
{
    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (width <= 0 || height <= 0) {
        snprintf(err, errlen, "%s: an empty image (%dx%d)", path, width, height);
        return -1;
    }
    size_t row = (size_t)width * 4 + 1;
    size_t raw_len = row * (size_t)height;
    uint8_t *raw = malloc(raw_len);
    uLongf z_len = compressBound(raw_len);
    uint8_t *z = malloc(z_len);
    int rc = -1;
    FILE *f = NULL;
    if (!raw || !z) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    for (int y = 0; y < height; y++) {
        raw[row * (size_t)y] = 0;    /* filter type None */
        memcpy(raw + row * (size_t)y + 1, pixels + (size_t)y * (size_t)width * 4, (size_t)width * 4);
    }
    if (compress2(z, &z_len, raw, raw_len, Z_BEST_COMPRESSION) != Z_OK) {
        snprintf(err, errlen, "%s: zlib could not compress the image", path);
        goto out;
    }
    f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;     /* bit depth */
    ihdr[9] = 6;     /* colour type: RGBA */
    ihdr[10] = 0;    /* deflate */
    ihdr[11] = 0;    /* filter method 0 */
    ihdr[12] = 0;    /* no interlace */
    if (fwrite(signature, 1, 8, f) != 8 || write_chunk(f, "IHDR", ihdr, sizeof ihdr) ||
        write_chunk(f, "IDAT", z, z_len) || write_chunk(f, "IEND", NULL, 0)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (f && fclose(f) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(raw);
    free(z);
    return rc;
}
