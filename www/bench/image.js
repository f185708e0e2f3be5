// The deterministic photo-like test image (keep in step with tests/bench/pipeline.rs):
// a skin-coloured field (melanin/hemoglobin/shading densities, sRGB-encoded) with pigment
// spots, red patches, pore texture and an illumination gradient, inside an ellipse on a
// blue-grey background.

/** The same integer hash as the Rust generator (u32 arithmetic). */
export function hash32(x, y, seed) {
  let h = (seed ^ Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const unit = (h) => (h >>> 8) / 16777216;

export const MEL = [0.2203, 0.4788, 0.8499];
export const HEM = [0.435, 0.6929, 0.575];
export const BIAS = [0.12, 0.34, 0.425];

function srgbEncode(l) {
  l = Math.min(1, Math.max(0, l));
  const v = l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
  return (v * 255 + 0.5) | 0;
}

/** Returns an ImageData of w×h. */
export function generate(w, h) {
  const short = Math.min(w, h);
  const n = w * h;
  const mel = new Float32Array(n);
  const hem = new Float32Array(n);
  for (let k = 0; k < 40; k++) {
    const cx = unit(hash32(k, 1, 77)) * w;
    const cy = unit(hash32(k, 2, 77)) * h;
    const r = (0.008 + 0.025 * unit(hash32(k, 3, 77))) * short;
    const red = k % 4 === 3;
    const amp = red ? 0.5 : 0.6 + 0.6 * unit(hash32(k, 4, 77));
    const target = red ? hem : mel;
    const x0 = Math.max(0, Math.floor(cx - 3 * r));
    const x1 = Math.min(w - 1, Math.floor(cx + 3 * r));
    const y0 = Math.max(0, Math.floor(cy - 3 * r));
    const y1 = Math.min(h - 1, Math.floor(cy + 3 * r));
    const inv = 1 / (2 * r * r);
    for (let y = y0; y <= y1; y++) {
      const dy = y - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x - cx;
        target[y * w + x] += amp * Math.exp(-(dx * dx + dy * dy) * inv);
      }
    }
  }
  const img = new ImageData(w, h);
  const rgba = img.data;
  const ex = 0.5 * w, ey = 0.5 * h, rx = 0.44 * w, ry = 0.46 * h;
  for (let y = 0; y < h; y++) {
    const v = y / h;
    for (let x = 0; x < w; x++) {
      const u = x / w;
      const i = y * w + x;
      const o = i * 4;
      const n1 = unit(hash32(x, y, 1)) - 0.5;
      const dx = (x - ex) / rx, dy = (y - ey) / ry;
      rgba[o + 3] = 255;
      if (dx * dx + dy * dy > 1) {
        const g = 60 + 60 * u + 10 * n1;
        rgba[o] = g * 0.8;
        rgba[o + 1] = g * 0.95;
        rgba[o + 2] = Math.min(255, g * 1.2);
        continue;
      }
      const pore = unit(hash32(x >>> 2, y >>> 2, 2)) - 0.5;
      const s = 0.36 - 0.15 + 0.25 * u + 0.1 * v + 0.04 * pore + 0.01 * n1;
      const cm = 0.5 + mel[i];
      const ch = 0.3 + hem[i];
      for (let c = 0; c < 3; c++) {
        rgba[o + c] = srgbEncode(Math.exp(-(cm * MEL[c] + ch * HEM[c] + s + BIAS[c])));
      }
    }
  }
  return img;
}
