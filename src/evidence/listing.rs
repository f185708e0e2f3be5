//! Plain-text listing of a profile for `skin-preview treatments`.

use super::outcome::{Band, Grade, Outcome};
use super::profile::{Profile, TreatmentKind};
use std::fmt::Write;

/// Line width the listing wraps prose to.
const WIDTH: usize = 92;

/// Everything in the profile as readable text: treatments, concerns, curves at the cited
/// points with bands, grades, sources, gaps and risk rules.
pub fn listing_text(profile: &Profile) -> String {
    let mut out = String::new();
    line(&mut out, &format!("Evidence profile: {}", profile.name()));
    out.push('\n');
    section(&mut out, "How to read this");
    wrap(&mut out, "  ", profile.modelling_assumption());
    out.push('\n');
    for grade in [
        Grade::Strong,
        Grade::Moderate,
        Grade::Weak,
        Grade::Assumption,
    ] {
        line(
            &mut out,
            &format!("  {:<11} {}", grade.as_str(), grade.meaning()),
        );
    }
    out.push('\n');
    concerns(&mut out, profile);
    treatments(&mut out, profile);
    outcomes(&mut out, profile);
    gaps(&mut out, profile);
    risks(&mut out, profile);
    out
}

fn concerns(out: &mut String, profile: &Profile) {
    section(out, "Concerns");
    for concern in profile.concerns() {
        let channels: Vec<&str> = concern.channels.iter().map(|c| c.as_str()).collect();
        line(
            out,
            &format!(
                "  {:<38} {} [{}]",
                concern.id,
                concern.name,
                channels.join(", ")
            ),
        );
    }
    out.push('\n');
}

fn treatments(out: &mut String, profile: &Profile) {
    section(out, "Treatments");
    for (kind, heading) in [
        (
            TreatmentKind::Regenerative,
            "Regenerative (stem-cell-derived): the evidence is thin — small trials, often industry-linked or null.",
        ),
        (TreatmentKind::Conventional, "Conventional:"),
    ] {
        wrap(out, "  ", heading);
        for treatment in profile.treatments().iter().filter(|t| t.kind == kind) {
            line(out, &format!("    {:<26} {}", treatment.id, treatment.name));
            wrap(out, "      ", &treatment.description);
        }
    }
    out.push('\n');
}

fn outcomes(out: &mut String, profile: &Profile) {
    section(
        out,
        "Outcomes (fraction of the lesion's excess removed: low / typical / high)",
    );
    for outcome in profile.outcomes() {
        outcome_block(out, profile, outcome);
    }
}

fn outcome_block(out: &mut String, profile: &Profile, outcome: &Outcome) {
    let treatment = profile
        .treatment(&outcome.treatment)
        .map_or(outcome.treatment.as_str(), |t| t.name.as_str());
    let concern = profile
        .concern(&outcome.concern)
        .map_or(outcome.concern.as_str(), |c| c.name.as_str());
    line(
        out,
        &format!("  {treatment} → {concern}   (grade: {})", outcome.grade),
    );
    line(
        out,
        &format!("    ids: {} / {}", outcome.treatment, outcome.concern),
    );
    wrap(out, "    Protocol: ", &protocol_text(outcome));
    let relapse_start = outcome.relapse_start_week().unwrap_or(f64::INFINITY);
    line(out, "    week   channel     low / typical / high");
    for point in outcome.cited_points() {
        let after = if point.week > relapse_start {
            "  (after stopping)"
        } else {
            ""
        };
        for channel in point.channels() {
            if let Some(band) = point.band(channel) {
                line(
                    out,
                    &format!(
                        "    {:>5}  {:<8} {}{after}",
                        trim_number(point.week),
                        channel.as_str(),
                        band_text(band)
                    ),
                );
            }
        }
    }
    let last = outcome.last_cited_week();
    wrap(
        out,
        "    ",
        &format!(
            "Beyond week {} nothing was measured: the curve is held flat and marked as an extrapolation.",
            trim_number(last)
        ),
    );
    if let Some(relapse) = &outcome.relapse {
        let lead = if relapse.assumption {
            "    Relapse (assumed, not measured): "
        } else {
            "    Relapse: "
        };
        wrap(out, lead, &relapse.basis);
    }
    if let Some(comparator) = &outcome.comparator {
        wrap(out, "    Comparator: ", comparator);
    }
    wrap(out, "    Mapping: ", &outcome.mapping);
    if let Some(why) = &outcome.above_controlled {
        wrap(out, "    Above the controlled evidence because: ", why);
    }
    if let Some(basis) = &outcome.basis {
        wrap(out, "    Basis: ", basis);
    }
    if outcome.citations.is_empty() {
        line(out, "    Sources: none (assumption)");
    } else {
        line(out, "    Sources:");
        for citation in &outcome.citations {
            wrap(out, "      - ", &citation.to_string());
        }
    }
    out.push('\n');
}

