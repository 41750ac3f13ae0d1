#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# capture-report.py -- second half of capture-sample.sh: from what the
# capture left in $work (poller output, podman inspect, podman's state files,
# the attack log) and $outdir/sample.log, write sample.truth.tsv,
# sample-state/ (trimmed) and sample.README.  Takes everything from the
# environment that capture-sample.sh exports; not meant to be run alone.
#
# sample.log is the private auditd's log with, unless KEEP_FOREIGN is set,
# the events of processes outside the capture's own process tree removed
# (another user building software on the machine meanwhile would otherwise
# fill most of it).  "Ours" grows from capture-sample.sh's pid in log order:
# an event is kept when its pid or ppid is ours; the child pid returned by a
# kept fork/clone becomes ours (on the host exit= is a host pid; inside a
# container it is not, but there the ppid= of the child's events links it).
# Records without a pid (kernel notices) are kept.  Beyond that the log is
# only read to point the README at the audit serials of the interesting
# moments; nothing in the truth file is derived from it.

import datetime
import json
import os
import re
import subprocess
import sys

E = os.environ
work, outdir = E["work"], E["outdir"]
names = [E["WEB1"], E["WEB2"], E["WORKER"]]
ips = {E["WEB1"]: E["WEB1_IP"], E["WEB2"]: E["WEB2_IP"],
       E["WORKER"]: E["WORKER_IP"]}
host_sh = E["host_sh_pid"]


def filter_log(src, dst, root):
    """Copies src to dst keeping our process tree; returns events dropped."""
    ev, order = {}, []
    hdr = re.compile(r"msg=audit\([\d.]+:(\d+)\)")
    with open(src, errors="surrogateescape") as f:
        for line in f:
            m = hdr.search(line)
            k = m.group(1) if m else None
            if k not in ev:
                ev[k] = []
                order.append(k)
            ev[k].append(line)
    ours, dropped = {root}, 0
    pid_re = re.compile(r"(?:^|[ :])pid=(\d+)")
    fork_re = re.compile(r" syscall=(?:56|57|58|435) success=yes exit=(\d+)")
    with open(dst, "w", errors="surrogateescape") as out:
        for k in order:
            text = "".join(ev[k])
            m = pid_re.search(text)
            if m:
                pp = re.search(r" ppid=(\d+)", text)
                if m.group(1) not in ours and \
                        not (pp and pp.group(1) in ours):
                    dropped += 1
                    continue
                ours.add(m.group(1))
                f = fork_re.search(text)
                if f and "arch=c000003e" in text:
                    ours.add(f.group(1))
            out.write(text)
    return dropped


def cmd(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return "?"


# ------------------------------------------------------------ the log
raw = f"{work}/auditd/audit.log"
if E.get("KEEP_FOREIGN"):
    with open(raw, "rb") as f, open(f"{outdir}/sample.log", "wb") as o:
        o.write(f.read())
    foreign = "kept (KEEP_FOREIGN was set)"
else:
    foreign = "%d events of other process trees removed" % filter_log(
        raw, f"{outdir}/sample.log", E["root_pid"])

# ------------------------------------------------------------ containers
ctr = {}	# name -> facts
with open(f"{work}/inspect.json") as f:
    inspected = {i["Name"]: i for i in json.load(f)}
for n in names:
    i = inspected[n]
    ctr[n] = {
        "id": i["Id"],
        "name": i["Name"],
        "image": i["ImageName"],
        "image_id": i["Image"],
        "pid": str(i["State"]["Pid"]),
        "conmon": str(i["State"]["ConmonPid"]),
        "created": i["Created"],
        "merged": i["GraphDriver"]["Data"].get("MergedDir", "?"),
        "env": [e for e in i["Config"]["Env"]
                if e.split("=")[0] in ("PEER", "PEERS", "ATTACK_AT", "NEWPEER")],
    }
by_id = {c["id"]: c for c in ctr.values()}

# ------------------------------------------------------------ truth
# The poller logs a line per change of (cgroup kind, comm); a pid seen in
# a container's cgroup once is that container's (it started in conmon's
# cgroup as crun and moved).  ppid is kept from the first container line.
seen = {}	# pid -> [tag, ppid, comm]
with open(f"{work}/poll.raw") as f:
    for line in f:
        pid, tag, ppid, comm = line.rstrip("\n").split("\t")
        if pid not in seen or len(tag) == 64 and len(seen[pid][0]) != 64:
            seen[pid] = [tag, ppid, comm]
        elif len(seen[pid][0]) != 64 or seen[pid][0] == tag:
            seen[pid][2] = comm

rows = {}	# pid -> (cid, name, image)
comms = {}
for pid, (tag, ppid, comm) in seen.items():
    if tag in by_id:
        c = by_id[tag]
        rows[pid] = (c["id"], c["name"], c["image"])
        comms[pid] = comm
for c in ctr.values():
    rows.setdefault(c["pid"], (c["id"], c["name"], c["image"]))
    comms.setdefault(c["pid"], "?")

# Host: our busybox sh and its descendants, and whatever ran in conmon's
# cgroup (conmon, crun create/exec) and never moved into a container.
host = {}
changed = True
while changed:
    changed = False
    for pid, (tag, ppid, comm) in seen.items():
        if pid in host or pid in rows or tag not in ("host", "conmon"):
            continue
        if tag == "conmon" or pid == host_sh or ppid in host:
            host[pid] = "conmon:" + comm if tag == "conmon" \
                else "busybox " + comm
            changed = True
for c in ctr.values():
    host.setdefault(c["conmon"], "conmon:conmon")
host.setdefault(host_sh, "busybox sh")

with open(f"{outdir}/sample.truth.tsv", "w") as f:
    f.write("# pid\tcontainer_id\tcontainer_name\timage\n")
    for pid in sorted(set(rows) | set(host), key=int):
        if pid in rows:
            f.write("%s\t%s\t%s\t%s\n" % ((pid,) + rows[pid]))
        else:
            f.write(f"{pid}\t-\t-\t-\n")

# ------------------------------------------------------------ state
ours = {c["id"] for c in ctr.values()}
with open(f"{work}/state/containers.json") as f:
    containers = [c for c in json.load(f) if c["id"] in ours]
images_used = {c["image"] for c in containers}
with open(f"{work}/state/images.json") as f:
    images = [i for i in json.load(f) if i["id"] in images_used]
for sub, data in (("overlay-containers/containers.json", containers),
                  ("overlay-images/images.json", images)):
    path = f"{outdir}/sample-state/{sub}"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))

