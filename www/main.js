// skin-preview page: wires photo sources, the engine worker and the views together.
// Heavy work happens in www/worker.js; this thread only moves bytes and draws bitmaps.

import { EngineClient } from './app/engine-client.js';
import { createStatusView } from './app/status-view.js';
import { drawBitmap } from './app/canvas-view.js';
import { renderScores } from './app/scores-view.js';
import { attachPhotoSources } from './app/photo-sources.js';
import { createCompareView } from './app/compare-view.js';
import { drawOverlays, renderLesions, renderReport } from './app/analysis-view.js';
import { drawZones, renderZoneScores } from './app/zones-view.js';
import {
  coverageOf,
  defaultPlan,
  fillConcerns,
  fillTreatments,
  planFacts,
  renderEvidence,
  renderTicks,
} from './app/plan-view.js';
import { createMaskEditor } from './app/mask-editor.js';
import { exportPair, exportPng, exportStrip, exportVisit } from './app/export.js';
import { forgetPhoto, keepPhoto, keptPhoto } from './app/photo-store.js';
import { drawLabels, labelSummary, renderLabelList } from './app/area-labels.js';
import { attachCamera } from './app/camera.js';
import { createPointMarker, describeLight, describeRegistration, describeVerdict, percent, renderComparison, renderVisits } from './app/followup-view.js';
import { forgetVisit, keepVisit, keptVisits } from './app/visit-store.js';

const SAMPLE = { url: 'sample/paumier-face.jpg', name: 'the sample photo' };
const SETTINGS_KEY = 'skin-preview:settings';
/** Labelled areas are kept for this many photos at most (newest first). */
const KEPT_LABEL_SETS = 20;

const $ = (id) => document.getElementById(id);
const ui = {
  input: $('photo-input'),
  camera: $('camera-input'),
  before: $('before-canvas'),
  after: $('after-canvas'),
  overlay: $('overlay-canvas'),
  mask: $('mask-canvas'),
  scores: $('scores'),
  note: $('photo-note'),
  concern: $('concern-select'),
  treatment: $('treatment-select'),
  scenario: $('scenario-select'),
  week: $('week-slider'),
  weekOut: $('week-output'),
  ticks: $('week-ticks'),
  planB: $('plan-b-select'),
  evidenceBody: $('evidence-body'),
  risk: $('risk-warning'),
  visibility: $('visibility'),
  plans: $('compare-plans'),
  planACanvas: $('plan-a-canvas'),
  planBCanvas: $('plan-b-canvas'),
  planACaption: $('plan-a-caption'),
  planBCaption: $('plan-b-caption'),
  planAFacts: $('plan-a-facts'),
  planBFacts: $('plan-b-facts'),
  lesions: $('lesion-list'),
  overlays: ['pigment', 'redness', 'texture', 'zones'].map((n) => $(`overlay-${n}`)),
  profileInput: $('profile-input'),
  profileReset: $('profile-reset'),
  profileName: $('profile-name'),
  exportBtn: $('export-png'),
  exportPlans: $('export-plans'),
  quality: $('quality-warning'),
  labelCanvas: $('label-canvas'),
  labelSelect: $('area-label-select'),
  labelList: $('area-labels'),
  labelBlock: $('area-labels-block'),
};
const status = createStatusView({ statusText: $('status-text'), error: $('error'), main: $('main') });
const engine = new EngineClient(new URL('./worker.js', import.meta.url));

/** Latest photo request; results of older ones are dropped. */
let latest = 0;
/** Name of the photo on screen, if any. */
let shown = null;
/** The evidence profile in use (plain object), its analysis report and maps. */
let profile = null;
/** The engine's coverage of each pair of the profile: coverage[treatment][concern]. */
let coverage = null;
let report = null;
let maps = null;
/** The last rendered plans (for the export watermark and the panel). */
let lastPlans = null;
/** The photo file on screen (not the sample), so the person can choose to keep it. */
let currentFile = null;
/** Identifies the photo on screen (name, size, mean colour) for its kept area labels. */
let photoKey = null;
/** Set when a photo's result is shown: its first projected frame is then measured. */
let firstFrame = null;
/** True when the photo on screen was decoded smaller than its export size. */
let reduced = false;

// ---------------------------------------------------------------- settings (no photo)

function loadSettings() {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') ?? {};
  } catch {
    return {};
  }
}
const saved = loadSettings();
/** True once a plan is the person's (saved, or chosen here): the default plan then stays away. */
let planChosen = Boolean(saved.treatment);
/** Area labels per photo key: { key: { at, items } } (positions and concerns, no pixels). */
let labelSets = saved.areaLabels && typeof saved.areaLabels === 'object' ? saved.areaLabels : {};
function saveSettings() {
  try {
    localStorage.setItem(
      SETTINGS_KEY,
      JSON.stringify({
        concern: ui.concern.value,
        treatment: ui.treatment.value,
        planB: ui.planB.value,
        scenario: ui.scenario.value,
        week: Number(ui.week.value),
        view: compare.state.view,
        areaLabel: ui.labelSelect.value,
        areaLabels: labelSets,
      }),
    );
  } catch {
    // Storage may be off (private mode); settings then last for this visit only.
  }
}

/** The kept labels of a photo, if they fit it. */
function keptLabels(key, width, height) {
  const items = labelSets[key]?.items;
  if (!Array.isArray(items)) return [];
  return items.filter(
    (l) =>
      typeof l?.concern === 'string' &&
      Array.isArray(l.box) &&
      l.box.length === 4 &&
      l.box.every(Number.isFinite) &&
      Number.isFinite(l.x) &&
      Number.isFinite(l.y) &&
      l.x >= 0 &&
      l.y >= 0 &&
      l.x < width &&
      l.y < height,
  );
}

function keepLabels(labels) {
  if (!photoKey) return;
  if (labels.length) labelSets[photoKey] = { at: Date.now(), items: labels };
  else delete labelSets[photoKey];
  const keys = Object.keys(labelSets).sort((a, b) => (labelSets[b].at ?? 0) - (labelSets[a].at ?? 0));
  for (const k of keys.slice(KEPT_LABEL_SETS)) delete labelSets[k];
  saveSettings();
}

