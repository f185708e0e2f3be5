//! Face landmarks: the face mesh, its zones and the face skin mask.

pub mod cli;
pub mod colour_fit;
mod engine_stub;
pub mod geometry;
pub mod mask;
pub mod raster;
pub mod report;
pub mod topology;
pub mod zones;

pub use engine_stub::{find_face, FaceModels};
pub use geometry::Face;
pub use report::FaceReport;
