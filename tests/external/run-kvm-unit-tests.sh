#!/usr/bin/env bash
# Runs kvm-unit-tests' arm64 .flat images on avsim (or on QEMU for reference) and prints a
# PASS/FAIL/SKIP table. The tests are not part of avsim: build them first (see
# tests/external/README.md or build-kvm-unit-tests.sh) and give the build directory.
#
# usage: run-kvm-unit-tests.sh [--avsim PATH | --qemu] [--el=1|2] [options] KUT_BUILD_DIR [TEST...]
#        run-kvm-unit-tests.sh --kvmtool LKVM [--avsim PATH | --qemu] [options] KUT_BUILD_DIR [TEST...]
#
# Without --kvmtool each test is the machine's guest (bare metal, at EL1 or EL2). With --kvmtool
# the tests are KVM guests: Debian's Linux boots on avsim (or QEMU) with an initramfs holding
# LKVM (a static arm64 kvmtool, lkvm-static) and the .flat images, and its /init runs each test
# under `lkvm run`, as kvm-unit-tests' arm/run does with TARGET=kvmtool; the build directory must
# then be configured with --target=kvmtool (build-kvm-unit-tests.sh --target=kvmtool).
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
       run-kvm-unit-tests.sh --kvmtool LKVM [--avsim PATH | --qemu] [options] KUT_BUILD_DIR [TEST...]
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
       psci timer gicv3-ipi gicv3-active gicv2-ipi gicv2-active debug-bp debug-wp debug-sstep
       its-introspection its-trigger its-migration its-pending-migration
       its-migrate-unmapped-collection; the three migration tests get a key typed on their
       console at once and "migrate" to the same machine; the -migration variants of the debug
       tests are not run)

KVM guests under kvmtool inside Linux (--kvmtool):
  --kvmtool LKVM    a static arm64 kvmtool binary (make ARCH=arm64 lkvm-static); runs each
                    test as `lkvm run --kernel X.flat --cpus N --params ARGS --irqchip=gicv3
                    [--mem 256] --nodefaults --network mode=none --loglevel=warning
                    --initrd ENV` inside Debian's Linux, booted once for all the tests
  --linux DIR       the kernel cache of scripts/fetch-linux.sh (Image, busybox initramfs;
                    default build/linux of this checkout, fetched when missing)
  --host-smp=N      the PEs of the Linux host (default 2); --max-smp defaults to it
  --timeout=SECS    here: each test's limit inside the host, in the host's (simulated) time
                    (default 120; micro-bench gets ten times as much)
  --boot-timeout=S  wall-clock limit of the whole boot (default 1200 on QEMU, 3600 on avsim)
  --stats=FILE      avsim: keep the run's --stats JSON (exits by class, per VMID) in FILE
  --sim-args=ARGS   extra avsim options (e.g. "--quantum=2000"), split on spaces
  --append=ARGS     the host kernel's command line
                    (default "console=ttyAMA0 nokaslr cryptomgr.notests quiet")
