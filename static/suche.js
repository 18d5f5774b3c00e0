/* portal – Suche. Runs only on the search page; everything else works without JavaScript.
   Reads the static index in suche/ (see src/index/search.rs): the entry file, one chunk of
   the dictionary per query word, one fragment per result shown. */
(() => {
  'use strict';

  const script = document.currentScript;
  const root = new URL(script.dataset.root || './', location.href);
  const url = (path) => new URL(path, root).href;
  const $ = (sel) => document.querySelector(sel);
  const PAGE = 20;

  /* ---- Snowball German stemmer: the same algorithm as src/index/stem.rs ---- */
  const VOWELS = 'aeiouyäöü';
  const isVowel = (c) => VOWELS.includes(c);
  const endsWith = (w, s) => w.length >= s.length && w.slice(w.length - s.length).join('') === s;
  const longest = (w, list) => list.filter((s) => endsWith(w, s)).sort((a, b) => b.length - a.length)[0];
  function regions(w) {
    const len = w.length;
    if (len < 3) return [len, len];
    const after = (from) => {
      let i = from;
      while (i < len && !isVowel(w[i])) i++;
      while (i < len && isVowel(w[i])) i++;
      return i < len ? i + 1 : len;
    };
    const p1 = after(0);
    const p2 = after(p1);
    return [Math.max(p1, 3), p2];
  }
  function stem(word) {
    const w = [];
    for (const c of word) { if (c === 'ß') w.push('s', 's'); else w.push(c); }
    for (let i = 1; i + 1 < w.length;) {
      if (isVowel(w[i - 1]) && (w[i] === 'u' || w[i] === 'y') && isVowel(w[i + 1])) { w[i] = w[i].toUpperCase(); i += 3; } else i++;
    }
    const [p1, p2] = regions(w);
    let s = longest(w, ['em', 'ern', 'er', 'e', 'en', 'es', 's']);
    if (s) {
      const start = w.length - s.length;
      if (start >= p1) {
        if (s === 's') { if (start > 0 && 'bdfghklmnrt'.includes(w[start - 1])) w.length = start; }
        else if (s === 'e' || s === 'en' || s === 'es') { w.length = start; if (endsWith(w, 'niss')) w.pop(); }
        else w.length = start;
      }
    }
    s = longest(w, ['en', 'er', 'est', 'st']);
    if (s) {
      const start = w.length - s.length;
      if (start >= p1) {
        if (s === 'st') { if (start >= 4 && 'bdfghklmnt'.includes(w[start - 1])) w.length = start; }
        else w.length = start;
      }
    }
    s = longest(w, ['end', 'ung', 'ig', 'ik', 'isch', 'lich', 'heit', 'keit']);
    if (s) {
      const start = w.length - s.length;
      if (start >= p2) {
        if (s === 'end' || s === 'ung') {
          w.length = start;
          if (endsWith(w, 'ig')) { const ig = w.length - 2; if (ig >= p2 && (ig === 0 || w[ig - 1] !== 'e')) w.length = ig; }
        } else if (s === 'ig' || s === 'ik' || s === 'isch') {
          if (start === 0 || w[start - 1] !== 'e') w.length = start;
        } else if (s === 'lich' || s === 'heit') {
          w.length = start;
          if (endsWith(w, 'er') || endsWith(w, 'en')) { const e = w.length - 2; if (e >= p1) w.length = e; }
        } else {
          w.length = start;
          const s2 = longest(w, ['lich', 'ig']);
          if (s2 && w.length - s2.length >= p2) w.length -= s2.length;
        }
      }
    }
    return w.map((c) => ({ U: 'u', Y: 'y', 'ä': 'a', 'ö': 'o', 'ü': 'u' }[c] || c)).join('');
  }

  // For tests: the browser test compares this stemmer with tests/fixtures/stems.tsv.
  window.portalSuche = { stem };

  const STOP = new Set(('aber als am an auch auf aus bei bis das dass daß dem den der des die dies diese dieser dieses ' +
    'durch ein eine einem einen einer eines er es für hat im in ist mit nach nicht noch nur oder sich sie sind so um ' +
    'und vom von vor war wird werden wie zu zum zur').split(' '));
  const words = (text) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter((w) => [...w].length <= 40);
  const isNumber = (w) => /^[0-9]+$/.test(w);
  const term = (w) => (STOP.has(w) || ([...w].length < 2 && !isNumber(w)) ? null : isNumber(w) ? w : stem(w));

  /* ---- Index access ---- */
  async function gunzip(path) {
    const response = await fetch(url(path));
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  const utf8 = new TextDecoder();
  let entryPromise;
  const entry = () => (entryPromise ||= gunzip('suche/index.bin').then((b) => JSON.parse(utf8.decode(b))));
  const chunkCache = new Map();
  // A chunk's file is named after its first term, in hex of its UTF-8 bytes.
  const utf8Encoder = new TextEncoder();
  const hex = (t) => [...utf8Encoder.encode(t)].map((b) => b.toString(16).padStart(2, '0')).join('');
  function chunk(chunks, n) {
    if (!chunkCache.has(n)) chunkCache.set(n, gunzip(`suche/i/${hex(chunks[n])}.bin`).then(decodeChunk));
    return chunkCache.get(n);
  }
  function decodeChunk(bytes) {
    const terms = new Map();
    let pos = 0;
    const varint = () => { let v = 0, shift = 0, b; do { b = bytes[pos++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return v; };
    while (pos < bytes.length) {
      const len = varint();
      const t = utf8.decode(bytes.subarray(pos, pos + len)); pos += len;
      const flags = varint();
      const n = varint();
      const ids = new Uint32Array(n);
      let last = 0;
      for (let i = 0; i < n; i++) { last += varint(); ids[i] = last; }
      const weights = bytes.subarray(pos, pos + n); pos += n;
      terms.set(t, { truncated: (flags & 1) === 1, df: Math.floor(flags / 2), ids, weights });
    }
    return terms;
  }
  function chunkFor(chunks, t) {
    let lo = 0, hi = chunks.length - 1, found = 0;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (chunks[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return found;
  }
  async function postings(e, t, prefix) {
    const result = new Map();
    let truncated = false;
    // BM25: the chunk holds each record's term-frequency part; the idf comes from the
    // term's document frequency and the number of records.
    const add = (p) => {
      truncated ||= p.truncated;
      const idf = Math.log((e.records - p.df + 0.5) / (p.df + 0.5) + 1);
      p.ids.forEach((id, i) => { const w = idf * p.weights[i]; if ((result.get(id) || 0) < w) result.set(id, w); });
    };
    if (!e.chunks.length) return { map: result, truncated };
    const exact = (await chunk(e.chunks, chunkFor(e.chunks, t))).get(t);
    if (exact) add(exact);
    if (prefix && prefix.length >= 3) {
      let n = chunkFor(e.chunks, prefix), expansions = 0;
      for (let k = 0; k < 3 && n < e.chunks.length; k++, n++) {
        if (k > 0 && !e.chunks[n].startsWith(prefix)) break;
        for (const [key, p] of await chunk(e.chunks, n)) {
          if (key.startsWith(prefix) && key !== t && expansions < 40) { add(p); expansions++; }
        }
      }
    }
    return { map: result, truncated };
  }

  /* ---- Search ---- */
  async function search(query) {
    const e = await entry();
    const raw = words(query);
    const lists = [];
    for (let i = 0; i < raw.length; i++) {
      const t = term(raw[i]);
      if (!t) continue;
      const last = i === raw.length - 1;
      lists.push(await postings(e, t, last && !isNumber(raw[i]) ? raw[i] : null));
    }
    if (!lists.length) return [];
    const required = lists.filter((l) => !l.truncated);
    const base = (required.length ? required : lists).slice().sort((a, b) => a.map.size - b.map.size);
    const scores = new Map();
    outer: for (const [id, w] of base[0].map) {
      let score = w;
      for (const l of base.slice(1)) { const x = l.map.get(id); if (x === undefined) continue outer; score += x; }
      for (const l of lists) if (!base.includes(l)) score += l.map.get(id) || 0;
      scores.set(id, score);
    }
    return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id]) => id);
  }
  function groupOf(e, id) {
    let lo = 0, hi = e.groups.length - 1, found = 0;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (e.groups[mid].s <= id) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return e.groups[found];
  }

  /* ---- Vorlage-Nr: FB 56/0013/WP18, FB56/0013/WP18, 0013/WP18 ---- */
  async function nrMatches(query) {
    const q = query.trim().replace(/^(vorlage(-?nr)?|nr)\.?:?\s*/i, '');
    if (!/\d/.test(q) || !q.includes('/')) return [];
    const groups = q.match(/\d+/g) || [];
    const key = [...groups].reverse().find((g) => g.length >= 3) || groups[groups.length - 1];
    let entries;
    try { entries = JSON.parse(utf8.decode(await gunzip(`suche/nr/${key}.bin`))); } catch { return []; }
    const norm = (s) => s.toLowerCase().replace(/\s+/g, '');
    const nq = norm(q);
    return entries
      .map(([nr, slug, titel]) => ({ nr, titel, url: `vorlagen/${slug}/` }))
      .filter((x) => { const n = norm(x.nr); return n === nq || (nq.length >= 6 && n.endsWith(nq) && /[^a-z0-9]/.test(n[n.length - nq.length - 1] || '/')); });
  }

  /* ---- Rendering ---- */
  const escape = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  function excerpt(text, stems, prefix) {
    const tokens = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
    const hit = (w) => { const l = w.toLowerCase(); const t = term(l); return (t && stems.has(t)) || (prefix && prefix.length >= 3 && l.startsWith(prefix)); };
    const first = tokens.find((m) => hit(m[0]));
    let start = first ? Math.max(0, first.index - 90) : 0;
    if (start > 0) { const space = text.indexOf(' ', start); start = space > 0 && space < first.index ? space + 1 : start; }
    let end = Math.min(text.length, start + 260);
    const space = text.lastIndexOf(' ', end);
    if (end < text.length && space > start + 100) end = space;
    let out = start > 0 ? '… ' : '';
    let pos = start;
    for (const m of tokens) {
      if (m.index < start || m.index + m[0].length > end) continue;
      if (hit(m[0])) { out += escape(text.slice(pos, m.index)) + '<mark>' + escape(m[0]) + '</mark>'; pos = m.index + m[0].length; }
    }
    out += escape(text.slice(pos, end)).replace(/\s+/g, ' ') + (end < text.length ? ' …' : '');
    return out;
  }
  // A fragment file holds `fragments` consecutive records; each file is fetched once.
  const fragmentFiles = new Map();
  async function fragment(id) {
    const per = (await entry()).fragments;
    const file = Math.floor(id / per);
    if (!fragmentFiles.has(file)) {
      const load = gunzip(`suche/f/${Math.floor(file / 1000)}/${file}.bin`).then((b) => JSON.parse(utf8.decode(b)));
      load.catch(() => fragmentFiles.delete(file));
      fragmentFiles.set(file, load);
    }
    return (await fragmentFiles.get(file))[id - file * per];
  }

  const form = $('#suchformular');
  const status = $('#suchstatus');
  const list = $('#suchergebnisse');
  const more = $('#mehr-ergebnisse');
  const direct = $('#direkt');
  if (!form || !status || !list) return;
  document.documentElement.classList.add('js');
  const params = new URLSearchParams(location.search);
  const query = (params.get('q') || '').trim();
  form.q.value = query;
  for (const name of ['typ', 'gremium', 'jahr']) {
    const value = params.get(name) || '';
    const field = form.elements[name];
    if (field) field.value = value;
  }

  let matches = [];
  let shown = 0;
  let stems = new Set();
  let prefix = null;

  function selected() {
    return { typ: form.elements.typ ? form.elements.typ.value : '', gremium: form.gremium.value, jahr: form.jahr.value };
  }
  async function showMore(focusFirst) {
    const next = matches.slice(shown, shown + PAGE);
    const items = await Promise.all(next.map(async (id) => {
      try { return await fragment(id); } catch { return null; }
    }));
    let firstLink = null;
    for (const f of items) {
      if (!f) continue;
      const li = document.createElement('li');
      li.className = 'result';
      li.innerHTML = `<h3><a href="${escape(url(f.u))}">${escape(f.t)}</a></h3>` +
        `<p class="meta"><span class="badge">${escape(f.y)}</span> ${escape(f.d)}${f.g ? ' · ' + escape(f.g) : ''}</p>` +
        `<p class="excerpt">${excerpt(f.x, stems, prefix)}</p>`;
      list.append(li);
      firstLink ||= li.querySelector('a');
    }
    shown += next.length;
    more.hidden = shown >= matches.length;
    if (focusFirst && firstLink) firstLink.focus();
  }
  async function run() {
    list.innerHTML = '';
    direct.innerHTML = '';
    direct.hidden = true;
    more.hidden = true;
    shown = 0;
    if (!query) { status.textContent = 'Geben Sie einen Suchbegriff ein, einen Namen oder eine Vorlage-Nummer.'; return; }
    status.textContent = 'Suche läuft …';
    try {
      const [ids, nrs, e] = await Promise.all([search(query), nrMatches(query).catch(() => []), entry()]);
      const raw = words(query);
      stems = new Set(raw.map(term).filter(Boolean));
      prefix = raw.length && !isNumber(raw[raw.length - 1]) ? raw[raw.length - 1] : null;
      if (nrs.length) {
        direct.innerHTML = '<h2>Direkt zur Vorlage</h2><ul>' + nrs.map((x) => `<li><a href="${escape(url(x.url))}">Vorlage ${escape(x.nr)}: ${escape(x.titel)}</a></li>`).join('') + '</ul>';
        direct.hidden = false;
      }
      const f = selected();
      const counts = { typ: new Map(), gremium: new Map(), jahr: new Map() };
      matches = ids.filter((id) => {
        const g = groupOf(e, id);
        counts.typ.set(g.y, (counts.typ.get(g.y) || 0) + 1);
        counts.gremium.set(g.g || '', (counts.gremium.get(g.g || '') || 0) + 1);
        counts.jahr.set(g.j, (counts.jahr.get(g.j) || 0) + 1);
        return (!f.typ || g.y === f.typ) && (!f.gremium || g.g === f.gremium) && (!f.jahr || g.j === f.jahr);
      });
      for (const [name, map] of Object.entries(counts)) {
        for (const option of form.querySelectorAll(`[data-facet="${name}"]`)) {
          const n = map.get(option.dataset.value) || 0;
          const label = option.dataset.label;
          if (option.tagName === 'OPTION') option.textContent = `${label} (${n})`;
          else option.textContent = `(${n})`;
        }
      }
      const filtered = f.typ || f.gremium || f.jahr ? ' mit den gewählten Filtern' : '';
      await showMore(false);
      // Announced once the results are there.
      status.textContent = matches.length === 0
        ? `Keine Treffer für „${query}“${filtered}.` + (nrs.length ? ' Die Vorlage steht oben.' : '')
        : `${matches.length} Treffer für „${query}“${filtered}.`;
    } catch (err) {
      status.textContent = 'Die Suche ist gerade nicht verfügbar. Bitte nutzen Sie die Listen der Sitzungen und Vorlagen.';
      console.error(err);
    }
  }
  more.addEventListener('click', () => showMore(true));
  for (const name of ['typ', 'gremium', 'jahr']) {
    for (const field of form.querySelectorAll(`[name="${name}"]`)) {
      field.addEventListener('change', () => {
        const next = new URLSearchParams(new FormData(form));
        for (const [k, v] of [...next]) if (!v) next.delete(k);
        history.replaceState(null, '', `?${next}`);
        run();
      });
    }
  }
  run();
})();
