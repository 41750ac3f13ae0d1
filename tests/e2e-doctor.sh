#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# driftwatch doctor on a live chain: a private auditd runs driftwatch as its
# plugin with the project's rules loaded, podman is there, serve answers on
# a free loopback port (api_expected = yes).  doctor says every link is
# fine and exits 0, in text and in JSON; then each link is broken on
# purpose and doctor names it, with its fix, and exits 1: the plugin made
# inactive (active = no, auditd reloaded with SIGHUP; mended by restarting
# auditd), the rules deleted
# (auditctl -D), the database on a read-only bind mount, serve stopped,
# auditd stopped.  Each is mended before the next (serve and auditd last).
# Skips where the machine refuses (not root, another audit daemon).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

command -v curl > /dev/null || skip_all "curl not installed"
# serve gives the database to api_user (nobody): it must reach it
chmod 0755 "$TMP"
mkdir -m 0755 "$TMP/dw"
DB=$TMP/dw/e2e.db
CONF=$TMP/dw.conf
PORT=$(free_port)
cat > "$CONF" <<EOC
db = $DB
listen = 127.0.0.1:$PORT
api_token_file = $TMP/api.token
api_expected = yes
web_root = $TMP/no-web
EOC
# auditd passes a plugin at most two arguments and an empty environment
cat > "$TMP/driftwatch-plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --config=$CONF plugin
format = string
EOC

have_podman=0
sh "$TOP_SRCDIR/tests/lab/podman-setup.sh" 2> "$TMP/podman.err" &&
    have_podman=1

SERVE=
MOUNTED=
cleanup() {
	[ -n "$MOUNTED" ] && umount "$MOUNTED" 2> /dev/null
	[ -n "$SERVE" ] && kill "$SERVE" 2> /dev/null && wait "$SERVE"
	lab_auditd_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab_auditd_start "$TMP/auditd" "$TMP/driftwatch-plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { sed 's/^/# /' "$TMP/start.err"; echo "not ok 1 - auditd starts"; echo 1..1; exit 1; }
PLUGIN_CONF=$LAB_AUDITD_DIR/plugins.d/driftwatch-plugin.conf

# The plugin of our auditd, by its parent; empty when none.
plugin_pid() {
	[ -n "$LAB_AUDITD_PID" ] || return 0
	pgrep -P "$LAB_AUDITD_PID" -f -- "--config=$CONF plugin" | head -n 1
}

# Waits (5 s at most) until the plugin runs (1) or not (0).
wait_plugin() {
	for _ in $(seq 50); do
		if [ "$1" = 1 ]; then [ -n "$(plugin_pid)" ] && return 0
		else [ -z "$(plugin_pid)" ] && return 0; fi
		sleep 0.1
	done
	return 1
}

# doc NAME: doctor in text and JSON, into $TMP/NAME.{txt,json}; the exit
# statuses in $rc and $rcj.
doc() {
	"$DRIFTWATCH" --config "$CONF" doctor > "$TMP/$1.txt" 2> "$TMP/$1.err"
	rc=$?
	"$DRIFTWATCH" --config "$CONF" doctor --json > "$TMP/$1.json" \
	    2>> "$TMP/$1.err"
	rcj=$?
}

# st NAME CHECK / fix NAME CHECK: a check's status or fix in NAME's JSON.
st() {
	json_get "$TMP/$1.json" "[c['status'] for c in d['checks'] if c['check'] == '$2'][0]"
}
fix() {
	json_get "$TMP/$1.json" "[c['fix'] for c in d['checks'] if c['check'] == '$2'][0]"
}

# show NAME: doctor's text as TAP comments.
show() {
	sed 's/^/# /' "$TMP/$1.txt" "$TMP/$1.err"
}

# broken NAME CHECK FIX_WORDS DESC: doctor failed on CHECK, with a fix
# holding FIX_WORDS, and exits 1.
broken() {
	doc "$1"
	is "$rc/$rcj" 1/1 "$4: doctor exits 1"
	is "$(st "$1" "$2")" fail "and says $2 failed"
	ok "$(fix "$1" "$2" | grep -qF -- "$3"; echo $?)" \
	    "with its fix: $(fix "$1" "$2")"
	grep -q "^$2 *FAIL  " "$TMP/$1.txt"
	ok $? "the text says FAIL on the $2 line"
	is "$(json_get "$TMP/$1.json" 'd["ok"]')" False "JSON: ok is false"
	[ "$rc" = 1 ] || show "$1"
}

# mended NAME DESC: doctor is back to no failure.
mended() {
	doc "$1"
	is "$rc" 0 "$2: doctor exits 0 again"
	[ "$rc" = 0 ] || show "$1"
}

# the plugin creates the database and stores what the rules catch
for _ in $(seq 100); do
	/bin/true
	[ -s "$DB" ] && [ "$("$DRIFTWATCH" --config "$CONF" status --json \
	    2> /dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])' \
	    2> /dev/null || echo 0)" -gt 0 ] && break
	sleep 0.1
done
ok "$([ -s "$DB" ]; echo $?)" "the plugin stores events in the database"

"$DRIFTWATCH" --config "$CONF" serve > "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVE=$!
wait_health "http://127.0.0.1:$PORT" "$SERVE" "$TMP/serve.err"
ok $? "serve answers on 127.0.0.1:$PORT"

# 1. everything works
doc all
is "$rc" 0 "a working chain: doctor exits 0"
[ "$rc" = 0 ] || show all
is "$rcj" 0 "and with --json"
is "$(json_get "$TMP/all.json" 'd["ok"]')" True "JSON: ok is true"
is "$(json_get "$TMP/all.json" '" ".join(c["check"] for c in d["checks"])')" \
    "kernel rules backlog auditd plugin queue database runtimes serve fleet clock" \
    "JSON: every link, in the order of the data"
is "$(json_get "$TMP/all.json" 'sorted(set(k for c in d["checks"] for k in c))')" \
    "['check', 'detail', 'fix', 'status']" \
    "JSON: each with check, status, detail and fix"
for c in kernel rules auditd plugin queue database serve clock; do
	is "$(st all $c)" ok "$c ok"
done
# the kernel's lost counter counts since boot; no runtime state is a warning
ok "$(st all backlog | grep -qx 'ok\|warn'; echo $?)" \
    "backlog ok (or a warning: records lost since boot)"
if [ $have_podman = 1 ]; then
	ok "$(json_get "$TMP/all.json" "[c['detail'] for c in d['checks'] if c['check'] == 'runtimes'][0]" |
	    grep -q podman; echo $?)" "runtimes: podman found"
