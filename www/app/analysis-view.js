// The analysis view: scores from the engine's report, the list of areas found, and the
// tinted overlays (pigment, redness, texture) drawn from the engine's grayscale maps.
// Every string goes in with textContent (via el()), never as HTML.

import { labToHex } from './scores-view.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children.filter((c) => c != null));
  return node;
}

const fmt1 = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const signed = (x) => fmt1.format(x).replace('-', '−');
const pct = (x) => `${fmt1.format(x)}%`;

const ITA_SCALE = [
  ['very-light', 'very light'],
  ['light', 'light'],
  ['intermediate', 'intermediate'],
  ['tan', 'tan'],
  ['brown', 'brown'],
  ['dark', 'dark'],
];

const KIND_NAMES = {
  pigment: 'Darker patch (pigment)',
  redness: 'Red area',
  pit: 'Dip in the surface (scar or pore)',
  raised: 'Raised area',
};

function item(term, ...value) {
  return el('div', {}, el('dt', {}, term), el('dd', {}, ...value));
}

/** Replaces `root` with the report's scores. */
export function renderReport(root, report) {
  // No skin found: there is no skin colour or ITA° to show.
  const lab = report.skin_lab;
  let colour = 'Not measured (no skin found)';
  if (lab) {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = labToHex(lab);
    colour = el(
      'span',
      { class: 'swatch-row' },
      swatch,
      el(
        'span',
        {},
        el('span', { class: 'lab-part' }, `L* ${fmt1.format(lab.l)}`),
        el('span', { class: 'lab-part' }, `a* ${signed(lab.a)}`),
        el('span', { class: 'lab-part' }, `b* ${signed(lab.b)}`),
      ),
    );
  }
  const label = report.ita_label ?? '';
  const grid = el(
    'dl',
    { class: 'score-grid' },
    item('Skin colour (CIELAB)', colour),
    item(
      'Skin tone (ITA°)',
      report.ita == null ? 'Not measured' : `${signed(report.ita)}° · ${label.charAt(0).toUpperCase()}${label.slice(1)}`,
    ),
    item('Skin found', report.skin_found ? `${fmt1.format(report.skin_area_percent)}% of the photo` : 'No skin found'),
    item(
      'Area affected',
      el(
        'span',
        { class: 'affected' },
        el('span', {}, `pigment ${pct(report.affected_percent.pigment)}`),
        el('span', {}, `redness ${pct(report.affected_percent.redness)}`),
        el('span', {}, `texture ${pct(report.affected_percent.texture)}`),
      ),
    ),
    item(
      'aMASI-like score (not mMASI)',
      `${fmt1.format(report.a_masi_like)}`,
      el('span', { class: 'dd-note' }, 'an area × darkness index from this photo; not a clinical mMASI'),
    ),
  );
  const scale = el('ol', { class: 'ita-scale', 'aria-label': 'ITA° categories, lightest to darkest' });
  for (const [key, name] of ITA_SCALE) {
    const li = el('li', {}, name);
    if (key === report.ita_category) li.setAttribute('aria-current', 'true');
    scale.append(li);
  }
  const light = report.lighting ?? {};
  const notes = [...(light.notes ?? [])];
  if (light.too_dark) notes.unshift('The photo is too dark for a reliable reading; use more light.');
  if (light.clipped_highlights) notes.unshift('Parts of the photo are over-exposed (pure white); those areas are not measured.');
  const caveat = el('ul', { class: 'lighting-notes' }, ...notes.map((n) => el('li', {}, n)));
  root.replaceChildren(grid, scale, notes.length ? el('p', { class: 'h4' }, 'About the light') : null, notes.length ? caveat : null);
  if (report.ita_category) root.dataset.category = report.ita_category;
  else delete root.dataset.category;
}

/** Fills the lesion list; `onSelect(lesion)` when one is chosen. */
export function renderLesions(list, lesions, onSelect) {
  const sorted = [...lesions].sort((a, b) => b.area_px - a.area_px).slice(0, 30);
  if (!sorted.length) {
    list.replaceChildren(el('li', { class: 'muted' }, 'No distinct areas were found.'));
    return;
  }
  list.replaceChildren(
    ...sorted.map((lesion) => {
      const button = el(
        'button',
        { type: 'button', class: `lesion lesion-${lesion.kind}`, 'data-lesion': String(lesion.id) },
        el('span', { class: `chip chip-${lesion.kind === 'pit' || lesion.kind === 'raised' ? 'texture' : lesion.kind}`, 'aria-hidden': 'true' }),
        el('span', { class: 'lesion-name' }, KIND_NAMES[lesion.kind] ?? String(lesion.kind)),
        el(
          'span',
          { class: 'lesion-facts' },
          `${fmt1.format(lesion.area_percent)}% of skin · contrast ΔE ${fmt1.format(lesion.delta_e00)}`,
        ),
      );
      button.addEventListener('click', () => onSelect(lesion, button));
      return el('li', {}, button);
    }),
  );
}

const TINTS = {
  pigment: [120, 60, 20],
  redness: [220, 30, 60],
  texture: [40, 90, 220],
};

/** Draws the chosen maps (name → Uint8Array w×h) tinted and semi-transparent. */
export function drawOverlays(canvas, maps, names, width, height) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  if (!maps || !names.length) return;
  const img = ctx.createImageData(width, height);
  const d = img.data;
  for (const name of names) {
    const map = maps[name];
    const [r, g, b] = TINTS[name];
    if (!map || map.length !== width * height) continue;
    for (let i = 0; i < map.length; i++) {
      const v = map[i];
      if (!v) continue;
      const a = v * 0.6;
      const j = i * 4;
      if (a > d[j + 3]) {
        d[j] = r;
        d[j + 1] = g;
        d[j + 2] = b;
        d[j + 3] = a;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}
