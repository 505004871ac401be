#!/usr/bin/env bash
# Builds the `asan` preset (g++, ASan + UBSan, CMakePresets.json) into
# ./build-asan and runs the test suite under it; extra arguments go to ctest
# (`scripts/test-asan.sh -L unit` for the unit tests only). The package test
# is left out: it checks packaging, not memory, and a .deb of an ASan binary
# is no product. Run after scripts/install-deps.sh (test-all.sh does).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan -LE package -j 2 "$@"
