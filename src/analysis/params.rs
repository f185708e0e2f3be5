//! The analysis's tuning numbers, each named with what it is and what chose it.

use crate::lesions::blobs::BlobParams;
use crate::lesions::maps::{MapParams, NoiseModel};
use crate::skin::chromophores::EstimateParams;
use crate::skin::mask::MaskParams;

/// Tuning of one analysis; [`AnalysisParams::DEFAULT`] is what the CLI and the page use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisParams {
    /// Target short side of the working resolution (rounded to an integer factor, so it
    /// lands between about 300 and 600 px): lesions span ≥ 1% of it, pores fall below it,
    /// and averaging down lowers camera noise.
    pub work_short_side: f32,
    /// Face width, in working pixels, at which a face is analysed in its own region: blob
    /// scales and lesion sizes are shares of the working short side, so a face read at
    /// this width reads alike in a group portrait and in a phone close-up.
    pub face_work_width: f32,
    /// Most working pixels of a face's region (a 2 MP photo's whole working image is 220 000).
    pub max_region_pixels: usize,
    /// Most working pixels of the whole photo at the face's scale: the maps cover it all.
    pub max_frame_pixels: usize,
    /// Margin kept around the face's outline (forehead included), as a share of its width.
    pub face_margin: f32,
    /// Radius of the smallest lesion reported, as a share of the working short side:
    /// anything narrower is texture. Chosen by hand; not measured.
    pub min_lesion_radius: f32,
    /// Fewest working pixels of a lesion, whatever the radius gives. Chosen by hand; not measured.
    pub min_lesion_area: f32,
    /// Detection threshold of pigment blobs, in standard deviations of the matched filter
    /// over the skin around each pixel (`BlobParams::local_noise`): on the real-photo
    /// benchmark (light and dark classes) 5 finds as many spots as 5 did with one level
    /// for the whole face, at half its false positives (about 1.3–2.1% of skin).
    pub pigment_k: f32,
    /// Detection threshold of red blobs (over the whole face's texture level): hemoglobin's
    /// direction is less distinct from skin's own texture, so red patches score lower
    /// (3–5 at ΔE00 6) than spots of the same contrast.
    pub redness_k: f32,
    /// σ of the baseline a colour blob's excess is measured against, as a share of the
    /// working short side (the surround of the largest blob scale, 3 × 0.016 ≈ 0.05,
    /// halved: measured on the real-photo benchmark's found spots, see README).
    pub blob_baseline: f32,
    /// Mean excess (density units) a colour blob needs over its baseline: about ΔE00 1 on
    /// light skin, the least a person sees side by side.
    pub min_blob_excess: f32,
    /// Radius of the smallest colour blob kept, as a share of the working short side
    /// (about 1.7 px at 480): spots of 2% of a portrait's face width are 5–6 px across there.
    pub blob_min_radius: f32,
    /// Fewest working pixels of a colour blob, whatever the radius gives. Chosen by hand;
    /// not measured.
    pub min_blob_area: f32,
    /// Colour maps' smoothing σ as a share of the working short side. Chosen by hand; not measured.
    pub colour_smooth: f32,
    /// Least colour smoothing σ, in working pixels. Chosen by hand; not measured.
    pub colour_smooth_min: f32,
    /// Lesion maps' baseline σ as a share of the working short side. Chosen by hand; not measured.
    pub baseline: f32,
    /// Colour threshold maps' detection threshold, in noise σ. Chosen by hand; not measured.
    pub colour_k: f32,
    /// Least excess (density units) of a colour threshold map. Chosen by hand; not measured.
    pub colour_floor: f32,
    /// Least excess of the hemoglobin the relief detection treats as explained (lips,
    /// flushed areas). Chosen by hand; not measured.
    pub explained_floor: f32,
    /// Relief maps' smoothing σ as a share of the working short side. Chosen by hand; not measured.
    pub relief_smooth: f32,
    /// Least relief smoothing σ, in working pixels. Chosen by hand; not measured.
    pub relief_smooth_min: f32,
    /// Relief maps' detection threshold, in noise σ. Chosen by hand; not measured.
    pub relief_k: f32,
    /// Least excess (shading units) of a relief lesion. Chosen by hand; not measured.
    pub relief_floor: f32,
    /// Band (σ from, σ to, working pixels) in which shading's noise is regressed on
    /// hemoglobin's: scar scale, where JPEG's block errors live as well as camera noise.
    /// Chosen by hand; not measured.
    pub noise_band: (f32, f32),
    /// Largest multiple of the other chromophore or of shading a lesion direction takes on
    /// (the published melanin vectors differ by about 1.2 hemoglobin and 0.7 shading units).
    pub direction_limit: f64,
    /// Mean ΔE00 to its baseline a lesion needs to be shown: about the least difference a
    /// person sees between two patches side by side; fainter "lesions" are texture.
    pub min_visible_de00: f64,
    /// Most mean ΔE00 a relief lesion may have: a scar's pit or ridge shades skin by a few
    /// L* under diffuse light, while what the relief maps found above this on the real
    /// photos was hair at the hairline and shadows at the face's edge (ΔE00 21–44, the
    /// sample and the Henner portrait, `skin-preview analyze`).
    pub max_relief_de00: f64,
    /// The white reference patch's half-side is the photo's short side over this, and at
    /// least [`AnalysisParams::white_patch_min`] px. Chosen by hand; not measured.
    pub white_patch_divisor: u32,
    /// Least half-side of the white reference patch, px. Chosen by hand; not measured.
    pub white_patch_min: u32,
    /// Least linear value of each channel of a usable white reference (darker is noise).
    /// Chosen by hand; not measured.
    pub white_min_linear: f64,
    /// Reflectance a white reference is taken to have (a white shirt or sclera, not a
    /// calibrated white). Chosen by hand; not measured.
    pub white_reflectance: f64,
    /// About how many pixels the median skin colour samples, skin or not (for speed: on the
    /// four real photos of `tests/data/real` a quarter of 100 000 moved ITA by 0.1° at most).
    pub colour_samples: usize,
    /// 8-bit channel value from which a skin pixel counts as clipped (JPEG rings a few
    /// levels below 255). Chosen by hand; not measured.
    pub clip_level: u8,
    /// Clipped share of skin, %, above which the report warns. Chosen by hand; not measured.
    pub clipped_warn_percent: f64,
    /// Median skin L* under which the photo is too dark to trust. Chosen by hand; not measured.
    pub too_dark_l: f64,
    /// Top of the fine band the removed hemoglobin detail denoises (working pixels); 2–16
    /// measure alike.
    pub detail_band_top: f32,
    /// σ (working pixels) the shading is smoothed over before the pit opening removes the
    /// pores. Chosen by hand; not measured.
    pub pit_pre_blur: f32,
    /// σ of the local mean of the shading the pit opening lost, as a share of the working
    /// short side. Chosen by hand; not measured.
    pub pit_loss_blur: f32,
    /// The skin mask's own numbers.
    pub mask: MaskParams,
    /// The blob detector's own numbers.
    pub blobs: BlobParams,
    /// The chromophore vector estimate's own numbers.
    pub estimate: EstimateParams,
}

