// The in-browser benchmark: our engine and the OpenCV.js peer, same image, same run.
//
// Query parameters: sizes=2,12 (presets: tiny, 2, 12), runs=7, exportRuns=<runs>, stages=1
// (0 skips the per-stage module bench/stages-pkg, which is used only if it was built),
// peer=1 (0 skips OpenCV.js), gaussian=0 (1 adds cv.GaussianBlur, 3 runs, not at 12 MP).
// Results: window.benchResult (also rendered as text); body[data-state] = done | error.

import { generate } from './image.js';
import { runOurs } from './ours.js';
import { runPeer, loadOpenCv } from './peer.js';
import { loadStages, runStages } from './stages.js';

export const SIZES = {
  tiny: [192, 128],
  2: [1728, 1152],
  12: [4240, 2832],
};

const params = new URLSearchParams(location.search);
const sizes = (params.get('sizes') ?? '2,12').split(',').map((s) => s.trim());
const runs = Math.max(1, Number(params.get('runs') ?? 7));
const exportRuns = Math.max(1, Number(params.get('exportRuns') ?? runs));
const withPeer = params.get('peer') !== '0';
const gaussian = params.get('gaussian') === '1';
const withStages = params.get('stages') !== '0';
const out = document.getElementById('out');
const canvas = document.getElementById('frame');

const log = (line) => {
  out.textContent += `${line}\n`;
};
const fmt = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

async function main() {
  const result = { runs, exportRuns, userAgent: navigator.userAgent, sizes: {} };
  const cv = withPeer ? (await loadOpenCv()).cv : null;
  if (cv) result.opencvBuild = (cv.getBuildInformation?.() ?? '').match(/General configuration for OpenCV ([^\s=]+)/)?.[1] ?? 'unknown';
  for (const key of sizes) {
    const [w, h] = SIZES[key] ?? [];
    if (!w) throw new Error(`unknown size preset ${key}`);
    log(`— ${key} MP preset: ${w}×${h}`);
    const t0 = performance.now();
    const img = generate(w, h);
    log(`  generated in ${(performance.now() - t0).toFixed(0)} ms`);
    const ours = await runOurs(img, { runs, exportRuns, canvas });
    for (const [name, s] of Object.entries(ours.stages)) log(`  ${name}: ${fmt(s.total ?? s)}`);
    const entry = { width: w, height: h, pixels: w * h, ours };
    const stagesMod = withStages ? await loadStages() : null;
    if (stagesMod) {
      entry.oursStages = await runStages(stagesMod, img, { runs });
      for (const [name, s] of Object.entries(entry.oursStages)) log(`  stage ${name}: ${fmt(s)}`);
    }
    if (cv) {
      // GaussianBlur's cost grows with σ (6% of the short side): 12 MP would take minutes a run.
      const peer = await runPeer(cv, img, { runs, gaussian: gaussian && key !== '12' });
      for (const [name, s] of Object.entries(peer.stages)) log(`  ${name}: ${fmt(s)}`);
      entry.peer = peer;
    }
    result.sizes[key] = entry;
  }
  window.benchResult = result;
  document.body.dataset.state = 'done';
  log('done');
}

main().catch((err) => {
  window.benchError = `${err?.name}: ${err?.message}\n${err?.stack ?? ''}`;
  log(`ERROR ${window.benchError}`);
  document.body.dataset.state = 'error';
});
