// SPDX-License-Identifier: Apache-2.0
// Drives the web interface in headless Chromium (playwright-core) for
// tests/web-ui.sh.  Prints one "RESULT 0|1 description" line per
// assertion (0: passed) and "# ..." diagnostics; exits 0 unless the
// browser itself could not be driven.
//
// Environment: PW_MODULE (path of playwright-core), CHROMIUM, BASE_URL,
// TOKEN, USER_DATA_DIR, SHOT (the screenshot's path, .png).
'use strict';

const {chromium} = require(process.env.PW_MODULE);

const BASE = process.env.BASE_URL;
const TOKEN = process.env.TOKEN;
const SHOT = process.env.SHOT;
const TIMEOUT = 15000;

function result(ok, desc, why) {
  console.log(`RESULT ${ok ? 0 : 1} ${desc}`);
  if (!ok && why) for (const l of String(why).split('\n')) console.log(`# ${l}`);
}

async function apiGet(path) {
  const res = await fetch(`${BASE}/api/v1${path}`,
    {headers: {Authorization: `Bearer ${TOKEN}`}});
  return {status: res.status, body: await res.json()};
}

// One assertion that may throw (a timeout): failed, not fatal.
async function check(desc, fn) {
  try {
    const r = await fn();
    if (r === false) result(false, desc);
    else result(true, desc);
  } catch (e) {
    result(false, desc, e && e.message ? e.message.split('\n')[0] : e);
  }
}

