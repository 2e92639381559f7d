/* The KVM API example's guest: entry points and exception vectors (the C part is guest.c).
 *
 * KVM resets a vCPU (KVM_ARM_VCPU_INIT, or PSCI CPU_ON for a powered-off one) to AArch64 EL1h
 * with DAIF masked, the MMU and caches off, and the general registers zero except those the
 * program or CPU_ON sets:
 *   vCPU 0 starts at _start (the program sets PC with KVM_SET_ONE_REG), x0 = number of vCPUs;
 *   vCPU 1 starts at secondary_entry (vCPU 0's CPU_ON names it), x0 = the CPU_ON context id.
 * Each sets SP to its own stack at the top of RAM (chosen by MPIDR_EL1.Aff0, which KVM makes
 * the vCPU index), VBAR_EL1 to the vector table below, and calls C with x0 unchanged.
 */
#include "layout.h"

    .section .text.boot, "ax"
    .global _start
_start:
    bl      stack_and_vectors
    bl      guest_main              /* guest_main(nr_vcpus): does not return */
1:  b       1b

    .global secondary_entry
secondary_entry:
    bl      stack_and_vectors
    bl      secondary_main          /* secondary_main(context_id): does not return */
1:  b       1b

/* SP = RAM top - Aff0 * GUEST_STACK_SIZE; VBAR_EL1 = vectors. Keeps x0. */
stack_and_vectors:
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff
    mov     x2, #GUEST_STACK_SIZE
    ldr     x3, =GUEST_RAM_BASE + GUEST_RAM_SIZE
    msub    x3, x1, x2, x3
    mov     sp, x3
    adr     x1, vectors
    msr     vbar_el1, x1
    isb
    ret

/* The vector table (Arm ARM D1.10.2 "Exception vectors": 16 entries of 128 bytes, 2 KiB
 * aligned). The guest runs at EL1 on SP_EL1, so its IRQs come through "current EL with SPx,
 * IRQ" (entry 5, offset 0x280); every other entry is a mistake, reported by
 * unexpected_exception(entry, ESR_EL1, ELR_EL1, FAR_EL1). */
    .balign 2048
vectors:
    .irp entry, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 128
    .if \entry == 5
    b       irq_entry
    .else
    mov     x0, #\entry
    b       bad_entry
    .endif
    .endr

/* IRQ: save the registers a C function may change (AAPCS64: x0-x18, x29, x30), call
 * irq_handler(), restore, return to the interrupted code. IRQs stay masked meanwhile (PSTATE.I
 * is set on exception entry), so ELR_EL1 and SPSR_EL1 cannot be overwritten by a nested one. */
irq_entry:
    sub     sp, sp, #176
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    str     x30, [sp, #160]
    bl      irq_handler
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x29, [sp, #144]
    ldr     x30, [sp, #160]
    add     sp, sp, #176
    eret

bad_entry:
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    bl      unexpected_exception    /* does not return */
1:  b       1b
