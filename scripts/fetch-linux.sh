#!/usr/bin/env bash
# Fetches Debian's arm64 Linux kernel and busybox-static and builds a tiny initramfs for the
# Linux boot test (tests/external/linux-boot.sh, tests/external/LINUX.md).
#
#   scripts/fetch-linux.sh [--refresh] [DEST]        DEST defaults to build/linux
#
# Produces in DEST:
#   Image         the uncompressed arm64 Image (arm64 Image protocol, "ARM\x64" at offset 0x38)
#   vmlinuz       the kernel as Debian ships it (Debian 12: an uncompressed Image with an EFI stub;
#                 a gzip-compressed one is decompressed with zcat)
#   Image.gz      Image compressed with gzip (for the loaders' gzip path)
#   initrd.gz     cpio newc + gzip: busybox + /init (mounts proc/sys/devtmpfs, prints the kvm lines
#                 of dmesg, ls -l /dev/kvm, prints AVSIM-LINUX-OK when KVM initialized, poweroff -f)
#   initramfs/    the tree initrd.gz was made from (busybox and /init); tests/external/mkinitramfs.sh
#                 builds other initramfs images from it
#   modules/      a few modules of the kernel package, flat (NAME.ko): the virtio-mmio transport and
#                 virtio devices, ext4 and what it needs (for KVM guests: tests/external/kvmtool.sh)
#   version       the kernel package name and version
#   debs/         the downloaded .deb files
# Idempotent: a complete cache (Image, initrd.gz, version) is reused as it is; with --refresh the
# package lists are updated and a newer kernel or busybox is fetched when Debian has one.
# Exit status: 0 ready, 77 packages cannot be fetched (the test is skipped), 1 other errors.
# Nothing it produces is committed (build/ is ignored).
set -euo pipefail

refresh=0
[ "${1:-}" = --refresh ] && { refresh=1; shift; }
DEST=${1:-build/linux}
skip() { echo "fetch-linux: SKIP: $*" >&2; exit 77; }
die()  { echo "fetch-linux: ERROR: $*" >&2; exit 1; }
log()  { echo "fetch-linux: $*" >&2; }

# The modules kept from the kernel package (modules/NAME.ko), in an order insmod can follow.
MODULES="virtio_mmio virtio_blk virtio-rng virtio_console crc16 mbcache jbd2 crc32c_generic ext4"
have_modules() { for m in $MODULES; do [ -s "$DEST/modules/$m.ko" ] || return 1; done; }

# The revision of the /init written below (2: KVM in VHE mode counts too); a cache made with an
# older /init is rebuilt.
INIT_REV="init 2"
if [ $refresh -eq 0 ] && [ -s "$DEST/Image" ] && [ -s "$DEST/Image.gz" ] && [ -s "$DEST/initrd.gz" ] &&
   [ -s "$DEST/version" ] && grep -q " $INIT_REV\$" "$DEST/version" && have_modules; then
    log "cached: $(cat "$DEST/version") ($DEST; --refresh to look for a newer kernel)"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
APT_LOCK=(-o DPkg::Lock::Timeout=300)

command -v dpkg >/dev/null && command -v apt-get >/dev/null || skip "not a Debian system (no dpkg/apt-get)"

# Host tools: cpio (initramfs), file (format check), gzip.
need=()
command -v cpio >/dev/null || need+=(cpio)
command -v file >/dev/null || need+=(file)
command -v gzip >/dev/null || need+=(gzip)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    $SUDO apt-get "${APT_LOCK[@]}" install -y -qq "${need[@]}" >&2 || skip "cannot install ${need[*]}"
fi

# arm64 as a foreign architecture, so that apt knows the arm64 package lists.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "dpkg --add-architecture arm64"
    $SUDO dpkg --add-architecture arm64 || skip "cannot add the arm64 architecture (not root?)"
    $SUDO apt-get "${APT_LOCK[@]}" update -qq >&2 || skip "apt-get update failed"
elif [ $refresh -eq 1 ] || ! apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1; then
    $SUDO apt-get "${APT_LOCK[@]}" update -qq >&2 || skip "apt-get update failed"
fi

# The versioned kernel package the metapackage depends on, e.g. linux-image-6.1.0-56-arm64.
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n1) || kpkg=""
[ -n "$kpkg" ] || skip "cannot resolve linux-image-arm64:arm64 (no arm64 package lists?)"
kver=$(apt-cache policy "$kpkg:arm64" 2>/dev/null | sed -n 's/^ *Candidate: //p') || kver=""
[ -n "$kver" ] && [ "$kver" != "(none)" ] || skip "$kpkg:arm64 has no candidate version"
bver=$(apt-cache policy busybox-static:arm64 2>/dev/null | sed -n 's/^ *Candidate: //p') || bver=""
[ -n "$bver" ] && [ "$bver" != "(none)" ] || skip "busybox-static:arm64 has no candidate version"

mkdir -p "$DEST/debs"
DEST=$(cd "$DEST" && pwd)
# Concurrent runs (ctest -j) wait for each other instead of downloading into the same place.
if command -v flock >/dev/null; then
    exec 9>"$DEST/.lock"
    flock 9