// ---------------------------------------------------------------- compare view

const compare = createCompareView({
  root: $('compare'),
  stage: $('stage'),
  handle: $('compare-slider'),
  zoomLevel: $('zoom-level'),
  canvas: ui.before,
  onPaint: (phase, point) => maskEditor.paint(phase, point),
  onViewChange: (view) => {
    for (const b of document.querySelectorAll('.seg[data-view]')) b.setAttribute('aria-checked', String(b.dataset.view === view));
    saveSettings();
  },
});
for (const b of document.querySelectorAll('.seg[data-view]')) b.addEventListener('click', () => compare.setView(b.dataset.view));
$('zoom-in').addEventListener('click', () => compare.zoomIn());
$('zoom-out').addEventListener('click', () => compare.zoomOut());
$('zoom-reset').addEventListener('click', () => compare.reset());
if (['split', 'side', 'single'].includes(saved.view)) compare.setView(saved.view);

// ---------------------------------------------------------------- consultant mask tools

const maskEditor = createMaskEditor({
  canvas: ui.mask,
  size: $('brush-size'),
  undo: $('undo'),
  redo: $('redo'),
  onCommit: (mask) => reanalyse(mask),
  onLabels: (labels) => showLabels(labels),
  labelFor: () => ui.labelSelect.value,
});

/** Draws and lists the labelled areas, and keeps them with the settings. */
function showLabels(labels, { keep = true } = {}) {
  const shownWidth = ui.labelCanvas.closest('.pane')?.clientWidth || ui.before.width;
  drawLabels(ui.labelCanvas, labels, profile, ui.before.width, ui.before.height, shownWidth);
  renderLabelList(ui.labelList, labels, profile, {
    onShow: (label) => {
      compare.zoomToBox(label.box);
      $('compare').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },
    onRemove: (index) => {
      maskEditor.removeLabel(index);
      status.ready(`Removed the label of area ${index + 1}.`);
    },
  });
  ui.labelBlock.hidden = labels.length === 0;
  if (keep) keepLabels(labels);
}
ui.labelSelect.addEventListener('change', saveSettings);
// The labels' type follows the picture's size on screen.
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (maskEditor.labels.length) showLabels(maskEditor.labels, { keep: false });
  }, 150);
});

function fillLabelSelect() {
  const keep = ui.labelSelect.value || saved.areaLabel;
  const none = document.createElement('option');
  none.value = '';
  none.textContent = 'No label';
  const options = profile.concerns.map((c) => {
    const o = document.createElement('option');
    o.value = c.id;
    o.textContent = c.name;
    return o;
  });
  ui.labelSelect.replaceChildren(none, ...options);
  ui.labelSelect.value = profile.concerns.some((c) => c.id === keep) ? keep : '';
  // Names may differ in another profile: draw the list again.
  if (maskEditor.mask) showLabels(maskEditor.labels, { keep: false });
}
const tools = { pan: $('pan-tool'), brush: $('brush-tool'), eraser: $('eraser-tool') };
for (const [name, button] of Object.entries(tools)) {
  button.addEventListener('click', () => {
    for (const [n, b] of Object.entries(tools)) b.setAttribute('aria-pressed', String(n === name));
    compare.setTool(name);
    maskEditor.setMode(name);
  });
}
$('undo').addEventListener('click', () => maskEditor.undo());
$('redo').addEventListener('click', () => maskEditor.redo());
$('mask-reset').addEventListener('click', async () => {
  if (!report) return;
  const token = latest;
  status.loading('Going back to the automatic skin area…');
  // The labels stay: they name areas of concern, whatever the treated area.
  if (await runAnalysis(token, null, { labels: maskEditor.labels })) status.ready(`Showing ${shown}, with the automatic skin area.`);
});

// ---------------------------------------------------------------- photo → analysis

function describe(result, name) {
  const { width, height, decodedBy, timings } = result;
  const size = `${width} × ${height} pixels`;
  const by = decodedBy === 'browser' ? 'decoded by your browser' : 'decoded by the analyser';
  const title = name === SAMPLE.name ? 'The sample photo' : name;
  return `${title}: ${size}, ${by} in ${Math.round(timings.total)} ms on this device.`;
}

function qualityWarnings(result, rep, sharp) {
  const warnings = [];
  if (result.width * result.height < 300 * 300) warnings.push('This photo is small; the analysis needs more detail to be useful (at least 300 × 300 pixels).');
  if (rep?.lighting?.too_dark) warnings.push('This photo is too dark for a useful analysis.');
  if (sharp?.blurred) {
    warnings.push(
      sharp.blur_px == null
        ? 'This photo shows almost no sharp detail; it may be out of focus.'
        : 'This photo looks blurred (out of focus or moved), so small spots and scars may be missed. Take it again with the camera held still and focused on the skin.',
    );
  }
  if (rep && !rep.skin_found) warnings.push('No skin was found in this photo.');
  return warnings.join(' ');
}

/**
 * The worker's laps of one request as page measures `${prefix}:${lap}`, plus
 * `${prefix}:queue` (sent → the worker starts) and `${prefix}:transfer` (its reply → here).
 */
function workerMeasures(prefix, timings, sent, received) {
  const spans = timings?.spans;
  if (!spans?.total) return;
  const at = (t) => Math.min(received, Math.max(sent, t - performance.timeOrigin));
  for (const [lap, [s, e]] of Object.entries(spans)) {
    if (lap !== 'total') performance.measure(`${prefix}:${lap}`, { start: at(s), end: at(e) });
  }
  performance.measure(`${prefix}:queue`, { start: sent, end: at(spans.total[0]) });
  performance.measure(`${prefix}:transfer`, { start: at(spans.total[1]), end: received });
}

/** Awaits a worker request and records it as `name` with its laps as sub-measures. */
async function timed(name, request) {
  const sent = performance.now();
  const res = await request;
  const received = performance.now();
  performance.measure(name, { start: sent, end: received, detail: { worker: res.timings } });
  workerMeasures(name, res.timings, sent, received);
  return res;
}

