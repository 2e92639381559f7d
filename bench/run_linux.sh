#!/usr/bin/env bash
# shellcheck disable=SC2059  # the table format string is kept in one variable on purpose
# The Linux boot benchmark (issue 8 point 5): Debian's arm64 kernel + a busybox initramfs boots to
# its shell, initializes KVM at EL2 and powers off through PSCI (tests/external/LINUX.md).
# Figures only, never pass/fail on time.
#
#   bench/run_linux.sh [--boot SCRIPT] [--boot-arg ARG ...] [--title TEXT] [CACHE_DIR]
#                                           (default CACHE_DIR: build/linux)
#   --boot SCRIPT   the run to time (default tests/external/linux-boot.sh; bench/run_kvmtool.sh
#                   gives tests/external/kvmtool.sh), called with linux-boot.sh's options
#   --boot-arg ARG  one more argument for every run of SCRIPT (repeatable)
#   --title TEXT    the table's first line (default: the Linux boot)
#
# For each CPU count in SMP_LIST it boots
#   QEMU   qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -m 1G:
#          BENCH_RUNS timed runs (multi-threaded TCG, as users run it), plus one run under
#          the instruction-count plugin (tests/external/qemu_insn_count.c, single-threaded TCG)
#   avsim  AVSIM run --kernel --initrd --append [--smp] --stats: BENCH_RUNS timed runs; the
#          instruction count and the exits to EL2 come from --stats
# The timed runs take turns (QEMU, avsim, QEMU, avsim, ...: one round each), so that a drift of
# this machine's speed reaches both engines alike. It prints the median wall time, the wall time
# of QEMU's counting run (1thread_s: one TCG thread for all vCPUs, plus the plugin), the
# instruction count, MIPS (instructions / median wall time), the exits to EL2 and the time ratio
# avsim/QEMU: the median over the rounds of avsim's wall time over QEMU's in the same round, with
# the lowest and highest round underneath. avsim's runs must all count the same instructions
# (determinism), a difference is reported underneath. A run that fails or is skipped is shown as
# n/a with the reason underneath; the script itself exits 0 (2 for bad usage, 77 when the kernel
# cannot be fetched).
#
# Environment: BENCH_RUNS (3), SMP_LIST ("1 2 4"), AVSIM (build/avsim; AVSIM=none skips it),
#              QEMU (qemu-system-aarch64; QEMU=none skips it), LINUX_BOOT_APPEND (the kernel
#              command line, default that of tests/external/linux-boot.sh), BENCH_TIMEOUT (600).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=build/linux
boot=$top/tests/external/linux-boot.sh
boot_args=()
title=""
usage() { sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --boot) [ $# -ge 2 ] || usage; boot=$2; shift ;;
        --boot-arg) [ $# -ge 2 ] || usage; boot_args+=("$2"); shift ;;
        --title) [ $# -ge 2 ] || usage; title=$2; shift ;;
        -h|--help) usage ;;
        -*) echo "bench/run_linux.sh: unknown option $1" >&2; usage ;;
        *) cache=$1 ;;
    esac
    shift
done
[ -x "$boot" ] || { echo "bench/run_linux.sh: --boot $boot is not an executable script" >&2; exit 2; }
runs=${BENCH_RUNS:-3}
smps=${SMP_LIST:-"1 2 4"}
avsim=${AVSIM:-build/avsim}
qemu=${QEMU:-qemu-system-aarch64}
tmo=${BENCH_TIMEOUT:-600}

