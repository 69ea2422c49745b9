// What every browser test script shares: its environment, how Chromium is started, and
// the "ok"/"not ok" check lines with the exit code they add up to.
//
// A script makes its checks with `checks()`, runs each with `check(name, fn)`, reports a
// stop of the script itself with `stopped(e)`, and ends with `finish()`, which exits 1
// when any check failed (a check that cannot run is a failure, never a skip).

import { mkdirSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.SCREENSHOTS || 'screenshots';
mkdirSync(SHOTS, { recursive: true });

const BASE_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

// WebGL without a GPU (the map pages): ANGLE on SwiftShader (software), which headless
// Chromium no longer enables on its own.
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

// Chromium's command line; `webgl` for pages that draw a MapLibre map.
export const chromiumArgs = ({ webgl }) => (webgl ? [...BASE_ARGS, ...WEBGL_ARGS] : BASE_ARGS);

// The variable `name`, or exit 2 naming the test (`runner`) that sets it.
export function requireEnv(name, runner) {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set (this script is run by ${runner})`); process.exit(2); }
  return v;
}

export function assert(cond, message) { if (!cond) throw new Error(message); }

const indented = (e) => String(e && e.stack || e).split('\n').join('\n  ');

// The checks of one script. With `stopAtFirstFailure`, a check after a failed one is
// reported "not ok (not run)": for scripts whose every step needs the last one's result.
export function checks({ stopAtFirstFailure = false } = {}) {
  let failures = 0;
  let halted = false;
  return {
    async check(name, fn) {
      if (halted) { failures += 1; console.log(`not ok - ${name} (not run: an earlier step failed)`); return; }
      try {
        await fn();
        console.log(`ok - ${name}`);
      } catch (e) {
        failures += 1;
        halted = stopAtFirstFailure;
        console.log(`not ok - ${name}\n  ${indented(e)}`);
      }
    },
    // The script itself stopped (an exception outside any check).
    stopped(e) {
      failures += 1;
      console.log(`not ok - the script stopped before its last check\n  ${indented(e)}`);
    },
    get failures() { return failures; },
    finish() {
      console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
      process.exit(failures ? 1 : 0);
    },
  };
}

// What pages report without failing a step, collected over a browser context into
// `problems`: a console error other than an HTTP status line (MapLibre reports a style or
// source problem this way, such as a layer naming a source layer the tiles do not carry),
// and a file answered 404 outside the API (whose 404s are answers the checks expect).
// Pages of `skipOrigin` (a server set up to fail) are not watched.
export function watchPageProblems(context, problems, { skipOrigin } = {}) {
  const skipped = (url) => Boolean(skipOrigin) && url.startsWith(skipOrigin);
  context.on('console', (m) => {
    if (m.type() !== 'error' || /^Failed to load resource/.test(m.text()) || skipped(m.location().url || '')) return;
    problems.push(`console error: ${m.text().split('\n')[0]}`);
  });
  context.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() === 404 && !url.pathname.startsWith('/api/') && !skipped(r.url())) problems.push(`404: ${r.url()}`);
  });
}