/** Sends photo bytes to the worker and shows the result; `chosen` = when the photo was picked. */
async function analyse(bytes, { name, mime, chosen = performance.now() }) {
  const token = ++latest;
  ui.quality.hidden = true;
  status.loading(`Reading ${name}…`);
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
  workerMeasures('skin-preview:decode', result.timings, start, end);
  resetFollowup();
  drawBitmap(ui.before, result.bitmap, `Your photo: ${name}`);
  drawBitmap(ui.after, result.bitmap, `Your photo: ${name} (no projection yet)`);
  result.bitmap.close();
  compare.setAspect(result.width, result.height);
  reduced = result.fullWidth * result.fullHeight > result.width * result.height;
  shown = name;
  report = null;
  maps = null;
  const lab = result.summary?.mean_lab;
  photoKey = `${name}|${result.width}x${result.height}|${lab ? [lab.l, lab.a, lab.b].map((v) => v.toFixed(2)).join(',') : ''}`;
  renderScores(ui.scores, result.summary);
  ui.note.textContent = describe(result, name);
  $('sample-credit').hidden = name !== SAMPLE.name;
  status.loading(`Analysing the skin in ${name}…`);
  const detail = { name, width: result.width, height: result.height, fullWidth: result.fullWidth, fullHeight: result.fullHeight };
  const onShown = () => {
    performance.measure('skin-preview:shown', { start: chosen, end: performance.now(), detail });
    firstFrame = { token, chosen, detail };
    status.loading(`Preparing the treatment preview of ${name}…`);
  };
  const ok = await runAnalysis(token, null, { labels: keptLabels(photoKey, result.width, result.height), onShown, prepare: false });
  if (!ok || token !== latest) return;
  // The sharpness check only adds a note: it follows the first result.
  let quality = null;
  try {
    ({ quality } = await timed('skin-preview:quality', engine.request('quality')));
  } catch (err) {
    console.warn('skin-preview: the sharpness check failed', err);
  }
  if (token !== latest) return;
  const warn = qualityWarnings(result, report, quality);
  ui.quality.textContent = warn;
  ui.quality.hidden = !warn;
  status.ready(`Showing ${name}.${warn ? ' Please read the note about this photo.' : ''}`);
  preparePreview(token);
}

/** Builds the slider's projector in the worker once the result is on screen. */
async function preparePreview(token) {
  if (token !== latest) return;
  try {
    await timed('skin-preview:prepare', engine.request('prepare'));
  } catch {
    // A slider frame builds it on first use.
  }
}

/**
 * Runs the engine's analysis (with the consultant's mask, if any) and shows its report
 * (then `onShown`); the first projected frame and the maps (mask, overlays) follow.
 */
async function runAnalysis(token, mask, { keepHistory = false, labels = [], onShown = null, prepare = true } = {}) {
  const start = performance.now();
  let res;
  try {
    res = await engine.request('analyze', { mask }, mask ? [mask.buffer] : []);
  } catch (err) {
    if (token !== latest) return false;
    status.error(err.message || String(err), shown);
    return false;
  }
  if (token !== latest) return false;
  const end = performance.now();
  performance.measure('skin-preview:analyze', { start, end, detail: { worker: res.timings } });
  workerMeasures('skin-preview:analyze', res.timings, start, end);
  report = res.report;
  maps = null;
  if (!planChosen && profile) applyDefaultPlan();
  renderReport(ui.scores, report);
  renderZoneScores(ui.scores, report);
  renderLesions(ui.lesions, report.lesions ?? [], (lesion) => {
    compare.zoomToBox(lesion.bbox);
    $('compare').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  });
  onShown?.();
  // Queued behind the first frame in the worker: the projection is seen before the maps.
  const rendered = renderNow();
  let mapsRes;
  try {
    mapsRes = await timed('skin-preview:maps', engine.request('maps'));
  } catch (err) {
    if (token === latest) status.error(err.message || String(err), shown);
    return false;
  }
  if (token !== latest) return false;
  maps = mapsRes.maps;
  if (!mask && !keepHistory) maskEditor.reset(maps.skin, { width: report.width, height: report.height, labels });
  redrawOverlays();
  await rendered;
  if (prepare && token === latest) preparePreview(token);
  return token === latest;
}

async function reanalyse(mask) {
  if (!report) return;
  const token = latest;
  status.loading('Updating the analysis for the edited area…');
  // null = back to the automatic area (undo to the start): keep the undo/redo history.
  const ok = await runAnalysis(token, mask, { keepHistory: true });
  if (ok) status.ready(mask ? `Showing ${shown}, with your edited area.` : `Showing ${shown}, with the automatic skin area.`);
  // The follow-up is measured on the baseline's lesions: measure it again on the new ones.
  if (ok && followupState?.report) compareFollowup();
}

function redrawOverlays() {
  const names = ui.overlays.filter((c) => c.checked).map((c) => c.id.replace('overlay-', ''));
  drawOverlays(ui.overlay, maps, names.filter((n) => n !== 'zones'), ui.before.width, ui.before.height);
  drawZones(ui.overlay, maps?.zones, names.includes('zones'));
}
for (const c of ui.overlays) {
  c.addEventListener('change', () => {
    redrawOverlays();
    // Overlays are drawn on the before photo: show all of it when one is turned on.
    if (c.checked) {
      if (compare.state.view === 'single') compare.setView('split');
      if (compare.state.view === 'split') compare.setSplit(100);
    }
  });
}

// ---------------------------------------------------------------- projection

function planOf(treatment) {
  return {
    treatment,
    concern: ui.concern.value,
    week: Number(ui.week.value),
    scenario: ui.scenario.value,
  };
}

let rendering = null;
let pending = null;

/**
 * Asks for a render; while one runs, only the latest request is kept (slider coalescing).
 * `preview` frames are display-sized, for a moving slider; a full frame follows on release.
 */
