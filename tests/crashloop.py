# SPDX-License-Identifier: Apache-2.0
# crashloop.py: the checks and the HTTP client of tests/crashloop.sh.
#   dump DB OUT                 what a restart must keep, as JSON
#   check PREV CUR [KEY...]     PREV -> CUR (two dumps) lost nothing; the
#                               images KEY... were locked or relearned in
#                               between (their learning is not compared)
#   phase PREV CUR TOTAL RC     where the round's kill landed: finished,
#                               catch-up (re-reading what was committed),
#                               learning or detection; and the figures
#   relearn CUR KEY MS          image KEY, relearned when the newest event
#                               was at MS, learns from a later event only
#   same REF CUR                CUR (a dump) is REF, the uninterrupted run's
#   client URL TOKEN LOG SEED rw|ro
#                               reads, and (rw) acks, unacks, locks and
#                               relearns, against driftwatch serve until
#                               it dies; logs "sent|ok KIND ID STATE"
#                               lines and other statuses than 200 in LOG
#   acks DB LOG BEFORE          every change answered 200 is in DB
# check prints one line per problem, "events: ...", "anomalies: ..." or
# "learning: ..."; nothing when all is well.
#
# An anomaly is duplicated when two rows have the same fingerprint (rule,
# container, detail: what folding merges), when two rows of one rule and
# container share their first evidence serial, or when one row lists an
# audit serial twice or another number of serials than min(count, 20) (an
# event counted twice, or evidence lost).
import http.client
import json
import random
import sqlite3
import sys
import time


def db(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)


def dump(path, out):
    c = db(path)
    d = {"events": c.execute("SELECT count(*) FROM events").fetchone()[0],
         "max_ms": c.execute("SELECT max(time_ms) FROM events").fetchone()[0],
         "counters": dict(c.execute("SELECT name, value FROM counters")),
         "anomalies": {}, "images": {}, "dups": [],
         "anomaly_state": {str(i): s for i, s in c.execute(
             "SELECT id, state FROM anomalies")}}
    for fp, rule, cid, count, first, serials, state, ev in c.execute(
            "SELECT fingerprint, rule, container_id, count, first_ms,"
            " serials, state, (SELECT count(*) FROM anomaly_events"
            " WHERE anomaly = a.id) FROM anomalies a"):
        d["anomalies"][fp] = {"rule": rule, "cid": cid, "count": count,
                              "first_ms": first, "state": state,
                              "serials": json.loads(serials), "linked": ev}
    d["dups"] = [list(r) for r in c.execute(
        "SELECT fingerprint, count(*) FROM anomalies GROUP BY 1"
        " HAVING count(*) > 1 UNION ALL"
        " SELECT rule || ' ' || container_id || ' ' ||"
        " json_extract(serials, '$[0]'), count(*) FROM anomalies"
        " GROUP BY rule, container_id, json_extract(serials, '$[0]')"
        " HAVING count(*) > 1")]
    for iid, key, name, state, first, until, locked in c.execute(
            "SELECT id, key, name, state, first_ms, learn_until_ms,"
            " locked_ms FROM images"):
        ents = {}
        for kind, k, n, f, src in c.execute(
                "SELECT kind, key, count, first_ms, source FROM profile"
                " WHERE image = ?", (iid,)):
            ents[kind + "\t" + k] = [n, f, src]
        d["images"][key] = {"name": name, "state": state, "first_ms": first,
                            "learn_until_ms": until, "locked_ms": locked,
                            "entries": ents}
    json.dump(d, open(out, "w"))


