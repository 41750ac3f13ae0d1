#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Container attribution end to end, with real auditd and real podman
# containers: two containers of one busybox image and one of another, a
# podman exec session, and a host process running the same busybox binary
# at the same time.  Live (driftwatch as auditd's plugin: cgroups and the
# log), then by replaying the captured log after the containers are gone
# (the log alone, image names from a saved copy of podman's state).
# Checked from driftwatch's own output: each container's events carry it,
# with the right image; the host's do not; the replay agrees with the live
# run on at least 99 % of the container events and on every host event.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

LAB=$TOP_SRCDIR/tests/lab
sh "$LAB/podman-setup.sh" 2> "$TMP/podman.err" ||
    skip_all "$(tail -n 1 "$TMP/podman.err")"

cat > "$TMP/web" <<'EOS'
#!/bin/sh
trap 'exit 0' TERM
i=0
while [ $i -lt 40 ]; do
	echo "$i" >> /tmp/hits.log
	cat /etc/hostname > /dev/null
	i=$((i + 1))
	sleep 0.25
done
EOS
cat > "$TMP/worker" <<'EOS'
#!/bin/sh
trap 'exit 0' TERM
i=0
while [ $i -lt 40 ]; do
	dd if=/dev/zero of=/tmp/job.$i bs=512 count=1 2> /dev/null
	md5sum /tmp/job.$i > /dev/null
	rm -f /tmp/job.$i
	i=$((i + 1))
	sleep 0.25
done
EOS
sh "$LAB/mkimage.sh" localhost/dw-attr-web:1 "$TMP/web" > /dev/null 2>> "$TMP/podman.err" &&
    sh "$LAB/mkimage.sh" localhost/dw-attr-worker:1 "$TMP/worker" > /dev/null 2>> "$TMP/podman.err" ||
    skip_all "cannot build images: $(tail -n 1 "$TMP/podman.err")"

DB=$TMP/live.db
cat > "$TMP/plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --db=$DB plugin
format = string
EOC

