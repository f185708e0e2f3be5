//! Lesion maps: excess over the local baseline of normal skin, per chromophore plane.
//!
//! The baseline is a masked, normalized large-radius blur of the plane over skin, refitted
//! with candidate lesions excluded so a lesion does not pull its own baseline. Lesions are
//! the connected regions of the smoothed excess above a noise-scaled threshold; each is
//! grown to its half-maximum contour, the edge a clinician would trace.

use crate::maths::components::{self, Component};
use crate::maths::planes::{masked_blur, MaskedBlur, Plane};
use crate::maths::stats;
use crate::maths::{max_f32, min_f32};

/// Least σ, in pixels of the reduced grid, that a smooth masked blur keeps (see
/// [`blur_factor`]). Chosen by hand; not measured.
const BLUR_GRID_SIGMA: f32 = 8.0;
/// How far around a lesion or candidate the baseline leaves skin out, in multiples of the
/// smoothing σ (at least one pixel). Chosen by hand; not measured.
const EXCLUSION_SPREAD: f32 = 2.0;
/// Blurred exclusion above which a pixel is left out of a baseline or a noise estimate.
/// Chosen by hand; not measured.
const EXCLUDED_ABOVE: f32 = 0.05;
/// Excess, in first-pass noise σ, that makes a pixel a candidate the second baseline
/// leaves out. Chosen by hand; not measured.
const CANDIDATE_NOISE: f32 = 2.0;
/// Least candidate excess, as a share of the map's floor. Chosen by hand; not measured.
const CANDIDATE_FLOOR: f32 = 0.5;
/// σ of the local noise window, as a share of the baseline σ. Chosen by hand; not measured.
const LOCAL_NOISE_WINDOW: f32 = 0.5;
/// Square of the clip (3× the global noise) on each value of the local noise.
const LOCAL_NOISE_CLIP2: f32 = 9.0;
/// Least excess, in noise σ, a lesion grows into. Chosen by hand; not measured.
const GROW_NOISE: f32 = 2.0;
/// Share of a lesion's peak its outline is drawn at: the half-maximum contour.
const HALF_MAX: f32 = 0.5;
/// About how many skin values a noise estimate reads (for speed).
const NOISE_SAMPLES: usize = 30_000;
/// Fewest skin values a noise estimate needs (0 below).
const MIN_NOISE_SAMPLES: usize = 10;

/// Tuning of one lesion map.
#[derive(Debug, Clone, Copy)]
pub struct MapParams {
    /// Sigma of the pre-smoothing of the plane, in pixels (suppresses noise, or pores).
    pub smooth_sigma: f32,
    /// Sigma of the baseline blur, in pixels.
    pub baseline_sigma: f32,
    /// Detection threshold in robust noise standard deviations.
    pub k_sigma: f32,
    /// Absolute detection floor in plane units.
    pub floor: f32,
    /// Smallest lesion, in pixels.
    pub min_area: usize,
    /// +1 to find excess, −1 to find deficit (raised scars in shading).
    pub sign: f32,
    /// How the detection threshold follows the noise.
    pub noise: NoiseModel,
}

/// Where the detection threshold's noise level comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseModel {
    /// The local RMS of the excess, each value clipped at 3× the global noise: follows
    /// darker, noisier regions and pore-rich skin, but a lesion lifts it in its own window.
    Local,
    /// One level for the photo, from the 90th percentile of |excess| over skin (÷ 1.645,
    /// so σ for Gaussian noise). For planes whose normal texture is uniform noise
    /// (hemoglobin): no lesion lifts it, and JPEG's peaked chroma, which shrinks a
    /// median-based estimate, does not fool it.
    Global,
}

/// A soft map (0..1) for rendering, the binary lesion mask, the components, and the
/// smoothed signed excess the renderer removes.
#[derive(Debug, Clone)]
pub struct LesionMap {
    /// Smoothed plane minus baseline (signed, plane units).
    pub excess: Plane,
    /// Rendering weight, feathered around the lesions.
    pub soft: Plane,
    /// Lesion pixels (half-maximum regions).
    pub mask: Vec<bool>,
    /// One entry per lesion.
    pub lesions: Vec<Component>,
    /// Robust noise level of the excess over skin.
    pub noise: f32,
    /// The local baseline of normal skin (plane units, unsigned).
    pub baseline: Plane,
}

