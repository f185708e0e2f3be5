//! Skin-type risk rules: warnings a projection must carry for some treatments.

use super::citation::Citation;
use super::profile::Profile;
use serde::{Deserialize, Serialize};

/// A cited risk that applies to some treatments, optionally only at or below an ITA angle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    /// Stable kebab-case id.
    pub id: String,
    /// Treatment ids the rule applies to.
    pub treatments: Vec<String>,
    /// Applies when the skin's ITA° is at or below this; absent means any skin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ita_degrees: Option<f64>,
    /// What to tell the person, with the figure.
    pub message: String,
    /// Where the figure comes from.
    pub source: Citation,
}

impl RiskRule {
    /// Whether the rule applies to this treatment on skin with this ITA°.
    ///
    /// An unknown (non-finite) ITA counts as applying: the risk cannot be ruled out.
    pub fn applies(&self, treatment_id: &str, ita_degrees: f64) -> bool {
        self.treatments.iter().any(|t| t == treatment_id)
            && match self.max_ita_degrees {
                None => true,
                Some(max) => !ita_degrees.is_finite() || ita_degrees <= max,
            }
    }
}

/// A warning to show next to a projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct RiskWarning {
    /// The id of the rule that fired.
    pub rule: String,
    /// What to tell the person.
    pub message: String,
    /// Where the figure comes from.
    pub source: Citation,
}

impl Profile {
    /// Warnings for a treatment on skin whose ITA° may be unknown (no skin found, or not
    /// measured): an unknown ITA is at risk, so every ITA-bounded rule for it fires.
    pub fn risk_warnings_for(
        &self,
        treatment_id: &str,
        ita_degrees: Option<f64>,
    ) -> Vec<RiskWarning> {
        self.risk_warnings(treatment_id, ita_degrees.unwrap_or(f64::NAN))
    }

    /// Warnings for a treatment on skin with the given ITA°; empty for unknown treatments.
    pub fn risk_warnings(&self, treatment_id: &str, ita_degrees: f64) -> Vec<RiskWarning> {
        self.risk_rules()
            .iter()
            .filter(|rule| rule.applies(treatment_id, ita_degrees))
            .map(|rule| RiskWarning {
                rule: rule.id.clone(),
                message: rule.message.clone(),
                source: rule.source.clone(),
            })
            .collect()
    }
}
