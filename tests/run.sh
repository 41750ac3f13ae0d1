#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The whole test suite, as the README and CI run it: installs what is
# needed (Debian 12, as root), then
#   1. builds with AddressSanitizer and UBSan in build/asan, runs make check
#      (leak detection on);
#   2. builds without sanitizers in build/memcheck, runs make memcheck (the
#      command-line interface under valgrind);
#   3. builds the libFuzzer targets with clang in build/fuzz, runs
#      make fuzz-smoke (each target's regression cases, then a short run).
# Ends with one line "N passed, N failed, N skipped" counted over every TAP
# assertion of the three.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -eq 0 ] && [ "${DRIFTWATCH_NO_INSTALL:-}" != 1 ]; then
	sh contrib/install-deps.sh
fi
[ -x configure ] || autoreconf -fi
jobs=$(nproc)
status=0
rm -f build/memcheck/memcheck.tap build/fuzz/fuzz-smoke.tap \
    build/fuzz-smoke.tap

# build DIR CONFIGURE-ARGS...: configures (once) and builds in build/DIR
build() {
	dir=$1
	shift
	mkdir -p "$top/build/$dir"
	cd "$top/build/$dir"
	[ -f Makefile ] || "$top/configure" -q "$@"
	make -j"$jobs" >/dev/null
}

build asan --enable-asan
make -j"$jobs" check >check.out 2>&1 || status=1
grep -E '^(PASS|FAIL|XPASS|ERROR|SKIP):' check.out | grep -v '^PASS' || true
if [ "$status" -ne 0 ]; then
	echo "make check failed; see build/asan/test-suite.log" >&2
	cat test-suite.log >&2 || true
fi

build memcheck
make memcheck >memcheck.tap 2>memcheck.err || {
	echo "make memcheck failed; see build/memcheck/memcheck.tap" >&2
	grep -v '^ok' memcheck.tap >&2 || true
	status=1
}

if command -v clang >/dev/null 2>&1; then
	build fuzz CC=clang --enable-fuzzing
	make fuzz-smoke FUZZ_TAP="$top/build/fuzz/fuzz-smoke.tap" \
	    >fuzz-smoke.out 2>&1 || {
		echo "make fuzz-smoke failed; see build/fuzz/fuzz-smoke.out" >&2
		grep -E '^(FAIL|KNOWN)' fuzz-smoke.out >&2 || true
		status=1
	}
else
	echo "fuzz-smoke skipped: no clang (contrib/install-deps.sh installs it)"
	printf 'ok 1 # SKIP no clang\n1..1\n' >"$top/build/fuzz-smoke.tap"
fi

cd "$top/build"
{
	find asan/tests -name '*.trs' -exec cat {} +
	for f in memcheck/memcheck.tap fuzz/fuzz-smoke.tap fuzz-smoke.tap; do
		[ -f "$f" ] && sed -n \
		    -e 's/^ok .*# SKIP.*/:test-result: SKIP/p' \
		    -e 's/^ok .*/:test-result: PASS/p' \
		    -e 's/^not ok .*# TODO.*/:test-result: XFAIL/p' \
		    -e 's/^not ok .*/:test-result: FAIL/p' "$f"
	done
} | awk '
	/^:test-result: (PASS|XFAIL)/ { p++ }
	/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
	/^:test-result: SKIP/ { s++ }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
