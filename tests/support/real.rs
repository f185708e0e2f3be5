//! Real licensed photographs for the real-photo benchmark, and the lesions injected into them.
//!
//! Independent of the engine's model: photos are decoded with `image`, colour maths is
//! `synth`'s own (sRGB, CIELAB, CIEDE2000), spot directions are drawn around both
//! published melanin vectors (and hemoglobin's) rather than the engine's prior, and each
//! injected photo goes through its own JPEG round trip, as a camera's would.
//!
//! Darker skin is made by a tone shift in optical density (more melanin plus the uniform
//! darkening `synth` pairs with it): the photos are all of light-skinned people, so every
//! figure on a shifted tone is a simulation of darker skin, not a photo of it.

#![allow(clippy::needless_range_loop)] // channel loops over fixed-size colour triples

use super::synth::{delta_e00, ita_of_lab, linear_to_lab, srgb_encode, Rng};
use std::path::PathBuf;

/// First published melanin direction in density (R, G, B) (Tsumura et al.).
pub const MELANIN_A: [f64; 3] = [0.4143, 0.3570, 0.8372];
/// Second published melanin direction (ICA re-estimate).
pub const MELANIN_B: [f64; 3] = [0.2203, 0.4788, 0.8499];
/// Published hemoglobin direction.
pub const HEMOGLOBIN: [f64; 3] = [0.4350, 0.6929, 0.5750];
/// Uniform darkening per unit of tone melanin (as in `synth`).
const TONE_SHADING: f64 = 0.72;

/// One benchmark photo: a file, an optional crop and an integer downscale, the face width
/// and the flat-skin sites (cheeks, forehead) where lesions are injected, read by eye
/// from grid overlays of the photo (source pixels).
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub file: &'static str,
    /// x0, y0, x1, y1 in source pixels.
    pub crop: Option<[u32; 4]>,
    pub downscale: u32,
    /// Face width (cheekbone to cheekbone) in source pixels.
    pub face_width: f64,
    /// Flat skin sites, source pixels.
    pub sites: &'static [[f64; 2]],
}

/// Henner's forehead and cheeks (source pixels), shared by his portrait and close-up.
const HENNER_SITES: &[[f64; 2]] = &[
    [1700.0, 700.0],
    [2150.0, 600.0],
    [2600.0, 700.0],
    [1500.0, 1800.0],
    [2800.0, 1850.0],
];

/// The benchmark's photos: five people, full portraits and close crops, faces from
/// about 140 px (giunchedi) to 2200 px (henner close-up) across.
pub const CASES: [Case; 6] = [
    Case {
        name: "henner-portrait",
        file: "tests/data/real/henner.jpg",
        crop: None,
        downscale: 4,
        face_width: 2200.0,
        sites: HENNER_SITES,
    },
    Case {
        name: "henner-closeup",
        file: "tests/data/real/henner.jpg",
        crop: Some([1100, 300, 3300, 2500]),
        downscale: 1,
        face_width: 2200.0,
        sites: HENNER_SITES,
    },
    Case {
        name: "giunchedi",
        file: "tests/data/real/giunchedi.jpg",
        crop: None,
        downscale: 1,
        face_width: 140.0,
        sites: &[
            [365.0, 110.0],
            [425.0, 110.0],
            [345.0, 200.0],
            [445.0, 200.0],
        ],
    },
    Case {
        name: "paumier",
        file: "tests/data/real/paumier.jpg",
        crop: None,
        downscale: 1,
        face_width: 600.0,
        sites: &[
            [880.0, 560.0],
            [1080.0, 560.0],
            [880.0, 870.0],
            [1150.0, 985.0],
        ],
    },
    Case {
        name: "hopper",
        file: "tests/data/real/hopper.jpg",
        crop: None,
        downscale: 1,
        face_width: 240.0,
        sites: &[
            [250.0, 150.0],
            [330.0, 150.0],
            [210.0, 270.0],
            [325.0, 240.0],
        ],
    },
    Case {
        name: "astronaut",
        file: "www/sample/astronaut.png",
        crop: None,
        downscale: 1,
        face_width: 150.0,
        sites: &[[215.0, 82.0], [255.0, 82.0], [195.0, 125.0], [258.0, 125.0]],
    },
];

/// A photo as linear RGB (0..1), row-major.
#[derive(Debug, Clone)]
pub struct LinearImage {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<[f64; 3]>,
}