(async () => {
  const ctx = await chromium.launchPersistentContext(
    process.env.USER_DATA_DIR, {
      executablePath: process.env.CHROMIUM,
      headless: true,
      viewport: {width: 1440, height: 900},
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
        '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  const errors = [];
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} ` +
      `(${(m.location() || {}).url || '?'})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.stack || e.message}`));

  try {
    await page.goto(`${BASE}/`);
    await check('the token dialog opens', () =>
      page.waitForSelector('#login[open] #token', {state: 'visible'}));
    await page.fill('#token', TOKEN);
    await page.click('#login-submit');
    await check('signed in: the dialog closes', () =>
      page.waitForSelector('#login', {state: 'hidden'}));

    await check('the anomalies list is shown', () =>
      page.waitForSelector('table.anomalies tbody tr'));
    const rules = await page.$$eval('table.anomalies tbody tr a.rule',
      (l) => l.map((a) => a.textContent));
    console.log(`# rules listed: ${rules.join(' ')}`);
    result(rules.includes('drop-exec'), 'a drop-exec row is listed');
    result(rules.includes('account-write'), 'an account-write row is listed');
    const sevColour = await page.$eval('tr:has(a.rule:text-is("drop-exec")) .sev',
      (e) => getComputedStyle(e).backgroundColor).catch(() => '');
    result(/rgb\(179, 20, 27\)/.test(sevColour),
      'the critical drop-exec row has the critical colour', sevColour);
    await check('status counters are filled in', async () => {
      await page.waitForFunction(() =>
        /\d/.test(document.querySelector('[data-counter="events"]')?.textContent));
      const ev = await page.textContent('[data-counter="events"]');
      return Number(ev.replace(/\D/g, '')) > 0;
    });
    await check('the counters row shows what was lost first, gaps last as ' +
      'serials not seen', async () => {
      const row = await page.$$eval('#counters .counter', (l) => l.map((c) =>
        [c.querySelector('.l').textContent, c.querySelector('.n').textContent,
          c.title, c.classList.contains('warn')]));
      console.log(`# counters: ${JSON.stringify(row)}`);
      const [lost, last] = [row[1], row[row.length - 1]];
      return lost[0] === 'lost' && lost[1] === '7' && lost[3] &&
        /kernel: 7 lost, backlog 3 of 8,?192; driftwatch: 0 dropped/
          .test(lost[2]) &&
        last[0] === 'serials not seen' && /filtered by never rules/
          .test(last[2]) && !last[3] && !row.some((c) => c[0] === 'gaps');
    });

    // Filter: severity at least critical leaves the drop-exec only.
    await check('the severity filter keeps the critical anomaly only',
      async () => {
        await page.selectOption('#f-severity', 'critical');
        await page.waitForFunction(() => {
          const r = [...document.querySelectorAll('table.anomalies a.rule')];
          return r.length === 1 && r[0].textContent === 'drop-exec';
        });
        return /severity=critical/.test(page.url());
      });
    await page.goto(`${BASE}/#/anomalies`);
    await page.waitForSelector('tr:has(a.rule:text-is("account-write"))');

    // Ack the drop-exec from the list; the API then says acked.
    const row = 'tr:has(a.rule:text-is("drop-exec"))';
    const id = await page.getAttribute(row, 'data-id');
    await page.click(`${row} button[data-action="ack"]`);
    await check('after ack the row offers unack', () =>
      page.waitForSelector(`${row} button[data-action="unack"]`));
    const after = await apiGet(`/anomalies/${id}`);
    result(after.body && after.body.state === 'acked',
      `the API reports anomaly ${id} acked`, JSON.stringify(after.body));
    if (SHOT) await page.screenshot({path: SHOT, fullPage: true});

    // The anomaly's own page, then its container's process tree.
    await page.goto(`${BASE}/#/anomalies/${id}`);
    await check('the anomaly page shows its reason', async () => {
      await page.waitForSelector('.reason.big');
      return /\/tmp\/\.x/.test(await page.textContent('.reason.big'));
    });
    await check('unack from the anomaly page: the API says open', async () => {
      await page.click('.actions button[data-action="unack"]');
      await page.waitForSelector('.actions button[data-action="ack"]');
      return (await apiGet(`/anomalies/${id}`)).body.state === 'open';
    });
    await page.goto(`${BASE}/#/anomalies`);
    await page.click(`${row} td:nth-child(4) a`);
    await check('the container view shows a process tree', async () => {
      await page.waitForSelector('#process-tree ul.tree li li');
      const t = await page.textContent('#process-tree');
      return t.includes('/tmp/.x') && t.includes('/entry');
    });
    await check('the dropped script is nested under its parent and flagged',
      () => page.waitForSelector(
        '#process-tree li li > .node.flagged:has-text("/tmp/.x")'));
    await check('the container view lists its anomalies', async () => {
      const r = await page.$$eval('table.anomalies a.rule',
        (l) => l.map((a) => a.textContent));
      return r.includes('drop-exec') && r.includes('account-write');
    });
    if (SHOT)
      await page.screenshot({path: SHOT.replace(/\.png$/, '-container.png'),
        fullPage: true});

    // Images: the list, one profile grouped by kind, lock.
    await page.click('nav a[data-nav="images"]');
    await page.waitForSelector('main h1:text-matches("^Images")');
    await page.click(
      'main table.list tbody tr:has-text("localhost/web:1") td:first-child a');
    await check('the image view names the image and groups its profile by kind', async () => {
      await page.waitForSelector('section.kind[data-kind="processes"] tbody tr');
      await page.waitForSelector('section.kind[data-kind="files"] tbody tr');
      const facts = await page.textContent('dl.facts');
      return /learning/.test(facts) && /sha256:/.test(facts) &&
        /localhost\/web:1/.test(await page.textContent('main h1'));
    });
    if (SHOT)
      await page.screenshot({path: SHOT.replace(/\.png$/, '-image.png'),
        fullPage: true});
    const key = decodeURIComponent(page.url().split('#/images/')[1] || '');
    await page.click('#lock');
    await check('lock makes the profile active', async () => {
      await page.waitForFunction(() =>
        /active/.test(document.querySelector('dl.facts')?.textContent));
      const p = await apiGet(`/images/${encodeURIComponent(key)}/profile`);
      return p.body.state === 'active';
    });

    await check('relearn (clicked twice) makes it learn again', async () => {
      await page.click('#relearn');
      await page.waitForSelector('#relearn[data-armed]');
      await page.click('#relearn');
      await page.waitForFunction(() =>
        /learning/.test(document.querySelector('dl.facts')?.textContent));
      const p = await apiGet(`/images/${encodeURIComponent(key)}/profile`);
      return p.body.state === 'learning';
    });

    // The token is kept for the tab: a reload needs no dialog.
    await page.reload();
    await check('the token survives a reload (sessionStorage)', async () => {
      await page.waitForSelector('main h1:has-text("localhost/web:1")',
        { timeout: 30000 });
      return !(await page.isVisible('#login'));
    });
    await page.waitForTimeout(500);
  } catch (e) {
    result(false, 'the browser session completed', e.stack);
  }
  result(errors.length === 0, 'no console or page errors', errors.join('\n'));
  await ctx.close();
})().catch((e) => {
  console.log(`# ${e.stack || e}`);
  process.exit(2);
});
