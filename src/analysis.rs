//! The analysis pipeline on one photo: chromophores → skin mask → lesion maps → scores.

pub mod face_report;
pub mod maps;
pub mod params;
pub mod removal;

use crate::lesions::blobs::{self, Direction};
use crate::lesions::maps::{self as lesions, LesionMap, MapParams, NoiseModel};
use crate::maths::components::Component;
use crate::maths::least_squares::cancelling_weights;
use crate::maths::max_f32;
use crate::maths::planes::Plane;
use crate::maths::stats;
use crate::photo::colour::{self, ItaCategory, Lab};
use crate::photo::Photo;
use crate::skin::chromophores::{self, Chromophores, Vectors};
use crate::skin::mask::{self as skin_mask, SkinMask, UserMaskMode};
pub use params::AnalysisParams;
use serde::Serialize;
use std::sync::OnceLock;

/// Optional inputs to an analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// A user mask (true = skin) and how it combines with the automatic one.
    pub user_mask: Option<(Vec<bool>, UserMaskMode)>,
    /// A pixel known to be white or neutral grey (shirt, sclera, grey card).
    pub white_reference: Option<(u32, u32)>,
    /// Face landmarks (photo pixels): narrow the skin mask to the face and score its zones.
    pub face: Option<crate::skin::face::Face>,
    /// The tuning numbers ([`AnalysisParams::DEFAULT`] unless a test or bench tries others).
    pub params: AnalysisParams,
}

/// Everything the analysis found, kept for rendering and overlays. Planes and masks are
/// at the working resolution: the photo downsampled by `scale`.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Integer factor from the working resolution to the photo's.
    scale: usize,
    /// The planes and masks on the grid analysed (the face's region, or the whole frame).
    planes: Planes,
    /// Where that grid sits in the photo's working frame; `None` when it is the frame.
    placed: Option<Placement>,
    /// `planes` placed in the whole frame, made on first use: the report does not need
    /// them, the projector and the maps do.
    framed: OnceLock<Box<Planes>>,
    /// Scores and lesion list.
    report: Report,
    /// Density directions removed per unit of pigment and of redness excess: each map's
    /// chromophore vector as measured over its lesions (see `lesion_direction`), from
    /// `directions_from` on first use (the projector needs them, the report does not).
    removal_directions: OnceLock<[[f32; 3]; 2]>,
    /// What the removal directions are measured from.
    directions_from: Box<DirectionInputs>,
    /// The tuning numbers it was made with.
    params: AnalysisParams,
    /// [`Analysis::hemoglobin_detail`], computed on first use.
    hemoglobin_detail: OnceLock<Plane>,
    /// [`Analysis::pit_relief`], computed on first use.
    pit_relief: OnceLock<Plane>,
}

/// An analysis's planes, masks and zone labels on one grid.
#[derive(Debug, Clone)]
struct Planes {
    /// Chromophore planes.
    chrom: Chromophores,
    /// Skin mask.
    skin: SkinMask,
    /// Melanin excess map.
    pigment: LesionMap,
    /// Hemoglobin excess map.
    redness: LesionMap,
    /// Depressions in scar-scale shading relief (atrophic pits).
    pits: LesionMap,
    /// Elevations in scar-scale shading relief (raised scars).
    raised: LesionMap,
    /// Face zone labels (`face::zones`), when a face narrowed the mask.
    zones: Option<Vec<u8>>,
}

/// The pigment and redness maps' surrounds and the smoothed planes (melanin, hemoglobin,
/// shading) that [`Analysis::removal_directions`] fits over.
#[derive(Debug, Clone)]
struct DirectionInputs {
    around: [lesions::Surround; 2],
    smoothed: [lesions::SkinSmoothed; 3],
}

/// A region's grid placed at `at` (working pixels) in a `frame`-sized one.
#[derive(Debug, Clone, Copy)]
struct Placement {
    frame: (usize, usize),
    at: (usize, usize),
}

impl Analysis {
    /// Integer factor from the working resolution to the photo's.
    pub fn scale(&self) -> usize {
        self.scale
    }

    /// Chromophore planes.
    pub fn chrom(&self) -> &Chromophores {
        &self.planes().chrom
    }

    /// Skin mask.
    pub fn skin(&self) -> &SkinMask {
        &self.planes().skin
    }

    /// Melanin excess map.
    pub fn pigment(&self) -> &LesionMap {
        &self.planes().pigment
    }

