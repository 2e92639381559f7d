#!/usr/bin/env bash
# Robustness (issue 18): each bug the issue lists, the limits on every input
# avsim reads, and a failed write to every output it writes. Big inputs are
# sparse files or generated streams, never committed.
#   robust_tests.sh AVSIM GUEST_DIR    (GUEST_DIR: the built tests/guest)
set -u
AVSIM=${1:?usage: robust_tests.sh AVSIM GUEST_DIR}
GUEST=${2:?usage: robust_tests.sh AVSIM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
ELF=$GUEST/hvc_roundtrip.elf
SEMI=$GUEST/semihosting.elf
IMAGE=$GUEST/boot_image.Image
VBLK=$GUEST/vblk_front.elf
APPEND="console=ttyAMA0 avsim.boot=image"

# expect_full NAME STATUS PATTERN -- ARGS...: as expect, with stdout on /dev/full.
expect_full() { EXPECT_STDOUT=/dev/full expect "$@"; }

# 1. An ELF whose program headers start at an offset that is not 8-byte aligned
#    (read through a misaligned Elf64_Phdr pointer before: UBSan's report).
le64() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }
le16() { od -An -tu2 -j "$2" -N 2 "$1" | tr -d ' '; }
put_le64() {    # FILE OFFSET VALUE
    local v=$3 s="" i
    for i in 0 1 2 3 4 5 6 7; do s+=$(printf '\\%03o' $(((v >> (8 * i)) & 255))); done
    printf "$s" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
phoff=$(le64 "$ELF" 32) phnum=$(le16 "$ELF" 56)
cp "$ELF" "$tmp/misaligned.elf"
size=$(stat -c %s "$ELF")
new=$(( (size + 7) / 8 * 8 + 4 ))
truncate -s "$new" "$tmp/misaligned.elf"
dd if="$ELF" bs=1 skip="$phoff" count=$((phnum * 56)) status=none >>"$tmp/misaligned.elf"
put_le64 "$tmp/misaligned.elf" 32 "$new"
timeout 20 "$AVSIM" run "$ELF" >"$tmp/aligned.out" 2>&1
timeout 20 "$AVSIM" run "$tmp/misaligned.elf" >"$tmp/misaligned.out" 2>&1
check "an ELF with program headers at offset $new (4 mod 8) runs as the original" \
    test $? -eq 0 -a "$new" -ne "$phoff"
check "... with the same output" cmp -s "$tmp/aligned.out" "$tmp/misaligned.out"

# 2. A directory as the image (malloc of 2^63 - 1 before) or as a boot file.
mkdir "$tmp/adir"
expect "run DIR" 2 "adir: a directory, not a file" -- run "$tmp/adir"
expect "run --kernel=DIR" 2 "adir: a directory, not a file" -- run --kernel="$tmp/adir"
expect "--dtb=DIR" 2 "adir: a directory, not a file" -- run --dtb="$tmp/adir" "$IMAGE"
expect "--initrd=DIR" 2 "adir: a directory, not a file" -- run --initrd="$tmp/adir" "$IMAGE"

# 3. Size limits: streams read up to the limit and refused beyond it (never hang),
#    regular files refused from their size.
expect "--dtb=/dev/zero" 2 "/dev/zero: too big \(more than the limit of 2 MiB\)" -- run --dtb=/dev/zero "$IMAGE"
expect "--dtb=/dev/zero (dumpdtb)" 2 "too big" -- dumpdtb --dtb=/dev/zero "$tmp/x.dtb"
truncate -s 3M "$tmp/big.dtb"
expect "a 3 MiB --dtb" 2 "big.dtb: too big \(3145728 bytes; the limit is 2 MiB\)" -- run --dtb="$tmp/big.dtb" "$IMAGE"
expect "--initrd=/dev/zero" 2 "/dev/zero: too big .*must fit in RAM" -- run --ram=64M --initrd=/dev/zero "$IMAGE"
expect "--initrd=/dev/zero (dumpdtb)" 2 "/dev/zero: too big" -- dumpdtb --ram=64M --initrd=/dev/zero "$tmp/x.dtb"
truncate -s 40M "$tmp/big.initrd"
expect "an initrd bigger than the RAM after it" 2 "big.initrd: too big \(41943040 bytes; the limit is 32 MiB\)" \
    -- run --ram=64M --initrd="$tmp/big.initrd" "$IMAGE"
truncate -s 1025M "$tmp/huge.Image"
expect "a 1025 MiB image file" 2 "huge.Image: too big \(1074790400 bytes; the limit is 1 GiB\)" -- run "$tmp/huge.Image"
: >"$tmp/empty.elf"
expect "an empty image" 2 "empty.elf: the file is empty" -- run "$tmp/empty.elf"
# A 300 MiB gzipped Image (the limit was checked only when the buffer doubled: it loaded).
{ cat "$IMAGE"; head -c $((300 << 20)) /dev/zero; } | gzip -1 >"$tmp/300M.Image.gz"
expect "a gzip Image of 300 MiB" 2 "300M.Image.gz: decompresses to more than 256 MiB" -- run "$tmp/300M.Image.gz"

# 4. Numbers that overflow or carry a sign.
expect "--ram=0x400000001G (ran with 1 GiB)" 2 "--ram=0x400000001G: give a size" -- run --ram=0x400000001G "$ELF"
expect "--ram=-1G" 2 "--ram=-1G: give a size" -- run --ram=-1G "$ELF"
expect "--ram=18446744073709551616" 2 "give a size" -- dumpdtb --ram=18446744073709551616 "$tmp/x.dtb"
expect "--max-insns=-1 (accepted)" 2 "--max-insns=-1: give a number" -- run --max-insns=-1 "$ELF"
expect "--max-insns=2^64" 2 "--max-insns=18446744073709551616: give" -- run --max-insns=18446744073709551616 "$ELF"
expect "--max-insns=16777216T-like overflow" 2 "--max-insns=0x40000000000G: give" -- run --max-insns=0x40000000000G "$ELF"
expect "--max-insns=' 5'" 2 "give a number" -- run "--max-insns= 5" "$ELF"
expect "--load-addr=-0x40000000" 2 "--load-addr=-0x40000000: not an address" -- run --load-addr=-0x40000000 "$ELF"
expect "--load-addr overflowing with G" 2 "not an address" -- run --load-addr=0x400000000000G "$ELF"
expect "--counter-hz=-1" 2 "--counter-hz=-1: give a frequency" -- run --counter-hz=-1 "$ELF"
expect "--gdb=-65535" 2 "--gdb=-65535: give a TCP port" -- run --gdb=-65535 "$ELF"
expect "--smp=-1" 2 "--smp=-1: give 1 to 8" -- run --smp=-1 "$ELF"
expect "--gic-lrs=-1" 2 "--gic-lrs=-1: give 1 to 16" -- run --gic-lrs=-1 "$ELF"
expect "--view-keep=-1" 2 "--view-keep=-1: give 1 to" -- run --view-keep=-1 "$ELF"
expect "--quantum=-(2^64 - 100) (wrapped to 100)" 2 "--quantum=-18446744073709551516: give 100" \
    -- run --quantum=-18446744073709551516 "$ELF"
expect "--quantum=2^64 + 100" 2 "give 100" -- run --quantum=18446744073709551716 "$ELF"
expect "--view-size=-500x300" 2 "give WIDTHxHEIGHT" -- run --view-size=-500x300 "$ELF"
expect "--view-size=2^64+1024x480" 2 "give WIDTHxHEIGHT" -- run --view-size=18446744073709552640x480 "$ELF"
expect "--virtio-rng=-1" 2 "--virtio-rng=-1: give the seed" -- run --virtio-rng=-1 "$ELF"
expect "--virtio-rng=2^64" 2 "give the seed" -- run --virtio-rng=18446744073709551616 "$ELF"
timeout 20 "$AVSIM" run --ram=4G --max-insns=10M --quantum=20000 --counter-hz=0x3b9aca0 "$ELF" >/dev/null 2>&1
check "sizes in range still work" test $? -eq 0

# 5. trace stats on a trace with no exception records (NULL to qsort before: UBSan's report).
timeout 20 "$AVSIM" run --trace="$tmp/blocks.trace" --trace-events=blocks "$ELF" >/dev/null 2>&1
timeout 20 "$AVSIM" trace stats "$tmp/blocks.trace" >"$tmp/stats.out" 2>&1
check "trace stats without exception records: exit 0" test $? -eq 0
check "... and an empty exceptions-by-EC list" grep -q "^exceptions by EC:" "$tmp/stats.out"

# 6. Every output: a failed write gives a message and a non-zero status.
expect_full "UART output on /dev/full" 2 "writing to stdout failed" -- run "$ELF"
expect_full "semihosting output on /dev/full (the guest exits 3)" 3 "writing to stdout failed" -- run "$SEMI"
expect_full "the Image's output on /dev/full" 2 "writing to stdout failed" \
    -- run --append="$APPEND" --initrd="$GUEST/boot_initrd.bin" "$IMAGE"
expect "--trace-exceptions=/dev/full (exit 0 before)" 2 "--trace-exceptions: writing the exception log failed" \
    -- run --trace-exceptions=/dev/full "$ELF"
expect "--stats=/dev/full" 2 "cannot write statistics to /dev/full" -- run --stats=/dev/full "$ELF"
expect "--trace=/dev/full" 2 "/dev/full" -- run --trace=/dev/full "$ELF"
expect "--view-png=/dev/full" 2 "--view-png: cannot write /dev/full" -- run --view-png=/dev/full "$ELF"
expect "dumpdtb /dev/full" 2 "dumpdtb: cannot write /dev/full" -- dumpdtb /dev/full
expect_full "trace dump on /dev/full" 2 "writing to stdout failed" -- trace dump "$tmp/blocks.trace"
expect_full "trace stats on /dev/full" 2 "writing to stdout failed" -- trace stats "$tmp/blocks.trace"
expect_full "tlbsim on /dev/full" 2 "writing to stdout failed" -- tlbsim "$tmp/blocks.trace"
expect "tlbsim --sweep=/dev/full" 2 "writing /dev/full failed" -- tlbsim --sweep=/dev/full "$tmp/blocks.trace"
expect_full "--help on /dev/full" 2 "writing to stdout failed" -- --help
# A disk image the host refuses to write (a file size limit of 1 KiB; the guest writes at
# 4 KiB): the guest gets IOERR, and the run says so at its end.
head -c 1048576 /dev/zero >"$tmp/disk.img"
( ulimit -f 1; trap '' XFSZ; exec timeout 20 "$AVSIM" run --drive="$tmp/disk.img" "$VBLK" ) </dev/null 2>"$tmp/err" | cat >"$tmp/out"
status=${PIPESTATUS[0]}
check "a refused disk write: status non-zero ($status)" test "$status" -ne 0
check "... the guest saw IOERR" grep -q "write 4 KiB at sector 8: status 1" "$tmp/out"
check "... avsim reports it" grep -q "disk.img': 1 write failed (the guest got IOERR), the first: File too large" "$tmp/err"

finish robust_tests
