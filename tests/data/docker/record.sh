#!/usr/bin/env bash
# Records real Docker Engine API answers for the parser's unit tests.
# Starts a private engine (tests/engines/docker/start.sh) in a throw-away
# directory, creates containers in every state worth parsing, saves the raw
# answers (curl over the unix socket) here, writes README.md and stops the
# engine. Containers get no environment from this machine (the image has no
# ENV, the CLI passes none) and a fixed hostname. Run as root; idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
engine=$(cd "$here/../../engines/docker" && pwd)
work=$(mktemp -d /tmp/pm-docker-rec.XXXXXX)
trap '"$engine/stop.sh" "$work" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$engine/start.sh" "$work"
sock=$work/docker.sock
port=39171  # web's busybox httpd, on 127.0.0.1 of the host network
dk() { docker -H "unix://$sock" "$@"; }
api() { curl -sS --fail-with-body --unix-socket "$sock" "http://localhost$1"; }
# run NAME [docker run options...] -- COMMAND...
run() {
  local name=$1; shift
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  dk run -d --name "$name" --hostname pm-test --network host "${opts[@]+"${opts[@]}"}" pm-test/busybox:1 "$@" >/dev/null
}
# wait_for NAME TEMPLATE WANT: until `docker inspect -f TEMPLATE` prints WANT (30 s).
wait_for() {
  for _ in $(seq 1 150); do
    [ "$(dk inspect -f "$2" "$1")" = "$3" ] && return 0
    sleep 0.2
  done
  echo "record: $1 never reached '$3' (is: $(dk inspect -f "$2" "$1"))" >&2
  exit 1
}
health='{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}'
rm -f "$here"/*.json "$here/ping-headers.txt"

curl -sS --unix-socket "$sock" -D "$here/ping-headers.txt" -o /dev/null http://localhost/_ping
api /version > "$here/version.json"

run plain --init -- sleep 86400
run web --init --health-cmd 'test -f /tmp/ok' --health-interval 1s -- \
  sh -c "touch /tmp/ok && exec httpd -f -p 127.0.0.1:$port -h /www"
run sick --init --health-cmd false --health-interval 1s --health-retries 2 -- sleep 86400
run slow --init --health-cmd 'test -f /tmp/ok' --health-interval 300s --health-start-period 300s -- sleep 86400
run stopped -- sh -c 'echo stopping; exit 3'
dk create --name fresh --hostname pm-test --network host pm-test/busybox:1 sleep 86400 >/dev/null
for svc in api worker; do
  run "sar-$svc-1" --init --label com.docker.compose.project=sar --label "com.docker.compose.service=$svc" \
    --label com.docker.compose.container-number=1 --label com.docker.compose.oneoff=False -- sleep 86400
done
run monitored --init --label com.example.monitor=true -- sleep 86400
run frozen --init -- sleep 86400
dk pause frozen >/dev/null
run restarting --restart always -- sh -c 'exit 1'

wait_for web "$health" running/healthy
wait_for sick "$health" running/unhealthy
wait_for slow "$health" running/starting
wait_for stopped '{{.State.Status}}/{{.State.ExitCode}}' exited/3
wait_for frozen '{{.State.Status}}' paused
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "record: web does not serve /health" >&2; exit 1; }

# `restarting` is up for a moment between restarts; retry until the list and
# its inspect both caught it restarting (the back-off grows, so it soon does).
for _ in $(seq 1 20); do
  wait_for restarting '{{.State.Status}}' restarting
  api '/v1.41/containers/json?all=1' > "$here/containers-list.json"
  api /v1.41/containers/restarting/json > "$here/inspect-restarting.json"
  sed 's/},{"Id"/}\n{"Id"/g' "$here/containers-list.json" | grep -F '"/restarting"' | grep -qF '"State":"restarting"' &&
    grep -q '"Status":"restarting"' "$here/inspect-restarting.json" && break
done
filter='%7B%22label%22%3A%5B%22com.docker.compose.project%3Dsar%22%5D%7D'  # {"label":["com.docker.compose.project=sar"]}
api "/v1.41/containers/json?all=1&filters=$filter" > "$here/containers-list-filtered-label.json"
api /v1.41/containers/json > "$here/containers-list-running.json"
for c in web sick slow stopped plain fresh frozen; do
  api "/v1.41/containers/$c/json" > "$here/inspect-$c.json"
done
for c in plain fresh; do
  api "/v1.41/containers/$c/stats?stream=false&one-shot=true" > "$here/stats-$c.json"
done

# err NAME METHOD PATH: the error body, saved as error-<HTTP status>-NAME.json.
err() {
  local code
  code=$(curl -sS -X "$2" -o "$work/body" -w '%{http_code}' --unix-socket "$sock" "http://localhost$3")
  mv "$work/body" "$here/error-$code-$1.json"
}
err no-such-container GET /v1.41/containers/nope/json
err restart-no-such-container POST '/v1.41/containers/nope/restart?t=1'
err bad-version GET /v9.99/containers/json
err start-paused POST /v1.41/containers/frozen/start
err remove-running DELETE /v1.41/containers/plain

# The recordings must show what they are named for.
check() { grep -qF -- "$2" "$here/$1" || { echo "record: $1 lacks $2" >&2; exit 1; }; }
check ping-headers.txt 'Api-Version: 1.41'
check inspect-web.json '"Health":{"Status":"healthy"'
check inspect-sick.json '"Health":{"Status":"unhealthy","FailingStreak":'
check inspect-sick.json '"Log":[{'
check inspect-slow.json '"Health":{"Status":"starting"'
check inspect-stopped.json '"Status":"exited"'
check inspect-stopped.json '"ExitCode":3'
check inspect-fresh.json '"Status":"created"'
check inspect-plain.json '"Status":"running"'
check inspect-frozen.json '"Status":"paused"'
check inspect-restarting.json '"Status":"restarting"'
check containers-list.json '(healthy)'
check containers-list.json '(unhealthy)'
check containers-list.json '(health: starting)'
check containers-list.json '"State":"restarting"'
check containers-list.json '"com.example.monitor":"true"'
[ "$(grep -o '"Names":' "$here/containers-list-filtered-label.json" | wc -l)" = 2 ] ||
  { echo "record: the label filter did not return exactly sar-api-1 and sar-worker-1" >&2; exit 1; }
for f in error-404-no-such-container error-404-restart-no-such-container error-400-bad-version \
         error-409-start-paused error-409-remove-running; do
  [ -s "$here/$f.json" ] || { echo "record: $f.json missing (the engine answered another status?)" >&2; exit 1; }
done

version=$(dk version -f '{{.Server.Version}} (API {{.Server.APIVersion}}, {{.Server.Os}}/{{.Server.Arch}})')
cat > "$here/README.md" <<EOF
# Recorded Docker Engine API answers

Real, unedited answers of Docker Engine $version, Debian 12's docker.io
package, recorded by \`record.sh\` (run it as root to re-record; it starts a private engine with
\`tests/engines/docker/start.sh\` and stops it again). Bodies are raw, as the engine sent them.
Every container runs the local image \`pm-test/busybox:1\` (\`tests/engines/docker/build-image.sh\`)
with \`--network host --hostname pm-test\` and no environment from the recording machine.

| file | how it was made |
| --- | --- |
| ping-headers.txt | \`curl -D\` of GET /_ping: the raw response headers (Api-Version, Server, ...) |
| version.json | GET /version |
| containers-list.json | GET /v1.41/containers/json?all=1 with every container below |
| containers-list-running.json | GET /v1.41/containers/json (without all=1: running, paused and restarting ones) |
| containers-list-filtered-label.json | GET /v1.41/containers/json?all=1&filters={"label":["com.docker.compose.project=sar"]} (URL-encoded) |
| inspect-web.json | GET /v1.41/containers/web/json: busybox httpd on 127.0.0.1:$port, \`--init\`, health \`test -f /tmp/ok\` every 1 s: running, healthy |
| inspect-sick.json | same for sick: \`sleep\`, health \`false\` every 1 s, 2 retries: running, unhealthy, State.Health.Log filled |
| inspect-slow.json | same for slow: health interval and start period 300 s: running, health starting |
| inspect-stopped.json | same for stopped: \`sh -c 'echo stopping; exit 3'\`: exited, ExitCode 3 |
| inspect-plain.json | same for plain: \`sleep\` with \`--init\`, no healthcheck: running, no State.Health |
| inspect-fresh.json | same for fresh: \`docker create\` only: created |
| inspect-frozen.json | same for frozen: \`sleep\`, then \`docker pause\`: paused |
| inspect-restarting.json | same for restarting: \`--restart always sh -c 'exit 1'\`, caught between restarts: restarting |
| stats-plain.json | GET /v1.41/containers/plain/stats?stream=false&one-shot=true: running; cgroup v1 memory_stats (total_* and plain keys) and cpu_stats |
| stats-fresh.json | same for fresh (created, never started): memory_stats {} and CPU time 0 |
| error-404-no-such-container.json | GET /v1.41/containers/nope/json |
| error-404-restart-no-such-container.json | POST /v1.41/containers/nope/restart?t=1 |
| error-400-bad-version.json | GET /v9.99/containers/json (a version newer than the engine's) |
| error-409-start-paused.json | POST /v1.41/containers/frozen/start on the paused container |
| error-409-remove-running.json | DELETE /v1.41/containers/plain (running, no force) |

Also in containers-list.json: sar-api-1 and sar-worker-1 (running \`sleep\`, labels
com.docker.compose.project=sar, com.docker.compose.service=api / worker,
com.docker.compose.container-number=1, com.docker.compose.oneoff=False) and monitored
(running \`sleep\`, label com.example.monitor=true).
EOF
echo "recorded into $here (Docker Engine $version)"
