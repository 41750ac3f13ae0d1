#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash and restart: SIGKILL at random points, 50 times, of
#   - ingest (20 rounds) of a long log made of shifted copies of
#     tests/data/sample.log (learning, then drift and the attack detected),
#     restarted on the same database each round; a round whose ingest ends
#     before its kill is compared with an uninterrupted run and the next
#     one starts a new database;
#   - baseline learning (15 rounds): ingest while an image learns, with
#     "baseline lock" or "relearn" run beside it, and "baseline import" of
#     a large profile killed itself;
#   - serve (15 rounds) while a client acks, unacks, locks and relearns
#     and another reads.
# After each kill: PRAGMA integrity_check is ok; nothing committed is lost
# (events, counters equal to the stored rows, anomalies with their counts
# and evidence, profile entries, learning start, window and lock); no
# anomaly is stored twice (crashloop.py says what that means); every
# change serve answered 200 is stored; an import is all or nothing; a
# lock holds and a relearn learns from later events only.  At the end a
# complete ingest gives the events, anomalies and profiles of the
# uninterrupted run, as it does after a stop at two points that were
# bugs.  Each round's kill point is printed as a comment, and the tally
# at the end; CRASHLOOP_SEED=N repeats a run's delays.
. "$TOP_SRCDIR/tests/lib.sh"

command -v sqlite3 > /dev/null || skip_all "no sqlite3 shell"
command -v python3 > /dev/null || skip_all "no python3"
PY="python3 $TOP_SRCDIR/tests/crashloop.py"
STATE=$TOP_SRCDIR/tests/data/sample-state
SEED=${CRASHLOOP_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $SEED"
PIDS=
trap 'for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done; rm -rf "$TMP"' \
    EXIT
chmod 0755 "$TMP"

# rand ROUND LO HI: a delay in seconds from the seed and the round
rand() {
	awk -v s="$SEED" -v r="$1" -v lo="$2" -v hi="$3" \
	    'BEGIN { srand(s * 100 + r); printf "%.2f", lo + rand() * (hi - lo) }'
}

# none PROBLEMS DESC: an assertion that PROBLEMS is empty, listing them
none() {
	if [ -z "$1" ]; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '%s\n' "$1" | sed 's/^/#   /'
	fi
}

# 10 copies of the sample, 20 s and 10000 serials apart; the images learn
# for 90 s from their first event (10:28:36, in the first copy, until the
# fifth), and the first five copies leave out the attack (10:28:46-48),
# so that it comes after learning.
LOG=$TMP/long.log
awk -v k=10 -v L=5 -v a0=1795861726 -v a1=1795861728 '
{ line[n++] = $0 }
END {
	for (c = 0; c < k; c++)
		for (i = 0; i < n; i++) {
			l = line[i]
			if (l ~ /^type=DAEMON_/ ||
			    !match(l, /audit\([0-9]+\.[0-9]+:[0-9]+\)/))
				continue
			split(substr(l, RSTART + 6, RLENGTH - 7), p, /[.:]/)
			if (c < L && p[1] + 0 >= a0 && p[1] + 0 < a1)
				continue
			printf "%saudit(%d.%s:%d)%s\n", substr(l, 1, RSTART - 1),
			    p[1] + c * 20, p[2], p[3] + c * 10000,
			    substr(l, RSTART + RLENGTH)
		}
}' "$TOP_SRCDIR/tests/data/sample.log" > "$LOG"
mkdir -p "$TMP/web"
cat > "$TMP/conf" << EOF
batch_events = 250
learn_window = 90
api_token_file = $TMP/token
web_root = $TMP/web
EOF
# (not for commands run with &: $! must be driftwatch's pid)
dw() { "$DRIFTWATCH" --config "$TMP/conf" "$@"; }

start=$(date +%s.%N)
dw --db "$TMP/ref.db" ingest --runtime-root "$STATE" "$LOG" > /dev/null \
    2> "$TMP/ref.err"
is $? 0 "the uninterrupted reference run"
tref=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
$PY dump "$TMP/ref.db" "$TMP/ref.json"
TOTAL=$(sqlite3 "$TMP/ref.db" 'SELECT count(*) FROM events')
echo "# reference: $(sqlite3 -separator ' ' "$TMP/ref.db" "SELECT
    (SELECT count(*) FROM events), 'events,', (SELECT count(*) FROM
    anomalies), 'anomalies,', (SELECT count(*) FROM profile),
    'profile entries in'") ${tref}s"
echo '{"events": 0, "counters": {}, "anomalies": {}, "images": {},
    "dups": [], "anomaly_state": {}}' > "$TMP/empty.json"
