#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch serve over real HTTP on a random loopback port, with a database
# ingested from tests/data/sample.log: the public health route, the bearer
# token (missing, wrong, right), JSON errors for unknown routes, methods and
# oversized bodies, the static files of a fixture web root and refused path
# traversal, refusing a non-loopback address, and, as root, the privilege
# drop (Uid and CapEff of the serving process).  The web root is a fixture
# in $TMP so that the test does not depend on the state of web/.
. "$TOP_SRCDIR/tests/lib.sh"

command -v curl > /dev/null || skip_all "curl not installed"
chmod 0755 "$TMP"
DB=$TMP/dw.db
"$DRIFTWATCH" --db "$DB" ingest --runtime-root \
    "$TOP_SRCDIR/tests/data/sample-state" "$TOP_SRCDIR/tests/data/sample.log" \
    > /dev/null 2> "$TMP/ingest.err"
is $? 0 "a database from tests/data/sample.log"

WEB=$TMP/web
mkdir -p "$WEB/js"
echo '<!doctype html><title>driftwatch</title>' > "$WEB/index.html"
echo 'console.log(1);' > "$WEB/js/app.js"
ln -s /etc/passwd "$WEB/passwd"
cat > "$TMP/conf" << EOF
web_root = $WEB
api_token_file = $TMP/token
api_max_body = 4096
EOF

PORT=$(free_port)
U=http://127.0.0.1:$PORT

"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve \
    --listen "127.0.0.1:$PORT" > "$TMP/serve.out" 2> "$TMP/serve.err" &
PID=$!
trap 'kill "$PID" 2> /dev/null; rm -rf "$TMP"' EXIT
wait_health "$U" "$PID" "$TMP/serve.err"

# get NAME PATH [curl args...]: body in $TMP/NAME, prints the status
get() {
	n=$1
	p=$2
	shift 2
	curl -s --path-as-is -o "$TMP/$n" -w '%{http_code}' "$@" "$U$p"
}

is "$(stat -c %a "$TMP/token" 2> /dev/null)" 600 "the token file, mode 0600"
TOKEN=$(cat "$TMP/token")
is "${#TOKEN}" 64 "holding 32 random bytes in hex"
AUTH="Authorization: Bearer $TOKEN"

is "$(get health /api/v1/health)" 200 "health without a token: 200"
is "$(json_get "$TMP/health" 'd["status"]')" ok "and it says ok"
is "$(get oa /api/v1/openapi.json)" 200 "openapi.json without a token: 200"
is "$(get st /api/v1/status)" 401 "status without a token: 401"
is "$(json_get "$TMP/st" 'd["error"]')" unauthorized "as a JSON error"
is "$(get st /api/v1/status -H 'Authorization: Bearer nope')" 401 \
    "a wrong token: 401"
is "$(get st /api/v1/status -H "Authorization: Bearer ${TOKEN}x")" 401 \
    "the token with one more character: 401"
is "$(get st /api/v1/status -H "$AUTH")" 200 "the right token: 200"
ok "$(json_get "$TMP/st" 'type(d).__name__' | grep -qx dict; echo $?)" \
    "status is a JSON object"
curl -s -D "$TMP/hdr" -o /dev/null -H "$AUTH" "$U/api/v1/status"
ok "$(grep -qi '^content-type: application/json' "$TMP/hdr"; echo $?)" \
    "Content-Type application/json"

is "$(get nf /api/v1/no/such/route -H "$AUTH")" 404 "an unknown route: 404"
is "$(json_get "$TMP/nf" 'sorted(d.keys())')" "['detail', 'error']" \
    "as { error, detail }"
is "$(get nf /api/v1/no/such/route)" 401 "and without a token: 401 first"
is "$(get m /api/v1/status -X DELETE -H "$AUTH")" 405 \
    "a known path with another method: 405"

head -c 5000 /dev/zero | tr '\0' x > "$TMP/big"
is "$(get r413 /api/v1/status -H "$AUTH" --data-binary @"$TMP/big")" 413 \
    "a body over api_max_body: 413"
is "$(json_get "$TMP/r413" 'd["error"]')" "payload too large" "as JSON"
is "$(get r413 /api/v1/status -H "$AUTH" -H 'Transfer-Encoding: chunked' \
    --data-binary @"$TMP/big")" 413 "chunked, without a length: 413"
is "$(get r413 /api/v1/status --data-binary @"$TMP/big")" 401 \
    "and without a token: 401, the body unread"

is "$(get hdr /api/v1/health -H "X-Big: $(head -c 40000 /dev/zero |
    tr '\0' a)")" 431 "a header over the memory limit: 431"
