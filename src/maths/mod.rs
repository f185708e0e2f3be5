//! The numeric floor every stage stands on. Takes numbers; gives planes, blurs and
//! connected components. Knows nothing of photos or skin, depends on nothing here.

pub mod components;
pub mod planes;
