//! SharpnessMatch matching: before lesions are measured, the sharper of the two photos is
//! blurred to the other's sharpness. A follow-up taken a little out of focus, from
//! farther away, or resampled by the registration spreads a small lesion's excess beyond
//! its footprint; unmatched, that reads as the lesion fading.
//!
//! The blur is found on tiles of clean skin, in linear light: the Gaussian σ (on either
//! photo) that leaves the least difference between them, each tile's mean difference
//! removed. It is applied in linear light too: a lens mixes light, not optical density,
//! and a small dark lesion blurred in light loses density excess that a blur in density
//! would keep.

use crate::maths::planes::Plane;
use serde::Serialize;

/// Largest blur tried, working pixels.
pub const MAX_SIGMA: f32 = 2.0;
/// Tile side, working pixels.
pub const TILE: usize = 24;
/// Most tiles the blur is estimated on.
pub const MAX_TILES: usize = 64;
/// A tile counts when at least this share of it is clean skin.
pub const MIN_CLEAN_SHARE: f32 = 0.5;
/// Above this blur (working pixels) people are told that fine detail is compared at the
/// lower sharpness.
pub const WARN_SIGMA: f32 = 1.0;

/// Which photo was blurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum BlurredPhoto {
    /// Both equally sharp (or too little skin to tell).
    None,
    /// The baseline was sharper.
    Baseline,
    /// The follow-up was sharper.
    Followup,
}

/// The sharpness match applied.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SharpnessMatch {
    /// Which photo was blurred before measuring.
    pub blurred: BlurredPhoto,
    /// The Gaussian σ applied, baseline photo pixels.
    pub sigma_px: f64,
    /// Skin tiles the blur was estimated on.
    pub tiles: usize,
    /// The same σ in working pixels (internal).
    #[serde(skip)]
    pub sigma_work: f32,
}

impl SharpnessMatch {
    /// No blur applied.
    pub fn none(tiles: usize) -> Self {
        Self {
            blurred: BlurredPhoto::None,
            sigma_px: 0.0,
            tiles,
            sigma_work: 0.0,
        }
    }
}

/// A normalised 1-D kernel of variance σ²: three taps for small σ (exact variance), else a
/// sampled Gaussian to 3σ.
pub fn kernel(sigma: f32) -> Vec<f32> {
    if sigma <= 0.0 {
        return vec![1.0];
    }
    if sigma < 0.8 {
        let a = sigma * sigma / 2.0;
        return vec![a, 1.0 - 2.0 * a, a];
    }
    let r = (3.0 * sigma).ceil() as i32;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    k.into_iter().map(|v| v / s).collect()
}

/// Separable convolution of a `w × h` window (edges repeated).
fn convolve(v: &[f32], w: usize, h: usize, k: &[f32]) -> Vec<f32> {
    let r = (k.len() / 2) as isize;
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        let row = &v[y * w..(y + 1) * w];
        for x in 0..w {
            let mut s = 0.0;
            for (j, &kj) in k.iter().enumerate() {
                let xx = (x as isize + j as isize - r).clamp(0, w as isize - 1) as usize;
                s += kj * row[xx];
            }
            tmp[y * w + x] = s;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for (j, &kj) in k.iter().enumerate() {
                let yy = (y as isize + j as isize - r).clamp(0, h as isize - 1) as usize;
                s += kj * tmp[yy * w + x];
            }
            out[y * w + x] = s;
        }
    }
    out
}

