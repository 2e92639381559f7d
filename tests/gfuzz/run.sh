#!/bin/bash
# gfuzz runner: build the programs of seeds FROM..TO (tests/gfuzz/gen.py) and run
# each on avsim; with --qemu also on QEMU 7.2, comparing exit status and output.
#   run.sh FROM TO [--qemu] [--avsim=PATH] [--out=DIR] [--max-insns=N] [--jobs=N]
# A failure (avsim: "internal error", "Unicorn error", an assertion, a signal, a
# sanitizer report, or no exit within the wall-clock limit) keeps the seed's
# program, ELF and outputs in OUT/fail-SEED/; exit status 1 if any.
set -u
here=$(cd "$(dirname "$0")" && pwd)
from=${1:?usage: run.sh FROM TO [--qemu] [--avsim=PATH] [--out=DIR] [--max-insns=N]}
to=${2:?usage: run.sh FROM TO [--qemu] [--avsim=PATH] [--out=DIR] [--max-insns=N]}
shift 2
avsim=$here/../../build/avsim
out=${TMPDIR:-/tmp}/gfuzz.$$
qemu=
max_insns=5000000
wall=${GFUZZ_TIMEOUT:-60}
qemu_wall=${GFUZZ_QEMU_TIMEOUT:-5}
for a in "$@"; do
    case $a in
        --qemu) qemu=$(command -v qemu-system-aarch64 || true)
                [ -n "$qemu" ] || echo "run.sh: qemu-system-aarch64 not found; QEMU comparison skipped" >&2 ;;
        --avsim=*) avsim=${a#--avsim=} ;;
        --out=*) out=${a#--out=} ;;
        --max-insns=*) max_insns=${a#--max-insns=} ;;
        *) echo "run.sh: unknown option $a" >&2; exit 2 ;;
    esac
done
case $from$to in *[!0-9]*) echo "run.sh: seeds must be numbers" >&2; exit 2 ;; esac
[ -x "$avsim" ] || { echo "run.sh: no avsim at $avsim (build first or give --avsim=PATH)" >&2; exit 2; }
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
command -v "$cc" >/dev/null || { echo "run.sh: $cc not found" >&2; exit 2; }
mkdir -p "$out" || exit 2
work=$(mktemp -d "$out/work.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

fails=0 diffs=0 n=0
declare -A outcome
keep() {  # keep seed $1's files under $2
    local d=$out/$2-$1
    mkdir -p "$d" && cp "$work"/p.S "$work"/p.elf "$work"/*.out "$work"/*.err "$d"/ 2>/dev/null
}
# One word for what a run did: its exit status, or "hang".
for ((seed = from; seed <= to; seed++)); do
    n=$((n + 1))
    rm -f "$work"/*
    python3 "$here/gen.py" "$seed" >"$work/p.S" || { echo "seed $seed: generator failed"; fails=$((fails + 1)); continue; }
    if ! "$cc" -nostdlib -static -Wl,--no-warn-rwx-segments -T "$here/../guest/rt/link.ld" \
            -o "$work/p.elf" "$work/p.S" 2>"$work/cc.err"; then
        echo "seed $seed: does not assemble"; cat "$work/cc.err"; keep "$seed" fail; fails=$((fails + 1)); continue
    fi
    timeout -s KILL "$wall" "$avsim" run --max-insns="$max_insns" "$work/p.elf" \
        >"$work/avsim.out" 2>"$work/avsim.err" </dev/null
    rc=$?
    why=
    if [ $rc -eq 137 ]; then why="no exit within ${wall}s"
    elif [ $rc -eq 126 ] || [ $rc -eq 127 ]; then why="avsim could not be run (status $rc)"
    elif [ $rc -ge 128 ]; then why="signal $((rc - 128))"
    elif grep -qE "internal error|Unicorn error|Assertion|AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer" "$work/avsim.err"; then
        why=$(grep -m1 -E "internal error|Unicorn error|Assertion|Sanitizer|runtime error:" "$work/avsim.err")
    fi
    if [ -n "$why" ]; then
        echo "seed $seed: FAIL: $why"
        keep "$seed" fail
        fails=$((fails + 1))
        continue
    fi
    a_end="exit=$rc"
    grep -q "nothing can wake\|guest is stuck\|instruction limit\|stopped after" "$work/avsim.err" && a_end="stuck($rc)"
    echo "$seed $a_end $(head -c 160 "$work/avsim.err" | head -1)" >>"$out/outcomes.log"
    outcome[$a_end]=$(( ${outcome[$a_end]:-0} + 1 ))
    if [ -n "$qemu" ]; then
        timeout -k 2 "$qemu_wall" "$qemu" -M virt,virtualization=on,gic-version=3,iommu=smmuv3 -m 1G -cpu cortex-a57 \
            -display none -monitor none -chardev stdio,id=con0,mux=on -serial chardev:con0 \
            -semihosting-config enable=on,target=native,chardev=con0 \
            -kernel "$work/p.elf" >"$work/qemu.out" 2>"$work/qemu.err" </dev/null
        qrc=$?
        q_end="exit=$qrc"
        { [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; } && q_end=stuck
        a_cmp=$a_end; [[ $a_cmp == stuck* ]] && a_cmp=stuck
        # The async count depends on timing: compared without it.
        a_line=$(sed 's/ async=[0-9a-f]*//' "$work/avsim.out"); q_line=$(sed 's/ async=[0-9a-f]*//' "$work/qemu.out")
        if [ "$a_cmp" != "$q_end" ] || { [ "$q_end" != stuck ] && [ "$a_line" != "$q_line" ]; }; then
            echo "seed $seed: differs from QEMU: avsim $a_end '$(tail -c 200 "$work/avsim.out" | tr '\n' ' ')' QEMU $q_end '$(tail -c 200 "$work/qemu.out" | tr '\n' ' ')'"
            keep "$seed" diff
            diffs=$((diffs + 1))
        fi
    fi
done
summary=""
for k in "${!outcome[@]}"; do summary="$summary $k:${outcome[$k]}"; done
echo "gfuzz: seeds $from-$to: $n programs, $fails failures${qemu:+, $diffs differences from QEMU}; avsim outcomes:$summary"
[ $fails -eq 0 ]
