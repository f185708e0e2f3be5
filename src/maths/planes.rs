//! Planar f32 images and the O(1)-per-pixel filters the pipeline needs.
//!
//! Blurs are cascades of three box passes (≈ Gaussian), run on running sums, so their
//! cost does not depend on the radius. Masked blurs are normalized by the blurred mask.

use std::borrow::Cow;

/// A single-channel f32 image, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Values, `width * height` of them.
    pub data: Vec<f32>,
}

impl Plane {
    /// A plane filled with `value`.
    pub fn filled(width: usize, height: usize, value: f32) -> Self {
        Self {
            width,
            height,
            data: vec![value; width * height],
        }
    }

    /// Wraps existing values.
    pub fn from_vec(width: usize, height: usize, data: Vec<f32>) -> Self {
        assert_eq!(data.len(), width * height, "plane size mismatch");
        Self {
            width,
            height,
            data,
        }
    }

    /// Value at (x, y).
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Gaussian-like blur with standard deviation `sigma` (three box passes), in place.
    pub fn blur(&mut self, sigma: f32) {
        // Box passes along rows and along columns commute: the row passes run on rows
        // side by side, the column passes on adjacent columns side by side.
        let radii = box_radii(sigma);
        blur_rows(&mut self.data, self.width, radii);
        blur_columns(&mut self.data, self.width, self.height, radii);
    }

    /// How far, in pixels, `blur(sigma)` reaches: a pixel depends on inputs at most this far.
    pub fn blur_reach(sigma: f32) -> usize {
        box_radii(sigma).iter().sum()
    }

    /// The plane blurred at `fine` minus it blurred at `coarse` (σ in pixels; 0 = as is):
    /// the structure between the two scales.
    pub fn band(&self, fine: f32, coarse: f32) -> Vec<f32> {
        let (mut a, mut low) = (self.clone(), self.clone());
        a.blur(fine);
        low.blur(coarse);
        a.data.iter().zip(&low.data).map(|(a, b)| a - b).collect()
    }

    /// Grey-level opening with a (2r+1)² square: peaks narrower than the square (pores in
    /// a density plane) are cut down to their surroundings; wider shapes keep their form.
    pub fn opened(&self, r: usize) -> Plane {
        let mut p = self.clone();
        for take_max in [false, true] {
            p = p.filter_rows(r, take_max).transposed();
            p = p.filter_rows(r, take_max).transposed();
        }
        p
    }

    /// Running min (or max) over a window of ±r along each row, cut at the row's ends:
    /// van Herk–Gil–Werman, three comparisons a pixel whatever `r`.
    fn filter_rows(&self, r: usize, take_max: bool) -> Plane {
        let (w, k) = (self.width, 2 * r + 1);
        let pad = if take_max {
            f32::NEG_INFINITY
        } else {
            f32::INFINITY
        };
        let pick = |a: f32, b: f32| if take_max { a.max(b) } else { a.min(b) };
        let n = (w + 2 * r).div_ceil(k) * k;
        let (mut padded, mut ahead, mut behind) = (vec![pad; n], vec![pad; n], vec![pad; n]);
        let mut out = Vec::with_capacity(self.data.len());
        for row in self.data.chunks_exact(w.max(1)) {
            padded[r..r + w].copy_from_slice(row);
            // Within each block of k: running extreme from its start, and from its end.
            for b in (0..n).step_by(k) {
                ahead[b] = padded[b];
                for i in b + 1..b + k {
                    ahead[i] = pick(ahead[i - 1], padded[i]);
                }
                behind[b + k - 1] = padded[b + k - 1];
                for i in (b..b + k - 1).rev() {
                    behind[i] = pick(behind[i + 1], padded[i]);
                }
            }
            // The window [x, x + k) of `padded` is centred on row pixel x.
            out.extend((0..w).map(|x| pick(behind[x], ahead[x + k - 1])));
        }
        Plane::from_vec(w, self.height, out)
    }

    fn transposed(&self) -> Plane {
        let (w, h) = (self.width, self.height);
        let mut data = vec![0f32; w * h];
        // In square tiles, so reads and writes both stay within a few cache lines.
        const TILE: usize = 32;
        for y0 in (0..h).step_by(TILE) {
            for x0 in (0..w).step_by(TILE) {
                for y in y0..(y0 + TILE).min(h) {
                    for x in x0..(x0 + TILE).min(w) {
                        data[x * h + y] = self.data[y * w + x];
                    }
                }
            }
        }
        Plane::from_vec(h, w, data)
    }

