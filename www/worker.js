// The engine worker: owns the WebAssembly module and the current photo.
//
// Protocol (see app/engine-client.js): the page posts { id, type, ...payload } and gets
// back { id, ok: true, result } or { id, ok: false, error: { name, message, ... } }.
// Requests run one at a time, in order. Types:
//   init                          → { workingCapPixels, viewCapPixels }
//   decode { bytes, mime, name }  → { width, height, fullWidth, fullHeight, summary, probe,
//                                     info, decodedBy, timings, bitmap }   (bitmap:
//                                     ImageBitmap, transferred; the photo is decoded at
//                                     view size, at most viewCapPixels; full* = its size
//                                     for export, at most workingCapPixels)
//   quality                       → { quality: { blur_px, blurred, … }, timings }
//   render { projection, full? }  → { width, height, timings, bitmap }
//                                   (projection null = the original photo; full = at
//                                    export size, decoded again from the kept bytes)
//   analyze { mask?, maskMode? }  → { report, timings }   (maskMode "replace" (default)
//                                     or "narrow")
//   maps                          → { maps: { skin, pigment, redness, texture, zones? },
//                                     timings }   (Uint8Array w×h, transferred; zones only
//                                     when a face was found)
//   prepare                       → { timings }   (builds the slider's projector;
//                                    renderPreview would build it on first use otherwise)
//   profile { json? }             → { profile, coverage, timings }   (json null/absent = the
//                                     built-in profile; an invalid profile is refused with the
//                                     field named; coverage[treatment][concern] is the
//                                     engine's coverage of each pair)
//   project { a, b?, preview?, full? } → { a, b } where each plan { treatment, concern,
//                                     week, scenario } comes back as the engine's PlanResult
//                                     { coverage, fractions, band, grade, citations, risks,
//                                     extrapolated, relapse, rendered, changes } + bitmap
//                                     (full = rendered again at export size)
// Errors: { name, code, message, ... }; code is the engine's stable code
// (unsupported-format, too-large, corrupt, ...) or "internal" for a fault.
//   followup-decode { bytes, mime } → { width, height, face, bitmap, timings }   (a later
//                                     photo of the same skin, decoded at view size like the
//                                     baseline, its face pass run; face = a face was found;
//                                     bitmap = the follow-up as decoded, for marking points)
//   followup-compare { points?, plan? } → { report, width, height, timings }   (the
//                                     engine's Comparison of the follow-up with the analysed
//                                     photo, kept for followup-image; points = twelve
//                                     numbers, baseline x1,y1..x3,y3 then the follow-up's,
//                                     view pixels; plan = { treatment, concern, weeks })
//   followup-image { which }      → { bitmap, timings }   (which "registered": the
//                                     follow-up in the baseline's frame, light matched;
//                                     "change": the change map; both at the baseline's view
//                                     size, read from WASM memory by pointer)
//   debug-trap                    → makes the module trap, to test recovery

const PKG = new URL('./pkg/', import.meta.url);
/** The face models, fetched from this page's own origin (www/models/). */
const MODELS = ['face_detection_short_range.tflite', 'face_landmark.tflite'].map(
  (name) => new URL(`./models/${name}`, import.meta.url),
);

/** The compiled module, kept so a re-initialisation only instantiates. */
let compiled = null;
/** The live glue module: { PhotoHandle, probeImage, workingCapPixels, wasmMemory, ... }. */
let engine = null;
/** The instance's raw exports (used only by debug-trap). */
let raw = null;
/** Counts instances, so each re-initialisation imports a fresh copy of the glue. */
let generation = 0;
/** Photos above this many pixels are decoded smaller for the page; export re-decodes. */
const VIEW_CAP_PIXELS = 3_000_000;

