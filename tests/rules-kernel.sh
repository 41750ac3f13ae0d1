#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# driftwatch rules check and install against the real kernel: the printed
# rules loaded with auditctl -R are all reported present; after one is
# deleted, that one is named missing; "rules install" into a scratch
# directory loads them again (auditctl -R), twice without error.  Only
# when no audit daemon is registered and no rules are loaded (see
# tests/lab/kaudit.sh); the rules and settings are restored afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/lab/kaudit.sh"

kaudit_claim || skip_all "$KAUDIT_WHY"
trap 'kaudit_restore; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
N=$(cat "$TOP_SRCDIR"/rules/*.rules | grep -c -e '^-a' -e '^-w')

"$DRIFTWATCH" rules print > "$TMP/all.rules"
auditctl -R "$TMP/all.rules" > /dev/null 2> "$TMP/load.err"
ok $? "auditctl -R loads what rules print gives"
is "$(auditctl -l | wc -l)" "$N" "the kernel lists $N rules"

"$DRIFTWATCH" rules check > "$TMP/c1.txt"
is $? 0 "rules check: exit 0"
is "$(tail -n 1 "$TMP/c1.txt")" \
    "$N of $N rules loaded, 0 missing; settings as expected; 0 other rules in the kernel" \
    "everything present, settings included"
"$DRIFTWATCH" rules check --json > "$TMP/c1.json"
is "$(json_get "$TMP/c1.json" '(d["all_present"], d["in_order"], d["settings_checked"], d["settings_differ"])')" \
    "(True, True, True, 0)" "--json agrees"

auditctl -d always,exit -F arch=b64 -S execve,execveat -k driftwatch-exec
ok $? "auditctl -d deletes the b64 execve rule"
"$DRIFTWATCH" rules check > "$TMP/c2.txt"
is $? 1 "rules check: exit 1"
is "$(grep '^MISSING' "$TMP/c2.txt")" \
    "MISSING   30-driftwatch-process.rules:8  -a always,exit -F arch=b64 -S execve,execveat -k driftwatch-exec" \
    "it names the deleted rule, and only it"
"$DRIFTWATCH" rules check --json > "$TMP/c2.json"
is "$(json_get "$TMP/c2.json" '[r["rule"] for r in d["rules"] if not r["loaded"]]')" \
    "['-a always,exit -F arch=b64 -S execve,execveat -k driftwatch-exec']" \
    "--json names it"

auditctl -D > /dev/null
TMPDIR=$TMP "$DRIFTWATCH" rules install --dir "$TMP/rules.d" > "$TMP/i1.out" \
    2>&1
is $? 0 "rules install --dir DIR loads them (auditctl -R)"
"$DRIFTWATCH" rules check > /dev/null
is $? 0 "and rules check is satisfied"
TMPDIR=$TMP "$DRIFTWATCH" rules install --dir "$TMP/rules.d" > "$TMP/i2.out" \
    2>&1
is $? 0 "installing again is no error"
is "$(auditctl -l | wc -l)" "$N" "and loads no rule twice"
"$DRIFTWATCH" rules check > /dev/null
is $? 0 "rules check still exit 0"

kaudit_restore
is "$(auditctl -l)" "No rules" "rules cleared afterwards"
done_testing
