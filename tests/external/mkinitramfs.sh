#!/usr/bin/env bash
# Builds an initramfs (cpio newc + gzip, reproducible) from the busybox tree that
# scripts/fetch-linux.sh leaves in CACHE_DIR/initramfs, with an /init of your own, extra files and
# kernel modules. The Linux-level tests use it to put their programs (the KVM API example,
# lkvm-static, a guest kernel and its initramfs) into the host's initramfs.
#
#   tests/external/mkinitramfs.sh --cache CACHE_DIR --init SCRIPT [--file SRC=DEST ...]
#                                 [--module NAME ...] OUT.gz
#
#   --cache DIR      the fetch-linux.sh cache (DIR/initramfs, DIR/modules); fetched when missing
#   --init SCRIPT    becomes /init (mode 755)
#   --file SRC=DEST  copies SRC to DEST inside the image (DEST absolute; directories are made)
#   --module NAME    copies CACHE_DIR/modules/NAME.ko to /lib/modules/NAME.ko (load it from /init
#                    with insmod, in dependency order)
#
# Every busybox applet the tests use gets a link in /bin (see APPLETS). Nothing depends on the
# host's time or inode numbers: the same inputs give the same bytes.
# Exit status: 0 built, 77 the cache cannot be fetched (callers skip), 2 bad usage, 1 other errors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
die() { echo "mkinitramfs: ERROR: $*" >&2; exit 1; }
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

APPLETS="sh ash mount umount ls cat dmesg grep echo uname sleep sync mkdir insmod rmmod lsmod dd
md5sum sha256sum cmp od hexdump head tail wc tr sed awk cut mknod chmod cp mv rm ln true false test
printf seq date sort uniq find xargs stat df free ps kill env nproc taskset time timeout basename
dirname readlink realpath tee touch yes expr poweroff reboot halt"

cache="" init="" out=""
files=() modules=()
while [ $# -gt 0 ]; do
    case $1 in
        --cache) cache=$2; shift ;;
        --cache=*) cache=${1#*=} ;;
        --init) init=$2; shift ;;
        --init=*) init=${1#*=} ;;
        --file) files+=("$2"); shift ;;
        --file=*) files+=("${1#*=}") ;;
        --module) modules+=("$2"); shift ;;
        --module=*) modules+=("${1#*=}") ;;
        -h|--help) usage ;;
        -*) echo "mkinitramfs: unknown option $1" >&2; usage ;;
        *) [ -z "$out" ] || usage; out=$1 ;;
    esac
    shift
done
[ -n "$cache" ] && [ -n "$init" ] && [ -n "$out" ] || usage
[ -f "$init" ] || die "no init script $init"

if [ ! -x "$cache/initramfs/bin/busybox" ] || [ ! -d "$cache/modules" ]; then
    rc=0
    "$top/scripts/fetch-linux.sh" "$cache" || rc=$?
    [ $rc -eq 0 ] || exit $rc
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
cp -a "$cache/initramfs/." "$root/"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,mnt,lib/modules}
for a in $APPLETS; do
    [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
install -m 755 "$init" "$root/init"
for f in ${files[@]+"${files[@]}"}; do
    src=${f%%=*} dst=${f#*=}
    [ "$src" != "$f" ] && [ "${dst#/}" != "$dst" ] || die "--file wants SRC=/DEST, got '$f'"
    [ -f "$src" ] || die "no file $src"
    mkdir -p "$root$(dirname "$dst")"
    cp "$src" "$root$dst"
done
for m in ${modules[@]+"${modules[@]}"}; do
    [ -s "$cache/modules/$m.ko" ] || die "no module $m.ko in $cache/modules (scripts/fetch-linux.sh keeps a list)"
    cp "$cache/modules/$m.ko" "$root/lib/modules/$m.ko"
done

repro=""
cpio --help 2>/dev/null | grep -q -- --reproducible && repro=--reproducible
find "$root" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet $repro) | gzip -6n > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(wc -c < "$out") bytes)" >&2
