#!/usr/bin/env bash
# Fetches and builds kvm-unit-tests for arm64 into DEST (outside this repository: neither their
# source nor their binaries belong in avsim's tree). Then:
#   tests/external/run-kvm-unit-tests.sh DEST
#
# usage: build-kvm-unit-tests.sh [--source DIR] [--ref REF] [--el2-fix] [--target=qemu|kvmtool] DEST
#   --source DIR  use an existing kvm-unit-tests git repository (bare or not; REF or HEAD is
#                 exported) or an unpacked source tree instead of cloning
#   --ref REF     the branch, tag or commit to clone (default: the upstream default branch)
#   --el2-fix     patch arm/cstart64.S in DEST so that, started at EL2 on a CPU without VHE
#                 (cortex-a57), the drop to EL1 enters EL1h with DAIF masked instead of EL1t:
#                 without it the secondary CPUs run on SP_EL0 and the first interrupt they take
#                 (gicv2-ipi, gicv3-ipi) faults on SP_EL1 = 0 and loops (see README.md)
#   --target=T    configure for QEMU's virt board (qemu, the default) or for kvmtool's
#                 (kvmtool: the early console is kvmtool's 8250 UART at 0x1000000 instead of
#                 QEMU's PL011 at 0x9000000); the kvmtool images run as KVM guests under
#                 `lkvm run` (run-kvm-unit-tests.sh --kvmtool)
# Needs git (for cloning), make and Debian's gcc-aarch64-linux-gnu.
set -eu

url=https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git
src=
ref=
el2fix=0
target=qemu
dest=
while [ $# -gt 0 ]; do
	case "$1" in
	--source) src=$2; shift ;;
	--source=*) src=${1#*=} ;;
	--ref) ref=$2; shift ;;
	--ref=*) ref=${1#*=} ;;
	--el2-fix) el2fix=1 ;;
	--target) target=$2; shift ;;
	--target=*) target=${1#*=} ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "build-kvm-unit-tests.sh: unknown option $1" >&2; exit 2 ;;
	*) [ -z "$dest" ] || { echo "build-kvm-unit-tests.sh: one DEST only" >&2; exit 2; }; dest=$1 ;;
	esac
	shift
done
[ -n "$dest" ] || { echo "usage: build-kvm-unit-tests.sh [--source DIR] [--ref REF] [--el2-fix] [--target=qemu|kvmtool] DEST" >&2; exit 2; }
case "$target" in
qemu|kvmtool) ;;
*) echo "build-kvm-unit-tests.sh: --target must be qemu or kvmtool, not '$target'" >&2; exit 2 ;;
esac
command -v aarch64-linux-gnu-gcc >/dev/null ||
	{ echo "build-kvm-unit-tests.sh: aarch64-linux-gnu-gcc missing (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 2; }
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
	echo "build-kvm-unit-tests.sh: $dest exists and is not empty" >&2; exit 2
fi

if [ -n "$src" ]; then
	mkdir -p "$dest"
	if git -C "$src" cat-file -e "${ref:-HEAD}:arm/cstart64.S" 2>/dev/null; then
		# a git checkout or a bare repository (e.g. a mirror): export the commit
		git -C "$src" archive "${ref:-HEAD}" | tar -x -C "$dest"
	elif [ -f "$src/configure" ] && [ -f "$src/arm/cstart64.S" ]; then
		cp -a "$src/." "$dest/"
	else
		echo "build-kvm-unit-tests.sh: $src is not a kvm-unit-tests source tree" >&2; exit 2
	fi
else
	if [ -n "$ref" ]; then
		git clone "$url" "$dest" && git -C "$dest" checkout -q "$ref"
	else
		git clone --depth 1 "$url" "$dest"
	fi
fi

cd "$dest"
if [ "$el2fix" = 1 ]; then
	grep -q 'mov	\\tmp, PSR_MODE_EL1t$' arm/cstart64.S ||
		{ echo "build-kvm-unit-tests.sh: --el2-fix: arm/cstart64.S has changed, not patched" >&2; exit 1; }
	sed -i 's/mov	\\tmp, PSR_MODE_EL1t$/mov	\\tmp, #(PSR_MODE_EL1h | PSR_I_BIT | PSR_F_BIT | PSR_A_BIT | PSR_D_BIT)/' arm/cstart64.S
	echo "build-kvm-unit-tests.sh: arm/cstart64.S patched (init_el: ERET to EL1h, DAIF masked)"
fi
./configure --arch=arm64 --cross-prefix=aarch64-linux-gnu- --processor=cortex-a57 --target="$target"
make -j"$(nproc)"
ls arm/*.flat
