#!/usr/bin/env node
// What a person waits for on the page itself (issue 19): real photos and the generated
// image, chosen through the file input of index.html in headless Chromium, cold (the
// first photo after a fresh page load) and warm (the same photo again), timed by the
// page's own performance.measure entries and their sub-measures.
//
//   node tests/bench/page.mjs [--photos real2,real12,real22,gen2,gen12] [--cold 3]
//                             [--warm 4] [--json FILE] [--smoke]
//
// The real photos are tests/data/real/henner.jpg (5760×3840, 22 MP) and JPEGs resized
// from it here, in the browser (2 MP, 12 MP); nothing large is written to the repo.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startServer } from '../../.ci/serve.mjs';

const WASM = fileURLToPath(new URL('../../www/pkg/skin_preview_bg.wasm', import.meta.url));
const HENNER = fileURLToPath(new URL('../data/real/henner.jpg', import.meta.url));
const TIMEOUT = 120_000;

/** name → how to make its JPEG: a resize of henner.jpg, henner.jpg itself, or generated. */
const PHOTOS = {
  real2: { label: 'henner.jpg resized, 1732×1155 (2 MP)', size: [1732, 1155] },
  real12: { label: 'henner.jpg resized, 4240×2827 (12 MP)', size: [4240, 2827] },
  real22: { label: 'henner.jpg, 5760×3840 (22 MP)', size: null },
  gen2: { label: 'generated, 1728×1152 (2 MP)', generated: [1728, 1152] },
  gen12: { label: 'generated, 4240×2832 (12 MP)', generated: [4240, 2832] },
  tiny: { label: 'generated, 192×128', generated: [192, 128] },
};

function parseArgs(argv) {
  const o = { photos: 'real2,real12,real22,gen2,gen12', cold: 3, warm: 4, pause: 0, json: null, smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    const v = () => inline ?? argv[++i];
    if (k === '--photos') o.photos = v();
    else if (k === '--cold') o.cold = Number(v());
    else if (k === '--warm') o.warm = Number(v());
    else if (k === '--pause') o.pause = Number(v());
    else if (k === '--json') o.json = v();
    else if (k === '--smoke') o.smoke = true;
    else {
      console.error('usage: node tests/bench/page.mjs [--photos real2,real12,real22,gen2,gen12] [--cold 3] [--warm 4] [--pause MS] [--json FILE] [--smoke]');
      process.exit(2);
    }
  }
  if (o.smoke) Object.assign(o, { photos: 'tiny', cold: 1, warm: 1 });
  PAUSE_MS = o.pause;
  return o;
}

/** JPEG bytes of every photo asked for, made in a scratch page of the app's origin. */
async function makePhotos(browser, url, names) {
  const page = await browser.newPage();
  await page.goto(`${url}bench.html?sizes=none`).catch(() => {});
  const henner = readFileSync(HENNER);
  const out = {};
  for (const name of names) {
    const spec = PHOTOS[name];
    if (!spec) throw new Error(`unknown photo ${name}`);
    if (!spec.size && !spec.generated) {
      out[name] = henner;
      continue;
    }
    const b64 = await page.evaluate(
      async ({ b64, size, generated }) => {
        let c;
        if (generated) {
          const { generate } = await import('./bench/image.js');
          const img = generate(generated[0], generated[1]);
          c = new OffscreenCanvas(img.width, img.height);
          c.getContext('2d').putImageData(img, 0, 0);
        } else {
          const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }), {
            resizeWidth: size[0],
            resizeHeight: size[1],
            resizeQuality: 'high',
          });
          c = new OffscreenCanvas(size[0], size[1]);
          c.getContext('2d').drawImage(bmp, 0, 0);
        }
        const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
        const buf = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
        return btoa(s);
      },
      { b64: spec.size ? henner.toString('base64') : null, size: spec.size, generated: spec.generated },
    );
    out[name] = Buffer.from(b64, 'base64');
  }
  await page.close();
  return out;
}

/**
 * Every skin-preview measure since `from` (page time), as { name: [duration…] }, and
 * `ready`: the photo chosen (skin-preview:shown's start) → body[data-state=ready].
 */
function collect(page, from) {
  return page.evaluate((t) => {
    const out = {};
    for (const m of performance.getEntriesByType('measure')) {
      if (!m.name.startsWith('skin-preview:') || m.startTime < t) continue;
      (out[m.name] ??= []).push(m.duration);
    }
    const shown = performance.getEntriesByName('skin-preview:shown').filter((m) => m.startTime >= t)[0];
    if (shown && window.__readyAt) out['skin-preview:ready (bench)'] = [window.__readyAt - shown.startTime];
    if (shown) out['navigation → shown (bench)'] = [shown.startTime + shown.duration];
    return out;
  }, from);
}

