#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Drift detection end to end on containerd with Kubernetes-shaped pods, with
# real auditd, a private containerd (tests/lab/containerd-setup.sh) and runc.
# No kubelet here: ctr plays it, in namespace k8s.io, as the CRI plugin
# would: per pod a pause sandbox, then the app container joining its net,
# ipc and uts namespaces, 64-hex ids, cgroups
# /kubepods/burstable/pod<uid>/<id>, the io.kubernetes.cri.* annotations
# in each task's config.json.  Pods (namespace/name: containers):
#   shop/web-...-a1  sandbox + web   (localhost/dw-ctd-web:1)
#   shop/web-...-a2  sandbox + web   (localhost/dw-ctd-web:1)
#   batch/worker-... sandbox + worker (localhost/dw-ctd-worker:1, with a
#                    stub package manager /sbin/apk it never runs)
# The apps loop (write /tmp, read files, sleep) and the host probes each
# one every 3 s with "ctr task exec --exec-id probe-N ID /bin/health".
# driftwatch runs as auditd's plugin (learn_window = 20 s, containerd_root
# = our state dir).  Once the images' profiles are active, a1's web
# container is re-created (killed, deleted, a new id under the same pod,
# as kubelet does after a crash); the probes go on.  Then, at ATTACK_AT,
# in the worker: from its entrypoint, (a) busybox copied to
# /tmp/.x-TOKEN/, made executable and run, (b) a user appended to
# /etc/passwd, (c) the stub package manager run; from the host, (d) a
# shell through "ctr task exec" (a command the probes never ran).
# Checked from driftwatch's output: the scenario happened (events of every
# container, probes, attacks); "containers --json" names each container's
# pod, namespace, container and image as the annotations say; the events'
# actor tells runc's own work (runc:[2:INIT]'s mounts: "runtime") and the
# probes ("session") from the containers' code; nothing before the attack,
# nothing on the pods never attacked (the re-created container included),
# nothing on the host (containerd, shims, runc, ctr); each attack an
# anomaly of the expected rule on the worker with its audit serials;
# replaying the log after everything is gone, with a copy of containerd's
# state saved while the tasks ran, finds the same (rule, container) pairs
# and the same pods.  About 60 s.  With DW_E2E_KEEP=DIR, the audit log, the
# state copy, the configuration and driftwatch's outputs are kept in DIR.
# With DW_E2E_SOAK=S (seconds, default 0), normal life with active profiles
# lasts S s longer before the attack (a false-positive soak, bench/soak.sh):
# the probes go on, and every 45 s of the soak a1's web container is
# re-created once more (a new id each time, all of them checked as the first
# re-created one is: events, probes, pods, no anomaly).  At the end a TAP
# comment "# soak: runtime=containerd normal_seconds=N
# anomalies_after_learning=M attacks_found=F/E" (N: the attack time less
# the time both app images' profiles were locked; M: anomalies first seen
# from the first lock to the attack), then a "# soak anomaly:" line for each
# of those anomalies.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"
. "$TOP_SRCDIR/tests/lab/containerd-setup.sh"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$TOP_SRCDIR/tests/lab
LEARN=20
PROBE_EVERY=3
NS=k8s.io
WEB_IMAGE=localhost/dw-ctd-web:1
WORKER_IMAGE=localhost/dw-ctd-worker:1
PAUSE_IMAGE=localhost/dw-ctd-pause:1
KEEP=${DW_E2E_KEEP:-}
SOAK=${DW_E2E_SOAK:-0}
RECREATE_EVERY=45
case $SOAK in
''|*[!0-9]*)
	echo "not ok 1 - DW_E2E_SOAK is a number of seconds (got '$SOAK')"
	echo "1..1"
	exit 1
	;;
