#!/usr/bin/env bash
# Starts a private PM2 daemon for the integration tests.
# Usage: start.sh PM2_HOME   (the directory is created; any daemon already
# running there is killed first, so a crashed earlier run leaves no trace).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${1:?usage: start.sh PM2_HOME}
pm2="$here/node_modules/.bin/pm2"
if [ ! -x "$pm2" ]; then
  echo "pm2 engine: $pm2 missing; run scripts/install-deps.sh (or tests/engines/pm2/install.sh)" >&2
  exit 1
fi
mkdir -p "$home"
export PM2_HOME="$home"
"$pm2" kill >/dev/null 2>&1 || true
# `pm2 kill` ends the daemon named in pm2.pid only; daemons of overlapping
# earlier runs on the same home (their apps still holding test ports) too.
pkill -f "PM2 v[0-9.]*: God Daemon \($home\)" 2>/dev/null || true
# `pm2 ping` spawns the daemon and waits for it to answer.
timeout 60 "$pm2" ping >/dev/null
pid=$(cat "$home/pm2.pid")
kill -0 "$pid"
echo "pm2 engine: daemon $pid up in $home"
