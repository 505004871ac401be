#!/usr/bin/env bash
# Records real `pm2 jlist` answers for the parser's unit tests.
# Runs PM2 (the version pinned in tests/engines/pm2) in a throw-away PM2_HOME
# with a scrubbed environment, so the recordings hold no secrets of the
# machine they were made on. The apps carry a fake secret
# (SECRET_TOKEN=hunter2-recorded) that the tests assert never leaks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
engine=$(cd "$here/../../engines/pm2" && pwd)
pm2_bin="$engine/node_modules/.bin/pm2"
node_dir=$(dirname "$(command -v node)")
work=$(mktemp -d)
base_env=(PATH="$node_dir:/usr/bin:/bin" HOME="$work" PM2_HOME="$work/pm2" SECRET_TOKEN=hunter2-recorded)
# pm2 [VAR=value ...] -- ARGS...: runs pm2 with only base_env plus the given variables.
pm2() {
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  env -i "${base_env[@]}" "${extra[@]+"${extra[@]}"}" "$pm2_bin" "$@"
}
trap 'pm2 -- kill >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

printf 'process.exit(3)\n' > "$work/crash.js"
pm2 PORT=3191 -- start "$engine/health-app.js" --name api >/dev/null
pm2 PORT=3192 -- start "$engine/health-app.js" --name web -i 2 >/dev/null
pm2 PORT=3193 -- start "$engine/health-app.js" --name paused >/dev/null
pm2 -- stop paused >/dev/null
pm2 -- start "$work/crash.js" --name crashy --max-restarts 2 >/dev/null
# Same port as api: every instance fails to listen, PM2 gives up -> errored cluster.
pm2 PORT=3191 -- start "$engine/health-app.js" --name clash -i 2 >/dev/null
sleep 4
pm2 -- jlist > "$here/jlist-mixed.json"

# One app with a large environment, as production apps have (40 x 10 KB).
big=()
for i in $(seq 1 40); do big+=("BIG_$i=$(head -c 10000 /dev/zero | tr '\0' 'x')"); done
pm2 "${big[@]}" PORT=3194 -- start "$engine/health-app.js" --name big-env >/dev/null
sleep 1
pm2 -- jlist > "$here/jlist-huge-env.json"
pm2 -- delete all >/dev/null
pm2 -- jlist > "$here/jlist-empty.json"

# Apps whose names a config cannot take as they are (discovery's tests): a
# space, a quote and a backslash, non-ASCII letters; and valid but unusual ones.
pm2 PORT=3195 -- start "$engine/health-app.js" --name "my api" >/dev/null
pm2 PORT=3196 -- start "$engine/health-app.js" --name 'we"ird\name' >/dev/null
pm2 PORT=3197 -- start "$engine/health-app.js" --name "Ünïcödé" >/dev/null
pm2 PORT=3198 -- start "$engine/health-app.js" --name "ok.v2@blue:1" >/dev/null
pm2 PORT=3199 -- start "$engine/health-app.js" --name "web" >/dev/null
sleep 2
pm2 -- jlist > "$here/jlist-odd-names.json"
echo "recorded into $here"
