//! Semantic checks on a parsed profile: every problem is reported with its field path.

use super::citation::Citation;
use super::curve::Scenario;
use super::error::{Issue, Problem, ProfileError};
use super::outcome::{Band, Channel, CitedPoint, Grade, Outcome, Protocol, Relapse};
use super::profile::{Profile, SCHEMA_VERSION};
use super::risk::RiskRule;
use std::collections::{HashMap, HashSet};

/// The latest week a cited point or relapse may fall on (ten years).
pub const MAX_CITED_WEEK: f64 = 520.0;

/// Check every rule; return all problems found, or nothing.
pub(crate) fn validate(profile: &Profile) -> Result<(), ProfileError> {
    let mut check = Checker::default();
    check.profile(profile);
    if check.issues.is_empty() {
        Ok(())
    } else {
        Err(ProfileError::Invalid(check.issues))
    }
}

/// Whether `id` is lowercase letters/digits joined by single hyphens (at most 64 chars).
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[derive(Default)]
struct Checker {
    issues: Vec<Issue>,
    treatment_ids: HashSet<String>,
    concern_channels: HashMap<String, Vec<Channel>>,
}

impl Checker {
    fn report(&mut self, path: impl Into<String>, problem: Problem) {
        self.issues.push(Issue {
            path: path.into(),
            problem,
        });
    }

    fn text(&mut self, path: String, value: &str, what: &'static str) {
        if value.trim().is_empty() {
            self.report(path, Problem::Empty(what));
        }
    }

    fn profile(&mut self, profile: &Profile) {
        if profile.schema_version != SCHEMA_VERSION {
            self.report(
                "schema_version",
                Problem::UnsupportedVersion {
                    found: profile.schema_version,
                    supported: SCHEMA_VERSION,
                },
            );
        }
        self.text("name".into(), &profile.name, "the profile name");
        self.text("about".into(), &profile.about, "the `about` text");
        self.text(
            "modelling_assumption".into(),
            &profile.modelling_assumption,
            "the modelling assumption",
        );
        self.concerns(profile);
        self.treatments(profile);
        let mut seen_outcomes: HashMap<(String, String), String> = HashMap::new();
        for (i, outcome) in profile.outcomes.iter().enumerate() {
            let path = format!("outcomes[{i}]");
            self.outcome(&path, outcome);
            let key = (outcome.treatment.clone(), outcome.concern.clone());
            if let Some(first) = seen_outcomes.get(&key) {
                let problem = Problem::DuplicateOutcome {
                    treatment: key.0.clone(),
                    concern: key.1.clone(),
                    first: first.clone(),
                };
                self.report(path, problem);
            } else {
                seen_outcomes.insert(key, path);
            }
        }
        self.gaps(profile, &seen_outcomes);
        self.cap_rule(profile);
        let mut rule_ids = HashSet::new();
        for (i, rule) in profile.risk_rules.iter().enumerate() {
            self.risk_rule(&format!("risk_rules[{i}]"), rule, &mut rule_ids);
        }
    }

    fn id(&mut self, path: String, id: &str, seen: &mut HashSet<String>) {
        if !is_kebab_case(id) {
            self.report(path, Problem::NotKebabCase(id.to_owned()));
        } else if !seen.insert(id.to_owned()) {
            self.report(path, Problem::DuplicateId(id.to_owned()));
        }
    }

    fn concerns(&mut self, profile: &Profile) {
        if profile.concerns.is_empty() {
            self.report("concerns", Problem::Empty("the list of concerns"));
        }
        let mut ids = HashSet::new();
        for (i, concern) in profile.concerns.iter().enumerate() {
            let path = format!("concerns[{i}]");
            self.id(format!("{path}.id"), &concern.id, &mut ids);
            self.text(format!("{path}.name"), &concern.name, "a concern's name");
            if concern.channels.is_empty() {
                self.report(
                    format!("{path}.channels"),
                    Problem::Empty("a concern's channels"),
                );
            }
            let mut channels = HashSet::new();
            for (j, channel) in concern.channels.iter().enumerate() {
                if !channels.insert(*channel) {
                    self.report(
                        format!("{path}.channels[{j}]"),
                        Problem::DuplicateChannel(*channel),
                    );
                }
            }
            self.concern_channels
                .insert(concern.id.clone(), concern.channels.clone());
        }
    }

    fn treatments(&mut self, profile: &Profile) {
        if profile.treatments.is_empty() {
            self.report("treatments", Problem::Empty("the list of treatments"));
        }
        let mut ids = HashSet::new();
        for (i, treatment) in profile.treatments.iter().enumerate() {
            let path = format!("treatments[{i}]");
            self.id(format!("{path}.id"), &treatment.id, &mut ids);
            self.text(
                format!("{path}.name"),
                &treatment.name,
                "a treatment's name",
            );
            self.text(
                format!("{path}.description"),
                &treatment.description,
                "a treatment's description",
            );
        }
        self.treatment_ids = ids;
    }

