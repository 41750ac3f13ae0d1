#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Drift detection end to end, with real auditd and real podman containers.
# A private auditd runs driftwatch as its plugin (learn_window = 20 s), the
# project's rules loaded.  Two containers of localhost/dw-det-web:1 (httpd
# on 8080, a loop appending to /tmp/hits.log, reading files, fetching the
# other web container's page) and one of localhost/dw-det-worker:1 (httpd
# on 4444 nobody calls, a loop writing and removing /tmp/job.N, fetching
# both web pages; a stub package manager /sbin/apk it never runs) behave
# normally while their images learn, and go on doing so once the images'
# profiles are active.  Then, at ATTACK_AT (epoch s, > 20 s after the
# containers started):
#   web2, from its own entrypoint: (a) copies busybox to /tmp/.x-TOKEN,
#     chmod +x, runs it; (b) appends a user to /etc/passwd; (e) fetches the
#     worker's port 4444 (a peer the image never talked to); (f) tries
#     mount -t tmpfs and unshare -m (refused without privileges, audited);
#   worker, from its entrypoint: (c) runs the stub package manager;
#   the host: (d) podman exec into the worker, and a host process doing the
#     same kinds of things (drop and run a binary, write /tmp, unshare,
#     bind mount, a package manager stub, fetch web1's page).
# web1 is never attacked.  Checked from "driftwatch anomalies": each attack
# is an anomaly of the expected rule on the right container, with a reason
# and its audit serials; nothing before the attack, nothing after it,
# nothing on web1, nothing on the host; "baseline list" shows both images
# active before the attack; replaying the log after the containers are gone
# finds the same (rule, container) pairs.  The capture itself is checked
# first from "driftwatch events", so that a detection failure is told apart
# from a scenario that did not happen.  About 45 s.
# With DW_E2E_SOAK=S (seconds, default 0), normal life with active profiles
# lasts S s longer before the attack (a false-positive soak, bench/soak.sh):
# from the start "podman exec CTR cat /etc/hostname" probes each container
# every 3 s (learnt, then repeated), and during the soak web1 is restarted
# ("podman restart") every 60 s.  At the end a TAP comment "# soak:
# runtime=podman normal_seconds=N anomalies_after_learning=M
# attacks_found=F/E" (N: the attack time less the time both images' profiles
# were locked; M: anomalies first seen from the first lock to the attack),
# then a "# soak anomaly:" line for each of those anomalies.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

# podman and netavark search PATH for iptables: one failed execve per
# extra directory otherwise.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$TOP_SRCDIR/tests/lab
LEARN=20
# Addresses on podman's default bridge, fixed so that each container knows
# its peers before they start.  The kernel audit lock serialises the tests
# that use them (capture-sample.sh uses 10.88.77.*).
WEB1_IP=${DW_DET_WEB1_IP:-10.88.79.11}
WEB2_IP=${DW_DET_WEB2_IP:-10.88.79.12}
WORKER_IP=${DW_DET_WORKER_IP:-10.88.79.21}
WEB_IMAGE=localhost/dw-det-web:1
WORKER_IMAGE=localhost/dw-det-worker:1
SOAK=${DW_E2E_SOAK:-0}
PROBE_EVERY=3
RESTART_EVERY=60
case $SOAK in
''|*[!0-9]*)
	echo "not ok 1 - DW_E2E_SOAK is a number of seconds (got '$SOAK')"
	echo "1..1"
	exit 1
	;;
