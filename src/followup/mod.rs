//! Follow-up visits. Takes the baseline photo with its analysis and face, and a later photo
//! of the same skin with its face (or three matching points on each); gives the follow-up
//! registered to the baseline's frame, its light matched, each baseline lesion's measured
//! change, per-zone scores, and the change held against a plan's projected band.
//!
//! Depends on [`crate::analysis`], [`crate::evidence`] and [`crate::projection::plan`].

pub mod change;
pub mod noise;
pub mod photometric;
pub mod register;
pub mod sharpness;
pub mod verdict;

use crate::analysis::{Analysis, LesionKind};
use crate::evidence::{Channel, Profile};
use crate::maths::components;
use crate::maths::planes::Plane;
use crate::photo::colour;
use crate::photo::Photo;
use crate::projection::plan::PlanError;
use crate::session::Session;
use crate::skin::chromophores::Unmixing;
use crate::skin::face::{mask as face_mask, raster, zones, Face};
use change::{FramePlanes, LesionChange};
use photometric::Photometric;
pub use register::{Method, PointPairs, Registration};
use serde::Serialize;
use sharpness::{BlurredPhoto, SharpnessMatch};
use thiserror::Error;
use verdict::ProjectionCheck;

/// The piecewise mesh warp must leave at most this share of the global map's squared
/// structure misfit over the face to be used: JPEG and a fading lesion move the misfit
/// by a few percent, a change of expression by far more.
pub const MESH_WARP_GAIN: f64 = 0.7;

/// A working pixel whose brightest channel reaches this linear value on either photo is
/// taken as clipped (a working pixel averages several photo pixels, so a partly clipped
/// one reads a little under 1): neither the light nor a lesion is measured there.
pub const CLIPPED: f32 = 0.95;

/// Why a follow-up could not be compared; the messages say what to do.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FollowupError {
    /// The baseline has no analysis yet.
    #[error("Analyse the baseline photo first.")]
    NotAnalysed,
    /// A photo without a face, and no marked points.
    #[error("No face was found on the {which} photo. Mark three matching points on both photos (CLI: --points \"x1,y1,x2,y2,x3,y3;x1,y1,x2,y2,x3,y3\", baseline first).")]
    NoFace {
        /// "baseline" or "follow-up".
        which: &'static str,
    },
    /// A face too small to register.
    #[error("The face on the {which} photo is {width_px:.0} px wide; at least {min_px:.0} px is needed. Move closer or use a larger photo.")]
    FaceTooSmall {
        /// Which photo.
        which: &'static str,
        /// Face width found.
        width_px: f32,
        /// Least width.
        min_px: f32,
    },
    /// The head is turned differently.
    #[error("The head is turned {followup_deg:.0}° on the follow-up and {baseline_deg:.0}° on the baseline; more than {max_deg:.0}° apart. Take the follow-up facing the camera as in the baseline.")]
    HeadTurned {
        /// Baseline yaw.
        baseline_deg: f32,
        /// Follow-up yaw.
        followup_deg: f32,
        /// Largest difference.
        max_deg: f32,
    },
    /// The faces' shapes differ like two people's.
    #[error("The faces differ by {distance_percent:.1}% of the face width after alignment (the same person reads under {max_percent:.1}%): this looks like another person. Use a follow-up photo of the same person.")]
    DifferentPerson {
        /// Measured shape distance, % of face width.
        distance_percent: f64,
        /// The threshold, %.
        max_percent: f64,
    },
    /// Points that cannot define an affine map.
    #[error("The marked points cannot align the photos: {0}. Mark three points far apart, not in a line, inside both photos.")]
    BadPoints(String),
    /// The follow-up shows the skin at a very different size (or the map is degenerate).
    #[error("The follow-up shows the skin at {scale:.2}× the baseline's size; take it from about the same distance (between a quarter and four times the size).")]
    SizeMismatch {
        /// Follow-up px per baseline px.
        scale: f64,
    },
    /// The follow-up does not overlap the baseline's skin.
    #[error("After alignment the follow-up covers too little of the baseline's skin; photograph the same area again.")]
    NoOverlap,
    /// The plan has no evidence to compare with.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl FollowupError {
    /// A stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            FollowupError::NotAnalysed => "not-analysed",
            FollowupError::NoFace { .. } => "no-face",
            FollowupError::FaceTooSmall { .. } => "face-too-small",
            FollowupError::HeadTurned { .. } => "head-turned",
            FollowupError::DifferentPerson { .. } => "different-person",
            FollowupError::BadPoints(_) => "bad-points",
            FollowupError::NoOverlap => "no-overlap",
            FollowupError::SizeMismatch { .. } => "size-mismatch",
            FollowupError::Plan(_) => "no-evidence",
        }
    }
}

