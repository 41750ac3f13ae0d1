#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The web interface (web/) in headless Chromium, driven by the npm package
# playwright-core (tests/web/ui-check.cjs), against `driftwatch serve` on a
# database of the bundled sample: the token dialog, the anomalies of the
# sample (drop-exec, account-write) with their colours and filters, ack
# from the list (checked through the API), the container view's process
# tree, an image profile grouped by kind and its lock, no console or page
# errors.  Screenshots are kept in the build directory: tests/web-ui.png,
# tests/web-ui-container.png and tests/web-ui-image.png.
#
# While `driftwatch serve` does not exist (or with
# DRIFTWATCH_WEB_BACKEND=mock), the same checks run against
# tests/web/mock-api.py (the CLI's --json objects behind the API's routes)
# and the real-server check is reported as skipped.
#
# Needs chromium (contrib/install-deps.sh), node and npm; playwright-core is
# installed once into the build directory (tests/web-cache, or
# $DRIFTWATCH_WEB_CACHE).  Skipped, saying why, when one of them is missing.
. "$TOP_SRCDIR/tests/lib.sh"

PW_VERSION=1.65.1
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BUILDDIR=$(cd "$(dirname "$DRIFTWATCH")/.." && pwd)
CACHE=${DRIFTWATCH_WEB_CACHE:-$BUILDDIR/tests/web-cache}
SHOT=$BUILDDIR/tests/web-ui.png
WEB_ROOT=$TOP_SRCDIR/web

[ -x "$CHROMIUM" ] || skip_all "no Chromium at $CHROMIUM (contrib/install-deps.sh)"
command -v node > /dev/null 2>&1 || skip_all "node is not installed"
command -v python3 > /dev/null 2>&1 || skip_all "python3 is not installed"
[ -f "$WEB_ROOT/index.html" ] || skip_all "no web/index.html"

PW_MODULE=$CACHE/node_modules/playwright-core
if ! grep -q "\"version\": \"$PW_VERSION\"" "$PW_MODULE/package.json" \
    2> /dev/null; then
	command -v npm > /dev/null 2>&1 ||
		skip_all "npm is not installed (needed for playwright-core)"
	mkdir -p "$CACHE"
	if ! npm install --prefix "$CACHE" --no-audit --no-fund \
	    --no-save --loglevel=error "playwright-core@$PW_VERSION" \
	    > "$TMP/npm.log" 2>&1; then
		sed 's/^/# /' "$TMP/npm.log" | tail -5
		skip_all "npm cannot install playwright-core@$PW_VERSION"
	fi
fi

SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2> /dev/null
		wait "$SERVER_PID" 2> /dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

DB=$TMP/sample.db
"$DRIFTWATCH" --db "$DB" ingest --runtime-root \
    "$TOP_SRCDIR/tests/data/sample-state" "$TOP_SRCDIR/tests/data/sample.log" \
    > /dev/null 2>&1
is $? 0 "ingest of the sample log"
# What a plugin keeping CAP_AUDIT_CONTROL stores after reading the kernel's
# status: 7 records lost by the kernel (the sample itself has 0 dropped).
sqlite3 "$DB" "INSERT OR REPLACE INTO counters (name, value) VALUES
    ('kernel_read_ms', $(date +%s)000), ('kernel_lost', 7),
    ('kernel_backlog', 3), ('kernel_backlog_limit', 8192)"
is $? 0 "the kernel's counts as the plugin stores them"

TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/api.token"
chmod 600 "$TMP/api.token"