async function waitReady(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`page: ${await page.textContent('[data-testid="error"]')}`);
}

/** Chooses `bytes` in the page's file input; returns the measures it made and chosen → ready. */
async function choose(page, name, bytes) {
  const from = await page.evaluate(() => {
    document.body.dataset.state = 'bench-pending';
    window.__readyAt = null;
    return performance.now();
  });
  await page.setInputFiles('[data-testid="photo-input"]', { name: `${name}.jpg`, mimeType: 'image/jpeg', buffer: bytes });
  await waitReady(page);
  await page.evaluate(() => window.skinPreviewTest.rendered());
  return collect(page, from);
}

/** How long a person takes to choose a photo after the sample shows (`--pause MS`; 0 = at once). */
let PAUSE_MS = 0;

/** One fresh page: navigation → sample shown, then the photo cold, then `warm` more. */
async function session(browser, url, name, bytes, warm) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (document.body?.dataset.state === 'ready' && !window.__readyAt) window.__readyAt = performance.now();
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
  await page.goto(`${url}?test-hooks`);
  await waitReady(page);
  await page.evaluate(() => window.skinPreviewTest.rendered());
  const sample = await collect(page, 0);
  const load = await page.evaluate(() => window.__readyAt);
  if (PAUSE_MS) await page.waitForTimeout(PAUSE_MS);
  const cold = await choose(page, name, bytes);
  const warmRuns = [];
  for (let i = 0; i < warm; i++) warmRuns.push(await choose(page, name, bytes));
  const slider = warm ? await slide(page) : null;
  await context.close();
  if (problems.length) throw new Error(`page errors: ${problems.join('\n')}`);
  return { load, sample, cold, warm: warmRuns, slider };
}

