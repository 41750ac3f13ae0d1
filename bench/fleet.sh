#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/fleet.sh: 8 nodes shipping into one PostgreSQL, run by bench/run.sh
# (make bench) as root.  See bench/README, "Fleet".
#
# A private PostgreSQL 15 (tests/lab/pg.sh) gets the fleet schema and one
# login per node (fleet node add: row-level security on, as in use).  One
# log of FLEET_EVENTS (FLEET_RATE x FLEET_SECONDS, at least 100000) events is every node's input, the
# node names keeping their rows apart.  Then:
#   throughput  each node's database holds the log (ingested first, not
#               timed); the FLEET_NODES (8) nodes run "fleet push" at once
#               with fleet_events = all: events/s into the central store,
#               all nodes together, and per node;
#   steady lag  fresh databases; each node is a "driftwatch plugin" fed the
#               log at FLEET_RATE (5000) events/s for FLEET_SECONDS (30),
#               shipping on its thread (fleet_interval 1 s); every second
#               each node's status --json gives fleet_lag_ms: p50, p99 and
#               the largest over all samples, and how long the backlog
#               takes to drain once input stops.  Goal: the central store
#               keeps up with 8 nodes at 5k events/s with a lag under 5 s.
# Figures, not a test: the script exits 0 whatever they are.
#
# Environment: DRIFTWATCH, GENLOG, BENCH_DIR (the log is cached there),
# FLEET_NODES, FLEET_EVENTS, FLEET_RATE, FLEET_SECONDS.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODES=${FLEET_NODES:-8}
RATE=${FLEET_RATE:-5000}
SECS=${FLEET_SECONDS:-30}
EVENTS=${FLEET_EVENTS:-$((RATE * SECS > 100000 ? RATE * SECS : 100000))}
DATA=${BENCH_DIR:-$top/bench/data}
GENLOG=${GENLOG:-$top/../shared/perf/genlog.py}
DRIFTWATCH=${DRIFTWATCH:-$top/src/driftwatch}
T_LAG=5000	# ms

say() { printf '%s\n' "$*"; }