/// Parses "x1,y1,x2,y2,x3,y3;x1,y1,x2,y2,x3,y3" (baseline; follow-up, photo pixels).
pub fn parse_points(s: &str) -> Result<PointPairs, FollowupError> {
    let bad = |m: &str| FollowupError::BadPoints(m.to_string());
    let (a, b) = s
        .split_once(';')
        .ok_or_else(|| bad("expected the baseline's six numbers, ';', the follow-up's six"))?;
    let six = |t: &str| -> Result<[[f32; 2]; 3], FollowupError> {
        let v: Vec<f32> = t
            .split(',')
            .map(|x| x.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad(&format!("'{t}' is not six numbers")))?;
        if v.len() != 6 || v.iter().any(|x| !x.is_finite()) {
            return Err(bad(&format!("'{t}' is not six numbers")));
        }
        Ok([[v[0], v[1]], [v[2], v[3]], [v[4], v[5]]])
    };
    Ok(PointPairs {
        baseline: six(a)?,
        followup: six(b)?,
    })
}

/// The plan to hold the change against.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanQuery {
    /// Treatment id.
    pub treatment: String,
    /// Concern id.
    pub concern: String,
    /// Weeks between the photos.
    pub weeks: f64,
}

/// What a comparison takes besides the photos.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Matching points (required without a face on either photo; used instead of the mesh
    /// when given).
    pub points: Option<PointPairs>,
    /// A plan to compare with.
    pub plan: Option<PlanQuery>,
}

/// The registration as reported.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct RegistrationReport {
    /// "mesh" or "points".
    pub method: Method,
    /// RMS distance, baseline px, between each landmark (or marked point) and where the
    /// registration puts its match: what the warp did not follow.
    pub residual_px: f64,
    /// Follow-up px per baseline px.
    pub scale: f64,
    /// Rotation from the baseline to the follow-up, degrees.
    pub rotation_deg: f64,
    /// The follow-up position of the baseline's top-left corner, px.
    pub shift_px: [f64; 2],
    /// Landmark shape distance after similarity alignment, % of face width (mesh only).
    pub shape_distance_percent: Option<f64>,
    /// Whether the image refinement converged (the landmark map is used otherwise).
    pub refined: bool,
    /// Whether the piecewise-affine mesh warp was applied on top of the global map (only
    /// when it aligns the follow-up's structure clearly better: a change of expression).
    pub mesh_warp: bool,
}

/// Area-weighted fractions removed per channel.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Summary {
    /// Pigment lesions.
    pub pigment_fraction_removed: Option<f64>,
    /// Redness lesions.
    pub redness_fraction_removed: Option<f64>,
    /// Pits and raised scars.
    pub texture_fraction_removed: Option<f64>,
    /// aMASI-like score on the baseline, measured on the lesion outlines against their rings.
    pub a_masi_like_baseline: f64,
    /// The same on the follow-up.
    pub a_masi_like_followup: f64,
    /// Lesions measured / in the baseline.
    pub lesions_measured: usize,
    /// Lesions in the baseline.
    pub lesions_total: usize,
}

/// One face zone, baseline vs follow-up.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ZoneChange {
    /// Zone name.
    pub name: &'static str,
    /// The zone.
    pub zone: zones::Zone,
    /// aMASI-like score over the zone's skin, baseline.
    pub a_masi_like_baseline: f64,
    /// The same on the follow-up.
    pub a_masi_like_followup: f64,
    /// Area-weighted fraction removed, per channel, of the lesions in the zone.
    pub pigment_fraction_removed: Option<f64>,
    /// Redness.
    pub redness_fraction_removed: Option<f64>,
    /// Texture.
    pub texture_fraction_removed: Option<f64>,
}

/// The comparison's report (the CLI's `--json` contract).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Comparison {
    /// How the follow-up was aligned.
    pub registration: RegistrationReport,
    /// The light correction applied.
    pub photometric: Photometric,
    /// The sharpness match applied before measuring.
    pub sharpness: SharpnessMatch,
    /// Every baseline lesion, measured.
    pub lesions: Vec<LesionChange>,
    /// Per-channel summary and aMASI-like scores.
    pub summary: Summary,
    /// Per face zone (empty without a face).
    pub zones: Vec<ZoneChange>,
    /// Against the plan, when one was given.
    pub projection: Option<ProjectionCheck>,
    /// Notes for people (large corrections, unmeasured lesions).
    pub warnings: Vec<String>,
}

/// A comparison with what the images need: the registration and the melanin change.
pub struct Compared {
    /// The report.
    pub report: Comparison,
    /// The registration (baseline px → follow-up px).
    pub registration: Registration,
    /// Baseline photo size.
    size: (u32, u32),
    /// Working scale and the melanin change (follow-up − baseline) on the working frame.
    scale: usize,
    melanin_change: Plane,
    /// Its noise level (robust σ over clean skin).
    noise: f32,
}

