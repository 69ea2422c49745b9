// bando viewer: the NTM results map and the rural tourism map, drawn by MapLibre GL JS
// from bando's own style (/styles/{map}.json), or from its PNG tiles in raster mode.
//
// Steps: 1. read the view from the URL hash (map, zoom, centre, year, edition, theme,
// raster, language, hidden point categories); 2. read the years the data covers and the sample-data notice from
// /api/v1/meta, and the criteria sets (/api/v1/criteria) for the "colour by" selector;
// 3. fetch the style for the view (NTM level, or one criterion or indicator), draw the
// legend from style.metadata["bando:legend"] (its point entries switch their category off
// and on), put the basemap style it names (if any) under it, and give the style to the
// map; 4. answer
// clicks with the commune at that point (/api/v1/communes/at): its level, the checklist of
// its criteria set with what is missing first, and the details of any pilot or tourism
// point under the cursor; 5. search (/api/v1/search), statistics with the targets
// (/api/v1/stats) and embed snippets follow the current view; every change is written
// back to the hash so a link restores the view.
//
// Static mode (a folder written by `bando publish`, served by any static host): the page
// carries <meta name="bando:static" content="static.json">. The same steps then read the
// publication's files instead of the API: meta.json and criteria.json (step 2), the
// view's style from static.json with its source read from a PMTiles archive through
// the `pmtiles` protocol (step 3), popups from the clicked tiles' feature properties
// (step 4), search in the prebuilt index search/{edition}.json (typos tolerated as on
// the server) and statistics from stats/{edition}-{year}/{scope}.json (step 5). There is
// no raster mode and no PNG snippet there: they need the server.
'use strict';

// The years the data covers: replaced by /api/v1/meta's `years` (the 2026–2030 phase
// appears by itself when its rows are loaded).
let YEARS = [2021, 2022, 2023, 2024, 2025];
const MAPS = ['ntm', 'tourism'];
const POINT_LAYERS = ['pilots', 'tourism'];
// The feature property each point layer's categories are told by.
const POINT_PROPERTY = { pilots: 'kind', tourism: 'category' };
const DEFAULT_VIEW = { map: 'ntm', zoom: 5, lon: 105.85, lat: 16.0, year: null, edition: 2024, theme: 'level', raster: false, labels: true, lang: 'vi', embed: false, hide: [] };

// Interface words. Level and category names fall back to these when the legend lacks them.
const WORDS = {
  vi: {
    title: 'Bản đồ số nông thôn mới', map_ntm: 'Kết quả NTM', map_tourism: 'Du lịch nông thôn',
    search_placeholder: 'Tìm xã, huyện, tỉnh…', menu: 'Tùy chọn', year: 'Năm', edition: 'Địa giới',
    map_choice: 'Chọn bản đồ', search: 'Tìm địa danh', map_area: 'Bản đồ',
    edition_2024: '2024 (trước 7/2025)', edition_2025: '2025 (sau 7/2025)', raster: 'Ảnh (PNG)', labels: 'Tên địa danh',
    stats: 'Thống kê', embed: 'Nhúng', legend: 'Chú giải', national: 'Toàn quốc',
    embed_iframe: 'Mã nhúng (iframe)', embed_png: 'Ảnh tĩnh PNG của khung nhìn này', open_png: 'Mở ảnh',
    lang_other: 'English', commune: 'Xã', district: 'Huyện', province: 'Tỉnh', level: 'Mức NTM',
    year_recognised: 'Năm công nhận', criteria: 'Số tiêu chí đạt', pilots: 'Mô hình thí điểm gần đây',
    tourism: 'Điểm du lịch gần đây', none: 'Không có', completed: 'Hoàn thành nhiệm vụ NTM năm',
    not_completed: 'Chưa hoàn thành nhiệm vụ NTM', former: 'Các xã cũ (trước 7/2025)', loading: 'Đang tải…',
    no_commune: 'Không có xã nào tại điểm này.', error: 'Lỗi', unavailable: 'Chức năng này chưa có trên máy chủ.',
    stats_unpublished: 'Bản xuất bản này không có thống kê của năm và bản đồ ranh giới này.',
    download: 'Tải dữ liệu các xã (cả nước)',
    no_results: 'Không tìm thấy.', ntm_share: 'Tỉ lệ xã đạt chuẩn NTM', communes_ntm: 'Xã đạt chuẩn NTM',
    nang_cao: 'NTM nâng cao', kieu_mau: 'NTM kiểu mẫu', districts_done: 'Huyện hoàn thành', provinces_done: 'Tỉnh hoàn thành', targets: 'Mục tiêu',
    met: 'đạt', not_met: 'chưa đạt', unmeasured: 'chưa có số liệu', on_track: 'đúng tiến độ',
    off_track: 'chậm tiến độ', stars: 'sao', field: 'Lĩnh vực', approved: 'Năm phê duyệt',
    category: 'Loại hình', kind: 'Loại', pilots_total: 'Mô hình thí điểm', tourism_total: 'Điểm du lịch',
    details: 'Xem thống kê tỉnh', km: 'km', link: 'Trang web', of: 'trên', province_stats: 'Thống kê tỉnh',
    vendor_missing: 'Không tải được thư viện bản đồ.', sample: 'Dữ liệu mẫu',
    theme: 'Tô màu theo', theme_level: 'Mức NTM', theme_units: 'Huyện, tỉnh (địa giới 2024)', theme_district_level: 'Mức NTM của huyện',
    theme_province_completion: 'Tỉnh hoàn thành nhiệm vụ xây dựng NTM', theme_communes: 'Xã: tiêu chí, chỉ tiêu', theme_districts: 'Huyện: tiêu chí, chỉ tiêu (địa giới 2024)', checklist: 'Bộ tiêu chí', missing: 'Còn thiếu',
    met_by_level: 'đạt (theo mức đã công nhận)', no_data: 'chưa có dữ liệu', deadline: 'hạn',
    scope_nation: 'Toàn quốc',
    point_switch: 'Bấm để ẩn hoặc hiện loại điểm này',
  },
  en: {
    title: 'New Rural Development digital map', map_ntm: 'NTM results', map_tourism: 'Rural tourism',
    search_placeholder: 'Find a commune, district, province…', menu: 'Options', year: 'Year', edition: 'Boundaries',
    map_choice: 'Choose the map', search: 'Find a place', map_area: 'Map',
    edition_2024: '2024 (before 7/2025)', edition_2025: '2025 (after 7/2025)', raster: 'Image (PNG)', labels: 'Place names',
    stats: 'Statistics', embed: 'Embed', legend: 'Legend', national: 'Whole country',
    embed_iframe: 'Embed code (iframe)', embed_png: 'Static PNG of this view', open_png: 'Open image',
    lang_other: 'Tiếng Việt', commune: 'Commune', district: 'District', province: 'Province', level: 'NTM level',
    year_recognised: 'Year recognised', criteria: 'Criteria met', pilots: 'Pilot models nearby',
    tourism: 'Tourism sites nearby', none: 'None', completed: 'Completed the NTM task in',
    not_completed: 'Has not completed the NTM task', former: 'Former communes (before 7/2025)', loading: 'Loading…',
    no_commune: 'No commune at this point.', error: 'Error', unavailable: 'This function is not available on the server yet.',
    stats_unpublished: 'This publication has no statistics for this year and edition.',
    download: 'Download the communes\' data (whole country)',
    no_results: 'Nothing found.', ntm_share: 'Share of communes meeting NTM', communes_ntm: 'NTM communes',
    nang_cao: 'Advanced NTM', kieu_mau: 'Model NTM', districts_done: 'Districts completed', provinces_done: 'Provinces completed', targets: 'Targets',
    met: 'met', not_met: 'not met', unmeasured: 'no data to measure it', on_track: 'on track',
    off_track: 'behind schedule', stars: 'stars', field: 'Field', approved: 'Approved',
    category: 'Category', kind: 'Kind', pilots_total: 'Pilot models', tourism_total: 'Tourism sites',
    details: 'Province statistics', km: 'km', link: 'Website', of: 'of', province_stats: 'Province statistics',
    vendor_missing: 'The map library could not be loaded.', sample: 'Sample data',
    theme: 'Colour by', theme_level: 'NTM level', theme_units: 'Districts and provinces (2024 boundaries)', theme_district_level: 'District NTM level',
    theme_province_completion: 'Provinces that completed the NTM task', theme_communes: 'Communes: criteria and indicators', theme_districts: 'Districts: criteria and indicators (2024 boundaries)', checklist: 'Criteria set', missing: 'Missing',
    met_by_level: 'met (by the recognised level)', no_data: 'no data', deadline: 'deadline',
    scope_nation: 'Nation',
    point_switch: 'Click to hide or show this kind of point',
  },
};
const LEVELS = {
  chua_dat: { vi: 'Chưa đạt chuẩn NTM', en: 'Not yet NTM' },
  dat_chuan: { vi: 'Đạt chuẩn NTM', en: 'NTM standard' },
  nang_cao: { vi: 'NTM nâng cao', en: 'Advanced NTM' },
  kieu_mau: { vi: 'NTM kiểu mẫu', en: 'Model NTM' },
  not_applicable: { vi: 'Không áp dụng (phường, thị trấn, đặc khu)', en: 'Not applicable (ward, town, special zone)' },
  no_data: { vi: 'Chưa có dữ liệu', en: 'No data' },
};
const POINT_KINDS = {
  smart_commune: { vi: 'Xã NTM thông minh', en: 'Smart commune' },
  ecommerce_commune: { vi: 'Xã thương mại điện tử', en: 'E-commerce commune' },
  smart_village: { vi: 'Thôn thông minh', en: 'Smart village' },
  rural_tourism_site: { vi: 'Điểm du lịch nông thôn', en: 'Rural tourism site' },
  homestay: { vi: 'Homestay, du lịch cộng đồng', en: 'Homestay, community tourism' },
  craft_village: { vi: 'Làng nghề', en: 'Craft village' },
  ocop_product: { vi: 'Sản phẩm OCOP', en: 'OCOP product' },
};

