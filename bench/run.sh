#!/usr/bin/env bash
# shellcheck disable=SC2059  # the table format string is kept in one variable on purpose
# avsim benchmarks: figures only, never pass/fail on time.
#
#   bench/run.sh [BUILD_DIR]            (default BUILD_DIR: build)
#
# Runs every benchmark image (BUILD_DIR/bench/*.elf) on
#   avsim          BUILD_DIR/avsim run --stats=... IMAGE
#   plain Unicorn  BUILD_DIR/bench/plain_unicorn IMAGE   (EL1, no models; loops only)
#   QEMU           qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
#                  -cpu cortex-a57 -kernel IMAGE, UART and semihosting on stdout (if installed)
# BENCH_RUNS times each (default 3) and prints the median wall time of the whole process,
# the guest instruction count, guest MIPS, and the time ratios avsim/plain and avsim/qemu.
# A run that fails (non-zero exit, timeout, missing binary or feature) is shown as n/a
# with the reason underneath; the script itself still exits 0.
#
# Environment: BENCH_RUNS (3), BENCH_TIMEOUT seconds per run (300),
#              QEMU (qemu-system-aarch64; QEMU=none skips it), AVSIM, PLAIN (binaries).
set -u

build=${1:-build}
runs=${BENCH_RUNS:-3}
tmo=${BENCH_TIMEOUT:-300}
avsim=${AVSIM:-$build/avsim}
plain=${PLAIN:-$build/bench/plain_unicorn}
qemu=${QEMU:-qemu-system-aarch64}
images=(compute_loop store_loop hvc_pingpong)
plain_images=" compute_loop store_loop "     # hvc_pingpong needs EL2: not on plain Unicorn

if [ -z "${EPOCHREALTIME:-}" ]; then
    echo "bench/run.sh needs bash 5 (EPOCHREALTIME)" >&2
    exit 2
fi
for img in "${images[@]}"; do
    if [ ! -f "$build/bench/$img.elf" ]; then
        echo "bench/run.sh: $build/bench/$img.elf not found; build first" \
             "(cmake --build $build --target bench, which needs aarch64-linux-gnu-gcc)" >&2
        exit 2
    fi
done
[ "$qemu" = none ] || command -v "$qemu" >/dev/null 2>&1 || qemu=none

work=$(mktemp -d "${TMPDIR:-/tmp}/avsim-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

notes=()

# median of the numbers given as arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_engine ENGINE IMAGE: runs it $runs times. Sets r_time (median seconds or n/a),
# r_insns (count reported by the engine, or empty), r_out (stdout file of the last run).
run_engine() {
    local engine=$1 img=$2 elf=$build/bench/$2.elf i t0 t1 rc times=() cmd=()
    r_time=n/a r_insns='' r_out=$work/$engine.$img.out
    case $engine in
    avsim)
        [ -x "$avsim" ] || { notes+=("$img on avsim: $avsim not found"); return; }
        cmd=("$avsim" run "--stats=$work/stats.json" "$elf") ;;
    plain)
        [[ $plain_images == *" $img "* ]] || return
        [ -x "$plain" ] || { notes+=("$img on plain: $plain not found"); return; }
        cmd=("$plain" "$elf") ;;
    qemu)
        [ "$qemu" != none ] || return
        # -nographic would send semihosting output to stderr: put the UART and
        # semihosting on one stdout chardev instead.
        cmd=("$qemu" -M "virt,virtualization=on,gic-version=3" -cpu cortex-a57
             -display none -monitor none -chardev "stdio,id=con0,mux=on" -serial chardev:con0
             -semihosting-config "enable=on,target=native,chardev=con0" -kernel "$elf") ;;
    esac
    for ((i = 0; i < runs; i++)); do
        rm -f "$work/stats.json"
        t0=$EPOCHREALTIME
        timeout "$tmo" "${cmd[@]}" </dev/null >"$r_out" 2>"$work/err"
        rc=$?
        t1=$EPOCHREALTIME
        if [ $rc -ne 0 ]; then
            local why="exit status $rc"
            [ $rc -eq 124 ] && why="timed out after ${tmo}s"
            notes+=("$img on $engine: $why: $(tail -n 2 "$work/err" | tr '\n' ' ')")
            r_time=n/a
            return
        fi
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    r_time=$(median "${times[@]}")
    case $engine in
    avsim)
        # top-level "instructions": N (not "instructions_by_el")
        r_insns=$(grep -o '"instructions"[[:space:]]*:[[:space:]]*[0-9]*' "$work/stats.json" 2>/dev/null |
                  head -n 1 | grep -o '[0-9]*$')
        [ -n "$r_insns" ] || notes+=("$img on avsim: no instruction count in --stats output") ;;
    plain)
        r_insns=$(sed -n 's/^plain_unicorn: instructions=\([0-9]*\) .*/\1/p' "$work/err" | tail -n 1) ;;
    esac
}

