//! A skin colour model learnt from the face's own skin, seeded by the mesh.
//!
//! The colour mask learns skin from hue-plausible pixels near the image centre; on a face
//! lit unevenly (a bright forehead, a shaded cheek) it can reject real skin. Inside the
//! face the mesh says where skin is, so a robust Gaussian in (melanin, hemoglobin) fitted
//! to the zones' pixels recovers it. It keeps the colour mask's lesion allowances, so
//! spots and red patches stay skin; hair, brows, glasses frames and glare do not fit.

use crate::photo::Photo;
use crate::skin::chromophores::Chromophores;

/// Melanin excess a lesion may have and still be skin (as the colour mask allows).
const MELANIN_ALLOWANCE: f32 = 1.6;
/// Hemoglobin excess allowed (red patches yes, lips no).
const HEMOGLOBIN_ALLOWANCE: f32 = 1.0;
/// Squared Mahalanobis distance accepted: 4.5σ, where the colour mask's score ends.
const MAX_D2: f32 = 20.25;

/// Mean and inverse covariance (a, b, c of [[a b] [b c]]) in (melanin, hemoglobin).
#[derive(Debug, Clone, Copy)]
struct Model {
    mean: [f32; 2],
    inv: [f32; 3],
}

fn d2(m: &Model, f: [f32; 2]) -> f32 {
    let (x, y) = (f[0] - m.mean[0], f[1] - m.mean[1]);
    m.inv[0] * x * x + 2.0 * m.inv[1] * x * y + m.inv[2] * y * y
}

/// Fits the model to the seed pixels: median start, then three trimmed refits at 3σ.
fn fit(samples: &[[f32; 2]]) -> Option<Model> {
    if samples.len() < 50 {
        return None;
    }
    let med = |k: usize| {
        let mut v: Vec<f32> = samples.iter().map(|s| s[k]).collect();
        crate::maths::stats::median(&mut v)
    };
    let mut model = Model {
        mean: [med(0), med(1)],
        inv: [1.0 / 0.0324, 0.0, 1.0 / 0.0324],
    };
    for _ in 0..3 {
        let inside: Vec<&[f32; 2]> = samples.iter().filter(|s| d2(&model, **s) <= 9.0).collect();
        if inside.len() < 30 {
            return None;
        }
        let n = inside.len() as f32;
        let mean = [0, 1].map(|k| inside.iter().map(|s| s[k]).sum::<f32>() / n);
        let cov = |a: usize, b: usize| {
            inside
                .iter()
                .map(|s| (s[a] - mean[a]) * (s[b] - mean[b]))
                .sum::<f32>()
                / n
        };
        // Trimming at 3σ shrinks the variance a little; a floor guards flat images.
        let (a, b, c) = (
            cov(0, 0) * 1.1 + 1e-4,
            cov(0, 1) * 1.1,
            cov(1, 1) * 1.1 + 1e-4,
        );
        let det = a * c - b * b;
        if det <= 0.0 || !det.is_finite() {
            return None;
        }
        model = Model {
            mean,
            inv: [c / det, -b / det, a / det],
        };
    }
    Some(model)
}

/// Pixels of `region` whose colour fits the skin of the `seeds` pixels (working grid).
pub fn fits(photo: &Photo, chrom: &Chromophores, seeds: &[bool], region: &[bool]) -> Vec<bool> {
    let n = region.len();
    let feature = |i: usize| [chrom.melanin.data[i], chrom.hemoglobin.data[i]];
    let stride = (seeds.iter().filter(|s| **s).count() / 20_000).max(1);
    let hued: Vec<bool> = (0..n)
        .map(|i| (seeds[i] || region[i]) && skin_hued(photo, i))
        .collect();
    let samples: Vec<[f32; 2]> = (0..n)
        .filter(|&i| seeds[i] && hued[i])
        .step_by(stride)
        .map(feature)
        .collect();
    let Some(model) = fit(&samples) else {
        return vec![false; n];
    };
    (0..n)
        .map(|i| {
            if !region[i] || !hued[i] {
                return false;
            }
            let [m, h] = feature(i);
            let shrink = |v: f32, mean: f32, allow: f32| {
                if v > mean {
                    mean + (v - mean - allow).max(0.0)
                } else {
                    v
                }
            };
            let f = [
                shrink(m, model.mean[0], MELANIN_ALLOWANCE),
                shrink(h, model.mean[1], HEMOGLOBIN_ALLOWANCE),
            ];
            d2(&model, f) <= MAX_D2
        })
        .collect()
}

/// Unclipped and skin-hued (L* 6–97, chroma 4–55, hue 5–85°, the colour mask's table),
/// as any skin tone is; clipped glare is not measurable skin.
fn skin_hued(photo: &Photo, i: usize) -> bool {
    let p = &photo.rgba()[i * 4..i * 4 + 3];
    p.iter().all(|&v| v < 250) && crate::skin::mask::plausible(p)
}
