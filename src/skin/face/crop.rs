//! Rotated square crops of a photo into model input tensors, reproducing MediaPipe's
//! OpenCV image-to-tensor converter (`cv::warpPerspective`, `INTER_LINEAR`, 8-bit): the
//! ROI's corners as `cv::boxPoints` gives them (f32), tensor pixel `(u, v)` samples the
//! photo at `corner + (u, v)·side/n` in pixel-centre coordinates (pixel `i`'s centre at
//! `i`), that position rounded to 1/32 pixel, the four neighbours weighted in integers
//! and the result rounded to 8 bits before it is scaled to the tensor's range. The models
//! are sensitive to these details on large photos, where a crop point-samples (aliases):
//! a float sampler moved paumier's mesh by 3 px at a 1000 px face width.

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

    /// The corners as `cv::boxPoints` computes them from MediaPipe's rotated rect (angle
    /// in f32 degrees, half sine and cosine in f32): bottom-left, top-left, top-right,
    /// bottom-right (unrotated).
    fn box_points(self) -> [[f32; 2]; 4] {
        let deg = (f64::from(self.angle * 180.0) / std::f64::consts::PI) as f32;
        let rad = f64::from(deg) * std::f64::consts::PI / 180.0;
        let (b, a) = (rad.cos() as f32 * 0.5, rad.sin() as f32 * 0.5);
        let (c, s) = ([self.cx, self.cy], self.side);
        let p0 = [c[0] - a * s - b * s, c[1] + b * s - a * s];
        let p1 = [c[0] + a * s - b * s, c[1] - b * s - a * s];
        let p2 = [2.0 * c[0] - p0[0], 2.0 * c[1] - p0[1]];
        let p3 = [2.0 * c[0] - p1[0], 2.0 * c[1] - p1[1]];
        [p0, p1, p2, p3]
    }

    /// The tensor-to-photo map (row-major 3×3) as OpenCV derives it: the photo-to-tensor
    /// perspective transform solved from the corners (an 8×8 system, Gaussian elimination
    /// with partial pivoting, f64 from f32 coefficients), then inverted by cofactors. Its
    /// rounding decides which way a sample position exactly half way between two 1/32
    /// steps goes, which happens on every other detector sample of photos whose long side
    /// is not a multiple of 4.
    fn tensor_to_photo(self, n: usize) -> [f64; 9] {
        let src = self.box_points();
        let nf = n as f32;
        let dst = [[0.0, nf], [0.0, 0.0], [nf, 0.0], [nf, nf]];
        let mut a = [[0.0f64; 8]; 8];
        let mut b = [0.0f64; 8];
        for i in 0..4 {
            let ([x, y], [u, v]) = (src[i], dst[i]);
            a[i][..3].copy_from_slice(&[f64::from(x), f64::from(y), 1.0]);
            a[i + 4][3..6].copy_from_slice(&[f64::from(x), f64::from(y), 1.0]);
            a[i][6] = f64::from(-x * u);
            a[i][7] = f64::from(-y * u);
            a[i + 4][6] = f64::from(-x * v);
            a[i + 4][7] = f64::from(-y * v);
            b[i] = f64::from(u);
            b[i + 4] = f64::from(v);
        }
        let m = solve8(a, b);
        invert3([m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], 1.0])
    }
}

/// Solves `a·x = b` by Gaussian elimination with partial pivoting (OpenCV's order of
/// operations, so that the result rounds the same way).
fn solve8(mut a: [[f64; 8]; 8], mut b: [f64; 8]) -> [f64; 8] {
    for i in 0..8 {
        let mut k = i;
        for j in i + 1..8 {
            if a[j][i].abs() > a[k][i].abs() {
                k = j;
            }
        }
        if k != i {
            a.swap(i, k);
            b.swap(i, k);
        }
        let d = -1.0 / a[i][i];
        let (top, rest) = a.split_at_mut(i + 1);
        let (pivot, bi) = (&top[i], b[i]);
        for (row, bj) in rest.iter_mut().zip(&mut b[i + 1..]) {
            let alpha = row[i] * d;
            for (x, p) in row[i + 1..].iter_mut().zip(&pivot[i + 1..]) {
                *x += alpha * p;
            }
            *bj += alpha * bi;
        }
    }
    for i in (0..8).rev() {
        let mut s = b[i];
        for k in i + 1..8 {
            s -= a[i][k] * b[k];
        }
        b[i] = s / a[i][i];
    }
    b
}

