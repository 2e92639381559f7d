#!/usr/bin/env bash
# Trace benchmark: what recording a trace costs (the same image without
# --trace, with every class but data accesses, and with everything), the
# trace's size, and tlbsim's replay speed. Figures only.
#   bench/run_trace.sh [BUILD_DIR]
set -u
build=${1:-build}
avsim=${AVSIM:-$build/avsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
images="$build/bench/mmu_pages_m2_p16.elf $build/bench/mmu_pages_m2_p4096.elf $build/tests/guest/two_vms.elf"
printf '%-22s %-22s | %10s %8s %7s | %11s %10s\n' image recording seconds MIPS vs_off records MB
for img in $images; do
    [ -f "$img" ] || { echo "$img: not built"; continue; }
    name=$(basename "$img" .elf)
    off=""
    for rec in off no-data all; do
        case $rec in
        off) args=() ;;
        no-data) args=(--trace="$tmp/t.trc" --trace-events=blocks,exceptions,erets,tlbi,context,walks,irq) ;;
        all) args=(--trace="$tmp/t.trc") ;;
        esac
        rm -f "$tmp/t.trc"
        if ! "$avsim" run "${args[@]}" --stats="$tmp/s.json" "$img" >/dev/null 2>"$tmp/err"; then
            printf '%-22s %-22s | n/a (%s)\n' "$name" "$rec" "$(head -c 80 "$tmp/err")"
            continue
        fi
        read -r insns secs < <(python3 -c "import json;d=json.load(open('$tmp/s.json'));print(d['instructions'], d['host_seconds'])")
        [ "$rec" = off ] && off=$secs
        records=0 mb=0
        if [ -f "$tmp/t.trc" ]; then
            records=$("$avsim" trace stats "$tmp/t.trc" | sed -n 's/^records:[[:space:]]*\([0-9]*\).*/\1/p' | head -1)
            mb=$(python3 -c "import os;print('%.2f' % (os.path.getsize('$tmp/t.trc')/1e6))")
            [ "$rec" = all ] && cp "$tmp/t.trc" "$tmp/$name.trc"
        fi
        python3 -c "
i,s,off=$insns,$secs,${off:-0}
print('%-22s %-22s | %10.3f %8.1f %7s | %11s %10s' % ('$name', '$rec', s, i/s/1e6, ('%.2fx' % (s/off)) if off else 'n/a', '${records:-?}', '$mb'))"
    done
done
echo
echo "tlbsim replay (default configuration):"
for t in "$tmp"/*.trc; do
    [ "$(basename "$t")" = t.trc ] && continue
    s0=$(date +%s.%N)
    "$avsim" tlbsim "$t" >/dev/null 2>"$tmp/err" || { echo "$(basename "$t"): $(head -c 120 "$tmp/err")"; continue; }
    s1=$(date +%s.%N)
    printf '%-26s %8.3f s  %s\n' "$(basename "$t" .trc)" "$(python3 -c "print($s1 - $s0)")" "$(grep -i 'accesses' "$tmp/err" | head -1)"
done