is "$(get idx /)" 200 "/ serves index.html without a token"
ok "$(cmp -s "$TMP/idx" "$WEB/index.html"; echo $?)" "the file itself"
curl -s -D "$TMP/hdr" -o /dev/null "$U/"
ok "$(grep -qi '^content-type: text/html' "$TMP/hdr"; echo $?)" \
    "as text/html"
curl -s -D "$TMP/hdr" -o /dev/null "$U/js/app.js"
ok "$(grep -qi '^content-type: text/javascript' "$TMP/hdr"; echo $?)" \
    "a script as text/javascript"
is "$(get miss /missing.html)" 404 "a missing file: 404"
is "$(json_get "$TMP/miss" 'd["error"]')" "not found" "as JSON"

leaked=
for p in /../etc/passwd /%2e%2e/etc/passwd /%2E%2E/%2e%2e/etc/passwd \
    //etc/passwd /js/../../etc/passwd /..%2fetc/passwd /passwd \
    /js/%2e%2e/%2e%2e/etc/passwd; do
	code=$(get trav "$p")
	case $code in
	403|404) ;;
	*) leaked="$leaked $p:$code" ;;
	esac
	grep -q '^root:' "$TMP/trav" && leaked="$leaked $p:passwd"
done
is "$leaked" "" "path traversal refused (403/404), /etc/passwd never served"

# every route of the OpenAPI document, over HTTP, on the real database
python3 - "$U" "$TOKEN" > "$TMP/routes.tap" <<'EOP'
import json, sys, urllib.request, urllib.error
base, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None, auth=True):
    req = urllib.request.Request(base + "/api/v1" + path, method=method,
                                 data=body)
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def js(b):
    try:
        return json.loads(b)
    except Exception:
        return None
out = []
def check(cond, name):
    out.append(("ok" if cond else "not ok", name))
st, b = call("GET", "/openapi.json")
doc = js(b) or {}
paths = doc.get("paths", {})
check(doc.get("openapi", "").startswith("3."), "openapi.json is an OpenAPI 3 document")
# the structure OpenAPI 3.0 requires of it
problems = []
info = doc.get("info", {})
if not info.get("title") or not info.get("version"):
    problems.append("info.title/version")
for path, ops in paths.items():
    if not path.startswith("/"):
        problems.append(path)
    declared = {prm.get("name") for op in ops.values() if isinstance(op, dict)
                for prm in op.get("parameters", []) if prm.get("in") == "path"}
    needed = {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}
    if needed != declared:
        problems.append("%s path parameters %s" % (path, sorted(declared)))
    for method, op in ops.items():
        if method not in ("get", "put", "post", "delete", "patch", "head",
                          "options", "trace"):
            problems.append("%s %s: not an HTTP method" % (path, method))
            continue
        if not op.get("responses"):
            problems.append("%s %s: no responses" % (path, method))
        for code in op.get("responses", {}):
            if not (code == "default" or (code.isdigit() and len(code) == 3)):
                problems.append("%s %s: response %s" % (path, method, code))
        for prm in op.get("parameters", []):
            if prm.get("in") not in ("query", "path", "header", "cookie") \
                    or not prm.get("name") or ("schema" not in prm and
                    "content" not in prm) or (prm.get("in") == "path" and
                    prm.get("required") is not True):
                problems.append("%s %s: parameter %s" % (path, method, prm))
check(problems == [], "openapi.json has the structure OpenAPI 3.0 requires %s"
      % ("" if not problems else problems[:3]))
st, b = call("GET", "/anomalies?limit=1000")
anomalies = (js(b) or {}).get("items", [])
st, b = call("GET", "/containers")
containers = (js(b) or {}).get("items", [])
st, b = call("GET", "/images")
images = (js(b) or {}).get("items", [])
ids = {"anomalies": str(anomalies[0]["id"]) if anomalies else "1",
       "containers": containers[0]["id"] if containers else "x",
       "images": images[0]["key"] if images else "x"}
