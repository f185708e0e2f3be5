//! Time model: from cited points to a fraction-removed curve, week by week.
//!
//! Each channel and scenario gets a monotone cubic (Fritsch–Carlson / PCHIP) through
//! (0, 0) and the cited points. Beyond the last point the value is held and flagged as
//! an extrapolation. A relapse, where cited, then pulls the effect linearly down to the
//! cited residual. Finally the three scenarios are ordered so that
//! low ≤ typical ≤ high at every week, by lowering (never raising) a value.

use super::outcome::{Band, Channel, CitedPoint, Grade, Outcome};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The usual projection horizon in weeks.
pub const DEFAULT_HORIZON_WEEKS: f64 = 52.0;

/// The longest horizon a projection accepts; later weeks are clamped to it.
pub const MAX_PROJECTION_WEEKS: f64 = 104.0;

/// Which end of the evidence band to project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// The pessimistic end of the band.
    Low,
    /// The central estimate.
    Typical,
    /// The optimistic end, never above what a cited source reports.
    High,
}

impl Scenario {
    /// All scenarios, low to high.
    pub const ALL: [Scenario; 3] = [Scenario::Low, Scenario::Typical, Scenario::High];

    /// This scenario's value in a band.
    pub fn pick(self, band: &Band) -> f64 {
        match self {
            Scenario::Low => band.low,
            Scenario::Typical => band.typical,
            Scenario::High => band.high,
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;

    /// Parses "low", "typical" or "high", the one spelling the CLI and the page share.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "low" => Ok(Scenario::Low),
            "typical" => Ok(Scenario::Typical),
            "high" => Ok(Scenario::High),
            other => Err(format!(
                "Unknown scenario '{other}': use low, typical or high."
            )),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scenario::Low => "low",
            Scenario::Typical => "typical",
            Scenario::High => "high",
        })
    }
}

/// Fractions of lesion excess removed at one week, for one scenario.
///
/// A channel the outcome does not report is 0: no change is projected for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Projection {
    /// The week evaluated, after clamping into 0..=[`MAX_PROJECTION_WEEKS`].
    pub week: f64,
    /// The scenario evaluated.
    pub scenario: Scenario,
    /// Fraction of pigment excess removed.
    pub pigment: f64,
    /// Fraction of redness excess removed.
    pub redness: f64,
    /// Fraction of texture (relief) excess removed.
    pub texture: f64,
    /// True past the last cited point: the value is held, not observed.
    pub extrapolated: bool,
    /// True once the course has stopped (relapse, where cited, applies from here).
    pub after_course: bool,
    /// The outcome's evidence grade, carried along for display.
    pub grade: Grade,
}

impl Projection {
    /// The fraction for one channel.
    pub fn channel(&self, channel: Channel) -> f64 {
        match channel {
            Channel::Pigment => self.pigment,
            Channel::Redness => self.redness,
            Channel::Texture => self.texture,
        }
    }
}

impl Outcome {
    /// The channels this outcome reports, from its first cited point.
    pub fn channels(&self) -> Vec<Channel> {
        self.points
            .first()
            .map(CitedPoint::channels)
            .unwrap_or_default()
    }

