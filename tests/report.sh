#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch report over the bundled sample capture (a drop-exec, an
# account-write and an exec session): the three formats for the capture's
# period, the exit statuses (4 with high or critical anomalies, 0 without,
# 1 and 2 for errors and usage), a well-formed self-contained HTML page
# (python3's html.parser, then headless Chromium when installed), the
# saved forensic queries (--query, --list-queries) and the views of
# schema/003-forensic.sql from the sqlite3 shell.
. "$TOP_SRCDIR/tests/lib.sh"

DB=$TMP/sample.db
dw() { "$DRIFTWATCH" --db "$DB" report "$@"; }

dw > /dev/null 2> "$TMP/err"
is $? 1 "report without a database: exit 1"

"$DRIFTWATCH" --db "$DB" ingest --runtime-root \
    "$TOP_SRCDIR/tests/data/sample-state" "$TOP_SRCDIR/tests/data/sample.log" \
    > /dev/null 2>&1
is $? 0 "ingest of the sample log"
# The text listing says whose code an event shows: web1's crun and conmon
# are the runtime's, its podman exec session's commands the session's.
"$DRIFTWATCH" --db "$DB" events --container 0bfbc1d7ce35 --limit 0 > "$TMP/w1.txt"
ok "$(grep -q ' 0bfbc1d7ce35 (runtime) /usr/bin/conmon' "$TMP/w1.txt" &&
    grep -q ' 0bfbc1d7ce35 (session) /bin/busybox \[sh -c' "$TMP/w1.txt" &&
    grep -q ' 0bfbc1d7ce35 /bin/busybox \[httpd' "$TMP/w1.txt"; echo $?)" \
    "events: the runtime's work and the session marked, the container's own not"

# The capture's period, from the stored events' times.
"$DRIFTWATCH" --db "$DB" events --json --limit 0 > "$TMP/ev.json"
FIRST=$(json_get "$TMP/ev.json" 'int(min(r["time"] for r in d))')
LAST=$(json_get "$TMP/ev.json" 'int(max(r["time"] for r in d)) + 1')
ok "$([ "$FIRST" -gt 0 ] && [ "$LAST" -gt "$FIRST" ]; echo $?)" \
    "capture period $FIRST .. $LAST"

# Text.
dw --since "$FIRST" --until "$LAST" > "$TMP/r.txt" 2> "$TMP/err"
is $? 4 "text report of the capture: exit 4 (high and critical)"
for w in drop-exec account-write dwlab-web2 \
    localhost/web:1 localhost/worker:1 "FINDINGS" "Ingest health" learning; do
	grep -q -- "$w" "$TMP/r.txt"
	ok $? "text report shows $w"
done
is "$(cat "$TMP/err")" "" "and says nothing on stderr"

# JSON.
dw --since "$FIRST" --until "$LAST" --format json > "$TMP/r.json"
is $? 4 "JSON report: exit 4"
is "$(json_get "$TMP/r.json" 'sorted(d.keys())')" \
    "['anomalies', 'anomalies_by_rule', 'anomalies_by_severity', 'drifted_containers', 'findings', 'generated', 'images', 'ingest', 'new_behaviour', 'new_entries', 'period', 'timeline']" \
    "JSON parses and has the sections"
is "$(json_get "$TMP/r.json" 'd["findings"]')" "True" "findings: true"
is "$(json_get "$TMP/r.json" '[(r["severity"], r["anomalies"]) for r in d["anomalies_by_severity"]]')" \
    "[('critical', 1), ('high', 1)]" "anomalies by severity"
is "$(json_get "$TMP/r.json" 'sorted(r["rule"] for r in d["anomalies_by_rule"])')" \
    "['account-write', 'drop-exec']" "anomalies by rule"
is "$(json_get "$TMP/r.json" '[(r["name"], r["severity"], r["anomalies"]) for r in d["drifted_containers"]]')" \
    "[('dwlab-web2', 'critical', 2)]" \
    "containers that drifted, worst first, with counts"
is "$(json_get "$TMP/r.json" 'sorted(set(r["image"] for r in d["new_behaviour"]))')" \
    "['localhost/web:1', 'localhost/worker:1']" "new behaviour per image"
is "$(json_get "$TMP/r.json" '"sh /tmp/.x" in " ".join(r["key"] for r in d["new_entries"])')" \
    "True" "new entries include the dropped script's run"
is "$(json_get "$TMP/r.json" '[(r["name"], r["state"], r["learn_until"] > r["first"]) for r in d["images"]]')" \
    "[('localhost/web:1', 'learning', True), ('localhost/worker:1', 'learning', True)]" \
    "learning states, until when"
is "$(json_get "$TMP/r.json" '(d["ingest"]["events"], d["ingest"]["dropped"], d["ingest"]["malformed"], d["ingest"]["gaps"] > 0)')" \
    "(1516, 0, 0, True)" "ingest health"
is "$(json_get "$TMP/r.json" '(len(d["timeline"]["buckets"]), sum(b["critical"] + b["high"] for b in d["timeline"]["buckets"]))')" \
    "(48, 2)" "timeline buckets by severity"