// The publication's static.json in static mode, else null (server mode).
const STATIC_MARK = document.querySelector('meta[name="bando:static"]');
let site = null;
// A file of the publication as an absolute URL (styles name them relative to the page).
const siteUrl = (path) => new URL(path, document.baseURI).href;

const view = readHash();
let legend = null;          // legend JSON of the current map
let styleJson = null;       // the vector style of the current view
let statsProvince = null;   // {code, name} or null for the whole country
let popup = null;
let map = null;

const $ = (id) => document.getElementById(id);
const t = (key) => (WORDS[view.lang] || WORDS.vi)[key] || key;
const pick = (label) => (label && typeof label === 'object' ? label[view.lang] || label.vi || label.en : label);
const levelLabel = (key) => {
  const cls = legend && (legend.classes || []).find((c) => c.key === key);
  return pick(cls && cls.label) || pick(LEVELS[key]) || key;
};
const pointKindLabel = (key) => {
  const p = legend && (legend.points || []).find((c) => c.key === key);
  return pick(p && p.label) || pick(POINT_KINDS[key]) || key;
};
const levelColour = (key) => {
  const cls = legend && (legend.classes || []).find((c) => c.key === key);
  return cls ? cls.fill : null;
};
const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
// Commas stay readable in hashes and bbox/centre parameters.
const query = (params) => new URLSearchParams(params).toString().replace(/%2C/g, ',');
// The view's parameters for styles, tiles and static maps; `theme` only when not the default.
const viewParams = () => Object.assign({ year: view.year, edition: view.edition }, view.map === 'ntm' && view.theme !== 'level' ? { theme: view.theme } : {});
const viewQuery = () => query(viewParams());
// What a server-drawn picture (PNG tile, static map) takes beyond the view: names off,
// and the point categories switched off in the legend.
const pictureParams = () => Object.assign(viewParams(), view.labels ? {} : { labels: 'false' }, view.hide.length ? { hide: view.hide.join(',') } : {});

// ---- URL hash: the whole view, so a link or a reload restores it ----

function readHash() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  const v = { ...DEFAULT_VIEW };
  if (MAPS.includes(h.get('map'))) v.map = h.get('map');
  const z = parseFloat(h.get('z'));
  if (Number.isFinite(z) && z >= 0 && z <= 22) v.zoom = z;
  const c = (h.get('c') || '').split(',').map(parseFloat);
  if (c.length === 2 && c.every(Number.isFinite) && Math.abs(c[1]) <= 85) [v.lon, v.lat] = c;
  const y = parseInt(h.get('year'), 10);
  if (Number.isInteger(y)) v.year = y;    // checked against the data's years once known
  const theme = h.get('theme');
  if (theme && /^(criterion:[a-z0-9_:.]+|level:(districts|provinces))$/.test(theme)) v.theme = theme;
  if (['2024', '2025'].includes(h.get('edition'))) v.edition = parseInt(h.get('edition'), 10);
  // A publication has no raster mode.
  v.raster = h.get('raster') === '1' && !STATIC_MARK;
  v.labels = h.get('names') !== '0';
  if (h.get('lang') === 'en') v.lang = 'en';
  v.embed = h.get('embed') === '1';
  // Hidden point categories, `layer:key` (tourism:homestay), as the legend names them.
  v.hide = (h.get('hide') || '').split(',').filter((x) => /^(pilots|tourism):[a-z0-9_]+$/.test(x)).sort();
  return v;
}

function hashOf(v) {
  const parts = {
    map: v.map, z: v.zoom.toFixed(2), c: `${v.lon.toFixed(5)},${v.lat.toFixed(5)}`,
    year: v.year, edition: v.edition,
  };
  if (v.theme !== 'level') parts.theme = v.theme;
  if (v.raster) parts.raster = '1';
  if (!v.labels) parts.names = '0';
  if (v.lang !== 'vi') parts.lang = v.lang;
  if (v.embed) parts.embed = '1';
  if (v.hide.length) parts.hide = v.hide.join(',');
  return '#' + query(parts);
}

function writeHash() {
  if (map) {
    const c = map.getCenter();
    Object.assign(view, { zoom: map.getZoom(), lon: c.lng, lat: c.lat });
  }
  history.replaceState(null, '', hashOf(view));
  updateEmbed();
}

// ---- interface text ----

function applyLanguage() {
  document.documentElement.lang = view.lang;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  // What a screen reader announces follows the interface language too.
  document.querySelectorAll('[data-i18n-aria]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nAria)); });
  $('lang').textContent = t('lang_other');
  $('lang').lang = view.lang === 'vi' ? 'en' : 'vi';
  document.title = `${t('title')} — bando`;
  renderLegend();
  renderNotice();
  renderThemes();
  syncControls();
}

function syncControls() {
  document.querySelectorAll('.map-switch').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.map === view.map)));
  $('year').min = YEARS[0];
  $('year').max = YEARS[YEARS.length - 1];
  $('year').value = view.year;
  $('year-value').textContent = view.year;
  if ($('theme').querySelector(`option[value="${CSS.escape(view.theme)}"]`)) $('theme').value = view.theme;
  $('theme').disabled = view.map !== 'ntm';
  document.querySelectorAll('#theme optgroup.needs-2024').forEach((g) => { g.disabled = view.edition !== 2024; });
  $('edition').value = String(view.edition);
  $('raster').checked = view.raster;
  $('labels').checked = view.labels;
  document.body.classList.toggle('embed', view.embed);
}

// ---- sample notice and missing assets ----

let sampleNotice = null;   // meta.notice when meta.sample is true
let criteriaSets = [];     // the catalog (/api/v1/criteria or criteria.json)

// The data's years and the sample notice; the view's year is kept within those years.
async function loadMeta() {
  try {
    const meta = (await getJson(site ? siteUrl(site.meta) : '/api/v1/meta')).meta;
    if (meta && meta.sample) sampleNotice = meta.notice || '';
    if (meta && Array.isArray(meta.years) && meta.years.length) YEARS = meta.years;
  } catch (e) { /* the map still works without the notice text */ }
  // A publication may hold some years only.
  if (site) YEARS = YEARS.filter((y) => site.views.some((v) => v.year === y));
  if (!YEARS.includes(view.year)) view.year = YEARS[YEARS.length - 1];
  syncControls();
  renderNotice();
}

// The "colour by" choices: the communes' NTM level; the districts' level and the provinces'
// completion; every criterion and indicator of the communes'
// criteria sets, each once (the server colours a unit by the set it is assessed on); then
// those of the districts' sets, named with their set, since their numbers repeat the
// communes' (each number from the first set that has it: the NTM set before the nâng cao
// set). Districts exist on the 2024 boundaries only: on the 2025 ones their choices are
// disabled, and a district theme gives way to the level.
async function loadThemes() {
  let sets = [];
  try { sets = (await getJson(site ? siteUrl(site.criteria) : '/api/v1/criteria')).sets || []; } catch (e) { /* level only */ }
  criteriaSets = sets;
  if (!themeFitsEdition(view.theme, view.edition)) view.theme = 'level';
  renderThemes();
  syncControls();
}

