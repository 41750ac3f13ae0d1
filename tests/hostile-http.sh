#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch serve against hostile clients (tests/hostile-http.py): a
# slowloris from two other loopback addresses (a normal client is answered
# meanwhile, the slow ones are dropped after api_timeout although they
# never fall silent), oversized headers and URL (431, 414), malformed
# request lines, twice the connection limit (the excess refused, a normal
# request answered within the idle timeout).  The server keeps serving,
# its memory bounded, and stops cleanly on SIGTERM.
. "$TOP_SRCDIR/tests/lib.sh"

python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' \
    2> /dev/null || skip_all "cannot bind 127.0.0.2"
chmod 0755 "$TMP"
DB=$TMP/dw.db
awk -v n=30 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/s.log"
"$DRIFTWATCH" --db "$DB" ingest "$TMP/s.log" > /dev/null 2>&1
is $? 0 "a database to serve"
mkdir -p "$TMP/web"
echo '<!doctype html><title>driftwatch</title>' > "$TMP/web/index.html"
TIMEOUT=3
MAXCONN=16
MAXIP=4
cat > "$TMP/conf" << EOC
web_root = $TMP/web
api_token_file = $TMP/token
api_timeout = $TIMEOUT
api_max_connections = $MAXCONN
api_max_per_ip = $MAXIP
EOC
PORT=$(free_port)
"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve \
    --listen "127.0.0.1:$PORT" > /dev/null 2> "$TMP/serve.err" &
PID=$!
trap 'kill "$PID" 2> /dev/null; rm -rf "$TMP"' EXIT
i=0
until python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
    "$PORT" 2> /dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		sed 's/^/# /' "$TMP/serve.err"
		break
	fi
	sleep 0.1
done

timeout 90 python3 "$TOP_SRCDIR/tests/hostile-http.py" "$PORT" "$TIMEOUT" \
    "$MAXCONN" "$MAXIP" > "$TMP/tap"
rc=$?
# renumber the client's lines into this plan
while read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok [0-9]* - }" ;;
	"not ok "*) ok 1 "${line#not ok [0-9]* - }" ;;
	esac
done < "$TMP/tap"
is "$(grep -c '^\(not \)\{0,1\}ok ' "$TMP/tap")" 23 \
    "the client ran to its end (exit $rc)"
ok "$(kill -0 "$PID" 2> /dev/null; echo $?)" "the server is still running"
kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status")
echo "# serve: peak memory ${kib:-?} KiB"
ok "$([ "${kib:-999999999}" -lt 400000 ]; echo $?)" \
    "peak memory ${kib:-?} KiB within 400 MB"
kill -TERM "$PID"
wait "$PID"
is $? 0 "and stops on SIGTERM with status 0"

ok "$(grep -qi 'AddressSanitizer\|runtime error' "$TMP/serve.err"; \
    [ $? -ne 0 ]; echo $?)" "no sanitizer report"
done_testing
