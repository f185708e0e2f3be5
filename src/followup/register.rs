//! Registration of a follow-up photo to the baseline's frame: a similarity from the mesh
//! landmarks (or an affine from three marked points), refined by aligning the two photos'
//! fine structure, then a piecewise-affine correction over the mesh triangles.
//!
//! Maps go from baseline photo pixels to follow-up photo pixels (the corner convention of
//! [`Face`]: pixel i spans i..i+1), so the follow-up is sampled once per baseline pixel.

use super::FollowupError;
use crate::analysis::face_report::MIN_FACE_WORK_PX;
use crate::maths::planes::Plane;
use crate::photo::colour;
use crate::photo::Photo;
use crate::skin::face::{raster, topology, Face, MESH_POINTS};
use serde::Serialize;

/// Largest RMS landmark distance after similarity alignment, as a share of the baseline
/// face width, for the same person. Measured by `tests/followup.rs`
/// (`another_person_is_refused_and_the_same_person_is_not`): the same face rotated,
/// scaled, re-lit and re-encoded reads 0.66–1.23%; any two of the five licensed people
/// read 2.16% or more apart (the small faces, whose meshes lean to the mean face, are the
/// closest). 1.8% sits between the two.
pub const MAX_SHAPE_DISTANCE: f32 = 0.018;

/// Largest change of head yaw between the photos, degrees. The mesh warp undoes the
/// foreshortening of each triangle, but past about 15° of turn the far cheek's triangles
/// fold behind the nose and the near cheek's skin is seen at a new angle (its shading
/// changes), so a cheek's area and contrast no longer compare.
pub const MAX_YAW_CHANGE_DEG: f32 = 15.0;

/// Radius of the disc each landmark's local shift is measured on, × the face width: about
/// a cheek's smallest feature (a pore cluster, a fold) and small against a triangle.
pub const VERTEX_PATCH_SHARE: f64 = 0.04;

/// How the follow-up was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Face mesh landmarks, image refinement and the piecewise-affine mesh warp.
    Mesh,
    /// Three matching points marked on each photo, then image refinement.
    Points,
}

/// Three matching points on each photo (photo pixels): the registration without a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointPairs {
    /// On the baseline photo.
    pub baseline: [[f32; 2]; 3],
    /// The same places on the follow-up photo.
    pub followup: [[f32; 2]; 3],
}

/// An affine map of photo pixels: x' = m0 x + m1 y + m2, y' = m3 x + m4 y + m5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Affine {
    /// The six coefficients.
    pub m: [f64; 6],
}

impl Affine {
    /// Applies the map.
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        let m = &self.m;
        [
            m[0] * p[0] + m[1] * p[1] + m[2],
            m[3] * p[0] + m[4] * p[1] + m[5],
        ]
    }

    /// The linear part's inverse applied to a vector (follow-up px → baseline px).
    pub fn unapply_vector(&self, v: [f64; 2]) -> [f64; 2] {
        let m = &self.m;
        let det = m[0] * m[4] - m[1] * m[3];
        [
            (m[4] * v[0] - m[1] * v[1]) / det,
            (-m[3] * v[0] + m[0] * v[1]) / det,
        ]
    }

    /// Follow-up pixels per baseline pixel (square root of the determinant).
    pub fn scale(&self) -> f64 {
        (self.m[0] * self.m[4] - self.m[1] * self.m[3]).abs().sqrt()
    }

    /// Rotation in degrees (clockwise on screen).
    pub fn rotation_deg(&self) -> f64 {
        (self.m[3] - self.m[1])
            .atan2(self.m[0] + self.m[4])
            .to_degrees()
    }
}

