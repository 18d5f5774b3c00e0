// Hostile input (tests/fixtures/xss) opened in real Chromium: no payload may run script.
// Every page of the built site is visited, and the search shows the hostile titles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { buildSite, serve, launch, repo } from './support.mjs';

let site, server, browser;
before(async () => {
  site = await buildSite(['--content', path.join(repo, 'tests/fixtures/xss/content')]);
  server = await serve(site);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function pages(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await pages(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
    else if (entry.name === 'index.html') out.push(prefix);
  }
  return out;
}

test('no page and no search result runs injected script', async () => {
  const page = await browser.newPage();
  const fired = [];
  page.on('dialog', async (d) => { fired.push(`${page.url()}: ${d.message()}`); await d.dismiss(); });
  const list = await pages(site);
  assert.ok(list.length > 8, list.join(','));
  for (const p of list) {
    await page.goto(server.url + p);
    // Hover and click everything that could carry a handler.
    for (const el of await page.locator('main *').all()) await el.hover({ timeout: 200 }).catch(() => {});
  }
  await page.goto(`${server.url}suche/?q=Titel`);
  await page.waitForSelector('#suchergebnisse li');
  await page.goto(`${server.url}suche/?q=alert`);
  await page.waitForFunction(() => /Treffer/.test(document.querySelector('#suchstatus').textContent));
  assert.deepEqual(fired, []);
  await page.close();
});
