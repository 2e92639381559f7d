/* libFuzzer target: the arm64 Image and gzip paths of sim/loader.c
 * (is_arm64_image, place_arm64_image, gunzip_image). The first byte chooses:
 * bit 0 set, the rest is gzip-compressed by the harness before loading (so
 * mutations reach the Image header behind a valid gzip stream); clear, the
 * rest is loaded as it is (a raw Image, or a corrupt gzip stream). */
#include "fuzz_common.h"
#include "sim/loader.h"
#include <elf.h>
#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (32ULL << 20)

static struct fuzz_file file;
static uint8_t *ram;

static uint8_t *gzip(const uint8_t *in, size_t n, size_t *out_n)
{
    z_stream zs = { 0 };
    if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t cap = deflateBound(&zs, n) + 64;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort();
    *out_n = zs.total_out;
    deflateEnd(&zs);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!ram && !(ram = malloc(RAM_SIZE)))
        abort();
    bool compress = data[0] & 1;
    data++, size--;
    if (!compress && size >= 4 && memcmp(data, ELFMAG, SELFMAG) == 0)
        return -1;                 /* ELF files are fuzz_elf's */
    uint8_t *gz = NULL;
    const char *path;
    if (compress) {
        size_t n;
        gz = gzip(data, size, &n);
        path = fuzz_file_set(&file, gz, n);
    } else {
        path = fuzz_file_set(&file, data, size);
    }
    struct loaded_image img;
    char err[512];
    if (image_open(&img, path, RAM_BASE, RAM_SIZE, 0, 0, err, sizeof err) == 0) {
        image_load(&img, ram, RAM_BASE);
        image_close(&img);
    }
    free(gz);
    return 0;
}
