#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/run.sh: the driftwatch ingest benchmark, run by `make bench`.
#
# Generates (once, cached) synthetic audit logs with shared/perf/genlog.py and
# measures throughput (events/s) and peak RSS of three readers on each:
#   auwalk      tests/auwalk.c, a plain libauparse walk: the floor to beat;
#   laurel      laurel 0.5.1 unpacked from its Debian package (never installed),
#               fed the --eoe plugin stream of the same events, two configs;
#   driftwatch  `driftwatch --db TMPDB ingest FILE`.
# Every rate uses the event count auwalk reports for the RAW file, so all
# tools share one denominator.  It then prints the ratios against the targets
# and an RSS check over log sizes.  See bench/README.
#
# Environment: DRIFTWATCH, AUWALK (binaries), BENCH_EVENTS (default 1000000),
# BENCH_DIR (cache, default bench/data), BENCH_SEED (42), BENCH_REPEAT (1,
# median taken), BENCH_RSS_MAX (extra RSS point, e.g. 10000000), GENLOG,
# LAUREL (a laurel binary to use instead of the package), BENCH_STRICT=1
# (exit 1 when a target is missed), BENCH_API=0 (no bench/api.sh),
# BENCH_SOAK=0 (no false-positive soak,
# bench/soak.sh, which as root runs last), SOAK_SECONDS (its length, 180).

# `make bench` runs this with $(SHELL), /bin/sh: go on in bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

set -uo pipefail
export LC_ALL=C		# EPOCHREALTIME and awk: a decimal point, not a comma

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${BENCH_EVENTS:-1000000}
SEED=${BENCH_SEED:-42}
REPEAT=${BENCH_REPEAT:-1}
RSS_MAX=${BENCH_RSS_MAX:-}
RSS_MIN=100000
DATA=${BENCH_DIR:-$top/bench/data}
GENLOG=${GENLOG:-$top/../shared/perf/genlog.py}
LAUREL_CONFIGS=${LAUREL_CONFIGS:-$top/../shared/perf/laurel-configs}
DRIFTWATCH=${DRIFTWATCH:-$top/src/driftwatch}
AUWALK=${AUWALK:-$top/tests/auwalk}

# The realistic mix of genlog.py without its ANOM_ABEND weight.
MIX_CLEAN=execve=22,openat=42,connect=20,unlinkat=4,login=1,user=3.5
MIX_ABEND=$MIX_CLEAN,abend=0.1

# Targets (see the issue): ingest vs raw walk and laurel on a clean log,
# abend log throughput vs clean, RSS growth between the smallest and largest log.
T_AUWALK=1.0
T_LAUREL=5.0
T_ABEND=0.8
T_RSS=1.25

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for v in N SEED REPEAT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ -z $RSS_MAX || $RSS_MAX =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_RSS_MAX must be a positive integer"

if [[ ! -r $GENLOG ]]; then
	say "bench: genlog.py not found at $GENLOG (set GENLOG=...); skipping"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	say "bench: python3 not found, genlog.py cannot run; skipping"
	exit 0
fi
[[ -x /usr/bin/time ]] ||
	die "/usr/bin/time missing: apt-get install time (contrib/install-deps.sh)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$DATA" || die "cannot create $DATA"

# --- tools -------------------------------------------------------------------

if [[ ! -x $AUWALK ]]; then
	# Not built by make (running the script by hand): build a private copy.
	AUWALK=$tmp/auwalk
	# shellcheck disable=SC2046
	cc -O2 -o "$AUWALK" "$top/tests/auwalk.c" \
	    $(pkg-config --cflags --libs auparse) 2>"$tmp/cc.err" ||
		{ cat "$tmp/cc.err" >&2; die "cannot build auwalk"; }
fi

have_dw=1
if [[ ! -x $DRIFTWATCH ]]; then
	say "driftwatch: not found at $DRIFTWATCH (build it or set DRIFTWATCH); its rows are skipped"
	have_dw=0
fi

