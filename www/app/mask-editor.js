// The consultant's treated-area mask: seeded from the engine's skin map, painted with a
// brush or eraser on the image, with undo and redo. Each finished stroke is committed
// (the page re-runs the analysis with analyze(mask)); going back to the untouched
// automatic area commits null, so the engine uses its own skin mask again.

const TINT = [11, 110, 105];
const HISTORY = 20;

export function createMaskEditor({ canvas, size, undo, redo, onCommit }) {
  let mask = null;
  let width = 0;
  let height = 0;
  let mode = 'pan';
  let stroke = null;
  /** True while the mask is the engine's automatic area, untouched. */
  let auto = true;
  const past = [];
  const future = [];
  let ctx = null;

  function syncButtons() {
    undo.disabled = past.length === 0;
    redo.disabled = future.length === 0;
  }

  function draw() {
    if (!mask) return;
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext('2d');
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const j = i * 4;
      img.data[j] = TINT[0];
      img.data[j + 1] = TINT[1];
      img.data[j + 2] = TINT[2];
      img.data[j + 3] = 110;
    }
    ctx.putImageData(img, 0, 0);
  }

  function dab(x, y, r, on) {
    const x0 = Math.max(0, Math.floor(x - r));
    const x1 = Math.min(width - 1, Math.ceil(x + r));
    const y0 = Math.max(0, Math.floor(y - r));
    const y1 = Math.min(height - 1, Math.ceil(y + r));
    const r2 = r * r;
    for (let yy = y0; yy <= y1; yy++) {
      for (let xx = x0; xx <= x1; xx++) {
        if ((xx - x) ** 2 + (yy - y) ** 2 <= r2) mask[yy * width + xx] = on ? 1 : 0;
      }
    }
    ctx.save();
    ctx.globalCompositeOperation = on ? 'source-over' : 'destination-out';
    ctx.fillStyle = `rgba(${TINT.join(',')}, 0.43)`;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    if (on) {
      // Clear first so overlapping dabs do not build up opacity.
      ctx.globalCompositeOperation = 'destination-out';
      ctx.fill();
      ctx.globalCompositeOperation = 'source-over';
    }
    ctx.fill();
    ctx.restore();
  }

  return {
    get mask() {
      return mask;
    },
    setMode(next) {
      mode = next;
    },
    /** Replaces the mask with `gray` > 127 (the automatic skin area) and clears history. */
    reset(gray, { width: w = width, height: h = height } = {}) {
      if (!gray) return;
      past.length = 0;
      future.length = 0;
      auto = true;
      width = w;
      height = h;
      mask = new Uint8Array(gray.length);
      for (let i = 0; i < gray.length; i++) mask[i] = gray[i] > 127 ? 1 : 0;
      draw();
      syncButtons();
    },
    paint(phase, point) {
      if (!mask || mode === 'pan') return;
      if (phase === 'start') {
        stroke = { before: { mask: mask.slice(), auto }, last: point };
        dab(point.x, point.y, (Number(size.value) / 2) * point.scale, mode === 'brush');
      } else if (phase === 'move' && stroke) {
        const r = (Number(size.value) / 2) * point.scale;
        // Fill the gap between pointer events so fast strokes stay continuous.
        const d = Math.hypot(point.x - stroke.last.x, point.y - stroke.last.y);
        const steps = Math.max(1, Math.ceil(d / Math.max(1, r / 2)));
        for (let i = 1; i <= steps; i++) {
          const t = i / steps;
          dab(stroke.last.x + (point.x - stroke.last.x) * t, stroke.last.y + (point.y - stroke.last.y) * t, r, mode === 'brush');
        }
        stroke.last = point;
      } else if (phase === 'end' && stroke) {
        past.push(stroke.before);
        if (past.length > HISTORY) past.shift();
        future.length = 0;
        stroke = null;
        auto = false;
        syncButtons();
        onCommit(mask.slice());
      }
    },
    undo() {
      if (!past.length) return;
      future.push({ mask, auto });
      ({ mask, auto } = past.pop());
      draw();
      syncButtons();
      onCommit(auto ? null : mask.slice());
    },
    redo() {
      if (!future.length) return;
      past.push({ mask, auto });
      ({ mask, auto } = future.pop());
      draw();
      syncButtons();
      onCommit(auto ? null : mask.slice());
    },
  };
}
