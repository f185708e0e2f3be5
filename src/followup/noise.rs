//! How far an unchanged lesion's measured change can stray by chance: the null
//! distribution of [`crate::followup::change::measure`]'s numerator on this pair of photos.
//!
//! The numerator is the footprint's sum of the chromophore difference (follow-up −
//! baseline) less the footprint's size times the ring's median difference. On an
//! unchanged lesion it is noise: each photo's own sensor and JPEG noise, the resampling
//! of the follow-up, and the texture the registration leaves. That noise is spatially
//! correlated (JPEG works on 8×8 and 16×16 blocks, a working pixel on a 2×-downsampled
//! photo already mixes four), so a white-noise √n under-reads it several times. Instead
//! the same statistic is taken on virtual lesions (a disc outline, its footprint and
//! ring, grown as [`crate::followup::change::geometry`] grows a real one) placed at
//! random on clean skin of the difference image, for a ladder of sizes; its spread per
//! footprint size is the variance a lesion of that footprint has when nothing changed.
//! One pass over a few hundred small windows per plane: no whole-photo work per lesion.

use super::change::{geometry, MIN_RING_PX};
use crate::maths::stats::median;

/// Outline radii of the virtual lesions, working pixels.
pub const RADII: [f64; 9] = [1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 11.0, 16.0];
/// Virtual lesions kept per radius (and at most 4× as many tries).
pub const SAMPLES: usize = 96;
/// Fewest virtual lesions for a radius to count.
pub const MIN_SAMPLES: usize = 24;
/// The spread is read at this quantile of |numerator| and divided by the normal's value
/// there: the tails that decide whether a lesion reads within ±0.1, robust to the odd
/// virtual lesion that straddles a feature.
pub const QUANTILE: f64 = 0.9;
const NORMAL_AT_QUANTILE: f64 = 1.6449;

/// The null spread of the numerator per footprint size, for one chromophore plane.
#[derive(Debug, Clone)]
pub struct NullModel {
    /// (footprint pixels, variance of the numerator), footprint size ascending.
    points: Vec<(f64, f64)>,
    /// Robust σ of the per-pixel difference over clean skin (for local scaling).
    pub pixel_sigma: f64,
}

impl NullModel {
    /// Variance of the numerator for a footprint of `n` pixels (log-log interpolation;
    /// beyond the ladder, extrapolated with the last step's slope held within 1 (white
    /// noise) and 2 (fully correlated)).
    pub fn variance(&self, n: f64) -> f64 {
        let p = &self.points;
        let slope = |a: (f64, f64), b: (f64, f64)| {
            ((b.1.ln() - a.1.ln()) / (b.0.ln() - a.0.ln())).clamp(1.0, 2.0)
        };
        let at = |a: (f64, f64), k: f64| (a.1.ln() + k * (n.ln() - a.0.ln())).exp();
        match p.len() {
            0 => f64::INFINITY,
            1 => at(p[0], 1.0),
            _ if n <= p[0].0 => at(p[0], slope(p[0], p[1])),
            _ => {
                let j = p
                    .iter()
                    .position(|q| q.0 >= n)
                    .unwrap_or(p.len() - 1)
                    .max(1);
                let (a, b) = (p[j - 1], p[j]);
                if n >= b.0 {
                    return at(b, slope(a, b));
                }
                let t = (n.ln() - a.0.ln()) / (b.0.ln() - a.0.ln());
                (a.1.ln() + t * (b.1.ln() - a.1.ln())).exp()
            }
        }
    }
}

/// Pixel offsets from a centre.
type Offsets = Vec<(i32, i32)>;

/// Pixel offsets of a virtual lesion of outline radius `r`: footprint, ring.
fn stencil(r: f64) -> (Offsets, Offsets) {
    let (grow, r0, r1) = geometry(r);
    let m = (r + r1).ceil() as i32 + 1;
    let (mut foot, mut ring) = (Vec::new(), Vec::new());
    for dy in -m..=m {
        for dx in -m..=m {
            // Distance beyond the outline (`measure` reads it by a chamfer transform, about the same).
            let d = ((dx * dx + dy * dy) as f64).sqrt() - r;
            if d <= grow {
                foot.push((dx, dy));
            } else if d >= r0 && d <= r1 {
                ring.push((dx, dy));
            }
        }
    }
    (foot, ring)
}

/// The null model of `diff(i)` (follow-up − baseline at frame pixel `i`) over the `clean`
/// pixels (`clean_list` their indices) of a `w`-wide frame.
pub fn null_model(
    diff: impl Fn(usize) -> f32,
    clean: &[bool],
    clean_list: &[usize],
    w: usize,
) -> Option<NullModel> {
    if clean_list.len() < 64 {
        return None;
    }
    let h = clean.len() / w;
    let step = (clean_list.len() / 20_000).max(1);
    let mut v: Vec<f32> = clean_list.iter().step_by(step).map(|&i| diff(i)).collect();
    let m = median(&mut v);
    let mut dev: Vec<f32> = v.iter().map(|x| (x - m).abs()).collect();
    let pixel_sigma = (median(&mut dev) as f64 * 1.4826).max(1e-9);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut points = Vec::new();
    let mut ringv: Vec<f32> = Vec::new();
    for r in RADII {
        let (foot, ring) = stencil(r);
        let reach = foot
            .iter()
            .chain(&ring)
            .map(|&(x, y)| x.abs().max(y.abs()))
            .max()
            .unwrap_or(0) as usize;
        let mut nums = Vec::new();
        for _ in 0..4 * SAMPLES {
            if nums.len() >= SAMPLES {
                break;
            }
            let c = clean_list[(next() % clean_list.len() as u64) as usize];
            let (cx, cy) = (c % w, c / w);
            if cx < reach || cy < reach || cx + reach >= w || cy + reach >= h {
                continue;
            }
            let at = |(dx, dy): (i32, i32)| {
                (cy as i64 + dy as i64) as usize * w + (cx as i64 + dx as i64) as usize
            };
            if !foot.iter().all(|&o| clean[at(o)]) {
                continue;
            }
            ringv.clear();
            ringv.extend(ring.iter().map(|&o| at(o)).filter(|&i| clean[i]).map(&diff));
            if ringv.len() < MIN_RING_PX {
                continue;
            }
            let level = median(&mut ringv);
            let sum: f64 = foot.iter().map(|&o| (diff(at(o)) - level) as f64).sum();
            nums.push(sum.abs());
        }
        if nums.len() < MIN_SAMPLES {
            break;
        }
        nums.sort_by(f64::total_cmp);
        let q = nums[((nums.len() - 1) as f64 * QUANTILE).round() as usize] / NORMAL_AT_QUANTILE;
        points.push((foot.len() as f64, (q * q).max(1e-12)));
    }
    (!points.is_empty()).then_some(NullModel {
        points,
        pixel_sigma,
    })
}
