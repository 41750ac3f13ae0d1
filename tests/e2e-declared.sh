#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Declarations enforced end to end, with real auditd and real podman.
# A compose file declares service web of localhost/dw-decl:1 (a read-only
# root with a tmpfs /tmp, port 8080); "driftwatch profile derive" turns it
# into a profile with a "declared:" section naming the image only, which
# is imported before the daemon starts.  Then, while the image has only just
# begun to learn, one container keeps to the declaration (serves 8080,
# writes only /tmp): no declared-* anomaly on it; another breaks it
# (writes /etc/x, serves 9090, tries to mount a tmpfs): declared-read-only,
# declared-port and declared-capability anomalies on it, from the first
# event and without learning, each reason naming compose.yaml:web.  The
# daemon keys the image by its digest and follows the declaration
# imported under its name.  About 15 s.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/auditd.sh"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$TOP_SRCDIR/tests/lab
IMAGE=localhost/dw-decl:1

sh "$LAB/podman-setup.sh" 2> "$TMP/podman.err" ||
    skip_all "$(tail -n 1 "$TMP/podman.err")"
command -v python3 > /dev/null || skip_all "python3 needed"

cat > "$TMP/entry" <<'EOS'
#!/bin/sh
# dw-decl: serve a page, keep a log; with BREAK, break the declaration.
trap 'exit 0' TERM
sleep 1
if [ -n "$BREAK" ]; then
	echo "$TOKEN" > /etc/x
	httpd -f -p 9090 -h /tmp &
	mkdir -p /tmp/m
	mount -t tmpfs none /tmp/m 2> /dev/null
else
	httpd -f -p 8080 -h /tmp &
fi
i=0
while [ $i -lt 4 ]; do
	i=$((i + 1))
	echo "$i" >> /tmp/hits.log
	sleep 1
done
echo done > /tmp/done
EOS
sh "$LAB/mkimage.sh" $IMAGE "$TMP/entry" > /dev/null 2>> "$TMP/podman.err" ||
    skip_all "cannot build an image: $(tail -n 1 "$TMP/podman.err")"

DB=$TMP/decl.db
CONF=$TMP/dw.conf
printf 'db = %s\nlearn_window = 3600\n' "$DB" > "$CONF"
cat > "$TMP/plugin.conf" <<EOC
active = yes
direction = out
path = $DRIFTWATCH
type = always
args = --config=$CONF plugin
format = string
EOC

# The declaration comes from a compose file through "profile derive", which
# names the image only; the daemon, which keys the image by its digest,
# follows the name.
cat > "$TMP/compose.yaml" <<EOY
services:
  web:
    image: $IMAGE
    read_only: true
    tmpfs:
      - /tmp
    ports:
      - "8080:8080"
EOY
(cd "$TMP" && "$DRIFTWATCH" profile derive compose.yaml -o web.yaml)
ok $? "driftwatch profile derive reads the compose file"
ok "$(grep -q 'read_only_root: true' "$TMP/web.yaml" &&
    grep -q 'source: compose.yaml:web' "$TMP/web.yaml"; echo $?)" \
    "and declares a read-only root for service web"
# "profile import" is "baseline import" (either may do)
if "$DRIFTWATCH" profile --help 2>&1 | grep -q "profile import"; then
	import="profile import"
else
	import="baseline import"
fi
"$DRIFTWATCH" --config="$CONF" $import "$TMP/web.yaml" 2> "$TMP/import.err"
ok $? "driftwatch $import takes the declared section"

