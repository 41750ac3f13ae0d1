// SPDX-License-Identifier: Apache-2.0
// driftwatch web interface: plain JavaScript over the HTTP API (/api/v1),
// no build step.  Views are chosen by the location's hash:
//   #/anomalies[?filters]  #/anomalies/ID  #/containers  #/containers/ID
//   #/images  #/images/KEY
// The bearer token is asked for once and kept in sessionStorage.
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'driftwatch.token';
const REFRESH_MS = 5000;
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const PROFILE_KINDS = ['processes', 'arguments', 'users', 'files', 'reads',
  'network', 'privileged', 'sessions'];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  timer: null,
  route: null,
  stream: null,		// AbortController of the /stream reader
  hasStream: null,	// null: not yet known
  renderSeq: 0,
};

// ---- small helpers -------------------------------------------------------

// h('div', {class: 'x', onclick: f}, child, 'text', ...): an element.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const $ = (sel, root = document) => root.querySelector(sel);

// el's children become the given nodes (arrays flattened, nulls dropped).
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter(
    (c) => c !== null && c !== undefined && c !== false));
}

// A time as seconds since the epoch (the CLI's objects) or ISO 8601 (the
// profile format), shown in local time.
function fmtTime(t) {
  if (t === null || t === undefined || t === '') return '–';
  const d = typeof t === 'number' || /^\d+(\.\d+)?$/.test(t)
    ? new Date(Number(t) * 1000) : new Date(t);
  if (isNaN(d)) return String(t);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function fmtNum(n) {
  return typeof n === 'number' ? n.toLocaleString('en') : (n ?? '–');
}

function short(id, n = 12) {
  if (!id) return '–';
  const s = String(id);
  const bare = s.replace(/^sha256:/, '');
  return bare.length > n ? bare.slice(0, n) : s;
}

function argvText(argv) {
  if (Array.isArray(argv)) return argv.join(' ');
  return argv ?? '';
}

function sevBadge(sev) {
  const s = SEVERITIES.includes(sev) ? sev : 'info';
  return h('span', {class: `sev sev-${s}`}, sev || '?');
}

function showError(msg) {
  const el = $('#error');
  if (!msg) { el.hidden = true; el.textContent = ''; return; }
  el.textContent = msg;
  el.hidden = false;
}

function setLive(text) {
  $('#live').textContent = text;
}

// ---- the API -------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail :
      (body && body.error ? body.error : `HTTP ${status}`));
    this.status = status;
  }
}

