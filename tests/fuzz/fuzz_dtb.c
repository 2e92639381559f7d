/* libFuzzer target: a user's device tree (--dtb) through sim/boot.c
 * boot_prepare: boot_read_file, fdt_validate, fdt_apply_chosen (/chosen
 * bootargs and the initrd range) and fdt_set_total_size (sim/fdt.c), then
 * boot_load into a RAM buffer. The first byte picks bootargs and an initrd
 * range, the rest is the tree. */
#include "fuzz_common.h"
#include "sim/boot.h"
#include <string.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (32ULL << 20)

static struct fuzz_file file;
static uint8_t *ram;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!ram && !(ram = malloc(RAM_SIZE)))
        abort();
    uint8_t sel = data[0];
    const char *path = fuzz_file_set(&file, data + 1, size - 1);
    struct loaded_image img = { .is_linux = 1, .entry = RAM_BASE + 0x200000, .end = RAM_BASE + 0x400000,
                                .n_seg = 0 };
    struct boot_config bc = {
        .ram_base = RAM_BASE, .ram_size = RAM_SIZE, .num_pes = 1, .gic = GIC_V3, .start_el = 2,
        .dtb_file = path, .bootargs = sel & 1 ? "console=ttyAMA0 earlycon" : NULL,
    };
    if (sel & 2) {              /* an ELF: the tree goes below its lowest segment */
        img.is_linux = 0;
        img.is_elf = 1;
        img.n_seg = 1;
        img.seg[0] = (struct image_segment){ .paddr = RAM_BASE + ((sel >> 2) << 16), .filesz = 0, .memsz = 16 };
    }
    struct boot_blobs b;
    char err[512];
    if (boot_prepare(&b, &bc, &img, err, sizeof err) == 0) {
        boot_load(&b, ram, RAM_BASE);
        boot_release(&b);
    }
    return 0;
}