fn protocol_text(outcome: &Outcome) -> String {
    let protocol = &outcome.protocol;
    let mut text = protocol.description.clone();
    let mut facts = Vec::new();
    if let Some(sessions) = protocol.sessions {
        facts.push(format!(
            "{sessions} session{}",
            if sessions == 1 { "" } else { "s" }
        ));
    }
    if let Some(interval) = protocol.interval_weeks {
        facts.push(if interval == 1.0 {
            "every week".to_owned()
        } else {
            format!("every {} weeks", trim_number(interval))
        });
    }
    if protocol.course_weeks > 0.0 {
        facts.push(format!(
            "course {} weeks",
            trim_number(protocol.course_weeks)
        ));
    }
    let _ = write!(text, " ({})", facts.join(", "));
    text
}

fn gaps(out: &mut String, profile: &Profile) {
    section(out, "No usable evidence (nothing is projected for these)");
    for gap in profile.gaps() {
        let treatments: Vec<&str> = gap
            .treatments
            .iter()
            .map(|id| {
                profile
                    .treatment(id)
                    .map_or(id.as_str(), |t| t.name.as_str())
            })
            .collect();
        let concerns: Vec<&str> = gap
            .concerns
            .iter()
            .map(|id| profile.concern(id).map_or(id.as_str(), |c| c.name.as_str()))
            .collect();
        wrap(
            out,
            "  - ",
            &format!(
                "{} on {}: {}",
                treatments.join(", "),
                concerns.join(", "),
                gap.reason
            ),
        );
        for citation in &gap.citations {
            wrap(out, "      source: ", &citation.to_string());
        }
    }
    out.push('\n');
}

fn risks(out: &mut String, profile: &Profile) {
    section(out, "Risk warnings");
    for rule in profile.risk_rules() {
        let skin = match rule.max_ita_degrees {
            Some(max) => format!("ITA ≤ {}°", trim_number(max)),
            None => "any skin".to_owned(),
        };
        wrap(
            out,
            "  - ",
            &format!("{} ({skin}): {}", rule.treatments.join(", "), rule.message),
        );
        wrap(out, "      source: ", &rule.source.to_string());
    }
}

fn band_text(band: &Band) -> String {
    format!(
        "{:>6} / {:>6} / {:>6}",
        percent(band.low),
        percent(band.typical),
        percent(band.high)
    )
}

fn percent(fraction: f64) -> String {
    let text = format!("{:.1}", fraction * 100.0);
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e9 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

fn section(out: &mut String, title: &str) {
    line(out, title);
    line(out, &"-".repeat(title.chars().count().min(WIDTH)));
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

/// Word-wrap `text` to [`WIDTH`], the first line after `lead`, the rest indented to match.
fn wrap(out: &mut String, lead: &str, text: &str) {
    let indent = " ".repeat(lead.chars().count());
    let mut current = lead.to_owned();
    let mut has_word = false;
    for word in text.split_whitespace() {
        if has_word && current.chars().count() + 1 + word.chars().count() > WIDTH {
            line(out, &current);
            current = indent.clone();
            has_word = false;
        }
        if has_word {
            current.push(' ');
        }
        current.push_str(word);
        has_word = true;
    }
    line(out, &current);
}
