#!/usr/bin/env bash
# Writes QEMU's virt device tree without the devices avsim does not model, to check that Linux
# boots on the machine avsim offers (tests/external/LINUX.md).
#
#   tests/external/qemu-min-dtb.sh [--smp N] [--no-pmu] OUT.dtb
#
# Dumps the DTB of qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57
# -m 1G -smp N (dumpdtb=) and deletes with fdtput (Debian's device-tree-compiler): the flash,
# fw_cfg, the 32 virtio-mmio transports, the PCIe host bridge, the PL031 RTC, the PL061 GPIO and
# its gpio-keys power button, the platform bus and the GICv3 ITS;
# --no-pmu also deletes the PMU node. What stays: psci, memory, cpus, intc (GICD + GICR),
# timer, pl011, apb-pclk, chosen. OUT.dts gets the decompiled result. (Since issue 16 avsim also
# models the virtio-mmio transports and an SMMUv3, -M virt,iommu=smmuv3, and since issue 20 the
# ITS; they stay deleted here
# so that the recorded linux-sysregs.txt keeps its meaning: the minimal machine Linux needs.) QEMU fills in /chosen
# (bootargs, initrd) when it boots with -dtb OUT.dtb.
set -euo pipefail
smp=1 nopmu=0 out=""
while [ $# -gt 0 ]; do
    case $1 in
        --smp) smp=$2; shift ;;
        --smp=*) smp=${1#*=} ;;
        --no-pmu) nopmu=1 ;;
        *) out=$1 ;;
    esac
    shift
done
[ -n "$out" ] || { echo "usage: $0 [--smp N] [--no-pmu] OUT.dtb" >&2; exit 2; }
for t in qemu-system-aarch64 fdtput fdtget dtc; do
    command -v $t >/dev/null || { echo "qemu-min-dtb: $t not found (apt-get install qemu-system-arm device-tree-compiler)" >&2; exit 77; }
done
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$out" -cpu cortex-a57 \
    -smp "$smp" -m 1G -display none >/dev/null 2>&1 || true
[ -s "$out" ] || { echo "qemu-min-dtb: QEMU did not dump its DTB" >&2; exit 1; }
for n in $(fdtget -l "$out" /); do
    case $n in
        flash@*|fw-cfg@*|virtio_mmio@*|pcie@*|pl031@*|pl061@*|gpio-keys|platform-bus@*) fdtput -r "$out" "/$n" ;;
        pmu) [ $nopmu -eq 1 ] && fdtput -r "$out" /pmu ;;
    esac
done
for n in $(fdtget -l "$out" /intc@8000000); do
    case $n in its@*) fdtput -r "$out" "/intc@8000000/$n" ;; esac
done
dtc -q -I dtb -O dts -o "${out%.dtb}.dts" "$out"
echo "qemu-min-dtb: $out: $(fdtget -l "$out" / | tr '\n' ' ')"
