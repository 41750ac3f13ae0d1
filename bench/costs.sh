#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/costs.sh: where one `driftwatch ingest` of a log spends its work,
# called by bench/run.sh (alone: bash bench/costs.sh DRIFTWATCH LOG EVENTS).
#
# Four separate runs on fresh databases, each instrumented one way so that
# no instrument disturbs another's figure:
#   CPU per thread    perf record (cpu-clock samples) split by thread
#                     (tid:name; the parser's thread is dw-parser),
#                     scaled to the user + system seconds /usr/bin/time gives;
#   futex calls       perf stat on the syscalls:sys_enter_futex tracepoint,
#                     per 1,000 events (the hand-offs between threads);
#   pages written     strace (seccomp-filtered, pwrite64 only, -y for the
#                     file names): bytes written to the WAL and, by
#                     checkpoints, to the database file, in 4 KiB pages
#                     per event;
#   allocations       bench/allocount.c preloaded: malloc, calloc,
#                     realloc(NULL) and the aligned ones, per event.
# A figure whose tool is missing (or, for perf and strace, without root)
# prints "n/a".  EVENTS is the denominator (bench/run.sh: auwalk's count).

set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dw=$1 log=$2 events=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-costs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

ingest() {	# ingest WRAPPER...: one ingest of the log on a fresh database
	rm -f "$tmp"/costs.db*
	"$@" "$dw" --db "$tmp/costs.db" ingest "$log" >/dev/null 2>"$tmp/err"
	local rc=$?
	((rc == 0 || rc == 3))
}

per() {	# per N [DIVISOR]: N / DIVISOR / events, three decimals
	awk -v n="$1" -v d="${2:-1}" -v e="$events" \
	    'BEGIN { printf "%.3f", (e > 0 ? n / d / e : 0) }'
}

say() { printf '%s\n' "$*"; }

say ""
say "costs of one ingest of $(basename "$log") ($events events)"

# CPU per thread
if command -v perf >/dev/null && [[ -x /usr/bin/time ]] &&
    ingest perf record -q -F 997 -e cpu-clock -o "$tmp/perf.data" -- \
    /usr/bin/time -f '%U %S %e' -o "$tmp/time"; then
	# the last line: GNU time puts "Command exited with non-zero status 3"
	# (malformed input counted) before it
	read -r u s e < <(tail -n 1 "$tmp/time")
	say "  CPU: user $u s, system $s s over $e s wall; per thread:"
	perf report -i "$tmp/perf.data" --stdio --sort pid -g none 2>/dev/null |
	    awk -v cpu="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" '
		/^ *[0-9.]+%/ && $2 !~ /:(time|perf)$/ {
			sub("%", "", $1)
			printf "    %-16s %5.1f %% of samples, %6.2f s\n", $2, $1,
			    cpu * $1 / 100
		}'
else
	say "  CPU per thread: n/a (needs perf and /usr/bin/time)"
fi

# futex calls
if command -v perf >/dev/null &&
    ingest perf stat -x, -e syscalls:sys_enter_futex -o "$tmp/stat"; then
	n=$(awk -F, '/sys_enter_futex/ { print $1 }' "$tmp/stat")
	if [[ $n =~ ^[0-9]+$ ]]; then
		say "  futex calls: $n, $(per "$n" 0.001) per 1000 events"
	else
		say "  futex calls: n/a (no syscall tracepoints: needs root)"
	fi
else
	say "  futex calls: n/a (needs perf)"
fi

# pages written
if command -v strace >/dev/null &&
    ingest strace -f --seccomp-bpf -y -qq -e trace=pwrite64 -o "$tmp/strace"; then
	awk '
		/pwrite64\(/ && match($0, /= [0-9]+$/) {
			n = substr($0, RSTART + 2)
			if ($0 ~ /-wal>/) wal += n
			else if ($0 ~ /\.db>/) db += n
		}
		END { print wal + 0, db + 0 }' "$tmp/strace" > "$tmp/pages"
	read -r wal db < "$tmp/pages"
	say "  pages written per event (4 KiB): WAL $(per "$wal" 4096)," \
	    "checkpoints into the database $(per "$db" 4096)"
else
	say "  pages written: n/a (needs strace)"
fi

# allocations
if cc -O2 -shared -fPIC -o "$tmp/allocount.so" "$top/bench/allocount.c" \
    2>"$tmp/cc.err" && ingest env LD_PRELOAD="$tmp/allocount.so" \
    ALLOCOUNT_OUT="$tmp/allocs"; then
	# the last line is driftwatch's (a wrapper, env, exits by exec)
	read -r _ a _ r _ < <(tail -n 1 "$tmp/allocs")
	say "  allocations per event: $(per "$a") (and $(per "$r") reallocs)"
else
	say "  allocations: n/a (cannot build bench/allocount.c)"
fi
exit 0
