//! The analysis pipeline on one photo: chromophores → skin mask → lesion maps → scores.

pub mod face_report;
pub mod maps;

use crate::lesions::blobs;
use crate::lesions::maps::{self as lesions, LesionMap, MapParams, NoiseModel};
use crate::maths::components::Component;
use crate::maths::planes::Plane;
use crate::photo::colour::{self, ItaCategory, Lab};
use crate::photo::Photo;
use crate::skin::chromophores::{self, Chromophores, Vectors};
use crate::skin::mask::{self as skin_mask, SkinMask, UserMaskMode};
use serde::Serialize;

/// Optional inputs to an analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// A user mask (true = skin) and how it combines with the automatic one.
    pub user_mask: Option<(Vec<bool>, UserMaskMode)>,
    /// A pixel known to be white or neutral grey (shirt, sclera, grey card).
    pub white_reference: Option<(u32, u32)>,
    /// Face landmarks (photo pixels): narrow the skin mask to the face and score its zones.
    pub face: Option<crate::skin::face::Face>,
}

/// Everything the analysis found, kept for rendering and overlays. Planes and masks are
/// at the working resolution: the photo downsampled by `scale`.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Integer factor from the working resolution to the photo's.
    pub scale: usize,
    /// Chromophore planes.
    pub chrom: Chromophores,
    /// Skin mask.
    pub skin: SkinMask,
    /// Melanin excess map.
    pub pigment: LesionMap,
    /// Hemoglobin excess map.
    pub redness: LesionMap,
    /// Depressions in scar-scale shading relief (atrophic pits).
    pub pits: LesionMap,
    /// Elevations in scar-scale shading relief (raised scars).
    pub raised: LesionMap,
    /// Scores and lesion list.
    pub report: Report,
    /// Density directions removed per unit of pigment and of redness excess: each map's
    /// chromophore vector as measured over its lesions (see `lesion_direction`).
    pub removal_directions: [[f32; 3]; 2],
    /// Face zone labels at the working resolution (`face::zones`), when a face narrowed the mask.
    pub zones: Option<Vec<u8>>,
}

/// The serializable result: scores, lesions, lighting.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Report {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// False when no skin was found (the maps are then empty).
    pub skin_found: bool,
    /// Skin as % of the image.
    pub skin_area_percent: f64,
    /// Median ITA° over skin.
    pub ita: Option<f64>,
    /// ITA category of the median.
    pub ita_category: Option<ItaCategory>,
    /// ITA category in words.
    pub ita_label: Option<&'static str>,
    /// Median skin colour.
    pub skin_lab: Option<Lab>,
    /// Affected skin, % per map.
    pub affected_percent: Affected,
    /// Area × darkness pigment score, 0..100 (not mMASI; see `a_masi_like`).
    pub a_masi_like: f64,
    /// Every lesion found.
    pub lesions: Vec<LesionReport>,
    /// Exposure and white-balance notes.
    pub lighting: Lighting,
    /// Chromophore vectors used.
    pub vectors: Vectors,
    /// How the skin mask was made: "face mesh + colour" or "colour only: <why>".
    pub mask_source: String,
    /// The face, its zones' scores and its checks (None without a face).
    pub face: Option<face_report::FaceReport>,
}

/// Affected area per map, as % of skin.
#[derive(Debug, Clone, Copy, Serialize, Default)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Affected {
    /// Pigment (melanin excess).
    pub pigment: f64,
    /// Redness (hemoglobin excess).
    pub redness: f64,
    /// Texture (pits and raised scars).
    pub texture: f64,
}

/// Which map a lesion belongs to.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum LesionKind {
    /// Melanin excess: spots, PIH, melasma, sun spots.
    Pigment,
    /// Hemoglobin excess: red scars, erythema.
    Redness,
    /// Shading depression: atrophic scar.
    Pit,
    /// Shading elevation: raised scar.
    Raised,
}

