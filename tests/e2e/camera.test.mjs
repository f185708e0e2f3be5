// The camera: the in-page camera (getUserMedia) on a desktop, refused and allowed, and the
// phone's system camera through the file input's `capture`. Chromium's fake camera
// (--use-fake-device-for-media-stream) stands in for a real one; nothing leaves the device.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA, OUT, launch, settle as settlePage, watch } from './harness.mjs';

const TIMEOUT = 60_000;

let env;
let origin;

async function open(options = {}, { grant = false } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  if (grant) await context.grantPermissions(['camera'], { origin });
  const page = await context.newPage();
  const problems = watch(page, origin);
  await page.goto(env.server.url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
  return { context, page, problems };
}

const settle = (page, act) => settlePage(page, act, TIMEOUT);

describe('camera', () => {
  before(async () => {
    env = await launch({ args: ['--use-fake-device-for-media-stream'] });
    origin = new URL(env.server.url).origin;
  });

  after(async () => {
    await env?.close();
  });

  it('explains a refused camera permission, with no console error', async () => {
    const { context, page, problems } = await open();
    try {
      assert.equal(await page.isVisible('[data-testid="camera-live"]'), true);
      assert.equal(await settle(page, () => page.click('[data-testid="camera-live"]')), 'error');
      assert.match(await page.textContent('[data-testid="error"]'), /camera was not allowed.*choose a photo instead/);
      assert.equal(await page.$eval('#camera-dialog', (d) => d.open), false);
      // The sample is still shown and a photo can still be chosen.
      const file = join(DATA, 'gradient.jpg');
      assert.equal(await settle(page, () => page.setInputFiles('[data-testid="photo-input"]', file)), 'ready');
      assert.deepEqual(problems.consoleErrors, []);
      assert.deepEqual(problems.foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  it('takes a photo with the camera, analyses it and stops the camera, with no request', async (t) => {
    const { context, page, problems } = await open({}, { grant: true });
    const requests = [];
    context.on('request', (r) => {
      if (!/^(blob|data):/.test(r.url())) requests.push(r.url());
    });
    try {
      await page.click('[data-testid="camera-live"]');
      await page.waitForSelector('#camera-dialog[open] [data-testid="camera-shoot"]:not([disabled])', { timeout: TIMEOUT });
      const size = await page.$eval('#camera-video', (v) => [v.videoWidth, v.videoHeight]);
      assert.ok(size[0] > 0 && size[1] > 0, String(size));
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'camera-shoot', 'focus on the shutter');
      await page.screenshot({ path: join(OUT, 'camera-dialog-desktop.png') });
      assert.equal(await settle(page, () => page.click('[data-testid="camera-shoot"]')), 'ready');
      assert.match(await page.textContent('#photo-note'), /Camera photo\.png/);
      const shown = await page.$eval('[data-testid="before-canvas"]', (c) => [c.width, c.height]);
      assert.deepEqual(shown, size, 'the photo is the camera frame at full size');
      const after = await page.$eval('#camera-video', (v) => ({ stream: v.srcObject, open: document.getElementById('camera-dialog').open }));
      assert.deepEqual(after, { stream: null, open: false }, 'the camera is released');
      assert.ok((await page.evaluate(() => document.querySelector('[data-testid="scores"]').textContent)).includes('ITA'));
      t.diagnostic(`camera frame ${size.join(' × ')}`);
      // Cancel also releases the camera.
      await page.click('[data-testid="camera-live"]');
      await page.waitForSelector('#camera-dialog[open]');
      await page.click('#camera-cancel');
      assert.equal(await page.$eval('#camera-video', (v) => v.srcObject), null);
      assert.deepEqual(requests, [], 'no request while using the camera');
      assert.deepEqual(problems.consoleErrors, []);
    } finally {
      await context.close();
    }
  });

  it('on a phone: the system camera through the file input, no in-page camera', async () => {
    const { context, page, problems } = await open({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
    try {
      assert.equal(await page.isVisible('[data-testid="camera-live"]'), false);
      assert.equal(await page.isVisible('label[for="camera-input"]'), true, 'the "Take a photo" button shows');
      const input = page.locator('[data-testid="camera-input"]');
      assert.equal(await input.getAttribute('capture'), 'user');
      const file = { name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: await readFile(join(DATA, 'gradient.jpg')) };
      assert.equal(await settle(page, () => input.setInputFiles(file)), 'ready');
      assert.match(await page.textContent('#photo-note'), /IMG_0042\.jpg/);
      await page.screenshot({ path: join(OUT, 'camera-phone.png') });
      assert.deepEqual(problems.consoleErrors, []);
    } finally {
      await context.close();
    }
  });
});
