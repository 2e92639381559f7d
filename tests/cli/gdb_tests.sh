#!/usr/bin/env bash
# The GDB stub (issue 7) with a scripted gdb-multiarch, on examples/01-hypercalls:
# a breakpoint in the EL2 handler, registers (x0, x1, ESR_EL2 through the target
# description), memory read and write, stepi (one instruction, and across an
# HVC and a trapped SMC onto the EL2 vector), continue to the exit; hbreak, detach,
# kill, writing code, Ctrl-C; bad --gdb values and a port in use. Skipped when gdb-multiarch
# is not installed (scripts/install-deps.sh installs it).
# With TWO_VMS_ELF: memory by physical address (Qqemu.PhyMemMode, monitor phys) in a VM
# whose stage 2 maps IPA 0x41000000 to PA 0x40a00000.
# With SMP_ELF (tests/guest/smp.c): --smp=4, one thread per PE (info threads, a breakpoint
# only secondaries reach, thread switches, stepping one PE alone, hbreak on every PE,
# memory by VA through the selected PE's stage 1), a stepi over a secondary's WFI; then two
# PEs of a raw image: a PE just started by CPU_ON, and Ctrl-C.
# With DEBUG_BP_ELF (tests/guest/debug_bp.c, and its expected output beside it): gdb's
# breakpoints stay apart from the guest's own (issue 19): gdb stops at an address the guest
# also breaks on, and the guest's output (its own breakpoint exceptions) is unchanged.
#   gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF [SMP_ELF [DEBUG_BP_ELF DEBUG_BP_EXPECTED]]]
set -u
AVSIM=${1:?usage: gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF [SMP_ELF]]}
ELF=${2:?usage: gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF [SMP_ELF]]}
VMS_ELF=${3:-}
SMP_ELF=${4:-}
DEBUG_BP_ELF=${5:-}
DEBUG_BP_EXPECTED=${6:-}
. "$(dirname "$0")/lib.sh"

if ! command -v gdb-multiarch >/dev/null; then
    echo "gdb_tests: gdb-multiarch is not installed (scripts/install-deps.sh installs it); skipped"
    exit 0
fi

expect "--gdb=0" 2 "--gdb=0: give a TCP port" -- run --gdb=0 "$ELF"
expect "--gdb=x" 2 "--gdb=x: give a TCP port" -- run --gdb=x "$ELF"
expect "--gdb=70000" 2 "give a TCP port from 1 to 65535" -- run --gdb=70000 "$ELF"

# start NAME ARGS...: avsim run --gdb=PORT ARGS in the background, PORT free ($port, $pid).
start() {
    local name=$1
    shift
    for _ in $(seq 20); do
        port=$((20000 + RANDOM % 40000))
        timeout 60 "$AVSIM" run --gdb=$port "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
        pid=$!
        for _ in $(seq 100); do
            grep -qs "waiting for gdb" "$tmp/$name.err" && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.05
        done
        wait $pid 2>/dev/null
    done
    echo "FAIL: avsim --gdb never listened"; cat "$tmp/$name.err"
    exit 1
}
# finish_avsim NAME: waits for avsim; its status in $status.
finish_avsim() { wait $pid; status=$?; }
gdb_batch() { timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "file $ELF" "$@" 2>&1; }
# val TAG KEY: KEY's value on gdb's output line "TAG ... KEY=VALUE ...".
val() { sed -n "s/^$1 \(.* \)\{0,1\}$2=\([0-9a-f]*\).*/\2/p" "$tmp/gdb.out" | head -1; }

hvc=$(gdb_batch -ex "disassemble guest" | grep -m1 -P '\thvc\t#0x0$' | sed 's/^ *0x0*\([0-9a-f]*\).*/\1/')
smc=$(gdb_batch -ex "disassemble guest" | grep -m1 -P '\tsmc\t#0x0$' | sed 's/^ *0x0*\([0-9a-f]*\).*/\1/')
check "found the guest's first HVC and its SMC" [ -n "$hvc" -a -n "$smc" ]

