#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SIGKILL in the middle of an ingest, several times: the database passes
# PRAGMA integrity_check, the counters match the events that were committed
# (they share transactions), nothing committed is lost, and re-ingesting
# the whole log afterwards completes it with no event twice.  What counts
# the rows for the API (tests/counters-agree.sql: the counters events and
# containers, each container's figures) equals them after each SIGKILL, the
# restart, and an ingest that prunes as it goes.
. "$TOP_SRCDIR/tests/lib.sh"

command -v sqlite3 > /dev/null || skip_all "no sqlite3 shell"
LOG=$TMP/big.log
awk -v n=60000 -f "$TOP_SRCDIR/tests/genstream.awk" > "$LOG"
"$DRIFTWATCH" --db "$TMP/ref.db" ingest --json "$LOG" > "$TMP/ref.json"
total=$(json_get "$TMP/ref.json" 'd["events"]')
version=$(sqlite3 "$TMP/ref.db" 'PRAGMA user_version')
DB=$TMP/k.db
AGREE=$TOP_SRCDIR/tests/counters-agree.sql
# commits of 2,000 events: the kills land after some of them (the default,
# 20,000, would leave nothing committed when they come)
printf 'batch_events = 2000\n' > "$TMP/kill.conf"
prev=0
for round in 1 2 3; do
	"$DRIFTWATCH" --config "$TMP/kill.conf" --db "$DB" ingest "$LOG" \
	    > /dev/null 2>&1 &
	pid=$!
	# the schema in place first (on a loaded machine an ASan build may
	# still be creating it 0.2 s in; counters-agree.sql needs all of it)
	i=0
	while [ "$(sqlite3 "$DB" 'PRAGMA user_version' 2> /dev/null)" != \
	    "$version" ] && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	# a little later each round, so kills land at different points
	sleep "0.$((round * 2))"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok \
	    "round $round: integrity_check after SIGKILL"
	stored=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
	counted=$(sqlite3 "$DB" "SELECT value FROM counters WHERE name='ingested'")
	is "$counted" "$stored" "round $round: counters match stored events ($stored)"
	is "$(sqlite3 "$DB" < "$AGREE")" 1 \
	    "round $round: the API's counters equal the rows"
	ok "$([ "$stored" -ge "$prev" ]; echo $?)" \
	    "round $round: nothing committed before was lost"
	prev=$stored
done
"$DRIFTWATCH" --db "$DB" ingest "$LOG" > /dev/null
is "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" "$total" \
    "a full re-ingest completes the database"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM (SELECT serial FROM events GROUP BY serial HAVING count(*) > 1)')" \
    0 "no event is stored twice"
is "$(sqlite3 "$DB" < "$AGREE")" 1 "and after the restart, counters equal the rows"

# containers (genlog.py of ../shared/perf) and a retention that prunes
# every 64 commits (of about 1,000 events each)
if [ -r "$SHARED/perf/genlog.py" ]; then
	python3 "$SHARED/perf/genlog.py" -n 100000 --containers 6 --seed 7 \
	    -o "$TMP/c.log"
	printf 'batch_events = 100\nretention_events = 3000\n' > "$TMP/prune.conf"
	"$DRIFTWATCH" --config "$TMP/prune.conf" --db "$TMP/p.db" ingest \
	    "$TMP/c.log" > /dev/null 2>&1
	n=$(sqlite3 "$TMP/p.db" 'SELECT count(*) FROM events')
	c=$(sqlite3 "$TMP/p.db" 'SELECT count(*) FROM containers WHERE events > 0')
	ok "$([ "$n" -lt 90000 ] && [ "$c" -gt 1 ]; echo $?)" \
	    "an ingest that prunes ($n events of $c containers kept)"
	is "$(sqlite3 "$TMP/p.db" < "$AGREE")" 1 \
	    "counters equal the rows after pruning"
else
	printf 'ok %d # SKIP no %s\n' $((tap_n + 1)) "$SHARED/perf/genlog.py"
	tap_n=$((tap_n + 1))
fi
done_testing