    /// Hemoglobin excess map.
    pub fn redness(&self) -> &LesionMap {
        &self.planes().redness
    }

    /// Depressions in scar-scale shading relief (atrophic pits).
    pub fn pits(&self) -> &LesionMap {
        &self.planes().pits
    }

    /// Elevations in scar-scale shading relief (raised scars).
    pub fn raised(&self) -> &LesionMap {
        &self.planes().raised
    }

    /// The planes on the photo's whole working frame.
    fn planes(&self) -> &Planes {
        match self.placed {
            None => &self.planes,
            Some(at) => self
                .framed
                .get_or_init(|| Box::new(self.planes.embedded(at))),
        }
    }

    /// Scores and lesion list.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Density directions removed per unit of pigment and of redness excess.
    pub fn removal_directions(&self) -> [[f32; 3]; 2] {
        *self.removal_directions.get_or_init(|| {
            let (p, d) = (&self.planes, &self.directions_from);
            let [m, hb] = [p.chrom.vectors.melanin, p.chrom.vectors.hemoglobin];
            let limit = self.params.direction_limit;
            [
                lesion_direction(
                    &p.pigment,
                    &d.around[0],
                    m,
                    (&d.smoothed[1], hb),
                    &d.smoothed[2],
                    limit,
                ),
                lesion_direction(
                    &p.redness,
                    &d.around[1],
                    hb,
                    (&d.smoothed[0], m),
                    &d.smoothed[2],
                    limit,
                ),
            ]
        })
    }

    /// Face zone labels at the working resolution (`face::zones`), when a face narrowed the mask.
    pub fn zones(&self) -> Option<&[u8]> {
        self.planes().zones.as_deref()
    }

    /// Hemoglobin with its noise cancelled, removed across a red lesion's contour
    /// (see [`removal::hemoglobin_detail`]).
    pub fn hemoglobin_detail(&self) -> &Plane {
        self.hemoglobin_detail
            .get_or_init(|| removal::hemoglobin_detail(self))
    }

    /// Depth of the pits to fill, without their pores (see [`removal::pit_relief`]).
    pub fn pit_relief(&self) -> &Plane {
        self.pit_relief.get_or_init(|| removal::pit_relief(self))
    }

    /// The tuning numbers it was made with.
    pub fn params(&self) -> &AnalysisParams {
        &self.params
    }

    /// Records why the face mesh was not used (the mask then came from colour alone).
    pub(crate) fn note_colour_only(&mut self, why: &str) {
        self.report.mask_source = format!("colour only: {why}");
    }
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

/// Integer downsampling factor from a photo to its working resolution.
pub fn work_scale(width: u32, height: u32) -> usize {
    AnalysisParams::DEFAULT.work_scale(width, height)
}

/// Radius, in working pixels, of the smallest lesion reported with the default parameters.
pub fn min_lesion_radius(w: usize, h: usize) -> f32 {
    AnalysisParams::DEFAULT.min_lesion_radius(w, h)
}

/// The part of a photo an analysis looks at, and how finely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// x0, y0, width, height in photo pixels; x0 and y0 are multiples of `scale`.
    pub rect: [u32; 4],
    /// Photo pixels per working pixel along each axis.
    pub scale: usize,
}

impl Region {
    /// The whole photo at its working scale.
    pub fn whole(photo: &Photo) -> Region {
        Region::whole_with(photo, &AnalysisParams::DEFAULT)
    }

    /// The whole photo at the working scale `params` choose.
    pub fn whole_with(photo: &Photo, params: &AnalysisParams) -> Region {
        let (w, h) = (photo.width(), photo.height());
        Region {
            rect: [0, 0, w, h],
            scale: params.work_scale(w, h),
        }
    }

    /// The region's origin in working pixels.
    fn origin(&self) -> (usize, usize) {
        (
            self.rect[0] as usize / self.scale,
            self.rect[1] as usize / self.scale,
        )
    }
}

/// The face's region (its oval lifted over the forehead, with a margin) at the scale that
/// sees the face [`AnalysisParams::face_work_width`] pixels wide, coarser if the pixel caps
/// demand it; `None` for an incomplete mesh.
pub fn face_region(photo: &Photo, face: &crate::skin::face::Face) -> Option<Region> {
    face_region_with(photo, face, &AnalysisParams::DEFAULT)
}