ids=""
cleanup() {
	lab_auditd_stop
	for c in $ids; do podman rm -f "$c" > /dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT
lab_auditd_start "$TMP/auditd" "$TMP/plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
sleep 1

token=dw-attr-$$-$RANDOM
w1=$(podman run -d --name dw-attr-w1-$$ --network none localhost/dw-attr-web:1)
w2=$(podman run -d --name dw-attr-w2-$$ --network none localhost/dw-attr-web:1)
k1=$(podman run -d --name dw-attr-k1-$$ --network none localhost/dw-attr-worker:1)
ids="$w1 $w2 $k1"
/bin/busybox sh -c "for i in 1 2 3 4 5; do echo $token-host > /tmp/dw-attr-host.\$\$; cat /etc/hostname > /dev/null; sleep 0.3; done; rm -f /tmp/dw-attr-host.*" &
hostpid=$!
podman exec "$w1" sh -c "echo $token-exec > /tmp/exec.txt; cat /tmp/exec.txt; ls /tmp" > /dev/null
wait $hostpid
sleep 2
mkdir -p "$TMP/state/overlay-containers" "$TMP/state/overlay-images"
cp /var/lib/containers/storage/overlay-containers/containers.json "$TMP/state/overlay-containers/"
cp /var/lib/containers/storage/overlay-images/images.json "$TMP/state/overlay-images/"
podman stop -t 2 $ids > /dev/null 2>&1
podman rm -f $ids > /dev/null 2>&1
ids=""
sleep 1
cp "$LAB_AUDITD_LOG" "$TMP/audit.log.live"
lab_auditd_stop
for i in $(seq 50); do
	pgrep -f -- "--db=$DB plugin" > /dev/null || break
	sleep 0.1
done

"$DRIFTWATCH" --db "$DB" containers --json > "$TMP/c.json"
for c in "$w1:web" "$w2:web" "$k1:worker"; do
	id=${c%%:*}
	img=localhost/dw-attr-${c#*:}:1
	is "$(json_get "$TMP/c.json" "[(r['image'], r['runtime']) for r in (d if isinstance(d, list) else [d]) if r['id'] == '$id']")" \
	    "[('$img', 'podman')]" "live: ${id:0:12} is listed with image $img"
done
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/live.json"
is "$(json_get "$TMP/live.json" "sorted(set(str(r['container']) for r in d if r['exe'] == '/bin/busybox' and r['argv'] and any('$token-exec' in a for a in r['argv'])))")" \
    "['$w1']" "live: the podman exec session is in its container"
is "$(json_get "$TMP/live.json" "sorted(set(str(r['container']) for r in d if (r['argv'] and any('$token-host' in a for a in r['argv'])) or any(p['name'] and 'dw-attr-host' in p['name'] for p in r['paths'])))")" \
    "['None']" "live: the host process running busybox is on the host"
is "$(json_get "$TMP/live.json" "sorted(set(str(r['container']) for r in d if any(p['name'] and p['name'].startswith('/tmp/job.') for p in r['paths'])))")" \
    "['$k1']" "live: every write to /tmp/job.* (the worker's) is in the worker"
is "$(json_get "$TMP/live.json" "sorted(set(str(r['container']) for r in d if r['exe'] == '/bin/busybox' and r['argv'] and r['argv'][0] == 'cat' and '/etc/hostname' in r['argv']))")" \
    "$(python3 -c "print(sorted(['$w1', '$w2']))")" \
    "live: the web containers' cats are theirs, the host's cat is not there"
is "$(json_get "$TMP/live.json" "[r['exe'] for r in d if r['actor'] != 'runtime' and r['container'] and (r['exe'] or '').split('/')[-1] in ('podman', 'conmon', 'crun')]")" \
    "[]" "live: podman, conmon and crun are never a container's own"
is "$(json_get "$TMP/live.json" "sorted(set((r['exe'] or '').split('/')[-1] for r in d if r['actor'] == 'runtime' and r['container'] in ('$w1', '$w2', '$k1')) & {'conmon', 'crun'})")" \
    "['conmon', 'crun']" "live: conmon and crun are their containers' runtime work"
is "$(json_get "$TMP/live.json" "sorted(set(r['actor'] for r in d if r['exe'] == '/bin/busybox' and r['argv'] and any('$token-exec' in a for a in r['argv'])))")" \
    "['session']" "live: the podman exec session's events are the session's"

# replay, with no /proc and the containers gone
"$DRIFTWATCH" --db "$TMP/replay.db" ingest --runtime-root "$TMP/state" \
    "$TMP/audit.log.live" > /dev/null
"$DRIFTWATCH" --db "$TMP/replay.db" events --limit 0 --json > "$TMP/replay.json"
python3 - "$TMP/live.json" "$TMP/replay.json" > "$TMP/cmp" <<'EOP'
import json, sys
def load(f):
    return {(r["serial"], r["time"]): r["container"] if r["actor"] != "runtime" else None for r in map(json.loads, open(f))}
live, replay = load(sys.argv[1]), load(sys.argv[2])
ctr = [k for k, c in live.items() if c and k in replay]
same = sum(1 for k in ctr if replay[k] == live[k])
host_wrong = sum(1 for k, c in live.items() if c is None and replay.get(k))
print(len(ctr), same, host_wrong)
EOP
read -r n same host_wrong < "$TMP/cmp"
ok "$([ "$n" -gt 200 ] && [ $((same * 100)) -ge $((n * 99)) ]; echo $?)" \
    "replay attributes $same of the $n container events the live run did (>= 99 %)"
is "$host_wrong" 0 "replay puts no host event in a container"
"$DRIFTWATCH" --db "$TMP/replay.db" containers --json > "$TMP/rc.json"
is "$(json_get "$TMP/rc.json" "sorted((r['id'], r['image'], r['attribution']) for r in (d if isinstance(d, list) else [d]))")" \
    "$(python3 -c "print(sorted([('$w1', 'localhost/dw-attr-web:1', 'log'), ('$w2', 'localhost/dw-attr-web:1', 'log'), ('$k1', 'localhost/dw-attr-worker:1', 'log')]))")" \
    "replay: the three containers, images named from the saved state"
"$DRIFTWATCH" --db "$TMP/replay.db" events --container "${k1:0:12}" --limit 0 --json > "$TMP/k1.json"
is "$(json_get "$TMP/k1.json" "set(r['container'] for r in d) == {'$k1'} and len(d) > 40")" True \
    "events --container lists the worker's events only"
done_testing
