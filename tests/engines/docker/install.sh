#!/usr/bin/env bash
# Installs the Docker test engine from Debian: docker.io (dockerd, containerd,
# runc, docker-init, the docker CLI) and busybox-static (the test image's
# only binary). Idempotent: apt is skipped when both are installed.
# Run as root.
set -euo pipefail
missing=()
for p in docker.io busybox-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "docker engine: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "docker engine: $(PATH="$PATH:/usr/sbin" dockerd --version) installed"