/** Moves the week slider through 12 weeks (as a drag does): the preview frames' measures. */
async function slide(page) {
  await page.selectOption('[data-testid="concern-select"]', 'atrophic-acne-scars');
  await page.selectOption('[data-testid="treatment-select"]', 'fractional-laser');
  await page.evaluate(() => window.skinPreviewTest.rendered());
  const from = await page.evaluate(() => performance.now());
  for (let week = 1; week <= 12; week++) {
    await page.$eval('[data-testid="week-slider"]', (el, w) => {
      el.value = String(w);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, week);
    await page.evaluate(() => window.skinPreviewTest.rendered());
  }
  return page.evaluate((t) => {
    const frames = performance.getEntriesByName('skin-preview:render').filter((m) => m.startTime >= t && m.detail?.preview);
    return { page: frames.map((m) => m.duration), worker: frames.map((m) => m.detail.worker.a) };
  }, from);
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median over runs of one measure (the first of its kind in each run, or their sum). */
const pick = (runs, name, how = 'first') =>
  median(runs.map((r) => (r[name] ? (how === 'sum' ? r[name].reduce((a, b) => a + b, 0) : r[name][0]) : NaN)));
const f1 = (v) => (v == null ? '—' : v.toFixed(1));

/** The rows of the table: [label, measure name, how]. Sub-measures are indented. */
function rows(names) {
  const order = [
    ['**photo chosen → analysis shown**', 'skin-preview:shown'],
    ['photo chosen → first projected frame', 'skin-preview:projected'],
    ['photo chosen → data-state ready', 'skin-preview:ready (bench)'],
    ['decode request', 'skin-preview:decode'],
    ['decode: queue', 'skin-preview:decode:queue'],
    ['decode: probe', 'skin-preview:decode:probe'],
    ['decode: browser decode → WASM', 'skin-preview:decode:decode'],
    ['decode: colour summary', 'skin-preview:decode:summary'],
    ['decode: sharpness', 'skin-preview:decode:quality'],
    ['decode: bitmap', 'skin-preview:decode:render'],
    ['decode: transfer', 'skin-preview:decode:transfer'],
    ['analyze request', 'skin-preview:analyze'],
    ['analyze: queue', 'skin-preview:analyze:queue'],
    ['analyze: face', 'skin-preview:analyze:face'],
    ['analyze: engine', 'skin-preview:analyze:analyze'],
    ['analyze: engine', 'skin-preview:analyze:engine'],
    ['analyze: maps', 'skin-preview:analyze:maps'],
    ['analyze: transfer', 'skin-preview:analyze:transfer'],
    ['first render request', 'skin-preview:render'],
    ['render: plan A', 'skin-preview:render:a'],
    ['render: transfer', 'skin-preview:render:transfer'],
  ];
  const known = new Set(order.map((r) => r[1]));
  const extra = names.filter((n) => !known.has(n) && !n.includes('(bench)')).sort().map((n) => [n.replace('skin-preview:', ''), n]);
  return [...order, ...extra].filter(([, n]) => names.includes(n));
}

function table(results, o) {
  const lines = [];
  const p = (l = '') => lines.push(l);
  p(`Medians in ms: cold = the first photo chosen after a fresh page load (${o.cold} loads, each in a fresh browser context; the sample photo is analysed first, as for a person), warm = the same photo chosen again (${o.warm} times, in the first load).`);
  p();
  const keys = Object.keys(results);
  p(`| measure | ${keys.map((k) => `${k} cold | ${k} warm`).join(' | ')} |`);
  p(`|---|${keys.map(() => '---:|---:').join('|')}|`);
  const names = new Set();
  for (const r of Object.values(results)) for (const run of [...r.cold, ...r.warm]) Object.keys(run).forEach((n) => names.add(n));
  for (const [label, name] of rows([...names])) {
    const cells = keys.map((k) => `${f1(pick(results[k].cold, name))} | ${f1(pick(results[k].warm, name))}`);
    p(`| ${label} | ${cells.join(' | ')} |`);
  }
  p();
  p('Slider frames (the week slider moved through 12 weeks after the warm runs; the preview path):');
  p();
  p('| photo | frames | request → drawn, median ms | worker render + bitmap, median ms |');
  p('|---|---:|---:|---:|');
  for (const k of keys) {
    const sl = results[k].slider;
    if (sl) p(`| ${k} | ${sl.page.length} | ${f1(median(sl.page))} | ${f1(median(sl.worker))} |`);
  }
  p();
  p('| photo | size | bytes |');
  p('|---|---|---:|');
  for (const k of keys) p(`| ${k} | ${PHOTOS[k].label} | ${results[k].bytes} |`);
  const samples = Object.values(results).flatMap((r) => r.samples);
  p();
  p(`Page load, the sample photo (fresh context each, ${samples.length} loads; medians in ms):`);
  p();
  p('| measure | median | min–max |');
  p('|---|---:|---:|');
  const sampleRows = [
    ['**navigation → sample analysis shown**', 'navigation → shown (bench)'],
    ['navigation → data-state ready', 'navigation → ready (bench)'],
    ['init request (compile + instantiate)', 'skin-preview:init'],
    ['init: fetch + compile', 'skin-preview:init:compile'],
    ['init: instantiate', 'skin-preview:init:instantiate'],
    ['profile request (sent with init: includes its queue)', 'skin-preview:profile'],
    ['profile: worker', 'skin-preview:profile:profile'],
    ['sample: chosen → shown', 'skin-preview:shown'],
    ['sample: decode request', 'skin-preview:decode'],
    ['sample: analyze request', 'skin-preview:analyze'],
    ['sample: analyze: face', 'skin-preview:analyze:face'],
    ['sample: analyze: engine', 'skin-preview:analyze:engine'],
    ['sample: chosen → first projected frame', 'skin-preview:projected'],
  ];
  for (const [label, name] of sampleRows) {
    const xs = samples.map((r) => r[name]?.[0]).filter(Number.isFinite);
    if (xs.length) p(`| ${label} | ${f1(median(xs))} | ${f1(Math.min(...xs))}–${f1(Math.max(...xs))} |`);
  }
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(WASM)) throw new Error('www/pkg is missing: run `make build` first.');
  const wasm = readFileSync(WASM);
  const app = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const t0 = Date.now();
  try {
    const names = o.photos.split(',').map((s) => s.trim());
    const photos = await makePhotos(browser, app.url, names);
    const results = {};
    for (const name of names) {
      const r = { bytes: photos[name].length, cold: [], warm: [], samples: [] };
      for (let i = 0; i < o.cold; i++) {
        const s = await session(browser, app.url, name, photos[name], i === 0 ? o.warm : 0);
        r.cold.push(s.cold);
        r.warm.push(...s.warm);
        if (s.slider) r.slider = s.slider;
        r.samples.push({ ...s.sample, 'navigation → ready (bench)': [s.load] });
        console.error(`  … ${((Date.now() - t0) / 1000).toFixed(0)} s: ${name} load ${i + 1}/${o.cold}`);
      }
      results[name] = r;
    }
    console.log(`Chromium ${browser.version()}; .wasm ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzip -9`);
    console.log(table(results, o));
    if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
    if (o.smoke) console.log(`\npage bench smoke: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((err) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