/// A case's photo, in its own pixels, with its geometry scaled to match.
#[derive(Debug, Clone)]
pub struct RealPhoto {
    pub case: Case,
    pub image: LinearImage,
    pub face_width: f64,
    pub sites: Vec<[f64; 2]>,
}

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn decode_lut() -> [f64; 256] {
    std::array::from_fn(|i| super::synth::srgb_decode(i as f64 / 255.0))
}

/// Decodes, crops and averages a case down (in linear light).
pub fn load(case: &Case) -> RealPhoto {
    let img = image::open(repo_path(case.file))
        .unwrap_or_else(|e| panic!("{}: {e}", case.file))
        .to_rgb8();
    let [x0, y0, x1, y1] = case.crop.unwrap_or([0, 0, img.width(), img.height()]);
    let f = case.downscale.max(1) as usize;
    let (w, h) = (((x1 - x0) as usize) / f, ((y1 - y0) as usize) / f);
    let lut = decode_lut();
    let mut rgb = vec![[0f64; 3]; w * h];
    for (i, px) in rgb.iter_mut().enumerate() {
        let (x, y) = (i % w, i / w);
        let mut s = [0f64; 3];
        for dy in 0..f {
            for dx in 0..f {
                let p = img.get_pixel(x0 + (x * f + dx) as u32, y0 + (y * f + dy) as u32);
                for c in 0..3 {
                    s[c] += lut[p[c] as usize];
                }
            }
        }
        *px = s.map(|v| v / (f * f) as f64);
    }
    let to_local = |p: &[f64; 2]| [(p[0] - x0 as f64) / f as f64, (p[1] - y0 as f64) / f as f64];
    RealPhoto {
        case: *case,
        image: LinearImage {
            width: w,
            height: h,
            rgb,
        },
        face_width: case.face_width / f as f64,
        sites: case.sites.iter().map(to_local).collect(),
    }
}

impl LinearImage {
    /// 8-bit sRGB RGBA, through a JPEG round trip at `quality` when given.
    pub fn to_rgba(&self, jpeg_quality: Option<u8>) -> Vec<u8> {
        let rgb8: Vec<u8> = self
            .rgb
            .iter()
            .flat_map(|c| c.map(|v| (srgb_encode(v) * 255.0).round() as u8))
            .collect();
        let rgb8 = match jpeg_quality {
            Some(q) => jpeg_round_trip(&rgb8, self.width, self.height, q),
            None => rgb8,
        };
        rgb8.chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    }

    /// Mean linear colour over the pixels `keep` selects (x, y → bool).
    pub fn mean_where(&self, keep: impl Fn(usize, usize) -> bool) -> Option<[f64; 3]> {
        let mut s = [0f64; 3];
        let mut n = 0usize;
        for (i, p) in self.rgb.iter().enumerate() {
            if keep(i % self.width, i / self.width) {
                for c in 0..3 {
                    s[c] += p[c];
                }
                n += 1;
            }
        }
        (n > 0).then(|| s.map(|v| v / n as f64))
    }
}

fn jpeg_round_trip(rgb8: &[u8], w: usize, h: usize, q: u8) -> Vec<u8> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, q)
        .encode(rgb8, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .expect("jpeg encode");
    image::load_from_memory(&buf)
        .expect("jpeg decode")
        .to_rgb8()
        .into_raw()
}

/// Mean linear colour of a disc.
pub fn disc_mean(img: &LinearImage, c: [f64; 2], r: f64) -> [f64; 3] {
    img.mean_where(|x, y| (x as f64 - c[0]).hypot(y as f64 - c[1]) <= r)
        .unwrap_or([0.5; 3])
}

/// Lab of a linear colour.
pub fn lab(c: [f64; 3]) -> [f64; 3] {
    linear_to_lab(c)
}

/// Median ITA° over discs of `r` around the sites (the skin the benchmark samples).
pub fn sites_ita(img: &LinearImage, sites: &[[f64; 2]], r: f64) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    for (i, p) in img.rgb.iter().enumerate() {
        let (x, y) = ((i % img.width) as f64, (i / img.width) as f64);
        if sites.iter().any(|s| (x - s[0]).hypot(y - s[1]) <= r) {
            v.push(ita_of_lab(linear_to_lab(*p)));
        }
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    v.map(|x| x / n)
}