TESTS with --kvmtool (default: selftest-setup selftest-vectors-kernel selftest-vectors-user
       selftest-smp psci timer gicv3-ipi gicv3-active micro-bench); micro-bench prints its
       figures (total and average ns per operation) under the table
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
micro-bench|micro-bench.flat|2||3|kvm
debug-bp|debug.flat|1|bp|3|
debug-wp|debug.flat|1|wp|3|
debug-sstep|debug.flat|1|ss|3|
debug-bp-migration|debug.flat|1|bp-migration|3|migrate
debug-wp-migration|debug.flat|1|wp-migration|3|migrate
debug-sstep-migration|debug.flat|1|ss-migration|3|migrate
its-introspection|gic.flat|MAX|its-introspection|3|
its-trigger|gic.flat|MAX|its-trigger|3|
its-migration|gic.flat|MAX|its-migration|3|migrate
its-pending-migration|gic.flat|MAX|its-pending-migration|3|migrate
its-migrate-unmapped-collection|gic.flat|MAX|its-migrate-unmapped-collection|3|migrate
'
# extra "migrate": the test calls migrate() and waits for a key on its console. This runner
# cannot migrate a machine (avsim has no migration; QEMU's needs two QEMUs and a monitor): it
# types the key at once (a newline as the machine's stdin, which is the PL011's input on both
# QEMU and avsim), so the test goes on in the same machine ("migrates" to itself) and checks
# that the ITS and LPI state it set up before the prompt still works after it.
# The GICv3 tests run QEMU with its ITS (its=on, QEMU's default).
DEFAULT_TESTS="selftest-setup selftest-vectors-kernel selftest-vectors-user selftest-smp psci timer gicv3-ipi gicv3-active gicv2-ipi gicv2-active debug-bp debug-wp debug-sstep debug-bp-migration debug-wp-migration debug-sstep-migration its-introspection its-trigger its-migration its-pending-migration its-migrate-unmapped-collection"
# gicv2-* need a GICv2-compatible CPU interface (GICV) for KVM's vGICv2; QEMU's and avsim's
# GICv3 have none ("kvm [1]: disabling GICv2 emulation"), so they are left out here.
DEFAULT_KVMTOOL_TESTS="selftest-setup selftest-vectors-kernel selftest-vectors-user selftest-smp psci timer gicv3-ipi gicv3-active micro-bench"

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=avsim
avsim="$here/../../build/avsim"
el=2
max_smp=
timeout_s=
qemu_cpu=cortex-a57
use_env=1
log_dir=
verbose=0
kut=
tests=()
lkvm=
linux_cache=
host_smp=2
boot_timeout=
stats_out=
sim_args=
host_append="console=ttyAMA0 nokaslr cryptomgr.notests quiet"

while [ $# -gt 0 ]; do
	case "$1" in
	--avsim) [ $# -ge 2 ] || { usage >&2; exit 2; }; mode=avsim; avsim=$2; shift ;;
	--avsim=*) mode=avsim; avsim=${1#*=} ;;
	--qemu) mode=qemu ;;
	--kvmtool) [ $# -ge 2 ] || { usage >&2; exit 2; }; lkvm=$2; shift ;;
	--kvmtool=*) lkvm=${1#*=} ;;
	--linux) [ $# -ge 2 ] || { usage >&2; exit 2; }; linux_cache=$2; shift ;;
	--linux=*) linux_cache=${1#*=} ;;
	--host-smp=*) host_smp=${1#*=} ;;
	--boot-timeout=*) boot_timeout=${1#*=} ;;
	--stats=*) stats_out=${1#*=} ;;
	--sim-args=*) sim_args=${1#*=} ;;
	--append=*) host_append=${1#*=} ;;
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

die2() { echo "run-kvm-unit-tests.sh: $*" >&2; exit 2; }
skip77() { echo "run-kvm-unit-tests.sh: SKIP: $*"; exit 77; }

if [ -z "$kut" ]; then
	echo "run-kvm-unit-tests.sh: no KUT_BUILD_DIR given" >&2; usage >&2; exit 2
fi
[ -d "$kut" ] || die2 "build directory '$kut' does not exist (see tests/external/README.md)"
if [ ! -f "$kut/arm/selftest.flat" ] && [ ! -f "$kut/arm/psci.flat" ]; then
	die2 "'$kut' has no arm/*.flat: configure with --arch=arm64 and run make there first"
fi
if [ -n "$lkvm" ]; then
	[ -n "$max_smp" ] || max_smp=$host_smp
	[ -n "$timeout_s" ] || timeout_s=120
else
	[ -n "$max_smp" ] || max_smp=4
	[ -n "$timeout_s" ] || timeout_s=60
fi
case "$max_smp" in ''|*[!0-9]*|0) die2 "bad --max-smp '$max_smp'" ;; esac
case "$timeout_s" in ''|*[!0-9]*|0) die2 "bad --timeout '$timeout_s'" ;; esac
case "$host_smp" in [1-8]) ;; *) die2 "bad --host-smp '$host_smp' (1-8)" ;; esac
case "$boot_timeout" in *[!0-9]*) die2 "bad --boot-timeout '$boot_timeout'" ;; esac
if [ "$mode" = avsim ] && [ ! -x "$avsim" ]; then
	die2 "avsim binary '$avsim' not found (build it, or give --avsim PATH)"
