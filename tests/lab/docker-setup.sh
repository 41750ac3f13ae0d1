#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# docker-setup.sh -- what a test needs to run its own dockerd on a lab host
# like ours (Debian 12, no systemd, hybrid cgroups v1), and busybox images
# for it without a registry.  Idempotent; starts no daemon (the test starts
# dockerd itself, so that it owns the PID it stops).
#
#   docker-setup.sh [check]
#       Root; dockerd, docker, containerd, runc (Debian docker.io,
#       containerd, runc) and a static busybox installed; every cgroup v1
#       controller listed in the v2 mount has a v1 hierarchy (as
#       podman-setup.sh does: runc, like crun, wants them on hybrid
#       cgroups).
#   docker-setup.sh rootfs ENTRY_SCRIPT OUT.tar
#       A busybox root filesystem as a tar for "docker import", built as
#       mkimage.sh builds podman's: /bin/busybox (static) with one link per
#       applet, ENTRY_SCRIPT as /entry, a minimal /etc, a world-writable
#       /tmp; the contents of $MKIMAGE_EXTRA (a directory), if set, are
#       copied over it last.  Then:
#         docker import --change 'ENTRYPOINT ["/entry"]' \
#             --change 'ENV PATH=/bin' OUT.tar NAME:TAG
#
# Exit 0 when done, 77 with "SKIP: ..." on stderr when this machine cannot
# (not root, something missing, a controller cannot be mounted), 1 on error.
set -u

skip() { echo "SKIP: $*" >&2; exit 77; }
busybox=${MKIMAGE_BUSYBOX:-/bin/busybox}

static_busybox() {
	# ldd fails on a static binary ("not a dynamic executable")
	[ -x "$busybox" ] && ! ldd "$busybox" > /dev/null 2>&1 ||
		skip "no static busybox at $busybox (apt-get install busybox-static)"
}

check() {
	[ "$(id -u)" = 0 ] || skip "docker lab tests need root"
	for p in dockerd docker containerd runc; do
		command -v "$p" > /dev/null ||
			skip "$p not installed (apt-get install docker.io containerd runc)"
	done
	static_busybox
	if [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
		for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
			mountpoint -q "/sys/fs/cgroup/$c" && continue
			mkdir -p "/sys/fs/cgroup/$c" &&
			mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" ||
				skip "cannot mount cgroup v1 controller $c (runc needs it on hybrid cgroups)"
		done
	fi
}

rootfs() {
	entry=$1
	out=$2
	static_busybox
	[ -r "$entry" ] || { echo "$0: cannot read $entry" >&2; exit 1; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/docker-rootfs.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
	root=$work/rootfs
	mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/root" "$root/tmp" \
	    "$root/var/www" "$root/proc" "$root/sys" "$root/dev" || exit 1
	chmod 1777 "$root/tmp"
	cp "$busybox" "$root/bin/busybox" || exit 1
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
	done
	cp "$entry" "$root/entry" && chmod 0755 "$root/entry" || exit 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	    > "$root/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
	if [ -n "${MKIMAGE_EXTRA:-}" ]; then
		cp -a "$MKIMAGE_EXTRA/." "$root/" || exit 1
	fi
	tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" . || exit 1
}

case ${1:-check} in
check)
	check
	;;
rootfs)
	[ $# -eq 3 ] || { echo "usage: $0 rootfs ENTRY_SCRIPT OUT.tar" >&2; exit 1; }
	rootfs "$2" "$3"
	;;
*)
	echo "usage: $0 [check] | rootfs ENTRY_SCRIPT OUT.tar" >&2
	exit 1
	;;
esac
exit 0
