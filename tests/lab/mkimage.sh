#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# mkimage.sh NAME:TAG ENTRY_SCRIPT -- build a tiny busybox image, no registry.
#
# The root filesystem is /bin/busybox (static, from busybox-static) with one
# link per applet in /bin, ENTRY_SCRIPT as /entry (the image's ENTRYPOINT),
# a minimal /etc and a world-writable /tmp; "podman import" turns it into
# an image in well under a second.  If MKIMAGE_EXTRA names a directory, its
# contents are copied over the root filesystem last.
#
# Re-importing a tag leaves the previous image untagged; we remove it when no
# container uses it.  Exit 0 and the new image id on stdout, 77 (SKIP) when
# podman or a static busybox is missing, 1 on error.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 NAME:TAG ENTRY_SCRIPT" >&2
	exit 1
fi
name=$1
entry=$2
busybox=${MKIMAGE_BUSYBOX:-/bin/busybox}

command -v podman >/dev/null || { echo "SKIP: podman not installed" >&2; exit 77; }
# ldd fails on a static binary ("not a dynamic executable").
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "SKIP: no static busybox at $busybox (apt-get install busybox-static)" >&2
	exit 77
fi
[ -r "$entry" ] || { echo "$0: cannot read $entry" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mkimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/var/www" \
	"$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$entry" "$root/entry"
chmod 0755 "$root/entry"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	> "$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
if [ -n "${MKIMAGE_EXTRA:-}" ]; then
	cp -a "$MKIMAGE_EXTRA/." "$root/"
fi

tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$work/img.tar" .

old=$(podman image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
new=$(podman import --quiet \
	--change 'ENTRYPOINT ["/entry"]' \
	--change 'ENV PATH=/bin' \
	--message "driftwatch lab image $name" \
	"$work/img.tar" "$name")
new=${new#sha256:}
if [ -n "$old" ] && [ "$old" != "$new" ]; then
	podman image rm "$old" >/dev/null 2>&1 || true
fi
echo "$new"