done = 0
for path, ops in sorted(paths.items()):
    for method in ops:
        m = method.upper()
        if path == "/stream":
            continue
        p = path
        for coll, val in ids.items():
            p = p.replace("/%s/{id}" % coll,
                          "/%s/%s" % (coll, urllib.parse.quote(val, safe="")))
        body = None
        if m == "PUT":
            # a small profile for the image (the server's body limit is
            # set low in this test)
            body = json.dumps({"driftwatch-profile": 1,
                               "image": {"key": ids["images"]},
                               "files": [{"op": "write",
                                          "path": "/srv/put-test/*"}]}).encode()
        st, b = call(m, p, body)
        check(st == 200, "%s %s: 200 (got %d)" % (m, path, st))
        if "{id}" in path:
            q = path.replace("{id}", "999999999")
            st2, b2 = call(m, q, body)
            # a PUT whose body is for another image is refused as such
            want = (404, 400) if m == "PUT" else (404,)
            check(st2 in want, "%s %s with an unknown id: %s (got %d)"
                  % (m, path, " or ".join(map(str, want)), st2))
            check(sorted((js(b2) or {}).keys()) == ["detail", "error"],
                  "%s %s: the 404 is a JSON error" % (m, path))
        done += 1
check(done >= 15, "%d routes exercised" % done)
for q in ("/anomalies?image=%27%20OR%201%3D1%20--", "/anomalies?container=%25_",
          "/anomalies?rule=x%27%3B%20DROP%20TABLE%20events%3B--",
          "/events?container=%27%20OR%20%271%27%3D%271",
          "/anomalies?state=%22", "/containers?cursor=%25"):
    st, b = call("GET", q)
    items = (js(b) or {}).get("items")
    check(st in (200, 400) and (st == 400 or items == []),
          "SQL metacharacters are only data: %s (%d)" % (q, st))
st, b = call("GET", "/events?limit=2")
page = js(b) or {}
check(st == 200 and len(page.get("items", [])) == 2 and page.get("next_cursor"),
      "events are paged (limit 2, a next cursor)")
st, b2 = call("GET", "/events?limit=2&cursor=" + str(page.get("next_cursor")))
ids1 = [e["serial"] for e in page.get("items", [])]
ids2 = [e["serial"] for e in (js(b2) or {}).get("items", [])]
check(st == 200 and ids2 and not set(ids1) & set(ids2), "the next page holds other events")
for q in ("/events?limit=abc", "/anomalies?severity=huge", "/anomalies?since=yesterday"):
    st, b = call("GET", q)
    check(st == 400, "bad parameter %s: 400 (got %d)" % (q, st))
if anomalies:
    a = str(anomalies[0]["id"])
    call("POST", "/anomalies/%s/ack" % a)
    st, b = call("GET", "/anomalies/%s" % a)
    check((js(b) or {}).get("state") == "acked", "ack: the anomaly is acked")
    call("POST", "/anomalies/%s/unack" % a)
    st, b = call("GET", "/anomalies/%s" % a)
    check((js(b) or {}).get("state") == "open", "unack: open again")
for i, (r, name) in enumerate(out, 1):
    print("%s %s" % (r, name))
EOP
while read -r r name; do
	case $r in
	ok) ok 0 "$name" ;;
	*) ok 1 "${name#ok }" ;;
	esac
done < "$TMP/routes.tap"

if [ "$(id -u)" -eq 0 ]; then
	is "$(awk '/^Uid:/ { print ($2 != 0 && $3 != 0) }' \
	    "/proc/$PID/status")" \
	    1 "as root: the server runs as another user"
	is "$(awk '/^CapEff:/ { print $2 }' "/proc/$PID/status")" \
	    0000000000000000 "with no effective capabilities"
	is "$(awk '/^CapPrm:/ { print $2 }' "/proc/$PID/status")" \
	    0000000000000000 "and none permitted"
	is "$(get st /api/v1/status -H "$AUTH")" 200 \
	    "and still reads the database"
	is "$(get ack /api/v1/anomalies/1/ack -X POST -H "$AUTH")" 200 \
	    "and writes to it (POST /anomalies/1/ack)"
	is "$(stat -c %U "$DB")" "$(awk '/^Uid:/ { print $2 }' \
	    "/proc/$PID/status" | xargs getent passwd | cut -d: -f1)" \
	    "the database given to api_user"
else
	echo "# not root: the privilege drop is not tested"
fi

# A container's page is kept (api_cache.c) while it is true: an ack, or a
# change of the container's events, shows at once.
get a1 /api/v1/anomalies/1 -H "$AUTH" > /dev/null
cid=$(json_get "$TMP/a1" 'd["container"]["id"]')
page_state() {
	get page "/api/v1/containers/$cid" -H "$AUTH" > /dev/null
	json_get "$TMP/page" '([a["state"] for a in d["anomalies"] if a["id"] == 1], d["event_count"])'
}
p1=$(page_state)
get ack /api/v1/anomalies/1/unack -X POST -H "$AUTH" > /dev/null
p2=$(page_state)
get ack /api/v1/anomalies/1/ack -X POST -H "$AUTH" > /dev/null
p3=$(page_state)
is "$p2 $p3" "$(echo "$p1" | sed "s/'[a-z]*'/'open'/") $(echo "$p1" | sed "s/'[a-z]*'/'acked'/")" \
    "a container's page shows an anomaly's new state at once"
