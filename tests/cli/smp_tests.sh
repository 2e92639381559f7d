#!/usr/bin/env bash
# SMP from the command line: deterministic runs with several PEs (the same
# output, instruction and cycle counts per PE, run after run), a correct run
# with another quantum, what happens when every PE is off, and bad options.
# Usage: smp_tests.sh AVSIM SMP_ELF EXPECTED_OUT
set -u
AVSIM=${1:?usage: smp_tests.sh AVSIM SMP_ELF EXPECTED_OUT}
ELF=${2:?}
EXPECTED=${3:?}
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
expect smp-zero 2 '--smp=0: give 1 to 8' -- run --smp=0 "$ELF"
expect smp-nine 2 '--smp=9: give 1 to 8' -- run --smp 9 "$ELF"
expect bad-quantum 2 '--quantum=5: give 100 to' -- run --quantum=5 "$ELF"
finish smp_tests
