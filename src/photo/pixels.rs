//! An 8-bit RGBA photo held in memory, the unit every stage works on.

use crate::photo::colour::{self, ItaCategory, Lab};
use serde::Serialize;

/// An upright 8-bit RGBA image (row-major, no padding).
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Photo {
    /// Wraps RGBA bytes; `None` if the length does not match the size or the size is 0.
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>) -> Option<Self> {
        let want = (width as usize)
            .checked_mul(height as usize)?
            .checked_mul(4)?;
        (width > 0 && height > 0 && rgba.len() == want).then_some(Self {
            width,
            height,
            rgba,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Number of pixels.
    pub fn pixel_count(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// The RGBA bytes.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The RGBA bytes, writable in place.
    pub fn rgba_mut(&mut self) -> &mut [u8] {
        &mut self.rgba
    }

    /// Gives the RGBA buffer back.
    pub fn into_rgba(self) -> Vec<u8> {
        self.rgba
    }

    /// Area-average downsample by an integer factor, averaging in linear light (so a
    /// dark spot keeps its physical density); partial edge blocks are averaged too.
    pub fn downsample(&self, factor: u32) -> Photo {
        if factor <= 1 {
            return self.clone();
        }
        self.downsample_region([0, 0, self.width, self.height], factor)
    }

    /// [`Photo::downsample`] of the rectangle `[x0, y0, width, height]` (clamped to the
    /// photo): the face's region at the face's own working scale.
    pub fn downsample_region(&self, region: [u32; 4], factor: u32) -> Photo {
        let x0 = region[0].min(self.width);
        let y0 = region[1].min(self.height);
        let rw = region[2].min(self.width - x0);
        let rh = region[3].min(self.height - y0);
        let stride = self.width as usize * 4;
        let span = |y: usize| y * stride + x0 as usize * 4..y * stride + (x0 + rw) as usize * 4;
        if factor <= 1 {
            let rgba = (y0..y0 + rh).flat_map(|y| &self.rgba[span(y as usize)]);
            return Photo {
                width: rw,
                height: rh,
                rgba: rgba.copied().collect(),
            };
        }
        let (lut, encoder) = (colour::srgb8_to_linear_lut(), colour::Srgb8Encoder::get());
        let (w, h) = (rw.div_ceil(factor), rh.div_ceil(factor));
        let (wu, f) = (w as usize, factor as usize);
        let mut sum = vec![[0f32; 4]; wu];
        let mut rgba = vec![0u8; wu * h as usize * 4];
        for (by, out) in rgba.chunks_exact_mut(wu * 4).enumerate() {
            sum.fill([0.0; 4]);
            let rows = (by * f)..((by + 1) * f).min(rh as usize);
            let n_rows = rows.len();
            for y in rows {
                let row = &self.rgba[span(y + y0 as usize)];
                for (s, block) in sum.iter_mut().zip(row.chunks(4 * f)) {
                    let mut acc = *s;
                    for px in block.chunks_exact(4) {
                        acc[0] += lut[px[0] as usize];
                        acc[1] += lut[px[1] as usize];
                        acc[2] += lut[px[2] as usize];
                        acc[3] += px[3] as f32;
                    }
                    *s = acc;
                }
            }
            for (bx, (s, o)) in sum.iter().zip(out.chunks_exact_mut(4)).enumerate() {
                let cols = (rw as usize).min((bx + 1) * f) - bx * f;
                let inv = 1.0 / (cols * n_rows) as f32;
                for c in 0..3 {
                    o[c] = encoder.encode(s[c] * inv);
                }
                // Alpha sums are whole numbers: rounded half up in integers (no roundf call).
                let n = (cols * n_rows) as u32;
                o[3] = ((2 * s[3] as u32 + n) / (2 * n)) as u8;
            }
        }
        Photo {
            width: w,
            height: h,
            rgba,
        }
    }

    /// Mean colour and ITA° over the opaque pixels (a whole-image summary).
    pub fn colour_summary(&self) -> ColourSummary {
        let lut = colour::srgb8_to_linear_lut();
        let mut sum = [0f64; 3];
        let mut n = 0usize;
        for px in self.rgba.chunks_exact(4).filter(|p| p[3] >= 128) {
            for c in 0..3 {
                sum[c] += lut[px[c] as usize] as f64;
            }
            n += 1;
        }
        let mean_linear = if n == 0 {
            [0.0; 3]
        } else {
            sum.map(|s| s / n as f64)
        };
        let lab = colour::linear_to_lab(mean_linear);
        let ita = colour::ita_degrees(lab);
        ColourSummary {
            width: self.width,
            height: self.height,
            mean_lab: lab,
            ita,
            ita_category: ItaCategory::from_ita(ita),
            ita_label: ItaCategory::from_ita(ita).label(),
        }
    }
}

/// Whole-image colour summary: mean Lab (averaged in linear light) and its ITA°.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ColourSummary {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Mean CIELAB colour.
    pub mean_lab: Lab,
    /// ITA° of the mean colour.
    pub ita: f64,
    /// ITA category.
    pub ita_category: ItaCategory,
    /// ITA category in words.
    pub ita_label: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each output pixel as the mean of its block, summed row by row in reading order.
    fn naive(p: &Photo, [x0, y0, rw, rh]: [u32; 4], f: u32) -> Vec<u8> {
        let (lut, enc) = (colour::srgb8_to_linear_lut(), colour::Srgb8Encoder::get());
        let mut out = Vec::new();
        for by in 0..rh.div_ceil(f) {
            for bx in 0..rw.div_ceil(f) {
                let mut s = [0f32; 4];
                let mut n = 0u32;
                for y in by * f..((by + 1) * f).min(rh) {
                    for x in bx * f..((bx + 1) * f).min(rw) {
                        let i = 4 * ((y0 + y) * p.width + x0 + x) as usize;
                        for c in 0..3 {
                            s[c] += lut[p.rgba[i + c] as usize];
                        }
                        s[3] += p.rgba[i + 3] as f32;
                        n += 1;
                    }
                }
                let inv = 1.0 / n as f32;
                out.extend((0..3).map(|c| enc.encode(s[c] * inv)));
                out.push(((2 * s[3] as u32 + n) / (2 * n)) as u8);
            }
        }
        out
    }

    #[test]
    fn region_downsample_matches_block_means_at_every_factor() {
        let (w, h) = (23u32, 17u32);
        let rgba = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let p = Photo::from_rgba(w, h, rgba).unwrap();
        for f in 2..=4 {
            for region in [[0, 0, w, h], [3, 2, 15, 11], [1, 1, 20, 16]] {
                let got = p.downsample_region(region, f);
                assert_eq!(
                    got.rgba,
                    naive(&p, region, f),
                    "factor {f}, region {region:?}"
                );
            }
        }
    }
}
