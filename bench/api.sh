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
# at least BENCH_API_MIN_SERVE events, `driftwatch serve` runs on it (with
# only --db: its token beside the database) while another ingest streams
# new events into it, and wrk (-t2 -c8, BENCH_API_SECONDS each) measures
# every route the web interface calls: p50 and p99 in milliseconds.
#
# Environment: DRIFTWATCH, GENLOG, BENCH_DIR, BENCH_EVENTS, BENCH_API_EVENTS
# ("100000 1000000 10000000"), BENCH_API_SECONDS (10), BENCH_API_MIN_SERVE
# (1000000), BENCH_API_REBUILD, BENCH_API_INGEST=0 (no ingest during wrk).

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

serve_bench() {	# serve_bench SIZE DB
	local n=$1 db=$2 port r
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
	token=$(cat "$(dirname "$db")/api.token")
	local cid aid img rule cursor
	cid=$(pick "/api/v1/containers?limit=1" 'd["items"][0]["id"]')
	aid=$(pick "/api/v1/anomalies?limit=1" 'd["items"][0]["id"]')
	rule=$(pick "/api/v1/anomalies?limit=1" 'd["items"][0]["rule"]')
	img=$(pick "/api/v1/images?limit=1" 'd["items"][0]["key"]')
	cursor=$(pick "/api/v1/events?limit=100&container=$cid" 'd["next_cursor"]')
	if [[ ${BENCH_API_INGEST:-1} != 0 ]]; then
		# new events (later times and serials) while wrk runs
		python3 "$GENLOG" -n 100000000 --containers "$CONTAINERS" \
		    --seed 7 --start 1900000000 --serial 900000000 2>/dev/null |
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
	    "/api/v1/anomalies?since=1h" "/api/v1/anomalies/$aid"
	    "/api/v1/containers?limit=1000" "/api/v1/containers/$cid"
	    "/api/v1/events?limit=100" "/api/v1/events?container=$cid&limit=100"
	    "/api/v1/events?container=$cid&limit=100&cursor=$cursor"
	    "/api/v1/events?since=2026-11-28T10:30:00Z&limit=100"
	    "/api/v1/images?limit=1000" "/api/v1/images/$img/profile")
	for r in "${!names[@]}"; do
		route "$n:${names[$r]}" "$base${urls[$r]}"
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
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
ROUTES=()
for s in "${served[@]}"; do
	serve_bench "${s%%:*}" "${s#*:}"
done
say ""
say "route latency, ms (wrk -t2 -c8, ${SECS}s each$([[ ${BENCH_API_INGEST:-1} != 0 ]] && printf ', an ingest running'))"
printf '%-26s' route
for s in "${served[@]}"; do printf ' %17s' "${s%%:*} p50/p99"; done
printf '\n'
worst=0
for r in "${ROUTES[@]}"; do
	printf '%-26s' "$r"
	for s in "${served[@]}"; do
		k=${s%%:*}:$r
		printf ' %17s' "${P50[$k]:--}/${P99[$k]:--}"
		awk -v a="${P99[$k]:-0}" -v w="$worst" 'BEGIN { exit !(a + 0 > w) }' &&
			worst=${P99[$k]}
	done
	printf '\n'
done
printf 'slowest p99 %s ms (target < %s) %s\n' "$worst" "$T_P99" \
    "$(awk -v r="$worst" -v t="$T_P99" 'BEGIN { print (r < t ? "PASS" : "MISS") }')"
exit 0
