#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch baseline: a database made by importing hand-written profiles
# and one made by ingesting the bundled sample log (which learns the
# profiles of its two images); list and show (text and JSON), the ways of
# naming an image (key, name, id or a 12+ prefix, digest, container id or
# prefix) and their errors, lock, relearn, export and import round trip,
# and the exit statuses (1 for errors, 2 for usage).
. "$TOP_SRCDIR/tests/lib.sh"

DB=$TMP/hand.db
dw() { "$DRIFTWATCH" --db "$DB" baseline "$@"; }

cat > "$TMP/hand.yaml" <<'EOF'
# two images, written by hand
driftwatch-profile: 1
image:
  name: registry.example/api:2
  id: sha256:1111111111111111aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc
  digest: sha256:2222222222222222dddddddddddddddd0000000000000000eeeeeeeeeeeeeeee
state: learning
processes:
  - exe: /usr/bin/api
    parent: /bin/sh
files:
  - op: write
    path: /var/log/api/*.log
  - op: create
    path: /tmp/**
reads:
  - path: /etc/api.conf
listen:
  - port: 8443
connect:
  - peer: internal:5432
privileged:
  - call: setuid
---
driftwatch-profile: 1
image:
  name: registry.example/db:15
  id: 3333333333333333aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc
state: active
learning:
  first: 2026-11-28T10:00:00Z
  until: 2026-11-28T11:00:00.500Z
users:
  - exe: /usr/bin/postgres
    uid: 999
    source: known
EOF
API=sha256:2222222222222222dddddddddddddddd0000000000000000eeeeeeeeeeeeeeee
PG=3333333333333333aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc

dw list > /dev/null 2> "$TMP/err"
is $? 1 "list without a database: exit 1"
dw import "$TMP/hand.yaml" 2> "$TMP/err"
is $? 0 "import of a hand-written profile creates the database"
is "$(grep -c 'imported' "$TMP/err")" 2 "it says what each document brought"

dw list --json > "$TMP/list.json"
is $? 0 "list --json"
is "$(json_get "$TMP/list.json" 'len(d)')" 2 "two images"
is "$(json_get "$TMP/list.json" '[r["key"] for r in d]')" \
    "['$API', '$PG']" "keyed by digest, else by id"
is "$(json_get "$TMP/list.json" \
    '[d[0][k] for k in ("entries", "processes", "files", "reads", "network", "privileged", "arguments", "users")]')" \
    "[7, 1, 2, 1, 2, 1, 0, 0]" "entries counted by kind (network: listen and connect)"
is "$(json_get "$TMP/list.json" \
    '(d[0]["state"], d[0]["first_seen"], d[0]["learn_until"], d[0]["locked"], d[0]["version"])')" \
    "('learning', None, None, None, 1)" "learning, no times, version 1"
is "$(json_get "$TMP/list.json" \
    '(d[1]["state"], d[1]["first_seen"], d[1]["learn_until"], d[1]["locked"] is not None, d[1]["name"], d[1]["digest"])')" \
    "('active', 1795860000.0, 1795863600.5, True, 'registry.example/db:15', None)" \
    "active: times in epoch seconds, locked at the import"
dw list > "$TMP/list.txt"
is $? 0 "list"
is "$(head -n 1 "$TMP/list.txt" | awk '{ print $1, $2, $3 }')" \
    "IMAGE NAME STATE" "with a header"
ok "$(grep -q '^sha256:222222222222 registry.example/api:2 *learning *7 ' \
    "$TMP/list.txt"; echo $?)" "and a line per image"

dw show "$API" --json > "$TMP/show.json"
is $? 0 "show KEY --json"
is "$(json_get "$TMP/show.json" \
    '(d["key"], d["entries"], [len(d[k]) for k in ("processes", "arguments", "users", "files", "reads", "listen", "connect", "privileged")])')" \
    "('$API', 7, [1, 0, 0, 2, 1, 1, 1, 1])" "one object, entries grouped as in the file"
is "$(json_get "$TMP/show.json" 'sorted(e["path"] for e in d["files"])')" \
    "['/tmp/**', '/var/log/api/*.log']" "patterns kept verbatim"
is "$(json_get "$TMP/show.json" \
    '(d["listen"][0]["port"], d["processes"][0]["parent"], d["processes"][0]["source"], d["processes"][0]["count"], d["processes"][0]["first"])')" \
    "(8443, '/bin/sh', 'declared', 0, None)" "ports are numbers; declared, count 0 by default"
dw show registry.example/api:2 > "$TMP/show.txt"
is $? 0 "show NAME"
ok "$(grep -q "^image  *$API\$" "$TMP/show.txt" &&
    grep -q '^files (2)$' "$TMP/show.txt" &&
    grep -q '^  op: write  path: /var/log/api/\*\.log  \[declared' \
    "$TMP/show.txt"; echo $?)" "as text"

# The ways of naming an image.
for name in "$API" registry.example/api:2 \
    sha256:1111111111111111aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc \
    1111111111111111aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc \
    111111111111 sha256:1111111111111111 \
    2222222222222222dddddddddddddddd0000000000000000eeeeeeeeeeeeeeee; do
	dw show "$name" --json > "$TMP/n.json" 2> "$TMP/err"
	is "$?:$(json_get "$TMP/n.json" 'd["key"]' 2> /dev/null)" "0:$API" \
	    "show '$name'"
done
dw show sha256:$PG --json > "$TMP/n.json"
is "$(json_get "$TMP/n.json" 'd["key"]')" "$PG" "an id with sha256: finds one keyed without"
dw show 11111111111 > /dev/null 2> "$TMP/err"
is $? 1 "a prefix of 11 digits: exit 1"
ok "$(grep -q "no image matches '11111111111'" "$TMP/err"; echo $?)" \
    "no image matches"
dw show 2222222222222222 > /dev/null 2> "$TMP/err"
is $? 1 "digests are not matched by prefix"
dw show registry.example/none:1 > /dev/null 2> "$TMP/err"
is $? 1 "an unknown name: exit 1"

cat > "$TMP/twin.yaml" <<'EOF'
driftwatch-profile: 1
image: { name: registry.example/api:2, digest: "sha256:1111111111119999" }
EOF
dw import "$TMP/twin.yaml" 2> /dev/null
is $? 0 "a second image of the same name"
dw show registry.example/api:2 > /dev/null 2> "$TMP/err"
is $? 1 "the name is now ambiguous: exit 1"
ok "$(grep -q "'registry.example/api:2' is ambiguous: it matches 2 images ($API, sha256:1111111111119999)" \
    "$TMP/err"; echo $?)" "naming both"
dw show 111111111111 --json > "$TMP/n.json" 2> "$TMP/err"
is "$?:$(json_get "$TMP/n.json" 'd["key"]' 2> /dev/null)" "0:$API" \
    "an id prefix still names one"

# Usage errors.
dw > /dev/null 2>&1
is $? 2 "no subcommand: exit 2"
dw frob > /dev/null 2>&1
is $? 2 "an unknown subcommand: exit 2"
dw show > /dev/null 2>&1
is $? 2 "show without IMAGE: exit 2"
dw show a b > /dev/null 2>&1
is $? 2 "show with two: exit 2"
dw list --all > /dev/null 2>&1
is $? 2 "list --all: exit 2"
dw lock > /dev/null 2>&1
is $? 2 "lock without IMAGE: exit 2"
dw lock "$PG" --all > /dev/null 2>&1
is $? 2 "lock IMAGE --all: exit 2"
dw export "$PG" --json > /dev/null 2>&1
is $? 2 "export --json: exit 2"
dw import > /dev/null 2>&1
is $? 2 "import without FILE: exit 2"
dw show --help > "$TMP/help"
is "$?:$(cat "$TMP/help")" "0:usage: driftwatch baseline show IMAGE [--json]" \
    "show --help"
dw --help > "$TMP/help"
is "$?:$(grep -c 'driftwatch baseline' "$TMP/help")" "0:6" \
    "baseline --help lists six subcommands"

# Bad files import nothing.
dw list --json > "$TMP/before.json"
printf 'driftwatch-profile: 1\nimage: { name: x }\nreads: [ { path: /a } ]\n---\ndriftwatch-profile: 1\nimage: { name: y }\n\nsockets:\n  - port: 1\n' \
    > "$TMP/bad.yaml"
dw import "$TMP/bad.yaml" 2> "$TMP/err"
is $? 1 "a file with an unknown kind: exit 1"
is "$(cat "$TMP/err")" \
    "driftwatch: $TMP/bad.yaml:8: unknown key 'sockets' (driftwatch-profile, image, state, learning, declared, processes, arguments, users, files, reads, listen, connect, privileged, sessions); nothing imported" \
    "naming the file and line"
dw list --json > "$TMP/after.json"
ok "$(cmp -s "$TMP/before.json" "$TMP/after.json"; echo $?)" \
    "and not even its good first document went in"
printf 'driftwatch-profile: 1\nimage: { name: x }\nfiles:\n  - op: write\n    path: "/a\n' \
    > "$TMP/bad.yaml"
dw import "$TMP/bad.yaml" 2> "$TMP/err"
is $? 1 "bad YAML: exit 1"
ok "$(grep -q "^driftwatch: $TMP/bad.yaml:6:1: " "$TMP/err"; echo $?)" \
    "with its line and column"
dw import "$TMP/none.yaml" 2> "$TMP/err"
is $? 1 "a missing file: exit 1"

# lock, relearn.
dw lock "$API" > "$TMP/out"
is "$?:$(cat "$TMP/out")" "0:$API: locked, its profile is active" "lock"
dw show "$API" --json > "$TMP/s.json"
is "$(json_get "$TMP/s.json" '(d["state"], d["locked"] is not None, d["version"])')" \
    "('active', True, 2)" "active, locked now, version moved"
dw lock "$API" > "$TMP/out"
is "$?:$(cat "$TMP/out")" "0:$API: already active" "locking again changes nothing"
dw lock --all > "$TMP/out"
is "$?:$(cat "$TMP/out")" "0:1 image locked" "lock --all locks those still learning"
dw list --json > "$TMP/l.json"
is "$(json_get "$TMP/l.json" '[r["state"] for r in d]')" \
    "['active', 'active', 'active']" "all active"

# A database that learnt by itself: the sample log of two images.
DB=$TMP/sample.db
"$DRIFTWATCH" --db "$DB" ingest --runtime-root \
    "$TOP_SRCDIR/tests/data/sample-state" "$TOP_SRCDIR/tests/data/sample.log" \
    > /dev/null
is $? 0 "ingest of the sample log"
dw list --json > "$TMP/l.json"
is "$(json_get "$TMP/l.json" '[(r["name"], r["state"], r["entries"] > 0) for r in d]')" \
    "[('localhost/web:1', 'learning', True), ('localhost/worker:1', 'learning', True)]" \
    "learns the profiles of its two images"
WEB=$(json_get "$TMP/l.json" 'd[0]["key"]')
"$DRIFTWATCH" --db "$DB" containers --json > "$TMP/c.json"
CWEB=$(json_get "$TMP/c.json" \
    '[c["id"] for c in d if c["name"] == "dwlab-web1"][0]')
for name in "$CWEB" "$(echo "$CWEB" | cut -c1-12)"; do
	dw show "$name" --json > "$TMP/n.json" 2> "$TMP/err"
	is "$?:$(json_get "$TMP/n.json" 'd["key"]' 2> /dev/null)" "0:$WEB" \
	    "show CONTAINER '$name' finds its image"
done

dwc() { "$DRIFTWATCH" --db "$TMP/copy.db" baseline "$@"; }
dw export "$WEB" -o "$TMP/web.yaml"
is $? 0 "export -o FILE"
ok "$(head -n 2 "$TMP/web.yaml" | grep -q '^driftwatch-profile: 1$'; echo $?)" \
    "a profile file"
dw export "$WEB" > "$TMP/web.out"
ok "$(cmp -s "$TMP/web.yaml" "$TMP/web.out"; echo $?)" "the same on stdout"
dw export nosuch -o "$TMP/nosuch.yaml" 2> /dev/null
is "$?:$(test -e "$TMP/nosuch.yaml"; echo $?)" "1:1" \
    "export of an unknown image: exit 1, no file"
dwc import "$TMP/web.yaml" 2> /dev/null
is $? 0 "imported into a new database"
dwc export localhost/web:1 > "$TMP/web.copy"
ok "$(cmp -s "$TMP/web.yaml" "$TMP/web.copy"; echo $?)" \
    "which exports the same file"
dwc show localhost/web:1 --json > "$TMP/a.json"
dw show localhost/web:1 --json > "$TMP/b.json"
is "$(json_get "$TMP/a.json" '[d[k] for k in ("processes", "arguments", "users", "files", "reads", "listen", "connect", "privileged")]')" \
    "$(json_get "$TMP/b.json" '[d[k] for k in ("processes", "arguments", "users", "files", "reads", "listen", "connect", "privileged")]')" \
    "with the same entries"

# relearn keeps what a person declared.
printf 'driftwatch-profile: 1\nimage: { key: "%s" }\nreads: [ { path: /etc/declared } ]\n' \
    "$WEB" > "$TMP/decl.yaml"
dw import "$TMP/decl.yaml" 2> /dev/null
dw lock "$WEB" > /dev/null
dw relearn dwlab-web1 > /dev/null 2>&1
is $? 1 "a container name is not an IMAGE"
dw relearn "$CWEB" > "$TMP/out"
is "$?:$(cat "$TMP/out")" \
    "0:$WEB: learned entries forgotten, learning again from its next event" \
    "relearn CONTAINER"
dw show "$WEB" --json > "$TMP/s.json"
is "$(json_get "$TMP/s.json" '(d["state"], d["first_seen"], d["learn_until"], d["locked"], d["entries"], d["reads"][0]["path"], d["version"])')" \
    "('learning', None, None, None, 1, '/etc/declared', 3)" \
    "learning from scratch, the declared entry kept, version moved"
dw list --json > "$TMP/l.json"
ok "$(json_get "$TMP/l.json" 'd[1]["entries"]' | grep -qv '^0$'; echo $?)" \
    "the other image untouched"

done_testing
