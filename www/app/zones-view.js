// Face zones: the overlay drawn from the engine's zone map, and the per-zone scores.
//
// The zone map is one grey level per zone (src/skin/face/zones.rs): 0 none, 40 forehead,
// 80 left cheek, 120 right cheek, 160 nose, 200 chin, 240 around the mouth; "left" and
// "right" are the person's own, so the left cheek is on the image's right.

/** Overlay colour per zone grey level. */
const ZONE_TINTS = new Map([
  [40, [255, 214, 0]],
  [80, [0, 150, 255]],
  [120, [0, 200, 120]],
  [160, [230, 0, 230]],
  [200, [255, 120, 0]],
  [240, [220, 40, 40]],
]);

/** Draws the zones over whatever `canvas` already shows (the other overlays). */
export function drawZones(canvas, zones, on) {
  const { width, height } = canvas;
  if (!on || !zones || zones.length !== width * height) return;
  const ctx = canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, width, height);
  const d = img.data;
  for (let i = 0; i < zones.length; i++) {
    const tint = ZONE_TINTS.get(zones[i]);
    if (!tint) continue;
    const j = i * 4;
    // Zones sit under the lesion tints: blend in where another overlay already drew.
    const a = 0.35;
    const keep = d[j + 3] / 255;
    for (let c = 0; c < 3; c++) d[j + c] = keep ? d[j + c] * keep + tint[c] * (1 - keep) : tint[c];
    d[j + 3] = Math.max(d[j + 3], a * 255);
  }
  ctx.putImageData(img, 0, 0);
}

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

const pct = (v) => `${v.toFixed(1)}%`;

/** Appends the per-zone scores (or why there are none) to the scores panel. */
export function renderZoneScores(container, report) {
  container.querySelector('[data-testid="zone-scores"]')?.remove();
  const box = document.createElement('div');
  box.className = 'zone-scores';
  box.dataset.testid = 'zone-scores';
  box.append(cell('h3', 'By facial zone'));
  box.append(cell('p', 'Left and right are the person’s own: their left cheek is on the right of the photo.'));
  box.lastChild.className = 'hint small';
  box.append(cell('p', `Skin area: ${report.mask_source ?? 'colour only'}.`));
  const face = report.face;
  if (!face) {
    box.lastChild.className = 'muted small';
    container.append(box);
    return;
  }
  const table = document.createElement('table');
  table.className = 'zone-table';
  const head = document.createElement('tr');
  for (const h of ['Zone', 'Pigment', 'Redness', 'Texture', 'ΔE00', 'aMASI-like']) head.append(cell('th', h));
  table.append(head);
  for (const z of face.zones) {
    const row = document.createElement('tr');
    row.dataset.zone = z.zone;
    const a = z.affected_percent;
    row.append(
      cell('th', z.name),
      cell('td', pct(a.pigment)),
      cell('td', pct(a.redness)),
      cell('td', pct(a.texture)),
      cell('td', z.mean_delta_e00 == null ? '–' : z.mean_delta_e00.toFixed(1)),
      cell('td', z.a_masi_like.toFixed(2)),
    );
    table.append(row);
  }
  const wrap = document.createElement('div');
  wrap.className = 'zone-table-wrap';
  wrap.append(table);
  box.append(wrap);
  const weighted = cell('p', `Zone-weighted score: ${face.zone_weighted_score.toFixed(2)} (0–100). ${face.zone_weighted_label}`);
  weighted.className = 'small';
  box.append(weighted);
  for (const w of face.warnings) {
    const p = cell('p', w);
    p.className = 'warning small';
    box.append(p);
  }
  container.append(box);
}
