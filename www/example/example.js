// @ts-check
// The smallest embedding of skin-preview: choose a photo, analyse it, show one plan.
import { open } from '../skin-preview.js';

const input = /** @type {HTMLInputElement} */ (document.querySelector('input'));
const canvas = /** @type {HTMLCanvasElement} */ (document.querySelector('canvas'));
const out = /** @type {HTMLPreElement} */ (document.querySelector('pre'));
const params = new URLSearchParams(location.search);
/** @type {import('../skin-preview.js').PlanRequest} */
const plan = {
  treatment: params.get('treatment') ?? 'fractional-laser',
  concern: params.get('concern') ?? 'atrophic-acne-scars',
  week: Number(params.get('week') ?? 12),
  scenario: /** @type {'low' | 'typical' | 'high'} */ (params.get('scenario') ?? 'typical'),
};

input.addEventListener('change', async () => {
  document.body.dataset.state = 'busy';
  try {
    const session = await open(/** @type {File} */ (input.files?.[0]));
    const { report } = await session.analyze();
    const result = await session.project(plan);
    canvas.width = result.bitmap.width;
    canvas.height = result.bitmap.height;
    canvas.getContext('2d')?.drawImage(result.bitmap, 0, 0);
    const risks = result.risks.map((r) => r.rule);
    out.textContent = JSON.stringify({ ita: report.ita, fractions: result.fractions, band: result.band, risks });
    document.body.dataset.state = 'ready';
  } catch (err) {
    out.textContent = JSON.stringify({ error: /** @type {any} */ (err).code, message: String(err) });
    document.body.dataset.state = 'error';
  }
});
