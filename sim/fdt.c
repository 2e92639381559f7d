/* The device tree of avsim's machine (sim/fdt.h). The nodes, property names
 * and values follow what QEMU's hw/arm/virt.c writes for `-M virt` (with
 * virtualization=on when the guest starts at EL2), and the bindings in the
 * Linux kernel's Documentation/devicetree/bindings (arm/cpus, arm/psci,
 * timer/arm,arch_timer, interrupt-controller/arm,gic(-v3), serial/pl011).
 * Nodes for devices avsim does not model are left out. */
#include "sim/fdt.h"
#include "sim/memmap.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FDT_BUILD_SPACE (64 * 1024)

/* Interrupt specifiers (GIC bindings: <type number flags>). */
enum { FDT_IRQ_SPI = 0, FDT_IRQ_PPI = 1 };
#define FDT_IRQ_LEVEL_HIGH 4u
#define FDT_IRQ_EDGE_RISING 1u
#define FDT_GICV2_PPI_CPU_SHIFT 8     /* GICv2 PPI flags carry a CPU mask in bits 15:8 */

/* PPIs (INTID - 16) of the virt board, as QEMU's virt.h numbers them. */
static const struct {
    const char *what;
    unsigned ppi;
} timer_ppis[] = {                    /* arm,armv8-timer order: secure, non-secure, virtual, hypervisor */
    { "secure physical timer", 13 },
    { "non-secure physical timer", 14 },
    { "virtual timer", 11 },
    { "hypervisor physical timer", 10 },
};
#define FDT_GIC_MAINTENANCE_PPI 9          /* INTID 25 */
#define FDT_PMU_PPI 7                      /* INTID 23: QEMU's VIRTUAL_PMU_IRQ */
#define UART_SPI (VIRT_UART_INTID - 32)
#define APB_PCLK_HZ VIRT_UART_CLK_HZ

/* PSCI function IDs the /psci node names (Arm DEN 0022: 64-bit where one exists). */
static const struct {
    const char *prop;
    uint32_t fn;
} psci_fns[] = {
    { "migrate", 0xc4000005 },
    { "cpu_on", 0xc4000003 },
    { "cpu_off", 0x84000002 },
    { "cpu_suspend", 0xc4000001 },
};

/* Phandles, numbered from 0x8000 as QEMU does (the SMMU's after the eight CPUs'). */
enum { PHANDLE_APB_PCLK = 0x8000, PHANDLE_GIC, PHANDLE_CPU0 };
_Static_assert(FDT_PHANDLE_SMMU == PHANDLE_CPU0 + 8, "the SMMU's phandle follows the CPUs'");

struct fdt_builder {
    void *fdt;
    int rc;                   /* first libfdt error */
    const char *where;        /* the node being built, for the message */
};

static int node(struct fdt_builder *b, int parent, const char *name)
{
    if (b->rc < 0)
        return -1;
    int n = fdt_add_subnode(b->fdt, parent, name);
    if (n < 0) {
        b->rc = n;
        b->where = name;
    }
    return n;
}

static void prop(struct fdt_builder *b, int n, const char *name, const void *val, int len)
{
    if (b->rc < 0)
        return;
    int rc = fdt_setprop(b->fdt, n, name, val, len);
    if (rc < 0) {
        b->rc = rc;
        b->where = name;
    }
}

static void prop_u32(struct fdt_builder *b, int n, const char *name, uint32_t v)
{
    fdt32_t be = cpu_to_fdt32(v);
    prop(b, n, name, &be, sizeof be);
}

