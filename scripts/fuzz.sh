#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -DAVSIM_FUZZ=ON, in
# build-fuzz/) and runs each for SECONDS (default 30) from its seed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 3600 fuzz_smmu
#   scripts/fuzz.sh --available               exit 0 when clang can build libFuzzer targets
# New inputs go to build-fuzz/corpus/TARGET (the committed seeds in
# tests/fuzz/corpus/ are only read); a crash, leak, UB report or timeout keeps
# its input in build-fuzz/crashes/ and the script exits 1 after the last target.
set -uo pipefail
cd "$(dirname "$0")/.."
CC_FUZZ=${CC_FUZZ:-clang}

if [ "${1:-}" = "--available" ]; then
    command -v "$CC_FUZZ" >/dev/null 2>&1 || exit 1
    tmp=$(mktemp -d)
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$tmp/t.c"
    "$CC_FUZZ" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1
    rc=$?
    rm -rf "$tmp"
    exit $rc
fi

secs=${1:-30}
shift || true
case "$secs" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2;; esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(fuzz_elf fuzz_image fuzz_dtb fuzz_trace fuzz_tlb_spec fuzz_gdb fuzz_semihosting fuzz_smmu fuzz_virtio)
fi

B=build-fuzz
cmake -S . -B "$B" -DCMAKE_C_COMPILER="$CC_FUZZ" -DAVSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$B" -j"$(nproc)" --target fuzz_targets >/dev/null || { echo "fuzz: build failed" >&2; exit 1; }
mkdir -p "$B/crashes" "$B/logs"

# halt_on_error: the first report ends the run; leaks are findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
    exe="$B/tests/fuzz/$t"
    [ -x "$exe" ] || { echo "fuzz: no target $t" >&2; failed+=("$t"); continue; }
    mkdir -p "$B/corpus/$t"
    log="$B/logs/$t.log"
    extra=()
    # The guest's semihosting writes to stdout and stderr: closed for the
    # target (libFuzzer and the sanitizers keep a copy of stderr for reports).
    [ "$t" = fuzz_semihosting ] && extra=(-close_fd_mask=3)
    "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
        -artifact_prefix="$B/crashes/$t-" "$B/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        printf 'fuzz: %-18s ok   %8s runs in %ss, %s\n' "$t" "${runs:-?}" "$secs" "${cov:-cov: ?}"
    else
        printf 'fuzz: %-18s FAIL (exit %d), log %s\n' "$t" "$rc" "$log"
        grep -aE 'ERROR: |runtime error|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/      /'
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (inputs in $B/crashes/)"
    exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${secs}s each without a finding"
