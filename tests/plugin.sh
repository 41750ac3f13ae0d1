#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The auditd plugin without auditd: a stream with EOE records on stdin.
# Events are stored and flushed at EOF; a flood into a tiny queue drops
# events and counts every one (stored + dropped = sent); SIGTERM from a
# process that is not the parent is ignored; SIGTERM from the parent means
# drain to EOF and exit.
. "$TOP_SRCDIR/tests/lib.sh"

awk -v n=50 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/s1.log"
awk -v n=2950 -v eoe=1 -v serial=51 -v start=1795851000 \
    -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/s2.log"
cat "$TMP/s1.log" "$TMP/s2.log" > "$TMP/s.log"
"$DRIFTWATCH" --db "$TMP/p.db" plugin < "$TMP/s.log" 2> "$TMP/err"
is $? 0 "the plugin exits 0 at EOF"
"$DRIFTWATCH" --db "$TMP/p.db" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["events"]')" 3000 "every event is stored"
is "$(json_get "$TMP/st.json" 'd["dropped"]')" 0 "none dropped"
is "$(json_get "$TMP/st.json" 'd["gaps"]')" 0 "no serial gap"

# a gap: serials 5001..5010 missing
{
	awk -v n=100 -v eoe=1 -v serial=4901 -f "$TOP_SRCDIR/tests/genstream.awk"
	awk -v n=100 -v eoe=1 -v serial=5011 -v start=1795851000 \
	    -f "$TOP_SRCDIR/tests/genstream.awk"
} | "$DRIFTWATCH" --db "$TMP/gap.db" plugin 2> /dev/null
"$DRIFTWATCH" --db "$TMP/gap.db" status --json > "$TMP/gap.json"
is "$(json_get "$TMP/gap.json" 'd["gaps"]')" 10 "missing serials are counted as gaps"

# flood: a queue of 16 events cannot keep up with 60000 sent at once
printf 'queue_events = 16\nbatch_events = 1\n' > "$TMP/flood.conf"
awk -v n=60000 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/flood.log"
"$DRIFTWATCH" --config "$TMP/flood.conf" --db "$TMP/f.db" plugin \
    < "$TMP/flood.log" 2> /dev/null
"$DRIFTWATCH" --db "$TMP/f.db" status --json > "$TMP/f.json"
stored=$(json_get "$TMP/f.json" 'd["events"]')
dropped=$(json_get "$TMP/f.json" 'd["dropped"]')
ok "$([ "$dropped" -gt 0 ]; echo $?)" "a full queue drops ($dropped dropped)"
is "$((stored + dropped))" 60000 "stored + dropped = sent ($stored + $dropped)"

# SIGTERM from a stranger is ignored; EOF still ends it cleanly
mkfifo "$TMP/fifo"
( "$DRIFTWATCH" -d --db "$TMP/t.db" plugin < "$TMP/fifo" 2> "$TMP/terr" &
  echo $! > "$TMP/pid" )
exec 9> "$TMP/fifo"
cat "$TMP/s1.log" >&9
sleep 1
pid=$(cat "$TMP/pid")
kill -TERM "$pid"
sleep 1
kill -0 "$pid" 2> /dev/null
ok $? "SIGTERM from a process that is not the parent is ignored"
ok "$(grep -q 'did not come from the parent' "$TMP/terr"; echo $?)" \
    "and logged"
cat "$TMP/s2.log" >&9
exec 9>&-
i=0
while kill -0 "$pid" 2> /dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$pid" 2> /dev/null
ok "$([ $? -ne 0 ]; echo $?)" "EOF ends the plugin"
"$DRIFTWATCH" --db "$TMP/t.db" status --json > "$TMP/t.json"
is "$(json_get "$TMP/t.json" 'd["events"]')" 3000 \
    "everything sent before EOF is stored"

# SIGTERM from the parent: drain what is still coming, then exit
cat > "$TMP/parent.sh" <<EOS
exec 8< "$TMP/fifo2"
"$DRIFTWATCH" --db "$TMP/pt.db" plugin <&8 &
child=\$!
sleep 1
kill -TERM \$child
wait \$child
echo \$? > "$TMP/prc"
EOS
mkfifo "$TMP/fifo2"
sh "$TMP/parent.sh" 2> /dev/null &
shpid=$!
exec 7> "$TMP/fifo2"
cat "$TMP/s1.log" >&7
sleep 2
cat "$TMP/s2.log" >&7
exec 7>&-
wait "$shpid"
is "$(cat "$TMP/prc")" 0 "SIGTERM from the parent: a clean exit"
"$DRIFTWATCH" --db "$TMP/pt.db" status --json > "$TMP/pt.json"
is "$(json_get "$TMP/pt.json" 'd["events"]')" 3000 \
    "what arrived after SIGTERM and before EOF is stored too"
done_testing
