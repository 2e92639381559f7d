#!/usr/bin/env bash
# Issue 17 point 4: emulated against paravirtual I/O under a real hypervisor. A Linux guest under
# KVM (kvmtool, inside Linux on avsim: tests/external/kvmtool.sh) moves the same N KiB text file
# through kvmtool's emulated 8250 UART and through its virtio-blk disk; the exits to EL2 each costs
# are the run's exits (avsim --stats, the whole run: host and guest) minus those of a baseline run
# that moves nothing, per MiB moved. Runs of kvmtool.sh, identical but for the guest's command
# line (kvmtool_io=none|disk|uart, see kvmtool.sh --io) and the file's size:
#   none   the baseline: the guest takes data.txt's length and md5 from its initramfs (RAM)
#   disk   the same, reading data.txt from the virtio-blk disk (ext4; the first read of the
#          file: the page cache is empty, so the device delivers it, a few large requests)
#   uart   the same from RAM, after writing data.txt to the console, kvmtool's 8250: every byte
#          a THR write, with LSR/IIR reads around them, each a stage-2 data abort that KVM
#          hands to lkvm in the host's user space
# none, disk and uart move N KiB (--io-kib, 16); a second none/disk pair moves M KiB
# (--disk-kib, 1024), because one virtio request for 16 KiB costs fewer exits than the runs'
# own variation (timer interrupts landing elsewhere). Each run checks the md5 of the moved
# bytes (kvmtool.sh's --expect-next). Figures only: the exit counts are printed, never asserted.
#
#   tests/external/kvmtool-io.sh --lkvm PATH [--avsim PATH] [--io-kib N] [--disk-kib M]
#                                [--timeout S] [--keep DIR] CACHE_DIR
#
#   --lkvm PATH      kvmtool's lkvm-static for arm64 (tests/external/LINUX.md)
#   --avsim PATH     avsim (default build/avsim)
#   --io-kib N       the file's size for none, disk, uart (default 16: the UART path costs about
#                    11 exits per byte on avsim's nVHE host)
#   --disk-kib M     the file's size for the second none/disk pair (default 1024; 0: no pair)
#   --timeout S      per run (default 1800)
#   --keep DIR       keep each run's console log and --stats JSON there (MODE-KIB.log,
#                    MODE-KIB.log.stats.json, MODE-KIB.out)
#   --from DIR       run nothing: print the table from a --keep DIR of an earlier run
# Exit status: 0 all runs passed, 1 a run failed, 2 bad usage, 77 skipped (no --lkvm, or
# whatever makes kvmtool.sh skip).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lkvm="" avsim=$top/build/avsim kib=16 dkib=1024 tmo=1800 keep="" cache="" from=""
usage() { sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bad() { echo "kvmtool-io: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --lkvm) [ $# -ge 2 ] || usage; lkvm=$2; shift ;;
        --lkvm=*) lkvm=${1#*=} ;;
        --avsim) [ $# -ge 2 ] || usage; avsim=$2; shift ;;
        --avsim=*) avsim=${1#*=} ;;
        --io-kib) [ $# -ge 2 ] || usage; kib=$2; shift ;;
        --io-kib=*) kib=${1#*=} ;;
        --disk-kib) [ $# -ge 2 ] || usage; dkib=$2; shift ;;
        --disk-kib=*) dkib=${1#*=} ;;
        --timeout) [ $# -ge 2 ] || usage; tmo=$2; shift ;;
        --timeout=*) tmo=${1#*=} ;;
        --keep) [ $# -ge 2 ] || usage; keep=$2; shift ;;
        --keep=*) keep=${1#*=} ;;
        --from) [ $# -ge 2 ] || usage; from=$2; shift ;;
        --from=*) from=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "kvmtool-io: unknown option $1" >&2; usage ;;
        *) [ -z "$cache" ] || bad "one CACHE_DIR only"; cache=$1 ;;
    esac
    shift
done
[ -n "$cache" ] || [ -n "$from" ] || bad "no CACHE_DIR (the scripts/fetch-linux.sh cache, e.g. build/linux)"
if [ -z "$lkvm" ] && [ -z "$from" ]; then
    echo "kvmtool-io: SKIP: no lkvm-static given (--lkvm PATH, or -DAVSIM_LKVM=PATH for CTest)"
    exit 77