function requestRender(preview = false) {
  pending = { preview: pending && !pending.preview ? false : preview };
  if (!rendering) rendering = pump();
  return rendering;
}
async function pump() {
  try {
    while (pending) {
      const { preview } = pending;
      pending = null;
      await renderOnce(preview);
    }
  } finally {
    rendering = null;
  }
}
function renderNow() {
  return requestRender();
}

async function renderOnce(preview = false) {
  if (!report || !profile) return;
  const token = latest;
  const a = planOf(ui.treatment.value);
  const b = ui.planB.value ? planOf(ui.planB.value) : null;
  const start = performance.now();
  let res;
  try {
    res = await engine.request('project', { a, b, preview });
  } catch (err) {
    if (token === latest) status.error(err.message || String(err), shown);
    return;
  }
  if (token !== latest) {
    res.a.bitmap.close();
    res.b?.bitmap.close();
    return;
  }
  // Preview frames are drawn scaled up onto the full-size canvases.
  const size = { width: ui.before.width, height: ui.before.height };
  // In the baseline | follow-up mode the after side shows the registered follow-up.
  if (compareMode !== 'followup') {
    drawBitmap(ui.after, res.a.bitmap, a.treatment ? `Projected result at week ${a.week}` : 'Your photo (no treatment chosen)', size);
  }
  drawBitmap(ui.planACanvas, res.a.bitmap, 'Plan A', size);
  res.a.bitmap.close();
  if (res.b) {
    drawBitmap(ui.planBCanvas, res.b.bitmap, 'Plan B', size);
    res.b.bitmap.close();
  }
  const end = performance.now();
  performance.measure('skin-preview:render', {
    start,
    end,
    detail: { worker: res.timings, week: a.week, planB: Boolean(b), preview },
  });
  workerMeasures('skin-preview:render', res.timings, start, end);
  if (!preview && firstFrame?.token === token) {
    performance.measure('skin-preview:projected', { start: firstFrame.chosen, end: performance.now(), detail: firstFrame.detail });
    firstFrame = null;
  }
  // A preview frame has no per-lesion visibility verdict: keep the last one until release.
  if (!preview) lastPlans = res;
  showPlans(res, { verdict: !preview });
}

function planName(id) {
  return profile.treatments.find((t) => t.id === id)?.name ?? 'No treatment';
}

function showPlans({ a, b }, { verdict = true } = {}) {
  renderEvidence(ui.evidenceBody, ui.risk, a, profile, coverage);
  // Visibility verdict for plan A.
  if (!verdict) {
    // Unchanged until the full-resolution frame.
  } else if (a.fractions) {
    const visible = a.changes.filter((c) => c.visible).length;
    ui.visibility.textContent =
      visible === 0
        ? 'Change not visible: at this week the simulated change is too small for the eye to see.'
        : `Visible change in ${visible} of ${a.changes.length} areas (compared with the photo).`;
    ui.visibility.dataset.visible = String(visible > 0);
  } else {
    ui.visibility.textContent = a.treatment
      ? 'No change is shown: there is no evidence to project for this plan.'
      : 'Choose a treatment under “Treatment preview” to see how it might change this photo.';
    delete ui.visibility.dataset.visible;
  }
  ui.plans.hidden = !b;
  ui.exportPlans.hidden = !b;
  if (b) {
    ui.planACaption.textContent = `Plan A: ${planName(a.treatment)}, week ${a.week}`;
    ui.planBCaption.textContent = `Plan B: ${planName(b.treatment)}, week ${b.week}`;
    planFacts(ui.planAFacts, a, profile);
    planFacts(ui.planBFacts, b, profile);
  }
}

function updateWeekLabel() {
  const week = Number(ui.week.value);
  const cov = profile ? coverageOf(coverage, ui.treatment.value, ui.concern.value) : null;
  const outcome = cov?.kind === 'evidence' ? cov.outcome : null;
  renderTicks(ui.ticks, outcome);
  const last = outcome?.points?.at(-1)?.week;
  const cited = outcome?.points?.some((p) => p.week === week);
  let text = `week ${week}`;
  if (outcome && last != null && week > last) text += ' (extrapolated)';
  else if (cited) text += ' (measured in studies)';
  ui.weekOut.textContent = text;
  ui.week.setAttribute('aria-valuetext', text);
}

function refreshTreatments() {
  fillTreatments(ui.treatment, profile, coverage, ui.concern.value, ui.treatment.value || saved.treatment, 'No treatment (photo as it is)');
  fillTreatments(ui.planB, profile, coverage, ui.concern.value, ui.planB.value || saved.planB, 'No plan B');
  updateWeekLabel();
}

/** Opens with a plan for what was found, so the week slider shows a change. */
function applyDefaultPlan() {
  const plan = defaultPlan(profile, report);
  if (!plan) return;
  ui.concern.value = plan.concern;
  refreshTreatments();
  ui.treatment.value = plan.treatment;
  updateWeekLabel();
}

function applyProfile(next, table, name) {
  profile = next;
  coverage = table;
  fillConcerns(ui.concern, profile, ui.concern.value || saved.concern);
  refreshTreatments();
  fillLabelSelect();
  ui.profileName.textContent = name ? `Using: ${name}` : `Using: ${profile.name}`;
}

ui.concern.addEventListener('change', () => {
  planChosen = true;
  refreshTreatments();
  saveSettings();
  requestRender();
});
for (const select of [ui.treatment, ui.planB, ui.scenario]) {
  select.addEventListener('change', () => {
    if (select === ui.treatment) planChosen = true;
    updateWeekLabel();
    saveSettings();
    requestRender();
  });
}
ui.week.addEventListener('input', () => {
  updateWeekLabel();
  requestRender(true);
});
ui.week.addEventListener('change', () => {
  requestRender();
  saveSettings();
});

// ---------------------------------------------------------------- profile, export, print

