//! Synthetic physical ground truth for skin-preview's accuracy tests.
//!
//! Model (Tsumura et al. 1999/2003, see `/work/shared/evidence/colour.md`): per pixel the
//! optical density is `S = c_m * m + c_h * h + s * (1,1,1) + b` (R,G,B), linear RGB
//! is `X · exp(-S)`, and the result is sRGB-encoded (IEC 61966-2-1) to 8 bits. The planes
//! `melanin` (c_m), `hemoglobin` (c_h) and `shading` (s) are the ground truth.
//!
//! Camera (`Camera::for_seed`, `Scene::camera`): each scene draws its own melanin vector `m`
//! between and around both published ones (`PUBLISHED_MELANIN`: Tsumura's (0.4143, 0.3570,
//! 0.8372) and the ICA re-estimate (0.2203, 0.4788, 0.8499)), its hemoglobin vector `h`
//! around (0.4350, 0.6929, 0.5750), and a channel crosstalk `X` (3×3, off-diagonals 0.03–0.08,
//! rows summing to 1 so grey stays grey) applied in linear RGB, so the renderer is not the
//! engine's model (its prior vectors, no crosstalk). Its density offset `b` is `SYNTH_BIAS`
//! moved so that the intermediate tone (ITA 35°) records exactly the ideal camera's colour:
//! skin stays skin-coloured while lesions and tones change along the scene's own vectors. `SceneSpec::ideal_camera` renders with
//! the centre vectors and no crosstalk, for the model's own self-checks.
//!
//! Held-out seeds: `HELD_OUT_SEEDS` (9001–9008) are for measuring only. No test asserts on
//! them and no threshold may be tuned on them; `synth_selfcheck` fails if a test file other
//! than this one names one of them.
//!
//! Tone: the skin tone of a scene is set by a base melanin found by bisection so that the
//! lesion-free, texture-free, noise-free skin colour (through the scene's camera) has the
//! requested ITA. With the ICA
//! melanin vector alone, dark skin becomes implausibly saturated (b* > 30 at L* 31), so the
//! tone also carries a uniform darkening along (1,1,1): `base_shading = SYNTH_TONE_SHADING *
//! base_melanin`. It is stored in the `shading` plane (it is exactly the component that any
//! shading-removal step projects out), so ground-truth shading has a per-scene offset.
//! Lesion excesses are pure: spots add melanin only, red scars hemoglobin only, pits and raised
//! scars shading only.
//!
//! Usage: `let s = SceneSpec::face(35.0, 7).render();` (or `SceneSpec::skin` for a close-up
//! without non-skin regions; `render_cached()` shares a scene between tests of one binary).
//! Compare engine output with `s.melanin`, `s.spot_mask`, ... using `dice`, `iou`, `pearson`;
//! `s.spot_free_rgba` etc. are the same photo without one lesion kind.
//!
//! Camera: Gaussian noise of `noise_sigma` 8-bit levels, independent per channel and
//! signal-independent, added before quantisation; then an optional JPEG round trip through
//! `image`'s `JpegEncoder` (4:4:4). Noise and texture come from a 2^20-entry Gaussian table
//! (built once per process) read at seed-dependent offsets; windows are disjoint up to 512×512.
//!
//! Everything is independent of the engine's code, deterministic for a given `SceneSpec`,
//! and uses its own random streams (one per purpose, so e.g. adding a spot does not change
//! the camera-noise realisation). Test code is built without optimisation, so the per-pixel
//! paths use look-up tables, `while` loops and slice indexing on purpose.
#![allow(clippy::too_many_arguments)]

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

// ---------------------------------------------------------------------------------------
// Model constants
// ---------------------------------------------------------------------------------------

/// Melanin unit vector in optical-density space (R,G,B): the "ICA re-estimated" set of colour.md
/// (the ideal camera's; scenes draw their own, see `Camera::for_seed`).
pub const SYNTH_MELANIN: [f64; 3] = [0.2203, 0.4788, 0.8499];
/// Hemoglobin unit vector in optical-density space (R,G,B): the "ICA re-estimated" set of colour.md
/// (the ideal camera's, and the centre of the scenes' spread).
pub const SYNTH_HEMOGLOBIN: [f64; 3] = [0.4350, 0.6929, 0.5750];
/// The two published melanin vectors (Tsumura et al.; the ICA re-estimate): scenes draw theirs
/// between and around them.
pub const PUBLISHED_MELANIN: [[f64; 3]; 2] = [[0.4143, 0.3570, 0.8372], [0.2203, 0.4788, 0.8499]];
/// Seeds held out of any tuning: measure on them, never tune or assert on them (see module docs).
pub const HELD_OUT_SEEDS: [u64; 8] = [9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008];
/// Constant optical-density offset (R,G,B): dermal scattering/absorption baseline, blue > green > red.
/// Fitted (with the two constants below) so that the six ITA classes get Del Bino-like Lab values.
pub const SYNTH_BIAS: [f64; 3] = [0.12, 0.34, 0.425];
/// Base hemoglobin concentration of lesion-free skin (all tones).
pub const SYNTH_BASE_HEMOGLOBIN: f64 = 0.30;
/// Uniform (1,1,1) darkening per unit of base melanin that accompanies the skin tone (see module docs).
pub const SYNTH_TONE_SHADING: f64 = 0.72;
/// (min, max) of melanin, hemoglobin, shading that skin pixels of any tone can have in these scenes
/// (lesions, illumination and texture included); used to show non-skin colours lie outside the model.
pub const PLAUSIBLE_SKIN_BOX: [(f64, f64); 3] = [(-0.05, 3.7), (-0.05, 1.5), (-0.45, 2.4)];

/// One random stream per purpose: tags for `Rng::stream`.
mod tag {
    pub const LAYOUT: u64 = 1;
    pub const ILLUM: u64 = 2;
    pub const PORES: u64 = 4;
    pub const MOTTLE: u64 = 5;
    pub const LESIONS: u64 = 6;
    pub const NOISE: u64 = 7;
    pub const CAMERA: u64 = 8;
}

// ---------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Tiny deterministic RNG (SplitMix64) with Box–Muller Gaussians.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    /// New generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng {
            state: splitmix(seed),
            spare: None,
        }
    }
    /// Independent stream for (seed, purpose tag).
    pub fn stream(seed: u64, tag: u64) -> Self {
        Rng::new(seed ^ splitmix(tag.wrapping_mul(0xD6E8_FEB8_6659_FD93)))
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
    /// Uniform integer in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }
    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
    /// Standard normal (Box–Muller, second value cached).
    pub fn gauss(&mut self) -> f64 {
        if let Some(v) = self.spare.take() {
            return v;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * PI * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }
}

// ---------------------------------------------------------------------------------------
// Colour maths (own implementation: sRGB, CIELAB D65, CIEDE2000, ITA)
// ---------------------------------------------------------------------------------------

/// sRGB decode (0..1 -> linear 0..1), IEC 61966-2-1.
pub fn srgb_decode(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// sRGB encode (linear -> 0..1, clipped), IEC 61966-2-1.
pub fn srgb_encode(c: f64) -> f64 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

fn decode_lut() -> &'static [f64; 256] {
    static LUT: OnceLock<[f64; 256]> = OnceLock::new();
    LUT.get_or_init(|| {
        let mut t = [0.0; 256];
        for (i, v) in t.iter_mut().enumerate() {
            *v = srgb_decode(i as f64 / 255.0);
        }
        t
    })
}

/// 8-bit sRGB to linear RGB (0..1).
pub fn srgb8_to_linear(rgb: [u8; 3]) -> [f64; 3] {
    let l = decode_lut();
    [l[rgb[0] as usize], l[rgb[1] as usize], l[rgb[2] as usize]]
}

/// Linear RGB (0..1) to 8-bit sRGB (rounded, clipped).
pub fn linear_to_srgb8(lin: [f64; 3]) -> [u8; 3] {
    lin.map(|c| (srgb_encode(c) * 255.0).round() as u8)
}

/// Linear sRGB to CIELAB (D65, 2°).
pub fn linear_to_lab(rgb: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = rgb;
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
    let z = 0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b;
    fn f(t: f64) -> f64 {
        const D: f64 = 6.0 / 29.0;
        if t > D * D * D {
            t.cbrt()
        } else {
            t / (3.0 * D * D) + 4.0 / 29.0
        }
    }
    let (fx, fy, fz) = (f(x / 0.950_47), f(y), f(z / 1.088_83));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// 8-bit sRGB to CIELAB (D65).
pub fn srgb8_to_lab(rgb: [u8; 3]) -> [f64; 3] {
    linear_to_lab(srgb8_to_linear(rgb))
}

/// Individual Typology Angle in degrees: atan2(L* - 50, b*).
pub fn ita_of_lab(lab: [f64; 3]) -> f64 {
    (lab[0] - 50.0).atan2(lab[2]).to_degrees()
}

/// CIEDE2000 colour difference (kL = kC = kH = 1), Sharma et al. 2005.
pub fn delta_e00(lab1: [f64; 3], lab2: [f64; 3]) -> f64 {
    let [l1, a1, b1] = lab1;
    let [l2, a2, b2] = lab2;
    let c1 = a1.hypot(b1);
    let c2 = a2.hypot(b2);
    let cbar = 0.5 * (c1 + c2);
    let cbar7 = cbar.powi(7);
    let g = 0.5 * (1.0 - (cbar7 / (cbar7 + 25f64.powi(7))).sqrt());
    let a1p = (1.0 + g) * a1;
    let a2p = (1.0 + g) * a2;
    let c1p = a1p.hypot(b1);
    let c2p = a2p.hypot(b2);
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            let h = b.atan2(a).to_degrees();
            if h < 0.0 {
                h + 360.0
            } else {
                h
            }
        }
    };
    let h1p = hue(b1, a1p);
    let h2p = hue(b2, a2p);
    let dlp = l2 - l1;
    let dcp = c2p - c1p;
    let dhp = if c1p * c2p == 0.0 {
        0.0
    } else {
        let d = h2p - h1p;
        if d > 180.0 {
            d - 360.0
        } else if d < -180.0 {
            d + 360.0
        } else {
            d
        }
    };
    let dhp_big = 2.0 * (c1p * c2p).sqrt() * (dhp.to_radians() / 2.0).sin();
    let lbarp = 0.5 * (l1 + l2);
    let cbarp = 0.5 * (c1p + c2p);
    let hbarp = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        0.5 * (h1p + h2p)
    } else if h1p + h2p < 360.0 {
        0.5 * (h1p + h2p + 360.0)
    } else {
        0.5 * (h1p + h2p - 360.0)
    };
    let t = 1.0 - 0.17 * (hbarp - 30.0).to_radians().cos()
        + 0.24 * (2.0 * hbarp).to_radians().cos()
        + 0.32 * (3.0 * hbarp + 6.0).to_radians().cos()
        - 0.20 * (4.0 * hbarp - 63.0).to_radians().cos();
    let dtheta = 30.0 * (-((hbarp - 275.0) / 25.0).powi(2)).exp();
    let cbarp7 = cbarp.powi(7);
    let rc = 2.0 * (cbarp7 / (cbarp7 + 25f64.powi(7))).sqrt();
    let l50 = (lbarp - 50.0).powi(2);
    let sl = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let sc = 1.0 + 0.045 * cbarp;
    let sh = 1.0 + 0.015 * cbarp * t;
    let rt = -(2.0 * dtheta).to_radians().sin() * rc;
    let (ql, qc, qh) = (dlp / sl, dcp / sc, dhp_big / sh);
    (ql * ql + qc * qc + qh * qh + rt * qc * qh).sqrt()
}

/// Del Bino (2006) ITA skin-colour classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItaName {
    VeryLight,
    Light,
    Intermediate,
    Tan,
    Brown,
    Dark,
}

