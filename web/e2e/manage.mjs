// End-to-end test of the management pages in real headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Run by tests/manage_e2e.rs, which starts
// bando with a fresh data folder, creates the accounts with `bando user add`, picks the
// commune and the criterion to change from the source CSV files and passes them in
// BANDO_E2E (JSON).
//
// Steps: the Hà Tĩnh editor logs in and downloads the province's template; the workbook is
// edited here with ExcelJS (a library independent of the server's): one commune's level,
// one criterion, and one bad row; the upload shows the bad row's message (sheet, row,
// value); the row is fixed, the upload becomes a draft whose diff shows old → new, and
// the editor submits it and previews the map with it; the management pages are opened at
// a phone's size (390×844) by the editor and the admin: no page scrolls sideways and every
// form control fits the screen, and the change log's filter form works there; the admin
// logs in, finds it in the review queue and approves it
// with a decision number; the public point query and the PNG tile's pixel at that commune
// show the new level; the commune's public history lists the change with both names.
// Prints one "ok"/"not ok" line per check; exits 1 when any check failed or the script
// stopped (a check that cannot run is a failure).

import { chromium } from 'playwright-core';
import ExcelJS from 'exceljs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assert, checks, chromiumArgs, CHROMIUM, requireEnv, SHOTS, watchPageProblems } from './harness.mjs';
import { colourDistance, pngPixel, rgb, tileAt } from './pixels.mjs';

const RUNNER = 'tests/manage_e2e.rs';
const BASE = requireEnv('BANDO_URL', RUNNER);
const EXPECT = JSON.parse(requireEnv('BANDO_E2E', RUNNER));
const WORK = process.env.WORK_DIR || SHOTS;
const ARGS = chromiumArgs({ webgl: false });
const TIMEOUT = 60_000;

mkdirSync(WORK, { recursive: true });
// Each step needs the last one's result: after a failure the rest are reported not run.
const { check, stopped, finish } = checks({ stopAtFirstFailure: true });

// The worksheet named `name`, and the column number of each header cell (row `headerRow`).
function sheetColumns(workbook, name) {
  const sheet = workbook.getWorksheet(name);
  assert(sheet, `the template has no sheet "${name}" (sheets: ${workbook.worksheets.map((s) => s.name).join(', ')})`);
  const columns = {};
  sheet.getRow(EXPECT.header_row).eachCell((cell, col) => { columns[String(cell.value).trim()] = col; });
  return { sheet, columns };
}

// The row of `sheet` whose cells in the given columns hold the given texts.
function findRow(sheet, columns, wanted) {
  for (let r = EXPECT.header_row + 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const matches = Object.entries(wanted).every(([header, text]) => {
      const col = columns[header];
      assert(col, `no column "${header}" (columns: ${Object.keys(columns).join(', ')})`);
      return cellText(row.getCell(col)) === String(text);
    });
    if (matches) return row;
  }
  throw new Error(`no row with ${JSON.stringify(wanted)}`);
}

function cellText(cell) {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'result' in v) return String(v.result);
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  return String(v);
}

async function login(page, username, password) {
  await page.goto(`${BASE}/manage/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit], form input[type=submit]')]);
  assert(new URL(page.url()).pathname === '/manage', `after login the page is ${page.url()}`);
}

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('form#logout button')]);
}

// A phone's screen: the management pages must fit it.
const PHONE = { width: 390, height: 844 };

// Opens `path` (unless `opened`) and checks that the page does not scroll sideways and
// that every visible form control lies within the screen and is big enough to tap.
async function fitsPhone(page, path, shot, opened = false) {
  if (!opened) {
    const r = await page.goto(`${BASE}${path}`);
    assert(r.status() === 200, `${path} answered ${r.status()} on the phone`);
  }
  const layout = await page.evaluate(() => {
    const root = document.scrollingElement;
    const width = root.clientWidth;
    const controls = [...document.querySelectorAll('form input:not([type=hidden]), form select, form textarea, form button')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { what: `${el.tagName.toLowerCase()}[name=${el.name || ''}] in form#${el.form && el.form.id || '?'}`, left: r.left, right: r.right, height: r.height };
      });
    return { scrollWidth: root.scrollWidth, width, controls, forms: document.querySelectorAll('form').length };
  });
  assert(layout.scrollWidth <= layout.width, `${path} scrolls sideways on a ${PHONE.width} px screen: ${layout.scrollWidth} px wide`);
  for (const c of layout.controls) {
    assert(c.left >= 0 && c.right <= layout.width + 0.5, `${path}: ${c.what} reaches outside the screen (${c.left.toFixed(0)}–${c.right.toFixed(0)} of ${layout.width} px)`);
    assert(c.height >= 24, `${path}: ${c.what} is ${c.height.toFixed(0)} px high, too small to tap`);
  }
  await page.screenshot({ path: join(SHOTS, `manage-phone-${shot}.png`), fullPage: true });
  return layout;
}

