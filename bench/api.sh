#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/api.sh: the HTTP API and ingest's memory at scale, run by
# bench/run.sh (make bench) after the ingest benchmark.  See bench/README.
#
# For each size of BENCH_API_EVENTS (default: 100000 and BENCH_EVENTS), a
# database is built by streaming genlog.py through a pipe into
# `driftwatch ingest -` (no log file: 10M events would be 7 GB), under
# /usr/bin/time: ingest's peak RSS and events/s.  The database is kept in
# BENCH_DIR (api-SIZE.db, with its RSS in api-SIZE.time) and built again
# only when missing or with BENCH_API_REBUILD=1.  Then, for the sizes of
# at least BENCH_API_MIN_SERVE events, `driftwatch serve` runs on a copy
# of it (with only --db: its token beside the database; every run starts
# from the same database) while another ingest streams new events into it
# (later times and serials than any stored), and wrk (-t2 -c8,
# BENCH_API_SECONDS each) measures every route the web interface calls:
# p50 and p99 in milliseconds.  Once with the ingest at full speed (as fast
# as genlog.py writes), once with it paced at BENCH_API_INGEST_RATE events
# per second (default 5000, a busy node's rate; 0: no paced run) by a small
# feeder between genlog.py and ingest.
#
# Environment: DRIFTWATCH, GENLOG, BENCH_DIR, BENCH_EVENTS, BENCH_API_EVENTS
# ("100000 1000000 10000000"), BENCH_API_SECONDS (10), BENCH_API_MIN_SERVE
# (1000000), BENCH_API_REBUILD, BENCH_API_INGEST=0 (no ingest during wrk),
# BENCH_API_INGEST_RATE (5000; 0: only the full-speed run).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${BENCH_EVENTS:-1000000}
SIZES=${BENCH_API_EVENTS:-100000 $N}
SECS=${BENCH_API_SECONDS:-10}
MIN_SERVE=${BENCH_API_MIN_SERVE:-1000000}
DATA=${BENCH_DIR:-$top/bench/data}
GENLOG=${GENLOG:-$top/../shared/perf/genlog.py}
DRIFTWATCH=${DRIFTWATCH:-$top/src/driftwatch}
CONTAINERS=25
T_P99=10	# ms, every route
T_RSS=64	# MiB, ingest at every size

say() { printf '%s\n' "$*"; }

[[ -r $GENLOG ]] || { say "api bench: no genlog.py at $GENLOG; skipping"; exit 0; }
[[ -x $DRIFTWATCH ]] || { say "api bench: no driftwatch at $DRIFTWATCH"; exit 0; }
mkdir -p "$DATA" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-api.XXXXXX") || exit 1
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build SIZE: the database of SIZE events, streamed; prints its path.
build() {
	local n=$1 db=$DATA/api-$1.db
	if [[ ! -f $db || -n ${BENCH_API_REBUILD:-} ]]; then
		rm -f "$db" "$db-wal" "$db-shm" "$DATA/api.token"
		say "  building $db: genlog.py -n $n | driftwatch ingest -" >&2
		python3 "$GENLOG" -n "$n" --containers "$CONTAINERS" --seed 42 |
		    /usr/bin/time -f '%e %M' -o "$DATA/api-$n.time" \
		    "$DRIFTWATCH" --db "$db" ingest - >/dev/null 2>"$tmp/err"
		# 3: finished, malformed lines counted (genlog writes a few)
		local rc=${PIPESTATUS[1]}
		if ((rc != 0 && rc != 3)); then
			say "  ingest failed ($rc): $(tail -n 1 "$tmp/err")" >&2
			return 1
		fi
		# 10,000 anomalies over 50 containers, 4 severities and 5
		# rules, so that each filter has rows to find
		python3 - "$db" <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cids = [r[0] for r in db.execute("SELECT cid FROM containers LIMIT 50")]
sev = ["low", "medium", "high", "critical"]
rules = ["new-process", "drop-exec", "account-write", "new-peer", "new-file"]
db.executemany(
    "INSERT OR IGNORE INTO anomalies (fingerprint, rule, severity,"
    " container_id, image, image_key, reason, serials, count, first_ms,"
    " last_ms, state) VALUES (?, ?, ?, ?, 'bench:1', 'name:bench:1',"
    " 'a bench anomaly', '[1]', 1, ?, ?, ?)",
    [("bench|%d" % i, rules[i % 5], sev[i % 4], cids[i % len(cids)],
      1795850000000 + i, 1795850000000 + i, "acked" if i % 3 else "open")
     for i in range(10000)])
# the counters /metrics reads, as store_anomaly_add() keeps them
db.execute("INSERT OR REPLACE INTO counters (name, value)"
    " SELECT 'anomalies/' || severity || '/' || rule, count(*)"
    " FROM anomalies GROUP BY severity, rule")
db.commit()
EOP
	fi
	printf '%s\n' "$db"
}

