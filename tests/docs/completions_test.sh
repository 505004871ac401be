#!/usr/bin/env bash
# The shell completions in completions/: bash completes subcommands, flags,
# flag values and service names from the config (exercised through
# _process_monitor with COMP_WORDS, as bash calls it); zsh and fish parse
# their files, and fish answers `complete -C`.
# Usage: completions_test.sh SOURCE_DIR
set -uo pipefail
top=${1:?usage: completions_test.sh SOURCE_DIR}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

[ -r /usr/share/bash-completion/bash_completion ] || { echo "FAIL: bash-completion not installed" >&2; exit 1; }
# shellcheck disable=SC1091
source /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1091
source "$top/completions/process-monitor.bash"

complete -p process-monitor | grep -q -- '-F _process_monitor' || fail "complete -p: $(complete -p process-monitor 2>&1)"

# complete WORD...: COMPREPLY for the command line WORDS (the last one being completed), one per line.
complete_words() {
  COMP_WORDS=(process-monitor "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _process_monitor process-monitor "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() {  # expect "WHAT" "WANTED WORDS" WORD...: every wanted word is offered
  local what=$1 wanted=$2 got w
  shift 2
  got=$(complete_words "$@")
  for w in $wanted; do
    grep -qx -- "$w" <<<"$got" || fail "$what: '$w' not offered; got: $(tr '\n' ' ' <<<"$got")"
  done
}

expect "subcommands" "check-config status reset pause resume rotate discover" ""
expect "flags" "--format --metrics-file --wait-lock --interval --dry-run" --
expect "a prefix" "--format" --form
expect "--format values" "text json nagios" --format ""
expect "--log-level values" "trace debug info warn error off" --log-level ""
expect "discover --backend" "pm2 docker systemd" discover --backend ""
expect "rotate flags" "--force --dry-run" rotate --
expect "pause flags" "--for" pause --

config=$(mktemp)
trap 'rm -f "$config"' EXIT
printf '[[service]]\nname = "backend-api"\nbackend = "pm2"\n\n[[service]]\n  name = "web"\nbackend = "docker"\n' > "$config"
expect "service names after -c" "backend-api web" -c "$config" reset ""
expect "service names for --service" "backend-api web" -c "$config" --service ""
PROCESS_MONITOR_CONFIG=$config expect "service names from \$PROCESS_MONITOR_CONFIG" "backend-api web" pause ""
[ -z "$(complete_words -c "$config" status x)" ] || fail "status takes no service names"

if command -v zsh >/dev/null; then
  zsh -n "$top/completions/_process-monitor" || fail "zsh -n _process-monitor"
else
  fail "zsh not installed (scripts/install-deps.sh installs it)"
fi
if command -v fish >/dev/null; then
  fish -n "$top/completions/process-monitor.fish" || fail "fish -n process-monitor.fish"
  got=$(fish -c "source '$top/completions/process-monitor.fish'; complete -C 'process-monitor --form'")
  grep -q -- '^--format' <<<"$got" || fail "fish: --form did not complete to --format: $got"
  got=$(fish -c "source '$top/completions/process-monitor.fish'; complete -C 'process-monitor '")
  grep -q '^rotate' <<<"$got" || fail "fish: no subcommands: $got"
else
  fail "fish not installed (scripts/install-deps.sh installs it)"
fi

[ "$failures" -eq 0 ] && echo "completions: all checks passed"
exit $((failures > 0))
