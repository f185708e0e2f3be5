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
/// closed polygon (even–odd rule, as [`inside`]) or within `margin` pixels of its outline;
/// a pixel may be hit twice.
pub fn fill(poly: &[[f32; 2]], margin: f32, w: usize, h: usize, mut hit: impl FnMut(usize)) {
    if poly.len() < 3 || w == 0 || h == 0 {
        return;
    }
    let (lo_y, hi_y) = poly
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), p| {
            (a.min(p[1]), b.max(p[1]))
        });
    let rows =
        lo_y.max(0.0).ceil() as usize..=(hi_y.min((h - 1) as f32).floor().max(-1.0)) as usize;
    let mut xs = Vec::new();
    for y in rows.filter(|&y| (y as f32) >= lo_y) {
        // The crossings `inside` counts for every pixel of this row, once per row.
        let q = y as f32;
        xs.clear();
        let mut j = poly.len() - 1;
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[j]);
            if (a[1] > q) != (b[1] > q) {
                xs.push(a[0] + (q - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
            }
            j = i;
        }
        xs.sort_by(f32::total_cmp);
        // Inside iff an odd number of crossings lie right of x: x in [x₁, x₂), [x₃, x₄), …
        for pair in xs.chunks_exact(2) {
            let x0 = pair[0].max(0.0).ceil();
            let x1 = pair[1].min(w as f32);
            let mut x = x0;
            while x < x1 {
                hit(y * w + x as usize);
                x += 1.0;
            }
        }
    }
    let m = margin.max(0.0);
    if m > 0.0 {
        let mut j = poly.len() - 1;
        for i in 0..poly.len() {
            near_segment(poly[j], poly[i], m, w, h, &mut hit);
            j = i;
        }
    }
}

/// Calls `hit` for every pixel centre within `m` of the segment `a`–`b`.
fn near_segment(a: [f32; 2], b: [f32; 2], m: f32, w: usize, h: usize, hit: &mut impl FnMut(usize)) {
    let clamp = |v: f32, n: usize| (v.max(0.0) as usize).min(n - 1);
    let (lx, hx) = (a[0].min(b[0]) - m, a[0].max(b[0]) + m);
    let (ly, hy) = (a[1].min(b[1]) - m, a[1].max(b[1]) + m);
    if hx < 0.0 || hy < 0.0 || lx > (w - 1) as f32 || ly > (h - 1) as f32 {
        return;
    }
    for y in clamp(ly.ceil(), h)..=clamp(hy.floor(), h) {
        for x in clamp(lx.ceil(), w)..=clamp(hx.floor(), w) {
            if segment_distance2(a, b, [x as f32, y as f32]) <= m * m {
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

/// Squared distance from `q` to the segment `a`–`b`.
fn segment_distance2(a: [f32; 2], b: [f32; 2], q: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a[0] + t * dx - q[0], a[1] + t * dy - q[1]);
    ex * ex + ey * ey
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
    fn scanline_fill_matches_the_point_test_and_the_edge_distance() {
        // A concave, self-touching star with off-grid vertices, partly off the grid.
        let poly: Vec<[f32; 2]> = (0..11)
            .map(|k| {
                let t = k as f32 * std::f32::consts::TAU / 11.0;
                let r = if k % 2 == 0 { 14.3 } else { 5.7 };
                [12.2 + r * t.cos(), 10.6 + r * t.sin()]
            })
            .collect();
        let (w, h) = (30, 22);
        for m in [0.0, 1.5, 3.2] {
            let got = mask(&poly, m, w, h);
            for y in 0..h {
                for x in 0..w {
                    let q = [x as f32, y as f32];
                    let mut d2 = f32::INFINITY;
                    for i in 0..poly.len() {
                        let j = (i + poly.len() - 1) % poly.len();
                        d2 = d2.min(segment_distance2(poly[j], poly[i], q));
                    }
                    let want = inside(&poly, q) || (m > 0.0 && d2 <= m * m);
                    assert_eq!(got[y * w + x], want, "({x},{y}) margin {m}");
                }
            }
        }
    }

    #[test]
    fn grid_mapping_keeps_pixel_centres() {
        assert_eq!(to_grid([1.0, 1.0], 2), [0.0, 0.0]);
        assert_eq!(to_grid([3.5, 3.5], 1), [3.0, 3.0]);
    }
}