# ms VALUE: wrk's latency (850.00us, 1.20ms, 2.01s) in milliseconds.
ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n += 0
		else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

declare -A P50 P99

# route NAME URL: wrk on URL; files p50 and p99 under NAME.
route() {
	local name=$1 url=$2 out
	out=$(wrk -t2 -c8 -d"${SECS}s" --latency -H "Authorization: Bearer $token" \
	    "$url" 2>&1)
	if grep -q 'Non-2xx' <<<"$out"; then
		P50[$name]="errors"
		P99[$name]="($(grep 'Non-2xx' <<<"$out" | awk '{print $NF}'))"
		return
	fi
	P50[$name]=$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	P99[$name]=$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
}

# get PATH: the JSON of an API path, or nothing.
get() {
	curl -s -H "Authorization: Bearer $token" "$base$1"
}

# pick PATH PYTHON-EXPRESSION: a value out of an API answer (d).
pick() {
	get "$1" | python3 -c "import json, sys, urllib.parse
d = json.load(sys.stdin)
try:
    print(urllib.parse.quote(str($2), safe=''))
except Exception:
    print('')"
}

# pace RATE: copies stdin to stdout at RATE events (SYSCALL records) a
# second, in chunks of 16 KiB (about 20 events).
pace() {
	python3 -c 'import sys, time
rate = float(sys.argv[1])
inp, out = sys.stdin.buffer, sys.stdout.buffer
t0, n = time.monotonic(), 0
try:
    while True:
        buf = inp.read1(16384)
        if not buf:
            break
        out.write(buf)
        out.flush()
        n += buf.count(b"type=SYSCALL ")
        d = t0 + n / rate - time.monotonic()
        if d > 0:
            time.sleep(d)
except (BrokenPipeError, KeyboardInterrupt):
    pass' "$1" 2>/dev/null
}

