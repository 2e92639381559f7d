#!/bin/sh
# /init of the KVM guest that tests/external/kvmtool.sh boots with `lkvm run` inside Linux (see
# tests/external/LINUX.md, "kvmtool with a Linux guest"). kvmtool describes its virtio-blk disk
# as a virtio,mmio node (--virtio-transport mmio); Debian builds virtio_mmio, virtio_blk and ext4
# as modules, so they are loaded here, dependencies first (busybox insmod does not resolve them).
# The disk holds marker.txt, which the guest prints; then it powers off (PSCI SYSTEM_OFF), which
# ends kvmtool's run.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "KVMTOOL-GUEST: shell up, $(uname -r), cpus online: $(cat /sys/devices/system/cpu/online)"
for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do
    insmod "/lib/modules/$m.ko" || echo "KVMTOOL-GUEST: insmod $m failed"
done
# virtio_blk registers /dev/vda from its probe; give devtmpfs up to 10 s to show it.
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if mount -t ext4 -o ro /dev/vda /mnt; then
    echo "KVMTOOL-GUEST: marker: $(cat /mnt/marker.txt)"
    # kvmtool.sh --io (issue 17): move data.txt through one device, then say what moved. Every
    # mode runs the same md5sum and wc, so that the runs differ only in where the bytes go.
    case " $(cat /proc/cmdline) " in
    *" kvmtool_io=none "*)
        # The baseline: the file from the initramfs (RAM), no device.
        echo "KVMTOOL-GUEST: io none: $(wc -c </data.txt) bytes, md5 $(md5sum </data.txt | cut -c1-32)" ;;
    *" kvmtool_io=disk "*)
        # Read from the virtio-blk disk: not in the page cache yet, so the device delivers it.
        sum=$(md5sum </mnt/data.txt | cut -c1-32)
        echo "KVMTOOL-GUEST: io disk: $(wc -c </mnt/data.txt) bytes, md5 $sum" ;;
    *" kvmtool_io=uart "*)
        # Written to the console, kvmtool's emulated 8250 (the file is in the initramfs: RAM).
        cat /data.txt
        echo "KVMTOOL-GUEST: io uart: $(wc -c </data.txt) bytes, md5 $(md5sum </data.txt | cut -c1-32)" ;;
    esac
    umount /mnt
else
    echo "KVMTOOL-GUEST: cannot mount /dev/vda as ext4"
    ls -l /dev/vd* 2>&1
fi
echo "KVMTOOL-GUEST: powering off"
poweroff -f
