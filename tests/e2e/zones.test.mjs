// Face zones on the page: the models load from the page's own origin, the sample gets a
// zones overlay and per-zone scores; without the model files the page still analyses,
// with the colour mask, and says why. Screenshots go to tests/out/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, launch, watch } from './harness.mjs';

const TIMEOUT = 60_000;

let env;

before(async () => {
  env = await launch();
});

after(async () => {
  await env?.close();
});

async function openPage({ blockModels = false } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watch(page, new URL(env.server.url).origin);
  const modelRequests = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/')) modelRequests.push(r.url());
  });
  if (blockModels) {
    await context.route('**/models/*.tflite', (route) => route.fulfill({ status: 404, body: 'missing' }));
  }
  await page.goto(env.server.url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="zone-scores"]', { timeout: TIMEOUT });
  return { page, context, problems, modelRequests };
}

describe('face zones', () => {
  it('shows the zones overlay and the per-zone scores on the sample', async (t) => {
    const { page, context, problems, modelRequests } = await openPage();
    const origin = new URL(env.server.url).origin;
    assert.ok(modelRequests.length >= 2, `model requests: ${modelRequests}`);
    assert.ok(modelRequests.every((u) => u.startsWith(origin)), 'models come from the page origin');
    const scores = await page.textContent('[data-testid="zone-scores"]');
    t.diagnostic(`zone-scores: ${scores.replace(/\s+/g, ' ')}`);
    assert.match(scores, /face mesh \+ colour/);
    const rows = await page.$$eval('[data-testid="zone-scores"] tr[data-zone]', (r) => r.map((x) => x.dataset.zone));
    assert.deepEqual(rows, ['forehead', 'left-malar', 'right-malar', 'nose', 'chin', 'perioral']);
    assert.match(scores, /Not a clinical mMASI/);
    await page.check('[data-testid="overlay-zones"]');
    const tinted = await page.evaluate(() => {
      const c = document.getElementById('overlay-canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
      return { n, total: d.length / 4 };
    });
    t.diagnostic(`zones overlay: ${tinted.n} of ${tinted.total} pixels tinted`);
    assert.ok(tinted.n > 1000, 'the zones overlay draws');
    await page.locator('#compare').screenshot({ path: join(OUT, 'zones-overlay.png') });
    await page.locator('[data-testid="zone-scores"]').screenshot({ path: join(OUT, 'zone-scores.png') });
    assert.deepEqual(problems.foreignRequests, []);
    assert.deepEqual(problems.consoleErrors, []);
    await context.close();
  });

  it('without the model files, analyses with the colour mask and says why', async (t) => {
    const { page, context, problems } = await openPage({ blockModels: true });
    const scores = await page.textContent('[data-testid="zone-scores"]');
    t.diagnostic(`zone-scores: ${scores.replace(/\s+/g, ' ')}`);
    assert.match(scores, /colour only: the face models could not be loaded/);
    assert.equal(await page.$$eval('[data-testid="zone-scores"] tr[data-zone]', (r) => r.length), 0);
    assert.ok((await page.textContent('[data-testid="scores"]')).length > 0);
    // The blocked requests show as console errors (404); nothing else may.
    const others = problems.consoleErrors.filter((e) => !/404|Failed to load resource/.test(e));
    assert.deepEqual(others, []);
    await context.close();
  });
});
