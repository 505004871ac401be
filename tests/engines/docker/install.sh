#!/usr/bin/env bash
# Installs the Docker test engine from Debian: docker.io (dockerd, containerd,
# runc, docker-init, the docker CLI) and busybox-static (the test image's
# only binary), and openssl (start.sh makes the TLS certificates with it).
# Idempotent: apt is skipped when all are installed.
# Run as root.
set -euo pipefail
"$(dirname "$0")/../../../scripts/apt-install-missing.sh" "docker engine" docker.io busybox-static openssl
echo "docker engine: $(PATH="$PATH:/usr/sbin" dockerd --version) installed"