/// One lesion with its size, place and colour difference to its baseline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct LesionReport {
    /// Stable index in the list.
    pub id: usize,
    /// Map it came from.
    pub kind: LesionKind,
    /// Area in pixels.
    pub area_px: usize,
    /// Area as % of skin.
    pub area_percent: f64,
    /// Centroid (x, y).
    pub centroid: [f64; 2],
    /// Bounding box x0, y0, x1, y1.
    pub bbox: [u32; 4],
    /// Mean ΔE00 between the lesion and its baseline (the lesion removed).
    pub delta_e00: f64,
    /// Mean ΔL* (negative = darker than baseline).
    pub delta_l: f64,
}

/// Lighting checks and the ITA caveat.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Lighting {
    /// Whether a white reference normalized the colours.
    pub white_reference: bool,
    /// Skin pixels with a clipped channel, %.
    pub clipped_percent: f64,
    /// True when clipping affects more than 2% of skin.
    pub clipped_highlights: bool,
    /// True when the median skin L* is below 20.
    pub too_dark: bool,
    /// A plain note for people.
    pub notes: Vec<String>,
}

/// Target short side of the working resolution (rounded to an integer factor, so it
/// lands between about 300 and 600 px): lesions span ≥ 1% of it, pores fall below it,
/// and averaging down lowers camera noise.
const WORK_SHORT_SIDE: f32 = 448.0;

/// Detection threshold of pigment blobs, in the matched filter's standard deviations over
/// this photo's skin: at 6 the real-photo benchmark's untouched photos show 0–2.4% of skin
/// as pigment (stubble, hair at the edge, real moles), at 5 up to 3.8%.
const PIGMENT_K: f32 = 6.0;
/// Detection threshold of red blobs: hemoglobin's direction is less distinct from skin's
/// own texture, so red patches score lower (3–5 at ΔE00 6) than spots of the same contrast.
const REDNESS_K: f32 = 5.0;
/// σ of the baseline a colour blob's excess is measured against, as a share of the
/// working short side (the surround of the largest blob scale, 3 × 0.016 ≈ 0.05, halved:
/// measured on the real-photo benchmark's found spots, see README).
const BLOB_BASELINE: f32 = 0.025;
/// Mean excess (density units) a colour blob needs over its baseline: about ΔE00 1 on
/// light skin, the least a person sees side by side.
const MIN_BLOB_EXCESS: f32 = 0.05;
/// Radius of the smallest colour blob kept, as a share of the working short side (about
/// 1.7 px at 480): spots of 2% of a portrait's face width are 5–6 px across there.
const BLOB_MIN_RADIUS: f32 = 0.0042;

/// Integer downsampling factor from a photo to its working resolution.
pub fn work_scale(width: u32, height: u32) -> usize {
    ((width.min(height) as f32 / WORK_SHORT_SIDE).round() as usize).max(1)
}

/// Radius, in working pixels, of the smallest lesion reported (1.2% of the short side):
/// anything narrower is texture.
pub fn min_lesion_radius(w: usize, h: usize) -> f32 {
    0.012 * w.min(h) as f32
}