ids=""
cleanup() {
	local c
	lab_auditd_stop
	for c in $ids; do podman rm -f -t 0 "$c" > /dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab_auditd_start "$TMP/auditd" "$TMP/plugin.conf" 2> "$TMP/start.err"
rc=$?
[ $rc -eq 77 ] && skip_all "$(cat "$TMP/start.err")"
[ $rc -eq 0 ] || { cat "$TMP/start.err" >&2; echo "not ok 2 - auditd starts"; echo 1..2; exit 1; }
sleep 1

token=dwdecl$$x$RANDOM
good=$(podman run -d --network none --label driftwatch-test=e2e-declared \
    -e TOKEN=$token $IMAGE 2>> "$TMP/podman.err")
ids="$ids $good"
bad=$(podman run -d --network none --label driftwatch-test=e2e-declared \
    -e TOKEN=$token -e BREAK=1 $IMAGE 2>> "$TMP/podman.err")
ids="$ids $bad"
if [ ${#good} != 64 ] || [ ${#bad} != 64 ]; then
	cat "$TMP/podman.err" >&2
	echo "not ok 2 - both containers start"
	echo "1..2"
	exit 1
fi
podman wait "$good" "$bad" > /dev/null 2>&1
sleep 2
lab_auditd_stop
for i in $(seq 50); do
	pgrep -f -- "--config=$CONF plugin" > /dev/null || break
	sleep 0.1
done

"$DRIFTWATCH" --db "$DB" events --limit 0 --json > "$TMP/ev.json"
is "$(json_get "$TMP/ev.json" "sorted(set(r['container'] for r in d if r['container'] in ('$good', '$bad')))")" \
    "$(printf '%s\n' "$good" "$bad" | sort | python3 -c 'import sys; print(sorted(l.strip() for l in sys.stdin))')" \
    "events of both containers were captured"
"$DRIFTWATCH" --db "$DB" anomalies --json > "$TMP/an.json" 2> "$TMP/an.err"
ok $? "anomalies --json runs"
echo "# anomalies (rule, container, reason):"
python3 - "$TMP/an.json" "$good" "$bad" <<'EOP' | sed 's/^/#   /'
import json, sys
names = {sys.argv[2]: "good", sys.argv[3]: "bad"}
for l in open(sys.argv[1]):
    if l.strip():
        r = json.loads(l)
        c = (r.get("container") or {}).get("id")
        print(r.get("rule"), names.get(c, c), "--", r.get("reason"))
EOP
rules() {	# rules CID: the container's declared-* rules, sorted
	python3 - "$TMP/an.json" "$1" <<'EOP'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(" ".join(sorted(set(r["rule"] for r in rows
    if (r.get("container") or {}).get("id") == sys.argv[2]
    and r["rule"].startswith("declared-")))))
EOP
}
reason() {	# reason CID RULE
	python3 - "$TMP/an.json" "$1" "$2" <<'EOP'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print([r["reason"] for r in rows
    if (r.get("container") or {}).get("id") == sys.argv[2]
    and r["rule"] == sys.argv[3]][:1])
EOP
}
is "$(rules "$good")" "" "the container keeping to the declaration: no declared-* anomaly"
is "$(rules "$bad")" "declared-capability declared-port declared-read-only" \
    "the one breaking it: read-only root, port and capability"
r=$(reason "$bad" declared-read-only)
ok "$([[ $r == *"/etc/x, but compose.yaml:web declares a read-only root filesystem (writable: /tmp)"* ]]; echo $?)" \
    "the write names the declaration: $r"
r=$(reason "$bad" declared-port)
ok "$([[ $r == *"bound port 9090, but compose.yaml:web declares ports 8080"* ]]; echo $?)" \
    "the port names the declaration: $r"
r=$(reason "$bad" declared-capability)
ok "$([[ $r == *"mount, which needs CAP_SYS_ADMIN (it failed), but compose.yaml:web"* ]]; echo $?)" \
    "the mount names the declaration: $r"
"$DRIFTWATCH" --db "$DB" baseline list --json > "$TMP/bl.json"
is "$(json_get "$TMP/bl.json" "sorted(set(r['state'] for r in (d if isinstance(d, list) else [d]) if r['name'] == '$IMAGE' and r['key'].startswith('sha256:')))")" \
    "['learning']" "all of it while the running image was still learning"
done_testing
