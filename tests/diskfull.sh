#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The plugin when its database cannot be written (root only: it mounts).
#  1. Disk full: the database on a 2 MB tmpfs, tests/floodwriter sending
#     at a steady rate.  Once the disk is full the plugin logs one clear
#     error, keeps reading (no write blocks long: the reader never waits for
#     the worker), and counts what it cannot store as dropped; when the
#     tmpfs grows (remount,size=64m) it stores again, logs so, and at the
#     end stored + dropped = sent, the dropped counter in the database.
#  2. A read-only database at start: the plugin logs a clear message,
#     reads on (auditd is not blocked) counting every event as dropped, and
#     once the file system is writable again opens the database and stores,
#     the drops counted in it: stored + dropped = sent.
#  3. Read-only while running: Linux refuses to remount a file system
#     read-only while a process has files open for writing on it (EBUSY),
#     which the plugin always has, so the test records that refusal.  The
#     one way such a file system turns read-only is an error: ext4 with
#     errors=remount-ro, forced through /sys/fs/ext4/DEV/trigger_fs_error,
#     on a loop device.  The plugin must log one clear error, keep reading,
#     count every event (stored + dropped = sent in its last log line) and
#     exit non-zero at the end, its last counters not stored.  That file
#     system only comes back after an unmount and fsck, which restarting
#     auditd (and so the plugin) goes with.
#  4. Storage that stalls (the ext4 frozen with fsfreeze for 2.5 s): the
#     worker waits, the queue absorbs the stall, no write blocks long and
#     nothing is dropped.  A reader that waited for storage would block
#     auditd for the whole stall.
# Writes are bounded by FLOOD_MAX_BLOCK_MS (500 ms by default; see
# tests/flood.sh): on this busy two-core VM even `cat > /dev/null` as the
# reader sees single writes of 50-100 ms.
. "$TOP_SRCDIR/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (mounts a tmpfs)"
FW=${FLOODWRITER:-$(dirname "$DRIFTWATCH")/../tests/floodwriter}
[ -x "$FW" ] || skip_all "tests/floodwriter not built"
MAX_BLOCK_MS=${FLOOD_MAX_BLOCK_MS:-500}
MNT=$TMP/full
mkdir -p "$MNT" "$TMP/ro" "$TMP/e4"
mounted=
frozen=
fwpid=
cleanup() {
	[ -n "$frozen" ] && fsfreeze -u "$TMP/e4"
	[ -n "$fwpid" ] && kill "$fwpid" 2> /dev/null
	for m in $mounted; do
		umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
mount -t tmpfs -o size=2m tmpfs "$MNT" 2> "$TMP/mount.err" ||
    skip_all "cannot mount a tmpfs: $(cat "$TMP/mount.err")"
mounted="$MNT"

awk -v n=3000 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/t.log"

# wait_log FILE PATTERN SECONDS: 0 once PATTERN is in FILE
wait_log() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# 1. disk full, then space again
N=48000
"$FW" -r 4000 -n $N -p "$TMP/full.pid" "$TMP/t.log" "$DRIFTWATCH" -d \
    --db "$MNT/dw.db" plugin > "$TMP/full.fw" 2> "$TMP/full.err" &
fwpid=$!
wait_log "$TMP/full.err" "cannot write" 30
ok $? "a full disk: the plugin says it cannot write"
grep 'cannot write' "$TMP/full.err" | head -1 | sed 's/^/# /'
"$DRIFTWATCH" --db "$MNT/dw.db" status --json > "$TMP/full1.json"
stored_full=$(json_get "$TMP/full1.json" 'd["events"]')
sleep 2
kill -0 "$(cat "$TMP/full.pid")" 2> /dev/null
ok $? "and keeps running on a full disk ($stored_full events stored)"
mount -o remount,size=64m "$MNT"
ok $? "the tmpfs grows to 64 MB"
wait "$fwpid"
fwrc=$?
fwpid=
. "$TMP/full.fw"
is "$fwrc/$fw_status" 0/0 "the writer and the plugin exit 0"
"$DRIFTWATCH" --db "$MNT/dw.db" status --json > "$TMP/full2.json"
stored=$(json_get "$TMP/full2.json" 'd["events"]')
dropped=$(json_get "$TMP/full2.json" 'd["dropped"]')
echo "# disk full: sent $fw_sent at $fw_rate/s; longest write" \
    "$fw_max_block_us us; $stored_full stored when full was seen," \
    "$stored at the end, $dropped dropped"
is "$((stored + dropped))" $N "stored + dropped = sent ($stored + $dropped)"
ok "$([ "$dropped" -gt 0 ]; echo $?)" \
    "what could not be stored is counted as dropped, in the database"
ok "$([ "$stored" -gt "$stored_full" ]; echo $?)" \
    "events are stored again once there is space"
is "$(grep -c 'cannot write' "$TMP/full.err")" 1 \
    "the error is logged once, not once per event"
ok "$(grep -q 'writes succeed again' "$TMP/full.err"; echo $?)" \
    "and the recovery is logged"
ok "$([ "$fw_max_block_us" -lt $((MAX_BLOCK_MS * 1000)) ]; echo $?)" \
    "the writer never blocked $MAX_BLOCK_MS ms (longest $fw_max_block_us us)"
ok "$("$DRIFTWATCH" --db "$MNT/dw.db" events --limit 1 --json |
    grep -q '"serial"'; echo $?)" "the database still reads"