/// Analyses a photo at its working resolution; the report is in photo pixels.
pub fn analyze(photo: &Photo, options: &AnalysisOptions) -> Analysis {
    let scale = work_scale(photo.width(), photo.height());
    let work_owned;
    let work = if scale > 1 {
        work_owned = photo.downsample(scale as u32);
        &work_owned
    } else {
        photo
    };
    let (w, h) = (work.width() as usize, work.height() as usize);
    let user_mask = options.user_mask.as_ref().map(|(m, mode)| {
        (
            downsample_mask(m, photo.width() as usize, photo.height() as usize, scale),
            *mode,
        )
    });
    let user = user_mask.as_ref().map(|(m, mode)| (m.as_slice(), *mode));
    let full_size = (photo.width(), photo.height());
    let photo = work;
    let prior = chromophores::decompose(photo, Vectors::default());
    let skin0 = skin_mask::skin_mask(photo, &prior, user);
    let vectors = chromophores::estimate_vectors(photo, &skin0.soft.data);
    // The skin model is a Mahalanobis distance in (melanin, hemoglobin), nearly invariant
    // to the change of basis the estimated vectors make, so the first mask is kept.
    let skin = skin0;
    // Issue 15: the face mesh narrows the colour mask (src/analysis/face_report.rs).
    let face_pass =
        face_report::narrow_skin(options.face.as_ref(), skin, (photo, &prior), user, scale);
    let skin = face_pass.skin.clone();
    let chrom = if vectors.estimated {
        chromophores::decompose(photo, vectors)
    } else {
        prior
    };
    let short = w.min(h) as f32;
    let feather = skin_mask::feather_sigma(w, h);
    let min_area = (min_lesion_radius(w, h).powi(2) * std::f32::consts::PI).max(12.0) as usize;
    let colour_params = MapParams {
        smooth_sigma: (0.006 * short).max(1.0),
        baseline_sigma: 0.06 * short,
        k_sigma: 6.0,
        floor: 0.12,
        min_area,
        sign: 1.0,
        noise: NoiseModel::Local,
    };
    let relief_params = MapParams {
        smooth_sigma: (0.008 * short).max(1.5),
        floor: 0.08,
        k_sigma: 5.0,
        noise: NoiseModel::Global,
        ..colour_params
    };
    let interior = skin.interior();
    // Colour lesions: the matched filter of `blobs`, whitened by this photo's own skin
    // texture, finds them; the maps take their outline and measure the excess to remove.
    let scores = blobs::matched_scores(
        photo,
        &interior,
        &skin.binary,
        &[blobs::MELANIN_MEAN, chromophores::HEMOGLOBIN_PRIOR],
    );
    let blob_area = ((BLOB_MIN_RADIUS * short).powi(2) * std::f32::consts::PI).max(6.0) as usize;
    // The excess to remove is over the skin just around each blob: at the face's scale
    // the melanin plane carries the face's own structure (folds, stubble, flush).
    let local = MapParams {
        baseline_sigma: BLOB_BASELINE * short,
        ..colour_params
    };
    let from_blobs = |plane, z: &Plane, k: f32| {
        let mask = blobs::blob_mask(z, &skin.binary, k, blob_area);
        let mut map =
            lesions::lesion_map_from_mask(plane, &interior, &skin.binary, &local, feather, mask);
        // Unusual for this skin is not enough: a lesion must also differ visibly.
        let excess = map.excess.data.clone();
        map.retain(feather, |px| {
            px.iter().map(|&i| excess[i]).sum::<f32>() >= MIN_BLOB_EXCESS * px.len() as f32
        });
        map
    };
    let pigment = from_blobs(&chrom.melanin, &scores[0], PIGMENT_K);
    let redness = from_blobs(&chrom.hemoglobin, &scores[1], REDNESS_K);
    // The hemoglobin relief detection may treat as explained: the former threshold map,
    // which also takes in lips and flushed areas, so they do not read as pits.
    let explained_redness = lesions::lesion_map(
        &chrom.hemoglobin,
        &interior,
        &skin.binary,
        &MapParams {
            floor: 0.10,
            noise: NoiseModel::Global,
            ..colour_params
        },
        feather,
    );
    let relief_plane = relief_shading(&chrom, &explained_redness, &skin.binary);
    let relief = lesions::smooth_plane(&relief_plane, &interior, &skin.binary, &relief_params);
    // A scar's relief has the colour of skin; a dark "dip" that does not (an eyebrow,
    // lips, the hairline inside a loose mask) is shading the chromophores mislead.
    let relief_map = |params: &MapParams| {
        let mut map =
            lesions::lesion_map_smoothed(&relief, &interior, &skin.binary, params, feather);
        map.retain(feather, |px| {
            2 * px.iter().filter(|&&i| skin.core[i]).count() >= px.len()
        });
        map
    };
    let pits = relief_map(&relief_params);
    let raised = relief_map(&MapParams {
        sign: -1.0,
        ..relief_params
    });
    let mut redness = redness;
    denoise_redness(
        &chrom,
        &interior,
        &skin.binary,
        &colour_params,
        &mut redness,
        [&pigment, &pits, &raised],
    );
    let white_reference = options
        .white_reference
        .map(|(x, y)| (x / scale as u32, y / scale as u32));
    let mut report = report(
        photo,
        white_reference,
        (scale, full_size),
        &chrom,
        &skin,
        [&pigment, &redness, &pits, &raised],
    );
    report.face = options.face.as_ref().and_then(|f| {
        let maps = [&pigment, &redness, &pits, &raised];
        face_report::face_report(f, &face_pass, photo, maps, &report.lesions, scale)
    });
    report.mask_source = face_pass.mask_source;
    let direction = |map: &LesionMap, own_dir: [f32; 3], other: (&Plane, [f32; 3])| {
        lesion_direction(
            &chrom,
            map,
            own_dir,
            other,
            (&interior, &skin.binary),
            &local,
        )
    };
    let removal_directions = [
        direction(
            &pigment,
            chrom.vectors.melanin,
            (&chrom.hemoglobin, chrom.vectors.hemoglobin),
        ),
        direction(
            &redness,
            chrom.vectors.hemoglobin,
            (&chrom.melanin, chrom.vectors.melanin),
        ),
    ];
    Analysis {
        scale,
        chrom,
        skin,
        pigment,
        redness,
        pits,
        raised,
        report,
        zones: face_pass.labels,
        removal_directions,
    }
}

