//! The planes a projection removes that are not lesion maps themselves: the hemoglobin a
//! red lesion's contour keeps, and the depth of the pits without their pores. Computed
//! from an [`Analysis`] on first use (see [`Analysis::hemoglobin_detail`]).

use super::Analysis;
use crate::maths::least_squares::cancelling_weights;
use crate::maths::planes::Plane;

/// The hemoglobin removed across a red lesion's contour: each working pixel's own, with
/// the part of its fine band (the plane minus its blur over [`detail_band_top`](super::AnalysisParams::detail_band_top)) that the
/// melanin and shading planes' fine bands predict taken out. Camera noise reaches the
/// three planes through one unmixing, so per pixel most of hemoglobin's noise is
/// predictable; where a spot or pit lies, its real melanin or shading would leak in, so
/// the correction fades there.
pub(super) fn hemoglobin_detail(a: &Analysis) -> Plane {
    // The whole-frame planes, fetched once rather than per pixel.
    let (c, skin) = (a.chrom(), a.skin());
    let (pigment, redness, pits, raised) = (a.pigment(), a.redness(), a.pits(), a.raised());
    let fine = |p: &Plane| p.band(0.0, a.params.detail_band_top);
    let mut detail = c.hemoglobin.clone();
    let (h, s, m) = (fine(&c.hemoglobin), fine(&c.shading), fine(&c.melanin));
    let untouched = |i: usize| {
        skin.binary[i]
            && [pigment, redness, pits, raised]
                .iter()
                .all(|map| map.soft.data[i] == 0.0)
    };
    if let Some([ws, wm]) = cancelling_weights(&h, [&s, &m], untouched) {
        let lesion = |i: usize| {
            pigment.soft.data[i]
                .max(pits.soft.data[i])
                .max(raised.soft.data[i])
        };
        for (i, d) in detail.data.iter_mut().enumerate() {
            *d += (1.0 - lesion(i)) * (ws * s[i] + wm * m[i]);
        }
    }
    detail
}

/// The depth of the pits to fill, without the pores in them: shading smoothed over one
/// working pixel, opened with a square as wide as the smallest lesion (so narrower dark
/// dots, pores, drop out), its local mean loss to the opening added back, minus the pit
/// map's baseline. Against the map's own, more smoothed excess this fills more of each
/// pit (85% against 78%) and removes less of the pores (pore band kept 0.89–0.98
/// against 0.83); see `tests/projection_fidelity.rs`.
pub(super) fn pit_relief(a: &Analysis) -> Plane {
    let pits = a.pits();
    let (w, h) = (pits.soft.width, pits.soft.height);
    let short = w.min(h) as f32;
    let mut shading = a.chrom().shading.clone();
    shading.blur(a.params.pit_pre_blur);
    let opened = shading.opened(a.params.min_lesion_radius(w, h).round() as usize);
    let mut lost = Plane::from_vec(
        w,
        h,
        (0..w * h)
            .map(|i| shading.data[i] - opened.data[i])
            .collect(),
    );
    lost.blur(a.params.pit_loss_blur * short);
    let data = (0..w * h)
        .map(|i| opened.data[i] + lost.data[i] - pits.baseline.data[i])
        .collect();
    Plane::from_vec(w, h, data)
}
