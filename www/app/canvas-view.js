// Draws engine output (ImageBitmaps from the worker) into the page's canvases.

/**
 * Sizes the canvas to the bitmap (or to `size`, scaling a smaller preview frame up) and
 * draws it; the caller keeps ownership of the bitmap.
 */
export function drawBitmap(canvas, bitmap, label, size = null) {
  const width = size?.width ?? bitmap.width;
  const height = size?.height ?? bitmap.height;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  if (label) canvas.setAttribute('aria-label', label);
}