def check(prev, cur, relearned):
    p = json.load(open(prev))
    c = json.load(open(cur))
    out = []
    if c["events"] < p["events"]:
        out.append("events: %d committed before, %d now" %
                   (p["events"], c["events"]))
    if c["counters"].get("dropped"):
        out.append("events: %d dropped" % c["counters"]["dropped"])
    if c["counters"].get("ingested") != c["events"]:
        out.append("events: counter ingested %s, %d stored" %
                   (c["counters"].get("ingested"), c["events"]))
    if c["counters"].get("anomalies") != len(c["anomalies"]):
        out.append("anomalies: counter %s, %d stored" %
                   (c["counters"].get("anomalies"), len(c["anomalies"])))
    for fp, n in c["dups"]:
        out.append("anomalies: %s stored %d times" % (fp, n))
    for fp, a in c["anomalies"].items():
        s = a["serials"]
        if len(set(s)) != len(s) or len(s) != min(a["count"], 20) or \
                a["linked"] > len(s):
            out.append("anomalies: %s: count %d, serials %s, %d events "
                       "linked" % (fp, a["count"], s, a["linked"]))
    for fp, a in p["anomalies"].items():
        b = c["anomalies"].get(fp)
        if b is None:
            out.append("anomalies: %s lost" % fp)
        elif b["count"] < a["count"] or \
                b["serials"][:len(a["serials"])] != a["serials"] or \
                b["first_ms"] != a["first_ms"]:
            out.append("anomalies: %s was count %d serials %s, now %d %s" %
                       (fp, a["count"], a["serials"], b["count"],
                        b["serials"]))
    for key, a in p["images"].items():
        b = c["images"].get(key)
        if b is None:
            out.append("learning: image %s lost" % key)
            continue
        if key in relearned:
            continue
        if a["first_ms"] is not None and (
                b["first_ms"] != a["first_ms"] or
                b["learn_until_ms"] != a["learn_until_ms"]):
            out.append("learning: %s learnt from %s until %s, now from %s "
                       "until %s" % (a["name"], a["first_ms"],
                                     a["learn_until_ms"], b["first_ms"],
                                     b["learn_until_ms"]))
        if a["state"] == "active" and (b["state"] != "active" or
                                       b["locked_ms"] != a["locked_ms"]):
            out.append("learning: %s was active (locked %s), now %s (%s)" %
                       (a["name"], a["locked_ms"], b["state"],
                        b["locked_ms"]))
        for k, e in a["entries"].items():
            f = b["entries"].get(k)
            if f is None or f[0] < e[0]:
                out.append("learning: %s: entry %s (count %d) %s" %
                           (a["name"], k.replace("\t", " "), e[0],
                            "lost" if f is None else "now %d" % f[0]))
    print("\n".join(out[:20]))


def phase(prev, cur, total, rc):
    p = json.load(open(prev))
    c = json.load(open(cur))
    imgs = [i for i in sorted(c["images"].values(),
                              key=lambda i: i["name"] or "")
            if i["name"] and "crashloop" not in i["name"]]
    if rc == "0":
        label = "finished"
    elif c["events"] == p["events"]:
        label = "catch-up"
    elif not imgs or any(i["state"] == "learning" for i in imgs):
        label = "learning"
    else:
        label = "detection"
    print("%s %d/%d events committed (+%d), %d anomalies%s" % (
        label, c["events"], int(total), c["events"] - p["events"],
        len(c["anomalies"]), "".join(", %s %s" % (i["name"], i["state"])
                                     for i in imgs)))


def relearn(cur, key, before_ms):
    i = json.load(open(cur))["images"][key]
    start = i["first_ms"]
    out = []
    if start is not None and start < int(before_ms):
        out.append("%s learns again from %d, before the relearn (%s)" %
                   (i["name"], start, before_ms))
    for k, e in i["entries"].items():
        if e[2] == "learned" and (start is None or e[1] < start):
            out.append("%s: entry %s first seen %s, learning from %s" %
                       (i["name"], k.replace("\t", " "), e[1], start))
    print("\n".join(out[:20]))


def same(ref, cur):
    r = json.load(open(ref))
    d = json.load(open(cur))
    out = []
    if r["events"] != d["events"]:
        out.append("events %d, reference %d" % (d["events"], r["events"]))
    for name in ("ingested", "anomalies"):
        if r["counters"].get(name) != d["counters"].get(name):
            out.append("counter %s %s, reference %s" %
                       (name, d["counters"].get(name), r["counters"].get(name)))
    for fp in sorted(set(r["anomalies"]) | set(d["anomalies"])):
        a, b = r["anomalies"].get(fp), d["anomalies"].get(fp)
        if a is None or b is None:
            out.append("anomaly %s only in %s" %
                       (fp.replace("\t", " "), "the reference" if b is None
                        else "the crashed run"))
        elif (a["count"], a["serials"], a["linked"]) != \
                (b["count"], b["serials"], b["linked"]):
            out.append("anomaly %s: count %d serials %s, reference %d %s" %
                       (fp, b["count"], b["serials"], a["count"],
                        a["serials"]))
    for key in sorted(set(r["images"]) | set(d["images"])):
        a, b = r["images"].get(key), d["images"].get(key)
        if a is None or b is None:
            out.append("image %s only in one" % key)
            continue
        for f in ("state", "first_ms", "learn_until_ms", "locked_ms"):
            if a[f] != b[f]:
                out.append("image %s %s %s, reference %s" %
                           (a["name"], f, b[f], a[f]))
        for k in sorted(set(a["entries"]) | set(b["entries"])):
            if a["entries"].get(k) != b["entries"].get(k):
                out.append("image %s entry %s: %s, reference %s" %
                           (a["name"], k.replace("\t", " "),
                            b["entries"].get(k), a["entries"].get(k)))
    print("\n".join(out[:20]))


