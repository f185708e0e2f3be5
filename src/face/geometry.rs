//! Head pose and size from the 468 mesh points, and the face's own frame.

use serde::Serialize;

/// A face found by the mesh, in photo pixels (until the face engine lands, built from
/// points given to `Face::from_points`).
#[derive(Debug, Clone, Serialize)]
pub struct Face {
    /// The 468 mesh points (x, y, z), photo pixels; z in x's scale, toward the camera < 0.
    pub points: Vec<[f32; 3]>,
    /// Detector score, 0..1.
    pub score: f32,
    /// The mesh's own face-presence score, 0..1.
    pub face_presence: f32,
    /// Head roll in degrees (the eye line's angle; positive = clockwise on screen).
    pub roll_deg: f32,
    /// Head yaw in degrees (positive = the subject's left cheek turned away).
    pub yaw_deg: f32,
    /// Face width at the cheekbones (points 234–454), photo pixels.
    pub width_px: f32,
}

impl Face {
    /// A face from mesh points and a score; pose and width are computed from the points.
    pub fn from_points(points: Vec<[f32; 3]>, score: f32) -> Face {
        let (roll_deg, yaw_deg, width_px) = pose(&points);
        Face {
            points,
            score,
            face_presence: score,
            roll_deg,
            yaw_deg,
            width_px,
        }
    }
}

/// Points in a mesh.
pub const MESH_POINTS: usize = 468;

/// Roll, yaw (degrees) and cheekbone width (pixels) of a 468-point mesh.
pub fn pose(points: &[[f32; 3]]) -> (f32, f32, f32) {
    if points.len() < MESH_POINTS {
        return (0.0, 0.0, 0.0);
    }
    // Outer eye corners: the subject's right (33) and left (263).
    let (r, l) = (points[33], points[263]);
    let roll = (l[1] - r[1]).atan2(l[0] - r[0]).to_degrees();
    // The cheekbones' depth difference against their spread in the image plane.
    let (a, b) = (points[234], points[454]);
    let spread = (b[0] - a[0]).hypot(b[1] - a[1]);
    let yaw = (b[2] - a[2]).atan2(spread).to_degrees();
    (roll, yaw, spread)
}

/// A point's image position.
pub fn xy(face: &Face, i: usize) -> [f32; 2] {
    let p = face.points[i];
    [p[0], p[1]]
}

/// Unit vector from the chin (152) to the forehead top (10), and their distance.
pub fn up_and_height(face: &Face) -> ([f32; 2], f32) {
    let (top, chin) = (xy(face, 10), xy(face, 152));
    let (dx, dy) = (top[0] - chin[0], top[1] - chin[1]);
    let h = dx.hypot(dy).max(1e-3);
    ([dx / h, dy / h], h)
}

/// The polygon of mesh indices `ring`, in photo pixels.
pub fn ring(face: &Face, ring: &[usize]) -> Vec<[f32; 2]> {
    ring.iter().map(|&i| xy(face, i)).collect()
}
