//! Photometric normalisation: the follow-up's skin matched to the baseline's in optical
//! density, one gain per channel (exposure and white balance), over skin outside every
//! lesion.

use crate::maths::stats::median;
use serde::Serialize;

/// Above this exposure change the measurement is less certain (1 EV: twice the light).
pub const WARN_EV: f64 = 1.0;

/// Above this change of the red ÷ blue gain ratio (natural log) the white balance changed
/// strongly. The ±1000 K from 5500 K that `tests/followup.rs` applies (von Kries gains of
/// the Planckian locus) read −0.41 (4500 K) and +0.27 (6500 K) and are still measured
/// within the targets; 0.5 is about 1200 K warmer or 2000 K cooler than 5500 K.
pub const WARN_WHITE_BALANCE: f64 = 0.5;

/// Fewest skin pixels the gains are measured on.
pub const MIN_PIXELS: usize = 50;

/// The correction applied to the follow-up.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Photometric {
    /// Linear-light gain per channel (R, G, B) applied to the follow-up.
    pub gain: [f64; 3],
    /// The exposure part, EV (log2 of the gains' geometric mean; + = follow-up darker).
    pub exposure_ev: f64,
    /// ln(red gain ÷ blue gain): the white-balance part.
    pub white_balance_log_ratio: f64,
    /// Skin pixels (working resolution) the gains were measured on.
    pub pixels: usize,
    /// Warnings for people when the correction is large.
    pub warnings: Vec<String>,
}

/// Gains from per-channel density differences (follow-up − baseline) over clean skin.
pub fn gains(diffs: [Vec<f32>; 3]) -> Option<Photometric> {
    let pixels = diffs[0].len();
    if pixels < MIN_PIXELS {
        return None;
    }
    let offsets = diffs.map(|mut d| median(&mut d) as f64);
    let gain = offsets.map(f64::exp);
    let exposure_ev = offsets.iter().sum::<f64>() / 3.0 / std::f64::consts::LN_2;
    let white_balance_log_ratio = offsets[0] - offsets[2];
    let mut warnings = Vec::new();
    if exposure_ev.abs() > WARN_EV {
        warnings.push(format!(
            "The follow-up is {:.1} EV {} than the baseline; the correction is large, so the measurement is less certain. Take both photos in the same light.",
            exposure_ev.abs(),
            if exposure_ev > 0.0 { "darker" } else { "brighter" }
        ));
    }
    if white_balance_log_ratio.abs() > WARN_WHITE_BALANCE {
        warnings.push(format!(
            "The follow-up's white balance differs strongly from the baseline's (red/blue gain ratio {:.2}); the measurement is less certain. Use the same light and camera settings.",
            white_balance_log_ratio.exp()
        ));
    }
    Some(Photometric {
        gain,
        exposure_ev,
        white_balance_log_ratio,
        pixels,
        warnings,
    })
}
