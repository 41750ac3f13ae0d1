#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# fuzz/smoke.sh SRCFUZZ BUILDFUZZ RUNS [TAPFILE]: make fuzz-smoke.  For each
# target, replays its regression cases (SRCFUZZ/regress/TARGET-NNN, except
# those listed in regress/KNOWN) and then fuzzes RUNS inputs from its seed
# corpus.  New corpus entries and crash artifacts go to BUILDFUZZ/smoke/,
# never into the source tree.  Exits 1 if any target crashed, unless the
# sanitizer's report names a location regress/KNOWN lists as not yet fixed.
#
# Each target's result is one line on stdout (PASS, KNOWN or FAIL) and,
# with TAPFILE (make fuzz-smoke FUZZ_TAP=FILE), one TAP test point in
# TAPFILE: "ok N - fuzz_stream: 2000 runs, 0 crashes, 1 regression cases",
# a crash "not ok N - ...", a known one "not ok N - ... # TODO known crash"
# (an expected failure), then the plan.
set -u
src=$1
build=$2
runs=$3
tap=${4:-}
failed=0
n=0

# target:max_len; max_len suits each input (a log chunk, a conf file...).
targets="stream:8192 cgroup:1024 runtime:4096 yaml:4096 timearg:64
    config:4096 http:4096"

if test -n "$tap"; then
	: >"$tap" || exit 1
fi

# result STATUS WORDS...: the console line, and the TAP test point.
result() {
	status=$1
	shift
	echo "$status $*"
	n=$((n + 1))
	test -n "$tap" || return 0
	case $status in
	PASS)	echo "ok $n - $*" ;;
	KNOWN)	echo "not ok $n - $* # TODO known crash" ;;
	*)	echo "not ok $n - $*" ;;
	esac >>"$tap"
}

for t in $targets; do
	name=${t%%:*}
	maxlen=${t#*:}
	prog=$build/fuzz_$name
	out=$build/smoke/$name
	rm -rf "$out"
	mkdir -p "$out/corpus" "$out/artifacts"
	cases=
	for f in "$src"/regress/"$name"-[0-9]*; do
		test -f "$f" || continue
		if test -f "$src/regress/KNOWN" &&
		    grep -q "^$(basename "$f") " "$src/regress/KNOWN"; then
			echo "fuzz_$name: skipping known crash $(basename "$f")"
			continue
		fi
		cases="$cases $f"
	done
	if test -n "$cases"; then
		# shellcheck disable=SC2086
		if ! "$prog" -artifact_prefix="$out/artifacts/" $cases \
		    >"$out/regress.log" 2>&1; then
			result FAIL "fuzz_$name: a regression case crashed" \
			    "(see $out/regress.log)"
			failed=1
			continue
		fi
	fi
	ncases=$(echo "$cases" | wc -w)
	if "$prog" -runs="$runs" -max_len="$maxlen" -seed=1 -timeout=10 \
	    -artifact_prefix="$out/artifacts/" "$out/corpus" \
	    "$src/corpus/$name" >"$out/fuzz.log" 2>&1; then
		execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out/fuzz.log")
		result PASS "fuzz_$name: ${execs:-?} runs, 0 crashes," \
		    "$ncases regression cases"
	else
		execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$out/fuzz.log" | tail -1)
		where=$(sed -n 's/^SUMMARY: [A-Za-z]*Sanitizer: [^ ]* //p' \
		    "$out/fuzz.log" | sed 's/ in *$//' | head -1)
		known=
		if test -f "$src/regress/KNOWN"; then
			while read -r kname kloc; do
				case $kname in "#"*|"") continue ;; esac
				case "$where" in
				*"$kloc"*) known=$kname ;;
				esac
			done <"$src/regress/KNOWN"
		fi
		if test -n "$known"; then
			result KNOWN "fuzz_$name: crashed after ~${execs:-?}" \
			    "runs at a known, unfixed bug ($known: $where)"
		else
			result FAIL "fuzz_$name: crashed after ~${execs:-?} runs" \
			    "(see $out/fuzz.log, input in $out/artifacts/)"
			failed=1
		fi
	fi
done
if test -n "$tap"; then
	echo "1..$n" >>"$tap"
fi
exit $failed
