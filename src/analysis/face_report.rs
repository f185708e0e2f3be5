//! The face pass inside an analysis: narrowing the skin mask, per-zone scores and the
//! photo checks that need a face.

use crate::analysis::{Affected, LesionKind, LesionReport};
use crate::lesions::maps::LesionMap;
use crate::maths::components;
use crate::maths::stats::median;
use crate::photo::colour;
use crate::photo::Photo;
use crate::skin::chromophores::Chromophores;
use crate::skin::face::geometry;
use crate::skin::face::mask;
use crate::skin::face::raster;
use crate::skin::face::topology as t;
use crate::skin::face::zones::{self, Zone, ZONES};
use crate::skin::face::Face;
use crate::skin::mask::{SkinMask, UserMaskMode};
use serde::Serialize;

/// Narrowest face, in working pixels (cheekbone to cheekbone), whose zones the lesion
/// maps can score. The smallest lesion is 2.4% of the ~448 px working short side across
/// (≈ 11 px); a malar zone is about 30% of the face wide, so at 150 px (issue 14's
/// portrait face) it holds four smallest lesions side by side, and below it fewer.
pub const MIN_FACE_WORK_PX: f32 = 150.0;

/// Largest |yaw| for comparable zones. A cheek faces about 45° off the nose axis; past
/// 20° of turn the far cheek is seen at ≥ 65° and its projected area falls below half the
/// near one's, so its spots shrink and its shading changes.
pub const MAX_YAW_DEG: f32 = 20.0;

/// Eye opening (lid gap ÷ eye width) below which an eye reads as closed or covered.
pub const MIN_EYE_OPENING: f32 = 0.12;

/// Mesh face-presence score below which the face may be covered.
pub const MIN_FACE_PRESENCE: f32 = 0.5;

/// What the zone-weighted score is, and is not.
pub const ZONE_WEIGHTED_LABEL: &str = "Zone-weighted aMASI-like score (mMASI's weights: forehead 0.3, each cheek 0.3, chin 0.1). Not a clinical mMASI.";

/// The face, its zones with their scores, and the checks (photo pixels).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct FaceReport {
    /// Detector score, 0..1.
    pub score: f32,
    /// Mesh face-presence score, 0..1.
    pub face_presence: f32,
    /// Head roll, degrees.
    pub roll_deg: f32,
    /// Head yaw, degrees.
    pub yaw_deg: f32,
    /// Face width (cheekbones), photo pixels.
    pub width_px: f32,
    /// Face width at the working resolution, pixels (the too-small check uses it).
    pub width_work_px: f32,
    /// Eye opening, lid gap ÷ eye width, (subject's left, right).
    pub eye_opening: [f32; 2],
    /// Per zone, in label order.
    pub zones: Vec<ZoneReport>,
    /// Σ weight × zone aMASI-like over forehead, cheeks and chin (0..100).
    pub zone_weighted_score: f64,
    /// Says what `zone_weighted_score` is not.
    pub zone_weighted_label: &'static str,
    /// Checks for people ("Face too small: move closer", …).
    pub warnings: Vec<String>,
}

/// One zone's figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ZoneReport {
    /// Which zone.
    pub zone: Zone,
    /// Its label in the zone map.
    pub label: u8,
    /// Its name for people.
    pub name: &'static str,
    /// Skin analysed in the zone, photo pixels.
    pub skin_px: usize,
    /// Affected % of the zone's skin, per map.
    pub affected_percent: Affected,
    /// Mean ΔE00 of the lesions' pixels in the zone (None without lesions).
    pub mean_delta_e00: Option<f64>,
    /// Lesions with pixels in the zone.
    pub lesions: usize,
    /// aMASI-like score over the zone's skin (see `analysis::a_masi_like`).
    pub a_masi_like: f64,
    /// mMASI's weight for the zone (0 for nose and perioral).
    pub mmasi_weight: f64,
}

/// The skin mask after the face pass, the zone labels, and what made the mask.
#[derive(Debug, Clone)]
pub struct FacePass {
    /// The skin mask to analyse.
    pub skin: SkinMask,
    /// Zone labels at the working resolution, clipped to `skin` (None without a face).
    pub labels: Option<Vec<u8>>,
    /// The colour mask before narrowing (for the covered-feature checks).
    pub colour: Vec<bool>,
    /// "face mesh + colour" or "colour only: <why>".
    pub mask_source: String,
}

/// Mask source when the face narrowed the colour mask.
pub const FACE_AND_COLOUR: &str = "face mesh + colour";

