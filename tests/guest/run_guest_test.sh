#!/bin/bash
# Run one guest test image and compare its output with the recorded expectation.
#
#   run_guest_test.sh AVSIM ELF EXPECTED [SOURCE]
#
# AVSIM     the avsim binary; runs `AVSIM run ELF`. The word "none" skips the
#           avsim run (useful to check an expectation against QEMU alone).
# ELF       the guest image (an ELF, or an arm64 Linux Image: <name>.Image).
# EXPECTED  expected/<name>.out: the program's exact stdout followed by a last
#           line `exit=<status>`.
# SOURCE    the test's C source. If it contains the marker
#           AVSIM-FOLLOWS-ARM-ARM, the expectation was written from the Arm ARM
#           because QEMU deviates from it, and the live QEMU comparison is
#           skipped. Without SOURCE, QEMU is not run.
#           Optional lines in SOURCE (at the start of a line, first one
#           wins) configure the runs:
#             // AVSIM-ARGS: <options>     passed to `avsim run` before ELF
#                                          (e.g. --gic=v2)
#             // QEMU-MACHINE: <value>     replaces the -M value for QEMU
#             // QEMU-CPU: <name>          replaces QEMU's -cpu cortex-a57 (e.g. max, with
#                                          // AVSIM-ARGS: --cpu=max)
#                                          (default virt,virtualization=on,gic-version=3)
#             // QEMU-ARGS: <options>      more QEMU options (e.g. -m 1G -initrd FILE)
#             // GUEST-STDIN: <file>       the file both avsim and QEMU read as stdin
#                                          (the PL011's input; default /dev/null)
#             // GUEST-DISK: <bytes>       a virtio-blk disk of that many zero bytes, made
#                                          afresh for every run: avsim --drive=FILE, QEMU
#                                          -device virtio-blk-device (both on transport 31,
#                                          0x0a003e00, before any other virtio option;
#                                          QEMU with -global virtio-mmio.force-legacy=false:
#                                          version 2, as avsim's)
#           Options are split as the shell splits words (double quotes keep
#           blanks, e.g. --append="a b"); @IMAGE_DIR@ stands for the
#           directory of ELF (files the build writes next to the image) and
#           @SOURCE_DIR@ for the directory of SOURCE.
#
# avsim runs ELF twice: the second time with Unicorn's TLB flushed every 997
# cycles (AVSIM_DEBUG_FLUSH_UNICORN_TLB), and must print the same and report the
# same --stats (instructions, cycles, TLB model figures; only host time and
# Unicorn's own fill count may differ): Unicorn's TLB is a cache of the model's,
# and its capacity, which Unicorn adjusts by host time, must never show.
#
# If qemu-system-aarch64 is on PATH (or QEMU=<path> is set; QEMU=none disables
# it), the same ELF is also run on QEMU (the reference) and its output must
# match EXPECTED as well, so that the recorded expectation stays honest.
#
# Exit status: 0 all comparisons passed, 1 a mismatch, 2 usage error or a
# missing file / program.
set -u

AVSIM_TIMEOUT=${AVSIM_TIMEOUT:-20}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-20}
MARKER=AVSIM-FOLLOWS-ARM-ARM

usage() {
    echo "usage: $0 AVSIM ELF EXPECTED [SOURCE]" >&2
    exit 2
}