fi
if [ "$mode" = avsim ] && ! "$avsim" run --help 2>&1 | grep -q -- '--kernel'; then
	die2 "$avsim has no --kernel/--smp/--append/--initrd options yet: it cannot boot the .flat images (use --qemu for the reference run)"
fi
qemu="qemu-system-aarch64"
if [ "$mode" = qemu ] && ! command -v "$qemu" >/dev/null; then
	[ -n "$lkvm" ] && skip77 "$qemu not installed"
	die2 "$qemu not found"
fi
if [ -n "$lkvm" ]; then
	[ -f "$lkvm" ] || die2 "--kvmtool: '$lkvm' does not exist (build kvmtool's lkvm-static, see tests/external/README.md)"
	# An ELF file for AArch64 (e_machine 183 at offset 18), statically linked (no PT_INTERP):
	# the initramfs has no C library.
	if [ "$(head -c 4 "$lkvm" | od -An -c | tr -d ' ')" != '177ELF' ] ||
		[ "$(od -An -t u2 -j 18 -N 2 "$lkvm" | tr -d ' ')" != 183 ]; then
		die2 "--kvmtool: '$lkvm' is not an AArch64 ELF executable (make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- lkvm-static)"
	fi
	if command -v readelf >/dev/null && readelf -l "$lkvm" 2>/dev/null | grep -q 'program interpreter'; then
		die2 "--kvmtool: '$lkvm' is dynamically linked; the initramfs has no C library: build lkvm-static"
	fi
	if [ -f "$kut/config.mak" ] && ! grep -q '^TARGET=kvmtool' "$kut/config.mak"; then
		die2 "--kvmtool: '$kut' is configured for QEMU ($(grep '^TARGET=' "$kut/config.mak")): its early console writes to QEMU's PL011; rebuild with build-kvm-unit-tests.sh --target=kvmtool"
	fi
	[ "$el" = 2 ] || die2 "--el=1 has no meaning with --kvmtool (the host boots at EL2, the tests run at EL1 under KVM)"
	[ "${AVSIM_SKIP_LINUX:-0}" = 1 ] && skip77 "AVSIM_SKIP_LINUX=1"
	[ -n "$linux_cache" ] || linux_cache=$top/build/linux
	[ -n "$boot_timeout" ] || { [ "$mode" = avsim ] && boot_timeout=3600 || boot_timeout=1200; }
	[ ${#tests[@]} -gt 0 ] || read -r -a tests <<<"$DEFAULT_KVMTOOL_TESTS"
fi
[ ${#tests[@]} -gt 0 ] || read -r -a tests <<<"$DEFAULT_TESTS"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$log_dir" ] || log_dir=$tmp
mkdir -p "$log_dir"
envfile=$tmp/kut-env
printf 'ERRATA_FORCE=y\n' >"$envfile"

min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# classify LOG RC TMO: sets $result (PASS/FAIL/SKIP) and $note from a test's output and the exit
# status of what ran it (124 or 137: the time limit TMO was hit).
classify() {
	local log=$1 rc=$2 tmo=$3 status npass nfail nskip counts why
	status=$(tr -d '\r' <"$log" | sed -n 's/^EXIT: STATUS=\([0-9][0-9]*\).*/\1/p' | head -n1)
	npass=$(grep -c '^PASS: ' "$log")
	nfail=$(grep -c '^FAIL: ' "$log")
	nskip=$(grep -c '^SKIP: ' "$log")
	counts="$npass pass, $nfail fail, $nskip skip"
	if [ -z "$status" ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ] || [ "$rc" = 143 ]; then why="timeout after ${tmo}s"; else why="no EXIT line, exit status $rc"; fi
		result=FAIL; note="$why; $counts; last line: $(tr -d '\r' <"$log" | grep -v '^[[:space:]]*$' | tail -n1 | cut -c1-60)"
	elif [ "$status" = 77 ]; then
		result=SKIP; note="EXIT: STATUS=77 (skipped); $counts"
	elif [ "$status" = 1 ]; then
		if [ "$npass" = 0 ] && [ "$nskip" -gt 0 ]; then result=SKIP; else result=PASS; fi
		note="$counts"
	else
		result=FAIL; note="EXIT: STATUS=$status; $counts"
	fi
}

# run_timed LIMIT OUT CMD...: runs CMD (stdin $run_stdin, /dev/null unless set; stdout and
# stderr to OUT), killed after LIMIT seconds; sets $rc (124 or 137 when killed) and $secs (wall time).
run_stdin=/dev/null
run_timed() {
	local limit=$1 out=$2 t0 t1
	shift 2
	[ "$verbose" = 1 ] && echo "+ $*" >&2
	t0=$(date +%s.%N)
	timeout -k 2 "$limit" "$@" <"$run_stdin" >"$out" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

# test_line NAME: reads NAME's unittests.cfg row into name file smp args gic extra.
test_line() {
	local line
	line=$(echo "$TESTS_CFG" | grep "^$1|" || true)
	[ -n "$line" ] || die2 "unknown test '$1' (--list shows them)"
	IFS='|' read -r name file smp args gic extra <<<"$line"
	case "$smp" in
	MAX) smp=$max_smp ;;
	MAX8) smp=$(min "$max_smp" 8) ;;
	MAX3) smp=$(min "$max_smp" 3) ;;
	esac
}

declare -a rows
fails=0

# The /init of the Linux host in --kvmtool mode (busybox sh). /kut/tests has one line per test,
# NAME|FILE|CPUS|PARAMS|LKVM OPTIONS|LIMIT; each test's output is framed by "KUT-BEGIN NAME" and
# "KUT-END NAME rc=STATUS secs=HOST-SECONDS" on the console. LIMIT is in seconds of the host's
# clock (simulated time on avsim).
write_host_init() {
	cat >"$1" <<EOF
#!/bin/sh
# kvm-unit-tests as KVM guests (tests/external/run-kvm-unit-tests.sh --kvmtool)
export PATH=/bin:/sbin HOME=/tmp
EOF
	cat >>"$1" <<'EOF'
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "KUT-HOST: Linux $(uname -r), CPUs online $(cat /sys/devices/system/cpu/online)"
dmesg | grep -E 'kvm \[[0-9]+\]: (Hyp mode|VHE mode|GIC|vgic|disabling|IPA)' | sed 's/^/KUT-HOST: /'
[ -c /dev/kvm ] || echo "KUT-HOST: no /dev/kvm: KVM did not initialize"
while IFS='|' read -r name flat cpus params opts tmo; do
	[ -n "$name" ] || continue
	echo "KUT-BEGIN $name"
	read -r t0 _ </proc/uptime
	# As kvm-unit-tests' scripts/vmm.bash does: --nodefaults keeps the command line as given,
	# --network mode=none adds no virtio-net; the environment (ERRATA_FORCE=y) is the initrd.
	# shellcheck disable=SC2086  # $opts holds several options
	timeout -s KILL "$tmo" /bin/lkvm run --kernel "/kut/$flat" --cpus "$cpus" \
		${params:+--params "$params"} $opts --nodefaults --network mode=none \
		--loglevel=warning --initrd /kut/env </dev/null 2>&1
	rc=$?
	read -r t1 _ </proc/uptime
	echo "KUT-END $name rc=$rc secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
done </kut/tests
echo "KUT-HOST-DONE"
sync
poweroff -f
EOF
}

# The limit of the test test_line read last: micro-bench runs 8 loops of up to 65536 exits.
test_limit() { if [ "$extra" = kvm ]; then echo $((timeout_s * 10)); else echo "$timeout_s"; fi; }

# --kvmtool: one Linux boot runs every test under lkvm; the console is then cut into one log
# per test and each is judged as a bare run is (classify).
run_kvmtool() {
	local t flat files=() list=$tmp/tests initrd=$tmp/host.gz console=$log_dir/console.log
	local stats=$stats_out cmd=() wall begin endl krc opts host_note="" where tmo
	: >"$list"
	for t in "${tests[@]}"; do
		test_line "$t"
		flat=$kut/arm/$file
		[ -f "$flat" ] || die2 "$name: missing $flat (make in $kut)"
		opts="--irqchip=gicv$gic"
		[ "$extra" = mem256 ] && opts+=" --mem 256"
		tmo=$(test_limit)
		echo "$name|$file|$smp|$args|$opts|$tmo" >>"$list"
		case " ${files[*]} " in *" $flat=/kut/$file "*) ;; *) files+=(--file "$flat=/kut/$file") ;; esac
	done
	[ "$use_env" = 1 ] || : >"$envfile"
	write_host_init "$tmp/init"
	rc=0
	"$here/mkinitramfs.sh" --cache "$linux_cache" --init "$tmp/init" --file "$lkvm=/bin/lkvm" \
		--file "$list=/kut/tests" --file "$envfile=/kut/env" "${files[@]}" "$initrd" \
		>"$tmp/mkinitramfs.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		cat "$tmp/mkinitramfs.log" >&2
		[ $rc -eq 77 ] && skip77 "Debian's kernel and busybox cannot be fetched into $linux_cache (see above)"
		echo "run-kvm-unit-tests.sh: mkinitramfs.sh failed ($rc)" >&2
		return 1
	fi
	if [ "$mode" = avsim ]; then
		[ -n "$stats" ] || stats=$log_dir/stats.json
		cmd=("$avsim" run "--kernel=$linux_cache/Image" "--initrd=$initrd" "--append=$host_append"
		     "--smp=$host_smp" "--stats=$stats")
		# shellcheck disable=SC2206  # --sim-args is split on spaces on purpose
		[ -n "$sim_args" ] && cmd+=($sim_args)
	else
		# shellcheck disable=SC2054  # the commas are QEMU option syntax
		cmd=("$qemu" -M virt,virtualization=on,gic-version=3 -cpu "$qemu_cpu" -m 1G
		     -smp "$host_smp" -nographic -no-reboot -kernel "$linux_cache/Image" -initrd "$initrd"
		     -append "$host_append")
	fi
	run_timed "$boot_timeout" "$console" "${cmd[@]}"
	wall=$secs
	tr -d '\r' <"$console" >"$tmp/console"
	[ "$verbose" = 1 ] && sed 's/^/    /' "$tmp/console" >&2

	grep -q -e 'Hyp mode initialized successfully' -e 'VHE mode initialized successfully' "$tmp/console" ||
		host_note="KVM did not initialize; "
	if ! grep -q '^KUT-HOST-DONE' "$tmp/console"; then
		if [ $rc = 124 ] || [ $rc = 137 ]; then host_note+="the boot timed out after ${boot_timeout}s"
		else host_note+="the host stopped before its /init finished ($mode exit status $rc)"; fi
	elif [ $rc -ne 0 ]; then
		host_note+="$mode exit status $rc after the tests"
	fi
	for t in "${tests[@]}"; do
		test_line "$t"
		log=$log_dir/$name.log
		begin=$(grep -n "^KUT-BEGIN $name\$" "$tmp/console" | head -n1 | cut -d: -f1)
		endl=$(grep -n "^KUT-END $name " "$tmp/console" | head -n1 | cut -d: -f1)
		if [ -z "$begin" ]; then
			: >"$log"; result=FAIL; note="not run (${host_note:-no KUT-BEGIN line})"; secs=-
		elif [ -z "$endl" ]; then
			sed -n "$((begin + 1)),\$p" "$tmp/console" >"$log"
			classify "$log" none "$(test_limit)"
			result=FAIL; note="did not end: ${host_note}; $note"; secs=-
		else
			sed -n "$((begin + 1)),$((endl - 1))p" "$tmp/console" >"$log"
			krc=$(sed -n "${endl}s/.* rc=\([0-9]*\).*/\1/p" "$tmp/console")
			secs=$(sed -n "${endl}s/.* secs=\([0-9.]*\).*/\1/p" "$tmp/console")
			classify "$log" "$krc" "$(test_limit)"
			[ "$extra" = kvm ] && [ "$result" = PASS ] && note="figures below"
			# lkvm exits 0 after the guest's PSCI SYSTEM_OFF
			[ "$krc" = 0 ] || [ "$result" = FAIL ] || note+="; lkvm exit status $krc"
		fi
		[ "$result" = FAIL ] && fails=$((fails + 1))
		rows+=("$(printf '%-26s %-5s %7ss  %s' "$name" "$result" "$secs" "$note")")
	done

	where=$mode; [ "$mode" = avsim ] && where="avsim ($avsim)"
	echo "kvm-unit-tests as KVM guests under kvmtool ($lkvm), in Linux on $where with $host_smp PEs, MAX_SMP=$max_smp, build $kut"
	grep -E '^KUT-HOST: ' "$tmp/console" | sed 's/^/  /'
	printf '%-26s %-5s %8s  %s\n' TEST RESULT TIME NOTES
	for r in "${rows[@]}"; do echo "$r"; done
	echo "(TIME: each test's duration on the host's clock, which is simulated time on avsim)"
	echo "whole run: ${wall}s wall, $mode exit status $rc${host_note:+ ($host_note)}"
	if [ -s "$log_dir/micro-bench.log" ]; then
		echo "micro-bench (kvm-unit-tests arm/micro-bench.c: total and average ns per operation):"
		sed -n '/^name  *total ns/,/^EXIT: /p' "$log_dir/micro-bench.log" | grep -v '^EXIT: ' | sed 's/^/  /'
	fi
	if [ "$mode" = avsim ] && [ -s "$stats" ]; then
		echo "avsim --stats: $stats (bench/kvm_costs.sh prints its exits by class and per VMID)"
	fi
	if [ "$fails" -gt 0 ] || [ -n "$host_note" ]; then
		echo "last console lines ($console):"
		grep -v '^[[:space:]]*$' "$tmp/console" | tail -n 15 | sed 's/^/  | /'
	fi
	[ "$log_dir" != "$tmp" ] && echo "logs in $log_dir (console.log and one per test)"
	[ "$fails" = 0 ] && [ -z "$host_note" ]
}

