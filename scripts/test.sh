#!/usr/bin/env bash
# Builds avsim and runs every test (unit, guest, command line), then the fuzz targets briefly,
# then the suite once more under AddressSanitizer and UndefinedBehaviorSanitizer (README "Tests";
# AVSIM_SANITIZE_RUN=0 skips that last run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j"$(nproc)")
# The libFuzzer targets (tests/fuzz, README "Fuzzing"), 10 s each, when clang can build them.
if scripts/fuzz.sh --available; then
    scripts/fuzz.sh 10
else
    echo "test.sh: clang with libFuzzer not found: the fuzz targets are skipped"
fi

if [ "${AVSIM_SANITIZE_RUN:-1}" = 0 ]; then
    exit 0
fi
# The sanitizer run: avsim, its libraries and the unit tests built with -fsanitize=address,undefined
# in build-asan/ (the guest images are not instrumented), every test but the external Linux ones
# (-LE external: minutes each even unsanitized). Any report ends the process that made it:
# halt_on_error, and -fno-sanitize-recover=all for UBSan. ASan's reports also go to files in
# build-asan/sanitizer-logs/, checked below, so that a report in a test that expects avsim to fail
# is not taken for the expected failure; UBSan's go to stderr only (its runtime ignores log_path
# when linked with ASan's) and turn the exit status into 1. LeakSanitizer is on, with the one
# process-lifetime allocation of tests/sanitize/lsan.supp. Unicorn's static library is not
# instrumented and needs no option: ASan intercepts its malloc/free like everyone's.
# Sanitized avsim is 2-4 times slower: guest tests get AVSIM_TIMEOUT=60 (20 s in the normal run);
# their QEMU comparison already ran above (QEMU=none).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAVSIM_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
root=$PWD
logs="$root/build-asan/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
status=0
(cd build-asan &&
 ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$logs/asan" \
 LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0" \
 UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
 AVSIM_TIMEOUT=60 QEMU=none \
 ctest --output-on-failure -j"$(nproc)" -LE external) || status=$?
if [ -n "$(ls -A "$logs")" ]; then
    echo "sanitizer run: reports in $logs:" >&2
    cat "$logs"/* >&2
    status=1
fi
exit "$status"