impl ItaName {
    /// Class of an ITA value (very light > 55, light 41..55, intermediate 28..41, tan 10..28, brown -30..10, dark < -30).
    pub fn from_ita(ita: f64) -> Self {
        if ita > 55.0 {
            ItaName::VeryLight
        } else if ita > 41.0 {
            ItaName::Light
        } else if ita > 28.0 {
            ItaName::Intermediate
        } else if ita > 10.0 {
            ItaName::Tan
        } else if ita > -30.0 {
            ItaName::Brown
        } else {
            ItaName::Dark
        }
    }
    /// (low, high] ITA bounds of the class (infinite at the ends).
    pub fn range(self) -> (f64, f64) {
        match self {
            ItaName::VeryLight => (55.0, f64::INFINITY),
            ItaName::Light => (41.0, 55.0),
            ItaName::Intermediate => (28.0, 41.0),
            ItaName::Tan => (10.0, 28.0),
            ItaName::Brown => (-30.0, 10.0),
            ItaName::Dark => (f64::NEG_INFINITY, -30.0),
        }
    }
    /// snake_case name, e.g. for file names.
    pub fn label(self) -> &'static str {
        match self {
            ItaName::VeryLight => "very_light",
            ItaName::Light => "light",
            ItaName::Intermediate => "intermediate",
            ItaName::Tan => "tan",
            ItaName::Brown => "brown",
            ItaName::Dark => "dark",
        }
    }
}

/// One representative target ITA per Del Bino class, light to dark.
pub fn ita_classes() -> [(ItaName, f64); 6] {
    [
        (ItaName::VeryLight, 62.0),
        (ItaName::Light, 48.0),
        (ItaName::Intermediate, 35.0),
        (ItaName::Tan, 19.0),
        (ItaName::Brown, -10.0),
        (ItaName::Dark, -45.0),
    ]
}

// ---------------------------------------------------------------------------------------
// Optical model
// ---------------------------------------------------------------------------------------

/// Linear RGB of the skin model for concentrations (melanin, hemoglobin, shading).
pub fn model_linear(cm: f64, ch: f64, s: f64) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let od = cm * SYNTH_MELANIN[k] + ch * SYNTH_HEMOGLOBIN[k] + s + SYNTH_BIAS[k];
        *o = (-od).exp();
    }
    out
}

/// CIELAB of the skin model for concentrations (melanin, hemoglobin, shading), unquantised.
pub fn model_lab(cm: f64, ch: f64, s: f64) -> [f64; 3] {
    linear_to_lab(model_linear(cm, ch, s))
}

/// (melanin, hemoglobin, shading) that `SYNTH_BIAS` alone decomposes into: an estimator that uses the same
/// vectors but does not subtract the bias reads the truth plus this offset (≈ +0.379, +0.473, −0.169).
pub fn bias_as_concentrations() -> [f64; 3] {
    let a: [[f64; 3]; 3] = std::array::from_fn(|k| [SYNTH_MELANIN[k], SYNTH_HEMOGLOBIN[k], 1.0]);
    solve3(a, SYNTH_BIAS)
}

/// Inverse of the model for one linear colour: (melanin, hemoglobin, shading) with the bias removed.
pub fn decompose_linear(lin: [f64; 3]) -> [f64; 3] {
    let od: [f64; 3] = std::array::from_fn(|k| -(lin[k].max(1e-6)).ln() - SYNTH_BIAS[k]);
    let a: [[f64; 3]; 3] = std::array::from_fn(|k| [SYNTH_MELANIN[k], SYNTH_HEMOGLOBIN[k], 1.0]);
    solve3(a, od)
}

fn det3(a: [[f64; 3]; 3]) -> f64 {
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
}

fn solve3(a: [[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    let d = det3(a);
    std::array::from_fn(|j| {
        let mut aj = a;
        for (row, vi) in aj.iter_mut().zip(v) {
            row[j] = vi;
        }
        det3(aj) / d
    })
}

/// Skin tone of a target ITA through the ideal camera: (base melanin, base hemoglobin, base shading).
pub fn calibrate_tone(target_ita: f64) -> (f64, f64, f64) {
    Camera::IDEAL.calibrate_tone(target_ita)
}

/// A scene's camera: its density vectors and its channel crosstalk in linear RGB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// Melanin unit vector (R,G,B) in optical density.
    pub melanin: [f64; 3],
    /// Hemoglobin unit vector (R,G,B) in optical density.
    pub hemoglobin: [f64; 3],
    /// Linear-RGB mixing: out[r] = Σ_c crosstalk[r][c] · in[c] (rows sum to 1).
    pub crosstalk: [[f64; 3]; 3],
    /// Constant density offset (R,G,B).
    pub bias: [f64; 3],
}

impl Camera {
    /// The centre vectors (`SYNTH_MELANIN`, `SYNTH_HEMOGLOBIN`), no crosstalk.
    pub const IDEAL: Camera = Camera {
        melanin: SYNTH_MELANIN,
        hemoglobin: SYNTH_HEMOGLOBIN,
        crosstalk: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        bias: SYNTH_BIAS,
    };

    /// Tone at which every camera records the ideal camera's skin colour (ITA 35°).
    pub const REFERENCE_ITA: f64 = 35.0;

    /// The camera of a seed: melanin at a uniform point from 15 % before Tsumura's vector to
    /// 15 % past the ICA one, both vectors jittered (σ 0.02 melanin, 0.03 hemoglobin per
    /// component, then normalised), off-diagonal crosstalk uniform in 0.03–0.08, and the
    /// bias that records the ideal camera's skin colour at `REFERENCE_ITA`.
    pub fn for_seed(seed: u64) -> Camera {
        let mut rng = Rng::stream(seed, tag::CAMERA);
        let [a, b] = PUBLISHED_MELANIN;
        let t = rng.range(-0.15, 1.15);
        let mut jitter = |v: [f64; 3], sd: f64| {
            let j: [f64; 3] = std::array::from_fn(|k| v[k] + sd * rng.gauss());
            let n = (j[0] * j[0] + j[1] * j[1] + j[2] * j[2]).sqrt();
            j.map(|x| x / n)
        };
        let melanin = jitter(std::array::from_fn(|k| a[k] + t * (b[k] - a[k])), 0.02);
        let hemoglobin = jitter(SYNTH_HEMOGLOBIN, 0.03);
        let mut crosstalk = [[0.0; 3]; 3];
        for (r, row) in crosstalk.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                if c != r {
                    *v = rng.range(0.03, 0.08);
                }
            }
            row[r] = 1.0 - row.iter().sum::<f64>();
        }
        let (cm, ch, sh) = Camera::IDEAL.calibrate(Camera::REFERENCE_ITA);
        let raw = solve3(crosstalk, Camera::IDEAL.scene_linear(cm, ch, sh));
        let bias =
            std::array::from_fn(|k| -raw[k].ln() - cm * melanin[k] - ch * hemoglobin[k] - sh);
        Camera {
            melanin,
            hemoglobin,
            crosstalk,
            bias,
        }
    }

    /// Linear RGB of the densities alone, before the crosstalk (`exp(-S)`).
    pub fn scene_linear(&self, cm: f64, ch: f64, s: f64) -> [f64; 3] {
        std::array::from_fn(|k| {
            (-(cm * self.melanin[k] + ch * self.hemoglobin[k] + s + self.bias[k])).exp()
        })
    }

    /// The crosstalk applied to a linear colour.
    pub fn mix(&self, lin: [f64; 3]) -> [f64; 3] {
        let x = &self.crosstalk;
        std::array::from_fn(|r| x[r][0] * lin[0] + x[r][1] * lin[1] + x[r][2] * lin[2])
    }

    /// Linear RGB the camera records for concentrations (melanin, hemoglobin, shading).
    pub fn linear(&self, cm: f64, ch: f64, s: f64) -> [f64; 3] {
        self.mix(self.scene_linear(cm, ch, s))
    }

    /// CIELAB the camera records, unquantised.
    pub fn lab(&self, cm: f64, ch: f64, s: f64) -> [f64; 3] {
        linear_to_lab(self.linear(cm, ch, s))
    }

    /// Inverse for one recorded linear colour: undo the crosstalk, then the densities
    /// (bias removed).
    pub fn decompose_linear(&self, lin: [f64; 3]) -> [f64; 3] {
        let x = self.crosstalk;
        let raw = solve3(x, lin);
        let od: [f64; 3] = std::array::from_fn(|k| -(raw[k].max(1e-6)).ln() - self.bias[k]);
        let a: [[f64; 3]; 3] = std::array::from_fn(|k| [self.melanin[k], self.hemoglobin[k], 1.0]);
        solve3(a, od)
    }

    /// The density directions a linear unmixing of the recorded photo sees at `tone`
    /// (unit melanin and hemoglobin vectors): with crosstalk they differ slightly from the
    /// scene's own, and they are the "true vectors" of an oracle decomposition.
    pub fn effective_vectors(&self, tone: (f64, f64, f64)) -> ([f64; 3], [f64; 3]) {
        let (cm, ch, s) = tone;
        let od = |c: [f64; 3]| self.linear(c[0], c[1], c[2]).map(|v| -v.ln());
        let d = 1e-4;
        let base = od([cm, ch, s]);
        let dir = |dc: [f64; 3]| {
            let p = od([cm + dc[0], ch + dc[1], s + dc[2]]);
            let v: [f64; 3] = std::array::from_fn(|k| (p[k] - base[k]) / d);
            let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            v.map(|x| x / n)
        };
        (dir([d, 0.0, 0.0]), dir([0.0, d, 0.0]))
    }

    /// Skin tone of a target ITA: (base melanin, base hemoglobin, base shading) found by bisection.
    pub fn calibrate_tone(&self, target_ita: f64) -> (f64, f64, f64) {
        self.calibrate(target_ita)
    }

    fn calibrate(&self, target_ita: f64) -> (f64, f64, f64) {
        let ita_at =
            |cm: f64| ita_of_lab(self.lab(cm, SYNTH_BASE_HEMOGLOBIN, SYNTH_TONE_SHADING * cm));
        // ITA decreases monotonically with melanin over [0, 4] for these constants.
        let (mut lo, mut hi) = (0.0f64, 4.0f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if ita_at(mid) > target_ita {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let cm = 0.5 * (lo + hi);
        (cm, SYNTH_BASE_HEMOGLOBIN, SYNTH_TONE_SHADING * cm)
    }
}

// ---------------------------------------------------------------------------------------
// Scene specification
// ---------------------------------------------------------------------------------------

/// What to render; build with `SceneSpec::skin(ita, seed)` and chain setters.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneSpec {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Target ITA (degrees) of the lesion-free, unshaded skin.
    pub ita: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Camera noise, Gaussian, in 8-bit sRGB levels (per channel, independent).
    pub noise_sigma: f32,
    /// JPEG quality of the final images (None = no JPEG round trip).
    pub jpeg_quality: Option<u8>,
    /// Number of melanin spots (pigment lesions).
    pub spots: usize,
    /// Number of hemoglobin blobs (red scars / redness).
    pub red_scars: usize,
    /// Number of atrophic pits (shading increase).
    pub pits: usize,
    /// Number of raised scars (shading decrease).
    pub raised_scars: usize,
    /// Pores (small dark shading dots).
    pub pores: bool,
    /// Smooth illumination gradient (up to about ±0.3 OD).
    pub illumination: bool,
    /// Face-like composition with non-skin regions (hair, background, cloth, lips, eyes).
    pub compose: bool,
    /// Mild low-frequency melanin/hemoglobin mottle (σ ≈ 0.02 / 0.03).
    pub mottle: bool,
    /// Render through `Camera::IDEAL` instead of the seed's camera.
    pub ideal_camera: bool,
}

