//! Melanin, hemoglobin and shading planes from optical density (Tsumura et al. 1999, 2003).
//!
//! Optical density S = −ln(linear RGB) is modelled as c_m·m + c_h·h + s·(1,1,1) + bias.
//! Removing the shading along (1,1,1) and inverting [m h] is linear in S, so each plane
//! is a dot product of S with a fixed 3-vector; rebuilding is exact.

use crate::maths::planes::Plane;
use crate::photo::colour;
use crate::photo::Photo;
use serde::Serialize;
use std::sync::OnceLock;

/// Published melanin density vector (R,G,B), re-estimated by ICA; used as the prior.
pub const MELANIN_PRIOR: [f32; 3] = [0.2203, 0.4788, 0.8499];
/// Published hemoglobin density vector (R,G,B); used as the prior.
pub const HEMOGLOBIN_PRIOR: [f32; 3] = [0.4350, 0.6929, 0.5750];

/// Smallest linear value, a quarter of the first 8-bit step, so −ln stays finite.
const LINEAR_FLOOR: f64 = 0.25 / 255.0 / 12.92;

/// −ln(linear) for each 8-bit code.
pub fn density_lut() -> &'static [f32; 256] {
    static LUT: OnceLock<[f32; 256]> = OnceLock::new();
    LUT.get_or_init(|| {
        std::array::from_fn(|i| {
            let lin = colour::srgb_to_linear(i as f64 / 255.0).max(LINEAR_FLOOR);
            (-lin.ln()) as f32
        })
    })
}

/// The pair of density vectors used for one photo, and where they came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Vectors {
    /// Melanin density direction (unit, R,G,B).
    pub melanin: [f32; 3],
    /// Hemoglobin density direction (unit, R,G,B).
    pub hemoglobin: [f32; 3],
    /// True when estimated from this photo, false when the prior was used.
    pub estimated: bool,
}

impl Default for Vectors {
    fn default() -> Self {
        Self {
            melanin: MELANIN_PRIOR,
            hemoglobin: HEMOGLOBIN_PRIOR,
            estimated: false,
        }
    }
}

/// Row vectors that map a density triple to (c_m, c_h, shading).
#[derive(Debug, Clone, Copy)]
pub struct Unmixing {
    rows: [[f32; 3]; 3],
}

impl Unmixing {
    /// Builds the linear map for the given vectors: shading removal along (1,1,1), then pinv.
    pub fn new(v: &Vectors) -> Self {
        let (m, h) = (v.melanin.map(f64::from), v.hemoglobin.map(f64::from));
        let n = cross(m, h);
        let n1 = n[0] + n[1] + n[2];
        // shading = (n·S)/(n·1): the amount of (1,1,1) to remove to land in the m,h plane.
        let shade = n.map(|x| x / n1);
        // S_flat = S − shading·1 = (I − 1·shadeᵀ) S; concentrations = pinv([m h]) S_flat.
        let pinv = pinv2(m, h);
        // Element (r, c) of pinv·(I − 1·shadeᵀ) is pinv[r][c] − shade[c]·Σₖ pinv[r][k].
        let row = |p: [f64; 3]| {
            let sum: f64 = p.iter().sum();
            std::array::from_fn(|c| (p[c] - shade[c] * sum) as f32)
        };
        let rows = [row(pinv[0]), row(pinv[1]), shade.map(|x| x as f32)];
        Self { rows }
    }

