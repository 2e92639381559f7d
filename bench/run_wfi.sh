#!/usr/bin/env bash
# WFI benchmark: a guest sleeps one simulated second waiting for its virtual
# timer. avsim skips the idle time; QEMU sleeps in real time. Figures only.
#   bench/run_wfi.sh [BUILD_DIR]
set -u
build=${1:-build}
img=$build/tests/guest/timer_wfi_sleep.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
t0=$(now)
if "${AVSIM:-$build/avsim}" run --stats="$tmp/s.json" "$img" >/dev/null 2>&1; then
    t1=$(now)
    python3 -c "
import json; d = json.load(open('$tmp/s.json'))
print('avsim: %.3f s of simulated time (%.1f%% idle) in %.3f s of host time' %
      (d['simulated_seconds'], 100.0 * d['idle_cycles'] / d['cycles'], $t1 - $t0))"
else
    echo "avsim: n/a"
fi
if command -v qemu-system-aarch64 >/dev/null && [ "${QEMU:-}" != none ]; then
    t0=$(now)
    timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -display none \
        -monitor none -chardev stdio,id=c,mux=on -serial chardev:c -semihosting-config enable=on,target=native,chardev=c \
        -kernel "$img" >/dev/null 2>&1 </dev/null
    t1=$(now)
    python3 -c "print('qemu:  the same image in %.3f s of host time' % ($t1 - $t0))"
fi
