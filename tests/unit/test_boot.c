/* The device tree builder (sim/fdt.c) and the boot protocols (sim/boot.c,
 * the Image loader in sim/loader.c): the tree read back with libfdt, the
 * placement rules of QEMU's hw/arm/boot.c for an Image, its initrd and tree,
 * an ELF's tree at the start of RAM, and the Image header's fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/boot.h"
#include "sim/fdt.h"
#include "sim/memmap.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static const struct fdt_machine_desc base_desc = {
    .ram_base = VIRT_RAM_BASE, .ram_size = GIB, .num_pes = 1, .gic = GIC_V3,
    .conduit = PSCI_CONDUIT_SMC, .virtualization = true,
};

static void *build(const struct fdt_machine_desc *d, size_t *size)
{
    void *blob = NULL;
    char err[200];
    assert_int_equal(fdt_build(d, &blob, size, err, sizeof err), 0);
    assert_int_equal(fdt_check_full(blob, *size), 0);
    return blob;
}

static const void *getprop(const void *fdt, const char *path, const char *name, int *len)
{
    int n = fdt_path_offset(fdt, path);
    assert_true(n >= 0);
    return fdt_getprop(fdt, n, name, len);
}

static uint32_t cell(const void *p, int i) { return fdt32_to_cpu(((const fdt32_t *)p)[i]); }

static void test_fdt_cpus_gic_psci(void **state)
{
    (void)state;
    struct fdt_machine_desc d = base_desc;
    d.num_pes = 3;
    size_t size;
    void *fdt = build(&d, &size);
    int len;
    for (int i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "/cpus/cpu@%d", i);
        const void *reg = getprop(fdt, path, "reg", &len);
        assert_int_equal(len, 4);
        assert_int_equal(cell(reg, 0), i);
        assert_string_equal(getprop(fdt, path, "enable-method", &len), "psci");
    }
    assert_true(fdt_path_offset(fdt, "/cpus/cpu@3") < 0);
    const void *reg = getprop(fdt, "/intc@8000000", "reg", &len);
    assert_int_equal(len, 32);
    assert_int_equal(cell(reg, 3), VIRT_GICD_SIZE);
    assert_int_equal(cell(reg, 5), VIRT_GICR_BASE);
    assert_int_equal(cell(reg, 7), 3 * 0x20000);
    assert_string_equal(getprop(fdt, "/psci", "method", &len), "smc");
    const void *on = getprop(fdt, "/psci", "cpu_on", &len);
    assert_int_equal(cell(on, 0), 0xc4000003);
    /* The root's interrupt-parent is the GIC's phandle. */
    const void *ip = getprop(fdt, "/", "interrupt-parent", &len);
    assert_int_equal(fdt_node_offset_by_phandle(fdt, cell(ip, 0)), fdt_path_offset(fdt, "/intc@8000000"));
    assert_null(getprop(fdt, "/chosen", "bootargs", &len));
    assert_null(getprop(fdt, "/chosen", "linux,initrd-start", &len));
    free(fdt);
}

static void test_fdt_el1_gicv2_chosen(void **state)
{
    (void)state;
    struct fdt_machine_desc d = base_desc;
    d.gic = GIC_V2;
    d.conduit = PSCI_CONDUIT_HVC;
    d.virtualization = false;
    d.bootargs = "console=ttyAMA0";
    d.have_initrd = true;
    d.initrd_start = 0x48000000;
    d.initrd_end = 0x48001234;
    size_t size;
    void *fdt = build(&d, &size);
    int len;
    assert_string_equal(getprop(fdt, "/psci", "method", &len), "hvc");
    getprop(fdt, "/intc@8000000", "reg", &len);
    assert_int_equal(len, 32);                        /* GICD and GICC only */
    assert_null(getprop(fdt, "/intc@8000000", "interrupts", &len));
    /* No enable-method for a single PE (as QEMU). */
    assert_null(getprop(fdt, "/cpus/cpu@0", "enable-method", &len));
    assert_string_equal(getprop(fdt, "/chosen", "bootargs", &len), "console=ttyAMA0");
    const void *s = getprop(fdt, "/chosen", "linux,initrd-start", &len);
    assert_int_equal(len, 4);
    assert_int_equal(cell(s, 0), 0x48000000);
    const void *e = getprop(fdt, "/chosen", "linux,initrd-end", &len);
    assert_int_equal(cell(e, 0), 0x48001234);
    free(fdt);

    d.initrd_start = 0x140000000ULL;                 /* above 4 GiB: two cells */
    d.initrd_end = 0x140001000ULL;
    fdt = build(&d, &size);
    s = getprop(fdt, "/chosen", "linux,initrd-start", &len);
    assert_int_equal(len, 8);
    assert_int_equal(cell(s, 0), 1);
    assert_int_equal(cell(s, 1), 0x40000000);
    free(fdt);
}