fi
want="$kpkg $kver busybox-static $bver $INIT_REV"
if [ -f "$DEST/version" ] && [ "$(cat "$DEST/version")" = "$want" ] &&
   [ -s "$DEST/Image" ] && [ -s "$DEST/Image.gz" ] && [ -s "$DEST/initrd.gz" ] && have_modules; then
    log "up to date: $want ($DEST)"
    exit 0
fi

# apt-get download writes into the current directory; as root, the _apt sandbox user cannot
# write there, hence the harmless 'unsandboxed' warning (silenced).
log "downloading $kpkg:arm64 $kver and busybox-static:arm64 $bver"
rm -f "$DEST"/debs/*.deb
(cd "$DEST/debs" && apt-get -o APT::Sandbox::User=root download "$kpkg:arm64=$kver" "busybox-static:arm64=$bver" >&2) ||
    skip "apt-get download failed (no network or repository?)"
kdeb=$(ls "$DEST"/debs/linux-image-*_arm64.deb | head -n1)
bdeb=$(ls "$DEST"/debs/busybox-static_*_arm64.deb | head -n1)

# The kernel: /boot/vmlinuz-* in the package.
rm -rf "$DEST/kpkg" && mkdir -p "$DEST/kpkg"
dpkg-deb -x "$kdeb" "$DEST/kpkg"
vmlinuz=$(ls "$DEST"/kpkg/boot/vmlinuz-* | head -n1)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kdeb"
cp "$vmlinuz" "$DEST/vmlinuz"
ftype=$(file -b "$DEST/vmlinuz")
log "vmlinuz: $ftype"
case "$ftype" in
    gzip*) zcat "$DEST/vmlinuz" > "$DEST/Image.tmp" ;;
    *PE32+*|*"Linux kernel ARM64 boot executable"*) cp "$DEST/vmlinuz" "$DEST/Image.tmp" ;;
    *) die "unexpected kernel format: $ftype" ;;
esac
# arm64 Image header: magic "ARM\x64" at 0x38 (an EFI-stub Image is also a PE file: "MZ" at 0).
magic=$(dd if="$DEST/Image.tmp" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ "$magic" = "41524d64" ] || die "the kernel is not an arm64 Image (magic $magic)"
mv "$DEST/Image.tmp" "$DEST/Image"
# A gzip-compressed Image as well, for loaders' gzip path (QEMU and avsim --kernel take both).
gzip -n -6 -c "$DEST/Image" > "$DEST/Image.gz"
log "Image: $(file -b "$DEST/Image")"
cp "$DEST"/kpkg/boot/config-* "$DEST/config" 2>/dev/null || true
cp "$DEST"/kpkg/boot/System.map-* "$DEST/System.map" 2>/dev/null || true
rm -rf "$DEST/modules" && mkdir -p "$DEST/modules"
for m in $MODULES; do
    ko=$(find "$DEST"/kpkg/lib/modules -name "$m.ko" | head -n1)
    [ -n "$ko" ] || die "module $m.ko is not in $kdeb"
    cp "$ko" "$DEST/modules/$m.ko"
done
rm -rf "$DEST/kpkg"

# The initramfs: busybox (static) and /init.
root="$DEST/initramfs"
rm -rf "$root" && mkdir -p "$root"
rm -rf "$DEST/bbpkg" && mkdir -p "$DEST/bbpkg"
dpkg-deb -x "$bdeb" "$DEST/bbpkg"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc}
cp "$DEST/bbpkg/bin/busybox" "$root/bin/busybox"
rm -rf "$DEST/bbpkg"
for a in sh mount umount ls cat dmesg grep echo uname sleep sync mkdir; do
    ln -sf busybox "$root/bin/$a"
done
ln -sf ../bin/busybox "$root/sbin/poweroff"
cat > "$root/init" <<'EOF'
#!/bin/sh
# avsim Linux boot test (scripts/fetch-linux.sh)
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "AVSIM-INIT: $(uname -a)"
echo "AVSIM-INIT: cpus online: $(cat /sys/devices/system/cpu/online)"
echo "AVSIM-INIT: kvm lines in dmesg:"
dmesg | grep -i kvm
echo "AVSIM-INIT: boot cpu mode:"
dmesg | grep -i -e 'CPU: All CPU(s) started' -e 'EL2' | head -n 5
ls -l /dev/kvm
if [ -c /dev/kvm ] && dmesg | grep -q -e 'Hyp mode initialized successfully' -e 'VHE mode initialized successfully'; then
    echo "AVSIM-LINUX-OK"
else
    echo "AVSIM-LINUX-FAIL"
fi
sync
poweroff -f
EOF
chmod 755 "$root/init"
# A fixed timestamp and owner (and cpio --reproducible: no inode or device numbers) make the
# archive reproducible.
repro=""
cpio --help 2>/dev/null | grep -q -- --reproducible && repro=--reproducible
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet $repro) | gzip -9n > "$DEST/initrd.gz"
# No /dev/console node is needed here: the kernel's built-in default initramfs (unpacked before
# this one) provides /dev/console, which init's stdin/stdout/stderr are opened on.
echo "$want" > "$DEST/version"
log "ready: $DEST/Image $DEST/initrd.gz ($want)"