say ""
say "fleet: $NODES nodes into one PostgreSQL (bench/fleet.sh)"
[[ -r $GENLOG ]] || { say "  skipped: no genlog.py at $GENLOG"; exit 0; }
[[ -x $DRIFTWATCH ]] || { say "  skipped: no driftwatch at $DRIFTWATCH"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-fleet.XXXXXX") || exit 1
chmod 0755 "$tmp"
pids=()
. "$top/tests/lab/pg.sh"
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	lab_pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! lab_pg_start "$tmp" 2>"$tmp/pg.err"; then
	say "  skipped: $(sed 's/^SKIP: //' "$tmp/pg.err" | head -1)"
	exit 0
fi
"$DRIFTWATCH" --db "$LAB_PG_URL" fleet init >/dev/null || exit 0

mkdir -p "$DATA"
log=$DATA/fleet-$EVENTS.log
if [[ ! -s $log ]]; then
	python3 "$GENLOG" -n "$EVENTS" --seed 42 -o "$log.tmp" && mv "$log.tmp" "$log" ||
	    { say "  skipped: genlog.py failed"; exit 0; }
fi

# node I's configuration (its login over the socket); extra lines follow
conf() {
	local i=$1
	shift
	"$DRIFTWATCH" --db "$LAB_PG_URL" fleet node add "n$i" \
	    --password-file "$tmp/n$i.pass" >/dev/null 2>&1
	{
		echo "node_name = n$i"
		echo "fleet_url = postgresql:///driftwatch?host=$LAB_PG_HOST&port=$LAB_PG_PORT&user=dw_node_n$i"
		echo "fleet_events = all"
		echo "fleet_batch = 5000"
		echo "fleet_interval = 1"
		printf '%s\n' "$@"
	} > "$tmp/n$i.conf"
}
central() { lab_pg_psql driftwatch -tAc "$1"; }
now() { printf '%s' "${EPOCHREALTIME/./}"; }	# microseconds

# --- throughput ----------------------------------------------------------
for ((i = 0; i < NODES; i++)); do
	conf "$i"
	"$DRIFTWATCH" --db "$tmp/n$i.db" ingest "$log" >/dev/null 2>&1
done
local_n=$(sqlite3 "$tmp/n0.db" 'SELECT count(*) FROM events')
t0=$(now)
for ((i = 0; i < NODES; i++)); do
	"$DRIFTWATCH" --config "$tmp/n$i.conf" --db "$tmp/n$i.db" fleet push \
	    >"$tmp/push$i.out" 2>&1 &
	pids+=($!)
done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
pids=()
t1=$(now)
got=$(central 'SELECT count(*) FROM events')
want=$((local_n * NODES))
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
say "  throughput: $NODES nodes x $local_n events pushed at once (fleet_events = all, batches of 5000)"
say "    central store: $got of $want events in $secs s: $(awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') events/s in all, $(awk -v n="$got" -v s="$secs" -v k="$NODES" 'BEGIN { printf "%.0f", n / s / k }') per node$( ((fail)) && echo "; a push FAILED: $(cat "$tmp"/push*.out | grep -v shipped | head -1)")"
say "    on disk: $(central "SELECT pg_size_pretty(pg_database_size('driftwatch'))") for $got events with their paths"

# --- steady lag at RATE events/s per node ---------------------------------
central 'TRUNCATE events, paths, anomalies, anomaly_events, containers, node_images, observations, node_counters' >/dev/null
lines=$(wc -l < "$log")
for ((i = 0; i < NODES; i++)); do
	rm -f "$tmp/n$i.db"*
	python3 - "$log" "$RATE" "$SECS" "$EVENTS" "$lines" <<'PY' |
import sys, time
path, rate, secs, events, lines = sys.argv[1], float(sys.argv[2]), \
    float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
per_line = events / lines
data = open(path, 'rb').read().split(b'\n')
step = 0.1
chunk = max(1, int(rate * step / per_line))
out = sys.stdout.buffer
t0 = time.monotonic()
i = k = 0
while time.monotonic() - t0 < secs and i < len(data):
    out.write(b'\n'.join(data[i:i + chunk]) + b'\n')
    out.flush()
    i += chunk
    k += 1
    d = t0 + k * step - time.monotonic()
    if d > 0:
        time.sleep(d)
PY
	"$DRIFTWATCH" --config "$tmp/n$i.conf" --db "$tmp/n$i.db" plugin \
	    >"$tmp/plugin$i.log" 2>&1 &
	pids+=($!)
done
: > "$tmp/lag"
python3 - "$DRIFTWATCH" "$tmp" "$NODES" "$SECS" > "$tmp/lag" <<'PY'
import json, subprocess, sys, time
dw, tmp, nodes, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    time.sleep(1)
    for i in range(nodes):
        r = subprocess.run([dw, '--config', '%s/n%d.conf' % (tmp, i), '--db',
            '%s/n%d.db' % (tmp, i), 'status', '--json'], capture_output=True)
        try:
            d = json.loads(r.stdout)
            print(d['fleet_lag_ms'], d['fleet_backlog'], flush=True)
        except (ValueError, KeyError):
            pass
PY
t0=$(now)
for p in "${pids[@]}"; do wait "$p"; done
pids=()
t1=$(now)
stored=0
for ((i = 0; i < NODES; i++)); do
	stored=$((stored + $(sqlite3 "$tmp/n$i.db" 'SELECT count(*) FROM events')))
done
got=$(central 'SELECT count(*) FROM events')
read -r p50 p99 max n < <(awk '{ print $1 }' "$tmp/lag" | sort -n | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "- - - 0"; exit }
    printf "%d %d %d %d\n", v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1], v[NR], NR }')
say "  steady lag: $NODES plugins at $RATE events/s each for $SECS s (fleet_interval 1 s)"
say "    stored $stored events on the nodes ($(awk -v n="$stored" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }') events/s in all); central store $got after drain"
say "    fleet_lag_ms over $n samples: p50 $p50, p99 $p99, max $max; the last shipment at exit took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s"
if [[ $max != - ]] && ((max < T_LAG)) && ((got == stored)); then
	say "    PASS: lag under $((T_LAG / 1000)) s, every event central"
else
	say "    MISS: goal lag under $((T_LAG / 1000)) s with every event central"
fi
say "  central API p99 at 10M events: n/a (serve on the fleet store is not built yet)"