async function api(path, opts = {}) {
  const headers = {Accept: 'application/json'};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const init = {method: opts.method || 'GET', headers, cache: 'no-store'};
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, {detail: 'the server cannot be reached'});
  }
  let body = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) {
    try { body = await res.json(); } catch (e) { body = null; }
  }
  if (res.status === 401) {
    askToken('The token was refused; enter it again.');
    throw new ApiError(401, body);
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

// ---- token ---------------------------------------------------------------

function askToken(message) {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  stopTimers();
  const dlg = $('#login');
  const err = $('#login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('#logout').hidden = true;
  if (!dlg.open) dlg.showModal();
  $('#token').focus();
}

async function onLogin(ev) {
  ev.preventDefault();
  const tok = $('#token').value.trim();
  if (!tok) return;
  state.token = tok;
  const err = $('#login-error');
  try {
    await api('/status');
  } catch (e) {
    if (e.status !== 401) {
      err.textContent = `Cannot check the token: ${e.message}`;
      err.hidden = false;
    }
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, tok);
  $('#token').value = '';
  $('#login').close();
  $('#logout').hidden = false;
  start();
}

// ---- routing -------------------------------------------------------------

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return {
    view: parts[0] || 'anomalies',
    id: parts.slice(1).join('/') || null,
    query: new URLSearchParams(query),
  };
}

function stopTimers() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

function every(fn) {
  stopTimers();
  state.timer = setInterval(() => {
    if (document.hidden || !state.token) return;
    fn().catch(onFail);
  }, REFRESH_MS);
}

function onFail(e) {
  if (e && e.status === 401) return;
  showError(`Error: ${e && e.message ? e.message : e}`);
}

async function route() {
  if (!state.token) { askToken(); return; }
  stopTimers();
  showError(null);
  const r = parseHash();
  state.route = r;
  const seq = ++state.renderSeq;
  for (const a of document.querySelectorAll('[data-nav]'))
    a.classList.toggle('active', a.dataset.nav === r.view);
  const view = $('#view');
  const views = {
    anomalies: r.id ? anomalyView : anomaliesView,
    containers: r.id ? containerView : containersView,
    images: r.id ? imageView : imagesView,
  };
  const fn = views[r.view];
  if (!fn) {
    fill(view, h('p', {class: 'empty'}, 'No such page. ',
      h('a', {href: '#/anomalies'}, 'Anomalies')));
    return;
  }
  fill(view, h('p', {class: 'loading'}, 'Loading…'));
  try {
    await fn(view, r, seq);
  } catch (e) {
    if (seq !== state.renderSeq) return;
    if (e.status === 404) {
      fill(view, h('p', {class: 'empty'}, `Not found: ${r.id}`));
      return;
    }
    onFail(e);
  }
}

// ---- status counters -----------------------------------------------------

async function refreshStatus() {
  const s = await api('/status');
  const imgs = s.images || {};
  // What was lost: by the kernel (when anyone could read its counter) and
  // by driftwatch.  Gaps only count serials not seen: filtered ones too.
  const kernel = s.kernel_lost ?? null;
  const vals = {
    events: s.events, lost: (kernel ?? 0) + (s.dropped ?? 0), gaps: s.gaps,
    malformed: s.malformed, anomalies: s.anomalies,
    learning: imgs.learning, active: imgs.active,
  };
  for (const [k, v] of Object.entries(vals)) {
    const el = document.querySelector(`[data-counter="${k}"]`);
    if (!el) continue;
    el.textContent = fmtNum(v);
    el.parentElement.classList.toggle('warn',
      (k === 'lost' || k === 'malformed') && v > 0);
  }
  const loss = document.querySelector('[data-loss]');
  loss.title = `kernel: ${kernel === null ? 'not visible (its counter ' +
    'is read by a plugin with CAP_AUDIT_CONTROL or driftwatch status as ' +
    'root)' : fmtNum(kernel) + ' lost, backlog ' +
    fmtNum(s.kernel_backlog) + ' of ' + fmtNum(s.kernel_backlog_limit)}; ` +
    `driftwatch: ${fmtNum(s.dropped)} dropped`;
  loss.querySelector('.l').textContent = kernel === null ?
    'lost (kernel: not visible)' : 'lost';
  document.querySelector('[data-counter="gaps"]').parentElement.title =
    s.gaps_note || '';
  $('#counters').hidden = false;
}

// ---- anomalies -----------------------------------------------------------

const FILTERS = ['severity', 'state', 'image', 'container', 'rule'];

function filterForm(r) {
  const q = r.query;
  const sel = (name, opts) => h('select', {name, id: `f-${name}`},
    opts.map(([v, label]) => h('option',
      {value: v, selected: (q.get(name) || '') === v}, label)));
  const txt = (name, ph) => h('input', {name, id: `f-${name}`, type: 'search',
    placeholder: ph, value: q.get(name) || '', autocomplete: 'off'});
  const form = h('form', {class: 'filters', id: 'filters'},
    h('label', {}, 'Severity ≥ ', sel('severity',
      [['', 'any'], ...SEVERITIES.map(s => [s, s])])),
    h('label', {}, 'State ', sel('state',
      [['', 'any'], ['open', 'open'], ['acked', 'acked']])),
    h('label', {}, 'Image ', txt('image', 'localhost/web:1')),
    h('label', {}, 'Container ', txt('container', 'name or id')),
    h('label', {}, 'Rule ', txt('rule', 'drop-exec')),
    h('button', {type: 'submit'}, 'Filter'),
    h('button', {type: 'button', class: 'quiet', onclick: () => {
      location.hash = '#/anomalies';
    }}, 'Clear'));
  const apply = (ev) => {
    if (ev) ev.preventDefault();
    const p = {};
    for (const f of FILTERS) p[f] = form.elements[f].value.trim();
    const next = `#/anomalies${qs(p)}`;
    if (location.hash !== next) location.hash = next;
  };
  form.addEventListener('submit', apply);
  for (const f of ['severity', 'state'])
    form.elements[f].addEventListener('change', apply);
  return form;
}

function anomalyQuery(r, extra) {
  const p = {};
  for (const f of FILTERS) p[f] = r.query.get(f) || '';
  return qs(Object.assign(p, extra));
}

function anomalyRow(a) {
  const c = a.container || {};
  const acked = a.state === 'acked';
  const btn = h('button', {
    type: 'button',
    class: acked ? 'quiet small' : 'small',
    dataset: {action: acked ? 'unack' : 'ack', id: a.id},
    onclick: () => setAck(a.id, !acked, btn),
  }, acked ? 'Unack' : 'Ack');
  return h('tr', {class: `state-${a.state || 'open'}`, dataset: {id: a.id}},
    h('td', {}, sevBadge(a.severity)),
    h('td', {class: 'nowrap'}, fmtTime(a.last_seen ?? a.time),
      a.count > 1 ? h('span', {class: 'count', title: 'occurrences'},
        ` ×${a.count}`) : null),
    h('td', {}, h('a', {href: `#/anomalies/${a.id}`, class: 'rule'}, a.rule)),
    h('td', {}, c.id ? h('a', {href: `#/containers/${enc(c.id)}`,
      title: c.id}, c.name || short(c.id)) : '–'),
    h('td', {}, a.image_key ? h('a', {href: `#/images/${enc(a.image_key)}`,
      title: a.image_key}, a.image || short(a.image_key)) : (a.image || '–')),
    h('td', {class: 'reason'}, a.reason || ''),
    h('td', {}, h('span', {class: `state state-${a.state}`}, a.state || '')),
    h('td', {}, btn));
}

async function setAck(id, ack, btn) {
  if (btn) btn.disabled = true;
  try {
    await api(`/anomalies/${enc(id)}/${ack ? 'ack' : 'unack'}`,
      {method: 'POST', body: {}});
    if (state.route && state.route.view === 'anomalies' && !state.route.id)
      await refreshAnomalies();
    else
      await route();
    refreshStatus().catch(onFail);
  } catch (e) {
    onFail(e);
    if (btn) btn.disabled = false;
  }
}

function anomalyTable(items, withActions = true) {
  return h('table', {class: 'list anomalies'},
    h('thead', {}, h('tr', {},
      ['Severity', 'Last seen', 'Rule', 'Container', 'Image', 'Reason',
        'State', withActions ? '' : null].filter(x => x !== null)
        .map(t => h('th', {}, t)))),
    h('tbody', {}, items.map(anomalyRow)));
}

let anomalyPages = 1;

async function refreshAnomalies() {
  const r = state.route;
  const box = $('#anomaly-list');
  if (!box) return;
  // Refetch as many pages as are shown, so that a refresh keeps them.
  let items = [];
  let cursor = null;
  for (let page = 0; page < anomalyPages; page++) {
    const res = await api(`/anomalies${anomalyQuery(r,
      {limit: 100, cursor})}`);
    items = items.concat(res.items || []);
    cursor = res.next_cursor;
    if (!cursor) break;
  }
  if (r !== state.route || !document.body.contains(box)) return;
  // Unchanged: leave the table (and the user's hover or focus) alone.
  const sig = JSON.stringify([items, cursor]);
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  const more = cursor ? h('button', {type: 'button', class: 'quiet',
    onclick: () => { anomalyPages++; refreshAnomalies().catch(onFail); }},
    'More') : null;
  fill(box, items.length ? anomalyTable(items) :
    h('p', {class: 'empty'}, 'No anomalies match.'), more);
  $('#anomaly-count').textContent = `${items.length}${cursor ? '+' : ''}`;
}

async function anomaliesView(view, r) {
  anomalyPages = 1;
  fill(view,
    h('h1', {}, 'Anomalies ', h('span', {class: 'muted',
      id: 'anomaly-count'}, '')),
    filterForm(r),
    h('div', {id: 'anomaly-list'}, h('p', {class: 'loading'}, 'Loading…')));
  await refreshAnomalies();
  every(async () => {
    await refreshStatus();
    await refreshAnomalies();
  });
}

async function anomalyView(view, r, seq) {
  const a = await api(`/anomalies/${enc(r.id)}`);
  if (seq !== state.renderSeq) return;
  const c = a.container || {};
  const acked = a.state === 'acked';
  const dl = h('dl', {class: 'facts'},
    fact('Severity', sevBadge(a.severity)),
    fact('Rule', a.rule), fact('MITRE ATT&CK', a.mitre || '–'),
    fact('State', a.state),
    fact('Container', c.id ? h('a', {href: `#/containers/${enc(c.id)}`},
      c.name || short(c.id)) : '–'),
    fact('Image', a.image_key ? h('a', {href: `#/images/${enc(a.image_key)}`},
      a.image || a.image_key) : (a.image || '–')),
    fact('First seen', fmtTime(a.first_seen)),
    fact('Last seen', fmtTime(a.last_seen)),
    fact('Count', a.count),
    fact('Process', `${a.exe || '?'} (pid ${a.pid ?? '?'}, ppid ` +
      `${a.ppid ?? '?'}, uid ${a.uid ?? '?'})`),
    fact('Command', h('code', {}, argvText(a.argv) || '–')));
  fill(view,
    h('p', {class: 'crumbs'}, h('a', {href: '#/anomalies'}, '← Anomalies')),
    h('h1', {}, `Anomaly ${a.id}: ${a.rule}`),
    h('p', {class: 'reason big'}, a.reason || ''),
    h('div', {class: 'actions'}, h('button', {type: 'button',
      dataset: {action: acked ? 'unack' : 'ack', id: a.id},
      onclick: (ev) => setAck(a.id, !acked, ev.target)},
      acked ? 'Unack' : 'Ack')),
    dl,
    h('h2', {}, 'Evidence'),
    eventTable(a.events || []));
}

function fact(k, v) {
  return [h('dt', {}, k), h('dd', {}, v ?? '–')];
}

function eventTable(events) {
  if (!events.length) return h('p', {class: 'empty'}, 'No events.');
  return h('table', {class: 'list events'},
    h('thead', {}, h('tr', {}, ['Time', 'Serial', 'Actor', 'Syscall', 'pid',
      'ppid', 'uid', 'exe', 'Command / paths'].map(t => h('th', {}, t)))),
    h('tbody', {}, events.map(e => h('tr', {
      class: e.success === false ? 'failed' : null},
    h('td', {class: 'nowrap'}, fmtTime(e.time)),
    h('td', {}, e.serial),
    h('td', {class: 'muted', title: e.actor === 'runtime' ?
      "the runtime's work for this container, not its behaviour" :
      e.actor === 'session' ? 'an exec session' : ''}, e.actor || ''),
    h('td', {}, e.syscall || e.types || ''),
    h('td', {}, e.pid ?? ''), h('td', {}, e.ppid ?? ''),
    h('td', {}, e.uid ?? ''),
    h('td', {}, e.exe || ''),
    h('td', {class: 'cmd'}, argvText(e.argv) || e.proctitle ||
      (e.paths || []).map(p => p.name).filter(Boolean).join(', '))))));
}

// ---- containers ----------------------------------------------------------

async function containersView(view, r, seq) {
  const res = await api('/containers?limit=1000');
  if (seq !== state.renderSeq) return;
  const items = res.items || [];
  fill(view, h('h1', {}, 'Containers ',
    h('span', {class: 'muted'}, items.length)),
  items.length ? h('table', {class: 'list'},
    h('thead', {}, h('tr', {}, ['Name', 'Image', 'Runtime', 'Pod',
      'First seen', 'Last seen', 'Events'].map(t => h('th', {}, t)))),
    h('tbody', {}, items.map(c => h('tr', {},
      h('td', {}, h('a', {href: `#/containers/${enc(c.id)}`, title: c.id},
        c.name || short(c.id))),
      h('td', {}, c.image_digest ? h('a', {href:
        `#/images/${enc(c.image_digest)}`}, c.image || short(c.image_digest))
        : (c.image || '–')),
      h('td', {}, c.runtime || ''),
      h('td', {}, c.pod_name ? `${c.pod_namespace || ''}/${c.pod_name}` : ''),
      h('td', {class: 'nowrap'}, fmtTime(c.first_seen)),
      h('td', {class: 'nowrap'}, fmtTime(c.last_seen)),
      h('td', {class: 'num'}, fmtNum(c.events))))))
    : h('p', {class: 'empty'}, 'No containers seen yet.'));
  every(refreshStatus);
}

// The process tree of a container from the API's processes (one per pid
// seen in its last events, with its newest exec): children by ppid.
function buildTree(processes, anomalies) {
  const nodes = new Map();
  const flagged = new Map();
  for (const a of anomalies || [])
    if (a.pid !== null && a.pid !== undefined) {
      if (!flagged.has(a.pid)) flagged.set(a.pid, []);
      flagged.get(a.pid).push(a);
    }
  for (const p of processes || []) {
    if (p.pid === null || p.pid === undefined || nodes.has(p.pid)) continue;
    nodes.set(p.pid, {pid: p.pid, ppid: p.ppid, exe: p.exe, argv: p.argv,
      comm: p.comm, first: p.first_seen, events: p.events, children: [],
      execs: p.execs || []});
  }
  // Parents seen only as a ppid are not drawn: their children are roots.
  const roots = [];
  for (const n of nodes.values()) {
    const p = nodes.get(n.ppid);
    if (p && p !== n) p.children.push(n);
    else roots.push(n);
  }
  const byFirst = (a, b) => (a.first ?? 0) - (b.first ?? 0) || a.pid - b.pid;
  for (const n of nodes.values()) n.children.sort(byFirst);
  roots.sort(byFirst);
  return {roots, flagged};
}

function treeList(nodes, flagged, depth = 0) {
  return h('ul', {class: depth ? null : 'tree'}, nodes.map(n => {
    const bad = flagged.get(n.pid);
    const cmd = n.argv ? argvText(n.argv) : (n.execs[n.execs.length - 1] ||
      n.comm || '');
    const label = h('span', {class: `node${bad ? ' flagged' : ''}`},
      h('span', {class: 'pid'}, n.pid),
      h('span', {class: 'exe'}, n.exe || '?'),
      cmd && cmd !== n.exe ? h('code', {class: 'argv'}, cmd) : null,
      n.execs.length > 1 ? h('span', {class: 'muted', title:
        n.execs.join('\n')}, ` (${n.execs.length} execs)`) : null,
      bad ? bad.map(a => h('a', {href: `#/anomalies/${a.id}`,
        class: 'flag'}, sevBadge(a.severity), ' ', a.rule)) : null);
    return h('li', {dataset: {pid: n.pid}}, label,
      n.children.length ? treeList(n.children, flagged, depth + 1) : null);
  }));
}

async function containerView(view, r, seq) {
  // One request: the container, its anomalies, its process tree (from a
  // bounded number of its last events) and its last events.
  const c = await api(`/containers/${enc(r.id)}`);
  if (seq !== state.renderSeq) return;
  const events = c.events || [];
  const total = c.event_count ?? events.length;
  const anomalies = c.anomalies || [];
  const {roots, flagged} = buildTree(c.processes, anomalies);
  const partial = (c.processes_events ?? 0) < total;
  fill(view,
    h('p', {class: 'crumbs'}, h('a', {href: '#/containers'}, '← Containers')),
    h('h1', {}, `Container ${c.name || short(c.id)}`),
    h('dl', {class: 'facts'},
      fact('Id', h('code', {}, c.id)),
      fact('Image', c.image_digest ? h('a', {href:
        `#/images/${enc(c.image_digest)}`}, c.image || c.image_digest)
        : (c.image || '–')),
      fact('Runtime', c.runtime),
      c.pod_name ? fact('Pod', `${c.pod_namespace || ''}/${c.pod_name}`) : null,
      fact('First seen', fmtTime(c.first_seen)),
      fact('Last seen', fmtTime(c.last_seen)),
      fact('Events', fmtNum(total)),
      fact('Attribution', c.attribution)),
    h('h2', {}, 'Anomalies ', h('span', {class: 'muted'}, anomalies.length)),
    anomalies.length ? anomalyTable(anomalies)
      : h('p', {class: 'empty'}, 'None.'),
    h('h2', {}, 'Process tree ', h('span', {class: 'muted'},
      `${countNodes(roots)} processes`)),
    roots.length ? h('div', {class: 'tree-box', id: 'process-tree'},
      treeList(roots, flagged))
      : h('p', {class: 'empty'}, 'No process events.'),
    partial ? h('p', {class: 'muted'}, `The tree is built from the last ` +
      `${fmtNum(c.processes_events)} events.`) : null,
    h('details', {}, h('summary', {}, `Last events (${fmtNum(events.length)}` +
      ` of ${fmtNum(total)})`), eventTable(events)));
  every(refreshStatus);
}

function countNodes(roots) {
  let n = 0;
  const walk = (l) => { for (const x of l) { n++; walk(x.children); } };
  walk(roots);
  return n;
}

// ---- images --------------------------------------------------------------

async function imagesView(view, r, seq) {
  const res = await api('/images?limit=1000');
  if (seq !== state.renderSeq) return;
  const items = res.items || [];
  fill(view, h('h1', {}, 'Images ',
    h('span', {class: 'muted'}, items.length)),
  items.length ? h('table', {class: 'list'},
    h('thead', {}, h('tr', {}, ['Image', 'State', 'Learning until',
      'Locked', 'Version', 'Entries', ...PROFILE_KINDS]
      .map(t => h('th', {}, t)))),
    h('tbody', {}, items.map(i => h('tr', {},
      h('td', {}, h('a', {href: `#/images/${enc(i.key)}`, title: i.key},
        i.name || short(i.key))),
      h('td', {}, h('span', {class: `learn learn-${i.state}`}, i.state)),
      h('td', {class: 'nowrap'}, i.state === 'learning'
        ? fmtTime(i.learn_until) : ''),
      h('td', {class: 'nowrap'}, i.locked ? fmtTime(i.locked) : ''),
      h('td', {class: 'num'}, i.version ?? ''),
      h('td', {class: 'num'}, i.entries ?? ''),
      PROFILE_KINDS.map(k => h('td', {class: 'num'},
        typeof i[k] === 'number' ? i[k] : (i[k] || []).length))))))
    : h('p', {class: 'empty'}, 'No images seen yet.'));
  every(refreshStatus);
}

function entryTable(kind, rows) {
  // Columns: the entries' own keys, with count/first/last/source last.
  const tail = ['count', 'first', 'last', 'source'];
  const keys = [];
  for (const row of rows)
    for (const k of Object.keys(row))
      if (!keys.includes(k) && !tail.includes(k)) keys.push(k);
  const cols = keys.concat(tail.filter(k => rows.some(r => k in r)));
  const cell = (k, v) => {
    if (k === 'first' || k === 'last') return fmtTime(v);
    if (v !== null && typeof v === 'object') return JSON.stringify(v);
    return v ?? '';
  };
  return h('section', {class: 'kind', dataset: {kind}},
    h('h3', {}, kind, ' ', h('span', {class: 'muted'}, rows.length)),
    rows.length ? h('table', {class: 'list compact'},
      h('thead', {}, h('tr', {}, cols.map(c => h('th', {}, c)))),
      h('tbody', {}, rows.map(row => h('tr', {class: row.source
        ? `src-${row.source}` : null}, cols.map(c =>
        h('td', {class: c === 'shape' || c === 'path' ? 'cmd' : null},
          cell(c, row[c])))))))
      : h('p', {class: 'empty'}, 'None.'));
}

async function imageAction(key, action, btn) {
  btn.disabled = true;
  try {
    await api(`/images/${enc(key)}/profile/${action}`,
      {method: 'POST', body: {}});
    await route();
    refreshStatus().catch(onFail);
  } catch (e) {
    onFail(e);
    btn.disabled = false;
  }
}

// The profile (the export format of doc/profile.md: image {key, name, id,
// digest}, state, learning {first, until, locked}, one list per kind) and
// the image's entry in /images (version, entries) in one flat object.
async function imageProfile(id) {
  const [p, list] = await Promise.all([
    api(`/images/${enc(id)}/profile`),
    api('/images?limit=1000').catch((e) => {
      if (e.status === 401) throw e;
      return {items: []};
    }),
  ]);
  const img = p.image && typeof p.image === 'object' ? p.image : {};
  const key = img.key || p.key;
  const row = (list.items || []).find((i) => i.key === key) || {};
  const learning = p.learning && typeof p.learning === 'object'
    ? p.learning : {};
  return Object.assign({}, p, {
    key: key || id,
    name: img.name || p.name || row.name,
    image_id: img.id || p.image_id || row.image_id,
    state: p.state || row.state,
    first_seen: learning.first ?? p.first_seen ?? row.first_seen,
    learn_until: learning.until ?? p.learn_until ?? row.learn_until,
    locked: learning.locked ?? p.locked ?? row.locked,
    version: row.version ?? p.version,
    entries: row.entries ?? p.entries,
  });
}

async function imageView(view, r, seq) {
  const p = await imageProfile(r.id);
  if (seq !== state.renderSeq) return;
  const kinds = PROFILE_KINDS.filter(k => Array.isArray(p[k]));
  for (const k of Object.keys(p))
    if (Array.isArray(p[k]) && !kinds.includes(k) &&
        p[k].every((x) => x && typeof x === 'object')) kinds.push(k);
  const relearn = h('button', {type: 'button', class: 'quiet',
    id: 'relearn', onclick: (ev) => {
      // A second click confirms: relearning forgets the profile.
      if (ev.target.dataset.armed) {
        imageAction(p.key || r.id, 'relearn', ev.target);
      } else {
        ev.target.dataset.armed = '1';
        ev.target.textContent = 'Forget the profile and learn again?';
        setTimeout(() => {
          if (!document.body.contains(ev.target)) return;
          delete ev.target.dataset.armed;
          ev.target.textContent = 'Relearn';
        }, 4000);
      }
    }}, 'Relearn');
  const lock = h('button', {type: 'button', id: 'lock',
    disabled: p.state !== 'learning',
    title: p.state === 'learning' ? 'End learning now: from here on, ' +
      'what is not in the profile is drift' : 'Already active',
    onclick: (ev) => imageAction(p.key || r.id, 'lock', ev.target)}, 'Lock');
  fill(view,
    h('p', {class: 'crumbs'}, h('a', {href: '#/images'}, '← Images')),
    h('h1', {}, `Image ${p.name || short(p.key)}`),
    h('dl', {class: 'facts'},
      fact('Key', h('code', {}, p.key)),
      fact('Image id', h('code', {}, p.image_id || '–')),
      fact('State', h('span', {class: `learn learn-${p.state}`}, p.state)),
      fact('First seen', fmtTime(p.first_seen)),
      p.state === 'learning' ? fact('Learning until', fmtTime(p.learn_until))
        : null,
      fact('Locked', p.locked ? fmtTime(p.locked) : '–'),
      fact('Version', p.version),
      fact('Entries', p.entries)),
    h('div', {class: 'actions'}, lock, relearn),
    h('h2', {}, 'Profile'),
    kinds.length ? kinds.map((k) => entryTable(k, p[k]))
      : h('p', {class: 'empty'}, 'Nothing learned yet.'));
  every(refreshStatus);
}

// ---- live updates --------------------------------------------------------

// /stream (server-sent events) when the server has it: read with fetch so
// that the Authorization header goes along; every event refreshes the
// anomaly list.  Without it the list is polled.
async function startStream() {
  if (state.hasStream === null) {
    try {
      const doc = await api('/openapi.json');
      const paths = Object.keys((doc && doc.paths) || {});
      state.hasStream = paths.some(p => /(^|\/)stream$/.test(p));
    } catch (e) {
      if (e.status === 401) return;
      state.hasStream = false;
    }
  }
  if (!state.hasStream) { setLive(`polling every ${REFRESH_MS / 1000} s`); return; }
  if (state.stream) return;
  const ctl = new AbortController();
  state.stream = ctl;
  try {
    const res = await fetch(`${API}/stream`, {headers: {
      Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream'},
    signal: ctl.signal, cache: 'no-store'});
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    setLive('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (/^data:/m.test(block)) onStreamEvent();
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
  } finally {
    if (state.stream === ctl) state.stream = null;
  }
  // Dropped: poll meanwhile, try again later.
  setLive(`reconnecting; polling every ${REFRESH_MS / 1000} s`);
  state.hasStream = false;
  setTimeout(() => { state.hasStream = null; if (state.token) startStream(); },
    15000);
}

let streamPending = false;
function onStreamEvent() {
  if (streamPending) return;
  streamPending = true;
  setTimeout(() => {
    streamPending = false;
    refreshStatus().catch(onFail);
    if (state.route && state.route.view === 'anomalies' && !state.route.id)
      refreshAnomalies().catch(onFail);
  }, 300);
}

// ---- start ---------------------------------------------------------------

function start() {
  $('#logout').hidden = false;
  refreshStatus().catch(onFail);
  route();
  startStream();
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', onLogin);
  $('#login').addEventListener('cancel', (ev) => ev.preventDefault());
  $('#logout').addEventListener('click', () => {
    if (state.stream) state.stream.abort();
    state.stream = null;
    state.hasStream = null;
    askToken();
  });
  window.addEventListener('hashchange', () => { if (state.token) route(); });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.token && state.route &&
        state.route.view === 'anomalies' && !state.route.id)
      refreshAnomalies().catch(onFail);
  });
  if (state.token) start();
  else askToken();
});
