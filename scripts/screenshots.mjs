#!/usr/bin/env node
// Screenshots of a built portal site for the README, plus a check that no
// page scrolls sideways on a 320px-wide screen.
//
// Usage: node scripts/screenshots.mjs <site-dir> <out-dir>
//
// Serves <site-dir> on 127.0.0.1 (random free port) with a tiny static
// server, opens it in Debian's Chromium (/usr/bin/chromium, or $CHROMIUM)
// through playwright-core, and writes into <out-dir>:
//   startseite-desktop.png startseite-phone.png
//   sitzung-desktop.png    sitzung-phone.png
//   vorlage-desktop.png    vorlage-phone.png
// Exits non-zero if a page does not answer 200, the browser fails, or a
// page is wider than a 320px viewport.

import { createServer } from 'node:http';
import { stat, readFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { chromium } from 'playwright-core';

// Per device: `height` = CSS pixels from the top of the page to capture
// (capped at the page's height); null = the whole page.
const SHOTS = [
  { name: 'startseite', url: '/', desktop: { height: null }, phone: { height: 844 } },
  { name: 'sitzung', url: '/sitzungen/asid-07-wp18/', desktop: { height: 1700 }, phone: { height: 844 } },
  { name: 'vorlage', url: '/vorlagen/fb-56-0010-wp18-1/', desktop: { height: 1700 }, phone: { height: 844 } },
];

const DEVICES = {
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

// Narrowest screen we support (WCAG 1.4.10 reflow: 320 CSS px).
const NARROW = { viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 };
const MAX_OVERFLOW_PAGES = 400;

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};

function fail(message) {
  const err = new Error(message);
  err.expected = true;
  return err;
}

async function isFile(p) {
  try { return (await stat(p)).isFile(); } catch { return false; }
}

async function isDir(p) {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

// Resolve a request path to a file inside root, or null.
async function resolveFile(root, urlPath) {
  let rel;
  try { rel = decodeURIComponent(urlPath.split('?')[0].split('#')[0]); } catch { return null; }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (await isFile(file)) return file;
  if (await isDir(file)) {
    const index = path.join(file, 'index.html');
    if (await isFile(index)) return index;
  }
  return null;
}

function startServer(root) {
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      let status = 200;
      let file = await resolveFile(root, req.url || '/');
      // A folder requested without its trailing slash: redirect, as real
      // servers do, so relative links keep working.
      if (file && file.endsWith(`${path.sep}index.html`) && !req.url.split('?')[0].endsWith('/')
          && !req.url.split('?')[0].endsWith('index.html')) {
        res.writeHead(301, { Location: req.url.split('?')[0] + '/' }).end();
        return;
      }
      if (!file) {
        status = 404;
        file = (await isFile(path.join(root, '404.html'))) ? path.join(root, '404.html') : null;
      }
      const body = file ? await readFile(file) : Buffer.from('Not found\n');
      const type = file ? (TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream') : 'text/plain; charset=utf-8';
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(String(e));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function htmlPages(root, dir = root, out = []) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await htmlPages(root, p, out);
    else if (entry.name === 'index.html') {
      const rel = path.relative(root, path.dirname(p)).split(path.sep).join('/');
      out.push(rel ? `/${rel}/` : '/');
    }
  }
  return out.sort();
}

async function open(page, base, url) {
  let response;
  try {
    response = await page.goto(base + url, { waitUntil: 'load', timeout: 30_000 });
  } catch (e) {
    throw fail(`Seite ${url} ließ sich nicht laden: ${e.message}`);
  }
  if (!response) throw fail(`Seite ${url}: keine Antwort`);
  if (response.status() !== 200) throw fail(`Seite ${url} antwortet mit HTTP ${response.status()} statt 200`);
  // Fonts are system fonts, but wait anyway so layout is final.
  await page.evaluate(() => document.fonts.ready);
}

async function main() {
  const [siteArg, outArg] = process.argv.slice(2);
  if (!siteArg || !outArg) {
    throw fail('Aufruf: node scripts/screenshots.mjs <site-dir> <out-dir>');
  }
  const root = path.resolve(siteArg);
  const outDir = path.resolve(outArg);
  if (!(await isFile(path.join(root, 'index.html')))) {
    throw fail(`${root} enthält keine index.html – erst die Site bauen (portal build --out ${siteArg}).`);
  }
  await mkdir(outDir, { recursive: true });

  let server;
  let browser;
  try {
    server = await startServer(root);
    const base = `http://127.0.0.1:${server.address().port}`;
    const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
    try {
      browser = await chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS, timeout: 60_000 });
    } catch (e) {
      throw fail(`Chromium (${executablePath}) ließ sich nicht starten: ${e.message.split('\n')[0]}\n`
        + 'Installieren mit: apt-get install -y chromium');
    }

    for (const [device, options] of Object.entries(DEVICES)) {
      const context = await browser.newContext({ ...options, colorScheme: 'light', reducedMotion: 'reduce', locale: 'de-DE' });
      try {
        const page = await context.newPage();
        for (const shot of SHOTS) {
          await open(page, base, shot.url);
          const file = path.join(outDir, `${shot.name}-${device}.png`);
          const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
          const height = Math.min(shot[device].height ?? pageHeight, pageHeight);
          await page.screenshot({
            path: file,
            fullPage: true,
            clip: { x: 0, y: 0, width: options.viewport.width, height },
            animations: 'disabled',
          });
          const size = (await stat(file)).size;
          console.log(`${path.relative(process.cwd(), file)}  ${(size / 1024).toFixed(0)} KB  (${shot.url})`);
        }
      } finally {
        await context.close();
      }
    }

    // Reflow check: at 320 CSS px no page may scroll sideways; wide tables
    // must scroll inside their .table-scroll wrapper instead.
    const pages = (await htmlPages(root)).slice(0, MAX_OVERFLOW_PAGES);
    const context = await browser.newContext({ ...NARROW, colorScheme: 'light' });
    const wide = [];
    try {
      const page = await context.newPage();
      for (const url of pages) {
        await open(page, base, url);
        const w = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
        }));
        if (w.scroll > w.viewport) wide.push(`${url} (${w.scroll}px breit)`);
      }
    } finally {
      await context.close();
    }
    if (wide.length) {
      throw fail(`Bei 320px Breite scrollen ${wide.length} von ${pages.length} Seiten seitlich:\n  ${wide.join('\n  ')}`);
    }
    console.log(`Umbruch-Prüfung: keine der ${pages.length} Seiten ist bei 320px breiter als der Bildschirm.`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

main().catch((e) => {
  console.error(`screenshots: ${e.expected ? e.message : (e.stack || e)}`);
  process.exitCode = 1;
});
