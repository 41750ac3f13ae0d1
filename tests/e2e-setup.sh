#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# driftwatch setup on a real host: a private auditd (its own -c directory,
# with a rules.d, no plugin, no rules loaded, a small backlog) and podman.
# --dry-run changes nothing; setup says its steps, loads the rules, writes
# the rules and plugin files into auditd's own directory and the API unit
# and cron report into temporary directories, auditd starts the plugin on
# SIGHUP, and a container's events reach the database; a second setup has
# nothing to do; --undo leaves auditd's files, the temporary directories,
# the kernel's rules and settings as they were and the plugin gone.
# Refusals: a read-only plugins.d (a read-only bind mount, undone), no
# auditd, not root.  Skips where the machine refuses (not root, another
# audit daemon).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

A=$TMP/auditd
CONF=$TMP/dw.conf
DB=$TMP/var/dw.db
ro_mount=

cat > "$CONF" <<EOC
db = $DB
api_token_file = $TMP/var/api.token
EOC
mkdir -p "$TMP/systemd" "$TMP/cron.d"
dw() {
	"$DRIFTWATCH" --config "$CONF" "$@"
}
setup() {
	dw setup --systemd-dir "$TMP/systemd" --cron-dir "$TMP/cron.d" "$@"
}

have_podman=0
sh "$TOP_SRCDIR/tests/lab/podman-setup.sh" 2> "$TMP/podman.err" &&
    have_podman=1
if [ $have_podman = 1 ]; then
	printf '#!/bin/sh\nsleep 2\ncat /etc/hostname > /tmp/out\necho dw-setup-in-container\nsleep 2\n' \
	    > "$TMP/entry"
	sh "$TOP_SRCDIR/tests/lab/mkimage.sh" localhost/dw-setup:1 \
	    "$TMP/entry" > /dev/null 2>> "$TMP/podman.err" || have_podman=0
fi

cleanup() {
	[ -n "$ro_mount" ] && umount "$ro_mount" 2> /dev/null
	lab_auditd_stop
	[ -n "${cid:-}" ] && podman rm -f "$cid" > /dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$A/rules.d"
lab_auditd_start "$A" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
chmod 0750 "$A/rules.d"
# lab_auditd_start loaded our rules: start from none, and a kernel
# setting of our rules changed, so that setup's rules step shows
auditctl -D > /dev/null
auditctl -b 320 > /dev/null

# auditd's files (not its log or output), the temporary unit and cron
# directories, the kernel's rules and the settings our rules touch
snapshot() {
	(cd "$A" && find . -path ./audit.log -prune -o -path ./auditd.out \
	    -prune -o -printf '%p %m %u %s\n' | sort &&
	    find rules.d plugins.d auditd.conf -type f -exec sha256sum {} + |
	    sort)
	(cd "$TMP" && find systemd cron.d -printf '%p %m %s\n' | sort)
	auditctl -l
	auditctl -s | grep -E '^(enabled|failure|rate_limit|backlog_limit|backlog_wait_time) '
}
snapshot > "$TMP/snap.before"

# refused where a target directory is read-only: nothing changes
if mount --bind "$A/plugins.d" "$A/plugins.d" 2> /dev/null; then
	ro_mount=$A/plugins.d
	if mount -o remount,ro,bind "$ro_mount" 2> /dev/null; then
		setup > "$TMP/ro.out" 2> "$TMP/ro.err"
		is $? 1 "setup refuses when auditd's plugins.d is read-only"
		ok "$(grep -q "setup cannot go on: $A/plugins.d is on a read-only file system" "$TMP/ro.err"; echo $?)" \
		    "saying which directory"
		snapshot > "$TMP/snap.ro"
		ok "$(cmp -s "$TMP/snap.before" "$TMP/snap.ro" && [ ! -e "$TMP/var" ]; echo $?)" \
		    "and changes nothing"
	else
		echo "# a read-only bind mount is refused here: not tested"
	fi
	umount "$ro_mount" && ro_mount=
else
	echo "# bind mounts are refused here: the read-only refusal is not tested"
fi

setup --dry-run > "$TMP/dry.out" 2> "$TMP/dry.err"
is $? 0 "setup --dry-run"
sed 's/^/# /' "$TMP/dry.out"
ok "$(grep -q '^step 1 of ' "$TMP/dry.out" &&
    grep -q 'nothing was changed' "$TMP/dry.out"; echo $?)" \
    "lists the steps, says nothing changed"
snapshot > "$TMP/snap.dry"
ok "$(cmp -s "$TMP/snap.before" "$TMP/snap.dry" && [ ! -e "$TMP/var" ]; echo $?)" \
    "and nothing changed: auditd's files, unit and cron directories, rules, no database"

