#!/usr/bin/env bash
# Installs every build and test dependency of process-monitor on a fresh
# Debian 12 machine. Idempotent: packages already present are skipped by apt,
# and npm reuses tests/engines/pm2/node_modules when its lockfile matches.
# Run as root (or through sudo).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

build_packages=(
  build-essential cmake pkg-config git
  libcli11-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev
  libboost-filesystem-dev catch2 libtomlplusplus-dev nlohmann-json3-dev libsystemd-dev zlib1g-dev
)
# python3-jsonschema: tests/schema/validate.py checks real --json output
# against schema/; prometheus-node-exporter: the --metrics-file test scrapes it.
# groff-base, man-db, bash-completion, zsh, fish: tests/docs checks the man
# pages and the shell completions in the real tools.
test_packages=(curl ca-certificates procps python3-jsonschema prometheus-node-exporter
               groff-base man-db bash-completion zsh fish)
# Fuzzing and sanitizers (fuzz/README.md): the libFuzzer targets need clang
# 16 (clang 14, Debian 12's default, cannot compile libstdc++ 12's
# <expected>) and its ASan/UBSan/libFuzzer runtimes. The `asan` preset
# uses g++, whose runtimes (libasan8, libubsan1) come with build-essential.
fuzz_packages=(clang-16 libclang-rt-16-dev)
# PM2 needs Node.js and npm. A machine that already has them (for example
# from NodeSource) keeps its own; otherwise Debian's are installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  test_packages+=(nodejs npm)
fi

"$here/scripts/apt-install-missing.sh" install-deps "${build_packages[@]}" "${test_packages[@]}" \
  "${fuzz_packages[@]}"

# The engines the integration tests run against (PM2 pinned by its lockfile).
"$here/tests/engines/pm2/install.sh"
"$here/tests/engines/docker/install.sh"
"$here/tests/engines/systemd/install.sh"
