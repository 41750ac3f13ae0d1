#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Outputs for SIEMs: ingest of the sample log with output_jsonl and
# output_webhook on.  The JSON lines file holds exactly the anomalies
# "anomalies --json" lists; a local HTTP server (127.0.0.1, a random port)
# that answers 500 to the first POST receives each of them after a retry;
# a dead webhook neither fails nor hangs ingest and is counted as failed;
# an https URL is refused at start with a reason.
. "$TOP_SRCDIR/tests/lib.sh"

LOG=$TOP_SRCDIR/tests/data/sample.log
STATE=$TOP_SRCDIR/tests/data/sample-state
[ -s "$LOG" ] || skip_all "no bundled sample log"
command -v python3 > /dev/null || skip_all "no python3 for the test server"

cat > "$TMP/server.py" << 'PY'
import http.server, sys, time
out, portfile, slow = sys.argv[1], sys.argv[2], len(sys.argv) > 3
posts = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global posts
        posts += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(out + ".requests", "a") as f:
            f.write("%s %s %s\n" % (self.path, self.headers["Content-Type"],
                                     len(body)))
        if slow:
            time.sleep(2)
        code = 500 if posts == 1 and not slow else 200
        if code == 200:
            with open(out, "ab") as f:
                f.write(body + b"\n")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$TMP/server.py" "$TMP/bodies" "$TMP/port" &
SRV=$!
SLOW=
trap 'kill $SRV $SLOW 2> /dev/null; rm -rf "$TMP"' EXIT
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(cat "$TMP/port" 2> /dev/null)
ok "$([ -n "$port" ]; echo $?)" \
    "the test HTTP server listens on 127.0.0.1:$port"

cat > "$TMP/dw.conf" << EOF
db = $TMP/a.db
output_jsonl = $TMP/out.jsonl
output_webhook = http://127.0.0.1:$port/hook
output_webhook_retries = 3
EOF
timeout 60 "$DRIFTWATCH" --config "$TMP/dw.conf" ingest --runtime-root \
    "$STATE" "$LOG" > /dev/null 2> "$TMP/err"
ok $? "ingest with output_jsonl and output_webhook succeeds"
"$DRIFTWATCH" --config "$TMP/dw.conf" anomalies --json > "$TMP/an.json"
n=$(wc -l < "$TMP/an.json" | tr -d ' ')
ok "$([ "$n" -gt 0 ]; echo $?)" "the sample raises anomalies ($n)"
key='sorted((r["id"], r["rule"], r["container"]["id"], r["reason"]) for r in (d if isinstance(d, list) else [d]))'
want=$(json_get "$TMP/an.json" "$key")
is "$(json_get "$TMP/out.jsonl" "$key")" "$want" \
    "the JSON lines file holds exactly the anomalies listed"
is "$(json_get "$TMP/out.jsonl" 'all(r["count"] == 1 and r["state"] == "open" and len(r["serials"]) == 1 for r in (d if isinstance(d, list) else [d]))')" \
    True "each as it was first raised"
is "$(json_get "$TMP/bodies" "$key")" "$want" \
    "the webhook received each anomaly"
is "$(wc -l < "$TMP/bodies.requests" | tr -d ' ')" "$((n + 1))" \
    "one POST each, and one retry after the first 500"
is "$(cut -d ' ' -f 1-2 "$TMP/bodies.requests" | sort -u)" \
    "/hook application/json" "POSTs to the URL's path as application/json"
ok "$(grep -q "output webhook: $n sent, 0 dropped, 0 failed, 1 retries" \
    "$TMP/err"; echo $?)" "the webhook's counters are logged at exit"
ok "$(grep -q "output jsonl: $n sent, 0 dropped, 0 failed" "$TMP/err"
    echo $?)" "and the file's"

# A closed port: find a free one, then nobody listens there.
dead=$(free_port)
printf 'db = %s\noutput_webhook = http://127.0.0.1:%s/\n' "$TMP/b.db" \
    "$dead" > "$TMP/dead.conf"
start=$(date +%s)
timeout 60 "$DRIFTWATCH" --config "$TMP/dead.conf" ingest --runtime-root \
    "$STATE" "$LOG" > /dev/null 2> "$TMP/err2"
ok $? "ingest with a dead webhook succeeds"
took=$(($(date +%s) - start))
ok "$([ "$took" -le 20 ]; echo $?)" "and does not hang (${took} s)"
ok "$(grep -q "output webhook: 0 sent, 0 dropped, $n failed" "$TMP/err2"
    echo $?)" "what it could not deliver is counted as failed"
is "$("$DRIFTWATCH" --db "$TMP/b.db" anomalies --json | wc -l | tr -d ' ')" \
    "$n" "and the anomalies are stored all the same"

# A slow server (2 s an answer) and a queue of one line: the thread holds
# the first anomaly, the second waits, the next are dropped and counted
# (a learning window of 1 s makes the capture raise a burst of them).
python3 "$TMP/server.py" "$TMP/slow" "$TMP/sport" slow &
SLOW=$!
i=0
while [ ! -s "$TMP/sport" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
printf 'db = %s\noutput_webhook = http://127.0.0.1:%s/\n%s\n%s\n' \
    "$TMP/s.db" "$(cat "$TMP/sport")" "output_webhook_queue = 1" \
    "learn_window = 1" > "$TMP/slow.conf"
timeout 60 "$DRIFTWATCH" --config "$TMP/slow.conf" ingest --runtime-root \
    "$STATE" "$LOG" > /dev/null 2> "$TMP/err4"
ok $? "ingest with a slow webhook and a full queue succeeds"
n4=$("$DRIFTWATCH" --db "$TMP/s.db" anomalies --limit 0 --json | wc -l)
line=$(grep -o "output webhook: [0-9]* sent, [0-9]* dropped, 0 failed" \
    "$TMP/err4")
set -- $line
ok "$([ "$n4" -ge 3 ] && [ "${5:-0}" -ge 1 ] &&
    [ $((${3:-0} + ${5:-0})) -eq "$n4" ]; echo $?)" \
    "a line that finds the queue full is dropped and counted ($line of $n4)"

printf 'db = %s\noutput_webhook = https://127.0.0.1:%s/\n' "$TMP/c.db" \
    "$port" > "$TMP/tls.conf"
"$DRIFTWATCH" --config "$TMP/tls.conf" ingest --runtime-root "$STATE" \
    "$LOG" > /dev/null 2> "$TMP/err3"
ok "$([ $? -ne 0 ]; echo $?)" "an https webhook is refused at start"
ok "$(grep -q "https is not supported yet" "$TMP/err3"; echo $?)" \
    "saying so"
done_testing
