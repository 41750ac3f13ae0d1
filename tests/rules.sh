#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch rules print|install|check without touching the kernel: the
# embedded files against rules/, install into a scratch directory, check
# against tests/data/auditctl-l.txt ("auditctl -l" of auditctl 3.0.9 on
# kernel 6.18 after loading "rules print"), and install/check driving a
# fake auditctl placed first in PATH.
. "$TOP_SRCDIR/tests/lib.sh"

LIST=$TOP_SRCDIR/tests/data/auditctl-l.txt
N=$(cat "$TOP_SRCDIR"/rules/*.rules | grep -c -e '^-a' -e '^-w')

"$DRIFTWATCH" rules print > "$TMP/print.rules"
is $? 0 "rules print"
n=0
for f in "$TOP_SRCDIR"/rules/*.rules; do
	grep -qx "## driftwatch: $(basename "$f")" "$TMP/print.rules" || break
	n=$((n + 1))
done
is "$n" "$(ls "$TOP_SRCDIR"/rules/*.rules | wc -l)" \
    "print names every rules file in a comment"
is "$(grep -v '^## driftwatch: ' "$TMP/print.rules" | grep -v '^$' | cksum)" \
    "$(cat "$TOP_SRCDIR"/rules/*.rules | grep -v '^$' | cksum)" \
    "print is the files, concatenated in order"

"$DRIFTWATCH" rules install --dir "$TMP/rules.d" --no-load > /dev/null
is $? 0 "rules install --no-load into a new directory"
bad=0
for f in "$TOP_SRCDIR"/rules/*.rules; do
	cmp -s "$f" "$TMP/rules.d/$(basename "$f")" || bad=1
	[ "$(stat -c %a "$TMP/rules.d/$(basename "$f")")" = 640 ] || bad=1
done
is $bad 0 "each file as in rules/, mode 0640"
"$DRIFTWATCH" rules install --dir "$TMP/rules.d" --no-load > /dev/null
is $? 0 "installing again replaces them"
"$DRIFTWATCH" rules install --dir "$TMP/none/rules.d" --no-load \
    > /dev/null 2> "$TMP/err"
is $? 1 "a directory whose parent is missing: exit 1"

"$DRIFTWATCH" rules check --from "$LIST" > "$TMP/c.txt"
is $? 0 "check against a full kernel list: exit 0"
is "$(tail -n 1 "$TMP/c.txt")" \
    "$N of $N rules loaded, 0 missing; 0 other rules in the kernel" \
    "all loaded"
"$DRIFTWATCH" rules check --from - < "$LIST" > /dev/null
is $? 0 "--from - reads standard input"

# auditctl prints "-a always,exit -F arch=b64 -S execve,execveat
# -F key=driftwatch-exec" for the first of the 30- file's rules
grep -v 'arch=b64 -S execve,execveat -F key=driftwatch-exec' "$LIST" \
    > "$TMP/l1.txt"
echo '-a always,exit -F arch=b64 -S kill -F key=someone-else' >> "$TMP/l1.txt"
"$DRIFTWATCH" rules check --from "$TMP/l1.txt" > "$TMP/c1.txt"
is $? 1 "one rule missing: exit 1"
is "$(grep -c '^MISSING' "$TMP/c1.txt")" 1 "one MISSING line"
ok "$(grep -q '^MISSING   30-driftwatch-process.rules:8  -a always,exit -F arch=b64 -S execve,execveat -k driftwatch-exec$' "$TMP/c1.txt"; echo $?)" \
    "naming the rule, its file and line"
is "$(tail -n 1 "$TMP/c1.txt")" \
    "$((N - 1)) of $N rules loaded, 1 missing; 1 other rules in the kernel" \
    "and counting someone else's rule"
"$DRIFTWATCH" rules check --json --from "$TMP/l1.txt" > "$TMP/c1.json"
is $? 1 "--json: exit 1 too"
is "$(json_get "$TMP/c1.json" '(d["all_present"], d["missing"], d["loaded"], d["other_rules"])')" \
    "(False, 1, $((N - 1)), 1)" "--json totals"
is "$(json_get "$TMP/c1.json" '[(r["file"], r["line"], r["key"]) for r in d["rules"] if not r["loaded"]]')" \
    "[('30-driftwatch-process.rules', 8, 'driftwatch-exec')]" \
    "--json names the missing rule"

# the kernel list in another order: first-match order is reported
{ tail -n 1 "$LIST"; sed '$d' "$LIST"; } > "$TMP/l2.txt"
"$DRIFTWATCH" rules check --json --from "$TMP/l2.txt" > "$TMP/c2.json"
is "$(json_get "$TMP/c2.json" '(d["missing"], d["in_order"])')" \
    "(0, False)" "all present but out of order"

"$DRIFTWATCH" rules > /dev/null 2>&1
is $? 2 "rules without a subcommand: usage, exit 2"
"$DRIFTWATCH" rules check --bogus > /dev/null 2>&1
is $? 2 "an unknown option: exit 2"
"$DRIFTWATCH" rules check --from "$TMP/nonexistent" > /dev/null 2>&1
is $? 1 "an unreadable --from file: exit 1"

# A fake auditctl first in PATH: what install runs, what check reads.
mkdir "$TMP/bin"
cat > "$TMP/bin/auditctl" <<'EOS'
#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
case $1 in
-l) cat "$FAKE_DIR/list" ;;
-s) cat "$FAKE_DIR/status" ;;
-R) cp "$2" "$FAKE_DIR/loaded" ;;
esac
EOS
chmod +x "$TMP/bin/auditctl"
FAKE_DIR=$TMP
export FAKE_DIR
TMPDIR=$TMP PATH="$TMP/bin:$PATH" "$DRIFTWATCH" rules install \
    --dir "$TMP/rules2.d" \
    > "$TMP/inst.out"
is $? 0 "install with loading (fake auditctl)"
is "$(grep -c '^-D -k driftwatch-' "$TMP/calls")" \
    "$(cat "$TOP_SRCDIR"/rules/*.rules | grep -o -- '-k driftwatch-[a-z]*' | sort -u | wc -l)" \
    "our rules are deleted first, once per key"
is "$(tail -n 1 "$TMP/calls" | cut -c1-3)" "-R " "then auditctl -R"
ok "$(cmp -s "$TMP/loaded" "$TMP/print.rules"; echo $?)" \
    "on the concatenation"
ok "$(ls "$TMP"/driftwatch-rules.* 2> /dev/null | grep -q .; [ $? -ne 0 ]; echo $?)" \
    "whose temporary file is gone"

cp "$LIST" "$TMP/list"
printf 'enabled 1\npid 0\nbacklog_limit 8192\nbacklog_wait_time 60000\n' \
    > "$TMP/status"
PATH="$TMP/bin:$PATH" "$DRIFTWATCH" rules check > "$TMP/c3.txt"
is $? 0 "check through auditctl -l and -s: all present"
printf 'enabled 1\npid 0\nbacklog_limit 64\nbacklog_wait_time 60000\n' \
    > "$TMP/status"
PATH="$TMP/bin:$PATH" "$DRIFTWATCH" rules check > "$TMP/c4.txt"
is $? 1 "a backlog limit below the files': exit 1"
ok "$(grep -q '^DIFFERS   10-driftwatch-base.rules:11  -b 8192 (kernel: backlog_limit 64)$' "$TMP/c4.txt"; echo $?)" \
    "and it is named"
done_testing
