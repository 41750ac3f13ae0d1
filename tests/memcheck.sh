#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make memcheck: the command-line interface under valgrind's memcheck, on
# a build without sanitizers.  Every command a user runs on the bundled
# capture (ingest, plugin, the listings, baselines, profiles, reports,
# rules, config, a short serve with requests), including commands that
# fail on bad input: no invalid read or write, no use of uninitialised
# memory, no definite or indirect leak.  One TAP line per command; the
# valgrind log of a failure is shown.
. "$TOP_SRCDIR/tests/lib.sh"

command -v valgrind > /dev/null || skip_all "valgrind is not installed"
DATA=$TOP_SRCDIR/tests/data
MAN=$DATA/manifests
DB=$TMP/m.db
n=0

# vg WANT_STATUS DESC COMMAND ARGS...: runs driftwatch COMMAND under
# memcheck (stdin from $VG_STDIN if set), expects exit status WANT_STATUS
vg() {
	want=$1
	desc=$2
	shift 2
	n=$((n + 1))
	log=$TMP/vg.$n
	valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    --log-file="$log" "$DRIFTWATCH" --db "$DB" "$@" \
	    < "${VG_STDIN:-/dev/null}" > "$TMP/out.$n" 2>> "$TMP/err.$n"
	rc=$?
	if [ $rc -eq 99 ] || [ -s "$log" ]; then
		sed 's/^/# /' "$log" | head -60
		ok 1 "$desc: memcheck clean"
	elif [ $rc -ne "$want" ]; then
		sed 's/^/# /' "$TMP/err.$n" | head -20
		ok 1 "$desc: memcheck clean (exit $rc, want $want)"
	else
		ok 0 "$desc: memcheck clean"
	fi
}

vg 0 "ingest the sample capture" ingest --runtime-root \
    "$DATA/sample-state" "$DATA/sample.log"
vg 0 "ingest it again (nothing new)" ingest "$DATA/sample.log"
vg 0 "status --json" status --json
vg 0 "events" events --limit 100
vg 0 "events --json" events --limit 100 --json
vg 0 "containers --json" containers --json
vg 0 "anomalies" anomalies
vg 0 "anomalies --json" anomalies --json
vg 0 "baseline list --json" baseline list --json
image=$(json_get "$TMP/out.$n" '(d[0] if isinstance(d, list) else d)["name"]')
vg 0 "baseline show" baseline show "$image"
vg 0 "baseline export" baseline export "$image" -o "$TMP/profile.yaml"
vg 0 "baseline import" baseline import "$TMP/profile.yaml"
vg 0 "baseline lock" baseline lock "$image"
vg 0 "baseline relearn" baseline relearn "$image"
vg 0 "profile derive (Dockerfile)" profile derive "$MAN/docker/web.Dockerfile"
vg 0 "profile derive (compose, with an override)" profile derive \
    "$MAN/compose/docker-compose.yml" "$MAN/compose/docker-compose.override.yml"
vg 0 "profile derive (Kubernetes, several documents)" profile derive \
    "$MAN/k8s/multi.yaml" -o "$TMP/derived.yaml"
vg 0 "profile import" profile import "$TMP/derived.yaml"
vg 1 "profile derive on a broken YAML file (an error)" profile derive \
    "$MAN/bad/broken.yaml"
vg 1 "profile derive on a Helm template (an error)" profile derive \
    "$MAN/bad/helm-deployment.yaml"
# exit 4: high or critical anomalies were found
vg 4 "report (text)" report --since 3650d
vg 4 "report --format json" report --since 3650d --format json
vg 4 "report --format html" report --since 3650d --format html \
    --output "$TMP/r.html"
vg 0 "report --list-queries" report --list-queries
vg 0 "rules print" rules print
vg 0 "rules check --from a saved auditctl -l" rules check \
    --from "$DATA/auditctl-l.txt"
vg 0 "config dump" config dump
vg 2 "an unknown command (usage)" no-such-command
VG_STDIN=$DATA/sample.log
DB=$TMP/plugin.db
vg 0 "plugin on the sample capture (reader and worker threads)" plugin
VG_STDIN=

# serve: a few requests, then SIGTERM; memcheck's verdict is its exit status
PORT=$(free_port)
printf 'api_token_file = %s\napi_user = %s\n' "$TMP/token" \
    "$(id -un)" > "$TMP/serve.conf"
[ "$(id -u)" -eq 0 ] && printf 'api_user = nobody\n' >> "$TMP/serve.conf" &&
    chmod 755 "$TMP"
DB=$TMP/m.db
valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --log-file="$TMP/vg.serve" \
    "$DRIFTWATCH" --config "$TMP/serve.conf" --db "$DB" serve \
    --listen "127.0.0.1:$PORT" > /dev/null 2> "$TMP/serve.err" &
spid=$!
wait_health "http://127.0.0.1:$PORT" "$spid" "$TMP/serve.err" 300
auth="Authorization: Bearer $(cat "$TMP/token" 2> /dev/null)"
codes=
for p in /api/v1/status /api/v1/anomalies /api/v1/containers /api/v1/images \
    /api/v1/metrics /api/v1/openapi.json /api/v1/no/such/route; do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "$auth" \
	    "http://127.0.0.1:$PORT$p")"
done
is "$codes" " 200 200 200 200 200 200 404" "serve answers under memcheck"
kill -TERM "$spid"
wait "$spid"
rc=$?
[ -s "$TMP/vg.serve" ] && sed 's/^/# /' "$TMP/vg.serve" | head -60
ok "$([ $rc -eq 0 ] && [ ! -s "$TMP/vg.serve" ]; echo $?)" \
    "serve, its requests and SIGTERM: memcheck clean (exit $rc)"
done_testing