# laurel: a given binary, or the Debian package unpacked into the cache.
laurel=${LAUREL:-}
if [[ -z $laurel ]]; then
	ldir=$DATA/laurel
	laurel=$ldir/root/usr/sbin/laurel
	if [[ ! -x $laurel ]]; then
		rm -rf "$ldir" && mkdir -p "$ldir/deb"
		# -o APT::Sandbox::User=root: _apt may not write into this directory.
		(cd "$ldir/deb" && apt-get download -q \
		    -o APT::Sandbox::User=root laurel) >"$tmp/apt.log" 2>&1
		for deb in "$ldir"/deb/laurel_*.deb; do
			dpkg-deb -x "$deb" "$ldir/root" >>"$tmp/apt.log" 2>&1
		done
		if [[ ! -x $laurel ]]; then
			sed 's/^/  /' "$tmp/apt.log" | tail -n 3
			laurel=
		fi
	fi
fi
if [[ -n $laurel && ! -x $laurel ]]; then
	laurel=
fi
if [[ -n $laurel ]] && ! "$laurel" --version >/dev/null 2>&1; then
	laurel=
fi
laurel_confs=()
if [[ -n $laurel ]]; then
	for c in "$LAUREL_CONFIGS"/laurel-*.toml; do
		[[ -r $c ]] || continue
		laurel_confs+=("$(basename "$c" .toml)")
	done
	if ((${#laurel_confs[@]} == 0)); then
		say "laurel: no configuration in $LAUREL_CONFIGS"
		laurel=
	fi
fi
[[ -n $laurel ]] || say "laurel: unavailable"

# --- logs --------------------------------------------------------------------

genlog_sum=$(sha256sum "$GENLOG" | cut -d' ' -f1)

# logfile KIND COUNT [eoe]: prints the path of the cached log, generating it
# when absent or made with other parameters (or another genlog.py).
logfile() {
	local kind=$1 n=$2 eoe=${3:-} args f
	case $kind in
	clean)		args=(--mix "$MIX_CLEAN" --malformed 0) ;;
	realistic)	args=() ;;
	abend)		args=(--mix "$MIX_ABEND") ;;
	*)		die "unknown log kind $kind" ;;
	esac
	[[ -n $eoe ]] && args+=(--eoe)
	args=(-n "$n" --seed "$SEED" "${args[@]}")
	f=$DATA/$kind-$n-s$SEED${eoe:+.eoe}.log
	if [[ -f $f && -f $f.args &&
	    $(cat "$f.args") == "$genlog_sum ${args[*]}" ]]; then
		printf '%s\n' "$f"
		return 0
	fi
	printf 'generating %s\n' "$(basename "$f")" >&2
	rm -f "$f" "$f.args"
	python3 "$GENLOG" "${args[@]}" -o "$f.tmp" 2>&1 | sed 's/^/  /' >&2
	[[ ${PIPESTATUS[0]} -eq 0 ]] || { rm -f "$f.tmp"; die "genlog.py failed"; }
	mv "$f.tmp" "$f"
	printf '%s\n' "$genlog_sum ${args[*]}" >"$f.args"
	printf '%s\n' "$f"
}

# --- measuring ---------------------------------------------------------------

