/* Boot protocols: what is placed in RAM besides the image (an initrd, the
 * device tree) and how the boot PE starts, following QEMU's hw/arm/boot.c for
 * `-kernel`:
 *  - an arm64 Linux Image: the initrd at RAM + min(RAM/2, 128 MiB) (above the
 *    Image's image_size, 4 KiB aligned), the device tree after it at the next
 *    2 MiB boundary; the PE starts at the Image with x0 = the device tree,
 *    x1-x3 = 0, MMU off (Linux's Documentation/arch/arm64/booting.rst);
 *  - an ELF: the device tree at the start of RAM when the ELF leaves room
 *    below its lowest segment (QEMU's "like -bios"), else none; no initrd;
 *    x0 not set;
 *  - a raw binary (--load-addr): nothing else, as before.
 * PSCI SYSTEM_RESET loads everything again (QEMU's ROM blobs do the same). */
#ifndef AVSIM_SIM_BOOT_H
#define AVSIM_SIM_BOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/fdt.h"
#include "sim/loader.h"

struct boot_config {
    const char *cpu_compatible;   /* the cpu nodes' compatible (NULL: "arm,cortex-a57") */
    uint64_t ram_base, ram_size;
    unsigned num_pes;
    enum gic_version gic;
    unsigned start_el;        /* 2: EL2h, PSCI through SMC; 1: EL1h, no EL2, PSCI through HVC */
    const char *initrd_file;  /* NULL: none */
    const char *bootargs;     /* NULL: none */
    const char *dtb_file;     /* NULL: the generated tree */
    bool smmu;                /* the SMMUv3 (its node, the transports' iommus) */
    bool dma_test;            /* the DMA test device's node */
};

struct boot_blobs {
    uint8_t *initrd;
    size_t initrd_size;
    uint64_t initrd_pa;
    void *dtb;                /* NULL: no device tree is loaded */
    size_t dtb_size;
    uint64_t dtb_pa;
    bool linux_args;          /* x0 = dtb_pa, x1..x3 = 0 */
};

/* The generated tree's description for a machine (also what `avsim dumpdtb` writes). */
void boot_describe_machine(const struct boot_config *bc, struct fdt_machine_desc *d);

/* Reads the initrd and the device tree (given or generated) and places them
 * for img. Returns 0, or -1 with a message (missing file, not an FDT, no room). */
int boot_prepare(struct boot_blobs *b, const struct boot_config *bc, const struct loaded_image *img, char *err,
                 size_t errlen);
/* Copies the initrd and the device tree into RAM (host pointer for ram_base). */
void boot_load(const struct boot_blobs *b, uint8_t *ram, uint64_t ram_base);
void boot_release(struct boot_blobs *b);

/* Where QEMU puts an initrd for an image ending at image_end (0: unknown). */
uint64_t boot_initrd_address(uint64_t ram_base, uint64_t ram_size, uint64_t image_end);

/* A --dtb file's limit: Linux's arm64 booting.rst says the blob "must not
 * exceed 2 megabytes". */
#define BOOT_DTB_MAX_BYTES (2ULL << 20)
/* Reads a whole file of at most limit bytes (for the initrd and --dtb; sim/file.h). */
int boot_read_file(const char *path, uint64_t limit, uint8_t **data, size_t *size, char *err, size_t errlen);

#endif
