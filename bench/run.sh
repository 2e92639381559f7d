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
# BENCH_RUNS rounds (default 3), the engines taking turns in each, and prints the median
# wall time of the whole process, the guest instruction count, guest MIPS, and the time
# ratios avsim/plain and avsim/qemu (the median of the rounds' own ratios).
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

# engine_cmd ENGINE IMAGE: sets cmd (empty: the engine does not run this image).
engine_cmd() {
    local engine=$1 img=$2 elf=$build/bench/$2.elf
    cmd=()
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
}

# run_image IMAGE: runs the engines in turn (avsim, plain, qemu; then again), $runs
# rounds, so that a drift in the machine's speed touches all of them alike. Sets
# t_avsim/t_plain/t_qemu (median seconds or n/a), n_avsim/n_plain (instruction counts),
# out_ENGINE (stdout of the last run), and r_plain/r_qemu: the median over the rounds
# of avsim's time over the other engine's in the same round (n/a if either failed).
t_avsim=n/a t_plain=n/a t_qemu=n/a out_avsim='' out_plain='' out_qemu=''
run_image() {
    local img=$1 e i t0 t1 rc
    local -A times=() failed=() cmds=()
    local -a ratios_plain=() ratios_qemu=()
    for e in avsim plain qemu; do
        engine_cmd "$e" "$img"
        [ ${#cmd[@]} -gt 0 ] && cmds[$e]=1
        printf -v "out_$e" '%s' "$work/$e.$img.out"
        printf -v "t_$e" '%s' n/a
    done
    n_avsim='' n_plain=''
    for ((i = 0; i < runs; i++)); do
        local -A round=()
        for e in avsim plain qemu; do
            if [ -z "${cmds[$e]:-}" ] || [ -n "${failed[$e]:-}" ]; then continue; fi
            engine_cmd "$e" "$img"
            rm -f "$work/stats.json"
            t0=$EPOCHREALTIME
            timeout "$tmo" "${cmd[@]}" </dev/null >"$work/$e.$img.out" 2>"$work/err"
            rc=$?
            t1=$EPOCHREALTIME
            if [ $rc -ne 0 ]; then
                local why="exit status $rc"
                [ $rc -eq 124 ] && why="timed out after ${tmo}s"
                notes+=("$img on $e: $why: $(tail -n 2 "$work/err" | tr '\n' ' ')")
                failed[$e]=1
                continue
            fi
            round[$e]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
            times[$e]+=" ${round[$e]}"
            case $e in
            avsim)
                # top-level "instructions": N (not "instructions_by_el")
                n_avsim=$(grep -o '"instructions"[[:space:]]*:[[:space:]]*[0-9]*' "$work/stats.json" 2>/dev/null |
                          head -n 1 | grep -o '[0-9]*$') ;;
            plain)
                n_plain=$(sed -n 's/^plain_unicorn: instructions=\([0-9]*\) .*/\1/p' "$work/err" | tail -n 1) ;;
            esac
        done
        if [ -n "${round[avsim]:-}" ]; then
            [ -n "${round[plain]:-}" ] && ratios_plain+=("$(awk -v a="${round[avsim]}" -v b="${round[plain]}" 'BEGIN { print a / b }')")
            [ -n "${round[qemu]:-}" ] && ratios_qemu+=("$(awk -v a="${round[avsim]}" -v b="${round[qemu]}" 'BEGIN { print a / b }')")
        fi
    done
    for e in avsim plain qemu; do
        # shellcheck disable=SC2086  # the times are a space-separated list on purpose
        [ -n "${times[$e]:-}" ] && [ -z "${failed[$e]:-}" ] && printf -v "t_$e" '%s' "$(median ${times[$e]})"
    done
    [ -n "${cmds[avsim]:-}" ] && [ -z "${failed[avsim]:-}" ] && [ -z "$n_avsim" ] &&
        notes+=("$img on avsim: no instruction count in --stats output")
    r_plain=n/a r_qemu=n/a
    [ ${#ratios_plain[@]} -eq "$runs" ] && r_plain=$(median "${ratios_plain[@]}")
    [ ${#ratios_qemu[@]} -eq "$runs" ] && r_qemu=$(median "${ratios_qemu[@]}")
}

fmt_time() {
    if [ "$1" = n/a ]; then echo n/a; else awk -v t="$1" 'BEGIN { printf "%.3f", t }'; fi
}
mips() {   # instructions seconds
    if [ -z "$1" ] || [ "$2" = n/a ]; then echo n/a; else
        awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", n / t / 1e6 }'; fi
}
ratio() {  # median paired ratio, or n/a
    if [ "$1" = n/a ]; then echo n/a; else awk -v r="$1" 'BEGIN { printf "%.2fx", r }'; fi
}

echo "avsim benchmarks: median wall time of $runs rounds, the engines taking turns (whole process, startup included)"
qemu_desc='not installed/skipped'
[ "$qemu" = none ] || qemu_desc=$(command -v "$qemu")
echo "avsim: $avsim   plain: $plain   qemu: $qemu_desc"
echo
fmt='%-13s %12s | %8s %9s | %8s %9s | %8s %9s | %11s %10s\n'
printf "$fmt" image instructions "avsim s" "MIPS" "plain s" "MIPS" "qemu s" "MIPS" "avsim/plain" "avsim/qemu"
printf '%s\n' "--------------------------------------------------------------------------------------------------------------"

pingpong_line=
for img in "${images[@]}"; do
    run_image "$img"
    a_t=$t_avsim a_n=$n_avsim a_out=$out_avsim p_t=$t_plain p_n=$n_plain p_out=$out_plain q_t=$t_qemu q_out=$out_qemu
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
        "$(ratio "$r_plain")" "$(ratio "$r_qemu")"
    if [ "$img" = hvc_pingpong ]; then
        trips=$(sed -n 's/^hvc_pingpong: \([0-9]*\) round trips.*/\1/p' "$a_out" "$q_out" 2>/dev/null | head -n 1)
        rt() { if [ -z "$trips" ] || [ "$1" = n/a ]; then echo n/a; else
                   awk -v n="$trips" -v t="$1" 'BEGIN { printf "%.0f", n / t }'; fi; }
        pingpong_line="hvc_pingpong: ${trips:-?} HVC round trips (EL1 -> EL2 -> EL1) per second: avsim $(rt "$a_t"), qemu $(rt "$q_t")"
    fi
done
echo
[ -n "$pingpong_line" ] && echo "$pingpong_line"
echo "ratios: the median over the rounds of avsim's wall time over the other engine's in the same round;"
echo "2.00x means avsim took twice as long"
if [ ${#notes[@]} -gt 0 ]; then
    echo
    echo "notes:"
    printf '  %s\n' "${notes[@]}"
fi
exit 0