    /// (c_m, c_h, shading) of one density triple.
    #[inline]
    pub fn apply(&self, s: [f32; 3]) -> [f32; 3] {
        self.rows.map(|r| r[0] * s[0] + r[1] * s[1] + r[2] * s[2])
    }
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Moore–Penrose pseudo-inverse of the 3×2 matrix [m h], as 2×3 rows.
fn pinv2(m: [f64; 3], h: [f64; 3]) -> [[f64; 3]; 2] {
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let (mm, mh, hh) = (dot(m, m), dot(m, h), dot(h, h));
    let det = mm * hh - mh * mh;
    let inv = [[hh / det, -mh / det], [-mh / det, mm / det]];
    std::array::from_fn(|r| std::array::from_fn(|c| inv[r][0] * m[c] + inv[r][1] * h[c]))
}

/// Per-pixel chromophore planes of a photo.
#[derive(Debug, Clone)]
pub struct Chromophores {
    /// Melanin concentration (density units along the melanin vector).
    pub melanin: Plane,
    /// Hemoglobin concentration.
    pub hemoglobin: Plane,
    /// Shading along (1,1,1), in density units (larger = darker).
    pub shading: Plane,
    /// The vectors used.
    pub vectors: Vectors,
}

/// Splits a photo into melanin, hemoglobin and shading planes with the given vectors.
pub fn decompose(photo: &Photo, vectors: Vectors) -> Chromophores {
    let lut = density_lut();
    let u = Unmixing::new(&vectors);
    let n = photo.pixel_count();
    let (mut cm, mut ch, mut sh) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
    for (i, px) in photo.rgba().chunks_exact(4).enumerate() {
        let [a, b, c] = u.apply([
            lut[px[0] as usize],
            lut[px[1] as usize],
            lut[px[2] as usize],
        ]);
        cm[i] = a;
        ch[i] = b;
        sh[i] = c;
    }
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    Chromophores {
        melanin: Plane::from_vec(w, h, cm),
        hemoglobin: Plane::from_vec(w, h, ch),
        shading: Plane::from_vec(w, h, sh),
        vectors,
    }
}

impl Chromophores {
    /// Density triple for given concentrations: c_m·m + c_h·h + s·(1,1,1).
    #[inline]
    pub fn density(&self, cm: f32, ch: f32, s: f32) -> [f32; 3] {
        let (m, h) = (self.vectors.melanin, self.vectors.hemoglobin);
        std::array::from_fn(|k| cm * m[k] + ch * h[k] + s)
    }

    /// Rebuilds 8-bit RGBA from the planes (alpha from `alpha_from`).
    pub fn rebuild(&self, alpha_from: &Photo) -> Vec<u8> {
        let mut out = alpha_from.rgba().to_vec();
        for (i, px) in out.chunks_exact_mut(4).enumerate() {
            let d = self.density(
                self.melanin.data[i],
                self.hemoglobin.data[i],
                self.shading.data[i],
            );
            for k in 0..3 {
                px[k] = colour::linear_to_srgb8((-d[k]).exp());
            }
        }
        out
    }
}

/// The chromophore vector estimate's tuning numbers; [`EstimateParams::DEFAULT`] is what
/// the analysis uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateParams {
    /// Short side (pixels) of the grid the vector estimate works on: larger photos are
    /// averaged down to about this size first.
    pub grid: usize,
    /// Low-pass σ (grid pixels) of the densities before ICA. Camera noise is white and,
    /// once shading is removed, per pixel about as large as the chromophore contrast: it
    /// makes the sources look Gaussian, biases the weaker (hemoglobin) direction and
    /// often made the estimate fail its plausibility check. Lesions and mottle are many
    /// pixels wide.
    pub sigma: f32,
    /// High-pass: the skin-weighted mean at σ = this fraction of the grid's short side is
    /// subtracted, so slow drifts (lighting colour, compression error that follows the
    /// lighting) do not enter the estimate; lesion-scale structure stays.
    pub drift: f32,
    /// Points the ICA uses at most (for speed).
    pub points: usize,
    /// Fewest points the ICA runs on. Chosen by hand; not measured.
    pub min_points: usize,
    /// 8-bit channel range a pixel's every channel must lie in (off the clipped ends).
    /// Chosen by hand; not measured.
    pub channel_range: (u8, u8),
    /// Skin weight from which a pixel is read as skin.
    pub skin_at: f32,
    /// Share of a cell's low-pass support that must be skin. Chosen by hand; not measured.
    pub min_skin_share: f32,
    /// Largest ratio of the whitening's eigenvalues (a flatter cloud has one source).
    /// Chosen by hand; not measured.
    pub max_condition: f64,
    /// Trial angles of the rotation search over a quarter turn.
    pub angle_steps: usize,
    /// Least total |excess kurtosis| of the best rotation (below, the sources look
    /// Gaussian). Chosen by hand; not measured.
    pub min_kurtosis: f64,
    /// Largest angle (degrees) an estimate may turn away from the prior in the ⊥ plane.
    /// Chosen by hand; not measured.
    pub max_turn_deg: f64,
}

