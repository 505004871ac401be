#!/usr/bin/env bash
# Stops the private PM2 daemon started by start.sh, and every app in it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${1:?usage: stop.sh PM2_HOME}
PM2_HOME="$home" timeout 60 "$here/node_modules/.bin/pm2" kill >/dev/null 2>&1 || true
echo "pm2 engine: stopped ($home)"