# 1. Breakpoint, registers, memory, stepi, continue to the exit.
start s1 "$ELF"
expect "a port in use" 2 "cannot listen on 127.0.0.1:$port" -- run --gdb=$port "$ELF"
gdb_batch -ex "target remote :$port" \
    -ex 'printf "start pc=%lx el=%d\n", $pc, $CurrentEL' \
    -ex 'break el2_handler' -ex 'continue' \
    -ex 'printf "bp pc=%lx x0=%lx f=%lx x1=%d esr=%lx count=%d\n", $pc, $x0, f, $x1, $ESR_EL2, exits_hvc' \
    -ex 'set var exits_hvc = 1000' \
    -ex 'stepi' -ex 'printf "step pc=%lx\n", $pc' \
    -ex 'delete' -ex "break *0x$hvc" -ex 'continue' \
    -ex 'printf "hvc pc=%lx el=%d\n", $pc, $CurrentEL' \
    -ex 'stepi' -ex 'printf "vec pc=%lx vbar=%lx el=%d elr=%lx\n", $pc, $VBAR_EL2, $CurrentEL, $ELR_EL2' \
    -ex 'delete' -ex "break *0x$smc" -ex 'continue' -ex 'stepi' \
    -ex 'printf "smc pc=%lx el=%d esr=%lx elr=%lx\n", $pc, $CurrentEL, $ESR_EL2, $ELR_EL2' \
    -ex 'delete' -ex 'continue' >"$tmp/gdb.out"
finish_avsim s1
entry=$(gdb_batch -ex 'printf "e=%lx\n", _start' | sed -n 's/e=//p')
bp=$(val bp pc)
check "stops first at the entry point, EL2" [ "$(val start pc)" = "$entry" -a "$(val start el)" = 8 ]
check "the breakpoint in el2_handler is hit" grep -q "Breakpoint 1.*el2_handler (f=" "$tmp/gdb.out"
check "x0 is the handler's frame argument" [ -n "$(val bp x0)" -a "$(val bp x0)" = "$(val bp f)" ]
check "x1 is the vector (8: lower EL, synchronous)" [ "$(val bp x1)" = 8 ]
check "ESR_EL2 is HVC64 #0 (0x5a000000)" [ "$(val bp esr)" = 5a000000 ]
check "a global reads 0 at the first exit" [ "$(val bp count)" = 0 ]
check "stepi steps one instruction" [ "$(val step pc)" = "$(printf %x $((0x$bp + 4)))" ]
check "the HVC breakpoint stops at EL1" [ "$(val hvc pc)" = "$hvc" -a "$(val hvc el)" = 4 ]
check "stepi over the HVC lands on VBAR_EL2 + 0x400 at EL2" \
    [ "$(val vec pc)" = "$(printf %x $((0x$(val vec vbar) + 0x400)))" -a \
      "$(val vec el)" = 8 ]
check "ELR_EL2 is the instruction after the HVC" [ "$(val vec elr)" = "$(printf %x $((0x$hvc + 4)))" ]
check "stepi over a trapped SMC (HCR_EL2.TSC, mid-block) lands on the vector: EC 0x17, ELR the SMC" \
    [ "$(val smc pc)" = "$(printf %x $((0x$(val vec vbar) + 0x400)))" -a "$(val smc el)" = 8 -a \
      "$(val smc esr)" = 5e000000 -a "$(val smc elr)" = "$smc" ]
check "gdb sees the exit" grep -q "exited normally" "$tmp/gdb.out"
check "avsim exits 0" [ "$status" -eq 0 ]
check "the memory write reached the guest (1000 + 125 HVC exits)" grep -q "exits: HVC 1125, SMC-trap 1" "$tmp/s1.out"
[ $fail -eq 0 ] || { sed 's/^/    gdb: /' "$tmp/gdb.out"; sed 's/^/    avsim: /' "$tmp/s1.err"; }

# 2. A hardware breakpoint (Z1), then detach: the run goes on to its normal end.
start s2 "$ELF"
gdb_batch -ex "target remote :$port" -ex 'hbreak el2_handler' -ex 'continue' -ex "detach" >"$tmp/gdb2.out"
finish_avsim s2
check "hbreak (Z1) stops in el2_handler" grep -q "^Breakpoint 1.*, el2_handler (f=" "$tmp/gdb2.out"
check "after detach avsim exits 0" [ "$status" -eq 0 ]
check "after detach the guest finishes" grep -q "exits: HVC 125, SMC-trap 1" "$tmp/s2.out"

# 3. Kill ends the run (status 3, with a message).
start s3 "$ELF"
gdb_batch -ex "target remote :$port" -ex 'stepi' -ex 'kill' >"$tmp/gdb3.out"
finish_avsim s3
check "kill: status 3" [ "$status" -eq 3 ]
check "kill: a message" grep -q "the debugger ended the run" "$tmp/s3.err"