/// Downsampling factor for a smooth masked blur of standard deviation `sigma`: the blur
/// keeps ≥ 8 px of σ on the reduced grid, so bilinear upsampling loses nothing visible.
pub fn blur_factor(sigma: f32) -> usize {
    ((sigma / BLUR_GRID_SIGMA) as usize).max(1)
}

/// The smoothed plane and its first-pass baseline over all skin; shared by the maps of
/// both signs on one plane.
#[derive(Debug, Clone)]
pub struct Smoothed {
    smooth: Plane,
    base1: Plane,
    fallback: f32,
}

/// Smooths a plane and fits the first-pass baseline (`smooth_sigma`, `baseline_sigma`).
pub fn smooth_plane(plane: &Plane, skin: &Plane, skin_bin: &[bool], p: &MapParams) -> Smoothed {
    smooth_plane_from(&smooth_over_skin(plane, skin, skin_bin, p), skin, p)
}

/// [`smooth_plane`] of a plane already smoothed over skin at `p.smooth_sigma`.
pub fn smooth_plane_from(s: &SkinSmoothed, skin: &Plane, p: &MapParams) -> Smoothed {
    let factor = blur_factor(p.baseline_sigma);
    let base1 = masked_blur(&s.smooth, skin, p.baseline_sigma, factor, s.fallback);
    Smoothed {
        smooth: s.smooth.clone(),
        base1,
        fallback: s.fallback,
    }
}

impl Smoothed {
    /// The smoothed plane minus its first-pass baseline (signed).
    pub fn excess(&self) -> Plane {
        signed_diff(&self.smooth, &self.base1, 1.0)
    }
}

/// Builds a lesion map for one plane over the skin mask.
pub fn lesion_map(
    plane: &Plane,
    skin: &Plane,
    skin_bin: &[bool],
    p: &MapParams,
    feather: f32,
) -> LesionMap {
    let s = smooth_plane(plane, skin, skin_bin, p);
    lesion_map_smoothed(&s, skin, skin_bin, p, feather)
}

/// Builds a lesion map whose lesions are `mask` (found by another statistic, e.g. the
/// matched filter of `blobs`): the baseline is refitted without them and the excess to
/// remove is the plane's smoothed value over it.
pub fn lesion_map_from_mask(
    smoothed: &SkinSmoothed,
    around: &Surround,
    skin_bin: &[bool],
    feather: f32,
    mask: Vec<bool>,
) -> LesionMap {
    let (w, h) = (smoothed.smooth.width, smoothed.smooth.height);
    let Around { excess, baseline } = around.excess(smoothed);
    let noise = robust_sigma_excluding(&excess.data, skin_bin, &around.excluded.data);
    let lesions = components::label(&mask, w, h).1;
    LesionMap {
        soft: soft_weight(&mask, w, h, feather),
        excess,
        mask,
        lesions,
        noise,
        baseline,
    }
}

/// A plane smoothed over skin at `smooth_sigma`, and the skin mean it falls back to off
/// skin: computed once per plane, shared by every map and fit that reads it.
#[derive(Debug, Clone)]
pub struct SkinSmoothed {
    /// The smoothed plane.
    pub smooth: Plane,
    /// The plane's mean over skin.
    pub fallback: f32,
}

/// Smooths a plane over skin (normalized, so hair or background do not bleed in).
pub fn smooth_over_skin(
    plane: &Plane,
    skin: &Plane,
    skin_bin: &[bool],
    p: &MapParams,
) -> SkinSmoothed {
    let fallback = skin_mean(plane, skin_bin);
    SkinSmoothed {
        smooth: masked_blur(plane, skin, p.smooth_sigma, 1, fallback),
        fallback,
    }
}

/// A plane's excess over the skin around a set of lesions.
pub struct Around {
    /// Smoothed plane minus `baseline`.
    pub excess: Plane,
    /// Baseline fitted over skin without the lesions.
    pub baseline: Plane,
}

/// The skin around a set of lesions, to fit baselines over: skin without the lesions
/// (dilated), blurred once at `baseline_sigma` for every plane fitted over it.
#[derive(Debug, Clone)]
pub struct Surround {
    /// The lesions dilated (0..1), the pixels left out of the baseline.
    pub excluded: Plane,
    blur: MaskedBlur<'static>,
}