    /// This plane placed at `(x0, y0)` in a `width × height` plane filled with `fill`.
    pub fn embed(&self, width: usize, height: usize, (x0, y0): (usize, usize), fill: f32) -> Plane {
        let data = embed(&self.data, self.width, (width, height), (x0, y0), fill);
        Plane::from_vec(width, height, data)
    }

    /// [`Plane::downsample`], borrowing the plane itself at factor 1 (no copy).
    pub fn reduced(&self, factor: usize) -> Cow<'_, Plane> {
        if factor <= 1 {
            Cow::Borrowed(self)
        } else {
            Cow::Owned(self.downsample(factor))
        }
    }

    /// Area-average downsample by an integer factor (partial edge blocks averaged too).
    pub fn downsample(&self, factor: usize) -> Plane {
        if factor <= 1 {
            return self.clone();
        }
        let (w, h) = (self.width.div_ceil(factor), self.height.div_ceil(factor));
        let mut sum = vec![0f32; w * h];
        for (by, out) in sum.chunks_exact_mut(w).enumerate() {
            let rows = (by * factor)..((by + 1) * factor).min(self.height);
            let n_rows = rows.len();
            for y in rows {
                let row = &self.data[y * self.width..(y + 1) * self.width];
                for (o, block) in out.iter_mut().zip(row.chunks(factor)) {
                    *o += block.iter().sum::<f32>();
                }
            }
            for (bx, o) in out.iter_mut().enumerate() {
                let cols = self.width.min((bx + 1) * factor) - bx * factor;
                *o /= (cols * n_rows) as f32;
            }
        }
        Plane::from_vec(w, h, sum)
    }

    /// Bilinear upsample of a plane made by [`Plane::downsample`] back to `width × height`.
    pub fn upsample(&self, factor: usize, width: usize, height: usize) -> Plane {
        if factor <= 1 && self.width == width && self.height == height {
            return self.clone();
        }
        let f = factor as f32;
        let xs: Vec<(usize, usize, f32)> = (0..width)
            .map(|x| interp_index((x as f32 + 0.5) / f - 0.5, self.width))
            .collect();
        let mut out = vec![0f32; width * height];
        if width == 0 {
            return Plane::from_vec(width, height, out);
        }
        // Between two source rows first (one lerp per source pixel), then along the row.
        let mut mixed = vec![0f32; self.width];
        for (y, row) in out.chunks_exact_mut(width).enumerate() {
            let (y0, y1, ty) = interp_index((y as f32 + 0.5) / f - 0.5, self.height);
            let r0 = &self.data[y0 * self.width..(y0 + 1) * self.width];
            let r1 = &self.data[y1 * self.width..(y1 + 1) * self.width];
            for ((m, a), b) in mixed.iter_mut().zip(r0).zip(r1) {
                *m = a + (b - a) * ty;
            }
            for (o, &(x0, x1, tx)) in row.iter_mut().zip(&xs) {
                let (a, b) = (mixed[x0], mixed[x1]);
                *o = a + (b - a) * tx;
            }
        }
        Plane::from_vec(width, height, out)
    }
}

/// A `w`-wide raster placed at `(x0, y0)` in a `width × height` one filled with `fill`
/// (cut where it would overhang).
pub fn embed<T: Copy>(
    data: &[T],
    w: usize,
    (width, height): (usize, usize),
    (x0, y0): (usize, usize),
    fill: T,
) -> Vec<T> {
    let mut out = vec![fill; width * height];
    if w == 0 || x0 >= width {
        return out;
    }
    let n = w.min(width - x0);
    for (y, row) in data
        .chunks_exact(w)
        .enumerate()
        .take(height.saturating_sub(y0))
    {
        let at = (y0 + y) * width + x0;
        out[at..at + n].copy_from_slice(&row[..n]);
    }
    out
}

/// Bilinear taps (lower index, upper index, weight of the upper) at `pos`, clamped to
/// `0..len`.
pub fn interp_index(pos: f32, len: usize) -> (usize, usize, f32) {
    let p = pos.clamp(0.0, (len - 1) as f32);
    let i0 = p.floor() as usize;
    let i1 = (i0 + 1).min(len - 1);
    (i0, i1, p - i0 as f32)
}

