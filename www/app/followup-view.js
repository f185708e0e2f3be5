// The follow-up view: the engine's Comparison as text and a per-lesion table (measured
// change against the plan's band), the kept visits as a list, and the three-point marker
// for photos without a face. Every string goes in with textContent (via el()).

import { el } from './analysis-view.js';

const KIND_NAMES = {
  pigment: 'Darker patch',
  redness: 'Red area',
  pit: 'Dip (scar)',
  raised: 'Raised area',
};
const CHANNEL_NAMES = { pigment: 'pigment', redness: 'redness', texture: 'relief' };
const VERDICT_NAMES = {
  below: 'below the band',
  within: 'within the band',
  above: 'above the band',
};

const fmt0 = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const fmt1 = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmt2 = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const minus = (s) => (/^-0(\.0+)?$/.test(s) ? s.slice(1) : s.replace('-', '−'));
/** A fraction (0..1) as a percentage; negative = grew. */
export const percent = (f) => (f == null ? '—' : minus(`${fmt0.format(Math.round(f * 100))}%`));
/** A measured fraction with its standard error ("45% ± 4%"), which the photos' own noise sets. */
const withError = (f, se) => (se == null ? percent(f) : `${percent(f)} ± ${fmt0.format(Math.round(se * 100))}%`);
const num1 = (x) => (x == null ? '—' : minus(fmt1.format(x)));
const px = (x) => (x == null ? '—' : `${fmt0.format(x)} px`);

/** Where `measured` falls in [low, high]: the engine's rule (followup::verdict::Verdict::of). */
function place(measured, band) {
  if (measured == null || !band) return null;
  if (measured < band.low) return 'below';
  if (measured > band.high) return 'above';
  return 'within';
}

/** "Aligned by …" and "Light …" lines, for the page and the printed summary. */
export function describeRegistration(report) {
  const r = report.registration;
  const how = r.method === 'points' ? 'the three marked points' : 'the face mesh';
  const extra = [
    `scale ${fmt2.format(r.scale)}×`,
    `turned ${minus(fmt1.format(r.rotation_deg))}°`,
    r.mesh_warp ? 'with the mesh warp for a change of expression' : null,
    r.refined ? null : 'image refinement did not converge, the landmark map is used',
  ].filter(Boolean);
  return `Aligned by ${how}: residual ${fmt1.format(r.residual_px)} px at the ${r.method === 'points' ? 'points' : 'landmarks'} (${extra.join(', ')}).`;
}

export function describeLight(report) {
  const p = report.photometric;
  const ev = p.exposure_ev;
  const how = Math.abs(ev) < 0.05 ? 'about as bright as' : `${fmt1.format(Math.abs(ev))} EV ${ev > 0 ? 'darker' : 'brighter'} than`;
  return `Light matched: the follow-up was ${how} the baseline; gains R ${fmt2.format(p.gain[0])}, G ${fmt2.format(p.gain[1])}, B ${fmt2.format(p.gain[2])} (over ${fmt0.format(p.pixels)} skin samples).`;
}

/** The projection's summary line: the main channel's verdict, or why there is none. */
export function describeVerdict(report, { planName, weeks }) {
  const p = report.projection;
  if (!p) return planName ? `No evidence to compare with for ${planName}.` : 'Choose a treatment under “Treatment preview” to compare the change with what the studies report.';
  const main = p.channels.find((c) => c.channel === p.channel);
  if (!main) return `${planName} at week ${weeks}: none of the areas it acts on could be measured.`;
  return `${planName} at week ${weeks}, ${CHANNEL_NAMES[main.channel]}: measured ${percent(main.measured)} removed; the studies' band is ${percent(main.low)} to ${percent(main.high)} (typical ${percent(main.typical)}), so the measurement is ${VERDICT_NAMES[main.verdict]}${p.extrapolated ? ' (past the last cited week: extrapolated)' : ''}.`;
}