# measure STDIN CMD...: runs CMD REPEAT times under /usr/bin/time; sets
# M_WALL (median wall seconds), M_RSS (largest peak RSS, KiB), M_RC (last
# non-zero exit status or 0).  CMD's stdout is left in $tmp/out.
measure() {
	local in=$1 i t0 t1 e m walls=()
	shift
	M_RC=0
	M_RSS=0
	for ((i = 0; i < REPEAT; i++)); do
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" <"$in" \
		    >"$tmp/out" 2>"$tmp/err" || M_RC=$?
		t1=$EPOCHREALTIME
		# time(1) prepends "Command exited with ..." on failure.
		read -r e m < <(tail -n 1 "$tmp/time")
		# EPOCHREALTIME is finer than %e's 10 ms.
		[[ -n $t0 ]] && e=$(awk -v a="$t0" -v b="$t1" \
		    'BEGIN { printf "%.3f", b - a }')
		walls+=("$e")
		((m > M_RSS)) && M_RSS=$m
	done
	M_WALL=$(printf '%s\n' "${walls[@]}" | sort -g |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	return 0
}

declare -A EV WALL RATE RSS FAILED

printf -v hdr '%-10s %9s  %-22s %8s %10s %8s' log events tool "wall s" \
    "events/s" "RSS MiB"
row() {	# row LOG TOOL
	local k="$1:$2" ev=""
	[[ $2 == auwalk ]] && ev=${EV[$1]}
	if [[ -n ${FAILED[$k]:-} ]]; then
		printf '%-10s %9s  %-22s %s\n' "$1" "$ev" "$2" "${FAILED[$k]}"
	else
		printf '%-10s %9s  %-22s %8s %10s %8s\n' "$1" "$ev" "$2" \
		    "${WALL[$k]}" "${RATE[$k]}" \
		    "$(awk -v k="${RSS[$k]}" 'BEGIN { printf "%.1f", k / 1024 }')"
	fi
}

# record LOG TOOL: files the last measure() under LOG:TOOL.
record() {
	local k="$1:$2"
	if ((M_RC != 0)); then
		FAILED[$k]="FAILED (exit $M_RC): $(tail -n 1 "$tmp/err")"
		return 1
	fi
	WALL[$k]=$M_WALL
	RSS[$k]=$M_RSS
	RATE[$k]=$(awk -v n="${EV[$1]}" -v s="$M_WALL" \
	    'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
}

run_auwalk() {	# run_auwalk LOG FILE
	measure /dev/null "$AUWALK" "$2"
	if ((M_RC == 0)) && read -r _ ev _ _ <"$tmp/out" && [[ $ev =~ ^[0-9]+$ ]]; then
		EV[$1]=$ev
		record "$1" auwalk
	else
		die "auwalk failed on $2: $(tail -n 1 "$tmp/err")"
	fi
}

run_driftwatch() {	# run_driftwatch LOG TOOL FILE [INGEST OPTION...]
	local log=$1 tool=$2 file=$3
	shift 3
	rm -rf "$tmp/db" && mkdir "$tmp/db"
	measure /dev/null "$DRIFTWATCH" --db "$tmp/db/bench.db" ingest "$@" "$file"
	rm -rf "$tmp/db"
	# Exit 3: ingest finished, with malformed input counted (the realistic logs).
	((M_RC == 3)) && M_RC=0
	record "$log" "$tool"
}

run_laurel() {	# run_laurel LOG CONF EOE-FILE
	local conf=$tmp/$2.toml
	rm -rf "$tmp/laurel-out" && mkdir "$tmp/laurel-out"
	sed "s|^directory = .*|directory = \"$tmp/laurel-out\"|" \
	    "$LAUREL_CONFIGS/$2.toml" >"$conf"
	measure "$3" "$laurel" -c "$conf"
	rm -rf "$tmp/laurel-out"
	record "$1" "${2/laurel-/laurel }"
}

# ratio A B: A / B to two decimals, or "-" when either is missing.
ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-";
		else printf "%.2f", a / b }'
}

missed=0
verdict() {	# verdict VALUE OP TARGET: prints PASS / MISS / n/a
	local r
	r=$(awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v == "-") { print "n/a"; exit }
		ok = (op == ">=") ? v >= t : v <= t
		print ok ? "PASS" : "MISS" }')
	[[ $r == MISS ]] && missed=1
	printf '%s' "$r"
}

# --- the runs ----------------------------------------------------------------

say "driftwatch bench: $N events, seed $SEED, repeat $REPEAT, data in $DATA"
say "  auwalk:     $AUWALK"
((have_dw)) && say "  driftwatch: $DRIFTWATCH"
[[ -n $laurel ]] && say "  laurel:     $laurel ($("$laurel" --version 2>&1 | head -n 1))"

tools=(auwalk)
for c in "${laurel_confs[@]}"; do tools+=("${c/laurel-/laurel }"); done
((have_dw)) && tools+=(driftwatch)

for log in clean realistic abend; do
	f=$(logfile "$log" "$N") || exit 1
	run_auwalk "$log" "$f"
	if [[ -n $laurel ]]; then
		fe=$(logfile "$log" "$N" eoe) || exit 1
		for c in "${laurel_confs[@]}"; do
			run_laurel "$log" "$c" "$fe"
		done
	fi
	((have_dw)) && run_driftwatch "$log" driftwatch "$f"
done

say ""
say "$hdr"
for log in clean realistic abend; do
	for t in "${tools[@]}"; do row "$log" "$t"; done
done

