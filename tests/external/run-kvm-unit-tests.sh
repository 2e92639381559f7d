#!/usr/bin/env bash
# Runs kvm-unit-tests' arm64 .flat images on avsim (or on QEMU for reference) and prints a
# PASS/FAIL/SKIP table. The tests are not part of avsim: build them first (see
# tests/external/README.md or build-kvm-unit-tests.sh) and give the build directory.
#
# usage: run-kvm-unit-tests.sh [--avsim PATH | --qemu] [--el=1|2] [options] KUT_BUILD_DIR [TEST...]
#
# The per-test -smp, -append and GIC version follow kvm-unit-tests' arm/unittests.cfg, with
# $MAX_SMP = --max-smp (default 4). As kvm-unit-tests' own arm/run does under TCG, an
# environment file with ERRATA_FORCE=y is passed as the initrd (without it psci skips its
# cpu-on test); --no-env leaves it out. Each test's outcome comes from the line
# "EXIT: STATUS=N" it prints before it powers off (N = code*2+1: 1 is a pass); a run with no
# such line is a FAIL (timeout or crash); STATUS=77, or a run whose only results are SKIPs, is
# a SKIP.
set -u

usage() {
	cat <<'EOF'
usage: run-kvm-unit-tests.sh [--avsim PATH | --qemu] [--el=1|2] [options] KUT_BUILD_DIR [TEST...]
  --avsim PATH      the avsim binary (default: build/avsim of this checkout)
  --qemu            run on qemu-system-aarch64 instead (-M virt[,virtualization=on] -cpu cortex-a57)
  --el=1|2          start the tests at EL1 (QEMU's plain -M virt; avsim --el=1) or at EL2
                    (virtualization=on; avsim's default). Default 2.
  --max-smp=N       $MAX_SMP of unittests.cfg (default 4; the gicv2 tests use at most 8)
  --timeout=SECS    per-test wall-clock limit (default 60; timer uses 2*unittests.cfg's 10s
                    on QEMU, and this limit on avsim)
  --qemu-cpu=CPU    -cpu for --qemu (default cortex-a57; "max" has VHE: the tests then stay at EL2)
  --no-env          do not pass the ERRATA_FORCE=y environment as an initrd
  --log-dir=DIR     keep each test's output in DIR/TEST.log (default: a temporary directory)
  -v                print each command line and the test's output
  --list            list the known tests and exit
TESTS (default: selftest-setup selftest-vectors-kernel selftest-vectors-user selftest-smp
       psci timer gicv3-ipi gicv3-active gicv2-ipi gicv2-active)
EOF
}

# name|file|smp|args|gic|extra  (smp: a number, or MAX, or MAX8 = min(MAX,8), MAX3 = min(MAX,3))
TESTS_CFG='
selftest-setup|selftest.flat|2|setup smp=2 mem=256|3|mem256
selftest-vectors-kernel|selftest.flat|1|vectors-kernel|3|
selftest-vectors-user|selftest.flat|1|vectors-user|3|
selftest-smp|selftest.flat|MAX|smp|3|
psci|psci.flat|MAX||3|
timer|timer.flat|1||3|timeout10
gicv3-ipi|gic.flat|MAX|ipi|3|
gicv3-active|gic.flat|MAX|active|3|
gicv2-ipi|gic.flat|MAX8|ipi|2|
gicv2-active|gic.flat|MAX8|active|2|
gicv2-mmio|gic.flat|MAX8|mmio|2|
gicv2-mmio-up|gic.flat|1|mmio|2|
gicv2-mmio-3p|gic.flat|MAX3|mmio|2|
'
DEFAULT_TESTS="selftest-setup selftest-vectors-kernel selftest-vectors-user selftest-smp psci timer gicv3-ipi gicv3-active gicv2-ipi gicv2-active"

here=$(cd "$(dirname "$0")" && pwd)
mode=avsim
avsim="$here/../../build/avsim"
el=2
max_smp=4
timeout_s=60
qemu_cpu=cortex-a57
use_env=1
log_dir=
verbose=0
kut=
tests=()

while [ $# -gt 0 ]; do
	case "$1" in
	--avsim) [ $# -ge 2 ] || { usage >&2; exit 2; }; mode=avsim; avsim=$2; shift ;;
	--avsim=*) mode=avsim; avsim=${1#*=} ;;
	--qemu) mode=qemu ;;
	--el=1|--el=2) el=${1#--el=} ;;
	--max-smp=*) max_smp=${1#*=} ;;
	--timeout=*) timeout_s=${1#*=} ;;
	--qemu-cpu=*) qemu_cpu=${1#*=} ;;
	--no-env) use_env=0 ;;
	--log-dir=*) log_dir=${1#*=} ;;
	-v) verbose=1 ;;
	--list) echo "$TESTS_CFG" | sed '/^$/d' | cut -d'|' -f1; exit 0 ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "run-kvm-unit-tests.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) if [ -z "$kut" ]; then kut=$1; else tests+=("$1"); fi ;;
	esac
	shift
done

if [ -z "$kut" ]; then
	echo "run-kvm-unit-tests.sh: no KUT_BUILD_DIR given" >&2; usage >&2; exit 2
fi
if [ ! -d "$kut" ]; then
	echo "run-kvm-unit-tests.sh: build directory '$kut' does not exist (see tests/external/README.md)" >&2
	exit 2
fi
if [ ! -f "$kut/arm/selftest.flat" ] && [ ! -f "$kut/arm/psci.flat" ]; then
	echo "run-kvm-unit-tests.sh: '$kut' has no arm/*.flat: configure with --arch=arm64 and run make there first" >&2
	exit 2
