//! Thin wasm-bindgen adapter over [`Session`]: handles and plain JS objects in and out,
//! errors as JS `Error`s with a stable `code`. No planning or maths here.

use crate::evidence::{Profile, Scenario};
use crate::followup::{CompareOptions, Compared, FollowupError, PlanQuery, PointPairs};
use crate::photo::decode::{self, DecodeLimits};
use crate::projection::plan::{CoverageView, PlanRequest};
use crate::projection::render::Fractions;
use crate::session::{AnalyzeRequest, Session, SessionError};
use crate::skin::mask::UserMaskMode;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Installs the panic hook so a panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A JS `Error` whose `message` is for people and whose `code` is for programs.
fn js_err(e: impl Into<crate::Error>) -> JsValue {
    let e: crate::Error = e.into();
    coded_error(&e.to_string(), e.code())
}

fn coded_error(message: &str, code: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    // Setting a plain data property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

fn followup_err(e: FollowupError) -> JsValue {
    coded_error(&e.to_string(), e.code())
}

fn pass_err(e: serde_wasm_bindgen::Error) -> JsValue {
    coded_error(
        &format!("Could not pass a result to the page: {e}"),
        "internal",
    )
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(pass_err)
}

/// A photo and its analysis kept in WASM memory (a [`Session`]); JS holds this handle.
#[wasm_bindgen]
pub struct PhotoHandle {
    session: Session,
}

#[wasm_bindgen]
impl PhotoHandle {
    /// Decodes JPEG or PNG bytes (EXIF orientation applied, large photos capped).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<PhotoHandle, JsValue> {
        Ok(Self {
            session: Session::open(bytes).map_err(js_err)?,
        })
    }

    /// Wraps RGBA pixels decoded by the browser (upright), applying the working cap.
    #[wasm_bindgen(js_name = fromRgba)]
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>) -> Result<PhotoHandle, JsValue> {
        Ok(Self {
            session: Session::from_rgba(width, height, rgba).map_err(js_err)?,
        })
    }

    /// Runs the face pass with loaded models; the next `analyze` uses the face.
    #[wasm_bindgen(js_name = findFace, unchecked_return_type = "Face | null")]
    pub fn find_face(&mut self, models: &FaceModels) -> Result<JsValue, JsValue> {
        let face = crate::skin::face::find_face(&models.0, self.session.photo());
        self.session.set_face(Ok(face));
        to_js(&self.session.face())
    }

    /// Records why the face pass could not run; the report's mask source then says so.
    #[wasm_bindgen(js_name = noFace)]
    pub fn no_face(&mut self, why: &str) {
        self.session.set_face(Err(why.to_string()));
    }

    /// Width in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.session.photo().width()
    }

    /// Height in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.session.photo().height()
    }

    /// Decode facts (format, orientation, downscaled), or `undefined` for raw RGBA input.
    #[wasm_bindgen(js_name = decodeInfo, unchecked_return_type = "DecodeInfo | undefined")]
    pub fn decode_info(&self) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(&self.session.info()).map_err(pass_err)
    }

    /// Mean Lab and ITA° of the whole image.
    #[wasm_bindgen(js_name = colourSummary, unchecked_return_type = "ColourSummary")]
    pub fn colour_summary(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.photo().colour_summary())
    }

    /// Sharpness (focus blur at ~512 px and a `blurred` verdict).
    #[wasm_bindgen(js_name = photoQuality, unchecked_return_type = "Sharpness")]
    pub fn photo_quality(&self) -> Result<JsValue, JsValue> {
        to_js(&crate::photo::quality::sharpness(self.session.photo()))
    }

    /// Address of the RGBA output in WASM memory (stable until the next render).
    #[wasm_bindgen(js_name = outputPtr)]
    pub fn output_ptr(&self) -> *const u8 {
        self.session.output().as_ptr()
    }

    /// Length in bytes of the RGBA output.
    #[wasm_bindgen(js_name = outputLen)]
    pub fn output_len(&self) -> usize {
        self.session.output().len()
    }

    /// Makes the output show the original photo.
    #[wasm_bindgen(js_name = renderOriginal)]
    pub fn render_original(&mut self) {
        self.session.render_original();
    }

    /// Runs the analysis and returns the report. `mask` (one byte a pixel, non-zero =
    /// skin) combines with the automatic mask by `mask_mode` ("narrow" or "replace");
    /// `white_x`/`white_y` name a white or grey reference pixel. The slider's projector
    /// follows (`preparePreview`), so the report is not kept waiting for it.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn analyze(
        &mut self,
        mask: Option<Vec<u8>>,
        mask_mode: Option<String>,
        white_x: Option<u32>,
        white_y: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let mode: UserMaskMode = mask_mode
            .as_deref()
            .unwrap_or("replace")
            .parse()
            .map_err(|e: String| js_err(SessionError::BadOption(e)))?;
        let request = AnalyzeRequest {
            mask: mask.map(|m| (m.iter().map(|&v| v != 0).collect(), mode)),
            white: white_x.zip(white_y),
        };
        let report = self.session.analyze(request).map_err(js_err)?;
        to_js(report)
    }

    /// Builds the slider's projector once per analysis, after the report is shown
    /// (`renderPreview` builds it on first use if this was not called).
    #[wasm_bindgen(js_name = preparePreview)]
    pub fn prepare_preview(&mut self) -> Result<(), JsValue> {
        self.session.prepare_preview().map_err(js_err)
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
    ) -> Result<(), JsValue> {
        self.session
            .project_from(&source.session, fractions(pigment, redness, texture))
            .map_err(js_err)
    }

    /// Renders the projection with the given fractions (0..1) into the output buffer.
    #[wasm_bindgen(js_name = renderProjection)]
    pub fn render_projection(
        &mut self,
        pigment: f32,
        redness: f32,
        texture: f32,
    ) -> Result<(), JsValue> {
        self.session
            .render(fractions(pigment, redness, texture))
            .map_err(js_err)
    }

    /// Renders a slider frame: into the preview buffer for large photos, else as
    /// `renderProjection`. Read it through `previewPtr`/`previewLen`/`previewWidth`.
    #[wasm_bindgen(js_name = renderPreview)]
    pub fn render_preview(
        &mut self,
        pigment: f32,
        redness: f32,
        texture: f32,
    ) -> Result<(), JsValue> {
        self.session
            .render_preview(fractions(pigment, redness, texture))
            .map_err(js_err)
    }

    /// Plans, renders and measures one plan (`PlanRequest`) with an evidence profile;
    /// `preview` renders a slider frame only. Returns the `PlanResult`.
    #[wasm_bindgen(unchecked_return_type = "PlanResult")]
    pub fn plan(
        &mut self,
        evidence: &Evidence,
        #[wasm_bindgen(unchecked_param_type = "PlanRequest")] request: JsValue,
        preview: bool,
    ) -> Result<JsValue, JsValue> {
        let request: PlanRequest = serde_wasm_bindgen::from_value(request).map_err(|e| {
            js_err(SessionError::BadOption(format!(
                "The plan is not valid: {e}."
            )))
        })?;
        let result = self
            .session
            .plan(&evidence.profile, &request, preview)
            .map_err(js_err)?;
        to_js(&result)
    }

    /// Address of the slider-frame buffer (the output itself for small photos).
    #[wasm_bindgen(js_name = previewPtr)]
    pub fn preview_ptr(&self) -> *const u8 {
        self.session.preview_output().0.as_ptr()
    }

    /// Length in bytes of the slider-frame buffer.
    #[wasm_bindgen(js_name = previewLen)]
    pub fn preview_len(&self) -> usize {
        self.session.preview_output().0.len()
    }

    /// Width of the slider frame.
    #[wasm_bindgen(js_name = previewWidth, getter)]
    pub fn preview_width(&self) -> u32 {
        self.session.preview_output().1
    }

    /// Height of the slider frame.
    #[wasm_bindgen(js_name = previewHeight, getter)]
    pub fn preview_height(&self) -> u32 {
        self.session.preview_output().2
    }

    /// Per-lesion ΔE00 between the photo and the current output, with visibility verdicts.
    #[wasm_bindgen(js_name = lesionChanges, unchecked_return_type = "LesionChange[]")]
    pub fn lesion_changes(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.lesion_changes().map_err(js_err)?)
    }

    /// One analysis map as 8-bit grayscale (w×h): skin, melanin, hemoglobin, shading,
    /// pigment, redness, texture or zones.
    #[wasm_bindgen(js_name = mapGray)]
    pub fn map_gray(&self, name: &str) -> Result<Vec<u8>, JsValue> {
        self.session.map(name).map_err(js_err)
    }
}

