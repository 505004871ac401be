#!/usr/bin/env bash
# Benchmark 3 ("restart"): detection to verified restart, per backend, of one
# unhealthy service. Each run breaks the service, then times one
# `process-monitor --once --json` that sees it, restarts it and verifies it
# (verify_interval 100ms, fresh state so no backoff applies):
#   pm2      the app answers 503 (/control?mode=503; a restart clears it)
#   docker   the container is killed (docker kill: exited)
#   systemd  the unit's main process is killed (SIGKILL, Restart=no: failed)
# Reports the wall time, and from the report the cycle time (elapsed_ms) and
# settled_ms (restart call to verified). Writes $RESULTS/restart.csv.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/engines.sh
. "$BENCH_SRC/lib/engines.sh"
need_build

backends=${RESTART_BACKENDS:-pm2 docker systemd}
runs=${RESTART_RUNS:-$([ "$QUICK" = 1 ] && echo 2 || echo 5)}
dir=$BENCH_TMP/restart
csv=$RESULTS/restart.csv
echo "backend,run,wall_ms,cpu_ms,maxrss_kb,exit,cycle_ms,settled_ms,action,final_health" >"$csv"
trap 'stop_pm2; stop_docker; stop_systemd' EXIT

break_service() {
  case $1 in
    pm2) curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PM2_PORT/control?mode=503" ;;
    docker) dk kill pm-bench-web >/dev/null ;;
    systemd) user_systemctl kill -s KILL pm-bench-web.service
             until [ "$(user_systemctl show -p ActiveState --value pm-bench-web.service)" = failed ]; do sleep 0.05; done ;;
  esac
}

for backend in $backends; do
  [ "$backend" != none ] || die "restart: backend none has nothing to restart"
  start_engine "$backend"
  cfg=$dir/$backend/config.toml
  engine_config "$backend" "$cfg" 1
  for run in $(seq 1 "$runs"); do
    rm -rf "$dir/$backend/state"
    [ "$backend" != docker ] || wait_docker_healthy pm-bench-web
    break_service "$backend"
    say "restart: $backend run $run"
    read -r wall user sys cpu rss code < <(measure 1 0 "$dir/$backend/report.json" -- \
      env XDG_RUNTIME_DIR="$SYSTEMD_XDG" "$PM" --once --json -c "$cfg")
    report=$dir/$backend/report.json
    echo "$backend,$run,$wall,$cpu,$rss,$code,$(jq -r '[.elapsed_ms, .services[0].settled_ms,
      .services[0].action, .services[0].final_health] | map(tostring) | join(",")' "$report")" >>"$csv"
  done
  stop_engine "$backend"
done
say "restart: wrote $csv"
column -s, -t <"$csv" >&2
