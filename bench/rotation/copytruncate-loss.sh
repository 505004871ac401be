#!/usr/bin/env bash
# Lines lost by copytruncate: logrotate 3.21 against process-monitor, each
# rotating ROUNDS times under the same writer (tests/engines/common/log-writer,
# appending numbered lines with O_APPEND as fast as it can), on a directory of
# the filesystem under test (ext4 where this lives; pass another with DIR,
# e.g. DIR=/dev/shm for tmpfs, where process-monitor falls back to
# copy + truncate). Prints, per tool: lines written, lines found in the live
# and rotated files, lines lost, lines found twice.
#
# Usage: bench/rotation/copytruncate-loss.sh [ROUNDS]   (build first: scripts/build.sh)
# Needs: logrotate (apt-get install logrotate).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-20}
monitor=$top/build/src/process-monitor
writer=$top/build/tests/integration/log-writer
base=${DIR:-$top/build/bench-rotation}
for tool in "$monitor" "$writer"; do
  [ -x "$tool" ] || { echo "missing $tool: run scripts/build.sh" >&2; exit 1; }
done
command -v logrotate >/dev/null || { echo "logrotate not installed (apt-get install logrotate)" >&2; exit 1; }

# count DIR TAG: "written found lost doubled" for the writer's lines in DIR.
count() {
  local written
  written=$(cat "$1/app.log.last")
  for f in "$1"/app.log*; do
    case $f in *.last) ;; *.gz) zcat "$f" ;; *) cat "$f" ;; esac
  done | awk -v tag="$2" -v written="$written" '
    $1 == tag { seen[$2]++ }
    END {
      found = 0; lost = 0; doubled = 0
      for (n = 1; n <= written; n++) {
        if (n in seen) { found++; if (seen[n] > 1) doubled++ } else lost++
      }
      printf "%d %d %d %d\n", written, found, lost, doubled
    }'
}

# run NAME ROTATE_COMMAND...: the writer, ROUNDS rotations 0.2 s apart, the tally.
run() {
  local name=$1; shift
  local dir=$base/$name
  rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir"
  "$writer" "$dir/app.log" "$name" 0 &
  local pid=$!
  for _ in $(seq "$rounds"); do
    sleep 0.2
    "$@" "$dir" >/dev/null 2>&1 || true
  done
  kill -TERM "$pid"; wait "$pid" || true
  read -r written found lost doubled < <(count "$dir" "$name")
  printf '%-16s written %9d  found %9d  lost %7d  doubled %d\n' "$name" "$written" "$found" "$lost" "$doubled"
}

logrotate_once() {
  cat > "$1/logrotate.conf" <<CONF
$1/app.log {
  copytruncate
  rotate 1000
  size 1
  nocompress
  missingok
}
CONF
  logrotate -f -s "$1/logrotate.state" "$1/logrotate.conf"
}

monitor_once() {
  printf '[[logs]]\npaths = ["%s/app.log"]\nmax_size = "1K"\nkeep = 1000\nmethod = "copytruncate"\n' "$1" > "$1/pm.toml"
  "$monitor" rotate --force -c "$1/pm.toml" --state-dir "$1/state"
}

echo "filesystem: $(stat -f -c %T "$(dirname "$base")")  ($base), $rounds rotations each"
run logrotate logrotate_once
run process-monitor monitor_once