esac
SOAK=$((10#$SOAK))

[ "$(id -u)" = 0 ] || skip_all "containerd end-to-end tests need root"
for b in containerd ctr runc podman python3; do
	command -v $b > /dev/null ||
	    skip_all "$b not installed (contrib/install-deps.sh)"
done
sh "$LAB/podman-setup.sh" 2> "$TMP/podman.err" ||
    skip_all "$(tail -n 1 "$TMP/podman.err")"
if ! "$DRIFTWATCH" anomalies --help > /dev/null 2>&1; then
	echo "not ok 1 - driftwatch has the anomalies command"
	echo "1..1"
	exit 1
fi

# ---------------------------------------------------------------- images
cat > "$TMP/web" <<'EOS'
#!/bin/sh
# dw-ctd-web: a hit log in /tmp, files read, a second's sleep.
trap 'exit 0' TERM
i=0
while :; do
	i=$((i + 1))
	echo "$i" >> /tmp/hits.log
	tail -n 3 /tmp/hits.log > /tmp/last-hits
	cat /etc/passwd /etc/group > /dev/null
	sleep 1 &
	wait $!
done
EOS
cat > "$TMP/worker" <<'EOS'
#!/bin/sh
# dw-ctd-worker: make, hash and delete files in /tmp every second.  At
# ATTACK_AT (epoch s) and once: the attack.
trap 'exit 0' TERM
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
	log c-package-manager
	/sbin/apk add "foo-$TOKEN" > /dev/null
	log done
}
i=0
attacked=
while :; do
	i=$((i + 1))
	echo "job $i" > /tmp/job.$i
	md5sum /tmp/job.$i > /tmp/job.$i.md5
	rm -f /tmp/job.$i /tmp/job.$i.md5
	now=$(date +%s)
	if [ -n "$ATTACK" ] && [ -z "$attacked" ] && [ "$now" -ge "$ATTACK_AT" ]; then
		attacked=1
		attack 2> /dev/null
	fi
	sleep 1 &
	wait $!
done
EOS
# the pause container: sleeps, as registry.k8s.io/pause pauses
printf '#!/bin/sh\nexec sleep 2147483647\n' > "$TMP/pause"
# the probe, the same in both images
mkdir -p "$TMP/extra-web/bin" "$TMP/extra-worker/bin" "$TMP/extra-worker/sbin"
printf '#!/bin/sh\n[ -d /tmp ] && echo ok\n' > "$TMP/extra-web/bin/health"
cp "$TMP/extra-web/bin/health" "$TMP/extra-worker/bin/health"
printf '#!/bin/sh\necho "apk (stub): $*"\n' > "$TMP/extra-worker/sbin/apk"
chmod 0755 "$TMP"/extra-*/bin/health "$TMP/extra-worker/sbin/apk"
MKIMAGE_EXTRA=$TMP/extra-web sh "$LAB/mkimage.sh" $WEB_IMAGE "$TMP/web" \
    > /dev/null 2>> "$TMP/podman.err" &&
    MKIMAGE_EXTRA=$TMP/extra-worker sh "$LAB/mkimage.sh" $WORKER_IMAGE \
    "$TMP/worker" > /dev/null 2>> "$TMP/podman.err" &&
    sh "$LAB/mkimage.sh" $PAUSE_IMAGE "$TMP/pause" > /dev/null 2>> "$TMP/podman.err" ||
    skip_all "cannot build images: $(tail -n 1 "$TMP/podman.err")"

# ---------------------------------------------------------------- containerd
CTD=$TMP/ctd
[ -d /sys/fs/cgroup/memory/kubepods ] && had_kubepods=1 || had_kubepods=
pod_uids=""
probe_pid=
HOLD_LOCK=
cleanup() {
	local u d
	[ -n "$probe_pid" ] && kill "$probe_pid" 2> /dev/null && wait "$probe_pid" 2> /dev/null
	lab_containerd_stop
	lab_auditd_stop
	# runc removes a container's cgroup; the pod and QoS levels are ours
	for u in $pod_uids; do
		for d in /sys/fs/cgroup/*/kubepods/burstable/pod$u/*/ /sys/fs/cgroup/*/kubepods/burstable/pod$u/; do
			[ -d "$d" ] && rmdir "$d" 2> /dev/null
		done
	done
	if [ -z "$had_kubepods" ]; then
		for d in /sys/fs/cgroup/*/kubepods/burstable/ /sys/fs/cgroup/*/kubepods/; do
			[ -d "$d" ] && rmdir "$d" 2> /dev/null
		done
	fi
	if [ -n "$KEEP" ] && [ -d "$TMP/keep" ]; then
		rm -rf "$KEEP" && mkdir -p "$KEEP" && cp -a "$TMP/keep/." "$KEEP/"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_containerd_start "$CTD" 2> "$TMP/ctd.err"
rc=$?
[ $rc -eq 0 ] || skip_all "containerd cannot start: $(grep -v '^$' "$TMP/ctd.err" | tail -n 1)"
for i in $PAUSE_IMAGE $WEB_IMAGE $WORKER_IMAGE; do
	lab_containerd_import $i $NS 2>> "$TMP/ctd.err" ||
	    skip_all "ctr cannot import $i: $(tail -n 1 "$TMP/ctd.err")"
done
mkdir -p "$CTD/fifo" "$CTD/pids"
TASKS=$LAB_CTD_STATE/io.containerd.runtime.v2.task/$NS

newid() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
newuid() { cat /proc/sys/kernel/random/uuid; }
# A CRI-shaped container: kind (sandbox|container), pod, namespace, uid,
# sandbox id, container name (none for a sandbox), image, id, ctr options...
cri_run() {
	local kind=$1 pod=$2 ns=$3 uid=$4 sid=$5 name=$6 image=$7 id=$8
	local a=io.kubernetes.cri spid
	shift 8
	set -- --annotation $a.container-type=$kind \
	    --annotation $a.sandbox-id=$sid \
	    --annotation $a.sandbox-name=$pod \
	    --annotation $a.sandbox-namespace=$ns \
	    --annotation $a.sandbox-uid=$uid \
	    --annotation $a.image-name=$image \
	    --label io.cri-containerd.kind=$kind "$@"
	if [ "$kind" = container ]; then
		spid=$(cat "$CTD/pids/$sid")
		set -- --annotation $a.container-name=$name \
		    --with-ns network:/proc/$spid/ns/net \
		    --with-ns ipc:/proc/$spid/ns/ipc \
		    --with-ns uts:/proc/$spid/ns/uts "$@"
	fi
	lab_ctr -n $NS run -d --null-io --pid-file "$CTD/pids/$id" \
	    --cgroup /kubepods/burstable/pod$uid/$id "$@" $image $id \
	    > /dev/null 2>> "$TMP/ctd.err"
}
# A copy of the tasks' config.json, as it was while they ran: what
# "ingest --runtime-root" reads after they are gone.
save_state() {
	local d
	for d in "$TASKS"/*/; do
		[ -r "$d/config.json" ] || continue
		mkdir -p "$TMP/keep/ctd-state/io.containerd.runtime.v2.task/$NS/$(basename "$d")"
		cp "$d/config.json" "$TMP/keep/ctd-state/io.containerd.runtime.v2.task/$NS/$(basename "$d")/"
	done
}

# ---------------------------------------------------------------- capture
mkdir -p "$TMP/keep"
DB=$TMP/live.db
CONF=$TMP/keep/dw.conf
printf 'db = %s\nlearn_window = %s\ncontainerd_root = %s\n' \
    "$DB" $LEARN "$LAB_CTD_STATE" > "$CONF"
cat > "$TMP/plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --config=$CONF plugin
format = string
EOC
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

token=dwctd$$x$RANDOM
t0=$(now)
RECREATE_AT=$((t0 + LEARN + 4))
ATTACK_AT=$((t0 + LEARN + 14 + SOAK))
POD_A1=web-7c5ddbdf54-a1k9p POD_A2=web-7c5ddbdf54-a2x4m
POD_B=worker-6b9f7d5c8-bz7wn
NS_A=shop NS_B=batch
UID_A1=$(newuid) UID_A2=$(newuid) UID_B=$(newuid)
pod_uids="$UID_A1 $UID_A2 $UID_B"
S_A1=$(newid) S_A2=$(newid) S_B=$(newid)
C_A1=$(newid) C_A2=$(newid) C_B=$(newid) C_A1b=$(newid)
started=0
env_app="--env TOKEN=$token --env ATTACK_AT=$ATTACK_AT"
cri_run sandbox $POD_A1 $NS_A $UID_A1 $S_A1 "" $PAUSE_IMAGE $S_A1 &&
    cri_run container $POD_A1 $NS_A $UID_A1 $S_A1 web $WEB_IMAGE $C_A1 $env_app &&
    cri_run sandbox $POD_A2 $NS_A $UID_A2 $S_A2 "" $PAUSE_IMAGE $S_A2 &&
    cri_run container $POD_A2 $NS_A $UID_A2 $S_A2 web $WEB_IMAGE $C_A2 $env_app &&
    cri_run sandbox $POD_B $NS_B $UID_B $S_B "" $PAUSE_IMAGE $S_B &&
    cri_run container $POD_B $NS_B $UID_B $S_B worker $WORKER_IMAGE $C_B $env_app --env ATTACK=1 ||
    started=1
if [ $started -ne 0 ]; then
	sed 's/^/# /' "$TMP/ctd.err"
	echo "not ok 1 - the three pods start"
	echo "1..1"
	exit 1
fi
save_state

# The probes: every PROBE_EVERY s, each app container in turn, the same
# command; the re-creation holds the lock so that no probe meets a
# half-deleted container.
echo "$C_A1 $C_A2 $C_B" > "$TMP/targets"
(
	n=0
	while [ ! -e "$TMP/probes.stop" ]; do
		{
			flock 9
			for id in $(cat "$TMP/targets"); do
				n=$((n + 1))
				lab_ctr -n $NS task exec --fifo-dir "$CTD/fifo" \
				    --exec-id probe-$n $id /bin/health \
				    > "$TMP/probe.out" 2>&1 &&
				    [ "$(cat "$TMP/probe.out")" = ok ] &&
				    echo "$(now) $id probe-$n" >> "$TMP/probes.log"
			done
		} 9> "$TMP/probes.lock"
		sleep $PROBE_EVERY
	done
) &
probe_pid=$!

baseline_active() {	# until both images are active or EPOCH_S
	while :; do
		"$DRIFTWATCH" --db "$DB" baseline list --json > "$TMP/baseline.json" 2> /dev/null
		[ "$(json_get "$TMP/baseline.json" "sorted(r['state'] for r in (d if isinstance(d, list) else [d]) if r['name'] in ('$WEB_IMAGE', '$WORKER_IMAGE'))" 2> /dev/null)" = "['active', 'active']" ] && return 0
		[ "$(now)" -ge "$1" ] && return 1
		sleep 0.5
	done
}
until_time $((t0 + LEARN + 1))
baseline_active $RECREATE_AT
until_time $RECREATE_AT
# kubelet after a crash: the same pod, a new container id
recreate() {	# recreate OLD NEW: a1's web container OLD replaced by NEW
	recreate_rc=1
	{
		flock 9
		lab_ctr -n $NS task kill -s KILL $1 > /dev/null 2>> "$TMP/ctd.err"
		for i in $(seq 50); do
			lab_ctr -n $NS task delete $1 > /dev/null 2>&1 && break
			sleep 0.1
		done
		lab_ctr -n $NS container delete $1 >> "$TMP/ctd.err" 2>&1 &&
		    cri_run container $POD_A1 $NS_A $UID_A1 $S_A1 web $WEB_IMAGE $2 $env_app &&
		    recreate_rc=0
		echo "$2 $C_A2 $C_B" > "$TMP/targets"
	} 9> "$TMP/probes.lock"
}
recreate $C_A1 $C_A1b
t_recreated=$(now)
save_state
baseline_active $((ATTACK_AT - 1))
cp "$TMP/baseline.json" "$TMP/keep/baseline.before-attack.json"

# The soak: normal life goes on, the probes and, every RECREATE_EVERY s, a1's
# web container re-created again (none in the last 10 s before the attack).
C_A1x=""		# the soak's re-created containers, in order
soak_recreate_failed=0
cur=$C_A1b
t_next=$((RECREATE_AT + RECREATE_EVERY))
while [ "$SOAK" -gt 0 ] && [ $t_next -le $((ATTACK_AT - 10)) ]; do
	until_time $t_next
	new=$(newid)
	first_rc=$recreate_rc
	recreate $cur $new
	[ $recreate_rc -eq 0 ] || soak_recreate_failed=$((soak_recreate_failed + 1))
	recreate_rc=$first_rc
	C_A1x="$C_A1x $new"
	cur=$new
	save_state
	t_next=$((t_next + RECREATE_EVERY))
done
# as Python list items (", 'id'..."), empty without a soak
X=$(for c in $C_A1x; do printf ", '%s'" $c; done)

# ---------------------------------------------------------------- attack
until_time $ATTACK_AT
# (d) a shell entering the worker through exec
lab_ctr -n $NS task exec --fifo-dir "$CTD/fifo" --exec-id shell-$token $C_B \
    sh -c "id; cat /etc/passwd > /dev/null; ls /tmp; : $token-exec" \
    > "$TMP/exec.out" 2>&1
exec_rc=$?
attack_done() {	# read on the host from the mounted rootfs: no exec in the log
	local l
	[ -r "$TASKS/$C_B/rootfs/tmp/attack.log" ] || return 1
	while read -r l; do
		[[ $l == *done ]] && return 0
	done < "$TASKS/$C_B/rootfs/tmp/attack.log"
	return 1
}
for i in $(seq 100); do
	attack_done && break
	sleep 0.1
done
attack_done
attack_ok=$?
cp "$TASKS/$C_B/rootfs/tmp/attack.log" "$TMP/keep/attack-worker.log" 2> /dev/null
t_attack_end=$(( $(now) + 1 ))

# Normal life goes on for a few seconds with active profiles.
sleep 5
save_state
touch "$TMP/probes.stop"
wait "$probe_pid" 2> /dev/null
probe_pid=
lab_containerd_stop
sleep 1
cp "$LAB_AUDITD_LOG" "$TMP/keep/audit.log"
LOG=$TMP/keep/audit.log
lab_auditd_stop
for i in $(seq 100); do
	pgrep -f -- "--config=$CONF plugin" > /dev/null || break
	sleep 0.1
done
cat > "$TMP/keep/ids" <<EOF
# pod container id (ATTACK_AT=$ATTACK_AT t_recreated=$t_recreated t_attack_end=$t_attack_end token=$token)
$NS_A/$POD_A1 sandbox $S_A1
$NS_A/$POD_A1 web $C_A1
$NS_A/$POD_A1 web(re-created) $C_A1b
$NS_A/$POD_A2 sandbox $S_A2
$NS_A/$POD_A2 web $C_A2
$NS_B/$POD_B sandbox $S_B
$NS_B/$POD_B worker $C_B
EOF
n=1
for c in $C_A1x; do
	n=$((n + 1))
	echo "$NS_A/$POD_A1 web(re-created-$n) $c" >> "$TMP/keep/ids"
done
cp "$TMP/probes.log" "$TMP/keep/" 2> /dev/null
echo "# recreated at $t_recreated, attack at $ATTACK_AT, done by $((t_attack_end - 1)), test took $(( $(now) - t0 )) s since the first container"
[ "$SOAK" -gt 0 ] &&
    echo "# soak of $SOAK s: a1's web container re-created $(echo $C_A1x | wc -w) more times, $(wc -l < "$TMP/probes.log" 2> /dev/null || echo 0) probes answered"

# ---------------------------------------------------------------- capture checks
ALL="'$S_A1', '$C_A1', '$C_A1b'$X, '$S_A2', '$C_A2', '$S_B', '$C_B'"
APPS="'$C_A1', '$C_A1b'$X, '$C_A2', '$C_B'"
SANDBOXES="'$S_A1', '$S_A2', '$S_B'"
is "$recreate_rc" 0 "pod a1's web container re-created under the same pod"
[ "$SOAK" -gt 0 ] &&
    is "$soak_recreate_failed" 0 "soak: a1's web container re-created $(echo $C_A1x | wc -w) more times"
probes() {	# probes ID: probes answered by that container
	grep -c " $1 " "$TMP/probes.log" 2> /dev/null
}
is "$(for c in $C_A1 $C_A1b $C_A1x $C_A2 $C_B; do [ "$(probes $c)" -ge 2 ] && echo y || echo "n:${c:0:12}"; done | sort -u | tr '\n' ' ')" \
    "y " "probes answered, at least twice in each app container"
is "$exec_rc" 0 "ctr task exec of a shell into the worker ran"
is "$attack_ok" 0 "the worker carried out its attack"
"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/keep/events.json"
EV=$TMP/keep/events.json
ev() {	# ev PYTHON_BOOL_ON_r: sorted containers of the matching events
	json_get "$EV" "sorted(set(str(r['container']) for r in d if ($1)))"
}
argv_has='r["argv"] and any("%s" in a for a in r["argv"])'
path_has='any(p["name"] and "%s" in p["name"] for p in r["paths"])'
is "$(json_get "$EV" "[c[:12] for c in [$ALL] if not any(r['container'] == c for r in d)]")" \
    "[]" "capture: events of every container (3 sandboxes, 3 apps, the re-created one)"
# (in the containers, /bin/busybox runs the script; on the host, ctr
# carries the same words)
is "$(ev "r['syscall'] == 'execve' and r['exe'] == '/bin/busybox' and $(printf "$argv_has" /bin/health)")" \
    "$(python3 -c "print(sorted([$APPS]))")" "capture: the probes ran in the four app containers"
is "$(ev "r['syscall'] == 'execve' and $(printf "$path_has" ".x-$token/busybox")")" \
    "['$C_B']" "capture: the dropped binary ran in the worker"
is "$(ev "$(printf "$path_has" /etc/passwd) and r['key'] == 'driftwatch-write' and r['container'] is not None")" \
    "['$C_B']" "capture: /etc/passwd written in the worker only"
is "$(ev "$(printf "$argv_has" "foo-$token")")" \
    "['$C_B']" "capture: the worker ran its package manager"
is "$(ev "r['exe'] == '/bin/busybox' and $(printf "$argv_has" "$token-exec")")" \
    "['$C_B']" "capture: the exec'd shell is in the worker"
is "$(ev "r['exe'] in ('/usr/bin/ctr', '/usr/bin/containerd')")" \
    "['None']" "capture: ctr and containerd are the host's"

# ---------------------------------------------------------------- attribution
"$DRIFTWATCH" --db "$DB" containers --json > "$TMP/keep/containers.json"
echo "# containers (id, runtime, name, image, pod_namespace/pod_name, container_name, events, attribution):"
json_get "$TMP/keep/containers.json" "'\n'.join('%s %s %s %s %s/%s %s %s %s' % (r['id'][:12], r['runtime'], r['name'], r['image'], r['pod_namespace'], r['pod_name'], r['container_name'], r['events'], r['attribution']) for r in (d if isinstance(d, list) else [d]))" | sed 's/^/#   /'
pods() {	# pods FILE: what containers --json says of our containers
	json_get "$1" "sorted((r['id'], r['pod_namespace'], r['pod_name'], r['pod_uid'], r['container_name'], r['image']) for r in (d if isinstance(d, list) else [d]) if r['id'] in ($ALL))"
}
want_pods=$(python3 -c "print(sorted([
    ('$C_A1', '$NS_A', '$POD_A1', '$UID_A1', 'web', '$WEB_IMAGE'),
    ('$C_A1b', '$NS_A', '$POD_A1', '$UID_A1', 'web', '$WEB_IMAGE'),
$(for c in $C_A1x; do echo "    ('$c', '$NS_A', '$POD_A1', '$UID_A1', 'web', '$WEB_IMAGE'),"; done)
    ('$C_A2', '$NS_A', '$POD_A2', '$UID_A2', 'web', '$WEB_IMAGE'),
    ('$C_B', '$NS_B', '$POD_B', '$UID_B', 'worker', '$WORKER_IMAGE'),
    ('$S_A1', '$NS_A', '$POD_A1', '$UID_A1', None, '$PAUSE_IMAGE'),
    ('$S_A2', '$NS_A', '$POD_A2', '$UID_A2', None, '$PAUSE_IMAGE'),
    ('$S_B', '$NS_B', '$POD_B', '$UID_B', None, '$PAUSE_IMAGE')]))")
