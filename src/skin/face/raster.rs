//! Polygons onto pixel grids: point-in-polygon by crossings, with an optional margin.

/// A photo position (pixel i spans i..i+1, as on `Face`) as a position on a grid `scale`
/// times coarser whose pixel centres are at integers.
pub fn to_grid(p: [f32; 2], scale: usize) -> [f32; 2] {
    let s = scale.max(1) as f32;
    [p[0] / s - 0.5, p[1] / s - 0.5]
}

/// A polygon moved onto a grid `scale` times coarser.
pub fn polygon_to_grid(poly: &[[f32; 2]], scale: usize) -> Vec<[f32; 2]> {
    poly.iter().map(|&p| to_grid(p, scale)).collect()
}

/// Calls `hit(index)` for every pixel of a `w × h` grid whose centre lies inside the
/// closed polygon or within `margin` pixels of its outline.
pub fn fill(poly: &[[f32; 2]], margin: f32, w: usize, h: usize, mut hit: impl FnMut(usize)) {
    if poly.len() < 3 || w == 0 || h == 0 {
        return;
    }
    let m = margin.max(0.0);
    let lo = |k: usize| poly.iter().map(|p| p[k]).fold(f32::INFINITY, f32::min) - m;
    let hi = |k: usize| poly.iter().map(|p| p[k]).fold(f32::NEG_INFINITY, f32::max) + m;
    let clamp = |v: f32, n: usize| (v.max(0.0) as usize).min(n - 1);
    if hi(0) < 0.0 || hi(1) < 0.0 || lo(0) > (w - 1) as f32 || lo(1) > (h - 1) as f32 {
        return;
    }
    let (x0, x1) = (clamp(lo(0).ceil(), w), clamp(hi(0).floor(), w));
    let (y0, y1) = (clamp(lo(1).ceil(), h), clamp(hi(1).floor(), h));
    for y in y0..=y1 {
        for x in x0..=x1 {
            let q = [x as f32, y as f32];
            if inside(poly, q) || (m > 0.0 && edge_distance2(poly, q) <= m * m) {
                hit(y * w + x);
            }
        }
    }
}

/// A `w × h` mask of `fill`.
pub fn mask(poly: &[[f32; 2]], margin: f32, w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; w * h];
    fill(poly, margin, w, h, |i| out[i] = true);
    out
}

/// Even–odd rule: whether `q` is inside the closed polygon.
pub fn inside(poly: &[[f32; 2]], q: [f32; 2]) -> bool {
    let mut odd = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a[1] > q[1]) != (b[1] > q[1]) {
            let x = a[0] + (q[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if q[0] < x {
                odd = !odd;
            }
        }
        j = i;
    }
    odd
}

/// Squared distance from `q` to the nearest edge of the closed polygon.
fn edge_distance2(poly: &[[f32; 2]], q: [f32; 2]) -> f32 {
    let mut best = f32::INFINITY;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (a, b) = (poly[j], poly[i]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (ex, ey) = (a[0] + t * dx - q[0], a[1] + t * dy - q[1]);
        best = best.min(ex * ex + ey * ey);
        j = i;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_fills_its_pixels_and_margin_grows_it() {
        let sq = [[2.0, 2.0], [6.0, 2.0], [6.0, 6.0], [2.0, 6.0]];
        let n = |m: f32| mask(&sq, m, 10, 10).iter().filter(|b| **b).count();
        // Centres strictly inside plus the lower/left edges the crossing rule counts.
        assert_eq!(n(0.0), 16);
        // 1..=7 each way, less the four corners √2 from the square.
        assert_eq!(n(1.0), 49 - 4);
        assert!(n(2.0) > n(1.0));
    }

    #[test]
    fn grid_mapping_keeps_pixel_centres() {
        assert_eq!(to_grid([1.0, 1.0], 2), [0.0, 0.0]);
        assert_eq!(to_grid([3.5, 3.5], 1), [3.0, 3.0]);
    }
}