/// The density direction a map's lesions actually have: its own chromophore's vector plus
/// the multiples of the other chromophore and of shading whose excess moves with its own
/// over the lesions (least squares through the origin). A real camera's melanin is not
/// the published vector, so removing along the published one alone leaves a coloured
/// trace; removing along the measured direction takes the whole lesion colour away.
fn lesion_direction(
    chrom: &Chromophores,
    map: &LesionMap,
    own_dir: [f32; 3],
    (other, other_dir): (&Plane, [f32; 3]),
    (interior, skin): (&Plane, &[bool]),
    params: &MapParams,
) -> [f32; 3] {
    if map.lesions.is_empty() {
        return own_dir;
    }
    let excess = |p: &Plane| lesions::excess_around(p, interior, skin, params, &map.mask).excess;
    let (eo, es) = (excess(other), excess(&chrom.shading));
    let (mut mm, mut mo, mut ms) = (0f64, 0f64, 0f64);
    for i in (0..map.mask.len()).filter(|&i| map.mask[i]) {
        let e = map.excess.data[i] as f64;
        mm += e * e;
        mo += e * eo.data[i] as f64;
        ms += e * es.data[i] as f64;
    }
    if mm <= 1e-9 {
        return own_dir;
    }
    let (a, b) = (
        (mo / mm).clamp(-DIRECTION_LIMIT, DIRECTION_LIMIT) as f32,
        (ms / mm).clamp(-DIRECTION_LIMIT, DIRECTION_LIMIT) as f32,
    );
    std::array::from_fn(|k| own_dir[k] + a * other_dir[k] + b)
}

/// Largest multiple of the other chromophore or of shading a lesion direction takes on
/// (the published melanin vectors differ by about 1.2 hemoglobin and 0.7 shading units).
const DIRECTION_LIMIT: f64 = 1.5;

/// Shading for relief detection, with less camera noise than the exact plane.
///
/// The exact shading cancels hemoglobin by a large weight on noisy channels, so on darker
/// skin its noise is mostly the hemoglobin estimate's noise, anti-correlated with it. Here
/// the hemoglobin the analysis explains (baseline plus detected red lesions) is cancelled
/// instead, and the leftover is added back at the regression weight that cancels the noise.
fn relief_shading(chrom: &Chromophores, redness: &LesionMap, skin: &[bool]) -> Plane {
    let (s, h) = (&chrom.shading, &chrom.hemoglobin);
    let leak = noise_regression(s, h, skin);
    let data = (0..s.data.len())
        .map(|i| {
            let explained =
                redness.baseline.data[i] + redness.soft.data[i] * redness.excess.data[i];
            s.data[i] + leak * (h.data[i] - explained)
        })
        .collect();
    Plane::from_vec(s.width, s.height, data)
}

