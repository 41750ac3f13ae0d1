#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# podman-setup.sh -- make rootful podman able to run a container on a lab
# host like ours (Debian 12, no systemd, hybrid cgroups v1, root without
# CAP_SYS_RESOURCE), then prove it by running one.  Idempotent.
#
#   1. containers.conf: lower default ulimits (podman's defaults need
#      CAP_SYS_RESOURCE), cgroupfs manager and file events logger (no
#      systemd), netavark.  Written to /etc/containers/containers.conf when
#      that file does not exist, else as a drop-in in containers.conf.d so
#      an administrator's file is never rewritten.
#   2. crun refuses hybrid cgroups while a controller listed in the v2
#      mount has no v1 hierarchy: mount one for each.
#   3. Build a busybox probe image and run "true" in it.
#
# Exit 0 when a container ran, 77 with "SKIP: ..." on stderr when it cannot
# (not root, podman missing, run failed), 1 on an unexpected error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*" >&2; exit 77; }

[ "$(id -u)" = 0 ] || skip "podman lab tests need root"
command -v podman >/dev/null || skip "podman not installed (contrib/install-deps.sh)"

conf='[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"'

mkdir -p /etc/containers
if [ ! -e /etc/containers/containers.conf ]; then
	printf '%s\n' "$conf" > /etc/containers/containers.conf
elif [ "$(cat /etc/containers/containers.conf)" != "$conf" ]; then
	mkdir -p /etc/containers/containers.conf.d
	f=/etc/containers/containers.conf.d/50-driftwatch-lab.conf
	[ "$(cat "$f" 2>/dev/null)" = "$conf" ] || printf '%s\n' "$conf" > "$f"
fi

if [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
	for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
		mountpoint -q "/sys/fs/cgroup/$c" && continue
		mkdir -p "/sys/fs/cgroup/$c" &&
		mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" ||
			skip "cannot mount cgroup v1 controller $c (crun needs it on hybrid cgroups)"
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/podman-setup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\nexec "$@"\n' > "$tmp/entry"
"$here/mkimage.sh" localhost/driftwatch-probe:1 "$tmp/entry" > "$tmp/id" 2> "$tmp/err"
case $? in
0) ;;
77) cat "$tmp/err" >&2; exit 77 ;;
*) skip "cannot build a busybox image: $(tr '\n' ' ' < "$tmp/err")" ;;
esac
if ! out=$(podman run --rm --network none localhost/driftwatch-probe:1 /bin/true 2>&1); then
	skip "podman cannot run a container: $out"
fi
exit 0
