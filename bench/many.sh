#!/usr/bin/env bash
# Benchmark 2 ("many"): N health URLs on loopback, HTTP probes only.
# For N in $MANY_SIZES (default 10 100 1000) and latency in $MANY_DELAYS (ms,
# default 0 100), the same N checks are run by
#   process-monitor --once --json   (N services with backend = "none")
#   monit -c RC -I validate         (N "check host" with "protocol http request")
#   a sequential curl loop          (what process-monitor.sh did: one curl after another)
# and each one's wall time, CPU time and peak RSS are measured (bench-measure:
# wait4). For process-monitor also the cycle time from its report
# (elapsed_ms) and the slowest single probe (max latency_ms), and their ratio.
# Writes $RESULTS/many.csv.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
need_build
command -v monit >/dev/null || die "monit not installed: apt-get install monit (Debian 12: 5.33)"

sizes=${MANY_SIZES:-10 100 1000}
delays=${MANY_DELAYS:-0 100}
pm_runs=${MANY_PM_RUNS:-$([ "$QUICK" = 1 ] && echo 3 || echo 10)}
dir=$BENCH_TMP/many
mkdir -p "$dir"
csv=$RESULTS/many.csv
echo "tool,services,delay_ms,runs,wall_ms,cpu_ms,maxrss_kb,cycle_ms,slowest_probe_ms,cycle_per_slowest,exit" >"$csv"

# port_for DELAY: one server per latency, both in the bench range.
port_for() { echo $((39500 + $1 % 400)); }

write_pm_config() {  # FILE N PORT
  {
    printf '[monitor]\ndeadline = "300s"\nstate_dir = "%s"\n' "$(dirname "$1")/state"
    for i in $(seq 1 "$2"); do
      printf '\n[[service]]\nname = "pm-bench-%d"\nbackend = "none"\n  [service.health]\n' "$i"
      printf '  url = "http://127.0.0.1:%d/health/%d"\n  timeout = "10s"\n' "$3" "$i"
    done
  } >"$1"
}

write_monitrc() {  # FILE N PORT
  local base
  base=$(dirname "$1")
  {
    printf 'set daemon 3600\n'  # required by monit, unused by validate
    printf 'set idfile %s/monit.id\nset statefile %s/monit.state\nset pidfile %s/monit.pid\n' "$base" "$base" "$base"
    printf 'set logfile %s/monit.log\n' "$base"
    for i in $(seq 1 "$2"); do
      printf 'check host pm-bench-%d with address 127.0.0.1\n' "$i"
      printf '  if failed port %d protocol http request "/health/%d" with timeout 10 seconds then alert\n' "$3" "$i"
    done
  } >"$1"
  chmod 600 "$1"
}

write_curl_loop() {  # FILE N PORT: the old script's way, one request after another
  {
    printf '#!/bin/bash\n# %d checks, one curl each, one after another\nfailed=0\n' "$2"
    printf 'for i in $(seq 1 %d); do\n' "$2"
    printf '  curl -sf -m 10 -o /dev/null "http://127.0.0.1:%d/health/$i" || failed=$((failed + 1))\n' "$3"
    printf 'done\n[ $failed -eq 0 ]\n'
  } >"$1"
  chmod +x "$1"
}

row() { echo "$*" | tr ' ' ',' >>"$csv"; }

for delay in $delays; do
  port=$(port_for "$delay")
  start_latency_server "$port" "$delay"
  for n in $sizes; do
    case_dir=$dir/n$n-d$delay
    fresh_dir "$case_dir"
    write_pm_config "$case_dir/config.toml" "$n" "$port"
    write_monitrc "$case_dir/monitrc" "$n" "$port"
    write_curl_loop "$case_dir/curl-loop.sh" "$n" "$port"

    say "many: $n services, ${delay} ms: process-monitor ($pm_runs runs)"
    read -r wall user sys cpu rss code < <(measure "$pm_runs" 1 "$case_dir/report.json" -- \
      "$PM" --once --json -c "$case_dir/config.toml")
    cycle=$(jq '.elapsed_ms' "$case_dir/report.json")
    slowest=$(jq '[.services[].probe.latency_ms] | max' "$case_dir/report.json")
    healthy=$(jq '[.services[] | select(.health == "healthy")] | length' "$case_dir/report.json")
    [ "$healthy" = "$n" ] || say "many: only $healthy of $n healthy in the last run (exit $code)"
    ratio=$(awk -v c="$cycle" -v s="$slowest" 'BEGIN { printf "%.2f", (s > 0 ? c / s : 0) }')
    row process-monitor "$n" "$delay" "$pm_runs" "$wall" "$cpu" "$rss" "$cycle" "$slowest" "$ratio" "$code"

    # The sequential tools need about N x delay; a single run when that is long.
    seq_runs=$([ $((n * delay)) -ge 10000 ] || [ "$QUICK" = 1 ] && echo 1 || echo 3)
    if [ "${MANY_SKIP_SEQUENTIAL:-0}" != 1 ]; then
      say "many: $n services, ${delay} ms: monit validate ($seq_runs runs)"
      read -r wall user sys cpu rss code < <(measure "$seq_runs" 0 /dev/null -- \
        monit -c "$case_dir/monitrc" -I validate)
      # monit 5.33's validate exits 1 even when every check passed, so its
      # exit code says nothing: its log names each failed test instead.
      if grep -q "failed" "$case_dir/monit.log" 2>/dev/null; then
        die "monit: checks failed in $case_dir/monit.log: $(grep -m1 failed "$case_dir/monit.log")"
      fi
      row monit "$n" "$delay" "$seq_runs" "$wall" "$cpu" "$rss" "" "" "" "$code"
      say "many: $n services, ${delay} ms: curl loop ($seq_runs runs)"
      read -r wall user sys cpu rss code < <(measure "$seq_runs" 0 /dev/null -- "$case_dir/curl-loop.sh")
      row curl-loop "$n" "$delay" "$seq_runs" "$wall" "$cpu" "$rss" "" "" "" "$code"
    fi
  done
  stop_latency_server "$port"
done
say "many: wrote $csv"
column -s, -t <"$csv" >&2