/// Compares `followup` with the analysed baseline; faces from the mesh, or `options.points`.
pub fn compare(
    baseline: (&Photo, &Analysis, Option<&Face>),
    followup: (&Photo, Option<&Face>),
    options: &CompareOptions,
    profile: &Profile,
) -> Result<Compared, FollowupError> {
    let (bphoto, analysis, bface) = baseline;
    let (fphoto, fface) = followup;
    let s = analysis.scale();
    let (fw, fh) = (analysis.skin().soft.width, analysis.skin().soft.height);
    let lesions = lesion_pixels(analysis);
    // 1. The first map: the user's points, or the mesh similarity after the face checks.
    let (method, t0, shape) = match (&options.points, bface, fface) {
        (Some(p), _, _) => {
            let t = register::affine_from_points(p).ok_or_else(|| {
                FollowupError::BadPoints("they are too close or in a line".into())
            })?;
            (Method::Points, t, None)
        }
        (None, Some(b), Some(f)) => {
            register::check_faces(b, f)?;
            let (t, rms) = register::mesh_similarity(b, f);
            let d = rms / b.width_px as f64;
            if d > register::MAX_SHAPE_DISTANCE as f64 {
                return Err(FollowupError::DifferentPerson {
                    distance_percent: 100.0 * d,
                    max_percent: 100.0 * register::MAX_SHAPE_DISTANCE as f64,
                });
            }
            (Method::Mesh, t, Some(d))
        }
        (None, None, _) => return Err(FollowupError::NoFace { which: "baseline" }),
        (None, _, None) => return Err(FollowupError::NoFace { which: "follow-up" }),
    };
    let k0 = t0.scale();
    if !(k0.is_finite() && (0.25..=4.0).contains(&k0) && t0.m.iter().all(|v| v.is_finite())) {
        return Err(FollowupError::SizeMismatch { scale: k0 });
    }
    if shape.is_some_and(|d| !d.is_finite()) {
        return Err(FollowupError::NoFace { which: "follow-up" });
    }
    // 2. Where to align: the face (eyes and brows help) or the skin, less the lesions.
    let region: Vec<bool> = match (method, bface) {
        (Method::Mesh, Some(b)) => {
            let oval = face_mask::extended_oval(b, zones::FOREHEAD_RISE);
            raster::mask(&raster::polygon_to_grid(&oval, s), 0.0, fw, fh)
        }
        _ => analysis.skin().binary.clone(),
    };
    let grown = around_lesions(analysis, &lesions, fw, fh);
    let align: Vec<bool> = region.iter().zip(&grown).map(|(r, l)| *r && !l).collect();
    let size = match bface {
        Some(b) if method == Method::Mesh => b.width_px as f64,
        _ => bbox_size(&align, fw, s),
    };
    let (t, refined, fine) = refine_map(bphoto, fphoto, t0, &align, (fw, fh, s), size);
    let mut mesh_warp = false;
    // 3. The mesh correction over the triangles (each landmark's shift checked on the
    // image), and the residual at the landmarks.
    let (registration, residual_px) = match (method, bface, fface) {
        (Method::Mesh, Some(b), Some(f)) => {
            let shifts = match &fine {
                Some((bs, fs)) => register::vertex_shifts(
                    &t,
                    (b, f),
                    (bs, &align, fw),
                    fs,
                    register::VERTEX_PATCH_SHARE * b.width_px as f64,
                ),
                None => vec![None; b.points.len()],
            };
            let field = register::mesh_field(b, &shifts, (fw, fh, s));
            let warped = Registration::new(method, t, 0.0, shape, Some((field, s)));
            let global = Registration::new(method, t, 0.0, shape, None);
            // The piecewise warp is kept when it explains the follow-up clearly better
            // than the global map (a change of expression), not for a rigid move.
            let keep = fine.as_ref().is_some_and(|(bs, fs)| {
                let e = |r: &Registration| register::misfit(|p| r.map(p), (bs, &align, fw), fs);
                e(&warped) < MESH_WARP_GAIN * e(&global)
            });
            mesh_warp = keep;
            let reg = if keep { warped } else { global };
            let res = register::landmark_residual(&reg, b, f);
            (reg, res)
        }
        _ => {
            let p = options
                .points
                .as_ref()
                .map(|p| p.baseline)
                .unwrap_or_default();
            let q = options
                .points
                .as_ref()
                .map(|p| p.followup)
                .unwrap_or_default();
            let mut sq = 0.0;
            for (a, b) in p.iter().zip(&q) {
                let m = t.apply([a[0] as f64, a[1] as f64]);
                let e = t.unapply_vector([b[0] as f64 - m[0], b[1] as f64 - m[1]]);
                sq += e[0] * e[0] + e[1] * e[1];
            }
            (
                Registration::new(method, t, 0.0, None, None),
                (sq / 3.0).sqrt(),
            )
        }
    };
    let mut registration = registration;
    registration.residual_px = residual_px;
    // 4. The follow-up in the baseline's working frame, in density.
    let bbox = skin_bbox(&analysis.skin().binary, fw, fh);
    let warped = warp_density(fphoto, &registration, (fw, fh, s), bbox);
    let covered = &warped.covered;
    // 5. Light: per-channel gain over clean skin.
    let chrom = analysis.chrom();
    let base_density: [Plane; 3] = std::array::from_fn(|k| {
        let (m, h) = (chrom.vectors.melanin[k], chrom.vectors.hemoglobin[k]);
        Plane::from_vec(
            fw,
            fh,
            (0..fw * fh)
                .map(|i| {
                    m * chrom.melanin.data[i] + h * chrom.hemoglobin.data[i] + chrom.shading.data[i]
                })
                .collect(),
        )
    });
    // Clipped (or nearly) in a channel on either photo: density there says nothing.
    // A linear value ≥ CLIPPED is a density ≤ −ln CLIPPED.
    let clipped_density = -CLIPPED.ln();
    let clipped: Vec<bool> = (0..fw * fh)
        .map(|i| {
            (0..3).any(|k| base_density[k].data[i] <= clipped_density) || warped.peak[i] >= CLIPPED
        })
        .collect();
    let clean_mask: Vec<bool> = (0..fw * fh)
        .map(|i| analysis.skin().binary[i] && !grown[i] && covered[i] && !clipped[i])
        .collect();
    let clean: Vec<usize> = (0..fw * fh).filter(|&i| clean_mask[i]).collect();
    if clean.len() < photometric::MIN_PIXELS {
        return Err(FollowupError::NoOverlap);
    }
    let diffs: [Vec<f32>; 3] = std::array::from_fn(|k| {
        clean
            .iter()
            .map(|&i| warped.density[k].data[i] - base_density[k].data[i])
            .collect()
    });
    let photometric = photometric::gains(diffs).ok_or(FollowupError::NoOverlap)?;
    let offsets = photometric.gain.map(|g| g.ln() as f32);
    let mut fdensity = warped.density;
    for (k, p) in fdensity.iter_mut().enumerate() {
        for v in p.data.iter_mut() {
            *v -= offsets[k];
        }
    }
    // 6. The follow-up's chromophores with the baseline's vectors.
    let u = Unmixing::new(&chrom.vectors);
    let fchrom = unmix_planes(&u, [&fdensity[0], &fdensity[1], &fdensity[2]]);
    // 6b. Sharpness: the sharper photo blurred (in light, as a lens blurs) to the other's
    // before the lesions' chromophores are measured; their colours stay as photographed.
    let light = |d: &[Plane; 3]| {
        Plane::from_vec(
            fw,
            fh,
            (0..fw * fh)
                .map(|i| (0..3).map(|k| (-d[k].data[i]).exp()).sum::<f32>() / 3.0)
                .collect(),
        )
    };
    let sharp = sharpness::estimate(
        &light(&base_density),
        &light(&fdensity),
        &clean_mask,
        covered,
        s,
    );
    let sigma = sharp.sigma_work;
    let bblurred = (sharp.blurred == BlurredPhoto::Baseline).then(|| {
        let d = sharpness::blur_density(refs(&base_density), sigma, bbox, None);
        unmix_planes(&u, refs(&d))
    });
    let fblurred = (sharp.blurred == BlurredPhoto::Followup).then(|| {
        let d = sharpness::blur_density(refs(&fdensity), sigma, bbox, Some(covered));
        unmix_planes(&u, refs(&d))
    });
    let bmatched: [&Plane; 3] = match &bblurred {
        Some(b) => refs(b),
        None => [&chrom.melanin, &chrom.hemoglobin, &chrom.shading],
    };
    let fmatched: [&Plane; 3] = refs(fblurred.as_ref().unwrap_or(&fchrom));
    // 7. Each lesion, with the chance spread of its measurement on this pair.
    let maps = [
        analysis.pigment(),
        analysis.redness(),
        analysis.pits(),
        analysis.raised(),
    ];
    let noise: [Option<noise::NullModel>; 3] = std::array::from_fn(|k| {
        // Pigment on melanin, redness on hemoglobin, pits and raised scars on shading.
        let used = maps
            .iter()
            .zip([0, 1, 2, 2])
            .any(|(m, p)| p == k && !m.lesions.is_empty());
        if !used {
            return None;
        }
        let (b, f) = (bmatched[k], fmatched[k]);
        noise::null_model(|i| f.data[i] - b.data[i], &clean_mask, &clean, fw)
    });
    let frame = change::Frame {
        w: fw,
        h: fh,
        scale: s,
        skin: &analysis.skin().binary,
        lesions: &lesions,
        covered,
        clipped: &clipped,
        noise: &noise,
    };
    let bplanes = FramePlanes {
        chrom: bmatched,
        density: [&base_density[0], &base_density[1], &base_density[2]],
    };
    let fplanes = FramePlanes {
        chrom: fmatched,
        density: [&fdensity[0], &fdensity[1], &fdensity[2]],
    };
    let report = analysis.report();
    let mut measured = Vec::new();
    let mut next = report.lesions.iter();
    for map in maps {
        let (labels, comps) = components::label(&map.mask, fw, fh);
        for (c, l) in comps.iter().zip(next.by_ref().take(map.lesions.len())) {
            let m = change::measure(
                &frame,
                (&labels, c),
                (l.id, l.kind, l.centroid, l.area_px),
                &bplanes,
                &fplanes,
            );
            measured.push((m, l.area_percent));
        }
    }
    // 8. Summary and zones.
    let weighted = |pick: &dyn Fn(&change::Measured) -> Option<(f64, f64)>| {
        let (mut s, mut n) = (0.0, 0.0);
        for (m, _) in &measured {
            if let Some((v, w)) = pick(m) {
                s += v * w;
                n += w;
            }
        }
        (n > 0.0).then(|| s / n)
    };
    let by_channel = |ch: Channel| {
        weighted(&|m: &change::Measured| {
            (m.change.channel == ch)
                .then_some(m.change.fraction_removed)
                .flatten()
                .map(|f| (f, m.change.area_px_baseline as f64))
        })
    };
    let darkness = |dl: Option<f64>| (-dl.unwrap_or(0.0) / 10.0).clamp(0.0, 1.0);
    let (mut am_b, mut am_f) = (0.0, 0.0);
    for (m, pct) in &measured {
        if m.change.kind == LesionKind::Pigment && m.change.fraction_removed.is_some() {
            am_b += pct * darkness(m.change.delta_l_baseline);
            am_f += pct * m.area_ratio.unwrap_or(1.0) * darkness(m.change.delta_l_followup);
        }
    }
    let zones_out = zone_changes(analysis, &measured, darkness);
    let lesions_measured = measured
        .iter()
        .filter(|(m, _)| m.change.fraction_removed.is_some())
        .count();
    let summary = Summary {
        pigment_fraction_removed: by_channel(Channel::Pigment),
        redness_fraction_removed: by_channel(Channel::Redness),
        texture_fraction_removed: by_channel(Channel::Texture),
        a_masi_like_baseline: am_b + 0.0,
        a_masi_like_followup: am_f + 0.0,
        lesions_measured,
        lesions_total: measured.len(),
    };
    // 9. Against the plan.
    let projection = match &options.plan {
        Some(q) => Some(verdict::check(
            profile,
            (&q.treatment, &q.concern, q.weeks),
            report.ita,
            [
                summary.pigment_fraction_removed,
                summary.redness_fraction_removed,
                summary.texture_fraction_removed,
            ],
        )?),
        None => None,
    };
    let mut warnings = photometric.warnings.clone();
    if sigma > sharpness::WARN_SIGMA {
        warnings.push(format!(
            "The {} is less sharp than the {} (a blur of {:.1} px); lesions are compared at the lower sharpness, so small ones are measured less precisely. Hold the camera steady and at the same distance.",
            if sharp.blurred == BlurredPhoto::Baseline { "follow-up" } else { "baseline" },
            if sharp.blurred == BlurredPhoto::Baseline { "baseline" } else { "follow-up" },
            sharp.sigma_px
        ));
    }
    if !refined {
        warnings.push("The image alignment did not converge; the photos are aligned by the landmarks alone, so small lesions may be measured off their place.".into());
    }
    if lesions_measured < measured.len() {
        warnings.push(format!(
            "{} of {} lesions could not be measured (see each lesion's note).",
            measured.len() - lesions_measured,
            measured.len()
        ));
    }
    // The melanin change for the change map, and its noise over clean skin.
    let mut melanin_change = Plane::from_vec(
        fw,
        fh,
        (0..fw * fh)
            .map(|i| {
                if covered[i] && analysis.skin().binary[i] {
                    fmatched[0].data[i] - bmatched[0].data[i]
                } else {
                    0.0
                }
            })
            .collect(),
    );
    melanin_change.blur(1.0);
    let mut dev: Vec<f32> = clean
        .iter()
        .step_by((clean.len() / 20_000).max(1))
        .map(|&i| melanin_change.data[i].abs())
        .collect();
    let noise = crate::maths::stats::median(&mut dev) * 1.4826;
    let report = Comparison {
        registration: RegistrationReport {
            method,
            residual_px,
            scale: t.scale(),
            rotation_deg: t.rotation_deg(),
            shift_px: [t.m[2], t.m[5]],
            shape_distance_percent: shape.map(|d| 100.0 * d),
            refined,
            mesh_warp,
        },
        photometric,
        sharpness: sharp,
        lesions: measured.into_iter().map(|(m, _)| m.change).collect(),
        summary,
        zones: zones_out,
        projection,
        warnings,
    };
    Ok(Compared {
        report,
        registration,
        size: (bphoto.width(), bphoto.height()),
        scale: s,
        melanin_change,
        noise: noise.max(1e-4),
    })
}

