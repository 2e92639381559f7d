#!/usr/bin/env bash
# Debian's Linux drives avsim's virtio-mmio devices through its SMMUv3 (issue 16 point 3; see
# tests/external/LINUX.md). The initramfs (mkinitramfs.sh, /init = linux-virtio-init.sh) loads
# Debian's virtio_mmio, virtio_blk, virtio-rng, virtio_console and ext4 modules; the machine has
# a virtio-blk disk (a copy of an ext4 image made here with mke2fs -d, holding hello.txt), a
# virtio-rng and a virtio-console. Checks, on the console and on the host:
#   - arm-smmu-v3 probed: "arm-smmu-v3 9050000.smmuv3: ias N-bit, oas N-bit (features 0x...)";
#   - the three virtio transports are in IOMMU groups (type DMA, or identity with passthrough);
#   - the guest's sha256sum of hello.txt is the host's;
#   - the file the guest wrote (written.txt) is in the image afterwards (debugfs -R cat);
#   - /dev/hwrng gave 32 bytes, the same in a second boot (with --twice: the console output of two
#     boots is the same up to the guest's hvc0 line below, after which it waits for typed input);
#   - the line written to /dev/hvc0 reached avsim's stdout, and a line typed on avsim's stdin
#     (--virtio-console=stdin; written once that hvc0 line is out, as a user types at a prompt)
#     reached the guest's /dev/hvc0;
#   - --stats: the SMMU's figures per StreamID (transactions, TLB lookups and hits, walks).
# Then the same with iommu.passthrough=1 (the driver's STEs in bypass: the stats show bypass
# transactions and no walks), and with --smmu=off (no SMMU: no probe line, no groups, no "smmu"
# section; the devices DMA to physical memory).
#
#   tests/external/linux-virtio.sh [--avsim PATH] [--smp N] [--timeout S] [--twice] [--keep DIR]
#                                  CACHE_DIR
#
#   --avsim PATH   the avsim binary (default build/avsim)
#   --smp N        N processing elements (default 1)
#   --timeout S    seconds for one boot (default 600)
#   --twice        boot the SMMU-on configuration twice and compare (determinism)
#   --keep DIR     keep the consoles, stats, initramfs and disk images there
# CACHE_DIR: scripts/fetch-linux.sh's cache (Image, the busybox tree, modules/).
# Exit status: 0 pass, 1 fail, 2 bad usage, 77 skipped (no kernel cache and none can be fetched,
# no mke2fs/debugfs, or AVSIM_SKIP_LINUX=1).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
avsim="" smp=1 tmo=600 twice=0 keep="" cache=""
MODULES="virtio_mmio virtio_blk virtio-rng virtio_console crc16 mbcache jbd2 crc32c_generic ext4"
APPEND="console=ttyAMA0 nokaslr cryptomgr.notests"
SEED=0x1605

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --avsim) avsim=$2; shift ;;
        --avsim=*) avsim=${1#*=} ;;
        --smp) smp=$2; shift ;;
        --smp=*) smp=${1#*=} ;;
        --timeout) tmo=$2; shift ;;
        --timeout=*) tmo=${1#*=} ;;
        --twice) twice=1 ;;
        --keep) keep=$2; shift ;;
        --keep=*) keep=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "linux-virtio: unknown option $1" >&2; usage ;;
        *) [ -z "$cache" ] || usage; cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || usage
skip() { echo "linux-virtio: SKIP: $*"; exit 77; }
[ "${AVSIM_SKIP_LINUX:-0}" = 1 ] && skip "AVSIM_SKIP_LINUX=1"
[ -n "$avsim" ] || avsim=$top/build/avsim
[ -x "$avsim" ] || skip "avsim binary $avsim not found (build first)"
# e2fsprogs installs mke2fs and debugfs in /usr/sbin, which is not on a Debian user's PATH.
PATH=$PATH:/usr/sbin:/sbin
for t in mke2fs debugfs sha256sum python3; do
    command -v $t >/dev/null 2>&1 || skip "$t missing (scripts/install-deps.sh: e2fsprogs, python3)"