/// −cov(s, h) / var(h) of two planes over skin, band-passed at scar scale (where JPEG's
/// block errors live as well as camera noise): the multiple of `h`'s noise that cancels `s`'s.
fn noise_regression(s: &Plane, h: &Plane, skin: &[bool]) -> f32 {
    let (fs, fh) = (s.band(2.0, 8.0), h.band(2.0, 8.0));
    // Camera noise gives 0.35–0.47 on the synthetic scenes; outside 0..1 it is not noise.
    lesions::cancelling_weights(&fs, [&fh], |i| skin[i]).map_or(0.0, |[w]| w.clamp(0.0, 1.0))
}

/// Takes out of the redness excess the part of its noise the melanin and shading excesses
/// predict: camera noise reaches all three planes through one unmixing, so their errors are
/// correlated. The weights come from a regression over skin no map touches; where another
/// map's lesion lies, its real excess would leak in, so the correction fades there.
fn denoise_redness(
    chrom: &Chromophores,
    weights: &Plane,
    skin: &[bool],
    params: &MapParams,
    redness: &mut LesionMap,
    others: [&LesionMap; 3], // pigment, pits, raised
) {
    // The pigment map's excess is the melanin plane's, smoothed alike.
    let [pigment, ..] = others;
    let s = lesions::smooth_plane(&chrom.shading, weights, skin, params).excess();
    let m = &pigment.excess;
    let h = &redness.excess;
    let other = |i: usize| others.iter().map(|o| o.soft.data[i]).fold(0.0f32, f32::max);
    let untouched = |i: usize| skin[i] && redness.soft.data[i] == 0.0 && other(i) == 0.0;
    let Some([a, b]) = lesions::cancelling_weights(&h.data, [&s.data, &m.data], untouched) else {
        return;
    };
    for i in 0..h.data.len() {
        if redness.soft.data[i] > 0.0 {
            let keep = 1.0 - other(i);
            redness.excess.data[i] += keep * (a * s.data[i] + b * m.data[i]);
        }
    }
}

/// A mask downsampled by majority vote over each `scale × scale` block.
fn downsample_mask(mask: &[bool], w: usize, h: usize, scale: usize) -> Vec<bool> {
    if scale <= 1 {
        return mask.to_vec();
    }
    let (ww, wh) = (w.div_ceil(scale), h.div_ceil(scale));
    let mut count = vec![0u32; ww * wh];
    let mut total = vec![0u32; ww * wh];
    for (i, &m) in mask.iter().take(w * h).enumerate() {
        let j = (i / w / scale) * ww + (i % w) / scale;
        count[j] += m as u32;
        total[j] += 1;
    }
    count.iter().zip(&total).map(|(c, t)| 2 * c >= *t).collect()
}

