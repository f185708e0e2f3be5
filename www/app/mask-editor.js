// The consultant's treated-area mask: seeded from the engine's skin map, painted with a
// brush or eraser on the image, with undo and redo. Each finished stroke is committed
// (the page re-runs the analysis with analyze(mask)); going back to the untouched
// automatic area commits null, so the engine uses its own skin mask again.
//
// Brush strokes made while a concern is chosen become labelled areas
// ({ concern, box: [x0, y0, x1, y1], x, y } in image pixels). Labels are part of the same
// undo/redo history as the mask; removing a label is a step of its own. Label changes
// call onLabels(labels) and never re-run the analysis.

const TINT = [11, 110, 105];
const HISTORY = 20;

export function createMaskEditor({ canvas, size, undo, redo, onCommit, onLabels = () => {}, labelFor = () => '' }) {
  let mask = null;
  let width = 0;
  let height = 0;
  let mode = 'pan';
  let stroke = null;
  /** True while the mask is the engine's automatic area, untouched. */
  let auto = true;
  /** Bumped by every stroke: history steps with the same version share the mask. */
  let version = 0;
  let labels = [];
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
    if (stroke) {
      const b = stroke.box;
      stroke.box = [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1 + 1), Math.max(b[3], y1 + 1)];
      stroke.points.push([x, y]);
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

  /** Where a stroke's label goes: the stroke point nearest the mean of its points. */
  function anchor(points) {
    const mx = points.reduce((s, p) => s + p[0], 0) / points.length;
    const my = points.reduce((s, p) => s + p[1], 0) / points.length;
    let best = points[0];
    for (const p of points) if ((p[0] - mx) ** 2 + (p[1] - my) ** 2 < (best[0] - mx) ** 2 + (best[1] - my) ** 2) best = p;
    return best.map(Math.round);
  }

  const snapshot = (copy) => ({ mask: copy ? mask.slice() : mask, auto, version, labels });

  /** Goes to a history state; re-runs the analysis only if the mask differs. */
  function restore(state) {
    const maskChanged = state.version !== version;
    ({ mask, auto, version, labels } = state);
    draw();
    syncButtons();
    onLabels(labels);
    if (maskChanged) onCommit(auto ? null : mask.slice());
  }

  function push(state) {
    past.push(state);
    if (past.length > HISTORY) past.shift();
    future.length = 0;
  }

  return {
    get mask() {
      return mask;
    },
    get labels() {
      return labels;
    },
    setMode(next) {
      mode = next;
    },
    /**
     * Replaces the mask with `gray` > 127 (the automatic skin area) and clears history;
     * `labels` are the areas to show from the start (kept ones, or none).
     */
    reset(gray, { width: w = width, height: h = height, labels: start = [] } = {}) {
      if (!gray) return;
      past.length = 0;
      future.length = 0;
      auto = true;
      version += 1;
      width = w;
      height = h;
      mask = new Uint8Array(gray.length);
      for (let i = 0; i < gray.length; i++) mask[i] = gray[i] > 127 ? 1 : 0;
      labels = start;
      draw();
      syncButtons();
      onLabels(labels);
    },
    paint(phase, point) {
      if (!mask || mode === 'pan') return;
      if (phase === 'start') {
        stroke = { before: snapshot(true), last: point, box: [Infinity, Infinity, -Infinity, -Infinity], points: [] };
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
        push(stroke.before);
        const concern = mode === 'brush' ? labelFor() : '';
        if (concern && stroke.points.length) {
          const [x, y] = anchor(stroke.points);
          labels = [...labels, { concern, box: stroke.box, x, y }];
          onLabels(labels);
        }
        stroke = null;
        auto = false;
        version += 1;
        syncButtons();
        onCommit(mask.slice());
      }
    },
    /** Removes the label at `index` (an undoable step; the painted area stays). */
    removeLabel(index) {
      if (!labels[index]) return;
      push(snapshot(true));
      labels = labels.filter((_, i) => i !== index);
      syncButtons();
      onLabels(labels);
    },
    undo() {
      if (!past.length) return;
      future.push(snapshot(false));
      restore(past.pop());
    },
    redo() {
      if (!future.length) return;
      past.push(snapshot(false));
      restore(future.pop());
    },
  };
}
