/* The guest's machine, shared by the KVM API example's host program (kvm-api.c) and its guest
 * (guest.c, guest-start.S). The layout follows QEMU's virt board, which is also what avsim and
 * Linux's own KVM users (kvmtool, QEMU) give an arm64 guest:
 *
 *   guest physical address
 *   0x0800_0000  +----------------------------+
 *                | GICv3 distributor  (64 KiB) |  in-kernel vGIC: KVM emulates it, the
 *   0x080A_0000  +----------------------------+  program never sees these accesses
 *                | redistributor of vCPU 0     |  2 x 64 KiB each (RD_base, SGI_base),
 *   0x080C_0000  | redistributor of vCPU 1     |  one per vCPU, consecutive
 *                +----------------------------+
 *   0x0900_0000  +----------------------------+
 *                | UART (a PL011 subset, 4 KiB)|  no memory here: every access leaves KVM_RUN
 *   0x0900_1000  +----------------------------+  as KVM_EXIT_MMIO and the program emulates it
 *   0x4000_0000  +----------------------------+
 *                | RAM (2 MiB, memslot 0)      |  the guest image at its start (vCPU 0 starts
 *                |   image, then the stacks    |  here), anonymous host memory behind it
 *   0x4020_0000  +----------------------------+
 *
 * Works in C (both sides) and in assembly (guest-start.S): plain numbers only. */
#ifndef KVM_API_LAYOUT_H
#define KVM_API_LAYOUT_H

#define GUEST_GICD_BASE 0x08000000
#define GUEST_GICR_BASE 0x080A0000
#define GUEST_GICR_STRIDE 0x20000 /* KVM_VGIC_V3_REDIST_SIZE: RD_base + SGI_base */
#define GUEST_UART_BASE 0x09000000
#define GUEST_UART_SIZE 0x1000
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

/* vCPU 1's CPU_ON context id: the guest passes it, KVM hands it to vCPU 1 in x0. */
#define GUEST_CONTEXT_ID 0x5ec0

#endif
