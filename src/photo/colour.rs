//! Colour science: sRGB ↔ linear ↔ XYZ (D65) ↔ CIELAB, CIEDE2000 and ITA°.
//!
//! Constants follow IEC 61966-2-1 and CIE 15; see `README.md` for sources.

use serde::Serialize;
use std::sync::OnceLock;

/// Linear RGB → XYZ (D65), sRGB primaries.
pub const RGB_TO_XYZ: [[f64; 3]; 3] = [
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
];

/// XYZ (D65) → linear RGB, sRGB primaries.
pub const XYZ_TO_RGB: [[f64; 3]; 3] = [
    [3.2404548, -1.5371389, -0.4985315],
    [-0.9692664, 1.8760109, 0.0415561],
    [0.0556434, -0.2040259, 1.0572252],
];

/// D65 reference white (Xn, Yn, Zn).
pub const WHITE_D65: [f64; 3] = [0.95047, 1.0, 1.08883];

/// A CIELAB colour (D65, 2° observer).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Lab {
    /// Lightness, 0..100.
    pub l: f64,
    /// Green–red axis.
    pub a: f64,
    /// Blue–yellow axis.
    pub b: f64,
}

/// Decodes one sRGB component in 0..1 to linear light (exact, with `powf`).
pub fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// Encodes one linear component in 0..1 to sRGB 0..1 (exact, with `powf`).
pub fn linear_to_srgb(c: f64) -> f64 {
    if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// Linear values of the 256 sRGB codes, built once: the per-pixel decode is a lookup.
pub fn srgb8_to_linear_lut() -> &'static [f32; 256] {
    static LUT: OnceLock<[f32; 256]> = OnceLock::new();
    LUT.get_or_init(|| std::array::from_fn(|i| srgb_to_linear(i as f64 / 255.0) as f32))
}

/// Size of the encode table: linear 0..1 in 4096 steps, enough to round-trip 8-bit codes.
const ENCODE_STEPS: usize = 4096;

/// Linear → 8-bit sRGB by table lookup plus exact correction near code edges.
pub fn linear_to_srgb8(c: f32) -> u8 {
    Srgb8Encoder::get().encode(c)
}

/// The tables behind [`linear_to_srgb8`], fetched once so per-pixel loops skip the lookup
/// of the lazily built statics.
#[derive(Clone, Copy)]
pub struct Srgb8Encoder {
    guess: &'static [u8],
    /// `upper[k]`: the linear midpoint between codes k and k+1 (above it, k+1 is nearer).
    upper: &'static [f32; 256],
}

impl Srgb8Encoder {
    /// The shared encoder.
    pub fn get() -> Self {
        static GUESS: OnceLock<Vec<u8>> = OnceLock::new();
        static UPPER: OnceLock<[f32; 256]> = OnceLock::new();
        let guess = GUESS.get_or_init(|| {
            (0..=ENCODE_STEPS)
                .map(|i| (linear_to_srgb(i as f64 / ENCODE_STEPS as f64) * 255.0).round() as u8)
                .collect()
        });
        let upper = UPPER.get_or_init(|| {
            let dec = srgb8_to_linear_lut();
            std::array::from_fn(|k| {
                if k == 255 {
                    f32::INFINITY
                } else {
                    0.5 * (dec[k] + dec[k + 1])
                }
            })
        });
        Self { guess, upper }
    }

    /// Nearest 8-bit code in linear light; NaN and negatives give 0, ≥ 1 gives 255.
    #[inline]
    pub fn encode(&self, c: f32) -> u8 {
        if c.is_nan() || c <= 0.0 {
            return 0;
        }
        if c >= 1.0 {
            return 255;
        }
        // The table gives a guess within one code (the steepest part of the curve moves
        // 0.8 codes a step); one comparison with each neighbouring midpoint settles it.
        let code = self.guess[(c * ENCODE_STEPS as f32 + 0.5) as usize];
        let up = (c > self.upper[code as usize]) as u8;
        let down = (code > 0 && c < self.upper[code.saturating_sub(1) as usize]) as u8;
        code + up - down
    }
}

/// Linear RGB → XYZ.
pub fn linear_to_xyz(rgb: [f64; 3]) -> [f64; 3] {
    mat3(&RGB_TO_XYZ, rgb)
}

/// XYZ → linear RGB.
pub fn xyz_to_linear(xyz: [f64; 3]) -> [f64; 3] {
    mat3(&XYZ_TO_RGB, xyz)
}

