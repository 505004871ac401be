#!/usr/bin/env bash
# Fails when src/ could run a shell: system(), popen(), the exec*l family
# (used with "/bin/sh" to run a command line), wordexp() (which runs a shell
# for $(...)), "sh -c" / "bash -c" as one string or as argv words, and a
# /bin/sh path in any string.
# Programs run as argv vectors through util/exec (posix_spawn) only.
# The tests (tests/engines, tests/integration) may use a shell; src/ never.
# Usage: scripts/check-no-shell.sh [source dir]; exit 1 with each hit.
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)/src}
[ -d "$src" ] || { echo "check-no-shell: no directory $src" >&2; exit 2; }
pattern='(^|[^[:alnum:]_.>:])(std::)?(system|popen|execl|execlp|execle|wordexp)[[:space:]]*\(|/bin/(ba|da|z)?sh\b|\b(ba|da|z)?sh[[:space:]]+-c\b|"(ba|da|z)?sh"[[:space:]]*,[[:space:]]*"-c"'
if hits=$(grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.c' "$pattern" "$src"); then
  echo "check-no-shell: src/ must not run a shell (use util/exec.hpp with an argv vector):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-no-shell: no shell in $src"