live_pods=$(pods "$TMP/keep/containers.json")
sel() {	# sel ROWS IDS: the rows of those containers
	python3 -c "import sys; print(sorted(r for r in eval(sys.argv[1]) if r[0] in ($2)))" "$1"
}
is "$(sel "$live_pods" "$APPS")" "$(sel "$want_pods" "$APPS")" \
    "containers: each app container's pod namespace, name, uid, container name and image"
is "$(sel "$live_pods" "$SANDBOXES")" "$(sel "$want_pods" "$SANDBOXES")" \
    "containers: the three pause sandboxes, with their pods and the pause image"

# ---------------------------------------------------------------- actors
actors() {	# actors PYTHON_BOOL_ON_r: sorted actors of the matching events, and how many
	json_get "$EV" "(sorted(set(str(r.get('actor')) for r in d if ($1))), sum(1 for r in d if ($1)) > 0)"
}
echo "# actors of the events in our containers, by comm:"
json_get "$EV" "'\n'.join('%s: %s' % (k, v) for k, v in sorted(__import__('collections').Counter((r['comm'], str(r.get('actor'))) for r in d if r['container'] in ($ALL)).items()))" | sed 's/^/#   /'
is "$(actors "r['comm'] == 'runc:[2:INIT]' and r['syscall'] == 'mount' and r['container'] in ($ALL)")" \
    "(['runtime'], True)" "actor: runc:[2:INIT]'s mounts in our containers are the runtime's"
