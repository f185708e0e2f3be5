//! Arbitrary bytes → decode (small limits) → analyse → project.
//!
//! Any panic, abort, out-of-memory or timeout is a bug: hostile bytes must give a
//! typed `DecodeError` or a result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skin_preview::analysis::{self, AnalysisOptions};
use skin_preview::photo::decode::{self, DecodeLimits};
use skin_preview::projection::render::{Fractions, Projector};

const LIMITS: DecodeLimits = DecodeLimits {
    max_input_bytes: 1 << 20,
    max_pixels: 4_000_000,
    working_cap_pixels: 16_384,
};

fuzz_target!(|data: &[u8]| {
    // The header probe must agree with the decoder on what it refuses.
    let _ = decode::probe(data, &LIMITS);
    let Ok(decoded) = decode::decode_with(data, &LIMITS) else {
        return;
    };
    let photo = decoded.photo;
    assert!(photo.width() as u64 * photo.height() as u64 <= LIMITS.working_cap_pixels);
    let a = analysis::analyze(&photo, &AnalysisOptions::default());
    let out = Projector::new(&a).render(
        &photo,
        Fractions {
            pigment: 1.0,
            redness: 0.5,
            texture: 0.5,
        },
    );
    assert_eq!(out.len(), photo.rgba().len());
});