// The items of `sets`, each number once (the first set's), in criterion then indicator order.
function itemsByNumber(sets) {
  const items = new Map();
  for (const set of sets) {
    for (const c of set.criteria || []) {
      for (const item of [c, ...(c.indicators || [])]) if (!items.has(item.number)) items.set(item.number, { item, set });
    }
  }
  const key = (n) => n.split('.').map(Number).concat([0]).slice(0, 2);
  return [...items.values()].sort((a, b) => {
    const [x, y] = [key(a.item.number), key(b.item.number)];
    return x[0] - y[0] || x[1] - y[1];
  });
}

function renderThemes() {
  const option = (value, item) => {
    const indent = item.number.includes('.') ? '\u00a0\u00a0\u00a0' : '';
    return `<option value="${esc(value)}">${indent}${esc(item.number)}. ${esc(pick({ vi: item.label_vi, en: item.label_en }))}</option>`;
  };
  const communes = itemsByNumber(criteriaSets.filter((s) => s.unit === 'commune')).map(({ item }) => option(`criterion:${item.number}`, item));
  const districts = itemsByNumber(criteriaSets.filter((s) => s.unit === 'district')).map(({ item, set }) => option(`criterion:${set.id}:${item.number}`, item));
  let html = `<option value="level">${esc(t('theme_level'))}</option>`;
  html += `<optgroup class="needs-2024" label="${esc(t('theme_units'))}">`
    + `<option value="level:districts">${esc(t('theme_district_level'))}</option>`
    + `<option value="level:provinces">${esc(t('theme_province_completion'))}</option></optgroup>`;
  html += `<optgroup label="${esc(t('theme_communes'))}">${communes.join('')}</optgroup>`;
  if (districts.length) html += `<optgroup id="theme-districts" class="needs-2024" label="${esc(t('theme_districts'))}">${districts.join('')}</optgroup>`;
  $('theme').innerHTML = html;
}

// Whether `theme` can be drawn on `edition`: the districts' and provinces' levels and a
// district set's items were recognised on the 2024 boundaries.
function themeFitsEdition(theme, edition) {
  if (theme === 'level:districts' || theme === 'level:provinces') return edition === 2024;
  const named = /^criterion:([^:]+):/.exec(theme);
  const set = named && criteriaSets.find((s) => s.id === named[1]);
  return !(set && set.unit === 'district') || edition === 2024;
}

function renderNotice() {
  if (sampleNotice === null) return;
  $('notice').textContent = `⚠ ${t('sample')}: ${sampleNotice}`;
  $('notice').hidden = false;
}

async function showVendorMissing() {
  let text = t('vendor_missing');
  try {
    const r = await fetch('/vendor/maplibre-gl/maplibre-gl.js', { cache: 'no-store' });
    if (!r.ok) text = await r.text();
  } catch (e) { /* keep the generic text */ }
  $('fatal').textContent = text;
  $('fatal').hidden = false;
}

// ---- fetching ----

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function getJson(url) {
  const r = await fetch(url);
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) throw new HttpError(r.status, (body && body.error && body.error.message) || `${r.status} ${r.statusText}`);
  return body;
}

// ---- the map ----

function rasterStyle() {
  const tile = devicePixelRatio > 1 ? '{y}@2x.png' : '{y}.png';
  return {
    version: 8,
    metadata: styleJson ? styleJson.metadata : {},
    sources: {
      raster: {
        type: 'raster', tileSize: 256, maxzoom: 14,
        // `v` names the data, the build and the style: such URLs are cached for ever, and
        // the next publication (a new TileJSON) gives new ones.
        tiles: [`${location.origin}/tiles/${view.map}/{z}/{x}/${tile}?${query(pictureParams())}${rasterVersion ? `&v=${encodeURIComponent(rasterVersion)}` : ''}`],
        attribution: rasterAttribution,
      },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#dfe8ee' } },
      { id: 'raster', type: 'raster', source: 'raster' },
    ],
  };
}

// The server's style, its names (symbol layers) hidden when the reader turned them off,
// and the point categories the reader switched off left out.
function vectorStyle() {
  const layers = styleJson.layers.map((l) => {
    const out = view.labels || l.type !== 'symbol' ? { ...l } : { ...l, layout: { ...l.layout, visibility: 'none' } };
    const filter = pointFilter(l);
    if (filter !== undefined) out.filter = filter;
    return out;
  });
  return { ...styleJson, layers };
}

// ---- point categories: the legend's point entries switch them off and on ----
// The hidden ones are kept in the hash (`hide=tourism:homestay,…`), so a link shows the same
// selection. Every style layer drawing a point layer (circles and names) gets a filter
// leaving them out, beside its own filter if it has one. In raster mode the PNG tiles and
// the static map are asked for without them (`hide`).

// The filter style layer `l` needs for the hidden categories (its own when none is hidden),
// or undefined for a layer that draws no points.
function pointFilter(l) {
  const layer = l['source-layer'];
  if (!POINT_PROPERTY[layer]) return undefined;
  const hidden = view.hide.filter((h) => h.startsWith(`${layer}:`)).map((h) => h.slice(layer.length + 1));
  if (!hidden.length) return l.filter;
  const keep = ['!', ['in', ['get', POINT_PROPERTY[layer]], ['literal', hidden]]];
  return l.filter ? ['all', l.filter, keep] : keep;
}

function togglePoints(layer, key) {
  const id = `${layer}:${key}`;
  const hide = view.hide.includes(id) ? view.hide.filter((h) => h !== id) : [...view.hide, id].sort();
  view.hide = hide;
  writeHash();
  renderLegend();
  updateEmbed();
  // PNG tiles leave the hidden points out themselves: new tile URLs.
  if (map && view.raster) { loadStyle(); return; }
  if (!map || !styleJson || !map.getStyle()) return;
  for (const l of styleJson.layers) {
    if (l['source-layer'] === layer && map.getLayer(l.id)) map.setFilter(l.id, pointFilter(l) || null);
  }
}

let rasterAttribution = 'bando';   // from the map's TileJSON, for raster mode
let rasterVersion = '';            // the `v` of PNG tile URLs, from the same TileJSON

let styleRequest = 0;
async function loadStyle() {
  const mine = ++styleRequest;
  try {
    const style = site ? await staticStyle() : await withBasemapStyle(await getJson(`/styles/${view.map}.json?${viewQuery()}`));
    if (mine !== styleRequest) return;    // a newer view was asked for meanwhile
    styleJson = style;
    legend = (style.metadata && style.metadata['bando:legend']) || null;
    $('fatal').hidden = true;
  } catch (e) {
    if (mine !== styleRequest) return;
    $('fatal').textContent = `${t('error')}: ${site ? 'static.json' : `/styles/${view.map}.json`} — ${e.message}`;
    $('fatal').hidden = false;
    return;
  }
  renderLegend();
  if (view.raster) await loadAttribution();
  if (mine !== styleRequest) return;
  map.setStyle(view.raster ? rasterStyle() : vectorStyle(), { diff: false });
}

// ---- basemap ----
// A deployment with internet access may put a basemap under bando's layers (`bando serve
// --basemap-tiles` or `--basemap-style`). Raster tiles come inside the server's style
// already. A basemap style is named in metadata["bando:basemap_style"]: it is fetched once
// and its sources and layers go under bando's, their ids prefixed "basemap-" so that none
// collides, its relative URLs made absolute against it, its text drawn with bando's font
// (the only one bando's glyphs serve), and bando's opaque background dropped. When it cannot
// be loaded, bando's map is drawn alone and the console says why.
const basemapStyles = new Map();   // URL → promise of the style JSON

async function withBasemapStyle(style) {
  const url = style.metadata && style.metadata['bando:basemap_style'];
  if (!url) return style;
  if (!basemapStyles.has(url)) basemapStyles.set(url, getJson(url));
  try {
    return mergeBasemap(style, await basemapStyles.get(url), url);
  } catch (e) {
    basemapStyles.delete(url);
    console.warn(`basemap style ${url}: ${e.message}`);
    return style;
  }
}

function mergeBasemap(style, base, baseUrl) {
  const id = (x) => `basemap-${x}`;
  // new URL() percent-encodes the braces of tile templates: put them back.
  const absolute = (u) => (typeof u === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(u)
    ? new URL(u, baseUrl).href.replace(/%7B/gi, '{').replace(/%7D/gi, '}') : u);
  const withFont = style.layers.find((l) => l.layout && l.layout['text-font']);
  const font = withFont ? withFont.layout['text-font'] : null;
  const sources = {};
  for (const [key, source] of Object.entries(base.sources || {})) {
    const copy = { ...source };
    if (copy.url) copy.url = absolute(copy.url);
    if (Array.isArray(copy.tiles)) copy.tiles = copy.tiles.map(absolute);
    if (typeof copy.data === 'string') copy.data = absolute(copy.data);
    sources[id(key)] = copy;
  }
  const layers = (base.layers || []).map((l) => {
    const copy = { ...l, id: id(l.id) };
    if (l.source) copy.source = id(l.source);
    if (font && l.layout && l.layout['text-font']) copy.layout = { ...l.layout, 'text-font': font };
    return copy;
  });
  const merged = { ...style, sources: { ...sources, ...style.sources }, layers: [...layers, ...style.layers.filter((l) => l.type !== 'background')] };
  if (typeof base.sprite === 'string') merged.sprite = absolute(base.sprite);
  else if (Array.isArray(base.sprite)) merged.sprite = base.sprite.map((s) => ({ ...s, url: absolute(s.url) }));
  return merged;
}

