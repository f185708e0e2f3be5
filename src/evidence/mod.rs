//! Evidence profile: treatments, concerns, cited outcome curves and risk rules.
//!
//! A [`Profile`] says, for each treatment × concern pair, what the published studies
//! found, how strong that evidence is ([`Grade`]), and where it comes from
//! ([`Citation`]). Pairs with nothing usable are listed as [`Gap`]s so the page can say
//! so plainly instead of projecting anything. The default profile is embedded
//! ([`Profile::builtin`], source in `src/evidence/default_profile.json`); a clinic can
//! load its own with [`Profile::from_json`], which rejects invalid files with the field
//! path and the problem ([`ProfileError`]).
//!
//! # Modelling assumption
//!
//! Studies report clinical scores (ECCA, Goodman–Baron, mMASI, VSS, POSAS, responder
//! shares), not pixels. The model reads a reported score change as the *fraction of the
//! lesion's excess removed* in the matching image channel (pigment, redness, texture):
//! an ECCA fall of 32.5% at week 12 becomes texture 0.325 at week 12. That reading is an
//! assumption, not a measurement, and every outcome states its own derivation in
//! `mapping`. The rules, also stated in the profile's `modelling_assumption`:
//!
//! * fractions are what the treated arm showed, not the difference from the comparator
//!   (the comparator's result is given alongside);
//! * responder shares use the lower edge of each grade (clear 1.0, almost clear 0.75,
//!   excellent 0.75, good 0.5, fair 0.25, anything else 0);
//! * the band comes from the spread between cited arms where there is one, otherwise
//!   low is half the typical value and high equals it: the high end is never above what
//!   a cited source reports;
//! * a null result keeps typical at the comparator and puts low at 0;
//! * grade `assumption` borrows a named basis: low 0, high the borrowed value, typical
//!   half of it;
//! * months become weeks at 4.35 weeks per month, rounded;
//! * cap rule (enforced by the validator): a `weak` or `assumption` curve's typical may
//!   not exceed the best `moderate`/`strong` high for the same concern and channel; an
//!   uncontrolled result that does is capped there, the reported figure kept as the high,
//!   unless the outcome's `above_controlled` says why;
//! * melasma relapse after stopping, where no follow-up measured it, is an assumption
//!   ([`Relapse::assumption`]) with the widest band: residual low 0, high the
//!   end-of-course high.
//!
//! # Time model
//!
//! [`Outcome::fractions_at`] interpolates (0, 0) and the cited points with a monotone
//! cubic (Fritsch–Carlson / PCHIP), holds the last value beyond the last point (flagged
//! `extrapolated`), and applies a cited [`Relapse`] after the course stops (used for
//! melasma). Scenarios are ordered low ≤ typical ≤ high at every week by lowering a value,
//! so no curve rises above the profile's high band.
//!
//! # Regenerative treatments
//!
//! The stem-cell evidence is small, often industry-linked or null. Their outcomes are
//! graded accordingly and never project above the best cited result.

mod citation;
mod curve;
mod error;
mod json_path;
mod listing;
mod outcome;
mod profile;
mod risk;
mod validate;

pub use citation::Citation;
pub use curve::{Projection, Scenario, DEFAULT_HORIZON_WEEKS, MAX_PROJECTION_WEEKS};
pub use error::{Issue, Problem, ProfileError};
pub use listing::listing_text;
pub use outcome::{Band, Channel, CitedPoint, Grade, Outcome, Protocol, Relapse};
pub use profile::{
    Concern, Coverage, Gap, Profile, Treatment, TreatmentKind, DEFAULT_PROFILE_JSON,
    MAX_PROFILE_BYTES, SCHEMA_VERSION,
};
pub use risk::{RiskRule, RiskWarning};
pub use validate::{is_kebab_case, MAX_CITED_WEEK};
