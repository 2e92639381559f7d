/* The device tree avsim hands to a booting kernel: the machine described in
 * the shape of QEMU's `-M virt,virtualization=on,iommu=smmuv3` (or plain
 * `-M virt` when the guest starts at EL1; no iommu with --smmu=off), limited to
 * what avsim models (no flash, RTC, fw_cfg, GPIO, PCIe or ITS nodes). Built
 * with libfdt. */
#ifndef AVSIM_SIM_FDT_H
#define AVSIM_SIM_FDT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gic/gic.h"

/* How PSCI is reached (the /psci node's "method"). */
enum psci_conduit {
    PSCI_CONDUIT_SMC,          /* the guest starts at EL2: firmware behind SMC */
    PSCI_CONDUIT_HVC,          /* the guest starts at EL1 with no EL2: "firmware" behind HVC */
};

struct fdt_machine_desc {
    const char *cpu_compatible;   /* NULL: "arm,cortex-a57" */
    uint64_t ram_base, ram_size;
    unsigned num_pes;          /* 1..8: cpu@0..cpu@N-1, MPIDR Aff0 = index */
    enum gic_version gic;      /* frames from sim/memmap.h */
    enum psci_conduit conduit;
    bool virtualization;       /* EL2 present: GICv2 GICH/GICV frames, the maintenance interrupt */
    const char *bootargs;      /* NULL or "": no /chosen/bootargs */
    bool have_initrd;
    uint64_t initrd_start, initrd_end;
    /* I/O (issue 16): the 32 virtio-mmio transports are always described. */
    bool smmu;                 /* an smmuv3@9050000 node; the transports' iommus name it */
    bool dma_test;             /* a node for avsim's DMA test device */
};

/* The SMMU node's phandle (the transports' iommus = <FDT_PHANDLE_SMMU SID>). */
#define FDT_PHANDLE_SMMU 0x800a
/* The GICv3 ITS node's (msi-parent = <FDT_PHANDLE_ITS DeviceID> of an MSI-capable device). */
#define FDT_PHANDLE_ITS 0x800b

/* Builds the tree. On success *blob (malloc'd, the caller frees it) holds a
 * packed FDT of *size bytes and 0 is returned; -1 with a message otherwise. */
int fdt_build(const struct fdt_machine_desc *d, void **blob, size_t *size, char *err, size_t errlen);

/* Checks that data[0..size) is a well-formed FDT (header, sizes, structure). */
int fdt_validate(const void *data, size_t size, char *err, size_t errlen);

/* A user-supplied tree (--dtb): sets /chosen bootargs and the initrd range as
 * QEMU's arm_load_dtb does (creating /chosen if missing). *blob is replaced by
 * a packed copy (malloc'd). Returns 0, or -1 with a message. */
int fdt_apply_chosen(void **blob, size_t *size, const char *bootargs, bool have_initrd,
                     uint64_t initrd_start, uint64_t initrd_end, char *err, size_t errlen);

/* Gives the tree a total size of `total` bytes (free space at its end, for
 * a kernel or bootloader to grow it in place); *blob is replaced. */
int fdt_set_total_size(void **blob, size_t *size, size_t total, char *err, size_t errlen);

#endif