#[wasm_bindgen]
impl PhotoHandle {
    /// Compares `followup` (its face pass run, or `points` given) with this analysed
    /// baseline. `points` is twelve numbers, baseline x1,y1,x2,y2,x3,y3 then the
    /// follow-up's (photo pixels); `treatment`, `concern` and `weeks` (all or none) hold
    /// the change against that plan's band. Errors carry the engine's codes
    /// (`different-person`, `no-face`, `face-too-small`, `head-turned`, …).
    #[wasm_bindgen(js_name = compareFollowup)]
    pub fn compare_followup(
        &self,
        followup: &PhotoHandle,
        evidence: &Evidence,
        points: Option<Vec<f32>>,
        treatment: Option<String>,
        concern: Option<String>,
        weeks: Option<f64>,
    ) -> Result<FollowupHandle, JsValue> {
        let points = match points {
            None => None,
            Some(v) if v.len() == 12 => Some(PointPairs {
                baseline: [[v[0], v[1]], [v[2], v[3]], [v[4], v[5]]],
                followup: [[v[6], v[7]], [v[8], v[9]], [v[10], v[11]]],
            }),
            Some(v) => {
                return Err(followup_err(FollowupError::BadPoints(format!(
                    "{} numbers were given, twelve are needed",
                    v.len()
                ))))
            }
        };
        let plan = match (treatment, concern, weeks) {
            (Some(treatment), Some(concern), Some(weeks)) => Some(PlanQuery {
                treatment,
                concern,
                weeks,
            }),
            _ => None,
        };
        let compared = self
            .session
            .compare(
                &followup.session,
                &CompareOptions { points, plan },
                &evidence.profile,
            )
            .map_err(followup_err)?;
        Ok(FollowupHandle {
            compared,
            output: Vec::new(),
            size: (0, 0),
        })
    }

