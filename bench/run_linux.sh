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
# and prints the median wall time, the wall time of QEMU's counting run (1thread_s: one TCG thread
# for all vCPUs, plus the plugin), the instruction count, MIPS (instructions / median wall time),
# the exits to EL2 and the time ratio avsim/QEMU (median wall times); avsim's runs must all count
# the same instructions (determinism), a difference is reported underneath. A run that fails or is skipped is shown as n/a
# with the reason underneath; the script itself exits 0 (2 for bad usage, 77 when the kernel
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

# one_sim SIM SMP -> sets wall insns exits (n/a on failure, reason in notes)
one_sim() {
    local s=$1 n=$2 out res walls=() why=""
    wall=n/a insns=n/a exits=n/a stwall=-
    local args=(--quiet --smp "$n" --timeout "$tmo" ${boot_args[@]+"${boot_args[@]}"})
    if [ "$s" = qemu ]; then args+=(--qemu --qemu-bin "$qemu"); else args+=(--avsim "$avsim"); fi
    for _ in $(seq 1 "$runs"); do
        out=$("$boot" "${args[@]}" "$cache" 2>&1)
        res=$(grep '^RESULT' <<<"$out" | tail -n1)
        if [ "$(field status "$res")" != pass ]; then
            why=$(grep -E 'SKIP|FAIL|  - ' <<<"$out" | head -n 4 | tr '\n' ' ')
            notes+=("$s smp=$n: ${why:-no RESULT line}")
            return
        fi
        walls+=("$(field wall_s "$res")")
        if [ "$s" = avsim ]; then
            [ "$insns" = n/a ] || [ "$insns" = "$(field insns "$res")" ] ||
                notes+=("avsim smp=$n: NOT deterministic: $insns and $(field insns "$res") instructions in two runs")
            insns=$(field insns "$res"); exits=$(field exits_el2 "$res")
        fi
    done
    wall=$(median "${walls[@]}")
    if [ "$s" = qemu ]; then
        out=$("$boot" "${args[@]}" --count "$cache" 2>&1)
        res=$(grep '^RESULT' <<<"$out" | tail -n1)
        insns=$(field insns "$res"); [ -n "$insns" ] || insns=n/a
        [ "$insns" = na ] && insns=n/a
        stwall=$(field wall_s "$res"); [ -n "$stwall" ] || stwall=n/a
    fi
}

mips() { awk -v n="$1" -v w="$2" 'BEGIN { if (n ~ /^[0-9]+$/ && w + 0 > 0) printf "%.1f", n / w / 1e6; else print "n/a" }'; }

echo "${title:-Linux boot to the busybox shell, KVM init, PSCI power-off} ($(cat "$cache/version" 2>/dev/null))"
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, median wall time"
echo "append: ${LINUX_BOOT_APPEND:-(linux-boot.sh default)}"
fmt="%-6s %-4s %10s %12s %14s %9s %10s %12s\n"
printf "$fmt" sim smp wall_s 1thread_s instructions MIPS exits_el2 avsim/qemu
for n in $smps; do
    qwall=n/a
    if [ "$qemu" != none ]; then
        one_sim qemu "$n"; qwall=$wall
        printf "$fmt" qemu "$n" "$wall" "$stwall" "$insns" "$(mips "$insns" "$wall")" "-" ""
    else
        notes+=("qemu smp=$n: $qemu not installed")
    fi
    if [ "$avsim" != none ]; then
        one_sim avsim "$n"
        ratio=$(awk -v a="$wall" -v q="$qwall" 'BEGIN { if (a + 0 > 0 && q + 0 > 0) printf "%.1fx", a / q; else print "n/a" }')
        printf "$fmt" avsim "$n" "$wall" "-" "$insns" "$(mips "$insns" "$wall")" "$exits" "$ratio"
    fi
done
if [ ${#notes[@]} -gt 0 ]; then
    echo "not measured:"
    printf '  %s\n' "${notes[@]}"
fi
exit 0
