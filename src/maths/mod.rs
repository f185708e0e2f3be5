//! The numeric floor every stage stands on. Takes numbers; gives planes, blurs and
//! connected components, robust statistics and least squares. Knows nothing of photos or
//! skin, depends on nothing here.

pub mod components;
pub mod gaussian;
pub mod least_squares;
pub mod planes;
pub mod stats;

/// `a.max(b)` for numbers (no NaN): WASM compiles `f32::max` to a call, this to a select.
/// The same result as `f32::max` whenever neither is NaN, signed zeros included.
#[inline(always)]
pub fn max_f32(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// `a.min(b)` for numbers (no NaN); see [`max_f32`].
#[inline(always)]
pub fn min_f32(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else {
        b
    }
}
