#!/usr/bin/env bash
# Records what a real systemd user manager answers for the unit states
# process-monitor must understand, into this folder: <case>.show.txt
# (systemctl --user show), <case>.unit.json and <case>.service.json
# (busctl --json=short ... Properties.GetAll), D-Bus error answers, and
# README.md with the systemd version and timings. Needs root and
# tests/engines/systemd/install.sh. Re-running overwrites the recordings.
set -euo pipefail
dest=$(cd "$(dirname "$0")" && pwd)
eng=$(cd "$dest/../../engines/systemd" && pwd)
# A fixed, short state dir: paths inside the recordings stay the same run to run.
st=/tmp/pm-sd-record
rm -rf "$st"
# Recorded into $out first; replaces the old recordings only when all went well.
out=$st.out
rm -rf "$out"; mkdir -p "$out"
trap '"$eng/stop.sh" "$st" >/dev/null 2>&1 || true; rm -rf "$st" "$out"' EXIT

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" -v n="${3:-1}" 'BEGIN { printf "%.1f", (b - a) / 1e6 / n }'; }  # ms NS_START NS_END [N]
t0=$(now)
"$eng/start.sh" "$st"
startup_total=$(ms "$t0" "$(now)")
set -a
# shellcheck disable=SC1091 # written by start.sh
. "$st/env"
set +a
# systemctl does enable/mask client-side here (it sees no /run/systemd/system,
# so it thinks it is offline) and writes to $HOME/.config/systemd/user: point
# HOME at the manager's own HOME, never /root.
export HOME=$st/home
units=$XDG_RUNTIME_DIR/systemd/user
props=Id,LoadState,ActiveState,SubState,Result,NRestarts,MainPID,UnitFileState,ExecMainStatus,ExecMainCode,NeedDaemonReload
sd=(org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager)

