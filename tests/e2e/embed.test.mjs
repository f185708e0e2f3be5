// The embedding API and the formats, end to end: www/example/ (the ES module API) gives
// the same plan as the CLI for the same photo; an unknown skin tone gets the PIH warnings
// in both; the page accepts WebP, AVIF (Chromium decodes it) and a PNG with alpha.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA, OUT, ROOT, launch, watch } from './harness.mjs';

const TIMEOUT = 60_000;
const PLAN = { treatment: 'fractional-laser', concern: 'atrophic-acne-scars', week: 12, scenario: 'typical' };
/** The ITA-bounded PIH rules the built-in profile has for fractional CO2. */
const PIH = ['pih-fractional-co2-split-face', 'pih-fractional-co2-vs-microneedling', 'pih-fractional-co2-vs-rf-microneedling'];

let env;
let page;
let problems;

/** Runs the CLI's `project` on a file with PLAN; returns its text output and JSON report. */
async function cliProject(file) {
  const json = join(OUT, 'embed-project.json');
  const args = ['run', '--quiet', '--bin', 'skin-preview', '--', 'project', file, '--out', join(OUT, 'embed-project.png'),
    '--json', json, '--treatment', PLAN.treatment, '--concern', PLAN.concern, '--weeks', String(PLAN.week), '--scenario', PLAN.scenario];
  const text = execFileSync('cargo', args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { text, report: JSON.parse(await readFile(json, 'utf8')) };
}

/** Opens the example page and runs it on one file; returns its result object. */
async function example(file) {
  await page.goto(`${env.server.url}example/index.html`);
  await page.setInputFiles('[data-testid="example-file"]', file);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT });
  return JSON.parse(await page.textContent('[data-testid="example-result"]'));
}

const close = (a, b) => Math.abs(a - b) < 1e-6;

function assertSamePlan(web, cli) {
  for (const ch of ['pigment', 'redness', 'texture']) {
    assert.ok(close(web.fractions[ch], cli.projection[ch]), `${ch}: page ${web.fractions[ch]}, CLI ${cli.projection[ch]}`);
    for (const end of ['low', 'typical', 'high']) {
      assert.ok(close(web.band[end][ch], cli.band[end][ch]), `${end} ${ch}`);
    }
  }
  assert.deepEqual(web.risks, cli.risk_warnings.map((r) => r.rule));
}

describe('embedding API and formats', () => {
  before(async () => {
    env = await launch();
    page = await (await env.browser.newContext()).newPage();
    problems = watch(page, new URL(env.server.url).origin);
  });

  after(async () => {
    await env?.close();
  });

  it('the example and the CLI give the same plan for the same photo', async () => {
    const file = join(DATA, 'synthetic-face.png');
    const web = await example(file);
    assert.equal(web.error, undefined, web.message);
    const { report } = await cliProject(file);
    assert.ok(web.fractions.texture > 0.05, `texture ${web.fractions.texture}`);
    assertSamePlan(web, report);
  });

  it('an unknown skin tone gets the PIH warnings in the page and in the CLI text', async () => {
    // A flat blue square: no skin, so no ITA.
    await page.goto(`${env.server.url}example/index.html`);
    const b64 = await page.evaluate(async () => {
      const c = new OffscreenCanvas(96, 96);
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#1030e0';
      ctx.fillRect(0, 0, 96, 96);
      const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return btoa(String.fromCharCode(...bytes));
    });
    const file = join(OUT, 'embed-blue.png');
    await writeFile(file, Buffer.from(b64, 'base64'));
    const web = await example(file);
    assert.equal(web.ita, null);
    assert.deepEqual([...web.risks].sort(), PIH);
    const { text, report } = await cliProject(file);
    assertSamePlan(web, report);
    assert.match(text, /skin tone:\s+unknown/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('risk:')).length, PIH.length, text);
    for (const id of PIH) assert.ok(text.includes(`(${id})`), `${id} in:\n${text}`);
  });

  for (const [name, mimeType] of [
    ['synthetic-face.webp', 'image/webp'],
    ['synthetic-face.avif', 'image/avif'],
    ['synthetic-face-alpha.png', 'image/png'],
  ]) {
    it(`the page loads and analyses ${name}`, async () => {
      await page.goto(env.server.url);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });
      await page.evaluate(() => {
        document.body.dataset.state = 'test-pending';
      });
      await page.setInputFiles('[data-testid="photo-input"]', { name, mimeType, buffer: await readFile(join(DATA, name)) });
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT });
      assert.equal(await page.textContent('[data-testid="error"]'), '');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
      const size = await page.$eval('[data-testid="before-canvas"]', (c) => [c.width, c.height]);
      assert.deepEqual(size, [384, 384]);
      // The same photo through the embedding API: the engine's report comes back.
      const web = await example(join(DATA, name));
      assert.equal(web.error, undefined, web.message);
      assert.ok(web.ita > 10 && web.ita < 40, `ITA ${web.ita}`);
    });
  }

  it('logged no console errors and made no foreign request', () => {
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
  });
});
