//! The measured change held against the projected band for the plan at those weeks.

use crate::evidence::{Channel, Citation, Grade, Profile, Scenario};
use crate::projection::plan::{self, BandAt, PlanError, PlanRequest};
use serde::Serialize;

/// What the comparison is, and is not.
pub const COMPARISON_NOTE: &str = "This compares the measured change with what the cited studies reported for this treatment at this week; it is not a judgement of the treatment or of how it was done. Light, pose and the photos' quality move the measurement too.";

/// Where a measured fraction falls against the band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Less removed than the band's low end.
    Below,
    /// Between low and high.
    Within,
    /// More removed than the band's high end.
    Above,
}

impl Verdict {
    /// The place of `measured` in `[low, high]`.
    pub fn of(measured: f64, low: f64, high: f64) -> Verdict {
        if measured < low {
            Verdict::Below
        } else if measured > high {
            Verdict::Above
        } else {
            Verdict::Within
        }
    }
}

/// One channel's measured fraction against its band.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ChannelCheck {
    /// The channel.
    pub channel: Channel,
    /// Measured fraction removed (area-weighted over its lesions).
    pub measured: f64,
    /// Band low, typical, high for this channel at the weeks.
    pub low: f64,
    /// Typical.
    pub typical: f64,
    /// High.
    pub high: f64,
    /// Where it falls.
    pub verdict: Verdict,
}

/// The plan at the weeks between the photos and where the measurement falls.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ProjectionCheck {
    /// Treatment id.
    pub treatment: String,
    /// Concern id.
    pub concern: String,
    /// Weeks between the photos.
    pub weeks: f64,
    /// The band (low, typical, high) at those weeks.
    pub band: BandAt,
    /// The evidence grade.
    pub grade: Option<Grade>,
    /// The outcome's sources.
    pub citations: Vec<Citation>,
    /// True past the last cited week.
    pub extrapolated: bool,
    /// The main channel: the one the band moves most among those measured.
    pub channel: Option<Channel>,
    /// The main channel's verdict (`None` when no lesion of a channel the plan acts on was
    /// measured).
    pub verdict: Option<Verdict>,
    /// Every channel the plan acts on that was measured.
    pub channels: Vec<ChannelCheck>,
    /// What this comparison is.
    pub note: &'static str,
}

/// Plans `treatment` for `concern` at `weeks` and places the measured fractions
/// (pigment, redness, texture; `None` = none measured) in its band.
pub fn check(
    profile: &Profile,
    (treatment, concern, weeks): (&str, &str, f64),
    ita: Option<f64>,
    measured: [Option<f64>; 3],
) -> Result<ProjectionCheck, PlanError> {
    let request = PlanRequest {
        treatment: treatment.to_string(),
        concern: concern.to_string(),
        week: weeks,
        scenario: Scenario::Typical,
    };
    let p = plan::plan(profile, &request, ita);
    p.require_evidence()?;
    let band = p.band.ok_or_else(|| PlanError::NotListed {
        treatment: treatment.to_string(),
        concern: concern.to_string(),
    })?;
    let pick = |x: &crate::evidence::Projection, c: Channel| match c {
        Channel::Pigment => x.pigment,
        Channel::Redness => x.redness,
        Channel::Texture => x.texture,
    };
    let channels: Vec<ChannelCheck> = Channel::ALL
        .iter()
        .zip(measured)
        .filter_map(|(&c, m)| {
            let m = m?;
            let (low, typical, high) = (
                pick(&band.low, c),
                pick(&band.typical, c),
                pick(&band.high, c),
            );
            (high > 0.0).then(|| ChannelCheck {
                channel: c,
                measured: m,
                low,
                typical,
                high,
                verdict: Verdict::of(m, low, high),
            })
        })
        .collect();
    let main = channels
        .iter()
        .max_by(|a, b| a.typical.total_cmp(&b.typical));
    Ok(ProjectionCheck {
        treatment: treatment.to_string(),
        concern: concern.to_string(),
        weeks,
        band,
        grade: p.grade,
        citations: p.citations.clone(),
        extrapolated: p.extrapolated,
        channel: main.map(|c| c.channel),
        verdict: main.map(|c| c.verdict),
        channels,
        note: COMPARISON_NOTE,
    })
}
