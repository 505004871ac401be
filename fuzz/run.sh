#!/usr/bin/env bash
# Runs libFuzzer targets of a PM_FUZZ=ON build (fuzz/README.md).
#   fuzz/run.sh TARGET SECONDS     one target, from its seed corpus
#   fuzz/run.sh --smoke SECONDS    every target in turn; fails on the first finding
# The build is $PM_FUZZ_BUILD_DIR (default: build-fuzz beside fuzz/). Seeds
# (fuzz/corpus/TARGET) are copied into $build/fuzz-work/TARGET/corpus, which
# keeps what the runs learn and is where a finding's input is written
# (crash-*, leak-*, timeout-*, oom-*). Exit 0: no finding.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${PM_FUZZ_BUILD_DIR:-$here/../build-fuzz}
targets=(config units docker pm2_jlist systemd_units state proc_files)

usage() { echo "usage: $0 TARGET SECONDS | --smoke SECONDS   (targets: ${targets[*]})" >&2; exit 2; }

run_one() {
  local target=$1 seconds=$2
  local binary=$build/fuzz/fuzz_$target work=$build/fuzz-work/$target
  [ -x "$binary" ] || { echo "$binary: not built (cmake --preset fuzz && cmake --build build-fuzz)" >&2; return 2; }
  mkdir -p "$work/corpus"
  cp -n "$here/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
  local options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
                 -max_len=65536 -artifact_prefix="$work/")
  [ -f "$here/dict/$target.dict" ] && options+=(-dict="$here/dict/$target.dict")
  # Stack traces with function names (clang 16's own symbolizer is not packaged apart).
  if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
  fi
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  echo "== fuzz $target for ${seconds}s" >&2
  "$binary" "${options[@]}" "$work/corpus"
}

[ $# -eq 2 ] || usage
if [ "$1" = "--smoke" ]; then
  for target in "${targets[@]}"; do run_one "$target" "$2"; done
else
  printf '%s\n' "${targets[@]}" | grep -qx -- "$1" || usage
  run_one "$1" "$2"
fi