# http GET URL [TOKEN]: the status code only.
http_status() {
	python3 - "$@" << 'EOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    req.add_header("Authorization", "Bearer " + sys.argv[2])
try:
    print(urllib.request.urlopen(req, timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
EOF
}

# DRIFTWATCH_WEB_BACKEND=mock checks the UI against the mock on purpose.
if [ "${DRIFTWATCH_WEB_BACKEND:-}" = mock ] ||
    "$DRIFTWATCH" serve --help 2>&1 | grep -q "unknown command"; then
	BACKEND=mock
	echo "ok $((tap_n += 1)) # SKIP the real server: driftwatch serve" \
	    "missing or not asked for; checking the UI against" \
	    "tests/web/mock-api.py"
	python3 "$TOP_SRCDIR/tests/web/mock-api.py" --driftwatch "$DRIFTWATCH" \
	    --db "$DB" --web-root "$WEB_ROOT" --token-file "$TMP/api.token" \
	    --port-file "$TMP/port" > "$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	PORT=$(cat "$TMP/port" 2> /dev/null)
else
	BACKEND=serve
	PORT=$(free_port)
	# As root the server becomes api_user (nobody), who must reach $TMP.
	chmod 0755 "$TMP"
	cat > "$TMP/dw.conf" << EOF
web_root = $WEB_ROOT
api_token_file = $TMP/api.token
EOF
	"$DRIFTWATCH" --config "$TMP/dw.conf" --db "$DB" serve \
	    --listen "127.0.0.1:$PORT" > "$TMP/server.log" 2>&1 &
	SERVER_PID=$!
fi
echo "# backend: $BACKEND, port ${PORT:-none}, pid $SERVER_PID"
BASE=http://127.0.0.1:$PORT

up=1
i=0
while [ -n "$PORT" ] && [ $i -lt 100 ]; do
	if [ "$(http_status "$BASE/api/v1/health")" = 200 ]; then
		up=0
		break
	fi
	kill -0 "$SERVER_PID" 2> /dev/null || break
	sleep 0.1
	i=$((i + 1))
done
ok $up "the $BACKEND server answers /api/v1/health"
if [ $up -ne 0 ]; then
	sed 's/^/# /' "$TMP/server.log" | tail -20
	done_testing
fi

is "$(http_status "$BASE/")" 200 "the web root's index.html is served at /"
is "$(http_status "$BASE/api/v1/status")" 401 "/api/v1/status without token: 401"
is "$(http_status "$BASE/api/v1/status" "$TOKEN")" 200 \
    "/api/v1/status with the token: 200"

rm -f "$SHOT" "${SHOT%.png}-container.png" "${SHOT%.png}-image.png"
mkdir -p "$TMP/chromium-profile"
PW_MODULE=$PW_MODULE CHROMIUM=$CHROMIUM BASE_URL=$BASE TOKEN=$TOKEN \
    USER_DATA_DIR=$TMP/chromium-profile SHOT=$SHOT \
    node "$TOP_SRCDIR/tests/web/ui-check.cjs" > "$TMP/ui.out" 2>&1
rc=$?
grep '^#' "$TMP/ui.out"
n=0
while read -r tag st desc; do
	[ "$tag" = RESULT ] || continue
	ok "$st" "$desc"
	n=$((n + 1))
done < "$TMP/ui.out"
is "$rc" 0 "the browser was driven to the end"
[ "$rc" -eq 0 ] || grep -v '^RESULT\|^#' "$TMP/ui.out" | sed 's/^/# /' | tail -20
ok "$([ "$n" -ge 20 ]; echo $?)" "every browser check ran ($n)"
ok "$([ -s "$SHOT" ]; echo $?)" "screenshot kept: $SHOT"

# The server is stopped by its pid; it must go away.
kill "$SERVER_PID"
i=0
while kill -0 "$SERVER_PID" 2> /dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -0 "$SERVER_PID" 2> /dev/null
ok "$([ $? -ne 0 ]; echo $?)" "the server stops on SIGTERM"
wait "$SERVER_PID" 2> /dev/null
SERVER_PID=
if [ "$BACKEND" = serve ] && grep -q 'ERROR: AddressSanitizer' "$TMP/server.log"; then
	ok 1 "the server ran clean under ASan"
	sed 's/^/# /' "$TMP/server.log" | head -30
fi

done_testing
