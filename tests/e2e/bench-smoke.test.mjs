// The benchmark pages still complete one tiny run: bench.html (our engine and the
// OpenCV.js peer) and the page bench (index.html through its file input). Timings are not
// checked here: `make bench` and `make bench-page` measure them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../bench/run.mjs', import.meta.url));

test('bench page completes a tiny run (node tests/bench/run.mjs --smoke)', () => {
  const r = spawnSync(process.execPath, [RUNNER, '--smoke'], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `bench smoke failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /bench smoke: ok/);
  assert.match(r.stdout, /peer 4: density → RGBA 8-bit/, 'the OpenCV.js peer ran');
});

const PAGE_BENCH = fileURLToPath(new URL('../bench/page.mjs', import.meta.url));

test('page bench completes a tiny run (node tests/bench/page.mjs --smoke)', () => {
  const r = spawnSync(process.execPath, [PAGE_BENCH, '--smoke'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `page bench smoke failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /page bench smoke: ok/);
  assert.match(r.stdout, /photo chosen → analysis shown/);
});
