// Our engine's stages one at a time (tests/bench/wasm, built into bench/stages-pkg by the
// runner), for the per-stage comparison with the OpenCV.js peer.

import { measure } from './stats.js';

let mod = null;

/** Loads bench/stages-pkg (a separate module instance); null if it was not built. */
export async function loadStages() {
  if (mod) return mod;
  const base = new URL('./stages-pkg/', import.meta.url);
  const probe = await fetch(new URL('skin_preview_bench_stages_bg.wasm', base), { method: 'HEAD' });
  if (!probe.ok) return null;
  const glue = await import(new URL('skin_preview_bench_stages.js', base).href);
  await glue.default({ module_or_path: new URL('skin_preview_bench_stages_bg.wasm', base) });
  mod = glue;
  return mod;
}

export async function runStages(glue, img, { runs }) {
  const s = new glue.Stages(img.width, img.height, new Uint8Array(img.data.buffer));
  const stages = {};
  try {
    stages['decompose, full res (RGBA → density → 3 planes)'] = await measure(runs, () => s.decomposeFull());
    stages['downsample to the working resolution (linear light)'] = await measure(runs, () => s.downsample());
    stages['decompose, working resolution'] = await measure(runs, () => s.decompose());
    stages['skin mask'] = await measure(runs, () => s.skinMask());
    stages['estimate vectors (ICA)'] = await measure(runs, () => s.estimateVectors());
    stages['baseline blurs: masked_blur × 3 planes (reduced scale)'] = await measure(runs, () => s.baselineBlurs());
    stages['full-res blurs: Plane::blur × 3 planes'] = await measure(runs, () => s.fullResBlurs());
    stages['one lesion map (pigment)'] = await measure(runs, () => s.lesionMap());
    stages['analysis::analyze (no projector)'] = await measure(Math.min(runs, 3), () => s.analyze());
    stages['Projector::new (full res)'] = await measure(runs, () => s.projector());
    stages['render_into (recompose + RGBA, one frame)'] = await measure(runs, (i) => s.render(0.5 + 0.01 * (Math.max(i, 0) % 7)));
  } finally {
    s.free();
  }
  return stages;
}