/** The photo currently held in WASM memory, at view size. */
let current = null;
/** The current photo's bytes, kept for the full-resolution decode that export needs. */
let source = null;
/** The current photo at export size (null until exported; `current` if no larger). */
let full = null;
/** The last analysis report of `current` (null until analysed). */
let report = null;
/** The follow-up photo (view size, face pass run) and its comparison with `current`. */
let followup = null;
let compared = null;
/** The models' bytes: a promise of [detector, mesh], or of the reason they are missing. */
let modelBytes = null;
/** The models parsed by the live instance (null until needed, again after a restart). */
let faceModels = null;

/** Starts fetching the face models once; the page works without them. */
function fetchModels() {
  modelBytes ??= Promise.all(
    MODELS.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url.pathname.split('/').pop()}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }),
  ).catch((err) => ({ missing: err.message || String(err) }));
  return modelBytes;
}

/** The parsed models, or a string saying why there are none. */
async function models() {
  const bytes = await fetchModels();
  if (bytes.missing) return `the face models could not be loaded (${bytes.missing})`;
  try {
    faceModels ??= engine.FaceModels.fromBytes(bytes[0], bytes[1]);
  } catch (err) {
    return `the face models could not be read (${err.message || err})`;
  }
  return faceModels;
}

/** The evidence profile in use, and the clinic JSON it came from (null = built-in). */
let evidence = null;
let profileJson = null;

