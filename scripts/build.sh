#!/usr/bin/env bash
# Configures and builds process-monitor into ./build (warnings are errors).
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPM_WERROR=ON "$@" >/dev/null
cmake --build "$top/build" -j "$(nproc)"
