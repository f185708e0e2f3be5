//! 8-bit grayscale renderings of the analysis maps, for the CLI's files and the page's
//! overlays (the CLI writes the files).

use crate::analysis::Analysis;
use crate::maths::planes::Plane;
use crate::skin::face::zones;

/// Scales a plane to 0..255 between its 1st and 99th percentile over all pixels.
pub fn plane_to_gray(p: &Plane) -> Vec<u8> {
    let stride = (p.data.len() / 100_000).max(1);
    let mut sample: Vec<f32> = p
        .data
        .iter()
        .step_by(stride)
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if sample.is_empty() {
        return vec![0; p.data.len()];
    }
    sample.sort_by(f32::total_cmp);
    let lo = sample[sample.len() / 100];
    let hi = sample[sample.len() * 99 / 100];
    let span = (hi - lo).max(1e-6);
    p.data
        .iter()
        .map(|v| ((v - lo) / span * 255.0).clamp(0.0, 255.0) as u8)
        .collect()
}

/// A 0..1 weight as 0..255.
pub fn unit_to_gray(p: &Plane) -> Vec<u8> {
    p.data
        .iter()
        .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

/// Names of the maps, in the order the CLI writes them.
pub const MAP_NAMES: [&str; 7] = [
    "skin",
    "melanin",
    "hemoglobin",
    "shading",
    "pigment",
    "redness",
    "texture",
];

/// One named map as 8-bit grayscale at the photo's size, or `None` for an unknown name.
pub fn named_map(a: &Analysis, name: &str) -> Option<Vec<u8>> {
    let (w, h) = (a.report.width as usize, a.report.height as usize);
    let up = |p: &Plane| p.upsample(a.scale, w, h);
    let gray = match name {
        "skin" => unit_to_gray(&up(&a.skin().soft)),
        "melanin" => plane_to_gray(&up(&a.chrom().melanin)),
        "hemoglobin" => plane_to_gray(&up(&a.chrom().hemoglobin)),
        "shading" => plane_to_gray(&up(&a.chrom().shading)),
        "pigment" => unit_to_gray(&up(&a.pigment().soft)),
        "redness" => unit_to_gray(&up(&a.redness().soft)),
        "texture" => {
            let (p, r) = (&a.pits().soft, &a.raised().soft);
            let max = p.data.iter().zip(&r.data).map(|(p, r)| p.max(*r)).collect();
            unit_to_gray(&up(&Plane::from_vec(p.width, p.height, max)))
        }
        "zones" => return zone_grey(a),
        _ => return None,
    };
    Some(gray)
}

/// An analysis's zone map as `zones.png` grey levels at the photo's size (nearest
/// working pixel), or `None` when no face narrowed the mask.
pub fn zone_grey(a: &Analysis) -> Option<Vec<u8>> {
    let labels = a.zones()?;
    let (w, h) = (a.report.width as usize, a.report.height as usize);
    let (ww, wh) = (a.skin().soft.width, a.skin().soft.height);
    let s = a.scale.max(1);
    let grey = zones::to_grey(labels);
    Some(
        (0..w * h)
            .map(|i| grey[((i / w) / s).min(wh - 1) * ww + ((i % w) / s).min(ww - 1)])
            .collect(),
    )
}
