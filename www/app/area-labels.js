// Per-area concern labels: the consultant's labelled areas drawn on the photo (a numbered
// badge and the concern at each area) and listed as text (for people, print and export).
// Concern names come from the profile and may be a clinic's: only ever set as text.

import { el } from './analysis-view.js';

/** A concern's name without its explanation in brackets, for the picture. */
export function shortName(name) {
  return name.replace(/\s*\(.*\)\s*$/, '') || name;
}

/** The concern's name from the profile (or its id, if the profile no longer has it). */
export function concernName(profile, id) {
  return profile?.concerns?.find((c) => c.id === id)?.name ?? id;
}

/** One line for a watermark or a summary: "1 Melasma; 2 Atrophic acne scars". */
export function labelSummary(labels, profile) {
  return labels.map((l, i) => `${i + 1} ${shortName(concernName(profile, l.concern))}`).join('; ');
}

/**
 * Draws the labels over the photo on a canvas of the photo's size. `shownWidth` is the
 * photo's width on screen (CSS px, unzoomed): the type is sized to read at about 13 px
 * there, but never more than a twelfth of the photo.
 */
export function drawLabels(canvas, labels, profile, width, height, shownWidth = width) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  if (!labels.length) return;
  const perCssPx = width / Math.max(1, shownWidth);
  const size = Math.max(8, Math.round(Math.min(13 * perCssPx, Math.min(width, height) / 12)));
  const line = Math.max(1, Math.round(size / 8));
  ctx.font = `600 ${size}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  labels.forEach((label, i) => {
    const [x0, y0, x1, y1] = label.box;
    ctx.save();
    ctx.lineWidth = line;
    ctx.setLineDash([line * 4, line * 3]);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.lineDashOffset = line * 4;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.95)';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.restore();
    // Badge and name just above the area (below it at the top edge), so the area itself
    // stays visible; kept inside the picture.
    const text = `${i + 1} ${shortName(concernName(profile, label.concern))}`;
    const pad = Math.round(size * 0.35);
    const w = Math.min(width, ctx.measureText(text).width + pad * 2);
    const h = Math.round(size * 1.5);
    const gap = line * 2;
    const x = Math.max(0, Math.min(width - w, label.x - w / 2));
    const above = y0 - gap - h;
    const y = Math.max(0, Math.min(height - h, above >= 0 ? above : y1 + gap));
    ctx.fillStyle = 'rgba(0, 0, 0, 0.72)';
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, h / 2);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.fillText(text, x + pad, y + h / 2, w - pad * 2);
  });
}

/** Fills the list of labelled areas; onShow(label) zooms to it, onRemove(index) drops it. */
export function renderLabelList(list, labels, profile, { onShow, onRemove }) {
  list.replaceChildren(
    ...labels.map((label, i) => {
      const name = concernName(profile, label.concern);
      const show = el('button', { type: 'button', class: 'area-show' }, el('span', { class: 'area-number', 'aria-hidden': 'true' }, String(i + 1)), name);
      show.setAttribute('aria-label', `Area ${i + 1}: ${name}. Zoom to it`);
      show.addEventListener('click', () => onShow(label));
      const remove = el('button', { type: 'button', class: 'tool area-remove' }, 'Remove');
      remove.setAttribute('aria-label', `Remove the label of area ${i + 1} (${name})`);
      remove.addEventListener('click', () => onRemove(i));
      return el('li', { 'data-concern': label.concern }, show, remove);
    }),
  );
}
