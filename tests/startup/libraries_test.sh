#!/usr/bin/env bash
# Which shared libraries process-monitor loads, from the dynamic loader's own
# trace (LD_DEBUG=files): at start only the C library's; libcurl (and its
# ~40 dependencies) only for a run that makes an HTTP call, libsystemd only
# for one that talks to systemd (src/util/curl_global.hpp,
# src/backend/systemd_library.hpp). Each check can fail both ways: the
# library must be absent where it is not needed and present where it is.
set -euo pipefail
binary=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
umask 022
fail() { echo "FAIL: $*" >&2; exit 1; }

# loaded ARGS...: the sonames the run loaded, one per line ("file=NAME [0];").
loaded() {
  LD_DEBUG=files LD_DEBUG_OUTPUT="$dir/trace" "$binary" "$@" >/dev/null 2>&1 || true
  sed -n 's/.*file=\([^ ]*\) .*/\1/p' "$dir"/trace.* | sort -u
  rm -f "$dir"/trace.*
}
has() { grep -qx "$1" <<<"$2"; }

# A config with a systemd service and no URL: checked without libcurl or libsystemd.
cat >"$dir/systemd.toml" <<TOML
[monitor]
state_dir = "$dir/state"

[[service]]
name = "web"
backend = "systemd"
unit = "web.service"
TOML
libs=$(loaded check-config -c "$dir/systemd.toml")
[ -n "$libs" ] || fail "LD_DEBUG=files traced nothing: is the binary setuid or LD_DEBUG unsupported?"
for avoided in libcurl.so.4 libsystemd.so.0 libspdlog.so.1.10 libfmt.so.9 libtomlplusplus.so.3 \
  libboost_filesystem.so.1.74.0 libz.so.1 libssl.so.3 libgnutls.so.30; do
  if has "$avoided" "$libs"; then fail "check-config of a config without URLs loaded $avoided"; fi
done
if ! has libasan.so.8 "$libs" && has libstdc++.so.6 "$libs"; then
  fail "process-monitor loaded the shared C++ runtime (it is linked statically)"
fi
has libc.so.6 "$libs" || fail "the trace does not show libc.so.6: the check would pass vacuously"

# The same config with a health URL: libcurl checks the URL, so it is loaded.
cat >>"$dir/systemd.toml" <<TOML
  [service.health]
  url = "http://127.0.0.1:9/health"
TOML
libs=$(loaded check-config -c "$dir/systemd.toml")
has libcurl.so.4 "$libs" || fail "check-config of a config with a URL did not load libcurl.so.4"
if has libsystemd.so.0 "$libs"; then fail "check-config loaded libsystemd.so.0 without talking to systemd"; fi

# --version names the libcurl that runs, so it loads it.
libs=$(loaded --version)
has libcurl.so.4 "$libs" || fail "--version did not load libcurl.so.4"

# A run that talks to systemd loads libsystemd (whether or not a manager answers).
cat >"$dir/systemd-only.toml" <<TOML
[monitor]
state_dir = "$dir/state"

[systemd]
scope = "user"

[[service]]
name = "web"
backend = "systemd"
unit = "web.service"
TOML
libs=$(XDG_RUNTIME_DIR=$dir/no-runtime loaded --once -q -c "$dir/systemd-only.toml")
has libsystemd.so.0 "$libs" || fail "a run with a systemd service did not load libsystemd.so.0"
if has libcurl.so.4 "$libs"; then fail "a run without HTTP loaded libcurl.so.4"; fi
echo ok