fn report(
    photo: &Photo,
    white_reference: Option<(u32, u32)>,
    (scale, full_size): (usize, (u32, u32)),
    chrom: &Chromophores,
    skin: &SkinMask,
    maps: [&LesionMap; 4],
) -> Report {
    // Areas are counted at the working resolution; one working pixel is scale² photo pixels.
    let (w, h) = full_size;
    let (s, s2) = (scale as f64, scale * scale);
    let skin_area = skin.area();
    let pct = |n: usize| {
        if skin_area == 0 {
            0.0
        } else {
            100.0 * n as f64 / skin_area as f64
        }
    };
    let gains = white_reference.and_then(|(x, y)| white_gains(photo, x, y));
    let (skin_lab, ita) = median_skin_colour(photo, &skin.binary, gains);
    let count = |m: &[bool]| m.iter().filter(|b| **b).count();
    let texture_px = maps[2]
        .mask
        .iter()
        .zip(&maps[3].mask)
        .filter(|(a, b)| **a || **b)
        .count();
    let kinds = [
        LesionKind::Pigment,
        LesionKind::Redness,
        LesionKind::Pit,
        LesionKind::Raised,
    ];
    let mut lesions = Vec::new();
    for (map, kind) in maps.iter().zip(kinds) {
        for c in &map.lesions {
            let plane = match kind {
                LesionKind::Pigment => &chrom.melanin,
                LesionKind::Redness => &chrom.hemoglobin,
                LesionKind::Pit | LesionKind::Raised => &chrom.shading,
            };
            let (de, dl) = lesion_contrast(photo, chrom, plane, map, kind, c);
            lesions.push(LesionReport {
                id: lesions.len(),
                kind,
                area_px: c.area * s2,
                area_percent: pct(c.area),
                centroid: c.centroid.map(|v| (v + 0.5) * s - 0.5),
                bbox: to_photo_bbox(c.bbox, scale, full_size),
                delta_e00: de,
                delta_l: dl,
            });
        }
    }
    let a_masi_like = a_masi_like(&lesions);
    let lighting = lighting(photo, &skin.binary, skin_lab, gains.is_some());
    let category = ita.map(ItaCategory::from_ita);
    Report {
        width: w,
        height: h,
        skin_found: skin_area > 0,
        skin_area_percent: 100.0 * skin_area as f64 / photo.pixel_count() as f64,
        ita,
        ita_category: category,
        ita_label: category.map(|c| c.label()),
        skin_lab,
        affected_percent: Affected {
            pigment: pct(count(&maps[0].mask)),
            redness: pct(count(&maps[1].mask)),
            texture: pct(texture_px),
        },
        a_masi_like,
        lesions,
        lighting,
        vectors: chrom.vectors,
        mask_source: String::new(),
        face: None,
    }
}

/// A working-resolution bounding box in photo pixels (inclusive, clamped to the photo).
fn to_photo_bbox(b: [u32; 4], scale: usize, (pw, ph): (u32, u32)) -> [u32; 4] {
    let s = scale as u32;
    [
        b[0] * s,
        b[1] * s,
        ((b[2] + 1) * s - 1).min(pw - 1),
        ((b[3] + 1) * s - 1).min(ph - 1),
    ]
}

/// aMASI-like score: 100 × Σ (lesion area / skin area) × darkness, where darkness is the
/// lesion's ΔL* below its baseline over 10 L* units, capped at 1. An area × darkness
/// index in the spirit of the automated mMASI of Tay et al. (2015), not mMASI itself:
/// it has no regional weights and no homogeneity term, and it is not validated.
pub fn a_masi_like(lesions: &[LesionReport]) -> f64 {
    lesions
        .iter()
        .filter(|l| l.kind == LesionKind::Pigment)
        .map(|l| l.area_percent * (-l.delta_l / 10.0).clamp(0.0, 1.0))
        .sum::<f64>()
        // An empty float sum is −0.0, which people would read as "-0.0".
        + 0.0
}

/// Per-channel gains that make the reference neutral at 85% reflectance.
fn white_gains(photo: &Photo, x: u32, y: u32) -> Option<[f64; 3]> {
    let lut = colour::srgb8_to_linear_lut();
    let r = (photo.width().min(photo.height()) / 200).max(2) as i64;
    let mut sum = [0f64; 3];
    let mut n = 0;
    for dy in -r..=r {
        for dx in -r..=r {
            let (px, py) = (x as i64 + dx, y as i64 + dy);
            if px < 0 || py < 0 || px >= photo.width() as i64 || py >= photo.height() as i64 {
                continue;
            }
            let i = (py as usize * photo.width() as usize + px as usize) * 4;
            for c in 0..3 {
                sum[c] += lut[photo.rgba()[i + c] as usize] as f64;
            }
            n += 1;
        }
    }
    let mean = sum.map(|s| s / n.max(1) as f64);
    (n > 0 && mean.iter().all(|&m| m > 0.02)).then(|| mean.map(|m| 0.85 / m))
}

