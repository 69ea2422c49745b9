// End-to-end test of a static publication (`bando publish`) in real headless Chromium,
// with no bando process: this script serves the published folder itself with a plain
// static file server (Node's http module) that answers HTTP range requests, as object
// storage or nginx do. Run by tests/static_site.rs, which publishes the embedded data and
// passes what the page must show in BANDO_E2E (JSON, computed from the source CSV files).
//
// Environment: BANDO_SITE_DIR (the published folder), BANDO_E2E, SCREENSHOTS (folder for
// PNGs), CHROMIUM (default /usr/bin/chromium).
//
// Steps: serve the folder; a range request for an archive's header answers 206 with those
// bytes; open the root page (which sends the browser to the current site version, keeping
// the view in the hash) over Xã Dương Xá, names off; wait until the tiles from the PMTiles
// archive are drawn; the pixel at the commune's label point has its level's class colour;
// a click opens a popup built from the tile's properties (name, district, level); search
// "phu cat" lists the Phú Cát communes, names several things share come in the
// server's order ("Phú Cát" the commune, "phu tho" the province), and "name district" of a shared name puts that
// commune first, and Dương Xá typed with a slip (with its district, and without spaces)
// is the first hit, as on the server; on edition 2025, Dương Xá's old name and district find the commune that
// took it; turning the names on fetches glyph ranges (200); no request went to
// /api/, raster mode is hidden. The statistics panel, opened from its button and from the
// popup's province link, shows the numbers counted from the CSV files, read from the
// published stats/ files. Prints one "ok"/"not ok" line per check;
// exits 1 when any check failed or the script stopped.

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { assert, checks, chromiumArgs, CHROMIUM, requireEnv, SHOTS, watchPageProblems } from './harness.mjs';
import { colourDistance, rgb } from './pixels.mjs';
import { assertStats, statsRows } from './stats_panel.mjs';

const RUNNER = 'tests/static_site.rs';

const ROOT = requireEnv('BANDO_SITE_DIR', RUNNER);
const EXPECT = JSON.parse(requireEnv('BANDO_E2E', RUNNER));
const ARGS = chromiumArgs({ webgl: true });
const TIMEOUT = 120_000;
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.pbf': 'application/x-protobuf', '.pmtiles': 'application/vnd.pmtiles',
};

const { check, stopped, finish } = checks();

// Folded as a reader types without diacritics: "Xã Phú Cát" → "xa phu cat".
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
const withoutPrefix = (s) => s.replace(/^(xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh) /, '');

// ---- a plain static file server with single-range support ----