/* The SMMUv3 node as QEMU 7.2 writes it for -M virt,iommu=smmuv3, and the 32
 * virtio-mmio transports (listed lowest address first, as QEMU's), each with
 * its StreamID behind the SMMU. */
static void test_fdt_smmu_virtio(void **state)
{
    (void)state;
    struct fdt_machine_desc d = base_desc;
    d.smmu = true;
    size_t size;
    void *fdt = build(&d, &size);
    int len;
    const char *compat = getprop(fdt, "/smmuv3@9050000", "compatible", &len);
    assert_string_equal(compat, "arm,smmu-v3");
    const void *reg = getprop(fdt, "/smmuv3@9050000", "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(cell(reg, 1), 0x09050000);
    assert_int_equal(cell(reg, 3), 0x20000);
    const void *irq = getprop(fdt, "/smmuv3@9050000", "interrupts", &len);
    assert_int_equal(len, 48);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cell(irq, 3 * i), 0);          /* SPI */
        assert_int_equal(cell(irq, 3 * i + 1), 74 + i); /* SPIs 74-77 */
        assert_int_equal(cell(irq, 3 * i + 2), 1);      /* edge, rising */
    }
    const char *names = getprop(fdt, "/smmuv3@9050000", "interrupt-names", &len);
    static const char want_names[] = "eventq\0priq\0cmdq-sync\0gerror";
    assert_int_equal(len, sizeof want_names);
    assert_memory_equal(names, want_names, sizeof want_names);
    assert_non_null(getprop(fdt, "/smmuv3@9050000", "dma-coherent", &len));
    assert_int_equal(len, 0);
    assert_int_equal(cell(getprop(fdt, "/smmuv3@9050000", "#iommu-cells", &len), 0), 1);
    uint32_t smmu_phandle = cell(getprop(fdt, "/smmuv3@9050000", "phandle", &len), 0);
    assert_int_equal(smmu_phandle, FDT_PHANDLE_SMMU);
    assert_int_equal(fdt_node_offset_by_phandle(fdt, smmu_phandle), fdt_path_offset(fdt, "/smmuv3@9050000"));

    int prev_base = -1, count = 0;
    for (int n = fdt_first_subnode(fdt, 0); n >= 0; n = fdt_next_subnode(fdt, n)) {
        const char *name = fdt_get_name(fdt, n, NULL);
        if (strncmp(name, "virtio_mmio@", 12) != 0)
            continue;
        const void *r = fdt_getprop(fdt, n, "reg", &len);
        assert_int_equal(len, 16);
        int base = (int)cell(r, 1), i = (base - 0x0a000000) / 0x200;
        assert_int_equal(base, 0x0a000000 + 0x200 * count);  /* lowest address first, no gap */
        assert_true(base > prev_base);
        prev_base = base;
        assert_int_equal(cell(r, 3), 0x200);
        char want[32];
        snprintf(want, sizeof want, "virtio_mmio@%x", base);
        assert_string_equal(name, want);
        assert_string_equal(fdt_getprop(fdt, n, "compatible", &len), "virtio,mmio");
        const void *ir = fdt_getprop(fdt, n, "interrupts", &len);
        assert_int_equal(len, 12);
        assert_int_equal(cell(ir, 0), 0);
        assert_int_equal(cell(ir, 1), 16 + i);            /* SPI 16 + i (INTID 48 + i) */
        assert_int_equal(cell(ir, 2), 1);                 /* edge, rising, as QEMU's */
        assert_non_null(fdt_getprop(fdt, n, "dma-coherent", &len));
        const void *io = fdt_getprop(fdt, n, "iommus", &len);
        assert_int_equal(len, 8);
        assert_int_equal(cell(io, 0), smmu_phandle);
        assert_int_equal(cell(io, 1), i);                 /* StreamID = transport index */
        count++;
    }
    assert_int_equal(count, 32);
    assert_true(fdt_path_offset(fdt, "/dma-test@c000000") < 0);
    free(fdt);
}

/* --smmu=off: no SMMU node and no iommus (devices DMA to physical memory);
 * the transports stay. --dma-test-device: its node. */
