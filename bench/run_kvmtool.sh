#!/usr/bin/env bash
# The kvmtool benchmark (issue 13 point 2): the whole run of tests/external/kvmtool.sh timed on
# QEMU and on avsim side by side: the host Linux boots, `lkvm run` boots the same kernel as a KVM
# guest, the guest reads its virtio-blk disk and powers off, kvmtool and the host end
# (tests/external/LINUX.md). Figures only, never pass/fail on time.
#
#   bench/run_kvmtool.sh --lkvm PATH [CACHE_DIR]     (default CACHE_DIR: build/linux)
#
# The table is bench/run_linux.sh's: median wall time of BENCH_RUNS runs, QEMU's run under the
# instruction-count plugin (single-threaded TCG), instructions (avsim: --stats; all the host's
# and the guest's instructions, every EL), MIPS, exits to EL2, avsim/QEMU.
# Environment: as bench/run_linux.sh, with SMP_LIST ("1 2": host CPUs = guest vCPUs) and
# BENCH_TIMEOUT (1800) defaults of their own here.
# Exit status: 0 (figures printed, failures shown as n/a with the reason), 2 bad usage,
# 77 no --lkvm or the kernel cannot be fetched.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
lkvm="" cache=build/linux
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --lkvm) [ $# -ge 2 ] || usage; lkvm=$2; shift ;;
        --lkvm=*) lkvm=${1#*=} ;;
        -h|--help) usage ;;
        -*) echo "bench/run_kvmtool.sh: unknown option $1" >&2; usage ;;
        *) cache=$1 ;;
    esac
    shift
done
if [ -z "$lkvm" ]; then
    echo "bench/run_kvmtool.sh: skipped: no lkvm-static given (--lkvm PATH; build it as tests/external/LINUX.md shows)"
    exit 77
fi
[ -f "$lkvm" ] || { echo "bench/run_kvmtool.sh: --lkvm $lkvm: no such file" >&2; exit 2; }

export SMP_LIST=${SMP_LIST:-"1 2"} BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
exec "$here/run_linux.sh" --boot "$top/tests/external/kvmtool.sh" --boot-arg --lkvm \
    --boot-arg "$lkvm" --title "kvmtool: Linux host, lkvm run of the same kernel as a guest (virtio-blk), both power off" \
    "$cache"