// Static mode: the published view of the map, edition and year.
function siteView() {
  return site.views.find((v) => v.map === view.map && v.edition === view.edition && v.year === view.year);
}

// Static mode: the view's style (the theme's when the publication has it), its source the
// view's archive and its glyphs the publication's, as absolute URLs.
async function staticStyle() {
  const v = siteView();
  if (!v) throw new Error(`${view.map} ${view.edition} ${view.year}: not in this publication`);
  const style = await getJson(siteUrl((v.themes || {})[view.theme] || v.style));
  style.sources.bando.url = `pmtiles://${siteUrl(v.archive)}`;
  style.glyphs = `${siteUrl('fonts/')}{fontstack}/{range}.pbf`;
  return style;
}

// Raster tiles have no TileJSON of their own: take the sources' attribution, and the
// version PNG tile URLs name, from the vector TileJSON the style names (always revalidated).
async function loadAttribution() {
  const source = styleJson && styleJson.sources && styleJson.sources.bando;
  if (!source || !source.url) return;
  try {
    const tilejson = await getJson(source.url);
    rasterAttribution = tilejson.attribution || rasterAttribution;
    rasterVersion = tilejson.raster_version || '';
  } catch (e) { rasterVersion = ''; /* keep the last attribution; unversioned URLs still work */ }
}