# ------------------------------------------------------------ the log
ev = {}		# serial -> {"ts", "recs": [(type, fields)]}
order = []	# serials in file order (auditd's own DAEMON_* records
		# have serials from another counter)
rec_re = re.compile(r"^type=(\S+) msg=audit\((\d+\.\d+):(\d+)\): ?(.*)$")
kv_re = re.compile(r'(\w+)=("[^"]*"|\S+)')
nlines = nsys = 0
with open(f"{outdir}/sample.log", errors="replace") as f:
    for line in f:
        nlines += 1
        m = rec_re.match(line.rstrip("\n"))
        if not m:
            continue
        typ, ts, serial, rest = m.groups()
        nsys += typ == "SYSCALL"
        if int(serial) not in ev:
            order.append(int(serial))
        e = ev.setdefault(int(serial), {"ts": float(ts), "recs": []})
        e["recs"].append((typ, dict(kv_re.findall(rest))))
t_first = min(e["ts"] for e in ev.values())
t_last = max(e["ts"] for e in ev.values())


def val(v):
    if v.startswith('"'):
        return v[1:-1]
    try:
        return bytes.fromhex(v).decode(errors="replace")
    except ValueError:
        return v


def sysc(e):
    for t, f in e["recs"]:
        if t == "SYSCALL":
            return f
    return {}


def paths(e):
    return [val(f.get("name", '""')) for t, f in e["recs"] if t == "PATH"]


def argv(e):
    for t, f in e["recs"]:
        if t == "EXECVE":
            n = int(f.get("argc", "0"))
            return [val(f.get(f"a{i}", '""')) for i in range(n)]
    return []


def saddr(e):
    for t, f in e["recs"]:
        if t == "SOCKADDR":
            return f.get("saddr", "")
    return ""


def when(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc) \
        .strftime("%H:%M:%S.%f")[:-3]


def find(pred):
    for s in order:
        if pred(ev[s]):
            return s
    return None


def at(s):
    if s is None:
        return "NOT FOUND"
    f = sysc(ev[s])
    return "audit(%.3f:%d) %s pid=%s syscall=%s success=%s exit=%s" % (
        ev[s]["ts"], s, when(ev[s]["ts"]), f.get("pid"), f.get("syscall"),
        f.get("success"), f.get("exit"))


web2_pids = {p for p, r in rows.items() if r[1] == E["WEB2"]}


def in_web2(e):
    return sysc(e).get("pid") in web2_pids


def key(e):
    return val(sysc(e).get("key", '""'))


