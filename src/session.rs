//! The use case both adapters share. Takes a photo (bytes or RGBA), an optional face, a
//! mask, a white point and plans; gives the analysis report, rendered frames, plans and
//! per-lesion changes. The CLI (`src/cli/`) and the wasm binding (`src/wasm.rs`) only
//! translate to and from it, so both decide everything the same way.

use crate::analysis::{self, Analysis, AnalysisOptions, Report};
use crate::evidence::Profile;
use crate::photo::decode::{self, DecodeInfo, DecodeLimits};
use crate::photo::Photo;
use crate::projection::plan::{self, Plan, PlanRequest};
use crate::projection::render::{self, Fractions, LesionChange, Projector, Removal};
use crate::skin::face::Face;
use crate::skin::mask::UserMaskMode;
use crate::Error;
use serde::Serialize;
use thiserror::Error;

/// Why a session refused a request; the messages say what to do instead.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SessionError {
    /// Rendering, maps or lesion changes before an analysis.
    #[error("Analyse the photo first.")]
    NotAnalysed,
    /// A mask whose size does not match the photo.
    #[error(
        "The mask has {got} values but the photo has {want} pixels; draw the mask on this photo."
    )]
    MaskSize {
        /// Values given.
        got: usize,
        /// Pixels in the photo.
        want: usize,
    },
    /// A white reference outside the photo.
    #[error("The white reference {x},{y} is outside the {width}×{height} photo; pick a pixel inside it.")]
    WhiteOutside {
        /// Column asked for.
        x: u32,
        /// Row asked for.
        y: u32,
        /// Photo width.
        width: u32,
        /// Photo height.
        height: u32,
    },
    /// An unknown map name.
    #[error("There is no map called '{0}'; use skin, melanin, hemoglobin, shading, pigment, redness, texture or zones.")]
    UnknownMap(String),
    /// A wrongly spelt option (scenario, mask mode).
    #[error("{0}")]
    BadOption(String),
}

impl SessionError {
    /// A stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::NotAnalysed => "not-analysed",
            SessionError::MaskSize { .. } => "bad-mask",
            SessionError::WhiteOutside { .. } => "bad-white-point",
            SessionError::UnknownMap(_) => "unknown-map",
            SessionError::BadOption(_) => "bad-option",
        }
    }
}

/// What an analysis takes besides the photo.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeRequest {
    /// A user mask (true = skin) and how it combines with the automatic one.
    pub mask: Option<(Vec<bool>, UserMaskMode)>,
    /// A white or neutral grey pixel (x, y) for colour normalization.
    pub white: Option<(u32, u32)>,
}

/// A plan with its rendering measured: what the CLI and the page show for one plan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct PlanResult {
    /// Fractions, band, grade, citations, risks, extrapolation and relapse.
    #[serde(flatten)]
    pub plan: Plan,
    /// The fractions rendered (none removed without evidence).
    pub rendered: Fractions,
    /// Per-lesion ΔE00 and visibility (empty for a preview frame).
    pub changes: Vec<LesionChange>,
}

/// A downsampled copy of the photo with its own projector and output buffer.
struct Preview {
    photo: Photo,
    projector: Projector,
    output: Vec<u8>,
}

/// One photo and what was computed on it: the analysis and the render caches.
pub struct Session {
    photo: Photo,
    info: Option<DecodeInfo>,
    face: Option<Face>,
    /// Why the face pass could not run (models missing); `None` once it ran.
    face_note: Option<String>,
    analysis: Option<Analysis>,
    output: Vec<u8>,
    /// Full-resolution projector, for photos no larger than a preview.
    projector: Option<Projector>,
    /// Display-size copy for slider frames, for larger photos.
    preview: Option<Preview>,
    /// Full-resolution removal for larger photos, built on their first full render.
    removal: Option<Removal>,
    /// The output holds pixels of an older projector: reset before the next render.
    stale_output: bool,
    /// Counts analyses, so a session projecting another's analysis knows when it changed.
    analysis_id: u32,
    /// The `analysis_id` of the source that `removal` was built from (`project_from`).
    removal_for: Option<u32>,
}