/// `p` blurred by σ inside `bbox` (x0, y0, x1, y1 exclusive; pixels outside copied);
/// with `valid`, only valid pixels contribute and the weights are renormalised.
pub fn blur_in(p: &Plane, sigma: f32, bbox: [usize; 4], valid: Option<&[bool]>) -> Plane {
    let mut out = p.clone();
    let k = kernel(sigma);
    if k.len() == 1 {
        return out;
    }
    let r = k.len() / 2;
    let (w, h) = (p.width, p.height);
    let x0 = bbox[0].saturating_sub(r);
    let y0 = bbox[1].saturating_sub(r);
    let (x1, y1) = ((bbox[2] + r).min(w), (bbox[3] + r).min(h));
    if x0 >= x1 || y0 >= y1 {
        return out;
    }
    let (ww, wh) = (x1 - x0, y1 - y0);
    let at = |x: usize, y: usize| (y0 + y) * w + x0 + x;
    let ok = |i: usize| valid.is_none_or(|m| m[i]);
    let vals: Vec<f32> = (0..ww * wh)
        .map(|j| {
            let i = at(j % ww, j / ww);
            if ok(i) {
                p.data[i]
            } else {
                0.0
            }
        })
        .collect();
    let num = convolve(&vals, ww, wh, &k);
    let den = valid.map(|_| {
        let m: Vec<f32> = (0..ww * wh)
            .map(|j| f32::from(u8::from(ok(at(j % ww, j / ww)))))
            .collect();
        convolve(&m, ww, wh, &k)
    });
    for y in bbox[1].max(y0)..bbox[3].min(y1) {
        for x in bbox[0].max(x0)..bbox[2].min(x1) {
            let (j, i) = ((y - y0) * ww + x - x0, y * w + x);
            if !ok(i) {
                continue;
            }
            out.data[i] = match &den {
                Some(d) if d[j] > 1e-6 => num[j] / d[j],
                Some(_) => p.data[i],
                None => num[j],
            };
        }
    }
    out
}

/// Density planes blurred in linear light (a lens mixes light, not density), inside
/// `bbox`, only `valid` pixels contributing when given.
pub fn blur_density(
    d: [&Plane; 3],
    sigma: f32,
    bbox: [usize; 4],
    valid: Option<&[bool]>,
) -> [Plane; 3] {
    d.map(|p| {
        let lin = Plane::from_vec(
            p.width,
            p.height,
            p.data.iter().map(|v| (-v).exp()).collect(),
        );
        let b = blur_in(&lin, sigma, bbox, valid);
        Plane::from_vec(
            p.width,
            p.height,
            b.data.iter().map(|v| -v.max(1e-4).ln()).collect(),
        )
    })
}

/// One tile's windows, padded by the largest kernel's reach.
struct Tile {
    base: Vec<f32>,
    follow: Vec<f32>,
    clean: Vec<bool>,
}

/// Finds the blur that matches the two photos' sharpness. `base`/`follow` are one
/// linear-light plane each (the same channel mix), `clean` the skin outside every lesion that the
/// follow-up covers, `covered` what the follow-up covers; `scale` photo px per working px.
pub fn estimate(
    base: &Plane,
    follow: &Plane,
    clean: &[bool],
    covered: &[bool],
    scale: usize,
) -> SharpnessMatch {
    let tiles = tiles(base, follow, clean, covered);
    if tiles.is_empty() {
        return SharpnessMatch::none(0);
    }
    // t > 0 blurs the baseline by t, t < 0 the follow-up by −t.
    let cost = |t: f32| -> f64 {
        let k = kernel(t.abs());
        let side = |tile: &Tile| -> (Vec<f32>, Vec<f32>) {
            let n = TILE + 2 * pad();
            if t > 0.0 {
                (convolve(&tile.base, n, n, &k), tile.follow.clone())
            } else if t < 0.0 {
                (tile.base.clone(), convolve(&tile.follow, n, n, &k))
            } else {
                (tile.base.clone(), tile.follow.clone())
            }
        };
        tiles
            .iter()
            .map(|tile| {
                let (b, f) = side(tile);
                let d: Vec<f64> = inner()
                    .filter(|&j| tile.clean[j])
                    .map(|j| (b[j] - f[j]) as f64)
                    .collect();
                let m = d.iter().sum::<f64>() / d.len().max(1) as f64;
                d.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
            })
            .sum()
    };
    let mut best = (0.0f32, cost(0.0));
    let consider = |t: f32, best: &mut (f32, f64)| {
        if t.abs() <= MAX_SIGMA {
            let c = cost(t);
            if c < best.1 {
                *best = (t, c);
            }
        }
    };
    for i in 1..=4 {
        let t = i as f32 * 0.5;
        consider(t, &mut best);
        consider(-t, &mut best);
    }
    for step in [0.25f32, 0.125] {
        let c = best.0;
        consider(c - step, &mut best);
        consider(c + step, &mut best);
    }
    let t = best.0;
    SharpnessMatch {
        blurred: if t > 0.0 {
            BlurredPhoto::Baseline
        } else if t < 0.0 {
            BlurredPhoto::Followup
        } else {
            BlurredPhoto::None
        },
        sigma_px: (t.abs() * scale as f32) as f64,
        tiles: tiles.len(),
        sigma_work: t.abs(),
    }
}