function initMap() {
  map = new maplibregl.Map({
    container: 'map',
    style: { version: 8, sources: {}, layers: [] },
    center: [view.lon, view.lat],
    zoom: view.zoom,
    maxZoom: 16,
    attributionControl: { compact: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
  map.on('moveend', writeHash);
  map.on('click', onClick);
  map.on('mousemove', (e) => {
    const hit = pointFeatures(e.point).length > 0;
    map.getCanvas().style.cursor = hit ? 'pointer' : '';
  });
  // The end-to-end test and the console reach the map through this.
  window.bandoMap = map;
  loadStyle();
}

// ---- legend ----

function renderLegend() {
  const body = $('legend-body');
  if (!legend) { body.textContent = ''; return; }
  const rows = (legend.classes || []).map((c) =>
    `<li><span class="swatch" style="background:${esc(c.fill)}"></span>${esc(pick(c.label))}</li>`);
  const points = (legend.points || []).map((p) => {
    const shown = !view.hide.includes(`${p.layer}:${p.key}`);
    return `<li><button type="button" class="point-switch${shown ? '' : ' off'}" data-layer="${esc(p.layer)}" data-key="${esc(p.key)}"`
      + ` aria-pressed="${shown}" title="${esc(t('point_switch'))}">`
      + `<span class="dot" style="background:${esc(p.color)}"></span>${esc(pick(p.label))}</button></li>`;
  });
  body.innerHTML = `<p class="legend-title">${esc(pick(legend.title))} — ${view.year}</p>
    <ul class="classes">${rows.join('')}</ul>${points.length ? `<ul class="points">${points.join('')}</ul>` : ''}`;
}

// ---- clicks: points under the cursor, then the commune at that place ----

function pointFeatures(point) {
  if (!map.getStyle()) return [];
  const layers = POINT_LAYERS.filter((l) => map.getLayer(l));
  if (!layers.length) return [];
  const box = [[point.x - 5, point.y - 5], [point.x + 5, point.y + 5]];
  return map.queryRenderedFeatures(box, { layers });
}

function pointHtml(feature) {
  const p = feature.properties || {};
  const kind = p.kind || p.category;
  const rows = [];
  if (kind) rows.push([feature.layer.id === 'pilots' ? t('kind') : t('category'), pointKindLabel(kind)]);
  if (p.field) rows.push([t('field'), p.field]);
  if (p.stars) rows.push(['OCOP', `${p.stars} ${t('stars')}`]);
  if (p.approved_year) rows.push([t('approved'), p.approved_year]);
  const link = p.url && /^https?:\/\//.test(p.url) ? `<p><a href="${esc(p.url)}" target="_blank" rel="noopener">${t('link')}</a></p>` : '';
  return `<div class="point" data-layer="${esc(feature.layer.id)}" data-id="${esc(p.id)}">
    <h3>${esc(p.name || pointKindLabel(kind) || p.id)}</h3>${table(rows)}${link}</div>`;
}

function table(rows) {
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function km(m) { return `${(m / 1000).toFixed(1)} ${t('km')}`; }

function communeHtml(a) {
  const rows = [];
  if (a.district) {
    const d = a.district.ntm && a.district.ntm.level ? ` <small>(${esc(levelLabel(a.district.ntm.level))})</small>` : '';
    rows.push([t('district'), esc(a.district.name) + d]);
  }
  const done = a.province.completed_year ? `${t('completed')} ${a.province.completed_year}` : (a.edition === 2024 ? t('not_completed') : '');
  rows.push([t('province'), esc(a.province.name) + (done ? ` <small>(${esc(done)})</small>` : '')]);
  let levelKey = null;
  if (a.ntm) {
    levelKey = a.ntm.status === 'recorded' ? a.ntm.level : a.ntm.status;
    const swatch = levelColour(levelKey) ? `<span class="swatch" style="background:${esc(levelColour(levelKey))}"></span>` : '';
    rows.push([t('level'), `${swatch}<strong class="level">${esc(levelLabel(levelKey))}</strong>`]);
    if (a.ntm.status === 'recorded') {
      rows.push([t('year_recognised'), esc(a.ntm.year)]);
      if (a.ntm.criteria_met != null) rows.push([t('criteria'), `${esc(a.ntm.criteria_met)}/19`]);
    }
  }
  if (a.former_communes) {
    const f = a.former_communes;
    const parts = ['kieu_mau', 'nang_cao', 'dat_chuan', 'chua_dat', 'not_applicable', 'no_data']
      .filter((k) => f[k] > 0).map((k) => `${f[k]} ${esc(levelLabel(k))}`);
    rows.push([t('former'), `${f.total}: ${parts.join(', ')}`]);
  }
  const list = (items, label) => `<h4>${label}</h4>` + (items.length
    ? `<ul>${items.slice(0, 5).map((i) => `<li>${esc(i.name)} <small>(${esc(pointKindLabel(i.kind || i.category))}, ${km(i.distance_m)})</small></li>`).join('')}</ul>`
    : `<p class="none">${t('none')}</p>`);
  return `<div class="commune" data-code="${esc(a.commune.code)}" data-level="${esc(levelKey || '')}">
    <h3>${esc(a.commune.name)}</h3>${table(rows)}
    ${checklistHtml(a.criteria)}${a.pilots ? list(a.pilots, t('pilots')) : ''}${a.tourism ? list(a.tourism, t('tourism')) : ''}
    ${!a.province.code ? '' : `<p><button type="button" class="link province-stats" data-code="${esc(a.province.code)}" data-name="${esc(a.province.name)}">${t('details')}</button></p>`}</div>`;
}

// The checklist of the commune's criteria set: what is missing first, then the rest in
// number order; each line with its status and, where the row gives one, its value.
function checklistHtml(list) {
  if (!list || !list.items) return '';
  const word = { met: t('met'), not_met: t('not_met'), met_by_level: t('met_by_level'), no_data: t('no_data') };
  const mark = { met: '✓', met_by_level: '✓', not_met: '✗', no_data: '–' };
  const order = { not_met: 0, no_data: 1, met: 2, met_by_level: 2 };
  const items = list.items.map((item, i) => ({ item, i }))
    .sort((a, b) => order[a.item.status] - order[b.item.status] || a.i - b.i)
    .map(({ item }) => {
      const value = item.assessment && item.assessment.value != null ? ` <small>(${esc(item.assessment.value)})</small>` : '';
      const label = pick({ vi: item.label_vi, en: item.label_en });
      return `<li class="${esc(item.status)}${item.number.includes('.') ? ' indicator' : ''}" data-number="${esc(item.number)}" data-status="${esc(item.status)}" title="${esc(word[item.status])}">`
        + `<span class="mark">${mark[item.status] || ''}</span> ${esc(item.number)}. ${esc(label)}${value}</li>`;
    }).join('');
  const missing = list.missing && list.missing.length
    ? `<p class="missing"><strong>${t('missing')}:</strong> ${list.missing.map(esc).join(', ')}</p>` : '';
  return `<details class="checklist" data-set="${esc(list.set)}" open><summary>${t('checklist')} ${esc(list.set)} — `
    + `${esc(list.criteria_met)}/${esc(list.criteria_total)} <small>(${esc(list.decision)})</small></summary>${missing}<ul>${items}</ul></details>`;
}

async function onClick(e) {
  const points = pointFeatures(e.point);
  const seen = new Set();
  const pointsHtml = points.filter((f) => {
    const key = `${f.layer.id}:${f.properties && f.properties.id}`;
    return !seen.has(key) && seen.add(key);
  }).slice(0, 3).map(pointHtml).join('');
  if (popup) popup.remove();
  // On a narrow screen the popup is nearly as wide as the map: bring the place to the
  // middle, in the upper part, and open the popup below it.
  const narrow = map.getContainer().clientWidth < 640;
  if (narrow) map.easeTo({ center: e.lngLat, offset: [0, -0.22 * map.getContainer().clientHeight], duration: 300 });
  popup = new maplibregl.Popup({ maxWidth: '340px', anchor: narrow ? 'top' : undefined })
    .setLngLat(e.lngLat)
    .setHTML(`${pointsHtml}<p class="loading">${t('loading')}</p>`)
    .addTo(map);
  const mine = popup;
  const q = query({ lon: e.lngLat.lng.toFixed(6), lat: e.lngLat.lat.toFixed(6), edition: view.edition, year: view.year });
  let html;
  try {
    html = site ? await staticCommuneHtml(e.point) : communeHtml(await getJson(`/api/v1/communes/at?${q}`));
  } catch (err) {
    html = err.status === 404 ? `<p class="none">${t('no_commune')}</p>` : `<p class="error">${t('error')}: ${esc(err.message)}</p>`;
  }
  if (mine !== popup) return;
  popup.setHTML(pointsHtml + html);
  // The content scrolls on phones; show it from the top.
  popup.getElement().querySelector('.maplibregl-popup-content').scrollTop = 0;
  const button = popup.getElement().querySelector('.province-stats');
  if (button) button.addEventListener('click', () => showStats({ code: button.dataset.code, name: button.dataset.name }));
}

// ---- search ----

let searchTimer = null;
let searchRequest = 0;
let hits = [];

function onSearchInput() {
  clearTimeout(searchTimer);
  const q = $('search').value.trim();
  if (!q) { hideSuggestions(); return; }
  searchTimer = setTimeout(() => runSearch(q), 180);
}

async function runSearch(q) {
  const mine = ++searchRequest;
  const list = $('suggestions');
  let items;
  try {
    const body = site ? { hits: await staticSearch(q, 8) } : await getJson(`/api/v1/search?${query({ q, limit: 8, edition: view.edition })}`);
    if (mine !== searchRequest) return;
    hits = body.hits || [];
    items = hits.length ? hits.map((h, i) =>
      `<li role="option" tabindex="-1" data-index="${i}" data-kind="${esc(h.kind)}" data-code="${esc(h.code)}">${esc(h.label || h.name)}<small>${esc(kindWord(h.kind))}</small></li>`).join('')
      : `<li class="none">${t('no_results')}</li>`;
  } catch (err) {
    if (mine !== searchRequest) return;
    hits = [];
    items = `<li class="none">${err.status === 404 ? t('unavailable') : esc(err.message)}</li>`;
  }
  list.innerHTML = items;
  list.hidden = false;
}

function kindWord(kind) {
  return { commune: t('commune'), district: t('district'), province: t('province'), pilot: t('pilots_total'), tourism: t('tourism_total') }[kind] || kind;
}

function hideSuggestions() { $('suggestions').hidden = true; }

function goTo(hit) {
  hideSuggestions();
  $('search').value = hit.label || hit.name;
  const b = hit.bbox;
  const small = !b || (Math.abs(b[2] - b[0]) < 1e-6 && Math.abs(b[3] - b[1]) < 1e-6);
  if (small && hit.point) map.flyTo({ center: hit.point, zoom: 13 });
  else if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 13 });
  const province = hit.kind === 'province' ? { code: hit.code, name: hit.name }
    : (hit.parents || []).find((p) => p.kind === 'province');
  if (province && !$('stats').hidden) showStats({ code: province.code, name: province.name });
}

// ---- statistics ----

async function showStats(province) {
  if (province !== undefined) statsProvince = province;
  $('stats').hidden = false;
  $('stats-toggle').setAttribute('aria-pressed', 'true');
  const body = $('stats-body');
  $('stats-scope').textContent = statsProvince ? statsProvince.name : t('national');
  $('stats-national').hidden = !statsProvince;
  body.innerHTML = `<p class="loading">${t('loading')}</p>`;
  const params = { year: view.year, edition: view.edition };
  if (statsProvince) params.province = statsProvince.code;
  try {
    const s = await getJson(site ? staticStatsUrl(params) : `/api/v1/stats?${query(params)}`);
    body.innerHTML = statsHtml(s);
  } catch (err) {
    body.innerHTML = `<p class="error">${err.status === 404 && !statsProvince ? t('unavailable') : esc(err.message)}</p>`;
  }
}

// Static mode: the publication's file of the same statistics (`stats/{edition}-{year}/{scope}.json`).
function staticStatsUrl(params) {
  const files = site.stats;
  if (!files || !files.views.includes(`${params.edition}-${params.year}`)) {
    throw new Error(t('stats_unpublished'));
  }
  return siteUrl(files.files.replace('{edition}', params.edition).replace('{year}', params.year)
    .replace('{scope}', params.province || 'nation'));
}

const pct = (x) => (x == null ? '–' : `${(x * 100).toFixed(1)}%`);

function statsHtml(s) {
  const c = s.communes || {};
  const rows = [
    [t('communes_ntm'), `${c.ntm ?? '–'} ${t('of')} ${c.eligible ?? '–'} (${pct(c.ntm_share)})`],
    [t('nang_cao'), `${c.nang_cao ?? '–'} (${pct(c.nang_cao_share_of_ntm)})`],
    [t('kieu_mau'), `${c.kieu_mau ?? '–'} (${pct(c.kieu_mau_share_of_ntm)})`],
  ];
  // Of the districts with an NTM task: a quận or a city of wards only has none.
  const d = s.districts;
  if (d && d.eligible) rows.push([t('districts_done'), `${d.completed} ${t('of')} ${d.eligible} (${pct(d.completed_share)})`]);
  // Completion was recognised on the 63 former provinces: counted where the scope has several.
  const p = s.provinces;
  if (p && p.total > 1) rows.push([t('provinces_done'), `${p.completed} ${t('of')} ${p.total}`]);
  if (s.pilots) rows.push([t('pilots_total'), s.pilots.total]);
  if (s.tourism) rows.push([t('tourism_total'), s.tourism.total]);
  const target = (s.targets || []).find((x) => x.id === 'ntm_share');
  const targets = (s.targets || []).map(targetHtml).join('');
  return `${table(rows)}<h4>${t('ntm_share')} 2021–2025</h4>${chart(s.series || [], target && target.target)}
    ${targets ? `<h4>${t('targets')}</h4><ul class="targets">${targets}</ul>` : ''}${downloadsHtml()}`;
}

// Links to the communes' export of the view's edition and year: the server's open data,
// or a static publication's exports folder (Excel and CSV for every year, GeoJSON for its
// latest year: the shapes are the same every year). Excel first: readers open the file in
// a spreadsheet and filter on their province.
function downloadsHtml() {
  const exports = site && site.exports;
  if (site && !(exports && (exports.years || [exports.year]).includes(view.year))) return '';
  const params = query({ edition: view.edition, year: view.year });
  const href = (format) => (site
    ? siteUrl(exports.files.replace('{edition}', view.edition).replace('{year}', view.year).replace('{format}', format))
    : `/api/v1/export/communes.${format}?${params}`);
  const link = ([format, label]) => `<a href="${esc(href(format))}" download data-format="${format}">${label}</a>`;
  const formats = [['xlsx', 'Excel'], ['csv', 'CSV']];
  if (!site || exports.year === view.year) formats.push(['geojson', 'GeoJSON']);
  return `<p class="downloads">${t('download')}: ${formats.map(link).join(' · ')}</p>`;
}

// One target: its label, a progress bar towards it, the scope, the deadline, the source,
// and whether it is met and on track (linear from the first year of data to the deadline).
function targetHtml(x) {
  const share = x.target && x.actual != null ? Math.max(0, Math.min(1, x.actual / x.target)) : 0;
  const state = x.actual == null ? 'no-data' : x.met ? 'met' : x.on_track === false ? 'behind' : 'not-met';
  // A target the data cannot measure has a null actual and met, and says why.
  const status = x.actual == null ? t('unmeasured')
    : x.met ? `✓ ${t('met')}` : `${t('not_met')}${x.on_track == null ? '' : ` — ${x.on_track ? t('on_track') : t('off_track')}`}`;
  const scope = !x.scope || x.scope === 'nation' ? t('scope_nation') : x.scope_name || x.scope;
  const source = x.source && typeof x.source === 'object' ? [x.source.document, x.source.article].filter(Boolean).join(', ') : x.source;
  const deadline = x.deadline ? ` · ${t('deadline')} ${esc(String(x.deadline).slice(0, 10))}` : '';
  return `<li class="target ${state}" data-id="${esc(x.id)}" data-on-track="${esc(x.on_track)}"${x.reason ? ` title="${esc(x.reason)}"` : ''}><span>${esc(pick(x.label))}</span>
    <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(share * 100)}"><span style="width:${(share * 100).toFixed(1)}%"></span></span>
    <small>${fmtTarget(x.actual, x.target)} — ${esc(status)}</small>
    <small class="scope">${esc(scope)}${deadline}${source ? ` · ${esc(source)}` : ''}</small></li>`;
}

function fmtTarget(actual, target) {
  const isShare = (v) => v != null && v <= 1 && !Number.isInteger(v);
  if (isShare(actual) || isShare(target)) return `${pct(actual)} / ${pct(target)}`;
  return `${actual ?? '–'} / ${target ?? '–'}`;
}

// A bar per year of the NTM share with the target as a dashed line: inline SVG, no library.
function chart(series, target) {
  const w = 280, h = 120, left = 30, bottom = 18, top = 8;
  const inner = h - bottom - top;
  const bw = (w - left) / Math.max(series.length, 1);
  const y = (v) => top + inner * (1 - Math.max(0, Math.min(1, v)));
  const bars = series.map((p, i) => {
    const v = p.ntm_share ?? 0, x = left + i * bw + bw * 0.15;
    const current = p.year === view.year ? ' current' : '';
    return `<rect class="bar${current}" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(top + inner - y(v)).toFixed(1)}"><title>${p.year}: ${pct(v)}</title></rect>
      <text x="${(x + bw * 0.35).toFixed(1)}" y="${h - 4}" text-anchor="middle">${p.year}</text>
      <text x="${(x + bw * 0.35).toFixed(1)}" y="${(y(v) - 2).toFixed(1)}" text-anchor="middle" class="value">${Math.round(v * 100)}</text>`;
  }).join('');
  const axis = [0, 0.5, 1].map((v) => `<text x="${left - 4}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${v * 100}%</text>`).join('');
  const goal = target != null ? `<line class="target" x1="${left}" x2="${w}" y1="${y(target).toFixed(1)}" y2="${y(target).toFixed(1)}"><title>${t('targets')}: ${pct(target)}</title></line>` : '';
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${t('ntm_share')}">${axis}${bars}${goal}</svg>`;
}

// ---- embed ----

function updateEmbed() {
  if (!map || $('embed').hidden) return;
  const base = location.origin;
  const embedHash = hashOf({ ...view, embed: true });
  const page = site ? location.href.replace(/#.*$/, '') : `${base}/`;
  $('embed-iframe').value = `<iframe src="${page}${embedHash}" width="800" height="600" style="border:0" loading="lazy" title="${t('title')}"></iframe>`;
  const b = map.getBounds();
  const canvas = map.getCanvas();
  // Keep the image within a size any server bound allows, with the view's aspect ratio.
  const scale = Math.min(1, 1024 / Math.max(canvas.clientWidth, canvas.clientHeight));
  const width = Math.max(64, Math.round(canvas.clientWidth * scale));
  const height = Math.max(64, Math.round(canvas.clientHeight * scale));
  if (site) return;   // static maps are drawn by the server
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(',');
  const png = `${base}/static/${view.map}.png?${query({ bbox, width, height, ...pictureParams() })}`;
  $('embed-png').value = png;
  $('embed-png-open').href = png;
}

// ---- wiring ----

function setView(changes) {
  Object.assign(view, changes);
  if (!themeFitsEdition(view.theme, view.edition)) {
    view.theme = 'level';
    changes = { ...changes, theme: 'level' };
  }
  syncControls();
  writeHash();
  if (popup) { popup.remove(); popup = null; }
  if ('map' in changes || 'year' in changes || 'edition' in changes || 'theme' in changes) loadStyle();
  else if (('raster' in changes || 'labels' in changes) && styleJson) loadStyle();
  if (!$('stats').hidden && ('year' in changes || 'edition' in changes)) {
    // Province codes differ between editions.
    showStats('edition' in changes ? null : undefined);
  }
}

function wire() {
  document.querySelectorAll('.map-switch').forEach((b) => b.addEventListener('click', () => setView({ map: b.dataset.map })));
  $('year').addEventListener('input', () => { $('year-value').textContent = $('year').value; });
  $('year').addEventListener('change', () => setView({ year: parseInt($('year').value, 10) }));
  $('edition').addEventListener('change', () => setView({ edition: parseInt($('edition').value, 10) }));
  $('raster').addEventListener('change', () => setView({ raster: $('raster').checked }));
  $('labels').addEventListener('change', () => setView({ labels: $('labels').checked }));
  $('theme').addEventListener('change', () => setView({ theme: $('theme').value }));
  $('legend-body').addEventListener('click', (e) => {
    const b = e.target.closest('button.point-switch');
    if (b) togglePoints(b.dataset.layer, b.dataset.key);
  });
  $('lang').addEventListener('click', () => { view.lang = view.lang === 'vi' ? 'en' : 'vi'; applyLanguage(); writeHash(); });
  $('stats-toggle').addEventListener('click', () => {
    if ($('stats').hidden) showStats();
    else { $('stats').hidden = true; $('stats-toggle').setAttribute('aria-pressed', 'false'); }
  });
  $('stats-national').addEventListener('click', () => showStats(null));
  $('embed-toggle').addEventListener('click', () => {
    $('embed').hidden = !$('embed').hidden;
    $('embed-toggle').setAttribute('aria-pressed', String(!$('embed').hidden));
    updateEmbed();
  });
  $('menu-toggle').addEventListener('click', () => {
    const open = document.body.classList.toggle('menu-open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  document.querySelectorAll('.panel-head').forEach((head) => head.addEventListener('click', () => {
    const panel = head.parentElement;
    const collapsed = panel.classList.toggle('collapsed');
    head.setAttribute('aria-expanded', String(!collapsed));
  }));
  ['embed-iframe', 'embed-png'].forEach((id) => $(id).addEventListener('focus', (e) => e.target.select()));
  const search = $('search');
  search.addEventListener('input', onSearchInput);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && hits.length) { e.preventDefault(); goTo(hits[0]); }
    if (e.key === 'Escape') hideSuggestions();
    if (e.key === 'ArrowDown') { const first = $('suggestions').querySelector('li[data-index]'); if (first) { e.preventDefault(); first.focus(); } }
  });
  // Arrow keys move through the suggestions, Enter picks one, Escape returns to the box.
  $('suggestions').addEventListener('keydown', (e) => {
    const li = e.target.closest('li[data-index]');
    if (!li) return;
    if (e.key === 'Enter') { e.preventDefault(); goTo(hits[parseInt(li.dataset.index, 10)]); }
    else if (e.key === 'ArrowDown' && li.nextElementSibling) { e.preventDefault(); li.nextElementSibling.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); (li.previousElementSibling || search).focus(); }
    else if (e.key === 'Escape') { hideSuggestions(); search.focus(); }
  });
  $('suggestions').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-index]');
    if (li) goTo(hits[parseInt(li.dataset.index, 10)]);
  });
  window.addEventListener('hashchange', () => {
    const v = readHash();
    const changed = {};
    for (const k of ['map', 'year', 'edition', 'theme', 'raster', 'labels']) if (v[k] !== view[k] && v[k] !== null) changed[k] = v[k];
    if (map) map.jumpTo({ center: [v.lon, v.lat], zoom: v.zoom });
    if (v.lang !== view.lang) { view.lang = v.lang; applyLanguage(); }
    if (v.hide.join(',') !== view.hide.join(',')) {
      view.hide = v.hide;
      renderLegend();
      // Other changes reload the style, with these filters; else apply them alone (in
      // raster mode, as new PNG tile URLs).
      if (!Object.keys(changed).length && map && styleJson) {
        if (view.raster) loadStyle();
        else map.setStyle(vectorStyle(), { diff: true });
      }
      updateEmbed();
    }
    if (Object.keys(changed).length) setView(changed);
  });
  // Phones start with the legend folded so the map is visible.
  if (window.matchMedia('(max-width: 640px)').matches) $('legend').classList.add('collapsed');
}

