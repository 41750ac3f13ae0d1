#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch serve out of the box: contrib/demo.sh on the bundled sample
# (with this build's driftwatch), then its last line run as printed (on
# port 8079 when free, else the same line with --listen): with nothing
# installed and no configuration, the web interface is the one built into
# the binary, the token is created beside the database (0600, its
# directories made), the start says where to point a browser and where the
# token is, and the API, /api/v1/metrics and Prometheus' /metrics (token
# required unless metrics_public) answer.
. "$TOP_SRCDIR/tests/lib.sh"

command -v curl > /dev/null || skip_all "curl not installed"
chmod 0755 "$TMP"
DB=$TMP/demo/new/demo.db
mkdir -p "$TMP/demo/new"
DRIFTWATCH_NO_INSTALL=1 DRIFTWATCH_DEMO_DB=$DB sh "$TOP_SRCDIR/contrib/demo.sh" \
    > "$TMP/demo.out" 2> "$TMP/demo.err"
is $? 0 "contrib/demo.sh with this build"
LAST=$(tail -n 1 "$TMP/demo.out")
is "$LAST" "$DRIFTWATCH --db $DB serve" "its last line is the serve command"
# the token's directory does not exist yet: serve makes it
rm -rf "$TMP/demo/new"
mkdir -p "$TMP/demo/new"
DRIFTWATCH_NO_INSTALL=1 DRIFTWATCH_DEMO_DB=$DB sh "$TOP_SRCDIR/contrib/demo.sh" \
    > /dev/null 2>&1
[ ! -e "$TMP/demo/new/api.token" ]
is $? 0 "no token before the first serve"

PORT=8079
if ! python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 8079))' 2> /dev/null; then
	PORT=$(free_port)
	LAST="$LAST --listen 127.0.0.1:$PORT"
	printf '# port 8079 is taken: %s\n' "$LAST"
fi
U=http://127.0.0.1:$PORT
# shellcheck disable=SC2086
(cd / && exec $LAST) > "$TMP/serve.out" 2> "$TMP/serve.err" &
PID=$!
trap 'kill "$PID" 2> /dev/null; rm -rf "$TMP"' EXIT
wait_health "$U" "$PID" "$TMP/serve.err"
is $? 0 "serve starts with only --db"

TOKEN_FILE=$TMP/demo/new/api.token
is "$(stat -c %a "$TOKEN_FILE" 2> /dev/null)" 600 \
    "the token is created beside the database, mode 0600"
grep -q "web interface: http://127.0.0.1:$PORT/" "$TMP/serve.err"
is $? 0 "the start prints the URL"
grep -q "API token: $TOKEN_FILE (created now)" "$TMP/serve.err"
is $? 0 "and where the token is"
TOKEN=$(cat "$TOKEN_FILE")
AUTH="Authorization: Bearer $TOKEN"

code() {
	curl -s -o "$TMP/body" -w '%{http_code}' "$@"
}
is "$(code "$U/")" 200 "the web interface, built in"
grep -q '<title>driftwatch' "$TMP/body"
is $? 0 "is its index.html"
cmp -s "$TMP/body" "$TOP_SRCDIR/web/index.html"
is $? 0 "the same as web/index.html"
is "$(code "$U/app.js")" 200 "app.js"
cmp -s "$TMP/body" "$TOP_SRCDIR/web/app.js"
is $? 0 "the same as web/app.js"
is "$(code "$U/style.css")" 200 "style.css"
is "$(code "$U/favicon.svg")" 200 "favicon.svg"
is "$(code "$U/nope.js")" 404 "an unknown file: 404"
is "$(code "$U/../../etc/passwd" --path-as-is)" 403 "no path traversal"
is "$(code "$U/api/v1/status")" 401 "the API wants the token"
is "$(code -H "$AUTH" "$U/api/v1/status")" 200 "and takes it"
is "$(json_get "$TMP/body" 'd["events"]')" 1516 "status: the sample's events"
is "$(code -H "$AUTH" "$U/api/v1/containers")" 200 "containers"
is "$(code "$U/metrics")" 401 "/metrics wants the token"
is "$(code -H "$AUTH" "$U/metrics")" 200 "/metrics with it"
grep -q '^driftwatch_events_total 1516$' "$TMP/body"
is $? 0 "Prometheus text"
is "$(code -H "$AUTH" "$U/api/v1/metrics")" 200 "/api/v1/metrics too"
kill "$PID"
wait "$PID" 2> /dev/null

# metrics_public: /metrics answers without the token, the API does not
printf 'metrics_public = yes\n' > "$TMP/conf"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve --listen \
    "127.0.0.1:$PORT" > /dev/null 2> "$TMP/serve2.err" &
PID=$!
wait_health "$U" "$PID" "$TMP/serve2.err"
is "$(code "$U/metrics")" 200 "metrics_public: /metrics without the token"
is "$(code "$U/api/v1/metrics")" 401 "not /api/v1/metrics"
grep -q "API token: $TOKEN_FILE\$" "$TMP/serve2.err"
is $? 0 "the token is kept"
is "$(cat "$TOKEN_FILE")" "$TOKEN" "unchanged"

# web_root overrides the built-in files
mkdir -p "$TMP/web"
echo '<!doctype html><title>dev</title>' > "$TMP/web/index.html"
printf 'web_root = %s\n' "$TMP/web" > "$TMP/conf"
kill "$PID"
wait "$PID" 2> /dev/null
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve --listen \
    "127.0.0.1:$PORT" > /dev/null 2> "$TMP/serve3.err" &
PID=$!
wait_health "$U" "$PID" "$TMP/serve3.err"
code "$U/" > /dev/null
grep -q '<title>dev' "$TMP/body"
is $? 0 "web_root overrides the built-in interface"
is "$(code "$U/app.js")" 404 "wholly"
done_testing
