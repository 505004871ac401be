#!/usr/bin/env bash
# The one command that sets everything up and runs every test on a fresh
# Debian 12 machine (as root): installs the build and test dependencies
# (apt, npm), builds with warnings as errors, then runs the unit tests and
# the integration tests against real engines. The engines are started and
# stopped by ctest fixtures (tests/engines/*/start.sh, stop.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
cd "$top/build"
ctest --output-on-failure -j 2 "$@"