# 3b. Writing code: at the second HVC (its block already translated) a NOP replaces it, stepi
# runs the NOP (no exit to EL2), then the HVC is written back and later ones run.
start s5 "$ELF"
gdb_batch -ex "target remote :$port" -ex "break *0x$hvc" -ex 'continue' -ex 'continue' \
    -ex "set {int}0x$hvc = 0xd503201f" -ex 'stepi' -ex 'printf "nop pc=%lx el=%d\n", $pc, $CurrentEL' \
    -ex "set {int}0x$hvc = 0xd4000002" -ex 'delete' -ex 'continue' >"$tmp/gdb.out"
finish_avsim s5
check "a NOP written over an HVC runs as a NOP" [ "$(val nop pc)" = "$(printf %x $((0x$hvc + 4)))" -a "$(val nop el)" = 4 ]
check "the HVC written back runs again (one exit fewer, one character lost)" \
    grep -q "exits: HVC 124, SMC-trap 1" "$tmp/s5.out"
check "code writes: avsim exits 0" [ "$status" -eq 0 ]

# 4. Ctrl-C (gdb sends 0x03 on SIGINT; 5 s leave a loaded machine, or a sanitizer build, time to connect;
# --foreground: one SIGINT to gdb alone, since a second one, sent to the process group, makes gdb give up) stops a guest spinning in `b .` (a raw image).
printf '\000\000\000\024' >"$tmp/loop.bin"
start s4 --load-addr=0x40000000 "$tmp/loop.bin"
timeout --foreground -k 30 -s INT 5 gdb-multiarch -batch -nx -ex 'set architecture aarch64' -ex "target remote :$port" \
    -ex 'continue' -ex 'printf "int pc=%lx\n", $pc' -ex 'kill' >"$tmp/gdb4.out" 2>&1
finish_avsim s4
check "Ctrl-C stops the guest with SIGINT" grep -q "received signal SIGINT" "$tmp/gdb4.out"
check "Ctrl-C: the PC is the loop" grep -q "^int pc=40000000$" "$tmp/gdb4.out"
check "Ctrl-C then kill: status 3" [ "$status" -eq 3 ]
grep -q "received signal SIGINT" "$tmp/gdb4.out" || sed 's/^/    gdb: /' "$tmp/gdb4.out"

# 5. Memory by physical address: in VM 1's first slice, VA (= IPA) 0x41000000 holds 1000 at
# PA 0x40a00000; PA 0x41000000 is other RAM (0); a device's PA is refused.
if [ -n "$VMS_ELF" ]; then
    start s6 "$VMS_ELF"
    timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "file $VMS_ELF" -ex "target remote :$port" \
        -ex 'break vm_slice' -ex 'continue' \
        -ex 'printf "va v=%lx\n", *(unsigned long *)0x41000000' \
        -ex 'maintenance packet Qqemu.PhyMemMode:1' \
        -ex 'printf "pa v=%lx other=%lx\n", *(unsigned long *)0x40a00000, *(unsigned long *)0x41000000' \
        -ex 'x/1gx 0x09000000' -ex 'monitor phys off' \
        -ex 'printf "back v=%lx\n", *(unsigned long *)0x41000000' -ex 'kill' >"$tmp/gdb.out" 2>&1
    finish_avsim s6
    check "VA 0x41000000 in VM 1 reads 1000" [ "$(val va v)" = 3e8 ]
    check "PA 0x40a00000 reads the same 1000" [ "$(val pa v)" = 3e8 ]
    check "PA 0x41000000 is other memory" [ "$(val pa other)" = 0 ]
    check "a device's PA is refused" grep -q "Cannot access memory at address 0x9000000" "$tmp/gdb.out"
    check "monitor phys off: VAs again" [ "$(val back v)" = 3e8 ]
    check "monitor phys off says so" grep -q "memory accesses use virtual addresses" "$tmp/gdb.out"
fi

