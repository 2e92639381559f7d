#!/usr/bin/env bash
# The I/O virtualization cost table (issue 17): the same block workload (tests/guest/blk_workload.h:
# 1 MiB written in 256 requests of 4 KiB, read back in 256 more, FNV-1a checksum) run by
#   emulated     examples/09-io-emulated     (emulated.elf)     a register-level disk emulated at EL2
#   paravirtual  examples/10-io-paravirtual  (paravirtual.elf)  virtio-blk, the hypervisor the back end
#   passthrough  examples/11-io-passthrough  (passthrough.elf)  avsim's virtio-blk assigned, SMMU stage 2
#   baseline     examples/12-io-baseline     (baseline.elf)     the bare device, no hypervisor
# each on avsim with --stats, then one table: per mode, requests, exits to EL2 (exceptions taken
# from EL0/EL1 to EL2) in total and per request, cycles at EL2 (the VM's exits, from each exit until
# the VM runs again: vms[].exit_cycles), total cycles, simulated time per MiB moved (2 MiB: written
# and read back), the SMMU's walks and TLB hits, and the checksum verdict. Figures only, never
# pass/fail on time or counts.
#
#   bench/run_io.sh [BUILD_DIR]              (default BUILD_DIR: build)
#
# Builds nothing: it runs BUILD_DIR/avsim on BUILD_DIR/examples/<dir>/<name>.elf. A mode whose image
# is missing is shown as n/a with the reason. Each run's options come from its source's header lines,
# as run_guest_test.sh reads them: `// AVSIM-ARGS: ...`, and `// GUEST-DISK: <bytes>` for a fresh
# zero-filled disk (--drive); the passthrough and baseline programs get a 1 MiB one without it.
#
# The verdict: OK when the program exited with 0 and its guest's checksum line carries the
# workload's value (0x206dd2df8a13ee95, FNV-1a of blk_wl_fill's 1 MiB) twice, written and read
# back, and ends in ": OK" or ": same"; FAIL otherwise (another value, no such line, a non-zero
# exit, a timeout). --check: exit 1 if any mode present is not OK (the CTest bench.io_table).
#
# Environment: AVSIM (BUILD_DIR/avsim), IO_TIMEOUT (120 s per run), IO_KEEP=DIR (keep outputs and
# stats there). Exit status: 0; 1 with --check and a mode FAIL; 2 bad usage or no avsim.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
check=0
args=()
for a in "$@"; do
    case $a in
        --check) check=1 ;;
        -h|--help) usage ;;
        -*) echo "run_io.sh: unknown option $a" >&2; usage ;;
        *) args+=("$a") ;;
    esac
