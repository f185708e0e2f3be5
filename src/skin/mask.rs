//! Automatic soft skin mask, built from the photo itself.
//!
//! Colour rules alone (Kovac, Chai–Ngan) fail on dark skin and in shade, so the model is
//! learnt per photo: loosely skin-hued pixels near the image centre seed a robust
//! Gaussian in (melanin, hemoglobin) space, which is shading-invariant by construction.
//! Pigmented or red lesions are allowed a one-sided excess; small enclosed holes that
//! look like lesions are filled; hair, eyes, lips, cloth and background fall outside.

use crate::maths::components;
use crate::maths::planes::Plane;
use crate::photo::colour;
use crate::photo::Photo;
use crate::skin::chromophores::Chromophores;
use serde::Serialize;

/// How a user's mask combines with the automatic one; the CLI and the page name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum UserMaskMode {
    /// `narrow`: analyse only where both agree (the CLI's default for `--mask`).
    Narrow,
    /// `replace`: use the user's mask as it is (the page's brush and eraser).
    Replace,
}

impl UserMaskMode {
    /// The mode's name, as the CLI and the page spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            UserMaskMode::Narrow => "narrow",
            UserMaskMode::Replace => "replace",
        }
    }
}

impl std::str::FromStr for UserMaskMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "narrow" => Ok(UserMaskMode::Narrow),
            "replace" => Ok(UserMaskMode::Replace),
            other => Err(format!(
                "Unknown mask mode '{other}': use narrow (keep only skin both masks agree on) or replace (use the mask as it is)."
            )),
        }
    }
}

/// The skin model learnt from a photo.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SkinModel {
    /// Mean (melanin, hemoglobin) of skin.
    pub mean: [f32; 2],
    /// Inverse covariance (a, b, c) of [[a b] [b c]].
    pub inv_cov: [f32; 3],
}

/// A soft (0..1) and a binary skin mask.
#[derive(Debug, Clone)]
pub struct SkinMask {
    /// Soft membership, feathered at edges.
    pub soft: Plane,
    /// Binary membership (soft ≥ 0.5 before feathering).
    pub binary: Vec<bool>,
    /// The model, if one could be learnt.
    pub model: Option<SkinModel>,
    /// Pixels that fit the model without the lesion allowances (plain skin colour); all
    /// of a user's override mask.
    pub core: Vec<bool>,
}

impl SkinMask {
    /// Number of skin pixels.
    pub fn area(&self) -> usize {
        self.binary.iter().filter(|b| **b).count()
    }

