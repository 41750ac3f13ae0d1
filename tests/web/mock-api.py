#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for `driftwatch serve` while it does not exist: serves the web
root and the /api/v1 routes of src/api.h with the objects of the CLI's
--json output (run here on the given database), bearer token included.
Acks, lock and relearn change the served objects in memory only.

  mock-api.py --driftwatch BIN --db DB --web-root DIR --token-file F \
      --port-file F [--listen 127.0.0.1]

Binds port 0 and writes the chosen port to --port-file once listening.
"""
import argparse
import http.server
import json
import mimetypes
import os
import subprocess
import sys
import threading
import urllib.parse

A = None
DATA = {}
LOCK = threading.Lock()
SEV = ['info', 'low', 'medium', 'high', 'critical']


def cli(*args):
    out = subprocess.run([A.driftwatch, '--db', A.db] + list(args),
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def load():
    DATA['anomalies'] = cli('anomalies', '--json')
    DATA['containers'] = cli('containers', '--json')
    DATA['images'] = cli('baseline', 'list', '--json')
    DATA['status'] = cli('status', '--json')[0]
    DATA['profiles'] = {i['key']: cli('baseline', 'show', '--json', i['key'])[0]
                        for i in DATA['images']}
    DATA['events'] = {c['id']: cli('events', '--json', '--limit', '0',
                                   '--container', c['id'])
                      for c in DATA['containers']}


def page(items, q):
    limit = int(q.get('limit', ['100'])[0] or 100)
    start = int(q.get('cursor', ['0'])[0] or 0)
    end = start + limit if limit > 0 else len(items)
    nxt = str(end) if end < len(items) else None
    return {'items': items[start:end], 'next_cursor': nxt}


def match_anomaly(a, q):
    g = lambda k: (q.get(k) or [''])[0]
    if g('severity') and SEV.index(a['severity']) < SEV.index(g('severity')):
        return False
    if g('state') and a.get('state') != g('state'):
        return False
    if g('rule') and a['rule'] != g('rule'):
        return False
    if g('image') and g('image') not in (a.get('image'), a.get('image_key')):
        return False
    c = a.get('container') or {}
    if g('container') and not (c.get('id', '').startswith(g('container')) or
                               c.get('name') == g('container')):
        return False
    return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        if A.verbose:
            sys.stderr.write('mock: ' + fmt % args + '\n')

    def send(self, status, obj=None, body=None, ctype='application/json'):
        if obj is not None:
            body = json.dumps(obj).encode()
        body = body or b''
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def err(self, status, error, detail):
        self.send(status, {'error': error, 'detail': detail})

    def do_GET(self):
        self.route('GET')

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n:
            self.rfile.read(n)
        self.route('POST')

    def route(self, method):
        u = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(u.path)
        if not path.startswith('/api/'):
            return self.static(path)
        if not path.startswith('/api/v1/'):
            return self.err(404, 'not found', 'no such route')
        p = path[len('/api/v1'):]
        q = urllib.parse.parse_qs(u.query)
        if p == '/health':
            return self.send(200, {'status': 'ok'})
        if self.headers.get('Authorization') != 'Bearer ' + A.token:
            return self.err(401, 'unauthorized', 'a bearer token is needed')
        seg = p.strip('/').split('/')
        with LOCK:
            return self.api(method, seg, q)

    def api(self, m, seg, q):
        d = DATA
        if m == 'GET' and seg == ['status']:
            s = dict(d['status'])
            s['anomalies'] = len(d['anomalies'])
            s['images'] = {
                'learning': sum(i['state'] != 'active' for i in d['images']),
                'active': sum(i['state'] == 'active' for i in d['images'])}
            return self.send(200, s)
        if m == 'GET' and seg == ['openapi.json']:
            return self.send(200, {'openapi': '3.0.3', 'info': {
                'title': 'driftwatch (mock)', 'version': '0'}, 'paths': {
                '/anomalies': {}, '/containers': {}, '/events': {},
                '/images': {}}})
        if m == 'GET' and seg == ['anomalies']:
            return self.send(200, page([a for a in d['anomalies']
                                        if match_anomaly(a, q)], q))
        if seg[0] == 'anomalies' and len(seg) >= 2:
            a = next((x for x in d['anomalies'] if str(x['id']) == seg[1]),
                     None)
            if a is None:
                return self.err(404, 'not found', 'no such anomaly')
            if m == 'GET' and len(seg) == 2:
                evs = [e for evs in d['events'].values() for e in evs
                       if e['serial'] in a.get('serials', [])]
                return self.send(200, dict(a, events=evs))
            if m == 'POST' and len(seg) == 3 and seg[2] in ('ack', 'unack'):
                a['state'] = 'acked' if seg[2] == 'ack' else 'open'
                return self.send(200, a)
        if m == 'GET' and seg == ['containers']:
            return self.send(200, page(d['containers'], q))
        if m == 'GET' and seg[0] == 'containers' and len(seg) == 2:
            c = next((x for x in d['containers'] if x['id'] == seg[1]), None)
            if c is None:
                return self.err(404, 'not found', 'no such container')
            an = [a for a in d['anomalies']
                  if (a.get('container') or {}).get('id') == c['id']]
            evs = sorted(d['events'][c['id']], reverse=True,
                         key=lambda e: (e['time'] or 0, e['serial']))
            return self.send(200, dict(c, events=evs[:50], anomalies=an))
        if m == 'GET' and seg == ['events']:
            c = (q.get('container') or [''])[0]
            evs = [e for cid, l in d['events'].items() if cid.startswith(c)
                   for e in l]
            evs.sort(key=lambda e: (e['time'] or 0, e['serial']), reverse=True)
            return self.send(200, page(evs, q))
        if m == 'GET' and seg == ['images']:
            return self.send(200, page(d['images'], q))
        if seg[0] == 'images' and len(seg) >= 3 and seg[2] == 'profile':
            prof = d['profiles'].get(seg[1])
            if prof is None:
                return self.err(404, 'not found', 'no such image')
            if m == 'GET' and len(seg) == 3:
                return self.send(200, prof)
            if m == 'POST' and len(seg) == 4 and seg[3] in ('lock', 'relearn'):
                img = next(i for i in d['images'] if i['key'] == seg[1])
                st = 'active' if seg[3] == 'lock' else 'learning'
                prof['state'] = img['state'] = st
                return self.send(200, prof)
        return self.err(404, 'not found', 'no such route')

    def static(self, path):
        if path.endswith('/'):
            path += 'index.html'
        root = os.path.realpath(A.web_root)
        f = os.path.realpath(os.path.join(root, path.lstrip('/')))
        if not f.startswith(root + os.sep) or not os.path.isfile(f):
            return self.send(404, body=b'not found', ctype='text/plain')
        ctype = mimetypes.guess_type(f)[0] or 'application/octet-stream'
        if ctype.startswith('text/') or ctype.endswith('javascript'):
            ctype += '; charset=utf-8'
        with open(f, 'rb') as fh:
            self.send(200, body=fh.read(), ctype=ctype)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument('--driftwatch', required=True)
    ap.add_argument('--db', required=True)
    ap.add_argument('--web-root', required=True)
    ap.add_argument('--token-file', required=True)
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--listen', default='127.0.0.1')
    ap.add_argument('-v', '--verbose', action='store_true')
    A = ap.parse_args()
    A.token = open(A.token_file).read().strip()
    load()
    srv = http.server.ThreadingHTTPServer((A.listen, 0), Handler)
    tmp = A.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.rename(tmp, A.port_file)
    srv.serve_forever()


if __name__ == '__main__':
    main()
