#!/usr/bin/env bash
# KVM exit costs on avsim beside published hardware figures (issue 13 point 4). Figures only,
# never pass/fail.
#
#   bench/kvm_costs.sh [--qemu QEMU_LOG] [--stats STATS_JSON] [--clock-hz HZ] AVSIM_LOG
#
# AVSIM_LOG is kvm-unit-tests' micro-bench output from a run on avsim: the log directory of
#   tests/external/run-kvm-unit-tests.sh --kvmtool LKVM --log-dir=DIR KUT_KVMTOOL_BUILD
# (DIR/micro-bench.log; DIR/stats.json and DIR/console.log are then picked up too), or any file
# holding micro-bench's table (the console log, the runner's output). --qemu gives the same from a
# run with --qemu, for a column of QEMU's nanoseconds. --stats gives avsim's --stats JSON when
# AVSIM_LOG is a file.
#
# micro-bench (kvm-unit-tests arm/micro-bench.c) times each loop with CNTVCT_EL0 and prints, per
# operation, the loop's total and average in ns, converted from counter ticks (ps per tick =
# ceil(10^12 / CNTFRQ)); on avsim the counter is 62.5 MHz (16 ns a tick) and the CPU clock 1 GHz
# (--clock-hz, or "clock_hz" from --stats). Each figure here is the loop's total divided by its
# iterations (65,536; 256 for timer_10ms, whose 10 ms wait micro-bench subtracts), times the CPU
# clock: avsim's cycles per operation. QEMU runs on the host's wall clock and has no cycle model:
# its column stays in ns.
#
# The reference column is KVM/ARM on an APM X-Gene (Table II, "Microbenchmark Measurements (cycle
# counts)", of C. Dall, S.-W. Li, J. T. Lim, J. Nieh, G. Koloventzos, "ARM Virtualization:
# Performance and Architectural Implications", ISCA 2016). "!! >2x" marks avsim figures more than
# twice as large, or less than half as large.
#
# With the JSON it also prints the exceptions taken to EL2 from EL0/EL1 (the exits) by exception
# class, and the exits per VMID, for the whole run (host boot and every test).
# Exit status: 0, or 2 for bad usage or input without micro-bench figures.
set -u

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "kvm_costs.sh: $*" >&2; exit 2; }

qemu_log="" stats="" clock_hz="" avsim_log="" console=""
while [ $# -gt 0 ]; do
    case $1 in
        --qemu) [ $# -ge 2 ] || usage; qemu_log=$2; shift ;;
        --qemu=*) qemu_log=${1#*=} ;;
        --stats) [ $# -ge 2 ] || usage; stats=$2; shift ;;
        --stats=*) stats=${1#*=} ;;
        --clock-hz) [ $# -ge 2 ] || usage; clock_hz=$2; shift ;;
        --clock-hz=*) clock_hz=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "kvm_costs.sh: unknown option $1" >&2; usage ;;
        *) [ -z "$avsim_log" ] || usage; avsim_log=$1 ;;
    esac
    shift
done
[ -n "$avsim_log" ] || usage

# A log directory of run-kvm-unit-tests.sh: its micro-bench log, statistics and console.
resolve() {
    if [ -d "$1" ]; then
        [ -f "$1/micro-bench.log" ] || die "$1 has no micro-bench.log (run-kvm-unit-tests.sh --kvmtool ... --log-dir=$1)"
        echo "$1/micro-bench.log"
    else
        [ -f "$1" ] || die "no file $1"
        echo "$1"
    fi
}
if [ -d "$avsim_log" ]; then
    [ -n "$stats" ] || { [ -s "$avsim_log/stats.json" ] && stats=$avsim_log/stats.json; }
    [ -s "$avsim_log/console.log" ] && console=$avsim_log/console.log
fi
avsim_mb=$(resolve "$avsim_log") || exit 2
qemu_mb=""
[ -z "$qemu_log" ] || { qemu_mb=$(resolve "$qemu_log") || exit 2; }
[ -z "$stats" ] || [ -f "$stats" ] || die "no statistics file $stats"
if [ -z "$clock_hz" ] && [ -n "$stats" ]; then
    clock_hz=$(sed -n 's/^ *"clock_hz": \([0-9]*\),.*/\1/p' "$stats" | head -n1)
fi
[ -n "$clock_hz" ] || clock_hz=1000000000
case $clock_hz in ''|*[!0-9]*|0) die "bad --clock-hz '$clock_hz'" ;; esac