/// [`face_region`] with the given parameters.
pub fn face_region_with(
    photo: &Photo,
    face: &crate::skin::face::Face,
    p: &AnalysisParams,
) -> Option<Region> {
    use crate::skin::face::{mask, zones};
    if face.points.len() < crate::skin::face::MESH_POINTS
        || face.width_px.is_nan()
        || face.width_px <= 1.0
    {
        return None;
    }
    let oval = mask::extended_oval(face, zones::FOREHEAD_RISE);
    let pad = p.face_margin * face.width_px;
    let (pw, ph) = (photo.width(), photo.height());
    let bound = |k: usize, hi: bool, n: u32| {
        let v = oval.iter().map(|p| p[k]);
        let v = if hi {
            v.fold(f32::NEG_INFINITY, f32::max) + pad
        } else {
            v.fold(f32::INFINITY, f32::min) - pad
        };
        v.clamp(0.0, n as f32) as u32
    };
    let (x0, x1) = (bound(0, false, pw), bound(0, true, pw));
    let (y0, y1) = (bound(1, false, ph), bound(1, true, ph));
    if x1 <= x0 + 8 || y1 <= y0 + 8 {
        return None;
    }
    let frame = |s: u32| (pw.div_ceil(s) * ph.div_ceil(s)) as usize;
    let aligned = |s: u32| {
        let (ax0, ay0) = (x0 / s * s, y0 / s * s);
        let (ax1, ay1) = ((x1.div_ceil(s) * s).min(pw), (y1.div_ceil(s) * s).min(ph));
        [ax0, ay0, ax1 - ax0, ay1 - ay0]
    };
    let mut s = (face.width_px / p.face_work_width).round().max(1.0) as u32;
    while s < pw.max(ph) {
        let r = aligned(s);
        let region = (r[2].div_ceil(s) * r[3].div_ceil(s)) as usize;
        if region <= p.max_region_pixels && frame(s) <= p.max_frame_pixels {
            break;
        }
        s += 1;
    }
    Some(Region {
        rect: aligned(s),
        scale: s as usize,
    })
}

/// Analyses a photo; the report is in photo pixels. With a face, the analysis looks at
/// the face's region at the face's own scale, and falls back to the whole photo when the
/// face's skin does not match the skin colour.
pub fn analyze(photo: &Photo, options: &AnalysisOptions) -> Analysis {
    let replaced = matches!(options.user_mask, Some((_, UserMaskMode::Replace)));
    let region = options.face.as_ref().filter(|_| !replaced);
    if let Some(region) = region.and_then(|f| face_region_with(photo, f, &options.params)) {
        let a = analyze_in(photo, options, region);
        if a.planes.zones.is_some() {
            return a;
        }
    }
    analyze_in(photo, options, Region::whole_with(photo, &options.params))
}