fn mat3(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    std::array::from_fn(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
}

const DELTA: f64 = 6.0 / 29.0;

fn lab_f(t: f64) -> f64 {
    if t > DELTA * DELTA * DELTA {
        cube_root(t)
    } else {
        t / (3.0 * DELTA * DELTA) + 4.0 / 29.0
    }
}

/// Cube root of a positive number: a bit-level first guess refined by three Halley steps,
/// agreeing with `f64::cbrt` to 1e-14 (unit test). Lab conversion of every skin sample
/// leans on it, and in WASM `cbrt` is a slow software routine.
#[inline]
fn cube_root(t: f64) -> f64 {
    if !t.is_finite() {
        return t.cbrt();
    }
    let mut y = f64::from_bits(t.to_bits() / 3 + 0x2A9F_7893_782D_A1CE);
    for _ in 0..2 {
        let y3 = y * y * y;
        y *= (y3 + 2.0 * t) / (2.0 * y3 + t);
    }
    y
}

fn lab_f_inv(f: f64) -> f64 {
    if f > DELTA {
        f * f * f
    } else {
        3.0 * DELTA * DELTA * (f - 4.0 / 29.0)
    }
}

/// XYZ (D65) → CIELAB.
pub fn xyz_to_lab(xyz: [f64; 3]) -> Lab {
    let fx = lab_f(xyz[0] / WHITE_D65[0]);
    let fy = lab_f(xyz[1] / WHITE_D65[1]);
    let fz = lab_f(xyz[2] / WHITE_D65[2]);
    Lab {
        l: 116.0 * fy - 16.0,
        a: 500.0 * (fx - fy),
        b: 200.0 * (fy - fz),
    }
}

/// CIELAB → XYZ (D65).
pub fn lab_to_xyz(lab: Lab) -> [f64; 3] {
    let fy = (lab.l + 16.0) / 116.0;
    let fx = fy + lab.a / 500.0;
    let fz = fy - lab.b / 200.0;
    [
        WHITE_D65[0] * lab_f_inv(fx),
        WHITE_D65[1] * lab_f_inv(fy),
        WHITE_D65[2] * lab_f_inv(fz),
    ]
}

/// Linear RGB (0..1) → CIELAB.
pub fn linear_to_lab(rgb: [f64; 3]) -> Lab {
    xyz_to_lab(linear_to_xyz(rgb))
}

/// CIELAB → linear RGB (may fall outside 0..1 for out-of-gamut colours).
pub fn lab_to_linear(lab: Lab) -> [f64; 3] {
    xyz_to_linear(lab_to_xyz(lab))
}

/// 8-bit sRGB → CIELAB.
pub fn srgb8_to_lab(rgb: [u8; 3]) -> Lab {
    let lut = srgb8_to_linear_lut();
    linear_to_lab(rgb.map(|v| lut[v as usize] as f64))
}

/// CIELAB → 8-bit sRGB, clamped to the gamut.
pub fn lab_to_srgb8(lab: Lab) -> [u8; 3] {
    lab_to_linear(lab).map(|c| (linear_to_srgb(c.clamp(0.0, 1.0)) * 255.0).round() as u8)
}

/// CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1.
pub fn delta_e2000(x: Lab, y: Lab) -> f64 {
    use std::f64::consts::PI;
    let deg = |r: f64| r * 180.0 / PI;
    let rad = |d: f64| d * PI / 180.0;
    let pow7 = |v: f64| v.powi(7);
    let c1 = x.a.hypot(x.b);
    let c2 = y.a.hypot(y.b);
    let c_bar = 0.5 * (c1 + c2);
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let a1 = (1.0 + g) * x.a;
    let a2 = (1.0 + g) * y.a;
    let c1p = a1.hypot(x.b);
    let c2p = a2.hypot(y.b);
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            deg(b.atan2(a)).rem_euclid(360.0)
        }
    };
    let h1 = hue(x.b, a1);
    let h2 = hue(y.b, a2);
    let dl = y.l - x.l;
    let dc = c2p - c1p;
    let dh_angle = if c1p * c2p == 0.0 {
        0.0
    } else {
        let d = h2 - h1;
        if d > 180.0 {
            d - 360.0
        } else if d < -180.0 {
            d + 360.0
        } else {
            d
        }
    };
    let dh = 2.0 * (c1p * c2p).sqrt() * rad(dh_angle / 2.0).sin();
    let l_bar = 0.5 * (x.l + y.l);
    let cp_bar = 0.5 * (c1p + c2p);
    let h_bar = if c1p * c2p == 0.0 {
        h1 + h2
    } else if (h1 - h2).abs() <= 180.0 {
        0.5 * (h1 + h2)
    } else if h1 + h2 < 360.0 {
        0.5 * (h1 + h2 + 360.0)
    } else {
        0.5 * (h1 + h2 - 360.0)
    };
    let t = 1.0 - 0.17 * rad(h_bar - 30.0).cos()
        + 0.24 * rad(2.0 * h_bar).cos()
        + 0.32 * rad(3.0 * h_bar + 6.0).cos()
        - 0.20 * rad(4.0 * h_bar - 63.0).cos();
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let rc = 2.0 * (pow7(cp_bar) / (pow7(cp_bar) + pow7(25.0))).sqrt();
    let l50 = (l_bar - 50.0).powi(2);
    let sl = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let sc = 1.0 + 0.045 * cp_bar;
    let sh = 1.0 + 0.015 * cp_bar * t;
    let rt = -rad(2.0 * d_theta).sin() * rc;
    let (tl, tc, th) = (dl / sl, dc / sc, dh / sh);
    (tl * tl + tc * tc + th * th + rt * tc * th).sqrt()
}