fn tone_direction() -> [f64; 3] {
    let m = unit(std::array::from_fn(|k| MELANIN_A[k] + MELANIN_B[k]));
    m.map(|x| x + TONE_SHADING)
}

/// The image with `amount` density units of tone melanin added everywhere.
pub fn shift_tone(img: &LinearImage, amount: f64) -> LinearImage {
    let d = tone_direction();
    let gain: [f64; 3] = d.map(|k| (-amount * k).exp());
    LinearImage {
        rgb: img
            .rgb
            .iter()
            .map(|p| std::array::from_fn(|c| (p[c] * gain[c]).min(1.0)))
            .collect(),
        ..*img
    }
}

/// The tone shift that brings the sites' median ITA to `target` (bisection).
pub fn shift_to_ita(photo: &RealPhoto, target: f64) -> (LinearImage, f64) {
    let r = 0.03 * photo.face_width;
    let img = &photo.image;
    let samples: Vec<[f64; 3]> = (0..img.rgb.len())
        .filter(|&i| {
            let (x, y) = ((i % img.width) as f64, (i / img.width) as f64);
            photo.sites.iter().any(|s| (x - s[0]).hypot(y - s[1]) <= r)
        })
        .map(|i| img.rgb[i])
        .collect();
    let d = tone_direction();
    let ita = |a: f64| {
        let mut v: Vec<f64> = samples
            .iter()
            .map(|p| {
                ita_of_lab(linear_to_lab(std::array::from_fn(|c| {
                    p[c] * (-a * d[c]).exp()
                })))
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    // ITA falls as tone melanin is added.
    let a = bisect(-1.5, 3.0, |a| ita(a) > target);
    (shift_tone(img, a), ita(a))
}

/// What an injected lesion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A brown spot (melanin excess).
    Spot,
    /// A red patch (hemoglobin excess).
    Red,
}

/// One injected lesion: centre and diameter (photo pixels), density direction, the
/// ΔE00 asked for at its centre and the density amplitude that gives it.
#[derive(Debug, Clone, Copy)]
pub struct Injected {
    pub kind: Kind,
    pub centre: [f64; 2],
    pub diameter: f64,
    pub direction: [f64; 3],
    pub delta_e: f64,
    pub amplitude: f64,
}

impl Injected {
    /// Profile 0..1: flat inside 0.35 d, a raised-cosine edge to 0 at 0.65 d; the
    /// half-maximum contour (the truth outline) is the circle of radius d/2.
    pub fn profile(&self, x: f64, y: f64) -> f64 {
        let r = (x - self.centre[0]).hypot(y - self.centre[1]) / self.diameter;
        if r <= 0.35 {
            1.0
        } else if r >= 0.65 {
            0.0
        } else {
            0.5 + 0.5 * ((r - 0.35) / 0.3 * std::f64::consts::PI).cos()
        }
    }

    /// True inside the outline.
    pub fn inside(&self, x: f64, y: f64) -> bool {
        (x - self.centre[0]).hypot(y - self.centre[1]) <= 0.5 * self.diameter
    }

    /// Centre disc (radius 0.35 d) and surrounding ring (0.8 d .. 1.2 d) for contrasts.
    pub fn core_radius(&self) -> f64 {
        0.35 * self.diameter
    }
    pub fn ring(&self) -> (f64, f64) {
        (0.8 * self.diameter, 1.2 * self.diameter)
    }
}

/// A direction drawn around `base` (and towards `other` by a random mix), normalized.
pub fn spread_direction(rng: &mut Rng, base: [f64; 3], other: [f64; 3], spread: f64) -> [f64; 3] {
    let t = rng.uniform() * 0.3;
    unit(std::array::from_fn(|k| {
        (1.0 - t) * base[k] + t * other[k] + spread * rng.gauss()
    }))
}

/// Density amplitude along `dir` that makes the core's mean colour differ by `target`
/// ΔE00 from itself.
pub fn amplitude_for(core: [f64; 3], dir: [f64; 3], target: f64) -> f64 {
    let base = linear_to_lab(core);
    let de = |a: f64| {
        let c: [f64; 3] = std::array::from_fn(|k| core[k] * (-a * dir[k]).exp());
        delta_e00(base, linear_to_lab(c))
    };
    bisect(0.0, 4.0, |a| de(a) < target)
}

/// The point in `lo..hi` where `below` turns from true to false (40 halvings).
fn bisect(mut lo: f64, mut hi: f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Adds the lesions to an image in density; each gets its amplitude from the image's own
/// colour at its core.
pub fn inject(img: &LinearImage, lesions: &mut [Injected]) -> LinearImage {
    let mut out = img.clone();
    for l in lesions.iter_mut() {
        let core = disc_mean(img, l.centre, l.core_radius());
        l.amplitude = amplitude_for(core, l.direction, l.delta_e);
        let reach = 0.65 * l.diameter + 1.0;
        let (x0, x1) = (
            (l.centre[0] - reach).max(0.0) as usize,
            ((l.centre[0] + reach) as usize).min(img.width - 1),
        );
        let (y0, y1) = (
            (l.centre[1] - reach).max(0.0) as usize,
            ((l.centre[1] + reach) as usize).min(img.height - 1),
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                let p = l.profile(x as f64 + 0.5, y as f64 + 0.5);
                if p > 0.0 {
                    let px = &mut out.rgb[y * img.width + x];
                    for k in 0..3 {
                        px[k] *= (-l.amplitude * p * l.direction[k]).exp();
                    }
                }
            }
        }
    }
    out
}

/// Dice of two masks over the pixels `region` selects.
pub fn dice_where(a: &[bool], b: &[bool], region: impl Fn(usize) -> bool) -> f64 {
    let (mut both, mut na, mut nb) = (0usize, 0usize, 0usize);
    for i in (0..a.len()).filter(|&i| region(i)) {
        both += (a[i] && b[i]) as usize;
        na += a[i] as usize;
        nb += b[i] as usize;
    }
    if na + nb == 0 {
        1.0
    } else {
        2.0 * both as f64 / (na + nb) as f64
    }
}

/// Mean Lab over a disc or ring of an 8-bit RGBA photo.
pub fn rgba_mean_lab(rgba: &[u8], w: usize, c: [f64; 2], r0: f64, r1: f64) -> [f64; 3] {
    let lut = decode_lut();
    let mut s = [0f64; 3];
    let mut n = 0usize;
    let h = rgba.len() / 4 / w;
    let (x0, x1) = (
        (c[0] - r1).max(0.0) as usize,
        ((c[0] + r1) as usize).min(w - 1),
    );
    let (y0, y1) = (
        (c[1] - r1).max(0.0) as usize,
        ((c[1] + r1) as usize).min(h - 1),
    );
    for y in y0..=y1 {
        for x in x0..=x1 {
            let d = (x as f64 + 0.5 - c[0]).hypot(y as f64 + 0.5 - c[1]);
            if d >= r0 && d <= r1 {
                let i = (y * w + x) * 4;
                for k in 0..3 {
                    s[k] += lut[rgba[i + k] as usize];
                }
                n += 1;
            }
        }
    }
    linear_to_lab(s.map(|v| v / n.max(1) as f64))
}

/// Per-spot residual after removal: the removed spot's core colour against the colour
/// its ring predicts from the photo before injection (core − ring there), ΔE00.
pub fn spot_residual(before: &[u8], after: &[u8], w: usize, l: &Injected) -> f64 {
    let (r0, r1) = l.ring();
    let core_r = l.core_radius();
    let b_core = rgba_mean_lab(before, w, l.centre, 0.0, core_r);
    let b_ring = rgba_mean_lab(before, w, l.centre, r0, r1);
    let a_core = rgba_mean_lab(after, w, l.centre, 0.0, core_r);
    let a_ring = rgba_mean_lab(after, w, l.centre, r0, r1);
    let want: [f64; 3] = std::array::from_fn(|k| a_ring[k] + (b_core[k] - b_ring[k]));
    delta_e00(a_core, want)
}

/// The contrast at which a share `q` of spots is found, by linear interpolation of the
/// detection rate over ascending contrasts; `None` when never reached.
pub fn contrast_at_rate(rates: &[(f64, f64)], q: f64) -> Option<f64> {
    let mut prev: Option<(f64, f64)> = None;
    for &(de, rate) in rates {
        if rate >= q {
            return Some(match prev {
                Some((d0, r0)) if rate > r0 => d0 + (q - r0) / (rate - r0) * (de - d0),
                _ => de,
            });
        }
        prev = Some((de, rate));
    }
    None
}
