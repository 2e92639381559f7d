#!/usr/bin/env bash
# Typed input reaches a Linux shell through the PL011's receive interrupts: Debian's arm64 kernel
# boots with an /init that starts an interactive busybox shell on the console (ttyAMA0, whose
# Linux driver, amba-pl011, is interrupt-driven: RX at the FIFO trigger level and the receive
# timeout for the rest), and once its prompt is out, this script writes
#     echo AVSIM-STDIN-$((6*7)); poweroff -f
# to the simulator's stdin, as a user would type it. The shell must print AVSIM-STDIN-42 (only
# its arithmetic gives 42: the echo of the typed line shows the expression) and power the machine
# off through PSCI. Input written before the prompt would be lost on avsim as on QEMU and real
# hardware: the driver empties the receive FIFO when the console's tty is opened.
#
#   tests/external/linux-stdin.sh [--avsim PATH | --qemu [--qemu-bin PATH]] [--timeout S]
#                                 [--log FILE] CACHE_DIR
#
#   --avsim PATH   run on avsim (default: build/avsim)
#   --qemu         run on qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
#                  -cpu cortex-a57 -m 1G -nographic (the reference)
#   --timeout S    seconds for the whole run (default 600 avsim, 120 QEMU)
#   --log FILE     keep the console output there
# CACHE_DIR is the fetch-linux.sh cache (Image, and the busybox tree that mkinitramfs.sh uses).
# Exit status: 0 pass, 1 fail, 77 skipped (packages unavailable, QEMU not installed, or
# AVSIM_SKIP_LINUX=1 in the environment).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sim=avsim avsim="" qemu_bin=${QEMU:-qemu-system-aarch64} tmo="" log="" cache=""
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --avsim) sim=avsim; avsim=$2; shift ;;
        --avsim=*) sim=avsim; avsim=${1#*=} ;;
        --qemu) sim=qemu ;;
        --qemu-bin) qemu_bin=$2; shift ;;
        --qemu-bin=*) qemu_bin=${1#*=} ;;
        --timeout) tmo=$2; shift ;;
        --timeout=*) tmo=${1#*=} ;;
        --log) log=$2; shift ;;
        --log=*) log=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "linux-stdin: unknown option $1" >&2; usage ;;
        *) cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || usage
[ -n "$tmo" ] || { [ "$sim" = avsim ] && tmo=600 || tmo=120; }
skip() { echo "linux-stdin: SKIP: $*"; exit 77; }
[ "${AVSIM_SKIP_LINUX:-0}" = 1 ] && skip "AVSIM_SKIP_LINUX=1"
if [ "$sim" = avsim ]; then
    [ -n "$avsim" ] || avsim=$top/build/avsim
    [ -x "$avsim" ] || skip "avsim binary $avsim not found (build first)"
else
    command -v "$qemu_bin" >/dev/null 2>&1 || skip "$qemu_bin not installed"
fi
if [ ! -s "$cache/Image" ]; then
    "$top/scripts/fetch-linux.sh" "$cache"
    rc=$?
    [ $rc -eq 77 ] && skip "Debian's arm64 kernel or busybox-static cannot be fetched (see above)"
    [ $rc -eq 0 ] || { echo "linux-stdin: FAIL: scripts/fetch-linux.sh failed ($rc)"; exit 1; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/linux-stdin.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/init" <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "AVSIM-STDIN: console $(cat /sys/class/tty/console/active 2>/dev/null)"
export PS1='AVSIM-PROMPT> '
exec sh -i
INIT
"$here/mkinitramfs.sh" --cache "$cache" --init "$work/init" "$work/initrd.gz" 2>"$work/mkinitramfs.err"
rc=$?
[ $rc -eq 77 ] && skip "the busybox tree cannot be fetched"
[ $rc -eq 0 ] || { cat "$work/mkinitramfs.err"; echo "linux-stdin: FAIL: mkinitramfs.sh failed ($rc)"; exit 1; }

append="console=ttyAMA0 nokaslr cryptomgr.notests"
if [ "$sim" = avsim ]; then
    cmd=("$avsim" run --kernel="$cache/Image" --initrd="$work/initrd.gz" --append="$append")
else
    cmd=("$qemu_bin" -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -m 1G -no-reboot
         -nographic -kernel "$cache/Image" -initrd "$work/initrd.gz" -append "$append")
fi
out=$work/console.log
mkfifo "$work/in"
t0=$SECONDS
timeout "$tmo" "${cmd[@]}" <"$work/in" >"$out" 2>&1 &
pid=$!
exec 3>"$work/in"                  # the simulator's stdin stays open (empty) until the prompt
prompt=0
while [ $((SECONDS - t0)) -lt "$tmo" ] && kill -0 "$pid" 2>/dev/null; do
    if grep -q 'AVSIM-PROMPT> ' "$out"; then
        prompt=1
        break
    fi
    sleep 0.2
done
if [ $prompt -eq 1 ]; then
    printf 'echo AVSIM-STDIN-$((6*7)); poweroff -f\n' >&3
fi
exec 3>&-                          # the end of the input
wait "$pid"
rc=$?
pid=""
[ -n "$log" ] && cp "$out" "$log"

fails=()
[ $prompt -eq 1 ] || fails+=("no shell prompt (AVSIM-PROMPT> ) on the console")
grep -q '^AVSIM-STDIN-42' "$out" || fails+=("the shell did not run the typed command (no AVSIM-STDIN-42)")
grep -q 'reboot: Power down' "$out" || fails+=("no 'reboot: Power down' (PSCI SYSTEM_OFF from poweroff -f)")
[ "$rc" -eq 124 ] && fails+=("timed out after $tmo s")
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && fails+=("$sim exit status $rc (want 0 after PSCI SYSTEM_OFF)")
grep -E 'AVSIM-|reboot: Power down|Kernel panic' "$out" | sed 's/^/  | /'
echo "linux-stdin: $sim: $((SECONDS - t0)) s"
if [ ${#fails[@]} -eq 0 ]; then
    echo "linux-stdin: PASS: $sim ran the command typed on its stdin"
    exit 0
fi
for f in "${fails[@]}"; do echo "linux-stdin: FAIL: $f"; done
tail -n 20 "$out" | sed 's/^/  > /'
exit 1
