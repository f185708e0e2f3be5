//! Treatment planning: from a profile, a treatment, a concern, a week and a scenario to
//! the fractions to render, their band, the grade, the citations and the risk warnings.
//!
//! The one place that decides what a plan projects; the CLI and the page only show it.

use crate::evidence::{
    Citation, Coverage, Gap, Grade, Outcome, Profile, Projection, RiskWarning, Scenario,
};
use crate::projection::render::Fractions;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What to plan: a treatment for a concern, `weeks` after the start, at one end of the band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct PlanRequest {
    /// Treatment id (see the profile's treatments).
    pub treatment: String,
    /// Concern id (see the profile's concerns).
    pub concern: String,
    /// Weeks after the start of treatment (clamped to 0–104).
    pub week: f64,
    /// Which end of the evidence band to render.
    pub scenario: Scenario,
}

/// What the profile says about the pair, as data the page and the CLI can show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CoverageView {
    /// A graded outcome exists.
    Evidence {
        /// The outcome, with its points, protocol and relapse.
        outcome: Box<Outcome>,
    },
    /// Listed as a gap: nothing is projected.
    Gap {
        /// Why, with its sources.
        gap: Gap,
    },
    /// The profile does not mention the pair.
    NotListed,
}

impl From<Coverage<'_>> for CoverageView {
    fn from(c: Coverage<'_>) -> Self {
        match c {
            Coverage::Evidence(o) => CoverageView::Evidence {
                outcome: Box::new(o.clone()),
            },
            Coverage::Gap(g) => CoverageView::Gap { gap: g.clone() },
            Coverage::NotListed => CoverageView::NotListed,
        }
    }
}

/// The three ends of the band at the plan's week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct BandAt {
    /// The pessimistic end.
    pub low: Projection,
    /// The central estimate.
    pub typical: Projection,
    /// The optimistic end.
    pub high: Projection,
}

/// The loss of effect after the course stops, where the curve has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct RelapseNote {
    /// The week the effect starts to fall (end of the course or last cited point).
    pub from_week: f64,
    /// The week it reaches the residual band.
    pub residual_week: f64,
    /// The residual band for the plan's scenario, per channel the relapse names.
    pub residual: Fractions,
    /// True when no follow-up measured it (the widest band is then assumed).
    pub assumption: bool,
    /// What the residual figures come from.
    pub basis: String,
    /// One line for people.
    pub text: String,
}

/// A planned projection: everything a plan card or the CLI prints, before rendering.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Plan {
    /// Treatment id.
    pub treatment: String,
    /// Concern id.
    pub concern: String,
    /// The week asked for.
    pub week: f64,
    /// The scenario rendered.
    pub scenario: Scenario,
    /// What the profile says about the pair.
    pub coverage: CoverageView,
    /// The scenario's fractions, or `None` when there is no evidence to project.
    pub fractions: Option<Projection>,
    /// Low, typical and high at the week, with evidence.
    pub band: Option<BandAt>,
    /// The outcome's grade, with evidence.
    pub grade: Option<Grade>,
    /// The outcome's (or the gap's) sources.
    pub citations: Vec<Citation>,
    /// Risk warnings for this treatment on this skin; an unknown ITA counts as at risk.
    pub risks: Vec<RiskWarning>,
    /// True past the last cited week: the value is held, not observed.
    pub extrapolated: bool,
    /// The relapse after stopping, where the curve has one.
    pub relapse: Option<RelapseNote>,
}

/// Why a plan cannot be projected; the messages say what to choose instead.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PlanError {
    /// The profile lists the pair as a gap.
    #[error("There is no evidence to project {treatment} for {concern}: {reason}")]
    Gap {
        /// Treatment id.
        treatment: String,
        /// Concern id.
        concern: String,
        /// The gap's reason.
        reason: String,
    },
    /// The profile does not mention the pair.
    #[error("The profile has nothing on {treatment} for {concern}; list what it covers with `skin-preview treatments`.")]
    NotListed {
        /// Treatment id.
        treatment: String,
        /// Concern id.
        concern: String,
    },
}

