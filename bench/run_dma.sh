#!/usr/bin/env bash
# shellcheck disable=SC2054  # the commas are QEMU option syntax, not array separators
# The DMA benchmark (issue 16): Debian's Linux reads a disk through virtio-blk (virtio-mmio) with
# `dd if=/dev/vda of=/dev/null bs=1M count=MIB`, timed by the host between two marker lines the
# guest prints before and after the dd (so the boot does not count). Figures only, never
# pass/fail on time.
#
#   bench/run_dma.sh [CACHE_DIR]            (default CACHE_DIR: build/linux)
#
# Configurations, each run BENCH_RUNS times, the engines taking turns:
#   avsim smmu     the SMMUv3 on, Linux's DMA domain: every page of every transaction translated
#                  by stage 1 (TLB hit, or a walk)
#   avsim pass     the SMMUv3 on, iommu.passthrough=1: bypass STEs
#   avsim off      --smmu=off: the device DMAs to physical memory directly
#   qemu           qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 with
#                  -device virtio-blk-device (QEMU 7.2 puts no virtio-mmio device behind its SMMU:
#                  the reference is the untranslated path)
# and prints the median host seconds of the dd, MiB/s of host time, and for avsim the SMMU's
# figures of the run (transactions, TLB hit rate, walks) from --stats.
#
# Environment: BENCH_RUNS (3), DMA_MIB (64), AVSIM (build/avsim; none skips it), QEMU
# (qemu-system-aarch64; none skips it), BENCH_TIMEOUT (600).
# Exit status: 0 (a configuration that fails prints n/a and why), 2 bad usage, 77 no kernel.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ $# -le 1 ] || { sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
case ${1:-} in -h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;; esac
cache=${1:-$top/build/linux}
runs=${BENCH_RUNS:-3}
mib=${DMA_MIB:-64}
avsim=${AVSIM:-$top/build/avsim}
qemu=${QEMU:-qemu-system-aarch64}
tmo=${BENCH_TIMEOUT:-600}
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/run_dma.sh needs bash 5" >&2; exit 2; }
[[ $mib =~ ^[0-9]+$ ]] && [ "$mib" -ge 1 ] && [ "$mib" -le 1024 ] || { echo "DMA_MIB: give 1 to 1024" >&2; exit 2; }

rc=0
"$top/scripts/fetch-linux.sh" "$cache" >&2 || rc=$?
[ $rc -eq 0 ] || { echo "run_dma: the kernel cache $cache cannot be made (fetch-linux.sh: $rc)" >&2; exit 77; }
[ "$avsim" = none ] || [ -x "$avsim" ] || { echo "run_dma: no avsim at $avsim (build first)" >&2; exit 2; }
[ "$qemu" = none ] || command -v "$qemu" >/dev/null || qemu=none

work=$(mktemp -d "${TMPDIR:-/tmp}/run_dma.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/init" <<EOF
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
insmod /lib/modules/virtio_mmio.ko
insmod /lib/modules/virtio_blk.ko
for i in \$(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
echo AVSIM-DMA-START
dd if=/dev/vda of=/dev/null bs=1M count=$mib 2>/dev/null
echo AVSIM-DMA-END
poweroff -f
EOF
"$top/tests/external/mkinitramfs.sh" --cache "$cache" --init "$work/init" --module virtio_mmio \
    --module virtio_blk "$work/initrd.gz" >/dev/null || { echo "run_dma: mkinitramfs.sh failed" >&2; exit 1; }
# A disk with data in every block (not sparse zeros), the same every time.
head -c $((mib * 1048576)) /dev/zero | tr '\0' 'a' >"$work/disk.img"
append="console=ttyAMA0 nokaslr cryptomgr.notests"

# timed NAME CMD...: runs CMD, prints the host seconds between the marker lines, or "n/a".
timed() {
    local name=$1
    shift
    local t0="" t1="" line
    while IFS= read -r line; do
        case $line in
            *AVSIM-DMA-START*) t0=$EPOCHREALTIME ;;
            *AVSIM-DMA-END*) t1=$EPOCHREALTIME ;;
        esac
        printf '%s\n' "$line" >>"$work/$name.log"
    done < <(timeout --foreground "$tmo" "$@" </dev/null 2>&1)
    if [ -n "$t0" ] && [ -n "$t1" ]; then
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
    else
        echo n/a
    fi
}
median() {
    printf '%s\n' "$@" | grep -v n/a | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
        else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

configs=()
[ "$avsim" = none ] || configs+=("avsim smmu" "avsim pass" "avsim off")
[ "$qemu" = none ] || configs+=(qemu)
declare -A secs
for ((r = 0; r < runs; r++)); do
    for c in "${configs[@]}"; do
        key=${c// /_}
        case $c in
            "avsim smmu") t=$(timed "$key" "$avsim" run --kernel="$cache/Image" --initrd="$work/initrd.gz" \
                               --append="$append" --drive="$work/disk.img,ro" --stats="$work/$key.json") ;;
            "avsim pass") t=$(timed "$key" "$avsim" run --kernel="$cache/Image" --initrd="$work/initrd.gz" \
                               --append="$append iommu.passthrough=1" --drive="$work/disk.img,ro" \
                               --stats="$work/$key.json") ;;
            "avsim off") t=$(timed "$key" "$avsim" run --smmu=off --kernel="$cache/Image" --initrd="$work/initrd.gz" \
                              --append="$append" --drive="$work/disk.img,ro" --stats="$work/$key.json") ;;
            qemu) t=$(timed "$key" "$qemu" -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -m 1G \
                         -nographic -no-reboot -kernel "$cache/Image" -initrd "$work/initrd.gz" -append "$append" \
                         -drive file="$work/disk.img",if=none,format=raw,readonly=on,id=d0 \
                         -device virtio-blk-device,drive=d0) ;;
        esac
        secs[$key]="${secs[$key]:-} $t"
    done
done

smmu_figures() {
    python3 - "$1" <<'EOF' 2>/dev/null || echo "-"
import json, sys
s = json.load(open(sys.argv[1])).get("smmu")
if not s:
    print("no SMMU section"); sys.exit()
t = s.get("total", s)
n, l, h, w = (t.get(k, 0) for k in ("transactions", "tlb_lookups", "tlb_hits", "walks"))
print(f"{n} transactions, {t.get('bypassed', 0)} bypassed, TLB {h}/{l} hits"
      f"{f' ({100 * h / l:.1f}%)' if l else ''}, {w} walks")
EOF
}

echo "DMA benchmark: Linux reads $mib MiB from /dev/vda (virtio-blk over virtio-mmio), host seconds between the"
echo "guest's markers, median of $runs runs; host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
fmt="%-11s %9s %9s  %s\n"
printf "$fmt" config dd_s MiB/s "SMMU (last run's --stats)"
for c in "${configs[@]}"; do
    key=${c// /_}
    # shellcheck disable=SC2086  # the list of times is split on purpose
    m=$(median ${secs[$key]})
    rate=$(awk -v s="$m" -v n="$mib" 'BEGIN { if (s + 0 > 0) printf "%.1f", n / s; else print "n/a" }')
    extra="-"
    [ "$c" = qemu ] || extra=$(smmu_figures "$work/$key.json")
    printf "$fmt" "$c" "$m" "$rate" "$extra"
    if [ "$m" = n/a ]; then
        echo "  $c: no timing; the console's end:"
        tail -n 5 "$work/$key.log" 2>/dev/null | sed 's/^/    /'
    fi
done
