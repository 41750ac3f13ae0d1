#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile YAML and Dockerfiles (tests/hostile-yaml.py) for profile import
# and profile derive: "billion laughs" aliases in a profile, a compose file
# and a Kubernetes manifest, an alias multiplying a list by itself, an
# alias inside its own anchor, flow collections nested 100000 deep, a file
# over the 16 MiB limit: each refused with FILE:LINE: and the reason, in
# bounded time and memory, nothing imported.  Anchors used as people do
# still work; 20000 services or containers are derived in time linear in
# their number; a Dockerfile with a 1 MiB RUN line, 20000 ports or 20000
# variables is read or refused as quickly.
. "$TOP_SRCDIR/tests/lib.sh"

[ -x /usr/bin/time ] || skip_all "/usr/bin/time not installed"
GEN=$TOP_SRCDIR/tests/hostile-yaml.py
BUDGET=400000		# KiB, under ASan

# run NAME CMD...: runs CMD with a time limit, leaving rc, kib, secs and
# its output and messages in $TMP/NAME.out and $TMP/NAME.err
run() {
	n=$1
	shift
	/usr/bin/time -f '%M %e' -o "$TMP/$n.time" timeout 60 "$@" \
	    > "$TMP/$n.out" 2> "$TMP/$n.err"
	rc=$(sed -n 's/^Command exited with non-zero status //p' \
	    "$TMP/$n.time")
	rc=${rc:-0}
	kib=$(tail -n 1 "$TMP/$n.time" | cut -d' ' -f1)
	secs=$(tail -n 1 "$TMP/$n.time" | cut -d' ' -f2)
	echo "# $n: exit $rc, $secs s, $kib KiB"
}

# refused NAME REASON: exit 1, FILE:LINE: REASON, quickly, little memory
refused() {
	is "$rc" 1 "$1: exit 1"
	ok "$(grep -q "$1\.[A-Za-z]*:[0-9][0-9:]*: $2" "$TMP/$1.err"
	    echo $?)" \
	    "$1: says '$2' with file:line"
	ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; echo $?)" \
	    "$1: in $secs s"
	ok "$([ "$kib" -lt "$BUDGET" ]; echo $?)" "$1: in $kib KiB"
}

cd "$TMP" || exit 1
python3 "$GEN" laughs-profile laughs.yaml
run laughs "$DRIFTWATCH" --db p.db profile import laughs.yaml
refused laughs "aliases expand the document by more than 100000 nodes"
"$DRIFTWATCH" --db p.db baseline list --json > list.json 2> /dev/null
is "$(grep -c . list.json)" 0 "laughs: nothing imported"

for k in compose k8s; do
	python3 "$GEN" laughs-$k "l$k.yaml"
	run "l$k" "$DRIFTWATCH" profile derive "l$k.yaml"
	refused "l$k" "aliases expand the document by more than 100000 nodes"
	is "$(cat "l$k.out")" "" "l$k: no profile written"
done

# 300 containers of 300 variables: 90000 entries from 600 written
python3 "$GEN" square-k8s square.yaml 300
run square "$DRIFTWATCH" profile derive square.yaml
refused square "aliases expand the document by more than 100000 nodes"

python3 "$GEN" cycle cycle.yaml
run cycle "$DRIFTWATCH" profile derive cycle.yaml
refused cycle "an alias inside its own anchor"

python3 "$GEN" anchors anchors.yaml
run anchors "$DRIFTWATCH" profile derive anchors.yaml
is "$rc" 0 "anchors as people use them: exit 0"
is "$(grep -c '^driftwatch-profile:' anchors.out)" 3 \
    "anchors: a profile per service"
is "$(grep -c 'NET_BIND_SERVICE' anchors.out)" 3 \
    "anchors: the aliased capability in each"

python3 "$GEN" deep-seq deepseq.yaml 100000
run deepseq "$DRIFTWATCH" profile derive deepseq.yaml
refused deepseq "nested deeper than 512 levels"
python3 "$GEN" deep-map deepmap.yaml 100000
run deepmap "$DRIFTWATCH" --db p.db profile import deepmap.yaml
refused deepmap "nested deeper than 512 levels"

python3 "$GEN" padded padded.yaml 17
run padded "$DRIFTWATCH" profile derive padded.yaml
is "$rc" 1 "17 MiB: exit 1"
ok "$(grep -q 'padded.yaml: unreadable or larger than 16 MiB' padded.err; \
    echo $?)" "17 MiB: says it is larger than 16 MiB"

# huge manifests: ten times the services, not a hundred times the time
for k in compose k8s; do
	python3 "$GEN" $k-huge "h$k.yaml" 2000
	run "h$k" "$DRIFTWATCH" profile derive "h$k.yaml"
	t1=$secs
	python3 "$GEN" $k-huge "h$k.yaml" 20000
	run "h$k" "$DRIFTWATCH" profile derive "h$k.yaml"
	is "$rc" 0 "$k, 20000: exit 0"
	is "$(grep -c '^driftwatch-profile:' "h$k.out")" 20000 \
	    "$k, 20000: a profile each"
	ok "$(awk -v a="$t1" -v b="$secs" \
	    'BEGIN { exit !(b < 30 * (a + 0.05)) }'; echo $?)" \
	    "$k: 10 x the input in $secs s, not 100 x $t1 s"
	ok "$([ "$kib" -lt "$BUDGET" ]; echo $?)" "$k, 20000: in $kib KiB"
done

python3 "$GEN" dockerfile-run run.Dockerfile 100000
run run "$DRIFTWATCH" profile derive run.Dockerfile
is "$rc" 0 "a 1 MiB RUN line: exit 0"
ok "$(grep -q 'exe: /bin/app' run.out; echo $?)" "and its CMD is read"
python3 "$GEN" dockerfile-expose expose.Dockerfile 20000
run expose "$DRIFTWATCH" profile derive expose.Dockerfile
is "$rc" 0 "EXPOSE of 20000 ports: exit 0"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; echo $?)" \
    "EXPOSE of 20000 ports: in $secs s"
python3 "$GEN" dockerfile-env env.Dockerfile 20000
run env "$DRIFTWATCH" profile derive env.Dockerfile
refused env "ENV: more than 4096 variables"
done_testing
