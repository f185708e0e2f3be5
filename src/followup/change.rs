//! Measured change of each baseline lesion on the registered, normalised follow-up.
//!
//! A lesion's excess is its chromophore (melanin, hemoglobin, or shading for relief)
//! integrated over its footprint (the baseline outline grown to take in its soft edge)
//! against the median of a ring of clean skin around it. Both photos are measured on the
//! same footprint and ring in the baseline frame, so the fraction removed,
//! 1 − excess(follow-up) ÷ excess(baseline), is linear in a fade of the lesion in optical
//! density, and a uniform change of light (an offset in density) drops out. The
//! follow-up's level is the baseline's plus the ring's median difference between the
//! photos.
//!
//! Each fraction has a standard error from the photos' own noise ([`super::noise`]).
//! At most [`PRECISE_FRACTION_SE`] the fraction is good to ±0.1 (two standard errors);
//! above [`MAX_FRACTION_SE`] the lesion is reported without one ("too small or faint to
//! measure a change"), as is one with a clipped channel in its footprint.

use super::noise::NullModel;
use crate::analysis::LesionKind;
use crate::evidence::Channel;
use crate::maths::components::Component;
use crate::maths::planes::Plane;
use crate::maths::stats::median;
use crate::photo::colour::{self, Lab};
use serde::Serialize;

/// The footprint grows by this share of the lesion's equivalent radius (at least
/// [`FOOTPRINT_MIN_PX`]): the outline is drawn near 60% of the peak, and a lesion's soft
/// edge reaches about 1.4× that radius.
pub const FOOTPRINT_GROW: f64 = 0.3;
/// Least footprint growth, working pixels: the follow-up's resampling and what is left of
/// the sharpness and registration mismatch spread a small lesion's excess by a pixel or
/// two; with 1 px, strong small lesions (ΔE00 ≥ 20) read faded by a median 0.12 when
/// unchanged, with 2 px they stay within the noise.
pub const FOOTPRINT_MIN_PX: f64 = 2.0;
/// The ring spans these shares of the equivalent radius beyond the outline.
pub const RING: (f64, f64) = (0.75, 1.5);
/// The ring starts at least this far beyond the footprint, working pixels.
pub const RING_GAP_PX: f64 = 1.5;
/// And is at least this wide.
pub const RING_WIDTH_PX: f64 = 2.5;
/// A fraction with at most this standard error is good to ±0.1 (two standard errors):
/// the precision issue 16 asks of a measured change.
pub const PRECISE_FRACTION_SE: f64 = 0.05;
/// Above this standard error no fraction is given: ±0.4 by chance alone says nothing
/// about a fraction of 0..1. Between the two the fraction is given with its error, which
/// the page shows beside it.
pub const MAX_FRACTION_SE: f64 = 0.2;
/// Fewest ring pixels for a measurement.
pub const MIN_RING_PX: usize = 8;

/// One photo's planes in the baseline's working frame.
pub struct FramePlanes<'a> {
    /// Melanin, hemoglobin, shading.
    pub chrom: [&'a Plane; 3],
    /// Optical density R, G, B.
    pub density: [&'a Plane; 3],
}

/// One baseline lesion, measured on both photos.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct LesionChange {
    /// The lesion's id in the baseline report.
    pub id: usize,
    /// Map it came from.
    pub kind: LesionKind,
    /// The channel its fraction belongs to.
    pub channel: Channel,
    /// Centroid (x, y), baseline photo pixels.
    pub centroid: [f64; 2],
    /// Area on the baseline, photo pixels (the analysis's outline).
    pub area_px_baseline: usize,
    /// Area on the follow-up at the baseline outline's excess level, baseline photo pixels.
    pub area_px_followup: Option<usize>,
    /// ΔE00 between the lesion's mean colour and its ring's on the baseline.
    pub contrast_de00_baseline: Option<f64>,
    /// The same on the registered, normalised follow-up.
    pub contrast_de00_followup: Option<f64>,
    /// ΔL* lesion − ring on the baseline (negative = darker).
    pub delta_l_baseline: Option<f64>,
    /// ΔL* lesion − ring on the follow-up.
    pub delta_l_followup: Option<f64>,
    /// Share of the baseline excess gone on the follow-up (1 = gone, 0 = unchanged,
    /// negative = grew); `None` when it could not be measured (see `note`).
    pub fraction_removed: Option<f64>,
    /// Standard error of `fraction_removed`: how far an unchanged lesion of this size and
    /// contrast strays by chance on these two photos (their skin's noise, spatially
    /// correlated, from [`super::noise`]). Lesions above [`MAX_FRACTION_SE`] are not
    /// given a fraction (the note says so); `None` when no excess was measured.
    pub fraction_removed_se: Option<f64>,
    /// Why it was not measured, if so.
    pub note: Option<String>,
}