fi
case "$max_smp" in ''|*[!0-9]*) echo "run-kvm-unit-tests.sh: bad --max-smp" >&2; exit 2 ;; esac
case "$timeout_s" in ''|*[!0-9]*) echo "run-kvm-unit-tests.sh: bad --timeout" >&2; exit 2 ;; esac
if [ "$mode" = avsim ] && [ ! -x "$avsim" ]; then
	echo "run-kvm-unit-tests.sh: avsim binary '$avsim' not found (build it, or give --avsim PATH)" >&2
	exit 2
fi
if [ "$mode" = avsim ] && ! "$avsim" run --help 2>&1 | grep -q -- '--kernel'; then
	echo "run-kvm-unit-tests.sh: $avsim has no --kernel/--smp/--append/--initrd options yet: it cannot boot the .flat images (use --qemu for the reference run)" >&2
	exit 2
fi
qemu="qemu-system-aarch64"
if [ "$mode" = qemu ] && ! command -v "$qemu" >/dev/null; then
	echo "run-kvm-unit-tests.sh: $qemu not found" >&2; exit 2
fi
[ ${#tests[@]} -gt 0 ] || read -r -a tests <<<"$DEFAULT_TESTS"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$log_dir" ] || log_dir=$tmp
mkdir -p "$log_dir"
envfile=$tmp/kut-env
printf 'ERRATA_FORCE=y\n' >"$envfile"

min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

declare -a rows
fails=0
for t in "${tests[@]}"; do
	line=$(echo "$TESTS_CFG" | grep "^$t|" || true)
	if [ -z "$line" ]; then
		echo "run-kvm-unit-tests.sh: unknown test '$t' (--list shows them)" >&2; exit 2
	fi
	IFS='|' read -r name file smp args gic extra <<<"$line"
	case "$smp" in
	MAX) smp=$max_smp ;;
	MAX8) smp=$(min "$max_smp" 8) ;;
	MAX3) smp=$(min "$max_smp" 3) ;;
	esac
	flat=$kut/arm/$file
	if [ ! -f "$flat" ]; then
		rows+=("$(printf '%-26s %-5s %7s  %s' "$name" FAIL - "missing $flat")"); fails=$((fails + 1)); continue
	fi
	tmo=$timeout_s
	if [ "$mode" = qemu ]; then
		machine="virt,gic-version=$gic"
		[ "$el" = 2 ] && machine="virt,virtualization=on,gic-version=$gic"
		[ "$gic" = 3 ] && machine+=",its=off"  # avsim has no ITS
		cmd=("$qemu" -nodefaults -machine "$machine" -accel tcg -cpu "$qemu_cpu" -display none
		     -serial stdio -kernel "$flat" -smp "$smp")
		[ "$extra" = mem256 ] && cmd+=(-m 256)
		[ -n "$args" ] && cmd+=(-append "$args")
		[ "$use_env" = 1 ] && cmd+=(-initrd "$envfile")
		[ "$extra" = timeout10 ] && [ "$tmo" -gt 20 ] && tmo=20
	else
		cmd=("$avsim" run "--smp=$smp")
		[ "$el" = 1 ] && cmd+=(--el=1)
		[ "$gic" = 2 ] && cmd+=(--gic=v2)
		[ "$extra" = mem256 ] && cmd+=(--ram=256M)
		[ -n "$args" ] && cmd+=("--append=$args")
		[ "$use_env" = 1 ] && cmd+=("--initrd=$envfile")
		cmd+=("--kernel=$flat")
	fi
	log=$log_dir/$name.log
	[ "$verbose" = 1 ] && echo "+ ${cmd[*]}" >&2
	start=$(date +%s.%N)
	timeout -k 2 "$tmo" "${cmd[@]}" </dev/null >"$log" 2>&1
	rc=$?
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	[ "$verbose" = 1 ] && sed 's/^/    /' "$log" >&2
	status=$(tr -d '\r' <"$log" | sed -n 's/^EXIT: STATUS=\([0-9][0-9]*\).*/\1/p' | head -n1)
	npass=$(grep -c '^PASS: ' "$log")
	nfail=$(grep -c '^FAIL: ' "$log")
	nskip=$(grep -c '^SKIP: ' "$log")
	counts="$npass pass, $nfail fail, $nskip skip"
	if [ -z "$status" ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="timeout after ${tmo}s"; else why="no EXIT line, exit status $rc"; fi
		result=FAIL; note="$why; $counts; last line: $(grep -v '^[[:space:]]*$' "$log" | tail -n1 | cut -c1-60)"
	elif [ "$status" = 77 ]; then
		result=SKIP; note="EXIT: STATUS=77 (skipped); $counts"
	elif [ "$status" = 1 ]; then
		if [ "$npass" = 0 ] && [ "$nskip" -gt 0 ]; then result=SKIP; else result=PASS; fi
		note="$counts"
	else
		result=FAIL; note="EXIT: STATUS=$status; $counts"
	fi
	[ "$result" = FAIL ] && fails=$((fails + 1))
	rows+=("$(printf '%-26s %-5s %7ss  %s' "$name" "$result" "$secs" "$note")")
done

where=$mode; [ "$mode" = avsim ] && where="avsim ($avsim)"
echo "kvm-unit-tests on $where at EL$el, MAX_SMP=$max_smp, build $kut"
printf '%-26s %-5s %8s  %s\n' TEST RESULT TIME NOTES
for r in "${rows[@]}"; do echo "$r"; done
[ "$log_dir" != "$tmp" ] && echo "logs in $log_dir"
[ "$fails" = 0 ]