port = "%04X" % 4444
ip = "".join("%02X" % int(x) for x in E["WORKER_IP"].split("."))
attack_evs = [
    ("write /tmp/.x", lambda e: key(e) == "driftwatch-write"
        and "/tmp/.x" in paths(e)),
    ("chmod +x /tmp/.x", lambda e: key(e) == "driftwatch-chmod"
        and "/tmp/.x" in paths(e)),
    ("execve /tmp/.x", lambda e: key(e) == "driftwatch-exec"
        and "/tmp/.x" in paths(e)),
    ("open /etc/passwd for write", lambda e: key(e) == "driftwatch-write"
        and in_web2(e) and "/etc/passwd" in paths(e)),
    ("connect %s:4444" % E["WORKER_IP"], lambda e: key(e) == "driftwatch-net"
        and saddr(e).upper().startswith("0200" + port + ip)),
]
attack_lines = []
with open(f"{work}/attack.log") as f:
    steps = [l.rstrip("\n") for l in f]
for (what, pred), step in zip(attack_evs, steps):
    s = find(pred)
    attack_lines.append(f"  {step}\n      first record: {at(s)}")


def lifecycle(c):
    out = []
    for what, pred in (
        ("conmon", lambda e: (a := argv(e)) and a[0].endswith("conmon")
            and c["id"] in a),
        ("crun create", lambda e: (a := argv(e)) and "crun" in a[0]
            and "create" in a and c["id"] in a),
        ("crun start", lambda e: (a := argv(e)) and "crun" in a[0]
            and "start" in a and c["id"] in a),
        ("execve /entry (init pid %s)" % c["pid"],
            lambda e: key(e) == "driftwatch-exec"
            and sysc(e).get("pid") == c["pid"] and "/entry" in argv(e)),
        ("crun delete", lambda e: (a := argv(e)) and "crun" in a[0]
            and "delete" in a and c["id"] in a),
    ):
        out.append(f"    {what:28} {at(find(pred))}")
    return "\n".join(out)


def pidlist(name):
    ps = sorted((p for p, r in rows.items() if r[1] == name), key=int)
    return ", ".join(f"{p} ({comms.get(p, '?')})" for p in ps)


# A container process whose parent, when it entered the container, was
# outside it (in conmon's cgroup: the exec session's conmon or "crun exec")
# and which is not the init process came from podman exec.
exec_pids = {n: [] for n in names}
for p, (tag, ppid, comm) in seen.items():
    if tag in by_id and host.get(ppid, "").startswith("conmon:") \
            and p != by_id[tag]["pid"]:
        exec_pids[by_id[tag]["name"]].append(f"{p} ({comm})")

host_list = ", ".join(f"{p} ({h})" for p, h in sorted(host.items(),
                      key=lambda x: int(x[0])) if not h.startswith("conmon:"))
conmon_list = ", ".join(f"{p} ({h[7:]})" for p, h in sorted(host.items(),
                        key=lambda x: int(x[0])) if h.startswith("conmon:"))

ctr_text = ""
for n in names:
    c = ctr[n]
    ctr_text += f"""
  {n}
    id        {c['id']}
    image     {c['image']} (image id {c['image_id']})
    ip        {ips[n]}
    env       {' '.join(c['env'])}
    init pid  {c['pid']} (host pid of /entry), conmon pid {c['conmon']}
    created   {c['created']}
    MergedDir {c['merged']}
    pids seen {pidlist(n)}
    podman exec pids {', '.join(sorted(exec_pids[n])) or '-'}
    life cycle in the log:
{lifecycle(c)}
"""

