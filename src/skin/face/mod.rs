//! On-device face detection and the 468-point face mesh, from MediaPipe's models run by a
//! small built-in interpreter (`tflite`): BlazeFace short-range finds the face, a square
//! crop aligned by its eye keypoints feeds the mesh, whose points map back to the photo.
//!
//! Geometry follows MediaPipe's CPU graph (face_detection_short_range,
//! face_detection_front_detection_to_roi, face_landmark) and the crops are sampled as its
//! OpenCV converter samples them (`crop`), so on the same pixels the points agree with
//! `mediapipe`'s own FaceMesh to a few hundredths of a pixel at a 1000 px face width.

pub mod cli;
pub mod colour_fit;
mod crop;
mod detect;
mod flatbuf;
pub mod geometry;
mod kernels;
pub mod mask;
pub mod raster;
mod tflite;
pub mod topology;
pub mod zones;

use crate::error::ModelError;
use crate::Photo;
use crop::{Border, Roi};
use detect::Detection;
use serde::Serialize;
use tflite::Graph;

/// Mesh input side in pixels.
const MESH_SIDE: usize = 192;
/// Mesh points.
pub const MESH_POINTS: usize = 468;
/// The mesh crop is the detection box's long side times this.
const ROI_SCALE: f32 = 1.5;
/// Re-crop from the mesh when its eye line is off the crop's by more than this.
const RETRACK_DEG: f32 = 5.0;
/// Beyond this head roll in the photo, the detector's crop is re-made from the mesh.
const UPRIGHT_DEG: f32 = 45.0;
/// Below this face presence (after sigmoid) the mesh is not trusted.
const MIN_PRESENCE: f32 = 0.5;

/// The parsed face detector and face mesh models.
pub struct FaceModels {
    detector: Graph,
    mesh: Graph,
    anchors: Vec<[f32; 2]>,
}

fn expect_shapes(
    g: &Graph,
    model: &'static str,
    input: &[usize],
    outputs: &[&[usize]],
) -> Result<(), ModelError> {
    if g.input_shape() != input || g.output_shapes() != outputs {
        return Err(ModelError::Unsupported {
            model,
            detail: format!(
                "input {:?}, outputs {:?}",
                g.input_shape(),
                g.output_shapes()
            ),
        });
    }
    Ok(())
}

impl FaceModels {
    /// Parses `face_detection_short_range.tflite` and `face_landmark.tflite` (as shipped in
    /// `www/models/`); fp16 weights are widened to f32 here.
    pub fn from_bytes(detector: &[u8], mesh: &[u8]) -> Result<FaceModels, crate::Error> {
        let (d, m) = ("face detector", "face mesh");
        let detector = Graph::parse(detector, d)?;
        expect_shapes(
            &detector,
            d,
            &[1, 128, 128, 3],
            &[&[1, 896, 16], &[1, 896, 1]],
        )?;
        let mesh = Graph::parse(mesh, m)?;
        expect_shapes(
            &mesh,
            m,
            &[1, 192, 192, 3],
            &[&[1, 1, 1, 1404], &[1, 1, 1, 1]],
        )?;
        Ok(FaceModels {
            detector,
            mesh,
            anchors: detect::anchors(),
        })
    }

    /// Runs the detector on a 128×128×3 tensor in [-1, 1]: (regressors 896×16, raw scores
    /// 896). For tests against the reference runtime.
    pub fn run_detector(&self, input: Vec<f32>) -> (Vec<f32>, Vec<f32>) {
        let mut out = self.detector.run(input).into_iter();
        (
            out.next().unwrap_or_default(),
            out.next().unwrap_or_default(),
        )
    }

    /// Runs the mesh on a 192×192×3 tensor in [0, 1]: (1404 raw coordinates in tensor
    /// pixels, raw face-presence logit). For tests against the reference runtime.
    pub fn run_mesh(&self, input: Vec<f32>) -> (Vec<f32>, f32) {
        let mut out = self.mesh.run(input).into_iter();
        let points = out.next().unwrap_or_default();
        (
            points,
            out.next()
                .and_then(|v| v.first().copied())
                .unwrap_or(f32::NAN),
        )
    }
}

/// A face found in a photo.
///
/// Coordinates: x and y in photo pixels with the top-left corner of pixel (0, 0) at
/// (0.0, 0.0), so pixel i spans i..i+1 and its centre is at i + 0.5. z is depth in the
/// same pixel scale (MediaPipe's relative depth, smaller is nearer the camera, 0 near the
/// face's centre plane).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Face {
    /// The 468 mesh points (MediaPipe's face-mesh topology).
    pub points: Vec<[f32; 3]>,
    /// Detector score, 0..1.
    pub score: f32,
    /// The mesh model's face-presence output after the sigmoid, 0..1.
    pub face_presence: f32,
    /// Head roll in degrees: the angle of the line from the right eye's outer corner
    /// (point 33, on the image's left) to the left eye's (263); positive is clockwise on
    /// screen.
    pub roll_deg: f32,
    /// Head yaw in degrees from the mesh depth of the face's sides (points 234 and 454):
    /// positive when the face turns towards the image's left (its left cheek recedes).
    pub yaw_deg: f32,
    /// Face width in photo pixels: the distance between points 234 and 454 in the image.
    pub width_px: f32,
}

