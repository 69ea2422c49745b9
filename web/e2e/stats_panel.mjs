// Reading the viewer's statistics panel and checking it against numbers counted from the
// CSV files: shared by the server-mode (viewer.mjs) and static-mode (static.mjs) tests.
//
// Steps: wait for the chart (or the error the panel shows when its document failed);
// read each row as its label and the numbers of its value, each whole ("1412" is one
// number, never "412" and more); compare the rows with the counts, in order.

import { assert } from './harness.mjs';

// The numbers in a text, each whole.
export const numbers = (text) => text.match(/\d+(?:[.,]\d+)?/g) || [];

// The panel's rows once drawn: label → numbers. Fails when the panel shows an error.
export async function statsRows(page, timeout) {
  await page.locator('#stats svg.chart, #stats-body .error').first().waitFor({ state: 'visible', timeout });
  const error = page.locator('#stats-body .error');
  assert(await error.count() === 0, `the panel shows an error: ${await error.allInnerTexts()}`);
  const rows = await page.locator('#stats-body table tr').evaluateAll(
    (trs) => trs.map((tr) => [tr.querySelector('th').innerText.trim(), tr.querySelector('td').innerText]));
  return Object.fromEntries(rows.map(([label, value]) => [label, numbers(value)]));
}

// Each row's leading numbers against `want` (ntm, eligible, ntm_share_pct, nang_cao,
// kieu_mau, districts_done, districts_eligible, provinces_done, provinces_total, pilots,
// tourism; the Vietnamese labels,
// the viewer's default language).
export function assertStats(rows, want, what) {
  const expected = {
    'Xã đạt chuẩn NTM': [want.ntm, want.eligible, want.ntm_share_pct],
    'NTM nâng cao': [want.nang_cao],
    'NTM kiểu mẫu': [want.kieu_mau],
    'Huyện hoàn thành': [want.districts_done, want.districts_eligible],
    'Mô hình thí điểm': [want.pilots],
    'Điểm du lịch': [want.tourism],
  };
  // Provinces are counted where the scope has several (the whole country).
  if (want.provinces_total > 1) expected['Tỉnh hoàn thành'] = [want.provinces_done, want.provinces_total];
  else assert(!('Tỉnh hoàn thành' in rows), `${what}: a province row for one province`);
  for (const [label, values] of Object.entries(expected)) {
    assert(label in rows, `${what}: no row "${label}" in ${JSON.stringify(rows)}`);
    const head = rows[label].slice(0, values.length);
    assert(JSON.stringify(head) === JSON.stringify(values.map(String)),
      `${what} "${label}": panel shows ${JSON.stringify(rows[label])}, counted ${JSON.stringify(values)}`);
  }
}