syncControls();
applyLanguage();
wire();
(async () => {
  if (STATIC_MARK) {
    try {
      await startStatic();
    } catch (e) {
      $('fatal').textContent = `${t('error')}: ${e.message}`;
      $('fatal').hidden = false;
      return;
    }
  }
  // The map's first style needs the data's years.
  await Promise.all([loadMeta(), loadThemes()]);
  if (window.maplibregl) initMap();
  else showVendorMissing();
})();

// ---- static mode: a publication's files instead of the API ----

// Reads static.json, loads the pmtiles library and registers its protocol, and hides
// what needs the server.
async function startStatic() {
  site = await getJson(siteUrl(STATIC_MARK.content));
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = siteUrl('vendor/pmtiles/pmtiles.js');
    script.onload = resolve;
    script.onerror = () => reject(new Error('vendor/pmtiles/pmtiles.js could not be loaded'));
    document.head.appendChild(script);
  });
  if (window.maplibregl) {
    const protocol = new pmtiles.Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
  }
  document.body.classList.add('static');
  for (const id of ['raster', 'embed-png', 'embed-png-open']) {
    const el = $(id);
    (el.closest('label.check') || el.closest('p') || el).hidden = true;
  }
  document.querySelector('label[for="embed-png"]').hidden = true;
  view.raster = false;
  if (!site.views.some((v) => v.map === view.map && v.edition === view.edition)) {
    const first = site.views[0];
    Object.assign(view, { map: first.map, edition: first.edition });
  }
  // Editions and maps the publication lacks cannot be chosen.
  document.querySelectorAll('#edition option').forEach((o) => { o.disabled = !site.views.some((v) => v.edition === Number(o.value)); });
  document.querySelectorAll('.map-switch').forEach((b) => { b.hidden = !site.views.some((v) => v.map === b.dataset.map); });
}

