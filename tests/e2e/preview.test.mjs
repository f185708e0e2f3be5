// Large photos: the page decodes them at view size (at most 3 MP); while the week slider
// moves, frames are rendered at display size and scaled onto the canvas; on release the
// view-size frame replaces them. Export decodes the photo again at its full size.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA, OUT, launch, watch } from './harness.mjs';

const TIMEOUT = 90_000;
let env;
let page;
let problems;

/** Dispatches week-slider events; `release` adds the change event a mouse-up sends. */
async function slide(week, release) {
  await page.$eval(
    '[data-testid="week-slider"]',
    (el, [w, r]) => {
      el.value = String(w);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      if (r) el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [week, release],
  );
  await page.evaluate(() => new Promise((r) => setTimeout(r, 30)));
  await page.evaluate(() => window.skinPreviewTest.rendered());
}

const lastRender = () =>
  page.evaluate(() => {
    const m = performance.getEntriesByName('skin-preview:render', 'measure').at(-1);
    const c = document.querySelector('[data-testid="after-canvas"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    return { preview: m?.detail?.preview, width: c.width, height: c.height, sum, duration: m?.duration };
  });

describe('slider preview on a large photo', () => {
  before(async () => {
    env = await launch();
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    problems = watch(page, new URL(env.server.url).origin);
  });
  after(async () => env?.close());

  it('renders display-size frames while sliding and full resolution on release', async (t) => {
    await page.goto(`${env.server.url}?test-hooks`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
    // A 3000 × 2000 JPEG made in the page from the synthetic face (known scars).
    const face = Array.from(await readFile(join(DATA, 'synthetic-face.png')));
    const bytes = await page.evaluate(async (png) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(png)], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(3000, 2000);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, 3000, 2000);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }, face);
    await page.evaluate(() => {
      document.body.dataset.state = 'test-pending';
    });
    await page.setInputFiles('[data-testid="photo-input"]', {
      name: 'large.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(bytes),
    });
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, {
      timeout: TIMEOUT,
    });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
    await page.selectOption('[data-testid="concern-select"]', 'atrophic-acne-scars');
    await page.selectOption('[data-testid="treatment-select"]', 'fractional-laser');
    await slide(0, true);
    const start = await lastRender();
    await slide(26, false);
    const moving = await lastRender();
    assert.equal(moving.preview, true, 'a slider frame is a preview');
    const view = [start.width, start.height];
    assert.ok(view[0] * view[1] <= 3_000_000 && view[0] >= 1500, `view size ${view}`);
    assert.ok(Math.abs(view[0] / view[1] - 1.5) < 0.01, `view size ${view} keeps 3:2`);
    assert.deepEqual([moving.width, moving.height], view, 'drawn at the view size');
    await slide(26, true);
    const released = await lastRender();
    assert.equal(released.preview, false, 'release renders the view-size frame');
    assert.deepEqual([released.width, released.height], view);
    assert.notEqual(start.sum, released.sum, 'week 26 differs from week 0');
    assert.notEqual(moving.sum, released.sum, 'the full frame replaced the preview');
    t.diagnostic(
      `render measure: preview ${moving.duration.toFixed(1)} ms, full ${released.duration.toFixed(1)} ms ` +
        `(week 0 full ${start.duration.toFixed(1)} ms)`,
    );
    // Export: before | after at the photo's full 3000 × 2000.
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
    const path = join(OUT, 'export-large.png');
    await file.saveAs(path);
    const png = await readFile(path);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [6000, 2000], 'export at full resolution');
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
    const halves = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      // The top third, above the watermark band: before vs after differ (week 26).
      const d = ctx.getImageData(0, 0, bmp.width, 600).data;
      let diff = 0;
      for (let y = 0; y < 600; y += 2) for (let x = 0; x < 3000; x += 2) {
        const i = (y * bmp.width + x) * 4;
        const j = i + 3000 * 4;
        diff += Math.abs(d[i] - d[j]) + Math.abs(d[i + 1] - d[j + 1]) + Math.abs(d[i + 2] - d[j + 2]);
      }
      return diff;
    }, png.toString('base64'));
    assert.ok(halves > 0, 'the after half shows the projection');
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
  });
});
