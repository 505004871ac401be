#!/usr/bin/env bash
# Stops the private Docker Engine started by start.sh: removes its containers,
# stops dockerd (SIGTERM, then SIGKILL), kills whatever a killed dockerd left
# (its containerd, shims, container processes) and unmounts what it mounted.
# Usage: stop.sh STATE_DIR. Idempotent; fine when nothing runs.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: stop.sh STATE_DIR" >&2; exit 2; }
if [ ! -d "$1" ]; then echo "docker engine: nothing to stop ($1)"; exit 0; fi
state=$(cd "$1" && pwd -P)
sock=$state/docker.sock
exec_root=$(readlink -f "$state/exec" || echo "$state/exec")
ns=pmtest-$(printf %s "$state" | sha256sum | cut -c1-12)

# ours PID TEXT: PID runs and its command line contains TEXT (not a reused PID).
ours() { [ -n "$1" ] && { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$2"; }
# end PID TEXT: SIGTERM, up to 20 s for it to exit, then SIGKILL.
end() {
  ours "$1" "$2" || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do ours "$1" "$2" || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
  for _ in $(seq 1 25); do ours "$1" "$2" || return 0; sleep 0.2; done
}

pid=$(cat "$state/docker.pid" 2>/dev/null || true)
if ours "$pid" "$state/docker.pid"; then
  # rm -f kills at once: dockerd's own shutdown would wait each stop timeout.
  ids=$(timeout 20 docker -H "unix://$sock" ps -aq 2>/dev/null || true)
  # shellcheck disable=SC2086 # one container id a line: split on purpose
  [ -z "$ids" ] || timeout 60 docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
  end "$pid" "$state/docker.pid"
fi
# Left only if dockerd was SIGKILLed: containerd, then the shims of our
# namespace. Killing a container's init (the shim's child) ends its PID namespace.
end "$(cat "$exec_root/containerd/containerd.pid" 2>/dev/null || true)" "$exec_root/containerd/"
for p in /proc/[0-9]*; do
  p=${p#/proc/}
  if ours "$p" "containerd-shim" && ours "$p" "-namespace $ns "; then
    for c in $(ps -o pid= --ppid "$p"); do kill -KILL "$c" 2>/dev/null || true; done
    end "$p" "-namespace $ns "
  fi
done
# dockerd leaves its data root bind mount and netns mounts behind; some are stacked.
for _ in 1 2 3 4; do
  mounts=$(awk -v a="$state/" -v b="$exec_root/" 'index($2, a) == 1 || index($2, b) == 1 { print $2 }' /proc/self/mounts | sort -r)
  [ -n "$mounts" ] || break
  for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done
rm -f "$sock" "$state/docker.pid"
# A long state dir's exec root in /tmp (see start.sh).
if [ -L "$state/exec" ]; then
  case $exec_root in /tmp/pm-dockerd-*) rm -rf "$exec_root" ;; esac
  rm -f "$state/exec"
fi
echo "docker engine: stopped ($state)"
