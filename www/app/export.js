// Export at full resolution with a watermark (plan, week, scenario, date): before | after,
// plan A | plan B, a timeline strip, or a visit (baseline | follow-up | projected at that
// week, at the page's view size). Saved through a blob URL (nothing leaves the device).

/** Saves a canvas as a PNG download through a blob URL. */
async function download(canvas, name) {
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return blob;
}

/** Splits `text` into lines no wider than `max` at the current font (breaks at spaces). */
function wrap(ctx, text, max) {
  const out = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > max) {
      out.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) out.push(line);
  return out;
}

/**
 * A dark band along the bottom of [x, x + w) holding `lines` in white, wrapped to fit;
 * the type shrinks (not below 9 px) if the band would cover more than a third of the height.
 */
function band(ctx, x, w, h, lines) {
  let size = Math.max(10, Math.round(h / 40));
  let rows;
  let pad;
  let height;
  for (;;) {
    pad = Math.round(size * 0.6);
    ctx.font = `${size}px system-ui, sans-serif`;
    rows = lines.flatMap((line) => wrap(ctx, line, w - pad * 2));
    height = rows.length * size * 1.3 + pad * 2;
    if (height <= h / 3 || size <= 9) break;
    size -= 1;
  }
  ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.fillRect(x, h - height, w, height);
  ctx.fillStyle = '#fff';
  ctx.textBaseline = 'top';
  rows.forEach((row, i) => ctx.fillText(row, x + pad, h - height + pad + i * size * 1.3, w - pad * 2));
}

/**
 * A timeline strip: `frames` is [{ bitmap, label }] (full resolution, left to right),
 * with `watermark` lines under the last frame and each frame's label on it.
 */
export function exportStrip({ frames, watermark }) {
  return exportVisit({
    panels: frames.map(({ bitmap, label }) => ({ image: bitmap, label })),
    watermark,
    name: `skin-preview-timeline-${new Date().toISOString().slice(0, 10)}.png`,
  });
}

/**
 * Two pictures side by side at full resolution (`left` sets the size), each with its own
 * watermark band (null = none), a thin divider between them.
 */
export async function exportPair({ left, right, leftLines = null, rightLines = null, name }) {
  const w = left.width;
  const h = left.height;
  const canvas = document.createElement('canvas');
  canvas.width = w * 2;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(left, 0, 0);
  ctx.drawImage(right, w, 0, w, h);
  if (leftLines?.length) band(ctx, 0, w, h, leftLines);
  if (rightLines?.length) band(ctx, w, w, h, rightLines);
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.fillRect(w - 1, 0, 2, h);
  const blob = await download(canvas, name);
  return { width: canvas.width, height: canvas.height, bytes: blob.size };
}

/** Before | after; the watermark runs along the after side, so the before side stays the photo. */
export function exportPng({ before, after, watermark }) {
  return exportPair({
    left: before,
    right: after,
    rightLines: watermark,
    name: `skin-preview-${new Date().toISOString().slice(0, 10)}.png`,
  });
}

/**
 * Baseline | follow-up | projected at that week, one PNG: three pictures of one size
 * (`panels` is [{ image, label }], the first sets the size; a follow-up that does not
 * reach every pixel shows dark grey there), each labelled, with `watermark` lines under
 * the last panel.
 */
export async function exportVisit({ panels, watermark, name }) {
  const w = panels[0].image.width;
  const h = panels[0].image.height;
  const canvas = document.createElement('canvas');
  canvas.width = w * panels.length;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#333';
  ctx.fillRect(0, 0, canvas.width, h);
  panels.forEach(({ image, label }, i) => {
    ctx.drawImage(image, i * w, 0, w, h);
    band(ctx, i * w, w, h, i === panels.length - 1 ? [label, ...watermark] : [label]);
    if (i) {
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(i * w - 1, 0, 2, h);
    }
  });
  const blob = await download(canvas, name);
  return { width: canvas.width, height: canvas.height, bytes: blob.size };
}