# figures FILE: "NAME TOTAL_NS" for every line of micro-bench's table in FILE (the first table
# only), and "NAME skipped" for the loops it skipped (ipi_hw needs GICv4.1, lpi an ITS).
figures() {
    tr -d '\r' <"$1" | awk '
        /^ *name +total ns +avg ns/ { if (seen++) exit; intable = 1; next }
        intable && /^ *[a-z_0-9]+ +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ *$/ { print $1, $2; next }
        intable && / test skipped$/ { print $1, "skipped"; next }
        intable && /^ *EXIT: / { exit }'
}
avsim_fig=$(figures "$avsim_mb")
[ -n "$avsim_fig" ] || die "$avsim_mb holds no micro-bench figures (did micro-bench run to its end? see its log)"
qemu_fig=""
if [ -n "$qemu_mb" ]; then
    qemu_fig=$(figures "$qemu_mb")
    [ -n "$qemu_fig" ] || echo "kvm_costs.sh: $qemu_mb holds no micro-bench figures; no QEMU column" >&2
fi
cntfrq=$(tr -d '\r' <"$avsim_mb" | sed -n 's/^ *Timer Frequency \([0-9]*\) Hz.*/\1/p' | head -n1)

# The rows: micro-bench loop | iterations | the paper's row | KVM ARM cycles | note
# The KVM ARM column of the paper's microbenchmark table (Table II). A figure in parentheses is
# shown for reference only: the paper's operation is not the one micro-bench times (no ratio).
ROWS='hyp_call|65536|Hypercall|6500|HVC to KVM at EL2 and back, no work
mmio_read_vgic|65536|Interrupt Controller Trap|7370|GICD_IIDR read, emulated by KVM (vGIC distributor)
ipi|65536|Virtual IPI|11557|SGI to the other vCPU until its handler runs; on avsim it follows --quantum (README, "SMP")
eoi|65536|Virtual IRQ Completion|71|ICC_EOIR1_EL1 write, no exit (ICH virtual interface)
mmio_read_user|65536|I/O Latency Out|(6024)|not the same operation: paper one way (MMIO write until the back end sees it); here a read emulated by lkvm, round trip
-|0|I/O Latency In|(13872)|no micro-bench equivalent (back end signals, VM takes the virtual interrupt)
ipi_hw|65536|-|-|IPI with GICv4.1 vSGIs
lpi|65536|-|-|LPI through the ITS
timer_10ms|256|-|-|virtual timer interrupt latency (CNTV_CVAL 10 ms ahead, minus 10 ms)'

fig_of() { echo "$2" | awk -v n="$1" '$1 == n { print $2; exit }'; }

# The host's KVM mode, from the run's console (run-kvm-unit-tests.sh lists the kvm lines).
kvm_mode=nVHE
[ -n "${console:-}" ] && grep -q 'VHE mode initialized successfully' "$console" && kvm_mode=VHE
printf 'KVM exit costs: kvm-unit-tests micro-bench as a KVM guest (kvmtool, Linux %s) on avsim\n' "$kvm_mode"
printf 'avsim CPU clock %s MHz' "$(awk -v h="$clock_hz" 'BEGIN { printf "%g", h / 1e6 }')"
[ -n "$cntfrq" ] && printf ', guest counter %s MHz (%s ns a tick)' \
    "$(awk -v f="$cntfrq" 'BEGIN { printf "%g", f / 1e6 }')" "$(awk -v f="$cntfrq" 'BEGIN { printf "%g", 1e9 / f }')"
printf '; from %s\n' "$avsim_mb"
[ -n "$qemu_fig" ] && printf 'QEMU: %s (TCG, host wall clock: ns only)\n' "$qemu_mb"
printf '\n%-26s %-15s %12s %12s %10s %7s' operation micro-bench "avsim ns" "avsim cyc" "KVM ARM" ratio
[ -n "$qemu_fig" ] && printf ' %12s' "QEMU ns"
printf '  notes\n'
off=0
while IFS='|' read -r mb iters row ref note; do
    a=""; q=""
    [ "$mb" != - ] && a=$(fig_of "$mb" "$avsim_fig")
    [ "$mb" != - ] && [ -n "$qemu_fig" ] && q=$(fig_of "$mb" "$qemu_fig")
    # Rows without a paper figure and without a figure from the run are not printed.
    [ "$row" = - ] && [ -z "$a" ] && continue
    label=$row; [ "$row" = - ] && label="($mb)"
    if [ -z "$a" ]; then ans=-; acyc=-
    elif [ "$a" = skipped ]; then ans=skipped; acyc=-
    else
        ans=$(awk -v t="$a" -v n="$iters" 'BEGIN { printf "%.1f", t / n }')
        acyc=$(awk -v t="$a" -v n="$iters" -v h="$clock_hz" 'BEGIN { printf "%.0f", t / n * h / 1e9 }')
    fi
    ratio=-; mark=""
    if [ "$acyc" != - ] && [ "$ref" != - ] && [ "${ref#(}" = "$ref" ]; then
        ratio=$(awk -v a="$acyc" -v r="$ref" 'BEGIN { printf "%.2f", a / r }')
        if awk -v x="$ratio" 'BEGIN { exit !(x > 2 || x < 0.5) }'; then mark="!! >2x"; off=$((off + 1)); fi
    fi
    if [ -z "$q" ]; then qns=-; elif [ "$q" = skipped ]; then qns=skipped
    else qns=$(awk -v t="$q" -v n="$iters" 'BEGIN { printf "%.1f", t / n }'); fi
    printf '%-26s %-15s %12s %12s %10s %7s' "$label" "$mb" "$ans" "$acyc" "$ref" "$ratio"
    [ -n "$qemu_fig" ] && printf ' %12s' "$qns"
    printf '  %s%s\n' "${mark:+$mark; }" "$note"