/// Least-squares similarity (rotation, uniform scale, shift) taking `from` onto `to`.
pub fn similarity(from: &[[f64; 2]], to: &[[f64; 2]], w: &[f64]) -> Affine {
    let sw: f64 = w.iter().sum::<f64>().max(1e-12);
    let mean = |p: &[[f64; 2]]| {
        let mut s = [0.0; 2];
        for (q, &wi) in p.iter().zip(w) {
            s[0] += wi * q[0];
            s[1] += wi * q[1];
        }
        [s[0] / sw, s[1] / sw]
    };
    let (mf, mt) = (mean(from), mean(to));
    let (mut a, mut c, mut n) = (0.0, 0.0, 0.0);
    for ((f, t), &wi) in from.iter().zip(to).zip(w) {
        let (fx, fy, tx, ty) = (f[0] - mf[0], f[1] - mf[1], t[0] - mt[0], t[1] - mt[1]);
        a += wi * (fx * tx + fy * ty);
        c += wi * (fx * ty - fy * tx);
        n += wi * (fx * fx + fy * fy);
    }
    let (a, c) = (a / n.max(1e-12), c / n.max(1e-12));
    Affine {
        m: [
            a,
            -c,
            mt[0] - (a * mf[0] - c * mf[1]),
            c,
            a,
            mt[1] - (c * mf[0] + a * mf[1]),
        ],
    }
}

/// The affine through three point pairs, or `None` when the points are (nearly) in a line.
pub fn affine_from_points(p: &PointPairs) -> Option<Affine> {
    let [a, b, c] = p.baseline.map(|q| [q[0] as f64, q[1] as f64]);
    let det = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
    let side = [a, b, c]
        .iter()
        .flat_map(|p| [a, b, c].map(|q| (p[0] - q[0]).hypot(p[1] - q[1])))
        .fold(0.0, f64::max);
    // The triangle must not be a sliver: its area at least 2% of the square on its side.
    if !det.is_finite() || det.abs() < 0.02 * side * side || side < 8.0 {
        return None;
    }
    let solve = |k: usize| {
        let [u, v, w] = p.followup.map(|q| q[k] as f64);
        let gx = ((v - u) * (c[1] - a[1]) - (w - u) * (b[1] - a[1])) / det;
        let gy = ((w - u) * (b[0] - a[0]) - (v - u) * (c[0] - a[0])) / det;
        [gx, gy, u - gx * a[0] - gy * a[1]]
    };
    let (x, y) = (solve(0), solve(1));
    Some(Affine {
        m: [x[0], x[1], x[2], y[0], y[1], y[2]],
    })
}

/// The registration: global affine, the mesh warp's displacement field, and its report.
#[derive(Debug, Clone)]
pub struct Registration {
    /// How it was made.
    pub method: Method,
    /// Baseline photo px → follow-up photo px, before the mesh correction.
    pub global: Affine,
    /// RMS landmark (or marked point) residual in baseline px.
    pub residual_px: f64,
    /// RMS landmark distance after similarity alignment ÷ baseline face width (mesh only).
    pub shape_distance: Option<f64>,
    /// Mesh correction (follow-up px, x then y) on a grid of `field_scale` baseline px.
    field: Option<(Plane, Plane)>,
    field_scale: usize,
}

impl Registration {
    /// Where baseline photo point `p` lies on the follow-up photo.
    pub fn map(&self, p: [f64; 2]) -> [f64; 2] {
        let q = self.global.apply(p);
        match &self.field {
            None => q,
            Some((dx, dy)) => {
                let s = self.field_scale as f64;
                let (gx, gy) = ((p[0] / s - 0.5) as f32, (p[1] / s - 0.5) as f32);
                [
                    q[0] + bilinear(dx, gx, gy) as f64,
                    q[1] + bilinear(dy, gx, gy) as f64,
                ]
            }
        }
    }
}

/// Bilinear sample of a plane at grid position (x, y) (pixel centres at integers), edges
/// clamped.
pub fn bilinear(p: &Plane, x: f32, y: f32) -> f32 {
    use crate::maths::planes::interp_index;
    let (x0, x1, fx) = interp_index(x, p.width);
    let (y0, y1, fy) = interp_index(y, p.height);
    let (a, b) = (p.data[y0 * p.width + x0], p.data[y0 * p.width + x1]);
    let (c, d) = (p.data[y1 * p.width + x0], p.data[y1 * p.width + x1]);
    let top = a + (b - a) * fx;
    top + (c + (d - c) * fx - top) * fy
}