phases=

# kill_round ROUND DB DESC [PHASE]: after an ingest or command was killed
# (its exit status in $rc), checks DB against $TMP/prev.json, the images
# in $changed excepted; $TMP/cur.json becomes the new prev.json.  PHASE
# names where the kill landed, else crashloop.py's phase tells.
kill_round() {
	is "$(sqlite3 "$2" 'PRAGMA integrity_check')" ok \
	    "$3: integrity_check"
	$PY dump "$2" "$TMP/cur.json"
	ph=$($PY phase "$TMP/prev.json" "$TMP/cur.json" "$TOTAL" "$rc")
	[ "$1" = end ] || phases="$phases ${4:-${ph%% *}}"
	echo "# $3: $ph"
	# shellcheck disable=SC2086
	none "$($PY check "$TMP/prev.json" "$TMP/cur.json" $changed)" \
	    "$3: nothing committed lost, counters match, no anomaly twice, learning kept"
	cp "$TMP/cur.json" "$TMP/prev.json"
}

# Stopped at two chosen points and restarted (one case per bug found):
# before the exec session's second evidence (the restart then overwrote
# the anomaly's serials), and between a container's write and chmod of
# /tmp/.x and its execution (the restart missed the drop-exec, and knew
# no parent program for the process, a false new-process).
for s in 69802 121319; do
	n=$(awk -v s=":$s)" 'index($0, s) { print NR - 1; exit }' "$LOG")
	head -n "$n" "$LOG" > "$TMP/head.log"
	dw --db "$TMP/cut$s.db" ingest --runtime-root "$STATE" \
	    "$TMP/head.log" > /dev/null 2>&1
	dw --db "$TMP/cut$s.db" ingest --runtime-root "$STATE" "$LOG" \
	    > /dev/null 2>&1
	$PY dump "$TMP/cut$s.db" "$TMP/cut.json"
	none "$($PY same "$TMP/ref.json" "$TMP/cut.json")" \
	    "stopped before serial $s, restarted: as if uninterrupted"
done

# --- ingest, 20 rounds ----------------------------------------------------
t0=$(date +%s)
gen=1
DB=$TMP/i$gen.db
cp "$TMP/empty.json" "$TMP/prev.json"
changed=
for r in $(seq 1 "${CRASHLOOP_INGEST:-20}"); do
	# past what is committed (re-read faster), then anywhere in the rest;
	# tref: how long the uninterrupted run took
	done_=0
	[ ! -f "$DB" ] || done_=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
	d=$(echo "$tref $done_ $TOTAL $(rand "$r" 0.05 0.75)" |
	    awk '{ printf "%.2f", $1 * (0.5 * $2 / $3 + $4) }')
	"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" ingest \
	    --runtime-root "$STATE" "$LOG" > /dev/null 2>> "$TMP/ingest.err" &
	pid=$!
	PIDS="$PIDS $pid"
	sleep "$d"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	rc=$?
	kill_round "$r" "$DB" "ingest $r (gen $gen, kill at ${d}s)"
	if [ "$rc" != 137 ]; then
		is "$rc" 0 "ingest $r: the ingest ended well"
		none "$($PY same "$TMP/ref.json" "$TMP/cur.json")" \
		    "ingest $r: the database is the uninterrupted run's"
		gen=$((gen + 1))
		DB=$TMP/i$gen.db
		cp "$TMP/empty.json" "$TMP/prev.json"
	fi
