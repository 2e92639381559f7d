# Building freestanding AArch64 guest images with the cross compiler.
#   avsim_guest_image(NAME <name> SOURCES <files...> [DIR <output dir>]
#                     [DEPENDS <extra files, e.g. headers>] [NO_RUNTIME])
# produces <dir>/<name>.elf linked with the guest runtime in tests/guest/rt (NO_RUNTIME: without
# it, for images with their own start-up code and vectors; give a LINKER_SCRIPT then).
find_program(AVSIM_GUEST_CC aarch64-linux-gnu-gcc)
find_program(AVSIM_GUEST_OBJCOPY aarch64-linux-gnu-objcopy)
if(NOT AVSIM_GUEST_CC)
  message(WARNING "aarch64-linux-gnu-gcc not found: guest tests, examples and benchmarks are not built")
endif()
# With a C library for it (Debian: libc6-dev-arm64-cross), static AArch64 Linux programs can be
# built too (the KVM API example, tests/external/kvm-api): AVSIM_GUEST_HAS_LIBC.
set(AVSIM_GUEST_HAS_LIBC OFF)
if(AVSIM_GUEST_CC)
  execute_process(COMMAND ${AVSIM_GUEST_CC} -print-file-name=libc.a
                  OUTPUT_VARIABLE guest_libc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(IS_ABSOLUTE "${guest_libc}" AND EXISTS "${guest_libc}")
    set(AVSIM_GUEST_HAS_LIBC ON)
  endif()
endif()

set(AVSIM_GUEST_RT_DIR ${CMAKE_SOURCE_DIR}/tests/guest/rt)
set(AVSIM_GUEST_RT_SOURCES ${AVSIM_GUEST_RT_DIR}/start.S ${AVSIM_GUEST_RT_DIR}/vectors.S ${AVSIM_GUEST_RT_DIR}/rt.c)
set(AVSIM_GUEST_CFLAGS -O2 -g -ffreestanding -fno-builtin -nostdlib -nostartfiles -static
    -mgeneral-regs-only -fno-pie -no-pie -Wall -Wextra -Wl,--no-warn-rwx-segments
    -I${CMAKE_SOURCE_DIR}/tests/guest)

function(avsim_guest_image)
  cmake_parse_arguments(G "NO_RUNTIME" "NAME;DIR;LINKER_SCRIPT" "SOURCES;DEPENDS;DEFINES;FLAGS" ${ARGN})
  if(NOT AVSIM_GUEST_CC)
    return()
  endif()
  if(NOT G_DIR)
    set(G_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT G_LINKER_SCRIPT)
    set(G_LINKER_SCRIPT ${AVSIM_GUEST_RT_DIR}/link.ld)
  endif()
  set(out ${G_DIR}/${G_NAME}.elf)
  set(defs)
  foreach(d ${G_DEFINES})
    list(APPEND defs -D${d})
  endforeach()
  set(rt ${AVSIM_GUEST_RT_SOURCES})
  if(G_NO_RUNTIME)
    set(rt)
  endif()
  file(MAKE_DIRECTORY ${G_DIR})
  add_custom_command(OUTPUT ${out}
    COMMAND ${AVSIM_GUEST_CC} ${AVSIM_GUEST_CFLAGS} ${G_FLAGS} ${defs} -T ${G_LINKER_SCRIPT}
            ${rt} ${G_SOURCES} -o ${out}
    DEPENDS ${G_SOURCES} ${G_DEPENDS} ${rt} ${AVSIM_GUEST_RT_DIR}/rt.h ${G_LINKER_SCRIPT}
    COMMENT "guest image ${G_NAME}.elf"
    VERBATIM)
  add_custom_target(guest_${G_NAME} ALL DEPENDS ${out})
endfunction()

# avsim_guest_linux_image(NAME <name> SOURCES <files...> [DEPENDS <files>])
# produces <name>.elf as avsim_guest_image does, with the arm64 Image header of
# rt/image_header.S first, and <name>.Image: its loadable bytes as a raw
# binary (objcopy -O binary), which QEMU and avsim boot as a Linux Image at
# RAM + 0x80000 with x0 = the device tree.
function(avsim_guest_linux_image)
  cmake_parse_arguments(G "" "NAME" "SOURCES;DEPENDS" ${ARGN})
  if(NOT AVSIM_GUEST_CC OR NOT AVSIM_GUEST_OBJCOPY)
    return()
  endif()
  # No build-id note: it would take the link address, where the header must be.
  avsim_guest_image(NAME ${G_NAME}_image_elf SOURCES ${AVSIM_GUEST_RT_DIR}/image_header.S ${G_SOURCES}
                    DEPENDS ${G_DEPENDS} FLAGS -Wl,--build-id=none)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${G_NAME}_image_elf.elf)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${G_NAME}.Image)
  add_custom_command(OUTPUT ${out}
    COMMAND ${AVSIM_GUEST_OBJCOPY} -O binary ${elf} ${out}
    DEPENDS ${elf}
    COMMENT "guest Image ${G_NAME}.Image"
    VERBATIM)
  add_custom_target(guest_${G_NAME}_Image ALL DEPENDS ${out})
endfunction()
