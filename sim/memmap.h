/* The avsim machine's physical memory map, shaped like QEMU's
 * `-M virt,virtualization=on,gic-version=3`:
 *
 *   0x0000_0000 +-------------------------+
 *               | flash (not modelled:    |  unassigned, accesses abort
 *               |   unassigned)           |
 *   0x0800_0000 | GICv3 distributor       |  modelled (gic/)
 *   0x0808_0000 | GICv3 ITS               |  modelled (gic/gicv3_its.c): control + translation frames
 *   0x080a_0000 | GICv3 redistributors    |  modelled, 128 KiB per PE (up to 0x0900_0000)
 *               | (--gic=v2: GICC 0x0801_0000, GICH 0x0803_0000, GICV 0x0804_0000)
 *   0x0900_0000 | PL011 UART              |  modelled (TX to stdout, RX from stdin)
 *   0x0901_0000 | PL031 RTC               |  reserved
 *   0x0902_0000 | fw_cfg                  |  reserved
 *   0x0903_0000 | PL061 GPIO              |  reserved
 *   0x0905_0000 | SMMUv3 (VIRT_SMMU)      |  modelled (smmu/), 128 KiB; --smmu=off: unassigned
 *   0x0a00_0000 | 32 virtio-mmio          |  modelled (sim/virtio_mmio.c), 0x200 bytes each;
 *               |   transports            |    empty ones read DeviceID 0
 *   0x0c00_0000 | DMA test device         |  --dma-test-device only (QEMU's platform-bus area)
 *   0x4000_0000 +-------------------------+
 *               | RAM (--ram, default 1G) |
 *               +-------------------------+
 * Everything else is unassigned: an access takes a synchronous external abort.
 */
#ifndef AVSIM_SIM_MEMMAP_H
#define AVSIM_SIM_MEMMAP_H

#define VIRT_GICD_BASE    0x08000000ULL
#define VIRT_GICD_SIZE    0x00010000ULL
#define VIRT_GIC_ITS_BASE (VIRT_GICD_BASE + 0x80000ULL)
#define VIRT_GIC_ITS_SIZE 0x00020000ULL
#define VIRT_GICR_BASE    (VIRT_GIC_ITS_BASE + VIRT_GIC_ITS_SIZE)
#define VIRT_GICR_SIZE    (0x09000000ULL - VIRT_GICR_BASE)
/* With --gic=v2 (QEMU's gic-version=2): the CPU interface, hypervisor and
 * virtual CPU interface frames replace the ITS and redistributors. */
#define VIRT_GICV2_CPU_BASE  0x08010000ULL
#define VIRT_GICV2_HYP_BASE  0x08030000ULL
#define VIRT_GICV2_VCPU_BASE 0x08040000ULL
#define VIRT_GICV2_FRAME     0x00010000ULL
#define VIRT_UART_BASE    0x09000000ULL
#define VIRT_UART_SIZE    0x00001000ULL
#define VIRT_RTC_BASE     (VIRT_UART_BASE + 0x10000ULL)
#define VIRT_FWCFG_BASE   (VIRT_RTC_BASE + 0x10000ULL)
#define VIRT_GPIO_BASE    (VIRT_FWCFG_BASE + 0x10000ULL)
#define VIRT_DEV_PAGE     0x00001000ULL
#define VIRT_SMMU_BASE    0x09050000ULL
#define VIRT_SMMU_SIZE    0x00020000ULL
#define VIRT_MMIO_BASE    0x0a000000ULL
#define VIRT_MMIO_SIZE    0x00004000ULL
#define VIRT_MMIO_COUNT   32                 /* QEMU's NUM_VIRTIO_TRANSPORTS */
#define VIRT_MMIO_STRIDE  0x00000200ULL
#define VIRT_DMATEST_BASE 0x0c000000ULL      /* QEMU's VIRT_PLATFORM_BUS, unused on avsim's board */
#define VIRT_DMATEST_SIZE 0x00001000ULL
#define VIRT_DMATEST_SID  32                 /* its StreamID after reset (its SID register), after the transports' */
#define VIRT_RAM_BASE     0x40000000ULL

/* Interrupts (INTIDs) of the virt board's devices. */
#define VIRT_UART_INTID   33          /* SPI 1 */
#define VIRT_UART_CLK_HZ  24000000u   /* UARTCLK: the device tree's apb-pclk fixed clock */
/* The SMMU's four wired interrupts, edge-triggered, in SMMU_IRQ_* order
 * (eventq, priq, cmdq-sync, gerror): SPIs 74-77 (QEMU's irqmap[VIRT_SMMU]). */
#define VIRT_SMMU_SPI     74
/* Transport i's interrupt: SPI 16 + i (QEMU's irqmap[VIRT_MMIO]), edge-triggered in the tree. */
#define VIRT_MMIO_SPI     16
/* The DMA test device: SPI 112 (the first of QEMU's platform-bus SPIs). */
#define VIRT_DMATEST_SPI  112

/* The system counter: 62.5 MHz, as QEMU's virt board (CNTFRQ_EL0). */
#define VIRT_COUNTER_HZ   62500000ULL
#define VIRT_RAM_DEFAULT  (1ULL << 30)
#define VIRT_RAM_MAX      (255ULL << 30)   /* RAM must stay below the 40-bit PA limit */

#endif
