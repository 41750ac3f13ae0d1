# SPDX-License-Identifier: Apache-2.0
# hostile-gen.py: writes one hostile audit stream to stdout for
# tests/hostile.sh.  Every case is framed by 20 good events before and 20
# after (argument "/good/SERIAL") so the test can check what survives;
# serials run on without a gap from the first event to the last, the
# hostile ones from 1000 (the good ones before are 980..999).  SCALE
# multiplies the hostile sizes, for the memory checks.
#   python3 hostile-gen.py CASE [SCALE]
import sys

T0 = 1795850000
case = sys.argv[1]
scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1
out = sys.stdout


top = 0


def msg(sec, serial, ms=0):
    global top
    top = max(top, serial)
    return "msg=audit(%d.%03d:%d): " % (sec, ms, serial)


def syscall(sec, serial, items=0, pid=4242, exe="/usr/bin/ls"):
    return ("type=SYSCALL " + msg(sec, serial) + "arch=c000003e syscall=59 "
            "success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=%d ppid=1 pid=%d "
            "auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
            "fsgid=0 tty=pts0 ses=2 comm=\"ls\" exe=\"%s\" key=\"exec\""
            % (items, pid, exe))


def path(sec, serial, item, name):
    return ("type=PATH " + msg(sec, serial) + "item=%d name=%s inode=7 "
            "dev=fe:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
            "nametype=NORMAL" % (item, name))


def proctitle(sec, serial, hexval="6C73"):
    return "type=PROCTITLE " + msg(sec, serial) + "proctitle=" + hexval


def execve(sec, serial, fields):
    return "type=EXECVE " + msg(sec, serial) + fields


def event(sec, serial, extra=(), title="6C73", items=0):
    lines = [syscall(sec, serial, items)]
    lines += list(extra)
    lines.append(proctitle(sec, serial, title))
    return lines


def good(first, n, sec):
    """n small execve events, serials first.., one per 10 ms."""
    lines = []
    for i in range(n):
        s = first + i
        lines += event(sec + i // 100, s, [execve(sec + i // 100, s,
                       'argc=2 a0="ls" a1="/good/%d"' % s)])
    return lines


def emit(lines):
    for ln in lines:
        out.write(ln + "\n")


# The hostile part of each case; returns the good events to put right
# after it, if any.
def hostile():
    t = T0 + 10
    if case == "bigfield":
        # one argument just under the line limit, one line over it
        big = "61" * (480000 * scale)
        emit(event(t, 1000, [execve(t, 1000, "argc=1 a0=" + big)]))
        huge = "62" * (600000 * scale)
        emit(event(t, 1001, [execve(t, 1001, "argc=1 a0=" + huge)]))
    elif case == "nul":
        ln = execve(t, 1000, 'argc=2 a0="ls" a1="x\0y"')
        emit(event(t, 1000, [ln]))
    elif case == "badhex":
        # odd length, non-hex digits: in proctitle, an argument, a path,
        # the cwd: each event counted once, stored with the raw text
        emit(event(t, 1000, title="6C7"))
        emit(event(t, 1001, title="ZZ41"))
        emit(event(t, 1002, [execve(t, 1002, "argc=1 a0=4G41")]))
        emit(event(t, 1003, [path(t, 1003, 0, "2F6574632F7")], items=1))
        emit(event(t, 1004, ["type=CWD " + msg(t, 1004) + "cwd=2F746D7X"]))
    elif case == "argv":
        # 10000 arguments in one record, then 10000 split over records as
        # the kernel does, with a long argument in a1[0], a1[1] chunks
        n = 10000 * scale
        args = " ".join('a%d="x%d"' % (i, i) for i in range(n))
        emit(event(t, 1000, [execve(t, 1000, "argc=%d " % n + args)]))
        recs = []
        cur = "argc=%d a0=\"prog\" a1_len=%d" % (n, 20000)
        recs.append(cur)
        for c in range(4):
            recs.append("a1[%d]=%s" % (c, "41" * 5000))
        per = []
        for i in range(2, n):
            per.append('a%d="y%d"' % (i, i))
            if len(per) == 500:
                recs.append(" ".join(per))
                per = []
        if per:
            recs.append(" ".join(per))
        emit(event(t, 1001, [execve(t, 1001, r) for r in recs]))
    elif case == "deeppath":
        deep = '"' + "/a" * (4096 * scale) + '"'
        over = "2F" + "2F".join(["62"] * (5000 * scale))
        emit(event(t, 1000, [path(t, 1000, 0, deep)], items=1))
        emit(event(t, 1001, [path(t, 1001, 0, over),
                             "type=CWD " + msg(t, 1001) + "cwd=" + deep],
                   items=1))
    elif case == "unknown":
        out.write("type=UNKNOWN[9999] " + msg(t, 1000) + "foo=bar\n")
        out.write("type=MADE_UP_TYPE " + msg(t, 1001) + "foo=bar\n")
        emit(event(t, 1002, ["type=UNKNOWN[9999] " + msg(t, 1002) + "x=1",
                             "type=NOT_A_TYPE " + msg(t, 1002) + "y=2"]))
    elif case == "order":
        # ten events' records interleaved, each EXECVE before its SYSCALL;
        # then one whose PROCTITLE comes first (it ends the event, so the
        # two records after it are refused)
        evs = [event(t, 1000 + i, [execve(t, 1000 + i,
               'argc=1 a0="o%d"' % i)]) for i in range(10)]
        for k in (1, 0, 2):
            for e in evs:
                out.write(e[k] + "\n")
        e = event(t, 1010, [execve(t, 1010, 'argc=1 a0="late"')])
        emit([e[2], e[0], e[1]])
    elif case == "chunks":
        # an argument in 1000 chunks of the kernel's a1[N] form
        recs = ['argc=2 a0="prog" a1_len=2000']
        for r in range(10):
            recs.append(" ".join("a1[%d]=4142" % (r * 100 + c)
                                 for c in range(100)))
        emit(event(t, 1000, [execve(t, 1000, x) for x in recs]))
    elif case == "dup":
        e = event(t, 1000, [execve(t, 1000, 'argc=1 a0="dup"')])
        emit(e)
        emit(event(t, 1001, [execve(t, 1001, 'argc=1 a0="x"')]))
        emit(e)
    elif case == "restart":
        # serials go back (a kernel restart), the clock goes on
        return good(1, 20, t + 60)
    elif case == "clock":
        # the clock steps back five years, forwards ten, then back
        emit(good(1000, 20, t - 5 * 365 * 86400))
        emit(good(1020, 20, t + 10 * 365 * 86400))
        return good(1040, 20, t + 20)
    elif case == "records":
        n = 5000 * scale
        emit(event(t, 1000, [path(t, 1000, i, '"/p/%d"' % i)
                             for i in range(n)], items=n))
    else:
        sys.exit("unknown case " + case)
    return None


# The good events after the hostile ones go on from the highest serial.
emit(good(980, 20, T0))
last = hostile()
if last is None:
    emit(good(top + 1, 20, T0 + 100))
else:
    emit(last)
    emit(good(21, 20, T0 + 200))