setup > "$TMP/setup.out" 2> "$TMP/setup.err"
rc=$?
is $rc 0 "setup"
sed 's/^/# /' "$TMP/setup.out" "$TMP/setup.err"
nsteps=$(sed -n 's/^step 1 of \([0-9]*\):.*/\1/p' "$TMP/setup.out")
is "$(grep -c '^step [0-9]* of ' "$TMP/setup.out")" "${nsteps:-x}" \
    "says each of its steps"
is "$(grep -c '^step' "$TMP/dry.out")" "${nsteps:-y}" \
    "the steps --dry-run listed"
is "$(stat -c '%a %U' "$A/plugins.d/driftwatch.conf" 2> /dev/null)" \
    "640 root" "the plugin file in auditd's own plugins.d, 0640"
is "$(sed -n 's/^args = //p' "$A/plugins.d/driftwatch.conf")" \
    "--config=$CONF plugin" "running this configuration"
is "$(stat -c '%a' "$A/rules.d/70-driftwatch.rules" 2> /dev/null)" 640 \
    "the rules in auditd's rules.d"
dw rules check > "$TMP/check.out" 2>&1
is $? 0 "the rules are loaded (rules check)"
is "$(auditctl -s | sed -n 's/^backlog_limit //p')" 8192 \
    "with their backlog"
is "$(stat -c '%a %U' "$DB" "$TMP/var/api.token" 2> /dev/null | tr '\n' ' ')" \
    "600 nobody 600 root " "the database (api_user's) and the token (root's), 0600"
is "$(stat -c '%a' "$TMP/var")" 750 "in a directory 0750"
ok "$(grep -q "^ExecStart=$DRIFTWATCH --config=$CONF serve\$" "$TMP/systemd/driftwatch.service"; echo $?)" \
    "the API unit, running this program"
ok "$(grep -q "$DRIFTWATCH --config=$CONF report" "$TMP/cron.d/driftwatch"; echo $?)" \
    "the daily report"
ppid_of() {
	sed -n 's/^PPid:[[:space:]]*//p' "/proc/$1/status" 2> /dev/null
}
plugin=$(sed -n 's/.*driftwatch runs under auditd: pid \([0-9]*\)/\1/p' "$TMP/setup.out")
is "$(ppid_of "${plugin:-0}")" "$LAB_AUDITD_PID" \
    "auditd runs the plugin (pid ${plugin:-none})"
is "$(tr '\0' ' ' < "/proc/${plugin:-0}/cmdline" 2> /dev/null)" \
    "$DRIFTWATCH --config=$CONF plugin " "with its arguments"

/bin/echo "dw-setup-host-$$" > /dev/null
if [ $have_podman = 1 ]; then
	cid=$(podman run -d --network none localhost/dw-setup:1 2>> "$TMP/podman.err")
	podman wait "$cid" > /dev/null 2>&1
fi
sleep 2
dw status --json > "$TMP/st.json"
n=$(json_get "$TMP/st.json" 'd["events"]')
ok "$([ "${n:-0}" -gt 0 ]; echo $?)" "events reach the database ($n)"
dw events --limit 0 --json > "$TMP/ev.json"
is "$(json_get "$TMP/ev.json" "any(r['argv'] and 'dw-setup-host-$$' in r['argv'] for r in d)")" \
    True "a host command is there"
if [ $have_podman = 1 ] && [ -n "${cid:-}" ]; then
	is "$(json_get "$TMP/ev.json" "any(r['container'] == '$cid' and r['exe'] == '/bin/busybox' for r in d)")" \
	    True "a podman container's events, under its id"
	dw containers --json > "$TMP/c.json"
	is "$(json_get "$TMP/c.json" "'$cid' in str(d)")" True \
	    "containers lists it"
else
	echo "# podman unavailable, container checks skipped: $(head -c 300 "$TMP/podman.err")"
fi

# What setup did, doctor finds working: no link fails (serve, not asked to
# run here, may only warn).
dw doctor --json > "$TMP/doctor.json" 2> "$TMP/doctor.err"
is $? 0 "doctor after setup: exit 0"
is "$(json_get "$TMP/doctor.json" "[(c['check'], c['status']) for c in d['checks'] if c['status'] == 'fail']")" \
    "[]" "no link of the chain fails"
is "$(json_get "$TMP/doctor.json" "[c['status'] for c in d['checks'] if c['check'] in ('kernel', 'rules', 'auditd', 'plugin', 'database')]")" \
    "['ok', 'ok', 'ok', 'ok', 'ok']" "kernel, rules, auditd, plugin and database ok"

snapshot > "$TMP/snap.set"
setup > "$TMP/again.out" 2>&1
is $? 0 "setup again"
ok "$(grep -q '^nothing to do' "$TMP/again.out" &&
    ! grep -q '^step' "$TMP/again.out"; echo $?)" "has nothing to do"