# 6. Several PEs (--smp=4): each PE is a thread; PEs 1-3 are off until PE 0's PSCI CPU_ON.
if [ -n "$SMP_ELF" ]; then
    # The line in secondary_main where PE 1 has its EL2 stage 1 on (VA_X 0x20000000 -> page A).
    line=$(grep -n "step = 2;" "$(dirname "$0")/../guest/smp.c" | head -1 | cut -d: -f1)
    start s7 --smp=4 "$SMP_ELF"
    timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "file $SMP_ELF" -ex "target remote :$port" \
        -ex 'info threads' \
        -ex 'break secondary_main' -ex 'continue' \
        -ex 'printf "sec x0=%lx el=%d\n", $x0, $CurrentEL' -ex 'info threads' \
        -ex 'delete' \
        -ex 'thread 2' -ex 'printf "a t2=%lx\n", $pc' -ex 'thread 1' -ex 'printf "a t1=%lx\n", $pc' \
        -ex 'stepi' -ex 'printf "b t1=%lx\n", $pc' -ex 'thread 2' -ex 'printf "b t2=%lx\n", $pc' \
        -ex 'stepi' -ex 'printf "c t2=%lx\n", $pc' -ex 'thread 1' -ex 'printf "c t1=%lx\n", $pc' \
        -ex 'hbreak secondary_main' -ex 'continue' -ex 'printf "hb x0=%lx\n", $x0' -ex 'delete' \
        -ex "break smp.c:$line" -ex 'continue' \
        -ex 'printf "va t=%d v=%lx\n", $_thread, *(unsigned long *)0x20000000' \
        -ex 'thread 1' -ex 'x/1gx 0x20000000' -ex 'delete' \
        -ex 'continue' >"$tmp/gdb.out" 2>&1
    finish_avsim s7
    check "smp: info threads lists threads 1-4 (no 5): PE 0 at EL2 at _start, PEs 1-3 off" \
        [ "$(grep -c 'Thread 1 (PE 0 (MPIDR 0x80000000) EL2) _start' "$tmp/gdb.out")" = 1 -a \
          "$(grep -c 'Thread 2 (PE 1 (MPIDR 0x80000001) off)' "$tmp/gdb.out")" = 1 -a \
          "$(grep -c 'Thread 4 (PE 3 (MPIDR 0x80000003) off)' "$tmp/gdb.out")" -ge 1 -a \
          "$(grep -c 'Thread 5' "$tmp/gdb.out")" = 0 ]
    check "smp: the breakpoint in secondary_main stops thread 2 (PE 1)" \
        grep -q "^Thread 2 hit Breakpoint 1, secondary_main (index=1)" "$tmp/gdb.out"
    check "smp: thread 2's x0 is its CPU_ON context_id (1), at EL2" [ "$(val sec x0)" = 1 -a "$(val sec el)" = 8 ]
    check "smp: once on, PE 1 shows its MPIDR and EL2 (the current thread)" \
        grep -q "^\* 2 *Thread 2 (PE 1 (MPIDR 0x80000001) EL2) *secondary_main" "$tmp/gdb.out"
    check "smp: thread 1 (PE 0) is elsewhere, in main" [ -n "$(val a t1)" -a "$(val a t1)" != "$(val a t2)" ]
    check "smp: stepi on thread 1 moves PE 0 alone" [ "$(val b t1)" != "$(val a t1)" -a "$(val b t2)" = "$(val a t2)" ]
    check "smp: stepi on thread 2 moves PE 1 alone" [ "$(val c t2)" != "$(val b t2)" -a "$(val c t1)" = "$(val b t1)" ]
    check "smp: hbreak (Z1) applies to every PE: PE 2 stops as thread 3" \
        grep -q "^Thread 3 hit Breakpoint 2, secondary_main (index=2)" "$tmp/gdb.out"
    check "smp: hbreak: thread 3's x0 is 2" [ "$(val hb x0)" = 2 ]
    check "smp: VA 0x20000000 through PE 1's stage 1 (thread 2) reads page A (0xaaaa)" \
        [ "$(val va t)" = 2 -a "$(val va v)" = aaaa ]
    check "smp: the same VA through PE 0 (MMU off) is no memory" \
        grep -q "Cannot access memory at address 0x20000000" "$tmp/gdb.out"
    check "smp: gdb sees the exit" grep -q "exited normally" "$tmp/gdb.out"
    check "smp: avsim exits 0" [ "$status" -eq 0 ]
    check "smp: the guest passes its own checks" grep -q "^PASS (0 failed checks)" "$tmp/s7.out"
    [ $fail -eq 0 ] || { sed 's/^/    gdb: /' "$tmp/gdb.out"; sed 's/^/    avsim: /' "$tmp/s7.err"; }

    # Stepping a PE over its WFI: PE 2 sleeps (IRQs masked) until its own timer's interrupt is
    # pending and stops at the next instruction, the MSR that unmasks; stepping that takes the
    # IRQ (VBAR_EL2 + 0x280, current EL with SPx, ELR after the MSR); PE 0 does not move.
    wline=$(grep -n 'while (!r->timer)' "$(dirname "$0")/../guest/smp.c" | head -1 | cut -d: -f1)
    start s10 --smp=4 "$SMP_ELF"
    timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "file $SMP_ELF" -ex "target remote :$port" \
        -ex "break smp.c:$((wline + 1))" -ex 'continue' -ex 'delete' -ex 'x/1i $pc' \
        -ex 'thread 1' -ex 'printf "w0 t1=%lx\n", $pc' -ex 'thread 3' \
        -ex 'printf "at t=%d pc=%lx\n", $_thread, $pc' \
        -ex 'stepi' -ex 'printf "wfi t=%d pc=%lx\n", $_thread, $pc' \
        -ex 'stepi' -ex 'printf "msr t=%d pc=%lx vbar=%lx elr=%lx\n", $_thread, $pc, $VBAR_EL2, $ELR_EL2' \
        -ex 'thread 1' -ex 'printf "w1 t1=%lx\n", $pc' -ex 'kill' >"$tmp/gdb7.out" 2>&1
    finish_avsim s10
    check "smp WFI: the breakpoint on the WFI stops PE 2 (thread 3) there" \
        grep -q "^Thread 3 hit Breakpoint 1, .*secondary_main (index=2)" "$tmp/gdb7.out"
    check "smp WFI: the instruction is a WFI" grep -q "=> 0x[0-9a-f]* <secondary_main+[0-9]*>:.wfi" "$tmp/gdb7.out"
    cp "$tmp/gdb7.out" "$tmp/gdb.out"      # for val
    vbar=$(val msr vbar)
    wpc=$(val at pc)
    check "smp WFI: stepi over it (IRQs masked) lands on the next instruction of thread 3" \
        [ "$(val wfi t)" = 3 -a -n "$wpc" -a "$(val wfi pc)" = "$(printf %x $((0x${wpc:-0} + 4)))" ]
    check "smp WFI: stepi over the unmasking MSR lands on the IRQ vector, ELR after the MSR" \
        [ "$(val msr t)" = 3 -a -n "$vbar" -a "$(val msr pc)" = "$(printf %x $((0x${vbar:-0} + 0x280)))" \
          -a "$(val msr elr)" = "$(printf %x $((0x${wpc:-0} + 8)))" ]
    check "smp WFI: PE 0 did not move" [ -n "$(val w0 t1)" -a "$(val w0 t1)" = "$(val w1 t1)" ]
    [ $fail -eq 0 ] || sed 's/^/    gdb: /' "$tmp/gdb7.out"

    # Two PEs: PE 0 starts PE 1 with PSCI CPU_ON, then both spin in their own `b .`.
    #   40000000: mov w0, #0xc4000003 (movz, movk); mov x1, #1; adr x2, sec; mov x3, #7; smc #0
    #   40000018: b .        4000001c: sec: nop       40000020: b .
    printf '\x60\x00\x80\x52\x00\x80\xb8\x72\x21\x00\x80\xd2\x82\x00\x00\x10\xe3\x00\x80\xd2\x03\x00\x00\xd4\x00\x00\x00\x14\x1f\x20\x03\xd5\x00\x00\x00\x14' \
        >"$tmp/smp_loop.bin"
    # Stepping PE 0 over its CPU_ON: PE 1 is on and shows its entry point before it ran; a stepi
    # of PE 1 runs its first instruction, PE 0 does not move.
    start s9 --smp=2 --load-addr=0x40000000 "$tmp/smp_loop.bin"
    timeout 60 gdb-multiarch -batch -nx -ex 'set architecture aarch64' -ex "target remote :$port" \
        -ex 'info threads' -ex 'stepi 6' -ex 'info threads' \
        -ex 'thread 2' -ex 'printf "on pc=%lx x0=%lx el=%d\n", $pc, $x0, $CurrentEL' -ex 'stepi' -ex 'printf "on2 pc=%lx\n", $pc' \
        -ex 'thread 1' -ex 'printf "on1 pc=%lx\n", $pc' -ex 'kill' >"$tmp/gdb6.out" 2>&1
    finish_avsim s9
    check "smp CPU_ON: PE 1 is off, then on at EL2 after PE 0's SMC" \
        [ "$(grep -c 'Thread 2 (PE 1 (MPIDR 0x80000001) off)' "$tmp/gdb6.out")" = 1 -a \
          "$(grep -c 'Thread 2 (PE 1 (MPIDR 0x80000001) EL2)' "$tmp/gdb6.out")" = 1 ]
    check "smp CPU_ON: before it ran, PE 1 shows its entry point, x0 = context_id and EL2" \
        grep -q "^on pc=4000001c x0=7 el=8$" "$tmp/gdb6.out"
    check "smp CPU_ON: stepi on PE 1 runs its first instruction" grep -q "^on2 pc=40000020$" "$tmp/gdb6.out"
    check "smp CPU_ON: PE 0 stayed at its loop" grep -q "^on1 pc=40000018$" "$tmp/gdb6.out"
    [ $fail -eq 0 ] || sed 's/^/    gdb: /' "$tmp/gdb6.out"

    # Ctrl-C with both PEs spinning: the stop names a thread, each shows its own loop.
    start s8 --smp=2 --load-addr=0x40000000 "$tmp/smp_loop.bin"
    timeout --foreground -k 30 -s INT 5 gdb-multiarch -batch -nx -ex 'set architecture aarch64' \
        -ex "target remote :$port" -ex 'continue' -ex 'info threads' \
        -ex 'thread 1' -ex 'printf "int1 pc=%lx\n", $pc' -ex 'thread 2' -ex 'printf "int2 pc=%lx x0=%lx\n", $pc, $x0' \
        -ex 'kill' >"$tmp/gdb5.out" 2>&1
    finish_avsim s8
    check "smp Ctrl-C: SIGINT in a thread" grep -q "Thread [12] received signal SIGINT" "$tmp/gdb5.out"
    check "smp Ctrl-C: PE 0 at its loop" grep -q "^int1 pc=40000018$" "$tmp/gdb5.out"
    check "smp Ctrl-C: PE 1 at its loop with x0 = its context_id (7)" grep -q "^int2 pc=40000020 x0=7$" "$tmp/gdb5.out"
    check "smp Ctrl-C then kill: status 3" [ "$status" -eq 3 ]
    grep -q "received signal SIGINT" "$tmp/gdb5.out" || sed 's/^/    gdb: /' "$tmp/gdb5.out"