impl Plan {
    /// The fractions to render: the scenario's, or none removed without evidence.
    pub fn render_fractions(&self) -> Fractions {
        self.fractions
            .map_or_else(Fractions::default, |p| Fractions {
                pigment: p.pigment as f32,
                redness: p.redness as f32,
                texture: p.texture as f32,
            })
    }

    /// The fractions, or why there are none (for callers that must project something).
    pub fn require_evidence(&self) -> Result<Fractions, PlanError> {
        match &self.coverage {
            CoverageView::Evidence { .. } => Ok(self.render_fractions()),
            CoverageView::Gap { gap } => Err(PlanError::Gap {
                treatment: self.treatment.clone(),
                concern: self.concern.clone(),
                reason: gap.reason.clone(),
            }),
            CoverageView::NotListed => Err(PlanError::NotListed {
                treatment: self.treatment.clone(),
                concern: self.concern.clone(),
            }),
        }
    }
}

/// Plans `request` with `profile` for skin of this ITA° (`None` = unknown, at risk).
pub fn plan(profile: &Profile, request: &PlanRequest, ita_degrees: Option<f64>) -> Plan {
    let (t, c, week, scenario) = (
        request.treatment.as_str(),
        request.concern.as_str(),
        request.week,
        request.scenario,
    );
    let mut out = Plan {
        treatment: t.to_string(),
        concern: c.to_string(),
        week,
        scenario,
        coverage: CoverageView::NotListed,
        fractions: None,
        band: None,
        grade: None,
        citations: Vec::new(),
        risks: profile.risk_warnings_for(t, ita_degrees),
        extrapolated: false,
        relapse: None,
    };
    let coverage = profile.coverage(t, c);
    match coverage {
        Coverage::Evidence(o) => {
            let at = |s| o.fractions_at(week, s);
            let fractions = at(scenario);
            out.band = Some(BandAt {
                low: at(Scenario::Low),
                typical: at(Scenario::Typical),
                high: at(Scenario::High),
            });
            out.extrapolated = fractions.extrapolated;
            out.fractions = Some(fractions);
            out.grade = Some(o.grade);
            out.citations = o.citations.clone();
            out.relapse = relapse_note(o, scenario);
        }
        Coverage::Gap(g) => out.citations = g.citations.clone(),
        Coverage::NotListed => {}
    }
    out.coverage = coverage.into();
    out
}

