// Measures what a first search transfers: serves a built site on 127.0.0.1, opens the
// search page in a fresh headless Chromium (empty cache) with ?q=<query> and sums the bytes
// of every response until the results are shown.
//   node scripts/search-transfer.mjs <site-dir> <query> [<query> …]
import { serve, launch } from '../tests/browser/support.mjs';

const [site, ...queries] = process.argv.slice(2);
if (!site || !queries.length) {
  console.error('usage: node scripts/search-transfer.mjs <site-dir> <query> [<query> …]');
  process.exit(2);
}
const server = await serve(site);
const browser = await launch();
try {
  for (const q of queries) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const before = server.stats.requests.length;
    await page.goto(`${server.url}suche/?q=${encodeURIComponent(q)}`);
    await page.waitForFunction(() => /Treffer|Keine/.test(document.querySelector('#suchstatus')?.textContent || ''), null, { timeout: 60000 });
    await page.waitForLoadState('networkidle');
    const requests = server.stats.requests.slice(before);
    const total = requests.reduce((n, r) => n + r.bytes, 0);
    const kind = (p) => (p.includes('/suche/f/') ? 'fragments' : p.includes('/suche/i/') ? 'chunks' : p.endsWith('/suche/index.bin') ? 'entry' : p.includes('/suche/nr/') ? 'nr' : 'page+assets');
    const byKind = {};
    for (const r of requests) byKind[kind(r.path)] = (byKind[kind(r.path)] || 0) + r.bytes;
    const status = await page.locator('#suchstatus').textContent();
    console.log(`${JSON.stringify(q)}: ${total} bytes in ${requests.length} requests ${JSON.stringify(byKind)} — ${status}`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