[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/run_linux.sh needs bash 5" >&2; exit 2; }
"$top/scripts/fetch-linux.sh" "$cache"
rc=$?
if [ $rc -eq 77 ]; then echo "bench/run_linux.sh: skipped: the kernel packages cannot be fetched"; exit 77; fi
[ $rc -eq 0 ] || { echo "bench/run_linux.sh: scripts/fetch-linux.sh failed ($rc)" >&2; exit 1; }
[ "$qemu" = none ] || command -v "$qemu" >/dev/null 2>&1 || qemu=none

work=$(mktemp -d "${TMPDIR:-/tmp}/avsim-bench-linux.XXXXXX")
trap 'rm -rf "$work"' EXIT
notes=()

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
        else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# field NAME RESULT_LINE
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# sim_args SIM SMP -> the boot script's arguments in the array args
sim_args() {
    args=(--quiet --smp "$2" --timeout "$tmo" ${boot_args[@]+"${boot_args[@]}"})
    if [ "$1" = qemu ]; then args+=(--qemu --qemu-bin "$qemu"); else args+=(--avsim "$avsim"); fi
}

# one_run SIM SMP -> prints the RESULT line of one timed run, or "NOTE reason" when it failed
one_run() {
    local s=$1 n=$2 out res why args
    sim_args "$s" "$n"
    out=$("$boot" "${args[@]}" "$cache" 2>&1)
    res=$(grep '^RESULT' <<<"$out" | tail -n1)
    if [ "$(field status "$res")" != pass ]; then
        why=$(grep -E 'SKIP|FAIL|  - ' <<<"$out" | head -n 4 | tr '\n' ' ')
        echo "NOTE $s smp=$n: ${why:-no RESULT line}"
        return
    fi
    echo "$res"
}

# rounds SMP -> BENCH_RUNS rounds of QEMU then avsim (each engine until one of its runs fails);
# sets qwalls, awalls, ratios (avsim over QEMU per round), insns, exits
rounds() {
    local n=$1 res q a
    local qok=1 aok=1
    [ "$qemu" != none ] || qok=0
    [ "$avsim" != none ] || aok=0
    qwalls=() awalls=() ratios=() insns=n/a exits=n/a
    for _ in $(seq 1 "$runs"); do
        q="" a=""
        if [ $qok = 1 ]; then
            res=$(one_run qemu "$n")
            if [[ $res == NOTE* ]] || [ -z "$res" ]; then notes+=("${res#NOTE }"); qok=0
            else q=$(field wall_s "$res"); qwalls+=("$q"); fi
        fi
        if [ $aok = 1 ]; then
            res=$(one_run avsim "$n")
            if [[ $res == NOTE* ]] || [ -z "$res" ]; then notes+=("${res#NOTE }"); aok=0
            else
                a=$(field wall_s "$res"); awalls+=("$a")
                [ "$insns" = n/a ] || [ "$insns" = "$(field insns "$res")" ] ||
                    notes+=("avsim smp=$n: NOT deterministic: $insns and $(field insns "$res") instructions in two runs")
                insns=$(field insns "$res"); exits=$(field exits_el2 "$res")
            fi
        fi
        if [ -n "$q" ] && [ -n "$a" ]; then
            ratios+=("$(awk -v a="$a" -v q="$q" 'BEGIN { if (q + 0 > 0) printf "%.3f", a / q }')")
        fi
    done
}

# qemu_count SMP -> sets qinsns stwall from QEMU's counting run
qemu_count() {
    local out res args
    sim_args qemu "$1"
    out=$("$boot" "${args[@]}" --count "$cache" 2>&1)
    res=$(grep '^RESULT' <<<"$out" | tail -n1)
    qinsns=$(field insns "$res"); [ -n "$qinsns" ] || qinsns=n/a
    [ "$qinsns" = na ] && qinsns=n/a
    stwall=$(field wall_s "$res"); [ -n "$stwall" ] || stwall=n/a
}

mips() { awk -v n="$1" -v w="$2" 'BEGIN { if (n ~ /^[0-9]+$/ && w + 0 > 0) printf "%.1f", n / w / 1e6; else print "n/a" }'; }

echo "${title:-Linux boot to the busybox shell, KVM init, PSCI power-off} ($(cat "$cache/version" 2>/dev/null))"
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $runs rounds (QEMU then avsim), median wall time"
echo "append: ${LINUX_BOOT_APPEND:-(linux-boot.sh default)}"
fmt="%-6s %-4s %10s %12s %14s %9s %10s %12s\n"
printf "$fmt" sim smp wall_s 1thread_s instructions MIPS exits_el2 avsim/qemu
spreads=()
for n in $smps; do
    [ "$qemu" != none ] || notes+=("qemu smp=$n: $qemu not installed")
    rounds "$n"
    if [ "$qemu" != none ]; then
        qwall=n/a qinsns=n/a stwall=n/a
        [ ${#qwalls[@]} -eq 0 ] || { qwall=$(median "${qwalls[@]}"); qemu_count "$n"; }
        printf "$fmt" qemu "$n" "$qwall" "$stwall" "$qinsns" "$(mips "$qinsns" "$qwall")" "-" ""
    fi
    if [ "$avsim" != none ]; then
        awall=n/a ratio=n/a
        [ ${#awalls[@]} -eq 0 ] || awall=$(median "${awalls[@]}")
        if [ ${#ratios[@]} -gt 0 ]; then
            ratio=$(awk -v r="$(median "${ratios[@]}")" 'BEGIN { printf "%.2fx", r }')
            spreads+=("smp=$n: $(printf '%s\n' "${ratios[@]}" | sort -g | sed -n '1p;$p' | awk '{ printf "%s%.2fx", (NR > 1 ? " to " : ""), $1 }') over ${#ratios[@]} rounds")
        fi
        printf "$fmt" avsim "$n" "$awall" "-" "$insns" "$(mips "$insns" "$awall")" "$exits" "$ratio"
    fi
done
if [ ${#spreads[@]} -gt 0 ]; then
    echo "avsim/qemu: the median over the rounds of avsim's wall time over QEMU's in the same round; range:"
    printf '  %s\n' "${spreads[@]}"
fi
if [ ${#notes[@]} -gt 0 ]; then
    echo "not measured:"
    printf '  %s\n' "${notes[@]}"
fi
exit 0