static void test_fdt_no_smmu_dma_test(void **state)
{
    (void)state;
    struct fdt_machine_desc d = base_desc;
    d.dma_test = true;
    size_t size;
    void *fdt = build(&d, &size);
    int len;
    assert_true(fdt_path_offset(fdt, "/smmuv3@9050000") < 0);
    for (int i = 0; i < 32; i++) {
        char path[40];
        snprintf(path, sizeof path, "/virtio_mmio@%x", 0x0a000000 + 0x200 * i);
        int n = fdt_path_offset(fdt, path);
        assert_true(n >= 0);
        assert_null(fdt_getprop(fdt, n, "iommus", &len));
    }
    assert_string_equal(getprop(fdt, "/dma-test@c000000", "compatible", &len), "avsim,dma-test");
    const void *reg = getprop(fdt, "/dma-test@c000000", "reg", &len);
    assert_int_equal(cell(reg, 1), 0x0c000000);
    assert_int_equal(cell(reg, 3), 0x1000);
    const void *irq = getprop(fdt, "/dma-test@c000000", "interrupts", &len);
    assert_int_equal(len, 12);
    assert_int_equal(cell(irq, 1), 112);                  /* SPI 112 (INTID 144) */
    assert_int_equal(cell(irq, 2), 4);                    /* level: the device holds its line */
    free(fdt);
}

/* boot_describe_machine carries the machine's I/O into the tree's description. */
static void test_describe_io(void **state)
{
    (void)state;
    struct boot_config bc = { .ram_base = VIRT_RAM_BASE, .ram_size = GIB, .num_pes = 1, .gic = GIC_V3,
                              .start_el = 2, .smmu = true, .dma_test = true };
    struct fdt_machine_desc d;
    boot_describe_machine(&bc, &d);
    assert_true(d.smmu);
    assert_true(d.dma_test);
    bc.smmu = bc.dma_test = false;
    boot_describe_machine(&bc, &d);
    assert_false(d.smmu);
    assert_false(d.dma_test);
}

static void test_fdt_bad_pe_count(void **state)
{
    (void)state;
    struct fdt_machine_desc d = base_desc;
    void *blob = NULL;
    size_t size;
    char err[200];
    d.num_pes = 0;
    assert_int_equal(fdt_build(&d, &blob, &size, err, sizeof err), -1);
    d.num_pes = 9;
    assert_int_equal(fdt_build(&d, &blob, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "1 to 8"));
}