def client(url, token, log, seed, mode):
    rnd = random.Random(int(seed))
    host, port = url.split("//")[1].split(":")
    hdr = {"Authorization": "Bearer " + token}
    lf = open(log, "a", buffering=1)

    def call(method, path):
        h = http.client.HTTPConnection(host, int(port), timeout=20)
        h.request(method, "/api/v1" + path, headers=hdr)
        r = h.getresponse()
        body = r.read()
        h.close()
        return r.status, body

    try:
        st, b = call("GET", "/anomalies?limit=1000")
        ids = [a["id"] for a in json.loads(b)["items"]]
        st, b = call("GET", "/images")
        keys = [i["key"] for i in json.loads(b)["items"]]
        while True:
            x = rnd.random()
            if mode == "ro":
                x = 1
            if x < 0.45 and ids:
                a = rnd.choice(ids)
                state = rnd.choice(("acked", "open"))
                lf.write("sent anomaly %s %s\n" % (a, state))
                st, b = call("POST", "/anomalies/%s/%s" %
                             (a, "ack" if state == "acked" else "unack"))
                lf.write("%s anomaly %s %s\n" %
                         ("ok" if st == 200 else "status%d" % st, a, state))
            elif x < 0.55 and keys:
                k = rnd.choice(keys)
                state = rnd.choice(("active", "learning"))
                lf.write("sent image %s %s\n" % (k, state))
                st, b = call("POST", "/images/%s/profile/%s" %
                             (k, "lock" if state == "active" else "relearn"))
                lf.write("%s image %s %s\n" %
                         ("ok" if st == 200 else "status%d" % st, k, state))
            else:
                p = rnd.choice(("/status", "/anomalies?limit=20", "/images",
                                "/events?limit=50", "/containers",
                                "/metrics", "/anomalies/%s" %
                                (rnd.choice(ids) if ids else 1)))
                st, b = call("GET", p)
                if st != 200:
                    lf.write("status%d GET %s\n" % (st, p))
    except (OSError, http.client.HTTPException, ValueError):
        pass


def acks(path, log, before):
    b = json.load(open(before))
    c = db(path)
    now = {"anomaly": {str(i): s for i, s in
                       c.execute("SELECT id, state FROM anomalies")},
           "image": {k: s for k, s in
                     c.execute("SELECT key, state FROM images")}}
    prev = {"anomaly": b["anomaly_state"],
            "image": {k: i["state"] for k, i in b["images"].items()}}
    allowed = {}
    out = []
    for line in open(log):
        f = line.split()
        if f[0].startswith("status"):
            out.append("%s answered %s" % (" ".join(f[1:]), f[0][6:]))
            continue
        kind, ident, state = f[1], f[2], f[3]
        if f[0] == "ok":
            allowed[(kind, ident)] = {state}
        else:
            allowed.setdefault((kind, ident),
                               {prev[kind].get(ident)}).add(state)
    for (kind, ident), states in sorted(allowed.items()):
        if now[kind].get(ident) not in states:
            out.append("%s %s is %s; the answers allow %s" %
                       (kind, ident, now[kind].get(ident), sorted(states)))
    print("\n".join(out[:20]))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dump":
        dump(*args)
    elif cmd == "check":
        check(args[0], args[1], set(args[2:]))
    elif cmd == "phase":
        phase(*args)
    elif cmd == "relearn":
        relearn(*args)
    elif cmd == "same":
        same(*args)
    elif cmd == "client":
        client(*args)
    elif cmd == "acks":
        acks(*args)
