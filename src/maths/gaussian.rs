//! A true Gaussian blur (sampled kernel, clamped edges) on a bare `f32` image, for
//! measurements that need the exact kernel rather than [`Plane::blur`](super::planes::Plane::blur)'s fast one.

/// Separable Gaussian blur with clamped edges.
pub fn blur(src: &[f32], w: usize, h: usize, sigma: f32) -> Vec<f32> {
    let r = (3.0 * sigma).ceil() as usize;
    let kernel: Vec<f32> = (0..=2 * r)
        .map(|i| (-((i as f32 - r as f32).powi(2)) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
    // Rows: each row padded with its end values, then a plain dot product per pixel.
    let mut tmp = vec![0f32; w * h];
    let mut padded = vec![0f32; w + 2 * r];
    for (row, out) in src.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        padded[..r].fill(row[0]);
        padded[r..r + w].copy_from_slice(row);
        padded[r + w..].fill(row[w - 1]);
        for (x, o) in out.iter_mut().enumerate() {
            *o = padded[x..x + 2 * r + 1]
                .iter()
                .zip(&kernel)
                .map(|(v, k)| v * k)
                .sum();
        }
    }
    // Columns: whole rows scaled and added, which vectorises.
    let mut out = vec![0f32; w * h];
    for (y, dst) in out.chunks_exact_mut(w).enumerate() {
        for (j, k) in kernel.iter().enumerate() {
            let sy = (y + j).saturating_sub(r).min(h - 1);
            for (d, s) in dst.iter_mut().zip(&tmp[sy * w..(sy + 1) * w]) {
                *d += k * s;
            }
        }
    }
    out
}
