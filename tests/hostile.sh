#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile audit records (tests/hostile-gen.py): a field near and one over
# the line limit, a NUL, invalid hex, 10000 arguments (in one record, and
# split over records with a1[N] chunks), an argument in 1000 chunks, paths
# of 4096+ components, unknown record types, records out of order and
# interleaved, an event twice, serials going back, the clock stepping
# years back and forth (with retention on), an event of 5000 records.
# Each run is timed and its peak memory taken: none crashes or hangs, each
# bad thing gets a clear message and is counted exactly, the good events
# before and after are all stored, and memory does not grow with the
# hostile input (ten times the input, not ten times the memory).  The
# same stream through the plugin (stdin, queued) gives the same counts.
. "$TOP_SRCDIR/tests/lib.sh"

[ -x /usr/bin/time ] || skip_all "/usr/bin/time not installed"
GEN=$TOP_SRCDIR/tests/hostile-gen.py
BUDGET=400000		# KiB: ASan roughly doubles a plain build's 20 MB

# run CASE [SCALE [CONFIG]]: ingests the case into $TMP/CASE.db, leaving
# rc, kib, secs, and the summary, messages and events in $TMP/CASE.*
run() {
	c=$1
	python3 "$GEN" "$c" "${2:-1}" > "$TMP/$c.log"
	rm -f "$TMP/$c.db"
	/usr/bin/time -f '%M %e' -o "$TMP/$c.time" timeout 60 \
	    "$DRIFTWATCH" ${3:+--config "$3"} --db "$TMP/$c.db" ingest --json \
	    "$TMP/$c.log" > "$TMP/$c.json" 2> "$TMP/$c.err"
	[ -s "$TMP/$c.json" ] || echo '{}' > "$TMP/$c.json"
	rc=$(sed -n 's/^Command exited with non-zero status //p' \
	    "$TMP/$c.time")
	rc=${rc:-0}
	kib=$(tail -n 1 "$TMP/$c.time" | cut -d' ' -f1)
	secs=$(tail -n 1 "$TMP/$c.time" | cut -d' ' -f2)
	echo "# $c x${2:-1}: exit $rc, ${secs} s, ${kib} KiB"
	"$DRIFTWATCH" --db "$TMP/$c.db" events --limit 0 --json \
	    > "$TMP/$c.ev" 2> /dev/null
	ok "$([ "$kib" -lt "$BUDGET" ]; echo $?)" \
	    "$c: peak memory $kib KiB within $BUDGET KiB"
}

# sum CASE FIELD: the ingest summary's counter
sum() {
	json_get "$TMP/$1.json" "d.get('$2')"
}

# ev CASE EXPR: a python expression over the stored events (e: by serial,
# first stored; n: how many stored per serial)
ev() {
	python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
e, n = {}, {}
for r in rows:
    e.setdefault(r["serial"], r)
    n[r["serial"]] = n.get(r["serial"], 0) + 1
print(eval(sys.argv[2]))' "$TMP/$1.ev" "$2"
}

# good CASE [N]: all N (default 40) good events around the hostile ones
good() {
	is "$(ev "$1" 'sum(1 for r in rows
	    if (r["argv"] or [""])[-1].startswith("/good/"))')" \
	    "${2:-40}" "$1: the good events before and after are all stored"
}

# says CASE TEXT: a message names the file, a line and the problem
says() {
	ok "$(grep -q "$1.log:[0-9]*: $2" "$TMP/$1.err"; echo $?)" \
	    "$1: says '$2' with file:line"
}

# -- a field near the line limit, and one over it (1 MiB)
run bigfield
is "$rc" 3 "bigfield: exit 3 (malformed input)"
is "$(sum bigfield malformed)" 1 "bigfield: the over-long line is counted"
says bigfield "line too long, skipped"
is "$(ev bigfield 'len(e[1000]["argv"][0])')" 480000 \
    "bigfield: a 480000-byte argument is stored whole"
is "$(ev bigfield 'e[1001]["argv"] is None and e[1001]["exe"]')" \
    /usr/bin/ls "bigfield: the event of the cut record is kept without it"
good bigfield

# -- a NUL inside a record
run nul
is "$rc" 3 "nul: exit 3"
is "$(sum nul malformed)" 1 "nul: counted once"
says nul "NUL byte inside a record"
is "$(ev nul 'e[1000]["argv"] is None and e[1000]["exe"]')" /usr/bin/ls \
    "nul: the rest of its event is stored"
