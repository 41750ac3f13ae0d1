#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# driftwatch netlink beside auditd: a private auditd runs the project's
# rules and driftwatch as its plugin (database A) while "driftwatch
# netlink" reads the kernel's multicast copy (database B).  Commands run
# with a unique token must be in both databases as the same events (same
# serials).  While auditd holds the audit pid, "netlink --own" is refused.
# Skips where the machine refuses (see tests/lab/kaudit.sh, auditd.sh).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/kaudit.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

kaudit_claim || skip_all "$KAUDIT_WHY"
A=$TMP/plugin.db
B=$TMP/netlink.db
nlpid=
cat > "$TMP/driftwatch-plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --db=$A plugin
format = string
EOC
trap '[ -n "$nlpid" ] && kill "$nlpid" 2> /dev/null; lab_auditd_stop; kaudit_restore; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
lab_auditd_start "$TMP/auditd" "$TMP/driftwatch-plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }

"$DRIFTWATCH" -d --db "$B" netlink 2> "$TMP/nl.err" &
nlpid=$!
for i in $(seq 100); do
	grep -q 'reading audit records' "$TMP/nl.err" && break
	kill -0 $nlpid 2> /dev/null || break
	sleep 0.05
done
if grep -q 'cannot join the audit multicast group' "$TMP/nl.err"; then
	skip_all "the kernel refuses the multicast group: $(cat "$TMP/nl.err")"
fi
ok "$(grep -q 'reading audit records' "$TMP/nl.err"; echo $?)" \
    "netlink joined the multicast group"

"$DRIFTWATCH" --db "$TMP/own.db" netlink --own 2> "$TMP/own.err"
is $? 1 "netlink --own is refused while auditd is the audit daemon"
ok "$(grep -q "process $LAB_AUDITD_PID is the kernel's audit daemon already" "$TMP/own.err"; echo $?)" \
    "naming auditd's pid"

token=dw-netlink-$$-$RANDOM
sleep 1
/bin/echo "$token" > /dev/null
/bin/sh -c "echo $token > $TMP/written"
/usr/bin/env true "$token"
sleep 2
kill -TERM $nlpid
wait $nlpid
is $? 0 "netlink exits 0 on SIGTERM"
nlpid=
ok "$(grep -q 'netlink stopping: .* events, .* stored, 0 dropped' "$TMP/nl.err"; echo $?)" \
    "and logs its counters, nothing dropped"
lab_auditd_stop
for i in $(seq 50); do
	pgrep -f -- "--db=$A plugin" > /dev/null || break
	sleep 0.1
done

"$DRIFTWATCH" --db "$B" status --json > "$TMP/stb.json"
is "$(json_get "$TMP/stb.json" 'd["dropped"]')" 0 "B: none dropped"
tok="r['syscall'] == 'execve' and any('$token' in a for a in r['argv'] or [])"
q="sorted(r['serial'] for r in d if $tok)"
"$DRIFTWATCH" --db "$A" events --limit 0 --json > "$TMP/a.json"
"$DRIFTWATCH" --db "$B" events --limit 0 --json > "$TMP/b.json"
sa=$(json_get "$TMP/a.json" "$q")
sb=$(json_get "$TMP/b.json" "$q")
is "$(json_get "$TMP/b.json" "len($q)")" 4 \
    "netlink stored the token's four execve events"
is "$sb" "$sa" "the plugin has the same events, same serials"
is "$(json_get "$TMP/b.json" "sorted(r['exe'] for r in d if $tok)")" \
    "['/usr/bin/dash', '/usr/bin/echo', '/usr/bin/env', '/usr/bin/true']" \
    "with their executables"
is "$(json_get "$TMP/b.json" "any(p['name'] and p['name'].endswith('/written') for r in d for p in r['paths'])")" \
    True "and the file write"
done_testing
