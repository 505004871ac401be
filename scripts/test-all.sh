#!/usr/bin/env bash
# The one command that sets everything up and runs every test on a fresh
# Debian 12 machine (as root): installs the build and test dependencies
# (apt, npm), builds with warnings as errors, then runs the unit tests and
# the integration tests against real engines. The engines are started and
# stopped by ctest fixtures (tests/engines/*/start.sh, stop.sh). Then the
# hardening steps: the whole suite again under ASan + UBSan
# (scripts/test-asan.sh) and a short run of every fuzz target
# (scripts/test-fuzz.sh). PM_ASAN=0 or PM_FUZZ_SMOKE=0 skips one (each
# costs a build of its own: about 12 and 7 minutes on 2 cores).
set -euo pipefail
# Files the tests write (configs, hooks) must not be group-writable: as root,
# process-monitor refuses such a config, as sudo and monit do.
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
# The integration tests listen on fixed loopback ports (39100-39499, and
# 23760 for the TLS Docker engine), inside the kernel's ephemeral range:
# reserve them, or an outgoing connection can take one first (seen here as
# EADDRINUSE for a test app). Needs root; elsewhere a rare flake remains.
if [ -w /proc/sys/net/ipv4/ip_local_reserved_ports ]; then
  echo 23760,39100-39499 > /proc/sys/net/ipv4/ip_local_reserved_ports
fi
(cd "$top/build" && ctest --output-on-failure -j 2 "$@")
if [ "${PM_ASAN:-1}" != 0 ]; then "$top/scripts/test-asan.sh" "$@"; fi
if [ "${PM_FUZZ_SMOKE:-1}" != 0 ]; then "$top/scripts/test-fuzz.sh"; fi
