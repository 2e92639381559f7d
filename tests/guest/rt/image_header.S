/* The arm64 Linux Image header (Linux's Documentation/arch/arm64/booting.rst),
 * for guest programs built as an Image (avsim_guest_linux_image in
 * cmake/guest.cmake): 64 bytes at the start of the binary, which rt/link.ld
 * puts at 0x40080000 = RAM + text_offset, where QEMU and avsim load an Image
 * whose text_offset is 0x80000. The boot protocol's x0-x3 are saved in
 * rt_boot_regs before the runtime's _start uses the registers. */
    .section .text.head, "ax"
    .global _image_head
_image_head:
    b       image_entry             /* code0 */
    .long   0                       /* code1 */
    .quad   0x80000                 /* text_offset */
    .quad   __image_size            /* image_size: from here to the end of the stacks (rt/link.ld) */
    .quad   0xa                     /* flags: little-endian, 4K pages, anywhere in RAM (bit 3) */
    .quad   0, 0, 0                 /* res2, res3, res4 */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* res5: no PE/COFF header */
image_entry:
    ldr     x4, =rt_boot_regs
    stp     x0, x1, [x4]
    stp     x2, x3, [x4, #16]
    b       _start

    .section .data
    .balign 8
    .global rt_boot_regs
rt_boot_regs:
    .quad   0, 0, 0, 0
