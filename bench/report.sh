#!/usr/bin/env bash
# Writes bench/RESULTS.md from bench/results/: the machine, then per
# benchmark its date, load and commit (NAME.meta) and its raw numbers
# (NAME.csv) as a table; the plot of benchmark 2; and last the hand-written
# analysis (results/analysis.md: targets, profiles, before/after).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
out=$BENCH_SRC/RESULTS.md

table() {  # CSV file -> markdown table
  awk -F, 'NR == 1 { h = "|"; s = "|"; for (i = 1; i <= NF; i++) { h = h " " $i " |"; s = s "---|" } print h; print s; next }
           { r = "|"; for (i = 1; i <= NF; i++) r = r " " $i " |"; print r }' "$1"
}
meta() {  # NAME -> one line
  local f=$RESULTS/$1.meta
  [ -f "$f" ] || return 0
  # shellcheck disable=SC1090
  (. "$f" && printf 'Run %s at commit %s; load average (1, 5, 15 min) before: %s, after: %s%s.\n' \
    "$date" "$commit" "$load_before" "${load_after:-?}" "$([ "$quick" = 1 ] && echo '; --quick')")
}
section() {  # NAME TITLE COMMAND TEXT
  [ -f "$RESULTS/$1.csv" ] || return 0
  printf '\n## %s\n\n%s\n\n`%s`. ' "$2" "$4" "$3"
  meta "$1"
  printf '\n'
  table "$RESULTS/$1.csv"
}

if [ -f "$RESULTS/many.csv" ] && command -v gnuplot >/dev/null; then
  gnuplot -e "csv='$RESULTS/many.csv'; out='$RESULTS/many.png'" "$BENCH_SRC/plot-many.gp"
fi
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run\` (\`bench/report.sh\`); what each benchmark does and how to read it: [README.md](README.md)."
  echo "Times in ms, RSS in kB. Machine: $(machine_line)."
  echo "The machine is shared (other builds run on the same 2 cores): the load averages are given with each run;"
  echo "numbers taken under a load above 1 are approximate."
  section once "1. Healthy --once, one service per backend" "bench/run once" \
    "One healthy service per backend, no health URL: process-monitor beside the engine's own query. overhead_ms = wall(process-monitor) - wall(bare query); ratio = their quotient. CPU and RSS of process-monitor include the children it waited for (the pm2 CLI for PM2)."
  section many "2. Many services, HTTP probes only" "bench/run many" \
    "N health URLs on the loopback latency server. cycle_ms is process-monitor's own cycle (elapsed_ms of --json), slowest_probe_ms the largest probe latency in that cycle."
  [ ! -f "$RESULTS/many.png" ] || printf '\n![cycle time against services](results/many.png)\n'
  section restart "3. Detection to verified restart" "bench/run restart" \
    "One unhealthy service per backend; one --once detects, restarts and verifies it. settled_ms: from the restart to the verified result."
  section interval "4. --interval 10ms for 10,000 cycles" "bench/run interval" \
    "RSS and CPU of the running loop, sampled every 500 cycles (10 services)."
  if [ -f "$RESULTS/interval-summary.csv" ]; then printf '\n'; table "$RESULTS/interval-summary.csv"; fi
  section rotate "5. Rotating and gzipping a 1 GB log" "bench/run rotate" \
    "process-monitor rotate --force (rename + gzip in the same run) beside gzip -6 of the same file."
  section scale "6. One engine, many services, no health URL" "bench/run scale" \
    "Benchmark 1 with N services on one engine (units and apps running sleep): process-monitor beside the engine's own query of all of them."
  if [ -d "$RESULTS/before" ]; then
    printf '\n## Before: benchmarks 1 and 2 with an earlier build\n\n'
    printf 'The same scripts with `PM_BINARY` set to the build this work started from; see the analysis.\n'
    for name in once many; do
      [ -f "$RESULTS/before/$name.csv" ] || continue
      printf '\n`bench/run %s`. ' "$name"
      RESULTS=$RESULTS/before meta "$name"
      printf '\n'
      table "$RESULTS/before/$name.csv"
    done
  fi
  if [ -f "$RESULTS/analysis.md" ]; then printf '\n'; cat "$RESULTS/analysis.md"; fi
} >"$out"
say "wrote $out"
