// The colour summary: mean CIELAB, a swatch of that colour, and ITA° with its category.

const ITA_SCALE = [
  ['very-light', 'very light', '> 55°'],
  ['light', 'light', '41–55°'],
  ['intermediate', 'intermediate', '28–41°'],
  ['tan', 'tan', '10–28°'],
  ['brown', 'brown', '−30–10°'],
  ['dark', 'dark', '≤ −30°'],
];

const fmt1 = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const signed = (x) => fmt1.format(x).replace('-', '−');

/** CIELAB (D65) → sRGB hex, for the swatch. */
export function labToHex({ l, a, b }) {
  const fy = (l + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const inv = (t) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));
  const [x, y, z] = [0.95047 * inv(fx), inv(fy), 1.08883 * inv(fz)];
  const lin = [
    3.2404548 * x - 1.5371389 * y - 0.4985315 * z,
    -0.9692664 * x + 1.8760109 * y + 0.0415561 * z,
    0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
  ];
  const enc = (c) => {
    const v = Math.min(1, Math.max(0, c));
    const s = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
    return Math.round(s * 255).toString(16).padStart(2, '0');
  };
  return `#${lin.map(enc).join('')}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function item(term, ...value) {
  return el('div', {}, el('dt', {}, term), el('dd', {}, ...value));
}

/** Replaces the contents of `root` with the summary ({ mean_lab, ita, ita_category, ita_label }). */
export function renderScores(root, summary) {
  const { mean_lab: lab, ita, ita_category: category, ita_label: label } = summary;
  const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  swatch.style.backgroundColor = labToHex(lab);
  const labText = [
    el('span', { class: 'lab-part' }, `L* ${fmt1.format(lab.l)}`),
    el('span', { class: 'lab-part' }, `a* ${signed(lab.a)}`),
    el('span', { class: 'lab-part' }, `b* ${signed(lab.b)}`),
  ];
  const grid = el(
    'dl',
    { class: 'score-grid' },
    item('Mean colour (CIELAB)', el('span', { class: 'swatch-row' }, swatch, el('span', {}, ...labText))),
    item('Individual typology angle (ITA°)', `${signed(ita)}°`),
    item('Skin tone category', label.charAt(0).toUpperCase() + label.slice(1)),
  );
  const scale = el('ol', { class: 'ita-scale', 'aria-label': 'ITA° categories, lightest to darkest' });
  for (const [key, name, range] of ITA_SCALE) {
    const li = el('li', { title: `${name}: ITA ${range}` }, name);
    if (key === category) li.setAttribute('aria-current', 'true');
    scale.append(li);
  }
  root.replaceChildren(grid, scale);
  root.dataset.category = category;
}