/// The mesh points' image positions.
fn xy(face: &Face) -> Vec<[f64; 2]> {
    face.points
        .iter()
        .map(|p| [p[0] as f64, p[1] as f64])
        .collect()
}

/// The checks before a mesh registration: both meshes complete, faces large enough, head
/// turn comparable. `min_px` is the baseline face's smallest acceptable width.
pub fn check_faces(baseline: &Face, followup: &Face) -> Result<(), FollowupError> {
    for (which, f) in [("baseline", baseline), ("follow-up", followup)] {
        if f.points.len() != MESH_POINTS || !f.width_px.is_finite() {
            return Err(FollowupError::NoFace { which });
        }
        if f.width_px < MIN_FACE_WORK_PX {
            return Err(FollowupError::FaceTooSmall {
                which,
                width_px: f.width_px,
                min_px: MIN_FACE_WORK_PX,
            });
        }
    }
    let turn = (followup.yaw_deg - baseline.yaw_deg).abs();
    if turn > MAX_YAW_CHANGE_DEG {
        return Err(FollowupError::HeadTurned {
            baseline_deg: baseline.yaw_deg,
            followup_deg: followup.yaw_deg,
            max_deg: MAX_YAW_CHANGE_DEG,
        });
    }
    Ok(())
}

/// Similarity from the meshes, robust to a few bad points, with its RMS residual (baseline
/// px) and the shape distance (residual ÷ face width).
pub fn mesh_similarity(baseline: &Face, followup: &Face) -> (Affine, f64) {
    let (b, f) = (xy(baseline), xy(followup));
    let mut w = vec![1.0; b.len()];
    let mut t = similarity(&b, &f, &w);
    for _ in 0..2 {
        let r: Vec<f64> = residuals(&t, &b, &f);
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        let cut = 3.0 * sorted[sorted.len() / 2].max(1e-6);
        w = r
            .iter()
            .map(|&e| if e <= cut { 1.0 } else { 0.0 })
            .collect();
        t = similarity(&b, &f, &w);
    }
    let r = residuals(&t, &b, &f);
    let rms = (r.iter().map(|e| e * e).sum::<f64>() / r.len() as f64).sqrt();
    (t, rms)
}

/// Per point: |t(b) − f| mapped back to baseline px.
fn residuals(t: &Affine, b: &[[f64; 2]], f: &[[f64; 2]]) -> Vec<f64> {
    b.iter()
        .zip(f)
        .map(|(p, q)| {
            let m = t.apply(*p);
            let e = t.unapply_vector([q[0] - m[0], q[1] - m[1]]);
            e[0].hypot(e[1])
        })
        .collect()
}

/// A structure image of a photo region for alignment: the density of mean linear light,
/// minus its blur at `hp` σ (so exposure and white balance drop out), smoothed at `sm` σ.
pub struct Structure {
    /// The signal, on a grid of `factor` photo px from `origin`.
    pub signal: Plane,
    /// Its x and y gradients (per grid px).
    pub grad: (Plane, Plane),
    /// Photo px per grid px.
    pub factor: usize,
    /// Photo px of the grid's corner.
    pub origin: [f64; 2],
}

impl Structure {
    /// From a photo's rectangle `[x0, y0, w, h]` at an integer factor.
    pub fn new(photo: &Photo, rect: [u32; 4], factor: usize, hp: f32, sm: f32) -> Structure {
        let small = photo.downsample_region(rect, factor as u32);
        Self::from_linear(
            &density_of(&small),
            factor,
            [rect[0] as f64, rect[1] as f64],
            hp,
            sm,
        )
    }

    /// From a plane of grey density on a grid.
    pub fn from_linear(d: &Plane, factor: usize, origin: [f64; 2], hp: f32, sm: f32) -> Structure {
        let mut low = d.clone();
        low.blur(hp);
        let mut s = Plane::from_vec(
            d.width,
            d.height,
            d.data.iter().zip(&low.data).map(|(a, b)| a - b).collect(),
        );
        s.blur(sm);
        let grad = gradients(&s);
        Structure {
            signal: s,
            grad,
            factor,
            origin,
        }
    }