ui.profileInput.addEventListener('change', async () => {
  const file = ui.profileInput.files?.[0];
  ui.profileInput.value = '';
  if (!file) return;
  let text;
  try {
    text = await file.text();
  } catch {
    status.error(`${file.name} could not be read.`, shown);
    return;
  }
  status.loading(`Checking ${file.name}…`);
  try {
    const { profile: next, coverage: table } = await engine.request('profile', { json: text });
    applyProfile(next, table, file.name);
    await requestRender();
    status.ready(`Using the evidence profile from ${file.name}.`);
  } catch (err) {
    status.error(`${file.name} was not loaded: ${err.message || String(err)}`, shown);
  }
});
ui.profileReset.addEventListener('click', async () => {
  const { profile: next, coverage: table } = await engine.request('profile', { json: null });
  applyProfile(next, table, null);
  await requestRender();
  status.ready('Using the built-in evidence profile.');
});

const today = () => new Date().toISOString().slice(0, 10);
const scenarioName = () => ui.scenario.selectedOptions[0]?.textContent ?? ui.scenario.value;
const concernNameOf = (id) => profile.concerns.find((c) => c.id === id)?.name ?? '';

/** The watermark's closing lines: the consultant's labelled areas, if any. */
function labelLines() {
  const labels = maskEditor.labels;
  return labels.length ? [`Labelled areas: ${labelSummary(labels, profile)}`] : [];
}

/** Before and after of plan A at export size: decoded again at full size if the page shows less. */
async function exportFrames(a) {
  if (!reduced) return { before: ui.before, after: ui.after, close() {} };
  status.loading('Preparing the full-resolution picture…');
  const [{ bitmap: before }, { a: res }] = await Promise.all([
    engine.request('render', { projection: null, full: true }),
    engine.request('project', { a, full: true }),
  ]);
  return { before, after: res.bitmap, close: () => [before, res.bitmap].forEach((b) => b.close()) };
}

ui.exportBtn.addEventListener('click', async () => {
  if (!report) return;
  const a = planOf(ui.treatment.value);
  let frames;
  try {
    await rendering;
    frames = await exportFrames(a);
  } catch (err) {
    status.error(err.message || String(err), shown);
    return;
  }
  await exportPng({
    before: frames.before,
    after: frames.after,
    watermark: [
      `Skin preview simulation, not a guarantee`,
      `Plan: ${a.treatment ? planName(a.treatment) : 'none'} · ${concernNameOf(a.concern)}`,
      `Week ${a.week} · ${scenarioName()} scenario · ${today()}`,
      ...labelLines(),
    ],
  });
  frames.close();
  if (reduced) status.ready('The picture was saved to your downloads.');
});

ui.exportPlans.addEventListener('click', async () => {
  if (!report || !ui.planB.value) return;
  await rendering;
  if (!lastPlans?.b) return;
  let { a, b } = lastPlans;
  let left = ui.planACanvas;
  let right = ui.planBCanvas;
  if (reduced) {
    try {
      status.loading('Preparing the full-resolution picture…');
      const plan = ({ treatment, concern, week, scenario }) => ({ treatment, concern, week, scenario });
      ({ a, b } = await engine.request('project', { a: plan(a), b: plan(b), full: true }));
      [left, right] = [a.bitmap, b.bitmap];
    } catch (err) {
      status.error(err.message || String(err), shown);
      return;
    }
  }
  const side = (name, plan) => {
    const grade = plan.coverage?.kind === 'evidence' ? `${plan.coverage.outcome.grade} evidence` : 'no evidence to project';
    return [`${name}: ${planName(plan.treatment)} (${grade})`, `Week ${plan.week} · ${scenarioName()} scenario · ${today()}`];
  };
  await exportPair({
    left,
    right,
    leftLines: [...side('Plan A', a), `${concernNameOf(a.concern)}`],
    rightLines: [...side('Plan B', b), 'Skin preview simulation, not a guarantee', ...labelLines()],
    name: `skin-preview-plans-${today()}.png`,
  });
  if (reduced) [left, right].forEach((bm) => bm.close());
  status.ready('Plan A | plan B was saved to your downloads.');
});

$('export-strip').addEventListener('click', async () => {
  if (!report) return;
  await rendering;
  const token = latest;
  status.loading('Making the timeline…');
  const frames = [];
  try {
    for (const week of [0, 4, 12, 26]) {
      const { a } = await engine.request('project', { a: { ...planOf(ui.treatment.value), week }, full: reduced });
      frames.push({ bitmap: a.bitmap, label: week === 0 ? 'Week 0 (your photo)' : `Week ${week}` });
    }
    if (token !== latest) return;
    const a = planOf(ui.treatment.value);
    await exportStrip({
      frames,
      watermark: [
        `Skin preview simulation, not a guarantee`,
        `Plan: ${a.treatment ? planName(a.treatment) : 'none'} · ${concernNameOf(a.concern)}`,
        `${scenarioName()} scenario · ${today()}`,
        ...labelLines(),
      ],
    });
    status.ready('The timeline was saved to your downloads.');
  } catch (err) {
    status.error(err.message || String(err), shown);
  } finally {
    for (const f of frames) f.bitmap.close();
    // The worker's output now holds week 26: draw the current week again.
    requestRender();
  }
});
$('print').addEventListener('click', () => window.print());
$('forget').addEventListener('click', () => {
  labelSets = {};
  try {
    localStorage.removeItem(SETTINGS_KEY);
  } catch {
    // Nothing stored.
  }
  const kept = !$('forget-photo').hidden;
  status.ready(
    `Your saved settings and area labels are forgotten. ${kept ? 'The kept photo stays until you choose “Forget the kept photo”.' : 'Nothing else was stored.'}`,
  );
});

// ---------------------------------------------------------------- follow-up visits

