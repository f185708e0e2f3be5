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

/// The skin mask's tuning numbers; [`MaskParams::DEFAULT`] is what the analysis uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskParams {
    /// Melanin excess a lesion may have over the skin model and still count as skin.
    /// Chosen by hand; not measured.
    pub melanin_allowance: f32,
    /// Hemoglobin excess allowed (red scars yes, lips no). Chosen by hand; not measured.
    pub hemoglobin_allowance: f32,
    /// Feathering σ as a share of the short side (about 0.4%). Chosen by hand; not measured.
    pub feather: f32,
    /// Least feathering σ, px.
    pub feather_min: f32,
    /// About how many pixels the seeds are sampled from (for speed).
    pub seed_samples: usize,
    /// Seeds' lightness range, L*: excludes black and blown-out pixels. Chosen by hand; not measured.
    pub seed_lightness: (f64, f64),
    /// Seeds' chroma² range (chroma 6–50). Chosen by hand; not measured.
    pub seed_chroma2: (f64, f64),
    /// a* at which a seed's weight starts to rise, and the a* span over which it reaches 1:
    /// skin's blood makes its a* clearly red. Chosen by hand; not measured.
    pub seed_redness: (f64, f64),
    /// Alpha below which a pixel is transparent and never skin.
    pub min_alpha: u8,
    /// Height of the seeds' centre prior as a share of the photo's height (portraits put
    /// the face in the upper middle). Chosen by hand; not measured.
    pub centre_height: f32,
    /// σ of the seeds' centre prior as a share of the short side (broad). Chosen by hand;
    /// not measured.
    pub centre_sigma: f32,
    /// σ (px) of the blur that texture energy takes the fine detail above. Chosen by hand; not measured.
    pub texture_fine: f32,
    /// σ (px) over which texture energy is averaged. Chosen by hand; not measured.
    pub texture_spread: f32,
    /// Most extra weight the more textured seeds get, in multiples of the median texture.
    /// Chosen by hand; not measured.
    pub texture_boost: f32,
    /// Fewest seeds a model is learnt from. Chosen by hand; not measured.
    pub min_seeds: usize,
    /// Variance per axis of the mean-shift window (σ 0.18 density units), so the model
    /// cannot grow into neighbouring clusters (walls, cloth). Chosen by hand; not measured.
    pub window_variance: f32,
    /// Mean-shift steps before the covariance fit. Chosen by hand; not measured.
    pub mean_shift_steps: usize,
    /// Mahalanobis distance² (about 2.45σ) within which the seeds are refitted.
    /// Chosen by hand; not measured.
    pub fit_d2: f32,
    /// Fewest seeds inside a refit. Chosen by hand; not measured.
    pub min_fit_seeds: usize,
    /// Variance inflation after the trimmed refit (trimming at 2.45σ shrinks it).
    /// Chosen by hand; not measured.
    pub fit_inflation: f32,
    /// Variance floor of the model, against flat images. Chosen by hand; not measured.
    pub variance_floor: f32,
    /// Width of the seed histogram's bins, density units. Chosen by hand; not measured.
    pub mode_bin: f32,
    /// Most bins per axis of the seed histogram.
    pub mode_max_bins: usize,
    /// Quantiles of the seed features the histogram spans (5th–95th percentile).
    pub mode_range: (f32, f32),
    /// σ (bins) of the histogram's smoothing before its peak is taken. Chosen by hand; not measured.
    pub mode_blur: f32,
    /// Mahalanobis distance² from the model where membership starts to fall (4.2σ) and
    /// where it reaches 0 (6.3σ). The former 3σ / 4.5σ cut real faces' noses, temples and
    /// half the forehead out (their colour moves with light and shading); the real-photo
    /// benchmark found dark-skin spots at ΔE00 8 in 50% of cases instead of 23% with these.
    pub skin_radii2: (f32, f32),
    /// A region is kept when it is at least 1/this of the largest one. Chosen by hand; not measured.
    pub speck_of_largest: usize,
    /// A region is kept when it is at least 1/this of the image. Chosen by hand; not measured.
    pub speck_of_image: usize,
    /// An enclosed hole is filled when it is at most 1/this of the image. Chosen by hand; not measured.
    pub hole_of_image: usize,
}