    /// Grid position of photo point p.
    fn grid(&self, p: [f64; 2]) -> [f32; 2] {
        let f = self.factor as f64;
        [
            ((p[0] - self.origin[0]) / f - 0.5) as f32,
            ((p[1] - self.origin[1]) / f - 0.5) as f32,
        ]
    }

    fn contains(&self, g: [f32; 2]) -> bool {
        g[0] >= 0.0
            && g[1] >= 0.0
            && g[0] <= (self.signal.width - 1) as f32
            && g[1] <= (self.signal.height - 1) as f32
    }
}

/// −ln of the mean linear RGB of each pixel (grey optical density).
pub fn density_of(photo: &Photo) -> Plane {
    let lut = colour::srgb8_to_linear_lut();
    let data = photo
        .rgba()
        .chunks_exact(4)
        .map(|p| {
            let m = (lut[p[0] as usize] + lut[p[1] as usize] + lut[p[2] as usize]) / 3.0;
            -(m.max(1e-4)).ln()
        })
        .collect();
    Plane::from_vec(photo.width() as usize, photo.height() as usize, data)
}

fn gradients(s: &Plane) -> (Plane, Plane) {
    let (w, h) = (s.width, s.height);
    let mut gx = Plane::filled(w, h, 0.0);
    let mut gy = Plane::filled(w, h, 0.0);
    for y in 0..h {
        for x in 0..w {
            let (xl, xr) = (x.saturating_sub(1), (x + 1).min(w - 1));
            let (yu, yd) = (y.saturating_sub(1), (y + 1).min(h - 1));
            let i = y * w + x;
            gx.data[i] = (s.data[y * w + xr] - s.data[y * w + xl]) / (xr - xl).max(1) as f32;
            gy.data[i] = (s.data[yd * w + x] - s.data[yu * w + x]) / (yd - yu).max(1) as f32;
        }
    }
    (gx, gy)
}

/// Baseline sample points for the refinement: photo positions and their signal values.
pub struct Samples {
    /// Photo px positions.
    pub at: Vec<[f64; 2]>,
    /// Baseline signal there.
    pub value: Vec<f32>,
    /// Centre and size used to normalise the affine correction.
    pub centre: [f64; 2],
    /// Size (face width or region size) in photo px.
    pub size: f64,
}

/// Refines `t` so the follow-up's structure matches the baseline's at the samples
/// (Gauss–Newton on an affine correction, Huber-weighted); returns the refined map and
/// whether it converged.
pub fn refine(
    t: Affine,
    samples: &Samples,
    follow: &Structure,
    (iterations, tolerance): (usize, f64),
) -> (Affine, bool) {
    let mut t = t;
    let (c, size) = (samples.centre, samples.size.max(1.0));
    let mut scale_r: Option<f64> = None;
    let mut converged = false;
    for _ in 0..iterations {
        let mut hm = [[0f64; 6]; 6];
        let mut bv = [0f64; 6];
        let mut abs_r = Vec::with_capacity(samples.at.len());
        let inv_f = 1.0 / follow.factor as f64;
        for (p, &v0) in samples.at.iter().zip(&samples.value) {
            let q = t.apply(*p);
            let g = follow.grid(q);
            if !follow.contains(g) {
                continue;
            }
            let r = (bilinear(&follow.signal, g[0], g[1]) - v0) as f64;
            let gx = bilinear(&follow.grad.0, g[0], g[1]) as f64 * inv_f;
            let gy = bilinear(&follow.grad.1, g[0], g[1]) as f64 * inv_f;
            let (dx, dy) = ((p[0] - c[0]) / size, (p[1] - c[1]) / size);
            let j = [gx, gx * dx, gx * dy, gy, gy * dx, gy * dy];
            abs_r.push(r.abs());
            let wgt = match scale_r {
                Some(k) if r.abs() > k => k / r.abs(),
                _ => 1.0,
            };
            for a in 0..6 {
                bv[a] += wgt * j[a] * r;
                for b in a..6 {
                    hm[a][b] += wgt * j[a] * j[b];
                }
            }
        }
        if abs_r.len() < 50 {
            return (t, false);
        }
        // Mirror the upper triangle the loop above filled.
        let upper = hm;
        let hm: [[f64; 6]; 6] = std::array::from_fn(|a| {
            std::array::from_fn(|b| if b < a { upper[b][a] } else { upper[a][b] })
        });
        let mut sorted = abs_r;
        sorted.sort_by(f64::total_cmp);
        scale_r = Some(1.5 * 1.4826 * sorted[sorted.len() / 2].max(1e-9));
        let Some(d) = solve6(hm, bv.map(|v| -v)) else {
            return (t, false);
        };
        let m = &mut t.m;
        m[0] += d[1] / size;
        m[1] += d[2] / size;
        m[2] += d[0] - d[1] * c[0] / size - d[2] * c[1] / size;
        m[3] += d[4] / size;
        m[4] += d[5] / size;
        m[5] += d[3] - d[4] * c[0] / size - d[5] * c[1] / size;
        let step = d[0].abs() + d[3].abs() + d[1].abs() + d[2].abs() + d[4].abs() + d[5].abs();
        if !step.is_finite() {
            return (t, false);
        }
        if step < tolerance {
            converged = true;
            break;
        }
    }
    (t, converged)
}

