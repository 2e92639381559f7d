#!/usr/bin/env bash
# Traces end to end (issue 6), on the two-VM workload tests/guest/two_vms.c:
# recording does not change the run, is deterministic, shows the VMID
# switches; --stats counts each VM's exits with their cycles; tlbsim with VMID tags beats
# flush-on-switch; live --stats and the
# replay agree for the default TLB configuration; bad input to the trace
# options and tools gives a clear message and status 2. With SMP_ELF
# (tests/guest/smp.c, four PEs): the trace names each record's PE, is the
# same byte for byte run after run, and tlbsim's per-PE replay (one TLB per
# PE, TLBI ...IS broadcast) gives each PE's live fills and walks.
# With HIGH_VA_ELF (tests/guest/el1_high_va.c): blocks that run at upper-half
# (TTBR1) addresses are recorded like the others.
#   trace_tests.sh AVSIM TWO_VMS_ELF EXPECTED_OUT [SMP_ELF [HIGH_VA_ELF]]
set -u
AVSIM=${1:?usage: trace_tests.sh AVSIM TWO_VMS_ELF EXPECTED_OUT}
ELF=${2:?usage: trace_tests.sh AVSIM TWO_VMS_ELF EXPECTED_OUT}
EXPECTED=${3:?usage: trace_tests.sh AVSIM TWO_VMS_ELF EXPECTED_OUT}
SMP_ELF=${4:-}
HIGH_VA_ELF=${5:-}
. "$(dirname "$0")/lib.sh"

# A JSON number from one line of avsim's output: json_field FILE LINE_PATTERN KEY
json_field() { grep -E -- "$2" "$1" | head -1 | sed -n "s/.*\"$3\": \([0-9.]*\).*/\1/p"; }

# 1. Recording leaves the run unchanged: output, instruction and cycle counts.
head -n -1 "$EXPECTED" >"$tmp/expected.out"
timeout 20 "$AVSIM" run --stats="$tmp/plain.json" "$ELF" >"$tmp/plain.out" 2>&1
timeout 20 "$AVSIM" run --trace="$tmp/a.trc" --stats="$tmp/a.json" "$ELF" >"$tmp/a.out" 2>"$tmp/a.err"
check "run with --trace exits 0" [ $? -eq 0 ]
check "output with --trace is the expected output" cmp -s "$tmp/a.out" "$tmp/expected.out"
for k in instructions cycles; do
    check "$k equal with and without --trace" \
        [ "$(json_field "$tmp/plain.json" "^  \"$k\"" "$k")" = "$(json_field "$tmp/a.json" "^  \"$k\"" "$k")" ]
done

# 2. Deterministic: the same run gives the same trace, byte for byte.
timeout 20 "$AVSIM" run --trace="$tmp/b.trc" "$ELF" >/dev/null 2>&1
check "two recordings are identical" cmp -s "$tmp/a.trc" "$tmp/b.trc"

# 3. The trace shows both VMs and the switches between them.
"$AVSIM" trace stats "$tmp/a.trc" >"$tmp/stats.txt" 2>&1
check "trace stats exits 0" [ $? -eq 0 ]
switches=$(sed -n 's/^context: [0-9]* records, \([0-9]*\) VMID switches.*/\1/p' "$tmp/stats.txt")
check "at least 16 VMID switches (8 slices x 2 VMs), got '${switches}'" [ "${switches:-0}" -ge 16 ]
check "records of VMID 1" grep -Eq '^  vmid 1 +[1-9]' "$tmp/stats.txt"
check "records of VMID 2" grep -Eq '^  vmid 2 +[1-9]' "$tmp/stats.txt"
"$AVSIM" trace dump --events=context "$tmp/a.trc" | grep -v '^#' | grep -o 'vmid=[12]' | tr -d '\n' >"$tmp/ctx.txt"
check "VMIDs alternate 1,2,1,2 in the context records" grep -q 'vmid=1vmid=2vmid=1vmid=2vmid=1vmid=2vmid=1vmid=2' "$tmp/ctx.txt"
"$AVSIM" trace dump --events=tlbi --vmid=2 "$tmp/a.trc" >"$tmp/tlbi.txt"
check "VM 2's page move shows as IPAS2E1 + VMALLE1 on VMID 2" \
    grep -q 'op=IPAS2E1 vmid=2 .*ipa=0x41003000' "$tmp/tlbi.txt"
