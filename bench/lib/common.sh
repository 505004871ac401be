# shellcheck shell=bash
# Sourced by bench/run and the benchmarks: paths, the measuring helpers and
# the result files. Everything a benchmark starts lives under $BENCH_TMP and
# uses ports 39500-39999 and names prefixed pm-bench-, so it never meets the
# integration tests (ports 23760, 39100-39499) or another engineer's engines.

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOP=$(cd "$BENCH_SRC/.." && pwd)
BUILD=${PM_BUILD:-$TOP/build}
BENCH_TMP=${PM_BENCH_TMP:-/tmp/pm-bench}
RESULTS=${PM_BENCH_RESULTS:-$BENCH_SRC/results}
PM=${PM_BINARY:-$BUILD/src/process-monitor}  # PM_BINARY: measure another build (a "before")
MEASURE=$BUILD/bench/bench-measure
LATENCY_SERVER=$BUILD/bench/bench-latency-server
PM2_BIN=$TOP/tests/engines/pm2/node_modules/.bin/pm2
QUICK=${QUICK:-0}

mkdir -p "$BENCH_TMP" "$RESULTS"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The machine and its load, for the header of every result.
machine_line() {
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  printf '%s, %s CPUs (%s), %s GiB RAM, kernel %s' "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    "$(nproc)" "$cpu" "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$(uname -r)"
}
load_line() { cut -d' ' -f1-3 /proc/loadavg; }

# measure RUNS WARMUP STDOUT_FILE -- CMD...: bench-measure's CSV; prints the
# "median" line's fields: wall_ms user_ms sys_ms cpu_ms maxrss_kb exit.
measure() {
  local runs=$1 warmup=$2 out=$3
  shift 4
  "$MEASURE" -n "$runs" -w "$warmup" --stdout "$out" -- "$@" | awk -F, '$1 == "median" {print $2, $3, $4, $5, $6, $7}'
}

# wait_for_http URL [SECONDS]: until URL answers.
wait_for_http() {
  local deadline=$((SECONDS + ${2:-20}))
  until curl -sf -m 1 -o /dev/null "$1"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# start_latency_server PORT DELAY_MS: prints nothing; the pid is in $BENCH_TMP/latency-PORT.pid.
start_latency_server() {
  local port=$1 delay=$2 pidfile=$BENCH_TMP/latency-$1.pid
  stop_latency_server "$port"
  "$LATENCY_SERVER" --port "$port" --delay-ms "$delay" </dev/null >/dev/null 2>"$BENCH_TMP/latency-$port.log" &
  echo $! >"$pidfile"
  wait_for_http "http://127.0.0.1:$port/_stats" 75 || die "latency server on port $port did not start"
}
stop_latency_server() {
  local pidfile=$BENCH_TMP/latency-$1.pid
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    wait "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}
served_count() { curl -sf -m 2 "http://127.0.0.1:$1/_stats"; }

# A fresh state dir for a config, so no run sees another's history.
fresh_dir() { rm -rf "$1" && mkdir -p "$1"; }

need_build() {
  for f in "$PM" "$MEASURE" "$LATENCY_SERVER"; do
    [ -x "$f" ] || die "$f missing: build first (scripts/build.sh)"
  done
}