done <<<"$ROWS"
printf '\nKVM ARM: cycles on an APM X-Gene, Table II of Dall et al., ISCA 2016; ratio = avsim cycles / KVM ARM.\n'
printf '(N): the paper'"'"'s figure for an operation micro-bench does not time; no ratio.\n'
[ "$off" -gt 0 ] && printf '%d figure(s) off by more than 2x (!!).\n' "$off"

[ -n "$stats" ] || { echo; echo "(no --stats JSON: exits by class and per VMID not shown)"; exit 0; }

# sim/stats.c writes one JSON item per line: in "exceptions", {"ec": N, "name": "...", "from_el": A,
# "to_el": B, "count": C}; in "vms", {"vmid": V, "exits_to_el2": N, "virtual_interrupts": M,
# "exit_cycles": X, "exits": [ followed by one {"ec": N, "name": "...", "count": C, "cycles": Y}
# per exception class (the cycles from each exit until that VM ran again).
section() { sed -n "/^  \"$1\": \[/,/^  \]/p" "$stats"; }
printf '\nExits to EL2 by exception class (avsim --stats, %s; the whole run: host boot and every test)\n' "$stats"
section exceptions | grep -E '^ *\{"ec": ' | awk '
    function field(k,   m) { if (match($0, "\"" k "\": \"?[^,\"}]*")) { m = substr($0, RSTART, RLENGTH); sub(/^"[^"]*": "?/, "", m); return m } return "" }
    {
        from = field("from_el"); to = field("to_el")
        if (to != 2 || from >= 2) { other += field("count"); next }
        printf "  %-18s %5s  EL%s->EL2 %12d\n", field("name"), sprintf("0x%02x", field("ec")), from, field("count")
        total += field("count")
    }
    END { printf "  %-18s %5s  %8s %12d\n  (other exceptions, not exits: %d)\n", "total", "", "", total, other }'

printf '\nExits per VMID (stage 2 on: the guests; VMIDs as KVM allocated them), with the cycles of each\n'
printf 'exit class: from the exit until the PE ran that VM again (hypervisor, host kernel and lkvm)\n'
tests_in_order=""
[ -n "$console" ] && tests_in_order=$(tr -d '\r' <"$console" | sed -n 's/^KUT-BEGIN //p' | tr '\n' ' ')
section vms | awk -v order="$tests_in_order" '
    function field(k,   m) { if (match($0, "\"" k "\": \"?[^,\"}]*")) { m = substr($0, RSTART, RLENGTH); sub(/^"[^"]*": "?/, "", m); return m } return "" }
    BEGIN { n = split(order, t, " "); printf "  %5s %12s %12s %14s  %s\n", "VMID", "exits", "virtual IRQs", "exit cycles", (n ? "test (if KVM gave out VMIDs in run order)" : "") }
    /^ *\{"vmid": / { v = field("vmid"); e = field("exits_to_el2"); sum += e
      printf "  %5s %12s %12s %14s  %s\n", v, e, field("virtual_interrupts"), field("exit_cycles"), (v >= 1 && v <= n ? t[v] : "")
      next }
    /^ *\{"ec": / { c = field("count"); y = field("cycles")
      printf "  %5s   %-16s %8s exits, %10.0f cycles each", "", field("name"), c, (c > 0 ? y / c : 0)
      # cycles_by_source: {"alu": N, ...}: per exit, the largest first
      src = $0; sub(/.*"cycles_by_source": \{/, "", src); sub(/\}\}.*/, "", src)
      if (src != $0 && c > 0) {
          m = split(src, kv, ", "); line = ""
          for (i = 1; i <= m; i++) { split(kv[i], p, ": "); gsub(/"/, "", p[1]); name[i] = p[1]; val[i] = p[2] / c }
          for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (val[j] > val[i]) {
              tv = val[i]; val[i] = val[j]; val[j] = tv; tn = name[i]; name[i] = name[j]; name[j] = tn }
          for (i = 1; i <= m; i++) if (val[i] >= 0.5) line = line sprintf("%s %s %.0f", (line == "" ? "" : ","), name[i], val[i])
          printf ":%s", line
      }
      printf "\n" }
    END { printf "  %5s %12d  (the other exits come from the host: no stage 2, KVM'"'"'s own HVCs and traps)\n", "all", sum }'
exit 0