[ $# -ge 3 ] && [ $# -le 4 ] || usage
avsim=$1
elf=$2
expected=$3
src=${4:-}

if [ "$avsim" != none ] && [ ! -x "$avsim" ]; then
    echo "error: avsim binary '$avsim' not found or not executable" >&2
    exit 2
fi
if [ ! -f "$elf" ]; then
    echo "error: guest image '$elf' not found (was it built?)" >&2
    exit 2
fi
if [ ! -f "$expected" ]; then
    echo "error: expected output '$expected' not found" >&2
    exit 2
fi
if [ -n "$src" ] && [ ! -f "$src" ]; then
    echo "error: test source '$src' not found" >&2
    exit 2
fi
if ! tail -n 1 "$expected" | grep -qE '^exit=[0-9]+$'; then
    echo "error: '$expected' does not end with an exit=<status> line" >&2
    exit 2
fi

# Per-test options from SOURCE (see above).
avsim_args=()
qemu_args=()
qemu_machine=virt,virtualization=on,gic-version=3
qemu_cpu=cortex-a57
stdin_file=/dev/null
disk_bytes=""
# option_line MARKER: the options after "// MARKER:" in SOURCE, placeholders replaced.
option_line() {
    grep -m1 "^// $1:" "$src" | sed "s|^// $1:[[:space:]]*||;s|[[:space:]]*\$||" |
        sed "s|@IMAGE_DIR@|$(dirname "$elf")|g;s|@SOURCE_DIR@|$(dirname "$src")|g"
}
# split_words LINE: the words of LINE as the shell splits them (quotes, no expansion).
split_words() {
    [ -z "$1" ] && return 0
    printf '%s\n' "$1" | xargs printf '%s\n'
}
if [ -n "$src" ]; then
    mapfile -t avsim_args < <(split_words "$(option_line AVSIM-ARGS)")
    mapfile -t qemu_args < <(split_words "$(option_line QEMU-ARGS)")
    line=$(option_line QEMU-MACHINE)
    [ -n "$line" ] && qemu_machine=$line
    line=$(option_line QEMU-CPU)
    [ -n "$line" ] && qemu_cpu=$line
    line=$(option_line GUEST-DISK)
    if [ -n "$line" ]; then
        if ! [[ $line =~ ^[0-9]+$ ]] || [ "$line" -lt 512 ]; then
            echo "error: GUEST-DISK wants a size in bytes (at least 512), got '$line'" >&2
            exit 2
        fi
        disk_bytes=$line
    fi
    line=$(option_line GUEST-STDIN)
    if [ -n "$line" ]; then
        stdin_file=$line
        if [ ! -f "$stdin_file" ]; then
            echo "error: GUEST-STDIN file '$stdin_file' not found" >&2
            exit 2
        fi
    fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guest-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# fresh_disk N: a new zero-filled disk image for run N (GUEST-DISK), its path on stdout.
fresh_disk() {
    head -c "$disk_bytes" /dev/zero >"$tmp/disk$1.img" && echo "$tmp/disk$1.img"
}
disk_arg() { [ -n "$disk_bytes" ] && echo "--drive=$(fresh_disk "$1")"; }

name=$(basename "$elf" .elf)
name=${name%.Image}
status=0

# compare LABEL OUTFILE ERRFILE RC: append exit=RC to OUTFILE and diff it with EXPECTED.
compare() {
    local label=$1 out=$2 err=$3 rc=$4
    printf 'exit=%s\n' "$rc" >>"$out"
    if [ "$rc" = 124 ]; then
        echo "$name: $label timed out" >&2
    fi
    if cmp -s "$expected" "$out"; then
        echo "$name: $label output matches $(basename "$expected")"
        return 0
    fi
    echo "$name: $label output differs from $expected (--- expected, +++ $label):"
    diff -u --label expected --label "$label" "$expected" "$out"
    if [ -s "$err" ]; then
        echo "--- $label stderr:"
        head -n 40 "$err"
    fi
    return 1
}

# 1. avsim
# host_independent FILE: --stats without the figures that depend on the host.
host_independent() { grep -vE '"(host_seconds|guest_mips)"|"unicorn_tlb_fills"' "$1"; }
if [ "$avsim" != none ]; then
    mapfile -t disk1 < <(disk_arg 1)
    mapfile -t disk2 < <(disk_arg 2)
    timeout "$AVSIM_TIMEOUT" "$avsim" run --stats="$tmp/stats1.json" ${disk1[@]+"${disk1[@]}"} \
        ${avsim_args[@]+"${avsim_args[@]}"} "$elf" \
        >"$tmp/avsim.out" 2>"$tmp/avsim.err" <"$stdin_file"
    rc=$?
    cp "$tmp/avsim.out" "$tmp/avsim1.out"
    compare avsim "$tmp/avsim.out" "$tmp/avsim.err" "$rc" || status=1
    # 1b. again, Unicorn's TLB flushed every 997 cycles behind the model's back
    AVSIM_DEBUG_FLUSH_UNICORN_TLB=997 timeout "$AVSIM_TIMEOUT" "$avsim" run --stats="$tmp/stats2.json" \
        ${disk2[@]+"${disk2[@]}"} ${avsim_args[@]+"${avsim_args[@]}"} "$elf" >"$tmp/avsim2.out" 2>"$tmp/avsim2.err" <"$stdin_file"
    rc2=$?
    if [ "$rc2" != "$rc" ] || ! cmp -s "$tmp/avsim1.out" "$tmp/avsim2.out" ||
        ! cmp -s <(host_independent "$tmp/stats1.json" 2>/dev/null) <(host_independent "$tmp/stats2.json" 2>/dev/null); then
        echo "$name: avsim with Unicorn's TLB flushed every 997 cycles differs (exit $rc2, first run $rc):"
        diff -u --label first --label flushed "$tmp/avsim1.out" "$tmp/avsim2.out"
        diff -u --label first --label flushed <(host_independent "$tmp/stats1.json" 2>/dev/null) \
            <(host_independent "$tmp/stats2.json" 2>/dev/null) | head -n 40
        status=1
    else
        echo "$name: avsim with Unicorn's TLB flushed every 997 cycles: same output and statistics"
    fi
fi

# 2. QEMU, the reference
qemu=${QEMU:-}
if [ -z "$qemu" ]; then
    qemu=$(command -v qemu-system-aarch64 || true)
fi
if [ "$qemu" = none ] || [ -z "$qemu" ]; then
    echo "$name: qemu-system-aarch64 not available; QEMU comparison skipped"
elif [ -z "$src" ]; then
    echo "$name: no source given; QEMU comparison skipped"
elif grep -q "$MARKER" "$src"; then
    reason=$(grep -m1 "$MARKER" "$src" | sed "s/.*$MARKER:[[:space:]]*//")
    echo "$name: QEMU comparison skipped: expectation follows the Arm ARM, not QEMU ($reason)"
elif grep -q "^// AVSIM-ONLY:" "$src"; then
    reason=$(grep -m1 "^// AVSIM-ONLY:" "$src" | sed "s/.*AVSIM-ONLY:[[:space:]]*//")
    echo "$name: QEMU comparison skipped: avsim's own definition ($reason)"
else
    # Semihosting console and the PL011 share one stdio chardev, so both land on
    # stdout in program order (with plain -nographic, QEMU 7.2 sends semihosting
    # output to stderr).
    qemu_disk=()
    if [ -n "$disk_bytes" ]; then
        # QEMU 7.2's virtio-mmio transports are legacy (version 1) unless told otherwise;
        # avsim's are version 2 (the virtio 1.1 interface the guest programs drive).
        qemu_disk=(-global virtio-mmio.force-legacy=false
                   -drive "file=$(fresh_disk 3),if=none,format=raw,id=disk0" -device virtio-blk-device,drive=disk0)
    fi
    timeout "$QEMU_TIMEOUT" "$qemu" -M "$qemu_machine" -cpu "$qemu_cpu" ${qemu_disk[@]+"${qemu_disk[@]}"} \
        -display none -monitor none -chardev stdio,id=con0,mux=on -serial chardev:con0 \
        -semihosting-config enable=on,target=native,chardev=con0 \
        ${qemu_args[@]+"${qemu_args[@]}"} -kernel "$elf" >"$tmp/qemu.out" 2>"$tmp/qemu.err" <"$stdin_file"
    rc=$?
    compare qemu "$tmp/qemu.out" "$tmp/qemu.err" "$rc" || status=1
fi

exit $status