done
dw --db "$DB" ingest --runtime-root "$STATE" "$LOG" > /dev/null 2>&1
rc=$?
kill_round end "$DB" "ingest: the last database completed"
none "$($PY same "$TMP/ref.json" "$TMP/cur.json")" \
    "ingest: it is the uninterrupted run's (events, anomalies, profiles)"

echo "# ingest rounds: $(($(date +%s) - t0)) s"

# --- baseline learning, 15 rounds ----------------------------------------
t0=$(date +%s)
awk -v n=20000 'BEGIN { print "driftwatch-profile: 1\nimage:\n  name: NAME" \
    "\nstate: learning\nfiles:"; for (i = 0; i < n; i++)
    printf "  - op: write\n    path: /data/f%d\n    count: %d\n", i, i + 1 }' \
    > "$TMP/big.yaml"
DB=$TMP/b.db
cp "$TMP/empty.json" "$TMP/prev.json"
WEB=localhost/web:1
WORKER=localhost/worker:1
key() { sqlite3 "$DB" "SELECT key FROM images WHERE name = '$1'" 2> /dev/null; }
r=0
for cmd in learn "lock $WEB" import "relearn $WEB" learn "relearn $WORKER" \
    import "lock --all" "relearn $WEB" learn import "lock $WORKER" \
    "relearn $WORKER" import "relearn $WEB"; do
	r=$((r + 1))
	[ "$r" -le "${CRASHLOOP_BASELINE:-15}" ] || break
	changed=
	if [ "$cmd" = import ]; then
		sed "s|NAME|crashloop/big:$r|" "$TMP/big.yaml" > "$TMP/b$r.yaml"
		d=$(rand "$((r + 100))" 0.05 0.7)
		"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" baseline \
		    import "$TMP/b$r.yaml" > /dev/null 2>> "$TMP/import.err" &
		pid=$!
		PIDS="$PIDS $pid"
		sleep "$d"
		kill -KILL "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
		rc=$?
		n=$(sqlite3 "$DB" "SELECT count(*) FROM profile p JOIN images i
		    ON i.id = p.image WHERE i.key = 'name:crashloop/big:$r'")
		kill_round "$r" "$DB" "baseline $r (import killed at ${d}s)" \
		    "import-$([ "$rc" = 137 ] && echo killed || echo finished)"
		echo "# baseline $r: $n of 20000 entries imported (exit $rc)"
		case $rc.$n in
		0.20000|137.0|137.20000) ok 0 "baseline $r: import, all or nothing" ;;
		*) ok 1 "baseline $r: import, all or nothing ($n entries, exit $rc)" ;;
		esac
		continue
	fi
	done_=0
	[ ! -f "$DB" ] || done_=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
	d1=$(echo "$tref $done_ $TOTAL $(rand "$((r + 200))" 0.03 0.25)" |
	    awk '{ printf "%.2f", $1 * (0.5 * $2 / $3 + $4) }')
	d2=$(rand "$((r + 300))" 0.05 0.4)
	"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" ingest \
	    --runtime-root "$STATE" "$LOG" > /dev/null 2>> "$TMP/ingest.err" &
	pid=$!
	PIDS="$PIDS $pid"
	sleep "$d1"
	what=${cmd#* }
	case $what in
	--all) target="$WEB $WORKER" ;;
	learn) target= ;;
	*) target=$what ;;
	esac
	# a new database: wait for the images to be committed
	i=0
	for t in $target; do
		while [ -z "$(key "$t")" ] && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.05
		done
	done
	# the ingest is killed d2 after the command starts, whether the
	# command is done or waits for the database; the next round checks
	# that a restart keeps what it did
	if [ -n "$target" ]; then
		before=$(sqlite3 "$DB" 'SELECT coalesce(max(time_ms), 0)
		    FROM events')
		# shellcheck disable=SC2086
		dw --db "$DB" baseline $cmd > /dev/null 2> "$TMP/cmd.err" &
		cpid=$!
	fi
	sleep "$d2"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	rc=$?
	if [ -n "$target" ]; then
		wait "$cpid"
		is $? 0 "baseline $r: '$cmd' beside the ingest"
		sed 's/^/#   /' "$TMP/cmd.err"
		for t in $target; do
			changed="$changed $(key "$t")"
		done
	fi
	kill_round "$r" "$DB" "baseline $r ($what at ${d1}s, kill ${d2}s later)"
	case $cmd in
	lock*)
		[ -z "$target" ] || is "$(sqlite3 "$DB" "SELECT DISTINCT
		    state FROM images WHERE name IN
		    ('$(echo "$target" | sed "s/ /', '/g")')")" active \
		    "baseline $r: locked" ;;
	relearn*)
		[ -z "$target" ] || none "$($PY relearn "$TMP/cur.json" \
		    "$(key "$target")" "$before")" \
		    "baseline $r: $target learns again from later events only" ;;
	esac
	if [ "$rc" != 137 ]; then
		# the log is all in: go on learning in a new database
		DB=$TMP/b$r.db
		cp "$TMP/empty.json" "$TMP/prev.json"
	fi