static void prop_cells(struct fdt_builder *b, int n, const char *name, const uint32_t *cells, int count)
{
    fdt32_t be[32];
    for (int i = 0; i < count; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    prop(b, n, name, be, count * (int)sizeof be[0]);
}

static void prop_str(struct fdt_builder *b, int n, const char *name, const char *s)
{
    prop(b, n, name, s, (int)strlen(s) + 1);
}

/* A string list: the strings separated by NULs ("a\0b\0"); len counts the last NUL. */
static void prop_strs(struct fdt_builder *b, int n, const char *name, const char *list, int len)
{
    prop(b, n, name, list, len);
}
#define PROP_STRS(b, n, name, lit) prop_strs(b, n, name, lit, (int)sizeof(lit))

/* reg with #address-cells = #size-cells = 2: pairs of 64-bit (address, size). */
static void prop_reg64(struct fdt_builder *b, int n, const uint64_t *pairs, int count)
{
    uint32_t cells[32];
    for (int i = 0; i < 2 * count; i++) {
        cells[2 * i] = (uint32_t)(pairs[i] >> 32);
        cells[2 * i + 1] = (uint32_t)pairs[i];
    }
    prop_cells(b, n, "reg", cells, 4 * count);
}

/* linux,initrd-start/-end: one cell as QEMU writes them, two above 4 GiB. */
static void prop_addr(struct fdt_builder *b, int n, const char *name, uint64_t a)
{
    if (a >> 32) {
        uint32_t cells[2] = { (uint32_t)(a >> 32), (uint32_t)a };
        prop_cells(b, n, name, cells, 2);
    } else {
        prop_u32(b, n, name, (uint32_t)a);
    }
}

static void add_psci(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    int n = node(b, 0, "psci");
    PROP_STRS(b, n, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
    prop_str(b, n, "method", d->conduit == PSCI_CONDUIT_SMC ? "smc" : "hvc");
    for (size_t i = 0; i < sizeof psci_fns / sizeof psci_fns[0]; i++)
        prop_u32(b, n, psci_fns[i].prop, psci_fns[i].fn);
}

static void add_memory(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    char name[40];
    snprintf(name, sizeof name, "memory@%llx", (unsigned long long)d->ram_base);
    int n = node(b, 0, name);
    prop_str(b, n, "device_type", "memory");
    uint64_t reg[2] = { d->ram_base, d->ram_size };
    prop_reg64(b, n, reg, 1);
}

/* Arm cpus binding: reg is MPIDR_EL1's affinity; on QEMU's virt up to 8 PEs
 * sit in one cluster, Aff0 = the PE's index. */
static void add_cpus(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    int cpus = node(b, 0, "cpus");
    prop_u32(b, cpus, "#address-cells", 1);
    prop_u32(b, cpus, "#size-cells", 0);
    for (unsigned i = d->num_pes; i-- > 0;) {
        char name[16];
        snprintf(name, sizeof name, "cpu@%u", i);
        int n = node(b, cpus, name);
        prop_str(b, n, "device_type", "cpu");
        prop_str(b, n, "compatible", d->cpu_compatible ? d->cpu_compatible : "arm,cortex-a57");
        if (d->num_pes > 1)          /* QEMU names the enable method only for SMP */
            prop_str(b, n, "enable-method", "psci");
        prop_u32(b, n, "reg", i);
        prop_u32(b, n, "phandle", PHANDLE_CPU0 + i);
    }
    int map = node(b, cpus, "cpu-map");
    int socket = node(b, map, "socket0");
    int cluster = node(b, socket, "cluster0");
    for (unsigned i = d->num_pes; i-- > 0;) {
        char name[16];
        snprintf(name, sizeof name, "core%u", i);
        int n = node(b, cluster, name);
        prop_u32(b, n, "cpu", PHANDLE_CPU0 + i);
    }
}

static void add_timer(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    uint32_t flags = FDT_IRQ_LEVEL_HIGH;
    if (d->gic == GIC_V2)            /* GICv2 binding: PPIs name the CPUs they go to */
        flags |= ((1u << d->num_pes) - 1) << FDT_GICV2_PPI_CPU_SHIFT;
    int n = node(b, 0, "timer");
    PROP_STRS(b, n, "compatible", "arm,armv8-timer\0arm,armv7-timer");
    prop(b, n, "always-on", NULL, 0);
    uint32_t cells[3 * 4];
    for (int i = 0; i < 4; i++) {
        cells[3 * i] = FDT_IRQ_PPI;
        cells[3 * i + 1] = timer_ppis[i].ppi;
        cells[3 * i + 2] = flags;
    }
    prop_cells(b, n, "interrupts", cells, 12);
}

/* The PMU, as QEMU's virt board describes it for an AArch64 CPU (fdt_add_pmu_nodes):
 * "arm,armv8-pmuv3", its overflow interrupt on PPI 7 (INTID 23), level high. */
static void add_pmu(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    uint32_t flags = FDT_IRQ_LEVEL_HIGH;
    if (d->gic == GIC_V2)
        flags |= ((1u << d->num_pes) - 1) << FDT_GICV2_PPI_CPU_SHIFT;
    int n = node(b, 0, "pmu");
    prop_str(b, n, "compatible", "arm,armv8-pmuv3");
    uint32_t cells[3] = { FDT_IRQ_PPI, FDT_PMU_PPI, flags };
    prop_cells(b, n, "interrupts", cells, 3);
}

static void add_gic(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    char name[32];
    snprintf(name, sizeof name, "intc@%llx", (unsigned long long)VIRT_GICD_BASE);
    int n = node(b, 0, name);
    prop_u32(b, n, "phandle", PHANDLE_GIC);
    prop_u32(b, n, "#interrupt-cells", 3);
    prop(b, n, "interrupt-controller", NULL, 0);
    prop_u32(b, n, "#address-cells", 2);
    prop_u32(b, n, "#size-cells", 2);
    prop(b, n, "ranges", NULL, 0);
    if (d->gic == GIC_V3) {
        prop_str(b, n, "compatible", "arm,gic-v3");
        prop_u32(b, n, "#redistributor-regions", 1);
        /* One RD_base + SGI_base pair (2 x 64 KiB) per PE. */
        uint64_t reg[4] = { VIRT_GICD_BASE, VIRT_GICD_SIZE, VIRT_GICR_BASE, 0x20000ULL * d->num_pes };
        prop_reg64(b, n, reg, 2);
    } else {
        prop_str(b, n, "compatible", "arm,cortex-a15-gic");
        uint64_t reg[8] = { VIRT_GICD_BASE, VIRT_GICD_SIZE, VIRT_GICV2_CPU_BASE, VIRT_GICV2_FRAME,
                            VIRT_GICV2_HYP_BASE, VIRT_GICV2_FRAME, VIRT_GICV2_VCPU_BASE, VIRT_GICV2_FRAME };
        prop_reg64(b, n, reg, d->virtualization ? 4 : 2);
    }
    if (d->virtualization) {
        uint32_t maint[3] = { FDT_IRQ_PPI, FDT_GIC_MAINTENANCE_PPI, FDT_IRQ_LEVEL_HIGH };
        prop_cells(b, n, "interrupts", maint, 3);
    }
    if (d->gic == GIC_V3) {
        /* The ITS, a child of the GIC node as QEMU 7.2 makes it (arm,gic-v3-its binding):
         * its control and translation frames, one cell of DeviceID in an msi-parent. */
        snprintf(name, sizeof name, "its@%llx", (unsigned long long)VIRT_GIC_ITS_BASE);
        int its = node(b, n, name);
        prop_str(b, its, "compatible", "arm,gic-v3-its");
        prop(b, its, "msi-controller", NULL, 0);
        prop_u32(b, its, "#msi-cells", 1);
        uint64_t reg[2] = { VIRT_GIC_ITS_BASE, VIRT_GIC_ITS_SIZE };
        prop_reg64(b, its, reg, 1);
        prop_u32(b, its, "phandle", FDT_PHANDLE_ITS);
    }
}

static void add_apb_pclk(struct fdt_builder *b)
{
    int clk = node(b, 0, "apb-pclk");
    prop_str(b, clk, "compatible", "fixed-clock");
    prop_u32(b, clk, "#clock-cells", 0);
    prop_u32(b, clk, "clock-frequency", APB_PCLK_HZ);
    prop_str(b, clk, "clock-output-names", "clk24mhz");
    prop_u32(b, clk, "phandle", PHANDLE_APB_PCLK);
}

static void add_uart(struct fdt_builder *b, const char *name)
{
    int n = node(b, 0, name);
    PROP_STRS(b, n, "compatible", "arm,pl011\0arm,primecell");
    uint64_t reg[2] = { VIRT_UART_BASE, VIRT_UART_SIZE };
    prop_reg64(b, n, reg, 1);
    uint32_t irq[3] = { FDT_IRQ_SPI, UART_SPI, FDT_IRQ_LEVEL_HIGH };
    prop_cells(b, n, "interrupts", irq, 3);
    uint32_t clocks[2] = { PHANDLE_APB_PCLK, PHANDLE_APB_PCLK };
    prop_cells(b, n, "clocks", clocks, 2);
    PROP_STRS(b, n, "clock-names", "uartclk\0apb_pclk");
}

/* A device node at the top level, named and placed as QEMU names its MMIO
 * devices: "<prefix>@<base>", its compatible, then reg (one range). */
static int mmio_device_node(struct fdt_builder *b, const char *prefix, const char *compatible, uint64_t base,
                            uint64_t size)
{
    char name[48];
    snprintf(name, sizeof name, "%s@%llx", prefix, (unsigned long long)base);
    int n = node(b, 0, name);
    prop_str(b, n, "compatible", compatible);
    uint64_t reg[2] = { base, size };
    prop_reg64(b, n, reg, 1);
    return n;
}

/* The SMMUv3 as QEMU's create_smmu writes it for -M virt,iommu=smmuv3 (the
 * Linux binding iommu/arm,smmu-v3.yaml): four edge-triggered SPIs named as
 * the driver looks them up, coherent, one cell (the StreamID) per master. */
static void add_smmu(struct fdt_builder *b)
{
    int n = mmio_device_node(b, "smmuv3", "arm,smmu-v3", VIRT_SMMU_BASE, VIRT_SMMU_SIZE);
    uint32_t irq[12];
    for (unsigned i = 0; i < 4; i++) {
        irq[3 * i] = FDT_IRQ_SPI;
        irq[3 * i + 1] = VIRT_SMMU_SPI + i;
        irq[3 * i + 2] = FDT_IRQ_EDGE_RISING;
    }
    prop_cells(b, n, "interrupts", irq, 12);
    PROP_STRS(b, n, "interrupt-names", "eventq\0priq\0cmdq-sync\0gerror");
    prop(b, n, "dma-coherent", NULL, 0);
    prop_u32(b, n, "#iommu-cells", 1);
    prop_u32(b, n, "phandle", FDT_PHANDLE_SMMU);
}

/* The 32 virtio-mmio transports as QEMU's create_virtio_devices writes them
 * (added from the last, so that they are listed lowest address first), each
 * with its StreamID (its index) behind the SMMU. */
static void add_virtio_mmio(struct fdt_builder *b, const struct fdt_machine_desc *d)
{
    for (unsigned i = VIRT_MMIO_COUNT; i-- > 0;) {
        int n = mmio_device_node(b, "virtio_mmio", "virtio,mmio", VIRT_MMIO_BASE + i * VIRT_MMIO_STRIDE,
                                 VIRT_MMIO_STRIDE);
        uint32_t irq[3] = { FDT_IRQ_SPI, VIRT_MMIO_SPI + i, FDT_IRQ_EDGE_RISING };
        prop_cells(b, n, "interrupts", irq, 3);
        prop(b, n, "dma-coherent", NULL, 0);
        if (d->smmu) {
            uint32_t iommus[2] = { FDT_PHANDLE_SMMU, i };
            prop_cells(b, n, "iommus", iommus, 2);
        }
    }
}

/* avsim's DMA test device (sim/dmatest.h), in QEMU's platform-bus area. Its
 * transactions carry the StreamID the guest writes into its register, so the
 * node names no iommus: a guest that uses it programs the SMMU itself. */
static void add_dma_test(struct fdt_builder *b)
{
    int n = mmio_device_node(b, "dma-test", "avsim,dma-test", VIRT_DMATEST_BASE, VIRT_DMATEST_SIZE);
    uint32_t irq[3] = { FDT_IRQ_SPI, VIRT_DMATEST_SPI, FDT_IRQ_LEVEL_HIGH };
    prop_cells(b, n, "interrupts", irq, 3);
    prop(b, n, "dma-coherent", NULL, 0);
}

/* /chosen: bootargs and the initrd range (Linux's Documentation/arch/arm64/booting.rst). */
static void set_chosen(struct fdt_builder *b, int chosen, const char *bootargs, bool have_initrd,
                       uint64_t initrd_start, uint64_t initrd_end)
{
    if (bootargs && *bootargs)
        prop_str(b, chosen, "bootargs", bootargs);
    if (have_initrd) {
        prop_addr(b, chosen, "linux,initrd-start", initrd_start);
        prop_addr(b, chosen, "linux,initrd-end", initrd_end);
    }
}

static int finish(struct fdt_builder *b, void **blob, size_t *size, char *err, size_t errlen)
{
    if (b->rc >= 0)
        b->rc = fdt_pack(b->fdt);
    if (b->rc < 0) {
        snprintf(err, errlen, "building the device tree (%s): %s", b->where ? b->where : "packing",
                 fdt_strerror(b->rc));
        free(b->fdt);
        return -1;
    }
    *size = fdt_totalsize(b->fdt);
    *blob = b->fdt;
    return 0;
}

int fdt_build(const struct fdt_machine_desc *d, void **blob, size_t *size, char *err, size_t errlen)
{
    if (d->num_pes < 1 || d->num_pes > 8) {
        snprintf(err, errlen, "the device tree describes 1 to 8 PEs, not %u", d->num_pes);
        return -1;
    }
    struct fdt_builder b = { .fdt = calloc(1, FDT_BUILD_SPACE) };
    if (!b.fdt) {
        snprintf(err, errlen, "out of memory for the device tree");
        return -1;
    }
    b.rc = fdt_create_empty_tree(b.fdt, FDT_BUILD_SPACE);
    prop_str(&b, 0, "compatible", "linux,dummy-virt");
    prop_str(&b, 0, "model", "linux,dummy-virt");
    prop_u32(&b, 0, "#address-cells", 2);
    prop_u32(&b, 0, "#size-cells", 2);
    prop_u32(&b, 0, "interrupt-parent", PHANDLE_GIC);
    /* libfdt puts a new node before its siblings: added last, listed first
     * (the order QEMU's tree shows: psci, memory, [the platform bus],
     * virtio_mmio@a000000 .. @a003e00, [smmuv3], pl011, pmu, intc, cpus,
     * timer, apb-pclk, chosen). */
    char uart[40], stdout_path[48];
    snprintf(uart, sizeof uart, "pl011@%llx", (unsigned long long)VIRT_UART_BASE);
    snprintf(stdout_path, sizeof stdout_path, "/%s", uart);
    int chosen = node(&b, 0, "chosen");
    prop_str(&b, chosen, "stdout-path", stdout_path);
    set_chosen(&b, chosen, d->bootargs, d->have_initrd, d->initrd_start, d->initrd_end);
    add_apb_pclk(&b);
    add_timer(&b, d);
    add_cpus(&b, d);
    add_gic(&b, d);
    add_pmu(&b, d);
    add_uart(&b, uart);
    if (d->smmu)
        add_smmu(&b);
    add_virtio_mmio(&b, d);
    if (d->dma_test)
        add_dma_test(&b);
    add_memory(&b, d);
    add_psci(&b, d);
    return finish(&b, blob, size, err, errlen);
}

int fdt_validate(const void *data, size_t size, char *err, size_t errlen)
{
    if (size < sizeof(struct fdt_header)) {
        snprintf(err, errlen, "too short for a device tree header (%zu bytes)", size);
        return -1;
    }
    int rc = fdt_check_header(data);
    /* Versions before 16 name nodes by full path; libfdt 1.6.1 (Debian 12)
     * fdt_check_full dereferences NULL on some of them (tests/fuzz/fuzz_dtb).
     * dtc writes version 17: the older layouts are refused, not handed to libfdt. */
    if (rc == 0 && fdt_version(data) < 16) {
        snprintf(err, errlen, "device tree version %u is too old (avsim reads version 16 and later)",
                 (unsigned)fdt_version(data));
        return -1;
    }
    if (rc == 0 && fdt_totalsize(data) > size)
        rc = -FDT_ERR_TRUNCATED;
    /* libfdt 1.6.1's fdt_next_tag adds a property's length to the offset
     * without an overflow check (upstream dtc 7359034, "libfdt: prevent integer
     * overflow in fdt_next_tag", came after it): a length such as 0xfffffff4
     * brings the offset back to the same tag, and fdt_check_full loops for ever
     * (tests/fuzz/fuzz_dtb, corpus regress-prop-length-wrap). Every tag must
     * move forward before libfdt walks the tree. */
    for (int off = 0, next = 0; rc == 0; off = next) {
        uint32_t tag = fdt_next_tag(data, off, &next);
        if (next < 0 || tag == FDT_END)
            break;                                /* fdt_check_full says what is wrong, if anything */
        if (next <= off)
            rc = -FDT_ERR_BADSTRUCTURE;
    }
    if (rc == 0)
        rc = fdt_check_full(data, size);
    if (rc != 0) {
        snprintf(err, errlen, "not a valid flattened device tree (%s)", fdt_strerror(rc));
        return -1;
    }
    return 0;
}

int fdt_apply_chosen(void **blob, size_t *size, const char *bootargs, bool have_initrd,
                     uint64_t initrd_start, uint64_t initrd_end, char *err, size_t errlen)
{
    size_t space = *size + (bootargs ? strlen(bootargs) : 0) + 1024;
    struct fdt_builder b = { .fdt = calloc(1, space) };
    if (!b.fdt) {
        snprintf(err, errlen, "out of memory for the device tree");
        return -1;
    }
    b.rc = fdt_open_into(*blob, b.fdt, (int)space);
    int chosen = b.rc < 0 ? -1 : fdt_path_offset(b.fdt, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = node(&b, 0, "chosen");
    else if (chosen < 0 && b.rc >= 0)
        b.rc = chosen;
    set_chosen(&b, chosen, bootargs, have_initrd, initrd_start, initrd_end);
    void *old = *blob;
    if (finish(&b, blob, size, err, errlen) != 0)
        return -1;
    free(old);
    return 0;
}

int fdt_set_total_size(void **blob, size_t *size, size_t total, char *err, size_t errlen)
{
    /* Zeroed: the free space is copied into guest memory, and Linux feeds the
     * whole blob to its entropy pool (a run must not depend on heap garbage). */
    void *out = total <= INT32_MAX ? calloc(1, total) : NULL;
    if (!out) {
        snprintf(err, errlen, "out of memory for the device tree");
        return -1;
    }
    int rc = fdt_open_into(*blob, out, (int)total);
    if (rc < 0) {
        snprintf(err, errlen, "resizing the device tree to %zu bytes: %s", total, fdt_strerror(rc));
        free(out);
        return -1;
    }
    free(*blob);
    *blob = out;
    *size = total;
    return 0;
}
