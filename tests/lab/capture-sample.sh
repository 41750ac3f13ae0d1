#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# capture-sample.sh OUTDIR -- record a real audit log of containers at work,
# with the ground truth needed to check attribution against it.
#
# With a private auditd (tests/lab/auditd.sh) and the project's rules/:
#   1. two containers of localhost/web:1 (busybox httpd on 8080 and a loop
#      that writes /tmp and fetches the other web container's page) and one
#      of localhost/worker:1 (a loop writing, hashing and deleting files in
#      /tmp and fetching both web pages; httpd on 4444 that nobody calls);
#   2. a "podman exec" into web1 running a few commands while a HOST
#      process runs the same static busybox binary
#      (/bin/busybox sh -c ...) writing /tmp and fetching web1's page;
#   3. an "attack" from web2's own entrypoint tree: write /tmp/.x, chmod +x,
#      run it, append a root user to /etc/passwd, wget a new peer (the
#      worker's port 4444);
#   4. podman's state copied, containers stopped and removed, auditd stopped,
#      rules cleared.
# A bash poller (no forks) reads /proc/*/cgroup every ~20 ms meanwhile to
# record which host pid belonged to which container.
#
# OUTDIR receives sample.log (RAW; events of process trees not ours are
# dropped unless KEEP_FOREIGN=1, see capture-report.py), sample.truth.tsv,
# sample.README and sample-state/overlay-{containers,images}/*.json
# (trimmed to our containers and images).  KEEP_WORK=1 keeps the work
# directory (raw log, poller output).  Exit 77 (SKIP) when podman or auditd
# cannot run here.  About 20 s.
#
# Everything started here is cleaned up by PID or by container id, also on
# error or ^C: nothing else on the machine is touched.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
# A user's PATH (pyenv shims, ~/.cargo/bin, ...) would be inherited by
# podman and netavark, whose PATH search for iptables then logs one failed
# execve per extra directory: hundreds per container start.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p "$1" || exit 1
outdir=$(cd "$1" && pwd)

"$here/podman-setup.sh" || exit $?
command -v python3 >/dev/null || { echo "SKIP: python3 needed" >&2; exit 77; }
. "$here/auditd.sh"

# Addresses on podman's default bridge (10.88.0.0/16), fixed so that each
# container knows its peers before they start.
WEB1_IP=${WEB1_IP:-10.88.77.11}
WEB2_IP=${WEB2_IP:-10.88.77.12}
WORKER_IP=${WORKER_IP:-10.88.77.21}
WEB1=dwlab-web1
WEB2=dwlab-web2
WORKER=dwlab-worker1
WEB_IMAGE=localhost/web:1
WORKER_IMAGE=localhost/worker:1
ATTACK_AT=${ATTACK_AT:-4}	# web2 loop iteration (3 s each) of the attack
STORAGE=/var/lib/containers/storage

work=$(mktemp -d "${TMPDIR:-/tmp}/dw-capture.XXXXXX") || exit 1
cids=()
poller_pid=
host_pid=

