#!/usr/bin/env bash
# kvmtool with a Linux guest inside Linux (issue 13 point 2): Debian's arm64 kernel boots on avsim
# (or QEMU, the reference) with an initramfs holding the user's lkvm-static, the same kernel as
# the guest's, a guest initramfs and an ext4 disk; the host's /init runs `lkvm run --console
# serial --virtio-transport mmio`, the guest boots to its shell, loads virtio_mmio, virtio_blk and
# ext4, prints the marker file it reads from the disk and powers off, kvmtool ends with
# "KVM session ended normally", and the host powers off. See tests/external/LINUX.md.
#
#   tests/external/kvmtool.sh --lkvm PATH [--avsim PATH | --qemu [--qemu-bin PATH]] [--smp N] [--cpu NAME]
#                             [--guest-mem MIB] [--guest-append ARGS] [--timeout S] [--count]
#                             [--log FILE] [--quiet] [--keep DIR] [--io none|disk|uart [--io-kib N]]
#                             CACHE_DIR
#
#   --lkvm PATH          kvmtool's lkvm-static for arm64 (built by the user, see LINUX.md)
#   --avsim PATH         boot the host on avsim (default: build/avsim)
#   --qemu               boot the host on qemu-system-aarch64 -M virt,virtualization=on,
#                        gic-version=3 -cpu cortex-a57 -m 1G (the reference)
#   --smp N              CPUs of the host and vCPUs of the guest (1-8, default 1)
#   --cpu NAME           the host's CPU (linux-boot.sh --cpu; max: KVM in VHE mode)
#   --guest-mem MIB      the guest's memory, lkvm -m (default 256; the host has 1 GiB)
#   --guest-append ARGS  added to the guest's kernel command line (lkvm -p; default "earlycon
#                        nokaslr cryptomgr.notests"; kvmtool puts console=ttyS0 root=/dev/vda
#                        rw before it, the initramfs's /init runs all the same)
#   --timeout S          seconds before the run counts as hung (default 1800 avsim, 300 QEMU)
#   --count, --log FILE, --quiet, --qemu-bin PATH   as tests/external/linux-boot.sh
#   --keep DIR           keep the images built here in DIR (host-initrd.gz, guest-initrd.gz,
#                        disk.img) to rerun them by hand
#   --io MODE            issue 17's I/O comparison (tests/external/kvmtool-io.sh): the same N KiB
#                        text file (data.txt) goes on the disk and into the guest's initramfs, and
#                        the guest, after the marker, moves it through one path: disk = reads
#                        /mnt/data.txt from its virtio-blk disk; uart = writes /data.txt (from its
#                        initramfs, in memory) to its console, kvmtool's emulated 8250; none =
#                        neither (the baseline: /data.txt's md5 from RAM). Each prints the length
#                        and md5 of the file (the same commands in every mode), checked here
#   --io-kib N           the file's size in KiB (default 16; 1-4096)
# CACHE_DIR is the scripts/fetch-linux.sh cache (Image, initramfs/, modules/ with virtio_mmio,
# virtio_blk, ext4, jbd2, mbcache, crc16, crc32c_generic); it is fetched when incomplete.
#
# The boot, its timing, the avsim statistics and the RESULT line come from linux-boot.sh.
# Exit status: 0 pass, 1 fail, 2 bad usage, 77 skipped (no --lkvm, the kernel cache or mke2fs
# unavailable, or whatever makes linux-boot.sh skip).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

lkvm="" sim=avsim avsim="" smp=1 cpu=cortex-a57 mem=256 tmo="" cache="" keep="" io="" io_kib=16
gappend="earlycon nokaslr cryptomgr.notests"
fwd=()
# The guest's modules, dependencies first: ext4 needs jbd2, mbcache, crc16, and crc32c (which
# jbd2 and ext4 ask the crypto API for).
GUEST_MODULES="virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4"
# What the guest reads from its disk: the check wants this exact line from the guest.
MARKER="avsim-kvmtool-disk-marker 4c1d7e52"

usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bad() { echo "kvmtool: $*" >&2; exit 2; }
skip() { echo "kvmtool: SKIP: $*"; echo "RESULT sim=$sim smp=$smp status=skip"; exit 77; }
need_arg() { [ $# -ge 2 ] || bad "$1 needs a value"; }
while [ $# -gt 0 ]; do
    case $1 in
        --lkvm) need_arg "$@"; lkvm=$2; shift ;;
        --lkvm=*) lkvm=${1#*=} ;;
        --avsim) need_arg "$@"; sim=avsim; avsim=$2; shift ;;
        --avsim=*) sim=avsim; avsim=${1#*=} ;;
        --qemu) sim=qemu ;;
        --qemu-bin) need_arg "$@"; fwd+=(--qemu-bin "$2"); shift ;;
        --qemu-bin=*) fwd+=("$1") ;;
        --smp) need_arg "$@"; smp=$2; shift ;;
        --smp=*) smp=${1#*=} ;;
        --cpu) need_arg "$@"; cpu=$2; shift ;;
        --cpu=*) cpu=${1#*=} ;;
        --guest-mem) need_arg "$@"; mem=$2; shift ;;
        --guest-mem=*) mem=${1#*=} ;;
        --guest-append) need_arg "$@"; gappend=$2; shift ;;
        --guest-append=*) gappend=${1#*=} ;;
        --timeout) need_arg "$@"; tmo=$2; shift ;;
        --timeout=*) tmo=${1#*=} ;;
        --log) need_arg "$@"; fwd+=(--log "$2"); shift ;;
        --log=*) fwd+=("$1") ;;
        --count|--quiet) fwd+=("$1") ;;
        --keep) need_arg "$@"; keep=$2; shift ;;
        --keep=*) keep=${1#*=} ;;
        --io) need_arg "$@"; io=$2; shift ;;
        --io=*) io=${1#*=} ;;
        --io-kib) need_arg "$@"; io_kib=$2; shift ;;
        --io-kib=*) io_kib=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "kvmtool: unknown option $1" >&2; usage ;;
        *) [ -z "$cache" ] || bad "one CACHE_DIR only ('$cache', then '$1')"; cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || bad "no CACHE_DIR (the scripts/fetch-linux.sh cache, e.g. build/linux)"
[[ $smp =~ ^[1-8]$ ]] || bad "--smp wants 1 to 8, got '$smp'"
[[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 64 ] && [ "$mem" -le 768 ] ||
    bad "--guest-mem wants MiB from 64 to 768 (the host has 1 GiB), got '$mem'"
[ -z "$tmo" ] || [[ $tmo =~ ^[0-9]+$ ]] || bad "--timeout wants seconds, got '$tmo'"
[ -n "$tmo" ] || { [ "$sim" = avsim ] && tmo=1800 || tmo=300; }
case $io in ""|none|disk|uart) ;; *) bad "--io wants none, disk or uart, got '$io'" ;; esac
[[ $io_kib =~ ^[0-9]+$ ]] && [ "$io_kib" -ge 1 ] && [ "$io_kib" -le 4096 ] ||
    bad "--io-kib wants KiB from 1 to 4096, got '$io_kib'"

[ -n "$lkvm" ] || skip "no lkvm-static given (--lkvm PATH, or -DAVSIM_LKVM=PATH for CTest);" \
    "build it from upstream kvmtool as tests/external/LINUX.md shows"
[ -f "$lkvm" ] || bad "--lkvm $lkvm: no such file"
# An arm64 executable: ELF magic, ELFCLASS64, e_machine EM_AARCH64 (183) at offset 18.
hdr=$(od -An -tx1 -N20 "$lkvm" | tr -d ' \n')
[ "${hdr:0:10}" = 7f454c4602 ] && [ "${hdr:36:4}" = b700 ] ||
    bad "--lkvm $lkvm is not an AArch64 ELF executable (build with ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)"
# Static: no PT_INTERP (3) among the program headers (e_phoff at 32, e_phentsize at 54, e_phnum
# at 56; little-endian).
le() { od -An -t"u$2" -j "$1" -N "$2" "$lkvm" | tr -d ' '; }
phoff=$(le 32 8) phentsize=$(le 54 2) phnum=$(le 56 2) interp=0
for ((i = 0; i < phnum; i++)); do
    [ "$(le $((phoff + i * phentsize)) 4)" = 3 ] && interp=1
done
[ $interp -eq 0 ] ||
    bad "--lkvm $lkvm is dynamically linked; the initramfs has no libc: build the lkvm-static target"
command -v mke2fs >/dev/null 2>&1 && command -v debugfs >/dev/null 2>&1 ||
    skip "mke2fs or debugfs missing (Debian package e2fsprogs)"

# The kernel cache: Image, the busybox tree and the guest's modules.
cache_ok() {
    [ -s "$cache/Image" ] && [ -x "$cache/initramfs/bin/busybox" ] || return 1
    for m in $GUEST_MODULES; do [ -s "$cache/modules/$m.ko" ] || return 1; done
}
if ! cache_ok; then
    rc=0
    "$top/scripts/fetch-linux.sh" "$cache" || rc=$?
    [ $rc -eq 77 ] && skip "the kernel cache $cache is incomplete and Debian's packages cannot be fetched (see above)"
    [ $rc -eq 0 ] || { echo "kvmtool: FAIL: scripts/fetch-linux.sh $cache failed ($rc)"; exit 1; }
    cache_ok || skip "the kernel cache $cache lacks one of the modules $GUEST_MODULES" \
        "(refresh it: scripts/fetch-linux.sh --refresh $cache)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmtool.XXXXXX")
trap 'rm -rf "$work"' EXIT
die() { echo "kvmtool: FAIL: $*"; exit 1; }

