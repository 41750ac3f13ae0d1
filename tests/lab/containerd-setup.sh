# SPDX-License-Identifier: Apache-2.0
#
# containerd-setup.sh -- a private containerd for an end-to-end test.
#
# To be sourced by bash (not executed):
#
#	. tests/lab/containerd-setup.sh
#	trap 'lab_containerd_stop' EXIT
#	lab_containerd_start "$dir" || exit $?	# short dir: socket paths
#	lab_ctr -n k8s.io run -d ...
#	lab_containerd_import NAME:TAG		# a podman image, into k8s.io
#	lab_containerd_stop
#
# lab_containerd_start writes DIR/config.toml (root DIR/root, state
# DIR/state, gRPC on DIR/c.sock, ttrpc beside it, no debug or metrics
# listener, the opt plugin under DIR/opt, the CRI plugin disabled: no
# kubelet here, ctr plays it) and starts "containerd --config ..." in the
# background, then waits until "ctr version" answers.  Nothing it starts
# shares a socket, a database or a state directory with a system
# containerd or docker's; only /run/containerd/{s,runc} (shim sockets named
# by a hash of our address, runc state per namespace and id) are common
# ground, as for any containerd on the machine.  It returns 77 with
# "SKIP: ..." on stderr when this machine cannot do it (not root,
# containerd, ctr or runc missing, no cgroup hierarchy), 1 when containerd
# does not come up (its log is on stderr).
#
# lab_containerd_stop, idempotent: in every namespace of our instance,
# kills each task (SIGKILL), deletes tasks and containers, then stops our
# containerd by PID (SIGTERM, SIGKILL after 5 s), kills by PID any shim
# still serving our socket, and unmounts what is left mounted under DIR.
# It never touches a process, mount or container it did not start.
#
# Variables set for the caller: LAB_CTD_PID, LAB_CTD_DIR, LAB_CTD_SOCK,
# LAB_CTD_STATE (what driftwatch's containerd_root is for this instance).

LAB_CTD_PID=
LAB_CTD_DIR=
LAB_CTD_SOCK=
LAB_CTD_STATE=

_lab_ctd_skip() {
	echo "SKIP: $*" >&2
	return 77
}

# lab_ctr ARGS...: ctr on our instance.
lab_ctr() {
	ctr --address "$LAB_CTD_SOCK" "$@"
}

# lab_containerd_start DIR
lab_containerd_start() {
	local dir=$1 i

	if [ -z "$dir" ]; then
		echo "usage: lab_containerd_start DIR" >&2
		return 1
	fi
	if [ -n "$LAB_CTD_PID" ]; then
		echo "lab_containerd_start: already running (pid $LAB_CTD_PID)" >&2
		return 1
	fi
	[ "$(id -u)" = 0 ] || { _lab_ctd_skip "containerd tests need root"; return; }
	local b
	for b in containerd ctr runc containerd-shim-runc-v2; do
		command -v $b > /dev/null ||
		    { _lab_ctd_skip "$b not installed (apt-get install containerd runc)"; return; }
	done
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	# sockaddr_un holds 108 bytes; containerd adds ".ttrpc" to the ttrpc one
	if [ ${#dir} -gt 90 ]; then
		echo "lab_containerd_start: $dir is too long for a socket path" >&2
		return 1
	fi
	cat > "$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/c.sock"
[ttrpc]
  address = "$dir/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$dir/opt"
EOF
	# the command line says it again, so that ps shows whose it is
	containerd --config "$dir/config.toml" --root "$dir/root" \
	    --state "$dir/state" --address "$dir/c.sock" \
	    > "$dir/containerd.log" 2>&1 &
	LAB_CTD_PID=$!
	LAB_CTD_DIR=$dir
	LAB_CTD_SOCK=$dir/c.sock
	LAB_CTD_STATE=$dir/state
	for i in $(seq 100); do
		if ! kill -0 "$LAB_CTD_PID" 2> /dev/null; then
			wait "$LAB_CTD_PID" 2> /dev/null
			LAB_CTD_PID=
			echo "lab_containerd_start: containerd exited:" >&2
			tail -n 20 "$dir/containerd.log" >&2
			return 1
		fi
		lab_ctr version > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "lab_containerd_start: containerd did not answer in 10 s:" >&2
	tail -n 20 "$dir/containerd.log" >&2
	lab_containerd_stop
	return 1
}

# lab_containerd_import NAME:TAG [NAMESPACE]: a podman image into our
# instance (namespace k8s.io by default) under the same reference.
lab_containerd_import() {
	local name=$1 ns=${2:-k8s.io} tar
	tar=$LAB_CTD_DIR/import.$$.tar
	rm -f "$tar"
	podman save --format oci-archive -o "$tar" "$name" > /dev/null &&
	    lab_ctr -n "$ns" images import --base-name "${name%:*}" "$tar" > /dev/null
	local rc=$?
	rm -f "$tar"
	# ready: fully there and unpacked
	[ $rc -eq 0 ] &&
	    [ "$(lab_ctr -n "$ns" images check -q "name==$name" 2> /dev/null)" = "$name" ]
}

# lab_containerd_stop: see above.
lab_containerd_stop() {
	local pid=$LAB_CTD_PID ns id i p m

	[ -n "$LAB_CTD_DIR" ] || return 0
	if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
		for ns in $(lab_ctr namespaces ls -q 2> /dev/null); do
			for id in $(lab_ctr -n "$ns" task ls -q 2> /dev/null); do
				lab_ctr -n "$ns" task kill -s KILL "$id" > /dev/null 2>&1
			done
			for id in $(lab_ctr -n "$ns" task ls -q 2> /dev/null); do
				for i in 1 2 3 4 5 6 7 8 9 10; do
					lab_ctr -n "$ns" task delete -f "$id" > /dev/null 2>&1 && break
					sleep 0.2
				done
			done
			for id in $(lab_ctr -n "$ns" container ls -q 2> /dev/null); do
				lab_ctr -n "$ns" container delete "$id" > /dev/null 2>&1
			done
		done
	fi
	LAB_CTD_PID=
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2> /dev/null
		for i in $(seq 50); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
	fi
	# Shims outlive containerd; ours name our socket on their command
	# line.  (Their containers die with them: runc's init is their child.)
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		case $(tr '\0' ' ' < "$p/cmdline" 2> /dev/null) in
		*containerd-shim*" -address $LAB_CTD_SOCK "*)
			kill -KILL "${p#/proc/}" 2> /dev/null ;;
		esac
	done
	# Deepest first: rootfs mounts of tasks whose shim we had to kill.
	awk -v d="$LAB_CTD_DIR/" 'index($5, d) == 1 { print $5 }' \
	    /proc/self/mountinfo 2> /dev/null | sort -r |
	while read -r m; do
		umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
	done
	LAB_CTD_DIR=
	return 0
}