is "$(actors "r['syscall'] == 'execve' and r['exe'] == '/bin/busybox' and $(printf "$argv_has" /bin/health)")" \
    "(['session'], True)" "actor: the probes' execs are sessions"
is "$(actors "r['syscall'] == 'execve' and r['exe'] == '/bin/busybox' and $(printf "$argv_has" "$token-exec")")" \
    "(['session'], True)" "actor: the exec'd shell is a session"
is "$(actors "r['syscall'] == 'execve' and $(printf "$path_has" ".x-$token/busybox")")" \
    "(['container'], True)" "actor: the dropped binary, run by the entrypoint, is the container's"
# the shims and the runc command (create, start, exec, kill, delete) serve
# containers: attributed to one or not, they are never its behaviour
is "$(json_get "$EV" "sorted(set(str(r.get('actor')) for r in d if r['exe'] in ('/usr/bin/containerd-shim-runc-v2', '/usr/sbin/runc')) - {'runtime', 'host'})")" \
    "[]" "actor: the shims' and runc's events are the runtime's (or the host's)"

# ---------------------------------------------------------------- detection
is "$(json_get "$TMP/keep/baseline.before-attack.json" "sorted((r['name'], r['state']) for r in (d if isinstance(d, list) else [d]) if r['name'] in ('$WEB_IMAGE', '$WORKER_IMAGE'))" 2>&1)" \
    "[('$WEB_IMAGE', 'active'), ('$WORKER_IMAGE', 'active')]" \
    "baseline list: both app images active before the attack"