/// Box radii for three passes approximating a Gaussian of `sigma` (Kovesi's rule).
fn box_radii(sigma: f32) -> [usize; 3] {
    if sigma <= 0.0 {
        return [0; 3];
    }
    let n = 3.0f32;
    let ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut lower = ideal.floor() as i64;
    if lower % 2 == 0 {
        lower -= 1;
    }
    let lower = lower.max(1);
    let upper = lower + 2;
    let l = lower as f32;
    let m = ((12.0 * sigma * sigma - n * l * l - 4.0 * n * l - 3.0 * n) / (-4.0 * l - 4.0)).round();
    std::array::from_fn(|i| {
        let size = if (i as f32) < m { lower } else { upper };
        ((size - 1) / 2) as usize
    })
}

/// Rows blurred together: a running sum is a serial chain per row, so `LANES` rows run
/// side by side (one SIMD lane each) to overlap the chains.
const LANES: usize = 8;

/// Box blurs of each row with clamped edges, one per radius, via running sums.
fn blur_rows(data: &mut [f32], w: usize, radii: [usize; 3]) {
    if radii.iter().all(|&r| r == 0) || w == 0 {
        return;
    }
    let (mut a, mut b) = (vec![[0f32; LANES]; w], vec![[0f32; LANES]; w]);
    let mut blocks = data.chunks_exact_mut(w * LANES);
    for block in &mut blocks {
        for (x, lane) in a.iter_mut().enumerate() {
            for (k, v) in lane.iter_mut().enumerate() {
                *v = block[k * w + x];
            }
        }
        for &r in radii.iter().filter(|&&r| r > 0) {
            box_line(&a, &mut b, r);
            std::mem::swap(&mut a, &mut b);
        }
        for (x, lane) in a.iter().enumerate() {
            for (k, v) in lane.iter().enumerate() {
                block[k * w + x] = *v;
            }
        }
    }
    let mut scratch = vec![0f32; w];
    for row in blocks.into_remainder().chunks_exact_mut(w) {
        for &r in radii.iter().filter(|&&r| r > 0) {
            scratch.copy_from_slice(row);
            box_line(&scratch, row, r);
        }
    }
}

/// Box blurs of each column with clamped edges, one per radius: `LANES` adjacent columns
/// are gathered side by side (one SIMD lane each) and run through the same running sums
/// as the rows, so each pixel is read and written once for all three passes.
fn blur_columns(data: &mut [f32], w: usize, h: usize, radii: [usize; 3]) {
    if radii.iter().all(|&r| r == 0) || w == 0 || h == 0 {
        return;
    }
    let (mut a, mut b) = (vec![[0f32; LANES]; h], vec![[0f32; LANES]; h]);
    let full = w / LANES * LANES;
    for x0 in (0..full).step_by(LANES) {
        for (y, lane) in a.iter_mut().enumerate() {
            lane.copy_from_slice(&data[y * w + x0..y * w + x0 + LANES]);
        }
        for &r in radii.iter().filter(|&&r| r > 0) {
            box_line(&a, &mut b, r);
            std::mem::swap(&mut a, &mut b);
        }
        for (y, lane) in a.iter().enumerate() {
            data[y * w + x0..y * w + x0 + LANES].copy_from_slice(lane);
        }
    }
    let (mut col, mut scratch) = (vec![0f32; h], vec![0f32; h]);
    for x in full..w {
        for (y, v) in col.iter_mut().enumerate() {
            *v = data[y * w + x];
        }
        for &r in radii.iter().filter(|&&r| r > 0) {
            box_line(&col, &mut scratch, r);
            std::mem::swap(&mut col, &mut scratch);
        }
        for (y, v) in col.iter().enumerate() {
            data[y * w + x] = *v;
        }
    }
}

/// One sample, or `LANES` samples side by side, that a running sum can add and scale.
trait Lane: Copy + Default {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn scale(self, k: f32) -> Self;
}

impl Lane for f32 {
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self - o
    }
    #[inline(always)]
    fn scale(self, k: f32) -> Self {
        self * k
    }
}

impl Lane for [f32; LANES] {
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        std::array::from_fn(|k| self[k] + o[k])
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        std::array::from_fn(|k| self[k] - o[k])
    }
    #[inline(always)]
    fn scale(self, s: f32) -> Self {
        self.map(|v| v * s)
    }
}

