//! The face's own frame and its points as polygons.

use super::Face;

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