    fn known_treatment(&mut self, path: String, id: &str) {
        if !self.treatment_ids.contains(id) {
            self.report(path, Problem::UnknownTreatment(id.to_owned()));
        }
    }

    fn known_concern(&mut self, path: String, id: &str) -> Option<Vec<Channel>> {
        let channels = self.concern_channels.get(id).cloned();
        if channels.is_none() {
            self.report(path, Problem::UnknownConcern(id.to_owned()));
        }
        channels
    }

    fn outcome(&mut self, path: &str, outcome: &Outcome) {
        self.known_treatment(format!("{path}.treatment"), &outcome.treatment);
        let concern_channels = self.known_concern(format!("{path}.concern"), &outcome.concern);
        self.protocol(&format!("{path}.protocol"), &outcome.protocol);
        self.text(
            format!("{path}.mapping"),
            &outcome.mapping,
            "the `mapping` note",
        );
        if let Some(comparator) = &outcome.comparator {
            self.text(format!("{path}.comparator"), comparator, "the comparator");
        }
        if let Some(why) = &outcome.above_controlled {
            self.text(
                format!("{path}.above_controlled"),
                why,
                "the `above_controlled` reason",
            );
        }
        match (&outcome.basis, outcome.grade) {
            (None, Grade::Assumption) => {
                self.report(format!("{path}.basis"), Problem::MissingBasis)
            }
            (Some(basis), _) => self.text(format!("{path}.basis"), basis, "the `basis`"),
            (None, _) => {}
        }
        if outcome.grade != Grade::Assumption && outcome.citations.is_empty() {
            self.report(
                format!("{path}.citations"),
                Problem::MissingCitations {
                    grade: outcome.grade,
                },
            );
        }
        for (i, citation) in outcome.citations.iter().enumerate() {
            self.citation(&format!("{path}.citations[{i}]"), citation);
        }
        self.points(path, outcome, concern_channels.as_deref());
    }

    fn protocol(&mut self, path: &str, protocol: &Protocol) {
        self.text(
            format!("{path}.description"),
            &protocol.description,
            "the protocol description",
        );
        if let Some(sessions) = protocol.sessions {
            if !(1..=1000).contains(&sessions) {
                self.report(
                    format!("{path}.sessions"),
                    Problem::OutOfRange {
                        value: f64::from(sessions),
                        expected: "sessions must be 1 to 1000",
                    },
                );
            }
        }
        if let Some(interval) = protocol.interval_weeks {
            if !(interval > 0.0 && interval <= MAX_CITED_WEEK) {
                self.report(
                    format!("{path}.interval_weeks"),
                    Problem::OutOfRange {
                        value: interval,
                        expected: "interval_weeks must be above 0 and at most 520",
                    },
                );
            }
        }
        if !(0.0..=MAX_CITED_WEEK).contains(&protocol.course_weeks) {
            self.report(
                format!("{path}.course_weeks"),
                Problem::OutOfRange {
                    value: protocol.course_weeks,
                    expected: "course_weeks must be 0 to 520",
                },
            );
        }
    }

    fn points(&mut self, path: &str, outcome: &Outcome, concern_channels: Option<&[Channel]>) {
        if outcome.points.is_empty() {
            self.report(
                format!("{path}.points"),
                Problem::Empty("the list of cited points"),
            );
            return;
        }
        let expected = outcome.points[0].channels();
        let mut previous: Option<&CitedPoint> = None;
        for (i, point) in outcome.points.iter().enumerate() {
            let point_path = format!("{path}.points[{i}]");
            self.week(&point_path, point.week, previous.map(|p| p.week));
            self.point_channels(&point_path, &point.channels(), &expected);
            for channel in point.channels() {
                let channel_path = format!("{point_path}.{channel}");
                if let Some(band) = point.band(channel) {
                    self.band(&channel_path, band);
                    if let Some(earlier) = previous.and_then(|p| p.band(channel)) {
                        self.not_decreasing(&channel_path, channel, earlier, band);
                    }
                }
                if let Some(allowed) = concern_channels {
                    if !allowed.contains(&channel) {
                        self.report(
                            channel_path,
                            Problem::ChannelNotInConcern {
                                concern: outcome.concern.clone(),
                                channel,
                            },
                        );
                    }
                }
            }
            previous = Some(point);
        }
        if let Some(relapse) = &outcome.relapse {
            self.relapse(&format!("{path}.relapse"), outcome, relapse, &expected);
        }
    }

