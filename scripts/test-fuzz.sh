#!/usr/bin/env bash
# Builds the libFuzzer targets (`fuzz` preset: clang++-16, ASan + UBSan) into
# ./build-fuzz and runs each from its seed corpus for PM_FUZZ_SMOKE_SECONDS
# (default 20) as the ctest tests labelled `fuzz`: a smoke test that fails
# on any finding. Long runs: fuzz/run.sh (fuzz/README.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cmake --preset fuzz -DPM_FUZZ_SMOKE_SECONDS="${PM_FUZZ_SMOKE_SECONDS:-20}" >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
ctest --preset fuzz "$@"