done

cache_ok() {
    [ -s "$cache/Image" ] && [ -x "$cache/initramfs/bin/busybox" ] || return 1
    for m in $MODULES; do [ -s "$cache/modules/$m.ko" ] || return 1; done
}
# fetch-linux.sh returns at once when its cache is complete and current; it holds a lock while it
# fills it, so that the Linux tests CTest runs in parallel wait for one fetch.
rc=0
"$top/scripts/fetch-linux.sh" "$cache" || rc=$?
[ $rc -eq 77 ] && skip "the kernel cache $cache is incomplete and Debian's packages cannot be fetched (see above)"
[ $rc -eq 0 ] || { echo "linux-virtio: FAIL: scripts/fetch-linux.sh $cache failed ($rc)"; exit 1; }
cache_ok || skip "the kernel cache $cache lacks one of the modules $MODULES (scripts/fetch-linux.sh --refresh $cache)"

work=$(mktemp -d "${TMPDIR:-/tmp}/linux-virtio.XXXXXX")
trap 'rm -rf "$work"' EXIT
die() { echo "linux-virtio: FAIL: $*"; exit 1; }

# The disk: ext4 with hello.txt (160 KiB: several extents' worth of blocks), fixed UUID, hash seed
# and times, so that the same inputs give the same bytes.
mkdir -p "$work/disk"
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "avsim virtio-blk line %05d: the quick brown fox\n", i }' \
    >"$work/disk/hello.txt"
touch -d @1 "$work/disk/hello.txt" "$work/disk"
host_sha=$(sha256sum "$work/disk/hello.txt" | cut -d' ' -f1)
export E2FSPROGS_FAKE_TIME=1
mke2fs -q -F -t ext4 -L avsim-virtio -U 5d1c1a6e-9b2f-4e55-8d3c-7a0f00001601 \
    -E root_owner=0:0,hash_seed=5d1c1a6e-9b2f-4e55-8d3c-7a0f00001602 -d "$work/disk" \
    "$work/disk.img" 16M >"$work/mke2fs.log" 2>&1 || die "mke2fs: $(cat "$work/mke2fs.log")"
printf 'sif /hello.txt %s 1\n' ctime atime mtime |
    debugfs -w -f - "$work/disk.img" >"$work/debugfs.log" 2>&1 || die "debugfs: $(cat "$work/debugfs.log")"
unset E2FSPROGS_FAKE_TIME
{ echo "written by Linux on avsim through virtio-blk"; seq 1 2000; } >"$work/written.want"

# What the host types into hvc0 (--virtio-console=stdin): the guest reads it from /dev/hvc0.
echo "typed into hvc0" >"$work/hvc-input.txt"

mods=()
for m in $MODULES; do mods+=(--module "$m"); done
"$here/mkinitramfs.sh" --cache "$cache" --init "$here/linux-virtio-init.sh" "${mods[@]}" "$work/initrd.gz" ||
    die "mkinitramfs.sh failed"

fails=()
fail() { fails+=("$*"); }

