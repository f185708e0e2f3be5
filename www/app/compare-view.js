// The compare view: before/after over the same image (split, side by side, single), one
// zoom and pan shared by both sides, and painting on the image for the consultant tools.
//
// The split follows squoosh's two-up: the divider position is a CSS variable and the
// before layer is clipped with clip-path, so dragging never re-renders a pixel. Zoom and
// pan are CSS variables too (--zoom, --tx, --ty) read by both canvases' transforms.

const MIN_ZOOM = 1;
const MAX_ZOOM = 8;

export function createCompareView({ root, stage, handle, zoomLevel, canvas, onPaint, onViewChange }) {
  const state = { split: 50, zoom: 1, tx: 0, ty: 0, view: root.dataset.view || 'split', tool: 'pan' };
  /** What the two sides are called (the divider's spoken value). */
  let names = ['before', 'after'];
  const pointers = new Map();
  let gesture = null;

  const clampPan = () => {
    const pane = paneRect();
    const maxX = ((state.zoom - 1) * pane.width) / 2;
    const maxY = ((state.zoom - 1) * pane.height) / 2;
    state.tx = Math.max(-maxX, Math.min(maxX, state.tx));
    state.ty = Math.max(-maxY, Math.min(maxY, state.ty));
  };

  function apply() {
    clampPan();
    root.style.setProperty('--split', `${state.split}%`);
    root.style.setProperty('--zoom', String(state.zoom));
    root.style.setProperty('--tx', `${state.tx}px`);
    root.style.setProperty('--ty', `${state.ty}px`);
    const pct = Math.round(state.split);
    handle.setAttribute('aria-valuenow', String(pct));
    handle.setAttribute('aria-valuetext', `${pct}% ${names[0]}, ${100 - pct}% ${names[1]}`);
    zoomLevel.textContent = `${Math.round(state.zoom * 100)}%`;
    // At 100% a vertical swipe on the photo scrolls the page (phones); zoomed in, it pans.
    root.dataset.zoomed = String(state.zoom > 1);
  }

  /** The size of one pane (untransformed), for pan limits and zoom anchors. */
  function paneRect(target) {
    const pane = target?.closest?.('.pane') ?? root.querySelector('.layer-after .pane');
    return pane.getBoundingClientRect();
  }

  function setSplit(value) {
    state.split = Math.max(0, Math.min(100, value));
    apply();
  }

  /** Zooms to `z`, keeping the point (clientX, clientY) of the pane under `target` still. */
  function zoomAt(z, clientX, clientY, target) {
    const next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));
    const rect = paneRect(target);
    const px = (clientX ?? rect.left + rect.width / 2) - (rect.left + rect.width / 2);
    const py = (clientY ?? rect.top + rect.height / 2) - (rect.top + rect.height / 2);
    const k = next / state.zoom;
    state.tx = px - (px - state.tx) * k;
    state.ty = py - (py - state.ty) * k;
    state.zoom = next;
    apply();
  }

  function setView(view) {
    state.view = view;
    root.dataset.view = view;
    apply();
    onViewChange?.(view);
  }

  function setTool(tool) {
    state.tool = tool;
    root.dataset.tool = tool;
  }

  /** Image pixel under a client point, read from the (transformed) canvas under it. */
  function imagePoint(event) {
    const c = event.target.closest?.('.pane')?.querySelector('canvas') ?? canvas;
    const rect = c.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * canvas.width,
      y: ((event.clientY - rect.top) / rect.height) * canvas.height,
      scale: canvas.width / rect.width,
    };
  }

  // Divider: keyboard.
  handle.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 10 : 2;
    const keys = {
      ArrowLeft: state.split - step,
      ArrowDown: state.split - step,
      ArrowRight: state.split + step,
      ArrowUp: state.split + step,
      PageDown: state.split - 10,
      PageUp: state.split + 10,
      Home: 0,
      End: 100,
    };
    if (!(event.key in keys)) return;
    event.preventDefault();
    setSplit(keys[event.key]);
  });

  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 && event.pointerType === 'mouse') return;
    stage.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY, target: event.target });
    if (pointers.size === 2) {
      // Two fingers: pinch zoom (and pan), whatever the tool.
      if (gesture?.type === 'paint') onPaint?.('end');
      const [a, b] = [...pointers.values()];
      gesture = {
        type: 'pinch',
        dist: Math.hypot(a.x - b.x, a.y - b.y),
        zoom: state.zoom,
        mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
        target: event.target,
      };
      return;
    }
    if (event.target.closest('.split-handle') && state.view === 'split') {
      gesture = { type: 'split' };
      handle.focus({ preventScroll: true });
    } else if (state.tool !== 'pan') {
      gesture = { type: 'paint' };
      onPaint?.('start', imagePoint(event));
    } else {
      gesture = { type: 'pan', x: event.clientX, y: event.clientY, tx: state.tx, ty: state.ty };
    }
    event.preventDefault();
  });

  stage.addEventListener('pointermove', (event) => {
    const p = pointers.get(event.pointerId);
    if (!p || !gesture) return;
    p.x = event.clientX;
    p.y = event.clientY;
    if (gesture.type === 'split') {
      const rect = stage.getBoundingClientRect();
      setSplit(((event.clientX - rect.left) / rect.width) * 100);
    } else if (gesture.type === 'pan') {
      state.tx = gesture.tx + (event.clientX - gesture.x);
      state.ty = gesture.ty + (event.clientY - gesture.y);
      apply();
    } else if (gesture.type === 'paint') {
      onPaint?.('move', imagePoint(event));
    } else if (gesture.type === 'pinch' && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      state.tx += mid.x - gesture.mid.x;
      state.ty += mid.y - gesture.mid.y;
      gesture.mid = mid;
      zoomAt((gesture.zoom * dist) / Math.max(1, gesture.dist), mid.x, mid.y, gesture.target);
    }
  });

  const release = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (gesture?.type === 'paint') onPaint?.('end');
    if (pointers.size === 0) gesture = null;
    else if (gesture?.type === 'pinch') gesture = null;
  };
  stage.addEventListener('pointerup', release);
  stage.addEventListener('pointercancel', release);

  stage.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
      zoomAt(state.zoom * factor, event.clientX, event.clientY, event.target);
    },
    { passive: false },
  );

  apply();

  return {
    state,
    setSplit,
    setView,
    setTool,
    /** Names the two sides, e.g. ['baseline', 'follow-up'] (the divider's spoken value). */
    setNames(left, right) {
      names = [left, right];
      apply();
    },
    zoomIn: () => zoomAt(state.zoom * 1.5),
    zoomOut: () => zoomAt(state.zoom / 1.5),
    reset() {
      state.zoom = 1;
      state.tx = 0;
      state.ty = 0;
      apply();
    },
    /** Sets the image's aspect so the panes match it exactly (canvas = pane, no letterbox). */
    setAspect(width, height) {
      root.style.setProperty('--aspect', String(width / height));
      this.reset();
    },
    /** Zooms so that the box [x0, y0, x1, y1] (image pixels) fills about half the view. */
    zoomToBox([x0, y0, x1, y1]) {
      const w = canvas.width;
      const h = canvas.height;
      const bw = Math.max(8, x1 - x0);
      const bh = Math.max(8, y1 - y0);
      const z = Math.max(2, Math.min(MAX_ZOOM, 0.5 * Math.min(w / bw, h / bh)));
      const rect = paneRect();
      const cx = ((x0 + x1) / 2 / w - 0.5) * rect.width;
      const cy = ((y0 + y1) / 2 / h - 0.5) * rect.height;
      state.zoom = z;
      state.tx = -cx * z;
      state.ty = -cy * z;
      apply();
    },
  };
}
