#!/usr/bin/env bash
# The man pages in man/: they render without a warning (groff -man -ww -z
# prints nothing), `man -l` formats them, process-monitor.1 names exactly
# the flags and subcommands the binary's --help lists (in both directions),
# and process-monitor.toml.5 names every key examples/config.toml uses.
# (flags in EXAMPLES may be other programs', e.g. systemctl --now).
# Usage: man_test.sh BINARY SOURCE_DIR
set -uo pipefail
binary=${1:?usage: man_test.sh BINARY SOURCE_DIR}
top=${2:?usage: man_test.sh BINARY SOURCE_DIR}
page1=$top/man/process-monitor.1
page5=$top/man/process-monitor.toml.5
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for page in "$page1" "$page5"; do
  warnings=$(groff -man -ww -z "$page" 2>&1) || fail "groff exit status for $page"
  [ -z "$warnings" ] || fail "groff warnings for $page: $warnings"
  MANWIDTH=80 man -l "$page" >/dev/null 2>&1 || fail "man -l $page"
done

subcommands=$("$binary" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ && seen++ {exit}')
[ -n "$subcommands" ] || fail "no subcommands in --help"
help_flags=$( { "$binary" --help; for s in $subcommands; do "$binary" "$s" --help; done; } |
  grep -oE '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]*//' | sort -u)
man_flags=$(sed '/^\.SH EXAMPLES/,$d' "$page1" | grep -oE '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g' | sort -u)

for flag in $help_flags; do
  grep -qx -- "$flag" <<<"$man_flags" || fail "$flag is in --help but not in process-monitor.1"
done
for flag in $man_flags; do
  grep -qx -- "$flag" <<<"$help_flags" || fail "$flag is in process-monitor.1 but in no --help"
done
for sub in $subcommands; do
  grep -q "^\.B $(sed 's/-/\\\\-/g' <<<"$sub")\$\|^\.BI $(sed 's/-/\\\\-/g' <<<"$sub") \|^\.B $(sed 's/-/\\\\-/g' <<<"$sub") " "$page1" ||
    fail "subcommand $sub has no entry in process-monitor.1"
done

keys=$(grep -oE '^[[:space:]]*[a-z_]+[[:space:]]*=' "$top/examples/config.toml" | tr -d ' =' | sort -u)
[ -n "$keys" ] || fail "no keys read from examples/config.toml"
text5=$(sed 's/\\-/-/g' "$page5")
for key in $keys; do
  grep -qw -- "$key" <<<"$text5" || fail "config key $key is in examples/config.toml but not in process-monitor.toml.5"
done

[ "$failures" -eq 0 ] && echo "man pages: all checks passed ($(wc -w <<<"$help_flags") flags, $(wc -w <<<"$subcommands") subcommands, $(wc -w <<<"$keys") keys)"
exit $((failures > 0))
