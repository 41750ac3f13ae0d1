#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch profile derive: Dockerfiles, compose files (with an override)
# and Kubernetes manifests in tests/data/manifests give the profiles of
# their *.expected.yaml, byte for byte; bad inputs (a Helm template, broken
# YAML, an unknown kind, a container or service without an image, an
# unknown Dockerfile instruction) are reported as FILE:LINE: with exit
# status 1 while the good documents are still written; usage errors are 2.
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TOP_SRCDIR/tests/data/manifests" || exit 1

# derive EXPECTED FILE...: the output is EXPECTED's, the status 0.
derive() {
	want=$1
	shift
	"$DRIFTWATCH" profile derive "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	is "$rc" 0 "$* exits 0"
	is "$(cat "$TMP/err")" "" "$* says nothing on stderr"
	if cmp -s "$TMP/out" "$want"; then
		ok 0 "$* gives $want"
	else
		ok 1 "$* gives $want"
		diff -u "$want" "$TMP/out" | sed 's/^/# /'
	fi
}

derive docker/web.expected.yaml docker/web.Dockerfile
derive docker/worker.expected.yaml docker/Dockerfile.worker
derive docker/proxy.expected.yaml docker/Containerfile.proxy
derive compose/docker-compose.expected.yaml compose/docker-compose.yml
derive compose/override.expected.yaml compose/docker-compose.yml \
    compose/docker-compose.override.yml
derive compose/compose.expected.yaml compose/compose.yaml
# Built services take base, ports, volumes, user and program from their
# Dockerfiles; a remote build context is passed over.
derive compose/built.expected.yaml compose/built/compose.yaml
# Every fact: a Dockerfile's user (uid from its adduser), WORKDIR, VOLUME
# and the paths and port its command line names, a shell health check as
# a session; compose's entrypoint script and the command it execs,
# working_dir, read-only mounts, cap_drop, no-new-privileges; a pod's
# securityContext, host namespaces, mounts, exec probes, and the lines.
derive docker/mailer.expected.yaml docker/mailer.Dockerfile
derive compose/gunicorn.expected.yaml compose/gunicorn/compose.yaml
for k in deployment cronjob statefulset multi locked; do
	derive k8s/$k.expected.yaml k8s/$k.yaml
done

# The output is deterministic and -o writes the same bytes.
"$DRIFTWATCH" profile derive -o "$TMP/o.yaml" k8s/deployment.yaml
is "$?" 0 "-o FILE exits 0"
cmp -s "$TMP/o.yaml" k8s/deployment.expected.yaml
ok "$?" "-o FILE writes the profiles"