sqlite3 "$DB" "UPDATE containers SET events = events + 1 WHERE cid = '$cid'"
is "$(page_state)" "$(echo "$p3" | awk -F', ' '{ sub(/\)$/, "", $2); printf "%s, %d)", $1, $2 + 1 }')" \
    "and a new event of the container"

# Every read route's answer is kept while nothing is committed (SQLite's
# data_version): a commit by another connection shows at the next request.
list_events() {
	get clist /api/v1/containers -H "$AUTH" > /dev/null
	json_get "$TMP/clist" "[c['events'] for c in d['items'] if c['id'] == '$cid'][0]"
}
e1=$(list_events)
is "$(list_events)" "$e1" "the containers list, asked twice, the same"
sqlite3 "$DB" "UPDATE containers SET events = events + 5 WHERE cid = '$cid'"
is "$(list_events)" "$((e1 + 5))" "a commit of another connection shows at once"

curl -sN -m 2 -D "$TMP/sse.hdr" -o "$TMP/sse" -H "$AUTH" \
    "$U/api/v1/stream?cursor=1"
ok "$(grep -qi '^content-type: text/event-stream' "$TMP/sse.hdr"; echo $?)" \
    "/stream is a server-sent event stream"
ok "$(grep -q '^event: anomaly' "$TMP/sse"; echo $?)" \
    "sending the anomalies after ?cursor="
curl -sN -m 30 -o /dev/null -H "$AUTH" "$U/api/v1/stream" &
CURL=$!
sleep 0.5
is "$(get st /api/v1/status -H "$AUTH")" 200 "other requests go on meanwhile"

kill "$PID"
wait "$PID"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/serve.err"
is $rc 0 "SIGTERM stops the server cleanly, a stream open"
kill "$CURL" 2> /dev/null
wait "$CURL"

"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve --unix "$TMP/sock" \
    > /dev/null 2> "$TMP/unix.err" &
PID=$!
i=0
until curl -s -o /dev/null --unix-socket "$TMP/sock" "http://x/api/v1/health"
do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
is "$(stat -c %a "$TMP/sock" 2> /dev/null)" 600 "--unix: a socket, mode 0600"
is "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$TMP/sock" \
    "http://x/api/v1/status")" 401 "and the token required"
is "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$TMP/sock" \
    -H "$AUTH" "http://x/api/v1/status")" 200 "and accepted"
kill "$PID"
wait "$PID"
is $? 0 "and it stops cleanly"

if command -v openssl > /dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" \
    -out "$TMP/cert.pem" -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 > /dev/null 2>&1; then
	chmod 0600 "$TMP/key.pem"
	cp "$TMP/conf" "$TMP/conf.tls"
	echo "api_tls_cert = $TMP/cert.pem" >> "$TMP/conf.tls"
	echo "api_tls_key = $TMP/key.pem" >> "$TMP/conf.tls"
	"$DRIFTWATCH" --config "$TMP/conf.tls" --db "$DB" serve \
	    --listen "127.0.0.1:$PORT" > /dev/null 2> "$TMP/tls.err" &
	PID=$!
	i=0
	until curl -s -o /dev/null --cacert "$TMP/cert.pem" \
	    "https://127.0.0.1:$PORT/api/v1/health"; do
		i=$((i + 1))
		[ $i -gt 100 ] && break
		sleep 0.1
	done
	is "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" \
	    -H "$AUTH" "https://127.0.0.1:$PORT/api/v1/status")" 200 \
	    "TLS: HTTPS with api_tls_cert and api_tls_key (a 0600 key)"
	is "$(curl -s -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$PORT/api/v1/health")" 000 "and no plain HTTP"
	kill "$PID"
	wait "$PID"
	is $? 0 "and it stops cleanly"
else
	echo "# openssl cannot make a certificate: TLS not tested"
fi

"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve \
    --listen "0.0.0.0:$PORT" > /dev/null 2> "$TMP/remote.err"
is $? 1 "a non-loopback address is refused"
ok "$(grep -q 'api_allow_remote' "$TMP/remote.err"; echo $?)" \
    "saying how to allow it"
"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve \
    --listen "[::]:$PORT" > /dev/null 2> "$TMP/remote.err"
is $? 1 "nor [::]"
done_testing
