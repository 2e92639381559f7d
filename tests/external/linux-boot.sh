#!/usr/bin/env bash
# shellcheck disable=SC2054  # the commas are QEMU option syntax, not array separators
# Boots Debian's arm64 Linux kernel with a busybox initramfs to its shell on avsim (or QEMU, the
# reference) and checks that KVM initialized at EL2, that Linux probed the GICv3 ITS (its device
# and collection tables) and that the guest powered off through PSCI.
# See tests/external/LINUX.md.
#
#   tests/external/linux-boot.sh [--avsim PATH | --qemu [--qemu-bin PATH]] [--smp N] [--cpu NAME]
#                                [--dtb FILE] [--append ARGS] [--timeout S] [--count]
#                                [--gz] [--initrd FILE] [--expect REGEX]...
#                                [--expect-next REGEX]... [--label NAME] [--log FILE]
#                                [--quiet] [--twice] CACHE_DIR
#
#   --avsim PATH   run on avsim (default: build/avsim): avsim run --kernel=CACHE/Image
#                  --initrd=CACHE/initrd.gz (or --initrd FILE) --append=ARGS [--smp=N]
#                  --stats=FILE
#   --qemu         run on qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
#                  -cpu cortex-a57 -m 1G (the reference)
#   --smp N        number of CPUs (default 1)
#   --cpu NAME     the CPU: avsim --cpu=NAME, QEMU -cpu NAME (default cortex-a57)
#   --dtb FILE     QEMU only: boot with this device tree instead of QEMU's own
#   --append ARGS  kernel command line (default: $LINUX_BOOT_APPEND, else
#                  "console=ttyAMA0 nokaslr cryptomgr.notests"; see LINUX.md)
#   --timeout S    seconds before the boot counts as hung (default 600 avsim, 120 QEMU)
#   --count        QEMU only: also count guest instructions with a TCG plugin
#                  (tests/external/qemu_insn_count.c, built with cc; single-threaded TCG)
#   --gz           boot CACHE_DIR/Image.gz (gzip-compressed) instead of CACHE_DIR/Image
#   --initrd FILE  boot with this initramfs instead of CACHE_DIR/initrd.gz (one made by
#                  tests/external/mkinitramfs.sh whose /init does what fetch-linux.sh's does:
#                  the AVSIM-INIT lines, ls -l /dev/kvm, AVSIM-LINUX-OK, poweroff -f)
#   --expect REGEX the console must also have a line matching REGEX (grep -E; repeatable)
#   --expect-next REGEX
#                  a console line matching REGEX (grep -E) must follow the line the previous
#                  --expect-next matched (repeatable, checked in order; tests/external/kvmtool.sh)
#   --label NAME   the name in the messages (default linux-boot)
#   --log FILE     keep the console output there (and avsim's --stats JSON as FILE.stats.json)
#   --quiet        do not echo the key console lines
#   --twice        avsim only: boot a second time and require the same console output and the
#                  same instruction and cycle counts, per PE (determinism, also with --smp). The
#                  second boot runs with Unicorn's TLB flushed every 100003 cycles behind the
#                  model's back (AVSIM_DEBUG_FLUSH_UNICORN_TLB): its capacity, which Unicorn
#                  adjusts by host time, must not show in any count
# CACHE_DIR holds Image and initrd.gz from scripts/fetch-linux.sh, which this script runs first
# (done at once when the cache is complete and current; exit 77 when the packages cannot be
# fetched).
#
# Prints the wall time, and for avsim the instruction count and the exception statistics from
# --stats, then one machine-readable line:
#   RESULT sim=avsim|qemu smp=N status=pass|fail wall_s=T insns=N|na mips=M|na exits_el2=N|na
# Exit status: 0 pass, 1 fail, 77 skipped (packages unavailable, avsim without --kernel yet, QEMU
# not installed, or AVSIM_SKIP_LINUX=1 in the environment).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