unit() {  # unit NAME BODY...: writes $units/NAME from the remaining lines
  local name=$1; shift
  printf '%s\n' "$@" > "$units/$name"
}
get() { systemctl --user show -P "$2" "$1"; }
wait_for() {  # wait_for UNIT PROP VALUE: up to 15 s
  for _ in $(seq 1 150); do [ "$(get "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  echo "record: $1 never reached $2=$3 (is $(get "$1" "$2"))" >&2; return 1
}
record() {  # record CASE UNIT
  local path
  systemctl --user show -p "$props" "$2" > "$out/$1.show.txt"
  # LoadUnit, not GetUnit: it also answers for units that are not loaded.
  path=$(busctl --user call "${sd[@]}" LoadUnit s "$2" | sed -E 's/^o "(.*)"$/\1/')
  for i in unit:Unit service:Service; do
    busctl --user --json=short call org.freedesktop.systemd1 "$path" \
      org.freedesktop.DBus.Properties GetAll s "org.freedesktop.systemd1.${i#*:}" > "$out/$1.${i%%:*}.json"
  done
  printf "%-20s %s\n" "$1" "$(systemctl --user show -p LoadState,ActiveState,SubState,Result,NRestarts "$2" | paste -sd" ")"
}
capture() {  # capture FILE CMD...: the command line, its stdout+stderr and exit code
  local rc=0 text
  text=$("${@:2}" 2>&1) || rc=$?
  printf '$ %s\n%s\nexit code: %s\n' "${*:2}" "$text" "$rc" > "$out/$1"
}

unit pm-running.service '[Service]' 'ExecStart=/bin/sleep infinity'
# For the restart timing: the default start limit (5 in 10 s) would refuse it.
unit pm-restart.service '[Unit]' 'StartLimitIntervalSec=0' '[Service]' 'ExecStart=/bin/sleep infinity'
unit pm-killed.service '[Service]' 'Restart=no' 'ExecStart=/bin/sleep infinity'
unit pm-exited-failure.service '[Service]' "ExecStart=/bin/sh -c 'exit 3'"
unit pm-auto-restart.service '[Service]' 'Restart=always' 'RestartSec=30' "ExecStart=/bin/sh -c 'exit 1'"
# Start limit: 2 starts in 30 s. A healthy unit restarted in a loop (what a
# monitor restarting too eagerly does) gets Result=start-limit-hit; a failing
# one keeps the Result of its last run (see start-limit-failing).
unit pm-start-limit.service '[Unit]' 'StartLimitBurst=2' 'StartLimitIntervalSec=30' \
  '[Service]' 'ExecStart=/bin/sleep infinity'
unit pm-start-limit-failing.service '[Unit]' 'StartLimitBurst=2' 'StartLimitIntervalSec=30' \
  '[Service]' 'ExecStart=/bin/false'
unit pm-start-limit-auto.service '[Unit]' 'StartLimitBurst=2' 'StartLimitIntervalSec=30' \
  '[Service]' 'Restart=always' 'RestartSec=100ms' 'ExecStart=/bin/false'
unit pm-inactive.service '[Service]' 'ExecStart=/bin/sleep infinity'
unit pm-masked.service '[Service]' 'ExecStart=/bin/sleep infinity'
unit pm-activating.service '[Service]' 'ExecStartPre=/bin/sleep 30' 'ExecStart=/bin/sleep infinity'
unit pm-activating-notify.service '[Service]' 'Type=notify' 'ExecStart=/bin/sleep infinity'
for i in $(seq -w 1 50); do unit "pm-bulk-$i.service" '[Service]' 'ExecStart=/bin/sleep infinity'; done
systemctl --user daemon-reload

systemctl --user start pm-running.service pm-killed.service pm-exited-failure.service \
  pm-auto-restart.service pm-inactive.service
systemctl --user start --no-block pm-activating.service pm-activating-notify.service
systemctl --user start pm-bulk-{01..50}.service

record running pm-running.service

kill -9 "$(get pm-killed.service MainPID)"
wait_for pm-killed.service ActiveState failed
record killed pm-killed.service

wait_for pm-exited-failure.service ActiveState failed
record exited-failure pm-exited-failure.service

wait_for pm-auto-restart.service SubState auto-restart
record auto-restart pm-auto-restart.service

for i in 1 2 3; do capture "start-limit.restart$i.txt" systemctl --user restart pm-start-limit.service; done
record start-limit-hit pm-start-limit.service
for i in 1 2 3; do
  capture "start-limit-failing.restart$i.txt" systemctl --user restart pm-start-limit-failing.service
  sleep 0.2
done
record start-limit-failing pm-start-limit-failing.service
systemctl --user start pm-start-limit-auto.service
wait_for pm-start-limit-auto.service ActiveState failed
record start-limit-auto pm-start-limit-auto.service
# The D-Bus view of a refused restart: the call returns a job, and the
# Manager's JobRemoved signal for that job says "failed".
timeout 5 busctl --user --json=short monitor --match \
  "type='signal',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'" \
  > "$st/monitor.txt" 2> "$st/monitor.err" &
mon=$!
# busctl says "Monitoring bus message stream." once it is subscribed.
for _ in $(seq 1 50); do grep -qs Monitoring "$st/monitor.err" && break; sleep 0.1; done
capture start-limit.restart-dbus.txt busctl --user call "${sd[@]}" RestartUnit ss pm-start-limit.service replace
for _ in $(seq 1 30); do grep -qsF '"pm-start-limit.service"' "$st/monitor.txt" && break; sleep 0.1; done
kill "$mon" 2>/dev/null || true
wait "$mon" 2>/dev/null || true
grep -F '"pm-start-limit.service"' "$st/monitor.txt" > "$out/start-limit.restart-dbus.jobremoved.json" ||
  { echo "record: no JobRemoved signal seen for pm-start-limit.service" >&2; exit 1; }

systemctl --user stop pm-inactive.service
record inactive pm-inactive.service

record not-found pm-nope.service

# mask --runtime links $XDG_RUNTIME_DIR/systemd/user/NAME to /dev/null, where
# the unit file itself is: refused. A plain mask links ~/.config/systemd/user/NAME
# (before the runtime dir in the search path) and reloads the manager.
capture masked.mask-runtime.txt systemctl --user mask --runtime pm-masked.service
capture masked.mask.txt systemctl --user mask pm-masked.service
record masked pm-masked.service

wait_for pm-activating.service SubState start-pre
record activating pm-activating.service
wait_for pm-activating-notify.service SubState start
record activating-notify pm-activating-notify.service

# D-Bus errors. busctl prints only the message; dbus-send prints the error name.
capture restart-masked.busctl.txt busctl --user call "${sd[@]}" RestartUnit ss pm-masked.service replace
capture restart-masked.dbus-send.txt dbus-send --session --print-reply --dest=org.freedesktop.systemd1 \
  /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.RestartUnit string:pm-masked.service string:replace
capture restart-masked.systemctl.txt systemctl --user restart pm-masked.service
capture getunit-unknown.busctl.txt busctl --user call "${sd[@]}" GetUnit s nope.service
capture getunit-unknown.dbus-send.txt dbus-send --session --print-reply --dest=org.freedesktop.systemd1 \
  /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.GetUnit string:nope.service
capture loadunit-unknown.busctl.txt busctl --user call "${sd[@]}" LoadUnit s nope.service
capture is-system-running.txt systemctl --user is-system-running

# Timings: mean of N runs, in ms.
bench() {  # bench N CMD...
  local s e; s=$(now)
  for _ in $(seq 1 "$1"); do "${@:2}" >/dev/null; done
  e=$(now); ms "$s" "$e" "$1"
}
t_show1=$(bench 20 systemctl --user show -p "$props" pm-running.service)
t_show50=$(bench 20 systemctl --user show -p "$props" pm-bulk-{01..50}.service)
t_getall=$(bench 20 busctl --user call org.freedesktop.systemd1 \
  "$(busctl --user call "${sd[@]}" GetUnit s pm-running.service | sed -E 's/^o "(.*)"$/\1/')" \
  org.freedesktop.DBus.Properties GetAll s org.freedesktop.systemd1.Service)
t_restart=$(bench 10 systemctl --user restart pm-restart.service)
startup_manager=$(sed -n 's/.*Startup finished in \(.*\)\.$/\1/p' "$st/manager.log" | tail -n1)
version=$(systemctl --version | head -n1)
"$eng/stop.sh" "$st" >/dev/null

cat > "$out/README.md" <<EOF
# Recorded systemd answers

Made by \`record.sh\` (this folder) on $(date -u +%F) with **$version**,
a real user manager started by \`tests/engines/systemd/start.sh\` (private mount
namespace, own cgroup, XDG_RUNTIME_DIR=$st/xdg). Test units live in
\$XDG_RUNTIME_DIR/systemd/user/; names, PIDs, timestamps and invocation IDs
are those of that run. Re-run \`record.sh\` (as root) to record again.

## Files
- \`<case>.show.txt\`: \`systemctl --user show -p $props UNIT\` (printed in systemd's own property order, not the -p order).
- \`<case>.unit.json\`, \`<case>.service.json\`: \`busctl --user --json=short call org.freedesktop.systemd1 PATH org.freedesktop.DBus.Properties GetAll s org.freedesktop.systemd1.Unit\` (resp. \`.Service\`), PATH from \`Manager.LoadUnit\`.
- \`running.*\`: pm-running.service, \`ExecStart=/bin/sleep infinity\`, started.
- \`killed.*\`: pm-killed.service, \`Restart=no\`, its MainPID killed with SIGKILL.
- \`exited-failure.*\`: pm-exited-failure.service, \`ExecStart=/bin/sh -c 'exit 3'\`.
- \`auto-restart.*\`: pm-auto-restart.service, \`Restart=always RestartSec=30\`, exits 1; caught waiting to restart.
- \`start-limit-hit.*\`: pm-start-limit.service (\`StartLimitBurst=2 StartLimitIntervalSec=30\`, sleep infinity) after 3 \`systemctl --user restart\` in a row; \`start-limit.restart{1,2,3}.txt\` are their outputs.
- \`start-limit-failing.*\`: same limits, \`ExecStart=/bin/false\`, 3 restarts 0.2 s apart; \`start-limit-failing.restart{1,2,3}.txt\`. The third restart is refused by the start limit, yet Result stays \`exit-code\`.
- \`start-limit-auto.*\`: same limits, \`Restart=always RestartSec=100ms ExecStart=/bin/false\`, left to restart until it gives up.
- \`start-limit.restart-dbus.txt\`: \`Manager.RestartUnit\` on pm-start-limit.service after the limit: the call succeeds and returns a job path; \`start-limit.restart-dbus.jobremoved.json\` is the Manager's JobRemoved signal for that job (\`busctl --json=short monitor\`): result "failed".
- \`inactive.*\`: pm-inactive.service started then \`systemctl --user stop\`.
- \`not-found.*\`: pm-nope.service, no unit file (LoadUnit returns a path anyway).
- \`masked.*\`: pm-masked.service after \`systemctl --user mask\`, run with HOME set to the manager's HOME (systemctl masks client-side here, see the engine notes); \`masked.mask-runtime.txt\`: \`mask --runtime\` is refused because the unit file itself is in the runtime dir; \`masked.mask.txt\`: the plain mask.
- \`activating.*\`: pm-activating.service, \`ExecStartPre=/bin/sleep 30\`, started with \`--no-block\`.
- \`activating-notify.*\`: pm-activating-notify.service, \`Type=notify\` that never notifies, \`--no-block\`.
- \`restart-masked.{busctl,dbus-send,systemctl}.txt\`: RestartUnit of the masked unit (error name in the dbus-send one).
- \`getunit-unknown.{busctl,dbus-send}.txt\`: \`Manager.GetUnit s nope.service\`.
- \`loadunit-unknown.busctl.txt\`: \`Manager.LoadUnit s nope.service\` (a path; LoadState=not-found, see not-found.*).
- \`is-system-running.txt\`: \`systemctl --user is-system-running\` from outside the manager's namespace prints "offline" (systemctl checks /run/systemd/system of its own namespace).
- \`listing-units.json\`, \`listing-unit-files.json\`: made by \`record-listing.sh\` (its header lists the units): \`Manager.ListUnitsByPatterns\` and \`ListUnitFilesByPatterns\`, the two calls of discovery.

## Talking to the engine's manager
\`tests/engines/systemd/start.sh DIR\` writes DIR/env (XDG_RUNTIME_DIR=..., DBUS_SESSION_BUS_ADDRESS=...).
- \`systemctl --user\` / \`busctl --user\`: export XDG_RUNTIME_DIR (systemctl uses \$XDG_RUNTIME_DIR/systemd/private, busctl the bus).
- sd-bus: \`sd_bus_open_user()\` with DBUS_SESSION_BUS_ADDRESS or XDG_RUNTIME_DIR set (bus at \$XDG_RUNTIME_DIR/bus, served by dbus-daemon from dbus-user-session); or \`sd_bus_new\` + \`sd_bus_set_address(b, "unix:path=\$XDG_RUNTIME_DIR/bus")\` + \`sd_bus_set_bus_client(b, 1)\` + \`sd_bus_start\`; or, without any broker, \`sd_bus_set_address(b, "unix:path=\$XDG_RUNTIME_DIR/systemd/private")\` with bus_client left 0 (peer-to-peer, what systemctl does). Not \`sd_bus_open_user_machine\` (that goes through systemd-machined on the system bus). sd-bus returns -ENOENT for org.freedesktop.systemd1.NoSuchUnit.
- From outside the manager's mount namespace systemctl believes the machine is offline: \`is-system-running\` prints "offline", and enable/disable/mask are done client-side in \$HOME/.config/systemd/user: run them with HOME=DIR/home (the manager's HOME) or call Manager.MaskUnitFiles over D-Bus.

## Timings (this machine, 2 cores; mean of 20 runs, restart of 10)
| what | ms |
| --- | --- |
| start.sh until systemctl and the user bus answer | $startup_total |
| manager's own "Startup finished in" | $startup_manager |
| \`systemctl --user show -p ...\` of 1 unit | $t_show1 |
| \`systemctl --user show -p ...\` of 50 units in one call | $t_show50 |
| \`busctl --user call ... GetAll s org.freedesktop.systemd1.Service\`, 1 unit | $t_getall |
| \`systemctl --user restart\` of a running simple unit | $t_restart |
EOF
rm -f "$dest"/*.txt "$dest"/*.json "$dest/README.md"
mv "$out"/* "$dest"/
echo "record: done; $version; timings in $dest/README.md"