fi
[ -n "$from" ] || [ -x "$avsim" ] || bad "no avsim at $avsim (build first)"
[[ $kib =~ ^[0-9]+$ ]] && [ "$kib" -ge 1 ] && [ "$kib" -le 4096 ] || bad "--io-kib wants 1 to 4096, got '$kib'"
[[ $dkib =~ ^[0-9]+$ ]] && [ "$dkib" -le 4096 ] || bad "--disk-kib wants 0 to 4096, got '$dkib'"
command -v python3 >/dev/null || bad "needs python3 (reads the --stats JSON)"

status=0
runs=("none $kib" "disk $kib" "uart $kib")
[ "$dkib" -eq 0 ] || runs+=("none $dkib" "disk $dkib")
if [ -n "$from" ]; then
    [ -d "$from" ] || bad "--from $from: no such directory"
    work=$from
    runs=()
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kvmtool-io.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
for r in ${runs[@]+"${runs[@]}"}; do
    mode=${r% *} size=${r#* } run=${r/ /-}
    echo "kvmtool-io: run '$mode' ($size KiB)"
    rc=0
    "$here/kvmtool.sh" --avsim "$avsim" --lkvm "$lkvm" --io "$mode" --io-kib "$size" --timeout "$tmo" \
        --quiet --log "$work/$run.log" "$cache" >"$work/$run.out" 2>&1 || rc=$?
    grep '^RESULT' "$work/$run.out" | sed 's/^/  /'
    if [ $rc -eq 77 ]; then
        sed 's/^/  /' "$work/$run.out" | tail -3
        exit 77
    fi
    if [ $rc -ne 0 ]; then
        echo "kvmtool-io: run '$mode' ($size KiB) FAILED ($rc):"
        grep -E 'FAIL|missing|expected' "$work/$run.out" | head -5 | sed 's/^/  /'
        status=1
    fi
done
[ -z "$from" ] || mapfile -t runs < <(cd "$from" && ls -- *.log.stats.json 2>/dev/null |
    sed -n 's/^\(none\|disk\|uart\)-\([0-9]*\)\.log\.stats\.json$/\1 \2/p')
if [ -n "$keep" ] && [ -z "$from" ]; then
    mkdir -p "$keep" && cp "$work"/*.log* "$work"/*.out "$keep/" 2>/dev/null
fi

python3 - "$work" "${runs[@]}" <<'EOF'
import json, os, sys
work, runs = sys.argv[1], [r.split() for r in sys.argv[2:]]
runs.sort(key=lambda r: (int(r[1]), ["none", "disk", "uart"].index(r[0])))
def load(run):
    try:
        with open(os.path.join(work, run + ".log.stats.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
def figures(s):
    exc = [e for e in s["exceptions"] if e["to_el"] == 2 and e["from_el"] < 2]
    by = lambda ec: sum(e["count"] for e in exc if e["ec"] == ec)
    vm = sum(v["exits_to_el2"] for v in s.get("vms", []))
    return {"exits": sum(e["count"] for e in exc), "vm": vm, "dabt": by(0x24), "hvc": by(0x16),
            "insns": s["instructions"], "cycles": s["cycles"]}
print("kvmtool I/O under KVM on avsim; exits = exceptions from EL0/EL1 to EL2 of the whole run (the "
      "host's HVCs included), VM exits = the guest's (vms[]); extra = beyond the 'none' run of the same size")
fmt = "%-6s %6s %9s %9s %9s %9s %11s %15s %14s %15s"
print(fmt % ("run", "KiB", "exits", "VM exits", "data abt", "HVC", "extra exits", "extra exits/MiB",
             "extra VM/MiB", "extra insns/MiB"))
stats = {(m, k): load(m + "-" + k) for m, k in runs}
for m, k in runs:
    s = stats[(m, k)]
    if not s:
        print(fmt % (m, k, "n/a", "", "", "", "", "", "", "") + "  (no --stats: the run failed)")
        continue
    f = figures(s)
    base = stats.get(("none", k))
    if m == "none" or not base:
        print(fmt % (m, k, f["exits"], f["vm"], f["dabt"], f["hvc"], "-", "-", "-", "-"))
        continue
    b = figures(base)
    d = {x: f[x] - b[x] for x in f}
    per_mib = 1024.0 / int(k)
    print(fmt % (m, k, f["exits"], f["vm"], f["dabt"], f["hvc"], d["exits"], "%.0f" % (d["exits"] * per_mib),
                 "%.0f" % (d["vm"] * per_mib), "%.3g" % (d["insns"] * per_mib)))
EOF
exit $status
