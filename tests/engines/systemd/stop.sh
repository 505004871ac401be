#!/usr/bin/env bash
# Stops the private user manager started by start.sh and every process of its
# units: `systemctl --user exit` (units stop cleanly), SIGTERM, then SIGKILL of
# the manager's whole cgroup; removes the cgroup and a /tmp runtime dir.
# Usage: stop.sh STATE_DIR. Idempotent; fine when nothing runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: stop.sh STATE_DIR" >&2; exit 2; }
if [ ! -d "$1" ]; then echo "systemd engine: nothing to stop ($1)"; exit 0; fi
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

# procs: every pid in our cgroup tree (the manager and all its units).
procs() { for cg in "${cgroups[@]}"; do [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} +; done 2>/dev/null | sort -u; }
# wait_empty N: up to N*0.1 s for the cgroup tree to empty.
wait_empty() { for _ in $(seq 1 "$1"); do [ -z "$(procs)" ] && return 0; sleep 0.1; done; return 1; }
# alive PID: PID is our manager and not a zombie (PID 1 here reaps it late).
alive() { [ -n "$1" ] && grep -qs "pm-sd-$hash" "/proc/$1/cgroup" && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

pid=$(cat "$state/manager.pid" 2>/dev/null || true)
if [ -n "$(procs)" ]; then
  # A live manager (pid still in our cgroup) stops its units itself; SIGTERM
  # is the fallback when the exit call fails. Units slow to stop (the
  # default TimeoutStopSec is 90 s) get 10 s, then everything is SIGKILLed.
  if alive "$pid"; then
    XDG_RUNTIME_DIR=$xdg timeout 5 systemctl --user exit >/dev/null 2>&1 ||
      kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  fi
  for _ in 1 2 3 4 5; do
    wait_empty 5 && break
    # cgroup.kill (cgroup2, Linux 5.14+) kills the whole tree at once, forks included.
    for cg in "${cgroups[@]}"; do [ ! -f "$cg/cgroup.kill" ] || echo 1 > "$cg/cgroup.kill" || true; done
    for p in $(procs); do kill -KILL "$p" 2>/dev/null || true; done
  done
fi
[ -z "$(procs)" ] || { echo "systemd engine: processes left in ${cgroups[*]}: $(procs | tr '\n' ' ')" >&2; exit 1; }
# Remove the cgroups, children first (the manager made init.scope, app.slice...).
for cg in "${cgroups[@]}"; do
  if [ -d "$cg" ]; then find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
done
rm -f "$state/manager.pid"
# A long state dir's runtime dir in /tmp (see common.sh).
if [ -L "$state/xdg" ]; then
  case $xdg in /tmp/pm-sd-*) rm -rf "$xdg" ;; esac
  rm -f "$state/xdg"
fi
echo "systemd engine: stopped ($state)"
