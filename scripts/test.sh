#!/usr/bin/env bash
# Builds avsim and runs every test (unit, guest, command line), then the fuzz targets briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j"$(nproc)")
# The libFuzzer targets (tests/fuzz, README "Fuzzing"), 10 s each, when clang can build them.
if scripts/fuzz.sh --available; then
    scripts/fuzz.sh 10
else
    echo "test.sh: clang with libFuzzer not found: the fuzz targets are skipped"
fi