/// The inverse of a 3×3 matrix by cofactors over the determinant (OpenCV's small-matrix
/// formula and order).
fn invert3(m: [f64; 9]) -> [f64; 9] {
    let g = |i: usize, j: usize| m[i * 3 + j];
    let det = g(0, 0) * (g(1, 1) * g(2, 2) - g(1, 2) * g(2, 1))
        - g(0, 1) * (g(1, 0) * g(2, 2) - g(1, 2) * g(2, 0))
        + g(0, 2) * (g(1, 0) * g(2, 1) - g(1, 1) * g(2, 0));
    let d = 1.0 / det;
    [
        (g(1, 1) * g(2, 2) - g(1, 2) * g(2, 1)) * d,
        (g(0, 2) * g(2, 1) - g(0, 1) * g(2, 2)) * d,
        (g(0, 1) * g(1, 2) - g(0, 2) * g(1, 1)) * d,
        (g(1, 2) * g(2, 0) - g(1, 0) * g(2, 2)) * d,
        (g(0, 0) * g(2, 2) - g(0, 2) * g(2, 0)) * d,
        (g(0, 2) * g(1, 0) - g(0, 0) * g(1, 2)) * d,
        (g(1, 0) * g(2, 1) - g(1, 1) * g(2, 0)) * d,
        (g(0, 1) * g(2, 0) - g(0, 0) * g(2, 1)) * d,
        (g(0, 0) * g(1, 1) - g(0, 1) * g(1, 0)) * d,
    ]
}

/// What the model wants outside the photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Border {
    /// Black (zero) pixels.
    Zero,
    /// The nearest edge pixel.
    Replicate,
}

/// Sub-pixel positions per pixel (OpenCV's `INTER_TAB_SIZE`).
const TAB: i64 = 32;
/// Columns per block of OpenCV's warp (its 32×32-element blocks, 16 rows × 64 columns).
const BLOCK: usize = 64;

