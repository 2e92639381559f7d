/* The guest's machine, shared by the KVM API example's host program (kvm-api.c) and its guest
 * (guest.c, guest-start.S). The layout follows QEMU's virt board, which is also what avsim and
 * Linux's own KVM users (kvmtool, QEMU) give an arm64 guest:
 *
 *   guest physical address
 *   0x0800_0000  +----------------------------+
 *                | GICv3 distributor  (64 KiB) |  in-kernel vGIC: KVM emulates it, the
 *   0x0808_0000  +----------------------------+  program never sees these accesses
 *                | GICv3 ITS (2 x 64 KiB:      |  in-kernel too (KVM_DEV_TYPE_ARM_VGIC_ITS);
 *                |  control, translation)      |  GITS_TRANSLATER at +0x10040 is the address
 *   0x080A_0000  +----------------------------+  of the program's KVM_SIGNAL_MSI
 *                | redistributor of vCPU 0     |  2 x 64 KiB each (RD_base, SGI_base),
 *   0x080C_0000  | redistributor of vCPU 1     |  one per vCPU, consecutive
 *                +----------------------------+
 *   0x0900_0000  +----------------------------+
 *                | UART (a PL011 subset, 4 KiB)|  no memory here: every access leaves KVM_RUN
 *   0x0900_1000  +----------------------------+  as KVM_EXIT_MMIO and the program emulates it
 *   0x0901_0000  +----------------------------+
 *                | MSI request (4 KiB)         |  the program's own device, MMIO exits too: a
 *   0x0901_1000  +----------------------------+  write asks it for an MSI (KVM_SIGNAL_MSI)
 *   0x4000_0000  +----------------------------+
 *                | RAM (2 MiB, memslot 0)      |  the guest image at its start (vCPU 0 starts
 *                |   image                     |  here), anonymous host memory behind it
 *   0x4010_0000  |   the ITS and LPI tables    |  the guest's, read and written by KVM's ITS
 *                |   (see GUEST_LPI_PROP...)   |
 *                |   the stacks                |
 *   0x4020_0000  +----------------------------+
 *
 * Works in C (both sides) and in assembly (guest-start.S): plain numbers only. */
#ifndef KVM_API_LAYOUT_H
#define KVM_API_LAYOUT_H

#define GUEST_GICD_BASE 0x08000000
#define GUEST_GICR_BASE 0x080A0000
#define GUEST_GICR_STRIDE 0x20000 /* KVM_VGIC_V3_REDIST_SIZE: RD_base + SGI_base */
#define GUEST_ITS_BASE 0x08080000
#define GUEST_ITS_TRANSLATER (GUEST_ITS_BASE + 0x10040) /* GITS_TRANSLATER: the MSI address */
#define GUEST_UART_BASE 0x09000000
#define GUEST_UART_SIZE 0x1000
#define GUEST_MSIREQ_BASE 0x09010000
#define GUEST_MSIREQ_SIZE 0x1000
#define GUEST_RAM_BASE 0x40000000
#define GUEST_RAM_SIZE 0x200000
#define GUEST_STACK_SIZE 0x4000 /* per vCPU, at the top of RAM: vCPU n's ends n stacks lower */
#define GUEST_MAX_VCPUS 2

/* The UART registers the program emulates (PL011 names and offsets, ARM DDI 0183): */
#define UART_DR 0x000       /* write: one character out */
#define UART_FR 0x018       /* read: flags; the program answers TXFE | RXFE (nothing waits) */
#define UART_FR_RXFE 0x10   /* receive FIFO empty */
#define UART_FR_TXFE 0x80   /* transmit FIFO empty */

/* Where the program sets its hardware breakpoint (KVM_SET_GUEST_DEBUG): debug_target in
 * guest-start.S, placed there by guest.ld (which checks it), and its length in bytes. */
#define GUEST_DEBUG_TARGET 0x40000100
#define GUEST_DEBUG_TARGET_SIZE 0x14

/* The MSI request register (the program's device at GUEST_MSIREQ_BASE, offset 0): a 64-bit
 * write of DeviceID << 32 | EventID asks the program to send that MSI through the ITS
 * (KVM_SIGNAL_MSI, address GUEST_ITS_TRANSLATER, data EventID, devid DeviceID). */
#define MSIREQ_DEVID_SHIFT 32

/* The guest's LPI and ITS tables in its RAM (vCPU 0's; KVM's ITS reads and writes them):
 *   LPI configuration table   GICR_PROPBASER, one byte per LPI (INTIDs 8192..16383: 14 bits)
 *   LPI pending table         GICR_PENDBASER, one bit per INTID, 64 KiB aligned
 *   device table              GITS_BASER0, one 64 KiB page (KVM's ITS uses 64 KiB pages)
 *   collection table          GITS_BASER1, one 64 KiB page
 *   command queue             GITS_CBASER, one 4 KiB page (128 commands)
 *   interrupt translation     the ITT of the one device, 256-byte aligned */
#define GUEST_LPI_IDBITS 14
#define GUEST_LPI_PROP 0x40100000
#define GUEST_LPI_PEND 0x40110000
#define GUEST_ITS_DEVT 0x40120000
#define GUEST_ITS_COLT 0x40130000
#define GUEST_ITS_CMDQ 0x40140000
#define GUEST_ITS_ITT 0x40141000
#define GUEST_TABLES_END 0x40142000

/* vCPU 1's CPU_ON context id: the guest passes it, KVM hands it to vCPU 1 in x0. */
#define GUEST_CONTEXT_ID 0x5ec0

#endif
