/* Exception vector tables for EL2 and EL1. Each entry saves x0-x30, ELR and SPSR
 * into a struct rt_frame on the current stack, calls
 *   rt_dispatch(struct rt_frame *f, int el, int vector)
 * restores the (possibly modified) frame and returns with ERET.
 * vector: 0-3 current EL SP0, 4-7 current EL SPx, 8-11 lower EL AArch64,
 * 12-15 lower EL AArch32; within each group 0 sync, 1 IRQ, 2 FIQ, 3 SError. */
    .macro SAVE_AND_CALL el, vec, elr, spsr
    sub     sp, sp, #272
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x0, \elr
    mrs     x1, \spsr
    stp     x30, x0, [sp, #240]
    str     x1, [sp, #256]
    mov     x0, sp
    mov     x1, #\el
    mov     x2, #\vec
    bl      rt_dispatch
    b       rt_restore_\el
    .endm

    .macro VECTOR_TABLE el, elr, spsr
    .balign 2048
    .global rt_vectors_el\el
rt_vectors_el\el:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    SAVE_AND_CALL \el, \vec, \elr, \spsr
    .endr

rt_restore_\el:
    ldp     x30, x0, [sp, #240]
    ldr     x1, [sp, #256]
    msr     \elr, x0
    msr     \spsr, x1
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #272
    eret
    .endm

    .text
    VECTOR_TABLE 2, elr_el2, spsr_el2
    VECTOR_TABLE 1, elr_el1, spsr_el1

/* rt_drop(target_pc, sp, spsr, arg): enter a lower EL via ERET from EL2 or EL1. */
    .global rt_eret_to
rt_eret_to:
    mrs     x4, CurrentEL
    cmp     x4, #8
    b.ne    1f
    msr     elr_el2, x0
    msr     spsr_el2, x2
    b       2f
1:  msr     elr_el1, x0
    msr     spsr_el1, x2
2:  and     x5, x2, #0xf
    cmp     x5, #0
    b.ne    3f
    msr     sp_el0, x1
    b       4f
3:  msr     sp_el1, x1
4:  mov     x0, x3
    eret

/* uint64_t rt_call_lower(fn, sp, spsr, arg): run fn(arg) at the EL/SP selected
 * by spsr (via ERET) and come back here when fn returns. fn returns through
 * rt_lower_tramp_svc / rt_lower_tramp_hvc (SVC or HVC #0xffff), which
 * rt_dispatch turns into rt_lower_return(x0). Callee-saved registers and SP
 * are kept in a context on the caller's stack; calls may nest across ELs. */
    .global rt_call_lower
rt_call_lower:
    stp     x29, x30, [sp, #-112]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x4, CurrentEL
    lsr     x4, x4, #2
    adrp    x5, rt_lower_ctx
    add     x5, x5, :lo12:rt_lower_ctx
    ldr     x6, [x5, x4, lsl #3]
    str     x6, [sp, #96]
    mov     x6, sp
    str     x6, [x5, x4, lsl #3]
    cmp     x4, #2
    b.ne    1f
    msr     elr_el2, x0
    msr     spsr_el2, x2
    b       2f
1:  msr     elr_el1, x0
    msr     spsr_el1, x2
2:  /* target SP: SP_EL0 for the "t" modes, otherwise SP_EL1 (only from EL2) */
    tst     x2, #1
    b.ne    3f
    msr     sp_el0, x1
    b       4f
3:  msr     sp_el1, x1
4:  /* return path: HVC from EL1 to EL2, SVC otherwise */
    ubfx    x6, x2, #2, #2
    adr     x30, rt_lower_tramp_svc
    cmp     x6, #1
    b.ne    5f
    cmp     x4, #2
    b.ne    5f
    adr     x30, rt_lower_tramp_hvc
5:  mov     x0, x3
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    mov     x6, xzr
    isb
    eret

    .global rt_lower_tramp_svc, rt_lower_tramp_hvc
rt_lower_tramp_svc:
    svc     #0xffff
    b       rt_lower_tramp_svc
rt_lower_tramp_hvc:
    hvc     #0xffff
    b       rt_lower_tramp_hvc

/* rt_lower_return(value): unwind to the innermost rt_call_lower of this EL. */
    .global rt_lower_return
rt_lower_return:
    mrs     x4, CurrentEL
    lsr     x4, x4, #2
    adrp    x5, rt_lower_ctx
    add     x5, x5, :lo12:rt_lower_ctx
    ldr     x6, [x5, x4, lsl #3]
    mov     sp, x6
    ldr     x7, [sp, #96]
    str     x7, [x5, x4, lsl #3]
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #112
    ret

    .bss
    .balign 8
    .global rt_lower_ctx
rt_lower_ctx:
    .skip   32