fn pad() -> usize {
    (3.0 * MAX_SIGMA).ceil() as usize
}

/// Indices of a padded tile's inner pixels.
fn inner() -> impl Iterator<Item = usize> {
    let (p, n) = (pad(), TILE + 2 * pad());
    (p..p + TILE).flat_map(move |y| (p..p + TILE).map(move |x| y * n + x))
}

/// Up to [`MAX_TILES`] tiles of clean skin, spread evenly, whose padded windows the
/// follow-up covers.
fn tiles(base: &Plane, follow: &Plane, clean: &[bool], covered: &[bool]) -> Vec<Tile> {
    let (w, h, p) = (base.width, base.height, pad());
    let n = TILE + 2 * p;
    if w < n || h < n {
        return Vec::new();
    }
    let mut origins = Vec::new();
    for y in (0..=h - n).step_by(TILE) {
        for x in (0..=w - n).step_by(TILE) {
            let idx = |j: usize| (y + j / n) * w + x + j % n;
            let c = inner().filter(|&j| clean[idx(j)]).count();
            if c as f32 >= MIN_CLEAN_SHARE * (TILE * TILE) as f32
                && (0..n * n).all(|j| covered[idx(j)])
            {
                origins.push((x, y));
            }
        }
    }
    let stride = origins.len().div_ceil(MAX_TILES).max(1);
    origins
        .into_iter()
        .step_by(stride)
        .map(|(x, y)| {
            let idx = |j: usize| (y + j / n) * w + x + j % n;
            Tile {
                base: (0..n * n).map(|j| base.data[idx(j)]).collect(),
                follow: (0..n * n).map(|j| follow.data[idx(j)]).collect(),
                clean: (0..n * n).map(|j| clean[idx(j)]).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texture(w: usize, h: usize) -> Plane {
        let mut s = 12345u64;
        Plane::from_vec(
            w,
            h,
            (0..w * h)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (s >> 40) as f32 / (1u64 << 24) as f32
                })
                .collect(),
        )
    }

    #[test]
    fn kernels_have_the_variance_asked_for() {
        for sigma in [0.25f32, 0.5, 0.75, 1.0, 1.5, 2.0] {
            let k = kernel(sigma);
            let r = (k.len() / 2) as f32;
            let var: f32 = k
                .iter()
                .enumerate()
                .map(|(i, v)| v * (i as f32 - r).powi(2))
                .sum();
            assert!((k.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!((var.sqrt() - sigma).abs() < 0.02, "{sigma}: {}", var.sqrt());
        }
    }

    #[test]
    fn finds_the_blur_on_either_side() {
        let (w, h) = (160, 120);
        let sharp = texture(w, h);
        let all = vec![true; w * h];
        let bbox = [0, 0, w, h];
        for sigma in [0.5f32, 1.0, 1.5] {
            let soft = blur_in(&sharp, sigma, bbox, None);
            let got = estimate(&sharp, &soft, &all, &all, 2);
            assert_eq!(got.blurred, BlurredPhoto::Baseline, "{sigma}");
            assert!((got.sigma_work - sigma).abs() <= 0.13, "{sigma}: {got:?}");
            assert!((got.sigma_px - 2.0 * got.sigma_work as f64).abs() < 1e-6);
            let got = estimate(&soft, &sharp, &all, &all, 1);
            assert_eq!(got.blurred, BlurredPhoto::Followup, "{sigma}");
            assert!((got.sigma_work - sigma).abs() <= 0.13, "{sigma}: {got:?}");
        }
        let same = estimate(&sharp, &sharp, &all, &all, 1);
        assert_eq!(same.blurred, BlurredPhoto::None);
    }

    #[test]
    fn masked_blur_ignores_invalid_pixels() {
        let (w, h) = (20, 10);
        let mut p = Plane::filled(w, h, 1.0);
        let valid: Vec<bool> = (0..w * h).map(|i| i % w < 10).collect();
        for (i, v) in p.data.iter_mut().enumerate() {
            if !valid[i] {
                *v = 0.0;
            }
        }
        let b = blur_in(&p, 1.5, [0, 0, w, h], Some(&valid));
        for (i, v) in b.data.iter().enumerate() {
            if valid[i] {
                assert!((v - 1.0).abs() < 1e-5, "{i}: {v}");
            }
        }
    }
}