/// The three planes by reference.
fn refs(d: &[Plane; 3]) -> [&Plane; 3] {
    [&d[0], &d[1], &d[2]]
}

/// Chromophore planes of density planes.
fn unmix_planes(u: &Unmixing, d: [&Plane; 3]) -> [Plane; 3] {
    let (w, h) = (d[0].width, d[0].height);
    let mut out: [Plane; 3] = std::array::from_fn(|_| Plane::filled(w, h, 0.0));
    for i in 0..w * h {
        let c = u.apply([d[0].data[i], d[1].data[i], d[2].data[i]]);
        for (k, o) in out.iter_mut().enumerate() {
            o.data[i] = c[k];
        }
    }
    out
}

/// Union of every map's lesion pixels.
fn lesion_pixels(a: &Analysis) -> Vec<bool> {
    let maps = [a.pigment(), a.redness(), a.pits(), a.raised()];
    (0..a.skin().binary.len())
        .map(|i| maps.iter().any(|m| m.mask[i]))
        .collect()
}

/// The lesions with a margin of half their size (at least 2 px): their appearance changes
/// between the visits, so neither the alignment nor the light is measured there.
fn around_lesions(a: &Analysis, lesions: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = grow(lesions, w, h, 2);
    for map in [a.pigment(), a.redness(), a.pits(), a.raised()] {
        for c in &map.lesions {
            let [x0, y0, x1, y1] = c.bbox.map(|v| v as usize);
            let m = ((x1 - x0).max(y1 - y0) / 2).max(2);
            for y in y0.saturating_sub(m)..=(y1 + m).min(h - 1) {
                for x in x0.saturating_sub(m)..=(x1 + m).min(w - 1) {
                    out[y * w + x] = true;
                }
            }
        }
    }
    out
}

