// Shared by the browser tests: build a site with the real binary, serve it on 127.0.0.1
// (optionally under a sub-path), and launch Debian's Chromium through playwright-core.
import { createServer } from 'node:http';
import { readFile, stat, mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.bin': 'application/octet-stream', '.svg': 'image/svg+xml', '.pdf': 'application/pdf',
};

/** Builds `args` (e.g. the repository's own site) into a fresh temp folder. */
export async function buildSite(args = []) {
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'portal-browser-')), 'site');
  const binary = path.join(repo, 'target', 'debug', 'portal');
  try { await stat(binary); } catch { execFileSync('cargo', ['build'], { cwd: repo, stdio: 'inherit' }); }
  execFileSync(binary, ['build', '--out', out, ...args], { cwd: repo, stdio: 'pipe' });
  return out;
}

/** Serves `dir` at http://127.0.0.1:<port><base>; counts the bytes it sends. */
export async function serve(dir, base = '/') {
  const stats = { bytes: 0, requests: [] };
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!pathname.startsWith(base)) { res.writeHead(404).end(); return; }
    let file = path.join(dir, pathname.slice(base.length));
    if (!file.startsWith(dir)) { res.writeHead(400).end(); return; }
    try {
      if ((await stat(file)).isDirectory()) {
        if (!pathname.endsWith('/')) { res.writeHead(301, { Location: pathname + '/' }).end(); return; }
        file = path.join(file, 'index.html');
      }
      const body = await readFile(file);
      stats.bytes += body.length;
      stats.requests.push({ path: pathname, bytes: body.length });
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
    } catch {
      const body = await readFile(path.join(dir, '404.html')).catch(() => Buffer.from('not found'));
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}${base}`;
  return { url, stats, close: () => new Promise((resolve) => server.close(resolve)) };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
