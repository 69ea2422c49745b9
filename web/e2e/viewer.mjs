// End-to-end test of the bando viewer in real headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core). Run by tests/viewer_e2e.rs, which starts bando, computes the
// expected answers from the source CSV files and passes them in BANDO_E2E (JSON).
//
// Environment: BANDO_URL (a running bando), BANDO_NO_VENDOR_URL (optional: a bando whose web
// folder lacks node_modules), BANDO_E2E (expectations), SCREENSHOTS (folder for PNGs),
// CHROMIUM (default /usr/bin/chromium).
//
// Steps: desktop 1280×800 — open the NTM map over Hà Nội, wait for rendered tiles, read the
// colour of a commune recognised between 2022 and 2025, click Xã Dương Xá and check the
// popup, open the province statistics, move the year slider to 2021 and check that the
// commune's colour changed, search "phu cat" and check the view moved to Xã Phú Cát,
// reload from the URL hash, switch to the tourism map and check its points, try raster
// mode, the embed snippets and the English switch; phone 390×844 — panels folded, menu
// opens; no MapLibre installed — the page names the install command; on every page, no
// console message about the Content Security Policy.
// Prints one "ok"/"not ok"/"SKIPPED" line per check; exits 1 when any check failed.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const BASE = requireEnv('BANDO_URL');
const EXPECT = JSON.parse(requireEnv('BANDO_E2E'));
const SHOTS = process.env.SCREENSHOTS || 'screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  // WebGL without a GPU: ANGLE on SwiftShader (software), which headless Chromium
  // no longer enables on its own.
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const TIMEOUT = 120_000;

mkdirSync(SHOTS, { recursive: true });
let failures = 0;
const skipped = [];
const shots = [];

function requireEnv(name) {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set (this script is run by tests/viewer_e2e.rs)`); process.exit(2); }
  return v;
}

async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split('\n').join('\n  ')}`);
  }
}

function skip(name, reason) {
  skipped.push(`${name}: ${reason}`);
  console.log(`SKIPPED - ${name}: ${reason}`);
}

function assert(cond, message) { if (!cond) throw new Error(message); }
const lower = (s) => s.toLocaleLowerCase('vi');

async function shot(page, name) {
  const path = join(SHOTS, name);
  await page.screenshot({ path });
  shots.push(path);
}

