#!/usr/bin/env bash
# Starts a private Docker Engine (dockerd + its own containerd) for the tests.
# Usage: start.sh STATE_DIR   (created if missing). Socket, data root, exec
# root, pidfile and log (dockerd.log) all live in STATE_DIR. Whatever an
# earlier run left there (daemon, containers, mounts) is removed first, so
# the engine always starts empty except for the test image pm-test/busybox:1.
# The engine also listens on tcp://127.0.0.1:23760 with TLS (--tlsverify: only
# clients with a certificate of its CA get in). The certificates are made once
# with openssl under STATE_DIR/tls, as Docker's "Protect the Docker daemon
# socket" guide makes them: ca.pem + ca-key.pem (the CA), server-cert.pem +
# server-key.pem (127.0.0.1, serverAuth), and the client's files as the docker
# CLI wants them (DOCKER_CERT_PATH) in tls/client: ca.pem, cert.pem, key.pem
# (clientAuth). tls/other-client holds the same three files from another CA:
# a client the engine must refuse.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: start.sh STATE_DIR" >&2; exit 2; }
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd not installed (apt-get install docker.io busybox-static)" >&2
  exit 1
fi
mkdir -p "$1"
state=$(cd "$1" && pwd -P)
sock=$state/docker.sock
log=$state/dockerd.log
tls_port=23760
tls=$state/tls
# Go and curl cap unix socket paths at 108 bytes.
if [ ${#sock} -gt 107 ]; then
  echo "docker engine: state dir path too long for a unix socket: $sock" >&2
  exit 1
fi
"$here/stop.sh" "$state" >/dev/null
# stop.sh ended our earlier dockerd (and so freed its port); anything still
# listening there is not ours.
if (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null; then
  echo "docker engine: 127.0.0.1:$tls_port is in use by another program (ss -ltnp 'sport = :$tls_port')" >&2
  exit 1
fi

command -v openssl >/dev/null 2>&1 || { echo "openssl not installed (apt-get install openssl)" >&2; exit 1; }
# new_ca DIR: a self-signed CA (ca.pem, ca-key.pem) in DIR.
new_ca() {
  openssl genrsa -out "$1/ca-key.pem" 2048 2>/dev/null &&
    openssl req -new -x509 -days 3650 -sha256 -key "$1/ca-key.pem" -out "$1/ca.pem" \
      -subj "/CN=process-monitor test CA $(date -u +%s%N)"
}
# new_cert CA_DIR CN EXTENSIONS KEY CERT: a key and a certificate signed by the CA.
new_cert() {
  openssl genrsa -out "$4" 2048 2>/dev/null &&
    openssl req -new -sha256 -key "$4" -subj "/CN=$2" -out "$4.csr" &&
    printf '%s\n' "$3" > "$4.ext" &&
    openssl x509 -req -days 3650 -sha256 -in "$4.csr" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" \
      -CAcreateserial -extfile "$4.ext" -out "$5" 2>/dev/null &&
    rm -f "$4.csr" "$4.ext"
}
# new_client CA_DIR OUT_DIR: OUT_DIR/{ca,cert,key}.pem, for DOCKER_CERT_PATH.
new_client() {
  mkdir -p "$2" &&
    new_cert "$1" client "extendedKeyUsage = clientAuth" "$2/key.pem" "$2/cert.pem" &&
    cp "$1/ca.pem" "$2/ca.pem"
}
# (Chained with &&: set -e does not act inside a function called from an && list.)
# valid FILE...: every certificate exists and is good for at least another day.
valid() {
  for f in "$@"; do openssl x509 -checkend 86400 -noout -in "$f" >/dev/null 2>&1 || return 1; done
}
# make_tls: the whole set, made in a new dir and then moved in place, so an
# interrupted run leaves no half set. Under a lock: two start.sh at once (two
# ctest runs) must not make it together.
make_tls() {
  valid "$tls/ca.pem" "$tls/server-cert.pem" "$tls/client/cert.pem" "$tls/other-client/cert.pem" &&
    [ -f "$tls/other-client/ca.pem" ] && return 0
  rm -rf "$state"/tls.new.*  # left by an interrupted run
  local new server_ext
  new=$(mktemp -d "$state/tls.new.XXXXXX") || return 1
  server_ext=$(printf 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth')
  (
    umask 077 && mkdir "$new/other-ca" &&
      new_ca "$new" &&
      new_cert "$new" 127.0.0.1 "$server_ext" "$new/server-key.pem" "$new/server-cert.pem" &&
      new_client "$new" "$new/client" &&
      new_ca "$new/other-ca" &&
      new_client "$new/other-ca" "$new/other-client"
  ) || { rm -rf "$new"; return 1; }
  # Keys stay 0600; certificates and directories are readable.
  chmod 0755 "$new" "$new"/*/ &&
    chmod 0644 "$new"/ca.pem "$new"/server-cert.pem "$new"/*/ca.pem "$new"/*client/cert.pem &&
    rm -rf "$tls" && mv "$new" "$tls"
}
made=0
{ flock 9 && make_tls && made=1; } 9>"$state/tls.lock"
[ $made -eq 1 ] || { echo "docker engine: openssl could not make the TLS certificates in $tls" >&2; exit 1; }
# containerd refuses socket paths over 104 bytes and puts its longest one at
# EXEC_ROOT/containerd/containerd-debug.sock (33 more bytes): a long state dir
# gets its exec root in /tmp, found by stop.sh through the STATE_DIR/exec link.
hash=$(printf %s "$state" | sha256sum | cut -c1-12)
exec_root=$state/exec
if [ $((${#exec_root} + 33)) -gt 104 ]; then
  exec_root=/tmp/pm-dockerd-$hash
  mkdir -p "$exec_root"
  ln -sfn "$exec_root" "$state/exec"
fi

# An empty config file, so /etc/docker/daemon.json of the machine is not read.
# Own containerd namespaces: if a system containerd runs (/run/containerd),
# dockerd uses it instead of starting its own; the namespaces keep our
# containers apart from the system dockerd's ("moby").
# --ip-forward=false: do not change the host's net.ipv4.ip_forward.
echo '{}' > "$state/daemon.json"
echo "=== start.sh $(date -u +%FT%TZ)" >> "$log"
# setsid: not in the caller's process group (a Ctrl-C to ctest must not kill it).
setsid dockerd --host "unix://$sock" --host "tcp://127.0.0.1:$tls_port" \
  --tlsverify --tlscacert "$tls/ca.pem" --tlscert "$tls/server-cert.pem" --tlskey "$tls/server-key.pem" \
  --data-root "$state/data" \
  --exec-root "$exec_root" --pidfile "$state/docker.pid" \
  --config-file "$state/daemon.json" \
  --containerd-namespace "pmtest-$hash" --containerd-plugins-namespace "pmtest-$hash-plugins" \
  --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
  </dev/null >>"$log" 2>&1 &
pid=$!

fail() {
  echo "docker engine: $1; tail of $log:" >&2
  tail -n 25 "$log" >&2
  "$here/stop.sh" "$state" >/dev/null 2>&1 || true
  exit 1
}
deadline=$((SECONDS + 60))
until [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ]; do
  kill -0 "$pid" 2>/dev/null || fail "dockerd exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "dockerd did not answer /_ping within 60 s"
  sleep 0.1
done
tls_ping() {
  curl -s --max-time 2 --cacert "$tls/client/ca.pem" --cert "$tls/client/cert.pem" \
    --key "$tls/client/key.pem" "https://127.0.0.1:$tls_port/_ping" 2>/dev/null
}
until [ "$(tls_ping)" = OK ]; do
  kill -0 "$pid" 2>/dev/null || fail "dockerd exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "dockerd did not answer /_ping over TLS at 127.0.0.1:$tls_port within 60 s"
  sleep 0.1
done

# Containers of an earlier run whose dockerd died (stop.sh could not reach it).
ids=$(docker -H "unix://$sock" ps -aq) || fail "docker ps failed"
# shellcheck disable=SC2086 # one container id a line: split on purpose
[ -z "$ids" ] || docker -H "unix://$sock" rm -f $ids >/dev/null || fail "could not remove old containers"
"$here/build-image.sh" "$sock" >/dev/null || fail "could not build the test image"
echo "docker engine: dockerd $pid up at unix://$sock and tcp://127.0.0.1:$tls_port (TLS, certificates in $tls/client)"
