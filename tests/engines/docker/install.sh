#!/usr/bin/env bash
# Installs the Docker test engine from Debian: docker.io (dockerd, containerd,
# runc, docker-init, the docker CLI) and busybox-static (the test image's
# only binary). Idempotent: apt is skipped when both are installed.
# Run as root.
set -euo pipefail
"$(dirname "$0")/../../../scripts/apt-install-missing.sh" "docker engine" docker.io busybox-static
echo "docker engine: $(PATH="$PATH:/usr/sbin" dockerd --version) installed"
