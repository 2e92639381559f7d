/* Loading guest images: ELF64 AArch64 (PT_LOAD segments at their physical
 * addresses, entry point), arm64 Linux `Image` files (plain or gzip-compressed,
 * placed as QEMU's hw/arm/boot.c places them) and raw binaries at a given
 * address. */
#ifndef AVSIM_SIM_LOADER_H
#define AVSIM_SIM_LOADER_H
#include <stddef.h>
#include <stdint.h>

struct image_segment {
    uint64_t paddr;
    uint64_t filesz, memsz;
    size_t file_offset;
};

struct loaded_image {
    uint8_t *data;           /* the whole file, kept for reloading on reset */
    size_t size;
    uint64_t entry;
    struct image_segment seg[32];
    int n_seg;
    int is_elf;
    int is_linux;            /* an arm64 Image or raw kernel: boots with x0 = the device tree */
    int is_raw_kernel;       /* neither ELF nor Image, no --load-addr: loaded at RAM + 0x80000 as QEMU does */
    uint64_t end;            /* the highest physical address the image claims (Image: image_size) */
};

/* Reads and checks the file. An arm64 Image (Linux's
 * Documentation/arch/arm64/booting.rst: "ARM\x64" at 0x38), also inside a gzip
 * file, goes to ram_base + text_offset (+ 2 MiB when text_offset is below
 * 4 KiB, where QEMU keeps its boot stub; 0x80000 when image_size is 0), as
 * QEMU does for `-kernel Image` on virt; raw_load_addr is refused for one. ram_base/ram_size bound where segments may go.
 * raw_load_addr is used for a non-ELF file when have_load_addr. Returns 0, or
 * -1 with a message in err. */
int image_open(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
               int have_load_addr, uint64_t raw_load_addr, char *err, size_t errlen);
/* Copies the segments into RAM (host pointer for ram_base). */
void image_load(const struct loaded_image *img, uint8_t *ram, uint64_t ram_base);
void image_close(struct loaded_image *img);

#endif