/// Box blur of `src` into `dst` (same length) with clamped edges.
fn box_line<T: Lane>(src: &[T], dst: &mut [T], r: usize) {
    let len = src.len();
    let norm = 1.0 / (2 * r + 1) as f32;
    let at = |i: isize| src[i.clamp(0, len as isize - 1) as usize];
    let mut acc = (-(r as isize)..=(r as isize)).fold(T::default(), |s, i| s.add(at(i)));
    // Edges use clamped reads; the interior reads directly.
    let lo = (r + 1).min(len);
    let hi = len.saturating_sub(r + 1).max(lo);
    for (i, d) in dst.iter_mut().enumerate().take(lo) {
        *d = acc.scale(norm);
        acc = acc.add(at(i as isize + r as isize + 1).sub(at(i as isize - r as isize)));
    }
    for i in lo..hi {
        dst[i] = acc.scale(norm);
        acc = acc.add(src[i + r + 1].sub(src[i - r]));
    }
    for (i, d) in dst.iter_mut().enumerate().skip(hi) {
        *d = acc.scale(norm);
        acc = acc.add(at(i as isize + r as isize + 1).sub(at(i as isize - r as isize)));
    }
}

/// Normalized masked blur: Σ(v·w)/Σw under a Gaussian-like kernel, computed at a reduced
/// scale (`factor`) and upsampled, since the result is smooth. Where the mask has no
/// support nearby, the result falls back to `fallback`.
pub fn masked_blur(
    values: &Plane,
    weights: &Plane,
    sigma: f32,
    factor: usize,
    fallback: f32,
) -> Plane {
    MaskedBlur::new(weights, sigma, factor).apply(values, fallback)
}

/// The weights of a masked blur, blurred once for several planes at the same σ (the
/// matched filter blurs three density channels over one skin mask at each scale).
#[derive(Debug, Clone)]
pub struct MaskedBlur<'a> {
    weights: Cow<'a, Plane>,
    blurred: Plane,
    sigma: f32,
    factor: usize,
}

impl<'a> MaskedBlur<'a> {
    /// Blurs `weights` at `sigma` on a grid `factor` times coarser.
    pub fn new(weights: &'a Plane, sigma: f32, factor: usize) -> Self {
        Self::with(Cow::Borrowed(weights), sigma, factor)
    }

