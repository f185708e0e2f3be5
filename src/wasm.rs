//! Thin wasm-bindgen layer: handles and plain JS objects, no maths here.

use crate::decode::{self, DecodeInfo, DecodeLimits};
use crate::photo::Photo;
use wasm_bindgen::prelude::*;

/// Installs the panic hook so a panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A photo kept in WASM memory; JS holds only this handle.
#[wasm_bindgen]
pub struct PhotoHandle {
    photo: Photo,
    info: Option<DecodeInfo>,
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
        let output = photo.rgba().to_vec();
        Self {
            photo,
            info,
            output,
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

    /// Address of the RGBA output buffer in WASM memory (stable until the next render).
    #[wasm_bindgen(js_name = outputPtr)]
    pub fn output_ptr(&self) -> *const u8 {
        self.output.as_ptr()
    }

    /// Length in bytes of the RGBA output buffer.
    #[wasm_bindgen(js_name = outputLen)]
    pub fn output_len(&self) -> usize {
        self.output.len()
    }

    /// Writes the original photo into the output buffer.
    #[wasm_bindgen(js_name = renderOriginal)]
    pub fn render_original(&mut self) {
        self.output.copy_from_slice(self.photo.rgba());
    }
}

use serde::Serialize;

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
