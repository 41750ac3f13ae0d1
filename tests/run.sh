#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The whole test suite, as the README and CI run it: installs what is
# needed (Debian 12, as root), builds with AddressSanitizer and UBSan in
# build/asan, runs `make check`, and ends with one line
# "N passed, N failed, N skipped" counted over every TAP assertion.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -eq 0 ] && [ "${DRIFTWATCH_NO_INSTALL:-}" != 1 ]; then
	sh contrib/install-deps.sh
fi
[ -x configure ] || autoreconf -fi
mkdir -p build/asan
cd build/asan
[ -f Makefile ] || "$top/configure" -q --enable-asan
make -j"$(nproc)" >/dev/null
status=0
make -j"$(nproc)" check >check.out 2>&1 || status=$?
grep -E '^(PASS|FAIL|XPASS|ERROR|SKIP):' check.out | grep -v '^PASS' || true
find tests -name '*.trs' -exec cat {} + | awk '
	/^:test-result: (PASS|XFAIL)/ { p++ }
	/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
	/^:test-result: SKIP/ { s++ }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
if [ "$status" -ne 0 ]; then
	echo "make check failed; see build/asan/test-suite.log" >&2
	cat test-suite.log >&2 || true
fi
exit "$status"