impl MaskParams {
    /// The defaults.
    pub const DEFAULT: MaskParams = MaskParams {
        melanin_allowance: 1.6,
        hemoglobin_allowance: 1.0,
        feather: 0.004,
        feather_min: 1.0,
        seed_samples: 30_000,
        seed_lightness: (8.0, 96.0),
        seed_chroma2: (36.0, 2500.0),
        seed_redness: (5.0, 6.0),
        min_alpha: 128,
        centre_height: 0.38,
        centre_sigma: 0.25,
        texture_fine: 1.0,
        texture_spread: 3.0,
        texture_boost: 2.0,
        min_seeds: 50,
        window_variance: 0.0324,
        mean_shift_steps: 4,
        fit_d2: 6.0,
        min_fit_seeds: 30,
        fit_inflation: 1.3,
        variance_floor: 1e-4,
        mode_bin: 0.04,
        mode_max_bins: 128,
        mode_range: (0.05, 0.95),
        mode_blur: 1.5,
        skin_radii2: (17.64, 39.69),
        speck_of_largest: 5,
        speck_of_image: 1000,
        hole_of_image: 2000,
    };

    /// Feathering σ of a `w × h` mask, px.
    pub fn feather_sigma(&self, w: usize, h: usize) -> f32 {
        (w.min(h) as f32 * self.feather).max(self.feather_min)
    }
}

impl Default for MaskParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Builds the automatic mask; combines it with a user mask (white = skin) when given.
pub fn skin_mask(
    photo: &Photo,
    chrom: &Chromophores,
    user: Option<(&[bool], UserMaskMode)>,
) -> SkinMask {
    skin_mask_with(photo, chrom, user, &MaskParams::DEFAULT)
}

/// [`skin_mask`] with the given parameters.
pub fn skin_mask_with(
    photo: &Photo,
    chrom: &Chromophores,
    user: Option<(&[bool], UserMaskMode)>,
    p: &MaskParams,
) -> SkinMask {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    if let Some((m, UserMaskMode::Replace)) = user {
        return finish(m.to_vec(), m.to_vec(), w, h, None, p);
    }
    let model = learn_model(photo, chrom, p);
    let (mut binary, core) = match model {
        Some(m) => classify(photo, chrom, &m, p),
        None => (vec![false; w * h], vec![false; w * h]),
    };
    if let Some((m, _)) = user {
        for (b, u) in binary.iter_mut().zip(m) {
            *b &= *u;
        }
    }
    finish(binary, core, w, h, model, p)
}

