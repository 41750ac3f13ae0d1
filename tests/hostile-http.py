# SPDX-License-Identifier: Apache-2.0
# hostile-http.py: hostile HTTP clients against "driftwatch serve" for
# tests/hostile-http.sh, printing TAP lines without the plan (the shell
# test numbers them on).  Slow and idle clients come from other loopback
# addresses (127.0.0.2...) than the normal client (127.0.0.1), as they
# would from other hosts, so the per-address limit does not hide them.
#   python3 hostile-http.py PORT TIMEOUT MAX_CONNECTIONS MAX_PER_IP
import socket
import sys
import time

port = int(sys.argv[1])
timeout = int(sys.argv[2])
max_conn = int(sys.argv[3])
max_per_ip = int(sys.argv[4])
n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond:
        failed += 1
    sys.stdout.flush()


def connect(src="127.0.0.1", wait=3.0):
    s = socket.socket()
    s.settimeout(wait)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def status_of(reply):
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def request(raw, src="127.0.0.1", wait=5.0):
    """Sends raw, returns (status or None, seconds); None when closed."""
    t0 = time.monotonic()
    try:
        s = connect(src, wait)
        s.sendall(raw)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
    except OSError:
        return None, time.monotonic() - t0
    return status_of(data), time.monotonic() - t0


def health(wait=5.0):
    return request(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                   b"Connection: close\r\n\r\n", wait=wait)


def is_closed(s):
    """Whether the server closed s (EOF or reset), without waiting."""
    s.setblocking(False)
    try:
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


st, secs = health()
ok(st == 200, "a normal client first: 200 (%.2f s)" % secs)

# -- slowloris: max_per_ip connections from one address, then as many from
# a second, each sending its headers a byte at a time, a byte every 0.5 s
slow = []
for a in ("127.0.0.2", "127.0.0.3"):
    for i in range(max_per_ip):
        try:
            s = connect(a)
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        except OSError:
            pass
ok(len(slow) >= max_per_ip, "slowloris: %d slow connections open"
   % len(slow))
t0 = time.monotonic()
served = []
while time.monotonic() - t0 < timeout + 6:
    for s in slow:
        try:
            s.send(b"X")
        except OSError:
            pass
    if len(served) < 3 and time.monotonic() - t0 > len(served):
        served.append(health(wait=4.0))
    time.sleep(0.5)
ok(all(st == 200 and secs < 3 for st, secs in served),
   "slowloris: a normal client is answered meanwhile (%s)"
   % ", ".join("%s in %.2f s" % (st, secs) for st, secs in served))
dropped = sum(1 for s in slow if is_closed(s))
ok(dropped == len(slow), "slowloris: the server dropped %d of %d slow "
   "clients within %d s (timeout %d s)" % (dropped, len(slow),
                                           timeout + 6, timeout))
for s in slow:
    s.close()
st, secs = health()
ok(st == 200, "after slowloris: 200 (%.2f s)" % secs)

# -- oversized headers and URL: refused (431/414/413/400) or closed
for what, raw in (
        ("a 100 KiB header", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"
         b"X-Big: " + b"a" * 102400 + b"\r\n\r\n"),
        ("10000 headers", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" +
         b"".join(b"X-%d: y\r\n" % i for i in range(10000)) + b"\r\n"),
        ("a 100 KiB URL", b"GET /api/v1/health?" + b"a" * 102400 +
         b" HTTP/1.1\r\nHost: x\r\n\r\n")):
    st, secs = request(raw)
    ok(st in (None, 400, 413, 414, 431),
       "%s: refused (%s in %.2f s)" % (what, st or "closed", secs))
    st, secs = health()
    ok(st == 200, "%s: the server answers after (%.2f s)" % (what, secs))

# -- malformed request lines: an error (4xx, 505) or closed, quickly
for what, raw in (
        ("garbage", b"GARBAGE\r\n\r\n"),
        ("no URL", b"GET\r\n\r\n"),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n"),
        ("a NUL in the URL", b"GET /api/\0v1/health HTTP/1.1\r\nHost: x"
         b"\r\n\r\n"),
        ("binary", bytes(range(256)) * 4 + b"\r\n\r\n"),
        ("a bad header line", b"GET / HTTP/1.1\r\nHost x\r\n: y\r\n\r\n"),
        ("a huge Content-Length", b"POST /api/v1/health HTTP/1.1\r\n"
         b"Host: x\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("a bad chunk size", b"POST /api/v1/images/import HTTP/1.1\r\n"
         b"Host: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\nab\r\n")):
    st, secs = request(raw)
    ok((st is None or 400 <= st < 600) and secs < 4,
       "%s: refused (%s in %.2f s)" % (what, st or "closed", secs))
st, secs = health()
ok(st == 200, "after the malformed requests: 200 (%.2f s)" % secs)

# -- many connections beyond the limits, idle, from several addresses
idle = []
refused = 0
for i in range(max_conn * 2):
    try:
        idle.append(connect("127.0.0.%d" % (10 + i // max_per_ip), 2.0))
    except OSError:
        refused += 1
time.sleep(0.5)
closed = sum(1 for s in idle if is_closed(s))
ok(len(idle) - closed <= max_conn,
   "%d connections: at most %d kept (%d closed, %d refused)"
   % (max_conn * 2, max_conn, closed, refused))
t0 = time.monotonic()
st = None
while st != 200 and time.monotonic() - t0 < timeout + 6:
    st, secs = health(wait=2.0)
ok(st == 200, "a normal request is answered within the idle timeout "
   "(%.2f s)" % (time.monotonic() - t0))
for s in idle:
    s.close()
time.sleep(0.2)
st, secs = health()
ok(st == 200, "after they go: 200 (%.2f s)" % secs)
sys.exit(1 if failed else 0)