const log = [];   // { path, status, range }
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const done = (status) => log.push({ path, status, range: req.headers.range || null });
  let file = normalize(join(ROOT, path));
  if (!(file + sep).startsWith(normalize(ROOT + sep))) { res.writeHead(403).end(); return done(403); }
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) { file = join(file, 'index.html'); stat = statSync(file); }
  } catch (e) { res.writeHead(404).end(); return done(404); }
  const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
  if (m && (m[1] || m[2])) {
    let start = m[1] ? Number(m[1]) : Math.max(0, stat.size - Number(m[2]));
    let end = m[1] && m[2] ? Math.min(Number(m[2]), stat.size - 1) : stat.size - 1;
    if (start > end || start >= stat.size) {
      res.writeHead(416, { 'Content-Range': `bytes */${stat.size}` }).end();
      return done(416);
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${stat.size}`, 'Content-Length': end - start + 1 });
    done(206);
    if (req.method === 'HEAD') return res.end();
    return createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'Content-Length': stat.size });
  done(200);
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const BASE = `http://127.0.0.1:${server.address().port}`;

const c = EXPECT.commune;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: TIMEOUT });
try {
  const manifest = await (await fetch(`${BASE}/manifest.json`)).json();
  const archive = manifest.files.find((f) => f.role === 'site_archive' && f.view.map === 'ntm' && f.view.edition === 2024);

  await check('a range request for an archive answers 206 with the PMTiles v3 header', async () => {
    assert(archive, 'the manifest lists the archive of ntm 2024');
    const r = await fetch(`${BASE}/${archive.path}`, { headers: { Range: 'bytes=0-126' } });
    assert(r.status === 206, `status ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert(bytes.length === 127, `${bytes.length} bytes`);
    assert(new TextDecoder().decode(bytes.slice(0, 7)) === 'PMTiles' && bytes[7] === 3, 'magic and version');
    assert(r.headers.get('content-range') === `bytes 0-126/${archive.bytes}`, r.headers.get('content-range'));
  });

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  watchPageProblems(context, problems);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));

  const hash = `#map=ntm&z=11.5&c=${c.lon},${c.lat}&year=${EXPECT.year}&edition=2024&names=0`;
  await page.goto(`${BASE}/${hash}`, { timeout: TIMEOUT });

  await check('the root page sends the reader to the current site, keeping the view', async () => {
    await page.waitForURL(/\/site\/[^/]+\/#map=ntm/, { timeout: TIMEOUT });
    const index = manifest.files.find((f) => f.role === 'site_index');
    assert(index && index.path === 'index.html', 'the manifest names the root page');
    assert(page.url().includes(`year=${EXPECT.year}`), page.url());
  });

  await check('tiles from the PMTiles archive are drawn', async () => {
    await page.waitForFunction(() => {
      const m = window.bandoMap;
      if (!m || !m.isStyleLoaded()) return false;
      const source = m.getStyle().sources.bando;
      if (!source || !String(source.url).startsWith('pmtiles://')) return false;
      if (!m.loaded() || !m.areTilesLoaded() || m.isMoving()) return false;
      return m.queryRenderedFeatures({ layers: ['communes-fill'] }).length > 0;
    }, null, { timeout: TIMEOUT, polling: 250 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const url = await page.evaluate(() => window.bandoMap.getStyle().sources.bando.url);
    assert(url.endsWith(archive.path.split('/').slice(2).join('/')), `${url} is not ${archive.path}`);
    const ranges = log.filter((l) => l.path.endsWith('.pmtiles') && l.status === 206);
    assert(ranges.length >= 2, `range requests answered 206: ${ranges.length}`);
  });

  // The page point of the commune's label point.
  const at = await page.evaluate(([lon, lat]) => {
    const m = window.bandoMap;
    const p = m.project([lon, lat]);
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y, px: p };
  }, [c.lon, c.lat]);

  await check(`the commune's pixels have its class colour (${c.class})`, async () => {
    const legend = await page.evaluate(() => window.bandoMap.getStyle().metadata['bando:legend']);
    const colours = Object.fromEntries(legend.classes.map((k) => [k.key, rgb(k.fill)]));
    // A point of the commune clear of the pilot and tourism circles drawn at its label
    // point (the tiles say which commune and which points are there).
    const spot = await page.evaluate(([code, x0, y0]) => {
      const m = window.bandoMap;
      const r = m.getCanvas().getBoundingClientRect();
      for (const d of [0, 14, 20, 28, 36]) {
        for (const [dx, dy] of [[d, 0], [-d, 0], [0, d], [0, -d], [d, d], [-d, -d], [d, -d], [-d, d]]) {
          const p = [x0 - r.left + dx, y0 - r.top + dy];
          const f = m.queryRenderedFeatures(p, { layers: ['communes-fill'] });
          const near = m.queryRenderedFeatures([[p[0] - 10, p[1] - 10], [p[0] + 10, p[1] + 10]], { layers: ['pilots', 'tourism', 'communes-line', 'districts-line', 'provinces-line'].filter((id) => m.getLayer(id)) });
          if (f.length && f[0].properties.code === code && !near.length) return { x: r.left + p[0], y: r.top + p[1] };
        }
      }
      return null;
    }, [c.code, at.x, at.y]);
    assert(spot, 'no point of the commune clear of points and borders near its label point');
    const png = await page.screenshot({ clip: { x: Math.round(spot.x), y: Math.round(spot.y), width: 1, height: 1 } });
    const seen = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(1, 1);
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      return Array.from(canvas.getContext('2d').getImageData(0, 0, 1, 1).data.slice(0, 3));
    }, png.toString('base64'));
    const nearest = Object.entries(colours).reduce((best, e) => (colourDistance(e[1], seen) < colourDistance(best[1], seen) ? e : best))[0];
    assert(nearest === c.class, `pixel ${seen} is nearest to ${nearest}, expected ${c.class} ${colours[c.class]}`);
  });

  await check('a click opens a popup from the tile properties: name, district, level', async () => {
    await page.mouse.click(at.x, at.y);
    const popup = page.locator('.maplibregl-popup .commune');
    await popup.waitFor({ timeout: TIMEOUT });
    assert((await popup.getAttribute('data-code')) === c.code, `code ${await popup.getAttribute('data-code')}`);
    assert((await popup.getAttribute('data-level')) === c.class, `level ${await popup.getAttribute('data-level')}`);
    const text = await popup.innerText();
    assert(text.includes(c.name), `no ${c.name} in ${text}`);
    assert(text.includes(c.district), `no ${c.district} in ${text}`);
    await page.screenshot({ path: join(SHOTS, 'static-viewer-popup.png') });
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
  });

  await check('statistics of the whole country from the published file, numbers counted from the CSV files', async () => {
    await page.locator('#stats-toggle').click();
    await page.locator('#stats').waitFor({ state: 'visible', timeout: TIMEOUT });
    assertStats(await statsRows(page, TIMEOUT), EXPECT.stats.nation, 'whole country');
    assert(await page.locator('#stats svg.chart rect.bar').count() === 5, 'the chart has not 5 bars');
    const files = log.filter((l) => l.path.endsWith(`/stats/2024-${EXPECT.year}/nation.json`));
    assert(files.length && files.every((l) => l.status === 200), `stats file requests: ${JSON.stringify(files)}`);
    // The publication's own exports of the communes, Excel first, from the static server.
    const links = await page.$$eval('#stats .downloads a', (as) => as.map((a) => ({ format: a.dataset.format, href: a.href })));
    assert(links.map((l) => l.format).join() === 'xlsx,csv,geojson', `download links: ${JSON.stringify(links)}`);
    for (const { format, href } of links) {
      assert(new URL(href).pathname.endsWith(`/communes-2024-${EXPECT.year}.${format}`), href);
      const answer = await fetch(href);
      assert(answer.status === 200 && (await answer.arrayBuffer()).byteLength > 1000, `${href}: ${answer.status}`);
    }
  });

  await check(`the popup's province link shows ${EXPECT.stats.province.name}'s statistics from its file`, async () => {
    await page.mouse.click(at.x, at.y);
    await page.locator('.maplibregl-popup .province-stats').click({ timeout: TIMEOUT });
    await page.waitForFunction((name) => document.getElementById('stats-scope').textContent.includes(name), EXPECT.stats.province.name, { timeout: TIMEOUT });
    assertStats(await statsRows(page, TIMEOUT), EXPECT.stats.province.numbers, EXPECT.stats.province.name);
    const file = `/stats/2024-${EXPECT.year}/${EXPECT.stats.province.code}.json`;
    assert(log.some((l) => l.path.endsWith(file) && l.status === 200), `no 200 for ${file}`);
    await page.screenshot({ path: join(SHOTS, 'static-viewer-stats.png') });
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
    await page.locator('#stats-toggle').click();
    await page.locator('#stats').waitFor({ state: 'hidden', timeout: TIMEOUT });
  });

  const suggestions = async (q) => {
    await page.fill('#search', '');
    await page.fill('#search', q);
    await page.waitForFunction((q) => {
      const list = document.getElementById('suggestions');
      return !list.hidden && list.querySelector('li') && document.getElementById('search').value === q;
    }, q, { timeout: TIMEOUT });
    await page.waitForTimeout(400);
    return page.$$eval('#suggestions li[data-index]', (items) => items.map((li) => ({ code: li.dataset.code, kind: li.dataset.kind, text: li.textContent })));
  };

  await check('search "phu cat" lists the Phú Cát communes, from the prebuilt index', async () => {
    const hits = await suggestions('phu cat');
    const codes = hits.filter((h) => h.kind === 'commune').map((h) => h.code);
    for (const code of EXPECT.phu_cat) assert(codes.includes(code), `${code} not in ${JSON.stringify(hits)}`);
  });

  await check('equal scores come in the server\'s order: the name spelt with its tone marks, then the larger unit', async () => {
    for (const { q, kind, code } of EXPECT.ties) {
      const hits = await suggestions(q);
      assert(hits.length && hits[0].kind === kind && hits[0].code === code, `"${q}": ${JSON.stringify(hits.slice(0, 3))}`);
    }
  });

  await check(`"name district" puts that commune first among the ${EXPECT.shared.count} named ${EXPECT.shared.name}`, async () => {
    const q = `${withoutPrefix(fold(EXPECT.shared.name))} ${withoutPrefix(fold(EXPECT.shared.district))}`;
    const hits = await suggestions(q);
    assert(hits.length && hits[0].code === EXPECT.shared.code, `"${q}": ${JSON.stringify(hits.slice(0, 3))}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !window.bandoMap.isMoving(), null, { timeout: TIMEOUT });
  });

  await check('a name typed with a slip still finds the commune first (typo tolerance, as the server)', async () => {
    for (const { q, code } of EXPECT.typos) {
      const hits = await suggestions(q);
      assert(hits.length && hits[0].code === code, `"${q}": ${JSON.stringify(hits.slice(0, 3))}`);
    }
  });

  await check('addresses with the usual abbreviations or in English find the commune first, as on the server', async () => {
    for (const { q, code } of EXPECT.written) {
      const hits = await suggestions(q);
      assert(hits.length && hits[0].code === code, `"${q}": ${JSON.stringify(hits.slice(0, 3))}`);
    }
  });

  await check('on edition 2025 an old name with its old district finds the commune that took it (crosswalk)', async () => {
    await page.goto(`${page.url().replace(/#.*$/, '')}${hash.replace('edition=2024', 'edition=2025')}`, { timeout: TIMEOUT });
    await page.waitForFunction(() => window.bandoMap && window.bandoMap.loaded(), null, { timeout: TIMEOUT });
    const q = `${withoutPrefix(fold(EXPECT.former.name))} ${withoutPrefix(fold(EXPECT.former.district))}`;
    const hits = await suggestions(q);
    assert(hits.length && hits[0].code === EXPECT.former.code, `"${q}": ${JSON.stringify(hits.slice(0, 3))}`);
  });

  await check('turning the names on fetches glyph ranges from the folder (200)', async () => {
    await page.goto(`${page.url().replace(/#.*$/, '')}${hash.replace('&names=0', '')}`, { timeout: TIMEOUT });
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/fonts/')), null, { timeout: TIMEOUT });
    await page.waitForFunction(() => window.bandoMap && window.bandoMap.loaded() && window.bandoMap.areTilesLoaded(), null, { timeout: TIMEOUT });
    const fonts = log.filter((l) => l.path.includes('/fonts/Noto Sans Regular/'));
    assert(fonts.length && fonts.every((l) => l.status === 200), JSON.stringify(fonts));
    await page.screenshot({ path: join(SHOTS, 'static-viewer.png') });
  });

  await check('no request reached /api/; raster mode is hidden; no page error', async () => {
    const api = requests.filter((u) => new URL(u).pathname.startsWith('/api/') || new URL(u).pathname.startsWith('/styles/'));
    assert(!api.length, `requests to the server's API: ${api.slice(0, 5)}`);
    assert(!(await page.isVisible('#raster')), 'the raster switch is visible');
    assert(!pageErrors.length, pageErrors.join('\n'));
  });

  await check('no console error and no missing file', async () => {
    assert(!problems.length, [...new Set(problems)].join('\n'));
  });
} catch (e) {
  stopped(e);
} finally {
  await browser.close();
  server.close();
}
finish();
