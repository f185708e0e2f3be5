//! 8-bit grayscale renderings of the analysis maps, for the CLI and overlays.

use crate::analysis::Analysis;
use crate::planes::Plane;
use std::path::Path;

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

/// The named grayscale maps of an analysis, at the photo's size.
pub fn named_maps(a: &Analysis) -> Vec<(&'static str, Vec<u8>)> {
    let texture = Plane::from_vec(
        a.pits.soft.width,
        a.pits.soft.height,
        a.pits
            .soft
            .data
            .iter()
            .zip(&a.raised.soft.data)
            .map(|(p, r)| p.max(*r))
            .collect(),
    );
    vec![
        ("skin", unit_to_gray(&a.skin.soft)),
        ("melanin", plane_to_gray(&a.chrom.melanin)),
        ("hemoglobin", plane_to_gray(&a.chrom.hemoglobin)),
        ("shading", plane_to_gray(&a.chrom.shading)),
        ("pigment", unit_to_gray(&a.pigment.soft)),
        ("redness", unit_to_gray(&a.redness.soft)),
        ("texture", unit_to_gray(&texture)),
    ]
}

/// Writes `skin.png`, `melanin.png`, … into `dir` (created if missing).
pub fn write_pngs(a: &Analysis, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (w, h) = (a.chrom.melanin.width as u32, a.chrom.melanin.height as u32);
    for (name, gray) in named_maps(a) {
        let path = dir.join(format!("{name}.png"));
        image::save_buffer(&path, &gray, w, h, image::ExtendedColorType::L8)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
