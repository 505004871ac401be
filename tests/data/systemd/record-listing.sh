#!/usr/bin/env bash
# Records what a real systemd user manager answers to the two listing calls
# of `process-monitor discover` (SystemdBus::list_service_units):
#   listing-units.json       Manager.ListUnitsByPatterns([], ["*.service"])
#   listing-unit-files.json  Manager.ListUnitFilesByPatterns(["enabled", "enabled-runtime"], ["*.service"])
# (busctl --user --json=short), with units in every state discovery sorts:
# enabled and running, enabled at runtime, enabled but never started, an
# enabled oneshot (active, exited), failed but not enabled, static and
# running (not discovered), an enabled template with a running instance, and
# an enabled unit whose name holds a backslash escape (systemd-escape "pm-esc-name").
# Needs root and tests/engines/systemd/install.sh. Re-running overwrites both files.
set -euo pipefail
dest=$(cd "$(dirname "$0")" && pwd)
eng=$(cd "$dest/../../engines/systemd" && pwd)
st=/tmp/pm-sd-listing
trap '"$eng/stop.sh" "$st" >/dev/null 2>&1 || true; rm -rf "$st"' EXIT
"$eng/start.sh" "$st"
set -a
# shellcheck disable=SC1091 # written by start.sh
. "$st/env"
set +a
# systemctl enables client-side here (see README.md): the manager's own HOME.
export HOME=$st/home
units=$XDG_RUNTIME_DIR/systemd/user
sd=(org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager)
unit() {  # unit NAME BODY...: writes $units/NAME from the remaining lines
  local name=$1; shift
  printf '%s\n' "$@" > "$units/$name"
}
install=('[Install]' 'WantedBy=default.target')
escaped='pm-esc\x2dname.service'  # systemd-escape: the unit "pm-esc-name" with its '-' escaped

unit pm-enabled.service '[Service]' 'ExecStart=/bin/sleep infinity' "${install[@]}"
unit pm-enabled-runtime.service '[Service]' 'ExecStart=/bin/sleep infinity' "${install[@]}"
unit pm-enabled-stopped.service '[Service]' 'ExecStart=/bin/sleep infinity' "${install[@]}"
unit pm-enabled-oneshot.service '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' 'ExecStart=/bin/true' \
  "${install[@]}"
unit pm-failed.service '[Service]' "ExecStart=/bin/sh -c 'exit 3'"
unit pm-static.service '[Service]' 'ExecStart=/bin/sleep infinity'
unit 'pm-tpl@.service' '[Service]' 'ExecStart=/bin/sleep infinity' "${install[@]}"
unit "$escaped" '[Service]' 'ExecStart=/bin/sleep infinity' "${install[@]}"
systemctl --user daemon-reload
systemctl --user enable pm-enabled.service pm-enabled-stopped.service pm-enabled-oneshot.service \
  'pm-tpl@a.service' "$escaped"
systemctl --user enable --runtime pm-enabled-runtime.service
systemctl --user daemon-reload
systemctl --user start pm-enabled.service pm-enabled-runtime.service pm-enabled-oneshot.service \
  pm-static.service 'pm-tpl@a.service' "$escaped"
systemctl --user start pm-failed.service || true
for _ in $(seq 1 150); do
  [ "$(systemctl --user show -P ActiveState pm-failed.service)" = failed ] && break
  sleep 0.1
done

busctl --user --json=short call "${sd[@]}" ListUnitsByPatterns asas 0 1 '*.service' > "$dest/listing-units.json"
busctl --user --json=short call "${sd[@]}" ListUnitFilesByPatterns asas 2 enabled enabled-runtime 1 '*.service' \
  > "$dest/listing-unit-files.json"
systemctl --user list-units --all --no-legend --no-pager '*.service'
systemctl --user list-unit-files --no-legend --no-pager --state=enabled,enabled-runtime '*.service'
echo "recorded into $dest"
