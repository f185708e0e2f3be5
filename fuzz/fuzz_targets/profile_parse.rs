//! Arbitrary text → evidence profile parsing and validation: Ok or Err, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skin_preview::evidence::Profile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(profile) = Profile::from_json(text) {
        // A valid profile must also list and serialise without panicking.
        let _ = skin_preview::evidence::listing_text(&profile);
        let _ = serde_json::to_string(&profile);
    }
});