/// The six ITA° skin categories of Del Bino et al. (2006).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum ItaCategory {
    /// ITA > 55°.
    VeryLight,
    /// 41° < ITA ≤ 55°.
    Light,
    /// 28° < ITA ≤ 41°.
    Intermediate,
    /// 10° < ITA ≤ 28°.
    Tan,
    /// −30° < ITA ≤ 10°.
    Brown,
    /// ITA ≤ −30°.
    Dark,
}

impl ItaCategory {
    /// All categories from lightest to darkest.
    pub const ALL: [ItaCategory; 6] = [
        Self::VeryLight,
        Self::Light,
        Self::Intermediate,
        Self::Tan,
        Self::Brown,
        Self::Dark,
    ];

    /// Classifies an ITA° value. Boundaries belong to the darker class (ITA 28 is tan,
    /// matching the evidence rule "ITA ≤ 28 carries a PIH warning").
    pub fn from_ita(ita: f64) -> Self {
        match ita {
            x if x > 55.0 => Self::VeryLight,
            x if x > 41.0 => Self::Light,
            x if x > 28.0 => Self::Intermediate,
            x if x > 10.0 => Self::Tan,
            x if x > -30.0 => Self::Brown,
            _ => Self::Dark,
        }
    }

    /// Plain-language name, for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::VeryLight => "very light",
            Self::Light => "light",
            Self::Intermediate => "intermediate",
            Self::Tan => "tan",
            Self::Brown => "brown",
            Self::Dark => "dark",
        }
    }

    /// Whether this is a darker class (ITA ≤ 28°), where visibility thresholds are higher.
    pub fn is_dark_class(self) -> bool {
        matches!(self, Self::Tan | Self::Brown | Self::Dark)
    }
}

/// Individual Typology Angle in degrees: atan2(L* − 50, b*), so b* ≤ 0 stays defined.
pub fn ita_degrees(lab: Lab) -> f64 {
    (lab.l - 50.0).atan2(lab.b).to_degrees()
}

/// Perceptibility threshold in ΔE00 for a skin class (Vision Research 2024: 0.59 light, 1.75 dark).
pub fn perceptible_delta_e(category: ItaCategory) -> f64 {
    if category.is_dark_class() {
        1.75
    } else {
        0.59
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_root_matches_the_library_over_the_lab_range() {
        // Lab takes cube roots of (6/29)³ ≈ 0.0089 up to a little over 1.
        for i in 0..=100_000 {
            let t = 0.008 + 1.2 * i as f64 / 100_000.0;
            let rel = (cube_root(t) - t.cbrt()).abs() / t.cbrt();
            assert!(rel < 1e-14, "{t}: {} vs {}", cube_root(t), t.cbrt());
        }
    }

    #[test]
    fn encoder_round_trips_every_code_and_picks_the_nearest() {
        let dec = srgb8_to_linear_lut();
        for code in 0..=255u8 {
            assert_eq!(linear_to_srgb8(dec[code as usize]), code);
        }
        for i in 0..=20_000 {
            let c = i as f32 / 20_000.0;
            let got = linear_to_srgb8(c);
            let best = (0..=255u8)
                .min_by(|a, b| {
                    (dec[*a as usize] - c)
                        .abs()
                        .total_cmp(&(dec[*b as usize] - c).abs())
                })
                .unwrap();
            assert!(
                (dec[got as usize] - c).abs() <= (dec[best as usize] - c).abs() + 1e-9,
                "{c}"
            );
        }
    }

    #[test]
    fn red_check_value() {
        let lab = srgb8_to_lab([255, 0, 0]);
        assert!((lab.l - 53.241).abs() < 1e-3, "{lab:?}");
        assert!((lab.a - 80.092).abs() < 1e-3, "{lab:?}");
        assert!((lab.b - 67.203).abs() < 1e-3, "{lab:?}");
    }

    #[test]
    fn encode_lut_matches_exact_encode_on_codes() {
        let lut = srgb8_to_linear_lut();
        for v in 0..=255u8 {
            assert_eq!(linear_to_srgb8(lut[v as usize]), v);
        }
    }

    #[test]
    fn ita_boundaries() {
        use ItaCategory::*;
        let cases = [
            (55.01, VeryLight),
            (55.0, Light),
            (41.01, Light),
            (41.0, Intermediate),
            (28.01, Intermediate),
            (28.0, Tan),
            (10.01, Tan),
            (10.0, Brown),
            (-29.99, Brown),
            (-30.0, Dark),
            (-80.0, Dark),
        ];
        for (ita, want) in cases {
            assert_eq!(ItaCategory::from_ita(ita), want, "ITA {ita}");
        }
    }

    #[test]
    fn ita_matches_formula() {
        let lab = Lab {
            l: 65.0,
            a: 10.0,
            b: 15.0,
        };
        let want = ((65.0f64 - 50.0) / 15.0).atan().to_degrees();
        assert!((ita_degrees(lab) - want).abs() < 1e-12);
        assert_eq!(ita_degrees(lab), 45.0);
    }
}
