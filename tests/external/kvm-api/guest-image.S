/* The KVM API example's guest image (guest.c and guest-start.S, linked at GUEST_RAM_BASE and
 * turned into raw bytes with objcopy -O binary), embedded in the program, which copies it into
 * the guest's RAM. The build puts kvm-api-guest.bin where the assembler looks (-Wa,-I). */
    .section .rodata
    .balign 16
    .global guest_image, guest_image_end
guest_image:
    .incbin "kvm-api-guest.bin"
guest_image_end:
    .section .note.GNU-stack, "", %progbits