"$AVSIM" trace dump --events=data --el=1 --vmid=1 --limit=5 "$tmp/a.trc" | grep -v '^#' >"$tmp/data.txt"
check "dump --limit=5 prints 5 records" [ "$(wc -l <"$tmp/data.txt")" -eq 5 ]
check "VM 1's working set: IPA 0x41000000.. at PA 0x40a00000.." \
    grep -Eq 'va=0x41000[0-9a-f]{3} ipa=0x41000[0-9a-f]{3} pa=0x40a00[0-9a-f]{3}' "$tmp/data.txt"

# 3b. --stats per VM: the exits by class with their cycles, from each exit until that VM runs again
# (the other VM's slice included): each VM exits 8 times by HVC; the last one ends the run, so 7
# are complete.
for v in 1 2; do
    vm_line=$(grep -E "^    \{\"vmid\": $v," "$tmp/plain.json")
    hvc_line=$(sed -n "/^    {\"vmid\": $v,/,/^    \]}/p" "$tmp/plain.json" | grep '"name": "HVC64"')
    check "VM $v: 8 exits to EL2 in --stats" [ "$(echo "$vm_line" | sed -n 's/.*"exits_to_el2": \([0-9]*\).*/\1/p')" = 8 ]
    check "VM $v: 7 completed HVC exits" [ "$(echo "$hvc_line" | sed -n 's/.*"count": \([0-9]*\).*/\1/p')" = 7 ]
    hc=$(echo "$hvc_line" | sed -n 's/.*"cycles": \([0-9]*\).*/\1/p')
    ec=$(echo "$vm_line" | sed -n 's/.*"exit_cycles": \([0-9]*\).*/\1/p')
    check "VM $v: exit cycles ($ec) are the HVC exits' cycles ($hc), more than 7 slices of the other VM" \
        [ -n "$hc" ] && [ "$hc" = "$ec" ] && [ "$hc" -gt 7000 ]
done

# 4. tlbsim: VMID tags beat flushing on every switch; live and replay agree.
"$AVSIM" tlbsim --json "$tmp/a.trc" >"$tmp/tagged.json" 2>/dev/null
check "tlbsim exits 0" [ $? -eq 0 ]
"$AVSIM" tlbsim --json --untagged "$tmp/a.trc" >"$tmp/untagged.json" 2>/dev/null
tw=$(json_field "$tmp/tagged.json" '"total"' walks)
uw=$(json_field "$tmp/untagged.json" '"total"' walks)
check "tagged walks ($tw) fewer than flush-on-switch walks ($uw)" [ "${tw:-x}" -lt "${uw:-x}" ]
# live_vs_replay LABEL STATS_JSON TLBSIM_JSON: fills, walks and walk reads agree per VM.
live_vs_replay() {
    local vm pair live replay
    for vm in 1 2; do
        for pair in walks:walks walk_accesses:walk_refs fills:misses; do
            live=$(json_field "$2" "\"regime\": \"EL1&0\", \"vmid\": $vm," "${pair%%:*}")
            replay=$(json_field "$3" "\"regime\": \"el10\", \"vmid\": $vm," "${pair##*:}")
            check "$1, VM $vm: live ${pair%%:*} ($live) == replayed ${pair##*:} ($replay)" \
                [ "${live:-x}" = "${replay:-y}" ]
        done
    done
}
live_vs_replay "default TLB" "$tmp/a.json" "$tmp/tagged.json"
# A small TLB (capacity misses in every slice): tlbsim takes the recorded configuration.
timeout 20 "$AVSIM" run --tlb=l1d=8,l2=16:4 --trace="$tmp/small.trc" --stats="$tmp/small.json" "$ELF" >/dev/null 2>&1
"$AVSIM" tlbsim --json "$tmp/small.trc" >"$tmp/small-replay.json" 2>/dev/null
check "tlbsim replays with the recorded configuration" grep -q '"config": "l1i=48,l1d=8,l2=16:4' "$tmp/small-replay.json"
live_vs_replay "small TLB" "$tmp/small.json" "$tmp/small-replay.json"
check "the small TLB walks more ($(json_field "$tmp/small-replay.json" '"total"' walks) vs $tw)" \
    [ "$(json_field "$tmp/small-replay.json" '"total"' walks)" -gt "${tw:-0}" ]