const fu = {
  input: $('followup-input'),
  weeks: $('followup-weeks'),
  date: $('followup-date'),
  section: $('followup'),
  note: $('followup-status'),
  results: $('followup-results'),
  registration: $('followup-registration'),
  light: $('followup-light'),
  warnings: $('followup-warnings'),
  verdict: $('followup-verdict'),
  table: $('followup-table'),
  caption: $('followup-caption'),
  captionShown: $('followup-caption-shown'),
  keep: $('followup-keep'),
  exportBtn: $('followup-export'),
  visits: $('followup-visits'),
  visitsEmpty: $('visits-empty'),
  points: $('followup-points'),
  pointsCompare: $('points-compare'),
  modeRow: $('followup-mode-row'),
  modes: [...document.querySelectorAll('.mode')],
  changemap: $('followup-changemap'),
  changeCanvas: $('change-canvas'),
  beforeTag: $('before-tag'),
  afterTag: $('after-tag'),
};
fu.date.value = today();

/** "projection" (before | after) or "followup" (baseline | follow-up, registered). */
let compareMode = 'projection';
/** Follow-up requests: results of older ones are dropped. */
let followupLatest = 0;
/**
 * The follow-up on screen: { file, name, width, height, face, photo (canvas, as decoded),
 * registered and change (canvases in the baseline frame), report, points, plan, weeks }.
 */
let followupState = null;

const pointMarker = createPointMarker({
  canvases: { baseline: $('points-baseline'), followup: $('points-followup') },
  counts: { baseline: $('points-baseline-count'), followup: $('points-followup-count') },
  onChange: () => {
    fu.pointsCompare.disabled = !pointMarker.points();
  },
});

/** A canvas copy of a bitmap (kept while the bitmap is closed). */
function canvasOf(bitmap) {
  const c = document.createElement('canvas');
  c.width = bitmap.width;
  c.height = bitmap.height;
  c.getContext('2d').drawImage(bitmap, 0, 0);
  return c;
}

function setCompareMode(mode, { render = true } = {}) {
  const followup = mode === 'followup' && Boolean(followupState?.registered);
  compareMode = followup ? 'followup' : 'projection';
  for (const b of fu.modes) b.setAttribute('aria-checked', String(b.dataset.mode === compareMode));
  $('compare').dataset.mode = compareMode;
  fu.beforeTag.textContent = followup ? 'Baseline' : 'Before';
  fu.afterTag.textContent = followup ? 'Follow-up' : 'After';
  compare.setNames(followup ? 'baseline' : 'before', followup ? 'follow-up' : 'after');
  $('compare-title').textContent = followup ? 'Baseline and follow-up' : 'Before and after';
  if (followup) {
    drawBitmap(ui.after, followupState.registered, `Follow-up photo (${followupState.name}), aligned to the baseline and its light matched`, {
      width: ui.before.width,
      height: ui.before.height,
    });
  }
  drawChangeMap();
  if (!followup && render) requestRender();
}
for (const b of fu.modes) b.addEventListener('click', () => setCompareMode(b.dataset.mode));

function drawChangeMap() {
  const show = compareMode === 'followup' && fu.changemap.checked && followupState?.change;
  fu.changeCanvas.hidden = !show;
  if (show) drawBitmap(fu.changeCanvas, followupState.change, null, { width: ui.before.width, height: ui.before.height });
}
fu.changemap.addEventListener('change', () => showChangeMap());

/** The panel's own line about the last follow-up (null hides it); the error box says it too. */
function showFollowupNote(text) {
  fu.note.textContent = text ?? '';
  fu.note.hidden = !text;
}

/** Forgets the follow-up on screen (a new baseline, or a refused follow-up). */
function resetFollowup({ keepPhoto = false, render = false } = {}) {
  followupLatest += 1;
  if (!keepPhoto) followupState = null;
  else if (followupState) Object.assign(followupState, { report: null, registered: null, change: null });
  fu.results.hidden = true;
  fu.modeRow.hidden = true;
  if (!keepPhoto) {
    fu.points.hidden = true;
    showFollowupNote(null);
  }
  // A new baseline draws its own after side; a refused follow-up gives the projection back.
  if (compareMode === 'followup') setCompareMode('projection', { render });
  fu.section.classList.toggle('followup-empty', fu.visits.childElementCount === 0);
  delete document.body.dataset.followup;
}

/** The plan to hold the change against: plan A, when the profile has evidence for it. */
function followupPlan() {
  const treatment = ui.treatment.value;
  const concern = ui.concern.value;
  const weeks = Number(fu.weeks.value);
  if (!treatment || !concern || !Number.isFinite(weeks)) return null;
  if (coverageOf(coverage, treatment, concern)?.kind !== 'evidence') return null;
  return { treatment, concern, weeks: Math.max(0, Math.min(104, weeks)) };
}

async function addFollowup(file, { points = null, chosen = performance.now() } = {}) {
  const name = file.name || 'Follow-up photo';
  if (!report) {
    status.error('Wait until the baseline photo is analysed, then add the follow-up photo.', shown);
    return;
  }
  const token = ++followupLatest;
  const baseline = latest;
  status.loading(`Reading the follow-up photo ${name}…`);
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    status.error(`${name} could not be read. Please choose the follow-up photo again.`, shown);
    return;
  }
  let dec;
  try {
    dec = await timed('followup:decode', engine.request('followup-decode', { bytes, mime: file.type, name }, [bytes]));
  } catch (err) {
    if (token === followupLatest) {
      resetFollowup({ render: true });
      document.body.dataset.followup = 'refused';
      showFollowupNote(`Not compared: ${err.message || String(err)} The baseline and its analysis are unchanged.`);
      status.error(`The follow-up photo was not used: ${err.message || String(err)}`, shown);
    }
    return;
  }
  if (token !== followupLatest || baseline !== latest) {
    dec.bitmap.close();
    return;
  }
  const photo = canvasOf(dec.bitmap);
  dec.bitmap.close();
  followupState = { file, name, width: dec.width, height: dec.height, face: dec.face, photo, report: null, points };
  pointMarker.setImage('baseline', { source: ui.before, width: ui.before.width, height: ui.before.height });
  pointMarker.setImage('followup', { source: photo, width: photo.width, height: photo.height });
  await compareFollowup({ chosen, points });
}

