//! Measured change of each baseline lesion on the registered, normalised follow-up.
//!
//! A lesion's excess is its chromophore (melanin, hemoglobin, or shading for relief)
//! integrated over its footprint (the baseline outline grown to take in its soft edge)
//! against the median of a ring of clean skin around it. Both photos are measured on the
//! same footprint and ring in the baseline frame, so the fraction removed,
//! 1 − excess(follow-up) ÷ excess(baseline), is linear in a fade of the lesion in optical
//! density, and a uniform change of light (an offset in density) drops out.

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
/// Least footprint growth, working pixels (resampling spreads an edge by about one).
pub const FOOTPRINT_MIN_PX: f64 = 1.0;
/// The ring spans these shares of the equivalent radius beyond the outline.
pub const RING: (f64, f64) = (0.75, 1.5);
/// Least ring distances, working pixels.
pub const RING_MIN_PX: (f64, f64) = (2.5, 5.0);
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
        note: None,
    };
    let r = (comp.area as f64 / std::f64::consts::PI).sqrt();
    let grow = (FOOTPRINT_GROW * r).max(FOOTPRINT_MIN_PX);
    let (r0, r1) = (
        (RING.0 * r).max(RING_MIN_PX.0),
        (RING.1 * r).max(RING_MIN_PX.1),
    );
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
            } else if d >= r0 && d <= r1 && frame.skin[i] && !frame.lesions[i] && frame.covered[i] {
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
    let level = |p: &Plane| {
        let mut v: Vec<f32> = ring.iter().map(|&i| p.data[i]).collect();
        median(&mut v)
    };
    let (lb, lf) = (level(base.chrom[plane]), level(follow.chrom[plane]));
    let excess =
        |p: &Plane, l: f32| -> f64 { foot.iter().map(|&i| (sign * (p.data[i] - l)) as f64).sum() };
    let (eb, ef) = (
        excess(base.chrom[plane], lb),
        excess(follow.chrom[plane], lf),
    );
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
    if eb <= 0.0 {
        change.note = Some("no excess over the surrounding skin on the baseline".into());
    } else {
        change.fraction_removed = Some(1.0 - ef / eb);
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