static void test_fdt_validate_and_apply_chosen(void **state)
{
    (void)state;
    size_t size;
    void *fdt = build(&base_desc, &size);
    char err[200];
    assert_int_equal(fdt_validate(fdt, size, err, sizeof err), 0);
    assert_int_equal(fdt_validate(fdt, size - 8, err, sizeof err), -1);   /* truncated */
    assert_int_equal(fdt_validate(fdt, 20, err, sizeof err), -1);
    char garbage[256];
    memset(garbage, 'x', sizeof garbage);
    assert_int_equal(fdt_validate(garbage, sizeof garbage, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a valid flattened device tree"));
    /* A header claiming a version before 16 (node names as full paths): on
     * this tree, found by tests/fuzz/fuzz_dtb (its corpus keeps it as
     * regress-version8-libfdt-null), Debian 12's libfdt 1.6.1 fdt_check_full
     * read through a NULL pointer. Such trees are refused before. */
    static const uint8_t v8_tree[] = {
      0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x01, 0x3b, 0x00, 0x00, 0x00, 0x38,
      0x00, 0x00, 0x00, 0xfc, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x08,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f,
      0x00, 0x00, 0x00, 0xc4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
      0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x02,
      0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x1b,
      0x6c, 0x69, 0x6e, 0x75, 0x78, 0x2c, 0x64, 0x75, 0x6d, 0x6d, 0x79, 0x2d,
      0x76, 0x69, 0x72, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x63, 0x68, 0x6f, 0x73, 0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
      0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x26, 0x63, 0x6f, 0x6e, 0x73,
      0x6f, 0x6c, 0x65, 0x3d, 0x74, 0x74, 0x79, 0x41, 0x4d, 0x41, 0x30, 0x00,
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x6f,
      0x72, 0x79, 0x40, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00,
      0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2f,
      0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
      0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x3b, 0x00, 0x00, 0x00, 0x00,
      0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09,
      0x23, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x2d, 0x63, 0x65, 0x6c,
      0x6c, 0x73, 0x00, 0x23, 0x73, 0x69, 0x7a, 0x65, 0x2d, 0x63, 0x65, 0x6c,
      0x6c, 0x73, 0x00, 0x63, 0x6f, 0x6d, 0x70, 0x61, 0x74, 0x69, 0x62, 0x6c,
      0x65, 0x00, 0x62, 0x6f, 0x6f, 0x74, 0x61, 0x72, 0x67, 0x73, 0x00, 0x64,
      0x65, 0x76, 0x69, 0x63, 0x65, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x00, 0x72,
      0x65, 0x67, 0x00
    };
    uint8_t *copy = malloc(sizeof v8_tree);
    memcpy(copy, v8_tree, sizeof v8_tree);
    assert_int_equal(fdt_validate(copy, sizeof v8_tree, err, sizeof err), -1);
    assert_non_null(strstr(err, "version 8 is too old"));
    free(copy);
    copy = malloc(size);
    memcpy(copy, fdt, size);
    fdt_set_version(copy, 3);
    fdt_set_last_comp_version(copy, 2);
    assert_int_equal(fdt_validate(copy, size, err, sizeof err), -1);
    free(copy);
    /* A property whose length (0xfffffff4) wraps the walk's offset back to its
     * own tag (tests/fuzz/fuzz_dtb, corpus regress-prop-length-wrap): libfdt
     * 1.6.1's fdt_check_full never returned on it. */
    copy = malloc(size);
    memcpy(copy, fdt, size);
    struct fdt_property *p = fdt_get_property_w(copy, fdt_path_offset(copy, "/chosen"), "stdout-path", NULL);
    assert_non_null(p);
    p->len = cpu_to_fdt32(0xfffffff4u);
    assert_int_equal(fdt_validate(copy, size, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a valid flattened device tree"));
    free(copy);

    /* A tree without /chosen gets one. */
    assert_int_equal(fdt_del_node(fdt, fdt_path_offset(fdt, "/chosen")), 0);
    assert_int_equal(fdt_apply_chosen(&fdt, &size, "a b", true, 0x48000000, 0x48000010, err, sizeof err), 0);
    int len;
    assert_string_equal(getprop(fdt, "/chosen", "bootargs", &len), "a b");
    assert_int_equal(cell(getprop(fdt, "/chosen", "linux,initrd-end", &len), 0), 0x48000010);
    assert_int_equal(fdt_totalsize(fdt), size);
    free(fdt);
}

static void test_initrd_address(void **state)
{
    (void)state;
    assert_int_equal(boot_initrd_address(VIRT_RAM_BASE, GIB, 0), VIRT_RAM_BASE + 128 * MIB);
    assert_int_equal(boot_initrd_address(VIRT_RAM_BASE, 128 * MIB, 0), VIRT_RAM_BASE + 64 * MIB);
    /* Never over the Image: above its end, 4 KiB aligned. */
    assert_int_equal(boot_initrd_address(VIRT_RAM_BASE, GIB, VIRT_RAM_BASE + 200 * MIB + 1),
                     VIRT_RAM_BASE + 200 * MIB + 0x1000);
}

/* Writes an Image of `size` bytes with the given header fields; gzipped if asked. */
static const char *write_image(uint64_t text_offset, uint64_t image_size, uint64_t flags, size_t size, bool gz)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/avsim_test_boot_%d.img", (int)getpid());
    uint8_t *b = calloc(1, size);
    memcpy(b + 8, &text_offset, 8);          /* little-endian host assumed (x86-64, arm64) */
    memcpy(b + 16, &image_size, 8);
    memcpy(b + 24, &flags, 8);
    memcpy(b + 0x38, "ARM\x64", 4);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, b, (unsigned)size);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, size, f);
        fclose(f);
    }
    free(b);
    return path;
}

