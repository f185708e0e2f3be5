// The page end to end in headless Chromium: sample on load, uploads (input, drop, paste),
// refusals, recovery after a WebAssembly trap, privacy (no foreign requests) and layout.
// Screenshots for review go to tests/out/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA, OUT, launch, settle as settlePage, watch } from './harness.mjs';

const TIMEOUT = 30_000;

let env;
let page;
let problems;

/** Sets the state to a marker, runs `act`, and waits until the page has settled. */
const settle = (act) => settlePage(page, act, TIMEOUT);

function choose(file) {
  return settle(() => page.setInputFiles('[data-testid="photo-input"]', file));
}

async function fixture(name, mimeType) {
  return { name, mimeType, buffer: await readFile(join(DATA, name)) };
}

/**
 * Reads a canvas back on the page and returns only small facts: size, luminance
 * spread, the pixels at `points`, and the largest difference from `expected`
 * (base64 RGBA, or the id of another canvas).
 */
function inspect(testid, { points = [], expected = null, sameAs = null } = {}) {
  return page.evaluate(
    ({ testid, points, expected, sameAs }) => {
      const read = (id) => {
        const canvas = document.querySelector(`[data-testid="${id}"]`);
        const ctx = canvas.getContext('2d');
        return ctx.getImageData(0, 0, canvas.width, canvas.height);
      };
      const diff = (a, b) => {
        if (a.length !== b.length) return Infinity;
        let max = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
      };
      const { width, height, data } = read(testid);
      let sum = 0;
      let sum2 = 0;
      let n = 0;
      for (let i = 0; i < data.length; i += 4 * 7) {
        const y = data[i] * 0.2126 + data[i + 1] * 0.7152 + data[i + 2] * 0.0722;
        sum += y;
        sum2 += y * y;
        n += 1;
      }
      const sd = Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
      const pixels = points.map(([x, y]) => Array.from(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)));
      let expectedDiff = null;
      if (expected) {
        const bin = atob(expected);
        const want = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) want[i] = bin.charCodeAt(i);
        expectedDiff = diff(data, want);
      }
      const sameAsDiff = sameAs ? diff(data, read(sameAs).data) : null;
      return { width, height, sd, pixels, expectedDiff, sameAsDiff };
    },
    { testid, points, expected, sameAs },
  );
}

/** The bundled sample and its size in pixels. */
const SAMPLE_URL = 'sample/paumier-face.jpg';
const SAMPLE_SIZE = [627, 1024];

