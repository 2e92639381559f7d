/* Boot protocols (sim/boot.h). Placement rules from QEMU's hw/arm/boot.c
 * (arm_setup_direct_kernel_boot, arm_load_dtb) for an AArch64 guest. */
#include "sim/boot.h"
#include "sim/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1ULL << 20)
#define PAGE_4K 0x1000ULL
/* QEMU aligns an AArch64 kernel's device tree to 2 MiB: early arm64 kernels map
 * the 2 MiB block around it. */
#define DTB_ALIGN_AARCH64 (2 * MIB)
/* The tree's total size as QEMU hands it over: its virt board builds the tree
 * in 1 MiB (create_device_tree); a -dtb file gets (size + 10000) * 2
 * (load_device_tree). The size decides whether a tree fits below an ELF. */
#define DTB_VIRT_TOTAL_SIZE (1 * MIB)
#define DTB_FILE_TOTAL_SIZE(file_size) (((file_size) + 10000) * 2)

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

int boot_read_file(const char *path, uint64_t limit, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    return file_read_all(path, limit, data, size, err, errlen);
}

uint64_t boot_initrd_address(uint64_t ram_base, uint64_t ram_size, uint64_t image_end)
{
    uint64_t a = ram_base + (ram_size / 2 < 128 * MIB ? ram_size / 2 : 128 * MIB);
    if (image_end > a)
        a = image_end;
    return align_up(a, PAGE_4K);
}

void boot_describe_machine(const struct boot_config *bc, struct fdt_machine_desc *d)
{
    *d = (struct fdt_machine_desc){
        .cpu_compatible = bc->cpu_compatible,
        .ram_base = bc->ram_base, .ram_size = bc->ram_size, .num_pes = bc->num_pes ? bc->num_pes : 1,
        .gic = bc->gic, .conduit = bc->start_el == 1 ? PSCI_CONDUIT_HVC : PSCI_CONDUIT_SMC,
        .virtualization = bc->start_el != 1, .bootargs = bc->bootargs,
        .smmu = bc->smmu, .dma_test = bc->dma_test,
    };
}

static int make_dtb(struct boot_blobs *b, const struct boot_config *bc, char *err, size_t errlen)
{
    bool have_initrd = b->initrd != NULL;
    uint64_t initrd_end = b->initrd_pa + b->initrd_size;
    if (!bc->dtb_file) {
        struct fdt_machine_desc d;
        boot_describe_machine(bc, &d);
        d.have_initrd = have_initrd;
        d.initrd_start = b->initrd_pa;
        d.initrd_end = initrd_end;
        if (fdt_build(&d, &b->dtb, &b->dtb_size, err, errlen) != 0)
            return -1;
        return fdt_set_total_size(&b->dtb, &b->dtb_size, DTB_VIRT_TOTAL_SIZE, err, errlen);
    }
    uint8_t *data;
    size_t size;
    char why[200];
    if (boot_read_file(bc->dtb_file, BOOT_DTB_MAX_BYTES, &data, &size, err, errlen) != 0)
        return -1;
    if (fdt_validate(data, size, why, sizeof why) != 0) {
        snprintf(err, errlen, "--dtb=%s: %s", bc->dtb_file, why);
        free(data);
        return -1;
    }
    b->dtb = data;
    b->dtb_size = size;
    if (fdt_apply_chosen(&b->dtb, &b->dtb_size, bc->bootargs, have_initrd, b->initrd_pa, initrd_end, why,
                         sizeof why) != 0 ||
        fdt_set_total_size(&b->dtb, &b->dtb_size, DTB_FILE_TOTAL_SIZE(size), why, sizeof why) != 0) {
        snprintf(err, errlen, "--dtb=%s: %s", bc->dtb_file, why);
        return -1;
    }
    return 0;
}

int boot_prepare(struct boot_blobs *b, const struct boot_config *bc, const struct loaded_image *img, char *err,
                 size_t errlen)
{
    memset(b, 0, sizeof *b);
    uint64_t ram_end = bc->ram_base + bc->ram_size;
    if (!img->is_elf && !img->is_linux) {
        if (bc->initrd_file || bc->dtb_file || bc->bootargs) {
            snprintf(err, errlen, "--initrd, --dtb and --append need a Linux Image or an ELF image, not a raw "
                     "binary (--load-addr)");
            return -1;
        }
        return 0;                         /* a raw binary: as before, nothing else */
    }
    if (img->is_linux && bc->initrd_file) {
        b->initrd_pa = boot_initrd_address(bc->ram_base, bc->ram_size, img->end);
        /* The initrd's limit is the RAM after its address: a bigger one cannot load. */
        uint64_t room = b->initrd_pa < ram_end ? ram_end - b->initrd_pa : 0;
        if (boot_read_file(bc->initrd_file, room, &b->initrd, &b->initrd_size, err, errlen) != 0) {
            size_t n = strlen(err);
            if (strstr(err, "too big"))
                snprintf(err + n, errlen - n, " (an initrd must fit in RAM after 0x%llx)",
                     (unsigned long long)b->initrd_pa);
            return -1;
        }
        if (b->initrd_size > ram_end - b->initrd_pa) {
            snprintf(err, errlen, "%s: the initrd (%zu bytes at 0x%llx) does not fit in RAM", bc->initrd_file,
                     b->initrd_size, (unsigned long long)b->initrd_pa);
            boot_release(b);
            return -1;
        }
    } else if (bc->initrd_file) {
        /* QEMU loads an initrd only for a Linux kernel; say so rather than drop it silently. */
        fprintf(stderr, "avsim: note: --initrd is ignored for an ELF image (as QEMU does)\n");
    }
    if (make_dtb(b, bc, err, errlen) != 0) {
        boot_release(b);
        return -1;
    }
    if (img->is_linux) {
        uint64_t after = b->initrd ? b->initrd_pa + b->initrd_size
                                   : boot_initrd_address(bc->ram_base, bc->ram_size, img->end);
        b->dtb_pa = align_up(after, DTB_ALIGN_AARCH64);
        if (b->dtb_pa >= ram_end || b->dtb_size > ram_end - b->dtb_pa) {
            snprintf(err, errlen, "not enough RAM for the device tree after the kernel and initrd (at 0x%llx)",
                     (unsigned long long)b->dtb_pa);
            boot_release(b);
            return -1;
        }
        b->linux_args = true;
        return 0;
    }
    /* An ELF: the tree goes to the start of RAM when the lowest segment leaves
     * room for it; otherwise there is none (QEMU's arm_load_dtb quietly skips a
     * tree that would cross its limit, and has flash, not RAM, below). */
    uint64_t low = ram_end;
    for (int i = 0; i < img->n_seg; i++)
        if (img->seg[i].paddr < low)
            low = img->seg[i].paddr;
    if (low > bc->ram_base && b->dtb_size <= low - bc->ram_base) {
        b->dtb_pa = bc->ram_base;
        return 0;
    }
    free(b->dtb);
    b->dtb = NULL;
    b->dtb_size = 0;
    return 0;
}

void boot_load(const struct boot_blobs *b, uint8_t *ram, uint64_t ram_base)
{
    if (b->initrd)
        memcpy(ram + (b->initrd_pa - ram_base), b->initrd, b->initrd_size);
    if (b->dtb)
        memcpy(ram + (b->dtb_pa - ram_base), b->dtb, b->dtb_size);
}

void boot_release(struct boot_blobs *b)
{
    free(b->initrd);
    free(b->dtb);
    memset(b, 0, sizeof *b);
}
