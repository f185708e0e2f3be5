//! Stage 5, the projection. Takes an [`Analysis`](crate::analysis::Analysis) and fractions
//! of each excess to remove; gives the projected pixels and the per-lesion change.
//! Depends on [`crate::analysis`], [`crate::skin`] and [`crate::maths`].

pub mod render;