# boot NAME APPEND [AVSIM-OPTION]: boots on a fresh copy of the disk; the console in NAME.log, the
# stats in NAME.json, the disk in NAME.img. Sets rc.
boot() {
    local name=$1 append=$2 extra=${3:---smmu=on}
    cp "$work/disk.img" "$work/$name.img"
    echo "linux-virtio: boot $name: avsim run $extra --kernel=Image --initrd=initrd.gz --append=\"$append\"" \
         "--drive=$name.img --virtio-rng=$SEED --virtio-console=stdin --stats=$name.json --smp=$smp"
    local t0=$EPOCHREALTIME
    # avsim's stdin is hvc0's input (--virtio-console=stdin): a line typed once the guest has
    # written to hvc0 (it then waits to read one), as a user types at a prompt: input that
    # arrives before the guest opens the tty is discarded by Linux, as on QEMU and hardware.
    rm -f "$work/in" && mkfifo "$work/in"
    timeout --foreground "$tmo" "$avsim" run "$extra" --smp="$smp" --kernel="$cache/Image" --initrd="$work/initrd.gz" \
        --append="$append" --drive="$work/$name.img" --virtio-rng=$SEED --virtio-console=stdin \
        --stats="$work/$name.json" <"$work/in" >"$work/$name.log" 2>&1 &
    local pid=$!
    exec 3>"$work/in"
    while kill -0 "$pid" 2>/dev/null; do
        if grep -q '^AVSIM-HVC0: hello from hvc0' "$work/$name.log"; then
            cat "$work/hvc-input.txt" >&3
            break
        fi
        sleep 0.2
    done
    exec 3>&-
    wait "$pid"
    rc=$?
    echo "linux-virtio: boot $name: exit status $rc, $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
    # The key lines (of the 32 IOMMU groups, those of the three devices).
    tr -d '\r' <"$work/$name.log" | grep -E '^AVSIM-|arm-smmu-v3|reboot: Power down|Kernel panic|WARNING:|BUG:' |
        grep -vE '^AVSIM-VIRTIO: (dmesg: arm-smmu|iommu group .*: a00([0-2]|3[0-9])[0-9a-f]*\.virtio)' | sed 's/^/  | /'
}

# check NAME MODE: MODE is dma (translated), identity (iommu.passthrough=1) or none (--smmu=off).
check() {
    local name=$1 mode=$2 log=$work/$1.log
    local c
    c=$(tr -d '\r' <"$log")
    [ "$rc" -eq 0 ] || fail "$name: avsim exit status $rc (want 0 after PSCI SYSTEM_OFF): $(grep -m1 '^avsim: ' <<<"$c")"
    if [ "$mode" = none ]; then
        ! grep -q 'arm-smmu-v3' <<<"$c" || fail "$name: arm-smmu-v3 probed without an SMMU"
        ! grep -q '^AVSIM-VIRTIO: iommu group' <<<"$c" || fail "$name: IOMMU groups without an SMMU"
    else
        grep -Eq 'arm-smmu-v3 9050000\.smmuv3: ias [0-9]+-bit, oas [0-9]+-bit \(features 0x[0-9a-f]+\)' <<<"$c" ||
            fail "$name: no 'arm-smmu-v3 9050000.smmuv3: ias .., oas .. (features ...)' line"
        local want_type=DMA
        [ "$mode" = identity ] && want_type=identity
        # The devices: --drive on transport 31, --virtio-rng on 30, --virtio-console on 29.
        for t in a003e00 a003c00 a003a00; do
            grep -Eq "^AVSIM-VIRTIO: iommu group [0-9]+ \\($want_type(-FQ)?\\): $t\\.virtio_mmio\$" <<<"$c" ||
                fail "$name: $t.virtio_mmio is not in an IOMMU group of type $want_type"
        done
    fi
    local sha
    sha=$(sed -n 's/^AVSIM-VIRTIO: sha256 \([0-9a-f]*\)$/\1/p' <<<"$c")
    [ "$sha" = "$host_sha" ] || fail "$name: the guest's sha256 of hello.txt is '$sha', the host's $host_sha"
    grep -q '^AVSIM-VIRTIO: unmounted$' <<<"$c" || fail "$name: the guest did not unmount /dev/vda"
    if debugfs -R "cat /written.txt" "$work/$name.img" >"$work/$name.written" 2>"$work/$name.debugfs"; then
        cmp -s "$work/$name.written" "$work/written.want" ||
            fail "$name: written.txt in the image is not what the guest wrote ($(wc -c <"$work/$name.written") bytes)"
    else
        fail "$name: debugfs cannot read written.txt from the image: $(cat "$work/$name.debugfs")"
    fi
    debugfs -R "cat /hello.txt" "$work/$name.img" 2>/dev/null | cmp -s - "$work/disk/hello.txt" ||
        fail "$name: hello.txt changed in the image"
    grep -q '^AVSIM-VIRTIO: hwrng: virtio_rng' <<<"$c" || fail "$name: /dev/hwrng is not the virtio-rng"
    grep -Eq '^AVSIM-VIRTIO: hwrng bytes [0-9a-f]{64}$' <<<"$c" || fail "$name: no 32 bytes from /dev/hwrng"
    grep -q '^AVSIM-HVC0: hello from hvc0' <<<"$c" || fail "$name: the line written to /dev/hvc0 did not reach stdout"
    grep -q '^AVSIM-VIRTIO: hvc0 read: typed into hvc0$' <<<"$c" ||
        fail "$name: the line on avsim's stdin (--virtio-console=stdin) did not reach the guest's /dev/hvc0"
    grep -q '^AVSIM-VIRTIO: done$' <<<"$c" || fail "$name: /init did not finish"
    grep -q 'reboot: Power down' <<<"$c" || fail "$name: no 'reboot: Power down'"
    local oops
    oops=$(grep -m1 -E 'Kernel panic|Unable to handle|Internal error|BUG:|WARNING:|arm-smmu-v3.*event|Wrong magic' <<<"$c")
    [ -z "$oops" ] || fail "$name: the kernel complained: $oops"
    # The SMMU's figures per StreamID (sim/stats.c's "smmu" section).
    local st
    if ! st=$(python3 "$here/linux-virtio-stats.py" "$work/$name.json" "$mode" 31 30 29 2>&1); then
        fail "$name: --stats: $st"
    fi
    [ -n "$st" ] && sed 's/^/  /' <<<"$st"
}