"$AVSIM" tlbsim --sweep="$tmp/sweep.csv" --plot="$tmp/sweep.svg" --config=l2=64:4 --config=l2=256:4 \
    --config=l2=1024:4 "$tmp/a.trc" >/dev/null 2>"$tmp/sweep.err"
check "tlbsim --sweep exits 0" [ $? -eq 0 ]
check "sweep CSV: a header and rows for 3 configs x 2 modes" [ "$(grep -c 'tagged' "$tmp/sweep.csv")" -ge 6 ]
check "sweep plot is an SVG" grep -q '<svg' "$tmp/sweep.svg"

# 5. Event classes: only what was asked for is recorded.
timeout 20 "$AVSIM" run --trace="$tmp/exc.trc" --trace-events=exceptions,erets "$ELF" >/dev/null 2>&1
"$AVSIM" trace stats "$tmp/exc.trc" >"$tmp/exc.txt" 2>&1
check "exceptions recorded" grep -Eq '^  exceptions +16$' "$tmp/exc.txt"
check "no data recorded" grep -Eq '^  data +0$' "$tmp/exc.txt"
expect tlbsim-no-accesses 2 'blocks|data' -- tlbsim "$tmp/exc.trc"

# 6. Bad input.
printf 'hello\n' >"$tmp/text.trc"
head -c 200 "$tmp/a.trc" >"$tmp/truncated.trc"
expect bad-events 2 "--trace-events=bogus: .*blocks" -- run --trace="$tmp/x.trc" --trace-events=bogus "$ELF"
expect events-without-trace 2 'needs --trace' -- run --trace-events=data "$ELF"
expect unwritable-trace 2 'no-such-dir' -- run --trace="$tmp/no-such-dir/x.trc" "$ELF"
[ -w /dev/full ] && expect disk-full 2 'writing the trace /dev/full failed: No space left' -- \
    run --trace=/dev/full "$ELF"
expect dump-missing 2 'no-such.trc' -- trace dump "$tmp/no-such.trc"
expect dump-foreign 2 'not an avsim trace' -- trace dump "$tmp/text.trc"
expect dump-truncated 2 'truncated' -- trace dump "$tmp/truncated.trc"
expect stats-truncated 2 'truncated' -- trace stats "$tmp/truncated.trc"
expect trace-no-subcommand 2 'usage|dump' -- trace
expect trace-bad-subcommand 2 'fly' -- trace fly "$tmp/a.trc"
expect tlbsim-bad-config 2 'ways do not divide entries' -- tlbsim --config=l2=100:3 "$tmp/a.trc"
expect tlbsim-bad-option 2 'frobnicate' -- tlbsim --frobnicate "$tmp/a.trc"
expect tlbsim-truncated 2 'truncated' -- tlbsim "$tmp/truncated.trc"

