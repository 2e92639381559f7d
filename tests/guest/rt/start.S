/* Guest runtime entry: normally EL2h with the MMU off (QEMU -kernel / avsim run);
 * also works when started at EL1 (VBAR_EL1 is set instead). */
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =__stack_el2_top
    mov     sp, x0
    mrs     x1, CurrentEL
    cmp     x1, #8
    b.ne    1f
    adr     x0, rt_vectors_el2
    msr     vbar_el2, x0
    b       0f
1:  adr     x0, rt_vectors_el1
    msr     vbar_el1, x0
0:  isb
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
4:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       4b
2:  bl      main
    bl      rt_exit
3:  b       3b