snapshot > "$TMP/snap.again"
ok "$(cmp -s "$TMP/snap.set" "$TMP/snap.again"; echo $?)" "and changes nothing"
is "$(ppid_of "${plugin:-0}")" "$LAB_AUDITD_PID" "the plugin runs on"

dw setup --undo > "$TMP/undo.out" 2>&1
is $? 0 "setup --undo"
sed 's/^/# /' "$TMP/undo.out"
ok "$(grep -q '^undo: delete the audit rules setup loaded' "$TMP/undo.out" &&
    grep -q "^undo: remove $A/plugins.d/driftwatch.conf" "$TMP/undo.out"; echo $?)" \
    "says each step"
snapshot > "$TMP/snap.after"
cmp -s "$TMP/snap.before" "$TMP/snap.after"
rc=$?
[ $rc -eq 0 ] || diff "$TMP/snap.before" "$TMP/snap.after" | head -n 20 |
    sed 's/^/# /'
is $rc 0 "everything as it was: auditd's files, unit and cron directories, rules, backlog"
for i in $(seq 50); do
	[ -d "/proc/${plugin:-0}" ] || break
	sleep 0.1
done
ok "$([ ! -d "/proc/${plugin:-0}" ]; echo $?)" "the plugin is gone"
ok "$([ -f "$DB" ] && [ ! -e "$TMP/var/api.token" ] &&
    [ ! -e "$TMP/var/setup.state" ]; echo $?)" \
    "the database is kept, the token and the record gone"
dw setup --undo > "$TMP/undo2.out" 2>&1
ok "$([ $? -eq 0 ] && grep -q '^nothing to undo' "$TMP/undo2.out"; echo $?)" \
    "a second undo has nothing to undo"

# again over what "make install" leaves (an inactive plugin file of the
# installed program) and no database, auditd started after it: the file is
# replaced and put back, --purge removes the database setup created.
# (auditd 3.0.9 starts no plugin on a reload once a reload stopped its
# last one: hence a new auditd rather than the same one.)
rm -f "$DB" "$DB-wal" "$DB-shm"
install -m 0640 "$(dirname "$DRIFTWATCH")/../contrib/driftwatch-plugin.conf" \
    "$A/plugins.d/driftwatch.conf"
lab_auditd_stop
lab_auditd_start "$A" 2> "$TMP/start2.err" ||
    { sed 's/^/# /' "$TMP/start2.err"; echo "Bail out! auditd does not start again"; exit 1; }
auditctl -D > /dev/null
auditctl -b 320 > /dev/null
snapshot > "$TMP/snap.before2"
setup > "$TMP/setup2.out" 2>&1
is $? 0 "setup over an installed, inactive plugin file"
ok "$(grep -q "^step [0-9]* of [0-9]*: replace auditd's plugin file $A/plugins.d/driftwatch.conf" "$TMP/setup2.out"; echo $?)" \
    "says it replaces it, keeping it for --undo"
plugin=$(sed -n 's/.*driftwatch runs under auditd: pid \([0-9]*\)/\1/p' "$TMP/setup2.out")
is "$(ppid_of "${plugin:-0}")" "$LAB_AUDITD_PID" "auditd runs the plugin"
dw setup --undo --purge > "$TMP/undo3.out" 2>&1
is $? 0 "setup --undo --purge"
sed 's/^/# /' "$TMP/undo3.out"
snapshot > "$TMP/snap.after2"
cmp -s "$TMP/snap.before2" "$TMP/snap.after2"
rc=$?
[ $rc -eq 0 ] || diff "$TMP/snap.before2" "$TMP/snap.after2" | head -n 20 |
    sed 's/^/# /'
is $rc 0 "the installed plugin file is back as it was, and the rest"
for i in $(seq 50); do
	[ -d "/proc/${plugin:-0}" ] || break
	sleep 0.1
done
ok "$([ ! -d "/proc/${plugin:-0}" ]; echo $?)" "the plugin is gone"
ok "$([ ! -e "$DB" ] && [ -z "$(ls -A "$TMP/var")" ]; echo $?)" \
    "the database is gone (--purge), its directory (not setup's) empty"

if command -v setpriv > /dev/null; then
	# (the test's configuration is in a directory only root reads)
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$DRIFTWATCH" setup --dry-run > /dev/null 2> "$TMP/user.err"
	ok "$([ $? -eq 1 ] && grep -q 'needs root' "$TMP/user.err"; echo $?)" \
	    "refused when not root"
fi

lab_auditd_stop
if pgrep -x auditd > /dev/null; then
	echo "# another auditd runs: the refusal without one is not tested"
else
	setup > "$TMP/none.out" 2> "$TMP/none.err"
	ok "$([ $? -eq 1 ] && grep -q 'no audit daemon runs' "$TMP/none.err"; echo $?)" \
	    "refused when no auditd runs, saying so"
fi
done_testing