# 7. Several PEs (--smp=4).
if [ -n "$SMP_ELF" ]; then
    timeout 60 "$AVSIM" run --smp=4 --stats="$tmp/smp-plain.json" "$SMP_ELF" >"$tmp/smp-plain.out" 2>&1
    timeout 60 "$AVSIM" run --smp=4 --trace="$tmp/smp-a.trc" --stats="$tmp/smp-a.json" "$SMP_ELF" \
        >"$tmp/smp-a.out" 2>&1
    check "--smp=4 --trace exits 0" [ $? -eq 0 ]
    timeout 60 "$AVSIM" run --smp=4 --trace="$tmp/smp-b.trc" "$SMP_ELF" >/dev/null 2>&1
    check "--smp=4: two recordings are identical" cmp -s "$tmp/smp-a.trc" "$tmp/smp-b.trc"
    check "--smp=4: the same output with and without --trace" cmp -s "$tmp/smp-plain.out" "$tmp/smp-a.out"
    pe_counts() { grep -o '"index": [0-9]*, "mpidr": [0-9]*, "instructions": [0-9]*, "cycles": [0-9]*' "$1"; }
    check "--smp=4: the same instructions and cycles per PE with and without --trace" \
        [ "$(pe_counts "$tmp/smp-plain.json")" = "$(pe_counts "$tmp/smp-a.json")" ]
    check "the header names 4 PEs" grep -q '"pes": 4' <(head -c 600 "$tmp/smp-a.trc" | tr -d '\0')
    # The default records every class, the SMMU's too: version 3. Without the SMMU classes, version 2.
    check "the trace is version 3" [ "$(od -An -tu4 -j8 -N4 "$tmp/smp-a.trc" | tr -d ' ')" = 3 ]
    timeout 60 "$AVSIM" run --smp=4 --trace="$tmp/smp-v2.trc" --trace-events=blocks,data,exceptions,erets,tlbi,context,walks,irq \
        "$SMP_ELF" >/dev/null 2>&1
    check "without SMMU classes the trace is version 2" \
        [ "$(od -An -tu4 -j8 -N4 "$tmp/smp-v2.trc" | tr -d ' ')" = 2 ]
    check "... with the same records (no SMMU on this machine)" \
        cmp -s <("$AVSIM" trace dump "$tmp/smp-a.trc" | tail -n +3) <("$AVSIM" trace dump "$tmp/smp-v2.trc" | tail -n +3)

    "$AVSIM" trace stats "$tmp/smp-a.trc" >"$tmp/smp-stats.txt" 2>&1
    check "trace stats of 4 PEs exits 0" [ $? -eq 0 ]
    for pe in 0 1 2 3; do
        check "trace stats counts records of PE $pe" grep -Eq "^  pe $pe +[1-9]" "$tmp/smp-stats.txt"
    done
    total=$(sed -n 's/^records: //p' "$tmp/smp-stats.txt")
    sum=$(awk '/^  pe [0-9]/ { s += $3 } END { print s }' "$tmp/smp-stats.txt")
    check "per-PE record counts ($sum) add up to the total ($total)" [ "${sum:-x}" = "${total:-y}" ]
    "$AVSIM" trace dump "$tmp/smp-a.trc" | grep -v '^#' >"$tmp/smp-dump.txt"
    check "dump names the PE of every record" \
        [ "$(grep -c ' pe=[0-3] ' "$tmp/smp-dump.txt")" = "$(wc -l <"$tmp/smp-dump.txt")" ]
    check "dump: PE 3 produced records" grep -q '^[0-9]* pe=3 ' "$tmp/smp-dump.txt"
    "$AVSIM" trace dump --pe=2 "$tmp/smp-a.trc" | grep -v '^#' >"$tmp/smp-pe2.txt"
    check "dump --pe=2: only PE 2's records, and some" \
        [ -s "$tmp/smp-pe2.txt" -a "$(grep -vc '^[0-9]* pe=2 ' "$tmp/smp-pe2.txt")" = 0 ]
    check "PE 0's TLBI VAE2IS is recorded as Inner Shareable" \
        grep -q '^[0-9]* pe=0 tlbi el=2 op=VAE2IS ' "$tmp/smp-dump.txt"
    # Time goes backwards between PEs (each has its own clock) and the deltas still decode.
    back=$(awk '{ if (NR > 1 && $1 < prev) n++; prev = $1 } END { print n + 0 }' "$tmp/smp-dump.txt")
    check "time goes back between PEs in the trace ($back times)" [ "$back" -gt 0 ]
    # GIC events are stamped with the clock of their PE: an IRQ record is never later than the
    # next record of the same PE (with PE 0's clock for every PE, 15 were on this run).
    late=$(awk '{ pe = $2; if (irq[pe] != "" && irq[pe] > $1) n++; irq[pe] = ($3 == "irq") ? $1 : "" }
                END { print n + 0 }' "$tmp/smp-dump.txt")
    check "IRQ records on their PE's clock ($late later than the PE's next record)" [ "$late" -eq 0 ]
    check "IRQ records of PEs 1 to 3" [ "$(grep -Ec '^[0-9]* pe=[123] irq ' "$tmp/smp-dump.txt")" -gt 0 ]

    # Live per-PE fills and walks (--stats "pes") equal tlbsim's per-PE misses and walks.
    "$AVSIM" tlbsim --json "$tmp/smp-a.trc" >"$tmp/smp-replay.json" 2>/dev/null
    check "tlbsim of 4 PEs exits 0" [ $? -eq 0 ]
    "$AVSIM" tlbsim "$tmp/smp-a.trc" >"$tmp/smp-replay.txt" 2>/dev/null
    check "tlbsim's table has a line per PE" [ "$(grep -Ec '^pe [0-3] ' "$tmp/smp-replay.txt")" = 4 ]
    replay_pe() {   # replay_pe PE KEY: PE's total KEY in tlbsim's JSON
        awk -v pe="$1" 'BEGIN { cur = "none" } /\{"pe": / { cur = $0; sub(/.*\{"pe": /, "", cur); sub(/,.*/, "", cur) }
                         /"total": / && cur == pe { print; exit }' "$tmp/smp-replay.json" |
            sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"
    }
    fills_total=0
    for pe in 0 1 2 3; do
        for pair in tlb_fills:misses walks:walks; do
            live=$(json_field "$tmp/smp-a.json" "\"index\": $pe," "${pair%%:*}")
            replay=$(replay_pe "$pe" "${pair##*:}")
            check "--smp=4, PE $pe: live ${pair%%:*} ($live) == replayed ${pair##*:} ($replay)" \
                [ "${live:-x}" = "${replay:-y}" ]
        done
        fills_total=$((fills_total + $(json_field "$tmp/smp-a.json" "\"index\": $pe," tlb_fills)))
    done
    # PE 1 issues no TLBI, yet its TLB loses entries: PE 0's TLBI VAE2IS reaches it (and the
    # refill it causes is one of PE 1's live fills compared above).
    check "PE 1 records no TLBI" [ -z "$("$AVSIM" trace dump --pe=1 --events=tlbi "$tmp/smp-a.trc" | grep -v '^#')" ]
    check "PE 0's broadcast TLBI removes entries from PE 1's replayed TLB ($(replay_pe 1 tlbi_removed))" \
        [ "$(replay_pe 1 tlbi_removed)" -gt 0 ]
    check "some fills to compare ($fills_total)" [ "$fills_total" -gt 0 ]
fi

if [ -n "$HIGH_VA_ELF" ]; then
    timeout 20 "$AVSIM" run --trace="$tmp/high.trc" "$HIGH_VA_ELF" >/dev/null 2>&1
    check "el1_high_va runs with --trace" [ $? -eq 0 ]
    "$AVSIM" trace dump --events=blocks --el=1 "$tmp/high.trc" | grep -v '^#' >"$tmp/high.txt"
    check "block records at upper-half VAs ($(grep -c 'va=0xffffffc0' "$tmp/high.txt"))" \
        [ "$(grep -c 'va=0xffffffc0' "$tmp/high.txt")" -gt 100 ]
    check "block records at lower-half VAs too" grep -q 'va=0x400' "$tmp/high.txt"
fi

finish "trace tests"
