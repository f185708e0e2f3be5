// Draws engine output (ImageBitmaps from the worker) into the page's canvases.

/** Sizes the canvas to the bitmap and draws it; the caller keeps ownership of the bitmap. */
export function drawBitmap(canvas, bitmap, label) {
  if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
  }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0);
  if (label) canvas.setAttribute('aria-label', label);
}
