//! Thin wasm-bindgen layer: handles and plain JS objects, no maths here.

use crate::analysis::{self, Analysis, AnalysisOptions};
use crate::decode::{self, DecodeInfo, DecodeLimits};
use crate::evidence::{Coverage, Profile, Scenario};
use crate::photo::Photo;
use crate::render::{self, Fractions, Projector, Removal};
use crate::skin_mask::UserMaskMode;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Installs the panic hook so a panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

/// A photo kept in WASM memory; JS holds only this handle.
#[wasm_bindgen]
pub struct PhotoHandle {
    photo: Photo,
    info: Option<DecodeInfo>,
    output: Vec<u8>,
    analysis: Option<Analysis>,
    /// Stored full-resolution projector, for photos no larger than a preview.
    projector: Option<Projector>,
    /// Display-size copy for slider frames, for larger photos.
    preview: Option<Preview>,
    /// Full-resolution removal for larger photos, built on their first full render.
    removal: Option<Removal>,
    /// The output holds pixels of an older projector: reset before the next render.
    stale_output: bool,
    /// The face found by `findFace`, used by the next `analyze`.
    face: Option<crate::face::Face>,
    /// Whether `findFace` ran (else the face models were not loaded).
    face_pass_ran: bool,
    /// Counts analyses, so a handle projecting another's analysis knows when it changed.
    analysis_id: u32,
    /// The `analysis_id` of the source that `removal` was built from (`projectFrom`).
    removal_for: Option<u32>,
}

/// A downsampled copy of the photo with its own projector and output buffer.
struct Preview {
    photo: Photo,
    projector: Projector,
    output: Vec<u8>,
}