cleanup() {
	local cid
	trap - EXIT INT TERM
	[ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null
	if [ -n "$poller_pid" ]; then
		: > "$work/stop-poll"
		kill "$poller_pid" 2>/dev/null
		wait "$poller_pid" 2>/dev/null
	fi
	for cid in "${cids[@]}"; do
		podman rm -f -t 0 "$cid" >/dev/null 2>&1
	done
	lab_auditd_stop
	[ -n "${KEEP_WORK:-}" ] && echo "work dir kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "capture-sample: $*" >&2; exit 1; }
# The capture's own footprint in the log stays small: time stamps and naps
# from bash builtins (no fork, no exec); the fifo is opened once.
stamp() {	# stamp VAR: UTC time, ms
	local t=$EPOCHREALTIME
	TZ=UTC printf -v "$1" '%(%Y-%m-%dT%H:%M:%S)T.%sZ' "${t%.*}" "${t:${#t}-6:3}"
}
nap() { read -r -t "$1" -u 5; }

# ---------------------------------------------------------------- images
cat > "$work/web.entry" <<'EOF'
#!/bin/sh
# web: serve a page on 8080, keep a hit log in /tmp, fetch $PEER's page
# every 3 s; at loop iteration $ATTACK_AT, the "attack".
trap 'exit 0' TERM
echo "<h1>$(hostname)</h1>" > /var/www/index.html
httpd -f -p 8080 -h /var/www &

attack() {
	echo "$(date +%s) step1 write /tmp/.x" >> /tmp/attack.log
	printf '#!/bin/sh\nid\nuname -a\ncat /etc/hostname\nsleep 1\n' > /tmp/.x
	echo "$(date +%s) step2 chmod +x /tmp/.x" >> /tmp/attack.log
	chmod +x /tmp/.x
	echo "$(date +%s) step3 run /tmp/.x" >> /tmp/attack.log
	/tmp/.x > /tmp/.x.out 2>&1
	echo "$(date +%s) step4 append to /etc/passwd" >> /tmp/attack.log
	echo 'toor:x:0:0:toor:/root:/bin/sh' >> /etc/passwd
	echo "$(date +%s) step5 wget $NEWPEER" >> /tmp/attack.log
	wget -q -O /tmp/.y "http://$NEWPEER/status"
	echo "$(date +%s) done" >> /tmp/attack.log
}

i=0
while :; do
	i=$((i + 1))
	echo "$i $(date +%s)" >> /tmp/hits.log
	tail -n 3 /tmp/hits.log > /tmp/last-hits
	[ -n "${PEER:-}" ] && wget -q -O /tmp/peer.html "http://$PEER:8080/"
	[ "$i" = "${ATTACK_AT:-0}" ] && attack
	sleep 3 &
	wait $!
done
EOF
cat > "$work/worker.entry" <<'EOF'
#!/bin/sh
# worker: make, hash and delete files in /tmp, fetch the web pages.
trap 'exit 0' TERM
echo ok > /var/www/status
httpd -f -p 4444 -h /var/www &
i=0
while :; do
	i=$((i + 1))
	dd if=/dev/urandom of=/tmp/job.$i bs=1k count=4 2>/dev/null
	md5sum /tmp/job.$i > /tmp/job.$i.md5
	rm -f /tmp/job.$((i - 1)) /tmp/job.$((i - 1)).md5
	for p in $PEERS; do
		wget -q -O /dev/null "http://$p:8080/"
	done
	sleep 3 &
	wait $!
done
EOF
"$here/mkimage.sh" "$WEB_IMAGE" "$work/web.entry" > /dev/null || exit $?
"$here/mkimage.sh" "$WORKER_IMAGE" "$work/worker.entry" > /dev/null || exit $?
for n in $WEB1 $WEB2 $WORKER; do
	# A leftover of an interrupted run of ours (matched by label too).
	if [ "$(podman inspect -f '{{index .Config.Labels "driftwatch-lab"}}' $n 2>/dev/null)" = capture ]; then
		podman rm -f -t 0 $n >/dev/null
	fi
done

# ---------------------------------------------------------------- poller
# One line per change: pid<TAB>container id, "conmon" or "host"<TAB>ppid
# <TAB>comm.  A container's first process starts in conmon's cgroup (as
# crun) and moves into the container's, and a host pid may exec busybox
# late, so only container pids are final; the others are read again each
# round.  bash builtins only: no fork, no exec, and no open for write after
# the first, so the poller adds nothing to the log but its own start.
poll() {
	local f pid line id ppid comm rest new
	local -A last
	# Opened once: a redirection per call would be an audited open for
	# write each time (2>/dev/null included).
	exec 2> /dev/null
	exec 3>> "$work/poll.raw"
	while [ ! -e "$work/stop-poll" ]; do
		for f in /proc/[0-9]*/cgroup; do
			pid=${f#/proc/}
			pid=${pid%/cgroup}
			[[ ${last[$pid]:-} == c* ]] && continue
			read -r line < "$f" || continue
			case $line in
			*/libpod-*)
				id=${line##*/libpod-}
				id=${id:0:64}
				;;
			*/libpod_parent/conmon)
				id=conmon
				;;
			*)
				# Host processes of the host's busybox; ours are
				# told apart later by their ppid chain.
				[[ /proc/$pid/exe -ef /bin/busybox ]] || continue
				id=host
				;;
			esac
			read -r comm < "/proc/$pid/comm" || comm='?'
			new="$id $comm"
			[ ${#id} = 64 ] && new="c$new"
			[ "${last[$pid]:-}" = "$new" ] && continue
			read -r rest < "/proc/$pid/stat" || continue
			rest=${rest##*) }
			set -- $rest
			ppid=$2
			last[$pid]=$new
			printf '%s\t%s\t%s\t%s\n' "$pid" "$id" "$ppid" "$comm" >&3
		done
		nap 0.02
	done
}
mkfifo "$work/tick"
exec 5<> "$work/tick"
: > "$work/poll.raw"

# ---------------------------------------------------------------- capture
lab_auditd_start "$work/auditd" || exit $?
stamp t_start
poll &
poller_pid=$!
nap 1

run() {	# run NAME IMAGE IP ENV...; appends the id to cids
	local name=$1 image=$2 ip=$3 cid
	shift 3
	cid=$(podman run -d --name "$name" --hostname "$name" \
		--label driftwatch-lab=capture --ip "$ip" "$@" "$image") ||
		die "podman run $name failed"
	cids+=("$cid")
}
stamp t_web1
run $WEB1 $WEB_IMAGE $WEB1_IP -e PEER=$WEB2_IP
stamp t_web2
run $WEB2 $WEB_IMAGE $WEB2_IP -e PEER=$WEB1_IP \
	-e ATTACK_AT=$ATTACK_AT -e NEWPEER=$WORKER_IP:4444
stamp t_worker
run $WORKER $WORKER_IMAGE $WORKER_IP -e "PEERS=$WEB1_IP $WEB2_IP"
nap 4

# The host process, and a podman exec into web1, at the same time.
stamp t_host
/bin/busybox sh -c '
	for i in 1 2 3; do
		echo "host $i $(date +%s)" >> /tmp/dwlab-host.log
		/bin/busybox wget -q -O /tmp/dwlab-host.html http://'$WEB1_IP':8080/
		/bin/busybox cat /etc/hostname > /dev/null
		sleep 1
	done
	rm -f /tmp/dwlab-host.log /tmp/dwlab-host.html' &
host_pid=$!
host_sh_pid=$host_pid
nap 0.5
stamp t_exec
podman exec $WEB1 sh -c 'id; hostname; ls -l /tmp; echo exec-was-here > /tmp/exec.txt;
	wget -q -O - http://'$WEB2_IP':8080/; sleep 1' > "$work/exec1.out" 2>&1 ||
	die "podman exec failed: $(cat "$work/exec1.out")"
wait "$host_pid"
host_pid=

# Until web2's loop reaches ATTACK_AT and finishes the attack; read on the
# host through the overlay's upper dir, so that no exec disturbs the log.
upper2=$(podman inspect -f '{{.GraphDriver.Data.UpperDir}}' $WEB2)
attack_done() {
	local l
	[ -r "$upper2/tmp/attack.log" ] || return 1
	while read -r l; do
		[[ $l == *done ]] && return 0
	done < "$upper2/tmp/attack.log"
	return 1
}
for i in $(seq 120); do
	attack_done && break
	nap 0.5
done
attack_done || die "attack did not complete"
nap 1

# podman's state, before the containers go.
mkdir -p "$work/state"
cp "$STORAGE/overlay-containers/containers.json" "$work/state/containers.json"
cp "$STORAGE/overlay-images/images.json" "$work/state/images.json"
podman inspect $WEB1 $WEB2 $WORKER > "$work/inspect.json"
cp "$upper2/tmp/attack.log" "$work/attack.log"

stamp t_stop
podman stop -t 5 "${cids[@]}" > /dev/null
stamp t_rm
podman rm "${cids[@]}" > /dev/null
cids=()
nap 1
: > "$work/stop-poll"
wait "$poller_pid"
poller_pid=
stamp t_end
lab_auditd_stop

# ---------------------------------------------------------------- outputs
root_pid=$$
export work outdir root_pid host_sh_pid t_start t_web1 t_web2 t_worker t_host t_exec \
	t_stop t_rm t_end WEB1 WEB2 WORKER WEB1_IP WEB2_IP WORKER_IP \
	ATTACK_AT STORAGE
python3 "$here/capture-report.py" || die "report failed"
size=$(wc -c < "$outdir/sample.log")
echo "capture-sample: wrote $outdir/sample.log ($(grep -c type=SYSCALL \
	"$outdir/sample.log") SYSCALL records, $size bytes)"
# tests/data wants 100 KB - 1.5 MB, never more than 2 MB.
[ "$size" -le 1572864 ] ||
	echo "capture-sample: WARNING: sample.log is larger than 1.5 MB" >&2
