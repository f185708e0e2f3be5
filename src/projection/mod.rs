//! Stage 5, the projection. Takes an [`Analysis`](crate::analysis::Analysis), an evidence
//! [`Profile`](crate::evidence::Profile) and a plan; gives the fractions of each excess to
//! remove (with band, grade, citations and risks), the projected pixels and the
//! per-lesion change. Depends on [`crate::analysis`], [`crate::evidence`], [`crate::skin`]
//! and [`crate::maths`].

pub mod plan;
pub mod render;