echo "# baseline before the attack: $(json_get "$TMP/keep/baseline.before-attack.json" "sorted((r['name'], r['state']) for r in (d if isinstance(d, list) else [d]))" 2>&1)"

"$DRIFTWATCH" --db "$DB" anomalies --json > "$TMP/keep/anomalies.json" 2> "$TMP/anomalies.err"
ok $? "anomalies --json runs"
A=$TMP/keep/anomalies.json
echo "# live anomalies (rule, container, pod, first_seen, pid, exe, argv -- reason):"
python3 - "$A" "$TMP/keep/ids" <<'EOP' | sed 's/^/#   /'
import json, sys
names = {}
for l in open(sys.argv[2]):
    if not l.startswith("#"):
        p, n, i = l.split()
        names[i] = "%s:%s" % (p.split("/")[1], n)
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    r = json.loads(l)
    c = (r.get("container") or {}).get("id")
    print(r.get("rule"), names.get(c, c), r.get("pod"), r.get("first_seen"),
          r.get("pid"), r.get("exe"), r.get("argv"), "--", r.get("reason"))
EOP

a() {	# a PYTHON_EXPR_ON_d: evaluated on the live anomalies (a list)
	python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$A" "$1"
}
cid='(r.get("container") or {}).get("id")'
is "$(a "sorted(set((r['rule'], $cid[:12], r['exe']) for r in d if r['first_seen'] < $ATTACK_AT))")" \
    "[]" "no anomaly before the attack (runc, shims, probes, the re-created container)"
