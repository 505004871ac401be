#!/usr/bin/env bash
# Starts a private systemd user manager (a real systemd 252) for the tests.
# Usage: start.sh STATE_DIR   (created if missing). Any manager of an earlier
# run with the same STATE_DIR is killed first, and the runtime dir is emptied.
#   STATE_DIR/xdg            XDG_RUNTIME_DIR (mode 700; a link to /tmp/pm-sd-HASH
#                            when STATE_DIR is too long for unix sockets)
#   STATE_DIR/xdg/systemd/user/   runtime unit dir: put test units here, then
#                            `systemctl --user daemon-reload`
#   STATE_DIR/env            XDG_RUNTIME_DIR=... and DBUS_SESSION_BUS_ADDRESS=...
#   STATE_DIR/manager.pid, STATE_DIR/manager.log (the manager's log)
# PID 1 here is not systemd: the manager runs in a private mount namespace with
# a tmpfs on /run/systemd holding /run/systemd/system (its "booted with
# systemd" check), so the machine's /run/systemd is never touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: start.sh STATE_DIR" >&2; exit 2; }
if [ ! -x /lib/systemd/systemd ] || ! command -v busctl >/dev/null || [ ! -f /usr/lib/systemd/user/dbus.socket ]; then
  echo "systemd engine: not installed; run tests/engines/systemd/install.sh" >&2; exit 1
fi
mkdir -p "$1"
"$here/stop.sh" "$1" >/dev/null
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
[ ${#cgroups[@]} -gt 0 ] || { echo "systemd engine: no cgroup2 hierarchy mounted" >&2; exit 1; }
log=$state/manager.log
t0=$(date +%s%N)

rm -rf "${state:?}/xdg" "$xdg" "${state:?}/home" "$state/manager.pid"
mkdir -p "$xdg"
chmod 700 "$xdg"
[ "$xdg" = "$state/xdg" ] || ln -sfn "$xdg" "$state/xdg"
mkdir -p "$xdg/systemd/user" "$state/home"
for cg in "${cgroups[@]}"; do mkdir -p "$cg"; done
printf 'XDG_RUNTIME_DIR=%s\nDBUS_SESSION_BUS_ADDRESS=unix:path=%s/bus\n' "$xdg" "$xdg" > "$state/env"

echo "=== start.sh $(date -u +%FT%TZ)" >> "$log"
# env -i: the manager (and so every unit) gets a small, known environment, not
# the caller's. HOME in the state dir: `systemctl --user enable/mask` writes
# to ~/.config/systemd/user.
# Logging: a user manager logs to /dev/console (it reopens it, stderr is not
# used), which is the machine's console here. In the namespace, /dev/console
# becomes /dev/null and /dev/kmsg the log file, and the manager logs to "kmsg".
# Units' stdout/stderr: "inherit" from stdin, i.e. /dev/null (there is no
# journald); a test unit that wants its output sets StandardOutput=append:FILE.
# The inner sh joins the cgroup(s) and records its pid, then execs systemd.
# shellcheck disable=SC2016 # expanded by the inner sh
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  HOME="$state/home" XDG_RUNTIME_DIR="$xdg" PIDFILE="$state/manager.pid" LOG="$log" \
  setsid unshare --mount --propagation private sh -c '
    for cg in "$@"; do echo $$ > "$cg/cgroup.procs" || exit 1; done
    echo $$ > "$PIDFILE"
    mount --bind /dev/null /dev/console && mount --bind "$LOG" /dev/kmsg &&
      mount -t tmpfs -o mode=755 tmpfs /run/systemd && mkdir /run/systemd/system || exit 1
    unset PIDFILE LOG
    exec /lib/systemd/systemd --user --log-target=kmsg \
      --default-standard-output=inherit --default-standard-error=inherit' \
  sh "${cgroups[@]}" </dev/null >>"$log" 2>&1 &
launcher=$!

fail() {
  echo "systemd engine: $1; tail of $log:" >&2
  tail -n 25 "$log" >&2
  "$here/stop.sh" "$state" >/dev/null 2>&1 || true
  exit 1
}
export XDG_RUNTIME_DIR=$xdg
# Ready: the private socket (systemctl) answers, and the user bus (dbus-daemon,
# socket-activated by the manager) routes to org.freedesktop.systemd1.
# Not `systemctl --user is-system-running`: from outside the namespace it
# prints "offline" (it checks /run/systemd/system of the caller).
deadline=$((SECONDS + 60))
until [ -S "$xdg/systemd/private" ] && systemctl --user list-units --no-legend >/dev/null 2>&1 &&
      st=$(busctl --user --timeout=2 get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
             org.freedesktop.systemd1.Manager SystemState 2>/dev/null) &&
      case $st in *running*|*degraded*) true ;; *) false ;; esac; do
  kill -0 "$launcher" 2>/dev/null || fail "the manager exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "the manager did not come up within 60 s"
  sleep 0.05
done
pid=$(cat "$state/manager.pid")
[ "$pid" = "$launcher" ] || fail "manager.pid ($pid) is not the started process ($launcher)"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "systemd engine: user manager $pid up in ${ms} ms, XDG_RUNTIME_DIR=$xdg"