/// Samples `roi` into an `n × n × 3` tensor scaled to `range`, as MediaPipe's OpenCV
/// converter does (see the module comment): bilinear point samples, 8-bit.
pub(crate) fn sample(
    photo: &Photo,
    roi: &Roi,
    n: usize,
    border: Border,
    range: [f32; 2],
) -> Vec<f32> {
    let [lo, hi] = range;
    let (w, h) = (i64::from(photo.width()), i64::from(photo.height()));
    let rgba = photo.rgba();
    let zero = border == Border::Zero;
    let m = roi.tensor_to_photo(n);
    // Pixel (x, y), black or the nearest edge pixel outside the photo.
    let get = |x: i64, y: i64| -> [u32; 3] {
        if zero && (x < 0 || y < 0 || x >= w || y >= h) {
            return [0; 3];
        }
        let (x, y) = (x.clamp(0, w - 1) as usize, y.clamp(0, h - 1) as usize);
        let p = &rgba[(y * w as usize + x) * 4..][..3];
        [u32::from(p[0]), u32::from(p[1]), u32::from(p[2])]
    };
    let scale = (hi - lo) / 255.0;
    let mut out = vec![lo; n * n * 3];
    // OpenCV maps the tensor in blocks of 64 columns: each block row's start in full,
    // then per column; positions in 1/32 pixel, rounded half to even.
    let q = |v: f64| v.round_ties_even().clamp(i32::MIN.into(), i32::MAX.into()) as i64;
    for v in 0..n {
        for xb in (0..n).step_by(BLOCK) {
            let (xf, yf) = (xb as f64, v as f64);
            let x0 = m[0] * xf + m[1] * yf + m[2];
            let y0 = m[3] * xf + m[4] * yf + m[5];
            let w0 = m[6] * xf + m[7] * yf + m[8];
            for u in xb..(xb + BLOCK).min(n) {
                let x1 = (u - xb) as f64;
                let wd = w0 + m[6] * x1;
                let wd = if wd != 0.0 { TAB as f64 / wd } else { 0.0 };
                let (qx, qy) = (q((x0 + m[0] * x1) * wd), q((y0 + m[3] * x1) * wd));
                let clip = |c: i64| c.div_euclid(TAB).clamp(i16::MIN.into(), i16::MAX.into());
                let (x0, y0) = (clip(qx), clip(qy));
                if zero && (x0 >= w || x0 + 1 < 0 || y0 >= h || y0 + 1 < 0) {
                    continue; // stays at black (`lo`)
                }
                let (fx, fy) = (qx.rem_euclid(TAB) as u32, qy.rem_euclid(TAB) as u32);
                let (gx, gy) = (TAB as u32 - fx, TAB as u32 - fy);
                let wts = [gx * gy, fx * gy, gx * fy, fx * fy];
                let taps = [
                    get(x0, y0),
                    get(x0 + 1, y0),
                    get(x0, y0 + 1),
                    get(x0 + 1, y0 + 1),
                ];
                let px = &mut out[(v * n + u) * 3..][..3];
                for (k, o) in px.iter_mut().enumerate() {
                    let acc: u32 = taps.iter().zip(wts).map(|(t, wt)| t[k] * wt).sum();
                    // Weights sum to 32², rounded to 8 bits as OpenCV's fixed-point remap does.
                    let val = (acc + 512) >> 10;
                    *o = val as f32 * scale + lo;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4×3 photo whose red channel is 10·x + 60·y.
    fn ramp() -> Photo {
        let mut rgba = Vec::new();
        for y in 0..3u8 {
            for x in 0..4u8 {
                rgba.extend([10 * x + 60 * y, 0, 255, 255]);
            }
        }
        Photo::from_rgba(4, 3, rgba).unwrap()
    }

    #[test]
    fn samples_at_corner_plus_steps_rounded_to_8_bits() {
        // Side 2 over 2 tensor pixels: steps of one pixel from corner (0.3, 0.7).
        let roi = Roi {
            cx: 1.3,
            cy: 1.7,
            side: 2.0,
            angle: 0.0,
        };
        let t = sample(&ramp(), &roi, 2, Border::Replicate, [0.0, 255.0]);
        // (0.3, 0.7): 3 + 42 = 45; positions quantized to 1/32 (0.3 → 10/32 → 3.125,
        // 0.7 → 22/32 → 41.25; 44.375 rounds to 44).
        let red: Vec<f32> = t.chunks_exact(3).map(|p| p[0]).collect();
        assert_eq!(red, [44.0, 54.0, 104.0, 114.0]);
        assert!(t.chunks_exact(3).all(|p| p[1] == 0.0 && p[2] == 255.0));
    }

    #[test]
    fn half_step_positions_round_as_opencv_does() {
        // 1002 px over 128 samples: every odd sample lies half way between two 1/32
        // steps; OpenCV's matrix rounding sends some up and some down. Red marks odd
        // columns, green odd rows; the expected values are cv2.warpPerspective's
        // (opencv-python 4.11, MediaPipe's letterbox geometry).
        let (w, h) = (1002u32, 750u32);
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                rgba.extend([
                    if x % 2 == 1 { 255 } else { 0 },
                    if y % 2 == 1 { 255 } else { 0 },
                    0,
                    255,
                ]);
            }
        }
        let photo = Photo::from_rgba(w, h, rgba).unwrap();
        let roi = Roi {
            cx: 501.0,
            cy: 375.0,
            side: 1002.0,
            angle: 0.0,
        };
        let t = sample(&photo, &roi, 128, Border::Zero, [0.0, 255.0]);
        let red: Vec<f32> = (0..16).map(|u| t[(64 * 128 + u) * 3]).collect();
        let green: Vec<f32> = (40..56).map(|v| t[(v * 128 + 64) * 3 + 1]).collect();
        let want_red = [
            0, 48, 88, 135, 175, 223, 247, 199, 159, 112, 72, 24, 16, 64, 104, 151,
        ];
        let want_green = [
            223, 239, 199, 151, 112, 64, 24, 24, 64, 112, 151, 199, 239, 223, 183, 135,
        ];
        assert_eq!(red, want_red.map(|v| v as f32));
        assert_eq!(green, want_green.map(|v| v as f32));
    }

    #[test]
    fn zero_border_blends_into_black_and_replicate_clamps() {
        let roi = Roi {
            cx: -0.5,
            cy: 1.0,
            side: 2.0,
            angle: 0.0,
        };
        let z = sample(&ramp(), &roi, 2, Border::Zero, [0.0, 255.0]);
        let r = sample(&ramp(), &roi, 2, Border::Replicate, [0.0, 255.0]);
        // x = -1.5 is wholly outside; x = -0.5 is half on pixel 0.
        assert_eq!([z[0], z[3]], [0.0, 0.0]);
        assert_eq!([r[0], r[3]], [0.0, 0.0]);
        assert_eq!([z[6], z[9]], [0.0, 30.0]);
        assert_eq!([r[6], r[9]], [60.0, 60.0]);
    }
}
