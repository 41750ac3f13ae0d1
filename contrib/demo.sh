#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The main job on the bundled data, for a fresh Debian 12 machine (root):
# installs what is needed, builds driftwatch (optimised, in build/release),
# replays the bundled real capture (tests/data/sample.log: podman
# containers, a podman exec session, a host process beside them) into a
# fresh database, and shows what driftwatch found.
#   sh contrib/demo.sh [LOG...]      default: tests/data/sample.log
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -eq 0 ] && [ "${DRIFTWATCH_NO_INSTALL:-}" != 1 ]; then
	sh contrib/install-deps.sh
fi
[ -x configure ] || autoreconf -fi
mkdir -p build/release
(cd build/release && { [ -f Makefile ] || "$top/configure" -q; } &&
    make -j"$(nproc)" >/dev/null)
dw="$top/build/release/src/driftwatch"
db=${DRIFTWATCH_DEMO_DB:-$top/build/demo.db}
rm -f "$db" "$db-wal" "$db-shm"
[ $# -gt 0 ] || set -- "$top/tests/data/sample.log"

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
echo "== the last 15 events (driftwatch events --limit 15)"
"$dw" --db "$db" events --limit 15
echo
echo "database: $db (open it with sqlite3; see schema/README)"
exit "$rc"
