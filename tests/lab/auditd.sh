# SPDX-License-Identifier: Apache-2.0
#
# auditd.sh -- run a private, foreground auditd for an end-to-end test.
#
# To be sourced by bash (not executed):
#
#	. tests/lab/auditd.sh
#	trap 'lab_auditd_stop' EXIT
#	trap 'exit 130' INT TERM	# makes the EXIT trap run on ^C too
#	lab_auditd_start "$dir" [plugin.conf] || exit $?
#	... generate activity; read "$LAB_AUDITD_LOG" ...
#	lab_auditd_restart	# optional: same directory, rules kept
#	lab_auditd_stop
#
# lab_auditd_start writes DIR/auditd.conf (RAW log in DIR/audit.log, plugins
# from DIR/plugins.d), starts "auditd -n -c DIR" in the background, waits
# until the kernel knows it as the audit daemon, then loads the project's
# rules (rules/*.rules, in order, or $LAB_AUDIT_RULES_DIR) with auditctl -R.
# It returns 77 with "SKIP: ..." on stderr when this machine cannot do it
# (not root, no auditd, another audit daemon registered), 1 on failure.
#
# Invariants: only one audit daemon can exist, so we never touch the kernel
# audit state unless we started the daemon ourselves: lab_auditd_stop kills
# our own PID only, and only then clears the rules (auditctl -D) and
# disables auditing (auditctl -e 0).  lab_auditd_stop is idempotent, so it
# may run both from the normal path and from an EXIT trap.
#
# Variables set for the caller: LAB_AUDITD_PID, LAB_AUDITD_DIR,
# LAB_AUDITD_LOG, LAB_AUDITD_RULES (the concatenated rules actually loaded).

LAB_AUDITD_PID=
LAB_AUDITD_DIR=
LAB_AUDITD_LOG=
LAB_AUDITD_RULES=

# rules/ of the source tree this file belongs to.
_lab_auditd_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

_lab_skip() {
	echo "SKIP: $*" >&2
	return 77
}

# Prints the pid the kernel knows as audit daemon (0 if none).
lab_auditd_kernel_pid() {
	auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2; f = 1 } END { if (!f) print 0 }'
}

