#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Forensic replay of the bundled real capture: summary, status counters,
# event JSON contract, re-ingest adds nothing, stdin, rotated files split
# mid-event, node= prefixes, time filters.
. "$TOP_SRCDIR/tests/lib.sh"

LOG=$TOP_SRCDIR/tests/data/sample.log
[ -s "$LOG" ] || skip_all "no bundled sample log"
DB=$TMP/a.db

"$DRIFTWATCH" --db "$DB" ingest --json "$LOG" > "$TMP/sum.json"
ok $? "ingest of the sample log succeeds"
events=$(json_get "$TMP/sum.json" 'd["events"]')
new=$(json_get "$TMP/sum.json" 'd["ingested"]')
ok "$([ "$events" -gt 100 ]; echo $?)" "the sample has events ($events)"
is "$new" "$events" "all of them are new"
"$DRIFTWATCH" --db "$DB" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["events"]')" "$events" \
    "status counts the stored events"
is "$(json_get "$TMP/st.json" 'sorted(k for k in d if k in ("events","ingested","duplicates","dropped","gaps","malformed"))')" \
    "['dropped', 'duplicates', 'events', 'gaps', 'ingested', 'malformed']" \
    "status --json has the contract counters"

"$DRIFTWATCH" --db "$DB" ingest --json "$LOG" > "$TMP/sum2.json"
is "$(json_get "$TMP/sum2.json" 'd["ingested"]')" 0 "re-ingest adds nothing"
is "$(json_get "$TMP/sum2.json" 'd["duplicates"]')" "$events" \
    "and counts every event as a duplicate"
"$DRIFTWATCH" --db "$DB" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["events"]')" "$events" \
    "the database still holds each event once"

"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/ev.json"
is "$(wc -l < "$TMP/ev.json" | tr -d ' ')" "$events" \
    "events --json prints one line per event"
is "$(json_get "$TMP/ev.json" 'all(set(("serial","time","node","syscall","pid","ppid","exe","container")) <= set(r) for r in d)')" \
    True "every event object carries the contract fields"
is "$(json_get "$TMP/ev.json" 'all(isinstance(r["time"], float) and r["time"] > 1.7e9 for r in d)')" \
    True "time is epoch seconds with a fraction"
is "$(json_get "$TMP/ev.json" 'any(r["syscall"] == "execve" and r["argv"] for r in d)')" \
    True "execve events carry their decoded argv"
is "$(json_get "$TMP/ev.json" '[r["time"] for r in d] == sorted(r["time"] for r in d)')" \
    True "events come oldest first"
"$DRIFTWATCH" --db "$DB" events --limit 5 --json > "$TMP/ev5.json"
is "$(wc -l < "$TMP/ev5.json" | tr -d ' ')" 5 "--limit 5 gives five"
last=$(json_get "$TMP/ev.json" 'd[-1]["serial"]')
is "$(json_get "$TMP/ev5.json" 'd[-1]["serial"]')" "$last" "the latest five"

mid=$(json_get "$TMP/ev.json" 'd[len(d)//2]["time"]')
"$DRIFTWATCH" --db "$DB" events --limit 0 --since "$mid" --json > "$TMP/since.json"
n=$(wc -l < "$TMP/since.json" | tr -d ' ')
ok "$([ "$n" -gt 0 ] && [ "$n" -lt "$events" ]; echo $?)" \
    "--since epoch seconds keeps the later half ($n)"
"$DRIFTWATCH" --db "$DB" events --until 2000-01-01 --json > "$TMP/old.json"
is "$(wc -l < "$TMP/old.json" | tr -d ' ')" 0 "--until before the capture"
"$DRIFTWATCH" --db "$DB" events --since 0m --json > "$TMP/future.json"
is "$(wc -l < "$TMP/future.json" | tr -d ' ')" 0 "--since 0m (now) finds nothing"
"$DRIFTWATCH" --db "$DB" events --since 2000-01-01T00:00:00Z --limit 0 --json > "$TMP/iso.json"
is "$(wc -l < "$TMP/iso.json" | tr -d ' ')" "$events" "--since ISO 8601"
"$DRIFTWATCH" --db "$DB" events --since yesterday > /dev/null 2> "$TMP/err"
is $? 2 "a bad time is a usage error"
ok "$(grep -q 'ISO 8601' "$TMP/err"; echo $?)" "that says which forms work"

"$DRIFTWATCH" --db "$TMP/stdin.db" ingest --json - < "$LOG" > "$TMP/sum3.json"
is "$(json_get "$TMP/sum3.json" 'd["events"]')" "$events" "stdin with - "

lines=$(wc -l < "$LOG")
half=$((lines / 2))
# cut inside an event: move the split point past the first record of one
while sed -n "$((half + 1))p" "$LOG" | grep -q '^type=SYSCALL'; do
	half=$((half + 1))
done
head -n "$half" "$LOG" > "$TMP/audit.log.1"
tail -n +"$((half + 1))" "$LOG" > "$TMP/audit.log"
"$DRIFTWATCH" --db "$TMP/rot.db" ingest --json "$TMP/audit.log.1" \
    "$TMP/audit.log" > "$TMP/sum4.json"
is "$(json_get "$TMP/sum4.json" 'd["events"]')" "$events" \
    "rotated files, oldest first, give the same events"

sed 's/^/node=web-1 /' "$LOG" > "$TMP/node.log"
"$DRIFTWATCH" --db "$TMP/node.db" ingest --json "$TMP/node.log" > "$TMP/sum5.json"
is "$(json_get "$TMP/sum5.json" 'd["events"]')" "$events" "node= prefixes"
"$DRIFTWATCH" --db "$TMP/node.db" events --limit 1 --json > "$TMP/n.json"
is "$(json_get "$TMP/n.json" 'd["node"]')" "web-1" "the node is kept"
"$DRIFTWATCH" --db "$TMP/node.db" ingest --json "$LOG" > "$TMP/sum6.json"
is "$(json_get "$TMP/sum6.json" 'd["ingested"]')" "$events" \
    "the same serials from another node are other events"

# two writers on one new database at once (e.g. the plugin and a replay):
# the schema is created once, and neither loses a batch to the other's lock
awk -v n=20000 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/w1.log"
awk -v n=20000 -v serial=100001 -v start=1795851000 \
    -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/w2.log"
"$DRIFTWATCH" --db "$TMP/two.db" ingest --json "$TMP/w1.log" \
    > "$TMP/w1.json" 2> "$TMP/w1.err" &
wpid=$!
"$DRIFTWATCH" --db "$TMP/two.db" ingest --json "$TMP/w2.log" \
    > "$TMP/w2.json" 2> "$TMP/w2.err"
rc2=$?
wait "$wpid"
rc1=$?
is "$rc1 $rc2" "0 0" "two ingests at once on one new database both succeed"
is "$(json_get "$TMP/w1.json" 'd["dropped"]') $(json_get "$TMP/w2.json" 'd["dropped"]')" \
    "0 0" "neither drops a batch to the other's write lock"
"$DRIFTWATCH" --db "$TMP/two.db" status --json > "$TMP/two.json"
is "$(json_get "$TMP/two.json" 'd["events"]')" 40000 "all 40000 events are stored"

"$DRIFTWATCH" --db "$DB" events --limit 3 > "$TMP/text"
is "$(wc -l < "$TMP/text" | tr -d ' ')" 3 "text output, one line per event"
done_testing
