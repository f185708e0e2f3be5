//! Follow-up photos made from a baseline: the injected lesions faded by known fractions in
//! optical density, a known similarity (rotation, scale, shift), an exposure change and a
//! white-balance change, then JPEG 85. Independent of the engine: all sampling and colour
//! maths is here or in `synth`/`real`.
//!
//! White balance: a change of the scene's colour temperature from `T0` to `T0 + ΔK` that the
//! camera does not correct, approximated by von Kries per-channel gains: the linear sRGB of
//! the Planckian white at each temperature (Kang et al. 2002's cubic fit of the Planckian
//! locus in CIE 1931 xy, Y = 1), divided channel by channel and normalised to green.

#![allow(clippy::needless_range_loop)]

use super::real::{Injected, LinearImage};

/// The temperature the baseline's camera balanced for, K.
pub const T0: f64 = 5500.0;

/// CIE 1931 xy of the Planckian radiator at `t` kelvin (1667–25000 K), Kang et al. 2002.
pub fn planck_xy(t: f64) -> [f64; 2] {
    let (t2, t3) = (t * t, t * t * t);
    let x = if t <= 4000.0 {
        -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
    } else {
        -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390
    };
    let y = if t <= 2222.0 {
        -1.1063814 * x.powi(3) - 1.34811020 * x * x + 2.18555832 * x - 0.20219683
    } else if t <= 4000.0 {
        -0.9549476 * x.powi(3) - 1.37418593 * x * x + 2.09137015 * x - 0.16748867
    } else {
        3.0817580 * x.powi(3) - 5.87338670 * x * x + 3.75112997 * x - 0.37001483
    };
    [x, y]
}

/// Linear sRGB of the Planckian white at `t` (Y = 1).
fn planck_rgb(t: f64) -> [f64; 3] {
    let [x, y] = planck_xy(t);
    let (cx, cy, cz) = (x / y, 1.0, (1.0 - x - y) / y);
    [
        3.2406 * cx - 1.5372 * cy - 0.4986 * cz,
        -0.9689 * cx + 1.8758 * cy + 0.0415 * cz,
        0.0557 * cx - 0.2040 * cy + 1.0570 * cz,
    ]
}

/// Per-channel gains of a scene lit at `T0 + dk` through a camera balanced for `T0`.
pub fn white_balance_gains(dk: f64) -> [f64; 3] {
    let (a, b) = (planck_rgb(T0), planck_rgb(T0 + dk));
    let r: [f64; 3] = std::array::from_fn(|k| b[k] / a[k]);
    r.map(|v| v / r[1])
}

/// A similarity: follow-up position = scale · R(angle) · baseline + shift.
#[derive(Debug, Clone, Copy)]
pub struct Similarity {
    pub angle_deg: f64,
    pub scale: f64,
    pub shift: [f64; 2],
}

impl Similarity {
    /// Baseline point → follow-up point (photo px, corner convention).
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        let (s, c) = self.angle_deg.to_radians().sin_cos();
        let k = self.scale;
        [
            k * (c * p[0] - s * p[1]) + self.shift[0],
            k * (s * p[0] + c * p[1]) + self.shift[1],
        ]
    }

    /// Follow-up point → baseline point.
    pub fn invert(&self, q: [f64; 2]) -> [f64; 2] {
        let (s, c) = self.angle_deg.to_radians().sin_cos();
        let (x, y) = (
            (q[0] - self.shift[0]) / self.scale,
            (q[1] - self.shift[1]) / self.scale,
        );
        [c * x + s * y, -s * x + c * y]
    }
}

/// The lesions added in density at `amplitude × (1 − fade)` each (fades in lesion order).
pub fn inject_faded(img: &LinearImage, lesions: &[Injected], fades: &[f64]) -> LinearImage {
    let mut out = img.clone();
    for (l, &fade) in lesions.iter().zip(fades) {
        let a = l.amplitude * (1.0 - fade);
        let reach = 0.65 * l.diameter + 1.0;
        let x0 = (l.centre[0] - reach).max(0.0) as usize;
        let x1 = ((l.centre[0] + reach) as usize).min(img.width - 1);
        let y0 = (l.centre[1] - reach).max(0.0) as usize;
        let y1 = ((l.centre[1] + reach) as usize).min(img.height - 1);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let p = l.profile(x as f64 + 0.5, y as f64 + 0.5);
                if p > 0.0 {
                    let px = &mut out.rgb[y * img.width + x];
                    for k in 0..3 {
                        px[k] *= (-a * p * l.direction[k]).exp();
                    }
                }
            }
        }
    }
    out
}

/// The image seen through `t` on a `w × h` frame (bilinear in linear light, edges
/// repeated), times per-channel `gain` (exposure × white balance), clipped at 1.
pub fn transform(
    img: &LinearImage,
    t: &Similarity,
    (w, h): (usize, usize),
    gain: [f64; 3],
) -> LinearImage {
    let mut rgb = vec![[0f64; 3]; w * h];
    for (i, px) in rgb.iter_mut().enumerate() {
        let q = [(i % w) as f64 + 0.5, (i / w) as f64 + 0.5];
        let p = t.invert(q);
        let (gx, gy) = (
            (p[0] - 0.5).clamp(0.0, (img.width - 1) as f64),
            (p[1] - 0.5).clamp(0.0, (img.height - 1) as f64),
        );
        let (x0, y0) = (gx.floor() as usize, gy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
        let (fx, fy) = (gx - x0 as f64, gy - y0 as f64);
        let at = |x: usize, y: usize| img.rgb[y * img.width + x];
        let (a, b, c, d) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
        for k in 0..3 {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bot = c[k] + (d[k] - c[k]) * fx;
            px[k] = ((top + (bot - top) * fy) * gain[k]).min(1.0);
        }
    }
    LinearImage {
        width: w,
        height: h,
        rgb,
    }
}
