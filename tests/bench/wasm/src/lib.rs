//! The engine's stages one at a time, for the in-browser stage benchmark (www/bench).
//! JS times each call; every call keeps its result so the next stage can use it.

use skin_preview::analysis::{analyze, work_scale, Analysis, AnalysisOptions, AnalysisParams};
use skin_preview::skin::chromophores::{decompose, estimate_vectors, Chromophores, Vectors};
use skin_preview::lesions::maps::{blur_factor, lesion_map};
use skin_preview::maths::planes::{masked_blur, Plane};
use skin_preview::projection::render::{Fractions, Projector};
use skin_preview::skin::mask::{feather_sigma, skin_mask, SkinMask};
use skin_preview::Photo;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Stages {
    photo: Photo,
    /// The photo at the analysis's working resolution.
    work: Photo,
    chrom: Option<Chromophores>,
    skin: Option<SkinMask>,
    analysis: Option<Analysis>,
    projector: Option<Projector>,
    out: Vec<u8>,
    sink: f32,
}

#[wasm_bindgen]
impl Stages {
    #[wasm_bindgen(constructor)]
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Result<Stages, JsError> {
        let photo =
            Photo::from_rgba(width, height, rgba).ok_or_else(|| JsError::new("bad size"))?;
        let out = photo.rgba().to_vec();
        let work = photo.clone();
        Ok(Stages {
            photo,
            work,
            chrom: None,
            skin: None,
            analysis: None,
            projector: None,
            out,
            sink: 0.0,
        })
    }

    /// Photo::downsample to the working resolution the analysis runs at (linear light).
    pub fn downsample(&mut self) -> u32 {
        let s = work_scale(self.photo.width(), self.photo.height()) as u32;
        self.work = self.photo.downsample(s);
        self.work.width()
    }

    /// chromophores::decompose of the full photo: the like-for-like stage for the peer.
    #[wasm_bindgen(js_name = decomposeFull)]
    pub fn decompose_full(&mut self) {
        let c = decompose(&self.photo, Vectors::default());
        self.sink += c.melanin.data[c.melanin.data.len() / 2];
    }

    /// chromophores::decompose of the working image with the prior vectors.
    pub fn decompose(&mut self) {
        self.chrom = None;
        self.chrom = Some(decompose(&self.work, Vectors::default()));
    }

    /// skin_mask::skin_mask on the decomposition.
    #[wasm_bindgen(js_name = skinMask)]
    pub fn skin_mask(&mut self) {
        let c = self.chrom.as_ref().expect("decompose first");
        self.skin = None;
        self.skin = Some(skin_mask(&self.work, c, None));
    }

    /// chromophores::estimate_vectors (the ICA on subsampled skin pixels).
    #[wasm_bindgen(js_name = estimateVectors)]
    pub fn estimate_vectors(&mut self) -> bool {
        let s = self.skin.as_ref().expect("skin first");
        estimate_vectors(&self.work, &s.soft.data).estimated
    }

    fn short(&self) -> f32 {
        self.work.width().min(self.work.height()) as f32
    }

    /// The baseline blur as the engine does it: masked_blur of the three working planes
    /// over the soft skin mask, σ = 6% of the short side, at reduced scale.
    #[wasm_bindgen(js_name = baselineBlurs)]
    pub fn baseline_blurs(&mut self) {
        let (c, s) = (self.chrom.as_ref().unwrap(), self.skin.as_ref().unwrap());
        let sigma = 0.06 * self.short();
        let f = blur_factor(sigma);
        for p in [&c.melanin, &c.hemoglobin, &c.shading] {
            let b = masked_blur(p, &s.soft, sigma, f, 0.0);
            self.sink += b.data[b.data.len() / 2];
        }
    }

    /// Plane::blur (3-box cascade) of three planes at full resolution, σ = 6% short
    /// side: the same work as the peer's full-resolution cv.blur cascade.
    #[wasm_bindgen(js_name = fullResBlurs)]
    pub fn full_res_blurs(&mut self) {
        let c = decompose(&self.photo, Vectors::default());
        let sigma = 0.06 * self.photo.width().min(self.photo.height()) as f32;
        for p in [&c.melanin, &c.hemoglobin, &c.shading] {
            let mut q: Plane = p.clone();
            q.blur(sigma);
            self.sink += q.data[q.data.len() / 2];
        }
    }

    /// One lesion map (the pigment map's parameters, as analysis::analyze sets them).
    #[wasm_bindgen(js_name = lesionMap)]
    pub fn lesion_map(&mut self) -> usize {
        let (c, s) = (self.chrom.as_ref().unwrap(), self.skin.as_ref().unwrap());
        let (w, h) = (self.work.width() as usize, self.work.height() as usize);
        let params = AnalysisParams::DEFAULT.colour_maps(w, h);
        lesion_map(&c.melanin, &s.soft, &s.binary, &params, feather_sigma(w, h))
            .lesions
            .len()
    }

    /// The whole analysis::analyze (without the projector).
    pub fn analyze(&mut self) {
        self.analysis = None;
        self.analysis = Some(analyze(&self.photo, &AnalysisOptions::default()));
    }

    /// render::Projector::new.
    #[wasm_bindgen(js_name = projector)]
    pub fn projector(&mut self) -> usize {
        self.projector = None;
        let p = Projector::new(self.analysis.as_ref().expect("analyze first"), &self.photo);
        let n = p.active_pixels();
        self.projector = Some(p);
        n
    }

    /// Projector::render_into (recompose + back to 8-bit RGBA, fused), one frame.
    pub fn render(&mut self, f: f32) {
        let p = self.projector.as_ref().expect("projector first");
        p.render_into(
            &self.photo,
            &mut self.out,
            Fractions {
                pigment: f,
                redness: f,
                texture: f,
            },
        );
    }

    pub fn sink(&self) -> f32 {
        self.sink
    }
}
