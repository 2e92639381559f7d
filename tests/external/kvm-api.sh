#!/usr/bin/env bash
# Runs the KVM API example (tests/external/kvm-api/: a static AArch64 program that builds a VM
# with /dev/kvm and runs a small guest in it) inside Debian's arm64 Linux, on avsim or on QEMU,
# and checks what it printed. See tests/external/LINUX.md, "The KVM API example".
#
#   tests/external/kvm-api.sh [--avsim PATH | --qemu] [--smp N] [--cpu NAME] [--program PATH]
#                             [--compare-qemu] [--timeout S] [--log FILE] CACHE_DIR
#
#   --avsim PATH     run on avsim (default: build/avsim)
#   --qemu           run on qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
#                    -cpu cortex-a57 -m 1G (the reference)
#   --smp N          number of CPUs of the simulated machine (default 1)
#   --cpu NAME       the CPU (linux-boot.sh --cpu; max: KVM in VHE mode)
#   --program PATH   the kvm-api binary (default: build/tests/external/kvm-api/kvm-api)
#   --compare-qemu   with --avsim: also boot QEMU with the same kernel and initramfs and require
#                    the same compared lines from both (skipped with a note without QEMU)
#   --timeout S      seconds before a boot counts as hung (linux-boot.sh's default otherwise)
#   --log FILE       keep the console output there (QEMU's as FILE.qemu with --compare-qemu)
# CACHE_DIR is the scripts/fetch-linux.sh cache (fetched when incomplete, as linux-boot.sh does).
#
# The initramfs (tests/external/mkinitramfs.sh) holds the program as /kvm-api and
# tests/external/kvm-api/init.sh as /init, which prints what the Linux boot test's /init prints,
# runs `kvm-api --vcpus 1` and `kvm-api --vcpus 2` and powers off. The boot itself is
# tests/external/linux-boot.sh with --initrd, so its checks hold too (KVM initialized, /dev/kvm,
# PSCI power-off, no kernel complaint); on top of them:
#   - both runs end with KVM-API-OK (vcpus=1 and vcpus=2);
#   - the compared lines (those starting "kvm-api: " or "KVM-API-") are exactly
#     tests/external/kvm-api/expected.txt, recorded on QEMU 7.2 with Debian's 6.1 kernel;
#     lines starting "kvm-api-info: " carry figures that may vary and are not compared;
#   - with --compare-qemu, QEMU's compared lines are the same as avsim's.
# Exit status: 0 pass, 1 fail, 77 skipped (no program: it is built when the cross compiler and
# libc6-dev-arm64-cross are installed; the kernel cannot be fetched; no QEMU for --qemu; avsim
# without --kernel; AVSIM_SKIP_LINUX=1), 2 bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

sim_args=()
sim=avsim
smp=1
cpu=cortex-a57
program=$top/build/tests/external/kvm-api/kvm-api
compare_qemu=0
tmo=()
log=""
cache=""

usage() { sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --avsim) sim=avsim; sim_args=(--avsim "$2"); shift ;;
        --avsim=*) sim=avsim; sim_args=(--avsim "${1#*=}") ;;
        --qemu) sim=qemu; sim_args=(--qemu) ;;
        --smp) smp=$2; shift ;;
        --smp=*) smp=${1#*=} ;;
        --cpu) cpu=$2; shift ;;
        --cpu=*) cpu=${1#*=} ;;
        --program) program=$2; shift ;;
        --program=*) program=${1#*=} ;;
        --compare-qemu) compare_qemu=1 ;;
        --timeout) tmo=(--timeout "$2"); shift ;;
        --timeout=*) tmo=(--timeout "${1#*=}") ;;
        --log) log=$2; shift ;;
        --log=*) log=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "kvm-api: unknown option $1" >&2; usage ;;
        *) [ -z "$cache" ] || usage; cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || usage
case $smp in ''|*[!0-9]*) echo "kvm-api: --smp wants a number, got '$smp'" >&2; exit 2 ;; esac

