#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/soak.sh: the false-positive soak, run by bench/run.sh (its last
# section) or alone.
#
# Runs the end-to-end detection tests, one per runtime, with a long normal
# life between learning and the attack (DW_E2E_SOAK seconds: probes, exec
# sessions, restarts and re-created containers go on), and prints what each
# one reports on its "# soak:" line: the seconds of normal life after the
# images' profiles were locked, the anomalies first seen during it (goal 0:
# each is a false alarm, listed below the table) and the attacks found.
#   podman      tests/e2e-detect.sh
#   containerd  tests/e2e-containerd.sh
#   docker      tests/e2e-docker.sh, when it exists and knows DW_E2E_SOAK
# A test that skips (no runtime, not root, ...) prints "skipped: REASON".
# The figures are printed whatever they are: the exit status is 0 unless
# the script itself cannot run.  Needs root (auditd); each test takes the
# kernel audit lock of tests/lab/auditd.sh, so they run one after the other
# and wait for any other test holding it.
#
# Environment: SOAK_SECONDS (180), DRIFTWATCH (default src/driftwatch),
# TOP_SRCDIR (default the source tree this script belongs to), SOAK_KEEP=DIR
# (each test's TAP output kept as DIR/RUNTIME.tap).

# run.sh runs this with bash; a /bin/sh caller goes on in bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOAK=${SOAK_SECONDS:-180}
export TOP_SRCDIR=${TOP_SRCDIR:-$top}
export DRIFTWATCH=${DRIFTWATCH:-$top/src/driftwatch}
KEEP=${SOAK_KEEP:-}

say() { printf '%s\n' "$*"; }

if ! [[ $SOAK =~ ^[0-9]+$ ]] || ((10#$SOAK == 0)); then
	say "soak: SOAK_SECONDS must be a positive number of seconds (got '$SOAK')"
	exit 1
fi
SOAK=$((10#$SOAK))
if [[ $(id -u) != 0 ]]; then
	say "soak: skipped: needs root (a private auditd)"
	exit 0
fi
if [[ ! -x $DRIFTWATCH ]]; then
	say "soak: skipped: driftwatch not found at $DRIFTWATCH"
	exit 0
fi
# DRIFTWATCH and the tests' paths: absolute, the tests run from elsewhere
DRIFTWATCH=$(cd "$(dirname "$DRIFTWATCH")" && pwd)/$(basename "$DRIFTWATCH")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-soak.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
[[ -n $KEEP ]] && mkdir -p "$KEEP"

runtimes=(podman containerd docker)
declare -A SCRIPT=([podman]=tests/e2e-detect.sh
    [containerd]=tests/e2e-containerd.sh [docker]=tests/e2e-docker.sh)
declare -A RES WALL

say "false-positive soak: $SOAK s of normal life after learning, per runtime"
say "  driftwatch: $DRIFTWATCH"
for rt in "${runtimes[@]}"; do
	t=$TOP_SRCDIR/${SCRIPT[$rt]}
	if [[ ! -r $t ]]; then
		RES[$rt]="skipped: ${SCRIPT[$rt]} not found"
		continue
	fi
	if ! grep -q DW_E2E_SOAK "$t"; then
		RES[$rt]="skipped: ${SCRIPT[$rt]} does not support DW_E2E_SOAK"
		continue
	fi
	say "  $rt: ${SCRIPT[$rt]} (started $(date +%T))"
	out=$tmp/$rt.tap
	t0=$EPOCHREALTIME
	(cd "$TOP_SRCDIR" && DW_E2E_SOAK=$SOAK bash "$t") >"$out" 2>"$tmp/$rt.err"
	rc=$?
	WALL[$rt]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%.0f", b - a }')
	if [[ -n $KEEP ]]; then
		cp "$out" "$KEEP/$rt.tap"
		cp "$tmp/$rt.err" "$KEEP/$rt.err"
	fi
	fails=$(grep -c '^not ok' "$out")
	line=$(grep -m 1 '^# soak: ' "$out")
	skip=$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)
	if [[ -n $skip ]]; then
		RES[$rt]="skipped: $skip"
	elif [[ -z $line ]]; then
		RES[$rt]="no result (exit $rc): $(grep -v '^$' "$out" "$tmp/$rt.err" |
		    tail -n 1 | cut -d: -f2- | cut -c1-100)"
	else
		RES[$rt]="$line|$fails|$rc"
		grep '^# soak anomaly: ' "$out" >"$tmp/$rt.fp"
	fi
done

# field LINE KEY: the value of KEY=... on a "# soak:" line
field() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

say ""
printf '%-11s %9s %10s %12s %14s %7s\n' runtime "normal s" "anomalies" \
    "attack" "test checks" "wall s"
printf '%-11s %9s %10s %12s %14s %7s\n' "" "" "(goal 0)" "recall" "" ""
fp_total=0
for rt in "${runtimes[@]}"; do
	r=${RES[$rt]:-}
	if [[ $r != "# soak: "* ]]; then
		printf '%-11s %s\n' "$rt" "$r"
		continue
	fi
	IFS='|' read -r line fails rc <<<"$r"
	found=$(field "$line" attacks_found)
	recall=$(awk -v f="$found" 'BEGIN { split(f, a, "/");
		if (a[2] + 0 > 0) printf "%s %3.0f%%", f, 100 * a[1] / a[2];
		else print f }')
	if ((fails == 0 && rc == 0)); then checks=pass; else checks="$fails not ok"; fi
	an=$(field "$line" anomalies_after_learning)
	[[ $an =~ ^[0-9]+$ ]] && fp_total=$((fp_total + an))
	printf '%-11s %9s %10s %12s %14s %7s\n' "$rt" \
	    "$(field "$line" normal_seconds)" "$an" "$recall" "$checks" \
	    "${WALL[$rt]}"
done
for rt in "${runtimes[@]}"; do
	[[ -s $tmp/$rt.fp ]] || continue
	say ""
	say "$rt: anomalies during the normal life (false alarms):"
	sed 's/^# soak anomaly: /  /' "$tmp/$rt.fp"
done
((fp_total == 0)) || say "soak: $fp_total false alarm(s) after learning (goal 0)"
exit 0