/** Fills the results block from the engine's Comparison. */
export function renderComparison(ui, report, { planName = null, weeks }) {
  ui.registration.textContent = describeRegistration(report);
  ui.light.textContent = describeLight(report);
  const warnings = [...report.photometric.warnings, ...report.warnings];
  ui.warnings.replaceChildren(...warnings.map((w) => el('li', {}, w)));
  ui.warnings.hidden = warnings.length === 0;
  ui.verdict.textContent = describeVerdict(report, { planName, weeks });
  ui.verdict.dataset.verdict = report.projection?.verdict ?? 'none';

  const bands = new Map((report.projection?.channels ?? []).map((c) => [c.channel, c]));
  const plan = report.projection ? ` with ${planName} at week ${weeks}` : '';
  ui.caption.textContent = ui.captionShown.textContent = `Each area found on the baseline, measured again on the follow-up${plan}. ${
    report.projection ? 'This compares the measurement with what the cited studies reported; it is not a judgement of the treatment.' : ''
  }`.trim();
  const head = ['Area', 'Size, baseline → follow-up', 'Contrast ΔE00, baseline → follow-up', 'Removed (measured ± standard error)'];
  if (report.projection) head.push(`Studies' band at week ${weeks} (low / typical / high)`, 'Measured vs band');
  ui.table.tHead.replaceChildren(el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))));
  const rows = report.lesions.map((l) => {
    const band = bands.get(l.channel);
    const verdict = place(l.fraction_removed, band);
    const cells = [
      el('th', { scope: 'row' }, `${l.id + 1}. ${KIND_NAMES[l.kind] ?? l.kind}`),
      el('td', {}, `${px(l.area_px_baseline)} → ${px(l.area_px_followup)}`),
      el('td', {}, `${num1(l.contrast_de00_baseline)} → ${num1(l.contrast_de00_followup)}`),
      el('td', { class: 'num' }, l.fraction_removed == null ? `not measured${l.note ? `: ${l.note}` : ''}` : withError(l.fraction_removed, l.fraction_removed_se)),
    ];
    if (report.projection) {
      cells.push(
        el('td', {}, band ? `${percent(band.low)} / ${percent(band.typical)} / ${percent(band.high)}` : 'the plan does not act on this'),
        el('td', { class: verdict ? `verdict verdict-${verdict}` : '' }, verdict ? VERDICT_NAMES[verdict] : '—'),
      );
    }
    const tr = el('tr', { 'data-lesion': String(l.id), 'data-kind': l.kind }, ...cells);
    if (l.fraction_removed != null) tr.dataset.fraction = String(l.fraction_removed);
    if (verdict) tr.dataset.verdict = verdict;
    return tr;
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: String(head.length) }, 'No areas were found on the baseline to measure.')));
  ui.table.tBodies[0].replaceChildren(...rows);
}

/** The kept visits, by date, each with "Open" and "Delete". */
export function renderVisits(list, empty, visits, { onOpen, onDelete }) {
  list.replaceChildren(
    ...visits.map((v) => {
      const r = v.result;
      const facts = [
        `${v.date}`,
        `${v.weeks} weeks after the baseline`,
        v.planName ? `against ${v.planName}` : null,
        r?.pigment == null ? null : `pigment ${percent(r.pigment)} removed`,
        r?.redness == null ? null : `redness ${percent(r.redness)} removed`,
        r?.texture == null ? null : `relief ${percent(r.texture)} removed`,
        r?.verdict ? VERDICT_NAMES[r.verdict] : null,
      ].filter(Boolean);
      const open = el('button', { type: 'button', class: 'tool visit-open', 'data-testid': 'visit-open' }, 'Compare again');
      open.setAttribute('aria-label', `Compare the visit of ${v.date} again`);
      open.addEventListener('click', () => onOpen(v));
      const del = el('button', { type: 'button', class: 'tool visit-delete', 'data-testid': 'visit-delete' }, 'Delete');
      del.setAttribute('aria-label', `Delete the visit of ${v.date}`);
      del.addEventListener('click', () => onDelete(v));
      return el(
        'li',
        { class: 'visit', 'data-testid': 'visit', 'data-date': String(v.date) },
        el('span', { class: 'visit-facts' }, facts.join(' · ')),
        el('span', { class: 'visit-actions' }, open, del),
      );
    }),
  );
  empty.hidden = visits.length > 0;
}