done
changed=
dw --db "$DB" ingest --runtime-root "$STATE" "$LOG" > /dev/null 2>&1
rc=$?
kill_round end "$DB" "baseline: the last database completed"

echo "# baseline rounds: $(($(date +%s) - t0)) s"

# --- serve, 15 rounds -----------------------------------------------------
t0=$(date +%s)
DB=$TMP/s.db
sqlite3 "$TMP/ref.db" ".backup '$DB'"
$PY dump "$DB" "$TMP/prev.json"
acked=0
for r in $(seq 1 "${CRASHLOOP_SERVE:-15}"); do
	port=$(free_port)
	"$DRIFTWATCH" --config "$TMP/conf" --db "$DB" serve \
	    --listen "127.0.0.1:$port" > /dev/null 2>> "$TMP/serve.err" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	until python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)' \
	    "http://127.0.0.1:$port/api/v1/health" 2> /dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$pid" 2> /dev/null; then
			break
		fi
		sleep 0.1
	done
	ok "$([ $i -le 100 ] && kill -0 "$pid" 2> /dev/null; echo $?)" \
	    "serve $r: restarted on the killed database, answering"
	: > "$TMP/acks.log"
	$PY client "http://127.0.0.1:$port" "$(cat "$TMP/token")" \
	    "$TMP/acks.log" "$SEED$r" rw &
	c1=$!
	$PY client "http://127.0.0.1:$port" "$(cat "$TMP/token")" \
	    "$TMP/acks.log" "$SEED$r" ro &
	c2=$!
	PIDS="$PIDS $c1 $c2"
	d=$(rand "$((r + 400))" 0.3 1.2)
	sleep "$d"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	rc=$?
	wait "$c1" "$c2"
	n=$(grep -c '^ok' "$TMP/acks.log")
	acked=$((acked + n))
	changed=$(sqlite3 "$DB" 'SELECT key FROM images')
	is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok \
	    "serve $r: integrity_check"
	none "$($PY acks "$DB" "$TMP/acks.log" "$TMP/prev.json")" \
	    "serve $r: the $n changes answered 200 are stored, no error answered"
	$PY dump "$DB" "$TMP/cur.json"
	# shellcheck disable=SC2086
	none "$($PY check "$TMP/prev.json" "$TMP/cur.json" $changed)" \
	    "serve $r: nothing committed lost"
	echo "# serve $r: killed at ${d}s (exit $rc) after $n changes answered 200"
	phases="$phases serve"
	cp "$TMP/cur.json" "$TMP/prev.json"
done

echo "# serve rounds: $(($(date +%s) - t0)) s"
none "$(grep -h -e AddressSanitizer -e 'runtime error' "$TMP"/*.err)" \
    "no sanitizer report from the runs that ended"
echo "# kills landed:$(echo "$phases" | tr ' ' '\n' | sed '/^$/d' | sort |
    uniq -c | awk '{ printf " %s %s,", $1, $2 }' | sed 's/,$//');" \
    "serve: $acked changes answered 200; seed $SEED"
done_testing
