#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ingest shows its progress on a terminal and only there: standard error on
# a pseudo-terminal gets "N MB read, N events" once input has run for more
# than a second; redirected to a file, it gets nothing.
. "$TOP_SRCDIR/tests/lib.sh"
command -v python3 > /dev/null || skip_all "python3 needed for a pty"

awk -v n=500 -v eoe=1 -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/a.log"
awk -v n=500 -v eoe=1 -v serial=501 -v start=1795851000 \
    -f "$TOP_SRCDIR/tests/genstream.awk" > "$TMP/b.log"

python3 - "$DRIFTWATCH" "$TMP" > "$TMP/tty.out" <<'EOP'
import os, pty, subprocess, sys, time
dw, tmp = sys.argv[1], sys.argv[2]
master, slave = pty.openpty()
p = subprocess.Popen([dw, "--db", tmp + "/tty.db", "ingest", "-"],
    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
p.stdin.write(open(tmp + "/a.log", "rb").read())
p.stdin.flush()
time.sleep(1.5)
p.stdin.write(open(tmp + "/b.log", "rb").read())
p.stdin.close()
out = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait()
sys.stdout.write(repr(out.decode(errors="replace")) + "\n")
sys.stdout.write("rc=%d\n" % p.returncode)
EOP
is "$(tail -n 1 "$TMP/tty.out")" rc=0 "ingest on a terminal: exit 0"
ok "$(grep -q 'MB read, [0-9]* events' "$TMP/tty.out"; echo $?)" \
    "progress shown on the terminal"

( cat "$TMP/a.log"; sleep 1.5; cat "$TMP/b.log" ) |
    "$DRIFTWATCH" --db "$TMP/pipe.db" ingest - > /dev/null 2> "$TMP/pipe.err"
is $? 0 "ingest with stderr to a file: exit 0"
is "$(cat "$TMP/pipe.err")" "" "no progress there"
done_testing
