#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every real log in ../shared/corpus ingests without a crash, and the number
# of events driftwatch parses equals what a plain libauparse walk (auwalk)
# counts in the same file.  Why the two could differ at all: driftwatch
# groups records by (node, time, serial) in a bounded window before auparse
# sees them, while the walk lets auparse assemble the raw stream itself.  On
# real logs the two agree, including SPADE's USER records that share a
# SYSCALL's serial (auparse splits those either way), interleaved and
# non-contiguous records (still inside the window, merged as auparse merges
# them), clock skew between records, comment lines (skipped by both), old
# logs without PROCTITLE, and repeated node+serial pairs (counted by us as
# duplicates), even the go-libaudit fixtures assembled in record-type
# order (events time out by auparse's own rule: whole seconds of log time,
# only when a newer record arrives).
# Skips when ../shared/corpus is absent (a user's clone).
. "$TOP_SRCDIR/tests/lib.sh"

CORPUS=$SHARED/corpus
[ -d "$CORPUS" ] || skip_all "no ../shared/corpus here"
: "${AUWALK:?}"

find "$CORPUS" -type f ! -name '*.md' | sort > "$TMP/files"
[ -s "$TMP/files" ] || skip_all "the corpus is empty"
i=0
while read -r f; do
	i=$((i + 1))
	name=${f#"$CORPUS"/}
	"$DRIFTWATCH" --db "$TMP/c$i.db" ingest --json "$f" > "$TMP/s$i.json" \
	    2> "$TMP/e$i"
	rc=$?
	ok "$([ $rc -eq 0 ] || [ $rc -eq 3 ]; echo $?)" "$name ingests (exit $rc)"
	ours=$(json_get "$TMP/s$i.json" 'd["events"]')
	theirs=$("$AUWALK" "$f" | awk '{print $2}')
	want=$theirs
	is "$ours" "$want" "$name: $ours events, auparse walk $theirs"
	"$DRIFTWATCH" --db "$TMP/c$i.db" events --limit 0 --json > "$TMP/ev$i" 
	ok $? "$name: stored events read back"
done < "$TMP/files"
done_testing