/// A mask grown by `r` pixels (square).
fn grow(m: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; w * h];
    for y in 0..h {
        let mut last: Option<usize> = None;
        for x in 0..w {
            if m[y * w + x] {
                last = Some(x);
            }
        }
        if last.is_none() {
            continue;
        }
        for x in 0..w {
            if m[y * w + x] {
                for k in x.saturating_sub(r)..=(x + r).min(w - 1) {
                    rows[y * w + k] = true;
                }
            }
        }
    }
    let mut out = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if rows[y * w + x] {
                for k in y.saturating_sub(r)..=(y + r).min(h - 1) {
                    out[k * w + x] = true;
                }
            }
        }
    }
    out
}

/// √(area of the mask's bounding box) in photo px.
fn bbox_size(m: &[bool], w: usize, s: usize) -> f64 {
    let [x0, y0, x1, y1] = skin_bbox(m, w, m.len() / w.max(1));
    (((x1 - x0) * (y1 - y0)) as f64).sqrt().max(1.0) * s as f64
}

/// Bounding box [x0, y0, x1, y1) of a mask, whole frame when empty.
fn skin_bbox(m: &[bool], w: usize, h: usize) -> [usize; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (i, _) in m.iter().enumerate().filter(|(_, b)| **b) {
        let (x, y) = (i % w, i / w);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    if x1 <= x0 {
        return [0, 0, w, h];
    }
    [x0, y0, x1, y1]
}

/// Coarse-to-fine image refinement of the map over the `align` pixels; falls back to `t0`
/// when it does not converge or wanders more than 10% of `size`. Also gives the finest
/// level's structures (baseline, follow-up) for the landmarks' local shifts.
fn refine_map(
    bphoto: &Photo,
    fphoto: &Photo,
    t0: register::Affine,
    align: &[bool],
    (fw, fh, s): (usize, usize, usize),
    size: f64,
) -> (
    register::Affine,
    bool,
    Option<(register::Structure, register::Structure)>,
) {
    let [x0, y0, x1, y1] = skin_bbox(align, fw, fh);
    if x1 <= x0 + 4 || y1 <= y0 + 4 {
        return (t0, false, None);
    }
    let k = t0.scale();
    let f = ((s as f64 * k).round() as usize).max(1);
    let rect_b = [
        (x0 * s) as u32,
        (y0 * s) as u32,
        ((x1 - x0) * s) as u32,
        ((y1 - y0) * s) as u32,
    ];
    // The follow-up's rectangle: the mapped corners with a 15% margin, on its grid.
    let corners = [
        [rect_b[0] as f64, rect_b[1] as f64],
        [(rect_b[0] + rect_b[2]) as f64, rect_b[1] as f64],
        [rect_b[0] as f64, (rect_b[1] + rect_b[3]) as f64],
        [
            (rect_b[0] + rect_b[2]) as f64,
            (rect_b[1] + rect_b[3]) as f64,
        ],
    ]
    .map(|p| t0.apply(p));
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in corners {
        for j in 0..2 {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    let pad = 0.15 * (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let (pw, ph) = (fphoto.width() as f64, fphoto.height() as f64);
    let fx0 = ((lo[0] - pad).clamp(0.0, pw) as u32) / f as u32 * f as u32;
    let fy0 = ((lo[1] - pad).clamp(0.0, ph) as u32) / f as u32 * f as u32;
    let fx1 = (hi[0] + pad).clamp(0.0, pw) as u32;
    let fy1 = (hi[1] + pad).clamp(0.0, ph) as u32;
    if fx1 <= fx0 + 4 * f as u32 || fy1 <= fy0 + 4 * f as u32 {
        return (t0, false, None);
    }
    let rect_f = [fx0, fy0, fx1 - fx0, fy1 - fy0];
    // High-pass at 3% of the face (exposure and colour drop out), smoothed coarse then fine.
    let hp_b = (0.03 * size / s as f64).max(3.0) as f32;
    let hp_f = hp_b * (s as f64 * k / f as f64) as f32;
    let bsmall = register::density_of(&bphoto.downsample_region(rect_b, s as u32));
    let fsmall = register::density_of(&fphoto.downsample_region(rect_f, f as u32));
    let (bw, _) = (bsmall.width, bsmall.height);
    let mut t = t0;
    let mut ok = false;
    let mut last = None;
    // Coarse to fine: the landmarks may be off by a few percent of the face.
    // (smoothing σ, sample stride, step tolerance px): every pixel is not needed for six
    // parameters, and the coarse levels only bring the fine one within reach.
    for (sm, stride, tol) in [(4.0f32, 3, 0.05), (1.5, 2, 0.02), (0.7, 2, 0.01)] {
        let bs = register::Structure::from_linear(
            &bsmall,
            s,
            [rect_b[0] as f64, rect_b[1] as f64],
            hp_b,
            sm,
        );
        let fs = register::Structure::from_linear(
            &fsmall,
            f,
            [rect_f[0] as f64, rect_f[1] as f64],
            hp_f,
            sm * (s as f64 * k / f as f64) as f32,
        );
        let mut at = Vec::new();
        let mut value = Vec::new();
        for y in (y0..y1).step_by(stride) {
            for x in (x0..x1).step_by(stride) {
                if align[y * fw + x] {
                    at.push([(x as f64 + 0.5) * s as f64, (y as f64 + 0.5) * s as f64]);
                    value.push(bs.signal.data[(y - y0) * bw + (x - x0)]);
                }
            }
        }
        let samples = register::Samples {
            centre: [
                (rect_b[0] as f64 + rect_b[2] as f64 / 2.0),
                (rect_b[1] as f64 + rect_b[3] as f64 / 2.0),
            ],
            size,
            at,
            value,
        };
        let (t1, conv) = register::refine(t, &samples, &fs, (30, tol));
        t = t1;
        ok = conv;
        last = Some((bs, fs));
    }
    // Reject a refinement that wandered: a corner moved by more than 10% of the size.
    let moved = corners_moved(&t0, &t, rect_b);
    if !ok || moved > 0.1 * size * k {
        return (t0, false, last);
    }
    (t, true, last)
}

fn corners_moved(a: &register::Affine, b: &register::Affine, r: [u32; 4]) -> f64 {
    let pts = [
        [r[0] as f64, r[1] as f64],
        [(r[0] + r[2]) as f64, (r[1] + r[3]) as f64],
        [(r[0] + r[2]) as f64, r[1] as f64],
        [r[0] as f64, (r[1] + r[3]) as f64],
    ];
    pts.iter()
        .map(|p| {
            let (u, v) = (a.apply(*p), b.apply(*p));
            (u[0] - v[0]).hypot(u[1] - v[1])
        })
        .fold(0.0, f64::max)
}

/// The follow-up's density planes on the baseline's working frame (inside `bbox`), and
/// which pixels it covers.
struct Warped {
    density: [Plane; 3],
    covered: Vec<bool>,
    /// Brightest channel's linear value (before the gains).
    peak: Vec<f32>,
}

fn warp_density(
    fphoto: &Photo,
    reg: &Registration,
    (fw, fh, s): (usize, usize, usize),
    bbox: [usize; 4],
) -> Warped {
    let k = reg.global.scale();
    let f = ((s as f64 * k).round() as usize).max(1);
    let small = if f > 1 {
        fphoto.downsample(f as u32)
    } else {
        fphoto.clone()
    };
    let lin = linear_planes(&small);
    let (sw, sh) = (small.width() as f32, small.height() as f32);
    let mut density: [Plane; 3] = std::array::from_fn(|_| Plane::filled(fw, fh, 0.0));
    let mut covered = vec![false; fw * fh];
    let mut peak = vec![0f32; fw * fh];
    let [x0, y0, x1, y1] = bbox;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = [(x as f64 + 0.5) * s as f64, (y as f64 + 0.5) * s as f64];
            let q = reg.map(p);
            let g = [
                (q[0] / f as f64 - 0.5) as f32,
                (q[1] / f as f64 - 0.5) as f32,
            ];
            if g[0] < 0.0 || g[1] < 0.0 || g[0] > sw - 1.0 || g[1] > sh - 1.0 {
                continue;
            }
            let i = y * fw + x;
            covered[i] = true;
            for c in 0..3 {
                let v = register::bilinear(&lin[c], g[0], g[1]).max(1e-4);
                peak[i] = peak[i].max(v);
                density[c].data[i] = -v.ln();
            }
        }
    }
    Warped {
        density,
        covered,
        peak,
    }
}

/// Bilinear linear-light RGB of a photo at grid position `g` (pixel centres at integers).
fn sample_linear(p: &Photo, lut: &[f32; 256], g: [f32; 2]) -> [f32; 3] {
    use crate::maths::planes::interp_index;
    let (w, h) = (p.width() as usize, p.height() as usize);
    let (x0, x1, fx) = interp_index(g[0], w);
    let (y0, y1, fy) = interp_index(g[1], h);
    let px = p.rgba();
    let at = |x: usize, y: usize, c: usize| lut[px[(y * w + x) * 4 + c] as usize];
    std::array::from_fn(|c| {
        let top = at(x0, y0, c) + (at(x1, y0, c) - at(x0, y0, c)) * fx;
        let bot = at(x0, y1, c) + (at(x1, y1, c) - at(x0, y1, c)) * fx;
        top + (bot - top) * fy
    })
}

/// A photo's linear R, G, B planes.
fn linear_planes(p: &Photo) -> [Plane; 3] {
    let lut = colour::srgb8_to_linear_lut();
    let (w, h) = (p.width() as usize, p.height() as usize);
    std::array::from_fn(|c| {
        Plane::from_vec(
            w,
            h,
            p.rgba()
                .chunks_exact(4)
                .map(|px| lut[px[c] as usize])
                .collect(),
        )
    })
}

/// Per zone: aMASI-like baseline and follow-up, and fractions removed per channel.
fn zone_changes(
    a: &Analysis,
    measured: &[(change::Measured, f64)],
    darkness: impl Fn(Option<f64>) -> f64,
) -> Vec<ZoneChange> {
    let Some(labels) = a.zones() else {
        return Vec::new();
    };
    let mut skin_px = [0usize; 7];
    for &l in labels {
        skin_px[l as usize] += 1;
    }
    zones::ZONES
        .iter()
        .map(|&z| {
            let lab = z.label();
            let n = skin_px[lab as usize].max(1) as f64;
            let (mut am_b, mut am_f) = (0.0, 0.0);
            let mut sums = [(0.0, 0.0); 3];
            for (m, _) in measured {
                let inside = m.pixels.iter().filter(|&&i| labels[i] == lab).count() as f64;
                if inside == 0.0 {
                    continue;
                }
                let Some(fr) = m.change.fraction_removed else {
                    continue;
                };
                let ch = Channel::ALL
                    .iter()
                    .position(|&c| c == m.change.channel)
                    .unwrap_or(0);
                sums[ch].0 += fr * inside;
                sums[ch].1 += inside;
                if m.change.kind == LesionKind::Pigment {
                    am_b += 100.0 * inside / n * darkness(m.change.delta_l_baseline);
                    am_f += 100.0 * inside / n
                        * m.area_ratio.unwrap_or(1.0)
                        * darkness(m.change.delta_l_followup);
                }
            }
            let frac = |k: usize| (sums[k].1 > 0.0).then(|| sums[k].0 / sums[k].1);
            ZoneChange {
                name: z.name(),
                zone: z,
                a_masi_like_baseline: am_b + 0.0,
                a_masi_like_followup: am_f + 0.0,
                pigment_fraction_removed: frac(0),
                redness_fraction_removed: frac(1),
                texture_fraction_removed: frac(2),
            }
        })
        .collect()
}

impl Compared {
    /// Baseline photo size (the frame everything is registered to).
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// The follow-up registered to the baseline and its light matched, as RGBA of
    /// `width × height` (the baseline's frame at that size); pixels it does not cover are
    /// transparent.
    pub fn registered_rgba(&self, followup: &Photo, width: u32, height: u32) -> Vec<u8> {
        let (bw, bh) = (self.size.0 as f64, self.size.1 as f64);
        let (sx, sy) = (bw / width.max(1) as f64, bh / height.max(1) as f64);
        let k = self.registration.global.scale() * sx.min(sy);
        let f = (k.floor() as u32).max(1);
        let owned;
        let small = if f > 1 {
            owned = followup.downsample(f);
            &owned
        } else {
            followup
        };
        let lut = colour::srgb8_to_linear_lut();
        let gain = self.report.photometric.gain.map(|g| g as f32);
        let enc = colour::Srgb8Encoder::get();
        let (sw, sh) = (small.width() as f32, small.height() as f32);
        let mut out = vec![0u8; width as usize * height as usize * 4];
        for (i, px) in out.chunks_exact_mut(4).enumerate() {
            let (x, y) = (i % width as usize, i / width as usize);
            let p = [(x as f64 + 0.5) * sx, (y as f64 + 0.5) * sy];
            let q = self.registration.map(p);
            let g = [
                (q[0] / f as f64 - 0.5) as f32,
                (q[1] / f as f64 - 0.5) as f32,
            ];
            if g[0] < 0.0 || g[1] < 0.0 || g[0] > sw - 1.0 || g[1] > sh - 1.0 {
                continue;
            }
            let v = sample_linear(small, lut, g);
            for c in 0..3 {
                px[c] = enc.encode((v[c] * gain[c]).min(1.0));
            }
            px[3] = 255;
        }
        out
    }

    /// The change map as RGBA of `width × height` over the baseline frame: less melanin
    /// in teal, more in orange, opacity rising from 2 to 6 noise levels of the change.
    pub fn change_map_rgba(&self, width: u32, height: u32) -> Vec<u8> {
        let (bw, bh) = (self.size.0 as f64, self.size.1 as f64);
        let (sx, sy) = (bw / width.max(1) as f64, bh / height.max(1) as f64);
        let s = self.scale as f64;
        let mut out = vec![0u8; width as usize * height as usize * 4];
        for (i, px) in out.chunks_exact_mut(4).enumerate() {
            let (x, y) = (i % width as usize, i / width as usize);
            let g = (
                ((x as f64 + 0.5) * sx / s - 0.5) as f32,
                ((y as f64 + 0.5) * sy / s - 0.5) as f32,
            );
            let d = register::bilinear(&self.melanin_change, g.0, g.1);
            let a = ((d.abs() / self.noise - 2.0) / 4.0).clamp(0.0, 1.0);
            let rgb = if d < 0.0 {
                [0, 170, 190]
            } else {
                [240, 120, 20]
            };
            px[..3].copy_from_slice(&rgb);
            px[3] = (a * 230.0).round() as u8;
        }
        out
    }
}

impl Session {
    /// Compares a follow-up session's photo with this analysed baseline (both sessions'
    /// face passes are used; `options.points` stands in without a face).
    pub fn compare(
        &self,
        followup: &Session,
        options: &CompareOptions,
        profile: &Profile,
    ) -> Result<Compared, FollowupError> {
        let analysis = self.analysis().ok_or(FollowupError::NotAnalysed)?;
        compare(
            (self.photo(), analysis, self.face()),
            (followup.photo(), followup.face()),
            options,
            profile,
        )
    }
}
