/* libFuzzer target: the ELF loader (sim/loader.c image_open, parse_elf), then
 * image_load into a RAM buffer of the size image_open was told, so a segment
 * that image_open let through outside RAM is an ASan report. */
#include "fuzz_common.h"
#include "sim/loader.h"
#include <elf.h>
#include <string.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (32ULL << 20)

static struct fuzz_file file;
static uint8_t *ram;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ram && !(ram = malloc(RAM_SIZE)))
        abort();
    const char *path = fuzz_file_set(&file, data, size);
    struct loaded_image img;
    char err[512];
    if (image_open(&img, path, RAM_BASE, RAM_SIZE, 0, 0, err, sizeof err) == 0) {
        image_load(&img, ram, RAM_BASE);
        image_close(&img);
    }
    /* The raw path with --load-addr, at an address taken from the size. */
    if (image_open(&img, path, RAM_BASE, RAM_SIZE, 1, RAM_BASE + (size * 4099) % RAM_SIZE, err, sizeof err) == 0) {
        image_load(&img, ram, RAM_BASE);
        image_close(&img);
    }
    return 0;
}
