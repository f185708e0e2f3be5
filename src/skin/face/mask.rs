//! The face skin mask: the oval (with the forehead as far as skin colour goes), less the
//! eyes, brows, lips with the mouth, and nostrils, intersected with the colour skin mask.

use super::colour_fit;
use super::geometry;
use super::raster;
use super::topology as t;
use super::zones::{self, Zone};
use super::Face;
use crate::maths::planes::Plane;
use crate::photo::Photo;
use crate::skin::chromophores::Chromophores;
use crate::skin::mask::{self as skin_mask, SkinMask};
use std::collections::VecDeque;

/// A part of the face that is not skin to analyse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// An eye (lids' margins inward: sclera, iris, lashes).
    Eye,
    /// An eyebrow.
    Brow,
    /// The lips and the mouth opening with the teeth.
    Lips,
    /// A nostril.
    Nostril,
}

impl Feature {
    /// Margin cut around the feature, as a fraction of the face width. The mesh draws the
    /// lid margins, the brow's band and the vermilion border; lashes, eyeliner and lid
    /// shadow reach about 4% of the face width beyond the eye ring, stray brow hairs about
    /// 3%, and the lip line's blur 2%; the engine's points differ from MediaPipe's by
    /// ≤ 0.15% (issue 15's 1.5 px at 1000 px), well inside every margin.
    pub fn margin(self) -> f32 {
        match self {
            Feature::Eye => 0.04,
            Feature::Brow => 0.03,
            Feature::Lips | Feature::Nostril => 0.02,
        }
    }
}

/// Every feature outline in photo pixels: both eyes, both brows, the lips, both nostrils.
pub fn features(face: &Face) -> Vec<(Feature, Vec<[f32; 2]>)> {
    let rings: [(Feature, &[usize]); 7] = [
        (Feature::Eye, &t::LEFT_EYE),
        (Feature::Eye, &t::RIGHT_EYE),
        (Feature::Brow, &t::LEFT_BROW),
        (Feature::Brow, &t::RIGHT_BROW),
        (Feature::Lips, &t::LIPS_OUTER),
        (Feature::Nostril, &t::LEFT_NOSTRIL),
        (Feature::Nostril, &t::RIGHT_NOSTRIL),
    ];
    rings
        .iter()
        .map(|(f, r)| (*f, geometry::ring(face, r)))
        .collect()
}

/// The face oval with its upper arc lifted by `rise` × face height, in photo pixels.
pub fn extended_oval(face: &Face, rise: f32) -> Vec<[f32; 2]> {
    let lifted = zones::lifted_arc(face, rise);
    t::FACE_OVAL
        .iter()
        .map(|&i| match t::OVAL_UPPER.iter().position(|&u| u == i) {
            Some(k) => lifted[k],
            None => geometry::xy(face, i),
        })
        .collect()
}