impl Surround {
    /// The surround of `mask` over the skin weights `skin`.
    pub fn new(skin: &Plane, p: &MapParams, mask: &[bool]) -> Surround {
        let (w, h) = (skin.width, skin.height);
        let mut excluded = Plane::from_vec(w, h, mask.iter().map(|&m| m as u8 as f32).collect());
        excluded.blur(p.smooth_sigma.max(1.0) * EXCLUSION_SPREAD);
        let mut weights = skin.clone();
        for (wt, e) in weights.data.iter_mut().zip(&excluded.data) {
            if *e > EXCLUDED_ABOVE {
                *wt = 0.0;
            }
        }
        let blur = MaskedBlur::owned(weights, p.baseline_sigma, blur_factor(p.baseline_sigma));
        Surround { excluded, blur }
    }

    /// The smoothed plane minus its baseline fitted over this surround.
    pub fn excess(&self, s: &SkinSmoothed) -> Around {
        let base = self.blur.apply(&s.smooth, s.fallback);
        Around {
            excess: signed_diff(&s.smooth, &base, 1.0),
            baseline: base,
        }
    }
}

/// Builds a lesion map from a plane already smoothed with the same `p`.
pub fn lesion_map_smoothed(
    s: &Smoothed,
    skin: &Plane,
    skin_bin: &[bool],
    p: &MapParams,
    feather: f32,
) -> LesionMap {
    let (smooth, base1, fallback) = (&s.smooth, &s.base1, s.fallback);
    let (w, h) = (smooth.width, smooth.height);
    let factor = blur_factor(p.baseline_sigma);
    // Pass 1: baseline over all skin; pass 2: with candidates excluded.
    let excess1 = signed_diff(smooth, base1, p.sign);
    let noise1 = robust_sigma(&excess1.data, skin_bin);
    let candidate_t = (CANDIDATE_NOISE * noise1).max(CANDIDATE_FLOOR * p.floor);
    let mut weights = skin.clone();
    let mut candidates = Plane::from_vec(
        w,
        h,
        excess1
            .data
            .iter()
            .map(|&e| (e > candidate_t) as u8 as f32)
            .collect(),
    );
    candidates.blur(p.smooth_sigma.max(1.0) * EXCLUSION_SPREAD);
    for (wt, c) in weights.data.iter_mut().zip(&candidates.data) {
        if *c > EXCLUDED_ABOVE {
            *wt = 0.0;
        }
    }
    let base2 = masked_blur(smooth, &weights, p.baseline_sigma, factor, fallback);
    let excess = signed_diff(smooth, &base2, p.sign);
    let noise = robust_sigma_excluding(&excess.data, skin_bin, &candidates.data);
    let level = match p.noise {
        NoiseModel::Local => {
            local_noise(&excess, skin, noise, p.baseline_sigma * LOCAL_NOISE_WINDOW)
        }
        NoiseModel::Global => {
            let mut level = edge_noise_gain(w, h, p.smooth_sigma);
            let sigma = tail_sigma(&excess.data, skin_bin);
            level.data.iter_mut().for_each(|g| *g *= sigma);
            level
        }
    };
    let seeds: Vec<bool> = (0..w * h)
        .map(|i| skin_bin[i] && excess.data[i] > max_f32(p.k_sigma * level.data[i], p.floor))
        .collect();
    let (mask, lesions) = grow_half_max(&excess, &seeds, skin_bin, p.min_area, GROW_NOISE * noise);
    let soft = soft_weight(&mask, w, h, feather);
    // Keep the sign of the physical change: the renderer removes `excess · sign`.
    let excess = if p.sign < 0.0 {
        Plane::from_vec(w, h, excess.data.iter().map(|e| -e).collect())
    } else {
        excess
    };
    LesionMap {
        excess,
        soft,
        mask,
        lesions,
        noise,
        baseline: base2,
    }
}

/// How much more noise the pre-smoothing leaves near the image border than inside: its
/// clamped edges repeat the border pixels. Per pixel, √(Σ kernel²) relative to the centre
/// (the kernel is separable, so per axis).
fn edge_noise_gain(w: usize, h: usize, sigma: f32) -> Plane {
    let (gx, gy) = (edge_gain_1d(w, sigma), edge_gain_1d(h, sigma));
    Plane::from_vec(w, h, (0..w * h).map(|i| gx[i % w] * gy[i / w]).collect())
}

