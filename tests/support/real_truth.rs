//! The hand-marked truth set of real lesions, `tests/data/real/lesions.json` (how they were
//! marked: `tests/data/real/README.md`). Standalone, so any test can include it with
//! `#[path = "support/real_truth.rs"] mod real_truth;`.
#![allow(dead_code)]

use serde::Deserialize;
use std::path::PathBuf;

/// What a person sees: a brown spot (mole, freckle) or a red one (papule, patch).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Brown spot, mole, freckle.
    Pigment,
    /// Red papule or patch.
    Redness,
}

/// How sure the marker was: clearly visible at 1×, or only on a zoomed look.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Clearly visible.
    Clear,
    /// Visible, but faint.
    Faint,
}

/// A lesion's outline in photo pixels (x right, y down).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "shape", rename_all = "lowercase")]
pub enum Shape {
    /// Ellipse with semi-axes `rx`, `ry`, rotated by `angle_deg` (clockwise on screen, from +x).
    Ellipse {
        cx: f64,
        cy: f64,
        rx: f64,
        ry: f64,
        #[serde(default)]
        angle_deg: f64,
    },
    /// Closed polygon through `points`.
    Polygon { points: Vec<[f64; 2]> },
}

/// One marked lesion.
#[derive(Clone, Debug, Deserialize)]
pub struct LesionTruth {
    /// Pigment or redness.
    pub kind: Kind,
    /// Outline.
    #[serde(flatten)]
    pub shape: Shape,
    /// Where it is and what it looks like.
    #[serde(default)]
    pub note: String,
    /// Clear or faint.
    pub confidence: Confidence,
}

/// One photo's marks; an empty list means the face was examined and nothing was visible.
#[derive(Clone, Debug, Deserialize)]
pub struct PhotoTruth {
    /// File name in `tests/data/real/`, unless `path` is given.
    pub file: String,
    /// Path from the repository root, for photos kept elsewhere (the page sample).
    #[serde(default)]
    pub path: Option<String>,
    /// Photo width in pixels.
    pub width: u32,
    /// Photo height in pixels.
    pub height: u32,
    /// The marked lesions.
    pub lesions: Vec<LesionTruth>,
}

#[derive(Deserialize)]
struct TruthFile {
    photos: Vec<PhotoTruth>,
}

