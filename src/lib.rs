//! skin-preview: skin analysis and evidence-linked outcome projection.
//!
//! The folders read as the data's path: [`photo`] (decode, colour, quality) →
//! [`skin`] (chromophores, face, mask) → [`lesions`] (maps, blobs) → [`analysis`]
//! (scores, lesion list) → [`evidence`] (profile, curves, risks) → [`projection`]
//! (plan, render). [`maths`] sits under them all; each module depends only on those
//! before it. [`session`] is the use case the two adapters (the CLI and `wasm`) share.

pub mod analysis;
pub mod error;
pub mod evidence;
pub mod followup;
pub mod lesions;
pub mod maths;
pub mod photo;
pub mod projection;
pub mod session;
pub mod skin;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{DecodeError, Error, ModelError};
pub use photo::Photo;