impl AnalysisParams {
    /// The defaults.
    pub const DEFAULT: AnalysisParams = AnalysisParams {
        work_short_side: 448.0,
        face_work_width: 320.0,
        max_region_pixels: 320_000,
        max_frame_pixels: 1_500_000,
        face_margin: 0.06,
        min_lesion_radius: 0.012,
        min_lesion_area: 12.0,
        pigment_k: 5.0,
        redness_k: 5.0,
        blob_baseline: 0.025,
        min_blob_excess: 0.05,
        blob_min_radius: 0.0042,
        min_blob_area: 6.0,
        colour_smooth: 0.006,
        colour_smooth_min: 1.0,
        baseline: 0.06,
        colour_k: 6.0,
        colour_floor: 0.12,
        explained_floor: 0.10,
        relief_smooth: 0.008,
        relief_smooth_min: 1.5,
        relief_k: 5.0,
        relief_floor: 0.08,
        noise_band: (2.0, 8.0),
        direction_limit: 1.5,
        min_visible_de00: 1.0,
        max_relief_de00: 15.0,
        white_patch_divisor: 200,
        white_patch_min: 2,
        white_min_linear: 0.02,
        white_reflectance: 0.85,
        colour_samples: 25_000,
        clip_level: 250,
        clipped_warn_percent: 2.0,
        too_dark_l: 20.0,
        detail_band_top: 8.0,
        pit_pre_blur: 1.0,
        pit_loss_blur: 0.015,
        mask: MaskParams::DEFAULT,
        blobs: BlobParams::DEFAULT,
        estimate: EstimateParams::DEFAULT,
    };

    /// Integer downsampling factor from a photo to its working resolution.
    pub fn work_scale(&self, width: u32, height: u32) -> usize {
        ((width.min(height) as f32 / self.work_short_side).round() as usize).max(1)
    }

    /// Radius, in working pixels, of the smallest lesion reported.
    pub fn min_lesion_radius(&self, w: usize, h: usize) -> f32 {
        self.min_lesion_radius * w.min(h) as f32
    }

    /// The colour lesion maps' parameters on a `w × h` working image.
    pub fn colour_maps(&self, w: usize, h: usize) -> MapParams {
        let short = w.min(h) as f32;
        let radius = self.min_lesion_radius(w, h);
        let min_area = (radius.powi(2) * std::f32::consts::PI).max(self.min_lesion_area) as usize;
        MapParams {
            smooth_sigma: (self.colour_smooth * short).max(self.colour_smooth_min),
            baseline_sigma: self.baseline * short,
            k_sigma: self.colour_k,
            floor: self.colour_floor,
            min_area,
            sign: 1.0,
            noise: NoiseModel::Local,
        }
    }

    /// The relief (pits) map's parameters on a `w × h` working image; raised scars flip `sign`.
    pub fn relief_maps(&self, w: usize, h: usize) -> MapParams {
        let short = w.min(h) as f32;
        MapParams {
            smooth_sigma: (self.relief_smooth * short).max(self.relief_smooth_min),
            floor: self.relief_floor,
            k_sigma: self.relief_k,
            noise: NoiseModel::Global,
            ..self.colour_maps(w, h)
        }
    }
}

impl Default for AnalysisParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relief_maps_differ_from_colour_maps_only_where_named() {
        let p = AnalysisParams::DEFAULT;
        let (c, r) = (p.colour_maps(480, 640), p.relief_maps(480, 640));
        assert_eq!(c.baseline_sigma, r.baseline_sigma);
        assert_eq!(c.min_area, r.min_area);
        assert_eq!((r.k_sigma, r.floor), (p.relief_k, p.relief_floor));
        assert!(matches!(r.noise, NoiseModel::Global) && matches!(c.noise, NoiseModel::Local));
        assert_eq!(p.work_scale(4000, 3000), 7);
    }
}
