//! Projection renderer: removes a fraction of each lesion's excess in optical density and
//! rebuilds RGB with the inverse model. Pixels outside every map are never touched.
//!
//! Only pixels with a non-zero removable amount are stored ("active"), so a frame costs
//! time in proportion to the lesions, not the photo.

use crate::analysis::{Analysis, LesionKind};
use crate::colour::{self, ItaCategory};
use crate::photo::Photo;
use serde::{Deserialize, Serialize};

/// Fraction (0..1) of the lesion excess to remove, per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Fractions {
    /// Melanin excess (spots, PIH, melasma).
    pub pigment: f32,
    /// Hemoglobin excess (redness).
    pub redness: f32,
    /// Scar-scale shading relief (pits and raised scars).
    pub texture: f32,
}

impl Fractions {
    /// Clamps each fraction to 0..1, mapping NaN to 0.
    pub fn clamped(self) -> Self {
        let c = |v: f32| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        Self {
            pigment: c(self.pigment),
            redness: c(self.redness),
            texture: c(self.texture),
        }
    }
}

/// Precomputed removable amounts per active pixel.
#[derive(Debug, Clone)]
pub struct Projector {
    active: Vec<u32>,
    melanin: Vec<f32>,
    hemoglobin: Vec<f32>,
    shading: Vec<f32>,
    m: [f32; 3],
    h: [f32; 3],
}

impl Projector {
    /// Collects, for every pixel any map touches, how much density each channel may remove.
    ///
    /// Colour lesions remove the raw excess over the baseline, so a spot returns to its
    /// surroundings without a smoothing halo. Relief removes a further-smoothed excess,
    /// so pore-scale texture (and the shading estimate's noise) stays as it was.
    pub fn new(a: &Analysis) -> Self {
        let n = a.skin.binary.len();
        let relief_sigma =
            2.0 * crate::skin_mask::feather_sigma(a.pits.soft.width, a.pits.soft.height);
        let smooth = |p: &crate::planes::Plane| {
            let mut q = p.clone();
            q.blur(relief_sigma);
            q
        };
        let (pits, raised) = (smooth(&a.pits.excess), smooth(&a.raised.excess));
        let mut p = Projector {
            active: Vec::new(),
            melanin: Vec::new(),
            hemoglobin: Vec::new(),
            shading: Vec::new(),
            m: a.chrom.vectors.melanin,
            h: a.chrom.vectors.hemoglobin,
        };
        for i in 0..n {
            let raw = |plane: &crate::planes::Plane, base: &crate::planes::Plane| {
                plane.data[i] - base.data[i]
            };
            let dm = a.pigment.soft.data[i] * raw(&a.chrom.melanin, &a.pigment.baseline);
            let dh = a.redness.soft.data[i] * raw(&a.chrom.hemoglobin, &a.redness.baseline);
            let ds = a.pits.soft.data[i] * pits.data[i].max(0.0)
                + a.raised.soft.data[i] * raised.data[i].min(0.0);
            if dm != 0.0 || dh != 0.0 || ds != 0.0 {
                p.active.push(i as u32);
                p.melanin.push(dm);
                p.hemoglobin.push(dh);
                p.shading.push(ds);
            }
        }
        p
    }

    /// Number of pixels a projection may change.
    pub fn active_pixels(&self) -> usize {
        self.active.len()
    }

    /// Writes the projection into `out`, which must already hold `photo`'s pixels outside
    /// the active set (e.g. a copy made once); active pixels are rewritten every call.
    pub fn render_into(&self, photo: &Photo, out: &mut [u8], f: Fractions) {
        let f = f.clamped();
        let lut = colour::srgb8_to_linear_lut();
        let src = photo.rgba();
        for (k, &i) in self.active.iter().enumerate() {
            let (a, b, s) = (
                f.pigment * self.melanin[k],
                f.redness * self.hemoglobin[k],
                f.texture * self.shading[k],
            );
            let o = i as usize * 4;
            for c in 0..3 {
                let gain = (a * self.m[c] + b * self.h[c] + s).exp();
                out[o + c] = colour::linear_to_srgb8(lut[src[o + c] as usize] * gain);
            }
        }
    }

    /// A fresh projected copy of `photo`.
    pub fn render(&self, photo: &Photo, f: Fractions) -> Vec<u8> {
        let mut out = photo.rgba().to_vec();
        self.render_into(photo, &mut out, f);
        out
    }
}

/// How one lesion changes in a projection, and whether the change can be seen.
#[derive(Debug, Clone, Serialize)]
pub struct LesionChange {
    /// Lesion id in the analysis report.
    pub id: usize,
    /// Map it came from.
    pub kind: LesionKind,
    /// Mean ΔE00 between the lesion before and after (mean colours).
    pub delta_e00: f64,
    /// Whether that exceeds the 50% perceptibility threshold for this skin class.
    pub visible: bool,
}

/// ΔE00 per lesion between the photo and a projection, with the visibility verdict
/// (thresholds 0.59 light / 1.75 dark skin, Vision Research 2024).
pub fn lesion_changes(a: &Analysis, photo: &Photo, projected: &[u8]) -> Vec<LesionChange> {
    let category = a.report.ita_category.unwrap_or(ItaCategory::Intermediate);
    let threshold = colour::perceptible_delta_e(category);
    let lut = colour::srgb8_to_linear_lut();
    let w = photo.width() as usize;
    let maps = [&a.pigment, &a.redness, &a.pits, &a.raised];
    let mut out = Vec::new();
    for l in &a.report.lesions {
        let map = maps[l.kind as usize];
        let (mut before, mut after, mut n) = ([0f64; 3], [0f64; 3], 0usize);
        for y in l.bbox[1] as usize..=l.bbox[3] as usize {
            for x in l.bbox[0] as usize..=l.bbox[2] as usize {
                let i = y * w + x;
                if !map.mask[i] {
                    continue;
                }
                for c in 0..3 {
                    before[c] += lut[photo.rgba()[i * 4 + c] as usize] as f64;
                    after[c] += lut[projected[i * 4 + c] as usize] as f64;
                }
                n += 1;
            }
        }
        let mean = |v: [f64; 3]| colour::linear_to_lab(v.map(|s| s / n.max(1) as f64));
        let de = colour::delta_e2000(mean(before), mean(after));
        out.push(LesionChange {
            id: l.id,
            kind: l.kind,
            delta_e00: de,
            visible: de >= threshold,
        });
    }
    out
}