is "$(a "sorted(set((r['rule'], r['exe']) for r in d if not $cid))")" \
    "[]" "no anomaly outside a container (containerd, shims, runc, ctr)"
is "$(a "sorted(set((r['rule'], $cid[:12]) for r in d if $cid in ('$S_A1', '$C_A1', '$C_A1b'$X, '$S_A2', '$C_A2')))")" \
    "[]" "no anomaly on the pods never attacked (a1, a2: sandboxes and apps)"
is "$(a "sorted(set(r['rule'] for r in d if $cid == '$C_A1b'))")" \
    "[]" "no anomaly on the re-created container"
is "$(a "sorted(set(r['rule'] for r in d if $cid == '$S_B'))")" \
    "[]" "no anomaly on the worker pod's sandbox"
is "$(a "sorted(set((r['rule'], $cid[:12] if $cid else None) for r in d if r['first_seen'] >= $t_attack_end))")" \
    "[]" "no anomaly from the normal life that went on after the attack"

# expect FILE RULE CONTAINER IMAGE POD DESC [TOKEN]: an anomaly of RULE on
# the container, of the image and pod, with a reason, audit serials of the
# log, and TOKEN (if given) in its exe, argv or reason.
expect() {
	python3 - "$@" "$LOG" <<'EOP'
import json, re, sys
f, rule, cid, image, pod, desc, token, log = sys.argv[1:9]
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
    if r.get("pod") != pod:
        return "pod %r" % r.get("pod")
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
check() {	# check ARGS...: runs expect, numbers its line
	local out
	out=$(expect "$@")
	tap_n=$((tap_n + 1))
	attacks_expected=$((attacks_expected + 1))
	case $out in
	"ok - "*) echo "ok $tap_n - ${out#ok - }"; attacks_found=$((attacks_found + 1)) ;;
	*) echo "not ok $tap_n - ${out#not ok - }"; tap_failed=$((tap_failed + 1)) ;;
	esac
}
check $A drop-exec $C_B $WORKER_IMAGE $POD_B "(a) drop-exec on the worker, /tmp/.x-TOKEN/busybox" ".x-$token"
check $A account-write $C_B $WORKER_IMAGE $POD_B "(b) account-write on the worker" ""
check $A package-manager $C_B $WORKER_IMAGE $POD_B "(c) package-manager on the worker, apk add foo-TOKEN" "foo-$token"
check $A exec-session $C_B $WORKER_IMAGE $POD_B "(d) exec-session on the worker, the shell through ctr task exec" "$token-exec"
base="('new-process', 'new-argv', 'new-user', 'new-file', 'new-peer', 'new-listen', 'new-privileged')"
is "$(a "sorted(set(r['rule'] for r in d if $cid == '$C_B' and r['rule'] not in $base))")" \
    "['account-write', 'drop-exec', 'exec-session', 'package-manager']" \
    "worker: the attack's rules and no other (beside baseline rules)"
