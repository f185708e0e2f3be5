//! The numeric floor every stage stands on. Takes numbers; gives planes, blurs and
//! connected components, robust statistics and least squares. Knows nothing of photos or
//! skin, depends on nothing here.

pub mod components;
pub mod gaussian;
pub mod least_squares;
pub mod planes;
pub mod stats;
