#!/usr/bin/env bash
# Builds the test image pm-test/busybox:1 in the engine at SOCKET without any
# registry: a rootfs of the static /bin/busybox (Debian's busybox-static) and
# applet symlinks, piped as a tar into `docker import`. No ENV, no CMD: tests
# give every container its command. Idempotent: skipped if the image exists.
# Usage: build-image.sh SOCKET
set -euo pipefail
sock=${1:?usage: build-image.sh SOCKET}
image=pm-test/busybox:1
dk() { docker -H "unix://$sock" "$@"; }
if dk image inspect "$image" >/dev/null 2>&1; then
  echo "docker engine: image $image already present"
  exit 0
fi
# Debian's non-static busybox package also installs /bin/busybox: it would not
# run in an image without libc.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
  echo "docker engine: busybox-static not installed (apt-get install busybox-static)" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/www" "$root/tmp"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for a in sh ash httpd sleep cat echo test [ rm touch ls wget kill nc true false \
         mkdir printf env ps grep id hostname timeout date; do
  ln -s busybox "$root/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
echo ok > "$root/www/health"
tar -C "$root" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -c . \
  | dk import - "$image" >/dev/null
echo "docker engine: built $image"