    fn week(&mut self, path: &str, week: f64, previous: Option<f64>) {
        if !(week > 0.0 && week <= MAX_CITED_WEEK) {
            self.report(
                format!("{path}.week"),
                Problem::OutOfRange {
                    value: week,
                    expected:
                        "a cited week must be after week 0 (the curve starts at 0) and at most 520",
                },
            );
        } else if let Some(previous) = previous {
            if week <= previous {
                self.report(
                    format!("{path}.week"),
                    Problem::WeeksNotIncreasing { previous, week },
                );
            }
        }
    }

    fn point_channels(&mut self, path: &str, found: &[Channel], expected: &[Channel]) {
        if found.is_empty() {
            self.report(path, Problem::NoChannel);
        } else if found != expected {
            self.report(
                path,
                Problem::ChannelsDiffer {
                    expected: channel_list(expected),
                    found: channel_list(found),
                },
            );
        }
    }

    fn band(&mut self, path: &str, band: &Band) {
        let mut in_range = true;
        for (name, value) in [
            ("low", band.low),
            ("typical", band.typical),
            ("high", band.high),
        ] {
            if !(0.0..=1.0).contains(&value) {
                in_range = false;
                self.report(
                    format!("{path}.{name}"),
                    Problem::FractionOutOfRange { value },
                );
            }
        }
        if in_range && !(band.low <= band.typical && band.typical <= band.high) {
            self.report(
                path,
                Problem::BandOrder {
                    low: band.low,
                    typical: band.typical,
                    high: band.high,
                },
            );
        }
    }

    fn not_decreasing(&mut self, path: &str, channel: Channel, earlier: &Band, later: &Band) {
        for scenario in Scenario::ALL {
            let (previous, value) = (scenario.pick(earlier), scenario.pick(later));
            if value < previous {
                self.report(
                    path,
                    Problem::Decreasing {
                        scenario,
                        channel,
                        previous,
                        value,
                    },
                );
            }
        }
    }

    fn relapse(&mut self, path: &str, outcome: &Outcome, relapse: &Relapse, expected: &[Channel]) {
        self.text(
            format!("{path}.basis"),
            &relapse.basis,
            "the relapse `basis`",
        );
        let span = relapse.weeks_to_residual;
        if !(span > 0.0 && span <= MAX_CITED_WEEK) {
            self.report(
                format!("{path}.weeks_to_residual"),
                Problem::OutOfRange {
                    value: span,
                    expected: "weeks_to_residual must be above 0 and at most 520",
                },
            );
        } else if let Some(start) = outcome.relapse_start_week() {
            if start + span > MAX_CITED_WEEK {
                self.report(
                    format!("{path}.weeks_to_residual"),
                    Problem::RelapseTooLate { week: start + span },
                );
            }
        }
        self.point_channels(path, &relapse.channels(), expected);
        let Some(last) = outcome.points.last() else {
            return;
        };
        for channel in relapse.channels() {
            let channel_path = format!("{path}.{channel}");
            let Some(residual) = relapse.band(channel) else {
                continue;
            };
            self.band(&channel_path, residual);
            let Some(end) = last.band(channel) else {
                continue;
            };
            if relapse.assumption && (residual.low != 0.0 || residual.high != end.high) {
                self.report(
                    channel_path.clone(),
                    Problem::AssumedRelapseNotWidest {
                        channel,
                        low: residual.low,
                        high: residual.high,
                        end_high: end.high,
                    },
                );
            }
            for scenario in Scenario::ALL {
                let (residual, end) = (scenario.pick(residual), scenario.pick(end));
                if residual > end {
                    self.report(
                        channel_path.clone(),
                        Problem::RelapseRaises {
                            scenario,
                            channel,
                            residual,
                            end,
                        },
                    );
                }
            }
        }
    }

