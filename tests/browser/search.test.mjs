// The search as a person uses it, in real headless Chromium, on the built seed site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, serve, launch } from './support.mjs';

let site, server, browser;

before(async () => {
  site = await buildSite();
  server = await serve(site);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function searchFor(page, query, extra = '') {
  await page.goto(`${server.url}suche/?q=${encodeURIComponent(query)}${extra}`);
  await page.waitForFunction(() => {
    const s = document.querySelector('#suchstatus')?.textContent || '';
    return s && !s.includes('läuft');
  });
  return page.locator('#suchergebnisse > li');
}

const titles = async (results) => (await results.locator('h3 a').allTextContents()).map((t) => t.trim());
const hrefs = async (results) => results.locator('h3 a').evaluateAll((as) => as.map((a) => a.href));

test('"Querbeet" finds the Querbeet Vorlagen and the Sitzung, with deep links into the TOPs', async () => {
  const page = await browser.newPage();
  const results = await searchFor(page, 'Querbeet');
  const t = await titles(results);
  const h = await hrefs(results);
  for (const nr of ['FB 56/0013/WP18:', 'FB 56/0013/WP18-1:', 'FB 56/0028/WP18:']) {
    assert.ok(t.some((x) => x.startsWith(nr)), `${nr} in ${t.join(' | ')}`);
  }
  assert.ok(t.some((x) => x.startsWith('Sitzung ASID/07/WP18')), 'the Sitzung is found');
  assert.ok(h.some((x) => x.endsWith('/sitzungen/asid-07-wp18/#top-7-1')), 'deep link to the section zu 7.1');
  const marks = await results.locator('mark').allTextContents();
  assert.ok(marks.some((m) => m.toLowerCase().includes('querbeet')), 'excerpt highlights the word');
  await page.close();
});

test('"Hunde" finds the Beschlussvorschlag der Fraktionen', async () => {
  const page = await browser.newPage();
  const results = await searchFor(page, 'Hunde');
  const h = await hrefs(results);
  assert.ok(h.some((x) => x.endsWith('/anlagen/asid-07-wp18-top-20-anlage-1/')), h.join('\n'));
  await page.close();
});

test('a filter narrows the results and is kept in the URL', async () => {
  const page = await browser.newPage();
  const all = await searchFor(page, 'Ausschuss');
  const before = await all.count();
  const total = Number((await page.locator('#suchstatus').textContent()).match(/\d+/)[0]);
  await page.getByLabel('Vorlagen', { exact: false }).first().check();
  await page.waitForFunction((n) => {
    const m = document.querySelector('#suchstatus').textContent.match(/^(\d+) Treffer/);
    return m && Number(m[1]) < n;
  }, total);
  const badges = await page.locator('#suchergebnisse .badge').allTextContents();
  assert.ok(badges.length > 0 && badges.every((b) => b === 'Vorlage'), badges.join(','));
  assert.ok(before > 0);
  assert.match(page.url(), /typ=Vorlage/);
  await page.close();
});

test('a Vorlage-Nr in any spelling leads straight to the Vorlage', async () => {
  const page = await browser.newPage();
  for (const q of ['FB 56/0013/WP18', 'FB56/0013/WP18', '0013/WP18']) {
    await searchFor(page, q);
    const link = page.locator('#direkt a').first();
    assert.equal(await link.getAttribute('href').then((h) => new URL(h, page.url()).pathname), '/vorlagen/fb-56-0013-wp18/', q);
  }
  await page.close();
});

test('the whole flow works by keyboard alone', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  // Skip link first, then the site title, the four navigation links, the search field.
  let focused = '';
  for (let i = 0; i < 12 && focused !== 'kopfsuche'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.id || '');
  }
  assert.equal(focused, 'kopfsuche', 'the header search field is reachable with Tab');
  await page.keyboard.type('Querbeet');
  await page.keyboard.press('Enter');
  await page.waitForURL(/suche\/\?q=Querbeet/);
  await page.waitForSelector('#suchergebnisse li');
  // From the search field, Tab through the form to the first result.
  await page.focus('#q');
  let onResult = false;
  for (let i = 0; i < 30 && !onResult; i++) {
    await page.keyboard.press('Tab');
    onResult = await page.evaluate(() => !!document.activeElement?.closest('#suchergebnisse'));
  }
  assert.ok(onResult, 'a result link is reachable with Tab');
  const target = await page.evaluate(() => document.activeElement.href);
  await page.keyboard.press('Enter');
  await page.waitForURL(target);
  assert.equal(page.url(), target);
  await page.close();
});

test('the back button returns to the previous search', async () => {
  const page = await browser.newPage();
  await searchFor(page, 'Querbeet');
  await page.fill('#q', 'Refugio');
  await page.press('#q', 'Enter');
  await page.waitForURL(/q=Refugio/);
  await page.waitForFunction(() => /Refugio/.test(document.querySelector('#suchstatus').textContent));
  await page.goBack();
  await page.waitForFunction(() => /Querbeet/.test(document.querySelector('#suchstatus').textContent));
  assert.equal(await page.inputValue('#q'), 'Querbeet');
  await page.close();
});

test('works on a phone-sized window without sideways scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const results = await searchFor(page, 'Obdachlose');
  assert.ok(await results.count() > 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await context.close();
});

test('without JavaScript the search page says so and offers the lists', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}suche/?q=Querbeet`);
  const text = await page.locator('main').innerText();
  assert.match(text, /braucht JavaScript/);
  assert.ok(await page.locator('main a[href="../sitzungen/"]').count() === 1);
  await context.close();
});

test('works under a sub-path and reports what a first query transfers', async () => {
  const sub = await serve(site, '/ratsinfo/');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${sub.url}vorlagen/fb-56-0051-wp18/`);
  const before = sub.stats.bytes;
  await page.fill('#kopfsuche', 'Obdachlose');
  await page.press('#kopfsuche', 'Enter');
  await page.waitForSelector('#suchergebnisse li');
  await page.waitForLoadState('networkidle');
  const transferred = sub.stats.bytes - before;
  console.log(`first query on the seed site: ${transferred} bytes in ${sub.stats.requests.length} requests (search page, script, index files)`);
  assert.ok(new URL(page.url()).pathname.startsWith('/ratsinfo/suche/'));
  assert.ok(await page.locator('#suchergebnisse li').count() > 0);
  assert.ok(transferred < 300_000, `${transferred} bytes`);
  await context.close();
  await sub.close();
});

test('the browser stems exactly like the index (tests/fixtures/stems.tsv)', async () => {
  const { readFile } = await import('node:fs/promises');
  const { repo } = await import('./support.mjs');
  const pairs = (await readFile(`${repo}/tests/fixtures/stems.tsv`, 'utf8')).trim().split('\n').map((l) => l.split('\t'));
  const page = await browser.newPage();
  await page.goto(`${server.url}suche/`);
  const wrong = await page.evaluate((list) => list.filter(([w, s]) => window.portalSuche.stem(w) !== s).map(([w, s]) => `${w}: ${window.portalSuche.stem(w)} != ${s}`), pairs);
  assert.deepEqual(wrong, [], `${wrong.length} of ${pairs.length} differ`);
  await page.close();
});