/// What [`measure`] needs about the frame.
pub struct Frame<'a> {
    /// Working frame width and height.
    pub w: usize,
    /// Height.
    pub h: usize,
    /// Photo px per working px.
    pub scale: usize,
    /// Skin pixels (baseline analysis).
    pub skin: &'a [bool],
    /// Pixels of every lesion of every map.
    pub lesions: &'a [bool],
    /// Pixels the follow-up covers after registration.
    pub covered: &'a [bool],
    /// Pixels where a colour channel is clipped (or nearly) on either photo.
    pub clipped: &'a [bool],
    /// The chance spread of the measurement per plane (melanin, hemoglobin, shading).
    pub noise: &'a [Option<NullModel>; 3],
}

/// The lesion's pixels, for per-zone sums: indices into the frame.
pub struct Measured {
    /// The change reported.
    pub change: LesionChange,
    /// The lesion's own (baseline outline) pixels.
    pub pixels: Vec<usize>,
    /// Follow-up area ÷ baseline area (for scores), when measured.
    pub area_ratio: Option<f64>,
}

/// The channel and sign of a lesion kind: the plane index and +1 for excess, −1 for a
/// deficit (raised scars are less shading).
pub fn plane_of(kind: LesionKind) -> (usize, f32, Channel) {
    match kind {
        LesionKind::Pigment => (0, 1.0, Channel::Pigment),
        LesionKind::Redness => (1, 1.0, Channel::Redness),
        LesionKind::Pit => (2, 1.0, Channel::Texture),
        LesionKind::Raised => (2, -1.0, Channel::Texture),
    }
}

/// Footprint growth and ring distances (beyond the outline, working pixels) of a lesion
/// whose outline has equivalent radius `r`.
pub fn geometry(r: f64) -> (f64, f64, f64) {
    let grow = (FOOTPRINT_GROW * r).max(FOOTPRINT_MIN_PX);
    let r0 = (RING.0 * r).max(grow + RING_GAP_PX);
    let r1 = (RING.1 * r).max(r0 + RING_WIDTH_PX);
    (grow, r0, r1)
}