skip() { echo "kvm-api: SKIP: $*"; exit 77; }
[ "${AVSIM_SKIP_LINUX:-0}" = 1 ] && skip "AVSIM_SKIP_LINUX=1"
[ -x "$program" ] || skip "no kvm-api program at $program (CMake builds it when aarch64-linux-gnu-gcc and libc6-dev-arm64-cross are installed)"
expected=$here/kvm-api/expected.txt
[ -s "$expected" ] || { echo "kvm-api: FAIL: $expected is missing"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kvm-api.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The initramfs: busybox, /init and the program.
"$here/mkinitramfs.sh" --cache "$cache" --init "$here/kvm-api/init.sh" \
    --file "$program=/kvm-api" "$work/initrd.gz" 2>"$work/mkinitramfs.err"
rc=$?
[ $rc -eq 77 ] && skip "Debian's arm64 kernel or busybox-static cannot be fetched ($(tail -n1 "$work/mkinitramfs.err"))"
[ $rc -eq 0 ] || { cat "$work/mkinitramfs.err"; echo "kvm-api: FAIL: mkinitramfs.sh failed ($rc)"; exit 1; }

# One boot with linux-boot.sh's checks plus the markers. $1: the simulator's options, $2: log.
boot() {
    local -n opts=$1
    "$here/linux-boot.sh" "${opts[@]}" --smp "$smp" --cpu "$cpu" ${tmo[@]+"${tmo[@]}"} --initrd "$work/initrd.gz" \
        --expect '^KVM-API-OK vcpus=1' --expect '^KVM-API-OK vcpus=2' --log "$2" "$cache"
}
# The compared lines of a console log (the serial console ends lines with \r\n).
compared() { tr -d '\r' < "$1" | grep -E '^(kvm-api: |KVM-API-)'; }

fails=()
boot sim_args "$work/console.log"
rc=$?
[ $rc -eq 77 ] && skip "linux-boot.sh skipped the boot (see above)"
[ $rc -eq 0 ] || fails+=("the boot on $sim failed its checks (see above)")
[ -n "$log" ] && cp "$work/console.log" "$log" 2>/dev/null
compared "$work/console.log" > "$work/lines.txt"
echo "kvm-api: $(wc -l < "$work/lines.txt") compared lines from $sim (smp=$smp):"
grep -E '^(kvm-api: vcpu0\| (all|[0-9]+ of)|KVM-API-)' "$work/lines.txt" | sed 's/^/  | /'
# The expectation is the Cortex-A57's; on another CPU KVM offers its generic target instead.
if [ "$cpu" != cortex-a57 ]; then
    sed 's/KVM_ARM_PREFERRED_TARGET: target 2 (Cortex-A57)/KVM_ARM_PREFERRED_TARGET: target 5 (generic v8)/' \
        "$expected" > "$work/expected.txt"
    expected=$work/expected.txt
fi
if ! diff -u "$expected" "$work/lines.txt" > "$work/expected.diff"; then
    fails+=("the compared lines differ from tests/external/kvm-api/expected.txt (diff below)")
fi

if [ $compare_qemu -eq 1 ] && [ "$sim" = avsim ]; then
    qemu_args=(--qemu)
    if ! command -v "${QEMU:-qemu-system-aarch64}" >/dev/null 2>&1; then
        echo "kvm-api: note: no QEMU, so no comparison with it"
    else
        echo "kvm-api: the same kernel and initramfs on QEMU, for comparison:"
        boot qemu_args "$work/console.qemu.log" | sed 's/^/  qemu | /'
        [ -n "$log" ] && cp "$work/console.qemu.log" "$log.qemu" 2>/dev/null
        compared "$work/console.qemu.log" > "$work/lines.qemu.txt"
        if ! diff -u "$work/lines.qemu.txt" "$work/lines.txt" > "$work/qemu.diff"; then
            fails+=("the compared lines differ between QEMU (-) and avsim (+) (diff below)")
        else
            echo "kvm-api: avsim and QEMU printed the same $(wc -l < "$work/lines.txt") compared lines"
        fi
    fi
fi

if [ ${#fails[@]} -eq 0 ]; then
    echo "kvm-api: PASS ($sim, smp=$smp)"
    exit 0
fi
echo "kvm-api: FAIL ($sim, smp=$smp):"
printf '  - %s\n' "${fails[@]}"
for d in "$work/expected.diff" "$work/qemu.diff"; do
    [ -s "$d" ] && { echo "  $(basename "$d"):"; head -n 60 "$d" | sed 's/^/  | /'; }
done
exit 1
