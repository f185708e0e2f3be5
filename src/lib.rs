//! skin-preview: skin analysis and evidence-linked outcome projection.
//!
//! The modules read as the pipeline: decode → colour → chromophores → skin mask →
//! lesion maps and metrics → evidence profile → projection/render.

pub mod analysis;
pub mod blobs;
pub mod chromophores;
pub mod colour;
pub mod components;
pub mod decode;
pub mod error;
pub mod evidence;
pub mod face;
pub mod header;
pub mod lesions;
pub mod maps;
pub mod photo;
pub mod planes;
pub mod quality;
pub mod render;
pub mod skin_mask;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{DecodeError, Error, ModelError};
pub use photo::Photo;