# lab_auditd_start DIR [PLUGIN_CONF]
lab_auditd_start() {
	local dir=$1 plugin=${2:-} rulesdir kpid i

	if [ -z "$dir" ]; then
		echo "usage: lab_auditd_start DIR [PLUGIN_CONF]" >&2
		return 1
	fi
	if [ -n "$LAB_AUDITD_PID" ]; then
		echo "lab_auditd_start: already running (pid $LAB_AUDITD_PID)" >&2
		return 1
	fi
	[ "$(id -u)" = 0 ] || { _lab_skip "auditd tests need root"; return; }
	command -v auditd >/dev/null && command -v auditctl >/dev/null ||
		{ _lab_skip "auditd/auditctl not installed"; return; }
	auditctl -s >/dev/null 2>&1 ||
		{ _lab_skip "no kernel audit support (auditctl -s fails)"; return; }
	# one kernel audit configuration per machine: test runs take turns
	# (the lock of tests/lab/kaudit.sh, held until the shell exits)
	if command -v flock >/dev/null; then
		exec 7>>"${KAUDIT_LOCK:-/tmp/driftwatch-kernel-audit.lock}"
		flock -w 600 7 ||
			{ _lab_skip "another test held the kernel audit lock for 10 minutes"; return; }
	fi
	kpid=$(lab_auditd_kernel_pid)
	if [ "$kpid" != 0 ]; then
		_lab_skip "another audit daemon is registered (pid $kpid); not touching it"
		return
	fi

	rulesdir=${LAB_AUDIT_RULES_DIR:-$_lab_auditd_srcdir/rules}
	set -- "$rulesdir"/*.rules
	[ -e "$1" ] || { echo "lab_auditd_start: no rules in $rulesdir" >&2; return 1; }

	mkdir -p "$dir/plugins.d" || return 1
	dir=$(cd "$dir" && pwd)
	# auditd refuses a config file others can write; plugins.d likewise.
	chmod 0750 "$dir" "$dir/plugins.d"
	: > "$dir/audit.log"
	chmod 0600 "$dir/audit.log"
	# write() happens per record whatever "flush" says; INCREMENTAL_ASYNC
	# only moves the fdatasync off the hot path, so the log is readable
	# as soon as a record is out of the kernel.  No rotation, no disk-space
	# actions: a test must not suspend auditing behind our back.
	cat > "$dir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $dir/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 20
max_log_file = 0
max_log_file_action = IGNORE
num_logs = 0
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
priority_boost = 4
name_format = NONE
q_depth = 4000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $dir/plugins.d
end_of_event_timeout = 2
transport = TCP
distribute_network = no
EOF
	chmod 0640 "$dir/auditd.conf"
	if [ -n "$plugin" ]; then
		cp "$plugin" "$dir/plugins.d/" || return 1
		chmod 0640 "$dir/plugins.d/$(basename "$plugin")"
	fi

	LAB_AUDITD_RULES=$dir/audit.rules
	cat "$@" > "$LAB_AUDITD_RULES" || return 1

	auditd -n -c "$dir" > "$dir/auditd.out" 2>&1 &
	LAB_AUDITD_PID=$!
	LAB_AUDITD_DIR=$dir
	LAB_AUDITD_LOG=$dir/audit.log
	echo "$LAB_AUDITD_PID" > "$dir/auditd.pid"

	# Registered with the kernel, and its DAEMON_START record written.
	for i in $(seq 100); do
		if ! kill -0 "$LAB_AUDITD_PID" 2>/dev/null; then
			# auditd -n reports configuration errors to syslog only.
			echo "lab_auditd_start: auditd exited; for its reason run:" \
			    "auditd -f -n -c $dir" >&2
			cat "$dir/auditd.out" >&2
			LAB_AUDITD_PID=
			return 1
		fi
		[ "$(lab_auditd_kernel_pid)" = "$LAB_AUDITD_PID" ] &&
			grep -q DAEMON_START "$LAB_AUDITD_LOG" && break
		sleep 0.05
	done
	if [ "$(lab_auditd_kernel_pid)" != "$LAB_AUDITD_PID" ]; then
		echo "lab_auditd_start: auditd $LAB_AUDITD_PID did not register" >&2
		lab_auditd_stop
		return 1
	fi

	auditctl -D >/dev/null
	if ! auditctl -R "$LAB_AUDITD_RULES" > "$dir/auditctl.out" 2>&1; then
		echo "lab_auditd_start: auditctl -R $LAB_AUDITD_RULES failed:" >&2
		cat "$dir/auditctl.out" >&2
		lab_auditd_stop
		return 1
	fi
	auditctl -e 1 >/dev/null
	return 0
}

# lab_auditd_restart: stops the auditd we started and starts it again on
# the same directory (plugins are started by auditd at its start only),
# keeping the kernel's rules, its audit state and our lock.
lab_auditd_restart() {
	local pid=$LAB_AUDITD_PID i

	[ -n "$pid" ] && [ -n "$LAB_AUDITD_DIR" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	auditd -n -c "$LAB_AUDITD_DIR" > "$LAB_AUDITD_DIR/auditd.out" 2>&1 &
	LAB_AUDITD_PID=$!
	echo "$LAB_AUDITD_PID" > "$LAB_AUDITD_DIR/auditd.pid"
	for i in $(seq 100); do
		[ "$(lab_auditd_kernel_pid)" = "$LAB_AUDITD_PID" ] && return 0
		kill -0 "$LAB_AUDITD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "lab_auditd_restart: auditd $LAB_AUDITD_PID did not register" >&2
	cat "$LAB_AUDITD_DIR/auditd.out" >&2
	return 1
}

# lab_auditd_stop: stops the auditd we started (SIGTERM, then SIGKILL after
# 10 s), then clears the rules and disables auditing.  No-op otherwise.
lab_auditd_stop() {
	local pid=$LAB_AUDITD_PID i

	[ -n "$pid" ] || return 0
	LAB_AUDITD_PID=
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "lab_auditd_stop: auditd $pid ignored SIGTERM; killing" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	# Reap it if it is our child (it is unless the caller forked since).
	wait "$pid" 2>/dev/null
	auditctl -D >/dev/null 2>&1
	auditctl -e 0 >/dev/null 2>&1
	return 0
}
