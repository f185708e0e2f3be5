//! Stage 1, the photo. Takes encoded bytes (JPEG, PNG, WebP, GIF; AVIF's header only) or browser-decoded
//! RGBA; gives an upright, size-capped 8-bit RGBA [`Photo`], its colour summary and its
//! sharpness. Depends only on [`crate::maths`] and [`crate::error`].

pub mod colour;
pub mod decode;
pub mod header;
mod pixels;
pub mod quality;

pub use pixels::{ColourSummary, Photo};
