# shellcheck shell=bash
# Sourced by the engine benchmarks (once, restart): private engines under
# $BENCH_TMP, each with one healthy service named pm-bench-web, and their
# teardown. Nothing here touches the machine's own engines or the
# integration tests' ones (other dirs, ports 39700-39719, no TLS port).
#   PM2:     tests/engines/pm2/start.sh with PM2_HOME=$BENCH_TMP/pm2, app on :39700
#   Docker:  a dockerd on $BENCH_TMP/docker/docker.sock only (ENGINES.md), busybox httpd on :39701
#   systemd: tests/engines/systemd/start.sh $BENCH_TMP/systemd, busybox httpd unit on :39702
ENGINES=$TOP/tests/engines
PM2_HOME_DIR=$BENCH_TMP/pm2
DOCKER_DIR=$BENCH_TMP/docker
DOCKER_SOCK=$DOCKER_DIR/docker.sock
SYSTEMD_DIR=$BENCH_TMP/systemd
PM2_PORT=39700
DOCKER_PORT=39701
SYSTEMD_PORT=39702

pm2_cli() { PM2_HOME=$PM2_HOME_DIR timeout 60 "$PM2_BIN" "$@"; }
dk() { timeout 60 docker -H "unix://$DOCKER_SOCK" "$@"; }
user_systemctl() { XDG_RUNTIME_DIR=$SYSTEMD_XDG timeout 30 systemctl --user "$@"; }

start_pm2() {
  [ -x "$PM2_BIN" ] || die "PM2 missing: tests/engines/pm2/install.sh"
  "$ENGINES/pm2/start.sh" "$PM2_HOME_DIR" >&2
  PORT=$PM2_PORT pm2_cli start "$ENGINES/pm2/health-app.js" --name pm-bench-web >/dev/null
  wait_for_http "http://127.0.0.1:$PM2_PORT/health" || die "pm2 app did not answer"
}
stop_pm2() { "$ENGINES/pm2/stop.sh" "$PM2_HOME_DIR" >&2 || true; }

# A dockerd of our own: only a unix socket; its containerd namespace is named
# as tests/engines/docker/stop.sh expects, so that script tears it down.
start_docker() {
  command -v dockerd >/dev/null || die "dockerd missing: apt-get install docker.io busybox-static"
  "$ENGINES/docker/stop.sh" "$DOCKER_DIR" >/dev/null 2>&1 || true
  mkdir -p "$DOCKER_DIR"
  local hash
  hash=$(printf %s "$DOCKER_DIR" | sha256sum | cut -c1-12)
  echo '{}' >"$DOCKER_DIR/daemon.json"
  # Without XDG_RUNTIME_DIR: once.sh exports the systemd engine's for
  # systemctl, and runc puts its exec fifos there, so every HEALTHCHECK exec
  # failed ("open .../xdg/runc-process...: no such file") and the container
  # never became healthy.
  setsid env -u XDG_RUNTIME_DIR dockerd --host "unix://$DOCKER_SOCK" --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
    --pidfile "$DOCKER_DIR/docker.pid" --config-file "$DOCKER_DIR/daemon.json" \
    --containerd-namespace "pmtest-$hash" --containerd-plugins-namespace "pmtest-$hash-plugins" \
    --iptables=false --ip-forward=false --ip-masq=false --bridge=none </dev/null >>"$DOCKER_DIR/dockerd.log" 2>&1 &
  local deadline=$((SECONDS + 60))
  until [ "$(curl -s -m 2 --unix-socket "$DOCKER_SOCK" http://localhost/_ping 2>/dev/null)" = OK ]; do
    [ $SECONDS -lt $deadline ] || die "dockerd did not start (see $DOCKER_DIR/dockerd.log)"
    sleep 0.1
  done
  "$ENGINES/docker/build-image.sh" "$DOCKER_SOCK" >&2
  # --init: busybox httpd as PID 1 ignores SIGTERM; the health check makes the
  # list say "(healthy)", so observing needs the list call only.
  dk run -d --name pm-bench-web --network host --init \
    --health-cmd "wget -q -O /dev/null http://127.0.0.1:$DOCKER_PORT/health" --health-interval 1s \
    pm-test/busybox:1 httpd -f -p "$DOCKER_PORT" -h /www >/dev/null
  wait_docker_healthy pm-bench-web
}
wait_docker_healthy() {
  local deadline=$((SECONDS + 30))
  until [ "$(dk inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null)" = healthy ]; do
    [ $SECONDS -lt $deadline ] || die "container $1 did not become healthy"
    sleep 0.2
  done
}
stop_docker() { "$ENGINES/docker/stop.sh" "$DOCKER_DIR" >&2 || true; }

start_systemd() {
  "$ENGINES/systemd/start.sh" "$SYSTEMD_DIR" >&2
  SYSTEMD_XDG=$(sed -n 's/^XDG_RUNTIME_DIR=//p' "$SYSTEMD_DIR/env")
  mkdir -p "$BENCH_TMP/www"
  echo ok >"$BENCH_TMP/www/health"
  cat >"$SYSTEMD_XDG/systemd/user/pm-bench-web.service" <<EOF
[Service]
ExecStart=/bin/busybox httpd -f -p $SYSTEMD_PORT -h $BENCH_TMP/www
EOF
  user_systemctl daemon-reload
  user_systemctl start pm-bench-web.service
  wait_for_http "http://127.0.0.1:$SYSTEMD_PORT/health" || die "systemd unit did not answer"
}
stop_systemd() { "$ENGINES/systemd/stop.sh" "$SYSTEMD_DIR" >&2 || true; }
SYSTEMD_XDG=$SYSTEMD_DIR/xdg

# start_engine / stop_engine BACKEND: one of pm2, docker, systemd ("none": nothing).
start_engine() {
  case $1 in
    pm2) start_pm2 ;;
    docker) start_docker ;;
    systemd) start_systemd ;;
    none|start) ;;
    *) die "unknown backend $1" ;;
  esac
}
stop_engine() {
  case $1 in
    pm2) stop_pm2 ;;
    docker) stop_docker ;;
    systemd) stop_systemd ;;
  esac
}

# engine_config BACKEND FILE [HEALTH]: one service pm-bench-web on BACKEND;
# HEALTH=1 adds its health URL.
engine_config() {
  local backend=$1 file=$2 health=${3:-0} port
  mkdir -p "$(dirname "$file")"
  {
    printf '[monitor]\ndeadline = "120s"\nverify_interval = "100ms"\nstate_dir = "%s/state"\n' "$(dirname "$file")"
    case $backend in
      pm2) printf '\n[pm2]\nbinary = "%s"\nhome = "%s"\n' "$PM2_BIN" "$PM2_HOME_DIR"; port=$PM2_PORT ;;
      docker) printf '\n[docker]\nhost = "unix://%s"\n' "$DOCKER_SOCK"; port=$DOCKER_PORT ;;
      systemd) printf '\n[systemd]\nscope = "user"\n'; port=$SYSTEMD_PORT ;;
    esac
    printf '\n[defaults]\ngrace = "0s"\n'
    printf '\n[[service]]\nname = "pm-bench-web"\nbackend = "%s"\n' "$backend"
    case $backend in
      pm2) printf 'target = "pm-bench-web"\n' ;;
      docker) printf 'container = "pm-bench-web"\n' ;;
      systemd) printf 'unit = "pm-bench-web.service"\n' ;;
    esac
    if [ "$health" = 1 ]; then printf "  [service.health]\n  url = \"http://127.0.0.1:%d/health\"\n" "$port"; fi
  } >"$file"
}
