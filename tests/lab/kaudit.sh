# SPDX-License-Identifier: Apache-2.0
#
# kaudit.sh -- for tests that change the kernel's audit state themselves
# (rules, enabled flag, audit pid) rather than through a private auditd.
# To be sourced (POSIX sh):
#
#	. "$TOP_SRCDIR/tests/lab/kaudit.sh"
#	kaudit_claim || skip_all "$KAUDIT_WHY"
#	trap 'kaudit_restore; rm -rf "$TMP"' EXIT
#	... auditctl -R ...; auditctl -e 1 ...
#
# The kernel has one audit configuration for the whole machine.
# kaudit_claim takes a machine-wide lock (flock on KAUDIT_LOCK, so that two
# test runs, even from two build trees, take turns), then refuses (status
# 77, reason in KAUDIT_WHY) unless this is root, auditctl works, no audit
# daemon is registered and no rules are loaded: what is there belongs to
# someone else and is never touched.  It saves the enabled flag and the
# backlog settings; kaudit_restore clears the rules (auditctl -D) and puts
# those back.  Idempotent, so it may run from the normal path and an EXIT
# trap.  The lock is held until the shell exits.

KAUDIT_LOCK=${KAUDIT_LOCK:-/tmp/driftwatch-kernel-audit.lock}
KAUDIT_WHY=
_kaudit_saved=

# Prints the value of NAME in "auditctl -s" (empty if none).
kaudit_status() {
	auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'
}

kaudit_claim() {
	if [ "$(id -u)" != 0 ]; then
		KAUDIT_WHY="kernel audit tests need root"
		return 77
	fi
	if ! command -v auditctl >/dev/null || ! auditctl -s >/dev/null 2>&1
	then
		KAUDIT_WHY="no auditctl, or no kernel audit support"
		return 77
	fi
	if command -v flock >/dev/null; then
		exec 7>>"$KAUDIT_LOCK"
		if ! flock -w 600 7; then
			KAUDIT_WHY="another test held $KAUDIT_LOCK for 10 minutes"
			return 77
		fi
	fi
	if [ "$(kaudit_status pid)" != 0 ]; then
		KAUDIT_WHY="another audit daemon is registered (pid $(kaudit_status pid)); not touching the kernel's audit state"
		return 77
	fi
	if [ "$(auditctl -l 2>&1)" != "No rules" ]; then
		KAUDIT_WHY="audit rules are loaded by someone else; not touching them"
		return 77
	fi
	if [ "$(kaudit_status enabled)" = 2 ]; then
		KAUDIT_WHY="the audit configuration is locked (enabled 2)"
		return 77
	fi
	_kaudit_saved="$(kaudit_status enabled) $(kaudit_status backlog_limit) $(kaudit_status backlog_wait_time)"
	return 0
}

kaudit_restore() {
	[ -n "$_kaudit_saved" ] || return 0
	set -- $_kaudit_saved
	_kaudit_saved=
	auditctl -D >/dev/null 2>&1
	auditctl -e "$1" >/dev/null 2>&1
	[ -n "$2" ] && auditctl -b "$2" >/dev/null 2>&1
	[ -n "$3" ] && auditctl --backlog_wait_time "$3" >/dev/null 2>&1
	return 0
}