static void test_image_placement(void **state)
{
    (void)state;
    struct loaded_image img;
    char err[300];
    const char *p = write_image(0x80000, 0x300000, 0xa, 4096, false);
    assert_int_equal(image_open(&img, p, VIRT_RAM_BASE, GIB, 0, 0, err, sizeof err), 0);
    assert_true(img.is_linux);
    assert_int_equal(img.entry, VIRT_RAM_BASE + 0x80000);
    assert_int_equal(img.end, VIRT_RAM_BASE + 0x80000 + 0x300000);    /* image_size, not the file size */
    image_close(&img);

    p = write_image(0, 0x10000, 0xa, 4096, true);                       /* gzip; text_offset 0: + 2 MiB */
    assert_int_equal(image_open(&img, p, VIRT_RAM_BASE, GIB, 0, 0, err, sizeof err), 0);
    assert_int_equal(img.entry, VIRT_RAM_BASE + 2 * MIB);
    assert_int_equal(img.size, 4096);
    image_close(&img);

    p = write_image(0x1234, 0, 0, 4096, false);                        /* no image_size: 0x80000 */
    assert_int_equal(image_open(&img, p, VIRT_RAM_BASE, GIB, 0, 0, err, sizeof err), 0);
    assert_int_equal(img.entry, VIRT_RAM_BASE + 0x80000);
    image_close(&img);

    p = write_image(0x80000, 0x10000, 1, 4096, false);                 /* big-endian */
    assert_int_equal(image_open(&img, p, VIRT_RAM_BASE, GIB, 0, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "big-endian"));

    p = write_image(0x80000, 2 * GIB, 0xa, 4096, false);               /* larger than RAM */
    assert_int_equal(image_open(&img, p, VIRT_RAM_BASE, GIB, 0, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not fit"));
    unlink(p);
}

static void test_boot_prepare_placement(void **state)
{
    (void)state;
    struct boot_config bc = { .ram_base = VIRT_RAM_BASE, .ram_size = GIB, .num_pes = 1, .gic = GIC_V3,
                              .start_el = 2 };
    struct boot_blobs b;
    char err[300];
    /* An Image, no initrd: the tree at RAM + 128 MiB (2 MiB aligned), x0 set. */
    struct loaded_image linux_img = { .is_linux = 1, .end = VIRT_RAM_BASE + 0x100000 };
    assert_int_equal(boot_prepare(&b, &bc, &linux_img, err, sizeof err), 0);
    assert_true(b.linux_args);
    assert_int_equal(b.dtb_pa, VIRT_RAM_BASE + 128 * MIB);
    boot_release(&b);

    /* With an initrd: the tree at the next 2 MiB boundary after it. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/avsim_test_initrd_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    fwrite("0123456789", 1, 10, f);
    fclose(f);
    bc.initrd_file = path;
    assert_int_equal(boot_prepare(&b, &bc, &linux_img, err, sizeof err), 0);
    assert_int_equal(b.initrd_pa, VIRT_RAM_BASE + 128 * MIB);
    assert_int_equal(b.initrd_size, 10);
    assert_int_equal(b.dtb_pa, VIRT_RAM_BASE + 130 * MIB);
    int len;
    const void *e = getprop(b.dtb, "/chosen", "linux,initrd-end", &len);
    assert_int_equal(cell(e, 0), VIRT_RAM_BASE + 128 * MIB + 10);
    boot_release(&b);
    unlink(path);
    bc.initrd_file = NULL;

    /* An ELF 2 MiB above the start of RAM: the tree (1 MiB, as QEMU's) at the start, x0 not set. */
    struct loaded_image elf = { .is_elf = 1, .n_seg = 1 };
    elf.seg[0] = (struct image_segment){ .paddr = VIRT_RAM_BASE + 2 * MIB, .filesz = 16, .memsz = 16 };
    assert_int_equal(boot_prepare(&b, &bc, &elf, err, sizeof err), 0);
    assert_false(b.linux_args);
    assert_non_null(b.dtb);
    assert_int_equal(b.dtb_pa, VIRT_RAM_BASE);
    assert_int_equal(b.dtb_size, MIB);
    assert_int_equal(fdt_totalsize(b.dtb), MIB);
    boot_release(&b);
    /* 512 KiB above (where the guest tests link): 1 MiB does not fit, no tree (as QEMU). */
    elf.seg[0].paddr = VIRT_RAM_BASE + 0x80000;
    assert_int_equal(boot_prepare(&b, &bc, &elf, err, sizeof err), 0);
    assert_null(b.dtb);
    boot_release(&b);
    /* An ELF at the start of RAM: no tree (QEMU would put it in flash). */
    elf.seg[0].paddr = VIRT_RAM_BASE;
    assert_int_equal(boot_prepare(&b, &bc, &elf, err, sizeof err), 0);
    assert_null(b.dtb);
    boot_release(&b);
    /* An ELF leaving too little room below it: no tree either (QEMU skips it quietly). */
    elf.seg[0].paddr = VIRT_RAM_BASE + 0x100;
    assert_int_equal(boot_prepare(&b, &bc, &elf, err, sizeof err), 0);
    assert_null(b.dtb);
    boot_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdt_cpus_gic_psci),
        cmocka_unit_test(test_fdt_el1_gicv2_chosen),
        cmocka_unit_test(test_fdt_smmu_virtio),
        cmocka_unit_test(test_fdt_no_smmu_dma_test),
        cmocka_unit_test(test_describe_io),
        cmocka_unit_test(test_fdt_bad_pe_count),
        cmocka_unit_test(test_fdt_validate_and_apply_chosen),
        cmocka_unit_test(test_initrd_address),
        cmocka_unit_test(test_image_placement),
        cmocka_unit_test(test_boot_prepare_placement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