// The prebuilt search index of an edition, loaded once, each entry with its words.
const searchIndexes = new Map();
function searchIndex(edition) {
  if (!searchIndexes.has(edition)) {
    const file = site.search[String(edition)];
    searchIndexes.set(edition, getJson(siteUrl(file)).then((doc) => {
      const entries = doc.entries.map((r) => ({
        kind: doc.kinds[r[0]], code: r[1], name: r[2], core: r[3], parent: r[4],
        point: [r[5], r[6]], bbox: [r[7], r[8], r[9], r[10]], words: r[3].split(' '), compact: r[3].replace(/ /g, ''),
        // Edition 2025: the 2024 communes this one took, matched like names, with their
        // own district and province as parents.
        former: (r[11] || []).map(([name, core, ...parents]) => ({
          name, core, words: core.split(' '), compact: core.replace(/ /g, ''), parentWords: parents.flatMap(foldWords), parentNames: parents,
        })),
      }));
      const byCode = new Map(entries.map((e) => [`${e.kind}:${e.code}`, e]));
      const prefixes = doc.prefixes.map((p) => p.split(' ')).sort((a, b) => b.length - a.length);
      // Parent names are also matched without their spaces ("Hanoi"), as on the server.
      for (const e of entries) {
        e.former.forEach((f) => { f.parentWords.push(...f.parentNames.map((n) => stripPrefix(foldWords(n), { prefixes }).join(''))); });
      }
      return {
        entries, byCode, prefixes, abbreviations: new Map(doc.abbreviations || []), initials: new Map(doc.initials || []),
        typeWords: new Map(doc.type_words_en || []),
      };
    }).catch((e) => { searchIndexes.delete(edition); throw e; }));
  }
  return searchIndexes.get(edition);
}

// Folded words of a text, as the server folds names: no diacritics, đ → d, lower case,
// punctuation as spaces.
const foldWords = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
  .split(/[^\p{L}\p{N}]+/u).filter(Boolean);

// The query's folded words as the index spells names, as the server reads them
// (src/search/names.rs, whose tables the index carries): "TP", "TX", "TP.HCM" written out
// anywhere; "P.", "Q.", "H.", "X." as the first word of a comma part; "P1", "Q3" glued to a
// number; English type words after a name ("District", "City") left out.
function queryWords(q, index) {
  return q.split(/[,;]/).flatMap((part) => {
    const words = foldWords(part);
    return words.flatMap((w, k) => {
      if (index.abbreviations.has(w)) return index.abbreviations.get(w).split(' ');
      if (k === 0 && words.length > 1 && index.initials.has(w)) return [index.initials.get(w)];
      const glued = /^([pq])(\d+)$/.exec(w);
      if (glued) return [index.initials.get(glued[1]), glued[2]];
      return k > 0 && index.typeWords.has(w) ? [] : [w];
    });
  });
}

// The kind of hit the query's first English type word after a name asks for ("Gia Lam
// District" → district), or null; other kinds lose 0.01, as on the server.
function askedKind(q, index) {
  for (const part of q.split(/[,;]/)) {
    const w = foldWords(part).slice(1).find((x) => index.typeWords.has(x));
    if (w !== undefined) return index.typeWords.get(w);
  }
  return null;
}
const OTHER_KIND = 0.01;

// The words without a leading administrative prefix ("xa", "huyen", "thanh pho", …).
function stripPrefix(words, index) {
  for (const p of index.prefixes) {
    if (words.length > p.length && p.every((w, i) => words[i] === w)) return words.slice(p.length);
  }
  return words;
}

// How well query words name an entry (the server's tiers): exact core 1, exact without
// spaces 0.97, the core begins with the query 0.9, every word in the name 0.7 (the last
// may be the beginning of a word: results while typing). With `typos` (a memo of word
// distances), a name these miss may still be reached by typo tolerance (typoScore).
function nameScore(words, e, index, typos) {
  const core = stripPrefix(words, index);
  const text = core.join(' ');
  if (!text) return 0;
  if (e.core === text) return 1;
  if (e.compact === core.join('')) return 0.97;
  if (e.core.startsWith(text)) return 0.9;
  const last = core.length - 1;
  if (core.every((w, i) => e.words.some((x) => x === w || (i === last && x.startsWith(w))))) return 0.7;
  return typos ? typoScore(core, e, typos) : 0;
}

// Typo tolerance, the server's (src/search/fuzzy.rs): the optimal-string-alignment
// Damerau–Levenshtein distance in half edits, where a substitution between letters that
// sound alike or are spelt interchangeably (s/x, d/r, d/v, i/y, c/k, l/n) costs one half;
// null beyond `bound`. Words longer than 24 letters are not compared.
const EDIT = 2;
const SOUND_ALIKE = new Set(['sx', 'dr', 'dv', 'iy', 'ck', 'ln']);
function typoDistance(a, b, bound) {
  if (a.length > 24 || b.length > 24 || Math.abs(a.length - b.length) * EDIT > bound) return null;
  let before = null;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j * EDIT);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i * EDIT];
    let rowMin = row[0];
    for (let j = 1; j <= b.length; j += 1) {
      const x = a[i - 1], y = b[j - 1];
      const substitution = x === y ? 0 : SOUND_ALIKE.has(x < y ? x + y : y + x) ? 1 : EDIT;
      let v = Math.min(prev[j - 1] + substitution, prev[j] + EDIT, row[j - 1] + EDIT);
      if (i > 1 && j > 1 && x === b[j - 2] && a[i - 2] === y && x !== y) v = Math.min(v, before[j - 2] + EDIT);
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > bound) return null;
    before = prev;
    prev = row;
  }
  return prev[b.length] <= bound ? prev[b.length] : null;
}

// Half edits a word of this length may carry: short words only a sound-alike letter,
// longer ones one or two typos (the server's bound_for).
const typoBound = (length) => (length <= 2 ? 1 : length <= 5 ? EDIT : 2 * EDIT);

// A name reached only by typo tolerance scores 0.55 less 0.025 per half edit, at least
// 0.30 (always below every other tier): every query word near a word of the name (the
// last may begin one), or a one-word query of 4 letters or more near the name without
// spaces. `memo` keeps each (query word, name word) distance of one search.
function typoScore(core, e, memo) {
  const near = (w, x) => {
    const key = `${w} ${x}`;
    if (!memo.has(key)) memo.set(key, typoDistance(w, x, typoBound(w.length)));
    return memo.get(key);
  };
  const last = core.length - 1;
  let byWords = 0;
  for (let i = 0; i <= last && byWords !== null; i += 1) {
    const w = core[i];
    const costs = e.words.map((x) => (x === w || (i === last && x.startsWith(w)) ? 0 : near(w, x))).filter((d) => d !== null);
    byWords = costs.length ? byWords + Math.min(...costs) : null;
  }
  const compact = core.join('');
  const byCompact = core.length === 1 && compact.length >= 4 ? near(compact, e.compact) : null;
  const costs = [byWords, byCompact].filter((d) => d !== null);
  return costs.length ? Math.max(0.55 - 0.025 * Math.min(...costs), 0.3) : 0;
}

