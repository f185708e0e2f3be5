//! What one treatment does to one concern: cited points, protocol, grade and sources.

use super::citation::Citation;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An image channel a concern shows up in and a treatment acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Melanin excess (brown marks).
    Pigment,
    /// Haemoglobin excess (red marks).
    Redness,
    /// Surface relief (depressed or raised scars).
    Texture,
}

impl Channel {
    /// All channels, in a fixed order.
    pub const ALL: [Channel; 3] = [Channel::Pigment, Channel::Redness, Channel::Texture];

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Pigment => "pigment",
            Channel::Redness => "redness",
            Channel::Texture => "texture",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much the evidence behind an outcome can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Several randomised trials or a meta-analysis.
    Strong,
    /// One or two small randomised trials.
    Moderate,
    /// Uncontrolled, industry-linked, or not statistically significant.
    Weak,
    /// No usable evidence: the numbers are borrowed (see `basis`) and the band is the widest.
    Assumption,
}

impl Grade {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Strong => "strong",
            Grade::Moderate => "moderate",
            Grade::Weak => "weak",
            Grade::Assumption => "assumption",
        }
    }

    /// One sentence saying what the grade means.
    pub fn meaning(self) -> &'static str {
        match self {
            Grade::Strong => "several randomised trials or a meta-analysis",
            Grade::Moderate => "one or two small randomised trials",
            Grade::Weak => "uncontrolled, industry-linked or not statistically significant",
            Grade::Assumption => "no usable evidence; numbers borrowed from a named basis",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fraction of the lesion's excess removed, as a low / typical / high band in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Pessimistic end of the band.
    pub low: f64,
    /// Central estimate.
    pub typical: f64,
    /// Optimistic end; never above what a cited source reports.
    pub high: f64,
}

/// The per-channel bands reported at one time point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CitedPoint {
    /// Weeks from the first session or first dose.
    pub week: f64,
    /// Pigment band, if the source reports pigment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pigment: Option<Band>,
    /// Redness band, if the source reports redness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redness: Option<Band>,
    /// Texture (relief) band, if the source reports texture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texture: Option<Band>,
}

/// The band of `channel` among the three per-channel fields.
fn pick(channel: Channel, [pigment, redness, texture]: [&Option<Band>; 3]) -> Option<&Band> {
    match channel {
        Channel::Pigment => pigment.as_ref(),
        Channel::Redness => redness.as_ref(),
        Channel::Texture => texture.as_ref(),
    }
}

/// The channels for which `band` gives a value, in [`Channel::ALL`] order.
fn present<'a>(band: impl Fn(Channel) -> Option<&'a Band>) -> Vec<Channel> {
    Channel::ALL
        .into_iter()
        .filter(|c| band(*c).is_some())
        .collect()
}

impl CitedPoint {
    /// The band for one channel, if reported.
    pub fn band(&self, channel: Channel) -> Option<&Band> {
        pick(channel, [&self.pigment, &self.redness, &self.texture])
    }

    /// The channels this point reports, in [`Channel::ALL`] order.
    pub fn channels(&self) -> Vec<Channel> {
        present(|c| self.band(c))
    }
}

/// How the treatment is given in the cited studies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// Plain description, e.g. "3 fractional CO2 sessions, topical applied after each".
    pub description: String,
    /// Number of sessions; absent for continuous treatment (tablets, creams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u32>,
    /// Weeks between sessions; absent for a single session or continuous treatment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_weeks: Option<f64>,
    /// Weeks from the first session or dose to the last one (0 for a single session).
    pub course_weeks: f64,
}

/// Loss of effect after the course stops, as observed in a cited follow-up.
///
/// From `course_weeks` (or the last cited point, if later) the effect falls linearly to
/// the residual band over `weeks_to_residual` weeks, then stays there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Relapse {
    /// Weeks after the course ends at which the residual effect was measured.
    pub weeks_to_residual: f64,
    /// Residual pigment band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pigment: Option<Band>,
    /// Residual redness band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redness: Option<Band>,
    /// Residual texture band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texture: Option<Band>,
    /// What the residual figures come from.
    pub basis: String,
    /// True when no follow-up measured the relapse: the residual is then the widest band
    /// (low 0, high the end-of-course high).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumption: bool,
}

impl Relapse {
    /// The residual band for one channel, if given.
    pub fn band(&self, channel: Channel) -> Option<&Band> {
        pick(channel, [&self.pigment, &self.redness, &self.texture])
    }

    /// The channels this relapse gives residuals for.
    pub fn channels(&self) -> Vec<Channel> {
        present(|c| self.band(c))
    }
}

/// The evidence for one (treatment, concern) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Treatment id.
    pub treatment: String,
    /// Concern id.
    pub concern: String,
    /// Evidence grade.
    pub grade: Grade,
    /// How the treatment was given.
    pub protocol: Protocol,
    /// Reported time points, strictly increasing in week; the curve starts at (0, 0).
    pub points: Vec<CitedPoint>,
    /// Loss of effect after stopping, where a follow-up measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relapse: Option<Relapse>,
    /// The comparator and its result, where the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    /// How the fractions were derived from the reported score changes.
    pub mapping: String,
    /// Why this weak or assumption curve's typical may exceed the best moderate or strong
    /// high for its concern and channel (otherwise the validator refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_controlled: Option<String>,
    /// For grade `assumption`: what the numbers are borrowed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Sources; required unless the grade is `assumption`.
    #[serde(default)]
    pub citations: Vec<Citation>,
}