    /// The week of the last cited point during the course (0 if there is none).
    pub fn last_course_point_week(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.week)
    }

    /// The week the relapse starts: the end of the course or the last cited point, if later.
    pub fn relapse_start_week(&self) -> Option<f64> {
        self.relapse.as_ref().map(|_| {
            self.protocol
                .course_weeks
                .max(self.last_course_point_week())
        })
    }

    /// Every cited point, including the residual measured after stopping, for the UI to mark.
    pub fn cited_points(&self) -> Vec<CitedPoint> {
        let mut points = self.points.clone();
        if let (Some(relapse), Some(start)) = (&self.relapse, self.relapse_start_week()) {
            points.push(CitedPoint {
                week: start + relapse.weeks_to_residual,
                pigment: relapse.pigment,
                redness: relapse.redness,
                texture: relapse.texture,
            });
        }
        points
    }

    /// The last week backed by a cited point; later weeks are extrapolated.
    pub fn last_cited_week(&self) -> f64 {
        self.cited_points().last().map_or(0.0, |p| p.week)
    }

    /// Fractions of lesion excess removed at `week` (clamped to 0..=104) for `scenario`.
    ///
    /// Never panics, whatever the outcome holds; non-finite or negative weeks count as 0.
    pub fn fractions_at(&self, week: f64, scenario: Scenario) -> Projection {
        let week = clamp_week(week);
        let mut projection = Projection {
            week,
            scenario,
            pigment: 0.0,
            redness: 0.0,
            texture: 0.0,
            extrapolated: week > self.last_cited_week(),
            after_course: week > self.protocol.course_weeks,
            grade: self.grade,
        };
        for channel in self.channels() {
            let value = self.ordered_value(channel, week, scenario);
            match channel {
                Channel::Pigment => projection.pigment = value,
                Channel::Redness => projection.redness = value,
                Channel::Texture => projection.texture = value,
            }
        }
        projection
    }

    /// One projection per whole week from 0 to `horizon_weeks` (clamped to 104).
    pub fn weekly(&self, scenario: Scenario, horizon_weeks: u32) -> Vec<Projection> {
        let last = f64::from(horizon_weeks).min(MAX_PROJECTION_WEEKS) as u32;
        (0..=last)
            .map(|w| self.fractions_at(f64::from(w), scenario))
            .collect()
    }

    /// The scenario's value after ordering the three scenarios (low ≤ typical ≤ high).
    fn ordered_value(&self, channel: Channel, week: f64, scenario: Scenario) -> f64 {
        let high = self.raw_value(channel, week, Scenario::High);
        if scenario == Scenario::High {
            return high;
        }
        let typical = self.raw_value(channel, week, Scenario::Typical).min(high);
        if scenario == Scenario::Typical {
            return typical;
        }
        self.raw_value(channel, week, Scenario::Low).min(typical)
    }

    /// One scenario's own curve: interpolation, hold, then relapse.
    fn raw_value(&self, channel: Channel, week: f64, scenario: Scenario) -> f64 {
        let mut knots = vec![(0.0, 0.0)];
        for point in &self.points {
            if let Some(band) = point.band(channel) {
                let (last_x, _) = knots[knots.len() - 1];
                if point.week.is_finite() && point.week > last_x {
                    knots.push((point.week, sanitize_fraction(scenario.pick(band))));
                }
            }
        }
        let (end_week, end_value) = knots[knots.len() - 1];
        let course_value = monotone_cubic(&knots, week.min(end_week));
        let Some(relapse) = &self.relapse else {
            return course_value;
        };
        let Some(residual) = relapse.band(channel) else {
            return course_value;
        };
        let start = self.protocol.course_weeks.max(end_week);
        if week <= start {
            return course_value;
        }
        let span = relapse.weeks_to_residual;
        let progress = if span.is_finite() && span > 0.0 {
            ((week - start) / span).min(1.0)
        } else {
            1.0
        };
        let residual = sanitize_fraction(scenario.pick(residual)).min(end_value);
        end_value + (residual - end_value) * progress
    }
}

/// Clamp a requested week into 0..=[`MAX_PROJECTION_WEEKS`]; NaN and negatives become 0.
fn clamp_week(week: f64) -> f64 {
    if week.is_nan() || week < 0.0 {
        0.0
    } else {
        week.min(MAX_PROJECTION_WEEKS)
    }
}

/// Force a value into 0..=1 (NaN becomes 0).
fn sanitize_fraction(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else {
        value.clamp(0.0, 1.0)
    }
}