impl EstimateParams {
    /// The defaults.
    pub const DEFAULT: EstimateParams = EstimateParams {
        grid: 384,
        sigma: 2.0,
        drift: 0.1,
        points: 40_000,
        min_points: 500,
        channel_range: (8, 247),
        skin_at: 0.5,
        min_skin_share: 0.9,
        max_condition: 400.0,
        angle_steps: 90,
        min_kurtosis: 0.5,
        max_turn_deg: 20.0,
    };
}

impl Default for EstimateParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Estimates the vectors from skin pixels by 2-D ICA in the plane orthogonal to (1,1,1);
/// keeps the prior's (1,1,1) component, which the data cannot identify. The densities are
/// band-passed first (skin-normalized, so no other colour bleeds in): above the camera
/// noise, below slow drifts. Falls back to the prior when there are too few pixels, too
/// little structure, or an implausible result.
pub fn estimate_vectors(photo: &Photo, skin: &[f32]) -> Vectors {
    estimate_vectors_with(photo, skin, &EstimateParams::DEFAULT)
}

/// [`estimate_vectors`] with the given parameters.
pub fn estimate_vectors_with(photo: &Photo, skin: &[f32], p: &EstimateParams) -> Vectors {
    let basis = perp_basis();
    let pts = band_passed_skin_points(photo, skin, basis, p);
    ica_2d(&pts, p)
        .and_then(|dirs| match_prior(dirs, basis, p.max_turn_deg))
        .unwrap_or_default()
}

/// Skin densities projected on the plane orthogonal to (1,1,1), summed over the cells of
/// the estimate grid, then band-passed there: the skin-normalized mean at
/// [`EstimateParams::sigma`] minus the one at [`EstimateParams::drift`]. Returns the cells
/// whose low-pass support is at least [`EstimateParams::min_skin_share`] skin.
fn band_passed_skin_points(
    photo: &Photo,
    skin: &[f32],
    basis: Basis,
    ep: &EstimateParams,
) -> Vec<[f64; 2]> {
    let lut = density_lut();
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    // Cell size f; within a cell every s-th pixel per axis is read (about 4 per cell).
    let f = (w.min(h) / ep.grid).max(1);
    let s = (f / 2).max(1);
    let (gw, gh) = (w.div_ceil(f), h.div_ceil(f));
    let b = basis.map(|e| e.map(|x| x as f32));
    // Sums per cell: ⊥ coordinates 0 and 1 over skin, skin count, all pixels read.
    let mut sums = [(); 4].map(|_| vec![0f32; gw * gh]);
    let rgba = photo.rgba();
    for y in (0..h).step_by(s) {
        let grow = (y / f) * gw;
        for x in (0..w).step_by(s) {
            let (i, g) = (y * w + x, grow + x / f);
            sums[3][g] += 1.0;
            let px = &rgba[4 * i..4 * i + 3];
            let (lo, hi) = ep.channel_range;
            if skin[i] < ep.skin_at || px.iter().any(|&v| !(lo..=hi).contains(&v)) {
                continue;
            }
            let d = [
                lut[px[0] as usize],
                lut[px[1] as usize],
                lut[px[2] as usize],
            ];
            sums[0][g] += b[0][0] * d[0] + b[0][1] * d[1] + b[0][2] * d[2];
            sums[1][g] += b[1][0] * d[0] + b[1][1] * d[1] + b[1][2] * d[2];
            sums[2][g] += 1.0;
        }
    }
    let blurred = |sigma: f32, k: usize| {
        let mut p = Plane::from_vec(gw, gh, sums[k].clone());
        p.blur(sigma);
        p.data
    };
    let [p0, p1, skin_n, all_n] = [0, 1, 2, 3].map(|k| blurred(ep.sigma, k));
    let drift_sigma = ep.drift * gw.min(gh) as f32;
    let [d0, d1, drift_n] = [0, 1, 2].map(|k| blurred(drift_sigma, k));
    let inside =
        |g: usize| skin_n[g] > 0.0 && skin_n[g] >= ep.min_skin_share * all_n[g] && drift_n[g] > 0.0;
    let used = (0..gw * gh).filter(|&g| inside(g)).count();
    let stride = used.div_ceil(ep.points).max(1);
    (0..gw * gh)
        .filter(|&g| inside(g))
        .step_by(stride)
        .map(|g| {
            let band = |p: &[f32], d: &[f32]| (p[g] / skin_n[g] - d[g] / drift_n[g]) as f64;
            [band(&p0, &d0), band(&p1, &d1)]
        })
        .collect()
}