async function upload(page, file) {
  await page.goto(`${BASE}/manage`);
  await page.setInputFiles('form#upload input[type=file]', file);
  await Promise.all([page.waitForNavigation(), page.click('form#upload button[type=submit]')]);
}


const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const problems = [];
  watchPageProblems(context, problems);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const { editor, admin, commune, criterion, sheets } = EXPECT;
  const template = join(WORK, 'template.xlsx');
  const edited = join(WORK, 'edited.xlsx');
  const fixed = join(WORK, 'fixed.xlsx');
  let workbook;
  let submissionUrl;

  await check(`the Hà Tĩnh editor logs in and downloads the template of province ${editor.province}`, async () => {
    await login(page, editor.username, editor.password);
    const link = page.locator(`a[href="/manage/template/${editor.province}.xlsx"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    await download.saveAs(template);
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(template);
    for (const name of Object.values(sheets)) sheetColumns(workbook, name);
  });

  await check(`the workbook is edited with ExcelJS: ${commune.code} ${commune.old_level} → ${commune.new_level}, criterion ${criterion.column} of ${criterion.unit_code}, and one bad row`, async () => {
    const results = sheetColumns(workbook, sheets.commune_results);
    const row = findRow(results.sheet, results.columns, { [EXPECT.columns.code]: commune.code, [EXPECT.columns.year]: commune.year });
    assert(cellText(row.getCell(results.columns[EXPECT.columns.level])) === commune.old_label,
      `the template shows ${cellText(row.getCell(results.columns[EXPECT.columns.level]))} for ${commune.code}, the published level is ${commune.old_label}`);
    row.getCell(results.columns[EXPECT.columns.level]).value = commune.new_label;
    row.commit();

    const crit = sheetColumns(workbook, sheets.criteria);
    const critRow = findRow(crit.sheet, crit.columns, { [EXPECT.columns.unit_code]: criterion.unit_code, [EXPECT.columns.year]: criterion.year, set: criterion.set });
    const cell = critRow.getCell(crit.columns[criterion.column]);
    assert(cellText(cell) === criterion.old, `criterion ${criterion.column} of ${criterion.unit_code} shows "${cellText(cell)}", published "${criterion.old}"`);
    cell.value = criterion.new;
    critRow.commit();

    // The bad row: a level that does not exist, on the row after the last one.
    const bad = results.sheet.getRow(results.sheet.rowCount + 1);
    bad.getCell(results.columns[EXPECT.columns.code]).value = commune.code;
    bad.getCell(results.columns[EXPECT.columns.year]).value = Number(EXPECT.bad_row.year);
    bad.getCell(results.columns[EXPECT.columns.level]).value = EXPECT.bad_row.level;
    bad.commit();
    EXPECT.bad_row.row = bad.number;
    await workbook.xlsx.writeFile(edited);
  });

  await check('the upload shows the bad row: sheet, row, value and the message in both languages', async () => {
    await upload(page, edited);
    const report = page.locator('table#problems');
    await report.waitFor();
    const text = await report.innerText();
    assert(text.includes(sheets.commune_results), `the report does not name the sheet "${sheets.commune_results}":\n${text}`);
    const line = (await report.locator('tbody tr').allInnerTexts()).find((t) => t.includes(EXPECT.bad_row.level));
    assert(line, `no line of the report names the value "${EXPECT.bad_row.level}":\n${text}`);
    assert(line.includes(String(EXPECT.bad_row.row)), `the report line does not name row ${EXPECT.bad_row.row}: ${line}`);
    const rows = await report.locator('tbody tr').count();
    assert(rows === 1, `the report lists ${rows} problems, expected only the bad row:\n${text}`);
    await page.screenshot({ path: join(SHOTS, 'manage-upload-report.png'), fullPage: true });
  });

  await check('after the bad row is removed the upload is a draft whose diff shows old → new, and the editor submits it', async () => {
    const results = workbook.getWorksheet(sheets.commune_results);
    results.spliceRows(EXPECT.bad_row.row, 1);
    await workbook.xlsx.writeFile(fixed);
    await upload(page, fixed);
    assert(/\/manage\/submissions\/\d+$/.test(new URL(page.url()).pathname), `after a clean upload the page is ${page.url()}`);
    submissionUrl = page.url();
    const diff = await page.locator('table#diff').innerText();
    for (const expected of [commune.code, commune.old_level, commune.new_level, criterion.unit_code]) {
      assert(diff.includes(expected), `the diff does not show ${expected}:\n${diff}`);
    }
    await page.screenshot({ path: join(SHOTS, 'manage-draft-diff.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click('form#submit button[type=submit]')]);
    const status = await page.locator('#status').innerText();
    assert(status.includes('submitted'), `after submitting the status reads "${status}"`);
  });

  await check(`the editor previews the map with the draft: ${commune.code} ${commune.old_level} → ${commune.new_level}, and the colour of ${commune.new_level} at it`, async () => {
    await Promise.all([page.waitForNavigation(), page.click('a#preview-link')]);
    const units = await page.locator('#changed-units').innerText();
    const line = units.split('\n').find((l) => l.includes(commune.code));
    assert(line && line.includes(`${commune.old_level} → ${commune.new_level}`), `the preview does not list ${commune.code} ${commune.old_level} → ${commune.new_level}:\n${units}`);
    for (const id of ['preview-map', 'published-map']) {
      const loaded = await page.locator(`img#${id}`).evaluate((img) => img.complete && img.naturalWidth > 0);
      assert(loaded, `the picture #${id} did not load`);
    }
    await page.screenshot({ path: join(SHOTS, 'manage-preview.png'), fullPage: true });
    // The preview picture centred on the commune: its centre pixel has the new colour.
    // Large enough that the caption and the legend stay clear of the centre.
    const z = 12, side = 600;
    const at = tileAt(commune.lon, commune.lat, z);
    const [wx, wy] = [at.x * 256 + at.px, at.y * 256 + at.py];
    const [ox, oy] = [Math.round(wx - side / 2), Math.round(wy - side / 2)];
    const path = `${new URL(submissionUrl).pathname}/preview.png?center=${commune.lon},${commune.lat}&zoom=${z}&width=${side}&height=${side}&edition=${commune.edition}`;
    const r = await page.request.get(`${BASE}${path}`);
    assert(r.status() === 200, `${path} answered ${r.status()}`);
    const pixel = await pngPixel(page, await r.body(), wx - ox, wy - oy);
    const want = rgb(EXPECT.colours[commune.new_level]);
    assert(colourDistance(pixel, want) < 40, `the preview's pixel at ${commune.code} is ${pixel}, the colour of ${commune.new_level} is ${want}`);
    await logout(page);
  });

  await check(`the editor's pages fit a ${PHONE.width}×${PHONE.height} phone screen, the upload report and the preview included`, async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(TIMEOUT);
      await fitsPhone(p, '/manage/login', 'login');
      await login(p, editor.username, editor.password);
      await fitsPhone(p, '/manage', 'home');
      await upload(p, edited);
      await p.locator('table#problems').waitFor();
      await fitsPhone(p, '/manage/uploads', 'report', true);
      const submission = new URL(submissionUrl).pathname;
      for (const [path, shot] of [['/manage/submissions', 'submissions'], [submission, 'submission'], [`${submission}/preview`, 'preview'], ['/manage/changes', 'changes']]) {
        await fitsPhone(p, path, shot);
      }
    } finally {
      await phone.close();
    }
  });

  await check(`the admin's pages fit a phone screen, and the change log's filter works there`, async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(TIMEOUT);
      await login(p, admin.username, admin.password);
      const submission = new URL(submissionUrl).pathname;
      // Each of these has forms besides the sign-out button.
      for (const [path, shot] of [['/manage', 'admin-home'], ['/manage/accounts', 'accounts'], [submission, 'review']]) {
        const layout = await fitsPhone(p, path, shot);
        assert(layout.forms > 1, `${path} shows no form to the admin`);
      }
      await fitsPhone(p, `${submission}/preview`, 'admin-preview');
      await fitsPhone(p, '/manage/changes', 'admin-changes');
      await p.fill('form#filter input[name=province]', editor.province);
      await p.fill('form#filter input[name=from]', '2000-01-01');
      await Promise.all([p.waitForNavigation(), p.click('form#filter button[type=submit]')]);
      const url = new URL(p.url());
      assert(url.pathname === '/manage/changes' && url.searchParams.get('province') === editor.province && url.searchParams.get('from') === '2000-01-01',
        `the filter went to ${p.url()}`);
      await fitsPhone(p, '', 'admin-changes-filtered', true);
      const csv = await p.locator('a#csv').getAttribute('href');
      assert(csv.includes(`province=${editor.province}`) && csv.includes('from=2000-01-01'), `the CSV link ${csv} is not the filtered period`);
    } finally {
      await phone.close();
    }
  });

  await check('the admin finds it in the review queue and approves it with a decision number', async () => {
    await login(page, admin.username, admin.password);
    const queue = page.locator('#review-queue');
    const link = queue.locator(`a[href="${new URL(submissionUrl).pathname}"]`);
    assert(await link.count() === 1, `the review queue does not list ${submissionUrl}:\n${await queue.innerText()}`);
    await Promise.all([page.waitForNavigation(), link.click()]);
    await page.fill('form#approve input[name=decision]', EXPECT.decision);
    await page.fill('form#approve textarea[name=comment]', 'Đã kiểm tra / checked');
    await Promise.all([page.waitForNavigation(), page.click('form#approve button[type=submit]')]);
    const status = await page.locator('#status').innerText();
    assert(status.includes('approved'), `after approving the status reads "${status}"`);
    await page.screenshot({ path: join(SHOTS, 'manage-approved.png'), fullPage: true });
  });

  await check(`the public point query answers ${commune.new_level} at ${commune.code}`, async () => {
    // The year in force by default: the data's last, when the commune's latest record
    // (the one changed) still holds.
    const r = await fetch(`${BASE}/api/v1/communes/at?lon=${commune.lon}&lat=${commune.lat}&edition=${commune.edition}`);
    const text = await r.text();
    assert(r.status === 200, `point query answered ${r.status}: ${text}`);
    const body = JSON.parse(text);
    assert(body.commune.code === commune.code, `the point is in ${body.commune.code}, not ${commune.code}`);
    assert(body.ntm.level === commune.new_level, `the point query says ${body.ntm.level}, expected ${commune.new_level}`);
  });

  await check(`the PNG tile's pixel at ${commune.code} has the colour of ${commune.new_level}`, async () => {
    const z = 12;
    const at = tileAt(commune.lon, commune.lat, z);
    const r = await page.request.get(`${BASE}/tiles/ntm/${z}/${at.x}/${at.y}.png?edition=${commune.edition}`);
    assert(r.status() === 200, `the PNG tile answered ${r.status()}`);
    const pixel = await pngPixel(page, await r.body(), at.px, at.py);
    const want = rgb(EXPECT.colours[commune.new_level]);
    const was = rgb(EXPECT.colours[commune.old_level]);
    assert(colourDistance(pixel, want) < colourDistance(pixel, was) && colourDistance(pixel, want) < 40,
      `the pixel is ${pixel}, the colour of ${commune.new_level} is ${want}, of ${commune.old_level} ${was}`);
  });

  await check('the commune\'s history lists the change with the editor\'s and the admin\'s names', async () => {
    const r = await fetch(`${BASE}/api/v1/communes/${commune.code}/history`);
    assert(r.status === 200, `history answered ${r.status}`);
    const body = await r.json();
    const change = (body.changes || []).find((c) => c.field === 'level' && c.new === commune.new_level);
    assert(change, `no level change to ${commune.new_level} in ${JSON.stringify(body).slice(0, 600)}`);
    assert(change.old === commune.old_level, `the change's old value is ${change.old}`);
    const names = JSON.stringify(change);
    assert(names.includes(editor.username) && names.includes(admin.username), `the change does not name both people: ${names}`);
    assert(change.decision === EXPECT.decision, `the change's decision is ${change.decision}`);
  });

  await check('no console error and no missing file on the management pages', async () => {
    assert(!problems.length, [...new Set(problems)].join('\n'));
  });
} catch (e) {
  stopped(e);
} finally {
  await browser.close();
}
finish();
