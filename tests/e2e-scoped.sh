#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Audit rules scoped to one container, with real auditd and podman: with
# scoped_rules on, the plugin adds "dir=" rules on a running container's
# overlay root once it learns the container, they fire for the container's
# reads of /etc and not for a host process reading the same path names,
# and they go when the runtime deletes the container.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

LAB=$TOP_SRCDIR/tests/lab
sh "$LAB/podman-setup.sh" 2> "$TMP/podman.err" ||
    skip_all "$(tail -n 1 "$TMP/podman.err")"
cat > "$TMP/entry" <<'EOS'
#!/bin/sh
sleep 3
i=0
while [ $i -lt 5 ]; do
	cat /etc/hostname > /dev/null
	cat /etc/group > /dev/null
	i=$((i + 1))
	sleep 0.5
done
EOS
sh "$LAB/mkimage.sh" localhost/dw-scope:1 "$TMP/entry" > /dev/null \
    2>> "$TMP/podman.err" || skip_all "cannot build an image"

DB=$TMP/scoped.db
cat > "$TMP/dw.conf" <<EOC
db = $DB
scoped_rules = yes
scoped_paths = /etc
EOC
cat > "$TMP/plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --config=$TMP/dw.conf plugin
format = string
EOC
cid=
cleanup() {
	lab_auditd_stop
	[ -n "$cid" ] && podman rm -f "$cid" > /dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
lab_auditd_start "$TMP/auditd" "$TMP/plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
sleep 1

cid=$(podman run -d --network none localhost/dw-scope:1)
key=driftwatch-ctr-${cid:0:12}
added=1
for i in $(seq 60); do
	auditctl -l | grep -q -- "$key" && { added=0; break; }
	sleep 0.1
done
ok $added "a scoped rule is added for the running container"
auditctl -l | grep -- "$key" > "$TMP/rules"
merged=$(podman inspect --format '{{.GraphDriver.Data.MergedDir}}' "$cid")
ok "$(grep -q -- "dir=$merged/etc" "$TMP/rules"; echo $?)" \
    "on the container's overlay root"
# the host reads the same path names meanwhile
( for i in 1 2 3 4 5; do cat /etc/hostname /etc/group > /dev/null;
    sleep 0.5; done ) &
hostpid=$!
wait $hostpid
podman wait "$cid" > /dev/null 2>&1
podman rm "$cid" > /dev/null 2>&1
gone=1
for i in $(seq 60); do
	auditctl -l | grep -q -- "$key" || { gone=0; break; }
	sleep 0.1
done
ok $gone "and removed when the runtime deletes the container"
lab_auditd_stop
for i in $(seq 50); do
	pgrep -f -- "--config=$TMP/dw.conf plugin" > /dev/null || break
	sleep 0.1
done

"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/ev.json"
n=$(json_get "$TMP/ev.json" "len([r for r in d if r['key'] == '$key'])")
ok "$([ "$n" -gt 0 ]; echo $?)" "the scoped rule fired ($n events)"
is "$(json_get "$TMP/ev.json" "sorted(set(str(r['container']) for r in d if r['key'] == '$key' and r['exe'] == '/bin/busybox'))")" \
    "['$cid']" "its events from the container's programs are the container's"
is "$(json_get "$TMP/ev.json" "len([r for r in d if r['key'] == '$key' and (r['ppid'] == $hostpid or r['pid'] == $hostpid or r['container'] is None and r['exe'] in ('/usr/bin/cat', '/bin/cat'))])")" \
    0 "the host reading the same paths does not fire it"
# keeping CAP_AUDIT_CONTROL, the plugin stored the kernel's own counts
is "$(sqlite3 "$DB" "SELECT count(*) FROM counters WHERE
    (name = 'kernel_read_ms' AND value > $(date +%s)000 - 600000) OR
    (name = 'kernel_backlog_limit' AND value > 0) OR name = 'kernel_lost'")" \
    3 "the plugin stored the kernel's lost and backlog counts"
"$DRIFTWATCH" --db "$DB" status > "$TMP/status"
ok "$(grep -Eq '^kernel lost [0-9]+ \(records the kernel could not queue; backlog [0-9]+ of [0-9]+' "$TMP/status" &&
    grep -q '^gaps .*(serials not seen: includes events filtered by never rules' "$TMP/status"; echo $?)" \
    "status shows the kernel's lost count, and gaps for what they are"
cid=
done_testing
