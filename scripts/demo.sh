#!/usr/bin/env bash
# Installs what is missing, builds avsim, and runs the first example hypervisor.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
echo "== avsim run build/examples/01-hypercalls/hypercalls.elf"
build/avsim run --trace-exceptions --stats=build/demo-stats.json build/examples/01-hypercalls/hypercalls.elf
