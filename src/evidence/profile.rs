//! The evidence profile: concerns, treatments, outcomes, gaps and risk rules.

use super::citation::Citation;
use super::error::ProfileError;
use super::outcome::{Channel, Outcome};
use super::risk::RiskRule;
use super::validate::validate;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The default profile's JSON, embedded at build time.
pub const DEFAULT_PROFILE_JSON: &str = include_str!("default_profile.json");

/// The schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The largest profile accepted, in bytes.
pub const MAX_PROFILE_BYTES: usize = 4 * 1024 * 1024;

/// A skin concern the photo can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Concern {
    /// Stable kebab-case id, e.g. `melasma`.
    pub id: String,
    /// Plain name.
    pub name: String,
    /// Image channels the concern shows up in.
    pub channels: Vec<Channel>,
}

/// Whether a treatment is stem-cell-derived or established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum TreatmentKind {
    /// Stem-cell-derived (cells, conditioned media, exosomes, scaffolds).
    Regenerative,
    /// Established comparator treatments.
    Conventional,
}

/// A treatment a person can choose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Treatment {
    /// Stable kebab-case id, e.g. `fractional-laser`.
    pub id: String,
    /// Plain name.
    pub name: String,
    /// Regenerative or conventional.
    pub kind: TreatmentKind,
    /// One or two sentences on what it is.
    pub description: String,
}

/// Treatment × concern pairs for which no usable evidence was found, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// Treatment ids.
    pub treatments: Vec<String>,
    /// Concern ids.
    pub concerns: Vec<String>,
    /// Why there is nothing to project, in plain words.
    pub reason: String,
    /// Sources that document the gap, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

impl Gap {
    /// Whether this gap covers the pair.
    pub fn covers(&self, treatment_id: &str, concern_id: &str) -> bool {
        self.treatments.iter().any(|t| t == treatment_id)
            && self.concerns.iter().any(|c| c == concern_id)
    }
}

/// What the profile says about one treatment × concern pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coverage<'a> {
    /// There is a graded outcome.
    Evidence(&'a Outcome),
    /// Listed as a gap: nothing to project.
    Gap(&'a Gap),
    /// The profile does not mention the pair at all.
    NotListed,
}

/// A validated evidence profile. Build one with [`Profile::from_json`] or [`Profile::builtin`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub(crate) schema_version: u32,
    pub(crate) name: String,
    pub(crate) about: String,
    pub(crate) modelling_assumption: String,
    pub(crate) concerns: Vec<Concern>,
    pub(crate) treatments: Vec<Treatment>,
    pub(crate) outcomes: Vec<Outcome>,
    #[serde(default)]
    pub(crate) gaps: Vec<Gap>,
    #[serde(default)]
    pub(crate) risk_rules: Vec<RiskRule>,
}

impl Profile {
    /// Parse and validate a profile; errors name the field path and the problem.
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        if text.len() > MAX_PROFILE_BYTES {
            return Err(ProfileError::TooLarge {
                bytes: text.len(),
                limit: MAX_PROFILE_BYTES,
            });
        }
        let profile: Profile =
            serde_json::from_str(text).map_err(|e| ProfileError::from_parse(text, &e))?;
        validate(&profile)?;
        Ok(profile)
    }

    /// The embedded default profile (parsed once).
    pub fn builtin() -> &'static Profile {
        static BUILTIN: OnceLock<Profile> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Profile::from_json(DEFAULT_PROFILE_JSON)
                .expect("the embedded default profile is checked by tests/evidence.rs")
        })
    }

    /// Profile name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the profile is and how to edit it.
    pub fn about(&self) -> &str {
        &self.about
    }

    /// How score changes were turned into fractions: the model's central assumption.
    pub fn modelling_assumption(&self) -> &str {
        &self.modelling_assumption
    }

    /// All concerns.
    pub fn concerns(&self) -> &[Concern] {
        &self.concerns
    }

    /// All treatments.
    pub fn treatments(&self) -> &[Treatment] {
        &self.treatments
    }

    /// All outcomes.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// All gaps.
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// All risk rules.
    pub fn risk_rules(&self) -> &[RiskRule] {
        &self.risk_rules
    }

    /// The concern with this id.
    pub fn concern(&self, id: &str) -> Option<&Concern> {
        self.concerns.iter().find(|c| c.id == id)
    }

    /// The treatment with this id.
    pub fn treatment(&self, id: &str) -> Option<&Treatment> {
        self.treatments.iter().find(|t| t.id == id)
    }

    /// The outcome for a treatment on a concern, if the profile has evidence for it.
    pub fn outcome(&self, treatment_id: &str, concern_id: &str) -> Option<&Outcome> {
        self.outcomes
            .iter()
            .find(|o| o.treatment == treatment_id && o.concern == concern_id)
    }

    /// The gap covering a pair, if it is listed as having no usable evidence.
    pub fn gap(&self, treatment_id: &str, concern_id: &str) -> Option<&Gap> {
        self.gaps
            .iter()
            .find(|g| g.covers(treatment_id, concern_id))
    }

    /// Evidence, a stated gap, or nothing, for a pair.
    pub fn coverage(&self, treatment_id: &str, concern_id: &str) -> Coverage<'_> {
        if let Some(outcome) = self.outcome(treatment_id, concern_id) {
            Coverage::Evidence(outcome)
        } else if let Some(gap) = self.gap(treatment_id, concern_id) {
            Coverage::Gap(gap)
        } else {
            Coverage::NotListed
        }
    }
}
