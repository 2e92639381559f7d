/* The KVM API example's guest: its entry points (the C part is guest.c).
 *
 * KVM resets a vCPU (KVM_ARM_VCPU_INIT, or PSCI CPU_ON for a powered-off one) to AArch64 EL1h
 * with DAIF masked, the MMU and caches off, and the general registers zero except those the
 * program or CPU_ON sets:
 *   vCPU 0 starts at _start (the program sets PC with KVM_SET_ONE_REG), x0 = number of vCPUs;
 *   vCPU 1 starts at secondary_entry (vCPU 0's CPU_ON names it), x0 = the CPU_ON context id.
 * Each sets SP to its own stack at the top of RAM (chosen by MPIDR_EL1.Aff0, which KVM makes
 * the vCPU index) and VBAR_EL1, and calls C with x0 unchanged.
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

/* SP = RAM top - Aff0 * GUEST_STACK_SIZE; VBAR_EL1 = the guest runtime's EL1 vector table
 * (tests/guest/rt/vectors.S: each entry saves the registers, calls el1_handler() in guest.c
 * with the vector number, restores them and returns with ERET). Keeps x0. */
stack_and_vectors:
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff
    mov     x2, #GUEST_STACK_SIZE
    ldr     x3, =GUEST_RAM_BASE + GUEST_RAM_SIZE
    msub    x3, x1, x2, x3
    mov     sp, x3
    ldr     x1, =rt_vectors_el1
    msr     vbar_el1, x1
    isb
    ret

/* uint64_t debug_target(uint64_t n): returns (n + 2) << 3. The program stops vCPU 0 here with
 * a hardware breakpoint and single-steps it (KVM_SET_GUEST_DEBUG, kvm-api.c step 6); the
 * branch skips an UDF, so a step that went wrong shows as an Undefined Instruction. At
 * GUEST_DEBUG_TARGET (guest.ld), GUEST_DEBUG_TARGET_SIZE bytes long. */
    .section .text.debug, "ax"
    .global debug_target
debug_target:
    add     x0, x0, #2
    b       1f
    udf     #0
1:  lsl     x0, x0, #3
    ret
