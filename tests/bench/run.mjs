#!/usr/bin/env node
// Headless runner for the in-browser benchmark (www/bench.html) and the OpenCV.js peer.
//
//   node tests/bench/run.mjs [--sizes 2,12] [--runs 7] [--export-runs N] [--loads 7]
//                            [--gaussian] [--no-peer] [--json FILE] [--smoke]
//
// Prints Markdown tables: our stages, the peer's stages, ratios per stage and overall,
// memory per pixel, .wasm size (raw, gzip), page load → sample shown, and issue 5's
// targets. --smoke runs one tiny image once (exit 1 if the bench page breaks).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startServer } from '../../.ci/serve.mjs';
import { startBenchServer } from './server.mjs';

const WASM = fileURLToPath(new URL('../../www/pkg/skin_preview_bg.wasm', import.meta.url));
const LOCK = fileURLToPath(new URL('../../Cargo.lock', import.meta.url));
const OPENCV_PKG = fileURLToPath(new URL('../../node_modules/@techstark/opencv-js/package.json', import.meta.url));

function parseArgs(argv) {
  const o = { sizes: '2,12', runs: 7, exportRuns: null, loads: 7, gaussian: false, peer: true, json: null, smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    const v = () => inline ?? argv[++i];
    if (k === '--sizes') o.sizes = v();
    else if (k === '--runs') o.runs = Number(v());
    else if (k === '--export-runs') o.exportRuns = Number(v());
    else if (k === '--loads') o.loads = Number(v());
    else if (k === '--gaussian') o.gaussian = true;
    else if (k === '--no-peer') o.peer = false;
    else if (k === '--json') o.json = v();
    else if (k === '--smoke') o.smoke = true;
    else {
      console.error('usage: node tests/bench/run.mjs [--sizes 2,12] [--runs 7] [--export-runs N] [--loads 7] [--gaussian] [--no-peer] [--json FILE] [--smoke]');
      process.exit(2);
    }
  }
  if (o.smoke) Object.assign(o, { sizes: 'tiny', runs: 1, exportRuns: 1, loads: 1, gaussian: false });
  o.exportRuns ??= o.runs;
  return o;
}

const fmt = (s) => (s ? `${s.median.toFixed(1)} | ${s.min.toFixed(1)}–${s.max.toFixed(1)}` : '— | —');
const med = (s) => s?.total?.median ?? s?.median;
const ratio = (peer, ours) => (peer && ours ? `${(peer / ours).toFixed(1)}×` : '—');

function summarise(o) {
  const s = {};
  const wasm = readFileSync(WASM);
  s.wasmRaw = wasm.length;
  s.wasmGzip = gzipSync(wasm, { level: 9 }).length;
  const lock = readFileSync(LOCK, 'utf8');
  s.wasmBindgen = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/)?.[1];
  s.opencvJs = existsSync(OPENCV_PKG) ? JSON.parse(readFileSync(OPENCV_PKG, 'utf8')).version : null;
  return s;
}

/** Navigation start → body[data-state=ready] on index.html, in fresh contexts. */
async function pageLoads(browser, url, n) {
  const times = [];
  for (let i = 0; i <= n; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      const mark = () => {
        if (document.body?.dataset.state === 'ready' && !window.__readyAt) window.__readyAt = performance.now();
      };
      new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__readyAt, null, { timeout: 30000 });
    const t = await page.evaluate(() => window.__readyAt);
    if (i > 0) times.push(t); // the first load warms the server and the OS file cache
    await context.close();
  }
  const s = [...times].sort((a, b) => a - b);
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, min: s[0], max: s.at(-1), runs: s.length };
}