is "$(json_get "$TMP/r.json" '(d["period"]["since"], d["period"]["until"])')" \
    "($FIRST.0, $LAST.0)" "the period asked for"

# HTML, to a file.
dw --since "$FIRST" --until "$LAST" --format html --output "$TMP/r.html" \
    > "$TMP/out"
is $? 4 "HTML report: exit 4"
ok "$([ -s "$TMP/r.html" ] && [ ! -s "$TMP/out" ] && [ ! -e "$TMP/r.html.tmp" ]; echo $?)" \
    "--output writes the file, not stdout"
python3 - "$TMP/r.html" > "$TMP/html.out" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base",
    "wbr", "source", "track", "embed", "param"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k in ("src", "href") or (v or "").startswith("http") and \
                k != "xmlns":
                self.errors.append("external reference %s=%s" % (k, v))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag,
                self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
p = P()
p.feed(open(sys.argv[1]).read())
p.close()
if p.stack:
    p.errors.append("unclosed: %s" % p.stack)
for t in ("script", "link", "iframe", "img"):
    if t in p.tags:
        p.errors.append("has <%s>" % t)
for t in ("html", "head", "style", "body", "svg", "rect", "table"):
    if t not in p.tags:
        p.errors.append("no <%s>" % t)
print("\n".join(p.errors))
PY
is "$(cat "$TMP/html.out")" "" \
    "HTML: tags balance, inline CSS and SVG, no script or external resource"
for w in drop-exec account-write dwlab-web2 "Anomalies over time"; do
	grep -q -- "$w" "$TMP/r.html"
	ok $? "HTML shows $w"
done
if command -v chromium > /dev/null 2>&1; then
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$TMP/chr" --screenshot="$TMP/report.png" \
	    --window-size=1280,2000 "file://$TMP/r.html" > "$TMP/chr.log" 2>&1
	size=$(wc -c < "$TMP/report.png" 2> /dev/null || echo 0)
	ok "$([ "$size" -gt 20000 ]; echo $?)" \
	    "headless Chromium renders it ($size bytes of PNG)"
else
	echo "# chromium not installed: the page was not rendered"
	echo "# (contrib/install-deps.sh installs it)"
fi

# Periods without findings: before the capture, and its start up to the
# drop-exec (the podman exec session in it is learnt, not an anomaly).
dw --since "$((FIRST - 3600))" --until "$FIRST" --format json > "$TMP/e.json"
is $? 0 "a period before the capture: exit 0"
is "$(json_get "$TMP/e.json" '(d["findings"], d["anomalies"], d["drifted_containers"], d["ingest"]["events"])')" \
    "(False, [], [], 0)" "and nothing in it"
DROP=$("$DRIFTWATCH" --db "$DB" anomalies --rule drop-exec --json |
    python3 -c 'import json,sys; r = json.loads(sys.stdin.readline()); print(r["id"], int(r["first_seen"]))')
