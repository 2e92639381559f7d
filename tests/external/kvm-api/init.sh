#!/bin/sh
# /init of the KVM API example's initramfs (tests/external/kvm-api.sh builds it with
# mkinitramfs.sh): the Linux boot test's checks (AVSIM-INIT lines, /dev/kvm, AVSIM-LINUX-OK as
# in scripts/fetch-linux.sh's /init), then /kvm-api with one vCPU and with two, then power off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "AVSIM-INIT: $(uname -a)"
echo "AVSIM-INIT: cpus online: $(cat /sys/devices/system/cpu/online)"
dmesg | grep -i kvm
ls -l /dev/kvm
if [ -c /dev/kvm ] && dmesg | grep -q -e 'Hyp mode initialized successfully' -e 'VHE mode initialized successfully'; then
    echo AVSIM-LINUX-OK
else
    echo AVSIM-LINUX-FAIL
fi
# Kernel messages would cut into the program's lines on the console: only emergencies now.
dmesg -n 1
for n in 1 2; do
    /kvm-api --vcpus $n --timeout 10
    echo "AVSIM-INIT: kvm-api --vcpus $n: exit status $?"
done
# What the kernel said meanwhile (KVM's complaints, if any), after the compared lines.
dmesg | grep -i -e kvm -e 'Unable to handle' -e 'Internal error' -e BUG -e WARNING | tail -n 20
sync
poweroff -f
