#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The manual keeps up with the program: every command of "driftwatch
# --help" and every option its usage shows is in driftwatch(8), every exit
# status of src/cmd.h too, every option of "driftwatch config help" in
# driftwatch.conf(5), and both pages format without warnings.
. "$TOP_SRCDIR/tests/lib.sh"

MAN8=$TOP_SRCDIR/doc/driftwatch.8.in
MAN5=$TOP_SRCDIR/doc/driftwatch.conf.5.in

"$DRIFTWATCH" --help | awk '/^commands:/ { f = 1; next }
    f && /^  [a-z]/ { print $1 }' > "$TMP/commands"
ok "$([ -s "$TMP/commands" ]; echo $?)" "driftwatch --help lists commands"
missing=
for c in $(cat "$TMP/commands"); do
	grep -q "^\.It Cm $c\( \|$\)" "$MAN8" || missing="$missing $c"
done
is "$missing" "" "driftwatch(8) describes every command"

missing=
"$DRIFTWATCH" --help | head -n 1 > "$TMP/usage"
for c in $(cat "$TMP/commands"); do
	"$DRIFTWATCH" "$c" --help >> "$TMP/usage" 2>&1
done
for o in $(grep -o -- '--[a-z][a-z-]*' "$TMP/usage" | sort -u); do
	# mdoc writes --json as "Fl -json"
	grep -q "Fl ${o#-}\\b" "$MAN8" || missing="$missing $o"
done
is "$missing" "" "and every option its usage lines show"

missing=
for n in $(sed -n 's/^#define CMD_[A-Z_]*[[:space:]]*\([0-9][0-9]*\)$/\1/p' \
    "$TOP_SRCDIR/src/cmd.h"); do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh/p' "$MAN8" | grep -qx "\.It $n" ||
	    missing="$missing $n"
done
is "$missing" "" "and every exit status of src/cmd.h"

"$DRIFTWATCH" config help | sed -n 's/^#\([a-z_]*\) = .*/\1/p' > "$TMP/opts"
ok "$([ -s "$TMP/opts" ]; echo $?)" "config help lists options"
missing=
for o in $(cat "$TMP/opts"); do
	grep -q "^\.It Cm $o No = " "$MAN5" || missing="$missing $o"
done
is "$missing" "" "driftwatch.conf(5) describes every option"
missing=
for o in $(sed -n 's/^\.It Cm \([a-z_]*\) No = .*/\1/p' "$MAN5"); do
	grep -qx "$o" "$TMP/opts" || missing="$missing $o"
done
is "$missing" "" "and no option that does not exist"

if command -v groff > /dev/null; then
	for m in "$MAN8" "$MAN5"; do
		groff -mdoc -Tutf8 -ww -z "$m" > "$TMP/groff" 2>&1
		is "$(cat "$TMP/groff")" "" "$(basename "$m") formats cleanly"
	done
else
	echo "# groff not installed: formatting not checked"
fi
done_testing
