#!/usr/bin/env bash
# Bad input and stuck guests: avsim must print a clear message and exit with a
# non-zero status, never crash or hang. Usage: run_cli_tests.sh AVSIM GUEST_ELF
set -u
AVSIM=${1:?usage: run_cli_tests.sh AVSIM GUEST_ELF}
GOOD_ELF=${2:?usage: run_cli_tests.sh AVSIM GUEST_ELF [TIMER_ELF]}
TIMER_ELF=${3:-}
. "$(dirname "$0")/lib.sh"

printf 'hello\n' >"$tmp/text.txt"
head -c 100 "$GOOD_ELF" >"$tmp/truncated.elf"
printf '\x00\x00\x1f\xd6' >"$tmp/br_x0.bin"        # br x0 (x0 = 0: unassigned memory)
printf '\x7f\x20\x03\xd5' >"$tmp/wfi.bin"          # wfi with nothing to wake it
printf '\x00\x00\x00\x14' >"$tmp/loop.bin"         # b . (runs forever)

expect missing-file 2 'no-such-file.elf: No such file' -- run "$tmp/no-such-file.elf"
expect not-elf-raw-kernel 3 'neither an ELF file nor an arm64 Image: it runs as a raw kernel at 0x40080000' -- run "$tmp/text.txt"
expect wrong-arch 2 'is not AArch64' -- run /bin/true
expect truncated-elf 2 'broken ELF|outside the file|truncated' -- run "$tmp/truncated.elf"
expect unknown-option 2 "unknown option '--frobnicate'" -- run --frobnicate "$GOOD_ELF"
expect unknown-command 2 "unknown command 'fly'" -- fly
expect no-image 2 'no image given' -- run
expect bad-ram 2 '--ram=12Q' -- run --ram=12Q "$GOOD_ELF"
expect raw-outside-ram 2 'do not fit in RAM' -- run --load-addr=0x1000 "$tmp/wfi.bin"
expect stuck-exception-loop 3 'the guest is stuck: .* synchronous exceptions without an ERET' -- \
    run --load-addr=0x40080000 "$tmp/br_x0.bin"
expect wfi-forever 3 'waits in WFI .* nothing can wake it' -- run --load-addr=0x40080000 "$tmp/wfi.bin"
expect insn-limit 3 'instruction limit \(1000\) was reached' -- run --max-insns=1000 --load-addr=0x40080000 "$tmp/loop.bin"
# A limit far ahead is checked by the clock (pe_insn_limit_due), the blocks before it run
# from the front cache: the run still stops at the block that reaches it, here (one
# instruction a block) at exactly the limit.
expect insn-limit-far 3 'instruction limit \(3000000\) was reached' -- \
    run --max-insns=3000000 --stats="$tmp/limit.json" --load-addr=0x40080000 "$tmp/loop.bin"
check insn-limit-far-count grep -Eq '"instructions": 3000000,' "$tmp/limit.json"
# Big-endian data (SCTLR_ELx.EE, SCTLR_EL1.E0E) is not modelled: a clear stop at the MSR that
# sets it, with stage 1 on or off (issue 14), never an abort loop.
printf '\x00\x40\xa0\xd2\x00\x00\x40\xb2\x00\x10\x1c\xd5\x00\x00\x00\x14' >"$tmp/ee_el2.bin"  # SCTLR_EL2 = EE|M
printf '\x00\x40\xa0\xd2\x00\x00\x40\xb2\x00\x10\x18\xd5\x00\x00\x00\x14' >"$tmp/ee_el1.bin"  # SCTLR_EL1 = EE|M
printf '\x00\x20\xa0\xd2\x00\x10\x18\xd5\x00\x00\x00\x14' >"$tmp/e0e.bin"                     # SCTLR_EL1 = E0E
expect sctlr-el2-ee 3 'SCTLR_EL2 = 0x2000001 sets EE: big-endian data accesses and translation table walks are not modelled' -- \
    run --load-addr=0x40080000 "$tmp/ee_el2.bin"