/// The face's skin mask in place of the colour mask (still within a restricting user
/// mask), unless the user's own mask overrides both.
pub fn narrow_skin(
    face: Option<&Face>,
    skin: SkinMask,
    (photo, chrom): (&Photo, &Chromophores),
    user: Option<(&[bool], UserMaskMode)>,
    scale: usize,
) -> FacePass {
    let colour = skin.binary.clone();
    // `photo` and `chrom` are the working-size photo and its prior decomposition.
    let only = |why: &str| format!("colour only: {why}");
    let Some(face) = face.filter(|f| f.points.len() >= crate::skin::face::MESH_POINTS) else {
        let why = if face.is_some() {
            "the face mesh is incomplete"
        } else {
            "no face found in the photo"
        };
        return FacePass {
            skin,
            labels: None,
            colour,
            mask_source: only(why),
        };
    };
    if let Some((_, UserMaskMode::Replace)) = user {
        let source = "your mask: the brush and eraser replace the automatic one".to_string();
        return FacePass {
            skin,
            labels: None,
            colour,
            mask_source: source,
        };
    }
    let (w, h) = (skin.soft.width, skin.soft.height);
    let mut keep = mask::face_region(face, &skin.binary, photo, chrom, scale);
    if let Some((restrict, _)) = user {
        keep.iter_mut().zip(restrict).for_each(|(k, r)| *k &= *r);
    }
    let narrowed = mask::replace(&skin, keep);
    if narrowed.area() == 0 {
        let why = "the face's skin did not match the skin colour";
        return FacePass {
            skin,
            labels: None,
            colour,
            mask_source: only(why),
        };
    }
    let mut labels = zones::label_map(face, w, h, scale);
    for (l, &k) in labels.iter_mut().zip(&narrowed.binary) {
        if !k {
            *l = 0;
        }
    }
    FacePass {
        skin: narrowed,
        labels: Some(labels),
        colour,
        mask_source: FACE_AND_COLOUR.to_string(),
    }
}

/// Per-zone scores and checks. `photo` is at the working resolution, like the maps;
/// `lesions` is the report's list, in map order (pigment, redness, pits, raised).
pub fn face_report(
    face: &Face,
    pass: &FacePass,
    photo: &Photo,
    maps: [&LesionMap; 4],
    lesions: &[LesionReport],
    scale: usize,
) -> Option<FaceReport> {
    let labels = pass.labels.as_ref()?;
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let s2 = scale * scale;
    let mut skin_px = [0usize; 7];
    for &l in labels {
        skin_px[l as usize] += 1;
    }
    let mut zone_lesions = vec![ZoneLesions::default(); 7];
    let mut base = 0;
    for (k, map) in maps.iter().enumerate() {
        tally_map(map, k, labels, lesions, base, w, h, &mut zone_lesions);
        base += map.lesions.len();
    }
    let zones: Vec<ZoneReport> = ZONES
        .iter()
        .map(|&z| {
            zone_report(
                z,
                skin_px[z.label() as usize],
                &zone_lesions[z.label() as usize],
                s2,
            )
        })
        .collect();
    let zone_weighted_score = zones
        .iter()
        .map(|z| z.mmasi_weight * z.a_masi_like)
        .sum::<f64>()
        + 0.0;
    let eye_opening = [
        opening(face, 386, 374, 263, 362),
        opening(face, 159, 145, 33, 133),
    ];
    let width_work_px = face.width_px / scale.max(1) as f32;
    let warnings = checks(face, width_work_px, eye_opening, photo, labels, scale);
    Some(FaceReport {
        score: face.score,
        face_presence: face.face_presence,
        roll_deg: face.roll_deg,
        yaw_deg: face.yaw_deg,
        width_px: face.width_px,
        width_work_px,
        eye_opening,
        zones,
        zone_weighted_score,
        zone_weighted_label: ZONE_WEIGHTED_LABEL,
        warnings,
    })
}

/// Lesion pixels per map inside one zone, with each lesion's contrast.
#[derive(Debug, Clone, Default)]
struct ZoneLesions {
    /// Lesion pixels per map (pigment, redness, pits, raised).
    px: [usize; 4],
    /// Σ pixels × ΔE00 and Σ pixels over lesions of every map.
    de_sum: f64,
    de_px: usize,
    /// Σ pixels × darkness over pigment lesions.
    dark_sum: f64,
    /// Distinct lesions touching the zone.
    count: usize,
}

#[allow(clippy::too_many_arguments)]
fn tally_map(
    map: &LesionMap,
    k: usize,
    labels: &[u8],
    lesions: &[LesionReport],
    base: usize,
    w: usize,
    h: usize,
    out: &mut [ZoneLesions],
) {
    let (lab, comps) = components::label(&map.mask, w, h);
    // Per component, pixels per zone.
    let mut per = vec![[0usize; 7]; comps.len()];
    for (i, &l) in lab.iter().enumerate() {
        if l > 0 {
            per[l as usize - 1][labels[i] as usize] += 1;
        }
    }
    for (c, counts) in comps.iter().zip(&per) {
        let Some(j) = map
            .lesions
            .iter()
            .position(|m| m.bbox == c.bbox && m.area == c.area)
        else {
            continue;
        };
        let Some(rep) = lesions.get(base + j) else {
            continue;
        };
        for (z, &n) in counts.iter().enumerate().skip(1) {
            if n == 0 {
                continue;
            }
            let zl = &mut out[z];
            zl.px[k] += n;
            zl.de_sum += n as f64 * rep.delta_e00;
            zl.de_px += n;
            zl.count += 1;
            if rep.kind == LesionKind::Pigment {
                zl.dark_sum += n as f64 * (-rep.delta_l / 10.0).clamp(0.0, 1.0);
            }
        }
    }
}