/// Measures one lesion (`labels`/`label`: its pixels in the frame's label image).
#[allow(clippy::too_many_arguments)]
pub fn measure(
    frame: &Frame,
    (labels, comp): (&[u32], &Component),
    (id, kind, centroid, area_px): (usize, LesionKind, [f64; 2], usize),
    base: &FramePlanes,
    follow: &FramePlanes,
) -> Measured {
    let (plane, sign, channel) = plane_of(kind);
    let mut change = LesionChange {
        id,
        kind,
        channel,
        centroid,
        area_px_baseline: area_px,
        area_px_followup: None,
        contrast_de00_baseline: None,
        contrast_de00_followup: None,
        delta_l_baseline: None,
        delta_l_followup: None,
        fraction_removed: None,
        fraction_removed_se: None,
        note: None,
    };
    let r = (comp.area as f64 / std::f64::consts::PI).sqrt();
    let (grow, r0, r1) = geometry(r);
    let m = r1.ceil() as usize + 1;
    let (w, h) = (frame.w, frame.h);
    let x0 = (comp.bbox[0] as usize).saturating_sub(m);
    let y0 = (comp.bbox[1] as usize).saturating_sub(m);
    let x1 = (comp.bbox[2] as usize + m).min(w - 1);
    let y1 = (comp.bbox[3] as usize + m).min(h - 1);
    let (ww, wh) = (x1 - x0 + 1, y1 - y0 + 1);
    let own = |i: usize| labels[i] == comp.label;
    let dist = distance_to(ww, wh, |x, y| own((y0 + y) * w + x0 + x));
    let (mut foot, mut ring, mut pixels) = (Vec::new(), Vec::new(), Vec::new());
    for y in 0..wh {
        for x in 0..ww {
            let i = (y0 + y) * w + x0 + x;
            let d = dist[y * ww + x] as f64;
            if own(i) {
                pixels.push(i);
                foot.push(i);
            } else if d <= grow && !frame.lesions[i] {
                foot.push(i);
            } else if d >= r0
                && d <= r1
                && frame.skin[i]
                && !frame.lesions[i]
                && frame.covered[i]
                && !frame.clipped[i]
            {
                ring.push(i);
            }
        }
    }
    let result = Measured {
        change: LesionChange { ..change.clone() },
        pixels: pixels.clone(),
        area_ratio: None,
    };
    if foot.iter().any(|&i| !frame.covered[i]) {
        change.note = Some("the follow-up does not cover this lesion".into());
        return Measured { change, ..result };
    }
    if ring.len() < MIN_RING_PX {
        change.note = Some("too little clean skin around it to measure".into());
        return Measured { change, ..result };
    }
    if foot.iter().any(|&i| frame.clipped[i]) {
        change.note =
            Some("a colour channel is clipped here on one of the photos (overexposed)".into());
        return Measured { change, ..result };
    }
    let (bp, fp) = (base.chrom[plane], follow.chrom[plane]);
    let mut v: Vec<f32> = ring.iter().map(|&i| bp.data[i]).collect();
    let lb = median(&mut v);
    // The follow-up's level: the baseline's plus the ring's median difference, so skin
    // structure the two photos share drops out of the level as it does of the excess.
    let mut ring_diff: Vec<f32> = ring.iter().map(|&i| fp.data[i] - bp.data[i]).collect();
    let md = median(&mut ring_diff);
    let lf = lb + md;
    let excess =
        |p: &Plane, l: f32| -> f64 { foot.iter().map(|&i| (sign * (p.data[i] - l)) as f64).sum() };
    let (eb, ef) = (excess(bp, lb), excess(fp, lf));
    // The ring's own spread of the difference against the photo's (hair, a shadow, darker
    // skin quantised more coarsely): the chance spread is scaled up by it, never down.
    let mut dev: Vec<f32> = ring_diff.iter().map(|x| (x - md).abs()).collect();
    let ring_sigma = median(&mut dev) as f64 * 1.4826;
    let se_excess = frame.noise[plane].as_ref().map(|m| {
        let local = (ring_sigma / m.pixel_sigma).powi(2).max(1.0);
        (m.variance(foot.len() as f64) * local).sqrt()
    });
    let (lab_b, lab_f) = (
        (mean_lab(base, &pixels), mean_lab(base, &ring)),
        (mean_lab(follow, &pixels), mean_lab(follow, &ring)),
    );
    change.contrast_de00_baseline = Some(colour::delta_e2000(lab_b.0, lab_b.1));
    change.contrast_de00_followup = Some(colour::delta_e2000(lab_f.0, lab_f.1));
    change.delta_l_baseline = Some(lab_b.0.l - lab_b.1.l);
    change.delta_l_followup = Some(lab_f.0.l - lab_f.1.l);
    // Follow-up area: footprint pixels at or above the excess level that gives the
    // baseline its outline's area.
    let mut eb_px: Vec<f32> = foot
        .iter()
        .map(|&i| sign * (base.chrom[plane].data[i] - lb))
        .collect();
    eb_px.sort_by(|a, b| b.total_cmp(a));
    let cut = eb_px[(pixels.len().max(1) - 1).min(eb_px.len() - 1)];
    let above = foot
        .iter()
        .filter(|&&i| sign * (follow.chrom[plane].data[i] - lf) >= cut)
        .count();
    let s2 = frame.scale * frame.scale;
    change.area_px_followup = Some(above * s2);
    let area_ratio = Some(above as f64 / pixels.len().max(1) as f64);
    let se = se_excess.map(|e| e / eb.max(1e-12));
    if eb <= 0.0 {
        change.note = Some("no excess over the surrounding skin on the baseline".into());
    } else {
        change.fraction_removed_se = se;
        match se {
            Some(e) if e <= MAX_FRACTION_SE => change.fraction_removed = Some(1.0 - ef / eb),
            Some(e) => {
                change.note = Some(format!(
                "too small or faint to measure a change: ±{e:.2} by chance alone on these photos"
            ))
            }
            None => change.note = Some("too little clean skin to tell its noise".into()),
        }
    }
    Measured {
        change,
        pixels,
        area_ratio,
    }
}

/// Lab of the mean linear colour over pixels.
fn mean_lab(p: &FramePlanes, px: &[usize]) -> Lab {
    let mut s = [0f64; 3];
    for &i in px {
        for (k, sk) in s.iter_mut().enumerate() {
            *sk += (-p.density[k].data[i] as f64).exp();
        }
    }
    let n = px.len().max(1) as f64;
    colour::linear_to_lab(s.map(|v| (v / n).min(1.0)))
}

/// Chamfer distance (1, √2) from every pixel of a `w × h` window to the nearest pixel
/// where `inside(x, y)` holds.
fn distance_to(w: usize, h: usize, inside: impl Fn(usize, usize) -> bool) -> Vec<f32> {
    const D: f32 = std::f32::consts::SQRT_2;
    let big = (w + h) as f32 * 2.0;
    let mut d: Vec<f32> = (0..w * h)
        .map(|i| if inside(i % w, i / w) { 0.0 } else { big })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let mut v = d[i];
            if x > 0 {
                v = v.min(d[i - 1] + 1.0);
            }
            if y > 0 {
                v = v.min(d[i - w] + 1.0);
                if x > 0 {
                    v = v.min(d[i - w - 1] + D);
                }
                if x + 1 < w {
                    v = v.min(d[i - w + 1] + D);
                }
            }
            d[i] = v;
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let i = y * w + x;
            let mut v = d[i];
            if x + 1 < w {
                v = v.min(d[i + 1] + 1.0);
            }
            if y + 1 < h {
                v = v.min(d[i + w] + 1.0);
                if x + 1 < w {
                    v = v.min(d[i + w + 1] + D);
                }
                if x > 0 {
                    v = v.min(d[i + w - 1] + D);
                }
            }
            d[i] = v;
        }
    }
    d
}