// Which routes of the server exist: some are built separately, and a check that needs a
// missing one is reported as skipped, never faked.
async function probe(path) {
  try { return (await fetch(BASE + path)).status; } catch (e) { return 0; }
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
  return page.evaluate(async (b64) => {
    // Decoded from bytes, not fetched from a data: URL: the page's CSP allows connections
    // to its own origin only.
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(1, 1);
    const ctx = c.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
  }, png.toString('base64'));
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
const openContext = browser.newContext.bind(browser);
browser.newContext = async (...options) => {
  const context = await openContext(...options);
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI}`)));
  context.on('console', (m) => { if (/content security policy/i.test(m.text())) cspMessages.push(m.text()); });
  return context;
};
try {
  const routes = {
    style: await probe('/styles/ntm.json'),
    search: await probe('/api/v1/search?q=phu%20cat'),
    stats: await probe('/api/v1/stats?year=2025'),
    png: await probe('/tiles/ntm/8/203/112.png'),
    static: await probe('/static/ntm.png?bbox=105.5,20.8,106.1,21.2&width=200&height=150'),
  };
  console.log(`routes: ${JSON.stringify(routes)}`);
  const have = (r) => routes[r] === 200;

  // ---------------- desktop ----------------
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desktop.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.setDefaultTimeout(TIMEOUT);

  const click = EXPECT.click;
  const change = EXPECT.change;
  const start = `#map=ntm&z=10&c=${click.lon},${click.lat}&year=2025&edition=2024`;

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

  if (!have('style')) {
    skip('every map check on the desktop and phone', `/styles/ntm.json answered ${routes.style}`);
  } else {
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
      if (click.pilot) {
        const pilot = page.locator(`.maplibregl-popup .point[data-id="${click.pilot.id}"]`);
        assert(await pilot.count() === 1, `no details of pilot ${click.pilot.id}`);
        assert((await pilot.innerText()).includes(click.pilot.name), 'pilot name missing');
        assert(text.includes(click.pilot.name), 'nearby pilots list lacks the pilot');
      }
      await shot(page, 'viewer-popup-duong-xa.png');
    });

    if (have('stats')) {
      await check('province statistics panel with the 2021–2025 chart', async () => {
        await page.locator('.maplibregl-popup .province-stats').click();
        await page.locator('#stats svg.chart').waitFor({ state: 'visible' });
        assert((await page.locator('#stats-scope').innerText()).includes(click.province), 'scope is not the province');
        assert(await page.locator('#stats svg.chart rect.bar').count() === 5, 'chart has not 5 bars');
        const s = await (await fetch(`${BASE}/api/v1/stats?year=2025&edition=2024&province=${click.province_code}`)).json();
        const body = await page.locator('#stats-body').innerText();
        assert(body.includes(`${s.communes.ntm}`), `panel lacks ntm count ${s.communes.ntm}`);
        await shot(page, 'viewer-stats-hanoi.png');
        await page.locator('#stats-toggle').click();
      });
    } else {
      skip('province statistics panel', `/api/v1/stats answered ${routes.stats}`);
    }

    await check('year slider 2025 → 2021 changes the colour of a commune recognised in between', async () => {
      await page.locator('#year').fill('2021');
      await waitForMap(page, { map: 'ntm', year: 2021 });
      assert(await page.locator('.maplibregl-popup').count() === 0, 'popup still open');
      const at = await levelAt(page, change.lon, change.lat);
      assert(at && at.level === change.level_2021, `level in 2021: ${JSON.stringify(at)}, expected ${change.level_2021}`);
      const p = await pagePoint(page, change.lon, change.lat);
      const colour2021 = await pixel(page, p.x, p.y);
      const distance = Math.hypot(...colour2021.map((c, i) => c - colour2025[i]));
      assert(distance > 30, `colour ${colour2025} (2025) → ${colour2021} (2021): no visible change`);
      assert(page.url().includes('year=2021'), `hash: ${page.url()}`);
      await shot(page, 'viewer-ntm-2021.png');
    });

    const search = EXPECT.search;
    if (have('search')) {
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
    } else {
      skip(`search "${search.query}"`, `/api/v1/search answered ${routes.search}`);
      await page.evaluate(([lon, lat]) => window.bandoMap.jumpTo({ center: [lon, lat], zoom: 12 }), search.point);
    }

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

    if (have('png')) {
      await check('raster mode draws the PNG tiles', async () => {
        const pngs = [];
        page.on('response', (r) => { if (/\/tiles\/tourism\/\d+\/\d+\/\d+(@2x)?\.png/.test(r.url())) pngs.push(r.status()); });
        await page.locator('#raster').check();
        await waitForMap(page, { map: 'tourism', year: 2021, layer: null, raster: true });
        assert(pngs.length > 0 && pngs.every((s) => s === 200 || s === 204 || s === 304), `PNG tile answers: ${pngs}`);
        assert(page.url().includes('raster=1'), 'hash lacks raster=1');
        await shot(page, 'viewer-tourism-raster.png');
        await page.locator('#raster').uncheck();
        await waitForMap(page, { map: 'tourism', year: 2021, layer: 'tourism' });
      });
    } else {
      skip('raster mode', `/tiles/ntm/8/203/112.png answered ${routes.png}`);
    }

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
      if (have('static')) {
        const r = await fetch(png);
        assert(r.status === 200 && r.headers.get('content-type') === 'image/png', `static PNG answered ${r.status}`);
      } else {
        skip('fetching the static PNG URL', `/static/ntm.png answered ${routes.static}`);
      }
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
  }
  await check('no script errors on the page', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
  await desktop.close();

  // ---------------- phone 390×844 ----------------
  if (have('style')) {
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
  }

  // ---------------- MapLibre not installed ----------------
  const bare = process.env.BANDO_NO_VENDOR_URL;
  if (bare) {
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
  }
} finally {
  await browser.close();
}

await check('no Content Security Policy message in the console', async () => {
  assert(cspMessages.length === 0, `${cspMessages.length} message(s):\n${cspMessages.join('\n')}`);
});

console.log(`screenshots: ${shots.join(' ')}`);
if (skipped.length) console.log(`skipped (route missing): ${skipped.length}\n  ${skipped.join('\n  ')}`);
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
