//! Checks the hand-marked real-lesion truth set (`tests/data/real/lesions.json`) loads and
//! rasterizes inside its photos; the checks live in the module itself.

#[path = "support/real_truth.rs"]
mod real_truth;
