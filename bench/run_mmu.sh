#!/usr/bin/env bash
# MMU benchmark: guest MIPS with translation off, EL2 stage 1, and stage 1+2,
# for working sets below and above the TLB's reach; walks per 1000 instructions.
# Then the translation-off image on plain Unicorn (bench/plain_unicorn): its own
# TLB (256 entries; it grows only at a flush, which that run never does) misses
# on every read of the 4096-page loop, so that row is what that many misses of
# Unicorn's TLB cost with no hook at all, beside avsim's rows; last, avsim's translated rows
# over that plain row (for 4096 pages: what avsim's model adds to misses Unicorn pays anyway).
# Figures only.   bench/run_mmu.sh [BUILD_DIR]
set -u
build=${1:-build}
avsim=${AVSIM:-$build/avsim}
plain=$build/bench/plain_unicorn
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-6s %6s | %12s %8s %8s | %10s %12s\n' mode pages instructions seconds MIPS vs_off walks/kinsn
summary=""
for pages in 16 512 4096; do
    off_s=""
    declare -A secs_of=()
    for mode in 0 1 2; do
        img=$build/bench/mmu_pages_m${mode}_p${pages}.elf
        if ! "$avsim" run --stats="$tmp/s.json" "$img" >/dev/null 2>"$tmp/err"; then
            printf '%-6s %6s | n/a (%s)\n' "$mode" "$pages" "$(head -c 80 "$tmp/err")"
            continue
        fi
        read -r insns secs walks < <(python3 -c "import json;d=json.load(open('$tmp/s.json'));print(d['instructions'], d['host_seconds'], d['mmu']['walks'])")
        [ "$mode" = 0 ] && off_s=$secs
        secs_of[$mode]=$secs
        python3 -c "
i,s,w,off=$insns,$secs,$walks,${off_s:-0}
names={'0':'off','1':'s1-el2','2':'s1+s2'}
print('%-6s %6d | %12d %8.3f %8.0f | %10s %12.3f' % (names['$mode'], $pages, i, s, i/s/1e6, ('%.2fx' % (s/off)) if off else 'n/a', w*1000.0/i))"
    done
    img=$build/bench/mmu_pages_m0_p${pages}.elf
    if [ -x "$plain" ] && out=$("$plain" "$img" 2>&1 >/dev/null); then
        pi=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' <<<"$out")
        ps=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$out")
        python3 -c "
i,s,off=$pi,$ps,${off_s:-0}
print('%-6s %6d | %12d %8.3f %8.0f | %10s %12s' % ('plain', $pages, i, s, i/s/1e6, ('%.2fx' % (s/off)) if off else 'n/a', '-'))"
        if [ -n "${secs_of[1]:-}" ] && [ -n "${secs_of[2]:-}" ]; then
            summary+=$(python3 -c "print('%5d pages: s1-el2 %.2fx, s1+s2 %.2fx plain\'s time' % ($pages, ${secs_of[1]}/$ps, ${secs_of[2]}/$ps))")$'\n'
        fi
    fi
done
echo "plain: plain Unicorn 2.1.4, translation off, no hook; its TLB never grows here, so with"
echo "4096 pages each read is a miss of Unicorn's own TLB. vs_off: over avsim's translation-off time."
if [ -n "$summary" ]; then
    echo "avsim with translation on over plain Unicorn with translation off (where plain misses its"
    echo "own TLB on every read, as avsim must with 4096 pages: what a model in a hook adds to that):"
    printf '%s' "$summary"
fi
