#!/usr/bin/env bash
# SMP from the command line: deterministic runs with several PEs (the same
# output, instruction and cycle counts per PE, run after run), a correct run
# with another quantum, what happens when every PE is off, the latency of a
# kick between PEs in both directions, and bad options.
# Usage: smp_tests.sh AVSIM SMP_ELF EXPECTED_OUT [SMP_VCPUS_ELF]
set -u
AVSIM=${1:?usage: smp_tests.sh AVSIM SMP_ELF EXPECTED_OUT}
ELF=${2:?}
EXPECTED=${3:?}
VCPUS_ELF=${4:-}
. "$(dirname "$0")/lib.sh"

run() {   # run OUTFILE STATSFILE ARGS...: stdout + exit=<status> into OUTFILE
    local out=$1 stats=$2
    shift 2
    timeout 60 "$AVSIM" run --stats="$stats" "$@" "$ELF" >"$out" 2>"$out.err" </dev/null
    echo "exit=$?" >>"$out"
}
# The per-PE lines of the statistics, without host time.
pes() { sed -n '/"pes": \[/,/\]/p' "$1"; grep -E '^  "(instructions|cycles|idle_cycles)":' "$1"; }

run "$tmp/a.out" "$tmp/a.json" --smp=4
run "$tmp/b.out" "$tmp/b.json" --smp=4
check "--smp=4 output matches the expectation" cmp -s "$tmp/a.out" "$EXPECTED"
check "--smp=4 twice: the same output" cmp -s "$tmp/a.out" "$tmp/b.out"
pes "$tmp/a.json" >"$tmp/a.pes"
pes "$tmp/b.json" >"$tmp/b.pes"
check "--smp=4 twice: the same instructions and cycles on every PE" cmp -s "$tmp/a.pes" "$tmp/b.pes"
check "the statistics list four PEs" test "$(grep -c '"index"' "$tmp/a.pes")" -eq 4
check "every secondary ran" test "$(grep -c '"instructions": 0,' "$tmp/a.pes")" -eq 0

# Another quantum interleaves the PEs differently; the program is still right.
run "$tmp/q.out" "$tmp/q.json" --smp=4 --quantum=1000
check "--quantum=1000: output matches the expectation" cmp -s "$tmp/q.out" "$EXPECTED"
run "$tmp/q2.out" "$tmp/q2.json" --smp=4 --quantum=1000
pes "$tmp/q.json" >"$tmp/q.pes"
pes "$tmp/q2.json" >"$tmp/q2.pes"
check "--quantum=1000 twice: the same counts" cmp -s "$tmp/q.pes" "$tmp/q2.pes"

# PSCI CPU_OFF on the only running PE: nothing is left to run.
printf '\x40\x00\x80\xd2\x00\x80\xb0\xf2\x03\x00\x00\xd4\x00\x00\x00\x14' >"$tmp/cpu_off.bin"
expect all-off 3 'every PE is off or waits in WFI' -- run --smp=2 --load-addr=0x40080000 "$tmp/cpu_off.bin"
check "the report lists PE 1 as off" grep -q 'PE 1 (MPIDR 0x80000001): off' "$tmp/err"
printf '\x00\x00\x00\x14' >"$tmp/loop.bin"
expect smp-insn-limit 3 'instruction limit \(5000\) was reached' -- \
    run --smp=2 --max-insns=5000 --load-addr=0x40080000 "$tmp/loop.bin"
# A kick between PEs (examples/07-smp-vcpus): a vCPU's trapped ICC_SGI1R_EL1 write on one PE,
# then the physical SGI the hypervisor sends taken on the other PE, which waits in WFI. Each
# PE's clock is its own, but a PE woken by another is never woken before the sender's time and,
# whatever the order of the two PEs in a round, gets the rest of the round from then on: the
# latency (trap to IRQ, a few microseconds of hypervisor code) is the same both ways and well
# under one 20 us quantum. (Before, PE 0 took PE 1's kicks only at its next turn: 21.7 us.)
if [ -n "$VCPUS_ELF" ] && [ -f "$VCPUS_ELF" ]; then
    timeout 60 "$AVSIM" run --smp=2 --trace-exceptions="$tmp/kicks.txt" "$VCPUS_ELF" >/dev/null 2>&1 </dev/null
    # Lines "PEn [   T us] EL1->EL2 SYSREG ..." become "PEn T EL1->EL2 SYSREG".
    sed -E 's/^(PE[0-9]+) \[ *([0-9.]+) us\] ([^ ]+) +([A-Za-z0-9_]+).*/\1 \2 \3 \4/' "$tmp/kicks.txt" |
        awk '$3 == "EL1->EL2" && $4 == "SYSREG" { t = $2; from = $1 }
             $3 == "EL1->EL2" && $4 == "IRQ" && from != "" && $1 != from {
                 printf "%s %s %.3f\n", from, $1, $2 - t; from = "" }' >"$tmp/latency.txt"
    n01=$(grep -c '^PE0 PE1 ' "$tmp/latency.txt") n10=$(grep -c '^PE1 PE0 ' "$tmp/latency.txt")
    worst=$(awk '$3 > w || NR == 1 { w = $3 } END { print w + 0 }' "$tmp/latency.txt")
    low=$(awk '$3 < 0 { n++ } END { print n + 0 }' "$tmp/latency.txt")
    check "kicks both ways ($n01 from PE 0, $n10 from PE 1)" test "$n01" -eq 3 -a "$n10" -eq 3
    check "no kick taken before its trap ($low)" test "$low" -eq 0
    check "every kick taken within 10 us of its trap (worst $worst us)" awk -v w="$worst" 'BEGIN { exit !(w < 10) }'
fi

expect smp-zero 2 '--smp=0: give 1 to 8' -- run --smp=0 "$ELF"
expect smp-nine 2 '--smp=9: give 1 to 8' -- run --smp 9 "$ELF"
expect bad-quantum 2 '--quantum=5: give 100 to' -- run --quantum=5 "$ELF"
finish smp_tests
