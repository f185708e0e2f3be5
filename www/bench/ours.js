// Our engine's stages, on the main thread of the bench page (the app runs the same calls
// in its worker; the WASM work is the same, only the hand-off of the frame differs).

import { measure, measureLaps } from './stats.js';

const PKG = new URL('../pkg/', import.meta.url);
let compiled = null;
let generation = 0;

/** A fresh module instance (fresh linear memory), so memory is measured per size. */
export async function loadEngine() {
  const t0 = performance.now();
  if (!compiled) {
    const response = await fetch(new URL('skin_preview_bg.wasm', PKG));
    compiled = await WebAssembly.compileStreaming(response);
  }
  const tCompile = performance.now() - t0;
  generation += 1;
  const glue = await import(new URL(`skin_preview.js?bench=${generation}`, PKG).href);
  await glue.default({ module_or_path: compiled });
  return { glue, compileMs: tCompile, initMs: performance.now() - t0 };
}

async function jpegBlob(img) {
  const c = new OffscreenCanvas(img.width, img.height);
  c.getContext('2d').putImageData(img, 0, 0);
  return c.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
}

/** Browser decode to RGBA, as www/worker.js does it. */
async function browserDecode(blob) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

const bytesOf = (d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/**
 * Runs our stages on `img` (ImageData). `canvas` is a visible <canvas> for the frame.
 * Returns { stages: {name: summary}, memory: {...}, jpegBytes }.
 */
export async function runOurs(img, { runs, canvas, exportRuns }) {
  const { glue, initMs } = await loadEngine();
  const memory = () => glue.wasmMemory().buffer.byteLength;
  const mem = { afterInit: memory() };
  const { width: w, height: h } = img;
  const stages = {};
  const blob = await jpegBlob(img);
  const jpeg = new Uint8Array(await blob.arrayBuffer());

  stages['decode: createImageBitmap + getImageData'] = await measure(runs, async () => {
    await browserDecode(blob);
  });
  let handle = null;
  const drop = () => {
    handle?.free();
    handle = null;
  };
  stages['decode: browser + PhotoHandle.fromRgba (into WASM)'] = await measure(
    runs,
    async () => {
      const px = await browserDecode(blob);
      handle = glue.PhotoHandle.fromRgba(px.width, px.height, bytesOf(px.data));
    },
    { after: drop },
  );
  // The page's package has no decoder of its own (feature engine-decode): skipped then.
  let engineDecodes = true;
  try {
    glue.PhotoHandle.fromBytes(jpeg).free();
  } catch {
    engineDecodes = false;
  }
  if (engineDecodes) {
    stages['decode: PhotoHandle.fromBytes (engine fallback)'] = await measure(
      runs,
      () => {
        handle = glue.PhotoHandle.fromBytes(jpeg);
      },
      { after: drop },
    );
  }
  mem.afterDecode = memory();

  // Analysis on the uncompressed generated pixels (the same input as the native bench).
  handle = glue.PhotoHandle.fromRgba(w, h, bytesOf(img.data));
  handle.analyze(undefined, undefined, undefined); // warm-up, and the first-analysis peak
  handle.preparePreview();
  mem.afterFirstAnalyze = memory();
  stages['analyze (PhotoHandle.analyze, incl. projector)'] = await measure(runs, () => {
    handle.analyze(undefined, undefined, undefined);
    handle.preparePreview();
  }, { warm: 0 });
  stages['analyze alone (PhotoHandle.analyze; the projector follows on the page)'] = await measure(runs, () => {
    handle.analyze(undefined, undefined, undefined);
  }, { warm: 0 });
  handle.preparePreview();
  mem.afterAnalyzeRuns = memory();

  // One slider frame at the working resolution: render + ImageData on a view of WASM
  // memory + putImageData on a canvas of the photo's size.
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  stages['frame (full res): render + view + putImageData'] = await measureLaps(runs, (rec, i) => {
    const f = 0.5 + 0.01 * (i % 7);
    handle.renderProjection(f, f, f);
    rec.lap('render');
    const view = new Uint8ClampedArray(glue.wasmMemory().buffer, handle.outputPtr(), handle.outputLen());
    const data = new ImageData(view, w, h);
    rec.lap('view');
    ctx.putImageData(data, 0, 0);
    rec.lap('put');
  });
  // The slider path of the app: a display-size frame (renderPreview), made into a bitmap
  // and drawn scaled onto the photo-size canvas; the full frame above follows on release.
  const [pw, ph] = [handle.previewWidth, handle.previewHeight];
  stages[`frame (preview ${pw}×${ph}, the slider path): renderPreview + bitmap + drawImage`] =
    await measureLaps(runs, async (rec, i) => {
      const f = 0.5 + 0.01 * (i % 7);
      handle.renderPreview(f, f, f);
      rec.lap('render');
      const view = new Uint8ClampedArray(glue.wasmMemory().buffer, handle.previewPtr(), handle.previewLen());
      const bitmap = await createImageBitmap(new ImageData(view, pw, ph));
      rec.lap('bitmap');
      ctx.drawImage(bitmap, 0, 0, w, h);
      bitmap.close();
      rec.lap('draw');
    });
  mem.afterFrames = memory();

  // Full-resolution export: render + canvas.convertToBlob PNG.
  const off = new OffscreenCanvas(w, h);
  const octx = off.getContext('2d');
  let pngBytes = 0;
  stages['export (full res): render + PNG convertToBlob'] = await measureLaps(exportRuns, async (rec) => {
    handle.renderProjection(0.5, 0.5, 0.5);
    rec.lap('render');
    octx.putImageData(new ImageData(new Uint8ClampedArray(glue.wasmMemory().buffer, handle.outputPtr(), handle.outputLen()), w, h), 0, 0);
    rec.lap('put');
    const png = await off.convertToBlob({ type: 'image/png' });
    pngBytes = png.size;
    rec.lap('encode');
  });
  drop();

  mem.peak = memory();
  return { stages, memory: mem, jpegBytes: jpeg.length, pngBytes, initMs };
}