async function compareFollowup({ chosen = null, points = followupState?.points ?? null } = {}) {
  if (!followupState) return;
  const token = ++followupLatest;
  const plan = followupPlan();
  const weeks = Number(fu.weeks.value);
  status.loading(`Aligning ${followupState.name} to the baseline and measuring the change…`);
  let res;
  try {
    res = await timed('followup:compare', engine.request('followup-compare', { points, plan }));
  } catch (err) {
    if (token !== followupLatest) return;
    resetFollowup({ keepPhoto: true, render: true });
    document.body.dataset.followup = 'refused';
    // Without a face, three marked points do instead.
    let message = err.message || String(err);
    if (err.code === 'no-face' || err.code === 'bad-points') {
      fu.points.hidden = false;
      fu.points.scrollIntoView({ block: 'nearest' });
      // The engine's message names the CLI's --points; here the points are marked below.
      if (err.code === 'no-face') {
        const which = /on the (\S+) photo/.exec(message)?.[1] ?? 'one';
        message = `No face was found on the ${which} photo, so the photos cannot be aligned by themselves. Mark three matching points on both photos below, then press “Compare with these points”.`;
      }
    }
    showFollowupNote(`Not compared: ${message} The baseline and its analysis are unchanged.`);
    status.error(message, shown);
    return;
  }
  if (token !== followupLatest || !followupState) return;
  Object.assign(followupState, { report: res.report, registered: null, change: null, points, plan, weeks });
  showFollowupNote(null);
  renderComparison(
    { registration: fu.registration, light: fu.light, warnings: fu.warnings, verdict: fu.verdict, table: fu.table, caption: fu.caption, captionShown: fu.captionShown },
    res.report,
    { planName: plan ? planName(plan.treatment) : null, weeks },
  );
  fu.results.hidden = false;
  fu.points.hidden = res.report.registration.method !== 'points';
  fu.section.classList.remove('followup-empty');
  if (chosen != null) {
    performance.measure('followup: chosen → compared', {
      start: chosen,
      end: performance.now(),
      detail: { name: followupState.name, width: followupState.width, height: followupState.height, lesions: res.report.lesions.length },
    });
  }
  // The table first; then the registered follow-up for the compare view.
  status.loading(`Drawing ${followupState.name} in the baseline's frame…`);
  const registered = await followupImage('registered', token);
  if (!registered) return;
  fu.modeRow.hidden = false;
  setCompareMode('followup');
  if (fu.changemap.checked) await showChangeMap();
  document.body.dataset.followup = 'compared';
  status.ready(`Compared the follow-up ${followupState.name} with ${shown}.`);
}

/** One image of the comparison on screen (kept on followupState), or null if it went stale. */
async function followupImage(which, token = followupLatest) {
  if (followupState?.[which]) return followupState[which];
  let res;
  try {
    res = await timed(`followup:${which}`, engine.request('followup-image', { which }));
  } catch (err) {
    if (token === followupLatest) status.error(err.message || String(err), shown);
    return null;
  }
  if (token !== followupLatest || !followupState?.report) {
    res.bitmap.close();
    return null;
  }
  followupState[which] = canvasOf(res.bitmap);
  res.bitmap.close();
  return followupState[which];
}

/** Draws the change map over the follow-up, rendering it on first use. */
async function showChangeMap() {
  if (fu.changemap.checked && compareMode === 'followup' && !followupState?.change) await followupImage('change');
  drawChangeMap();
}

fu.input.addEventListener('change', () => {
  const file = fu.input.files?.[0];
  fu.input.value = '';
  if (file) addFollowup(file);
});
fu.pointsCompare.addEventListener('click', () => {
  const points = pointMarker.points();
  if (points && followupState) compareFollowup({ points });
});
$('points-clear').addEventListener('click', () => pointMarker.clear());
// A new week or plan: measured again against it (the registration is the engine's, again).
fu.weeks.addEventListener('change', () => {
  if (followupState?.report) compareFollowup();
});
for (const select of [ui.treatment, ui.concern]) {
  select.addEventListener('change', () => {
    if (followupState?.report) compareFollowup();
  });
}

/** The visit's facts for the store, the list and the printed summary. */
function visitResult(r) {
  return {
    pigment: r.summary.pigment_fraction_removed,
    redness: r.summary.redness_fraction_removed,
    texture: r.summary.texture_fraction_removed,
    verdict: r.projection?.verdict ?? null,
    residual_px: r.registration.residual_px,
    method: r.registration.method,
    lesions: r.summary.lesions_measured,
  };
}

async function refreshVisits() {
  const visits = await keptVisits();
  renderVisits(fu.visits, fu.visitsEmpty, visits, {
    onOpen: (v) => {
      fu.weeks.value = String(v.weeks);
      fu.date.value = v.date;
      addFollowup(new File([v.photo.blob], v.photo.name, { type: v.photo.type }), { points: v.points ?? null });
    },
    onDelete: async (v) => {
      try {
        await forgetVisit(v.id);
      } catch {
        status.error('This browser would not delete the visit (storage may be off).', shown);
        return;
      }
      await refreshVisits();
      status.ready(`The visit of ${v.date} is deleted from this device.`);
    },
  });
  fu.section.classList.toggle('followup-empty', visits.length === 0 && !followupState?.report);
  return visits;
}

fu.keep.addEventListener('click', async () => {
  const f = followupState;
  if (!f?.report) return;
  try {
    await keepVisit({
      date: fu.date.value || today(),
      weeks: f.weeks,
      baselineName: shown,
      plan: f.plan,
      planName: f.plan ? planName(f.plan.treatment) : null,
      points: f.points,
      photo: { name: f.file.name || 'Follow-up photo', type: f.file.type, blob: f.file },
      result: visitResult(f.report),
    });
  } catch {
    status.error('This browser would not keep the visit (storage may be off).', shown);
    return;
  }
  await refreshVisits();
  status.ready(`The visit of ${fu.date.value || today()} is kept on this device (in this browser) until you delete it.`);
});