DROP_ID=${DROP% *}
DROP_T=${DROP#* }
dw --since "$FIRST" --until "$DROP_T" --format json > "$TMP/low.json"
is $? 0 "a period before the attack: exit 0"
is "$(json_get "$TMP/low.json" '(d["findings"], d["anomalies"], d["ingest"]["events"] > 0)')" \
    "(False, [], True)" "events, and no anomaly"
dw --format json > "$TMP/d.json"
rc=$?
ok "$([ $rc -eq 0 ] || [ $rc -eq 4 ]; echo $?)" "default period runs"
is "$(json_get "$TMP/d.json" 'round(d["period"]["until"] - d["period"]["since"])')" \
    86400 "and is the last 24 hours"
dw --since 2026-11-28T00:00 --until 2026-11-29 > /dev/null
ok "$([ $? -eq 4 ]; echo $?)" "ISO times as everywhere"

# Usage.
dw --format pdf > /dev/null 2>&1
is $? 2 "--format pdf: usage, exit 2"
dw --since yesterday > /dev/null 2>&1
is $? 2 "a bad time: exit 2"
dw --since "$LAST" --until "$FIRST" > /dev/null 2>&1
is $? 2 "--since after --until: exit 2"
dw extra > /dev/null 2>&1
is $? 2 "an argument without --query: exit 2"
dw --query nosuch > /dev/null 2>&1
is $? 2 "an unknown query: exit 2"
dw --query image-peers > /dev/null 2>&1
is $? 2 "a query without its argument: exit 2"
dw --query image-peers a b > /dev/null 2>&1
is $? 2 "a query with one too many: exit 2"
dw --help | grep -q -- --list-queries
ok $? "--help shows the options"

# Saved queries.
dw --list-queries > "$TMP/list"
is $? 0 "--list-queries"
for q in "container-timeline CONTAINER" "image-executions IMAGE" \
    "path-activity PATH" "image-peers IMAGE" "anomaly-evidence ID"; do
	grep -q "^${q% *}  *${q#* }  *[a-z]" "$TMP/list"
	ok $? "lists $q with a description"
done
dw --query container-timeline dwlab-web2 > "$TMP/t.tsv"
is $? 0 "--query container-timeline NAME"
is "$(head -n 1 "$TMP/t.tsv" | cut -f1-4)" "$(printf 'utc\ttime_ms\tserial\tsyscall')" \
    "a tab-separated table with a header"
is "$(tail -n +2 "$TMP/t.tsv" | awk -F '\t' '$2 < p { bad = 1 } { p = $2 } END { print (NR > 100 && !bad) }')" \
    1 "many rows, in time order"
dw --query container-timeline dwlab-web2 --format json > "$TMP/t.json"
is "$(json_get "$TMP/t.json" '(len(d), set(r["container_name"] for r in d))')" \
    "($(($(wc -l < "$TMP/t.tsv") - 1)), {'dwlab-web2'})" \
    "--format json: the same rows, one object a line"
CID=$(sqlite3 "$DB" "SELECT cid FROM containers WHERE name = 'dwlab-web2'" 2>/dev/null ||
    "$DRIFTWATCH" --db "$DB" containers --json | python3 -c 'import json,sys
print([r["id"] for r in map(json.loads, sys.stdin) if r["name"] == "dwlab-web2"][0])')
is "$(dw --query container-timeline "$(echo "$CID" | cut -c1-12)" | wc -l)" \
    "$(wc -l < "$TMP/t.tsv")" "a container by id prefix"
dw --query image-executions localhost/web --format json > "$TMP/x.json"
is "$(json_get "$TMP/x.json" '["/bin/sh", "/tmp/.x"] in [r["argv"] for r in d]')" \
    True "image-executions (name without tag) has the dropped script"
dw --query path-activity /etc/passwd > "$TMP/p.tsv"
is "$(awk -F '\t' 'NR > 1 && $2 == "write" { print $9 }' "$TMP/p.tsv")" \
    dwlab-web2 "path-activity: who wrote /etc/passwd"
is "$(dw --query path-activity '/tmp/.x*' | awk -F '\t' 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ')" \
    "chmod create exec " "path-activity with a glob: created, made executable, run"
dw --query image-peers localhost/web:1 > "$TMP/n.tsv"
grep -q "$(printf 'connect\t2\t10.88.77.21\t4444')" "$TMP/n.tsv"
ok $? "image-peers: the attack's new peer"
dw --query anomaly-evidence "$DROP_ID" --format json > "$TMP/a.json"
is "$(json_get "$TMP/a.json" '(d["rule"], d["argv"], d["paths"].split()[0])')" \
    "('drop-exec', ['/bin/sh', '/tmp/.x'], '/tmp/.x')" \
    "anomaly-evidence ID: the event behind it"
dw --query container-anomalies dwlab-web2 > "$TMP/ca.tsv"
is "$(tail -n +2 "$TMP/ca.tsv" | cut -f3 | tr '\n' ' ')" \
    "drop-exec account-write " "container-anomalies"
dw --query path-activity /etc/passwd --output "$TMP/q.out" > /dev/null
cmp -s "$TMP/q.out" "$TMP/p.tsv"
ok $? "--query with --output"

# The views, as a person in the sqlite3 shell uses them.
if command -v sqlite3 > /dev/null 2>&1; then
	sq() { sqlite3 -batch -separator ' ' "$DB" "$1"; }
	is "$(sq "SELECT name FROM sqlite_master WHERE type = 'view' AND name IN ('container_timeline', 'image_executions', 'path_activity', 'image_peers', 'anomaly_evidence') ORDER BY name" | tr '\n' ' ')" \
	    "anomaly_evidence container_timeline image_executions image_peers path_activity " \
	    "schema 3 creates the views"
	is "$(sq "SELECT count(*) > 100, count(DISTINCT container) FROM container_timeline WHERE container_name = 'dwlab-web2'")" \
	    "1 1" "container_timeline"
	is "$(sq "SELECT exe, count FROM image_executions WHERE image = 'localhost/web:1' AND argv = '[\"/bin/sh\",\"/tmp/.x\"]'")" \
	    "/bin/busybox 1" "image_executions"
	is "$(sq "SELECT op, container_name FROM path_activity WHERE path = '/etc/passwd' AND op != 'read'")" \
	    "write dwlab-web2" "path_activity"
	is "$(sq "SELECT addr, port, count FROM image_peers WHERE image = 'localhost/worker:1' AND syscall = 'connect' ORDER BY addr")" \
	    "$(printf '10.88.77.11 8080 4\n10.88.77.12 8080 4')" "image_peers"
	is "$(sq "SELECT rule, syscall, exe FROM anomaly_evidence WHERE anomaly = $DROP_ID")" \
	    "drop-exec execve /bin/busybox" "anomaly_evidence"
	is "$(sq "SELECT count(*) FROM anomaly_evidence GROUP BY anomaly HAVING count(*) = 0")" \
	    "" "every anomaly has evidence"
else
	echo "# sqlite3 not installed: the views were not queried by hand"
fi
done_testing
