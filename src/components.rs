//! Connected components of a binary mask (8-connectivity), with area, centroid and box.

use serde::Serialize;

/// One connected region.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// Label image (0 = background) and the components, in label order.
pub fn label(mask: &[bool], width: usize, height: usize) -> (Vec<u32>, Vec<Component>) {
    let mut labels = vec![0u32; width * height];
    let mut comps = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        let id = comps.len() as u32 + 1;
        let mut c = Component {
            label: id,
            area: 0,
            centroid: [0.0, 0.0],
            bbox: [u32::MAX, u32::MAX, 0, 0],
            touches_border: false,
        };
        labels[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % width, i / width);
            c.area += 1;
            c.centroid[0] += x as f64;
            c.centroid[1] += y as f64;
            c.bbox = [
                c.bbox[0].min(x as u32),
                c.bbox[1].min(y as u32),
                c.bbox[2].max(x as u32),
                c.bbox[3].max(y as u32),
            ];
            if x == 0 || y == 0 || x + 1 == width || y + 1 == height {
                c.touches_border = true;
            }
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                        continue;
                    }
                    let j = ny as usize * width + nx as usize;
                    if mask[j] && labels[j] == 0 {
                        labels[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        c.centroid = [c.centroid[0] / c.area as f64, c.centroid[1] / c.area as f64];
        comps.push(c);
    }
    (labels, comps)
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
}