/// Analyses `region` of a photo at its scale; the planes are placed in the whole photo's
/// working frame.
pub fn analyze_in(full: &Photo, options: &AnalysisOptions, region: Region) -> Analysis {
    let p = &options.params;
    let scale = region.scale;
    let [x0, y0, rw, rh] = region.rect;
    let whole = region.rect == [0, 0, full.width(), full.height()];
    let work_owned;
    let work = if whole && scale == 1 {
        full
    } else {
        work_owned = full.downsample_region(region.rect, scale as u32);
        &work_owned
    };
    let (w, h) = (work.width() as usize, work.height() as usize);
    let user_mask = options.user_mask.as_ref().map(|(m, mode)| {
        let fw = full.width() as usize;
        let cropped: Vec<bool> = (y0..y0 + rh)
            .flat_map(|y| {
                // A mask shorter than the photo reads as no skin where it ends.
                let at = y as usize * fw + x0 as usize;
                let row = m.get(at..(at + rw as usize).min(m.len())).unwrap_or(&[]);
                (0..rw as usize).map(move |x| row.get(x).copied().unwrap_or(false))
            })
            .collect();
        (
            downsample_mask(&cropped, rw as usize, rh as usize, scale),
            *mode,
        )
    });
    let user = user_mask.as_ref().map(|(m, mode)| (m.as_slice(), *mode));
    let face = options.face.as_ref().map(|f| {
        let mut f = f.clone();
        for p in &mut f.points {
            p[0] -= x0 as f32;
            p[1] -= y0 as f32;
        }
        f
    });
    let gains = options.white_reference.and_then(|(x, y)| {
        let inside = (x0..x0 + rw).contains(&x) && (y0..y0 + rh).contains(&y);
        let s = scale as u32;
        if inside {
            white_gains(work, (x - x0) / s, (y - y0) / s, p)
        } else {
            white_gains(full, x, y, p)
        }
    });
    let full_size = (full.width(), full.height());
    let photo = work;
    let prior = chromophores::decompose(photo, Vectors::default());
    let skin0 = skin_mask::skin_mask_with(photo, &prior, user, &p.mask);
    let vectors = chromophores::estimate_vectors_with(photo, &skin0.soft.data, &p.estimate);
    // The skin model is a Mahalanobis distance in (melanin, hemoglobin), nearly invariant
    // to the change of basis the estimated vectors make, so the first mask is kept.
    let skin = skin0;
    // Issue 15: the face mesh narrows the colour mask (src/analysis/face_report.rs).
    let face_pass = face_report::narrow_skin(face.as_ref(), skin, (photo, &prior), user, scale);
    let skin = face_pass.skin.clone();
    let chrom = if vectors.estimated {
        chromophores::decompose(photo, vectors)
    } else {
        prior
    };
    let short = w.min(h) as f32;
    let feather = p.mask.feather_sigma(w, h);
    let colour_params = p.colour_maps(w, h);
    let relief_params = p.relief_maps(w, h);
    let interior = skin.interior();
    // Colour lesions: the matched filter of `blobs`, whitened by this photo's own skin
    // texture, finds them; the maps take their outline and measure the excess to remove.
    let scores = blobs::matched_scores_with(
        photo,
        &interior,
        &skin.binary,
        &[
            Direction {
                vector: blobs::MELANIN_TSUMURA,
                local: true,
            },
            Direction {
                vector: blobs::MELANIN_ICA,
                local: true,
            },
            // The real papules and flushes sit where the face is mottled: against its
            // local level they fade (found 1 of 9 marked, against 4 of 9 over the face).
            Direction {
                vector: chromophores::HEMOGLOBIN_PRIOR,
                local: false,
            },
        ],
        &p.blobs,
    );
    // A camera's melanin direction is unknown: a spot scores by the nearer published one.
    let scores = {
        let mut s = scores;
        let ica = s.remove(1);
        for (a, b) in s[0].data.iter_mut().zip(&ica.data) {
            *a = max_f32(*a, *b);
        }
        s
    };
    let blob_area =
        ((p.blob_min_radius * short).powi(2) * std::f32::consts::PI).max(p.min_blob_area) as usize;
    // The excess to remove is over the skin just around each blob: at the face's scale
    // the melanin plane carries the face's own structure (folds, stubble, flush).
    let local = MapParams {
        baseline_sigma: p.blob_baseline * short,
        ..colour_params
    };
    // Each plane smoothed once at the colour maps' scale, for every map and fit below.
    let smoothed = [&chrom.melanin, &chrom.hemoglobin, &chrom.shading]
        .map(|p| lesions::smooth_over_skin(p, &interior, &skin.binary, &colour_params));
    let from_blobs = |own: usize, z: &Plane, k: f32| {
        let mask = blobs::blob_mask_with(z, &skin.binary, k, blob_area, &p.blobs);
        let around = lesions::Surround::new(&interior, &local, &mask);
        let mut map =
            lesions::lesion_map_from_mask(&smoothed[own], &around, &skin.binary, feather, mask);
        // Unusual for this skin is not enough: a lesion must also differ visibly.
        let excess = map.excess.data.clone();
        map.retain(feather, |px| {
            px.iter().map(|&i| excess[i]).sum::<f32>() >= p.min_blob_excess * px.len() as f32
        });
        (map, around)
    };
    let (pigment, pigment_around) = from_blobs(0, &scores[0], p.pigment_k);
    let (redness, redness_around) = from_blobs(1, &scores[1], p.redness_k);
    // The hemoglobin relief detection may treat as explained: the former threshold map,
    // which also takes in lips and flushed areas, so they do not read as pits.
    let explained_params = MapParams {
        floor: p.explained_floor,
        noise: NoiseModel::Global,
        ..colour_params
    };
    let explained_redness = lesions::lesion_map_smoothed(
        &lesions::smooth_plane_from(&smoothed[1], &interior, &explained_params),
        &interior,
        &skin.binary,
        &explained_params,
        feather,
    );
    let relief_plane = relief_shading(&chrom, &explained_redness, &skin.binary, p.noise_band);
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
        &smoothed[2],
        &interior,
        &skin.binary,
        &colour_params,
        &mut redness,
        [&pigment, &pits, &raised],
    );
    let (mut pigment, mut pits, mut raised) = (pigment, pits, raised);
    for (map, plane, kind) in [
        (&mut pigment, &chrom.melanin, LesionKind::Pigment),
        (&mut redness, &chrom.hemoglobin, LesionKind::Redness),
        (&mut pits, &chrom.shading, LesionKind::Pit),
        (&mut raised, &chrom.shading, LesionKind::Raised),
    ] {
        let baseline = map.baseline.clone();
        map.retain(feather, |px| {
            let (de, _) = contrast(photo, &chrom, (plane, &baseline), kind, px.iter().copied());
            plausible(kind, de, p)
        });
    }
    let mut report = report(
        photo,
        gains,
        (scale, full_size, (x0, y0)),
        &chrom,
        &skin,
        [&pigment, &redness, &pits, &raised],
        p,
    );
    report.face = face.as_ref().and_then(|f| {
        let maps = [&pigment, &redness, &pits, &raised];
        face_report::face_report(f, &face_pass, photo, maps, &report.lesions, scale)
    });
    report.mask_source = face_pass.mask_source;
    let planes = Planes {
        chrom,
        skin,
        pigment,
        redness,
        pits,
        raised,
        zones: face_pass.labels,
    };
    let placed = (!whole).then(|| Placement {
        frame: (
            full_size.0.div_ceil(scale as u32) as usize,
            full_size.1.div_ceil(scale as u32) as usize,
        ),
        at: region.origin(),
    });
    Analysis {
        scale,
        planes,
        placed,
        framed: OnceLock::new(),
        report,
        removal_directions: OnceLock::new(),
        directions_from: Box::new(DirectionInputs {
            around: [pigment_around, redness_around],
            smoothed,
        }),
        params: *p,
        hemoglobin_detail: OnceLock::new(),
        pit_relief: OnceLock::new(),
    }
}

