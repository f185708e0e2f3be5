//! Stand-in for the face engine's API (branch `face-engine`) until it merges: the models
//! load, and no face is ever found, so every analysis says why it used the colour mask.
//! This file and its `pub use` go when `src/face/mod.rs` comes from the face engine.

use super::Face;
use crate::photo::Photo;

/// The face detector and mesh models (stand-in: holds nothing).
#[derive(Debug)]
pub struct FaceModels;

impl FaceModels {
    /// Loads the models from their `.tflite` bytes (stand-in: accepts any bytes).
    pub fn from_bytes(detector: &[u8], mesh: &[u8]) -> Result<FaceModels, crate::Error> {
        let _ = (detector, mesh);
        Ok(FaceModels)
    }
}

/// The largest face in the photo (stand-in: none).
pub fn find_face(models: &FaceModels, photo: &Photo) -> Option<Face> {
    let _ = (models, photo);
    None
}
