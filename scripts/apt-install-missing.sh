#!/usr/bin/env bash
# Installs those of the given Debian packages that are not installed yet;
# runs apt only when something is missing. Usage: apt-install-missing.sh WHO PKG...
# (WHO prefixes the message: "docker engine: installing ...").
set -euo pipefail
who=$1
shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "$who: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