# serve_bench SIZE DB MODE: wrk on every route of a copy of DB, with an
# ingest running at MODE: "full" speed, a rate (events/s) or "none".
serve_bench() {
	local n=$1 src=$2 mode=$3 port r db=$tmp/serve/api.db next
	rm -rf "$tmp/serve" && mkdir -p "$tmp/serve" || return 1
	cp "$src" "$db" || return 1
	chown --reference="$src" "$tmp/serve" "$db" 2>/dev/null
	port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	base=http://127.0.0.1:$port
	"$DRIFTWATCH" --db "$db" serve --listen "127.0.0.1:$port" \
	    >/dev/null 2>"$tmp/serve.err" &
	pids+=($!)
	for _ in $(seq 100); do
		curl -s -o /dev/null "$base/api/v1/health" && break
		sleep 0.1
	done
	token=$(cat "$tmp/serve/api.token")
	local cid aid img rule cursor evsince ansince
	cid=$(pick "/api/v1/containers?limit=1" 'd["items"][0]["id"]')
	aid=$(pick "/api/v1/anomalies?limit=1" 'd["items"][0]["id"]')
	rule=$(pick "/api/v1/anomalies?limit=1" 'd["items"][0]["rule"]')
	img=$(pick "/api/v1/images?limit=1" 'd["items"][0]["key"]')
	cursor=$(pick "/api/v1/events?limit=100&container=$cid" 'd["next_cursor"]')
	# times that the stored events and anomalies reach: a full page since
	local iso='__import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(int(d["items"][-1]'
	evsince=$(pick "/api/v1/events?limit=1000" "$iso[\"time\"])))")
	ansince=$(pick "/api/v1/anomalies?limit=1000" "$iso[\"last_seen\"])))")
	if [[ $mode != none ]]; then
		# new events, later in time and serial than any stored
		next=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
t, s = db.execute("SELECT max(time_ms), max(serial) FROM events").fetchone()
print((t or 0) // 1000 + 1, (s or 0) + 1)' "$db")
		python3 "$GENLOG" -n 100000000 --containers "$CONTAINERS" \
		    --seed 7 --start "${next% *}" --serial "${next#* }" \
		    2>/dev/null |
		    if [[ $mode == full ]]; then cat; else pace "$mode"; fi |
		    "$DRIFTWATCH" --db "$db" ingest - >/dev/null 2>&1 &
		pids+=($!)
		sleep 2
	fi
	local -a names urls
	names=(status metrics "metrics (root)" anomalies "anomalies severity"
	    "anomalies container" "anomalies image" "anomalies rule"
	    "anomalies state" "anomalies since" anomaly containers container
	    events "events container" "events container cursor"
	    "events since" images "image profile")
	urls=("/api/v1/status" "/api/v1/metrics" "/metrics"
	    "/api/v1/anomalies?limit=100" "/api/v1/anomalies?severity=high"
	    "/api/v1/anomalies?container=$cid" "/api/v1/anomalies?image=$img"
	    "/api/v1/anomalies?rule=$rule" "/api/v1/anomalies?state=open"
	    "/api/v1/anomalies?since=$ansince" "/api/v1/anomalies/$aid"
	    "/api/v1/containers?limit=1000" "/api/v1/containers/$cid"
	    "/api/v1/events?limit=100" "/api/v1/events?container=$cid&limit=100"
	    "/api/v1/events?container=$cid&limit=100&cursor=$cursor"
	    "/api/v1/events?since=$evsince&limit=100"
	    "/api/v1/images?limit=1000" "/api/v1/images/$img/profile")
	for r in "${!names[@]}"; do
		route "$n:$mode:${names[$r]}" "$base${urls[$r]}"
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
	rm -rf "$tmp/serve"
	ROUTES=("${names[@]}")
}

say ""
say "API and memory at scale (genlog.py streamed into driftwatch ingest -)"
served=()
printf '%10s %12s %12s\n' events "ingest MiB" "events/s"
worst_rss=0
for n in $SIZES; do
	db=$(build "$n") || continue
	read -r wall kb < <(tail -n 1 "$DATA/api-$n.time")
	rss=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
	awk -v r="$rss" -v w="$worst_rss" 'BEGIN { exit !(r > w) }' &&
		worst_rss=$rss
	printf '%10s %12s %12s\n' "$n" "$rss" \
	    "$(awk -v n="$n" -v s="$wall" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')"
	((n >= MIN_SERVE)) && served+=("$n:$db")
done
printf 'ingest peak RSS at most %s MiB (target <= %s) %s\n' "$worst_rss" \
    "$T_RSS" "$(awk -v r="$worst_rss" -v t="$T_RSS" \
    'BEGIN { print (r <= t ? "PASS" : "MISS") }')"
say "(events/s here is genlog.py's pace: the pipe is as fast as it writes)"

command -v wrk >/dev/null || { say "api bench: wrk not installed"; exit 0; }
((${#served[@]})) || exit 0
MODES=(none)
if [[ ${BENCH_API_INGEST:-1} != 0 ]]; then
	MODES=(full)
	RATE=${BENCH_API_INGEST_RATE:-5000}
	[[ $RATE =~ ^[0-9]+$ ]] && ((RATE > 0)) && MODES+=("$RATE")
fi
ROUTES=()
COLS=()
for s in "${served[@]}"; do
	for m in "${MODES[@]}"; do
		serve_bench "${s%%:*}" "${s#*:}" "$m"
		COLS+=("${s%%:*}:$m")
	done
done
say ""
say "route latency, ms (wrk -t2 -c8, ${SECS}s each), with an ingest running: at"
say "full speed (genlog.py's pace), at RATE events/s (/s), or none"
printf '%-26s' route
for c in "${COLS[@]}"; do
	m=${c#*:}
	case $m in
	full) m="full" ;;
	none) m="idle" ;;
	*) m="$m/s" ;;
	esac
	printf ' %19s' "${c%%:*} $m"
done
printf '\n'
declare -A WORST
for r in "${ROUTES[@]}"; do
	printf '%-26s' "$r"
	for c in "${COLS[@]}"; do
		k=$c:$r
		printf ' %19s' "${P50[$k]:--}/${P99[$k]:--}"
		awk -v a="${P99[$k]:-0}" -v w="${WORST[$c]:-0}" \
		    'BEGIN { exit !(a + 0 > w) }' && WORST[$c]=${P99[$k]}
	done
	printf '\n'
done
for c in "${COLS[@]}"; do
	w=${WORST[$c]:-0}
	m=${c#*:}
	[[ $m =~ ^[0-9]+$ ]] && m="$m events/s"
	printf 'slowest p99 at %s events, ingest %s: %s ms (target < %s) %s\n' \
	    "${c%%:*}" "$m" "$w" "$T_P99" "$(awk -v r="$w" -v t="$T_P99" \
	    'BEGIN { print (r < t ? "PASS" : "MISS") }')"
done
exit 0