/** Sets the week slider as a person would (input, then change on release) and waits for the render. */
async function setWeek(week) {
  await page.$eval(
    '[data-testid="week-slider"]',
    (el, w) => {
      el.value = String(w);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    week,
  );
  await page.evaluate(() => new Promise((r) => setTimeout(r, 30)));
  await page.evaluate(() => window.skinPreviewTest.rendered());
}

function errorText() {
  return page.textContent('[data-testid="error"]');
}

describe('skin-preview page', () => {
  before(async () => {
    env = await launch();
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = watch(page, new URL(env.server.url).origin);
  });

  after(async () => {
    await env?.close();
  });

  it('loads the engine and the sample photo, reaching "ready"', async (t) => {
    await page.goto(`${env.server.url}?test-hooks`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, {
      timeout: TIMEOUT,
    });
    assert.equal(await errorText(), '');
    assert.equal(await page.isVisible('[data-testid="error"]'), false);
    await page.screenshot({ path: join(OUT, 'sample-desktop.png'), fullPage: true });
    const measure = await page.evaluate(() =>
      performance.getEntriesByName('skin-preview:decode', 'measure').map((m) => ({
        duration: m.duration,
        detail: m.detail,
      })),
    );
    assert.equal(measure.length, 1, 'one decode measure for the sample');
    assert.ok(measure[0].duration > 0);
    t.diagnostic(
      `sample decode measure: ${measure[0].duration.toFixed(1)} ms ` +
        `(worker ${JSON.stringify(measure[0].detail.worker)})`,
    );
  });

  it('draws the sample on both canvases, pixel for pixel', async () => {
    // The page opens with a plan: at week 0 the after view is the photo itself.
    await setWeek(0);
    const before = await inspect('before-canvas', { sameAs: 'after-canvas' });
    const after = await inspect('after-canvas');
    assert.deepEqual([before.width, before.height], SAMPLE_SIZE);
    assert.deepEqual([after.width, after.height], SAMPLE_SIZE);
    // Real content, not a blank or uniform canvas.
    assert.ok(before.sd > 30, `sample looks uniform (luminance sd ${before.sd.toFixed(1)})`);
    assert.equal(before.sameAsDiff, 0, 'after shows the photo at week 0');
    // The same as the browser's own decode of the file: nothing lost on the way.
    const reference = await page.evaluate(async (url) => {
      const blob = await (await fetch(url)).blob();
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const mine = document.querySelector('[data-testid="before-canvas"]');
      const a = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const b = mine.getContext('2d').getImageData(0, 0, mine.width, mine.height).data;
      let max = a.length === b.length ? 0 : Infinity;
      for (let i = 0; i < a.length && max < Infinity; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
      return max;
    }, SAMPLE_URL);
    assert.ok(reference <= 1, `before-canvas differs from the sample by up to ${reference}`);
  });

  it('credits the sample photo and its licence under the photo', async () => {
    assert.equal(await page.isVisible('[data-testid="sample-credit"]'), true);
    const credit = await page.textContent('[data-testid="sample-credit"]');
    assert.match(credit, /Guillaume Paumier/);
    assert.match(credit, /Pierre-Selim Huard/);
    assert.match(credit, /CC BY-SA 3\.0/);
  });

  it('opens with a plan for what the analysis found; the week slider changes the after view', async (t) => {
    const report = await page.evaluate(() => window.skinPreviewTest.report());
    const treatment = await page.inputValue('[data-testid="treatment-select"]');
    const concern = await page.inputValue('[data-testid="concern-select"]');
    const { affected_percent: affected, lesions } = report;
    t.diagnostic(`default plan ${treatment} for ${concern}; ${lesions.length} lesions, affected ${JSON.stringify(affected)}`);
    assert.notEqual(treatment, '', 'a treatment is chosen on first load');
    const profile = await page.evaluate(() => window.skinPreviewTest.profile());
    assert.ok(
      profile.outcomes.some((o) => o.treatment === treatment && o.concern === concern),
      `the default plan (${treatment}, ${concern}) has evidence to project`,
    );
    await setWeek(0);
    const week0 = await inspect('after-canvas', { sameAs: 'before-canvas' });
    assert.equal(week0.sameAsDiff, 0, 'week 0 is the photo itself');
    await setWeek(26);
    const changed = await page.evaluate(() => {
      const read = (id) => {
        const c = document.querySelector(`[data-testid="${id}"]`);
        return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      };
      const [a, b] = [read('after-canvas'), read('before-canvas')];
      let n = 0;
      for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
      return n;
    });
    await page.screenshot({ path: join(OUT, 'sample-default-plan-week26.png'), fullPage: true });
    // Back to week 0, where the after view is the photo, as the tests below expect.
    await setWeek(0);
    t.diagnostic(`week 0 → 26: ${changed} pixels of the after view changed`);
    // The sample's visible features are a mole and red papules: a texture-only finding is
    // the hairline read as a pit, not something a patient would want changed.
    const seen = lesions.filter((l) => l.kind === 'pigment' || l.kind === 'redness');
    if (seen.length === 0) {
      assert.fail(
        `the analysis reports no pigment or redness lesion on the sample photo ` +
          `(${lesions.length} lesions: ${lesions.map((l) => l.kind).join(', ') || 'none'}), so the default ` +
          'plan cannot fade its mole and papules (real-photo detection: tests/real_photos.rs).',
      );
    }
    assert.ok(changed > 50, `only ${changed} pixels changed between week 0 and week 26`);
  });

  it("keeps a returning person's saved plan instead of the default", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await context.newPage();
    await other.goto(`${env.server.url}?test-hooks`);
    await other.evaluate(() =>
      localStorage.setItem('skin-preview:settings', JSON.stringify({ concern: 'melasma', treatment: 'chemical-peel', week: 4 })),
    );
    await other.reload();
    await other.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
    assert.equal(await other.inputValue('[data-testid="concern-select"]'), 'melasma');
    assert.equal(await other.inputValue('[data-testid="treatment-select"]'), 'chemical-peel');
    await context.close();
  });

  it('shows the colour summary', async () => {
    const text = await page.textContent('[data-testid="scores"]');
    assert.match(text, /L\* \d+\.\d/);
    assert.match(text, /a\* −?\d+\.\d/);
    assert.match(text, /b\* −?\d+\.\d/);
    assert.match(text, /−?\d+\.\d°/);
    const category = await page.getAttribute('[data-testid="scores"]', 'data-category');
    assert.ok(
      ['very-light', 'light', 'intermediate', 'tan', 'brown', 'dark'].includes(category),
      category,
    );
  });

  it('analyses a JPEG chosen with the file input', async () => {
    // A photo-like JPEG made by the browser's own encoder.
    const base64 = await page.evaluate(async () => {
      const [w, h] = [1200, 900];
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      const g = ctx.createLinearGradient(0, 0, w, h);
      g.addColorStop(0, 'rgb(226, 178, 152)');
      g.addColorStop(1, 'rgb(150, 100, 80)');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = 'rgb(110, 70, 55)';
      for (let i = 0; i < 40; i++) {
        ctx.beginPath();
        ctx.arc((i * 263) % w, (i * 149) % h, 4 + (i % 7), 0, 2 * Math.PI);
        ctx.fill();
      }
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    });
    const before = await page.textContent('[data-testid="scores"]');
    const state = await choose({
      name: 'generated.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(base64, 'base64'),
    });
    assert.equal(state, 'ready', await errorText());
    const shown = await inspect('before-canvas', { points: [[40, 12]], sameAs: 'after-canvas' });
    assert.deepEqual([shown.width, shown.height], [1200, 900]);
    // Near the top-left: the light end of the gradient.
    const [r, g] = shown.pixels[0];
    assert.ok(Math.abs(r - 224) <= 8 && Math.abs(g - 176) <= 8, String(shown.pixels[0]));
    assert.equal(shown.sameAsDiff, 0, 'after-canvas shows the same photo');
    assert.notEqual(await page.textContent('[data-testid="scores"]'), before);
    const count = await page.evaluate(
      () => performance.getEntriesByName('skin-preview:decode', 'measure').length,
    );
    assert.equal(count, 2);
    await page.screenshot({ path: join(OUT, 'jpeg-desktop.png'), fullPage: true });
  });

  it('warns when the photo is blurred, and not when it is sharp', async (t) => {
    const face = await fixture('synthetic-face.png', 'image/png');
    let state = await choose(face);
    assert.equal(state, 'ready', await errorText());
    const warning = () => page.locator('[data-testid="quality-warning"]');
    const sharpText = (await warning().isVisible()) ? await warning().textContent() : '';
    assert.doesNotMatch(sharpText, /blurred|sharp detail/, 'the sharp face was called blurred');
    // The sharpness check follows the first result: its own request and measure.
    const timings = await page.evaluate(
      () => performance.getEntriesByName('skin-preview:quality', 'measure').at(-1).detail.worker,
    );
    assert.ok(Number.isFinite(timings.quality), JSON.stringify(timings));
    t.diagnostic(`sharpness check in the worker: ${timings.quality} ms for 384 × 384`);
    // The same face blurred by the browser's own Gaussian (σ 4 px), drawn over the sharp
    // one so the edges stay opaque.
    const blurred = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      ctx.filter = 'blur(4px)';
      ctx.drawImage(bmp, 0, 0);
      const out = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let s = '';
      for (const x of out) s += String.fromCharCode(x);
      return btoa(s);
    }, face.buffer.toString('base64'));
    state = await choose({ name: 'blurred-face.png', mimeType: 'image/png', buffer: Buffer.from(blurred, 'base64') });
    assert.equal(state, 'ready', await errorText());
    assert.equal(await warning().isVisible(), true, 'no warning for the blurred face');
    assert.match(await warning().textContent(), /looks blurred/);
    assert.match(await page.textContent('#status-text'), /read the note about this photo/);
    await page.screenshot({ path: join(OUT, 'blurred-warning-desktop.png') });
    // The next sharp photo clears it.
    assert.equal(await choose(face), 'ready');
    assert.equal(await warning().isVisible(), false);
  });

  it('shows a photo with no skin in it, saying so, without an error', async () => {
    const base64 = await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(480, 360);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = 'rgb(40, 160, 60)';
      ctx.fillRect(0, 0, 480, 360);
      ctx.fillStyle = 'rgb(20, 40, 200)';
      ctx.fillRect(100, 80, 200, 120);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    });
    const state = await choose({ name: 'leaves.png', mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') });
    assert.equal(state, 'ready', await errorText());
    assert.match(await page.textContent('[data-testid="quality-warning"]'), /No skin was found/);
    assert.match(await page.textContent('[data-testid="scores"]'), /Not measured/);
  });

  it('applies EXIF orientation', async () => {
    const state = await choose(await fixture('gradient-exif6.jpg', 'image/jpeg'));
    assert.equal(state, 'ready', await errorText());
    const { width, height } = await inspect('before-canvas');
    assert.deepEqual([width, height], [43, 61], 'stored 61×43, upright 43×61');
  });

  it('refuses a text file with a visible message', async () => {
    const state = await choose(await fixture('not-an-image.txt', 'text/plain'));
    assert.equal(state, 'error');
    assert.equal(await page.isVisible('[data-testid="error"]'), true);
    assert.equal(await errorText(), 'This file is not a JPEG, PNG or WebP image.');
    await page.screenshot({ path: join(OUT, 'error-desktop.png'), fullPage: true });
  });

  it('returns to "ready" with the next good photo, pixel-exact for a PNG', async () => {
    const state = await choose(await fixture('gradient.png', 'image/png'));
    assert.equal(state, 'ready', await errorText());
    assert.equal(await page.isVisible('[data-testid="error"]'), false);
    assert.equal(await errorText(), '');
    const expected = (await readFile(join(DATA, 'gradient.png.rgba'))).toString('base64');
    const shown = await inspect('before-canvas', { expected });
    assert.deepEqual([shown.width, shown.height], [61, 43]);
    assert.equal(shown.expectedDiff, 0, 'PNG pixels differ from the native decode');
  });

  it('refuses a HEIC photo with a clear message', async () => {
    const heic = Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0', 'latin1');
    const state = await choose({ name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: heic });
    assert.equal(state, 'error');
    assert.match(await errorText(), /HEIC photo, which is not supported/);
  });

  it('refuses a run of bad files one after another, then recovers with a good one', async () => {
    const jpeg = await readFile(join(DATA, 'gradient.jpg'));
    const bad = [
      [{ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }, /file is empty/],
      [{ name: 'cut.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, Math.floor(jpeg.length / 2)) }, /damaged or incomplete/],
      [{ name: 'noise.png', mimeType: 'image/png', buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)) }, /not a JPEG, PNG or WebP/],
      [{ name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }, /SVG drawing/],
      [{ name: '<img src=x onerror=alert(1)>.avif', mimeType: 'image/avif', buffer: Buffer.from('\0\0\0\x1cftypavif\0\0\0\0avifmif1', 'latin1') }, /AVIF photo, which is not supported/],
    ];
    for (const [file, message] of bad) {
      assert.equal(await choose(file), 'error', file.name);
      assert.equal(await page.isVisible('[data-testid="error"]'), true);
      assert.match(await errorText(), message, file.name);
    }
    // A hostile file name is shown as text, never parsed as HTML.
    assert.equal(await page.$$eval('img[src="x"]', (els) => els.length), 0);
    assert.equal(await choose(await fixture('gradient.png', 'image/png')), 'ready', await errorText());
    assert.equal(await errorText(), '');
  });

  it('accepts a dropped photo and a pasted photo', async () => {
    const jpeg = [...(await readFile(join(DATA, 'gradient.jpg')))];
    const png = [...(await readFile(join(DATA, 'gradient.png')))];
    let state = await settle(() =>
      page.evaluate((bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.jpg', { type: 'image/jpeg' }));
        const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
        document.body.dispatchEvent(new DragEvent('dragenter', init));
        document.body.dispatchEvent(new DragEvent('dragover', init));
        document.body.dispatchEvent(new DragEvent('drop', init));
      }, jpeg),
    );
    assert.equal(state, 'ready', await errorText());
    assert.match(await page.textContent('#photo-note'), /dropped\.jpg/);
    assert.equal(await page.evaluate(() => document.body.classList.contains('dragging')), false);
    state = await settle(() =>
      page.evaluate((bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
        document.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      }, png),
    );
    assert.equal(state, 'ready', await errorText());
    assert.match(await page.textContent('#photo-note'), /pasted\.png/);
  });

  it('re-initialises the engine after a WebAssembly trap', async () => {
    const outcome = await page.evaluate(() =>
      window.skinPreviewTest.trap().then(
        () => ({ trapped: false }),
        (err) => ({ trapped: true, kind: err.kind, fault: err.fault, recovered: err.recovered }),
      ),
    );
    assert.deepEqual(outcome, { trapped: true, kind: 'RuntimeError', fault: true, recovered: true });
    const state = await choose(await fixture('gradient.jpg', 'image/jpeg'));
    assert.equal(state, 'ready', await errorText());
    const { width, height } = await inspect('before-canvas');
    assert.deepEqual([width, height], [61, 43]);
  });

  it('fits a 360 px phone screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(env.server.url);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, {
      timeout: TIMEOUT,
    });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: join(OUT, 'sample-phone.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(OUT, 'sample-phone-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no console errors and made no request off this origin', () => {
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
  });
});
