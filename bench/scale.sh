#!/usr/bin/env bash
# Benchmark 6 ("scale"): benchmark 1 with many services on one engine, no
# health URL: a healthy `process-monitor --once -q` over N services beside the
# engine's own query of all of them, in the same run.
#   systemd  N units running `sleep infinity` in the private user manager;
#            bare: one `systemctl --user show -p ...` of all N units, and
#            the ListUnitsByNames call process-monitor makes, by `busctl`
#   pm2      N apps running `sleep infinity` (interpreter none: no Node per
#            app), started from one ecosystem file; bare: one `pm2 jlist`
# Wall time, CPU time and peak RSS as in benchmark 1. Docker is left out:
# a thousand containers need a thousand containerd shims (about 10 GB here).
# Writes $RESULTS/scale.csv. SCALE_N (default 1000; --quick 100), SCALE_BACKENDS
# (default: systemd pm2).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/engines.sh
. "$BENCH_SRC/lib/engines.sh"
need_build

n=${SCALE_N:-$([ "$QUICK" = 1 ] && echo 100 || echo 1000)}
backends=${SCALE_BACKENDS:-systemd pm2}
runs=${SCALE_RUNS:-$([ "$QUICK" = 1 ] && echo 3 || echo 10)}
dir=$BENCH_TMP/scale
mkdir -p "$dir"
csv=$RESULTS/scale.csv
echo "backend,services,command,runs,wall_ms,cpu_ms,maxrss_kb,exit" >"$csv"
trap 'stop_pm2; stop_systemd' EXIT
export XDG_RUNTIME_DIR=$SYSTEMD_XDG

names() { for i in $(seq 1 "$n"); do printf 'pm-bench-scale-%d\n' "$i"; done; }

# scale_config BACKEND FILE: N services of BACKEND, no health URL.
scale_config() {
  {
    printf '[monitor]\ndeadline = "120s"\nstate_dir = "%s/state-%s"\n' "$dir" "$1"
    case $1 in
      pm2) printf '\n[pm2]\nbinary = "%s"\nhome = "%s"\n' "$PM2_BIN" "$PM2_HOME_DIR" ;;
      systemd) printf '\n[systemd]\nscope = "user"\n' ;;
    esac
    names | while read -r name; do
      printf '\n[[service]]\nname = "%s"\nbackend = "%s"\n' "$name" "$1"
      case $1 in
        pm2) printf 'target = "%s"\n' "$name" ;;
        systemd) printf 'unit = "%s.service"\n' "$name" ;;
      esac
    done
  } >"$2"
}

start_systemd_units() {
  start_systemd
  names | while read -r name; do
    printf '[Service]\nExecStart=/bin/sleep infinity\n' >"$SYSTEMD_XDG/systemd/user/$name.service"
  done
  user_systemctl daemon-reload
  mapfile -t units < <(names | sed 's/$/.service/')
  XDG_RUNTIME_DIR=$SYSTEMD_XDG timeout 300 systemctl --user start "${units[@]}"
  local active
  active=$(XDG_RUNTIME_DIR=$SYSTEMD_XDG systemctl --user list-units --state=active 'pm-bench-scale-*' --no-legend | wc -l)
  [ "$active" -eq "$n" ] || die "scale: $active of $n systemd units active"
}

start_pm2_apps() {
  start_pm2
  {
    echo 'module.exports = { apps: ['
    names | while read -r name; do
      printf '  { name: "%s", script: "/bin/sleep", args: "infinity", interpreter: "none", autorestart: true },\n' "$name"
    done
    echo '] };'
  } >"$dir/ecosystem.config.js"
  PM2_HOME=$PM2_HOME_DIR timeout 600 "$PM2_BIN" start "$dir/ecosystem.config.js" >/dev/null
  local online
  online=$(PM2_HOME=$PM2_HOME_DIR "$PM2_BIN" jlist | jq '[.[] | select(.name | startswith("pm-bench-scale-")) | select(.pm2_env.status == "online")] | length')
  [ "$online" -eq "$n" ] || die "scale: $online of $n PM2 apps online"
}

for backend in $backends; do
  cfg=$dir/$backend.toml
  scale_config "$backend" "$cfg"
  say "scale: $backend: starting $n services"
  case $backend in
    systemd)
      start_systemd_units
      mapfile -t units < <(names | sed 's/$/.service/')
      bare=(systemctl --user show -p Id,LoadState,ActiveState,SubState,Result,NRestarts,MainPID "${units[@]}")
      label="systemctl --user show -p (7 properties) of all units"
      # The very call process-monitor makes, by systemd's own D-Bus tool
      # (through the user bus: busctl cannot use the manager's private socket).
      call=(busctl --user call org.freedesktop.systemd1
            /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager ListUnitsByNames as "$n" "${units[@]}")
      say "scale: $backend: busctl ListUnitsByNames ($runs runs)"
      read -r wall user sys cpu rss code < <(measure "$runs" 1 /dev/null -- "${call[@]}")
      echo "$backend,$n,busctl call ListUnitsByNames of all units,$runs,$wall,$cpu,$rss,$code" >>"$csv" ;;
    pm2)
      start_pm2_apps
      bare=(env PM2_HOME="$PM2_HOME_DIR" "$PM2_BIN" jlist)
      label="pm2 jlist" ;;
    *) die "scale: unknown backend $backend" ;;
  esac
  say "scale: $backend: bare query ($runs runs)"
  read -r wall user sys cpu rss code < <(measure "$runs" 1 /dev/null -- "${bare[@]}")
  echo "$backend,$n,$label,$runs,$wall,$cpu,$rss,$code" >>"$csv"
  say "scale: $backend: process-monitor --once ($runs runs)"
  read -r wall user sys cpu rss code < <(measure "$runs" 1 /dev/null -- "$PM" --once -q -c "$cfg")
  echo "$backend,$n,process-monitor --once -q,$runs,$wall,$cpu,$rss,$code" >>"$csv"
  stop_engine "$backend"
done
say "scale: wrote $csv"
column -s, -t <"$csv" >&2
