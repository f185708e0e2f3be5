// skin-preview's embedding API: a small ES module over the engine worker (worker.js).
// Types: skin-preview.d.ts. The photo never leaves the device; everything runs in the
// worker, one request at a time.
//
//   import { open } from './skin-preview.js';
//   const session = await open(file);                 // File, Blob or ArrayBuffer
//   const report = await session.analyze();           // scores, lesions, ITA°
//   const result = await session.project({ treatment, concern, week, scenario });
//   canvas.getContext('2d').drawImage(result.bitmap, 0, 0);

import { EngineClient, EngineError } from './app/engine-client.js';

export { EngineError };

let shared = null;

/** The one engine client of this page, started on first use. */
function client() {
  if (!shared) {
    shared = new EngineClient(new URL('./worker.js', import.meta.url));
    shared.ready = shared.request('init');
  }
  return shared;
}

/** A photo held by the engine; only one session is live at a time. */
class Session {
  #engine;
  #current = true;

  constructor(engine, decoded) {
    this.#engine = engine;
    this.width = decoded.width;
    this.height = decoded.height;
    this.summary = decoded.summary;
    this.quality = decoded.quality;
    this.bitmap = decoded.bitmap;
  }

  #check() {
    if (!this.#current) throw new EngineError({ name: 'Error', code: 'closed', message: 'This photo was replaced by another one; open it again.' });
  }

  async analyze({ mask = null, maskMode = 'replace' } = {}) {
    this.#check();
    const res = await this.#engine.request('analyze', { mask, maskMode }, mask ? [mask.buffer] : []);
    return { report: res.report, maps: res.maps };
  }

  async project(plan, other = null) {
    this.#check();
    const { a, b } = await this.#engine.request('project', { a: plan, b: other });
    return other ? [a, b] : a;
  }

  async useProfile(json = null) {
    const { profile } = await this.#engine.request('profile', { json });
    return profile;
  }

  close() {
    this.#current = false;
    this.bitmap?.close?.();
  }
}

/** Decodes a photo in the engine and returns its session (the previous one closes). */
export async function open(photo, { name = photo?.name ?? 'photo' } = {}) {
  const engine = client();
  await engine.ready;
  const bytes = photo instanceof ArrayBuffer ? photo.slice(0) : await photo.arrayBuffer();
  const mime = photo?.type ?? '';
  const decoded = await engine.request('decode', { bytes, mime, name }, [bytes]);
  open.last?.close();
  open.last = new Session(engine, decoded);
  return open.last;
}
