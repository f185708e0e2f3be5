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

/// Most pixels read per block axis when box-averaging (larger blocks are read on a
/// sparser grid, which bounds the cost on any photo size).
const MAX_BLOCK_READS: usize = 8;

/// A box-averaged region: origin (photo px), block size, size in blocks, RGB pixels.
struct Boxed {
    x0: usize,
    y0: usize,
    f: usize,
    bw: usize,
    bh: usize,
    px: Vec<[f32; 3]>,
}

/// RGB pixels (0..255) the sampler reads: the photo itself, or a box-averaged region of it.
struct Source<'a> {
    photo: &'a Photo,
    /// Black outside the photo (else the nearest edge pixel).
    zero: bool,
    /// Box-averaged region: origin (photo px), block size, size in blocks, pixels.
    boxed: Option<Boxed>,
}

impl Source<'_> {
    /// The value at integer position (x, y) of this source's grid, clamped to its edge.
    fn get(&self, x: isize, y: isize) -> [f32; 3] {
        match &self.boxed {
            None => {
                let (w, h) = (self.photo.width() as isize, self.photo.height() as isize);
                if self.zero && (x < 0 || y < 0 || x >= w || y >= h) {
                    return [0.0; 3];
                }
                let (x, y) = (x.clamp(0, w - 1) as usize, y.clamp(0, h - 1) as usize);
                let p = &self.photo.rgba()[(y * w as usize + x) * 4..][..3];
                [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
            }
            Some(Boxed { bw, bh, px, .. }) => {
                let (x, y) = (
                    x.clamp(0, *bw as isize - 1) as usize,
                    y.clamp(0, *bh as isize - 1) as usize,
                );
                px[y * bw + x]
            }
        }
    }
}

/// Averages `f × f` blocks of the photo over `x0..x1`, `y0..y1` (block origin at x0, y0).
fn box_region(
    photo: &Photo,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    f: usize,
    zero: bool,
) -> Source<'_> {
    let w = photo.width() as usize;
    let (bw, bh) = ((x1 - x0).div_ceil(f), (y1 - y0).div_ceil(f));
    let stride = f.div_ceil(MAX_BLOCK_READS);
    let rgba = photo.rgba();
    let mut px = vec![[0.0f32; 3]; bw * bh];
    for (by, row) in px.chunks_exact_mut(bw).enumerate() {
        let ys = (y0 + by * f..(y0 + (by + 1) * f).min(y1)).step_by(stride);
        for (bx, out) in row.iter_mut().enumerate() {
            let xs = x0 + bx * f..(x0 + (bx + 1) * f).min(x1);
            let (mut acc, mut n) = ([0u32; 3], 0u32);
            for y in ys.clone() {
                let line = &rgba[y * w * 4..(y + 1) * w * 4];
                for x in xs.clone().step_by(stride) {
                    let p = &line[x * 4..x * 4 + 3];
                    acc[0] += u32::from(p[0]);
                    acc[1] += u32::from(p[1]);
                    acc[2] += u32::from(p[2]);
                    n += 1;
                }
            }
            let n = n.max(1) as f32;
            *out = [acc[0] as f32 / n, acc[1] as f32 / n, acc[2] as f32 / n];
        }
    }
    Source {
        photo,
        zero,
        boxed: Some(Boxed {
            x0,
            y0,
            f,
            bw,
            bh,
            px,
        }),
    }
}

/// Samples `roi` into an `n × n × 3` tensor scaled to `range`, bilinearly as MediaPipe
/// does. When a tensor pixel covers `step ≥ 2` photo pixels and `area` is set, the ROI's
/// region of the photo is first box-averaged by `floor(step)` (an area average, instead
/// of point-sampling a large photo) and the bilinear samples are taken from that.
pub(crate) fn sample(
    photo: &Photo,
    roi: &Roi,
    n: usize,
    border: Border,
    range: [f32; 2],
    area: bool,
) -> Vec<f32> {
    let [lo, hi] = range;
    let (w, h) = (photo.width() as f32, photo.height() as f32);
    let step = roi.side / n as f32;
    let f = if area {
        step.floor().max(1.0) as usize
    } else {
        1
    };
    let corners = [
        roi.to_photo(0.0, 0.0),
        roi.to_photo(1.0, 0.0),
        roi.to_photo(0.0, 1.0),
        roi.to_photo(1.0, 1.0),
    ];
    let (mut min, mut max) = ([f32::MAX; 2], [f32::MIN; 2]);
    for c in corners {
        for k in 0..2 {
            min[k] = min[k].min(c[k]);
            max[k] = max[k].max(c[k]);
        }
    }
    // The region, snapped to the block grid and clipped to the photo.
    let clip = |v: f32, n: f32| v.clamp(0.0, n) as usize;
    let (x0, y0) = (
        clip(min[0] - f as f32, w) / f * f,
        clip(min[1] - f as f32, h) / f * f,
    );
    let (x1, y1) = (
        clip(max[0] + 2.0 * f as f32, w),
        clip(max[1] + 2.0 * f as f32, h),
    );
    let zero = border == Border::Zero;
    let src = if f > 1 && x1 > x0 && y1 > y0 {
        box_region(photo, x0, y0, x1, y1, f, zero)
    } else {
        Source {
            photo,
            zero,
            boxed: None,
        }
    };
    // Photo pixel-centre coordinates → the source grid's.
    let to_grid = |sx: f32, sy: f32| match &src.boxed {
        Some(Boxed { x0, y0, f, .. }) => (
            (sx - *x0 as f32 + 0.5) / *f as f32 - 0.5,
            (sy - *y0 as f32 + 0.5) / *f as f32 - 0.5,
        ),
        None => (sx, sy),
    };
    let (sin, cos) = roi.angle.sin_cos();
    let corner = corners[0];
    let (du, dv) = ([cos * step, sin * step], [-sin * step, cos * step]);
    let scale = (hi - lo) / 255.0;
    let mut out = vec![lo; n * n * 3];
    for v in 0..n {
        for u in 0..n {
            let (fu, fv) = (u as f32, v as f32);
            let sx = corner[0] + du[0] * fu + dv[0] * fv;
            let sy = corner[1] + du[1] * fu + dv[1] * fv;
            if zero && !(sx > -1.0 && sy > -1.0 && sx < w && sy < h) {
                continue; // stays at black (`lo`)
            }
            let (gx, gy) = to_grid(sx, sy);
            let (x0, y0) = (gx.floor(), gy.floor());
            let (fx, fy) = (gx - x0, gy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let (a, b) = (src.get(x0, y0), src.get(x0 + 1, y0));
            let (c, d) = (src.get(x0, y0 + 1), src.get(x0 + 1, y0 + 1));
            let px = &mut out[(v * n + u) * 3..][..3];
            for k in 0..3 {
                let top = a[k] + (b[k] - a[k]) * fx;
                let bot = c[k] + (d[k] - c[k]) * fx;
                px[k] = lo + (top + (bot - top) * fy) * scale;
            }
        }
    }
    out
}
