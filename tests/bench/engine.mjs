#!/usr/bin/env node
// The engine alone in headless Chromium (issue 15: face pass + analysis ≤ 100 ms at 2 MP):
// henner.jpg resized in the browser to 1728 × 1152, then `findFace` and `analyze` on one
// handle, on the page's main thread, without the page around it (its worker, drawing and
// transfers are in tests/bench/page.mjs).
//
//   node tests/bench/engine.mjs [--runs 13] [--rounds 3] [PKG_DIR ...]
//
// PKG_DIR: wasm-pack outputs to compare (default www/pkg); they are alternated `rounds`
// times in one browser, so a before/after pair shares the machine's load. Prints, per
// package and round, the median and least of `runs` timings after 2 warm-ups.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { MIME } from '../../.ci/serve.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const o = { runs: 13, rounds: 3, pkgs: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--runs') o.runs = Number(process.argv[++i]);
  else if (a === '--rounds') o.rounds = Number(process.argv[++i]);
  else if (a.startsWith('--')) {
    console.error('usage: node tests/bench/engine.mjs [--runs 13] [--rounds 3] [PKG_DIR ...]');
    process.exit(2);
  } else o.pkgs.push(resolve(a));
}
if (!o.pkgs.length) o.pkgs.push(resolve(ROOT, 'www/pkg'));

// /r/… is the repository, /p<k>/… the k-th package.
const server = createServer(async (req, res) => {
  const m = decodeURIComponent(req.url.split('?')[0]).match(/^\/(r|p(\d+))\/(.*)$/);
  const base = m && (m[1] === 'r' ? ROOT : o.pkgs[Number(m[2])]);
  if (!base) return res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': MIME['.html'] }).end('');
  try {
    const body = await readFile(resolve(base, m[3]));
    res.writeHead(200, { 'content-type': MIME[extname(m[3])] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

async function run(page, k) {
  return page.evaluate(async ({ k, runs }) => {
    const m = await import(`/p${k}/skin_preview.js`);
    await m.default(`/p${k}/skin_preview_bg.wasm`);
    const bytes = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
    const models = m.FaceModels.fromBytes(
      await bytes('/r/www/models/face_detection_short_range.tflite'),
      await bytes('/r/www/models/face_landmark.tflite'),
    );
    const blob = new Blob([await bytes('/r/tests/data/real/henner.jpg')], { type: 'image/jpeg' });
    const [w, h] = [1728, 1152];
    const bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    const ctx = new OffscreenCanvas(w, h).getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const handle = m.PhotoHandle.fromRgba(w, h, new Uint8Array(ctx.getImageData(0, 0, w, h).data.buffer));
    const face = [], analysis = [];
    for (let i = 0; i < runs + 2; i++) {
      const t0 = performance.now();
      handle.findFace(models);
      const t1 = performance.now();
      handle.analyze(undefined, undefined, undefined, undefined);
      const t2 = performance.now();
      if (i >= 2) face.push(t1 - t0), analysis.push(t2 - t1);
    }
    return { face, analysis };
  }, { k, runs: o.runs });
}

const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const fmt = (v) => `${med(v).toFixed(1)} (least ${Math.min(...v).toFixed(1)})`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
console.log(`henner.jpg at 1728 × 1152, ${o.runs} runs after 2 warm-ups; median (least) ms`);
console.log('| package | round | face pass | analysis | face + analysis (medians) |\n|---|---:|---:|---:|---:|');
for (let r = 1; r <= o.rounds; r++) {
  for (const [k, pkg] of o.pkgs.entries()) {
    const page = await browser.newPage();
    await page.goto(url);
    const { face, analysis } = await run(page, k);
    console.log(`| ${pkg.replace(ROOT, '')} | ${r} | ${fmt(face)} | ${fmt(analysis)} | ${(med(face) + med(analysis)).toFixed(1)} |`);
    await page.close();
  }
}
await browser.close();
server.close();
