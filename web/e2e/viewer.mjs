// End-to-end test of the bando viewer in real headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core). Run by tests/viewer_e2e.rs, which starts bando, computes the
// expected answers from the source CSV files and passes them in BANDO_E2E (JSON).
//
// Environment: BANDO_URL (a running bando), BANDO_NO_VENDOR_URL (a bando whose web folder
// lacks node_modules), BANDO_BASEMAP_TILES_URL and BANDO_BASEMAP_STYLE_URL (bandos with a
// basemap served from BANDO_BASEMAP_ORIGIN), BANDO_E2E (expectations), SCREENSHOTS (folder for PNGs), CHROMIUM
// (default /usr/bin/chromium).
//
// Steps: desktop 1280×800 — open the NTM map over Hà Nội, wait for rendered tiles, read the
// colour of a commune recognised between 2022 and 2025, click Xã Dương Xá and check the
// popup and its criteria checklist (against the API's, what is missing first), open the
// province statistics and compare its numbers with the counts from the CSV files, colour
// by indicator 8.4 and check that commune turns its class colour (from the CSV files) in
// the theme's legend (and by district indicator 9.5: a quận's pixel is "not assessed"; by
// the provinces' completion: its province's class; switching to edition 2025 falls back to
// the level), move the year slider to 2021 and
// check that the commune's colour changed, search
// "phu cat" and check the view moved to Xã Phú Cát, reload from the URL hash, switch to the
// tourism map and check its points (and switch a category off and on), switch to raster
// mode and check the PNG tiles' pixels and the screen at the commune against its class
// colour on both maps, and a tourism site's pixel going when its category is switched off (these colour checks
// run with the place names turned off, as a reader can, since names are written over label
// points), turn the names on and find "Hà Nội" at z6 and the changed commune's name at z12
// (rendered symbol features there, and text pixels that go when the names are turned off),
// on the vector map and in raster mode, the embed snippets
// and the English switch; a basemap from another origin (raster tiles, and a MapLibre
// style merged by the page) fetched and drawn under bando's layers; phone 390×844 — panels folded, menu opens; no MapLibre installed
// — the page names the install command; on every page, no console message about the
// Content Security Policy.
// Prints one "ok"/"not ok" line per check; exits 1 when any check failed, or when the
// script itself stops (a check that cannot run is a failure).

import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { assert, checks, chromiumArgs, CHROMIUM, requireEnv, SHOTS, watchPageProblems } from './harness.mjs';
import { colourDistance, pngPixel, rgb, tileAt } from './pixels.mjs';
import { assertStats, statsRows } from './stats_panel.mjs';

const RUNNER = 'tests/viewer_e2e.rs';

const BASE = requireEnv('BANDO_URL', RUNNER);
const EXPECT = JSON.parse(requireEnv('BANDO_E2E', RUNNER));
const ARGS = chromiumArgs({ webgl: true });
const TIMEOUT = 120_000;

const { check, stopped, finish } = checks();
const shots = [];

const lower = (s) => s.toLocaleLowerCase('vi');

async function shot(page, name) {
  const path = join(SHOTS, name);
  await page.screenshot({ path });
  shots.push(path);
}

// How many pixels of two same-sized PNG clips differ clearly (decoded by the browser).
async function clipDiff(page, a, b) {
  return page.evaluate(async ([a64, b64]) => {
    const decode = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const [x, y] = [await decode(a64), await decode(b64)];
    let n = 0;
    for (let i = 0; i < x.length; i += 4) {
      if (Math.abs(x[i] - y[i]) + Math.abs(x[i + 1] - y[i + 1]) + Math.abs(x[i + 2] - y[i + 2]) > 60) n += 1;
    }
    return n;
  }, [a.toString('base64'), b.toString('base64')]);
}