function tables(r, info, loads, o) {
  const lines = [];
  const p = (l = '') => lines.push(l);
  p(`Chromium ${info.chromium}; wasm-bindgen ${info.wasmBindgen}; OpenCV.js npm @techstark/opencv-js ${info.opencvJs} (OpenCV ${r.opencvBuild ?? '—'})`);
  p(`Runs: ${r.runs} after 1 warm-up (export: ${r.exportRuns}); median | min–max in ms; main thread of bench.html.`);
  p();
  p('| size | stage (ours) | median ms | min–max ms |');
  p('|---|---|---:|---:|');
  for (const [key, e] of Object.entries(r.sizes)) {
    for (const [name, s] of Object.entries(e.ours.stages)) {
      p(`| ${key} MP | ${name} | ${fmt(s.total ?? s)} |`);
      if (s.total) for (const [lap, ls] of Object.entries(s)) if (lap !== 'total') p(`| ${key} MP | &nbsp;&nbsp;↳ ${lap} | ${fmt(ls)} |`);
    }
  }
  if (Object.values(r.sizes).some((e) => e.peer)) {
    p();
    p('| size | stage (OpenCV.js peer) | median ms | min–max ms |');
    p('|---|---|---:|---:|');
    for (const [key, e] of Object.entries(r.sizes)) {
      if (!e.peer) continue;
      for (const [name, s] of Object.entries(e.peer.stages)) p(`| ${key} MP | ${name} | ${fmt(s)} |`);
    }
    p();
    p('Ratios (peer median ÷ our median; > 1 means we are faster). Our analysis is the whole');
    p('`analyze()` (downsample to the working resolution, two decompositions, a skin mask, ICA,');
    p("four lesion maps, the preview projector), the peer's is only stages 1 + 2 at full");
    p("resolution; our frame is `renderProjection` alone, the peer's is 3 + 4.");
    p();
    p('| size | comparison | ours ms | peer ms | ratio |');
    p('|---|---|---:|---:|---:|');
    for (const [key, e] of Object.entries(r.sizes)) {
      if (!e.peer) continue;
      const ps = e.peer.stages;
      const get = (prefix) => Object.entries(ps).find(([n]) => n.startsWith(prefix))?.[1]?.median;
      const os = e.ours.stages;
      const analyze = med(os['analyze (PhotoHandle.analyze, incl. projector)']);
      const frame = os['frame (full res): render + view + putImageData']?.render?.median;
      const p1 = get('peer 1'), p2a = get('peer 2a'), p2b = get('peer 2b'), p3 = get('peer 3'), p4 = get('peer 4');
      const row = (name, ours, peer) => p(`| ${key} MP | ${name} | ${ours?.toFixed(1) ?? '—'} | ${peer?.toFixed(1) ?? '—'} | ${ratio(peer, ours)} |`);
      row('analysis: analyze() vs peer 1 + 2a (full-res box blur)', analyze, p1 + p2a);
      row('analysis: analyze() vs peer 1 + 2b (reduced-scale blur)', analyze, p1 + p2b);
      row('frame: renderProjection vs peer 3 + 4', frame, p3 + p4);
      row('overall: analyze + frame vs peer 1 + 2a + 3 + 4', analyze + frame, p1 + p2a + p3 + p4);
      row('overall: analyze + frame vs peer 1 + 2b + 3 + 4', analyze + frame, p1 + p2b + p3 + p4);
    }
  }
  if (Object.values(r.sizes).some((e) => e.oursStages)) {
    p();
    p('Per stage (our library stages exported one by one by tests/bench/wasm, same browser,');
    p('same image). Ratio = peer ÷ ours; > 1 means we are faster.');
    p();
    p('| size | our stage | median ms | min–max ms |');
    p('|---|---|---:|---:|');
    for (const [key, e] of Object.entries(r.sizes)) {
      for (const [name, st] of Object.entries(e.oursStages ?? {})) p(`| ${key} MP | ${name} | ${fmt(st)} |`);
    }
    p();
    p('| size | stage | ours ms | peer ms | ratio |');
    p('|---|---|---:|---:|---:|');
    for (const [key, e] of Object.entries(r.sizes)) {
      if (!e.oursStages || !e.peer) continue;
      const o = (pre) => Object.entries(e.oursStages).find(([n]) => n.startsWith(pre))?.[1]?.median;
      const q = (pre) => Object.entries(e.peer.stages).find(([n]) => n.startsWith(pre))?.[1]?.median;
      const row = (name, ours, peer) => p(`| ${key} MP | ${name} | ${ours?.toFixed(1) ?? '—'} | ${peer?.toFixed(1) ?? '—'} | ${ratio(peer, ours)} |`);
      // Our masked blurs run on the working-resolution planes: count the downsample to it.
      const [dec, fb, ren] = [o('decompose, full res'), o('full-res blurs'), o('render_into')];
      const bb = o('baseline blurs') + (o('downsample') ?? 0);
      const [p1, p2a, p2b, p3, p4] = [q('peer 1'), q('peer 2a'), q('peer 2b'), q('peer 3'), q('peer 4')];
      row('1. RGBA → f32 density planes: decompose vs peer 1', dec, p1);
      row('2. baseline blurs, reduced scale: downsample + masked_blur ×3 vs peer 2b', bb, p2b);
      row('2. baseline blurs, full res: Plane::blur ×3 vs peer 2a', fb, p2a);
      row('3+4. recompose + back to RGBA: render_into vs peer 3 + 4', ren, p3 + p4);
      row('overall (reduced-scale blurs): 1 + 2 + 3+4', dec + bb + ren, p1 + p2b + p3 + p4);
      row('overall (full-res blurs): 1 + 2 + 3+4', dec + fb + ren, p1 + p2a + p3 + p4);
    }
  }
  p();
  p('| size | working-image memory | bytes |  bytes / pixel |');
  p('|---|---|---:|---:|');
  for (const [key, e] of Object.entries(r.sizes)) {
    const m = e.ours.memory;
    for (const [k, v] of Object.entries(m)) p(`| ${key} MP | wasm memory ${k} | ${v} | ${(v / e.pixels).toFixed(1)} |`);
  }
  p();
  p(`.wasm: ${info.wasmRaw} bytes raw, ${info.wasmGzip} bytes gzip -9 (${(info.wasmGzip / 1024).toFixed(0)} KiB)`);
  if (loads) p(`Page load (index.html, navigation start → sample shown, fresh context, ${loads.runs} loads after 1 warm-up): median ${loads.median.toFixed(0)} ms, ${loads.min.toFixed(0)}–${loads.max.toFixed(0)} ms`);
  // Issue 5 targets.
  const e12 = r.sizes['12'], e2 = r.sizes['2'];
  const t = [];
  const chk = (name, value, limit, unit = 'ms', note = '') => t.push(`| ${name} | ≤ ${limit} ${unit} | ${value == null ? '—' : value.toFixed(1) + ' ' + unit} | ${value == null ? 'not measured' : value <= limit ? 'met' : 'NOT met'} | ${note} |`);
  if (e12 || e2) {
    p();
    p('| issue 5 target | limit | measured (median) | verdict | note |');
    p('|---|---:|---:|---|---|');
    chk('full analysis 12 MP', med(e12?.ours.stages['analyze (PhotoHandle.analyze, incl. projector)']), 300);
    chk('full analysis 2 MP', med(e2?.ours.stages['analyze (PhotoHandle.analyze, incl. projector)']), 60);
    chk('decode 12 MP JPEG into WASM', med(e12?.ours.stages['decode: browser + PhotoHandle.fromRgba (into WASM)']), 130, 'ms', 'createImageBitmap + getImageData + fromRgba');
    chk('slider frame 2 MP, full res (render + put)', med(e2?.ours.stages['frame (full res): render + view + putImageData']), 8);
    const previewOf = (e) => e && Object.entries(e.ours.stages).find(([k]) => k.includes('the slider path'));
    for (const [label, e] of [['2 MP', e2], ['12 MP', e12]]) {
      const pv = previewOf(e);
      if (pv) chk(`slider frame ${label}, the app's preview path (${pv[0].match(/\d+×\d+/)?.[0]})`, med(pv[1]), 8);
    }
    chk('export 12 MP PNG', med(e12?.ours.stages['export (full res): render + PNG convertToBlob']), 1500);
    chk('peak wasm memory 12 MP', e12 ? e12.ours.memory.peak / e12.pixels : null, 24, 'B/px', 'memory.buffer.byteLength at the end of the 12 MP run (never shrinks)');
    chk('.wasm gzip', info.wasmGzip / 1000, 300, 'KB');
    chk('page load → sample shown', loads?.median, 1000);
  }
  for (const l of t) p(l);
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(WASM)) throw new Error('www/pkg is missing: run `make build` first.');
  const info = summarise(o);
  const bench = await startBenchServer();
  const app = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  info.chromium = browser.version();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
      if (process.env.BENCH_VERBOSE) console.error(`[page] ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    const q = new URLSearchParams({ sizes: o.sizes, runs: o.runs, exportRuns: o.exportRuns, peer: o.peer ? '1' : '0', gaussian: o.gaussian ? '1' : '0' });
    const t0 = Date.now();
    await page.goto(`${bench.url}bench.html?${q}`);
    const progress = setInterval(async () => {
      const text = await page.locator('#out').textContent().catch(() => '');
      const last = text.trim().split('\n').at(-1);
      if (last) console.error(`  … ${((Date.now() - t0) / 1000).toFixed(0)} s: ${last}`);
    }, 30000);
    try {
      await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 30 * 60 * 1000, polling: 500 });
    } finally {
      clearInterval(progress);
    }
    const state = await page.evaluate(() => document.body.dataset.state);
    if (state !== 'done') {
      throw new Error(`bench page failed: ${await page.evaluate(() => window.benchError)}\n${problems.join('\n')}`);
    }
    const result = await page.evaluate(() => window.benchResult);
    await page.close();
    const loads = o.loads > 0 ? await pageLoads(browser, app.url, o.loads) : null;
    const text = tables(result, info, loads, o);
    console.log(text);
    if (o.json) writeFileSync(o.json, JSON.stringify({ info, result, loads }, null, 2));
    if (o.smoke) console.log(`\nbench smoke: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    await browser.close();
    await bench.close();
    await app.close();
  }
}

main().catch((err) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