    /// Whether the face pass found a face on this photo.
    #[wasm_bindgen(js_name = hasFace)]
    pub fn has_face(&self) -> bool {
        self.session.face().is_some()
    }
}

/// A follow-up compared with its baseline: the report, and images in the baseline's
/// frame rendered into WASM memory (read through `outputPtr`/`outputLen`).
#[wasm_bindgen]
pub struct FollowupHandle {
    compared: Compared,
    output: Vec<u8>,
    size: (u32, u32),
}

#[wasm_bindgen]
impl FollowupHandle {
    /// The comparison's report (registration, light, lesions, zones, projection).
    #[wasm_bindgen(unchecked_return_type = "Comparison")]
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.compared.report)
    }

    /// Renders the follow-up registered to the baseline, light matched, at `width × height`
    /// of the baseline's frame (transparent where it does not reach).
    #[wasm_bindgen(js_name = renderRegistered)]
    pub fn render_registered(&mut self, followup: &PhotoHandle, width: u32, height: u32) {
        self.output = self
            .compared
            .registered_rgba(followup.session.photo(), width, height);
        self.size = (width, height);
    }

    /// Renders the change map (less melanin teal, more orange) at `width × height`.
    #[wasm_bindgen(js_name = renderChangeMap)]
    pub fn render_change_map(&mut self, width: u32, height: u32) {
        self.output = self.compared.change_map_rgba(width, height);
        self.size = (width, height);
    }

    /// Address of the last rendering's RGBA in WASM memory.
    #[wasm_bindgen(js_name = outputPtr)]
    pub fn output_ptr(&self) -> *const u8 {
        self.output.as_ptr()
    }

    /// Length in bytes of the last rendering.
    #[wasm_bindgen(js_name = outputLen)]
    pub fn output_len(&self) -> usize {
        self.output.len()
    }

    /// Width of the last rendering.
    #[wasm_bindgen(js_name = outputWidth, getter)]
    pub fn output_width(&self) -> u32 {
        self.size.0
    }

    /// Height of the last rendering.
    #[wasm_bindgen(js_name = outputHeight, getter)]
    pub fn output_height(&self) -> u32 {
        self.size.1
    }
}

fn fractions(pigment: f32, redness: f32, texture: f32) -> Fractions {
    Fractions {
        pigment,
        redness,
        texture,
    }
}

/// The face detector and mesh models, loaded once from their `.tflite` bytes.
#[wasm_bindgen]
pub struct FaceModels(crate::skin::face::FaceModels);

#[wasm_bindgen]
impl FaceModels {
    /// Loads the detector and mesh models (the bytes of `www/models/*.tflite`).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(detector: &[u8], mesh: &[u8]) -> Result<FaceModels, JsValue> {
        crate::skin::face::FaceModels::from_bytes(detector, mesh)
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
    pub fn from_json(text: &str) -> Result<Evidence, JsValue> {
        Ok(Evidence {
            profile: Profile::from_json(text).map_err(js_err)?,
        })
    }

    /// The whole profile as a plain object (treatments, concerns, outcomes, gaps, rules).
    pub fn profile(&self) -> Result<JsValue, JsValue> {
        to_js(&self.profile)
    }

    /// What the profile says about a pair: `{kind: "evidence", outcome}`, `{kind: "gap", gap}`
    /// or `{kind: "not-listed"}`.
    pub fn coverage(&self, treatment: &str, concern: &str) -> Result<JsValue, JsValue> {
        to_js(&CoverageView::from(
            self.profile.coverage(treatment, concern),
        ))
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
    ) -> Result<JsValue, JsValue> {
        let scenario: Scenario = scenario
            .parse()
            .map_err(|e: String| js_err(SessionError::BadOption(e)))?;
        match self.profile.outcome(treatment, concern) {
            Some(o) => to_js(&o.fractions_at(week, scenario)),
            None => Ok(JsValue::NULL),
        }
    }

    /// PIH and other risk warnings for a treatment on skin of this ITA° (`undefined` =
    /// unknown, which counts as at risk).
    #[wasm_bindgen(js_name = riskWarnings, unchecked_return_type = "RiskWarning[]")]
    pub fn risk_warnings(&self, treatment: &str, ita: Option<f64>) -> Result<JsValue, JsValue> {
        to_js(&self.profile.risk_warnings_for(treatment, ita))
    }
}

impl Default for Evidence {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks format, size and limits from the header alone; throws a typed error if refused.
#[wasm_bindgen(js_name = probeImage)]
pub fn probe_image(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let probe = decode::probe(bytes, &DecodeLimits::default()).map_err(js_err)?;
    serde_wasm_bindgen::to_value(&probe).map_err(pass_err)
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
