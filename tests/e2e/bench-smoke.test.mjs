// The benchmark page (www/bench.html) still loads and completes one tiny run, our engine
// and the OpenCV.js peer both. Timings are not checked here: `make bench` measures them.

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