# laurel's fastest configuration is the peer: the stricter comparison.
best_laurel() {	# best_laurel LOG: prints the highest laurel rate
	local c b="" r
	for c in "${laurel_confs[@]}"; do
		r=${RATE[$1:${c/laurel-/laurel }]:-}
		[[ -n $r ]] && { [[ -z $b ]] || ((r > b)); } && b=$r
	done
	printf '%s' "$b"
}

say ""
say "ratios (driftwatch events/s over peer; laurel = its fastest config)"
for log in clean realistic abend; do
	dw=${RATE[$log:driftwatch]:-}
	a=$(ratio "$dw" "${RATE[$log:auwalk]:-}")
	l=$(ratio "$dw" "$(best_laurel "$log")")
	case $log in
	clean)
		printf '%-10s driftwatch/auwalk %5s (target >= %s) %s\n' "$log" \
		    "$a" "$T_AUWALK" "$(verdict "$a" '>=' "$T_AUWALK")"
		printf '%-10s driftwatch/laurel %5s (target >= %s) %s\n' "$log" \
		    "$l" "$T_LAUREL" "$(verdict "$l" '>=' "$T_LAUREL")"
		;;
	*)
		printf '%-10s driftwatch/auwalk %5s\n' "$log" "$a"
		printf '%-10s driftwatch/laurel %5s\n' "$log" "$l"
		;;
	esac
done
ab=$(ratio "${RATE[abend:driftwatch]:-}" "${RATE[clean:driftwatch]:-}")
printf '%-10s driftwatch abend/clean %s (target >= %s) %s\n' abend "$ab" \
    "$T_ABEND" "$(verdict "$ab" '>=' "$T_ABEND")"

# --- RSS over log sizes (realistic mix) ----------------------------------------

mib() {	# mib KEY: peak RSS of KEY in MiB, or "-"
	if [[ -n ${RSS[$1]:-} ]]; then
		awk -v k="${RSS[$1]}" 'BEGIN { printf "%.1f", k / 1024 }'
	else
		printf -- -
	fi
}

mapfile -t points < <(printf '%s\n' "$RSS_MIN" "$N" ${RSS_MAX:+"$RSS_MAX"} |
    sort -n -u)
say ""
say "peak RSS by log size (realistic log)"
printf '%10s %14s %14s\n' events "auwalk MiB" "driftwatch MiB"
for p in "${points[@]}"; do
	lg=rss$p
	if ((p == N)); then
		for t in auwalk driftwatch; do
			[[ -n ${RSS[realistic:$t]:-} ]] &&
				RSS[$lg:$t]=${RSS[realistic:$t]}
		done
	else
		f=$(logfile realistic "$p") || exit 1
		run_auwalk "$lg" "$f"
		((have_dw)) && run_driftwatch "$lg" driftwatch "$f"
	fi
	printf '%10s %14s %14s\n' "$p" "$(mib "$lg:auwalk")" "$(mib "$lg:driftwatch")"