expect sctlr-el1-ee 3 'SCTLR_EL1 = 0x2000001 sets EE: big-endian .* not modelled' -- run --load-addr=0x40080000 "$tmp/ee_el1.bin"
expect sctlr-el1-e0e 3 'SCTLR_EL1 = 0x1000000 sets E0E: big-endian .* not modelled' -- run --load-addr=0x40080000 "$tmp/e0e.bin"
expect bad-tlb-key 2 "unknown TLB parameter 'foo'" -- run --tlb=foo=1 "$GOOD_ELF"
expect bad-tlb-geometry 2 'ways do not divide entries' -- run --tlb=l2=100:3 "$GOOD_ELF"
expect bad-gic 2 '--gic=v9: give v3 or v2' -- run --gic=v9 "$GOOD_ELF"
# --cpu (issue 15): unknown names list what is modelled; each CPU by name runs and is what
# --stats reports.
expect unknown-cpu 2 '--cpu=cortex-x1: unknown CPU \(avsim models: cortex-a57 cortex-a76 max\)' -- run --cpu=cortex-x1 "$GOOD_ELF"
timeout 20 "$AVSIM" run --cpu=cortex-a76 --stats="$tmp/a76.json" "$GOOD_ELF" >/dev/null 2>&1 </dev/null
check "--cpu=cortex-a76 runs" [ $? -eq 0 ]
check "--stats names cortex-a76" grep -q '"cpu_model": "cortex-a76"' "$tmp/a76.json"
timeout 20 "$AVSIM" run --cpu=max --stats="$tmp/max.json" "$GOOD_ELF" >/dev/null 2>&1 </dev/null
check "--cpu=max runs" [ $? -eq 0 ]
check "--stats names max" grep -q '"cpu_model": "max"' "$tmp/max.json"
timeout 20 "$AVSIM" run --tlb=l2=2048:4 --cpu=cortex-a57 --stats="$tmp/cpu.json" --trace="$tmp/cpu.tr" \
    "$GOOD_ELF" >/dev/null 2>&1 </dev/null
check "--cpu=cortex-a57 runs" [ $? -eq 0 ]
check "--stats names the CPU" grep -q '"cpu_model": "cortex-a57"' "$tmp/cpu.json"
timeout 20 "$AVSIM" trace dump "$tmp/cpu.tr" 2>/dev/null | head -1 >"$tmp/cpu.hdr"
check "--tlb given before --cpu changes that CPU's TLB" grep -q '"cpu": "cortex-a57".*"tlb": "l1i=48,l1d=32,l2=2048:4,' "$tmp/cpu.hdr"
expect bad-counter-hz 2 'give a frequency' -- run --counter-hz=5 "$GOOD_ELF"
expect bad-gic-lrs 2 'give 1 to 16 list registers' -- run --gic-lrs=17 "$GOOD_ELF"
expect stats-unwritable 2 'cannot write statistics' -- run --stats=/nonexistent/dir/s.json "$GOOD_ELF"

# The exception trace names the instruction that trapped (HVC: the one before ELR).
timeout 20 "$AVSIM" run --trace-exceptions="$tmp/exc.txt" "$GOOD_ELF" >/dev/null 2>&1 </dev/null
check "--trace-exceptions shows the HVC instruction" grep -Eq 'HVC64 .* insn=0xd4[0-9a-f]{5}2 ' "$tmp/exc.txt"

# Determinism: the same image and options give the same output and the same
# instruction and cycle counts on every run (timers and interrupts included).
if [ -n "$TIMER_ELF" ]; then
    for i in 1 2 3; do
        timeout 20 "$AVSIM" run --stats="$tmp/det$i.json" "$TIMER_ELF" >"$tmp/det$i.out" 2>&1 </dev/null
        grep -E '"(instructions|cycles|idle_cycles)"' "$tmp/det$i.json" >"$tmp/det$i.counts"
    done
    if cmp -s "$tmp/det1.out" "$tmp/det2.out" && cmp -s "$tmp/det1.out" "$tmp/det3.out" &&
       cmp -s "$tmp/det1.counts" "$tmp/det2.counts" && cmp -s "$tmp/det1.counts" "$tmp/det3.counts" &&
       [ -s "$tmp/det1.counts" ]; then
        ok
    else
        bad "determinism: runs of $TIMER_ELF differ"
        diff "$tmp/det1.counts" "$tmp/det2.counts"
    fi
fi

finish cli