# 2. read-only at start
mount -t tmpfs -o size=8m tmpfs "$TMP/ro"
mounted="$mounted $TMP/ro"
awk -v n=20 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/s20.log"
"$DRIFTWATCH" --db "$TMP/ro/dw.db" plugin < "$TMP/s20.log" 2> /dev/null
mount -o remount,ro "$TMP/ro"
rm -f "$TMP/rofifo"
mkfifo "$TMP/rofifo"
"$DRIFTWATCH" -d --db "$TMP/ro/dw.db" plugin < "$TMP/rofifo" \
    2> "$TMP/ro.err" &
ropid=$!
exec 8> "$TMP/rofifo"
awk -v n=30 -v eoe=1 -v serial=1001 -f "$TOP_SRCDIR/tests/genstream.awk" \
    > "$TMP/s30.log"
timeout 10 cat "$TMP/s30.log" >&8
ok $? "read-only at start: the plugin reads on (30 events sent)"
wait_log "$TMP/ro.err" 'is read-only' 5
ok $? "with a clear message"
grep -v 'debug' "$TMP/ro.err" | sed 's/^/# /'
kill -0 "$ropid" 2> /dev/null
ok $? "and keeps running"
mount -o remount,rw "$TMP/ro"
wait_log "$TMP/ro.err" 'opens now' 15
ok $? "writable again: it opens the database by itself"
awk -v n=100 -v eoe=1 -v serial=5001 -f "$TOP_SRCDIR/tests/genstream.awk" >&8
exec 8>&-
wait "$ropid"
is $? 0 "and exits 0 at end of input"
"$DRIFTWATCH" --db "$TMP/ro/dw.db" status --json > "$TMP/ro.json"
is "$(json_get "$TMP/ro.json" 'd["events"]')" 120 \
    "what came after is stored (20 before + 100)"
is "$(json_get "$TMP/ro.json" 'd["dropped"]')" 30 \
    "the 30 events read meanwhile are counted as dropped in the database"

# 3. read-only while running
"$FW" -r 4000 -n 8000 "$TMP/t.log" "$DRIFTWATCH" -d \
    --db "$TMP/ro/run.db" plugin > "$TMP/rorun.fw" 2> "$TMP/rorun.err" &
fwpid=$!
wait_log "$TMP/rorun.err" "plugin started" 10
sleep 1
if mount -o remount,ro "$TMP/ro" 2> "$TMP/remount.err"; then
	echo "# this kernel made the file system read-only under the plugin"
	wait_log "$TMP/rorun.err" "cannot write" 10
	ok $? "read-only while running: a clear error"
	sleep 1
	mount -o remount,rw "$TMP/ro"
else
	sed 's/^/# /' "$TMP/remount.err"
	ok "$(grep -qi busy "$TMP/remount.err"; echo $?)" "read-only while\
 running: the kernel refuses (EBUSY) while the database is open for writing"
fi
wait "$fwpid"
fwpid=
. "$TMP/rorun.fw"
"$DRIFTWATCH" --db "$TMP/ro/run.db" status --json > "$TMP/rorun.json"
is "$(json_get "$TMP/rorun.json" 'd["events"] + d["dropped"]')" 8000 \
    "and the plugin went on: stored + dropped = sent"