sim=avsim
avsim=""
qemu_bin=${QEMU:-qemu-system-aarch64}
smp=1
cpu=cortex-a57
dtb=""
append=${LINUX_BOOT_APPEND:-"console=ttyAMA0 nokaslr cryptomgr.notests"}
tmo=""
count=0
log=""
quiet=0
twice=0
cache=""""
kimg=Image
initrd=""
expects=()
nexts=()
label=linux-boot

usage() { sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --avsim) sim=avsim; avsim=$2; shift ;;
        --avsim=*) sim=avsim; avsim=${1#*=} ;;
        --qemu) sim=qemu ;;
        --qemu-bin) qemu_bin=$2; shift ;;
        --qemu-bin=*) qemu_bin=${1#*=} ;;
        --smp) smp=$2; shift ;;
        --smp=*) smp=${1#*=} ;;
        --cpu) cpu=$2; shift ;;
        --cpu=*) cpu=${1#*=} ;;
        --dtb) dtb=$2; shift ;;
        --dtb=*) dtb=${1#*=} ;;
        --append) append=$2; shift ;;
        --append=*) append=${1#*=} ;;
        --timeout) tmo=$2; shift ;;
        --timeout=*) tmo=${1#*=} ;;
        --count) count=1 ;;
        --log) log=$2; shift ;;
        --log=*) log=${1#*=} ;;
        --quiet) quiet=1 ;;
        --twice) twice=1 ;;
        --gz) kimg=Image.gz ;;
        --initrd) initrd=$2; shift ;;
        --initrd=*) initrd=${1#*=} ;;
        --expect) expects+=("$2"); shift ;;
        --expect=*) expects+=("${1#*=}") ;;
        --expect-next) nexts+=("$2"); shift ;;
        --expect-next=*) nexts+=("${1#*=}") ;;
        --label) label=$2; shift ;;
        --label=*) label=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "$label: unknown option $1" >&2; usage ;;
        *) cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || usage
[ -n "$tmo" ] || { [ "$sim" = avsim ] && tmo=600 || tmo=120; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "$label: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

skip() { echo "$label: SKIP: $*"; echo "RESULT sim=$sim smp=$smp status=skip"; exit 77; }

[ "${AVSIM_SKIP_LINUX:-0}" = 1 ] && skip "AVSIM_SKIP_LINUX=1"
if [ "$sim" = avsim ]; then
    [ -n "$avsim" ] || avsim=$top/build/avsim
    [ -x "$avsim" ] || skip "avsim binary $avsim not found (build first)"
    if ! "$avsim" --help 2>&1 | grep -q -- '--kernel'; then
        skip "$avsim has no --kernel option yet (arm64 Image loading is in progress)"
    fi
else
    command -v "$qemu_bin" >/dev/null 2>&1 || skip "$qemu_bin not installed"
fi

# The kernel and the initramfs (fetch-linux.sh returns at once when its cache is complete and
# current, and rebuilds one made with an older /init).
"$top/scripts/fetch-linux.sh" "$cache" || {
    rc=$?
    [ $rc -eq 77 ] && skip "Debian's arm64 kernel or busybox-static cannot be fetched (see above)"
    echo "$label: FAIL: scripts/fetch-linux.sh failed ($rc)"
    exit 1
}
[ -n "$initrd" ] || initrd=$cache/initrd.gz
[ -s "$initrd" ] || { echo "$label: no initramfs $initrd" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/linux-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$work/console.log
stats=$work/stats.json
insns=na exits=na

if [ "$sim" = avsim ]; then
    cmd=("$avsim" run --kernel="$cache/$kimg" --initrd="$initrd" --append="$append"
         --stats="$stats")
    [ "$smp" -gt 1 ] && cmd+=(--smp="$smp")
    [ "$cpu" != cortex-a57 ] && cmd+=(--cpu="$cpu")
    t0=$EPOCHREALTIME
    timeout --foreground "$tmo" "${cmd[@]}" </dev/null >"$out" 2>&1
    rc=$?
    t1=$EPOCHREALTIME
    if [ $twice -eq 1 ] && [ $rc -eq 0 ]; then
        cmd2=()
        for a in "${cmd[@]}"; do
            [ "$a" = "--stats=$stats" ] && a=--stats=$work/stats2.json
            cmd2+=("$a")
        done
        AVSIM_DEBUG_FLUSH_UNICORN_TLB=100003 timeout --foreground "$tmo" "${cmd2[@]}" </dev/null \
            >"$work/console2.log" 2>&1
    fi
else
    cmd=("$qemu_bin" -M virt,virtualization=on,gic-version=3 -cpu "$cpu" -smp "$smp" -m 1G
         -no-reboot -kernel "$cache/$kimg" -initrd "$initrd" -append "$append")
    [ -n "$dtb" ] && cmd+=(-dtb "$dtb")
    if [ $count -eq 1 ]; then
        # The instruction count comes from a small TCG plugin (qemu_insn_count.c) built here;
        # single-threaded TCG keeps its counter exact.
        if cc -shared -fPIC -O2 -o "$work/qemu_insn_count.so" "$here/qemu_insn_count.c" 2>"$work/cc.err"; then
            cmd+=(-accel tcg,thread=single -plugin "$work/qemu_insn_count.so,out=$work/insns.txt")
        else
            echo "$label: cannot build the instruction-count plugin (no cc?); counting skipped"
            count=0
        fi
    fi
    t0=$EPOCHREALTIME
    timeout --foreground "$tmo" "${cmd[@]}" -nographic </dev/null >"$out" 2>&1
    rc=$?
    t1=$EPOCHREALTIME
    if [ $count -eq 1 ]; then
        insns=$(sed -n 's/^instructions \([0-9]*\)$/\1/p' "$work/insns.txt" 2>/dev/null)
        [ -n "$insns" ] || insns=na
    fi
fi
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
[ -n "$log" ] && cp "$out" "$log"

# The checks.
fails=()
# Split mode says "Hyp mode", VHE (--cpu max) "VHE mode".
grep -Eq 'kvm \[[0-9]*\]: (Hyp|VHE) mode initialized successfully' "$out" ||
    fails+=("no 'kvm [1]: Hyp mode initialized successfully' (or VHE mode)")
grep -Eq '^c.* 10, *232 .*/dev/kvm' "$out" || fails+=("no /dev/kvm (ls -l /dev/kvm)")
grep -q '^AVSIM-LINUX-OK' "$out" || fails+=("no AVSIM-LINUX-OK marker from /init")
# The GICv3 ITS (issue 20): Linux probes it and allocates its device and collection tables.
grep -Eq 'ITS@0x0000000008080000: allocated [0-9]+ Devices' "$out" ||
    fails+=("no 'ITS@0x0000000008080000: allocated ... Devices' (the ITS was not probed)")
grep -Eq 'ITS@0x0000000008080000: allocated [0-9]+ Interrupt Collections' "$out" ||
    fails+=("no 'ITS@0x0000000008080000: allocated ... Interrupt Collections'")
grep -q 'reboot: Power down' "$out" || fails+=("no 'reboot: Power down' (PSCI SYSTEM_OFF)")
for re in ${expects[@]+"${expects[@]}"}; do
    grep -Eq -- "$re" "$out" || fails+=("no line matching '$re'")
done
if [ ${#nexts[@]} -gt 0 ]; then
    # The first --expect-next pattern without a matching line after the previous one's match.
    printf '%s\n' "${nexts[@]}" >"$work/expect-next"
    missing=$(tr -d '\r' <"$out" | awk 'NR == FNR { pat[++n] = $0; next }
        k < n && $0 ~ pat[k + 1] { k++ } END { if (k < n) print k + 1 }' "$work/expect-next" -)
    if [ -n "$missing" ]; then
        want="no line matching '${nexts[missing - 1]}'"
        [ "$missing" -gt 1 ] && want+=" after the one matching '${nexts[missing - 2]}'"
        fails+=("$want")
    fi
fi
# BUG: and WARNING: as the kernel starts them, a word of their own (the KVM API example prints
# "KVM_SET_GUEST_DEBUG: ...", which is no complaint).
oops=$(grep -m1 -E 'Kernel panic|Unable to handle|Internal error|(^|[^A-Za-z_])(BUG|WARNING):' "$out")
[ -z "$oops" ] || fails+=("the kernel complained: $oops")
if [ $twice -eq 1 ] && [ "$sim" = avsim ] && [ $rc -eq 0 ]; then
    # Counts that depend on host timing would differ here: compare the whole counts, per PE too.
    counts() { grep -E '"(instructions|cycles|idle_cycles)"|"index": ' "$1" 2>/dev/null; }
    if ! cmp -s "$out" "$work/console2.log"; then
        fails+=("the second boot printed something else (not deterministic): $(diff "$out" "$work/console2.log" | sed -n 2p)")
    elif [ -z "$(counts "$stats")" ] || [ "$(counts "$stats")" != "$(counts "$work/stats2.json")" ]; then
        fails+=("the second boot counted other instructions or cycles (not deterministic): $(diff <(counts "$stats") <(counts "$work/stats2.json") | sed -n 2p)")
    else
        echo "$label: a second boot gave the same console output and counts"
    fi
fi
if [ "$smp" -gt 1 ]; then
    grep -q "SMP: Total of $smp processors activated" "$out" ||
        fails+=("no 'SMP: Total of $smp processors activated'")
    grep -q "^AVSIM-INIT: cpus online: 0-$((smp - 1))" "$out" || fails+=("/init did not see CPUs 0-$((smp - 1)) online")
fi
if [ "$rc" -eq 124 ]; then
    fails+=("timed out after $tmo s")
elif [ "$rc" -ne 0 ]; then
    why=""
    [ "$sim" = avsim ] && why=$(tr -d '\r' <"$out" | grep -m1 '^avsim: ')
    fails+=("$sim exit status $rc (want 0 after PSCI SYSTEM_OFF)${why:+; $why}")
fi

if [ $quiet -eq 0 ]; then
    show='Booting Linux|CPU: All CPU|SMP: Total|kvm \[|/dev/kvm|AVSIM-|reboot: Power down|ITS@|Kernel panic|Unable to handle|Internal error|BUG:|WARNING:'
    for e in ${nexts[@]+"${nexts[@]}"}; do show+="|$e"; done
    tr -d '\r' <"$out" | grep -E "$show" | sed 's/^/  | /'
fi

# avsim statistics: the JSON has one item per line (sim/stats.c), so sed and awk suffice.
if [ "$sim" = avsim ] && [ -s "$stats" ]; then
    insns=$(sed -n 's/^ *"instructions": \([0-9]*\),.*/\1/p' "$stats" | head -n1)
    [ -n "$insns" ] || insns=na
    [ -n "$log" ] && cp "$stats" "$log.stats.json"
    echo "avsim statistics (--stats${log:+, kept as $log.stats.json}):"
    grep -E '"(instructions|cycles|simulated_seconds|host_seconds|guest_mips|instructions_by_el|erets|wfi|sysreg_traps)"' "$stats" | sed 's/^ */  /'
    echo "  exceptions (class, from EL -> to EL: count):"
    grep -E '^ *\{"ec": ' "$stats" |
        sed 's/.*"ec": \([0-9]*\), "name": "\([^"]*\)", "from_el": \([0-9]\), "to_el": \([0-9]\), "count": \([0-9]*\).*/\2 \1 \3 \4 \5/' |
        awk '{ printf "    %-16s (0x%02x) EL%d -> EL%d: %d\n", $1, $2, $3, $4, $5 }'
    exits=$(grep -E '^ *\{"ec": ' "$stats" |
        sed 's/.*"from_el": \([0-9]\), "to_el": \([0-9]\), "count": \([0-9]*\).*/\1 \2 \3/' |
        awk '$1 < 2 && $2 == 2 { n += $3 } END { print n + 0 }')
    echo "  exits to EL2 (exceptions from EL0/EL1 taken to EL2): $exits"
fi

mips=na
if [ "$insns" != na ]; then
    mips=$(awk -v n="$insns" -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", n / w / 1e6; else print "na" }')
fi
echo "$label: $sim smp=$smp wall ${wall} s, instructions $insns, ${mips} MIPS"
if [ ${#fails[@]} -eq 0 ]; then
    echo "$label: PASS ($sim, smp=$smp)"
    echo "RESULT sim=$sim smp=$smp status=pass wall_s=$wall insns=$insns mips=$mips exits_el2=$exits"
    exit 0
fi
echo "$label: FAIL ($sim, smp=$smp):"
printf '  - %s\n' "${fails[@]}"
echo "  last console lines:"
tail -n 25 "$out" | sed 's/^/  | /'
echo "RESULT sim=$sim smp=$smp status=fail wall_s=$wall insns=$insns mips=$mips exits_el2=$exits"
exit 1