/// Where the face's skin is, on the working grid of `photo` (`scale` times coarser than
/// the original): inside the oval, skin by the colour mask or by a colour model learnt
/// from the zones themselves (`colour_fit`); the forehead above the oval as far as that
/// skin reaches; less every feature with its margin.
pub fn face_region(
    face: &Face,
    colour: &[bool],
    photo: &Photo,
    chrom: &Chromophores,
    scale: usize,
) -> Vec<bool> {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let grid = |p: &[[f32; 2]]| raster::polygon_to_grid(p, scale);
    let cut = cut_features(face, w, h, scale);
    let mut seeds = vec![false; w * h];
    for zone in [
        Zone::Forehead,
        Zone::LeftMalar,
        Zone::RightMalar,
        Zone::Nose,
        Zone::Chin,
    ] {
        let poly = if zone == Zone::Forehead {
            zones::forehead(face, 0.0)
        } else {
            zone.polygon(face)
        };
        raster::fill(&grid(&poly), 0.0, w, h, |i| seeds[i] = !cut[i]);
    }
    // The oval lifted over the forehead holds every pixel kept below.
    let mut band = raster::mask(&grid(&extended_oval(face, zones::FOREHEAD_RISE)), 0.0, w, h);
    let fitted = colour_fit::fits(photo, chrom, &seeds, &band);
    let colour: Vec<bool> = colour.iter().zip(&fitted).map(|(c, f)| *c || *f).collect();
    let oval = raster::mask(&grid(&geometry::ring(face, &t::FACE_OVAL)), 0.0, w, h);
    let mut keep: Vec<bool> = oval.iter().zip(&colour).map(|(o, c)| *o && *c).collect();
    for ((b, o), c) in band.iter_mut().zip(&oval).zip(&colour) {
        *b = *b && !*o && *c;
    }
    grow_into(&mut keep, &band, w, h);
    // Spots too dark for the colour model are holes in the face's skin; the features,
    // the largest holes, are cut out again below.
    let oval_area = oval.iter().filter(|o| **o).count();
    crate::skin::mask::fill_holes(&mut keep, w, h, (HOLE_OF_OVAL * oval_area as f32) as usize);
    for (k, c) in keep.iter_mut().zip(&cut) {
        *k &= !c;
    }
    keep
}

/// Largest hole in the face's skin filled, as a share of the oval's area: a spot of 6%
/// of the face width covers about 0.3% of it, an eye with its lids about 1.5%.
const HOLE_OF_OVAL: f32 = 0.02;

/// Every feature with its margin, on a `w × h` grid `scale` times coarser than the photo.
pub fn cut_features(face: &Face, w: usize, h: usize, scale: usize) -> Vec<bool> {
    let width = face.width_px / scale.max(1) as f32;
    let mut cut = vec![false; w * h];
    for (feature, poly) in features(face) {
        let poly = raster::polygon_to_grid(&poly, scale);
        raster::fill(&poly, feature.margin() * width, w, h, |i| cut[i] = true);
    }
    cut
}

/// Adds to `region` the pixels of `allowed` 4-connected to it through `allowed`.
fn grow_into(region: &mut [bool], allowed: &[bool], w: usize, h: usize) {
    let mut queue: VecDeque<usize> = (0..w * h).filter(|&i| region[i]).collect();
    while let Some(i) = queue.pop_front() {
        let (x, y) = (i % w, i / w);
        let mut visit = |j: usize| {
            if allowed[j] && !region[j] {
                region[j] = true;
                queue.push_back(j);
            }
        };
        if x > 0 {
            visit(i - 1);
        }
        if x + 1 < w {
            visit(i + 1);
        }
        if y > 0 {
            visit(i - w);
        }
        if y + 1 < h {
            visit(i + w);
        }
    }
}

/// The skin mask with `binary` as its membership, feathered inward as the colour mask is.
pub fn replace(skin: &SkinMask, binary: Vec<bool>) -> SkinMask {
    let (w, h) = (skin.soft.width, skin.soft.height);
    let mut soft = Plane::from_vec(w, h, binary.iter().map(|&b| b as u8 as f32).collect());
    soft.blur(skin_mask::feather_sigma(w, h));
    for (s, &b) in soft.data.iter_mut().zip(&binary) {
        *s = if b { (2.0 * *s).min(1.0) } else { 0.0 };
    }
    SkinMask {
        soft,
        binary,
        model: skin.model,
        core: skin.core.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_stays_inside_the_allowed_pixels() {
        let (w, h) = (5, 3);
        let mut region = vec![false; w * h];
        region[0] = true;
        let mut allowed = vec![false; w * h];
        for i in [1, 2, 3, 10, 14] {
            allowed[i] = true;
        }
        grow_into(&mut region, &allowed, w, h);
        let got: Vec<usize> = (0..w * h).filter(|&i| region[i]).collect();
        assert_eq!(got, vec![0, 1, 2, 3]);
    }
}