// Waits until the map shows `map` for `year` (its source URL says so) from vector or raster
// tiles, every tile is loaded and rendered, and `layer` has rendered features.
async function waitForMap(page, { map, year, layer = 'communes-fill', raster = false }) {
  await page.waitForFunction(({ map, year, layer, raster }) => {
    const m = window.bandoMap;
    if (!m || !m.isStyleLoaded()) return false;
    const style = m.getStyle();
    const source = Object.values(style.sources || {})[0];
    if (!source || source.type !== (raster ? 'raster' : 'vector')) return false;
    const url = source.url || (source.tiles || [])[0] || '';
    if (!url.includes(`/tiles/${map}`) || !url.includes(`year=${year}`)) return false;
    if (!m.loaded() || !m.areTilesLoaded() || m.isMoving()) return false;
    return !layer || m.queryRenderedFeatures({ layers: [layer] }).length > 0;
  }, { map, year, layer, raster }, { timeout: TIMEOUT, polling: 250 });
  // Let the last loaded tiles reach the screen.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

// Waits until the map's style has a legend with class `key`, theme `theme` or `classes`
// classes (each when given) and, when given, the style layer `layer`, with every tile
// loaded and drawn.
async function waitForLegend(page, want) {
  await page.waitForFunction((want) => {
    const m = window.bandoMap;
    const legend = m && m.isStyleLoaded() && m.getStyle().metadata['bando:legend'];
    if (!legend || !m.loaded() || !m.areTilesLoaded()) return false;
    if (want.key && !legend.classes.some((c) => c.key === want.key)) return false;
    if (want.theme && legend.theme !== want.theme) return false;
    if (want.classes && legend.classes.length !== want.classes) return false;
    return !want.layer || Boolean(m.getLayer(want.layer));
  }, want, { timeout: TIMEOUT, polling: 250 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

// The page coordinates of a longitude/latitude on the map.
async function pagePoint(page, lon, lat) {
  return page.evaluate(([lon, lat]) => {
    const m = window.bandoMap;
    const p = m.project([lon, lat]);
    const r = m.getCanvas().getBoundingClientRect();
    const x = r.left + p.x, y = r.top + p.y;
    const top = document.elementFromPoint(x, y);
    return { x, y, onCanvas: top === m.getCanvas() };
  }, [lon, lat]);
}

// The colour on screen at a page point, from a screenshot of a 1×1 clip decoded by the browser.
async function pixel(page, x, y) {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
  return pngPixel(page, png, 0, 0);
}

// The class colours of a legend ("bando:legend" of a style), by key.
const classColours = (legend) => Object.fromEntries(legend.classes.map((c) => [c.key, rgb(c.fill)]));

// The class whose legend colour is nearest to a colour seen on screen: antialiasing and
// the outlines drawn over the fills shift a pixel a little, never to another class.
function nearestClass(colours, seen) {
  return Object.entries(colours).reduce((best, [key, c]) => (colourDistance(c, seen) < colourDistance(best[1], seen) ? [key, c] : best))[0];
}

// The class colours of the style the map shows.
async function shownColours(page) {
  return classColours(await page.evaluate(() => window.bandoMap.getStyle().metadata['bando:legend']));
}

async function levelAt(page, lon, lat) {
  return page.evaluate(([lon, lat]) => {
    const m = window.bandoMap;
    const f = m.queryRenderedFeatures(m.project([lon, lat]), { layers: ['communes-fill'] });
    return f.length ? { code: f[0].properties.code, level: f[0].properties.level } : null;
  }, [lon, lat]);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: TIMEOUT });

// Content Security Policy: every context opened below reports any console message about it
// (Chromium's "Refused to …" lines, and each securitypolicyviolation event, logged by an
// init script); one such message fails the run.
const cspMessages = [];
const pageProblems = [];
const openContext = browser.newContext.bind(browser);
browser.newContext = async (...options) => {
  const context = await openContext(...options);
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI}`)));
  context.on('console', (m) => { if (/content security policy/i.test(m.text())) cspMessages.push(m.text()); });
  watchPageProblems(context, pageProblems, { skipOrigin: process.env.BANDO_NO_VENDOR_URL });
  return context;
};
try {
  // ---------------- desktop ----------------
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desktop.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.setDefaultTimeout(TIMEOUT);

  const click = EXPECT.click;
  const change = EXPECT.change;
  const names = EXPECT.names;
  // Names off for the colour checks (they are written over the label points); turned on
  // by the names check.
  const start = `#map=ntm&z=10&c=${click.lon},${click.lat}&year=2025&edition=2024&names=0`;

  await check('viewer page and MapLibre load', async () => {
    const r = await page.goto(BASE + '/' + start);
    assert(r.status() === 200, `GET / answered ${r.status()}`);
    assert(await page.evaluate(() => typeof window.maplibregl === 'object'), 'maplibregl is not defined');
  });

  await check('sample-data notice is shown (meta.sample is true)', async () => {
    const meta = await (await fetch(BASE + '/api/v1/meta')).json();
    assert(meta.meta.sample === true, 'the embedded data should be flagged sample');
    await page.locator('#notice').waitFor({ state: 'visible' });
    const text = await page.locator('#notice').innerText();
    assert(text.includes(meta.meta.notice.slice(0, 40)), `notice text: ${text}`);
  });

  let colour2025 = null;
  await check('NTM tiles render (map idle, communes-fill features)', async () => {
    await waitForMap(page, { map: 'ntm', year: 2025 });
    await shot(page, 'viewer-ntm-2025.png');
  });

  await check('legend is drawn from style.metadata["bando:legend"]', async () => {
    const legend = await page.evaluate(() => window.bandoMap.getStyle().metadata['bando:legend']);
    const items = await page.locator('#legend-body .classes li').allInnerTexts();
    assert(items.length === legend.classes.length, `${items.length} legend rows for ${legend.classes.length} classes`);
    assert(items[0].trim() === legend.classes[0].label.vi, `first row "${items[0]}"`);
  });

  await check(`commune ${change.name} (${change.code}) shows level ${change.level_2025} in 2025`, async () => {
    const at = await levelAt(page, change.lon, change.lat);
    assert(at && at.code === change.code, `feature at its label point: ${JSON.stringify(at)}`);
    assert(at.level === change.level_2025, `level ${at.level}`);
    const p = await pagePoint(page, change.lon, change.lat);
    assert(p.onCanvas, 'the commune is hidden by a panel');
    colour2025 = await pixel(page, p.x, p.y);
    const colours = await shownColours(page);
    const seen = nearestClass(colours, colour2025);
    assert(seen === change.level_2025, `screen pixel ${colour2025} is nearest to ${seen} ${colours[seen]}, not ${change.level_2025} ${colours[change.level_2025]}`);
  });

  await check(`click ${click.commune}: popup names commune, district, province, level`, async () => {
    const p = await pagePoint(page, click.lon, click.lat);
    assert(p.onCanvas, 'the commune is hidden by a panel');
    await page.mouse.click(p.x, p.y);
    const box = page.locator('.maplibregl-popup .commune');
    await box.waitFor({ state: 'visible' });
    const text = await box.innerText();
    for (const want of [click.commune, click.district, click.province]) {
      assert(text.includes(want), `popup lacks "${want}":\n${text}`);
    }
    assert(lower(text).includes(lower(click.level_word)), `popup lacks the level "${click.level_word}":\n${text}`);
    assert(await box.getAttribute('data-level') === click.level, `data-level ${await box.getAttribute('data-level')}`);
    assert(text.includes(String(click.level_year)), `popup lacks the year recognised ${click.level_year}`);
    assert(text.includes(`${click.criteria_met}/19`), `popup lacks criteria ${click.criteria_met}/19`);
    // The Dương Xá smart-commune pilot sits at this point: its details come from the feature.
    const pilot = page.locator(`.maplibregl-popup .point[data-id="${click.pilot.id}"]`);
    assert(await pilot.count() === 1, `no details of pilot ${click.pilot.id}`);
    assert((await pilot.innerText()).includes(click.pilot.name), 'pilot name missing');
    assert(text.includes(click.pilot.name), 'nearby pilots list lacks the pilot');
    await shot(page, 'viewer-popup-duong-xa.png');
  });

  await check(`${click.commune}'s checklist in the popup: the API's set and statuses, what is missing first`, async () => {
    const api = await (await fetch(`${BASE}/api/v1/communes/${click.code}/criteria?from=2025&to=2025`)).json();
    const want = api.years[0].checklist;
    assert(want && want.items.length > 0, `the API gives no checklist: ${JSON.stringify(api)}`);
    const list = page.locator('.maplibregl-popup .checklist');
    assert(await list.count() === 1, 'the popup has no checklist');
    assert(await list.getAttribute('data-set') === want.set, `set ${await list.getAttribute('data-set')}, the API says ${want.set}`);
    const summary = await list.locator('summary').innerText();
    assert(summary.includes(`${want.criteria_met}/${want.criteria_total}`), `summary "${summary}" lacks ${want.criteria_met}/${want.criteria_total}`);
    const shown = await list.locator('li').evaluateAll((lis) => lis.map((li) => [li.dataset.number, li.dataset.status]));
    assert(shown.length === want.items.length, `${shown.length} lines for ${want.items.length} items`);
    const served = Object.fromEntries(want.items.map((i) => [i.number, i.status]));
    for (const [number, status] of shown) assert(served[number] === status, `${number}: shown ${status}, the API says ${served[number]}`);
    // Not met first, then no data, then met: the order the popup promises.
    const rank = { not_met: 0, no_data: 1, met: 2, met_by_level: 2 };
    for (let i = 1; i < shown.length; i++) assert(rank[shown[i - 1][1]] <= rank[shown[i][1]], `line ${i} (${shown[i]}) comes after ${shown[i - 1]}`);
    const missing = want.missing || [];
    if (missing.length) assert((await list.innerText()).includes(missing.join(', ')), `missing ${missing} not listed`);
  });

  await check('province statistics panel: the 2021–2025 chart and the numbers counted from the CSV files', async () => {
    const want = EXPECT.stats;
    await page.locator('.maplibregl-popup .province-stats').click();
    await page.locator('#stats').waitFor({ state: 'visible', timeout: 10_000 })
      .catch(() => { throw new Error('the statistics panel did not open on a click of the popup\'s province link'); });
    const rows = await statsRows(page, 10_000);
    assert((await page.locator('#stats-scope').innerText()).includes(click.province), 'scope is not the province');
    assert(await page.locator('#stats svg.chart rect.bar').count() === 5, 'chart has not 5 bars');
    assertStats(rows, want, click.province);
    // The API's answer must be the same numbers (the panel shows what it got).
    const s = await (await fetch(`${BASE}/api/v1/stats?year=2025&edition=2024&province=${click.province_code}`)).json();
    assert(s.communes.ntm === want.ntm && s.communes.eligible === want.eligible, `API: ${JSON.stringify(s.communes)}`);
    // The panel offers the communes' data of the view as an Excel workbook, CSV and GeoJSON.
    const links = await page.$$eval('#stats .downloads a', (as) => as.map((a) => ({ format: a.dataset.format, href: a.href })));
    assert(links.map((l) => l.format).join() === 'xlsx,csv,geojson', `download links: ${JSON.stringify(links)}`);
    for (const { format, href } of links) {
      const url = new URL(href);
      assert(url.pathname === `/api/v1/export/communes.${format}` && url.searchParams.get('year') === '2025' && url.searchParams.get('edition') === '2024', href);
    }
    const xlsx = await fetch(links[0].href);
    assert(xlsx.status === 200 && xlsx.headers.get('content-disposition') === 'attachment; filename="communes-2024-2025.xlsx"', `${xlsx.status} ${xlsx.headers.get('content-disposition')}`);
    const zip = new Uint8Array(await xlsx.arrayBuffer());
    assert(zip[0] === 0x50 && zip[1] === 0x4b, 'the workbook is a zip (PK)');
    await shot(page, 'viewer-stats-hanoi.png');
    await page.locator('#stats-toggle').click();
  });

  await check(`colour by indicator 8.4: ${change.name} turns the ${change.indicator_8_4_2025} colour of the theme's legend`, async () => {
    const p = await pagePoint(page, change.lon, change.lat);
    const before = await pixel(page, p.x, p.y);
    const option = page.locator('#theme option[value="criterion:8.4"]');
    assert(await option.count() === 1, 'the selector has no indicator 8.4');
    await page.locator('#theme').selectOption('criterion:8.4');
    await waitForLegend(page, { key: 'not_met' });
    assert(page.url().includes('theme=criterion'), `hash: ${page.url()}`);
    assert((await page.locator('#legend-body').innerText()).includes('8'), 'the legend does not name the criterion');
    const after = await pixel(page, p.x, p.y);
    const colours = await shownColours(page);
    const seen = nearestClass(colours, after);
    assert(seen === change.indicator_8_4_2025, `screen pixel ${after} is nearest to ${seen} ${colours[seen]}, not ${change.indicator_8_4_2025} ${colours[change.indicator_8_4_2025]}`);
    assert(colourDistance(before, after) > 30, `colour ${before} (level) → ${after} (8.4): no visible change`);
    await shot(page, 'viewer-theme-8-4.png');
    await page.locator('#theme').selectOption('level');
    await waitForLegend(page, { key: 'dat_chuan' });
  });

  await check('year slider 2025 → 2021 changes the colour of a commune recognised in between', async () => {
    await page.locator('#year').fill('2021');
    await waitForMap(page, { map: 'ntm', year: 2021 });
    assert(await page.locator('.maplibregl-popup').count() === 0, 'popup still open');
    const at = await levelAt(page, change.lon, change.lat);
    assert(at && at.level === change.level_2021, `level in 2021: ${JSON.stringify(at)}, expected ${change.level_2021}`);
    const p = await pagePoint(page, change.lon, change.lat);
    const colour2021 = await pixel(page, p.x, p.y);
    const distance = colourDistance(colour2021, colour2025);
    assert(distance > 30, `colour ${colour2025} (2025) → ${colour2021} (2021): no visible change`);
    const colours = await shownColours(page);
    const seen = nearestClass(colours, colour2021);
    assert(seen === change.level_2021, `screen pixel ${colour2021} is nearest to ${seen} ${colours[seen]}, not ${change.level_2021} ${colours[change.level_2021]}`);
    assert(page.url().includes('year=2021'), `hash: ${page.url()}`);
    await shot(page, 'viewer-ntm-2021.png');
  });

  const search = EXPECT.search;
  await check(`search "${search.query}" flies to ${search.name} (${search.district})`, async () => {
    await page.locator('#search').fill(search.query);
    const hit = page.locator('#suggestions li', { hasText: search.name }).filter({ hasText: search.district });
    await hit.first().waitFor({ state: 'visible' });
    await shot(page, 'viewer-search-suggestions.png');
    await hit.first().click();
    await page.waitForFunction(() => !window.bandoMap.isMoving(), null, { timeout: TIMEOUT });
    await waitForMap(page, { map: 'ntm', year: 2021 });
    const c = await page.evaluate(() => { const m = window.bandoMap; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() }; });
    const [w, s, e, n] = search.bbox;
    assert(c.lon >= w && c.lon <= e && c.lat >= s && c.lat <= n, `centre ${c.lon},${c.lat} outside ${search.bbox}`);
    assert(c.zoom >= 11, `zoom ${c.zoom}`);
    await shot(page, 'viewer-search-phu-cat.png');
  });

  await check('reload restores map, zoom, centre, year and edition from the hash', async () => {
    const before = await page.evaluate(() => { const m = window.bandoMap; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() }; });
    await page.waitForFunction(() => location.hash.includes('year=2021'));
    await page.reload();
    await waitForMap(page, { map: 'ntm', year: 2021 });
    const after = await page.evaluate(() => { const m = window.bandoMap; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() }; });
    assert(Math.abs(after.lon - before.lon) < 1e-3 && Math.abs(after.lat - before.lat) < 1e-3, `centre ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    assert(Math.abs(after.zoom - before.zoom) < 0.01, `zoom ${before.zoom} → ${after.zoom}`);
    assert(await page.locator('#year').inputValue() === '2021', 'year slider not restored');
    assert(await page.locator('#edition').inputValue() === '2024', 'edition not restored');
  });

  const site = EXPECT.tourism;
  await check(`tourism map draws its points (${site.id} ${site.name})`, async () => {
    await page.evaluate(([lon, lat]) => window.bandoMap.jumpTo({ center: [lon, lat], zoom: 11 }), [site.lon, site.lat]);
    await page.locator('#map-tourism').click();
    await waitForMap(page, { map: 'tourism', year: 2021, layer: 'tourism' });
    const ids = await page.evaluate(() => window.bandoMap.queryRenderedFeatures({ layers: ['tourism'] }).map((f) => f.properties.id));
    assert(ids.includes(site.id), `tourism features drawn: ${ids.slice(0, 10)}`);
    assert(page.url().includes('map=tourism'), 'hash lacks map=tourism');
    const p = await pagePoint(page, site.lon, site.lat);
    await page.mouse.click(p.x, p.y);
    const details = page.locator(`.maplibregl-popup .point[data-id="${site.id}"]`);
    await details.waitFor({ state: 'visible' });
    assert((await details.innerText()).includes(site.name), 'tourism popup lacks the name');
    await page.locator('.maplibregl-popup .commune, .maplibregl-popup .none').first().waitFor();
    await shot(page, 'viewer-tourism.png');
    await page.locator('.maplibregl-popup-close-button').click();
  });

  await check(`a legend entry switches its category off and on (${site.id}'s), kept in the link`, async () => {
    const tourismIds = () => page.evaluate(() => window.bandoMap.queryRenderedFeatures({ layers: ['tourism'] }).map((f) => f.properties));
    const drawn = await tourismIds();
    const category = (drawn.find((f) => f.id === site.id) || {}).category;
    assert(category, `${site.id} is not drawn before the switch`);
    const others = drawn.filter((f) => f.category !== category).length;
    const entry = page.locator(`#legend-body button.point-switch[data-layer="tourism"][data-key="${category}"]`);
    assert(await entry.getAttribute('aria-pressed') === 'true', 'the entry does not start on');
    await entry.click();
    await page.waitForFunction((c) => decodeURIComponent(location.hash).includes(`hide=tourism:${c}`), category);
    // The filter reaches the drawn tiles a few frames later; a category still drawn times out.
    const gone = (c) => !window.bandoMap.queryRenderedFeatures({ layers: ['tourism'] }).some((f) => f.properties.category === c);
    await page.waitForFunction(gone, category);
    await waitForMap(page, { map: 'tourism', year: 2021, layer: null });
    const after = await tourismIds();
    assert(after.length === others, `the other categories: ${after.length} drawn, ${others} before`);
    assert(await entry.getAttribute('aria-pressed') === 'false', 'the entry is not shown off');
    // The link keeps the choice.
    await page.reload();
    await waitForMap(page, { map: 'tourism', year: 2021, layer: null });
    assert(await page.evaluate(gone, category), `${category} drawn again after a reload`);
    const reloaded = page.locator(`#legend-body button.point-switch[data-layer="tourism"][data-key="${category}"]`);
    assert(await reloaded.getAttribute('aria-pressed') === 'false', 'the entry is on after a reload');
    await reloaded.click();
    await page.waitForFunction(() => !location.hash.includes('hide='));
    await page.waitForFunction((id) => window.bandoMap.queryRenderedFeatures({ layers: ['tourism'] }).some((f) => f.properties.id === id), site.id);
  });

  await check(`raster mode: PNG tiles and the screen show ${change.name} in its ${change.level_2021} colour of 2021 on both maps`, async () => {
    // The tiles the page fetches, with their bodies while the page is alive.
    const tiles = [];
    const onResponse = (r) => {
      const m = r.url().match(/\/tiles\/(ntm|tourism)\/(\d+)\/(\d+)\/(\d+)(@2x)?\.png\?(.*)$/);
      if (!m) return;
      const tile = { map: m[1], z: +m[2], x: +m[3], y: +m[4], scale: m[5] ? 2 : 1, query: m[6], status: r.status(), type: r.headers()['content-type'], cacheControl: r.headers()['cache-control'] };
      if (r.status() === 200) {
        tile.body = r.body();
        tile.body.catch(() => {}); // awaited (and failing the check) only for the tile looked at
      }
      tiles.push(tile);
    };
    page.on('response', onResponse);
    try {
      await page.locator('#map-ntm').click();
      await waitForMap(page, { map: 'ntm', year: 2021 });
      await page.evaluate(([lon, lat]) => window.bandoMap.jumpTo({ center: [lon, lat], zoom: 12 }), [change.lon, change.lat]);
      await page.locator('#raster').check();
      for (const map of ['ntm', 'tourism']) {
        if (map === 'tourism') await page.locator('#map-tourism').click();
        await waitForMap(page, { map, year: 2021, layer: null, raster: true });
        // The class colours as this map draws them, from the style JSON's legend.
        const style = await (await fetch(`${BASE}/styles/${map}.json`)).json();
        const colours = classColours(style.metadata['bando:legend']);
        const want = colours[change.level_2021];
        assert(colourDistance(want, colours[change.level_2025]) > 0, `${map}: ${change.level_2021} and ${change.level_2025} share a colour`);
        // The PNG tile holding the commune's label point, as the server sent it (MapLibre
        // asks for 256 px tiles one zoom level above the view's).
        const z = 13;
        const at = tileAt(change.lon, change.lat, z);
        const tile = tiles.find((t) => t.map === map && t.z === z && t.x === at.x && t.y === at.y);
        assert(tile, `${map}: tile ${z}/${at.x}/${at.y} was not fetched; fetched ${tiles.filter((t) => t.map === map).map((t) => `${t.z}/${t.x}/${t.y}`)}`);
        assert(tile.status === 200 && tile.type === 'image/png', `${map}: tile ${z}/${at.x}/${at.y} answered ${tile.status} ${tile.type}`);
        assert(tile.query.includes('year=2021'), `${map}: tile query ${tile.query}`);
        // The URL names the version TileJSON gives for PNG tiles: kept for ever by caches.
        assert(/(^|&)v=/.test(tile.query) && /immutable/.test(tile.cacheControl || ''),
          `${map}: tile query ${tile.query}, Cache-Control ${tile.cacheControl}: not the versioned URL`);
        const inTile = await pngPixel(page, await tile.body, at.px * tile.scale, at.py * tile.scale);
        assert(colourDistance(inTile, want) === 0, `${map}: tile pixel ${inTile}, class colour ${want} (${change.level_2021})`);
        // On screen: the raster layer fades in, so wait until the pixel settles.
        const p = await pagePoint(page, change.lon, change.lat);
        assert(p.onCanvas, 'the commune is hidden by a panel');
        let onScreen = null;
        for (let i = 0; i < 40; i += 1) {
          onScreen = await pixel(page, p.x, p.y);
          if (colourDistance(onScreen, want) <= 6) break;
          await page.waitForTimeout(250);
        }
        const seen = nearestClass(colours, onScreen);
        assert(seen === change.level_2021 && colourDistance(onScreen, want) <= 6,
          `${map}: screen pixel ${onScreen} (nearest class ${seen}), class colour ${want} (${change.level_2021})`);
        assert(page.url().includes('raster=1') && page.url().includes(`map=${map}`), `hash: ${page.url()}`);
        await shot(page, `viewer-${map}-raster.png`);
      }
    } finally {
      page.off('response', onResponse);
    }
    await page.locator('#raster').uncheck();
    await page.evaluate(([lon, lat]) => window.bandoMap.jumpTo({ center: [lon, lat], zoom: 11 }), [site.lon, site.lat]);
    await waitForMap(page, { map: 'tourism', year: 2021, layer: 'tourism' });
  });

  await check(`raster mode: a legend switch leaves ${site.id}'s category out of the PNG tiles and the static map`, async () => {
    const drawn = await page.evaluate(() => window.bandoMap.queryRenderedFeatures({ layers: ['tourism'] }).map((f) => f.properties));
    const category = (drawn.find((f) => f.id === site.id) || {}).category;
    assert(category, `${site.id} is not drawn on the vector map`);
    const style = await (await fetch(`${BASE}/styles/tourism.json`)).json();
    const symbol = style.metadata['bando:legend'].points.find((p) => p.layer === 'tourism' && p.key === category);
    const want = rgb(symbol.color);
    const tiles = [];
    const onResponse = (r) => {
      const m = r.url().match(/\/tiles\/tourism\/(\d+)\/(\d+)\/(\d+)(@2x)?\.png\?(.*)$/);
      if (!m || r.status() !== 200) return;
      const tile = { z: +m[1], x: +m[2], y: +m[3], scale: m[4] ? 2 : 1, query: decodeURIComponent(m[5]), body: r.body() };
      tile.body.catch(() => {});
      tiles.push(tile);
    };
    // The site's pixel in the zoom-12 tile (MapLibre asks for 256-px tiles a zoom above
    // the view's 11) fetched with or without the category hidden.
    const z = 12;
    const at = tileAt(site.lon, site.lat, z);
    const sitePixel = async (hidden) => {
      const fetched = () => tiles.find((t) => t.z === z && t.x === at.x && t.y === at.y && t.query.includes(`hide=tourism:${category}`) === hidden);
      for (let i = 0; i < 120 && !fetched(); i += 1) await page.waitForTimeout(250);
      const tile = fetched();
      assert(tile, `tile ${z}/${at.x}/${at.y} ${hidden ? 'with' : 'without'} hide=tourism:${category} was not fetched; fetched ${tiles.map((t) => `${t.z}/${t.x}/${t.y}?${t.query}`).slice(-6)}`);
      return pngPixel(page, await tile.body, at.px * tile.scale, at.py * tile.scale);
    };
    page.on('response', onResponse);
    try {
      await page.locator('#raster').check();
      await waitForMap(page, { map: 'tourism', year: 2021, layer: null, raster: true });
      const before = await sitePixel(false);
      assert(colourDistance(before, want) <= 6, `before the switch the site's pixel is ${before}, its symbol ${want}`);
      const entry = page.locator(`#legend-body button.point-switch[data-layer="tourism"][data-key="${category}"]`);
      await entry.click();
      await page.waitForFunction((c) => decodeURIComponent(location.hash).includes(`hide=tourism:${c}`), category);
      await waitForMap(page, { map: 'tourism', year: 2021, layer: null, raster: true });
      const after = await sitePixel(true);
      assert(colourDistance(after, want) > 30, `with ${category} hidden the site's pixel is ${after}, its symbol ${want}`);
      assert(await entry.getAttribute('aria-pressed') === 'false', 'the entry is not shown off');
      await page.locator('#embed-toggle').click();
      const png = decodeURIComponent(await page.locator('#embed-png').inputValue());
      assert(png.includes(`hide=tourism:${category}`), `static map URL without the hidden category: ${png}`);
      await page.locator('#embed-toggle').click();
      await shot(page, 'viewer-tourism-raster-hidden.png');
      await entry.click();
      await page.waitForFunction(() => !location.hash.includes('hide='));
    } finally {
      page.off('response', onResponse);
    }
    await page.locator('#raster').uncheck();
    await waitForMap(page, { map: 'tourism', year: 2021, layer: 'tourism' });
  });

  await check('embed: iframe snippet and static PNG URL of the current view', async () => {
    await page.locator('#embed-toggle').click();
    const iframe = await page.locator('#embed-iframe').inputValue();
    const png = await page.locator('#embed-png').inputValue();
    assert(iframe.startsWith(`<iframe src="${BASE}/#map=tourism&`) && iframe.includes('embed=1'), iframe);
    assert(png.startsWith(`${BASE}/static/tourism.png?bbox=`) && png.includes('year=2021') && png.includes('edition=2024'), png);
    const bbox = new URL(png).searchParams.get('bbox').split(',').map(Number);
    const b = await page.evaluate(() => window.bandoMap.getBounds().toArray().flat());
    assert(bbox.every((v, i) => Math.abs(v - b[i]) < 1e-4), `bbox ${bbox} is not the view ${b}`);
    await shot(page, 'viewer-embed.png');
    const r = await fetch(png);
    assert(r.status === 200 && r.headers.get('content-type') === 'image/png', `static PNG answered ${r.status}`);
    const embedded = await desktop.newPage();
    await embedded.goto(iframe.match(/src="([^"]+)"/)[1]);
    await waitForMap(embedded, { map: 'tourism', year: 2021, layer: 'tourism' });
    assert(!(await embedded.locator('#bar').isVisible()), 'embedded view shows the control bar');
    await embedded.close();
  });

  await check('English switch', async () => {
    await page.locator('#lang').click();
    assert((await page.locator('#map-ntm').innerText()) === 'NTM results', 'button not translated');
    assert((await page.locator('#legend-body').innerText()).length > 0, 'legend empty');
    assert(page.url().includes('lang=en'), 'hash lacks lang=en');
    assert((await page.locator('#notice').innerText()).includes('Sample data'), 'notice not translated');
    // What a screen reader announces is in English too.
    const search = await page.getByRole('searchbox', { name: 'Find a place' }).count();
    assert(search === 1 && await page.locator('html').getAttribute('lang') === 'en', `search box named in English: ${search}, lang ${await page.locator('html').getAttribute('lang')}`);
    await shot(page, 'viewer-english.png');
  });

  await check('a pasted link switches to edition 2025 (after July 2025) and year 2023', async () => {
    await page.evaluate(() => { location.hash = '#map=ntm&z=9&c=105.85,21.0&year=2023&edition=2025'; });
    await waitForMap(page, { map: 'ntm', year: 2023 });
    assert(await page.locator('#edition').inputValue() === '2025', 'edition select not switched');
    const source = await page.evaluate(() => window.bandoMap.getStyle().sources.bando.url);
    assert(source.includes('edition=2025'), `source ${source}`);
    const c = await page.evaluate(() => window.bandoMap.getCenter().toArray());
    assert(Math.abs(c[0] - 105.85) < 1e-3 && Math.abs(c[1] - 21.0) < 1e-3, `centre ${c}`);
    await shot(page, 'viewer-edition-2025.png');
  });
  for (const raster of [false, true]) {
    await check(`names (${raster ? 'raster' : 'vector'}): "${names.province.name}" at z6 and "${names.commune.name}" at z12`, async () => {
      for (const [what, zoom, layer] of [['province', 6, 'provinces-label'], ['commune', 12, 'communes-label']]) {
        const place = names[what];
        // A link to the place, names on (the view of every earlier check is left behind).
        await page.evaluate((h) => { location.hash = h; }, `#map=ntm&z=${zoom}&c=${place.lon},${place.lat}&year=2025&edition=2024${raster ? '&raster=1' : ''}`);
        await waitForMap(page, { map: 'ntm', year: 2025, layer: raster ? null : layer, raster });
        const p = await pagePoint(page, place.lon, place.lat);
        assert(p.onCanvas, `${place.name} is hidden by a panel`);
        if (!raster) {
          // The symbol feature MapLibre placed at the label point.
          const found = await page.evaluate(([x, y, layer]) => {
            const m = window.bandoMap;
            const r = m.getCanvas().getBoundingClientRect();
            const box = [[x - r.left - 30, y - r.top - 15], [x - r.left + 30, y - r.top + 15]];
            return m.queryRenderedFeatures(box, { layers: [layer] }).map((f) => f.properties.name);
          }, [p.x, p.y, layer]);
          assert(found.includes(place.name), `${layer} near ${place.name}'s label point: ${JSON.stringify(found)}`);
        }
        // Text pixels: a clip around the point changes when the names are turned off.
        const clip = { x: Math.round(p.x - 60), y: Math.round(p.y - 14), width: 120, height: 28 };
        let withNames = null, changed = 0;
        for (let i = 0; i < 20 && changed < 40; i += 1) {
          // Raster tiles fade in: wait until the picture with names settles.
          await page.waitForTimeout(250);
          withNames = await page.screenshot({ clip });
          await shot(page, `viewer-names-${raster ? 'raster' : 'vector'}-z${zoom}.png`);
          await page.locator('#labels').uncheck();
          await waitForMap(page, { map: 'ntm', year: 2025, layer: null, raster });
          await page.waitForTimeout(raster ? 600 : 100);
          changed = await clipDiff(page, withNames, await page.screenshot({ clip }));
          await page.locator('#labels').check();
          await waitForMap(page, { map: 'ntm', year: 2025, layer: raster ? null : layer, raster });
        }
        assert(changed >= 40, `${changed} pixels around ${place.name}'s label point change when the names are turned off`);
      }
    });
  }

  await check(`colour by a district indicator: ${EXPECT.quan.district} (no xã) is not assessed; edition 2025 falls back to the level`, async () => {
    const q = EXPECT.quan;
    await page.evaluate((h) => { location.hash = h; }, `#map=ntm&z=11&c=${q.lon},${q.lat}&year=2025&edition=2024&names=0`);
    await waitForMap(page, { map: 'ntm', year: 2025 });
    const values = await page.locator('#theme-districts option').evaluateAll((os) => os.map((o) => o.value));
    const option = values.find((v) => v.endsWith(':9.5'));
    assert(option, `no district indicator 9.5 among ${JSON.stringify(values)}`);
    await page.locator('#theme').selectOption(option);
    await waitForLegend(page, { key: 'not_met', layer: 'districts-fill' });
    const legendText = await page.locator('#legend-body').innerText();
    assert(legendText.includes('Quận'), `the legend does not name the districts left out: ${legendText}`);
    const p = await pagePoint(page, q.lon, q.lat);
    const seen = nearestClass(await shownColours(page), await pixel(page, p.x, p.y));
    assert(seen === 'not_applicable', `${q.district} is drawn ${seen}`);
    await shot(page, 'viewer-theme-district-9-5.png');
    // The provinces by completion: two classes, the quận's province in its own.
    await page.locator('#theme').selectOption('level:provinces');
    await waitForLegend(page, { classes: 2, layer: 'provinces-fill' });
    const want = q.province_completed ? 'dat_chuan' : 'chua_dat';
    const province = nearestClass(await shownColours(page), await pixel(page, p.x, p.y));
    assert(province === want, `${q.province} is drawn ${province}, not ${want}`);
    // A link to the districts by level restores that theme.
    await page.evaluate((h) => { location.hash = h; }, `#map=ntm&z=11&c=${q.lon},${q.lat}&year=2025&edition=2024&names=0&theme=level:districts`);
    await waitForLegend(page, { theme: 'level:districts' });
    assert(await page.locator('#theme').inputValue() === 'level:districts', `theme select: ${await page.locator('#theme').inputValue()}`);
    // The 2025 boundaries have no districts: the choice is disabled and the level is drawn.
    await page.locator('#edition').selectOption('2025');
    await waitForLegend(page, { key: 'dat_chuan' });
    assert(await page.locator('#theme').inputValue() === 'level', `theme ${await page.locator('#theme').inputValue()} on edition 2025`);
    assert(await page.locator('#theme-districts').evaluate((g) => g.disabled), 'district choices enabled on edition 2025');
    assert(!page.url().includes('theme='), `hash: ${page.url()}`);
    assert(await page.locator('#fatal').isHidden(), `error shown: ${await page.locator('#fatal').innerText()}`);
  });

  await check('islets of a province are filled and not outlined (Quảng Ninh, 2024 boundaries)', async () => {
    await page.evaluate((h) => { location.hash = h; }, '#map=ntm&z=6.5&c=107.3,20.85&year=2025&edition=2024&names=0&theme=level:provinces');
    await waitForLegend(page, { theme: 'level:provinces', layer: 'provinces-fill' });
    const drawn = await page.evaluate(() => {
      const features = (layer) => window.bandoMap.queryRenderedFeatures({ layers: [layer] });
      const islets = (layer) => features(layer).filter((f) => f.properties.islets === true).length;
      return { filled: islets('provinces-fill'), outlined: islets('provinces-line'), outlines: features('provinces-line').length };
    });
    assert(drawn.filled > 0, `no islet feature filled: ${JSON.stringify(drawn)}`);
    assert(drawn.outlines > 0 && drawn.outlined === 0, `islets outlined: ${JSON.stringify(drawn)}`);
  });

  await check('no script errors on the page', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
  await desktop.close();

  // ---------------- phone 390×844 ----------------
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const mobile = await phone.newPage();
  mobile.setDefaultTimeout(TIMEOUT);
  await check('phone 390×844: map fills the screen, controls and legend folded, menu opens', async () => {
    await mobile.goto(`${BASE}/#map=ntm&z=9&c=105.85,21.0&year=2025&edition=2024`);
    await waitForMap(mobile, { map: 'ntm', year: 2025 });
    assert(!(await mobile.locator('#controls').isVisible()), 'controls are not folded');
    assert(await mobile.locator('#menu-toggle').isVisible(), 'menu button hidden');
    assert(await mobile.locator('#legend').evaluate((e) => e.classList.contains('collapsed')), 'legend not folded');
    assert(await mobile.locator('#notice').isVisible(), 'sample notice hidden');
    const layout = await mobile.evaluate(() => ({ scroll: document.documentElement.scrollWidth, map: document.getElementById('map').getBoundingClientRect() }));
    assert(layout.scroll <= 390, `page scrolls sideways (${layout.scroll} px)`);
    assert(layout.map.width >= 389 && layout.map.height > 844 * 0.6, `map is ${layout.map.width}×${layout.map.height}`);
    await shot(mobile, 'viewer-phone-390x844.png');
    await mobile.locator('#menu-toggle').tap();
    assert(await mobile.locator('#year').isVisible(), 'year slider not shown after opening the menu');
    await shot(mobile, 'viewer-phone-menu-390x844.png');
    await mobile.locator('#menu-toggle').tap();
    // The map grows back when the menu folds: wait until it has taken its new size.
    await mobile.waitForFunction(() => {
      const m = window.bandoMap;
      return m.getCanvas().clientHeight === m.getContainer().clientHeight && !m.isMoving();
    });
    const p = await pagePoint(mobile, click.lon, click.lat);
    await mobile.touchscreen.tap(p.x, p.y);
    const box = mobile.locator('.maplibregl-popup .commune');
    await box.waitFor({ state: 'visible' });
    await mobile.waitForFunction(() => !window.bandoMap.isMoving());
    assert((await box.innerText()).includes(click.commune), 'popup is not about the tapped commune');
    const r = await mobile.locator('.maplibregl-popup-content').boundingBox();
    assert(r.x >= 0 && r.x + r.width <= 390 && r.y >= 0 && r.y + r.height <= 844, `popup overflows the screen: ${JSON.stringify(r)}`);
    await shot(mobile, 'viewer-phone-popup-390x844.png');
  });
  await phone.close();

  // ---------------- basemap from another origin ----------------
  // Two servers started with --basemap-tiles (the first server's PNG tiles) and
  // --basemap-style (its tourism style): the page fetches tiles from that origin and draws
  // them under bando's layers; the CSP check at the end covers these pages too.
  const basemapOrigin = requireEnv('BANDO_BASEMAP_ORIGIN');
  const basemaps = [
    ['raster tiles', requireEnv('BANDO_BASEMAP_TILES_URL'), /\/tiles\/ntm\/\d+\/\d+\/\d+(@2x)?\.png/, (id) => id === 'basemap'],
    ['MapLibre style', requireEnv('BANDO_BASEMAP_STYLE_URL'), /\/tiles\/tourism\/\d+\/\d+\/\d+/, (id) => id.startsWith('basemap-')],
  ];
  for (const [kind, url, tileUrl, isBasemapLayer] of basemaps) {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 600 } });
    const p = await ctx.newPage();
    p.setDefaultTimeout(TIMEOUT);
    const answered = [];
    p.on('response', (r) => { if (r.url().startsWith(basemapOrigin + '/')) answered.push(`${r.status()} ${r.url()}`); });
    await check(`a basemap of ${kind} from another origin is fetched and drawn under bando's layers`, async () => {
      await p.goto(`${url}/#map=ntm&z=9&c=${click.lon},${click.lat}&year=2025&edition=2024`);
      await p.waitForFunction(() => window.bandoMap && window.bandoMap.getLayer('communes-fill') && window.bandoMap.loaded());
      const ok = () => answered.some((line) => line.startsWith('200 ') && tileUrl.test(line));
      for (const until = Date.now() + TIMEOUT; !ok() && Date.now() < until;) await p.waitForTimeout(200);
      assert(ok(), `no tile answered from ${basemapOrigin}; requests there: ${answered.join(', ') || 'none'}`);
      const ids = await p.evaluate(() => window.bandoMap.getStyle().layers.map((l) => l.id));
      const below = ids.filter(isBasemapLayer).map((id) => ids.indexOf(id));
      assert(below.length > 0, `no basemap layer among ${ids.join(', ')}`);
      assert(Math.max(...below) < ids.indexOf('communes-fill'), `a basemap layer is drawn over bando's: ${ids.join(', ')}`);
      await shot(p, `viewer-basemap-${kind.replace(/\W+/g, '-').toLowerCase()}.png`);
    });
    await ctx.close();
  }

  // ---------------- MapLibre not installed ----------------
  const bare = requireEnv('BANDO_NO_VENDOR_URL');
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 600 } });
  const p = await ctx.newPage();
  await check('without web/node_modules the page names the install command', async () => {
    await p.goto(bare + '/');
    await p.locator('#fatal').waitFor({ state: 'visible' });
    const text = await p.locator('#fatal').innerText();
    assert(text.includes('npm ci --prefix web'), `message: ${text}`);
    await shot(p, 'viewer-maplibre-missing.png');
  });
  await ctx.close();
} catch (e) {
  stopped(e);
} finally {
  await browser.close();
}

await check('no Content Security Policy message in the console', async () => {
  assert(cspMessages.length === 0, `${cspMessages.length} message(s):\n${cspMessages.join('\n')}`);
});

await check('no console error and no missing file on any page, on either edition', async () => {
  assert(pageProblems.length === 0, `${pageProblems.length} problem(s):\n${[...new Set(pageProblems)].join('\n')}`);
});

console.log(`screenshots: ${shots.join(' ')}`);
finish();
