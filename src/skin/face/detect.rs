//! BlazeFace short-range post-processing: anchors, box and keypoint decoding, weighted
//! non-maximum suppression (MediaPipe's face_detection_short_range graph options).

/// Detector input side in pixels.
pub(crate) const SIDE: usize = 128;
/// Sigmoid-score threshold (MediaPipe's min_score_thresh).
const MIN_SCORE: f32 = 0.5;
/// IoU above which detections merge.
const NMS_IOU: f32 = 0.3;
/// Raw score clipping before the sigmoid.
const SCORE_CLIP: f32 = 100.0;

/// One face, in the detector input's normalized coordinates (0..1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Detection {
    /// Sigmoid score.
    pub score: f32,
    /// xmin, ymin, xmax, ymax.
    pub bbox: [f32; 4],
    /// Right eye, left eye, nose tip, mouth, right ear, left ear (the subject's sides).
    pub keypoints: [[f32; 2]; 6],
}

/// The 896 anchor centres: strides 8 (2 per cell) and 16 (three layers merged, 6 per
/// cell), fixed size 1, offset 0.5, in row-major cell order.
pub(crate) fn anchors() -> Vec<[f32; 2]> {
    let mut out = Vec::with_capacity(896);
    for (stride, per_cell) in [(8, 2), (16, 6)] {
        let n = SIDE / stride;
        for y in 0..n {
            for x in 0..n {
                let c = [(x as f32 + 0.5) / n as f32, (y as f32 + 0.5) / n as f32];
                out.extend(std::iter::repeat_n(c, per_cell));
            }
        }
    }
    out
}

/// Decodes the raw outputs (`regressors` 896×16, `scores` 896) into detections above
/// the score threshold.
pub(crate) fn decode(regressors: &[f32], scores: &[f32], anchors: &[[f32; 2]]) -> Vec<Detection> {
    let s = SIDE as f32;
    let mut out = Vec::new();
    for ((r, &raw), a) in regressors.chunks_exact(16).zip(scores).zip(anchors) {
        let score = 1.0 / (1.0 + (-raw.clamp(-SCORE_CLIP, SCORE_CLIP)).exp());
        if score < MIN_SCORE {
            continue;
        }
        let (cx, cy) = (r[0] / s + a[0], r[1] / s + a[1]);
        let (w, h) = (r[2] / s, r[3] / s);
        let mut keypoints = [[0.0; 2]; 6];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] / s + a[0], r[5 + 2 * k] / s + a[1]];
        }
        let bbox = [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0];
        out.push(Detection {
            score,
            bbox,
            keypoints,
        });
    }
    out
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let iw = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let ih = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    let area = |r: &[f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let union = area(a) + area(b) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Weighted NMS: each cluster (IoU > 0.3 with its best member) becomes the score-weighted
/// mean of its boxes and keypoints, keeping the best score.
pub(crate) fn weighted_nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(best) = dets.first().copied() {
        let (cluster, rest): (Vec<_>, Vec<_>) = dets
            .into_iter()
            .partition(|d| iou(&best.bbox, &d.bbox) > NMS_IOU);
        dets = rest;
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = Detection {
            score: best.score,
            bbox: [0.0; 4],
            keypoints: [[0.0; 2]; 6],
        };
        for d in &cluster {
            let wgt = d.score / total;
            for (m, v) in merged.bbox.iter_mut().zip(d.bbox) {
                *m += wgt * v;
            }
            for (m, v) in merged.keypoints.iter_mut().zip(d.keypoints) {
                m[0] += wgt * v[0];
                m[1] += wgt * v[1];
            }
        }
        out.push(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_count_and_first_cells() {
        let a = anchors();
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], [0.5 / 16.0, 0.5 / 16.0]);
        assert_eq!(a[2], [1.5 / 16.0, 0.5 / 16.0]);
        assert_eq!(a[512], [0.5 / 8.0, 0.5 / 8.0]);
        assert_eq!(a[895], [7.5 / 8.0, 7.5 / 8.0]);
    }

    #[test]
    fn nms_merges_overlaps_and_keeps_apart() {
        let d = |s: f32, x: f32| Detection {
            score: s,
            bbox: [x, 0.0, x + 1.0, 1.0],
            keypoints: [[x, 0.0]; 6],
        };
        let out = weighted_nms(vec![d(0.6, 0.1), d(0.9, 0.0), d(0.8, 5.0)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        assert!((out[0].bbox[0] - 0.04).abs() < 1e-6);
        assert_eq!(out[1].bbox[0], 5.0);
    }
}
