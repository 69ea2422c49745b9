// Validates a MapLibre GL style (a file path or an http(s) URL) with the official
// style-spec validator; prints each error and exits 1 when there is any.
//
//   node tests/js/validate-style.mjs http://127.0.0.1:8080/styles/ntm.json
//   node tests/js/validate-style.mjs style.json
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { readFileSync } from 'node:fs';

const target = process.argv[2];
if (!target) {
  console.error('usage: node validate-style.mjs <style.json | http(s)://…/style.json>');
  process.exit(2);
}
const text = /^https?:\/\//.test(target)
  ? await (await fetch(target)).text()
  : readFileSync(target, 'utf8');
const errors = validateStyleMin(JSON.parse(text));
for (const e of errors) {
  console.error(`${target}: ${e.message}`);
}
if (errors.length === 0) {
  console.log(`${target}: valid MapLibre style`);
}
process.exit(errors.length === 0 ? 0 : 1);
