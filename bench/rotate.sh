#!/usr/bin/env bash
# Benchmark 5 ("rotate"): time and peak RSS to rotate and gzip a 1 GB log
# (ROTATE_MB) with `process-monitor rotate --force` (method rename, compress,
# no delay_compress: the rotated file is gzipped in the same run), beside
# `gzip -6 -c` of the same file (zlib's default level, as process-monitor
# uses) on the same disk. The log is made of varied access-log lines
# (compressible as real logs are); it is made once and copied before each run.
# Writes $RESULTS/rotate.csv.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
need_build

mb=${ROTATE_MB:-$([ "$QUICK" = 1 ] && echo 100 || echo 1024)}
runs=${ROTATE_RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
dir=$BENCH_TMP/rotate
src=$BENCH_TMP/rotate-source-${mb}M.log
csv=$RESULTS/rotate.csv
mkdir -p "$dir"
chmod 755 "$dir"

if [ ! -f "$src" ]; then
  say "rotate: making a ${mb} MB log ($src)"
  awk -v bytes=$((mb * 1048576)) 'BEGIN {
    srand(42); split("GET POST PUT DELETE", m, " "); split("200 200 200 200 201 204 301 404 500 503", s, " ")
    while (n < bytes) {
      line = sprintf("2026-11-26T%02d:%02d:%02d.%03dZ INFO pm-bench-web[%d]: %s /api/v1/items/%d status=%s ms=%d user=u%05d",
        int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000), 1000 + int(rand()*8),
        m[1 + int(rand()*4)], int(rand()*100000), s[1 + int(rand()*10)], int(rand()*900), int(rand()*50000))
      print line; n += length(line) + 1
    }
  }' >"$src.partial"
  mv "$src.partial" "$src"
fi
size=$(stat -c %s "$src")
cat >"$dir/config.toml" <<EOF
[monitor]
state_dir = "$BENCH_TMP/rotate-state"

[[logs]]
paths = ["$dir/app.log"]
max_size = "100M"
keep = 3
compress = true
EOF

echo "tool,run,log_bytes,wall_ms,cpu_ms,maxrss_kb,exit,gz_bytes" >"$csv"
for run in $(seq 1 "$runs"); do
  rm -rf "$dir"/app.log* "$BENCH_TMP/rotate-state"
  cp "$src" "$dir/app.log"
  sync
  say "rotate: process-monitor rotate --force, run $run (${mb} MB)"
  read -r wall user sys cpu rss code < <(measure 1 0 /dev/null -- "$PM" rotate --force -c "$dir/config.toml")
  gz=$(stat -c %s "$dir"/app.log.1.gz 2>/dev/null || echo 0)
  echo "process-monitor,$run,$size,$wall,$cpu,$rss,$code,$gz" >>"$csv"
  say "rotate: gzip -6 -c, run $run"
  read -r wall user sys cpu rss code < <(measure 1 0 "$dir/plain.gz" -- gzip -6 -c "$src")
  echo "gzip -6,$run,$size,$wall,$cpu,$rss,$code,$(stat -c %s "$dir/plain.gz")" >>"$csv"
done
rm -rf "$dir"/app.log* "$dir/plain.gz" "$BENCH_TMP/rotate-state"
say "rotate: wrote $csv"
column -s, -t <"$csv" >&2