const parentsOf = (e, index) => {
  const out = [];
  for (let p = e.parent; p >= 0 && out.length < 4; p = index.entries[p].parent) out.push(index.entries[p]);
  return out;
};

// The server's reading of "name, district, province": the first words name the place and
// every other word names one of its parents; a hit outside the parents named loses 0.1.
// A hit keeps the best of that and its score for the whole query.
function addressScore(words, named, parentWords, index, typos) {
  let score = nameScore(words, named, index, typos);
  for (let k = 1; k < words.length && score < 1; k += 1) {
    const s = nameScore(words.slice(0, k), named, index, typos);
    if (s <= 0) continue;
    const inside = words.slice(k).every((w) => parentWords().has(w));
    score = Math.max(score, inside ? s : s - 0.1);
  }
  return score;
}

// A 2025 commune found by the name of a 2024 commune it took ranks just below that old
// name's own score, as the server ranks the successors of an old commune.
const SUCCESSOR = 0.005;

// Every entry the query names with its score; with `typos` (a memo), only the entries
// not in `found` are scored, typo tolerance included.
function scoreEntries(words, index, typos, found) {
  const scored = [];
  for (const e of index.entries) {
    if (found && found.has(e)) continue;
    let parentWords = null;
    const ownParents = () => parentWords || (parentWords = new Set(parentsOf(e, index).flatMap((p) => [...foldWords(p.name), p.compact])));
    let score = addressScore(words, e, ownParents, index, typos);
    for (const f of e.former) {
      if (score >= 1) break;
      // The old commune's district and province, and the new commune's parents.
      const oldParents = () => new Set([...f.parentWords, ...ownParents()]);
      const s = addressScore(words, f, oldParents, index, typos);
      if (s > 0) score = Math.max(score, s - SUCCESSOR);
    }
    if (score > 0) scored.push({ e, score });
  }
  return scored;
}

// The words of a text as written, tone marks included, as the server compares them
// (names::spelled_words): lower case, decomposed, each word's tone mark moved to its end,
// so "thủy" and "thuỷ" are one word and "phú" and "phù" two.
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/gu;
function spelledWords(text) {
  return text.toLowerCase().normalize('NFD').split(/[^\p{L}\p{N}\u0300-\u036f]+/u).filter(Boolean).map((w) => {
    const tones = w.match(TONE_MARKS);
    return w.replace(TONE_MARKS, '') + (tones ? tones[tones.length - 1] : '');
  });
}

// Whether the query's words spell the entry's core, tone marks included.
function asWritten(e, spelled) {
  e.spelled ??= spelledWords(e.name).slice(-e.words.length);
  const n = e.spelled.length;
  for (let i = 0; i + n <= spelled.length; i++) {
    if (e.spelled.every((w, k) => w === spelled[i + k])) return true;
  }
  return false;
}

async function staticSearch(q, limit) {
  const index = await searchIndex(view.edition);
  const words = queryWords(q, index);
  if (!words.length) return [];
  // Equal scores: the names the query spells with their tone marks first, then the
  // larger unit, as the server orders them (HitKind).
  const kindOrder = { province: 0, district: 1, commune: 2, pilot: 3, tourism: 4 };
  const spelled = spelledWords(q);
  const scored = scoreEntries(words, index, null, null);
  // As on the server, typo tolerance only when the other tiers find fewer than asked:
  // its scores are below theirs, so it could not change the first `limit` otherwise.
  if (scored.length < limit) scored.push(...scoreEntries(words, index, new Map(), new Set(scored.map((s) => s.e))));
  const kind = askedKind(q, index);
  if (kind) scored.forEach((s) => { if (s.e.kind !== kind) s.score -= OTHER_KIND; });
  scored.forEach((s) => { s.written = asWritten(s.e, spelled); });
  scored.sort((a, b) => b.score - a.score || b.written - a.written || kindOrder[a.e.kind] - kindOrder[b.e.kind] || (a.e.code < b.e.code ? -1 : 1));
  return scored.slice(0, limit).map(({ e, score }) => {
    const parents = parentsOf(e, index).map((p) => ({ kind: p.kind, code: p.code, name: p.name }));
    return { kind: e.kind, code: e.code, name: e.name, label: [e.name, ...parents.map((p) => p.name)].join(', '), parents, bbox: e.bbox, point: e.point, score };
  });
}

const LEVEL_RANK = { chua_dat: 0, dat_chuan: 1, nang_cao: 2, kieu_mau: 3 };

// The checklist a commune's tile properties allow: the set it is assessed on (the first
// commune set of the year above its level, else the highest, as the server chooses), each
// criterion from the masks crit_{set} / crit_{set}_known, each indicator from
// ind_{set}_{c}_{i}; a set the tile says nothing of is met by the level when the level
// reaches it, else without data (the tiles' rule, src/tile/criteria.rs).
function staticChecklist(p) {
  if (!(p.level in LEVEL_RANK)) return null;
  const sets = criteriaSets.filter((s) => s.unit === 'commune' && s.first_year <= view.year && view.year <= s.last_year)
    .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
  const set = sets.find((s) => LEVEL_RANK[p.level] < LEVEL_RANK[s.level]) || sets[sets.length - 1];
  if (!set) return null;
  const mask = p[`crit_${set.id}`], known = p[`crit_${set.id}_known`];
  const byLevel = LEVEL_RANK[p.level] >= LEVEL_RANK[set.level];
  const bit = (m, n) => m != null && Math.floor(m / 2 ** (n - 1)) % 2 === 1;
  const items = [];
  for (const c of set.criteria) {
    const n = Number(c.number);
    let status;
    if (mask == null && known == null) status = byLevel ? 'met_by_level' : 'no_data';
    else status = bit(mask, n) ? 'met' : bit(known, n) ? 'not_met' : 'no_data';
    items.push({ number: c.number, label_vi: c.label_vi, label_en: c.label_en, status });
    for (const i of c.indicators || []) {
      const [cn, inum] = i.number.split('.');
      const v = p[`ind_${set.id}_${cn}_${inum}`];
      const value = p[`ind_${set.id}_${cn}_${inum}_value`];
      const st = v === 'met' || v === 'not_met' || v === 'no_data' ? v : (byLevel ? 'met_by_level' : 'no_data');
      items.push({ number: i.number, label_vi: i.label_vi, label_en: i.label_en, status: st, assessment: value != null ? { value } : null });
    }
  }
  const criteria = items.filter((i) => !i.number.includes('.'));
  return {
    set: set.id, decision: set.decision, criteria_total: criteria.length,
    criteria_met: criteria.filter((i) => i.status === 'met' || i.status === 'met_by_level').length,
    missing: criteria.filter((i) => i.status === 'not_met').map((i) => i.number), items,
  };
}

// Static mode's popup: the commune under the cursor from the tiles' feature properties,
// its district and province from the search index.
async function staticCommuneHtml(point) {
  // The communes' fill, or (a district theme fills districts) any commune polygon drawn.
  const f = map.getLayer('communes-fill')
    ? map.queryRenderedFeatures(point, { layers: ['communes-fill'] })[0]
    : map.queryRenderedFeatures(point).find((x) => x.sourceLayer === 'communes' && x.geometry.type.endsWith('Polygon'));
  if (!f) { const e = new Error(t('no_commune')); e.status = 404; throw e; }
  const p = f.properties || {};
  const index = await searchIndex(view.edition);
  const entry = index.byCode.get(`commune:${p.code}`);
  const parents = entry ? parentsOf(entry, index) : [];
  const district = parents.find((x) => x.kind === 'district');
  const province = parents.find((x) => x.kind === 'province') || { code: '', name: '' };
  const a = {
    commune: { code: p.code, name: p.name },   // no edition: the province's completion is not in the tiles
    district: district ? { code: district.code, name: district.name } : null,
    province: { code: province.code, name: province.name },
    ntm: { status: p.level_year != null ? 'recorded' : p.level, level: p.level, year: p.level_year, criteria_met: p.criteria_met },
    criteria: view.edition === 2024 && view.map === 'ntm' ? staticChecklist(p) : null,
  };
  if (p.former_total != null) {
    a.former_communes = { total: p.former_total };
    for (const k of ['chua_dat', 'dat_chuan', 'nang_cao', 'kieu_mau', 'not_applicable']) a.former_communes[k] = p[`former_${k}`] || 0;
  }
  return communeHtml(a);
}
