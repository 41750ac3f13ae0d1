#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The plugin started as root (as auditd starts it) keeps only the
# capabilities driftwatch(8) documents, in every thread and in the bounding
# set, still as uid 0, and still stores what it reads; CAP_AUDIT_CONTROL
# only when scoped_rules is on.
. "$TOP_SRCDIR/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (the plugin's capabilities)"
grep -q '^CapBnd:.*[1-9a-f]' /proc/self/status ||
    skip_all "this process has no capabilities to drop"

# bit numbers from linux/capability.h
CAP_DAC_OVERRIDE=1
CAP_SYS_PTRACE=19
CAP_AUDIT_CONTROL=30

# mask BIT...: the 16-digit hex mask /proc/PID/status shows
mask() {
	python3 -c 'import sys
print("%016x" % sum(1 << int(b) for b in sys.argv[1:]))' "$@"
}

# caps PID FIELD: that field of every thread of PID, one per line, unique
caps() {
	for t in /proc/"$1"/task/*; do
		sed -n "s/^$2:[[:space:]]*//p" "$t/status"
	done | sort -u
}

awk -v n=20 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/s.log"

# run_plugin CONF DB: starts the plugin on a fifo; sets $pid, keeps fd 9
run_plugin() {
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	"$DRIFTWATCH" --config "$1" --db "$2" plugin < "$TMP/fifo" \
	    2> "$TMP/err" &
	pid=$!
	exec 9> "$TMP/fifo"
	cat "$TMP/s.log" >&9
	i=0
	# the parser's thread exists once the pipeline is up
	while [ "$(ls /proc/$pid/task 2> /dev/null | wc -l)" -lt 3 ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

stop_plugin() {
	exec 9>&-
	wait "$pid"
}

: > "$TMP/plain.conf"
run_plugin "$TMP/plain.conf" "$TMP/p.db"
want=$(mask $CAP_DAC_OVERRIDE $CAP_SYS_PTRACE)
threads=$(ls /proc/$pid/task | wc -l)
is "$(caps $pid CapEff)" "$want" \
    "effective: dac_override and sys_ptrace only, in all $threads threads"
is "$(caps $pid CapPrm)" "$want" "permitted: the same"
is "$(caps $pid CapBnd)" "$want" \
    "bounding set: the same, so auditctl it starts cannot regain more"
is "$(caps $pid CapInh)" 0000000000000000 "nothing inheritable"
is "$(caps $pid CapAmb)" 0000000000000000 "nothing ambient"
is "$(caps $pid Uid | awk '{ print $1 $2 $3 $4 }')" 0000 "still uid 0"
stop_plugin
is $? 0 "the plugin exits 0 at end of input"
"$DRIFTWATCH" --db "$TMP/p.db" status --json > "$TMP/st.json"
is "$(json_get "$TMP/st.json" 'd["events"]')" 20 \
    "what it read is stored without the dropped capabilities"

printf 'scoped_rules = yes\n' > "$TMP/scoped.conf"
run_plugin "$TMP/scoped.conf" "$TMP/s.db"
is "$(caps $pid CapEff)" \
    "$(mask $CAP_DAC_OVERRIDE $CAP_SYS_PTRACE $CAP_AUDIT_CONTROL)" \
    "scoped_rules = yes: audit_control is kept too"
stop_plugin

# the manual page names each capability the plugin keeps
man=$TOP_SRCDIR/doc/driftwatch.8.in
for c in CAP_DAC_OVERRIDE CAP_SYS_PTRACE CAP_AUDIT_CONTROL; do
	grep -q "$c" "$man"
	ok $? "driftwatch(8) documents $c"
done
done_testing
