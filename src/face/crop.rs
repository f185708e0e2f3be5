//! Rotated square crops of a photo into model input tensors, with MediaPipe's geometry:
//! tensor pixel `u` samples the photo at `corner + u·side/n` in pixel-centre coordinates
//! (pixel `i`'s centre at `i`), as its OpenCV image-to-tensor converter does.

use crate::Photo;

/// A rotated square region of a photo, in pixel-centre coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Roi {
    /// Centre x, y.
    pub cx: f32,
    pub cy: f32,
    /// Side length in photo pixels.
    pub side: f32,
    /// Rotation in radians (clockwise on screen, y down).
    pub angle: f32,
}

impl Roi {
    /// Photo position of ROI-normalized `(x, y)` (0..1 across the square).
    pub fn to_photo(self, x: f32, y: f32) -> [f32; 2] {
        let (s, c) = self.angle.sin_cos();
        let (dx, dy) = ((x - 0.5) * self.side, (y - 0.5) * self.side);
        [self.cx + c * dx - s * dy, self.cy + s * dx + c * dy]
    }
}

/// What the model wants outside the photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Border {
    /// Black (zero) pixels.
    Zero,
    /// The nearest edge pixel.
    Replicate,
}

/// Most sub-samples per axis when a tensor pixel covers many photo pixels.
const MAX_TAPS: usize = 5;

/// Samples `roi` into an `n × n × 3` tensor scaled to `lo..hi`. A tensor pixel covering
/// `step` photo pixels is the mean of `floor(step)²` (at most 5×5) bilinear samples
/// spread over its footprint: an area average when downscaling by 2 or more, and plain
/// bilinear (as MediaPipe samples, which the models were trained on) below that.
pub(crate) fn sample(
    photo: &Photo,
    roi: &Roi,
    n: usize,
    border: Border,
    range: [f32; 2],
    max_taps: usize,
) -> Vec<f32> {
    let [lo, hi] = range;
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let rgba = photo.rgba();
    let step = roi.side / n as f32;
    let taps = (step.floor() as usize).clamp(1, max_taps.clamp(1, MAX_TAPS));
    let (sin, cos) = roi.angle.sin_cos();
    let corner = roi.to_photo(0.0, 0.0);
    // Unit steps in the photo for one tensor pixel along u and v.
    let (du, dv) = ([cos * step, sin * step], [-sin * step, cos * step]);
    let offsets: Vec<f32> = (0..taps)
        .map(|t| (t as f32 + 0.5) / taps as f32 - 0.5)
        .collect();
    let scale = (hi - lo) / (255.0 * (taps * taps) as f32);
    let fetch = |x: isize, y: isize| -> [f32; 3] {
        let inside = x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h;
        if !inside && border == Border::Zero {
            return [0.0; 3];
        }
        let (x, y) = (
            x.clamp(0, w as isize - 1) as usize,
            y.clamp(0, h as isize - 1) as usize,
        );
        let p = &rgba[(y * w + x) * 4..][..3];
        [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
    };
    let mut out = vec![0.0; n * n * 3];
    for v in 0..n {
        for u in 0..n {
            let mut acc = [0.0f32; 3];
            for &ov in &offsets {
                for &ou in &offsets {
                    let (fu, fv) = (u as f32 + ou, v as f32 + ov);
                    let sx = corner[0] + du[0] * fu + dv[0] * fv;
                    let sy = corner[1] + du[1] * fu + dv[1] * fv;
                    let (x0, y0) = (sx.floor(), sy.floor());
                    let (fx, fy) = (sx - x0, sy - y0);
                    let (x0, y0) = (x0 as isize, y0 as isize);
                    let (a, b) = (fetch(x0, y0), fetch(x0 + 1, y0));
                    let (c, d) = (fetch(x0, y0 + 1), fetch(x0 + 1, y0 + 1));
                    for k in 0..3 {
                        let top = a[k] + (b[k] - a[k]) * fx;
                        let bot = c[k] + (d[k] - c[k]) * fx;
                        acc[k] += top + (bot - top) * fy;
                    }
                }
            }
            let px = &mut out[(v * n + u) * 3..][..3];
            for k in 0..3 {
                px[k] = lo + acc[k] * scale;
            }
        }
    }
    out
}
