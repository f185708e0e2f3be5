//! The face for the command line, from the models embedded in the binary (the same
//! files the page fetches from `www/models/`).

use super::{find_face, Face, FaceModels};
use crate::photo::Photo;

const DETECTOR: &[u8] = include_bytes!("../../../www/models/face_detection_short_range.tflite");
const MESH: &[u8] = include_bytes!("../../../www/models/face_landmark.tflite");

/// The embedded models, parsed.
pub fn models() -> Result<FaceModels, crate::Error> {
    FaceModels::from_bytes(DETECTOR, MESH)
}

/// The photo's face, or why there is none.
pub fn find(photo: &Photo) -> (Option<Face>, Option<String>) {
    match models() {
        Ok(models) => match find_face(&models, photo) {
            Some(face) => (Some(face), None),
            None => (None, Some("no face found in the photo".to_string())),
        },
        Err(e) => (None, Some(format!("the face models did not load ({e})"))),
    }
}

/// The face pass as a session records it: `Ok` once it ran (a face or none), `Err(why)`
/// when the models did not load.
pub fn pass(photo: &Photo) -> Result<Option<Face>, String> {
    let models = models().map_err(|e| format!("the face models did not load ({e})"))?;
    Ok(find_face(&models, photo))
}
