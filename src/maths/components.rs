//! Connected components of a binary mask (8-connectivity), with area, centroid and box.

use serde::Serialize;

/// One connected region.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Component {
    /// Label used in the label image (1-based).
    pub label: u32,
    /// Pixel count.
    pub area: usize,
    /// Mean x, mean y.
    pub centroid: [f64; 2],
    /// x0, y0, x1, y1 (inclusive).
    pub bbox: [u32; 4],
    /// Whether it touches the image border.
    pub touches_border: bool,
}

/// Label image (0 = background) and the components, in raster order of their first
/// pixel. Works on horizontal runs joined by union-find, so its cost follows the number
/// of runs rather than of pixels.
pub fn label(mask: &[bool], width: usize, height: usize) -> (Vec<u32>, Vec<Component>) {
    // Runs as (y, x0, x1 inclusive); row_start[y] indexes the first run of row y.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut row_start = Vec::with_capacity(height + 1);
    for (y, row) in mask.chunks_exact(width).enumerate() {
        row_start.push(runs.len());
        let mut x = 0;
        while x < width {
            match row[x..].iter().position(|&b| b) {
                None => break,
                Some(d) => x += d,
            }
            let len = row[x..].iter().position(|&b| !b).unwrap_or(width - x);
            runs.push((y as u32, x as u32, (x + len - 1) as u32));
            x += len;
        }
    }
    row_start.push(runs.len());
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    for y in 1..height {
        let (prev, cur) = (
            row_start[y - 1]..row_start[y],
            row_start[y]..row_start[y + 1],
        );
        let mut p = prev.start;
        for r in cur {
            let (_, x0, x1) = runs[r];
            // Skip previous-row runs that end left of this run's 8-neighbourhood.
            while p < prev.end && runs[p].2 + 1 < x0 {
                p += 1;
            }
            let mut q = p;
            while q < prev.end && runs[q].1 <= x1 + 1 {
                union(&mut parent, q as u32, r as u32);
                q += 1;
            }
        }
    }
    let mut labels = vec![0u32; width * height];
    let mut id_of_root = vec![0u32; runs.len()];
    let mut comps: Vec<Component> = Vec::new();
    let mut sums: Vec<[f64; 2]> = Vec::new();
    for (r, &(y, x0, x1)) in runs.iter().enumerate() {
        let root = find(&mut parent, r as u32) as usize;
        if id_of_root[root] == 0 {
            comps.push(Component {
                label: comps.len() as u32 + 1,
                area: 0,
                centroid: [0.0, 0.0],
                bbox: [u32::MAX, u32::MAX, 0, 0],
                touches_border: false,
            });
            sums.push([0.0, 0.0]);
            id_of_root[root] = comps.len() as u32;
        }
        let id = id_of_root[root];
        let c = &mut comps[id as usize - 1];
        let len = (x1 - x0 + 1) as usize;
        c.area += len;
        let s = &mut sums[id as usize - 1];
        s[0] += (x0 as f64 + x1 as f64) * len as f64 / 2.0;
        s[1] += y as f64 * len as f64;
        c.bbox = [
            c.bbox[0].min(x0),
            c.bbox[1].min(y),
            c.bbox[2].max(x1),
            c.bbox[3].max(y),
        ];
        c.touches_border |=
            x0 == 0 || y == 0 || x1 as usize + 1 == width || y as usize + 1 == height;
        let row = y as usize * width;
        labels[row + x0 as usize..=row + x1 as usize].fill(id);
    }
    for (c, s) in comps.iter_mut().zip(&sums) {
        c.centroid = [s[0] / c.area as f64, s[1] / c.area as f64];
    }
    (labels, comps)
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let up = parent[parent[i as usize] as usize];
        parent[i as usize] = up;
        i = up;
    }
    i
}

/// Joins two sets, keeping the smaller index (the earlier run) as the root.
fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi as usize] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_two_blobs_with_stats() {
        let (w, h) = (8, 5);
        let mut m = vec![false; w * h];
        for (x, y) in [(1, 1), (2, 1), (1, 2), (2, 2), (6, 3), (7, 4)] {
            m[y * w + x] = true;
        }
        let (labels, comps) = label(&m, w, h);
        assert_eq!(comps.len(), 2);
        assert_eq!(comps[0].area, 4);
        assert_eq!(comps[0].centroid, [1.5, 1.5]);
        assert_eq!(comps[0].bbox, [1, 1, 2, 2]);
        assert!(!comps[0].touches_border);
        assert_eq!(comps[1].area, 2, "diagonal neighbours join");
        assert!(comps[1].touches_border);
        assert_eq!(labels[4 * w + 7], 2);
    }

    /// Plain flood fill, the reference the run-based labelling must reproduce.
    fn flood(mask: &[bool], w: usize, h: usize) -> Vec<u32> {
        let mut labels = vec![0u32; w * h];
        let mut next = 0;
        for start in 0..w * h {
            if !mask[start] || labels[start] != 0 {
                continue;
            }
            next += 1;
            let mut stack = vec![start];
            labels[start] = next;
            while let Some(i) = stack.pop() {
                let (x, y) = ((i % w) as i64, (i / w) as i64);
                for (dx, dy) in (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (dx, dy))) {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx >= 0 && ny >= 0 && nx < w as i64 && ny < h as i64 {
                        let j = ny as usize * w + nx as usize;
                        if mask[j] && labels[j] == 0 {
                            labels[j] = next;
                            stack.push(j);
                        }
                    }
                }
            }
        }
        labels
    }

    #[test]
    fn matches_flood_fill_on_random_masks() {
        let mut state = 12345u64;
        for density in [0.2, 0.45, 0.6, 0.8] {
            let (w, h) = (61, 47);
            let mask: Vec<bool> = (0..w * h)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 33) as f64 / (1u64 << 31) as f64) < density
                })
                .collect();
            let (labels, comps) = label(&mask, w, h);
            assert_eq!(labels, flood(&mask, w, h), "density {density}");
            let total: usize = comps.iter().map(|c| c.area).sum();
            assert_eq!(total, mask.iter().filter(|b| **b).count());
        }
    }
}