/// Median Lab and median ITA° over skin (subsampled), optionally white-normalized.
fn median_skin_colour(
    photo: &Photo,
    skin: &[bool],
    gains: Option<[f64; 3]>,
) -> (Option<Lab>, Option<f64>) {
    let lut = colour::srgb8_to_linear_lut();
    let stride = (photo.pixel_count() / 100_000).max(1);
    let g = gains.unwrap_or([1.0; 3]);
    let labs: Vec<Lab> = photo
        .rgba()
        .chunks_exact(4)
        .enumerate()
        .step_by(stride)
        .filter(|(i, _)| skin[*i])
        .map(|(_, p)| {
            colour::linear_to_lab(std::array::from_fn(|c| {
                (lut[p[c] as usize] as f64 * g[c]).min(1.0)
            }))
        })
        .collect();
    if labs.is_empty() {
        return (None, None);
    }
    let pick = |f: &dyn Fn(&Lab) -> f64| {
        let mut v: Vec<f32> = labs.iter().map(|l| f(l) as f32).collect();
        lesions::median(&mut v) as f64
    };
    let lab = Lab {
        l: pick(&|l| l.l),
        a: pick(&|l| l.a),
        b: pick(&|l| l.b),
    };
    let ita = pick(&|l| colour::ita_degrees(*l));
    (Some(lab), Some(ita))
}

/// Mean ΔE00 and ΔL* of a lesion against the same pixels with its excess removed.
fn lesion_contrast(
    photo: &Photo,
    chrom: &Chromophores,
    plane: &crate::maths::planes::Plane,
    map: &LesionMap,
    kind: LesionKind,
    c: &Component,
) -> (f64, f64) {
    let w = photo.width() as usize;
    let lut = colour::srgb8_to_linear_lut();
    let (m, hv) = (chrom.vectors.melanin, chrom.vectors.hemoglobin);
    let (mut with, mut without) = ([0f64; 3], [0f64; 3]);
    let mut n = 0usize;
    for y in c.bbox[1] as usize..=c.bbox[3] as usize {
        for x in c.bbox[0] as usize..=c.bbox[2] as usize {
            let i = y * w + x;
            if !map.mask[i] {
                continue;
            }
            let e = plane.data[i] - map.baseline.data[i];
            let d: [f32; 3] = match kind {
                LesionKind::Pigment => m.map(|v| v * e),
                LesionKind::Redness => hv.map(|v| v * e),
                LesionKind::Pit | LesionKind::Raised => [e; 3],
            };
            for k in 0..3 {
                let lin = lut[photo.rgba()[i * 4 + k] as usize] as f64;
                with[k] += lin;
                without[k] += lin * (d[k] as f64).exp();
            }
            n += 1;
        }
    }
    if n == 0 {
        return (0.0, 0.0);
    }
    let a = colour::linear_to_lab(with.map(|s| s / n as f64));
    let b = colour::linear_to_lab(without.map(|s| (s / n as f64).min(1.0)));
    (colour::delta_e2000(a, b), a.l - b.l)
}

fn lighting(
    photo: &Photo,
    skin: &[bool],
    skin_lab: Option<Lab>,
    white_reference: bool,
) -> Lighting {
    let (mut clipped, mut total) = (0usize, 0usize);
    for (px, _) in photo.rgba().chunks_exact(4).zip(skin).filter(|(_, &s)| s) {
        total += 1;
        clipped += px[..3].iter().any(|&v| v >= 250) as usize;
    }
    let clipped_percent = if total == 0 {
        0.0
    } else {
        100.0 * clipped as f64 / total as f64
    };
    let clipped_highlights = clipped_percent > 2.0;
    let too_dark = skin_lab.is_some_and(|l| l.l < 20.0);
    let mut notes = Vec::new();
    if !white_reference {
        notes.push("Skin tone (ITA°) depends on the light and the camera's white balance; pick a white or grey reference for a fairer reading.".to_string());
    }
    if clipped_highlights {
        notes.push(format!(
            "{clipped_percent:.1}% of the skin is overexposed (clipped); details there are lost."
        ));
    }
    if too_dark {
        notes.push(
            "The photo is very dark; results are unreliable. Use even, brighter light.".to_string(),
        );
    }
    Lighting {
        white_reference,
        clipped_percent,
        clipped_highlights,
        too_dark,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_lesions_score_plain_zero() {
        let score = a_masi_like(&[]);
        assert_eq!(score, 0.0);
        assert!(score.is_sign_positive(), "shown as -0.0");
    }
}