esac
SOAK=$((10#$SOAK))

sh "$LAB/podman-setup.sh" 2> "$TMP/podman.err" ||
    skip_all "$(tail -n 1 "$TMP/podman.err")"
command -v python3 > /dev/null || skip_all "python3 needed"
if ! "$DRIFTWATCH" anomalies --help > /dev/null 2>&1; then
	echo "not ok 1 - driftwatch has the anomalies command"
	echo "1..1"
	exit 1
fi

# ---------------------------------------------------------------- images
cat > "$TMP/web" <<'EOS'
#!/bin/sh
# dw-det-web: a page on 8080, a hit log, the peer's page every second.
# With ATTACK set, at ATTACK_AT (epoch s) and once: the attack.
trap 'exit 0' TERM
echo "<h1>$(hostname)</h1>" > /var/www/index.html
httpd -f -p 8080 -h /var/www &

log() { echo "$(date +%s) $*" >> /tmp/attack.log; }
attack() {
	d=/tmp/.x-$TOKEN
	log a-drop-exec
	mkdir -p $d
	cp /bin/busybox $d/busybox
	chmod +x $d/busybox
	$d/busybox id > /dev/null
	log b-account-write
	echo "$TOKEN:x:0:0::/root:/bin/sh" >> /etc/passwd
	log e-new-peer
	wget -q -O /tmp/.y-$TOKEN "http://$NEWPEER/status"
	log f-mount
	mkdir -p /tmp/mnt-$TOKEN
	mount -t tmpfs none /tmp/mnt-$TOKEN
	unshare -m true
	log done
}

i=0
attacked=
while :; do
	i=$((i + 1))
	echo "$i" >> /tmp/hits.log
	tail -n 3 /tmp/hits.log > /tmp/last-hits
	cat /etc/hostname /var/www/index.html > /dev/null
	wget -q -O /tmp/peer.html "http://$PEER:8080/"
	now=$(date +%s)
	if [ -n "$ATTACK" ] && [ -z "$attacked" ] && [ "$now" -ge "$ATTACK_AT" ]; then
		attacked=1
		attack 2> /dev/null
	fi
	sleep 1 &
	wait $!
done
EOS
cat > "$TMP/worker" <<'EOS'
#!/bin/sh
# dw-det-worker: make, hash and delete files in /tmp, fetch the web pages
# every second.  At ATTACK_AT (epoch s) and once: run the package manager.
trap 'exit 0' TERM
echo ok > /var/www/status
httpd -f -p 4444 -h /var/www &
i=0
attacked=
while :; do
	i=$((i + 1))
	echo "job $i" > /tmp/job.$i
	md5sum /tmp/job.$i > /tmp/job.$i.md5
	rm -f /tmp/job.$i /tmp/job.$i.md5
	for p in $PEERS; do
		wget -q -O /dev/null "http://$p:8080/"
	done
	now=$(date +%s)
	if [ -z "$attacked" ] && [ "$now" -ge "$ATTACK_AT" ]; then
		attacked=1
		echo "$now c-package-manager" >> /tmp/attack.log
		/sbin/apk add "foo-$TOKEN" > /dev/null
		echo "$(date +%s) done" >> /tmp/attack.log
	fi
	sleep 1 &
	wait $!
done
EOS
mkdir -p "$TMP/extra/sbin"
printf '#!/bin/sh\necho "apk (stub): $*"\n' > "$TMP/extra/sbin/apk"
chmod 0755 "$TMP/extra/sbin/apk"
sh "$LAB/mkimage.sh" $WEB_IMAGE "$TMP/web" > /dev/null 2>> "$TMP/podman.err" &&
    MKIMAGE_EXTRA=$TMP/extra sh "$LAB/mkimage.sh" $WORKER_IMAGE "$TMP/worker" \
    > /dev/null 2>> "$TMP/podman.err" ||
    skip_all "cannot build images: $(tail -n 1 "$TMP/podman.err")"

# ---------------------------------------------------------------- capture
DB=$TMP/live.db
CONF=$TMP/dw.conf
printf 'db = %s\nlearn_window = %s\n' "$DB" $LEARN > "$CONF"
# auditd passes a plugin at most two arguments and an empty environment
cat > "$TMP/plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --config=$CONF plugin
format = string
EOC

ids=""
HOSTD=$TMP/host
probe_pid=
cleanup() {
	local c
	[ -n "$probe_pid" ] && kill "$probe_pid" 2> /dev/null && wait "$probe_pid" 2> /dev/null
	lab_auditd_stop
	for c in $ids; do podman rm -f -t 0 "$c" > /dev/null 2>&1; done
	mountpoint -q "$HOSTD/b" 2> /dev/null && umount "$HOSTD/b"
	rm -f /tmp/dw-det-host-$$.log
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab_auditd_start "$TMP/auditd" "$TMP/plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
sleep 1

now() { echo "${EPOCHREALTIME%.*}"; }
until_time() {	# until_time EPOCH_S: sleep until then
	local t
	t=$(( $1 - $(now) - 1 ))
	[ $t -gt 0 ] && sleep $t
	while [ "$(now)" -lt "$1" ]; do sleep 0.05; done
}

token=dwdet$$x$RANDOM
t0=$(now)
ACTIVE_AT=$((t0 + LEARN + 6))	# the attack time without a soak
ATTACK_AT=$((ACTIVE_AT + SOAK))
run() {	# run NAME IP IMAGE ENV...: prints the id
	local name=$1 ip=$2 image=$3
	shift 3
	podman run -d --name "$name" --hostname "$name" --ip "$ip" \
	    --label driftwatch-test=e2e-detect -e TOKEN=$token \
	    -e ATTACK_AT=$ATTACK_AT "$@" "$image" 2>> "$TMP/podman.err"
}
w1=$(run dw-det-web1-$$ $WEB1_IP $WEB_IMAGE -e PEER=$WEB2_IP)
ids="$ids $w1"
w2=$(run dw-det-web2-$$ $WEB2_IP $WEB_IMAGE -e PEER=$WEB1_IP \
    -e ATTACK=1 -e NEWPEER=$WORKER_IP:4444)
ids="$ids $w2"
k1=$(run dw-det-worker-$$ $WORKER_IP $WORKER_IMAGE -e "PEERS=$WEB1_IP $WEB2_IP")
ids="$ids $k1"
if [ ${#w1} != 64 ] || [ ${#w2} != 64 ] || [ ${#k1} != 64 ]; then
	cat "$TMP/podman.err" >&2
	echo "not ok 1 - the three containers start"
	echo "1..1"
	exit 1
fi
up2=$(podman inspect -f '{{.GraphDriver.Data.UpperDir}}' "$w2")
upk=$(podman inspect -f '{{.GraphDriver.Data.UpperDir}}' "$k1")

# The soak's probes: every PROBE_EVERY s, each container in turn, the same
# command; a restart holds the lock so that no probe meets a stopped web1.
# (podman's commands run without fd 9: the conmon a restart leaves behind
# would hold the lock for good.)
if [ "$SOAK" -gt 0 ]; then
	(
		while [ ! -e "$TMP/probes.stop" ]; do
			{
				flock -w 30 9
				for c in $w1 $w2 $k1; do
					[ "$(podman exec "$c" cat /etc/hostname 2> /dev/null 9>&-)" ] &&
					    echo "$(now) $c" >> "$TMP/probes.log"
				done
			} 9> "$TMP/probes.lock"
			sleep $PROBE_EVERY
		done
	) &
	probe_pid=$!
fi

# The profiles turn active by event time: wait for both, until just
# before the attack.
until_time $((t0 + LEARN + 1))
while :; do
	"$DRIFTWATCH" --db "$DB" baseline list --json > "$TMP/baseline.json" 2> /dev/null
	[ "$(json_get "$TMP/baseline.json" "sorted(r['state'] for r in (d if isinstance(d, list) else [d]) if r['name'] in ('$WEB_IMAGE', '$WORKER_IMAGE'))" 2> /dev/null)" = "['active', 'active']" ] && break
	[ "$(now)" -ge $((ATTACK_AT - 1)) ] && break
	sleep 0.5
done
cp "$TMP/baseline.json" "$TMP/baseline.before-attack.json"

# The soak: normal life goes on, probes and a restart of web1 (never
# attacked) every RESTART_EVERY s, the first 20 s in, none in the last 15 s.
restarts=0
restart_failed=0
t_restart=$((ACTIVE_AT + 20))
while [ "$SOAK" -gt 0 ] && [ $t_restart -le $((ATTACK_AT - 15)) ]; do
	until_time $t_restart
	{
		flock -w 30 9
		podman restart -t 2 "$w1" > /dev/null 2>> "$TMP/podman.err" 9>&- ||
		    restart_failed=$((restart_failed + 1))
	} 9> "$TMP/probes.lock"
	restarts=$((restarts + 1))
	t_restart=$((t_restart + RESTART_EVERY))
done

# ---------------------------------------------------------------- attack
until_time $ATTACK_AT
# The host does the same kinds of things meanwhile.
(
	mkdir -p "$HOSTD/a" "$HOSTD/b" "$HOSTD/x"
	cp /bin/busybox "$HOSTD/x/busybox"
	chmod +x "$HOSTD/x/busybox"
	"$HOSTD/x/busybox" id > /dev/null
	echo "host $token" >> /tmp/dw-det-host-$$.log
	printf '#!/bin/sh\necho "apk (host stub): $*"\n' > "$HOSTD/x/apk"
	chmod +x "$HOSTD/x/apk"
	"$HOSTD/x/apk" add "foo-$token-host" > /dev/null
	unshare -m true
	mount --bind "$HOSTD/a" "$HOSTD/b" && umount "$HOSTD/b"
	/bin/busybox wget -q -O "$HOSTD/page" "http://$WEB1_IP:8080/"
	rm -f /tmp/dw-det-host-$$.log
) > "$TMP/host.out" 2>&1 &
hostpid=$!
# (d) a command entering the worker through podman exec
podman exec "$k1" sh -c "id; : $token-exec" > "$TMP/exec.out" 2>&1
exec_rc=$?
wait $hostpid

attack_done() {	# read on the host from the upper dir: no exec in the log
	local l
	[ -r "$1/tmp/attack.log" ] || return 1
	while read -r l; do
		[[ $l == *done ]] && return 0
	done < "$1/tmp/attack.log"
	return 1
}
for i in $(seq 100); do
	attack_done "$up2" && attack_done "$upk" && break
	sleep 0.1
done
attack_done "$up2" && attack_done "$upk"
attack_ok=$?
cp "$up2/tmp/attack.log" "$TMP/attack-web2.log" 2> /dev/null
cp "$upk/tmp/attack.log" "$TMP/attack-worker.log" 2> /dev/null
t_attack_end=$(( $(now) + 1 ))

# Normal life goes on for a few seconds with active profiles.
sleep 4
if [ -n "$probe_pid" ]; then
	touch "$TMP/probes.stop"
	wait "$probe_pid" 2> /dev/null
	probe_pid=
fi
mkdir -p "$TMP/state/overlay-containers" "$TMP/state/overlay-images"
cp /var/lib/containers/storage/overlay-containers/containers.json "$TMP/state/overlay-containers/"
cp /var/lib/containers/storage/overlay-images/images.json "$TMP/state/overlay-images/"
podman stop -t 2 $ids > /dev/null 2>&1
podman rm -f $ids > /dev/null 2>&1
ids=""
sleep 1
cp "$LAB_AUDITD_LOG" "$TMP/audit.log.live"
lab_auditd_stop
for i in $(seq 100); do
	pgrep -f -- "--config=$CONF plugin" > /dev/null || break
	sleep 0.1
done
echo "# attack at $ATTACK_AT, done by $((t_attack_end - 1)), test took $(( $(now) - t0 )) s since the first container"
[ "$SOAK" -gt 0 ] &&
    echo "# soak of $SOAK s: web1 restarted $restarts times, $(wc -l < "$TMP/probes.log" 2> /dev/null || echo 0) probes answered"

# ---------------------------------------------------------------- capture checks
is "$exec_rc" 0 "podman exec into the worker ran"
is "$attack_ok" 0 "web2 and the worker carried out their attacks"
if [ "$SOAK" -gt 0 ]; then
	is "$restarts $restart_failed" "$restarts 0" "soak: web1 restarted $restarts times with podman restart"
	is "$(for c in $w1 $w2 $k1; do [ "$(grep -c " $c\$" "$TMP/probes.log" 2> /dev/null)" -ge 2 ] && echo y || echo "n:${c:0:12}"; done | sort -u | tr '\n' ' ')" \
	    "y " "soak: probes answered, at least twice in each container"
fi
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/events.json"
ev() {	# ev PYTHON_BOOL_ON_r: sorted containers of the matching events
	json_get "$TMP/events.json" "sorted(set(str(r['container']) for r in d if ($1)))"
}
argv_has='r["argv"] and any("%s" in a for a in r["argv"])'
path_has='any(p["name"] and "%s" in p["name"] for p in r["paths"])'
is "$(ev "r['syscall'] == 'execve' and $(printf "$path_has" ".x-$token/busybox")")" \
    "['$w2']" "capture: the dropped binary ran in web2"
# (the host's own /etc/passwd may be written by anything else running on
# this machine meanwhile: only containers' writes count here)
is "$(ev "$(printf "$path_has" /etc/passwd) and r['key'] == 'driftwatch-write' and r['container'] is not None")" \
    "['$w2']" "capture: /etc/passwd written in web2 only"
is "$(ev "r['sockaddr'] and r['sockaddr']['addr'] == '$WORKER_IP' and r['sockaddr']['port'] == 4444 and r['syscall'] == 'connect'")" \
    "['$w2']" "capture: web2 connected to the worker's port 4444"
is "$(ev "r['syscall'] == 'mount' and $(printf "$path_has" mnt-$token)")" \
    "['$w2']" "capture: web2's mount attempt is audited"
is "$(ev "r['syscall'] == 'unshare' and r['comm'] == 'unshare' and r['container']")" \
    "['$w2']" "capture: web2's unshare attempt is audited"
is "$(ev "$(printf "$argv_has" "foo-$token") and 'host' not in ' '.join(r['argv'])")" \
    "['$k1']" "capture: the worker ran its package manager"
is "$(ev "r['exe'] == '/bin/busybox' and $(printf "$argv_has" "$token-exec")")" \
    "['$k1']" "capture: the podman exec session is in the worker"
is "$(ev "$(printf "$argv_has" "foo-$token-host") or $(printf "$path_has" "$HOSTD/") or $(printf "$path_has" dw-det-host-$$)")" \
    "['None']" "capture: the host process's events are the host's"

# ---------------------------------------------------------------- detection
is "$(json_get "$TMP/baseline.before-attack.json" "sorted((r['name'], r['state']) for r in (d if isinstance(d, list) else [d]) if r['name'] in ('$WEB_IMAGE', '$WORKER_IMAGE'))" 2>&1)" \
    "[('$WEB_IMAGE', 'active'), ('$WORKER_IMAGE', 'active')]" \
    "baseline list: both images active $LEARN s after their first event, before the attack"

"$DRIFTWATCH" --db "$DB" anomalies --json > "$TMP/anomalies.json" 2> "$TMP/anomalies.err"
ok $? "anomalies --json runs"
echo "# live anomalies (rule, container, first_seen, exe, argv):"
python3 - "$TMP/anomalies.json" "$w1" "$w2" "$k1" <<'EOP' | sed 's/^/#   /'
import json, sys
names = {sys.argv[2]: "web1", sys.argv[3]: "web2", sys.argv[4]: "worker"}
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    r = json.loads(l)
    c = r.get("container") or {}
    print(r.get("rule"), names.get(c.get("id"), c.get("id")), r.get("first_seen"),
          r.get("exe"), r.get("argv"), "--", r.get("reason"))
EOP

# expect FILE RULE CONTAINER IMAGE DESC [TOKEN]: an anomaly of RULE on the
# container, of the image, with a reason, audit serials of the log, and
# TOKEN (if given) in its exe, argv or reason.
expect() {
	python3 - "$@" "$TMP/audit.log.live" <<'EOP'
import json, re, sys
f, rule, cid, image, desc, token, log = sys.argv[1:8]
serials = set(int(m) for m in re.findall(r"msg=audit\(\d+\.\d+:(\d+)\)", open(log).read()))
rows = [json.loads(l) for l in open(f) if l.strip()]
rows = [r for r in rows if r.get("rule") == rule and (r.get("container") or {}).get("id") == cid]
def good(r):
    if not (isinstance(r.get("reason"), str) and r["reason"].strip()):
        return "no reason"
    s = r.get("serials")
    if not (isinstance(s, list) and s and all(isinstance(x, int) for x in s)):
        return "no serials"
    if not set(s) <= serials:
        return "serials not in the log: %s" % sorted(set(s) - serials)
    if r.get("image") != image:
        return "image %r" % r.get("image")
    if token and token not in json.dumps([r.get("exe"), r.get("argv"), r.get("reason")]):
        return "%s not in exe, argv or reason" % token
    return ""
why = [good(r) for r in rows]
if "" in why:
    print("ok - " + desc)
else:
    print("not ok - " + desc)
    print("#   " + ("; ".join(why) if why else "no %s anomaly on %s" % (rule, cid[:12])))
EOP
}
attacks_found=0
attacks_expected=0
check() {	# check DESC...: runs expect, numbers its line
	local out
	out=$(expect "$@")
	tap_n=$((tap_n + 1))
	attacks_expected=$((attacks_expected + 1))
	case $out in
	"ok - "*) echo "ok $tap_n - ${out#ok - }"; attacks_found=$((attacks_found + 1)) ;;
	*) echo "not ok $tap_n - ${out#not ok - }"; tap_failed=$((tap_failed + 1)) ;;
	esac
}
A=$TMP/anomalies.json
check $A drop-exec "$w2" $WEB_IMAGE "(a) drop-exec on web2, for /tmp/.x-TOKEN/busybox" ".x-$token"
check $A account-write "$w2" $WEB_IMAGE "(b) account-write on web2" ""
check $A package-manager "$k1" $WORKER_IMAGE "(c) package-manager on the worker, apk add foo-TOKEN" "foo-$token"
check $A exec-session "$k1" $WORKER_IMAGE "(d) exec-session on the worker, the podman exec" "$token-exec"
check $A new-peer "$w2" $WEB_IMAGE "(e) new-peer on web2, the worker's port 4444" ""
check $A mount "$w2" $WEB_IMAGE "(f) mount on web2" ""
check $A namespace-escape "$w2" $WEB_IMAGE "(f) namespace-escape on web2, unshare -m" ""

a() {	# a PYTHON_EXPR_ON_d: evaluated on the live anomalies (a list)
	python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$A" "$1"
}
is "$(a "[(r['rule'], r['exe']) for r in d if not r.get('container') or not r['container'].get('id')]")" \
    "[]" "no anomaly outside a container (host processes, podman, crun)"
is "$(a "sorted(set(r['rule'] for r in d if r['first_seen'] < $ATTACK_AT))")" \
    "[]" "no anomaly before the attack (learning and active normal phase)"
is "$(a "sorted(set(r['rule'] for r in d if r['first_seen'] >= $t_attack_end))")" \
    "[]" "no anomaly from the normal life that went on after the attack"
is "$(a "sorted(set(r['rule'] for r in d if (r.get('container') or {}).get('id') == '$w1'))")" \
    "[]" "no anomaly on web1, which was not attacked"
is "$(a "sorted(set(r['state'] for r in d))")" "['open']" "anomalies are open"
# Rules that are not baseline rules: exactly the attacks' on each container
# (crun joining the worker's namespaces for podman exec is not behaviour).
base="('new-process', 'new-argv', 'new-user', 'new-file', 'new-peer', 'new-listen', 'new-privileged')"
is "$(a "sorted(set(r['rule'] for r in d if (r.get('container') or {}).get('id') == '$w2' and r['rule'] not in $base))")" \
    "['account-write', 'drop-exec', 'mount', 'namespace-escape']" \
    "web2: the attack's rules and no other (beside baseline rules)"
is "$(a "sorted(set(r['rule'] for r in d if (r.get('container') or {}).get('id') == '$k1' and r['rule'] not in $base))")" \
    "['exec-session', 'package-manager']" \
    "worker: the attack's rules and no other (beside baseline rules)"

"$DRIFTWATCH" --db "$DB" anomalies --container "${w2:0:12}" --rule drop-exec --json \
    > "$TMP/filtered.json" 2>> "$TMP/anomalies.err"
is "$(json_get "$TMP/filtered.json" "sorted(set((r['rule'], r['container']['id']) for r in (d if isinstance(d, list) else [d])))" 2>&1)" \
    "[('drop-exec', '$w2')]" "anomalies --container --rule filter"

# ---------------------------------------------------------------- replay
"$DRIFTWATCH" --db "$TMP/replay.db" --config "$CONF" ingest \
    --runtime-root "$TMP/state" "$TMP/audit.log.live" > /dev/null 2> "$TMP/replay.err"
ok $? "replay: ingest of the captured log"
"$DRIFTWATCH" --db "$TMP/replay.db" anomalies --json > "$TMP/replay.json" 2>> "$TMP/replay.err"
pairs() {
	python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sorted(set((r["rule"], str((r.get("container") or {}).get("id"))) for r in d)))' "$1"
}
live_pairs=$(pairs "$A")
replay_pairs=$(pairs "$TMP/replay.json")
is "$replay_pairs" "$live_pairs" "replay: the same (rule, container) anomalies as live"
[ "$live_pairs" = "$replay_pairs" ] || python3 - "$live_pairs" "$replay_pairs" <<'EOP'
import ast, sys
l, r = (set(ast.literal_eval(x)) for x in sys.argv[1:3])
print("#   live only:", sorted(l - r))
print("#   replay only:", sorted(r - l))
EOP

# ---------------------------------------------------------------- soak figures
python3 - "$A" "$TMP/baseline.before-attack.json" "$ATTACK_AT" \
    "$((t0 + LEARN))" "$attacks_found/$attacks_expected" \
    "$w1" "$w2" "$k1" "$WEB_IMAGE" "$WORKER_IMAGE" <<'EOP'
import json, sys
f, base, attack, fallback, found, w1, w2, k1 = sys.argv[1:9]
images = sys.argv[9:11]
attack = int(attack)
names = {w1: "web1", w2: "web2", k1: "worker"}
locked = []
try:
    for l in open(base):
        if l.strip():
            r = json.loads(l)
            if r.get("name") in images and r.get("locked"):
                locked.append(float(r["locked"]))
except (OSError, ValueError):
    pass
if len(locked) != len(images):
    locked = [float(fallback)]
try:
    rows = [json.loads(l) for l in open(f) if l.strip()]
except (OSError, ValueError):
    rows = None
soak = [r for r in rows or [] if min(locked) <= (r.get("first_seen") or 0) < attack]
print("# soak: runtime=podman normal_seconds=%d anomalies_after_learning=%s"
      " attacks_found=%s" % (max(0, attack - max(locked)),
      "unknown" if rows is None else len(soak), found))
for r in soak:
    c = (r.get("container") or {}).get("id")
    print("# soak anomaly: rule=%s container=%s first_seen=%s exe=%s argv=%s"
          " reason=%s" % (r.get("rule"), names.get(c, c), r.get("first_seen"),
          r.get("exe"), json.dumps(r.get("argv")), r.get("reason")))
EOP
done_testing
