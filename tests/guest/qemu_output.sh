#!/bin/bash
# Build tests/guest/<name>.c by hand and print its QEMU output in the format of
# expected/<name>.out (stdout + exit=<status>). For writing expectations:
#   tests/guest/qemu_output.sh NAME            # print
#   tests/guest/qemu_output.sh -w NAME...      # write expected/NAME.out
# Inspect the output against the Arm ARM before recording it. Tests marked
# AVSIM-FOLLOWS-ARM-ARM have hand-written expectations: this refuses to write them.
# Lines `// QEMU-MACHINE: <value>` and `// QEMU-ARGS: <options>` in the source
# replace the -M value and add options, `// GUEST-STDIN: <file>` gives QEMU's
# stdin (see run_guest_test.sh). Tests built as an
# Image (boot_*) are not handled here: run `run_guest_test.sh none
# BUILD/tests/guest/NAME.Image ...` instead.
set -u
here=$(cd "$(dirname "$0")" && pwd)
write=0
if [ "${1:-}" = -w ]; then write=1; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [-w] NAME..." >&2; exit 2; }
out_dir=${TMPDIR:-/tmp}/avsim-guest
mkdir -p "$out_dir"
rc_all=0
for name in "$@"; do
    src=$here/$name.c
    [ -f "$src" ] || { echo "no such test: $src" >&2; exit 2; }
    elf=$out_dir/$name.elf
    aarch64-linux-gnu-gcc -O2 -g -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
        -mgeneral-regs-only -fno-pie -no-pie -Wall -Wextra -Werror -I"$here" \
        -Wl,--no-warn-rwx-segments -T "$here/rt/link.ld" \
        "$here/rt/start.S" "$here/rt/vectors.S" "$here/rt/rt.c" "$src" -o "$elf" || exit 2
    out=$out_dir/$name.out
    machine=$(grep -m1 '^// QEMU-MACHINE:' "$src" | sed 's|^// QEMU-MACHINE:[[:space:]]*||;s|[[:space:]]*$||')
    [ -n "$machine" ] || machine=virt,virtualization=on,gic-version=3
    cpu=$(grep -m1 '^// QEMU-CPU:' "$src" | sed 's|^// QEMU-CPU:[[:space:]]*||;s|[[:space:]]*$||')
    [ -n "$cpu" ] || cpu=cortex-a57
    read -r -a qargs <<<"$(grep -m1 '^// QEMU-ARGS:' "$src" | sed 's|^// QEMU-ARGS:[[:space:]]*||')"
    stdin_file=$(grep -m1 '^// GUEST-STDIN:' "$src" | sed "s|^// GUEST-STDIN:[[:space:]]*||;s|[[:space:]]*\$||;s|@SOURCE_DIR@|$here|g")
    [ -n "$stdin_file" ] || stdin_file=/dev/null
    timeout 20 qemu-system-aarch64 -M "$machine" -cpu "$cpu" \
        -display none -monitor none -chardev stdio,id=con0,mux=on -serial chardev:con0 \
        -semihosting-config enable=on,target=native,chardev=con0 ${qargs[@]+"${qargs[@]}"} \
        -kernel "$elf" >"$out" 2>"$out_dir/$name.err" <"$stdin_file"
    echo "exit=$?" >>"$out"
    if [ $write = 1 ]; then
        if grep -q -e AVSIM-FOLLOWS-ARM-ARM -e '^// AVSIM-ONLY:' "$src"; then
            echo "$name: follows the Arm ARM; expectation is hand-written, not overwritten" >&2
            rc_all=1
            continue
        fi
        cp "$out" "$here/expected/$name.out"
        echo "wrote expected/$name.out"
    else
        cat "$out"
        [ -s "$out_dir/$name.err" ] && { echo "--- stderr:"; cat "$out_dir/$name.err"; }
    fi
done
exit $rc_all