boot smmu "$APPEND"
check smmu dma
bytes1=$(sed -n 's/^AVSIM-VIRTIO: hwrng bytes //p' "$work/smmu.log" | tr -d '\r')
if [ $twice -eq 1 ]; then
    boot smmu2 "$APPEND"
    check smmu2 dma
    # Up to the line the guest writes to hvc0 before it waits for the host's typing (what follows
    # depends on when the host typed, in host time).
    upto() { sed '/^AVSIM-HVC0: hello from hvc0/q' "$1"; }
    cmp -s <(upto "$work/smmu.log") <(upto "$work/smmu2.log") ||
        fail "a second boot printed something else (not deterministic): $(diff <(upto "$work/smmu.log") <(upto "$work/smmu2.log") | sed -n 2p)"
    cmp -s "$work/smmu.img" "$work/smmu2.img" || fail "a second boot left other bytes in its disk image"
    bytes2=$(sed -n 's/^AVSIM-VIRTIO: hwrng bytes //p' "$work/smmu2.log" | tr -d '\r')
    [ -n "$bytes1" ] && [ "$bytes1" = "$bytes2" ] || fail "the hwrng bytes differ between two boots: $bytes1 / $bytes2"
fi
boot passthrough "$APPEND iommu.passthrough=1"
check passthrough identity
grep -q 'iommu: Default domain type: Passthrough' "$work/passthrough.log" ||
    fail "passthrough: no 'iommu: Default domain type: Passthrough'"
boot nosmmu "$APPEND" --smmu=off
check nosmmu none

if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp "$work"/*.log "$work"/*.json "$work"/*.img "$work/initrd.gz" "$keep/" 2>/dev/null
    echo "linux-virtio: kept the consoles, stats, images and initramfs in $keep"
fi
if [ ${#fails[@]} -eq 0 ]; then
    echo "linux-virtio: PASS (sha256 $host_sha, hwrng $bytes1)"
    exit 0
fi
echo "linux-virtio: FAIL:"
printf '  - %s\n' "${fails[@]}"
for n in smmu smmu2 passthrough nosmmu; do
    [ -s "$work/$n.log" ] || continue
    echo "  last console lines of $n:"
    tail -n 15 "$work/$n.log" | sed 's/^/  | /'
done
exit 1
