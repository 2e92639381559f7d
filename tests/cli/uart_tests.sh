#!/usr/bin/env bash
# The PL011's input from stdin (sim/pl011.c): input that arrives late through a
# pipe wakes a guest waiting in WFI with nothing else scheduled (avsim waits
# for it instead of stopping); input from a file gives the same run every time
# (output, instruction and cycle counts); at the end of the input a guest that
# waits for more stops as before ("nothing can wake it"), and so does one that
# never unmasks the UART's interrupts while stdin stays open; a program that never
# accesses the UART leaves stdin to semihosting's SYS_READC; a terminal on stdin is
# in raw mode while the guest runs and restored afterwards, also after SIGTERM.
# Usage: uart_tests.sh AVSIM ECHO_ELF FIFO_ELF FIFO_INPUT
set -u
AVSIM=${1:?usage: uart_tests.sh AVSIM ECHO_ELF FIFO_ELF FIFO_INPUT}
ECHO=${2:?}
FIFO=${3:?}
FIFO_IN=${4:?}
. "$(dirname "$0")/lib.sh"

# 1. Late input: the guest (uart_rx_echo: reads until '.') waits in WFI with
# no timer armed; the writer sends after a second of host time.
(sleep 1; printf 'late.') | timeout 20 "$AVSIM" run "$ECHO" >"$tmp/late.out" 2>"$tmp/late.err"
rc=$?
check "late input: exit status 0 (got $rc)" test "$rc" -eq 0
check "late input: received" grep -q '^received: "late."$' "$tmp/late.out"
check "late input: no deadlock report" test ! -s "$tmp/late.err"

# 2. Input from a file: deterministic.
for r in a b; do
    timeout 20 "$AVSIM" run --stats="$tmp/$r.json" "$FIFO" <"$FIFO_IN" >"$tmp/$r.out" 2>"$tmp/$r.err"
    echo "exit=$?" >>"$tmp/$r.out"
    grep -E '^  "(instructions|cycles|idle_cycles)":' "$tmp/$r.json" >"$tmp/$r.counts"
done
check "file input: the guest passed" grep -q '^exit=0$' "$tmp/a.out"
check "file input twice: the same output" cmp -s "$tmp/a.out" "$tmp/b.out"
check "file input twice: the same instruction and cycle counts" cmp -s "$tmp/a.counts" "$tmp/b.counts"
check "file input: counts recorded" test -s "$tmp/a.counts"

# 3. No input (/dev/null, or a pipe closed at once): the waiting guest stops the run.
for src in null pipe; do
    if [ $src = null ]; then
        timeout 20 "$AVSIM" run "$ECHO" </dev/null >"$tmp/$src.out" 2>"$tmp/$src.err"
    else
        printf '' | timeout 20 "$AVSIM" run "$ECHO" >"$tmp/$src.out" 2>"$tmp/$src.err"
    fi
    rc=$?
    check "no input ($src): exit status 3 (got $rc)" test "$rc" -eq 3
    check "no input ($src): nothing can wake the PE" grep -q 'nothing can wake it' "$tmp/$src.err"
done

# 4. Some input, then the end of it before the '.': received, then the same stop.
(printf 'ab'; sleep 0.5) | timeout 20 "$AVSIM" run "$ECHO" >"$tmp/part.out" 2>"$tmp/part.err"
rc=$?
check "partial input: exit status 3 (got $rc)" test "$rc" -eq 3
check "partial input: echoed" grep -q '^echo: ab$' "$tmp/part.out"
check "partial input: then nothing can wake the PE" grep -q 'nothing can wake it' "$tmp/part.err"

