#!/bin/sh
# /init of the Linux host that tests/external/kvmtool.sh boots on avsim or QEMU (see
# tests/external/LINUX.md, "kvmtool with a Linux guest"). The initramfs holds /bin/lkvm-static
# (built by the user from upstream kvmtool), /guest/Image (the same kernel as the host's),
# /guest/initrd.gz (tests/external/kvmtool-guest-init.sh as its /init), /guest/disk.img (ext4
# with marker.txt) and /guest/lkvm.conf, which sets LKVM_CPUS, LKVM_MEM (MiB) and LKVM_APPEND
# (the guest's kernel command line).
export PATH=/bin:/sbin HOME=/tmp    # lkvm keeps its sockets in $HOME/.lkvm
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
. /guest/lkvm.conf
echo "AVSIM-INIT: $(uname -a)"
echo "AVSIM-INIT: cpus online: $(cat /sys/devices/system/cpu/online)"
ls -l /dev/kvm
if [ -c /dev/kvm ] && dmesg | grep -q -e 'Hyp mode initialized successfully' -e 'VHE mode initialized successfully'; then
    echo "AVSIM-LINUX-OK"
else
    echo "AVSIM-LINUX-FAIL"
fi
# The guest's console is kvmtool's 8250 UART (--console serial adds console=ttyS0 to the guest's
# command line) on lkvm's stdout, which is this console; lkvm's stdin is /dev/null, so nothing
# reaches the guest's input. No network: kvmtool would add a user-mode virtio-net otherwise.
echo "AVSIM-KVMTOOL: lkvm run -c $LKVM_CPUS -m $LKVM_MEM --console serial --virtio-transport mmio"
lkvm-static run -k /guest/Image -i /guest/initrd.gz -d /guest/disk.img \
    -c "$LKVM_CPUS" -m "$LKVM_MEM" --console serial --virtio-transport mmio \
    --network mode=none -p "$LKVM_APPEND" --name avsim-guest </dev/null
echo "AVSIM-KVMTOOL: lkvm exit status $?"
sync
poweroff -f