if [ -n "$lkvm" ]; then
	run_kvmtool
	exit $?
fi

for t in "${tests[@]}"; do
	test_line "$t"
	[ "$extra" = kvm ] && die2 "$name runs only as a KVM guest (give --kvmtool LKVM)"
	flat=$kut/arm/$file
	if [ ! -f "$flat" ]; then
		rows+=("$(printf '%-26s %-5s %7s  %s' "$name" FAIL - "missing $flat")"); fails=$((fails + 1)); continue
	fi
	tmo=$timeout_s
	if [ "$mode" = qemu ]; then
		machine="virt,gic-version=$gic"
		[ "$el" = 2 ] && machine="virt,virtualization=on,gic-version=$gic"
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
	run_stdin=/dev/null
	if [ "$extra" = migrate ]; then
		printf '\n' >"$tmp/key"
		run_stdin=$tmp/key
	fi
	run_timed "$tmo" "$log" "${cmd[@]}"
	[ "$verbose" = 1 ] && sed 's/^/    /' "$log" >&2
	classify "$log" "$rc" "$tmo"
	[ "$result" = FAIL ] && fails=$((fails + 1))
	rows+=("$(printf '%-26s %-5s %7ss  %s' "$name" "$result" "$secs" "$note")")
done

where=$mode; [ "$mode" = avsim ] && where="avsim ($avsim)"
echo "kvm-unit-tests on $where at EL$el, MAX_SMP=$max_smp, build $kut"
printf '%-26s %-5s %8s  %s\n' TEST RESULT TIME NOTES
for r in "${rows[@]}"; do echo "$r"; done
[ "$log_dir" != "$tmp" ] && echo "logs in $log_dir"
[ "$fails" = 0 ]