    fn citation(&mut self, path: &str, citation: &Citation) {
        self.text(format!("{path}.journal"), &citation.journal, "the journal");
        if let Some(year) = citation.year {
            if !(1900..=2100).contains(&year) {
                self.report(format!("{path}.year"), Problem::BadYear(year));
            }
        }
        if let Some(doi) = &citation.doi {
            let ok = doi.starts_with("10.")
                && doi.contains('/')
                && !doi.chars().any(char::is_whitespace);
            if !ok {
                self.report(format!("{path}.doi"), Problem::BadDoi(doi.clone()));
            }
        }
        if let Some(pmid) = &citation.pmid {
            if pmid.is_empty() || pmid.len() > 9 || !pmid.bytes().all(|b| b.is_ascii_digit()) {
                self.report(format!("{path}.pmid"), Problem::BadPmid(pmid.clone()));
            }
        }
        if let Some(url) = &citation.url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                self.report(format!("{path}.url"), Problem::BadUrl(url.clone()));
            }
        }
    }

    fn gaps(&mut self, profile: &Profile, outcomes: &HashMap<(String, String), String>) {
        let mut listed: HashMap<(String, String), String> = HashMap::new();
        for (i, gap) in profile.gaps.iter().enumerate() {
            let path = format!("gaps[{i}]");
            self.text(format!("{path}.reason"), &gap.reason, "a gap's reason");
            if gap.treatments.is_empty() {
                self.report(
                    format!("{path}.treatments"),
                    Problem::Empty("a gap's treatments"),
                );
            }
            if gap.concerns.is_empty() {
                self.report(
                    format!("{path}.concerns"),
                    Problem::Empty("a gap's concerns"),
                );
            }
            for (j, id) in gap.treatments.iter().enumerate() {
                self.known_treatment(format!("{path}.treatments[{j}]"), id);
            }
            for (j, id) in gap.concerns.iter().enumerate() {
                self.known_concern(format!("{path}.concerns[{j}]"), id);
            }
            for (j, citation) in gap.citations.iter().enumerate() {
                self.citation(&format!("{path}.citations[{j}]"), citation);
            }
            for treatment in &gap.treatments {
                for concern in &gap.concerns {
                    let key = (treatment.clone(), concern.clone());
                    if outcomes.contains_key(&key) {
                        self.report(
                            path.clone(),
                            Problem::GapContradictsOutcome {
                                treatment: key.0.clone(),
                                concern: key.1.clone(),
                            },
                        );
                    }
                    if let Some(first) = listed.get(&key) {
                        let problem = Problem::DuplicateGap {
                            treatment: key.0.clone(),
                            concern: key.1.clone(),
                            first: first.clone(),
                        };
                        self.report(path.clone(), problem);
                    } else {
                        listed.insert(key, path.clone());
                    }
                }
            }
        }
    }

    /// A weak or assumption curve's typical may not exceed the best moderate or strong
    /// high for the same concern and channel, unless `above_controlled` says why.
    fn cap_rule(&mut self, profile: &Profile) {
        let mut best: HashMap<(&str, Channel), (f64, &str)> = HashMap::new();
        for outcome in &profile.outcomes {
            if !matches!(outcome.grade, Grade::Strong | Grade::Moderate) {
                continue;
            }
            for point in &outcome.points {
                for channel in point.channels() {
                    let Some(band) = point.band(channel) else {
                        continue;
                    };
                    let entry = best
                        .entry((outcome.concern.as_str(), channel))
                        .or_insert((band.high, outcome.treatment.as_str()));
                    if band.high > entry.0 {
                        *entry = (band.high, outcome.treatment.as_str());
                    }
                }
            }
        }
        for (i, outcome) in profile.outcomes.iter().enumerate() {
            if !matches!(outcome.grade, Grade::Weak | Grade::Assumption)
                || outcome.above_controlled.is_some()
            {
                continue;
            }
            for (j, point) in outcome.points.iter().enumerate() {
                for channel in point.channels() {
                    let (Some(band), Some(&(high, controlled))) = (
                        point.band(channel),
                        best.get(&(outcome.concern.as_str(), channel)),
                    ) else {
                        continue;
                    };
                    if band.typical > high {
                        self.report(
                            format!("outcomes[{i}].points[{j}].{channel}.typical"),
                            Problem::AboveControlled {
                                grade: outcome.grade,
                                channel,
                                typical: band.typical,
                                best: high,
                                concern: outcome.concern.clone(),
                                controlled: controlled.to_owned(),
                            },
                        );
                    }
                }
            }
        }
    }

    fn risk_rule(&mut self, path: &str, rule: &RiskRule, ids: &mut HashSet<String>) {
        self.id(format!("{path}.id"), &rule.id, ids);
        self.text(
            format!("{path}.message"),
            &rule.message,
            "a risk rule's message",
        );
        if rule.treatments.is_empty() {
            self.report(
                format!("{path}.treatments"),
                Problem::Empty("a risk rule's treatments"),
            );
        }
        for (j, id) in rule.treatments.iter().enumerate() {
            self.known_treatment(format!("{path}.treatments[{j}]"), id);
        }
        if let Some(ita) = rule.max_ita_degrees {
            if !(-90.0..=90.0).contains(&ita) {
                self.report(
                    format!("{path}.max_ita_degrees"),
                    Problem::OutOfRange {
                        value: ita,
                        expected: "an ITA angle must be between -90 and 90 degrees",
                    },
                );
            }
        }
        self.citation(&format!("{path}.source"), &rule.source);
    }
}

fn channel_list(channels: &[Channel]) -> String {
    if channels.is_empty() {
        return "no channel".to_owned();
    }
    channels
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}
