#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bad input: garbage, binary junk, truncated and broken records, over-long
# lines, empty and missing files.  Each gets a clear message and a count,
# the rest of the stream is stored, and the exit status tells a script.
. "$TOP_SRCDIR/tests/lib.sh"

good=$TMP/good.log
awk -v n=30 -f "$TOP_SRCDIR/tests/genstream.awk" > "$good"
bad=$TMP/bad.log
{
	head -n 20 "$good"
	echo "garbage line without any structure"
	printf 'type=\n'
	printf 'binary \001\002\003\377 junk\n'
	echo 'msg=audit(1795850000.001:99): no type field here'
	echo 'type=PATH msg=audit(17958XXXX.abc:zz): item=0 name="/etc/passwd"'
	echo 'type=SYSCALL msg=audit(1795850009.000:900): arch=c000003e syscall=59 success=yes exit=0 a0=5'
	echo 'type=CWD msg=audit(1795850009.001:901): cwd="/unterminated'
	head -c 3000000 /dev/zero | tr '\0' 'x'
	echo
	tail -n +21 "$good"
} > "$bad"

"$DRIFTWATCH" --db "$TMP/g.db" ingest --json "$good" > "$TMP/g.json"
is $? 0 "a clean log exits 0"
want=$(json_get "$TMP/g.json" 'd["events"]')
"$DRIFTWATCH" --db "$TMP/b.db" ingest --json "$bad" > "$TMP/b.json" 2> "$TMP/err"
is $? 3 "malformed input exits 3"
is "$(json_get "$TMP/b.json" 'd["malformed"]')" 8 \
    "each bad line or broken record is counted"
"$DRIFTWATCH" --db "$TMP/b.db" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["malformed"]')" 8 "status shows the count"
"$DRIFTWATCH" --db "$TMP/b.db" events --limit 0 --json > "$TMP/ev.json"
is "$(json_get "$TMP/ev.json" 'len([r for r in d if r["serial"] < 900])')" \
    "$want" "every good event around the junk is stored"
ok "$(grep -q 'bad.log:21: no type= field' "$TMP/err"; echo $?)" \
    "the message names file and line"
ok "$(grep -q 'line too long' "$TMP/err"; echo $?)" \
    "an over-long line is reported"
ok "$(grep -q 'truncated or broken record' "$TMP/err"; echo $?)" \
    "a truncated record is reported"

: > "$TMP/empty.log"
"$DRIFTWATCH" --db "$TMP/e.db" ingest --json "$TMP/empty.log" > "$TMP/e.json"
is $? 0 "an empty file is fine"
is "$(json_get "$TMP/e.json" 'd["events"]')" 0 "and has no events"

"$DRIFTWATCH" --db "$TMP/m.db" ingest --json "$TMP/missing.log" "$good" \
    > "$TMP/m.json" 2> "$TMP/merr"
is $? 1 "a missing file exits 1"
ok "$(grep -q 'missing.log' "$TMP/merr"; echo $?)" "naming the file"
is "$(json_get "$TMP/m.json" 'd["events"]')" "$want" \
    "the other files are still ingested"

head -c 100000 /dev/urandom > "$TMP/junk.bin"
"$DRIFTWATCH" --db "$TMP/j.db" ingest --json "$TMP/junk.bin" > "$TMP/j.json" 2>/dev/null
is $? 3 "binary junk is malformed input, not a crash"
is "$(json_get "$TMP/j.json" 'd["events"]')" 0 "and yields no events"

"$DRIFTWATCH" --db "$TMP/x.db" nosuchcommand 2>/dev/null
is $? 2 "an unknown command is a usage error"
"$DRIFTWATCH" --db "$TMP/none.db" status 2> "$TMP/serr"
is $? 1 "status without a database fails"
ok "$(grep -q 'no database' "$TMP/serr"; echo $?)" "and says so"
done_testing
