//! Face landmarks: the face mesh, its zones and the face skin mask.

pub mod geometry;
pub mod mask;
pub mod raster;
pub mod report;
pub mod topology;
pub mod zones;

pub use geometry::Face;
pub use report::FaceReport;