fi

if [ -n "$DEBUG_BP_ELF" ]; then
    # 6. The guest's hardware breakpoints and gdb's: gdb breaks at bp_site + 4, where the guest's
    # DBGBVR0 points in most of its cases, and at bp_site, where it never does. Each stop is
    # gdb's; on continuing, the guest takes its own Breakpoint exception as without gdb.
    start s10 "$DEBUG_BP_ELF"
    timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "file $DEBUG_BP_ELF" -ex "target remote :$port" \
        -ex 'break *(bp_site + 4)' -ex 'break *bp_site' \
        -ex 'continue' -ex 'printf "g1 pc=%lx el=%d\n", $pc - (long)bp_site, $CurrentEL' \
        -ex 'continue' -ex 'printf "g2 pc=%lx el=%d\n", $pc - (long)bp_site, $CurrentEL' \
        -ex 'continue' -ex 'printf "g3 pc=%lx el=%d\n", $pc - (long)bp_site, $CurrentEL' \
        -ex 'continue' -ex 'printf "g4 pc=%lx el=%d\n", $pc - (long)bp_site, $CurrentEL' \
        -ex 'delete' -ex 'continue' >"$tmp/gdb7.out" 2>&1
    finish_avsim s10
    check "guest breakpoints: gdb stops at bp_site, then bp_site + 4 (the guest's breakpoint too), at EL1" \
        [ "$(grep -c '^g[13] pc=0 el=4$' "$tmp/gdb7.out")" = 2 -a "$(grep -c '^g[24] pc=4 el=4$' "$tmp/gdb7.out")" = 2 ]
    printf 'exit=%s\n' "$status" >>"$tmp/s10.out"
    check "guest breakpoints: the guest saw exactly its own breakpoint exceptions (its expected output)" \
        cmp -s "$tmp/s10.out" "$DEBUG_BP_EXPECTED"
    [ $fail -eq 0 ] || { sed 's/^/    gdb: /' "$tmp/gdb7.out"; diff "$DEBUG_BP_EXPECTED" "$tmp/s10.out"; }
fi

finish gdb_tests