if ! command -v mkfs.ext4 > /dev/null || ! [ -e /dev/loop-control ] ||
    ! truncate -s 64M "$TMP/e4.img" ||
    ! mkfs.ext4 -q -F "$TMP/e4.img" > /dev/null 2>&1 ||
    ! mount -o loop,errors=remount-ro "$TMP/e4.img" "$TMP/e4" \
    2> /dev/null; then
	ok 0 "# SKIP no ext4 on a loop device"
	done_testing
fi
mounted="$mounted $TMP/e4"

# 4. storage that stalls: the file system frozen (fsfreeze) for 2.5 s; the
# worker waits, the queue takes what comes meanwhile, the writer does not
"$FW" -r 4000 -n 16000 "$TMP/t.log" "$DRIFTWATCH" -d \
    --db "$TMP/e4/frozen.db" plugin > "$TMP/frz.fw" 2> "$TMP/frz.err" &
fwpid=$!
wait_log "$TMP/frz.err" "plugin started" 10
sleep 1
if fsfreeze -f "$TMP/e4" 2> "$TMP/frz.mount"; then
	frozen=1
	sleep 2.5
	fsfreeze -u "$TMP/e4"
	frozen=
	wait "$fwpid"
	fwpid=
	. "$TMP/frz.fw"
	"$DRIFTWATCH" --db "$TMP/e4/frozen.db" status --json > "$TMP/frz.json"
	echo "# frozen 2.5 s: sent $fw_sent at $fw_rate/s; longest write" \
	    "$fw_max_block_us us"
	ok "$([ "$fw_max_block_us" -lt $((MAX_BLOCK_MS * 1000)) ]; echo $?)" \
	    "storage frozen 2.5 s: no write blocked $MAX_BLOCK_MS ms\
 (longest $fw_max_block_us us)"
	is "$(json_get "$TMP/frz.json" '(d["events"], d["dropped"])')" \
	    "(16000, 0)" "the queue held the stall: all stored, none dropped"
else
	wait "$fwpid"
	fwpid=
	ok 0 "# SKIP fsfreeze: $(cat "$TMP/frz.mount")"
fi

# 3, continued: ext4 turned read-only by an error
dev=$(basename "$(findmnt -no SOURCE "$TMP/e4")")
[ -w "/sys/fs/ext4/$dev/trigger_fs_error" ] || {
	ok 0 "# SKIP no /sys/fs/ext4/$dev/trigger_fs_error"
	done_testing
}
"$FW" -r 4000 -n 16000 "$TMP/t.log" "$DRIFTWATCH" -d \
    --db "$TMP/e4/dw.db" plugin > "$TMP/e4.fw" 2> "$TMP/e4.err" &
fwpid=$!
wait_log "$TMP/e4.err" "plugin started" 10
sleep 2
echo driftwatch-diskfull-test > "/sys/fs/ext4/$dev/trigger_fs_error"
wait_log "$TMP/e4.err" "cannot write" 10
ok $? "ext4 turned read-only by an error: a clear error"
grep 'cannot write' "$TMP/e4.err" | head -1 | sed 's/^/# /'
wait "$fwpid"
fwpid=
. "$TMP/e4.fw"
echo "# emergency read-only: sent $fw_sent at $fw_rate/s; longest write" \
    "$fw_max_block_us us; plugin exit $fw_status"
is "$(grep -c 'cannot write' "$TMP/e4.err")" 1 "logged once"
last=$(grep 'plugin stopping' "$TMP/e4.err")
echo "# $last"
set -- $(echo "$last" |
    sed -n 's/.* \([0-9]*\) stored, \([0-9]*\) dropped.*/\1 \2/p')
is "$((${1:-0} + ${2:-0}))" 16000 \
    "the plugin read everything: stored + dropped = sent"
ok "$([ "$fw_max_block_us" -lt $((MAX_BLOCK_MS * 1000)) ]; echo $?)" \
    "the writer never blocked $MAX_BLOCK_MS ms (longest $fw_max_block_us us)"
ok "$([ "$fw_status" -ne 0 ]; echo $?)" \
    "the plugin exits non-zero: its last counters could not be stored"
done_testing