fn finish(
    binary: Vec<bool>,
    core: Vec<bool>,
    w: usize,
    h: usize,
    model: Option<SkinModel>,
    p: &MaskParams,
) -> SkinMask {
    let mut soft = Plane::from_vec(w, h, binary.iter().map(|&b| b as u8 as f32).collect());
    soft.blur(p.feather_sigma(w, h));
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

/// Feathering width with the default parameters: about 0.4% of the short side, at least one pixel.
pub fn feather_sigma(w: usize, h: usize) -> f32 {
    MaskParams::DEFAULT.feather_sigma(w, h)
}

/// tan 12° and tan 80°: the seeds' hue bounds, as constants because the test runs per sample.
const SEED_HUE_TANS: (f64, f64) = (0.212_556_561_670_022_13, 5.671_281_819_617_707);

/// How skin-like an 8-bit colour is for seeding (0 = not at all): skin of every tone has
/// a hue of about 12–80° and, from the blood in it, a clearly red a*; beige walls,
/// wood and sand mostly do not.
fn seed_weight(rgb: [u8; 3], p: &MaskParams) -> f32 {
    let lab = colour::srgb8_to_lab(rgb);
    // Chroma 6–50 and hue 12–80° without a square root or an arctangent: the hue test is
    // a* > 0 and tan 12° ≤ b*/a* ≤ tan 80°.
    let chroma2 = lab.a * lab.a + lab.b * lab.b;
    let (lo, hi) = SEED_HUE_TANS;
    let ((l0, l1), (c0, c1)) = (p.seed_lightness, p.seed_chroma2);
    let plausible = (l0..=l1).contains(&lab.l)
        && (c0..=c1).contains(&chroma2)
        && lab.a > 0.0
        && (lo * lab.a..=hi * lab.a).contains(&lab.b);
    if plausible {
        ((lab.a - p.seed_redness.0) / p.seed_redness.1).clamp(0.0, 1.0) as f32
    } else {
        0.0
    }
}

/// Fine-scale texture energy of the shading plane: mean |s − blur(s)| nearby.
/// Skin has pores and micro-relief; painted walls and out-of-focus backgrounds do not.
fn texture_energy(shading: &Plane, p: &MaskParams) -> Plane {
    let mut low = shading.clone();
    low.blur(p.texture_fine);
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
    t.blur(p.texture_spread);
    t
}

fn learn_model(photo: &Photo, chrom: &Chromophores, p: &MaskParams) -> Option<SkinModel> {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let stride = (w * h / p.seed_samples).max(1);
    // Portraits put the face in the upper middle; the prior is broad.
    let (cx, cy, sigma) = (
        w as f32 / 2.0,
        h as f32 * p.centre_height,
        p.centre_sigma * w.min(h) as f32,
    );
    let texture = texture_energy(&chrom.shading, p);
    // Seeds: skin-hued samples, weighted toward the centre and toward textured surfaces.
    let mut seeds: Vec<([f32; 2], f32)> = Vec::new();
    let mut tex = Vec::new();
    for (i, px) in photo.rgba().chunks_exact(4).enumerate().step_by(stride) {
        let hue_weight = seed_weight([px[0], px[1], px[2]], p);
        if px[3] < p.min_alpha || hue_weight <= 0.0 {
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
            1.0 + (t / typical.max(1e-9)).min(p.texture_boost)
        } else {
            0.0
        };
    }
    seeds.retain(|s| s.1 > 0.0);
    if seeds.len() < p.min_seeds {
        return None;
    }
    let mode = weighted_mode(&seeds, p);
    // Mean-shift from the mode inside a fixed window (σ 0.18 per axis), so the model
    // cannot grow into neighbouring clusters (walls, cloth); then one covariance fit.
    let window = [1.0 / p.window_variance, 0.0, 1.0 / p.window_variance];
    let mut model = SkinModel {
        mean: mode,
        inv_cov: window,
    };
    for _ in 0..p.mean_shift_steps {
        model = SkinModel {
            mean: fit(&seeds, &model, p)?.mean,
            inv_cov: window,
        };
    }
    fit(&seeds, &model, p)
}

/// Peak of a weighted 2-D histogram of seed features (the dominant skin colour).
/// Bins are [`MaskParams::mode_bin`] wide over the [`MaskParams::mode_range`] quantiles.
fn weighted_mode(seeds: &[([f32; 2], f32)], p: &MaskParams) -> [f32; 2] {
    let (width, max_bins) = (p.mode_bin, p.mode_max_bins);
    let pct = |k: usize, q: f32| {
        let mut v: Vec<f32> = seeds.iter().map(|s| s.0[k]).collect();
        let i = ((v.len() - 1) as f32 * q) as usize;
        *v.select_nth_unstable_by(i, f32::total_cmp).1
    };
    let lo = [0, 1].map(|k| pct(k, p.mode_range.0));
    let bins = [0, 1]
        .map(|k| (((pct(k, p.mode_range.1) - lo[k]) / width).ceil() as usize).clamp(1, max_bins));
    let mut hist = Plane::filled(bins[1], bins[0], 0.0);
    for (f, wgt) in seeds {
        let b = [0, 1].map(|k| (f[k] - lo[k]) / width);
        if b.iter()
            .zip(bins)
            .all(|(v, n)| *v >= 0.0 && (*v as usize) < n)
        {
            hist.data[b[0] as usize * bins[1] + b[1] as usize] += wgt;
        }
    }
    hist.blur(p.mode_blur);
    let best = (0..hist.data.len()).fold(0, |b, i| if hist.data[i] > hist.data[b] { i } else { b });
    [
        lo[0] + ((best / bins[1]) as f32 + 0.5) * width,
        lo[1] + ((best % bins[1]) as f32 + 0.5) * width,
    ]
}

/// One robust refit: weighted mean and covariance of seeds within [`MaskParams::fit_d2`]
/// of the model.
fn fit(seeds: &[([f32; 2], f32)], model: &SkinModel, p: &MaskParams) -> Option<SkinModel> {
    let inside: Vec<&([f32; 2], f32)> = seeds
        .iter()
        .filter(|s| distance2(model, s.0) <= p.fit_d2)
        .collect();
    let total: f32 = inside.iter().map(|s| s.1).sum();
    if inside.len() < p.min_fit_seeds || total <= 0.0 {
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
    let (floor, k) = (p.variance_floor, p.fit_inflation);
    let (a, b, c) = (cov(0, 0) * k + floor, cov(0, 1) * k, cov(1, 1) * k + floor);
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
fn lesion_tolerant_distance2(m: &SkinModel, f: [f32; 2], p: &MaskParams) -> f32 {
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
            shrink(f[0], m.mean[0], p.melanin_allowance),
            shrink(f[1], m.mean[1], p.hemoglobin_allowance),
        ],
    )
}

/// Whether a colour could be skin of any tone at all (L* 6–97, chroma 4–55, hue 5–85°,
/// chosen by hand; not measured), from a 32×32×32 table built once, so the
/// full-resolution pass stays cheap (and these bounds are not parameters).
pub(crate) fn plausible(px: &[u8]) -> bool {
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
fn classify(
    photo: &Photo,
    chrom: &Chromophores,
    model: &SkinModel,
    p: &MaskParams,
) -> (Vec<bool>, Vec<bool>) {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let mut score = Plane::filled(w, h, 0.0);
    // Pixels that fit the model without the lesion allowances.
    let mut core = vec![false; w * h];
    for (i, px) in photo.rgba().chunks_exact(4).enumerate() {
        if px[3] < p.min_alpha || !plausible(px) {
            continue;
        }
        let f = [chrom.melanin.data[i], chrom.hemoglobin.data[i]];
        let d2 = lesion_tolerant_distance2(model, f, p);
        let (full, zero) = p.skin_radii2;
        score.data[i] = ((zero - d2) / (zero - full)).clamp(0.0, 1.0);
        core[i] = distance2(model, f) <= zero;
    }
    score.blur(p.feather_sigma(w, h));
    let mut binary: Vec<bool> = score.data.iter().map(|&s| s >= 0.5).collect();
    drop_lesion_only_regions(&mut binary, &core, w, h);
    clean(&mut binary, w, h, p);
    (binary, core)
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
fn clean(binary: &mut [bool], w: usize, h: usize, p: &MaskParams) {
    let total = w * h;
    let (labels, comps) = components::label(binary, w, h);
    let largest = comps.iter().map(|c| c.area).max().unwrap_or(0);
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| c.area * p.speck_of_largest >= largest && c.area * p.speck_of_image >= total)
        .collect();
    for (b, &l) in binary.iter_mut().zip(&labels) {
        if l > 0 && !keep[l as usize - 1] {
            *b = false;
        }
    }
    fill_holes(binary, w, h, total / p.hole_of_image.max(1));
}

/// Fills the holes of `binary` that touch no border and hold at most `max_area` pixels:
/// a dark spot or a mole that the colour model leaves out is still skin.
pub fn fill_holes(binary: &mut [bool], w: usize, h: usize, max_area: usize) {
    let holes: Vec<bool> = binary.iter().map(|b| !b).collect();
    let (hl, hc) = components::label(&holes, w, h);
    let fill: Vec<bool> = hc
        .iter()
        .map(|c| !c.touches_border && c.area <= max_area)
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