# Every document has the keys of doc/profile.md, and its declared:
# section only the documented ones.
cat */*.expected.yaml > "$TMP/all.yaml"
python3 - "$TMP/all.yaml" <<'PYEOF' 2> "$TMP/py"
import sys
try:
    import yaml
except ImportError:
    sys.exit(0)
top = {"driftwatch-profile", "image", "state", "processes", "listen",
       "connect", "sessions", "declared"}
decl = {"source", "base", "workload", "init", "read_only_root",
        "writable", "read_only", "run_as_non_root", "run_as_user", "user",
        "privileged", "allow_privilege_escalation", "capabilities",
        "drop_capabilities", "ports", "peers", "host_network", "host_pid",
        "host_ipc", "seccomp", "entrypoint", "lines"}
text = open(sys.argv[1]).read().replace("\ndriftwatch-profile:",
    "\n---\ndriftwatch-profile:")
for d in yaml.safe_load_all(text):
    if d is None:
        continue
    assert set(d) <= top, set(d) - top
    assert set(d["image"]) == {"name"}, d["image"]
    assert d["state"] == "active"
    assert set(d["declared"]) <= decl, set(d["declared"]) - decl
    for k in ("processes", "listen", "connect", "sessions"):
        for e in d.get(k, []):
            assert e["source"] == "declared", e
    assert [e["port"] for e in d.get("listen", [])] == \
        d["declared"].get("ports", []), d
    assert [e["peer"] for e in d.get("connect", [])] == \
        d["declared"].get("peers", []), d
PYEOF
is "$?" 0 "documents have the documented keys only"
[ -s "$TMP/py" ] && sed 's/^/# /' "$TMP/py"

# What derive writes, baseline import reads.
"$DRIFTWATCH" profile derive k8s/deployment.yaml compose/compose.yaml \
    docker/web.Dockerfile > "$TMP/all.yaml"
"$DRIFTWATCH" --db "$TMP/dw.db" baseline import "$TMP/all.yaml" \
    > /dev/null 2> "$TMP/err"
is "$?" 0 "baseline import reads the derived profiles"
[ -s "$TMP/err" ] && grep -v "entr.* imported" "$TMP/err" | sed 's/^/# /'
"$DRIFTWATCH" --db "$TMP/dw.db" baseline show web > "$TMP/show" 2>&1
grep -q "/usr/local/bin/healthcheck" "$TMP/show"
ok "$?" "with the declared entries"

# bad INPUT MESSAGE: exit 1, MESSAGE on stderr, nothing on stdout.
bad() {
	f=$1
	shift
	"$DRIFTWATCH" profile derive "$f" > "$TMP/out" 2> "$TMP/err"
	is "$?" 1 "$f exits 1"
	is "$(cat "$TMP/err")" "$*" "$f: the message names file and line"
	is "$(wc -c < "$TMP/out" | tr -d ' ')" 0 "$f: nothing derived"
}
bad bad/helm-deployment.yaml "driftwatch: bad/helm-deployment.yaml:5: a" \
    "template ('{{ }}', Helm?), not a manifest: render it first (helm" \
    "template); nothing derived"
bad bad/broken.yaml "driftwatch: bad/broken.yaml:11:8: did not find" \
    "expected key while parsing a block mapping; nothing derived from this" \
    "file"
bad bad/compose-no-image.yml "driftwatch: bad/compose-no-image.yml:5:" \
    "service 'api' has neither image nor build; nothing derived from this" \
    "project"
bad bad/Dockerfile.bad "driftwatch: bad/Dockerfile.bad:3: unknown" \
    "instruction 'COPYY'"

# A file with bad documents and a good one: the good one is written.
"$DRIFTWATCH" profile derive bad/mixed.yaml > "$TMP/out" 2> "$TMP/err"
is "$?" 1 "mixed.yaml exits 1"
is "$(cat "$TMP/err")" "driftwatch: bad/mixed.yaml:35: container 'api' has no image; nothing derived from this document
driftwatch: bad/mixed.yaml:39: unknown kind 'Deploymnet'; nothing derived from this document" \
    "mixed.yaml: both bad documents named with their lines"
cmp -s "$TMP/out" bad/mixed.expected.yaml
ok "$?" "mixed.yaml: the good documents (a Rollout, a custom resource with a pod template, and a Pod) are written"

# Good and bad inputs together: the good ones are written, in order.
"$DRIFTWATCH" profile derive bad/broken.yaml docker/web.Dockerfile \
    bad/helm-deployment.yaml k8s/cronjob.yaml > "$TMP/out" 2> /dev/null
is "$?" 1 "good and bad inputs exit 1"
{ cat docker/web.expected.yaml; echo ---; cat k8s/cronjob.expected.yaml; } \
    > "$TMP/want"
cmp -s "$TMP/out" "$TMP/want"
ok "$?" "and the good inputs are written"

"$DRIFTWATCH" profile derive no/such/file.yaml > /dev/null 2> "$TMP/err"
is "$?" 1 "a missing file exits 1"
grep -q "no/such/file.yaml: No such file" "$TMP/err"
ok "$?" "and says so"

"$DRIFTWATCH" profile derive > /dev/null 2>&1
is "$?" 2 "no FILE is a usage error"
"$DRIFTWATCH" profile derive --bogus k8s/multi.yaml > /dev/null 2>&1
is "$?" 2 "an unknown option is a usage error"
"$DRIFTWATCH" profile frobnicate > /dev/null 2>&1
is "$?" 2 "an unknown subcommand is a usage error"
"$DRIFTWATCH" profile derive --help | grep -q -- "-o FILE"
ok "$?" "--help shows -o"
done_testing
