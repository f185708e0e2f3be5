// The peer: the same pipeline stages written with OpenCV.js (npm @techstark/opencv-js,
// served same-origin by the bench runner at bench/vendor/opencv.js).
//
//   1. RGBA → f32 optical density → chromophore planes (3×3 unmix), 3-channel f32
//   2. large-radius baseline blur of the three planes: σ = 6% of the short side
//      (a) 3× box cascade (cv.blur) at full resolution, (b) the same at reduced scale
//      (INTER_AREA down to ~256 px short side, blur, INTER_LINEAR up), as our engine does,
//      (c) cv.GaussianBlur at full resolution (optional: very slow at large σ)
//   3. per-pixel recompose: planes − f·(planes − baseline), 3×3 mix back to density
//   4. density → linear → sRGB 8-bit → RGBA

import { measure } from './stats.js';
import { MEL, HEM } from './image.js';

let cvReady = null;

/** Loads OpenCV.js once (a classic script; needs 'unsafe-eval' for its embind glue); resolves to { cv }. */
export function loadOpenCv(src = new URL('./vendor/opencv.js', import.meta.url).href) {
  cvReady ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    setTimeout(() => reject(new Error('OpenCV.js did not initialise within 120 s')), 120000);
    s.onload = () => {
      // Older builds export the Emscripten Module, which is a thenable that resolves to
      // itself: never await it or resolve a promise with it (that loops forever). Newer
      // builds export a real Promise of the module.
      const cv = globalThis.cv;
      if (cv instanceof Promise) cv.then((m) => resolve({ cv: m }), reject);
      else if (cv.Mat) resolve({ cv });
      else cv.onRuntimeInitialized = () => resolve({ cv });
    };
    document.head.append(s);
  });
  return cvReady; // { cv }: keep it boxed (see above)
}

/** Kovesi's box widths for a 3-pass approximation of a Gaussian of sigma. */
function boxSizes(sigma, n = 3) {
  const wIdeal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(wIdeal);
  if (wl % 2 === 0) wl -= 1;
  const wu = wl + 2;
  const m = Math.round((12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4));
  return Array.from({ length: n }, (_, i) => (i < m ? wl : wu));
}

/** Inverse of the 3×3 [mel hem 1] matrix: density → (cm, ch, s). */
function unmixMatrix() {
  const a = [
    [MEL[0], HEM[0], 1],
    [MEL[1], HEM[1], 1],
    [MEL[2], HEM[2], 1],
  ];
  const det =
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const inv = [];
  for (let r = 0; r < 3; r++) {
    inv.push([]);
    for (let c = 0; c < 3; c++) {
      const m = a.filter((_, i) => i !== c).map((row) => row.filter((_, j) => j !== r));
      const cof = m[0][0] * m[1][1] - m[0][1] * m[1][0];
      inv[r].push((((r + c) % 2 ? -1 : 1) * cof) / det);
    }
  }
  return { mix: a.flat(), unmix: inv.flat() };
}

/** Runs the peer pipeline on `img`; returns { stages: {name: summary} }. */
export async function runPeer(cv, img, { runs, gaussian = false, gaussianRuns = 3 }) {
  const { width: w, height: h } = img;
  const sigma = 0.06 * Math.min(w, h);
  const { mix, unmix } = unmixMatrix();
  const mUnmix = cv.matFromArray(3, 3, cv.CV_32F, unmix);
  const mMix = cv.matFromArray(3, 3, cv.CV_32F, mix);
  const rgba = cv.matFromImageData(img);
  const rgb = new cv.Mat();
  const f32 = new cv.Mat();
  const planes = new cv.Mat();
  const base = new cv.Mat();
  const tmp = new cv.Mat();
  const small = new cv.Mat();
  const rec = new cv.Mat();
  const out8 = new cv.Mat();
  const outRgba = new cv.Mat();
  const stages = {};
  const mats = [mUnmix, mMix, rgba, rgb, f32, planes, base, tmp, small, rec, out8, outRgba];
  try {
    const toDensity = () => {
      cv.cvtColor(rgba, rgb, cv.COLOR_RGBA2RGB);
      rgb.convertTo(f32, cv.CV_32F, 1 / 255, 0.5 / 255); // avoid log(0)
      cv.pow(f32, 2.4, f32); // sRGB → linear (power-law approximation)
      cv.log(f32, f32);
      f32.convertTo(f32, cv.CV_32F, -1, 0); // optical density
      cv.transform(f32, planes, mUnmix); // (cm, ch, s) per pixel, 3-channel f32
    };
    stages['peer 1: RGBA → f32 density → planes'] = await measure(runs, toDensity);

    const boxCascade = (src, dst, s) => {
      let from = src;
      for (const k of boxSizes(s)) {
        cv.blur(from, dst, new cv.Size(k, k), new cv.Point(-1, -1), cv.BORDER_REPLICATE);
        from = dst;
      }
    };
    stages['peer 2a: baseline blur, 3× cv.blur, full res'] = await measure(runs, () => boxCascade(planes, base, sigma));
    const factor = Math.max(1, Math.floor(Math.min(w, h) / 256));
    stages[`peer 2b: baseline blur, 3× cv.blur at 1/${factor} scale + resize`] = await measure(runs, () => {
      cv.resize(planes, small, new cv.Size(Math.ceil(w / factor), Math.ceil(h / factor)), 0, 0, cv.INTER_AREA);
      boxCascade(small, tmp, sigma / factor);
      cv.resize(tmp, base, new cv.Size(w, h), 0, 0, cv.INTER_LINEAR);
    });
    if (gaussian) {
      const g = new cv.Mat();
      stages['peer 2c: baseline blur, cv.GaussianBlur, full res'] = await measure(
        gaussianRuns,
        () => cv.GaussianBlur(planes, g, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REPLICATE),
        { warm: 0 },
      );
      g.delete();
    }
    const recompose = (f) => {
      cv.addWeighted(planes, 1 - f, base, f, 0, rec); // remove a fraction of the excess
      cv.transform(rec, f32, mMix); // back to density (f32 is free after stage 1)
    };
    stages['peer 3: recompose (blend + 3×3 mix)'] = await measure(runs, (i) => recompose(0.5 + 0.01 * (Math.max(i, 0) % 7)));
    const toRgba = () => {
      f32.convertTo(tmp, cv.CV_32F, -1, 0);
      cv.exp(tmp, tmp); // linear
      cv.pow(tmp, 1 / 2.4, tmp); // linear → sRGB (power-law approximation)
      tmp.convertTo(out8, cv.CV_8U, 255, 0);
      cv.cvtColor(out8, outRgba, cv.COLOR_RGB2RGBA);
    };
    stages['peer 4: density → RGBA 8-bit'] = await measure(runs, toRgba);
  } finally {
    for (const m of mats) m.delete();
  }
  return { stages, sigma };
}