type Basis = [[f64; 3]; 2];

/// Orthonormal basis of the plane orthogonal to (1,1,1).
fn perp_basis() -> Basis {
    let s2 = std::f64::consts::SQRT_2;
    let s6 = 6f64.sqrt();
    [[1.0 / s2, -1.0 / s2, 0.0], [1.0 / s6, 1.0 / s6, -2.0 / s6]]
}

fn project(b: Basis, v: [f64; 3]) -> [f64; 2] {
    b.map(|e| e[0] * v[0] + e[1] * v[1] + e[2] * v[2])
}

/// Mixing directions (unit 2-vectors) of two independent sources, by whitening and a
/// rotation search maximizing total |excess kurtosis|. `None` if degenerate.
fn ica_2d(pts: &[[f64; 2]], ep: &EstimateParams) -> Option<[[f64; 2]; 2]> {
    if pts.len() < ep.min_points {
        return None;
    }
    let n = pts.len() as f64;
    let mean = [0, 1].map(|k| pts.iter().map(|p| p[k]).sum::<f64>() / n);
    let c = |a: usize, b: usize| {
        pts.iter()
            .map(|p| (p[a] - mean[a]) * (p[b] - mean[b]))
            .sum::<f64>()
            / n
    };
    let (sxx, sxy, syy) = (c(0, 0), c(0, 1), c(1, 1));
    // Eigen-decomposition of the 2×2 covariance.
    let tr = sxx + syy;
    let det = sxx * syy - sxy * sxy;
    let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
    let (l1, l2) = (tr / 2.0 + disc, tr / 2.0 - disc);
    if l2 <= 1e-10 || l1 / l2 > ep.max_condition {
        return None;
    }
    let e1 = if sxy.abs() > 1e-15 {
        norm2([l1 - syy, sxy])
    } else if sxx >= syy {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    };
    let e2 = [-e1[1], e1[0]];
    let white: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| {
            let d = [p[0] - mean[0], p[1] - mean[1]];
            [
                (d[0] * e1[0] + d[1] * e1[1]) / l1.sqrt(),
                (d[0] * e2[0] + d[1] * e2[1]) / l2.sqrt(),
            ]
        })
        .collect();
    // Fourth moments m[j] = E[x^(4−j) y^j] of the whitened points: the fourth moment of
    // any rotated axis follows from them, so each trial angle costs O(1).
    let mut m = [0f64; 5];
    for w in &white {
        let (x2, y2) = (w[0] * w[0], w[1] * w[1]);
        m[0] += x2 * x2;
        m[1] += x2 * w[0] * w[1];
        m[2] += x2 * y2;
        m[3] += w[0] * w[1] * y2;
        m[4] += y2 * y2;
    }
    let m = m.map(|v| v / n);
    let fourth = |c: f64, s: f64| {
        c.powi(4) * m[0]
            + 4.0 * c.powi(3) * s * m[1]
            + 6.0 * c * c * s * s * m[2]
            + 4.0 * c * s.powi(3) * m[3]
            + s.powi(4) * m[4]
    };
    let kurt = |theta: f64| {
        let (cs, sn) = (theta.cos(), theta.sin());
        (fourth(cs, sn) - 3.0).abs() + (fourth(-sn, cs) - 3.0).abs()
    };
    let steps = ep.angle_steps;
    let (best, score) = (0..steps)
        .map(|i| {
            let t = i as f64 * std::f64::consts::FRAC_PI_2 / steps as f64;
            (t, kurt(t))
        })
        .fold((0.0, f64::MIN), |acc, x| if x.1 > acc.1 { x } else { acc });
    if score < ep.min_kurtosis {
        return None;
    }
    // Unmixing rows in whitened space are the rotated axes; mixing columns = W⁻¹.
    let (cs, sn) = (best.cos(), best.sin());
    let unwhiten = |u: [f64; 2]| {
        let (a, b) = (u[0] * l1.sqrt(), u[1] * l2.sqrt());
        norm2([a * e1[0] + b * e2[0], a * e1[1] + b * e2[1]])
    };
    Some([unwhiten([cs, sn]), unwhiten([-sn, cs])])
}