good nul

# -- invalid hex: odd length, non-hex digits (proctitle, argument, path,
# cwd): kept as written, each event counted
run badhex
is "$rc" 3 "badhex: exit 3"
is "$(sum badhex malformed)" 5 "badhex: each of the 5 events is counted"
is "$(grep -c 'invalid hex string.*audit(1795850010.000:100[0-4])' \
    "$TMP/badhex.err")" 5 "badhex: each is reported with its serial"
is "$(ev badhex '[e[1000]["proctitle"], e[1001]["proctitle"],
    e[1002]["argv"][0], e[1003]["paths"][0]["name"], e[1004]["cwd"]]')" \
    "['6C7', 'ZZ41', '4G41', '2F6574632F7', '2F746D7X']" \
    "badhex: the raw values are stored, not misdecoded"
good badhex

# -- 10000 arguments in one record; 10000 over several EXECVE records with
# a long argument in chunks a1[0]..a1[3]
run argv
is "$rc" 0 "argv: exit 0"
is "$(sum argv malformed)" 0 "argv: nothing malformed"
is "$(ev argv '[len(e[1000]["argv"]), e[1000]["argv"][9999]]')" \
    "[10000, 'x9999']" "argv: 10000 arguments of one record"
is "$(ev argv '[len(e[1001]["argv"]), e[1001]["argv"][1] == "A" * 20000,
    e[1001]["argv"][9999]]')" \
    "[10000, True, 'y9999']" "argv: split records and chunks are joined"
good argv
k1=$kib
run argv 5
is "$(ev argv 'len(e[1000]["argv"])')" 50000 "argv x5: 50000 arguments"
ok "$([ "$kib" -lt $((k1 * 3)) ]; echo $?)" \
    "argv x5: memory $kib KiB, not 5 x $k1 KiB"

# -- an argument in 1000 chunks: joined up to 256, counted
run chunks
is "$rc" 3 "chunks: exit 3"
is "$(sum chunks malformed)" 1 "chunks: counted once"
says chunks "EXECVE argument in too many chunks"
is "$(ev chunks 'len(e[1000]["argv"][1])')" 512 \
    "chunks: the first 256 chunks are kept"
good chunks

# -- paths of 4096 components (8 KiB) and 5000 (10 KiB, hex), a deep cwd
run deeppath
is "$rc" 0 "deeppath: exit 0"
is "$(ev deeppath '[len(e[1000]["paths"][0]["name"]),
    len(e[1001]["paths"][0]["name"]), len(e[1001]["cwd"])]')" \
    "[8192, 10000, 8192]" "deeppath: stored whole"
good deeppath
k1=$kib
run deeppath 10
is "$(ev deeppath 'len(e[1000]["paths"][0]["name"])')" 81920 \
    "deeppath x10: 40960 components stored"
ok "$([ "$kib" -lt $((k1 * 3)) ]; echo $?)" \
    "deeppath x10: memory $kib KiB, not 10 x $k1 KiB"

# -- unknown record types: UNKNOWN[9999] alone is an event; a made-up name
# is refused (so its serial is a gap); inside an event, both are refused
# and the event stays whole
run unknown
is "$rc" 3 "unknown: exit 3"
is "$(sum unknown malformed)" 3 "unknown: the 3 unusable records are counted"
is "$(sum unknown gaps)" 1 "unknown: the refused event's serial is a gap"
says unknown "unknown record type: type=MADE_UP_TYPE"
says unknown "record of unknown type inside an event"
is "$(ev unknown '[e[1000]["types"], 1001 in e, e[1002]["types"], n[1002]]')" \
    "['UNKNOWN', False, 'SYSCALL,PROCTITLE', 1]" \
    "unknown: what is stored"
good unknown

# -- records interleaved across ten events and out of order inside each;
# a PROCTITLE first ends its event: the records after it are refused
run order
is "$rc" 3 "order: exit 3"
is "$(ev order '([(e[s]["argv"], e[s]["proctitle"], n[s])
    for s in range(1000, 1010)] ==
    [(["o%d" % i], "ls", 1) for i in range(10)])')" \
    True "order: the interleaved events are each stored whole, once"
is "$(sum order malformed)" 2 "order: the 2 records after PROCTITLE counted"
says order "record of an event already complete"
is "$(ev order '[e[1010]["types"], n[1010]]')" "['PROCTITLE', 1]" \
    "order: no second event of the same serial"
good order

