# SPDX-License-Identifier: Apache-2.0
# lib.sh: TAP helpers for the shell test suites (sourced).
#   ok COND_STATUS DESC      one assertion from an exit status
#   is GOT WANT DESC         equality, showing both on failure
#   skip_all REASON          skip the whole file (plan 1..0), exit 0
#   done_testing             print the plan; exit status tells failure
#   json_get FILE EXPR       evaluate a python expression on the JSON in FILE
#   free_port                print a free TCP port on 127.0.0.1
#   wait_health URL PID ERR [TENTHS]
#                            wait until URL/api/v1/health answers (serve is
#                            up); when PID dies or TENTHS tenths of a second
#                            (100) pass, show ERR as comments and return 1
# Tests run with DRIFTWATCH, AUWALK and TOP_SRCDIR set by make check.

tap_n=0
tap_failed=0
: "${DRIFTWATCH:?run through make check}"
: "${TOP_SRCDIR:?run through make check}"
SHARED=${DRIFTWATCH_SHARED:-$TOP_SRCDIR/../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {
	tap_n=$((tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $tap_n - $3"
	else
		echo "not ok $tap_n - $3"
		echo "#   got '$1', want '$2'"
		tap_failed=$((tap_failed + 1))
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

json_get() {
	python3 -c 'import json,sys
f = sys.argv[1]
rows = [json.loads(l) for l in open(f) if l.strip()]
d = rows[0] if len(rows) == 1 else rows
print(eval(sys.argv[2]))' "$1" "$2"
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_health() {
	wh_i=0
	until curl -s -o /dev/null "$1/api/v1/health"; do
		wh_i=$((wh_i + 1))
		if [ $wh_i -gt "${4:-100}" ] || ! kill -0 "$2" 2> /dev/null; then
			sed 's/^/# /' "$3"
			return 1
		fi
		sleep 0.1
	done
}

# A scratch directory removed at exit.
TMP=$(mktemp -d /tmp/dw-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
