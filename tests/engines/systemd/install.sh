#!/usr/bin/env bash
# Installs the systemd test engine from Debian:
#   systemd            the user manager (/lib/systemd/systemd --user), systemctl, busctl
#   dbus-user-session  the user bus: systemd does not broker D-Bus itself; this
#                      package ships the user units dbus.socket (listening on
#                      $XDG_RUNTIME_DIR/bus) and dbus.service (dbus-daemon --session)
#   dbus-bin           dbus-send (tests/data/systemd/record.sh: D-Bus error names)
#   libsystemd-dev     sd-bus headers and libsystemd.so for building
#   util-linux         unshare, setsid (essential on Debian; listed for clarity)
# Idempotent: apt is skipped when all are installed. Run as root.
set -euo pipefail
"$(dirname "$0")/../../../scripts/apt-install-missing.sh" "systemd engine" systemd dbus-user-session dbus-bin libsystemd-dev util-linux busybox-static
echo "systemd engine: $(systemctl --version | head -n1) installed"