kernel = cmd("uname", "-r")
podman_v = cmd("podman", "--version")
auditd_v = cmd("dpkg-query", "-W", "-f", "${Version}", "auditd")
readme = f"""sample.log -- a real audit capture of podman containers at work
=================================================================

Generated by tests/lab/capture-sample.sh (regenerate with
"tests/lab/capture-sample.sh tests/data" as root; ids, pids and times change).
Machine: Linux {kernel}, {podman_v} (crun, netavark, cgroupfs, hybrid
cgroups v1), auditd {auditd_v}, log_format RAW, the project's rules/*.rules
loaded with auditctl -R (the log begins with their CONFIG_CHANGE records).
No plugin, no driftwatch running.  Foreign events: {foreign} (see
capture-report.py: only the capture script's process tree, podman's,
conmon's and the containers' are in this file).  pid_max here is 32768.

Log: {nlines} lines, {len(order)} events, {nsys} SYSCALL records, first
serial {order[0]}, {when(t_first)} to {when(t_last)} UTC on
{datetime.datetime.fromtimestamp(t_first, datetime.timezone.utc).date()}.

Timeline (UTC)
--------------
  {E['t_start']}  private auditd started, rules loaded; a bash poller (child of
                 capture-sample.sh, bash builtins only) starts reading
                 /proc/*/cgroup every ~20 ms
  {E['t_web1']}  podman run -d --name {E['WEB1']} --ip {E['WEB1_IP']} -e PEER={E['WEB2_IP']} localhost/web:1
  {E['t_web2']}  podman run -d --name {E['WEB2']} --ip {E['WEB2_IP']} -e PEER={E['WEB1_IP']}
                 -e ATTACK_AT={E['ATTACK_AT']} -e NEWPEER={E['WORKER_IP']}:4444 localhost/web:1
  {E['t_worker']}  podman run -d --name {E['WORKER']} --ip {E['WORKER_IP']}
                 -e PEERS="{E['WEB1_IP']} {E['WEB2_IP']}" localhost/worker:1
  {E['t_host']}  HOST process starts: /bin/busybox sh -c '3 x: append
                 /tmp/dwlab-host.log, /bin/busybox wget http://{E['WEB1_IP']}:8080/
                 -O /tmp/dwlab-host.html, /bin/busybox cat /etc/hostname, sleep 1;
                 then rm both files' (host pid {host_sh})
  {E['t_exec']}  podman exec {E['WEB1']} sh -c 'id; hostname; ls -l /tmp;
                 echo exec-was-here > /tmp/exec.txt;
                 wget -q -O - http://{E['WEB2_IP']}:8080/; sleep 1'
  (see below)    attack inside {E['WEB2']}
  {E['t_stop']}  podman stop -t 5 (the three; entry scripts exit on SIGTERM)
  {E['t_rm']}  podman rm (the three)
  {E['t_end']}  auditd stopped (SIGTERM), then auditctl -D, auditctl -e 0

What the images do (busybox-static, built by tests/lab/mkimage.sh)
----------------------------------------------------------------
  localhost/web:1     /entry: httpd -f -p 8080 -h /var/www & ; every 3 s:
                      append "$i $(date +%s)" to /tmp/hits.log, tail -n 3 to
                      /tmp/last-hits, wget http://$PEER:8080/ -O /tmp/peer.html
  localhost/worker:1  /entry: httpd -f -p 4444 -h /var/www & ; every 3 s:
                      dd 4 KiB of /dev/urandom to /tmp/job.$i, md5sum to
                      /tmp/job.$i.md5, rm the previous pair, wget both web pages
  Busybox applets are symlinks to /bin/busybox: in the log nearly every
  container process has exe="/bin/busybox"; the host process has
  exe="/usr/bin/busybox" (same bytes, host inode; /bin is a symlink here).

Containers
----------{ctr_text}
Host processes (container_id "-" in the truth file)
---------------------------------------------------
  busybox tree started by capture-sample.sh: {host_list}
  in /libpod_parent/conmon, NOT part of any container: conmon and what
  it starts (crun create/exec; at exit "podman container cleanup", then
  netavark and iptables), named by their comm when the poller saw them
  ("podman" = podman's child before it became conmon); conmon pids besides
  the three above belong to the exec session: {conmon_list}

Attack (in {E['WEB2']}, from its entrypoint's own process tree, loop
iteration {E['ATTACK_AT']}; times are the container's "date +%s", then the
first matching record found in the log)
{chr(10).join(attack_lines)}
  The peer {E['WORKER_IP']}:4444 (worker's httpd) is contacted by nothing
  else in the capture; /tmp/.x is a "#!/bin/sh" script (id; uname -a; cat
  /etc/hostname; sleep 1 -- the sleep lets the poller see its pid), so its
  execve shows /tmp/.x then the interpreter.

sample.truth.tsv
----------------
  pid<TAB>container_id<TAB>container_name<TAB>image, one line per pid, after
  a "#" header.  Container rows: every pid the poller saw in a
  /libpod_parent/libpod-<id> cgroup (plus each container's State.Pid from
  podman inspect).  Polling misses most short-lived processes (date, tail,
  wget last milliseconds): a pid absent from the file is UNKNOWN, not host.
  Host rows ("-"): the busybox tree above and the processes seen in
  /libpod_parent/conmon (conmon, crun).

sample-state/
-------------
  overlay-containers/containers.json and overlay-images/images.json from
  {E['STORAGE']}, copied while the containers existed, trimmed to these
  three containers and their two images (same JSON as podman writes).
"""
with open(f"{outdir}/sample.README", "w") as f:
    f.write(readme)
print(f"truth rows: {len(rows)} container, {len(host)} host", file=sys.stderr)
