//! Shared integration-test support. `synth` is the synthetic physical ground truth
//! (Tsumura optical-density skin model) that the engine's accuracy tests measure against.
//! It deliberately shares no code with `src/`: all colour maths is re-implemented here.
#![allow(dead_code)]

pub mod followup;
pub mod real;
pub mod real_truth;
pub mod synth;
