# Building freestanding AArch64 guest images with the cross compiler.
#   avsim_guest_image(NAME <name> SOURCES <files...> [DIR <output dir>]
#                     [DEPENDS <extra files, e.g. headers>])
# produces <dir>/<name>.elf linked with the guest runtime in tests/guest/rt.
find_program(AVSIM_GUEST_CC aarch64-linux-gnu-gcc)
if(NOT AVSIM_GUEST_CC)
  message(WARNING "aarch64-linux-gnu-gcc not found: guest tests, examples and benchmarks are not built")
endif()

set(AVSIM_GUEST_RT_DIR ${CMAKE_SOURCE_DIR}/tests/guest/rt)
set(AVSIM_GUEST_RT_SOURCES ${AVSIM_GUEST_RT_DIR}/start.S ${AVSIM_GUEST_RT_DIR}/vectors.S ${AVSIM_GUEST_RT_DIR}/rt.c)
set(AVSIM_GUEST_CFLAGS -O2 -g -ffreestanding -fno-builtin -nostdlib -nostartfiles -static
    -mgeneral-regs-only -fno-pie -no-pie -Wall -Wextra -Wl,--no-warn-rwx-segments
    -I${CMAKE_SOURCE_DIR}/tests/guest)

function(avsim_guest_image)
  cmake_parse_arguments(G "" "NAME;DIR;LINKER_SCRIPT" "SOURCES;DEPENDS;DEFINES" ${ARGN})
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
  file(MAKE_DIRECTORY ${G_DIR})
  add_custom_command(OUTPUT ${out}
    COMMAND ${AVSIM_GUEST_CC} ${AVSIM_GUEST_CFLAGS} ${defs} -T ${G_LINKER_SCRIPT}
            ${AVSIM_GUEST_RT_SOURCES} ${G_SOURCES} -o ${out}
    DEPENDS ${G_SOURCES} ${G_DEPENDS} ${AVSIM_GUEST_RT_SOURCES} ${AVSIM_GUEST_RT_DIR}/rt.h ${G_LINKER_SCRIPT}
    COMMENT "guest image ${G_NAME}.elf"
    VERBATIM)
  add_custom_target(guest_${G_NAME} ALL DEPENDS ${out})
endfunction()