async function compile() {
  const url = new URL('skin_preview_bg.wasm', PKG);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the analyser (${response.status}).`);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch (err) {
    if (err instanceof WebAssembly.CompileError) throw err;
    // A server that sends the wrong MIME type: compile from bytes instead.
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

async function loadEngine() {
  compiled ??= await compile();
  generation += 1;
  // The wasm-bindgen glue keeps its instance in module state, so a fresh instance needs
  // a fresh copy of the glue: a distinct URL is a distinct module record.
  const glue = await import(new URL(`skin_preview.js?instance=${generation}`, PKG).href);
  raw = await glue.default({ module_or_path: compiled });
  engine = glue;
  return engine;
}

async function ready() {
  return engine ?? loadEngine();
}

/** Drops the (possibly corrupted) instance and starts a new one. */
async function reinitialise() {
  // The old handle belongs to the old instance's memory: never call into it again.
  current = null;
  full = null;
  report = null;
  followup = null;
  compared = null;
  evidence = null;
  faceModels = null;
  engine = null;
  raw = null;
  await loadEngine();
}

/** An error the engine returned on purpose (a typed refusal), leaving the module healthy. */
function isRefusal(err) {
  return err instanceof Error && err.name === 'Error' && !(err instanceof WebAssembly.RuntimeError);
}

/** Epoch milliseconds: comparable between the worker's and the page's clocks. */
const epoch = () => performance.timeOrigin + performance.now();

/**
 * Laps in ms (`marks[name]`) and, for the page's sub-measures, each lap's epoch span
 * (`marks.spans[name] = [start, end]`); `done()` adds `total`.
 */
function timer() {
  const t0 = epoch();
  let last = t0;
  const marks = { spans: {} };
  return {
    lap(name) {
      const now = epoch();
      marks[name] = Math.round((now - last) * 10) / 10;
      marks.spans[name] = [last, now];
      last = now;
    },
    done() {
      marks.total = Math.round((epoch() - t0) * 10) / 10;
      marks.spans.total = [t0, epoch()];
      return marks;
    },
  };
}

/** A JPEG's EXIF orientation tag (1..8; 1 when absent): 5..8 swap the sides. */
function jpegOrientation(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return 1;
  for (let i = 2; i + 4 <= v.byteLength; ) {
    const marker = v.getUint16(i);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return 1;
    const len = v.getUint16(i + 2);
    // APP1 "Exif\0\0", then a TIFF header and its first directory.
    if (marker === 0xffe1 && len >= 16 && v.getUint32(i + 4) === 0x45786966) {
      const tiff = i + 10;
      const le = v.getUint16(tiff) === 0x4949;
      const ifd = tiff + v.getUint32(tiff + 4, le);
      if (ifd + 2 > v.byteLength) return 1;
      const n = v.getUint16(ifd, le);
      for (let k = 0; k < n && ifd + 14 + k * 12 <= v.byteLength; k++) {
        const entry = ifd + 2 + k * 12;
        if (v.getUint16(entry, le) === 0x0112) return v.getUint16(entry + 8, le) || 1;
      }
      return 1;
    }
    i += 2 + len;
  }
  return 1;
}

/**
 * Asks the browser's decoder for upright RGBA pixels. Large photos are downscaled
 * by the decoder already, so a 50-megapixel photo never becomes a 200 MB bitmap here.
 */
async function browserDecode(bytes, mime, probe, cap, keepBitmap = false) {
  // Not ImageDecoder's n/8 JPEG scaling: twice as fast on a 22 MP JPEG, but its chroma
  // halved the redness found on henner.jpg (0.23 % of skin vs 0.50 % resized here, 0.44 %
  // at 16 MP; see BENCHMARKS.md).
  const blob = new Blob([bytes], { type: mime || '' });
  const options = { imageOrientation: 'from-image', premultiplyAlpha: 'none' };
  const { width: w, height: h } = probe;
  if (w * h > cap) {
    // The probe reports stored sides; the resize applies to the upright photo, so the
    // EXIF orientation says which side is the width. The engine applies the exact cap.
    const [rw, rh] = sidesAt(probe, cap);
    const swapped = probe.format === 'jpeg' && jpegOrientation(bytes) >= 5;
    [options.resizeWidth, options.resizeHeight] = swapped ? [rh, rw] : [rw, rh];
    options.resizeQuality = 'high';
  }
  const bitmap = await createImageBitmap(blob, options);
  let pixels;
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  } catch (err) {
    bitmap.close();
    throw err;
  }
  const rgba = new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
  const handle = engine.PhotoHandle.fromRgba(pixels.width, pixels.height, rgba);
  // The decoded bitmap is what the page shows, unless the engine capped it further.
  if (keepBitmap && handle.width === bitmap.width && handle.height === bitmap.height) return { handle, bitmap };
  bitmap.close();
  return { handle, bitmap: null };
}

/**
 * Decodes a chosen photo at view size: our header check first (bombs, HEIC and
 * non-images get a clear message before the browser's decoder touches the bytes), then
 * the browser's decoder; where it fails, the engine gives the typed message (its own
 * decode where the build has one, else "damaged or incomplete").
 */
async function decodeAtView(data, mime, t) {
  const probe = engine.probeImage(data);
  t.lap('probe');
  let decoded;
  try {
    // At view size: the page, the analysis and the slider never need more.
    decoded = { ...(await browserDecode(data, mime, probe, VIEW_CAP_PIXELS, true)), decodedBy: 'browser' };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    decoded = { handle: engine.PhotoHandle.fromBytes(data), bitmap: null, decodedBy: 'engine' };
  }
  t.lap('decode');
  return { probe, ...decoded };
}

/** The sides of a photo at `cap` pixels or fewer, as the browser decode makes them. */
function sidesAt(probe, cap) {
  const { width: w, height: h } = probe;
  if (w * h <= cap) return [w, h];
  const k = Math.sqrt(cap / (w * h));
  return [Math.max(1, Math.floor(w * k)), Math.max(1, Math.floor(h * k))];
}

/** The current photo at export size: decoded again from its bytes on first use. */
async function fullPhoto() {
  if (full) return full;
  const cap = engine.workingCapPixels();
  const [fw, fh] = sidesAt(source.probe, cap);
  if (source.decodedBy === 'engine' || fw * fh <= current.width * current.height) {
    full = current;
  } else {
    full = (await browserDecode(source.bytes, source.mime, source.probe, cap)).handle;
  }
  return full;
}

/** The evidence profile, created on first use (again after a re-initialisation). */
function getEvidence() {
  evidence ??= profileJson == null ? new engine.Evidence() : engine.Evidence.fromJson(profileJson);
  return evidence;
}

/**
 * Renders the current photo into its output buffer and makes one ImageBitmap of it.
 * `projection` null = the original photo; else { pigment, redness, texture } fractions.
 */
/** The bitmap of what the engine last rendered: the slider frame or the full output. */
function frameBitmap(preview) {
  const memory = engine.wasmMemory();
  if (preview) {
    const view = new Uint8ClampedArray(memory.buffer, current.previewPtr(), current.previewLen());
    return createImageBitmap(new ImageData(view, current.previewWidth, current.previewHeight));
  }
  const view = new Uint8ClampedArray(memory.buffer, current.outputPtr(), current.outputLen());
  return createImageBitmap(new ImageData(view, current.width, current.height));
}

async function renderBitmap(projection, preview = false, atFull = false) {
  if (!current) throw new Error('No photo is loaded. Please choose a photo.');
  if (atFull) {
    const target = await fullPhoto();
    if (target !== current) {
      if (projection != null && report) {
        target.projectFrom(current, projection.pigment ?? 0, projection.redness ?? 0, projection.texture ?? 0);
      } else {
        target.renderOriginal();
      }
      const view = new Uint8ClampedArray(engine.wasmMemory().buffer, target.outputPtr(), target.outputLen());
      return createImageBitmap(new ImageData(view, target.width, target.height));
    }
  }
  const memory = engine.wasmMemory();
  if (preview && projection != null && report) {
    // A slider frame at display size; the full-resolution frame follows on release.
    current.renderPreview(projection.pigment ?? 0, projection.redness ?? 0, projection.texture ?? 0);
    const view = new Uint8ClampedArray(memory.buffer, current.previewPtr(), current.previewLen());
    return createImageBitmap(new ImageData(view, current.previewWidth, current.previewHeight));
  }
  if (projection != null && report) {
    current.renderProjection(projection.pigment ?? 0, projection.redness ?? 0, projection.texture ?? 0);
  } else {
    current.renderOriginal();
  }
  const view = new Uint8ClampedArray(memory.buffer, current.outputPtr(), current.outputLen());
  // One copy: the ImageData is a view of WASM memory, the bitmap is the copy.
  return createImageBitmap(new ImageData(view, current.width, current.height));
}

/** Frees the follow-up photo and its comparison. */
function dropFollowup() {
  compared?.free();
  compared = null;
  followup?.free();
  followup = null;
}

/** A typed refusal (module healthy), with a stable code. */
function refusal(message, code) {
  const err = new Error(message);
  err.code = code;
  return err;
}

/** One bitmap of a FollowupHandle's last rendering, read from WASM memory by pointer. */
function followupBitmap() {
  const view = new Uint8ClampedArray(engine.wasmMemory().buffer, compared.outputPtr(), compared.outputLen());
  return createImageBitmap(new ImageData(view, compared.outputWidth, compared.outputHeight));
}

const handlers = {
  async init() {
    const t = timer();
    // The models download while the sample decodes; the first analysis waits for them.
    fetchModels();
    compiled ??= await compile();
    t.lap('compile');
    await ready();
    t.lap('instantiate');
    const result = { workingCapPixels: engine.workingCapPixels(), viewCapPixels: VIEW_CAP_PIXELS };
    return { result: { ...result, timings: t.done() } };
  },

  async decode({ bytes, mime }) {
    await ready();
    const t = timer();
    const data = new Uint8Array(bytes);
    const decoded = await decodeAtView(data, mime, t);
    const { probe, handle, decodedBy } = decoded;
    let { bitmap } = decoded;
    if (full !== current) full?.free();
    full = null;
    // A new baseline: the follow-up and its comparison belonged to the old one.
    dropFollowup();
    const previous = current;
    current = handle;
    report = null;
    previous?.free();
    source = { bytes: data, mime, probe, decodedBy };
    const summary = current.colourSummary();
    const info = current.decodeInfo() ?? null;
    t.lap('summary');
    bitmap ??= await renderBitmap(null);
    t.lap('render');
    const [fullWidth, fullHeight] = decodedBy === 'engine' ? [current.width, current.height] : sidesAt(probe, engine.workingCapPixels());
    return {
      result: {
        width: current.width,
        height: current.height,
        fullWidth: Math.max(fullWidth, current.width),
        fullHeight: Math.max(fullHeight, current.height),
        summary,
        probe,
        info,
        decodedBy,
        timings: t.done(),
        bitmap,
      },
      transfer: [bitmap],
    };
  },

  async quality() {
    await ready();
    if (!current) throw new Error('No photo is loaded. Please choose a photo.');
    const t = timer();
    // Sharpness: focus blur measured at ~512 px, with a "blurred" verdict.
    const quality = current.photoQuality();
    t.lap('quality');
    return { result: { quality, timings: t.done() } };
  },

  async render({ projection = null, full: atFull = false }) {
    await ready();
    const t = timer();
    const bitmap = await renderBitmap(projection, false, atFull);
    t.lap('render');
    return {
      result: { width: bitmap.width, height: bitmap.height, timings: t.done(), bitmap },
      transfer: [bitmap],
    };
  },

  async analyze({ mask = null, maskMode = 'replace' }) {
    await ready();
    if (!current) throw new Error('No photo is loaded. Please choose a photo.');
    const t = timer();
    const face = await models();
    // Without models the engine records why, and its report says "colour only: why".
    if (typeof face === 'string') current.noFace(face);
    else current.findFace(face);
    t.lap('face');
    report = current.analyze(mask ? new Uint8Array(mask) : undefined, maskMode);
    t.lap('engine');
    return { result: { report, timings: t.done() } };
  },

  async maps() {
    await ready();
    if (!report) throw new Error('Analyse the photo first.');
    const t = timer();
    const maps = {};
    for (const name of ['skin', 'pigment', 'redness', 'texture']) maps[name] = current.mapGray(name);
    if (report.face) maps.zones = current.mapGray('zones');
    t.lap('maps');
    return { result: { maps, timings: t.done() }, transfer: Object.values(maps).map((m) => m.buffer) };
  },

  async prepare() {
    await ready();
    const t = timer();
    if (report) current.preparePreview();
    t.lap('preview');
    return { result: { timings: t.done() } };
  },

  async profile({ json = null }) {
    await ready();
    const t = timer();
    // Validate first: a refused profile leaves the one in use untouched.
    const next = json == null ? new engine.Evidence() : engine.Evidence.fromJson(json);
    evidence?.free();
    evidence = next;
    profileJson = json;
    const profile = evidence.profile();
    // The engine's coverage of every pair, so the page's labels never re-derive it.
    const coverage = {};
    for (const tr of profile.treatments) {
      coverage[tr.id] = {};
      for (const c of profile.concerns) coverage[tr.id][c.id] = evidence.coverage(tr.id, c.id);
    }
    t.lap('profile');
    return { result: { profile, coverage, timings: t.done() } };
  },

  async project({ a, b = null, preview = false, full: atFull = false }) {
    await ready();
    if (!current) throw new Error('No photo is loaded. Please choose a photo.');
    if (!report) throw new Error('Analyse the photo before projecting.');
    const ev = getEvidence();
    const t = timer();
    // The engine plans (fractions, band, grade, citations, risks, relapse) and renders;
    // the worker only turns the frame into a bitmap.
    const plan = async (p) => {
      if (!p?.treatment || !p?.concern) {
        const bitmap = await renderBitmap(null);
        return { ...p, coverage: null, fractions: null, band: null, risks: [], changes: [], bitmap };
      }
      const request = { treatment: p.treatment, concern: p.concern, week: Number(p.week), scenario: p.scenario };
      const out = { ...p, ...current.plan(ev, request, preview && !atFull) };
      // The engine rendered at view size; an export renders again onto the full photo.
      out.bitmap = atFull
        ? await renderBitmap(out.fractions, false, true)
        : await frameBitmap(out.fractions != null && preview);
      return out;
    };
    const resA = await plan(a);
    t.lap('a');
    const resB = b ? await plan(b) : null;
    t.lap('b');
    const transfer = [resA.bitmap];
    if (resB) transfer.push(resB.bitmap);
    return { result: { a: resA, b: resB, timings: t.done() }, transfer };
  },

  async 'followup-decode'({ bytes, mime }) {
    await ready();
    if (!current || !report) throw refusal('Analyse the baseline photo first.', 'not-analysed');
    const t = timer();
    // The baseline's path: our header check, then the browser's decoder at view size.
    const decoded = await decodeAtView(new Uint8Array(bytes), mime, t);
    const { handle } = decoded;
    let { bitmap } = decoded;
    dropFollowup();
    followup = handle;
    const face = await models();
    if (typeof face === 'string') followup.noFace(face);
    else followup.findFace(face);
    t.lap('face');
    if (!bitmap) {
      followup.renderOriginal();
      const view = new Uint8ClampedArray(engine.wasmMemory().buffer, followup.outputPtr(), followup.outputLen());
      bitmap = await createImageBitmap(new ImageData(view, followup.width, followup.height));
    }
    t.lap('render');
    return {
      result: { width: followup.width, height: followup.height, face: followup.hasFace(), timings: t.done(), bitmap },
      transfer: [bitmap],
    };
  },

  async 'followup-compare'({ points = null, plan = null }) {
    await ready();
    if (!current || !report) throw refusal('Analyse the baseline photo first.', 'not-analysed');
    if (!followup) throw refusal('Add a follow-up photo first.', 'no-followup');
    const t = timer();
    compared?.free();
    compared = null;
    compared = current.compareFollowup(
      followup,
      getEvidence(),
      points ? Float32Array.from(points) : undefined,
      plan?.treatment ?? undefined,
      plan?.concern ?? undefined,
      plan ? Number(plan.weeks) : undefined,
    );
    const comparison = compared.report();
    t.lap('compare');
    return { result: { report: comparison, width: current.width, height: current.height, timings: t.done() } };
  },

  async 'followup-image'({ which }) {
    await ready();
    if (!compared || !followup || !current) throw refusal('Compare a follow-up photo first.', 'no-followup');
    const t = timer();
    if (which === 'change') compared.renderChangeMap(current.width, current.height);
    else compared.renderRegistered(followup, current.width, current.height);
    const bitmap = await followupBitmap();
    t.lap(which === 'change' ? 'change' : 'registered');
    return { result: { bitmap, timings: t.done() }, transfer: [bitmap] };
  },

  async 'debug-trap'() {
    await ready();
    // An impossible allocation makes wasm-bindgen's allocator abort: a real trap
    // (WebAssembly.RuntimeError), so the tests can check the recovery path.
    raw.__wbindgen_malloc(0xfffffff0, 1);
    throw new Error('debug-trap did not trap');
  },
};

async function handle({ id, type, ...payload }) {
  const fn = handlers[type];
  try {
    if (!fn) throw new TypeError(`Unknown request type "${type}".`);
    const { result, transfer = [] } = await fn(payload);
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    const fault = !isRefusal(err);
    let recovered = false;
    let message = err?.message || String(err);
    if (fault) {
      // A trap or an unexpected failure: the module's state can no longer be trusted.
      try {
        await reinitialise();
        recovered = true;
      } catch (reinitErr) {
        console.warn('skin-preview: re-initialisation failed', reinitErr);
      }
      const trapped = err instanceof WebAssembly.RuntimeError;
      message = trapped
        ? 'Something went wrong while analysing this photo. The analyser has been restarted; please try again or choose another photo.'
        : `Something went wrong: ${message}`;
      console.warn('skin-preview: engine failure, module re-initialised', err);
    }
    // The engine's refusals carry a stable code; anything else is internal.
    const code = fault ? 'internal' : (err?.code ?? 'refused');
    self.postMessage({
      id,
      ok: false,
      error: { name: err?.name ?? 'Error', code, message, detail: String(err), fault, recovered },
    });
  }
}

let queue = Promise.resolve();
self.addEventListener('message', (event) => {
  queue = queue.then(() => handle(event.data));
});