/// `edge_noise_gain` along one axis of length `n`. Borders change the kernel only within
/// twice the blur's reach, so a line of 6 reaches holds both border profiles and a
/// centre like any interior pixel; the rest of a longer axis has gain 1.
fn edge_gain_1d(n: usize, sigma: f32) -> Vec<f32> {
    let short = (6 * Plane::blur_reach(sigma) + 1).min(n);
    let g = impulse_gain(short, sigma);
    if short == n {
        return g;
    }
    let half = short / 2;
    (0..n)
        .map(|i| match i {
            _ if i < half => g[i],
            _ if i >= n - half => g[short - (n - i)],
            _ => 1.0,
        })
        .collect()
}

/// Per pixel of a line of length `n`, √(Σ over impulses of the blurred response²),
/// relative to the line's centre.
fn impulse_gain(n: usize, sigma: f32) -> Vec<f32> {
    let mut sum_sq = vec![0f32; n];
    for j in 0..n {
        let mut line = Plane::filled(n, 1, 0.0);
        line.data[j] = 1.0;
        line.blur(sigma);
        for (s, k) in sum_sq.iter_mut().zip(&line.data) {
            *s += k * k;
        }
    }
    let centre = sum_sq[n / 2].max(f32::MIN_POSITIVE);
    sum_sq.iter().map(|s| (s / centre).sqrt()).collect()
}

/// Noise in density grows where the photo is darker, and JPEG makes it blocky: the local
/// RMS of the excess over skin, each value clipped at 3× the global `noise` so a lesion
/// raises it less.
fn local_noise(excess: &Plane, skin: &Plane, noise: f32, sigma: f32) -> Plane {
    let clip = LOCAL_NOISE_CLIP2 * noise * noise;
    let squared = Plane::from_vec(
        excess.width,
        excess.height,
        excess.data.iter().map(|e| min_f32(e * e, clip)).collect(),
    );
    let mut local = masked_blur(&squared, skin, sigma, blur_factor(sigma), noise * noise);
    for v in local.data.iter_mut() {
        *v = max_f32(*v, 0.0).sqrt();
    }
    local
}

impl LesionMap {
    /// Keeps the lesions whose pixels pass `keep`, and rebuilds the soft map to match.
    pub fn retain(&mut self, feather: f32, keep: impl Fn(&[usize]) -> bool) {
        let (w, h) = (self.soft.width, self.soft.height);
        let (labels, comps) = components::label(&self.mask, w, h);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); comps.len()];
        for (i, &l) in labels.iter().enumerate() {
            if l > 0 {
                members[l as usize - 1].push(i);
            }
        }
        let dropped: Vec<bool> = members.iter().map(|m| !keep(m)).collect();
        if !dropped.contains(&true) {
            return;
        }
        for (m, &l) in self.mask.iter_mut().zip(&labels) {
            if l > 0 && dropped[l as usize - 1] {
                *m = false;
            }
        }
        self.lesions = components::label(&self.mask, w, h).1;
        self.soft = soft_weight(&self.mask, w, h, feather);
    }
}

fn signed_diff(a: &Plane, b: &Plane, sign: f32) -> Plane {
    Plane::from_vec(
        a.width,
        a.height,
        a.data
            .iter()
            .zip(&b.data)
            .map(|(x, y)| sign * (x - y))
            .collect(),
    )
}

fn skin_mean(p: &Plane, skin: &[bool]) -> f32 {
    let (s, n) = p
        .data
        .iter()
        .zip(skin)
        .filter(|(_, &k)| k)
        .fold((0.0f64, 0usize), |(s, n), (v, _)| (s + *v as f64, n + 1));
    if n == 0 {
        0.0
    } else {
        (s / n as f64) as f32
    }
}

/// 1.4826 × median absolute deviation over skin (subsampled for speed).
fn robust_sigma(v: &[f32], skin: &[bool]) -> f32 {
    robust_sigma_excluding(v, skin, &[])
}

fn robust_sigma_excluding(v: &[f32], skin: &[bool], exclude: &[f32]) -> f32 {
    deviation_rank(v, skin, exclude, |n| n / 2) * stats::MAD_TO_SIGMA
}

