#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make install DESTDIR=... from the build directory of $DRIFTWATCH, and
# every file where driftwatch(8) FILES says: the program in sbin, the man
# pages, rules, schema and web assets in pkgdatadir, the auditd plugin
# configuration (mode 0640, inactive), driftwatch.conf listing every option
# of "driftwatch config help" at its default, the cron file, the systemd
# unit.  A second install keeps an edited configuration file; uninstall
# removes everything else.
. "$TOP_SRCDIR/tests/lib.sh"

build=$(cd "$(dirname "$DRIFTWATCH")/.." && pwd)
[ -f "$build/Makefile" ] || skip_all "no Makefile next to $DRIFTWATCH"
# a make check's jobserver and flags are not for this make
unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS
MAKE=${MAKE:-make}
D=$TMP/root

dir() {
	printf 'dw-print:\n\t@echo $(%s)\n' "$1" |
	    $MAKE -s -C "$build" -f Makefile -f - dw-print | tail -n 1
}
sbindir=$(dir sbindir)
mandir=$(dir mandir)
pkgdatadir=$(dir pkgdatadir)
sysconfdir=$(dir sysconfdir)
unitdir=$(dir systemdsystemunitdir)
ok "$([ -n "$sbindir" ] && [ -n "$unitdir" ]; echo $?)" \
    "installation directories from the Makefile ($sbindir, $unitdir)"

$MAKE -C "$build" install DESTDIR="$D" > "$TMP/install.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 20 "$TMP/install.log" | sed 's/^/# /'
is $rc 0 "make install DESTDIR=..."

ok "$([ -x "$D$sbindir/driftwatch" ]; echo $?)" "the program in sbin"
is "$("$D$sbindir/driftwatch" --version | cut -d' ' -f1)" driftwatch \
    "and it runs"
ok "$([ -f "$D$mandir/man8/driftwatch.8" ] &&
    [ -f "$D$mandir/man5/driftwatch.conf.5" ]; echo $?)" \
    "driftwatch(8) and driftwatch.conf(5)"

missing=
for f in "$TOP_SRCDIR"/rules/*.rules "$TOP_SRCDIR"/rules/README; do
	cmp -s "$f" "$D$pkgdatadir/rules/$(basename "$f")" ||
	    missing="$missing $f"
done
is "$missing" "" "every rules file in $pkgdatadir/rules"
missing=
for f in "$TOP_SRCDIR"/schema/*.sql; do
	cmp -s "$f" "$D$pkgdatadir/schema/$(basename "$f")" ||
	    missing="$missing $f"
done
is "$missing" "" "every schema file in $pkgdatadir/schema"
missing=
for f in "$TOP_SRCDIR"/profiles/*.yaml; do
	cmp -s "$f" "$D$pkgdatadir/profiles/$(basename "$f")" ||
	    missing="$missing $f"
done
is "$missing" "" "every known-image profile in $pkgdatadir/profiles"
missing=
if [ -d "$TOP_SRCDIR/web" ]; then
	for f in $(cd "$TOP_SRCDIR" && find web -type f); do
		cmp -s "$TOP_SRCDIR/$f" "$D$pkgdatadir/$f" ||
		    missing="$missing $f"
	done
fi
is "$missing" "" "every file of web/ in $pkgdatadir/web (WEB_FILES)"

p=$D$sysconfdir/audit/plugins.d/driftwatch.conf
is "$(stat -c %a "$p" 2> /dev/null)" 640 "the auditd plugin conf, mode 0640"
ok "$(grep -qx 'active = no' "$p" &&
    grep -qx "path = $sbindir/driftwatch" "$p" &&
    grep -qx 'args = plugin' "$p" && grep -qx 'format = string' "$p"
    echo $?)" "inactive, pointing at the installed program"

c=$D$sysconfdir/driftwatch/driftwatch.conf
missing=
"$DRIFTWATCH" config help | grep '^#[a-z_]* = ' > "$TMP/defaults"
while read -r line; do
	grep -qxF -- "$line" "$c" || missing="$missing ${line%% =*}"
done < "$TMP/defaults"
ok "$([ -s "$TMP/defaults" ]; echo $?)" "config help lists options"
is "$missing" "" "driftwatch.conf lists every option at its default"
is "$("$DRIFTWATCH" --config "$c" config check 2>&1)" "configuration OK" \
    "and is a valid configuration"

ok "$(grep -q "$sbindir/driftwatch report --since 24h --format html --output" \
    "$D$sysconfdir/cron.d/driftwatch"; echo $?)" "the daily report's cron file"
ok "$(grep -qx "ExecStart=$sbindir/driftwatch serve" \
    "$D$unitdir/driftwatch.service"; echo $?)" "the systemd unit"
is "$(grep -rl '@[a-z_]*@' "$D" 2> /dev/null | grep -v "$sbindir/")" "" \
    "no @placeholder@ left in an installed file"

echo '# edited' >> "$p"
$MAKE -C "$build" install DESTDIR="$D" > "$TMP/install2.log" 2>&1
is $? 0 "make install again"
ok "$(grep -qx '# edited' "$p"; echo $?)" "an edited configuration is kept"
$MAKE -C "$build" uninstall DESTDIR="$D" > "$TMP/uninstall.log" 2>&1
is $? 0 "make uninstall"
is "$(cd "$D" && find . -type f | sort)" ".$sysconfdir/audit/plugins.d/driftwatch.conf" \
    "only the edited configuration file is left"
done_testing