    /// Weights for averages over skin: the mask's edge pixels, often part hair, eye or
    /// background, count little (about 0 at the edge, 0.6 one pixel in, 1 beyond).
    pub fn interior(&self) -> Plane {
        let (w, h) = (self.soft.width, self.soft.height);
        let mut near = Plane::from_vec(w, h, self.binary.iter().map(|&b| b as u8 as f32).collect());
        near.blur(1.0);
        let data = near
            .data
            .iter()
            .zip(&self.binary)
            .map(|(n, &b)| {
                if b {
                    (3.0 * n - 2.0).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect();
        Plane::from_vec(w, h, data)
    }
}

/// Melanin excess a lesion may have over the skin model and still count as skin.
const MELANIN_ALLOWANCE: f32 = 1.6;
/// Hemoglobin excess allowed (red scars yes, lips no).
const HEMOGLOBIN_ALLOWANCE: f32 = 1.0;

/// Builds the automatic mask; combines it with a user mask (white = skin) when given.
pub fn skin_mask(
    photo: &Photo,
    chrom: &Chromophores,
    user: Option<(&[bool], UserMaskMode)>,
) -> SkinMask {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    if let Some((m, UserMaskMode::Replace)) = user {
        return finish(m.to_vec(), m.to_vec(), w, h, None);
    }
    let model = learn_model(photo, chrom);
    let (mut binary, core) = match model {
        Some(m) => classify(photo, chrom, &m),
        None => (vec![false; w * h], vec![false; w * h]),
    };
    if let Some((m, _)) = user {
        for (b, u) in binary.iter_mut().zip(m) {
            *b &= *u;
        }
    }
    finish(binary, core, w, h, model)
}

fn finish(
    binary: Vec<bool>,
    core: Vec<bool>,
    w: usize,
    h: usize,
    model: Option<SkinModel>,
) -> SkinMask {
    let mut soft = Plane::from_vec(w, h, binary.iter().map(|&b| b as u8 as f32).collect());
    soft.blur(feather_sigma(w, h));
    for (s, &b) in soft.data.iter_mut().zip(&binary) {
        // Feather inward only, so no pixel outside the binary mask gets weight.
        *s = if b { (2.0 * *s).min(1.0) } else { 0.0 };
    }
    SkinMask {
        soft,
        binary,
        model,
        core,
    }
}

/// Feathering width: about 0.4% of the short side, at least one pixel.
pub fn feather_sigma(w: usize, h: usize) -> f32 {
    (w.min(h) as f32 * 0.004).max(1.0)
}

/// tan 12° and tan 80°: the seeds' hue bounds, as constants because the test runs per sample.
const SEED_HUE_TANS: (f64, f64) = (0.212_556_561_670_022_13, 5.671_281_819_617_707);

/// How skin-like an 8-bit colour is for seeding (0 = not at all): skin of every tone has
/// a hue of about 12–80° and, from the blood in it, a clearly red a*; beige walls,
/// wood and sand mostly do not.
fn seed_weight(rgb: [u8; 3]) -> f32 {
    let lab = colour::srgb8_to_lab(rgb);
    // Chroma 6–50 and hue 12–80° without a square root or an arctangent: the hue test is
    // a* > 0 and tan 12° ≤ b*/a* ≤ tan 80°.
    let chroma2 = lab.a * lab.a + lab.b * lab.b;
    let (lo, hi) = SEED_HUE_TANS;
    let plausible = (8.0..=96.0).contains(&lab.l)
        && (36.0..=2500.0).contains(&chroma2)
        && lab.a > 0.0
        && (lo * lab.a..=hi * lab.a).contains(&lab.b);
    if plausible {
        ((lab.a - 5.0) / 6.0).clamp(0.0, 1.0) as f32
    } else {
        0.0
    }
}

/// Fine-scale texture energy of the shading plane: mean |s − blur(s)| nearby.
/// Skin has pores and micro-relief; painted walls and out-of-focus backgrounds do not.
fn texture_energy(shading: &Plane) -> Plane {
    let mut low = shading.clone();
    low.blur(1.0);
    let mut t = Plane::from_vec(
        low.width,
        low.height,
        shading
            .data
            .iter()
            .zip(&low.data)
            .map(|(s, l)| (s - l).abs())
            .collect(),
    );
    t.blur(3.0);
    t
}

fn learn_model(photo: &Photo, chrom: &Chromophores) -> Option<SkinModel> {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let stride = (w * h / 60_000).max(1);
    // Portraits put the face in the upper middle; the prior is broad.
    let (cx, cy, sigma) = (w as f32 / 2.0, h as f32 * 0.38, 0.25 * w.min(h) as f32);
    let texture = texture_energy(&chrom.shading);
    // Seeds: skin-hued samples, weighted toward the centre and toward textured surfaces.
    let mut seeds: Vec<([f32; 2], f32)> = Vec::new();
    let mut tex = Vec::new();
    for (i, px) in photo.rgba().chunks_exact(4).enumerate().step_by(stride) {
        let hue_weight = seed_weight([px[0], px[1], px[2]]);
        if px[3] < 128 || hue_weight <= 0.0 {
            continue;
        }
        let (x, y) = ((i % w) as f32 - cx, (i / w) as f32 - cy);
        let weight = hue_weight * (-(x * x + y * y) / (2.0 * sigma * sigma)).exp();
        seeds.push(([chrom.melanin.data[i], chrom.hemoglobin.data[i]], weight));
        tex.push(texture.data[i]);
    }
    if seeds.is_empty() {
        return None;
    }
    // Keep the more textured half of the seeds (all of them on a flat image).
    let typical = crate::maths::stats::median(&mut tex.clone());
    for (s, t) in seeds.iter_mut().zip(&tex) {
        s.1 *= if *t >= typical {
            1.0 + (t / typical.max(1e-9)).min(2.0)
        } else {
            0.0
        };
    }
    seeds.retain(|s| s.1 > 0.0);
    if seeds.len() < 50 {
        return None;
    }
    let mode = weighted_mode(&seeds);
    // Mean-shift from the mode inside a fixed window (σ 0.18 per axis), so the model
    // cannot grow into neighbouring clusters (walls, cloth); then one covariance fit.
    let window = [1.0 / 0.0324, 0.0, 1.0 / 0.0324];
    let mut model = SkinModel {
        mean: mode,
        inv_cov: window,
    };
    for _ in 0..4 {
        model = SkinModel {
            mean: fit(&seeds, &model, 6.0)?.mean,
            inv_cov: window,
        };
    }
    fit(&seeds, &model, 6.0)
}

/// Peak of a weighted 2-D histogram of seed features (the dominant skin colour).
/// Bins are 0.04 density units wide over the 5th–95th percentile range.
fn weighted_mode(seeds: &[([f32; 2], f32)]) -> [f32; 2] {
    const WIDTH: f32 = 0.04;
    const MAX_BINS: usize = 128;
    let pct = |k: usize, q: f32| {
        let mut v: Vec<f32> = seeds.iter().map(|s| s.0[k]).collect();
        let i = ((v.len() - 1) as f32 * q) as usize;
        *v.select_nth_unstable_by(i, f32::total_cmp).1
    };
    let lo = [0, 1].map(|k| pct(k, 0.05));
    let bins =
        [0, 1].map(|k| (((pct(k, 0.95) - lo[k]) / WIDTH).ceil() as usize).clamp(1, MAX_BINS));
    let mut hist = Plane::filled(bins[1], bins[0], 0.0);
    for (f, wgt) in seeds {
        let b = [0, 1].map(|k| (f[k] - lo[k]) / WIDTH);
        if b.iter()
            .zip(bins)
            .all(|(v, n)| *v >= 0.0 && (*v as usize) < n)
        {
            hist.data[b[0] as usize * bins[1] + b[1] as usize] += wgt;
        }
    }
    hist.blur(1.5);
    let best = (0..hist.data.len()).fold(0, |b, i| if hist.data[i] > hist.data[b] { i } else { b });
    [
        lo[0] + ((best / bins[1]) as f32 + 0.5) * WIDTH,
        lo[1] + ((best % bins[1]) as f32 + 0.5) * WIDTH,
    ]
}

/// One robust refit: weighted mean and covariance of seeds within `d2_max` of the model.
fn fit(seeds: &[([f32; 2], f32)], model: &SkinModel, d2_max: f32) -> Option<SkinModel> {
    let inside: Vec<&([f32; 2], f32)> = seeds
        .iter()
        .filter(|s| distance2(model, s.0) <= d2_max)
        .collect();
    let total: f32 = inside.iter().map(|s| s.1).sum();
    if inside.len() < 30 || total <= 0.0 {
        return None;
    }
    let mean = [0, 1].map(|k| inside.iter().map(|s| s.0[k] * s.1).sum::<f32>() / total);
    let cov = |a: usize, b: usize| {
        inside
            .iter()
            .map(|s| (s.0[a] - mean[a]) * (s.0[b] - mean[b]) * s.1)
            .sum::<f32>()
            / total
    };
    // Trimming at 2.45σ shrinks variance; inflate back, and keep a floor against flat images.
    let floor = 1e-4;
    let (a, b, c) = (
        cov(0, 0) * 1.3 + floor,
        cov(0, 1) * 1.3,
        cov(1, 1) * 1.3 + floor,
    );
    let det = a * c - b * b;
    if det <= 0.0 || !det.is_finite() {
        return None;
    }
    Some(SkinModel {
        mean,
        inv_cov: [c / det, -b / det, a / det],
    })
}

fn distance2(m: &SkinModel, f: [f32; 2]) -> f32 {
    let (dx, dy) = (f[0] - m.mean[0], f[1] - m.mean[1]);
    m.inv_cov[0] * dx * dx + 2.0 * m.inv_cov[1] * dx * dy + m.inv_cov[2] * dy * dy
}

/// Distance² with one-sided allowances for melanin and hemoglobin excess.
fn lesion_tolerant_distance2(m: &SkinModel, f: [f32; 2]) -> f32 {
    let shrink = |v: f32, mean: f32, allow: f32| {
        if v > mean {
            mean + (v - mean - allow).max(0.0)
        } else {
            v
        }
    };
    distance2(
        m,
        [
            shrink(f[0], m.mean[0], MELANIN_ALLOWANCE),
            shrink(f[1], m.mean[1], HEMOGLOBIN_ALLOWANCE),
        ],
    )
}

/// Whether a colour could be skin of any tone at all (hue, chroma and lightness box),
/// from a 32×32×32 table so the full-resolution pass stays cheap.
fn plausible(px: &[u8]) -> bool {
    static LUT: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let lut = LUT.get_or_init(|| {
        (0..32 * 32 * 32)
            .map(|i| {
                let q = |v: usize| (v * 8 + 4) as u8;
                let lab = colour::srgb8_to_lab([q(i >> 10), q((i >> 5) & 31), q(i & 31)]);
                let chroma = lab.a.hypot(lab.b);
                let hue = lab.b.atan2(lab.a).to_degrees();
                (6.0..=97.0).contains(&lab.l)
                    && (4.0..=55.0).contains(&chroma)
                    && (5.0..=85.0).contains(&hue)
            })
            .collect()
    });
    lut[((px[0] as usize >> 3) << 10) | ((px[1] as usize >> 3) << 5) | (px[2] as usize >> 3)]
}

/// The binary skin mask, and the pixels fitting the model without lesion allowances.
fn classify(photo: &Photo, chrom: &Chromophores, model: &SkinModel) -> (Vec<bool>, Vec<bool>) {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let mut score = Plane::filled(w, h, 0.0);
    // Pixels that fit the model without the lesion allowances.
    let mut core = vec![false; w * h];
    for (i, px) in photo.rgba().chunks_exact(4).enumerate() {
        if px[3] < 128 || !plausible(px) {
            continue;
        }
        let f = [chrom.melanin.data[i], chrom.hemoglobin.data[i]];
        let d2 = lesion_tolerant_distance2(model, f);
        let (full, zero) = skin_radii2();
        score.data[i] = ((zero - d2) / (zero - full)).clamp(0.0, 1.0);
        core[i] = distance2(model, f) <= zero;
    }
    score.blur(feather_sigma(w, h));
    let mut binary: Vec<bool> = score.data.iter().map(|&s| s >= 0.5).collect();
    drop_lesion_only_regions(&mut binary, &core, w, h);
    clean(&mut binary, w, h);
    (binary, core)
}

/// Mahalanobis distances² from the skin model where membership starts to fall (4.2σ) and
/// reaches 0 (6.3σ). The former 3σ / 4.5σ cut real faces' noses, temples and half the
/// forehead out (their colour moves with light and shading); the real-photo benchmark
/// found dark-skin spots at ΔE00 8 in 50% of cases instead of 23% with these.
fn skin_radii2() -> (f32, f32) {
    (17.64, 39.69)
}

/// Drops regions that are skin only thanks to the lesion allowances: a spot or a red
/// scar lies within normal skin, whereas a red flag or a brown coat stands alone.
fn drop_lesion_only_regions(binary: &mut [bool], core: &[bool], w: usize, h: usize) {
    let (labels, comps) = components::label(binary, w, h);
    let mut core_count = vec![0usize; comps.len()];
    for (&l, &c) in labels.iter().zip(core) {
        if l > 0 && c {
            core_count[l as usize - 1] += 1;
        }
    }
    let keep: Vec<bool> = comps
        .iter()
        .zip(&core_count)
        .map(|(c, &n)| 2 * n >= c.area)
        .collect();
    for (b, &l) in binary.iter_mut().zip(&labels) {
        if l > 0 && !keep[l as usize - 1] {
            *b = false;
        }
    }
}

/// Drops specks and fills small enclosed holes.
fn clean(binary: &mut [bool], w: usize, h: usize) {
    let total = w * h;
    let (labels, comps) = components::label(binary, w, h);
    let largest = comps.iter().map(|c| c.area).max().unwrap_or(0);
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| c.area * 5 >= largest && c.area * 1000 >= total)
        .collect();
    for (b, &l) in binary.iter_mut().zip(&labels) {
        if l > 0 && !keep[l as usize - 1] {
            *b = false;
        }
    }
    let holes: Vec<bool> = binary.iter().map(|b| !b).collect();
    let (hl, hc) = components::label(&holes, w, h);
    let fill: Vec<bool> = hc
        .iter()
        .map(|c| !c.touches_border && c.area * 2000 <= total)
        .collect();
    for (b, &l) in binary.iter_mut().zip(&hl) {
        if l > 0 && fill[l as usize - 1] {
            *b = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_hue_bounds_are_the_tangents_of_12_and_80_degrees() {
        let (lo, hi) = SEED_HUE_TANS;
        assert!((lo - 12f64.to_radians().tan()).abs() < 1e-15);
        assert!((hi - 80f64.to_radians().tan()).abs() < 1e-14);
    }
}
