#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The main job on the bundled data, for a fresh Debian 12 machine (root):
# installs what is needed, builds driftwatch (optimised, in build/release),
# replays the bundled real capture (tests/data/sample.log: podman
# containers, a podman exec session, a host process beside them) into a
# fresh database (naming the images from the saved copy of podman's state),
# and shows what driftwatch found: the containers, the anomalies (a dropped
# binary executed, /etc/passwd written, an exec session), the images'
# profiles and one container's events.  Its last line is the command that
# serves the database to a browser (the web interface is built in; the
# token is created beside the database).
#   sh contrib/demo.sh [INGEST ARGS...]
#       default: --runtime-root tests/data/sample-state tests/data/sample.log
# With DRIFTWATCH set to a built driftwatch, that one is used (no build).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -eq 0 ] && [ "${DRIFTWATCH_NO_INSTALL:-}" != 1 ]; then
	sh contrib/install-deps.sh
fi
if [ -x "${DRIFTWATCH:-}" ]; then
	dw=$(cd "$(dirname "$DRIFTWATCH")" && pwd)/$(basename "$DRIFTWATCH")
else
	[ -x configure ] || autoreconf -fi
	mkdir -p build/release
	(cd build/release && { [ -f Makefile ] || "$top/configure" -q; } &&
	    make -j"$(nproc)" >/dev/null)
	dw="$top/build/release/src/driftwatch"
fi
db=${DRIFTWATCH_DEMO_DB:-$top/build/demo.db}
rm -f "$db" "$db-wal" "$db-shm"
[ $# -gt 0 ] || set -- --runtime-root "$top/tests/data/sample-state" \
    "$top/tests/data/sample.log"

echo "== driftwatch ingest $*"
rc=0
"$dw" --db "$db" ingest "$@" || rc=$?
echo
echo "== driftwatch status"
"$dw" --db "$db" status
echo
echo "== driftwatch containers"
"$dw" --db "$db" containers
echo
echo "== driftwatch anomalies"
"$dw" --db "$db" anomalies
echo
echo "== driftwatch baseline list"
"$dw" --db "$db" baseline list
cid=$("$dw" --db "$db" anomalies --min-severity critical --json --limit 1 |
    sed -n 's/.*"container":{"id":"\([0-9a-f]*\)".*/\1/p')
if [ -n "$cid" ]; then
	echo
	echo "== the last 12 events of the attacked container" \
	    "(driftwatch events --container ${cid%"${cid#????????????}"} --limit 12)"
	"$dw" --db "$db" events --container "$cid" --limit 12
fi
echo
echo "database: $db (open it with sqlite3; see schema/README)"
echo
echo "== to browse it, run the line below, open http://127.0.0.1:8079/ and"
echo "== paste the token it prints the place of ($(dirname "$db")/api.token):"
echo "$dw --db $db serve"
exit "$rc"
