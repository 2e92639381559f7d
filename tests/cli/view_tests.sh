#!/usr/bin/env bash
# The exception viewer's headless output (issue 7) on the hypercalls example:
# --view-png leaves the run unchanged and writes a PNG of the requested size
# with the four lanes and HVC, SMC and ERET arrows drawn (checked by
# view_png_check, which decodes it); --view runs headless on SDL's dummy
# driver (or, built without SDL2, says so); bad viewer options give a clear
# message and status 2. With --smp=4 (the smp guest) a group of lanes per PE,
# with each secondary's IRQ and ERET arrows in its own group.
#   view_tests.sh AVSIM VIEW_PNG_CHECK HYPERCALLS_ELF SMP_ELF
set -u
usage="usage: view_tests.sh AVSIM VIEW_PNG_CHECK HYPERCALLS_ELF SMP_ELF"
AVSIM=${1:?$usage}
CHECK=${2:?$usage}
ELF=${3:?$usage}
SMP_ELF=${4:?$usage}
. "$(dirname "$0")/lib.sh"

# 1. The run with --view-png prints what the run without it prints, and exits 0.
timeout 20 "$AVSIM" run "$ELF" >"$tmp/plain.out" 2>&1
timeout 20 "$AVSIM" run --view-png="$tmp/v.png" "$ELF" >"$tmp/v.out" 2>&1
check "run with --view-png exits 0" [ $? -eq 0 ]
check "output with --view-png is unchanged" cmp -s "$tmp/plain.out" "$tmp/v.out"

# 2. The file's header bytes: PNG signature, IHDR, 1024x480 (the default size).
check "PNG signature and IHDR" [ "$(head -c 16 "$tmp/v.png" | od -An -tx1 | tr -d ' \n')" = \
    "89504e470d0a1a0a0000000d49484452" ]
check "IHDR says 1024x480" [ "$(head -c 24 "$tmp/v.png" | tail -c 8 | od -An -tx1 | tr -d ' \n')" = \
    "00000400000001e0" ]

# 3. Decoded: the lanes where the layout puts them, arrows of each class the example takes.
"$CHECK" "$tmp/v.png" 1024 480 HVC SMC ERET >"$tmp/check.out"
check "the default picture has lanes and HVC, SMC, ERET arrows" [ $? -eq 0 ]
grep -q FAIL "$tmp/check.out" && sed 's/^/    /' "$tmp/check.out"
timeout 20 "$AVSIM" run --view-png="$tmp/s.png" --view-size=640x300 "$ELF" >/dev/null 2>&1
"$CHECK" "$tmp/s.png" 640 300 HVC ERET >"$tmp/check2.out"
check "--view-size=640x300 gives a 640x300 picture with lanes and arrows" [ $? -eq 0 ]
grep -q FAIL "$tmp/check2.out" && sed 's/^/    /' "$tmp/check2.out"
# No sysreg traps in this example: the checker must not find what is not there.
"$CHECK" "$tmp/v.png" 1024 480 "sysreg trap" >/dev/null
check "no sysreg trap arrows where the guest takes none" [ $? -eq 1 ]

# 4. Deterministic: the same run draws the same picture.
timeout 20 "$AVSIM" run --view-png="$tmp/w.png" "$ELF" >/dev/null 2>&1
check "two runs draw identical pictures" cmp -s "$tmp/v.png" "$tmp/w.png"

# 5. Several PEs: smp.elf on 4 PEs, all at EL2; each PE takes an IRQ (its SGI, and PEs 2
# and 3 their timer's PPI) at EL2 and returns with ERET. The picture has a group of
# EL2..EL0 lanes per PE where the layout puts them, and each secondary's IRQ and ERET
# arrows inside its own group.
timeout 30 "$AVSIM" run --smp=4 "$SMP_ELF" >"$tmp/smp_plain.out" 2>&1
timeout 30 "$AVSIM" run --smp=4 --view-png="$tmp/smp.png" "$SMP_ELF" >"$tmp/smp.out" 2>&1
check "--smp=4 run with --view-png exits 0" [ $? -eq 0 ]
check "--smp=4 output with --view-png is unchanged" cmp -s "$tmp/smp_plain.out" "$tmp/smp.out"
"$CHECK" "$tmp/smp.png" 1024 480 --pes=4 IRQ@0 IRQ@1 ERET@1 IRQ@2 ERET@2 IRQ@3 ERET@3 >"$tmp/check_smp.out"
check "4 PEs: lanes of 4 PEs, IRQ and ERET arrows in PE 1..3's groups" [ $? -eq 0 ]
grep -q FAIL "$tmp/check_smp.out" && sed 's/^/    /' "$tmp/check_smp.out"
check "4 PEs: 12 lanes found (EL2..EL0 of PE0..PE3)" [ "$(grep -c '^lane PE[0-3] EL[0-2]: ' "$tmp/check_smp.out")" -eq 12 ]
# What is not there is not found: no HVC on PE 1, no one-PE lanes in the 4-PE picture,
# no 4-PE lanes in a one-PE picture.
"$CHECK" "$tmp/smp.png" 1024 480 --pes=4 HVC@1 >/dev/null
check "4 PEs: no HVC arrows in PE 1's group" [ $? -eq 1 ]
"$CHECK" "$tmp/smp.png" 1024 480 >/dev/null
check "4 PEs: not the one-PE lanes" [ $? -eq 1 ]
"$CHECK" "$tmp/v.png" 1024 480 --pes=4 >/dev/null
check "one PE: not the lanes of 4 PEs" [ $? -eq 1 ]
timeout 30 "$AVSIM" run --smp=4 --view-png="$tmp/smp2.png" "$SMP_ELF" >/dev/null 2>&1
check "4 PEs: two runs draw identical pictures" cmp -s "$tmp/smp.png" "$tmp/smp2.png"

# 6. The window (--view): without SDL2 a clear message and status 2; with it, run headless on
# SDL's dummy video driver, closing at the end: the run and the picture are unchanged.
SDL_VIDEODRIVER=dummy timeout 20 "$AVSIM" run --view --view-close-at-end --view-png="$tmp/win.png" "$ELF" \
    >"$tmp/win.out" 2>"$tmp/win.err" </dev/null
status=$?
if grep -q "built without SDL2" "$tmp/win.err"; then
    check "--view without SDL2 exits 2" [ $status -eq 2 ]
    check "--view without SDL2 says how to get it" grep -q "install libsdl2-dev and rebuild" "$tmp/win.err"
elif grep -Eq "cannot start SDL|cannot open a window" "$tmp/win.err"; then
    echo "SKIP: SDL's dummy video driver is not available here: $(cat "$tmp/win.err")"
else
    check "--view on the dummy driver exits 0" [ $status -eq 0 ]
    check "output with --view is unchanged" cmp -s "$tmp/plain.out" "$tmp/win.out"
    check "--view with --view-png draws the same picture" cmp -s "$tmp/v.png" "$tmp/win.png"
fi

# 7. Bad input.
expect "--view-size not a size" 2 "--view-size=big: give WIDTHxHEIGHT" -- run --view-size=big "$ELF"
expect "--view-size too small" 2 "--view-size=10x10" -- run --view-size=10x10 "$ELF"
expect "--view-keep zero" 2 "--view-keep=0: give 1" -- run --view-keep=0 "$ELF"
expect "--view-png unwritable" 2 "--view-png: cannot open /nonexistent-dir/v.png" -- \
    run --view-png=/nonexistent-dir/v.png "$ELF"

finish view_tests