impl Face {
    /// Builds a face from its 468 points (photo pixels) and a score, computing roll, yaw
    /// and width; missing points give zeros.
    pub fn from_points(points: Vec<[f32; 3]>, score: f32) -> Face {
        let p = |i: usize| points.get(i).copied().unwrap_or([0.0; 3]);
        let (r_eye, l_eye) = (p(33), p(263));
        let roll_deg = (l_eye[1] - r_eye[1])
            .atan2(l_eye[0] - r_eye[0])
            .to_degrees();
        let (a, b) = (p(234), p(454));
        let (dx, dy, dz) = (b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        let width_px = dx.hypot(dy);
        let yaw_deg = dz.atan2(width_px).to_degrees();
        Face {
            points,
            score,
            face_presence: 1.0,
            roll_deg,
            yaw_deg,
            width_px,
        }
    }
}

/// The detector's letterbox: the photo centred in a square of its long side.
fn letterbox(photo: &Photo) -> Roi {
    let (w, h) = (photo.width() as f32, photo.height() as f32);
    Roi {
        cx: w / 2.0,
        cy: h / 2.0,
        side: w.max(h),
        angle: 0.0,
    }
}

/// Faces the detector finds, in photo pixel-centre coordinates.
fn detect_faces(models: &FaceModels, photo: &Photo) -> Vec<Detection> {
    let lb = letterbox(photo);
    let input = crop::sample(photo, &lb, detect::SIDE, Border::Zero, [-1.0, 1.0]);
    let (regressors, scores) = models.run_detector(input);
    let dets = detect::weighted_nms(detect::decode(&regressors, &scores, &models.anchors));
    // Normalized letterbox coordinates → photo pixels.
    let corner = lb.to_photo(0.0, 0.0);
    let map = |x: f32, y: f32| [corner[0] + x * lb.side, corner[1] + y * lb.side];
    dets.into_iter()
        .map(|d| {
            let (a, b) = (map(d.bbox[0], d.bbox[1]), map(d.bbox[2], d.bbox[3]));
            Detection {
                score: d.score,
                bbox: [a[0], a[1], b[0], b[1]],
                keypoints: d.keypoints.map(|k| map(k[0], k[1])),
            }
        })
        .collect()
}

/// The mesh crop for a detection: centred on its box, turned so the eyes are level,
/// square on the box's long side × 1.5.
fn mesh_roi(d: &Detection) -> Roi {
    let [r_eye, l_eye] = [d.keypoints[0], d.keypoints[1]];
    let angle = -(-(l_eye[1] - r_eye[1])).atan2(l_eye[0] - r_eye[0]);
    let (w, h) = (d.bbox[2] - d.bbox[0], d.bbox[3] - d.bbox[1]);
    Roi {
        cx: (d.bbox[0] + d.bbox[2]) / 2.0,
        cy: (d.bbox[1] + d.bbox[3]) / 2.0,
        side: w.max(h) * ROI_SCALE,
        angle,
    }
}

/// Runs the mesh in `roi`: points in photo pixel-centre coordinates and the presence.
fn mesh_in(models: &FaceModels, photo: &Photo, roi: &Roi) -> (Vec<[f32; 3]>, f32) {
    let input = crop::sample(photo, roi, MESH_SIDE, Border::Replicate, [0.0, 1.0]);
    let (raw, logit) = models.run_mesh(input);
    let n = MESH_SIDE as f32;
    let points = raw
        .chunks_exact(3)
        .map(|p| {
            let [x, y] = roi.to_photo(p[0] / n, p[1] / n);
            [x, y, p[2] / n * roi.side]
        })
        .collect();
    (points, 1.0 / (1.0 + (-logit).exp()))
}

/// The mesh crop from a previous mesh, as MediaPipe's tracking makes it: the points'
/// bounding box, turned by the eye-corner line (33 → 263), square on its long side × 1.5.
fn roi_from_points(points: &[[f32; 3]]) -> Roi {
    let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
    for p in points {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let (r, l) = (points[33], points[263]);
    Roi {
        cx: (lo[0] + hi[0]) / 2.0,
        cy: (lo[1] + hi[1]) / 2.0,
        side: (hi[0] - lo[0]).max(hi[1] - lo[1]) * ROI_SCALE,
        angle: (l[1] - r[1]).atan2(l[0] - r[0]),
    }
}

/// Finds the largest face and its mesh; `None` when there is no face (or the mesh model
/// says the crop holds none).
pub fn find_face(models: &FaceModels, photo: &Photo) -> Option<Face> {
    let area = |d: &Detection| (d.bbox[2] - d.bbox[0]) * (d.bbox[3] - d.bbox[1]);
    let det = detect_faces(models, photo)
        .into_iter()
        .max_by(|a, b| area(a).total_cmp(&area(b)))?;
    let roi = mesh_roi(&det);
    let (mut points, mut presence) = mesh_in(models, photo, &roi);
    if presence < MIN_PRESENCE || points.len() != MESH_POINTS {
        return None;
    }
    // One tracking step (re-crop from the mesh, as MediaPipe's tracking does) when the
    // detector's crop is unreliable: a face turned past 45° in the image plane (BlazeFace
    // sees mostly upright faces; its box then misses the face's extent) or a mesh eye line
    // off the crop's. Upright faces keep the single pass MediaPipe's static mode makes.
    let track = roi_from_points(&points);
    let turn = (track.angle - roi.angle + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
        - std::f32::consts::PI;
    if turn.abs() > RETRACK_DEG.to_radians() || roi.angle.abs() > UPRIGHT_DEG.to_radians() {
        let (p2, s2) = mesh_in(models, photo, &track);
        if s2 >= MIN_PRESENCE && p2.len() == MESH_POINTS {
            (points, presence) = (p2, s2);
        }
    }
    // Pixel-centre coordinates → the corner convention documented on `Face`.
    let points = points
        .into_iter()
        .map(|[x, y, z]| [x + 0.5, y + 0.5, z])
        .collect();
    let mut face = Face::from_points(points, det.score);
    face.face_presence = presence;
    Some(face)
}
