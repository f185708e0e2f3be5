//! Why a profile was rejected, with the field path and a fix a person can act on.

use super::json_path;
use super::outcome::{Channel, Grade};
use crate::evidence::curve::Scenario;
use std::fmt;
use thiserror::Error;

/// Why an evidence profile could not be loaded.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProfileError {
    /// The text is larger than any sensible profile.
    #[error("The evidence profile is {bytes} bytes; the limit is {limit} bytes. Is this the right file?")]
    TooLarge {
        /// Size of the text.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The JSON is malformed or does not fit the schema.
    #[error("The evidence profile could not be read at `{path}`: {message}")]
    Parse {
        /// Field path, e.g. `outcomes[2].points[0].week`.
        path: String,
        /// What serde found wrong, with line and column.
        message: String,
    },
    /// The JSON fits the schema but breaks a rule (ids, ranges, ordering, citations…).
    #[error("{}", describe_issues(.0))]
    Invalid(Vec<Issue>),
}

impl ProfileError {
    /// Wrap a serde error together with the field path where it happened.
    pub(crate) fn from_parse(text: &str, error: &serde_json::Error) -> Self {
        let path = if error.is_eof() || error.line() == 0 {
            "(top level)".to_owned()
        } else {
            let offset = json_path::offset_of(text, error.line(), error.column());
            json_path::path_at(text, offset)
        };
        ProfileError::Parse {
            path,
            message: error.to_string(),
        }
    }

    /// The rule violations, if this is an [`ProfileError::Invalid`].
    pub fn issues(&self) -> &[Issue] {
        match self {
            ProfileError::Invalid(issues) => issues,
            _ => &[],
        }
    }
}

fn describe_issues(issues: &[Issue]) -> String {
    let mut text = format!(
        "The evidence profile has {} problem{}:",
        issues.len(),
        if issues.len() == 1 { "" } else { "s" }
    );
    for issue in issues {
        text.push_str("\n  - ");
        text.push_str(&issue.to_string());
    }
    text
}

