#!/usr/bin/env bash
# Device tree and boot protocols (issue 8): `avsim dumpdtb` for several
# machines, decompiled with dtc and checked node by node against the shape of
# QEMU's -M virt tree; a Linux Image booted with a given --dtb; a gzipped Image;
# bad boot options give a clear message and status 2.
#   boot_tests.sh AVSIM GUEST_DIR     (GUEST_DIR: the built tests/guest, with
#                                      boot_image.Image, boot_initrd.bin, hvc_roundtrip.elf)
set -u
AVSIM=${1:?usage: boot_tests.sh AVSIM GUEST_DIR}
GUEST=${2:?usage: boot_tests.sh AVSIM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
if ! command -v dtc >/dev/null; then
    echo "dtc (Debian device-tree-compiler) not installed: skipped"
    exit 77
fi
IMAGE=$GUEST/boot_image.Image
INITRD=$GUEST/boot_initrd.bin
ELF=$GUEST/hvc_roundtrip.elf
APPEND="console=ttyAMA0 avsim.boot=image"

# dts NAME ARGS...: avsim dumpdtb ARGS $tmp/NAME.dtb, decompiled to $tmp/NAME.dts.
dts() {
    local name=$1
    shift
    if ! timeout 20 "$AVSIM" dumpdtb "$@" "$tmp/$name.dtb" 2>"$tmp/$name.err"; then
        bad "dumpdtb $* failed: $(cat "$tmp/$name.err")"
        : >"$tmp/$name.dts"
        return
    fi
    dtc -q -I dtb -O dts -o "$tmp/$name.dts" "$tmp/$name.dtb" 2>"$tmp/$name.dtc.err"
    check "dtc decompiles the $name tree" [ $? -eq 0 ]
}
# node_has NAME NODE LINE: NODE's own properties in NAME.dts include LINE (fixed string).
node_props() {
    awk -v n="$2 {" 'index($0, n) && !depth { depth = 1; next }
                     depth && /\{$/ { depth++ } depth && /\};$/ { depth--; next }
                     depth == 1 { sub(/^[ \t]+/, ""); print }' "$tmp/$1.dts"
}
has() { node_props "$1" "$2" | grep -qxF -- "$3" || { echo "    $1: $2 lacks: $3"; return 1; }; }
lacks() { ! node_props "$1" "$2" | grep -qF -- "$3" || { echo "    $1: $2 has: $3"; return 1; }; }
node() { grep -qE "^[[:space:]]*$2 \{$" "$tmp/$1.dts" || { echo "    $1: no node $2"; return 1; }; }
no_node() { ! grep -qE "^[[:space:]]*$2 \{$" "$tmp/$1.dts" || { echo "    $1: unexpected node $2"; return 1; }; }

# 1. The default machine: one PE, GICv3, EL2 (PSCI via SMC), 1 GiB.
dts v3el2
check "root compatible" has v3el2 "/" 'compatible = "linux,dummy-virt";'
check "root #address-cells" has v3el2 "/" '#address-cells = <0x02>;'
check "root #size-cells" has v3el2 "/" '#size-cells = <0x02>;'
gic_phandle=$(node_props v3el2 "intc@8000000" | sed -n 's/^phandle = <\(.*\)>;$/\1/p')
check "the GIC has a phandle" [ -n "$gic_phandle" ]
check "root interrupt-parent is the GIC" has v3el2 "/" "interrupt-parent = <$gic_phandle>;"
check "memory node" has v3el2 "memory@40000000" 'device_type = "memory";'
check "memory reg: 1 GiB at 0x40000000" has v3el2 "memory@40000000" 'reg = <0x00 0x40000000 0x00 0x40000000>;'
check "cpu@0" has v3el2 "cpu@0" 'compatible = "arm,cortex-a57";'
dts maxcpu --cpu=max --smp=2
check "--cpu=max: cpu@1 is arm,cortex-a57, as QEMU 7.2's max says" has maxcpu "cpu@1" 'compatible = "arm,cortex-a57";'
dts a76cpu --cpu=cortex-a76
check "--cpu=cortex-a76: cpu@0 is arm,cortex-a76" has a76cpu "cpu@0" 'compatible = "arm,cortex-a76";'
check "cpu@0 device_type" has v3el2 "cpu@0" 'device_type = "cpu";'
check "cpu@0 reg (MPIDR Aff0 = 0)" has v3el2 "cpu@0" 'reg = <0x00>;'
check "one PE: no cpu@1" no_node v3el2 "cpu@1"
check "/cpus #address-cells" has v3el2 "cpus" '#address-cells = <0x01>;'
check "psci compatible" has v3el2 "psci" 'compatible = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";'
check "psci method smc at EL2" has v3el2 "psci" 'method = "smc";'
check "psci cpu_on" has v3el2 "psci" 'cpu_on = <0xc4000003>;'
check "psci cpu_off" has v3el2 "psci" 'cpu_off = <0x84000002>;'
check "psci cpu_suspend" has v3el2 "psci" 'cpu_suspend = <0xc4000001>;'
check "psci migrate" has v3el2 "psci" 'migrate = <0xc4000005>;'
check "timer compatible" has v3el2 "timer" 'compatible = "arm,armv8-timer\0arm,armv7-timer";'
check "timer PPIs 13 14 11 10, level" has v3el2 "timer" \
    'interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;'
check "timer always-on" has v3el2 "timer" 'always-on;'
check "pl011 compatible" has v3el2 "pl011@9000000" 'compatible = "arm,pl011\0arm,primecell";'
check "pl011 reg" has v3el2 "pl011@9000000" 'reg = <0x00 0x9000000 0x00 0x1000>;'
check "pl011 SPI 1" has v3el2 "pl011@9000000" 'interrupts = <0x00 0x01 0x04>;'
check "pl011 clock-names" has v3el2 "pl011@9000000" 'clock-names = "uartclk\0apb_pclk";'
clk=$(node_props v3el2 "apb-pclk" | sed -n 's/^phandle = <\(.*\)>;$/\1/p')
check "apb-pclk fixed-clock" has v3el2 "apb-pclk" 'compatible = "fixed-clock";'
check "pl011 clocks are apb-pclk" has v3el2 "pl011@9000000" "clocks = <$clk $clk>;"
check "GICv3 compatible" has v3el2 "intc@8000000" 'compatible = "arm,gic-v3";'
check "GICv3 GICD + one 128 KiB GICR" has v3el2 "intc@8000000" \
    'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x20000>;'
check "GICv3 #redistributor-regions" has v3el2 "intc@8000000" '#redistributor-regions = <0x01>;'
check "GIC interrupt-controller" has v3el2 "intc@8000000" 'interrupt-controller;'
check "GIC #interrupt-cells" has v3el2 "intc@8000000" '#interrupt-cells = <0x03>;'
check "GIC maintenance interrupt PPI 9" has v3el2 "intc@8000000" 'interrupts = <0x01 0x09 0x04>;'
check "pmu compatible (as QEMU's for an AArch64 CPU)" has v3el2 "pmu" 'compatible = "arm,armv8-pmuv3";'
check "pmu PPI 7, level" has v3el2 "pmu" 'interrupts = <0x01 0x07 0x04>;'
check "chosen stdout-path" has v3el2 "chosen" 'stdout-path = "/pl011@9000000";'
check "no bootargs without --append" lacks v3el2 "chosen" 'bootargs'
check "no initrd without --initrd" lacks v3el2 "chosen" 'linux,initrd'
for n in 'flash@[0-9a-f]+' 'fw-cfg@[0-9a-f]+' 'pl031@[0-9a-f]+' 'pl061@[0-9a-f]+' \
         'pcie@[0-9a-f]+' 'gpio-keys'; do
    check "no node for the unmodelled $n" no_node v3el2 "$n"
done
# The GICv3 ITS (issue 20), a child of the GIC node as QEMU 7.2 makes it.
check "ITS node" node v3el2 "its@8080000"
check "ITS compatible" has v3el2 "its@8080000" 'compatible = "arm,gic-v3-its";'
check "ITS msi-controller" has v3el2 "its@8080000" 'msi-controller;'
check "ITS #msi-cells" has v3el2 "its@8080000" '#msi-cells = <0x01>;'
check "ITS control and translation frames" has v3el2 "its@8080000" 'reg = <0x00 0x8080000 0x00 0x20000>;'
check "ITS phandle" has v3el2 "its@8080000" 'phandle = <0x800b>;'
timeout 20 "$AVSIM" dumpdtb "$tmp/again.dtb" 2>/dev/null
check "dumpdtb is deterministic" cmp -s "$tmp/v3el2.dtb" "$tmp/again.dtb"

# 2. Four PEs (also the --smp N form).
dts smp4 --smp 4
for i in 0 1 2 3; do
    check "smp4: cpu@$i reg" has smp4 "cpu@$i" "reg = <0x0$i>;"
    check "smp4: cpu@$i enable-method psci" has smp4 "cpu@$i" 'enable-method = "psci";'
done
check "smp4: no cpu@4" no_node smp4 "cpu@4"
check "smp4: GICR covers 4 x 128 KiB" has smp4 "intc@8000000" \
    'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;'
dts smp4eq --smp=4
check "--smp=4 and --smp 4 give the same tree" cmp -s "$tmp/smp4.dtb" "$tmp/smp4eq.dtb"

# 3. GICv2 at EL2: GICD, GICC, GICH, GICV and the maintenance interrupt; PPIs carry the CPU mask.
dts v2el2 --gic=v2
check "GICv2 compatible" has v2el2 "intc@8000000" 'compatible = "arm,cortex-a15-gic";'
check "GICv2 four frames" has v2el2 "intc@8000000" \
    'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000 0x00 0x8030000 0x00 0x10000 0x00 0x8040000 0x00 0x10000>;'
check "GICv2 maintenance interrupt" has v2el2 "intc@8000000" 'interrupts = <0x01 0x09 0x04>;'
check "GICv2: no redistributor regions" lacks v2el2 "intc@8000000" 'redistributor'
check "GICv2: no ITS" no_node v2el2 'its@[0-9a-f]+'
check "GICv2 timer PPIs for CPU 0" has v2el2 "timer" \
    'interrupts = <0x01 0x0d 0x104 0x01 0x0e 0x104 0x01 0x0b 0x104 0x01 0x0a 0x104>;'
check "GICv2 pmu PPI 7 for CPU 0 (as QEMU)" has v2el2 "pmu" 'interrupts = <0x01 0x07 0x104>;'
dts v2smp4 --gic=v2 --smp=4
check "GICv2 timer PPIs for CPUs 0-3" has v2smp4 "timer" \
    'interrupts = <0x01 0x0d 0xf04 0x01 0x0e 0xf04 0x01 0x0b 0xf04 0x01 0x0a 0xf04>;'

# 4. EL1 (no EL2, as -M virt without virtualization=on): PSCI via HVC, no hypervisor frames.
dts v3el1 --el=1
check "el1: psci method hvc" has v3el1 "psci" 'method = "hvc";'
check "el1: no maintenance interrupt" lacks v3el1 "intc@8000000" 'interrupts'
dts v2el1 --el 1 --gic=v2
check "el1 GICv2: GICD and GICC only" has v2el1 "intc@8000000" \
    'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>;'
check "el1 GICv2: psci method hvc" has v2el1 "psci" 'method = "hvc";'

# 5. --append and --initrd (the initrd where QEMU puts it: RAM + min(RAM/2, 128 MiB)).
size=$(stat -c %s "$INITRD")
dts boot --append="$APPEND" --initrd="$INITRD"
check "bootargs" has boot "chosen" "bootargs = \"$APPEND\";"
check "initrd start at RAM + 128 MiB" has boot "chosen" 'linux,initrd-start = <0x48000000>;'
check "initrd end = start + size" has boot "chosen" "linux,initrd-end = <$(printf '0x%x' $((0x48000000 + size)))>;"
dts small --ram=128M --append "x" --initrd "$INITRD"
check "128 MiB RAM: initrd at RAM + 64 MiB" has small "chosen" 'linux,initrd-start = <0x44000000>;'
check "128 MiB RAM: memory reg" has small "memory@40000000" 'reg = <0x00 0x40000000 0x00 0x8000000>;'
check "--append x" has small "chosen" 'bootargs = "x";'
dts withkernel --kernel="$IMAGE" --append="$APPEND" --initrd="$INITRD"
check "dumpdtb --kernel=Image gives the same tree" cmp -s "$tmp/boot.dtb" "$tmp/withkernel.dtb"
dts withelf --kernel "$ELF" --initrd="$INITRD"
# The tree's free space (up to totalsize, 1 MiB as QEMU's) goes into guest memory and Linux
# feeds the whole blob to its entropy pool: it must be zero, not heap garbage. A 30 MiB
# Image with a 500 KB initrd left a heap chunk header there before.
be32() { od -An -tu4 --endian=big -j "$2" -N 4 "$1" | tr -d ' '; }
cp "$IMAGE" "$tmp/big.Image" && truncate -s 30M "$tmp/big.Image"
head -c 500000 /dev/urandom >"$tmp/half.initrd"
dts bigkernel --kernel="$tmp/big.Image" --initrd="$tmp/half.initrd"
f=$tmp/bigkernel.dtb
total=$(be32 "$f" 4) end_struct=$(($(be32 "$f" 8) + $(be32 "$f" 36))) end_strings=$(($(be32 "$f" 12) + $(be32 "$f" 32)))
end=$((end_struct > end_strings ? end_struct : end_strings))
nonzero=$(tail -c +$((end + 1)) "$f" | head -c $((total - end)) | tr -d '\000' | wc -c)
check "the tree's free space is zero ($((total - end)) bytes, $nonzero not zero)" test "$total" -gt "$end" -a "$nonzero" -eq 0
check "an ELF gets no initrd (as on QEMU)" lacks withelf "chosen" 'linux,initrd'

# 6. Booting: the Image with a gzip wrapper runs the same; a given --dtb is what the guest sees
#    (its /chosen completed by --append and --initrd as QEMU does).
timeout 20 "$AVSIM" run --kernel="$IMAGE" --append="$APPEND" --initrd="$INITRD" >"$tmp/plain.out" 2>&1
check "the Image boots (exit 0)" [ $? -eq 0 ]
check "the Image sees its bootargs" grep -qF "bootargs = \"$APPEND\"" "$tmp/plain.out"
gzip -c "$IMAGE" >"$tmp/Image.gz"
timeout 20 "$AVSIM" run --kernel "$tmp/Image.gz" --append "$APPEND" --initrd "$INITRD" >"$tmp/gz.out" 2>&1
check "a gzipped Image boots like the plain one" cmp -s "$tmp/plain.out" "$tmp/gz.out"
timeout 20 "$AVSIM" dumpdtb --append="something else" "$tmp/other.dtb" 2>/dev/null
timeout 20 "$AVSIM" run --dtb="$tmp/other.dtb" --append="$APPEND" --initrd="$INITRD" "$IMAGE" >"$tmp/dtb.out" 2>&1
check "--dtb with --append/--initrd: the guest passes" [ $? -eq 0 ]
timeout 20 "$AVSIM" run --dtb="$tmp/other.dtb" --initrd="$INITRD" "$IMAGE" >"$tmp/dtb2.out" 2>&1
check "--dtb without --append: the guest sees the given tree's bootargs (and fails its check)" \
    grep -qF 'bootargs = "something else"' "$tmp/dtb2.out"
timeout 20 "$AVSIM" run --dtb="$tmp/v2el1.dtb" --append="$APPEND" --initrd="$INITRD" "$IMAGE" >"$tmp/dtb3.out" 2>&1
check "--dtb: the guest sees the given tree's psci method" grep -qF '/psci method = "hvc"' "$tmp/dtb3.out"

# 7. Bad input: a clear message and status 2.
printf 'this is not a device tree, just some text long enough for a header\n' >"$tmp/garbage.dtb"
head -c 100 "$tmp/v3el2.dtb" >"$tmp/short.dtb"
expect "missing --dtb" 2 "nonexistent.dtb: No such file" -- run --dtb="$tmp/nonexistent.dtb" "$IMAGE"
expect "garbage --dtb" 2 "garbage.dtb: not a valid flattened device tree" -- run --dtb="$tmp/garbage.dtb" "$IMAGE"
expect "truncated --dtb" 2 "short.dtb: not a valid flattened device tree" -- run --dtb "$tmp/short.dtb" "$IMAGE"
expect "garbage --dtb (dumpdtb)" 2 "not a valid flattened device tree" -- dumpdtb --dtb="$tmp/garbage.dtb" "$tmp/x.dtb"
expect "missing --initrd" 2 "--initrd=$tmp/none.img: No such file" -- run --initrd="$tmp/none.img" "$IMAGE"
expect "--el=3" 2 "--el=3: give 1 .* or 2" -- run --el=3 "$ELF"
expect "--el=0" 2 "--el=0: give 1" -- run --el=0 "$ELF"
expect "--smp=9" 2 "--smp=9: give 1 to 8" -- run --smp=9 "$ELF"
expect "--smp=0" 2 "--smp=0: give 1 to 8" -- dumpdtb --smp=0 "$tmp/x.dtb"
expect "--append without a value" 2 "--append needs a value" -- run "$ELF" --append
expect "--kernel and an image" 2 "more than one image" -- run --kernel="$IMAGE" "$ELF"
expect "--kernel twice" 2 "more than one image" -- run --kernel="$IMAGE" --kernel="$ELF"
expect "dumpdtb without a file" 2 "no output file" -- dumpdtb --smp=2
expect "dumpdtb unknown option" 2 "unknown option '--bogus'" -- dumpdtb --bogus "$tmp/x.dtb"
expect "Image with --load-addr" 2 "placed by its header" -- run --load-addr=0x40000000 "$IMAGE"
expect "raw binary with --initrd" 2 "need a Linux Image or an ELF" -- run --load-addr=0x40000000 --initrd="$INITRD" "$INITRD"
head -c 4000 "$tmp/Image.gz" >"$tmp/broken.gz"
expect "truncated gzip" 2 "broken gzip data" -- run "$tmp/broken.gz"

# 8. I/O (issue 16): the SMMUv3 as QEMU 7.2's -M virt,iommu=smmuv3 writes it, the 32 virtio-mmio
#    transports (lowest address first, each with its StreamID behind the SMMU), --smmu=off,
#    --dma-test-device; bad disk options.
smmu_phandle=$(node_props v3el2 "smmuv3@9050000" | sed -n 's/^phandle = <\(.*\)>;$/\1/p')
check "the SMMU has a phandle" [ -n "$smmu_phandle" ]
check "smmuv3 compatible" has v3el2 "smmuv3@9050000" 'compatible = "arm,smmu-v3";'
check "smmuv3 reg" has v3el2 "smmuv3@9050000" 'reg = <0x00 0x9050000 0x00 0x20000>;'
check "smmuv3 SPIs 74-77, edge" has v3el2 "smmuv3@9050000" \
    'interrupts = <0x00 0x4a 0x01 0x00 0x4b 0x01 0x00 0x4c 0x01 0x00 0x4d 0x01>;'
check "smmuv3 interrupt-names" has v3el2 "smmuv3@9050000" 'interrupt-names = "eventq\0priq\0cmdq-sync\0gerror";'
check "smmuv3 dma-coherent" has v3el2 "smmuv3@9050000" 'dma-coherent;'
check "smmuv3 #iommu-cells" has v3el2 "smmuv3@9050000" '#iommu-cells = <0x01>;'
check "virtio_mmio@a000000" has v3el2 "virtio_mmio@a000000" 'compatible = "virtio,mmio";'
check "virtio_mmio@a000000 reg" has v3el2 "virtio_mmio@a000000" 'reg = <0x00 0xa000000 0x00 0x200>;'
check "virtio_mmio@a000000 SPI 16, edge" has v3el2 "virtio_mmio@a000000" 'interrupts = <0x00 0x10 0x01>;'
check "virtio_mmio@a000000 dma-coherent" has v3el2 "virtio_mmio@a000000" 'dma-coherent;'
check "virtio_mmio@a000000 StreamID 0" has v3el2 "virtio_mmio@a000000" "iommus = <$smmu_phandle 0x00>;"
check "virtio_mmio@a003e00 SPI 47" has v3el2 "virtio_mmio@a003e00" 'interrupts = <0x00 0x2f 0x01>;'
check "virtio_mmio@a003e00 StreamID 31" has v3el2 "virtio_mmio@a003e00" "iommus = <$smmu_phandle 0x1f>;"
check "32 transports" [ "$(grep -cE '^[[:space:]]*virtio_mmio@[0-9a-f]+ \{$' "$tmp/v3el2.dts")" -eq 32 ]
check "transports listed lowest address first" \
    [ "$(grep -oE '^[[:space:]]*virtio_mmio@[0-9a-f]+' "$tmp/v3el2.dts" | head -n2 | tr -d ' \t' | tr '\n' ' ')" = \
      "virtio_mmio@a000000 virtio_mmio@a000200 " ]
check "no DMA test device by default" no_node v3el2 'dma-test@c000000'
dts nosmmu --smmu=off --dma-test-device
check "--smmu=off: no SMMU node" no_node nosmmu 'smmuv3@9050000'
check "--smmu=off: the transports stay" has nosmmu "virtio_mmio@a003e00" 'compatible = "virtio,mmio";'
check "--smmu=off: no iommus" lacks nosmmu "virtio_mmio@a000000" 'iommus'
check "--dma-test-device" has nosmmu "dma-test@c000000" 'compatible = "avsim,dma-test";'
check "--dma-test-device SPI 112, level" has nosmmu "dma-test@c000000" 'interrupts = <0x00 0x70 0x04>;'
dts smmuon --smmu=on
check "--smmu=on is the default" cmp -s "$tmp/v3el2.dtb" "$tmp/smmuon.dtb"
mkdir "$tmp/adir"
: >"$tmp/disk.img"
expect "missing --drive file" 2 "--drive=$tmp/nodisk.img: No such file" -- run --drive="$tmp/nodisk.img" "$ELF"
expect "missing --drive file (dumpdtb)" 2 "nodisk.img: No such file" -- dumpdtb --drive="$tmp/nodisk.img" "$tmp/x.dtb"
expect "--drive on a directory" 2 "--drive=$tmp/adir: a directory" -- run --drive="$tmp/adir" "$ELF"
expect "--drive with a bad flag" 2 "--drive=$tmp/disk.img,rx: unknown flag 'rx'" -- run --drive="$tmp/disk.img,rx" "$ELF"
expect "--drive without a file" 2 "--drive=,ro: no file given" -- run --drive=,ro "$ELF"
expect "--drive without a value" 2 "--drive needs a value" -- run "$ELF" --drive
expect "--smmu=maybe" 2 "--smmu=maybe: give on or off" -- run --smmu=maybe "$ELF"
expect "--virtio-rng=abc" 2 "--virtio-rng=abc: give the seed as a number" -- run --virtio-rng=abc "$ELF"
expect "--virtio-console=tty" 2 "--virtio-console=tty: give stdin" -- run --virtio-console=tty "$ELF"
expect "two consoles on stdin" 2 "only one console can read the host's input" -- run --virtio-console=stdin --virtio-console=stdin "$ELF"
many=()
for i in $(seq 33); do many+=(--virtio-rng); done
expect "33 virtio devices" 2 "32 virtio-mmio transports, all taken" -- dumpdtb "${many[@]}" "$tmp/x.dtb"
chmod 0444 "$tmp/disk.img"
if [ "$(id -u)" -ne 0 ]; then
    expect "read-only file without ,ro" 2 "Permission denied.*add ,ro" -- run --drive="$tmp/disk.img" "$ELF"
fi

finish boot_tests
