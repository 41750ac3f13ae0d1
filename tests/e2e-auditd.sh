#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# End to end with the real kernel audit subsystem: a private auditd runs
# driftwatch as its plugin (format = string) with the project's rules; we
# run commands on the host and in a podman container, stop auditd, and find
# the commands in driftwatch's database, the container's events carrying
# its id (read live from /proc/PID/cgroup).  Skips where the kernel or the
# machine refuses (not root, another audit daemon, no podman).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

DB=$TMP/e2e.db
# auditd passes a plugin at most two arguments and an empty environment
cat > "$TMP/driftwatch-plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --db=$DB plugin
format = string
EOC

have_podman=0
sh "$TOP_SRCDIR/tests/lab/podman-setup.sh" 2> "$TMP/podman.err" &&
    have_podman=1
if [ $have_podman = 1 ]; then
	printf '#!/bin/sh\nsleep 2\ncat /etc/hostname > /tmp/out\necho dw-e2e-in-container\nsleep 2\n' \
	    > "$TMP/entry"
	sh "$TOP_SRCDIR/tests/lab/mkimage.sh" localhost/dw-e2e:1 "$TMP/entry" \
	    > /dev/null 2>> "$TMP/podman.err" || have_podman=0
fi

trap 'lab_auditd_stop; [ -n "${cid:-}" ] && podman rm -f "$cid" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
lab_auditd_start "$TMP/auditd" "$TMP/driftwatch-plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }

token=dw-e2e-$$-$RANDOM
sleep 1
# CAP_DAC_OVERRIDE (bit 1) and CAP_SYS_PTRACE (bit 19): driftwatch(8)
plugin_pid=$(pgrep -f -- "--db=$DB plugin" | head -n 1)
is "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/${plugin_pid:-0}/status" 2> /dev/null)" \
    0000000000080002 \
    "auditd's plugin keeps only the capabilities driftwatch(8) lists"
/bin/echo "$token" > /dev/null
/bin/sh -c "echo $token > $TMP/written-by-host"
if [ $have_podman = 1 ]; then
	cid=$(podman run -d --network none localhost/dw-e2e:1 2>> "$TMP/podman.err")
	podman wait "$cid" > /dev/null 2>&1
fi
sleep 2
lab_auditd_stop
# auditd stops its plugin on its way out; wait for the database to settle
for i in $(seq 50); do
	pgrep -f -- "--db=$DB plugin" > /dev/null || break
	sleep 0.1
done
ok "$(pgrep -f -- "--db=$DB plugin" > /dev/null; [ $? -ne 0 ]; echo $?)" \
    "the plugin exits with auditd"
ok "$([ -f "$DB" ]; echo $?)" "auditd ran driftwatch as its plugin"

"$DRIFTWATCH" --db "$DB" status --json > "$TMP/st.json"
n=$(json_get "$TMP/st.json" 'd["events"]')
ok "$([ "$n" -gt 0 ]; echo $?)" "events were stored ($n)"
is "$(json_get "$TMP/st.json" 'd["dropped"]')" 0 "none dropped"
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/ev.json"
is "$(json_get "$TMP/ev.json" "len([r for r in d if r['syscall'] == 'execve' and r['argv'] and '$token' in r['argv']])")" \
    1 "the host's /bin/echo $token is there, with its argv"
is "$(json_get "$TMP/ev.json" "[r['exe'] for r in d if r['syscall'] == 'execve' and r['argv'] and '$token' in r['argv']][0]")" \
    /usr/bin/echo "with its executable"
is "$(json_get "$TMP/ev.json" "any(p['name'] and p['name'].endswith('written-by-host') for r in d for p in r['paths'])")" \
    True "the host's file write is there"
is "$(json_get "$TMP/ev.json" "[r['container'] for r in d if r['argv'] and '$token' in r['argv']][0]")" \
    None "host events carry no container"
is "$(json_get "$TMP/ev.json" "[r['container'] for r in d if r['pid'] == $$ or r['ppid'] == $$ and r['exe'] != '/usr/bin/podman']")" \
    "$(json_get "$TMP/ev.json" "[None for r in d if r['pid'] == $$ or r['ppid'] == $$ and r['exe'] != '/usr/bin/podman']")" \
    "the test shell and its children are on the host"
if [ $have_podman = 1 ] && [ -n "${cid:-}" ]; then
	is "$(json_get "$TMP/ev.json" "sorted(set(r['container'] for r in d if r['exe'] == '/bin/busybox' and r['argv'] and 'sleep' in r['argv'][0]))")" \
	    "['$cid']" "the container's sleep runs under its container id"
	is "$(json_get "$TMP/ev.json" "any(r['container'] == '$cid' and any(p['name'] == '/tmp/out' for p in r['paths']) for r in d)")" \
	    True "the container's write to /tmp/out is attributed to it"
	"$DRIFTWATCH" --db "$DB" containers --json > "$TMP/c.json"
	is "$(json_get "$TMP/c.json" "'$cid' in str(d)")" True \
	    "containers lists it"
	"$DRIFTWATCH" --db "$DB" events --container "${cid:0:12}" --limit 0 --json > "$TMP/cev.json"
	is "$(json_get "$TMP/cev.json" "len(d) > 0 and all(r['container'] == '$cid' for r in (d if isinstance(d, list) else [d]))")" \
	    True "events --container with a short id"
else
	echo "# podman unavailable, container checks skipped: $(head -c 300 "$TMP/podman.err")"
fi
done_testing
