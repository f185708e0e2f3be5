// Export: before | after at full resolution with a watermark, saved through a blob URL
// (nothing leaves the device).

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

function band(ctx, x, w, h, lines) {
  const size = Math.max(10, Math.round(h / 40));
  const pad = Math.round(size * 0.6);
  const height = lines.length * size * 1.3 + pad * 2;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
  ctx.fillRect(x, h - height, w, height);
  ctx.fillStyle = '#fff';
  ctx.font = `${size}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, x + pad, h - height + pad + i * size * 1.3, w - pad * 2));
}

/**
 * A timeline strip: `frames` is [{ bitmap, label }] (full resolution, left to right),
 * with `watermark` lines under the last frame and each frame's label on it.
 */
export async function exportStrip({ frames, watermark }) {
  const w = frames[0].bitmap.width;
  const h = frames[0].bitmap.height;
  const canvas = document.createElement('canvas');
  canvas.width = w * frames.length;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  frames.forEach(({ bitmap, label }, i) => {
    ctx.drawImage(bitmap, i * w, 0);
    band(ctx, i * w, w, h, i === frames.length - 1 ? [label, ...watermark] : [label]);
    if (i) {
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(i * w - 1, 0, 2, h);
    }
  });
  const blob = await download(canvas, `skin-preview-timeline-${new Date().toISOString().slice(0, 10)}.png`);
  return { width: canvas.width, height: canvas.height, bytes: blob.size };
}

export async function exportPng({ before, after, watermark }) {
  const w = before.width;
  const h = before.height;
  const canvas = document.createElement('canvas');
  canvas.width = w * 2;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(before, 0, 0);
  ctx.drawImage(after, w, 0, w, h);
  // Watermark along the bottom of the after side, so the before side stays the photo.
  const size = Math.max(10, Math.round(h / 40));
  const pad = Math.round(size * 0.6);
  const band = watermark.length * size * 1.3 + pad * 2;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
  ctx.fillRect(w, h - band, w, band);
  ctx.fillStyle = '#fff';
  ctx.font = `${size}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  watermark.forEach((line, i) => {
    ctx.fillText(line, w + pad, h - band + pad + i * size * 1.3, w - pad * 2);
  });
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.fillRect(w - 1, 0, 2, h);
  const blob = await download(canvas, `skin-preview-${new Date().toISOString().slice(0, 10)}.png`);
  return { width: canvas.width, height: canvas.height, bytes: blob.size };
}
