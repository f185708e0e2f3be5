//! Facial zones from mesh points, rasterised as a label map.
//!
//! Labels (one `u8` per pixel): 0 none, 1 forehead, 2 left malar, 3 right malar, 4 nose,
//! 5 chin, 6 perioral ("left" is the subject's left: the image's right on a frontal photo).
//! `zones.png` shows label `k` as grey `40 k` (40, 80, …, 240), 0 as black.

use super::geometry;
use super::raster;
use super::topology as t;
use super::Face;
use serde::Serialize;

/// A facial zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// Above the brows, up the forehead as far as skin goes.
    Forehead = 1,
    /// The subject's left cheek.
    LeftMalar = 2,
    /// The subject's right cheek.
    RightMalar = 3,
    /// Bridge, sides and alar wings.
    Nose = 4,
    /// Chin and jaw below the perioral ring.
    Chin = 5,
    /// Skin around the lips.
    Perioral = 6,
}

/// Every zone, in label order.
pub const ZONES: [Zone; 6] = [
    Zone::Forehead,
    Zone::LeftMalar,
    Zone::RightMalar,
    Zone::Nose,
    Zone::Chin,
    Zone::Perioral,
];

/// How far the forehead rises above the mesh's top point (10), × the chin-to-10 height:
/// a usual hairline sits about 0.28 above it (facial thirds), so 0.4 leaves room for a
/// receding one; skin colour decides where it actually stops.
pub const FOREHEAD_RISE: f32 = 0.4;

impl Zone {
    /// The label in the zone map.
    pub fn label(self) -> u8 {
        self as u8
    }

    /// The zone of a label, if any.
    pub fn from_label(label: u8) -> Option<Zone> {
        ZONES.get((label as usize).wrapping_sub(1)).copied()
    }

    /// Name for people.
    pub fn name(self) -> &'static str {
        match self {
            Zone::Forehead => "forehead",
            Zone::LeftMalar => "left cheek (malar)",
            Zone::RightMalar => "right cheek (malar)",
            Zone::Nose => "nose",
            Zone::Chin => "chin",
            Zone::Perioral => "around the mouth",
        }
    }

    /// mMASI's regional weight (forehead 0.3, each malar 0.3, chin 0.1; others 0).
    pub fn mmasi_weight(self) -> f64 {
        match self {
            Zone::Forehead | Zone::LeftMalar | Zone::RightMalar => 0.3,
            Zone::Chin => 0.1,
            Zone::Nose | Zone::Perioral => 0.0,
        }
    }

    /// Grey level of the zone in `zones.png`.
    pub fn grey(self) -> u8 {
        40 * self.label()
    }

    /// The zone's outline in photo pixels.
    pub fn polygon(self, face: &Face) -> Vec<[f32; 2]> {
        match self {
            Zone::Forehead => forehead(face, FOREHEAD_RISE),
            Zone::LeftMalar => geometry::ring(face, &t::LEFT_MALAR),
            Zone::RightMalar => geometry::ring(face, &t::RIGHT_MALAR),
            Zone::Nose => geometry::ring(face, &t::NOSE),
            Zone::Chin => geometry::ring(face, &t::CHIN),
            Zone::Perioral => geometry::ring(face, &t::PERIORAL),
        }
    }
}

/// The oval's upper arc lifted along the face's up axis by `rise` × face height.
pub fn lifted_arc(face: &Face, rise: f32) -> Vec<[f32; 2]> {
    let (up, height) = geometry::up_and_height(face);
    let d = rise * height;
    t::OVAL_UPPER
        .iter()
        .map(|&i| {
            let p = geometry::xy(face, i);
            [p[0] + up[0] * d, p[1] + up[1] * d]
        })
        .collect()
}

/// The forehead: from the brow tops up to the oval's upper arc lifted by `rise`.
pub fn forehead(face: &Face, rise: f32) -> Vec<[f32; 2]> {
    // Brow tops run from the subject's right to the left; the arc from the right temple.
    let mut poly = geometry::ring(face, &t::BROW_TOP);
    poly.push(geometry::xy(face, 251));
    poly.extend(lifted_arc(face, rise).into_iter().rev());
    poly.push(geometry::xy(face, 21));
    poly
}

/// The zone label map on a grid `scale` times coarser than the photo. Where zones
/// overlap, the earlier in (nose, perioral, chin, malars, forehead) keeps the pixel.
pub fn label_map(face: &Face, w: usize, h: usize, scale: usize) -> Vec<u8> {
    let mut labels = vec![0u8; w * h];
    let order = [
        Zone::Nose,
        Zone::Perioral,
        Zone::Chin,
        Zone::LeftMalar,
        Zone::RightMalar,
        Zone::Forehead,
    ];
    for zone in order {
        let poly = raster::polygon_to_grid(&zone.polygon(face), scale);
        raster::fill(&poly, 0.0, w, h, |i| {
            if labels[i] == 0 {
                labels[i] = zone.label();
            }
        });
    }
    labels
}

/// A label map as `zones.png` grey levels.
pub fn to_grey(labels: &[u8]) -> Vec<u8> {
    labels
        .iter()
        .map(|&l| Zone::from_label(l).map_or(0, Zone::grey))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_weights_sum_to_one() {
        for z in ZONES {
            assert_eq!(Zone::from_label(z.label()), Some(z));
        }
        assert_eq!(Zone::from_label(0), None);
        assert_eq!(Zone::from_label(7), None);
        let sum: f64 = ZONES.iter().map(|z| z.mmasi_weight()).sum();
        assert!((sum - 1.0).abs() < 1e-12);
    }
}
