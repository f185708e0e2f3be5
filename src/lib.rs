//! skin-preview: skin analysis and evidence-linked outcome projection.
//!
//! The modules read as the pipeline: decode → colour → chromophores → skin mask →
//! lesion maps and metrics → evidence profile → projection/render.

pub mod colour;
pub mod decode;
pub mod error;
pub mod evidence;
pub mod photo;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{DecodeError, Error};
pub use photo::Photo;
