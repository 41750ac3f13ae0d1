#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch netlink --own with no auditd: the test loads the project's
# rules and enables auditing, driftwatch registers as the audit daemon,
# stores the events of commands run with a unique token, refuses a second
# "--own", and gives the audit pid back on SIGTERM.  Rules are cleared and
# auditing set back afterwards.  Skips where the machine refuses (see
# tests/lab/kaudit.sh).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/kaudit.sh"

kaudit_claim || skip_all "$KAUDIT_WHY"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; kaudit_restore; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
DB=$TMP/own.db

"$DRIFTWATCH" rules print > "$TMP/all.rules"
auditctl -R "$TMP/all.rules" > /dev/null
ok $? "rules loaded with auditctl -R"
auditctl -e 1 > /dev/null
ok $? "auditing enabled"

"$DRIFTWATCH" -d --db "$DB" netlink --own 2> "$TMP/err" &
pid=$!
for i in $(seq 100); do
	[ "$(kaudit_status pid)" = "$pid" ] && break
	kill -0 $pid 2> /dev/null || break
	sleep 0.05
done
if ! kill -0 $pid 2> /dev/null; then
	wait $pid
	skip_all "the kernel refuses: $(cat "$TMP/err")"
fi
is "$(kaudit_status pid)" "$pid" "driftwatch is the kernel's audit daemon"

"$DRIFTWATCH" --db "$TMP/second.db" netlink --own 2> "$TMP/err2"
is $? 1 "a second netlink --own is refused"
ok "$(grep -q "process $pid is the kernel's audit daemon already" "$TMP/err2"; echo $?)" \
    "naming the holder"

token=dw-own-$$-$(date +%N)
sleep 1
/bin/echo "$token" > /dev/null
/bin/sh -c "echo $token > $TMP/written"
sleep 2
kill -TERM $pid
wait $pid
is $? 0 "SIGTERM: exit 0"
pid=
is "$(kaudit_status pid)" 0 "the audit pid is given back"
ok "$(grep -q 'audit daemon pid given back' "$TMP/err"; echo $?)" "and says so"

"$DRIFTWATCH" --db "$DB" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["dropped"]')" 0 "none dropped"
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/ev.json"
is "$(json_get "$TMP/ev.json" "sorted(r['exe'] for r in d if r['syscall'] == 'execve' and any('$token' in a for a in r['argv'] or []))")" \
    "['/usr/bin/dash', '/usr/bin/echo']" "the token's execve events are stored"
is "$(json_get "$TMP/ev.json" "any(p['name'] and p['name'].endswith('/written') for r in d for p in r['paths'])")" \
    True "and the file write"

kaudit_restore
is "$(auditctl -l)" "No rules" "rules cleared afterwards"
done_testing
