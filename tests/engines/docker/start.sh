#!/usr/bin/env bash
# Starts a private Docker Engine (dockerd + its own containerd) for the tests.
# Usage: start.sh STATE_DIR   (created if missing). Socket, data root, exec
# root, pidfile and log (dockerd.log) all live in STATE_DIR. Whatever an
# earlier run left there (daemon, containers, mounts) is removed first, so
# the engine always starts empty except for the test image pm-test/busybox:1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: start.sh STATE_DIR" >&2; exit 2; }
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd not installed (apt-get install docker.io busybox-static)" >&2
  exit 1
fi
mkdir -p "$1"
state=$(cd "$1" && pwd -P)
sock=$state/docker.sock
log=$state/dockerd.log
# Go and curl cap unix socket paths at 108 bytes.
if [ ${#sock} -gt 107 ]; then
  echo "docker engine: state dir path too long for a unix socket: $sock" >&2
  exit 1
fi
"$here/stop.sh" "$state" >/dev/null
# containerd refuses socket paths over 104 bytes and puts its longest one at
# EXEC_ROOT/containerd/containerd-debug.sock (33 more bytes): a long state dir
# gets its exec root in /tmp, found by stop.sh through the STATE_DIR/exec link.
hash=$(printf %s "$state" | sha256sum | cut -c1-12)
exec_root=$state/exec
if [ $((${#exec_root} + 33)) -gt 104 ]; then
  exec_root=/tmp/pm-dockerd-$hash
  mkdir -p "$exec_root"
  ln -sfn "$exec_root" "$state/exec"
fi

# An empty config file, so /etc/docker/daemon.json of the machine is not read.
# Own containerd namespaces: if a system containerd runs (/run/containerd),
# dockerd uses it instead of starting its own; the namespaces keep our
# containers apart from the system dockerd's ("moby").
# --ip-forward=false: do not change the host's net.ipv4.ip_forward.
echo '{}' > "$state/daemon.json"
echo "=== start.sh $(date -u +%FT%TZ)" >> "$log"
# setsid: not in the caller's process group (a Ctrl-C to ctest must not kill it).
setsid dockerd --host "unix://$sock" --data-root "$state/data" \
  --exec-root "$exec_root" --pidfile "$state/docker.pid" \
  --config-file "$state/daemon.json" \
  --containerd-namespace "pmtest-$hash" --containerd-plugins-namespace "pmtest-$hash-plugins" \
  --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
  </dev/null >>"$log" 2>&1 &
pid=$!

fail() {
  echo "docker engine: $1; tail of $log:" >&2
  tail -n 25 "$log" >&2
  "$here/stop.sh" "$state" >/dev/null 2>&1 || true
  exit 1
}
deadline=$((SECONDS + 60))
until [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ]; do
  kill -0 "$pid" 2>/dev/null || fail "dockerd exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "dockerd did not answer /_ping within 60 s"
  sleep 0.1
done

# Containers of an earlier run whose dockerd died (stop.sh could not reach it).
ids=$(docker -H "unix://$sock" ps -aq) || fail "docker ps failed"
# shellcheck disable=SC2086 # one container id a line: split on purpose
[ -z "$ids" ] || docker -H "unix://$sock" rm -f $ids >/dev/null || fail "could not remove old containers"
"$here/build-image.sh" "$sock" >/dev/null || fail "could not build the test image"
echo "docker engine: dockerd $pid up at unix://$sock"
