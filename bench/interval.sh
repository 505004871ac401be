#!/usr/bin/env bash
# Benchmark 4 ("interval"): `process-monitor --interval 10ms` for 10,000
# cycles (INTERVAL_CYCLES) over 10 services (backend none, health URLs on the
# 0 ms latency server). The loop runs until the server has answered
# cycles x services probes, then gets SIGTERM. Every 500 cycles its RSS
# (VmRSS) and CPU time (utime + stime from /proc/PID/stat) are sampled,
# from cycle 100 on (after the first probes have set up curl and OpenSSL).
# Writes $RESULTS/interval.csv (the samples) and interval-summary.csv: RSS at
# the first sample and at the end, CPU per cycle.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
need_build

cycles=${INTERVAL_CYCLES:-$([ "$QUICK" = 1 ] && echo 1000 || echo 10000)}
services=10
port=39690
dir=$BENCH_TMP/interval
fresh_dir "$dir"
csv=$RESULTS/interval.csv
{
  printf '[monitor]\ndeadline = "120s"\nstate_dir = "%s/state"\n' "$dir"
  for i in $(seq 1 $services); do
    printf '\n[[service]]\nname = "pm-bench-%d"\nbackend = "none"\n  [service.health]\n' "$i"
    printf '  url = "http://127.0.0.1:%d/health/%d"\n' "$port" "$i"
  done
} >"$dir/config.toml"

start_latency_server "$port" 0
trap 'kill "$pid" 2>/dev/null || true; stop_latency_server $port' EXIT
"$PM" --interval 10ms -q -c "$dir/config.toml" 2>"$dir/stderr.log" &
pid=$!
ticks=$(getconf CLK_TCK)
sample() {  # prints: cycles rss_kb cpu_ms
  local served rss cpu
  served=$(served_count "$port")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  cpu=$(awk -v t="$ticks" '{ printf "%.0f", ($14 + $15) * 1000 / t }' "/proc/$pid/stat")
  echo $((served / services)) "$rss" "$cpu"
}
echo "cycles,rss_kb,cpu_ms" >"$csv"
next=100  # the first sample after warm-up (curl and OpenSSL set up on the first probe)
while :; do
  kill -0 "$pid" 2>/dev/null || die "interval: process-monitor exited early (see $dir/stderr.log)"
  read -r done rss cpu < <(sample)
  if [ "$done" -ge "$next" ] || [ "$done" -ge "$cycles" ]; then
    echo "$done,$rss,$cpu" >>"$csv"
    say "interval: $done cycles, RSS $rss kB, CPU $cpu ms"
    next=$((next + 500))
  fi
  [ "$done" -lt "$cycles" ] || break
  sleep 0.2
done
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true
first=$(sed -n 2p "$csv")
last=$(tail -n 1 "$csv")
IFS=, read -r c0 r0 t0 <<<"$first"
IFS=, read -r c1 r1 t1 <<<"$last"
{
  echo "cycles,rss_first_kb,rss_last_kb,rss_growth_kb,peak_rss_kb,cpu_ms_per_cycle,at_cycle_first,at_cycle_last"
  awk -v c0="$c0" -v c1="$c1" -v r0="$r0" -v r1="$r1" -v t0="$t0" -v t1="$t1" -v p="$peak" \
    'BEGIN { printf "%d,%d,%d,%d,%d,%.3f,%d,%d\n", c1 - c0, r0, r1, r1 - r0, p, (t1 - t0) / (c1 - c0), c0, c1 }'
} >"$RESULTS/interval-summary.csv"
say "interval: wrote $csv"
column -s, -t <"$RESULTS/interval-summary.csv" >&2
