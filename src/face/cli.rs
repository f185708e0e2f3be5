//! The face for the command line: the embedded models, when this build has them.

use super::Face;
use crate::photo::Photo;

/// The photo's face, or why there is none ("no face found in the photo", …).
pub fn find(photo: &Photo) -> (Option<Face>, Option<&'static str>) {
    // Until the face engine lands (its models embedded with include_bytes!), the CLI
    // analyses with the colour mask and says so.
    let _ = photo;
    (None, Some("this build has no face models"))
}
