#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SIGKILL in the middle of an ingest, several times: the database passes
# PRAGMA integrity_check, the counters match the events that were committed
# (they share transactions), nothing committed is lost, and re-ingesting
# the whole log afterwards completes it with no event twice.
. "$TOP_SRCDIR/tests/lib.sh"

command -v sqlite3 > /dev/null || skip_all "no sqlite3 shell"
LOG=$TMP/big.log
awk -v n=60000 -f "$TOP_SRCDIR/tests/genstream.awk" > "$LOG"
"$DRIFTWATCH" --db "$TMP/ref.db" ingest --json "$LOG" > "$TMP/ref.json"
total=$(json_get "$TMP/ref.json" 'd["events"]')
DB=$TMP/k.db
prev=0
for round in 1 2 3; do
	"$DRIFTWATCH" --db "$DB" ingest "$LOG" > /dev/null 2>&1 &
	pid=$!
	# a little later each round, so kills land at different points
	sleep "0.$((round * 2))"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok \
	    "round $round: integrity_check after SIGKILL"
	stored=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
	counted=$(sqlite3 "$DB" "SELECT value FROM counters WHERE name='ingested'")
	is "$counted" "$stored" "round $round: counters match stored events ($stored)"
	ok "$([ "$stored" -ge "$prev" ]; echo $?)" \
	    "round $round: nothing committed before was lost"
	prev=$stored
done
"$DRIFTWATCH" --db "$DB" ingest "$LOG" > /dev/null
is "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" "$total" \
    "a full re-ingest completes the database"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM (SELECT serial FROM events GROUP BY serial HAVING count(*) > 1)')" \
    0 "no event is stored twice"
done_testing