fn zone_report(zone: Zone, skin: usize, l: &ZoneLesions, s2: usize) -> ZoneReport {
    let pct = |n: usize| {
        if skin == 0 {
            0.0
        } else {
            100.0 * n as f64 / skin as f64
        }
    };
    ZoneReport {
        zone,
        label: zone.label(),
        name: zone.name(),
        skin_px: skin * s2,
        affected_percent: Affected {
            pigment: pct(l.px[0]),
            redness: pct(l.px[1]),
            // Pits and raised scars do not overlap (opposite signs of one excess).
            texture: pct(l.px[2] + l.px[3]),
        },
        mean_delta_e00: (l.de_px > 0).then(|| l.de_sum / l.de_px as f64),
        lesions: l.count,
        a_masi_like: if skin == 0 {
            0.0
        } else {
            100.0 * l.dark_sum / skin as f64 + 0.0
        },
        mmasi_weight: zone.mmasi_weight(),
    }
}

/// Lid gap over eye width from the mesh: (upper lid, lower lid, corner, corner).
fn opening(face: &Face, top: usize, bottom: usize, a: usize, b: usize) -> f32 {
    let d = |i: usize, j: usize| {
        let (p, q) = (geometry::xy(face, i), geometry::xy(face, j));
        (p[0] - q[0]).hypot(p[1] - q[1])
    };
    d(top, bottom) / d(a, b).max(1e-3)
}

/// The photo checks. What they can see: a small face, a turned head, eyes the mesh draws
/// closed (a closed lid and a covering hand look alike to it; a mesh may also draw an eye
/// open behind a hand), lips no redder than the cheeks (a hand, a mask or a scarf over
/// the mouth), and a low face-presence score. Sunglasses and a covered forehead are not
/// detected.
fn checks(
    face: &Face,
    width_work_px: f32,
    eye_opening: [f32; 2],
    photo: &Photo,
    labels: &[u8],
    scale: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    if width_work_px < MIN_FACE_WORK_PX {
        out.push(format!(
            "Face too small: move closer (the face is {:.0} px wide at the analysis size; zones need {MIN_FACE_WORK_PX:.0}).",
            width_work_px
        ));
    }
    if face.yaw_deg.abs() > MAX_YAW_DEG {
        out.push(format!(
            "Strong head turn ({:.0}°): face the camera so both cheeks compare.",
            face.yaw_deg.abs()
        ));
    }
    // The colour inside the eye ring cannot tell: the colour mask takes whole eyes of a
    // small face for skin (the sample's), so only the mesh's lid gap is used.
    if eye_opening.iter().any(|&o| o < MIN_EYE_OPENING) {
        out.push("Eyes closed or covered: keep both eyes open and uncovered.".to_string());
    }
    if let Some(gap) = lip_redness_gap(face, photo, labels, scale) {
        if gap < 2.0 {
            out.push("Mouth may be covered: keep the lips visible.".to_string());
        }
    }
    if face.face_presence < MIN_FACE_PRESENCE {
        out.push("Part of the face may be covered or out of the frame.".to_string());
    }
    out
}

/// Median a* of the lips (outer ring less the mouth opening) minus that of the cheeks'
/// skin; lips are redder than the skin around them.
fn lip_redness_gap(face: &Face, photo: &Photo, labels: &[u8], scale: usize) -> Option<f64> {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let grid = |r: &[usize]| raster::polygon_to_grid(&geometry::ring(face, r), scale);
    let inner = raster::mask(&grid(&t::LIPS_INNER), 0.0, w, h);
    let a_star = |i: usize| {
        let p = &photo.rgba()[i * 4..i * 4 + 3];
        colour::srgb8_to_lab([p[0], p[1], p[2]]).a as f32
    };
    let mut lips = Vec::new();
    raster::fill(&grid(&t::LIPS_OUTER), 0.0, w, h, |i| {
        if !inner[i] {
            lips.push(a_star(i));
        }
    });
    let cheek = [Zone::LeftMalar.label(), Zone::RightMalar.label()];
    let mut cheeks: Vec<f32> = (0..w * h)
        .filter(|&i| cheek.contains(&labels[i]))
        .map(a_star)
        .collect();
    if lips.len() < 10 || cheeks.len() < 10 {
        return None;
    }
    Some((median(&mut lips) - median(&mut cheeks)) as f64)
}