#[wasm_bindgen]
impl PhotoHandle {
    /// Decodes JPEG, PNG or WebP bytes (EXIF orientation applied, large photos capped).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<PhotoHandle, JsError> {
        let decoded = decode::decode(bytes).map_err(js_err)?;
        Ok(Self::new(decoded.photo, Some(decoded.info)))
    }

    /// Wraps RGBA pixels decoded by the browser (upright), applying the working cap.
    #[wasm_bindgen(js_name = fromRgba)]
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>) -> Result<PhotoHandle, JsError> {
        let photo =
            decode::from_rgba(width, height, rgba, &DecodeLimits::default()).map_err(js_err)?;
        Ok(Self::new(photo, None))
    }

    fn new(photo: Photo, info: Option<DecodeInfo>) -> Self {
        Self {
            photo,
            info,
            output: Vec::new(),
            analysis: None,
            projector: None,
            preview: None,
            removal: None,
            stale_output: false,
            face: None,
            face_pass_ran: false,
            analysis_id: 0,
            removal_for: None,
        }
    }

    /// Runs the face pass on this photo with loaded models; the next `analyze` uses the
    /// face. Returns the face (points, score, roll, yaw, width) or null when none is found.
    #[wasm_bindgen(js_name = findFace)]
    pub fn find_face(&mut self, models: &FaceModels) -> Result<JsValue, JsError> {
        self.face = crate::face::find_face(&models.0, &self.photo);
        self.face_pass_ran = true;
        to_js(&self.face)
    }

    /// The pixels the output pointer shows: the projection buffer, or the photo.
    fn shown(&self) -> &[u8] {
        if self.output.is_empty() {
            self.photo.rgba()
        } else {
            &self.output
        }
    }

    /// Width in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.photo.width()
    }

    /// Height in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.photo.height()
    }

    /// Decode facts (format, orientation, downscaled), or `undefined` for raw RGBA input.
    #[wasm_bindgen(js_name = decodeInfo)]
    pub fn decode_info(&self) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(&self.info).map_err(js_err)
    }

    /// Mean Lab and ITA° of the whole image, as a plain object.
    #[wasm_bindgen(js_name = colourSummary)]
    pub fn colour_summary(&self) -> Result<JsValue, JsError> {
        let s = self.photo.colour_summary();
        s.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(js_err)
    }

    /// Sharpness (focus blur at ~512 px and a `blurred` verdict), as a plain object.
    #[wasm_bindgen(js_name = photoQuality)]
    pub fn photo_quality(&self) -> Result<JsValue, JsError> {
        to_js(&crate::quality::sharpness(&self.photo))
    }

    /// Address of the RGBA output in WASM memory (stable until the next render): the
    /// photo itself until a projection needs a buffer of its own.
    #[wasm_bindgen(js_name = outputPtr)]
    pub fn output_ptr(&self) -> *const u8 {
        self.shown().as_ptr()
    }

    /// Length in bytes of the RGBA output.
    #[wasm_bindgen(js_name = outputLen)]
    pub fn output_len(&self) -> usize {
        self.shown().len()
    }

    /// Makes the output show the original photo.
    #[wasm_bindgen(js_name = renderOriginal)]
    pub fn render_original(&mut self) {
        if !self.output.is_empty() {
            self.output.copy_from_slice(self.photo.rgba());
        }
        self.stale_output = false;
    }

    /// Runs the analysis; `mask` (one byte a pixel, non-zero = skin) replaces the
    /// automatic skin mask; `white_x`/`white_y` name a white or grey reference pixel.
    /// Returns the report (scores, lesions, lighting). The slider's projector follows
    /// (`preparePreview`), so the report is not kept waiting for it.
    pub fn analyze(
        &mut self,
        mask: Option<Vec<u8>>,
        white_x: Option<u32>,
        white_y: Option<u32>,
    ) -> Result<JsValue, JsError> {
        let n = self.photo.pixel_count();
        let user_mask = match mask {
            Some(m) if m.len() != n => {
                return Err(JsError::new(&format!(
                    "The mask has {} values but the photo has {n} pixels.",
                    m.len()
                )));
            }
            Some(m) => Some((m.iter().map(|&v| v != 0).collect(), UserMaskMode::Override)),
            None => None,
        };
        let white_reference = match (white_x, white_y) {
            (Some(x), Some(y)) if x < self.photo.width() && y < self.photo.height() => Some((x, y)),
            (Some(_), Some(_)) => {
                return Err(JsError::new("The white reference is outside the photo."))
            }
            _ => None,
        };
        // Free the previous analysis first: it is the largest allocation in the module.
        self.analysis = None;
        self.projector = None;
        self.removal = None;
        self.preview = None;
        let mut result = analysis::analyze(
            &self.photo,
            &AnalysisOptions {
                user_mask,
                white_reference,
                face: self.face.clone(),
            },
        );
        if !self.face_pass_ran {
            result.report.mask_source = "colour only: the face models are not loaded".into();
        }
        let report = to_js(&result.report)?;
        self.analysis = Some(result);
        self.analysis_id = self.analysis_id.wrapping_add(1);
        self.stale_output = true;
        Ok(report)
    }

    /// Builds the slider's stored projector (display size for large photos) once per
    /// analysis; `renderPreview` builds it on first use if this was not called.
    #[wasm_bindgen(js_name = preparePreview)]
    pub fn prepare_preview(&mut self) -> Result<(), JsError> {
        let analysis = self
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("Analyse the photo before projecting."))?;
        if self.preview.is_some() || self.projector.is_some() {
            return Ok(());
        }
        let scale = render::preview_scale(self.photo.width(), self.photo.height());
        if scale > 1 {
            let photo = self.photo.downsample(scale);
            self.preview = Some(Preview {
                projector: Projector::new(analysis, &photo),
                output: photo.rgba().to_vec(),
                photo,
            });
        } else {
            self.projector = Some(Projector::new(analysis, &self.photo));
        }
        Ok(())
    }

    /// Renders `source`'s analysed projection onto this photo (the same photo at another
    /// size, e.g. full resolution for export) into this handle's output buffer.
    #[wasm_bindgen(js_name = projectFrom)]
    pub fn project_from(
        &mut self,
        source: &PhotoHandle,
        pigment: f32,
        redness: f32,
        texture: f32,
    ) -> Result<(), JsError> {
        let analysis = source
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("Analyse the photo before projecting."))?;
        if self.removal_for != Some(source.analysis_id) {
            self.removal = Some(Removal::new(analysis, &self.photo));
            self.removal_for = Some(source.analysis_id);
        }
        if self.output.is_empty() {
            self.output = self.photo.rgba().to_vec();
        } else {
            self.output.copy_from_slice(self.photo.rgba());
        }
        let f = Fractions {
            pigment,
            redness,
            texture,
        };
        if let Some(removal) = &self.removal {
            removal.render(&self.photo, &mut self.output, f);
        }
        Ok(())
    }

    /// Renders the projection with the given fractions (0..1) into the output buffer.
    #[wasm_bindgen(js_name = renderProjection)]
    pub fn render_projection(
        &mut self,
        pigment: f32,
        redness: f32,
        texture: f32,
    ) -> Result<(), JsError> {
        let analysis = self
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("Analyse the photo before projecting."))?;
        if self.output.is_empty() {
            // Allocated on the first projection: a photo only looked at needs no copy.
            self.output = self.photo.rgba().to_vec();
        } else if self.stale_output {
            self.output.copy_from_slice(self.photo.rgba());
        }
        self.stale_output = false;
        let f = Fractions {
            pigment,
            redness,
            texture,
        };
        match &self.projector {
            Some(p) => p.render_into(&self.photo, &mut self.output, f),
            None => self
                .removal
                .get_or_insert_with(|| Removal::new(analysis, &self.photo))
                .render(&self.photo, &mut self.output, f),
        }
        Ok(())
    }

    /// Renders a slider frame: into the preview buffer for large photos, else as
    /// `renderProjection`. Read it through `previewPtr`/`previewLen`/`previewWidth`.
    #[wasm_bindgen(js_name = renderPreview)]
    pub fn render_preview(
        &mut self,
        pigment: f32,
        redness: f32,
        texture: f32,
    ) -> Result<(), JsError> {
        self.prepare_preview()?;
        match &mut self.preview {
            Some(p) => {
                let f = Fractions {
                    pigment,
                    redness,
                    texture,
                };
                p.projector.render_into(&p.photo, &mut p.output, f);
                Ok(())
            }
            None => self.render_projection(pigment, redness, texture),
        }
    }

    /// Address of the slider-frame buffer (the output itself for small photos).
    #[wasm_bindgen(js_name = previewPtr)]
    pub fn preview_ptr(&self) -> *const u8 {
        self.preview
            .as_ref()
            .map_or(self.shown().as_ptr(), |p| p.output.as_ptr())
    }

    /// Length in bytes of the slider-frame buffer.
    #[wasm_bindgen(js_name = previewLen)]
    pub fn preview_len(&self) -> usize {
        self.preview
            .as_ref()
            .map_or(self.shown().len(), |p| p.output.len())
    }

    /// Width of the slider frame.
    #[wasm_bindgen(js_name = previewWidth, getter)]
    pub fn preview_width(&self) -> u32 {
        self.preview
            .as_ref()
            .map_or(self.photo.width(), |p| p.photo.width())
    }

    /// Height of the slider frame.
    #[wasm_bindgen(js_name = previewHeight, getter)]
    pub fn preview_height(&self) -> u32 {
        self.preview
            .as_ref()
            .map_or(self.photo.height(), |p| p.photo.height())
    }

    /// Per-lesion ΔE00 between the photo and the current output, with visibility verdicts.
    #[wasm_bindgen(js_name = lesionChanges)]
    pub fn lesion_changes(&self) -> Result<JsValue, JsError> {
        let a = self
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("Analyse the photo first."))?;
        to_js(&render::lesion_changes(a, &self.photo, self.shown()))
    }

    /// One analysis map as 8-bit grayscale (w×h): skin, melanin, hemoglobin, shading,
    /// pigment, redness or texture.
    #[wasm_bindgen(js_name = mapGray)]
    pub fn map_gray(&self, name: &str) -> Result<Vec<u8>, JsError> {
        let a = self
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("Analyse the photo first."))?;
        crate::maps::named_map(a, name)
            .ok_or_else(|| JsError::new(&format!("There is no map called '{name}'.")))
    }
}