/// Every photo of the truth set, in file order.
pub fn real_lesions() -> Vec<PhotoTruth> {
    let path = root().join("tests/data/real/lesions.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: TruthFile =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.photos
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl PhotoTruth {
    /// The photo's path on disk.
    pub fn photo_path(&self) -> PathBuf {
        match &self.path {
            Some(p) => root().join(p),
            None => root().join("tests/data/real").join(&self.file),
        }
    }

    /// Union of the masks of the lesions of `kind` (every lesion when `None`), `w`×`h`.
    pub fn mask(&self, kind: Option<Kind>, w: u32, h: u32) -> Vec<bool> {
        let mut m = vec![false; w as usize * h as usize];
        for l in self
            .lesions
            .iter()
            .filter(|l| kind.is_none_or(|k| l.kind == k))
        {
            for (o, v) in m
                .iter_mut()
                .zip(l.rasterize_scaled(w, h, self.width, self.height))
            {
                *o |= v;
            }
        }
        m
    }
}

impl LesionTruth {
    /// Pixels (row-major, `w`×`h`) whose centre lies inside the outline, in photo coordinates.
    pub fn rasterize(&self, w: u32, h: u32) -> Vec<bool> {
        self.rasterize_scaled(w, h, w, h)
    }

    /// As `rasterize`, for the photo (`pw`×`ph`) resampled to `w`×`h`.
    pub fn rasterize_scaled(&self, w: u32, h: u32, pw: u32, ph: u32) -> Vec<bool> {
        let (sx, sy) = (pw as f64 / w as f64, ph as f64 / h as f64);
        let mut m = vec![false; w as usize * h as usize];
        let (x0, y0, x1, y1) = self.bounds();
        let xa = ((x0 / sx).floor().max(0.0) as u32).min(w);
        let xb = ((x1 / sx).ceil().max(0.0) as u32).min(w);
        let ya = ((y0 / sy).floor().max(0.0) as u32).min(h);
        let yb = ((y1 / sy).ceil().max(0.0) as u32).min(h);
        for y in ya..yb {
            for x in xa..xb {
                let (px, py) = ((x as f64 + 0.5) * sx, (y as f64 + 0.5) * sy);
                m[y as usize * w as usize + x as usize] = self.contains(px, py);
            }
        }
        m
    }

    /// Whether the point (photo pixels) is inside the outline.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match &self.shape {
            Shape::Ellipse {
                cx,
                cy,
                rx,
                ry,
                angle_deg,
            } => {
                let (s, c) = angle_deg.to_radians().sin_cos();
                let (dx, dy) = (x - cx, y - cy);
                let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
                (u / rx).powi(2) + (v / ry).powi(2) <= 1.0
            }
            Shape::Polygon { points } => {
                let mut inside = false;
                let mut j = points.len().wrapping_sub(1);
                for (i, p) in points.iter().enumerate() {
                    let q = points[j];
                    if (p[1] > y) != (q[1] > y)
                        && x < (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]) + p[0]
                    {
                        inside = !inside;
                    }
                    j = i;
                }
                inside
            }
        }
    }

    /// Bounding box (x0, y0, x1, y1) in photo pixels.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        match &self.shape {
            Shape::Ellipse {
                cx,
                cy,
                rx,
                ry,
                angle_deg,
            } => {
                let (s, c) = angle_deg.to_radians().sin_cos();
                let hx = ((rx * c).powi(2) + (ry * s).powi(2)).sqrt();
                let hy = ((rx * s).powi(2) + (ry * c).powi(2)).sqrt();
                (cx - hx, cy - hy, cx + hx, cy + hy)
            }
            Shape::Polygon { points } => points.iter().fold(
                (
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ),
                |(a, b, c, d), p| (a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_non_empty_and_inside_their_photo() {
        let photos = real_lesions();
        assert!(photos.iter().filter(|p| !p.lesions.is_empty()).count() >= 3);
        for p in &photos {
            let dims = image::image_dimensions(p.photo_path()).expect("photo readable");
            assert_eq!(
                dims,
                (p.width, p.height),
                "{}: size in lesions.json",
                p.file
            );
            for (i, l) in p.lesions.iter().enumerate() {
                let (x0, y0, x1, y1) = l.bounds();
                assert!(x0 >= 0.0 && y0 >= 0.0, "{} #{i} outside", p.file);
                assert!(
                    x1 <= p.width as f64 && y1 <= p.height as f64,
                    "{} #{i} outside",
                    p.file
                );
                let n = l
                    .rasterize(p.width, p.height)
                    .iter()
                    .filter(|&&v| v)
                    .count();
                assert!(n > 0, "{} #{i}: empty mask", p.file);
            }
        }
    }

    #[test]
    fn ellipse_and_polygon_rasterize_to_their_area() {
        let e = LesionTruth {
            kind: Kind::Pigment,
            shape: Shape::Ellipse {
                cx: 50.0,
                cy: 40.0,
                rx: 20.0,
                ry: 10.0,
                angle_deg: 30.0,
            },
            note: String::new(),
            confidence: Confidence::Clear,
        };
        let n = e.rasterize(100, 80).iter().filter(|&&v| v).count() as f64;
        assert!(
            (n / (std::f64::consts::PI * 200.0) - 1.0).abs() < 0.03,
            "ellipse area {n}"
        );
        let sq = LesionTruth {
            shape: Shape::Polygon {
                points: vec![[10.0, 10.0], [30.0, 10.0], [30.0, 20.0], [10.0, 20.0]],
            },
            ..e.clone()
        };
        assert_eq!(sq.rasterize(100, 80).iter().filter(|&&v| v).count(), 200);
        // Half resolution: a quarter of the pixels.
        assert_eq!(
            sq.rasterize_scaled(50, 40, 100, 80)
                .iter()
                .filter(|&&v| v)
                .count(),
            50
        );
    }
}