else
	echo "# podman unavailable: $(head -c 200 "$TMP/podman.err")"
fi
ok "$(json_get "$TMP/all.json" "[c['detail'] for c in d['checks'] if c['check'] == 'plugin'][0]" |
    grep -q "pid $(plugin_pid) under auditd $LAB_AUDITD_PID"; echo $?)" \
    "plugin: its pid under our auditd's"
is "$(json_get "$TMP/all.json" '[c["fix"] for c in d["checks"] if c["status"] == "ok" and c["fix"] is not None]')" \
    "[]" "JSON: no fix where all is well"
is "$(grep -c '^[a-z]* *\(ok\|warn\|FAIL\|skip\)  ' "$TMP/all.txt")" 11 \
    "text: one line per link"
sed 's/^/# /' "$TMP/all.txt"

# 2. the plugin inactive, auditd reloaded: it stops the plugin
sed -i 's/^active = yes/active = no/' "$PLUGIN_CONF"
kill -HUP "$LAB_AUDITD_PID"
wait_plugin 0 || echo "# auditd kept the plugin after SIGHUP"
broken inactive plugin "active = yes" "the plugin inactive"
ok "$(fix inactive plugin | grep -qF "$PLUGIN_CONF"; echo $?)" \
    "the fix names the plugin file"
ok "$(fix inactive plugin | grep -qF "restart auditd (pid $LAB_AUDITD_PID, auditd -c $LAB_AUDITD_DIR)"; echo $?)" \
    "and says to restart our auditd (a SIGHUP does not start a plugin)"
# mended as the fix says: active = yes, auditd restarted
sed -i 's/^active = no/active = yes/' "$PLUGIN_CONF"
lab_auditd_restart 2> "$TMP/restart.err" || sed 's/^/# /' "$TMP/restart.err"
wait_plugin 1
ok $? "auditd restarted runs the plugin again"
mended plugin-back "the plugin active again"

# 3. the rules deleted
auditctl -D > /dev/null
broken norules rules "driftwatch rules install" "the rules deleted"
auditctl -R "$LAB_AUDITD_RULES" > /dev/null 2>&1
mended rules-back "the rules loaded again"

# 4. the database read-only
if mount --bind "$TMP/dw" "$TMP/dw" 2> "$TMP/mount.err"; then
	MOUNTED=$TMP/dw
	if mount -o remount,bind,ro "$TMP/dw" 2>> "$TMP/mount.err"; then
		broken rodb database "mount -o remount,rw $TMP/dw" \
		    "the database on a read-only mount"
	else
		echo "ok $((tap_n += 1)) # SKIP cannot remount read-only: $(cat "$TMP/mount.err")"
	fi
	umount "$TMP/dw" && MOUNTED=
	mended db-back "the database writable again"
else
	echo "ok $((tap_n += 1)) # SKIP cannot bind-mount: $(cat "$TMP/mount.err")"
fi

# 5. serve stopped
kill "$SERVE"
wait "$SERVE"
SERVE=
broken noserve serve "driftwatch serve" "serve stopped (api_expected)"

# 6. auditd stopped
kill -TERM "$LAB_AUDITD_PID"
for _ in $(seq 100); do
	kill -0 "$LAB_AUDITD_PID" 2> /dev/null || break
	sleep 0.1
done
broken noauditd auditd "service auditd start" "auditd stopped"
is "$(st noauditd plugin)" fail "and no plugin runs"

done_testing