/// The face detector and mesh models, loaded once from their `.tflite` bytes.
#[wasm_bindgen]
pub struct FaceModels(crate::face::FaceModels);

#[wasm_bindgen]
impl FaceModels {
    /// Loads the detector and mesh models (the bytes of `www/models/*.tflite`).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(detector: &[u8], mesh: &[u8]) -> Result<FaceModels, JsError> {
        crate::face::FaceModels::from_bytes(detector, mesh)
            .map(FaceModels)
            .map_err(js_err)
    }
}

/// An evidence profile (the built-in one, or a clinic's own) for the page.
#[wasm_bindgen]
pub struct Evidence {
    profile: Profile,
}

#[wasm_bindgen]
impl Evidence {
    /// The built-in profile.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Evidence {
        Evidence {
            profile: Profile::builtin().clone(),
        }
    }

    /// Parses and validates a clinic's profile; the error names the field and the problem.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Evidence, JsError> {
        Ok(Evidence {
            profile: Profile::from_json(text).map_err(js_err)?,
        })
    }

    /// The whole profile as a plain object (treatments, concerns, outcomes, gaps, rules).
    pub fn profile(&self) -> Result<JsValue, JsError> {
        to_js(&self.profile)
    }

    /// What the profile says about a pair: `{kind: "evidence", outcome}`, `{kind: "gap", gap}`
    /// or `{kind: "not-listed"}`.
    pub fn coverage(&self, treatment: &str, concern: &str) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        enum View<'a> {
            Evidence {
                outcome: &'a crate::evidence::Outcome,
            },
            Gap {
                gap: &'a crate::evidence::Gap,
            },
            NotListed,
        }
        to_js(&match self.profile.coverage(treatment, concern) {
            Coverage::Evidence(outcome) => View::Evidence { outcome },
            Coverage::Gap(gap) => View::Gap { gap },
            Coverage::NotListed => View::NotListed,
        })
    }

    /// Fractions removed at `week` for a scenario ("low", "typical", "high"), or `null`
    /// when the profile has no outcome for the pair.
    #[wasm_bindgen(js_name = fractionsAt)]
    pub fn fractions_at(
        &self,
        treatment: &str,
        concern: &str,
        week: f64,
        scenario: &str,
    ) -> Result<JsValue, JsError> {
        let scenario = match scenario {
            "low" => Scenario::Low,
            "typical" => Scenario::Typical,
            "high" => Scenario::High,
            other => {
                return Err(JsError::new(&format!(
                    "Unknown scenario '{other}': use low, typical or high."
                )))
            }
        };
        match self.profile.outcome(treatment, concern) {
            Some(o) => to_js(&o.fractions_at(week, scenario)),
            None => Ok(JsValue::NULL),
        }
    }

    /// PIH and other risk warnings for a treatment on skin of this ITA°.
    #[wasm_bindgen(js_name = riskWarnings)]
    pub fn risk_warnings(&self, treatment: &str, ita: f64) -> Result<JsValue, JsError> {
        to_js(&self.profile.risk_warnings(treatment, ita))
    }
}

impl Default for Evidence {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks format, size and limits from the header alone; throws a typed error if refused.
#[wasm_bindgen(js_name = probeImage)]
pub fn probe_image(bytes: &[u8]) -> Result<JsValue, JsError> {
    let probe = decode::probe(bytes, &DecodeLimits::default()).map_err(js_err)?;
    serde_wasm_bindgen::to_value(&probe).map_err(js_err)
}

/// Working-cap in pixels: the page asks the browser decoder to downscale above it.
#[wasm_bindgen(js_name = workingCapPixels)]
pub fn working_cap_pixels() -> f64 {
    DecodeLimits::default().working_cap_pixels as f64
}

/// The module's linear memory, for building views of output buffers.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