impl SceneSpec {
    /// Skin close-up, 256×256, 4 spots, pores, fine texture, illumination, noise 2, JPEG 85.
    pub fn skin(ita: f64, seed: u64) -> Self {
        SceneSpec {
            width: 256,
            height: 256,
            ita,
            seed,
            noise_sigma: 2.0,
            jpeg_quality: Some(85),
            spots: 4,
            red_scars: 0,
            pits: 0,
            raised_scars: 0,
            pores: true,
            illumination: true,
            compose: false,
            mottle: true,
            ideal_camera: false,
        }
    }
    /// Composed face-like scene with every lesion kind (4 spots, 2 red, 3 pits, 2 raised).
    pub fn face(ita: f64, seed: u64) -> Self {
        SceneSpec::skin(ita, seed)
            .compose(true)
            .red_scars(2)
            .pits(3)
            .raised_scars(2)
    }
    /// Set width and height.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    /// Set the target ITA.
    pub fn ita(mut self, ita: f64) -> Self {
        self.ita = ita;
        self
    }
    /// Render through the ideal camera (centre vectors, no crosstalk): the model's self-checks only.
    pub fn ideal_camera(mut self, on: bool) -> Self {
        self.ideal_camera = on;
        self
    }
    /// The camera this spec renders through.
    pub fn camera(&self) -> Camera {
        if self.ideal_camera {
            Camera::IDEAL
        } else {
            Camera::for_seed(self.seed)
        }
    }
    /// Set the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Set camera noise σ (8-bit levels).
    pub fn noise_sigma(mut self, sigma: f32) -> Self {
        self.noise_sigma = sigma;
        self
    }
    /// Set JPEG quality (None disables the round trip).
    pub fn jpeg_quality(mut self, q: Option<u8>) -> Self {
        self.jpeg_quality = q;
        self
    }
    /// Set the number of melanin spots.
    pub fn spots(mut self, n: usize) -> Self {
        self.spots = n;
        self
    }
    /// Set the number of red scars.
    pub fn red_scars(mut self, n: usize) -> Self {
        self.red_scars = n;
        self
    }
    /// Set the number of atrophic pits.
    pub fn pits(mut self, n: usize) -> Self {
        self.pits = n;
        self
    }
    /// Set the number of raised scars.
    pub fn raised_scars(mut self, n: usize) -> Self {
        self.raised_scars = n;
        self
    }
    /// Pores on/off.
    pub fn pores(mut self, on: bool) -> Self {
        self.pores = on;
        self
    }
    /// Illumination gradient on/off.
    pub fn illumination(mut self, on: bool) -> Self {
        self.illumination = on;
        self
    }
    /// Face composition with non-skin regions on/off.
    pub fn compose(mut self, on: bool) -> Self {
        self.compose = on;
        self
    }
    /// Chromophore mottle on/off.
    pub fn mottle(mut self, on: bool) -> Self {
        self.mottle = on;
        self
    }
    /// No lesions of any kind.
    pub fn no_lesions(self) -> Self {
        self.spots(0).red_scars(0).pits(0).raised_scars(0)
    }
    /// Camera-perfect output: no noise, no JPEG.
    pub fn clean(self) -> Self {
        self.noise_sigma(0.0).jpeg_quality(None)
    }
    /// Render the scene.
    pub fn render(&self) -> Scene {
        render_scene(self)
    }
    /// Render once per process and share (tests in one binary that use the same spec pay once;
    /// keeps the 16 most recent scenes).
    pub fn render_cached(&self) -> Arc<Scene> {
        static CACHE: OnceLock<Mutex<Vec<Arc<Scene>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        if let Some(s) = cache.lock().unwrap().iter().find(|s| s.spec == *self) {
            return Arc::clone(s);
        }
        let scene = Arc::new(self.render());
        let mut c = cache.lock().unwrap();
        if c.len() >= 16 {
            c.remove(0);
        }
        c.push(Arc::clone(&scene));
        scene
    }
}

// ---------------------------------------------------------------------------------------
// Scene output
// ---------------------------------------------------------------------------------------

/// Kind of a synthetic lesion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LesionKind {
    /// Melanin excess (pigment spot).
    Spot,
    /// Hemoglobin excess (red scar / redness).
    RedScar,
    /// Atrophic pit: shading increase (darker).
    Pit,
    /// Raised scar: shading decrease (lighter), optional darker rim.
    RaisedScar,
}

/// Region label of a pixel (non-skin regions exist only in `compose` scenes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    Skin,
    Background,
    Hair,
    Cloth,
    /// Lips: rendered with the skin model (high hemoglobin) but counted as non-skin.
    Lips,
    /// Sclera, iris and eyebrows.
    Eye,
}

/// Ground truth of one lesion.
#[derive(Clone, Debug)]
pub struct LesionTruth {
    /// Value of this lesion in `Scene::lesion_label`.
    pub label: u16,
    /// What it is.
    pub kind: LesionKind,
    /// Centroid (x, y) of the mask, pixels.
    pub centre: (f64, f64),
    /// Bounding box of the mask: (x0, y0, x1, y1), x1/y1 exclusive.
    pub bbox: (u32, u32, u32, u32),
    /// Bounding box of everything the lesion changes (its support), x1/y1 exclusive.
    pub support_bbox: (u32, u32, u32, u32),
    /// Number of mask pixels.
    pub area: usize,
    /// Peak amplitude: concentration excess (spot, red) or shading change (pit > 0, raised < 0).
    pub peak: f64,
    /// ΔE00 between mean Lab inside the mask and the lesion-free render of the same pixels (noise-free).
    pub delta_e00_rendered: f64,
}

/// A rendered scene with its ground truth.
#[derive(Clone, Debug)]
pub struct Scene {
    /// The spec it was rendered from.
    pub spec: SceneSpec,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Final RGBA image: camera noise + JPEG (as the engine would receive it).
    pub rgba: Vec<u8>,
    /// Same scene with no noise and no JPEG.
    pub clean_rgba: Vec<u8>,
    /// Ground-truth melanin concentration c_m per pixel (skin field; meaningful where `skin_mask`).
    pub melanin: Vec<f32>,
    /// Ground-truth hemoglobin concentration c_h per pixel (skin field).
    pub hemoglobin: Vec<f32>,
    /// Ground-truth shading s per pixel (tone offset + illumination + texture + pores + relief).
    pub shading: Vec<f32>,
    /// Shading part due to pits (> 0) and raised scars (< 0, rim > 0) only.
    pub relief: Vec<f32>,
    /// True where the pixel is (at least half) skin.
    pub skin_mask: Vec<bool>,
    /// Region label per pixel.
    pub regions: Vec<Region>,
    /// Spot masks (melanin excess ≥ 50 % of the lesion's peak).
    pub spot_mask: Vec<bool>,
    /// Red-scar masks (hemoglobin excess ≥ 50 % of peak).
    pub red_mask: Vec<bool>,
    /// Pit masks (relief ≥ 50 % of peak).
    pub pit_mask: Vec<bool>,
    /// Raised-scar masks (shading decrease ≥ 50 % of peak).
    pub raised_mask: Vec<bool>,
    /// Lesion label per pixel over each lesion's support (0 = none); see `LesionTruth::label`.
    pub lesion_label: Vec<u16>,
    /// Final image (same noise, same JPEG) with the spots' melanin excess removed.
    pub spot_free_rgba: Vec<u8>,
    /// Final image with the red scars' hemoglobin excess removed.
    pub red_free_rgba: Vec<u8>,
    /// Final image with pits and raised scars removed (pores and fine texture kept).
    pub relief_free_rgba: Vec<u8>,
    /// Spot truths.
    pub spots: Vec<LesionTruth>,
    /// Red-scar truths.
    pub red_scars: Vec<LesionTruth>,
    /// Pit truths.
    pub pits: Vec<LesionTruth>,
    /// Raised-scar truths.
    pub raised_scars: Vec<LesionTruth>,
    /// Base melanin of the lesion-free skin (from tone calibration).
    pub base_melanin: f64,
    /// Base hemoglobin of the lesion-free skin.
    pub base_hemoglobin: f64,
    /// Tone shading offset (= SYNTH_TONE_SHADING * base_melanin), included in `shading`.
    pub base_shading: f64,
    /// Lab of the calibrated lesion-free, unshaded, noise-free skin colour (unquantised).
    pub base_lab: [f64; 3],
    /// The camera the scene was rendered through.
    pub camera: Camera,
}

impl Scene {
    /// Number of pixels.
    pub fn len(&self) -> usize {
        (self.width * self.height) as usize
    }
    /// All lesions, every kind.
    pub fn lesions(&self) -> impl Iterator<Item = &LesionTruth> {
        self.spots
            .iter()
            .chain(&self.red_scars)
            .chain(&self.pits)
            .chain(&self.raised_scars)
    }
    /// Fraction of pixels that are skin.
    pub fn skin_fraction(&self) -> f64 {
        self.skin_mask.iter().filter(|&&b| b).count() as f64 / self.len() as f64
    }
    /// Pixel index of (x, y).
    pub fn idx(&self, x: u32, y: u32) -> usize {
        (y * self.width + x) as usize
    }
    /// Ground-truth mask of one lesion kind.
    pub fn mask(&self, kind: LesionKind) -> &[bool] {
        match kind {
            LesionKind::Spot => &self.spot_mask,
            LesionKind::RedScar => &self.red_mask,
            LesionKind::Pit => &self.pit_mask,
            LesionKind::RaisedScar => &self.raised_mask,
        }
    }
    /// Final image with that kind removed (pits and raised scars share `relief_free_rgba`).
    pub fn lesion_free_rgba(&self, kind: LesionKind) -> &[u8] {
        match kind {
            LesionKind::Spot => &self.spot_free_rgba,
            LesionKind::RedScar => &self.red_free_rgba,
            LesionKind::Pit | LesionKind::RaisedScar => &self.relief_free_rgba,
        }
    }
    /// Truths of one lesion kind.
    pub fn truths(&self, kind: LesionKind) -> &[LesionTruth] {
        match kind {
            LesionKind::Spot => &self.spots,
            LesionKind::RedScar => &self.red_scars,
            LesionKind::Pit => &self.pits,
            LesionKind::RaisedScar => &self.raised_scars,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Look-up tables (built once per process)
//
// Test code is compiled without optimisation, so per-pixel work is kept to table look-ups
// and a few arithmetic operations.
// ---------------------------------------------------------------------------------------

const LIN_STEPS: usize = 4096;
const GAUSS_BITS: u32 = 20;
const GAUSS_MASK: usize = (1 << GAUSS_BITS) - 1;

/// 255 × sRGB-encode(lin) for lin = j / LIN_STEPS.
fn lin_lut() -> &'static [f32] {
    static LUT: OnceLock<Vec<f32>> = OnceLock::new();
    LUT.get_or_init(|| {
        (0..=LIN_STEPS)
            .map(|j| (255.0 * srgb_encode(j as f64 / LIN_STEPS as f64)) as f32)
            .collect()
    })
}

/// 2^20 independent standard normals (xorshift64 + Box–Muller, fixed seed). Scenes take disjoint
/// windows at seed-dependent offsets, so per-scene noise costs a copy, not a generator call.
fn gauss_table() -> &'static [f32] {
    static T: OnceLock<Vec<f32>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = vec![0f32; GAUSS_MASK + 1];
        let tt: &mut [f32] = &mut t;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        const INV53: f64 = 1.0 / (1u64 << 53) as f64;
        let mut j = 0;
        while j + 1 < tt.len() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u1 = ((x >> 11) as f64 + 1.0) * INV53; // (0, 1]
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u2 = (x >> 11) as f64 * INV53;
            let r = (-2.0 * u1.ln()).sqrt();
            let (sn, cs) = (2.0 * PI * u2).sin_cos();
            tt[j] = (r * cs) as f32;
            tt[j + 1] = (r * sn) as f32;
            j += 2;
        }
        t
    })
}

/// Float sRGB (0..255) of a linear value (clipped to 0..1).
#[inline(always)]
fn lin_to_srgb(lut: &[f32], lin: f32) -> f32 {
    let x = lin * LIN_STEPS as f32;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= LIN_STEPS as f32 {
        return 255.0;
    }
    let j = x as usize;
    let f = x - j as f32;
    let a = lut[j];
    a + (lut[j + 1] - a) * f
}

/// Round to 8 bits (saturating).
#[inline(always)]
fn q8(v: f32) -> u8 {
    (v + 0.5) as u8
}

// ---------------------------------------------------------------------------------------
// Smooth random fields
// ---------------------------------------------------------------------------------------

