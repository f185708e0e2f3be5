//! The numbers that must agree between the native build and the WASM build (which runs
//! with `simd128`): an analysis and a projection of the synthetic face fixture.

use skin_preview::analysis::{analyze, AnalysisOptions};
use skin_preview::projection::render::{render_direct, Fractions};
use skin_preview::Photo;

/// Names of the summary values, in order.
pub const NAMES: [&str; 10] = [
    "ita",
    "skin_area_percent",
    "pigment_percent",
    "redness_percent",
    "texture_percent",
    "a_masi_like",
    "lesions",
    "projected_mean_r",
    "projected_mean_g",
    "projected_mean_b",
];

/// Analysis scores and the mean colour of a projection (pigment 0.7, redness 0.5,
/// texture 0.6) of `photo`.
pub fn summary(photo: &Photo) -> Vec<f64> {
    let a = analyze(photo, &AnalysisOptions::default());
    let r = &a.report();
    let mut out = photo.rgba().to_vec();
    let f = Fractions {
        pigment: 0.7,
        redness: 0.5,
        texture: 0.6,
    };
    render_direct(&a, photo, &mut out, f);
    let n = photo.pixel_count() as f64;
    let mean = |c: usize| out.chunks_exact(4).map(|p| p[c] as f64).sum::<f64>() / n;
    vec![
        r.ita.unwrap_or(f64::NAN),
        r.skin_area_percent,
        r.affected_percent.pigment,
        r.affected_percent.redness,
        r.affected_percent.texture,
        r.a_masi_like,
        r.lesions.len() as f64,
        mean(0),
        mean(1),
        mean(2),
    ]
}