fmt_time() {
    if [ "$1" = n/a ]; then echo n/a; else awk -v t="$1" 'BEGIN { printf "%.3f", t }'; fi
}
mips() {   # instructions seconds
    if [ -z "$1" ] || [ "$2" = n/a ]; then echo n/a; else
        awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", n / t / 1e6 }'; fi
}
ratio() {  # time_a time_b
    if [ "$1" = n/a ] || [ "$2" = n/a ]; then echo n/a; else
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; fi
}

echo "avsim benchmarks: median wall time of $runs runs per engine (whole process, startup included)"
qemu_desc='not installed/skipped'
[ "$qemu" = none ] || qemu_desc=$(command -v "$qemu")
echo "avsim: $avsim   plain: $plain   qemu: $qemu_desc"
echo
fmt='%-13s %12s | %8s %9s | %8s %9s | %8s %9s | %11s %10s\n'
printf "$fmt" image instructions "avsim s" "MIPS" "plain s" "MIPS" "qemu s" "MIPS" "avsim/plain" "avsim/qemu"
printf '%s\n' "--------------------------------------------------------------------------------------------------------------"

pingpong_line=
for img in "${images[@]}"; do
    run_engine avsim "$img"; a_t=$r_time; a_n=$r_insns; a_out=$r_out
    run_engine plain "$img"; p_t=$r_time; p_n=$r_insns; p_out=$r_out
    run_engine qemu "$img";  q_t=$r_time; q_out=$r_out
    # QEMU does not count instructions: use avsim's count, else plain Unicorn's.
    n=${a_n:-$p_n}
    [ -n "$a_n" ] && [ -n "$p_n" ] &&
        [ "$(awk -v a="$a_n" -v p="$p_n" 'BEGIN { d = a - p; if (d < 0) d = -d; print (d > a / 1000) }')" = 1 ] &&
        notes+=("$img: instruction counts differ: avsim $a_n, plain $p_n")
    # The guest's output must be the same everywhere (checksums).
    ref=
    for o in "$q_out" "$a_out" "$p_out"; do
        [ -s "$o" ] || continue
        if [ -z "$ref" ]; then ref=$o
        elif ! cmp -s "$ref" "$o"; then notes+=("$img: output differs: $(basename "$ref") vs $(basename "$o")"); fi
    done
    printf "$fmt" "$img" "${n:-n/a}" "$(fmt_time "$a_t")" "$(mips "$n" "$a_t")" \
        "$(fmt_time "$p_t")" "$(mips "$p_n" "$p_t")" "$(fmt_time "$q_t")" "$(mips "$n" "$q_t")" \
        "$(ratio "$a_t" "$p_t")" "$(ratio "$a_t" "$q_t")"
    if [ "$img" = hvc_pingpong ]; then
        trips=$(sed -n 's/^hvc_pingpong: \([0-9]*\) round trips.*/\1/p' "$a_out" "$q_out" 2>/dev/null | head -n 1)
        rt() { if [ -z "$trips" ] || [ "$1" = n/a ]; then echo n/a; else
                   awk -v n="$trips" -v t="$1" 'BEGIN { printf "%.0f", n / t }'; fi; }
        pingpong_line="hvc_pingpong: ${trips:-?} HVC round trips (EL1 -> EL2 -> EL1) per second: avsim $(rt "$a_t"), qemu $(rt "$q_t")"
    fi
done
echo
[ -n "$pingpong_line" ] && echo "$pingpong_line"
echo "ratios are wall-time ratios: 2.00x means avsim took twice as long as the other engine"
if [ ${#notes[@]} -gt 0 ]; then
    echo
    echo "notes:"
    printf '  %s\n' "${notes[@]}"
fi
exit 0