/// One rule violation at one field path.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Field path, e.g. `outcomes[3].points[1].pigment`.
    pub path: String,
    /// What is wrong there.
    pub problem: Problem,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// A rule a profile breaks.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Problem {
    /// Only one schema version is understood.
    #[error("schema_version {found} is not supported; this build reads version {supported}")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A required text or list is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// An id is not lowercase words joined by single hyphens.
    #[error("`{0}` is not a kebab-case id; use lowercase letters and digits joined by single hyphens, e.g. `chemical-peel`")]
    NotKebabCase(String),
    /// An id appears twice.
    #[error("the id `{0}` is used more than once; every id must be unique")]
    DuplicateId(String),
    /// A channel is listed twice.
    #[error("the channel `{0}` is listed twice")]
    DuplicateChannel(Channel),
    /// A treatment id that no treatment has.
    #[error("no treatment has the id `{0}`; add it to `treatments` or fix the spelling")]
    UnknownTreatment(String),
    /// A concern id that no concern has.
    #[error("no concern has the id `{0}`; add it to `concerns` or fix the spelling")]
    UnknownConcern(String),
    /// The same pair has two outcomes.
    #[error("`{treatment}` on `{concern}` already has an outcome at {first}; merge the two")]
    DuplicateOutcome {
        /// Treatment id.
        treatment: String,
        /// Concern id.
        concern: String,
        /// Path of the first one.
        first: String,
    },
    /// A pair is both evidenced and listed as a gap.
    #[error("`{treatment}` on `{concern}` has an outcome and is also listed as a gap; remove one")]
    GapContradictsOutcome {
        /// Treatment id.
        treatment: String,
        /// Concern id.
        concern: String,
    },
    /// A pair is listed in two gaps.
    #[error("`{treatment}` on `{concern}` is already listed in {first}")]
    DuplicateGap {
        /// Treatment id.
        treatment: String,
        /// Concern id.
        concern: String,
        /// Path of the first gap.
        first: String,
    },
    /// A fraction outside 0..=1.
    #[error(
        "{value} is outside 0..1; a fraction of lesion excess removed must be between 0 and 1"
    )]
    FractionOutOfRange {
        /// The value found.
        value: f64,
    },
    /// A band whose ends are in the wrong order.
    #[error("the band is out of order (low {low}, typical {typical}, high {high}); it needs low ≤ typical ≤ high")]
    BandOrder {
        /// Low end.
        low: f64,
        /// Typical value.
        typical: f64,
        /// High end.
        high: f64,
    },
    /// A number outside its allowed range.
    #[error("{value} is out of range: {expected}")]
    OutOfRange {
        /// The value found.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// Cited weeks that do not increase.
    #[error("week {week} does not come after the previous point's week {previous}; list points in strictly increasing weeks")]
    WeeksNotIncreasing {
        /// Previous point's week.
        previous: f64,
        /// This point's week.
        week: f64,
    },
    /// A point that reports no channel.
    #[error("this point reports no channel; give at least one of `pigment`, `redness`, `texture`")]
    NoChannel,
    /// Points of one outcome report different channels.
    #[error("this reports {found} but the first point reports {expected}; every point of an outcome (and its relapse) must report the same channels")]
    ChannelsDiffer {
        /// Channels of the first point.
        expected: String,
        /// Channels here.
        found: String,
    },
    /// An outcome reports a channel its concern does not show up in.
    #[error("the concern `{concern}` does not show up in the {channel} channel; add the channel to the concern or drop it here")]
    ChannelNotInConcern {
        /// Concern id.
        concern: String,
        /// The channel.
        channel: Channel,
    },
    /// The effect shrinks between cited points during the course.
    #[error("the {scenario} {channel} value falls from {previous} to {value}; during the course the effect may not decrease (describe a decline after stopping with `relapse`)")]
    Decreasing {
        /// Scenario.
        scenario: Scenario,
        /// Channel.
        channel: Channel,
        /// Earlier value.
        previous: f64,
        /// Later, lower value.
        value: f64,
    },
    /// A relapse residual above the end-of-course effect.
    #[error("the residual {scenario} {channel} value {residual} is above the end-of-course value {end}; a relapse can only lower the effect")]
    RelapseRaises {
        /// Scenario.
        scenario: Scenario,
        /// Channel.
        channel: Channel,
        /// Residual value.
        residual: f64,
        /// End-of-course value.
        end: f64,
    },
    /// A relapse that would end after the 520-week limit.
    #[error("the relapse ends at week {week}, after week 520; shorten `weeks_to_residual`")]
    RelapseTooLate {
        /// Week the residual would be reached.
        week: f64,
    },
    /// A weak or assumption curve projecting more than the controlled evidence allows.
    #[error("the typical {channel} value {typical} of this `{grade}` curve is above {best}, the best high of a moderate or strong curve for `{concern}` ({controlled}); cap the typical at {best} and keep the reported figure as the high, or say why in `above_controlled`")]
    AboveControlled {
        /// This curve's grade.
        grade: Grade,
        /// Channel.
        channel: Channel,
        /// This curve's typical value.
        typical: f64,
        /// The best moderate or strong high for the concern and channel.
        best: f64,
        /// Concern id.
        concern: String,
        /// Treatment id of the curve with that high.
        controlled: String,
    },
    /// An assumed relapse whose residual band is not the widest one.
    #[error("this relapse is an assumption, so its {channel} residual must be the widest band: low 0 and high {end_high} (the end-of-course high), not low {low} and high {high}")]
    AssumedRelapseNotWidest {
        /// Channel.
        channel: Channel,
        /// Residual low.
        low: f64,
        /// Residual high.
        high: f64,
        /// End-of-course high.
        end_high: f64,
    },
    /// An outcome with too few sources for its grade.
    #[error("grade `{grade}` needs at least one citation; if there is no source, use grade `assumption` with a `basis`")]
    MissingCitations {
        /// The grade given.
        grade: Grade,
    },
    /// An assumption without a stated basis.
    #[error("grade `assumption` needs a `basis` naming what the numbers are borrowed from")]
    MissingBasis,
    /// A DOI that does not look like one.
    #[error("`{0}` does not look like a DOI; give it without a resolver, starting with `10.`, e.g. `10.1093/asjof/ojae060`")]
    BadDoi(String),
    /// A PMID that is not a number.
    #[error("`{0}` is not a PubMed id; use digits only, e.g. `39640445`")]
    BadPmid(String),
    /// An implausible year.
    #[error("year {0} is not plausible; use the publication year (1900-2100)")]
    BadYear(u16),
    /// A URL that is not http(s).
    #[error("`{0}` is not a web address; it should start with https://")]
    BadUrl(String),
}
