#!/usr/bin/env bash
# shellcheck disable=SC2054  # the commas are QEMU option syntax
# Lists the system instructions (MRS/MSR, DC/IC/TLBI, HVC/SMC/ERET, WFI/WFE) that Linux executes
# while it boots on QEMU, with counts and where each was first executed (tests/external/LINUX.md).
#
#   tests/external/qemu-sysregs.sh [--smp N] [--dtb FILE] [--append ARGS] CACHE_DIR OUT.txt
#
# Builds the qemu_sysregs.c plugin with cc, boots CACHE_DIR/Image + initrd.gz on
# qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 (one TCG thread) and
# disassembles the encodings with aarch64-linux-gnu-objdump (binutils-aarch64-linux-gnu).
# OUT.txt: "first-seen-in  instruction  count  encoding", one line per distinct instruction
# (Rt cleared, shown as Xt). First seen in: "EL1 kernel" (kernel VA), "MMU off/idmap" (a physical
# address: early boot at EL2 and EL1, the hyp stub, KVM's idmap), "EL2 hyp/EL0" (the nVHE
# hypervisor, or a high user VA such as the vDSO), "EL0 user" (a low user address).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
smp=1 dtb="" append="console=ttyAMA0 nokaslr cryptomgr.notests"
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --smp) smp=$2; shift ;;
        --dtb) dtb=$2; shift ;;
        --append) append=$2; shift ;;
        *) args+=("$1") ;;
    esac
    shift
done
[ ${#args[@]} -eq 2 ] || { echo "usage: $0 [--smp N] [--dtb FILE] [--append ARGS] CACHE_DIR OUT.txt" >&2; exit 2; }
cache=${args[0]} out=${args[1]}
work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-sysregs.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -o "$work/p.so" "$here/qemu_sysregs.c"
cmd=(qemu-system-aarch64 -accel tcg,thread=single -plugin "$work/p.so,out=$work/raw.txt"
     -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp "$smp" -m 1G -nographic -no-reboot
     -kernel "$cache/Image" -initrd "$cache/initrd.gz" -append "$append")
[ -n "$dtb" ] && cmd+=(-dtb "$dtb")
timeout 300 "${cmd[@]}" </dev/null >"$work/console.log" 2>&1
grep -q 'reboot: Power down' "$work/console.log" || { echo "qemu-sysregs: the boot did not power off" >&2; exit 1; }
sort "$work/raw.txt" >"$work/sorted.txt"
# The encodings as a little-endian binary for objdump.
while read -r enc _; do
    printf "\\x${enc:6:2}\\x${enc:4:2}\\x${enc:2:2}\\x${enc:0:2}"
done <"$work/sorted.txt" >"$work/insns.bin"
aarch64-linux-gnu-objdump -D -b binary -m aarch64 "$work/insns.bin" |
    awk -F'\t' '/^ *[0-9a-f]+:\t/ { d = $3; if ($4 != "") d = d " " $4; print d }' >"$work/dis.txt"
paste -d'|' "$work/sorted.txt" "$work/dis.txt" | awk -F'|' '{
    split($1, f, " "); enc = f[1]; n = f[2]; a = f[3]; d = $2
    gsub(/x0,/, "Xt,", d); sub(/, x0$/, ", Xt", d)
    hi = substr(a, 3, length(a) - 2)
    if (length(hi) >= 16 && substr(hi, 1, 4) == "ffff") c = "EL1 kernel"
    else if (length(hi) <= 7) c = "EL0 user"
    else if (length(hi) <= 8) c = "MMU off/idmap"
    else c = "EL2 hyp/EL0"
    printf "%-14s %-36s %10d  %s\n", c, d, n, enc }' | sort >"$out"
echo "qemu-sysregs: $(wc -l <"$out") distinct instructions in $out"