fn norm2(v: [f64; 2]) -> [f64; 2] {
    let l = v[0].hypot(v[1]);
    [v[0] / l, v[1] / l]
}

/// Assigns the estimated directions to melanin and hemoglobin by the prior and rebuilds
/// 3-D vectors; `None` when either turns too far from its prior.
fn match_prior(dirs: [[f64; 2]; 2], basis: Basis, max_turn_deg: f64) -> Option<Vectors> {
    let prior = [MELANIN_PRIOR, HEMOGLOBIN_PRIOR].map(|v| v.map(f64::from));
    let pp = prior.map(|v| project(basis, v));
    let angle = |a: [f64; 2], b: [f64; 2]| {
        let l = b[0].hypot(b[1]);
        ((a[0] * b[0] + a[1] * b[1]) / l)
            .clamp(-1.0, 1.0)
            .acos()
            .to_degrees()
    };
    // Directions are sign-free: flip each toward the prior it is matched with.
    let signed = |d: [f64; 2], p: [f64; 2]| {
        if d[0] * p[0] + d[1] * p[1] < 0.0 {
            [-d[0], -d[1]]
        } else {
            d
        }
    };
    let cost =
        |a: usize| angle(signed(dirs[a], pp[0]), pp[0]) + angle(signed(dirs[1 - a], pp[1]), pp[1]);
    let a = if cost(0) <= cost(1) { 0 } else { 1 };
    let dm = signed(dirs[a], pp[0]);
    let dh = signed(dirs[1 - a], pp[1]);
    if angle(dm, pp[0]) > max_turn_deg || angle(dh, pp[1]) > max_turn_deg {
        return None;
    }
    let rebuild = |d: [f64; 2], p: [f64; 3], pperp: [f64; 2]| -> [f32; 3] {
        let len = pperp[0].hypot(pperp[1]);
        let along = (p[0] + p[1] + p[2]) / 3.0;
        let v: [f64; 3] =
            std::array::from_fn(|k| along + len * (d[0] * basis[0][k] + d[1] * basis[1][k]));
        let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        v.map(|x| (x / l) as f32)
    };
    Some(Vectors {
        melanin: rebuild(dm, prior[0], pp[0]),
        hemoglobin: rebuild(dh, prior[1], pp[1]),
        estimated: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmixing_recovers_synthetic_concentrations() {
        let v = Vectors::default();
        let u = Unmixing::new(&v);
        let (m, h) = (v.melanin, v.hemoglobin);
        for (cm, ch, s) in [(0.5, 0.3, 0.1), (2.0, 0.1, -0.2), (0.0, 0.0, 0.0)] {
            let d: [f32; 3] = std::array::from_fn(|k| cm * m[k] + ch * h[k] + s);
            let got = u.apply(d);
            assert!(
                (got[0] - cm).abs() < 1e-5
                    && (got[1] - ch).abs() < 1e-5
                    && (got[2] - s).abs() < 1e-5,
                "{got:?}"
            );
        }
    }

    #[test]
    fn rebuild_returns_input_bytes() {
        let mut rgba = Vec::new();
        for r in (0..=255u32).step_by(5) {
            for g in (0..=255u32).step_by(5) {
                for b in (0..=255u32).step_by(17) {
                    rgba.extend_from_slice(&[r as u8, g as u8, b as u8, 255]);
                }
            }
        }
        let n = rgba.len() / 4;
        let photo = Photo::from_rgba(n as u32, 1, rgba.clone()).unwrap();
        let c = decompose(&photo, Vectors::default());
        let back = c.rebuild(&photo);
        let worst = back
            .iter()
            .zip(&rgba)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        assert!(worst <= 1, "worst {worst}");
    }
}