is "$(a "sorted(set(r['state'] for r in d))")" "['open']" "anomalies are open"

# ---------------------------------------------------------------- replay
"$DRIFTWATCH" --db "$TMP/replay.db" --config "$CONF" ingest \
    --runtime-root "$TMP/keep/ctd-state" "$LOG" > /dev/null 2> "$TMP/replay.err"
ok $? "replay: ingest of the captured log, with the saved containerd state"
sed 's/^/# /' "$TMP/replay.err" | head -n 5
"$DRIFTWATCH" --db "$TMP/replay.db" anomalies --json > "$TMP/keep/replay-anomalies.json" 2>> "$TMP/replay.err"
"$DRIFTWATCH" --db "$TMP/replay.db" containers --json > "$TMP/keep/replay-containers.json" 2>> "$TMP/replay.err"
pairs() {
	python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sorted(set((r["rule"], str((r.get("container") or {}).get("id"))) for r in d)))' "$1"
}
live_pairs=$(pairs "$A")
replay_pairs=$(pairs "$TMP/keep/replay-anomalies.json")
is "$replay_pairs" "$live_pairs" "replay: the same (rule, container) anomalies as live"
[ "$live_pairs" = "$replay_pairs" ] || python3 - "$live_pairs" "$replay_pairs" <<'EOP'
import ast, sys
l, r = (set(ast.literal_eval(x)) for x in sys.argv[1:3])
print("#   live only:", sorted(l - r))
print("#   replay only:", sorted(r - l))
EOP
is "$(pods "$TMP/keep/replay-containers.json")" "$want_pods" \
    "replay: every container's pod, container name and image, from the log and the saved state"

# ---------------------------------------------------------------- soak figures
python3 - "$A" "$TMP/keep/baseline.before-attack.json" "$ATTACK_AT" \
    "$((t0 + LEARN))" "$attacks_found/$attacks_expected" "$TMP/keep/ids" \
    "$WEB_IMAGE" "$WORKER_IMAGE" <<'EOP'
import json, sys
f, base, attack, fallback, found, ids = sys.argv[1:7]
images = sys.argv[7:9]
attack = int(attack)
names = {}
for l in open(ids):
    if not l.startswith("#") and l.strip():
        p, n, i = l.split()
        names[i] = "%s:%s" % (p.split("/")[1], n)
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
print("# soak: runtime=containerd normal_seconds=%d anomalies_after_learning=%s"
      " attacks_found=%s" % (max(0, attack - max(locked)),
      "unknown" if rows is None else len(soak), found))
for r in soak:
    c = (r.get("container") or {}).get("id")
    print("# soak anomaly: rule=%s container=%s first_seen=%s exe=%s argv=%s"
          " reason=%s" % (r.get("rule"), names.get(c, c), r.get("first_seen"),
          r.get("exe"), json.dumps(r.get("argv")), r.get("reason")))
EOP
done_testing