    /// [`MaskedBlur::new`] keeping its own weights.
    pub fn owned(weights: Plane, sigma: f32, factor: usize) -> MaskedBlur<'static> {
        MaskedBlur::with(Cow::Owned(weights), sigma, factor)
    }

    fn with(weights: Cow<'a, Plane>, sigma: f32, factor: usize) -> Self {
        let factor = factor.max(1);
        let sigma = sigma / factor as f32;
        let mut blurred = weights.downsample(factor);
        blurred.blur(sigma);
        MaskedBlur {
            weights,
            blurred,
            sigma,
            factor,
        }
    }

    /// `values` blurred with these weights; `fallback` where they vanish.
    pub fn apply(&self, values: &Plane, fallback: f32) -> Plane {
        let w = &self.weights;
        let vw = Plane::from_vec(
            values.width,
            values.height,
            values
                .data
                .iter()
                .zip(&w.data)
                .map(|(v, w)| v * w)
                .collect(),
        );
        let mut vw = if self.factor > 1 {
            vw.downsample(self.factor)
        } else {
            vw
        };
        vw.blur(self.sigma);
        for (v, w) in vw.data.iter_mut().zip(&self.blurred.data) {
            *v = if *w > 1e-4 { *v / *w } else { fallback };
        }
        if self.factor > 1 {
            vw.upsample(self.factor, values.width, values.height)
        } else {
            vw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_swaps_rows_and_columns() {
        let (w, h) = (45usize, 70usize);
        let p = Plane::from_vec(w, h, (0..w * h).map(|i| i as f32).collect());
        let t = p.transposed();
        assert_eq!((t.width, t.height), (h, w));
        for y in 0..h {
            for x in 0..w {
                assert_eq!(t.data[x * h + y], p.data[y * w + x]);
            }
        }
    }

    #[test]
    fn opening_removes_narrow_peaks_and_keeps_wide_ones() {
        let (w, h) = (40, 30);
        let mut p = Plane::filled(w, h, 1.0);
        p.data[10 * w + 5] = 3.0; // a pore: one pixel
        for y in 10..20 {
            for x in 20..32 {
                p.data[y * w + x] = 2.0; // a plateau wider than the square
            }
        }
        let o = p.opened(2);
        assert_eq!(o.data[10 * w + 5], 1.0);
        assert_eq!(o.data[15 * w + 25], 2.0);
        assert_eq!(o.data[10 * w + 20], 2.0, "corners of a wide shape stay");
        assert_eq!(o.data[5 * w + 5], 1.0);
        assert!(Plane::filled(1, 1, 4.0).opened(3).data == [4.0]);
    }

    #[test]
    fn opening_equals_brute_force() {
        let (w, h) = (23, 17);
        let mut seed = 7u32;
        let data = (0..w * h)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1 << 24) as f32
            })
            .collect();
        let p = Plane::from_vec(w, h, data);
        let square = |q: &Plane, r: usize, take_max: bool| {
            let mut out = q.clone();
            for y in 0..h {
                for x in 0..w {
                    let mut v = q.data[y * w + x];
                    for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                        for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                            let u = q.data[yy * w + xx];
                            v = if take_max { v.max(u) } else { v.min(u) };
                        }
                    }
                    out.data[y * w + x] = v;
                }
            }
            out
        };
        for r in [1, 2, 4, 12] {
            let want = square(&square(&p, r, false), r, true);
            assert_eq!(p.opened(r).data, want.data, "r {r}");
        }
    }

    #[test]
    fn blur_preserves_constant_and_mass() {
        let mut p = Plane::filled(40, 30, 2.5);
        p.blur(4.0);
        assert!(p.data.iter().all(|v| (v - 2.5).abs() < 1e-5));
        let mut d = Plane::filled(101, 101, 0.0);
        d.data[50 * 101 + 50] = 1.0;
        d.blur(5.0);
        let sum: f32 = d.data.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{sum}");
        // Variance close to sigma² along x.
        let var: f32 = (0..101)
            .map(|x| (0..101).map(|y| d.at(x, y)).sum::<f32>() * (x as f32 - 50.0).powi(2))
            .sum();
        assert!((var.sqrt() - 5.0).abs() < 0.3, "sigma {}", var.sqrt());
    }

    #[test]
    fn box_passes_match_naive_clamped_box() {
        let (w, h, r) = (37usize, 23usize, 4usize);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 101) as f32).collect();
        let naive = |x: usize, y: usize, horizontal: bool| {
            let mut s = 0.0;
            for k in -(r as isize)..=(r as isize) {
                let (xx, yy) = if horizontal {
                    ((x as isize + k).clamp(0, w as isize - 1) as usize, y)
                } else {
                    (x, (y as isize + k).clamp(0, h as isize - 1) as usize)
                };
                s += src[yy * w + xx];
            }
            s / (2 * r + 1) as f32
        };
        // 23 rows: two blocks of LANES rows side by side, then seven one by one.
        let (mut rows, mut cols) = (src.clone(), src.clone());
        blur_rows(&mut rows, w, [r, 0, 0]);
        blur_columns(&mut cols, w, h, [r, 0, 0]);
        for y in 0..h {
            for x in 0..w {
                assert!((rows[y * w + x] - naive(x, y, true)).abs() < 1e-3);
                assert!((cols[y * w + x] - naive(x, y, false)).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn masked_blur_ignores_masked_out_values() {
        let mut v = Plane::filled(64, 64, 1.0);
        let mut w = Plane::filled(64, 64, 1.0);
        for i in 0..64 * 32 {
            v.data[i] = 100.0;
            w.data[i] = 0.0;
        }
        let b = masked_blur(&v, &w, 6.0, 2, 0.0);
        assert!(b.data[63 * 64..].iter().all(|x| (x - 1.0).abs() < 1e-4));
        // Just inside the masked-out half, values come only from the supported half.
        assert!(b.data[28 * 64..29 * 64]
            .iter()
            .all(|x| (x - 1.0).abs() < 1e-3));
        // Far from any support: the fallback.
        assert!(b.data[..64].iter().all(|x| *x == 0.0));
    }

    #[test]
    fn down_up_round_trips_smooth_ramp() {
        let p = Plane::from_vec(64, 48, (0..64 * 48).map(|i| (i % 64) as f32).collect());
        let u = p.downsample(4).upsample(4, 64, 48);
        for y in 0..48 {
            for x in 4..60 {
                assert!((u.at(x, y) - x as f32).abs() < 0.6, "{x} {}", u.at(x, y));
            }
        }
    }
}