/**
 * Three matching points on each photo: click (or arrows + Enter) on a canvas showing the
 * photo; `onChange(points)` gets { baseline: [[x, y]…], followup: [[x, y]…] } in photo pixels.
 */
export function createPointMarker({ canvases, counts, onChange }) {
  const state = { baseline: [], followup: [] };
  const images = { baseline: null, followup: null };
  const cursor = { baseline: null, followup: null };
  const colours = ['#e6194b', '#3cb44b', '#4363d8'];

  function draw(which) {
    const c = canvases[which];
    const img = images[which];
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    if (!img) return;
    ctx.drawImage(img.source, 0, 0, c.width, c.height);
    const k = c.width / img.width;
    const r = Math.max(5, c.width / 60);
    state[which].forEach(([x, y], i) => {
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.arc(x * k, y * k, r, 0, Math.PI * 2);
      ctx.stroke();
      ctx.lineWidth = 2;
      ctx.strokeStyle = colours[i];
      ctx.stroke();
      ctx.fillStyle = colours[i];
      ctx.font = `bold ${Math.round(r * 2.2)}px system-ui, sans-serif`;
      ctx.fillText(String(i + 1), x * k + r + 2, y * k - r);
    });
    const at = cursor[which];
    if (at && document.activeElement === c) {
      ctx.strokeStyle = '#ff0';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(at[0] * k - r * 2, at[1] * k);
      ctx.lineTo(at[0] * k + r * 2, at[1] * k);
      ctx.moveTo(at[0] * k, at[1] * k - r * 2);
      ctx.lineTo(at[0] * k, at[1] * k + r * 2);
      ctx.stroke();
    }
    counts[which].textContent = String(state[which].length);
  }

  function mark(which, x, y) {
    const pts = state[which];
    if (pts.length >= 3) pts.shift();
    pts.push([x, y]);
    draw(which);
    onChange(state);
  }

  for (const which of ['baseline', 'followup']) {
    const c = canvases[which];
    c.addEventListener('click', (event) => {
      const img = images[which];
      if (!img) return;
      const rect = c.getBoundingClientRect();
      mark(which, ((event.clientX - rect.left) / rect.width) * img.width, ((event.clientY - rect.top) / rect.height) * img.height);
    });
    c.addEventListener('focus', () => {
      const img = images[which];
      if (img && !cursor[which]) cursor[which] = [img.width / 2, img.height / 2];
      draw(which);
    });
    c.addEventListener('blur', () => draw(which));
    c.addEventListener('keydown', (event) => {
      const img = images[which];
      if (!img) return;
      const step = (event.shiftKey ? 0.1 : 0.02) * Math.max(img.width, img.height);
      const at = cursor[which] ?? [img.width / 2, img.height / 2];
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (event.key in moves) {
        event.preventDefault();
        const [dx, dy] = moves[event.key];
        cursor[which] = [Math.min(img.width - 1, Math.max(0, at[0] + dx)), Math.min(img.height - 1, Math.max(0, at[1] + dy))];
        draw(which);
      } else if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        mark(which, at[0], at[1]);
      }
    });
  }

  return {
    state,
    /** Shows a photo ({ source: canvas or bitmap, width, height } in photo pixels) to mark on. */
    setImage(which, image) {
      images[which] = image;
      const c = canvases[which];
      const w = Math.min(480, image.width);
      c.width = Math.round(w);
      c.height = Math.round((w * image.height) / image.width);
      draw(which);
    },
    clear() {
      state.baseline = [];
      state.followup = [];
      draw('baseline');
      draw('followup');
      onChange(state);
    },
    /** Twelve numbers, baseline first, or null until both photos have three points. */
    points() {
      if (state.baseline.length !== 3 || state.followup.length !== 3) return null;
      return [...state.baseline.flat(), ...state.followup.flat()];
    },
  };
}