fn relapse_note(o: &Outcome, scenario: Scenario) -> Option<RelapseNote> {
    let r = o.relapse.as_ref()?;
    let from_week = o.relapse_start_week()?;
    let residual_week = from_week + r.weeks_to_residual;
    let pick = |b: &Option<crate::evidence::Band>| b.as_ref().map_or(0.0, |b| scenario.pick(b));
    let residual = Fractions {
        pigment: pick(&r.pigment) as f32,
        redness: pick(&r.redness) as f32,
        texture: pick(&r.texture) as f32,
    };
    let bands: Vec<String> = r
        .channels()
        .into_iter()
        .filter_map(|ch| {
            r.band(ch).map(|b| {
                format!(
                    "{} {:.0}% to {:.0}% removed, typically {:.0}%",
                    ch.as_str(),
                    b.low * 100.0,
                    b.high * 100.0,
                    b.typical * 100.0
                )
            })
        })
        .collect();
    let text = format!(
        "after the course the effect falls from week {from_week:.0} to week {residual_week:.0}: {}{}. {}",
        bands.join("; "),
        if r.assumption {
            " (assumed: no follow-up measured it)"
        } else {
            ""
        },
        r.basis
    );
    Some(RelapseNote {
        from_week,
        residual_week,
        residual,
        assumption: r.assumption,
        basis: r.basis.clone(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(treatment: &str, concern: &str, week: f64) -> PlanRequest {
        PlanRequest {
            treatment: treatment.into(),
            concern: concern.into(),
            week,
            scenario: Scenario::Typical,
        }
    }

    /// A pair with evidence and a treatment with an ITA-bounded risk rule, from the
    /// built-in profile.
    fn risky_pair(p: &Profile) -> (String, String, f64) {
        let rule = p
            .risk_rules()
            .iter()
            .find(|r| r.max_ita_degrees.is_some())
            .expect("the built-in profile has an ITA-bounded rule");
        let t = &rule.treatments[0];
        let o = p
            .outcomes()
            .iter()
            .find(|o| &o.treatment == t)
            .expect("that treatment has an outcome");
        (t.clone(), o.concern.clone(), rule.max_ita_degrees.unwrap())
    }

    #[test]
    fn unknown_ita_gets_the_same_warnings_as_dark_skin_and_light_skin_fewer() {
        let p = Profile::builtin();
        let (t, c, max) = risky_pair(p);
        let unknown = plan(p, &request(&t, &c, 12.0), None);
        let dark = plan(p, &request(&t, &c, 12.0), Some(max - 30.0));
        let light = plan(p, &request(&t, &c, 12.0), Some(70.0));
        assert!(!unknown.risks.is_empty());
        assert_eq!(unknown.risks, dark.risks);
        assert!(light.risks.len() < unknown.risks.len());
    }

    #[test]
    fn evidence_plan_carries_band_grade_citations_and_orders_the_band() {
        let p = Profile::builtin();
        let (t, c, _) = risky_pair(p);
        let got = plan(p, &request(&t, &c, 12.0), Some(40.0));
        let band = got.band.expect("band");
        let f = got.fractions.expect("fractions");
        assert_eq!(f, band.typical);
        for ch in ["pigment", "redness", "texture"] {
            let v = |x: &Projection| match ch {
                "pigment" => x.pigment,
                "redness" => x.redness,
                _ => x.texture,
            };
            assert!(v(&band.low) <= v(&band.typical) && v(&band.typical) <= v(&band.high));
        }
        assert!(f.pigment + f.redness + f.texture > 0.0, "{f:?}");
        assert!(got.grade.is_some());
        assert!(got.require_evidence().is_ok());
        let far = plan(p, &request(&t, &c, 104.0), Some(40.0));
        assert!(far.extrapolated);
    }

    #[test]
    fn unlisted_pair_projects_nothing_and_says_so() {
        let p = Profile::builtin();
        let got = plan(
            p,
            &request("no-such-treatment", "acne-scars", 12.0),
            Some(40.0),
        );
        assert_eq!(got.coverage, CoverageView::NotListed);
        assert_eq!(got.render_fractions(), Fractions::default());
        let e = got.require_evidence().unwrap_err();
        assert!(e.to_string().contains("skin-preview treatments"), "{e}");
    }

    #[test]
    fn relapse_note_where_the_curve_has_one() {
        let p = Profile::builtin();
        let o = p
            .outcomes()
            .iter()
            .find(|o| o.relapse.is_some())
            .expect("the built-in profile has a relapse");
        let got = plan(p, &request(&o.treatment, &o.concern, 12.0), Some(40.0));
        let note = got.relapse.expect("relapse note");
        assert!(note.residual_week > note.from_week);
        assert!(note.text.contains("after the course"), "{}", note.text);
    }

    #[test]
    fn scenario_parses_its_three_names_only() {
        assert_eq!("low".parse::<Scenario>(), Ok(Scenario::Low));
        assert_eq!("typical".parse::<Scenario>(), Ok(Scenario::Typical));
        assert_eq!("high".parse::<Scenario>(), Ok(Scenario::High));
        assert!("Typical"
            .parse::<Scenario>()
            .unwrap_err()
            .contains("low, typical or high"));
    }
}