/// σ from the 90th percentile of |x − median| over skin (subsampled), robust to a
/// peaked centre.
fn tail_sigma(v: &[f32], skin: &[bool]) -> f32 {
    deviation_rank(v, skin, &[], |n| (n - 1) * 9 / 10) / stats::P90_TO_SIGMA
}

/// The `rank(n)`-th smallest of n values |x − median| over skin, outside `exclude` (> [`EXCLUDED_ABOVE`]),
/// on a ~30k subsample; 0 when fewer than 10 values.
fn deviation_rank(v: &[f32], skin: &[bool], exclude: &[f32], rank: fn(usize) -> usize) -> f32 {
    let stride = (v.len() / NOISE_SAMPLES).max(1);
    let mut xs: Vec<f32> = (0..v.len())
        .step_by(stride)
        .filter(|&i| {
            skin[i] && exclude.get(i).is_none_or(|&e| e <= EXCLUDED_ABOVE) && v[i].is_finite()
        })
        .map(|i| v[i])
        .collect();
    if xs.len() < MIN_NOISE_SAMPLES {
        return 0.0;
    }
    stats::deviation_rank(&mut xs, rank)
}

/// Grows each seed component to the contour at half its peak excess.
fn grow_half_max(
    excess: &Plane,
    seeds: &[bool],
    skin: &[bool],
    min_area: usize,
    floor: f32,
) -> (Vec<bool>, Vec<Component>) {
    let (w, h) = (excess.width, excess.height);
    let (labels, seed_comps) = components::label(seeds, w, h);
    // A robust peak (90th percentile of the seed), so one noisy pixel cannot raise it.
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); seed_comps.len()];
    for (i, &l) in labels.iter().enumerate() {
        if l > 0 {
            values[l as usize - 1].push(excess.data[i]);
        }
    }
    let peak: Vec<f32> = values
        .iter_mut()
        .map(|v| {
            let k = (v.len() - 1) * 9 / 10;
            *v.select_nth_unstable_by(k, f32::total_cmp).1
        })
        .collect();
    let mut grown = vec![0u32; w * h];
    let mut stack = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        if l > 0 && grown[i] == 0 {
            grown[i] = l;
            stack.push(i);
        }
        while let Some(j) = stack.pop() {
            let lab = grown[j];
            let t = (HALF_MAX * peak[lab as usize - 1]).max(floor);
            let (x, y) = (j % w, j / w);
            for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    continue;
                }
                let k = ny as usize * w + nx as usize;
                if grown[k] == 0 && skin[k] && excess.data[k] >= t {
                    grown[k] = lab;
                    stack.push(k);
                }
            }
        }
    }
    // Keep regions at their half-maximum, drop those below the size floor.
    let mut mask: Vec<bool> = (0..w * h)
        .map(|i| {
            grown[i] > 0 && excess.data[i] >= (HALF_MAX * peak[grown[i] as usize - 1]).max(floor)
        })
        .collect();
    let (lab2, comps2) = components::label(&mask, w, h);
    let keep: Vec<bool> = comps2.iter().map(|c| c.area >= min_area).collect();
    for (m, &l) in mask.iter_mut().zip(&lab2) {
        if l > 0 && !keep[l as usize - 1] {
            *m = false;
        }
    }
    fill_holes(&mut mask, w, h);
    let (_, lesions) = components::label(&mask, w, h);
    (mask, lesions)
}

/// Fills enclosed gaps inside lesions (noise dips in a dark spot are still the spot).
/// Works inside each lesion's bounding box, so the cost follows the lesions' size.
fn fill_holes(mask: &mut [bool], w: usize, h: usize) {
    let (_, comps) = components::label(mask, w, h);
    for c in comps {
        let [x0, y0, x1, y1] = c.bbox.map(|v| v as usize);
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let holes: Vec<bool> = (0..bw * bh)
            .map(|i| !mask[(y0 + i / bw) * w + x0 + i % bw])
            .collect();
        let (labels, hole_comps) = components::label(&holes, bw, bh);
        for (i, &l) in labels.iter().enumerate() {
            if l > 0 && !hole_comps[l as usize - 1].touches_border {
                mask[(y0 + i / bw) * w + x0 + i % bw] = true;
            }
        }
    }
}

