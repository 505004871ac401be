# shellcheck shell=bash
# Sourced by start.sh and stop.sh: names derived from the state dir.
# Sets: state, hash, xdg (the XDG_RUNTIME_DIR), cgroups (the manager's own
# cgroup in the cgroup2 hierarchy and, on hybrid hosts, in name=systemd).
state=$(cd "$1" && pwd -P)
hash=$(printf %s "$state" | sha256sum | cut -c1-12)
# The longest socket path systemd and its default user units create under
# XDG_RUNTIME_DIR is gnupg/S.gpg-agent.browser (26 bytes); sun_path holds 107
# bytes plus NUL. A long state dir gets its runtime dir in /tmp, linked from
# STATE_DIR/xdg (stop.sh finds it through that link).
xdg=$state/xdg
if [ $((${#xdg} + 27)) -gt 107 ]; then xdg=/tmp/pm-sd-$hash; fi
# The manager must not start in the root cgroup: there, systemd creates
# /init.scope and moves EVERY process of the machine (PID 1 included) into it,
# in every cgroup v1 hierarchy too. In a cgroup of its own, like user@.service
# on a real machine, it only moves itself. It touches a v1 controller only if
# the same path exists in that hierarchy, so the cgroup is made only in the
# cgroup2 hierarchy (and name=systemd, which systemd mirrors on hybrid hosts).
cgroups=()
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  cgroups=("/sys/fs/cgroup/pm-sd-$hash")                    # pure cgroup2
elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
  cgroups=("/sys/fs/cgroup/unified/pm-sd-$hash")            # hybrid
  [ -f /sys/fs/cgroup/systemd/cgroup.procs ] && cgroups+=("/sys/fs/cgroup/systemd/pm-sd-$hash")
fi
