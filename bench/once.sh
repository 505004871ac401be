#!/usr/bin/env bash
# Benchmark 1 ("once"): a healthy `process-monitor --once -q`, one service per
# backend, beside the bare cost of that engine's own query in the same run:
#   pm2      one `pm2 jlist`
#   docker   one Engine API list (curl --unix-socket .../containers/json?all=1)
#   systemd  one batched property query (systemctl --user show -p ... UNIT)
#   none     no engine, one health URL on the loopback latency server (0 ms):
#            process-monitor beside one `curl -sf URL`
#   start    `process-monitor --version`: starting the binary alone (loading
#            its shared libraries), the floor under every run
# Wall time, CPU time (the command and the children it waited for: for PM2 that
# includes the pm2 CLI) and peak RSS (the largest of those processes) by
# bench-measure. Overhead = process-monitor's wall time - the bare query's.
# Writes $RESULTS/once.csv. ONCE_BACKENDS selects (default: start none pm2 docker systemd).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/engines.sh
. "$BENCH_SRC/lib/engines.sh"
need_build

backends=${ONCE_BACKENDS:-start none pm2 docker systemd}
health_port=39510
runs=${ONCE_RUNS:-$([ "$QUICK" = 1 ] && echo 5 || echo 20)}
dir=$BENCH_TMP/once
mkdir -p "$dir"
csv=$RESULTS/once.csv
echo "backend,command,runs,wall_ms,cpu_ms,maxrss_kb,exit,overhead_ms,ratio" >"$csv"
trap 'stop_pm2; stop_docker; stop_systemd; stop_latency_server $health_port' EXIT
# For systemctl --user and process-monitor alike, exported rather than put in
# front of each command with env(1), whose own exec would be measured too.
export XDG_RUNTIME_DIR=$SYSTEMD_XDG

# bench BACKEND: measures the bare query, then process-monitor, and adds both rows.
bench() {
  local backend=$1 cfg=$dir/$1/config.toml bare_wall=0 wall user sys cpu rss code
  local -a bare=()
  local label=""
  case $backend in
    pm2) bare=(env PM2_HOME="$PM2_HOME_DIR" "$PM2_BIN" jlist) label="pm2 jlist" ;;
    docker) bare=(curl -sf --unix-socket "$DOCKER_SOCK" "http://localhost/v1.41/containers/json?all=1")
            label="curl Engine API list" ;;
    systemd) bare=(systemctl --user show
                   -p Id,LoadState,ActiveState,SubState,Result,NRestarts,MainPID pm-bench-web.service)
             label="systemctl --user show -p (7 properties)" ;;
    none) bare=(curl -sf "http://127.0.0.1:$health_port/health") label="curl health URL" ;;
  esac
  if [ ${#bare[@]} -gt 0 ]; then
    say "once: $backend: bare query ($runs runs)"
    read -r bare_wall user sys cpu rss code < <(measure "$runs" 2 /dev/null -- "${bare[@]}")
    echo "$backend,$label,$runs,$bare_wall,$cpu,$rss,$code,," >>"$csv"
  fi
  if [ "$backend" = start ]; then
    say "once: start-up alone: process-monitor --version ($runs runs)"
    read -r wall user sys cpu rss code < <(measure "$runs" 2 /dev/null -- "$PM" --version)
    echo "start,process-monitor --version,$runs,$wall,$cpu,$rss,$code,," >>"$csv"
    return
  fi
  if [ "$backend" = none ]; then
    mkdir -p "$dir/none"
    printf '[monitor]\nstate_dir = "%s/state"\n\n[[service]]\nname = "pm-bench-web"\nbackend = "none"\n' \
      "$dir/none" >"$cfg"
    printf '  [service.health]\n  url = "http://127.0.0.1:%d/health"\n' "$health_port" >>"$cfg"
  else
    engine_config "$backend" "$cfg"
  fi
  say "once: $backend: process-monitor --once ($runs runs)"
  read -r wall user sys cpu rss code < <(measure "$runs" 2 /dev/null -- "$PM" --once -q -c "$cfg")
  local overhead ratio
  overhead=$(awk -v a="$wall" -v b="$bare_wall" 'BEGIN { printf "%.2f", a - b }')
  ratio=$(awk -v a="$wall" -v b="$bare_wall" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
  echo "$backend,process-monitor --once -q,$runs,$wall,$cpu,$rss,$code,$overhead,$ratio" >>"$csv"
}

for backend in $backends; do
  case $backend in
    start) ;;
    none) start_latency_server "$health_port" 0 ;;
    *) start_engine "$backend" ;;
  esac
  bench "$backend"
  [ "$backend" = start ] || stop_engine "$backend"
done
say "once: wrote $csv"
column -s, -t <"$csv" >&2