impl Planes {
    /// These planes placed in the whole frame: nothing was analysed outside the region,
    /// so it holds no skin and no lesion.
    fn embedded(&self, Placement { frame, at }: Placement) -> Planes {
        let (fw, fh) = frame;
        let w = self.skin.soft.width;
        let plane = |p: &Plane| p.embed(fw, fh, at, 0.0);
        let flags = |m: &[bool]| crate::maths::planes::embed(m, w, frame, at, false);
        let map = |m: &LesionMap| LesionMap {
            excess: plane(&m.excess),
            soft: plane(&m.soft),
            mask: flags(&m.mask),
            lesions: m
                .lesions
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.centroid[0] += at.0 as f64;
                    c.centroid[1] += at.1 as f64;
                    c.bbox[0] += at.0 as u32;
                    c.bbox[2] += at.0 as u32;
                    c.bbox[1] += at.1 as u32;
                    c.bbox[3] += at.1 as u32;
                    c
                })
                .collect(),
            noise: m.noise,
            baseline: plane(&m.baseline),
        };
        Planes {
            chrom: Chromophores {
                melanin: plane(&self.chrom.melanin),
                hemoglobin: plane(&self.chrom.hemoglobin),
                shading: plane(&self.chrom.shading),
                vectors: self.chrom.vectors,
            },
            skin: SkinMask {
                soft: plane(&self.skin.soft),
                binary: flags(&self.skin.binary),
                model: self.skin.model,
                core: flags(&self.skin.core),
            },
            pigment: map(&self.pigment),
            redness: map(&self.redness),
            pits: map(&self.pits),
            raised: map(&self.raised),
            zones: self
                .zones
                .as_ref()
                .map(|z| crate::maths::planes::embed(z, w, frame, at, 0)),
        }
    }
}