# -- the same event twice: a duplicate, stored once
run dup
is "$rc" 0 "dup: exit 0"
is "$(sum dup duplicates)" 1 "dup: counted as a duplicate"
is "$(ev dup 'n[1000]')" 1 "dup: stored once"
good dup

# -- serials going back (kernel restart): no gap, all stored
run restart
is "$rc" 0 "restart: exit 0"
is "$(sum restart gaps)" 0 "restart: not counted as a gap"
is "$(sum restart ingested)" 60 "restart: every event stored"
good restart 60

# -- the clock five years back, ten forward, back again; retention of 30
# days must not take the newest event from the future as "now"
{
	echo "batch_events = 1"
	echo "retention_days = 30"
} > "$TMP/ret.conf"
# first the clock steps alone: a retention pass (one every 64 events
# committed at batch_events = 1) would rightly take the old events
printf 'batch_events = 1\nretention_days = 0\n' > "$TMP/noret.conf"
run clock 1 "$TMP/noret.conf"
is "$rc" 0 "clock: exit 0"
is "$(sum clock gaps)" 0 "clock: no gap"
is "$(sum clock ingested)" 100 "clock: every event grouped and stored"
good clock 100
awk -v n=5000 -v serial=1080 -v start=1795850300 \
    -f "$TOP_SRCDIR/tests/genstream.awk" >> "$TMP/clock.log"
rm -f "$TMP/ret.db"
"$DRIFTWATCH" --config "$TMP/ret.conf" --db "$TMP/ret.db" ingest --json \
    "$TMP/clock.log" > "$TMP/ret.json" 2> /dev/null
"$DRIFTWATCH" --db "$TMP/ret.db" status --json > "$TMP/ret.st"
is "$(json_get "$TMP/ret.st" 'd["events"]')" 5080 \
    "clock: retention drops only the events five years old"

# -- an event of 5000 records: the first 4096 make the event, the rest
# are counted; ten times as many cost no more memory
run records
is "$rc" 3 "records: exit 3"
is "$(sum records malformed)" 906 "records: each record past 4096 counted"
is "$(ev records '[len(e[1000]["paths"]), n[1000]]')" "[4095, 1]" \
    "records: one event of 4096 records"
good records
k1=$kib
run records 10
is "$(sum records malformed)" 45906 "records x10: every extra record counted"
ok "$([ "$kib" -lt $((k1 * 2)) ]; echo $?)" \
    "records x10: memory $kib KiB, not 10 x $k1 KiB"

# -- ten over-long lines cost no more than one
run bigfield 2
k1=$kib
{
	for i in 1 2 3 4 5 6 7 8 9 10; do
		python3 "$GEN" bigfield 2
	done
} > "$TMP/big10.log"
/usr/bin/time -f '%M %e' -o "$TMP/big10.time" timeout 60 "$DRIFTWATCH" \
    --db "$TMP/big10.db" ingest --json "$TMP/big10.log" > "$TMP/big10.json" \
    2> /dev/null
kib=$(tail -n 1 "$TMP/big10.time" | cut -d' ' -f1)
echo "# bigfield x2, ten times: $(tail -n 1 "$TMP/big10.time")"
is "$(json_get "$TMP/big10.json" 'd["malformed"]')" 20 \
    "ten times the over-long lines: 20 counted"
ok "$([ "$kib" -lt $((k1 * 2)) ]; echo $?)" \
    "and memory $kib KiB, not 10 x $k1 KiB"

# -- the plugin (stdin, reader thread, queue) counts the same; three nodes
for c in nul badhex order; do
	sed "s/^/node=$c /" "$TMP/$c.log"
done > "$TMP/plug.log"
/usr/bin/time -f '%M %e' -o "$TMP/plug.time" timeout 60 "$DRIFTWATCH" \
    --db "$TMP/plug.db" plugin < "$TMP/plug.log" 2> "$TMP/plug.err"
is "$?" 0 "plugin: exits 0 at the end of its input"
echo "# plugin: $(tail -n 1 "$TMP/plug.time")"
"$DRIFTWATCH" --db "$TMP/plug.db" status --json > "$TMP/plug.st"
is "$(json_get "$TMP/plug.st" '[d["malformed"], d["dropped"], d["gaps"]]')" \
    "[8, 0, 0]" "plugin: 1 + 5 + 2 malformed, nothing dropped, no gap"
is "$(json_get "$TMP/plug.st" 'd["events"]')" 137 \
    "plugin: the 41 + 45 + 51 events are stored"
done_testing