fn smoothstep01(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Value noise: Gaussian lattice (spacing `cell` px) interpolated with smoothstep, std ≈ 0.75 before `amp`.
/// Evaluated separably (per row: lattice rows lerped once, then per-pixel lerp).
fn value_noise_field(w: usize, h: usize, cell: f64, amp: f32, rng: &mut Rng) -> Vec<f32> {
    let gw = (w as f64 / cell).ceil() as usize + 2;
    let gh = (h as f64 / cell).ceil() as usize + 2;
    let lat: Vec<f32> = (0..gw * gh).map(|_| amp * rng.gauss() as f32).collect();
    let mut xi = vec![0usize; w];
    let mut xs = vec![0f32; w];
    for x in 0..w {
        let fx = x as f64 / cell;
        xi[x] = fx as usize;
        xs[x] = smoothstep01(fx - fx.floor()) as f32;
    }
    let mut row_v = vec![0f32; gw];
    let mut out = vec![0f32; w * h];
    let (xi, xs, row): (&[usize], &[f32], &mut [f32]) = (&xi, &xs, &mut row_v);
    for y in 0..h {
        let fy = y as f64 / cell;
        let iy = fy as usize;
        let sy = smoothstep01(fy - fy.floor()) as f32;
        let (r0, r1) = (
            &lat[iy * gw..(iy + 1) * gw],
            &lat[(iy + 1) * gw..(iy + 2) * gw],
        );
        let mut g = 0;
        while g < gw {
            row[g] = r0[g] + (r1[g] - r0[g]) * sy;
            g += 1;
        }
        let o = &mut out[y * w..(y + 1) * w];
        let mut x = 0;
        while x < w {
            let j = xi[x];
            let a = row[j];
            o[x] = a + (row[j + 1] - a) * xs[x];
            x += 1;
        }
    }
    out
}

/// `n` standard normals from the shared table, starting at `start` (wrapping).
fn gauss_window(start: usize, n: usize) -> Vec<f32> {
    let t = gauss_table();
    let mut out = Vec::with_capacity(n);
    let mut pos = start & GAUSS_MASK;
    while out.len() < n {
        let take = (n - out.len()).min(t.len() - pos);
        out.extend_from_slice(&t[pos..pos + take]);
        pos = 0;
    }
    out
}

/// Spatially correlated Gaussian texture: white noise blurred by the binomial kernel
/// [1 4 6 4 1]/16 (σ = 1 px) separably, scaled to std `sigma`, plus `offset`.
fn fine_texture(w: usize, h: usize, sigma: f32, offset: f32, start: usize) -> Vec<f32> {
    let white = gauss_window(start, w * h);
    // Std after the blur: (70/256) of the input (sqrt(sum k^2) per dimension, squared for 2-D).
    let gain = sigma * 256.0 / 70.0 / 256.0; // also folds in the 1/16 · 1/16 kernel norm
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        let r = &white[y * w..(y + 1) * w];
        let o = &mut tmp[y * w..(y + 1) * w];
        // Borders replicate the edge pixel; the interior runs without index clamps.
        let edge = |x: usize| {
            let at = |k: isize| r[(x as isize + k).clamp(0, w as isize - 1) as usize];
            (at(-2) + at(2)) + 4.0 * (at(-1) + at(1)) + 6.0 * at(0)
        };
        for x in [0, 1, w - 2, w - 1] {
            o[x] = edge(x);
        }
        let mut x = 2;
        while x + 2 < w {
            o[x] = (r[x - 2] + r[x + 2]) + 4.0 * (r[x - 1] + r[x + 1]) + 6.0 * r[x];
            x += 1;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        let ym2 = y.saturating_sub(2);
        let ym1 = y.saturating_sub(1);
        let yp1 = if y + 1 < h { y + 1 } else { h - 1 };
        let yp2 = if y + 2 < h { y + 2 } else { h - 1 };
        let (a, b) = (&tmp[ym2 * w..(ym2 + 1) * w], &tmp[ym1 * w..(ym1 + 1) * w]);
        let (c, d) = (&tmp[y * w..(y + 1) * w], &tmp[yp1 * w..(yp1 + 1) * w]);
        let e = &tmp[yp2 * w..(yp2 + 1) * w];
        let o = &mut out[y * w..(y + 1) * w];
        let mut x = 0;
        while x < w {
            o[x] = offset + gain * ((a[x] + e[x]) + 4.0 * (b[x] + d[x]) + 6.0 * c[x]);
            x += 1;
        }
    }
    out
}

/// Separable illumination shading `fx[x] + fy[y]`: a linear ramp in a random direction
/// (±0.10..0.22 OD at the half-diagonal) plus a centred radial term (≤ 0.08), zero-mean over the image.
fn illumination_terms(w: usize, h: usize, rng: &mut Rng) -> (Vec<f32>, Vec<f32>) {
    let ang = rng.range(0.0, 2.0 * PI);
    let (dy, dx) = ang.sin_cos();
    let ramp = rng.range(0.10, 0.22);
    let radial = rng.range(0.0, 0.08);
    let (cx, cy) = (0.5 * (w as f64 - 1.0), 0.5 * (h as f64 - 1.0));
    let hd = (cx * cx + cy * cy).sqrt().max(1.0);
    // Mean of (px^2 + py^2) over the rectangle is 1/3 of the half-diagonal squared.
    let fx = (0..w)
        .map(|x| {
            let p = (x as f64 - cx) / hd;
            (ramp * p * dx + radial * (p * p - cx * cx / (3.0 * hd * hd))) as f32
        })
        .collect();
    let fy = (0..h)
        .map(|y| {
            let p = (y as f64 - cy) / hd;
            (ramp * p * dy + radial * (p * p - cy * cy / (3.0 * hd * hd))) as f32
        })
        .collect();
    (fx, fy)
}

/// Pores: jittered grid (9 px cells, 55 % occupied), radius 1–2.5 px, shading +0.04..0.10.
fn add_pores(s: &mut [f32], w: usize, h: usize, rng: &mut Rng) {
    const CELL: usize = 9;
    for gy in (0..h).step_by(CELL) {
        for gx in (0..w).step_by(CELL) {
            let occupied = rng.chance(0.55);
            let cx = gx as f64 + rng.range(0.0, CELL as f64);
            let cy = gy as f64 + rng.range(0.0, CELL as f64);
            let r = rng.range(1.0, 2.5);
            let a = rng.range(0.04, 0.10);
            if !occupied {
                continue;
            }
            // Profile a (1 - d²/R²)², R = 1.4 r: half height at d ≈ 0.76 r.
            let big_r = 1.4 * r;
            let inv = 1.0 / (big_r * big_r);
            let (x0, y0, x1, y1) = clip_box(cx - big_r, cy - big_r, cx + big_r, cy + big_r, w, h);
            for y in y0..y1 {
                let dy2 = (y as f64 - cy) * (y as f64 - cy);
                for x in x0..x1 {
                    let d2 = ((x as f64 - cx) * (x as f64 - cx) + dy2) * inv;
                    if d2 < 1.0 {
                        s[y * w + x] += (a * (1.0 - d2) * (1.0 - d2)) as f32;
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Composition (non-skin regions)
// ---------------------------------------------------------------------------------------

/// Rotated ellipse with precomputed terms; coverage has a ~1.5 px anti-aliased edge.
#[derive(Clone, Copy)]
struct Ell {
    cx: f64,
    cy: f64,
    rx: f64,
    ry: f64,
    c: f64,
    s: f64,
    irx2: f64,
    iry2: f64,
    inner2: f64,
    outer2: f64,
}

impl Ell {
    fn new(cx: f64, cy: f64, rx: f64, ry: f64, rot: f64) -> Self {
        let (s, c) = rot.sin_cos();
        let m = 1.0 / rx.min(ry);
        Ell {
            cx,
            cy,
            rx,
            ry,
            c,
            s,
            irx2: 1.0 / (rx * rx),
            iry2: 1.0 / (ry * ry),
            inner2: (1.0 - m).max(0.0).powi(2),
            outer2: (1.0 + m).powi(2),
        }
    }
    /// Coverage in [0, 1] of pixel centre (x, y).
    #[inline(always)]
    fn coverage(&self, x: f64, y: f64) -> f64 {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let u = self.c * dx + self.s * dy;
        let v = self.c * dy - self.s * dx;
        let q = u * u * self.irx2 + v * v * self.iry2;
        if q <= self.inner2 {
            return 1.0;
        }
        if q >= self.outer2 {
            return 0.0;
        }
        let d = q.sqrt();
        let (gx, gy) = (u * self.irx2, v * self.iry2);
        let g = (gx * gx + gy * gy).sqrt() / d.max(1e-9);
        cov_from_sd((d - 1.0) / g.max(1e-9))
    }
    /// Pixel bounding box, clipped, exclusive end.
    fn bbox(&self, w: usize, h: usize) -> (usize, usize, usize, usize) {
        let r = self.rx.max(self.ry) + 2.0;
        clip_box(self.cx - r, self.cy - r, self.cx + r, self.cy + r, w, h)
    }
}

fn cov_from_sd(sd: f64) -> f64 {
    (0.5 - sd / 1.5).clamp(0.0, 1.0)
}

fn clip_box(
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    w: usize,
    h: usize,
) -> (usize, usize, usize, usize) {
    let cx = |v: f64| v.clamp(0.0, w as f64) as usize;
    let cy = |v: f64| v.clamp(0.0, h as f64) as usize;
    (
        cx(x0.floor()),
        cy(y0.floor()),
        cx(x1.ceil() + 1.0),
        cy(y1.ceil() + 1.0),
    )
}

/// Per-pixel compositing state: skin weight, premultiplied non-skin linear colour, dominant non-skin region.
#[derive(Clone, Copy)]
struct Px {
    sw: f32,
    ns: [f32; 3],
    region: Region,
    best: f32,
}

impl Px {
    /// Paint skin with coverage a.
    fn skin(&mut self, a: f32) {
        if a <= 0.0 {
            return;
        }
        let k = 1.0 - a;
        self.sw = a + k * self.sw;
        self.ns = [k * self.ns[0], k * self.ns[1], k * self.ns[2]];
        self.best *= k;
    }
    /// Paint a non-skin colour (linear RGB) with coverage a.
    fn paint(&mut self, a: f32, region: Region, c: [f32; 3]) {
        if a <= 0.0 {
            return;
        }
        let k = 1.0 - a;
        self.sw *= k;
        self.ns = [
            a * c[0] + k * self.ns[0],
            a * c[1] + k * self.ns[1],
            a * c[2] + k * self.ns[2],
        ];
        self.best *= k;
        if a >= self.best {
            self.best = a;
            self.region = region;
        }
    }
}

/// Composited layout: skin weight and premultiplied non-skin colour per pixel.
struct Comp {
    px: Vec<Px>,
}

/// Face-like layout: background, hair, face (skin), fringe, eyes, brows, lips, cloth.
/// `ex`, `ey`: separable illumination transmittance exp(-fx), exp(-fy).
fn compose_layout(
    w: usize,
    h: usize,
    rng: &mut Rng,
    illum: (&[f32], &[f32]),
    tone: (f64, f64, f64),
    camera: &Camera,
) -> Comp {
    let (wf, hf) = (w as f64, h as f64);
    let j = |rng: &mut Rng, s: f64| rng.range(-s, s);
    let ex: Vec<f32> = illum.0.iter().map(|v| (-v).exp()).collect();
    let ey: Vec<f32> = illum.1.iter().map(|v| (-v).exp()).collect();

    // Background: grey, blue-grey or green with a ±20 % linear gradient.
    let bg_pal = [
        [0.20f32, 0.20, 0.21],
        [0.11, 0.16, 0.28],
        [0.09, 0.20, 0.10],
    ];
    let bg = bg_pal[rng.below(bg_pal.len())];
    let (gs, gc) = rng.range(0.0, 2.0 * PI).sin_cos();
    let gx: Vec<f32> = (0..w)
        .map(|x| (0.4 * gc * (x as f64 / wf - 0.5)) as f32)
        .collect();
    let gy: Vec<f32> = (0..h)
        .map(|y| (1.0 + 0.4 * gs * (y as f64 / hf - 0.5)) as f32)
        .collect();

    // Hair: near-neutral black or soft black, strand texture (not a skin-model colour).
    let hair_pal = [[0.012f32, 0.011, 0.011], [0.020, 0.017, 0.016]];
    let hair = hair_pal[rng.below(hair_pal.len())];
    let (p1, p2, p3) = (
        rng.range(0.0, 6.3),
        rng.range(0.0, 6.3),
        rng.range(0.0, 6.3),
    );
    // Strands: t = 0.6 sin(0.9 x + A(y)) + 0.4 sin(2.1 x + B(y)), A and B slowly varying with y;
    // expanded with sin(a + b) = sin a cos b + cos a sin b into per-column and per-row tables.
    let trig = |n: usize, f: &dyn Fn(f64) -> f64| -> (Vec<f32>, Vec<f32>) {
        (0..n)
            .map(|i| {
                let (s, c) = f(i as f64).sin_cos();
                (s as f32, c as f32)
            })
            .unzip()
    };
    let (s1x, c1x) = trig(w, &|x| 0.9 * x);
    let (s2x, c2x) = trig(w, &|x| 2.1 * x);
    let (sa, ca) = trig(h, &|y| 2.2 * (y * 0.045 + p1).sin());
    let (sb, cb) = trig(h, &|y| 1.5 * (y * 0.07 + p2).sin() + p3);
    let hair_col = |x: usize, y: usize| -> [f32; 3] {
        let t = 0.6 * (s1x[x] * ca[y] + c1x[x] * sa[y]) + 0.4 * (s2x[x] * cb[y] + c2x[x] * sb[y]);
        let f = (1.0 + 0.45 * t) * ex[x] * ey[y];
        [hair[0] * f, hair[1] * f, hair[2] * f]
    };

    let face = Ell::new(
        wf * (0.5 + j(rng, 0.02)),
        hf * (0.56 + j(rng, 0.02)),
        wf * (0.40 + j(rng, 0.015)),
        hf * (0.54 + j(rng, 0.015)),
        j(rng, 0.05),
    );
    let head = Ell::new(
        face.cx,
        face.cy - 0.05 * hf,
        face.rx * 1.13,
        face.ry * 1.04,
        0.0,
    );
    let hair_bottom = hf * 0.74;
    let hairline0 = hf * (0.17 + j(rng, 0.02));
    let (q1, q2) = (rng.range(0.0, 6.3), rng.range(0.0, 6.3));
    let hairline: Vec<f64> = (0..w)
        .map(|x| {
            let xf = x as f64;
            let u = (xf - face.cx) / face.rx;
            hairline0
                + hf * 0.20 * u.powi(4)
                + 2.0 * (xf * 0.35 + q1).sin()
                + 1.5 * (xf * 0.13 + q2).sin()
        })
        .collect();

    // Cloth: saturated, textured band at the bottom.
    let cloth_pal = [
        [0.02f32, 0.06, 0.40],
        [0.03, 0.30, 0.06],
        [0.18, 0.03, 0.35],
        [0.01, 0.22, 0.24],
    ];
    let cloth = cloth_pal[rng.below(cloth_pal.len())];
    let cloth_y = hf * (0.915 + j(rng, 0.01));
    let bow = rng.range(0.01, 0.04) * hf;
    let cloth_line: Vec<f64> = (0..w)
        .map(|x| {
            let u = x as f64 / wf - 0.5;
            cloth_y - bow * (1.0 - 4.0 * u * u)
        })
        .collect();
    let cloth_top = (cloth_y - bow - 2.0).max(0.0) as usize;
    let fold_phase = rng.range(0.0, 6.3);
    // Weave 0.10 sin(1.3 x) sin(1.3 y) and folds 0.18 sin(0.045 x + F(y)), tabulated as above.
    let (swx, _) = trig(w, &|x| 1.3 * x);
    let (swy, _) = trig(h, &|y| 1.3 * y);
    let (sfx, cfx) = trig(w, &|x| 0.045 * x);
    let (sfy, cfy) = trig(h, &|y| 2.0 * (y * 0.03 + fold_phase).sin());

    let (hx0, hy0, hx1, hy1) = head.bbox(w, h);
    let (fx0, fy0, fx1, fy1) = face.bbox(w, h);
    let blank = Px {
        sw: 0.0,
        ns: [0.0; 3],
        region: Region::Background,
        best: 0.0,
    };
    let mut px_vec = vec![blank; w * h];
    let px: &mut [Px] = &mut px_vec;
    let (gx, ex, hairline, cloth_line): (&[f32], &[f32], &[f64], &[f64]) =
        (&gx, &ex, &hairline, &cloth_line);
    for y in 0..h {
        let yf = y as f64;
        let bottom_ramp = ((hair_bottom - yf) / 6.0).clamp(0.0, 1.0);
        let in_head_rows = y >= hy0 && y < hy1;
        let in_face_rows = y >= fy0 && y < fy1;
        let (gyy, eyy) = (gy[y], ey[y]);
        let mut x = 0;
        while x < w {
            let xf = x as f64;
            let f = (gx[x] + gyy) * ex[x] * eyy;
            let mut p = Px {
                sw: 0.0,
                ns: [bg[0] * f, bg[1] * f, bg[2] * f],
                region: Region::Background,
                best: 1.0,
            };
            let head_cov = if in_head_rows && x >= hx0 && x < hx1 {
                head.coverage(xf, yf)
            } else {
                0.0
            };
            if head_cov > 0.0 && bottom_ramp > 0.0 {
                p.paint(
                    (head_cov * bottom_ramp) as f32,
                    Region::Hair,
                    hair_col(x, y),
                );
            }
            if in_face_rows && x >= fx0 && x < fx1 {
                let a = face.coverage(xf, yf);
                if a > 0.0 {
                    p.skin(a as f32);
                    let fr = cov_from_sd(yf - hairline[x]) * head_cov;
                    if fr > 0.0 {
                        p.paint(fr as f32, Region::Hair, hair_col(x, y));
                    }
                }
            }
            if y >= cloth_top {
                let a = cov_from_sd(cloth_line[x] - yf);
                if a > 0.0 {
                    let weave = 0.10 * swx[x] * swy[y];
                    let folds = 0.18 * (sfx[x] * cfy[y] + cfx[x] * sfy[y]);
                    let k = (1.0 + weave + folds).max(0.3) * ex[x] * eyy;
                    p.paint(
                        a as f32,
                        Region::Cloth,
                        [cloth[0] * k, cloth[1] * k, cloth[2] * k],
                    );
                }
            }
            px[y * w + x] = p;
            x += 1;
        }
    }

    // Eyes (sclera + iris) and eyebrows.
    let eye_y = face.cy - 0.10 * hf;
    let eye_dx = 0.155 * wf;
    let iris_pal = [[0.020f32, 0.015, 0.013], [0.03, 0.04, 0.06]];
    let iris_col = iris_pal[rng.below(iris_pal.len())];
    for side in [-1.0, 1.0] {
        let sclera = Ell::new(
            face.cx + side * eye_dx,
            eye_y,
            0.065 * wf,
            0.026 * hf,
            side * 0.05,
        );
        let iris = Ell::new(
            sclera.cx + j(rng, 0.01 * wf),
            eye_y,
            0.023 * wf,
            0.023 * wf,
            0.0,
        );
        let brow = Ell::new(
            sclera.cx + side * 0.01 * wf,
            eye_y - 0.062 * hf,
            0.08 * wf,
            0.014 * hf,
            -side * 0.12,
        );
        let (x0, y0, x1, y1) = sclera.bbox(w, h);
        for y in y0..y1 {
            for x in x0..x1 {
                let (xf, yf) = (x as f64, y as f64);
                let l = ex[x] * ey[y];
                let sc = sclera.coverage(xf, yf);
                let p = &mut px[y * w + x];
                p.paint(sc as f32, Region::Eye, [0.70 * l, 0.66 * l, 0.62 * l]);
                let a = iris.coverage(xf, yf) * sc.sqrt();
                p.paint(
                    a as f32,
                    Region::Eye,
                    [iris_col[0] * l, iris_col[1] * l, iris_col[2] * l],
                );
            }
        }
        let (x0, y0, x1, y1) = brow.bbox(w, h);
        for y in y0..y1 {
            for x in x0..x1 {
                let a = brow.coverage(x as f64, y as f64);
                if a > 0.0 {
                    let c = hair_col(x, y);
                    px[y * w + x].paint(a as f32, Region::Eye, c);
                }
            }
        }
    }

    // Lips: the skin model with high hemoglobin and less melanin (a genuine hard case), counted as non-skin.
    let lips = Ell::new(
        face.cx + j(rng, 0.01 * wf),
        face.cy + 0.24 * hf,
        0.11 * wf,
        0.036 * hf,
        j(rng, 0.04),
    );
    let (bm, bh, bs) = tone;
    let (x0, y0, x1, y1) = lips.bbox(w, h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (xf, yf) = (x as f64, y as f64);
            let a = lips.coverage(xf, yf);
            if a <= 0.0 {
                continue;
            }
            let mouth = (-((yf - lips.cy) / (0.12 * lips.ry)).powi(2)).exp();
            let wrinkle = 0.03 * (xf * 1.7).sin();
            let s = bs + (illum.0[x] + illum.1[y]) as f64 + 0.45 * mouth + wrinkle;
            let c = camera.scene_linear(0.75 * bm, bh + 0.95, s);
            px[y * w + x].paint(
                a as f32,
                Region::Lips,
                [c[0] as f32, c[1] as f32, c[2] as f32],
            );
        }
    }
    Comp { px: px_vec }
}

/// Conservative distance (px) to the nearest pixel that is not fully skin, on 4×4 cells
/// (chamfer 1/√2 on the cell grid). `None` layout = all skin.
fn skin_distance(comp: Option<&Comp>, w: usize, h: usize) -> impl Fn(f64, f64) -> f64 + '_ {
    const C: usize = 4;
    let (cw, ch) = (w.div_ceil(C), h.div_ceil(C));
    let mut d = vec![1.0e6f32; cw * ch];
    if let Some(comp) = comp {
        for y in 0..h {
            let row = &comp.px[y * w..(y + 1) * w];
            let crow = (y / C) * cw;
            for (x, p) in row.iter().enumerate() {
                if p.sw < 0.999 {
                    d[crow + x / C] = 0.0;
                }
            }
        }
        const D: f32 = std::f32::consts::SQRT_2;
        for y in 0..ch {
            for x in 0..cw {
                let i = y * cw + x;
                let mut v = d[i];
                if x > 0 {
                    v = v.min(d[i - 1] + 1.0);
                }
                if y > 0 {
                    v = v.min(d[i - cw] + 1.0);
                    if x > 0 {
                        v = v.min(d[i - cw - 1] + D);
                    }
                    if x + 1 < cw {
                        v = v.min(d[i - cw + 1] + D);
                    }
                }
                d[i] = v;
            }
        }
        for y in (0..ch).rev() {
            for x in (0..cw).rev() {
                let i = y * cw + x;
                let mut v = d[i];
                if x + 1 < cw {
                    v = v.min(d[i + 1] + 1.0);
                }
                if y + 1 < ch {
                    v = v.min(d[i + cw] + 1.0);
                    if x + 1 < cw {
                        v = v.min(d[i + cw + 1] + D);
                    }
                    if x > 0 {
                        v = v.min(d[i + cw - 1] + D);
                    }
                }
                d[i] = v;
            }
        }
    }
    move |x: f64, y: f64| {
        let cx = ((x.max(0.0) as usize) / C).min(cw - 1);
        let cy = ((y.max(0.0) as usize) / C).min(ch - 1);
        // Chamfer over-estimates Euclidean distance by < 8 %; a cell spans C px.
        (C as f64) * (d[cy * cw + cx] as f64 * 0.92 - 1.5)
    }
}

// ---------------------------------------------------------------------------------------
// Lesions
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Shape {
    /// Star-shaped blob: ellipse radius times (1 + Σ a_k cos(kθ + φ_k)); soft edge over ~2 px, slight dome.
    Blob {
        rx: f64,
        ry: f64,
        rot: f64,
        harmonics: Vec<(f64, f64, f64)>,
    },
    /// Elliptic depression, profile 1 - smoothstep((d - 0.25) / 0.75) of the normalised radius d.
    Pit { rx: f64, ry: f64, rot: f64 },
    /// Capsule plateau (segment half-length, radius), edge ramp `edge` px, optional rim (fraction of |peak|).
    Capsule {
        half: f64,
        radius: f64,
        rot: f64,
        edge: f64,
        rim: f64,
    },
}

#[derive(Clone, Debug)]
struct Lesion {
    kind: LesionKind,
    shape: Shape,
    cx: f64,
    cy: f64,
    /// Radius of a disc containing the whole support.
    bound: f64,
    amp: f64,
}

impl Shape {
    fn blob_radius(rx: f64, ry: f64, rot: f64, harmonics: &[(f64, f64, f64)], theta: f64) -> f64 {
        let t = theta - rot;
        let re = rx * ry / ((ry * t.cos()).powi(2) + (rx * t.sin()).powi(2)).sqrt();
        let mut m = 0.0;
        for &(k, a, p) in harmonics {
            m += a * (k * theta + p).cos();
        }
        re * (1.0 + m)
    }
    /// Radius of the support disc.
    fn bound(&self) -> f64 {
        match self {
            Shape::Blob {
                rx, ry, harmonics, ..
            } => {
                let hsum: f64 = harmonics.iter().map(|h| h.1).sum();
                rx.max(*ry) * (1.0 + hsum) + 1.5
            }
            Shape::Pit { rx, ry, .. } => rx.max(*ry) + 0.5,
            Shape::Capsule {
                half, radius, rim, ..
            } => half + radius + if *rim > 0.0 { 3.5 } else { 0.5 },
        }
    }
    /// Normalised profile (peak 1; raised-scar rim is negative) at offset (dx, dy) from the centre.
    fn profile(&self, dx: f64, dy: f64) -> f64 {
        match self {
            Shape::Blob {
                rx,
                ry,
                rot,
                harmonics,
            } => {
                let rho = dx.hypot(dy);
                let r = Shape::blob_radius(*rx, *ry, *rot, harmonics, dy.atan2(dx));
                let sd = rho - r;
                if sd >= 1.0 {
                    return 0.0;
                }
                let edge = smoothstep01(0.5 - sd / 2.0);
                let rn = (rho / rx.max(*ry)).min(1.0);
                (1.0 - 0.2 * rn * rn) * edge
            }
            Shape::Pit { rx, ry, rot } => {
                let (s, c) = rot.sin_cos();
                let u = c * dx + s * dy;
                let v = -s * dx + c * dy;
                let d = ((u / rx).powi(2) + (v / ry).powi(2)).sqrt();
                if d >= 1.0 {
                    return 0.0;
                }
                1.0 - smoothstep01((d - 0.25) / 0.75)
            }
            Shape::Capsule {
                half,
                radius,
                rot,
                edge,
                rim,
            } => {
                let (s, c) = rot.sin_cos();
                let u = c * dx + s * dy;
                let v = -s * dx + c * dy;
                let along = u.abs() - half;
                let dist = if along > 0.0 { along.hypot(v) } else { v.abs() };
                let sd = dist - radius;
                if sd <= 0.0 {
                    smoothstep01(-sd / edge)
                } else if *rim > 0.0 && sd < 3.0 {
                    -rim * (PI * sd / 3.0).sin()
                } else {
                    0.0
                }
            }
        }
    }
}

/// Largest melanin excess of a spot (dark skin needs a large excess for a given ΔE00; capped to stay plausible).
pub const MAX_SPOT_EXCESS: f64 = 1.5;
/// Largest hemoglobin excess of a red scar.
pub const MAX_RED_EXCESS: f64 = 1.0;

/// ΔE00 on the base skin of a chromophore excess `a` applied at 0.9 × (the mean over a lesion mask).
fn excess_delta_e(kind: LesionKind, tone: (f64, f64, f64), cam: &Camera, a: f64) -> f64 {
    let (bm, bh, bs) = tone;
    let lab = match kind {
        LesionKind::Spot => cam.lab(bm + 0.9 * a, bh, bs),
        _ => cam.lab(bm, bh + 0.9 * a, bs),
    };
    delta_e00(cam.lab(bm, bh, bs), lab)
}

/// Target ΔE00 of a new spot / red scar: uniform in [4.5, 11], narrowed to what the excess cap allows
/// on this tone (dark skin: spots ≈ 3–6, red scars ≈ 4–6.5).
fn draw_target_delta_e(
    kind: LesionKind,
    tone: (f64, f64, f64),
    cam: &Camera,
    rng: &mut Rng,
) -> f64 {
    let cap = if kind == LesionKind::Spot {
        MAX_SPOT_EXCESS
    } else {
        MAX_RED_EXCESS
    };
    let hi = excess_delta_e(kind, tone, cam, cap).min(11.0);
    let lo = (0.6 * hi).min(4.5);
    rng.range(lo, hi)
}

/// Amplitude of a chromophore excess whose ΔE00 at 0.9 × amplitude equals `target` on the base skin.
fn amplitude_for_delta_e(
    kind: LesionKind,
    tone: (f64, f64, f64),
    cam: &Camera,
    target: f64,
) -> f64 {
    let de = |a: f64| excess_delta_e(kind, tone, cam, a);
    let (mut lo, mut hi) = (0.0, 3.0);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if de(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn make_lesion(
    kind: LesionKind,
    rng: &mut Rng,
    scale: f64,
    tone: (f64, f64, f64),
    cam: &Camera,
) -> Lesion {
    let shape = match kind {
        LesionKind::Spot | LesionKind::RedScar => {
            let r = (rng.range(6.0, 25.0) * scale).max(4.0);
            let elong = if kind == LesionKind::RedScar {
                rng.range(0.35, 0.8)
            } else {
                rng.range(0.6, 1.0)
            };
            let harmonics = if rng.chance(0.5) {
                (2..=5)
                    .map(|k| {
                        let a = rng.range(0.0, 0.12) / ((k - 1) as f64).sqrt();
                        (k as f64, a, rng.range(0.0, 2.0 * PI))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Shape::Blob {
                rx: r,
                ry: (r * elong).max(4.0),
                rot: rng.range(0.0, PI),
                harmonics,
            }
        }
        LesionKind::Pit => {
            let r = rng.range(8.0, 20.0) * scale;
            Shape::Pit {
                rx: r,
                ry: r * rng.range(0.7, 1.0),
                rot: rng.range(0.0, PI),
            }
        }
        LesionKind::RaisedScar => {
            let radius = rng.range(4.0, 9.0) * scale;
            let half = radius * rng.range(1.5, 4.0);
            let rim = if rng.chance(0.5) {
                rng.range(0.3, 0.5)
            } else {
                0.0
            };
            Shape::Capsule {
                half,
                radius,
                rot: rng.range(0.0, PI),
                edge: (0.4 * radius).max(2.0),
                rim,
            }
        }
    };
    let amp = match kind {
        LesionKind::Spot | LesionKind::RedScar => {
            let target = draw_target_delta_e(kind, tone, cam, rng);
            amplitude_for_delta_e(kind, tone, cam, target)
        }
        LesionKind::Pit => rng.range(0.15, 0.35),
        LesionKind::RaisedScar => -rng.range(0.10, 0.25),
    };
    Lesion {
        kind,
        bound: shape.bound(),
        shape,
        cx: 0.0,
        cy: 0.0,
        amp,
    }
}

fn shrink(l: &mut Lesion, f: f64) {
    match &mut l.shape {
        Shape::Blob { rx, ry, .. } | Shape::Pit { rx, ry, .. } => {
            *rx *= f;
            *ry *= f;
        }
        Shape::Capsule {
            half, radius, edge, ..
        } => {
            *half *= f;
            *radius *= f;
            *edge = (0.4 * *radius).max(2.0);
        }
    }
    l.bound = l.shape.bound();
}

/// Place lesions without overlap (4 px gap), inside the image and ≥ 6 px from non-skin.
/// A lesion that does not fit is shrunk (×0.85, up to 5 times) and finally dropped.
fn place_lesions(
    mut lesions: Vec<Lesion>,
    dist: &dyn Fn(f64, f64) -> f64,
    w: usize,
    h: usize,
    rng: &mut Rng,
) -> Vec<Lesion> {
    lesions.sort_by(|a, b| b.bound.total_cmp(&a.bound)); // largest first
    let mut placed: Vec<Lesion> = Vec::new();
    for mut l in lesions {
        let mut ok = false;
        'shrink: for _ in 0..6 {
            let r = l.bound;
            if 2.0 * r + 4.0 < w.min(h) as f64 {
                for _ in 0..300 {
                    let cx = rng.range(r + 2.0, w as f64 - r - 2.0);
                    let cy = rng.range(r + 2.0, h as f64 - r - 2.0);
                    if dist(cx, cy) < r + 6.0 {
                        continue;
                    }
                    if placed
                        .iter()
                        .any(|p| (p.cx - cx).hypot(p.cy - cy) < p.bound + r + 4.0)
                    {
                        continue;
                    }
                    l.cx = cx;
                    l.cy = cy;
                    ok = true;
                    break 'shrink;
                }
            }
            shrink(&mut l, 0.85);
        }
        if ok {
            placed.push(l);
        }
    }
    // Kind-grouped order (stable) for labels.
    placed.sort_by_key(|l| l.kind as u8);
    placed
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

type Rect = (usize, usize, usize, usize);

/// Everything the per-pixel renderer needs.
struct Ctx<'a> {
    w: usize,
    lin: &'a [f32],
    comp: Option<&'a [Px]>,
    gauss: &'a [f32],
    noise_start: usize,
    sigma: f32,
    cam: CamF32,
}

/// A camera in f32, for the per-pixel loop.
#[derive(Clone, Copy)]
struct CamF32 {
    m: [f32; 3],
    h: [f32; 3],
    x: [[f32; 3]; 3],
    b: [f32; 3],
}

impl CamF32 {
    fn of(c: &Camera) -> Self {
        CamF32 {
            m: c.melanin.map(|v| v as f32),
            h: c.hemoglobin.map(|v| v as f32),
            x: c.crosstalk.map(|r| r.map(|v| v as f32)),
            b: c.bias.map(|v| v as f32),
        }
    }
    /// Recorded linear colour of a scene linear colour.
    #[inline(always)]
    fn mix(&self, l: [f32; 3]) -> [f32; 3] {
        let x = &self.x;
        [
            x[0][0] * l[0] + x[0][1] * l[1] + x[0][2] * l[2],
            x[1][0] * l[0] + x[1][1] * l[1] + x[1][2] * l[2],
            x[2][0] * l[0] + x[2][1] * l[1] + x[2][2] * l[2],
        ]
    }
}

/// Float sRGB of a partly or fully non-skin pixel: premultiplied non-skin colour + skin weight × skin colour.
fn composite_pixel(lin: &[f32], cam: &CamF32, p: &Px, od: [f32; 3]) -> [f32; 3] {
    let mut l = p.ns;
    if p.sw > 0.0 {
        l[0] += p.sw * (-od[0]).exp();
        l[1] += p.sw * (-od[1]).exp();
        l[2] += p.sw * (-od[2]).exp();
    }
    let l = cam.mix(l);
    [
        lin_to_srgb(lin, l[0]),
        lin_to_srgb(lin, l[1]),
        lin_to_srgb(lin, l[2]),
    ]
}

/// Render planes over `rect` into clean RGBA and noisy RGB (noise sample of channel k of pixel i
/// is table entry `noise_start + 3 i + k`, so every variant sees the same noise).
fn render_rect(
    ctx: &Ctx,
    planes: (&[f32], &[f32], &[f32]),
    rect: Rect,
    clean_rgba: &mut [u8],
    noisy_rgb: &mut [u8],
) {
    let (mel, hem, sh) = planes;
    let (x0, y0, x1, y1) = rect;
    let (lin, gauss, sig, ns0) = (ctx.lin, ctx.gauss, ctx.sigma, ctx.noise_start);
    let cam = &ctx.cam;
    let [m0, m1, m2] = cam.m;
    let [h0, h1, h2] = cam.h;
    let [b0, b1, b2] = cam.b;
    let mut y = y0;
    while y < y1 {
        let mut i = y * ctx.w + x0;
        let end = y * ctx.w + x1;
        while i < end {
            let (cm, ch, s) = (mel[i], hem[i], sh[i]);
            let d0 = cm * m0 + ch * h0 + s + b0;
            let d1 = cm * m1 + ch * h1 + s + b1;
            let d2 = cm * m2 + ch * h2 + s + b2;
            let v = match ctx.comp {
                Some(c) if c[i].sw < 1.0 => composite_pixel(lin, cam, &c[i], [d0, d1, d2]),
                _ => {
                    let l = cam.mix([(-d0).exp(), (-d1).exp(), (-d2).exp()]);
                    [
                        lin_to_srgb(lin, l[0]),
                        lin_to_srgb(lin, l[1]),
                        lin_to_srgb(lin, l[2]),
                    ]
                }
            };
            let (q, j) = (4 * i, 3 * i);
            clean_rgba[q] = q8(v[0]);
            clean_rgba[q + 1] = q8(v[1]);
            clean_rgba[q + 2] = q8(v[2]);
            clean_rgba[q + 3] = 255;
            noisy_rgb[j] = q8(v[0] + sig * gauss[(ns0 + j) & GAUSS_MASK]);
            noisy_rgb[j + 1] = q8(v[1] + sig * gauss[(ns0 + j + 1) & GAUSS_MASK]);
            noisy_rgb[j + 2] = q8(v[2] + sig * gauss[(ns0 + j + 2) & GAUSS_MASK]);
            i += 1;
        }
        y += 1;
    }
}

fn rgb_to_rgba(rgb: &[u8]) -> Vec<u8> {
    let mut out = vec![255u8; rgb.len() / 3 * 4];
    for (d, s) in out.chunks_exact_mut(4).zip(rgb.chunks_exact(3)) {
        d[..3].copy_from_slice(s);
    }
    out
}

/// Encode RGB bytes as JPEG at `quality` (image crate JpegEncoder, 4:4:4) and decode back to RGBA.
pub fn jpeg_roundtrip_rgb(rgb: &[u8], w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode(rgb, w, h, image::ExtendedColorType::Rgb8)
        .expect("jpeg encode");
    image::load_from_memory(&buf)
        .expect("jpeg decode")
        .to_rgba8()
        .into_raw()
}

/// `rect` grown to whole 8×8 JPEG blocks horizontally aligned to 16 px (the decoder's colour-conversion
/// chunk), clipped to the image.
pub fn jpeg_aligned(rect: (u32, u32, u32, u32), w: u32, h: u32) -> (u32, u32, u32, u32) {
    let (x0, y0, x1, y1) = rect;
    (
        x0 / 16 * 16,
        y0 / 8 * 8,
        (x1.div_ceil(16) * 16).min(w),
        (y1.div_ceil(8) * 8).min(h),
    )
}

/// JPEG round trip of the block-aligned crop `jpeg_aligned(rect)` of an RGB image, pasted into `rgba_out`.
/// Baseline 4:4:4 JPEG codes 8×8 blocks independently, so this equals the same pixels of a full-image
/// round trip (checked by the self-test).
pub fn jpeg_roundtrip_crop_into(
    rgb: &[u8],
    w: u32,
    h: u32,
    quality: u8,
    rect: (u32, u32, u32, u32),
    rgba_out: &mut [u8],
) {
    let (x0, y0, x1, y1) = jpeg_aligned(rect, w, h);
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let (cw, chh) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let (x0, y0, wu) = (x0 as usize, y0 as usize, w as usize);
    let mut crop = Vec::with_capacity(cw * chh * 3);
    for y in y0..y0 + chh {
        crop.extend_from_slice(&rgb[3 * (y * wu + x0)..3 * (y * wu + x0 + cw)]);
    }
    let dec = jpeg_roundtrip_rgb(&crop, cw as u32, chh as u32, quality);
    for r in 0..chh {
        let y = y0 + r;
        rgba_out[4 * (y * wu + x0)..4 * (y * wu + x0 + cw)]
            .copy_from_slice(&dec[4 * r * cw..4 * (r + 1) * cw]);
    }
}

fn union_rect(a: Option<Rect>, b: Rect) -> Option<Rect> {
    Some(match a {
        None => b,
        Some(a) => (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)),
    })
}

fn render_scene(spec: &SceneSpec) -> Scene {
    assert!(spec.width >= 32 && spec.height >= 32, "scene too small");
    let (w, h) = (spec.width as usize, spec.height as usize);
    let n = w * h;
    let scale = (w.min(h) as f64 / 384.0).max(0.5);
    let camera = spec.camera();
    let tone = camera.calibrate_tone(spec.ita);
    let (bm, bh, bs) = tone;
    let seed = spec.seed;
    let (lin, gauss) = (lin_lut(), gauss_table());

    // Disjoint windows of the Gaussian table for camera noise (3n) and fine texture (n).
    let noise_start = Rng::stream(seed, tag::NOISE).below(GAUSS_MASK + 1);
    let tex_start = (noise_start + 3 * n) & GAUSS_MASK;

    // Illumination (separable; also lights the non-skin regions).
    let (ix, iy) = if spec.illumination {
        illumination_terms(w, h, &mut Rng::stream(seed, tag::ILLUM))
    } else {
        (vec![0.0; w], vec![0.0; h])
    };

    let comp = if spec.compose {
        Some(compose_layout(
            w,
            h,
            &mut Rng::stream(seed, tag::LAYOUT),
            (&ix, &iy),
            tone,
            &camera,
        ))
    } else {
        None
    };

    // Shading without relief: tone offset + fine texture + illumination + pores.
    let mut shade_free = fine_texture(w, h, 0.015, bs as f32, tex_start);
    if spec.illumination {
        let ixs: &[f32] = &ix;
        for y in 0..h {
            let row = &mut shade_free[y * w..(y + 1) * w];
            let fy = iy[y];
            let mut x = 0;
            while x < w {
                row[x] += ixs[x] + fy;
                x += 1;
            }
        }
    }
    if spec.pores {
        add_pores(&mut shade_free, w, h, &mut Rng::stream(seed, tag::PORES));
    }

    // Chromophores without lesions: base + optional low-frequency mottle.
    let (mel_free, hem_free) = if spec.mottle {
        let mut rng = Rng::stream(seed, tag::MOTTLE);
        let mut m = value_noise_field(w, h, 32.0 * scale, 0.02 / 0.75, &mut rng);
        let mut hh = value_noise_field(w, h, 20.0 * scale, 0.03 / 0.75, &mut rng);
        let (bmf, bhf) = (bm as f32, bh as f32);
        let (ms, hs): (&mut [f32], &mut [f32]) = (&mut m, &mut hh);
        let mut i = 0;
        while i < n {
            ms[i] += bmf;
            hs[i] += bhf;
            i += 1;
        }
        (m, hh)
    } else {
        (vec![bm as f32; n], vec![bh as f32; n])
    };

    // Lesions.
    let dist = skin_distance(comp.as_ref(), w, h);
    let mut rng = Rng::stream(seed, tag::LESIONS);
    let mut wanted = Vec::new();
    for (kind, count) in [
        (LesionKind::RaisedScar, spec.raised_scars),
        (LesionKind::Spot, spec.spots),
        (LesionKind::RedScar, spec.red_scars),
        (LesionKind::Pit, spec.pits),
    ] {
        for _ in 0..count {
            wanted.push(make_lesion(kind, &mut rng, scale, tone, &camera));
        }
    }
    let lesions = place_lesions(wanted, &dist, w, h, &mut rng);

    let mut melanin = mel_free.clone();
    let mut hemoglobin = hem_free.clone();
    let mut shading = shade_free.clone();
    let mut relief = vec![0f32; n];
    let mut label = vec![0u16; n];
    let mut masks = [
        vec![false; n],
        vec![false; n],
        vec![false; n],
        vec![false; n],
    ];
    let mut supports: Vec<Rect> = Vec::with_capacity(lesions.len());
    for (li, l) in lesions.iter().enumerate() {
        let lab = (li + 1) as u16;
        let b = l.bound;
        let (x0, y0, x1, y1) = clip_box(l.cx - b, l.cy - b, l.cx + b, l.cy + b, w, h);
        let (plane, mask) = match l.kind {
            LesionKind::Spot => (&mut melanin, &mut masks[0]),
            LesionKind::RedScar => (&mut hemoglobin, &mut masks[1]),
            LesionKind::Pit => (&mut shading, &mut masks[2]),
            LesionKind::RaisedScar => (&mut shading, &mut masks[3]),
        };
        let mut sup: Option<Rect> = None;
        for y in y0..y1 {
            for x in x0..x1 {
                let f = l.shape.profile(x as f64 - l.cx, y as f64 - l.cy);
                if f == 0.0 {
                    continue;
                }
                let i = y * w + x;
                let v = (l.amp * f) as f32;
                plane[i] += v;
                if matches!(l.kind, LesionKind::Pit | LesionKind::RaisedScar) {
                    relief[i] = v;
                }
                label[i] = lab;
                mask[i] = f >= 0.5;
                sup = union_rect(sup, (x, y, x + 1, y + 1));
            }
        }
        supports.push(sup.unwrap_or((x0, y0, x0, y0)));
    }
    let [spot_mask, red_mask, pit_mask, raised_mask] = masks;

    // Main render: clean RGBA and noisy RGB in one pass, then JPEG.
    let ctx = Ctx {
        w,
        lin,
        comp: comp.as_ref().map(|c| &c.px[..]),
        gauss,
        noise_start,
        sigma: spec.noise_sigma,
        cam: CamF32::of(&camera),
    };
    let mut clean_rgba = vec![0u8; 4 * n];
    let mut noisy_rgb = vec![0u8; 3 * n];
    render_rect(
        &ctx,
        (&melanin, &hemoglobin, &shading),
        (0, 0, w, h),
        &mut clean_rgba,
        &mut noisy_rgb,
    );
    let rgba = match spec.jpeg_quality {
        Some(q) => jpeg_roundtrip_rgb(&noisy_rgb, spec.width, spec.height, q),
        None => rgb_to_rgba(&noisy_rgb),
    };

    // Lesion-free variants: re-render only the lesions' supports with the lesion-free plane
    // (identical values elsewhere), same noise samples; JPEG only the touched blocks.
    let mut truths: [Vec<LesionTruth>; 4] = Default::default();
    let mut variant_out: [Vec<u8>; 3] = Default::default();
    for (vi, kinds) in [
        &[LesionKind::Spot][..],
        &[LesionKind::RedScar][..],
        &[LesionKind::Pit, LesionKind::RaisedScar][..],
    ]
    .into_iter()
    .enumerate()
    {
        let members: Vec<usize> = (0..lesions.len())
            .filter(|&i| kinds.contains(&lesions[i].kind))
            .collect();
        if members.is_empty() {
            variant_out[vi] = rgba.clone();
            continue;
        }
        let (vm, vh, vs) = match vi {
            0 => (&mel_free, &hemoglobin, &shading),
            1 => (&melanin, &hem_free, &shading),
            _ => (&melanin, &hemoglobin, &shade_free),
        };
        let mut var_rgb = noisy_rgb.clone();
        let mut var_clean = clean_rgba.clone();
        for &li in &members {
            render_rect(
                &ctx,
                (vm, vh, vs),
                supports[li],
                &mut var_clean,
                &mut var_rgb,
            );
        }
        let mut out = rgba.clone();
        for &li in &members {
            let (x0, y0, x1, y1) = supports[li];
            let r = (x0 as u32, y0 as u32, x1 as u32, y1 as u32);
            match spec.jpeg_quality {
                Some(q) => {
                    jpeg_roundtrip_crop_into(&var_rgb, spec.width, spec.height, q, r, &mut out)
                }
                None => {
                    for y in y0..y1 {
                        for x in x0..x1 {
                            let i = y * w + x;
                            out[4 * i..4 * i + 3].copy_from_slice(&var_rgb[3 * i..3 * i + 3]);
                        }
                    }
                }
            }
        }
        variant_out[vi] = out;

        for &li in &members {
            let l = &lesions[li];
            let lab = (li + 1) as u16;
            let mask = match l.kind {
                LesionKind::Spot => &spot_mask,
                LesionKind::RedScar => &red_mask,
                LesionKind::Pit => &pit_mask,
                LesionKind::RaisedScar => &raised_mask,
            };
            let (x0, y0, x1, y1) = supports[li];
            let (mut area, mut sx, mut sy) = (0usize, 0.0, 0.0);
            let (mut bb0, mut bb1) = ((u32::MAX, u32::MAX), (0u32, 0u32));
            let (mut lab_a, mut lab_b) = ([0.0; 3], [0.0; 3]);
            for y in y0..y1 {
                for x in x0..x1 {
                    let i = y * w + x;
                    if label[i] != lab || !mask[i] {
                        continue;
                    }
                    area += 1;
                    sx += x as f64;
                    sy += y as f64;
                    bb0 = (bb0.0.min(x as u32), bb0.1.min(y as u32));
                    bb1 = (bb1.0.max(x as u32 + 1), bb1.1.max(y as u32 + 1));
                    let pa = srgb8_to_lab([
                        clean_rgba[4 * i],
                        clean_rgba[4 * i + 1],
                        clean_rgba[4 * i + 2],
                    ]);
                    let pb = srgb8_to_lab([
                        var_clean[4 * i],
                        var_clean[4 * i + 1],
                        var_clean[4 * i + 2],
                    ]);
                    for k in 0..3 {
                        lab_a[k] += pa[k];
                        lab_b[k] += pb[k];
                    }
                }
            }
            let a = area.max(1) as f64;
            truths[l.kind as usize].push(LesionTruth {
                label: lab,
                kind: l.kind,
                centre: (sx / a, sy / a),
                bbox: if area > 0 {
                    (bb0.0, bb0.1, bb1.0, bb1.1)
                } else {
                    (0, 0, 0, 0)
                },
                support_bbox: (x0 as u32, y0 as u32, x1 as u32, y1 as u32),
                area,
                peak: l.amp,
                delta_e00_rendered: delta_e00(lab_a.map(|v| v / a), lab_b.map(|v| v / a)),
            });
        }
    }
    let [spots, red_scars, pits, raised_scars] = truths;
    let [spot_free_rgba, red_free_rgba, relief_free_rgba] = variant_out;

    let (skin_mask, regions) = match &comp {
        Some(c) => (
            c.px.iter().map(|p| p.sw >= 0.5).collect(),
            c.px.iter()
                .map(|p| if p.sw >= 0.5 { Region::Skin } else { p.region })
                .collect(),
        ),
        None => (vec![true; n], vec![Region::Skin; n]),
    };

    Scene {
        spec: spec.clone(),
        width: spec.width,
        height: spec.height,
        rgba,
        clean_rgba,
        melanin,
        hemoglobin,
        shading,
        relief,
        skin_mask,
        regions,
        spot_mask,
        red_mask,
        pit_mask,
        raised_mask,
        lesion_label: label,
        spot_free_rgba,
        red_free_rgba,
        relief_free_rgba,
        spots,
        red_scars,
        pits,
        raised_scars,
        base_melanin: bm,
        base_hemoglobin: bh,
        base_shading: bs,
        base_lab: camera.lab(bm, bh, bs),
        camera,
    }
}

// ---------------------------------------------------------------------------------------
// Public helpers
// ---------------------------------------------------------------------------------------

/// Noise-free RGBA rendered from planes with the skin model through `camera` (every pixel is
/// skin); the same renderer as `Scene::clean_rgba`.
pub fn render_planes(
    camera: &Camera,
    mel: &[f32],
    hem: &[f32],
    shading: &[f32],
    w: u32,
    h: u32,
) -> Vec<u8> {
    let n = (w * h) as usize;
    assert!(
        mel.len() == n && hem.len() == n && shading.len() == n,
        "plane size"
    );
    let ctx = Ctx {
        w: w as usize,
        lin: lin_lut(),
        comp: None,
        gauss: gauss_table(),
        noise_start: 0,
        sigma: 0.0,
        cam: CamF32::of(camera),
    };
    let mut out = vec![0u8; 4 * n];
    let mut rgb = vec![0u8; 3 * n];
    render_rect(
        &ctx,
        (mel, hem, shading),
        (0, 0, w as usize, h as usize),
        &mut out,
        &mut rgb,
    );
    out
}

fn map_linear(rgba: &[u8], f: impl Fn([f64; 3]) -> [f64; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len());
    for p in rgba.chunks_exact(4) {
        let q = linear_to_srgb8(f(srgb8_to_linear([p[0], p[1], p[2]])));
        out.extend_from_slice(&[q[0], q[1], q[2], p[3]]);
    }
    out
}

/// Exposure change: multiply linear light by 2^ev, clip (alpha kept).
pub fn apply_exposure(rgba: &[u8], ev: f64) -> Vec<u8> {
    let g = 2f64.powf(ev);
    map_linear(rgba, |c| c.map(|v| v * g))
}

/// CIE 1931 xy of a Planckian radiator (Kim et al. 2002 cubic approximation, 1667–25000 K).
pub fn planckian_xy(t: f64) -> (f64, f64) {
    let t = t.clamp(1667.0, 25000.0);
    let (t2, t3) = (t * t, t * t * t);
    let x = if t <= 4000.0 {
        -0.266_123_9e9 / t3 - 0.234_358_9e6 / t2 + 0.877_695_6e3 / t + 0.179_910
    } else {
        -3.025_846_9e9 / t3 + 2.107_037_9e6 / t2 + 0.222_634_7e3 / t + 0.240_390
    };
    let (x2, x3) = (x * x, x * x * x);
    let y = if t <= 2222.0 {
        -1.106_381_4 * x3 - 1.348_110_20 * x2 + 2.185_558_32 * x - 0.202_196_83
    } else if t <= 4000.0 {
        -0.954_947_6 * x3 - 1.374_185_93 * x2 + 2.091_370_15 * x - 0.167_488_67
    } else {
        3.081_758_0 * x3 - 5.873_386_70 * x2 + 3.751_129_97 * x - 0.370_014_83
    };
    (x, y)
}

fn planck_linear_rgb(t: f64) -> [f64; 3] {
    let (x, y) = planckian_xy(t);
    let (xx, yy, zz) = (x / y, 1.0, (1.0 - x - y) / y);
    [
        3.240_454_8 * xx - 1.537_138_9 * yy - 0.498_531_5 * zz,
        -0.969_266_4 * xx + 1.876_010_9 * yy + 0.041_556_1 * zz,
        0.055_643_4 * xx - 0.204_025_9 * yy + 1.057_225_2 * zz,
    ]
}

/// Linear (R, G, B) gains of an uncorrected white-balance error: light of 6500 K + `kelvin_shift`
/// seen by a camera balanced for 6500 K. Approximation: diagonal (von-Kries-like) scaling in linear
/// sRGB instead of a cone space, both whites on the Planckian locus, G fixed at 1.
pub fn colour_cast_gains(kelvin_shift: f64) -> [f64; 3] {
    let a = planck_linear_rgb(6500.0);
    let b = planck_linear_rgb(6500.0 + kelvin_shift);
    [
        (b[0] / b[1]) / (a[0] / a[1]),
        1.0,
        (b[2] / b[1]) / (a[2] / a[1]),
    ]
}

/// White-balance cast: scale linear R and B by `colour_cast_gains` (positive shift = bluer, negative = warmer), clip.
pub fn apply_colour_cast(rgba: &[u8], kelvin_shift: f64) -> Vec<u8> {
    let g = colour_cast_gains(kelvin_shift);
    map_linear(rgba, |c| [c[0] * g[0], c[1], c[2] * g[2]])
}

/// Dice coefficient 2|A∩B| / (|A| + |B|) (1 when both are empty).
pub fn dice(a: &[bool], b: &[bool]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (mut inter, mut sa, mut sb) = (0usize, 0usize, 0usize);
    for (&x, &y) in a.iter().zip(b) {
        inter += (x && y) as usize;
        sa += x as usize;
        sb += y as usize;
    }
    if sa + sb == 0 {
        1.0
    } else {
        2.0 * inter as f64 / (sa + sb) as f64
    }
}

/// Intersection over union |A∩B| / |A∪B| (1 when both are empty).
pub fn iou(a: &[bool], b: &[bool]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (mut inter, mut uni) = (0usize, 0usize);
    for (&x, &y) in a.iter().zip(b) {
        inter += (x && y) as usize;
        uni += (x || y) as usize;
    }
    if uni == 0 {
        1.0
    } else {
        inter as f64 / uni as f64
    }
}

/// Pearson correlation of two planes, optionally only where `mask` is true (0 if degenerate).
pub fn pearson(a: &[f32], b: &[f32], mask: Option<&[bool]>) -> f64 {
    assert_eq!(a.len(), b.len());
    let use_px = |i: usize| mask.is_none_or(|m| m[i]);
    let (mut n, mut sa, mut sb) = (0.0, 0.0, 0.0);
    for i in 0..a.len() {
        if use_px(i) {
            n += 1.0;
            sa += a[i] as f64;
            sb += b[i] as f64;
        }
    }
    if n < 2.0 {
        return 0.0;
    }
    let (ma, mb) = (sa / n, sb / n);
    let (mut cab, mut caa, mut cbb) = (0.0, 0.0, 0.0);
    for i in 0..a.len() {
        if use_px(i) {
            let (da, db) = (a[i] as f64 - ma, b[i] as f64 - mb);
            cab += da * db;
            caa += da * da;
            cbb += db * db;
        }
    }
    if caa <= 0.0 || cbb <= 0.0 {
        0.0
    } else {
        cab / (caa * cbb).sqrt()
    }
}

/// Directory for debug images: `<crate>/tests/out` (gitignored), created on demand.
pub fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("out");
    std::fs::create_dir_all(&d).expect("create tests/out");
    d
}

/// Save RGBA as PNG; a relative `path` is placed under tests/out/. Returns the written path.
pub fn save_png(path: impl AsRef<Path>, w: u32, h: u32, rgba: &[u8]) -> PathBuf {
    let p = path.as_ref();
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        out_dir().join(p)
    };
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("create png dir");
    }
    image::save_buffer(&full, rgba, w, h, image::ExtendedColorType::Rgba8).expect("save png");
    full
}

/// Grey RGBA visualisation of a plane mapped from [lo, hi] to 0..255, for debugging.
pub fn plane_to_rgba(plane: &[f32], lo: f32, hi: f32) -> Vec<u8> {
    let mut out = Vec::with_capacity(plane.len() * 4);
    for &v in plane {
        let g = (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 255.0).round() as u8;
        out.extend_from_slice(&[g, g, g, 255]);
    }
    out
}

/// RGBA visualisation of a boolean mask (white = true), for debugging.
pub fn mask_to_rgba(mask: &[bool]) -> Vec<u8> {
    let mut out = Vec::with_capacity(mask.len() * 4);
    for &m in mask {
        let g = if m { 255 } else { 0 };
        out.extend_from_slice(&[g, g, g, 255]);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Other cameras: the same planes through different density vectors
// ---------------------------------------------------------------------------------------

/// `v` turned by `degrees` about the (1,1,1) axis (Rodrigues): its (1,1,1) component and
/// its length stay, its direction in the plane orthogonal to (1,1,1) turns. Camera
/// differences in the melanin/hemoglobin vectors look like this.
pub fn turn_about_grey(v: [f64; 3], degrees: f64) -> [f64; 3] {
    let k = [1.0 / 3f64.sqrt(); 3];
    let (c, s) = (degrees.to_radians().cos(), degrees.to_radians().sin());
    let kxv = [
        k[1] * v[2] - k[2] * v[1],
        k[2] * v[0] - k[0] * v[2],
        k[0] * v[1] - k[1] * v[0],
    ];
    let kv = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
    std::array::from_fn(|i| v[i] * c + kxv[i] * s + k[i] * kv * (1.0 - c))
}

/// Angle (degrees) between the projections of `a` and `b` onto the plane orthogonal to
/// (1,1,1): the part of a density vector that shading removal leaves and unmixing uses.
pub fn angle_off_grey(a: [f64; 3], b: [f64; 3]) -> f64 {
    let perp = |v: [f64; 3]| {
        let m = (v[0] + v[1] + v[2]) / 3.0;
        v.map(|x| x - m)
    };
    let (p, q) = (perp(a), perp(b));
    let dot = p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
    let cross = [
        p[1] * q[2] - p[2] * q[1],
        p[2] * q[0] - p[0] * q[2],
        p[0] * q[1] - p[1] * q[0],
    ];
    let cn = (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]).sqrt();
    cn.atan2(dot).to_degrees()
}

/// RGBA of a skin scene's ground-truth planes rendered through other density vectors
/// (`SYNTH_BIAS` kept), with Gaussian camera noise of `noise_sigma` levels (its own stream
/// from `seed`) and an optional JPEG round trip. The planes, masks and lesions of `scene`
/// stay the ground truth; only the camera's vectors differ. Skin scenes only (no compose).
pub fn render_with_vectors(
    scene: &Scene,
    melanin: [f64; 3],
    hemoglobin: [f64; 3],
    noise_sigma: f64,
    jpeg_quality: Option<u8>,
    seed: u64,
) -> Vec<u8> {
    assert!(!scene.spec.compose, "render_with_vectors: skin scenes only");
    let n = scene.len();
    let mut rng = Rng::stream(seed, 0x7ec7);
    let mut rgb = Vec::with_capacity(3 * n);
    for i in 0..n {
        let (cm, ch, s) = (
            scene.melanin[i] as f64,
            scene.hemoglobin[i] as f64,
            scene.shading[i] as f64,
        );
        for k in 0..3 {
            let od = cm * melanin[k] + ch * hemoglobin[k] + s + SYNTH_BIAS[k];
            let v = 255.0 * srgb_encode((-od).exp()) + noise_sigma * rng.gauss();
            rgb.push(v.round().clamp(0.0, 255.0) as u8);
        }
    }
    match jpeg_quality {
        Some(q) => jpeg_roundtrip_rgb(&rgb, scene.width, scene.height, q),
        None => rgb_to_rgba(&rgb),
    }
}