/// The density direction a map's lesions actually have: its own chromophore's vector plus
/// the multiples of the other chromophore and of shading whose excess moves with its own
/// over the lesions (least squares through the origin). A real camera's melanin is not
/// the published vector, so removing along the published one alone leaves a coloured
/// trace; removing along the measured direction takes the whole lesion colour away.
fn lesion_direction(
    map: &LesionMap,
    around: &lesions::Surround,
    own_dir: [f32; 3],
    (other, other_dir): (&lesions::SkinSmoothed, [f32; 3]),
    shading: &lesions::SkinSmoothed,
    limit: f64,
) -> [f32; 3] {
    if map.lesions.is_empty() {
        return own_dir;
    }
    let (eo, es) = (around.excess(other).excess, around.excess(shading).excess);
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
        (mo / mm).clamp(-limit, limit) as f32,
        (ms / mm).clamp(-limit, limit) as f32,
    );
    std::array::from_fn(|k| own_dir[k] + a * other_dir[k] + b)
}

/// Shading for relief detection, with less camera noise than the exact plane.
///
/// The exact shading cancels hemoglobin by a large weight on noisy channels, so on darker
/// skin its noise is mostly the hemoglobin estimate's noise, anti-correlated with it. Here
/// the hemoglobin the analysis explains (baseline plus detected red lesions) is cancelled
/// instead, and the leftover is added back at the regression weight that cancels the noise.
fn relief_shading(
    chrom: &Chromophores,
    redness: &LesionMap,
    skin: &[bool],
    band: (f32, f32),
) -> Plane {
    let (s, h) = (&chrom.shading, &chrom.hemoglobin);
    let leak = noise_regression(s, h, skin, band);
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
fn noise_regression(s: &Plane, h: &Plane, skin: &[bool], (lo, hi): (f32, f32)) -> f32 {
    let (fs, fh) = (s.band(lo, hi), h.band(lo, hi));
    // Camera noise gives 0.35–0.47 on the synthetic scenes; outside 0..1 it is not noise.
    cancelling_weights(&fs, [&fh], |i| skin[i]).map_or(0.0, |[w]| w.clamp(0.0, 1.0))
}

/// Takes out of the redness excess the part of its noise the melanin and shading excesses
/// predict: camera noise reaches all three planes through one unmixing, so their errors are
/// correlated. The weights come from a regression over skin no map touches; where another
/// map's lesion lies, its real excess would leak in, so the correction fades there.
fn denoise_redness(
    shading: &lesions::SkinSmoothed,
    weights: &Plane,
    skin: &[bool],
    params: &MapParams,
    redness: &mut LesionMap,
    others: [&LesionMap; 3], // pigment, pits, raised
) {
    // The pigment map's excess is the melanin plane's, smoothed alike.
    let [pigment, ..] = others;
    let s = lesions::smooth_plane_from(shading, weights, params).excess();
    let m = &pigment.excess;
    let h = &redness.excess;
    let other = |i: usize| others.iter().map(|o| o.soft.data[i]).fold(0.0f32, f32::max);
    let untouched = |i: usize| skin[i] && redness.soft.data[i] == 0.0 && other(i) == 0.0;
    let Some([a, b]) = cancelling_weights(&h.data, [&s.data, &m.data], untouched) else {
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
    gains: Option<[f64; 3]>,
    (scale, full_size, origin): (usize, (u32, u32), (u32, u32)),
    chrom: &Chromophores,
    skin: &SkinMask,
    maps: [&LesionMap; 4],
    p: &AnalysisParams,
) -> Report {
    // Areas are counted at the working resolution; one working pixel is scale² photo pixels.
    let (w, h) = full_size;
    let (s, s2) = (scale as f64, scale * scale);
    let skin_area = skin.area();
    let frame_pixels = (w.div_ceil(scale as u32) * h.div_ceil(scale as u32)) as usize;
    let pct = |n: usize| {
        if skin_area == 0 {
            0.0
        } else {
            100.0 * n as f64 / skin_area as f64
        }
    };
    let (skin_lab, ita) = median_skin_colour(photo, &skin.binary, gains, p.colour_samples);
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
                centroid: [
                    (c.centroid[0] + 0.5) * s - 0.5 + origin.0 as f64,
                    (c.centroid[1] + 0.5) * s - 0.5 + origin.1 as f64,
                ],
                bbox: to_photo_bbox(c.bbox, scale, origin, full_size),
                delta_e00: de,
                delta_l: dl,
            });
        }
    }
    let a_masi_like = a_masi_like(&lesions);
    let lighting = lighting(photo, &skin.binary, skin_lab, gains.is_some(), p);
    let category = ita.map(ItaCategory::from_ita);
    Report {
        width: w,
        height: h,
        skin_found: skin_area > 0,
        skin_area_percent: 100.0 * skin_area as f64 / frame_pixels as f64,
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

/// A region's working-resolution bounding box in photo pixels (inclusive, clamped to the
/// photo); `origin` is the region's corner in photo pixels.
fn to_photo_bbox(
    b: [u32; 4],
    scale: usize,
    (ox, oy): (u32, u32),
    (pw, ph): (u32, u32),
) -> [u32; 4] {
    let s = scale as u32;
    [
        ox + b[0] * s,
        oy + b[1] * s,
        (ox + (b[2] + 1) * s - 1).min(pw - 1),
        (oy + (b[3] + 1) * s - 1).min(ph - 1),
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

/// Per-channel gains that make the reference neutral at [`AnalysisParams::white_reflectance`].
fn white_gains(photo: &Photo, x: u32, y: u32, p: &AnalysisParams) -> Option<[f64; 3]> {
    let lut = colour::srgb8_to_linear_lut();
    let r =
        (photo.width().min(photo.height()) / p.white_patch_divisor).max(p.white_patch_min) as i64;
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
    (n > 0 && mean.iter().all(|&m| m > p.white_min_linear))
        .then(|| mean.map(|m| p.white_reflectance / m))
}

/// Median Lab and median ITA° over skin (subsampled), optionally white-normalized.
fn median_skin_colour(
    photo: &Photo,
    skin: &[bool],
    gains: Option<[f64; 3]>,
    samples: usize,
) -> (Option<Lab>, Option<f64>) {
    let lut = colour::srgb8_to_linear_lut();
    let stride = (photo.pixel_count() / samples).max(1);
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
        stats::median(&mut v) as f64
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
    plane: &Plane,
    map: &LesionMap,
    kind: LesionKind,
    c: &Component,
) -> (f64, f64) {
    let w = photo.width() as usize;
    let rows = c.bbox[1] as usize..=c.bbox[3] as usize;
    let px = rows
        .flat_map(|y| (c.bbox[0] as usize..=c.bbox[2] as usize).map(move |x| y * w + x))
        .filter(|&i| map.mask[i]);
    contrast(photo, chrom, (plane, &map.baseline), kind, px)
}

/// Mean ΔE00 and ΔL* of the pixels `px` against themselves with the plane's excess over
/// `baseline` removed along the kind's density direction.
fn contrast(
    photo: &Photo,
    chrom: &Chromophores,
    (plane, baseline): (&Plane, &Plane),
    kind: LesionKind,
    px: impl Iterator<Item = usize>,
) -> (f64, f64) {
    let lut = colour::srgb8_to_linear_lut();
    let (m, hv) = (chrom.vectors.melanin, chrom.vectors.hemoglobin);
    let (mut with, mut without) = ([0f64; 3], [0f64; 3]);
    let mut n = 0usize;
    for i in px {
        let e = plane.data[i] - baseline.data[i];
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
    if n == 0 {
        return (0.0, 0.0);
    }
    let a = colour::linear_to_lab(with.map(|s| s / n as f64));
    let b = colour::linear_to_lab(without.map(|s| (s / n as f64).min(1.0)));
    (colour::delta_e2000(a, b), a.l - b.l)
}

/// Whether a lesion of this kind and contrast is one a person would see and skin makes.
fn plausible(kind: LesionKind, de: f64, p: &AnalysisParams) -> bool {
    match kind {
        LesionKind::Pigment | LesionKind::Redness => de >= p.min_visible_de00,
        LesionKind::Pit | LesionKind::Raised => {
            (p.min_visible_de00..=p.max_relief_de00).contains(&de)
        }
    }
}

fn lighting(
    photo: &Photo,
    skin: &[bool],
    skin_lab: Option<Lab>,
    white_reference: bool,
    p: &AnalysisParams,
) -> Lighting {
    let (mut clipped, mut total) = (0usize, 0usize);
    for (px, _) in photo.rgba().chunks_exact(4).zip(skin).filter(|(_, &s)| s) {
        total += 1;
        clipped += px[..3].iter().any(|&v| v >= p.clip_level) as usize;
    }
    let clipped_percent = if total == 0 {
        0.0
    } else {
        100.0 * clipped as f64 / total as f64
    };
    let clipped_highlights = clipped_percent > p.clipped_warn_percent;
    let too_dark = skin_lab.is_some_and(|l| l.l < p.too_dark_l);
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
