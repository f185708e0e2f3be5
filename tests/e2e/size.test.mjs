// What the page downloads, against issue 15's budgets: the main .wasm ≤ 300 000 B
// gzipped (gzip -9), the face models ≤ 1 600 000 B gzipped together. Prints the figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const www = (p) => fileURLToPath(new URL(`../../www/${p}`, import.meta.url));
const gzipped = (path) => {
  const raw = readFileSync(path);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};

const WASM_BUDGET = 300_000;
const MODELS_BUDGET = 1_600_000;

test('the page .wasm fits its gzipped budget', () => {
  const { raw, gzip } = gzipped(www('pkg/skin_preview_bg.wasm'));
  console.log(`www/pkg/skin_preview_bg.wasm: ${raw} B raw, ${gzip} B gzip -9 (budget ${WASM_BUDGET})`);
  assert.ok(gzip <= WASM_BUDGET, `the .wasm is ${gzip} B gzipped, over the ${WASM_BUDGET} B budget`);
});

test('the face models fit their gzipped budget', () => {
  const files = ['face_detection_short_range.tflite', 'face_landmark.tflite'];
  const sizes = files.map((f) => gzipped(www(`models/${f}`)));
  const total = sizes.reduce((s, x) => s + x.gzip, 0);
  files.forEach((f, i) => console.log(`www/models/${f}: ${sizes[i].raw} B raw, ${sizes[i].gzip} B gzip -9`));
  console.log(`models together: ${total} B gzip -9 (budget ${MODELS_BUDGET})`);
  assert.ok(total <= MODELS_BUDGET, `the models are ${total} B gzipped, over the ${MODELS_BUDGET} B budget`);
});