# The disk: a small ext4 holding marker.txt. Fixed UUID, hash seed and times, so that the same
# inputs give the same bytes (avsim's runs stay comparable).
mkdir -p "$work/disk"
printf '%s\n' "$MARKER" >"$work/disk/marker.txt"
io_files=()
if [ -n "$io" ]; then
    # --io: data.txt, io_kib KiB of 64-byte text lines (printable: kvmtool's console passes them
    # as they are), on the disk and in the guest's initramfs; the guest learns the mode from its
    # command line (kvmtool_io=MODE).
    awk -v n=$((io_kib * 16)) 'BEGIN { for (i = 0; i < n; i++)
        printf "kvmtool-io line %06d abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\n", i }' >"$work/disk/data.txt"
    io_md5=$(md5sum <"$work/disk/data.txt" | cut -c1-32)
    io_files=(--file "$work/disk/data.txt=/data.txt")
    gappend="$gappend kvmtool_io=$io"
fi
touch -d @1 "$work/disk/"*.txt "$work/disk"
export E2FSPROGS_FAKE_TIME=1
mke2fs -q -F -t ext4 -L avsim-kvmtool -U 5d1c1a6e-9b2f-4e55-8d3c-7a0f00000001 \
    -E root_owner=0:0,hash_seed=5d1c1a6e-9b2f-4e55-8d3c-7a0f00000002 -d "$work/disk" \
    "$work/disk.img" 8M >"$work/mke2fs.log" 2>&1 || die "mke2fs: $(cat "$work/mke2fs.log")"
# mke2fs -d copies the source file's ctime and atime, which touch cannot set.
{
    printf 'sif /marker.txt %s 1\n' ctime atime mtime
    [ -z "$io" ] || printf 'sif /data.txt %s 1\n' ctime atime mtime
} | debugfs -w -f - "$work/disk.img" >"$work/debugfs.log" 2>&1 || die "debugfs: $(cat "$work/debugfs.log")"
unset E2FSPROGS_FAKE_TIME

# The guest's initramfs, then the host's around it.
mods=()
for m in $GUEST_MODULES; do mods+=(--module "$m"); done
"$here/mkinitramfs.sh" --cache "$cache" --init "$here/kvmtool-guest-init.sh" "${mods[@]}" ${io_files[@]+"${io_files[@]}"} \
    "$work/guest-initrd.gz" || die "mkinitramfs.sh (guest) failed"
{
    echo "LKVM_CPUS=$smp"
    echo "LKVM_MEM=$mem"
    printf 'LKVM_APPEND=%q\n' "$gappend"
} >"$work/lkvm.conf"
"$here/mkinitramfs.sh" --cache "$cache" --init "$here/kvmtool-host-init.sh" \
    --file "$lkvm=/bin/lkvm-static" --file "$cache/Image=/guest/Image" \
    --file "$work/guest-initrd.gz=/guest/initrd.gz" --file "$work/disk.img=/guest/disk.img" \
    --file "$work/lkvm.conf=/guest/lkvm.conf" "$work/host-initrd.gz" || die "mkinitramfs.sh (host) failed"
if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp "$work/host-initrd.gz" "$work/guest-initrd.gz" "$work/disk.img" "$keep/" ||
        die "cannot keep the images in $keep"
fi

# The boot and the checks, in the order the lines must appear: the host runs lkvm, the guest
# kernel boots, its /init (a busybox shell) runs with the vCPUs asked for, reads the marker from
# the disk, the guest powers off, kvmtool ends cleanly, and so does the host.
io_expect=()
[ -z "$io" ] ||
    io_expect=(--expect-next "^KVMTOOL-GUEST: io $io: $((io_kib * 1024)) bytes, md5 $io_md5\$")
cpus=0
[ "$smp" -gt 1 ] && cpus=0-$((smp - 1))
sims=(--avsim "${avsim:-$top/build/avsim}")
[ "$sim" = qemu ] && sims=(--qemu)
"$here/linux-boot.sh" "${sims[@]}" --label kvmtool --smp "$smp" --cpu "$cpu" --timeout "$tmo" \
    --initrd "$work/host-initrd.gz" ${fwd[@]+"${fwd[@]}"} \
    --expect-next '^AVSIM-KVMTOOL: lkvm run' \
    --expect-next 'Booting Linux on physical CPU' \
    --expect-next "^KVMTOOL-GUEST: shell up, .*, cpus online: $cpus\$" \
    --expect-next "^KVMTOOL-GUEST: marker: $MARKER\$" \
    ${io_expect[@]+"${io_expect[@]}"} \
    --expect-next 'reboot: Power down' \
    --expect-next 'KVM session ended normally' \
    --expect-next '^AVSIM-KVMTOOL: lkvm exit status 0$' \
    --expect-next 'reboot: Power down' \
    "$cache"