done
[ ${#args[@]} -le 1 ] || usage
build=${args[0]:-$top/build}
[ -d "$build" ] || { echo "run_io.sh: no build directory $build" >&2; exit 2; }
build=$(cd "$build" && pwd)
avsim=${AVSIM:-$build/avsim}
[ -x "$avsim" ] || { echo "run_io.sh: no avsim at $avsim (build first)" >&2; exit 2; }
tmo=${IO_TIMEOUT:-120}
[[ $tmo =~ ^[0-9]+$ ]] && [ "$tmo" -ge 1 ] || { echo "run_io.sh: IO_TIMEOUT: give seconds" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run_io.sh: needs python3 (reads the --stats JSON)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/run_io.XXXXXX")
trap 'rm -rf "$work"' EXIT

# option_line FILE KEY: the rest of the first line "// KEY: ..." of FILE (run_guest_test.sh's rule).
option_line() { grep -m1 "^// $2:" "$1" 2>/dev/null | sed "s|^// $2:[[:space:]]*||"; }

# mode DIR NAME DEFAULT_DISK_BYTES: runs one program; writes $work/NAME.{out,err,json,rc,why}.
run_mode() {
    local dir=$1 name=$2 disk_default=$3
    local elf=$build/examples/$dir/$name.elf src=$top/examples/$dir/$name.c
    if [ ! -f "$elf" ]; then
        if [ -f "$src" ]; then
            echo "no $name.elf in $build/examples/$dir (not built?)" >"$work/$name.why"
        else
            echo "examples/$dir not in this tree" >"$work/$name.why"
        fi
        return
    fi
    local extra=() disk_bytes=$disk_default line
    if [ -f "$src" ]; then
        line=$(option_line "$src" AVSIM-ARGS)
        # The options are split as the shell splits words (run_guest_test.sh does the same).
        [ -n "$line" ] && eval "extra=($line)"
        line=$(option_line "$src" GUEST-DISK)
        [ -n "$line" ] && disk_bytes=$line
    fi
    if [ -n "$disk_bytes" ]; then
        [[ $disk_bytes =~ ^[0-9]+$ ]] || { echo "bad GUEST-DISK '$disk_bytes' in $src" >"$work/$name.why"; return; }
        head -c "$disk_bytes" /dev/zero >"$work/$name.img"
        extra=(--drive="$work/$name.img" ${extra[@]+"${extra[@]}"})
    fi
    extra=("${extra[@]//@IMAGE_DIR@/$(dirname "$elf")}")
    extra=("${extra[@]//@SOURCE_DIR@/$top/examples/$dir}")
    timeout "$tmo" "$avsim" run --stats="$work/$name.json" ${extra[@]+"${extra[@]}"} "$elf" \
        >"$work/$name.out" 2>"$work/$name.err" </dev/null
    local rc=$?
    echo $rc >"$work/$name.rc"
    [ $rc -eq 124 ] && echo "timed out after ${tmo}s" >"$work/$name.why"
}

modes=(emulated:09-io-emulated paravirtual:10-io-paravirtual passthrough:11-io-passthrough
       baseline:12-io-baseline)
for m in "${modes[@]}"; do
    name=${m%%:*}
    disk=""
    case $name in passthrough|baseline) disk=1048576 ;; esac
    run_mode "${m#*:}" "$name" "$disk"
done
[ -z "${IO_KEEP:-}" ] || { mkdir -p "$IO_KEEP" && cp "$work"/*.out "$work"/*.err "$work"/*.json "$IO_KEEP"/ 2>/dev/null; }

python3 - "$work" "$check" "${modes[@]}" <<'EOF'
import json, os, re, sys

work, check, modes = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
WORKLOAD_FNV = "206dd2df8a13ee95"     # FNV-1a of blk_wl_fill's 256 requests (blk_workload.h)
WORKLOAD_REQUESTS = 512               # 256 writes + 256 reads of 4 KiB
MIB_MOVED = 2.0                       # 1 MiB written + 1 MiB read back

def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None

rows, failed = [], []
for m in modes:
    name, d = m.split(":", 1)
    why = read(os.path.join(work, name + ".why"))
    rc = read(os.path.join(work, name + ".rc"))
    if rc is None:                       # not run
        rows.append((name, None, (why or "not run").strip()))
        continue
    out = read(os.path.join(work, name + ".out")) or ""
    err = read(os.path.join(work, name + ".err")) or ""
    rc = int(rc)
    verdict, reason = "FAIL", ""
    # Each example's guest prints one line with the workload's checksum twice, what it wrote and
    # what it read back, ending in ": OK" or ": same" when they agree (the programs also exit
    # non-zero when they do not). Other lines (the hypervisors' own checks, the passthrough
    # example's checksums of another VM's page) do not count.
    lines = [l for l in out.splitlines() if re.search(r"checksum", l, re.I)]
    with_value = [l for l in lines if WORKLOAD_FNV in l.lower()]
    good = [l for l in with_value
            if l.lower().count(WORKLOAD_FNV) >= 2 and re.search(r":\s*(OK|same)\s*$", l)]
    if rc != 0:
        last = (err.strip().splitlines() or out.strip().splitlines() or ["no output"])[-1]
        reason = (why or "").strip() or "exit %d: %s" % (rc, last[:70])
    elif not good:
        reason = "no checksum line with 0x%s written and read back, ending in OK or same" % WORKLOAD_FNV
    else:
        verdict = "OK"
    if verdict == "FAIL":
        failed.append(name)
    stats = None
    try:
        with open(os.path.join(work, name + ".json")) as f:
            stats = json.load(f)
    except (OSError, ValueError):
        pass
    req = WORKLOAD_REQUESTS             # every mode runs the same workload
    rows.append((name, stats, verdict if not reason else verdict + ": " + reason, req))

print("I/O virtualization cost table: %d requests of 4 KiB (1 MiB written, read back), avsim --stats"
      % WORKLOAD_REQUESTS)
hdr = ("mode", "requests", "exits", "exits/req", "EL2 cycles", "total cycles", "vs baseline", "ms/MiB",
       "SMMU walks", "SMMU TLB hits", "checksum")
fmt = "%-12s %8s %8s %9s %12s %13s %12s %8s %10s %13s  %s"
# The baseline's total cycles: what the others spend beyond it is the price of virtualizing.
base_cycles = next((r[1]["cycles"] for r in rows if r[0] == "baseline" and r[1]), None)
print(fmt % hdr)
for r in rows:
    name, stats = r[0], r[1]
    if stats is None:
        print(fmt % (name, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a",
                     ("n/a: " + r[2]) if len(r) == 3 else r[2] + " (no --stats)"))
        continue
    verdict, req = r[2], r[3]
    exits = sum(e["count"] for e in stats.get("exceptions", []) if e["to_el"] == 2 and e["from_el"] < 2)
    el2 = sum(v.get("exit_cycles", 0) for v in stats.get("vms", []))
    cycles = stats["cycles"]
    ms_per_mib = stats["simulated_seconds"] * 1e3 / MIB_MOVED
    smmu = stats.get("smmu", {})
    vs = "%+d" % (cycles - base_cycles) if base_cycles is not None else "n/a"
    print(fmt % (name, req, exits, "%.2f" % (exits / req) if req else "n/a", el2, cycles, vs, "%.2f" % ms_per_mib,
                 smmu.get("walks", 0), smmu.get("tlb_hits", 0), verdict))
print("exits: exceptions from EL0/EL1 to EL2; EL2 cycles: from each exit until its VM ran again "
      "(vms[].exit_cycles);\nvs baseline: total cycles minus the baseline's; ms/MiB: simulated time of the whole run per MiB moved (2 MiB); "
      "SMMU: translations that walked, and the SMMU TLB's hits.")
if check and failed:
    print("run_io.sh: not OK: " + ", ".join(failed), file=sys.stderr)
    sys.exit(1)
EOF
