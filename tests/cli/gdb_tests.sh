#!/usr/bin/env bash
# The GDB stub (issue 7) with a scripted gdb-multiarch, on examples/01-hypercalls:
# a breakpoint in the EL2 handler, registers (x0, x1, ESR_EL2 through the target
# description), memory read and write, stepi (one instruction, and across an
# HVC and a trapped SMC onto the EL2 vector), continue to the exit; hbreak, detach,
# kill, writing code, Ctrl-C; bad --gdb values and a port in use. Skipped when gdb-multiarch
# is not installed (scripts/install-deps.sh installs it).
# With TWO_VMS_ELF: memory by physical address (Qqemu.PhyMemMode, monitor phys) in a VM
# whose stage 2 maps IPA 0x41000000 to PA 0x40a00000.
#   gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF]
set -u
AVSIM=${1:?usage: gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF]}
ELF=${2:?usage: gdb_tests.sh AVSIM HYPERCALLS_ELF [TWO_VMS_ELF]}
VMS_ELF=${3:-}
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

finish gdb_tests