/// Solves a 6×6 system by Gaussian elimination with partial pivoting.
fn solve6(mut a: [[f64; 6]; 6], mut b: [f64; 6]) -> Option<[f64; 6]> {
    for col in 0..6 {
        let piv = (col..6).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..6 {
            let f = a[row][col] / a[col][col];
            let pivot = a[col];
            for (v, p) in a[row].iter_mut().zip(pivot).skip(col) {
                *v -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0f64; 6];
    for row in (0..6).rev() {
        let s: f64 = (row + 1..6).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Delaunay triangulation (Bowyer–Watson) of points; triangles as index triples.
pub fn delaunay(points: &[[f64; 2]]) -> Vec<[usize; 3]> {
    let n = points.len();
    if n < 3 {
        return Vec::new();
    }
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in points {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let d = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1.0) * 20.0;
    let mid = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    let mut pts = points.to_vec();
    pts.push([mid[0] - d, mid[1] - d]);
    pts.push([mid[0] + d, mid[1] - d]);
    pts.push([mid[0], mid[1] + d]);
    let mut tris: Vec<[usize; 3]> = vec![[n, n + 1, n + 2]];
    for i in 0..n {
        let p = pts[i];
        let mut bad = Vec::new();
        tris.retain(|t| {
            let inside = in_circumcircle(&pts, t, p);
            if inside {
                bad.push(*t);
            }
            !inside
        });
        // The cavity's boundary: edges of exactly one bad triangle.
        let mut edges: Vec<[usize; 2]> = Vec::new();
        for t in &bad {
            for e in [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] {
                if let Some(k) = edges
                    .iter()
                    .position(|f| (f[0] == e[1] && f[1] == e[0]) || *f == e)
                {
                    edges.swap_remove(k);
                } else {
                    edges.push(e);
                }
            }
        }
        for e in edges {
            tris.push([e[0], e[1], i]);
        }
    }
    tris.retain(|t| t.iter().all(|&k| k < n));
    tris
}

fn in_circumcircle(pts: &[[f64; 2]], t: &[usize; 3], p: [f64; 2]) -> bool {
    let (a, b, c) = (pts[t[0]], pts[t[1]], pts[t[2]]);
    let (ax, ay) = (a[0] - p[0], a[1] - p[1]);
    let (bx, by) = (b[0] - p[0], b[1] - p[1]);
    let (cx, cy) = (c[0] - p[0], c[1] - p[1]);
    let det = (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay)
        + (cx * cx + cy * cy) * (ax * by - bx * ay);
    let orient = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    if orient > 0.0 {
        det > 0.0
    } else {
        det < 0.0
    }
}

/// The mesh's triangles inside the face oval (Delaunay of the baseline's points; a
/// triangle whose centroid lies outside the oval is dropped).
pub fn face_triangles(face: &Face) -> Vec<[usize; 3]> {
    let p = xy(face);
    let oval: Vec<[f32; 2]> = topology::FACE_OVAL
        .iter()
        .map(|&i| [p[i][0] as f32, p[i][1] as f32])
        .collect();
    delaunay(&p)
        .into_iter()
        .filter(|t| {
            let c = [
                ((p[t[0]][0] + p[t[1]][0] + p[t[2]][0]) / 3.0) as f32,
                ((p[t[0]][1] + p[t[1]][1] + p[t[2]][1]) / 3.0) as f32,
            ];
            raster::inside(&oval, c)
        })
        .collect()
}

/// Each landmark's local displacement from the global map (follow-up px), measured on the
/// image: a translation that aligns the fine structure in a disc of `radius` baseline px
/// around the point, tried from no displacement and from the mesh's own, the better kept.
/// `None` where the disc has too little texture or the alignment does not settle; such
/// points keep the global map. The mesh's landmarks alone jitter by 0.5–1.5% of the face
/// width between two photos of the same face (`tests/followup.rs` prints it), more than
/// the registration may be off, so the image decides where each point goes.
pub fn vertex_shifts(
    global: &Affine,
    (baseline, followup): (&Face, &Face),
    (bs, align, fw): (&Structure, &[bool], usize),
    follow: &Structure,
    radius: f64,
) -> Vec<Option<[f64; 2]>> {
    let s = bs.factor as f64;
    let r = (radius / s).max(3.0);
    let (bw, bh) = (bs.signal.width, bs.signal.height);
    let (ox, oy) = (
        (bs.origin[0] / s).round() as usize,
        (bs.origin[1] / s).round() as usize,
    );
    let limit = 0.04 * baseline.width_px as f64;
    let mut out = Vec::with_capacity(baseline.points.len());
    for (p, q) in baseline.points.iter().zip(&followup.points) {
        let g = bs.grid([p[0] as f64, p[1] as f64]);
        let (cx, cy) = (g[0] as f64, g[1] as f64);
        let mut at = Vec::new();
        let mut value = Vec::new();
        let (x0, x1) = (
            (cx - r).floor().max(0.0) as usize,
            ((cx + r).ceil() as usize).min(bw.saturating_sub(1)),
        );
        let (y0, y1) = (
            (cy - r).floor().max(0.0) as usize,
            ((cy + r).ceil() as usize).min(bh.saturating_sub(1)),
        );
        // Every other pixel: two parameters need far fewer than a disc holds.
        for y in (y0..=y1).step_by(2) {
            for x in (x0..=x1).step_by(2) {
                let (dx, dy) = (x as f64 - cx, y as f64 - cy);
                let fi = (y + oy) * fw + x + ox;
                if dx * dx + dy * dy <= r * r && align.get(fi).copied().unwrap_or(false) {
                    at.push([
                        bs.origin[0] + (x as f64 + 0.5) * s,
                        bs.origin[1] + (y as f64 + 0.5) * s,
                    ]);
                    value.push(bs.signal.data[y * bw + x]);
                }
            }
        }
        if at.len() < 20 {
            out.push(None);
            continue;
        }
        let m = global.apply([p[0] as f64, p[1] as f64]);
        let mesh = [q[0] as f64 - m[0], q[1] as f64 - m[1]];
        // A shift must explain the patch clearly better than the global map does, or it
        // is the fit of noise (which lowers the residual by about 2 / n of it).
        let base = patch_error(global, &at, &value, follow, [0.0, 0.0]);
        let best = [[0.0, 0.0], mesh]
            .into_iter()
            .filter_map(|d0| shift_lk(global, &at, &value, follow, d0))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(d, e)| d[0].hypot(d[1]) <= limit && *e < SHIFT_GAIN * base)
            .map(|(d, _)| d);
        out.push(best);
    }
    out
}

/// A landmark's shift is kept when it leaves at most this share of the patch's squared
/// misfit under the global map.
pub const SHIFT_GAIN: f64 = 0.8;

/// Mean squared misfit of a patch under the global map shifted by `d`.
fn patch_error(t: &Affine, at: &[[f64; 2]], value: &[f32], follow: &Structure, d: [f64; 2]) -> f64 {
    let (mut e2, mut n) = (0.0, 0usize);
    for (p, &v0) in at.iter().zip(value) {
        let m = t.apply(*p);
        let g = follow.grid([m[0] + d[0], m[1] + d[1]]);
        if follow.contains(g) {
            let r = (bilinear(&follow.signal, g[0], g[1]) - v0) as f64;
            e2 += r * r;
            n += 1;
        }
    }
    if n == 0 {
        f64::INFINITY
    } else {
        e2 / n as f64
    }
}

/// Translation-only Gauss–Newton from `d0`: (shift, mean squared residual), or `None`
/// when the patch has too little texture in some direction or it does not settle.
fn shift_lk(
    t: &Affine,
    at: &[[f64; 2]],
    value: &[f32],
    follow: &Structure,
    d0: [f64; 2],
) -> Option<([f64; 2], f64)> {
    let inv_f = 1.0 / follow.factor as f64;
    let mut d = d0;
    for it in 0..20 {
        let (mut h, mut b, mut e2, mut n) = ([0f64; 3], [0f64; 2], 0.0, 0usize);
        for (p, &v0) in at.iter().zip(value) {
            let m = t.apply(*p);
            let g = follow.grid([m[0] + d[0], m[1] + d[1]]);
            if !follow.contains(g) {
                continue;
            }
            let r = (bilinear(&follow.signal, g[0], g[1]) - v0) as f64;
            let gx = bilinear(&follow.grad.0, g[0], g[1]) as f64 * inv_f;
            let gy = bilinear(&follow.grad.1, g[0], g[1]) as f64 * inv_f;
            h[0] += gx * gx;
            h[1] += gx * gy;
            h[2] += gy * gy;
            b[0] += gx * r;
            b[1] += gy * r;
            e2 += r * r;
            n += 1;
        }
        if n < 20 {
            return None;
        }
        let det = h[0] * h[2] - h[1] * h[1];
        let tr = h[0] + h[2];
        // Smallest eigenvalue over the largest: an edge alone cannot place a point.
        let disc = ((h[0] - h[2]).powi(2) + 4.0 * h[1] * h[1]).sqrt();
        let (lmin, lmax) = ((tr - disc) / 2.0, (tr + disc) / 2.0);
        if det <= 0.0 || lmin < 0.1 * lmax {
            return None;
        }
        let step = [
            -(h[2] * b[0] - h[1] * b[1]) / det,
            -(-h[1] * b[0] + h[0] * b[1]) / det,
        ];
        d = [d[0] + step[0], d[1] + step[1]];
        if !(d[0].is_finite() && d[1].is_finite()) {
            return None;
        }
        if step[0].hypot(step[1]) < 0.02 * follow.factor as f64 || it == 19 {
            let settled = step[0].hypot(step[1]) < 0.1 * follow.factor as f64;
            return settled.then_some((d, e2 / n as f64));
        }
    }
    None
}

/// The piecewise-affine correction: per-landmark displacements (`None` = 0) interpolated
/// over the mesh's triangles on a grid of `scale` baseline px (zero outside the mesh).
pub fn mesh_field(
    baseline: &Face,
    disp: &[Option<[f64; 2]>],
    (w, h, scale): (usize, usize, usize),
) -> (Plane, Plane) {
    let b = xy(baseline);
    let disp: Vec<[f64; 2]> = disp.iter().map(|d| d.unwrap_or([0.0, 0.0])).collect();
    let (mut dx, mut dy) = (Plane::filled(w, h, 0.0), Plane::filled(w, h, 0.0));
    let s = scale as f64;
    let g: Vec<[f64; 2]> = b.iter().map(|p| [p[0] / s - 0.5, p[1] / s - 0.5]).collect();
    for t in face_triangles(baseline) {
        let (a, bb, c) = (g[t[0]], g[t[1]], g[t[2]]);
        let det = (bb[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (bb[1] - a[1]);
        if det.abs() < 1e-9 {
            continue;
        }
        let x0 = a[0].min(bb[0]).min(c[0]).floor().max(0.0) as usize;
        let x1 = (a[0].max(bb[0]).max(c[0]).ceil().max(0.0) as usize).min(w.saturating_sub(1));
        let y0 = a[1].min(bb[1]).min(c[1]).floor().max(0.0) as usize;
        let y1 = (a[1].max(bb[1]).max(c[1]).ceil().max(0.0) as usize).min(h.saturating_sub(1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (px, py) = (x as f64, y as f64);
                let l1 = ((px - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (py - a[1])) / det;
                let l2 = ((bb[0] - a[0]) * (py - a[1]) - (px - a[0]) * (bb[1] - a[1])) / det;
                let l0 = 1.0 - l1 - l2;
                if l0 < -1e-9 || l1 < -1e-9 || l2 < -1e-9 {
                    continue;
                }
                let i = y * w + x;
                let (u, v, z) = (disp[t[0]], disp[t[1]], disp[t[2]]);
                dx.data[i] = (l0 * u[0] + l1 * v[0] + l2 * z[0]) as f32;
                dy.data[i] = (l0 * u[1] + l1 * v[1] + l2 * z[1]) as f32;
            }
        }
    }
    (dx, dy)
}

/// Mean squared structure misfit over every other `align` pixel of the baseline structure's grid
/// when baseline point p is read at `map(p)` on the follow-up.
pub fn misfit(
    map: impl Fn([f64; 2]) -> [f64; 2],
    (bs, align, fw): (&Structure, &[bool], usize),
    follow: &Structure,
) -> f64 {
    let s = bs.factor as f64;
    let (bw, bh) = (bs.signal.width, bs.signal.height);
    let (ox, oy) = (
        (bs.origin[0] / s).round() as usize,
        (bs.origin[1] / s).round() as usize,
    );
    let (mut e2, mut n) = (0.0, 0usize);
    for y in (0..bh).step_by(2) {
        for x in (0..bw).step_by(2) {
            if !align.get((y + oy) * fw + x + ox).copied().unwrap_or(false) {
                continue;
            }
            let p = [
                bs.origin[0] + (x as f64 + 0.5) * s,
                bs.origin[1] + (y as f64 + 0.5) * s,
            ];
            let g = follow.grid(map(p));
            if follow.contains(g) {
                let r = (bilinear(&follow.signal, g[0], g[1]) - bs.signal.data[y * bw + x]) as f64;
                e2 += r * r;
                n += 1;
            }
        }
    }
    if n == 0 {
        f64::INFINITY
    } else {
        e2 / n as f64
    }
}

/// RMS distance, baseline px, between each follow-up landmark and where `reg` maps its
/// baseline landmark (mapped back through the global map's linear part).
pub fn landmark_residual(reg: &Registration, baseline: &Face, followup: &Face) -> f64 {
    let (b, f) = (xy(baseline), xy(followup));
    let sq: f64 = b
        .iter()
        .zip(&f)
        .map(|(p, q)| {
            let m = reg.map(*p);
            let e = reg.global.unapply_vector([q[0] - m[0], q[1] - m[1]]);
            e[0] * e[0] + e[1] * e[1]
        })
        .sum();
    (sq / b.len().max(1) as f64).sqrt()
}

impl Registration {
    /// A registration from its parts.
    pub fn new(
        method: Method,
        global: Affine,
        residual_px: f64,
        shape_distance: Option<f64>,
        field: Option<((Plane, Plane), usize)>,
    ) -> Registration {
        let (field, field_scale) = match field {
            Some((f, s)) => (Some(f), s.max(1)),
            None => (None, 1),
        };
        Registration {
            method,
            global,
            residual_px,
            shape_distance,
            field,
            field_scale,
        }
    }
}