/// Checks that a white reference lies inside a `width`×`height` photo.
pub fn check_white_point(
    width: u32,
    height: u32,
    x: u32,
    y: u32,
) -> Result<(u32, u32), SessionError> {
    if x < width && y < height {
        Ok((x, y))
    } else {
        Err(SessionError::WhiteOutside {
            x,
            y,
            width,
            height,
        })
    }
}

impl Session {
    /// Decodes JPEG, PNG or WebP bytes (EXIF orientation applied, large photos capped).
    pub fn open(bytes: &[u8]) -> Result<Session, Error> {
        let decoded = decode::decode(bytes)?;
        Ok(Self::new(decoded.photo, Some(decoded.info)))
    }

    /// Wraps upright RGBA pixels (e.g. from the browser's decoder), applying the cap.
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>) -> Result<Session, Error> {
        let photo = decode::from_rgba(width, height, rgba, &DecodeLimits::default())?;
        Ok(Self::new(photo, None))
    }

    /// A session on a photo already in memory.
    pub fn from_photo(photo: Photo) -> Session {
        Self::new(photo, None)
    }

    fn new(photo: Photo, info: Option<DecodeInfo>) -> Self {
        Self {
            photo,
            info,
            face: None,
            face_note: Some("the face models are not loaded".into()),
            analysis: None,
            output: Vec::new(),
            projector: None,
            preview: None,
            removal: None,
            analysis_id: 0,
            removal_for: None,
            stale_output: false,
        }
    }

    /// The photo.
    pub fn photo(&self) -> &Photo {
        &self.photo
    }

    /// Decode facts, or `None` for RGBA input.
    pub fn info(&self) -> Option<&DecodeInfo> {
        self.info.as_ref()
    }

    /// The face the next analysis uses.
    pub fn face(&self) -> Option<&Face> {
        self.face.as_ref()
    }

    /// Records the face pass: `Ok(face)` when it ran (found or not), `Err(why)` when it
    /// could not run; the analysis then says "colour only: why".
    pub fn set_face(&mut self, pass: Result<Option<Face>, String>) {
        match pass {
            Ok(face) => {
                self.face = face;
                self.face_note = None;
            }
            Err(why) => {
                self.face = None;
                self.face_note = Some(why);
            }
        }
    }

    /// Runs the analysis (freeing the previous one first) and returns its report.
    pub fn analyze(&mut self, request: AnalyzeRequest) -> Result<&Report, SessionError> {
        let n = self.photo.pixel_count();
        if let Some((m, _)) = &request.mask {
            if m.len() != n {
                return Err(SessionError::MaskSize {
                    got: m.len(),
                    want: n,
                });
            }
        }
        let white = match request.white {
            Some((x, y)) => Some(check_white_point(
                self.photo.width(),
                self.photo.height(),
                x,
                y,
            )?),
            None => None,
        };
        // The previous analysis is the largest allocation: free it first.
        self.analysis = None;
        self.projector = None;
        self.removal = None;
        self.preview = None;
        let mut result = analysis::analyze(
            &self.photo,
            &AnalysisOptions {
                user_mask: request.mask,
                white_reference: white,
                face: self.face.clone(),
                ..AnalysisOptions::default()
            },
        );
        if let Some(why) = &self.face_note {
            result.note_colour_only(why);
        }
        self.analysis_id = self.analysis_id.wrapping_add(1);
        self.removal_for = None;
        self.stale_output = true;
        Ok(self.analysis.insert(result).report())
    }

    /// Builds the slider's projector (on a display-size copy for large photos) once per
    /// analysis: it follows the first paint instead of delaying the report.
    pub fn prepare_preview(&mut self) -> Result<(), SessionError> {
        let analysis = self.analysis.as_ref().ok_or(SessionError::NotAnalysed)?;
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

    /// Renders `source`'s projection onto this session's photo (the same photo at another
    /// size: full resolution for export) into this session's output.
    pub fn project_from(&mut self, source: &Session, f: Fractions) -> Result<(), SessionError> {
        let analysis = source.analysed()?;
        if self.removal_for != Some(source.analysis_id) {
            self.removal = Some(Removal::new(analysis, &self.photo));
            self.removal_for = Some(source.analysis_id);
        }
        if self.output.is_empty() {
            self.output = self.photo.rgba().to_vec();
        } else {
            self.output.copy_from_slice(self.photo.rgba());
        }
        self.stale_output = false;
        if let Some(removal) = &self.removal {
            removal.render(&self.photo, &mut self.output, f);
        }
        Ok(())
    }

    /// The analysis, once run.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }

    fn analysed(&self) -> Result<&Analysis, SessionError> {
        self.analysis.as_ref().ok_or(SessionError::NotAnalysed)
    }

    /// The skin's ITA°, `None` when unknown (no analysis, or no skin found).
    pub fn ita(&self) -> Option<f64> {
        self.analysis.as_ref().and_then(|a| a.report().ita)
    }

    /// The RGBA pixels shown: the last full render, or the photo.
    pub fn output(&self) -> &[u8] {
        if self.output.is_empty() {
            self.photo.rgba()
        } else {
            &self.output
        }
    }

    /// Makes the output show the original photo.
    pub fn render_original(&mut self) {
        if !self.output.is_empty() {
            self.output.copy_from_slice(self.photo.rgba());
        }
        self.stale_output = false;
    }

    /// Renders a full-resolution projection into the output.
    pub fn render(&mut self, f: Fractions) -> Result<(), SessionError> {
        let analysis = self.analysis.as_ref().ok_or(SessionError::NotAnalysed)?;
        if self.output.is_empty() {
            // Allocated on the first projection: a photo only looked at needs no copy.
            self.output = self.photo.rgba().to_vec();
        } else if self.stale_output {
            self.output.copy_from_slice(self.photo.rgba());
        }
        self.stale_output = false;
        match &self.projector {
            Some(p) => p.render_into(&self.photo, &mut self.output, f),
            None => self
                .removal
                .get_or_insert_with(|| Removal::new(analysis, &self.photo))
                .render(&self.photo, &mut self.output, f),
        }
        Ok(())
    }

    /// Renders a slider frame: into the preview buffer for large photos, else as `render`.
    pub fn render_preview(&mut self, f: Fractions) -> Result<(), SessionError> {
        self.prepare_preview()?;
        match &mut self.preview {
            Some(p) => {
                p.projector.render_into(&p.photo, &mut p.output, f);
                Ok(())
            }
            None => self.render(f),
        }
    }

    /// The slider frame's pixels and size (the output itself for small photos).
    pub fn preview_output(&self) -> (&[u8], u32, u32) {
        match &self.preview {
            Some(p) => (&p.output, p.photo.width(), p.photo.height()),
            None => (self.output(), self.photo.width(), self.photo.height()),
        }
    }

    /// Per-lesion ΔE00 between the photo and the current output.
    pub fn lesion_changes(&self) -> Result<Vec<LesionChange>, SessionError> {
        Ok(render::lesion_changes(
            self.analysed()?,
            &self.photo,
            self.output(),
        ))
    }

    /// One analysis map as 8-bit grey at the photo's size.
    pub fn map(&self, name: &str) -> Result<Vec<u8>, SessionError> {
        analysis::maps::named_map(self.analysed()?, name)
            .ok_or_else(|| SessionError::UnknownMap(name.to_string()))
    }

    /// Plans, renders and measures one plan; a preview renders a slider frame only.
    pub fn plan(
        &mut self,
        profile: &Profile,
        request: &PlanRequest,
        preview: bool,
    ) -> Result<PlanResult, SessionError> {
        self.analysed()?;
        let plan = plan::plan(profile, request, self.ita());
        let rendered = plan.render_fractions();
        let changes = if plan.fractions.is_none() {
            self.render_original();
            Vec::new()
        } else if preview {
            self.render_preview(rendered)?;
            Vec::new()
        } else {
            self.render(rendered)?;
            self.lesion_changes()?
        };
        Ok(PlanResult {
            plan,
            rendered,
            changes,
        })
    }
}
