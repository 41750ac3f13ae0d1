#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch profile derive on public manifests (tests/data/manifests/
# public, each with its source and licence in SOURCES): at least 30 of
# each kind (Dockerfiles of well-known images and examples, compose
# files, Kubernetes manifests including Helm charts' rendered output), each
# derived with exit status 0 and nothing on stderr, and a handful of the
# profiles checked for what a person reading the manifest would expect.
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TOP_SRCDIR/tests/data/manifests" || exit 1

tab=$(printf '\t')
for kind in docker compose k8s; do
	n=$(ls public/$kind | wc -l)
	ok "$([ "$n" -ge 30 ]; echo $?)" "$n public $kind manifests (30 or more)"
	bad=""
	for f in public/$kind/*; do
		grep -q "^${f#public/}$tab" public/SOURCES || bad="$bad $f(no source)"
		"$DRIFTWATCH" profile derive "$f" > "$TMP/out" 2> "$TMP/err"
		rc=$?
		if [ $rc -ne 0 ] || [ -s "$TMP/err" ]; then
			bad="$bad $f($(head -n 1 "$TMP/err"))"
		fi
	done
	is "$bad" "" "every public $kind manifest derives, without a word on stderr, and has its source"
done

# has FILE TEXT...: the profile of FILE holds each line TEXT.
has() {
	f=$1
	shift
	"$DRIFTWATCH" profile derive "$f" > "$TMP/out" 2>&1
	for want in "$@"; do
		grep -qxF -- "$want" "$TMP/out" ||
		    { ok 1 "$f: '$want'"; sed 's/^/# /' "$TMP/out" | head -80; return; }
	done
	ok 0 "$f: $*"
}
has public/docker/postgres-16-bookworm.Dockerfile \
    "  - /var/lib/postgresql/data" "  - 5432" "  entrypoint:" \
    "  - docker-entrypoint.sh" "  - postgres" "  base: debian:bookworm-slim"
has public/docker/nginx-wsgi-flask-flask.Dockerfile \
    "  run_as_non_root: true" "  user: nonroot" "  - /home/app" "  - 5000"
has public/compose/nginx-flask-mysql.compose.yaml \
    "  - /var/lib/mysql" "  argv0: /bin/sh" "  - 3306" "- peer: internal:3306"
has public/k8s/helm-ingress-nginx-cloud.yaml \
    "  run_as_user: 101" "  drop_capabilities:" "  - ALL" \
    "  - NET_BIND_SERVICE" "  read_only:" "  - /usr/local/certificates/" \
    "  - 8443" "  allow_privilege_escalation: false" "  seccomp: RuntimeDefault"
has public/k8s/web-guestbook-redis-master-deployment.yaml "- port: 6379"

# What derive writes from all of them, baseline import takes.
"$DRIFTWATCH" profile derive public/*/* > "$TMP/all.yaml" 2> "$TMP/err"
is "$?" 0 "all of them at once"
"$DRIFTWATCH" --db "$TMP/dw.db" baseline import "$TMP/all.yaml" \
    > /dev/null 2> "$TMP/err"
is "$?" 0 "and baseline import reads every profile derived"
grep -v "entr.* imported" "$TMP/err" | sed 's/^/# /'
done_testing
