// skin-preview page: wires photo sources, the engine worker and the views together.
// Heavy work happens in www/worker.js; this thread only moves bytes and draws bitmaps.

import { EngineClient } from './app/engine-client.js';
import { createStatusView } from './app/status-view.js';
import { drawBitmap } from './app/canvas-view.js';
import { renderScores } from './app/scores-view.js';
import { attachPhotoSources } from './app/photo-sources.js';

const SAMPLE = { url: 'sample/astronaut.png', name: 'the sample photo' };

const $ = (id) => document.getElementById(id);
const ui = {
  input: $('photo-input'),
  before: $('before-canvas'),
  after: $('after-canvas'),
  scores: $('scores'),
  note: $('photo-note'),
};
const status = createStatusView({ statusText: $('status-text'), error: $('error'), main: $('main') });
const engine = new EngineClient(new URL('./worker.js', import.meta.url));

/** Latest photo request; results of older ones are dropped. */
let latest = 0;
/** Name of the photo on screen, if any. */
let shown = null;

/**
 * The after view's parameters. `null` shows the photo itself; the treatment preview will
 * set projection parameters here and call renderAfter().
 */
let projection = null;

function describe(result, name) {
  const { width, height, decodedBy, timings } = result;
  const size = `${width} × ${height} pixels`;
  const by = decodedBy === 'browser' ? 'decoded by your browser' : 'decoded by the analyser';
  const title = name === SAMPLE.name ? 'The sample photo' : name;
  return `${title}: ${size}, ${by}, analysed in ${Math.round(timings.total)} ms on this device.`;
}

/** Sends photo bytes to the worker and shows the result. */
async function analyse(bytes, { name, mime }) {
  const token = ++latest;
  status.loading(`Analysing ${name}…`);
  const start = performance.now();
  let result;
  try {
    result = await engine.request('decode', { bytes, mime, name }, [bytes]);
  } catch (err) {
    if (token !== latest) return;
    status.error(err.message || String(err), shown);
    return;
  }
  const end = performance.now();
  if (token !== latest) {
    result.bitmap.close();
    return;
  }
  performance.measure('skin-preview:decode', {
    start,
    end,
    detail: { name, worker: result.timings, decodedBy: result.decodedBy },
  });
  showOriginal(result.bitmap, name);
  shown = name;
  renderScores(ui.scores, result.summary);
  ui.note.textContent = describe(result, name);
  status.ready(`Showing ${name}.`);
  if (projection) await renderAfter();
}

/** Draws the decoded photo: before always; after too while there is no projection. */
function showOriginal(bitmap, name) {
  drawBitmap(ui.before, bitmap, `Your photo: ${name}`);
  if (!projection) drawBitmap(ui.after, bitmap, `Your photo: ${name} (no projection yet)`);
  bitmap.close();
}

/** Asks the worker for the after view with the current projection parameters. */
async function renderAfter() {
  const token = latest;
  const { bitmap } = await engine.request('render', { projection });
  if (token !== latest) return bitmap.close();
  drawBitmap(ui.after, bitmap, 'Projected result');
  bitmap.close();
}

async function analyseFile(file) {
  const name = file.name || 'Pasted photo';
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    status.error(`${name} could not be read. Please choose the photo again.`);
    return;
  }
  await analyse(bytes, { name, mime: file.type });
}

async function loadSample() {
  status.loading('Loading the sample photo…');
  const response = await fetch(SAMPLE.url);
  if (!response.ok) throw new Error(`The sample photo could not be loaded (${response.status}).`);
  const bytes = await response.arrayBuffer();
  await analyse(bytes, { name: SAMPLE.name, mime: response.headers.get('Content-Type') ?? '' });
}

async function start() {
  attachPhotoSources({ input: ui.input, onPhoto: analyseFile });
  status.loading('Loading the analyser…');
  try {
    await engine.request('init');
    // A photo chosen while the analyser was loading wins over the sample.
    if (latest === 0) await loadSample();
  } catch (err) {
    status.error(err.message || String(err));
  }
}

// Hooks for the end-to-end tests, only when asked for in the URL (?test-hooks).
if (new URLSearchParams(location.search).has('test-hooks')) {
  window.skinPreviewTest = {
    trap: () => engine.request('debug-trap'),
    render: (params) => engine.request('render', { projection: params ?? null }),
  };
}

start();