# 5. The receiver runs from reset (RXE; UARTEN is ignored), but a guest that never unmasks the
# UART's interrupts cannot be woken by input: one that prints 'A' (the UART's input is sampled
# from then on) and waits in WFI with stdin open (a pipe that stays open 3 s) stops the run at
# once as before, without waiting for the end of stdin. Raw: movz x0, #0x0900, lsl #16;
# mov w1, #'A'; str w1, [x0]; 1: wfi; b 1b.
printf '\x00\x20\xa1\xd2\x21\x08\x80\x52\x01\x00\x00\xb9\x7f\x20\x03\xd5\xff\xff\xff\x17' >"$tmp/wfi.bin"
sleep 3 | {
    t0=$(date +%s%N)
    timeout 20 "$AVSIM" run --load-addr=0x40080000 "$tmp/wfi.bin" >"$tmp/wfi.out" 2>"$tmp/wfi.err"
    echo "$? $((($(date +%s%N) - t0) / 1000000))" >"$tmp/wfi.rc"
}
read -r rc ms <"$tmp/wfi.rc"
check "masked UART, stdin open: exit status 3 (got $rc)" test "$rc" -eq 3
check "masked UART, stdin open: printed" grep -qx 'A' "$tmp/wfi.out"
check "masked UART, stdin open: nothing can wake the PE" grep -q 'nothing can wake it' "$tmp/wfi.err"
check "masked UART, stdin open: no wait for stdin (${ms} ms)" test "$ms" -lt 1500

# 6. A program that never accesses the UART leaves stdin to semihosting: after a loop of 1 M
# iterations (past the receiver's first character time), three SYS_READC then SYS_WRITEC, then
# SYS_EXIT (raw, at 0x40080000; the 8-byte words at the end are the loop count, a scratch
# address and the exit reason).
printf '\x49\x02\x00\x58\x29\x05\x00\xf1\xe1\xff\xff\x54\x34\x02\x00\x58\x75\x00\x80\xd2\xe0\x00\x80\xd2\x01\x00\x80\xd2\x00\x00\x5e\xd4\x80\x02\x00\x39\x60\x00\x80\xd2\xe1\x03\x14\xaa\x00\x00\x5e\xd4\xb5\x06\x00\xf1\x01\xff\xff\x54\x00\x03\x80\xd2\xe1\x00\x00\x58\x00\x00\x5e\xd4\x00\x00\x00\x14\x40\x42\x0f\x00\x00\x00\x00\x00\x00\x00\x10\x40\x00\x00\x00\x00\x26\x00\x02\x00\x00\x00\x00\x00' >"$tmp/readc.bin"
printf 'abc\n' >"$tmp/readc.in"
timeout 20 "$AVSIM" run --el=1 --load-addr=0x40080000 "$tmp/readc.bin" <"$tmp/readc.in" >"$tmp/readc.out" 2>"$tmp/readc.err"
check "semihosting SYS_READC, UART untouched: the input is the program's" grep -qx 'abc' "$tmp/readc.out"

# 7. stdin a terminal (a pty from script(1), when installed): characters reach the guest without
# Enter (raw mode), and the terminal's settings come back at exit and after SIGTERM.
if command -v script >/dev/null 2>&1; then
    modes="stty -a | tr ' ;' '\n\n' | grep -E -x -- '-?(icanon|echo|icrnl)' | tr '\n' ' '"
    (sleep 1; printf 'tty.'; sleep 1) |
        timeout 20 script -qec "$AVSIM run $ECHO; echo rc=\$?; $modes" /dev/null >"$tmp/tty.out" 2>&1
    tr -d '\r' <"$tmp/tty.out" >"$tmp/tty.txt"
    check "terminal: received without Enter" grep -q '^received: "tty."$' "$tmp/tty.txt"
    check "terminal: exit status 0" grep -q '^rc=0$' "$tmp/tty.txt"
    check "terminal: settings restored at exit" grep -q '^icrnl icanon echo $' "$tmp/tty.txt"
    (sleep 1.5; kill -TERM "$(cat "$tmp/pid")"; sleep 1) |
        timeout 20 script -qec "sh -c 'echo \$\$ >$tmp/pid; exec $AVSIM run $ECHO'; echo rc=\$?; $modes" /dev/null \
        >"$tmp/term.out" 2>&1
    tr -d '\r' <"$tmp/term.out" >"$tmp/term.txt"
    check "terminal: SIGTERM ends the run" grep -q '^rc=143$' "$tmp/term.txt"
    check "terminal: settings restored after SIGTERM" grep -q '^icrnl icanon echo $' "$tmp/term.txt"
else
    echo "uart_tests: script(1) not installed: terminal checks skipped"
fi

finish uart_tests