/// Evaluate the monotone cubic Hermite interpolant (Fritsch–Carlson slopes, as in PCHIP)
/// through `knots` at `x`. Knots must have strictly increasing x; `x` outside is held.
pub(crate) fn monotone_cubic(knots: &[(f64, f64)], x: f64) -> f64 {
    let Some(&(first_x, first_y)) = knots.first() else {
        return 0.0;
    };
    let (last_x, last_y) = knots[knots.len() - 1];
    if knots.len() == 1 || x <= first_x {
        return first_y;
    }
    if x >= last_x {
        return last_y;
    }
    let slopes = pchip_slopes(knots);
    let k = knots.partition_point(|&(kx, _)| kx <= x) - 1;
    let (x0, y0) = knots[k];
    let (x1, y1) = knots[k + 1];
    let h = x1 - x0;
    let t = (x - x0) / h;
    let t2 = t * t;
    let t3 = t2 * t;
    let value = (2.0 * t3 - 3.0 * t2 + 1.0) * y0
        + (t3 - 2.0 * t2 + t) * h * slopes[k]
        + (-2.0 * t3 + 3.0 * t2) * y1
        + (t3 - t2) * h * slopes[k + 1];
    // A monotone piece stays between its end values; clamp away rounding overshoot.
    value.clamp(y0.min(y1), y0.max(y1))
}

/// Knot slopes: weighted harmonic means inside, shape-preserving three-point ends.
fn pchip_slopes(knots: &[(f64, f64)]) -> Vec<f64> {
    let n = knots.len();
    let widths: Vec<f64> = knots.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let secants: Vec<f64> = knots
        .windows(2)
        .zip(&widths)
        .map(|(w, h)| (w[1].1 - w[0].1) / h)
        .collect();
    if n == 2 {
        return vec![secants[0], secants[0]];
    }
    let mut slopes = vec![0.0; n];
    for k in 1..n - 1 {
        let (d0, d1) = (secants[k - 1], secants[k]);
        if d0 * d1 > 0.0 {
            let w1 = 2.0 * widths[k] + widths[k - 1];
            let w2 = widths[k] + 2.0 * widths[k - 1];
            slopes[k] = (w1 + w2) / (w1 / d0 + w2 / d1);
        }
    }
    slopes[0] = end_slope(widths[0], widths[1], secants[0], secants[1]);
    slopes[n - 1] = end_slope(widths[n - 2], widths[n - 3], secants[n - 2], secants[n - 3]);
    slopes
}

/// Three-point end slope, clipped so the end piece stays monotone.
fn end_slope(h0: f64, h1: f64, d0: f64, d1: f64) -> f64 {
    let slope = ((2.0 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
    if sign(slope) != sign(d0) {
        0.0
    } else if sign(d0) != sign(d1) && slope.abs() > 3.0 * d0.abs() {
        3.0 * d0
    } else {
        slope
    }
}

/// -1, 0 or 1.
fn sign(value: f64) -> i8 {
    if value > 0.0 {
        1
    } else if value < 0.0 {
        -1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::monotone_cubic;

    #[test]
    fn passes_through_knots_and_holds_outside() {
        let knots = [(0.0, 0.0), (4.0, 0.2), (12.0, 0.5), (26.0, 0.55)];
        for &(x, y) in &knots {
            assert!((monotone_cubic(&knots, x) - y).abs() < 1e-12);
        }
        assert_eq!(monotone_cubic(&knots, -3.0), 0.0);
        assert_eq!(monotone_cubic(&knots, 90.0), 0.55);
    }

    #[test]
    fn two_knots_are_a_straight_line() {
        let knots = [(0.0, 0.0), (10.0, 0.4)];
        assert!((monotone_cubic(&knots, 5.0) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn flat_segment_stays_flat() {
        let knots = [(0.0, 0.0), (5.0, 0.3), (10.0, 0.3), (20.0, 0.6)];
        for i in 0..=50 {
            let x = 5.0 + f64::from(i) * 0.1;
            assert!((monotone_cubic(&knots, x) - 0.3).abs() < 1e-12);
        }
    }
}