done
lo=${points[0]}
hi=${points[${#points[@]} - 1]}
g=$(ratio "${RSS[rss$hi:driftwatch]:-}" "${RSS[rss$lo:driftwatch]:-}")
printf 'driftwatch RSS %s/%s events %s (target <= %s) %s\n' "$hi" "$lo" "$g" \
    "$T_RSS" "$(verdict "$g" '<=' "$T_RSS")"

# --- hook: the cost of attribution, once driftwatch can switch it off ---------

# Read the help whole: grep -q closing the pipe early would fail it under pipefail.
dw_help=
((have_dw)) && dw_help=$("$DRIFTWATCH" ingest --help 2>&1)
if [[ $dw_help == *--no-attribution* ]]; then
	say ""
	say "attribution cost (driftwatch ingest vs ingest --no-attribution)"
	for log in clean realistic; do
		run_driftwatch "$log" "driftwatch noattr" "$(logfile "$log" "$N")" \
		    --no-attribution
		row "$log" driftwatch
		row "$log" "driftwatch noattr"
		say "  attribution keeps $(ratio "${RATE[$log:driftwatch]:-}" \
		    "${RATE[$log:driftwatch noattr]:-}")x of the throughput"
	done
fi
if [[ $dw_help == *--no-detection* ]]; then
	say ""
	say "detection cost (driftwatch ingest vs ingest --no-detection;"
	say "target: learning and detection cost at most 20 % of ingest)"
	for log in clean realistic; do
		run_driftwatch "$log" "driftwatch nodetect" \
		    "$(logfile "$log" "$N")" --no-detection
		row "$log" driftwatch
		row "$log" "driftwatch nodetect"
		say "  with detection: $(ratio "${RATE[$log:driftwatch]:-}" \
		    "${RATE[$log:driftwatch nodetect]:-}")x the throughput" \
		    "without (target >= 0.80)"
	done
fi

if ((have_dw)) && [[ -n ${EV[clean]:-} ]]; then
	# CPU per thread, futex calls, pages written, allocations (costs.sh)
	bash "$top/bench/costs.sh" "$DRIFTWATCH" "$(logfile clean "$N")" \
	    "${EV[clean]}"
fi

if ((have_dw)); then
	# the share of events placed in the right container, against the
	# pid -> container map genlog writes (~50 containers, 100k events)
	say ""
	say "attribution accuracy (genlog --map, 100000 events, replay alone)"
	acc=$DATA/accuracy-100000-s$SEED
	if [[ ! -f $acc.log || ! -f $acc.map ]]; then
		python3 "$GENLOG" -n 100000 --seed "$SEED" -o "$acc.log" \
		    --map "$acc.map" > /dev/null 2>&1
	fi
	rm -rf "$tmp/db" && mkdir "$tmp/db"
	"$DRIFTWATCH" --db "$tmp/db/acc.db" ingest "$acc.log" > /dev/null 2>&1
	python3 - "$tmp/db/acc.db" "$acc.map" <<'EOP' | while read -r l; do say "  $l"; done
import sqlite3, sys
truth = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    truth[int(f[0])] = f[1]
db = sqlite3.connect(sys.argv[1])
# the runtime's work for a container (actor 'runtime') is not its behaviour
rows = db.execute("SELECT pid, CASE WHEN actor = 'runtime' THEN NULL ELSE"
                  " container END FROM event_view WHERE pid IS NOT NULL").fetchall()
ctr = [(p, c) for p, c in rows if p in truth]
host = [(p, c) for p, c in rows if p not in truth]
right = sum(1 for p, c in ctr if c == truth[p])
wrong = sum(1 for p, c in ctr if c is not None and c != truth[p])
fp = sum(1 for p, c in host if c is not None)
print("container events: %d, attributed right: %d (%.1f %%), to a wrong container: %d"
      % (len(ctr), right, 100.0 * right / max(1, len(ctr)), wrong))
print("host events: %d, put in a container: %d" % (len(host), fp))
EOP
	rm -rf "$tmp/db"
fi

if ((have_dw)) && [[ ${BENCH_API:-1} != 0 ]]; then
	# the API at 1M and 10M events with an ingest running, and ingest's
	# peak RSS from 100k to 10M events, streamed (bench/api.sh)
	DRIFTWATCH=$DRIFTWATCH GENLOG=$GENLOG BENCH_DIR=$DATA BENCH_EVENTS=$N \
	    bash "$top/bench/api.sh"
fi

# --- fleet: 8 nodes shipping into one PostgreSQL (bench/fleet.sh) -----------

if ((have_dw)) && [[ ${BENCH_FLEET:-1} != 0 ]]; then
	if [[ $(id -u) == 0 ]]; then
		DRIFTWATCH=$DRIFTWATCH GENLOG=$GENLOG BENCH_DIR=$DATA \
		    bash "$top/bench/fleet.sh"
	else
		say ""
		say "fleet: skipped: needs root for its PostgreSQL (BENCH_FLEET=0 to leave it out)"
	fi
fi

# --- the false-positive soak (bench/soak.sh): the e2e tests, long --------------

if ((have_dw)) && [[ ${BENCH_SOAK:-1} != 0 ]]; then
	say ""
	if [[ $(id -u) == 0 ]]; then
		# the runtimes' tests, SOAK_SECONDS (180) of normal life each,
		# one after the other: about 3 x (SOAK_SECONDS + 1 min)
		TOP_SRCDIR=$top DRIFTWATCH=$DRIFTWATCH bash "$top/bench/soak.sh"
	else
		say "false-positive soak: skipped: needs root (BENCH_SOAK=0 to leave it out)"
	fi
fi

if [[ ${BENCH_STRICT:-0} == 1 ]] && ((missed)); then
	say "bench: a target was missed"
	exit 1
fi
exit 0
