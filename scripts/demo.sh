#!/usr/bin/env bash
# The demo: on a fresh Debian 12 machine (as root) it installs what is
# needed, builds process-monitor, starts a throw-away PM2 daemon with a small
# web service "backend-api", and shows process-monitor finding it healthy,
# then breaking it two ways and restarting it. Everything it starts is
# stopped and removed at the end; nothing outside a temporary directory is
# touched.
set -euo pipefail
# As root, process-monitor refuses a config that group or others may write.
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" >/dev/null
"$top/scripts/build.sh" >/dev/null

monitor="$top/build/src/process-monitor"
pm2="$top/tests/engines/pm2/node_modules/.bin/pm2"
work=$(mktemp -d /tmp/process-monitor-demo.XXXXXX)
export PM2_HOME="$work/pm2"
port=${DEMO_PORT:-39301}
cleanup() { "$pm2" kill >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; set +e; "$@"; local rc=$?; set -e; printf '(exit code %d)\n' "$rc"; }

step "Starting a private PM2 daemon with the demo service 'backend-api' on port $port"
"$pm2" ping >/dev/null
PORT=$port "$pm2" start "$top/tests/engines/pm2/health-app.js" --name backend-api >/dev/null
until curl -s -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.1; done

cat > "$work/config.toml" <<TOML
# The old process-monitor.sh setup: service backend-api, health URL, 3 tries.
[monitor]
state_dir = "$work/state"

# The demo breaks the service twice within seconds: no grace or backoff, so
# each step acts at once. Production defaults: 30s grace after a restart,
# backoff from 10s doubling up to 10m, at most 5 restarts per hour.
[defaults]
grace = "0s"
backoff = "0s"

[pm2]
home = "$PM2_HOME"
binary = "$pm2"

[[service]]
name = "backend-api"
backend = "pm2"

  [service.health]
  url = "http://127.0.0.1:$port/health"
  timeout = "2s"
  retries = 2
  retry_delay = "500ms"
TOML
step "The config"
cat "$work/config.toml"

step "1. A healthy service: exit 0 (and with -q, nothing at all is printed)"
show "$monitor" --once -c "$work/config.toml"
show "$monitor" --once -q -c "$work/config.toml"

step "2. The service starts answering 503: process-monitor restarts it and verifies the restart (exit 1)"
curl -s "http://127.0.0.1:$port/control?mode=503" >/dev/null
show "$monitor" --once -c "$work/config.toml"

step "3. Someone stops it: --dry-run only reports (exit 2), a real run starts it again (exit 1)"
"$pm2" stop backend-api >/dev/null
show "$monitor" --once --dry-run -c "$work/config.toml"
show "$monitor" --once -c "$work/config.toml"

step "4. The same as JSON, for scripts"
show "$monitor" --once --json -c "$work/config.toml"

step "Done; stopping the demo PM2 daemon and removing $work"
