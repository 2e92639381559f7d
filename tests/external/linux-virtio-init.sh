#!/bin/sh
# /init of the initramfs tests/external/linux-virtio.sh builds: Debian's virtio modules driven
# through avsim's SMMUv3. Loads the modules, shows the SMMU driver's probe line and the IOMMU
# groups, reads a file from the ext4 disk /dev/vda (its sha256sum), writes one, reads
# /dev/hwrng, writes a line to /dev/hvc0, powers off. Every line for the host starts with
# AVSIM-VIRTIO: (the hvc0 line with AVSIM-HVC0:, and only on hvc0).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "AVSIM-VIRTIO: $*"; }
say "init, $(uname -r), cmdline: $(cat /proc/cmdline)"
# Dependency order: the transport, the three devices, then ext4 and what it needs.
for m in virtio_mmio virtio_blk virtio-rng virtio_console crc16 mbcache jbd2 crc32c_generic ext4; do
    insmod /lib/modules/$m.ko || say "insmod $m failed"
done
dmesg | grep -E 'arm-smmu-v3|iommu: Default domain' | sed 's/^\[[ 0-9.]*\] //; s/^/AVSIM-VIRTIO: dmesg: /'
# The disk and the console appear once their drivers probed (asynchronous parts: wait a little).
for i in $(seq 50); do
    [ -b /dev/vda ] && [ -c /dev/hvc0 ] && break
    sleep 0.1
done
for d in /sys/kernel/iommu_groups/*/devices/*; do
    [ -e "$d" ] || continue
    g=${d%/devices/*}
    say "iommu group ${g##*/} ($(cat "$g/type" 2>/dev/null)): ${d##*/}"
done
grep -E 'virtio|smmu' /proc/interrupts | sed 's/  */ /g; s/^/AVSIM-VIRTIO: irq: /'
mkdir -p /mnt
if mount -t ext4 /dev/vda /mnt; then
    say "sha256 $(sha256sum /mnt/hello.txt | cut -d' ' -f1)"
    echo "written by Linux on avsim through virtio-blk" >/mnt/written.txt
    seq 1 2000 >>/mnt/written.txt
    sync
    umount /mnt && say "unmounted"
else
    say "mount /dev/vda failed"
fi
say "hwrng: $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
say "hwrng bytes $(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
if [ -c /dev/hvc0 ]; then
    # hvc0 stays open while the host types a line (avsim --virtio-console=stdin; the test writes it
    # once it sees the line below, as a user types at a prompt): a tty's last close discards input.
    exec 3<>/dev/hvc0
    echo "AVSIM-HVC0: hello from hvc0" >&3
    if read line <&3; then say "hvc0 read: $line"; else say "hvc0 read nothing"; fi
    exec 3>&-
else
    say "no /dev/hvc0"
fi
say "done"
poweroff -f