/// Rendering weight: the lesion mask dilated by ~2 feather widths, then feathered.
fn soft_weight(mask: &[bool], w: usize, h: usize, feather: f32) -> Plane {
    let sigma = feather * 1.5;
    let mut soft = Plane::filled(w, h, 0.0);
    // Lesions cover a few percent of the frame: the blur runs on the tiles that lie within
    // its reach of one, each over the tile and that reach around it, which is all the
    // tile's own pixels depend on.
    let reach = Plane::blur_reach(sigma);
    let (tw, th) = (w.div_ceil(SOFT_TILE), h.div_ceil(SOFT_TILE));
    let mut near = vec![false; tw * th];
    for (y, row) in mask.chunks_exact(w.max(1)).enumerate() {
        for x in row.iter().enumerate().filter(|(_, &m)| m).map(|(x, _)| x) {
            let (tx0, tx1) = (
                x.saturating_sub(reach) / SOFT_TILE,
                (x + reach).min(w - 1) / SOFT_TILE,
            );
            let (ty0, ty1) = (
                y.saturating_sub(reach) / SOFT_TILE,
                (y + reach).min(h - 1) / SOFT_TILE,
            );
            for ty in ty0..=ty1 {
                near[ty * tw + tx0..=ty * tw + tx1].fill(true);
            }
        }
    }
    for (t, _) in near.iter().enumerate().filter(|(_, &n)| n) {
        let (x0, y0) = ((t % tw) * SOFT_TILE, (t / tw) * SOFT_TILE);
        let (x1, y1) = ((x0 + SOFT_TILE).min(w), (y0 + SOFT_TILE).min(h));
        let (wx0, wy0) = (x0.saturating_sub(reach), y0.saturating_sub(reach));
        let (wx1, wy1) = ((x1 + reach).min(w), (y1 + reach).min(h));
        let ww = wx1 - wx0;
        let mut win = Plane::from_vec(
            ww,
            wy1 - wy0,
            (wy0..wy1)
                .flat_map(|y| {
                    mask[y * w + wx0..y * w + wx1]
                        .iter()
                        .map(|&m| m as u8 as f32)
                })
                .collect(),
        );
        win.blur(sigma);
        for y in y0..y1 {
            let from = &win.data[(y - wy0) * ww + x0 - wx0..][..x1 - x0];
            for (o, &v) in soft.data[y * w + x0..y * w + x1].iter_mut().zip(from) {
                // Any lesion influence within the dilation gets full weight, tapering outside.
                let v = min_f32(v * 6.0, 1.0);
                *o = if v < 0.02 { 0.0 } else { v };
            }
        }
    }
    soft
}

/// Side of the tiles [`soft_weight`] blurs, in working pixels.
const SOFT_TILE: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_weight_by_tiles_matches_the_whole_plane_blur() {
        let (w, h, feather) = (150, 97, 2.0);
        let mask: Vec<bool> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                let spot = |cx: f32, cy: f32, r: f32| (x - cx).powi(2) + (y - cy).powi(2) < r * r;
                spot(20.0, 30.0, 4.0)
                    || spot(31.0, 33.0, 3.0)
                    || spot(147.0, 95.0, 5.0)
                    || spot(75.0, 64.0, 1.0)
            })
            .collect();
        let mut whole = Plane::from_vec(w, h, mask.iter().map(|&m| m as u8 as f32).collect());
        whole.blur(feather * 1.5);
        let tiled = soft_weight(&mask, w, h, feather);
        let mut worst = 0f32;
        for (t, v) in tiled.data.iter().zip(&whole.data) {
            let v = min_f32(v * 6.0, 1.0);
            let v = if v < 0.02 { 0.0 } else { v };
            worst = worst.max((t - v).abs());
        }
        assert!(worst < 1e-5, "tiles differ from the whole blur by {worst}");
        assert!(tiled.data.iter().filter(|v| **v > 0.0).count() > 150);
    }

    #[test]
    fn edge_gain_from_a_short_line_matches_the_whole_line() {
        for (n, sigma) in [(400, 3.0), (577, 1.5), (40, 4.0), (9, 2.0), (1, 1.0)] {
            let (fast, full) = (edge_gain_1d(n, sigma), impulse_gain(n, sigma));
            let worst = fast
                .iter()
                .zip(&full)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "n {n} σ {sigma}: off by {worst}");
        }
        assert!(
            edge_gain_1d(400, 3.0)[0] > 1.3,
            "the border pixel is noisier"
        );
    }
}