fu.exportBtn.addEventListener('click', async () => {
  const f = followupState;
  if (!f?.report) return;
  await rendering;
  const registered = await followupImage('registered');
  if (!registered) return;
  const weeks = f.weeks;
  const plan = f.plan;
  let projected = null;
  try {
    if (plan) {
      status.loading(`Projecting week ${weeks} for the picture…`);
      const { a } = await engine.request('project', {
        a: { treatment: plan.treatment, concern: plan.concern, week: weeks, scenario: 'typical' },
      });
      projected = canvasOf(a.bitmap);
      a.bitmap.close();
    }
  } catch (err) {
    status.error(err.message || String(err), shown);
    return;
  }
  const r = f.report;
  const measured = [
    ['pigment', r.summary.pigment_fraction_removed],
    ['redness', r.summary.redness_fraction_removed],
    ['relief', r.summary.texture_fraction_removed],
  ]
    .filter(([, v]) => v != null)
    .map(([n, v]) => `${n} ${percent(v)} removed`)
    .join(', ');
  const date = fu.date.value || today();
  await exportVisit({
    panels: [
      { image: ui.before, label: `Baseline · ${shown}` },
      { image: registered, label: `Follow-up ${date}, aligned to the baseline · week ${weeks}` },
      {
        image: projected ?? ui.before,
        label: plan ? `Projected at week ${weeks} (typical)` : 'No plan with evidence chosen: no projection',
      },
    ],
    watermark: [
      'Skin preview: measured change and a simulation, not a guarantee',
      plan ? `Plan: ${planName(plan.treatment)} · ${concernNameOf(plan.concern)} · week ${weeks}` : 'Plan: none',
      `Measured: ${measured || 'no area measured'}`,
      describeRegistration(r),
      describeLight(r),
      ...(plan ? [describeVerdict(r, { planName: planName(plan.treatment), weeks })] : []),
      `Saved ${today()}`,
    ],
    name: `skin-preview-visit-${date}.png`,
  });
  status.ready('Baseline | follow-up | projected was saved to your downloads.');
});

// ---------------------------------------------------------------- start

async function analyseFile(file, { kept = false } = {}) {
  const chosen = performance.now();
  const name = file.name || 'Pasted photo';
  currentFile = file;
  updateKeep(kept);
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    status.error(`${name} could not be read. Please choose the photo again.`);
    return;
  }
  await analyse(bytes, { name, mime: file.type, chosen });
}

function updateKeep(kept) {
  $('keep-photo').hidden = !currentFile || kept;
  $('forget-photo').hidden = !kept;
  $('kept-note').textContent = kept ? 'This photo is kept on this device (in this browser) until you forget it.' : '';
}
$('keep-photo').addEventListener('click', async () => {
  if (!currentFile) return;
  try {
    await keepPhoto({ name: currentFile.name || 'Kept photo', type: currentFile.type, blob: currentFile });
    updateKeep(true);
  } catch {
    status.error('This browser would not keep the photo (storage may be off).', shown);
  }
});
$('forget-photo').addEventListener('click', async () => {
  await forgetPhoto().catch(() => {});
  updateKeep(false);
  $('kept-note').textContent = 'The kept photo is deleted from this device.';
});

/** The sample's bytes and type (fetched while the analyser loads). */
async function fetchSample() {
  const response = await fetch(SAMPLE.url);
  if (!response.ok) throw new Error(`The sample photo could not be loaded (${response.status}).`);
  return { bytes: await response.arrayBuffer(), mime: response.headers.get('Content-Type') ?? '' };
}

async function loadSample(fetched = fetchSample()) {
  const chosen = performance.now();
  currentFile = null;
  updateKeep(false);
  status.loading('Loading the sample photo…');
  const { bytes, mime } = await fetched;
  await analyse(bytes, { name: SAMPLE.name, mime, chosen });
}

function restoreControls() {
  if (['low', 'typical', 'high'].includes(saved.scenario)) ui.scenario.value = saved.scenario;
  if (Number.isFinite(saved.week)) ui.week.value = String(saved.week);
}

async function start() {
  attachPhotoSources({ input: ui.input, onPhoto: analyseFile });
  attachCamera({
    button: $('camera-live'),
    dialog: $('camera-dialog'),
    video: $('camera-video'),
    shoot: $('camera-shoot'),
    cancel: $('camera-cancel'),
    onPhoto: analyseFile,
    onError: (message) => status.error(message, shown),
  });
  ui.camera.addEventListener('change', () => {
    const file = ui.camera.files?.[0];
    ui.camera.value = '';
    if (file) analyseFile(file);
  });
  restoreControls();
  status.loading('Loading the analyser…');
  // The first photo is looked up and fetched while the analyser compiles.
  const keptLookup = keptPhoto();
  const sample = fetchSample();
  keptLookup.catch(() => {});
  sample.catch(() => {});
  try {
    const init = timed('skin-preview:init', engine.request('init'));
    const profiled = timed('skin-preview:profile', engine.request('profile', { json: null }));
    await init;
    const { profile: builtin, coverage: table } = await profiled;
    applyProfile(builtin, table, null);
    // A photo chosen while the analyser was loading wins over the sample.
    if (latest === 0) {
      const kept = await keptLookup;
      if (kept?.blob) await analyseFile(new File([kept.blob], kept.name, { type: kept.type }), { kept: true });
      else await loadSample(sample);
    }
  } catch (err) {
    status.error(err.message || String(err));
  }
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker
    .register('sw.js', { scope: './' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      document.documentElement.dataset.offline = 'ready';
    })
    .catch((err) => console.warn('skin-preview: offline support is unavailable', err));
}

// Hooks for the end-to-end tests, only when asked for in the URL (?test-hooks).
if (new URLSearchParams(location.search).has('test-hooks')) {
  window.skinPreviewTest = {
    trap: () => engine.request('debug-trap'),
    render: (params) => engine.request('render', { projection: params ?? null }),
    rendered: () => rendering ?? Promise.resolve(),
    mask: () => maskEditor.mask,
    labels: () => maskEditor.labels,
    profile: () => profile,
    report: () => report,
    followup: () => followupState?.report ?? null,
    visits: () => keptVisits(),
  };
}

registerServiceWorker();
start();
refreshVisits();
