// Every page of the built seed site: axe-core's WCAG 2.0/2.1 A and AA rules in real
// Chromium, and the Nu Html Checker (vnu) — zero violations, zero errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildSite, serve, launch, repo } from './support.mjs';

const require = createRequire(import.meta.url);
let site, server, browser, axeSource;

before(async () => {
  site = await buildSite();
  server = await serve(site);
  browser = await launch();
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function htmlFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await htmlFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
    else if (entry.name.endsWith('.html')) out.push(prefix + (entry.name === 'index.html' ? '' : entry.name));
  }
  return out.sort();
}

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

test('axe finds no WCAG 2.1 A/AA violation on any page, in light and dark mode', async () => {
  const pages = await htmlFiles(site);
  assert.ok(pages.length > 50, `${pages.length} pages`);
  const problems = [];
  for (const scheme of ['light', 'dark']) {
    // The page's own Content-Security-Policy would block the injected axe script.
    const context = await browser.newContext({ bypassCSP: true, colorScheme: scheme });
    const page = await context.newPage();
    for (const p of pages) {
      await page.goto(server.url + p);
      for (const v of await axe(page)) problems.push(`${scheme} /${p}: ${v}`);
    }
    // The search page with results, filters and excerpts.
    await page.goto(`${server.url}suche/?q=Querbeet`);
    await page.waitForSelector('#suchergebnisse li');
    for (const v of await axe(page)) problems.push(`${scheme} /suche/?q=Querbeet: ${v}`);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('the Nu Html Checker reports no error on any page', () => {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  let output = '';
  try {
    output = execFileSync('java', ['-jar', jar, '--errors-only', '--skip-non-html', site], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    output = `${e.stdout || ''}${e.stderr || ''}`;
  }
  assert.equal(output.trim(), '', output);
});

test('headings form an outline, tables are labelled, and nothing scrolls sideways at 320 px or 200 % zoom', async () => {
  const pages = await htmlFiles(site);
  const problems = [];
  for (const width of [320, 640]) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const p of pages) {
      await page.goto(server.url + p);
      const r = await page.evaluate(() => {
        const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
        const skips = levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1).length;
        const tables = [...document.querySelectorAll('table')];
        return {
          h1: levels.filter((l) => l === 1).length,
          first: levels[0],
          skips,
          uncaptioned: tables.filter((t) => !t.querySelector('caption')).length,
          unscoped: [...document.querySelectorAll('thead th')].filter((th) => !th.getAttribute('scope')).length,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          lang: document.documentElement.lang,
          skipLink: !!document.querySelector('a.skip-link[href="#inhalt"]'),
        };
      });
      const where = `${width}px /${p}`;
      if (r.h1 !== 1 || r.first !== 1) problems.push(`${where}: ${r.h1} h1, first heading h${r.first}`);
      if (r.skips) problems.push(`${where}: ${r.skips} skipped heading levels`);
      if (r.uncaptioned) problems.push(`${where}: ${r.uncaptioned} tables without caption`);
      if (r.unscoped) problems.push(`${where}: ${r.unscoped} header cells without scope`);
      if (r.overflow > 0) problems.push(`${where}: page ${r.overflow}px wider than the window`);
      if (r.lang !== 'de') problems.push(`${where}: lang=${r.lang}`);
      if (!r.skipLink) problems.push(`${where}: no skip link`);
    }
    await context.close();
  }
  assert.deepEqual(problems, []);
});
